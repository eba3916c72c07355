/* What the billing screens share: the fee schedule, read once a session; Esc on a form. */
#ifndef EHRTERM_SCREENS_BILLING_BILLING_PRIVATE_H
#define EHRTERM_SCREENS_BILLING_BILLING_PRIVATE_H

#include "app/app.h"
#include "fhir/billing.h"
#include "ui/dialog.h"

/*
 * The fee schedule as last read this session, borrowed, or NULL before the first
 * answer. The first billing screen that needs it asks (billing_fees_load); later
 * screens share that answer.
 */
const struct bill_fees *billing_fees(void);
/* Why the last read failed, or NULL. */
const char *billing_fees_failed(void);
/*
 * Read the fee schedule for STATE's screen, or when it is held (and not AGAIN) ask the
 * server whether it changed since and read it again only then; DONE runs when it is
 * current, as an app_request callback of that screen would.
 */
void billing_fees_load(struct app *app, void *state, bool again, void (*done)(struct app *, void *));

struct patient_opened;
struct bill_patient_payment;
/*
 * Told by the payment form, before it leaves and while OPENER is below it, that PAY is
 * recorded; GOT is the payment as the server's answer holds it, or NULL when the answer
 * does not (then the opener reads it).
 */
typedef void (*billing_payment_fn)(struct app *app, void *opener, const struct bill_payment *pay,
    const struct bill_patient_payment *got);
/* A payment by the patient OPENED (copied): amount, kind, method, reference; one save. */
int billing_open_payment(struct app *app, const struct patient_opened *opened, billing_payment_fn taken,
    void *opener);

/*
 * Esc on a billing form: with UNSAVED work, the first Esc says so (*WARNED set) and stays;
 * a second leaves. Returns APP_LEAVE or APP_REDRAW. The form clears *WARNED when typed in.
 */
int billing_back_unsaved(struct app *app, bool unsaved, bool *warned);

/*
 * A billing form's changed hook around its yes/no question (DIALOG, *ASKING while it is
 * up): a key typed into the form clears *WARNED; an answer ends *ASKING, and a no says NO
 * ("Not posted; the form is kept"). True when the question was just answered yes.
 */
bool billing_answered_yes(struct app *app, const struct ui_dialog *dialog, bool *asking,
    bool *warned, const char *no);

#endif
