/* Find a patient: one field, searched as you type after a pause, results paged lazily. */
#include "config.h"

#include "fhir/capability.h"
#include "screens/patients/patients-private.h"
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
	char *searched;		    /* the text of that search, or NULL */
	bool typing;		    /* typed since: the search waits for a pause */
	char *said;		    /* why the input is not a search, or NULL */
	size_t filtered;	    /* short form: rows the server sent that were not answers */
	int cursor_y, cursor_x;	    /* where the input's cursor was drawn */
	bool pick;		    /* choose a patient for the screen below, then go back */
	patients_picked_fn picked;  /* told of the patient chosen, with OPENER */
	patients_chosen_fn chosen;  /* or told only its id: the opener reads it */
	void *opener;
	const char *label;	    /* the prompt's words when choosing: "Book for:" */
	char *picking;		    /* the id being read for it */
};

/* "Search cancelled: Enter searches again", with the key the live keymap binds. */
static char *
cancelled_sentence(struct app *app)
{
	char key[32];

	if (app_key_for(app, A_SELECT, key, sizeof key))
		return xasprintf("Search cancelled: %s searches again", key);
	return xstrdup("Search cancelled");
}

static void search_now(struct app *app, void *state);

/* The typing paused: search for what is typed, unless Esc gave the search up meanwhile. */
static void
search_paused(struct app *app, void *state)
{
	struct find *f = state;

	if (f->typing)
		search_now(app, f);
}

static void
on_page(struct app *app, void *state, struct fhir_result *r, unsigned long ticket)
{
	struct find *f = state;
	struct ui_list_links links = { 0 };
	struct ui_list_page *pg;
	struct date_time now;
	size_t kept, seen;
	long total;

	if (r->status == FHIR_CANCELLED) {
		char *said = cancelled_sentence(app);

		/* Esc stops the search the typing would start next, too. */
		f->typing = false;
		ui_list_page_failed(&f->list, (unsigned)ticket, said);
		app_status(app, "%s", said);
		free(said);
		return;
	}
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

/* The list wants another page: follow the link the server gave. */
static void
need_page(void *owner, unsigned ticket, enum ui_list_dir dir, const char *link)
{
	struct find *f = owner;

	if (link == NULL) {
		/* Back to the first page without a link: the search itself, again. */
		if (dir == UI_LIST_FIRST)
			search_now(f->app, f);
		else
			ui_list_page_failed(&f->list, ticket, "no more pages");
		return;
	}
	app_request(f->app, f, &(struct app_request){ .page = link, .done = on_page, .tag = ticket,
	    .slot = "patient-page", .label = "Loading patients" });
}

static void
search_now(struct app *app, void *state)
{
	struct find *f = state;
	struct date_time now;
	struct fhir_search *s;
	char *text = ui_prompt_text(&f->input), *cause = NULL;
	unsigned ticket;

	date_time_now(&now);
	f->typing = false;
	free(f->said);
	f->said = NULL;
	if (patient_query_parse(text, &now.date, &f->query, &cause) != 0) {
		f->said = cause;
		free(text);
		app_dirty(app);
		return;
	}
	free(f->searched);
	f->searched = text;
	if (f->query.kind == PATIENT_QUERY_EMPTY) {
		ui_list_clear(&f->list);
		return;
	}
	/* No search without its audit line: a trail that cannot be written stops it (and says so). */
	if (app_audit(app, "search", "Patient", NULL) != 0) {
		ui_list_clear(&f->list);
		return;
	}
	f->filtered = 0;
	ticket = ui_list_reset(&f->list);
	/* The short form filters on our side: ask for bigger pages so one usually holds the answer. */
	s = patient_query_search(&f->query,
	    f->query.kind == PATIENT_QUERY_SHORT ? 200 : app_profile(app)->page_size);
	/* The slot makes a search typed further supersede this one: its answer is dropped. */
	app_request(app, f, &(struct app_request){ .search = s, .done = on_page, .tag = ticket,
	    .slot = "patient-search", .label = "Searching patients" });
	fhir_search_free(&s);
	app_dirty(app);
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
		f->chosen = p->chosen;
		f->opener = p->opener;
		f->label = p->label != NULL ? p->label : "Book for:";
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
	free(f->searched);
	free(f->picking);
	free(f);
}

static void
find_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct find *f = state;
	int cx = 0;

	ui_put(win, top + 1, 1, 14, f->pick ? f->label : "Find patient:", UI_NORMAL, false);
	ui_prompt_draw(&f->input, win, top + 1, 15, 40, &cx);
	f->cursor_y = top + 1;
	f->cursor_x = cx;
	if (f->said != NULL)
		ui_put(win, top + 2, 15, COLS - 16, f->said, UI_ERROR, false);
	else if (ui_prompt_empty(&f->input)) {
		char key[32];

		if (app_key_for(app, A_RECALL_PATIENT, key, sizeof key))
			ui_putf(win, top + 2, 15, COLS - 16, UI_DIM, false,
			    "name (quig, quigley,c), birth date, phone, MRN, or Q8013; %s: last patient",
			    key);
		else
			ui_put(win, top + 2, 15, COLS - 16,
			    "name (quig, quigley,c), birth date, phone, MRN, or Q8013", UI_DIM, false);
	}
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
	f->typing = true;
	/* Typed ahead (while the screen was not there yet), the typing has paused already. */
	app_timer(app, f, app_typed_ahead(app) ? 0 : SEARCH_PAUSE_MS, search_paused);
}

/* Pick mode: the chosen patient is read (and its viewing audited) and made current. */
static void
on_picked(struct app *app, void *state, struct fhir_result *res, unsigned long tag)
{
	struct find *f = state;
	struct patient_opened got;
	char *cause = NULL;

	(void)tag;
	if (res->status == FHIR_CANCELLED) {
		app_status(app, "Not chosen: cancelled");
		return;
	}
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
open_patient(struct app *app, struct find *f, const char *id)
{
	cJSON *batch;

	if (!f->pick) {
		patients_open_record(app, id);
		return;
	}
	if (f->chosen != NULL) {
		patients_chosen_fn chosen = f->chosen;
		void *opener = f->opener;
		char *copy = xstrdup(id); /* ID is the list's, freed with the finder */

		app_close(app, f);
		chosen(app, opener, copy);
		free(copy);
		return;
	}
	batch = patient_open_batch(app_fhir(app), id);
	free(f->picking);
	f->picking = xstrdup(id);
	app_request(app, f, &(struct app_request){ .batch = batch, .done = on_picked,
	    .slot = "patient-open", .label = "Reading the patient" });
	cJSON_Delete(batch);
}

/*
 * Enter: the patient on the row. Before the pause ran out the list still shows an older
 * search: never open its row, search for what is typed now, and let the Enter wait for
 * that answer (typed ahead, "quig Enter" opens the first Quigley when the answer comes).
 * After Esc, or on no row, Enter only searches again, as the status line says.
 */
static int
find_select(struct app *app, void *state)
{
	struct find *f = state;
	const char *id = ui_list_selected_id(&f->list);
	char *text = ui_prompt_text(&f->input);
	bool current = f->searched != NULL && strcmp(text, f->searched) == 0;
	bool typing = f->typing;

	free(text);
	if (!current || id == NULL || *id == '\0') {
		search_now(app, f);
		if (!current && typing && app_requests(app, f) > 0)
			app_again(app);
		return APP_REDRAW;
	}
	open_patient(app, f, id);
	return APP_HANDLED;
}

static int
find_recall(struct app *app, void *state)
{
	struct find *f = state;

	if (!ui_prompt_empty(&f->input))
		return APP_IGNORED;
	open_patient(app, f, app_last_patient(app));
	return APP_HANDLED;
}

static int
find_search(struct app *app, void *state)
{
	search_now(app, state);
	return APP_REDRAW;
}

static int
find_register(struct app *app, void *state)
{
	(void)state;
	patients_open_register(app);
	return APP_HANDLED;
}

/* The arrows move in the results while typing goes to the field. */
static int
list_move(struct find *f, enum action a)
{
	return ui_list_action(&f->list, a) ? APP_REDRAW : APP_HANDLED;
}

static int
find_up(struct app *app, void *state)
{
	(void)app;
	return list_move(state, A_UP);
}

static int
find_down(struct app *app, void *state)
{
	(void)app;
	return list_move(state, A_DOWN);
}

static int
find_page_up(struct app *app, void *state)
{
	(void)app;
	return list_move(state, A_PAGE_UP);
}

static int
find_page_down(struct app *app, void *state)
{
	(void)app;
	return list_move(state, A_PAGE_DOWN);
}

enum {
	NEEDS_ROW = APP_NEEDS_SCREEN,	   /* a row chosen, or a search to start */
	NEEDS_LAST = APP_NEEDS_SCREEN << 1, /* a patient opened earlier this session */
	NEEDS_WRITABLE = APP_NEEDS_SCREEN << 2, /* the server takes Patient create and update */
};

static const char *
find_unmet(struct app *app, void *state, unsigned need)
{
	struct find *f = state;
	const char *id = ui_list_selected_id(&f->list);

	if (need == NEEDS_ROW && (id == NULL || *id == '\0') &&
	    (ui_prompt_empty(&f->input) || ui_list_rows_held(&f->list) > 0))
		return "choose a patient from the list first";
	if (need == NEEDS_LAST && ui_prompt_empty(&f->input) && app_last_patient(app) == NULL)
		return "no patient was opened yet in this session";
	/* A registration the server does not take is refused with its reason, never typed in vain. */
	if (need == NEEDS_WRITABLE)
		return fhir_caps_read_only(app_caps(app), "patients");
	return NULL;
}

static struct app_focus
find_widget(struct app *app, void *state)
{
	struct find *f = state;

	(void)app;
	return (struct app_focus){ APP_WIDGET_PROMPT, &f->input };
}

/* The field took a key: search once the typing pauses. */
static void
find_changed(struct app *app, void *state, enum action a)
{
	struct find *f = state;
	char *text;

	if (a != A_NONE && a != A_BACKSPACE && a != A_DELETE_CHAR && a != A_KILL_LINE)
		return;
	/*
	 * Space at the empty field is recall-patient, not text; the loop hands a printable
	 * key to the field before the keymap, so the space is taken back here.
	 */
	text = ui_prompt_text(&f->input);
	if (a == A_NONE && strcmp(text, " ") == 0) {
		free(text);
		ui_prompt_clear(&f->input);
		app_do(app, A_RECALL_PATIENT);
		return;
	}
	free(text);
	typed(app, f);
}

static const struct screen_action find_actions[] = {
	{ A_SELECT, find_select, NEEDS_ROW, "open" },
	{ A_RECALL_PATIENT, find_recall, NEEDS_LAST, NULL },
	{ A_SEARCH, find_search, 0, NULL },
	{ A_NEW, find_register, NEEDS_WRITABLE, "register" },
	{ A_UP, find_up, 0, NULL },
	{ A_DOWN, find_down, 0, NULL },
	{ A_PAGE_UP, find_page_up, 0, NULL },
	{ A_PAGE_DOWN, find_page_down, 0, NULL },
	{ A_NONE },
};

const struct screen_ops patients_screen = {
	.name = "patients",
	.title = "find a patient",
	.context = "patients",
	.module = "patients",
	.needs = SCREEN_NEEDS_ONLINE,
	.enter = find_enter,
	.leave = find_leave,
	.draw = find_draw,
	.cursor = find_cursor,
	.actions = find_actions,
	.unmet = find_unmet,
	.widget = find_widget,
	.changed = find_changed,
};

int
patients_open_find(struct app *app)
{
	return app_open(app, &patients_screen, NULL);
}

int
patients_pick(struct app *app, void *opener, patients_picked_fn picked)
{
	struct patients_pick p = { .picked = picked, .opener = opener };

	return app_open(app, &patients_screen, &p);
}

int
patients_pick_for(struct app *app, const char *label, void *opener, patients_picked_fn picked)
{
	struct patients_pick p = { .picked = picked, .opener = opener, .label = label };

	return app_open(app, &patients_screen, &p);
}

int
patients_choose_for(struct app *app, const char *label, void *opener, patients_chosen_fn chosen)
{
	struct patients_pick p = { .chosen = chosen, .opener = opener, .label = label };

	return app_open(app, &patients_screen, &p);
}
