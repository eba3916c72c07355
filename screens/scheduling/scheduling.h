/* Private header of the scheduling module: the day grid, booking, free slots, the flow board. */
#ifndef EHRTERM_SCREENS_SCHEDULING_H
#define EHRTERM_SCREENS_SCHEDULING_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "app/app.h"
#include "fhir/plan.h"
#include "fhir/schedule.h"
#include "ui/dialog.h"
#include "ui/field.h"

/* Appointment types (HL7 v2 table 0276), as the booking form and the free-slot search offer them. */
#define SCHEDULING_TYPES_COUNT 5
#define SCHEDULING_TYPE_SYSTEM "http://terminology.hl7.org/CodeSystem/v2-0276"
extern const struct field_code scheduling_types[SCHEDULING_TYPES_COUNT];

/* Cancellation reasons (HL7 appointment-cancellation-reason), as the cancel question offers them. */
extern const struct field_code scheduling_cancel_reasons[];
extern const size_t scheduling_cancel_reasons_count;

/* What a clerk typed into a booking that did not save: offered again at the next booking. */
struct scheduling_draft {
	char *type, *reason, *note;
};
void scheduling_draft_clear(struct scheduling_draft *d);
/* D becomes a copy of FROM (NULL: empty). */
void scheduling_draft_set(struct scheduling_draft *d, const struct scheduling_draft *from);

/*
 * What a booking is asked for. The booking screen reads it in enter() and keeps nothing
 * of it but OWNER, borrowed until it leaves (the opener is below it all that time).
 */
struct book_request {
	const struct sched_owner *owner;		  /* whose slots */
	const cJSON *slots[SCHED_BOOK_SLOTS_MAX]; /* consecutive free slots from the start chosen */
	size_t nslots;				  /* how many are free in a row there (1 at least) */
	const struct scheduling_draft *draft;	  /* what did not save last time, or NULL */
	/*
	 * The booking left without saving (gone back, the slot just taken, the outcome
	 * unknown): DRAFT is what was typed, for the next booking, or NULL when nothing
	 * was. The day may have changed: the opener reads it again. NULL: not told.
	 */
	void (*unsaved)(struct app *app, void *opener, const struct scheduling_draft *draft);
};

/*
 * The booking saved: SAVED is the transaction-response (borrowed for the call),
 * APPOINTMENT_REF the new "Appointment/ID". Called before the booking screen leaves,
 * its opener still below it.
 */
typedef void (*scheduling_booked_fn)(struct app *app, void *opener, const cJSON *saved,
    const char *appointment_ref);

/* The typed ways into the module's screens: 0, or -1 with the reason shown. */
int scheduling_open_schedule(struct app *app);
int scheduling_open_flow(struct app *app);
int scheduling_open_free_slots(struct app *app, const struct date *from);
int scheduling_open_book(struct app *app, const struct book_request *req,
    scheduling_booked_fn booked, void *opener);

/* A kind of change: what the audit trail records, and what the clerk is told. */
struct scheduling_kind {
	const char *audit, *type; /* "check-in", "Appointment" */
	const char *done;	  /* "Checked in; the visit is open" */
	const char *what;	  /* "Check-in", to start a failure message */
};
extern const struct scheduling_kind scheduling_reschedule, scheduling_cancel, scheduling_noshow,
    scheduling_check_in, scheduling_check_out, scheduling_room;

/*
 * A screen's change in flight: one at a time (its actions need APP_NEEDS_IDLE). AFTER
 * runs once it is answered, whatever the outcome (fhir_save_outcome): saved, a
 * transaction-response holding what was saved; cancelled (Esc) or unknown, read again.
 */
struct scheduling_change {
	const struct scheduling_kind *kind;
	char ref[96]; /* "Appointment/ID": audited, and selected after the reload */
	void (*after)(struct app *app, void *state, const struct scheduling_change *c,
	    const struct fhir_result *r);
};
/*
 * Run PLAN (taken; NULL: say CAUSE, taken too) as change C of STATE's screen:
 * audited and said when done, said when not. ID is the resource's id.
 */
void scheduling_change(struct app *app, void *state, struct scheduling_change *c,
    struct fhir_plan *plan, char *cause, const struct scheduling_kind *kind, const char *id);

/* The appointment a question or a change is about, as a screen holds it; all borrowed. */
struct scheduling_target {
	const cJSON *appt, *encounter;
	const cJSON *patients;	       /* the Patients read with it (an array) */
	const struct date_time *start; /* its time on the screen */
};

/* The target of APPT (NULL: no row chosen) with what the screen read with it. */
struct scheduling_target scheduling_target(const cJSON *appt, const cJSON *encounter,
    const cJSON *patients, const struct date_time *start);

/*
 * Whether T's patient was read, so that a change may be written for it. When not, the
 * clerk is told why nothing is done ("Cancel: the patient of this appointment could not
 * be read; nothing was changed"). VERB starts the message.
 */
bool scheduling_patient_read(struct app *app, const struct scheduling_target *t, const char *verb);
/*
 * One audit line for a view that names PATIENTS (an array of Patient resources as read
 * with a day or the board). 0, or -1 when it cannot be written: the view then shows no
 * names (the status line says why).
 */
int scheduling_audit_patients(struct app *app, const cJSON *patients);
/*
 * The list of schedules, read once per session behind the home screen (scheduling_ready,
 * an on_ready hook) or by the first schedule screen, so that F3 costs one round trip:
 * the owners kept, or NULL. scheduling_keep_owners keeps a copy of O.
 */
void scheduling_ready(struct app *app);
const struct sched_owners *scheduling_owners(struct app *app);
void scheduling_keep_owners(struct app *app, const struct sched_owners *o);
#define SCHEDULING_NOT_AUDITED "Not shown: the audit trail cannot be written"

/* The three steps of a visit that the day grid and the flow board both ask about. */
enum scheduling_step { SCHEDULING_CHECK_IN, SCHEDULING_NO_SHOW, SCHEDULING_CHECK_OUT };
/* A question asked: which step, for which appointment. */
struct scheduling_asked {
	enum scheduling_step step;
	char appt_id[72];
};
/*
 * Ask in DIALOG whether to take STEP for T: "Check in Quigley, Chad at 09:00?", the name
 * from the Patient resource; for a deceased patient "Ruecker, Jonah is recorded as deceased
 * (2008-01-08). Check in anyway?" (default no). ASKED records what was asked. False, with
 * the reason said, when the step cannot be taken: no appointment, its status, its patient
 * not read.
 */
bool scheduling_ask_step(struct app *app, struct ui_dialog *dialog, enum scheduling_step step,
    const struct scheduling_target *t, struct scheduling_asked *asked);
/*
 * The question ASKED answered yes: take its step for T as change C of STATE's screen (C's
 * AFTER set by the screen). Refused when T is no longer the appointment asked about.
 */
void scheduling_take_step(struct app *app, void *state, struct scheduling_change *c,
    const struct scheduling_asked *asked, const struct scheduling_target *t);

/*
 * The sentence for a change's answer that is not FHIR_SAVED, starting with WHAT
 * ("Cancel", "Reschedule"), for a screen that reads the day again after it: not saved,
 * outcome unknown, someone else first, cancelled. One status line of 80 columns.
 */
char *scheduling_outcome(const struct fhir_result *r, const char *what);

/* The day a line of the grid shows: "08:15 B Quigley, Chad  Routine  booked". */
void scheduling_time(const struct date_time *t, char *buf, size_t size);

#endif
