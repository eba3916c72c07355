/* Reading the config file: permission checks, the line parser, profiles and their defaults. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg/cfg-private.h"
#include "util/file.h"
#include "util/xmalloc.h"

struct cfg {
	char *name;
	struct cfg_global global;
	unsigned int default_line; /* where default_profile was set */
	struct cfg_profile *profiles;
	size_t nprofiles;
};

struct cfg_parser {
	struct cfg *cfg;
	unsigned int line;
	struct cfg_profile *profile; /* the section being read; NULL before the first */
	unsigned int *seen;          /* per option: the line that set it in this section */
	char **cause;
};

static int cfg_error(struct cfg_parser *p, unsigned int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Set *cause to "NAME:LINE: message" and return -1. */
static int
cfg_error(struct cfg_parser *p, unsigned int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg == NULL)
		msg = xstrdup("out of memory");
	*p->cause = xasprintf("%s:%u: %s", p->cfg->name, line, msg);
	free(msg);
	return -1;
}

static bool
cfg_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Trim LINE in place and return its first non-blank character. */
static char *
cfg_trim(char *line)
{
	size_t n;

	while (cfg_is_space(*line))
		line++;
	n = strlen(line);
	while (n > 0 && cfg_is_space(line[n - 1]))
		line[--n] = '\0';
	return line;
}

/* Check that the section being left has every required key. */
static int
cfg_finish_section(struct cfg_parser *p)
{
	char *missing = NULL, *next;

	if (p->profile == NULL)
		return 0;
	for (size_t i = 0; i < cfg_noptions; i++) {
		const struct cfg_option *opt = &cfg_options[i];

		if (opt->scope != CFG_PROFILE || !(opt->flags & CFG_REQUIRED) || p->seen[i] != 0)
			continue;
		next = missing ? xasprintf("%s, %s", missing, opt->name) : xstrdup(opt->name);
		free(missing);
		missing = next;
	}
	if (missing == NULL)
		return 0;
	cfg_error(p, p->profile->line, "profile '%s' is missing %s", p->profile->name, missing);
	free(missing);
	return -1;
}

/* Fill BASE with the defaults of the options of SCOPE. */
static int
cfg_set_defaults(struct cfg_parser *p, enum cfg_scope scope, void *base)
{
	char *why = NULL;

	for (size_t i = 0; i < cfg_noptions; i++) {
		const struct cfg_option *opt = &cfg_options[i];

		if (opt->scope != scope || opt->def == NULL)
			continue;
		if (cfg_value_set(opt, opt->def, base, &why) != 0) {
			/* A bad table entry; the unit tests check every default. */
			cfg_error(p, p->line, "the built-in default is wrong: %s", why);
			free(why);
			return -1;
		}
	}
	return 0;
}

/* A "[profile NAME]" line; LINE is trimmed and starts with '['. */
static int
cfg_parse_section(struct cfg_parser *p, char *line)
{
	struct cfg *cfg = p->cfg;
	struct cfg_profile *profile;
	char *close = strchr(line, ']'), *kind, *name, *q;
	size_t n;

	/* Report the section being left first: its line comes before this one. */
	if (cfg_finish_section(p) != 0)
		return -1;
	if (close == NULL)
		return cfg_error(p, p->line, "section header has no closing ']'");
	if (close[1] != '\0')
		return cfg_error(p, p->line, "text after ']' in a section header");
	*close = '\0';
	kind = cfg_trim(line + 1);
	n = strcspn(kind, " \t");
	name = cfg_trim(kind + n);
	kind[n] = '\0';
	if (strcmp(kind, "profile") != 0) {
		q = cfg_quote(kind);
		cfg_error(
		    p, p->line, "unknown section kind '%s'; only [profile NAME] sections exist", q);
		free(q);
		return -1;
	}
	if (*name == '\0')
		return cfg_error(p, p->line, "[profile] needs a name: [profile NAME]");
	if (!cfg_profile_name_ok(name)) {
		q = cfg_quote(name);
		cfg_error(p, p->line,
		    "profile name '%s' may have only letters, digits, '.', '_' and '-', "
		    "at most %d",
		    q, CFG_NAME_MAX);
		free(q);
		return -1;
	}
	for (size_t i = 0; i < cfg->nprofiles; i++)
		if (strcmp(cfg->profiles[i].name, name) == 0)
			return cfg_error(p, p->line, "profile '%s' is already defined on line %u",
			    name, cfg->profiles[i].line);
	if (cfg->nprofiles == CFG_PROFILES_MAX)
		return cfg_error(p, p->line, "more than %d profiles", CFG_PROFILES_MAX);

	cfg->profiles = xreallocarray(cfg->profiles, cfg->nprofiles + 1, sizeof *cfg->profiles);
	profile = &cfg->profiles[cfg->nprofiles++];
	memset(profile, 0, sizeof *profile);
	profile->name = xstrdup(name);
	profile->line = p->line;
	p->profile = profile;
	memset(p->seen, 0, cfg_noptions * sizeof *p->seen);
	return cfg_set_defaults(p, CFG_PROFILE, profile);
}

/* Undo the double quotes around VALUE in place; \" and \\ are the only escapes. */
static int
cfg_unquote(struct cfg_parser *p, const struct cfg_option *opt, char *value)
{
	char *r = value + 1, *w = value;

	while (*r != '"') {
		if (*r == '\0')
			return cfg_error(
			    p, p->line, "the value of %s has no closing quote", opt->name);
		if (*r == '\\') {
			r++;
			if (*r != '"' && *r != '\\')
				return cfg_error(p, p->line,
				    "in the value of %s a backslash may only come before \" or \\",
				    opt->name);
		}
		*w++ = *r++;
	}
	if (r[1] != '\0')
		return cfg_error(p, p->line, "text after the closing quote of %s", opt->name);
	*w = '\0';
	return 0;
}

/* A "key = value" line; LINE is trimmed and not blank. */
static int
cfg_parse_key(struct cfg_parser *p, char *line)
{
	const struct cfg_option *opt;
	char *eq = strchr(line, '='), *key, *value, *q, *why = NULL;
	size_t i;

	if (eq == NULL)
		return cfg_error(
		    p, p->line, "expected 'key = value', a [profile NAME] header or a comment");
	*eq = '\0';
	key = cfg_trim(line);
	value = cfg_trim(eq + 1);
	if (*key == '\0')
		return cfg_error(p, p->line, "a line starts with '='; it needs a key before it");
	opt = cfg_option_find(key);
	if (opt == NULL) {
		q = cfg_quote(key);
		cfg_error(p, p->line, "unknown key '%s'", q);
		free(q);
		return -1;
	}
	if (opt->scope == CFG_PROFILE && p->profile == NULL)
		return cfg_error(p, p->line, "%s belongs in a [profile NAME] section", opt->name);
	if (opt->scope == CFG_GLOBAL && p->profile != NULL)
		return cfg_error(p, p->line,
		    "%s is a global key; put it before the first [profile NAME] section",
		    opt->name);
	i = (size_t)(opt - cfg_options);
	if (p->seen[i] != 0)
		return cfg_error(p, p->line, "%s is already set on line %u", opt->name, p->seen[i]);
	if (*value == '"' && cfg_unquote(p, opt, value) != 0)
		return -1;
	if (cfg_value_set(
	        opt, value, p->profile ? (void *)p->profile : (void *)&p->cfg->global, &why) != 0) {
		cfg_error(p, p->line, "%s", why);
		free(why);
		return -1;
	}
	p->seen[i] = p->line;
	if (opt->scope == CFG_GLOBAL && strcmp(opt->name, "default_profile") == 0)
		p->cfg->default_line = p->line;
	return 0;
}

static int
cfg_parse_line(struct cfg_parser *p, char *line)
{
	line = cfg_trim(line);
	for (const char *c = line; *c != '\0'; c++)
		if (((unsigned char)*c < 0x20 && *c != '\t') || *c == 0x7f)
			return cfg_error(
			    p, p->line, "control character 0x%02x in the line", (unsigned char)*c);
	if (*line == '\0' || *line == '#' || *line == ';')
		return 0;
	if (*line == '[')
		return cfg_parse_section(p, line);
	return cfg_parse_key(p, line);
}

struct cfg *
cfg_parse(const char *text, size_t len, const char *name, char **cause)
{
	struct cfg *cfg = xcalloc(1, sizeof *cfg);
	struct cfg_parser p = {.cfg = cfg, .cause = cause};
	char *buf = xmalloc(CFG_LINE_MAX + 1);
	size_t pos = 0, n;
	const char *nl;

	cfg->name = xstrdup(name != NULL ? name : "config");
	p.seen = xcalloc(cfg_noptions, sizeof *p.seen);
	if (text == NULL && len != 0) {
		*cause = xasprintf("%s: no text to parse", cfg->name);
		goto fail;
	}
	if (len > CFG_FILE_MAX) {
		*cause = xasprintf("%s is larger than %d bytes", cfg->name, CFG_FILE_MAX);
		goto fail;
	}
	if (cfg_set_defaults(&p, CFG_GLOBAL, &cfg->global) != 0)
		goto fail;
	/* Windows editors start UTF-8 files with a byte order mark; it is not text. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len) {
		p.line++;
		nl = memchr(text + pos, '\n', len - pos);
		n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		if (n > CFG_LINE_MAX) {
			cfg_error(&p, p.line, "the line is longer than %d bytes", CFG_LINE_MAX);
			goto fail;
		}
		if (memchr(text + pos, '\0', n) != NULL) {
			cfg_error(&p, p.line, "the line contains a NUL byte");
			goto fail;
		}
		memcpy(buf, text + pos, n);
		buf[n] = '\0';
		if (cfg_parse_line(&p, buf) != 0)
			goto fail;
		pos += n + (nl != NULL);
	}
	if (cfg_finish_section(&p) != 0)
		goto fail;
	if (cfg->global.default_profile != NULL) {
		size_t i;

		for (i = 0; i < cfg->nprofiles; i++)
			if (strcmp(cfg->profiles[i].name, cfg->global.default_profile) == 0)
				break;
		if (i == cfg->nprofiles) {
			cfg_error(&p, cfg->default_line,
			    "default_profile '%s' names no [profile] section",
			    cfg->global.default_profile);
			goto fail;
		}
	}
	free(buf);
	free(p.seen);
	return cfg;

fail:
	free(buf);
	free(p.seen);
	cfg_free(&cfg);
	return NULL;
}

void
cfg_free(struct cfg **cfgp)
{
	struct cfg *cfg;

	if (cfgp == NULL || *cfgp == NULL)
		return;
	cfg = *cfgp;
	for (size_t i = 0; i < cfg->nprofiles; i++) {
		for (size_t j = 0; j < cfg_noptions; j++)
			if (cfg_options[j].scope == CFG_PROFILE)
				cfg_value_free(&cfg_options[j], &cfg->profiles[i]);
		free((char *)cfg->profiles[i].name);
	}
	for (size_t j = 0; j < cfg_noptions; j++)
		if (cfg_options[j].scope == CFG_GLOBAL)
			cfg_value_free(&cfg_options[j], &cfg->global);
	free(cfg->profiles);
	free(cfg->name);
	free(cfg);
	*cfgp = NULL;
}

const char *
cfg_name(const struct cfg *cfg)
{
	return cfg->name;
}

size_t
cfg_profile_count(const struct cfg *cfg)
{
	return cfg != NULL ? cfg->nprofiles : 0;
}

const struct cfg_profile *
cfg_profile_at(const struct cfg *cfg, size_t i)
{
	return cfg != NULL && i < cfg->nprofiles ? &cfg->profiles[i] : NULL;
}

const struct cfg_profile *
cfg_profile(const struct cfg *cfg, const char *name, char **cause)
{
	char *list = NULL, *next, *q;

	if (cfg == NULL) {
		*cause = xstrdup("no configuration was read");
		return NULL;
	}
	if (name == NULL)
		name = cfg->global.default_profile;
	if (name == NULL) {
		if (cfg->nprofiles == 1)
			return &cfg->profiles[0];
		if (cfg->nprofiles == 0)
			*cause = xasprintf(
			    "%s defines no profile; add a [profile NAME] section", cfg->name);
		else
			*cause = xasprintf("%s defines %zu profiles; name one, or set "
			                   "default_profile",
			    cfg->name, cfg->nprofiles);
		return NULL;
	}
	for (size_t i = 0; i < cfg->nprofiles; i++)
		if (strcmp(cfg->profiles[i].name, name) == 0)
			return &cfg->profiles[i];
	for (size_t i = 0; i < cfg->nprofiles; i++) {
		next =
		    xasprintf("%s%s%s", list ? list : "", list ? ", " : "", cfg->profiles[i].name);
		free(list);
		list = next;
	}
	q = cfg_quote(name);
	*cause =
	    xasprintf("%s has no profile '%s' (it has: %s)", cfg->name, q, list ? list : "none");
	free(q);
	free(list);
	return NULL;
}

char *
cfg_default_path(char **cause)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	/* The XDG base directory spec says to ignore a relative XDG_CONFIG_HOME. */
	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/ehrterm/config", xdg);
	if (home != NULL && home[0] == '/')
		return xasprintf("%s/.config/ehrterm/config", home);
	*cause = xstrdup("neither XDG_CONFIG_HOME nor HOME is an absolute path; name the "
	                 "config file with -c FILE");
	return NULL;
}

// clang-format off
/* Whoever can change the config can send the clinic's traffic elsewhere. */
static const struct file_policy cfg_policy_config = {
	.what = "config file", .flags = FILE_ROOT_OK | FILE_LINK_OK,
	.missing = "; create it as ehrterm.conf(5) describes", .chmod = "600",
};
const struct file_policy cfg_policy_key = {
	.what = "key file", .flags = FILE_SECRET | FILE_LINK_OK, .chmod = "600",
};
/* Not secret, but whoever can change the CA or the certificate can stand in for the server. */
const struct file_policy cfg_policy_ca = {
	.what = "ca_file", .flags = FILE_ROOT_OK | FILE_LINK_OK, .chmod = "go-w",
};
const struct file_policy cfg_policy_cert = {
	.what = "client_cert", .flags = FILE_ROOT_OK | FILE_LINK_OK, .chmod = "go-w",
};
/* Whoever can change the revocation list can un-revoke a certificate. */
const struct file_policy cfg_policy_crl = {
	.what = "crl_file", .flags = FILE_ROOT_OK | FILE_LINK_OK, .chmod = "go-w",
};
// clang-format on

int
cfg_check_key_file(const char *path, char **cause)
{
	int fd = file_open(path, &cfg_policy_key, cause);

	if (fd == -1)
		return -1;
	close(fd);
	return 0;
}

int
cfg_check_tls_files(const struct cfg_profile *p, char **cause)
{
	// clang-format off
	const struct {
		const char *path;
		const struct file_policy *policy;
	} files[] = {
		{ p->ca_file, &cfg_policy_ca },
		{ p->client_cert, &cfg_policy_cert },
		{ p->client_key, &cfg_policy_key },
		{ p->crl_file, &cfg_policy_crl },
	};
	// clang-format on
	int fd;

	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		if (files[i].path == NULL)
			continue; /* crl_file is optional; cfg requires the others */
		if ((fd = file_open(files[i].path, files[i].policy, cause)) == -1)
			return -1;
		close(fd);
	}
	return 0;
}

struct cfg *
cfg_load(const char *path, char **cause)
{
	struct cfg *cfg;
	char *owned = NULL, *buf;
	size_t len;

	if (path == NULL && (path = owned = cfg_default_path(cause)) == NULL)
		return NULL;
	if (file_read(path, &cfg_policy_config, CFG_FILE_MAX, &buf, &len, cause) != 0) {
		free(owned);
		return NULL;
	}
	/* cfg_parse refuses more than CFG_FILE_MAX bytes, so the extra byte shows. */
	cfg = cfg_parse(buf, len, path, cause);
	free(buf);
	free(owned);
	return cfg;
}

int
cfg_command_split(const char *command, char ***argvp, char **cause)
{
	size_t len = strlen(command), n = 0;
	char **argv = xcalloc(CFG_COMMAND_ARGS + 1, sizeof *argv);
	const char *p = command;

	*argvp = NULL;
	while (*p != '\0') {
		char *word, *w;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		if (n == CFG_COMMAND_ARGS) {
			*cause = xasprintf("more than %d words", CFG_COMMAND_ARGS);
			goto fail;
		}
		/* A word is never longer than the whole command. */
		w = word = xmalloc(len + 1);
		argv[n++] = word;
		while (*p != '\0' && *p != ' ' && *p != '\t') {
			unsigned char c = (unsigned char)*p;

			if (c < 0x20 || c == 0x7F) {
				*cause = xstrdup("a control character");
				goto fail;
			}
			if (c == '\'') {
				const char *end = strchr(p + 1, '\'');

				if (end == NULL) {
					*cause = xstrdup("a ' is not closed");
					goto fail;
				}
				memcpy(w, p + 1, (size_t)(end - p - 1));
				w += end - p - 1;
				p = end + 1;
			} else if (c == '"') {
				for (p++; *p != '"'; p++) {
					if (*p == '\0') {
						*cause = xstrdup("a \" is not closed");
						goto fail;
					}
					if (*p == '\\' && (p[1] == '"' || p[1] == '\\' || p[1] == '$'))
						p++;
					*w++ = *p;
				}
				p++;
			} else if (c == '\\') {
				if (p[1] == '\0') {
					*cause = xstrdup("a \\ ends it");
					goto fail;
				}
				*w++ = p[1];
				p += 2;
			} else {
				*w++ = *p++;
			}
		}
		*w = '\0';
	}
	if (n == 0) {
		*cause = xstrdup("no program is named");
		goto fail;
	}
	*argvp = argv;
	return 0;
fail:
	cfg_command_free(argv);
	return -1;
}

void
cfg_command_free(char **argv)
{
	for (size_t i = 0; argv != NULL && argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}
