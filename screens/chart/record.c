/*
 * Writing a chart list (allergies, problems): the active entries on top, a form that
 * adds one, and taking one off; one screen shape for both kinds, each with its fields
 * and its own add.
 */
#include "config.h"

#include "screens/chart/chart-private.h"
#include "screens/screens.h"
#include "app/app.h"
#include "fhir/allergy.h"
#include "fhir/plan.h"
#include "fhir/problem.h"
#include "fhir/record.h"
#include "ui/dialog.h"
#include "ui/form.h"
#include "ui/ui.h"
#include "util/uuid.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- the fields of each kind --------------------------------------------------------- */

enum { A_SUBSTANCE, A_CATEGORY, A_CRITICALITY, A_REACTION, A_FIELDS };
enum { P_TEXT, P_ICD10CM, P_ONSET, P_FIELDS };

static const struct field_code categories[] = {
	{ "food", "food" }, { "medication", "medication" },
	{ "environment", "environment" }, { "biologic", "biologic" },
};
static const struct field_code criticalities[] = {
	{ "low", "low" }, { "high", "high" }, { "unable-to-assess", "unable to assess" },
};

// clang-format off
static const struct field_def allergy_fields[A_FIELDS] = {
	[A_SUBSTANCE]   = { .label = "Substance", .type = FIELD_TEXT, .max_chars = 80 },
	[A_CATEGORY]    = { .label = "Category", .type = FIELD_CODE, .codes = categories,
			    .ncodes = sizeof categories / sizeof categories[0] },
	[A_CRITICALITY] = { .label = "Criticality", .type = FIELD_CODE, .codes = criticalities,
			    .ncodes = sizeof criticalities / sizeof criticalities[0] },
	[A_REACTION]    = { .label = "Reaction", .type = FIELD_TEXT, .max_chars = 80 },
};
static const struct field_def problem_fields[P_FIELDS] = {
	[P_TEXT]    = { .label = "Problem", .type = FIELD_TEXT, .max_chars = 80 },
	[P_ICD10CM] = { .label = "ICD-10-CM", .type = FIELD_TEXT, .max_chars = 8,
			.pattern = "[A-Za-z][0-9][0-9A-Za-z](\\.[0-9A-Za-z]{1,4})?",
			.pattern_hint = "a code such as E11.9, or blank for uncoded" },
	[P_ONSET]   = { .label = "Onset", .type = FIELD_DATE, .when = FIELD_NOT_FUTURE },
};
// clang-format on

/* What the one question or save in flight is about. */
enum change { ADDING, NONE_KNOWN, RETIRING };

struct record_form {
	enum record_kind kind;
	char *id; /* the patient's */
	struct chart_banner banner;
	struct record_list active;
	bool loaded;  /* ACTIVE is the server's answer */
	char *failed; /* why it is not, or NULL */
	struct ui_form form;
	struct ui_dialog dialog;
	bool asking, warned, unsure;
	enum change change; /* of the question, then of the save */
	size_t retiring;    /* the entry chosen to take off */
	char *saved_what;   /* what the save in flight does, for the status line */
	char request_id[UUID_BUF_SIZE];
};

static const char *
plural(const struct record_form *f)
{
	return f->kind == RECORD_ALLERGY ? "allergies" : "problems";
}

static void
clear_form(struct record_form *f)
{
	for (size_t i = 0; i < f->form.n; i++) {
		char *cause = NULL;

		ui_form_set_text(&f->form, i, NULL, &cause);
		free(cause);
	}
	ui_form_mark_clean(&f->form);
	ui_form_set_not_saved(&f->form, NULL);
	/* The next entry starts where the first did. */
	ui_form_set_focus(&f->form, 0);
}

static void
on_list(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct record_form *f = state;
	char *cause = NULL;

	(void)tag;
	record_list_clear(&f->active);
	f->loaded = false;
	free(f->failed);
	f->failed = NULL;
	if (r->status != FHIR_OK ||
	    record_list_read(f->kind, r->resource, f->id, &f->active, &cause) != 0) {
		f->failed = cause != NULL ? cause
		    : xstrdup(r->status == FHIR_CANCELLED ? "cancelled"
			      : r->message != NULL ? r->message : "no answer");
		app_error(app, "The active %s could not be read: %s", plural(f), f->failed);
		return;
	}
	f->loaded = true;
	/* A save whose answer was lost is settled by the list: its request id is there or not. */
	if (f->unsure && f->change == ADDING && record_list_has_request(&f->active, f->request_id)) {
		f->unsure = false;
		clear_form(f);
		uuid_v4(f->request_id);
		app_status(app, "%s for %s (found on the server after the answer was lost).",
		    f->saved_what, f->banner.view.name);
	}
	/* The banner follows what was just read: an allergy added here is on it at once. */
	if (f->kind == RECORD_ALLERGY) {
		patient_allergies_clear(&f->banner.allergies);
		patient_allergies_read(r->resource, f->id, &f->banner.allergies);
	}
	if (app_audit(app, "view", record_type(f->kind), f->id) != 0)
		app_error(app, "Not shown: the audit trail cannot be written");
	app_dirty(app);
}

static void
read_list(struct app *app, struct record_form *f)
{
	struct fhir_search *s = record_active_search(f->kind, f->id);

	app_request(app, f, &(struct app_request){ .search = s, .done = on_list,
	    .slot = "record-list", .label = "Reading the active list" });
	fhir_search_free(&s);
}

static struct record_form *
record_enter(struct app *app, const struct chart_list_arg *in, enum record_kind kind)
{
	struct record_form *f = xcalloc(1, sizeof *f);

	f->kind = kind;
	f->id = xstrdup(in->id);
	chart_banner_take(&f->banner, in);
	if (kind == RECORD_ALLERGY)
		ui_form_init(&f->form, allergy_fields, A_FIELDS);
	else
		ui_form_init(&f->form, problem_fields, P_FIELDS);
	ui_dialog_init(&f->dialog, "", false);
	uuid_v4(f->request_id);
	read_list(app, f);
	return f;
}

static void *
allergy_enter(struct app *app, void *arg)
{
	return record_enter(app, arg, RECORD_ALLERGY);
}

static void *
problem_enter(struct app *app, void *arg)
{
	return record_enter(app, arg, RECORD_PROBLEM);
}

static void
record_leave(struct app *app, void *state)
{
	struct record_form *f = state;

	(void)app;
	ui_form_free(&f->form);
	ui_dialog_free(&f->dialog);
	record_list_clear(&f->active);
	chart_banner_clear(&f->banner);
	free(f->failed);
	free(f->saved_what);
	free(f->id);
	free(f);
}

static void
record_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct record_form *f = state;
	int y = top + 3;
	size_t shown = 0, lines;

	(void)app;
	chart_banner_draw(&f->banner, win, top);
	/* Every free row first; the last one counts what does not fit. */
	lines = (size_t)chart_lines_above_form(top, rows, y, f->form.n);
	if (f->active.n + f->active.more > lines)
		lines--;
	ui_putf(win, top + 2, 0, COLS, UI_TITLE, true, "%s of %s, active now:",
	    f->kind == RECORD_ALLERGY ? "Allergies" : "Problems", f->banner.view.name);
	if (!f->loaded)
		ui_putf(win, y++, 2, COLS - 2, f->failed ? UI_ERROR : UI_NORMAL, true, "%s%s",
		    f->failed ? "Not read: " : "Reading...", f->failed ? f->failed : "");
	else if (f->active.n == 0)
		ui_putf(win, y++, 2, COLS - 2, UI_NORMAL, true, "None recorded.");
	/* Allergies in the list's order: high criticality first (allergy_order). */
	for (size_t i = 0; f->loaded && i < f->active.n && shown < lines; i++, shown++) {
		const struct record_entry *e = &f->active.items[i];
		bool high = f->kind == RECORD_ALLERGY && allergy_rank(e->detail) == 0;
		const char *detail = *e->detail ? e->detail
			: f->kind == RECORD_ALLERGY ? "criticality not recorded" : "";

		if (e->no_known)
			ui_putf(win, y++, 2, COLS - 2, UI_NORMAL, true, "%zu. %s", i + 1, e->what);
		else
			ui_putf(win, y++, 2, COLS - 2, high ? UI_ERROR : UI_NORMAL, true,
			    "%zu. %s (%s)", i + 1, e->what, detail);
	}
	if (f->loaded && f->active.n + f->active.more > shown)
		ui_putf(win, y++, 2, COLS - 2, UI_NORMAL, true, "(+%zu more)",
		    f->active.n + f->active.more - shown);
	ui_putf(win, ++y, 0, COLS, UI_TITLE, true, "%s",
	    f->kind == RECORD_ALLERGY ? "Add an allergy (the substance is stored as typed, uncoded):"
				      : "Add a problem (without a code it is marked uncoded):");
	ui_form_draw(&f->form, win, y + 1, top + rows - y - 1, COLS);
	if (f->asking)
		ui_dialog_draw(&f->dialog, win, top + 3, rows - 4, COLS);
}

static void
on_saved(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct record_form *f = state;
	enum fhir_save outcome = fhir_save_outcome(r);

	(void)tag;
	if (outcome == FHIR_SAVED) {
		f->unsure = false;
		if (f->change == ADDING)
			clear_form(f);
		uuid_v4(f->request_id);
		if (app_audit(app, f->change == RETIRING ? "update" : "create", record_type(f->kind),
			f->id) == 0)
			app_status(app, "%s for %s.", f->saved_what, f->banner.view.name);
		read_list(app, f);
		return;
	}
	if (f->change == ADDING)
		ui_form_set_not_saved(&f->form, r->message ? r->message : fhir_save_name(outcome));
	if (chart_save_failed(app, r, "the list changed meanwhile; it is read again, try again",
		&f->unsure))
		read_list(app, f);
}

bool
chart_save_failed(struct app *app, const struct fhir_result *r, const char *conflict,
    bool *unsure)
{
	enum fhir_save outcome = fhir_save_outcome(r);

	/* Kept under the same request identifier: saving again writes nothing twice. */
	*unsure = outcome == FHIR_SAVE_UNKNOWN || outcome == FHIR_SAVE_CANCELLED;
	app_error(app, "%s: %s", fhir_save_name(outcome),
	    outcome == FHIR_SAVE_CONFLICT ? conflict
	    : r->message ? r->message : "no answer came");
	/* A conflict or an unknown outcome: what the server holds now decides the next try. */
	return outcome != FHIR_NOT_SAVED;
}

static void
start_save(struct app *app, struct record_form *f, struct fhir_plan *plan, enum change change,
    char *what)
{
	f->change = change;
	free(f->saved_what);
	f->saved_what = what;
	app_request(app, f, &(struct app_request){ .plan = plan, .done = on_saved,
	    .label = "Saving" });
}

bool
chart_same_patient(struct app *app, const char *id, const char *name)
{
	const char *now = fhir_id_of(app_patient(app));

	if (now == NULL || strcmp(now, id) == 0)
		return true;
	app_error(app, "Not saved: the patient changed since this form was opened; go back to "
		       "%s's chart", name);
	return false;
}

/* The form is this patient's: if the app moved to another meanwhile, a save here would misfile it. */
static bool
same_patient(struct app *app, struct record_form *f)
{
	return chart_same_patient(app, f->id, f->banner.view.name);
}

static void
today(char *buf, size_t size)
{
	struct date_time now;

	date_time_now(&now);
	date_format_iso(&now.date, buf, size);
}

static const char *
code_of(struct ui_form *form, size_t i)
{
	const struct field_value *v = ui_form_value(form, i);

	return v != NULL && !v->empty ? v->code->code : NULL;
}

/* The kind's add from the form: a plan, or NULL with *CAUSE (and *DUPLICATE for a question). */
static struct fhir_plan *
plan_add(struct record_form *f, bool anyway, bool *duplicate, char **what, char **cause)
{
	char day[16], onset[16] = "";
	char *text = ui_form_text(&f->form, 0), *more = ui_form_text(&f->form,
	    f->kind == RECORD_ALLERGY ? A_REACTION : P_ICD10CM);
	struct fhir_plan *p;

	today(day, sizeof day);
	*duplicate = false;
	if (f->kind == RECORD_ALLERGY) {
		struct allergy_input in = { .substance = text, .reaction = more,
			.category = code_of(&f->form, A_CATEGORY),
			.criticality = code_of(&f->form, A_CRITICALITY), .recorded = day };

		p = allergy_add_plan(f->id, &in, &f->active, f->request_id, cause);
	} else {
		const struct field_value *v = ui_form_value(&f->form, P_ONSET);
		struct problem_input in = { .text = text, .icd10cm = more, .recorded = day };

		if (v != NULL && !v->empty)
			date_format_iso(&v->date, onset, sizeof onset);
		/* An onset before the patient was born is a typing slip, refused as the future is. */
		if ((*cause = chart_before_birth("Onset", onset, &f->banner.view)) != NULL) {
			ui_form_set_focus(&f->form, P_ONSET);
			*what = NULL;
			free(text);
			free(more);
			return NULL;
		}
		in.onset = onset;
		p = problem_add_plan(f->id, &in, &f->active, f->request_id, anyway, duplicate, cause);
	}
	*what = xasprintf("Added %s", text + strspn(text, " "));
	free(text);
	free(more);
	return p;
}

static void
add(struct app *app, struct record_form *f, bool anyway)
{
	struct fhir_plan *plan;
	bool duplicate;
	char *what, *cause = NULL;

	plan = plan_add(f, anyway, &duplicate, &what, &cause);
	if (plan != NULL) {
		start_save(app, f, plan, ADDING, what);
		return;
	}
	free(what);
	if (duplicate) { /* a warning, not a refusal: two problems may share words */
		ui_dialog_free(&f->dialog);
		ui_dialog_init(&f->dialog, "This looks like a problem on the list. Add it anyway?",
		    false);
		ui_dialog_addf(&f->dialog, "%s", cause);
		f->change = ADDING;
		f->asking = true;
	} else {
		app_error(app, "Not saved: %s", cause);
	}
	free(cause);
}

static int
record_save(struct app *app, void *state)
{
	struct record_form *f = state;

	if (!ui_form_valid(&f->form)) {
		const char *why = ui_form_message(&f->form, ui_form_focus(&f->form));

		app_error(app, "Not saved: %s", why != NULL ? why : "a field needs attention");
		return APP_REDRAW;
	}
	if (same_patient(app, f))
		add(app, f, false);
	return APP_REDRAW;
}

static struct fhir_plan *
none_known_plan(struct record_form *f, char **cause)
{
	char day[16];

	today(day, sizeof day);
	return allergy_none_known_plan(f->id, &f->active, day, f->request_id, cause);
}

static int
none_known(struct app *app, void *state)
{
	struct record_form *f = state;
	struct fhir_plan *plan;
	char *cause = NULL;

	if (f->kind != RECORD_ALLERGY) {
		app_error(app, "\"No known\" is for allergies");
		return APP_REDRAW;
	}
	if (!same_patient(app, f))
		return APP_REDRAW;
	/* Checked before asking, so a question is never put that will be refused. */
	if ((plan = none_known_plan(f, &cause)) == NULL) {
		app_error(app, "Not recorded: %s", cause);
		free(cause);
		return APP_REDRAW;
	}
	fhir_plan_free(&plan);
	/* Asked first: it tells every later reader of the chart there is nothing to fear. */
	ui_dialog_free(&f->dialog);
	ui_dialog_init(&f->dialog, "Record that the patient has no known allergies?", false);
	ui_dialog_addf(&f->dialog, "%s, born %s", f->banner.view.name, f->banner.view.birth_date);
	f->change = NONE_KNOWN;
	f->asking = true;
	return APP_REDRAW;
}

static const char *const retire_choices[] = { "no longer active", "resolved", "entered in error" };
static const enum record_retire retire_hows[] = { RECORD_INACTIVE, RECORD_RESOLVED,
	RECORD_ENTERED_IN_ERROR };

static void
how_chosen(struct app *app, void *state, long chosen)
{
	struct record_form *f = state;
	const struct record_entry *e;
	struct fhir_plan *plan;
	char *cause = NULL, day[16];

	if (chosen < 0 || chosen > 2 || f->retiring >= f->active.n) {
		app_status(app, "Nothing changed");
		return;
	}
	if (!same_patient(app, f))
		return;
	e = &f->active.items[f->retiring];
	today(day, sizeof day);
	plan = record_retire_plan(f->kind, e, retire_hows[chosen], day, &cause);
	if (plan == NULL) {
		app_error(app, "Not changed: %s", cause);
		free(cause);
		return;
	}
	start_save(app, f, plan, RETIRING,
	    xasprintf("%s marked %s", e->what, record_retire_name(retire_hows[chosen])));
}

static void
entry_chosen(struct app *app, void *state, long chosen)
{
	struct record_form *f = state;
	char *prompt;

	if (chosen < 0 || (size_t)chosen >= f->active.n) {
		app_status(app, "Nothing changed");
		return;
	}
	f->retiring = (size_t)chosen;
	prompt = xasprintf("%s is:", f->active.items[chosen].what);
	app_choose(app, f, prompt, retire_choices, 3, 0, how_chosen);
	free(prompt);
}

static int
take_off(struct app *app, void *state)
{
	struct record_form *f = state;
	const char **names;

	if (f->active.n == 0) {
		app_error(app, "Nothing active to take off the list");
		return APP_REDRAW;
	}
	names = xcalloc(f->active.n, sizeof *names);
	for (size_t i = 0; i < f->active.n; i++)
		names[i] = f->active.items[i].what;
	app_choose(app, f, "Take which off the list?", (const char *const *)names, f->active.n,
	    0, entry_chosen);
	free(names);
	return APP_REDRAW;
}

/*
 * A text field typed (or pasted) to its limit takes no more: said with each key it
 * refuses, so a long problem or substance is never cut without a word.
 */
static void
said_full(struct app *app, struct record_form *f)
{
	const struct field_def *defs = f->kind == RECORD_ALLERGY ? allergy_fields : problem_fields;
	size_t i = ui_form_focus(&f->form), chars = 0;
	char *text;

	if (i >= f->form.n || defs[i].type != FIELD_TEXT || defs[i].max_chars == 0)
		return;
	text = ui_form_text(&f->form, i);
	for (const char *c = text; *c != '\0'; c++)
		chars += ((unsigned char)*c & 0xc0) != 0x80;
	free(text);
	if (chars >= defs[i].max_chars)
		app_error(app, "%s is full: it takes at most %zu characters, and what is typed past "
			       "them is not kept", defs[i].label, defs[i].max_chars);
}

static void
record_changed(struct app *app, void *state, enum action act)
{
	struct record_form *f = state;
	enum ui_dialog_answer answer = ui_dialog_answer(&f->dialog);
	struct fhir_plan *plan;
	char *cause = NULL;

	f->warned = false;
	if (act == A_NONE && !f->asking)
		said_full(app, f);
	if (!f->asking || answer == UI_DIALOG_ASKING)
		return;
	f->asking = false;
	ui_dialog_free(&f->dialog);
	ui_dialog_init(&f->dialog, "", false);
	if (answer != UI_DIALOG_YES) {
		app_status(app, "Nothing saved; the form is as you left it");
		return;
	}
	if (f->change == ADDING) {
		if (same_patient(app, f))
			add(app, f, true);
		return;
	}
	if ((plan = none_known_plan(f, &cause)) == NULL) {
		app_error(app, "Not recorded: %s", cause);
		free(cause);
		return;
	}
	start_save(app, f, plan, NONE_KNOWN, xstrdup("Recorded no known allergies"));
}

static int
record_back(struct app *app, void *state)
{
	struct record_form *f = state;
	char esc[32], save[32];

	if (f->asking || app_requests(app, f) > 0)
		return APP_IGNORED; /* the dialog's, or the loop's to cancel */
	if ((!ui_form_dirty(&f->form) && !f->unsure) || f->warned)
		return APP_LEAVE;
	f->warned = true;
	if (app_key_for(app, A_BACK, esc, sizeof esc) && app_key_for(app, A_SAVE, save, sizeof save))
		app_error(app, "Unsaved entry: %s again discards it, %s saves", esc, save);
	else
		app_error(app, "Unsaved entry: back again discards it");
	return APP_REDRAW;
}

enum { NEEDS_LIST = APP_NEEDS_SCREEN };

static const char *
record_unmet(struct app *app, void *state, unsigned need)
{
	struct record_form *f = state;

	(void)app;
	if (need == NEEDS_LIST && f->asking)
		return "answer the question first";
	if (need == NEEDS_LIST && !f->loaded)
		return f->failed ? "the active list could not be read: refresh"
				 : "wait for the active list";
	return NULL;
}

static int
reread(struct app *app, void *state)
{
	read_list(app, state);
	return APP_REDRAW;
}

static struct app_focus
record_widget(struct app *app, void *state)
{
	struct record_form *f = state;

	(void)app;
	if (f->asking)
		return (struct app_focus){ APP_WIDGET_DIALOG, &f->dialog };
	return (struct app_focus){ APP_WIDGET_FORM, &f->form };
}

static bool
record_cursor(struct app *app, void *state, int *y, int *x)
{
	struct record_form *f = state;

	(void)app;
	return !f->asking && ui_form_cursor(&f->form, y, x);
}

static bool
record_unsaved(struct app *app, void *state)
{
	struct record_form *f = state;

	(void)app;
	return ui_form_dirty(&f->form) || f->unsure;
}

static const struct screen_action allergy_actions[] = {
	{ A_SAVE, record_save, NEEDS_LIST | APP_NEEDS_IDLE, "save" },
	{ A_NONE_KNOWN, none_known, NEEDS_LIST | APP_NEEDS_IDLE, "no known" },
	{ A_TAKE_OFF, take_off, NEEDS_LIST | APP_NEEDS_IDLE, "take off" },
	{ A_REFRESH, reread, APP_NEEDS_IDLE, NULL },
	{ A_BACK, record_back, 0, NULL },
	{ A_NONE },
};

static const struct screen_action problem_actions[] = {
	{ A_SAVE, record_save, NEEDS_LIST | APP_NEEDS_IDLE, "save" },
	{ A_TAKE_OFF, take_off, NEEDS_LIST | APP_NEEDS_IDLE, "take off" },
	{ A_REFRESH, reread, APP_NEEDS_IDLE, NULL },
	{ A_BACK, record_back, 0, NULL },
	{ A_NONE },
};

const struct screen_ops chart_allergy_screen = {
	.name = "allergies-form",
	.title = "allergies",
	.context = "allergies-form",
	.module = "charting",
	.needs = SCREEN_NEEDS_ONLINE,
	.needs_arg = "open the patient's chart first",
	.enter = allergy_enter,
	.leave = record_leave,
	.draw = record_draw,
	.cursor = record_cursor,
	.unsaved = record_unsaved,
	.actions = allergy_actions,
	.unmet = record_unmet,
	.widget = record_widget,
	.changed = record_changed,
};

const struct screen_ops chart_problem_screen = {
	.name = "problems-form",
	.title = "problems",
	.context = "problems-form",
	.module = "charting",
	.needs = SCREEN_NEEDS_ONLINE,
	.needs_arg = "open the patient's chart first",
	.enter = problem_enter,
	.leave = record_leave,
	.draw = record_draw,
	.cursor = record_cursor,
	.unsaved = record_unsaved,
	.actions = problem_actions,
	.unmet = record_unmet,
	.widget = record_widget,
	.changed = record_changed,
};

int
chart_open_allergies(struct app *app, const struct chart_list_arg *arg)
{
	return app_open(app, &chart_allergy_screen, (void *)arg);
}

int
chart_open_problems(struct app *app, const struct chart_list_arg *arg)
{
	return app_open(app, &chart_problem_screen, (void *)arg);
}
