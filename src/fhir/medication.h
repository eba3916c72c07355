/*
 * Charting, writing medications: the patient's active orders (MedicationRequest, status
 * active or on-hold, intent order or plan) are src/fhir/record.c's list of kind
 * RECORD_MEDICATION, read with their versions like allergies and problems. Here: what
 * names a medication (its code, a contained or an included Medication), stopping one with
 * a reason, renewing one as a new order, marking the list reconciled at the visit, and
 * whether a medication matches one of the patient's active allergies.
 */
#ifndef EHRTERM_FHIR_MEDICATION_H
#define EHRTERM_FHIR_MEDICATION_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "fhir/fhir.h"
#include "fhir/patient.h"
#include "fhir/plan.h"
#include "fhir/record.h"

#define MEDICATION_RXNORM "http://www.nlm.nih.gov/research/umls/rxnorm"
#define MEDICATION_STOP_REASONS "http://terminology.hl7.org/CodeSystem/medicationrequest-status-reason"

/* Included Medications joined to the orders, and contained ones looked at, whatever the server sends. */
#define MEDICATION_INCLUDED_MAX (2 * RECORD_ACTIVE_MAX)
#define MEDICATION_CONTAINED_MAX 20

/*
 * The Medications that came with a search (_include=MedicationRequest:medication), sorted
 * by id so each order finds its own by a binary search. Borrowed from the searchset.
 */
struct medication_index {
	const cJSON **items;
	size_t n;
};
void medication_index_build(const cJSON *searchset, struct medication_index *ix);
void medication_index_free(struct medication_index *ix);

/*
 * What REQUEST (a MedicationRequest) orders, as the chart names it: the words of its
 * medicationCodeableConcept, else of the Medication its medicationReference points to
 * (contained "#id", or one in IX, which may be NULL), else the reference's display, else
 * NULL. *RXNORM (when RXNORM is not NULL) is set to its RxNorm code or NULL. Borrowed.
 */
const char *medication_name(const cJSON *request, const struct medication_index *ix,
    const char **rxnorm);

/* --- stopping ------------------------------------------------------------------------- */

/* A reason to stop, from MEDICATION_STOP_REASONS: its code and its display. */
struct medication_reason {
	const char *code, *display;
};
/* The codes offered, in the order the clinician is asked. */
const struct medication_reason *medication_stop_reasons(size_t *n);

/*
 * Stop order E (of RECORD_MEDICATION's list): status stopped, statusReason the code
 * REASON_CODE (one of medication_stop_reasons, or NULL) with WORDS as its text (NULL or
 * blank: the code's display), If-Match its version. NULL and *CAUSE when there is no reason
 * at all, the code is not one of them, or E has no version.
 */
struct fhir_plan *medication_stop_plan(const struct record_entry *e, const char *reason_code,
    const char *words, char **cause);

/* --- renewing ------------------------------------------------------------------------- */

/* Who renews, when and where; strings borrowed. */
struct medication_renewal {
	const char *patient;	/* the chart's patient id: the old order must be theirs */
	const char *request_id; /* the new order's request identifier */
	const char *now;	/* authoredOn, a FHIR dateTime */
	const char *requester;	/* "Practitioner/ID" of who is logged in, or NULL when unknown */
	const char *encounter;	/* the open visit's Encounter id, or NULL */
};

/*
 * Renew order E as one transaction: a new MedicationRequest (status active, intent order,
 * the same medication, contained Medication, dosage, category, reason and dispense amounts,
 * authoredOn IN->now, requester, priorPrescription E) created once under its request
 * identifier, and E itself completed, If-Match its version. The old order is closed in the
 * same transaction so the list never shows both as active (a renewal replaces, it does not
 * add a second supply), and so a renewal of an order someone changed meanwhile is refused
 * whole. NULL and *CAUSE when E has no version, is another patient's, or IN lacks a field.
 */
struct fhir_plan *medication_renew_plan(const struct record_entry *e,
    const struct medication_renewal *in, char **cause);

/* --- allergies -------------------------------------------------------------------------- */

/*
 * The first of ALLERGIES' real allergies that a medication with RxNorm code RXNORM (or NULL)
 * and words TEXT (or NULL) matches: the allergy is coded with the same RxNorm code, or the
 * allergy's substance ("Allergy to penicillin" read as "penicillin"; at least 3 characters)
 * begins a word of TEXT, any case. Only the first 256 bytes of TEXT and 128 of a substance
 * are compared: linear in the list whatever the server sends. NULL when none matches.
 */
const struct record_entry *medication_allergy_match(const char *rxnorm, const char *text,
    const struct record_list *allergies);
/*
 * The one test of that match, for one allergy: its RxNorm code ALLERGY_RXNORM (or NULL, "")
 * and its words ALLERGY_WHAT. Every list that flags a medication (the medications form, the
 * cover sheet, the full list) asks it, so all flag what renewing warns of.
 */
bool medication_matches_allergy(const char *rxnorm, const char *text, const char *allergy_rxnorm,
    const char *allergy_what);

/* --- the form's one read ---------------------------------------------------------------- */

/* The last reconciliation of the medication list, as read. */
struct medication_reconciled {
	cJSON *list;	 /* the List as read (owned), or NULL: never reconciled */
	char *date;	 /* its date as "YYYY-MM-DD HH:MM" (as the server wrote it), raw text, or "" */
	char *encounter; /* the visit it was made at (an Encounter id), or "" */
	size_t entries;	 /* medications it lists */
};

/*
 * What the medications form shows and writes from. Every string owned; raw server text.
 * Without MEDS and ALLERGIES nothing is shown or written: the read fails whole. What
 * reconciling needs (the open visit, who is logged in, the last reconciliation) may be
 * missing, each with its reason.
 */
struct medication_chart {
	struct record_list meds;
	struct record_list allergies;
	struct patient_allergies banner;
	char *practitioner; /* "Practitioner/ID" of who is logged in, or NULL: not known */
	char *visit;	    /* the patient's open visit (an Encounter id), or NULL */
	char *visit_start;  /* its period.start, or "" */
	char *visit_failed; /* why the visit is not known, or NULL */
	struct medication_reconciled last;
	char *last_failed; /* why the last reconciliation is not known, or NULL */
};

/*
 * The form's one round trip for patient ID (checked with fhir_valid_id): the active
 * orders with their Medications, the active allergies, the last reconciliation (a List,
 * LOINC 10160-0), the patient's open visit (an Encounter in progress, arrived, triaged or
 * on leave) and, when USER (the certificate's CN) is not NULL, the Practitioner who is
 * logged in. The caller frees it.
 */
cJSON *medication_chart_batch(const struct fhir_client *fc, const char *id, const char *user);
/*
 * Read its batch-response into OUT (zeroed first). 0, or -1 with *CAUSE (and OUT empty)
 * when the orders or the allergies could not be read, or any part of the answer names
 * another patient.
 */
int medication_chart_read(const cJSON *response, const char *id, const char *user,
    struct medication_chart *out, char **cause);
void medication_chart_clear(struct medication_chart *c);
/* True when the orders or the last reconciliation carry REQUEST_ID: a lost save had arrived. */
bool medication_chart_has_request(const struct medication_chart *c, const char *request_id);
/* True when the last reconciliation was made at the open visit. */
bool medication_reconciled_now(const struct medication_chart *c);

/* --- reconciling ------------------------------------------------------------------------- */

/*
 * The medication list reconciled at the open visit, as a FHIR R4 List: status current, mode
 * snapshot, code LOINC 10160-0 (History of Medication use Narrative, the medication section's
 * code in C-CDA and the IPS), subject the patient, encounter the visit, date NOW, source
 * the Practitioner logged in (when known), and one entry per active order referring to the
 * version that was reviewed ("MedicationRequest/ID/_history/V"), or emptyReason "nilknown"
 * when none is active. A List is the resource R4 gives for "these are the patient's
 * medications as of this review": a snapshot, not a change to any order, and the versions
 * say exactly what was seen. Created once under REQUEST_ID. NULL and *CAUSE when there is
 * no open visit, more orders are active than were read, or one has no version.
 */
struct fhir_plan *medication_reconcile_plan(const struct medication_chart *c, const char *id,
    const char *now, const char *request_id, char **cause);

#endif
