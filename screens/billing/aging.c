/*
 * Accounts receivable: the aging of what insurers and patients owe (the clinic, each payer,
 * each patient), and the denial work list. Both read the same one batch (aging_batch).
 * Enter on a payer opens its claims, on a patient the patient's ledger, on a denial its claim.
 */
#include "config.h"

#include "screens/billing/billing.h"
#include "screens/screens.h"
#include "fhir/aging.h"
#include "ui/cursor.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum row_kind { ROW_CLINIC_INSURER, ROW_CLINIC_PATIENT, ROW_HEADING, ROW_PAYER, ROW_PATIENT };

struct row {
	enum row_kind kind;
	size_t index; /* into the report's payers or patients */
	const char *heading;
};

struct aging {
	bool denials; /* the denial work list, else the aging */
	struct aging_report report;
	bool have;
	char *failed;
	struct row *rows;
	size_t nrows;
	struct ui_cursor cursor;
	bool refreshing; /* the biller asked to read it again: Esc cancels that, and stays */
	int cw; /* a bucket's column: as wide as the widest amount, 10 at least */
};

static void
measure(struct aging *a);

/* The cursor passes over the headings. */
static bool
selectable(const void *ctx, size_t i)
{
	return ((const struct aging *)ctx)->rows[i].kind != ROW_HEADING;
}

static void
make_rows(struct aging *a)
{
	const struct aging_report *r = &a->report;
	size_t n = 0;

	free(a->rows);
	a->rows = xcalloc(r->npayers + r->npatients + r->ndenials + 8, sizeof *a->rows);
	if (a->denials) {
		for (size_t i = 0; i < r->ndenials; i++)
			a->rows[n++] = (struct row){ ROW_PATIENT, i, NULL };
	} else {
		a->rows[n++] = (struct row){ ROW_CLINIC_INSURER, 0, NULL };
		a->rows[n++] = (struct row){ ROW_CLINIC_PATIENT, 0, NULL };
		a->rows[n++] = (struct row){ ROW_HEADING, 0, "Insurance pending, by payer" };
		for (size_t i = 0; i < r->npayers; i++)
			a->rows[n++] = (struct row){ ROW_PAYER, i, NULL };
		a->rows[n++] = (struct row){ ROW_HEADING, 0, "Patient owes, by patient" };
		for (size_t i = 0; i < r->npatients; i++)
			if (!aging_sums_zero(&r->patients[i].patient))
				a->rows[n++] = (struct row){ ROW_PATIENT, i, NULL };
	}
	a->nrows = n;
	ui_cursor_rows(&a->cursor, n, selectable, a);
}

static void
on_report(struct app *app, void *state, struct fhir_result *res, unsigned long tag)
{
	struct aging *a = state;
	struct aging_report got;
	struct date_time now;
	const char **ids;
	char *cause = NULL;
	size_t nids = 0;
	int rc;

	(void)tag;
	if (res->status == FHIR_CANCELLED && a->have && a->refreshing) {
		a->refreshing = false;
		app_status(app, "Refresh cancelled; the balances shown are those read before");
		return;
	}
	a->refreshing = false;
	date_time_now(&now);
	if (res->status != FHIR_OK || aging_result(res->resource, &now.date, &got, &cause) != 0) {
		if (res->status == FHIR_CANCELLED && a->have)
			return;
		free(a->failed);
		a->failed = cause != NULL ? cause
		    : res->status == FHIR_CANCELLED ? xstrdup("Not opened: cancelled")
		    : xstrdup(res->message ? res->message : "the balances could not be read");
		app_error(app, "%s", a->failed);
		return;
	}
	/* The rows name patients: their audit line first, or no rows. */
	ids = xcalloc(got.npatients + got.ndenials + 1, sizeof *ids);
	for (size_t i = 0; i < got.npatients; i++)
		ids[nids++] = got.patients[i].id;
	for (size_t i = 0; i < got.ndenials; i++)
		ids[nids++] = got.denials[i].patient;
	rc = app_audit_ids(app, "view", "Patient", ids, nids);
	free(ids);
	if (rc != 0) {
		aging_report_clear(&got);
		free(a->failed);
		a->failed = xstrdup("not shown: the audit trail cannot be written");
		return;
	}
	aging_report_clear(&a->report);
	a->report = got;
	a->have = true;
	measure(a);
	free(a->failed);
	a->failed = NULL;
	make_rows(a);
	app_dirty(app);
}

static void
read_report(struct app *app, struct aging *a)
{
	cJSON *batch = aging_batch(app_fhir(app));

	app_request(app, a, &(struct app_request){ .batch = batch, .done = on_report,
	    .slot = "aging", .label = a->denials ? "Reading the denials" : "Reading the balances" });
	cJSON_Delete(batch);
}

static void *
enter(struct app *app, bool denials)
{
	struct aging *a = xcalloc(1, sizeof *a);

	a->denials = denials;
	read_report(app, a);
	return a;
}

static void *
aging_enter(struct app *app, void *arg)
{
	(void)arg;
	return enter(app, false);
}

static void *
denials_enter(struct app *app, void *arg)
{
	(void)arg;
	return enter(app, true);
}

static void
aging_leave(struct app *app, void *state)
{
	struct aging *a = state;

	(void)app;
	aging_report_clear(&a->report);
	free(a->rows);
	free(a->failed);
	free(a);
}

/* "1,234.56" of M, or "-" for nothing owed. */
static void
cell(const struct money *m, char *buf, size_t size)
{
	if (m->minor == 0)
		snprintf(buf, size, "-");
	else
		money_format(m, buf, size);
}

/* The widest cell of S, at least W. */
static int
widest(const struct aging_sums *s, int w)
{
	char buf[MONEY_BUF_SIZE];

	for (int k = 0; k <= AGING_BUCKETS; k++) {
		cell(k < AGING_BUCKETS ? &s->b[k] : &s->total, buf, sizeof buf);
		if ((int)strlen(buf) > w)
			w = (int)strlen(buf);
	}
	return w;
}

/* The columns as wide as the report's widest amount: a large one keeps the rows aligned. */
static void
measure(struct aging *a)
{
	const struct aging_report *r = &a->report;
	int w = widest(&r->insurer, widest(&r->patient, 10));

	for (size_t i = 0; i < r->npayers; i++)
		w = widest(&r->payers[i].insurer, w);
	for (size_t i = 0; i < r->npatients; i++)
		w = widest(&r->patients[i].patient, w);
	a->cw = w;
}

/* The label's column: what the five amounts leave, at least 12. */
static int
label_width(const struct aging *a)
{
	int w = COLS - 2 - 4 * (a->cw + 1) - (a->cw + 2);

	return w > 12 ? w : 12;
}

static void
draw_sums(const struct aging *a, WINDOW *win, int y, const char *label,
    const struct aging_sums *s, bool selected)
{
	char c[AGING_BUCKETS + 1][MONEY_BUF_SIZE];
	int w = a->cw, label_w = label_width(a);
	enum ui_look look = selected ? UI_SELECTED : UI_NORMAL;

	for (int k = 0; k < AGING_BUCKETS; k++)
		cell(&s->b[k], c[k], sizeof c[k]);
	cell(&s->total, c[AGING_BUCKETS], sizeof c[0]);
	ui_putf(win, y, 1, COLS - 2, look, true, "%-*s %*s %*s %*s %*s %*s", label_w, "", w, c[0],
	    w, c[1], w, c[2], w, c[3], w + 1, c[4]);
	/* The name over its column: a long one ends with an ellipsis. */
	ui_put(win, y, 1, label_w, label, look, false);
}

static void
draw_row(struct aging *a, WINDOW *win, int y, size_t i)
{
	const struct row *row = &a->rows[i];
	const struct aging_report *r = &a->report;
	bool sel = i == a->cursor.at;
	char label[AGING_NAME_SIZE + 16], amount[MONEY_BUF_SIZE];

	if (a->denials) {
		const struct aging_denial *d = &r->denials[row->index];
		int name_w = COLS - 2 - 10 - 12 - 10 - 5 - 9 - 6 - 10;
		enum ui_look look = sel ? UI_SELECTED : UI_NORMAL;

		if (d->has_amount)
			money_format(&d->amount, amount, sizeof amount);
		else
			snprintf(amount, sizeof amount, "?");
		if (name_w < 1)
			name_w = 1;
		ui_putf(win, y, 1, COLS - 2, look, true, "%-10s %-12s %-*s %-10s %-5.5s %9s %s", d->day,
		    "", name_w, "", d->birth[0] ? d->birth : "born ?", d->code[0] ? d->code : "?",
		    amount, d->reasons);
		/* The payer and the name over their columns: a long one ends with an ellipsis. */
		ui_put(win, y, 12, 12, d->payer, look, false);
		ui_put(win, y, 25, name_w, d->name, look, false);
		return;
	}
	switch (row->kind) {
	case ROW_CLINIC_INSURER:
		draw_sums(a, win, y, "Clinic: ins. pending", &r->insurer, sel);
		break;
	case ROW_CLINIC_PATIENT:
		draw_sums(a, win, y, "Clinic: patient owes", &r->patient, sel);
		break;
	case ROW_HEADING:
		ui_put(win, y, 1, COLS - 2, row->heading, UI_DIM, false);
		break;
	case ROW_PAYER:
		snprintf(label, sizeof label, "  %s", r->payers[row->index].name);
		draw_sums(a, win, y, label, &r->payers[row->index].insurer, sel);
		break;
	case ROW_PATIENT:
		snprintf(label, sizeof label, "  %s", r->patients[row->index].name);
		draw_sums(a, win, y, label, &r->patients[row->index].patient, sel);
		break;
	}
}

static void
aging_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct aging *a = state;
	const struct aging_report *r = &a->report;
	int y = top, bottom = top + rows, room, label_w = label_width(a), w = a->cw;
	size_t first;

	(void)app;
	if (!a->have) {
		ui_put(win, top + 1, 2, COLS - 4,
		    a->failed ? a->failed : a->denials ? "Reading the denials..." : "Reading the balances...",
		    a->failed ? UI_ERROR : UI_DIM, false);
		return;
	}
	if (a->denials)
		ui_putf(win, y++, 1, COLS - 2, UI_NORMAL, false,
		    "Denied claim lines, oldest service first: %zu", r->ndenials);
	else
		ui_putf(win, y++, 1, COLS - 2, UI_NORMAL, false,
		    "Aging on %s, by date of service (days since the visit)", r->today);
	if (r->cut && y < bottom)
		ui_put(win, y++, 1, COLS - 2,
		    "The server holds more than one read takes: these figures are not the whole.",
		    UI_ERROR, false);
	if (r->skipped.n > 0 && y < bottom)
		ui_putf(win, y++, 1, COLS - 2, UI_ERROR, false, "%zu problem%s in what was read: %s",
		    r->skipped.n, r->skipped.n == 1 ? "" : "s", r->skipped.v[0]);
	if (a->denials)
		ui_putf(win, y++, 1, COLS - 2, UI_DIM, false, "%-10s %-12s %-*s %-10s %-5s %9s %s",
		    "Service", "Payer", COLS - 2 - 10 - 12 - 10 - 5 - 9 - 6 - 10, "Patient", "Born",
		    "Code", "Amount", "Reason");
	else
		ui_putf(win, y++, 1, COLS - 2, UI_DIM, false, "%-*s %*s %*s %*s %*s %*s", label_w, "", w,
		    "0-30", w, "31-60", w, "61-90", w, "90+", w + 1, "Total");
	if (a->nrows == 0) {
		ui_put(win, y + 1, 2, COLS - 4,
		    a->denials ? "No denied claim lines." : "Nothing is owed.", UI_DIM, false);
		return;
	}
	room = bottom - y;
	if (room < 1)
		return;
	first = ui_cursor_window(&a->cursor, room);
	for (size_t i = first; i < a->nrows && y < bottom; i++, y++)
		draw_row(a, win, y, i);
}

static void
aging_resume(struct app *app, void *state)
{
	struct aging *a = state;

	if (a->have)
		read_report(app, a);
}

static int
open_row(struct app *app, void *state)
{
	struct aging *a = state;
	const struct aging_report *r = &a->report;
	const struct row *row;

	if (a->nrows == 0)
		return APP_HANDLED;
	row = &a->rows[a->cursor.at];
	if (a->denials) {
		const struct aging_denial *d = &r->denials[row->index];

		if (!fhir_valid_id(d->claim) || !fhir_valid_id(d->patient)) {
			app_error(app, "This denial names no claim that can be opened");
			return APP_HANDLED;
		}
		billing_open_claims_for(app, NULL, NULL, d->claim, d->patient);
		return APP_HANDLED;
	}
	switch (row->kind) {
	case ROW_PAYER: {
		const struct aging_payer *p = &r->payers[row->index];

		if (strncmp(p->ref, "Organization/", 13) != 0 || !fhir_valid_id(p->ref + 13)) {
			app_error(app, p->ref[0] == '\0'
			                   ? "These charges are on no claim yet: claim them from the patient's visits"
			                   : "This payer is not named by a reference: its claims cannot be listed");
			return APP_HANDLED;
		}
		billing_open_claims_for(app, p->ref, p->name, NULL, NULL);
		return APP_HANDLED;
	}
	case ROW_PATIENT: {
		const cJSON *patient = aging_patient_resource(r, r->patients[row->index].id);

		if (patient == NULL) {
			app_error(app, "The patient was not read: find the patient, then open the ledger");
			return APP_HANDLED;
		}
		app_set_patient(app, patient);
		billing_open_ledger(app);
		return APP_HANDLED;
	}
	case ROW_CLINIC_INSURER:
	case ROW_CLINIC_PATIENT:
		billing_open_claims(app);
		return APP_HANDLED;
	case ROW_HEADING:
		break;
	}
	return APP_HANDLED;
}

static int
reread(struct app *app, void *state)
{
	struct aging *a = state;

	read_report(app, a);
	a->refreshing = a->have;
	return APP_HANDLED;
}

static int
open_denials(struct app *app, void *state)
{
	(void)state;
	billing_open_denials(app);
	return APP_HANDLED;
}

static int
open_aging(struct app *app, void *state)
{
	(void)state;
	billing_open_aging(app);
	return APP_HANDLED;
}

enum { NEEDS_LOADED = APP_NEEDS_SCREEN };

static const char *
aging_unmet(struct app *app, void *state, unsigned need)
{
	struct aging *a = state;

	(void)app;
	if (need == NEEDS_LOADED && !a->have)
		return a->failed != NULL ? "the balances could not be read" : "wait for the balances to be read";
	return NULL;
}

/* Esc cancels a refresh the biller asked for (the loop's), and the rows stay; else it leaves. */
static int
aging_back(struct app *app, void *state)
{
	struct aging *a = state;

	return a->refreshing && app_requests(app, a) > 0 ? APP_IGNORED : APP_LEAVE;
}

/* The rows are drawn here, not by a list widget; their keys are the list's. */
static struct app_focus
aging_widget(struct app *app, void *state)
{
	struct aging *a = state;

	(void)app;
	return (struct app_focus){ APP_WIDGET_CURSOR, &a->cursor };
}

static const struct screen_action aging_actions[] = {
	{ A_SELECT, open_row, NEEDS_LOADED, "open" },
	{ A_DENIALS, open_denials, 0, "denials" },
	{ A_REFRESH, reread, APP_NEEDS_IDLE, "refresh" },
	{ A_BACK, aging_back, 0, NULL },
	{ A_NONE },
};

static const struct screen_action denials_actions[] = {
	{ A_SELECT, open_row, NEEDS_LOADED, "claim" },
	{ A_AGING, open_aging, 0, "aging" },
	{ A_REFRESH, reread, APP_NEEDS_IDLE, "refresh" },
	{ A_BACK, aging_back, 0, NULL },
	{ A_NONE },
};

const struct screen_ops aging_screen = {
	.name = "aging",
	.title = "aging",
	.context = "aging",
	.module = "billing",
	.needs = SCREEN_NEEDS_ONLINE,
	.enter = aging_enter,
	.leave = aging_leave,
	.draw = aging_draw,
	.resume = aging_resume,
	.actions = aging_actions,
	.unmet = aging_unmet,
	.widget = aging_widget,
};

const struct screen_ops denials_screen = {
	.name = "denials",
	.title = "denials",
	.context = "denials",
	.module = "billing",
	.needs = SCREEN_NEEDS_ONLINE,
	.enter = denials_enter,
	.leave = aging_leave,
	.draw = aging_draw,
	.resume = aging_resume,
	.actions = denials_actions,
	.unmet = aging_unmet,
	.widget = aging_widget,
};

int
billing_open_aging(struct app *app)
{
	return app_open(app, &aging_screen, NULL);
}

int
billing_open_denials(struct app *app)
{
	return app_open(app, &denials_screen, NULL);
}
