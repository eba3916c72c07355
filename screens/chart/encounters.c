/* The visits: every Encounter of the patient, paged; Enter shows one visit's diagnoses, vital signs and notes. */
#include "config.h"

#include "screens/chart/chart-private.h"
#include "screens/screens.h"
#include "app/app.h"
#include "fhir/encounter.h"
#include "ui/list.h"
#include "ui/pager.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COL_DATE, COL_TYPE, COL_PROVIDER, COL_REASON, COL_STATUS, COL_COUNT };
static const struct ui_list_column columns[COL_COUNT] = {
	{ "Date", 16, 0 },
	{ "Visit", 0, 2 },
	{ "Provider", 0, 2 },
	{ "Reason", 0, 1 },
	{ "Status", 9, 0 },
};

/* Lines one value of a visit wraps into at most. */
#define VISIT_LINES_MAX 50

/* What a row shows, kept by its list id for the visit's heading. */
struct visit_seen {
	char *id, *heading;
};

struct visits {
	struct app *app;
	char *id;
	struct chart_banner banner;
	struct chart_rows rows; /* the list, and a row's details over it */
	bool audited;
	char *reading; /* the visit whose details are being read */
	struct visit_seen *seen;
	size_t nseen;
};

static void
remember(struct visits *v, const struct encounter_row *r)
{
	v->seen = xreallocarray(v->seen, v->nseen + 1, sizeof *v->seen);
	v->seen[v->nseen].id = xstrdup(r->id);
	v->seen[v->nseen++].heading = xasprintf("%s %s%s%s%s%s", r->date, r->type,
	    *r->provider ? ", " : "", r->provider, *r->reason ? "; " : "", r->reason);
}

static const char *
heading_of(const struct visits *v, const char *id)
{
	for (size_t i = v->nseen; i-- > 0;)
		if (strcmp(v->seen[i].id, id) == 0)
			return v->seen[i].heading;
	return "";
}

static void
forget(struct visits *v)
{
	for (size_t i = 0; i < v->nseen; i++) {
		free(v->seen[i].id);
		free(v->seen[i].heading);
	}
	free(v->seen);
	v->seen = NULL;
	v->nseen = 0;
}

static void
on_page(struct app *app, void *state, struct fhir_result *r, unsigned long ticket)
{
	struct visits *v = state;
	struct ui_list_links links = { 0 };
	struct encounter_page page;
	struct ui_list_page *pg;
	char *cause = NULL;

	if (r->status != FHIR_OK || encounter_page_read(r->resource, v->id, &page, &cause) != 0) {
		/* Said with the way on: the refresh key reads the visits again. */
		char *why = r->status != FHIR_OK ? chart_read_failed(app, r)
						 : chart_read_again(app, cause);

		ui_list_page_failed(&v->rows.list, (unsigned)ticket, why);
		app_error(app, "Visits: %s", why);
		free(why);
		free(cause);
		return;
	}
	/* No view without its audit line. */
	if (!v->audited && app_audit(app, "view", "Encounter", v->id) != 0) {
		ui_list_page_failed(&v->rows.list, (unsigned)ticket,
		    "not shown: the audit trail cannot be written");
		encounter_page_clear(&page);
		return;
	}
	v->audited = true;
	pg = ui_list_page_new(COL_COUNT);
	for (size_t i = 0; i < page.n; i++) {
		const struct encounter_row *row = &page.rows[i];
		const char *cells[COL_COUNT] = { row->date, row->type, row->provider, row->reason,
			row->status };

		ui_list_page_add(pg, fhir_valid_id(row->id) ? row->id : "", cells);
		remember(v, row);
	}
	links.next = fhir_bundle_link(r->resource, "next");
	links.previous = fhir_bundle_link(r->resource, "previous");
	links.first = fhir_bundle_link(r->resource, "first");
	links.last = fhir_bundle_link(r->resource, "last");
	ui_list_add_page(&v->rows.list, (unsigned)ticket, &pg, -1, &links,
	    fhir_bundle_total(r->resource), NULL);
	encounter_page_clear(&page);
	app_dirty(app);
}

static void
search_first(struct visits *v)
{
	struct fhir_search *s = encounter_search(v->id, app_profile(v->app)->page_size);
	unsigned ticket = ui_list_reset(&v->rows.list);

	forget(v);
	app_request(v->app, v, &(struct app_request){ .search = s, .done = on_page, .tag = ticket,
	    .slot = "visits", .label = "Reading the visits" });
	fhir_search_free(&s);
}

static void
need_page(void *owner, unsigned ticket, enum ui_list_dir dir, const char *link)
{
	struct visits *v = owner;

	if (link == NULL) {
		if (dir == UI_LIST_FIRST)
			search_first(v);
		else
			ui_list_page_failed(&v->rows.list, ticket, "no more pages");
		return;
	}
	app_request(v->app, v, &(struct app_request){ .page = link, .done = on_page, .tag = ticket,
	    .slot = "visits", .label = "Reading the visits" });
}

static void *
visits_enter(struct app *app, void *arg)
{
	const struct chart_list_arg *a = arg;
	struct visits *v = xcalloc(1, sizeof *v);

	v->app = app;
	v->id = xstrdup(a->id);
	chart_banner_take(&v->banner, a);
	chart_rows_init(&v->rows, columns, COL_COUNT, need_page, v, "No visits recorded.");
	search_first(v);
	return v;
}

static void
visits_leave(struct app *app, void *state)
{
	struct visits *v = state;

	(void)app;
	chart_rows_free(&v->rows);
	chart_banner_clear(&v->banner);
	forget(v);
	free(v->reading);
	free(v->id);
	free(v);
}

static void
visits_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct visits *v = state;
	char *where = ui_list_position(&v->rows.list);

	(void)app;
	chart_banner_draw(&v->banner, win, top);
	ui_putf(win, top + 2, 0, COLS, UI_TITLE, true, "Visits%s%s", *where ? ", " : "",
	    v->rows.showing ? "one visit" : where);
	free(where);
	chart_rows_draw(&v->rows, win, top + 3, rows - 3);
}

static void
add_line(struct visits *v, const char *label, const char *value)
{
	char *l = xasprintf("%-11s ", label);

	ui_pager_add_wrapped(&v->rows.pager, l, value, COLS, VISIT_LINES_MAX);
	free(l);
}

static void
on_visit(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct visits *v = state;
	static const char *const types[] = { "Encounter", "Condition", "Observation",
		"DocumentReference" };
	struct chart_detail *d;
	size_t n;
	char *cause = NULL;

	(void)tag;
	if (r->status != FHIR_OK) {
		app_error(app, "Not shown: %s", r->status == FHIR_CANCELLED ? "cancelled"
						 : r->message ? r->message : "no answer");
		return;
	}
	if (encounter_visit_read(r->resource, v->id, &d, &n, &cause) != 0) {
		app_error(app, "Not shown: %s", cause);
		free(cause);
		return;
	}
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		if (app_audit(app, "view", types[i], i == 0 ? v->reading : v->id) != 0) {
			chart_details_free(d, n);
			return;
		}
	}
	ui_pager_free(&v->rows.pager);
	ui_pager_init(&v->rows.pager);
	/* The heading is what the list row said: a few lines, whatever its names hold. */
	ui_pager_add_wrapped(&v->rows.pager, "Visit       ", heading_of(v, v->reading), COLS, 3);
	for (size_t i = 0; i < n; i++)
		add_line(v, d[i].label, d[i].value);
	chart_details_free(d, n);
	v->rows.showing = true;
	app_dirty(app);
}

static int
open_visit(struct app *app, void *state)
{
	struct visits *v = state;
	const char *id = ui_list_selected_id(&v->rows.list);
	cJSON *batch;

	if (id == NULL || !fhir_valid_id(id)) {
		app_error(app, "This row has no id the server can be asked for");
		return APP_HANDLED;
	}
	free(v->reading);
	v->reading = xstrdup(id);
	batch = encounter_visit_batch(app_fhir(app), v->id, id);
	app_request(app, v, &(struct app_request){ .batch = batch, .done = on_visit,
	    .slot = "visit", .label = "Reading the visit" });
	cJSON_Delete(batch);
	return APP_HANDLED;
}

static int
read_again(struct app *app, void *state)
{
	struct visits *v = state;

	(void)app;
	v->rows.showing = false;
	search_first(v);
	return APP_REDRAW;
}

/* Esc on a visit goes back to the list; on the list, the loop cancels or leaves. */
static int
visits_back(struct app *app, void *state)
{
	struct visits *v = state;

	(void)app;
	return chart_rows_back(&v->rows);
}

static struct app_focus
visits_widget(struct app *app, void *state)
{
	struct visits *v = state;

	(void)app;
	return chart_rows_focus(&v->rows);
}

enum { NEEDS_ROW = APP_NEEDS_SCREEN };

static const char *
visits_unmet(struct app *app, void *state, unsigned need)
{
	struct visits *v = state;

	(void)app;
	if (need == NEEDS_ROW)
		return chart_rows_unmet(&v->rows, "the visit already shows",
		    "no visit is selected");
	return NULL;
}

static const struct screen_action visits_actions[] = {
	{ A_SELECT, open_visit, NEEDS_ROW | APP_NEEDS_IDLE, "visit" },
	{ A_REFRESH, read_again, APP_NEEDS_IDLE, "refresh" },
	{ A_BACK, visits_back, 0, NULL },
	{ A_NONE },
};

const struct screen_ops chart_visits_screen = {
	.name = "visits",
	.title = "visits",
	.context = "chart-list",
	.module = "charting",
	.needs = SCREEN_NEEDS_ONLINE,
	.needs_arg = "open the chart first (F4), then its visits",
	.enter = visits_enter,
	.leave = visits_leave,
	.draw = visits_draw,
	.actions = visits_actions,
	.unmet = visits_unmet,
	.widget = visits_widget,
};

int
chart_open_visits(struct app *app, const struct chart_list_arg *arg)
{
	return app_open(app, &chart_visits_screen, (void *)arg);
}
