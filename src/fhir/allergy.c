/* Charting, writing allergies: plan an add (retiring "no known allergies") and "no known allergies". */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fhir/allergy.h"
#include "util/xmalloc.h"

#define CLINICAL "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
#define SNOMED "http://snomed.info/sct"

int
allergy_rank(const char *criticality)
{
	return criticality != NULL && strcmp(criticality, "high") == 0 ? 0 : 1;
}

void
allergy_order(void *base, size_t n, size_t size, const char *(*criticality)(const void *))
{
	unsigned char *items = base, *sorted;
	size_t k = 0;

	if (n < 2)
		return;
	sorted = xreallocarray(NULL, n, size);
	for (int rank = 0; rank <= 1; rank++)
		for (size_t i = 0; i < n; i++)
			if (allergy_rank(criticality(items + i * size)) == rank)
				memcpy(sorted + k++ * size, items + i * size, size);
	memcpy(items, sorted, n * size);
	free(sorted);
}

size_t
allergy_list_real(const struct record_list *l)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += !l->items[i].no_known;
	return n + l->more;
}

static bool
blank(const char *s)
{
	return s == NULL || s[strspn(s, " ")] == '\0';
}

struct fhir_plan *
allergy_add_plan(const char *patient, const struct allergy_input *in,
    const struct record_list *active, const char *request_id, char **cause)
{
	struct fhir_plan *p;
	cJSON *a, *code;
	const char *s;

	if (blank(patient) || blank(request_id)) {
		*cause = xstrdup("the allergy lacks the patient or a request identifier");
		return NULL;
	}
	if (blank(in->substance)) {
		*cause = xstrdup("type the substance the patient reacts to");
		return NULL;
	}
	s = in->substance + strspn(in->substance, " ");
	for (size_t i = 0; i < active->n; i++)
		if (!active->items[i].no_known && strcasecmp(active->items[i].what, s) == 0) {
			*cause = xasprintf("%s is on the active list already", active->items[i].what);
			return NULL;
		}
	code = cJSON_CreateObject();
	cJSON_AddStringToObject(code, "text", s);
	a = record_new(RECORD_ALLERGY, patient, request_id);
	cJSON_AddItemToObject(a, "code", code);
	if (!blank(in->recorded))
		cJSON_AddStringToObject(a, "recordedDate", in->recorded);
	cJSON_AddStringToObject(a, "type", "allergy");
	if (!blank(in->category))
		cJSON_AddItemToArray(cJSON_AddArrayToObject(a, "category"),
		    cJSON_CreateString(in->category));
	if (!blank(in->criticality))
		cJSON_AddStringToObject(a, "criticality", in->criticality);
	if (!blank(in->reaction)) {
		cJSON *reaction = cJSON_CreateObject(), *manifestation = cJSON_CreateObject();

		cJSON_AddStringToObject(manifestation, "text", in->reaction);
		cJSON_AddItemToArray(cJSON_AddArrayToObject(reaction, "manifestation"), manifestation);
		cJSON_AddItemToArray(cJSON_AddArrayToObject(a, "reaction"), reaction);
	}
	p = fhir_plan_new();
	if (record_plan_create(p, RECORD_ALLERGY, a, request_id) < 0)
		goto full;
	/* "No known allergies" stops being true the moment one is known. */
	for (size_t i = 0; i < active->n; i++) {
		const struct record_entry *e = &active->items[i];
		cJSON *retired;
		int step;

		if (!e->no_known)
			continue;
		if (e->version == NULL)
			goto full;
		retired = cJSON_Duplicate(e->resource, true);
		fhir_set_item(retired, "clinicalStatus", fhir_codeable(CLINICAL, "inactive", "Inactive"));
		step = fhir_plan_update(p, retired, e->version, e->resource);
		cJSON_Delete(retired);
		if (step < 0)
			goto full;
	}
	cJSON_Delete(a);
	return p;
full:
	cJSON_Delete(a);
	fhir_plan_free(&p);
	*cause = xstrdup("the \"no known allergies\" entries cannot be retired with it: read "
			 "the list again");
	return NULL;
}

struct fhir_plan *
allergy_none_known_plan(const char *patient, const struct record_list *active,
    const char *recorded, const char *request_id, char **cause)
{
	struct fhir_plan *p;
	cJSON *a;
	size_t real = allergy_list_real(active);

	if (blank(patient) || blank(request_id)) {
		*cause = xstrdup("the entry lacks the patient or a request identifier");
		return NULL;
	}
	if (real > 0) {
		*cause = xasprintf("%zu allerg%s active: take %s off the list first", real,
		    real == 1 ? "y is" : "ies are", real == 1 ? "it" : "them");
		return NULL;
	}
	for (size_t i = 0; i < active->n; i++)
		if (active->items[i].no_known) {
			*cause = xstrdup("\"no known allergies\" is recorded already");
			return NULL;
		}
	a = record_new(RECORD_ALLERGY, patient, request_id);
	cJSON_AddItemToObject(a, "code", fhir_codeable(SNOMED, "716186003", "No known allergy"));
	if (!blank(recorded))
		cJSON_AddStringToObject(a, "recordedDate", recorded);
	p = fhir_plan_new();
	record_plan_create(p, RECORD_ALLERGY, a, request_id);
	cJSON_Delete(a);
	return p;
}
