/* The claim queue (professional Claims by status and date) and the CMS-1500 as text. */
#ifndef EHRTERM_FHIR_CLAIMS_H
#define EHRTERM_FHIR_CLAIMS_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "fhir/billing.h"
#include "fhir/fhir.h"

/* Claims read for one page of the queue; a server that ignores _count is cut here. */
#define CLAIMS_PAGE_MAX 200
/* Lines and diagnoses of one claim read for its details and its print. */
#define CLAIMS_LINES_MAX 50
#define CLAIMS_NAME_SIZE 96
#define CLAIMS_ID_SIZE 65

/* One row of the queue. Every string is the server's, cut: the screen sanitises on drawing. */
struct claim_row {
	char id[CLAIMS_ID_SIZE], patient_id[CLAIMS_ID_SIZE];
	char status[BILL_CODE_SIZE + 8]; /* Claim.status: draft, active, cancelled, entered-in-error */
	/* From its newest ClaimResponse: "queued", "paid", "denied", "partly paid",
	 * "error", or "" when the payer has not answered. */
	char outcome[BILL_CODE_SIZE];
	char created[BILL_DAY_SIZE];
	char name[CLAIMS_NAME_SIZE]; /* the Patient's, read from the Patient; "(patient not read)" */
	char birth[BILL_DAY_SIZE];
	char payer[CLAIMS_NAME_SIZE]; /* the insurer Organization's name, else its reference */
	bool has_total;
	struct money total;
};

struct claims_page {
	struct claim_row *v; /* in the server's order: newest created first */
	size_t n;
	size_t other; /* Claims on the page that are not professional: left out */
	bool cut;     /* the page held more than CLAIMS_PAGE_MAX */
};

/* The Claim elements a row of the queue reads (claims_page_read). */
#define CLAIMS_QUEUE_ELEMENTS "status,type,patient,created,insurer,total"
/*
 * Claim?use=claim&_sort=-created, CLAIMS_QUEUE_ELEMENTS only, with the Patients, the
 * insurers and the ClaimResponses answering them, COUNT a page. The caller frees it.
 */
struct fhir_search *claims_queue_search(size_t count);
/* The same, of the insurer PAYER ("Organization/ID") alone when it is not NULL. */
struct fhir_search *claims_queue_search_for(size_t count, const char *payer);
/*
 * One page of it into OUT (zeroed first): the professional Claims, each joined to its
 * Patient and insurer through a sorted index of the included resources (never a
 * reference's display), and to its newest ClaimResponse. Linear in the page, bounded.
 */
void claims_page_read(const cJSON *bundle, struct claims_page *out);
void claims_page_free(struct claims_page *p);

/* A row's list id, "CLAIM/PATIENT" (no FHIR id holds a '/'), and back. */
void claims_row_key(const struct claim_row *r, char *buf, size_t size);
bool claims_key_split(const char *key, char claim[CLAIMS_ID_SIZE], char patient[CLAIMS_ID_SIZE]);

/* --- one claim, read for its details and its print ----------------------------------- */

struct claim_line {
	char from[BILL_DAY_SIZE], to[BILL_DAY_SIZE];
	char pos[BILL_CODE_SIZE];
	char code[BILL_CODE_SIZE];
	char display[CLAIMS_NAME_SIZE];
	char modifiers[BILL_MODIFIERS_MAX][BILL_CODE_SIZE];
	size_t nmodifiers;
	long pointers[BILL_POINTERS_MAX]; /* diagnosis sequence numbers, 1..12 */
	size_t npointers;
	bool has_charge;
	struct money charge; /* net, else unit price times quantity */
	long long units;
	/* 24J: the NPI of the care team member the item names (careTeamSequence), else the
	 * claim's rendering provider's; "" when unknown. */
	char npi[16];
	/*
	 * The payer's newest answer to the line, as a biller works a denial from it:
	 * "denied CO-50 $3.05 on 2026-03-10", "paid $96.00 CO-45 $11.15 PR-2 $24.00 on ...";
	 * "" when the payer has not answered it.
	 */
	char answer[160];
};

struct claim_party {
	char name[CLAIMS_NAME_SIZE];
	char degree[16]; /* a Practitioner's first qualification (MD, NP), for box 31 */
	char line[CLAIMS_NAME_SIZE], city[48], state[16], zip[16], phone[32];
	char npi[16], tax_id[24];
};

/* What the details pane and the CMS-1500 show. Strings are the server's, cut. */
struct claim_full {
	struct claim_row row;
	char type[BILL_CODE_SIZE];
	char diagnoses[BILL_DIAGNOSES_MAX][BILL_CODE_SIZE]; /* by sequence, 1..12 */
	size_t ndiagnoses;
	struct claim_line lines[CLAIMS_LINES_MAX];
	size_t nlines;
	bool lines_cut;
	/* The patient (box 2, 3, 5) and the insured (1a, 4, 7, 11): the focal Coverage. */
	struct claim_party patient;
	char sex; /* 'M', 'F' or ' ' */
	char member[40], group[40], insured_name[CLAIMS_NAME_SIZE];
	char payer_kind[16]; /* box 1: "Medicare", "Medicaid", "Group", "Other" */
	struct claim_party billing; /* box 25, 33 */
	/* Box 31: the care team's primary member, else its first. */
	struct claim_party rendering;
	struct claim_party facility; /* box 32, 32a: the claim's facility Location */
};

/*
 * One batch: the Claim with its Patient, provider, care team, facility and insurer;
 * the patient's Coverages; the ClaimResponses answering it. The caller frees it.
 */
cJSON *claims_open_batch(
    const struct fhir_client *fc, const char *claim_id, const char *patient_id);
/* Its answer into OUT (zeroed first). 0, or -1 with *CAUSE (the caller frees it). */
int claims_open_result(const cJSON *response, const char *claim_id, const struct date *today,
    struct claim_full *out, char **cause);

/* --- the CMS-1500 (02/12) as text -------------------------------------------------------- */

#define CLAIM1500_WIDTH 80
#define CLAIM1500_LINES_PER_FORM 6

/*
 * The form's boxes in a fixed 80-column layout, one line of text each, for a printer:
 * only printable ASCII, every value cut to its box. A claim of more than six lines
 * takes more forms, one after another with a form feed between. Returns how many lines
 * were put in *OUT (each owned; free with bill_print_free).
 */
size_t claim1500_text(const struct claim_full *c, char ***out);

#endif
