/*
 * Charting, writing allergies: the patient's active AllergyIntolerances read with their
 * versions, and the plans that add one, record "no known allergies" (SNOMED CT
 * 716186003) or take one off the active list, each as one guarded transaction.
 */
#ifndef EHRTERM_FHIR_ALLERGY_H
#define EHRTERM_FHIR_ALLERGY_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "fhir/fhir.h"
#include "fhir/plan.h"

/* Active entries read, whatever the server sends: more are counted, not kept. */
#define ALLERGY_ACTIVE_MAX 50

struct allergy_entry {
	cJSON *resource; /* owned: what an update writes back, changed */
	char *version;	 /* meta.versionId: the If-Match of a change; NULL when the server gave none */
	char *substance; /* as the banner names it; raw server text, never NULL */
	char *criticality; /* "high", "low", "unable-to-assess" or "" */
	bool no_known;	 /* a "no known allergy" entry */
};

struct allergy_list {
	struct allergy_entry *items;
	size_t n;
	size_t more; /* active entries past ALLERGY_ACTIVE_MAX, not kept */
};

/* The search of PATIENT's active allergies, every field (changes write whole resources). */
struct fhir_search *allergy_active_search(const char *patient);
/*
 * Read that search's answer into OUT. -1 and *CAUSE when an entry names another
 * patient (nothing of it is kept: a write from it could land in the wrong chart).
 * Entered-in-error and refuted entries are not active and are left out.
 */
int allergy_list_read(const cJSON *searchset, const char *patient, struct allergy_list *out,
    char **cause);
void allergy_list_clear(struct allergy_list *l);
/* True when an entry carries REQUEST_ID: a save whose answer was lost had reached the server. */
bool allergy_list_has_request(const struct allergy_list *l, const char *request_id);
/* Entries that are real allergies (not "no known allergy" ones). */
size_t allergy_list_real(const struct allergy_list *l);

/* A new allergy as typed; strings borrowed. */
struct allergy_input {
	const char *substance;	 /* required; stored as code.text: uncoded */
	const char *category;	 /* "food", "medication", "environment", "biologic" or NULL */
	const char *criticality; /* "low", "high", "unable-to-assess" or NULL */
	const char *reaction;	 /* the manifestation as text, or NULL */
	const char *recorded;	 /* recordedDate, a FHIR dateTime */
};

/*
 * Add IN to PATIENT's list. Refuses (NULL, *CAUSE) a substance already active (the same
 * words, any case) and a missing substance. An active "no known allergies" entry is
 * retired in the same transaction (clinicalStatus inactive, If-Match its version), so
 * the chart never says both. The create carries REQUEST_ID.
 */
struct fhir_plan *allergy_add_plan(const char *patient, const struct allergy_input *in,
    const struct allergy_list *active, const char *request_id, char **cause);

/*
 * Record that PATIENT has no known allergies. Refused while a real allergy is active
 * (it must be taken off first) or when an active "no known allergy" entry is there already.
 */
struct fhir_plan *allergy_none_known_plan(const char *patient, const struct allergy_list *active,
    const char *recorded, const char *request_id, char **cause);

/* How an allergy leaves the active list. */
enum allergy_retire {
	ALLERGY_INACTIVE,	  /* no longer active: clinicalStatus inactive */
	ALLERGY_RESOLVED,	  /* it went away: clinicalStatus resolved */
	ALLERGY_ENTERED_IN_ERROR, /* never true: verificationStatus entered-in-error, no clinicalStatus */
};

/* Change E as HOW says, If-Match its version. NULL and *CAUSE when E has no version. */
struct fhir_plan *allergy_retire_plan(const struct allergy_entry *e, enum allergy_retire how,
    char **cause);

#endif
