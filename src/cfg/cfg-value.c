/* Checking and storing one config value by its type: strings, URLs, paths, durations, pins. */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "cfg/cfg-private.h"
#include "util/duration.h"
#include "util/quote.h"
#include "util/xmalloc.h"

/* Messages show at most this much of a hostile value. */
#define CFG_QUOTE_MAX 60

char *
cfg_quote(const char *text)
{
	return quote_bytes(text, strlen(text), CFG_QUOTE_MAX);
}

static bool
cfg_has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* Whether S is well-formed UTF-8: no overlong forms, surrogates or values past U+10FFFF. */
static bool
cfg_is_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		unsigned long cp;
		int more;

		if (*p < 0x80) {
			p++;
			continue;
		} else if (*p >= 0xc2 && *p <= 0xdf) {
			cp = *p & 0x1f, more = 1;
		} else if (*p >= 0xe0 && *p <= 0xef) {
			cp = *p & 0x0f, more = 2;
		} else if (*p >= 0xf0 && *p <= 0xf4) {
			cp = *p & 0x07, more = 3;
		} else {
			return false;
		}
		p++;
		for (int i = 0; i < more; i++, p++) {
			if ((*p & 0xc0) != 0x80)
				return false; /* also stops at the NUL */
			cp = cp << 6 | (*p & 0x3f);
		}
		if ((more == 2 && cp < 0x800) || (more == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
	}
	return true;
}

static int
cfg_check_length(const struct cfg_option *opt, const char *value, char **cause)
{
	if (strlen(value) > (size_t)opt->max) {
		*cause = xasprintf("%s is longer than %ld bytes", opt->name, opt->max);
		return -1;
	}
	return 0;
}

static int
cfg_check_string(const struct cfg_option *opt, const char *value, char **cause)
{
	if (cfg_check_length(opt, value, cause) != 0)
		return -1;
	if (cfg_has_control(value)) {
		*cause = xasprintf("%s contains a control character", opt->name);
		return -1;
	}
	if (!cfg_is_utf8(value)) {
		*cause = xasprintf("%s is not valid UTF-8", opt->name);
		return -1;
	}
	return 0;
}

static bool
cfg_is_name(const char *s, bool lower_only)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (!(islower(c) || isdigit(c) || c == '_' || c == '-' ||
		        (!lower_only && (isupper(c) || c == '.'))))
			return false;
	}
	return true;
}

bool
cfg_profile_name_ok(const char *s)
{
	return strlen(s) <= CFG_NAME_MAX && cfg_is_name(s, false);
}

static int
cfg_check_name(const struct cfg_option *opt, const char *value, char **cause)
{
	char *q;

	if (cfg_check_length(opt, value, cause) != 0)
		return -1;
	if (!cfg_is_name(value, false)) {
		q = cfg_quote(value);
		*cause = xasprintf("%s '%s' is not a profile name; use letters, digits, '.', '_' "
		                   "and '-'",
		    opt->name, q);
		free(q);
		return -1;
	}
	return 0;
}

/* Whether the URL has the part WHAT, and when EQUALS is not NULL, whether it reads EQUALS. */
static bool
cfg_url_has(CURLU *h, CURLUPart what, const char *equals)
{
	char *part = NULL;
	bool has = curl_url_get(h, what, &part, 0) == CURLUE_OK &&
	           (equals == NULL || strcmp(part, equals) == 0);

	curl_free(part);
	return has;
}

/*
 * A proxy URL: a scheme libcurl's proxies speak, a host and an optional port. No
 * credentials (secrets stay out of the config file) and no path, which curl would
 * ignore and a reader might take for something. The TLS to the server is end to
 * end through the proxy's tunnel, so an http:// proxy sees no clinical data.
 */
static int
cfg_parse_proxy(const struct cfg_option *opt, const char *value, char **out, char **cause)
{
	static const char *const schemes[] = {"http://", "https://", "socks5://", "socks5h://"};
	CURLU *h = NULL;
	char *q = cfg_quote(value), *path = NULL;
	const char *why = NULL;
	bool known = false;

	if (cfg_check_length(opt, value, cause) != 0)
		goto fail;
	for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
		known = known || strncasecmp(value, schemes[i], strlen(schemes[i])) == 0;
	for (const char *p = value; why == NULL && *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			why = "contains a space, control or non-ASCII character";
	if (why == NULL && !known)
		why = "is not an http://, https://, socks5:// or socks5h:// URL";
	if (why == NULL && (strchr(value, '?') != NULL || strchr(value, '#') != NULL))
		why = "has a query or fragment";
	if (why == NULL && ((h = curl_url()) == NULL || curl_url_set(h, CURLUPART_URL, value,
	                                                    CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK))
		why = "is not a valid URL";
	if (why == NULL &&
	    (cfg_url_has(h, CURLUPART_USER, NULL) || cfg_url_has(h, CURLUPART_PASSWORD, NULL)))
		why = "has a user name or password";
	else if (why == NULL &&
	         (!cfg_url_has(h, CURLUPART_HOST, NULL) || cfg_url_has(h, CURLUPART_HOST, "")))
		why = "has no host";
	else if (why == NULL && cfg_url_has(h, CURLUPART_PORT, "0"))
		why = "has port 0";
	else if (why == NULL && curl_url_get(h, CURLUPART_PATH, &path, 0) == CURLUE_OK &&
	         strcmp(path, "/") != 0 && *path != '\0')
		why = "has a path";
	if (why != NULL) {
		*cause = xasprintf("%s '%s' %s", opt->name, q, why);
		goto fail;
	}
	*out = xstrdup(value);
	curl_free(path);
	curl_url_cleanup(h);
	free(q);
	return 0;

fail:
	curl_free(path);
	curl_url_cleanup(h);
	free(q);
	return -1;
}

/*
 * An https URL, normalised by curl with any trailing slash removed, so that the FHIR
 * layer can append "/Patient" and compare "next" links against it.
 */
static int
cfg_parse_url(const struct cfg_option *opt, const char *value, char **out, char **cause)
{
	static const char prefix[] = "https://";
	CURLU *h = NULL;
	CURLUcode rc;
	char *q = cfg_quote(value), *url = NULL;
	const char *sep, *why = NULL;
	size_t n;

	if (cfg_check_length(opt, value, cause) != 0)
		goto fail;
	for (const char *p = value; *p != '\0'; p++) {
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f) {
			*cause = xasprintf("%s '%s' contains a space, control or non-ASCII "
			                   "character; percent-encode it",
			    opt->name, q);
			goto fail;
		}
	}
	/* Check the scheme in the text: curl would guess one, and reads "https:/h" as a host. */
	if (strncasecmp(value, prefix, sizeof prefix - 1) != 0) {
		sep = strstr(value, "://");
		if (sep != NULL && sep != value && (size_t)(sep - value) <= 16)
			*cause = xasprintf("%s '%s' uses %.*s; only https:// is allowed", opt->name,
			    q, (int)(sep - value), value);
		else
			*cause = xasprintf("%s '%s' is not an https:// URL", opt->name, q);
		goto fail;
	}
	if (value[sizeof prefix - 1] == '\0' || strchr("/?#", value[sizeof prefix - 1]) != NULL) {
		*cause = xasprintf("%s '%s' has no host", opt->name, q);
		goto fail;
	}
	if (strchr(value, '#') != NULL || strchr(value, '?') != NULL) {
		*cause =
		    xasprintf("%s '%s' has a query or fragment; a base URL may not", opt->name, q);
		goto fail;
	}
	h = curl_url();
	if (h == NULL) {
		*cause = xasprintf("%s: out of memory", opt->name);
		goto fail;
	}
	rc = curl_url_set(h, CURLUPART_URL, value, 0);
	if (rc != CURLUE_OK) {
		*cause = xasprintf(
		    "%s '%s' is not a valid URL: %s", opt->name, q, curl_url_strerror(rc));
		goto fail;
	}
	if (cfg_url_has(h, CURLUPART_USER, NULL) || cfg_url_has(h, CURLUPART_PASSWORD, NULL) ||
	    cfg_url_has(h, CURLUPART_OPTIONS, NULL))
		why = "has a user name or password; the client certificate is the login";
	else if (!cfg_url_has(h, CURLUPART_HOST, NULL) || cfg_url_has(h, CURLUPART_HOST, ""))
		why = "has no host";
	else if (cfg_url_has(h, CURLUPART_PORT, "0"))
		why = "has port 0";
	if (why != NULL) {
		*cause = xasprintf("%s '%s' %s", opt->name, q, why);
		goto fail;
	}
	if (curl_url_get(h, CURLUPART_URL, &url, 0) != CURLUE_OK ||
	    strncmp(url, prefix, sizeof prefix - 1) != 0) {
		*cause = xasprintf("%s '%s' is not a valid https:// URL", opt->name, q);
		goto fail;
	}
	n = strlen(url);
	while (n > sizeof prefix && url[n - 1] == '/')
		n--;
	*out = xstrndup(url, n);
	curl_free(url);
	curl_url_cleanup(h);
	free(q);
	return 0;

fail:
	curl_free(url);
	curl_url_cleanup(h);
	free(q);
	return -1;
}

/* An absolute path, or ~ or ~/... against $HOME. ~user is refused: it needs a lookup. */
static int
cfg_parse_path(const struct cfg_option *opt, const char *value, char **out, char **cause)
{
	const char *home;
	char *path, *q;

	if (cfg_has_control(value)) {
		*cause = xasprintf("%s contains a control character", opt->name);
		return -1;
	}
	if (value[0] == '~' && (value[1] == '\0' || value[1] == '/')) {
		home = getenv("HOME");
		if (home == NULL || home[0] != '/') {
			*cause = xasprintf(
			    "%s starts with ~ but HOME is not an absolute path", opt->name);
			return -1;
		}
		path = xasprintf("%s%s", home, value + 1);
	} else if (value[0] == '/') {
		path = xstrdup(value);
	} else {
		q = cfg_quote(value);
		if (value[0] == '~')
			*cause = xasprintf("%s '%s': only ~/ is expanded, not ~user; write the "
			                   "full path",
			    opt->name, q);
		else
			*cause = xasprintf("%s '%s' is relative; write an absolute path or "
			                   "start it with ~/",
			    opt->name, q);
		free(q);
		return -1;
	}
	if (cfg_check_length(opt, path, cause) != 0) {
		free(path);
		return -1;
	}
	*out = path;
	return 0;
}

static int
cfg_parse_duration(const struct cfg_option *opt, const char *value, long *out, char **cause)
{
	char lo[32], hi[32], *why = NULL, *q;
	long s;

	if (duration_parse(value, &s, &why) != 0) {
		*cause = xasprintf("%s: %s", opt->name, why);
		free(why);
		return -1;
	}
	if (s < opt->min || s > opt->max) {
		duration_format(opt->min, lo, sizeof lo);
		duration_format(opt->max, hi, sizeof hi);
		q = cfg_quote(value);
		*cause = xasprintf("%s must be from %s to %s, not %s", opt->name, lo, hi, q);
		free(q);
		return -1;
	}
	*out = s;
	return 0;
}

static int
cfg_parse_integer(const struct cfg_option *opt, const char *value, long *out, char **cause)
{
	char *q;
	const char *p = value;
	bool negative = false;
	long n = 0;

	if (*p == '-') {
		negative = true;
		p++;
	}
	if (*p == '\0')
		goto bad;
	for (; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p))
			goto bad;
		if (n > (LONG_MAX - 9) / 10)
			goto range; /* far out of any range, and about to overflow */
		n = n * 10 + (*p - '0');
	}
	if (negative)
		n = -n;
	if (n < opt->min || n > opt->max)
		goto range;
	*out = n;
	return 0;

bad:
	q = cfg_quote(value);
	*cause = xasprintf("%s '%s' is not a whole number", opt->name, q);
	free(q);
	return -1;
range:
	q = cfg_quote(value);
	*cause = xasprintf("%s must be from %ld to %ld, not %s", opt->name, opt->min, opt->max, q);
	free(q);
	return -1;
}

/*
 * Pins as CURLOPT_PINNEDPUBLICKEY takes them. curl compares the base64 text, so only
 * the canonical encoding of 32 bytes can ever match: 43 characters, then '='.
 */
static int
cfg_check_pins(const struct cfg_option *opt, const char *value, char **cause)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char prefix[] = "sha256//";
	const size_t b64len = 44;
	const char *p = value, *end, *at;
	long count = 0;

	for (;;) {
		end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		if (++count > opt->max) {
			*cause = xasprintf("%s has more than %ld pins", opt->name, opt->max);
			return -1;
		}
		if ((size_t)(end - p) != sizeof prefix - 1 + b64len ||
		    strncmp(p, prefix, sizeof prefix - 1) != 0)
			goto bad;
		at = p + sizeof prefix - 1;
		for (size_t i = 0; i < b64len - 1; i++)
			if (at[i] == '\0' || strchr(b64, at[i]) == NULL)
				goto bad;
		/* The last character carries two zero padding bits. */
		if (at[b64len - 1] != '=' || (strchr(b64, at[b64len - 2]) - b64) % 4 != 0)
			goto bad;
		if (*end == '\0')
			return 0;
		p = end + 1;
	}

bad:
	*cause = xasprintf("%s pin %ld is not sha256// followed by the 44-character base64 "
	                   "SHA-256 of a public key",
	    opt->name, count);
	return -1;
}

/*
 * A value of a list (CFG_T_NAME with choices). A value not in it is quoted, as it may be
 * anything, and the option's own reason follows the choices when it has one.
 */
static int
cfg_check_choice(const struct cfg_option *opt, const char *value, char **cause)
{
	char *q;

	for (size_t k = 0; opt->choices[k] != NULL; k++)
		if (strcmp(opt->choices[k], value) == 0)
			return 0;
	q = cfg_quote(value);
	if (opt->choices[1] == NULL)
		*cause = xasprintf("%s must be %s, not '%s'%s%s", opt->name, opt->choices[0], q,
		    opt->refuse != NULL ? ": " : "", opt->refuse != NULL ? opt->refuse : "");
	else
		*cause = xasprintf("%s must be one of the values its manual lists, not '%s'%s%s",
		    opt->name, q, opt->refuse != NULL ? ": " : "",
		    opt->refuse != NULL ? opt->refuse : "");
	free(q);
	return -1;
}

/*
 * A character of OAuth's scope-token (RFC 6749, NQCHAR): printable ASCII but the blank,
 * '"' and '\\'. A client id is printable ASCII without blanks, the same set with the two.
 */
static bool
cfg_is_nqchar(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '"' && c != '\\';
}

static int
cfg_check_id(const struct cfg_option *opt, const char *value, char **cause)
{
	char *q;

	if (cfg_check_length(opt, value, cause) != 0)
		return -1;
	for (const char *p = value; *p != '\0'; p++) {
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f) {
			q = cfg_quote(value);
			*cause = xasprintf("%s '%s' has a blank, control or non-ASCII character",
			    opt->name, q);
			free(q);
			return -1;
		}
	}
	return 0;
}

/*
 * Why the scope of N bytes at S is refused, or NULL. A SMART clinical scope is
 * CONTEXT/TYPE.PERMISSIONS[?QUERY] (SMART App Launch 2.0): context patient, user or
 * system, TYPE a resource type or *, PERMISSIONS one or more of c, r, u, d, s in that
 * order. Any other scope (openid, fhirUser, offline_access, launch/patient) is taken as
 * it is once its characters are right: servers define their own.
 */
static const char *
cfg_scope_refused(const char *s, size_t n)
{
	static const char *const contexts[] = {"patient/", "user/", "system/"};
	static const char perms[] = "cruds";
	const char *p = NULL, *end = s + n, *dot;
	size_t last = 0;

	for (size_t i = 0; i < n; i++)
		if (!cfg_is_nqchar((unsigned char)s[i]))
			return "has a character a scope may not have (a control or non-ASCII "
			       "character, '\"' or '\\')";
	for (size_t i = 0; p == NULL && i < sizeof contexts / sizeof contexts[0]; i++)
		if (n >= strlen(contexts[i]) && strncmp(s, contexts[i], strlen(contexts[i])) == 0)
			p = s + strlen(contexts[i]);
	if (p == NULL)
		return NULL;
	if ((dot = memchr(p, '.', (size_t)(end - p))) == NULL)
		return "has no '.' before its permissions";
	if (!(dot - p == 1 && *p == '*')) {
		if (dot == p || !isupper((unsigned char)*p))
			return "names no resource type (a capital letter, then letters) or *";
		for (const char *t = p + 1; t < dot; t++)
			if (!isalpha((unsigned char)*t))
				return "names no resource type (a capital letter, then letters) or *";
	}
	p = dot + 1;
	if ((end - p >= 4 && strncmp(p, "read", 4) == 0) ||
	    (end - p >= 5 && strncmp(p, "write", 5) == 0) || (end - p >= 1 && *p == '*'))
		return "is SMART v1; write v2 permissions (user/Patient.rs, user/Patient.cruds)";
	if (p == end || *p == '?')
		return "has no permissions after the '.' (c, r, u, d, s)";
	for (; p < end && *p != '?'; p++) {
		const char *at = strchr(perms, *p);

		if (*p == '\0' || at == NULL || (size_t)(at - perms) + 1 <= last)
			return "has permissions other than c, r, u, d and s, once each in that order";
		last = (size_t)(at - perms) + 1;
	}
	if (p < end && p + 1 == end)
		return "has an empty query after '?'";
	return NULL;
}

/* Scopes joined by single blanks, each as cfg_scope_refused() allows. */
static int
cfg_check_scopes(const struct cfg_option *opt, const char *value, char **cause)
{
	const char *p = value, *why;
	size_t count = 0, n;
	char *word, *q;

	if (cfg_check_length(opt, value, cause) != 0)
		return -1;
	for (;;) {
		n = strcspn(p, " ");
		if (n == 0) {
			*cause = xasprintf("%s has a blank at an end or two blanks together; join "
			                   "scopes with one blank",
			    opt->name);
			return -1;
		}
		if (++count > CFG_SCOPES_MAX) {
			*cause = xasprintf("%s has more than %d scopes", opt->name, CFG_SCOPES_MAX);
			return -1;
		}
		if ((why = cfg_scope_refused(p, n)) != NULL) {
			word = xstrndup(p, n);
			q = cfg_quote(word);
			*cause = xasprintf("%s: scope %zu '%s' %s", opt->name, count, q, why);
			free(q);
			free(word);
			return -1;
		}
		if (p[n] == '\0')
			return 0;
		p += n + 1;
	}
}

static int
cfg_parse_keymap(
    const struct cfg_option *opt, const char *value, struct cfg_keymap *out, char **cause)
{
	char *path, *q;

	if (strchr(value, '/') != NULL || value[0] == '~') {
		if (cfg_parse_path(opt, value, &path, cause) != 0)
			return -1;
		out->path = path;
		return 0;
	}
	if (strlen(value) > (size_t)opt->max || !cfg_is_name(value, true)) {
		q = cfg_quote(value);
		*cause = xasprintf("%s '%s' is neither a keymap name (up to %ld lower-case "
		                   "letters, digits, '_' and '-') nor a path",
		    opt->name, q, opt->max);
		free(q);
		return -1;
	}
	out->name = xstrdup(value);
	return 0;
}

static void
cfg_keymap_clear(struct cfg_keymap *km)
{
	/* The strings are ours; the public struct shows them const to its readers. */
	free((char *)km->name);
	free((char *)km->path);
	km->name = km->path = NULL;
}

int
cfg_value_set(const struct cfg_option *opt, const char *value, void *base, char **cause)
{
	void *slot = (char *)base + opt->offset;
	const char **sp = slot;
	struct cfg_keymap km = {NULL, NULL};
	char *s = NULL;
	long n;

	if (*value == '\0') {
		*cause =
		    xasprintf("%s has no value; remove the line to use the default", opt->name);
		return -1;
	}
	/* One of a list: whatever else the value is, the list alone says whether it is taken. */
	if (opt->choices != NULL) {
		if (cfg_check_choice(opt, value, cause) != 0)
			return -1;
		free((char *)*sp);
		*sp = xstrdup(value);
		return 0;
	}
	switch (opt->type) {
	case CFG_T_STRING:
	case CFG_T_NAME:
	case CFG_T_PINS:
	case CFG_T_ID:
	case CFG_T_SCOPES:
		if ((opt->type == CFG_T_STRING    ? cfg_check_string
		        : opt->type == CFG_T_NAME ? cfg_check_name
		        : opt->type == CFG_T_ID   ? cfg_check_id
		        : opt->type == CFG_T_PINS ? cfg_check_pins
		                                  : cfg_check_scopes)(opt, value, cause) != 0)
			return -1;
		s = xstrdup(value);
		break;
	case CFG_T_URL:
		if (cfg_parse_url(opt, value, &s, cause) != 0)
			return -1;
		break;
	case CFG_T_COMMAND: {
		char **argv;
		char *why = NULL;

		if (cfg_check_string(opt, value, cause) != 0)
			return -1;
		if (cfg_command_split(value, &argv, &why) != 0) {
			*cause = xasprintf("%s: %s", opt->name, why);
			free(why);
			return -1;
		}
		cfg_command_free(argv);
		s = xstrdup(value);
		break;
	}
	case CFG_T_PROXY:
		if (cfg_parse_proxy(opt, value, &s, cause) != 0)
			return -1;
		break;
	case CFG_T_PATH:
		if (cfg_parse_path(opt, value, &s, cause) != 0)
			return -1;
		break;
	case CFG_T_DURATION:
	case CFG_T_INTEGER:
		if ((opt->type == CFG_T_DURATION ? cfg_parse_duration : cfg_parse_integer)(
		        opt, value, &n, cause) != 0)
			return -1;
		*(long *)slot = n;
		return 0;
	case CFG_T_KEYMAP:
		if (cfg_parse_keymap(opt, value, &km, cause) != 0)
			return -1;
		cfg_keymap_clear(slot);
		*(struct cfg_keymap *)slot = km;
		return 0;
	case CFG_T_COUNT:
		*cause = xasprintf("%s has no type", opt->name);
		return -1;
	}
	free((char *)*sp);
	*sp = s;
	return 0;
}

void
cfg_value_free(const struct cfg_option *opt, void *base)
{
	void *slot = (char *)base + opt->offset;

	switch (opt->type) {
	case CFG_T_STRING:
	case CFG_T_NAME:
	case CFG_T_PINS:
	case CFG_T_URL:
	case CFG_T_PROXY:
	case CFG_T_PATH:
	case CFG_T_COMMAND:
	case CFG_T_ID:
	case CFG_T_SCOPES:
		free((char *)*(const char **)slot);
		*(const char **)slot = NULL;
		break;
	case CFG_T_KEYMAP:
		cfg_keymap_clear(slot);
		break;
	case CFG_T_DURATION:
	case CFG_T_INTEGER:
	case CFG_T_COUNT:
		break;
	}
}
