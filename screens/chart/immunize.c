/* Recording an immunization given: the patient's allergies listed first, then the vaccine, lot, site and route. */
#include "config.h"

#include "screens/chart/chart-private.h"
#include "screens/screens.h"
#include "app/app.h"
#include "fhir/allergy.h"
#include "fhir/immunization.h"
#include "fhir/plan.h"
#include "fhir/record.h"
#include "ui/form.h"
#include "ui/ui.h"
#include "util/uuid.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { F_VACCINE, F_GIVEN, F_LOT, F_SITE, F_ROUTE, F_COUNT };

struct immunize {
	char *id; /* the patient's */
	struct chart_banner banner;
	struct record_list allergies; /* read when the screen opens: listed before anything is given */
	bool loaded;
	char *failed;
	/* The form's code lists, made from the FHIR layer's tables. */
	struct field_code *vaccines, *sites, *routes;
	struct field_def fields[F_COUNT];
	struct ui_form form;
	bool warned, unsure;
	char request_id[UUID_BUF_SIZE];
};

static struct field_code *
codes_of(const struct immunization_choice *c, size_t n)
{
	struct field_code *out = xcalloc(n, sizeof *out);

	for (size_t i = 0; i < n; i++)
		out[i] = (struct field_code){ c[i].code, c[i].display };
	return out;
}

static void
on_allergies(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct immunize *m = state;
	char *cause = NULL;

	(void)tag;
	record_list_clear(&m->allergies);
	m->loaded = false;
	free(m->failed);
	m->failed = NULL;
	if (r->status != FHIR_OK ||
	    record_list_read(RECORD_ALLERGY, r->resource, m->id, &m->allergies, &cause) != 0) {
		m->failed = cause != NULL ? cause
		    : xstrdup(r->status == FHIR_CANCELLED ? "cancelled"
			      : r->message != NULL ? r->message : "no answer");
		app_error(app, "The allergies could not be read: %s", m->failed);
		return;
	}
	m->loaded = true;
	patient_allergies_clear(&m->banner.allergies);
	patient_allergies_read(r->resource, m->id, &m->banner.allergies);
	if (app_audit(app, "view", "AllergyIntolerance", m->id) != 0)
		app_error(app, "Not shown: the audit trail cannot be written");
	app_dirty(app);
}

static void
read_allergies(struct app *app, struct immunize *m)
{
	struct fhir_search *s = record_active_search(RECORD_ALLERGY, m->id);

	app_request(app, m, &(struct app_request){ .search = s, .done = on_allergies,
	    .slot = "allergies", .label = "Reading the allergies" });
	fhir_search_free(&s);
}

static void *
immunize_enter(struct app *app, void *arg)
{
	const struct chart_list_arg *in = arg;
	struct immunize *m = xcalloc(1, sizeof *m);
	struct field_value today = { .type = FIELD_DATE };
	struct date_time now;
	size_t nv, ns, nr;
	const struct immunization_choice *v = immunization_vaccines(&nv),
	    *s = immunization_sites(&ns), *r = immunization_routes(&nr);
	char *cause = NULL;

	m->id = xstrdup(in->id);
	chart_banner_take(&m->banner, in);
	m->vaccines = codes_of(v, nv);
	m->sites = codes_of(s, ns);
	m->routes = codes_of(r, nr);
	m->fields[F_VACCINE] = (struct field_def){ .label = "Vaccine", .type = FIELD_CODE,
		.required = true, .codes = m->vaccines, .ncodes = nv };
	m->fields[F_GIVEN] = (struct field_def){ .label = "Given on", .type = FIELD_DATE,
		.required = true, .when = FIELD_NOT_FUTURE };
	m->fields[F_LOT] = (struct field_def){ .label = "Lot", .type = FIELD_TEXT, .max_chars = 20 };
	m->fields[F_SITE] = (struct field_def){ .label = "Site", .type = FIELD_CODE,
		.codes = m->sites, .ncodes = ns };
	m->fields[F_ROUTE] = (struct field_def){ .label = "Route", .type = FIELD_CODE,
		.codes = m->routes, .ncodes = nr };
	ui_form_init(&m->form, m->fields, F_COUNT);
	date_time_now(&now);
	today.date = now.date;
	ui_form_set_value(&m->form, F_GIVEN, &today, &cause);
	free(cause);
	ui_form_mark_clean(&m->form);
	uuid_v4(m->request_id);
	read_allergies(app, m);
	return m;
}

static void
immunize_leave(struct app *app, void *state)
{
	struct immunize *m = state;

	(void)app;
	ui_form_free(&m->form);
	record_list_clear(&m->allergies);
	chart_banner_clear(&m->banner);
	free(m->vaccines);
	free(m->sites);
	free(m->routes);
	free(m->failed);
	free(m->id);
	free(m);
}

static void
immunize_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct immunize *m = state;
	int y = top + 3;
	size_t real = 0, shown = 0, lines;

	(void)app;
	chart_banner_draw(&m->banner, win, top);
	ui_putf(win, top + 2, 0, COLS, UI_TITLE, true, "Allergies of %s, before giving a vaccine:",
	    m->banner.view.name);
	for (size_t i = 0; m->loaded && i < m->allergies.n; i++)
		real += !m->allergies.items[i].no_known;
	/* Every free row first; the last one counts what does not fit. */
	lines = (size_t)chart_lines_above_form(top, rows, y, F_COUNT);
	if (real + m->allergies.more > lines)
		lines--;
	if (!m->loaded)
		ui_putf(win, y++, 2, COLS - 2, m->failed ? UI_ERROR : UI_NORMAL, true, "%s%s",
		    m->failed ? "Not read: " : "Reading...", m->failed ? m->failed : "");
	else if (real == 0)
		ui_putf(win, y++, 2, COLS - 2, UI_NORMAL, true, "%s",
		    m->allergies.n > 0 ? "No known allergies." : "None recorded.");
	/* In the list's order: high criticality first (allergy_order). */
	for (size_t i = 0; m->loaded && i < m->allergies.n && shown < lines; i++) {
		const struct record_entry *e = &m->allergies.items[i];

		if (e->no_known)
			continue;
		ui_putf(win, y++, 2, COLS - 2, allergy_rank(e->detail) == 0 ? UI_ERROR : UI_NORMAL,
		    true, "%s (%s)", e->what, *e->detail ? e->detail : "criticality not recorded");
		shown++;
	}
	if (m->loaded && real + m->allergies.more > shown)
		ui_putf(win, y++, 2, COLS - 2, UI_NORMAL, true, "(+%zu more)",
		    real + m->allergies.more - shown);
	ui_putf(win, ++y, 0, COLS, UI_TITLE, true, "Record an immunization given:");
	ui_form_draw(&m->form, win, y + 1, top + rows - y - 1, COLS);
}

static void
on_saved(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct immunize *m = state;
	enum fhir_save outcome = fhir_save_outcome(r);
	const struct field_value *v = ui_form_value(&m->form, F_VACCINE);

	(void)tag;
	if (outcome == FHIR_SAVED) {
		m->unsure = false;
		ui_form_mark_clean(&m->form);
		if (app_audit(app, "create", "Immunization", m->id) == 0)
			app_status(app, "Recorded for %s: %s.", m->banner.view.name,
			    v != NULL && !v->empty ? v->code->display : "the immunization");
		app_leave(app, m);
		return;
	}
	/* The form stays, under the same request identifier: saving again writes nothing twice. */
	m->unsure = outcome == FHIR_SAVE_UNKNOWN || outcome == FHIR_SAVE_CANCELLED;
	ui_form_set_not_saved(&m->form, r->message ? r->message : fhir_save_name(outcome));
	app_error(app, "%s; the form is kept (save again): %s", fhir_save_name(outcome),
	    r->message ? r->message : "no answer came");
}

static const char *
code_of(struct ui_form *form, size_t i)
{
	const struct field_value *v = ui_form_value(form, i);

	return v != NULL && !v->empty ? v->code->code : NULL;
}

static int
immunize_save(struct app *app, void *state)
{
	struct immunize *m = state;
	const struct field_value *given;
	struct immunization_input in;
	struct fhir_plan *plan;
	char day[16], *lot, *cause = NULL;

	if (!ui_form_valid(&m->form)) {
		const char *why = ui_form_message(&m->form, ui_form_focus(&m->form));

		app_error(app, "Not saved: %s", why != NULL ? why : "a field needs attention");
		return APP_REDRAW;
	}
	if (!chart_same_patient(app, m->id, m->banner.view.name))
		return APP_REDRAW;
	given = ui_form_value(&m->form, F_GIVEN);
	date_format_iso(&given->date, day, sizeof day);
	/* Given before the patient was born is a typing slip, refused as the future is. */
	if ((cause = chart_before_birth("Given on", day, &m->banner.view)) != NULL) {
		ui_form_set_focus(&m->form, F_GIVEN);
		app_error(app, "Not saved: %s", cause);
		free(cause);
		return APP_REDRAW;
	}
	lot = ui_form_text(&m->form, F_LOT);
	in = (struct immunization_input){ .cvx = code_of(&m->form, F_VACCINE), .given = day,
		.lot = lot, .site = code_of(&m->form, F_SITE), .route = code_of(&m->form, F_ROUTE) };
	plan = immunization_given_plan(m->id, &in, m->request_id, &cause);
	free(lot);
	if (plan == NULL) {
		app_error(app, "Not saved: %s", cause);
		free(cause);
		return APP_REDRAW;
	}
	app_request(app, m, &(struct app_request){ .plan = plan, .done = on_saved,
	    .label = "Saving the immunization" });
	return APP_REDRAW;
}

static int
immunize_back(struct app *app, void *state)
{
	struct immunize *m = state;
	char esc[32], save[32];

	if (app_requests(app, m) > 0)
		return APP_IGNORED; /* the loop's to cancel */
	if ((!ui_form_dirty(&m->form) && !m->unsure) || m->warned)
		return APP_LEAVE;
	m->warned = true;
	if (app_key_for(app, A_BACK, esc, sizeof esc) && app_key_for(app, A_SAVE, save, sizeof save))
		app_error(app, "Unsaved immunization: %s again discards it, %s saves", esc, save);
	else
		app_error(app, "Unsaved immunization: back again discards it");
	return APP_REDRAW;
}

static void
immunize_changed(struct app *app, void *state, enum action a)
{
	struct immunize *m = state;

	(void)app;
	(void)a;
	m->warned = false;
}

enum { NEEDS_ALLERGIES = APP_NEEDS_SCREEN };

static const char *
immunize_unmet(struct app *app, void *state, unsigned need)
{
	struct immunize *m = state;

	(void)app;
	/* Nothing is given before the allergies have been listed. */
	if (need == NEEDS_ALLERGIES && !m->loaded)
		return m->failed ? "the allergies could not be read: refresh"
				 : "wait for the allergies to be listed";
	return NULL;
}

static int
reread(struct app *app, void *state)
{
	read_allergies(app, state);
	return APP_REDRAW;
}

static struct app_focus
immunize_widget(struct app *app, void *state)
{
	struct immunize *m = state;

	(void)app;
	return (struct app_focus){ APP_WIDGET_FORM, &m->form };
}

static bool
immunize_cursor(struct app *app, void *state, int *y, int *x)
{
	struct immunize *m = state;

	(void)app;
	return ui_form_cursor(&m->form, y, x);
}

static bool
immunize_unsaved(struct app *app, void *state)
{
	struct immunize *m = state;

	(void)app;
	return ui_form_dirty(&m->form) || m->unsure;
}

static const struct screen_action immunize_actions[] = {
	{ A_SAVE, immunize_save, NEEDS_ALLERGIES | APP_NEEDS_IDLE, "save" },
	{ A_REFRESH, reread, APP_NEEDS_IDLE, NULL },
	{ A_BACK, immunize_back, 0, NULL },
	{ A_NONE },
};

const struct screen_ops chart_immunize_screen = {
	.name = "immunize-form",
	.title = "immunization",
	.context = "immunize-form",
	.module = "charting",
	.needs = SCREEN_NEEDS_ONLINE,
	.needs_arg = "open the patient's chart first",
	.enter = immunize_enter,
	.leave = immunize_leave,
	.draw = immunize_draw,
	.cursor = immunize_cursor,
	.unsaved = immunize_unsaved,
	.actions = immunize_actions,
	.unmet = immunize_unmet,
	.widget = immunize_widget,
	.changed = immunize_changed,
};

int
chart_open_immunize(struct app *app, const struct chart_list_arg *arg)
{
	return app_open(app, &chart_immunize_screen, (void *)arg);
}
