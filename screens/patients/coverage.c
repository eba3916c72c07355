/* A patient's insurance: the Coverages in order, read in one round trip; a form changes them. */
#include "config.h"

#include "screens/patients/patients-private.h"
#include "screens/screens.h"
#include "app/app.h"
#include "fhir/capability.h"
#include "ui/dialog.h"
#include "ui/form.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Coverages moved by one order change. The sandbox (the router) takes at most 8
 * entries in a transaction holding a conditional create; a patient with more
 * plans in force at once than that is not a front desk's everyday case.
 */
#define COVERAGE_MOVES_MAX 7

// clang-format off
/* After "Not saved: ", in one row of 80 columns. */
static const char MSG_CONFLICT[] =
	"someone changed it first; your entries are kept: check, save again";
static const char MSG_CHANGED_SINCE[] =
	"it changed, perhaps by the earlier try; check it, then save again";
static const char MSG_CHECKING[] =
	"The server's copy changed; checking whether the earlier try got through";
// clang-format on

struct cov {
	struct app *app;
	char *read_only; /* why the server takes no Coverage write (its statement), or NULL */
	char *patient_id;
	cJSON *patient; /* for the banner; NULL until read */
	struct patient_opened opened; /* the banner's view and allergies */
	cJSON *coverages; /* the patient's Coverages as read, sorted as listed; NULL until read */
	long total;       /* as many as the server matched */
	struct coverage_payers payers; /* read once, when the screen opens */
	char *payers_failed;           /* why there are none, or NULL */
	char *failed;                  /* why nothing can be shown, or NULL */
	struct ui_list list;
	struct ui_list_column columns[COV_COL_COUNT]; /* the list's, fitted to its rows */
	char *select;                /* the row to put the cursor on when the list is next built */

	/* The form, while open. */
	bool form_open;
	struct field_def defs[COV_F_COUNT];
	struct coverage_payers form_payers; /* the payer field's choices, fixed while it is open */
	struct ui_form form;
	cJSON *base;      /* the Coverage being changed, as last read; NULL: a new one */
	char *request_id; /* a new one's identifier, made when the form opened */
	bool base_gone;   /* the Coverage being changed is no longer on the server */
	bool unsure;      /* a save went out and its answer never came: it may have been done */
	bool asking;      /* "discard the changes?" */
	struct ui_dialog dialog;
};

static void
today(struct date *d)
{
	struct date_time now;

	date_time_now(&now);
	*d = now.date;
}

/* --- the list ------------------------------------------------------------------------- */

static void
need_page(void *owner, unsigned ticket, enum ui_list_dir dir, const char *link)
{
	struct cov *s = owner;

	(void)dir;
	(void)link;
	/* Everything is held at once (COVERAGE_COUNT of them): there is no other page. */
	ui_list_page_failed(&s->list, ticket, "no more coverages");
}

static void
rebuild_list(struct cov *s)
{
	struct date d;
	struct ui_list_page *pg;
	unsigned ticket;
	int i = 0, at = -1;
	const cJSON *c;

	today(&d);
	ticket = ui_list_reset(&s->list);
	/* The columns as wide as their cells need: the payer's name gets the rest. */
	pg = coverage_page(s->coverages, &s->payers, &d, s->columns);
	ui_list_add_page(&s->list, ticket, &pg, 0, NULL, cJSON_GetArraySize(s->coverages), NULL);
	cJSON_ArrayForEach(c, s->coverages)
	{
		if (s->select != NULL && coverage_id(c) != NULL && strcmp(coverage_id(c), s->select) == 0)
			at = i;
		i++;
	}
	for (int k = 0; k < at; k++)
		ui_list_action(&s->list, A_DOWN);
	free(s->select);
	s->select = NULL;
}

/* A search line and one view line per Coverage shown; -1 when the trail cannot be written. */
static int
audit_views(struct app *app, const cJSON *coverages)
{
	const cJSON *c;

	/* The search itself too: an empty answer ("no insurance") is something seen as well. */
	if (app_audit(app, "search", "Coverage", NULL) != 0)
		return -1;
	cJSON_ArrayForEach(c, coverages)
	{
		if (app_audit(app, "view", "Coverage", coverage_id(c)) != 0)
			return -1;
	}
	return 0;
}

/* Show COVERAGES (taken), as read from the server. */
static void
show(struct cov *s, cJSON *coverages, long total)
{
	const char *id = ui_list_selected_id(&s->list);

	if (s->select == NULL && id != NULL && *id != '\0')
		s->select = xstrdup(id);
	if (audit_views(s->app, coverages) != 0) {
		cJSON_Delete(coverages);
		cJSON_Delete(s->coverages);
		s->coverages = NULL;
		free(s->failed);
		s->failed = xstrdup("not shown: the audit trail cannot be written");
		ui_list_clear(&s->list);
		return;
	}
	cJSON_Delete(s->coverages);
	s->coverages = coverages;
	s->total = total;
	free(s->failed);
	s->failed = NULL;
	rebuild_list(s);
}

/* --- the form ------------------------------------------------------------------------- */

static void
close_form(struct cov *s)
{
	if (!s->form_open)
		return;
	ui_form_free(&s->form);
	coverage_payers_free(&s->form_payers);
	cJSON_Delete(s->base);
	s->base = NULL;
	free(s->request_id);
	s->request_id = NULL;
	if (s->asking)
		ui_dialog_free(&s->dialog);
	s->asking = s->form_open = s->base_gone = s->unsure = false;
	app_dirty(s->app);
}

/* Read the form into IN; false when a field does not parse (ui_form_valid has said which). */
static bool
form_input(struct cov *s, struct coverage_input *in, char **texts)
{
	const struct field_value *v;

	memset(in, 0, sizeof *in);
	if ((v = ui_form_value(&s->form, COV_F_PAYER)) == NULL || v->empty)
		return false;
	in->payer_reference = v->code->code;
	in->payer_name = v->code->display;
	if ((v = ui_form_value(&s->form, COV_F_MEMBER)) == NULL || v->empty)
		return false;
	in->member = texts[0] = xstrdup(v->text);
	if ((v = ui_form_value(&s->form, COV_F_GROUP)) == NULL)
		return false;
	in->group = texts[1] = v->empty ? NULL : xstrdup(v->text);
	if ((v = ui_form_value(&s->form, COV_F_RELATION)) == NULL)
		return false;
	in->relationship = v->empty ? NULL : v->code->code;
	if ((v = ui_form_value(&s->form, COV_F_START)) == NULL)
		return false;
	if ((in->has_start = !v->empty))
		in->start = v->date;
	if ((v = ui_form_value(&s->form, COV_F_END)) == NULL)
		return false;
	if ((in->has_end = !v->empty))
		in->end = v->date;
	if ((v = ui_form_value(&s->form, COV_F_ORDER)) == NULL)
		return false;
	in->order = v->empty ? 0 : v->integer;
	return true;
}

static void
open_form(struct cov *s, const cJSON *coverage)
{
	char *texts[COV_F_COUNT], *said = NULL;
	struct date d;
	struct coverage_view v;

	if (coverage == NULL && s->payers.n == 0) {
		app_error(s->app, "A coverage cannot be added: %s",
		    s->payers_failed ? s->payers_failed : "there is no payer to choose");
		return;
	}
	today(&d);
	/* The payer field's choices: the server's payers, and the one this coverage has. */
	coverage_payers_copy(&s->form_payers, &s->payers);
	coverage_view_read(coverage, &d, &v);
	coverage_payers_add(&s->form_payers, v.payer_reference, v.payer_display);
	coverage_view_clear(&v);
	memcpy(s->defs, coverage_fields, sizeof s->defs);
	s->defs[COV_F_PAYER].codes = s->form_payers.codes;
	s->defs[COV_F_PAYER].ncodes = s->form_payers.n;
	ui_form_init(&s->form, s->defs, COV_F_COUNT);
	coverage_form_texts(coverage, coverage_next_order(s->coverages, &d), texts);
	for (size_t i = 0; i < COV_F_COUNT; i++) {
		char *cause = NULL;

		/* An empty field is left alone: a new form does not open full of "is required". */
		if (*texts[i] != '\0' && ui_form_set_text(&s->form, i, texts[i], &cause) != 0 &&
		    said == NULL)
			said = cause;
		else
			free(cause);
		free(texts[i]);
	}
	ui_form_mark_clean(&s->form);
	s->base = coverage != NULL ? cJSON_Duplicate(coverage, true) : NULL;
	s->request_id = coverage == NULL ? coverage_request_id() : NULL;
	s->form_open = true;
	s->base_gone = s->unsure = s->asking = false;
	if (coverage != NULL)
		ui_form_set_focus(&s->form, COV_F_MEMBER);
	if (said != NULL)
		app_error(s->app, "%s", said);
	free(said);
}

/*
 * After a reload with the form open: the form's coverage as the server has it now,
 * and whether anything is left to save. A new one whose create reached the server
 * (its answer lost) is found by its request identifier and becomes the one changed.
 */
static void
form_reloaded(struct cov *s)
{
	const cJSON *fresh;
	struct coverage_input in;
	char *texts[2] = {NULL, NULL};
	cJSON *applied;

	if (s->base != NULL)
		fresh = coverage_find(s->coverages, coverage_id(s->base));
	else
		fresh = coverage_find_request(s->coverages, s->request_id);
	if (fresh == NULL) {
		if (s->base != NULL) {
			s->base_gone = true;
			ui_form_set_not_saved(&s->form,
			    "this coverage is no longer on the server; leave the form");
		}
		return;
	}
	if (s->base == NULL)
		app_status(
		    s->app, "The new coverage had reached the server: saving now changes it");
	cJSON_Delete(s->base);
	s->base = cJSON_Duplicate(fresh, true);
	if (!form_input(s, &in, texts)) {
		free(texts[0]);
		free(texts[1]);
		return;
	}
	applied = coverage_apply(s->base, &in, s->patient_id, s->request_id);
	if (coverage_same(applied, s->base)) {
		/* What the clerk asked for is what the server holds: an earlier try got through. */
		char *what = coverage_describe(s->base, &s->payers);

		s->select = xstrdup(coverage_id(s->base));
		app_status(s->app, "Saved: %s (the server already had these entries)", what);
		free(what);
		close_form(s);
		rebuild_list(s);
	}
	cJSON_Delete(applied);
	free(texts[0]);
	free(texts[1]);
}

/* --- requests ------------------------------------------------------------------------- */

static void reload(struct cov *s, bool then_save);
static int save(struct app *app, struct cov *s);

static void
on_opened(struct app *app, void *state, struct fhir_result *res, unsigned long tag)
{
	struct cov *s = state;
	struct coverage_loaded got;
	struct date d;
	char *cause = NULL;

	(void)tag;
	today(&d);
	if (res->status != FHIR_OK || coverage_open_result(res->resource, s->patient_id, &d, &got, &cause) != 0) {
		free(s->failed);
		s->failed = cause != NULL ? cause
		    : res->status == FHIR_CANCELLED ? xstrdup("Not read: cancelled")
		    : xstrdup(res->message ? res->message : "the insurance could not be read");
		app_error(app, "%s", s->failed);
		return;
	}
	cJSON_Delete(s->patient);
	patient_opened_clear(&s->opened);
	s->opened = got.opened;
	s->patient = s->opened.patient;
	s->opened.patient = NULL;
	coverage_payers_free(&s->payers);
	coverage_payers_from(&s->payers, &got.payers);
	coverage_payer_list_free(&got.payers);
	free(s->payers_failed);
	s->payers_failed = got.payers_failed;
	show(s, got.coverages, got.total);
}

/* TAG 1: the reload before retrying a save that may have got through; the save follows. */
static void
on_reloaded(struct app *app, void *state, struct fhir_result *res, unsigned long then_save)
{
	struct cov *s = state;
	struct date d;
	cJSON *got;
	long total;

	if (res->status != FHIR_OK) {
		if (then_save) {
			s->unsure = true;
			ui_form_set_not_saved(&s->form, "the server's copy could not be read; save to try again");
		}
		app_error(app, "The insurance could not be reloaded: %s",
		    res->status == FHIR_CANCELLED ? "cancelled" : res->message ? res->message : "no answer");
		return;
	}
	today(&d);
	/* The total is known once the list is taken: not in the same call's arguments. */
	got = coverage_take(res->resource, s->patient_id, &d, &total);
	show(s, got, total);
	if (s->form_open && s->coverages != NULL)
		form_reloaded(s);
	/* Not there yet (or changed since): the save goes out now, guarded as ever. */
	if (then_save && s->form_open && !s->base_gone)
		save(app, s);
}

static void
open_request(struct cov *s)
{
	cJSON *batch = coverage_open_batch(app_fhir(s->app), s->patient_id);

	app_request(s->app, s, &(struct app_request){ .batch = batch, .done = on_opened,
	    .slot = "coverage-open", .label = "Reading the insurance" });
	cJSON_Delete(batch);
}

/* The Coverages again (the banner and payers stay as read); all of it when nothing was. */
static void
reload(struct cov *s, bool then_save)
{
	struct fhir_search *q;

	if (s->patient == NULL) {
		open_request(s);
		return;
	}
	q = coverage_search(s->patient_id);
	app_request(s->app, s, &(struct app_request){ .search = q, .done = on_reloaded,
	    .tag = then_save, .slot = "coverage-reload", .label = "Reloading the insurance" });
	fhir_search_free(&q);
}

static void
on_saved(struct app *app, void *state, struct fhir_result *res, unsigned long moves)
{
	struct cov *s = state;
	bool created = s->base == NULL;
	enum fhir_save outcome = fhir_save_outcome(res);
	char *what = NULL, *why;
	cJSON *got[COVERAGE_MOVES_MAX + 1];
	int n;
	struct date d;

	if (outcome == FHIR_SAVED) {
		/* One answer shape for every save: the plan's transaction-response. */
		n = coverage_saved(res->resource, got, COVERAGE_MOVES_MAX + 1);
		for (int i = 0; i < n && i <= COVERAGE_MOVES_MAX; i++)
			app_audit(s->app, i == 0 && created ? "create" : "update", "Coverage",
			    coverage_id(got[i]));
		/* A server that answered without the resources: read them. */
		if (n < 0 || n > COVERAGE_MOVES_MAX + 1 || s->coverages == NULL) {
			for (int i = 0; i < n && i <= COVERAGE_MOVES_MAX; i++)
				cJSON_Delete(got[i]);
			close_form(s);
			reload(s, false);
			app_status(app, "Saved");
			return;
		}
		what = coverage_describe(got[0], &s->payers);
		free(s->select);
		s->select = xstrdup(coverage_id(got[0]));
		for (int i = 0; i < n; i++)
			coverage_put(s->coverages, got[i]);
		today(&d);
		coverage_sort(s->coverages, &d);
		close_form(s);
		rebuild_list(s);
		if (moves > 0)
			app_status(app, "Saved: %lu coverages in one transaction; %s", moves + 1, what);
		else
			app_status(app, "Saved: %s", what);
		free(what);
		return;
	}
	if (!s->form_open)
		return;
	if (outcome == FHIR_SAVE_CONFLICT) {
		if (s->unsure) {
			/* Most likely the try whose answer was lost: the reload tells. */
			ui_form_set_not_saved(&s->form, MSG_CHANGED_SINCE);
			app_status(app, "%s", MSG_CHECKING);
		} else {
			ui_form_set_not_saved(&s->form, MSG_CONFLICT);
			app_error(app, "Not saved: someone changed this insurance first; reloading");
		}
		reload(s, false);
		return;
	}
	/* Unknown or cancelled: perhaps done; the next save reads the server first. */
	if (outcome == FHIR_SAVE_UNKNOWN || outcome == FHIR_SAVE_CANCELLED)
		s->unsure = true;
	why = patients_outcome(res, "Not saved");
	ui_form_set_failed(&s->form, why);
	app_error(app, "%s", why);
	free(why);
}

static int
save(struct app *app, struct cov *s)
{
	struct coverage_input in;
	char *texts[2] = {NULL, NULL};
	cJSON *saved, *moved[COVERAGE_MOVES_MAX];
	size_t n = 0;
	struct fhir_plan *plan;

	if (s->base_gone) {
		app_error(app, "This coverage is no longer on the server; leave the form");
		return APP_HANDLED;
	}
	if (!ui_form_valid(&s->form) || !form_input(s, &in, texts)) {
		free(texts[0]);
		free(texts[1]);
		app_error(app, "Not saved: check the field marked");
		return APP_REDRAW;
	}
	if (in.has_start && in.has_end && date_compare(&in.end, &in.start) < 0) {
		free(texts[0]);
		free(texts[1]);
		ui_form_set_focus(&s->form, COV_F_END);
		ui_form_set_not_saved(&s->form, "the coverage cannot end before it starts");
		app_error(app, "Not saved: the coverage cannot end before it starts");
		return APP_REDRAW;
	}
	if (s->unsure) {
		/* The last try may have reached the server: what it holds decides, then the save. */
		free(texts[0]);
		free(texts[1]);
		s->unsure = false;
		app_status(app, "Checking whether the earlier try got through");
		reload(s, true);
		return APP_REDRAW;
	}
	ui_form_set_not_saved(&s->form, NULL);
	saved = coverage_apply(s->base, &in, s->patient_id, s->request_id);
	free(texts[0]);
	free(texts[1]);
	if (s->base != NULL && coverage_same(saved, s->base)) {
		cJSON_Delete(saved);
		close_form(s);
		app_status(app, "Nothing to save: no entry was changed");
		return APP_REDRAW;
	}
	n = coverage_order_moves(s->coverages, saved, s->base, moved, COVERAGE_MOVES_MAX);
	if (n > COVERAGE_MOVES_MAX) {
		for (size_t i = 0; i < COVERAGE_MOVES_MAX; i++)
			cJSON_Delete(moved[i]);
		cJSON_Delete(saved);
		app_error(
		    app, "Not saved: that order moves %zu other coverages; choose another", n);
		return APP_REDRAW;
	}
	/* Every save is a plan: If-Match and the request identifier are the plan's. */
	plan = coverage_plan(s->coverages, saved, s->base, s->request_id, moved, n);
	for (size_t i = 0; i < n; i++)
		cJSON_Delete(moved[i]);
	cJSON_Delete(saved);
	if (plan == NULL) {
		app_error(app, "Not saved: a coverage to change has no version; reload first");
		return APP_REDRAW;
	}
	app_request(app, s, &(struct app_request){ .plan = plan, .done = on_saved, .tag = n,
	    .slot = "coverage-save",
	    .label = n > 0 ? "Saving the coverage and the order"
		: s->base != NULL ? "Saving the coverage" : "Saving the new coverage" });
	return APP_REDRAW;
}

/* --- the screen ----------------------------------------------------------------------- */

static void *
coverage_enter(struct app *app, void *arg)
{
	struct cov *s = xcalloc(1, sizeof *s);
	const char *id = patient_id_of(app_patient(app));

	(void)arg;
	s->app = app;
	{
		char *why = NULL;

		if (!fhir_caps_offers(app_caps(app), "Coverage", FHIR_CREATE | FHIR_UPDATE, &why))
			s->read_only = xasprintf("the insurance is read-only here: %s", why);
		free(why);
	}
	memcpy(s->columns, coverage_columns, sizeof s->columns);
	ui_list_init(&s->list, s->columns, COV_COL_COUNT, need_page, s);
	ui_list_set_empty_message(&s->list, "No coverage on file (self-pay, or not recorded yet).");
	s->patient_id = xstrdup(id != NULL ? id : "");
	if (!fhir_valid_id(s->patient_id)) {
		s->failed = xstrdup("the current patient has no usable id");
		return s;
	}
	open_request(s);
	return s;
}

static void
coverage_leave(struct app *app, void *state)
{
	struct cov *s = state;

	(void)app;
	close_form(s);
	free(s->read_only);
	ui_list_free(&s->list);
	coverage_payers_free(&s->payers);
	cJSON_Delete(s->patient);
	patient_opened_clear(&s->opened);
	cJSON_Delete(s->coverages);
	free(s->payers_failed);
	free(s->failed);
	free(s->select);
	free(s->patient_id);
	free(s);
}

static void
coverage_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct cov *s = state;
	struct date d;

	(void)app;
	if (s->patient == NULL || s->coverages == NULL) {
		if (s->patient != NULL) {
			today(&d);
			ui_banner_draw(win, top, COLS, &s->opened.view, &s->opened.allergies, &d);
		}
		ui_put(win, top + 2, 2, COLS - 4,
		    s->failed ? s->failed : "Reading the insurance...",
		    s->failed ? UI_ERROR : UI_DIM, false);
		return;
	}
	today(&d);
	ui_banner_draw(win, top, COLS, &s->opened.view, &s->opened.allergies, &d);
	if (s->form_open) {
		char *what = s->base != NULL ? coverage_describe(s->base, &s->payers) : NULL;

		if (what != NULL)
			ui_putf(win, top + 2, 1, COLS - 2, UI_NORMAL, false,
			    "Change the coverage: %s", what);
		else
			ui_put(win, top + 2, 1, COLS - 2, "Add a coverage", UI_NORMAL, false);
		free(what);
		ui_form_draw(&s->form, win, top + 4, rows - 4, COLS);
		if (s->asking)
			ui_dialog_draw(&s->dialog, win, top, rows, COLS);
		return;
	}
	ui_list_draw(&s->list, win, top + 2, rows - 3, COLS);
	if (s->payers_failed != NULL)
		ui_putf(win, top + rows - 1, 1, COLS - 2, UI_ERROR, false, "No payer list: %s",
		    s->payers_failed);
	else if (s->total > cJSON_GetArraySize(s->coverages))
		ui_putf(win, top + rows - 1, 1, COLS - 2, UI_DIM, false,
		    "Showing %d of %ld coverages.", cJSON_GetArraySize(s->coverages), s->total);
	else
		ui_put(win, top + rows - 1, 1, COLS - 2,
		    "Order 1 is primary; those in force are listed first.", UI_DIM, false);
}

/* The coverage on the row, or NULL with the reason in *WHY. */
static const cJSON *
row_coverage(struct cov *s, const char **why)
{
	const char *id = ui_list_selected_id(&s->list);
	const cJSON *c = id != NULL ? coverage_find(s->coverages, id) : NULL;

	*why = c == NULL ? "choose a coverage from the list first" : NULL;
	return c;
}

static int
cov_reload(struct app *app, void *state)
{
	(void)app;
	reload(state, false);
	return APP_REDRAW;
}

static int
cov_add(struct app *app, void *state)
{
	(void)app;
	open_form(state, NULL);
	return APP_REDRAW;
}

static int
cov_change(struct app *app, void *state)
{
	struct cov *s = state;
	const char *why;
	const cJSON *c = row_coverage(s, &why);

	if (c == NULL) {
		app_error(app, "change: %s", why);
		return APP_HANDLED;
	}
	open_form(s, c);
	return APP_REDRAW;
}

/* Enter: change the coverage on the row; in the form, the next field; in a question, the dialog's. */
static int
cov_select(struct app *app, void *state)
{
	struct cov *s = state;

	if (s->asking)
		return APP_IGNORED;
	if (s->form_open)
		return ui_form_action(&s->form, A_NEXT_FIELD) ? APP_REDRAW : APP_HANDLED;
	if (s->coverages == NULL)
		return APP_HANDLED;
	return cov_change(app, s);
}

static int
cov_save(struct app *app, void *state)
{
	return save(app, state);
}

static int
cov_back(struct app *app, void *state)
{
	struct cov *s = state;

	/* No form: the screen leaves; a question is the dialog's; a save in flight, the loop cancels. */
	if (!s->form_open || s->asking || app_requests(app, s) > 0)
		return APP_IGNORED;
	if (!ui_form_dirty(&s->form)) {
		close_form(s);
		return APP_REDRAW;
	}
	ui_dialog_init(&s->dialog, "Discard the changes to this coverage?", false);
	s->asking = true;
	return APP_REDRAW;
}

enum {
	NEEDS_LOADED = APP_NEEDS_SCREEN,    /* the coverages read */
	NEEDS_LIST = APP_NEEDS_SCREEN << 1, /* no form open */
	NEEDS_FORM = APP_NEEDS_SCREEN << 2, /* a form open, no question asked */
	NEEDS_ROW = APP_NEEDS_SCREEN << 3,  /* a coverage on the row */
	NEEDS_WRITABLE = APP_NEEDS_SCREEN << 4, /* the server takes Coverage writes */
};

static const char *
coverage_unmet(struct app *app, void *state, unsigned need)
{
	struct cov *s = state;
	const char *why = NULL;

	(void)app;
	/* A write the server does not offer is refused with its reason, never sent. */
	if (need == NEEDS_WRITABLE && s->read_only != NULL)
		return s->read_only;
	if (need == NEEDS_LOADED && s->coverages == NULL)
		return s->failed != NULL ? "the insurance could not be read" : "wait for the insurance to be read";
	if (need == NEEDS_LIST && s->form_open)
		return "save the form or leave it first";
	if (need == NEEDS_FORM && (!s->form_open || s->asking))
		return s->asking ? "answer the question first" : "add or change a coverage first";
	if (need == NEEDS_ROW && s->coverages != NULL)
		row_coverage(s, &why);
	return why;
}

static struct app_focus
coverage_widget(struct app *app, void *state)
{
	struct cov *s = state;

	(void)app;
	if (s->form_open && s->asking)
		return (struct app_focus){ APP_WIDGET_DIALOG, &s->dialog };
	if (s->form_open)
		return (struct app_focus){ APP_WIDGET_FORM, &s->form };
	return (struct app_focus){ APP_WIDGET_LIST, &s->list };
}

/* "Discard the changes?" answered. */
static void
coverage_changed(struct app *app, void *state, enum action a)
{
	struct cov *s = state;

	(void)a;
	if (!s->asking || ui_dialog_answer(&s->dialog) == UI_DIALOG_ASKING)
		return;
	if (ui_dialog_answer(&s->dialog) == UI_DIALOG_YES) {
		close_form(s);
		app_status(app, "Changes discarded");
		return;
	}
	ui_dialog_free(&s->dialog);
	s->asking = false;
}

static bool
coverage_cursor(struct app *app, void *state, int *y, int *x)
{
	struct cov *s = state;

	(void)app;
	return s->form_open && !s->asking && ui_form_cursor(&s->form, y, x);
}

static bool
coverage_unsaved(struct app *app, void *state)
{
	struct cov *s = state;

	(void)app;
	return s->form_open && (ui_form_dirty(&s->form) || s->unsure);
}

static const struct screen_action coverage_actions[] = {
	{ A_NEW, cov_add, APP_NEEDS_IDLE | NEEDS_LOADED | NEEDS_LIST | NEEDS_WRITABLE, "add" },
	{ A_EDIT, cov_change, APP_NEEDS_IDLE | NEEDS_LOADED | NEEDS_LIST | NEEDS_ROW | NEEDS_WRITABLE,
	    "change" },
	{ A_SELECT, cov_select, APP_NEEDS_IDLE, NULL },
	{ A_REFRESH, cov_reload, APP_NEEDS_IDLE | NEEDS_LIST, "reload" },
	{ A_SAVE, cov_save, APP_NEEDS_IDLE | NEEDS_FORM, "save" },
	{ A_RETRY, cov_save, APP_NEEDS_IDLE | NEEDS_FORM, NULL },
	{ A_BACK, cov_back, 0, NULL },
	{ A_NONE },
};

const struct screen_ops coverage_screen = {
	.name = "coverage",
	.title = "insurance",
	.context = "coverage",
	.module = "patients",
	.needs = SCREEN_NEEDS_ONLINE | SCREEN_NEEDS_PATIENT,
	.enter = coverage_enter,
	.leave = coverage_leave,
	.draw = coverage_draw,
	.cursor = coverage_cursor,
	.unsaved = coverage_unsaved,
	.actions = coverage_actions,
	.unmet = coverage_unmet,
	.widget = coverage_widget,
	.changed = coverage_changed,
};

int
patients_open_coverage(struct app *app)
{
	return app_open(app, &coverage_screen, NULL);
}
