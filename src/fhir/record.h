/*
 * Charting, writing lists: the patient's active entries of one kind (allergies,
 * problems, medication orders) read with their versions, and the plan that takes one off
 * the active list. What adds or changes an entry otherwise is the kind's own
 * (src/fhir/allergy.c, src/fhir/problem.c, src/fhir/medication.c).
 */
#ifndef EHRTERM_FHIR_RECORD_H
#define EHRTERM_FHIR_RECORD_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "fhir/fhir.h"
#include "fhir/plan.h"

/* Active entries read, whatever the server sends: more are counted, not kept. */
#define RECORD_ACTIVE_MAX 50

enum record_kind {
	RECORD_ALLERGY, /* AllergyIntolerance */
	RECORD_PROBLEM, /* Condition, category problem-list-item */
	RECORD_MEDICATION, /* MedicationRequest, status active or on-hold, intent order or plan */
};

struct record_entry {
	cJSON *resource; /* owned: what an update writes back, changed */
	char *version;	 /* meta.versionId: the If-Match of a change; NULL when the server gave none */
	char *what;	 /* the substance, condition or medication, as the chart names it; raw server text */
	/* an allergy's criticality, a problem's code ("ICD-10-CM E11.9"), a medication's sig, or "" */
	char *detail;
	/* a problem's ICD-10-CM or SNOMED CT code, an allergy's or a medication's RxNorm code, or "" */
	char *code;
	char *when;	 /* a medication's authoredOn, the date part, or "" */
	bool no_known;	 /* an allergy entry that says "no known allergy" */
	bool on_hold;	 /* a medication order on hold: still on the list, not being taken */
};

struct record_list {
	struct record_entry *items;
	size_t n;
	size_t more; /* active entries past RECORD_ACTIVE_MAX, not kept */
};

/* The resource type of KIND ("AllergyIntolerance"). */
const char *record_type(enum record_kind kind);
/* The search of PATIENT's active entries of KIND, every field (changes write whole resources). */
struct fhir_search *record_active_search(enum record_kind kind, const char *patient);
/*
 * Read that search's answer into OUT. -1 and *CAUSE when an entry names another
 * patient (nothing of it is kept: a write from it could land in the wrong chart).
 * Entered-in-error and refuted entries, and ones not active, are left out; of
 * medication orders, those neither active nor on hold, or neither an order nor a plan.
 */
int record_list_read(enum record_kind kind, const cJSON *searchset, const char *patient,
    struct record_list *out, char **cause);
void record_list_clear(struct record_list *l);
/* True when an entry carries REQUEST_ID: a save whose answer was lost had reached the server. */
bool record_list_has_request(const struct record_list *l, const char *request_id);

/* How an entry leaves the active list. */
enum record_retire {
	RECORD_INACTIVE,	 /* no longer active */
	RECORD_RESOLVED,	 /* it went away (a problem's abatement is TODAY) */
	RECORD_ENTERED_IN_ERROR, /* never true: verificationStatus entered-in-error, no clinicalStatus */
};
/* The words for HOW ("no longer active", "resolved", "entered in error"). */
const char *record_retire_name(enum record_retire how);

/*
 * Add to P the update of E to CHANGED (E's resource changed; copied), If-Match E's version,
 * with E as read to put back should a later step fail. The step's index, or -1 and *CAUSE
 * when E has no version or P is full.
 */
int record_plan_update(struct fhir_plan *p, const struct record_entry *e, const cJSON *changed,
    char **cause);

/* A plan of one step: E updated to CHANGED (taken), as record_plan_update; NULL and *CAUSE. */
struct fhir_plan *record_change_plan(const struct record_entry *e, cJSON *changed, char **cause);

/* Change E (an allergy or a problem) as HOW says, If-Match its version. NULL and *CAUSE when E has no version. */
struct fhir_plan *record_retire_plan(enum record_kind kind, const struct record_entry *e,
    enum record_retire how, const char *today, char **cause);

/*
 * A new resource of KIND for PATIENT carrying REQUEST_ID, an allergy or a problem active
 * and confirmed; the caller adds the rest.
 */
cJSON *record_new(enum record_kind kind, const char *patient, const char *request_id);
/* Add the create of R, guarded by its request identifier, to P; -1 when P is full. */
int record_plan_create(struct fhir_plan *p, enum record_kind kind, const cJSON *r,
    const char *request_id);

#endif
