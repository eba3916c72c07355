/* The one table of config options, and the help text and man page section made from it. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cfg/cfg-private.h"
#include "util/duration.h"
#include "util/roff.h"

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
	[CFG_T_PROXY] = { "proxy",
	    "An http://, https://, socks5:// or socks5h:// URL with a host and an optional "
	    "port, and nothing else: no user name, password, path, query or fragment." },
	[CFG_T_COMMAND] = { "command",
	    "A program and its arguments, split at blanks and run without a shell: "
	    "'...' and \"...\" keep blanks, a backslash keeps the next character; "
	    "nothing is expanded. A program named without a '/' is looked for on PATH." },
	[CFG_T_ID] = { "id", "Printable ASCII without blanks." },
	[CFG_T_SCOPES] = { "scopes",
	    "SMART v2 scopes joined by single blanks, at most 64: patient/, user/ or system/, a "
	    "resource type or *, a dot and permissions from c, r, u, d and s in that order, with "
	    "an optional ?query (user/Patient.rs, patient/Observation.rs?category=laboratory); "
	    "or another scope such as openid, fhirUser or offline_access. Printable ASCII "
	    "without '\"' or '\\'; v1's .read, .write and .* are refused." },
};

/*
 * Every key, once. The parser, --help and the man page's OPTIONS section all read
 * this; test_cfg_man.c fails when the page and the table differ.
 */
const struct cfg_option cfg_options[] = {
	{ .name = "default_profile", .type = CFG_T_NAME, .scope = CFG_GLOBAL,
	  .max = CFG_NAME_MAX, .offset = G(default_profile),
	  .doc = "The profile to use when none is named; needed with several profiles." },
	{ .name = "base_url", .type = CFG_T_URL, .scope = CFG_PROFILE, .flags = CFG_REQUIRED,
	  .max = 2048, .offset = P(base_url),
	  .doc = "The FHIR R4 server's base URL." },
	/* Paths are capped at PATH_MAX less the NUL, after ~ is expanded. */
	{ .name = "ca_file", .type = CFG_T_PATH, .scope = CFG_PROFILE, .flags = CFG_REQUIRED,
	  .max = 4095, .offset = P(ca_file),
	  .doc = "PEM file of the CAs trusted to sign the server's certificate." },
	{ .name = "client_cert", .type = CFG_T_PATH, .scope = CFG_PROFILE, .flags = CFG_REQUIRED,
	  .max = 4095, .offset = P(client_cert),
	  .doc = "PEM client certificate that logs this workstation in." },
	{ .name = "client_key", .type = CFG_T_PATH, .scope = CFG_PROFILE, .flags = CFG_REQUIRED,
	  .max = 4095, .offset = P(client_key),
	  .doc = "PEM private key of client_cert; only its owner may read it." },
	/* libcurl 7.88 reads a CRL by name at each handshake; the file is checked as ca_file is. */
	{ .name = "crl_file", .type = CFG_T_PATH, .scope = CFG_PROFILE,
	  .max = 4095, .offset = P(crl_file),
	  .doc = "PEM revocation lists of the CA; a revoked server certificate is refused." },
	/*
	 * Only this: https_proxy, all_proxy and no_proxy in the environment are ignored,
	 * so that a variable someone set cannot send the clinic's traffic elsewhere.
	 */
	{ .name = "proxy", .type = CFG_T_PROXY, .scope = CFG_PROFILE,
	  .max = 2048, .offset = P(proxy),
	  .doc = "The proxy to the server; the environment's proxy variables are ignored." },
	/* Two or three pins cover a key rollover; sixteen is plenty. */
	{ .name = "pin_sha256", .type = CFG_T_PINS, .scope = CFG_PROFILE,
	  .min = 1, .max = 16, .offset = P(pin_sha256),
	  .doc = "Accept only a server whose public key matches one of these." },
	{ .name = "keymap", .type = CFG_T_KEYMAP, .scope = CFG_PROFILE, .def = "default",
	  .max = 32, .offset = P(keymap),
	  .doc = "Key bindings: default, vi, emacs, or a keymap file." },
	/*
	 * HIPAA automatic logoff: an unattended terminal at a front desk must not show a
	 * chart for long. Seconds are allowed for demonstrations and tests; a clinic should
	 * not go below a few minutes, or people learn to defeat the lock.
	 */
	{ .name = "idle_lock", .type = CFG_T_DURATION, .scope = CFG_PROFILE, .def = "10m",
	  .min = 1, .max = 3600, .offset = P(idle_lock_s),
	  .doc = "Clear and lock the screen after this long without a key press." },
	/* Long enough for a satellite hop with retransmits, short enough to notice a drop. */
	{ .name = "timeout", .type = CFG_T_DURATION, .scope = CFG_PROFILE, .def = "30s",
	  .min = 1, .max = 600, .offset = P(timeout_s),
	  .doc = "Give up on a connect, or a stalled transfer, after this long." },
	/* A minute keeps a waiting room current at one small request when nothing changed. */
	{ .name = "flow_refresh", .type = CFG_T_DURATION, .scope = CFG_PROFILE, .def = "1m",
	  .min = 1, .max = 3600, .offset = P(flow_refresh_s),
	  .doc = "How often the flow board (and a clinician's home) asks what changed." },
	{ .name = "page_size", .type = CFG_T_INTEGER, .scope = CFG_PROFILE, .def = "20",
	  .min = 1, .max = 200, .unit = "entries", .offset = P(page_size),
	  .doc = "How many search results to fetch per page." },
	{ .name = "user_label", .type = CFG_T_STRING, .scope = CFG_PROFILE,
	  .max = 64, .offset = P(user_label),
	  .doc = "Shown on the status line: the clinic or workstation name." },
	/*
	 * A VT220, an xterm started with +u8 or a serial line reads the bytes 0x80-0x9F as
	 * controls, so UTF-8 from the server could act on such a terminal even though every
	 * character of it is printable: "ascii" lets nothing but printable ASCII through.
	 */
	/*
	 * A key without a passphrase opens for whoever copies the file, and then nothing
	 * would prove who unlocks the idle lock: refused unless the profile says otherwise.
	 */
	{ .name = "unencrypted_key", .type = CFG_T_NAME, .scope = CFG_PROFILE, .def = "refuse",
	  .max = 8, .offset = P(unencrypted_key),
	  .choices = (const char *const[]){ "refuse", "allow", NULL },
	  .doc = "allow: a key with no passphrase; the idle lock asks for a lock passphrase." },
	/*
	 * The local trail is as trustworthy as the account that writes it: the clerk it
	 * audits can delete it. The server's copy is one the workstation cannot change.
	 */
	{ .name = "audit_server", .type = CFG_T_NAME, .scope = CFG_PROFILE, .def = "no",
	  .max = 4, .offset = P(audit_server), .choices = (const char *const[]){ "no", "yes", NULL },
	  .doc = "yes: every audit event is also sent to the server as an AuditEvent." },
	{ .name = "charset", .type = CFG_T_NAME, .scope = CFG_PROFILE, .def = "auto",
	  .max = 8, .offset = P(charset), .choices = (const char *const[]){ "auto", "utf-8", "ascii", NULL },
	  .doc = "Terminal text: auto (the locale's), utf-8, or ascii (José shows as Jose)." },
	{ .name = "units", .type = CFG_T_NAME, .scope = CFG_PROFILE, .def = "us",
	  .max = 8, .offset = P(units), .choices = (const char *const[]){ "us", "metric", NULL },
	  .doc = "Vitals: us (lb, ft/in, F) or metric (kg, cm, C), other in brackets." },
	/* Run by a helper started before confinement: see ehrterm(1), SECURITY. */
	{ .name = "print_command", .type = CFG_T_COMMAND, .scope = CFG_PROFILE, .def = "lp",
	  .max = 1024, .offset = P(print_command),
	  .doc = "What prints a CMS-1500: the form's text goes to its standard input." },
	/*
	 * SMART on FHIR (issue 17): the person logs in with the device flow; the token is
	 * bound to the client certificate, which still authenticates the workstation.
	 */
	{ .name = "auth", .type = CFG_T_NAME, .scope = CFG_PROFILE, .def = "mtls",
	  .max = 8, .offset = P(auth), .choices = (const char *const[]){ "mtls", "smart", NULL },
	  .doc = "mtls: the client certificate alone; smart: a person logs in too (SMART)." },
	/* Servers register their own: a UUID at Epic, a name elsewhere; 255 covers them. */
	{ .name = "client_id", .type = CFG_T_ID, .scope = CFG_PROFILE, .def = "ehrterm",
	  .max = 255, .offset = P(client_id),
	  .doc = "With auth = smart: ehrterm's OAuth client id at the server." },
	{ .name = "scopes", .type = CFG_T_SCOPES, .scope = CFG_PROFILE,
	  .max = 2048, .offset = P(scopes),
	  .doc = "With auth = smart: the scopes to ask for, instead of the modules' own." },
	/*
	 * A refresh token in a file is a login for whoever copies it: the keyring, per profile
	 * and user, is the only store, and the key exists so a config says where it is.
	 */
	{ .name = "token_store", .type = CFG_T_NAME, .scope = CFG_PROFILE, .def = "keyring",
	  .max = 8, .offset = P(token_store), .choices = (const char *const[]){ "keyring", NULL },
	  .refuse = "a refresh token is kept in the desktop keyring, never in a file",
	  .doc = "With auth = smart: where the refresh token is kept; only keyring." },
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
	case CFG_T_NAME:
		if (opt->choices != NULL) {
			for (size_t k = 0; opt->choices[k] != NULL && n >= 0 && (size_t)n < size; k++)
				n += snprintf(buf + n, size - n, "%s%s", k ? ", " : "; one of ",
				    opt->choices[k]);
			if (n >= 0 && (size_t)n < size)
				snprintf(buf + n, size - n, ".");
			break;
		}
		/* fall through */
	case CFG_T_STRING:
	case CFG_T_URL:
	case CFG_T_PATH:
	case CFG_T_KEYMAP:
	case CFG_T_PROXY:
	case CFG_T_COMMAND:
	case CFG_T_ID:
	case CFG_T_SCOPES:
		snprintf(buf + n, size - n, "; at most %ld bytes.", opt->max);
		break;
	case CFG_T_COUNT:
		break;
	}
}

void
cfg_print_auth(FILE *out, const struct cfg_profile *p)
{
	fprintf(out, "auth:         %s\n", p->auth);
	if (strcmp(p->auth, "smart") != 0)
		return;
	fprintf(out, "client id:    %s\n", p->client_id);
	fprintf(out, "scopes:       %s\n",
	    p->scopes != NULL ? p->scopes : "the modules' own, asked for as they are opened");
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
	roff_escape(out, text);
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
