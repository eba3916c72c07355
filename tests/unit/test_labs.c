/*
 * Unit tests for the labs list and a test's trend. The fixtures are the sandbox's real
 * answers for the Synthea patient Patria Schimmel (tests/sandbox/lib/data-labs.js adds her
 * HbA1c results): tests/unit/data/labs-page-schimmel.json to the first page's batch,
 * labs-trend-schimmel.json to the HbA1c trend's search (the server's port replaced).
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/labs.h"
#include "util/xmalloc.h"

#define SCHIMMEL "148f10e1-2182-4297-ac1f-39bb9eca6f1a"
#define HBA1C "http://loinc.org|4548-4"

static cJSON *
fixture(const char *name)
{
	const char *srcdir = getenv("EHRTERM_SRCDIR");
	char *path, *text;
	FILE *f;
	long len;
	cJSON *j;

	cr_assert_not_null(srcdir, "EHRTERM_SRCDIR is not set; run make check, or set it to the "
				   "source tree");
	path = xasprintf("%s/tests/unit/data/%s", srcdir, name);
	f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = xcalloc(1, (size_t)len + 1);
	cr_assert_eq(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	j = cJSON_Parse(text);
	cr_assert_not_null(j, "%s is not JSON", path);
	free(text);
	free(path);
	return j;
}

static const char *
entry_url(const cJSON *batch, int i)
{
	const cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(batch, "entry"), i);

	return cJSON_GetObjectItem(cJSON_GetObjectItem(e, "request"), "url")->valuestring;
}

/* --- the page's batch -------------------------------------------------------------------- */

Test(labs_batch, one_round_trip_reports_with_their_results)
{
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	cJSON *batch = labs_page_batch(fc, SCHIMMEL, NULL);
	const char *reports, *results;

	cr_assert_str_eq(cJSON_GetObjectItem(batch, "type")->valuestring, "batch");
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(batch, "entry")), 2);
	reports = entry_url(batch, 0);
	results = entry_url(batch, 1);
	cr_assert(strncmp(reports, "DiagnosticReport?", 17) == 0, "%s", reports);
	cr_assert_not_null(strstr(reports, "_include=DiagnosticReport%3Aresult"), "%s", reports);
	cr_assert_not_null(strstr(reports, "_count=20"), "%s", reports);
	cr_assert(strncmp(results, "Observation?", 12) == 0, "%s", results);
	cr_assert_not_null(strstr(results, "category=laboratory"), "%s", results);
	cr_assert_not_null(strstr(results, "_count=50"), "%s", results);
	for (int i = 0; i < 2; i++) {
		const char *url = entry_url(batch, i);

		cr_assert_not_null(strstr(url, "patient=" SCHIMMEL), "%s", url);
		cr_assert_not_null(strstr(url, "_sort=-date"), "%s", url);
		cr_assert_not_null(strstr(url, "_elements="), "%s", url);
		cr_assert_null(strstr(url, "date=l"), "the first page has no date bound: %s", url);
	}
	cJSON_Delete(batch);
	/* A later page: both searches end where the page before did. */
	batch = labs_page_batch(fc, SCHIMMEL, "le2019-06-25T04:22:04+00:00");
	for (int i = 0; i < 2; i++)
		cr_assert_not_null(strstr(entry_url(batch, i), "date=le2019-06-25T04%3A22%3A04%2B00%3A00"),
		    "%s", entry_url(batch, i));
	cJSON_Delete(batch);
	/* A cursor that is not a date goes nowhere near the query. */
	batch = labs_page_batch(fc, SCHIMMEL, "le2019&_include=*");
	cr_assert_null(strstr(entry_url(batch, 1), "date="), "%s", entry_url(batch, 1));
	cJSON_Delete(batch);
	fhir_client_free(&fc);
}

/* --- the real sample answer -------------------------------------------------------------- */

static const struct labs_row *
row_of(const struct labs_page *p, enum labs_kind kind, const char *what, const char *date)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->rows[i].kind == kind && strcmp(p->rows[i].item.what, what) == 0 &&
		    (date == NULL || strcmp(p->rows[i].item.date, date) == 0))
			return &p->rows[i];
	cr_assert_fail("no row %s %s", what, date ? date : "");
	return NULL;
}

Test(labs_read, schimmel_by_panel_and_date)
{
	cJSON *response = fixture("labs-page-schimmel.json");
	struct labs_page p;
	const struct labs_row *r;
	size_t panels = 0, results = 0, singles = 0;

	labs_page_read(response, SCHIMMEL, &p);
	cr_assert_eq(p.state, CHART_PANE_LOADED, "%s", p.failure);
	cr_assert_null(p.next, "every lab fits one page: %s", p.next);
	cr_expect_eq(p.left_out, 0);
	for (size_t i = 0; i < p.n; i++) {
		panels += p.rows[i].kind == LABS_PANEL;
		results += p.rows[i].kind == LABS_RESULT;
		singles += p.rows[i].kind == LABS_SINGLE;
	}
	/* 5 reports (2 BMP of 8, 2 lipid panels of 4, a CBC of 11); 13 HbA1c and a urine colour in no report. */
	cr_expect_eq(panels, 5);
	cr_expect_eq(results, 8 + 8 + 4 + 4 + 11);
	cr_expect_eq(singles, 14, "every result in no report listed, none twice: %zu", singles);
	/* Newest first: the HbA1c of 2026, ..., and the report of an instant before its results. */
	cr_expect_str_eq(p.rows[0].item.what, "Hemoglobin A1c/Hemoglobin.total in Blood");
	cr_expect_str_eq(p.rows[0].item.date, "2026-06-16");
	cr_expect_str_eq(p.rows[0].item.value, "5.9 %");
	cr_expect_str_eq(p.rows[0].item.flag, "H");
	cr_expect_str_eq(p.rows[0].item.detail, "4-5.6");
	cr_expect_str_eq(p.rows[0].code, HBA1C);
	cr_expect_eq(p.rows[11].kind, LABS_PANEL);
	cr_expect_str_eq(p.rows[11].item.what, "Basic Metabolic Panel");
	cr_expect_str_eq(p.rows[11].item.date, "2019-06-25");
	cr_expect_str_eq(p.rows[11].item.status, "final");
	cr_expect_eq(p.rows[12].kind, LABS_RESULT);
	r = row_of(&p, LABS_SINGLE, "Color of Urine", "2023-03-14");
	cr_expect_str_eq(r->item.value, "Yellow", "a result written as words");
	for (size_t i = 1; i < p.n; i++)
		cr_expect_geq(strcmp(p.rows[i - 1].item.date, p.rows[i].item.date) >= 0 ||
			p.rows[i].kind == LABS_RESULT, 1, "row %zu is newer than the one above it", i);
	r = row_of(&p, LABS_SINGLE, "Hemoglobin A1c/Hemoglobin.total in Blood", "2024-01-16");
	cr_expect_str_eq(r->item.flag, "L");
	cr_expect_str_eq(r->item.value, "3.9 %");
	r = row_of(&p, LABS_PANEL, "Complete blood count (hemogram) panel - Blood by Automated count", NULL);
	cr_expect_str_eq(r->item.date, "2015-12-01");
	cr_expect_eq((r + 1)->kind, LABS_RESULT);
	cr_expect_str_eq((r + 1)->code, "http://loinc.org|6690-2");
	labs_page_clear(&p);
	cJSON_Delete(response);
}

Test(labs_read, another_patients_report_refuses_the_page)
{
	cJSON *response = fixture("labs-page-schimmel.json");
	cJSON *reports = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(response, "entry"), 0), "resource");
	cJSON *report = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(reports, "entry"), 2), "resource");
	struct labs_page p;

	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(report, "subject"), "reference",
	    cJSON_CreateString("Patient/someone-else"));
	labs_page_read(response, SCHIMMEL, &p);
	cr_expect_eq(p.state, CHART_PANE_REFUSED);
	cr_expect_eq(p.n, 0, "nothing of it shows");
	cr_expect_not_null(strstr(p.failure, "another patient"));
	labs_page_clear(&p);
	cJSON_Delete(response);
}

Test(labs_read, a_failed_search_says_which)
{
	cJSON *response = cJSON_Parse("{\"resourceType\":\"Bundle\",\"type\":\"batch-response\",\"entry\":["
				      "{\"response\":{\"status\":\"200\"},\"resource\":{\"resourceType\":\"Bundle\"}},"
				      "{\"response\":{\"status\":\"500\"}}]}");
	struct labs_page p;

	labs_page_read(response, SCHIMMEL, &p);
	cr_expect_eq(p.state, CHART_PANE_NOT_LOADED);
	cr_expect_not_null(strstr(p.failure, "lab results"), "%s", p.failure);
	labs_page_clear(&p);
	cJSON_Delete(response);
	labs_page_read(NULL, SCHIMMEL, &p);
	cr_expect_eq(p.state, CHART_PANE_NOT_LOADED);
	labs_page_clear(&p);
}

/* --- paging by date ---------------------------------------------------------------------- */

/* A batch-response: NR reports at the instants WHEN(i), each with one included result, and NS results in no report. */
static cJSON *
synthetic(int nr, const char *(*when)(int), int ns, const char *single_when)
{
	cJSON *resp = cJSON_CreateObject(), *entries = cJSON_AddArrayToObject(resp, "entry");
	cJSON *sets[2];

	for (int k = 0; k < 2; k++) {
		cJSON *e = cJSON_CreateObject();

		cJSON_AddItemToObject(cJSON_AddObjectToObject(e, "response"), "status", cJSON_CreateString("200"));
		sets[k] = cJSON_AddObjectToObject(e, "resource");
		cJSON_AddStringToObject(sets[k], "resourceType", "Bundle");
		cJSON_AddArrayToObject(sets[k], "entry");
		cJSON_AddItemToArray(entries, e);
	}
	for (int i = 0; i < nr; i++) {
		char *text = xasprintf(
		    "{\"resource\":{\"resourceType\":\"DiagnosticReport\",\"id\":\"r%d\",\"status\":\"final\","
		    "\"code\":{\"text\":\"Panel %d\"},\"subject\":{\"reference\":\"Patient/p1\"},"
		    "\"effectiveDateTime\":\"%s\",\"result\":[{\"reference\":\"Observation/o%d\"}]}}",
		    i, i, when(i), i);
		char *inc = xasprintf(
		    "{\"resource\":{\"resourceType\":\"Observation\",\"id\":\"o%d\",\"status\":\"final\","
		    "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"2339-0\"}],\"text\":\"Glucose\"},"
		    "\"subject\":{\"reference\":\"Patient/p1\"},\"effectiveDateTime\":\"%s\","
		    "\"valueQuantity\":{\"value\":%d,\"unit\":\"mg/dL\"}}}",
		    i, when(i), 90 + i);

		cJSON_AddItemToArray(cJSON_GetObjectItem(sets[0], "entry"), cJSON_Parse(text));
		cJSON_AddItemToArray(cJSON_GetObjectItem(sets[0], "entry"), cJSON_Parse(inc));
		free(text);
		free(inc);
	}
	for (int i = 0; i < ns; i++) {
		char *text = xasprintf(
		    "{\"resource\":{\"resourceType\":\"Observation\",\"id\":\"s%d\",\"status\":\"final\","
		    "\"code\":{\"text\":\"HbA1c\"},\"subject\":{\"reference\":\"Patient/p1\"},"
		    "\"effectiveDateTime\":\"%s\",\"valueQuantity\":{\"value\":6,\"unit\":\"%%\"}}}",
		    i, single_when);

		cJSON_AddItemToArray(cJSON_GetObjectItem(sets[1], "entry"), cJSON_Parse(text));
		free(text);
	}
	return resp;
}

static const char *
day_in_january(int i)
{
	static char buf[40];

	/* r0 the newest: 2020-01-20 down to 2020-01-01. */
	snprintf(buf, sizeof buf, "2020-01-%02dT08:00:00+00:00", 20 - i);
	return buf;
}

static const char *
one_instant(int i)
{
	(void)i;
	return "2020-01-01T08:00:00+00:00";
}

/* A full page of reports: the page ends after the oldest report's instant, which comes next, whole. */
Test(labs_paging, a_full_page_ends_at_a_whole_instant)
{
	cJSON *resp = synthetic(LABS_PAGE_REPORTS, day_in_january, 3, "2020-01-10T12:00:00+00:00");
	struct labs_page p;

	labs_page_read(resp, "p1", &p);
	cr_assert_eq(p.state, CHART_PANE_LOADED, "%s", p.failure);
	cr_assert_str_eq(p.next, "le2020-01-01T08:00:00+00:00");
	/* 19 reports with their result, and the 3 singles; the report of 2020-01-01 is the next page's. */
	cr_expect_eq(p.n, 19 * 2 + 3, "%zu", p.n);
	cr_expect_str_eq(p.rows[p.n - 1].item.what, "Glucose");
	cr_expect_str_eq(p.rows[p.n - 2].item.what, "Panel 18");
	labs_page_clear(&p);
	cJSON_Delete(resp);
}

/* More reports of one instant than a page holds: shown all, and the next page starts before it. */
Test(labs_paging, one_instant_fills_a_page)
{
	cJSON *resp = synthetic(LABS_PAGE_REPORTS, one_instant, 0, "");
	struct labs_page p;

	labs_page_read(resp, "p1", &p);
	cr_assert_eq(p.state, CHART_PANE_LOADED);
	cr_expect_str_eq(p.next, "lt2020-01-01T08:00:00+00:00");
	cr_expect_eq(p.n, LABS_PAGE_REPORTS * 2);
	labs_page_clear(&p);
	cJSON_Delete(resp);
}

/* A report naming 100,000 results shows at most LABS_REPORT_RESULTS_MAX and counts the rest. */
Test(labs_paging, a_huge_report_is_bounded)
{
	cJSON *resp = synthetic(1, day_in_january, 0, "");
	cJSON *set = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(resp, "entry"), 0), "resource");
	cJSON *report = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(set, "entry"), 0), "resource");
	cJSON *refs = cJSON_GetObjectItem(report, "result");
	struct labs_page p;

	for (int i = 0; i < 100000; i++) {
		cJSON *ref = cJSON_CreateObject();

		cJSON_AddStringToObject(ref, "reference", "Observation/o0");
		cJSON_AddItemToArray(refs, ref);
	}
	labs_page_read(resp, "p1", &p);
	cr_assert_eq(p.state, CHART_PANE_LOADED);
	cr_expect_eq(p.n, 1 + LABS_REPORT_RESULTS_MAX);
	cr_expect_eq(p.left_out, 100001 - LABS_REPORT_RESULTS_MAX);
	labs_page_clear(&p);
	cJSON_Delete(resp);
}

/* --- one test's trend ---------------------------------------------------------------------- */

Test(labs_trend, search_bounded_by_the_code)
{
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	struct fhir_search *s = labs_trend_search(SCHIMMEL, HBA1C);
	char *q = fhir_search_relative(fc, s);

	cr_assert_not_null(strstr(q, "code=http%3A%2F%2Floinc.org%7C4548-4"), "%s", q);
	cr_assert_not_null(strstr(q, "patient=" SCHIMMEL), "%s", q);
	cr_assert_not_null(strstr(q, "_count=36"), "%s", q);
	cr_assert_not_null(strstr(q, "_sort=-date"), "%s", q);
	cr_assert_not_null(strstr(q, "_elements="), "%s", q);
	free(q);
	fhir_search_free(&s);
	fhir_client_free(&fc);
	/* Codes a search list would read as more than one, or none. */
	cr_expect_null(labs_trend_search(SCHIMMEL, ""));
	cr_expect_null(labs_trend_search(SCHIMMEL, "4548-4"));
	cr_expect_null(labs_trend_search(SCHIMMEL, "|4548-4"));
	cr_expect_null(labs_trend_search(SCHIMMEL, "http://loinc.org|"));
	cr_expect_null(labs_trend_search(SCHIMMEL, "http://loinc.org|4548-4,2339-0"));
	cr_expect_null(labs_trend_search(SCHIMMEL, "http://loinc.org|4548 4"));
	cr_expect_null(labs_trend_search(SCHIMMEL, NULL));
}

Test(labs_trend, schimmel_hba1c_oldest_first)
{
	cJSON *answer = fixture("labs-trend-schimmel.json");
	struct labs_trend t;

	labs_trend_read(answer, SCHIMMEL, HBA1C, &t);
	cr_assert_eq(t.state, CHART_PANE_LOADED);
	cr_assert_eq(t.n, 13);
	cr_expect_eq(t.total, 13);
	cr_expect_str_eq(t.name, "Hemoglobin A1c/Hemoglobin.total in Blood");
	cr_expect_str_eq(t.unit, "%");
	cr_expect_eq(t.other_units + t.unusable, 0);
	cr_expect_str_eq(t.v[0].date, "2015-12-01");
	cr_expect_eq(t.v[0].value, 5.848556810985231);
	cr_expect_str_eq(t.v[0].label, "5.85");
	cr_expect_str_eq(t.v[10].date, "2024-01-16");
	cr_expect_str_eq(t.v[10].flag, "L");
	cr_expect_str_eq(t.v[12].date, "2026-06-16");
	cr_expect_str_eq(t.v[12].label, "5.9");
	cr_expect_str_eq(t.v[12].flag, "H");
	cr_expect_str_eq(t.v[12].range, "4-5.6");
	for (size_t i = 1; i < t.n; i++)
		cr_expect_lt(strcmp(t.v[i - 1].date, t.v[i].date), 0, "value %zu out of order", i);
	labs_trend_clear(&t);
	cJSON_Delete(answer);
}

/* A server that ignored the code, values in another unit, and values without a number or date. */
Test(labs_trend, only_this_test_in_one_unit)
{
	cJSON *answer = fixture("labs-trend-schimmel.json");
	cJSON *entries = cJSON_GetObjectItem(answer, "entry");
	cJSON *o;
	struct labs_trend t;

	/* The newest is another test; the oldest in mmol/mol; one has no value, one no date. */
	o = cJSON_GetObjectItem(cJSON_GetArrayItem(entries, 0), "resource");
	cJSON_ReplaceItemInObject(o, "code", cJSON_Parse("{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"2339-0\"}]}"));
	o = cJSON_GetObjectItem(cJSON_GetArrayItem(entries, 12), "resource");
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(o, "valueQuantity"), "unit", cJSON_CreateString("mmol/mol"));
	o = cJSON_GetObjectItem(cJSON_GetArrayItem(entries, 5), "resource");
	cJSON_DeleteItemFromObject(o, "valueQuantity");
	o = cJSON_GetObjectItem(cJSON_GetArrayItem(entries, 6), "resource");
	cJSON_ReplaceItemInObject(o, "effectiveDateTime", cJSON_CreateString("\x1b]0;2021"));
	labs_trend_read(answer, SCHIMMEL, HBA1C, &t);
	cr_assert_eq(t.state, CHART_PANE_LOADED);
	cr_expect_eq(t.unusable, 3);
	cr_expect_eq(t.other_units, 1);
	cr_expect_eq(t.n, 9);
	cr_expect_str_eq(t.v[t.n - 1].date, "2025-06-17", "the newest of this test");
	labs_trend_clear(&t);
	/* Another patient's value refuses the whole answer. */
	o = cJSON_GetObjectItem(cJSON_GetArrayItem(entries, 3), "resource");
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(o, "subject"), "reference", cJSON_CreateString("Patient/other"));
	labs_trend_read(answer, SCHIMMEL, HBA1C, &t);
	cr_expect_eq(t.state, CHART_PANE_REFUSED);
	cr_expect_eq(t.n, 0);
	labs_trend_clear(&t);
	cJSON_Delete(answer);
}
