/* Free slots: the first free times from a day on, for everyone or one practitioner, of a given length. */
#include "config.h"

#include "screens/scheduling/scheduling.h"
#include "screens/screens.h"
#include "ui/form.h"
#include "ui/list.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COL_DAY, COL_TIME, COL_WITH, COL_WHERE, COL_COUNT };
static const struct ui_list_column columns[COL_COUNT] = {
	{ "Day", 14, 0 },
	{ "Time", 5, 0 },
	{ "With", 0, 3 },
	{ "Where", 0, 2 },
};

enum { F_FROM, F_MINUTES, F_TYPE, F_WITH, F_COUNT };

struct free_slots {
	struct app *app;
	struct field_def defs[F_COUNT];
	struct field_code *with; /* "Anyone" and each schedule */
	struct field_code types[SCHEDULING_TYPES_COUNT + 1]; /* "Any" and each type */
	struct ui_form form;
	bool in_form;
	struct sched_owners owners;
	cJSON *slots; /* the free slots read, owned */
	struct sched_free_start *starts;
	size_t nstarts;
	struct ui_list list;
	struct scheduling_draft draft; /* what the last booking did not save */
	long want_minutes;
	const char *want_type; /* a type code, or NULL: any */
};

static void search(struct free_slots *f);

static void
fill(struct free_slots *f)
{
	struct ui_list_page *pg = ui_list_page_new(COL_COUNT);
	unsigned ticket = ui_list_reset(&f->list);
	static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };

	free(f->starts);
	f->nstarts = sched_free_starts(f->slots, &f->owners, f->want_minutes, f->want_type, &f->starts);
	for (size_t i = 0; i < f->nstarts; i++) {
		const struct sched_owner *o = &f->owners.v[f->starts[i].owner];
		const struct date_time at = f->starts[i].start;
		char day[DATE_BUF_SIZE + 8], date[DATE_BUF_SIZE], time[8], id[24];
		/* Where tells the places apart ("Main Street", not "Sandbox Family Clinic, ..."). */
		const char *cells[COL_COUNT] = { day, time, o->name, o->where };

		date_format_display(&at.date, date, sizeof date);
		snprintf(day, sizeof day, "%s %s", wd[date_weekday(&at.date)], date);
		scheduling_time(&at, time, sizeof time);
		snprintf(id, sizeof id, "%zu", i);
		ui_list_page_add(pg, id, cells);
	}
	ui_list_add_page(&f->list, ticket, &pg, 0, NULL, (long)f->nstarts, NULL);
}

static void
on_found(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct free_slots *f = state;

	(void)tag;
	if (r->status != FHIR_OK) {
		app_error(app, "Free slots could not be read: %s", r->message ? r->message : "no answer");
		return;
	}
	cJSON_Delete(f->slots);
	f->slots = sched_free_read(r->resource);
	fill(f);
	f->in_form = f->nstarts == 0;
	app_dirty(app);
}

static void
search(struct free_slots *f)
{
	const struct field_value *from, *mins, *with, *type;
	const struct sched_owner *o = NULL;
	struct fhir_search *q;

	if (!ui_form_valid(&f->form))
		return;
	from = ui_form_value(&f->form, F_FROM);
	mins = ui_form_value(&f->form, F_MINUTES);
	with = ui_form_value(&f->form, F_WITH);
	type = ui_form_value(&f->form, F_TYPE);
	f->want_minutes = mins->integer;
	f->want_type = type->empty || type->code == &f->types[0] ? NULL : type->code->code;
	if (!with->empty && with->code != &f->with[0])
		o = &f->owners.v[with->code - f->with - 1];
	q = sched_free_search(o, &from->date);
	app_request(f->app, f, &(struct app_request){ .search = q, .done = on_found,
	    .slot = "free-slots", .label = "Finding free slots" });
	fhir_search_free(&q);
}

static void
on_owners(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct free_slots *f = state;
	char *cause = NULL;

	(void)tag;
	if (r->status != FHIR_OK) {
		app_error(app, "The schedules could not be read: %s", r->message ? r->message : "no answer");
		return;
	}
	sched_owners_read(r->resource, &f->owners);
	f->with = xcalloc(f->owners.n + 1, sizeof *f->with);
	f->with[0] = (struct field_code){ "any", "Anyone" };
	for (size_t i = 0; i < f->owners.n; i++)
		f->with[i + 1] = (struct field_code){ f->owners.v[i].schedule, f->owners.v[i].label };
	f->defs[F_WITH].codes = f->with;
	f->defs[F_WITH].ncodes = f->owners.n + 1;
	ui_form_set_text(&f->form, F_WITH, "Anyone", &cause);
	free(cause);
	ui_form_mark_clean(&f->form);
	search(f);
}

static void *
free_enter(struct app *app, void *arg)
{
	struct free_slots *f = xcalloc(1, sizeof *f);
	const struct date *from = arg;
	struct field_value v = { .type = FIELD_DATE };
	struct fhir_search *q = sched_owners_search();
	struct date_time now;
	char *cause = NULL;

	f->app = app;
	f->defs[F_FROM] = (struct field_def){ .label = "From", .type = FIELD_DATE, .required = true };
	f->defs[F_MINUTES] = (struct field_def){ .label = "Minutes", .type = FIELD_INTEGER,
		.required = true, .min = 1, .max = 8 * 60 };
	f->types[0] = (struct field_code){ "any", "Any" };
	for (size_t i = 0; i < SCHEDULING_TYPES_COUNT; i++)
		f->types[i + 1] = scheduling_types[i];
	f->defs[F_TYPE] = (struct field_def){ .label = "Type", .type = FIELD_CODE, .required = true,
		.codes = f->types, .ncodes = SCHEDULING_TYPES_COUNT + 1 };
	f->defs[F_WITH] = (struct field_def){ .label = "With", .type = FIELD_CODE, .required = true };
	ui_form_init(&f->form, f->defs, F_COUNT);
	date_time_now(&now);
	v.date = from != NULL && date_compare(from, &now.date) > 0 ? *from : now.date;
	ui_form_set_value(&f->form, F_FROM, &v, &cause);
	free(cause);
	cause = NULL;
	ui_form_set_text(&f->form, F_MINUTES, "15", &cause);
	free(cause);
	cause = NULL;
	ui_form_set_text(&f->form, F_TYPE, "Any", &cause);
	free(cause);
	ui_list_init(&f->list, columns, COL_COUNT, NULL, f);
	ui_list_set_empty_message(&f->list, "No free time of that length: try a later day or fewer minutes.");
	f->in_form = true;
	app_request(app, f, &(struct app_request){ .search = q, .done = on_owners,
	    .slot = "free-owners", .label = "Reading the schedules" });
	fhir_search_free(&q);
	return f;
}

static void
free_leave(struct app *app, void *state)
{
	struct free_slots *f = state;

	(void)app;
	ui_form_free(&f->form);
	ui_list_free(&f->list);
	sched_owners_free(&f->owners);
	cJSON_Delete(f->slots);
	free(f->starts);
	free(f->with);
	scheduling_draft_clear(&f->draft);
	free(f);
}

static void
free_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct free_slots *f = state;

	(void)app;
	ui_put(win, top, 1, COLS - 2, "Find free time:", UI_NORMAL, false);
	ui_form_draw(&f->form, win, top + 1, 4, COLS);
	ui_list_draw(&f->list, win, top + 6, rows - 6, COLS);
}

/* The slots just booked are busy now: off the list without asking again. */
static void
on_booked(struct app *app, void *opener, const cJSON *saved, const char *appointment_ref)
{
	struct free_slots *f = opener;

	(void)app;
	(void)appointment_ref;
	scheduling_draft_clear(&f->draft);
	if (saved != NULL && f->slots != NULL && sched_merge(f->slots, saved, "Slot", NULL, NULL) > 0)
		fill(f);
	else
		search(f);
}

/* Not booked (a slot just taken, say): the times are found again, what was typed kept. */
static void
on_unsaved(struct app *app, void *opener, const struct scheduling_draft *draft)
{
	struct free_slots *f = opener;

	(void)app;
	if (draft != NULL)
		scheduling_draft_set(&f->draft, draft);
	search(f);
}

enum { NEEDS_FREE_ROW = APP_NEEDS_SCREEN, NEEDS_PATIENT = APP_NEEDS_SCREEN << 1 };

static const struct sched_free_start *
selected_start(const struct free_slots *f)
{
	const char *id = f->in_form ? NULL : ui_list_selected_id(&f->list);
	char *end;
	unsigned long i;

	if (id == NULL)
		return NULL;
	i = strtoul(id, &end, 10);
	return *end == '\0' && i < f->nstarts ? &f->starts[i] : NULL;
}

static const char *
free_unmet(struct app *app, void *state, unsigned need)
{
	struct free_slots *f = state;

	/* In the search form Enter moves through the fields: nothing to choose yet. */
	if (f->in_form)
		return NULL;
	if (need == NEEDS_FREE_ROW && selected_start(f) == NULL)
		return "choose a free time first";
	if (need == NEEDS_PATIENT && app_patient(app) == NULL)
		return "find the patient first, then come back to free slots";
	return NULL;
}

static int
book(struct app *app, void *state)
{
	struct free_slots *f = state;
	const struct sched_free_start *s = selected_start(f);
	struct book_request req = { 0 };

	req.owner = &f->owners.v[s->owner];
	for (size_t k = 0; k < s->n; k++)
		req.slots[k] = s->slots[k];
	req.nslots = s->n;
	req.draft = &f->draft;
	req.unsaved = on_unsaved;
	scheduling_open_book(app, &req, on_booked, f);
	return APP_REDRAW;
}

/* Enter: the next field, a search from the last one; on the list, book the time. */
static int
free_select(struct app *app, void *state)
{
	struct free_slots *f = state;

	(void)app;
	if (ui_form_focus(&f->form) + 1 == F_COUNT)
		search(f);
	else
		ui_form_action(&f->form, A_NEXT_FIELD);
	return APP_REDRAW;
}

static int
free_search(struct app *app, void *state)
{
	struct free_slots *f = state;

	(void)app;
	search(f);
	return APP_REDRAW;
}

static int
free_change_search(struct app *app, void *state)
{
	struct free_slots *f = state;

	(void)app;
	if (f->in_form)
		return APP_IGNORED;
	f->in_form = true;
	ui_form_set_focus(&f->form, F_FROM);
	return APP_REDRAW;
}

/* Back from the search form to the times found, when there are any. */
static int
free_back(struct app *app, void *state)
{
	struct free_slots *f = state;

	if (!f->in_form || f->nstarts == 0 || app_requests(app, f) > 0)
		return APP_IGNORED;
	f->in_form = false;
	return APP_REDRAW;
}

static struct app_focus
free_widget(struct app *app, void *state)
{
	struct free_slots *f = state;

	(void)app;
	if (f->in_form)
		return (struct app_focus){ APP_WIDGET_FORM, &f->form };
	return (struct app_focus){ APP_WIDGET_LIST, &f->list };
}

static bool
free_cursor(struct app *app, void *state, int *y, int *x)
{
	struct free_slots *f = state;

	(void)app;
	return f->in_form && ui_form_cursor(&f->form, y, x);
}

static int
free_book(struct app *app, void *state)
{
	struct free_slots *f = state;

	if (f->in_form)
		return free_select(app, state);
	return book(app, state);
}

static const struct screen_action free_actions[] = {
	{ A_SELECT, free_book, NEEDS_FREE_ROW | NEEDS_PATIENT, NULL },
	{ A_BOOK, free_book, NEEDS_FREE_ROW | NEEDS_PATIENT, "book" },
	{ A_SAVE, free_search, 0, "search" },
	{ A_SEARCH, free_change_search, 0, "change the search" },
	{ A_REFRESH, free_search, 0, "refresh" },
	{ A_BACK, free_back, 0, NULL },
	{ A_NONE },
};

const struct screen_ops free_slots_screen = {
	.name = "free-slots",
	.title = "free slots",
	.context = "free-slots",
	.module = "scheduling",
	.needs = SCREEN_NEEDS_ONLINE,
	.enter = free_enter,
	.leave = free_leave,
	.draw = free_draw,
	.cursor = free_cursor,
	.actions = free_actions,
	.unmet = free_unmet,
	.widget = free_widget,
};

int
scheduling_open_free_slots(struct app *app, const struct date *from)
{
	return app_open(app, &free_slots_screen, (void *)from);
}
