/*
 * Home screen: the modules, each available or greyed with the reason the server gave; for
 * a clinician (a practitioner with a schedule), below them "my patients today".
 */
#include "config.h"

#include "screens/chart/chart.h"
#include "screens/scheduling/scheduling.h"
#include "screens/screens.h"
#include "app/app.h"
#include "fhir/capability.h"
#include "fhir/schedule.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Who is logged in, asked once a session: the practitioner whose day home shows, or none. */
#define ME_KEPT "home.me"
struct me {
	char *practitioner; /* "Practitioner/ID", or NULL: not a clinician (the front desk) */
};

struct home {
	size_t cursor; /* the modules first, then today's patients */
	bool moved;    /* the user moved it: a list read again leaves it where it is */
	size_t first;  /* the first patient row drawn */
	struct sched_board day;
	bool shown;    /* DAY is read and its audit line written */
	bool reading;
	bool started;  /* the first read went out: home is drawn before the server is reached */
	time_t asked;  /* when the server last answered for DAY */
	char *failure; /* why the day is not shown, or NULL */
};

/* The action that jumps to each module: its key, from the live keymap, is shown beside it. */
static const struct {
	const char *module;
	enum action jump;
} module_jumps[] = {
	{ "patients", A_PATIENTS },
	{ "scheduling", A_SCHEDULE },
	{ "charting", A_CHART },
	{ "billing", A_BILLING },
};

static enum action
jump_of(const char *module)
{
	for (size_t i = 0; i < sizeof module_jumps / sizeof module_jumps[0]; i++)
		if (strcmp(module_jumps[i].module, module) == 0)
			return module_jumps[i].jump;
	return A_NONE;
}

static void
me_free(void *data)
{
	struct me *me = data;

	free(me->practitioner);
	free(me);
}

static const struct me *
me_of(struct app *app)
{
	return app_kept(app, ME_KEPT);
}

static size_t
patients_shown(const struct home *h)
{
	return h->shown ? h->day.n : 0;
}

static void
set_failure(struct home *h, char *why)
{
	free(h->failure);
	h->failure = why;
}

static void
on_day(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct home *h = state;
	struct date_time now;
	struct sched_board b;
	char *cause = NULL;

	(void)tag;
	h->reading = false;
	if (r->status == FHIR_CANCELLED)
		return;
	date_time_now(&now);
	if (r->status != FHIR_OK || sched_board_read(r->resource, &now.date, &b, &cause) != 0) {
		set_failure(h, xasprintf("Your patients today could not be read: %s",
		    r->status != FHIR_OK && r->message ? r->message : cause ? cause : "no answer"));
		app_error(app, "%s", h->failure);
		free(cause);
		return;
	}
	sched_board_free(&h->day);
	h->day = b;
	h->asked = time(NULL);
	/* No names without their audit line. */
	h->shown = scheduling_audit_patients(app, h->day.patients) == 0;
	set_failure(h, h->shown ? NULL : xstrdup(SCHEDULING_NOT_AUDITED));
	sched_board_sort(&h->day);
	if (!h->moved)
		h->cursor = h->day.n > 0 ? fhir_modules_count : 0;
	if (h->cursor >= fhir_modules_count + patients_shown(h))
		h->cursor = fhir_modules_count + patients_shown(h) - 1;
	app_dirty(app);
}

static void
read_day(struct app *app, struct home *h)
{
	const struct me *me = me_of(app);
	struct date_time now;
	struct fhir_search *q;

	if (me == NULL || me->practitioner == NULL)
		return;
	{
		/* Not granted, or not offered: said where the day would be, and nothing asked. */
		char *why = NULL;

		if (!fhir_caps_offers(app_caps(app), "Appointment", FHIR_SEARCH, &why)) {
			set_failure(h, xasprintf("Your patients today are not shown: %s", why));
			free(why);
			return;
		}
	}
	date_time_now(&now);
	q = sched_mine_search(&now.date, me->practitioner);
	h->reading = true;
	app_request(app, h, &(struct app_request){ .search = q, .done = on_day, .slot = "home-day",
	    .label = "Reading your patients today" });
	fhir_search_free(&q);
}

/* An answer about who is logged in, or false when it failed (said) or was cancelled. */
static bool
me_answered(struct app *app, struct home *h, const struct fhir_result *r)
{
	h->reading = false;
	if (r->status == FHIR_CANCELLED)
		return false;
	/* Not kept: the next return to home asks again. */
	if (r->status != FHIR_OK) {
		app_error(app, "Who is logged in could not be read: %s",
		    r->message ? r->message : "no answer");
		return false;
	}
	return true;
}

/* PRACTITIONER ("Practitioner/ID", owned) as who is logged in, a clinician; NULL for none. */
static void
keep_me(struct app *app, struct home *h, char *practitioner)
{
	struct me *me = xcalloc(1, sizeof *me);

	me->practitioner = practitioner;
	app_keep(app, ME_KEPT, me, me_free);
	read_day(app, h);
}

static void
on_me(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct home *h = state;

	(void)tag;
	if (me_answered(app, h, r))
		keep_me(app, h, sched_me_read(r->resource, app_user(app)));
}

/* Under SMART: the count of the token's Practitioner's Schedules (a clinician has one). */
static void
on_my_schedules(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct home *h = state;
	const char *fhir_user = app_fhir_user(app);

	(void)tag;
	if (me_answered(app, h, r) && fhir_user != NULL)
		keep_me(app, h, fhir_bundle_total(r->resource) > 0 ? xstrdup(fhir_user) : NULL);
}

/*
 * Under SMART the token says who is at the keyboard (its fhirUser), whoever's workstation
 * certificate this is: a Practitioner with a Schedule is a clinician, whose day home shows;
 * not the one the certificate's CN names. On a server without Schedules (OpenEMR's) any
 * Practitioner's day is read by their appointments. True when it went that way.
 */
static bool
start_smart(struct app *app, struct home *h)
{
	const char *fhir_user = app_fhir_user(app);
	struct fhir_search *q;

	if (fhir_user == NULL || strncmp(fhir_user, "Practitioner/", 13) != 0)
		return false;
	if (!fhir_caps_offers(app_caps(app), "Schedule", FHIR_SEARCH, NULL)) {
		keep_me(app, h, xstrdup(fhir_user));
		return true;
	}
	q = fhir_search_new("Schedule");
	fhir_search_add(q, "actor", fhir_user);
	fhir_search_add(q, "_summary", "count");
	h->reading = true;
	app_request(app, h, &(struct app_request){ .search = q, .done = on_my_schedules,
	    .slot = "home-me", .label = "Reading who is logged in" });
	fhir_search_free(&q);
	return true;
}

/* Today's patients: who is logged in is asked once a session, then the day is one search. */
static void
start(struct app *app, struct home *h)
{
	struct fhir_search *q;

	/* Home shows before the connection is up; its reads wait for it (see home_draw). */
	if (app_caps(app) == NULL)
		return;
	h->started = true;
	if (me_of(app) != NULL) {
		read_day(app, h);
		return;
	}
	if (start_smart(app, h))
		return;
	if (app_user(app) == NULL)
		return;
	q = sched_me_search(app_user(app));
	h->reading = true;
	app_request(app, h, &(struct app_request){ .search = q, .done = on_me, .slot = "home-me",
	    .label = "Reading who is logged in" });
	fhir_search_free(&q);
}

static void *
home_enter(struct app *app, void *arg)
{
	struct home *h = xcalloc(1, sizeof *h);

	(void)arg;
	start(app, h);
	return h;
}

static void
home_leave(struct app *app, void *state)
{
	struct home *h = state;

	(void)app;
	sched_board_free(&h->day);
	free(h->failure);
	free(h);
}

/* The answer to "did anything change today?": only a change costs the day's read. */
static void
on_check(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct home *h = state;

	(void)tag;
	h->reading = false;
	if (r->status == FHIR_CANCELLED)
		return;
	if (r->status != FHIR_OK || sched_board_changes(r->resource) != 0)
		read_day(app, h);
	else
		h->asked = time(NULL);
}

/*
 * Back on top: the day as fresh as the flow board keeps its own (flow_refresh), by one
 * small batch counting what changed since; only a change reads the day again.
 */
static void
home_resume(struct app *app, void *state)
{
	struct home *h = state;
	struct date_time now;
	cJSON *batch;

	if (h->reading)
		return;
	if (!h->started) {
		start(app, h);
		return;
	}
	date_time_now(&now);
	if (h->shown && date_compare(&now.date, &h->day.day) == 0 &&
	    time(NULL) - h->asked < (time_t)app_profile(app)->flow_refresh_s)
		return;
	if (me_of(app) == NULL || !h->shown || date_compare(&now.date, &h->day.day) != 0 ||
	    (batch = sched_board_check_batch(app_fhir(app), &h->day, time(NULL))) == NULL) {
		start(app, h);
		return;
	}
	h->reading = true;
	app_request(app, h, &(struct app_request){ .batch = batch, .done = on_check,
	    .slot = "home-check", .label = "Checking your patients today" });
	cJSON_Delete(batch);
}

/* Today's patients from row Y on, at most ROWS of them, the cursor's row in view. */
static void
draw_day(struct app *app, struct home *h, WINDOW *win, int y, int rows)
{
	char date[DATE_BUF_SIZE];
	size_t count[SCHED_BOARD_GROUPS + 1] = { 0 };

	(void)app;
	date_format_display(&h->day.day, date, sizeof date);
	for (size_t i = 0; i < patients_shown(h); i++)
		count[sched_board_group(h->day.rows[i].status)]++;
	if (!h->shown) {
		ui_put(win, y, 2, COLS - 4, "My patients today", UI_TITLE, false);
		ui_put(win, y + 1, 2, COLS - 4,
		    h->failure != NULL ? h->failure : "Reading your patients today...",
		    h->failure != NULL ? UI_ERROR : UI_DIM, false);
		return;
	}
	ui_putf(win, y++, 2, COLS - 4, UI_TITLE, false,
	    "My patients today, %s: %zu arrived, %zu in room, %zu booked, %zu seen%s", date,
	    count[SCHED_GROUP_ARRIVED], count[SCHED_GROUP_IN_ROOM], count[SCHED_GROUP_BOOKED],
	    count[SCHED_GROUP_SEEN],
	    h->day.cut ? " (the first shown)" : "");
	rows--;
	if (h->day.n == 0) {
		ui_put(win, y, 2, COLS - 4, "No appointments with you today.", UI_DIM, false);
		return;
	}
	if (rows < 1)
		return;
	if (h->cursor >= fhir_modules_count) {
		size_t at = h->cursor - fhir_modules_count;

		if (at < h->first)
			h->first = at;
		if (at >= h->first + (size_t)rows)
			h->first = at - (size_t)rows + 1;
	}
	for (size_t i = h->first; i < h->day.n && (int)(i - h->first) < rows; i++) {
		const struct sched_board_row *row = &h->day.rows[i];
		struct sched_patient p;
		char time[8], *who;
		enum ui_look look = h->cursor == fhir_modules_count + i ? UI_SELECTED : UI_NORMAL;

		sched_patient_read(row->appt, h->day.patients, &p);
		who = sched_patient_label(&p);
		scheduling_time(&row->start, time, sizeof time);
		/* Columns drawn apart, so a long name is cut by width, never inside a character. */
		ui_putf(win, y, 2, 17, look, true, "%-5s  %s", time, row->status);
		ui_put(win, y, 19, COLS - 39, who, look, true);
		ui_putf(win, y++, COLS - 20, 18, look, true, "  DOB %s",
		    p.resource != NULL && *p.view.birth_text ? p.view.birth_text : "unknown");
		free(who);
		sched_patient_clear(&p);
	}
}

static void
home_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct home *h = state;
	const struct fhir_caps *caps = app_caps(app);
	int y = top + 1;
	char open[32], help[32];

	/* The first draw after the connection came up starts the reads that waited for it. */
	if (!h->started && caps != NULL)
		start(app, h);

	app_key_for(app, A_SELECT, open, sizeof open);
	app_key_for(app, A_HELP, help, sizeof help);
	ui_putf(win, y++, 2, COLS - 4, UI_NORMAL, false,
	    "What would you like to do? (%s opens, %s for help)", open, help);
	y++;
	/* The key column as wide as its widest key: "F2", or "^K 5" on a VT100. */
	int width = 3;
	for (size_t i = 0; i < fhir_modules_count; i++) {
		char key[32] = "";

		if (jump_of(fhir_modules[i].name) != A_NONE &&
		    app_key_for(app, jump_of(fhir_modules[i].name), key, sizeof key) && (int)strlen(key) > width)
			width = (int)strlen(key);
	}
	for (size_t i = 0; i < fhir_modules_count; i++) {
		char *missing = caps != NULL ? fhir_module_missing(caps, &fhir_modules[i]) : NULL;
		const char *read_only = fhir_caps_read_only(caps, fhir_modules[i].name);
		bool here = i == h->cursor;
		char key[32] = "";

		if (jump_of(fhir_modules[i].name) != A_NONE)
			app_key_for(app, jump_of(fhir_modules[i].name), key, sizeof key);
		ui_putf(win, y, 2, 40 + width, here ? UI_SELECTED : missing ? UI_DIM : UI_NORMAL, true,
		    "%-*s %s", width, key, fhir_modules[i].title);
		if (missing != NULL)
			ui_putf(win, y + 1, 3 + width, COLS - 8, UI_DIM, false, "unavailable: %s", missing);
		else if (read_only != NULL)
			ui_putf(win, y + 1, 3 + width, COLS - 8, UI_DIM, false, "read-only: %s",
			    read_only);
		y += missing != NULL || read_only != NULL ? 2 : 1;
		free(missing);
	}
	if (me_of(app) != NULL && me_of(app)->practitioner != NULL) {
		/* The server's name gives way to the day: the bottom row, when there is one. */
		draw_day(app, h, win, y + 1, top + rows - y - 2);
		return;
	}
	if (caps != NULL)
		ui_putf(win, y + 1, 2, COLS - 4, UI_DIM, false, "Server: %s %s, FHIR %s",
		    fhir_caps_software(caps), fhir_caps_software_version(caps),
		    fhir_caps_fhir_version(caps));
}

static int
cursor_up(struct app *app, void *state)
{
	struct home *h = state;

	(void)app;
	if (h->cursor > 0)
		h->cursor--;
	h->moved = true;
	return APP_REDRAW;
}

static int
cursor_down(struct app *app, void *state)
{
	struct home *h = state;

	(void)app;
	if (h->cursor + 1 < fhir_modules_count + patients_shown(h))
		h->cursor++;
	h->moved = true;
	return APP_REDRAW;
}

static int
cursor_first(struct app *app, void *state)
{
	struct home *h = state;

	(void)app;
	h->cursor = 0;
	h->moved = true;
	return APP_REDRAW;
}

static int
cursor_last(struct app *app, void *state)
{
	struct home *h = state;

	(void)app;
	h->cursor = fhir_modules_count + patients_shown(h) - 1;
	h->moved = true;
	return APP_REDRAW;
}

/* Enter on one of today's patients opens the chart, of the Patient the day read. */
static int
open_patient(struct app *app, struct home *h, const struct sched_board_row *row)
{
	struct sched_patient p;
	const char *id;

	sched_patient_read(row->appt, h->day.patients, &p);
	id = p.resource != NULL ? patient_id_of(p.resource) : NULL;
	if (id == NULL)
		app_error(app, "The patient of this appointment could not be read; no chart opened");
	else
		charting_open_cover(app, id);
	sched_patient_clear(&p);
	return APP_HANDLED;
}

/* Enter does what the module's jump key does, or opens the chart of the patient's row. */
static int
open_module(struct app *app, void *state)
{
	struct home *h = state;
	enum action jump;

	if (h->cursor >= fhir_modules_count) {
		if (h->cursor - fhir_modules_count < patients_shown(h))
			return open_patient(app, h, &h->day.rows[h->cursor - fhir_modules_count]);
		return APP_HANDLED;
	}
	jump = jump_of(fhir_modules[h->cursor].name);

	if (jump == A_NONE)
		app_error(app, "%s is not part of this build of ehrterm yet", fhir_modules[h->cursor].title);
	else
		app_do(app, jump);
	return APP_HANDLED;
}

static int
refresh_day(struct app *app, void *state)
{
	start(app, state);
	return APP_REDRAW;
}

enum { NEEDS_CLINICIAN = APP_NEEDS_SCREEN };

static const char *
home_unmet(struct app *app, void *state, unsigned need)
{
	(void)state;
	if (need == NEEDS_CLINICIAN && (me_of(app) == NULL || me_of(app)->practitioner == NULL))
		return "only a clinician's home lists the day's patients";
	return NULL;
}

static const struct screen_action home_actions[] = {
	{ A_REFRESH, refresh_day, NEEDS_CLINICIAN | APP_NEEDS_IDLE, NULL },
	{ A_UP, cursor_up, 0, NULL },
	{ A_DOWN, cursor_down, 0, NULL },
	{ A_FIRST, cursor_first, 0, NULL },
	{ A_LAST, cursor_last, 0, NULL },
	{ A_SELECT, open_module, 0, "open" },
	{ A_NONE, NULL, 0, NULL },
};

/* The module list is drawn here, not by a list widget; its keys are the list's. */
static const char *
home_focus(struct app *app, void *state)
{
	(void)app;
	(void)state;
	return "list";
}

const struct screen_ops home_screen = {
	.name = "home",
	.title = "home",
	.context = "home",
	.needs = SCREEN_NEEDS_ONLINE,
	.enter = home_enter,
	.leave = home_leave,
	.draw = home_draw,
	.resume = home_resume,
	.actions = home_actions,
	.unmet = home_unmet,
	.focus = home_focus,
};
