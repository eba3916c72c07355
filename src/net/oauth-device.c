/* SMART on FHIR login: the device authorization grant (RFC 8628), a state machine the app runs. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "net/oauth-private.h"
#include "util/xmalloc.h"

#define OAUTH_DEVICE_CODE_MAX 1024
#define OAUTH_GRANT_DEVICE "urn:ietf:params:oauth:grant-type:device_code"

struct oauth_device {
	enum oauth_device_state state;
	/* Copies of what the flow needs of its client, which need not outlive it. */
	char *device_endpoint, *token_endpoint, *client_id, *scope, *issuer, *user;
	struct secret *device_code;
	char *user_code, *verification_uri, *verification_uri_complete;
	struct oauth_device_code code;
	bool have_code;
	int interval;     /* seconds between polls */
	double next_poll; /* the caller's clock */
	char *message;
	struct oauth_tokens tokens;
};

static char *
oauth_dup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

struct oauth_device *
oauth_device_new(const struct oauth_client *c, char **cause)
{
	struct oauth_device *d;

	if (c == NULL || oauth_server_check(c->server, cause) != 0)
		return NULL;
	if (c->client_id == NULL || !oauth_vschar_ok(c->client_id, 256)) {
		*cause = xstrdup("no usable client_id is configured");
		return NULL;
	}
	d = xcalloc(1, sizeof *d);
	d->state = OAUTH_DEVICE_START;
	d->device_endpoint = xstrdup(c->server->device_endpoint);
	d->token_endpoint = xstrdup(c->server->token_endpoint);
	d->client_id = xstrdup(c->client_id);
	d->scope = oauth_dup(c->scope);
	d->issuer = oauth_dup(c->server->issuer);
	d->user = oauth_dup(c->user);
	d->interval = OAUTH_DEVICE_INTERVAL;
	return d;
}

void
oauth_device_free(struct oauth_device **dp)
{
	struct oauth_device *d = *dp;

	if (d == NULL)
		return;
	free(d->device_endpoint);
	free(d->token_endpoint);
	free(d->client_id);
	free(d->scope);
	free(d->issuer);
	free(d->user);
	secret_free(&d->device_code);
	free(d->user_code);
	free(d->verification_uri);
	free(d->verification_uri_complete);
	free(d->message);
	oauth_tokens_clear(&d->tokens);
	free(d);
	*dp = NULL;
}

/* End in STATE saying MESSAGE (taken). */
static enum oauth_device_state
oauth_device_end(struct oauth_device *d, enum oauth_device_state state, char *message)
{
	free(d->message);
	d->message = message;
	d->state = state;
	return state;
}

int
oauth_device_next(struct oauth_device *d, double now, struct oauth_request *req)
{
	memset(req, 0, sizeof *req);
	switch (d->state) {
	case OAUTH_DEVICE_START:
		if (d->scope != NULL)
			oauth_request_make(req, d->device_endpoint,
			    (const char *const[]){
			        "client_id", d->client_id, "scope", d->scope, NULL});
		else
			oauth_request_make(req, d->device_endpoint,
			    (const char *const[]){"client_id", d->client_id, NULL});
		d->state = OAUTH_DEVICE_ASKING;
		return 0;
	case OAUTH_DEVICE_WAITING:
		if (now >= d->code.expires_at) {
			oauth_device_end(d, OAUTH_DEVICE_EXPIRED,
			    xstrdup("the login code expired before it was approved: start again"));
			return -1;
		}
		if (now < d->next_poll)
			return 1;
		oauth_request_make(req, d->token_endpoint,
		    (const char *const[]){"grant_type", OAUTH_GRANT_DEVICE, "device_code",
		        secret_str(d->device_code), "client_id", d->client_id, NULL});
		d->state = OAUTH_DEVICE_POLLING;
		return 0;
	case OAUTH_DEVICE_ASKING:
	case OAUTH_DEVICE_POLLING:
		return 1;
	default:
		return -1;
	}
}

/* A user code: printable ASCII, no space at either end. */
static bool
oauth_user_code_ok(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > OAUTH_USER_CODE_MAX || s[0] == ' ' || s[len - 1] == ' ')
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

/* The device authorization answer J (RFC 8628 3.2), at NOW. 0, or -1 with *WHY. */
static int
oauth_device_code_read(struct oauth_device *d, double now, cJSON *j, char **why)
{
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(j, "device_code");
	const cJSON *user = cJSON_GetObjectItemCaseSensitive(j, "user_code");
	const cJSON *uri = cJSON_GetObjectItemCaseSensitive(j, "verification_uri");
	const cJSON *complete = cJSON_GetObjectItemCaseSensitive(j, "verification_uri_complete");
	const cJSON *expires = cJSON_GetObjectItemCaseSensitive(j, "expires_in");
	const cJSON *interval = cJSON_GetObjectItemCaseSensitive(j, "interval");
	long life, every = OAUTH_DEVICE_INTERVAL;

	/* Google's server, before RFC 8628, named it verification_url. */
	if (uri == NULL)
		uri = cJSON_GetObjectItemCaseSensitive(j, "verification_url");
	if (!cJSON_IsString(code) || !oauth_vschar_ok(code->valuestring, OAUTH_DEVICE_CODE_MAX)) {
		*why = xstrdup("it holds no usable device_code");
		return -1;
	}
	if (!cJSON_IsString(user) || !oauth_user_code_ok(user->valuestring)) {
		*why = xstrdup("its user_code is missing or not printable");
		return -1;
	}
	if (!cJSON_IsString(uri) || !oauth_url_ok(uri->valuestring)) {
		*why = xstrdup("its verification_uri is missing or not an https URL");
		return -1;
	}
	if (complete != NULL && !cJSON_IsNull(complete) &&
	    (!cJSON_IsString(complete) || !oauth_url_ok(complete->valuestring))) {
		*why = xstrdup("its verification_uri_complete is not an https URL");
		return -1;
	}
	if (oauth_seconds(expires, OAUTH_DEVICE_CODE_LIFE_MAX, &life) != 0) {
		*why = xstrdup("its expires_in is missing or not a number of seconds");
		return -1;
	}
	if (interval != NULL && !cJSON_IsNull(interval)) {
		/* Zero or less is no interval at all: the default stands. */
		if (cJSON_IsNumber(interval) && interval->valuedouble <= 0)
			every = OAUTH_DEVICE_INTERVAL;
		else if (oauth_seconds(interval, OAUTH_INTERVAL_MAX, &every) != 0) {
			*why = xstrdup("its interval is not a number of seconds");
			return -1;
		}
	}
	d->device_code = secret_new_from(code->valuestring, strlen(code->valuestring));
	d->user_code = xstrdup(user->valuestring);
	d->verification_uri = xstrdup(uri->valuestring);
	d->verification_uri_complete =
	    cJSON_IsString(complete) ? xstrdup(complete->valuestring) : NULL;
	d->code = (struct oauth_device_code){.user_code = d->user_code,
	    .verification_uri = d->verification_uri,
	    .verification_uri_complete = d->verification_uri_complete,
	    .expires_at = now + (double)life};
	d->have_code = true;
	d->interval = (int)every;
	d->next_poll = now + (double)every;
	return 0;
}

/* Wait longer before the next poll: the interval times FACTOR plus ADD, within bounds. */
static void
oauth_device_slower(struct oauth_device *d, double now, int factor, int add)
{
	long next = (long)d->interval * factor + add;

	d->interval = next > OAUTH_INTERVAL_MAX ? OAUTH_INTERVAL_MAX : (int)next;
	d->next_poll = now + d->interval;
}

enum oauth_device_state
oauth_device_answer(struct oauth_device *d, double now, long status, const char *body, size_t len)
{
	struct oauth_who w = {
	    .client_id = d->client_id, .issuer = d->issuer, .scope = d->scope, .user = d->user};
	char code[OAUTH_CODE_MAX + 1], *cause = NULL, *why = NULL;
	enum oauth_error kind;
	cJSON *j;

	if (d->state == OAUTH_DEVICE_ASKING) {
		if (status != 200) {
			oauth_error_read(status, body, len, "the device login could not start",
			    code, &kind, &cause);
			return oauth_device_end(d, OAUTH_DEVICE_FAILED, cause);
		}
		if ((j = oauth_json_object(body, len, "device login answer", &why)) != NULL &&
		    oauth_device_code_read(d, now, j, &why) == 0)
			why = NULL;
		/* The device code is kept in locked memory only. */
		if (j != NULL) {
			cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "device_code");

			if (cJSON_IsString(v))
				explicit_bzero(v->valuestring, strlen(v->valuestring));
			cJSON_Delete(j);
		}
		if (why != NULL) {
			cause = xasprintf("the device login could not start: %s", why);
			free(why);
			return oauth_device_end(d, OAUTH_DEVICE_FAILED, cause);
		}
		free(d->message);
		d->message = NULL;
		d->state = OAUTH_DEVICE_WAITING;
		return d->state;
	}
	if (d->state != OAUTH_DEVICE_POLLING)
		return oauth_device_end(
		    d, OAUTH_DEVICE_FAILED, xstrdup("the login got an answer it did not ask for"));
	if (oauth_tokens_parse(&w, now, status, body, len, "the login failed", &d->tokens, &kind,
	        code, &cause) == 0) {
		/*
		 * A login again for the user the session was locked on must name that user:
		 * anyone else approving would take over the open form.
		 */
		if (d->user != NULL && d->tokens.fhir_user == NULL) {
			oauth_tokens_clear(&d->tokens);
			return oauth_device_end(d, OAUTH_DEVICE_FAILED,
			    xstrdup("the login failed: the token does not say who logged in"));
		}
		free(d->message);
		d->message = NULL;
		d->state = OAUTH_DEVICE_DONE;
		return d->state;
	}
	if (strcmp(code, "authorization_pending") == 0 || strcmp(code, "slow_down") == 0) {
		free(cause);
		free(d->message);
		d->message = NULL;
		/* RFC 8628 3.5: slow_down adds 5 s, for this and every later request. */
		oauth_device_slower(d, now, 1, code[0] == 's' ? OAUTH_SLOW_DOWN_STEP : 0);
		d->state = OAUTH_DEVICE_WAITING;
		return d->state;
	}
	if (strcmp(code, "access_denied") == 0) {
		free(cause);
		return oauth_device_end(d, OAUTH_DEVICE_DENIED, xstrdup("the login was denied"));
	}
	if (strcmp(code, "expired_token") == 0) {
		free(cause);
		return oauth_device_end(d, OAUTH_DEVICE_EXPIRED,
		    xstrdup("the login code expired before it was approved: start again"));
	}
	/* A server briefly failing (no error code, 5xx or 429) is polled again later. */
	if (code[0] == '\0' && (status >= 500 || status == 429) && now < d->code.expires_at) {
		free(cause);
		oauth_device_slower(d, now, 2, 0);
		free(d->message);
		d->message =
		    xasprintf("the authorization server answered HTTP %ld: trying again in "
		              "%d s",
		        status, d->interval);
		d->state = OAUTH_DEVICE_WAITING;
		return d->state;
	}
	return oauth_device_end(d, OAUTH_DEVICE_FAILED, cause);
}

enum oauth_device_state
oauth_device_lost(struct oauth_device *d, double now)
{
	if (d->state == OAUTH_DEVICE_ASKING)
		return oauth_device_end(d, OAUTH_DEVICE_FAILED,
		    xstrdup("the device login could not start: the authorization server did not "
		            "answer"));
	if (d->state != OAUTH_DEVICE_POLLING)
		return d->state;
	/* RFC 8628 3.5: back off on a connection timeout. */
	oauth_device_slower(d, now, 2, 0);
	free(d->message);
	d->message =
	    xasprintf("the authorization server did not answer: trying again in %d s", d->interval);
	d->state = OAUTH_DEVICE_WAITING;
	return d->state;
}

enum oauth_device_state
oauth_device_state(const struct oauth_device *d)
{
	return d->state;
}

const struct oauth_device_code *
oauth_device_code(const struct oauth_device *d)
{
	return d->have_code ? &d->code : NULL;
}

double
oauth_device_wait(const struct oauth_device *d, double now)
{
	double until;

	if (d->state != OAUTH_DEVICE_WAITING)
		return -1;
	/* Wake at the code's expiry too, to say so. */
	until = d->next_poll < d->code.expires_at ? d->next_poll : d->code.expires_at;
	return until > now ? until - now : 0;
}

double
oauth_device_remaining(const struct oauth_device *d, double now)
{
	if (!d->have_code)
		return -1;
	return d->code.expires_at > now ? d->code.expires_at - now : 0;
}

int
oauth_device_interval(const struct oauth_device *d)
{
	return d->interval;
}

const char *
oauth_device_message(const struct oauth_device *d)
{
	return d->message;
}

int
oauth_device_take_tokens(struct oauth_device *d, struct oauth_tokens *out)
{
	if (d->state != OAUTH_DEVICE_DONE || d->tokens.access == NULL)
		return -1;
	*out = d->tokens;
	memset(&d->tokens, 0, sizeof d->tokens);
	return 0;
}
