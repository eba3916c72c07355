/* A patient's record: the banner and the demographics, read in one round trip. */
#include "config.h"

#include "fhir/capability.h"
#include "screens/billing/billing.h"
#include "screens/patients/patients-private.h"
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
	struct patient_opened opened; /* the Patient (NULL until read), its version, banner, allergies */
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
fill_lines(struct record *r)
{
	struct patient_view v;
	struct patient_detail *details;
	struct date_time now;
	size_t n;
	int age;
	char born[40];

	date_time_now(&now);
	ui_pager_free(&r->lines);
	ui_pager_init(&r->lines);
	patient_view_read(r->opened.patient, &v);
	age = patient_view_age(&v, &now.date);
	add_line(r, "Name", v.name);
	add_line(r, "Sex", *v.gender ? v.gender : "not recorded");
	if (*v.birth_date != '\0') {
		snprintf(born, sizeof born, "%s (age %d)", v.birth_date, age);
		add_line(r, "Born", born);
	}
	n = patient_details(r->opened.patient, &details);
	for (size_t i = 0; i < n; i++)
		add_line(r, details[i].label, details[i].value);
	patient_details_free(details, n);
	patient_view_clear(&v);
}

/* Show PATIENT (copied) at VERSION: the banner's view and the lines follow it. */
static void
show(struct app *app, struct record *r, const cJSON *patient, const char *version)
{
	cJSON *copy = cJSON_Duplicate(patient, true);
	char *v = version != NULL ? xstrdup(version) : NULL;

	cJSON_Delete(r->opened.patient);
	free(r->opened.version);
	r->opened.patient = copy;
	r->opened.version = v;
	if (r->opened.view.id != NULL)
		patient_view_clear(&r->opened.view);
	patient_view_read(r->opened.patient, &r->opened.view);
	app_set_patient(app, r->opened.patient);
	fill_lines(r);
	app_dirty(app);
}

/* No view without its audit line: if the trail cannot be written, nothing is shown. */
static bool
audited(struct app *app, struct record *r)
{
	if (app_audit(app, "view", "Patient", r->id) == 0)
		return true;
	cJSON_Delete(r->opened.patient);
	r->opened.patient = NULL;
	free(r->failed);
	r->failed = xstrdup("not shown: the audit trail cannot be written");
	return false;
}

static void
on_opened(struct app *app, void *state, struct fhir_result *res, unsigned long tag)
{
	struct record *r = state;
	struct patient_opened got;
	char *cause = NULL;

	(void)tag;
	if (res->status != FHIR_OK ||
	    patient_open_result(res->resource, r->id, &got, &cause) != 0) {
		free(r->failed);
		r->failed = cause != NULL ? cause
		    : res->status == FHIR_CANCELLED ? xstrdup("Not opened: cancelled")
		    : xstrdup(res->message ? res->message : "the patient could not be read");
		app_error(app, "%s", r->failed);
		return;
	}
	patient_opened_clear(&r->opened);
	r->opened = got;
	if (!audited(app, r))
		return;
	app_set_patient(app, r->opened.patient);
	fill_lines(r);
}

/* The conditional read on coming back: a 304 changes nothing. */
static void
on_reread(struct app *app, void *state, struct fhir_result *res, unsigned long tag)
{
	struct record *r = state;

	(void)tag;
	if (res->status == FHIR_NOT_MODIFIED || res->status == FHIR_CANCELLED)
		return;
	if (res->status != FHIR_OK || !fhir_valid_id(patient_id_of(res->resource)) ||
	    strcmp(patient_id_of(res->resource), r->id) != 0) {
		app_error(app, "The patient could not be read again: %s",
		    res->message ? res->message : "not this patient");
		return;
	}
	show(app, r, res->resource, res->version_id ? res->version_id
						     : fhir_version_of(res->resource));
	audited(app, r);
}

static void *
record_enter(struct app *app, void *arg)
{
	struct record *r = xcalloc(1, sizeof *r);
	cJSON *batch;

	r->id = xstrdup(arg != NULL ? (const char *)arg : "");
	ui_pager_init(&r->lines);
	if (!fhir_valid_id(r->id)) {
		r->failed = xstrdup("this entry has no usable patient id");
		return r;
	}
	batch = patient_open_batch(app_fhir(app), r->id);
	app_request(app, r, &(struct app_request){ .batch = batch, .done = on_opened,
	    .slot = "patient-open", .label = "Opening the patient" });
	cJSON_Delete(batch);
	return r;
}

static void
record_leave(struct app *app, void *state)
{
	struct record *r = state;

	(void)app;
	ui_pager_free(&r->lines);
	patient_opened_clear(&r->opened);
	free(r->id);
	free(r->failed);
	free(r);
}

static void
record_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct record *r = state;
	struct date_time now;

	(void)app;
	if (r->opened.patient == NULL) {
		ui_put(win, top + 1, 2, COLS - 4, r->failed ? r->failed : "Opening the patient...",
		    r->failed ? UI_ERROR : UI_DIM, false);
		return;
	}
	date_time_now(&now);
	ui_banner_draw(win, top, COLS, &r->opened.view, &r->opened.allergies, &now.date);
	ui_pager_draw(&r->lines, win, top + 2, rows - 2, COLS);
}

/* Back from a screen above (the edit, the insurance): what the server holds now, if it changed. */
static void
record_resume(struct app *app, void *state)
{
	struct record *r = state;
	char *ref;

	if (r->opened.patient == NULL)
		return;
	ref = xasprintf("Patient/%s", r->id);
	app_request(app, r, &(struct app_request){ .read = ref, .if_none_match = r->opened.version,
	    .done = on_reread, .slot = "patient-reread", .label = "Reading the patient again" });
	free(ref);
}

/* The edit saved: show what the server holds, at its version, before the form leaves. */
static void
edited(struct app *app, void *opener, const cJSON *patient, const char *version)
{
	show(app, opener, patient, version);
}

static int
edit_patient(struct app *app, void *state)
{
	struct record *r = state;

	patients_open_edit(app, &r->opened, edited, r);
	return APP_HANDLED;
}

static int
open_coverage(struct app *app, void *state)
{
	(void)state;
	patients_open_coverage(app);
	return APP_HANDLED;
}

static int
open_ledger(struct app *app, void *state)
{
	(void)state;
	billing_open_ledger(app);
	return APP_HANDLED;
}

/*
 * Back: once the patient shows, the record leaves even while it reads the patient again
 * (coming back from the edit); that answer no longer matters. While it opens, the loop's
 * Esc cancels the opening.
 */
static int
record_back(struct app *app, void *state)
{
	struct record *r = state;

	(void)app;
	return r->opened.patient != NULL ? APP_LEAVE : APP_IGNORED;
}

enum {
	NEEDS_LOADED = APP_NEEDS_SCREEN,
	NEEDS_WRITABLE = APP_NEEDS_SCREEN << 1, /* the server takes Patient create and update */
};

static const char *
record_unmet(struct app *app, void *state, unsigned need)
{
	struct record *r = state;

	if (need == NEEDS_LOADED && r->opened.patient == NULL)
		return r->failed != NULL ? "the patient could not be read" : "wait for the patient to be read";
	/* An edit the server does not take is refused with its reason, never typed in vain. */
	if (need == NEEDS_WRITABLE)
		return fhir_caps_read_only(app_caps(app), "patients");
	return NULL;
}

static struct app_focus
record_widget(struct app *app, void *state)
{
	struct record *r = state;

	(void)app;
	return (struct app_focus){ APP_WIDGET_PAGER, &r->lines };
}

static const struct screen_action record_actions[] = {
	{ A_EDIT, edit_patient, NEEDS_LOADED | NEEDS_WRITABLE, "edit" },
	{ A_COVERAGE, open_coverage, NEEDS_LOADED, "insurance" },
	{ A_LEDGER, open_ledger, NEEDS_LOADED, "ledger" },
	{ A_BACK, record_back, 0, NULL },
	{ A_NONE },
};

const struct screen_ops patient_screen = {
	.name = "patient",
	.title = "patient",
	.context = "patient",
	.module = "patients",
	.needs = SCREEN_NEEDS_ONLINE,
	.needs_arg = "find the patient first, then open the row",
	.enter = record_enter,
	.leave = record_leave,
	.draw = record_draw,
	.resume = record_resume,
	.actions = record_actions,
	.unmet = record_unmet,
	.widget = record_widget,
};

int
patients_open_record(struct app *app, const char *id)
{
	return app_open(app, &patient_screen, (void *)id);
}
