/* The one table of config options, and the help text and man page section made from it. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cfg/cfg-private.h"
#include "util/duration.h"

#define G(field) offsetof(struct cfg_global, field)
#define P(field) offsetof(struct cfg_profile, field)

// clang-format off
const struct cfg_type_info cfg_types[CFG_T_COUNT] = {
	[CFG_T_STRING] = { "text", "UTF-8 text without control characters." },
	[CFG_T_NAME] = { "name", "Letters, digits, '.', '_' and '-'." },
	[CFG_T_URL] = { "url",
	    "An https:// URL with a host, an optional port and path, and no user name, "
	    "password, query or fragment; any other scheme is refused." },
	[CFG_T_PATH] = { "path",
	    "An absolute file name, or one starting with ~/ for the home directory." },
	[CFG_T_DURATION] = { "duration",
	    "A number with units h, m and s, largest first: 90s, 10m, 1h30m; "
	    "a bare number is seconds." },
	[CFG_T_INTEGER] = { "number", "A whole decimal number." },
	[CFG_T_PINS] = { "pins",
	    "One or more public key pins joined by ';', each sha256// followed by the "
	    "base64 SHA-256 hash of the server's public key, as curl's --pinnedpubkey takes them." },
	[CFG_T_KEYMAP] = { "keymap",
	    "The name of a built-in keymap (lower-case letters, digits, '_' and '-'), "
	    "or the path of a keymap file." },
};

const struct cfg_option cfg_options[] = {
	{ "default_profile", CFG_T_NAME, CFG_GLOBAL, 0, NULL, 0, CFG_NAME_MAX, NULL, G(default_profile),
	    "The profile to use when none is named; needed with several profiles." },
	{ "base_url", CFG_T_URL, CFG_PROFILE, CFG_REQUIRED, NULL, 0, 2048, NULL, P(base_url),
	    "The FHIR R4 server's base URL." },
	{ "ca_file", CFG_T_PATH, CFG_PROFILE, CFG_REQUIRED, NULL, 0, 4095, NULL, P(ca_file),
	    "PEM file of the CAs trusted to sign the server's certificate." },
	{ "client_cert", CFG_T_PATH, CFG_PROFILE, CFG_REQUIRED, NULL, 0, 4095, NULL,
	    P(client_cert), "PEM client certificate that logs this workstation in." },
	{ "client_key", CFG_T_PATH, CFG_PROFILE, CFG_REQUIRED, NULL, 0, 4095, NULL,
	    P(client_key),
	    "PEM private key of client_cert; only its owner may read it." },
	{ "pin_sha256", CFG_T_PINS, CFG_PROFILE, 0, NULL, 1, 16, NULL, P(pin_sha256),
	    "Accept only a server whose public key matches one of these." },
	{ "keymap", CFG_T_KEYMAP, CFG_PROFILE, 0, "default", 0, 32, NULL, P(keymap),
	    "Key bindings: default, vi, emacs, or a keymap file." },
	{ "idle_lock", CFG_T_DURATION, CFG_PROFILE, 0, "10m", 30, 3600, NULL, P(idle_lock_s),
	    "Clear and lock the screen after this long without a key press." },
	{ "timeout", CFG_T_DURATION, CFG_PROFILE, 0, "30s", 1, 600, NULL, P(timeout_s),
	    "Give up on a connect, or a stalled transfer, after this long." },
	{ "page_size", CFG_T_INTEGER, CFG_PROFILE, 0, "20", 1, 200, "entries", P(page_size),
	    "How many search results to fetch per page." },
	{ "user_label", CFG_T_STRING, CFG_PROFILE, 0, NULL, 0, 64, NULL, P(user_label),
	    "Shown on the status line: the clinic or workstation name." },
};
// clang-format on

const size_t cfg_noptions = sizeof cfg_options / sizeof cfg_options[0];

const struct cfg_option *
cfg_option_find(const char *name)
{
	for (size_t i = 0; i < cfg_noptions; i++)
		if (strcmp(cfg_options[i].name, name) == 0)
			return &cfg_options[i];
	return NULL;
}

void
cfg_option_limits(const struct cfg_option *opt, char *buf, size_t size)
{
	char lo[32], hi[32];
	int n = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	if (opt->flags & CFG_REQUIRED)
		n = snprintf(buf, size, "Required");
	else if (opt->def != NULL)
		n = snprintf(buf, size, "Default: %s", opt->def);
	else
		n = snprintf(buf, size, "Optional");
	if (n < 0 || (size_t)n >= size)
		return;
	switch (opt->type) {
	case CFG_T_DURATION:
		duration_format(opt->min, lo, sizeof lo);
		duration_format(opt->max, hi, sizeof hi);
		snprintf(buf + n, size - n, "; from %s to %s.", lo, hi);
		break;
	case CFG_T_INTEGER:
		snprintf(buf + n, size - n, "; from %ld to %ld%s%s.", opt->min, opt->max,
		    opt->unit ? " " : "", opt->unit ? opt->unit : "");
		break;
	case CFG_T_PINS:
		snprintf(buf + n, size - n, "; at most %ld pins.", opt->max);
		break;
	case CFG_T_STRING:
	case CFG_T_NAME:
	case CFG_T_URL:
	case CFG_T_PATH:
	case CFG_T_KEYMAP:
		snprintf(buf + n, size - n, "; at most %ld bytes.", opt->max);
		break;
	case CFG_T_COUNT:
		break;
	}
}

void
cfg_print_help(FILE *out)
{
	static const char *const scopes[] = {
	    "Global keys, before any section:", "Keys of each [profile NAME] section:"};
	char limits[128], lhs[64];

	fprintf(out, "Configuration file (see ehrterm.conf(5)):\n");
	for (int scope = CFG_GLOBAL; scope <= CFG_PROFILE; scope++) {
		fprintf(out, "%s\n", scopes[scope]);
		for (size_t i = 0; i < cfg_noptions; i++) {
			const struct cfg_option *opt = &cfg_options[i];

			if ((int)opt->scope != scope)
				continue;
			snprintf(lhs, sizeof lhs, "%s = %s", opt->name, cfg_types[opt->type].name);
			cfg_option_limits(opt, limits, sizeof limits);
			fprintf(out, "  %-24s %s\n      %s\n", lhs, limits, opt->doc);
		}
	}
}

/* Write TEXT as roff body text: backslashes and hyphens escaped, no control line. */
static void
cfg_roff(FILE *out, const char *text)
{
	if (*text == '.' || *text == '\'')
		fputs("\\&", out);
	for (const char *p = text; *p != '\0'; p++) {
		if (*p == '\\')
			fputs("\\e", out);
		else if (*p == '-')
			fputs("\\-", out);
		else
			fputc(*p, out);
	}
}

void
cfg_print_man(FILE *out)
{
	static const char *const scopes[] = {"Global keys", "Profile keys"};
	char limits[128];

	fputs(".SH OPTIONS\n"
	      ".\\\" Made by cfg_print_man() from src/cfg/cfg-table.c; tests/unit/test_cfg_man.c\n"
	      ".\\\" fails when this section and the table differ.\n"
	      ".SS \"Value types\"\n",
	    out);
	for (int t = 0; t < CFG_T_COUNT; t++) {
		fprintf(out, ".TP\n.I %s\n", cfg_types[t].name);
		cfg_roff(out, cfg_types[t].doc);
		fputc('\n', out);
	}
	for (int scope = CFG_GLOBAL; scope <= CFG_PROFILE; scope++) {
		fprintf(out, ".SS \"%s\"\n", scopes[scope]);
		for (size_t i = 0; i < cfg_noptions; i++) {
			const struct cfg_option *opt = &cfg_options[i];

			if ((int)opt->scope != scope)
				continue;
			fputs(".TP\n.BI \"", out);
			cfg_roff(out, opt->name);
			fprintf(out, " = \" %s\n", cfg_types[opt->type].name);
			cfg_roff(out, opt->doc);
			cfg_option_limits(opt, limits, sizeof limits);
			fputc('\n', out);
			cfg_roff(out, limits);
			fputc('\n', out);
		}
	}
}
