/*
 * One visit's charges: capture starts from the procedures the visit's wrap-up recorded (or
 * lines typed from the fee schedule), saved as one transaction, then claimed.
 */
#include "config.h"

#include "screens/billing/billing-private.h"
#include "screens/billing/billing.h"
#include "screens/screens.h"
#include "fhir/patient.h"
#include "ui/banner.h"
#include "ui/form.h"
#include "ui/ui.h"
#include "util/uuid.h"
#include "util/xmalloc.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { F_CODE, F_QUANTITY, F_PRICE, F_REASON, F_MODIFIERS, F_DIAGNOSES, F_COUNT };
// clang-format off
static const struct field_def fields[F_COUNT] = {
	[F_CODE]      = { .label = "Code or words", .type = FIELD_TEXT, .max_chars = 60 },
	[F_QUANTITY]  = { .label = "Quantity", .type = FIELD_INTEGER, .min = 1, .max = BILL_QUANTITY_MAX },
	[F_PRICE]     = { .label = "Price", .type = FIELD_MONEY },
	/* A reason is kept in BILL_TEXT_SIZE bytes: 60 characters of up to four bytes fit. */
	[F_REASON]    = { .label = "Price reason", .type = FIELD_TEXT, .max_chars = 60 },
	[F_MODIFIERS] = { .label = "Modifiers", .type = FIELD_TEXT, .max_chars = 40 },
	[F_DIAGNOSES] = { .label = "Diagnoses", .type = FIELD_TEXT,
			  .max_chars = 80 },
};
// clang-format on

/* Where a pending line came from. */
enum origin {
	TYPED,    /* the biller added it from the form */
	PROPOSED, /* from the visit's wrap-up, as proposed: proposed again if not saved */
	REVIEWED, /* from the wrap-up, then changed by the biller */
};

struct charges {
	char *patient_id;
	struct bill_encounter enc; /* a copy: its day, provider and diagnoses */
	struct bill_visit visit;   /* the saved charges; visit.opened.patient NULL until read */
	char *failed;
	struct ui_form form;
	struct bill_line pending[BILL_LINES_MAX]; /* captured, not yet saved */
	enum origin origin[BILL_LINES_MAX];
	size_t npending;
	size_t from_wrapup; /* lines the wrap-up's procedures started, while they are pending */
	size_t wrapup_left; /* procedures that did not fit one superbill: proposed after the save */
	/*
	 * The screen's request identifier: each line it makes is named by it and a serial
	 * never given before (bill_line_name), and keeps that name whatever other lines are
	 * dropped, saved or proposed again, so a retried save finds exactly the charges a
	 * first try wrote of the lines still pending.
	 */
	char request_id[UUID_BUF_SIZE];
	unsigned long serial;
	char claim_id[UUID_BUF_SIZE];   /* of the claim being queued */
	struct bill_problems problems;  /* what the last check, save or scrub found */
	struct bill_parties parties;    /* the providers' NPIs, read for the claim */
	char *problems_title;
	/*
	 * The wrap-up's proposals the biller dropped, by code, sorted: the biller's decision,
	 * so none of them is proposed again while the screen is open (each read of the visit
	 * proposes again). A code counts its dropped lines; DROPPED_TOTAL counts them all.
	 */
	struct dropped {
		char code[BILL_CODE_SIZE];
		size_t n;
	} dropped[BILL_PROCEDURES_COUNT];
	size_t ndropped, dropped_total;
	/* Changes whenever the pending lines do: a chooser's answer is for the lines it showed. */
	unsigned generation, choosing;
	bool warned; /* Esc was pressed once with unsaved changes */
};

/* The ending of a plural noun counted N: "" for one, "s" else. */
static const char *
plural(size_t n)
{
	return n == 1 ? "" : "s";
}

static void
set_problems(struct charges *c, const char *title)
{
	free(c->problems_title);
	c->problems_title = title != NULL ? xstrdup(title) : NULL;
}

static void
clear_problems(struct charges *c)
{
	bill_problems_free(&c->problems);
	set_problems(c, NULL);
}

/* L is a new line of this screen: its own request identifier, for good. */
static void
name_line(struct charges *c, struct bill_line *l)
{
	bill_line_name(l, c->request_id, ++c->serial);
}

static int
dropped_order(const void *key, const void *elem)
{
	return strcmp(key, ((const struct dropped *)elem)->code);
}

/* The dropped proposals of CODE, or NULL. */
static struct dropped *
dropped_of(struct charges *c, const char *code)
{
	return c->ndropped == 0 ? NULL
	    : bsearch(code, c->dropped, c->ndropped, sizeof *c->dropped, dropped_order);
}

/* One more proposal of CODE dropped; -1 when no room is left for another code. */
static int
remember_dropped(struct charges *c, const char *code)
{
	struct dropped *d = dropped_of(c, code);
	size_t at = 0;

	if (d == NULL) {
		if (c->ndropped == BILL_PROCEDURES_COUNT)
			return -1;
		while (at < c->ndropped && strcmp(c->dropped[at].code, code) < 0)
			at++;
		memmove(&c->dropped[at + 1], &c->dropped[at],
		    (c->ndropped - at) * sizeof *c->dropped);
		d = &c->dropped[at];
		snprintf(d->code, sizeof d->code, "%s", code);
		d->n = 0;
		c->ndropped++;
	}
	d->n++;
	c->dropped_total++;
	return 0;
}

/* A proposal as it was pending, before the visit was read again. */
struct proposed {
	char code[BILL_CODE_SIZE], request_id[BILL_REQUEST_SIZE];
};

/*
 * The proposal L is the line proposed before of its code, if one is left among the N of
 * WAS (taken, so a code proposed twice is two lines): it keeps that line's name, so a
 * save tried with it (cut by Esc, and going through after the read) is found by the next.
 * Else it is a new line. At most BILL_LINES_MAX each way.
 */
static void
proposal_name(struct charges *c, struct bill_line *l, struct proposed *was, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (was[i].code[0] != '\0' && strcmp(was[i].code, l->code) == 0) {
			memcpy(l->request_id, was[i].request_id, BILL_REQUEST_SIZE);
			was[i].code[0] = '\0';
			return;
		}
	name_line(c, l);
}

/*
 * With nothing pending but what it proposed, the visit's procedures not yet charged (its
 * wrap-up) become the pending lines, priced from the fee schedule: once both are read,
 * and again on every read of the visit, so that a procedure charged meanwhile (by
 * another biller, or by a save whose answer was lost) drops out, and those that did not
 * fit come after a save. Those the biller dropped are left out (a code dropped twice
 * leaves out two of its lines). The biller reviews them and saves as typed lines.
 */
static void
start_capture(struct charges *c)
{
	const struct bill_fees *fees = billing_fees();
	size_t n, kept = 0, left[BILL_PROCEDURES_COUNT];
	struct bill_line *all;

	/* Without the fee schedule yet, wait for it: its answer starts capture. */
	if (c->visit.opened.patient == NULL || (fees == NULL && billing_fees_failed() == NULL))
		return;
	size_t before = c->npending;
	struct proposed was[BILL_LINES_MAX];

	for (size_t i = 0; i < c->npending; i++) {
		if (c->origin[i] != PROPOSED)
			return;
		memcpy(was[i].code, c->pending[i].code, BILL_CODE_SIZE);
		memcpy(was[i].request_id, c->pending[i].request_id, BILL_REQUEST_SIZE);
	}
	c->npending = c->from_wrapup = c->wrapup_left = 0;
	c->generation++;
	/* A line for each procedure not charged: all of them, as dropped ones leave room. */
	all = xcalloc(c->visit.nprocedures + 1, sizeof *all);
	n = c->visit.nprocedures == 0 ? 0 :
	    bill_capture_lines(&c->visit, &c->enc, c->patient_id, fees, all, c->visit.nprocedures);
	for (size_t k = 0; k < c->ndropped; k++)
		left[k] = c->dropped[k].n;
	for (size_t i = 0; i < n && i < c->visit.nprocedures; i++) {
		struct dropped *d = dropped_of(c, all[i].code);

		if (d != NULL && left[d - c->dropped] > 0) {
			left[d - c->dropped]--;
			continue;
		}
		if (kept < BILL_LINES_MAX) {
			c->pending[kept] = all[i];
			c->origin[kept] = PROPOSED;
			proposal_name(c, &c->pending[kept], was, before);
		}
		kept++;
	}
	free(all);
	c->npending = kept < BILL_LINES_MAX ? kept : BILL_LINES_MAX;
	c->from_wrapup = c->npending;
	c->wrapup_left = kept - c->npending;
}

static int
request_order(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Pending lines whose request identifier a charge of the visit carries were saved by a
 * try whose answer was lost: they are no longer pending (the charge shows as saved).
 * The visit's identifiers are looked up sorted, once each.
 */
static void
settle(struct app *app, struct charges *c)
{
	const char **ids;
	size_t nids = 0, kept = 0, settled = 0;

	if (c->npending == 0 || c->visit.nlines == 0)
		return;
	ids = xcalloc(c->visit.nlines, sizeof *ids);
	for (size_t i = 0; i < c->visit.nlines; i++)
		if (c->visit.lines[i].request_id[0] != '\0')
			ids[nids++] = c->visit.lines[i].request_id;
	qsort(ids, nids, sizeof *ids, request_order);
	for (size_t i = 0; i < c->npending; i++) {
		const char *key = c->pending[i].request_id;

		if (nids > 0 && bsearch(&key, ids, nids, sizeof *ids, request_order) != NULL) {
			if (c->origin[i] != TYPED && c->from_wrapup > 0)
				c->from_wrapup--;
			settled++;
			continue;
		}
		c->pending[kept] = c->pending[i];
		c->origin[kept++] = c->origin[i];
	}
	free(ids);
	if (settled == 0)
		return;
	c->npending = kept;
	c->generation++;
	clear_problems(c);
	app_status(app, "%zu pending line%s found saved by the earlier try: not saved again",
	    settled, plural(settled));
}

static void
on_visit(struct app *app, void *state, struct fhir_result *res, unsigned long tag)
{
	struct charges *c = state;
	struct bill_visit got;
	struct date_time now;
	char *cause = NULL;

	(void)tag;
	date_time_now(&now);
	if (res->status != FHIR_OK || bill_visit_result(res->resource, c->patient_id, c->enc.id,
	                                  &now.date, &got, &cause) != 0) {
		if (res->status == FHIR_CANCELLED && c->visit.opened.patient != NULL)
			return;
		free(c->failed);
		c->failed = cause != NULL ? cause
		    : res->status == FHIR_CANCELLED ? xstrdup("Not opened: cancelled")
		    : xstrdup(res->message ? res->message : "the visit's charges could not be read");
		app_error(app, "%s", c->failed);
		return;
	}
	bill_visit_clear(&c->visit);
	c->visit = got;
	free(c->failed);
	c->failed = NULL;
	settle(app, c);
	start_capture(c);
	app_dirty(app);
}

static void
read_visit(struct app *app, struct charges *c)
{
	cJSON *batch = bill_visit_batch(app_fhir(app), c->patient_id, c->enc.id);

	app_request(app, c, &(struct app_request){ .batch = batch, .done = on_visit,
	    .slot = "visit", .label = "Reading the visit's charges" });
	cJSON_Delete(batch);
}

static void
on_fees(struct app *app, void *state)
{
	start_capture(state);
	app_dirty(app);
}

static void *
charges_enter(struct app *app, void *arg)
{
	struct charges *c = xcalloc(1, sizeof *c);
	const char *id = fhir_id_of(app_patient(app));
	char *cause = NULL;

	c->patient_id = xstrdup(id != NULL ? id : "");
	ui_form_init(&c->form, fields, F_COUNT);
	ui_form_set_text(&c->form, F_QUANTITY, "1", &cause);
	free(cause);
	ui_form_mark_clean(&c->form);
	uuid_v4(c->request_id);
	if (arg == NULL || !fhir_valid_id(((const struct bill_encounter *)arg)->id)) {
		c->failed = xstrdup("no visit chosen: open billing and choose the visit");
		return c;
	}
	c->enc = *(const struct bill_encounter *)arg;
	if (!fhir_valid_id(c->patient_id)) {
		c->failed = xstrdup("the current patient has no usable id");
		return c;
	}
	read_visit(app, c);
	billing_fees_load(app, c, false, on_fees);
	return c;
}

static void
charges_leave(struct app *app, void *state)
{
	struct charges *c = state;

	(void)app;
	bill_visit_clear(&c->visit);
	ui_form_free(&c->form);
	clear_problems(c);
	free(c->patient_id);
	free(c->failed);
	free(c);
}

static void
draw_line(WINDOW *win, int y, const char *mark, const struct bill_line *l)
{
	char price[MONEY_BUF_SIZE], mods[16] = "", diags[4 * BILL_CODE_SIZE] = "";

	if (bill_line_unit(l)->currency[0] == '\0')
		snprintf(price, sizeof price, "no price");
	else
		money_format(bill_line_unit(l), price, sizeof price);
	for (size_t i = 0; i < l->nmodifiers && i < BILL_MODIFIERS_MAX; i++)
		snprintf(mods + strlen(mods), sizeof mods - strlen(mods), "%s%s", i ? " " : "",
		    l->modifiers[i]);
	for (size_t i = 0; i < l->npointers && i < BILL_POINTERS_MAX; i++)
		snprintf(diags + strlen(diags), sizeof diags - strlen(diags), "%s%s", i ? " " : "",
		    l->diagnoses[i]);
	ui_putf(win, y, 1, COLS - 2, UI_NORMAL, false, "%-8s %-6s x%-3lld %10s%s  %-11s  %-24s  %s",
	    mark, l->code, l->quantity, price, l->overridden ? "*" : " ", mods, diags, l->display);
}

/* What the visit names as diagnoses that the list above leaves out, in one line. */
static void
draw_left_out(WINDOW *win, int *y, const struct bill_encounter *e)
{
	char line[256] = "";

	if (e->unread > 0)
		snprintf(line + strlen(line), sizeof line - strlen(line),
		    "; %zu the visit names that could not be read", e->unread);
	if (e->uncoded > 0)
		snprintf(line + strlen(line), sizeof line - strlen(line),
		    "; %zu without an ICD-10-CM code", e->uncoded);
	if (e->over > 0)
		snprintf(line + strlen(line), sizeof line - strlen(line),
		    "; %zu past the %d a claim takes", e->over, BILL_DIAGNOSES_MAX);
	if (line[0] != '\0')
		ui_putf(win, (*y)++, 3, COLS - 4, UI_DIM, false, "Diagnoses left out%s.", line + 1);
}

/* True when a pending line came from the visit's wrap-up. */
static bool
wrapup_pending(const struct charges *c)
{
	for (size_t i = 0; i < c->npending; i++)
		if (c->origin[i] != TYPED)
			return true;
	return false;
}

/* Where the pending lines came from: the visit's wrap-up, and what it recorded otherwise. */
static void
draw_wrapup(struct app *app, struct charges *c, WINDOW *win, int *y, int bottom)
{
	const struct bill_visit *v = &c->visit;
	char key[32];

	app_key_for(app, A_SAVE, key, sizeof key);
	if (wrapup_pending(c) && *y < bottom)
		ui_putf(win, (*y)++, 1, COLS - 2, UI_NORMAL, false,
		    "From the visit wrap-up: %zu procedure%s; review the lines, then %s saves them.%s",
		    c->from_wrapup, plural(c->from_wrapup), key,
		    c->wrapup_left > 0 ? " More after this save." : "");
	else if (v->nprocedures > 0 && c->npending == 0 && billing_fees() == NULL &&
	         billing_fees_failed() == NULL && *y < bottom)
		ui_putf(win, (*y)++, 1, COLS - 2, UI_DIM, false,
		    "From the visit wrap-up: %zu procedure%s, once the fee schedule is read.",
		    v->nprocedures, plural(v->nprocedures));
	else if (v->nprocedures > 0 && c->npending == 0 && c->dropped_total == 0 && *y < bottom)
		ui_putf(win, (*y)++, 1, COLS - 2, UI_DIM, false,
		    "The visit wrap-up's %zu procedure%s charged.", v->nprocedures,
		    v->nprocedures == 1 ? " is" : "s are");
	if (c->dropped_total > 0 && *y < bottom)
		ui_putf(win, (*y)++, 1, COLS - 2, UI_NORMAL, false,
		    "%zu wrap-up proposal%s dropped: not proposed again while this screen is open.",
		    c->dropped_total, plural(c->dropped_total));
	if (v->procedures_uncoded > 0 && *y < bottom)
		ui_putf(win, (*y)++, 1, COLS - 2, UI_DIM, false,
		    "%zu procedure%s recorded at this visit %s not coded in CPT: charge %s by hand.",
		    v->procedures_uncoded, plural(v->procedures_uncoded),
		    v->procedures_uncoded == 1 ? "is" : "are",
		    v->procedures_uncoded == 1 ? "it" : "them");
	if (v->procedures_total > BILL_PROCEDURES_COUNT && *y < bottom)
		ui_putf(win, (*y)++, 1, COLS - 2, UI_ERROR, false,
		    "The visit has %ld procedures; only the first %d were read.",
		    v->procedures_total, BILL_PROCEDURES_COUNT);
}

static void
charges_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct charges *c = state;
	struct date_time now;
	int y = top + 2, bottom = top + rows;

	if (c->visit.opened.patient == NULL) {
		ui_put(win, top + 1, 2, COLS - 4, c->failed ? c->failed : "Reading the visit's charges...",
		    c->failed ? UI_ERROR : UI_DIM, false);
		return;
	}
	date_time_now(&now);
	ui_banner_draw(win, top, COLS, &c->visit.opened.view, &c->visit.opened.allergies, &now.date);
	ui_putf(win, y++, 1, COLS - 2, UI_NORMAL, false, "Visit %s, %s%s", c->enc.day, c->enc.what,
	    c->visit.account[0] ? "" : "  (no billing account)");
	for (size_t i = 0; i < c->enc.ndiagnoses && y < bottom; i++)
		ui_putf(win, y++, 3, COLS - 4, UI_DIM, false, "%zu  %-8s %s", i + 1,
		    c->enc.diagnoses[i].code, c->enc.diagnoses[i].display);
	if (c->enc.ndiagnoses == 0)
		ui_put(win, y++, 3, COLS - 4, "No ICD-10-CM diagnosis recorded at this visit: type the codes.",
		    UI_DIM, false);
	if (y < bottom)
		draw_left_out(win, &y, &c->enc);
	for (size_t i = 0; i < c->visit.nlines && y < bottom; i++)
		draw_line(win, y++, c->visit.lines[i].status, &c->visit.lines[i]);
	for (size_t i = 0; i < c->visit.unreadable.n && y < bottom; i++)
		ui_put(win, y++, 1, COLS - 2, c->visit.unreadable.v[i], UI_ERROR, false);
	draw_wrapup(app, c, win, &y, bottom);
	for (size_t i = 0; i < c->npending && y < bottom; i++) {
		const struct bill_line *l = &c->pending[i];
		char key[32];

		draw_line(win, y++, c->origin[i] == PROPOSED ? "wrap-up" : "new", l);
		if (l->unit_price.currency[0] != '\0' || y >= bottom)
			continue;
		app_key_for(app, A_NEW, key, sizeof key);
		ui_putf(win, y++, 3, COLS - 4, UI_ERROR, false,
		    "%s has no price in the fee schedule: type the code and its price, then %s.",
		    l->code, key);
	}
	if (c->visit.nlines == 0 && c->npending == 0)
		ui_put(win, y++, 1, COLS - 2, "No charges for this visit yet.", UI_DIM, false);
	if (c->problems_title != NULL && y < bottom) {
		ui_put(win, y++, 1, COLS - 2, c->problems_title, UI_ERROR, false);
		for (size_t i = 0; i < c->problems.n && y < bottom - 1; i++)
			ui_putf(win, y++, 3, COLS - 4, UI_ERROR, false, "- %s", c->problems.v[i]);
	}
	y++;
	if (y < bottom)
		ui_put(win, y++, 1, COLS - 2,
		    wrapup_pending(c)
		        ? "Code: a wrap-up line's code changes that line; another adds a line."
		        : "Code: a code or words of the fee schedule. Price: blank for the schedule's.",
		    UI_DIM, false);
	if (y < bottom)
		ui_put(win, y++, 1, COLS - 2,
		    "Modifiers: up to 4 (25 LT). Diagnoses: 1 to 4, numbers above or ICD-10-CM.",
		    UI_DIM, false);
	if (y < bottom)
		ui_form_draw(&c->form, win, y, bottom - y, COLS);
}

/* The fee the code field names: its code exactly, or the one fee its words find. */
static const struct bill_fee *
fee_of(struct app *app, struct charges *c, const char *text)
{
	const struct bill_fees *fees = billing_fees();
	const struct bill_fee *found[4], *fee;
	size_t n;

	if (fees == NULL) {
		app_error(app, "Not added: %s", billing_fees_failed() ? billing_fees_failed()
		                                                      : "the fee schedule is still being read");
		return NULL;
	}
	if ((fee = bill_fee_by_code(fees, text)) != NULL)
		return fee;
	n = bill_fees_find(fees, text, found, 4);
	if (n == 1 && found[0]->problem == NULL)
		return found[0];
	if (n == 1)
		app_error(app, "Not added: %s", found[0]->problem);
	else if (n == 0)
		app_error(app, "Not added: no code in the fee schedule matches \"%s\"", text);
	else
		app_error(app, "%zu codes match: %s %s, %s %s%s; type more of the code or words", n,
		    found[0]->code, found[0]->display, found[1]->code, found[1]->display,
		    n > 2 ? ", ..." : "");
	ui_form_set_focus(&c->form, F_CODE);
	return NULL;
}

/* Words of TEXT split at blanks and commas, up to MAX of SIZE bytes each; returns how many there were. */
static size_t
split(const char *text, char (*out)[BILL_CODE_SIZE], size_t max, size_t size)
{
	size_t n = 0;

	for (const char *p = text; *p != '\0';) {
		size_t len;

		p += strspn(p, " ,\t");
		len = strcspn(p, " ,\t");
		if (len == 0)
			break;
		if (n < max) {
			size_t k = len < size - 1 ? len : size - 1;

			for (size_t i = 0; i < k; i++)
				out[n][i] = (char)toupper((unsigned char)p[i]);
			out[n][k] = '\0';
		}
		n++;
		p += len;
	}
	return n;
}

/* The pending line from the wrap-up with CODE (any case), or SIZE_MAX: a typed code changes it. */
static size_t
wrapup_line(const struct charges *c, const char *code)
{
	const char *p = code + strspn(code, " ");
	size_t n = strcspn(p, " ");

	for (size_t i = 0; i < c->npending; i++)
		if (c->origin[i] != TYPED && strlen(c->pending[i].code) == n &&
		    strncasecmp(c->pending[i].code, p, n) == 0 && p[n + strspn(p + n, " ")] == '\0')
			return i;
	return SIZE_MAX;
}

/*
 * The form as a line of this visit into L; false with the message shown when it cannot be
 * one. A code of a line from the wrap-up gives that line, changed by what is typed (blank
 * diagnoses keep its pointers), in *REPLACES; any other code must be in the fee schedule.
 */
static bool
form_line(struct app *app, struct charges *c, struct bill_line *l, size_t *replaces)
{
	const struct field_value *qty, *price;
	const struct bill_fee *fee;
	char *code = ui_form_text(&c->form, F_CODE), *reason, *mods, *diags;
	char words[BILL_POINTERS_MAX + 1][BILL_CODE_SIZE], mw[BILL_MODIFIERS_MAX + 1][BILL_CODE_SIZE];
	size_t n;
	char *cause = NULL;

	memset(l, 0, sizeof *l);
	if (!ui_form_valid(&c->form)) {
		app_error(app, "Not added: %s", ui_form_message(&c->form, ui_form_focus(&c->form))
		    ? ui_form_message(&c->form, ui_form_focus(&c->form)) : "a field needs a value");
		free(code);
		return false;
	}
	price = ui_form_value(&c->form, F_PRICE);
	if ((*replaces = wrapup_line(c, code)) != SIZE_MAX) {
		free(code);
		*l = c->pending[*replaces];
		if (l->unit_price.currency[0] == '\0' && (price == NULL || price->empty)) {
			app_error(app, "Not added: %s has no price in the fee schedule: type its price",
			    l->code);
			ui_form_set_focus(&c->form, F_PRICE);
			return false;
		}
	} else {
		if ((fee = fee_of(app, c, code)) == NULL) {
			free(code);
			return false;
		}
		free(code);
		/* The clerk sees which code the words found. */
		ui_form_set_text(&c->form, F_CODE, fee->code, &cause);
		free(cause);
		bill_line_from_fee(l, fee, c->enc.day);
		snprintf(l->patient, sizeof l->patient, "Patient/%.64s", c->patient_id);
		snprintf(l->encounter, sizeof l->encounter, "Encounter/%.64s", c->enc.id);
		snprintf(l->account, sizeof l->account, "%s", c->visit.account);
		snprintf(l->performer, sizeof l->performer, "%s", c->enc.performer);
	}
	qty = ui_form_value(&c->form, F_QUANTITY);
	l->quantity = qty != NULL && !qty->empty ? qty->integer : 1;
	if (price != NULL && !price->empty && *replaces != SIZE_MAX &&
	    (billing_fees() == NULL || bill_fee_by_code(billing_fees(), l->code) == NULL)) {
		/* A wrap-up line without a fee: no price to override, the price typed is its. */
		l->unit_price = price->money;
		l->overridden = false;
	} else if (price != NULL && !price->empty) {
		reason = ui_form_text(&c->form, F_REASON);
		l->overridden = true;
		l->override_price = price->money;
		snprintf(l->override_reason, sizeof l->override_reason, "%s", reason);
		free(reason);
	}
	mods = ui_form_text(&c->form, F_MODIFIERS);
	n = split(mods, mw, BILL_MODIFIERS_MAX, sizeof l->modifiers[0]);
	free(mods);
	l->nmodifiers = n;
	for (size_t i = 0; i < n && i < BILL_MODIFIERS_MAX; i++)
		memcpy(l->modifiers[i], mw[i], sizeof l->modifiers[0]);
	/* A number points at the visit's diagnosis of that number; anything else is a code. */
	diags = ui_form_text(&c->form, F_DIAGNOSES);
	n = split(diags, words, BILL_POINTERS_MAX, BILL_CODE_SIZE);
	free(diags);
	if (n == 0 && *replaces != SIZE_MAX)
		return true;
	l->npointers = n;
	for (size_t i = 0; i < n && i < BILL_POINTERS_MAX; i++) {
		char *end;
		long k = strtol(words[i], &end, 10);

		if (*end == '\0' && k >= 1 && (size_t)k <= c->enc.ndiagnoses)
			snprintf(l->diagnoses[i], sizeof l->diagnoses[i], "%s",
			    c->enc.diagnoses[k - 1].code);
		else
			memcpy(l->diagnoses[i], words[i], BILL_CODE_SIZE);
	}
	return true;
}

static void
reset_form(struct charges *c)
{
	char *cause = NULL;

	for (size_t i = 0; i < F_COUNT; i++) {
		ui_form_set_text(&c->form, i, i == F_QUANTITY ? "1" : NULL, &cause);
		free(cause);
		cause = NULL;
	}
	ui_form_mark_clean(&c->form);
	ui_form_set_focus(&c->form, F_CODE);
}

/*
 * The form's line joins the pending ones (or changes the wrap-up's line of its code),
 * unless the layer finds a problem: then it stays.
 */
static bool
add_form_line(struct app *app, struct charges *c)
{
	struct bill_line l;
	size_t at;

	if (!form_line(app, c, &l, &at))
		return false;
	if (at == SIZE_MAX && c->npending == BILL_LINES_MAX) {
		app_error(app, "Not added: save these %d lines first", BILL_LINES_MAX);
		return false;
	}
	clear_problems(c);
	if (bill_line_check(&l, c->visit.nlines + (at != SIZE_MAX ? at : c->npending) + 1,
	        &c->problems) > 0) {
		set_problems(c, "Not added:");
		app_error(app, "Not added: %s", c->problems.v[0]);
		return false;
	}
	c->generation++;
	if (at != SIZE_MAX) {
		c->pending[at] = l;
		c->origin[at] = REVIEWED;
		reset_form(c);
		app_status(app, "Line %zu changed (%s); save to keep it", at + 1, l.code);
		return true;
	}
	name_line(c, &l);
	c->origin[c->npending] = TYPED;
	c->pending[c->npending++] = l;
	reset_form(c);
	app_status(app, "Line %zu added (%s); save to keep it", c->npending, l.code);
	return true;
}

static int
add_line(struct app *app, void *state)
{
	add_form_line(app, state);
	return APP_REDRAW;
}

/* The pending line CHOSEN dropped: nothing is written; a wrap-up proposal stays dropped. */
static void
line_dropped(struct app *app, void *state, long chosen)
{
	struct charges *c = state;
	char code[BILL_CODE_SIZE];
	size_t i;

	if (chosen < 0) {
		app_status(app, "Nothing dropped");
		return;
	}
	/* A read of the visit may have proposed other lines while the chooser was open. */
	if (c->choosing != c->generation || (size_t)chosen >= c->npending) {
		app_error(app, "Nothing dropped: the pending lines changed meanwhile; drop again");
		return;
	}
	i = (size_t)chosen;
	snprintf(code, sizeof code, "%s", c->pending[i].code);
	if (c->origin[i] != TYPED) {
		if (remember_dropped(c, code) != 0) {
			app_error(app, "Not dropped: this screen holds no more dropped codes; "
			               "leave it and open the visit again");
			return;
		}
		if (c->from_wrapup > 0)
			c->from_wrapup--;
	}
	memmove(&c->pending[i], &c->pending[i + 1], (c->npending - i - 1) * sizeof *c->pending);
	memmove(&c->origin[i], &c->origin[i + 1], (c->npending - i - 1) * sizeof *c->origin);
	/* The others keep their request identifiers: a retry finds what a first try wrote. */
	c->npending--;
	c->generation++;
	clear_problems(c);
	app_status(app, "Line %zu (%s) dropped; nothing was written", i + 1, code);
	app_dirty(app);
}

/* Which pending line to drop, chosen on the status line. */
static int
drop_line(struct app *app, void *state)
{
	struct charges *c = state;
	char *names[BILL_LINES_MAX];

	if (c->npending == 0) {
		app_error(app, "Nothing pending to drop: saved charges stay");
		return APP_REDRAW;
	}
	for (size_t i = 0; i < c->npending; i++)
		names[i] = xasprintf("%zu. %s %s (%s)", i + 1, c->pending[i].code,
		    c->pending[i].display, c->origin[i] == TYPED ? "typed" : "wrap-up");
	c->choosing = c->generation;
	app_choose(app, c, "Drop which pending line?", (const char *const *)names, c->npending, 0,
	    line_dropped);
	for (size_t i = 0; i < c->npending; i++)
		free(names[i]);
	return APP_REDRAW;
}

static void
on_saved(struct app *app, void *state, struct fhir_result *res, unsigned long tag)
{
	struct charges *c = state;
	enum fhir_save outcome = fhir_save_outcome(res);

	(void)tag;
	if (outcome == FHIR_SAVED) {
		size_t n = c->npending;

		c->npending = 0;
		c->generation++;
		clear_problems(c);
		if (app_audit(app, "create", "ChargeItem", NULL) == 0)
			app_status(app, "Saved %zu charge%s.", n, n == 1 ? "" : "s");
		read_visit(app, c);
		return;
	}
	/*
	 * The lines stay, each under its request identifier: saving again, whatever is
	 * dropped meanwhile, writes none twice; a read of the visit settles those it finds.
	 */
	app_error(app, "%s, the lines are kept (save again): %s", fhir_save_name(outcome),
	    res->message ? res->message : "no answer came");
	if (outcome == FHIR_SAVE_UNKNOWN || outcome == FHIR_SAVE_CANCELLED)
		read_visit(app, c);
}

static int
save(struct app *app, void *state)
{
	struct charges *c = state;
	struct fhir_plan *plan;
	char *code = ui_form_text(&c->form, F_CODE);
	bool typed = code[strspn(code, " ")] != '\0';

	free(code);
	/* A line typed and not yet added is part of what the biller means to save. */
	if (typed && !add_form_line(app, c))
		return APP_REDRAW;
	if (c->npending == 0) {
		app_error(app, "Nothing to save: type a code, then add the line");
		return APP_REDRAW;
	}
	clear_problems(c);
	plan = bill_superbill_plan(c->pending, c->npending, &c->problems);
	if (plan == NULL) {
		set_problems(c, "Not saved:");
		app_error(app, "Not saved: %s", c->problems.n ? c->problems.v[0] : "the lines have problems");
		return APP_REDRAW;
	}
	app_request(app, c, &(struct app_request){ .plan = plan, .done = on_saved,
	    .label = "Saving the charges" });
	return APP_REDRAW;
}

static void
on_queued(struct app *app, void *state, struct fhir_result *res, unsigned long tag)
{
	struct charges *c = state;
	enum fhir_save outcome = fhir_save_outcome(res);

	(void)tag;
	if (outcome == FHIR_SAVED) {
		uuid_v4(c->claim_id);
		clear_problems(c);
		if (app_audit(app, "create", "Claim", NULL) == 0)
			app_status(app, "Claim queued: its %zu charge%s are billed.", c->visit.nlines,
			    c->visit.nlines == 1 ? "" : "s");
	} else {
		app_error(app, "Claim %s: %s", fhir_save_name(outcome),
		    res->message ? res->message : "no answer");
	}
	read_visit(app, c);
}

/* Build the claim from the saved charges and the providers' NPIs: list every problem, or queue it. */
static int
claim_build(struct app *app, struct charges *c)
{
	const struct coverage_view *covs[4];
	struct bill_claim_input in = { 0 };
	struct fhir_plan *plan;
	struct date_time now;
	char patient[BILL_REF_SIZE];

	date_time_now(&now);
	if (c->claim_id[0] == '\0')
		uuid_v4(c->claim_id);
	snprintf(patient, sizeof patient, "Patient/%.64s", c->patient_id);
	in.patient = patient;
	in.lines = c->visit.lines;
	in.nlines = c->visit.nlines;
	in.charge_items = c->visit.charge_items;
	in.ncoverages = bill_coverages_on(c->visit.views, c->visit.nviews, c->enc.day, covs, 4);
	in.coverages = covs;
	/* Who bills is the visit's service provider, who rendered it its practitioner. */
	in.billing = c->enc.provider[0] ? c->enc.provider : NULL;
	in.billing_npi = c->parties.billing_npi;
	in.rendering = c->enc.performer[0] ? c->enc.performer : NULL;
	in.rendering_npi = c->parties.rendering_npi;
	in.facility = c->enc.location[0] ? c->enc.location : NULL;
	in.place_of_service = "11";
	in.request_id = c->claim_id;
	clear_problems(c);
	plan = bill_claim_plan(&in, &now.date, &c->problems);
	if (plan == NULL) {
		set_problems(c, "The claim cannot be queued:");
		app_error(app, "The claim has %zu problem%s: fix them, then claim again",
		    c->problems.n, c->problems.n == 1 ? "" : "s");
		return APP_REDRAW;
	}
	app_request(app, c, &(struct app_request){ .plan = plan, .done = on_queued,
	    .label = "Queuing the claim" });
	return APP_REDRAW;
}

static void
on_parties(struct app *app, void *state, struct fhir_result *res, unsigned long tag)
{
	struct charges *c = state;
	char *cause = NULL;

	(void)tag;
	if (res->status != FHIR_OK || bill_parties_result(res->resource, c->enc.provider,
	                                  c->enc.performer, &c->parties, &cause) != 0) {
		app_error(app, "The claim's providers could not be read: %s",
		    cause ? cause : res->message ? res->message : "no answer");
		free(cause);
		return;
	}
	claim_build(app, c);
	app_dirty(app);
}

/* Every charge of the visit is billed: its claim is queued; say which, by its day. */
static void
on_claimed(struct app *app, void *state, struct fhir_result *res, unsigned long tag)
{
	struct charges *c = state;
	char day[BILL_DAY_SIZE] = "";

	(void)tag;
	if (res->status == FHIR_CANCELLED)
		return;
	if (res->status == FHIR_OK)
		bill_visit_claim_day(res->resource, c->patient_id, day);
	app_error(app, "Not claimed again: this visit's claim is already queued (claim of %s)",
	    day[0] ? day : "a day not read");
}

/* The providers' records are read (their NPIs change), then the claim is built. */
static int
claim(struct app *app, void *state)
{
	struct charges *c = state;
	struct fhir_search *q;
	cJSON *batch;

	if (c->npending > 0) {
		app_error(app, "Save the new lines first: the claim is built from saved charges");
		return APP_HANDLED;
	}
	/* A visit claimed already is not claimed twice: its claim is named instead. */
	if (bill_visit_claimed(&c->visit)) {
		q = bill_visit_claims_search(c->patient_id, c->enc.id);
		app_request(app, c, &(struct app_request){ .search = q, .done = on_claimed,
		    .label = "Reading the visit's claim" });
		fhir_search_free(&q);
		return APP_HANDLED;
	}
	batch = bill_parties_batch(c->enc.provider, c->enc.performer);
	if (batch == NULL) {
		memset(&c->parties, 0, sizeof c->parties);
		return claim_build(app, c);
	}
	app_request(app, c, &(struct app_request){ .batch = batch, .done = on_parties,
	    .label = "Reading the claim's providers" });
	cJSON_Delete(batch);
	return APP_HANDLED;
}

static int
reread(struct app *app, void *state)
{
	read_visit(app, state);
	return APP_HANDLED;
}

enum { NEEDS_LOADED = APP_NEEDS_SCREEN };

static const char *
charges_unmet(struct app *app, void *state, unsigned need)
{
	struct charges *c = state;

	(void)app;
	if (need == NEEDS_LOADED && c->visit.opened.patient == NULL)
		return c->failed != NULL ? "the visit could not be read"
		                         : "wait for the visit to be read";
	return NULL;
}

/* Lines the wrap-up proposed and nobody changed are proposed again: nothing is lost. */
static bool
charges_unsaved(struct app *app, void *state)
{
	struct charges *c = state;

	(void)app;
	for (size_t i = 0; i < c->npending; i++)
		if (c->origin[i] != PROPOSED)
			return true;
	return ui_form_dirty(&c->form);
}

/*
 * Esc cancels a running request first (the loop's); then lines added and not saved are
 * said once, and a second Esc leaves without them.
 */
static int
charges_back(struct app *app, void *state)
{
	struct charges *c = state;

	if (app_requests(app, c) > 0 || c->visit.opened.patient == NULL)
		return APP_IGNORED;
	return billing_back_unsaved(app, charges_unsaved(app, c), &c->warned);
}

/* What is typed, added or dropped after the warning is warned about again. */
static void
charges_changed(struct app *app, void *state, enum action a)
{
	struct charges *c = state;

	(void)app;
	(void)a;
	c->warned = false;
}

static struct app_focus
charges_widget(struct app *app, void *state)
{
	struct charges *c = state;

	(void)app;
	return (struct app_focus){ APP_WIDGET_FORM, &c->form };
}

static bool
charges_cursor(struct app *app, void *state, int *y, int *x)
{
	struct charges *c = state;

	(void)app;
	return c->visit.opened.patient != NULL && ui_form_cursor(&c->form, y, x);
}

static const struct screen_action charges_actions[] = {
	{ A_NEW, add_line, NEEDS_LOADED, "add line" },
	{ A_DROP_LINE, drop_line, NEEDS_LOADED | APP_NEEDS_IDLE, "drop line" },
	{ A_SAVE, save, NEEDS_LOADED | APP_NEEDS_IDLE, "save" },
	{ A_CLAIM, claim, NEEDS_LOADED | APP_NEEDS_IDLE, "claim" },
	{ A_REFRESH, reread, APP_NEEDS_IDLE, NULL },
	{ A_BACK, charges_back, 0, NULL },
	{ A_NONE },
};

const struct screen_ops charges_screen = {
	.name = "charges",
	.title = "charges",
	.context = "charges",
	.module = "billing",
	.needs = SCREEN_NEEDS_ONLINE | SCREEN_NEEDS_PATIENT,
	.needs_arg = "open billing and choose the visit first",
	.enter = charges_enter,
	.leave = charges_leave,
	.draw = charges_draw,
	.cursor = charges_cursor,
	.unsaved = charges_unsaved,
	.actions = charges_actions,
	.unmet = charges_unmet,
	.widget = charges_widget,
	.changed = charges_changed,
};

int
billing_open_charges(struct app *app, const struct bill_encounter *encounter)
{
	return app_open(app, &charges_screen, (void *)encounter);
}
