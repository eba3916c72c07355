/* The flow board: today's patients of every practitioner by status, checked every minute for changes. */
#include "config.h"

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

/* The order of the board: who needs the desk's attention first. */
static const char *const order[] = { "arrived", "in room", "booked", "done", "no-show" };

struct flow_row {
	const cJSON *appt, *encounter;
	int group;
	struct date_time start;
};

struct flow {
	struct app *app;
	struct date day;
	cJSON *appts, *encounters; /* as read, owned */
	cJSON *patients;	   /* the appointments' Patients, read with them, owned */
	struct flow_row *rows;
	size_t n;
	bool read;
	char since[48]; /* the newest lastUpdated read: what "changed" is measured from */
	struct ui_list list;
	struct scheduling_change change;
	bool asking;
	struct ui_dialog dialog;
	struct scheduling_asked asked;
	bool room_active;
	struct ui_prompt room;
	int cursor_y, cursor_x;
	char *select_ref;
};

static void load(struct flow *f);
static void after_change(struct app *app, void *state, const struct scheduling_change *c,
    const struct fhir_result *res);

static int
group_of(const char *status)
{
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		if (strcmp(order[i], status) == 0)
			return (int)i;
	return (int)(sizeof order / sizeof order[0]);
}

static int
row_cmp(const void *a, const void *b)
{
	const struct flow_row *x = a, *y = b;

	if (x->group != y->group)
		return x->group - y->group;
	return date_time_compare(&x->start, &y->start);
}

static void
note_updated(struct flow *f, const cJSON *r)
{
	sched_updated_newest(fhir_get_string(fhir_get_object(r, "meta"), "lastUpdated"), time(NULL),
	    f->since, sizeof f->since);
}

static void
fill(struct flow *f)
{
	struct ui_list_page *pg = ui_list_page_new(COL_COUNT);
	unsigned ticket = ui_list_reset(&f->list);
	const cJSON *a;
	size_t n = 0;
	long select = -1;

	free(f->rows);
	f->rows = xcalloc((size_t)cJSON_GetArraySize(f->appts) + 1, sizeof *f->rows);
	f->since[0] = '\0';
	cJSON_ArrayForEach(a, f->appts)
	{
		struct flow_row *r = &f->rows[n];
		const cJSON *e;
		const char *status;

		note_updated(f, a);
		if (sched_instant_parse(fhir_get_string(a, "start"), &r->start) != 0)
			continue;
		r->appt = a;
		cJSON_ArrayForEach(e, f->encounters)
		{
			const cJSON *ref;

			cJSON_ArrayForEach(ref, fhir_get_array(e, "appointment"))
			{
				const char *s = fhir_get_string(ref, "reference");

				if (s != NULL && strncmp(s, "Appointment/", 12) == 0 &&
				    strcmp(s + 12, fhir_get_string(a, "id")) == 0)
					r->encounter = e;
			}
		}
		status = sched_flow_status(a, r->encounter);
		if (strcmp(status, "cancelled") == 0 || strcmp(status, "entered-in-error") == 0)
			continue;
		r->group = group_of(status);
		n++;
	}
	cJSON_ArrayForEach(a, f->encounters)
		note_updated(f, a);
	qsort(f->rows, n, sizeof *f->rows, row_cmp);
	f->n = n;
	for (size_t i = 0; i < n; i++) {
		struct sched_appt_view v;
		struct sched_patient p;
		char time[8], id[24], *who;
		const char *cells[COL_COUNT], *room = sched_encounter_room(f->rows[i].encounter);
		char ref[96];

		sched_appt_view(f->rows[i].appt, &v);
		sched_patient_read(f->rows[i].appt, f->patients, &p);
		who = sched_patient_label(&p);
		scheduling_time(&f->rows[i].start, time, sizeof time);
		snprintf(id, sizeof id, "%zu", i);
		snprintf(ref, sizeof ref, "Appointment/%s", v.id ? v.id : "");
		if (f->select_ref != NULL && strcmp(ref, f->select_ref) == 0)
			select = (long)i;
		cells[COL_TIME] = time;
		cells[COL_STATUS] = sched_flow_status(f->rows[i].appt, f->rows[i].encounter);
		cells[COL_PATIENT] = who;
		cells[COL_WITH] = v.practitioner_name;
		cells[COL_ROOM] = room;
		ui_list_page_add(pg, id, cells);
		free(who);
		sched_patient_clear(&p);
	}
	ui_list_add_page(&f->list, ticket, &pg, 0, NULL, (long)n, NULL);
	for (long i = 0; i < select; i++)
		ui_list_action(&f->list, A_DOWN);
	free(f->select_ref);
	f->select_ref = NULL;
}

static void
on_read(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct flow *f = state;

	(void)tag;
	if (r->status != FHIR_OK || fhir_get_string(r->resource, "resourceType") == NULL ||
	    strcmp(fhir_get_string(r->resource, "resourceType"), "Bundle") != 0) {
		app_error(app, "The flow board could not be read: %s",
		    r->message ? r->message : "the answer is not a search result");
		return;
	}
	cJSON_Delete(f->appts);
	cJSON_Delete(f->encounters);
	cJSON_Delete(f->patients);
	f->appts = cJSON_CreateArray();
	f->encounters = cJSON_CreateArray();
	f->patients = cJSON_CreateArray();
	{
		const cJSON *e;

		cJSON_ArrayForEach(e, fhir_get_array(r->resource, "entry"))
		{
			const cJSON *res = fhir_get_object(e, "resource");
			const char *type = fhir_get_string(res, "resourceType");

			if (type == NULL || !fhir_valid_id(fhir_get_string(res, "id")))
				continue;
			if (strcmp(type, "Appointment") == 0)
				cJSON_AddItemToArray(f->appts, cJSON_Duplicate(res, true));
			else if (strcmp(type, "Encounter") == 0)
				cJSON_AddItemToArray(f->encounters, cJSON_Duplicate(res, true));
			else if (strcmp(type, "Patient") == 0)
				cJSON_AddItemToArray(f->patients, cJSON_Duplicate(res, true));
		}
	}
	f->read = true;
	fill(f);
	app_dirty(app);
}

static void
load(struct flow *f)
{
	struct fhir_search *q = fhir_search_new("Appointment");

	sched_search_days(q, "date", &f->day, 1);
	fhir_search_add(q, "_sort", "date");
	fhir_search_add(q, "_count", "500");
	sched_appt_includes(q);
	app_request(f->app, f, &(struct app_request){ .search = q, .done = on_read,
	    .slot = "flow-read", .label = "Reading today's patients" });
	fhir_search_free(&q);
}

/* The periodic check: two counts of what changed since the newest change read, in one batch. */
static void
on_checked(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct flow *f = state;
	const cJSON *e;
	long changed = 0;

	(void)tag;
	if (r->status != FHIR_OK) {
		app_error(app, "The flow board could not check for changes: %s",
		    r->message ? r->message : "no answer");
		return;
	}
	cJSON_ArrayForEach(e, fhir_get_array(r->resource, "entry"))
	{
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(fhir_get_object(e, "resource"), "total");

		/* No count is taken as a change: better one read too many than a stale board. */
		changed += cJSON_IsNumber(t) ? (long)t->valuedouble : 1;
	}
	if (changed > 0)
		load(f);
}

static void
check(struct app *app, void *state)
{
	struct flow *f = state;
	cJSON *batch, *entries;
	static const char *const types[] = { "Appointment", "Encounter" };
	time_t ahead = time(NULL) + SCHED_UPDATED_SKEW_S;
	struct tm tm;
	char le[40];

	app_timer(app, f, check_ms(app), check);
	if (app_requests(app, f) > 0)
		return;
	if (f->since[0] == '\0') {
		load(f);
		return;
	}
	batch = fhir_batch_new(&entries);
	/* A record dated in the future would count as a change at every check: only up to now. */
	gmtime_r(&ahead, &tm);
	strftime(le, sizeof le, "le%Y-%m-%dT%H:%M:%SZ", &tm);
	for (size_t i = 0; i < 2; i++) {
		struct fhir_search *q = fhir_search_new(types[i]);
		char *gt = xasprintf("gt%s", f->since);

		/* Only what the board shows: today's appointments, and visits of today. */
		sched_search_days(q, "date", &f->day, 1);
		fhir_search_add(q, "_lastUpdated", gt);
		fhir_search_add(q, "_lastUpdated", le);
		fhir_search_add(q, "_summary", "count");
		fhir_batch_add_search(entries, app_fhir(app), q);
		free(gt);
		fhir_search_free(&q);
	}
	app_request(app, f, &(struct app_request){ .batch = batch, .done = on_checked,
	    .slot = "flow-check", .label = "Checking for changes" });
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
	load(f);
	app_timer(app, f, check_ms(app), check);
	return f;
}

static void
flow_leave(struct app *app, void *state)
{
	struct flow *f = state;

	(void)app;
	cJSON_Delete(f->appts);
	cJSON_Delete(f->encounters);
	cJSON_Delete(f->patients);
	free(f->rows);
	free(f->select_ref);
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
	size_t count[sizeof order / sizeof order[0] + 1] = { 0 };

	(void)app;
	date_format_display(&f->day, date, sizeof date);
	for (size_t i = 0; i < f->n; i++)
		count[f->rows[i].group]++;
	ui_putf(win, top, 0, COLS, UI_NORMAL, true,
	    " Today %s: %zu booked, %zu arrived, %zu in room, %zu done, %zu no-show", date,
	    count[2], count[0], count[1], count[3], count[4]);
	if (f->room_active) {
		int cx = 0;

		ui_put(win, top + 1, 1, 6, "Room:", UI_NORMAL, false);
		ui_prompt_draw(&f->room, win, top + 1, 7, 30, &cx);
		f->cursor_y = top + 1;
		f->cursor_x = cx;
	}
	if (f->read)
		ui_list_draw(&f->list, win, top + 2, rows - 2, COLS);
	else
		ui_put(win, top + 3, 2, COLS - 4, "Reading today's patients...", UI_DIM, false);
	if (f->asking)
		ui_dialog_draw(&f->dialog, win, top, rows, COLS);
}

static const struct flow_row *
selected(const struct flow *f)
{
	const char *id = ui_list_selected_id(&f->list);
	char *end;
	unsigned long i;

	if (id == NULL)
		return NULL;
	i = strtoul(id, &end, 10);
	return *end == '\0' && i < f->n ? &f->rows[i] : NULL;
}

static bool
starts_today(const cJSON *appt, const void *arg)
{
	const struct flow *f = arg;
	struct date_time at;

	return sched_instant_parse(fhir_get_string(appt, "start"), &at) == 0 &&
	    date_compare(&at.date, &f->day) == 0;
}

static bool
any(const cJSON *r, const void *arg)
{
	(void)r;
	(void)arg;
	return true;
}

/* What a change saved goes onto the board as it is (one round trip); a failure reads it again. */
static void
after_change(struct app *app, void *state, const struct scheduling_change *c,
    const struct fhir_result *res)
{
	struct flow *f = state;
	const struct flow_row *r = selected(f);

	(void)app;
	free(f->select_ref);
	f->select_ref = NULL;
	/* Keep the cursor on the appointment, whatever group it moved to. */
	if (r != NULL && fhir_get_string(r->appt, "id") != NULL)
		f->select_ref = xasprintf("Appointment/%s", fhir_get_string(r->appt, "id"));
	else
		f->select_ref = xstrdup(c->ref);
	if (res->status == FHIR_OK &&
	    sched_merge(f->appts, res->resource, "Appointment", starts_today, f) +
		    sched_merge(f->encounters, res->resource, "Encounter", any, NULL) >
		0)
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
target(const struct flow *f, const struct flow_row *r)
{
	return scheduling_target(r ? r->appt : NULL, r ? r->encounter : NULL, f->patients,
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
};

static const char *
flow_unmet(struct app *app, void *state, unsigned need)
{
	struct flow *f = state;
	const struct flow_row *r = selected(f);

	(void)app;
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
	const struct flow_row *r = selected(f);
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
		    fhir_get_string(r->encounter, "id"));
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
	const struct flow_row *r = selected(f);
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

#define STEP (APP_NEEDS_IDLE | NEEDS_ROW | NEEDS_NO_QUESTION)
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
