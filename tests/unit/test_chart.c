/*
 * Unit tests for the chart's cover sheet: the batch it asks for and the panes it reads.
 * The main fixture, tests/unit/data/chart-cover-quigley.json, is the sandbox's real answer
 * to the cover-sheet batch for the Synthea patient Chad Quigley (only the server's port
 * in absolute URLs replaced); smaller cases are written out beside the tests that use them.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/under_valgrind.h"
#include "fhir/chart.h"
#include "fhir/medication.h"
#include "util/xmalloc.h"

#define QUIGLEY "f120016e-295c-48b8-a7be-34dc0127d7e6"

static const struct date today = { 2026, 12, 2 };

static cJSON *
load_fixture(const char *name)
{
	const char *srcdir = getenv("EHRTERM_SRCDIR");
	char *path, *body = NULL;
	size_t len = 0, cap = 0, got;
	FILE *f;
	cJSON *json;

	cr_assert_not_null(srcdir, "EHRTERM_SRCDIR is not set; run make check, or set it to the "
				   "source tree");
	path = xasprintf("%s/tests/unit/data/%s", srcdir, name);
	f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s", path);
	do {
		if (len + 4096 > cap) {
			cap = cap ? cap * 2 : 65536;
			body = xreallocarray(body, cap, 1);
		}
		got = fread(body + len, 1, cap - len - 1, f);
		len += got;
	} while (got > 0);
	fclose(f);
	body[len] = '\0';
	json = cJSON_Parse(body);
	cr_assert_not_null(json, "%s is not JSON", path);
	free(body);
	free(path);
	return json;
}

static struct chart_cover
read_quigley(void)
{
	cJSON *response = load_fixture("chart-cover-quigley.json");
	struct chart_cover c;
	char *cause = NULL;

	cr_assert_eq(chart_cover_read(response, QUIGLEY, &c, &cause), 0, "%s", cause);
	cJSON_Delete(response);
	return c;
}

static const struct chart_item *
find_item(const struct chart_list *l, const char *what)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].what, what) == 0)
			return &l->items[i];
	return NULL;
}

/* The row WHAT of L, which must be there. */
static const struct chart_item *
must_find(const struct chart_list *l, const char *what)
{
	const struct chart_item *it = find_item(l, what);

	cr_assert_not_null(it, "no row %s", what);
	if (it == NULL)
		abort();
	return it;
}

/* --- the batch ------------------------------------------------------------------------ */

static char *
entry_url(const cJSON *batch, int i)
{
	const cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(batch, "entry"), i);
	const cJSON *req = cJSON_GetObjectItem(e, "request");

	cr_assert_str_eq(cJSON_GetObjectItem(req, "method")->valuestring, "GET");
	return cJSON_GetObjectItem(req, "url")->valuestring;
}

Test(chart_batch, one_round_trip_every_search_bounded)
{
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	cJSON *batch = chart_cover_batch(fc, QUIGLEY, &today);
	int n = cJSON_GetArraySize(cJSON_GetObjectItem(batch, "entry"));

	cr_assert_str_eq(cJSON_GetObjectItem(batch, "type")->valuestring, "batch");
	cr_assert_eq(n, (int)chart_cover_entries());
	cr_assert_eq(n, 17, "Patient, 7 panes, 8 vital signs, the forecasts: %d", n);
	cr_assert_str_eq(entry_url(batch, 0), "Patient/" QUIGLEY);
	for (int i = 1; i < n; i++) {
		const char *url = entry_url(batch, i);

		cr_assert_not_null(strstr(url, "patient=" QUIGLEY), "%s", url);
		cr_assert_not_null(strstr(url, "_count="), "unbounded: %s", url);
		cr_assert_not_null(strstr(url, "_elements="), "every element: %s", url);
	}
	/* One search per vital sign, newest first, one row: no $lastn assumed. */
	for (int i = 4; i < 12; i++) {
		const char *url = entry_url(batch, i);

		cr_assert(strncmp(url, "Observation?", 12) == 0, "%s", url);
		cr_assert_not_null(strstr(url, "_count=1"), "%s", url);
		cr_assert_not_null(strstr(url, "_sort=-date"), "%s", url);
		cr_assert_not_null(strstr(url, "code=http%3A%2F%2Floinc.org%7C"), "%s", url);
	}
	cr_assert_not_null(strstr(entry_url(batch, 4), "85354-9"));
	cr_assert_not_null(strstr(entry_url(batch, 4), "55284-4"), "the older BP code too");
	cr_assert_not_null(strstr(entry_url(batch, 7), "8331-1"), "oral temperature too");
	cr_assert_not_null(strstr(entry_url(batch, 8), "2708-6"));
	cr_assert_not_null(strstr(entry_url(batch, 2), "category=problem-list-item"));
	cr_assert_not_null(strstr(entry_url(batch, 2), "clinical-status=active"));
	cr_assert_not_null(strstr(entry_url(batch, 3), "status=active"));
	cr_assert_not_null(strstr(entry_url(batch, 12), "category=laboratory"));
	cr_assert_not_null(strstr(entry_url(batch, 15), "date=ge2026-12-02"));
	/* The notes' authors come with them: their names from the Practitioners. */
	cr_assert_not_null(strstr(entry_url(batch, 14), "_include=DocumentReference%3Aauthor"), "%s",
	    entry_url(batch, 14));
	/* What is due, beside what was given: every forecast status, the newest first. */
	cr_assert(strncmp(entry_url(batch, 16), "ImmunizationRecommendation?", 27) == 0, "%s",
	    entry_url(batch, 16));
	cr_assert_not_null(strstr(entry_url(batch, 16), "_sort=-date"), "%s", entry_url(batch, 16));
	cr_assert_null(strstr(entry_url(batch, 16), "status="), "%s", entry_url(batch, 16));
	cJSON_Delete(batch);
	fhir_client_free(&fc);
}

/* --- the real sample answer ----------------------------------------------------------- */

Test(chart_read, quigley_cover_sheet)
{
	struct chart_cover c = read_quigley();
	const struct chart_list *l;
	const struct chart_item *it;

	cr_assert_str_eq(c.view.name, "Quigley, Chad");
	cr_assert_str_eq(c.view.birth_date, "1952-06-19");
	for (int p = 0; p < CHART_PANES; p++)
		cr_assert_eq(c.panes[p].state, CHART_PANE_LOADED, "%s: %s", chart_pane_title(p),
		    c.panes[p].failure ? c.panes[p].failure : "");

	l = &c.panes[CHART_ALLERGIES];
	cr_assert_eq(l->allergy_state, PATIENT_ALLERGY_LISTED);
	cr_assert_eq(l->n, 1);
	cr_assert_str_eq(l->items[0].what, "Shellfish allergy");
	cr_assert_str_eq(l->items[0].value, "low");
	cr_assert_not(l->items[0].alert);
	cr_assert_eq(c.banner_allergies.state, PATIENT_ALLERGY_LISTED);

	l = &c.panes[CHART_PROBLEMS];
	cr_assert_eq(l->n, 1);
	cr_assert_str_eq(l->items[0].what, "Osteoporosis (disorder)");
	cr_assert_str_eq(l->items[0].value, "64859006", "the SNOMED code when there is no ICD-10-CM");
	cr_assert_str_eq(l->items[0].status, "active");

	l = &c.panes[CHART_MEDICATIONS];
	cr_assert_eq(l->n, 1);
	cr_assert_str_eq(l->items[0].what, "Alendronic acid 10 MG Oral Tablet");
	cr_assert_str_eq(l->items[0].date, "2012-08-16");

	/* Every vital sign, rounded for display; the older BP code read as BP. */
	l = &c.panes[CHART_VITALS];
	cr_assert_eq(l->n, CHART_VITAL_COUNT);
	cr_assert_str_eq(must_find(l, "BP")->date, "2020-10-01");
	cr_assert_not_null(strstr(must_find(l, "BP")->value, " mmHg"), "%s", must_find(l, "BP")->value);
	cr_assert_str_eq(must_find(l, "Pulse")->value, "66 /min");
	cr_assert_str_eq(must_find(l, "Resp")->value, "18 /min");
	cr_assert_str_eq(must_find(l, "Temp")->value, "37.1 C");
	cr_assert_str_eq(must_find(l, "SpO2")->value, "97 %");
	cr_assert_str_eq(must_find(l, "Height")->value, "173.1 cm");
	cr_assert_str_eq(must_find(l, "Weight")->value, "83.1 kg");
	cr_assert_str_eq(must_find(l, "BMI")->value, "27.7 kg/m2");

	l = &c.panes[CHART_LABS];
	cr_assert_eq(l->n, 10);
	cr_assert_eq(l->total, 38, "the full list has more: %ld", l->total);
	it = must_find(l, "Total Cholesterol");
	cr_assert_str_eq(it->value, "178 mg/dL");
	cr_assert_str_eq(it->flag, "", "interpreted normal");
	cr_assert_str_eq(it->detail, "<200");
	it = must_find(l, "Hemoglobin [Mass/volume] in Blood");
	cr_assert_str_eq(it->value, "13.4 g/dL");
	cr_assert_str_eq(it->detail, "12-17.5");

	/*
	 * Due first, overdue before due and the earliest first (the sandbox's forecast three
	 * days ago); the pneumococcal an older forecast said was due, the newer one says is
	 * complete. Then the ten given, newest first.
	 */
	l = &c.panes[CHART_IMMUNIZATIONS];
	cr_assert_eq(l->due, 3);
	cr_assert_eq(l->n, 13);
	cr_assert_eq(l->total, 13 + 3, "given and due: %ld", l->total);
	cr_assert_null(l->failure);
	cr_assert_str_eq(l->items[0].what, "Tdap");
	cr_assert_str_eq(l->items[0].value, "115");
	cr_assert_str_eq(l->items[0].status, "overdue");
	cr_assert_str_eq(l->items[0].date, "2025-10-08", "the date it was due");
	cr_assert(l->items[0].due && l->items[0].alert);
	cr_assert_str_eq(l->items[0].id, "f120016e-forecast-2");
	cr_assert_str_eq(l->items[1].what, "Influenza, seasonal, injectable, preservative free");
	cr_assert_str_eq(l->items[1].status, "due");
	cr_assert_str_eq(l->items[1].date, "2026-11-02");
	cr_assert(l->items[1].due && !l->items[1].alert);
	cr_assert_str_eq(l->items[2].what, "zoster vaccine recombinant");
	cr_assert_str_eq(l->items[2].date, "2026-11-22");
	cr_assert_str_eq(l->items[2].detail, "dose 1 of 2");
	for (size_t i = 0; i < l->n; i++)
		cr_assert_neq(strcmp(l->items[i].value, "33") == 0 && l->items[i].due, true,
		    "pneumococcal is complete by the newer forecast");
	cr_assert_str_eq(l->items[3].what, "Influenza, seasonal, injectable, preservative free");
	cr_assert_str_eq(l->items[3].value, "140", "the CVX code");
	cr_assert_str_eq(l->items[3].date, "2020-10-01");
	cr_assert_str_eq(l->items[3].status, "completed");
	cr_assert_not(l->items[3].due);

	l = &c.panes[CHART_NOTES];
	cr_assert_eq(l->n, 4);
	cr_assert_str_eq(l->items[0].status, "signed");
	cr_assert_str_eq(l->items[1].status, "draft");
	cr_assert_str_eq(l->items[2].status, "amended");
	cr_assert_str_eq(l->items[3].status, "entered in error");
	cr_assert_str_eq(l->items[0].what, "Progress note");
	/* This answer was recorded before the notes' authors were asked for with them. */
	cr_assert_str_eq(l->items[0].value, "Dr. Amara Okafor (name not checked)");

	l = &c.panes[CHART_APPOINTMENTS];
	cr_assert_eq(l->n, 3);
	cr_assert_str_eq(l->items[0].what, "Annual physical");
	cr_assert_str_eq(l->items[0].date, "2026-12-02 11:15");
	cr_assert_str_eq(l->items[0].status, "booked");
	chart_cover_clear(&c);
}

Test(chart_read, another_patients_record_is_refused)
{
	cJSON *response = load_fixture("chart-cover-quigley.json");
	struct chart_cover c;
	char *cause = NULL;

	cr_assert_eq(chart_cover_read(response, "someone-else", &c, &cause), -1);
	cr_assert_not_null(strstr(cause, "another patient"), "%s", cause);
	cr_assert_null(c.patient);
	free(cause);
	cJSON_Delete(response);
}

/* A pane whose answer holds another patient's resource shows nothing of it; the rest stays. */
Test(chart_read, another_patients_row_refuses_its_pane_only)
{
	cJSON *response = load_fixture("chart-cover-quigley.json");
	cJSON *entries = cJSON_GetObjectItem(response, "entry");
	cJSON *problems = cJSON_GetObjectItem(cJSON_GetArrayItem(entries, 2), "resource");
	cJSON *row = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(problems, "entry"), 0),
	    "resource");
	struct chart_cover c;
	char *cause = NULL;

	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(row, "subject"), "reference",
	    cJSON_CreateString("Patient/someone-else"));
	cr_assert_eq(chart_cover_read(response, QUIGLEY, &c, &cause), 0);
	cr_assert_eq(c.panes[CHART_PROBLEMS].state, CHART_PANE_REFUSED);
	cr_assert_eq(c.panes[CHART_PROBLEMS].n, 0);
	cr_assert_not_null(strstr(c.panes[CHART_PROBLEMS].failure, "another patient"));
	cr_assert_eq(c.panes[CHART_ALLERGIES].state, CHART_PANE_LOADED);
	cr_assert_eq(c.panes[CHART_MEDICATIONS].n, 1);
	chart_cover_clear(&c);
	cJSON_Delete(response);
}

Test(chart_read, a_failed_search_is_said_and_the_rest_shows)
{
	cJSON *response = load_fixture("chart-cover-quigley.json");
	cJSON *entries = cJSON_GetObjectItem(response, "entry");
	struct chart_cover c;
	char *cause = NULL;

	/* The allergies' search failed; the second vital sign's too. */
	cJSON_ReplaceItemInArray(entries, 1,
	    cJSON_Parse("{\"response\":{\"status\":\"500 Internal Server Error\"}}"));
	cJSON_ReplaceItemInArray(entries, 5,
	    cJSON_Parse("{\"response\":{\"status\":\"503 Service Unavailable\"}}"));
	cr_assert_eq(chart_cover_read(response, QUIGLEY, &c, &cause), 0);
	cr_assert_eq(c.panes[CHART_ALLERGIES].state, CHART_PANE_NOT_LOADED);
	cr_assert_eq(c.panes[CHART_ALLERGIES].allergy_state, PATIENT_ALLERGY_NOT_LOADED,
	    "a list that did not load is not 'no allergies'");
	cr_assert_not_null(c.panes[CHART_ALLERGIES].failure);
	cr_assert_eq(c.banner_allergies.state, PATIENT_ALLERGY_NOT_LOADED);
	cr_assert_eq(c.panes[CHART_VITALS].state, CHART_PANE_LOADED);
	cr_assert_eq(c.panes[CHART_VITALS].n, CHART_VITAL_COUNT - 1);
	cr_assert_null(find_item(&c.panes[CHART_VITALS], "Pulse"));
	cr_assert_not_null(c.panes[CHART_VITALS].failure, "the missing sign is said");
	cr_assert_eq(c.panes[CHART_PROBLEMS].n, 1);
	chart_cover_clear(&c);
	cJSON_Delete(response);
}

Test(chart_read, the_first_vital_failing_keeps_the_others)
{
	cJSON *response = load_fixture("chart-cover-quigley.json");
	cJSON *entries = cJSON_GetObjectItem(response, "entry");
	struct chart_cover c;
	char *cause = NULL;

	cJSON_ReplaceItemInArray(entries, 4, cJSON_Parse("{\"response\":{\"status\":\"500\"}}"));
	cr_assert_eq(chart_cover_read(response, QUIGLEY, &c, &cause), 0);
	cr_assert_eq(c.panes[CHART_VITALS].state, CHART_PANE_LOADED);
	cr_assert_eq(c.panes[CHART_VITALS].n, CHART_VITAL_COUNT - 1);
	cr_assert_null(find_item(&c.panes[CHART_VITALS], "BP"));
	cr_assert_not_null(c.panes[CHART_VITALS].failure);
	chart_cover_clear(&c);
	cJSON_Delete(response);
}

/* --- allergies: listed, none known, not recorded ---------------------------------------- */

static struct chart_list
read_pane(enum chart_pane pane, const char *json)
{
	cJSON *set = cJSON_Parse(json);
	struct chart_list l = { 0 };

	cr_assert_not_null(set, "bad fixture: %s", json);
	chart_list_read(pane, CHART_VITAL_COUNT, set, "p1", &l);
	cJSON_Delete(set);
	return l;
}

#define ALLERGY(code, text, extra)                                                         \
	"{\"resource\":{\"resourceType\":\"AllergyIntolerance\",\"id\":\"a\","                \
	"\"patient\":{\"reference\":\"Patient/p1\"},\"code\":{\"coding\":[{\"system\":"      \
	"\"http://snomed.info/sct\",\"code\":\"" code "\"}],\"text\":\"" text "\"}" extra "}}"

Test(chart_allergies, none_known_is_not_not_recorded)
{
	struct chart_list l;

	l = read_pane(CHART_ALLERGIES, "{\"resourceType\":\"Bundle\",\"total\":0}");
	cr_assert_eq(l.allergy_state, PATIENT_ALLERGY_NOT_RECORDED);
	chart_list_clear(&l);

	l = read_pane(CHART_ALLERGIES,
	    "{\"resourceType\":\"Bundle\",\"entry\":[" ALLERGY("716186003", "Allergy status: none", "") "]}");
	cr_assert_eq(l.allergy_state, PATIENT_ALLERGY_NONE_KNOWN);
	cr_assert_eq(l.n, 0);
	chart_list_clear(&l);

	/* Said in words only, with no code. */
	l = read_pane(CHART_ALLERGIES,
	    "{\"resourceType\":\"Bundle\",\"entry\":[" ALLERGY("x", "No known allergies", "") "]}");
	cr_assert_eq(l.allergy_state, PATIENT_ALLERGY_NONE_KNOWN);
	chart_list_clear(&l);

	/* Entered in error is no statement at all. */
	l = read_pane(CHART_ALLERGIES, "{\"resourceType\":\"Bundle\",\"entry\":[" ALLERGY(
	    "716186003", "NKA", ",\"verificationStatus\":{\"coding\":[{\"code\":\"entered-in-error\"}]}") "]}");
	cr_assert_eq(l.allergy_state, PATIENT_ALLERGY_NOT_RECORDED);
	chart_list_clear(&l);

	l = read_pane(CHART_ALLERGIES, "{\"resourceType\":\"Bundle\",\"entry\":[" ALLERGY(
	    "227493005", "Cashew nuts", ",\"criticality\":\"high\",\"reaction\":[{\"manifestation\":"
	    "[{\"text\":\"Anaphylaxis\"}]}]") "]}");
	cr_assert_eq(l.allergy_state, PATIENT_ALLERGY_LISTED);
	cr_assert_eq(l.n, 1);
	cr_assert_str_eq(l.items[0].what, "Cashew nuts");
	cr_assert_str_eq(l.items[0].value, "high");
	cr_assert(l.items[0].alert);
	cr_assert_str_eq(l.items[0].detail, "Anaphylaxis");
	chart_list_clear(&l);
}

Test(chart_allergies, high_criticality_first_in_the_pane_and_a_page_of_the_list)
{
	static const char json[] = "{\"resourceType\":\"Bundle\",\"entry\":["
	    ALLERGY("1", "Shellfish", ",\"criticality\":\"low\"") ","
	    ALLERGY("2", "Bee venom", ",\"criticality\":\"low\"") ","
	    ALLERGY("3", "Latex", "") ","
	    ALLERGY("4", "Dust mite", ",\"criticality\":\"low\"") ","
	    ALLERGY("5", "Warfarin", ",\"criticality\":\"high\"") "]}";
	struct chart_list l = read_pane(CHART_ALLERGIES, json);
	cJSON *set = cJSON_Parse(json);
	const char *const want[] = { "Warfarin", "Shellfish", "Bee venom", "Latex", "Dust mite" };

	/* A pane cut to four rows shows Warfarin, not four low ones. */
	cr_assert_eq(l.n, 5);
	for (size_t i = 0; i < 5; i++)
		cr_assert_str_eq(l.items[i].what, want[i], "row %zu: %s", i, l.items[i].what);
	cr_assert(l.items[0].alert);
	chart_list_clear(&l);
	chart_page_read(CHART_ALLERGIES, set, "p1", &l);
	cr_assert_str_eq(l.items[0].what, "Warfarin");
	cr_assert_str_eq(l.items[4].what, "Dust mite");
	chart_list_clear(&l);
	cJSON_Delete(set);
}

#define ORDER(id, text, rxnorm, status)                                                    \
	"{\"resource\":{\"resourceType\":\"MedicationRequest\",\"id\":\"" id "\","          \
	"\"subject\":{\"reference\":\"Patient/p1\"},\"status\":\"" status "\",\"intent\":"   \
	"\"order\",\"medicationCodeableConcept\":{\"coding\":[{\"system\":"                   \
	"\"http://www.nlm.nih.gov/research/umls/rxnorm\",\"code\":\"" rxnorm "\"}],"           \
	"\"text\":\"" text "\"}}}"

Test(chart_allergies, an_order_the_patient_is_allergic_to_is_flagged_and_shown_first)
{
	struct chart_list a = read_pane(CHART_ALLERGIES, "{\"resourceType\":\"Bundle\",\"entry\":["
	    ALLERGY("1", "Shellfish allergy", ",\"criticality\":\"low\"") ","
	    ALLERGY("2", "Warfarin", ",\"criticality\":\"high\"") ","
	    "{\"resource\":{\"resourceType\":\"AllergyIntolerance\",\"id\":\"x\","
	    "\"patient\":{\"reference\":\"Patient/p1\"},\"code\":{\"coding\":[{\"system\":"
	    "\"http://www.nlm.nih.gov/research/umls/rxnorm\",\"code\":\"314076\"}],"
	    "\"text\":\"ACE inhibitor\"}}}]}");
	struct chart_list m = read_pane(CHART_MEDICATIONS, "{\"resourceType\":\"Bundle\",\"entry\":["
	    ORDER("m1", "Simvastatin 20 MG Oral Tablet", "312961", "active") ","
	    ORDER("m2", "Lisinopril 10 MG Oral Tablet", "314076", "active") ","
	    ORDER("m3", "Metformin 500 MG", "860975", "active") ","
	    ORDER("m4", "Warfarin Sodium 5 MG Oral Tablet", "855332", "active") ","
	    ORDER("m5", "Warfarin Sodium 1 MG Oral Tablet", "855288", "stopped") "]}");
	struct chart_list copy;

	cr_assert_str_eq(a.items[0].what, "Warfarin");
	cr_assert_str_eq(a.items[2].code, "314076");
	cr_assert_str_eq(m.items[1].code, "314076");
	/* Renewing's test: the substance begins a word, or the RxNorm codes are the same. */
	cr_assert(medication_matches_allergy("855332", "Warfarin Sodium 5 MG", "", "Warfarin"));
	cr_assert(!medication_matches_allergy("1", "Coumawarfarin", "", "Warfarin"));
	chart_list_copy(&copy, &m);
	chart_flag_allergies(&m, &a, true);
	/* Flagged ones first, in their order; the stopped Warfarin is not flagged. */
	cr_assert_str_eq(m.items[0].what, "Lisinopril 10 MG Oral Tablet");
	cr_assert_str_eq(m.items[0].flag, "ACE inhibitor");
	cr_assert(m.items[0].alert);
	cr_assert_str_eq(m.items[1].what, "Warfarin Sodium 5 MG Oral Tablet");
	cr_assert_str_eq(m.items[1].flag, "Warfarin");
	cr_assert(m.items[1].alert);
	cr_assert_str_eq(m.items[2].what, "Simvastatin 20 MG Oral Tablet");
	cr_assert_str_eq(m.items[2].flag, "");
	cr_assert(!m.items[2].alert);
	cr_assert_str_eq(m.items[3].what, "Metformin 500 MG");
	cr_assert_str_eq(m.items[4].flag, "");
	/* A page of the full list keeps its order. */
	chart_flag_allergies(&copy, &a, false);
	cr_assert_str_eq(copy.items[0].what, "Simvastatin 20 MG Oral Tablet");
	cr_assert_str_eq(copy.items[3].flag, "Warfarin");
	cr_assert_str_eq(copy.items[4].flag, "");
	chart_list_clear(&copy);
	/* Allergies not read: nothing can be said, nothing flagged. */
	a.state = CHART_PANE_NOT_LOADED;
	chart_list_copy(&copy, &m);
	chart_list_clear(&m);
	m = read_pane(CHART_MEDICATIONS, "{\"resourceType\":\"Bundle\",\"entry\":["
	    ORDER("m4", "Warfarin Sodium 5 MG Oral Tablet", "855332", "active") "]}");
	chart_flag_allergies(&m, &a, true);
	cr_assert(!m.items[0].alert);
	chart_list_clear(&copy);
	chart_list_clear(&m);
	chart_list_clear(&a);
}

Test(chart_dates, before_the_patient_was_born_is_refused_at_the_birth_dates_precision)
{
	struct patient_view v = { .name = "Walsh, Maya", .birth_date = "2019-05-22",
		.birth_text = "2019-05-22" };
	char *why = chart_before_birth("Given on", "2010-01-01", &v);

	cr_assert_not_null(why);
	cr_assert_str_eq(why, "Given on 2010-01-01 is before Walsh, Maya was born (2019-05-22)");
	free(why);
	cr_assert_null(chart_before_birth("Given on", "2019-05-22", &v), "the day of birth is fine");
	cr_assert_null(chart_before_birth("Onset", "", &v), "no date, nothing to refuse");
	why = chart_before_birth("Taken", "2019-05-21T23:59:00-05:00", &v);
	cr_assert_str_eq(why, "Taken 2019-05-21 is before Walsh, Maya was born (2019-05-22)");
	free(why);
	/* A birth year alone: only an earlier year is surely before. */
	v.birth_date = "";
	v.birth_text = "1942";
	cr_assert_null(chart_before_birth("Taken", "1942-01-01T08:00:00Z", &v));
	why = chart_before_birth("Taken", "1900-01-01T08:00:00Z", &v);
	cr_assert_str_eq(why, "Taken 1900-01-01 is before Walsh, Maya was born (1942)");
	free(why);
	v.birth_text = "";
	cr_assert_null(chart_before_birth("Taken", "1900-01-01", &v), "no birth date, nothing known");
}

/* --- labs ---------------------------------------------------------------------------- */

Test(chart_labs, flags_and_ranges)
{
	struct chart_list l = read_pane(CHART_LABS,
	    "{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"resourceType\":\"Observation\","
	    "\"id\":\"o1\",\"status\":\"final\",\"subject\":{\"reference\":\"Patient/p1\"},"
	    "\"code\":{\"text\":\"Hemoglobin A1c\"},\"effectiveDateTime\":\"2020-10-01T05:26:09+00:00\","
	    "\"valueQuantity\":{\"value\":6.3100000001,\"unit\":\"%\"},\"interpretation\":[{\"coding\":"
	    "[{\"code\":\"H\"}]}],\"referenceRange\":[{\"low\":{\"value\":4},\"high\":{\"value\":5.6}}]}},"
	    "{\"resource\":{\"resourceType\":\"Observation\",\"id\":\"o2\",\"status\":\"entered-in-error\","
	    "\"subject\":{\"reference\":\"Patient/p1\"},\"code\":{\"text\":\"Glucose\"}}}]}");

	cr_assert_eq(l.n, 1, "entered in error is not a result");
	cr_assert_str_eq(l.items[0].value, "6.31 %");
	cr_assert_str_eq(l.items[0].flag, "H");
	cr_assert(l.items[0].alert);
	cr_assert_str_eq(l.items[0].detail, "4-5.6");
	cr_assert_str_eq(l.items[0].date, "2020-10-01");
	chart_list_clear(&l);
}

/* --- hostile answers ---------------------------------------------------------------- */

Test(chart_hostile, wrong_types_read_as_absent)
{
	struct chart_list l = read_pane(CHART_LABS,
	    "{\"resourceType\":\"Bundle\",\"total\":\"x\",\"entry\":[{\"resource\":{\"resourceType\":"
	    "\"Observation\",\"id\":7,\"subject\":{\"reference\":\"Patient/p1\"},\"code\":[1,2],"
	    "\"valueQuantity\":{\"value\":\"12\",\"unit\":5},\"interpretation\":\"H\","
	    "\"referenceRange\":{},\"effectiveDateTime\":42}},{\"resource\":{\"resourceType\":"
	    "\"Observation\",\"subject\":{\"reference\":\"Patient/p1\"},\"valueQuantity\":{\"value\":1e308}}}]}");

	cr_assert_eq(l.n, 2);
	cr_assert_str_eq(l.items[0].what, "(unnamed test)");
	cr_assert_str_eq(l.items[0].value, "");
	cr_assert_str_eq(l.items[0].date, "");
	cr_assert_str_eq(l.items[1].value, "?");
	cr_assert_eq(l.total, -1);
	chart_list_clear(&l);
}

/*
 * 100,000 rows are read as CHART_ITEMS_MAX, in time linear in the answer: a quadratic
 * reader takes minutes here, a linear one well under a second. SIGALRM ends the worker
 * (reported as a crash) when it is still reading after 10 s; valgrind's thirty-fold
 * slowness gets a guard of its own.
 */
Test(chart_hostile, rows_are_bounded)
{
	cJSON *set = cJSON_CreateObject(), *entries = cJSON_AddArrayToObject(set, "entry");
	struct chart_list l = { 0 };

	alarm(RUNNING_ON_VALGRIND ? 300 : 10);

	cJSON_AddStringToObject(set, "resourceType", "Bundle");
	for (int i = 0; i < 100000; i++)
		cJSON_AddItemToArray(entries, cJSON_Parse("{\"resource\":{\"resourceType\":"
		    "\"Immunization\",\"patient\":{\"reference\":\"Patient/p1\"},\"vaccineCode\":"
		    "{\"text\":\"Influenza\"}}}"));
	chart_list_read(CHART_IMMUNIZATIONS, CHART_VITAL_COUNT, set, "p1", &l);
	cr_assert_eq(l.n, CHART_ITEMS_MAX);
	chart_list_clear(&l);
	cJSON_Delete(set);
}

Test(chart_hostile, an_appointment_with_another_patient_is_refused)
{
	struct chart_list l = read_pane(CHART_APPOINTMENTS,
	    "{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"resourceType\":\"Appointment\","
	    "\"participant\":[{\"actor\":{\"reference\":\"Patient/p1\"}},{\"actor\":{\"reference\":"
	    "\"Patient/p2\"}}],\"start\":\"2026-12-02T09:00:00Z\"}}]}");

	cr_assert_eq(l.state, CHART_PANE_REFUSED);
	cr_assert_eq(l.n, 0);
	chart_list_clear(&l);
}

/* --- rounding ------------------------------------------------------------------------ */

struct quantity_case {
	double value;
	char unit[16];
	bool lab;
	char shown[32];
};

ParameterizedTestParameters(chart_quantity, rounds_for_display)
{
	static struct quantity_case cases[] = {
		{ 174.0511726769968, "cm", false, "174.1 cm" },
		{ 66, "/min", false, "66 /min" },
		{ 37.04, "Cel", false, "37 C" },
		{ 27.748155001189097, "kg/m2", false, "27.7 kg/m2" },
		{ -0.04, "", false, "0" },
		{ 0.86, "mg/dL", true, "0.86 mg/dL" },
		{ 13.406274787708032, "g/dL", true, "13.4 g/dL" },
		{ 178.37544766303006, "mg/dL", true, "178 mg/dL" },
		{ 120, "mm[Hg]", false, "120 mmHg" },
		{ 1e300, "kg", false, "? kg" },
	};
	return cr_make_param_array(struct quantity_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct quantity_case *c, chart_quantity, rounds_for_display)
{
	char buf[64];

	chart_quantity(c->value, c->unit, c->lab, buf, sizeof buf);
	cr_assert_str_eq(buf, c->shown, "%.17g %s: %s", c->value, c->unit, buf);
}

/* --- full lists and details ------------------------------------------------------------ */

Test(chart_full, a_page_keeps_every_status_and_knows_vitals_by_code)
{
	struct chart_list l = { 0 };
	cJSON *set = cJSON_Parse(
	    "{\"resourceType\":\"Bundle\",\"total\":3,\"entry\":["
	    "{\"resource\":{\"resourceType\":\"Observation\",\"id\":\"h\",\"status\":\"final\","
	    "\"subject\":{\"reference\":\"Patient/p1\"},\"code\":{\"coding\":[{\"system\":"
	    "\"http://loinc.org\",\"code\":\"8302-2\"}]},\"effectiveDateTime\":\"2020-10-01\","
	    "\"valueQuantity\":{\"value\":173.09665380088094,\"unit\":\"cm\"}}},"
	    "{\"resource\":{\"resourceType\":\"Observation\",\"id\":\"bp\",\"status\":\"final\","
	    "\"subject\":{\"reference\":\"Patient/p1\"},\"code\":{\"coding\":[{\"system\":"
	    "\"http://loinc.org\",\"code\":\"55284-4\"}]},\"component\":[{\"code\":{\"coding\":"
	    "[{\"code\":\"8480-6\"}]},\"valueQuantity\":{\"value\":120}},{\"code\":{\"coding\":"
	    "[{\"code\":\"8462-4\"}]},\"valueQuantity\":{\"value\":75}}]}},"
	    "{\"resource\":{\"resourceType\":\"Observation\",\"id\":\"pain\",\"status\":\"final\","
	    "\"subject\":{\"reference\":\"Patient/p1\"},\"code\":{\"text\":\"Pain severity\"},"
	    "\"valueQuantity\":{\"value\":2,\"code\":\"{score}\"}}}]}");

	chart_page_read(CHART_VITALS, set, "p1", &l);
	cr_assert_eq(l.state, CHART_PANE_LOADED);
	cr_assert_eq(l.n, 3, "every measurement is a row: %zu", l.n);
	cr_assert_str_eq(l.items[0].what, "Height");
	cr_assert_str_eq(l.items[0].value, "173.1 cm");
	cr_assert_str_eq(l.items[1].what, "BP");
	cr_assert_str_eq(l.items[1].value, "120/75 mmHg");
	cr_assert_str_eq(l.items[2].what, "Pain severity");
	cr_assert_str_eq(l.items[2].value, "2");
	chart_list_clear(&l);
	cJSON_Delete(set);

	/* Inactive allergies and "no known allergy" are rows of the full list, with their status. */
	set = cJSON_Parse("{\"resourceType\":\"Bundle\",\"entry\":[" ALLERGY("91935009", "Peanut",
	    ",\"clinicalStatus\":{\"coding\":[{\"code\":\"inactive\"}]}") "," ALLERGY("716186003",
	    "No known allergy", "") "]}");
	chart_page_read(CHART_ALLERGIES, set, "p1", &l);
	cr_assert_eq(l.n, 2);
	cr_assert_str_eq(l.items[0].status, "inactive");
	cr_assert_str_eq(l.items[1].what, "No known allergy");
	chart_list_clear(&l);
	cJSON_Delete(set);
}

Test(chart_full, the_search_asks_every_status_newest_first)
{
	char *cause = NULL, *url;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	struct fhir_search *s = chart_pane_search(CHART_PROBLEMS, "p1", 100000);

	url = fhir_search_relative(fc, s);
	cr_assert_not_null(strstr(url, "category=problem-list-item"), "%s", url);
	cr_assert_null(strstr(url, "clinical-status"), "every status: %s", url);
	cr_assert_not_null(strstr(url, "_count=200"), "bounded: %s", url);
	free(url);
	fhir_search_free(&s);
	s = chart_pane_search(CHART_LABS, "p1", 25);
	url = fhir_search_relative(fc, s);
	cr_assert_not_null(strstr(url, "_sort=-date"), "%s", url);
	cr_assert_not_null(strstr(url, "_count=25"), "%s", url);
	free(url);
	fhir_search_free(&s);
	fhir_client_free(&fc);
}

/* A note of patient p1 whose first author is AUTHOR (JSON), written DATE. */
#define NOTE(id, author, date)                                                                 \
	"{\"resource\":{\"resourceType\":\"DocumentReference\",\"id\":\"" id "\",\"status\":"    \
	"\"current\",\"docStatus\":\"final\",\"subject\":{\"reference\":\"Patient/p1\"},"        \
	"\"type\":{\"text\":\"Progress note\"},\"date\":\"" date "\",\"author\":[" author "]}}"

Test(chart_full, a_notes_author_is_named_by_the_practitioner_read_with_the_page)
{
	struct chart_list l = { 0 };
	cJSON *set;
	char *cause = NULL, *url;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	struct fhir_search *s = chart_pane_search(CHART_NOTES, "p1", 20);

	url = fhir_search_relative(fc, s);
	cr_assert_not_null(strstr(url, "_include=DocumentReference%3Aauthor"), "%s", url);
	free(url);
	fhir_search_free(&s);
	fhir_client_free(&fc);

	/* ehrterm writes a reference alone; the display, where there is one, is not trusted. */
	set = cJSON_Parse("{\"resourceType\":\"Bundle\",\"entry\":["
	    NOTE("a", "{\"reference\":\"Practitioner/doc\"}", "2026-12-01T14:03:22.123Z") ","
	    NOTE("b", "{\"reference\":\"Practitioner/doc\",\"display\":\"Dr. Who\"}", "2026-11-30") ","
	    NOTE("c", "{\"reference\":\"Practitioner/gone\",\"display\":\"Dr. Gone\"}", "2026") ","
	    NOTE("d", "{\"reference\":\"Practitioner/gone\"}", "2026-12-01") ","
	    NOTE("e", "", "2026-12-01") ","
	    "{\"resource\":{\"resourceType\":\"Practitioner\",\"id\":\"doc\",\"name\":[{"
	    "\"prefix\":[\"Dr.\"],\"given\":[\"Amara\"],\"family\":\"Okafor\"}]},"
	    "\"search\":{\"mode\":\"include\"}}]}");
	chart_page_read(CHART_NOTES, set, "p1", &l);
	cr_assert_eq(l.state, CHART_PANE_LOADED);
	cr_assert_eq(l.n, 5, "the Practitioner is no row: %zu", l.n);
	cr_assert_str_eq(l.items[0].value, "Dr. Amara Okafor");
	cr_assert_str_eq(l.items[1].value, "Dr. Amara Okafor", "the record's name, not the display");
	cr_assert_str_eq(l.items[2].value, "Dr. Gone (name not checked)");
	cr_assert_str_eq(l.items[3].value, "(name not checked)");
	cr_assert_str_eq(l.items[4].value, "", "no author");
	chart_list_clear(&l);
	cJSON_Delete(set);
}

Test(chart_full, a_notes_date_is_the_local_day_it_was_written)
{
	struct chart_list l = { 0 };
	cJSON *set;

	setenv("TZ", "EST5EDT,M3.2.0,M11.1.0", 1);
	tzset();
	set = cJSON_Parse("{\"resourceType\":\"Bundle\",\"entry\":["
	    NOTE("a", "", "2026-12-01T03:03:22.123Z") "," NOTE("b", "", "2026-12-01T14:03:22+01:00")
	    "," NOTE("c", "", "2026-11") "]}");
	chart_page_read(CHART_NOTES, set, "p1", &l);
	cr_assert_eq(l.n, 3);
	cr_assert_str_eq(l.items[0].date, "2026-11-30", "03:03 UTC is the evening before in New York");
	cr_assert_str_eq(l.items[1].date, "2026-12-01");
	cr_assert_str_eq(l.items[2].date, "2026-11", "a partial date as written");
	chart_list_clear(&l);
	cJSON_Delete(set);
}

/* Arrays, not pointers: Criterion hands each case to a worker process by value. */
struct when_case {
	char in[40];
	bool with_time;
	char out[40];
};

ParameterizedTestParameters(chart_when, local_time_as_the_chart_writes_it)
{
	static struct when_case cases[] = {
		{ "", true, "" },
		{ "2026-12-01T14:03:22.123Z", true, "2026-12-01 09:03" },
		{ "2026-12-01T14:03:22.123Z", false, "2026-12-01" },
		{ "2026-07-01T14:03:22-05:00", true, "2026-07-01 15:03" }, /* summer: EDT */
		{ "2026-12-01T00:30:00Z", true, "2026-11-30 19:30" },
		{ "2026-12-01T09:03:00-05:00", true, "2026-12-01 09:03" },
		{ "2026-12-01", true, "2026-12-01" },
		{ "2026", true, "2026" },
		/* Not an instant: its date and time as written, as the rest of the chart shows them. */
		{ "2026-12-01T09:03", true, "2026-12-01 09:03" },
		{ "2026-13-01T09:03:00Z", true, "2026-13-01 09:03" },
		{ "garbage", true, "garbage" },
	};

	return cr_make_param_array(struct when_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct when_case *c, chart_when, local_time_as_the_chart_writes_it)
{
	char *got;

	setenv("TZ", "EST5EDT,M3.2.0,M11.1.0", 1);
	tzset();
	got = chart_when(c->in, c->with_time);
	cr_assert_str_eq(got, c->out, "%s -> %s, not %s", c->in, got, c->out);
	free(got);
}

Test(chart_when, nothing_is_empty)
{
	char *got = chart_when(NULL, true);

	cr_assert_str_eq(got, "");
	free(got);
}

static bool
has_detail(const struct chart_detail *d, size_t n, const char *label, const char *value)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(d[i].label, label) == 0 && strcmp(d[i].value, value) == 0)
			return true;
	return false;
}

Test(chart_details, a_note_shows_its_text_line_by_line)
{
	/* "Progress note.\nS: well." in base64. */
	cJSON *doc = cJSON_Parse("{\"resourceType\":\"DocumentReference\",\"id\":\"n1\","
	    "\"status\":\"current\",\"docStatus\":\"final\",\"subject\":{\"reference\":\"Patient/p1\"},"
	    "\"type\":{\"text\":\"Progress note\"},\"author\":[{\"display\":\"Dr. Amara Okafor\"}],"
	    "\"content\":[{\"attachment\":{\"contentType\":\"text/plain; charset=utf-8\","
	    "\"data\":\"UHJvZ3Jlc3Mgbm90ZS4KUzogd2VsbC4=\"}}]}");
	struct chart_detail *d;
	size_t n;
	char *cause = NULL;

	cr_assert_eq(chart_details(doc, CHART_NOTES, "p1", "n1", &d, &n, &cause), 0, "%s", cause);
	cr_assert(has_detail(d, n, "Text", "Progress note."));
	cr_assert(has_detail(d, n, "Text", "S: well."));
	cr_assert(has_detail(d, n, "By", "Dr. Amara Okafor"));
	chart_details_free(d, n);

	cr_assert_eq(chart_details(doc, CHART_NOTES, "p2", NULL, &d, &n, &cause), -1);
	cr_assert_not_null(strstr(cause, "another patient"), "%s", cause);
	free(cause);
	cause = NULL;
	cr_assert_eq(chart_details(doc, CHART_LABS, "p1", NULL, &d, &n, &cause), -1, "not a lab result");
	free(cause);
	cause = NULL;
	cr_assert_eq(chart_details(doc, CHART_NOTES, "p1", "n2", &d, &n, &cause), -1, "another row");
	free(cause);
	cJSON_Delete(doc);
}

Test(chart_details, a_lab_result_shows_range_flag_and_codes)
{
	cJSON *set = load_fixture("chart-cover-quigley.json");
	const cJSON *labs = cJSON_GetObjectItem(
	    cJSON_GetArrayItem(cJSON_GetObjectItem(set, "entry"), 12), "resource");
	const cJSON *o = cJSON_GetObjectItem(
	    cJSON_GetArrayItem(cJSON_GetObjectItem(labs, "entry"), 0), "resource");
	struct chart_detail *d;
	size_t n;
	char *cause = NULL;

	cr_assert_eq(chart_details(o, CHART_LABS, QUIGLEY, NULL, &d, &n, &cause), 0, "%s", cause);
	cr_assert(has_detail(d, n, "Value", "178 mg/dL"));
	cr_assert(has_detail(d, n, "Range", "<200"));
	cr_assert(has_detail(d, n, "Code", "LOINC 2093-3 Total Cholesterol"));
	chart_details_free(d, n);
	cJSON_Delete(set);
}

Test(chart_details, a_vital_sign_shows_the_value_its_list_shows)
{
	static const char json[] = "{\"resourceType\":\"Observation\",\"id\":\"h1\","
	    "\"status\":\"final\",\"subject\":{\"reference\":\"Patient/p1\"},\"code\":{"
	    "\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8302-2\"}],\"text\":"
	    "\"Body Height\"},\"effectiveDateTime\":\"2020-11-10T08:00:00Z\",\"valueQuantity\":{"
	    "\"value\":174.0511726769968,\"unit\":\"cm\",\"code\":\"cm\"}}";
	cJSON *o = cJSON_Parse(json);
	char *set = xasprintf("{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":%s}]}", json);
	cJSON *page = cJSON_Parse(set);
	struct chart_list l = { 0 };
	struct chart_detail *d;
	size_t n;
	char *cause = NULL;

	chart_page_read(CHART_VITALS, page, "p1", &l);
	cr_assert_eq(l.n, 1);
	cr_assert_str_eq(l.items[0].value, "174.1 cm");
	cr_assert_eq(chart_details(o, CHART_VITALS, "p1", NULL, &d, &n, &cause), 0, "%s", cause);
	cr_assert(has_detail(d, n, "Value", "174.1 cm"), "the list's 174.1 cm, not a lab's 174");
	chart_details_free(d, n);
	/* A lab keeps a lab's precision. */
	cr_assert_eq(chart_details(o, CHART_LABS, "p1", NULL, &d, &n, &cause), 0, "%s", cause);
	cr_assert(has_detail(d, n, "Value", "174 cm"));
	chart_details_free(d, n);
	chart_list_clear(&l);
	cJSON_Delete(page);
	cJSON_Delete(o);
	free(set);
}

/* --- coming back to an open chart --------------------------------------------------------- */

Test(chart_changes, asks_by_the_servers_clock_in_one_small_batch)
{
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	struct chart_cover c = read_quigley();
	cJSON *batch = chart_changes_batch(fc, QUIGLEY, c.version, c.newest);
	const cJSON *first = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(batch, "entry"), 0),
	    "request");
	int n = cJSON_GetArraySize(cJSON_GetObjectItem(batch, "entry"));

	cr_assert_str_eq(c.newest, "2026-12-02T01:17:29.451Z", "the newest instant read: %s", c.newest);
	cr_assert_str_eq(cJSON_GetObjectItem(first, "url")->valuestring, "Patient/" QUIGLEY);
	cr_assert_str_eq(cJSON_GetObjectItem(first, "ifNoneMatch")->valuestring, "W/\"1\"");
	cr_assert_eq(n, 9, "the Patient and a count per type (Observation once), forecasts too: %d", n);
	for (int i = 1; i < n; i++) {
		const char *url = entry_url(batch, i);

		cr_assert_not_null(strstr(url, "_summary=count"), "%s", url);
		cr_assert_not_null(strstr(url, "_lastUpdated=gt2026-12-02T01%3A17%3A29.451Z"), "%s", url);
	}
	cJSON_Delete(batch);
	chart_cover_clear(&c);
	fhir_client_free(&fc);
}

Test(chart_changes, only_a_change_or_no_answer_reads_again)
{
	static const char *const same =
	    "{\"resourceType\":\"Bundle\",\"entry\":[{\"response\":{\"status\":\"304\"}},"
	    "{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":\"Bundle\",\"total\":0}}]}";
	static const char *const more =
	    "{\"resourceType\":\"Bundle\",\"entry\":[{\"response\":{\"status\":\"304\"}},"
	    "{\"response\":{\"status\":\"200\"},\"resource\":{\"resourceType\":\"Bundle\",\"total\":1}}]}";
	static const char *const patient =
	    "{\"resourceType\":\"Bundle\",\"entry\":[{\"response\":{\"status\":\"200\"}},"
	    "{\"response\":{\"status\":\"200\"},\"resource\":{\"resourceType\":\"Bundle\",\"total\":0}}]}";
	static const char *const failed =
	    "{\"resourceType\":\"Bundle\",\"entry\":[{\"response\":{\"status\":\"304\"}},"
	    "{\"response\":{\"status\":\"500\"}}]}";
	const char *const cases[] = { same, more, patient, failed, "{}" };
	const bool changed[] = { false, true, true, true, true };

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cJSON *r = cJSON_Parse(cases[i]);

		cr_assert_eq(chart_changed(r), changed[i], "case %zu", i);
		cJSON_Delete(r);
	}
}

/* --- immunizations due ------------------------------------------------------------------ */

/* A forecast of patient PATIENT made on MADE, with the recommendations RECS (JSON). */
#define FORECAST(id, patient, made, recs)                                                     \
	"{\"resource\":{\"resourceType\":\"ImmunizationRecommendation\",\"id\":\"" id "\","     \
	"\"patient\":{\"reference\":\"Patient/" patient "\"},\"date\":\"" made "\","            \
	"\"recommendation\":[" recs "]}}"
/* One recommendation: CVX code, forecast status, the date due. */
#define REC(cvx, status, due)                                                                 \
	"{\"vaccineCode\":[{\"coding\":[{\"system\":\"http://hl7.org/fhir/sid/cvx\",\"code\":\"" \
	cvx "\",\"display\":\"Vaccine " cvx "\"}]}],\"forecastStatus\":{\"coding\":[{\"system\":"  \
	"\"http://terminology.hl7.org/CodeSystem/immunization-recommendation-status\",\"code\":\"" \
	status "\"}]},\"dateCriterion\":[{\"code\":{\"coding\":[{\"system\":\"http://loinc.org\","  \
	"\"code\":\"30981-5\"}]},\"value\":\"2000-01-01\"},{\"code\":{\"coding\":[{\"system\":"     \
	"\"http://loinc.org\",\"code\":\"30980-7\"}]},\"value\":\"" due "\"}]}"
#define GIVEN(cvx, when, status)                                                              \
	"{\"resource\":{\"resourceType\":\"Immunization\",\"id\":\"i" cvx "\",\"status\":\""      \
	status "\",\"patient\":{\"reference\":\"Patient/p1\"},\"vaccineCode\":{\"coding\":[{"      \
	"\"system\":\"http://hl7.org/fhir/sid/cvx\",\"code\":\"" cvx "\"}]},"                     \
	"\"occurrenceDateTime\":\"" when "\"}}"

/* The given ones GIVEN (searchset entries), and the forecasts FORECASTS as a batch entry, merged. */
static struct chart_list
due_pane(const char *given, const char *forecasts)
{
	char *set = xasprintf("{\"resourceType\":\"Bundle\",\"total\":1,\"entry\":[%s]}", given);
	char *entry = xasprintf("{\"response\":{\"status\":\"200\"},\"resource\":{\"resourceType\":"
				"\"Bundle\",\"entry\":[%s]}}", forecasts);
	struct chart_list l = read_pane(CHART_IMMUNIZATIONS, set), due;
	cJSON *e = cJSON_Parse(entry);

	cr_assert_not_null(e, "bad fixture: %s", entry);
	chart_due_read(e, "p1", &l, &due);
	chart_due_merge(&l, &due);
	cr_assert_eq(due.n, 0, "taken");
	cJSON_Delete(e);
	free(set);
	free(entry);
	return l;
}

Test(chart_due, overdue_first_then_the_earliest_due_then_the_given)
{
	struct chart_list l = due_pane(GIVEN("140", "2020-10-01", "completed"),
	    FORECAST("f1", "p1", "2026-11-29", REC("187", "due", "2026-12-20") ","
		REC("115", "overdue", "2025-10-08") "," REC("03", "due", "2026-11-01") ","
		REC("33", "complete", "2020-01-01") "," REC("21", "immune", "2020-01-01") ","
		REC("10", "contraindicated", "2020-01-01")));

	cr_assert_eq(l.state, CHART_PANE_LOADED);
	cr_assert_eq(l.due, 3, "only due and overdue are due: %zu", l.due);
	cr_assert_eq(l.n, 4);
	cr_assert_str_eq(l.items[0].value, "115");
	cr_assert_str_eq(l.items[0].status, "overdue");
	cr_assert(l.items[0].alert);
	cr_assert_str_eq(l.items[1].value, "03");
	cr_assert_str_eq(l.items[1].date, "2026-11-01");
	cr_assert_str_eq(l.items[2].value, "187");
	cr_assert_str_eq(l.items[2].what, "Vaccine 187");
	cr_assert_str_eq(l.items[2].id, "f1");
	cr_assert_not(l.items[3].due);
	cr_assert_str_eq(l.items[3].value, "140");
	cr_assert_eq(l.total, 1 + 3);
	chart_list_clear(&l);
}

/* Nothing due (every vaccine complete, or no forecast at all): the given ones as they were. */
Test(chart_due, nothing_due_leaves_the_given_as_they_were)
{
	const char *const forecasts[] = {
		FORECAST("f1", "p1", "2026-11-29", REC("33", "complete", "2020-01-01")), "",
	};

	for (size_t i = 0; i < sizeof forecasts / sizeof forecasts[0]; i++) {
		struct chart_list l = due_pane(GIVEN("140", "2020-10-01", "completed"), forecasts[i]);

		cr_assert_eq(l.state, CHART_PANE_LOADED);
		cr_assert_eq(l.due, 0);
		cr_assert_eq(l.n, 1);
		cr_assert_str_eq(l.items[0].value, "140");
		cr_assert_eq(l.total, 1);
		cr_assert_null(l.failure);
		chart_list_clear(&l);
	}
}

/* The forecast is a point in time: a dose given since answers it, one given before does not. */
Test(chart_due, a_dose_given_since_the_forecast_answers_it)
{
	struct chart_list l = due_pane(GIVEN("140", "2026-11-30T09:00:00Z", "completed") ","
	    GIVEN("187", "2026-11-28", "completed") "," GIVEN("115", "2026-12-01", "not-done"),
	    FORECAST("f1", "p1", "2026-11-29T08:00:00Z", REC("140", "due", "2026-11-02") ","
		REC("187", "due", "2026-11-22") "," REC("115", "overdue", "2025-10-08")));

	cr_assert_eq(l.due, 2);
	cr_assert_str_eq(l.items[0].value, "115", "a dose not done answers nothing");
	cr_assert_str_eq(l.items[1].value, "187", "given the day before the forecast");
	chart_list_clear(&l);
}

/* The newest forecast of a vaccine counts, in whatever order the server sends them. */
Test(chart_due, the_newest_forecast_of_a_vaccine_counts)
{
	struct chart_list l = due_pane("",
	    FORECAST("old", "p1", "2025-01-01", REC("33", "due", "2025-02-01") ","
		REC("187", "due", "2025-02-01")) ","
	    FORECAST("new", "p1", "2026-11-29", REC("33", "complete", "2020-01-01") ","
		REC("187", "due", "2026-12-20")) ","
	    FORECAST("older", "p1", "2024-01-01", REC("115", "due", "2024-02-01")));

	cr_assert_eq(l.due, 2);
	cr_assert_str_eq(l.items[0].value, "115", "no newer forecast of it");
	cr_assert_str_eq(l.items[0].id, "older");
	cr_assert_str_eq(l.items[1].value, "187");
	cr_assert_str_eq(l.items[1].id, "new", "the newer forecast's date");
	cr_assert_str_eq(l.items[1].date, "2026-12-20");
	chart_list_clear(&l);
}

Test(chart_due, another_patients_forecast_refuses_the_pane)
{
	struct chart_list l = due_pane(GIVEN("140", "2020-10-01", "completed"),
	    FORECAST("f1", "p1", "2026-11-29", REC("187", "due", "2026-12-20")) ","
	    FORECAST("f2", "p2", "2026-11-29", REC("115", "due", "2026-12-20")));

	cr_assert_eq(l.state, CHART_PANE_REFUSED);
	cr_assert_eq(l.n, 0, "nothing of the pane is shown");
	cr_assert_not_null(strstr(l.failure, "another patient"), "%s", l.failure);
	chart_list_clear(&l);
}

Test(chart_due, a_failed_forecast_search_is_said_and_the_given_still_show)
{
	cJSON *set = cJSON_Parse("{\"resourceType\":\"Bundle\",\"entry\":[" GIVEN("140", "2020-10-01",
	    "completed") "]}");
	cJSON *failed = cJSON_Parse("{\"response\":{\"status\":\"404 Not Found\"},\"outcome\":{"
				    "\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":"
				    "\"error\",\"code\":\"not-supported\",\"diagnostics\":\"Unknown type\"}]}}");
	struct chart_list l = { 0 }, due;

	chart_list_read(CHART_IMMUNIZATIONS, CHART_VITAL_COUNT, set, "p1", &l);
	chart_due_read(failed, "p1", &l, &due);
	cr_assert_eq(due.state, CHART_PANE_NOT_LOADED);
	chart_due_merge(&l, &due);
	cr_assert_eq(l.state, CHART_PANE_LOADED);
	cr_assert_eq(l.n, 1);
	cr_assert_eq(l.due, 0);
	cr_assert_not_null(l.failure);
	cr_assert_not_null(strstr(l.failure, "immunizations due"), "%s", l.failure);
	chart_list_clear(&l);

	/* No entry at all (an older server's answer): said the same way. */
	chart_list_read(CHART_IMMUNIZATIONS, CHART_VITAL_COUNT, set, "p1", &l);
	chart_due_read(NULL, "p1", &l, &due);
	chart_due_merge(&l, &due);
	cr_assert_eq(l.n, 1);
	cr_assert_not_null(l.failure);
	chart_list_clear(&l);
	cJSON_Delete(set);
	cJSON_Delete(failed);
}

/* The given ones not read: no row due either, what is due cannot be told without them. */
Test(chart_due, nothing_due_without_the_given)
{
	cJSON *e = cJSON_Parse("{\"response\":{\"status\":\"200\"},\"resource\":{\"resourceType\":"
			       "\"Bundle\",\"entry\":[" FORECAST("f1", "p1", "2026-11-29",
				   REC("187", "due", "2026-12-20")) "]}}");
	struct chart_list l = { 0 }, due;

	l.state = CHART_PANE_NOT_LOADED;
	l.failure = xstrdup("the immunizations could not be read");
	chart_due_read(e, "p1", &l, &due);
	cr_assert_eq(due.n, 1);
	chart_due_merge(&l, &due);
	cr_assert_eq(l.state, CHART_PANE_NOT_LOADED);
	cr_assert_eq(l.n, 0);
	cr_assert_str_eq(l.failure, "the immunizations could not be read");
	chart_list_clear(&l);
	cJSON_Delete(e);
}

/*
 * 100,000 forecasts of 100,000 recommendations' worth, and a pane already full of given
 * ones: at most CHART_DUE_MAX due, the pane at most CHART_ITEMS_MAX rows, in time linear
 * in what is read (SIGALRM ends a reader still at it after 10 s).
 */
Test(chart_due, bounded_whatever_the_server_sends)
{
	cJSON *e = cJSON_CreateObject(), *set = cJSON_AddObjectToObject(e, "resource");
	cJSON *entries = cJSON_AddArrayToObject(set, "entry"), *one, *recs, *rec;
	cJSON *given = cJSON_CreateObject(), *rows = cJSON_AddArrayToObject(given, "entry");
	struct chart_list l = { 0 }, due;
	char code[16];

	alarm(RUNNING_ON_VALGRIND ? 300 : 10);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(e, "response"), "status", "200");
	one = cJSON_Parse(FORECAST("f", "p1", "2026-11-29", ""));
	recs = cJSON_GetObjectItem(cJSON_GetObjectItem(one, "resource"), "recommendation");
	rec = cJSON_Parse(REC("1", "due", "2026-12-01"));
	for (int i = 0; i < 100000; i++) {
		cJSON *r = cJSON_Duplicate(rec, true);

		/* Each a vaccine of its own, so none is dropped as an older forecast of another. */
		snprintf(code, sizeof code, "%d", i);
		cJSON_SetValuestring(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(
		    cJSON_GetArrayItem(cJSON_GetObjectItem(r, "vaccineCode"), 0), "coding"), 0), "code"), code);
		cJSON_AddItemToArray(recs, r);
	}
	cJSON_Delete(rec);
	cJSON_AddItemToArray(entries, one);
	rec = cJSON_Parse(FORECAST("g", "p1", "2026-11-29", REC("2", "due", "2026-12-01")));
	for (int i = 0; i < 100000; i++)
		cJSON_AddItemToArray(entries, cJSON_Duplicate(rec, true));
	cJSON_Delete(rec);
	for (int i = 0; i < CHART_ITEMS_MAX; i++)
		cJSON_AddItemToArray(rows, cJSON_Parse(GIVEN("140", "2020-10-01", "completed")));

	chart_list_read(CHART_IMMUNIZATIONS, CHART_VITAL_COUNT, given, "p1", &l);
	cr_assert_eq(l.n, CHART_ITEMS_MAX);
	chart_due_read(e, "p1", &l, &due);
	cr_assert_eq(due.n, CHART_DUE_MAX);
	cr_assert_eq(due.total, CHART_ITEMS_MAX, "as many recommendations as a pane reads: %ld", due.total);
	chart_due_merge(&l, &due);
	cr_assert_eq(l.n, CHART_ITEMS_MAX, "the pane stays bounded: %zu", l.n);
	cr_assert_eq(l.due, CHART_DUE_MAX);
	cr_assert(l.items[CHART_DUE_MAX - 1].due && !l.items[CHART_DUE_MAX].due);
	chart_list_clear(&l);
	cJSON_Delete(e);
	cJSON_Delete(given);
}

Test(chart_due, a_forecast_shows_its_details)
{
	cJSON *entry = cJSON_Parse(FORECAST("f1", "p1", "2026-11-29T08:00:00Z",
	    REC("187", "due", "2026-12-20")));
	cJSON *doc = cJSON_DetachItemFromObject(entry, "resource");
	struct chart_detail *d;
	size_t n;
	char *cause = NULL;

	cJSON_Delete(entry);
	cr_assert_eq(chart_details(doc, CHART_IMMUNIZATIONS, "p1", "f1", &d, &n, &cause), 0, "%s", cause);
	cr_assert(has_detail(d, n, "Forecast", "2026-11-29T08:00:00Z"));
	cr_assert(has_detail(d, n, "Vaccine", "Vaccine 187"));
	cr_assert(has_detail(d, n, "Status", "due"));
	cr_assert(has_detail(d, n, "Due", "2026-12-20"));
	cr_assert(has_detail(d, n, "Earliest", "2000-01-01"));
	cr_assert(has_detail(d, n, "Code", "CVX 187 Vaccine 187"));
	chart_details_free(d, n);
	cr_assert_eq(chart_details(doc, CHART_IMMUNIZATIONS, "p2", NULL, &d, &n, &cause), -1);
	cr_assert_not_null(strstr(cause, "another patient"), "%s", cause);
	free(cause);
	cause = NULL;
	cr_assert_eq(chart_details(doc, CHART_VITALS, "p1", NULL, &d, &n, &cause), -1, "not a vital sign");
	free(cause);
	cause = NULL;
	/* Read as a row due, a forecast shows; as a row given, it is refused, and the other way round. */
	cr_assert_eq(chart_row_details(doc, CHART_IMMUNIZATIONS, "ImmunizationRecommendation", "p1",
	    "f1", &d, &n, &cause), 0, "%s", cause);
	chart_details_free(d, n);
	cr_assert_eq(chart_row_details(doc, CHART_IMMUNIZATIONS, "Immunization", "p1", "f1", &d, &n,
	    &cause), -1);
	free(cause);
	cause = NULL;
	cJSON_ReplaceItemInObject(doc, "resourceType", cJSON_CreateString("Immunization"));
	cr_assert_eq(chart_row_details(doc, CHART_IMMUNIZATIONS, "ImmunizationRecommendation", "p1",
	    "f1", &d, &n, &cause), -1);
	free(cause);
	cJSON_Delete(doc);
}

/* The immunizations list's first page: the given ones and the forecasts in one batch, read apart. */
Test(chart_due, the_lists_first_page_is_one_batch)
{
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	cJSON *batch = chart_immunizations_batch(fc, "p1", 30);
	cJSON *answer = cJSON_Parse("{\"resourceType\":\"Bundle\",\"type\":\"batch-response\",\"entry\":["
	    "{\"response\":{\"status\":\"200\"},\"resource\":{\"resourceType\":\"Bundle\",\"total\":40,"
	    "\"link\":[{\"relation\":\"next\",\"url\":\"https://ehr.example/fhir/Immunization?p=2\"}],"
	    "\"entry\":[" GIVEN("140", "2020-10-01", "completed") "]}},"
	    "{\"response\":{\"status\":\"200\"},\"resource\":{\"resourceType\":\"Bundle\",\"entry\":["
	    FORECAST("f1", "p1", "2026-11-29", REC("187", "due", "2026-12-20")) "]}}]}");
	struct chart_list given, due;
	const cJSON *set;

	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(batch, "entry")), 2);
	cr_assert(strncmp(entry_url(batch, 0), "Immunization?", 13) == 0, "%s", entry_url(batch, 0));
	cr_assert_not_null(strstr(entry_url(batch, 0), "_count=30"), "%s", entry_url(batch, 0));
	cr_assert(strncmp(entry_url(batch, 1), "ImmunizationRecommendation?", 27) == 0);
	set = chart_immunizations_read(answer, "p1", &given, &due);
	cr_assert_not_null(set);
	cr_assert_eq(fhir_bundle_total(set), 40);
	cr_assert_eq(given.n, 1);
	cr_assert_eq(due.n, 1);
	cr_assert(due.items[0].due);
	chart_list_clear(&given);
	chart_list_clear(&due);
	cJSON_Delete(answer);
	cJSON_Delete(batch);
	fhir_client_free(&fc);
}
