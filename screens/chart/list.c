/* A pane's full list: every row of one kind, paged as the cursor nears an edge; details on Enter. */
#include "config.h"

#include "fhir/capability.h"
#include "screens/chart/chart-private.h"
#include "screens/screens.h"
#include "app/app.h"
#include "fhir/note.h"
#include "ui/list.h"
#include "ui/pager.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COL_DATE, COL_WHAT, COL_VALUE, COL_FLAG, COL_STATUS, COL_COUNT };

// clang-format off
#define COLUMNS(date, dw, what, value, flag, status)                                     \
	{ { date, dw, 0 }, { what, 0, 3 }, { value, 0, 2 }, { flag, 4, 0 }, { status, 16, 0 } }
static const struct ui_list_column columns[CHART_PANES][COL_COUNT] = {
	[CHART_ALLERGIES]     = COLUMNS("", 1, "Substance", "Criticality", "", "Status"),
	[CHART_PROBLEMS]      = COLUMNS("Onset", 10, "Problem", "Code", "", "Status"),
	/* The allergy an active order matches (chart_flag_allergies), as renewing it would warn. */
	[CHART_MEDICATIONS]   = { { "Ordered", 10, 0 }, { "Medication", 0, 3 }, { "Sig", 0, 2 },
				  { "Allergy", 10, 0 }, { "Status", 10, 0 } },
	[CHART_VITALS]        = COLUMNS("Date", 10, "Vital sign", "Value", "", "Status"),
	[CHART_LABS]          = COLUMNS("Date", 10, "Test", "Value", "Flag", "Range"),
	[CHART_IMMUNIZATIONS] = COLUMNS("Date", 10, "Vaccine", "CVX", "", "Status"),
	[CHART_NOTES]         = COLUMNS("Date", 10, "Type", "Author", "", "Status"),
	[CHART_APPOINTMENTS]  = COLUMNS("Start", 16, "Reason", "With", "", "Status"),
};
// clang-format on

struct chart_full {
	struct app *app;
	char *id;
	enum chart_pane pane;
	struct chart_banner banner;
	struct chart_rows rows; /* the list, and a row's details over it */
	char *reading; /* the id of the row whose details are being read */
	const char *reading_type; /* and its resource type */
	bool audited; /* the list's view is in the audit trail */
	/* Medications: the cover's active allergies, each page's orders flagged against them. */
	struct chart_list allergies;
	/* Immunizations: the ones due, read with the first page and shown before it. */
	struct chart_list due;
	bool audited_due;
	/* A note's details, held while its text is read apart (a Binary). */
	struct chart_detail *held;
	size_t nheld;
	char *body; /* the "Binary/ID" being read */
	/* A note's view and text, held while its signature's Provenances are read. */
	struct note_view note;
	bool has_note;
	struct note_body text;
	bool has_text;
};

static void
forget_note(struct chart_full *f)
{
	if (f->has_note)
		note_view_clear(&f->note);
	if (f->has_text)
		note_body_clear(&f->text);
	f->has_note = f->has_text = false;
}

/* The prefix of a row due's id on the list: it opens a forecast, not an Immunization. */
#define DUE_ROW "ImmunizationRecommendation/"

static void
add_row(struct ui_list_page *pg, enum chart_pane pane, const struct chart_item *it)
{
	const char *cells[COL_COUNT];
	char *id;

	cells[COL_DATE] = it->date;
	cells[COL_WHAT] = it->what;
	cells[COL_VALUE] = it->value;
	cells[COL_FLAG] = it->flag;
	cells[COL_STATUS] = pane == CHART_LABS ? it->detail : it->status;
	/* A row without a usable id shows, but opens nothing. */
	id = !fhir_valid_id(it->id) ? xstrdup("")
	    : it->due		   ? xasprintf(DUE_ROW "%s", it->id)
				   : xstrdup(it->id);
	ui_list_page_add(pg, id, cells);
	free(id);
}

static void
page_failed(struct app *app, struct chart_full *f, unsigned ticket, const char *why)
{
	ui_list_page_failed(&f->rows.list, ticket, why);
	app_error(app, "%s: %s", chart_pane_title(f->pane), why);
}

/*
 * ROWS, read from SEARCHSET (a page of the list), as the answer to TICKET, once audited.
 * The immunizations due come first on the first page of the given ones (the page with no
 * previous link), whether read with them or again when the list goes back to it.
 */
static void
add_page(struct app *app, struct chart_full *f, unsigned ticket, const struct chart_list *rows,
    const cJSON *searchset)
{
	struct ui_list_links links = { 0 };
	struct ui_list_page *pg;
	bool first = f->pane == CHART_IMMUNIZATIONS &&
		     fhir_bundle_link(searchset, "previous") == NULL;
	long total = fhir_bundle_total(searchset);

	/* No view without its audit line. */
	if ((!f->audited && app_audit(app, "view", chart_pane_type(f->pane), f->id) != 0) ||
	    (first && f->due.n > 0 && !f->audited_due &&
		app_audit(app, "view", "ImmunizationRecommendation", f->id) != 0)) {
		ui_list_page_failed(&f->rows.list, ticket,
		    "not shown: the audit trail cannot be written");
		return;
	}
	f->audited = true;
	f->audited_due = f->audited_due || (first && f->due.n > 0);
	pg = ui_list_page_new(COL_COUNT);
	for (size_t i = 0; first && i < f->due.n; i++)
		add_row(pg, f->pane, &f->due.items[i]);
	for (size_t i = 0; i < rows->n; i++)
		add_row(pg, f->pane, &rows->items[i]);
	links.next = fhir_bundle_link(searchset, "next");
	links.previous = fhir_bundle_link(searchset, "previous");
	/* The immunizations' first page is the batch with the due: asked again, not by link. */
	links.first = f->pane == CHART_IMMUNIZATIONS ? NULL : fhir_bundle_link(searchset, "first");
	links.last = fhir_bundle_link(searchset, "last");
	if (total >= 0 && f->pane == CHART_IMMUNIZATIONS)
		total += (long)f->due.n;
	/* The server's total: it counts the rows entered in error too, which are left out. */
	ui_list_add_page(&f->rows.list, ticket, &pg, -1, &links, total, NULL);
	app_dirty(app);
}

static void
on_page(struct app *app, void *state, struct fhir_result *r, unsigned long ticket)
{
	struct chart_full *f = state;
	struct chart_list rows;

	if (r->status != FHIR_OK) {
		char *why = chart_read_failed(app, r);

		page_failed(app, f, (unsigned)ticket, why);
		free(why);
		return;
	}
	chart_page_read(f->pane, r->resource, f->id, &rows);
	if (f->pane == CHART_MEDICATIONS)
		chart_flag_allergies(&rows, &f->allergies, false);
	if (rows.state != CHART_PANE_LOADED)
		page_failed(app, f, (unsigned)ticket, rows.failure ? rows.failure : "not read");
	else
		add_page(app, f, (unsigned)ticket, &rows, r->resource);
	chart_list_clear(&rows);
}

/* The immunizations' first page: the given ones and the ones due, in one batch. */
static void
on_first(struct app *app, void *state, struct fhir_result *r, unsigned long ticket)
{
	struct chart_full *f = state;
	struct chart_list rows, due;
	const cJSON *searchset;

	if (r->status != FHIR_OK) {
		char *why = chart_read_failed(app, r);

		page_failed(app, f, (unsigned)ticket, why);
		free(why);
		return;
	}
	searchset = chart_immunizations_read(r->resource, f->id, &rows, &due);
	chart_list_clear(&f->due);
	if (rows.state != CHART_PANE_LOADED || due.state == CHART_PANE_REFUSED) {
		/* Another patient's forecast: nothing of the answer is shown. */
		page_failed(app, f, (unsigned)ticket, rows.state != CHART_PANE_LOADED
			? (rows.failure ? rows.failure : "not read") : due.failure);
	} else {
		if (due.state != CHART_PANE_LOADED &&
		    !fhir_caps_offers(app_caps(app), "ImmunizationRecommendation", FHIR_SEARCH, NULL)) {
			/* A server that offers no forecasts has none to fail to read. */
		} else if (due.state != CHART_PANE_LOADED) {
			/* The given ones still show; that the due could not be read is said. */
			app_error(app, "Immunizations: %s",
			    due.failure ? due.failure : "the ones due were not read");
		} else {
			f->due = due;
			memset(&due, 0, sizeof due);
		}
		add_page(app, f, (unsigned)ticket, &rows, searchset);
	}
	chart_list_clear(&rows);
	chart_list_clear(&due);
}

static void
search_first(struct chart_full *f)
{
	unsigned ticket = ui_list_reset(&f->rows.list);
	struct fhir_search *s;
	cJSON *batch;

	if (f->pane == CHART_IMMUNIZATIONS) {
		batch = chart_immunizations_batch(app_fhir(f->app), f->id,
		    app_profile(f->app)->page_size);
		app_request(f->app, f, &(struct app_request){ .batch = batch, .done = on_first,
		    .tag = ticket, .slot = "chart-list", .label = "Reading the list" });
		cJSON_Delete(batch);
		return;
	}
	s = chart_pane_search(f->pane, f->id, app_profile(f->app)->page_size);
	app_request(f->app, f, &(struct app_request){ .search = s, .done = on_page, .tag = ticket,
	    .slot = "chart-list", .label = "Reading the list" });
	fhir_search_free(&s);
}

static void
need_page(void *owner, unsigned ticket, enum ui_list_dir dir, const char *link)
{
	struct chart_full *f = owner;

	if (link == NULL) {
		if (dir == UI_LIST_FIRST)
			search_first(f);
		else
			ui_list_page_failed(&f->rows.list, ticket, "no more pages");
		return;
	}
	app_request(f->app, f, &(struct app_request){ .page = link, .done = on_page, .tag = ticket,
	    .slot = "chart-list", .label = "Reading the list" });
}

static void *
full_enter(struct app *app, void *arg)
{
	const struct chart_list_arg *a = arg;
	struct chart_full *f = xcalloc(1, sizeof *f);

	f->app = app;
	f->id = xstrdup(a->id);
	f->pane = a->pane;
	chart_banner_take(&f->banner, a);
	if (f->pane == CHART_MEDICATIONS && a->allergy_rows != NULL)
		chart_list_copy(&f->allergies, a->allergy_rows);
	chart_rows_init(&f->rows, columns[f->pane], COL_COUNT, need_page, f, "None recorded.");
	search_first(f);
	return f;
}

static void
full_leave(struct app *app, void *state)
{
	struct chart_full *f = state;

	(void)app;
	chart_rows_free(&f->rows);
	chart_banner_clear(&f->banner);
	free(f->reading);
	chart_list_clear(&f->due);
	chart_list_clear(&f->allergies);
	chart_details_free(f->held, f->nheld);
	forget_note(f);
	free(f->body);
	free(f->id);
	free(f);
}

static void
full_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct chart_full *f = state;
	char *where = ui_list_position(&f->rows.list);

	(void)app;
	chart_banner_draw(&f->banner, win, top);
	ui_putf(win, top + 2, 0, COLS, UI_TITLE, true, "%s%s%s", chart_pane_title(f->pane),
	    *where ? ", " : "", f->rows.showing ? "details" : where);
	free(where);
	chart_rows_draw(&f->rows, win, top + 3, rows - 3);
}

/* Lines a detail's value wraps into at most: a hostile megabyte stays a few pages. */
#define DETAIL_LINES_MAX 200

/* D (taken) into PAGER, each value wrapped to the screen under its label. */
static void
pager_details(struct app *app, struct ui_pager *pager, struct chart_detail *d, size_t n)
{
	ui_pager_free(pager);
	ui_pager_init(pager);
	for (size_t i = 0; i < n; i++) {
		char *label = xasprintf("%-12s ", d[i].label);

		ui_pager_add_wrapped(pager, label, d[i].value, COLS, DETAIL_LINES_MAX);
		free(label);
	}
	chart_details_free(d, n);
	app_dirty(app);
}

/*
 * The answer R, the read of ROW (a resource of TYPE), read into the details *D, *N and
 * audited; false, with the reason on the status line.
 */
static bool
read_details(struct app *app, const struct fhir_result *r, enum chart_pane pane, const char *id,
    const char *type, const char *row, struct chart_detail **d, size_t *n)
{
	char *cause = NULL;

	if (r->status != FHIR_OK) {
		app_error(app, "Not shown: %s", r->status == FHIR_CANCELLED ? "cancelled"
						 : r->message ? r->message : "no answer");
		return false;
	}
	if (chart_row_details(r->resource, pane, type, id, row, d, n, &cause) != 0) {
		app_error(app, "Not shown: %s", cause);
		free(cause);
		return false;
	}
	if (app_audit(app, "view", type, row) != 0) {
		chart_details_free(*d, *n);
		return false;
	}
	return true;
}

bool
chart_show_details(struct app *app, const struct fhir_result *r, enum chart_pane pane,
    const char *id, const char *row, struct ui_pager *pager)
{
	struct chart_detail *d;
	size_t n;

	if (!read_details(app, r, pane, id, chart_pane_type(pane), row, &d, &n))
		return false;
	pager_details(app, pager, d, n);
	return true;
}

static void
show_details(struct app *app, struct chart_full *f, struct chart_detail *d, size_t n)
{
	pager_details(app, &f->rows.pager, d, n);
	f->rows.showing = true;
}

/* A note's signature line, from its Provenances: added to its details, which then show. */
static void
on_provenance(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct chart_full *f = state;
	struct chart_detail *d = f->held;
	size_t n = f->nheld;
	struct note_check check;
	struct jws_trust *trust;
	char *cause = NULL;

	(void)tag;
	f->held = NULL;
	f->nheld = 0;
	d = xreallocarray(d, n + 1, sizeof *d);
	d[n].label = xstrdup("Signature");
	if (r->status != FHIR_OK) {
		d[n++].value = xasprintf("not checked: %s", r->status == FHIR_CANCELLED ? "cancelled"
			: r->message ? r->message : "no answer");
	} else {
		/* Against the authorities of the profile's ca_file: see ehrterm(1), NOTES. */
		trust = app_sign_trust(app, &cause);
		note_verify(&f->note, &f->text, r->resource, trust, &check);
		d[n++].value = trust != NULL ? xstrdup(check.line)
		    : xasprintf("%s (the clinic's authorities could not be read: %s)", check.line, cause);
		note_check_clear(&check);
		jws_trust_free(&trust);
		free(cause);
	}
	forget_note(f);
	show_details(app, f, d, n);
}

/* A note's text, read apart: added to the note's details, which then show. */
static void
on_body(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct chart_full *f = state;
	struct chart_detail *d = f->held;
	size_t n = f->nheld;
	char *cause = NULL;

	(void)tag;
	f->held = NULL;
	f->nheld = 0;
	if (r->status == FHIR_CANCELLED) {
		chart_details_free(d, n);
		app_status(app, "Not shown: cancelled");
		return;
	}
	if (r->status != FHIR_OK) {
		cause = xasprintf("(the text could not be read: %s)",
		    r->message ? r->message : "no answer");
		app_error(app, "%s", cause);
	} else if (chart_note_text(r->resource, f->body, &d, &n, &cause) != 0) {
		char *why = xasprintf("(the text is not shown: %s)", cause);

		free(cause);
		cause = why;
		app_error(app, "%s", cause);
	}
	if (cause != NULL) {
		d = xreallocarray(d, n + 1, sizeof *d);
		d[n].label = xstrdup("Text");
		d[n++].value = cause;
	} else if (f->has_note && note_body_read(r->resource, f->body, &f->text, &cause) == 0) {
		struct fhir_search *q = note_provenance_search(f->note.id);

		/* The signature is checked over the bytes just read: one read more, its Provenances. */
		f->has_text = true;
		f->held = d;
		f->nheld = n;
		app_request(app, f, &(struct app_request){ .search = q, .done = on_provenance,
		    .slot = "chart-row", .label = "Checking the note's signature" });
		fhir_search_free(&q);
		return;
	}
	free(cause);
	show_details(app, f, d, n);
}

static void
on_details(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct chart_full *f = state;
	struct chart_detail *d;
	size_t n;

	(void)tag;
	if (!read_details(app, r, f->pane, f->id, f->reading_type, f->reading, &d, &n))
		return;
	if (f->pane == CHART_NOTES) {
		char *why = NULL, *ref = chart_note_binary(r->resource, fhir_client_base(app_fhir(app)), &why);

		char *cause = NULL;

		forget_note(f);
		if (note_view_read(r->resource, fhir_client_base(app_fhir(app)), &f->note, &cause) == 0)
			f->has_note = true;
		free(cause);
		if (ref != NULL) {
			/* The text is held apart: one read more, then the note shows whole. */
			chart_details_free(f->held, f->nheld);
			f->held = d;
			f->nheld = n;
			free(f->body);
			f->body = ref;
			app_request(app, f, &(struct app_request){ .read = ref, .done = on_body,
			    .slot = "chart-row", .label = "Reading the note's text" });
			return;
		}
		if (why != NULL) {
			d = xreallocarray(d, n + 1, sizeof *d);
			d[n].label = xstrdup("Text");
			d[n++].value = why;
		}
	}
	show_details(app, f, d, n);
}

static int
open_row(struct app *app, void *state)
{
	struct chart_full *f = state;
	const char *id = ui_list_selected_id(&f->rows.list);
	const char *type = chart_pane_type(f->pane);
	char *ref;

	/* A row due is a forecast's. */
	if (id != NULL && f->pane == CHART_IMMUNIZATIONS &&
	    strncmp(id, DUE_ROW, strlen(DUE_ROW)) == 0) {
		id += strlen(DUE_ROW);
		type = "ImmunizationRecommendation";
	}
	if (id == NULL || !fhir_valid_id(id)) {
		app_error(app, "This row has no id the server can be asked for");
		return APP_HANDLED;
	}
	free(f->reading);
	f->reading = xstrdup(id);
	f->reading_type = type;
	ref = xasprintf("%s/%s", type, id);
	app_request(app, f, &(struct app_request){ .read = ref, .done = on_details,
	    .slot = "chart-row", .label = "Reading the details" });
	free(ref);
	return APP_HANDLED;
}

static int
read_again(struct app *app, void *state)
{
	struct chart_full *f = state;

	(void)app;
	f->rows.showing = false;
	search_first(f);
	return APP_REDRAW;
}

/* Esc on the details goes back to the list; on the list, the loop cancels or leaves. */
static int
full_back(struct app *app, void *state)
{
	struct chart_full *f = state;

	(void)app;
	return chart_rows_back(&f->rows);
}

static struct app_focus
full_widget(struct app *app, void *state)
{
	struct chart_full *f = state;

	(void)app;
	return chart_rows_focus(&f->rows);
}

/* A note, the selected row's or the one whose details show, in the note screen. */
static int
open_note(struct app *app, void *state)
{
	struct chart_full *f = state;
	const char *id = f->rows.showing ? f->reading : ui_list_selected_id(&f->rows.list);

	if (id == NULL || !fhir_valid_id(id)) {
		app_error(app, "This row has no id the server can be asked for");
		return APP_HANDLED;
	}
	chart_open_note(app, &(struct chart_list_arg){ .id = f->id, .patient = f->banner.patient,
	    .allergies = &f->banner.allergies }, id);
	return APP_HANDLED;
}

/* Back from the note screen: what it changed shows in the list. */
static void
full_resume(struct app *app, void *state)
{
	struct chart_full *f = state;

	(void)app;
	if (f->pane != CHART_NOTES)
		return;
	f->rows.showing = false;
	search_first(f);
}

enum { NEEDS_ROW = APP_NEEDS_SCREEN, NEEDS_NOTE = APP_NEEDS_SCREEN << 1 };

static const char *
full_unmet(struct app *app, void *state, unsigned need)
{
	struct chart_full *f = state;

	(void)app;
	if (need == NEEDS_ROW)
		return chart_rows_unmet(&f->rows, "the details already show", "no row is selected");
	if (need == NEEDS_NOTE && f->pane != CHART_NOTES)
		return "this list is not of notes";
	if (need == NEEDS_NOTE &&
	    (f->rows.showing ? f->reading : ui_list_selected_id(&f->rows.list)) == NULL)
		return "no note is selected";
	return NULL;
}

static const struct screen_action full_actions[] = {
	{ A_SELECT, open_row, NEEDS_ROW | APP_NEEDS_IDLE, "details" },
	{ A_REFRESH, read_again, APP_NEEDS_IDLE, "refresh" },
	{ A_OPEN_NOTE, open_note, NEEDS_NOTE | APP_NEEDS_IDLE, NULL },
	{ A_BACK, full_back, 0, NULL },
	{ A_NONE },
};

const struct screen_ops chart_list_screen = {
	.name = "chart-list",
	.title = "chart list",
	.context = "chart-list",
	.module = "charting",
	.needs = SCREEN_NEEDS_ONLINE,
	.needs_arg = "open the chart first (F4), then a pane's list",
	.enter = full_enter,
	.leave = full_leave,
	.draw = full_draw,
	.resume = full_resume,
	.actions = full_actions,
	.unmet = full_unmet,
	.widget = full_widget,
};

int
chart_open_list(struct app *app, const struct chart_list_arg *arg)
{
	return app_open(app, &chart_list_screen, (void *)arg);
}
