/* The patients module: the typed ways into its screens, for home, ':' and other modules. */
#ifndef EHRTERM_SCREENS_PATIENTS_PATIENTS_H
#define EHRTERM_SCREENS_PATIENTS_PATIENTS_H

#include <cjson/cJSON.h>

#include "app/app.h"

struct patient_opened;

/* Each returns 0, or -1 with the reason shown (not connected, no current patient, ...). */

/* Find a patient; Enter opens the record. */
int patients_open_find(struct app *app);
/* Open the record of patient ID (copied). */
int patients_open_record(struct app *app, const char *id);
/* Register a new patient (the duplicate check first). */
int patients_open_register(struct app *app);

/*
 * The edit saved: PATIENT is the Patient as the server holds it now, at VERSION
 * (both borrowed for the call). Called while OPENER's screen is below the form.
 */
typedef void (*patients_saved_fn)(struct app *app, void *opener, const cJSON *patient,
    const char *version);
/*
 * Edit the patient OPENED (its Patient, version and allergies; copied). After every
 * save SAVED(app, OPENER, ...) is told what the server holds; NULL: nobody is told.
 */
int patients_open_edit(struct app *app, const struct patient_opened *opened,
    patients_saved_fn saved, void *opener);
/* The current patient's insurance. */
int patients_open_coverage(struct app *app);

/*
 * Open the patient finder to choose a patient for OPENER's screen: the patient chosen
 * is read (and its view audited), made the current patient, the finder leaves, and
 * PICKED(app, OPENER, patient) is called; PATIENT is borrowed for the call. Nothing is
 * called when the clerk goes back without choosing. 0, or -1 with a message shown.
 */
typedef void (*patients_picked_fn)(struct app *app, void *opener, const cJSON *patient);
int patients_pick(struct app *app, void *opener, patients_picked_fn picked);
/* The same, the prompt saying what the patient is chosen for: LABEL (static, at most 14 columns: "Chart of:"). */
int patients_pick_for(struct app *app, const char *label, void *opener, patients_picked_fn picked);
/*
 * The finder as a chooser only, for a screen that reads the patient in a batch of its own
 * (the chart's cover sheet) and audits and sets it itself: the finder reads nothing, leaves,
 * and CHOSEN(app, OPENER, id) is called with the row's id (borrowed for the call). One
 * round trip fewer than patients_pick_for.
 */
typedef void (*patients_chosen_fn)(struct app *app, void *opener, const char *id);
int patients_choose_for(struct app *app, const char *label, void *opener, patients_chosen_fn chosen);

#endif
