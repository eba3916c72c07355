/* A patient's payment at the front desk (a copay, a payment on account): one form, one save. */
#include "config.h"

#include "screens/billing/billing-private.h"
#include "screens/screens.h"
#include "fhir/billing.h"
#include "fhir/patient.h"
#include "ui/banner.h"
#include "ui/dialog.h"
#include "ui/form.h"
#include "ui/ui.h"
#include "util/uuid.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { F_AMOUNT, F_KIND, F_METHOD, F_REFERENCE, F_COUNT };

static const struct field_code kinds[] = {
	{ "copay", "Copay at check-out" },
	{ "on-account", "Payment on account" },
};
static const struct field_code methods[] = {
	{ "cash", "Cash" },
	{ "check", "Check" },
	{ "card", "Card" },
};

static const struct field_def defs[F_COUNT] = {
	[F_AMOUNT] = { .label = "Amount", .type = FIELD_TEXT, .required = true, .max_chars = 20 },
	[F_KIND] = { .label = "Kind", .type = FIELD_CODE, .required = true, .codes = kinds,
		.ncodes = sizeof kinds / sizeof kinds[0] },
	[F_METHOD] = { .label = "Method", .type = FIELD_CODE, .required = true, .codes = methods,
		.ncodes = sizeof methods / sizeof methods[0] },
	/* A check's number or a card's authorisation: ASCII, so it fits its buffer whole. */
	[F_REFERENCE] = { .label = "Reference", .type = FIELD_TEXT,
		.max_chars = BILL_PAY_REFERENCE_SIZE - 1, .pattern = "[ -~]*",
		.pattern_hint = "letters, digits and punctuation, as on the check or the card slip" },
};

struct payment_arg {
	const struct patient_opened *opened;
	billing_payment_fn taken;
	void *opener;
};

struct payment {
	cJSON *patient; /* a copy of the opener's Patient: its view and clinic */
	struct patient_view view;
	struct patient_allergies allergies; /* a copy of the ledger's, for the banner */
	char *patient_id;
	struct bill_payment pay; /* the clinic; the rest filled from the form at each save */
	billing_payment_fn taken;
	void *opener;
	struct ui_form form;
	/* Made once a form: a retry after a lost answer finds the first, never pays twice. */
	char request_id[UUID_BUF_SIZE];
	bool saving; /* the save, or the check whether it arrived, is in flight */
	bool warned; /* Esc was pressed once with unsaved changes */
	/* An amount above PAYMENT_ASK is read back to the front desk before it is recorded. */
	bool asking;
	struct ui_dialog dialog;
};

/* $10,000.00: more than a front desk takes in one payment without a second look. */
#define PAYMENT_ASK 1000000

static void *
payment_enter(struct app *app, void *arg)
{
	const struct payment_arg *a = arg;
	struct payment *s = xcalloc(1, sizeof *s);
	char *cause = NULL;

	(void)app;
	s->patient = cJSON_Duplicate(a != NULL && a->opened != NULL ? a->opened->patient : NULL, 1);
	patient_view_read(s->patient, &s->view);
	if (a != NULL && a->opened != NULL)
		patient_allergies_copy(&s->allergies, &a->opened->allergies);
	s->patient_id = xstrdup(s->view.id);
	bill_payment_clinic(s->patient, &s->pay);
	if (a != NULL) {
		s->taken = a->taken;
		s->opener = a->opener;
	}
	uuid_v4(s->request_id);
	ui_dialog_init(&s->dialog, "", false);
	ui_form_init(&s->form, defs, F_COUNT);
	/* The common case typed least: a copay, in cash. */
	ui_form_set_text(&s->form, F_KIND, "copay", &cause);
	free(cause);
	cause = NULL;
	ui_form_set_text(&s->form, F_METHOD, "cash", &cause);
	free(cause);
	ui_form_mark_clean(&s->form);
	ui_form_set_focus(&s->form, F_AMOUNT);
	return s;
}

static void
payment_leave(struct app *app, void *state)
{
	struct payment *s = state;

	(void)app;
	ui_form_free(&s->form);
	ui_dialog_free(&s->dialog);
	patient_view_clear(&s->view);
	patient_allergies_clear(&s->allergies);
	cJSON_Delete(s->patient);
	free(s->patient_id);
	free(s);
}

static void
payment_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct payment *s = state;
	struct date_time now;
	int y = top + 2, bottom = top + rows;

	(void)app;
	if (s->patient == NULL) {
		ui_put(win, top + 1, 2, COLS - 4, "No patient: open the ledger first", UI_ERROR, false);
		return;
	}
	date_time_now(&now);
	ui_banner_draw(win, top, COLS, &s->view, &s->allergies, &now.date);
	/* The two identifiers the front desk reads back to the patient before taking money. */
	ui_putf(win, y++, 1, COLS - 2, UI_NORMAL, true, "Payment by %s, born %s", s->view.name,
	    s->view.birth_date[0] ? s->view.birth_date : "(no date of birth)");
	if (s->pay.clinic_name[0] != '\0')
		ui_putf(win, y++, 1, COLS - 2, UI_DIM, true, "To %s", s->pay.clinic_name);
	if (y < bottom)
		ui_put(win, y++, 1, COLS - 2,
		    "Amount as 25 or 25.00; the reference is a check's number or a card's authorisation.",
		    UI_DIM, false);
	y++;
	if (y < bottom)
		ui_form_draw(&s->form, win, y, bottom - y, COLS);
	if (s->asking)
		ui_dialog_draw(&s->dialog, win, top, rows, COLS);
}

/* The form as a payment into s->pay; false with the first problem shown. */
static bool
form_payment(struct app *app, struct payment *s)
{
	const struct field_value *kind, *method;
	char *text, *cause = NULL;
	struct date_time now;

	text = ui_form_text(&s->form, F_AMOUNT);
	if (bill_amount_parse(text, "Amount", false, false, &s->pay.amount, &cause) != 0 ||
	    (s->pay.amount.minor == 0 && (cause = xstrdup("Amount: a payment of nothing is not "
	                                                  "recorded")) != NULL)) {
		free(text);
		app_error(app, "Not saved: %s", cause);
		free(cause);
		ui_form_set_focus(&s->form, F_AMOUNT);
		return false;
	}
	free(text);
	if (!ui_form_valid(&s->form)) {
		const char *why = ui_form_message(&s->form, ui_form_focus(&s->form));

		app_error(app, "Not saved: %s", why != NULL ? why : "a field needs a value");
		return false;
	}
	kind = ui_form_value(&s->form, F_KIND);
	method = ui_form_value(&s->form, F_METHOD);
	s->pay.kind = kind != NULL && !kind->empty && strcmp(kind->code->code, "on-account") == 0
	    ? BILL_PAY_ON_ACCOUNT : BILL_PAY_COPAY;
	s->pay.method = method == NULL || method->empty ? BILL_PAY_CASH
	    : strcmp(method->code->code, "check") == 0 ? BILL_PAY_CHECK
	    : strcmp(method->code->code, "card") == 0  ? BILL_PAY_CARD
	                                                : BILL_PAY_CASH;
	text = ui_form_text(&s->form, F_REFERENCE);
	snprintf(s->pay.reference, sizeof s->pay.reference, "%s", text + strspn(text, " "));
	free(text);
	snprintf(s->pay.patient, sizeof s->pay.patient, "Patient/%.64s", s->patient_id);
	date_time_now(&now);
	date_format_iso(&now.date, s->pay.day, sizeof s->pay.day);
	s->pay.request_id = s->request_id;
	return true;
}

/*
 * The payment is on the server. ANSWER (the save's transaction-response, or the search
 * that found it) holds it: the ledger below shows it from there, and offers the receipt.
 */
static void
recorded(struct app *app, struct payment *s, const cJSON *answer, const char *how)
{
	struct bill_patient_payment got;
	char note[BILL_PAY_NOTE_SIZE], amount[MONEY_BUF_SIZE];
	bool read = bill_payment_answer(answer, s->request_id, s->patient_id, &got, note) == 0;

	s->saving = false;
	ui_form_mark_clean(&s->form);
	/* Its audit line first: without it the change is not reported, nor shown. */
	if (app_audit(app, "create", "PaymentNotice", s->patient_id) != 0)
		return;
	money_format_currency(&s->pay.amount, amount, sizeof amount);
	app_status(app, "Recorded%s: %s from %s.", how, amount, s->view.name);
	if (s->taken != NULL) {
		if (read)
			got.note = note;
		s->taken(app, s->opener, &s->pay, read ? &got : NULL);
	}
	app_leave(app, s);
}

/* After an answer that did not say "saved": the server is asked whether the payment is there. */
static void
on_lookup(struct app *app, void *state, struct fhir_result *res, unsigned long tag)
{
	struct payment *s = state;
	enum fhir_save outcome = (enum fhir_save)tag;
	struct bill_patient_payment got;
	char note[BILL_PAY_NOTE_SIZE];

	if (res->status == FHIR_OK &&
	    bill_payment_answer(res->resource, s->request_id, s->patient_id, &got, note) == 0) {
		recorded(app, s, res->resource, " (the first try had reached the server)");
		return;
	}
	s->saving = false;
	ui_form_set_not_saved(&s->form, fhir_save_name(outcome));
	app_error(app, "%s; the form is kept: save again, the payment is recorded once",
	    fhir_save_name(outcome));
}

static void
on_saved(struct app *app, void *state, struct fhir_result *res, unsigned long tag)
{
	struct payment *s = state;
	enum fhir_save outcome = fhir_save_outcome(res);
	struct fhir_search *q;

	(void)tag;
	if (outcome == FHIR_SAVED) {
		recorded(app, s, res->resource, "");
		return;
	}
	if (outcome == FHIR_NOT_SAVED) {
		s->saving = false;
		ui_form_set_not_saved(&s->form, res->message ? res->message : "not saved");
		app_error(app, "Not saved; the form is kept: %s",
		    res->message ? res->message : "the server refused it");
		return;
	}
	/* An answer lost or cut short: the server decides whether the payment is there. */
	q = bill_payment_search(s->request_id);
	app_request(app, s, &(struct app_request){ .search = q, .done = on_lookup,
	    .tag = (unsigned long)outcome, .label = "Checking whether the payment was recorded" });
	fhir_search_free(&q);
}

static int
send_payment(struct app *app, struct payment *s, bool confirmed)
{
	struct fhir_plan *plan;
	char *cause = NULL, amount[MONEY_BUF_SIZE], *question;

	if (!form_payment(app, s))
		return APP_REDRAW;
	/* A slip of the keys (99999999999.99) is read back before it is the patient's. */
	if (!confirmed && s->pay.amount.minor > PAYMENT_ASK) {
		money_format_currency(&s->pay.amount, amount, sizeof amount);
		question = xasprintf("Record %s from %s?", amount, s->view.name);
		ui_dialog_free(&s->dialog);
		ui_dialog_init(&s->dialog, question, false);
		free(question);
		s->asking = true;
		return APP_REDRAW;
	}
	plan = bill_payment_plan(&s->pay, &cause);
	if (plan == NULL) {
		app_error(app, "Not saved: %s", cause);
		free(cause);
		return APP_REDRAW;
	}
	app_request(app, s, &(struct app_request){ .plan = plan, .done = on_saved,
	    .label = "Recording the payment" });
	s->saving = true;
	return APP_REDRAW;
}

static int
save(struct app *app, void *state)
{
	return send_payment(app, state, false);
}

/* Typing clears the Esc warning; the question's answer records the payment, or not. */
static void
payment_changed(struct app *app, void *state, enum action a)
{
	struct payment *s = state;

	(void)a;
	if (billing_answered_yes(app, &s->dialog, &s->asking, &s->warned, "Not recorded; the form is kept"))
		send_payment(app, s, true);
}

enum { NEEDS_PATIENT = APP_NEEDS_SCREEN, NEEDS_NO_QUESTION = APP_NEEDS_SCREEN << 1 };

static const char *
payment_unmet(struct app *app, void *state, unsigned need)
{
	struct payment *s = state;

	(void)app;
	if (need == NEEDS_PATIENT && (s->patient == NULL || !fhir_valid_id(s->patient_id)))
		return "open the patient's ledger first";
	if (need == NEEDS_NO_QUESTION && s->asking)
		return "answer the question first";
	return NULL;
}

static bool
payment_unsaved(struct app *app, void *state)
{
	struct payment *s = state;

	(void)app;
	return ui_form_dirty(&s->form);
}

static struct app_focus
payment_widget(struct app *app, void *state)
{
	struct payment *s = state;

	(void)app;
	if (s->asking)
		return (struct app_focus){ APP_WIDGET_DIALOG, &s->dialog };
	return (struct app_focus){ APP_WIDGET_FORM, &s->form };
}

static bool
payment_cursor(struct app *app, void *state, int *y, int *x)
{
	struct payment *s = state;

	(void)app;
	return !s->asking && ui_form_cursor(&s->form, y, x);
}

/*
 * While the save (or the check whether it arrived) is in flight, Esc cancels it; the form
 * stays. A payment typed and not recorded is said once: a second Esc leaves without it.
 */
static int
payment_back(struct app *app, void *state)
{
	struct payment *s = state;

	if (s->saving || s->asking)
		return APP_IGNORED;
	return billing_back_unsaved(app, payment_unsaved(app, s), &s->warned);
}

static const struct screen_action payment_actions[] = {
	{ A_SAVE, save, NEEDS_PATIENT | NEEDS_NO_QUESTION | APP_NEEDS_IDLE, "record" },
	{ A_BACK, payment_back, 0, NULL },
	{ A_NONE },
};

const struct screen_ops payment_screen = {
	.name = "payment",
	.title = "patient payment",
	.context = "payment",
	.module = "billing",
	.needs = SCREEN_NEEDS_ONLINE | SCREEN_NEEDS_PATIENT,
	.needs_arg = "open the patient's ledger and take the payment there",
	.enter = payment_enter,
	.leave = payment_leave,
	.draw = payment_draw,
	.cursor = payment_cursor,
	.unsaved = payment_unsaved,
	.changed = payment_changed,
	.actions = payment_actions,
	.unmet = payment_unmet,
	.widget = payment_widget,
};

int
billing_open_payment(struct app *app, const struct patient_opened *opened, billing_payment_fn taken,
    void *opener)
{
	return app_open(app, &payment_screen,
	    &(struct payment_arg){ .opened = opened, .taken = taken, .opener = opener });
}
