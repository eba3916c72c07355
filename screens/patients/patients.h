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

/* What the patient-edit screen opens on: NULL registers a new patient. */
struct patients_edit_arg {
	const cJSON *patient; /* the Patient as read */
	const char *version;  /* its version, for If-Match */
};

/* --- coverage: the insurance screen's data side (screens/patients/coverage-data.c) ----- */
#include "ui/field.h"
#include "util/date.h"

/* Coverages asked for in one search, and payers in the payer list: more is said, not paged. */
#define COVERAGE_COUNT 50
#define COVERAGE_PAYERS_MAX 200

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

/* What opening the screen reads: the batch and its answer. */
struct coverage_loaded {
	struct patient_opened opened; /* the Patient and its allergies, for the banner */
	cJSON *coverages; /* an array of Coverage, sorted as listed; owned */
	long total;	  /* Coverages the server matched (may be more than held) */
	struct coverage_payers payers;
	char *payers_failed; /* why there is no payer list, or NULL */
};
void coverage_loaded_free(struct coverage_loaded *l);

/*
 * The batch that opens the screen in one round trip: the patient and allergies (as
 * patients_open_batch), the patient's Coverages and the server's payers. FC builds
 * the search URLs. The caller frees it.
 */
cJSON *coverage_open_batch(const struct fhir_client *fc, const char *patient_id);
/* Read its batch-response into OUT (zeroed first). 0, or -1 with *CAUSE. */
int coverage_open_result(cJSON *response, const char *patient_id, const struct date *today,
    struct coverage_loaded *out,
    char **cause);
/* The Coverage search alone, for a reload. */
struct fhir_search *coverage_search(const char *patient_id);
/*
 * The Coverages of PATIENT_ID in a searchset as a sorted array (the caller frees it);
 * *TOTAL as matched. Another patient's coverage in the answer is left out.
 */
cJSON *coverage_take(const cJSON *searchset, const char *patient_id, const struct date *today,
    long *total);
/* Sort: those in force first, then by order (primary first), then the latest start. */
void coverage_sort(cJSON *coverages, const struct date *today);
/* Status active and TODAY within the period. */
bool coverage_in_force(const cJSON *coverage, const struct date *today);
/* The list rows of COVERAGES; payer names from PAYERS where the Coverage has none. */
struct ui_list_page *coverage_page(const cJSON *coverages, const struct coverage_payers *payers,
    const struct date *today);
/* The Coverage with this id, or the one carrying this request identifier; borrowed or NULL. */
const cJSON *coverage_find(const cJSON *coverages, const char *id);
const cJSON *coverage_find_request(const cJSON *coverages, const char *request_id);
/* Replace the Coverage with RESOURCE's id in COVERAGES, or add it (RESOURCE is taken). */
void coverage_put(cJSON *coverages, cJSON *resource);

/* The form's text of each field for COVERAGE (NULL: a new one); the caller frees each. */
void coverage_form_texts(const cJSON *coverage, long long next_order, char *texts[COV_F_COUNT]);
/* Order for a new coverage: one past the highest of those in force on TODAY. */
long long coverage_next_order(const cJSON *coverages, const struct date *today);

/* What the clerk entered, as the resource needs it; strings borrowed. */
struct coverage_input {
	const char *payer_reference, *payer_name;
	const char *member;
	const char *group;	 /* NULL or "": none */
	const char *relationship; /* a subscriber-relationship code, or NULL */
	bool has_start, has_end;
	struct date start, end;
	long long order; /* 0: none */
};
/*
 * The Coverage to save: BASE (as read; NULL for a new one) with IN applied, and
 * every element the form does not show kept. A new one carries REQUEST_ID as an
 * identifier (COVERAGE_REQUEST_SYSTEM), so a retried create finds it. The caller frees it.
 */
#define COVERAGE_REQUEST_SYSTEM "urn:ehrterm:request"
cJSON *coverage_apply(const cJSON *base, const struct coverage_input *in, const char *patient_id,
    const char *request_id);
/* True when A and B differ in nothing but meta. */
bool coverage_same(const cJSON *a, const cJSON *b);
/* A random (version 4) UUID, for REQUEST_ID; the caller frees it. */
char *coverage_request_id(void);

/*
 * The order changes saving SAVED needs so that no two coverages of the patient in
 * force at the same time share an order: when another has SAVED's order, an edit
 * swaps (the other takes BASE's old order), a new one goes before (those at or
 * after its order move one down). Writes up to MAX copies with the new order into
 * OUT (the caller frees them) and returns how many are needed.
 */
size_t coverage_order_moves(const cJSON *coverages, const cJSON *saved, const cJSON *base,
    cJSON **out, size_t max);
/*
 * The transaction that saves SAVED (created with REQUEST_ID when it has no id)
 * and the N MOVED coverages, each update guarded by If-Match: all or nothing.
 * The caller frees it; NULL when a coverage to update has no id or version.
 */
cJSON *coverage_transaction(const struct fhir_client *fc, const cJSON *saved,
    const char *request_id, cJSON *const *moved, size_t n);
/* The description of a Coverage for a message: "Acme Health Plan, order 1"; the caller frees it. */
char *coverage_describe(const cJSON *coverage, const struct coverage_payers *payers);
/* --- end of coverage ------------------------------------------------------------------------ */

#endif
