/* Unit tests for the SMART login's protocol: discovery, the device grant, tokens, scopes. */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/oauth.h"
#include "util/base64.h"
#include "util/xmalloc.h"

#define AUTH "https://auth.example.org"

/* The SMART configuration of a server like the sandbox's: every endpoint, an mTLS alias. */
static const char smart_config[] =
    "{\"issuer\":\"" AUTH "\",\"token_endpoint\":\"" AUTH "/token\","
    "\"device_authorization_endpoint\":\"" AUTH "/device\","
    "\"revocation_endpoint\":\"" AUTH "/revoke\","
    "\"mtls_endpoint_aliases\":{\"token_endpoint\":\"https://mtls.example.org/token\"},"
    "\"capabilities\":[\"launch-standalone\",\"permission-v2\",\"permission-offline\","
    "\"client-public\",\"sso-openid-connect\",\"permission-user\"],"
    "\"grant_types_supported\":[\"urn:ietf:params:oauth:grant-type:device_code\","
    "\"refresh_token\"],\"tls_client_certificate_bound_access_tokens\":true}";

static const char scope[] = "openid fhirUser offline_access user/Patient.rs";

/*
 * Every sentence handed back is safe to show: printable ASCII, bounded, and without
 * what a hostile server put in (MARK, when given).
 */
static void
assert_safe(const char *sentence, const char *mark)
{
	cr_assert_not_null(sentence);
	cr_assert(strlen(sentence) > 0 && strlen(sentence) <= 400, "%zu bytes", strlen(sentence));
	for (const char *p = sentence; *p != '\0'; p++)
		cr_assert((unsigned char)*p >= 0x20 && (unsigned char)*p <= 0x7e,
		    "byte 0x%02x in \"%s\"", (unsigned char)*p, sentence);
	if (mark != NULL)
		cr_assert_null(strstr(sentence, mark), "\"%s\" shows \"%s\"", sentence, mark);
}

static void
read_server(struct oauth_server *s, const char *doc)
{
	char *cause = NULL;

	cr_assert_eq(oauth_server_read(s, doc, strlen(doc), &cause), 0, "%s", cause);
}

/* An unsigned JWT with PAYLOAD, as an id_token comes (the signature is not read). */
static char *
jwt(const char *payload)
{
	static const char header[] = "{\"alg\":\"RS256\",\"kid\":\"k1\"}";
	char *h = base64_encode(header, strlen(header), BASE64_URL);
	char *p = base64_encode(payload, strlen(payload), BASE64_URL);
	char *out = xasprintf("%s.%s.c2lnbmF0dXJl", h, p);

	free(h);
	free(p);
	return out;
}

/* --- discovery ----------------------------------------------------------------------- */

Test(oauth, discovery_url_is_under_the_fhir_base)
{
	char *u = oauth_discovery_url("https://fhir.example.org/r4");

	cr_assert_str_eq(u, "https://fhir.example.org/r4/.well-known/smart-configuration");
	free(u);
	u = oauth_discovery_url("https://fhir.example.org/r4/");
	cr_assert_str_eq(u, "https://fhir.example.org/r4/.well-known/smart-configuration");
	free(u);
	cr_assert_null(oauth_discovery_url("http://fhir.example.org/r4"));
	cr_assert_null(oauth_discovery_url("https://fhir.example.org/r4\n"));
	cr_assert_null(oauth_discovery_url("https://"));
	cr_assert_null(oauth_discovery_url(NULL));
}

Test(oauth, smart_configuration_read)
{
	struct oauth_server s;
	char *line, *cause = NULL;

	read_server(&s, smart_config);
	cr_assert_str_eq(s.issuer, AUTH);
	/* RFC 8705 5: the mTLS alias is used in preference to the plain endpoint. */
	cr_assert_str_eq(s.token_endpoint, "https://mtls.example.org/token");
	cr_assert_str_eq(s.device_endpoint, AUTH "/device");
	cr_assert_str_eq(s.revocation_endpoint, AUTH "/revoke");
	cr_assert_eq(s.capabilities, OAUTH_CAP_PERMISSION_V2 | OAUTH_CAP_PERMISSION_OFFLINE |
	                                 OAUTH_CAP_CLIENT_PUBLIC | OAUTH_CAP_SSO_OPENID_CONNECT |
	                                 OAUTH_CAP_PERMISSION_USER);
	cr_assert_eq(s.grants, OAUTH_GRANT_DEVICE_CODE | OAUTH_GRANT_REFRESH_TOKEN);
	cr_assert(s.grants_listed && s.cert_bound);
	cr_assert_not(oauth_server_needs_metadata(&s));
	cr_assert_eq(oauth_server_check(&s, &cause), 0);
	line = oauth_server_describe(&s);
	cr_assert_str_eq(line,
	    "device login " AUTH "/device; tokens https://mtls.example.org/token; revocation " AUTH
	    "/revoke; certificate-bound tokens yes; capabilities: permission-v2 permission-user "
	    "permission-offline client-public sso-openid-connect");
	free(line);
	oauth_server_clear(&s);
	cr_assert_null(s.token_endpoint);
}

Test(oauth, no_device_endpoint_says_so)
{
	static const char doc[] = "{\"issuer\":\"" AUTH "\",\"token_endpoint\":\"" AUTH "/token\"}";
	struct oauth_server s;
	struct oauth_client c = {.server = &s, .client_id = "ehrterm", .scope = scope};
	char *cause = NULL, *line;

	read_server(&s, doc);
	cr_assert_null(s.device_endpoint);
	cr_assert_null(s.revocation_endpoint);
	cr_assert(oauth_server_needs_metadata(&s));
	cr_assert_eq(oauth_server_check(&s, &cause), -1);
	cr_assert_str_eq(cause, "this server's SMART configuration offers no device login");
	free(cause);
	cause = NULL;
	cr_assert_null(oauth_device_new(&c, &cause));
	cr_assert_str_eq(cause, "this server's SMART configuration offers no device login");
	free(cause);
	line = oauth_server_describe(&s);
	cr_assert_str_eq(line,
	    "device login not offered; tokens " AUTH "/token; revocation not "
	    "offered; certificate-bound tokens not said; capabilities: none known");
	free(line);
	oauth_server_clear(&s);
}

Test(oauth, metadata_urls)
{
	char *u = oauth_metadata_url(AUTH, OAUTH_METADATA_RFC8414);

	cr_assert_str_eq(u, AUTH "/.well-known/oauth-authorization-server");
	free(u);
	/* RFC 8414 3.1: the well-known part goes between the host and the path. */
	u = oauth_metadata_url(AUTH "/tenant/1", OAUTH_METADATA_RFC8414);
	cr_assert_str_eq(u, AUTH "/.well-known/oauth-authorization-server/tenant/1");
	free(u);
	u = oauth_metadata_url(AUTH "/tenant/1/", OAUTH_METADATA_OIDC);
	cr_assert_str_eq(u, AUTH "/tenant/1/.well-known/openid-configuration");
	free(u);
	cr_assert_null(oauth_metadata_url("http://auth.example.org", OAUTH_METADATA_OIDC));
}

Test(oauth, metadata_fills_what_smart_lacked)
{
	static const char doc[] = "{\"issuer\":\"" AUTH "\",\"token_endpoint\":\"" AUTH "/token\"}";
	static const char meta[] = "{\"issuer\":\"" AUTH "\",\"token_endpoint\":\"" AUTH "/other\","
	                           "\"device_authorization_endpoint\":\"" AUTH "/device\","
	                           "\"revocation_endpoint\":\"" AUTH "/revoke\","
	                           "\"grant_types_supported\":[\"refresh_token\"]}";
	static const char other[] =
	    "{\"issuer\":\"https://evil.example.org\","
	    "\"token_endpoint\":\"https://evil.example.org/token\","
	    "\"device_authorization_endpoint\":\"https://evil.example.org/d\"}";
	struct oauth_server s;
	char *cause = NULL;

	read_server(&s, doc);
	/* RFC 8414 3.3: another issuer's metadata is not used, and S is left as it was. */
	cr_assert_eq(oauth_server_add_metadata(&s, other, strlen(other), &cause), -1);
	cr_assert_str_eq(cause, "the authorization server's metadata is for another issuer");
	free(cause);
	cr_assert_null(s.device_endpoint);
	cr_assert_eq(oauth_server_add_metadata(&s, meta, strlen(meta), &cause), 0);
	cr_assert_str_eq(s.token_endpoint, AUTH "/token", "the SMART configuration's stays");
	cr_assert_str_eq(s.device_endpoint, AUTH "/device");
	cr_assert_str_eq(s.revocation_endpoint, AUTH "/revoke");
	cr_assert_eq(s.grants, OAUTH_GRANT_REFRESH_TOKEN);
	cr_assert_eq(oauth_server_check(&s, &cause), 0);
	oauth_server_clear(&s);
}

Test(oauth, hostile_discovery_documents_are_refused)
{
	char huge[OAUTH_URL_MAX + 200], *doc;
	static const struct {
		const char *doc, *mark;
	} bad[] = {
	    {"", NULL},
	    {"[]", NULL},
	    {"\"" AUTH "/token\"", NULL},
	    {"42", NULL},
	    {"null", NULL},
	    {"{\"token_endpoint\":", NULL},
	    {"{} {}", NULL},
	    {"{}", NULL},
	    {"{\"token_endpoint\":\"http://evilhost/token\"}", "evilhost"},
	    {"{\"token_endpoint\":\"javascript:alert(1)\"}", "alert"},
	    {"{\"token_endpoint\":\"https://a/\\u001b[2J\\u001b]0;evil\\u0007\"}", "evil"},
	    {"{\"token_endpoint\":\"https://a/x\\r\\nX-Evil: 1\"}", "Evil"},
	    {"{\"token_endpoint\":\"https://a/\\u202eevil\"}", "evil"},
	    {"{\"token_endpoint\":\"https://user:evil@a/token\"}", "evil"},
	    {"{\"token_endpoint\":\"https://a/token#evil\"}", "evil"},
	    {"{\"token_endpoint\":\"https:///token\"}", NULL},
	    {"{\"token_endpoint\":42}", NULL},
	    {"{\"token_endpoint\":\"" AUTH "/t\",\"device_authorization_endpoint\":"
	     "\"http://evilhost/d\"}",
	        "evilhost"},
	    {"{\"token_endpoint\":\"" AUTH "/t\",\"revocation_endpoint\":[\"" AUTH "/r\"]}", NULL},
	    {"{\"token_endpoint\":\"" AUTH "/t\",\"issuer\":\"http://evilhost\"}", "evilhost"},
	    {"{\"token_endpoint\":\"" AUTH "/t\",\"capabilities\":\"permission-v2\"}", NULL},
	    {"{\"token_endpoint\":\"" AUTH "/t\",\"capabilities\":[1,2]}", NULL},
	    {"{\"token_endpoint\":\"" AUTH "/t\",\"grant_types_supported\":{}}", NULL},
	    {"{\"token_endpoint\":\"" AUTH "/t\",\"mtls_endpoint_aliases\":[]}", NULL},
	    {"{\"token_endpoint\":\"" AUTH "/t\",\"mtls_endpoint_aliases\":"
	     "{\"token_endpoint\":\"http://evilhost/t\"}}",
	        "evilhost"},
	};
	struct oauth_server s;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *cause = NULL;

		cr_assert_eq(oauth_server_read(&s, bad[i].doc, strlen(bad[i].doc), &cause), -1,
		    "%s", bad[i].doc);
		assert_safe(cause, bad[i].mark);
		cr_assert_null(s.token_endpoint);
		free(cause);
	}
	/* A URL past the bound, and a body with a NUL in it. */
	memset(huge, 'a', sizeof huge - 1);
	huge[sizeof huge - 1] = '\0';
	doc = xasprintf("{\"token_endpoint\":\"https://%s\"}", huge);
	{
		char *cause = NULL;

		cr_assert_eq(oauth_server_read(&s, doc, strlen(doc), &cause), -1);
		assert_safe(cause, "aaaaaaaa");
		free(cause);
		cr_assert_eq(oauth_server_read(&s, smart_config, sizeof smart_config, &cause), -1,
		    "the NUL that ends it is inside LEN");
		free(cause);
	}
	free(doc);
}

Test(oauth, unknown_names_and_long_lists_are_ignored)
{
	char *doc;
	size_t at;
	struct oauth_server s;

	/* 10,000 capabilities: the first 64 are read, permission-v2 after them is not. */
	doc = xmalloc(200000);
	at = (size_t)sprintf(doc, "{\"token_endpoint\":\"" AUTH "/t\",\"capabilities\":[");
	for (int i = 0; i < 10000; i++)
		at += (size_t)sprintf(doc + at, "\"x%d\",", i);
	sprintf(doc + at, "\"permission-v2\"]}");
	read_server(&s, doc);
	cr_assert_eq(s.capabilities, 0);
	oauth_server_clear(&s);
	free(doc);
}

/* --- requests ------------------------------------------------------------------------ */

/* A flow for the sandbox's server, started at T0: the first request made and checked. */
static struct oauth_device *
device_started(struct oauth_server *s, const char *user, double t0)
{
	struct oauth_client c = {.server = s, .client_id = "ehrterm", .scope = scope, .user = user};
	struct oauth_request req;
	struct http_request h;
	struct oauth_device *d;
	char *cause = NULL;

	read_server(s, smart_config);
	d = oauth_device_new(&c, &cause);
	cr_assert_not_null(d, "%s", cause);
	cr_assert_eq(oauth_device_state(d), OAUTH_DEVICE_START);
	cr_assert_null(oauth_device_code(d));
	cr_assert_eq(oauth_device_remaining(d, t0), -1);
	cr_assert_eq(oauth_device_next(d, t0, &req), 0);
	cr_assert_eq(oauth_device_state(d), OAUTH_DEVICE_ASKING);
	cr_assert_eq(req.method, HTTP_POST);
	cr_assert_str_eq(req.url, AUTH "/device");
	cr_assert_str_eq(secret_str(req.body),
	    "client_id=ehrterm&scope=openid+fhirUser+offline_access+user%2FPatient.rs");
	h = oauth_request_http(&req);
	cr_assert_eq(h.method, HTTP_POST);
	cr_assert_str_eq(h.url, AUTH "/device");
	cr_assert_eq(h.body_len, secret_len(req.body));
	cr_assert_str_eq(h.headers[0], "Content-Type: application/x-www-form-urlencoded");
	cr_assert_str_eq(h.headers[1], "Accept: application/json");
	cr_assert_null(h.headers[2]);
	cr_assert_not(h.retry);
	oauth_request_clear(&req);
	cr_assert_eq(oauth_device_next(d, t0, &req), 1, "the request is out");
	cr_assert_null(req.url);
	return d;
}

static const char code_answer[] =
    "{\"device_code\":\"GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS\","
    "\"user_code\":\"WDJB-MJHT\",\"verification_uri\":\"" AUTH "/device\","
    "\"verification_uri_complete\":\"" AUTH "/device?user_code=WDJB-MJHT\","
    "\"expires_in\":1800,\"interval\":5}";

/* The code came at T0: the flow waits. */
static struct oauth_device *
device_waiting(struct oauth_server *s, double t0)
{
	struct oauth_device *d = device_started(s, NULL, t0);
	const struct oauth_device_code *code;

	cr_assert_eq(oauth_device_answer(d, t0, 200, code_answer, strlen(code_answer)),
	    OAUTH_DEVICE_WAITING, "%s", oauth_device_message(d));
	code = oauth_device_code(d);
	cr_assert_not_null(code);
	cr_assert_str_eq(code->user_code, "WDJB-MJHT");
	cr_assert_str_eq(code->verification_uri, AUTH "/device");
	cr_assert_str_eq(code->verification_uri_complete, AUTH "/device?user_code=WDJB-MJHT");
	cr_assert_eq(code->expires_at, t0 + 1800);
	cr_assert_null(oauth_device_message(d));
	return d;
}

/* Poll at NOW: the request is the device-code grant. */
static void
poll_at(struct oauth_device *d, double now)
{
	struct oauth_request req;

	cr_assert_eq(oauth_device_wait(d, now), 0);
	cr_assert_eq(oauth_device_next(d, now, &req), 0);
	cr_assert_eq(oauth_device_state(d), OAUTH_DEVICE_POLLING);
	cr_assert_str_eq(req.url, "https://mtls.example.org/token");
	cr_assert_str_eq(secret_str(req.body),
	    "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code="
	    "GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS&client_id=ehrterm");
	oauth_request_clear(&req);
	cr_assert_eq(oauth_device_wait(d, now), -1, "no poll is due while one is out");
}

static const char error_pending[] = "{\"error\":\"authorization_pending\"}";
static const char error_slow[] = "{\"error\":\"slow_down\"}";

Test(oauth, device_login_approved)
{
	struct oauth_server s;
	struct oauth_device *d = device_waiting(&s, 1000);
	struct oauth_request req;
	struct oauth_tokens t;
	char *id = jwt("{\"iss\":\"" AUTH "\",\"aud\":\"ehrterm\",\"sub\":\"u1\","
	               "\"fhirUser\":\"https://fhir.example.org/r4/Practitioner/dr1\"}");
	char *answer =
	    xasprintf("{\"access_token\":\"eyJ0.eyJ1.c2ln\",\"token_type\":\"Bearer\","
	              "\"expires_in\":3600,\"refresh_token\":\"r-1.x~y\","
	              "\"scope\":\"openid fhirUser user/Patient.rs\",\"id_token\":\"%s\"}",
	        id);

	cr_assert_eq(oauth_device_remaining(d, 1000), 1800);
	cr_assert_eq(oauth_device_wait(d, 1000), 5);
	cr_assert_eq(oauth_device_next(d, 1004.9, &req), 1, "not before the interval");
	cr_assert_eq(oauth_device_state(d), OAUTH_DEVICE_WAITING);
	poll_at(d, 1005);
	cr_assert_eq(oauth_device_answer(d, 1005.5, 400, error_pending, strlen(error_pending)),
	    OAUTH_DEVICE_WAITING);
	cr_assert_eq(oauth_device_interval(d), 5);
	cr_assert_eq(oauth_device_wait(d, 1005.5), 5, "the interval from the answer");
	cr_assert_eq(oauth_device_take_tokens(d, &t), -1, "not before approval");
	poll_at(d, 1010.5);
	cr_assert_eq(oauth_device_answer(d, 1011, 200, answer, strlen(answer)), OAUTH_DEVICE_DONE,
	    "%s", oauth_device_message(d));
	cr_assert_eq(oauth_device_next(d, 1011, &req), -1);
	cr_assert_eq(oauth_device_take_tokens(d, &t), 0);
	cr_assert_str_eq(secret_str(t.access), "eyJ0.eyJ1.c2ln");
	cr_assert_str_eq(secret_str(t.refresh), "r-1.x~y");
	cr_assert_eq(t.expires_at, 1011 + 3600);
	cr_assert_str_eq(t.scope, "openid fhirUser user/Patient.rs");
	cr_assert_str_eq(t.fhir_user, "https://fhir.example.org/r4/Practitioner/dr1");
	cr_assert_str_eq(t.fhir_user_ref, "Practitioner/dr1");
	cr_assert_eq(oauth_device_take_tokens(d, &(struct oauth_tokens){0}), -1, "taken once");
	oauth_tokens_clear(&t);
	cr_assert_null(t.access);
	oauth_device_free(&d);
	cr_assert_null(d);
	oauth_server_clear(&s);
	free(answer);
	free(id);
}

Test(oauth, slow_down_adds_five_seconds_for_every_later_poll)
{
	struct oauth_server s;
	struct oauth_device *d = device_waiting(&s, 0);

	poll_at(d, 5);
	cr_assert_eq(
	    oauth_device_answer(d, 5, 400, error_slow, strlen(error_slow)), OAUTH_DEVICE_WAITING);
	cr_assert_eq(oauth_device_interval(d), 10);
	cr_assert_eq(oauth_device_wait(d, 5), 10);
	poll_at(d, 15);
	cr_assert_eq(
	    oauth_device_answer(d, 15, 400, error_slow, strlen(error_slow)), OAUTH_DEVICE_WAITING);
	cr_assert_eq(oauth_device_interval(d), 15);
	poll_at(d, 30);
	/* Pending keeps the interval slow_down set. */
	cr_assert_eq(oauth_device_answer(d, 30, 400, error_pending, strlen(error_pending)),
	    OAUTH_DEVICE_WAITING);
	cr_assert_eq(oauth_device_interval(d), 15);
	cr_assert_eq(oauth_device_wait(d, 31), 14);
	/* Backing off stops at OAUTH_INTERVAL_MAX: 30, 60, ... 480, then 600, not 960. */
	for (double t = 45; oauth_device_interval(d) < OAUTH_INTERVAL_MAX;) {
		int before = oauth_device_interval(d);

		t += oauth_device_wait(d, t);
		poll_at(d, t);
		cr_assert_eq(oauth_device_lost(d, t), OAUTH_DEVICE_WAITING);
		cr_assert_eq(oauth_device_interval(d),
		    2 * before < OAUTH_INTERVAL_MAX ? 2 * before : OAUTH_INTERVAL_MAX);
	}
	oauth_device_free(&d);
	oauth_server_clear(&s);
}

Test(oauth, denied)
{
	static const char denied[] = "{\"error\":\"access_denied\",\"error_description\":"
	                             "\"The end-user denied the authorization request\"}";
	struct oauth_server s;
	struct oauth_device *d = device_waiting(&s, 0);
	struct oauth_request req;

	poll_at(d, 5);
	cr_assert_eq(oauth_device_answer(d, 5, 400, denied, strlen(denied)), OAUTH_DEVICE_DENIED);
	cr_assert_str_eq(oauth_device_message(d), "the login was denied");
	cr_assert_eq(oauth_device_next(d, 100, &req), -1);
	cr_assert_eq(oauth_device_wait(d, 100), -1);
	oauth_device_free(&d);
	oauth_server_clear(&s);
}

Test(oauth, expired_token_answer)
{
	static const char expired[] = "{\"error\":\"expired_token\"}";
	struct oauth_server s;
	struct oauth_device *d = device_waiting(&s, 0);

	poll_at(d, 5);
	cr_assert_eq(
	    oauth_device_answer(d, 5, 400, expired, strlen(expired)), OAUTH_DEVICE_EXPIRED);
	cr_assert_str_eq(
	    oauth_device_message(d), "the login code expired before it was approved: start again");
	oauth_device_free(&d);
	oauth_server_clear(&s);
}

Test(oauth, code_runs_out_on_the_clock)
{
	static const char answer[] = "{\"device_code\":\"dc\",\"user_code\":\"ABCD\","
	                             "\"verification_uri\":\"" AUTH "/d\",\"expires_in\":12}";
	struct oauth_server s;
	struct oauth_device *d = device_started(&s, NULL, 100);
	struct oauth_request req;

	cr_assert_eq(
	    oauth_device_answer(d, 100, 200, answer, strlen(answer)), OAUTH_DEVICE_WAITING);
	cr_assert_eq(
	    oauth_device_interval(d), OAUTH_DEVICE_INTERVAL, "RFC 8628: 5 s when not said");
	cr_assert_null(oauth_device_code(d)->verification_uri_complete);
	cr_assert_eq(oauth_device_remaining(d, 107.5), 4.5);
	cr_assert_eq(oauth_device_next(d, 105, &req), 0);
	oauth_request_clear(&req);
	cr_assert_eq(oauth_device_answer(d, 110, 400, error_pending, strlen(error_pending)),
	    OAUTH_DEVICE_WAITING);
	/* The next poll would be at 115: the wait ends at the expiry, 112, to say so. */
	cr_assert_eq(oauth_device_wait(d, 110), 2);
	cr_assert_eq(oauth_device_next(d, 112, &req), -1);
	cr_assert_eq(oauth_device_state(d), OAUTH_DEVICE_EXPIRED);
	cr_assert_str_eq(
	    oauth_device_message(d), "the login code expired before it was approved: start again");
	cr_assert_eq(oauth_device_remaining(d, 200), 0);
	oauth_device_free(&d);
	oauth_server_clear(&s);
}

Test(oauth, device_answer_numbers)
{
	static const struct {
		const char *expires, *interval;
		double life;
		int every;
	} ok[] = {
	    {"600", NULL, 600, 5},
	    {"\"600\"", "\"7\"", 600, 7}, /* strings of digits, as some servers send */
	    {"599.2", "4.5", 600, 5},     /* rounded up */
	    {"1e308", "1e308", OAUTH_DEVICE_CODE_LIFE_MAX, OAUTH_INTERVAL_MAX},
	    {"600", "0", 600, OAUTH_DEVICE_INTERVAL},
	    {"600", "-3", 600, OAUTH_DEVICE_INTERVAL},
	    {"600", "null", 600, OAUTH_DEVICE_INTERVAL},
	};
	static const char *const bad[] = {
	    "0", "-1", "\"ten\"", "\"\"", "\"12345678901\"", "true", "[600]", "null"};

	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		struct oauth_server s;
		struct oauth_device *d = device_started(&s, NULL, 0);
		char *answer =
		    xasprintf("{\"device_code\":\"dc\",\"user_code\":\"ABCD\","
		              "\"verification_uri\":\"" AUTH "/d\",\"expires_in\":%s%s%s}",
		        ok[i].expires, ok[i].interval ? ",\"interval\":" : "",
		        ok[i].interval ? ok[i].interval : "");

		cr_assert_eq(oauth_device_answer(d, 0, 200, answer, strlen(answer)),
		    OAUTH_DEVICE_WAITING, "%s: %s", answer, oauth_device_message(d));
		cr_assert_eq(oauth_device_remaining(d, 0), ok[i].life, "%s", answer);
		cr_assert_eq(oauth_device_interval(d), ok[i].every, "%s", answer);
		free(answer);
		oauth_device_free(&d);
		oauth_server_clear(&s);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct oauth_server s;
		struct oauth_device *d = device_started(&s, NULL, 0);
		char *answer = xasprintf("{\"device_code\":\"dc\",\"user_code\":\"ABCD\","
		                         "\"verification_uri\":\"" AUTH "/d\",\"expires_in\":%s}",
		    bad[i]);

		cr_assert_eq(oauth_device_answer(d, 0, 200, answer, strlen(answer)),
		    OAUTH_DEVICE_FAILED, "%s", answer);
		cr_assert_str_eq(oauth_device_message(d),
		    "the device login could not start: its "
		    "expires_in is missing or not a number of seconds");
		cr_assert_null(oauth_device_code(d));
		free(answer);
		oauth_device_free(&d);
		oauth_server_clear(&s);
	}
}

Test(oauth, hostile_device_answers_are_refused)
{
	char long_code[OAUTH_USER_CODE_MAX + 10], *huge;
	static const struct {
		const char *answer, *mark;
	} bad[] = {
	    {"[]", NULL},
	    {"\"WDJB-MJHT\"", "WDJB"},
	    {"{\"device_code\":\"dc\",\"verification_uri\":\"" AUTH "/d\",\"expires_in\":60}",
	        NULL},
	    {"{\"user_code\":\"WDJB\",\"verification_uri\":\"" AUTH "/d\",\"expires_in\":60}",
	        "WDJB"},
	    {"{\"device_code\":\"d\\nc\",\"user_code\":\"WDJB\",\"verification_uri\":"
	     "\"" AUTH "/d\",\"expires_in\":60}",
	        NULL},
	    {"{\"device_code\":\"dc\",\"user_code\":\"\\u001b[31mEVIL\\u001b[0m\","
	     "\"verification_uri\":\"" AUTH "/d\",\"expires_in\":60}",
	        "EVIL"},
	    {"{\"device_code\":\"dc\",\"user_code\":\"EV\\nIL\","
	     "\"verification_uri\":\"" AUTH "/d\",\"expires_in\":60}",
	        "EV"},
	    {"{\"device_code\":\"dc\",\"user_code\":\"ÉVIL\","
	     "\"verification_uri\":\"" AUTH "/d\",\"expires_in\":60}",
	        "VIL"},
	    {"{\"device_code\":\"dc\",\"user_code\":\" EVIL\","
	     "\"verification_uri\":\"" AUTH "/d\",\"expires_in\":60}",
	        "EVIL"},
	    {"{\"device_code\":\"dc\",\"user_code\":\"\",\"verification_uri\":\"" AUTH "/d\","
	     "\"expires_in\":60}",
	        NULL},
	    {"{\"device_code\":\"dc\",\"user_code\":42,\"verification_uri\":\"" AUTH "/d\","
	     "\"expires_in\":60}",
	        NULL},
	    {"{\"device_code\":\"dc\",\"user_code\":\"WDJB\",\"expires_in\":60}", NULL},
	    {"{\"device_code\":\"dc\",\"user_code\":\"WDJB\",\"verification_uri\":"
	     "\"http://evilhost/d\",\"expires_in\":60}",
	        "evilhost"},
	    {"{\"device_code\":\"dc\",\"user_code\":\"WDJB\",\"verification_uri\":"
	     "\"https://evilhost/\\u001b]8;;x\\u0007\",\"expires_in\":60}",
	        "evilhost"},
	    {"{\"device_code\":\"dc\",\"user_code\":\"WDJB\",\"verification_uri\":"
	     "\"" AUTH "/d\",\"verification_uri_complete\":\"javascript:evil()\","
	     "\"expires_in\":60}",
	        "evil"},
	    {"{\"device_code\":\"dc\",\"user_code\":\"WDJB\",\"verification_uri\":"
	     "\"" AUTH "/d\",\"verification_uri_complete\":\"https://a/\\r\\nevil\","
	     "\"expires_in\":60}",
	        "evil"},
	    {"{\"device_code\":\"dc\",\"user_code\":\"WDJB\",\"verification_uri\":"
	     "\"" AUTH "/d\",\"expires_in\":60,\"interval\":\"soon\"}",
	        "soon"},
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct oauth_server s;
		struct oauth_device *d = device_started(&s, NULL, 0);
		struct oauth_request req;

		cr_assert_eq(oauth_device_answer(d, 0, 200, bad[i].answer, strlen(bad[i].answer)),
		    OAUTH_DEVICE_FAILED, "%s", bad[i].answer);
		assert_safe(oauth_device_message(d), bad[i].mark);
		cr_assert_eq(
		    strncmp(oauth_device_message(d), "the device login could not start: ", 34), 0,
		    "%s", oauth_device_message(d));
		cr_assert_null(oauth_device_code(d), "nothing of it is shown");
		cr_assert_eq(oauth_device_next(d, 100, &req), -1);
		oauth_device_free(&d);
		oauth_server_clear(&s);
	}
	/* A user code past the bound, and an answer past OAUTH_ANSWER_MAX. */
	memset(long_code, 'A', sizeof long_code - 1);
	long_code[sizeof long_code - 1] = '\0';
	huge = xmalloc(OAUTH_ANSWER_MAX + 200);
	snprintf(huge, OAUTH_ANSWER_MAX + 200,
	    "{\"device_code\":\"dc\",\"user_code\":\"%s\",\"verification_uri\":\"" AUTH "/d\","
	    "\"expires_in\":60}",
	    long_code);
	for (int round = 0; round < 2; round++) {
		struct oauth_server s;
		struct oauth_device *d = device_started(&s, NULL, 0);

		if (round == 1) {
			size_t at = strlen(huge) - 1;

			memset(huge + at, ' ', OAUTH_ANSWER_MAX);
			strcpy(huge + at + OAUTH_ANSWER_MAX, "}");
		}
		cr_assert_eq(
		    oauth_device_answer(d, 0, 200, huge, strlen(huge)), OAUTH_DEVICE_FAILED);
		assert_safe(oauth_device_message(d), "AAAAAAAA");
		oauth_device_free(&d);
		oauth_server_clear(&s);
	}
	free(huge);
}

Test(oauth, error_answers_show_only_safe_server_text)
{
	char long_desc[400];
	char *answer;
	static const struct {
		long status;
		const char *answer, *want;
	} cases[] = {
	    {400, "{\"error\":\"invalid_client\",\"error_description\":\"Unknown client\"}",
	        "the device login could not start: the authorization server does not accept "
	        "this client (check client_id and the certificate) (the server says: Unknown "
	        "client)"},
	    {400, "{\"error\":\"invalid_scope\",\"error_description\":\"\\u001b[2Jevil\"}",
	        "the device login could not start: the authorization server refused the scopes "
	        "asked for"},
	    {400, "{\"error\":\"invalid_scope\",\"error_description\":\"say \\\"evil\\\"\"}",
	        "the device login could not start: the authorization server refused the scopes "
	        "asked for"},
	    {400, "{\"error\":\"something_new\"}",
	        "the device login could not start: the authorization server answered the error "
	        "something_new"},
	    {400, "{\"error\":\"evil\\u001b[2J\"}",
	        "the device login could not start: the authorization server answered HTTP 400"},
	    {400, "{\"error\":\"two words\"}",
	        "the device login could not start: the authorization server answered HTTP 400"},
	    {400, "{\"error\":42}",
	        "the device login could not start: the authorization server answered HTTP 400"},
	    {502, "<html>Bad gateway</html>",
	        "the device login could not start: the authorization server answered HTTP 502"},
	    {404, "",
	        "the device login could not start: the authorization server answered HTTP "
	        "404"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct oauth_server s;
		struct oauth_device *d = device_started(&s, NULL, 0);

		cr_assert_eq(oauth_device_answer(
		                 d, 0, cases[i].status, cases[i].answer, strlen(cases[i].answer)),
		    OAUTH_DEVICE_FAILED);
		cr_assert_str_eq(oauth_device_message(d), cases[i].want);
		assert_safe(oauth_device_message(d), "evil");
		oauth_device_free(&d);
		oauth_server_clear(&s);
	}
	/* A description past the bound is left out. */
	memset(long_desc, 'x', sizeof long_desc - 1);
	long_desc[sizeof long_desc - 1] = '\0';
	answer =
	    xasprintf("{\"error\":\"invalid_request\",\"error_description\":\"%s\"}", long_desc);
	{
		struct oauth_server s;
		struct oauth_device *d = device_started(&s, NULL, 0);

		oauth_device_answer(d, 0, 400, answer, strlen(answer));
		cr_assert_str_eq(oauth_device_message(d),
		    "the device login could not start: the "
		    "authorization server found the request malformed");
		oauth_device_free(&d);
		oauth_server_clear(&s);
	}
	free(answer);
}

Test(oauth, poll_errors)
{
	static const char grant[] = "{\"error\":\"invalid_grant\"}";
	struct oauth_server s;
	struct oauth_device *d = device_waiting(&s, 0);

	/* No answer: try again after twice the interval (RFC 8628 3.5). */
	poll_at(d, 5);
	cr_assert_eq(oauth_device_lost(d, 6), OAUTH_DEVICE_WAITING);
	cr_assert_eq(oauth_device_interval(d), 10);
	cr_assert_eq(oauth_device_wait(d, 6), 10);
	cr_assert_str_eq(oauth_device_message(d),
	    "the authorization server did not answer: trying again in 10 s");
	/* A 503 without an error code: the same. */
	poll_at(d, 16);
	cr_assert_eq(oauth_device_answer(d, 16, 503, "", 0), OAUTH_DEVICE_WAITING);
	cr_assert_eq(oauth_device_interval(d), 20);
	cr_assert_str_eq(oauth_device_message(d),
	    "the authorization server answered HTTP 503: trying again in 20 s");
	/* Pending again clears the message. */
	poll_at(d, 36);
	cr_assert_eq(oauth_device_answer(d, 36, 400, error_pending, strlen(error_pending)),
	    OAUTH_DEVICE_WAITING);
	cr_assert_null(oauth_device_message(d));
	poll_at(d, 56);
	cr_assert_eq(oauth_device_answer(d, 56, 400, grant, strlen(grant)), OAUTH_DEVICE_FAILED);
	cr_assert_str_eq(oauth_device_message(d),
	    "the login failed: the authorization server refused the grant (expired, revoked or "
	    "for another client)");
	/* An answer nobody asked for. */
	cr_assert_eq(oauth_device_answer(d, 57, 400, grant, strlen(grant)), OAUTH_DEVICE_FAILED);
	cr_assert_str_eq(oauth_device_message(d), "the login got an answer it did not ask for");
	cr_assert_eq(oauth_device_lost(d, 58), OAUTH_DEVICE_FAILED);
	oauth_device_free(&d);
	oauth_server_clear(&s);
}

/* The lock's login again: a token for another user, or naming no one, is not the session's. */
Test(oauth, login_again_must_be_the_same_user)
{
	static const char other[] = "{\"access_token\":\"a\",\"token_type\":\"Bearer\","
	                            "\"fhirUser\":\"Practitioner/dr2\"}";
	static const char nobody[] = "{\"access_token\":\"a\",\"token_type\":\"Bearer\"}";
	static const char same[] = "{\"access_token\":\"a\",\"token_type\":\"Bearer\","
	                           "\"fhirUser\":\"Practitioner/dr1\"}";
	static const struct {
		const char *answer;
		enum oauth_device_state state;
		const char *message;
	} cases[] = {
	    {other, OAUTH_DEVICE_FAILED,
	        "the login failed: the token is for another user than the one logged in"},
	    {nobody, OAUTH_DEVICE_FAILED, "the login failed: the token does not say who logged in"},
	    {same, OAUTH_DEVICE_DONE, NULL},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct oauth_server s;
		struct oauth_device *d = device_started(&s, "Practitioner/dr1", 0);
		struct oauth_tokens t;

		cr_assert_eq(oauth_device_answer(d, 0, 200, code_answer, strlen(code_answer)),
		    OAUTH_DEVICE_WAITING);
		poll_at(d, 5);
		cr_assert_eq(
		    oauth_device_answer(d, 5, 200, cases[i].answer, strlen(cases[i].answer)),
		    cases[i].state, "%s", cases[i].answer);
		if (cases[i].message != NULL) {
			cr_assert_str_eq(oauth_device_message(d), cases[i].message);
			cr_assert_eq(oauth_device_take_tokens(d, &t), -1);
		} else {
			cr_assert_eq(oauth_device_take_tokens(d, &t), 0);
			cr_assert_str_eq(t.fhir_user_ref, "Practitioner/dr1");
			oauth_tokens_clear(&t);
		}
		oauth_device_free(&d);
		oauth_server_clear(&s);
	}
}

Test(oauth, lost_first_request_fails)
{
	struct oauth_server s;
	struct oauth_device *d = device_started(&s, NULL, 0);

	cr_assert_eq(oauth_device_lost(d, 1), OAUTH_DEVICE_FAILED);
	cr_assert_str_eq(oauth_device_message(d),
	    "the device login could not start: the authorization server did not answer");
	oauth_device_free(&d);
	oauth_server_clear(&s);
	oauth_device_free(&d);
}

Test(oauth, poll_answer_with_bad_tokens_fails)
{
	static const char mac[] = "{\"access_token\":\"abc\",\"token_type\":\"mac\"}";
	struct oauth_server s;
	struct oauth_device *d = device_waiting(&s, 0);
	struct oauth_tokens t;

	poll_at(d, 5);
	cr_assert_eq(oauth_device_answer(d, 5, 200, mac, strlen(mac)), OAUTH_DEVICE_FAILED);
	cr_assert_str_eq(
	    oauth_device_message(d), "the login failed: the token is not a Bearer token");
	cr_assert_eq(oauth_device_take_tokens(d, &t), -1);
	oauth_device_free(&d);
	oauth_server_clear(&s);
}

/* --- tokens -------------------------------------------------------------------------- */

/* Read ANSWER (status 200 unless STATUS) as C's token answer at time 0. */
static int
tokens_of(const struct oauth_client *c, long status, const char *answer, struct oauth_tokens *t,
    enum oauth_error *kind, char **cause)
{
	return oauth_tokens_read(c, 0, status, answer, strlen(answer), t, kind, cause);
}

Test(oauth, token_answer_minimal)
{
	static const char answer[] = "{\"access_token\":\"abc/+=\",\"token_type\":\"bearer\"}";
	struct oauth_server s;
	struct oauth_client c = {.server = &s, .client_id = "ehrterm", .scope = scope};
	struct oauth_tokens t;
	enum oauth_error kind;
	char *cause = NULL;

	read_server(&s, smart_config);
	cr_assert_eq(tokens_of(&c, 200, answer, &t, &kind, &cause), 0, "%s", cause);
	cr_assert_eq(kind, OAUTH_ERR_NONE);
	cr_assert_str_eq(secret_str(t.access), "abc/+=");
	cr_assert_null(t.refresh);
	cr_assert_eq(t.expires_at, 0);
	/* RFC 6749 5.1: no scope in the answer is the scope asked for. */
	cr_assert_str_eq(t.scope, scope);
	cr_assert_null(t.fhir_user);
	cr_assert_null(t.fhir_user_ref);
	cr_assert_not(oauth_tokens_expiring(&t, 1e9, 60), "a life not given never runs out here");
	oauth_tokens_clear(&t);
	oauth_server_clear(&s);
}

Test(oauth, expiring_soon)
{
	static const char answer[] =
	    "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_in\":300}";
	struct oauth_server s;
	struct oauth_client c = {.server = &s, .client_id = "ehrterm", .scope = scope};
	struct oauth_tokens t;
	char *cause = NULL;

	read_server(&s, smart_config);
	cr_assert_eq(oauth_tokens_read(&c, 1000, 200, answer, strlen(answer), &t, NULL, &cause), 0);
	cr_assert_eq(t.expires_at, 1300);
	cr_assert_not(oauth_tokens_expiring(&t, 1000, 60));
	cr_assert_not(oauth_tokens_expiring(&t, 1239.9, 60));
	cr_assert(oauth_tokens_expiring(&t, 1240, 60));
	cr_assert(oauth_tokens_expiring(&t, 2000, 0));
	oauth_tokens_clear(&t);
	oauth_server_clear(&s);
}

Test(oauth, fhir_user_from_the_answer_or_the_id_token)
{
	struct oauth_server s;
	struct oauth_client c = {.server = &s, .client_id = "ehrterm", .scope = scope};
	struct oauth_tokens t;
	char *cause = NULL, *id, *answer;

	read_server(&s, smart_config);
	answer = xstrdup("{\"access_token\":\"a\",\"token_type\":\"Bearer\","
	                 "\"fhirUser\":\"Practitioner/dr-1.a\"}");
	cr_assert_eq(tokens_of(&c, 200, answer, &t, NULL, &cause), 0, "%s", cause);
	cr_assert_str_eq(t.fhir_user, "Practitioner/dr-1.a");
	cr_assert_str_eq(t.fhir_user_ref, "Practitioner/dr-1.a");
	oauth_tokens_clear(&t);
	free(answer);
	/* The id_token's, audience a list; the same user in both is fine. */
	id = jwt("{\"iss\":\"" AUTH "\",\"aud\":[\"other\",\"ehrterm\"],"
	         "\"fhirUser\":\"PractitionerRole/r1\"}");
	answer = xasprintf("{\"access_token\":\"a\",\"token_type\":\"Bearer\","
	                   "\"fhirUser\":\"PractitionerRole/r1\",\"id_token\":\"%s\"}",
	    id);
	cr_assert_eq(tokens_of(&c, 200, answer, &t, NULL, &cause), 0, "%s", cause);
	cr_assert_str_eq(t.fhir_user_ref, "PractitionerRole/r1");
	oauth_tokens_clear(&t);
	free(answer);
	free(id);
	/* The same user as the session's on a refresh. */
	c.user = "PractitionerRole/r1";
	answer = xstrdup("{\"access_token\":\"a\",\"token_type\":\"Bearer\","
	                 "\"fhirUser\":\"PractitionerRole/r1\"}");
	cr_assert_eq(tokens_of(&c, 200, answer, &t, NULL, &cause), 0, "%s", cause);
	oauth_tokens_clear(&t);
	free(answer);
	oauth_server_clear(&s);
}

/* ANSWER with ID where its "%s" is. */
static char *
with_id(const char *answer, const char *id)
{
	const char *at = strstr(answer, "%s");

	cr_assert_not_null(at);
	return xasprintf("%.*s%s%s", (int)(at - answer), answer, id, at + 2);
}

Test(oauth, hostile_token_answers_are_refused)
{
	char big[OAUTH_ACCESS_TOKEN_MAX + 10];
	static const struct {
		const char *payload; /* an id_token's, or NULL */
		const char *answer;  /* with %s for the id_token */
		const char *want, *mark;
	} bad[] = {
	    {NULL, "[]", "no token: the token answer is not a JSON object", NULL},
	    {NULL, "{\"token_type\":\"Bearer\"}", "no token: the answer holds no access token",
	        NULL},
	    {NULL, "{\"access_token\":\"a\"}", "no token: the answer names no token type", NULL},
	    {NULL, "{\"access_token\":\"a\",\"token_type\":\"DPoP\"}",
	        "no token: the token is not a Bearer token", NULL},
	    {NULL, "{\"access_token\":\"a\",\"token_type\":\"Bearer\\u0000x\"}",
	        "no token: the token answer holds a NUL character", NULL},
	    {NULL, "{\"access_token\":\"a\\r\\nX-Evil: 1\",\"token_type\":\"Bearer\"}",
	        "no token: the access token is not one a request can carry", "Evil"},
	    {NULL, "{\"access_token\":\"a b\",\"token_type\":\"Bearer\"}",
	        "no token: the access token is not one a request can carry", NULL},
	    {NULL, "{\"access_token\":\"=a\",\"token_type\":\"Bearer\"}",
	        "no token: the access token is not one a request can carry", NULL},
	    {NULL, "{\"access_token\":42,\"token_type\":\"Bearer\"}",
	        "no token: the answer holds no access token", NULL},
	    {NULL, "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_in\":-5}",
	        "no token: the token's expires_in is not a number of seconds", NULL},
	    {NULL, "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_in\":\"soon\"}",
	        "no token: the token's expires_in is not a number of seconds", "soon"},
	    {NULL,
	        "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"refresh_token\":"
	        "\"r\\u001b[2J\"}",
	        "no token: the refresh token is not one ehrterm can keep", NULL},
	    {NULL, "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"refresh_token\":\"\"}",
	        "no token: the refresh token is not one ehrterm can keep", NULL},
	    {NULL, "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"scope\":\"a\\nb\"}",
	        "no token: the granted scope is not a list of scopes", NULL},
	    {NULL,
	        "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"fhirUser\":"
	        "\"Organization/o1\"}",
	        "no token: its fhirUser is not a reference to a user", NULL},
	    {NULL,
	        "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"fhirUser\":"
	        "\"http://evilhost/Practitioner/x\"}",
	        "no token: its fhirUser is not a reference to a user", "evilhost"},
	    {NULL,
	        "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"fhirUser\":"
	        "\"x/Practitioner/evil\"}",
	        "no token: its fhirUser is not a reference to a user", "evil"},
	    {NULL,
	        "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"fhirUser\":"
	        "\"Practitioner/\\u001b[2Jevil\"}",
	        "no token: its fhirUser is not a reference to a user", "evil"},
	    {NULL, "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"id_token\":\"x.y\"}",
	        "no token: its id_token is not a signed JWT", NULL},
	    {NULL, "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"id_token\":\"a.b.c.d.e\"}",
	        "no token: its id_token is not a signed JWT", NULL},
	    {NULL, "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"id_token\":\"a.!!.c\"}",
	        "no token: its id_token's payload cannot be read", NULL},
	    {"[1]", "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"id_token\":\"%s\"}",
	        "no token: its id_token's payload is not a JSON object", NULL},
	    {"{\"iss\":\"https://evilhost\",\"aud\":\"ehrterm\",\"fhirUser\":\"Practitioner/1\"}",
	        "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"id_token\":\"%s\"}",
	        "no token: its id_token was issued by another server", "evilhost"},
	    {"{\"iss\":\"" AUTH "\",\"aud\":\"evilapp\",\"fhirUser\":\"Practitioner/1\"}",
	        "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"id_token\":\"%s\"}",
	        "no token: its id_token is for another client", "evilapp"},
	    {"{\"iss\":\"" AUTH
	     "\",\"aud\":{\"evilapp\":\"ehrterm\"},\"fhirUser\":\"Practitioner/1\"}",
	        "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"id_token\":\"%s\"}",
	        "no token: its id_token is for another client", NULL},
	    {"{\"iss\":\"" AUTH "\",\"aud\":\"ehrterm\",\"fhirUser\":\"Practitioner/1\"}",
	        "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"fhirUser\":\"Practitioner/2\","
	        "\"id_token\":\"%s\"}",
	        "no token: the answer and its id_token name different users", NULL},
	    {"{\"iss\":\"" AUTH "\",\"aud\":\"ehrterm\",\"fhirUser\":\"Device/evil\"}",
	        "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"id_token\":\"%s\"}",
	        "no token: its fhirUser is not a reference to a user", "evil"},
	    {"{\"iss\":\"" AUTH "\",\"aud\":\"ehrterm\",\"fhirUser\":[\"Practitioner/1\"]}",
	        "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"id_token\":\"%s\"}",
	        "no token: its id_token's fhirUser is not a reference", NULL},
	};
	struct oauth_server s;
	struct oauth_client c = {.server = &s, .client_id = "ehrterm", .scope = scope};
	struct oauth_tokens t;
	char *cause, *answer;

	read_server(&s, smart_config);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *id = bad[i].payload != NULL ? jwt(bad[i].payload) : NULL;
		enum oauth_error kind = OAUTH_ERR_NONE;

		cause = NULL;
		/* The answers are built here: the id_token goes where %s is. */
		answer = id != NULL ? with_id(bad[i].answer, id) : xstrdup(bad[i].answer);
		cr_assert_eq(tokens_of(&c, 200, answer, &t, &kind, &cause), -1, "%s", answer);
		cr_assert_str_eq(cause, bad[i].want, "%s", answer);
		assert_safe(cause, bad[i].mark);
		cr_assert_eq(kind, OAUTH_ERR_SERVER);
		cr_assert_null(t.access);
		cr_assert_null(t.fhir_user);
		free(cause);
		free(answer);
		free(id);
	}
	/* An access token past the bound. */
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	answer = xasprintf("{\"access_token\":\"%s\",\"token_type\":\"Bearer\"}", big);
	cause = NULL;
	cr_assert_eq(tokens_of(&c, 200, answer, &t, NULL, &cause), -1);
	cr_assert_str_eq(cause, "no token: the access token is not one a request can carry");
	free(cause);
	free(answer);
	oauth_server_clear(&s);
}

Test(oauth, token_for_another_user_is_refused)
{
	static const char answer[] = "{\"access_token\":\"a\",\"token_type\":\"Bearer\","
	                             "\"fhirUser\":\"Practitioner/dr2\"}";
	struct oauth_server s;
	struct oauth_client c = {
	    .server = &s, .client_id = "ehrterm", .scope = scope, .user = "Practitioner/dr1"};
	struct oauth_tokens t;
	enum oauth_error kind;
	char *cause = NULL;

	read_server(&s, smart_config);
	cr_assert_eq(tokens_of(&c, 200, answer, &t, &kind, &cause), -1);
	cr_assert_eq(kind, OAUTH_ERR_REFUSED);
	cr_assert_str_eq(cause, "no token: the token is for another user than the one logged in");
	cr_assert_null(t.access);
	free(cause);
	/* A refresh's answer that names no one is the session's user's. */
	cr_assert_eq(tokens_of(&c, 200, "{\"access_token\":\"a\",\"token_type\":\"Bearer\"}", &t,
	                 &kind, &cause),
	    0);
	cr_assert_null(t.fhir_user);
	oauth_tokens_clear(&t);
	oauth_server_clear(&s);
}

Test(oauth, token_error_answers_say_what_to_do)
{
	static const struct {
		long status;
		const char *answer;
		enum oauth_error kind;
		const char *want;
	} cases[] = {
	    {400, "{\"error\":\"invalid_grant\",\"error_description\":\"Refresh token expired\"}",
	        OAUTH_ERR_REFUSED,
	        "no token: the authorization server refused the grant (expired, "
	        "revoked or for another client) (the server says: Refresh token "
	        "expired)"},
	    {401, "{\"error\":\"invalid_client\"}", OAUTH_ERR_REFUSED,
	        "no token: the authorization server does not accept this client (check client_id "
	        "and the certificate)"},
	    {400, "{\"error\":\"temporarily_unavailable\"}", OAUTH_ERR_SERVER,
	        "no token: the authorization server is unavailable for now"},
	    {500, "{}", OAUTH_ERR_SERVER, "no token: the authorization server answered HTTP 500"},
	    {503, "", OAUTH_ERR_SERVER, "no token: the authorization server answered HTTP 503"},
	    {0, "", OAUTH_ERR_SERVER, "no token: the authorization server answered HTTP 0"},
	    {403, "<h1>Forbidden</h1>", OAUTH_ERR_REFUSED,
	        "no token: the authorization server answered HTTP 403"},
	};
	struct oauth_server s;
	struct oauth_client c = {.server = &s, .client_id = "ehrterm", .scope = scope};

	read_server(&s, smart_config);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct oauth_tokens t;
		enum oauth_error kind;
		char *cause = NULL;

		cr_assert_eq(
		    tokens_of(&c, cases[i].status, cases[i].answer, &t, &kind, &cause), -1);
		cr_assert_eq(kind, cases[i].kind, "%s", cases[i].answer);
		cr_assert_str_eq(cause, cases[i].want);
		cr_assert_null(t.access);
		free(cause);
	}
	oauth_server_clear(&s);
}

/* A server that echoes the token it was sent in its description does not put it on screen. */
Test(oauth, a_description_echoing_a_token_is_not_shown)
{
	static const char echo[] = "{\"error\":\"invalid_grant\",\"error_description\":"
	                           "\"Refresh token tGzv3JOkF0XG5Qx2TlKWIA is expired\"}";
	static const char words[] = "{\"error\":\"invalid_grant\",\"error_description\":"
	                            "\"Refresh token is expired or revoked\"}";
	static const char busy[] = "{\"error\":\"slow_down\"}";
	struct oauth_server s;
	struct oauth_client c = {.server = &s, .client_id = "ehrterm", .scope = scope};
	struct oauth_tokens t;
	enum oauth_error kind;
	char *cause = NULL;

	read_server(&s, smart_config);
	cr_assert_eq(tokens_of(&c, 400, echo, &t, &kind, &cause), -1);
	cr_assert_str_eq(cause, "no token: the authorization server refused the grant (expired, "
	                        "revoked or for another client)");
	free(cause);
	cr_assert_eq(tokens_of(&c, 400, words, &t, &kind, &cause), -1);
	cr_assert_str_eq(cause, "no token: the authorization server refused the grant (expired, "
	                        "revoked or for another client) (the server says: Refresh token is "
	                        "expired or revoked)");
	free(cause);
	/* 429 without a code is for later, not a refusal. */
	cr_assert_eq(tokens_of(&c, 429, "", &t, &kind, &cause), -1);
	cr_assert_eq(kind, OAUTH_ERR_SERVER);
	free(cause);
	cr_assert_eq(tokens_of(&c, 400, busy, &t, &kind, &cause), -1);
	cr_assert_eq(kind, OAUTH_ERR_SERVER);
	free(cause);
	oauth_server_clear(&s);
}

Test(oauth, bearer_header_in_locked_memory)
{
	static const char answer[] =
	    "{\"access_token\":\"eyJ0.eyJ1.c2ln\",\"token_type\":\"Bearer\"}";
	struct oauth_server s;
	struct oauth_client c = {.server = &s, .client_id = "ehrterm", .scope = scope};
	struct oauth_tokens t = {0};
	struct secret *h;
	char *cause = NULL;

	read_server(&s, smart_config);
	cr_assert_null(oauth_bearer_header(&t));
	cr_assert_eq(tokens_of(&c, 200, answer, &t, NULL, &cause), 0);
	h = oauth_bearer_header(&t);
	cr_assert_str_eq(secret_str(h), "Authorization: Bearer eyJ0.eyJ1.c2ln");
	cr_assert_eq(secret_len(h), strlen("Authorization: Bearer eyJ0.eyJ1.c2ln"));
	secret_free(&h);
	oauth_tokens_clear(&t);
	oauth_server_clear(&s);
}

Test(oauth, refresh_and_revoke_requests)
{
	struct oauth_server s;
	struct oauth_client c = {.server = &s, .client_id = "ehr term", .scope = scope};
	struct secret *refresh = secret_new_from("a+b/c=d&e f", 11);
	struct oauth_request req;
	char *cause = NULL;

	read_server(&s, smart_config);
	cr_assert_eq(oauth_refresh_request(&c, refresh, &req, &cause), 0, "%s", cause);
	cr_assert_eq(req.method, HTTP_POST);
	cr_assert_str_eq(req.url, "https://mtls.example.org/token");
	cr_assert_str_eq(secret_str(req.body),
	    "grant_type=refresh_token&refresh_token=a%2Bb%2Fc%3Dd%26e+f&client_id=ehr+term");
	oauth_request_clear(&req);
	cr_assert_eq(oauth_revoke_request(&c, refresh, &req, &cause), 0, "%s", cause);
	cr_assert_str_eq(req.url, AUTH "/revoke");
	cr_assert_str_eq(secret_str(req.body),
	    "token=a%2Bb%2Fc%3Dd%26e+f&token_type_hint=refresh_token&client_id=ehr+term");
	oauth_request_clear(&req);
	oauth_request_clear(&req);

	/* No refresh token, no client_id, no revocation endpoint. */
	cr_assert_eq(oauth_refresh_request(&c, NULL, &req, &cause), -1);
	cr_assert_str_eq(cause, "there is no refresh token");
	free(cause);
	c.client_id = NULL;
	cr_assert_eq(oauth_refresh_request(&c, refresh, &req, &cause), -1);
	cr_assert_str_eq(cause, "no usable client_id is configured");
	free(cause);
	c.client_id = "ehrterm";
	free(s.revocation_endpoint);
	s.revocation_endpoint = NULL;
	cr_assert_eq(oauth_revoke_request(&c, refresh, &req, &cause), -1);
	cr_assert_str_eq(
	    cause, "this server offers no revocation: the refresh token is only forgotten here");
	cr_assert_null(req.url);
	free(cause);
	secret_free(&refresh);
	oauth_server_clear(&s);
}

Test(oauth, revocation_answers)
{
	static const char unsupported[] = "{\"error\":\"unsupported_token_type\"}";
	char *cause = NULL;

	/* RFC 7009 2.2: 200 also for a token the server no longer knows. */
	cr_assert_eq(oauth_revoke_read(200, "", 0, &cause), 0);
	cr_assert_null(cause);
	cr_assert_eq(oauth_revoke_read(400, unsupported, strlen(unsupported), &cause), -1);
	cr_assert_str_eq(cause,
	    "the refresh token was not revoked: the authorization server cannot "
	    "revoke this kind of token");
	free(cause);
	cr_assert_eq(oauth_revoke_read(503, "", 0, &cause), -1);
	cr_assert_str_eq(
	    cause, "the refresh token was not revoked: the authorization server answered HTTP 503");
	free(cause);
}

/* --- scopes -------------------------------------------------------------------------- */

Test(oauth, scopes_merged_per_type_in_cruds_order)
{
	struct oauth_scopes *sc = oauth_scopes_new();
	char *s;

	s = oauth_scopes_string(sc, NULL);
	cr_assert_str_eq(s, "openid fhirUser offline_access");
	free(s);
	cr_assert_eq(oauth_scopes_add(sc, "Patient", OAUTH_PERM_R | OAUTH_PERM_S), 0);
	cr_assert_eq(
	    oauth_scopes_add(sc, "Appointment", OAUTH_PERM_U | OAUTH_PERM_C | OAUTH_PERM_R), 0);
	cr_assert_eq(oauth_scopes_add(sc, "Patient", OAUTH_PERM_C), 0);
	cr_assert_eq(oauth_scopes_add(sc, "Patient", OAUTH_PERM_R), 0);
	cr_assert_eq(oauth_scopes_add(sc, "Slot", OAUTH_PERM_ALL), 0);
	s = oauth_scopes_string(sc, NULL);
	cr_assert_str_eq(s, "openid fhirUser offline_access user/Patient.crs user/Appointment.cru "
	                    "user/Slot.cruds");
	free(s);
	/* Not types, or nothing asked. */
	cr_assert_eq(oauth_scopes_add(sc, "patient", OAUTH_PERM_R), -1);
	cr_assert_eq(oauth_scopes_add(sc, "", OAUTH_PERM_R), -1);
	cr_assert_eq(oauth_scopes_add(sc, NULL, OAUTH_PERM_R), -1);
	cr_assert_eq(oauth_scopes_add(sc, "Patient.rs user/*", OAUTH_PERM_R), -1);
	cr_assert_eq(oauth_scopes_add(sc, "Patient", 0), -1);
	cr_assert_eq(oauth_scopes_add(sc, "Patient", 1u << 7), -1);
	oauth_scopes_free(&sc);
	cr_assert_null(sc);
	oauth_scopes_free(&sc);
}

Test(oauth, scope_override_replaces_the_computed_list)
{
	struct oauth_scopes *sc = oauth_scopes_new();
	char *s, *cause = NULL;

	oauth_scopes_add(sc, "Patient", OAUTH_PERM_R);
	s = oauth_scope_request(NULL, sc, NULL, &cause);
	cr_assert_str_eq(s, "openid fhirUser offline_access user/Patient.r");
	free(s);
	s = oauth_scope_request("  openid\tuser/*.rs   launch/patient ", sc, NULL, &cause);
	cr_assert_str_eq(s, "openid user/*.rs launch/patient");
	free(s);
	cr_assert_null(oauth_scope_request("openid \x1b[2J", sc, NULL, &cause));
	cr_assert_str_eq(cause, "the scopes option holds a character no scope can have");
	free(cause);
	cr_assert_null(oauth_scope_request("openid \"x\"", sc, NULL, &cause));
	free(cause);
	cr_assert_null(oauth_scope_request("   ", sc, NULL, &cause));
	cr_assert_str_eq(cause, "the scopes option is empty");
	free(cause);
	oauth_scopes_free(&sc);
}

/* What a server's capabilities say it offers shapes what is asked of it. */
Test(oauth, scopes_for_what_the_server_offers)
{
	static const struct {
		unsigned caps;
		const char *want;
	} cases[] = {
	    {0, "openid fhirUser offline_access user/Patient.crs user/Slot.s"},
	    {OAUTH_CAP_PERMISSION_V2 | OAUTH_CAP_SSO_OPENID_CONNECT | OAUTH_CAP_PERMISSION_OFFLINE,
	        "openid fhirUser offline_access user/Patient.crs user/Slot.s"},
	    {OAUTH_CAP_PERMISSION_V2, "user/Patient.crs user/Slot.s"},
	    {OAUTH_CAP_PERMISSION_V1 | OAUTH_CAP_PERMISSION_V2 | OAUTH_CAP_PERMISSION_OFFLINE,
	        "offline_access user/Patient.crs user/Slot.s"},
	    {OAUTH_CAP_PERMISSION_V1 | OAUTH_CAP_SSO_OPENID_CONNECT,
	        "openid fhirUser user/Patient.read user/Patient.write user/Slot.read"},
	};
	struct oauth_scopes *sc = oauth_scopes_new();
	struct oauth_server s = {0};

	oauth_scopes_add(sc, "Patient", OAUTH_PERM_R | OAUTH_PERM_S | OAUTH_PERM_C);
	oauth_scopes_add(sc, "Slot", OAUTH_PERM_S);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got, *cause = NULL;

		s.capabilities = cases[i].caps;
		got = oauth_scope_request(NULL, sc, &s, &cause);
		cr_assert_str_eq(got, cases[i].want);
		/* What is asked for, granted, covers the needs. */
		cr_assert_eq(
		    oauth_scope_missing(got, "Patient", OAUTH_PERM_R | OAUTH_PERM_S | OAUTH_PERM_C),
		    0, "%s", got);
		cr_assert_eq(oauth_scope_missing(got, "Slot", OAUTH_PERM_S), 0);
		free(got);
	}
	oauth_scopes_free(&sc);
}

Test(oauth, granted_scopes)
{
	static const char granted[] =
	    "openid fhirUser user/Patient.rs  user/Appointment.cru patient/Slot.cruds "
	    "user/Observation.rs?category=vital-signs user/Condition.sr user/PatientX.cruds "
	    "user/Coverage.read user/Claim.write user/Account.* system/Schedule.cruds";
	char *text;

	cr_assert_eq(oauth_scope_missing(granted, "Patient", OAUTH_PERM_R | OAUTH_PERM_S), 0);
	cr_assert_eq(oauth_scope_missing(granted, "Patient", OAUTH_PERM_ALL),
	    OAUTH_PERM_C | OAUTH_PERM_U | OAUTH_PERM_D);
	cr_assert_eq(
	    oauth_scope_missing(granted, "Appointment", OAUTH_PERM_C | OAUTH_PERM_R | OAUTH_PERM_U),
	    0);
	cr_assert_eq(oauth_scope_missing(granted, "Appointment", OAUTH_PERM_S), OAUTH_PERM_S);
	/* patient/ and system/ scopes are not a user's; a query narrows; letters out of order. */
	cr_assert_eq(oauth_scope_missing(granted, "Slot", OAUTH_PERM_S), OAUTH_PERM_S);
	cr_assert_eq(oauth_scope_missing(granted, "Schedule", OAUTH_PERM_S), OAUTH_PERM_S);
	cr_assert_eq(oauth_scope_missing(granted, "Observation", OAUTH_PERM_R), OAUTH_PERM_R);
	cr_assert_eq(oauth_scope_missing(granted, "Condition", OAUTH_PERM_S), OAUTH_PERM_S);
	/* PatientX is another type. */
	cr_assert_eq(
	    oauth_scope_missing("user/PatientX.cruds", "Patient", OAUTH_PERM_R), OAUTH_PERM_R);
	/* v1: read is rs, write is cud, * is all. */
	cr_assert_eq(oauth_scope_missing(granted, "Coverage", OAUTH_PERM_R | OAUTH_PERM_S), 0);
	cr_assert_eq(oauth_scope_missing(granted, "Coverage", OAUTH_PERM_C), OAUTH_PERM_C);
	cr_assert_eq(oauth_scope_missing(granted, "Claim", OAUTH_PERM_C | OAUTH_PERM_U), 0);
	cr_assert_eq(oauth_scope_missing(granted, "Claim", OAUTH_PERM_S), OAUTH_PERM_S);
	cr_assert_eq(oauth_scope_missing(granted, "Account", OAUTH_PERM_ALL), 0);
	/* Every type. */
	cr_assert_eq(oauth_scope_missing("openid user/*.rs", "Encounter", OAUTH_PERM_S), 0);
	cr_assert_eq(oauth_scope_missing("user/*.cruds", "Encounter", OAUTH_PERM_ALL), 0);
	cr_assert_eq(oauth_scope_missing("user/*.read", "Encounter", OAUTH_PERM_C), OAUTH_PERM_C);
	/* Nothing granted, or nonsense. */
	cr_assert_eq(oauth_scope_missing(NULL, "Patient", OAUTH_PERM_R), OAUTH_PERM_R);
	cr_assert_eq(oauth_scope_missing("", "Patient", OAUTH_PERM_R), OAUTH_PERM_R);
	cr_assert_eq(oauth_scope_missing("user/Patient.", "Patient", OAUTH_PERM_R), OAUTH_PERM_R);
	cr_assert_eq(
	    oauth_scope_missing("user/Patient.rrs", "Patient", OAUTH_PERM_R), OAUTH_PERM_R);
	cr_assert_eq(oauth_scope_missing("user/Patient.rx", "Patient", OAUTH_PERM_R), OAUTH_PERM_R);
	cr_assert_eq(oauth_scope_missing("user/Patient", "Patient", OAUTH_PERM_R), OAUTH_PERM_R);
	text = oauth_scope_text("Slot", OAUTH_PERM_S | OAUTH_PERM_U);
	cr_assert_str_eq(text, "user/Slot.us");
	free(text);
}

/* As the app would: a module's needs checked against a grant, and what is missing said. */
Test(oauth, module_not_granted_says_what_is_missing)
{
	static const struct {
		const char *type;
		unsigned perms;
	} scheduling[] = {
	    {"Schedule", OAUTH_PERM_S},
	    {"Slot", OAUTH_PERM_R | OAUTH_PERM_U | OAUTH_PERM_S},
	    {"Appointment", OAUTH_PERM_C | OAUTH_PERM_R | OAUTH_PERM_U | OAUTH_PERM_S},
	};
	static const char granted[] = "openid fhirUser user/Schedule.rs user/Slot.rs "
	                              "user/Appointment.rs";
	char said[256] = "";

	for (size_t i = 0; i < sizeof scheduling / sizeof scheduling[0]; i++) {
		unsigned missing =
		    oauth_scope_missing(granted, scheduling[i].type, scheduling[i].perms);
		char *text;

		if (missing == 0)
			continue;
		text = oauth_scope_text(scheduling[i].type, missing);
		strcat(said, said[0] != '\0' ? ", " : "not granted: ");
		strcat(said, text);
		free(text);
	}
	cr_assert_str_eq(said, "not granted: user/Slot.u, user/Appointment.cu");
}

/* A server may name a 2 kB endpoint; --check's line about it stays a bounded sentence. */
Test(oauth, a_long_endpoint_is_cut_in_the_check_line)
{
	char doc[4096], url[2001];
	struct oauth_server s;
	char *line;

	memset(url, 'a', sizeof url - 1);
	url[sizeof url - 1] = '\0';
	snprintf(doc, sizeof doc, "{\"issuer\":\"" AUTH "\",\"token_endpoint\":\"https://%s.example.org/t\"}",
	    url + 30);
	read_server(&s, doc);
	line = oauth_server_describe(&s);
	cr_assert_leq(strlen(line), 512, "%zu bytes", strlen(line));
	cr_assert(strstr(line, "tokens https://aaaa") != NULL, "%s", line);
	cr_assert(strstr(line, "...; revocation not offered") != NULL, "the URL cut with ...: %s", line);
	free(line);
	oauth_server_clear(&s);
}
