/* SMART on FHIR login: token answers (who logged in, for how long), refresh and revocation. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/oauth-private.h"
#include "util/base64.h"
#include "util/xmalloc.h"

/* The most an id_token's payload may decode to. */
#define OAUTH_ID_TOKEN_PAYLOAD_MAX 16384
#define OAUTH_SCOPE_MAX 8192
#define OAUTH_FHIR_ID_MAX 64

/* Wipe the string cJSON holds for NAME in J (a token), so that freeing J leaves no copy. */
static void
oauth_json_wipe(cJSON *j, const char *name)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);

	if (cJSON_IsString(v))
		explicit_bzero(v->valuestring, strlen(v->valuestring));
}

/* RFC 6750 2.1 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=". */
static bool
oauth_b64token_ok(const char *s, size_t max)
{
	size_t len = strlen(s),
	       n = strspn(
	           s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/");

	if (n == 0 || len > max)
		return false;
	return s[n + strspn(s + n, "=")] == '\0';
}

/* RFC 6749 3.3: scope tokens of %x21 / %x23-5B / %x5D-7E, separated by spaces. */
static bool
oauth_scope_ok(const char *s)
{
	size_t len = strlen(s);

	if (len > OAUTH_SCOPE_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
			return false;
	}
	return true;
}

/*
 * FHIR_USER's reference "Type/id" (its last two segments) when it is a user's resource:
 * relative, or an absolute https URL; NULL otherwise. Caller frees.
 */
static char *
oauth_fhir_user_ref(const char *fhir_user)
{
	static const char *const types[] = {
	    "Practitioner",
	    "PractitionerRole",
	    "Patient",
	    "RelatedPerson",
	    "Person",
	};
	size_t len = strlen(fhir_user), id_len, type_len;
	const char *slash, *type;

	if (len == 0 || len > OAUTH_URL_MAX)
		return NULL;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)fhir_user[i] <= 0x20 || (unsigned char)fhir_user[i] >= 0x7f)
			return NULL;
	if (strstr(fhir_user, "://") != NULL && !oauth_url_ok(fhir_user))
		return NULL;
	if (strchr(fhir_user, '?') != NULL || strchr(fhir_user, '#') != NULL)
		return NULL;
	if ((slash = strrchr(fhir_user, '/')) == NULL)
		return NULL;
	id_len = len - (size_t)(slash + 1 - fhir_user);
	if (id_len == 0 || id_len > OAUTH_FHIR_ID_MAX ||
	    strspn(slash + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.") !=
	        id_len)
		return NULL;
	for (type = slash; type > fhir_user && type[-1] != '/'; type--)
		;
	type_len = (size_t)(slash - type);
	/* A relative reference is "Type/id" and nothing before it. */
	if (type != fhir_user && strstr(fhir_user, "://") == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (strlen(types[i]) == type_len && memcmp(types[i], type, type_len) == 0)
			return xstrndup(type, len - (size_t)(type - fhir_user));
	return NULL;
}

static bool
oauth_fhir_user_ok(const char *fhir_user)
{
	char *ref = oauth_fhir_user_ref(fhir_user);
	bool ok = ref != NULL;

	free(ref);
	return ok;
}

/* Whether AUD (a string or an array of them, RFC 7519 4.1.3) names CLIENT_ID. */
static bool
oauth_aud_has(const cJSON *aud, const char *client_id)
{
	const cJSON *v;
	size_t seen = 0;

	if (cJSON_IsString(aud))
		return strcmp(aud->valuestring, client_id) == 0;
	if (!cJSON_IsArray(aud))
		return false;
	cJSON_ArrayForEach(v, aud)
	{
		if (seen++ == 64)
			break;
		if (cJSON_IsString(v) && strcmp(v->valuestring, client_id) == 0)
			return true;
	}
	return false;
}

/*
 * The fhirUser of the id_token ID into *OUT (NULL when it names none). 0, or -1 with
 * *CAUSE.
 *
 * The payload is read without checking the signature. That is enough for who logged in
 * because the id_token comes straight from the token endpoint over TLS that verified the
 * server against the profile's CA, and with our certificate (OpenID Connect Core 3.1.3.7,
 * item 6: TLS server validation may stand in for the signature when the token comes from
 * the token endpoint directly). Verifying it would need the issuer's keys (jwks_uri, read
 * and cached, with their rotation), a JWS check of RS256 or ES256 against them (src/sign
 * verifies only certificates in x5c), and then iss, aud, exp and iat checked against
 * the clock. Its iss and aud are checked here all the same, so that a token made for
 * another client or by another issuer is not taken.
 */
static int
oauth_id_token_user(
    const char *id, const char *client_id, const char *issuer, char **out, char **cause)
{
	const char *dot1 = strchr(id, '.'), *dot2 = dot1 != NULL ? strchr(dot1 + 1, '.') : NULL;
	char *payload, *json, *ignored = NULL;
	const cJSON *v;
	size_t n = 0;
	bool cut = false;
	cJSON *j;

	*out = NULL;
	if (dot2 == NULL || strchr(dot2 + 1, '.') != NULL || dot2 == dot1 + 1) {
		*cause = xstrdup("its id_token is not a signed JWT");
		return -1;
	}
	payload = xstrndup(dot1 + 1, (size_t)(dot2 - dot1 - 1));
	json = base64_decode_loose(payload, OAUTH_ID_TOKEN_PAYLOAD_MAX, &n, &cut);
	free(payload);
	if (json == NULL || cut) {
		free(json);
		*cause = xstrdup("its id_token's payload cannot be read");
		return -1;
	}
	j = oauth_json_object(json, n, "id_token", &ignored);
	free(ignored);
	free(json);
	if (j == NULL) {
		*cause = xstrdup("its id_token's payload is not a JSON object");
		return -1;
	}
	v = cJSON_GetObjectItemCaseSensitive(j, "iss");
	if (issuer != NULL && (!cJSON_IsString(v) || strcmp(v->valuestring, issuer) != 0)) {
		*cause = xstrdup("its id_token was issued by another server");
		goto fail;
	}
	if (client_id != NULL &&
	    !oauth_aud_has(cJSON_GetObjectItemCaseSensitive(j, "aud"), client_id)) {
		*cause = xstrdup("its id_token is for another client");
		goto fail;
	}
	v = cJSON_GetObjectItemCaseSensitive(j, "fhirUser");
	if (v != NULL) {
		if (!cJSON_IsString(v) || strlen(v->valuestring) > OAUTH_URL_MAX) {
			*cause = xstrdup("its id_token's fhirUser is not a reference");
			goto fail;
		}
		*out = xstrdup(v->valuestring);
	}
	cJSON_Delete(j);
	return 0;
fail:
	cJSON_Delete(j);
	return -1;
}

/* Read a 200 token answer J into *OUT; 0, or -1 with *WHY (the part after "WHAT: "). */
static int
oauth_tokens_from(const struct oauth_who *w, double now, const cJSON *j, struct oauth_tokens *out,
    enum oauth_error *kind, char **why)
{
	const cJSON *access = cJSON_GetObjectItemCaseSensitive(j, "access_token");
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(j, "token_type");
	const cJSON *refresh = cJSON_GetObjectItemCaseSensitive(j, "refresh_token");
	const cJSON *scope = cJSON_GetObjectItemCaseSensitive(j, "scope");
	const cJSON *user = cJSON_GetObjectItemCaseSensitive(j, "fhirUser");
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id_token");
	const cJSON *expires = cJSON_GetObjectItemCaseSensitive(j, "expires_in");
	char *id_user = NULL;
	long life;

	*kind = OAUTH_ERR_SERVER;
	if (!cJSON_IsString(access)) {
		*why = xstrdup("the answer holds no access token");
		return -1;
	}
	if (!oauth_b64token_ok(access->valuestring, OAUTH_ACCESS_TOKEN_MAX)) {
		*why = xstrdup("the access token is not one a request can carry");
		return -1;
	}
	if (!cJSON_IsString(type)) {
		*why = xstrdup("the answer names no token type");
		return -1;
	}
	/* RFC 6749 5.1: case-insensitive. A DPoP or MAC token would be refused by a Bearer use. */
	if (strcasecmp(type->valuestring, "Bearer") != 0) {
		*why = xstrdup("the token is not a Bearer token");
		return -1;
	}
	if (expires != NULL && !cJSON_IsNull(expires) &&
	    oauth_seconds(expires, OAUTH_TOKEN_LIFE_MAX, &life) != 0) {
		*why = xstrdup("the token's expires_in is not a number of seconds");
		return -1;
	}
	if (refresh != NULL && !cJSON_IsNull(refresh) &&
	    (!cJSON_IsString(refresh) ||
	        !oauth_vschar_ok(refresh->valuestring, OAUTH_REFRESH_TOKEN_MAX))) {
		*why = xstrdup("the refresh token is not one ehrterm can keep");
		return -1;
	}
	if (scope != NULL && !cJSON_IsNull(scope) &&
	    (!cJSON_IsString(scope) || !oauth_scope_ok(scope->valuestring))) {
		*why = xstrdup("the granted scope is not a list of scopes");
		return -1;
	}
	if (user != NULL && !cJSON_IsNull(user) &&
	    (!cJSON_IsString(user) || !oauth_fhir_user_ok(user->valuestring))) {
		*why = xstrdup("its fhirUser is not a reference to a user");
		return -1;
	}
	if (id != NULL && !cJSON_IsNull(id)) {
		if (!cJSON_IsString(id)) {
			*why = xstrdup("its id_token is not a JWT");
			return -1;
		}
		if (oauth_id_token_user(id->valuestring, w->client_id, w->issuer, &id_user, why) !=
		    0)
			return -1;
	}
	memset(out, 0, sizeof *out);
	if (cJSON_IsString(user))
		out->fhir_user = xstrdup(user->valuestring);
	if (id_user != NULL) {
		if (out->fhir_user != NULL && strcmp(out->fhir_user, id_user) != 0) {
			free(id_user);
			oauth_tokens_clear(out);
			*why = xstrdup("the answer and its id_token name different users");
			return -1;
		}
		free(out->fhir_user);
		out->fhir_user = id_user;
	}
	if (out->fhir_user != NULL &&
	    (out->fhir_user_ref = oauth_fhir_user_ref(out->fhir_user)) == NULL) {
		oauth_tokens_clear(out);
		*why = xstrdup("its fhirUser is not a reference to a user");
		return -1;
	}
	if (w->user != NULL && out->fhir_user != NULL && strcmp(w->user, out->fhir_user) != 0) {
		oauth_tokens_clear(out);
		*kind = OAUTH_ERR_REFUSED;
		*why = xstrdup("the token is for another user than the one logged in");
		return -1;
	}
	out->access = secret_new_from(access->valuestring, strlen(access->valuestring));
	if (cJSON_IsString(refresh))
		out->refresh = secret_new_from(refresh->valuestring, strlen(refresh->valuestring));
	out->expires_at = expires != NULL && !cJSON_IsNull(expires) ? now + (double)life : 0;
	if (cJSON_IsString(scope))
		out->scope = xstrdup(scope->valuestring);
	else if (w->scope != NULL)
		out->scope = xstrdup(w->scope);
	*kind = OAUTH_ERR_NONE;
	return 0;
}

int
oauth_tokens_parse(const struct oauth_who *w, double now, long status, const char *body, size_t len,
    const char *what, struct oauth_tokens *out, enum oauth_error *kind,
    char code[OAUTH_CODE_MAX + 1], char **cause)
{
	char *why = NULL;
	cJSON *j;
	int rc;

	memset(out, 0, sizeof *out);
	code[0] = '\0';
	if (status != 200) {
		oauth_error_read(status, body, len, what, code, kind, cause);
		return -1;
	}
	*kind = OAUTH_ERR_SERVER;
	if ((j = oauth_json_object(body, len, "token answer", &why)) == NULL) {
		*cause = xasprintf("%s: %s", what, why);
		free(why);
		return -1;
	}
	rc = oauth_tokens_from(w, now, j, out, kind, &why);
	if (rc != 0) {
		*cause = xasprintf("%s: %s", what, why);
		free(why);
	}
	oauth_json_wipe(j, "access_token");
	oauth_json_wipe(j, "refresh_token");
	oauth_json_wipe(j, "id_token");
	cJSON_Delete(j);
	return rc;
}

int
oauth_tokens_read(const struct oauth_client *c, double now, long status, const char *body,
    size_t len, struct oauth_tokens *out, enum oauth_error *kind, char **cause)
{
	struct oauth_who w = {.client_id = c->client_id,
	    .issuer = c->server != NULL ? c->server->issuer : NULL,
	    .scope = c->scope,
	    .user = c->user};
	char code[OAUTH_CODE_MAX + 1];
	enum oauth_error k;

	return oauth_tokens_parse(
	    &w, now, status, body, len, "no token", out, kind != NULL ? kind : &k, code, cause);
}

struct secret *
oauth_bearer_header(const struct oauth_tokens *t)
{
	static const char prefix[] = "Authorization: Bearer ";
	struct secret *h;
	size_t n;

	if (t == NULL || t->access == NULL || secret_len(t->access) == 0)
		return NULL;
	n = secret_len(t->access);
	h = secret_new_len(sizeof prefix - 1 + n);
	memcpy(secret_data(h), prefix, sizeof prefix - 1);
	memcpy(secret_data(h) + sizeof prefix - 1, secret_str(t->access), n);
	return h;
}

bool
oauth_tokens_expiring(const struct oauth_tokens *t, double now, double margin)
{
	return t->expires_at != 0 && now + margin >= t->expires_at;
}

void
oauth_tokens_clear(struct oauth_tokens *t)
{
	secret_free(&t->access);
	secret_free(&t->refresh);
	free(t->scope);
	free(t->fhir_user);
	free(t->fhir_user_ref);
	memset(t, 0, sizeof *t);
}

/* Whether C can make a request to its token endpoint; -1 with *CAUSE when not. */
static int
oauth_client_ok(const struct oauth_client *c, char **cause)
{
	if (c == NULL || c->server == NULL || c->server->token_endpoint == NULL) {
		*cause = xstrdup("no SMART configuration was read for this server");
		return -1;
	}
	if (c->client_id == NULL || !oauth_vschar_ok(c->client_id, 256)) {
		*cause = xstrdup("no usable client_id is configured");
		return -1;
	}
	return 0;
}

int
oauth_refresh_request(const struct oauth_client *c, const struct secret *refresh,
    struct oauth_request *req, char **cause)
{
	memset(req, 0, sizeof *req);
	if (oauth_client_ok(c, cause) != 0)
		return -1;
	if (refresh == NULL || secret_len(refresh) == 0) {
		*cause = xstrdup("there is no refresh token");
		return -1;
	}
	/* No scope: RFC 6749 6, the grant keeps the scope first granted. */
	oauth_request_make(req, c->server->token_endpoint,
	    (const char *const[]){"grant_type", "refresh_token", "refresh_token",
	        secret_str(refresh), "client_id", c->client_id, NULL});
	return 0;
}

int
oauth_revoke_request(const struct oauth_client *c, const struct secret *refresh,
    struct oauth_request *req, char **cause)
{
	memset(req, 0, sizeof *req);
	if (oauth_client_ok(c, cause) != 0)
		return -1;
	if (c->server->revocation_endpoint == NULL) {
		*cause = xstrdup("this server offers no revocation: the refresh token is only "
		                 "forgotten here");
		return -1;
	}
	if (refresh == NULL || secret_len(refresh) == 0) {
		*cause = xstrdup("there is no refresh token");
		return -1;
	}
	oauth_request_make(req, c->server->revocation_endpoint,
	    (const char *const[]){"token", secret_str(refresh), "token_type_hint", "refresh_token",
	        "client_id", c->client_id, NULL});
	return 0;
}

int
oauth_revoke_read(long status, const char *body, size_t len, char **cause)
{
	char code[OAUTH_CODE_MAX + 1];
	enum oauth_error kind;

	if (status == 200)
		return 0;
	oauth_error_read(
	    status, body, len, "the refresh token was not revoked", code, &kind, cause);
	return -1;
}
