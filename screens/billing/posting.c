/* Posting a payer's payment to a visit's claim from a paper EOB: one check, each line's answer, one save. */
#include "config.h"

#include "screens/billing/billing.h"
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

/*
 * The check's fields, then six a claim line: what an EOB prints for each. The payer is
 * not typed: it is the claim's insurer, named as the patient's coverage names it.
 */
enum { F_AMOUNT, F_NUMBER, F_DATE, F_LINES };
enum { L_ALLOWED, L_PAID, L_ADJUSTED, L_REASON, L_SHARE, L_SHARE_REASON, L_COUNT };
#define FIELDS_MAX (F_LINES + L_COUNT * BILL_LINES_MAX)

struct posting {
	char *patient_id;
	struct bill_encounter enc; /* a copy: its id and day */
	struct bill_post_open open; /* open.visit.opened.patient NULL until read */
	char *failed;
	struct field_def defs[FIELDS_MAX];
	char labels[FIELDS_MAX][40];
	size_t nfields;
	bool has_form;
	struct ui_form form;
	/* Made once a form: a retry after a lost answer is found, never applied twice. */
	char request_id[UUID_BUF_SIZE];
	struct bill_problems problems;
	char *posted; /* "Posted: ..." once this form's posting is on the server */
	bool saving;  /* the posting, or the check whether it arrived, is in flight */
	struct money amount; /* the check amount of the posting sent, for its message */
	/* The claim has an answer posted already: the biller says yes before another. */
	bool asking;
	struct ui_dialog dialog;
	bool warned; /* Esc was pressed once with unsaved changes */
};

static void
read_claim(struct app *app, struct posting *s);

/* The payer as the biller reads it: the coverage's name, else the claim's reference. */
static const char *
payer_of(const struct posting *s)
{
	return s->open.payer_name[0] ? s->open.payer_name : s->open.payer;
}

/* The form for the claim's lines, the payer named as the claim's coverage names it. */
static void
build_form(struct posting *s)
{
	static const char *const what[L_COUNT] = { "allowed", "paid", "adjusted", "adj. reason",
		"patient share", "share reason" };

	if (s->has_form)
		ui_form_free(&s->form);
	memset(s->defs, 0, sizeof s->defs);
	s->defs[F_AMOUNT] = (struct field_def){ .label = "Check amount", .type = FIELD_TEXT, .max_chars = 20 };
	s->defs[F_NUMBER] = (struct field_def){ .label = "Check number", .type = FIELD_TEXT,
		.max_chars = BILL_CHECK_NUMBER_SIZE - 1 };
	s->defs[F_DATE] = (struct field_def){ .label = "Check date", .type = FIELD_DATE,
		.when = FIELD_NOT_FUTURE };
	s->nfields = F_LINES;
	for (size_t i = 0; i < s->open.n && i < BILL_LINES_MAX; i++)
		for (size_t k = 0; k < L_COUNT; k++) {
			size_t f = s->nfields++;

			snprintf(s->labels[f], sizeof s->labels[f], "%ld %s %s", s->open.lines[i].sequence,
			    s->open.lines[i].code, what[k]);
			s->defs[f] = (struct field_def){ .label = s->labels[f], .type = FIELD_TEXT,
				.max_chars = k == L_REASON || k == L_SHARE_REASON ? 8 : 20 };
		}
	ui_form_init(&s->form, s->defs, s->nfields);
	s->has_form = true;
	ui_form_mark_clean(&s->form);
	ui_form_set_focus(&s->form, F_AMOUNT);
}

static void
on_claim(struct app *app, void *state, struct fhir_result *res, unsigned long tag)
{
	struct posting *s = state;
	struct bill_post_open got;
	struct date_time now;
	char *cause = NULL;
	bool first = s->open.visit.opened.patient == NULL;

	(void)tag;
	date_time_now(&now);
	if (res->status != FHIR_OK || bill_post_result(res->resource, s->patient_id, s->enc.id,
	                                  &now.date, &got, &cause) != 0) {
		if (res->status == FHIR_CANCELLED && !first)
			return;
		free(s->failed);
		s->failed = cause != NULL ? cause
		    : res->status == FHIR_CANCELLED ? xstrdup("Not opened: cancelled")
		    : xstrdup(res->message ? res->message : "the visit's claim could not be read");
		app_error(app, "%s", s->failed);
		return;
	}
	if (app_audit(app, "view", "Patient", s->patient_id) != 0) {
		bill_post_open_clear(&got);
		return;
	}
	bill_post_open_clear(&s->open);
	s->open = got;
	free(s->failed);
	s->failed = NULL;
	/* What the biller typed stays: only a first read (or a posted form) makes a new one. */
	if (first || s->posted != NULL || !s->has_form)
		build_form(s);
	app_dirty(app);
}

static void
read_claim(struct app *app, struct posting *s)
{
	cJSON *batch = bill_post_batch(app_fhir(app), s->patient_id, s->enc.id);

	app_request(app, s, &(struct app_request){ .batch = batch, .done = on_claim,
	    .slot = "claim", .label = "Reading the visit's claim" });
	cJSON_Delete(batch);
}

static void *
posting_enter(struct app *app, void *arg)
{
	struct posting *s = xcalloc(1, sizeof *s);
	const char *id = fhir_id_of(app_patient(app));

	s->patient_id = xstrdup(id != NULL ? id : "");
	uuid_v4(s->request_id);
	ui_dialog_init(&s->dialog, "", false);
	if (arg == NULL || !fhir_valid_id(((const struct bill_encounter *)arg)->id)) {
		s->failed = xstrdup("no visit chosen: open billing and choose the visit");
		return s;
	}
	s->enc = *(const struct bill_encounter *)arg;
	if (!fhir_valid_id(s->patient_id)) {
		s->failed = xstrdup("the current patient has no usable id");
		return s;
	}
	read_claim(app, s);
	return s;
}

static void
posting_leave(struct app *app, void *state)
{
	struct posting *s = state;

	(void)app;
	bill_post_open_clear(&s->open);
	if (s->has_form)
		ui_form_free(&s->form);
	bill_problems_free(&s->problems);
	ui_dialog_free(&s->dialog);
	free(s->patient_id);
	free(s->failed);
	free(s->posted);
	free(s);
}

static void
posting_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct posting *s = state;
	struct date_time now;
	int y = top + 2, bottom = top + rows;
	char charged[MONEY_BUF_SIZE];

	(void)app;
	if (s->open.visit.opened.patient == NULL) {
		ui_put(win, top + 1, 2, COLS - 4, s->failed ? s->failed : "Reading the visit's claim...",
		    s->failed ? UI_ERROR : UI_DIM, false);
		return;
	}
	date_time_now(&now);
	ui_banner_draw(win, top, COLS, &s->open.visit.opened.view, &s->open.visit.opened.allergies,
	    &now.date);
	if (!s->open.has_claim) {
		ui_putf(win, y, 1, COLS - 2, UI_DIM, false,
		    "Visit %s has no claim to post to: claim its charges first.", s->enc.day);
		return;
	}
	ui_putf(win, y++, 1, COLS - 2, UI_NORMAL, false, "Visit %s, claim of %s. Payer: %s (the claim's)",
	    s->enc.day, s->open.created[0] ? s->open.created : "no date", payer_of(s));
	for (size_t i = 0; i < s->open.n && y < bottom; i++) {
		money_format(&s->open.lines[i].charged, charged, sizeof charged);
		ui_putf(win, y++, 3, COLS - 4, UI_DIM, false, "Line %ld  %-6s charged %10s",
		    s->open.lines[i].sequence, s->open.lines[i].code, charged);
	}
	for (size_t i = 0; i < s->open.problems.n && y < bottom; i++)
		ui_put(win, y++, 1, COLS - 2, s->open.problems.v[i], UI_ERROR, false);
	/* What is already posted to the claim: the same EOB is not posted twice. */
	for (size_t i = 0; i < s->open.nanswers && i < 3 && y < bottom; i++) {
		const struct bill_post_answer *a = &s->open.answers[i];

		money_format_currency(&a->paid, charged, sizeof charged);
		ui_putf(win, y++, 1, COLS - 2, UI_ERROR, false,
		    "Already posted to this claim: check %s of %s, %s paid",
		    a->check[0] ? a->check : "(no number)", a->day[0] ? a->day : "no date",
		    a->paid.currency[0] ? charged : "$0.00");
	}
	if ((s->open.nanswers > 3 || s->open.answers_cut) && y < bottom)
		ui_put(win, y++, 1, COLS - 2, "and more answers posted to this claim", UI_ERROR, false);
	if (s->posted != NULL && y < bottom)
		ui_put(win, y++, 1, COLS - 2, s->posted, UI_NORMAL, false);
	for (size_t i = 0; i < s->problems.n && y < bottom - 2; i++)
		ui_putf(win, y++, 1, COLS - 2, UI_ERROR, false, "- %s", s->problems.v[i]);
	if (y < bottom)
		ui_put(win, y++, 1, COLS - 2,
		    "Each line: charged = paid + adjusted + share. Denied: paid 0, charge adjusted.",
		    UI_DIM, false);
	if (y < bottom)
		ui_put(win, y++, 1, COLS - 2,
		    "Adj. reason: group-code, CO-45. Share reason: 1 deductible, 2 coins., 3 copay.",
		    UI_DIM, false);
	if (y < bottom && s->has_form)
		ui_form_draw(&s->form, win, y, bottom - y, COLS);
	if (s->asking)
		ui_dialog_draw(&s->dialog, win, top, rows, COLS);
}

/* Field F's amount into *M; false with the sentence shown and the focus on it. */
static bool
amount_of(struct app *app, struct posting *s, size_t f, bool negative, struct money *m)
{
	char *text = ui_form_text(&s->form, f), *cause = NULL;
	int rc = bill_amount_parse(text, s->defs[f].label, true, negative, m, &cause);

	free(text);
	if (rc != 0) {
		app_error(app, "Not saved: %s", cause);
		free(cause);
		ui_form_set_focus(&s->form, f);
		return false;
	}
	return true;
}

/* Field F's "CO-45" (or, with GROUP fixed to PR, "2") into the line; false as amount_of. */
static bool
reason_of(struct app *app, struct posting *s, size_t f, bool share, enum bill_group *group,
    char reason[BILL_CODE_SIZE])
{
	char *text = ui_form_text(&s->form, f), *cause = NULL, *full;
	int rc = 0;

	*group = BILL_GROUP_NONE;
	reason[0] = '\0';
	if (text[strspn(text, " ")] != '\0') {
		full = share ? xasprintf("PR-%s", text) : xstrdup(text);
		rc = bill_adjustment_parse(full, group, reason, &cause);
		free(full);
	}
	free(text);
	if (rc != 0) {
		app_error(app, "Not saved: %s: %s", s->defs[f].label, cause);
		free(cause);
		ui_form_set_focus(&s->form, f);
		return false;
	}
	return true;
}

/* The form as a posting of the claim into P and LINES; false with the first problem shown. */
static bool
form_posting(struct app *app, struct posting *s, struct bill_posting *p,
    struct bill_post_claim *claim, struct bill_post_line *lines)
{
	const struct field_value *date;
	char *text;

	memset(p, 0, sizeof *p);
	memset(claim, 0, sizeof *claim);
	snprintf(p->payer, sizeof p->payer, "%s", s->open.payer);
	snprintf(p->payer_name, sizeof p->payer_name, "%s", s->open.payer_name);
	text = ui_form_text(&s->form, F_NUMBER);
	snprintf(p->check_number, sizeof p->check_number, "%s", text + strspn(text, " "));
	free(text);
	for (size_t n = strlen(p->check_number); n > 0 && p->check_number[n - 1] == ' '; n--)
		p->check_number[n - 1] = '\0';
	if (!ui_form_valid(&s->form)) {
		app_error(app, "Not saved: %s", ui_form_message(&s->form, ui_form_focus(&s->form))
		    ? ui_form_message(&s->form, ui_form_focus(&s->form)) : "a field needs a value");
		return false;
	}
	date = ui_form_value(&s->form, F_DATE);
	if (date != NULL && !date->empty)
		date_format_iso(&date->date, p->check_date, sizeof p->check_date);
	if (!amount_of(app, s, F_AMOUNT, false, &p->check_amount))
		return false;
	for (size_t i = 0; i < s->open.n; i++) {
		struct bill_post_line *l = &lines[i];
		size_t f = F_LINES + i * L_COUNT;
		enum bill_group pr;
		char *allowed = ui_form_text(&s->form, f + L_ALLOWED);

		*l = s->open.lines[i];
		l->has_allowed = allowed[strspn(allowed, " ")] != '\0';
		free(allowed);
		if (!amount_of(app, s, f + L_ALLOWED, false, &l->allowed) ||
		    !amount_of(app, s, f + L_PAID, false, &l->paid) ||
		    !amount_of(app, s, f + L_ADJUSTED, true, &l->adjusted) ||
		    !reason_of(app, s, f + L_REASON, false, &l->group, l->reason) ||
		    !amount_of(app, s, f + L_SHARE, false, &l->patient_resp) ||
		    !reason_of(app, s, f + L_SHARE_REASON, true, &pr, l->resp_reason))
			return false;
	}
	snprintf(claim->claim, sizeof claim->claim, "%s", s->open.claim);
	snprintf(claim->patient, sizeof claim->patient, "Patient/%.64s", s->patient_id);
	claim->lines = lines;
	claim->n = s->open.n;
	p->claims = claim;
	p->nclaims = 1;
	p->request_id = s->request_id;
	return true;
}

/*
 * The posting is on the server. SAVED, the transaction's answer, already says what it
 * holds: the charges at their new versions guard the next check, and the form is made
 * anew from them, one round trip in all. Without it (a lost answer found on the server),
 * or when it does not say (bill_post_saved), the claim is read again.
 */
static void
posted(struct app *app, struct posting *s, const char *how, const cJSON *saved)
{
	char *number = ui_form_text(&s->form, F_NUMBER), amount[MONEY_BUF_SIZE];

	money_format_currency(&s->amount, amount, sizeof amount);
	free(s->posted);
	s->posted = xasprintf("Posted%s: check %s for %s to the claim's %zu line%s.", how,
	    number + strspn(number, " "), s->amount.currency[0] ? amount : "$0.00", s->open.n,
	    s->open.n == 1 ? "" : "s");
	free(number);
	bill_problems_free(&s->problems);
	/* The next check is another posting: its own request identifier. */
	uuid_v4(s->request_id);
	ui_form_mark_clean(&s->form);
	if (app_audit(app, "create", "PaymentReconciliation", NULL) == 0)
		app_status(app, "%s", s->posted);
	if (saved != NULL && bill_post_saved(&s->open, saved) == 0) {
		build_form(s);
		app_dirty(app);
		return;
	}
	read_claim(app, s);
}

/* After an answer that did not say "saved": the server is asked whether the posting is there. */
static void
on_lookup(struct app *app, void *state, struct fhir_result *res, unsigned long tag)
{
	struct posting *s = state;
	enum fhir_save outcome = (enum fhir_save)tag;

	s->saving = false;
	if (res->status == FHIR_OK && bill_posting_found(res->resource, s->request_id)) {
		posted(app, s, " (the first try had reached the server)", NULL);
		return;
	}
	app_error(app, "%s; the form is kept: save again, it is applied once",
	    outcome == FHIR_SAVE_CONFLICT ? "Not saved: a charge changed since it was read"
	                                  : fhir_save_name(outcome));
	if (outcome == FHIR_SAVE_CONFLICT)
		read_claim(app, s);
}

static void
on_saved(struct app *app, void *state, struct fhir_result *res, unsigned long tag)
{
	struct posting *s = state;
	enum fhir_save outcome = fhir_save_outcome(res);
	struct fhir_search *q;

	(void)tag;
	if (outcome == FHIR_SAVED) {
		s->saving = false;
		posted(app, s, "", res->resource);
		return;
	}
	/* Whatever the answer said, the server decides: the posting is there once, or not at all. */
	q = bill_posting_search(s->request_id);
	app_request(app, s, &(struct app_request){ .search = q, .done = on_lookup,
	    .tag = (unsigned long)outcome, .label = "Checking whether the posting was saved" });
	fhir_search_free(&q);
}

/*
 * Before a posting to a claim that has an answer posted: the same check number is refused
 * (the same EOB again would pay the claim twice); another check is asked about, naming the
 * answer posted and what insurance pending becomes. 0: post; 1: asked or refused.
 */
static int
already_posted(struct app *app, struct posting *s, const struct bill_posting *p)
{
	const struct bill_post_answer *same = bill_post_same_check(&s->open, p->check_number), *a;
	struct money left, after;
	char paid[MONEY_BUF_SIZE], pending[MONEY_BUF_SIZE], *cause = NULL, *question;
	bool below;

	if (same != NULL) {
		money_format_currency(&same->paid, paid, sizeof paid);
		app_error(app, "Not saved: check %s is already posted to this claim (%s, %s paid); "
		               "type the next check's number",
		    p->check_number, same->day[0] ? same->day : "no date",
		    same->paid.currency[0] ? paid : "$0.00");
		ui_form_set_focus(&s->form, F_NUMBER);
		return 1;
	}
	if (bill_post_pending(&s->open, p, &left, &after, &cause) != 0) {
		app_error(app, "Not saved: what is pending on the claim cannot be added up: %s", cause);
		free(cause);
		return 1;
	}
	below = after.minor < 0;
	if (s->open.nanswers == 0 && !s->open.answers_cut && !below)
		return 0;
	money_format_currency(&after, pending, sizeof pending);
	a = s->open.nanswers > 0 ? &s->open.answers[s->open.nanswers - 1] : NULL;
	question = a != NULL ? xasprintf("Post check %s to a claim already answered?", p->check_number)
	                     : xasprintf("Post check %s, more than the claim has pending?",
	                           p->check_number);
	ui_dialog_free(&s->dialog);
	ui_dialog_init(&s->dialog, question, false);
	free(question);
	if (a != NULL) {
		money_format_currency(&a->paid, paid, sizeof paid);
		ui_dialog_addf(&s->dialog, "Already posted: check %s of %s, %s paid",
		    a->check[0] ? a->check : "(no number)", a->day[0] ? a->day : "no date",
		    a->paid.currency[0] ? paid : "$0.00");
		if (s->open.nanswers > 1 || s->open.answers_cut)
			ui_dialog_addf(&s->dialog, "and %zu more answer%s before it",
			    s->open.nanswers - 1, s->open.nanswers == 2 ? "" : "s");
	}
	ui_dialog_addf(&s->dialog, "Insurance pending on the claim becomes %s", pending);
	s->asking = true;
	return 1;
}

static int
send_posting(struct app *app, struct posting *s, bool confirmed)
{
	struct bill_post_line lines[BILL_LINES_MAX];
	struct bill_post_claim claim;
	struct bill_posting p;
	struct fhir_plan *plan;
	struct date_time now;

	if (!form_posting(app, s, &p, &claim, lines))
		return APP_REDRAW;
	free(s->posted);
	s->posted = NULL;
	bill_problems_free(&s->problems);
	date_time_now(&now);
	plan = bill_posting_plan(&p, s->open.visit.charge_items, &now.date, &s->problems);
	if (plan == NULL) {
		app_error(app, "Not saved: %s", s->problems.n ? s->problems.v[0] : "the posting has problems");
		return APP_REDRAW;
	}
	/* A posting that could be saved: now, whether the claim has had its answer already. */
	if (!confirmed && already_posted(app, s, &p) != 0) {
		fhir_plan_free(&plan);
		return APP_REDRAW;
	}
	s->amount = p.check_amount;
	app_request(app, s, &(struct app_request){ .plan = plan, .done = on_saved,
	    .label = "Posting the payment" });
	s->saving = true;
	return APP_REDRAW;
}

static int
save(struct app *app, void *state)
{
	struct posting *s = state;

	if (!s->open.has_claim) {
		app_error(app, "Nothing to post to: claim the visit's charges first");
		return APP_HANDLED;
	}
	if (s->posted != NULL && !ui_form_dirty(&s->form)) {
		app_error(app, "Already posted; type the next check to post another");
		return APP_HANDLED;
	}
	return send_posting(app, s, false);
}

/* The question about a claim already answered: yes posts the form as it is. */
static void
posting_changed(struct app *app, void *state, enum action a)
{
	struct posting *s = state;

	(void)a;
	if (billing_answered_yes(app, &s->dialog, &s->asking, &s->warned, "Not posted; the form is kept"))
		send_posting(app, s, true);
}

static int
reread(struct app *app, void *state)
{
	read_claim(app, state);
	return APP_HANDLED;
}

enum { NEEDS_LOADED = APP_NEEDS_SCREEN, NEEDS_NO_QUESTION = APP_NEEDS_SCREEN << 1 };

static const char *
posting_unmet(struct app *app, void *state, unsigned need)
{
	struct posting *s = state;

	(void)app;
	if (need == NEEDS_LOADED && s->open.visit.opened.patient == NULL)
		return s->failed != NULL ? "the visit's claim could not be read"
		                         : "wait for the visit's claim to be read";
	if (need == NEEDS_NO_QUESTION && s->asking)
		return "answer the question first";
	return NULL;
}

static bool
posting_unsaved(struct app *app, void *state)
{
	struct posting *s = state;

	(void)app;
	return s->has_form && ui_form_dirty(&s->form);
}

static struct app_focus
posting_widget(struct app *app, void *state)
{
	struct posting *s = state;

	(void)app;
	if (s->asking)
		return (struct app_focus){ APP_WIDGET_DIALOG, &s->dialog };
	if (!s->has_form)
		return (struct app_focus){ APP_WIDGET_NONE, NULL };
	return (struct app_focus){ APP_WIDGET_FORM, &s->form };
}

static bool
posting_cursor(struct app *app, void *state, int *y, int *x)
{
	struct posting *s = state;

	(void)app;
	return !s->asking && s->has_form && s->open.has_claim && ui_form_cursor(&s->form, y, x);
}

/*
 * Back leaves while the claim is read again after a posting; while a posting (or the check
 * whether it arrived) is in flight, Esc cancels it instead, and the form stays. A check
 * typed and not posted is said once: a second Esc leaves without it.
 */
static int
posting_back(struct app *app, void *state)
{
	struct posting *s = state;

	if (s->asking || s->saving || s->open.visit.opened.patient == NULL)
		return APP_IGNORED;
	return billing_back_unsaved(app, posting_unsaved(app, s), &s->warned);
}

static const struct screen_action posting_actions[] = {
	{ A_SAVE, save, NEEDS_LOADED | NEEDS_NO_QUESTION | APP_NEEDS_IDLE, "post" },
	{ A_REFRESH, reread, NEEDS_NO_QUESTION | APP_NEEDS_IDLE, NULL },
	{ A_BACK, posting_back, 0, NULL },
	{ A_NONE },
};

const struct screen_ops posting_screen = {
	.name = "posting",
	.title = "posting",
	.context = "posting",
	.module = "billing",
	.needs = SCREEN_NEEDS_ONLINE | SCREEN_NEEDS_PATIENT,
	.needs_arg = "open billing and choose the visit whose claim was paid first",
	.enter = posting_enter,
	.leave = posting_leave,
	.draw = posting_draw,
	.cursor = posting_cursor,
	.unsaved = posting_unsaved,
	.actions = posting_actions,
	.unmet = posting_unmet,
	.widget = posting_widget,
	.changed = posting_changed,
};

int
billing_open_posting(struct app *app, const struct bill_encounter *encounter)
{
	return app_open(app, &posting_screen, (void *)encounter);
}
