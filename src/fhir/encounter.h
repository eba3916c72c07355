/* Charting, reading: a patient's visits (Encounters), and one visit's diagnoses, vital signs and notes. */
#ifndef EHRTERM_FHIR_ENCOUNTER_H
#define EHRTERM_FHIR_ENCOUNTER_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "fhir/chart.h"
#include "fhir/fhir.h"

/* Visits a page keeps, and Practitioners it looks at, whatever the server sends. */
#define ENCOUNTER_PAGE_MAX 200
#define ENCOUNTER_PRACTITIONERS_MAX 400

/*
 * One visit. Every string owned and never NULL ("" when the data has none), raw server
 * text for the screen to sanitise. PROVIDER is the name in the Practitioner resource read
 * with the page; when only the visit's display of it is there, it is that display followed
 * by " (name not checked)", as PROVIDER_CHECKED false says.
 */
struct encounter_row {
	char *id, *date, *type, *provider, *reason, *status;
	bool provider_checked;
};
struct encounter_page {
	struct encounter_row *rows;
	size_t n;
};

/*
 * "Dr. Amara Okafor" from a Practitioner's first name (its text, else prefixes, given names
 * and family), owned; NULL when it has none. Raw server text.
 */
char *encounter_practitioner_name(const cJSON *practitioner);

/* Patient ID's visits, COUNT a page (1 to 200), newest first, with their practitioners. */
struct fhir_search *encounter_search(const char *id, long count);
/*
 * Read one page of that search into OUT (zeroed first): every visit but those entered in
 * error. 0, or -1 with *CAUSE when the answer is not a search result or holds a visit of
 * another patient than ID (nothing of it is kept).
 */
int encounter_page_read(const cJSON *searchset, const char *id, struct encounter_page *out,
    char **cause);
void encounter_page_clear(struct encounter_page *p);

/*
 * One visit in one round trip: the batch of its diagnoses (Condition), vital signs
 * (Observation, category vital-signs) and notes (DocumentReference by context.encounter),
 * each of patient ID and visit ENCOUNTER (both checked with fhir_valid_id), bounded. The
 * caller frees it.
 */
cJSON *encounter_visit_batch(const struct fhir_client *fc, const char *id, const char *encounter);
/*
 * Read its batch-response into lines (as chart_details gives them: "Diagnosis", "Vital
 * sign", "Note", each section saying when it has none, could not be read, or held another
 * patient's data and is not shown). 0, or -1 with *CAUSE when RESPONSE is not the answer.
 */
int encounter_visit_read(const cJSON *response, const char *id, struct chart_detail **out,
    size_t *n, char **cause);

#endif
