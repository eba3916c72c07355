/* Find a patient: one field, searched as you type after a pause, results paged lazily. */
#include "config.h"

#include "screens/patients/patients.h"
#include "screens/screens.h"
#include "app/app.h"
#include "ui/prompt.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Typing pauses this long before a search goes out: one request per word, not per key. */
#define SEARCH_PAUSE_MS 350

struct find {
	struct app *app;
	struct ui_prompt input;
	struct ui_list list;
	struct patient_query query; /* of the search the list shows */
	char *said;		    /* why the input is not a search, or NULL */
	size_t filtered;	    /* short form: rows the server sent that were not answers */
	int cursor_y, cursor_x;	    /* where the input's cursor was drawn */
	bool pick;		    /* choose a patient for the screen below, then go back */
	patients_picked_fn picked;  /* told of the patient chosen, with OPENER */
	void *opener;
	char *picking;		    /* the id being read for it */
};

static void
on_page(struct app *app, void *state, struct fhir_result *r, unsigned long ticket)
{
	struct find *f = state;
	struct ui_list_links links = { 0 };
	struct ui_list_page *pg;
	struct date_time now;
	size_t kept, seen;
	long total;

	if (r->status != FHIR_OK) {
		ui_list_page_failed(&f->list, (unsigned)ticket, r->message ? r->message : "failed");
		app_error(app, "Search failed: %s", r->message ? r->message : "no answer");
		return;
	}
	date_time_now(&now);
	pg = patients_page(r->resource, &f->query, &now.date, &kept, &seen);
	f->filtered += seen - kept;
	links.next = fhir_bundle_link(r->resource, "next");
	links.previous = fhir_bundle_link(r->resource, "previous");
	links.first = fhir_bundle_link(r->resource, "first");
	links.last = fhir_bundle_link(r->resource, "last");
	total = fhir_bundle_total(r->resource);
	/* The server's total counts what it matched; the short form filters further. */
	ui_list_add_page(&f->list, (unsigned)ticket, &pg, -1, &links,
	    f->query.kind != PATIENT_QUERY_SHORT ? total : -1,
	    NULL);
	app_dirty(app);
}

static void search_now(struct app *app, void *state);

/* The list wants another page: follow the link the server gave. */
static void
need_page(void *owner, unsigned ticket, enum ui_list_dir dir, const char *link)
{
	struct find *f = owner;
	struct app_ticket *t;

	if (link == NULL) {
		/* Back to the first page without a link: the search itself, again. */
		if (dir == UI_LIST_FIRST)
			search_now(f->app, f);
		else
			ui_list_page_failed(&f->list, ticket, "no more pages");
		return;
	}
	t = app_ticket_new(f->app, f, on_page, ticket, "patient-page", "Loading patients");
	app_ticket_track(t, fhir_get_page(app_fhir(f->app), link, app_ticket_done, t));
}

static void
search_now(struct app *app, void *state)
{
	struct find *f = state;
	struct date_time now;
	struct fhir_search *s;
	struct app_ticket *t;
	char *text = ui_prompt_text(&f->input), *cause = NULL;
	unsigned ticket;

	date_time_now(&now);
	free(f->said);
	f->said = NULL;
	if (patient_query_parse(text, &now.date, &f->query, &cause) != 0) {
		f->said = cause;
		free(text);
		app_dirty(app);
		return;
	}
	free(text);
	if (f->query.kind == PATIENT_QUERY_EMPTY) {
		ui_list_clear(&f->list);
		return;
	}
	f->filtered = 0;
	ticket = ui_list_reset(&f->list);
	/* The short form filters on our side: ask for bigger pages so one usually holds the answer. */
	s = patient_query_search(&f->query,
	    f->query.kind == PATIENT_QUERY_SHORT ? 200 : app_profile(app)->page_size);
	/* The slot makes a search typed further supersede this one: its answer is dropped. */
	t = app_ticket_new(app, f, on_page, ticket, "patient-search", "Searching patients");
	app_ticket_track(t, fhir_search(app_fhir(app), s, app_ticket_done, t));
	fhir_search_free(&s);
	app_audit(app, "search", "Patient", NULL);
}

static void *
find_enter(struct app *app, void *arg)
{
	struct find *f = xcalloc(1, sizeof *f);

	f->app = app;
	if (arg != NULL) {
		const struct patients_pick *p = arg;

		f->pick = true;
		f->picked = p->picked;
		f->opener = p->opener;
	}
	ui_prompt_init(&f->input, 64, false);
	ui_list_init(&f->list, patients_columns, COL_COUNT, need_page, f);
	ui_list_set_empty_message(&f->list, "No patient matches.");
	return f;
}

static void
find_leave(struct app *app, void *state)
{
	struct find *f = state;

	(void)app;
	ui_list_free(&f->list);
	ui_prompt_clear(&f->input);
	free(f->said);
	free(f->picking);
	free(f);
}

static void
find_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct find *f = state;
	int cx = 0;

	(void)app;
	ui_put(win, top + 1, 1, 14, f->pick ? "Book for:" : "Find patient:", UI_NORMAL, false);
	ui_prompt_draw(&f->input, win, top + 1, 15, 40, &cx);
	f->cursor_y = top + 1;
	f->cursor_x = cx;
	if (f->said != NULL)
		ui_put(win, top + 2, 15, COLS - 16, f->said, UI_ERROR, false);
	else if (ui_prompt_empty(&f->input))
		ui_put(win, top + 2, 15, COLS - 16,
		    "name (quig, quigley,c), birth date, phone, MRN, or Q8013; Space: last patient",
		    UI_DIM, false);
	else if (f->query.kind == PATIENT_QUERY_SHORT && f->filtered > 0)
		ui_putf(win, top + 2, 15, COLS - 16, UI_DIM, false,
		    "%zu other %s surname%s did not end in %s", f->filtered,
		    (char[]){ f->query.initial, '\0' }, f->filtered == 1 ? "" : "s", f->query.value);
	if (f->query.kind != PATIENT_QUERY_EMPTY || ui_list_rows_held(&f->list) > 0) {
		/* Where the clerk is in the whole result: "12 of 535". */
		char *at = ui_list_position(&f->list);
		int w = (int)strlen(at);

		if (w > 0 && w < COLS - 58)
			ui_put(win, top + 1, COLS - 1 - w, w, at, UI_DIM, false);
		free(at);
		ui_list_draw(&f->list, win, top + 3, rows - 3, COLS);
	}
}

static bool
find_cursor(struct app *app, void *state, int *y, int *x)
{
	struct find *f = state;

	(void)app;
	*y = f->cursor_y;
	*x = f->cursor_x;
	return true;
}

static void
typed(struct app *app, struct find *f)
{
	free(f->said);
	f->said = NULL;
	app_timer(app, f, SEARCH_PAUSE_MS, search_now);
}

static int
find_text(struct app *app, void *state, int key)
{
	struct find *f = state;

	/* Space at the empty prompt is recall-patient, not text. */
	if (key == ' ' && ui_prompt_empty(&f->input))
		return APP_IGNORED;
	if (!ui_prompt_key(&f->input, key))
		return APP_IGNORED;
	typed(app, f);
	return APP_REDRAW;
}

/* Pick mode: the chosen patient is read (and its viewing audited) and made current. */
static void
on_picked(struct app *app, void *state, struct fhir_result *res, unsigned long tag)
{
	struct find *f = state;
	struct patient_opened got;
	char *cause = NULL;

	(void)tag;
	if (res->status != FHIR_OK ||
	    patient_open_result(res->resource, f->picking, &got, &cause) != 0) {
		app_error(app, "The patient could not be read: %s",
		    cause ? cause : res->message ? res->message : "no answer");
		free(cause);
		return;
	}
	if (app_audit(app, "view", "Patient", got.view.id) == 0) {
		patients_picked_fn picked = f->picked;
		void *opener = f->opener;

		app_set_patient(app, got.patient);
		/* The finder goes first (F is freed), so the opener may open a screen of its own. */
		app_close(app, f);
		if (picked != NULL)
			picked(app, opener, got.patient);
	}
	patient_opened_clear(&got);
}

static void
pick(struct app *app, struct find *f, const char *id)
{
	cJSON *batch = patient_open_batch(app_fhir(app), id);
	struct app_ticket *t = app_ticket_new(app, f, on_picked, 0, "patient-open", "Reading the patient");

	free(f->picking);
	f->picking = xstrdup(id);
	app_ticket_track(t, fhir_bundle(app_fhir(app), batch, app_ticket_done, t));
	cJSON_Delete(batch);
}

static int
open_selected(struct app *app, struct find *f)
{
	const char *id = ui_list_selected_id(&f->list);

	if (id == NULL || *id == '\0') {
		/* Enter before the pause ran out: search now rather than wait. */
		if (!ui_prompt_empty(&f->input) && ui_list_rows_held(&f->list) == 0) {
			search_now(app, f);
			return APP_REDRAW;
		}
		app_error(app, "Choose a patient from the list first");
		return APP_HANDLED;
	}
	if (f->pick)
		pick(app, f, id);
	else
		app_push(app, "patient", (void *)id);
	return APP_HANDLED;
}

static int
find_action(struct app *app, void *state, enum action a)
{
	struct find *f = state;

	switch (a) {
	case A_SELECT:
		return open_selected(app, f);
	case A_RECALL_PATIENT:
		if (!ui_prompt_empty(&f->input))
			return APP_IGNORED;
		if (app_last_patient(app) == NULL) {
			app_error(app, "No patient was opened yet in this session");
			return APP_HANDLED;
		}
		if (f->pick)
			pick(app, f, app_last_patient(app));
		else
			app_push(app, "patient", (void *)app_last_patient(app));
		return APP_HANDLED;
	case A_SEARCH:
		search_now(app, f);
		return APP_REDRAW;
	case A_NEW:
		app_push(app, "patient-edit", NULL);
		return APP_HANDLED;
	case A_UP:
	case A_DOWN:
	case A_PAGE_UP:
	case A_PAGE_DOWN:
		return ui_list_action(&f->list, a) ? APP_REDRAW : APP_HANDLED;
	case A_BACKSPACE:
	case A_DELETE_CHAR:
	case A_KILL_LINE:
		ui_prompt_action(&f->input, a);
		typed(app, f);
		return APP_REDRAW;
	default:
		return ui_prompt_action(&f->input, a) ? APP_REDRAW : APP_IGNORED;
	}
}

static const char *
find_focus(struct app *app, void *state)
{
	(void)app;
	(void)state;
	return "prompt";
}

const struct screen_ops patients_screen = {
	.name = "patients",
	.title = "find a patient",
	.context = "patients",
	.module = "patients",
	.needs = SCREEN_NEEDS_ONLINE,
	.enter = find_enter,
	.leave = find_leave,
	.draw = find_draw,
	.action = find_action,
	.text = find_text,
	.focus = find_focus,
	.cursor = find_cursor,
};

int
patients_pick(struct app *app, void *opener, patients_picked_fn picked)
{
	struct patients_pick p = { picked, opener };

	return app_open(app, &patients_screen, &p);
}
