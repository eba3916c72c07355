/*
 * Charting, writing immunizations: the vaccines a clinic gives, by CVX code (a public
 * CDC code set; the wording here is our own short form), and the plan that records one
 * given, with lot, site and route, as one guarded create.
 */
#ifndef EHRTERM_FHIR_IMMUNIZATION_H
#define EHRTERM_FHIR_IMMUNIZATION_H

#include <stddef.h>

#include "fhir/plan.h"

/* A choice on the form: what is stored, and what the clinician reads. */
struct immunization_choice {
	const char *code;    /* "140", "LA", "IM" */
	const char *display; /* "Influenza, seasonal, injectable, preservative free" */
};
/* The vaccines offered (CVX), the sites and the routes, in the order the form lists them. */
const struct immunization_choice *immunization_vaccines(size_t *n);
const struct immunization_choice *immunization_sites(size_t *n);
const struct immunization_choice *immunization_routes(size_t *n);

/* One given, as typed; strings borrowed. */
struct immunization_input {
	const char *cvx;   /* one of immunization_vaccines() */
	const char *given; /* occurrenceDateTime */
	const char *lot;   /* lotNumber, or NULL */
	const char *site;  /* v3 ActSite code: LA, RA, LT, RT, or NULL */
	const char *route; /* v3 RouteOfAdministration code: IM, SQ, ID, PO, NASINHLC, or NULL */
};

/*
 * Record IN for PATIENT (status completed, primarySource true), the create carrying
 * REQUEST_ID. NULL and *CAUSE for a vaccine not on the list or no date.
 */
struct fhir_plan *immunization_given_plan(const char *patient, const struct immunization_input *in,
    const char *request_id, char **cause);

#endif
