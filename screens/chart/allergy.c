/* Writing allergies: the active list on top, a form to add one, "no known allergies", and taking one off. */
#include "config.h"

#include "screens/chart/chart-private.h"
#include "screens/screens.h"
#include "app/app.h"
#include "fhir/allergy.h"
#include "fhir/plan.h"
#include "ui/banner.h"
#include "ui/dialog.h"
#include "ui/form.h"
#include "ui/ui.h"
#include "util/uuid.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lines of the active list shown above the form; the rest are counted. */
#define SHOWN_MAX 5

enum { F_SUBSTANCE, F_CATEGORY, F_CRITICALITY, F_REACTION, F_COUNT };

static const struct field_code categories[] = {
	{ "food", "food" }, { "medication", "medication" },
	{ "environment", "environment" }, { "biologic", "biologic" },
};
static const struct field_code criticalities[] = {
	{ "low", "low" }, { "high", "high" }, { "unable-to-assess", "unable to assess" },
};

// clang-format off
static const struct field_def fields[F_COUNT] = {
	[F_SUBSTANCE]   = { .label = "Substance", .type = FIELD_TEXT, .max_chars = 80 },
	[F_CATEGORY]    = { .label = "Category", .type = FIELD_CODE, .codes = categories,
			    .ncodes = sizeof categories / sizeof categories[0] },
	[F_CRITICALITY] = { .label = "Criticality", .type = FIELD_CODE, .codes = criticalities,
			    .ncodes = sizeof criticalities / sizeof criticalities[0] },
	[F_REACTION]    = { .label = "Reaction", .type = FIELD_TEXT, .max_chars = 80 },
};
// clang-format on

/* What the one save in flight does, for its answer. */
enum change { ADDING, NONE_KNOWN, RETIRING };

static const char *const retire_choices[] = { "no longer active", "resolved", "entered in error" };

struct allergy_form {
	char *id; /* the patient's */
	cJSON *patient;
	struct patient_view view;
	struct patient_allergies banner; /* as the chart read it; the list below is newer */
	struct allergy_list active;
	bool loaded;	/* ACTIVE is the server's answer */
	char *failed;	/* why it is not, or NULL */
	struct ui_form form;
	struct ui_dialog dialog;
	bool asking, warned, unsure;
	enum change change;
	size_t retiring; /* the entry chosen to take off */
	char *saved_what; /* what the save in flight does, for the status line */
	char request_id[UUID_BUF_SIZE];
};

static void
clear_form(struct allergy_form *a)
{
	for (size_t i = 0; i < F_COUNT; i++) {
		char *cause = NULL;

		ui_form_set_text(&a->form, i, NULL, &cause);
		free(cause);
	}
	ui_form_mark_clean(&a->form);
	ui_form_set_not_saved(&a->form, NULL);
}

static void
on_list(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct allergy_form *a = state;
	char *cause = NULL;

	(void)tag;
	allergy_list_clear(&a->active);
	a->loaded = false;
	free(a->failed);
	a->failed = NULL;
	if (r->status != FHIR_OK || allergy_list_read(r->resource, a->id, &a->active, &cause) != 0) {
		a->failed = cause != NULL ? cause
		    : xstrdup(r->status == FHIR_CANCELLED ? "cancelled"
			      : r->message != NULL ? r->message : "no answer");
		app_error(app, "The active allergies could not be read: %s", a->failed);
		return;
	}
	a->loaded = true;
	/* A save whose answer was lost is settled by the list: its request id is there or not. */
	if (a->unsure && a->change == ADDING && allergy_list_has_request(&a->active, a->request_id)) {
		a->unsure = false;
		clear_form(a);
		uuid_v4(a->request_id);
		app_status(app, "%s for %s (found on the server after the answer was lost).",
		    a->saved_what, a->view.name);
	}
	/* The banner follows what was just read: an allergy added here is on it at once. */
	patient_allergies_clear(&a->banner);
	patient_allergies_read(r->resource, a->id, &a->banner);
	if (app_audit(app, "view", "AllergyIntolerance", a->id) != 0)
		app_error(app, "Not shown: the audit trail cannot be written");
	app_dirty(app);
}

static void
read_list(struct app *app, struct allergy_form *a)
{
	struct fhir_search *s = allergy_active_search(a->id);

	app_request(app, a, &(struct app_request){ .search = s, .done = on_list,
	    .slot = "allergies", .label = "Reading the active allergies" });
	fhir_search_free(&s);
}

static void *
allergy_enter(struct app *app, void *arg)
{
	const struct chart_list_arg *in = arg;
	struct allergy_form *a = xcalloc(1, sizeof *a);

	a->id = xstrdup(in->id);
	a->patient = cJSON_Duplicate(in->patient, true);
	patient_view_read(a->patient, &a->view);
	patient_allergies_copy(&a->banner, in->allergies);
	ui_form_init(&a->form, fields, F_COUNT);
	ui_dialog_init(&a->dialog, "", false);
	uuid_v4(a->request_id);
	read_list(app, a);
	return a;
}

static void
allergy_leave(struct app *app, void *state)
{
	struct allergy_form *a = state;

	(void)app;
	ui_form_free(&a->form);
	ui_dialog_free(&a->dialog);
	allergy_list_clear(&a->active);
	patient_view_clear(&a->view);
	patient_allergies_clear(&a->banner);
	cJSON_Delete(a->patient);
	free(a->failed);
	free(a->saved_what);
	free(a->id);
	free(a);
}

static void
allergy_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct allergy_form *a = state;
	struct date_time now;
	int y = top + 3;
	size_t shown = 0;

	(void)app;
	date_time_now(&now);
	ui_banner_draw(win, top, COLS, &a->view, &a->banner, &now.date);
	ui_putf(win, top + 2, 0, COLS, UI_TITLE, true, "Allergies of %s, active now:", a->view.name);
	if (!a->loaded)
		ui_putf(win, y++, 2, COLS - 2, a->failed ? UI_ERROR : UI_NORMAL, true, "%s%s",
		    a->failed ? "Not read: " : "Reading...", a->failed ? a->failed : "");
	else if (a->active.n == 0)
		ui_putf(win, y++, 2, COLS - 2, UI_NORMAL, true, "None recorded.");
	for (size_t i = 0; a->loaded && i < a->active.n && shown < SHOWN_MAX; i++, shown++) {
		const struct allergy_entry *e = &a->active.items[i];

		ui_putf(win, y++, 2, COLS - 2, e->criticality[0] && !strcmp(e->criticality, "high")
			? UI_ERROR : UI_NORMAL, true, "%zu. %s%s%s%s", i + 1, e->substance,
		    e->no_known ? "" : " (", e->no_known ? "" : (*e->criticality ? e->criticality
							      : "criticality not recorded"),
		    e->no_known ? "" : ")");
	}
	if (a->loaded && a->active.n + a->active.more > shown)
		ui_putf(win, y++, 2, COLS - 2, UI_NORMAL, true, "(+%zu more)",
		    a->active.n + a->active.more - shown);
	ui_putf(win, ++y, 0, COLS, UI_TITLE, true, "Add an allergy (the substance is stored as typed, "
						   "uncoded):");
	ui_form_draw(&a->form, win, y + 1, top + rows - y - 1, COLS);
	if (a->asking)
		ui_dialog_draw(&a->dialog, win, top + 3, rows - 4, COLS);
}

static void
on_saved(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct allergy_form *a = state;
	enum fhir_save outcome = fhir_save_outcome(r);

	(void)tag;
	if (outcome == FHIR_SAVED) {
		a->unsure = false;
		if (a->change == ADDING)
			clear_form(a);
		ui_form_set_not_saved(&a->form, NULL);
		uuid_v4(a->request_id);
		if (app_audit(app, a->change == RETIRING ? "update" : "create", "AllergyIntolerance",
			a->id) == 0)
			app_status(app, "%s for %s.", a->saved_what, a->view.name);
		read_list(app, a);
		return;
	}
	/* Kept under the same request identifier: saving again writes nothing twice. */
	a->unsure = outcome == FHIR_SAVE_UNKNOWN || outcome == FHIR_SAVE_CANCELLED;
	if (a->change == ADDING)
		ui_form_set_not_saved(&a->form, r->message ? r->message : fhir_save_name(outcome));
	app_error(app, "%s: %s", fhir_save_name(outcome),
	    outcome == FHIR_SAVE_CONFLICT ? "the list changed meanwhile; it is read again, try again"
	    : r->message ? r->message : "no answer came");
	/* A conflict or an unknown outcome: what the server holds now decides the next try. */
	if (outcome != FHIR_NOT_SAVED)
		read_list(app, a);
}

static void
start_save(struct app *app, struct allergy_form *a, struct fhir_plan *plan, enum change change,
    char *what)
{
	a->change = change;
	free(a->saved_what);
	a->saved_what = what;
	app_request(app, a, &(struct app_request){ .plan = plan, .done = on_saved,
	    .label = "Saving the allergies" });
}

/* The form is this patient's: if the app moved to another meanwhile, a save here would misfile it. */
static bool
same_patient(struct app *app, struct allergy_form *a)
{
	const char *now = fhir_id_of(app_patient(app));

	if (now == NULL || strcmp(now, a->id) == 0)
		return true;
	app_error(app, "Not saved: the patient changed since this form was opened; go back to "
		       "%s's chart", a->view.name);
	return false;
}

static char *
recorded_now(char *buf, size_t size)
{
	struct date_time now;

	date_time_now(&now);
	date_format_iso(&now.date, buf, size);
	return buf;
}

static int
allergy_save(struct app *app, void *state)
{
	struct allergy_form *a = state;
	const struct field_value *cat, *crit;
	struct allergy_input in;
	struct fhir_plan *plan;
	char *substance, *reaction, *cause = NULL, day[16];

	if (!ui_form_valid(&a->form)) {
		const char *why = ui_form_message(&a->form, ui_form_focus(&a->form));

		app_error(app, "Not saved: %s", why != NULL ? why : "a field needs attention");
		return APP_REDRAW;
	}
	if (!same_patient(app, a))
		return APP_REDRAW;
	substance = ui_form_text(&a->form, F_SUBSTANCE);
	reaction = ui_form_text(&a->form, F_REACTION);
	cat = ui_form_value(&a->form, F_CATEGORY);
	crit = ui_form_value(&a->form, F_CRITICALITY);
	in = (struct allergy_input){ .substance = substance, .reaction = reaction,
		.category = cat != NULL && !cat->empty ? cat->code->code : NULL,
		.criticality = crit != NULL && !crit->empty ? crit->code->code : NULL,
		.recorded = recorded_now(day, sizeof day) };
	plan = allergy_add_plan(a->id, &in, &a->active, a->request_id, &cause);
	if (plan == NULL) {
		app_error(app, "Not saved: %s", cause);
		free(cause);
	} else {
		start_save(app, a, plan, ADDING, xasprintf("Added %s", in.substance));
	}
	free(substance);
	free(reaction);
	return APP_REDRAW;
}

static int
none_known(struct app *app, void *state)
{
	struct allergy_form *a = state;
	struct fhir_plan *plan;
	char *cause = NULL, day[16];

	if (!same_patient(app, a))
		return APP_REDRAW;
	plan = allergy_none_known_plan(a->id, &a->active, recorded_now(day, sizeof day),
	    a->request_id, &cause);
	if (plan == NULL) {
		app_error(app, "Not recorded: %s", cause);
		free(cause);
		return APP_REDRAW;
	}
	/* Asked first: it tells every later reader of the chart there is nothing to fear. */
	fhir_plan_free(&plan);
	ui_dialog_free(&a->dialog);
	ui_dialog_init(&a->dialog, "Record that the patient has no known allergies?", false);
	ui_dialog_addf(&a->dialog, "%s, born %s", a->view.name, a->view.birth_date);
	a->change = NONE_KNOWN;
	a->asking = true;
	return APP_REDRAW;
}

static void
how_chosen(struct app *app, void *state, long chosen)
{
	struct allergy_form *a = state;
	const struct allergy_entry *e;
	struct fhir_plan *plan;
	char *cause = NULL;
	static const enum allergy_retire hows[] = { ALLERGY_INACTIVE, ALLERGY_RESOLVED,
		ALLERGY_ENTERED_IN_ERROR };

	if (chosen < 0 || chosen > 2 || a->retiring >= a->active.n) {
		app_status(app, "Nothing changed");
		return;
	}
	if (!same_patient(app, a))
		return;
	e = &a->active.items[a->retiring];
	plan = allergy_retire_plan(e, hows[chosen], &cause);
	if (plan == NULL) {
		app_error(app, "Not changed: %s", cause);
		free(cause);
		return;
	}
	start_save(app, a, plan, RETIRING,
	    xasprintf("%s marked %s", e->substance, retire_choices[chosen]));
}

static void
entry_chosen(struct app *app, void *state, long chosen)
{
	struct allergy_form *a = state;
	char *prompt;

	if (chosen < 0 || (size_t)chosen >= a->active.n) {
		app_status(app, "Nothing changed");
		return;
	}
	a->retiring = (size_t)chosen;
	prompt = xasprintf("%s is:", a->active.items[chosen].substance);
	app_choose(app, a, prompt, retire_choices, 3, 0, how_chosen);
	free(prompt);
}

static int
take_off(struct app *app, void *state)
{
	struct allergy_form *a = state;
	const char **names;

	if (a->active.n == 0) {
		app_error(app, "No active allergy to take off the list");
		return APP_REDRAW;
	}
	names = xcalloc(a->active.n, sizeof *names);
	for (size_t i = 0; i < a->active.n; i++)
		names[i] = a->active.items[i].substance;
	app_choose(app, a, "Take which off the list?", (const char *const *)names, a->active.n, 0, entry_chosen);
	free(names);
	return APP_REDRAW;
}

static void
allergy_changed(struct app *app, void *state, enum action act)
{
	struct allergy_form *a = state;
	enum ui_dialog_answer answer = ui_dialog_answer(&a->dialog);
	struct fhir_plan *plan;
	char *cause = NULL, day[16];

	(void)act;
	a->warned = false;
	if (!a->asking || answer == UI_DIALOG_ASKING)
		return;
	a->asking = false;
	ui_dialog_free(&a->dialog);
	ui_dialog_init(&a->dialog, "", false);
	if (answer != UI_DIALOG_YES) {
		app_status(app, "Nothing recorded");
		return;
	}
	plan = allergy_none_known_plan(a->id, &a->active, recorded_now(day, sizeof day),
	    a->request_id, &cause);
	if (plan == NULL) {
		app_error(app, "Not recorded: %s", cause);
		free(cause);
		return;
	}
	start_save(app, a, plan, NONE_KNOWN, xstrdup("Recorded no known allergies"));
}

static int
allergy_back(struct app *app, void *state)
{
	struct allergy_form *a = state;
	char esc[32], save[32];

	if (a->asking || app_requests(app, a) > 0)
		return APP_IGNORED; /* the dialog's, or the loop's to cancel */
	if ((!ui_form_dirty(&a->form) && !a->unsure) || a->warned)
		return APP_LEAVE;
	a->warned = true;
	if (app_key_for(app, A_BACK, esc, sizeof esc) && app_key_for(app, A_SAVE, save, sizeof save))
		app_error(app, "Unsaved allergy: %s again discards it, %s saves", esc, save);
	else
		app_error(app, "Unsaved allergy: back again discards it");
	return APP_REDRAW;
}

enum { NEEDS_LIST = APP_NEEDS_SCREEN };

static const char *
allergy_unmet(struct app *app, void *state, unsigned need)
{
	struct allergy_form *a = state;

	(void)app;
	if (need == NEEDS_LIST && a->asking)
		return "answer the question first";
	if (need == NEEDS_LIST && !a->loaded)
		return a->failed ? "the active allergies could not be read: refresh"
				 : "wait for the active allergies";
	return NULL;
}

static int
reread(struct app *app, void *state)
{
	read_list(app, state);
	return APP_REDRAW;
}

static struct app_focus
allergy_widget(struct app *app, void *state)
{
	struct allergy_form *a = state;

	(void)app;
	if (a->asking)
		return (struct app_focus){ APP_WIDGET_DIALOG, &a->dialog };
	return (struct app_focus){ APP_WIDGET_FORM, &a->form };
}

static bool
allergy_cursor(struct app *app, void *state, int *y, int *x)
{
	struct allergy_form *a = state;

	(void)app;
	return !a->asking && ui_form_cursor(&a->form, y, x);
}

static bool
allergy_unsaved(struct app *app, void *state)
{
	struct allergy_form *a = state;

	(void)app;
	return ui_form_dirty(&a->form) || a->unsure;
}

static const struct screen_action allergy_actions[] = {
	{ A_SAVE, allergy_save, NEEDS_LIST | APP_NEEDS_IDLE, "save" },
	{ A_NONE_KNOWN, none_known, NEEDS_LIST | APP_NEEDS_IDLE, "no known" },
	{ A_TAKE_OFF, take_off, NEEDS_LIST | APP_NEEDS_IDLE, "take off" },
	{ A_REFRESH, reread, APP_NEEDS_IDLE, NULL },
	{ A_BACK, allergy_back, 0, NULL },
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
	.leave = allergy_leave,
	.draw = allergy_draw,
	.cursor = allergy_cursor,
	.unsaved = allergy_unsaved,
	.actions = allergy_actions,
	.unmet = allergy_unmet,
	.widget = allergy_widget,
	.changed = allergy_changed,
};

int
chart_open_allergies(struct app *app, const struct chart_list_arg *arg)
{
	return app_open(app, &chart_allergy_screen, (void *)arg);
}
