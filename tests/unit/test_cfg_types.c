/* Unit tests for the config value types: the edges each one accepts and refuses. */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg/cfg-private.h"
#include "cfg/cfg.h"

#define PIN_A "sha256//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMwE="
#define PIN_0 "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

static void
set_home(void)
{
	setenv("HOME", "/home/tester", 1);
}

/*
 * Parse a valid profile with "KEY = VALUE" on line 6. A required key's usual line
 * becomes a comment, so the line numbers stay. Returns as cfg_parse().
 */
static struct cfg *
parse_one(const char *key, const char *value, char **cause)
{
	static const char *const req[][2] = {{"base_url", "https://ehr.example"},
	    {"ca_file", "/ca.pem"}, {"client_cert", "/cert.pem"}, {"client_key", "/key.pem"}};
	size_t size = 256 + strlen(value);
	char *text = malloc(size);
	struct cfg *cfg;

	strcpy(text, "[profile a]\n");
	for (int i = 0; i < 4; i++) {
		if (strcmp(req[i][0], key) == 0)
			strcat(text, "# the case sets this key\n");
		else
			sprintf(text + strlen(text), "%s = %s\n", req[i][0], req[i][1]);
	}
	snprintf(text + strlen(text), size - strlen(text), "%s = %s\n", key, value);
	*cause = NULL;
	cfg = cfg_parse(text, strlen(text), "t", cause);
	free(text);
	return cfg;
}

/* What the parser stored for KEY, as text: strings as they are, numbers in decimal. */
static char *
stored(const struct cfg_profile *p, const char *key)
{
	const struct cfg_option *opt = cfg_option_find(key);
	const void *slot = (const char *)p + opt->offset;
	const struct cfg_keymap *km = slot;
	char *out = NULL;

	switch (opt->type) {
	case CFG_T_DURATION:
	case CFG_T_INTEGER:
		if (asprintf(&out, "%ld", *(const long *)slot) < 0)
			out = NULL;
		break;
	case CFG_T_KEYMAP:
		if (asprintf(&out, "%s:%s", km->name ? "name" : "path",
		        km->name ? km->name : km->path) < 0)
			out = NULL;
		break;
	default:
		out = strdup(*(const char *const *)slot ? *(const char *const *)slot : "(null)");
		break;
	}
	return out;
}

struct accept {
	char key[16];
	char value[128];
	char want[128];
};

ParameterizedTestParameters(cfg_types, accepted)
{
	// clang-format off
	static struct accept cases[] = {
		/* url: https in any case, normalised, path kept, trailing slash dropped */
		{ "base_url", "https://h", "https://h" },
		{ "base_url", "https://h/", "https://h" },
		{ "base_url", "HTTPS://Ehr.Example:8443/fhir/R4/", "https://Ehr.Example:8443/fhir/R4" },
		{ "base_url", "hTTpS://h/fhir", "https://h/fhir" },
		{ "base_url", "https://[::1]:8443/fhir", "https://[::1]:8443/fhir" },
		{ "base_url", "https://127.0.0.1:1/a%20b/", "https://127.0.0.1:1/a%20b" },
		{ "base_url", "https://h/fhir/./x/../R4", "https://h/fhir/R4" },
		{ "base_url", "\"https://h/q\"", "https://h/q" },
		/* path: ~ and ~/ expand, absolute paths stay */
		{ "ca_file", "~", "/home/tester" },
		{ "ca_file", "~/", "/home/tester/" },
		{ "ca_file", "~/ca.pem", "/home/tester/ca.pem" },
		{ "client_key", "/etc/ssl/private/k ey.pem", "/etc/ssl/private/k ey.pem" },
		{ "client_cert", "\"/c.pem\"", "/c.pem" },
		/* duration: the ends of each range, and the forms duration_parse takes */
		{ "idle_lock", "30s", "30" },
		{ "idle_lock", "2s", "2" },
		{ "idle_lock", "30", "30" },
		{ "idle_lock", "1h", "3600" },
		{ "idle_lock", "59m60s", "3600" },
		{ "idle_lock", "10m", "600" },
		{ "timeout", "1s", "1" },
		{ "timeout", "1", "1" },
		{ "timeout", "10m", "600" },
		{ "timeout", "1m30s", "90" },
		/* integer */
		{ "page_size", "1", "1" },
		{ "page_size", "200", "200" },
		{ "page_size", "020", "20" },
		/* pins */
		{ "pin_sha256", PIN_A, PIN_A },
		{ "pin_sha256", PIN_A ";" PIN_0, PIN_A ";" PIN_0 },
		/* keymap: a name, or a path */
		{ "keymap", "vi", "name:vi" },
		{ "keymap", "emacs", "name:emacs" },
		{ "keymap", "my-map_2", "name:my-map_2" },
		{ "keymap", "abcdefghijklmnopqrstuvwxyz012345", "name:abcdefghijklmnopqrstuvwxyz012345" },
		{ "keymap", "~/km", "path:/home/tester/km" },
		{ "keymap", "/etc/ehrterm/clinic.keys", "path:/etc/ehrterm/clinic.keys" },
		/* a name from a list */
		{ "audit_server", "yes", "yes" },
		{ "audit_server", "no", "no" },
		/* string */
		{ "user_label", "Front desk 2", "Front desk 2" },
		{ "user_label", "Dr. Müller – Tür 3", "Dr. Müller – Tür 3" },
		{ "user_label", "\"  padded  \"", "  padded  " },
		{ "user_label", "a # not a comment", "a # not a comment" },
		{ "user_label", "0123456789012345678901234567890123456789012345678901234567890123",
		  "0123456789012345678901234567890123456789012345678901234567890123" },
		/* auth, and what a SMART login is configured with */
		{ "auth", "mtls", "mtls" },
		{ "auth", "smart", "smart" },
		{ "client_id", "ehrterm", "ehrterm" },
		{ "client_id", "a4b3c2d1-0000-4e5f-8a9b-0c1d2e3f4a5b", "a4b3c2d1-0000-4e5f-8a9b-0c1d2e3f4a5b" },
		{ "client_id", "0oa1b2c3d4E5f6G7h8i9_x.y~z", "0oa1b2c3d4E5f6G7h8i9_x.y~z" },
		{ "client_id", "\"ehrterm\"", "ehrterm" },
		{ "token_store", "keyring", "keyring" },
		{ "scopes", "user/Patient.rs", "user/Patient.rs" },
		{ "scopes", "openid fhirUser offline_access launch/patient",
		  "openid fhirUser offline_access launch/patient" },
		{ "scopes", "patient/*.cruds system/Patient.c user/Appointment.cru user/Claim.d",
		  "patient/*.cruds system/Patient.c user/Appointment.cru user/Claim.d" },
		{ "scopes", "user/Observation.rs?category=laboratory&status=final",
		  "user/Observation.rs?category=laboratory&status=final" },
		{ "scopes", "user/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|vital-signs",
		  "user/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|vital-signs" },
	};
	// clang-format on
	return cr_make_param_array(struct accept, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct accept *c, cfg_types, accepted, .init = set_home)
{
	char *cause, *got;
	struct cfg *cfg = parse_one(c->key, c->value, &cause);

	cr_assert_not_null(cfg, "%s = %s refused: %s", c->key, c->value, cause);
	got = stored(cfg_profile_at(cfg, 0), c->key);
	cr_assert_str_eq(got, c->want, "%s = %s", c->key, c->value);
	free(got);
	cfg_free(&cfg);
}

struct refuse {
	char key[16];
	char value[160];
	char says[128]; /* a part of the reason, after "t:6: " */
};

ParameterizedTestParameters(cfg_types, refused)
{
	// clang-format off
	static struct refuse cases[] = {
		{ "base_url", "http://h", "base_url 'http://h' uses http; only https:// is allowed" },
		{ "base_url", "HTTP://h", "uses HTTP; only https://" },
		{ "base_url", "file:///etc/passwd", "uses file; only https://" },
		{ "base_url", "ftp://h", "uses ftp; only https://" },
		{ "base_url", "h/fhir", "is not an https:// URL" },
		{ "base_url", "//h/fhir", "is not an https:// URL" },
		{ "base_url", "https:/h", "is not an https:// URL" },
		{ "base_url", "https:h", "is not an https:// URL" },
		{ "base_url", "https://", "has no host" },
		{ "base_url", "https:///fhir", "has no host" },
		{ "base_url", "https://?x", "has no host" },
		{ "base_url", "https://u:p@h/", "has a user name or password" },
		{ "base_url", "https://u@h/", "has a user name or password" },
		{ "base_url", "https://@h/", "has a user name or password" },
		{ "base_url", "https://:p@h/", "has a user name or password" },
		{ "base_url", "https://h/fhir?x=1", "has a query or fragment" },
		{ "base_url", "https://h/#f", "has a query or fragment" },
		{ "base_url", "https://h:0/", "has port 0" },
		{ "base_url", "https://h:99999/", "is not a valid URL" },
		{ "base_url", "https://h;x/", "is not a valid URL" },
		{ "base_url", "\"https://h/a b\"", "contains a space, control or non-ASCII" },
		{ "base_url", "https://h/\xc3\xbc", "base_url 'https://h/\\xc3\\xbc' contains" },
		/* path */
		{ "ca_file", "ca.pem", "ca_file 'ca.pem' is relative" },
		{ "ca_file", "./ca.pem", "is relative" },
		{ "client_key", "~bob/k.pem", "only ~/ is expanded, not ~user" },
		{ "client_cert", "\"\"", "client_cert has no value" },
		/* duration */
		{ "idle_lock", "0", "idle_lock must be from 1s to 1h, not 0" },
		{ "idle_lock", "1h1s", "idle_lock must be from 1s to 1h" },
		{ "idle_lock", "10x", "idle_lock: '10x' is not a duration" },
		{ "idle_lock", "-1m", "idle_lock: '-1m' is not a duration" },
		{ "idle_lock", "1.5h", "is not a duration" },
		{ "timeout", "0s", "timeout must be from 1s to 10m" },
		{ "timeout", "10m1s", "timeout must be from 1s to 10m" },
		{ "timeout", "169h", "timeout: '169h' is longer than a week" },
		/* integer */
		{ "page_size", "0", "page_size must be from 1 to 200" },
		{ "page_size", "201", "page_size must be from 1 to 200, not 201" },
		{ "page_size", "-1", "page_size must be from 1 to 200" },
		{ "page_size", "99999999999999999999999", "page_size must be from 1 to 200" },
		{ "page_size", "+5", "page_size '+5' is not a whole number" },
		{ "page_size", "5x", "is not a whole number" },
		{ "page_size", "1.5", "is not a whole number" },
		{ "page_size", "0x10", "is not a whole number" },
		{ "page_size", "-", "is not a whole number" },
		{ "page_size", "1 0", "is not a whole number" },
		/* pins */
		{ "pin_sha256", "sha256//", "pin 1 is not sha256//" },
		{ "pin_sha256", "YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMwE=", "pin 1 is not" },
		{ "pin_sha256", "sha1//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMwE=", "pin 1 is not" },
		{ "pin_sha256", "SHA256//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMwE=", "pin 1 is not" },
		{ "pin_sha256", "sha256//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMwF=", "pin 1 is not" },
		{ "pin_sha256", "sha256//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMwEA", "pin 1 is not" },
		{ "pin_sha256", "sha256//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMw", "pin 1 is not" },
		{ "pin_sha256", "sha256//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvR-wE=", "pin 1 is not" },
		{ "pin_sha256", "sha256//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMwE==", "pin 1 is not" },
		{ "pin_sha256", PIN_A ";", "pin 2 is not" },
		{ "pin_sha256", PIN_A ";;" PIN_0, "pin 2 is not" },
		{ "pin_sha256", ";" PIN_A, "pin 1 is not" },
		{ "pin_sha256", PIN_A "; " PIN_0, "pin 2 is not" },
		/* keymap */
		{ "keymap", "Vi", "keymap 'Vi' is neither a keymap name" },
		{ "keymap", "vi mode", "is neither a keymap name" },
		{ "keymap", "vi!", "is neither a keymap name" },
		{ "keymap", "abcdefghijklmnopqrstuvwxyz0123456", "is neither a keymap name" },
		{ "keymap", "keys/vi", "keymap 'keys/vi' is relative" },
		{ "keymap", "~bob/vi", "only ~/ is expanded" },
		/* a name from a list: yes or no, nothing else that might mean either */
		{ "audit_server", "true", "audit_server must be one of the values its manual lists" },
		{ "audit_server", "Yes", "audit_server must be one of the values" },
		{ "audit_server", "1", "audit_server must be one of the values" },
		/* string */
		{ "user_label", "\xff", "user_label is not valid UTF-8" },
		{ "user_label", "\xc3", "user_label is not valid UTF-8" },
		{ "user_label", "\xc0\xaf", "user_label is not valid UTF-8" },
		{ "user_label", "\xe0\x80\xaf", "user_label is not valid UTF-8" },
		{ "user_label", "\xed\xa0\x80", "user_label is not valid UTF-8" },
		{ "user_label", "\xf4\x90\x80\x80", "user_label is not valid UTF-8" },
		{ "user_label", "01234567890123456789012345678901234567890123456789012345678901234",
		  "user_label is longer than 64 bytes" },
		/* auth: two values, spelled as the manual spells them */
		{ "auth", "oauth", "auth must be one of the values its manual lists, not 'oauth'" },
		{ "auth", "SMART", "auth must be one of the values its manual lists, not 'SMART'" },
		{ "auth", "smart mtls", "not 'smart mtls'" },
		{ "auth", "sm\xc3\xa4rt", "not 'sm\\xc3\\xa4rt'" },
		/* client_id: printable ASCII, no blank */
		{ "client_id", "\"my client\"", "client_id 'my client' has a blank, control or non-ASCII" },
		{ "client_id", "caf\xc3\xa9", "client_id 'caf\\xc3\\xa9' has a blank" },
		{ "client_id", "\"a\tb\"", "client_id 'a\\x09b' has a blank, control" },
		/* token_store: the keyring alone, saying why */
		{ "token_store", "file", "token_store must be keyring, not 'file': a refresh token is "
		  "kept in the desktop keyring, never in a file" },
		{ "token_store", "~/.ehrterm-tokens", "token_store must be keyring, not '~/.ehrterm-tokens': a" },
		{ "token_store", "/dev/shm/t", "token_store must be keyring, not '/dev/shm/t'" },
		{ "token_store", "Keyring", "token_store must be keyring, not 'Keyring'" },
		{ "token_store", "memory", "never in a file" },
		{ "token_store", "\"\xe2\x80\xaekeyring\"", "not '\\xe2\\x80\\xaekeyring'" },
		/* scopes: SMART v2 and printable ASCII */
		{ "scopes", "user/Patient.read", "scopes: scope 1 'user/Patient.read' is SMART v1; write v2" },
		{ "scopes", "openid user/Patient.write", "scope 2 'user/Patient.write' is SMART v1" },
		{ "scopes", "user/Patient.*", "scope 1 'user/Patient.*' is SMART v1" },
		{ "scopes", "patient/*.*", "is SMART v1" },
		{ "scopes", "user/Patient.sr", "'user/Patient.sr' has permissions other than c, r, u, d and s" },
		{ "scopes", "user/Patient.rr", "has permissions other than c, r, u, d and s, once each" },
		{ "scopes", "user/Patient.rx", "has permissions other than" },
		{ "scopes", "user/Patient.R", "has permissions other than" },
		{ "scopes", "user/Patient.", "'user/Patient.' has no permissions after the '.'" },
		{ "scopes", "user/Patient.?a=b", "has no permissions after the '.'" },
		{ "scopes", "user/Patient.rs?", "'user/Patient.rs?' has an empty query" },
		{ "scopes", "user/patient.rs", "'user/patient.rs' names no resource type" },
		{ "scopes", "user/.rs", "names no resource type" },
		{ "scopes", "user/Pat1ent.rs", "names no resource type" },
		{ "scopes", "user/**.rs", "names no resource type" },
		{ "scopes", "user/Patient", "'user/Patient' has no '.' before its permissions" },
		{ "scopes", "patient/", "'patient/' has no '.'" },
		{ "scopes", "openid  user/Patient.rs", "scopes has a blank at an end or two blanks together" },
		{ "scopes", "\" openid\"", "scopes has a blank at an end" },
		{ "scopes", "\"openid \"", "scopes has a blank at an end" },
		{ "scopes", "openid \"fhirUser\"", "scope 2 '\"fhirUser\"' has a character a scope may not have" },
		{ "scopes", "user/Patient.rs\\", "scope 1 'user/Patient.rs\\' has a character" },
		{ "scopes", "\"openid\tfhirUser\"", "scope 1 'openid\\x09fhirUser' has a character" },
		{ "scopes", "openid fhir\xc3\xbcser", "scope 2 'fhir\\xc3\\xbcser' has a character" },
		{ "scopes", "user/Patient.rs?name=\xe2\x80\xae", "has a character a scope may not have" },
	};
	// clang-format on
	return cr_make_param_array(struct refuse, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct refuse *c, cfg_types, refused, .init = set_home)
{
	char *cause;
	struct cfg *cfg = parse_one(c->key, c->value, &cause);

	cr_assert_null(cfg, "%s = %s accepted", c->key, c->value);
	cr_assert_eq(strncmp(cause, "t:6: ", 5), 0, "'%s' does not start 't:6: '", cause);
	cr_assert_not_null(strstr(cause, c->says), "'%s' does not say '%s'", cause, c->says);
	free(cause);
}

Test(cfg_types, url_length_cap)
{
	char value[2100], *cause;
	struct cfg *cfg;

	strcpy(value, "https://h/");
	memset(value + 10, 'a', 2048 - 10);
	value[2048] = '\0';
	cfg = parse_one("base_url", value, &cause);
	cr_assert_not_null(cfg, "%s", cause);
	cfg_free(&cfg);
	strcat(value, "a");
	cr_assert_null(parse_one("base_url", value, &cause));
	cr_assert_not_null(strstr(cause, "base_url is longer than 2048 bytes"), "%s", cause);
	free(cause);
}

Test(cfg_types, path_length_cap_counts_the_expansion)
{
	char home[3002], value[1200], *cause;
	struct cfg *cfg;

	/* The line is short; the path ~ expands to is 4095 bytes, the most a path may be. */
	home[0] = '/';
	memset(home + 1, 'h', 3000);
	home[3001] = '\0';
	setenv("HOME", home, 1);
	value[0] = '~';
	value[1] = '/';
	memset(value + 2, 'a', 1093);
	value[1095] = '\0';
	cfg = parse_one("ca_file", value, &cause);
	cr_assert_not_null(cfg, "%s", cause);
	cr_assert_eq(strlen(cfg_profile_at(cfg, 0)->ca_file), 4095);
	cfg_free(&cfg);
	strcat(value, "a");
	cr_assert_null(parse_one("ca_file", value, &cause));
	cr_assert_str_eq(cause, "t:6: ca_file is longer than 4095 bytes");
	free(cause);
}

Test(cfg_types, pins_count_cap)
{
	char value[20 * 53], *cause;
	struct cfg *cfg;

	value[0] = '\0';
	for (int i = 0; i < 16; i++)
		strcat(strcat(value, i ? ";" : ""), PIN_A);
	cfg = parse_one("pin_sha256", value, &cause);
	cr_assert_not_null(cfg, "%s", cause);
	cfg_free(&cfg);
	strcat(strcat(value, ";"), PIN_0);
	cr_assert_null(parse_one("pin_sha256", value, &cause));
	cr_assert_not_null(strstr(cause, "pin_sha256 has more than 16 pins"), "%s", cause);
	free(cause);
}

Test(cfg_types, client_id_length_cap)
{
	char value[300], *cause;
	struct cfg *cfg;

	memset(value, 'c', 255);
	value[255] = '\0';
	cfg = parse_one("client_id", value, &cause);
	cr_assert_not_null(cfg, "%s", cause);
	cfg_free(&cfg);
	strcat(value, "c");
	cr_assert_null(parse_one("client_id", value, &cause));
	cr_assert_str_eq(cause, "t:6: client_id is longer than 255 bytes");
	free(cause);
}

Test(cfg_types, scopes_count_and_length_caps)
{
	char value[4200], *cause;
	struct cfg *cfg;

	/* 64 scopes are taken, a 65th is refused. */
	value[0] = '\0';
	for (int i = 0; i < CFG_SCOPES_MAX; i++)
		strcat(strcat(value, i ? " " : ""), "user/Patient.rs");
	cfg = parse_one("scopes", value, &cause);
	cr_assert_not_null(cfg, "%s", cause);
	cfg_free(&cfg);
	strcat(value, " openid");
	cr_assert_null(parse_one("scopes", value, &cause));
	cr_assert_str_eq(cause, "t:6: scopes has more than 64 scopes");
	free(cause);
	/* One scope of 2049 bytes: the length is checked before anything else. */
	strcpy(value, "user/Observation.rs?code=");
	memset(value + strlen(value), 'x', 2049 - strlen(value));
	value[2049] = '\0';
	cr_assert_null(parse_one("scopes", value, &cause));
	cr_assert_str_eq(cause, "t:6: scopes is longer than 2048 bytes");
	free(cause);
	/* A refused scope of 2000 bytes is cut in the message. */
	value[2000] = '\0';
	value[1999] = '\\';
	cr_assert_null(parse_one("scopes", value, &cause));
	cr_assert_lt(strlen(cause), 200, "%s", cause);
	cr_assert_not_null(strstr(cause, "has a character a scope may not have"), "%s", cause);
	free(cause);
}

Test(cfg_types, tilde_needs_an_absolute_home)
{
	char *cause;

	unsetenv("HOME");
	cr_assert_null(parse_one("ca_file", "~/ca.pem", &cause));
	cr_assert_str_eq(cause, "t:6: ca_file starts with ~ but HOME is not an absolute path");
	free(cause);
	setenv("HOME", "relative", 1);
	cr_assert_null(parse_one("keymap", "~/vi", &cause));
	cr_assert_str_eq(cause, "t:6: keymap starts with ~ but HOME is not an absolute path");
	free(cause);
	/* Without ~, HOME does not matter. */
	struct cfg *cfg = parse_one("ca_file", "/ca.pem", &cause);
	cr_assert_not_null(cfg, "%s", cause);
	cfg_free(&cfg);
}
