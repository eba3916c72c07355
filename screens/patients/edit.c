/* Register a patient without making a duplicate, or edit one without losing anyone's update. */
#include "config.h"

#include "screens/patients/patients-private.h"
#include "screens/screens.h"
#include "app/app.h"
#include "ui/dialog.h"
#include "ui/form.h"
#include "ui/ui.h"
#include "util/uuid.h"
#include "util/xmalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum edit_field {
	F_FAMILY,
	F_GIVEN,
	F_SEX,
	F_IDENTITY,
	F_BIRTH,
	F_MRN,
	F_PHONE,
	F_EMAIL,
	F_LINE,
	F_CITY,
	F_STATE,
	F_POSTAL,
	F_LANGUAGE,
	F_CONTACT,
	F_CONTACT_PHONE,
	F_COUNT,
};

// clang-format off
static const struct field_code sexes[] = {
	{ "female", "female" }, { "male", "male" }, { "other", "other" }, { "unknown", "unknown" },
};
/*
 * Gender identity, apart from the administrative sex above: R4 has no element for it,
 * so it goes in US Core's extension, with the codes of US Core's value set.
 */
static const struct field_code identities[] = {
	{ "446141000124107", "female" },
	{ "446151000124109", "male" },
	{ "33791000087105", "non-binary" },
	{ "OTH", "other" },
	{ "ASKU", "asked, declined to say" },
	{ "UNK", "unknown" },
};

/* BCP 47 codes of the languages a US clinic meets most, as US Core suggests. */
static const struct field_code languages[] = {
	{ "en", "English" }, { "es", "Spanish" }, { "zh", "Chinese" }, { "vi", "Vietnamese" },
	{ "tl", "Tagalog" }, { "ar", "Arabic" }, { "fr", "French" }, { "ko", "Korean" },
	{ "ru", "Russian" }, { "pt", "Portuguese" }, { "ht", "Haitian Creole" }, { "de", "German" },
};
static const struct field_def fields[F_COUNT] = {
	[F_FAMILY]  = { .label = "Family name", .type = FIELD_TEXT, .required = true, .max_chars = 60 },
	[F_GIVEN]   = { .label = "Given names", .type = FIELD_TEXT, .required = true, .max_chars = 60 },
	[F_SEX]     = { .label = "Sex", .type = FIELD_CODE, .required = true, .codes = sexes, .ncodes = 4 },
	[F_IDENTITY] = { .label = "Gender identity", .type = FIELD_CODE, .codes = identities,
			 .ncodes = sizeof identities / sizeof identities[0] },
	[F_BIRTH]   = { .label = "Date of birth", .type = FIELD_DATE, .required = true,
			.when = FIELD_NOT_FUTURE },
	[F_MRN]     = { .label = "MRN", .type = FIELD_TEXT, .max_chars = 40,
			.pattern = "[A-Za-z0-9.-]+", .pattern_hint = "letters, digits, '-' and '.'" },
	[F_PHONE]   = { .label = "Phone", .type = FIELD_PHONE },
	[F_EMAIL]   = { .label = "Email", .type = FIELD_EMAIL },
	[F_LINE]    = { .label = "Address", .type = FIELD_TEXT, .max_chars = 80 },
	[F_CITY]    = { .label = "City", .type = FIELD_TEXT, .max_chars = 40 },
	[F_STATE]   = { .label = "State", .type = FIELD_TEXT, .max_chars = 20 },
	[F_POSTAL]  = { .label = "ZIP code", .type = FIELD_TEXT, .max_chars = 10,
			.pattern = "[0-9]{5}(-[0-9]{4})?", .pattern_hint = "5 digits, as in 01001" },
	[F_LANGUAGE] = { .label = "Language", .type = FIELD_CODE, .codes = languages,
			 .ncodes = sizeof languages / sizeof languages[0] },
	[F_CONTACT] = { .label = "Emergency contact", .type = FIELD_TEXT, .max_chars = 60 },
	[F_CONTACT_PHONE] = { .label = "Contact phone", .type = FIELD_PHONE },
};
// clang-format on


enum edit_stage {
	STAGE_EDITING,
	STAGE_PROBING,	 /* looking for duplicates */
	STAGE_ASKING,	 /* duplicates found: register anyway? */
	STAGE_SAVING,
	STAGE_CONFLICT,	 /* someone saved first: their version and ours side by side */
};

struct edit {
	struct app *app;
	patients_saved_fn saved_fn; /* told of every save, with OPENER */
	void *opener;
	bool registering;
	bool unsure;	 /* a save went out and no usable answer came: read before the next */
	cJSON *original; /* the Patient as read (edit), kept so unknown elements survive */
	char *version;	 /* If-Match for the update */
	char request_id[UUID_BUF_SIZE];
	struct ui_form form;
	struct ui_dialog dialog;
	enum edit_stage stage;
	cJSON *theirs;	 /* the server's version after a conflict */
	char *their_version;
	bool warned;	 /* Esc was pressed once with unsaved changes */
	struct patient_allergies allergies; /* as the record read them, for the banner */
};

/* --- the form and the Patient ------------------------------------------------------- */

static void
set(struct ui_form *form, enum edit_field f, const char *text)
{
	char *cause = NULL;

	if (text != NULL && ui_form_set_text(form, f, text, &cause) != 0)
		free(cause); /* a value the form refuses stays for the clerk to correct */
}

/* Fill FORM from a Patient (edit, or the server's version after a conflict). */
static void
form_from_patient(struct ui_form *form, const cJSON *p)
{
	struct patient_form_view v;

	patient_form_view_read(p, &v);
	set(form, F_FAMILY, v.family);
	set(form, F_GIVEN, v.given);
	set(form, F_SEX, v.gender);
	set(form, F_IDENTITY, v.identity);
	if (*v.birth_date)
		set(form, F_BIRTH, v.birth_date);
	set(form, F_MRN, v.mrn);
	set(form, F_PHONE, v.phone);
	set(form, F_EMAIL, v.email);
	set(form, F_LINE, v.line);
	set(form, F_CITY, v.city);
	set(form, F_STATE, v.state);
	set(form, F_POSTAL, v.postal);
	/* "en-US" is English: the list holds languages, the record may add a region. */
	for (size_t i = 0; i < sizeof languages / sizeof languages[0]; i++)
		if (strcmp(languages[i].code, v.language) == 0)
			set(form, F_LANGUAGE, v.language);
	set(form, F_CONTACT, v.contact);
	set(form, F_CONTACT_PHONE, v.contact_phone);
	patient_form_view_clear(&v);
}

/* A phone field's value in the form records store and searches find. */
static char *
phone_of(struct edit *e, enum edit_field f)
{
	const struct field_value *v = ui_form_value(&e->form, f);
	char normal[PATIENT_QUERY_TEXT];

	if (v == NULL || v->empty)
		return NULL;
	return xstrdup(patient_phone_normal(v->text, normal) ? normal : v->text);
}

static char *
text_of(struct edit *e, enum edit_field f)
{
	const struct field_value *v = ui_form_value(&e->form, f);

	if (v == NULL || v->empty)
		return NULL;
	return field_format(v);
}

/*
 * The Patient to send: the one read with the form's fields written over it, so
 * elements this form does not show (other names, extensions) are kept as they were.
 */
static cJSON *
patient_from_form(struct edit *e)
{
	const struct field_value *gi = ui_form_value(&e->form, F_IDENTITY);
	const struct field_value *b = ui_form_value(&e->form, F_BIRTH);
	const struct field_value *lang = ui_form_value(&e->form, F_LANGUAGE);
	char *texts[] = { text_of(e, F_FAMILY), text_of(e, F_GIVEN), text_of(e, F_SEX),
		text_of(e, F_MRN), phone_of(e, F_PHONE), text_of(e, F_EMAIL), text_of(e, F_LINE),
		text_of(e, F_CITY), text_of(e, F_STATE), text_of(e, F_POSTAL), text_of(e, F_CONTACT),
		phone_of(e, F_CONTACT_PHONE) };
	struct patient_input in = {
		.family = texts[0], .given = texts[1], .gender = texts[2], .mrn = texts[3],
		.phone = texts[4], .email = texts[5], .line = texts[6], .city = texts[7],
		.state = texts[8], .postal = texts[9], .contact = texts[10], .contact_phone = texts[11],
	};
	cJSON *p;

	if (gi != NULL && !gi->empty) {
		in.identity_code = gi->code->code;
		in.identity_display = gi->code->display;
	}
	if (b != NULL && !b->empty) {
		in.has_birth = true;
		in.birth = b->date;
	}
	if (lang != NULL && !lang->empty) {
		in.language_code = lang->code->code;
		in.language_display = lang->code->display;
	}
	p = patient_apply(e->registering ? NULL : e->original, &in,
	    e->registering ? e->request_id : NULL);
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		free(texts[i]);
	return p;
}

/* --- saving ----------------------------------------------------------------------------- */

/* The form is kept; WHY (an answer that is not "saved") says what happened and what next. */
static void
not_saved(struct app *app, struct edit *e, const struct fhir_result *r)
{
	enum fhir_save outcome = fhir_save_outcome(r);
	char *why = patients_outcome(r, e->registering ? "Not registered" : "Not saved");

	/* Perhaps done: the next save reads the server first (an edit) or finds it by its identifier. */
	if (outcome == FHIR_SAVE_UNKNOWN || outcome == FHIR_SAVE_CANCELLED)
		e->unsure = true;
	ui_form_set_failed(&e->form, why);
	app_error(app, "%s", why);
	free(why);
	e->stage = STAGE_EDITING;
}

/* PATIENT (taken) at VERSION (taken) is what the server holds now: the form edits it from here. */
static void
saved(struct app *app, struct edit *e, cJSON *patient, char *version)
{
	const char *id = patient_id_of(patient);
	bool registered = e->registering;

	cJSON_Delete(e->original);
	e->original = patient;
	free(e->version);
	e->version = version;
	e->registering = false;
	e->unsure = false;
	e->stage = STAGE_EDITING;
	if (app_audit(app, registered ? "create" : "update", "Patient", id) != 0)
		return;
	ui_form_mark_clean(&e->form);
	ui_form_set_not_saved(&e->form, NULL);
	app_set_patient(app, e->original);
	app_status(app, "%s", registered ? "Registered" : "Saved");
	/* The opener (the record) shows what was saved, at its version, before the form leaves. */
	if (e->saved_fn != NULL)
		e->saved_fn(app, e->opener, e->original, e->version);
}

/* True when every field of the form reads the same from PATIENT as the clerk's text. */
static bool
same_as_form(struct edit *e, const cJSON *patient)
{
	struct ui_form theirs;
	bool same = true;

	ui_form_init(&theirs, fields, F_COUNT);
	form_from_patient(&theirs, patient);
	for (size_t i = 0; i < F_COUNT && same; i++) {
		char *a = ui_form_text(&theirs, i), *b = ui_form_text(&e->form, i);

		same = strcmp(a, b) == 0;
		free(a);
		free(b);
	}
	ui_form_free(&theirs);
	return same;
}

static void save(struct app *app, struct edit *e);

/* What the server holds, read after a conflict (TAG 0) or before retrying an unsure save (1). */
static void
on_server_read(struct app *app, void *state, struct fhir_result *r, unsigned long retrying)
{
	struct edit *e = state;
	char *version;

	if (r->status != FHIR_OK || !fhir_valid_id(patient_id_of(r->resource))) {
		char *why = xasprintf("the server's copy could not be read; save to try again (%s)",
		    r->message ? r->message : "no answer");

		ui_form_set_not_saved(&e->form, why);
		app_error(app, "Not saved: %s", why);
		free(why);
		e->stage = STAGE_EDITING;
		return;
	}
	version = r->version_id ? xstrdup(r->version_id)
	    : fhir_version_of(r->resource) ? xstrdup(fhir_version_of(r->resource)) : NULL;
	/*
	 * Their version may be ours: a save whose answer was lost on the way back
	 * did reach the server. Then it is saved, and saying "conflict" would be wrong.
	 */
	if (same_as_form(e, r->resource)) {
		saved(app, e, r->resource, version);
		r->resource = NULL;
		return;
	}
	/* Unchanged since the form read it: the earlier try did not get through. */
	if (retrying && version != NULL && e->version != NULL && strcmp(version, e->version) == 0) {
		free(version);
		e->unsure = false;
		save(app, e);
		return;
	}
	cJSON_Delete(e->theirs);
	e->theirs = r->resource;
	r->resource = NULL;
	free(e->their_version);
	e->their_version = version;
	e->unsure = false;
	ui_dialog_free(&e->dialog);
	ui_dialog_init(&e->dialog, "Save yours over theirs?", false);
	e->stage = STAGE_CONFLICT;
	app_error(app, "Someone saved this patient first: yes keeps your edits over theirs, no takes theirs");
}

static void
read_server(struct app *app, struct edit *e, bool retrying)
{
	char *ref = xasprintf("Patient/%s", patient_id_of(e->original));

	e->stage = STAGE_SAVING;
	app_request(app, e, &(struct app_request){ .read = ref, .done = on_server_read,
	    .tag = retrying, .slot = "patient-read", .label = "Reading the server's copy" });
	free(ref);
}

/* A server that answered the save without the Patient: read what it holds now. */
static void
on_saved_read(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct edit *e = state;

	(void)tag;
	if (r->status != FHIR_OK || !fhir_valid_id(patient_id_of(r->resource))) {
		/* Saved, but what the server holds is not known: the next save reads it first. */
		e->unsure = true;
		e->stage = STAGE_EDITING;
		ui_form_mark_clean(&e->form);
		app_status(app, "Saved; the server's copy could not be read back");
		return;
	}
	saved(app, e, r->resource,
	    r->version_id ? xstrdup(r->version_id)
	    : fhir_version_of(r->resource) ? xstrdup(fhir_version_of(r->resource)) : NULL);
	r->resource = NULL;
}

static void
on_saved(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct edit *e = state;
	cJSON *patient;
	char *version, ref[128], v[64];

	(void)tag;
	switch (fhir_save_outcome(r)) {
	case FHIR_SAVED:
		if (patient_saved(r->resource, e->registering ? NULL : patient_id_of(e->original),
			&patient, &version) == 0) {
			saved(app, e, patient, version);
			return;
		}
		free(version);
		if (fhir_plan_result(r->resource, 0, ref, sizeof ref, v, sizeof v) != 0 ||
		    strncmp(ref, "Patient/", 8) != 0) {
			if (e->registering) {
				e->unsure = true;
				e->stage = STAGE_EDITING;
				app_error(app, "Registered, but the server did not say where");
				return;
			}
			snprintf(ref, sizeof ref, "Patient/%s", patient_id_of(e->original));
		}
		app_request(app, e, &(struct app_request){ .read = ref, .done = on_saved_read,
		    .slot = "patient-read", .label = "Reading the saved patient" });
		return;
	case FHIR_SAVE_CONFLICT:
		if (!e->registering) {
			/* Never a silent overwrite: read what they saved and show it beside ours. */
			read_server(app, e, false);
			return;
		}
		/* FALLTHROUGH */
	case FHIR_NOT_SAVED:
	case FHIR_SAVE_UNKNOWN:
	case FHIR_SAVE_CANCELLED:
		not_saved(app, e, r);
		return;
	}
}

static void
save(struct app *app, struct edit *e)
{
	cJSON *p;
	struct fhir_plan *plan;
	int step;

	if (e->unsure && !e->registering) {
		/* The last try may have reached the server: what it holds decides. */
		read_server(app, e, true);
		return;
	}
	p = patient_from_form(e);
	plan = fhir_plan_new();
	if (e->registering) {
		/* The request identifier finds a first try whose answer was lost. */
		struct fhir_search *guard = fhir_request_search("Patient", e->request_id);

		step = fhir_plan_create(plan, p, guard);
		fhir_search_free(&guard);
	} else {
		step = fhir_plan_update(plan, p, e->version, NULL);
	}
	cJSON_Delete(p);
	if (step < 0) {
		fhir_plan_free(&plan);
		ui_form_set_not_saved(&e->form, "this patient has no version to save against; "
						"open it again");
		app_error(app, "Not saved: this patient has no version to save against");
		e->stage = STAGE_EDITING;
		return;
	}
	e->stage = STAGE_SAVING;
	app_request(app, e, &(struct app_request){ .plan = plan, .done = on_saved,
	    .slot = "patient-save", .label = e->registering ? "Registering" : "Saving" });
}

/* --- the duplicate probe --------------------------------------------------------------------- */

/* One audit line for the patients the probe is about to show; false when it cannot be written. */
static bool
probe_audited(struct app *app, const struct patient_view *found, size_t n)
{
	const char **ids = xcalloc(n > 0 ? n : 1, sizeof *ids);
	int rc;

	for (size_t i = 0; i < n; i++)
		ids[i] = found[i].id;
	rc = app_audit_ids(app, "view", "Patient", ids, n);
	free(ids);
	return rc == 0;
}

static void
on_probed(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct edit *e = state;
	struct patient_view *found = NULL;
	size_t n = 0, more = 0;
	enum patient_probe_result got = PATIENT_PROBE_FAILED;

	(void)tag;
	if (r->status == FHIR_CANCELLED) {
		e->stage = STAGE_EDITING;
		app_status(app, "Not registered: the duplicate check was cancelled");
		return;
	}
	if (r->status == FHIR_OK)
		got = patient_probe_read(r->resource, e->request_id, &found, &n, &more);
	ui_dialog_free(&e->dialog);
	if (got == PATIENT_PROBE_FAILED) {
		/* Not knowing is not "no duplicate": say so, and let the clerk decide. */
		ui_dialog_init(&e->dialog, "The duplicate check failed. Register anyway?", false);
		ui_dialog_addf(&e->dialog, "A patient already registered cannot be ruled out:");
		ui_dialog_addf(&e->dialog, "%s",
		    r->status != FHIR_OK && r->message ? r->message : "a search was not answered");
		ui_dialog_addf(&e->dialog, "No keeps the form; save again to check again.");
		ui_form_set_not_saved(&e->form, "the duplicate check failed; save to check again");
		app_error(app, "The duplicate check failed: %s",
		    r->status != FHIR_OK && r->message ? r->message : "a search was not answered");
		e->stage = STAGE_ASKING;
		return;
	}
	if (got == PATIENT_PROBE_CLEAR) {
		ui_dialog_init(&e->dialog, "", false);
		save(app, e);
		return;
	}
	if (!probe_audited(app, found, n)) {
		/* Names the audit trail did not record are not shown; the form stays as typed. */
		for (size_t i = 0; i < n; i++)
			patient_view_clear(&found[i]);
		free(found);
		ui_dialog_init(&e->dialog, "", false);
		ui_form_set_not_saved(&e->form, "the audit trail cannot be written; save to try again");
		e->stage = STAGE_EDITING;
		return;
	}
	ui_dialog_init(&e->dialog, "This may be a patient already registered. Register anyway?", false);
	for (size_t i = 0; i < n; i++) {
		struct patient_view *v = &found[i];

		ui_dialog_addf(&e->dialog, "%-28s %c %s  MRN %s  %s", v->name, v->sex, v->birth_date,
		    *v->mrn ? v->mrn : "-", v->phone);
		patient_view_clear(v);
	}
	if (more > 0)
		ui_dialog_addf(&e->dialog, "(+%zu more)", more);
	free(found);
	e->stage = STAGE_ASKING;
}

static void
probe(struct app *app, struct edit *e)
{
	const struct field_value *b = ui_form_value(&e->form, F_BIRTH);
	char *family = text_of(e, F_FAMILY), *mrn = text_of(e, F_MRN), *phone = phone_of(e, F_PHONE);
	char iso[DATE_BUF_SIZE];
	struct patient_probe pr = { .birth_date = iso, .family = family, .mrn = mrn, .phone = phone };
	cJSON *batch;

	date_format_iso(&b->date, iso, sizeof iso);
	batch = patient_probe_batch(app_fhir(app), &pr);
	free(family);
	free(mrn);
	free(phone);
	e->stage = STAGE_PROBING;
	app_request(app, e, &(struct app_request){ .batch = batch, .done = on_probed,
	    .slot = "patient-probe", .label = "Looking for duplicates" });
	cJSON_Delete(batch);
}

/* --- the screen ------------------------------------------------------------------------------- */

static void *
edit_enter(struct app *app, void *arg)
{
	struct edit *e = xcalloc(1, sizeof *e);
	const struct patients_edit_arg *a = arg;

	e->app = app;
	ui_form_init(&e->form, fields, F_COUNT);
	ui_dialog_init(&e->dialog, "", false);
	uuid_v4(e->request_id);
	if (a != NULL && a->opened != NULL && a->opened->patient != NULL) {
		e->saved_fn = a->saved;
		e->opener = a->opener;
		e->original = cJSON_Duplicate(a->opened->patient, 1);
		e->version = a->opened->version ? xstrdup(a->opened->version) : NULL;
		patient_allergies_copy(&e->allergies, &a->opened->allergies);
		form_from_patient(&e->form, e->original);
		ui_form_mark_clean(&e->form);
	} else {
		e->registering = true;
	}
	return e;
}

static void
edit_leave(struct app *app, void *state)
{
	struct edit *e = state;

	(void)app;
	ui_form_free(&e->form);
	ui_dialog_free(&e->dialog);
	cJSON_Delete(e->original);
	cJSON_Delete(e->theirs);
	free(e->version);
	free(e->their_version);
	patient_allergies_clear(&e->allergies);
	free(e);
}

static void
draw_conflict(struct app *app, struct edit *e, WINDOW *win, int top, int rows)
{
	struct ui_form theirs;
	char yes[32], no[32];
	int y = top + 1;

	ui_put(win, y++, 1, COLS - 2, "Someone saved this patient while you edited it.", UI_ERROR, false);
	ui_putf(win, y++, 1, COLS - 2, UI_NORMAL, false, "%-18s %-28s %s", "", "Theirs (saved)",
	    "Yours (not saved)");
	/* Their values read through a second form, so both sides are formatted alike. */
	ui_form_init(&theirs, fields, F_COUNT);
	form_from_patient(&theirs, e->theirs);
	for (size_t i = 0; i < F_COUNT && y < top + rows - 1; i++) {
		char *a = ui_form_text(&theirs, i), *b = ui_form_text(&e->form, i);
		bool differ = strcmp(a, b) != 0;

		ui_putf(win, y++, 1, COLS - 2, differ ? UI_ERROR : UI_NORMAL, true, "%-18s %-28.28s %s",
		    fields[i].label, a, b);
		free(a);
		free(b);
	}
	/* The keys as the live keymap binds them: a user's keymap may answer with others. */
	if (!app_key_for(app, A_YES, yes, sizeof yes))
		snprintf(yes, sizeof yes, "yes");
	if (!app_key_for(app, A_NO, no, sizeof no))
		snprintf(no, sizeof no, "no");
	ui_putf(win, y + 1, 1, COLS - 2, UI_STATUS, false,
	    "%s: save yours over theirs   %s: take theirs and edit again", yes, no);
	ui_form_free(&theirs);
}

static void
edit_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct edit *e = state;
	struct date_time now;

	if (!e->registering && e->original != NULL) {
		struct patient_view pv;

		date_time_now(&now);
		patient_view_read(e->original, &pv);
		ui_banner_draw(win, top, COLS, &pv, &e->allergies, &now.date);
		patient_view_clear(&pv);
		top++;
		rows--;
	}
	if (e->stage == STAGE_CONFLICT && e->theirs != NULL) {
		draw_conflict(app, e, win, top, rows);
		return;
	}
	ui_form_draw(&e->form, win, top + 1, rows - 1, COLS);
	if (e->stage == STAGE_ASKING)
		ui_dialog_draw(&e->dialog, win, top + 2, rows - 3, COLS);
}

static int
edit_save(struct app *app, void *state)
{
	struct edit *e = state;

	if (!ui_form_valid(&e->form)) {
		app_error(app, "%s", ui_form_message(&e->form, ui_form_focus(&e->form))
			? ui_form_message(&e->form, ui_form_focus(&e->form))
			: "Some fields need attention");
		return APP_REDRAW;
	}
	if (e->registering)
		probe(app, e);
	else if (!ui_form_dirty(&e->form) && e->form.not_saved == NULL && !e->unsure)
		app_status(app, "Nothing changed; nothing to save");
	else
		save(app, e);
	return APP_REDRAW;
}

static int
edit_back(struct app *app, void *state)
{
	struct edit *e = state;
	char esc[32], f10[32];

	/* A question is the dialog's; a request running is the loop's to cancel. */
	if (e->stage != STAGE_EDITING || app_requests(app, e) > 0)
		return APP_IGNORED;
	/* Leaving would lose typing: say so once; a second Esc leaves. */
	if (!ui_form_dirty(&e->form) || e->warned)
		return APP_LEAVE;
	e->warned = true;
	if (app_key_for(app, A_BACK, esc, sizeof esc) && app_key_for(app, A_SAVE, f10, sizeof f10))
		app_error(app, "Unsaved changes: %s again discards them, %s saves", esc, f10);
	else
		app_error(app, "Unsaved changes: back again discards them");
	return APP_REDRAW;
}

enum { NEEDS_EDITING = APP_NEEDS_SCREEN };

static const char *
edit_unmet(struct app *app, void *state, unsigned need)
{
	struct edit *e = state;

	(void)app;
	if (need == NEEDS_EDITING && e->stage != STAGE_EDITING)
		return e->stage == STAGE_ASKING || e->stage == STAGE_CONFLICT
		    ? "answer the question first" : "wait for the server's answer";
	return NULL;
}

static struct app_focus
edit_widget(struct app *app, void *state)
{
	struct edit *e = state;

	(void)app;
	if (e->stage == STAGE_ASKING || e->stage == STAGE_CONFLICT)
		return (struct app_focus){ APP_WIDGET_DIALOG, &e->dialog };
	if (e->stage == STAGE_EDITING)
		return (struct app_focus){ APP_WIDGET_FORM, &e->form };
	return (struct app_focus){ APP_WIDGET_NONE, NULL };
}

/* The conflict answered: yes writes ours over their version, no takes theirs into the form. */
static void
conflict_answered(struct app *app, struct edit *e, bool ours)
{
	/* Either way the next If-Match is theirs. */
	free(e->version);
	e->version = e->their_version;
	e->their_version = NULL;
	cJSON_Delete(e->original);
	e->original = e->theirs;
	e->theirs = NULL;
	e->stage = STAGE_EDITING;
	if (ours) {
		save(app, e);
		return;
	}
	form_from_patient(&e->form, e->original);
	ui_form_mark_clean(&e->form);
	ui_form_set_not_saved(&e->form, NULL);
	app_status(app, "Their version is loaded; edit and save again");
}

/* The form or the question took a key. */
static void
edit_changed(struct app *app, void *state, enum action a)
{
	struct edit *e = state;
	enum ui_dialog_answer answer = ui_dialog_answer(&e->dialog);

	(void)a;
	e->warned = false;
	if ((e->stage != STAGE_ASKING && e->stage != STAGE_CONFLICT) || answer == UI_DIALOG_ASKING)
		return;
	ui_dialog_free(&e->dialog);
	ui_dialog_init(&e->dialog, "", false);
	if (e->stage == STAGE_CONFLICT) {
		conflict_answered(app, e, answer == UI_DIALOG_YES);
		return;
	}
	if (answer == UI_DIALOG_YES) {
		save(app, e);
		return;
	}
	e->stage = STAGE_EDITING;
	app_status(app, "Not registered; the form is as you left it");
}

static bool
edit_cursor(struct app *app, void *state, int *y, int *x)
{
	struct edit *e = state;

	(void)app;
	return e->stage == STAGE_EDITING && ui_form_cursor(&e->form, y, x);
}

static bool
edit_unsaved(struct app *app, void *state)
{
	struct edit *e = state;

	(void)app;
	return ui_form_dirty(&e->form) || e->unsure;
}

static const struct screen_action edit_actions[] = {
	{ A_SAVE, edit_save, APP_NEEDS_IDLE | NEEDS_EDITING, "save" },
	{ A_RETRY, edit_save, APP_NEEDS_IDLE | NEEDS_EDITING, NULL },
	{ A_BACK, edit_back, 0, NULL },
	{ A_NONE },
};

const struct screen_ops patient_edit_screen = {
	.name = "patient-edit",
	.title = "patient details",
	.context = "patient-edit",
	.module = "patients",
	.needs = SCREEN_NEEDS_ONLINE,
	.enter = edit_enter,
	.leave = edit_leave,
	.draw = edit_draw,
	.cursor = edit_cursor,
	.unsaved = edit_unsaved,
	.actions = edit_actions,
	.unmet = edit_unmet,
	.widget = edit_widget,
	.changed = edit_changed,
};

int
patients_open_register(struct app *app)
{
	return app_open(app, &patient_edit_screen, NULL);
}

int
patients_open_edit(struct app *app, const struct patient_opened *opened, patients_saved_fn told,
    void *opener)
{
	struct patients_edit_arg a = { opened, told, opener };

	return app_open(app, &patient_edit_screen, &a);
}
