/* The charting module: the typed ways into its screens, for home, ':' and other modules. */
#ifndef EHRTERM_SCREENS_CHART_CHART_H
#define EHRTERM_SCREENS_CHART_CHART_H

#include "app/app.h"

/* Each returns 0, or -1 with the reason shown (not connected, the server lacks charting, ...). */

/*
 * Open the cover sheet of patient ID (copied); NULL: of the current patient, and when
 * there is none the patient finder asks for one first.
 */
int charting_open_cover(struct app *app, const char *id);

#endif
