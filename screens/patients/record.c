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
	struct patient_detail *details;
	size_t n;
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
	n = patient_details(r->patient, &details);
	for (size_t i = 0; i < n; i++)
		add_line(r, details[i].label, details[i].value);
	patient_details_free(details, n);
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
		struct patients_edit_arg arg = { r->patient, r->version, &r->opened.allergies };

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
	.needs_arg = "find the patient first (F2), then press Enter on the row",
	.enter = record_enter,
	.leave = record_leave,
	.draw = record_draw,
	.action = record_action,
	.focus = record_focus,
};
