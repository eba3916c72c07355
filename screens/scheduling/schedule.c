/* The schedule: one practitioner's day as a grid of slots (or the week's counts), and the changes to it. */
#include "config.h"

#include "fhir/capability.h"
#include "screens/patients/patients.h"
#include "screens/scheduling/scheduling.h"
#include "screens/screens.h"
#include "ui/dialog.h"
#include "ui/list.h"
#include "ui/prompt.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COL_TIME, COL_MARK, COL_PATIENT, COL_TYPE, COL_STATUS, COL_COUNT };
static const struct ui_list_column day_columns[COL_COUNT] = {
	{ "Time", 5, 0 },
	{ " ", 1, 0 },
	{ "Patient", 0, 3 },
	{ "Type / reason", 0, 2 },
	{ "Status", 9, 0 },
};

enum { WCOL_DAY, WCOL_FREE, WCOL_BOOKED, WCOL_BLOCKED, WCOL_COUNT };
static const struct ui_list_column week_columns[WCOL_COUNT] = {
	{ "Day", 16, 0 },
	{ "Free", 6, 0 },
	{ "Booked", 7, 0 },
	{ "Blocked", 0, 1 },
};

enum asking { ASK_NONE, ASK_CANCEL, ASK_STEP };

struct schedule {
	struct app *app;
	struct sched_owners owners;
	bool owners_read;
	char *failed; /* why nothing can be shown, or NULL */
	/*
	 * The server's CapabilityStatement offers no booking (OpenEMR's: no Schedule, no Slot,
	 * no Appointment create): why, as said on screen and for every key that would change
	 * the day; NULL on a server that books.
	 */
	char *read_only;
	/*
	 * No Schedules to read at all: the day is every practitioner's appointments (the flow
	 * board's read), shown read-only in the same list.
	 */
	bool no_schedules;
	struct sched_board board;
	bool have_board;
	size_t owner; /* whose day is asked for, and acted on */
	/*
	 * Whose day (or week) is on screen. Choosing another practitioner leaves the grid as it
	 * is until theirs is read, so the terminal gets only the rows that differ (at 9600 baud a
	 * cleared and redrawn grid is a second); a read that fails or is cancelled goes back to it.
	 */
	size_t shown_owner;
	struct date day;      /* the day asked for */
	struct sched_day data; /* the day shown (data.date), once read */
	bool have_data;
	bool week_view;
	struct sched_week_day week[7];
	bool week_partial, have_week;
	struct ui_list list, weeklist;

	struct ui_dialog dialog;
	enum asking asking;
	struct scheduling_asked asked; /* ASK_STEP: which, for which appointment */
	char cancel_id[72];	       /* ASK_CANCEL: the appointment asked about */
	struct ui_prompt date_prompt;
	bool date_active;
	int cursor_y, cursor_x;

	/* Rescheduling: the appointment being moved and its slots as read, until a slot is chosen. */
	cJSON *moving;
	cJSON *moving_slots;
	char *moving_name; /* its patient, as the Patient resource names them */

	/*
	 * A booking waiting for its patient: the slot chosen ("Slot/ID"), and the same once
	 * the finder said which patient (it opens when the finder has left).
	 */
	char *book_slot; /* the slot a booking waits on while the finder chooses the patient */
	struct scheduling_draft draft; /* what the last booking did not save */
	char *select_ref; /* the row to select once the day is read again */
	bool select_at;	  /* ... or the first row from this time on */
	struct date_time select_time;
	struct scheduling_change change;
};

static void load_day(struct schedule *s);
static void after_change(struct app *app, void *state, const struct scheduling_change *c,
    const struct fhir_result *r);

static const struct sched_owner *
owner(const struct schedule *s)
{
	return s->owner < s->owners.n ? &s->owners.v[s->owner] : NULL;
}

/* The practitioner whose day the grid shows: the one asked for until a day is read. */
static const struct sched_owner *
shown_owner(const struct schedule *s)
{
	bool shown = s->week_view ? s->have_week : s->have_data;

	return shown && s->shown_owner < s->owners.n ? &s->owners.v[s->shown_owner] : owner(s);
}

/* A read failed or was cancelled: the grid's practitioner is the one acted on again. */
static void
owner_read_failed(struct schedule *s)
{
	if ((s->week_view ? s->have_week : s->have_data) && s->shown_owner < s->owners.n)
		s->owner = s->shown_owner;
}

static void
add_days(struct date *d, long n)
{
	struct date_time t = { .date = *d, .hour = 12 };
	char buf[DATE_BUF_SIZE];
	char *cause = NULL;

	/* date_parse does the calendar: "T+n" relative to D. */
	snprintf(buf, sizeof buf, "T%+ld", n);
	if (date_parse(buf, &t.date, d, &cause) != 0)
		free(cause);
}

/* --- reading ---------------------------------------------------------------------- */

static void
fill_day_list(struct schedule *s)
{
	struct ui_list_page *pg = ui_list_page_new(COL_COUNT);
	/* The row asked for, else the same line as before: a refresh must not move the clerk. */
	long select = s->select_ref != NULL ? sched_day_find(&s->data, s->select_ref) : -1;
	unsigned ticket;

	for (size_t i = 0; select < 0 && s->select_at && i < s->data.n; i++)
		if (date_time_compare(&s->data.rows[i].start, &s->select_time) >= 0)
			select = (long)i;
	if (select < 0 && s->select_at)
		select = s->data.n > 0 ? (long)s->data.n - 1 : 0;
	if (select < 0)
		select = (long)ui_list_cursor(&s->list);
	s->select_at = false;
	ticket = ui_list_reset(&s->list);

	for (size_t i = 0; i < s->data.n; i++) {
		const struct sched_row *r = &s->data.rows[i];
		struct sched_appt_view v;
		char time[8], mark[2] = { r->marker, '\0' }, id[24], *what = NULL, *who = NULL;
		const char *cells[COL_COUNT];

		scheduling_time(&r->start, time, sizeof time);
		snprintf(id, sizeof id, "%zu", i);
		sched_appt_view(r->appt, &v);
		cells[COL_TIME] = time;
		cells[COL_MARK] = mark;
		if (r->appt != NULL) {
			struct sched_patient p;
			char *name;

			sched_patient_read(r->appt, s->data.patients, &p);
			name = sched_patient_label(&p);
			sched_patient_clear(&p);
			if (r->nappts > 1) {
				who = xasprintf("%s (+%zu more)", name, r->nappts - 1);
				free(name);
			} else {
				who = name;
			}
			what = xasprintf("%s%s%s", v.type ? v.type : "", v.type && v.reason ? ": " : "",
			    v.reason ? v.reason : "");
			cells[COL_STATUS] = sched_flow_status(r->appt, r->encounter);
		} else {
			cells[COL_STATUS] = r->marker == SCHED_FREE ? "free"
			    : r->marker == SCHED_BLOCKED	    ? "blocked"
			    : r->marker == SCHED_TENTATIVE	    ? "held"
								    : "busy";
		}
		cells[COL_PATIENT] = who;
		cells[COL_TYPE] = what;
		ui_list_page_add(pg, id, cells);
		free(who);
		free(what);
	}
	ui_list_add_page(&s->list, ticket, &pg, 0, NULL, (long)s->data.n, NULL);
	for (long i = 0; i < select && i + 1 < (long)s->data.n; i++)
		ui_list_action(&s->list, A_DOWN);
	free(s->select_ref);
	s->select_ref = NULL;
}

static void
on_day(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct schedule *s = state;
	struct sched_day day;
	char *cause = NULL;

	(void)tag;
	if (r->status != FHIR_OK) {
		owner_read_failed(s);
		app_error(app, "The schedule could not be read: %s", r->message ? r->message : "no answer");
		return;
	}
	if (sched_day_read(r->resource, &s->day, &day, &cause) != 0) {
		owner_read_failed(s);
		app_error(app, "The schedule could not be read: %s", cause);
		free(cause);
		return;
	}
	sched_day_free(&s->data);
	free(s->failed);
	s->failed = NULL;
	/* No names without their audit line: the day is not shown at all. */
	if (scheduling_audit_patients(app, day.patients) != 0) {
		sched_day_free(&day);
		s->have_data = false;
		s->failed = xstrdup(SCHEDULING_NOT_AUDITED);
		app_dirty(app);
		return;
	}
	s->data = day;
	s->have_data = true;
	s->shown_owner = s->owner;
	fill_day_list(s);
	if ((s->data.slots_total >= 0 && s->data.slots_total > cJSON_GetArraySize(s->data.slots)) ||
	    (s->data.appts_total >= 0 && s->data.appts_total > cJSON_GetArraySize(s->data.appts)))
		app_status(app, "This day has more than %d slots or appointments; only those are shown",
		    SCHED_DAY_COUNT);
	app_dirty(app);
}

static void
on_week(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct schedule *s = state;
	struct ui_list_page *pg;
	unsigned ticket;

	(void)tag;
	if (r->status != FHIR_OK || sched_week_read(r->resource, &s->day, s->week, &s->week_partial) != 0) {
		owner_read_failed(s);
		app_error(app, "The week could not be read: %s", r->message ? r->message : "not a search answer");
		return;
	}
	s->have_week = true;
	s->shown_owner = s->owner;
	pg = ui_list_page_new(WCOL_COUNT);
	ticket = ui_list_reset(&s->weeklist);
	for (int i = 0; i < 7; i++) {
		static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
		char day[DATE_BUF_SIZE + 8], date[DATE_BUF_SIZE], f[16], b[16], x[16], id[4];
		const char *cells[WCOL_COUNT] = { day, f, b, x };

		date_format_display(&s->week[i].date, date, sizeof date);
		snprintf(day, sizeof day, "%s %s", wd[date_weekday(&s->week[i].date)], date);
		snprintf(f, sizeof f, "%u", s->week[i].free);
		snprintf(b, sizeof b, "%u", s->week[i].booked);
		snprintf(x, sizeof x, "%u", s->week[i].blocked);
		snprintf(id, sizeof id, "%d", i);
		ui_list_page_add(pg, id, cells);
	}
	ui_list_add_page(&s->weeklist, ticket, &pg, 0, NULL, 7, NULL);
	if (s->week_partial)
		app_status(app, "The week has more than %d slots; the counts are of those only",
		    SCHED_WEEK_COUNT);
	app_dirty(app);
}

static void load_board(struct schedule *s);

static void
load_day(struct schedule *s)
{
	const struct sched_owner *o = owner(s);
	char date[DATE_BUF_SIZE], *label, *whose;

	if (s->no_schedules) {
		load_board(s);
		return;
	}
	if (o == NULL)
		return;
	date_format_display(&s->day, date, sizeof date);
	/* Whose, when the grid on screen is still another practitioner's (shown_owner). */
	whose = o != shown_owner(s) ? xasprintf(" for %s", o->name) : xstrdup("");
	if (s->week_view) {
		struct fhir_search *q = sched_week_search(o, &s->day);

		label = xasprintf("Reading the week from %s%s", date, whose);
		app_request(s->app, s, &(struct app_request){ .search = q, .done = on_week,
		    .slot = "schedule-day", .label = label });
		fhir_search_free(&q);
	} else {
		cJSON *batch = sched_day_batch(app_fhir(s->app), o, &s->day);

		label = xasprintf("Reading %s%s", date, whose);
		/* The slot makes a quicker key press supersede this day: only the last day counts. */
		app_request(s->app, s, &(struct app_request){ .batch = batch, .done = on_day,
		    .slot = "schedule-day", .label = label });
		cJSON_Delete(batch);
	}
	free(label);
	free(whose);
	app_dirty(s->app);
}

static void
on_owners(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct schedule *s = state;

	(void)tag;
	if (r->status != FHIR_OK) {
		free(s->failed);
		s->failed = xasprintf("The schedules could not be read: %s",
		    r->message ? r->message : "no answer");
		app_error(app, "%s", s->failed);
		return;
	}
	sched_owners_read(r->resource, &s->owners);
	s->owners_read = true;
	if (s->owners.n > 0)
		scheduling_keep_owners(app, &s->owners);
	if (s->owners.n == 0) {
		free(s->failed);
		s->failed = xstrdup("The server has no active schedules.");
		return;
	}
	load_day(s);
}

/* --- a server without schedules: the day's appointments, read-only ------------------ */

static void
fill_board(struct schedule *s)
{
	struct ui_list_page *pg = ui_list_page_new(COL_COUNT);
	unsigned ticket = ui_list_reset(&s->list);
	const struct sched_board *b = &s->board;

	for (size_t i = 0; i < b->n; i++) {
		struct sched_appt_view v;
		struct sched_patient p;
		char time[8], id[32], *who, *what;
		const char *cells[COL_COUNT];

		sched_appt_view(b->rows[i].appt, &v);
		sched_patient_read(b->rows[i].appt, b->patients, &p);
		who = sched_patient_label(&p);
		what = xasprintf("%s%s%s", v.practitioner_name ? v.practitioner_name : "",
		    v.practitioner_name && (v.type || v.reason) ? ": " : "",
		    v.type ? v.type : v.reason ? v.reason : "");
		scheduling_time(&b->rows[i].start, time, sizeof time);
		/* Not a number: selected_row reads the grid's rows by theirs. */
		snprintf(id, sizeof id, "appt-%zu", i);
		cells[COL_TIME] = time;
		cells[COL_MARK] = "B";
		cells[COL_PATIENT] = who;
		cells[COL_TYPE] = what;
		cells[COL_STATUS] = b->rows[i].status;
		ui_list_page_add(pg, id, cells);
		free(who);
		free(what);
		sched_patient_clear(&p);
	}
	ui_list_add_page(&s->list, ticket, &pg, 0, NULL, (long)b->n, NULL);
}

static void
on_board(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct schedule *s = state;
	struct sched_board b;
	char *cause = NULL;

	(void)tag;
	if (r->status == FHIR_CANCELLED)
		return;
	if (r->status != FHIR_OK || sched_board_read(r->resource, &s->day, &b, &cause) != 0) {
		app_error(app, "The day's appointments could not be read: %s",
		    r->status != FHIR_OK && r->message ? r->message : cause ? cause : "no answer");
		free(cause);
		return;
	}
	/* No names without their audit line: the day is not shown at all. */
	if (scheduling_audit_patients(app, b.patients) != 0) {
		sched_board_free(&b);
		return;
	}
	sched_board_free(&s->board);
	s->board = b;
	s->have_board = true;
	/* By time, as the search sorted them: a day, not the flow board's groups. */
	fill_board(s);
	if (b.cut)
		app_status(app, "More than %d appointments on this day: the first %d are shown",
		    SCHED_BOARD_COUNT, SCHED_BOARD_COUNT);
	app_dirty(app);
}

static void
load_board(struct schedule *s)
{
	struct fhir_search *q = sched_board_search(&s->day);
	char date[DATE_BUF_SIZE], *label;

	date_format_display(&s->day, date, sizeof date);
	label = xasprintf("Reading the appointments of %s", date);
	app_request(s->app, s, &(struct app_request){ .search = q, .done = on_board,
	    .slot = "schedule-day", .label = label });
	fhir_search_free(&q);
	free(label);
	app_dirty(s->app);
}

static void
draw_board(struct schedule *s, WINDOW *win, int top, int rows)
{
	static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	const struct date *shown = s->have_board ? &s->board.day : &s->day;
	char date[DATE_BUF_SIZE];

	date_format_display(shown, date, sizeof date);
	ui_putf(win, top, 0, COLS, UI_NORMAL, true,
	    " Appointments, every practitioner  %s %s  (read-only)", wd[date_weekday(shown)], date);
	if (s->date_active) {
		int cx = 0;

		ui_put(win, top + 1, 1, 12, "Go to date:", UI_NORMAL, false);
		ui_prompt_draw(&s->date_prompt, win, top + 1, 13, 24, &cx);
		s->cursor_y = top + 1;
		s->cursor_x = cx;
	} else {
		ui_put(win, top + 1, 1, COLS - 2, s->read_only, UI_DIM, false);
	}
	if (s->have_board)
		ui_list_draw(&s->list, win, top + 2, rows - 2, COLS);
	else
		ui_put(win, top + 3, 2, COLS - 4, "Reading the day...", UI_DIM, false);
}

/* --- the screen ------------------------------------------------------------------- */

static void *
schedule_enter(struct app *app, void *arg)
{
	struct schedule *s = xcalloc(1, sizeof *s);
	struct fhir_search *q = sched_owners_search();
	struct date_time now;

	(void)arg;
	s->app = app;
	date_time_now(&now);
	s->day = now.date;
	ui_list_init(&s->list, day_columns, COL_COUNT, NULL, s);
	ui_list_set_empty_message(&s->list, "No slots on this day.");
	ui_list_init(&s->weeklist, week_columns, WCOL_COUNT, NULL, s);
	ui_dialog_init(&s->dialog, "", false);
	ui_prompt_init(&s->date_prompt, 24, false);
	s->change.after = after_change;
	if (fhir_caps_read_only(app_caps(app), "scheduling") != NULL)
		s->read_only = xasprintf("Booking is not available: %s",
		    fhir_caps_read_only(app_caps(app), "scheduling"));
	if (s->read_only != NULL && !fhir_caps_offers(app_caps(app), "Schedule", FHIR_SEARCH, NULL)) {
		/* Nothing to ask for Schedules: the server said it has none. */
		s->no_schedules = true;
		ui_list_set_empty_message(&s->list, "No appointments on this day.");
		load_board(s);
	} else if (scheduling_owners(app) != NULL) {
		/* Read once a session (behind home): the day is this screen's only trip. */
		sched_owners_copy(scheduling_owners(app), &s->owners);
		s->owners_read = true;
		load_day(s);
	} else {
		app_request(app, s, &(struct app_request){ .search = q, .done = on_owners,
		    .slot = "schedule-owners", .label = "Reading the schedules" });
	}
	fhir_search_free(&q);
	return s;
}

static void
schedule_leave(struct app *app, void *state)
{
	struct schedule *s = state;

	(void)app;
	sched_owners_free(&s->owners);
	sched_board_free(&s->board);
	free(s->read_only);
	sched_day_free(&s->data);
	ui_list_free(&s->list);
	ui_list_free(&s->weeklist);
	ui_dialog_free(&s->dialog);
	ui_prompt_clear(&s->date_prompt);
	cJSON_Delete(s->moving);
	cJSON_Delete(s->moving_slots);
	free(s->moving_name);
	scheduling_draft_clear(&s->draft);
	free(s->book_slot);
	free(s->select_ref);
	free(s->failed);
	free(s);
}

static const struct sched_row *
selected_row(const struct schedule *s)
{
	const char *id = ui_list_selected_id(&s->list);
	char *end;
	unsigned long i;

	if (s->week_view || !s->have_data || id == NULL)
		return NULL;
	i = strtoul(id, &end, 10);
	return *end == '\0' && i < s->data.n ? &s->data.rows[i] : NULL;
}

static void
schedule_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct schedule *s = state;
	const struct sched_owner *o = shown_owner(s);
	char date[DATE_BUF_SIZE], when[DATE_BUF_SIZE + 16];
	int used;
	static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	const struct date *shown = s->have_data && !s->week_view ? &s->data.date : &s->day;

	(void)app;
	if (s->no_schedules) {
		draw_board(s, win, top, rows);
		return;
	}
	if (s->failed != NULL) {
		ui_put(win, top + 1, 2, COLS - 4, s->failed, UI_ERROR, false);
		return;
	}
	if (o == NULL) {
		ui_put(win, top + 1, 2, COLS - 4, "Reading the schedules...", UI_DIM, false);
		return;
	}
	date_format_display(shown, date, sizeof date);
	snprintf(when, sizeof when, "%s%s %s", s->week_view ? "week from " : "",
	    wd[date_weekday(s->week_view ? &s->day : shown)], date);
	/* Whose schedule, cut where it must be: the day it shows is never pushed off. */
	ui_blank(win, top, 0, COLS);
	used = ui_put(win, top, 1, COLS - 3 - (int)strlen(when), o->title ? o->title : o->name,
	    UI_NORMAL, false);
	ui_put(win, top, 1 + used + 2, COLS - (1 + used + 2), when, UI_NORMAL, false);
	if (s->date_active) {
		int cx = 0;

		ui_put(win, top + 1, 1, 12, "Go to date:", UI_NORMAL, false);
		ui_prompt_draw(&s->date_prompt, win, top + 1, 13, 24, &cx);
		ui_put(win, top + 1, 39, COLS - 40, "T+1, 12/24/2026; T@10:30 goes to a time",
		    UI_DIM, false);
		s->cursor_y = top + 1;
		s->cursor_x = cx;
	} else if (s->moving != NULL) {
		/* What to do first, the patient after it: a long name is cut, not the way out. */
		ui_putf(win, top + 1, 1, COLS - 2, UI_ERROR, true,
		    "Move to a free slot (any day) or go back: %s",
		    s->moving_name ? s->moving_name : "the appointment");
	} else if (s->read_only != NULL) {
		/* Why nothing can be booked, where the legend would be: said before b is tried. */
		ui_put(win, top + 1, 1, COLS - 2, s->read_only, UI_DIM, false);
	} else if (!s->week_view) {
		ui_put(win, top + 1, 1, COLS - 2, ". free  B booked  O overbooked  X blocked  ? held",
		    UI_DIM, false);
	}
	if (s->week_view)
		ui_list_draw(&s->weeklist, win, top + 2, rows - 2, COLS);
	else if (s->have_data)
		ui_list_draw(&s->list, win, top + 2, rows - 2, COLS);
	else
		ui_put(win, top + 3, 2, COLS - 4, "Reading the day...", UI_DIM, false);
	if (s->asking != ASK_NONE)
		ui_dialog_draw(&s->dialog, win, top, rows, COLS);
}

static bool
schedule_cursor(struct app *app, void *state, int *y, int *x)
{
	struct schedule *s = state;

	(void)app;
	if (!s->date_active)
		return false;
	*y = s->cursor_y;
	*x = s->cursor_x;
	return true;
}

/* --- changes --------------------------------------------------------------------- */

/*
 * After a change the day shows what the server has now, the changed row selected:
 * what the change saved is applied to the rows shown, so a change costs one round
 * trip; a failed one (someone else was first) reads the day again.
 */
static void
show_saved(struct schedule *s, const cJSON *saved, char *select)
{
	free(s->select_ref);
	s->select_ref = select;
	if (saved != NULL && s->have_data && !s->week_view && sched_day_apply(&s->data, saved) > 0)
		fill_day_list(s);
	else
		load_day(s);
}

static void
after_change(struct app *app, void *state, const struct scheduling_change *c,
    const struct fhir_result *r)
{
	(void)app;
	show_saved(state, r->status == FHIR_OK ? r->resource : NULL, xstrdup(c->ref));
}

static void
change(struct schedule *s, struct fhir_plan *plan, char *cause, const struct scheduling_kind *kind,
    const char *id)
{
	scheduling_change(s->app, s, &s->change, plan, cause, kind, id);
}

/* The target of row R (or none) of S. */
static struct scheduling_target
target(const struct schedule *s, const struct sched_row *r)
{
	return scheduling_target(r ? r->appt : NULL, r ? r->encounter : NULL, s->data.patients,
	    r ? &r->start : NULL);
}

static void
ask(struct schedule *s, enum asking what, const char *question, bool default_yes)
{
	ui_dialog_free(&s->dialog);
	ui_dialog_init(&s->dialog, question, default_yes);
	s->asking = what;
}

/* The selected row's appointment, when its patient was read: nothing is written for one that was not. */
static const struct sched_row *
need_appt(struct schedule *s, const char *doing)
{
	const struct sched_row *r = selected_row(s);
	struct scheduling_target t;

	t = target(s, r);
	return scheduling_patient_read(s->app, &t, doing) ? r : NULL;
}

/* The free slots in a row from R on, each starting where the last ended: at most MAX, into OUT. */
static size_t
free_run(const struct schedule *s, const struct sched_row *r, const cJSON **out, size_t max)
{
	size_t n = 0;

	for (size_t i = (size_t)(r - s->data.rows); i < s->data.n && n < max; i++) {
		const struct sched_row *x = &s->data.rows[i];

		if (x->slot == NULL || x->marker != SCHED_FREE ||
		    (n > 0 && date_time_compare(&x->start, &s->data.rows[i - 1].end) != 0))
			break;
		out[n++] = x->slot;
	}
	return n;
}

/* The booking saved: what it saved goes onto the day (one round trip), its row selected. */
static void
on_booked(struct app *app, void *opener, const cJSON *saved, const char *appointment_ref)
{
	struct schedule *s = opener;

	scheduling_draft_clear(&s->draft);
	/* The new appointment's patient is the one booked for: named from its resource. */
	if (s->have_data && app_patient(app) != NULL)
		sched_day_add_patient(&s->data, app_patient(app));
	show_saved(s, saved, appointment_ref != NULL ? xstrdup(appointment_ref) : NULL);
}

/* Not booked (gone back, the slot just taken, no answer): what was typed is kept, the day read again. */
static void
on_unsaved(struct app *app, void *opener, const struct scheduling_draft *draft)
{
	struct schedule *s = opener;

	(void)app;
	if (draft != NULL)
		scheduling_draft_set(&s->draft, draft);
	load_day(s);
}

/* Start booking at row R, free: its free slots in a row go to the booking screen. */
static void
book_row(struct schedule *s, const struct sched_row *r)
{
	struct book_request req = { 0 };

	req.nslots = free_run(s, r, req.slots, SCHED_BOOK_SLOTS_MAX);
	req.owner = owner(s);
	req.draft = &s->draft;
	req.unsaved = on_unsaved;
	scheduling_open_book(s->app, &req, on_booked, s);
}

static bool free_row(const struct sched_row *r);

/* The finder chose the patient to book for, and has left: the booking opens on the slot chosen. */
static void
on_picked(struct app *app, void *opener, const cJSON *patient)
{
	struct schedule *s = opener;
	char *slot = s->book_slot;
	long i;

	(void)patient;
	s->book_slot = NULL;
	i = slot != NULL && s->have_data && !s->week_view ? sched_day_find(&s->data, slot) : -1;
	free(slot);
	if (i < 0)
		return;
	while (ui_list_cursor(&s->list) > (size_t)i && ui_list_action(&s->list, A_UP))
		;
	while (ui_list_cursor(&s->list) < (size_t)i && ui_list_action(&s->list, A_DOWN))
		;
	if (free_row(selected_row(s)))
		book_row(s, selected_row(s));
	else
		app_error(app, "Book: the slot is no longer free");
}

static void
book_here(struct schedule *s)
{
	const struct sched_row *r = selected_row(s);

	if (app_patient(s->app) == NULL) {
		/* The patient first: the finder makes one current, then the booking opens. */
		free(s->book_slot);
		s->book_slot = xasprintf("Slot/%s", fhir_id_of(r->slot));
		patients_pick(s->app, s, on_picked);
		return;
	}
	book_row(s, r);
}

static void
move_here(struct schedule *s)
{
	const struct sched_row *r = selected_row(s);
	const cJSON *old[SCHED_BOOK_SLOTS_MAX], *slots[SCHED_BOOK_SLOTS_MAX];
	struct sched_appt_view v;
	size_t nold = 0, want, n = 0;
	struct fhir_plan *plan;
	char *cause = NULL;
	const cJSON *o;

	cJSON_ArrayForEach(o, s->moving_slots)
	{
		if (nold < SCHED_BOOK_SLOTS_MAX)
			old[nold++] = o;
	}
	/* As long as it was: as many slots in a row as it had. */
	want = nold > 0 ? nold : 1;
	n = free_run(s, r, slots, want);
	if (n < want) {
		app_error(s->app, "Reschedule: the appointment needs %zu free slots in a row from here", want);
		return;
	}
	sched_appt_view(s->moving, &v);
	plan = sched_plan_move(s->moving, old, nold, slots, n, owner(s), &cause);
	change(s, plan, cause, &scheduling_reschedule, v.id);
	cJSON_Delete(s->moving);
	cJSON_Delete(s->moving_slots);
	s->moving = s->moving_slots = NULL;
	free(s->moving_name);
	s->moving_name = NULL;
}

static void
start_move(struct schedule *s)
{
	const struct sched_row *r = need_appt(s, "Reschedule");
	const cJSON *slots[SCHED_BOOK_SLOTS_MAX];
	struct sched_patient p;
	size_t n;

	if (r == NULL)
		return;
	sched_patient_read(r->appt, s->data.patients, &p);
	free(s->moving_name);
	s->moving_name = sched_patient_label(&p);
	sched_patient_clear(&p);
	cJSON_Delete(s->moving);
	cJSON_Delete(s->moving_slots);
	s->moving = cJSON_Duplicate(r->appt, true);
	n = sched_day_appt_slots(&s->data, r->appt, slots, SCHED_BOOK_SLOTS_MAX);
	s->moving_slots = fhir_array_of(slots, n);
}

static void
answered(struct schedule *s)
{
	enum ui_dialog_answer a = ui_dialog_answer(&s->dialog);
	enum asking what = s->asking;
	const struct sched_row *r = selected_row(s);
	struct scheduling_target t;

	if (a == UI_DIALOG_ASKING)
		return;
	s->asking = ASK_NONE;
	t = target(s, r);
	if (what == ASK_STEP && a == UI_DIALOG_YES) {
		scheduling_take_step(s->app, s, &s->change, &s->asked, &t);
	} else if (what == ASK_CANCEL && a == UI_DIALOG_CHOSEN) {
		const cJSON *slots[SCHED_BOOK_SLOTS_MAX];
		const struct field_code *why = &scheduling_cancel_reasons[ui_dialog_chosen(&s->dialog) %
		    scheduling_cancel_reasons_count];
		const char *id = fhir_id_of(t.appt);
		char *cause = NULL;
		size_t n;

		if (id == NULL || strcmp(id, s->cancel_id) != 0) {
			app_error(s->app, "Cancel: the day changed while you were asked; nothing was "
					  "changed, ask again");
			return;
		}
		if (!scheduling_patient_read(s->app, &t, "Cancel"))
			return;
		n = sched_day_appt_slots(&s->data, t.appt, slots, SCHED_BOOK_SLOTS_MAX);
		change(s, sched_plan_cancel(t.appt, slots, n, why->code, why->display, &cause), cause,
		    &scheduling_cancel, id);
	}
}

static void
step_question(struct schedule *s, enum scheduling_step step)
{
	struct scheduling_target t;

	t = target(s, selected_row(s));
	if (scheduling_ask_step(s->app, &s->dialog, step, &t, &s->asked))
		s->asking = ASK_STEP;
}

static void
cancel_question(struct schedule *s)
{
	const struct sched_row *r = need_appt(s, "Cancel");
	struct sched_patient p;
	char time[8], *q;

	if (r == NULL)
		return;
	sched_patient_read(r->appt, s->data.patients, &p);
	scheduling_time(&r->start, time, sizeof time);
	q = xasprintf("Cancel %s at %s? Choose the reason (Enter), or Esc", p.view.name, time);
	ask(s, ASK_CANCEL, q, false);
	free(q);
	sched_patient_clear(&p);
	snprintf(s->cancel_id, sizeof s->cancel_id, "%s",
	    fhir_id_of(r->appt) ? fhir_id_of(r->appt) : "");
	ui_dialog_set_choosing(&s->dialog, true);
	for (size_t i = 0; i < scheduling_cancel_reasons_count; i++)
		ui_dialog_add(&s->dialog, scheduling_cancel_reasons[i].display);
}

/* A date (T+7, 12/24/2026) shows that day; a date and time (T@10:30) goes to that time's row. */
static void
go_to_date(struct schedule *s)
{
	char *text = ui_prompt_text(&s->date_prompt), *cause = NULL;
	struct date_time now, at;
	struct date d;

	date_time_now(&now);
	if (strpbrk(text, "@: ") != NULL) {
		if (date_time_parse(text, &now, &at, &cause) == 0) {
			s->day = at.date;
			s->select_time = at;
			s->select_at = true;
		}
	} else if (date_parse(text, &now.date, &d, &cause) == 0) {
		s->day = d;
	}
	free(text);
	if (cause != NULL) {
		app_error(s->app, "%s", cause);
		free(cause);
		return;
	}
	s->date_active = false;
	s->week_view = false;
	load_day(s);
}

/* --- the actions -------------------------------------------------------------------- */

enum {
	NEEDS_OWNER = APP_NEEDS_SCREEN,		  /* the schedules read */
	NEEDS_FREE_ROW = APP_NEEDS_SCREEN << 1,	  /* a free row of the day chosen */
	NEEDS_BOOKED_ROW = APP_NEEDS_SCREEN << 2, /* a booked row of the day chosen */
	NEEDS_MOVE_ROW = APP_NEEDS_SCREEN << 3,	  /* moving: a free row; else a booked one */
	NEEDS_NO_QUESTION = APP_NEEDS_SCREEN << 4,
	NEEDS_BOOKING = APP_NEEDS_SCREEN << 5,	  /* the server books (its statement) */
	NEEDS_SCHEDULES = APP_NEEDS_SCREEN << 6,  /* the server has Schedules */
};

static bool
free_row(const struct sched_row *r)
{
	return r != NULL && r->slot != NULL && r->marker == SCHED_FREE;
}

static const char *
schedule_unmet(struct app *app, void *state, unsigned need)
{
	struct schedule *s = state;
	const struct sched_row *r = selected_row(s);

	(void)app;
	/* A change the server does not offer is refused with its reason, never sent. */
	if (s->read_only != NULL && (need == NEEDS_BOOKING || need == NEEDS_FREE_ROW ||
	    need == NEEDS_BOOKED_ROW || need == NEEDS_MOVE_ROW))
		return s->read_only;
	switch (need) {
	case NEEDS_SCHEDULES:
		return s->no_schedules ? s->read_only : NULL;
	case NEEDS_OWNER:
		if (s->no_schedules)
			return NULL; /* the day is everyone's: NEEDS_SCHEDULES refuses what needs one */
		return owner(s) == NULL ? "wait for the schedules to be read" : NULL;
	case NEEDS_NO_QUESTION:
		return s->asking != ASK_NONE ? "answer the question first"
		    : s->date_active	    ? "type the date first, or go back"
					    : NULL;
	case NEEDS_FREE_ROW:
		return free_row(r) ? NULL : "choose a free row first";
	case NEEDS_BOOKED_ROW:
		return r != NULL && r->appt != NULL ? NULL : "choose a booked row first";
	case NEEDS_MOVE_ROW:
		if (s->moving != NULL)
			return free_row(r) ? NULL : "choose a free row to move it to, or go back";
		return r != NULL && r->appt != NULL ? NULL : "choose a booked row first";
	default:
		return NULL;
	}
}

static void
move_day(struct schedule *s, long days)
{
	add_days(&s->day, days);
	load_day(s);
}

static int
prev_day(struct app *app, void *state)
{
	struct schedule *s = state;

	(void)app;
	move_day(s, s->week_view ? -7 : -1);
	return APP_REDRAW;
}

static int
next_day(struct app *app, void *state)
{
	struct schedule *s = state;

	(void)app;
	move_day(s, s->week_view ? 7 : 1);
	return APP_REDRAW;
}

/* Left and Right move by day, but in the date prompt they move the cursor. */
static int
left(struct app *app, void *state)
{
	return ((struct schedule *)state)->date_active ? APP_IGNORED : prev_day(app, state);
}

static int
right(struct app *app, void *state)
{
	return ((struct schedule *)state)->date_active ? APP_IGNORED : next_day(app, state);
}

static int
prev_week(struct app *app, void *state)
{
	(void)app;
	move_day(state, -7);
	return APP_REDRAW;
}

static int
next_week(struct app *app, void *state)
{
	(void)app;
	move_day(state, 7);
	return APP_REDRAW;
}

static int
reread(struct app *app, void *state)
{
	(void)app;
	load_day(state);
	return APP_REDRAW;
}

static int
date_prompt(struct app *app, void *state)
{
	struct schedule *s = state;

	(void)app;
	ui_prompt_clear(&s->date_prompt);
	s->date_active = true;
	return APP_REDRAW;
}

static int
week(struct app *app, void *state)
{
	struct schedule *s = state;

	(void)app;
	s->week_view = !s->week_view;
	load_day(s);
	return APP_REDRAW;
}

static void
chosen_owner(struct app *app, void *state, long chosen)
{
	struct schedule *s = state;

	(void)app;
	if (chosen < 0 || (size_t)chosen >= s->owners.n || (size_t)chosen == s->owner)
		return;
	/* The grid stays until the chosen day is read (shown_owner): no blank grid in between. */
	s->owner = (size_t)chosen;
	load_day(s);
}

/* Whose schedule: a one-line chooser on the status line, the grid left as it is. */
static int
practitioner(struct app *app, void *state)
{
	struct schedule *s = state;
	char **names = xcalloc(s->owners.n + 1, sizeof *names);

	/* What tells each from the others (the place, or the service of a practitioner's twins). */
	for (size_t i = 0; i < s->owners.n; i++)
		names[i] = xstrdup(s->owners.v[i].label ? s->owners.v[i].label : s->owners.v[i].name);
	app_choose(app, s, "Whose schedule?", (const char *const *)names, s->owners.n, s->owner,
	    chosen_owner);
	for (size_t i = 0; i < s->owners.n; i++)
		free(names[i]);
	free(names);
	return APP_HANDLED;
}

static int
find_slot(struct app *app, void *state)
{
	struct schedule *s = state;

	scheduling_open_free_slots(app, &s->day);
	return APP_HANDLED;
}

static int
book(struct app *app, void *state)
{
	(void)app;
	book_here(state);
	return APP_REDRAW;
}

static int
reschedule(struct app *app, void *state)
{
	struct schedule *s = state;

	(void)app;
	if (s->moving != NULL)
		move_here(s);
	else
		start_move(s);
	return APP_REDRAW;
}

static int
cancel(struct app *app, void *state)
{
	(void)app;
	cancel_question(state);
	return APP_REDRAW;
}

static int
no_show(struct app *app, void *state)
{
	(void)app;
	step_question(state, SCHEDULING_NO_SHOW);
	return APP_REDRAW;
}

static int
check_in(struct app *app, void *state)
{
	(void)app;
	step_question(state, SCHEDULING_CHECK_IN);
	return APP_REDRAW;
}

static int
check_out(struct app *app, void *state)
{
	(void)app;
	step_question(state, SCHEDULING_CHECK_OUT);
	return APP_REDRAW;
}

/*
 * Enter: the date typed; in the week, that day; on the day, the row: a free one is
 * booked (or the appointment being moved goes there), a booked one opens its patient.
 */
static int
schedule_select(struct app *app, void *state)
{
	struct schedule *s = state;
	const struct sched_row *r = selected_row(s);
	const char *id;

	if (s->asking != ASK_NONE)
		return APP_IGNORED;
	if (s->date_active) {
		go_to_date(s);
		return APP_REDRAW;
	}
	if (s->week_view) {
		if ((id = ui_list_selected_id(&s->weeklist)) != NULL) {
			add_days(&s->day, strtol(id, NULL, 10));
			s->week_view = false;
			load_day(s);
		}
		return APP_REDRAW;
	}
	if (r == NULL)
		return APP_HANDLED;
	if (r->appt != NULL && s->moving == NULL) {
		struct sched_appt_view v;

		sched_appt_view(r->appt, &v);
		if (v.patient_ref != NULL)
			patients_open_record(app, v.patient_ref + strlen("Patient/"));
		return APP_HANDLED;
	}
	/* A change writes: one at a time, on a free row. */
	if (app_requests(app, s) > 0) {
		app_error(app, "%s: wait for the request running to finish (Esc cancels it)",
		    s->moving != NULL ? "Reschedule" : "Book");
		return APP_HANDLED;
	}
	if (!free_row(r)) {
		app_error(app, "%s: choose a free row first", s->moving != NULL ? "Reschedule" : "Book");
		return APP_HANDLED;
	}
	if (s->moving != NULL)
		move_here(s);
	else
		book_here(s);
	return APP_REDRAW;
}

/* Back: out of the date prompt, the move, the week; else the screen goes (or Esc cancels). */
static int
schedule_back(struct app *app, void *state)
{
	struct schedule *s = state;

	if (s->asking != ASK_NONE)
		return APP_IGNORED;
	if (s->date_active) {
		s->date_active = false;
		return APP_REDRAW;
	}
	if (app_requests(app, s) > 0)
		return APP_IGNORED;
	if (s->moving != NULL) {
		cJSON_Delete(s->moving);
		cJSON_Delete(s->moving_slots);
		s->moving = s->moving_slots = NULL;
		free(s->moving_name);
		s->moving_name = NULL;
		app_status(app, "Not moved");
		return APP_REDRAW;
	}
	if (s->week_view) {
		s->week_view = false;
		load_day(s);
		return APP_REDRAW;
	}
	return APP_IGNORED;
}

/* The question took a key: act on its answer once there is one. */
static void
schedule_changed(struct app *app, void *state, enum action a)
{
	struct schedule *s = state;

	(void)app;
	(void)a;
	if (s->asking != ASK_NONE)
		answered(s);
}

static struct app_focus
schedule_widget(struct app *app, void *state)
{
	struct schedule *s = state;

	(void)app;
	if (s->asking != ASK_NONE)
		return (struct app_focus){ APP_WIDGET_DIALOG, &s->dialog };
	if (s->date_active)
		return (struct app_focus){ APP_WIDGET_PROMPT, &s->date_prompt };
	return (struct app_focus){ APP_WIDGET_LIST, s->week_view ? &s->weeklist : &s->list };
}

#define DAY (NEEDS_OWNER | NEEDS_NO_QUESTION)
#define CHANGE (APP_NEEDS_IDLE | DAY)
static const struct screen_action schedule_actions[] = {
	{ A_BOOK, book, DAY | NEEDS_BOOKING | NEEDS_FREE_ROW, "book" },
	{ A_RESCHEDULE, reschedule, CHANGE | NEEDS_BOOKING | NEEDS_MOVE_ROW, "move" },
	{ A_CANCEL_BOOKING, cancel, CHANGE | NEEDS_BOOKING | NEEDS_BOOKED_ROW, "cancel" },
	{ A_CHECK_IN, check_in, CHANGE | NEEDS_BOOKING | NEEDS_BOOKED_ROW, "check in" },
	{ A_CHECK_OUT, check_out, CHANGE | NEEDS_BOOKING | NEEDS_BOOKED_ROW, "check out" },
	{ A_NO_SHOW, no_show, CHANGE | NEEDS_BOOKING | NEEDS_BOOKED_ROW, "no-show" },
	{ A_PREV_DAY, prev_day, DAY, "day back" },
	{ A_NEXT_DAY, next_day, DAY, "day on" },
	{ A_GO_TO_DATE, date_prompt, DAY, "date" },
	{ A_WEEK, week, DAY | NEEDS_SCHEDULES, "week" },
	{ A_PRACTITIONER, practitioner, DAY | NEEDS_SCHEDULES, "whose" },
	{ A_FIND_SLOT, find_slot, NEEDS_NO_QUESTION | NEEDS_BOOKING, "free slots" },
	{ A_PREV_WEEK, prev_week, DAY | NEEDS_SCHEDULES, NULL },
	{ A_NEXT_WEEK, next_week, DAY | NEEDS_SCHEDULES, NULL },
	{ A_MOVE_LEFT, left, NEEDS_OWNER | NEEDS_SCHEDULES, NULL },
	{ A_MOVE_RIGHT, right, NEEDS_OWNER | NEEDS_SCHEDULES, NULL },
	{ A_REFRESH, reread, DAY, NULL },
	{ A_SELECT, schedule_select, NEEDS_OWNER | NEEDS_SCHEDULES, NULL },
	{ A_BACK, schedule_back, 0, NULL },
	{ A_NONE },
};
#undef CHANGE
#undef DAY

const struct screen_ops schedule_screen = {
	.name = "schedule",
	.title = "schedule",
	.context = "schedule",
	.module = "scheduling",
	.needs = SCREEN_NEEDS_ONLINE,
	.enter = schedule_enter,
	.leave = schedule_leave,
	.draw = schedule_draw,
	.cursor = schedule_cursor,
	.actions = schedule_actions,
	.unmet = schedule_unmet,
	.widget = schedule_widget,
	.changed = schedule_changed,
};

int
scheduling_open_schedule(struct app *app)
{
	return app_open(app, &schedule_screen, NULL);
}
