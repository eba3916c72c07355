/* Charting, writing allergies: read the active list with versions; plan adds, "none known" and retirements. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fhir/allergy.h"
#include "fhir/patient.h"
#include "util/xmalloc.h"

#define CLINICAL "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
#define VERIFICATION "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
#define SNOMED "http://snomed.info/sct"

struct fhir_search *
allergy_active_search(const char *patient)
{
	struct fhir_search *s = fhir_search_new("AllergyIntolerance");
	char count[16];

	fhir_search_add(s, "patient", patient);
	fhir_search_add(s, "clinical-status", "active");
	snprintf(count, sizeof count, "%d", ALLERGY_ACTIVE_MAX);
	fhir_search_add(s, "_count", count);
	return s;
}

void
allergy_list_clear(struct allergy_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		cJSON_Delete(l->items[i].resource);
		free(l->items[i].version);
		free(l->items[i].substance);
		free(l->items[i].criticality);
	}
	free(l->items);
	memset(l, 0, sizeof *l);
}

static const char *
substance_of(const cJSON *code)
{
	const char *s = fhir_get_string(code, "text");
	const cJSON *c;

	if (s != NULL && *s != '\0')
		return s;
	cJSON_ArrayForEach(c, fhir_get_array(code, "coding"))
	{
		if ((s = fhir_get_string(c, "display")) != NULL && *s != '\0')
			return s;
	}
	s = fhir_first_code(code);
	return s != NULL ? s : "(unnamed allergy)";
}

int
allergy_list_read(const cJSON *searchset, const char *patient, struct allergy_list *out,
    char **cause)
{
	const cJSON *entry;

	memset(out, 0, sizeof *out);
	if (!cJSON_IsObject(searchset)) {
		*cause = xstrdup("the server's answer is not a list of allergies");
		return -1;
	}
	cJSON_ArrayForEach(entry, fhir_get_array(searchset, "entry"))
	{
		const cJSON *a = fhir_get_object(entry, "resource");
		const char *type = fhir_get_string(a, "resourceType"), *crit;
		const cJSON *clinical = fhir_get_object(a, "clinicalStatus");
		const cJSON *verification = fhir_get_object(a, "verificationStatus");
		struct allergy_entry *e;

		if (type == NULL || strcmp(type, "AllergyIntolerance") != 0)
			continue; /* an OperationOutcome beside the matches */
		if (!patient_refers_to(
			fhir_get_string(fhir_get_object(a, "patient"), "reference"), patient)) {
			allergy_list_clear(out);
			*cause = xstrdup("the answer holds another patient's allergy; nothing of it "
					 "is used");
			return -1;
		}
		if (fhir_has_code(verification, "entered-in-error") ||
		    fhir_has_code(verification, "refuted") ||
		    (clinical != NULL && !fhir_has_code(clinical, "active")))
			continue;
		if (out->n == ALLERGY_ACTIVE_MAX) {
			out->more++;
			continue;
		}
		if (out->items == NULL)
			out->items = xcalloc(ALLERGY_ACTIVE_MAX, sizeof *out->items);
		e = &out->items[out->n++];
		e->resource = cJSON_Duplicate(a, true);
		e->version = fhir_version_of(a) != NULL ? xstrdup(fhir_version_of(a)) : NULL;
		e->substance = xstrdup(substance_of(fhir_get_object(a, "code")));
		crit = fhir_get_string(a, "criticality");
		e->criticality = xstrdup(crit != NULL ? crit : "");
		e->no_known = patient_says_no_known_allergy(fhir_get_object(a, "code"));
	}
	return 0;
}

bool
allergy_list_has_request(const struct allergy_list *l, const char *request_id)
{
	for (size_t i = 0; i < l->n; i++)
		if (fhir_carries_request(l->items[i].resource, request_id))
			return true;
	return false;
}

size_t
allergy_list_real(const struct allergy_list *l)
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

/* A new AllergyIntolerance of PATIENT, active and confirmed, CODE taken. */
static cJSON *
new_allergy(const char *patient, cJSON *code, const char *recorded, const char *request_id)
{
	cJSON *a = cJSON_CreateObject(), *ref = cJSON_CreateObject();
	char *r = xasprintf("Patient/%s", patient);

	cJSON_AddStringToObject(a, "resourceType", "AllergyIntolerance");
	cJSON_AddItemToObject(a, "clinicalStatus", fhir_codeable(CLINICAL, "active", "Active"));
	cJSON_AddItemToObject(
	    a, "verificationStatus", fhir_codeable(VERIFICATION, "confirmed", "Confirmed"));
	cJSON_AddItemToObject(a, "code", code);
	cJSON_AddStringToObject(ref, "reference", r);
	cJSON_AddItemToObject(a, "patient", ref);
	if (!blank(recorded))
		cJSON_AddStringToObject(a, "recordedDate", recorded);
	fhir_add_request_id(a, request_id);
	free(r);
	return a;
}

/* Add the create of A, guarded by its request identifier, to P; -1 when P is full. */
static int
add_create(struct fhir_plan *p, const cJSON *a, const char *request_id)
{
	struct fhir_search *guard = fhir_request_search("AllergyIntolerance", request_id);
	int step = fhir_plan_create(p, a, guard);

	fhir_search_free(&guard);
	return step;
}

/* E changed as HOW says, added to P with If-Match; -1 when it cannot be. */
static int
add_retire(struct fhir_plan *p, const struct allergy_entry *e, enum allergy_retire how)
{
	cJSON *changed;
	int step;

	if (e->version == NULL || e->resource == NULL)
		return -1;
	changed = cJSON_Duplicate(e->resource, true);
	switch (how) {
	case ALLERGY_ENTERED_IN_ERROR:
		/* R4's ait-2: no clinicalStatus on an entry entered in error. */
		cJSON_DeleteItemFromObjectCaseSensitive(changed, "clinicalStatus");
		fhir_set_item(changed, "verificationStatus",
		    fhir_codeable(VERIFICATION, "entered-in-error", "Entered in Error"));
		break;
	case ALLERGY_RESOLVED:
		fhir_set_item(changed, "clinicalStatus", fhir_codeable(CLINICAL, "resolved", "Resolved"));
		break;
	default:
		fhir_set_item(changed, "clinicalStatus", fhir_codeable(CLINICAL, "inactive", "Inactive"));
		break;
	}
	step = fhir_plan_update(p, changed, e->version, e->resource);
	cJSON_Delete(changed);
	return step;
}

struct fhir_plan *
allergy_add_plan(const char *patient, const struct allergy_input *in,
    const struct allergy_list *active, const char *request_id, char **cause)
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
		if (!active->items[i].no_known && strcasecmp(active->items[i].substance, s) == 0) {
			*cause = xasprintf("%s is on the active list already", active->items[i].substance);
			return NULL;
		}
	code = cJSON_CreateObject();
	cJSON_AddStringToObject(code, "text", s);
	a = new_allergy(patient, code, in->recorded, request_id);
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
	if (add_create(p, a, request_id) < 0)
		goto full;
	/* "No known allergies" stops being true the moment one is known. */
	for (size_t i = 0; i < active->n; i++)
		if (active->items[i].no_known && add_retire(p, &active->items[i], ALLERGY_INACTIVE) < 0)
			goto full;
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
allergy_none_known_plan(const char *patient, const struct allergy_list *active,
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
	a = new_allergy(patient, fhir_codeable(SNOMED, "716186003", "No known allergy"), recorded,
	    request_id);
	p = fhir_plan_new();
	add_create(p, a, request_id);
	cJSON_Delete(a);
	return p;
}

struct fhir_plan *
allergy_retire_plan(const struct allergy_entry *e, enum allergy_retire how, char **cause)
{
	struct fhir_plan *p = fhir_plan_new();

	if (add_retire(p, e, how) < 0) {
		fhir_plan_free(&p);
		*cause = xasprintf("%s cannot be changed safely: the server gave no version of it",
		    e->substance != NULL ? e->substance : "the allergy");
		return NULL;
	}
	return p;
}
