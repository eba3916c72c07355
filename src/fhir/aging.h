/*
 * Accounts receivable across the clinic: aging of what insurers and patients owe, the
 * denied claim lines to work, and a patient's statement as text.
 */
#ifndef EHRTERM_FHIR_AGING_H
#define EHRTERM_FHIR_AGING_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "fhir/billing.h"
#include "fhir/fhir.h"
#include "util/date.h"
#include "util/money.h"

/*
 * What one read takes, whatever the server sends: one more of each is asked for, so a
 * server that holds more is said to have been cut (the figures are then not the whole).
 */
#define AGING_CHARGES_MAX 2000
#define AGING_REMITS_MAX 1000
#define AGING_PAYMENTS_MAX 1000
#define AGING_CLAIMS_MAX 1000
#define AGING_COVERAGES_MAX 2000
#define AGING_PATIENTS_MAX 2000
/* Lines of one claim indexed for dating its answers: a professional claim has far fewer. */
#define AGING_CLAIM_LINES_MAX 50
#define AGING_NAME_SIZE 96
#define AGING_ID_SIZE 65

/*
 * The buckets, by days since the date of service: 0-30, 31-60, 61-90, over 90. A date
 * of service after today (a charge dated ahead) is in the first.
 */
enum { AGING_0_30, AGING_31_60, AGING_61_90, AGING_OVER_90, AGING_BUCKETS };

/* The bucket of a service on SERVICE, seen on TODAY. */
int aging_bucket(const struct date *service, const struct date *today);
/* The bucket of an ISO day ("2026-03-01"); -1 when DAY is not a date. */
int aging_bucket_of(const char *day, const struct date *today);

/* Balances in each bucket and their total, exact cents (all USD until a currency mixes). */
struct aging_sums {
	struct money b[AGING_BUCKETS];
	struct money total;
};
/* Zeroed sums in CURRENCY (NULL: USD). */
void aging_sums_init(struct aging_sums *s, const char *currency);
/*
 * S's bucket BUCKET and total move by M (below zero to lower them). 0, or -1 with *CAUSE
 * (the caller frees it) on a currency mixed or an overflow, S untouched.
 */
int aging_sums_add(struct aging_sums *s, int bucket, const struct money *m, char **cause);
/* *TO += FROM, bucket by bucket. 0, or -1 with *CAUSE, TO untouched. */
int aging_sums_merge(struct aging_sums *to, const struct aging_sums *from, char **cause);
/*
 * A payment of AMOUNT applied to S oldest first: each bucket from over 90 down to 31-60
 * that is above zero is lowered by as much of it as it holds; what is left lowers 0-30,
 * below zero when the payment exceeds what is owed (a credit). The total drops by
 * AMOUNT. 0, or -1 with *CAUSE, S untouched. A payment below zero (a refund) raises 0-30.
 */
int aging_sums_pay(struct aging_sums *s, const struct money *amount, char **cause);
/* True when every bucket is zero. */
bool aging_sums_zero(const struct aging_sums *s);

/* A payer's claims, what they still owe on them (insurance pending). */
struct aging_payer {
	char ref[BILL_REF_SIZE];       /* "Organization/ID"; "" for charges on no claim yet */
	char name[AGING_NAME_SIZE];    /* its name as read, else its reference */
	struct aging_sums insurer;
};

/* One patient: what the insurers owe on the patient's charges, and what the patient owes. */
struct aging_patient {
	char id[AGING_ID_SIZE];
	char name[AGING_NAME_SIZE]; /* "(patient not read)" when the Patient did not come */
	char birth[BILL_DAY_SIZE];
	bool insured; /* an active Coverage: the charges go to the insurer, as the ledger does */
	struct aging_sums insurer, patient;
};

/* A claim line the payer denied, as its newest answer to the line says. */
struct aging_denial {
	char day[BILL_DAY_SIZE];  /* the date of service */
	char claim[AGING_ID_SIZE];
	char patient[AGING_ID_SIZE];
	char name[AGING_NAME_SIZE];
	char birth[BILL_DAY_SIZE];
	char payer[AGING_NAME_SIZE];
	long sequence;              /* the claim line */
	char code[BILL_CODE_SIZE];  /* the code billed on it, "" when the claim was not read */
	bool has_amount;
	struct money amount;        /* what was charged: submitted, else the claim line's net */
	char reasons[64];           /* "CO-50", "CO-50 PR-1" */
	char answered[BILL_DAY_SIZE]; /* the answer's payment date or created */
};

struct aging_report {
	char today[BILL_DAY_SIZE];
	struct aging_sums insurer, patient; /* the clinic */
	struct aging_payer *payers;         /* by name; the unclaimed row, if any, last */
	size_t npayers;
	struct aging_patient *patients;     /* patients with a balance, by name */
	size_t npatients;
	struct aging_denial *denials;       /* oldest service first */
	size_t ndenials;
	size_t ncharges, nremits, npayments, nclaims; /* what went into it */
	bool cut;                     /* the server held more than was read: said on screen */
	struct bill_problems skipped; /* resources left out, each with its sentence */
	cJSON *patient_resources;     /* the Patients read (an array, owned): to open a ledger */
};

/*
 * One batch: every ChargeItem with its Patient (_include), the ClaimResponses, the
 * patients' PaymentNotices, the professional Claims with their insurers (_include), and
 * the active Coverages (who is insured), each with _elements and _count bounds. The
 * caller frees it.
 */
cJSON *aging_batch(const struct fhir_client *fc);
/*
 * Its answer into OUT (zeroed first; free with aging_report_clear). Each balance is put
 * in the bucket of its date of service: a charge's day; an insurer's answer to a claim
 * line (paid, written off, moved to the patient) that line's servicedDate, else the
 * claim's billablePeriod, else its charge's day. A patient's payments are applied to the
 * patient's oldest balance first. The totals of each patient equal what the ledger
 * (bill_ledger_result) shows for the patient. Linear: resources are joined through
 * sorted indexes. 0, or -1 with *CAUSE when a list could not be read.
 */
int aging_result(
    const cJSON *response, const struct date *today, struct aging_report *out, char **cause);
void aging_report_clear(struct aging_report *r);
/* The Patient of ID among those read, borrowed, or NULL. */
const cJSON *aging_patient_resource(const struct aging_report *r, const char *id);

/* --- a patient's statement ---------------------------------------------------------------- */

#define STATEMENT_WIDTH 80

struct statement_totals {
	struct money charges;      /* every service billed */
	struct money insurer_paid; /* what the insurers paid */
	struct money adjusted;     /* what they wrote off (CO, OA, PI; a reversal below zero) */
	struct money patient_paid; /* the patient's payments */
	struct money insurance_pending, patient_owes; /* as the ledger ends */
};
/*
 * The totals of ledger L, summed again from its entries; 0, or -1 with *CAUSE (an
 * overflow, a currency mixed, or sums that do not come to the ledger's balances).
 */
int statement_totals(const struct bill_ledger *l, struct statement_totals *out, char **cause);
/*
 * The statement of the patient whose ledger R is, as lines of printable ASCII of at most
 * STATEMENT_WIDTH columns: who from (CLINIC, may be NULL), to whom, the date (TODAY),
 * each charge, insurer payment, adjustment and payment, the totals, and the amount due
 * (or a credit). Every server string is cut to its column. Returns how many lines are in
 * *OUT (each owned; free with bill_print_free), 0 with *CAUSE when the totals do not add.
 */
size_t statement_text(const struct bill_ledger_read *r, const char *clinic,
    const struct date *today, char ***out, char **cause);

#endif
