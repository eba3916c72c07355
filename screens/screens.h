/* The registry of every screen: main hands it to the application loop. */
#ifndef EHRTERM_SCREENS_SCREENS_H
#define EHRTERM_SCREENS_SCREENS_H

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
 * The argument that opens the patient finder to choose a patient for the screen
 * below: Enter makes the patient current and goes back, instead of opening it.
 */
extern const char screens_pick_patient[];

/* Every screen, NULL-terminated. */
extern const struct screen_ops *const screens_all[];

/* The name of the screen that serves a fhir_modules[] entry ("patients" → "patients"). */
const char *screens_for_module(const char *module);

#endif
