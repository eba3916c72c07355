/* The registry of every screen: main hands it to the application loop. */
#ifndef EHRTERM_SCREENS_SCREENS_H
#define EHRTERM_SCREENS_SCREENS_H

#include <cjson/cJSON.h>

#include "app/app.h"

extern const struct screen_ops home_screen;
extern const struct screen_ops help_screen;
extern const struct screen_ops patients_screen;
extern const struct screen_ops patient_screen;
extern const struct screen_ops patient_edit_screen;
extern const struct screen_ops coverage_screen;

extern const struct screen_ops schedule_screen;
extern const struct screen_ops book_screen;
extern const struct screen_ops flow_screen;
extern const struct screen_ops free_slots_screen;

/*
 * Open the patient finder to choose a patient for OPENER's screen: the patient chosen
 * is read (and its view audited), made the current patient, the finder leaves, and
 * PICKED(app, OPENER, patient) is called; PATIENT is borrowed for the call. Nothing is
 * called when the clerk goes back without choosing. 0, or -1 with a message shown.
 */
typedef void (*patients_picked_fn)(struct app *app, void *opener, const cJSON *patient);
struct patients_pick {
	patients_picked_fn picked;
	void *opener;
};
int patients_pick(struct app *app, void *opener, patients_picked_fn picked);

/* Every screen, NULL-terminated. */
extern const struct screen_ops *const screens_all[];


#endif
