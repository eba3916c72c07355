/*
 * The profile's audit_server: each event the local trail takes goes to the server too,
 * as an AuditEvent, behind the screens. Batched (events a second apart go together),
 * sent with the app's one request call as a background request, kept in memory and
 * sent again with back-off while the server is away; at quit, one last short try.
 */
#include "config.h"

#include "app/app-private.h"
#include "app/relay.h"
#include "util/xmalloc.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Events within this long of each other share a batch. */
#define SERVER_BATCH_MS 1000
/* The last try at quit: long enough for a near server, short enough to quit at once. */
#define SERVER_QUIT_MS 2000

struct audit_server {
	struct relay *relay;
	bool armed; /* a send is due on the timer */
};

static void server_send(struct app *app, void *state);

static bool
server_wanted(struct app *app)
{
	return app->profile != NULL && app->profile->audit_server != NULL &&
	       strcmp(app->profile->audit_server, "yes") == 0;
}

/* Send after MS, unless a send is due sooner already. */
static void
server_arm(struct app *app, int ms)
{
	struct audit_server *s = app->audit_server;

	if (s->armed)
		return;
	s->armed = true;
	app_timer_own(app, s, ms, server_send);
}

static void
on_sent(struct app *app, void *state, struct fhir_result *result, unsigned long tag)
{
	struct audit_server *s = state;
	struct relay_outcome out;

	(void)tag;
	relay_answer(s->relay, app_now(), result, &out);
	if (out.refused > 0)
		/* Gone for good from the server's copy: the clerk and the local trail must know. */
		app_error(app,
		    "The server's copy of the audit trail lacks %zu event%s (the local "
		    "trail has them): %s",
		    out.refused, out.refused == 1 ? "" : "s", out.why);
	free(out.why);
	/* The next batch at once after a success, after the back-off after a failure. */
	if (relay_queued(s->relay) > 0)
		server_arm(app, (int)(relay_wait(s->relay, app_now()) * 1000.0));
}

static void
server_send(struct app *app, void *state)
{
	struct audit_server *s = state;
	size_t n;
	double wait;
	cJSON *batch;

	s->armed = false;
	if (app->session == NULL || app_fhir(app) == NULL)
		return;
	batch = relay_take(s->relay, app_now(), &n, &wait);
	if (batch == NULL) {
		if (wait > 0)
			server_arm(app, (int)(wait * 1000.0) + 1);
		return;
	}
	requests_start(app->requests, 0, s,
	    &(struct app_request){.batch = batch,
	        .done = on_sent,
	        .background = true,
	        .label = "Sending the audit trail to the server"});
	cJSON_Delete(batch);
}

struct audit_server *
app_server_audit_start(struct app *app, size_t capacity)
{
	struct audit_server *s = app->audit_server;

	if (s == NULL) {
		s = app->audit_server = xcalloc(1, sizeof *s);
		s->relay = relay_new(capacity, app->session != NULL ? app->session->user : NULL,
		    app->workstation, app->profile != NULL ? app->profile->name : NULL);
	}
	return s;
}

void
app_server_audit(
    struct app *app, const char *action, const char *type, const char *const *ids, size_t n)
{
	struct audit_server *s = app->audit_server;
	char *cause = NULL;

	if (!server_wanted(app) || app->session == NULL || app->session->user == NULL)
		return;
	if (s == NULL)
		s = app_server_audit_start(app, RELAY_CAPACITY);
	switch (relay_add(s->relay, action, type, ids, n, time(NULL))) {
	case RELAY_QUEUED:
		server_arm(app, SERVER_BATCH_MS);
		break;
	case RELAY_FULL_FIRST:
		app_error(app,
		    "The server has not taken the audit trail for a long time: %zu events "
		    "wait; from now on events are only in the local trail",
		    relay_queued(s->relay));
		/* The local trail says when the server's copy began to miss events. */
		if (app->audit != NULL &&
		    audit_log(app->audit, "server-full", NULL, NULL, &cause) != 0) {
			app_error(app, "The audit trail cannot be written: %s", cause);
			free(cause);
		}
		break;
	case RELAY_FULL:
		break;
	}
}

size_t
app_server_audit_queued(struct app *app)
{
	return app->audit_server != NULL ? relay_queued(app->audit_server->relay) : 0;
}

void
app_server_audit_close(struct app *app)
{
	struct audit_server *s = app->audit_server;
	double deadline = app_now() + SERVER_QUIT_MS / 1000.0;

	if (s == NULL)
		return;
	/* One last try for what is still queued, now, whatever the back-off says. */
	if (app->session != NULL && app->session->http != NULL && relay_queued(s->relay) > 0)
		relay_retry_now(s->relay, app_now());
	while (app->session != NULL && app->session->http != NULL && app_now() < deadline) {
		if (!relay_in_flight(s->relay)) {
			/* Another batch only after a success: a failure ends the try. */
			if (relay_queued(s->relay) == 0 || relay_wait(s->relay, app_now()) > 0)
				break;
			server_send(app, s);
			if (!relay_in_flight(s->relay))
				break;
		}
		http_client_wait(
		    app->session->http, NULL, 0, (int)((deadline - app_now()) * 1000.0) + 1, NULL);
		http_client_pump(app->session->http);
		requests_deliver(app->requests);
	}
	relay_free(&s->relay);
	free(s);
	app->audit_server = NULL;
}
