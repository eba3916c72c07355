/* Scheduling in FHIR terms: Schedules, Slots and Appointments read into a day, and the writes that change them. */
#ifndef EHRTERM_FHIR_SCHEDULE_H
#define EHRTERM_FHIR_SCHEDULE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include <time.h>

#include "fhir/fhir.h"
#include "fhir/patient.h"
#include "fhir/plan.h"
#include "util/date.h"

/* Slots and appointments asked for per day and per week: a clinic day has far fewer. */
#define SCHED_DAY_COUNT 300
#define SCHED_WEEK_COUNT 1000
#define SCHED_SCHEDULES_MAX 200
/* The flow board's day, of every practitioner. */
#define SCHED_BOARD_COUNT 500
/* Free slots asked for at a time. */
#define SCHED_FREE_COUNT 100
/* Consecutive slots one booking may take (an hour of 15-minute slots). */
#define SCHED_BOOK_SLOTS_MAX 8
/* The system of the request identifier a new Appointment carries against duplicates. */
#define SCHED_REQUEST_SYSTEM "urn:ehrterm:request"

/*
 * An instant as FHIR writes it ("2026-11-28T08:15:00-05:00", seconds and
 * fraction optional, Z or an offset required once there is a time) as the
 * local wall clock. 0, or -1 when TEXT is not one.
 */
int sched_instant_parse(const char *text, struct date_time *local);
/*
 * A server's meta.lastUpdated, kept as the newest seen: TEXT replaces NEWEST (SIZE bytes,
 * "" at first) when it is a later instant than NEWEST, compared parsed (fractions too, any
 * offset), and not more than SCHED_UPDATED_SKEW_S after NOW: one record dated 9999 must
 * not become the point every later change is measured from. True when replaced.
 */
#define SCHED_UPDATED_SKEW_S 300
bool sched_updated_newest(const char *text, time_t now, char *newest, size_t size);
/* Minutes from A to B, wall clock (negative when B is earlier). */
long sched_minutes(const struct date_time *a, const struct date_time *b);
/* The local midnight starting DAY as a FHIR instant with the local offset, into BUF. */
void sched_day_start(const struct date *day, char *buf, size_t size);

/* Add PARAM=geFROM and PARAM=ltFROM+DAYS to S, both local midnights: DAYS whole days. */
void sched_search_days(struct fhir_search *s, const char *param, const struct date *from, int days);

/* A schedule the clerk can pick: whose it is and where. Strings owned. */
struct sched_owner {
	char *schedule;	    /* "Schedule/ID" */
	char *practitioner; /* "Practitioner/ID", or NULL when the schedule is not a person's */
	char *location;	    /* "Location/ID", or NULL */
	/* The actor's display; a schedule of no person's, its location's, its service or comment */
	char *name;
	char *location_name; /* the Location actor's display, as written in a booking */
	/*
	 * The location told from the others: "Riverside Annex" where every location
	 * is "Sandbox Family Clinic, ..."; the whole display with one location; or NULL.
	 */
	char *place;
	char *service; /* the first service type (else specialty), or NULL */
	/*
	 * What tells this schedule from every other, for a chooser of some 38 columns:
	 * "Dr. Priya Raman (Riverside Annex)"; the service where the name and place are
	 * another's too ("Jonah Schroeder (Genetic Counselling)"), the id after it when
	 * even that is; a schedule of no person's, its place and service.
	 */
	char *label;
	/* Where, for a column: the place, with the service where that alone tells them apart. */
	char *where;
	/* The same for the schedule's heading: "Jonah Schroeder, Riverside Annex, Genetic Counselling". */
	char *title;
};
struct sched_owners {
	struct sched_owner *v;
	size_t n;
};
struct fhir_search *sched_owners_search(void);
/* The owners of a searchset of Schedules, sorted by name (then place, service, id). */
void sched_owners_read(const cJSON *searchset, struct sched_owners *out);
void sched_owners_free(struct sched_owners *o);
/* A deep copy of FROM into TO. */
void sched_owners_copy(const struct sched_owners *from, struct sched_owners *to);

/* The one-character markers of the day grid (the man page lists them). */
enum sched_marker {
	SCHED_FREE = '.',
	SCHED_BOOKED = 'B',
	SCHED_OVERBOOKED = 'O',
	SCHED_BLOCKED = 'X',
	SCHED_TENTATIVE = '?',
};

/* One row of the day: a slot with what is booked in it, or an appointment outside any slot. */
struct sched_row {
	struct date_time start, end;
	char marker;
	const cJSON *slot;	/* borrowed from the day; NULL for an appointment without a slot */
	const cJSON *appt;	/* the first appointment in it, borrowed; NULL when none */
	const cJSON *encounter; /* the appointment's encounter, borrowed, or NULL */
	const cJSON *patient;	/* the appointment's Patient as read with the day, borrowed, or NULL */
	bool deceased;		/* that Patient is recorded as deceased */
	size_t nappts;
};

struct sched_day {
	struct date date;
	cJSON *slots, *appts, *encounters; /* arrays, owned */
	cJSON *patients;		   /* the appointments' Patients (_include), owned */
	struct sched_row *rows;
	size_t n;
	long slots_total, appts_total; /* as the server counted; more than held is said */
};

/* The batch that reads OWNER's DAY in one round trip: its slots, appointments, their
 * encounters and their patients. */
cJSON *sched_day_batch(const struct fhir_client *fc, const struct sched_owner *owner,
    const struct date *day);
/* Read that batch's answer into OUT (zeroed first). 0, or -1 with *CAUSE. */
int sched_day_read(const cJSON *response, const struct date *day, struct sched_day *out,
    char **cause);
void sched_day_free(struct sched_day *d);
/*
 * Replace the resources of TYPE in ARRAY with the newer copies a transaction-response
 * (or any Bundle) carries, by id; one not there is added when ADD says so. Returns how
 * many were replaced or added.
 */
size_t sched_merge(cJSON *array, const cJSON *response, const char *type,
    bool (*add)(const cJSON *resource, const void *arg), const void *arg);
/*
 * What a change saved, applied to the day shown, without reading it again: its slots
 * (this day's only), appointments (those starting on it) and encounters. The rows are
 * built again. Returns how many resources changed.
 */
size_t sched_day_apply(struct sched_day *d, const cJSON *response);
/*
 * Add PATIENT (a Patient resource, copied) to the patients of D, replacing its older copy:
 * the patient a booking was just made for, whose appointment is then applied to the day.
 * The rows are built again. False when PATIENT is not a Patient with an id.
 */
bool sched_day_add_patient(struct sched_day *d, const cJSON *patient);
/* The row holding the slot or appointment with this id ("Slot/x" or "Appointment/y"), or -1. */
long sched_day_find(const struct sched_day *d, const char *ref);

/* The slots of the day D that APPT takes (its slot references), at most MAX, into OUT. */
size_t sched_day_appt_slots(const struct sched_day *d, const cJSON *appt, const cJSON **out,
    size_t max);

/* A Slot as the screens use it; strings borrowed from the resource. */
struct sched_slot_view {
	const char *id;		  /* a valid id, or NULL */
	const char *schedule_ref; /* "Schedule/ID" as the slot has it, or NULL */
	bool free;		  /* status "free" */
	bool has_time;		  /* start and end both read */
	struct date_time start, end;
	long minutes; /* end - start, 0 without a time */
};
void sched_slot_view(const cJSON *slot, struct sched_slot_view *out);
/* A slot kept for some appointment types fits only those; one that names none fits any
 * TYPE (a code; NULL fits every slot). */
bool sched_slot_fits_type(const cJSON *slot, const char *type);

/* A start that has enough free minutes after it, at one schedule: its slots, borrowed. */
struct sched_free_start {
	size_t owner; /* index into the owners */
	const cJSON *slots[SCHED_BOOK_SLOTS_MAX];
	size_t n;
	struct date_time start;
};
/*
 * Each free slot of SLOTS (a Slot searchset's, sorted by start) that begins MINUTES of
 * consecutive free slots at one of OWNERS' schedules, fitting TYPE (NULL: any): the
 * times a booking of that length can start. Linear in the slots (each start looks only
 * at the next slots of its own schedule). Returns the count; *OUT is allocated (free it).
 */
size_t sched_free_starts(const cJSON *slots, const struct sched_owners *owners, long minutes,
    const char *type, struct sched_free_start **out);

/*
 * The flow board: a day's appointments of every practitioner with their encounters and
 * patients, from one Appointment search with the includes (sched_board_search).
 */
struct sched_board_row {
	const cJSON *appt;	/* borrowed from the board */
	const cJSON *encounter; /* the visit linked to it, or NULL */
	const char *status;	/* sched_flow_status */
	struct date_time start;
};
struct sched_board {
	struct date day;
	cJSON *appts, *encounters, *patients; /* owned */
	struct sched_board_row *rows;	      /* cancelled and entered-in-error left out, as read */
	size_t n;
	char since[48]; /* the newest lastUpdated read: what "changed" is measured from */
	bool cut;	/* the server sent more than SCHED_BOARD_COUNT: the first are shown */
};
struct fhir_search *sched_board_search(const struct date *day);
/* Read the searchset into OUT (zeroed first). 0, or -1 with *CAUSE when it is not one. */
int sched_board_read(const cJSON *searchset, const struct date *day, struct sched_board *out,
    char **cause);
/* What a change saved, applied to the board (appointments of its day only); the rows are
 * built again. Returns how many resources changed. */
size_t sched_board_apply(struct sched_board *b, const cJSON *response);
void sched_board_free(struct sched_board *b);
/*
 * The check for changes: one batch counting the day's appointments and encounters updated
 * after B's newest change and not after NOW plus the allowed skew (a record dated in the
 * future would otherwise count at every check). NULL when nothing was read yet.
 */
cJSON *sched_board_check_batch(const struct fhir_client *fc, const struct sched_board *b,
    time_t now);
/* How many changed, by that batch's answer; a count missing counts as a change (better one
 * read too many than a stale board). */
long sched_board_changes(const cJSON *response);
/*
 * The board's order: who needs attention first. Statuses (sched_flow_status) in the order
 * arrived, in room, seen, booked, done, no-show: sched_board_group gives a status's place
 * there, SCHED_BOARD_GROUPS for any other; sched_board_sort orders B's rows by it, then by
 * time.
 */
enum {
	SCHED_GROUP_ARRIVED,
	SCHED_GROUP_IN_ROOM,
	SCHED_GROUP_SEEN,
	SCHED_GROUP_BOOKED,
	SCHED_GROUP_DONE,
	SCHED_GROUP_NO_SHOW
};
#define SCHED_BOARD_GROUPS 6
int sched_board_group(const char *status);
void sched_board_sort(struct sched_board *b);

/*
 * The clinician's landing: who is logged in, and their day.
 * The logged-in practitioner is the Practitioner whose identifier in this system is the
 * client certificate's subject CN; one who owns a Schedule sees patients.
 */
#define SCHED_CERT_CN_SYSTEM "urn:ehrterm:cert-cn"
/* The Practitioner of certificate CN, with the Schedules naming it (_revinclude). */
struct fhir_search *sched_me_search(const char *cn);
/*
 * "Practitioner/ID" (owned) when the searchset holds exactly one Practitioner with CN as
 * that identifier, and a Schedule names it as actor; NULL when not (the front desk).
 */
char *sched_me_read(const cJSON *searchset, const char *cn);
/* DAY's appointments with PRACTITIONER ("Practitioner/ID"), read as the board reads its
 * day (sched_board_read), with the patients and the visits. */
struct fhir_search *sched_mine_search(const struct date *day, const char *practitioner);

/* The week from START (7 days) for the week overview: per day, free, booked and blocked slots. */
struct sched_week_day {
	struct date date;
	unsigned free, booked, blocked;
};
struct fhir_search *sched_week_search(const struct sched_owner *owner, const struct date *start);
/* Count a searchset of Slots into WEEK[7]; 0, or -1 when it is not a searchset. */
int sched_week_read(const cJSON *searchset, const struct date *start, struct sched_week_day week[7],
    bool *partial);

/* Free slots from FROM onward, of any schedule (OWNER NULL) or one. */
struct fhir_search *sched_free_search(const struct sched_owner *owner, const struct date *from);
/* The Slots of that search's answer, at most SCHED_FREE_COUNT, as a new array. */
cJSON *sched_free_read(const cJSON *searchset);

/* The parameters that bring an Appointment search's patients and encounters along with it. */
void sched_appt_includes(struct fhir_search *s);

/*
 * An appointment as the grid and the flow board show it; strings borrowed from the resource.
 * It has no patient name: a reference's display is not the patient's record (sched_patient).
 */
struct sched_appt_view {
	const char *id, *status;
	const char *patient_ref;
	const char *practitioner_ref, *practitioner_name;
	const char *type;   /* the appointment type's display or code */
	const char *reason; /* reasonCode text, or description */
	bool has_start;
	struct date_time start, end;
};
void sched_appt_view(const cJSON *appt, struct sched_appt_view *out);
/*
 * Who an appointment is for, from the Patient resource read with it, never from the
 * reference's display. RESOURCE is NULL when the appointment names no patient, or its
 * Patient was not in the answer: the row then says "(patient not read)" and nothing is
 * written for it.
 */
struct sched_patient {
	const char *ref;	  /* "Patient/ID" as the appointment has it, borrowed, or NULL */
	const cJSON *resource;	  /* that Patient, borrowed from PATIENTS, or NULL */
	struct patient_view view; /* read from RESOURCE ("Family, Given"); zeroed when NULL */
	const char *display;	  /* the appointment's display for it, borrowed, or NULL */
	bool display_differs;	  /* ... names someone other than the Patient in either order */
};
#define SCHED_PATIENT_NOT_READ "(patient not read)"
/* The Patient REF ("Patient/ID") names among PATIENTS (an array of resources), or NULL. */
const cJSON *sched_patient_find(const cJSON *patients, const char *ref);
/* Read who APPT is for, with PATIENTS as read with it, into OUT; clear it after. */
void sched_patient_read(const cJSON *appt, const cJSON *patients, struct sched_patient *out);
void sched_patient_clear(struct sched_patient *p);
/* What a row shows for P: "Quigley, Chad", "Ruecker, Jonah (deceased)", "(patient not read)". */
char *sched_patient_label(const struct sched_patient *p);

/* The status word a clerk reads: "booked", "arrived", "in room", "done", "no-show", "cancelled". */
const char *sched_flow_status(const cJSON *appt, const cJSON *encounter);
/* The room an encounter is in (its active location's display), or NULL. */
const char *sched_encounter_room(const cJSON *encounter);

/* What the clerk chose for a booking; strings borrowed. */
struct sched_booking {
	const cJSON *slots[SCHED_BOOK_SLOTS_MAX]; /* consecutive, each free, as read */
	size_t nslots;
	const struct sched_owner *owner;
	const char *patient_ref, *patient_name;
	const char *type_code, *type_display;
	const char *reason, *note;
	const char *request_id; /* a UUID: the Appointment carries it as an identifier */
	const struct date *today;
};

/*
 * The plans. Each update is guarded by the version the clerk saw (If-Match),
 * each create by a search that finds it (If-None-Exist); the slot that can be
 * lost to another clerk is taken first, so the steps fallback fails early.
 * NULL with *CAUSE when a resource lacks what the plan needs.
 */
/* Book: every slot busy, then the Appointment created. */
struct fhir_plan *sched_plan_book(const struct sched_booking *b, char **cause);
/* Reschedule APPT into the NSLOTS SLOTS (free, consecutive) of OWNER: new slots busy, the
 * appointment moved, its old slots (OLD, as read) freed. */
struct fhir_plan *sched_plan_move(const cJSON *appt, const cJSON *const *old, size_t nold,
    const cJSON *const *slots, size_t nslots, const struct sched_owner *owner, char **cause);
/* Cancel with a reason (HL7 appointment-cancellation-reason code and its display): the
 * appointment cancelled, its slots freed. */
struct fhir_plan *sched_plan_cancel(const cJSON *appt, const cJSON *const *slots, size_t nslots,
    const char *reason_code, const char *reason_display, char **cause);
/* No-show: the appointment marked noshow; the slot stays as it was (the time is gone). */
struct fhir_plan *sched_plan_noshow(const cJSON *appt, char **cause);
/*
 * Check in at NOW: the appointment arrived, an Encounter in progress linked to it created
 * for PATIENT, the Patient resource the appointment refers to (refused when it is not).
 */
struct fhir_plan *sched_plan_check_in(const cJSON *appt, const cJSON *patient,
    const struct date_time *now, char **cause);
/* Check out at NOW: the appointment fulfilled, its encounter finished. */
struct fhir_plan *sched_plan_check_out(const cJSON *appt, const cJSON *encounter,
    const struct date_time *now, char **cause);
/* Room: the encounter's location set to ROOM (a display), active. */
struct fhir_plan *sched_plan_room(const cJSON *encounter, const char *room, char **cause);

#endif
