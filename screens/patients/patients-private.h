/* Private header of the patients module: what its screens share; the typed open functions are in patients.h. */
#ifndef EHRTERM_SCREENS_PATIENTS_PRIVATE_H
#define EHRTERM_SCREENS_PATIENTS_PRIVATE_H

#include <cjson/cJSON.h>

#include "screens/patients/patients.h"
#include "fhir/patient.h"
#include "fhir/plan.h"
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

/* What the finder opens on: NULL finds and opens records, else a patient is chosen for OPENER. */
struct patients_pick {
	patients_picked_fn picked;   /* the patient, read; or */
	patients_chosen_fn chosen;   /* only its id (patients_choose_for) */
	void *opener;
	const char *label; /* the prompt's words (a static string), NULL: "Book for:" */
};

/* What the patient-edit screen opens on: NULL registers a new patient. */
struct patients_edit_arg {
	const struct patient_opened *opened; /* the Patient as read, its version and allergies */
	patients_saved_fn saved;	     /* told of every save, or NULL */
	void *opener;
};

/*
 * The one sentence for a write's answer that is not FHIR_SAVED, starting with WHAT
 * ("Not saved"): refused, outcome unknown (read again before a retry), someone else
 * first, cancelled (read again before a retry). It fits a row of 80 columns after a
 * WHAT as long as "Not registered", and the form shows it whole (ui_form_set_failed).
 * The caller frees it.
 */
char *patients_outcome(const struct fhir_result *r, const char *what);

/* --- coverage: the insurance screen's widgets (screens/patients/coverage-data.c) ------------ */
#include "fhir/coverage.h"
#include "ui/field.h"
#include "util/date.h"

/* Columns of the coverage list, in the order coverage_page fills them. */
enum coverage_column {
	COV_COL_ORDER,
	COV_COL_STATUS,
	COV_COL_PAYER,
	COV_COL_MEMBER,
	COV_COL_GROUP,
	COV_COL_RELATION,
	COV_COL_PERIOD,
	COV_COL_COUNT
};
extern const struct ui_list_column coverage_columns[COV_COL_COUNT];

/* Fields of the coverage form; the payer's codes are the server's payers, set per form. */
enum coverage_field {
	COV_F_PAYER,
	COV_F_MEMBER,
	COV_F_GROUP,
	COV_F_RELATION,
	COV_F_START,
	COV_F_END,
	COV_F_ORDER,
	COV_F_COUNT
};
extern const struct field_def coverage_fields[COV_F_COUNT];

/* A code list of payers: code "Organization/ID", display the name; every string owned. */
struct coverage_payers {
	struct field_code *codes;
	size_t n;
};
/* Add a payer unless its code is there; a display already taken gets the id added. */
void coverage_payers_add(struct coverage_payers *p, const char *reference, const char *name);
void coverage_payers_copy(struct coverage_payers *to, const struct coverage_payers *from);
void coverage_payers_free(struct coverage_payers *p);
/* The code list of the payers the server listed. */
void coverage_payers_from(struct coverage_payers *to, const struct coverage_payer_list *from);

/*
 * The list rows of COVERAGES; payer names from PAYERS where the Coverage has none.
 * COLUMNS (COV_COL_COUNT of them, or NULL) are fitted to the rows: a column no wider
 * than coverage_columns' nor than its header and widest cell need, so what they
 * leave goes to the payer's name.
 */
struct ui_list_page *coverage_page(const cJSON *coverages, const struct coverage_payers *payers,
    const struct date *today, struct ui_list_column *columns);
/* The form's text of each field for COVERAGE (NULL: a new one); the caller frees each. */
void coverage_form_texts(const cJSON *coverage, long long next_order, char *texts[COV_F_COUNT]);
/* The description of a Coverage for a message: "Acme Health Plan, order 1"; the caller frees it. */
char *coverage_describe(const cJSON *coverage, const struct coverage_payers *payers);
/* --- end of coverage ------------------------------------------------------------------------ */

#endif
