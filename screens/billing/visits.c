/* Billing's first screen: the current patient's visits, to choose the one to charge. */
#include "config.h"

#include "screens/billing/billing-private.h"
#include "screens/billing/billing.h"
#include "screens/patients/patients.h"
#include "screens/screens.h"
#include "fhir/patient.h"
#include "ui/banner.h"
#include "ui/cursor.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct visits {
	char *patient_id; /* "" until a patient is current */
	struct bill_encounters enc; /* enc.opened.patient is NULL until read */
	struct ui_cursor cursor;
	char *failed;
	bool refreshing; /* the biller asked to read them again: Esc cancels that, and stays */
};

static void
on_fees(struct app *app, void *state)
{
	(void)state;
	app_dirty(app);
}

static void
on_opened(struct app *app, void *state, struct fhir_result *res, unsigned long tag)
{
	struct visits *v = state;
	struct bill_encounters got;
	char *cause = NULL;

	(void)tag;
	if (res->status == FHIR_CANCELLED && v->enc.opened.patient != NULL) {
		if (v->refreshing)
			app_status(app, "Refresh cancelled; the visits shown are those read before");
		v->refreshing = false;
		return;
	}
	v->refreshing = false;
	if (res->status != FHIR_OK ||
	    bill_encounters_result(res->resource, v->patient_id, &got, &cause) != 0) {
		free(v->failed);
		v->failed = cause != NULL ? cause
		    : res->status == FHIR_CANCELLED ? xstrdup("Not opened: cancelled")
		    : xstrdup(res->message ? res->message : "the patient's visits could not be read");
		app_error(app, "%s", v->failed);
		return;
	}
	if (app_audit(app, "view", "Patient", v->patient_id) != 0) {
		bill_encounters_clear(&got);
		free(v->failed);
		v->failed = xstrdup("not shown: the audit trail cannot be written");
		return;
	}
	bill_encounters_clear(&v->enc);
	v->enc = got;
	free(v->failed);
	v->failed = NULL;
	ui_cursor_rows(&v->cursor, v->enc.n, NULL, NULL);
	app_set_patient(app, v->enc.opened.patient);
	app_dirty(app);
}

static void
read_visits(struct app *app, struct visits *v)
{
	cJSON *batch = bill_encounters_batch(app_fhir(app), v->patient_id);

	app_request(app, v, &(struct app_request){ .batch = batch, .done = on_opened,
	    .slot = "visits", .label = "Reading the patient's visits" });
	cJSON_Delete(batch);
}

static void
open_patient(struct app *app, struct visits *v, const char *id)
{
	free(v->patient_id);
	v->patient_id = xstrdup(id != NULL ? id : "");
	if (!fhir_valid_id(v->patient_id)) {
		free(v->failed);
		v->failed = xstrdup("the current patient has no usable id");
		return;
	}
	read_visits(app, v);
	billing_fees_load(app, v, false, on_fees);
}

/* The finder made PATIENT current: its visits. */
static void
on_picked(struct app *app, void *opener, const cJSON *patient)
{
	open_patient(app, opener, fhir_id_of(patient));
	app_dirty(app);
}

static void
pick_patient(struct app *app, void *state)
{
	patients_pick_for(app, "Bill for:", state, on_picked);
}

static void *
visits_enter(struct app *app, void *arg)
{
	struct visits *v = xcalloc(1, sizeof *v);

	(void)arg;
	v->patient_id = xstrdup("");
	if (app_patient(app) == NULL) {
		/* Billing starts from a patient: the finder first, once this screen is up. */
		app_timer(app, v, 0, pick_patient);
		return v;
	}
	open_patient(app, v, fhir_id_of(app_patient(app)));
	return v;
}

static void
visits_leave(struct app *app, void *state)
{
	struct visits *v = state;

	(void)app;
	bill_encounters_clear(&v->enc);
	free(v->patient_id);
	free(v->failed);
	free(v);
}

static void
visits_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct visits *v = state;
	const struct bill_fees *fees = billing_fees();
	struct date_time now;
	char open[32];
	int y = top + 2;
	size_t first;

	if (v->patient_id[0] == '\0') {
		app_key_for(app, A_SELECT, open, sizeof open);
		ui_putf(win, top + 1, 2, COLS - 4, UI_DIM, false,
		    "Billing is for one patient at a time: %s finds the patient.", open);
		return;
	}
	if (v->enc.opened.patient == NULL) {
		ui_put(win, top + 1, 2, COLS - 4, v->failed ? v->failed : "Reading the patient's visits...",
		    v->failed ? UI_ERROR : UI_DIM, false);
		return;
	}
	date_time_now(&now);
	ui_banner_draw(win, top, COLS, &v->enc.opened.view, &v->enc.opened.allergies, &now.date);
	if (fees != NULL)
		ui_putf(win, y++, 1, COLS - 2, UI_DIM, false, "Fee schedule: %zu codes", fees->n);
	else
		ui_put(win, y++, 1, COLS - 2,
		    billing_fees_failed() ? billing_fees_failed() : "Reading the fee schedule...",
		    billing_fees_failed() ? UI_ERROR : UI_DIM, false);
	app_key_for(app, A_SELECT, open, sizeof open);
	if (v->enc.n == 0) {
		ui_put(win, y + 1, 2, COLS - 4, "No visits on record for this patient.", UI_DIM, false);
		return;
	}
	ui_putf(win, y++, 1, COLS - 2, UI_NORMAL, false, "Visits (%zu of %ld, newest first; %s charges one):",
	    v->enc.n, v->enc.total, open);
	first = ui_cursor_window(&v->cursor, rows - (y - top));
	for (size_t i = first; i < v->enc.n && y < top + rows; i++, y++) {
		const struct bill_encounter *e = &v->enc.v[i];

		ui_putf(win, y, 1, COLS - 2, i == v->cursor.at ? UI_SELECTED : UI_NORMAL, true,
		    "%-10s  %-9s  %-40s  %zu diagnos%s", e->day[0] ? e->day : "no date", e->status,
		    e->what, e->ndiagnoses, e->ndiagnoses == 1 ? "is" : "es");
	}
}

/* Back from the charges: the visits and their charges may have changed. */
static void
visits_resume(struct app *app, void *state)
{
	struct visits *v = state;

	if (v->enc.opened.patient != NULL)
		read_visits(app, v);
}

static int
charge_visit(struct app *app, void *state)
{
	struct visits *v = state;

	if (v->patient_id[0] == '\0') {
		pick_patient(app, v);
		return APP_HANDLED;
	}
	billing_open_charges(app, &v->enc.v[v->cursor.at]);
	return APP_HANDLED;
}

static int
post_payment(struct app *app, void *state)
{
	struct visits *v = state;

	billing_open_posting(app, &v->enc.v[v->cursor.at]);
	return APP_HANDLED;
}

static int
ledger(struct app *app, void *state)
{
	(void)state;
	billing_open_ledger(app);
	return APP_HANDLED;
}

static int
claims(struct app *app, void *state)
{
	(void)state;
	billing_open_claims(app);
	return APP_HANDLED;
}

static int
aging(struct app *app, void *state)
{
	(void)state;
	billing_open_aging(app);
	return APP_HANDLED;
}

static int
denials(struct app *app, void *state)
{
	(void)state;
	billing_open_denials(app);
	return APP_HANDLED;
}

static int
reread(struct app *app, void *state)
{
	struct visits *v = state;

	read_visits(app, v);
	billing_fees_load(app, v, true, on_fees);
	v->refreshing = true;
	return APP_HANDLED;
}

enum { NEEDS_LOADED = APP_NEEDS_SCREEN, NEEDS_VISIT = APP_NEEDS_SCREEN << 1 };

static const char *
visits_unmet(struct app *app, void *state, unsigned need)
{
	struct visits *v = state;

	(void)app;
	if (v->patient_id[0] == '\0')
		return need == NEEDS_VISIT ? NULL : "choose the patient first";
	if (v->enc.opened.patient == NULL)
		return v->failed != NULL ? "the patient's visits could not be read"
		                         : "wait for the patient's visits to be read";
	if (need == NEEDS_VISIT && v->enc.n == 0)
		return "the patient has no visits to charge";
	return NULL;
}

/*
 * Back leaves even while the visits are read again after the charges; a refresh the
 * biller asked for is cancelled instead (the loop's), and the visits stay.
 */
static int
visits_back(struct app *app, void *state)
{
	struct visits *v = state;

	if (v->refreshing && app_requests(app, v) > 0)
		return APP_IGNORED;
	return v->enc.opened.patient != NULL || v->patient_id[0] == '\0' ? APP_LEAVE : APP_IGNORED;
}

static const struct screen_action visits_actions[] = {
	{ A_SELECT, charge_visit, NEEDS_VISIT, "charge" },
	{ A_POST_PAYMENT, post_payment, NEEDS_LOADED | NEEDS_VISIT, "post" },
	{ A_LEDGER, ledger, NEEDS_LOADED, "ledger" },
	{ A_CLAIMS, claims, 0, "claims" },
	/* The clinic's, not the patient's: in help, not on the full hint line. */
	{ A_AGING, aging, 0, NULL },
	{ A_DENIALS, denials, 0, NULL },
	{ A_REFRESH, reread, NEEDS_LOADED | APP_NEEDS_IDLE, "refresh" },
	{ A_BACK, visits_back, 0, NULL },
	{ A_NONE },
};

/* The visits are drawn here, not by a list widget; their keys are the list's. */
static struct app_focus
visits_widget(struct app *app, void *state)
{
	struct visits *v = state;

	(void)app;
	return (struct app_focus){ APP_WIDGET_CURSOR, &v->cursor };
}

const struct screen_ops billing_screen = {
	.name = "billing",
	.title = "billing",
	.context = "billing",
	.module = "billing",
	.needs = SCREEN_NEEDS_ONLINE,
	.enter = visits_enter,
	.leave = visits_leave,
	.draw = visits_draw,
	.resume = visits_resume,
	.actions = visits_actions,
	.unmet = visits_unmet,
	.widget = visits_widget,
};

int
billing_open(struct app *app)
{
	return app_open(app, &billing_screen, NULL);
}
