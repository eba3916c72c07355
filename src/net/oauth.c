/* SMART on FHIR login: discovery, scopes, and the readers and requests the other steps share. */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/oauth-private.h"
#include "util/xmalloc.h"

/* Bounds on a server's arrays and their strings: read linearly, never more. */
#define OAUTH_LIST_MAX 64
#define OAUTH_LIST_ITEM_MAX 128
/* The most resource types a scope list takes (FHIR R4 has 145). */
#define OAUTH_SCOPE_TYPES_MAX 160
#define OAUTH_TYPE_MAX 64

const char *const oauth_request_headers[] = {
    "Content-Type: application/x-www-form-urlencoded",
    "Accept: application/json",
    NULL,
};

/* --- shared readers ------------------------------------------------------------------ */

cJSON *
oauth_json_object(const char *body, size_t len, const char *what, char **cause)
{
	const char *end = NULL;
	cJSON *j;

	if (body == NULL || len == 0) {
		*cause = xasprintf("the %s is empty", what);
		return NULL;
	}
	if (len > OAUTH_ANSWER_MAX) {
		*cause =
		    xasprintf("the %s is too large (over %d KiB)", what, OAUTH_ANSWER_MAX / 1024);
		return NULL;
	}
	/* cJSON stops at a NUL: one inside the body would hide what follows it. */
	if (memchr(body, '\0', len) != NULL) {
		*cause = xasprintf("the %s is not JSON", what);
		return NULL;
	}
	/*
	 * Nor one written as an escape: cJSON would end the string there, and a value read
	 * would be shorter than the one sent ("Bearer\u0000x" read as "Bearer").
	 */
	for (const char *p = body; (p = memchr(p, '\\', (size_t)(body + len - p))) != NULL; p++)
		if ((size_t)(body + len - p) >= 6 && memcmp(p, "\\u0000", 6) == 0) {
			*cause = xasprintf("the %s holds a NUL character", what);
			return NULL;
		}
	j = cJSON_ParseWithLengthOpts(body, len, &end, false);
	if (j == NULL) {
		*cause = xasprintf("the %s is not JSON", what);
		return NULL;
	}
	while (end != NULL && end < body + len && isspace((unsigned char)*end))
		end++;
	if (end != body + len) {
		cJSON_Delete(j);
		*cause = xasprintf("the %s has more after its JSON", what);
		return NULL;
	}
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		*cause = xasprintf("the %s is not a JSON object", what);
		return NULL;
	}
	return j;
}

bool
oauth_url_ok(const char *s)
{
	const char *host, *end;
	size_t len;

	if (s == NULL || (len = strlen(s)) > OAUTH_URL_MAX || strncasecmp(s, "https://", 8) != 0)
		return false;
	/* Printable ASCII only: no space, control, escape sequence or non-ASCII byte. */
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	/* RFC 8414 2: endpoints have no fragment; nor credentials, which would be sent to it. */
	if (strchr(s, '#') != NULL)
		return false;
	host = s + 8;
	end = host + strcspn(host, "/?");
	if (end == host || memchr(host, '@', (size_t)(end - host)) != NULL || *host == ':' ||
	    memchr(host, '\\', (size_t)(end - host)) != NULL)
		return false;
	return true;
}

bool
oauth_text_ok(const char *s, size_t max)
{
	size_t len = s != NULL ? strlen(s) : 0;

	if (len == 0 || len > max)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
			return false;
	}
	return true;
}

bool
oauth_vschar_ok(const char *s, size_t max)
{
	size_t len = s != NULL ? strlen(s) : 0;

	if (len == 0 || len > max)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

int
oauth_seconds(const cJSON *item, long max, long *out)
{
	double v;

	if (cJSON_IsString(item)) {
		const char *s = item->valuestring;
		size_t n = strspn(s, "0123456789");

		if (n == 0 || n > 9 || s[n] != '\0')
			return -1;
		v = strtod(s, NULL);
	} else if (cJSON_IsNumber(item))
		v = item->valuedouble;
	else
		return -1;
	if (!isfinite(v) || v <= 0)
		return -1;
	*out = v >= (double)max ? max : (long)ceil(v);
	return 0;
}

static bool
oauth_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

/* LEN bytes at IN form-encoded into OUT (when not NULL); returns the encoded length. */
static size_t
oauth_form_encode(const char *in, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)in; *p != '\0'; p++) {
		if (oauth_unreserved(*p)) {
			if (out != NULL)
				out[n] = (char)*p;
			n++;
		} else if (*p == ' ') {
			if (out != NULL)
				out[n] = '+';
			n++;
		} else {
			if (out != NULL) {
				out[n] = '%';
				out[n + 1] = hex[*p >> 4];
				out[n + 2] = hex[*p & 15];
			}
			n += 3;
		}
	}
	return n;
}

struct secret *
oauth_form(const char *const *pairs)
{
	struct secret *s;
	size_t len = 0, at = 0;
	char *out;

	/* Measured first, then written in place: the body passes through no other buffer. */
	for (size_t i = 0; pairs[i] != NULL; i += 2)
		len += (i > 0) + oauth_form_encode(pairs[i], NULL) + 1 +
		       oauth_form_encode(pairs[i + 1], NULL);
	s = secret_new_len(len);
	out = secret_data(s);
	for (size_t i = 0; pairs[i] != NULL; i += 2) {
		if (i > 0)
			out[at++] = '&';
		at += oauth_form_encode(pairs[i], out + at);
		out[at++] = '=';
		at += oauth_form_encode(pairs[i + 1], out + at);
	}
	return s;
}

void
oauth_request_make(struct oauth_request *r, const char *url, const char *const *pairs)
{
	r->method = HTTP_POST;
	r->url = xstrdup(url);
	r->body = oauth_form(pairs);
}

void
oauth_request_clear(struct oauth_request *r)
{
	free(r->url);
	secret_free(&r->body);
	memset(r, 0, sizeof *r);
}

struct http_request
oauth_request_http(const struct oauth_request *r)
{
	return (struct http_request){
	    .method = r->method,
	    .url = r->url,
	    .headers = oauth_request_headers,
	    .body = secret_str(r->body),
	    .body_len = secret_len(r->body),
	    .retry = false,
	};
}

// clang-format off
static const struct {
	const char *code;
	enum oauth_error kind;
	const char *sentence;
} oauth_errors[] = {
	{ "invalid_request", OAUTH_ERR_SERVER,
	  "the authorization server found the request malformed" },
	{ "invalid_client", OAUTH_ERR_REFUSED,
	  "the authorization server does not accept this client "
	  "(check client_id and the certificate)" },
	{ "invalid_grant", OAUTH_ERR_REFUSED,
	  "the authorization server refused the grant (expired, revoked or for another client)" },
	{ "unauthorized_client", OAUTH_ERR_REFUSED, "this client may not use this kind of login" },
	{ "unsupported_grant_type", OAUTH_ERR_REFUSED,
	  "the authorization server does not offer this kind of login" },
	{ "invalid_scope", OAUTH_ERR_REFUSED,
	  "the authorization server refused the scopes asked for" },
	{ "access_denied", OAUTH_ERR_REFUSED, "the login was denied" },
	{ "expired_token", OAUTH_ERR_REFUSED, "the login code expired" },
	{ "unsupported_token_type", OAUTH_ERR_REFUSED,
	  "the authorization server cannot revoke this kind of token" },
	{ "server_error", OAUTH_ERR_SERVER, "the authorization server failed" },
	{ "temporarily_unavailable", OAUTH_ERR_SERVER,
	  "the authorization server is unavailable for now" },
	{ "authorization_pending", OAUTH_ERR_SERVER, "the login is not approved yet" },
	{ "slow_down", OAUTH_ERR_SERVER, "the authorization server asks to poll less often" },
};
// clang-format on

/*
 * Whether every word of S (a run without spaces) is at most OAUTH_DESCRIPTION_WORD_MAX
 * long. A server that echoes the refresh token or device code it was sent in its
 * error_description would otherwise put it on the screen: tokens are long runs (RFC 6749
 * 10.10 asks for 128 bits, 22 base64 characters), the words of a sentence are not.
 */
static bool
oauth_words_short(const char *s)
{
	while (*s != '\0') {
		size_t n = strcspn(s, " ");

		if (n > OAUTH_DESCRIPTION_WORD_MAX)
			return false;
		s += n;
		s += strspn(s, " ");
	}
	return true;
}

void
oauth_error_read(long status, const char *body, size_t len, const char *what,
    char code[OAUTH_CODE_MAX + 1], enum oauth_error *kind, char **cause)
{
	const char *sentence = NULL, *desc = NULL;
	char *ignored = NULL, *unknown = NULL;
	const cJSON *e, *d;
	cJSON *j;

	code[0] = '\0';
	*kind =
	    status >= 500 || status == 0 || status == 429 ? OAUTH_ERR_SERVER : OAUTH_ERR_REFUSED;
	j = oauth_json_object(body, len, "answer", &ignored);
	free(ignored);
	e = cJSON_GetObjectItemCaseSensitive(j, "error");
	if (cJSON_IsString(e) && oauth_text_ok(e->valuestring, OAUTH_CODE_MAX) &&
	    strchr(e->valuestring, ' ') == NULL) {
		snprintf(code, OAUTH_CODE_MAX + 1, "%s", e->valuestring);
		for (size_t i = 0; i < sizeof oauth_errors / sizeof oauth_errors[0]; i++)
			if (strcmp(oauth_errors[i].code, code) == 0) {
				sentence = oauth_errors[i].sentence;
				*kind = oauth_errors[i].kind;
			}
		if (sentence == NULL)
			sentence = unknown =
			    xasprintf("the authorization server answered the error %s", code);
		d = cJSON_GetObjectItemCaseSensitive(j, "error_description");
		if (cJSON_IsString(d) && oauth_text_ok(d->valuestring, OAUTH_DESCRIPTION_MAX) &&
		    oauth_words_short(d->valuestring))
			desc = d->valuestring;
	}
	if (sentence == NULL)
		*cause = xasprintf("%s: the authorization server answered HTTP %ld", what, status);
	else if (desc != NULL)
		*cause = xasprintf("%s: %s (the server says: %s)", what, sentence, desc);
	else
		*cause = xasprintf("%s: %s", what, sentence);
	free(unknown);
	cJSON_Delete(j);
}

/* --- discovery ----------------------------------------------------------------------- */

char *
oauth_discovery_url(const char *fhir_base)
{
	size_t len;

	if (!oauth_url_ok(fhir_base) || strchr(fhir_base, '?') != NULL)
		return NULL;
	len = strlen(fhir_base);
	while (len > 8 && fhir_base[len - 1] == '/')
		len--;
	return xasprintf("%.*s/.well-known/smart-configuration", (int)len, fhir_base);
}

char *
oauth_metadata_url(const char *issuer, enum oauth_metadata_kind kind)
{
	const char *path;
	size_t len;

	if (!oauth_url_ok(issuer) || strchr(issuer, '?') != NULL)
		return NULL;
	len = strlen(issuer);
	while (len > 8 && issuer[len - 1] == '/')
		len--;
	if (kind == OAUTH_METADATA_OIDC)
		return xasprintf("%.*s/.well-known/openid-configuration", (int)len, issuer);
	/* RFC 8414 3: the well-known part goes between the host and the issuer's path. */
	path = issuer + 8 + strcspn(issuer + 8, "/");
	if (path > issuer + len)
		path = issuer + len;
	return xasprintf("%.*s/.well-known/oauth-authorization-server%.*s", (int)(path - issuer),
	    issuer, (int)(issuer + len - path), path);
}

// clang-format off
struct oauth_name {
	const char *name;
	unsigned bit;
};

static const struct oauth_name oauth_capability_names[] = {
	{ "permission-v2", OAUTH_CAP_PERMISSION_V2 },
	{ "permission-v1", OAUTH_CAP_PERMISSION_V1 },
	{ "permission-user", OAUTH_CAP_PERMISSION_USER },
	{ "permission-offline", OAUTH_CAP_PERMISSION_OFFLINE },
	{ "client-public", OAUTH_CAP_CLIENT_PUBLIC },
	{ "sso-openid-connect", OAUTH_CAP_SSO_OPENID_CONNECT },
}, oauth_grant_names[] = {
	{ "urn:ietf:params:oauth:grant-type:device_code", OAUTH_GRANT_DEVICE_CODE },
	{ "refresh_token", OAUTH_GRANT_REFRESH_TOKEN },
	{ "authorization_code", OAUTH_GRANT_AUTHORIZATION_CODE },
	{ "client_credentials", OAUTH_GRANT_CLIENT_CREDENTIALS },
};
// clang-format on

/*
 * The bits of the names in ARRAY (the first OAUTH_LIST_MAX strings; others and unknown
 * names ignored). -1 when it is there but not an array of strings.
 */
static int
oauth_name_bits(const cJSON *array, const struct oauth_name *names, size_t n, unsigned *bits)
{
	const cJSON *item;
	size_t seen = 0;

	*bits = 0;
	if (!cJSON_IsArray(array))
		return -1;
	cJSON_ArrayForEach(item, array)
	{
		if (seen++ == OAUTH_LIST_MAX)
			break;
		if (!cJSON_IsString(item))
			return -1;
		if (strlen(item->valuestring) > OAUTH_LIST_ITEM_MAX)
			continue;
		for (size_t i = 0; i < n; i++)
			if (strcmp(names[i].name, item->valuestring) == 0)
				*bits |= names[i].bit;
	}
	return 0;
}

/*
 * The endpoint NAME of J (its mTLS alias when ALIASES has one) into *OUT, NULL when not
 * given; -1 with *CAUSE when it is not a usable URL.
 */
static int
oauth_endpoint(const cJSON *j, const cJSON *aliases, const char *name, char **out, char **cause)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(aliases, name);

	if (v == NULL)
		v = cJSON_GetObjectItemCaseSensitive(j, name);
	*out = NULL;
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v) || !oauth_url_ok(v->valuestring)) {
		*cause = xasprintf("its %s is not an https URL ehrterm can use", name);
		return -1;
	}
	*out = xstrdup(v->valuestring);
	return 0;
}

/* Read the metadata document J (SMART's or the server's) into *S. 0, or -1 with *CAUSE. */
static int
oauth_server_from(struct oauth_server *s, const cJSON *j, char **cause)
{
	const cJSON *aliases = cJSON_GetObjectItemCaseSensitive(j, "mtls_endpoint_aliases");
	const cJSON *v;

	memset(s, 0, sizeof *s);
	if (aliases != NULL && !cJSON_IsObject(aliases)) {
		*cause = xstrdup("its mtls_endpoint_aliases is not an object");
		return -1;
	}
	v = cJSON_GetObjectItemCaseSensitive(j, "issuer");
	if (v != NULL && !cJSON_IsNull(v)) {
		if (!cJSON_IsString(v) || !oauth_url_ok(v->valuestring) ||
		    strchr(v->valuestring, '?') != NULL) {
			*cause = xstrdup("its issuer is not an https URL ehrterm can use");
			return -1;
		}
		s->issuer = xstrdup(v->valuestring);
	}
	if (oauth_endpoint(j, aliases, "token_endpoint", &s->token_endpoint, cause) != 0 ||
	    oauth_endpoint(
	        j, aliases, "device_authorization_endpoint", &s->device_endpoint, cause) != 0 ||
	    oauth_endpoint(j, aliases, "revocation_endpoint", &s->revocation_endpoint, cause) != 0)
		goto fail;
	v = cJSON_GetObjectItemCaseSensitive(j, "capabilities");
	if (v != NULL && oauth_name_bits(v, oauth_capability_names,
	                     sizeof oauth_capability_names / sizeof oauth_capability_names[0],
	                     &s->capabilities) != 0) {
		*cause = xstrdup("its capabilities are not a list of names");
		goto fail;
	}
	v = cJSON_GetObjectItemCaseSensitive(j, "grant_types_supported");
	if (v != NULL) {
		if (oauth_name_bits(v, oauth_grant_names,
		        sizeof oauth_grant_names / sizeof oauth_grant_names[0], &s->grants) != 0) {
			*cause = xstrdup("its grant_types_supported is not a list of names");
			goto fail;
		}
		s->grants_listed = true;
	}
	v = cJSON_GetObjectItemCaseSensitive(j, "tls_client_certificate_bound_access_tokens");
	s->cert_bound = cJSON_IsTrue(v);
	return 0;
fail:
	oauth_server_clear(s);
	return -1;
}

int
oauth_server_read(struct oauth_server *s, const char *body, size_t len, char **cause)
{
	char *why = NULL;
	cJSON *j;

	memset(s, 0, sizeof *s);
	if ((j = oauth_json_object(body, len, "SMART configuration", cause)) == NULL)
		return -1;
	if (oauth_server_from(s, j, &why) != 0) {
		*cause = xasprintf("this server's SMART configuration is unusable: %s", why);
		free(why);
		cJSON_Delete(j);
		return -1;
	}
	cJSON_Delete(j);
	if (s->token_endpoint == NULL) {
		oauth_server_clear(s);
		*cause = xstrdup("this server's SMART configuration names no token endpoint");
		return -1;
	}
	return 0;
}

bool
oauth_server_needs_metadata(const struct oauth_server *s)
{
	return s->device_endpoint == NULL && s->issuer != NULL;
}

/* Take *FROM into *TO when *TO is empty. */
static void
oauth_fill(char **to, char **from)
{
	if (*to == NULL) {
		*to = *from;
		*from = NULL;
	}
}

int
oauth_server_add_metadata(struct oauth_server *s, const char *body, size_t len, char **cause)
{
	struct oauth_server m;
	char *why = NULL;
	cJSON *j;

	if ((j = oauth_json_object(body, len, "authorization server's metadata", cause)) == NULL)
		return -1;
	if (oauth_server_from(&m, j, &why) != 0) {
		*cause = xasprintf("the authorization server's metadata is unusable: %s", why);
		free(why);
		cJSON_Delete(j);
		return -1;
	}
	cJSON_Delete(j);
	/* RFC 8414 3.3: metadata naming another issuer must not be used. */
	if (s->issuer == NULL || m.issuer == NULL || strcmp(s->issuer, m.issuer) != 0) {
		oauth_server_clear(&m);
		*cause = xstrdup("the authorization server's metadata is for another issuer");
		return -1;
	}
	oauth_fill(&s->token_endpoint, &m.token_endpoint);
	oauth_fill(&s->device_endpoint, &m.device_endpoint);
	oauth_fill(&s->revocation_endpoint, &m.revocation_endpoint);
	s->capabilities |= m.capabilities;
	if (!s->grants_listed) {
		s->grants = m.grants;
		s->grants_listed = m.grants_listed;
	}
	s->cert_bound = s->cert_bound || m.cert_bound;
	oauth_server_clear(&m);
	return 0;
}

int
oauth_server_check(const struct oauth_server *s, char **cause)
{
	if (s == NULL || s->token_endpoint == NULL) {
		*cause = xstrdup("this server's SMART configuration names no token endpoint");
		return -1;
	}
	if (s->device_endpoint == NULL) {
		*cause = xstrdup("this server's SMART configuration offers no device login");
		return -1;
	}
	return 0;
}

/* Append WORD to OUT (SIZE bytes), a space between words; cut, never overrun. */
static void
oauth_join(char *out, size_t size, const char *word)
{
	size_t n = strlen(out);

	if (n + 1 < size)
		snprintf(out + n, size - n, "%s%s", n > 0 ? " " : "", word);
}

/*
 * A URL as --check shows it: a server may name endpoints up to OAUTH_URL_MAX long, but
 * the line stays a sentence (oauth.h: bounded), so a long one is cut, with "...".
 */
#define DESCRIBE_URL_MAX 80

static const char *
describe_url(char *buf, size_t size, const char *url, const char *none)
{
	if (url == NULL)
		return none;
	if (strlen(url) < size)
		return url;
	snprintf(buf, size, "%.*s...", (int)(size - 4), url);
	return buf;
}

char *
oauth_server_describe(const struct oauth_server *s)
{
	char caps[256] = "", *line;
	char device[DESCRIBE_URL_MAX + 1], token[DESCRIBE_URL_MAX + 1], revoke[DESCRIBE_URL_MAX + 1];

	for (size_t i = 0; i < sizeof oauth_capability_names / sizeof oauth_capability_names[0];
	     i++)
		if (s->capabilities & oauth_capability_names[i].bit)
			oauth_join(caps, sizeof caps, oauth_capability_names[i].name);
	line = xasprintf("device login %s; tokens %s; revocation %s; certificate-bound tokens %s; "
	                 "capabilities: %s",
	    describe_url(device, sizeof device, s->device_endpoint, "not offered"),
	    describe_url(token, sizeof token, s->token_endpoint, "none"),
	    describe_url(revoke, sizeof revoke, s->revocation_endpoint, "not offered"),
	    s->cert_bound ? "yes" : "not said", caps[0] != '\0' ? caps : "none known");
	return line;
}

void
oauth_server_clear(struct oauth_server *s)
{
	free(s->issuer);
	free(s->token_endpoint);
	free(s->device_endpoint);
	free(s->revocation_endpoint);
	memset(s, 0, sizeof *s);
}

/* --- scopes -------------------------------------------------------------------------- */

struct oauth_scopes {
	struct {
		char type[OAUTH_TYPE_MAX + 1];
		unsigned perms;
	} * types;
	size_t n, cap;
};

/* Whether S is a FHIR resource type's name: a capital, then letters. */
static bool
oauth_type_ok(const char *s)
{
	size_t len = s != NULL ? strlen(s) : 0;

	if (len == 0 || len > OAUTH_TYPE_MAX || !(s[0] >= 'A' && s[0] <= 'Z'))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!isalpha((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

struct oauth_scopes *
oauth_scopes_new(void)
{
	return xcalloc(1, sizeof(struct oauth_scopes));
}

void
oauth_scopes_free(struct oauth_scopes **sc)
{
	if (*sc == NULL)
		return;
	free((*sc)->types);
	free(*sc);
	*sc = NULL;
}

int
oauth_scopes_add(struct oauth_scopes *sc, const char *type, unsigned perms)
{
	if (!oauth_type_ok(type) || (perms & OAUTH_PERM_ALL) == 0 || (perms & ~OAUTH_PERM_ALL))
		return -1;
	for (size_t i = 0; i < sc->n; i++)
		if (strcmp(sc->types[i].type, type) == 0) {
			sc->types[i].perms |= perms;
			return 0;
		}
	if (sc->n == OAUTH_SCOPE_TYPES_MAX)
		return -1;
	if (sc->n == sc->cap) {
		sc->cap = sc->cap == 0 ? 16 : sc->cap * 2;
		sc->types = xreallocarray(sc->types, sc->cap, sizeof *sc->types);
	}
	snprintf(sc->types[sc->n].type, sizeof sc->types[sc->n].type, "%s", type);
	sc->types[sc->n++].perms = perms;
	return 0;
}

/* PERMS' letters, in .cruds order, into OUT (6 bytes). */
static void
oauth_perm_letters(unsigned perms, char out[6])
{
	static const char letters[] = "cruds";
	size_t n = 0;

	for (unsigned i = 0; i < 5; i++)
		if (perms & (1u << i))
			out[n++] = letters[i];
	out[n] = '\0';
}

char *
oauth_scope_text(const char *type, unsigned perms)
{
	char letters[6];

	oauth_perm_letters(perms, letters);
	return xasprintf("user/%s.%s", type, letters);
}


char *
oauth_scopes_string(const struct oauth_scopes *sc, const struct oauth_server *server)
{
	unsigned caps = server != NULL ? server->capabilities : 0;
	/* A server that lists its capabilities is asked only for what it lists. */
	bool openid = caps == 0 || (caps & OAUTH_CAP_SSO_OPENID_CONNECT);
	bool offline = caps == 0 || (caps & OAUTH_CAP_PERMISSION_OFFLINE);
	bool v1 = (caps & OAUTH_CAP_PERMISSION_V1) && !(caps & OAUTH_CAP_PERMISSION_V2);
	size_t len = sizeof OAUTH_SCOPE_BASE;
	char *out, scope[OAUTH_TYPE_MAX + 16], letters[6];

	for (size_t i = 0; i < sc->n; i++)
		len += 2 * (strlen(" user/.write") + strlen(sc->types[i].type));
	out = xmalloc(len);
	out[0] = '\0';
	if (openid)
		oauth_join(out, len, "openid fhirUser");
	if (offline)
		oauth_join(out, len, "offline_access");
	for (size_t i = 0; i < sc->n; i++) {
		unsigned p = sc->types[i].perms;

		if (!v1) {
			oauth_perm_letters(p, letters);
			snprintf(scope, sizeof scope, "user/%s.%s", sc->types[i].type, letters);
			oauth_join(out, len, scope);
			continue;
		}
		/* SMART v1: read is read and search, write is create, update and delete. */
		if (p & (OAUTH_PERM_R | OAUTH_PERM_S)) {
			snprintf(scope, sizeof scope, "user/%s.read", sc->types[i].type);
			oauth_join(out, len, scope);
		}
		if (p & (OAUTH_PERM_C | OAUTH_PERM_U | OAUTH_PERM_D)) {
			snprintf(scope, sizeof scope, "user/%s.write", sc->types[i].type);
			oauth_join(out, len, scope);
		}
	}
	return out;
}

char *
oauth_scope_request(const char *override, const struct oauth_scopes *sc,
    const struct oauth_server *server, char **cause)
{
	char *out;
	size_t n = 0;

	if (override == NULL)
		return oauth_scopes_string(sc, server);
	out = xmalloc(strlen(override) + 1);
	for (const unsigned char *p = (const unsigned char *) override; *p != '\0'; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\n') {
			if (n > 0 && out[n - 1] != ' ')
				out[n++] = ' ';
			continue;
		}
		/* RFC 6749 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ) */
		if (*p < 0x21 || *p > 0x7e || *p == '"' || *p == '\\') {
			free(out);
			*cause = xstrdup("the scopes option holds a character no scope can have");
			return NULL;
		}
		out[n++] = (char)*p;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	if (n == 0) {
		free(out);
		*cause = xstrdup("the scopes option is empty");
		return NULL;
	}
	return out;
}

/*
 * The permissions the one scope token TOK (LEN bytes) grants on TYPE. A user/ scope of
 * TYPE or "*": v2 letters in .cruds order (each at most once, in order), or v1 read,
 * write, "*". Anything else (patient/, system/, a query, a letter out of order) grants 0.
 */
static unsigned
oauth_token_grants(const char *tok, size_t len, const char *type)
{
	static const char letters[] = "cruds";
	size_t tlen = strlen(type), at;
	unsigned perms = 0;
	int last = -1;

	if (len < 5 || memcmp(tok, "user/", 5) != 0)
		return 0;
	at = 5;
	if (at < len && tok[at] == '*')
		at++;
	else if (len - at >= tlen && memcmp(tok + at, type, tlen) == 0)
		at += tlen;
	else
		return 0;
	if (at >= len || tok[at] != '.')
		return 0;
	at++;
	if (len - at == 4 && memcmp(tok + at, "read", 4) == 0)
		return OAUTH_PERM_R | OAUTH_PERM_S;
	if (len - at == 5 && memcmp(tok + at, "write", 5) == 0)
		return OAUTH_PERM_C | OAUTH_PERM_U | OAUTH_PERM_D;
	if (len - at == 1 && tok[at] == '*')
		return OAUTH_PERM_ALL;
	if (at == len)
		return 0;
	for (; at < len; at++) {
		const char *p = strchr(letters, tok[at]);
		int i;

		if (tok[at] == '\0' || p == NULL)
			return 0;
		i = (int)(p - letters);
		if (i <= last)
			return 0;
		last = i;
		perms |= 1u << i;
	}
	return perms;
}

unsigned
oauth_scope_missing(const char *granted, const char *type, unsigned perms)
{
	unsigned have = 0;
	const char *p = granted;

	perms &= OAUTH_PERM_ALL;
	if (granted == NULL || !oauth_type_ok(type))
		return perms;
	while (*p != '\0') {
		size_t len;

		p += strspn(p, " ");
		len = strcspn(p, " ");
		if (len > 0)
			have |= oauth_token_grants(p, len, type);
		p += len;
	}
	return perms & ~have;
}
