/* Billing in FHIR terms: the fee schedule, charges, the professional claim, its scrubber, payments.
 */
#ifndef EHRTERM_FHIR_BILLING_H
#define EHRTERM_FHIR_BILLING_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "fhir/coverage.h"
#include "fhir/fhir.h"
#include "fhir/patient.h"
#include "fhir/plan.h"
#include "util/date.h"
#include "util/money.h"

/* Code systems as US claims name them. HCPCS is also read under its OID. */
#define BILL_CS_CPT "http://www.ama-assn.org/go/cpt"
#define BILL_CS_HCPCS "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
#define BILL_CS_HCPCS_OID "urn:oid:2.16.840.1.113883.6.285"
#define BILL_CS_ICD10CM "http://hl7.org/fhir/sid/icd-10-cm"
#define BILL_CS_NPI "http://hl7.org/fhir/sid/us-npi"
#define BILL_CS_POS                                                                                \
	"https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"

/*
 * R4's ChargeItem has no element for a procedure modifier nor for the unit price
 * charged (its price lives in the ChargeItemDefinition, which changes every year).
 * ehrterm writes both as extensions of its own, and documents them here:
 *
 *   BILL_EXT_MODIFIER    valueCoding, one extension per modifier, in the order
 *                        billed (1 to 4); system BILL_CS_CPT for a numeric modifier
 *                        (25, 59), BILL_CS_HCPCS for letters (LT, GT).
 *   BILL_EXT_UNIT_PRICE  valueMoney: the fee schedule's price for one unit when the
 *                        charge was captured. priceOverride, when present, wins.
 */
#define BILL_EXT_MODIFIER "urn:ehrterm:fhir:extension:chargeitem-modifier"
#define BILL_EXT_UNIT_PRICE "urn:ehrterm:fhir:extension:chargeitem-unit-price"
/*
 * R4's Claim.item cannot name the ChargeItem it bills either: BILL_EXT_CLAIM_CHARGE,
 * valueReference "ChargeItem/ID" on the item, lets a payment posted to the claim line
 * find its charge.
 */
#define BILL_EXT_CLAIM_CHARGE "urn:ehrterm:fhir:extension:claim-item-charge"

/* Fee schedule entries read in one search: a clinic has a few hundred codes. */
#define BILL_FEES_COUNT 1000
#define BILL_MODIFIERS_MAX 4
#define BILL_POINTERS_MAX 4
/* A CMS-1500 (and an 837P) holds at most 12 diagnoses. */
#define BILL_DIAGNOSES_MAX 12
/* Lines of one superbill or claim: a claim's plan is its create and an update of each charge. */
#define BILL_LINES_MAX (FHIR_PLAN_MAX - 1)
#define BILL_QUANTITY_MAX 999
/* ChargeItems of one visit read at once: more than one claim takes, so a split is seen. */
#define BILL_CHARGES_COUNT 100

/*
 * Sizes of the typed fields. A code, system or reference read that does not fit is
 * refused, never cut; a display or override reason is cut at a character boundary
 * (a form capturing a reason limits it to BILL_TEXT_SIZE - 1 bytes).
 */
#define BILL_REF_SIZE 80 /* "Encounter/" and a FHIR id of up to 64 characters */
#define BILL_CODE_SIZE 16
#define BILL_REQUEST_SIZE 64 /* a line's request identifier: a UUID, "." and a serial */
#define BILL_TEXT_SIZE 256 /* a display or an override reason */
#define BILL_SYSTEM_SIZE 128
#define BILL_DAY_SIZE 11 /* "2026-03-01" */

/*
 * A FHIR Money ({"value": 12.5, "currency": "USD"}) as exact cents. cJSON keeps a
 * JSON number only as a double, so the number is written back as the shortest
 * decimal that reads as the same double. That is the server's number exactly when
 * it had at most 15 significant digits (every amount under ten trillion, to the
 * cent: no two such decimals share a double), and otherwise the text JSON writers
 * (JavaScript, Python, Java) produce for the double they held. That text is then
 * read by money_from_decimal, which refuses rather than rounds: 112.41600000000001
 * (Synthea's 80% of 140.52) is not a whole number of cents and is refused, with
 * a sentence, and never added. An amount sent as a string, an infinity (1e309) or
 * a currency without cents is refused too. 0, or -1 with *CAUSE (the caller frees it).
 */
int bill_money_read(const cJSON *money, struct money *out, char **cause);
/*
 * {"value": 12.50, "currency": "USD"} written from cents, never through a double: the
 * value is raw JSON text, which bill_money_read also reads, before or after sending.
 */
cJSON *bill_money_json(const struct money *m);

/* A list of sentences a biller reads; each owned. */
struct bill_problems {
	char **v;
	size_t n;
};
void bill_problems_free(struct bill_problems *p);
/* The sentences joined with "; " (the caller frees it); "" when none. */
char *bill_problems_join(const struct bill_problems *p);

/* --- the fee schedule ------------------------------------------------------------------ */

enum bill_code_kind { BILL_CODE_OTHER, BILL_CODE_CPT, BILL_CODE_HCPCS };

struct bill_fee {
	char id[BILL_REF_SIZE], version[BILL_CODE_SIZE];
	char url[BILL_TEXT_SIZE]; /* its canonical URL, what a charge names as its definition */
	char system[BILL_SYSTEM_SIZE], code[BILL_CODE_SIZE], display[BILL_TEXT_SIZE];
	enum bill_code_kind kind;
	char status[BILL_CODE_SIZE];
	bool has_price;
	struct money price; /* the base priceComponent, for one unit */
	char *problem;      /* why it cannot be charged (no price, not active, ...), or NULL */
};
struct bill_fees {
	struct bill_fee *v; /* sorted by code */
	size_t n;
	long total; /* what the server matched, may exceed n */
	/* The newest meta.lastUpdated read (as sched_updated_newest keeps it), or "". */
	char since[48];
};

/*
 * ChargeItemDefinition?status=active with _elements (id, url, status, code,
 * description, propertyGroup) and _count BILL_FEES_COUNT. The caller frees it.
 */
struct fhir_search *bill_fees_search(void);
/*
 * The definitions of a searchset (or a single ChargeItemDefinition) into OUT
 * (zeroed first; free with bill_fees_free). A definition without a usable code
 * is left out; one without a usable price is kept with its problem, so the
 * biller sees why it cannot be picked. 0, or -1 with *CAUSE when SET is not one.
 */
int bill_fees_read(const cJSON *set, struct bill_fees *out, char **cause);
void bill_fees_free(struct bill_fees *f);
/*
 * The check that the fee schedule F holds is still the server's: a count of the
 * ChargeItemDefinitions changed since F.since (any status: a retired code counts), up
 * to NOW and the allowed skew. A few hundred bytes when nothing changed. NULL when F
 * has no since: read it again whole. The caller frees it.
 */
struct fhir_search *bill_fees_check_search(const struct bill_fees *f, time_t now);
/* How many changed, from the check's answer; -1 when the answer does not say (read again). */
long bill_fees_changes(const cJSON *set);
/*
 * The fee schedule read again on condition, where the server tags its searchsets (an ETag
 * on the first answer): a batch of that search alone, its entry's ifNoneMatch W/"ETAG",
 * so a schedule unchanged costs a 304 of a few hundred bytes. The batch, not a GET, is
 * how a request carries a condition (chart_changes_batch); a server without batch gets
 * the same GET with If-None-Match. The caller frees it.
 */
cJSON *bill_fees_revalidate_batch(const struct fhir_client *fc, const char *etag);
/*
 * Its batch-response: 0 when the schedule is unchanged (304: keep the one held); 1 with
 * OUT the schedule as the server has it now and *ETAG its new tag (owned, or NULL when
 * the answer has none); -1 with *CAUSE when the entry failed or does not read.
 */
int bill_fees_revalidated(const cJSON *response, struct bill_fees *out, char **etag, char **cause);
/* The chargeable fee with CODE (exact, case-insensitive), borrowed or NULL. */
const struct bill_fee *bill_fee_by_code(const struct bill_fees *f, const char *code);
/*
 * Fees whose display holds every blank-separated word of WORDS (ASCII letters
 * case-insensitive), or whose code starts with WORDS; up to MAX into OUT, in
 * code order. Returns how many matched in all.
 */
size_t bill_fees_find(
    const struct bill_fees *f, const char *words, const struct bill_fee **out, size_t max);

/* --- a charge line --------------------------------------------------------------------- */

struct bill_line {
	char patient[BILL_REF_SIZE];     /* "Patient/ID" */
	char encounter[BILL_REF_SIZE];   /* "Encounter/ID" */
	char account[BILL_REF_SIZE];     /* "Account/ID" */
	char performer[BILL_REF_SIZE];   /* "Practitioner/ID" who rendered it, or "" */
	char definition[BILL_TEXT_SIZE]; /* the ChargeItemDefinition's url, or "" */
	char day[BILL_DAY_SIZE];         /* date of service, ISO */
	char system[BILL_SYSTEM_SIZE], code[BILL_CODE_SIZE], display[BILL_TEXT_SIZE];
	long long quantity;
	struct money unit_price; /* the fee schedule's, for one unit */
	bool overridden;
	struct money override_price; /* for one unit, when overridden */
	char override_reason[BILL_TEXT_SIZE];
	char modifiers[BILL_MODIFIERS_MAX][3];
	size_t nmodifiers;
	char diagnoses[BILL_POINTERS_MAX][BILL_CODE_SIZE]; /* ICD-10-CM codes, first is primary */
	size_t npointers;
	/* As read back from the server; "" on a line being captured. */
	char id[BILL_REF_SIZE], version[BILL_CODE_SIZE], status[BILL_CODE_SIZE];
	/*
	 * The request identifier its ChargeItem carries: given when the line is made and
	 * kept whatever other lines are dropped or reordered, so a retried save finds the
	 * charge a first try wrote of this line, and only it. Read back too ("" when the
	 * charge carries none that fits).
	 */
	char request_id[BILL_REQUEST_SIZE];
};

/* A line for FEE (code, display, price, definition) on DAY; the rest is the caller's. */
void bill_line_from_fee(struct bill_line *l, const struct bill_fee *fee, const char *day);
/* The price of one unit as billed: the override when there is one. */
const struct money *bill_line_unit(const struct bill_line *l);
/* Quantity times the unit, exactly; 0, or -1 with *CAUSE on overflow. */
int bill_line_total(const struct bill_line *l, struct money *out, char **cause);
/*
 * Every problem of L as sentences added to OUT ("Line 2 (99213) has no diagnosis:
 * ..."); N is the line's number in them (0: the sentences do not name a line).
 * Returns how many were added. A line with no diagnosis pointer is one of them:
 * a charge is never saved without one.
 */
size_t bill_line_check(const struct bill_line *l, size_t n, struct bill_problems *out);

/* True when S is an ICD-10-CM code as claims carry it ("J06.9", "S72.001A"). */
bool bill_icd10cm_valid(const char *s);
/* True when CODE is a CPT (5 digits, or 4 and F or T) or HCPCS Level II (A-V, 4 digits) code. */
bool bill_cpt_valid(const char *code);
bool bill_hcpcs_valid(const char *code);
/*
 * True when NPI is 10 digits whose last is the Luhn check digit of "80840" and the
 * first nine (the CMS rule, ISO 7812 with the card issuer prefix).
 */
bool bill_npi_valid(const char *npi);
/* The us-npi identifier of a Practitioner or Organization, borrowed or NULL. */
const char *bill_npi_of(const cJSON *resource);

/* The ChargeItem for L (the caller frees it), carrying REQUEST_ID; NULL when L has problems. */
cJSON *bill_charge_item(const struct bill_line *l, const char *request_id);
/*
 * A ChargeItem read back into a line; 0, or -1 with *CAUSE when it cannot be
 * billed as read (no code, an amount not in cents, a field too long).
 */
int bill_line_read(const cJSON *charge_item, struct bill_line *out, char **cause);
/* ChargeItem?context=Encounter/ID, up to BILL_CHARGES_COUNT. The caller frees it. */
struct fhir_search *bill_charges_search(const char *encounter_id);

/*
 * Name L for a superbill: its request identifier REQUEST_ID "." SERIAL, where the caller
 * gives each line it makes a serial of its own and never reuses one under REQUEST_ID.
 */
void bill_line_name(struct bill_line *l, const char *request_id, unsigned long serial);

/*
 * The superbill of one encounter as one plan: a create of each line's ChargeItem,
 * each carrying the line's own request identifier (l->request_id, see bill_line_name)
 * and If-None-Exist on it, so a retried superbill of any of the lines, in any order,
 * finds those a first try saved and writes none twice. Refused (NULL, with every
 * problem in *OUT) when a line has a problem or no request identifier, two lines share
 * one, the lines are not all of one patient and encounter, or there are none or too many.
 */
struct fhir_plan *bill_superbill_plan(
    const struct bill_line *lines, size_t n, struct bill_problems *out);

/* --- the professional claim ------------------------------------------------------------ */

struct bill_claim_input {
	const char *patient; /* "Patient/ID" */
	const struct bill_line *lines;
	size_t nlines;
	/*
	 * The ChargeItems the lines were read from (a JSON array, one for each line in
	 * order), or NULL for lines not yet saved. Queuing the claim marks each billed,
	 * If-Match the version read: two billers cannot put one charge on two claims.
	 */
	const cJSON *charge_items;
	/* The patient's Coverages in order: the first is the focal (primary) one. */
	const struct coverage_view *const *coverages;
	size_t ncoverages;
	const char *billing; /* "Organization/ID" (or Practitioner) that bills */
	const char *billing_npi;
	const char *rendering; /* "Practitioner/ID" who saw the patient */
	const char *rendering_npi;
	const char *facility;         /* "Location/ID" */
	const char *place_of_service; /* CMS code, "11" for an office */
	const char *request_id;
};

/*
 * The coverages of VIEWS in force on DAY (active, DAY within the period), in their
 * order, up to MAX into OUT: those a claim for that day goes to. Returns how many.
 */
size_t bill_coverages_on(const struct coverage_view *views, size_t n, const char *day,
    const struct coverage_view **out, size_t max);

/*
 * The diagnoses of the claim: every line's pointers in line order, each code once,
 * into CODES (up to MAX). Returns how many distinct codes there are (may exceed MAX).
 */
size_t bill_claim_diagnoses(
    const struct bill_claim_input *in, char codes[][BILL_CODE_SIZE], size_t max);
/* The claim's total: every line's quantity times its unit, exactly. 0 or -1 with *CAUSE. */
int bill_claim_total(const struct bill_claim_input *in, struct money *out, char **cause);

/*
 * The scrubber: EVERY problem that keeps the claim from the queue, as sentences a
 * biller acts on, added to OUT; returns how many. TODAY decides what has expired.
 */
size_t bill_scrub(
    const struct bill_claim_input *in, const struct date *today, struct bill_problems *out);

/*
 * The professional Claim (the caller frees it): status active, use claim, type
 * professional; diagnoses numbered 1..12 with each line pointing at up to 4 of
 * them; insurance in the order given, the first focal; the total summed in cents.
 * NULL with the scrubber's problems in *OUT when there are any: a claim with a
 * problem is never built, so never queued.
 */
cJSON *bill_claim_build(
    const struct bill_claim_input *in, const struct date *today, struct bill_problems *out);
/*
 * The plan that queues it, all or nothing: the Claim created once (If-None-Exist on
 * in->request_id) and, with in->charge_items, each ChargeItem updated to billed
 * If-Match its version. NULL as bill_claim_build.
 */
struct fhir_plan *bill_claim_plan(
    const struct bill_claim_input *in, const struct date *today, struct bill_problems *out);

/* --- one visit's billing, read in one round trip ---------------------------------------- */

/*
 * Procedures of one visit read at once: more than a superbill takes (BILL_LINES_MAX), so
 * the biller is told when some do not fit.
 */
#define BILL_PROCEDURES_COUNT 50

/*
 * A procedure charting recorded at the visit (its wrap-up), coded in CPT: what charge
 * capture starts from.
 */
struct bill_procedure {
	char id[BILL_REF_SIZE];
	char code[BILL_CODE_SIZE]; /* a valid CPT code */
	char display[BILL_TEXT_SIZE];
	char day[BILL_DAY_SIZE];       /* performed (its day), or "" */
	char performer[BILL_REF_SIZE]; /* the first performer's "Practitioner/ID", or "" */
};

/* What charging and claiming one encounter needs. */
struct bill_visit {
	struct patient_opened opened; /* the Patient and allergies, for the banner */
	struct bill_line *lines;      /* the encounter's ChargeItems that read */
	cJSON *charge_items;          /* those ChargeItems as read, one for each line; owned */
	size_t nlines;
	long charges_total;              /* ChargeItems the server matched */
	struct bill_problems unreadable; /* a sentence for each ChargeItem that did not read */
	cJSON *coverages;            /* the patient's Coverages, sorted as coverage_take; owned */
	struct coverage_view *views; /* the same as views, in that order */
	size_t nviews;
	char account[BILL_REF_SIZE]; /* the patient's active Account, "" when there is none */
	/* The visit's completed procedures coded in CPT, in the order read. */
	struct bill_procedure *procedures;
	size_t nprocedures;
	long procedures_total; /* completed Procedures the server matched, may exceed what was read */
	size_t procedures_uncoded; /* completed procedures read without a CPT code: charged by hand */
	bool procedures_failed;    /* the procedures could not be read: said in unreadable */
};

/*
 * The batch that opens a visit for billing: the patient and allergies (as
 * patient_open_batch), the encounter's ChargeItems, the patient's Coverages and
 * active Accounts, and the visit's completed Procedures (up to BILL_PROCEDURES_COUNT).
 * The caller frees it.
 */
cJSON *bill_visit_batch(
    const struct fhir_client *fc, const char *patient_id, const char *encounter_id);
/*
 * Its batch-response into OUT (zeroed first). A charge or procedure of another patient
 * or another visit is left out with a sentence, and so are the procedures when they
 * could not be read (the charges still show). 0, or -1 with *CAUSE when the patient,
 * the charges or the coverages could not be read.
 */
int bill_visit_result(cJSON *response, const char *patient_id, const char *encounter_id,
    const struct date *today, struct bill_visit *out, char **cause);
void bill_visit_clear(struct bill_visit *v);

/* --- a patient's visits, for choosing the one to charge ---------------------------------- */

#define BILL_ENCOUNTERS_COUNT 50
/* The patient's Conditions read with the visits: where their diagnoses' codes are found. */
#define BILL_CONDITIONS_COUNT 200
/*
 * Entries of one Encounter.diagnosis read: a wrap-up writes at most BILL_DIAGNOSES_MAX;
 * a server's longer array is read this far and no further.
 */
#define BILL_DIAGNOSIS_ENTRIES_MAX 64

/* An ICD-10-CM diagnosis of a visit, from a Condition recorded at it. */
struct bill_diagnosis {
	char code[BILL_CODE_SIZE];
	char display[BILL_TEXT_SIZE];
};

struct bill_encounter {
	char id[BILL_REF_SIZE];
	char day[BILL_DAY_SIZE];      /* period.start's day, or "" */
	char what[BILL_TEXT_SIZE];    /* its type as a person reads it */
	char status[BILL_CODE_SIZE];
	char performer[BILL_REF_SIZE]; /* the first participant's "Practitioner/ID", or "" */
	char location[BILL_REF_SIZE];  /* the first location's "Location/ID", or "" */
	char provider[BILL_REF_SIZE];  /* serviceProvider, "Organization/ID": who bills it, or "" */
	/*
	 * In the order the visit ranks them (the primary first): the Conditions its
	 * Encounter.diagnosis names, by rank, then those without a rank in the array's
	 * order; then any other Condition recorded at the visit, in the order read.
	 */
	struct bill_diagnosis diagnoses[BILL_DIAGNOSES_MAX];
	size_t ndiagnoses; /* ICD-10-CM codes only: a claim points at no other */
	/* Diagnoses left out, for the biller to hear of: */
	size_t unread;  /* named by the visit, but not among the patient's Conditions read */
	size_t uncoded; /* named by the visit, without an ICD-10-CM code */
	size_t over;    /* past BILL_DIAGNOSES_MAX */
};

struct bill_encounters {
	struct patient_opened opened; /* the Patient and allergies, for the banner */
	struct bill_encounter *v;     /* newest first */
	size_t n;
	long total; /* what the server matched, may exceed n */
};

/*
 * One round trip: the patient and allergies (as patient_open_batch), the patient's
 * Encounters newest first (whole: their diagnosis arrays rank the diagnoses), and the
 * patient's Conditions (their ICD-10-CM codes are the visits' diagnoses). The caller
 * frees it.
 */
cJSON *bill_encounters_batch(const struct fhir_client *fc, const char *patient_id);
/*
 * Its batch-response into OUT (zeroed first): at most BILL_ENCOUNTERS_COUNT visits of
 * the patient, each with its diagnoses in rank order (struct bill_encounter), joined
 * through an index of the Conditions (at most BILL_CONDITIONS_COUNT, the patient's,
 * not entered in error or refuted): linear whatever the server sends. An Encounter or
 * Condition of another patient is left out. 0, or -1 with *CAUSE when the patient or
 * the encounters could not be read.
 */
int bill_encounters_result(
    cJSON *response, const char *patient_id, struct bill_encounters *out, char **cause);
void bill_encounters_clear(struct bill_encounters *e);
/* The NPIs of a claim's providers, as their records hold them ("" when none). */
struct bill_parties {
	char billing_npi[BILL_CODE_SIZE];
	char rendering_npi[BILL_CODE_SIZE];
};
/*
 * A batch that reads BILLING ("Organization/ID" or "Practitioner/ID") and RENDERING
 * ("Practitioner/ID"), each when it is such a reference, in that order; NULL when
 * neither is, so there is nothing to read. The caller frees it.
 */
cJSON *bill_parties_batch(const char *billing, const char *rendering);
/*
 * Its batch-response into OUT (zeroed first): each provider's us-npi identifier, kept
 * as written (the scrubber judges it), "" when it has none or one too long to be an NPI.
 * 0, or -1 with *CAUSE when a provider could not be read or is not the one asked for.
 */
int bill_parties_result(const cJSON *response, const char *billing, const char *rendering,
    struct bill_parties *out, char **cause);
/* The encounter with ID, borrowed, or NULL. */
const struct bill_encounter *bill_encounter_by_id(const struct bill_encounters *e, const char *id);

/*
 * Where charge capture starts: a line for each procedure of V (the visit ENC, of
 * PATIENT_ID) not already charged there (a charge of its code, unless entered in error
 * or aborted), in the order read. Its CPT code, quantity 1, the price FEES has for it
 * (none when FEES is NULL or has no usable price for the code: bill_line_check then
 * says so, and the biller types one), pointing at ENC's first diagnoses (1 to
 * BILL_POINTERS_MAX, in rank order, the primary first), the visit's account, the
 * procedure's performer (else the visit's) and day (else the visit's). Up to MAX into
 * OUT; returns how many there are, which may exceed MAX. Linear: the charged codes are
 * looked up in a sorted index.
 */
size_t bill_capture_lines(const struct bill_visit *v, const struct bill_encounter *enc,
    const char *patient_id, const struct bill_fees *fees, struct bill_line *out, size_t max);

/* --- remittances: a ClaimResponse read for posting ------------------------------------ */

/*
 * Adjudication categories (http://terminology.hl7.org/CodeSystem/adjudication) as a
 * biller reads them: submitted is what was charged, eligible what the payer allows,
 * benefit what the payer pays, copay and deductible (and CARIN's coinsurance) the
 * patient's share. eligpercent is a percentage, not money, and is not added.
 *
 * An adjustment is an adjudication whose reason holds a Claim Adjustment Reason Code
 * (BILL_CS_CARC, "45"); a second coding of that reason in BILL_CS_CARC_GROUP gives its
 * group (CO contractual, PR patient responsibility, OA other, PI payer initiated), as
 * an 835 pairs them. X12 publishes no FHIR system for the group codes: the URL is ours.
 */
#define BILL_CS_ADJUDICATION "http://terminology.hl7.org/CodeSystem/adjudication"
#define BILL_CS_CARC "https://x12.org/codes/claim-adjustment-reason-codes"
#define BILL_CS_CARC_GROUP "urn:ehrterm:x12:claim-adjustment-group-code"
#define BILL_ADJUSTMENTS_MAX 8
/* Lines of one remittance read; a professional claim has at most BILL_LINES_MAX. */
#define BILL_REMIT_LINES_MAX 100

enum bill_group { BILL_GROUP_NONE, BILL_GROUP_CO, BILL_GROUP_PR, BILL_GROUP_OA, BILL_GROUP_PI };

struct bill_adjustment {
	enum bill_group group;
	char reason[BILL_CODE_SIZE]; /* the CARC, "45" */
	struct money amount;
};

/* One adjudicated line; an amount the payer did not send is zero with its has_ false. */
struct bill_remit_line {
	long sequence; /* the claim line it answers (itemSequence); 0 for a line the payer added */
	char code[BILL_CODE_SIZE]; /* the payer's code for an added line, else "" */
	bool has_submitted, has_allowed, has_paid;
	struct money submitted, allowed, paid;
	struct money patient_share; /* copay + deductible + coinsurance + PR adjustments */
	struct bill_adjustment adj[BILL_ADJUSTMENTS_MAX];
	size_t nadj;
	bool denied;     /* nothing paid on a charge, with a reason: posts as a zero payment */
	bool unreadable; /* an amount could not be read: the line is left out of every sum */
};

struct bill_remit {
	char id[BILL_REF_SIZE], version[BILL_CODE_SIZE];
	char claim[BILL_TEXT_SIZE]; /* request: "Claim/ID", or "" when named otherwise */
	char patient[BILL_REF_SIZE];
	char insurer[BILL_TEXT_SIZE]; /* the payer as a biller reads it: its display, else its
	                                 reference or identifier */
	char outcome[BILL_CODE_SIZE]; /* queued, complete, error, partial */
	char payment_date[BILL_DAY_SIZE];
	bool has_payment;
	struct money payment; /* payment.amount: what the payer sent */
	struct money paid, patient_share, submitted, adjusted; /* summed over the lines, exactly */
	struct bill_remit_line *lines;
	size_t n;
	/* Amounts that could not be read, and sums that do not balance: each a sentence. */
	struct bill_problems problems;
};

/*
 * A ClaimResponse into OUT (zeroed first; free with bill_remit_clear): every item and
 * added item, in cents. A line whose amount cannot be read is left out of the sums
 * and said in out->problems, never guessed; so is a payment that differs from the
 * lines' benefit. 0, or -1 with *CAUSE when it is not a ClaimResponse.
 */
int bill_remit_read(const cJSON *claim_response, struct bill_remit *out, char **cause);
void bill_remit_clear(struct bill_remit *r);

/* --- the ledger ------------------------------------------------------------------------ */

enum bill_entry_kind {
	BILL_ENTRY_CHARGE,          /* a service billed to the insurer: insurance pending goes up */
	BILL_ENTRY_SELF_PAY_CHARGE, /* a service the patient pays: patient owes goes up */
	BILL_ENTRY_INSURER_PAYMENT, /* insurance pending goes down */
	BILL_ENTRY_ADJUSTMENT,      /* written off (CO, OA, PI): insurance pending goes down */
	BILL_ENTRY_TO_PATIENT, /* the payer's patient share: from insurance pending to patient owes
	                        */
	BILL_ENTRY_PATIENT_PAYMENT, /* patient owes goes down */
};

struct bill_entry {
	enum bill_entry_kind kind;
	char day[BILL_DAY_SIZE];
	char what[BILL_TEXT_SIZE]; /* "Payment from Acme Health", "Charge 99213", "Copay paid" */
	struct money amount;       /* as the entry moves money: positive */
	struct money insurance_pending, patient_owes; /* the two balances after this entry */
};

struct bill_ledger {
	struct bill_entry *v;
	size_t n;
	struct money insurance_pending, patient_owes;
	struct bill_problems problems;
};

/* A payment the patient made (copay at check-out, a payment on account). */
struct bill_patient_payment {
	char day[BILL_DAY_SIZE];
	struct money amount;
	const char *note; /* "copay", "on account", or NULL */
};

/*
 * One patient's ledger: CHARGES (to the insurer when INSURED, else to the patient),
 * the REMITS posted against them, and the patient's PAYMENTS, in date order with
 * charges first on a day, then payments. Two running balances that never mix: an
 * insurer's payment lowers insurance pending and is labelled with the insurer, never
 * "Patient"; only the patient share (PR) moves money to what the patient owes.
 * 0, or -1 with the reason in out->problems (a currency mixed, an overflow).
 */
int bill_ledger_build(const struct bill_line *charges, size_t ncharges, bool insured,
    const struct bill_remit *remits, size_t nremits, const struct bill_patient_payment *payments,
    size_t npayments, struct bill_ledger *out);
void bill_ledger_clear(struct bill_ledger *l);

/* --- posting a payer's payment (a paper EOB typed in; an 835 importer fills the same structs) --- */

/*
 * A posting writes, in one transaction, all or nothing:
 *   - the PaymentReconciliation of the check: paymentIssuer the payer, paymentAmount,
 *     paymentDate, paymentIdentifier the check number; one detail per claim paid, its
 *     response a logical reference (the ClaimResponse's request identifier), so the
 *     steps fallback, which cannot resolve references between steps, writes the same;
 *   - a ClaimResponse per claim, each line's adjudication: submitted (the charge),
 *     eligible (allowed), benefit (paid), and each adjustment as an adjudication of
 *     category BILL_CS_ADJ_CATEGORY "adjustment" whose reason holds its CARC and group,
 *     the patient's responsibility among them as group PR (bill_remit_read reads it back);
 *   - each posted ChargeItem, If-Match the version read: BILL_EXT_CHARGE_POSTED names the
 *     ClaimResponse that answered it; a denied line goes back to billable, to be worked
 *     (corrected, appealed or billed on), since R4 has no "denied" status for a charge.
 */
#define BILL_CS_ADJ_CATEGORY "urn:ehrterm:adjudication-category"
#define BILL_EXT_CHARGE_POSTED "urn:ehrterm:fhir:extension:chargeitem-posted"
#define BILL_CHECK_NUMBER_SIZE 32
#define BILL_PAYER_SIZE 128
/* Claims of one check: each is a ClaimResponse, its lines ChargeItem updates, in one plan. */
#define BILL_POST_CLAIMS_MAX 4

/*
 * An amount as a biller types it on a posting (money_parse: "12", "12.50", "$1,234.56",
 * "-3.10" for a reversal), with the sentence naming LABEL when it cannot be one: an
 * exponent ("1e309"), three decimals ("12.345"), words, and "-0" (a sign on nothing is
 * a slip, not an amount) are refused, never rounded. Blank is zero when BLANK_ZERO.
 * NEGATIVE allows an amount below zero. 0, or -1 with *CAUSE (the caller frees it).
 */
int bill_amount_parse(const char *text, const char *label, bool blank_zero, bool negative,
    struct money *out, char **cause);
/*
 * "CO-45", "co 45", "PR2" into a group and a CARC; 0, or -1 with *CAUSE. The group is
 * one of CO, PR, OA, PI and the code one to three letters or digits, as X12 lists them.
 */
int bill_adjustment_parse(const char *text, enum bill_group *group, char reason[BILL_CODE_SIZE],
    char **cause);
/* "CO-45", or "" for none, into BUF. */
void bill_adjustment_format(enum bill_group group, const char *reason, char *buf, size_t size);

/* One claim line as the payer answered it. Amounts the payer left blank are zero. */
struct bill_post_line {
	long sequence;                     /* the claim's item.sequence */
	char code[BILL_CODE_SIZE];         /* the code billed, for sentences */
	char charge_item[BILL_REF_SIZE];   /* "ChargeItem/ID" billed on it, or "" */
	struct money charged;              /* the line's net as billed */
	bool has_allowed;
	struct money allowed;
	struct money paid;
	struct money adjusted; /* written off (or a reversal, below zero) */
	enum bill_group group; /* of ADJUSTED */
	char reason[BILL_CODE_SIZE];
	struct money patient_resp; /* deductible, coinsurance, copay: what the patient owes */
	char resp_reason[BILL_CODE_SIZE]; /* its CARC: 1 deductible, 2 coinsurance, 3 copay */
};

struct bill_post_claim {
	char claim[BILL_REF_SIZE];   /* "Claim/ID" */
	char patient[BILL_REF_SIZE]; /* "Patient/ID" */
	struct bill_post_line *lines;
	size_t n;
};

struct bill_posting {
	char payer[BILL_REF_SIZE];          /* "Organization/ID" */
	char payer_name[BILL_PAYER_SIZE];   /* as the biller reads it on the EOB */
	char check_number[BILL_CHECK_NUMBER_SIZE];
	char check_date[BILL_DAY_SIZE];     /* ISO day */
	struct money check_amount;
	const struct bill_post_claim *claims;
	size_t nclaims;
	/* Made once per form, kept across retries: a retried posting finds the first. */
	const char *request_id;
};

/* A line is denied when nothing is paid on a charge and an adjustment gives the reason. */
bool bill_post_line_denied(const struct bill_post_line *l);
/*
 * Every problem that keeps P from being saved, as sentences added to OUT; returns
 * how many. Every line balances (charged = paid + adjusted + patient's share), each
 * amount has its reason code, and the lines' payments add up to the check amount.
 */
size_t bill_posting_check(const struct bill_posting *p, struct bill_problems *out);
/* Sum of the lines' payments, exactly; 0, or -1 with *CAUSE. */
int bill_posting_paid(const struct bill_posting *p, struct money *out, char **cause);
/*
 * The posting as one plan: the PaymentReconciliation created once (If-None-Exist on
 * p->request_id), a ClaimResponse for each claim (request_id ".1", ".2", ...), then each
 * line's ChargeItem from CHARGE_ITEMS (an array of them as read) updated If-Match its
 * version. NULL with every problem in *OUT (bill_posting_check's, a charge not read,
 * too many steps): nothing is written then. TODAY is the posting's created day.
 */
struct fhir_plan *bill_posting_plan(const struct bill_posting *p, const cJSON *charge_items,
    const struct date *today, struct bill_problems *out);
/* The search that finds P's PaymentReconciliation once saved (the caller frees it). */
struct fhir_search *bill_posting_search(const char *request_id);
/* True when the search's answer holds the PaymentReconciliation of REQUEST_ID. */
bool bill_posting_found(const cJSON *set, const char *request_id);

/* Answers already posted to one claim, read with it: a check is never posted twice. */
#define BILL_POST_ANSWERS_MAX 20
/* Remittances of the patient read with the claim, to find those that answer it. */
#define BILL_POST_REMITS_COUNT 100

/* A payer's answer already posted to the claim (a ClaimResponse), as a biller names it. */
struct bill_post_answer {
	char check[BILL_CHECK_NUMBER_SIZE]; /* payment.identifier, "" when it names none */
	char day[BILL_DAY_SIZE];            /* the payment's day, else the day it was written */
	struct money paid;                  /* what the payer paid on the claim */
	/* Paid, adjusted and moved to the patient: what it took off insurance pending. */
	struct money settled;
};

/* What posting to one visit's claim needs, read in one round trip. */
struct bill_post_open {
	struct bill_visit visit;       /* the patient, the visit's ChargeItems and Coverages */
	bool has_claim;                /* the newest claim of the visit, below */
	char claim[BILL_REF_SIZE];     /* "Claim/ID" */
	char created[BILL_DAY_SIZE];
	char payer[BILL_REF_SIZE];     /* the claim's insurer */
	char payer_name[BILL_PAYER_SIZE]; /* the coverage's display of it, else "" */
	struct bill_post_line *lines;  /* the claim's items: sequence, code, charge, ChargeItem */
	size_t n;
	struct bill_problems problems; /* items that could not be read, said and left out */
	/* The answers already posted to the claim, as read (up to BILL_POST_ANSWERS_MAX). */
	struct bill_post_answer answers[BILL_POST_ANSWERS_MAX];
	size_t nanswers;
	bool answers_cut; /* more answers than read: posting asks before every check */
};
/*
 * True when V has charges and every one is billed: the visit's claim is queued already,
 * and claiming it again would only list each line as "billed, not billable".
 */
bool bill_visit_claimed(const struct bill_visit *v);
/* The visit's Claims (as bill_post_batch reads them). The caller frees it. */
struct fhir_search *bill_visit_claims_search(const char *patient_id, const char *encounter_id);
/*
 * The day the newest professional claim of PATIENT_ID in SET (that search's answer) was
 * made, into DAY; "" when there is none or it has no day.
 */
void bill_visit_claim_day(const cJSON *set, const char *patient_id, char day[BILL_DAY_SIZE]);
/*
 * bill_visit_batch, the visit's Claims (newest last read) and the patient's ClaimResponses
 * (up to BILL_POST_REMITS_COUNT), whose answers to the claim are read. The caller frees it.
 */
cJSON *bill_post_batch(
    const struct fhir_client *fc, const char *patient_id, const char *encounter_id);
/*
 * Its answer into OUT (zeroed first). The claim is the newest of the patient's for the
 * visit; none is not an error (has_claim false). 0, or -1 with *CAUSE as bill_visit_result.
 */
int bill_post_result(cJSON *response, const char *patient_id, const char *encounter_id,
    const struct date *today, struct bill_post_open *out, char **cause);
void bill_post_open_clear(struct bill_post_open *o);
/*
 * After a posting saved, its transaction-response (RESPONSE): the ChargeItems it carries
 * (the posting's updates, at their new versions) replace those of O as read, so the next
 * posting to the claim is guarded by If-Match on what the server holds now without reading
 * the claim again. 0; or -1, O unchanged, when an entry failed, a line's charge is not in
 * the answer (a server that does not return what it wrote) or not at a new version: then
 * read the claim again.
 */
int bill_post_saved(struct bill_post_open *o, const cJSON *response);
/*
 * The answer already posted to O's claim under check number CHECK (blanks around it and
 * case ignored), borrowed, or NULL: the same EOB posted twice would pay the claim twice.
 */
const struct bill_post_answer *bill_post_same_check(const struct bill_post_open *o,
    const char *check);
/*
 * What insurance still has pending on O's claim: its lines' charges less what the answers
 * already posted settled, into *LEFT; and *AFTER, that less what P (a posting to the claim)
 * settles (paid, adjusted and the patient's share of each line). Below zero, P pays more
 * than is pending: the biller is asked first. 0, or -1 with *CAUSE on an overflow or a
 * currency mixed.
 */
int bill_post_pending(const struct bill_post_open *o, const struct bill_posting *p,
    struct money *left, struct money *after, char **cause);


/* --- a patient's ledger, read in one round trip ------------------------------------------- */

#define BILL_LEDGER_CHARGES_MAX 300
#define BILL_LEDGER_REMITS_MAX 100
#define BILL_LEDGER_PAYMENTS_MAX 100
/*
 * A patient's payment (copay at check-out, a payment on account) is a PaymentNotice:
 * request the Patient whose balance it pays (R4 names no payer on a payment, and this
 * is what PaymentNotice?request finds), amount, paymentDate, payment the deposit's
 * PaymentReconciliation, and BILL_EXT_PAYMENT_KIND valueCode "copay" or "on-account".
 */
#define BILL_EXT_PAYMENT_KIND "urn:ehrterm:fhir:extension:patient-payment-kind"

struct bill_ledger_read {
	struct patient_opened opened;
	struct bill_ledger ledger;
	size_t ncharges, nremits, npayments; /* what went into it */
	bool cut;                            /* the server had more than was read: said on screen */
	struct bill_problems skipped;        /* resources left out, each with its sentence */
};
/*
 * The patient and allergies, the patient's ChargeItems, ClaimResponses, PaymentNotices
 * (each at most its _MAX) and a count of active Coverages: one batch. The caller frees it.
 */
cJSON *bill_ledger_batch(const struct fhir_client *fc, const char *patient_id);
/*
 * Its answer into OUT (zeroed first): the ledger of every readable charge (not those in
 * error, aborted or not billable), remittance and payment of this patient; another
 * patient's resource, an amount not in cents, a remittance whose lines do not read are
 * left out with a sentence. 0, or -1 with *CAUSE when the patient or a list could not be read.
 */
int bill_ledger_result(
    cJSON *response, const char *patient_id, struct bill_ledger_read *out, char **cause);
void bill_ledger_read_clear(struct bill_ledger_read *r);

/* --- a patient's payment at the front desk, and its receipt -------------------------------- */

/*
 * A payment the patient makes (a copay at check-out, a payment on account) is one
 * PaymentNotice, written by one guarded create: the shape the ledger reads above, with
 * BILL_EXT_PAYMENT_METHOD (valueCode cash, check, card) and BILL_EXT_PAYMENT_REFERENCE
 * (valueString: a check number, a card's authorisation) beside BILL_EXT_PAYMENT_KIND.
 * R4 requires payment: it names the day's front-desk deposit logically (an identifier
 * of BILL_CS_DEPOSIT, the day), not a PaymentReconciliation the front desk cannot
 * know yet. recipient is the Patient's managingOrganization (the clinic), else a display.
 */
#define BILL_EXT_PAYMENT_METHOD "urn:ehrterm:fhir:extension:patient-payment-method"
#define BILL_EXT_PAYMENT_REFERENCE "urn:ehrterm:fhir:extension:patient-payment-reference"
#define BILL_CS_DEPOSIT "urn:ehrterm:front-desk-deposit"
#define BILL_PAY_REFERENCE_SIZE 32
/* What a payment's note ("copay, check 1234") holds at most. */
#define BILL_PAY_NOTE_SIZE 48

enum bill_pay_kind { BILL_PAY_COPAY, BILL_PAY_ON_ACCOUNT };
enum bill_pay_method { BILL_PAY_CASH, BILL_PAY_CHECK, BILL_PAY_CARD };

struct bill_payment {
	char patient[BILL_REF_SIZE];     /* "Patient/ID" */
	char clinic[BILL_REF_SIZE];      /* "Organization/ID" paid, or "" */
	char clinic_name[BILL_TEXT_SIZE]; /* its display, or "" */
	char day[BILL_DAY_SIZE];         /* ISO day paid */
	struct money amount;             /* above zero */
	enum bill_pay_kind kind;
	enum bill_pay_method method;
	char reference[BILL_PAY_REFERENCE_SIZE]; /* a check's number, a card's authorisation, or "" */
	/* Made once per form, kept across retries: a retried save finds the first. */
	const char *request_id;
};

/* "copay", "on-account"; "cash", "check", "card": the codes written. */
const char *bill_pay_kind_code(enum bill_pay_kind k);
const char *bill_pay_method_code(enum bill_pay_method m);
/* The clinic the payment goes to, from the Patient's managingOrganization, into P. */
void bill_payment_clinic(const cJSON *patient, struct bill_payment *p);
/*
 * The payment as a plan of one create, If-None-Exist on p->request_id. NULL with *CAUSE
 * (the caller frees it) when it cannot be one: an amount not above zero, no patient,
 * day or request identifier, a reference of control characters.
 */
struct fhir_plan *bill_payment_plan(const struct bill_payment *p, char **cause);
/* The search that finds the payment of REQUEST_ID once saved (the caller frees it). */
struct fhir_search *bill_payment_search(const char *request_id);
/*
 * The payment of REQUEST_ID from ANSWER, a save's transaction-response or that search's
 * searchset, read as the ledger reads one (OUT's note in NOTE): 0, or -1 when the answer
 * does not hold it, or holds it for another patient than PATIENT_ID or unreadable.
 */
int bill_payment_answer(const cJSON *answer, const char *request_id, const char *patient_id,
    struct bill_patient_payment *out, char note[BILL_PAY_NOTE_SIZE]);
/*
 * Payment P added to the ledger R as read, without reading it again: a payment is a
 * ledger's last row when no entry is dated after it. 0; -1, R unchanged, when one is (or
 * the ledger stopped, or the sum overflows): then read the ledger again.
 */
int bill_ledger_add_payment(struct bill_ledger_read *r, const struct bill_patient_payment *p);

#define RECEIPT_WIDTH 60
/*
 * The receipt of payment P by the patient PV as lines of printable ASCII of at most
 * RECEIPT_WIDTH columns: the clinic, the patient's name and date of birth, the day, the
 * amount, kind, method and reference, and OWES, the patient's balance after it (NULL:
 * not known, said). Every server string is cut to its column. Returns how many lines
 * are in *OUT (each owned; free with bill_print_free), 0 with *CAUSE when P cannot be
 * printed (an amount not above zero).
 */
size_t bill_receipt_text(const struct bill_payment *p, const struct patient_view *pv,
    const struct money *owes, char ***out, char **cause);

/*
 * A printout (a CMS-1500, a statement) as lines, each owned: freed, and joined for the
 * printer, each line ended by "\n" and a line "\f" starting the next page with none.
 */
void bill_print_free(char **lines, size_t n);
/* Printable ASCII of S (a server's string), at most W bytes, into BUF: '?' for any other character. */
void bill_print_ascii(const char *s, size_t w, char *buf, size_t size);
/* LINE (owned), cut to WIDTH, appended to *LINES. */
void bill_print_add(char ***lines, size_t *n, char *line, size_t width);
char *bill_print_join(char **lines, size_t n);

#endif
