/* Charting, writing immunizations: the clinic's vaccines by CVX, and recording one given. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fhir/immunization.h"
#include "util/xmalloc.h"

#define CVX "http://hl7.org/fhir/sid/cvx"
#define ACT_SITE "http://terminology.hl7.org/CodeSystem/v3-ActSite"
#define ROUTE "http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration"

/* CVX codes from the CDC's public table; the names are our own short wording. */
static const struct immunization_choice vaccines[] = {
	{ "140", "Influenza, seasonal, injectable, preservative free" },
	{ "208", "COVID-19, mRNA, 30 mcg/0.3 mL" },
	{ "133", "Pneumococcal conjugate PCV 13" },
	{ "33", "Pneumococcal polysaccharide PPV23" },
	{ "115", "Tdap" },
	{ "113", "Td (adult), preservative free" },
	{ "187", "Zoster, recombinant" },
	{ "43", "Hepatitis B, adult" },
	{ "08", "Hepatitis B, pediatric or adolescent" },
	{ "83", "Hepatitis A, pediatric or adolescent, 2 dose" },
	{ "165", "HPV9" },
	{ "03", "MMR" },
	{ "21", "Varicella" },
	{ "20", "DTaP" },
	{ "10", "IPV" },
	{ "114", "Meningococcal MCV4P" },
};

static const struct immunization_choice sites[] = {
	{ "LA", "left arm" }, { "RA", "right arm" }, { "LT", "left thigh" }, { "RT", "right thigh" },
};
static const struct immunization_choice routes[] = {
	{ "IM", "Injection, intramuscular" }, { "SQ", "Injection, subcutaneous" },
	{ "ID", "Injection, intradermal" }, { "PO", "Swallow, oral" },
	{ "NASINHLC", "Inhalation, nasal" },
};

#define TABLE(fn, table)                                   \
	const struct immunization_choice *fn(size_t *n)    \
	{                                                  \
		*n = sizeof table / sizeof table[0];       \
		return table;                              \
	}
TABLE(immunization_vaccines, vaccines)
TABLE(immunization_sites, sites)
TABLE(immunization_routes, routes)

/* The display of CODE in the N entries of TABLE, or NULL when CODE is not there. */
static const char *
display_in(const struct immunization_choice *table, size_t n, const char *code)
{
	for (size_t i = 0; code != NULL && i < n; i++)
		if (strcmp(table[i].code, code) == 0)
			return table[i].display;
	return NULL;
}

struct fhir_plan *
immunization_given_plan(const char *patient, const struct immunization_input *in,
    const char *request_id, char **cause)
{
	const char *vaccine = display_in(vaccines, sizeof vaccines / sizeof vaccines[0], in->cvx);
	const char *site = display_in(sites, sizeof sites / sizeof sites[0], in->site);
	const char *route = display_in(routes, sizeof routes / sizeof routes[0], in->route);
	struct fhir_search *guard;
	struct fhir_plan *p;
	cJSON *imm, *ref;
	char *to;

	if (patient == NULL || *patient == '\0' || request_id == NULL || *request_id == '\0') {
		*cause = xstrdup("the immunization lacks the patient or a request identifier");
		return NULL;
	}
	if (vaccine == NULL) {
		*cause = xstrdup("choose the vaccine from the list");
		return NULL;
	}
	if (in->given == NULL || *in->given == '\0') {
		*cause = xstrdup("type the day it was given");
		return NULL;
	}
	if ((in->site != NULL && *in->site && site == NULL) ||
	    (in->route != NULL && *in->route && route == NULL)) {
		*cause = xstrdup("choose the site and the route from their lists");
		return NULL;
	}
	imm = cJSON_CreateObject();
	cJSON_AddStringToObject(imm, "resourceType", "Immunization");
	cJSON_AddStringToObject(imm, "status", "completed");
	cJSON_AddItemToObject(imm, "vaccineCode", fhir_codeable(CVX, in->cvx, vaccine));
	ref = cJSON_CreateObject();
	to = xasprintf("Patient/%s", patient);
	cJSON_AddStringToObject(ref, "reference", to);
	free(to);
	cJSON_AddItemToObject(imm, "patient", ref);
	cJSON_AddStringToObject(imm, "occurrenceDateTime", in->given);
	cJSON_AddBoolToObject(imm, "primarySource", true);
	if (in->lot != NULL && in->lot[strspn(in->lot, " ")] != '\0')
		cJSON_AddStringToObject(imm, "lotNumber", in->lot);
	if (site != NULL)
		cJSON_AddItemToObject(imm, "site", fhir_codeable(ACT_SITE, in->site, site));
	if (route != NULL)
		cJSON_AddItemToObject(imm, "route", fhir_codeable(ROUTE, in->route, route));
	fhir_add_request_id(imm, request_id);
	p = fhir_plan_new();
	guard = fhir_request_search("Immunization", request_id);
	if (fhir_plan_create(p, imm, guard) < 0)
		fhir_plan_free(&p);
	fhir_search_free(&guard);
	cJSON_Delete(imm);
	if (p == NULL)
		*cause = xstrdup("the immunization could not be planned");
	return p;
}
