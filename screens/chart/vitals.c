/* Recording a set of vital signs: one form, read as the clinician types it, saved as one transaction. */
#include "config.h"

#include "screens/chart/chart-private.h"
#include "screens/screens.h"
#include "app/app.h"
#include "fhir/plan.h"
#include "fhir/vitals.h"
#include "ui/dialog.h"
#include "ui/form.h"
#include "ui/ui.h"
#include "util/uuid.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The form's fields: the signs in the order they are taken at a visit, then the time. */
static const int field_sign[] = {
	CHART_VITAL_BP, CHART_VITAL_HR, CHART_VITAL_RR, CHART_VITAL_TEMP, CHART_VITAL_SPO2,
	CHART_VITAL_HEIGHT, CHART_VITAL_WEIGHT, VITAL_HEAD,
};
enum { F_SIGNS = sizeof field_sign / sizeof field_sign[0], F_TAKEN = F_SIGNS, F_COUNT };

static char *check_sign(const struct field_def *def, const char *text);

// clang-format off
#define SIGN(name) { .label = name, .type = FIELD_TEXT, .max_chars = 24, .check = check_sign }
static const struct field_def fields[F_COUNT] = {
	SIGN("Blood pressure"), SIGN("Pulse"), SIGN("Respiration"), SIGN("Temperature"),
	SIGN("SpO2"), SIGN("Height"), SIGN("Weight"), SIGN("Head circ."),
	[F_TAKEN] = { .label = "Taken at", .type = FIELD_DATETIME, .required = true,
		      .when = FIELD_NOT_FUTURE },
};
#undef SIGN
// clang-format on

static char *
check_sign(const struct field_def *def, const char *text)
{
	struct vital_entry e;
	char *cause = NULL;

	/* Units do not change what parses, only what a bare number means. */
	if (vital_parse(field_sign[def - fields], text, VITAL_UNITS_US, &e, &cause) == 0)
		return NULL;
	return cause;
}

enum stage { EDITING, ASKING, SAVING };

struct vitals_form {
	char *id;	/* the patient's */
	struct chart_banner banner;
	enum vital_units units;
	struct ui_form form;
	struct ui_dialog dialog;
	enum stage stage;
	bool warned;			/* Esc with unsaved typing said so once */
	bool unsure;			/* a save went out and no answer came */
	char request_id[UUID_BUF_SIZE]; /* kept until saved: a retry finds the first try */
	chart_vitals_saved_fn saved;	/* the opener's, told what a save wrote */
	void *opener;
};

/* What the form opens on: the patient, and who is told of a save. */
struct vitals_arg {
	const struct chart_list_arg *in;
	chart_vitals_saved_fn saved;
	void *opener;
};

static void *
vitals_enter(struct app *app, void *arg)
{
	const struct vitals_arg *va = arg;
	const struct chart_list_arg *a = va->in;
	struct vitals_form *v = xcalloc(1, sizeof *v);
	const char *units = app_profile(app)->units;
	struct date_time now;
	struct field_value taken = { .type = FIELD_DATETIME };
	char *cause = NULL;

	v->id = xstrdup(a->id);
	v->saved = va->saved;
	v->opener = va->opener;
	chart_banner_take(&v->banner, a);
	v->units = units != NULL && strcmp(units, "metric") == 0 ? VITAL_UNITS_METRIC : VITAL_UNITS_US;
	ui_form_init(&v->form, fields, F_COUNT);
	date_time_now(&now);
	now.second = 0;
	taken.date_time = now;
	ui_form_set_value(&v->form, F_TAKEN, &taken, &cause);
	free(cause);
	ui_form_mark_clean(&v->form);
	ui_dialog_init(&v->dialog, "", false);
	uuid_v4(v->request_id);
	return v;
}

static void
vitals_leave(struct app *app, void *state)
{
	struct vitals_form *v = state;

	(void)app;
	ui_form_free(&v->form);
	ui_dialog_free(&v->dialog);
	chart_banner_clear(&v->banner);
	free(v->id);
	free(v);
}

/* The set as the form holds it now; false (and the focus on it) when a field does not read. */
static bool
form_set(struct vitals_form *v, struct vitals_set *s, char *when, size_t size)
{
	const struct field_value *taken;

	memset(s, 0, sizeof *s);
	s->patient = v->id;
	for (size_t i = 0; i < F_SIGNS; i++) {
		char *text = ui_form_text(&v->form, i), *cause = NULL;
		int rc = vital_parse(field_sign[i], text, v->units, &s->sign[field_sign[i]], &cause);

		free(text);
		free(cause);
		if (rc != 0) {
			ui_form_set_focus(&v->form, i);
			return false;
		}
	}
	taken = ui_form_value(&v->form, F_TAKEN);
	if (taken == NULL || taken->empty ||
	    date_time_format_fhir(&taken->date_time, date_time_local_offset(&taken->date_time),
		when, size) != 0)
		return false;
	s->when = when;
	return true;
}

/* What the form reads as, for the lines under it: "BP 120/80 mmHg; Weight 154 lb [69.9 kg]". */
static char *
reads_as(struct vitals_form *v)
{
	struct vitals_set s;
	struct vital_entry bmi;
	char shown[64];
	char *out = xstrdup(""), *next;

	memset(&s, 0, sizeof s);
	for (size_t i = 0; i < F_SIGNS; i++) {
		char *text = ui_form_text(&v->form, i), *cause = NULL;
		int sign = field_sign[i];

		if (vital_parse(sign, text, v->units, &s.sign[sign], &cause) == 0 && s.sign[sign].set) {
			vital_show(sign, &s.sign[sign], v->units, shown, sizeof shown);
			next = xasprintf("%s%s%s %s", out, *out ? "; " : "", vital_label(sign), shown);
			free(out);
			out = next;
		}
		free(text);
		free(cause);
	}
	if (vitals_bmi(&s, &bmi)) {
		vital_show(CHART_VITAL_BMI, &bmi, v->units, shown, sizeof shown);
		next = xasprintf("%s; BMI %s (computed)", out, shown);
		free(out);
		out = next;
	}
	return out;
}

static void
vitals_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct vitals_form *v = state;
	char *reads;
	int form_rows = rows - 6, y;

	(void)app;
	chart_banner_draw(&v->banner, win, top);
	ui_putf(win, top + 2, 0, COLS, UI_TITLE, true, "Record vital signs for %s (%s units)",
	    v->banner.view.name, v->units == VITAL_UNITS_US ? "US" : "metric");
	ui_form_draw(&v->form, win, top + 3, form_rows, COLS);
	/* Under the form, what was typed as the save will store it: 5'9" and 175cm alike. */
	reads = reads_as(v);
	y = top + 3 + form_rows;
	ui_putf(win, y, 0, COLS, UI_NORMAL, true, "Reads as: %s", *reads ? "" : "(nothing yet)");
	for (const char *p = reads; *p != '\0' && y < top + rows - 1;) {
		size_t n = strlen(p), w = (size_t)(COLS > 4 ? COLS - 2 : 2);

		if (n > w) { /* cut at the last "; " that fits */
			size_t cut = w;

			while (cut > 0 && !(p[cut - 1] == ';' && p[cut] == ' '))
				cut--;
			n = cut > 0 ? cut : w;
		}
		ui_putf(win, ++y, 2, COLS - 2, UI_NORMAL, true, "%.*s", (int)n, p);
		p += n;
		while (*p == ' ')
			p++;
	}
	free(reads);
	if (v->stage == ASKING)
		ui_dialog_draw(&v->dialog, win, top + 3, rows - 4, COLS);
}

static void
on_saved(struct app *app, void *state, struct fhir_result *res, unsigned long tag)
{
	struct vitals_form *v = state;
	enum fhir_save outcome = fhir_save_outcome(res);

	(void)tag;
	v->stage = EDITING;
	if (outcome == FHIR_SAVED) {
		v->unsure = false;
		ui_form_mark_clean(&v->form);
		ui_form_set_not_saved(&v->form, NULL);
		/*
		 * The answer holds what was saved: the opener shows it without reading it again
		 * (once the change has its audit line; else it reads, and is refused the same).
		 */
		if (app_audit(app, "create", "Observation", v->id) == 0) {
			app_status(app, "Saved the vital signs for %s.", v->banner.view.name);
			if (v->saved != NULL)
				v->saved(app, v->opener, res->resource);
		}
		app_leave(app, v);
		return;
	}
	/* The form stays, under the same request identifier: saving again writes nothing twice. */
	v->unsure = outcome == FHIR_SAVE_UNKNOWN || outcome == FHIR_SAVE_CANCELLED;
	ui_form_set_not_saved(&v->form, res->message ? res->message : fhir_save_name(outcome));
	app_error(app, "%s; the form is kept (save again): %s", fhir_save_name(outcome),
	    res->message ? res->message : "no answer came");
}

static void
save_now(struct app *app, struct vitals_form *v)
{
	struct vitals_set s;
	struct fhir_plan *plan;
	char when[40], *cause = NULL;

	if (!form_set(v, &s, when, sizeof when)) {
		app_error(app, "Not saved: a field needs attention");
		return;
	}
	plan = vitals_plan(&s, v->request_id, &cause);
	if (plan == NULL) {
		app_error(app, "Not saved: %s", cause);
		free(cause);
		return;
	}
	v->stage = SAVING;
	app_request(app, v, &(struct app_request){ .plan = plan, .done = on_saved,
	    .label = "Saving the vital signs" });
}

static int
vitals_save(struct app *app, void *state)
{
	struct vitals_form *v = state;
	struct vitals_set s;
	char when[40], *doubts[8], *born;
	const char *now_id = fhir_id_of(app_patient(app));
	size_t n;

	if (!ui_form_valid(&v->form) || !form_set(v, &s, when, sizeof when)) {
		const char *why = ui_form_message(&v->form, ui_form_focus(&v->form));

		app_error(app, "Not saved: %s", why != NULL ? why : "a field needs attention");
		return APP_REDRAW;
	}
	/* The form is this patient's: if the app moved to another, saving here would misfile it. */
	if (now_id != NULL && strcmp(now_id, v->id) != 0) {
		app_error(app, "Not saved: the patient changed to another since this form was "
			       "opened; go back to %s's chart", v->banner.view.name);
		return APP_REDRAW;
	}
	/* Measured before the patient was born is a typing slip, refused as the future is. */
	if ((born = chart_before_birth("Taken", when, &v->banner.view)) != NULL) {
		ui_form_set_focus(&v->form, F_TAKEN);
		app_error(app, "Not saved: %s", born);
		free(born);
		return APP_REDRAW;
	}
	n = vitals_doubts(&s, doubts, 8);
	if (n == 0) {
		save_now(app, v);
		return APP_REDRAW;
	}
	ui_dialog_free(&v->dialog);
	ui_dialog_init(&v->dialog, "Save these values anyway?", false);
	for (size_t i = 0; i < n; i++) {
		ui_dialog_addf(&v->dialog, "%s", doubts[i]);
		free(doubts[i]);
	}
	ui_dialog_addf(&v->dialog, "No keeps the form to correct them.");
	v->stage = ASKING;
	return APP_REDRAW;
}

static void
vitals_changed(struct app *app, void *state, enum action a)
{
	struct vitals_form *v = state;
	enum ui_dialog_answer answer = ui_dialog_answer(&v->dialog);

	(void)a;
	v->warned = false;
	if (v->stage != ASKING || answer == UI_DIALOG_ASKING)
		return;
	ui_dialog_free(&v->dialog);
	ui_dialog_init(&v->dialog, "", false);
	v->stage = EDITING;
	if (answer == UI_DIALOG_YES)
		save_now(app, v);
	else
		app_status(app, "Not saved; correct the values and save again");
}

static int
vitals_back(struct app *app, void *state)
{
	struct vitals_form *v = state;
	char esc[32], save[32];

	if (v->stage != EDITING || app_requests(app, v) > 0)
		return APP_IGNORED; /* the dialog's, or the loop's to cancel the save */
	if ((!ui_form_dirty(&v->form) && !v->unsure) || v->warned)
		return APP_LEAVE;
	v->warned = true;
	if (app_key_for(app, A_BACK, esc, sizeof esc) && app_key_for(app, A_SAVE, save, sizeof save))
		app_error(app, "Unsaved vital signs: %s again discards them, %s saves", esc, save);
	else
		app_error(app, "Unsaved vital signs: back again discards them");
	return APP_REDRAW;
}

enum { NEEDS_EDITING = APP_NEEDS_SCREEN };

static const char *
vitals_unmet(struct app *app, void *state, unsigned need)
{
	struct vitals_form *v = state;

	(void)app;
	if (need == NEEDS_EDITING && v->stage != EDITING)
		return v->stage == ASKING ? "answer the question first" : "wait for the save";
	return NULL;
}

static struct app_focus
vitals_widget(struct app *app, void *state)
{
	struct vitals_form *v = state;

	(void)app;
	if (v->stage == ASKING)
		return (struct app_focus){ APP_WIDGET_DIALOG, &v->dialog };
	if (v->stage == EDITING)
		return (struct app_focus){ APP_WIDGET_FORM, &v->form };
	return (struct app_focus){ APP_WIDGET_NONE, NULL };
}

static bool
vitals_cursor(struct app *app, void *state, int *y, int *x)
{
	struct vitals_form *v = state;

	(void)app;
	return v->stage == EDITING && ui_form_cursor(&v->form, y, x);
}

static bool
vitals_unsaved(struct app *app, void *state)
{
	struct vitals_form *v = state;

	(void)app;
	return ui_form_dirty(&v->form) || v->unsure;
}

static const struct screen_action vitals_actions[] = {
	{ A_SAVE, vitals_save, APP_NEEDS_IDLE | NEEDS_EDITING, "save" },
	{ A_BACK, vitals_back, 0, NULL },
	{ A_NONE },
};

const struct screen_ops chart_vitals_screen = {
	.name = "vitals-form",
	.title = "vital signs",
	.context = "vitals-entry",
	.module = "charting",
	.needs = SCREEN_NEEDS_ONLINE,
	.needs_arg = "open the patient's chart first",
	.enter = vitals_enter,
	.leave = vitals_leave,
	.draw = vitals_draw,
	.cursor = vitals_cursor,
	.unsaved = vitals_unsaved,
	.actions = vitals_actions,
	.unmet = vitals_unmet,
	.widget = vitals_widget,
	.changed = vitals_changed,
};

int
chart_open_vitals(struct app *app, const struct chart_list_arg *arg, chart_vitals_saved_fn saved,
    void *opener)
{
	return app_open(app, &chart_vitals_screen,
	    &(struct vitals_arg){ .in = arg, .saved = saved, .opener = opener });
}
