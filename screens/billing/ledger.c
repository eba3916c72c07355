/* One patient's ledger: every charge, payer's answer and payment, with two balances never mixed. */
#include "config.h"

#include "screens/billing/billing.h"
#include "screens/billing/billing-private.h"
#include "screens/screens.h"
#include "fhir/aging.h"
#include "fhir/billing.h"
#include "fhir/patient.h"
#include "ui/banner.h"
#include "ui/cursor.h"
#include "ui/dialog.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ledger {
	char *patient_id;
	struct bill_ledger_read read; /* read.opened.patient NULL until read */
	bool have;
	struct ui_cursor cursor; /* the row kept in view: the window ends there */
	char *failed;
	enum { ASK_NONE, ASK_STATEMENT, ASK_RECEIPT } asking; /* print what? */
	struct ui_dialog dialog;
	/* A payment just recorded: its receipt is offered once the ledger shows it. */
	struct bill_payment receipt;
	bool receipt_due;
	bool shown_from_answer; /* the payment came in its answer: coming back reads nothing */
	bool refreshing; /* the biller asked to read it again: Esc cancels that, and stays */
};

static void
ask_receipt(struct app *app, struct ledger *l);

static void
on_ledger(struct app *app, void *state, struct fhir_result *res, unsigned long tag)
{
	struct ledger *l = state;
	struct bill_ledger_read got;
	char *cause = NULL;

	(void)tag;
	if (res->status == FHIR_CANCELLED && l->have && l->refreshing) {
		l->refreshing = false;
		app_status(app, "Refresh cancelled; the ledger shows what was read before");
		return;
	}
	l->refreshing = false;
	if (res->status != FHIR_OK ||
	    bill_ledger_result(res->resource, l->patient_id, &got, &cause) != 0) {
		if (res->status == FHIR_CANCELLED && l->have)
			return;
		free(l->failed);
		l->failed = cause != NULL ? cause
		    : res->status == FHIR_CANCELLED ? xstrdup("Not opened: cancelled")
		    : xstrdup(res->message ? res->message : "the ledger could not be read");
		app_error(app, "%s", l->failed);
		return;
	}
	if (app_audit(app, "view", "Patient", l->patient_id) != 0) {
		bill_ledger_read_clear(&got);
		free(l->failed);
		l->failed = xstrdup("not shown: the audit trail cannot be written");
		return;
	}
	bill_ledger_read_clear(&l->read);
	l->read = got;
	l->have = true;
	free(l->failed);
	l->failed = NULL;
	/* The newest rows are what a biller looks at first. */
	l->cursor.at = l->read.ledger.n > 1 ? l->read.ledger.n - 1 : 0;
	ui_cursor_rows(&l->cursor, l->read.ledger.n, NULL, NULL);
	app_set_patient(app, l->read.opened.patient);
	if (l->receipt_due)
		ask_receipt(app, l);
	app_dirty(app);
}

static void
read_ledger(struct app *app, struct ledger *l)
{
	cJSON *batch = bill_ledger_batch(app_fhir(app), l->patient_id);

	app_request(app, l, &(struct app_request){ .batch = batch, .done = on_ledger,
	    .slot = "ledger", .label = "Reading the ledger" });
	cJSON_Delete(batch);
}

static void *
ledger_enter(struct app *app, void *arg)
{
	struct ledger *l = xcalloc(1, sizeof *l);
	const char *id = fhir_id_of(app_patient(app));

	(void)arg;
	ui_dialog_init(&l->dialog, "", false);
	l->patient_id = xstrdup(id != NULL ? id : "");
	if (!fhir_valid_id(l->patient_id)) {
		l->failed = xstrdup("the current patient has no usable id");
		return l;
	}
	read_ledger(app, l);
	return l;
}

static void
ledger_leave(struct app *app, void *state)
{
	struct ledger *l = state;

	(void)app;
	bill_ledger_read_clear(&l->read);
	ui_dialog_free(&l->dialog);
	free(l->patient_id);
	free(l->failed);
	free(l);
}

static void
ledger_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct ledger *l = state;
	const struct bill_ledger *g = &l->read.ledger;
	struct date_time now;
	char amount[MONEY_BUF_SIZE], ins[MONEY_BUF_SIZE], pat[MONEY_BUF_SIZE];
	int y = top + 2, bottom = top + rows, room, what_w, aw;
	size_t first;

	(void)app;
	if (!l->have) {
		ui_put(win, top + 1, 2, COLS - 4, l->failed ? l->failed : "Reading the ledger...",
		    l->failed ? UI_ERROR : UI_DIM, false);
		return;
	}
	date_time_now(&now);
	ui_banner_draw(win, top, COLS, &l->read.opened.view, &l->read.opened.allergies, &now.date);
	money_format_currency(&g->insurance_pending, ins, sizeof ins);
	money_format_currency(&g->patient_owes, pat, sizeof pat);
	ui_putf(win, y++, 1, COLS - 2, UI_NORMAL, false, "Insurance pending %s    Patient owes %s",
	    g->insurance_pending.currency[0] ? ins : "$0.00", g->patient_owes.currency[0] ? pat : "$0.00");
	if (l->read.cut && y < bottom)
		ui_put(win, y++, 1, COLS - 2,
		    "The server holds more than the ledger reads: older rows are not all here.",
		    UI_ERROR, false);
	for (size_t i = 0; i < g->problems.n && y < bottom; i++)
		ui_put(win, y++, 1, COLS - 2, g->problems.v[i], UI_ERROR, false);
	for (size_t i = 0; i < l->read.skipped.n && i < 3 && y < bottom; i++)
		ui_put(win, y++, 1, COLS - 2, l->read.skipped.v[i], UI_ERROR, false);
	if (l->read.skipped.n > 3 && y < bottom)
		ui_putf(win, y++, 1, COLS - 2, UI_ERROR, false, "and %zu more left out",
		    l->read.skipped.n - 3);
	if (g->n == 0) {
		ui_put(win, y + 1, 2, COLS - 4, "No charges or payments on record for this patient.",
		    UI_DIM, false);
		return;
	}
	/*
	 * The amounts' columns are as wide as the widest amount (11 at least), so a large one
	 * keeps the rows aligned; the entry's words take what the date and the three amounts
	 * leave (30 at 80 columns), cut with an ellipsis.
	 */
	aw = 11;
	for (size_t i = 0; i < g->n; i++) {
		const struct bill_entry *e = &g->v[i];
		const struct money *m[3] = { &e->amount, &e->insurance_pending, &e->patient_owes };

		for (int k = 0; k < 3; k++) {
			money_format(m[k], amount, sizeof amount);
			if ((int)strlen(amount) + 1 > aw)
				aw = (int)strlen(amount) + 1;
		}
	}
	what_w = COLS - 2 - 12 - 3 * (aw + 1) > 10 ? COLS - 2 - 12 - 3 * (aw + 1) : 10;
	ui_putf(win, y++, 1, COLS - 2, UI_DIM, false, "%-10s  %-*s %*s %*s %*s", "Date", what_w,
	    "Entry", aw, "Amount", aw, "Ins. pend.", aw, "Pat. owes");
	room = bottom - y;
	if (room < 1)
		return;
	first = ui_cursor_window(&l->cursor, room);
	for (size_t i = first; i < g->n && y < bottom; i++, y++) {
		const struct bill_entry *e = &g->v[i];
		bool down = e->kind != BILL_ENTRY_CHARGE && e->kind != BILL_ENTRY_SELF_PAY_CHARGE;
		enum ui_look look = i == l->cursor.at ? UI_SELECTED : UI_NORMAL;

		/* A row that lowers a balance shows its amount below zero, as a statement does. */
		money_format(&e->amount, amount + 1, sizeof amount - 1);
		amount[0] = '-';
		money_format(&e->insurance_pending, ins, sizeof ins);
		money_format(&e->patient_owes, pat, sizeof pat);
		ui_putf(win, y, 1, COLS - 2, look, true, "%-10s  %-*s %*s %*s %*s",
		    e->day[0] ? e->day : "no date", what_w, "", aw,
		    down && e->amount.minor > 0 ? amount : amount + 1, aw, ins, aw, pat);
		/* The entry's words over their column: a long one ends with "…". */
		ui_put(win, y, 13, what_w, e->what, look, false);
	}
	if (l->asking != ASK_NONE)
		ui_dialog_draw(&l->dialog, win, top, rows, COLS);
}

static void
ledger_resume(struct app *app, void *state)
{
	struct ledger *l = state;

	/* A payment shown from its save's answer: the ledger is what the server holds. */
	if (l->shown_from_answer) {
		l->shown_from_answer = false;
		return;
	}
	if (l->have)
		read_ledger(app, l);
}

static int
reread(struct app *app, void *state)
{
	struct ledger *l = state;

	read_ledger(app, l);
	l->refreshing = l->have;
	return APP_HANDLED;
}

/* The statement is the ledger as read, printed after asking (a PHI export, audited). */
static int
print_statement(struct app *app, void *state)
{
	struct ledger *l = state;
	struct date_time now;
	char **lines, *cause = NULL, *question;
	size_t n;

	date_time_now(&now);
	/* Built first: a ledger whose sums do not add is never printed, nor asked about. */
	n = statement_text(&l->read, NULL, &now.date, &lines, &cause);
	if (n == 0) {
		app_error(app, "No statement: %s", cause != NULL ? cause : "nothing to print");
		free(cause);
		return APP_HANDLED;
	}
	bill_print_free(lines, n);
	question = xasprintf("Print the statement for %s (%s) to %s?", l->read.opened.view.name,
	    l->read.opened.view.birth_date[0] ? l->read.opened.view.birth_date : "born ?",
	    app_profile(app)->print_command);
	ui_dialog_free(&l->dialog);
	ui_dialog_init(&l->dialog, question, false);
	free(question);
	l->asking = ASK_STATEMENT;
	return APP_REDRAW;
}

/* The receipt of the payment just recorded, with the patient's balance as the ledger ends. */
static size_t
receipt_lines(struct ledger *l, char ***lines, char **cause)
{
	const struct money *owes = l->have && l->read.ledger.problems.n == 0 && !l->read.cut
	    ? &l->read.ledger.patient_owes : NULL;

	return bill_receipt_text(&l->receipt, &l->read.opened.view, owes, lines, cause);
}

static void
ask_receipt(struct app *app, struct ledger *l)
{
	char *question;

	l->receipt_due = false;
	question = xasprintf("Print a receipt for %s (%s) to %s?", l->read.opened.view.name,
	    l->read.opened.view.birth_date[0] ? l->read.opened.view.birth_date : "born ?",
	    app_profile(app)->print_command);
	ui_dialog_free(&l->dialog);
	ui_dialog_init(&l->dialog, question, false);
	free(question);
	l->asking = ASK_RECEIPT;
}

/*
 * The payment form's answer, while it is still above: the payment as the server holds
 * it goes on the ledger without reading it again; when the answer did not hold it, or
 * the ledger cannot take it as its last row, the ledger is read when the form leaves.
 */
static void
payment_taken(struct app *app, void *opener, const struct bill_payment *pay,
    const struct bill_patient_payment *got)
{
	struct ledger *l = opener;

	l->receipt = *pay;
	l->receipt.request_id = NULL;
	l->receipt_due = true;
	if (got != NULL && l->have && bill_ledger_add_payment(&l->read, got) == 0) {
		l->cursor.at = l->read.ledger.n - 1;
		ui_cursor_rows(&l->cursor, l->read.ledger.n, NULL, NULL);
		l->shown_from_answer = true;
		ask_receipt(app, l);
	}
	app_dirty(app);
}

static int
take_payment(struct app *app, void *state)
{
	struct ledger *l = state;

	billing_open_payment(app, &l->read.opened, payment_taken, l);
	return APP_HANDLED;
}

static void
answered(struct app *app, struct ledger *l)
{
	struct date_time now;
	char **lines, *text, *cause = NULL;
	size_t n;

	bool receipt = l->asking == ASK_RECEIPT;

	if (ui_dialog_answer(&l->dialog) == UI_DIALOG_ASKING)
		return;
	l->asking = ASK_NONE;
	if (ui_dialog_answer(&l->dialog) != UI_DIALOG_YES) {
		app_status(app, "Not printed");
		return;
	}
	date_time_now(&now);
	n = receipt ? receipt_lines(l, &lines, &cause)
	            : statement_text(&l->read, NULL, &now.date, &lines, &cause);
	if (n == 0) {
		app_error(app, "No %s: %s", receipt ? "receipt" : "statement",
		    cause != NULL ? cause : "nothing to print");
		free(cause);
		return;
	}
	/* The export's line is on disk before the text leaves; without it nothing is sent. */
	if (app_audit(app, "export", "Patient", l->patient_id) != 0) {
		bill_print_free(lines, n);
		return;
	}
	text = bill_print_join(lines, n);
	bill_print_free(lines, n);
	if (app_print(app, text, strlen(text)) == 0)
		app_status(app, "The %s went to %s", receipt ? "receipt" : "statement",
		    app_profile(app)->print_command);
	free(text);
}

static void
ledger_changed(struct app *app, void *state, enum action a)
{
	struct ledger *l = state;

	(void)a;
	if (l->asking != ASK_NONE)
		answered(app, l);
}

static struct app_focus
ledger_widget(struct app *app, void *state)
{
	struct ledger *l = state;

	(void)app;
	if (l->asking != ASK_NONE)
		return (struct app_focus){ APP_WIDGET_DIALOG, &l->dialog };
	/* The rows are drawn here, not by a list widget; their keys are the list's. */
	return (struct app_focus){ APP_WIDGET_CURSOR, &l->cursor };
}

enum { NEEDS_LOADED = APP_NEEDS_SCREEN, NEEDS_NO_QUESTION = APP_NEEDS_SCREEN << 1 };

static const char *
ledger_unmet(struct app *app, void *state, unsigned need)
{
	struct ledger *l = state;

	(void)app;
	if (need == NEEDS_LOADED && !l->have)
		return l->failed != NULL ? "the ledger could not be read" : "wait for the ledger to be read";
	if (need == NEEDS_NO_QUESTION && l->asking != ASK_NONE)
		return "answer the question first";
	return NULL;
}

/*
 * Back leaves even while the ledger is read again on coming back to it; a refresh the
 * biller asked for is cancelled instead (the loop's), and the ledger stays as it was.
 */
static int
ledger_back(struct app *app, void *state)
{
	struct ledger *l = state;

	if (l->asking != ASK_NONE)
		return APP_IGNORED;
	if (l->refreshing && app_requests(app, l) > 0)
		return APP_IGNORED;
	return l->have ? APP_LEAVE : APP_IGNORED;
}

static const struct screen_action ledger_actions[] = {
	{ A_REFRESH, reread, APP_NEEDS_IDLE | NEEDS_NO_QUESTION, "refresh" },
	{ A_PRINT_STATEMENT, print_statement, NEEDS_LOADED | NEEDS_NO_QUESTION | APP_NEEDS_IDLE,
	    "statement" },
	{ A_TAKE_PAYMENT, take_payment, NEEDS_LOADED | NEEDS_NO_QUESTION | APP_NEEDS_IDLE, "payment" },
	{ A_BACK, ledger_back, 0, NULL },
	{ A_NONE },
};

const struct screen_ops ledger_screen = {
	.name = "ledger",
	.title = "ledger",
	.context = "ledger",
	.module = "billing",
	.needs = SCREEN_NEEDS_ONLINE | SCREEN_NEEDS_PATIENT,
	.enter = ledger_enter,
	.leave = ledger_leave,
	.draw = ledger_draw,
	.resume = ledger_resume,
	.actions = ledger_actions,
	.unmet = ledger_unmet,
	.changed = ledger_changed,
	.widget = ledger_widget,
};

int
billing_open_ledger(struct app *app)
{
	return app_open(app, &ledger_screen, NULL);
}
