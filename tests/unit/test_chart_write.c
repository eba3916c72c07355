/*
 * Unit tests for the chart's writers of lists: the active list read with versions, and the plans
 * that add one, record "no known allergies" and take one off the list.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/allergy.h"
#include "fhir/immunization.h"
#include "fhir/problem.h"
#include "util/xmalloc.h"

static cJSON *
parse(const char *text)
{
	cJSON *j = cJSON_Parse(text);

	cr_assert_not_null(j, "fixture does not parse: %s", text);
	return j;
}

#define SHELLFISH                                                                                \
	"{\"resource\":{\"resourceType\":\"AllergyIntolerance\",\"id\":\"a1\",\"meta\":{"       \
	"\"versionId\":\"3\"},\"clinicalStatus\":{\"coding\":[{\"code\":\"active\"}]},"         \
	"\"code\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"300913006\","  \
	"\"display\":\"Shellfish allergy\"}]},\"criticality\":\"low\",\"patient\":{"            \
	"\"reference\":\"Patient/p1\"}}}"
#define NKA                                                                                      \
	"{\"resource\":{\"resourceType\":\"AllergyIntolerance\",\"id\":\"n1\",\"meta\":{"       \
	"\"versionId\":\"1\"},\"code\":{\"coding\":[{\"system\":\"http://snomed.info/sct\","    \
	"\"code\":\"716186003\"}]},\"patient\":{\"reference\":\"Patient/p1\"}}}"
#define ERROR_ENTRY                                                                              \
	"{\"resource\":{\"resourceType\":\"AllergyIntolerance\",\"id\":\"e1\",\"meta\":{"       \
	"\"versionId\":\"2\"},\"verificationStatus\":{\"coding\":[{\"code\":"                   \
	"\"entered-in-error\"}]},\"code\":{\"text\":\"Latex\"},\"patient\":{\"reference\":"     \
	"\"Patient/p1\"}}}"

static void
read_list(const char *entries, struct record_list *out)
{
	char *text = xasprintf("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[%s]}",
	    entries);
	cJSON *b = parse(text);
	char *cause = NULL;

	cr_assert_eq(record_list_read(RECORD_ALLERGY, b, "p1", out, &cause), 0, "%s", cause ? cause : "");
	cJSON_Delete(b);
	free(text);
}

static const cJSON *
step_resource(const cJSON *tx, int i)
{
	return cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(tx, "entry"), i), "resource");
}

static const char *
step_request(const cJSON *tx, int i, const char *name)
{
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(tx, "entry"), i), "request");

	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, name));
}

static const char *
code_of(const cJSON *r, const char *concept)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
				   cJSON_GetObjectItemCaseSensitive(r, concept), "coding"),
		0),
	    "code"));
}

Test(allergy_list, active_entries_with_versions_and_no_known_ones_told_apart)
{
	struct record_list l;
	struct fhir_search *s = record_active_search(RECORD_ALLERGY, "p1");

	cr_assert_str_eq(fhir_search_type(s), "AllergyIntolerance");
	fhir_search_free(&s);
	read_list(SHELLFISH "," NKA "," ERROR_ENTRY, &l);
	cr_assert_eq(l.n, 2, "the entry in error is not active");
	cr_assert_str_eq(l.items[0].what, "Shellfish allergy");
	cr_assert_str_eq(l.items[0].version, "3");
	cr_assert_str_eq(l.items[0].detail, "low");
	cr_assert(!l.items[0].no_known);
	cr_assert(l.items[1].no_known);
	cr_assert_eq(allergy_list_real(&l), 1);
	record_list_clear(&l);
}

/* An active allergy of patient p1 named TEXT with criticality CRIT (a JSON string or null). */
#define ALLERGY(id, text, crit)                                                                  \
	"{\"resource\":{\"resourceType\":\"AllergyIntolerance\",\"id\":\"" id "\",\"meta\":{" \
	"\"versionId\":\"1\"},\"code\":{\"text\":\"" text "\"},\"criticality\":" crit ","   \
	"\"patient\":{\"reference\":\"Patient/p1\"}}}"

Test(allergy_list, high_criticality_first_the_rest_as_sent)
{
	struct record_list l;

	/* Stiedemann's: four low ones, one without criticality, then the high one last. */
	read_list(ALLERGY("a", "Shellfish", "\"low\"") "," ALLERGY("b", "Bee venom", "\"low\"")
	    "," NKA "," ALLERGY("c", "Latex", "null") "," ALLERGY("d", "Dust", "\"unable-to-assess\"")
	    "," ALLERGY("e", "Warfarin", "\"high\"") "," ALLERGY("f", "Penicillin", "\"high\""), &l);
	cr_assert_eq(l.n, 7);
	cr_assert_str_eq(l.items[0].what, "Warfarin");
	cr_assert_str_eq(l.items[1].what, "Penicillin");
	cr_assert_str_eq(l.items[2].what, "Shellfish");
	cr_assert_str_eq(l.items[3].what, "Bee venom");
	cr_assert(l.items[4].no_known);
	cr_assert_str_eq(l.items[5].what, "Latex");
	cr_assert_str_eq(l.items[6].what, "Dust");
	/* Each entry keeps its own resource and version when moved. */
	cr_assert_str_eq(fhir_id_of(l.items[0].resource), "e");
	cr_assert_str_eq(fhir_id_of(l.items[2].resource), "a");
	record_list_clear(&l);
	cr_assert_eq(allergy_rank("high"), 0);
	cr_assert_eq(allergy_rank("low"), 1);
	cr_assert_eq(allergy_rank(NULL), 1);
}

Test(allergy_list, another_patients_entry_spoils_the_whole_answer)
{
	cJSON *b = parse("{\"resourceType\":\"Bundle\",\"entry\":[" SHELLFISH ",{\"resource\":{"
			 "\"resourceType\":\"AllergyIntolerance\",\"id\":\"x\",\"patient\":{"
			 "\"reference\":\"Patient/p2\"}}}]}");
	struct record_list l;
	char *cause = NULL;

	cr_assert_eq(record_list_read(RECORD_ALLERGY, b, "p1", &l, &cause), -1);
	cr_assert_eq(l.n, 0);
	cr_assert_not_null(strstr(cause, "another patient"));
	free(cause);
	cJSON_Delete(b);
	cr_assert_eq(record_list_read(RECORD_ALLERGY, NULL, "p1", &l, &cause), -1);
	free(cause);
}

Test(allergy_plan, adding_one_retires_no_known_allergies_in_the_same_transaction)
{
	struct record_list l;
	struct allergy_input in = { .substance = "  Peanut", .category = "food",
		.criticality = "high", .reaction = "Hives", .recorded = "2026-12-02" };
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	struct fhir_plan *p;
	cJSON *tx;
	const cJSON *a, *nka;

	read_list(NKA, &l);
	p = allergy_add_plan("p1", &in, &l, "req-9", &cause);
	cr_assert_not_null(p, "%s", cause ? cause : "");
	cr_assert_eq(fhir_plan_steps(p), 2);
	tx = fhir_plan_transaction(p, fc);
	a = step_resource(tx, 0);
	cr_assert_str_eq(step_request(tx, 0, "method"), "POST");
	cr_assert_null(step_request(tx, 0, "ifNoneExist"), "the If-Match update in the same transaction guards the create");
	cr_assert(fhir_carries_request(a, "req-9"));
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
			     cJSON_GetObjectItemCaseSensitive(a, "code"), "text")),
	    "Peanut");
	cr_assert_str_eq(code_of(a, "clinicalStatus"), "active");
	cr_assert_str_eq(code_of(a, "verificationStatus"), "confirmed");
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "criticality")),
	    "high");
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetArrayItem(
			     cJSON_GetObjectItemCaseSensitive(a, "category"), 0)),
	    "food");
	cr_assert(fhir_carries_request(a, "req-9"));
	{
		/* The create read back in a list: the lost answer's first try is recognised. */
		char *text = cJSON_PrintUnformatted(a), *entries = xasprintf("{\"resource\":%s}", text);
		struct record_list back;

		read_list(entries, &back);
		cr_assert(record_list_has_request(&back, "req-9"));
		cr_assert(!record_list_has_request(&back, "req-8"));
		record_list_clear(&back);
		free(entries);
		free(text);
	}
	nka = step_resource(tx, 1);
	cr_assert_str_eq(step_request(tx, 1, "method"), "PUT");
	cr_assert_str_eq(step_request(tx, 1, "url"), "AllergyIntolerance/n1");
	cr_assert_str_eq(step_request(tx, 1, "ifMatch"), "W/\"1\"");
	cr_assert_str_eq(code_of(nka, "clinicalStatus"), "inactive");
	cJSON_Delete(tx);
	fhir_plan_free(&p);
	fhir_client_free(&fc);
	record_list_clear(&l);
}

Test(allergy_plan, refusals_say_why)
{
	struct record_list l;
	struct allergy_input in = { .substance = "shellfish ALLERGY" };
	char *cause = NULL;

	read_list(SHELLFISH, &l);
	cr_assert_null(allergy_add_plan("p1", &in, &l, "r", &cause));
	cr_assert_str_eq(cause, "Shellfish allergy is on the active list already");
	free(cause);
	in.substance = "   ";
	cr_assert_null(allergy_add_plan("p1", &in, &l, "r", &cause));
	cr_assert_str_eq(cause, "type the substance the patient reacts to");
	free(cause);
	cr_assert_null(allergy_none_known_plan("p1", &l, "2026-12-02", "r", &cause));
	cr_assert_str_eq(cause, "1 allergy is active: take it off the list first");
	free(cause);
	record_list_clear(&l);

	read_list(NKA, &l);
	cr_assert_null(allergy_none_known_plan("p1", &l, "2026-12-02", "r", &cause));
	cr_assert_str_eq(cause, "\"no known allergies\" is recorded already");
	free(cause);
	record_list_clear(&l);
}

Test(allergy_plan, none_known_is_snomed_716186003_and_retiring_keeps_the_rules)
{
	struct record_list l = { 0 };
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	struct fhir_plan *p = allergy_none_known_plan("p1", &l, "2026-12-02", "r2", &cause);
	cJSON *tx;

	cr_assert_not_null(p, "%s", cause ? cause : "");
	tx = fhir_plan_transaction(p, fc);
	cr_assert_str_eq(code_of(step_resource(tx, 0), "code"), "716186003");
	cJSON_Delete(tx);
	fhir_plan_free(&p);

	read_list(SHELLFISH, &l);
	p = record_retire_plan(RECORD_ALLERGY, &l.items[0], RECORD_ENTERED_IN_ERROR, NULL, &cause);
	cr_assert_not_null(p);
	tx = fhir_plan_transaction(p, fc);
	cr_assert_null(cJSON_GetObjectItemCaseSensitive(step_resource(tx, 0), "clinicalStatus"),
	    "R4 ait-2: no clinical status on an entry in error");
	cr_assert_str_eq(code_of(step_resource(tx, 0), "verificationStatus"), "entered-in-error");
	cr_assert_str_eq(step_request(tx, 0, "ifMatch"), "W/\"3\"");
	cJSON_Delete(tx);
	fhir_plan_free(&p);

	free(l.items[0].version);
	l.items[0].version = NULL;
	cr_assert_null(record_retire_plan(RECORD_ALLERGY, &l.items[0], RECORD_INACTIVE, NULL, &cause));
	cr_assert_not_null(strstr(cause, "gave no version"));
	free(cause);
	record_list_clear(&l);
	fhir_client_free(&fc);
}

/* --- problems: the same list, a Condition's own add ----------------------------------- */

#define DIABETES                                                                                 \
	"{\"resource\":{\"resourceType\":\"Condition\",\"id\":\"c1\",\"meta\":{\"versionId\":"  \
	"\"4\"},\"category\":[{\"coding\":[{\"code\":\"problem-list-item\"}]}],"                \
	"\"clinicalStatus\":{\"coding\":[{\"code\":\"active\"}]},\"code\":{\"coding\":[{"       \
	"\"system\":\"http://snomed.info/sct\",\"code\":\"44054006\"},{\"system\":"            \
	"\"http://hl7.org/fhir/sid/icd-10-cm\",\"code\":\"E11.9\"}],\"text\":\"Diabetes\"},"    \
	"\"subject\":{\"reference\":\"Patient/p1\"}}}"
#define VISIT_DIAGNOSIS                                                                          \
	"{\"resource\":{\"resourceType\":\"Condition\",\"id\":\"c2\",\"category\":[{\"coding\":"\
	"[{\"code\":\"encounter-diagnosis\"}]}],\"code\":{\"text\":\"Sinusitis\"},\"subject\":{" \
	"\"reference\":\"Patient/p1\"}}}"

static void
read_problems(const char *entries, struct record_list *out)
{
	char *text = xasprintf("{\"resourceType\":\"Bundle\",\"entry\":[%s]}", entries);
	cJSON *b = parse(text);
	char *cause = NULL;

	cr_assert_eq(record_list_read(RECORD_PROBLEM, b, "p1", out, &cause), 0, "%s",
	    cause ? cause : "");
	cJSON_Delete(b);
	free(text);
}

Test(problem_plan, coded_uncoded_and_a_duplicate_that_asks)
{
	struct record_list l;
	struct problem_input in = { .text = "Type 2 diabetes", .icd10cm = "e11.9",
		.recorded = "2026-12-02" };
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	struct fhir_plan *p;
	bool duplicate;
	cJSON *tx;
	const cJSON *c;
	char *printed;

	read_problems(DIABETES "," VISIT_DIAGNOSIS, &l);
	cr_assert_eq(l.n, 1, "a visit's diagnosis is not on the problem list");
	cr_assert_str_eq(l.items[0].detail, "ICD-10-CM E11.9");
	cr_assert_str_eq(l.items[0].code, "E11.9");
	/* The same code in other words: a likely duplicate, asked about. */
	cr_assert_null(problem_add_plan("p1", &in, &l, "r1", false, &duplicate, &cause));
	cr_assert(duplicate);
	cr_assert_str_eq(cause, "Diabetes (ICD-10-CM E11.9) is on the problem list already");
	free(cause);
	p = problem_add_plan("p1", &in, &l, "r1", true, &duplicate, &cause);
	cr_assert_not_null(p, "anyway: %s", cause ? cause : "");
	tx = fhir_plan_transaction(p, fc);
	c = step_resource(tx, 0);
	cr_assert_str_eq(code_of(c, "code"), "E11.9", "upper case, as ICD-10-CM writes it");
	cr_assert_str_eq(code_of(c, "clinicalStatus"), "active");
	printed = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(c, "category"));
	cr_assert_not_null(strstr(printed, "\"code\":\"problem-list-item\""), "%s", printed);
	free(printed);
	cr_assert_null(cJSON_GetObjectItemCaseSensitive(c, "meta"), "a coded problem has no tag");
	cJSON_Delete(tx);
	fhir_plan_free(&p);

	/* Words only: marked uncoded, so a coder can find it. */
	in = (struct problem_input){ .text = "Worried about falls", .onset = "2026-11-01" };
	p = problem_add_plan("p1", &in, &l, "r2", false, &duplicate, &cause);
	cr_assert_not_null(p);
	tx = fhir_plan_transaction(p, fc);
	c = step_resource(tx, 0);
	printed = cJSON_PrintUnformatted(c);
	cr_assert_not_null(strstr(printed, "\"code\":\"uncoded\""), "%s", printed);
	free(printed);
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "onsetDateTime")),
	    "2026-11-01");
	cJSON_Delete(tx);
	fhir_plan_free(&p);

	in = (struct problem_input){ .text = "Diabetes", .icd10cm = "11.9" };
	cr_assert_null(problem_add_plan("p1", &in, &l, "r3", true, &duplicate, &cause));
	cr_assert(!duplicate);
	cr_assert_str_eq(cause, "11.9 is not an ICD-10-CM code (such as E11.9)");
	free(cause);

	/* Resolved: the clinical status and the day it ended. */
	p = record_retire_plan(RECORD_PROBLEM, &l.items[0], RECORD_RESOLVED, "2026-12-02", &cause);
	tx = fhir_plan_transaction(p, fc);
	cr_assert_str_eq(code_of(step_resource(tx, 0), "clinicalStatus"), "resolved");
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
			     step_resource(tx, 0), "abatementDateTime")),
	    "2026-12-02");
	cr_assert_str_eq(step_request(tx, 0, "ifMatch"), "W/\"4\"");
	cJSON_Delete(tx);
	fhir_plan_free(&p);
	record_list_clear(&l);
	fhir_client_free(&fc);
}

/* --- immunizations ------------------------------------------------------------------------- */

Test(immunization_plan, a_vaccine_given_with_lot_site_and_route_once)
{
	struct immunization_input in = { .cvx = "140", .given = "2026-12-02", .lot = "AB123",
		.site = "LA", .route = "IM" };
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	struct fhir_plan *p = immunization_given_plan("p1", &in, "imm-1", &cause);
	const struct immunization_choice *v;
	size_t n;
	cJSON *tx;
	const cJSON *imm;

	v = immunization_vaccines(&n);
	cr_assert_geq(n, 10);
	cr_assert_str_eq(v[0].code, "140");
	cr_assert_not_null(p, "%s", cause ? cause : "");
	tx = fhir_plan_transaction(p, fc);
	imm = step_resource(tx, 0);
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(imm, "status")),
	    "completed");
	cr_assert_str_eq(code_of(imm, "vaccineCode"), "140");
	cr_assert_str_eq(code_of(imm, "site"), "LA");
	cr_assert_str_eq(code_of(imm, "route"), "IM");
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(imm, "lotNumber")),
	    "AB123");
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
			     cJSON_GetObjectItemCaseSensitive(imm, "patient"), "reference")),
	    "Patient/p1");
	cr_assert_not_null(strstr(step_request(tx, 0, "ifNoneExist"), "imm-1"));
	cJSON_Delete(tx);
	fhir_plan_free(&p);

	in.cvx = "999";
	cr_assert_null(immunization_given_plan("p1", &in, "imm-2", &cause));
	cr_assert_str_eq(cause, "choose the vaccine from the list");
	free(cause);
	in = (struct immunization_input){ .cvx = "140", .given = "2026-12-02", .site = "XX" };
	cr_assert_null(immunization_given_plan("p1", &in, "imm-3", &cause));
	cr_assert_str_eq(cause, "choose the site and the route from their lists");
	free(cause);
	fhir_client_free(&fc);
}
