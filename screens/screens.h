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

extern const struct screen_ops chart_screen;
extern const struct screen_ops chart_list_screen;
extern const struct screen_ops chart_vitals_screen;
extern const struct screen_ops chart_allergy_screen;
extern const struct screen_ops chart_problem_screen;
extern const struct screen_ops chart_immunize_screen;
extern const struct screen_ops chart_meds_screen;
extern const struct screen_ops chart_note_screen;
extern const struct screen_ops chart_wrapup_screen;
extern const struct screen_ops chart_labs_screen;
extern const struct screen_ops chart_visits_screen;
extern const struct screen_ops billing_screen;
extern const struct screen_ops charges_screen;
extern const struct screen_ops posting_screen;
extern const struct screen_ops payment_screen;
extern const struct screen_ops ledger_screen;
extern const struct screen_ops claims_screen;
extern const struct screen_ops aging_screen;
extern const struct screen_ops denials_screen;

/* Every screen, NULL-terminated. */
extern const struct screen_ops *const screens_all[];
/* The modules' on_ready hooks (app_config), NULL-terminated. */
extern void (*const screens_ready[])(struct app *app);


#endif
