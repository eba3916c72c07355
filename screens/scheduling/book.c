/* Booking: the current patient into free slots, with a type, a reason and a note, in one transaction. */
#include "config.h"

#include "screens/patients/patients.h"
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

/* What opening a booking carries through app_open: the request and who to tell. */
struct book_open {
	const struct book_request *req;
	scheduling_booked_fn booked;
	void *opener;
};

struct book {
	struct app *app;
	const struct sched_owner *owner; /* the opener's, borrowed while it is below */
	scheduling_booked_fn booked;
	void (*unsaved)(struct app *app, void *opener, const struct scheduling_draft *draft);
	void *opener;
	struct scheduling_draft draft;	/* what is handed back when the booking did not save */
	bool kept;			/* DRAFT holds what was typed */
	cJSON *slots;			/* copies of the free slots in a row, as read */
	struct ui_form form;
	char request_id[UUID_BUF_SIZE]; /* one per booking: a retried create finds the first */
	size_t nbooked; /* slots the running booking takes: its Appointment is the step after */
	unsigned attempts; /* saves sent: after a lost answer, a conflict may be our own */
	bool saved;
	enum { ASK_NONE, ASK_LEAVE, ASK_DECEASED } asking;
	char deceased_ok[72]; /* the patient id the clerk chose to book although deceased */
	struct ui_dialog dialog;
};

static long
slot_minutes(const cJSON *slot)
{
	struct sched_slot_view v;

	sched_slot_view(slot, &v);
	return v.minutes;
}

static void
keep_draft(struct book *b)
{
	scheduling_draft_clear(&b->draft);
	b->draft.type = ui_form_text(&b->form, F_TYPE);
	b->draft.reason = ui_form_text(&b->form, F_REASON);
	b->draft.note = ui_form_text(&b->form, F_NOTE);
	b->kept = true;
}

enum { NEEDS_NO_QUESTION = APP_NEEDS_SCREEN };

static const char *
book_unmet(struct app *app, void *state, unsigned need)
{
	struct book *b = state;

	(void)app;
	return need == NEEDS_NO_QUESTION && b->asking ? "answer the question first" : NULL;
}

static void *
book_enter(struct app *app, void *arg)
{
	struct book *b = xcalloc(1, sizeof *b);
	const struct book_open *o = arg;
	const struct book_request *a = o->req;
	char length[16];
	char *cause = NULL;

	b->app = app;
	b->owner = a->owner;
	b->booked = o->booked;
	b->unsaved = a->unsaved;
	b->opener = o->opener;
	b->slots = fhir_array_of(a->slots, a->nslots);
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

	if (!b->saved && ui_form_dirty(&b->form))
		keep_draft(b);
	/* The opener is still below: it hears what was typed, and reads the day again. */
	if (!b->saved && b->unsaved != NULL)
		b->unsaved(app, b->opener, b->kept ? &b->draft : NULL);
	scheduling_draft_clear(&b->draft);
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
	struct sched_slot_view first_view;
	char when[DATE_BUF_SIZE] = "?";
	struct date_time now;

	date_time_now(&now);
	if (patient != NULL) {
		struct patient_view pv;

		patient_view_read(patient, &pv);
		ui_banner_draw(win, top, COLS, &pv, NULL, &now.date);
		patient_view_clear(&pv);
	}
	sched_slot_view(first, &first_view);
	if (first_view.has_time)
		date_time_format_display(&first_view.start, when, sizeof when);
	ui_putf(win, top + 2, 1, COLS - 2, UI_NORMAL, false, "Book with %s at %s (%d free minutes from there)",
	    b->owner ? b->owner->name : "?", when,
	    (int)(slot_minutes(first) * cJSON_GetArraySize(b->slots)));
	ui_form_draw(&b->form, win, top + 4, rows - 6, COLS);
	if (b->asking)
		ui_dialog_draw(&b->dialog, win, top, rows, COLS);
}

/*
 * Why a booking did not save, and what next, in one row of 80 columns (the form's and
 * the status line's); the server's own words go last. Conflicts leave the form.
 */
static char *
not_booked(const struct fhir_result *r)
{
	const char *why = r->message;

	switch (fhir_save_outcome(r)) {
	case FHIR_SAVE_UNKNOWN:
		/* The retry finds out: its slot is guarded by the version read (If-Match). */
		return xasprintf("Not booked: no answer; perhaps booked: book again to check (%s)",
		    why ? why : "network");
	case FHIR_SAVE_CANCELLED:
		return xstrdup("Not booked: cancelled before the answer; perhaps booked: book again "
			       "to check");
	default:
		return xasprintf("Not booked: the server refused it; nothing changed: %s",
		    why ? why : "no reason given");
	}
}

static void
on_booked(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct book *b = state;
	enum fhir_save outcome = fhir_save_outcome(r);
	char ref[128], version[64];
	char *msg;

	(void)tag;
	if (outcome == FHIR_SAVED) {
		/* The appointment is the step after the slots. */
		const char *id = NULL;

		if (fhir_plan_result(r->resource, b->nbooked, ref, sizeof ref, version, sizeof version) == 0)
			id = strchr(ref, '/') + 1;
		else
			ref[0] = '\0';
		b->saved = true;
		if (app_audit(app, "book", "Appointment", id) == 0)
			app_status(app, "Booked.");
		if (b->booked != NULL)
			b->booked(app, b->opener, r->resource, id != NULL ? ref : NULL);
		app_leave(app, b);
		return;
	}
	if (outcome == FHIR_SAVE_CONFLICT) {
		/* Another clerk was first: the form is kept for the next slot, the day read again. */
		keep_draft(b);
		if (b->attempts > 1)
			/* An earlier try whose answer never came may have taken it: the day tells. */
			app_error(app, "Not booked now: the slot is taken, by the earlier try or another; "
				       "the day shows");
		else
			app_error(app, "Slot just taken by someone else; book another: what you typed is "
				       "kept");
		app_leave(app, b);
		return;
	}
	/* Not saved, unknown or cancelled: the form stays; a retry finds a first try that got through. */
	msg = not_booked(r);
	ui_form_set_failed(&b->form, msg);
	app_error(app, "%s", msg);
	free(msg);
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

	if (patient == NULL || fhir_id_of(patient) == NULL) {
		app_error(app, "Not booked: choose the patient first");
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
	if (pv.deceased && strcmp(pv.id, b->deceased_ok) != 0) {
		/* Asked once per patient: a yes books at once, and a retry does not ask again. */
		char *q = xasprintf("%s is recorded as deceased%s%s%s. Book anyway?", pv.name,
		    *pv.deceased_date ? " (" : "", pv.deceased_date, *pv.deceased_date ? ")" : "");

		ui_dialog_free(&b->dialog);
		ui_dialog_init(&b->dialog, q, false);
		free(q);
		b->asking = ASK_DECEASED;
		patient_view_clear(&pv);
		return APP_REDRAW;
	}
	ref = xasprintf("Patient/%s", pv.id);
	bk.owner = b->owner;
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
	app_request(app, b, &(struct app_request){ .plan = plan, .done = on_booked, .label = "Booking" });
	return APP_REDRAW;
}

static int
book_save(struct app *app, void *state)
{
	return save(app, state);
}

/* Enter moves to the next field; in a question it is the dialog's. */
static int
book_next(struct app *app, void *state)
{
	struct book *b = state;

	(void)app;
	if (b->asking)
		return APP_IGNORED;
	return ui_form_action(&b->form, A_NEXT_FIELD) ? APP_REDRAW : APP_HANDLED;
}

static void
on_patient(struct app *app, void *opener, const cJSON *patient)
{
	(void)opener;
	(void)patient;
	/* The patient chosen is the current one now: the banner and the save read it. */
	app_dirty(app);
}

/* Another patient for this booking: the finder chooses and comes back. */
static int
book_patient(struct app *app, void *state)
{
	patients_pick(app, state, on_patient);
	return APP_HANDLED;
}

static int
book_back(struct app *app, void *state)
{
	struct book *b = state;

	if (b->asking || app_requests(app, b) > 0)
		return APP_IGNORED;
	if (!ui_form_dirty(&b->form))
		return APP_LEAVE;
	ui_dialog_free(&b->dialog);
	ui_dialog_init(&b->dialog, "Leave without booking? (what you typed is kept for the next booking)", false);
	b->asking = ASK_LEAVE;
	return APP_REDRAW;
}

/* The question took a key: act on its answer once there is one. */
static void
book_changed(struct app *app, void *state, enum action a)
{
	struct book *b = state;
	enum ui_dialog_answer answer = ui_dialog_answer(&b->dialog);
	const cJSON *patient = app_patient(app);

	(void)a;
	if (b->asking == ASK_NONE || answer == UI_DIALOG_ASKING)
		return;
	if (b->asking == ASK_LEAVE) {
		b->asking = ASK_NONE;
		if (answer == UI_DIALOG_YES) {
			keep_draft(b);
			app_leave(app, b);
		}
		return;
	}
	b->asking = ASK_NONE;
	if (answer != UI_DIALOG_YES) {
		app_status(app, "Not booked");
		return;
	}
	snprintf(b->deceased_ok, sizeof b->deceased_ok, "%s",
	    fhir_id_of(patient) ? fhir_id_of(patient) : "");
	save(app, b);
}

static struct app_focus
book_widget(struct app *app, void *state)
{
	struct book *b = state;

	(void)app;
	if (b->asking)
		return (struct app_focus){ APP_WIDGET_DIALOG, &b->dialog };
	return (struct app_focus){ APP_WIDGET_FORM, &b->form };
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

static const struct screen_action book_actions[] = {
	{ A_SAVE, book_save, APP_NEEDS_IDLE | NEEDS_NO_QUESTION, "book" },
	{ A_RETRY, book_save, APP_NEEDS_IDLE | NEEDS_NO_QUESTION, NULL },
	{ A_PATIENTS, book_patient, APP_NEEDS_IDLE | NEEDS_NO_QUESTION, "another patient" },
	{ A_SELECT, book_next, 0, NULL },
	{ A_BACK, book_back, 0, NULL }, /* not while saving: Esc then cancels (the loop's) */
	{ A_NONE },
};

const struct screen_ops book_screen = {
	.name = "book",
	.title = "book an appointment",
	.context = NULL,
	.module = "scheduling",
	.needs = SCREEN_NEEDS_ONLINE,
	.needs_arg = "choose a free slot on the schedule or in free slots first, and book it there",
	.enter = book_enter,
	.leave = book_leave,
	.draw = book_draw,
	.cursor = book_cursor,
	.unsaved = book_unsaved,
	.actions = book_actions,
	.unmet = book_unmet,
	.widget = book_widget,
	.changed = book_changed,
};

int
scheduling_open_book(struct app *app, const struct book_request *req, scheduling_booked_fn booked,
    void *opener)
{
	struct book_open o = { req, booked, opener };

	return app_open(app, &book_screen, &o);
}
