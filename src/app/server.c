/* Requests to the server: app_request() over the session's FHIR client, and Esc. */
#include "config.h"

#include "app/app-private.h"
#include "fhir/capability.h"
#include "fhir/plan.h"
#include "util/xmalloc.h"

#include <stdlib.h>
#include <string.h>

static void
refuse(fhir_done_fn done, void *arg, const char *why)
{
	struct fhir_result r = { .status = FHIR_REFUSED, .message = xstrdup(why) };

	done(&r, arg);
	fhir_result_clear(&r);
}

/*
 * Why the server would refuse a step of PLAN, from its CapabilityStatement (NULL when
 * it is not in yet, or offers every step): a write it does not offer is not sent.
 */
static char *
plan_refusal(struct app *app, struct fhir_client *fc, const struct fhir_plan *plan)
{
	cJSON *bundle;
	char *why;

	if (app_caps(app) == NULL)
		return NULL;
	bundle = fhir_plan_transaction(plan, fc);
	why = fhir_caps_bundle_refusal(app_caps(app), bundle);
	cJSON_Delete(bundle);
	return why;
}

/* The transport of ehrterm: REQ as the FHIR client sends it. */
static void
start(void *ctx, const struct app_request *req, fhir_done_fn done, void *arg, uint64_t *http_id)
{
	struct app *app = ctx;
	struct fhir_client *fc = app_fhir(app);
	uint64_t id = 0;

	if (fc == NULL) {
		struct fhir_plan *plan = req->plan;

		fhir_plan_free(&plan);
		refuse(done, arg, "not connected to the server");
		return;
	}
	/* The app's own work behind the screens gives way to what the user waits for. */
	fhir_client_yielding(fc, req->background);
	if (req->plan != NULL) {
		/*
		 * Before the capabilities are in (a screen opened while connecting), a plan goes
		 * as a transaction: all or nothing, so a server without them refuses it whole.
		 */
		bool tx = app_caps(app) == NULL || fhir_caps_transactions(app_caps(app));
		char *why = plan_refusal(app, fc, req->plan);

		if (why != NULL) {
			struct fhir_plan *plan = req->plan;

			fhir_plan_free(&plan);
			refuse(done, arg, why);
			free(why);
			fhir_client_yielding(fc, false);
			return;
		}
		fhir_plan_allow(req->plan, app_caps(app));
		/* The plan keeps *HTTP_ID at its step in flight, so Esc stops whichever runs. */
		fhir_plan_start(fc, req->plan, tx, done, arg, http_id);
		fhir_client_yielding(fc, false);
		return;
	}
	if (req->read != NULL) {
		const char *slash = strchr(req->read, '/');
		char *type = slash != NULL ? xstrndup(req->read, (size_t)(slash - req->read)) : NULL;

		char *why = NULL;

		if (type == NULL || !fhir_valid_type(type) || !fhir_valid_id(slash + 1))
			refuse(done, arg, "not a resource reference");
		else if (!fhir_caps_offers(app_caps(app), type, FHIR_READ, &why))
			refuse(done, arg, why);
		else
			id = fhir_read(fc, type, slash + 1, req->if_none_match, done, arg);
		free(why);
		free(type);
	} else if (req->search != NULL) {
		char *why = NULL;

		if (!fhir_caps_offers(app_caps(app), fhir_search_type(req->search), FHIR_SEARCH, &why))
			refuse(done, arg, why);
		else
			id = fhir_search(fc, req->search, done, arg);
		free(why);
	} else if (req->batch != NULL && app_caps(app) != NULL && !fhir_caps_batches(app_caps(app)) &&
		   fhir_bundle_reads_only(req->batch)) {
		/*
		 * A server that takes no batch gets its reads as GETs, all at once on the one
		 * connection; the screen hears the same batch-response either way.
		 */
		fhir_batch_as_reads(fc, req->batch, app_caps(app), done, arg, http_id);
		fhir_client_yielding(fc, false);
		return;
	} else if (req->page != NULL) {
		id = fhir_get_page(fc, req->page, done, arg);
	} else if (req->batch != NULL) {
		id = fhir_bundle(fc, req->batch, done, arg);
	} else if (req->metadata) {
		id = fhir_metadata(fc, done, arg);
	} else {
		refuse(done, arg, "nothing to ask the server");
	}
	fhir_client_yielding(fc, false);
	if (id != 0)
		*http_id = id;
}

static void
cancel(void *ctx, uint64_t http_id)
{
	struct app *app = ctx;

	if (app->session != NULL && app->session->http != NULL)
		http_cancel(app->session->http, http_id);
}

static bool
live(void *owner, uint64_t instance)
{
	struct app *app = owner;

	/* A screen about to be opened again (app_modules_check) hears nothing more. */
	if (app->reopen != NULL && instance == app->leave_instance)
		return false;
	for (size_t i = 0; i < app->depth; i++)
		if (app->stack[i].instance == instance)
			return true;
	return false;
}

/* The capabilities are not in yet: what a read sent ahead of them failed on may be moot. */
static bool
caps_unsure(void *owner)
{
	struct app *app = owner;

	return app->link == LINK_CONNECTING && app_caps(app) == NULL;
}

void
app_requests_open(struct app *app)
{
	static const struct request_transport transport = { start, cancel, NULL };
	struct request_transport t = transport;

	t.ctx = app;
	app->requests = requests_new(&t, app, live);
	requests_hold_failures(app->requests, caps_unsure);
}

void
app_requests_close(struct app *app)
{
	if (app->session != NULL && app->session->http != NULL)
		http_cancel_all(app->session->http);
	requests_free(&app->requests);
}

uint64_t
app_request(struct app *app, void *state, const struct app_request *req)
{
	app->dirty = true;
	return requests_start(app->requests, app_instance_of(app, state), state, req);
}

bool
app_cancel(struct app *app, uint64_t handle)
{
	return requests_cancel(app->requests, handle);
}

size_t
app_requests(struct app *app, void *state)
{
	return requests_running(app->requests, state);
}

size_t
app_requests_unslotted(struct app *app, void *state)
{
	return requests_unslotted(app->requests, state);
}

bool
app_cancel_top(struct app *app)
{
	struct frame *f = app_top(app);
	return requests_cancel_instance(app->requests, f != NULL ? f->instance : 0);
}

bool
app_progress(struct app *app, const char **label, double *elapsed, uint64_t *bytes)
{
	uint64_t id;

	if (app->session == NULL || app->session->http == NULL)
		return false;
	if (!requests_newest(app->requests, label, &id))
		return false;
	if (http_progress(app->session->http, id, elapsed, bytes) != 0) {
		/* Between two steps of a plan, or putting back: nothing to count, but it runs. */
		*elapsed = 0;
		*bytes = 0;
	}
	return true;
}
