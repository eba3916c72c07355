/*
 * Charting, writing vital signs: what the clinician types ("5'9\"", "154lb", "37C",
 * "120/80") read into UCUM quantities, shown in the clinic's units with the other in
 * brackets, checked for values that need a second look, and planned as one transaction
 * of US Core vital-signs Observations.
 */
#ifndef EHRTERM_FHIR_VITALS_H
#define EHRTERM_FHIR_VITALS_H

#include <stdbool.h>
#include <stddef.h>

#include "fhir/chart.h"
#include "fhir/plan.h"

/*
 * The signs a set can hold: the cover sheet's (enum chart_vital, the same order) and
 * head circumference, which is entered for children but is not one of the cover's
 * latest values.
 */
enum {
	VITAL_HEAD = CHART_VITAL_COUNT,
	VITAL_SIGNS,
};

/* The clinic's units: which one is shown first, and what a bare number means. */
enum vital_units {
	VITAL_UNITS_US,	    /* lb, ft/in, F */
	VITAL_UNITS_METRIC, /* kg, cm, C */
};

/* One entered sign: VALUE in UCUM unit UNIT (a static string), as typed; blood pressure in two. */
struct vital_entry {
	bool set;
	double value;	  /* systolic for blood pressure */
	const char *unit; /* "[lb_av]", "cm", "Cel", "mm[Hg]", "/min", "%", "kg/m2" */
	double diastolic;
};

/* A set taken together, as one transaction. Strings are borrowed. */
struct vitals_set {
	const char *patient;   /* the Patient's id */
	const char *encounter; /* the Encounter's id, or NULL */
	const char *when;      /* effectiveDateTime, e.g. "2026-12-02T09:30:00-05:00" */
	struct vital_entry sign[VITAL_SIGNS];
};

/* The sign's label on the entry form ("Height", "Head circ."). */
const char *vital_label(int sign);
/* What the form's field for SIGN takes, as a hint ("5'9\", 175cm; bare = lb"). */
const char *vital_hint(int sign, enum vital_units units);

/*
 * Read TEXT (what was typed for SIGN) into OUT. A bare number is in the clinic's
 * UNITS where the sign has more than one. Blank text clears OUT and is not an error.
 * Refuses what cannot be a measurement (no number, a negative, an unknown unit, SpO2
 * over 100 %, a diastolic pressure missing): returns -1 and *CAUSE, a sentence that
 * says what to type.
 */
int vital_parse(int sign, const char *text, enum vital_units units, struct vital_entry *out,
    char **cause);

/*
 * E for display in the clinic's units, the other in brackets: "154 lb [69.9 kg]",
 * "5' 9\" [175.3 cm]", "98.6 F [37.0 C]", "120/80 mmHg". Rounded for display only.
 */
void vital_show(int sign, const struct vital_entry *e, enum vital_units units, char *out,
    size_t size);

/* E's value in the sign's metric unit (cm, kg, Cel); the value itself for the others. */
double vital_metric(int sign, const struct vital_entry *e);

/*
 * BMI from the set's height and weight when both are entered, rounded to one decimal,
 * into OUT (kg/m2). False, OUT untouched, when either is missing.
 */
bool vitals_bmi(const struct vitals_set *s, struct vital_entry *out);

/*
 * The set's values that need a second look before saving (a weight of 700 kg, a
 * systolic pressure below the diastolic): one owned sentence each in DOUBTS (up to MAX);
 * returns how many.
 */
size_t vitals_doubts(const struct vitals_set *s, char **doubts, size_t max);

/*
 * The save: one Observation a sign entered (and BMI, computed, when the set has height
 * and weight but no BMI), each with the current US Core code, category vital-signs,
 * the patient, the encounter and the time, and the request identifier
 * "REQUEST_ID.<sign>" that makes a retried save find what the first one wrote.
 * NULL and *CAUSE when the set is empty or lacks the patient, the time or the id.
 */
struct fhir_plan *vitals_plan(const struct vitals_set *s, const char *request_id, char **cause);

#endif
