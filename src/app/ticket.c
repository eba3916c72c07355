/*
 * The older request calls (a ticket per request), kept until every screen uses
 * app_request(); then this file goes.
 */
#include "config.h"

#include "app/app-private.h"
#include "util/xmalloc.h"

#include <stdlib.h>
#include <string.h>

struct app_ticket {
	struct app *app;
	uint64_t instance; /* 0: the app's own (login) */
	void *state;
	app_done_fn done;
	unsigned long tag;
	char *slot, *label;
	uint64_t request_id;
	bool finished, tracked;
	struct app_ticket *next;
};

struct app_ticket *
app_ticket_new(struct app *app, void *state, app_done_fn done, unsigned long tag, const char *slot,
    const char *label)
{
	struct app_ticket *t = xcalloc(1, sizeof *t);
	struct frame *f = app_top(app);

	t->app = app;
	t->state = state;
	t->instance = state != NULL && f != NULL ? f->instance : 0;
	t->done = done;
	t->tag = tag;
	t->slot = slot != NULL ? xstrdup(slot) : NULL;
	t->label = xstrdup(label != NULL ? label : "Working");
	/* A newer request in the same slot supersedes the older: its answer is stale. */
	if (slot != NULL) {
		/* As in forget_instance: the cancelled ticket may be freed before the loop steps on. */
		for (struct app_ticket *o = app->tickets, *next; o != NULL; o = next) {
			next = o->next;
			if (!o->finished && o->instance == t->instance && o->slot != NULL &&
			    strcmp(o->slot, slot) == 0) {
				o->instance = UINT64_MAX;
				if (o->tracked)
					http_cancel(app->session->http, o->request_id);
			}
		}
	}
	t->next = app->tickets;
	app->tickets = t;
	app->dirty = true;
	return t;
}

static void
ticket_unlink(struct app *app, struct app_ticket *t)
{
	for (struct app_ticket **pp = &app->tickets; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	free(t->slot);
	free(t->label);
	free(t);
}

void
app_ticket_track(struct app_ticket *t, uint64_t request_id)
{
	/* A request refused before it was sent has already called back. */
	if (t->finished) {
		ticket_unlink(t->app, t);
		return;
	}
	t->request_id = request_id;
	t->tracked = true;
}

void
app_ticket_done(struct fhir_result *result, void *arg)
{
	struct app_ticket *t = arg;
	struct app *app = t->app;
	bool live = false;

	if (t->instance == 0) {
		live = true;
	} else if (t->instance != UINT64_MAX) {
		for (size_t i = 0; i < app->depth; i++)
			if (app->stack[i].instance == t->instance)
				live = true;
	}
	t->finished = true;
	if (live && !(result->status == FHIR_TRANSPORT && result->http_error == HTTP_ERR_CANCELLED))
		t->done(app, t->state, result, t->tag);
	else if (live)
		app_status(app, "Cancelled");
	app->dirty = true;
	if (t->tracked)
		ticket_unlink(app, t);
}

void
app_tickets_forget(struct app *app, uint64_t instance)
{
	/* http_cancel may answer at once, and the answer frees its ticket: step past it first. */
	for (struct app_ticket *t = app->tickets, *next; t != NULL; t = next) {
		next = t->next;
		if (t->instance == instance && !t->finished) {
			t->instance = UINT64_MAX; /* dropped when it arrives */
			if (t->tracked && app->session != NULL)
				http_cancel(app->session->http, t->request_id);
		}
	}
}

bool
app_tickets_cancel(struct app *app, uint64_t instance)
{
	bool any = false;

	for (struct app_ticket *t = app->tickets, *next; t != NULL; t = next) {
		next = t->next;
		if (!t->finished && t->tracked && t->instance == instance) {
			any = true;
			http_cancel(app->session->http, t->request_id);
		}
	}
	return any;
}

size_t
app_tickets_running(struct app *app, void *state)
{
	size_t n = 0;

	for (struct app_ticket *t = app->tickets; t != NULL; t = t->next)
		if (!t->finished && t->instance != UINT64_MAX && (state == NULL || t->state == state))
			n++;
	return n;
}

bool
app_tickets_progress(struct app *app, const char **label, uint64_t *request_id)
{
	struct app_ticket *running = NULL;

	for (struct app_ticket *t = app->tickets; t != NULL; t = t->next)
		if (!t->finished && t->tracked && t->instance != UINT64_MAX)
			running = t;
	if (running == NULL)
		return false;
	*label = running->label;
	*request_id = running->request_id;
	return true;
}

void
app_tickets_free(struct app *app)
{
	while (app->tickets != NULL)
		ticket_unlink(app, app->tickets);
}
