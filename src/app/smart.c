/*
 * SMART on FHIR login for a profile with auth = smart (issue 17): discovery, the device
 * authorization grant shown with its QR code, the tokens (the access token in locked
 * memory as the HTTP client's bearer header, the refresh token in the keyring per
 * profile and user), silent refresh before expiry and on a 401, the lock's login again
 * when a refresh is refused, and revocation at quit. The protocol is src/net/oauth.h;
 * this file sends its requests over the session's HTTP client and keeps its state.
 */
#include "config.h"

#include "app/app-private.h"
#include "fhir/capability.h"
#include "keyring/keyring.h"
#include "net/oauth.h"
#include "ui/qr.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <stdlib.h>
#include <string.h>

/* Refresh this long before the access token runs out. */
#define REFRESH_MARGIN_S 60
/* How often the session checks its token, and the login screen's countdown redraws. */
#define REFRESH_CHECK_MS 5000
#define TICK_MS 1000
/* How long quit waits for the revocation's answer. */
#define REVOKE_WAIT_S 3.0

enum smart_step {
	SMART_IDLE,
	SMART_DISCOVERY, /* the SMART configuration is being read */
	SMART_METADATA,	 /* the authorization server's metadata (for a device endpoint) */
	SMART_DEVICE,	 /* the device login: a request out or a poll waited for */
	SMART_FAILED,	 /* the login failed: message says why; r starts again */
	SMART_REFRESH,	 /* a refresh is out */
	SMART_REVOKE,	 /* the revocation at quit is out */
};

struct app_smart {
	enum smart_step step;
	uint64_t http_id;
	struct oauth_server server;
	bool discovered;
	enum oauth_metadata_kind metadata_kind;
	char *scope; /* asked for */
	struct oauth_device *device;
	struct ui_qr qr;
	bool qr_tried, qr_ok;
	char *message;
	struct oauth_tokens tokens;
	struct secret *bearer; /* "Authorization: Bearer ...", the HTTP client's (borrowed there) */
	char *user;	       /* the token's fhirUser ("Practitioner/123"), or the certificate's CN */
	char *fhir_user;       /* the fhirUser as the server gave it: a refresh or login again must name it */
	bool user_is_ref;      /* USER is the token's fhirUser ("Type/id"), not the CN */
	bool relogin;	       /* the lock's login again: the open forms wait behind it */
	bool refresh_armed;
};

static const char *const json_accept[] = { "Accept: application/json", NULL };

bool
app_smart_enabled(const struct app *app)
{
	return app->profile != NULL && app->profile->auth != NULL &&
	    strcmp(app->profile->auth, "smart") == 0;
}

static struct app_smart *
smart_of(struct app *app)
{
	if (app->smart == NULL)
		app->smart = xcalloc(1, sizeof *app->smart);
	return app->smart;
}

const char *
app_smart_user(const struct app *app)
{
	return app->smart != NULL ? app->smart->user : NULL;
}

const char *
app_fhir_user(struct app *app)
{
	return app->smart != NULL && app->smart->user_is_ref ? app->smart->user : NULL;
}

bool
app_smart_relogin(const struct app *app)
{
	return app->smart != NULL && app->smart->relogin;
}

const char *
app_smart_granted(const struct app *app)
{
	return app->smart != NULL && app->smart->tokens.access != NULL ? app->smart->tokens.scope
								       : NULL;
}

static void
device_stop(struct app *app, struct app_smart *s)
{
	if (s->http_id != 0 && app->session != NULL && app->session->http != NULL)
		http_cancel(app->session->http, s->http_id);
	s->http_id = 0;
	oauth_device_free(&s->device);
	ui_qr_free(&s->qr);
	s->qr_tried = s->qr_ok = false;
}

static struct oauth_client
client_of(struct app *app, struct app_smart *s)
{
	return (struct oauth_client){ .server = &s->server,
		.client_id = app->profile->client_id != NULL ? app->profile->client_id : "ehrterm",
		.scope = s->scope,
		.user = s->relogin || s->step == SMART_REFRESH ? s->fhir_user : NULL };
}

static uint64_t
submit_get(struct app *app, const char *url, http_done_fn done)
{
	struct http_request r = { .method = HTTP_GET, .url = url, .headers = json_accept,
		.retry = true, .no_bearer = true };

	return http_submit(app->session->http, &r, done, app);
}

/* REQ's body (a device code or a refresh token) is copied by http_submit, wiped when sent. */
static uint64_t
submit_oauth(struct app *app, struct oauth_request *req, http_done_fn done)
{
	struct http_request r = oauth_request_http(req);
	uint64_t id;

	r.no_bearer = true;
	id = http_submit(app->session->http, &r, done, app);
	oauth_request_clear(req);
	return id;
}

/* The login failed (FAILED: r starts it again) with WHY, a safe sentence. */
static void
login_failed(struct app *app, struct app_smart *s, const char *why)
{
	/* WHY may be the device grant's own sentence, which device_stop frees: copied first. */
	char *message = xstrdup(why != NULL ? why : "the login failed");

	device_stop(app, s);
	free(s->message);
	s->message = message;
	s->step = SMART_FAILED;
	app_audit(app, "login-failed", NULL, NULL);
	app->dirty = true;
}

/* --- discovery ----------------------------------------------------------------------- */

static void device_start(struct app *app, struct app_smart *s);

static void
discovered(struct app *app, struct app_smart *s)
{
	char *cause = NULL;
	struct oauth_scopes *sc;

	s->discovered = true;
	if (oauth_server_check(&s->server, &cause) != 0) {
		login_failed(app, s, cause);
		free(cause);
		return;
	}
	sc = app_smart_scopes();
	free(s->scope);
	s->scope = oauth_scope_request(app->profile->scopes, sc, &s->server, &cause);
	oauth_scopes_free(&sc);
	if (s->scope == NULL) {
		login_failed(app, s, cause);
		free(cause);
		return;
	}
	device_start(app, s);
}

static void
on_metadata(const struct http_response *resp, void *arg)
{
	struct app *app = arg;
	struct app_smart *s = app->smart;
	char *cause = NULL;

	s->http_id = 0;
	if (resp->error == HTTP_ERR_CANCELLED || s->step != SMART_METADATA)
		return;
	if (resp->error == HTTP_OK && resp->status == 404 &&
	    s->metadata_kind == OAUTH_METADATA_RFC8414) {
		char *url = oauth_metadata_url(s->server.issuer, OAUTH_METADATA_OIDC);

		s->metadata_kind = OAUTH_METADATA_OIDC;
		if (url != NULL) {
			s->http_id = submit_get(app, url, on_metadata);
			free(url);
			return;
		}
	}
	if (resp->error != HTTP_OK || resp->status != 200) {
		cause = xasprintf("the authorization server's metadata could not be read: %s",
		    resp->error != HTTP_OK ? http_error_hint(resp->error) : "the server refused it");
		login_failed(app, s, cause);
		free(cause);
		return;
	}
	if (oauth_server_add_metadata(&s->server, resp->body, resp->body_len, &cause) != 0) {
		login_failed(app, s, cause);
		free(cause);
		return;
	}
	discovered(app, s);
}

static void
on_discovery(const struct http_response *resp, void *arg)
{
	struct app *app = arg;
	struct app_smart *s = app->smart;
	char *cause = NULL;

	s->http_id = 0;
	if (resp->error == HTTP_ERR_CANCELLED || s->step != SMART_DISCOVERY)
		return;
	if (resp->error != HTTP_OK || resp->status != 200) {
		cause = resp->error != HTTP_OK
		    ? xasprintf("the server's SMART configuration could not be read: %s",
			  resp->message != NULL ? resp->message : http_error_hint(resp->error))
		    : xasprintf("the server has no SMART configuration (HTTP %ld)", resp->status);
		login_failed(app, s, cause);
		free(cause);
		return;
	}
	oauth_server_clear(&s->server);
	if (oauth_server_read(&s->server, resp->body, resp->body_len, &cause) != 0) {
		login_failed(app, s, cause);
		free(cause);
		return;
	}
	if (oauth_server_needs_metadata(&s->server)) {
		char *url = oauth_metadata_url(s->server.issuer, OAUTH_METADATA_RFC8414);

		if (url != NULL) {
			s->step = SMART_METADATA;
			s->metadata_kind = OAUTH_METADATA_RFC8414;
			s->http_id = submit_get(app, url, on_metadata);
			free(url);
			return;
		}
	}
	discovered(app, s);
}

/* --- the device login ---------------------------------------------------------------- */

static void device_next(struct app *app, struct app_smart *s);

static void
tick(struct app *app, void *state)
{
	struct app_smart *s = app->smart;

	(void)state;
	if (s == NULL || s->step != SMART_DEVICE)
		return;
	app->dirty = true; /* the countdown */
	if (s->http_id == 0 && s->device != NULL &&
	    oauth_device_state(s->device) == OAUTH_DEVICE_WAITING &&
	    oauth_device_wait(s->device, app_now()) <= 0)
		device_next(app, s);
	if (s->step == SMART_DEVICE)
		app_timer_own(app, NULL, TICK_MS, tick);
}

static void tokens_install(struct app *app, struct app_smart *s, struct oauth_tokens *t);

static void
device_done(struct app *app, struct app_smart *s)
{
	struct oauth_tokens t;

	if (oauth_device_take_tokens(s->device, &t) != 0) {
		login_failed(app, s, "the server's answer held no tokens");
		return;
	}
	device_stop(app, s);
	s->step = SMART_IDLE;
	tokens_install(app, s, &t);
	if (s->relogin) {
		/* The same user (oauth.c refused another): the forms behind the lock are theirs. */
		s->relogin = false;
		app->locked = false;
		app->last_key = app_now();
		app_audit(app, "unlock", NULL, NULL);
		app_status(app, "Logged in again as %s", s->user);
		return;
	}
	app_smart_logged_in(app);
}

static void
device_state(struct app *app, struct app_smart *s)
{
	switch (oauth_device_state(s->device)) {
	case OAUTH_DEVICE_WAITING: {
		const struct oauth_device_code *code = oauth_device_code(s->device);

		if (!s->qr_tried && code != NULL) {
			char *cause = NULL;

			s->qr_tried = true;
			s->qr_ok = code->verification_uri_complete != NULL &&
			    ui_qr_encode(code->verification_uri_complete, &s->qr, &cause) == 0;
			free(cause);
		}
		app->dirty = true;
		break;
	}
	case OAUTH_DEVICE_DONE:
		device_done(app, s);
		break;
	case OAUTH_DEVICE_DENIED:
	case OAUTH_DEVICE_EXPIRED:
	case OAUTH_DEVICE_FAILED:
		login_failed(app, s, oauth_device_message(s->device));
		break;
	default:
		break;
	}
}

static void
on_device(const struct http_response *resp, void *arg)
{
	struct app *app = arg;
	struct app_smart *s = app->smart;

	s->http_id = 0;
	if (resp->error == HTTP_ERR_CANCELLED || s->step != SMART_DEVICE || s->device == NULL)
		return;
	if (resp->error != HTTP_OK)
		oauth_device_lost(s->device, app_now());
	else
		oauth_device_answer(s->device, app_now(), resp->status, resp->body, resp->body_len);
	device_state(app, s);
}

static void
device_next(struct app *app, struct app_smart *s)
{
	struct oauth_request req = { 0 };
	int rc = oauth_device_next(s->device, app_now(), &req);

	if (rc == 0) {
		s->http_id = submit_oauth(app, &req, on_device);
		return;
	}
	oauth_request_clear(&req);
	if (rc < 0)
		device_state(app, s);
}

static void
device_start(struct app *app, struct app_smart *s)
{
	struct oauth_client c;
	char *cause = NULL;

	device_stop(app, s);
	s->step = SMART_DEVICE;
	c = client_of(app, s);
	s->device = oauth_device_new(&c, &cause);
	if (s->device == NULL) {
		login_failed(app, s, cause);
		free(cause);
		return;
	}
	device_next(app, s);
	if (s->step == SMART_DEVICE)
		app_timer_own(app, NULL, TICK_MS, tick);
	app->dirty = true;
}

void
app_smart_start(struct app *app)
{
	struct app_smart *s = smart_of(app);
	char *url;

	device_stop(app, s);
	free(s->message);
	s->message = NULL;
	if (s->discovered) {
		device_start(app, s);
		return;
	}
	url = oauth_discovery_url(app->profile->base_url);
	if (url == NULL) {
		login_failed(app, s, "the profile's base_url is not https");
		return;
	}
	s->step = SMART_DISCOVERY;
	s->http_id = submit_get(app, url, on_discovery);
	free(url);
	app->dirty = true;
}

/* --- tokens -------------------------------------------------------------------------- */

static void refresh_check(struct app *app, void *state);

/*
 * T becomes the session's (taken): its access token the HTTP client's bearer header, its
 * refresh token (or the one it replaces, when a refresh gave none) in the keyring for
 * this profile and user, so a crash leaves it where only this user's session can reach it.
 */
static void refresh_start(struct app *app, struct app_smart *s);

/*
 * A request was answered 401 for the token and is parked in the HTTP client: renew the
 * token, and the client sends it again with the new one (a refused refresh locks the
 * session for a new login, after which it goes).
 */
static void
on_bearer_refused(void *arg)
{
	struct app *app = arg;
	struct app_smart *s = app->smart;

	if (s == NULL || app->phase != PHASE_READY || s->relogin || s->step != SMART_IDLE ||
	    s->tokens.access == NULL)
		return;
	app_status(app, "The token was refused: renewing it, then the request goes again");
	refresh_start(app, s);
}

static void
tokens_install(struct app *app, struct app_smart *s, struct oauth_tokens *t)
{
	struct secret *old = s->bearer;
	char *cause = NULL;

	if (t->refresh == NULL && s->tokens.refresh != NULL) {
		t->refresh = s->tokens.refresh;
		s->tokens.refresh = NULL;
	}
	oauth_tokens_clear(&s->tokens);
	s->tokens = *t;
	memset(t, 0, sizeof *t);
	s->bearer = oauth_bearer_header(&s->tokens);
	/* Before the new token goes in: requests parked for the old one go again with it. */
	http_client_on_bearer_refused(app->session->http, on_bearer_refused, app);
	http_client_set_bearer(app->session->http, s->bearer, app->profile->base_url);
	secret_free(&old);
	if (s->user == NULL) {
		s->user_is_ref = s->tokens.fhir_user_ref != NULL;
		s->user = xstrdup(s->user_is_ref ? s->tokens.fhir_user_ref : app->session->user);
	}
	if (s->fhir_user == NULL && s->tokens.fhir_user != NULL)
		s->fhir_user = xstrdup(s->tokens.fhir_user);
	if (s->tokens.refresh != NULL &&
	    keyring_store_user(app->profile->name, s->user, KEYRING_REFRESH_TOKEN,
		s->tokens.refresh, &cause) != 0) {
		app_error(app, "The refresh token is kept in memory only: %s",
		    cause != NULL ? cause : "the keyring failed");
	}
	free(cause);
	/* The grant may differ from the last token's: the modules' grades follow it. */
	app_smart_caps(app);
	if (!s->refresh_armed) {
		s->refresh_armed = true;
		app_timer_own(app, NULL, REFRESH_CHECK_MS, refresh_check);
	}
}

/* The refresh was refused: the session locks and asks for a device login again. */
static void
relogin(struct app *app, struct app_smart *s, const char *why)
{
	struct secret *old = s->bearer;

	http_client_set_bearer(app->session->http, NULL, NULL);
	s->bearer = NULL;
	secret_free(&old);
	oauth_tokens_clear(&s->tokens);
	app_lock(app);
	s->relogin = true;
	free(s->message);
	s->message = NULL;
	app_error(app, "Log in again: %s", why != NULL ? why : "the session's token was refused");
	app_smart_start(app);
}

static void
on_refresh(const struct http_response *resp, void *arg)
{
	struct app *app = arg;
	struct app_smart *s = app->smart;
	struct oauth_tokens t;
	struct oauth_client c;
	enum oauth_error kind = OAUTH_ERR_SERVER;
	char *cause = NULL;

	s->http_id = 0;
	if (resp->error == HTTP_ERR_CANCELLED || s->step != SMART_REFRESH)
		return;
	c = client_of(app, s);
	s->step = SMART_IDLE;
	if (resp->error != HTTP_OK) {
		/* Not refused: the next check tries again while the token lasts. */
		app_error(app, "The session's token could not be renewed yet: %s",
		    http_error_hint(resp->error));
		return;
	}
	if (oauth_tokens_read(&c, app_now(), resp->status, resp->body, resp->body_len, &t, &kind,
		&cause) == 0) {
		tokens_install(app, s, &t);
		app->dirty = true;
	} else if (kind == OAUTH_ERR_REFUSED) {
		relogin(app, s, cause);
	} else {
		app_error(app, "The session's token could not be renewed yet: %s",
		    cause != NULL ? cause : "the server failed");
	}
	free(cause);
}

static void
refresh_start(struct app *app, struct app_smart *s)
{
	struct oauth_request req = { 0 };
	struct oauth_client c;
	char *cause = NULL;

	if (s->step != SMART_IDLE || app->session == NULL || app->session->http == NULL)
		return;
	if (s->tokens.refresh == NULL) {
		relogin(app, s, "the server gave no refresh token");
		return;
	}
	s->step = SMART_REFRESH;
	c = client_of(app, s);
	if (oauth_refresh_request(&c, s->tokens.refresh, &req, &cause) != 0) {
		s->step = SMART_IDLE;
		relogin(app, s, cause);
		free(cause);
		return;
	}
	s->http_id = submit_oauth(app, &req, on_refresh);
}

static void
refresh_check(struct app *app, void *state)
{
	struct app_smart *s = app->smart;

	(void)state;
	if (s == NULL || app->phase != PHASE_READY) {
		if (s != NULL)
			s->refresh_armed = false;
		return;
	}
	if (s->step == SMART_IDLE && s->tokens.access != NULL &&
	    oauth_tokens_expiring(&s->tokens, app_now(), REFRESH_MARGIN_S))
		refresh_start(app, s);
	app_timer_own(app, NULL, REFRESH_CHECK_MS, refresh_check);
}

void
app_smart_unauthorized(struct app *app)
{
	struct app_smart *s = app->smart;

	if (s == NULL || !app_smart_enabled(app) || app->phase != PHASE_READY || s->relogin)
		return;
	if (s->step == SMART_IDLE && s->tokens.access != NULL) {
		app_status(app, "The server refused the session's token: renewing it; try again");
		refresh_start(app, s);
	}
}

/* --- quit: revocation ---------------------------------------------------------------- */

static void
on_revoke(const struct http_response *resp, void *arg)
{
	struct app *app = arg;
	struct app_smart *s = app->smart;
	char *cause = NULL;

	s->http_id = 0;
	s->step = SMART_IDLE;
	if (resp->error != HTTP_OK ||
	    oauth_revoke_read(resp->status, resp->body, resp->body_len, &cause) != 0) {
		free(s->message);
		s->message = xstrdup(cause != NULL ? cause : "the revocation got no answer");
	}
	free(cause);
}

/*
 * Logout, at quit: the refresh token is revoked at the server (RFC 7009), waiting a few
 * seconds for the answer, and forgotten from the keyring whatever the answer.
 */
void
app_smart_logout(struct app *app)
{
	struct app_smart *s = app->smart;
	struct oauth_request req = { 0 };
	struct oauth_client c;
	char *cause = NULL;

	if (s == NULL || app->session == NULL || app->session->http == NULL)
		return;
	device_stop(app, s);
	if (s->http_id != 0)
		http_cancel(app->session->http, s->http_id);
	s->step = SMART_REVOKE;
	c = client_of(app, s);
	if (s->tokens.refresh != NULL && oauth_revoke_request(&c, s->tokens.refresh, &req, &cause) == 0) {
		double until = app_now() + REVOKE_WAIT_S;

		s->http_id = submit_oauth(app, &req, on_revoke);
		while (s->http_id != 0 && app_now() < until) {
			http_client_wait(app->session->http, NULL, 0, 100, NULL);
			http_client_pump(app->session->http);
		}
		if (s->http_id != 0)
			http_cancel(app->session->http, s->http_id);
	}
	free(cause);
	s->step = SMART_IDLE;
	if (s->user != NULL) {
		cause = NULL;
		keyring_forget_user(app->profile->name, s->user, KEYRING_REFRESH_TOKEN, &cause);
		free(cause);
	}
	http_client_set_bearer(app->session->http, NULL, NULL);
	secret_free(&s->bearer);
	oauth_tokens_clear(&s->tokens);
}

void
app_smart_free(struct app *app)
{
	struct app_smart *s = app->smart;

	if (s == NULL)
		return;
	oauth_device_free(&s->device);
	ui_qr_free(&s->qr);
	oauth_server_clear(&s->server);
	oauth_tokens_clear(&s->tokens);
	secret_free(&s->bearer);
	free(s->scope);
	free(s->message);
	free(s->user);
	free(s->fhir_user);
	free(s);
	app->smart = NULL;
}

/* A new login from the start (a new profile, r after a failed login): nothing carried over. */
void
app_smart_reset(struct app *app)
{
	if (app->smart == NULL)
		return;
	if (app->session != NULL && app->session->http != NULL) {
		device_stop(app, app->smart);
		http_client_set_bearer(app->session->http, NULL, NULL);
	}
	app_smart_free(app);
}

/* --- scopes -------------------------------------------------------------------------- */

static unsigned
perms_of(unsigned interactions)
{
	unsigned p = 0;

	if (interactions & (FHIR_READ | FHIR_VREAD))
		p |= OAUTH_PERM_R;
	if (interactions & FHIR_SEARCH)
		p |= OAUTH_PERM_S;
	if (interactions & FHIR_CREATE)
		p |= OAUTH_PERM_C;
	if (interactions & FHIR_UPDATE)
		p |= OAUTH_PERM_U;
	if (interactions & FHIR_DELETE)
		p |= OAUTH_PERM_D;
	return p;
}

/*
 * What the screens read and write beside the modules' needs (fhir_modules): the chart's
 * immunizations and visits, the names of organizations, places and medications that
 * references point to, the insurance screen's Coverage, billing's posting. Without these
 * the token would not cover them: refused before they are sent (fhir_caps_set_grant), or
 * by the server with a 403 before the capabilities are in. They are not the modules'
 * grade, so not in their needs.
 */
static const struct {
	const char *type;
	unsigned perms;
} other_scopes[] = {
	{ "Immunization", OAUTH_PERM_C | OAUTH_PERM_R | OAUTH_PERM_S },
	{ "ImmunizationRecommendation", OAUTH_PERM_R | OAUTH_PERM_S },
	{ "Encounter", OAUTH_PERM_R | OAUTH_PERM_S },
	{ "Coverage", OAUTH_PERM_C | OAUTH_PERM_R | OAUTH_PERM_U | OAUTH_PERM_S },
	{ "Organization", OAUTH_PERM_R | OAUTH_PERM_S },
	{ "Location", OAUTH_PERM_R | OAUTH_PERM_S },
	{ "Medication", OAUTH_PERM_R | OAUTH_PERM_S },
	{ "Procedure", OAUTH_PERM_R | OAUTH_PERM_S },
	{ "DiagnosticReport", OAUTH_PERM_R | OAUTH_PERM_S },
	{ "Provenance", OAUTH_PERM_R | OAUTH_PERM_S },
	{ "Binary", OAUTH_PERM_R },
	{ "PractitionerRole", OAUTH_PERM_R | OAUTH_PERM_S },
	/* Billing's posting and its claims' changes, the audit_server's AuditEvents. */
	{ "ChargeItem", OAUTH_PERM_R | OAUTH_PERM_U },
	{ "Claim", OAUTH_PERM_R | OAUTH_PERM_U },
	{ "Account", OAUTH_PERM_R },
	{ "ClaimResponse", OAUTH_PERM_C | OAUTH_PERM_R | OAUTH_PERM_U | OAUTH_PERM_S },
	{ "PaymentReconciliation", OAUTH_PERM_C | OAUTH_PERM_R | OAUTH_PERM_S },
	{ "PaymentNotice", OAUTH_PERM_C | OAUTH_PERM_R | OAUTH_PERM_S },
	{ "AuditEvent", OAUTH_PERM_C },
};

struct oauth_scopes *
app_smart_scopes(void)
{
	struct oauth_scopes *sc = oauth_scopes_new();

	/* Home finds the user's Practitioner (who is logged in) before any module opens. */
	oauth_scopes_add(sc, "Practitioner", OAUTH_PERM_R | OAUTH_PERM_S);
	for (size_t i = 0; i < fhir_modules_count; i++)
		for (int w = 0; w < 2; w++)
			for (const struct fhir_need *n = w ? fhir_modules[i].writes : fhir_modules[i].needs;
			     n != NULL && n->type != NULL; n++)
				if (perms_of(n->interactions) != 0)
					oauth_scopes_add(sc, n->type, perms_of(n->interactions));
	for (size_t i = 0; i < sizeof other_scopes / sizeof other_scopes[0]; i++)
		oauth_scopes_add(sc, other_scopes[i].type, other_scopes[i].perms);
	return sc;
}

/* fhir_caps_set_grant's question: the scope of MASK on TYPE the session's token lacks. */
static char *
grant_missing(const char *type, unsigned mask, void *arg)
{
	const char *granted = app_smart_granted(arg);
	unsigned miss;

	/* No token (being renewed, or a login again): nothing is refused for it meanwhile. */
	if (granted == NULL)
		return NULL;
	miss = oauth_scope_missing(granted, type, perms_of(mask));
	return miss != 0 ? oauth_scope_text(type, miss) : NULL;
}

void
app_smart_caps(struct app *app)
{
	if (!app_smart_enabled(app) || app->session == NULL || app->session->caps == NULL ||
	    app->smart == NULL)
		return;
	fhir_caps_set_grant(app->session->caps, grant_missing, app);
}

char *
app_smart_missing(const struct app *app, const char *module)
{
	const char *granted = app_smart_granted(app);

	/*
	 * Once the statement is in, its grade and the grant's are one (app_smart_caps): the
	 * lower of the two, the statement's reason first (fhir_module_missing says it).
	 */
	if (granted == NULL || module == NULL || (app->session != NULL && app->session->caps != NULL))
		return NULL;
	for (size_t i = 0; i < fhir_modules_count; i++) {
		if (strcmp(fhir_modules[i].name, module) != 0)
			continue;
		/* Its reads only: a module granted its reads but not its writes is read-only. */
		for (const struct fhir_need *n = fhir_modules[i].needs; n != NULL && n->type != NULL; n++) {
			unsigned miss = oauth_scope_missing(granted, n->type, perms_of(n->interactions));

			if (miss != 0) {
				char *text = oauth_scope_text(n->type, miss);
				char *why = xasprintf("not granted: %s", text);

				free(text);
				return why;
			}
		}
	}
	return NULL;
}

/* --- the screen ---------------------------------------------------------------------- */

void
app_smart_key(struct app *app, int key)
{
	struct app_smart *s = smart_of(app);
	enum action a = keymap_lookup(app->keymap, "global", key);

	if (s->step == SMART_FAILED) {
		/*
		 * Behind the lock's login again are forms with unsaved text: as at the idle lock,
		 * nothing quits from here without the user (a new code, r, is the way on).
		 */
		if (key == 'r' || a == A_REFRESH || a == A_SELECT)
			app_smart_start(app);
		else if (!s->relogin && (a == A_QUIT || a == A_BACK || key == 'q'))
			app->quit = true;
		return;
	}
	if (a == A_BACK || key == 27) {
		/* Esc cancels the login: the poll out is stopped, the code forgotten. */
		device_stop(app, s);
		free(s->message);
		s->message = xstrdup("the login was cancelled");
		s->step = SMART_FAILED;
		app->dirty = true;
	} else if (a == A_QUIT && !s->relogin) {
		app->quit = true;
	}
}

void
app_smart_draw(struct app *app)
{
	struct app_smart *s = smart_of(app);
	const struct oauth_device_code *code = s->device != NULL ? oauth_device_code(s->device) : NULL;
	int row = 2, width = COLS - 4, qx = -1;

	if (s->relogin) {
		ui_putf(stdscr, row++, 2, width, UI_NORMAL, false,
		    "The session of %s needs a new login. What is open is kept.",
		    s->user != NULL ? s->user : "this user");
		row++;
	}
	switch (s->step) {
	case SMART_DISCOVERY:
	case SMART_METADATA:
		ui_putf(stdscr, row, 2, width, UI_NORMAL, false, "Reading the SMART configuration of %s",
		    app->profile->base_url);
		break;
	case SMART_DEVICE:
		if (code == NULL) {
			ui_put(stdscr, row, 2, width, "Asking the server for a login code...", UI_NORMAL,
			    false);
			break;
		}
		{
			/* The text on the left, the code on the right where both fit: an 80-column
			 * terminal holds a version 4 code (41 columns) beside a 36-byte URL. */
			int need = (int)strlen(code->verification_uri) + 3;

			if (need < 28)
				need = 28;
			if (s->qr_ok && ui_qr_fits(&s->qr, COLS - need, LINES - 2, ui_utf8())) {
				qx = COLS - ui_qr_cols(&s->qr);
				ui_qr_draw(&s->qr, stdscr, 1, qx);
				width = qx - 3;
			}
		}
		ui_put(stdscr, row++, 2, width, "Log in on another device:", UI_NORMAL, false);
		row++;
		ui_put(stdscr, row++, 2, width, "Open", UI_NORMAL, false);
		ui_put(stdscr, row++, 2, width, code->verification_uri, UI_TITLE, false);
		ui_put(stdscr, row++, 2, width, "and enter the code", UI_NORMAL, false);
		ui_put(stdscr, row++, 2, width, code->user_code, UI_TITLE, false);
		row++;
		if (qx >= 0)
			ui_put(stdscr, row++, 2, width, "or scan the QR code.", UI_NORMAL, false);
		{
			double left = oauth_device_remaining(s->device, app_now());
			long sec = left > 0 ? (long)left : 0;

			ui_putf(stdscr, row++, 2, width, UI_NORMAL, false, "The code is valid for %ld:%02ld.",
			    sec / 60, sec % 60);
		}
		if (oauth_device_message(s->device) != NULL)
			ui_put(stdscr, row++, 2, width, oauth_device_message(s->device), UI_DIM, false);
		row++;
		ui_putf(stdscr, row++, 2, width, UI_DIM, false, "Waiting for the approval (every %d s).",
		    oauth_device_interval(s->device));
		ui_put(stdscr, row, 2, width, "Esc cancels", UI_NORMAL, false);
		break;
	case SMART_FAILED:
		ui_put(stdscr, row++, 2, width, "Could not log in:", UI_ERROR, false);
		ui_put(stdscr, row++, 4, width - 2, s->message, UI_NORMAL, false);
		row++;
		ui_put(stdscr, row, 2, width, s->relogin ? "r: a new code" : "r: try again   q: quit",
		    UI_NORMAL, false);
		break;
	default:
		break;
	}
}
