/* Patient banner: the row on every patient screen saying who this is and if they have allergies. */
#ifndef EHRTERM_UI_BANNER_H
#define EHRTERM_UI_BANNER_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include <curses.h>

#include "util/date.h"

/*
 * What is known of the patient's allergies. UNCHECKED is not NOT_RECORDED:
 * a list that did not load must not read as a chart without allergies.
 */
enum ui_allergy {
	UI_ALLERGY_UNCHECKED,    /* not asked yet, or the request failed: "allergies not loaded" */
	UI_ALLERGY_NOT_RECORDED, /* the server has nothing either way: "allergies not recorded" */
	UI_ALLERGY_NONE_KNOWN,   /* a no-known-allergy entry: "NKA" */
	UI_ALLERGY_ACTIVE,       /* one or more active allergies: "ALLERGIES" */
};

/*
 * The banner's text for PATIENT (a FHIR Patient; anything else, NULL or
 * wrongly typed members read as absent) in at most WIDTH display columns
 * (0: no limit): "Quigley, Chad  73y M  MRN 8013 ... ALLERGIES", the allergy
 * flag at the right end when it fits. Parts go in order of importance when
 * the width is short: name and MRN, then the allergy flag, then age and sex.
 * Ages count to TODAY (NULL: the clock). Every part is passed through
 * safe_text (UTF8 as ui_utf8() says), so the result is inert on a terminal.
 * The caller frees it.
 */
char *ui_banner_text(
    const cJSON *patient, enum ui_allergy allergy, const struct date *today, int width, bool utf8);

/* The patient's name as the banner shows it ("Quigley, Chad"), made safe; the caller frees it. */
char *ui_banner_name(const cJSON *patient, bool utf8);

/* Draw the banner on row Y of WIN, COLS wide, in UI_BANNER, through ui_put. */
void ui_banner_draw(WINDOW *win, int y, int cols, const cJSON *patient, enum ui_allergy allergy,
    const struct date *today);

#endif
