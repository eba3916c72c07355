/* The labs list: each report a panel with its results, results in no report on their own; a trend on t. */
#include "config.h"

#include "screens/chart/chart-private.h"
#include "screens/screens.h"
#include "app/app.h"
#include "fhir/labs.h"
#include "ui/list.h"
#include "ui/pager.h"
#include "ui/plot.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COL_DATE, COL_WHAT, COL_VALUE, COL_FLAG, COL_RANGE, COL_COUNT };

// clang-format off
static const struct ui_list_column columns[COL_COUNT] = {
	{ "Date", 10, 0 }, { "Panel / test", 0, 3 }, { "Value", 0, 2 }, { "Flag", 4, 0 },
	{ "Range", 12, 0 },
};
// clang-format on

/* The rows of bars a trend draws: with its axis, dates and summary it fits 80x24 under the banner. */
#define TREND_HEIGHT 8
/* The cursor a first page is asked with, so that it too can be a page's "previous" link. */
#define FIRST_PAGE "first"

struct labs {
	struct app *app;
	char *id;
	struct chart_banner banner;
	struct chart_rows rows; /* the list, and a row's details or a trend over it */
	char *title;	/* what the pager shows */
	char *reading;	/* the id of the row whose details are being read */
	char *trend;	/* the analyte whose trend is being read */
	bool audited;	/* the list's view is in the audit trail */
	/* The cursors pages were asked with, in order: a page's previous is the one before its own. */
	char **cursors;
	size_t ncursors;
	char *asked; /* the cursor of the page in flight */
};

/*
 * A row's id in the list says what it is, so nothing else needs keeping: "R id" a panel,
 * "O id system|code" a result (the code empty when it has none usable). Neither an id
 * nor a code holds a blank.
 */
static char *
row_key(const struct labs_row *r)
{
	if (r->kind == LABS_PANEL)
		return xasprintf("R %s", r->item.id);
	return xasprintf("O %s %s", r->item.id, r->code);
}

/* The selected result's id into ID and its code (borrowed); false for a panel or no row. */
static bool
selected_result(struct labs *s, char *id, size_t idsize, const char **code)
{
	const char *key = ui_list_selected_id(&s->rows.list);
	const char *sp;

	*code = NULL;
	if (key == NULL || strncmp(key, "O ", 2) != 0 || (sp = strchr(key + 2, ' ')) == NULL ||
	    (size_t)(sp - key - 2) >= idsize)
		return false;
	memcpy(id, key + 2, (size_t)(sp - key - 2));
	id[sp - key - 2] = '\0';
	*code = sp + 1;
	return true;
}

static void
cursors_clear(struct labs *s)
{
	for (size_t i = 0; i < s->ncursors; i++)
		free(s->cursors[i]);
	free(s->cursors);
	s->cursors = NULL;
	s->ncursors = 0;
}

/* The cursor of the page before the one asked with CURSOR, or NULL when it is the first. */
static const char *
cursor_before(struct labs *s, const char *cursor)
{
	for (size_t i = 1; i < s->ncursors; i++)
		if (strcmp(s->cursors[i], cursor) == 0)
			return s->cursors[i - 1];
	return NULL;
}

static void
cursor_note(struct labs *s, const char *cursor)
{
	for (size_t i = 0; i < s->ncursors; i++)
		if (strcmp(s->cursors[i], cursor) == 0)
			return;
	s->cursors = xreallocarray(s->cursors, s->ncursors + 1, sizeof *s->cursors);
	s->cursors[s->ncursors++] = xstrdup(cursor);
}

static void on_page(struct app *app, void *state, struct fhir_result *r, unsigned long ticket);

static void
ask_page(struct labs *s, unsigned ticket, const char *cursor)
{
	cJSON *batch = labs_page_batch(app_fhir(s->app), s->id,
	    strcmp(cursor, FIRST_PAGE) != 0 ? cursor : NULL);

	free(s->asked);
	s->asked = xstrdup(cursor);
	app_request(s->app, s, &(struct app_request){ .batch = batch, .done = on_page, .tag = ticket,
	    .slot = "labs-page", .label = "Reading the labs" });
	cJSON_Delete(batch);
}

/* No view without its audit line: the reports and the results, once for the list. */
static bool
audited(struct app *app, struct labs *s)
{
	if (s->audited)
		return true;
	if (app_audit(app, "view", "DiagnosticReport", s->id) != 0 ||
	    app_audit(app, "view", "Observation", s->id) != 0)
		return false;
	s->audited = true;
	return true;
}

static void
on_page(struct app *app, void *state, struct fhir_result *r, unsigned long ticket)
{
	struct labs *s = state;
	struct ui_list_links links = { 0 };
	struct ui_list_page *pg;
	struct labs_page page;
	char *why = NULL;

	if (r->status != FHIR_OK) {
		/* Said with the way on: the refresh key reads the labs again. */
		char *w = chart_read_failed(app, r);

		ui_list_page_failed(&s->rows.list, (unsigned)ticket, w);
		app_error(app, "Labs: %s", w);
		free(w);
		return;
	}
	labs_page_read(r->resource, s->id, &page);
	if (page.state != CHART_PANE_LOADED) {
		ui_list_page_failed(&s->rows.list, (unsigned)ticket,
		    page.failure ? page.failure : "not read");
		app_error(app, "Labs: %s", page.failure ? page.failure : "not read");
		labs_page_clear(&page);
		return;
	}
	if (!audited(app, s)) {
		ui_list_page_failed(&s->rows.list, (unsigned)ticket,
		    "not shown: the audit trail cannot be written");
		labs_page_clear(&page);
		return;
	}
	pg = ui_list_page_new(COL_COUNT);
	for (size_t i = 0; i < page.n; i++) {
		const struct labs_row *row = &page.rows[i];
		const struct chart_item *it = &row->item;
		char *what = row->kind == LABS_RESULT ? xasprintf("  %s", it->what) : xstrdup(it->what);
		const char *cells[COL_COUNT];
		char *key = row_key(row);

		cells[COL_DATE] = row->kind == LABS_RESULT ? "" : it->date;
		cells[COL_WHAT] = what;
		/* A panel's status says something only when the report is not final. */
		cells[COL_VALUE] = row->kind != LABS_PANEL ? it->value : strcmp(it->status, "final") == 0 ? "" : it->status;
		cells[COL_FLAG] = it->flag;
		cells[COL_RANGE] = it->detail;
		ui_list_page_add(pg, key, cells);
		free(key);
		free(what);
	}
	if (page.left_out > 0)
		app_status(app, "%zu results of these reports are not shown (more than a report lists here, or not in the answer)",
		    page.left_out);
	if (s->asked != NULL) {
		cursor_note(s, s->asked);
		links.previous = cursor_before(s, s->asked);
	}
	if (page.next != NULL)
		cursor_note(s, page.next);
	links.next = page.next;
	links.first = FIRST_PAGE;
	if (ui_list_add_page(&s->rows.list, (unsigned)ticket, &pg, -1, &links, -1, &why) != 0 &&
	    why != NULL) {
		app_error(app, "Labs: %s", why);
		free(why);
	}
	labs_page_clear(&page);
	app_dirty(app);
}

static void
search_first(struct labs *s)
{
	unsigned ticket = ui_list_reset(&s->rows.list);

	cursors_clear(s);
	ask_page(s, ticket, FIRST_PAGE);
}

static void
need_page(void *owner, unsigned ticket, enum ui_list_dir dir, const char *link)
{
	struct labs *s = owner;

	if (link == NULL) {
		if (dir == UI_LIST_FIRST)
			search_first(s);
		else
			ui_list_page_failed(&s->rows.list, ticket, "no more pages");
		return;
	}
	ask_page(s, ticket, link);
}

static void *
labs_enter(struct app *app, void *arg)
{
	const struct chart_list_arg *a = arg;
	struct labs *s = xcalloc(1, sizeof *s);

	s->app = app;
	s->id = xstrdup(a->id);
	chart_banner_take(&s->banner, a);
	chart_rows_init(&s->rows, columns, COL_COUNT, need_page, s, "No lab results recorded.");
	search_first(s);
	return s;
}

static void
labs_leave(struct app *app, void *state)
{
	struct labs *s = state;

	(void)app;
	chart_rows_free(&s->rows);
	chart_banner_clear(&s->banner);
	cursors_clear(s);
	free(s->asked);
	free(s->title);
	free(s->reading);
	free(s->trend);
	free(s->id);
	free(s);
}

static void
labs_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct labs *s = state;
	char *where = ui_list_position(&s->rows.list);

	(void)app;
	chart_banner_draw(&s->banner, win, top);
	if (s->rows.showing)
		ui_put(win, top + 2, 0, COLS, s->title != NULL ? s->title : "", UI_TITLE, true);
	else
		ui_putf(win, top + 2, 0, COLS, UI_TITLE, true, "Labs by panel and date%s%s",
		    *where ? ", " : "", where);
	free(where);
	chart_rows_draw(&s->rows, win, top + 3, rows - 3);
}

/* The pager replaces what it showed with a new page titled TITLE. */
static void
pager_start(struct labs *s, char *title)
{
	ui_pager_free(&s->rows.pager);
	ui_pager_init(&s->rows.pager);
	free(s->title);
	s->title = title;
	s->rows.showing = true;
}

static void
on_details(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct labs *s = state;

	(void)tag;
	if (chart_show_details(app, r, CHART_LABS, s->id, s->reading, &s->rows.pager)) {
		free(s->title);
		s->title = xstrdup("Lab result, details");
		s->rows.showing = true;
	}
}

static int
open_row(struct app *app, void *state)
{
	struct labs *s = state;
	const char *code;
	char id[80], *ref;

	if (!selected_result(s, id, sizeof id, &code)) {
		app_status(app, "A panel: its results are the rows under it");
		return APP_HANDLED;
	}
	if (!fhir_valid_id(id)) {
		app_error(app, "This row has no id the server can be asked for");
		return APP_HANDLED;
	}
	free(s->reading);
	s->reading = xstrdup(id);
	ref = xasprintf("Observation/%s", id);
	app_request(app, s, &(struct app_request){ .read = ref, .done = on_details,
	    .slot = "labs-row", .label = "Reading the details" });
	free(ref);
	return APP_HANDLED;
}

/* The trend as the pager's lines: the plot, what was left out, then every value with its flag. */
static void
show_trend(struct labs *s, const struct labs_trend *t)
{
	struct ui_plot_point *p = xcalloc(t->n, sizeof *p);
	struct ui_lines lines = { 0 };
	struct ui_pager *pager = &s->rows.pager;
	size_t drawn;

	for (size_t i = 0; i < t->n; i++)
		p[i] = (struct ui_plot_point){ t->v[i].value, t->v[i].label, t->v[i].date };
	pager_start(s, xasprintf("Trend: %s%s%s%s, %zu value%s", t->name, *t->unit ? " (" : "", t->unit,
	    *t->unit ? ")" : "", t->n, t->n == 1 ? "" : "s"));
	drawn = ui_plot(p, t->n, COLS < 80 ? COLS : 80, TREND_HEIGHT,
	    ui_utf8() ? UI_PLOT_UTF8 : UI_PLOT_ASCII, &lines);
	for (size_t i = 0; i < lines.n; i++)
		ui_pager_add(pager, lines.v[i]);
	ui_lines_clear(&lines);
	free(p);
	if (drawn < t->n)
		ui_pager_addf(pager, "The newest %zu of %zu values are drawn.", drawn, t->n);
	if (t->total > (long)(t->n + t->other_units + t->unusable))
		ui_pager_addf(pager, "The newest %d values were read of %ld.", LABS_TREND_MAX, t->total);
	if (t->other_units > 0)
		ui_pager_addf(pager, "%zu value%s in another unit than %s not drawn.", t->other_units,
		    t->other_units == 1 ? "" : "s", t->unit);
	if (t->unusable > 0)
		ui_pager_addf(pager, "%zu value%s without a number or a date, or not this test, left out.",
		    t->unusable, t->unusable == 1 ? "" : "s");
	ui_pager_add(pager, "");
	ui_pager_addf(pager, "%-10s  %-12s %-4s  %s", "Date", "Value", "Flag", "Range");
	/* Newest first, as every list of the chart. */
	for (size_t i = t->n; i-- > 0;)
		ui_pager_addf(pager, "%-10s  %-12s %-4s  %s", t->v[i].date, t->v[i].label, t->v[i].flag,
		    t->v[i].range);
}

static void
on_trend(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct labs *s = state;
	struct labs_trend t;

	(void)tag;
	if (r->status != FHIR_OK) {
		app_error(app, "No trend: %s", r->status == FHIR_CANCELLED ? "cancelled"
						: r->message ? r->message : "no answer");
		return;
	}
	labs_trend_read(r->resource, s->id, s->trend, &t);
	if (t.state != CHART_PANE_LOADED) {
		app_error(app, "No trend: %s", t.failure ? t.failure : "not read");
		labs_trend_clear(&t);
		return;
	}
	if (t.n == 0) {
		app_error(app, "No trend: no value of this test has a number and a date");
		labs_trend_clear(&t);
		return;
	}
	if (app_audit(app, "view", "Observation", s->id) != 0) {
		labs_trend_clear(&t);
		return;
	}
	show_trend(s, &t);
	labs_trend_clear(&t);
	app_dirty(app);
}

static int
open_trend(struct app *app, void *state)
{
	struct labs *s = state;
	struct fhir_search *q;
	const char *code;
	char id[80];

	if (!selected_result(s, id, sizeof id, &code)) {
		app_status(app, "Choose a test's row for its trend, not a panel");
		return APP_HANDLED;
	}
	if ((q = labs_trend_search(s->id, code)) == NULL) {
		app_error(app, "No trend: this result has no code to follow it by");
		return APP_HANDLED;
	}
	free(s->trend);
	s->trend = xstrdup(code);
	app_request(app, s, &(struct app_request){ .search = q, .done = on_trend,
	    .slot = "labs-trend", .label = "Reading the trend" });
	fhir_search_free(&q);
	return APP_HANDLED;
}

static int
read_again(struct app *app, void *state)
{
	struct labs *s = state;

	(void)app;
	s->rows.showing = false;
	search_first(s);
	return APP_REDRAW;
}

/* Esc on the details or a trend goes back to the list; on the list, the loop cancels or leaves. */
static int
labs_back(struct app *app, void *state)
{
	struct labs *s = state;

	(void)app;
	return chart_rows_back(&s->rows);
}

static struct app_focus
labs_widget(struct app *app, void *state)
{
	struct labs *s = state;

	(void)app;
	return chart_rows_focus(&s->rows);
}

enum { NEEDS_ROW = APP_NEEDS_SCREEN };

static const char *
labs_unmet(struct app *app, void *state, unsigned need)
{
	struct labs *s = state;

	(void)app;
	if (need == NEEDS_ROW)
		return chart_rows_unmet(&s->rows, "go back to the list first (Esc)",
		    "no row is selected");
	return NULL;
}

static const struct screen_action labs_actions[] = {
	{ A_SELECT, open_row, NEEDS_ROW | APP_NEEDS_IDLE, "details" },
	{ A_TREND, open_trend, NEEDS_ROW | APP_NEEDS_IDLE, "trend" },
	{ A_REFRESH, read_again, APP_NEEDS_IDLE, "refresh" },
	{ A_BACK, labs_back, 0, NULL },
	{ A_NONE },
};

const struct screen_ops chart_labs_screen = {
	.name = "labs",
	.title = "labs",
	.context = "labs",
	.module = "charting",
	.needs = SCREEN_NEEDS_ONLINE,
	.needs_arg = "open the chart first (F4), then its labs",
	.enter = labs_enter,
	.leave = labs_leave,
	.draw = labs_draw,
	.actions = labs_actions,
	.unmet = labs_unmet,
	.widget = labs_widget,
};

int
chart_open_labs(struct app *app, const struct chart_list_arg *arg)
{
	return app_open(app, &chart_labs_screen, (void *)arg);
}
