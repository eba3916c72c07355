/* Unit tests for the config parser: refusals with file:line, the value types, profile choice. */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg/cfg-private.h"
#include "cfg/cfg.h"

/* The required keys, so a case can make a valid profile and add one line of its own. */
#define REQ                                                                                        \
	"base_url = https://ehr.example\n"                                                         \
	"ca_file = /ca.pem\n"                                                                      \
	"client_cert = /cert.pem\n"                                                                \
	"client_key = /key.pem\n"
/* A valid profile on lines 1 to 5; a case's own line is line 6. */
#define P "[profile a]\n" REQ

#define PIN_A "sha256//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMwE="
#define PIN_0 "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

static struct cfg *
parse(const char *text, char **cause)
{
	*cause = NULL;
	return cfg_parse(text, strlen(text), "t", cause);
}

static void
set_home(void)
{
	setenv("HOME", "/home/tester", 1);
}

/* --- NULL and empty first ------------------------------------------------------------ */

Test(cfg, null_and_empty)
{
	struct cfg *cfg, *none = NULL;
	char *cause = NULL;

	cfg = cfg_parse(NULL, 0, NULL, &cause);
	cr_assert_not_null(cfg, "%s", cause ? cause : "");
	cr_assert_str_eq(cfg_name(cfg), "config");
	cr_assert_eq(cfg_profile_count(cfg), 0);
	cr_assert_null(cfg_profile_at(cfg, 0));
	cr_assert_null(cfg_profile(cfg, NULL, &cause));
	cr_assert_str_eq(cause, "config defines no profile; add a [profile NAME] section");
	free(cause);
	cfg_free(&cfg);
	cr_assert_null(cfg, "cfg_free clears the caller's pointer");
	cfg_free(&cfg);
	cfg_free(&none);
	cfg_free(NULL);

	cause = NULL;
	cr_assert_null(cfg_parse(NULL, 3, "t", &cause));
	cr_assert_str_eq(cause, "t: no text to parse");
	free(cause);

	cr_assert_eq(cfg_profile_count(NULL), 0);
	cr_assert_null(cfg_profile_at(NULL, 0));
	cause = NULL;
	cr_assert_null(cfg_profile(NULL, "a", &cause));
	cr_assert_not_null(cause);
	free(cause);

	cause = NULL;
	cr_assert_eq(cfg_check_key_file(NULL, &cause), -1);
	cr_assert_not_null(cause);
	free(cause);
	cause = NULL;
	cr_assert_eq(cfg_check_key_file("", &cause), -1);
	cr_assert_not_null(cause);
	free(cause);
}

Test(cfg, blank_and_comment_only)
{
	char *cause;
	struct cfg *cfg = parse("\n   \n\t\n# a comment\n  ; another\n#\n;\r\n", &cause);

	cr_assert_not_null(cfg, "%s", cause);
	cr_assert_eq(cfg_profile_count(cfg), 0);
	cfg_free(&cfg);
}

Test(cfg, byte_order_mark_is_skipped_only_at_the_start)
{
	char *cause;
	struct cfg *cfg = parse("\xef\xbb\xbf# from a Windows editor\r\n" P, &cause);

	cr_assert_not_null(cfg, "%s", cause);
	cr_assert_eq(cfg_profile_at(cfg, 0)->line, 2);
	cfg_free(&cfg);
	cr_assert_null(parse("# one\n\xef\xbb\xbf# two\n", &cause));
	cr_assert_str_eq(
	    cause, "t:2: expected 'key = value', a [profile NAME] header or a comment");
	free(cause);
}

/* --- a valid file, and the defaults ---------------------------------------------------- */

Test(cfg, minimal_profile_gets_defaults)
{
	char *cause;
	struct cfg *cfg = parse(P, &cause);
	const struct cfg_profile *p;

	cr_assert_not_null(cfg, "%s", cause);
	p = cfg_profile(cfg, NULL, &cause);
	cr_assert_not_null(p, "%s", cause);
	cr_assert_str_eq(p->name, "a");
	cr_assert_eq(p->line, 1);
	cr_assert_str_eq(p->base_url, "https://ehr.example");
	cr_assert_str_eq(p->ca_file, "/ca.pem");
	cr_assert_str_eq(p->client_cert, "/cert.pem");
	cr_assert_str_eq(p->client_key, "/key.pem");
	cr_assert_null(p->pin_sha256);
	cr_assert_str_eq(p->keymap.name, "default");
	cr_assert_null(p->keymap.path);
	cr_assert_eq(p->idle_lock_s, 600, "idle_lock defaults to 10m");
	cr_assert_eq(p->timeout_s, 30, "timeout defaults to 30s");
	cr_assert_eq(p->flow_refresh_s, 60, "flow_refresh defaults to 1m");
	cr_assert_eq(p->page_size, 20);
	cr_assert_null(p->user_label);
	cr_assert_str_eq(p->auth, "mtls", "the certificate alone unless the profile says smart");
	cr_assert_str_eq(p->client_id, "ehrterm");
	cr_assert_null(p->scopes, "the modules' own scopes unless the profile names some");
	cr_assert_str_eq(p->token_store, "keyring");
	cfg_free(&cfg);
}

Test(cfg, every_key_and_the_syntax_around_it, .init = set_home)
{
	static const char text[] = "# clinic workstations\r\n"
	                           "  default_profile=clinic  \r\n"
	                           "\n"
	                           "[profile sandbox]\n" REQ "\n"
	                           "\t[ profile\tclinic ]\t\n"
	                           "base_url\t=\t\"https://ehr.clinic.example:8443/fhir/R4/\"\n"
	                           "ca_file = ~/ca.pem\n"
	                           "client_cert = ~/c.pem\n"
	                           "client_key=~/k.pem\n"
	                           "pin_sha256 = " PIN_A ";" PIN_0 "\n"
	                           "keymap = ~/keys/vi.map\n"
	                           "idle_lock = 5m\n"
	                           "timeout = 1m30s\n"
	                           "page_size = 50\n"
	                           "user_label = \" Dr \\\"Ann\\\" \\\\ Müller \"\n"
	                           "; trailing comment, no newline at the end";
	char *cause;
	struct cfg *cfg = parse(text, &cause);
	const struct cfg_profile *p;

	cr_assert_not_null(cfg, "%s", cause);
	cr_assert_eq(cfg_profile_count(cfg), 2);
	cr_assert_str_eq(cfg_profile_at(cfg, 0)->name, "sandbox");
	cr_assert_eq(cfg_profile_at(cfg, 0)->line, 4);
	p = cfg_profile(cfg, NULL, &cause);
	cr_assert_not_null(p, "%s", cause);
	cr_assert_eq(p, cfg_profile_at(cfg, 1));
	cr_assert_str_eq(p->name, "clinic");
	cr_assert_eq(p->line, 10);
	cr_assert_str_eq(p->base_url, "https://ehr.clinic.example:8443/fhir/R4");
	cr_assert_str_eq(p->ca_file, "/home/tester/ca.pem");
	cr_assert_str_eq(p->client_cert, "/home/tester/c.pem");
	cr_assert_str_eq(p->client_key, "/home/tester/k.pem");
	cr_assert_str_eq(p->pin_sha256, PIN_A ";" PIN_0);
	cr_assert_null(p->keymap.name);
	cr_assert_str_eq(p->keymap.path, "/home/tester/keys/vi.map");
	cr_assert_eq(p->idle_lock_s, 300);
	cr_assert_eq(p->timeout_s, 90);
	cr_assert_eq(p->page_size, 50);
	cr_assert_str_eq(p->user_label, " Dr \"Ann\" \\ Müller ");
	cfg_free(&cfg);
}

/* --- how a profile logs in, as ehrterm --check reports it ------------------------------ */

static char *
print_auth(const struct cfg_profile *p)
{
	char *text = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&text, &size);

	cfg_print_auth(mem, p);
	fclose(mem);
	return text;
}

Test(cfg, check_reports_how_a_profile_logs_in)
{
	static const char text[] = "[profile cert]\n" REQ "\n"
	                           "[profile smart]\n" REQ "auth = smart\n"
	                           "\n"
	                           "[profile scoped]\n" REQ "auth = smart\n"
	                           "client_id = 0oa1b2c3\n"
	                           "scopes = openid fhirUser user/Patient.rs\n"
	                           "\n"
	                           "[profile certonly]\n" REQ "client_id = unused\n";
	char *cause, *out;
	struct cfg *cfg = parse(text, &cause);

	cr_assert_not_null(cfg, "%s", cause);
	out = print_auth(cfg_profile(cfg, "cert", &cause));
	cr_assert_str_eq(out, "auth:         mtls\n");
	free(out);
	out = print_auth(cfg_profile(cfg, "smart", &cause));
	cr_assert_str_eq(out, "auth:         smart\n"
	                      "client id:    ehrterm\n"
	                      "scopes:       the modules' own, asked for as they are opened\n");
	free(out);
	out = print_auth(cfg_profile(cfg, "scoped", &cause));
	cr_assert_str_eq(out, "auth:         smart\n"
	                      "client id:    0oa1b2c3\n"
	                      "scopes:       openid fhirUser user/Patient.rs\n");
	free(out);
	/* SMART's keys say nothing on a profile that logs in with the certificate alone. */
	out = print_auth(cfg_profile(cfg, "certonly", &cause));
	cr_assert_str_eq(out, "auth:         mtls\n");
	free(out);
	cfg_free(&cfg);
}

/* --- refusals, each with its file:line ------------------------------------------------ */

/* Criterion runs each case in a fresh process: cases hold their text inline. */
struct refusal {
	char text[400];
	char where[12]; /* the exact "t:LINE: " prefix */
	char says[96];  /* a part of the reason */
};

ParameterizedTestParameters(cfg, refused)
{
	// clang-format off
	static struct refusal cases[] = {
		{ P "colour = red\n", "t:6: ", "unknown key 'colour'" },
		{ "colour = red\n", "t:1: ", "unknown key 'colour'" },
		{ P "Base_URL = https://h\n", "t:6: ", "unknown key 'Base_URL'" },
		{ P "k\xff\x1b = 1\n", "t:6: ", "control character 0x1b" },
		{ P "k\xff = 1\n", "t:6: ", "unknown key 'k\\xff'" },
		{ "base_url = https://h\n" P, "t:1: ", "base_url belongs in a [profile NAME] section" },
		{ "idle_lock = 5m\n" P, "t:1: ", "idle_lock belongs in a [profile NAME] section" },
		{ P "default_profile = a\n", "t:6: ", "default_profile is a global key" },
		{ P "timeout = 5s\ntimeout = 6s\n", "t:7: ", "timeout is already set on line 6" },
		{ "[profile a]\nbase_url = https://h\n" REQ, "t:3: ",
		  "base_url is already set on line 2" },
		{ "default_profile = a\ndefault_profile = a\n" P, "t:2: ",
		  "default_profile is already set on line 1" },
		{ P P, "t:6: ", "profile 'a' is already defined on line 1" },
		{ P "[server b]\n", "t:6: ", "unknown section kind 'server'" },
		{ "[b]\n", "t:1: ", "unknown section kind 'b'" },
		{ "[Profile b]\n", "t:1: ", "unknown section kind 'Profile'" },
		{ "[]\n", "t:1: ", "unknown section kind ''" },
		{ "[profile]\n", "t:1: ", "[profile] needs a name" },
		{ "[profile a b]\n", "t:1: ", "profile name 'a b'" },
		{ "[profile a/b]\n", "t:1: ", "profile name 'a/b'" },
		{ "[profile a\n", "t:1: ", "no closing ']'" },
		{ "[profile a] # note\n", "t:1: ", "text after ']'" },
		{ P "base_url\n", "t:6: ", "expected 'key = value'" },
		{ "= x\n", "t:1: ", "needs a key" },
		{ "[profile a]\nbase_url = https://h\n", "t:1: ",
		  "profile 'a' is missing ca_file, client_cert, client_key" },
		{ "[profile a]\n[profile b]\n" REQ, "t:1: ", "profile 'a' is missing base_url" },
		{ "[profile a]\n", "t:1: ", "profile 'a' is missing base_url" },
		{ "default_profile = b\n" P, "t:1: ", "default_profile 'b' names no [profile] section" },
		{ "\n\ndefault_profile = b\n", "t:3: ", "default_profile 'b' names no [profile]" },
		{ "default_profile = a b\n" P, "t:1: ", "default_profile 'a b' is not a profile name" },
		{ P "user_label = a\x1b[31mred\n", "t:6: ", "control character 0x1b" },
		{ P "user_label = a\rb\n", "t:6: ", "control character 0x0d" },
		{ P "user_label = a\x7f\n", "t:6: ", "control character 0x7f" },
		{ P "user_label = \"a\tb\"\n", "t:6: ", "user_label contains a control character" },
		{ P "timeout =\n", "t:6: ", "timeout has no value" },
		{ P "user_label = \"\"\n", "t:6: ", "user_label has no value" },
		{ P "user_label = \"abc\n", "t:6: ", "the value of user_label has no closing quote" },
		{ P "user_label = \"abc\\\"\n", "t:6: ", "has no closing quote" },
		{ P "user_label = \"a\\nb\"\n", "t:6: ", "a backslash may only come before" },
		{ P "user_label = \"a\" b\n", "t:6: ", "text after the closing quote of user_label" },
		{ P "idle_lock = 2h\n", "t:6: ", "idle_lock must be from 1s to 1h" },
		{ P "auth = smart\nauth = mtls\n", "t:7: ", "auth is already set on line 6" },
		{ "auth = smart\n" P, "t:1: ", "auth belongs in a [profile NAME] section" },
		{ "token_store = keyring\n" P, "t:1: ", "token_store belongs in a [profile NAME]" },
		{ P "auth = smart\n\ntoken_store = file\n", "t:8: ",
		  "token_store must be keyring, not 'file': a refresh token is kept in the desktop" },
		{ "[profile a]\n" REQ "auth = smart\n[profile b]\n" REQ "scopes = user/Patient.read\n",
		  "t:12: ", "scopes: scope 1 'user/Patient.read' is SMART v1" },
		{ P "scopes = user/Patient.rs\x1b]0;pwned\x07\n", "t:6: ", "control character 0x1b" },
		{ P "\n\n# c\nbase_url = https://x\n", "t:9: ", "base_url is already set on line 2" },
	};
	// clang-format on
	return cr_make_param_array(struct refusal, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct refusal *c, cfg, refused)
{
	char *cause;
	struct cfg *cfg = parse(c->text, &cause);

	cr_assert_null(cfg, "accepted:\n%s", c->text);
	cr_assert_not_null(cause);
	cr_assert_eq(strncmp(cause, c->where, strlen(c->where)), 0, "'%s' does not start '%s'",
	    cause, c->where);
	cr_assert_not_null(strstr(cause, c->says), "'%s' does not say '%s'", cause, c->says);
	cr_assert_null(strchr(cause, '\n'), "a cause is one line: '%s'", cause);
	free(cause);
}

Test(cfg, line_length_cap)
{
	size_t n = 1 + CFG_LINE_MAX + 1;
	char *text = malloc(n + 16), *cause;
	struct cfg *cfg;

	/* Line 2 is a comment of exactly CFG_LINE_MAX bytes: accepted. */
	text[0] = '\n';
	memset(text + 1, '#', CFG_LINE_MAX);
	text[1 + CFG_LINE_MAX] = '\n';
	cfg = cfg_parse(text, n, "t", &cause);
	cr_assert_not_null(cfg, "%s", cause);
	cfg_free(&cfg);

	/* One more byte is refused, newline or not. */
	memset(text + 1, '#', CFG_LINE_MAX + 1);
	cfg = cfg_parse(text, n, "t", &cause);
	cr_assert_null(cfg);
	cr_assert_str_eq(cause, "t:2: the line is longer than 4096 bytes");
	free(cause);
	free(text);
}

Test(cfg, nul_byte)
{
	static const char text[] = "# one\n# two\nuser\0_label = x\n";
	char *cause = NULL;
	struct cfg *cfg = cfg_parse(text, sizeof text - 1, "t", &cause);

	cr_assert_null(cfg);
	cr_assert_str_eq(cause, "t:3: the line contains a NUL byte");
	free(cause);
}

Test(cfg, reads_only_len_bytes)
{
	/* No terminating NUL: a read past LEN shows under ASan and valgrind. */
	static const char src[] = P "user_label = edge";
	char *text = malloc(sizeof src - 1), *cause;
	struct cfg *cfg;

	memcpy(text, src, sizeof src - 1);
	cfg = cfg_parse(text, sizeof src - 1, "t", &cause);
	cr_assert_not_null(cfg, "%s", cause);
	cr_assert_str_eq(cfg_profile_at(cfg, 0)->user_label, "edge");
	cfg_free(&cfg);
	/* Cut inside the last value: the parser sees "user_label = ed". */
	cfg = cfg_parse(text, sizeof src - 3, "t", &cause);
	cr_assert_not_null(cfg, "%s", cause);
	cr_assert_str_eq(cfg_profile_at(cfg, 0)->user_label, "ed");
	cfg_free(&cfg);
	free(text);
}

Test(cfg, file_size_cap)
{
	char *text = malloc(CFG_FILE_MAX + 1), *cause = NULL;

	memset(text, '\n', CFG_FILE_MAX + 1);
	cr_assert_null(cfg_parse(text, CFG_FILE_MAX + 1, "t", &cause));
	cr_assert_str_eq(cause, "t is larger than 1048576 bytes");
	free(cause);
	free(text);
}

Test(cfg, profile_count_cap)
{
	size_t size = (CFG_PROFILES_MAX + 1) * (sizeof P + 8), len = 0;
	char *text = malloc(size), *cause = NULL, want[32];
	struct cfg *cfg;

	for (int i = 0; i < CFG_PROFILES_MAX; i++)
		len += (size_t)sprintf(text + len, "[profile p%d]\n" REQ, i);
	cfg = cfg_parse(text, len, "t", &cause);
	cr_assert_not_null(cfg, "%s", cause);
	cr_assert_eq(cfg_profile_count(cfg), CFG_PROFILES_MAX);
	cfg_free(&cfg);
	len += (size_t)sprintf(text + len, "[profile extra]\n");
	cr_assert_null(cfg_parse(text, len, "t", &cause));
	snprintf(want, sizeof want, "t:%d: ", CFG_PROFILES_MAX * 5 + 1);
	cr_assert_eq(strncmp(cause, want, strlen(want)), 0, "%s", cause);
	cr_assert_not_null(strstr(cause, "more than 64 profiles"), "%s", cause);
	free(cause);
	free(text);
}

/*
 * Hostile input: random bytes, and a valid file with random bytes changed. Nothing may
 * crash or leak (ASan and valgrind watch), and every refusal must carry "t:".
 */
Test(cfg, random_input_never_crashes, .init = set_home)
{
	static const char seed[] = "default_profile = a\n" P "pin_sha256 = " PIN_A "\n"
	                           "user_label = \"x \\\" y\"\nidle_lock = 1h\n[profile b]\n" REQ;
	static const char alphabet[] = "[]=\"\\#; \t\r\n/~:.%@?az09\x01\xc3\xa9\xff";
	uint32_t state = 12345;
	char buf[sizeof seed + 64];

	for (int round = 0; round < 3000; round++) {
		size_t len;
		char *cause = NULL;
		struct cfg *cfg;

		if (round % 2 == 0) {
			len = sizeof seed - 1;
			memcpy(buf, seed, len);
			for (int k = 0; k < 1 + round % 5; k++) {
				state = state * 1103515245 + 12345;
				buf[(state >> 8) % len] =
				    alphabet[(state >> 20) % (sizeof alphabet - 1)];
			}
		} else {
			state = state * 1103515245 + 12345;
			len = (state >> 8) % sizeof buf;
			for (size_t k = 0; k < len; k++) {
				state = state * 1103515245 + 12345;
				buf[k] = round % 4 == 1
				             ? (char)(state >> 16)
				             : alphabet[(state >> 16) % (sizeof alphabet - 1)];
			}
		}
		cfg = cfg_parse(buf, len, "t", &cause);
		if (cfg == NULL) {
			cr_assert_not_null(cause);
			cr_assert_eq(strncmp(cause, "t:", 2), 0, "%s", cause);
			free(cause);
		}
		cfg_free(&cfg);
	}
}

/* --- choosing a profile -------------------------------------------------------------- */

Test(cfg, the_only_profile_is_the_default)
{
	char *cause;
	struct cfg *cfg = parse(P, &cause);

	cr_assert_str_eq(cfg_profile(cfg, NULL, &cause)->name, "a");
	cr_assert_str_eq(cfg_profile(cfg, "a", &cause)->name, "a");
	cr_assert_null(cfg_profile(cfg, "b", &cause));
	cr_assert_str_eq(cause, "t has no profile 'b' (it has: a)");
	free(cause);
	cfg_free(&cfg);
}

Test(cfg, default_profile_picks_one_of_several)
{
	char *cause;
	struct cfg *cfg =
	    parse("default_profile = b\n" P "[profile b]\n" REQ "[profile c]\n" REQ, &cause);

	cr_assert_not_null(cfg, "%s", cause);
	cr_assert_eq(cfg_profile_count(cfg), 3);
	cr_assert_str_eq(cfg_profile(cfg, NULL, &cause)->name, "b");
	cr_assert_str_eq(cfg_profile(cfg, "c", &cause)->name, "c", "a name beats the default");
	cr_assert_str_eq(cfg_profile_at(cfg, 0)->name, "a");
	cr_assert_null(cfg_profile_at(cfg, 3));
	cr_assert_null(cfg_profile(cfg, "z\x1b", &cause));
	cr_assert_str_eq(cause, "t has no profile 'z\\x1b' (it has: a, b, c)");
	free(cause);
	cfg_free(&cfg);
}

Test(cfg, several_profiles_and_no_default_is_ambiguous)
{
	char *cause;
	struct cfg *cfg = parse(P "[profile b]\n" REQ, &cause);

	cr_assert_not_null(cfg, "%s", cause);
	cr_assert_null(cfg_profile(cfg, NULL, &cause));
	cr_assert_str_eq(cause, "t defines 2 profiles; name one, or set default_profile");
	free(cause);
	cr_assert_str_eq(cfg_profile(cfg, "b", &cause)->name, "b");
	cfg_free(&cfg);
}

/* --- the option table itself ---------------------------------------------------------- */

Test(cfg, table_is_consistent)
{
	struct cfg_profile profile;
	struct cfg_global global;

	for (size_t i = 0; i < cfg_noptions; i++) {
		const struct cfg_option *opt = &cfg_options[i];
		char *cause = NULL;

		cr_assert_not_null(opt->doc, "%s", opt->name);
		cr_assert_null(strchr(opt->doc, '\n'), "%s: doc is one line", opt->name);
		cr_assert_eq(cfg_option_find(opt->name), opt, "%s is declared twice", opt->name);
		cr_assert(opt->type < CFG_T_COUNT, "%s", opt->name);
		cr_assert(opt->min <= opt->max, "%s", opt->name);
		if (opt->flags & CFG_REQUIRED)
			cr_assert_null(opt->def, "%s: a required key has no default", opt->name);
		if (opt->def == NULL)
			continue;
		/* Every default goes through the same checker, range and all. */
		memset(&profile, 0, sizeof profile);
		memset(&global, 0, sizeof global);
		cr_assert_eq(
		    cfg_value_set(opt, opt->def,
		        opt->scope == CFG_PROFILE ? (void *)&profile : (void *)&global, &cause),
		    0, "default of %s: %s", opt->name, cause ? cause : "");
		cfg_value_free(opt, opt->scope == CFG_PROFILE ? (void *)&profile : (void *)&global);
	}
	for (int t = 0; t < CFG_T_COUNT; t++)
		cr_assert_not_null(cfg_types[t].name, "type %d has no name", t);
}
