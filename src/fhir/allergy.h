/*
 * Charting, writing allergies: the plans that add one and record "no known allergies"
 * (SNOMED CT 716186003), each one guarded transaction. The active list and taking one
 * off it are src/fhir/record.c's, shared with problems.
 */
#ifndef EHRTERM_FHIR_ALLERGY_H
#define EHRTERM_FHIR_ALLERGY_H

#include "fhir/plan.h"
#include "fhir/record.h"

/*
 * The one order every allergy list shows (the cover sheet's pane, the forms that list
 * them, the banner): high criticality first, the rest as the server sent them. The rank
 * of CRITICALITY (the code, or NULL): 0 for "high", 1 otherwise.
 */
int allergy_rank(const char *criticality);
/*
 * Put the N items of BASE (each SIZE bytes, at most RECORD_ACTIVE_MAX or CHART_ITEMS_MAX)
 * in that order, stably: CRITICALITY gives an item's. Linear: two passes and a copy.
 */
void allergy_order(void *base, size_t n, size_t size, const char *(*criticality)(const void *));

/* Entries of an allergy list that are real allergies (not "no known allergy" ones). */
size_t allergy_list_real(const struct record_list *l);

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
    const struct record_list *active, const char *request_id, char **cause);

/*
 * Record that PATIENT has no known allergies. Refused while a real allergy is active
 * (it must be taken off first) or when an active "no known allergy" entry is there already.
 */
struct fhir_plan *allergy_none_known_plan(const char *patient, const struct record_list *active,
    const char *recorded, const char *request_id, char **cause);

#endif
