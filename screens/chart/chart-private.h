/* What the charting module's screens share, and no one else. */
#ifndef EHRTERM_SCREENS_CHART_CHART_PRIVATE_H
#define EHRTERM_SCREENS_CHART_CHART_PRIVATE_H

#include <cjson/cJSON.h>

#include "app/app.h"
#include "fhir/chart.h"

/* What a pane's full list opens on: every member borrowed for the call, copied there. */
struct chart_list_arg {
	const char *id;
	enum chart_pane pane;
	const cJSON *patient;			     /* for the banner */
	const struct patient_allergies *allergies; /* the banner's */
};

/* Open PANE's full list of the patient ARG names. */
int chart_open_list(struct app *app, const struct chart_list_arg *arg);
/* Open the visits (Encounters) of the patient ARG names; ARG's pane is not used. */
int chart_open_visits(struct app *app, const struct chart_list_arg *arg);

#endif
