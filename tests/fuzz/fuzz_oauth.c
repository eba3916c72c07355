/* Fuzz target: the SMART login's readers (discovery, device, token, error answers) and scopes. */
#include "config.h"

#include <stdlib.h>
#include <strings.h>

#include "fuzz.h"
#include "net/oauth.h"

#define AUTH "https://auth.example.org"

static const char smart_config[] = "{\"issuer\":\"" AUTH "\",\"token_endpoint\":\"" AUTH "/token\","
                                   "\"device_authorization_endpoint\":\"" AUTH "/device\","
                                   "\"revocation_endpoint\":\"" AUTH "/revoke\"}";
static const char scope[] = "openid fhirUser offline_access user/Patient.rs";

static struct oauth_server server;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *cause = NULL;

	(void)argc;
	(void)argv;
	return oauth_server_read(&server, smart_config, strlen(smart_config), &cause);
}

/* oauth.h: every sentence is printable ASCII and bounded. */
static void
check_sentence(const char *s)
{
	FUZZ_CHECK(s != NULL);
	FUZZ_CHECK(s[0] != '\0' && strlen(s) <= 512);
	for (const char *p = s; *p != '\0'; p++)
		FUZZ_CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p <= 0x7e);
}

/* struct oauth_server: a URL taken is https, bounded, printable, no fragment or credentials. */
static void
check_url(const char *u)
{
	const char *host;

	if (u == NULL)
		return;
	FUZZ_CHECK(strncasecmp(u, "https://", 8) == 0 && strlen(u) <= OAUTH_URL_MAX);
	for (const char *p = u; *p != '\0'; p++)
		FUZZ_CHECK((unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f);
	FUZZ_CHECK(strchr(u, '#') == NULL);
	host = u + 8;
	FUZZ_CHECK(*host != '\0' && *host != '/');
	FUZZ_CHECK(memchr(host, '@', strcspn(host, "/?")) == NULL);
}

static void
check_server(const struct oauth_server *s)
{
	char *line;

	FUZZ_CHECK(s->token_endpoint != NULL);
	check_url(s->issuer);
	check_url(s->token_endpoint);
	check_url(s->device_endpoint);
	check_url(s->revocation_endpoint);
	FUZZ_CHECK((s->capabilities & ~0x3fu) == 0 && (s->grants & ~0xfu) == 0);
	FUZZ_CHECK(s->grants == 0 || s->grants_listed);
	line = oauth_server_describe(s);
	check_sentence(line);
	free(line);
}

/* A SMART configuration, then the same as the server's metadata. */
static void
discovery(const uint8_t *data, size_t size)
{
	struct oauth_server s, before;
	char *cause = NULL;

	if (oauth_server_read(&s, (const char *)data, size, &cause) != 0) {
		check_sentence(cause);
		FUZZ_CHECK(s.token_endpoint == NULL && s.issuer == NULL);
		free(cause);
	} else {
		FUZZ_CHECK(cause == NULL);
		check_server(&s);
		FUZZ_CHECK(oauth_server_check(&s, &cause) == 0 || s.device_endpoint == NULL);
		free(cause);
		cause = NULL;
		FUZZ_CHECK(oauth_server_needs_metadata(&s) ==
		           (s.device_endpoint == NULL && s.issuer != NULL));
		/* Its own metadata adds nothing it had, and changes nothing it had. */
		before = s;
		before.token_endpoint = xstrdup(s.token_endpoint);
		if (oauth_server_add_metadata(&s, (const char *)data, size, &cause) == 0) {
			FUZZ_CHECK(strcmp(s.token_endpoint, before.token_endpoint) == 0);
			check_server(&s);
		} else {
			check_sentence(cause);
			free(cause);
		}
		free(before.token_endpoint);
		oauth_server_clear(&s);
	}
	/* As metadata over the fixed server: only an answer naming its issuer is taken. */
	{
		struct oauth_server t;

		oauth_server_read(&t, smart_config, strlen(smart_config), &cause);
		free(t.device_endpoint);
		t.device_endpoint = NULL;
		cause = NULL;
		if (oauth_server_add_metadata(&t, (const char *)data, size, &cause) == 0)
			check_server(&t);
		else {
			check_sentence(cause);
			FUZZ_CHECK(t.device_endpoint == NULL);
			free(cause);
		}
		FUZZ_CHECK(strcmp(t.token_endpoint, AUTH "/token") == 0);
		oauth_server_clear(&t);
	}
}

/* oauth.h: what a flow in STATE shows and says. */
static void
check_device(struct oauth_device *d, double now)
{
	const struct oauth_device_code *code = oauth_device_code(d);
	enum oauth_device_state st = oauth_device_state(d);

	FUZZ_CHECK(oauth_device_interval(d) >= 1 && oauth_device_interval(d) <= OAUTH_INTERVAL_MAX);
	if (oauth_device_message(d) != NULL)
		check_sentence(oauth_device_message(d));
	if (st == OAUTH_DEVICE_FAILED || st == OAUTH_DEVICE_DENIED || st == OAUTH_DEVICE_EXPIRED)
		FUZZ_CHECK(oauth_device_message(d) != NULL && oauth_device_wait(d, now) == -1);
	if (st == OAUTH_DEVICE_WAITING) {
		FUZZ_CHECK(code != NULL);
		FUZZ_CHECK(oauth_device_wait(d, now) >= 0 &&
		           oauth_device_wait(d, now) <= OAUTH_INTERVAL_MAX);
	}
	if (code == NULL)
		return;
	FUZZ_CHECK(strlen(code->user_code) >= 1 && strlen(code->user_code) <= OAUTH_USER_CODE_MAX);
	for (const char *p = code->user_code; *p != '\0'; p++)
		FUZZ_CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p <= 0x7e);
	FUZZ_CHECK(code->verification_uri != NULL);
	check_url(code->verification_uri);
	check_url(code->verification_uri_complete);
	FUZZ_CHECK(oauth_device_remaining(d, now) >= 0 &&
	           oauth_device_remaining(d, now) <= OAUTH_DEVICE_CODE_LIFE_MAX);
}

/* oauth.h: tokens read hold what their comments promise. */
static void
check_tokens(const struct oauth_tokens *t, double now)
{
	const char *a = secret_str(t->access);

	FUZZ_CHECK(a != NULL && a[0] != '\0' && strlen(a) <= OAUTH_ACCESS_TOKEN_MAX);
	FUZZ_CHECK(strcspn(a, "\r\n \t:\"") == strlen(a));
	if (t->refresh != NULL) {
		FUZZ_CHECK(secret_len(t->refresh) >= 1 &&
		           secret_len(t->refresh) <= OAUTH_REFRESH_TOKEN_MAX);
		FUZZ_CHECK(strlen(secret_str(t->refresh)) == secret_len(t->refresh));
	}
	FUZZ_CHECK(t->expires_at == 0 ||
	           (t->expires_at > now && t->expires_at <= now + OAUTH_TOKEN_LIFE_MAX));
	FUZZ_CHECK(t->scope != NULL);
	FUZZ_CHECK((t->fhir_user == NULL) == (t->fhir_user_ref == NULL));
	if (t->fhir_user_ref != NULL) {
		size_t n = strlen(t->fhir_user_ref), u = strlen(t->fhir_user);

		FUZZ_CHECK(n <= u && strcmp(t->fhir_user + u - n, t->fhir_user_ref) == 0);
		FUZZ_CHECK(strncmp(t->fhir_user_ref, "Practitioner/", 13) == 0 ||
		           strncmp(t->fhir_user_ref, "PractitionerRole/", 17) == 0 ||
		           strncmp(t->fhir_user_ref, "Patient/", 8) == 0 ||
		           strncmp(t->fhir_user_ref, "RelatedPerson/", 14) == 0 ||
		           strncmp(t->fhir_user_ref, "Person/", 7) == 0);
	}
}

/* A status byte, then a device authorization answer; then the same as a poll's answer. */
static void
device(const uint8_t *data, size_t size)
{
	static const long statuses[] = {200, 200, 200, 400, 401, 429, 500, 503};
	struct oauth_client c = {.server = &server, .client_id = "ehrterm", .scope = scope};
	struct oauth_request req;
	struct oauth_tokens t;
	struct oauth_device *d;
	char *cause = NULL;
	long status;
	double now = 1000;

	if (size < 1)
		return;
	status = statuses[data[0] % 8];
	data++, size--;
	d = oauth_device_new(&c, &cause);
	FUZZ_CHECK(d != NULL && oauth_device_next(d, now, &req) == 0);
	oauth_request_clear(&req);
	oauth_device_answer(d, now, status, (const char *)data, size);
	FUZZ_CHECK(oauth_device_state(d) == OAUTH_DEVICE_WAITING ||
	           oauth_device_state(d) == OAUTH_DEVICE_FAILED);
	check_device(d, now);
	if (oauth_device_state(d) == OAUTH_DEVICE_WAITING) {
		now += oauth_device_wait(d, now);
		if (oauth_device_next(d, now, &req) == 0) {
			FUZZ_CHECK(strcmp(req.url, AUTH "/token") == 0);
			for (const char *p = secret_str(req.body); *p != '\0'; p++)
				FUZZ_CHECK(*p > 0x20 && *p < 0x7f);
			oauth_request_clear(&req);
			oauth_device_answer(d, now, status, (const char *)data, size);
			check_device(d, now);
			if (oauth_device_take_tokens(d, &t) == 0) {
				check_tokens(&t, now);
				oauth_tokens_clear(&t);
			}
		} else
			FUZZ_CHECK(oauth_device_state(d) == OAUTH_DEVICE_EXPIRED);
	}
	oauth_device_free(&d);
}

/* A status byte, then a token answer, read for a session with and without a user. */
static void
token(const uint8_t *data, size_t size)
{
	static const long statuses[] = {200, 200, 200, 200, 400, 401, 500, 0};
	struct oauth_client c = {.server = &server, .client_id = "ehrterm", .scope = scope};
	struct oauth_tokens t;
	enum oauth_error kind;
	char *cause = NULL;
	long status;

	if (size < 1)
		return;
	status = statuses[data[0] % 8];
	if (data[0] & 8)
		c.user = "Practitioner/dr1";
	data++, size--;
	if (oauth_tokens_read(&c, 50, status, (const char *)data, size, &t, &kind, &cause) == 0) {
		FUZZ_CHECK(status == 200 && kind == OAUTH_ERR_NONE && cause == NULL);
		check_tokens(&t, 50);
		FUZZ_CHECK(
		    c.user == NULL || t.fhir_user == NULL || strcmp(t.fhir_user, c.user) == 0);
		oauth_tokens_clear(&t);
	} else {
		FUZZ_CHECK(kind == OAUTH_ERR_REFUSED || kind == OAUTH_ERR_SERVER);
		check_sentence(cause);
		FUZZ_CHECK(t.access == NULL && t.fhir_user == NULL && t.scope == NULL);
		free(cause);
	}
	cause = NULL;
	if (oauth_revoke_read(status, (const char *)data, size, &cause) == 0)
		FUZZ_CHECK(status == 200 && cause == NULL);
	else {
		check_sentence(cause);
		free(cause);
	}
}

/* A byte of permissions, then a granted scope string (and the same as the scopes option). */
static void
scopes(const uint8_t *data, size_t size)
{
	static const char *const types[] = {"Patient", "Appointment", "Slot", "Encounter"};
	struct oauth_scopes *sc;
	char *granted, *req, *cause = NULL;
	unsigned perms;

	if (size < 1)
		return;
	perms = data[0] & OAUTH_PERM_ALL;
	granted = fuzz_string(data + 1, size - 1);
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		unsigned missing = oauth_scope_missing(granted, types[i], perms);
		char *more = xasprintf("%s user/*.cruds", granted);

		FUZZ_CHECK((missing & ~perms) == 0);
		/* More granted is never less. */
		FUZZ_CHECK(oauth_scope_missing(more, types[i], perms) == 0);
		free(more);
	}
	sc = oauth_scopes_new();
	oauth_scopes_add(sc, "Patient", perms | OAUTH_PERM_R);
	req = oauth_scope_request(granted, sc, &server, &cause);
	if (req != NULL) {
		FUZZ_CHECK(req[0] != '\0' && req[0] != ' ' && req[strlen(req) - 1] != ' ');
		FUZZ_CHECK(strstr(req, "  ") == NULL);
		for (const char *p = req; *p != '\0'; p++)
			FUZZ_CHECK(*p >= 0x20 && *p <= 0x7e && *p != '"' && *p != '\\');
		free(req);
	} else {
		check_sentence(cause);
		free(cause);
	}
	/* The computed list grants itself, v2 or v1. */
	for (unsigned caps = 0; caps < 64; caps += 3) {
		struct oauth_server s = {.capabilities = caps};

		req = oauth_scopes_string(sc, &s);
		FUZZ_CHECK(oauth_scope_missing(req, "Patient", perms | OAUTH_PERM_R) == 0);
		FUZZ_CHECK(req[0] != ' ' && strstr(req, "  ") == NULL);
		free(req);
	}
	oauth_scopes_free(&sc);
	free(granted);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0:
		discovery(data + 1, size - 1);
		break;
	case 1:
		device(data + 1, size - 1);
		break;
	case 2:
		token(data + 1, size - 1);
		break;
	default:
		scopes(data + 1, size - 1);
		break;
	}
	return 0;
}
