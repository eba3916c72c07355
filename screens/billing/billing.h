/* The billing module: the typed ways into its screens, for home, ':' and other modules. */
#ifndef EHRTERM_SCREENS_BILLING_BILLING_H
#define EHRTERM_SCREENS_BILLING_BILLING_H

#include "app/app.h"

/* Each returns 0, or -1 with the reason shown (not connected, no current patient, ...). */

/* The current patient's visits, to choose the one to charge. */
int billing_open(struct app *app);
struct bill_encounter;
/* Charge capture and the claim for visit ENCOUNTER (copied) of the current patient. */
int billing_open_charges(struct app *app, const struct bill_encounter *encounter);
/* Posting a payer's payment (a paper EOB) to the newest claim of visit ENCOUNTER (copied). */
int billing_open_posting(struct app *app, const struct bill_encounter *encounter);
/* The current patient's ledger: charges, the payers' answers, payments, two balances. */
int billing_open_ledger(struct app *app);
/* The claim queue: every professional claim by status and date; its CMS-1500 printed. */
int billing_open_claims(struct app *app);
/*
 * The claim queue of PAYER ("Organization/ID") alone, named PAYER_NAME (NULL: its
 * reference), or NULL for every payer; with CLAIM_ID (of PATIENT_ID) its details read and
 * shown at once. The strings are copied.
 */
int billing_open_claims_for(struct app *app, const char *payer, const char *payer_name,
    const char *claim_id, const char *patient_id);
/* The clinic's aging: insurers' and patients' balances by days since the date of service. */
int billing_open_aging(struct app *app);
/* The denial work list: denied claim lines, oldest service first. */
int billing_open_denials(struct app *app);

#endif
