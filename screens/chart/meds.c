/*
 * The medications form: the patient's allergies listed on top, the active and held orders
 * under them, and the writes a clinician makes at a visit: stop one with a reason, renew
 * one as a new order (asked first, and warned when it matches an allergy), and mark the
 * list reconciled at this visit. Everything is read in one batch, and again after every
 * write; the orders are src/fhir/record.c's list, so versions and lost answers are settled
 * as they are for allergies and problems.
 */
#include "config.h"

#include "fhir/capability.h"
#include "screens/chart/chart-private.h"
#include "screens/screens.h"
#include "app/app.h"
#include "fhir/medication.h"
#include "fhir/plan.h"
#include "fhir/record.h"
#include "ui/dialog.h"
#include "ui/list.h"
#include "ui/prompt.h"
#include "ui/ui.h"
#include "util/uuid.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Rows of allergies above the orders, two to a row; the rest are counted. */
#define ALLERGY_ROWS 4
/* The words of a reason to stop: what statusReason.text keeps. */
#define REASON_MAX 200

enum { COL_MED, COL_SIG, COL_STATUS, COL_SINCE, COL_COUNT };
static const struct ui_list_column columns[COL_COUNT] = {
	{ "Medication", 0, 3 },
	{ "Sig", 0, 2 },
	{ "Status", 7, 0 },
	{ "Since", 10, 0 },
};

/* What the one question, reason or save in flight is about. */
enum change { STOPPING, RENEWING, RECONCILING };

struct meds {
	char *id; /* the patient's */
	struct chart_banner banner;
	struct medication_chart chart;
	bool loaded;  /* CHART is the server's answer */
	char *failed; /* why it is not, or NULL */
	struct ui_list list;
	struct ui_dialog dialog;
	bool asking;
	struct ui_prompt reason;
	bool typing;	     /* the reason to stop is being typed */
	long reason_code;    /* the index of the coded reason chosen, or -1: words alone */
	int cursor_y, cursor_x;
	enum change change;  /* of the question, then of the save */
	char *target;	     /* the order acted on: its id, as the list may be read again */
	char *saved_what;    /* what the save in flight does, for the status line */
	bool unsure, warned; /* a save's outcome not known; back pressed once with it */
	/* Orders matching an active allergy, as fill() found them: how many, the first shown, its allergy. */
	size_t allergic;
	const struct record_entry *allergic_first, *allergic_match;
	char request_id[UUID_BUF_SIZE];
};

/* Whether order A comes before B on the screen: the active ones first, then by name. */
static bool
before(const struct record_entry *a, const struct record_entry *b)
{
	if (a->on_hold != b->on_hold)
		return !a->on_hold;
	return strcasecmp(a->what, b->what) < 0;
}

/* The orders in the screen's order (a server's is its own), whatever it was read in. */
static void
fill(struct meds *f)
{
	struct ui_list_page *pg = ui_list_page_new(COL_COUNT);
	unsigned ticket = ui_list_reset(&f->list);
	const struct record_list *l = &f->chart.meds;
	size_t order[RECORD_ACTIVE_MAX], n = f->loaded ? l->n : 0;
	long select = -1;

	ui_list_set_empty_message(&f->list, f->loaded ? "No active medications."
					      : "The medications are not shown until read.");
	for (size_t i = 0; i < n; i++) {
		size_t j = i;

		for (; j > 0 && before(&l->items[i], &l->items[order[j - 1]]); j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	f->allergic = 0;
	f->allergic_first = f->allergic_match = NULL;
	for (size_t k = 0; k < n; k++) {
		const struct record_entry *e = &l->items[order[k]];
		/* One the patient is allergic to, as renewing it would warn: marked at a glance. */
		const struct record_entry *a = medication_allergy_match(e->code, e->what,
		    &f->chart.allergies);
		char *what = a != NULL ? xasprintf("! %s", e->what) : xstrdup(e->what);
		const char *cells[COL_COUNT] = { what, e->detail, e->on_hold ? "on hold" : "active",
			e->when };
		const char *id = fhir_id_of(e->resource);
		char row[24];

		snprintf(row, sizeof row, "%zu", order[k]);
		if (f->target != NULL && id != NULL && strcmp(id, f->target) == 0)
			select = (long)k;
		ui_list_page_add(pg, row, cells);
		free(what);
		if (a != NULL && f->allergic++ == 0) {
			f->allergic_first = e;
			f->allergic_match = a;
		}
	}
	ui_list_add_page(&f->list, ticket, &pg, 0, NULL, (long)(f->loaded ? f->chart.meds.n : 0), NULL);
	for (long i = 0; i < select; i++)
		ui_list_action(&f->list, A_DOWN);
}

static const struct record_entry *
selected(const struct meds *f)
{
	const char *row = ui_list_selected_id(&f->list);
	char *end;
	unsigned long i;

	if (!f->loaded || row == NULL)
		return NULL;
	i = strtoul(row, &end, 10);
	return *end == '\0' && i < f->chart.meds.n ? &f->chart.meds.items[i] : NULL;
}

/* The order whose id is ID, or NULL when it is no longer on the list. */
static const struct record_entry *
order_of(const struct meds *f, const char *id)
{
	for (size_t i = 0; id != NULL && i < f->chart.meds.n; i++) {
		const char *mine = fhir_id_of(f->chart.meds.items[i].resource);

		if (mine != NULL && strcmp(mine, id) == 0)
			return &f->chart.meds.items[i];
	}
	return NULL;
}

/* The audit lines of the change saved; 0, or nonzero with the failure on the status line. */
static int
audit_change(struct app *app, struct meds *f)
{
	if (f->change == RECONCILING)
		return app_audit(app, "create", "List", f->id);
	if (app_audit(app, "update", "MedicationRequest", f->id) != 0)
		return -1;
	return f->change == RENEWING ? app_audit(app, "create", "MedicationRequest", f->id) : 0;
}

/* A save whose answer was lost: the list read again says whether it had arrived. */
static void
settle(struct app *app, struct meds *f)
{
	bool arrived = f->change == STOPPING
	    ? order_of(f, f->target) == NULL
	    : medication_chart_has_request(&f->chart, f->request_id);

	f->unsure = false;
	if (!arrived) {
		app_error(app, "Not saved: it did not reach the server; try again");
		return;
	}
	uuid_v4(f->request_id);
	if (audit_change(app, f) == 0)
		app_status(app, "%s for %s (found on the server after the answer was lost).",
		    f->saved_what, f->banner.view.name);
}

static void
on_read(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct meds *f = state;
	char *cause = NULL;

	(void)tag;
	medication_chart_clear(&f->chart);
	f->loaded = false;
	free(f->failed);
	f->failed = NULL;
	if (r->status != FHIR_OK ||
	    medication_chart_read(r->resource, f->id, app_user(app), &f->chart, &cause) != 0) {
		f->failed = cause != NULL ? cause
		    : xstrdup(r->status == FHIR_CANCELLED ? "cancelled"
			      : r->message != NULL ? r->message : "no answer");
		app_error(app, "The medications could not be read: %s", f->failed);
		fill(f);
		return;
	}
	/* Nothing of it shows without its audit lines. */
	if (app_audit(app, "view", "AllergyIntolerance", f->id) != 0 ||
	    app_audit(app, "view", "MedicationRequest", f->id) != 0 ||
	    (f->chart.last.list != NULL && app_audit(app, "view", "List", f->id) != 0)) {
		medication_chart_clear(&f->chart);
		f->failed = xstrdup("the audit trail cannot be written");
		fill(f);
		return;
	}
	f->loaded = true;
	/* The banner follows what was just read. */
	patient_allergies_clear(&f->banner.allergies);
	patient_allergies_copy(&f->banner.allergies, &f->chart.banner);
	fill(f);
	if (f->unsure)
		settle(app, f);
	app_dirty(app);
}

static void
read_all(struct app *app, struct meds *f)
{
	cJSON *batch = medication_chart_batch(app_fhir(app), f->id, app_user(app));

	if (batch == NULL) {
		free(f->failed);
		f->failed = xstrdup("the patient's id is not valid");
		return;
	}
	app_request(app, f, &(struct app_request){ .batch = batch, .done = on_read,
	    .slot = "meds-read", .label = "Reading the medications and allergies" });
	cJSON_Delete(batch);
}

static void *
meds_enter(struct app *app, void *arg)
{
	const struct chart_list_arg *in = arg;
	struct meds *f = xcalloc(1, sizeof *f);

	f->id = xstrdup(in->id);
	chart_banner_take(&f->banner, in);
	ui_list_init(&f->list, columns, COL_COUNT, NULL, f);
	ui_dialog_init(&f->dialog, "", false);
	ui_prompt_init(&f->reason, REASON_MAX, false);
	f->reason_code = -1;
	uuid_v4(f->request_id);
	read_all(app, f);
	return f;
}

static void
meds_leave(struct app *app, void *state)
{
	struct meds *f = state;

	(void)app;
	ui_list_free(&f->list);
	ui_dialog_free(&f->dialog);
	ui_prompt_clear(&f->reason);
	medication_chart_clear(&f->chart);
	chart_banner_clear(&f->banner);
	free(f->failed);
	free(f->target);
	free(f->saved_what);
	free(f->id);
	free(f);
}

/* --- drawing ---------------------------------------------------------------------------- */

/*
 * The allergies, listed (not a flag): high criticality first, two to a row, at most
 * ALLERGY_ROWS rows, the last place saying how many more there are. Returns the rows used.
 */
static int
draw_allergies(struct meds *f, WINDOW *win, int y)
{
	const struct record_list *a = &f->chart.allergies;
	size_t real = 0, places = 2 * ALLERGY_ROWS, order[RECORD_ACTIVE_MAX], i, n;
	int half = COLS / 2;

	if (!f->loaded) {
		ui_putf(win, y, 2, COLS - 2, f->failed ? UI_ERROR : UI_NORMAL, true, "%s%s",
		    f->failed ? "Not read: " : "Reading...", f->failed ? f->failed : "");
		return 1;
	}
	/* The list's order is every allergy list's: high criticality first (allergy_order). */
	for (i = 0; i < a->n; i++)
		if (!a->items[i].no_known)
			order[real++] = i;
	if (real == 0 && a->more == 0) {
		ui_putf(win, y, 2, COLS - 2, UI_NORMAL, true, "%s",
		    a->n > 0 ? "No known allergies." : "None recorded.");
		return 1;
	}
	n = real + a->more > places ? places - 1 : real;
	for (i = 0; i < n; i++) {
		const struct record_entry *e = &a->items[order[i]];

		ui_putf(win, y + (int)(i / 2), i % 2 ? half + 1 : 2, i % 2 ? COLS - half - 1 : half - 3,
		    strcmp(e->detail, "high") == 0 ? UI_ERROR : UI_NORMAL, false, "%s (%s)", e->what,
		    *e->detail ? e->detail : "criticality not recorded");
	}
	if (n < real + a->more) {
		ui_putf(win, y + (int)(n / 2), n % 2 ? half + 1 : 2, half - 3, UI_NORMAL, false,
		    "(+%zu more)", real + a->more - n);
		n++;
	}
	return (int)((n + 1) / 2);
}

static void
meds_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct meds *f = state;
	int y = top + 2, bottom = top + rows - 1, more;
	size_t real = 0, allergic;
	const struct record_entry *first = NULL, *match = NULL;
	char select[32];

	chart_banner_draw(&f->banner, win, top);
	for (size_t i = 0; f->loaded && i < f->chart.allergies.n; i++)
		real += !f->chart.allergies.items[i].no_known;
	ui_putf(win, y++, 0, COLS, UI_TITLE, true, "Allergies of %s%s:", f->banner.view.name,
	    real > 0 ? ", checked before a renewal" : "");
	y += draw_allergies(f, win, y) + 1;
	ui_putf(win, y++, 0, COLS, UI_TITLE, true, "Medications of %s, active and on hold:",
	    f->banner.view.name);
	/* The first order, in the list's order, that matches an allergy: named under the list. */
	allergic = f->loaded ? f->allergic : 0;
	first = f->allergic_first;
	match = f->allergic_match;
	more = f->loaded && f->chart.meds.more > 0;
	ui_list_draw(&f->list, win, y, bottom - 1 - y - more - (allergic > 0), COLS);
	if (allergic > 0)
		ui_putf(win, bottom - 2 - more, 2, COLS - 2, UI_ERROR, true,
		    "! %s: the patient is allergic to %s (%s)%s", first->what, match->what,
		    *match->detail ? match->detail : "criticality not recorded",
		    allergic > 1 ? "; more marked !" : "");
	if (more)
		ui_putf(win, bottom - 2, 2, COLS - 2, UI_ERROR, true,
		    "(+%zu more active than shown: reconciling is refused here)", f->chart.meds.more);
	if (!f->loaded)
		ui_blank(win, bottom - 1, 0, COLS);
	else if (medication_reconciled_now(&f->chart))
		ui_putf(win, bottom - 1, 0, COLS, UI_NORMAL, true,
		    "Medication list reconciled at this visit, %s (%zu listed).", f->chart.last.date,
		    f->chart.last.entries);
	else if (f->chart.visit == NULL)
		ui_putf(win, bottom - 1, 0, COLS, UI_NORMAL, true, "%s%s",
		    f->chart.visit_failed ? "The open visit could not be read: "
					  : "No open visit: reconciling needs the patient checked in.",
		    f->chart.visit_failed ? f->chart.visit_failed : "");
	else if (f->chart.last.list != NULL)
		ui_putf(win, bottom - 1, 0, COLS, UI_NORMAL, true,
		    "Not reconciled at this visit; last reconciled %s.", f->chart.last.date);
	else
		ui_putf(win, bottom - 1, 0, COLS, UI_NORMAL, true,
		    "Not reconciled at this visit%s.",
		    f->chart.last_failed ? " (the last reconciliation could not be read)" : "");
	if (f->typing) {
		const struct record_entry *e = order_of(f, f->target);
		char keep[32];
		int label;

		if (!app_key_for(app, A_SELECT, select, sizeof select))
			snprintf(select, sizeof select, "select");
		if (!app_key_for(app, A_BACK, keep, sizeof keep))
			snprintf(keep, sizeof keep, "back");
		ui_putf(win, bottom - 1, 0, COLS, UI_ERROR, true, "Stopping %s for %s.",
		    e != NULL ? e->what : "the order", f->banner.view.name);
		label = ui_putf(win, bottom, 0, COLS / 2, UI_NORMAL, false, "Why (%s stops it, %s keeps it):",
		    select, keep);
		ui_prompt_draw(&f->reason, win, bottom, label + 1, COLS - label - 1, &f->cursor_x);
		f->cursor_y = bottom;
	} else {
		ui_blank(win, bottom, 0, COLS);
	}
	if (f->asking)
		ui_dialog_draw(&f->dialog, win, top + 2, rows - 2, COLS);
}

/* --- writing ------------------------------------------------------------------------------ */

static void
set_target(struct meds *f, const struct record_entry *e)
{
	free(f->target);
	f->target = e != NULL && fhir_id_of(e->resource) != NULL ? xstrdup(fhir_id_of(e->resource))
								  : NULL;
}

static void
on_saved(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct meds *f = state;
	enum fhir_save outcome = fhir_save_outcome(r);

	(void)tag;
	if (outcome == FHIR_SAVED) {
		f->unsure = false;
		uuid_v4(f->request_id);
		if (audit_change(app, f) == 0)
			app_status(app, "%s for %s.", f->saved_what, f->banner.view.name);
		read_all(app, f);
		return;
	}
	if (chart_save_failed(app, r,
		"the order changed meanwhile; the medications are read again, try again", &f->unsure))
		read_all(app, f);
}

static void
start_save(struct app *app, struct meds *f, struct fhir_plan *plan, enum change change,
    char *what)
{
	f->change = change;
	free(f->saved_what);
	f->saved_what = what;
	app_request(app, f, &(struct app_request){ .plan = plan, .done = on_saved,
	    .label = "Saving" });
}

static bool
same_patient(struct app *app, struct meds *f)
{
	return chart_same_patient(app, f->id, f->banner.view.name);
}

static void
fhir_now(char *buf, size_t size)
{
	struct date_time now;

	date_time_now(&now);
	if (date_time_format_fhir(&now, date_time_local_offset(&now), buf, size) != 0)
		buf[0] = '\0';
}

/* Stopping: the reason chosen, then its words typed. */
static void
reason_chosen(struct app *app, void *state, long chosen)
{
	struct meds *f = state;
	size_t n;
	const struct medication_reason *reasons = medication_stop_reasons(&n);

	if (chosen < 0 || (size_t)chosen > n || order_of(f, f->target) == NULL) {
		app_status(app, "Nothing changed");
		return;
	}
	f->reason_code = (size_t)chosen < n ? chosen : -1;
	/* The code's words to start from: Enter keeps them, or they are typed over. */
	ui_prompt_set(&f->reason, f->reason_code >= 0 ? reasons[chosen].display : "");
	f->typing = true;
	app_dirty(app);
}

static int
meds_stop(struct app *app, void *state)
{
	struct meds *f = state;
	const struct record_entry *e = selected(f);
	size_t n;
	const struct medication_reason *reasons = medication_stop_reasons(&n);
	const char **choices = xcalloc(n + 1, sizeof *choices);
	char *prompt;

	set_target(f, e);
	for (size_t i = 0; i < n; i++)
		choices[i] = reasons[i].display;
	choices[n] = "Another reason, in words";
	prompt = xasprintf("Why stop %s?", e->what);
	app_choose(app, f, prompt, choices, n + 1, 0, reason_chosen);
	free(prompt);
	free(choices);
	return APP_REDRAW;
}

static void
stop_typed(struct app *app, struct meds *f)
{
	size_t n;
	const struct medication_reason *reasons = medication_stop_reasons(&n);
	const struct record_entry *e = order_of(f, f->target);
	struct fhir_plan *plan;
	char *words, *cause = NULL;

	if (e == NULL) {
		f->typing = false;
		app_error(app, "Not stopped: the order is no longer on the list");
		return;
	}
	if (!same_patient(app, f))
		return;
	words = ui_prompt_text(&f->reason);
	plan = medication_stop_plan(e, f->reason_code >= 0 ? reasons[f->reason_code].code : NULL,
	    words, &cause);
	free(words);
	if (plan == NULL) {
		/* The prompt stays, as typed: only the reason is missing. */
		app_error(app, "Not stopped: %s", cause);
		free(cause);
		return;
	}
	f->typing = false;
	ui_prompt_clear(&f->reason);
	start_save(app, f, plan, STOPPING, xasprintf("Stopped %s", e->what));
}

/* Renewing: asked first, and warned when the medication matches an active allergy. */
static int
meds_renew(struct app *app, void *state)
{
	struct meds *f = state;
	const struct record_entry *e = selected(f);
	const struct record_entry *allergy = medication_allergy_match(e->code, e->what,
	    &f->chart.allergies);
	char *question;

	(void)app;
	set_target(f, e);
	ui_dialog_free(&f->dialog);
	if (allergy != NULL) {
		question = xasprintf("Renew %s? The patient is allergic to %s (%s criticality)",
		    e->what, allergy->what, *allergy->detail ? allergy->detail : "unknown");
		ui_dialog_init(&f->dialog, question, false);
	} else {
		question = xasprintf("Renew %s as a new order?", e->what);
		ui_dialog_init(&f->dialog, question, true);
	}
	free(question);
	ui_dialog_addf(&f->dialog, "For %s, born %s.", f->banner.view.name,
	    f->banner.view.birth_date);
	ui_dialog_addf(&f->dialog, "Sig: %s", *e->detail ? e->detail : "none recorded");
	ui_dialog_add(&f->dialog, "A new order from now, same medication and sig; this one completed.");
	if (f->chart.allergies.more > 0)
		ui_dialog_addf(&f->dialog, "%zu more allergies were not read, and not checked.",
		    f->chart.allergies.more);
	if (f->chart.practitioner == NULL)
		ui_dialog_add(&f->dialog, "Who is logged in is not known: the order names no prescriber.");
	f->change = RENEWING;
	f->asking = true;
	return APP_REDRAW;
}

static void
renew_answered(struct app *app, struct meds *f)
{
	const struct record_entry *e = order_of(f, f->target);
	struct medication_renewal in = { .patient = f->id, .request_id = f->request_id,
		.requester = f->chart.practitioner, .encounter = f->chart.visit };
	struct fhir_plan *plan;
	char now[40], *cause = NULL;

	if (e == NULL) {
		app_error(app, "Not renewed: the order is no longer on the list");
		return;
	}
	if (!same_patient(app, f))
		return;
	fhir_now(now, sizeof now);
	in.now = now;
	if ((plan = medication_renew_plan(e, &in, &cause)) == NULL) {
		app_error(app, "Not renewed: %s", cause);
		free(cause);
		return;
	}
	start_save(app, f, plan, RENEWING, xasprintf("Renewed %s", e->what));
}

/* Reconciling: one key, as the list stands on screen. */
static int
meds_reconcile(struct app *app, void *state)
{
	struct meds *f = state;
	struct fhir_plan *plan;
	char now[40], *cause = NULL;

	if (!same_patient(app, f))
		return APP_REDRAW;
	fhir_now(now, sizeof now);
	plan = medication_reconcile_plan(&f->chart, f->id, now, f->request_id, &cause);
	if (plan == NULL) {
		app_error(app, "Not reconciled: %s", cause);
		free(cause);
		return APP_REDRAW;
	}
	set_target(f, NULL);
	start_save(app, f, plan, RECONCILING, xstrdup("Medication list reconciled at this visit"));
	return APP_REDRAW;
}

static int
meds_refresh(struct app *app, void *state)
{
	read_all(app, state);
	return APP_REDRAW;
}

/* Enter: the reason typed stops the order; otherwise not this screen's. */
static int
meds_select(struct app *app, void *state)
{
	struct meds *f = state;

	if (!f->typing || f->asking)
		return APP_IGNORED;
	stop_typed(app, f);
	return APP_REDRAW;
}

static int
meds_back(struct app *app, void *state)
{
	struct meds *f = state;
	char esc[32];

	if (f->typing) {
		f->typing = false;
		ui_prompt_clear(&f->reason);
		app_status(app, "Nothing changed");
		return APP_REDRAW;
	}
	if (f->asking || app_requests(app, f) > 0)
		return APP_IGNORED; /* the dialog's, or the loop's to cancel */
	if (!f->unsure || f->warned)
		return APP_LEAVE;
	f->warned = true;
	if (app_key_for(app, A_BACK, esc, sizeof esc))
		app_error(app, "Whether the last change was saved is not known: %s again leaves", esc);
	else
		app_error(app, "Whether the last change was saved is not known: back again leaves");
	return APP_REDRAW;
}

/* The question took a key: act on its answer once there is one. */
static void
meds_changed(struct app *app, void *state, enum action a)
{
	struct meds *f = state;
	enum ui_dialog_answer answer = ui_dialog_answer(&f->dialog);

	(void)a;
	f->warned = false;
	if (!f->asking || answer == UI_DIALOG_ASKING)
		return;
	f->asking = false;
	ui_dialog_free(&f->dialog);
	ui_dialog_init(&f->dialog, "", false);
	if (answer != UI_DIALOG_YES) {
		app_status(app, "Nothing renewed");
		return;
	}
	renew_answered(app, f);
}

enum {
	NEEDS_QUIET = APP_NEEDS_SCREEN,	    /* no question asked, no reason being typed */
	NEEDS_LIST = APP_NEEDS_SCREEN << 1, /* the orders and the allergies read */
	NEEDS_ROW = APP_NEEDS_SCREEN << 2,  /* an order chosen */
	NEEDS_WRITABLE = APP_NEEDS_SCREEN << 3, /* the server takes the chart's writes */
};

static const char *
meds_unmet(struct app *app, void *state, unsigned need)
{
	struct meds *f = state;

	/* A write the server does not offer is refused with its reason, never sent. */
	if (need == NEEDS_WRITABLE)
		return fhir_caps_read_only(app_caps(app), "charting");
	if (need == NEEDS_QUIET && f->asking)
		return "answer the question first";
	if (need == NEEDS_QUIET && f->typing)
		return "type the reason and confirm it, or go back";
	/* Nothing is renewed or stopped before the allergies and the orders have been read. */
	if (need == NEEDS_LIST && !f->loaded)
		return f->failed ? "the medications could not be read: refresh"
				 : "wait for the medications and allergies to be read";
	if (need == NEEDS_ROW && selected(f) == NULL)
		return "choose a medication first";
	return NULL;
}

static struct app_focus
meds_widget(struct app *app, void *state)
{
	struct meds *f = state;

	(void)app;
	if (f->asking)
		return (struct app_focus){ APP_WIDGET_DIALOG, &f->dialog };
	if (f->typing)
		return (struct app_focus){ APP_WIDGET_PROMPT, &f->reason };
	return (struct app_focus){ APP_WIDGET_LIST, &f->list };
}

static bool
meds_cursor(struct app *app, void *state, int *y, int *x)
{
	struct meds *f = state;

	(void)app;
	if (!f->typing || f->asking)
		return false;
	*y = f->cursor_y;
	*x = f->cursor_x;
	return true;
}

static bool
meds_unsaved(struct app *app, void *state)
{
	struct meds *f = state;

	(void)app;
	return f->typing || f->unsure;
}

#define WRITE (NEEDS_QUIET | NEEDS_LIST | NEEDS_WRITABLE | APP_NEEDS_IDLE)
static const struct screen_action meds_actions[] = {
	{ A_STOP_MED, meds_stop, WRITE | NEEDS_ROW, "stop" },
	{ A_RENEW, meds_renew, WRITE | NEEDS_ROW, "renew" },
	{ A_RECONCILE, meds_reconcile, WRITE, "reconcile" },
	{ A_REFRESH, meds_refresh, NEEDS_QUIET | APP_NEEDS_IDLE, NULL },
	{ A_SELECT, meds_select, 0, NULL },
	{ A_BACK, meds_back, 0, NULL },
	{ A_NONE },
};
#undef WRITE

const struct screen_ops chart_meds_screen = {
	.name = "meds-form",
	.title = "medications",
	.context = "meds-form",
	.module = "charting",
	.needs = SCREEN_NEEDS_ONLINE,
	.needs_arg = "open the patient's chart first",
	.enter = meds_enter,
	.leave = meds_leave,
	.draw = meds_draw,
	.cursor = meds_cursor,
	.unsaved = meds_unsaved,
	.actions = meds_actions,
	.unmet = meds_unmet,
	.widget = meds_widget,
	.changed = meds_changed,
};

int
chart_open_meds(struct app *app, const struct chart_list_arg *arg)
{
	return app_open(app, &chart_meds_screen, (void *)arg);
}
