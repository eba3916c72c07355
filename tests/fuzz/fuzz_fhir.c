/* Fuzz target: a FHIR server's JSON, from fhir_parse through everything ehrterm reads out of it. */
#include "config.h"

#include <locale.h>
#include <stdlib.h>

#include "fhir/capability.h"
#include "fhir/coverage.h"
#include "fhir/encounter.h"
#include "fhir/schedule.h"
#include "fhir/fhir.h"
#include "fuzz.h"
#include "ui/banner.h"

/* The base the fuzzed Bundle's links are checked against, as the sandbox serves it. */
#define FUZZ_BASE "https://fhir.example.org/r4"

/* Nodes visited per input: a big Bundle still takes little time. */
#define WALK_MAX 20000

static const struct date today = {2026, 3, 1};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* The banner measures text with wcwidth, which answers for the locale. */
	if (setlocale(LC_ALL, "C.UTF-8") == NULL && setlocale(LC_ALL, "en_US.UTF-8") == NULL) {
		fprintf(stderr, "fuzz-fhir: no UTF-8 locale (C.UTF-8) to test in\n");
		exit(1);
	}
	return 0;
}

/* Read every member of every object through the typed accessors, as the screens will. */
static void
walk(const cJSON *node, unsigned *budget)
{
	const cJSON *child;

	if (node == NULL || *budget == 0)
		return;
	(*budget)--;
	cJSON_ArrayForEach(child, node)
	{
		if (cJSON_IsObject(node) && child->string != NULL) {
			const char *s = fhir_get_string(node, child->string);
			const cJSON *a = fhir_get_array(node, child->string);
			const cJSON *o = fhir_get_object(node, child->string);

			/* Wrong types read as absent: at most one of the three answers. */
			FUZZ_CHECK((s != NULL) + (a != NULL) + (o != NULL) <= 1);
			if (s != NULL) {
				(void)fhir_valid_type(s);
				(void)fhir_valid_id(s);
			}
		}
		walk(child, budget);
	}
}

/*
 * banner.h: the banner is inert on a terminal and within its width, however short,
 * for the resource read as a Patient and as an AllergyIntolerance searchset.
 */
static void
banner(const cJSON *r)
{
	static const int widths[] = {0, 1, 2, 11, 12, 24, 40, 80};
	struct patient_view v;
	struct patient_allergies a;
	char *text;

	patient_view_read(r, &v);
	patient_allergies_read(r, "1", &a);
	for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
		for (int utf8 = 0; utf8 <= 1; utf8++) {
			text = ui_banner_text(&v, &a, &today, widths[i], utf8);
			fuzz_check_inert(text, (size_t)widths[i], utf8);
			free(text);
			text = ui_banner_identity(&v, &today, widths[i], utf8);
			fuzz_check_inert(text, (size_t)widths[i], utf8);
			free(text);
			text = ui_banner_allergies(&a, widths[i], utf8);
			fuzz_check_inert(text, (size_t)widths[i], utf8);
			free(text);
		}
	}
	patient_allergies_clear(&a);
	patient_view_clear(&v);
}

/*
 * fhir/patient.h and fhir/coverage.h: every reader of a batch-response or searchset
 * survives any Bundle, and what it keeps is what it promises.
 */
static void
readers(const cJSON *r)
{
	struct patient_allergies a;
	struct patient_view *found;
	struct patient_opened o;
	cJSON *copy = cJSON_Duplicate(r, true), *list, *saved[4];
	char *cause = NULL;
	size_t n, more;
	long total;
	int k;

	patient_allergies_read(r, "1", &a);
	FUZZ_CHECK(a.state == PATIENT_ALLERGY_LISTED ? a.n > 0 : a.n == 0);
	patient_allergies_clear(&a);
	if (patient_probe_read(r, "req", &found, &n, &more) == PATIENT_PROBE_CANDIDATES) {
		FUZZ_CHECK(n > 0 && n <= PATIENT_PROBE_MAX && (more == 0 || n == PATIENT_PROBE_MAX));
		for (size_t i = 0; i < n; i++)
			patient_view_clear(&found[i]);
		free(found);
	} else {
		FUZZ_CHECK(found == NULL && n == 0);
	}
	if (patient_open_result(copy, "1", &o, &cause) == 0) {
		FUZZ_CHECK(strcmp(o.view.id, "1") == 0);
		patient_opened_clear(&o);
	} else {
		FUZZ_CHECK(cause != NULL);
		free(cause);
	}
	cJSON_Delete(copy);
	list = coverage_take(r, "1", &today, &total);
	for (int i = 0; i < cJSON_GetArraySize(list); i++) {
		struct coverage_view v;

		coverage_view_read(cJSON_GetArrayItem(list, i), &today, &v);
		FUZZ_CHECK(fhir_valid_id(v.id));
		coverage_view_clear(&v);
	}
	cJSON_Delete(list);
	k = coverage_saved(r, saved, 4);
	for (int i = 0; i < k && i < 4; i++)
		cJSON_Delete(saved[i]);
}

/* The clinician's landing, the visits and a note's text, as their screens read them. */
static void
landing(const cJSON *r)
{
	struct encounter_page page;
	struct chart_detail *d = NULL;
	const cJSON *e;
	char *cause = NULL, *me, *why = NULL, *ref;
	size_t n = 0;
	int k = 0;

	if ((me = sched_me_read(r, "clinician")) != NULL) {
		FUZZ_CHECK(strncmp(me, "Practitioner/", 13) == 0 && fhir_valid_id(me + 13));
		free(me);
	}
	if (encounter_page_read(r, "1", &page, &cause) == 0) {
		FUZZ_CHECK(page.n <= ENCOUNTER_PAGE_MAX);
		for (size_t i = 0; i < page.n; i++)
			FUZZ_CHECK(page.rows[i].provider != NULL && page.rows[i].type != NULL);
		encounter_page_clear(&page);
	} else {
		FUZZ_CHECK(cause != NULL);
		free(cause);
	}
	cause = NULL;
	if (encounter_visit_read(r, "1", &d, &n, &cause) == 0) {
		FUZZ_CHECK(n <= CHART_DETAILS_MAX);
		chart_details_free(d, n);
	} else {
		FUZZ_CHECK(cause != NULL);
		free(cause);
	}
	cJSON_ArrayForEach(e, fhir_get_array(r, "entry"))
	{
		const cJSON *res = fhir_get_object(e, "resource");

		if (k++ >= 16)
			break;
		if ((ref = chart_note_binary(res, FUZZ_BASE, &why)) != NULL) {
			FUZZ_CHECK(strncmp(ref, "Binary/", 7) == 0 && fhir_valid_id(ref + 7) && why == NULL);
			free(ref);
		}
		free(why);
		why = NULL;
		d = NULL;
		n = 0;
		cause = NULL;
		if (chart_note_text(res, "Binary/1", &d, &n, &cause) == 0) {
			FUZZ_CHECK(n <= CHART_DETAILS_MAX);
			chart_details_free(d, n);
		} else {
			FUZZ_CHECK(cause != NULL && d == NULL);
			free(cause);
		}
	}
}

/* What ehrterm reads out of any resource: its type and id, an OperationOutcome's sentence. */
static void
resource(const cJSON *r)
{
	const char *type = fhir_get_string(r, "resourceType");
	char *sentence = fhir_outcome_sentence(r);

	if (sentence != NULL) {
		/* Only an OperationOutcome has one, and it says something. */
		FUZZ_CHECK(type != NULL && strcmp(type, "OperationOutcome") == 0);
		FUZZ_CHECK(sentence[0] != '\0');
		free(sentence);
	}
	(void)fhir_valid_id(fhir_get_string(r, "id"));
	if (type != NULL && strcmp(type, "Patient") == 0) {
		fuzz_check_patient_view(r, &today);
		banner(r);
	}
	if (type != NULL && strcmp(type, "Bundle") == 0) {
		readers(r);
		landing(r);
	}
}

static void
capabilities(const cJSON *r)
{
	const char *type = fhir_get_string(r, "resourceType");
	struct fhir_caps *caps;
	char *cause = NULL;

	caps = fhir_caps_parse(r, &cause);
	if (caps == NULL) {
		FUZZ_CHECK(cause != NULL);
		FUZZ_CHECK(type == NULL || strcmp(type, "CapabilityStatement") != 0);
		free(cause);
		return;
	}
	FUZZ_CHECK(cause == NULL);
	FUZZ_CHECK(fhir_caps_software(caps) != NULL);
	FUZZ_CHECK(fhir_caps_software_version(caps) != NULL);
	FUZZ_CHECK(fhir_caps_fhir_version(caps) != NULL);
	(void)fhir_caps_transactions(caps);
	(void)fhir_caps_batches(caps);
	for (size_t m = 0; m < fhir_modules_count; m++) {
		char *missing = fhir_module_missing(caps, &fhir_modules[m]);
		bool all = true;

		for (const struct fhir_need *n = fhir_modules[m].needs; n->type != NULL; n++)
			if ((fhir_caps_interactions(caps, n->type) & n->interactions) !=
			    n->interactions)
				all = false;
		/* A module is missing something exactly when one of its needs is not met. */
		FUZZ_CHECK((missing == NULL) == all);
		free(missing);
	}
	fhir_caps_free(&caps);
	FUZZ_CHECK(caps == NULL);
}

/* A Bundle: each entry's resource, and the paging links ehrterm follows. */
static void
bundle(const cJSON *b)
{
	static const char *const relations[] = {"self", "first", "previous", "next", "last"};
	const cJSON *entry;

	cJSON_ArrayForEach(entry, fhir_get_array(b, "entry"))
	{
		const cJSON *r = fhir_get_object(entry, "resource");

		(void)fhir_get_string(entry, "fullUrl");
		(void)fhir_get_string(fhir_get_object(entry, "search"), "mode");
		if (r != NULL) {
			resource(r);
			capabilities(r);
		}
	}
	for (size_t i = 0; i < sizeof relations / sizeof relations[0]; i++) {
		const char *url = fhir_bundle_link(b, relations[i]);

		if (url != NULL)
			(void)fhir_url_under_base(FUZZ_BASE, url);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned budget = WALK_MAX;
	char *cause = NULL;
	cJSON *json;

	json = fhir_parse((const char *)data, size, &cause);
	if (json == NULL) {
		FUZZ_CHECK(cause != NULL && cause[0] != '\0');
		free(cause);
		return 0;
	}
	/* fhir.h: a resource is an object with a valid resourceType. */
	FUZZ_CHECK(cause == NULL);
	FUZZ_CHECK(cJSON_IsObject(json));
	FUZZ_CHECK(fhir_valid_type(fhir_get_string(json, "resourceType")));
	walk(json, &budget);
	resource(json);
	capabilities(json);
	bundle(json);
	cJSON_Delete(json);
	return 0;
}
