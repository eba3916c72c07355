/* Booking: the current patient into free slots, with a type, a reason and a note, in one transaction. */
#include "config.h"

#include "screens/scheduling/scheduling.h"
#include "screens/screens.h"
#include "fhir/patient.h"
#include "ui/banner.h"
#include "ui/dialog.h"
#include "ui/form.h"
#include "ui/ui.h"
#include "util/uuid.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { F_TYPE, F_LENGTH, F_REASON, F_NOTE, F_COUNT };
// clang-format off
static const struct field_def fields[F_COUNT] = {
	[F_TYPE]   = { .label = "Type", .type = FIELD_CODE, .required = true,
		       .codes = scheduling_types, .ncodes = SCHEDULING_TYPES_COUNT },
	[F_LENGTH] = { .label = "Minutes", .type = FIELD_INTEGER, .required = true,
		       .min = 1, .max = 24 * 60 },
	[F_REASON] = { .label = "Reason", .type = FIELD_TEXT, .required = true, .max_chars = 200 },
	[F_NOTE]   = { .label = "Note", .type = FIELD_TEXT, .max_chars = 500 },
};
// clang-format on

struct book {
	struct app *app;
	struct book_arg arg;		/* the pointers to the screen below's state */
	cJSON *slots;			/* copies of the free slots in a row, as read */
	struct ui_form form;
	char request_id[UUID_BUF_SIZE]; /* one per booking: a retried create finds the first */
	size_t nbooked; /* slots the running booking takes: its Appointment is the step after */
	unsigned attempts; /* saves sent: after a lost answer, a conflict may be our own */
	bool saved;
	bool asking;
	struct ui_dialog dialog;
};

static long
slot_minutes(const cJSON *slot)
{
	struct date_time a, b;

	if (sched_instant_parse(fhir_get_string(slot, "start"), &a) != 0 ||
	    sched_instant_parse(fhir_get_string(slot, "end"), &b) != 0)
		return 0;
	return sched_minutes(&a, &b);
}

static void
keep_draft(struct book *b)
{
	struct scheduling_draft *d = b->arg.draft;

	if (d == NULL)
		return;
	scheduling_draft_clear(d);
	d->type = ui_form_text(&b->form, F_TYPE);
	d->reason = ui_form_text(&b->form, F_REASON);
	d->note = ui_form_text(&b->form, F_NOTE);
}

static void *
book_enter(struct app *app, void *arg)
{
	struct book *b = xcalloc(1, sizeof *b);
	const struct book_arg *a = arg;
	char length[16];
	char *cause = NULL;

	b->app = app;
	b->arg = *a;
	b->slots = cJSON_CreateArray();
	for (size_t i = 0; i < a->nslots; i++)
		cJSON_AddItemToArray(b->slots, cJSON_Duplicate(a->slots[i], true));
	uuid_v4(b->request_id);
	ui_form_init(&b->form, fields, F_COUNT);
	ui_dialog_init(&b->dialog, "", false);
	snprintf(length, sizeof length, "%ld", a->nslots > 0 ? slot_minutes(a->slots[0]) : 15);
	ui_form_set_text(&b->form, F_LENGTH, length, &cause);
	free(cause);
	cause = NULL;
	if (a->draft != NULL && a->draft->reason != NULL) {
		/* What did not save last time (a slot just taken) is offered again. */
		ui_form_set_text(&b->form, F_TYPE, a->draft->type, &cause);
		free(cause);
		cause = NULL;
		ui_form_set_text(&b->form, F_REASON, a->draft->reason, &cause);
		free(cause);
		cause = NULL;
		ui_form_set_text(&b->form, F_NOTE, a->draft->note, &cause);
		free(cause);
	} else {
		ui_form_set_text(&b->form, F_TYPE, "Routine", &cause);
		free(cause);
	}
	ui_form_mark_clean(&b->form);
	ui_form_set_focus(&b->form, F_REASON);
	return b;
}

static void
book_leave(struct app *app, void *state)
{
	struct book *b = state;

	(void)app;
	if (!b->saved && ui_form_dirty(&b->form))
		keep_draft(b);
	cJSON_Delete(b->slots);
	ui_form_free(&b->form);
	ui_dialog_free(&b->dialog);
	free(b);
}

static void
book_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct book *b = state;
	const cJSON *patient = app_patient(app);
	const cJSON *first = cJSON_GetArrayItem(b->slots, 0);
	struct date_time start;
	char when[DATE_BUF_SIZE] = "?";
	struct date_time now;

	date_time_now(&now);
	if (patient != NULL) {
		struct patient_view pv;

		patient_view_read(patient, &pv);
		ui_banner_draw(win, top, COLS, &pv, NULL, &now.date);
		patient_view_clear(&pv);
	}
	if (sched_instant_parse(fhir_get_string(first, "start"), &start) == 0)
		date_time_format_display(&start, when, sizeof when);
	ui_putf(win, top + 2, 1, COLS - 2, UI_NORMAL, false, "Book with %s at %s (%d free minutes from there)",
	    b->arg.owner ? b->arg.owner->name : "?", when,
	    (int)(slot_minutes(first) * cJSON_GetArraySize(b->slots)));
	ui_form_draw(&b->form, win, top + 4, rows - 6, COLS);
	ui_put(win, top + rows - 1, 1, COLS - 2,
	    "F10 or ^S books  Tab next field  F2 another patient  Esc back", UI_DIM, false);
	if (b->asking)
		ui_dialog_draw(&b->dialog, win, top, rows, COLS);
}

static void
on_booked(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct book *b = state;
	char ref[128], version[64];

	(void)tag;
	if (r->status == FHIR_OK) {
		/* The appointment is the step after the slots. */
		const char *id = NULL;

		if (fhir_plan_result(r->resource, b->nbooked, ref, sizeof ref, version, sizeof version) == 0)
			id = strchr(ref, '/') + 1;
		b->saved = true;
		if (b->arg.booked != NULL)
			*b->arg.booked = true;
		if (b->arg.booked_ref != NULL && id != NULL) {
			free(*b->arg.booked_ref);
			*b->arg.booked_ref = xstrdup(ref);
		}
		if (b->arg.saved != NULL) {
			cJSON_Delete(*b->arg.saved);
			*b->arg.saved = cJSON_Duplicate(r->resource, true);
		}
		if (b->arg.draft != NULL)
			scheduling_draft_clear(b->arg.draft);
		if (app_audit(app, "book", "Appointment", id) == 0)
			app_status(app, "Booked.");
		app_leave(app, b);
		return;
	}
	if (r->status == FHIR_CONFLICT) {
		/* Another clerk was first: the form is kept for the next slot, the day read again. */
		keep_draft(b);
		b->saved = true;
		if (b->attempts > 1)
			/* An earlier try whose answer never came may have taken it: the day tells. */
			app_error(app, "Not booked now: the slot is taken, by the earlier try whose answer "
				       "was lost or by someone else; the day shows which.");
		else
			app_error(app, "Slot just taken by someone else: not booked. The day is shown as "
				       "it is now; press b on another slot (what you typed is kept).");
		app_leave(app, b);
		return;
	}
	{
		char *msg = scheduling_failure(r, "Not booked");

		ui_form_set_not_saved(&b->form, msg);
		app_error(app, "%s (F10 tries again)", msg);
		free(msg);
	}
}

static int
save(struct app *app, struct book *b)
{
	const cJSON *patient = app_patient(app);
	const struct field_value *type, *length, *reason, *note;
	struct sched_booking bk = { 0 };
	struct patient_view pv;
	struct fhir_plan *plan;
	struct date_time now;
	long covered = 0;
	char *cause = NULL, *ref;

	if (app_requests(app, b) > 0)
		return APP_HANDLED;
	if (patient == NULL || !fhir_valid_id(fhir_get_string(patient, "id"))) {
		app_error(app, "Choose the patient first (F2)");
		return APP_REDRAW;
	}
	if (!ui_form_valid(&b->form)) {
		app_error(app, "Not booked: %s", ui_form_message(&b->form, ui_form_focus(&b->form))
			? ui_form_message(&b->form, ui_form_focus(&b->form)) : "a field needs a value");
		return APP_REDRAW;
	}
	type = ui_form_value(&b->form, F_TYPE);
	length = ui_form_value(&b->form, F_LENGTH);
	reason = ui_form_value(&b->form, F_REASON);
	note = ui_form_value(&b->form, F_NOTE);
	/* As many slots in a row as the length needs. */
	for (int i = 0; i < cJSON_GetArraySize(b->slots) && covered < length->integer; i++) {
		bk.slots[bk.nslots++] = cJSON_GetArrayItem(b->slots, i);
		covered += slot_minutes(bk.slots[bk.nslots - 1]);
	}
	if (covered < length->integer) {
		ui_form_set_focus(&b->form, F_LENGTH);
		ui_form_set_not_saved(&b->form, "not that many free minutes in a row from this slot");
		return APP_REDRAW;
	}
	ui_form_set_not_saved(&b->form, NULL);
	date_time_now(&now);
	patient_view_read(patient, &pv);
	ref = xasprintf("Patient/%s", pv.id);
	bk.owner = b->arg.owner;
	bk.patient_ref = ref;
	bk.patient_name = pv.name;
	bk.type_code = type->code->code;
	bk.type_display = type->code->display;
	bk.reason = reason->empty ? NULL : reason->text;
	bk.note = note->empty ? NULL : note->text;
	bk.request_id = b->request_id;
	bk.today = &now.date;
	plan = sched_plan_book(&bk, &cause);
	free(ref);
	patient_view_clear(&pv);
	if (plan == NULL) {
		ui_form_set_not_saved(&b->form, cause);
		free(cause);
		return APP_REDRAW;
	}
	b->nbooked = bk.nslots;
	b->attempts++;
	scheduling_run(app, b, plan, on_booked, 0, "Booking");
	return APP_REDRAW;
}

static int
book_action(struct app *app, void *state, enum action a)
{
	struct book *b = state;

	if (b->asking) {
		if (!ui_dialog_action(&b->dialog, a))
			return APP_IGNORED;
		if (ui_dialog_answer(&b->dialog) == UI_DIALOG_YES) {
			b->asking = false;
			keep_draft(b);
			b->saved = true; /* kept as the draft: nothing more to ask */
			return APP_LEAVE;
		}
		if (ui_dialog_answer(&b->dialog) != UI_DIALOG_ASKING)
			b->asking = false;
		return APP_REDRAW;
	}
	switch (a) {
	case A_SAVE:
	case A_RETRY:
		return save(app, b);
	case A_SELECT:
		return ui_form_action(&b->form, A_NEXT_FIELD) ? APP_REDRAW : APP_HANDLED;
	case A_PATIENTS:
		/* Another patient for this booking: the finder chooses and comes back. */
		app_push(app, "patients", (void *)screens_pick_patient);
		return APP_HANDLED;
	case A_BACK:
		if (app_requests(app, b) > 0)
			return APP_IGNORED;
		if (!ui_form_dirty(&b->form))
			return APP_LEAVE;
		ui_dialog_free(&b->dialog);
		ui_dialog_init(&b->dialog, "Leave without booking? (what you typed is kept for the next booking)", false);
		b->asking = true;
		return APP_REDRAW;
	default:
		return ui_form_action(&b->form, a) ? APP_REDRAW : APP_IGNORED;
	}
}

static int
book_text(struct app *app, void *state, int key)
{
	struct book *b = state;

	(void)app;
	if (b->asking)
		return APP_IGNORED;
	return ui_form_key(&b->form, key) ? APP_REDRAW : APP_IGNORED;
}

static const char *
book_focus(struct app *app, void *state)
{
	struct book *b = state;

	(void)app;
	return b->asking ? "dialog" : "form";
}

static bool
book_cursor(struct app *app, void *state, int *y, int *x)
{
	struct book *b = state;

	(void)app;
	return !b->asking && ui_form_cursor(&b->form, y, x);
}

static bool
book_unsaved(struct app *app, void *state)
{
	struct book *b = state;

	(void)app;
	return !b->saved && ui_form_dirty(&b->form);
}

const struct screen_ops book_screen = {
	.name = "book",
	.title = "book an appointment",
	.context = NULL,
	.module = "scheduling",
	.needs = SCREEN_NEEDS_ONLINE,
	.enter = book_enter,
	.leave = book_leave,
	.draw = book_draw,
	.action = book_action,
	.text = book_text,
	.focus = book_focus,
	.cursor = book_cursor,
	.unsaved = book_unsaved,
};
