/* Fuzz target: the config file parser, cfg_parse, and what cfg.h promises of its profiles. */
#include "config.h"

#include <stdlib.h>

#include "cfg/cfg.h"
#include "fuzz.h"

/* The home directory ~ expands to; a fixed one, so a run does not depend on the machine. */
#define FUZZ_HOME "/home/clerk"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("HOME", FUZZ_HOME, 1);
	return 0;
}

static bool
is_absolute(const char *path)
{
	return path != NULL && path[0] == '/';
}

/* cfg.h's promises for one profile: https base without a trailing slash, absolute paths. */
static void
check_profile(const struct cfg *cfg, const struct cfg_profile *p)
{
	const struct cfg_profile *again;
	char *cause = NULL;
	size_t n;

	FUZZ_CHECK(p->name != NULL && p->name[0] != '\0');
	FUZZ_CHECK(p->base_url != NULL && strncmp(p->base_url, "https://", 8) == 0);
	n = strlen(p->base_url);
	FUZZ_CHECK(n > 8 && p->base_url[n - 1] != '/');
	FUZZ_CHECK(is_absolute(p->ca_file));
	FUZZ_CHECK(is_absolute(p->client_cert));
	FUZZ_CHECK(is_absolute(p->client_key));
	FUZZ_CHECK(p->pin_sha256 == NULL || strncmp(p->pin_sha256, "sha256//", 8) == 0);
	/* A keymap is a built-in name or an absolute path, never both. */
	FUZZ_CHECK((p->keymap.name == NULL) != (p->keymap.path == NULL));
	FUZZ_CHECK(p->keymap.path == NULL || is_absolute(p->keymap.path));
	FUZZ_CHECK(p->idle_lock_s > 0 && p->timeout_s > 0 && p->page_size > 0);
	/* How the profile logs in: one of two ways, and a refresh token never in a file. */
	FUZZ_CHECK(strcmp(p->auth, "mtls") == 0 || strcmp(p->auth, "smart") == 0);
	FUZZ_CHECK(strcmp(p->token_store, "keyring") == 0);
	FUZZ_CHECK(p->client_id[0] != '\0');
	for (const char *c = p->client_id; *c != '\0'; c++)
		FUZZ_CHECK(*c > 0x20 && *c < 0x7f);
	/* Scopes: printable ASCII but '"' and '\\', joined by single blanks. */
	if (p->scopes != NULL) {
		n = strlen(p->scopes);
		FUZZ_CHECK(n > 0 && p->scopes[0] != ' ' && p->scopes[n - 1] != ' ');
		FUZZ_CHECK(strstr(p->scopes, "  ") == NULL);
		for (const char *c = p->scopes; *c != '\0'; c++)
			FUZZ_CHECK(*c >= 0x20 && *c < 0x7f && *c != '"' && *c != '\\');
	}
	/* Its name finds it again. */
	again = cfg_profile(cfg, p->name, &cause);
	FUZZ_CHECK(again == p && cause == NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct cfg_profile *p;
	struct cfg *cfg;
	char *cause = NULL;

	cfg = cfg_parse((const char *)data, size, "fuzz.conf", &cause);
	if (cfg == NULL) {
		/* A refusal always says why. */
		FUZZ_CHECK(cause != NULL && cause[0] != '\0');
		free(cause);
		return 0;
	}
	FUZZ_CHECK(cause == NULL);
	FUZZ_CHECK(strcmp(cfg_name(cfg), "fuzz.conf") == 0);
	for (size_t i = 0; i < cfg_profile_count(cfg); i++) {
		p = cfg_profile_at(cfg, i);
		FUZZ_CHECK(p != NULL);
		check_profile(cfg, p);
	}
	FUZZ_CHECK(cfg_profile_at(cfg, cfg_profile_count(cfg)) == NULL);
	/* The profile chosen when none is named: one, or a reason. */
	p = cfg_profile(cfg, NULL, &cause);
	FUZZ_CHECK((p == NULL) == (cause != NULL));
	free(cause);
	cause = NULL;
	p = cfg_profile(cfg, "no-such-profile-anywhere", &cause);
	FUZZ_CHECK(p == NULL || strcmp(p->name, "no-such-profile-anywhere") == 0);
	free(cause);
	cfg_free(&cfg);
	FUZZ_CHECK(cfg == NULL);
	return 0;
}
