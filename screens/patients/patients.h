/* Private header of the patients module: the find screen and the patient record screen. */
#ifndef EHRTERM_SCREENS_PATIENTS_H
#define EHRTERM_SCREENS_PATIENTS_H

#include <cjson/cJSON.h>

#include "fhir/patient.h"
#include "ui/banner.h"
#include "ui/list.h"

/* Columns of the result list, in the order patients_row fills them. */
enum patients_column { COL_NAME, COL_SEX, COL_BORN, COL_AGE, COL_MRN, COL_PHONE, COL_COUNT };
extern const struct ui_list_column patients_columns[COL_COUNT];

/*
 * The rows of one search page (a Bundle) that answer Q, as list rows; a page of
 * a short-form search keeps only the patients whose identifiers end in its digits.
 */
struct ui_list_page *patients_page(const cJSON *bundle, const struct patient_query *q,
    const struct date *today, size_t *kept, size_t *seen);

/* The batch that opens a patient in one round trip: the Patient and its allergies. */
cJSON *patients_open_batch(const char *id);

/*
 * Read the batch-response: *PATIENT (taken from the response, the caller frees
 * it) and its version, and the allergy state for the banner. Returns 0, or -1
 * with *CAUSE when the Patient is not in the answer.
 */
int patients_open_result(cJSON *response, cJSON **patient, char **version,
    enum ui_allergy *allergy, char **cause);

#endif
