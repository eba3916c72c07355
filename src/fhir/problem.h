/*
 * Charting, writing problems: the plan that adds a Condition to the problem list
 * (category problem-list-item), coded in ICD-10-CM or free text marked as uncoded,
 * with a warning when it looks like one already there. Taking one off is
 * src/fhir/record.c's.
 */
#ifndef EHRTERM_FHIR_PROBLEM_H
#define EHRTERM_FHIR_PROBLEM_H

#include <stdbool.h>

#include "fhir/plan.h"
#include "fhir/record.h"

/* A new problem as typed; strings borrowed. */
struct problem_input {
	const char *text;     /* required: what the clinician calls it */
	const char *icd10cm;  /* an ICD-10-CM code (E11.9), or NULL: uncoded */
	const char *onset;    /* onsetDateTime (a FHIR date), or NULL */
	const char *recorded; /* recordedDate */
};

/*
 * Add IN to PATIENT's problem list, the create carrying REQUEST_ID. A problem with the
 * same code or the same words (any case) as an active one is a likely duplicate: unless
 * ANYWAY, NULL with *DUPLICATE true and *CAUSE naming the one it matches, for the
 * clinician to confirm. Other refusals (no words, a code that is not ICD-10-CM's shape)
 * leave *DUPLICATE false.
 */
struct fhir_plan *problem_add_plan(const char *patient, const struct problem_input *in,
    const struct record_list *active, const char *request_id, bool anyway, bool *duplicate,
    char **cause);

#endif
