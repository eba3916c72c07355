/*
 * Unit tests for vital-signs entry: what a clinician types, how it is shown in the
 * clinic's units, which values ask before saving, and the Observations the save writes.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/vitals.h"
#include "util/xmalloc.h"

static struct vital_entry
parsed(int sign, const char *text, enum vital_units units)
{
	struct vital_entry e;
	char *cause = NULL;

	cr_assert_eq(vital_parse(sign, text, units, &e, &cause), 0, "%s refused: %s", text,
	    cause != NULL ? cause : "");
	cr_assert(e.set, "%s", text);
	return e;
}

static char *
refused(int sign, const char *text)
{
	struct vital_entry e = { .set = true, .value = 7, .unit = "cm" };
	struct vital_entry before = e;
	char *cause = NULL;

	cr_assert_eq(vital_parse(sign, text, VITAL_UNITS_US, &e, &cause), -1, "%s was taken",
	    text);
	cr_assert_not_null(cause);
	cr_assert(e.value == before.value && e.set, "a refused entry leaves the old one: %s", text);
	return cause;
}

static void
shown_as(int sign, const char *text, enum vital_units units, const char *want)
{
	struct vital_entry e = parsed(sign, text, units);
	char out[64];

	vital_show(sign, &e, units, out, sizeof out);
	cr_assert_str_eq(out, want, "%s", text);
}

Test(vitals_parse, heights_in_every_form_people_type)
{
	struct {
		const char *text;
		double value;
		const char *unit;
	} cases[] = {
		{ "5'9\"", 69, "[in_i]" }, { "5' 9\"", 69, "[in_i]" }, { "5'9", 69, "[in_i]" },
		{ "5 ft 9 in", 69, "[in_i]" }, { "5ft2in", 62, "[in_i]" }, { "5ft", 60, "[in_i]" }, { "69in", 69, "[in_i]" },
		{ "69.5\"", 69.5, "[in_i]" }, { "175cm", 175, "cm" }, { "175 CM", 175, "cm" },
		{ "1.75m", 175, "cm" }, { "1,73 m", 173, "cm" }, { "69", 69, "[in_i]" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct vital_entry e = parsed(CHART_VITAL_HEIGHT, cases[i].text, VITAL_UNITS_US);

		cr_assert(fabs(e.value - cases[i].value) < 1e-9, "%s: %g", cases[i].text, e.value);
		cr_assert_str_eq(e.unit, cases[i].unit, "%s", cases[i].text);
	}
	/* A bare number is the clinic's unit: centimetres in a metric clinic. */
	cr_assert_str_eq(parsed(CHART_VITAL_HEIGHT, "175", VITAL_UNITS_METRIC).unit, "cm");
}

Test(vitals_parse, weights_and_temperatures)
{
	struct vital_entry e = parsed(CHART_VITAL_WEIGHT, "154lb", VITAL_UNITS_METRIC);

	cr_assert(e.value == 154 && strcmp(e.unit, "[lb_av]") == 0);
	e = parsed(CHART_VITAL_WEIGHT, "7 lb 4 oz", VITAL_UNITS_US);
	cr_assert(e.value == 7.25 && strcmp(e.unit, "[lb_av]") == 0, "%g", e.value);
	e = parsed(CHART_VITAL_WEIGHT, "70kg", VITAL_UNITS_US);
	cr_assert(e.value == 70 && strcmp(e.unit, "kg") == 0);
	e = parsed(CHART_VITAL_WEIGHT, "3400 g", VITAL_UNITS_US);
	cr_assert(e.value == 3400 && strcmp(e.unit, "g") == 0);
	e = parsed(CHART_VITAL_WEIGHT, "70", VITAL_UNITS_METRIC);
	cr_assert_str_eq(e.unit, "kg");
	e = parsed(CHART_VITAL_TEMP, "98.6F", VITAL_UNITS_METRIC);
	cr_assert(fabs(e.value - 98.6) < 1e-9 && strcmp(e.unit, "[degF]") == 0);
	e = parsed(CHART_VITAL_TEMP, "37 \xc2\xb0" "C", VITAL_UNITS_US);
	cr_assert(e.value == 37 && strcmp(e.unit, "Cel") == 0);
	e = parsed(CHART_VITAL_TEMP, "37,2", VITAL_UNITS_METRIC);
	cr_assert(fabs(e.value - 37.2) < 1e-9 && strcmp(e.unit, "Cel") == 0);
	e = parsed(CHART_VITAL_BP, "120/80", VITAL_UNITS_US);
	cr_assert(e.value == 120 && e.diastolic == 80 && strcmp(e.unit, "mm[Hg]") == 0);
	e = parsed(CHART_VITAL_BP, "118 / 76 mmHg", VITAL_UNITS_US);
	cr_assert(e.value == 118 && e.diastolic == 76);
	e = parsed(CHART_VITAL_HR, "72 bpm", VITAL_UNITS_US);
	cr_assert(e.value == 72 && strcmp(e.unit, "/min") == 0);
	e = parsed(CHART_VITAL_SPO2, "98%", VITAL_UNITS_US);
	cr_assert(e.value == 98 && strcmp(e.unit, "%") == 0);
	e = parsed(VITAL_HEAD, "46cm", VITAL_UNITS_US);
	cr_assert(e.value == 46 && strcmp(e.unit, "cm") == 0);
}

Test(vitals_parse, blank_clears_and_nonsense_is_refused_with_what_to_type)
{
	struct vital_entry e = { .set = true, .value = 5, .unit = "cm" };
	char *cause = NULL;
	const char *bad_heights[] = { "tall", "5'13\"", "175 furlongs", "1e3cm", "inf",
		"0x10cm", "175cmcm", "5ft2lb", "123456cm", "1.2345m", "175cm!",
		"\x1b[31m175cm" };

	cr_assert_eq(vital_parse(CHART_VITAL_HEIGHT, "   ", VITAL_UNITS_US, &e, &cause), 0);
	cr_assert(!e.set, "blank text clears the sign");
	for (size_t i = 0; i < sizeof bad_heights / sizeof bad_heights[0]; i++) {
		char *why = refused(CHART_VITAL_HEIGHT, bad_heights[i]);

		cr_assert_str_eq(why, "Type a length such as 5'9\", 69in, 175cm or 1.75m", "%s",
		    bad_heights[i]);
		free(why);
	}
	free(cause = refused(CHART_VITAL_WEIGHT, "-70kg"));
	free(cause = refused(CHART_VITAL_WEIGHT, "0"));
	free(cause = refused(CHART_VITAL_WEIGHT, "7lb 16oz"));
	free(cause = refused(CHART_VITAL_TEMP, "98.6K"));
	free(cause = refused(CHART_VITAL_BP, "120"));
	free(cause = refused(CHART_VITAL_BP, "120/0"));
	free(cause = refused(CHART_VITAL_HR, "72 kg"));
	cause = refused(CHART_VITAL_SPO2, "101");
	cr_assert_str_eq(cause, "SpO2 cannot be over 100%");
	free(cause);
	cause = refused(CHART_VITAL_BMI, "22");
	cr_assert_str_eq(cause, "BMI is computed from the height and the weight");
	free(cause);
}

Test(vitals_show, the_clinics_unit_first_the_other_in_brackets)
{
	shown_as(CHART_VITAL_HEIGHT, "5'9\"", VITAL_UNITS_US, "5' 9\" [175.3 cm]");
	shown_as(CHART_VITAL_HEIGHT, "5'9\"", VITAL_UNITS_METRIC, "175.3 cm [5' 9\"]");
	shown_as(CHART_VITAL_HEIGHT, "174.051", VITAL_UNITS_METRIC, "174.1 cm [5' 8.5\"]");
	shown_as(CHART_VITAL_WEIGHT, "154lb", VITAL_UNITS_US, "154 lb [69.9 kg]");
	shown_as(CHART_VITAL_WEIGHT, "70kg", VITAL_UNITS_US, "154.3 lb [70 kg]");
	shown_as(CHART_VITAL_WEIGHT, "3400g", VITAL_UNITS_METRIC, "3.4 kg [7.5 lb]");
	shown_as(CHART_VITAL_TEMP, "98.6F", VITAL_UNITS_US, "98.6 F [37.0 C]");
	shown_as(CHART_VITAL_TEMP, "37C", VITAL_UNITS_US, "98.6 F [37.0 C]");
	shown_as(CHART_VITAL_TEMP, "37C", VITAL_UNITS_METRIC, "37.0 C [98.6 F]");
	shown_as(CHART_VITAL_BP, "120/80", VITAL_UNITS_US, "120/80 mmHg");
	shown_as(CHART_VITAL_SPO2, "97", VITAL_UNITS_US, "97 %");
	shown_as(VITAL_HEAD, "46cm", VITAL_UNITS_US, "18.1 in [46 cm]");
}

Test(vitals_checks, bmi_from_any_units_and_doubts_before_saving)
{
	struct vitals_set s = { .patient = "p1", .when = "2026-12-02T09:30:00Z" };
	struct vital_entry bmi;
	char *doubts[8];
	size_t n;

	cr_assert(!vitals_bmi(&s, &bmi), "no BMI without height and weight");
	s.sign[CHART_VITAL_HEIGHT] = parsed(CHART_VITAL_HEIGHT, "5'9\"", VITAL_UNITS_US);
	s.sign[CHART_VITAL_WEIGHT] = parsed(CHART_VITAL_WEIGHT, "154lb", VITAL_UNITS_US);
	cr_assert(vitals_bmi(&s, &bmi));
	/* 69.853 kg / (1.7526 m)^2 = 22.74 */
	cr_assert(fabs(bmi.value - 22.7) < 1e-9 && strcmp(bmi.unit, "kg/m2") == 0, "%g",
	    bmi.value);
	cr_assert_eq(vitals_doubts(&s, doubts, 8), 0);

	s.sign[CHART_VITAL_WEIGHT] = parsed(CHART_VITAL_WEIGHT, "700kg", VITAL_UNITS_US);
	s.sign[CHART_VITAL_BP] = parsed(CHART_VITAL_BP, "70/90", VITAL_UNITS_US);
	s.sign[CHART_VITAL_TEMP] = parsed(CHART_VITAL_TEMP, "37C", VITAL_UNITS_US);
	n = vitals_doubts(&s, doubts, 8);
	cr_assert_eq(n, 3, "weight, the BMI it makes, and the pressure: %zu", n);
	cr_assert_str_eq(doubts[0], "BP 70/90 mmHg: the systolic is not above the diastolic");
	cr_assert_str_eq(doubts[1], "Weight 700 kg [1543.2 lb] is outside 0.3-350 kg");
	cr_assert(strncmp(doubts[2], "BMI 227.9 kg/m2 is outside 10-80", 32) == 0, "%s",
	    doubts[2]);
	for (size_t i = 0; i < n; i++)
		free(doubts[i]);
	/* MAX bounds what is kept. */
	cr_assert_eq(vitals_doubts(&s, doubts, 1), 1);
	free(doubts[0]);
}

static const cJSON *
entry_resource(const cJSON *bundle, int i)
{
	return cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(bundle, "entry"), i), "resource");
}

static const char *
str(const cJSON *o, const char *path)
{
	char *p = xstrdup(path), *save = NULL;
	const cJSON *at = o;

	for (char *t = strtok_r(p, ".", &save); t != NULL && at != NULL;
	     t = strtok_r(NULL, ".", &save))
		at = cJSON_IsArray(at) ? cJSON_GetArrayItem(at, atoi(t))
				       : cJSON_GetObjectItemCaseSensitive(at, t);
	free(p);
	return cJSON_IsString(at) ? at->valuestring : NULL;
}

static double
num(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, a), b);

	cr_assert(cJSON_IsNumber(v));
	return v->valuedouble;
}

Test(vitals_plan, one_transaction_of_us_core_observations_guarded_against_a_retry)
{
	struct vitals_set s = { .patient = "p1", .encounter = "e9",
		.when = "2026-12-02T09:30:00-05:00" };
	struct fhir_plan *p;
	struct fhir_client *fc;
	char *cause = NULL, *text;
	cJSON *bundle;
	const cJSON *bp, *spo2, *bmi, *req;

	p = vitals_plan(&s, "r1", &cause);
	cr_assert_null(p);
	cr_assert_str_eq(cause, "No vital sign was entered");
	free(cause);
	s.sign[CHART_VITAL_BP] = parsed(CHART_VITAL_BP, "128/82", VITAL_UNITS_US);
	s.sign[CHART_VITAL_SPO2] = parsed(CHART_VITAL_SPO2, "97", VITAL_UNITS_US);
	s.sign[CHART_VITAL_HEIGHT] = parsed(CHART_VITAL_HEIGHT, "5'9\"", VITAL_UNITS_US);
	s.sign[CHART_VITAL_WEIGHT] = parsed(CHART_VITAL_WEIGHT, "154lb", VITAL_UNITS_US);
	p = vitals_plan(&s, "r1", &cause);
	cr_assert_not_null(p, "%s", cause != NULL ? cause : "");
	cr_assert_eq(fhir_plan_steps(p), 5, "BP, SpO2, height, weight and the computed BMI");
	fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	cr_assert_not_null(fc);
	bundle = fhir_plan_transaction(p, fc);
	cr_assert_not_null(bundle);

	bp = entry_resource(bundle, 0);
	cr_assert_str_eq(str(bp, "resourceType"), "Observation");
	cr_assert_str_eq(str(bp, "status"), "final");
	cr_assert_str_eq(str(bp, "category.0.coding.0.code"), "vital-signs");
	cr_assert_str_eq(str(bp, "code.coding.0.code"), "85354-9");
	cr_assert_str_eq(str(bp, "subject.reference"), "Patient/p1");
	cr_assert_str_eq(str(bp, "encounter.reference"), "Encounter/e9");
	cr_assert_str_eq(str(bp, "effectiveDateTime"), "2026-12-02T09:30:00-05:00");
	cr_assert_str_eq(str(bp, "component.0.code.coding.0.code"), "8480-6");
	cr_assert_str_eq(str(bp, "component.1.code.coding.0.code"), "8462-4");
	cr_assert_str_eq(str(bp, "component.1.valueQuantity.code"), "mm[Hg]");
	cr_assert(fhir_carries_request(bp, "r1.1"));
	req = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(bundle, "entry"), 0), "request");
	cr_assert_str_eq(str(req, "method"), "POST");
	cr_assert_not_null(strstr(str(req, "ifNoneExist"), "r1.1"), "%s", str(req, "ifNoneExist"));

	spo2 = entry_resource(bundle, 1);
	cr_assert_str_eq(str(spo2, "code.coding.0.code"), "59408-5");
	cr_assert_str_eq(str(spo2, "code.coding.1.code"), "2708-6");
	cr_assert_str_eq(str(spo2, "valueQuantity.code"), "%");

	cr_assert_str_eq(str(entry_resource(bundle, 2), "valueQuantity.code"), "[in_i]");
	cr_assert(num(entry_resource(bundle, 2), "valueQuantity", "value") == 69,
	    "stored as typed, not converted");
	cr_assert_str_eq(str(entry_resource(bundle, 3), "valueQuantity.code"), "[lb_av]");
	bmi = entry_resource(bundle, 4);
	cr_assert_str_eq(str(bmi, "code.coding.0.code"), "39156-5");
	cr_assert(num(bmi, "valueQuantity", "value") == 22.7);
	text = cJSON_PrintUnformatted(bmi);
	cr_assert_not_null(strstr(text, "\"value\":22.7,"), "%s", text);
	free(text);
	cJSON_Delete(bundle);
	fhir_plan_free(&p);
	fhir_client_free(&fc);

	s.patient = "";
	cr_assert_null(vitals_plan(&s, "r1", &cause));
	cr_assert_not_null(strstr(cause, "lack the patient"));
	free(cause);
}

/* --- the cover's vitals pane, from a save's answer --------------------------------------------- */

/* One sign's search answer for patient PATIENT: an Observation ID of CODE measured AT. */
static cJSON *
one_sign(const char *id, const char *patient, const char *code, const char *at, double value,
    const char *unit)
{
	char *json = xasprintf(
	    "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[{\"resource\":{"
	    "\"resourceType\":\"Observation\",\"id\":\"%s\",\"status\":\"final\",\"subject\":{"
	    "\"reference\":\"Patient/%s\"},\"code\":{\"coding\":[{\"system\":\"http://loinc.org\","
	    "\"code\":\"%s\"}]},\"effectiveDateTime\":\"%s\",\"valueQuantity\":{\"value\":%g,"
	    "\"unit\":\"%s\",\"code\":\"%s\"}}}]}",
	    id, patient, code, at, value, unit, unit);
	cJSON *j = cJSON_Parse(json);

	cr_assert_not_null(j);
	free(json);
	return j;
}

/*
 * The cover's vitals pane of p1 as its batch read it: the pulse measured after the set
 * saved below (15:00 UTC is 10:00 in New York), the weight and the temperature before it.
 */
static struct chart_list
pane_before(void)
{
	struct chart_list pane;
	cJSON *hr = one_sign("old-hr", "p1", "8867-4", "2026-12-02T15:00:00Z", 66, "/min");
	cJSON *temp = one_sign("old-temp", "p1", "8310-5", "2020-10-01T05:26:09+00:00", 37.1, "Cel");
	cJSON *wt = one_sign("old-wt", "p1", "29463-7", "2026-12-02T09:00:00-05:00", 83.1, "kg");

	memset(&pane, 0, sizeof pane);
	chart_list_read(CHART_VITALS, CHART_VITAL_HR, hr, "p1", &pane);
	chart_list_read(CHART_VITALS, CHART_VITAL_TEMP, temp, "p1", &pane);
	chart_list_read(CHART_VITALS, CHART_VITAL_WEIGHT, wt, "p1", &pane);
	cr_assert_eq(pane.n, 3);
	cJSON_Delete(hr);
	cJSON_Delete(temp);
	cJSON_Delete(wt);
	return pane;
}

/*
 * The transaction-response a server gives to the set's TX: each Observation as stored,
 * with an id, version 1, its status, location and etag; WITH_RESOURCES false: as a server
 * that returns no body answers.
 */
static cJSON *
saved_answer(const cJSON *tx, bool with_resources)
{
	cJSON *answer = cJSON_Parse("{\"resourceType\":\"Bundle\",\"type\":\"transaction-response\","
				    "\"entry\":[]}");
	const cJSON *step;
	int i = 0;

	cJSON_ArrayForEach(step, cJSON_GetObjectItemCaseSensitive(tx, "entry"))
	{
		cJSON *e = cJSON_CreateObject(), *resp = cJSON_AddObjectToObject(e, "response");
		cJSON *r = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(step, "resource"), true);
		char *id = xasprintf("obs-%d", ++i), *loc = xasprintf("Observation/%s/_history/1", id);

		cJSON_AddStringToObject(r, "id", id);
		cJSON_AddStringToObject(cJSON_AddObjectToObject(r, "meta"), "versionId", "1");
		cJSON_AddStringToObject(resp, "status", "201 Created");
		cJSON_AddStringToObject(resp, "location", loc);
		cJSON_AddStringToObject(resp, "etag", "W/\"1\"");
		if (with_resources)
			cJSON_AddItemToObject(e, "resource", r);
		else
			cJSON_Delete(r);
		cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(answer, "entry"), e);
		free(id);
		free(loc);
	}
	return answer;
}

/* A set for p1 taken at 09:30 in New York: BP, pulse, weight, height (BMI computed), head. */
static cJSON *
saved_set_tx(struct fhir_client **fc)
{
	struct vitals_set s = { .patient = "p1", .when = "2026-12-02T09:30:00-05:00" };
	struct fhir_plan *p;
	char *cause = NULL;
	cJSON *tx;

	s.sign[CHART_VITAL_BP] = parsed(CHART_VITAL_BP, "128/82", VITAL_UNITS_US);
	s.sign[CHART_VITAL_HR] = parsed(CHART_VITAL_HR, "72", VITAL_UNITS_US);
	s.sign[CHART_VITAL_HEIGHT] = parsed(CHART_VITAL_HEIGHT, "175cm", VITAL_UNITS_US);
	s.sign[CHART_VITAL_WEIGHT] = parsed(CHART_VITAL_WEIGHT, "70kg", VITAL_UNITS_US);
	s.sign[VITAL_HEAD] = parsed(VITAL_HEAD, "40cm", VITAL_UNITS_US);
	p = vitals_plan(&s, "r1", &cause);
	cr_assert_not_null(p, "%s", cause ? cause : "");
	*fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	cr_assert_not_null(*fc);
	tx = fhir_plan_transaction(p, *fc);
	fhir_plan_free(&p);
	return tx;
}

static void
row_is(const struct chart_list *l, size_t i, const char *what, const char *value, const char *id)
{
	cr_assert_lt(i, l->n, "no row %zu (%s)", i, what);
	cr_assert_str_eq(l->items[i].what, what, "row %zu", i);
	cr_assert_str_eq(l->items[i].value, value, "row %zu", i);
	cr_assert_str_eq(l->items[i].id, id, "row %zu", i);
}

Test(vitals_saved, the_covers_pane_shows_each_signs_newest_from_the_answer)
{
	struct fhir_client *fc;
	cJSON *tx = saved_set_tx(&fc), *answer = saved_answer(tx, true);
	struct chart_list pane = pane_before();

	cr_assert_eq(chart_vitals_saved(&pane, answer, "p1"), 0);
	/*
	 * In the pane's order; the pulse read at 10:00 stays, newer than the set's 09:30, the
	 * weight of 09:00 gives way.
	 */
	cr_assert_eq(pane.n, 6, "%zu rows", pane.n);
	row_is(&pane, 0, "BP", "128/82 mmHg", "obs-1");
	row_is(&pane, 1, "Pulse", "66 /min", "old-hr");
	row_is(&pane, 2, "Temp", "37.1 C", "old-temp");
	row_is(&pane, 3, "Height", "175 cm", "obs-3");
	row_is(&pane, 4, "Weight", "70 kg", "obs-4");
	row_is(&pane, 5, "BMI", "22.9 kg/m2", "obs-5");
	cr_assert_str_eq(pane.items[0].date, "2026-12-02");
	cr_assert_str_eq(pane.items[0].at, "2026-12-02T09:30:00-05:00");
	cr_assert_eq(pane.state, CHART_PANE_LOADED);
	chart_list_clear(&pane);
	cJSON_Delete(answer);
	cJSON_Delete(tx);
	fhir_client_free(&fc);
}

/* PANE refused ANSWER, and is still what pane_before read. */
static void
pane_refuses(struct chart_list *pane, const cJSON *answer, const char *why)
{
	cr_assert_eq(chart_vitals_saved(pane, answer, "p1"), -1, "%s", why);
	cr_assert_eq(pane->n, 3, "%s", why);
	row_is(pane, 0, "Pulse", "66 /min", "old-hr");
	row_is(pane, 1, "Temp", "37.1 C", "old-temp");
	row_is(pane, 2, "Weight", "83.1 kg", "old-wt");
}

Test(vitals_saved, an_answer_that_does_not_say_it_all_leaves_the_pane_to_be_read)
{
	struct fhir_client *fc;
	cJSON *tx = saved_set_tx(&fc), *answer;
	struct chart_list pane = pane_before();
	/* Entry ENTRY of the set's answer, its OBJECT (INNER)'s string NAME made VALUE: refused. */
	static const struct {
		int entry;
		const char *object, *inner, *name, *value;
		const char *shown_at; /* the weight shown measured at, or NULL: as read */
		const char *why;
	} bad[] = {
		{ 2, "resource", "subject", "reference", "Patient/p2", NULL, "another patient's" },
		{ 1, "response", NULL, "status", "412 Precondition Failed", NULL, "an entry that failed" },
		/* Which of two is newer is not known: two dates of a day, or one instant. */
		{ 3, "resource", NULL, "effectiveDateTime", "2026-12-02", "2026-12-02",
		    "the same day, no times" },
		{ 3, "resource", NULL, "effectiveDateTime", "2026-12-02T14:00:00Z",
		    "2026-12-02T09:00:00-05:00", "the same instant, in another offset" },
	};

	answer = saved_answer(tx, false);
	pane_refuses(&pane, answer, "a server that returns no body");
	cJSON_Delete(answer);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cJSON *e, *o;

		answer = saved_answer(tx, true);
		e = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(answer, "entry"), bad[i].entry);
		o = cJSON_GetObjectItemCaseSensitive(e, bad[i].object);
		if (bad[i].inner != NULL)
			o = cJSON_GetObjectItemCaseSensitive(o, bad[i].inner);
		cr_assert_not_null(cJSON_SetValuestring(cJSON_GetObjectItemCaseSensitive(o, bad[i].name),
				       bad[i].value),
		    "%s", bad[i].why);
		if (bad[i].shown_at != NULL) { /* the weight shown, measured then */
			free(pane.items[2].at);
			pane.items[2].at = xstrdup(bad[i].shown_at);
		}
		pane_refuses(&pane, answer, bad[i].why);
		cJSON_Delete(answer);
	}
	answer = cJSON_Parse("{\"resourceType\":\"Bundle\",\"type\":\"transaction-response\"}");
	pane_refuses(&pane, answer, "an answer of nothing");
	cJSON_Delete(answer);
	pane.state = CHART_PANE_NOT_LOADED;
	answer = saved_answer(tx, true);
	pane_refuses(&pane, answer, "a pane not loaded");
	cJSON_Delete(answer);
	chart_list_clear(&pane);
	cJSON_Delete(tx);
	fhir_client_free(&fc);
}
