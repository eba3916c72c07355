/* A patient's record: the banner and the demographics, read in one round trip. */
#include "config.h"

#include "screens/patients/patients.h"
#include "screens/screens.h"
#include "app/app.h"
#include "ui/pager.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct record {
	char *id;
	char *version;	    /* the version shown: an edit will carry it as If-Match */
	cJSON *patient;	    /* NULL until read */
	struct patient_opened opened; /* the banner's view and allergies */
	struct ui_pager lines; /* the demographics, one line each */
	char *failed;
};

/* "Label:  value" lines for every element shown; values stay raw until ui_put draws them. */
static void
add_line(struct record *r, const char *label, const char *value)
{
	if (value != NULL && *value != '\0')
		ui_pager_addf(&r->lines, "%-16s %s", label, value);
}

static void
fill_lines(struct record *r, const struct date *today)
{
	struct patient_view v;
	const cJSON *item;
	int age;
	char born[40];

	ui_pager_free(&r->lines);
	ui_pager_init(&r->lines);
	patient_view_read(r->patient, &v);
	age = patient_view_age(&v, today);
	add_line(r, "Name", v.name);
	add_line(r, "Sex", *v.gender ? v.gender : "not recorded");
	if (*v.birth_date != '\0') {
		snprintf(born, sizeof born, "%s (age %d)", v.birth_date, age);
		add_line(r, "Born", born);
	}
	cJSON_ArrayForEach(item, fhir_get_array(r->patient, "identifier"))
	{
		const char *value = fhir_get_string(item, "value");
		const cJSON *coding = cJSON_GetArrayItem(
		    fhir_get_array(fhir_get_object(item, "type"), "coding"), 0);
		const char *kind = fhir_get_string(coding, "display");

		if (kind == NULL)
			kind = fhir_get_string(coding, "code");
		if (value != NULL) {
			char *label = xasprintf("%.15s", kind != NULL ? kind : "Identifier");

			add_line(r, label, value);
			free(label);
		}
	}
	cJSON_ArrayForEach(item, fhir_get_array(r->patient, "telecom"))
	{
		const char *system = fhir_get_string(item, "system");
		const char *use = fhir_get_string(item, "use");
		char *label = xasprintf("%s%s%s", system ? system : "contact", use ? " " : "",
		    use ? use : "");

		add_line(r, label, fhir_get_string(item, "value"));
		free(label);
	}
	cJSON_ArrayForEach(item, fhir_get_array(r->patient, "address"))
	{
		const cJSON *line;
		char *text = xstrdup("");

		cJSON_ArrayForEach(line, fhir_get_array(item, "line"))
		{
			char *next;

			if (!cJSON_IsString(line))
				continue;
			next = xasprintf("%s%s%s", text, *text ? ", " : "", line->valuestring);
			free(text);
			text = next;
		}
		{
			char *full = xasprintf("%s%s%s %s %s", text, *text ? ", " : "",
			    fhir_get_string(item, "city") ? fhir_get_string(item, "city") : "",
			    fhir_get_string(item, "state") ? fhir_get_string(item, "state") : "",
			    fhir_get_string(item, "postalCode") ? fhir_get_string(item, "postalCode") : "");

			add_line(r, "Address", full);
			free(full);
		}
		free(text);
	}
	cJSON_ArrayForEach(item, fhir_get_array(r->patient, "communication"))
	{
		const cJSON *lang = fhir_get_object(item, "language");
		const char *text = fhir_get_string(lang, "text");

		if (text == NULL)
			text = fhir_get_string(cJSON_GetArrayItem(fhir_get_array(lang, "coding"), 0),
			    "display");
		add_line(r, "Language", text);
	}
	add_line(r, "Marital status",
	    fhir_get_string(fhir_get_object(r->patient, "maritalStatus"), "text"));
	cJSON_ArrayForEach(item, fhir_get_array(r->patient, "contact"))
	{
		const cJSON *name = fhir_get_object(item, "name");
		const char *family = fhir_get_string(name, "family");
		const cJSON *phone = cJSON_GetArrayItem(fhir_get_array(item, "telecom"), 0);
		char *text = xasprintf("%s %s", family ? family : "(no name)",
		    fhir_get_string(phone, "value") ? fhir_get_string(phone, "value") : "");

		add_line(r, "Contact", text);
		free(text);
	}
	patient_view_clear(&v);
}

static void
on_opened(struct app *app, void *state, struct fhir_result *res, unsigned long tag)
{
	struct record *r = state;
	struct date_time now;
	char *cause = NULL;

	(void)tag;
	if (res->status != FHIR_OK ||
	    patient_open_result(res->resource, r->id, &r->opened, &cause) != 0) {
		free(r->failed);
		r->failed = cause != NULL ? cause
					  : xstrdup(res->message ? res->message : "the patient could not be read");
		app_error(app, "%s", r->failed);
		return;
	}
	cJSON_Delete(r->patient);
	free(r->version);
	r->patient = r->opened.patient;
	r->opened.patient = NULL;
	r->version = r->opened.version;
	r->opened.version = NULL;
	/* No view without its audit line: if the trail cannot be written, nothing is shown. */
	if (app_audit(app, "view", "Patient", r->id) != 0) {
		cJSON_Delete(r->patient);
		r->patient = NULL;
		free(r->failed);
		r->failed = xstrdup("not shown: the audit trail cannot be written");
		return;
	}
	app_set_patient(app, r->patient);
	date_time_now(&now);
	fill_lines(r, &now.date);
}

static void *
record_enter(struct app *app, void *arg)
{
	struct record *r = xcalloc(1, sizeof *r);
	struct app_ticket *t;
	cJSON *batch;

	r->id = xstrdup(arg != NULL ? (const char *)arg : "");
	ui_pager_init(&r->lines);
	if (!fhir_valid_id(r->id)) {
		r->failed = xstrdup("this entry has no usable patient id");
		return r;
	}
	batch = patient_open_batch(app_fhir(app), r->id);
	t = app_ticket_new(app, r, on_opened, 0, "patient-open", "Opening the patient");
	app_ticket_track(t, fhir_bundle(app_fhir(app), batch, app_ticket_done, t));
	cJSON_Delete(batch);
	return r;
}

static void
record_leave(struct app *app, void *state)
{
	struct record *r = state;

	(void)app;
	ui_pager_free(&r->lines);
	cJSON_Delete(r->patient);
	patient_opened_clear(&r->opened);
	free(r->id);
	free(r->version);
	free(r->failed);
	free(r);
}

static void
record_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct record *r = state;
	struct date_time now;

	(void)app;
	if (r->patient == NULL) {
		ui_put(win, top + 1, 2, COLS - 4, r->failed ? r->failed : "Opening the patient...",
		    r->failed ? UI_ERROR : UI_DIM, false);
		return;
	}
	date_time_now(&now);
	ui_banner_draw(win, top, COLS, &r->opened.view, &r->opened.allergies, &now.date);
	ui_pager_draw(&r->lines, win, top + 2, rows - 2, COLS);
}

static int
record_action(struct app *app, void *state, enum action a)
{
	struct record *r = state;

	if (a == A_EDIT && r->patient != NULL) {
		struct patients_edit_arg arg = { r->patient, r->version };

		app_push(app, "patient-edit", &arg);
		return APP_HANDLED;
	}
	/* The insurance of the patient shown: only once it is the current patient. */
	if (a == A_COVERAGE && r->patient != NULL) {
		app_push(app, "coverage", NULL);
		return APP_HANDLED;
	}
	return ui_pager_action(&r->lines, a) ? APP_REDRAW : APP_IGNORED;
}

static const char *
record_focus(struct app *app, void *state)
{
	(void)app;
	(void)state;
	return "pager";
}

const struct screen_ops patient_screen = {
	.name = "patient",
	.title = "patient",
	.context = "patient",
	.module = "patients",
	.needs = SCREEN_NEEDS_ONLINE,
	.enter = record_enter,
	.leave = record_leave,
	.draw = record_draw,
	.action = record_action,
	.focus = record_focus,
};
