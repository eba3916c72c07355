/* Patient banner: the row on every patient screen saying who this is and if they have allergies. */
#ifndef EHRTERM_UI_BANNER_H
#define EHRTERM_UI_BANNER_H

#include <stdbool.h>

#include <curses.h>

#include "fhir/patient.h"
#include "util/date.h"

/*
 * The banner's text for patient V (as fhir/patient.h read it) and ALLERGIES (NULL:
 * not loaded) in at most WIDTH display columns (0: no limit), one line:
 * "Quigley, Chad  DOB 1952-06-19 73y M  MRN 8013  [DECEASED 2008-01-08] ... ALLERGIES:
 * Shellfish; Penicillin (high)", the allergies at the right end, cut with an ellipsis
 * when long. Parts go in order of importance when the width is short: name, MRN and
 * DECEASED, then the allergies, then date of birth, age and sex. Ages count to TODAY
 * (NULL: the clock). Every part is passed through safe_text (UTF8 as ui_utf8() says),
 * so the result is inert on a terminal. The caller frees it.
 */
char *ui_banner_text(const struct patient_view *v, const struct patient_allergies *allergies,
    const struct date *today, int width, bool utf8);

/* The first line alone when the banner takes two: the patient without the allergies. */
char *ui_banner_identity(const struct patient_view *v, const struct date *today, int width, bool utf8);
/* The second line: the allergies (NULL: not loaded), cut with an ellipsis at WIDTH. */
char *ui_banner_allergies(const struct patient_allergies *allergies, int width, bool utf8);

/*
 * Draw the banner on row Y of WIN, COLS wide, in UI_BANNER, through ui_put: one
 * row when all of it fits, else two (the patient on Y, the allergies on Y + 1).
 * Every patient screen keeps row Y + 1 for it. Returns the rows drawn.
 */
int ui_banner_draw(WINDOW *win, int y, int cols, const struct patient_view *v,
    const struct patient_allergies *allergies, const struct date *today);

#endif
