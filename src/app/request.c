/*
 * Requests in flight. Every answer is queued and handed to its screen by the loop
 * (requests_deliver), so a callback never runs inside the call that asked, inside a
 * cancel, or inside another callback: screens need not guard against re-entry.
 */
#include "config.h"

#include "app/request.h"
#include "util/xmalloc.h"

#include <stdlib.h>
#include <string.h>

enum request_fate {
	REQUEST_WANTED,	   /* its answer goes to its screen */
	REQUEST_CANCELLED, /* the user cancelled it: the screen hears so */
	REQUEST_DROPPED,   /* superseded, or its screen left: nobody hears */
};

struct request {
	struct requests *rs; /* NULL once the table is gone: the answer is freed on arrival */
	uint64_t handle, instance, http_id;
	void *state;
	app_done_fn done;
	unsigned long tag;
	char *slot, *label;
	enum request_fate fate;
	bool answered;
	bool background; /* not shown, not cancelled with its instance */
	bool unsure;	 /* started while rs->unsure said so: a failure waits (below) */
	uint64_t answered_seq; /* answers are delivered in the order they came */
	struct fhir_result result;
	struct request *next;
};

struct requests {
	struct request_transport transport;
	void *owner;
	request_live_fn live;
	struct request *list; /* newest first */
	uint64_t next_handle, next_seq;
	void (*refused)(void *owner); /* requests_watch */
	bool (*unsure)(void *owner);  /* requests_hold_failures */
};

struct requests *
requests_new(const struct request_transport *transport, void *owner, request_live_fn live)
{
	struct requests *rs = xcalloc(1, sizeof *rs);

	rs->transport = *transport;
	rs->owner = owner;
	rs->live = live;
	return rs;
}

void
requests_watch(struct requests *rs, void (*refused)(void *owner))
{
	rs->refused = refused;
}

void
requests_hold_failures(struct requests *rs, bool (*unsure)(void *owner))
{
	rs->unsure = unsure;
}

/* R's answer waits: a failure of a request sent before the capabilities, still unsure. */
static bool
held(const struct requests *rs, const struct request *r)
{
	return r->unsure && r->fate == REQUEST_WANTED && r->result.status != FHIR_OK &&
	    rs->unsure != NULL && rs->unsure(rs->owner);
}

static void
request_free(struct request *r)
{
	fhir_result_clear(&r->result);
	free(r->slot);
	free(r->label);
	free(r);
}

static void
unlink_request(struct requests *rs, struct request *r)
{
	for (struct request **pp = &rs->list; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			return;
		}
	}
}

static void
on_answer(struct fhir_result *result, void *arg)
{
	struct request *r = arg;

	if (r->rs == NULL) {
		/* The table was freed while this ran (a plan putting back what it did). */
		request_free(r);
		return;
	}
	r->result = *result;
	memset(result, 0, sizeof *result); /* taken: the transport's clear frees nothing */
	if (r->rs->refused != NULL && r->result.status == FHIR_TRANSPORT &&
	    r->result.http_error == HTTP_ERR_BEARER)
		r->rs->refused(r->rs->owner);
	r->answered = true;
	r->answered_seq = ++r->rs->next_seq;
	r->http_id = 0;
}

/* Stop R's transfer; its answer (a cancellation) still arrives through on_answer. */
static void
stop(struct requests *rs, struct request *r, enum request_fate fate)
{
	r->fate = fate;
	if (!r->answered && r->http_id != 0)
		rs->transport.cancel(rs->transport.ctx, r->http_id);
}

uint64_t
requests_start(struct requests *rs, uint64_t instance, void *state, const struct app_request *req)
{
	struct request *r = xcalloc(1, sizeof *r);

	r->rs = rs;
	r->handle = ++rs->next_handle;
	r->instance = instance;
	r->state = state;
	r->done = req->done;
	r->tag = req->tag;
	r->background = req->background;
	/* A screen's own reads, not the connection's (the capability read) nor background work. */
	r->unsure = instance != 0 && !req->background && rs->unsure != NULL && rs->unsure(rs->owner);
	r->slot = req->slot != NULL ? xstrdup(req->slot) : NULL;
	r->label = xstrdup(req->label != NULL ? req->label : "Working");
	if (r->slot != NULL) {
		for (struct request *o = rs->list; o != NULL; o = o->next)
			if (o->fate != REQUEST_DROPPED && !o->answered && o->instance == instance &&
			    o->slot != NULL && strcmp(o->slot, r->slot) == 0)
				stop(rs, o, REQUEST_DROPPED);
		/* An older answer already queued is stale too. */
		for (struct request *o = rs->list; o != NULL; o = o->next)
			if (o->answered && o->instance == instance && o->slot != NULL &&
			    strcmp(o->slot, r->slot) == 0)
				o->fate = REQUEST_DROPPED;
	}
	r->next = rs->list;
	rs->list = r;
	rs->transport.start(rs->transport.ctx, req, on_answer, r, &r->http_id);
	return r->handle;
}

static struct request *
find(const struct requests *rs, uint64_t handle)
{
	for (struct request *r = rs->list; r != NULL; r = r->next)
		if (r->handle == handle)
			return r;
	return NULL;
}

bool
requests_cancel(struct requests *rs, uint64_t handle)
{
	struct request *r = find(rs, handle);

	if (r == NULL || (r->answered && !held(rs, r)) || r->fate != REQUEST_WANTED)
		return false;
	stop(rs, r, REQUEST_CANCELLED);
	return true;
}

bool
requests_cancel_instance(struct requests *rs, uint64_t instance)
{
	bool any = false;

	for (struct request *r = rs->list; r != NULL; r = r->next) {
		if (r->instance == instance && (!r->answered || held(rs, r)) &&
		    r->fate == REQUEST_WANTED && !r->background) {
			stop(rs, r, REQUEST_CANCELLED);
			any = true;
		}
	}
	return any;
}

void
requests_forget_instance(struct requests *rs, uint64_t instance)
{
	for (struct request *r = rs->list; r != NULL; r = r->next)
		if (r->instance == instance && r->fate != REQUEST_DROPPED)
			stop(rs, r, REQUEST_DROPPED);
}

bool
requests_pending(const struct requests *rs)
{
	for (const struct request *r = rs->list; r != NULL; r = r->next)
		if (r->answered && !held(rs, r))
			return true;
	return false;
}

bool
requests_deliver(struct requests *rs)
{
	bool any = false;

	for (;;) {
		struct request *first = NULL;

		for (struct request *r = rs->list; r != NULL; r = r->next)
			if (r->answered && !held(rs, r) &&
			    (first == NULL || r->answered_seq < first->answered_seq))
				first = r;
		if (first == NULL)
			return any;
		unlink_request(rs, first);
		if (first->fate != REQUEST_DROPPED &&
		    (first->instance == 0 || rs->live(rs->owner, first->instance))) {
			if (first->fate == REQUEST_CANCELLED) {
				first->result.status = FHIR_CANCELLED;
				if (first->result.message == NULL)
					first->result.message = xstrdup("cancelled");
			}
			/* DONE may start requests or cancel others: the list is walked anew. */
			first->done(rs->owner, first->state, &first->result, first->tag);
			any = true;
		}
		request_free(first);
	}
}

size_t
requests_running(const struct requests *rs, const void *state)
{
	size_t n = 0;

	for (const struct request *r = rs->list; r != NULL; r = r->next)
		if ((!r->answered || held(rs, r)) && r->fate != REQUEST_DROPPED && !r->background &&
		    (state == NULL || r->state == state))
			n++;
	return n;
}

size_t
requests_unslotted(const struct requests *rs, const void *state)
{
	size_t n = 0;

	for (const struct request *r = rs->list; r != NULL; r = r->next)
		if ((!r->answered || held(rs, r)) && r->fate != REQUEST_DROPPED && !r->background && r->slot == NULL &&
		    r->state == state)
			n++;
	return n;
}

bool
requests_newest(const struct requests *rs, const char **label, uint64_t *http_id)
{
	for (const struct request *r = rs->list; r != NULL; r = r->next) {
		if ((!r->answered || held(rs, r)) && r->fate != REQUEST_DROPPED && !r->background) {
			*label = r->label;
			*http_id = r->http_id;
			return true;
		}
	}
	return false;
}

void
requests_free(struct requests **rsp)
{
	struct requests *rs = *rsp;

	if (rs == NULL)
		return;
	for (struct request *r = rs->list; r != NULL; r = r->next)
		stop(rs, r, REQUEST_DROPPED);
	while (rs->list != NULL) {
		struct request *r = rs->list;

		rs->list = r->next;
		if (r->answered) {
			request_free(r);
		} else {
			r->rs = NULL; /* on_answer frees it, if its transport ever answers */
		}
	}
	free(rs);
	*rsp = NULL;
}
