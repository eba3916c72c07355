/*
 * Requests in flight, apart from the loop so that they can be tested with a fake
 * transport: who asked (a screen instance), what supersedes what, cancelling, and
 * delivering each answer exactly once, never before the call that asked returns.
 * Private to src/app (and its unit tests); screens use app_request() in app.h.
 */
#ifndef EHRTERM_APP_REQUEST_H
#define EHRTERM_APP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "fhir/fhir.h"

/*
 * What carries a request: the FHIR client in ehrterm, a fake in the tests. START
 * begins REQ and calls DONE(result, ARG) exactly once, later or before it returns
 * (a request refused before it was sent); it keeps *HTTP_ID at the transfer in
 * flight that CANCEL may stop (each step of a plan in turn; 0 while nothing may be
 * stopped, as while a failed plan puts back what it did). It takes REQ->plan.
 */
struct request_transport {
	void (*start)(void *ctx, const struct app_request *req, fhir_done_fn done, void *arg,
	    uint64_t *http_id);
	void (*cancel)(void *ctx, uint64_t http_id);
	void *ctx;
};

/* Whether a screen instance is still on the stack (its answers are wanted). */
typedef bool (*request_live_fn)(void *owner, uint64_t instance);

struct requests;

/* OWNER is handed to every DONE as its struct app (the tests pass anything). */
struct requests *requests_new(const struct request_transport *transport, void *owner,
    request_live_fn live);
/*
 * REFUSED(owner) runs as soon as an answer is a 401 with WWW-Authenticate (the
 * transport's HTTP_ERR_BEARER), before the answer is delivered: the session's token is
 * renewed while the screen says its request failed.
 */
void requests_watch(struct requests *rs, void (*refused)(void *owner));

/*
 * While UNSURE(owner) is true (the server's capabilities are not in yet), a request
 * started then whose answer is a failure is not delivered: held until UNSURE turns false,
 * so that what the capabilities say (a module the server does not serve, or serves
 * read-only) comes before a raw error of a read sent ahead of them.
 */
void requests_hold_failures(struct requests *rs, bool (*unsure)(void *owner));
/* Stop every request (none of their callbacks runs) and free the table. */
void requests_free(struct requests **rs);

/*
 * Start REQ for STATE of screen INSTANCE (0: the app's own). A request of the same
 * instance and REQ->slot still running is superseded: stopped, and its answer never
 * delivered. Returns the handle (never 0).
 */
uint64_t requests_start(struct requests *rs, uint64_t instance, void *state,
    const struct app_request *req);
/*
 * Cancel one request: its callback gets a result with status FHIR_CANCELLED (when
 * it was still running). True when it was running.
 */
bool requests_cancel(struct requests *rs, uint64_t handle);
/*
 * Cancel every running request of INSTANCE, as requests_cancel(); true when any was.
 * A background request (app_request.background) is left running.
 */
bool requests_cancel_instance(struct requests *rs, uint64_t instance);
/* INSTANCE left: stop its requests; their answers are dropped. */
void requests_forget_instance(struct requests *rs, uint64_t instance);
/*
 * Deliver the answers that arrived while their request was being started. The loop
 * calls it every pass; true when any was delivered (something to redraw).
 */
bool requests_deliver(struct requests *rs);
/* Answers waiting for requests_deliver(): the loop must not sleep while there are. */
bool requests_pending(const struct requests *rs);
/* Running requests of STATE (NULL: of anyone), background ones not counted. */
size_t requests_running(const struct requests *rs, const void *state);
/*
 * Running requests of STATE without a slot: those typing cannot supersede (a save, a
 * read of what opens), as against a search typed further.
 */
size_t requests_unslotted(const struct requests *rs, const void *state);
/* The newest running request but a background one, for the status line, or false. */
bool requests_newest(const struct requests *rs, const char **label, uint64_t *http_id);

#endif
