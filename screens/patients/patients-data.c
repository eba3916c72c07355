/* The patients module's data side: FHIR answers to list rows, and the batch that opens a patient. */
#include "config.h"

#include "screens/patients/patients.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// clang-format off
const struct ui_list_column patients_columns[COL_COUNT] = {
	[COL_NAME]  = { "Name", 0, 3 },
	[COL_SEX]   = { "Sex", 3, 0 },
	[COL_BORN]  = { "Born", 10, 0 },
	[COL_AGE]   = { "Age", 3, 0 },
	[COL_MRN]   = { "MRN", 0, 2 },
	[COL_PHONE] = { "Phone", 12, 0 },
};

/* SNOMED CT codes for "no known allergy" entries: they mean NKA, not an allergy. */
static const char *const no_known_allergy[] = {
	"716186003", /* No known allergy */
	"409137002", /* No known drug allergy */
	"428607008", /* No known environmental allergy */
	"429625007", /* No known food allergy */
};
// clang-format on

struct ui_list_page *
patients_page(const cJSON *bundle, const struct patient_query *q, const struct date *today,
    size_t *kept, size_t *seen)
{
	struct ui_list_page *pg = ui_list_page_new(COL_COUNT);
	const cJSON *entry;

	*kept = *seen = 0;
	cJSON_ArrayForEach(entry, fhir_get_array(bundle, "entry"))
	{
		const cJSON *p = fhir_get_object(entry, "resource");
		const char *type = fhir_get_string(p, "resourceType");
		struct patient_view v;
		char sex[2], age[12];
		const char *cells[COL_COUNT];
		int years;

		if (type == NULL || strcmp(type, "Patient") != 0)
			continue;
		(*seen)++;
		if (!patient_query_accepts(q, p))
			continue;
		patient_view_read(p, &v);
		years = patient_view_age(&v, today);
		sex[0] = v.sex;
		sex[1] = '\0';
		if (years >= 0)
			snprintf(age, sizeof age, "%d", years);
		else
			age[0] = '\0';
		cells[COL_NAME] = v.name;
		cells[COL_SEX] = sex;
		cells[COL_BORN] = v.birth_date;
		cells[COL_AGE] = age;
		cells[COL_MRN] = *v.mrn ? v.mrn : "-";
		cells[COL_PHONE] = v.phone;
		/* A Patient without a usable id cannot be opened: show it, but it leads nowhere. */
		ui_list_page_add(pg, fhir_valid_id(v.id) ? v.id : "", cells);
		(*kept)++;
		patient_view_clear(&v);
	}
	return pg;
}

cJSON *
patients_open_batch(const struct fhir_client *fc, const char *id)
{
	cJSON *bundle = cJSON_CreateObject(), *entries, *e, *req;
	struct fhir_search *s = fhir_search_new("AllergyIntolerance");
	char *url;

	cJSON_AddStringToObject(bundle, "resourceType", "Bundle");
	cJSON_AddStringToObject(bundle, "type", "batch");
	entries = cJSON_AddArrayToObject(bundle, "entry");

	/* The caller checked ID with fhir_valid_id: it is safe in a path as it is. */
	e = cJSON_CreateObject();
	req = cJSON_AddObjectToObject(e, "request");
	cJSON_AddStringToObject(req, "method", "GET");
	url = xasprintf("Patient/%s", id);
	cJSON_AddStringToObject(req, "url", url);
	free(url);
	cJSON_AddItemToArray(entries, e);

	/* Only what the banner needs; the chart asks for more when it opens. */
	fhir_search_add(s, "patient", id);
	fhir_search_add(s, "_elements", "code,clinicalStatus,verificationStatus");
	fhir_search_add(s, "_count", "50");
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	return bundle;
}

static bool
coded(const cJSON *concept, const char *code)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, fhir_get_array(concept, "coding"))
	{
		const char *v = fhir_get_string(c, "code");

		if (v != NULL && strcmp(v, code) == 0)
			return true;
	}
	return false;
}

bool
patients_refers_to(const char *reference, const char *id)
{
	size_t n, k = strlen("Patient/");

	if (reference == NULL || id == NULL)
		return false;
	n = strlen(reference);
	/* "Patient/ID", or an absolute URL ending in "/Patient/ID". */
	if (n < k + strlen(id))
		return false;
	reference += n - k - strlen(id);
	return strncmp(reference, "Patient/", k) == 0 && strcmp(reference + k, id) == 0 &&
	    (n == k + strlen(id) || reference[-1] == '/');
}

static enum ui_allergy
allergy_state(const cJSON *searchset, const char *id)
{
	const cJSON *entry;
	bool any = false, active = false;

	cJSON_ArrayForEach(entry, fhir_get_array(searchset, "entry"))
	{
		const cJSON *a = fhir_get_object(entry, "resource");
		const cJSON *clinical = fhir_get_object(a, "clinicalStatus");
		bool nka = false;

		/* Another patient's allergy in the answer: none of it can be trusted for this one. */
		if (!patients_refers_to(fhir_get_string(fhir_get_object(a, "patient"), "reference"), id))
			return UI_ALLERGY_UNCHECKED;

		if (coded(fhir_get_object(a, "verificationStatus"), "entered-in-error") ||
		    coded(fhir_get_object(a, "verificationStatus"), "refuted"))
			continue;
		/* No clinicalStatus means active, as the safe reading for a warning. */
		if (clinical != NULL && !coded(clinical, "active"))
			continue;
		for (size_t i = 0; i < sizeof no_known_allergy / sizeof no_known_allergy[0]; i++)
			nka = nka || coded(fhir_get_object(a, "code"), no_known_allergy[i]);
		any = true;
		active = active || !nka;
	}
	return active ? UI_ALLERGY_ACTIVE : any ? UI_ALLERGY_NONE_KNOWN : UI_ALLERGY_NOT_RECORDED;
}

int
patients_open_result(cJSON *response, const char *id, cJSON **patient, char **version,
    enum ui_allergy *allergy, char **cause)
{
	const cJSON *entries = fhir_get_array(response, "entry");
	cJSON *first = cJSON_GetArrayItem(entries, 0);
	const cJSON *second = cJSON_GetArrayItem(entries, 1);
	const char *status = fhir_get_string(fhir_get_object(first, "response"), "status");
	const char *type;

	*patient = NULL;
	*version = NULL;
	*allergy = UI_ALLERGY_UNCHECKED;
	if (status == NULL || strncmp(status, "200", 3) != 0) {
		char *said = fhir_outcome_sentence(
		    fhir_get_object(fhir_get_object(first, "response"), "outcome"));

		*cause = xasprintf("the patient could not be read (%s)%s%s", status ? status : "no answer",
		    said ? ": " : "", said ? said : "");
		free(said);
		return -1;
	}
	type = fhir_get_string(fhir_get_object(first, "resource"), "resourceType");
	if (type == NULL || strcmp(type, "Patient") != 0) {
		*cause = xstrdup("the server answered with something that is not a Patient");
		return -1;
	}
	{
		const char *got = fhir_get_string(fhir_get_object(first, "resource"), "id");

		/* Another patient's record shown under this one's name is the worst answer there is. */
		if (got == NULL || strcmp(got, id) != 0) {
			*cause = xasprintf("the server answered with another patient's record: not shown");
			return -1;
		}
	}
	*patient = cJSON_DetachItemFromObjectCaseSensitive(first, "resource");
	{
		const char *vid = fhir_get_string(fhir_get_object(*patient, "meta"), "versionId");

		*version = vid != NULL ? xstrdup(vid) : NULL;
	}
	status = fhir_get_string(fhir_get_object(second, "response"), "status");
	if (status != NULL && strncmp(status, "200", 3) == 0)
		*allergy = allergy_state(fhir_get_object(second, "resource"), id);
	return 0;
}
