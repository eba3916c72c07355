/* The flow board: today's patients of every practitioner by status, checked every minute for changes. */
#include "config.h"

#include "fhir/capability.h"

#include "screens/patients/patients.h"
#include "screens/scheduling/scheduling.h"
#include "screens/screens.h"
#include "ui/list.h"
#include "ui/prompt.h"
#include "ui/dialog.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* How often the board asks whether anything changed: the profile's flow_refresh. */
static int
check_ms(struct app *app)
{
	return (int)app_profile(app)->flow_refresh_s * 1000;
}

enum { COL_TIME, COL_STATUS, COL_PATIENT, COL_WITH, COL_ROOM, COL_COUNT };
static const struct ui_list_column columns[COL_COUNT] = {
	{ "Time", 5, 0 },
	{ "Status", 9, 0 },
	{ "Patient", 0, 3 },
	{ "With", 0, 2 },
	{ "Room", 10, 0 },
};

struct flow {
	struct app *app;
	struct date day;
	struct sched_board board; /* rows sorted by the board's order */
	bool read;
	bool failed; /* read, but not shown: its audit line could not be written */
	struct ui_list list;
	struct scheduling_change change;
	bool asking;
	struct ui_dialog dialog;
	struct scheduling_asked asked;
	bool room_active;
	struct ui_prompt room;
	int cursor_y, cursor_x;
	char *select_ref;
	char *read_only; /* why the server takes no step (its CapabilityStatement), or NULL */
};

static void load(struct flow *f);
static void after_change(struct app *app, void *state, const struct scheduling_change *c,
    const struct fhir_result *res);

static void
fill(struct flow *f)
{
	struct ui_list_page *pg = ui_list_page_new(COL_COUNT);
	unsigned ticket = ui_list_reset(&f->list);
	const struct sched_board *b = &f->board;
	long select = -1;

	sched_board_sort(&f->board);
	for (size_t i = 0; i < b->n; i++) {
		struct sched_appt_view v;
		struct sched_patient p;
		char time[8], id[24], *who;
		const char *cells[COL_COUNT], *room = sched_encounter_room(b->rows[i].encounter);
		char ref[96];

		sched_appt_view(b->rows[i].appt, &v);
		sched_patient_read(b->rows[i].appt, b->patients, &p);
		who = sched_patient_label(&p);
		scheduling_time(&b->rows[i].start, time, sizeof time);
		snprintf(id, sizeof id, "%zu", i);
		snprintf(ref, sizeof ref, "Appointment/%s", v.id ? v.id : "");
		if (f->select_ref != NULL && strcmp(ref, f->select_ref) == 0)
			select = (long)i;
		cells[COL_TIME] = time;
		cells[COL_STATUS] = b->rows[i].status;
		cells[COL_PATIENT] = who;
		cells[COL_WITH] = v.practitioner_name;
		cells[COL_ROOM] = room;
		ui_list_page_add(pg, id, cells);
		free(who);
		sched_patient_clear(&p);
	}
	ui_list_add_page(&f->list, ticket, &pg, 0, NULL, (long)b->n, NULL);
	for (long i = 0; i < select; i++)
		ui_list_action(&f->list, A_DOWN);
	free(f->select_ref);
	f->select_ref = NULL;
}

static void
on_read(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct flow *f = state;
	struct sched_board b;
	char *cause = NULL;

	(void)tag;
	if (r->status != FHIR_OK || sched_board_read(r->resource, &f->day, &b, &cause) != 0) {
		app_error(app, "The flow board could not be read: %s",
		    r->status != FHIR_OK && r->message ? r->message : cause ? cause : "no answer");
		free(cause);
		return;
	}
	sched_board_free(&f->board);
	/* No names without their audit line: the board is not shown at all. */
	if (scheduling_audit_patients(app, b.patients) != 0) {
		sched_board_free(&b);
		f->read = false;
		f->failed = true;
		fill(f);
		app_dirty(app);
		return;
	}
	f->board = b;
	f->read = true;
	f->failed = false;
	fill(f);
	if (b.cut)
		app_status(app, "More than %d appointments today: the first %d are shown",
		    SCHED_BOARD_COUNT, SCHED_BOARD_COUNT);
	app_dirty(app);
}

static void
load(struct flow *f)
{
	struct fhir_search *q = sched_board_search(&f->day);

	app_request(f->app, f, &(struct app_request){ .search = q, .done = on_read,
	    .slot = "flow-read", .label = "Reading today's patients" });
	fhir_search_free(&q);
}

/* The periodic check: two counts of what changed since the newest change read, in one batch. */
static void
on_checked(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct flow *f = state;

	(void)tag;
	if (r->status == FHIR_CANCELLED)
		return;
	if (r->status != FHIR_OK) {
		app_error(app, "The flow board could not check for changes: %s",
		    r->message ? r->message : "no answer");
		return;
	}
	if (sched_board_changes(r->resource) > 0)
		load(f);
}

static void
check(struct app *app, void *state)
{
	struct flow *f = state;
	cJSON *batch;

	app_timer(app, f, check_ms(app), check);
	if (app_requests(app, f) > 0)
		return;
	if ((batch = sched_board_check_batch(app_fhir(app), &f->board, time(NULL))) == NULL) {
		load(f);
		return;
	}
	/* In the background: the check is the board's own, not the clerk's, so Esc leaves the
	 * board rather than cancel a check nobody asked for, and nothing flickers each minute. */
	app_request(app, f, &(struct app_request){ .batch = batch, .done = on_checked,
	    .background = true, .slot = "flow-check", .label = "Checking for changes" });
	cJSON_Delete(batch);
}

static void *
flow_enter(struct app *app, void *arg)
{
	struct flow *f = xcalloc(1, sizeof *f);
	struct date_time now;

	(void)arg;
	f->app = app;
	date_time_now(&now);
	f->day = now.date;
	ui_list_init(&f->list, columns, COL_COUNT, NULL, f);
	ui_list_set_empty_message(&f->list, "No appointments today.");
	ui_dialog_init(&f->dialog, "", false);
	ui_prompt_init(&f->room, 30, false);
	f->change.after = after_change;
	{
		/* A step updates the Appointment and makes or updates its visit. */
		char *why = NULL;

		if (!fhir_caps_offers(app_caps(app), "Appointment", FHIR_UPDATE, &why) ||
		    !fhir_caps_offers(app_caps(app), "Encounter", FHIR_CREATE | FHIR_UPDATE, &why))
			f->read_only = xasprintf("Read-only: %s", why);
		free(why);
	}
	load(f);
	app_timer(app, f, check_ms(app), check);
	return f;
}

static void
flow_leave(struct app *app, void *state)
{
	struct flow *f = state;

	(void)app;
	sched_board_free(&f->board);
	free(f->select_ref);
	free(f->read_only);
	ui_list_free(&f->list);
	ui_dialog_free(&f->dialog);
	ui_prompt_clear(&f->room);
	free(f);
}

static void
flow_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct flow *f = state;
	char date[DATE_BUF_SIZE];
	size_t count[SCHED_BOARD_GROUPS + 1] = { 0 };

	(void)app;
	date_format_display(&f->day, date, sizeof date);
	for (size_t i = 0; i < f->board.n; i++)
		count[sched_board_group(f->board.rows[i].status)]++;
	ui_putf(win, top, 0, COLS, UI_NORMAL, true,
	    " Today %s: %zu booked, %zu arrived, %zu in room, %zu seen, %zu done, %zu no-show",
	    date, count[SCHED_GROUP_BOOKED], count[SCHED_GROUP_ARRIVED], count[SCHED_GROUP_IN_ROOM],
	    count[SCHED_GROUP_SEEN], count[SCHED_GROUP_DONE], count[SCHED_GROUP_NO_SHOW]);
	if (f->room_active) {
		int cx = 0;

		ui_put(win, top + 1, 1, 6, "Room:", UI_NORMAL, false);
		ui_prompt_draw(&f->room, win, top + 1, 7, 30, &cx);
		f->cursor_y = top + 1;
		f->cursor_x = cx;
	} else if (f->read_only != NULL) {
		ui_put(win, top + 1, 1, COLS - 2, f->read_only, UI_DIM, false);
	}
	if (f->read)
		ui_list_draw(&f->list, win, top + 2, rows - 2, COLS);
	else if (f->failed)
		ui_put(win, top + 3, 2, COLS - 4, SCHEDULING_NOT_AUDITED, UI_ERROR, false);
	else
		ui_put(win, top + 3, 2, COLS - 4, "Reading today's patients...", UI_DIM, false);
	if (f->asking)
		ui_dialog_draw(&f->dialog, win, top, rows, COLS);
}

static const struct sched_board_row *
selected(const struct flow *f)
{
	const char *id = ui_list_selected_id(&f->list);
	char *end;
	unsigned long i;

	if (id == NULL)
		return NULL;
	i = strtoul(id, &end, 10);
	return *end == '\0' && i < f->board.n ? &f->board.rows[i] : NULL;
}

/* What a change saved goes onto the board as it is (one round trip); a failure reads it again. */
static void
after_change(struct app *app, void *state, const struct scheduling_change *c,
    const struct fhir_result *res)
{
	struct flow *f = state;
	const struct sched_board_row *r = selected(f);

	(void)app;
	free(f->select_ref);
	f->select_ref = NULL;
	/* Keep the cursor on the appointment, whatever group it moved to. */
	if (r != NULL && fhir_id_of(r->appt) != NULL)
		f->select_ref = xasprintf("Appointment/%s", fhir_id_of(r->appt));
	else
		f->select_ref = xstrdup(c->ref);
	if (res->status == FHIR_OK && sched_board_apply(&f->board, res->resource) > 0)
		fill(f);
	else
		load(f);
}

static void
run(struct flow *f, struct fhir_plan *plan, char *cause, const struct scheduling_kind *kind,
    const char *id)
{
	scheduling_change(f->app, f, &f->change, plan, cause, kind, id);
}

/* The target of row R (or none) of F. */
static struct scheduling_target
target(const struct flow *f, const struct sched_board_row *r)
{
	return scheduling_target(r ? r->appt : NULL, r ? r->encounter : NULL, f->board.patients,
	    r ? &r->start : NULL);
}

static void
answered(struct flow *f)
{
	struct scheduling_target t;

	if (ui_dialog_answer(&f->dialog) == UI_DIALOG_ASKING)
		return;
	f->asking = false;
	if (ui_dialog_answer(&f->dialog) != UI_DIALOG_YES)
		return;
	t = target(f, selected(f));
	scheduling_take_step(f->app, f, &f->change, &f->asked, &t);
}

static int
ask(struct flow *f, enum scheduling_step step)
{
	struct scheduling_target t;

	t = target(f, selected(f));
	f->asking = scheduling_ask_step(f->app, &f->dialog, step, &t, &f->asked);
	return APP_REDRAW;
}

enum {
	NEEDS_ROW = APP_NEEDS_SCREEN,		/* an appointment chosen */
	NEEDS_CHECKED_IN = APP_NEEDS_SCREEN << 1, /* ... with its visit open */
	NEEDS_NO_QUESTION = APP_NEEDS_SCREEN << 2,
	NEEDS_STEPS = APP_NEEDS_SCREEN << 3, /* the server takes the steps */
};

static const char *
flow_unmet(struct app *app, void *state, unsigned need)
{
	struct flow *f = state;
	const struct sched_board_row *r = selected(f);

	(void)app;
	/* A step the server does not offer is refused with its reason, never sent. */
	if (need == NEEDS_STEPS && f->read_only != NULL)
		return f->read_only;
	if (need == NEEDS_NO_QUESTION && (f->asking || f->room_active))
		return f->asking ? "answer the question first" : "type the room first, or go back";
	if (need == NEEDS_ROW && r == NULL)
		return "choose an appointment first";
	if (need == NEEDS_CHECKED_IN && (r == NULL || r->encounter == NULL))
		return "check the patient in first";
	return NULL;
}

/* The room typed: the visit of the row chosen is in it. */
static void
room_typed(struct flow *f)
{
	const struct sched_board_row *r = selected(f);
	char *room, *cause = NULL;
	struct scheduling_target t;

	f->room_active = false;
	if (r == NULL || r->encounter == NULL)
		return;
	t = target(f, r);
	if (!scheduling_patient_read(f->app, &t, "Room"))
		return;
	room = ui_prompt_text(&f->room);
	if (*room == '\0')
		app_error(f->app, "Room: type the room's name");
	else
		run(f, sched_plan_room(r->encounter, room, &cause), cause, &scheduling_room,
		    fhir_id_of(r->encounter));
	free(room);
}

static int
flow_refresh(struct app *app, void *state)
{
	(void)app;
	load(state);
	return APP_REDRAW;
}

static int
flow_check_in(struct app *app, void *state)
{
	(void)app;
	return ask(state, SCHEDULING_CHECK_IN);
}

static int
flow_check_out(struct app *app, void *state)
{
	(void)app;
	return ask(state, SCHEDULING_CHECK_OUT);
}

static int
flow_no_show(struct app *app, void *state)
{
	(void)app;
	return ask(state, SCHEDULING_NO_SHOW);
}

static int
flow_room(struct app *app, void *state)
{
	struct flow *f = state;
	struct scheduling_target t;

	t = target(f, selected(f));
	if (!scheduling_patient_read(app, &t, "Room"))
		return APP_REDRAW;
	ui_prompt_clear(&f->room);
	f->room_active = true;
	return APP_REDRAW;
}

/* Enter: the room typed, the question's answer, or the patient of the row. */
static int
flow_select(struct app *app, void *state)
{
	struct flow *f = state;
	const struct sched_board_row *r = selected(f);
	struct sched_appt_view v;

	if (f->asking)
		return APP_IGNORED;
	if (f->room_active) {
		room_typed(f);
		return APP_REDRAW;
	}
	if (r == NULL)
		return APP_HANDLED;
	sched_appt_view(r->appt, &v);
	if (v.patient_ref != NULL)
		patients_open_record(app, v.patient_ref + strlen("Patient/"));
	return APP_HANDLED;
}

static int
flow_back(struct app *app, void *state)
{
	struct flow *f = state;

	(void)app;
	if (!f->room_active)
		return APP_IGNORED;
	f->room_active = false;
	return APP_REDRAW;
}

/* The question took a key: act on its answer once there is one. */
static void
flow_changed(struct app *app, void *state, enum action a)
{
	struct flow *f = state;

	(void)app;
	(void)a;
	if (f->asking)
		answered(f);
}

static struct app_focus
flow_widget(struct app *app, void *state)
{
	struct flow *f = state;

	(void)app;
	if (f->asking)
		return (struct app_focus){ APP_WIDGET_DIALOG, &f->dialog };
	if (f->room_active)
		return (struct app_focus){ APP_WIDGET_PROMPT, &f->room };
	return (struct app_focus){ APP_WIDGET_LIST, &f->list };
}

static bool
flow_cursor(struct app *app, void *state, int *y, int *x)
{
	struct flow *f = state;

	(void)app;
	if (!f->room_active)
		return false;
	*y = f->cursor_y;
	*x = f->cursor_x;
	return true;
}

/* Back on top (a patient's record left): a count of what changed, and a read only if anything did. */
static void
flow_resume(struct app *app, void *state)
{
	check(app, state);
}

#define STEP (APP_NEEDS_IDLE | NEEDS_STEPS | NEEDS_ROW | NEEDS_NO_QUESTION)
static const struct screen_action flow_actions[] = {
	{ A_CHECK_IN, flow_check_in, STEP, "check in" },
	{ A_ROOM, flow_room, STEP | NEEDS_CHECKED_IN, "room" },
	{ A_CHECK_OUT, flow_check_out, STEP, "check out" },
	{ A_NO_SHOW, flow_no_show, STEP, "no-show" },
	{ A_REFRESH, flow_refresh, NEEDS_NO_QUESTION, "refresh" },
	{ A_SELECT, flow_select, 0, NULL },
	{ A_BACK, flow_back, 0, NULL },
	{ A_NONE },
};
#undef STEP

const struct screen_ops flow_screen = {
	.name = "flow",
	.title = "flow board",
	.context = "flow",
	.module = "scheduling",
	.needs = SCREEN_NEEDS_ONLINE,
	.enter = flow_enter,
	.leave = flow_leave,
	.draw = flow_draw,
	.cursor = flow_cursor,
	.resume = flow_resume,
	.actions = flow_actions,
	.unmet = flow_unmet,
	.widget = flow_widget,
	.changed = flow_changed,
};

int
scheduling_open_flow(struct app *app)
{
	return app_open(app, &flow_screen, NULL);
}
