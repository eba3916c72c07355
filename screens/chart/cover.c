/* The cover sheet: the whole chart of one patient on one screen, read in one round trip. */
#include "config.h"

#include "screens/chart/chart.h"
#include "screens/chart/chart-private.h"
#include "screens/patients/patients.h"
#include "screens/screens.h"
#include "app/app.h"
#include "fhir/capability.h"
#include "fhir/chart.h"
#include "ui/banner.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cover {
	char *id;		  /* NULL until a patient is known (the finder is asking) */
	/* Why nothing can be recorded (the server's CapabilityStatement), or NULL. */
	char *read_only;
	struct chart_cover chart; /* chart.patient NULL until read */
	char *failed;
	bool loading;
	/*
	 * A save made from here is on screen as its answer told it: the return right after it
	 * asks nothing. The next return still asks what changed since the last full read, so
	 * anyone's change since then (this save's too) is read then.
	 */
	bool shown_saved;
};

/* No view without its audit line: every resource type shown is audited, or nothing is shown. */
static bool
audited(struct app *app, struct cover *c)
{
	const char *done[CHART_PANES + 1];
	size_t n = 0;

	if (app_audit(app, "view", "Patient", c->id) != 0)
		goto refused;
	for (int p = 0; p < CHART_PANES; p++) {
		const char *type = chart_pane_type((enum chart_pane)p);
		bool seen = false;

		if (c->chart.panes[p].state != CHART_PANE_LOADED)
			continue;
		for (size_t i = 0; i < n; i++)
			seen = seen || strcmp(done[i], type) == 0;
		if (seen)
			continue;
		if (app_audit(app, "view", type, c->id) != 0)
			goto refused;
		done[n++] = type;
	}
	/* The immunizations due are forecasts, a type of their own. */
	if (c->chart.panes[CHART_IMMUNIZATIONS].due > 0 &&
	    app_audit(app, "view", "ImmunizationRecommendation", c->id) != 0)
		goto refused;
	return true;
refused:
	chart_cover_clear(&c->chart);
	free(c->failed);
	c->failed = xstrdup("not shown: the audit trail cannot be written");
	return false;
}

static void
on_read(struct app *app, void *state, struct fhir_result *res, unsigned long tag)
{
	struct cover *c = state;
	struct chart_cover got;
	char *cause = NULL;

	(void)tag;
	c->loading = false;
	if (res->status != FHIR_OK || chart_cover_read(res->resource, c->id, &got, &cause) != 0) {
		char *again = cause != NULL ? chart_read_again(app, cause) : chart_read_failed(app, res);

		/* What happened and the way on: the chart is read again with the refresh key. */
		free(c->failed);
		c->failed = xasprintf("Not opened: %s", again);
		free(again);
		free(cause);
		if (res->status != FHIR_CANCELLED)
			app_error(app, "%s", c->failed);
		else
			app_status(app, "%s", c->failed);
		return;
	}
	chart_cover_clear(&c->chart);
	c->chart = got;
	free(c->failed);
	c->failed = NULL;
	/* A server that offers no forecasts (its CapabilityStatement) has none to fail to read. */
	if (c->chart.panes[CHART_IMMUNIZATIONS].state == CHART_PANE_LOADED &&
	    !fhir_caps_offers(app_caps(app), "ImmunizationRecommendation", FHIR_SEARCH, NULL)) {
		free(c->chart.panes[CHART_IMMUNIZATIONS].failure);
		c->chart.panes[CHART_IMMUNIZATIONS].failure = NULL;
	}
	if (!audited(app, c))
		return;
	app_set_patient(app, c->chart.patient);
	app_dirty(app);
}

static void
read_chart(struct app *app, struct cover *c)
{
	struct date_time now;
	cJSON *batch;

	date_time_now(&now);
	batch = chart_cover_batch(app_fhir(app), c->id, &now.date);
	c->loading = true;
	app_request(app, c, &(struct app_request){ .batch = batch, .done = on_read,
	    .slot = "chart-cover", .label = "Reading the chart" });
	cJSON_Delete(batch);
}

static void
start(struct app *app, struct cover *c, const char *id)
{
	free(c->id);
	c->id = xstrdup(id);
	if (!fhir_valid_id(c->id)) {
		free(c->failed);
		c->failed = xstrdup("this patient has no usable id");
		return;
	}
	read_chart(app, c);
}

/* The finder chose a row: its chart, whose batch reads (and audits, and makes current) the patient. */
static void
chosen(struct app *app, void *opener, const char *id)
{
	start(app, opener, id);
}

static void
ask_patient(struct app *app, void *state)
{
	if (patients_choose_for(app, "Chart of:", state, chosen) != 0)
		app_leave(app, state);
}

/* Back from the finder without a patient: there is no chart to show. */
static void
gave_up(struct app *app, void *state)
{
	struct cover *c = state;

	if (c->id == NULL)
		app_leave(app, c);
}

static void *
cover_enter(struct app *app, void *arg)
{
	struct cover *c = xcalloc(1, sizeof *c);
	const char *id = arg;
	const char *ro = fhir_caps_read_only(app_caps(app), "charting");

	if (ro != NULL)
		c->read_only = xasprintf("Charting is read-only: %s", ro);

	if (id == NULL && app_patient(app) != NULL)
		id = patient_id_of(app_patient(app));
	if (id != NULL)
		start(app, c, id);
	else
		/* The finder opens once this screen is on the stack, to answer it. */
		app_timer(app, c, 0, ask_patient);
	return c;
}

static void
cover_leave(struct app *app, void *state)
{
	struct cover *c = state;

	(void)app;
	chart_cover_clear(&c->chart);
	free(c->id);
	free(c->failed);
	free(c->read_only);
	free(c);
}

/* The answer to "did anything change?": only a change costs the full read. */
static void
on_changes(struct app *app, void *state, struct fhir_result *res, unsigned long tag)
{
	struct cover *c = state;

	(void)tag;
	if (res->status == FHIR_CANCELLED)
		return;
	if (res->status != FHIR_OK || chart_changed(res->resource))
		read_chart(app, c);
}

static void
cover_resume(struct app *app, void *state)
{
	struct cover *c = state;
	cJSON *batch;

	/* The finder left; if it chose, picked() comes next and sets the id. */
	if (c->id == NULL) {
		app_timer(app, c, 0, gave_up);
		return;
	}
	if (c->chart.patient == NULL || c->loading)
		return;
	if (c->shown_saved) {
		c->shown_saved = false;
		return;
	}
	/* Nothing dated to ask after: the full read is the only honest answer. */
	if (c->chart.newest == NULL) {
		read_chart(app, c);
		return;
	}
	/* Back on top: one small conditional batch; what another screen saved shows at once. */
	batch = chart_changes_batch(app_fhir(app), c->id, c->chart.version, c->chart.newest);
	app_request(app, c, &(struct app_request){ .batch = batch, .done = on_changes,
	    .slot = "chart-changes", .label = "Checking the chart" });
	cJSON_Delete(batch);
}

/*
 * A set of vital signs saved from here (the form still above): the vitals pane takes the
 * Observations from the save's answer, and the return asks nothing. An answer without
 * them, or one the pane cannot take: the chart is read at once, without asking first
 * whether it changed (the save did).
 */
static void
vitals_saved(struct app *app, void *opener, const cJSON *saved)
{
	struct cover *c = opener;

	if (c->chart.patient == NULL || c->loading)
		return; /* the read under way, or the return's, shows it */
	if (chart_vitals_saved(&c->chart.panes[CHART_VITALS], saved, c->id) == 0) {
		c->shown_saved = true;
		app_dirty(app);
		return;
	}
	read_chart(app, c);
}

/* --- drawing ------------------------------------------------------------------------ */

/* The cover sheet's two columns at 80x24, each pane under the one before it. */
struct place {
	enum chart_pane pane;
	int column; /* 0 left, 1 right */
};

// clang-format off
static const struct place places[] = {
	{ CHART_ALLERGIES, 0 },
	{ CHART_PROBLEMS, 0 },
	{ CHART_MEDICATIONS, 0 },
	{ CHART_IMMUNIZATIONS, 0 },
	{ CHART_VITALS, 1 },
	{ CHART_LABS, 1 },
	{ CHART_NOTES, 1 },
	{ CHART_APPOINTMENTS, 1 },
};
// clang-format on
#define NPLACES (sizeof places / sizeof places[0])

/* The rows pane L would fill below its heading: its rows, vitals two to a row; at least one. */
static int
rows_wanted(const struct chart_list *l, enum chart_pane pane)
{
	int n = (int)l->n;

	if (l->state != CHART_PANE_LOADED || (n == 0 && l->failure == NULL))
		return 1;
	if (pane == CHART_VITALS)
		return (n + 1) / 2 + (l->failure != NULL ? 1 : 0);
	/* The immunizations given, with a line saying the ones due could not be read. */
	return (n > 0 ? n : 1) + (l->failure != NULL ? 1 : 0);
}

/*
 * Share each column's ROWS among its panes: a heading and one row each first, then
 * one more row at a time, in turn, to each pane that has more to show. Linear in the
 * rows, whatever the panes hold.
 */
static void
share_rows(const struct chart_cover *chart, int rows, int out[NPLACES])
{
	for (int col = 0; col < 2; col++) {
		int left = rows;
		bool gave = true;

		for (size_t i = 0; i < NPLACES; i++)
			if (places[i].column == col) {
				out[i] = left >= 2 ? 1 : 0;
				left -= out[i] ? 2 : 0;
			}
		while (left > 0 && gave) {
			gave = false;
			for (size_t i = 0; i < NPLACES && left > 0; i++) {
				if (places[i].column != col || out[i] == 0 ||
				    out[i] >= rows_wanted(&chart->panes[places[i].pane], places[i].pane))
					continue;
				out[i]++;
				left--;
				gave = true;
			}
		}
	}
}

/* The action that opens each pane's full list; its key, from the live keymap, is in the heading. */
static const enum action pane_actions[CHART_PANES] = {
	[CHART_ALLERGIES] = A_ALLERGIES,
	[CHART_PROBLEMS] = A_PROBLEMS,
	[CHART_MEDICATIONS] = A_MEDICATIONS,
	[CHART_VITALS] = A_VITALS,
	[CHART_LABS] = A_LABS,
	[CHART_IMMUNIZATIONS] = A_IMMUNIZATIONS,
	[CHART_NOTES] = A_NOTES,
	[CHART_APPOINTMENTS] = A_APPOINTMENTS,
};

/* "l Labs (3 of 38)": the key to its full list, and how many the pane shows of how many, when not all. */
static void
draw_heading(struct app *app, WINDOW *win, int y, int x, int w, const struct chart_list *l,
    enum chart_pane pane, int shown, const char *extra)
{
	char key[32];
	char count[48] = "";
	long all = l->total > (long)l->n ? l->total : (long)l->n;

	/* The total counts what the pane leaves out (inactive, entered in error) only where it reads a window. */
	if (pane == CHART_ALLERGIES || pane == CHART_PROBLEMS || pane == CHART_MEDICATIONS)
		all = (long)l->n;
	if (l->state == CHART_PANE_LOADED && pane != CHART_VITALS && all > shown)
		snprintf(count, sizeof count, " (%d of %ld)", shown, all);
	if (!app_key_for(app, pane_actions[pane], key, sizeof key))
		key[0] = '\0';
	ui_putf(win, y, x, w, UI_TITLE, true, "%s%s%s%s%s", key, *key ? " " : "",
	    chart_pane_title(pane), count, extra != NULL ? extra : "");
}

/* TEXT on the left of W columns and RIGHT (a date) at its right end. */
static void
draw_line(WINDOW *win, int y, int x, int w, enum ui_look look, const char *text, const char *right)
{
	int rw = right != NULL && *right != '\0' ? (int)strlen(right) : 0;

	if (rw > 0 && rw + 2 < w) {
		ui_put(win, y, x, w - rw - 1, text, look, true);
		ui_put(win, y, x + w - rw, rw, right, look, false);
	} else {
		ui_put(win, y, x, w, text, look, true);
	}
}

static const char *
allergy_words(const struct chart_list *l)
{
	switch (l->allergy_state) {
	case PATIENT_ALLERGY_NONE_KNOWN: return "No known allergies";
	case PATIENT_ALLERGY_NOT_RECORDED: return "Allergies not recorded: ask the patient";
	default: return l->failure != NULL ? l->failure : "not read";
	}
}

/* The newest date among the vitals, for the heading; older ones are marked '*'. */
static const char *
vitals_date(const struct chart_list *l)
{
	const char *newest = "";

	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].date, newest) > 0)
			newest = l->items[i].date;
	return newest;
}

static void
draw_vitals(WINDOW *win, int y, int x, int w, int rows, const struct chart_list *l)
{
	const char *newest = vitals_date(l);
	int half = w / 2;

	for (size_t i = 0; i < l->n && (int)(i / 2) < rows; i++) {
		const struct chart_item *it = &l->items[i];
		bool older = strcmp(it->date, newest) != 0;

		ui_putf(win, y + (int)(i / 2), x + (int)(i % 2) * half, half - 1, UI_NORMAL, true,
		    "%-6s %s%s", it->what, it->value, older ? "*" : "");
	}
}

/* One row of PANE's item IT, in W columns. */
static void
draw_item(WINDOW *win, int y, int x, int w, enum chart_pane pane, const struct chart_item *it)
{
	char *text;
	enum ui_look look = it->alert ? UI_ERROR : UI_NORMAL;

	switch (pane) {
	case CHART_ALLERGIES:
		text = xasprintf("%s%s%s%s%s%s%s", it->alert ? "! " : "", it->what,
		    *it->value ? " (" : "", it->value, *it->value ? ")" : "",
		    *it->detail ? ": " : "", it->detail);
		draw_line(win, y, x, w, look, text, NULL);
		break;
	case CHART_IMMUNIZATIONS:
		if (it->due) {
			/* "Zoster ...   due 2026-12-09": when, on the right, as for one given. */
			char *when = xasprintf("%s%s%s", it->status, *it->date ? " " : "",
			    it->date);

			text = xstrdup(it->what);
			draw_line(win, y, x, w, look, text, when);
			free(when);
			break;
		}
		/* FALLTHROUGH */
	case CHART_PROBLEMS:
		text = xstrdup(it->what);
		draw_line(win, y, x, w, look, text, it->date);
		break;
	case CHART_MEDICATIONS:
		/* One the patient is allergic to (chart_flag_allergies): said first, so never cut. */
		text = xasprintf("%s%s%s%s", *it->flag ? "! ALLERGY: " : "", it->what,
		    *it->value ? "; " : "", it->value);
		draw_line(win, y, x, w, look, text, NULL);
		break;
	case CHART_LABS: {
		int vw = 12, fw = 2, nw = w - vw - fw - 2;

		text = NULL;
		if (nw < 8)
			nw = 8;
		ui_put(win, y, x, nw, it->what, look, true);
		ui_put(win, y, x + nw + 1, vw, it->value, look, true);
		ui_put(win, y, x + nw + 1 + vw + 1, fw, it->flag, look, true);
		break;
	}
	case CHART_NOTES:
		text = xasprintf("%s %s, %s%s%s", it->date, it->what, it->status,
		    *it->value ? ", " : "", it->value);
		draw_line(win, y, x, w, strcmp(it->status, "entered in error") == 0 ? UI_DIM : look,
		    text, NULL);
		break;
	case CHART_APPOINTMENTS:
		text = xasprintf("%s %s%s%s", it->date, it->what, *it->value ? ", " : "", it->value);
		draw_line(win, y, x, w, look, text, NULL);
		break;
	default:
		text = NULL;
		break;
	}
	free(text);
}

static void
draw_pane(struct app *app, WINDOW *win, int y, int x, int w, int rows, const struct chart_list *l,
    enum chart_pane pane)
{
	char extra[40] = "";

	if (pane == CHART_VITALS && l->n > 0)
		snprintf(extra, sizeof extra, " %s", vitals_date(l));
	draw_heading(app, win, y, x, w, l, pane, (int)l->n < rows ? (int)l->n : rows, extra);
	y++;
	if (l->state != CHART_PANE_LOADED) {
		ui_put(win, y, x, w, l->failure != NULL ? l->failure : "not read", UI_ERROR, true);
		return;
	}
	if (pane == CHART_ALLERGIES && l->n == 0) {
		ui_put(win, y, x, w, allergy_words(l), UI_NORMAL, true);
		return;
	}
	if (l->n == 0) {
		ui_put(win, y, x, w, pane == CHART_APPOINTMENTS ? "none booked" : "none recorded", UI_DIM, true);
		if (l->failure != NULL && rows > 1)
			ui_put(win, y + 1, x, w, l->failure, UI_ERROR, true);
		return;
	}
	if (pane == CHART_VITALS) {
		draw_vitals(win, y, x, w, rows, l);
		if (l->failure != NULL && (int)((l->n + 1) / 2) < rows)
			ui_put(win, y + (int)((l->n + 1) / 2), x, w, l->failure, UI_ERROR, true);
		return;
	}
	for (size_t i = 0; i < l->n && (int)i < rows; i++)
		draw_item(win, y + (int)i, x, w, pane, &l->items[i]);
	/* What could not be read beside the rows (the immunizations due): said below them. */
	if (l->failure != NULL && (int)l->n < rows)
		ui_put(win, y + (int)l->n, x, w, l->failure, UI_ERROR, true);
}

static void
cover_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct cover *c = state;
	struct date_time now;
	int y[2], x[2] = { 0, 40 }, w[2] = { 39, COLS - 40 }, take[NPLACES];

	if (c->chart.patient == NULL) {
		ui_put(win, top + 1, 2, COLS - 4,
		    c->failed ? c->failed : c->id == NULL ? "Choose the patient whose chart to open" : "Reading the chart...",
		    c->failed ? UI_ERROR : UI_DIM, false);
		return;
	}
	date_time_now(&now);
	/* Every patient screen keeps two rows for the banner, whether it takes one or two. */
	ui_banner_draw(win, top, COLS, &c->chart.view, &c->chart.banner_allergies, &now.date);
	/* A read-only chart says so on its last row, below the panes. */
	if (c->read_only != NULL && rows > 4) {
		ui_put(win, top + rows - 1, 1, COLS - 2, c->read_only, UI_DIM, false);
		rows--;
	}
	share_rows(&c->chart, rows - 2, take);
	y[0] = y[1] = top + 2;
	for (size_t i = 0; i < NPLACES; i++) {
		int col = places[i].column;

		if (take[i] < 1)
			continue;
		draw_pane(app, win, y[col], x[col], w[col], take[i], &c->chart.panes[places[i].pane],
		    places[i].pane);
		y[col] += take[i] + 1;
	}
}

/* --- actions ------------------------------------------------------------------------ */

static int
read_again(struct app *app, void *state)
{
	struct cover *c = state;

	if (c->id == NULL || !fhir_valid_id(c->id))
		return APP_HANDLED;
	read_chart(app, c);
	return APP_REDRAW;
}

/* Back: once the chart shows it leaves; while it reads, the loop's Esc cancels the read. */
static int
cover_back(struct app *app, void *state)
{
	struct cover *c = state;

	(void)app;
	return c->loading ? APP_IGNORED : APP_LEAVE;
}

static int
open_list(struct app *app, struct cover *c, enum chart_pane pane)
{
	chart_open_list(app, &(struct chart_list_arg){ .id = c->id, .pane = pane,
	    .patient = c->chart.patient, .allergies = &c->chart.banner_allergies,
	    .allergy_rows = &c->chart.panes[CHART_ALLERGIES] });
	return APP_HANDLED;
}

/* The labs have a list of their own: by panel and date, with a trend for each test. */
static int
list_labs(struct app *app, void *state)
{
	struct cover *c = state;

	chart_open_labs(app, &(struct chart_list_arg){ .id = c->id, .pane = CHART_LABS,
	    .patient = c->chart.patient, .allergies = &c->chart.banner_allergies });
	return APP_HANDLED;
}

#define OPEN_LIST(fn, pane)                                   \
	static int fn(struct app *app, void *state)           \
	{                                                     \
		return open_list(app, state, pane);           \
	}
OPEN_LIST(list_allergies, CHART_ALLERGIES)
OPEN_LIST(list_problems, CHART_PROBLEMS)
OPEN_LIST(list_medications, CHART_MEDICATIONS)
OPEN_LIST(list_vitals, CHART_VITALS)
OPEN_LIST(list_immunizations, CHART_IMMUNIZATIONS)
OPEN_LIST(list_notes, CHART_NOTES)
OPEN_LIST(list_appointments, CHART_APPOINTMENTS)

static int
list_encounters(struct app *app, void *state)
{
	struct cover *c = state;

	chart_open_visits(app, &(struct chart_list_arg){ .id = c->id, .patient = c->chart.patient,
	    .allergies = &c->chart.banner_allergies });
	return APP_HANDLED;
}

static int
record_vitals(struct app *app, void *state)
{
	struct cover *c = state;

	chart_open_vitals(app, &(struct chart_list_arg){ .id = c->id,
	    .patient = c->chart.patient, .allergies = &c->chart.banner_allergies }, vitals_saved, c);
	return APP_HANDLED;
}

static int
record_allergies(struct app *app, void *state)
{
	struct cover *c = state;

	chart_open_allergies(app, &(struct chart_list_arg){ .id = c->id,
	    .patient = c->chart.patient, .allergies = &c->chart.banner_allergies });
	return APP_HANDLED;
}

static int
record_problems(struct app *app, void *state)
{
	struct cover *c = state;

	chart_open_problems(app, &(struct chart_list_arg){ .id = c->id,
	    .patient = c->chart.patient, .allergies = &c->chart.banner_allergies });
	return APP_HANDLED;
}

static int
record_meds(struct app *app, void *state)
{
	struct cover *c = state;

	chart_open_meds(app, &(struct chart_list_arg){ .id = c->id,
	    .patient = c->chart.patient, .allergies = &c->chart.banner_allergies });
	return APP_HANDLED;
}

static int
immunize(struct app *app, void *state)
{
	struct cover *c = state;

	chart_open_immunize(app, &(struct chart_list_arg){ .id = c->id,
	    .patient = c->chart.patient, .allergies = &c->chart.banner_allergies });
	return APP_HANDLED;
}

static int
write_note(struct app *app, void *state)
{
	struct cover *c = state;

	chart_open_note(app, &(struct chart_list_arg){ .id = c->id,
	    .patient = c->chart.patient, .allergies = &c->chart.banner_allergies }, NULL);
	return APP_HANDLED;
}

static int
wrap_up(struct app *app, void *state)
{
	struct cover *c = state;

	chart_open_wrapup(app, &(struct chart_list_arg){ .id = c->id,
	    .patient = c->chart.patient, .allergies = &c->chart.banner_allergies });
	return APP_HANDLED;
}

enum {
	NEEDS_PATIENT = APP_NEEDS_SCREEN,
	NEEDS_SHOWN = APP_NEEDS_SCREEN << 1,
	NEEDS_WRITABLE = APP_NEEDS_SCREEN << 2, /* the server takes the chart's writes */
};

static const char *
cover_unmet(struct app *app, void *state, unsigned need)
{
	struct cover *c = state;

	(void)app;
	/* A write the server does not offer is refused with its reason, never sent. */
	if (need == NEEDS_WRITABLE && c->read_only != NULL)
		return c->read_only;
	if (need == NEEDS_PATIENT && c->id == NULL)
		return "choose a patient first";
	if (need == NEEDS_SHOWN && c->chart.patient == NULL)
		return c->loading ? "wait for the chart to be read" : "the chart is not read";
	return NULL;
}

static const struct screen_action cover_actions[] = {
	{ A_REFRESH, read_again, NEEDS_PATIENT | APP_NEEDS_IDLE, "refresh" },
	{ A_ALLERGIES, list_allergies, NEEDS_SHOWN, NULL },
	{ A_PROBLEMS, list_problems, NEEDS_SHOWN, NULL },
	{ A_MEDICATIONS, list_medications, NEEDS_SHOWN, NULL },
	{ A_VITALS, list_vitals, NEEDS_SHOWN, NULL },
	{ A_LABS, list_labs, NEEDS_SHOWN, NULL },
	{ A_IMMUNIZATIONS, list_immunizations, NEEDS_SHOWN, NULL },
	{ A_NOTES, list_notes, NEEDS_SHOWN, NULL },
	{ A_APPOINTMENTS, list_appointments, NEEDS_SHOWN, NULL },
	{ A_ENCOUNTERS, list_encounters, NEEDS_SHOWN, "visits" },
	{ A_RECORD_VITALS, record_vitals, NEEDS_SHOWN | NEEDS_WRITABLE | APP_NEEDS_IDLE,
	    "record vitals" },
	{ A_RECORD_ALLERGIES, record_allergies, NEEDS_SHOWN | NEEDS_WRITABLE | APP_NEEDS_IDLE,
	    NULL },
	{ A_RECORD_PROBLEMS, record_problems, NEEDS_SHOWN | NEEDS_WRITABLE | APP_NEEDS_IDLE, NULL },
	{ A_IMMUNIZE, immunize, NEEDS_SHOWN | NEEDS_WRITABLE | APP_NEEDS_IDLE, NULL },
	{ A_RECORD_MEDS, record_meds, NEEDS_SHOWN | NEEDS_WRITABLE | APP_NEEDS_IDLE, NULL },
	{ A_WRITE_NOTE, write_note, NEEDS_SHOWN | NEEDS_WRITABLE | APP_NEEDS_IDLE, NULL },
	{ A_WRAP_UP, wrap_up, NEEDS_SHOWN | NEEDS_WRITABLE | APP_NEEDS_IDLE, NULL },
	{ A_BACK, cover_back, 0, NULL },
	{ A_NONE },
};

const struct screen_ops chart_screen = {
	.name = "chart",
	.title = "chart",
	.context = "chart",
	.module = "charting",
	.needs = SCREEN_NEEDS_ONLINE,
	.enter = cover_enter,
	.leave = cover_leave,
	.draw = cover_draw,
	.resume = cover_resume,
	.actions = cover_actions,
	.unmet = cover_unmet,
};

int
charting_open_cover(struct app *app, const char *id)
{
	return app_open(app, &chart_screen, (void *)id);
}
