/* Charting, writing lists: active entries with versions, and taking one off, for allergies, problems and medications alike. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/allergy.h"
#include "fhir/chart.h"
#include "fhir/medication.h"
#include "fhir/patient.h"
#include "fhir/record.h"
#include "util/xmalloc.h"

#define ICD10CM "http://hl7.org/fhir/sid/icd-10-cm"
#define SNOMED "http://snomed.info/sct"
#define PROBLEM_CATEGORY "http://terminology.hl7.org/CodeSystem/condition-category"

/* What differs between the kinds: the type, where the patient is, the status code systems. */
static const struct {
	const char *type, *patient, *clinical, *verification;
} kinds[] = {
	[RECORD_ALLERGY] = { "AllergyIntolerance", "patient",
	    "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
	    "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification" },
	[RECORD_PROBLEM] = { "Condition", "subject",
	    "http://terminology.hl7.org/CodeSystem/condition-clinical",
	    "http://terminology.hl7.org/CodeSystem/condition-ver-status" },
	/* An order's state is its status (active, on-hold, stopped...), not a clinical status. */
	[RECORD_MEDICATION] = { "MedicationRequest", "subject", NULL, NULL },
};

static const char *const retire_names[] = {
	[RECORD_INACTIVE] = "no longer active",
	[RECORD_RESOLVED] = "resolved",
	[RECORD_ENTERED_IN_ERROR] = "entered in error",
};

const char *
record_type(enum record_kind kind)
{
	return kinds[kind].type;
}

const char *
record_retire_name(enum record_retire how)
{
	return how <= RECORD_ENTERED_IN_ERROR ? retire_names[how] : "";
}

struct fhir_search *
record_active_search(enum record_kind kind, const char *patient)
{
	struct fhir_search *s = fhir_search_new(kinds[kind].type);
	char count[16];

	fhir_search_add(s, kinds[kind].patient, patient);
	if (kind == RECORD_PROBLEM)
		fhir_search_add(s, "category", "problem-list-item");
	if (kind == RECORD_MEDICATION) {
		fhir_search_add(s, "status", "active,on-hold");
		fhir_search_add(s, "intent", "order,plan");
		/* A Medication referred to, not contained, names the order: read with it. */
		fhir_search_add(s, "_include", "MedicationRequest:medication");
	} else {
		fhir_search_add(s, "clinical-status", "active");
	}
	snprintf(count, sizeof count, "%d", RECORD_ACTIVE_MAX);
	fhir_search_add(s, "_count", count);
	return s;
}

void
record_list_clear(struct record_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		cJSON_Delete(l->items[i].resource);
		free(l->items[i].version);
		free(l->items[i].what);
		free(l->items[i].detail);
		free(l->items[i].code);
		free(l->items[i].when);
	}
	free(l->items);
	memset(l, 0, sizeof *l);
}

/* What the chart calls CODE: its text, else the first coding's display, else a code. */
static const char *
named(const cJSON *code, const char *unnamed)
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
	return s != NULL ? s : unnamed;
}

static bool
is_problem_list_item(const cJSON *condition)
{
	const cJSON *cat;

	cJSON_ArrayForEach(cat, fhir_get_array(condition, "category"))
	{
		if (fhir_has_code(cat, "problem-list-item"))
			return true;
	}
	return false;
}

static bool
is_one_of(const char *s, const char *const *words)
{
	for (; s != NULL && *words != NULL; words++)
		if (strcmp(s, *words) == 0)
			return true;
	return false;
}

/* An order still on the patient's list, whatever a lenient server made of the search. */
static bool
is_active_order(const cJSON *r)
{
	static const char *const statuses[] = { "active", "on-hold", NULL };
	static const char *const intents[] = { "order", "plan", NULL };

	return is_one_of(fhir_get_string(r, "status"), statuses) &&
	       is_one_of(fhir_get_string(r, "intent"), intents);
}

static void
read_entry(enum record_kind kind, const cJSON *r, const struct medication_index *ix,
    struct record_entry *e)
{
	const cJSON *code = fhir_get_object(r, "code");
	const char *crit, *icd, *sct, *s;

	e->resource = cJSON_Duplicate(r, true);
	e->version = fhir_version_of(r) != NULL ? xstrdup(fhir_version_of(r)) : NULL;
	e->when = xstrdup("");
	if (kind == RECORD_ALLERGY) {
		e->what = xstrdup(named(code, "(unnamed allergy)"));
		crit = fhir_get_string(r, "criticality");
		e->detail = xstrdup(crit != NULL ? crit : "");
		/* An allergy to a drug coded in RxNorm matches the orders of that code. */
		s = fhir_code_in(code, MEDICATION_RXNORM);
		e->code = xstrdup(s != NULL ? s : "");
		e->no_known = patient_says_no_known_allergy(code);
		return;
	}
	if (kind == RECORD_MEDICATION) {
		const char *rxnorm = NULL, *name = medication_name(r, ix, &rxnorm);

		e->what = xstrdup(name != NULL ? name : "(unnamed medication)");
		e->detail = chart_medication_sig(r);
		e->code = xstrdup(rxnorm != NULL ? rxnorm : "");
		s = fhir_get_string(r, "authoredOn");
		free(e->when);
		e->when = xstrndup(s != NULL ? s : "", s != NULL ? strcspn(s, "T") : 0);
		e->on_hold = strcmp(fhir_get_string(r, "status"), "on-hold") == 0;
		return;
	}
	e->what = xstrdup(named(code, "(unnamed problem)"));
	icd = fhir_code_in(code, ICD10CM);
	sct = fhir_code_in(code, SNOMED);
	e->code = xstrdup(icd != NULL ? icd : sct != NULL ? sct : "");
	e->detail = icd != NULL ? xasprintf("ICD-10-CM %s", icd)
		    : sct != NULL ? xasprintf("SNOMED %s", sct)
				  : xstrdup("uncoded");
}

/* An allergy entry's criticality, for allergy_order. */
static const char *
entry_criticality(const void *e)
{
	return ((const struct record_entry *)e)->detail;
}

int
record_list_read(enum record_kind kind, const cJSON *searchset, const char *patient,
    struct record_list *out, char **cause)
{
	struct medication_index ix = { 0 };
	const cJSON *entry;

	memset(out, 0, sizeof *out);
	if (!cJSON_IsObject(searchset)) {
		*cause = xstrdup("the server's answer is not a list");
		return -1;
	}
	if (kind == RECORD_MEDICATION)
		medication_index_build(searchset, &ix);
	cJSON_ArrayForEach(entry, fhir_get_array(searchset, "entry"))
	{
		const cJSON *r = fhir_get_object(entry, "resource");
		const char *type = fhir_get_string(r, "resourceType");
		const cJSON *clinical = fhir_get_object(r, "clinicalStatus");
		const cJSON *verification = fhir_get_object(r, "verificationStatus");

		if (type == NULL || strcmp(type, kinds[kind].type) != 0)
			continue; /* an OperationOutcome beside the matches */
		if (!patient_refers_to(fhir_get_string(fhir_get_object(r, kinds[kind].patient),
					   "reference"), patient)) {
			record_list_clear(out);
			medication_index_free(&ix);
			*cause = xstrdup("the answer holds another patient's entry; nothing of it "
					 "is used");
			return -1;
		}
		/* A lenient server may ignore a parameter: what is not asked for is left out. */
		if (kind == RECORD_MEDICATION ? !is_active_order(r)
		    : fhir_has_code(verification, "entered-in-error") ||
			fhir_has_code(verification, "refuted") ||
			(clinical != NULL && !fhir_has_code(clinical, "active")) ||
			(kind == RECORD_PROBLEM && !is_problem_list_item(r)))
			continue;
		if (out->n == RECORD_ACTIVE_MAX) {
			out->more++;
			continue;
		}
		if (out->items == NULL)
			out->items = xcalloc(RECORD_ACTIVE_MAX, sizeof *out->items);
		read_entry(kind, r, &ix, &out->items[out->n++]);
	}
	medication_index_free(&ix);
	if (kind == RECORD_ALLERGY)
		allergy_order(out->items, out->n, sizeof *out->items, entry_criticality);
	return 0;
}

bool
record_list_has_request(const struct record_list *l, const char *request_id)
{
	for (size_t i = 0; i < l->n; i++)
		if (fhir_carries_request(l->items[i].resource, request_id))
			return true;
	return false;
}

/* True, with *CAUSE, when E cannot be changed safely: no version to match. */
static bool
unversioned(const struct record_entry *e, char **cause)
{
	if (e->version != NULL && e->resource != NULL)
		return false;
	*cause = xasprintf("%s cannot be changed safely: the server gave no version of it",
	    e->what != NULL ? e->what : "the entry");
	return true;
}

int
record_plan_update(struct fhir_plan *p, const struct record_entry *e, const cJSON *changed,
    char **cause)
{
	int step;

	if (unversioned(e, cause))
		return -1;
	if ((step = fhir_plan_update(p, changed, e->version, e->resource)) < 0)
		*cause = xstrdup("the change could not be planned");
	return step;
}

struct fhir_plan *
record_retire_plan(enum record_kind kind, const struct record_entry *e, enum record_retire how,
    const char *today, char **cause)
{
	cJSON *changed;

	if (kind == RECORD_MEDICATION) {
		*cause = xstrdup("a medication is stopped, with a reason");
		return NULL;
	}
	if (unversioned(e, cause))
		return NULL;
	changed = cJSON_Duplicate(e->resource, true);
	switch (how) {
	case RECORD_ENTERED_IN_ERROR:
		/* R4's ait-2 and con-5: no clinicalStatus on an entry entered in error. */
		cJSON_DeleteItemFromObjectCaseSensitive(changed, "clinicalStatus");
		fhir_set_item(changed, "verificationStatus",
		    fhir_codeable(kinds[kind].verification, "entered-in-error", "Entered in Error"));
		break;
	case RECORD_RESOLVED:
		fhir_set_item(changed, "clinicalStatus",
		    fhir_codeable(kinds[kind].clinical, "resolved", "Resolved"));
		if (kind == RECORD_PROBLEM && today != NULL && *today != '\0')
			fhir_set_string(changed, "abatementDateTime", today);
		break;
	default:
		fhir_set_item(changed, "clinicalStatus",
		    fhir_codeable(kinds[kind].clinical, "inactive", "Inactive"));
		break;
	}
	return record_change_plan(e, changed, cause);
}

struct fhir_plan *
record_change_plan(const struct record_entry *e, cJSON *changed, char **cause)
{
	struct fhir_plan *p = fhir_plan_new();

	if (record_plan_update(p, e, changed, cause) < 0)
		fhir_plan_free(&p);
	cJSON_Delete(changed);
	return p;
}

cJSON *
record_new(enum record_kind kind, const char *patient, const char *request_id)
{
	cJSON *r = cJSON_CreateObject(), *ref = cJSON_CreateObject();
	char *to = xasprintf("Patient/%s", patient);

	cJSON_AddStringToObject(r, "resourceType", kinds[kind].type);
	if (kinds[kind].clinical != NULL) {
		cJSON_AddItemToObject(r, "clinicalStatus",
		    fhir_codeable(kinds[kind].clinical, "active", "Active"));
		cJSON_AddItemToObject(r, "verificationStatus",
		    fhir_codeable(kinds[kind].verification, "confirmed", "Confirmed"));
	}
	if (kind == RECORD_PROBLEM)
		cJSON_AddItemToArray(cJSON_AddArrayToObject(r, "category"),
		    fhir_codeable(PROBLEM_CATEGORY, "problem-list-item", "Problem List Item"));
	cJSON_AddStringToObject(ref, "reference", to);
	cJSON_AddItemToObject(r, kinds[kind].patient, ref);
	fhir_add_request_id(r, request_id);
	free(to);
	return r;
}

int
record_plan_create(struct fhir_plan *p, enum record_kind kind, const cJSON *r,
    const char *request_id)
{
	struct fhir_search *guard = fhir_request_search(kinds[kind].type, request_id);
	int step = fhir_plan_create(p, r, guard);

	fhir_search_free(&guard);
	return step;
}
