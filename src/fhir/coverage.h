/* Coverage: a patient's insurance as FHIR has it, read into typed views and written through a plan. */
#ifndef EHRTERM_FHIR_COVERAGE_H
#define EHRTERM_FHIR_COVERAGE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "fhir/fhir.h"
#include "fhir/patient.h"
#include "fhir/plan.h"
#include "util/date.h"

/* Coverages asked for in one search, and payers in the payer list: more is said, not paged. */
#define COVERAGE_COUNT 50
#define COVERAGE_PAYERS_MAX 200
/* Orders beyond this are a typing slip, not a ninth insurer. */
#define COVERAGE_ORDER_MAX 9
/* Bytes of an ISO date, "2026-03-01": what the period is compared and shown by. */
#define COVERAGE_DATE_LEN 10

/* One Coverage as the screens show it; every string owned, "" when absent. */
struct coverage_view {
	char *id, *version;
	char *payer_reference; /* "Organization/ID" */
	char *payer_display;   /* the Coverage's own display of the payer */
	char *member;	       /* subscriberId, else the identifier typed MB */
	char *group;	       /* the class of type group: its value, else its name */
	char *group_value;     /* its value alone, what the form edits */
	char *relationship;    /* the subscriber-relationship code */
	char *start, *end;     /* the period as written (a dateTime, a partial date) */
	char start_day[COVERAGE_DATE_LEN + 1], end_day[COVERAGE_DATE_LEN + 1]; /* ISO day or "" */
	long long order;       /* 0: none */
	char *status;	       /* the FHIR status */
	const char *shown;     /* "active", "expired", "future", another status, or "?" */
	bool in_force;	       /* active and within its period on the day read */
};
void coverage_view_read(const cJSON *coverage, const struct date *today, struct coverage_view *out);
void coverage_view_clear(struct coverage_view *v);
/* The Coverage's id, borrowed, or NULL. */
const char *coverage_id(const cJSON *coverage);

/* A payer the server lists: an Organization of type pay. */
struct coverage_payer {
	char *reference; /* "Organization/ID" */
	char *name;	 /* its name, "" when it has none */
};
struct coverage_payer_list {
	struct coverage_payer *items;
	size_t n;
};
void coverage_payer_list_free(struct coverage_payer_list *l);

/* What opening the insurance screen reads: the batch and its answer. */
struct coverage_loaded {
	struct patient_opened opened; /* the Patient and its allergies, for the banner */
	cJSON *coverages;	      /* an array of Coverage, sorted as listed; owned */
	long total;		      /* Coverages the server matched (may be more than held) */
	struct coverage_payer_list payers;
	char *payers_failed; /* why there is no payer list, or NULL */
};
void coverage_loaded_free(struct coverage_loaded *l);

/*
 * The batch that opens the screen in one round trip: the patient and allergies (as
 * patient_open_batch), the patient's Coverages and the server's payers. The caller frees it.
 */
cJSON *coverage_open_batch(const struct fhir_client *fc, const char *patient_id);
/* Read its batch-response into OUT (zeroed first). 0, or -1 with *CAUSE. */
int coverage_open_result(cJSON *response, const char *patient_id, const struct date *today,
    struct coverage_loaded *out, char **cause);
/* The Coverage search alone, for a reload; the caller frees it. */
struct fhir_search *coverage_search(const char *patient_id);
/*
 * The Coverages of PATIENT_ID in a searchset as a sorted array (the caller frees it);
 * *TOTAL as matched. Another patient's coverage, or one without a usable id, is left out.
 */
cJSON *coverage_take(const cJSON *searchset, const char *patient_id, const struct date *today,
    long *total);
/* Sort: those in force first, then by order (primary first), then the latest start. */
void coverage_sort(cJSON *coverages, const struct date *today);
/* Status active and TODAY within the period. */
bool coverage_in_force(const cJSON *coverage, const struct date *today);
/* The Coverage with this id, or the one carrying this request identifier; borrowed or NULL. */
const cJSON *coverage_find(const cJSON *coverages, const char *id);
const cJSON *coverage_find_request(const cJSON *coverages, const char *request_id);
/* Replace the Coverage with RESOURCE's id in COVERAGES, or add it (RESOURCE is taken). */
void coverage_put(cJSON *coverages, cJSON *resource);
/* Order for a new coverage: one past the highest of those in force on TODAY. */
long long coverage_next_order(const cJSON *coverages, const struct date *today);

/* What the clerk entered, as the resource needs it; strings borrowed. */
struct coverage_input {
	const char *payer_reference, *payer_name;
	const char *member;
	const char *group;	  /* NULL or "": none */
	const char *relationship; /* a subscriber-relationship code, or NULL */
	bool has_start, has_end;
	struct date start, end;
	long long order; /* 0: none */
};
/*
 * The Coverage to save: BASE (as read; NULL for a new one) with IN applied, and
 * every element the form does not show kept. A new one carries REQUEST_ID as an
 * identifier (FHIR_REQUEST_SYSTEM), so a retried create finds it. The caller frees it.
 */
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
 * The plan that saves SAVED and the N MOVED coverages: SAVED created once (If-None-Exist
 * on REQUEST_ID) when it has no id, else updated (If-Match its version, undone to BASE);
 * each moved one updated (If-Match, undone to the one in COVERAGES). All or nothing, as a
 * transaction or in steps. The caller frees it; NULL when a coverage to update has no
 * id or version.
 */
struct fhir_plan *coverage_plan(const cJSON *coverages, const cJSON *saved, const cJSON *base,
    const char *request_id, cJSON *const *moved, size_t n);
/* The transaction Bundle of coverage_plan, for a look at what is sent. The caller frees it. */
cJSON *coverage_transaction(const struct fhir_client *fc, const cJSON *saved,
    const char *request_id, cJSON *const *moved, size_t n);
/*
 * The Coverages a saving plan's transaction-response holds, in step order (the saved
 * one first), as copies into OUT (up to MAX; the caller frees them). Returns how many
 * steps there were, or -1 when a step's Coverage is missing or has no usable id
 * (then the answer must be read again).
 */
int coverage_saved(const cJSON *response, cJSON **out, size_t max);

#endif
