/*
 * Unit tests for the visit wrap-up (src/fhir/wrapup.c): what its one batch asks for and
 * how the answer is read (hostile and other patients' answers refused, arrays bounded);
 * the clinician's choices and their rules (ICD-10-CM and CPT codes checked, ranks kept
 * dense, the limits a claim sets); and the one transaction it writes, field by field,
 * with the visit note's signing in it.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/under_valgrind.h"
#include "fhir/wrapup.h"
#include "util/base64.h"
#include "util/secret.h"
#include "util/xmalloc.h"

static struct fhir_client *fc;
static const char text[] = "S: palpitations.\nA/P: atrial fibrillation, rate controlled.\n";

static void
setup(void)
{
	char *cause = NULL;

	fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	cr_assert_not_null(fc, "%s", cause ? cause : "");
}

static void
teardown(void)
{
	fhir_client_free(&fc);
}

TestSuite(wrapup, .init = setup, .fini = teardown);

/* The member at PATH ("a.b.0.c": names, and indexes into arrays) of J, or NULL. */
static const cJSON *
at(const cJSON *j, const char *path)
{
	char *copy = xstrdup(path), *save = NULL;

	for (char *k = strtok_r(copy, ".", &save); k != NULL && j != NULL;
	     k = strtok_r(NULL, ".", &save))
		j = (*k >= '0' && *k <= '9') ? cJSON_GetArrayItem(j, atoi(k))
					     : cJSON_GetObjectItemCaseSensitive(j, k);
	free(copy);
	return j;
}

static const char *
str(const cJSON *j, const char *path)
{
	const char *s = cJSON_GetStringValue(at(j, path));

	cr_assert_not_null(s, "no string at %s", path);
	return s;
}

static cJSON *
parse(const char *json)
{
	cJSON *j = cJSON_Parse(json);

	cr_assert_not_null(j, "fixture does not parse: %s", json);
	return j;
}

/* --- a visit as the server answers the batch ------------------------------------------- */

#define ME "{\"resourceType\":\"Practitioner\",\"id\":\"dr1\",\"identifier\":[{\"system\":" \
	   "\"urn:ehrterm:cert-cn\",\"value\":\"ada\"}]}"
#define ENCOUNTER(diagnosis)                                                                   \
	"{\"resourceType\":\"Encounter\",\"id\":\"e1\",\"meta\":{\"versionId\":\"4\"},"            \
	"\"status\":\"in-progress\",\"class\":{\"code\":\"AMB\"},\"subject\":{\"reference\":"     \
	"\"Patient/p1\"},\"period\":{\"start\":\"2026-12-02T09:00:00Z\"},\"location\":[{"          \
	"\"location\":{\"display\":\"Room 2\"},\"status\":\"active\",\"physicalType\":{"           \
	"\"coding\":[{\"code\":\"ro\"}]}}]" diagnosis "}"
#define COND(id, enc, codings, category)                                                       \
	"{\"resourceType\":\"Condition\",\"id\":\"" id "\",\"subject\":{\"reference\":"          \
	"\"Patient/p1\"}," enc "\"category\":[{\"coding\":[{\"code\":\"" category "\"}]}],"       \
	"\"clinicalStatus\":{\"coding\":[{\"code\":\"active\"}]},\"code\":{\"coding\":["          \
	codings "]}}"
#define AT_E1 "\"encounter\":{\"reference\":\"Encounter/e1\"},"
#define ICD(code, display) \
	"{\"system\":\"http://hl7.org/fhir/sid/icd-10-cm\",\"code\":\"" code "\",\"display\":\"" display "\"}"
#define SCT(code, display) \
	"{\"system\":\"http://snomed.info/sct\",\"code\":\"" code "\",\"display\":\"" display "\"}"
#define VISIT_CONDS                                                                            \
	COND("cv1", AT_E1, ICD("J06.9", "Acute upper respiratory infection"), "encounter-diagnosis") \
	"," COND("cv2", AT_E1, SCT("49727002", "Cough"), "encounter-diagnosis")
#define PROCEDURE                                                                              \
	"{\"resourceType\":\"Procedure\",\"id\":\"pr1\",\"status\":\"completed\",\"subject\":"   \
	"{\"reference\":\"Patient/p1\"},\"encounter\":{\"reference\":\"Encounter/e1\"},\"code\":" \
	"{\"coding\":[{\"system\":\"http://www.ama-assn.org/go/cpt\",\"code\":\"36415\","         \
	"\"display\":\"Venipuncture\"}]}}"
#define DRAFT(id, author)                                                                      \
	"{\"resourceType\":\"DocumentReference\",\"id\":\"" id "\",\"meta\":{\"versionId\":"     \
	"\"2\",\"tag\":[{\"system\":\"urn:ehrterm:note-status\",\"code\":\"draft\"}]},"            \
	"\"status\":\"current\",\"docStatus\":\"preliminary\",\"type\":{\"coding\":[{\"system\":"  \
	"\"http://loinc.org\",\"code\":\"11506-3\"}]},\"subject\":{\"reference\":\"Patient/p1\"}," \
	"\"date\":\"2026-12-02T09:30:00Z\",\"author\":[{\"reference\":\"Practitioner/" author     \
	"\"}],\"content\":[{\"attachment\":{\"contentType\":\"text/plain; charset=utf-8\","      \
	"\"url\":\"Binary/b1\"}}],\"context\":{\"encounter\":[{\"reference\":\"Encounter/e1\"}]}}"
#define SIGNED(id)                                                                             \
	"{\"resourceType\":\"DocumentReference\",\"id\":\"" id "\",\"status\":\"current\","      \
	"\"docStatus\":\"final\",\"subject\":{\"reference\":\"Patient/p1\"},\"author\":[{"         \
	"\"reference\":\"Practitioner/dr1\"}],\"content\":[{\"attachment\":{\"url\":\"Binary/b9\"}}]," \
	"\"context\":{\"encounter\":[{\"reference\":\"Encounter/e1\"}]}}"
#define PROBLEMS                                                                               \
	COND("pb1", "", SCT("49436004", "Atrial Fibrillation") "," ICD("I48.91",                  \
	    "Unspecified atrial fibrillation"), "problem-list-item")                                \
	"," COND("pb2", "", SCT("24079001", "Atopic dermatitis"), "problem-list-item")             \
	"," COND("pb3", "", ICD("J06.9", "Acute upper respiratory infection"), "problem-list-item")
#define FEES                                                                                   \
	"{\"resourceType\":\"ChargeItemDefinition\",\"id\":\"fee-99213\",\"code\":{\"coding\":[{"  \
	"\"system\":\"http://www.ama-assn.org/go/cpt\",\"code\":\"99213\",\"display\":"            \
	"\"Office visit, established, low\"}]}},{\"resourceType\":\"ChargeItemDefinition\","      \
	"\"id\":\"fee-x\",\"code\":{\"coding\":[{\"system\":\"urn:other\",\"code\":\"99214\"}]}}"

/* A batch-response of the four searches, each a searchset of the resources given. */
static cJSON *
answer(const char *me, const char *visit, const char *problems, const char *fees)
{
	const char *sets[] = { me, visit, problems, fees };
	cJSON *b = parse("{\"resourceType\":\"Bundle\",\"type\":\"batch-response\",\"entry\":[]}");

	for (int i = 0; i < 4; i++) {
		char *json = xasprintf("{\"response\":{\"status\":\"200 OK\"},\"resource\":{"
				       "\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[%s]}}",
		    sets[i]);
		cJSON *entry = parse(json);
		cJSON *list = (cJSON *)at(entry, "resource.entry"), *wrapped = cJSON_CreateArray(), *r;

		/* Each resource of the list as an entry. */
		while ((r = cJSON_DetachItemFromArray(list, 0)) != NULL) {
			cJSON *e = cJSON_CreateObject();

			cJSON_AddItemToObject(e, "resource", r);
			cJSON_AddItemToArray(wrapped, e);
		}
		cJSON_ReplaceItemInObjectCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(entry, "resource"), "entry", wrapped);
		cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(b, "entry"), entry);
		free(json);
	}
	return b;
}

static cJSON *
visit_answer(const char *diagnosis, const char *notes)
{
	char *visit = xasprintf("%s,%s,%s%s%s", ENCOUNTER("") , VISIT_CONDS, PROCEDURE,
	    *notes ? "," : "", notes);
	cJSON *a;

	if (diagnosis != NULL) {
		free(visit);
		visit = xasprintf("%s,%s,%s%s%s", diagnosis, VISIT_CONDS, PROCEDURE, *notes ? "," : "",
		    notes);
	}
	a = answer(ME, visit, PROBLEMS, FEES);
	free(visit);
	return a;
}

static struct wrapup_context
read_ok(const cJSON *a, const char *encounter)
{
	struct wrapup_context c;
	char *cause = NULL;

	cr_assert_eq(wrapup_context_read(a, "p1", "ada", encounter, "https://ehr.example/fhir", &c,
			 &cause), 0, "%s", cause);
	return c;
}

static struct wrapup_context
context(const char *notes)
{
	cJSON *a = visit_answer(NULL, notes);
	struct wrapup_context c = read_ok(a, NULL);

	cJSON_Delete(a);
	return c;
}

/* The row of F whose code is CODE (NULL: the uncoded row named WHAT). */
static size_t
row(const struct wrapup_form *f, const char *code, const char *what)
{
	for (size_t i = 0; i < f->n; i++)
		if ((code != NULL && f->v[i].code != NULL && strcmp(f->v[i].code, code) == 0) ||
		    (code == NULL && f->v[i].code == NULL && strcmp(f->v[i].what, what) == 0))
			return i;
	cr_assert_fail("no row %s", code ? code : what);
	return 0;
}

/* --- the batch ------------------------------------------------------------------------- */

Test(wrapup, one_batch_reads_who_the_visit_and_what_is_recorded_at_it)
{
	cJSON *b = wrapup_context_batch(fc, "p1", "ada", NULL);
	const char *url;

	cr_assert_not_null(b);
	cr_assert_str_eq(str(b, "type"), "batch");
	cr_assert_eq(cJSON_GetArraySize(at(b, "entry")), 4);
	cr_assert_not_null(strstr(str(b, "entry.0.request.url"), "identifier=urn%3Aehrterm%3Acert-cn%7Cada"));
	url = str(b, "entry.1.request.url");
	cr_assert_not_null(strstr(url, "Encounter?patient=p1&status=in-progress%2Carrived%2Ctriaged%2Conleave"), "%s", url);
	cr_assert_not_null(strstr(url, "_count=1&_include=Encounter%3Adiagnosis&_revinclude=Condition%3Aencounter&_revinclude=Procedure%3Aencounter&_revinclude=DocumentReference%3Aencounter"), "%s", url);
	cr_assert_not_null(strstr(str(b, "entry.2.request.url"), "Condition?subject=p1&category=problem-list-item&clinical-status=active"));
	cr_assert_not_null(strstr(str(b, "entry.3.request.url"), "ChargeItemDefinition?status=active&_elements=code"));
	cJSON_Delete(b);
	/* Read again after a write: that visit, whatever its status. */
	b = wrapup_context_batch(fc, "p1", "ada", "e1");
	url = str(b, "entry.1.request.url");
	cr_assert_not_null(strstr(url, "Encounter?patient=p1&_id=e1&_count=1"), "%s", url);
	cr_assert_null(strstr(url, "status="));
	cJSON_Delete(b);
	cr_assert_null(wrapup_context_batch(fc, "p1/../x", "ada", NULL));
	cr_assert_null(wrapup_context_batch(fc, "p1", "ada", "e 1"));
}

/* --- reading ----------------------------------------------------------------------------- */

Test(wrapup, the_visit_its_conditions_procedures_note_problems_and_fees_are_read)
{
	struct wrapup_context c = context(DRAFT("n1", "dr1") "," SIGNED("n0"));

	cr_assert_str_eq(c.practitioner, "dr1");
	cr_assert_str_eq(c.encounter_id, "e1");
	cr_assert_str_eq(c.version, "4");
	cr_assert_str_eq(c.status, "in-progress");
	cr_assert_str_eq(c.start, "2026-12-02T09:00:00Z");
	cr_assert_not(c.finished);
	cr_assert_eq(cJSON_GetArraySize(c.conditions), 2);
	cr_assert_eq(cJSON_GetArraySize(c.procedures), 1);
	cr_assert_eq(c.problems.n, 3);
	cr_assert_eq(c.note, WRAPUP_NOTE_DRAFT);
	cr_assert_eq(c.drafts, 1);
	cr_assert_eq(c.signed_notes, 1);
	cr_assert_str_eq(c.draft.id, "n1");
	cr_assert_eq(c.nfees, 1, "the CPT codes only");
	cr_assert_str_eq(wrapup_fee_name(&c, "99213"), "Office visit, established, low");
	cr_assert_null(wrapup_fee_name(&c, "99214"));
	wrapup_context_clear(&c);
}

Test(wrapup, the_note_decides_what_is_signed)
{
	struct wrapup_context c = context("");

	cr_assert_eq(c.note, WRAPUP_NOTE_NONE);
	wrapup_context_clear(&c);
	c = context(SIGNED("n0"));
	cr_assert_eq(c.note, WRAPUP_NOTE_SIGNED);
	wrapup_context_clear(&c);
	c = context(DRAFT("n1", "dr1") "," DRAFT("n2", "dr1"));
	cr_assert_eq(c.note, WRAPUP_NOTE_DRAFTS);
	cr_assert_eq(c.drafts, 2);
	wrapup_context_clear(&c);
	c = context(DRAFT("n1", "dr7"));
	cr_assert_eq(c.note, WRAPUP_NOTE_OTHERS);
	wrapup_context_clear(&c);
}

Test(wrapup, no_open_visit_is_not_a_failure)
{
	cJSON *a = answer(ME, "", PROBLEMS, FEES);
	struct wrapup_context c = read_ok(a, NULL);
	struct wrapup_form f;
	char *why;

	cr_assert_null(c.encounter);
	wrapup_form_build(&c, NULL, &f);
	cr_assert_eq(f.n, 0);
	why = wrapup_refusal(&c, &f);
	cr_assert_not_null(strstr(why, "no open visit"));
	free(why);
	wrapup_form_clear(&f);
	wrapup_context_clear(&c);
	cJSON_Delete(a);
}

Test(wrapup, another_patients_visit_condition_or_note_is_refused_whole)
{
	static const char *const visits[] = {
		"{\"resourceType\":\"Encounter\",\"id\":\"e1\",\"status\":\"in-progress\",\"subject\":"
		"{\"reference\":\"Patient/p2\"}}",
		ENCOUNTER("") ",{\"resourceType\":\"Condition\",\"id\":\"x\",\"subject\":{\"reference\":"
		"\"Patient/p2\"},\"encounter\":{\"reference\":\"Encounter/e1\"}}",
		ENCOUNTER("") ",{\"resourceType\":\"Procedure\",\"id\":\"x\",\"subject\":{\"reference\":"
		"\"Patient/p2\"},\"encounter\":{\"reference\":\"Encounter/e1\"}}",
		ENCOUNTER("") ",{\"resourceType\":\"DocumentReference\",\"id\":\"x\",\"status\":"
		"\"current\",\"subject\":{\"reference\":\"Patient/p2\"},\"context\":{\"encounter\":[{"
		"\"reference\":\"Encounter/e1\"}]}}",
	};

	for (size_t i = 0; i < sizeof visits / sizeof visits[0]; i++) {
		cJSON *a = answer(ME, visits[i], PROBLEMS, FEES);
		struct wrapup_context c;
		char *cause = NULL;

		cr_assert_eq(wrapup_context_read(a, "p1", "ada", NULL, NULL, &c, &cause), -1, "%zu", i);
		cr_assert_not_null(strstr(cause, "another patient's"), "%s", cause);
		cr_assert_null(c.encounter);
		free(cause);
		cJSON_Delete(a);
	}
}

Test(wrapup, a_failed_visit_read_fails_a_failed_problem_list_does_not)
{
	cJSON *a = visit_answer(NULL, "");
	struct wrapup_context c;
	char *cause = NULL;

	cJSON_SetValuestring((cJSON *)at(a, "entry.2.response.status"), "500 Internal Server Error");
	c = read_ok(a, NULL);
	cr_assert_not_null(c.problems_failed);
	cr_assert_eq(c.problems.n, 0);
	wrapup_context_clear(&c);
	cJSON_SetValuestring((cJSON *)at(a, "entry.1.response.status"), "500 Internal Server Error");
	cr_assert_eq(wrapup_context_read(a, "p1", "ada", NULL, NULL, &c, &cause), -1);
	cr_assert_not_null(strstr(cause, "visit"), "%s", cause);
	free(cause);
	cJSON_Delete(a);
	a = parse("{\"resourceType\":\"Bundle\",\"entry\":[]}");
	cr_assert_eq(wrapup_context_read(a, "p1", "ada", NULL, NULL, &c, &cause), -1);
	free(cause);
	cJSON_Delete(a);
}

/*
 * 100,000 diagnoses and 20,000 Conditions at the visit are read within the bounds, in time
 * linear in the answer: SIGALRM ends a reader still at it after 20 s (valgrind's thirty-fold
 * slowness gets more room).
 */
Test(wrapup, huge_arrays_are_read_within_bounds)
{
	cJSON *a = visit_answer(NULL, DRAFT("n1", "dr1"));
	cJSON *enc = (cJSON *)at(a, "entry.1.resource.entry.0.resource");
	cJSON *diag = cJSON_AddArrayToObject(enc, "diagnosis");
	cJSON *set = (cJSON *)at(a, "entry.1.resource.entry");
	struct wrapup_context c;
	struct wrapup_form f;

	alarm(RUNNING_ON_VALGRIND ? 600 : 20);
	for (int i = 0; i < 100000; i++) {
		cJSON *d = parse("{\"condition\":{\"reference\":\"Condition/cv1\"},\"rank\":1}");

		cJSON_AddItemToArray(diag, d);
	}
	for (int i = 0; i < 20000; i++) {
		cJSON *e = cJSON_CreateObject();
		char *json = xasprintf(COND("many%d", AT_E1, ICD("R05.9", "Cough"), "encounter-diagnosis"), i);

		cJSON_AddItemToObject(e, "resource", parse(json));
		cJSON_AddItemToArray(set, e);
		free(json);
	}
	c = read_ok(a, NULL);
	cr_assert_leq(cJSON_GetArraySize(c.conditions), WRAPUP_VISIT_MAX);
	cr_assert(c.cut);
	wrapup_form_build(&c, NULL, &f);
	cr_assert_eq(wrapup_form_chosen(&f), 1, "one Condition named many times is chosen once");
	wrapup_form_clear(&f);
	wrapup_context_clear(&c);
	cJSON_Delete(a);
}

/* --- the form ----------------------------------------------------------------------------- */

Test(wrapup, rows_are_the_visits_diagnoses_in_rank_order_then_the_rest)
{
	cJSON *a = visit_answer(ENCOUNTER(",\"diagnosis\":[{\"condition\":{\"reference\":"
					  "\"Condition/cv1\"},\"rank\":2},{\"condition\":{\"reference\":"
					  "\"Condition/pb1\"},\"rank\":1}]")
				   "," PROBLEMS,
	    DRAFT("n1", "dr1"));
	struct wrapup_context c = read_ok(a, NULL);
	struct wrapup_form f;
	size_t order[64];

	wrapup_form_build(&c, NULL, &f);
	wrapup_form_order(&f, order);
	/* pb1 is named by a diagnosis: read (included) with the visit, and first. */
	cr_assert_eq(wrapup_form_chosen(&f), 2);
	cr_assert_str_eq(f.v[order[0]].code, "I48.91");
	cr_assert_eq(f.v[order[0]].rank, 1);
	cr_assert_eq(f.v[order[0]].kind, WRAPUP_DX_VISIT);
	cr_assert_str_eq(f.v[order[1]].code, "J06.9");
	cr_assert_str_eq(f.v[order[1]].source, "Condition/cv1");
	/* The uncoded Condition at the visit, then the problems not recorded at the visit. */
	cr_assert_eq(f.v[order[2]].kind, WRAPUP_DX_PROBLEM);
	cr_assert_null(f.v[order[2]].code);
	cr_assert_str_eq(f.v[order[2]].what, "Cough");
	cr_assert_str_eq(f.v[order[3]].source, "Condition/pb2");
	cr_assert_eq(f.v[order[4]].kind, WRAPUP_PROC_DONE);
	cr_assert_str_eq(f.v[order[4]].code, "36415");
	cr_assert_eq(f.n, 5, "pb3's J06.9 is recorded at the visit already");
	wrapup_form_clear(&f);
	wrapup_context_clear(&c);
	cJSON_Delete(a);
}

Test(wrapup, choosing_keeps_ranks_dense_and_codes_once)
{
	struct wrapup_context c = context(DRAFT("n1", "dr1"));
	struct wrapup_form f;
	size_t afib, cough, visit, derm;
	char *cause = NULL;

	wrapup_form_build(&c, NULL, &f);
	afib = row(&f, "I48.91", NULL);
	visit = row(&f, "J06.9", NULL);
	cough = row(&f, NULL, "Cough");
	derm = row(&f, NULL, "Atopic dermatitis");
	cr_assert_eq(f.v[afib].kind, WRAPUP_DX_PROBLEM);
	cr_assert_eq(wrapup_form_chosen(&f), 0);
	cr_assert_eq(wrapup_form_toggle(&f, afib, &cause), 0);
	cr_assert_eq(wrapup_form_toggle(&f, visit, &cause), 0);
	cr_assert_eq(f.v[afib].rank, 1);
	cr_assert_eq(f.v[visit].rank, 2);
	/* Without an ICD-10-CM code: type one. */
	cr_assert_eq(wrapup_form_toggle(&f, derm, &cause), -1);
	cr_assert_str_eq(cause, "it has no ICD-10-CM code: type one");
	free(cause);
	cr_assert_eq(wrapup_form_add_diagnosis(&f, "  l20.9  eczema, flexural  ", derm, &cause),
	    (long)derm);
	cr_assert_str_eq(f.v[derm].code, "L20.9");
	cr_assert_str_eq(f.v[derm].text, "eczema, flexural");
	cr_assert_eq(f.v[derm].rank, 3);
	/* Moved up to the primary, and the others follow. */
	cr_assert_eq(wrapup_form_move(&f, derm, -1, &cause), 0);
	cr_assert_eq(wrapup_form_move(&f, derm, -1, &cause), 0);
	cr_assert_eq(f.v[derm].rank, 1);
	cr_assert_eq(f.v[afib].rank, 2);
	cr_assert_eq(f.v[visit].rank, 3);
	cr_assert_eq(wrapup_form_move(&f, derm, -1, &cause), -1);
	cr_assert_str_eq(cause, "it is the primary diagnosis already");
	free(cause);
	cr_assert_eq(wrapup_form_move(&f, cough, 1, &cause), -1);
	free(cause);
	/* Left out: the gap closes, and its typed code goes with it. */
	cr_assert_eq(wrapup_form_toggle(&f, derm, &cause), 0);
	cr_assert_eq(f.v[derm].rank, 0);
	cr_assert_null(f.v[derm].code);
	cr_assert_eq(f.v[afib].rank, 1);
	cr_assert_eq(f.v[visit].rank, 2);
	/* The same code again: refused, typed or chosen. */
	cr_assert_eq(wrapup_form_add_diagnosis(&f, "I48.91", (size_t)-1, &cause), -1);
	cr_assert_str_eq(cause, "I48.91 is chosen already (number 1)");
	free(cause);
	cr_assert_eq(wrapup_form_add_diagnosis(&f, "J06.9 again", cough, &cause), -1);
	free(cause);
	cr_assert_null(f.v[cough].code, "nothing of a refused code stays");
	wrapup_form_clear(&f);
	wrapup_context_clear(&c);
}

Test(wrapup, typed_codes_are_checked_and_hostile_words_refused)
{
	struct wrapup_context c = context(DRAFT("n1", "dr1"));
	struct wrapup_form f;
	char *cause = NULL, *huge = xcalloc(1, 1000);
	long r;
	static const char *const bad[] = { "", "   ", "E1", "E11.", "11.9", "E11.12345",
		"\x1b[2J", "E11.9\x1b]0;x\x07", "9921", "E11.9;DROP", "AAAAAAAAAAAAAAAAAAAAAAAA" };

	wrapup_form_build(&c, NULL, &f);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r = wrapup_form_add_diagnosis(&f, bad[i], (size_t)-1, &cause);
		cr_assert_eq(r, -1, "%s", bad[i]);
		/* The sentence never carries what was typed when it is not a plain code. */
		cr_assert_null(strchr(cause, '\x1b'));
		free(cause);
	}
	cr_assert_eq(wrapup_form_add_diagnosis(&f, "E11.9 words\x01 with a control", (size_t)-1,
			 &cause), -1);
	cr_assert_str_eq(cause, "the words beside the code are not plain text");
	free(cause);
	memset(huge, 'w', 999);
	memcpy(huge, "E11.9 ", 6);
	cr_assert_eq(wrapup_form_add_diagnosis(&f, huge, (size_t)-1, &cause), -1);
	free(cause);
	r = wrapup_form_add_diagnosis(&f, "e11.9 T2DM <b>\xe2\x80\xae</b>", (size_t)-1, &cause);
	cr_assert_geq(r, 0, "%s", cause);
	cr_assert_eq(f.v[r].kind, WRAPUP_DX_TYPED);
	cr_assert_str_eq(f.v[r].code, "E11.9");
	cr_assert_str_eq(f.v[r].what, "T2DM <b>\xe2\x80\xae</b>", "kept as typed; the screen cleans it");
	/* Typing a code a problem has chooses the problem. */
	r = wrapup_form_add_diagnosis(&f, "I48.91", (size_t)-1, &cause);
	cr_assert_eq(f.v[r].kind, WRAPUP_DX_PROBLEM);
	cr_assert_str_eq(f.v[r].source, "Condition/pb1");
	cr_assert_eq(f.v[r].rank, 2);
	free(huge);
	wrapup_form_clear(&f);
	wrapup_context_clear(&c);
}

Test(wrapup, procedures_are_cpt_codes_named_from_the_fee_schedule)
{
	struct wrapup_context c = context(DRAFT("n1", "dr1"));
	struct wrapup_form f;
	char *cause = NULL;
	long r;

	cr_assert(wrapup_cpt_valid("99213"));
	cr_assert(wrapup_cpt_valid("0001F"));
	cr_assert(wrapup_cpt_valid("0042T"));
	cr_assert_not(wrapup_cpt_valid("9921"));
	cr_assert_not(wrapup_cpt_valid("992134"));
	cr_assert_not(wrapup_cpt_valid("J1100"), "HCPCS is not CPT");
	cr_assert_not(wrapup_cpt_valid("0001X"));
	wrapup_form_build(&c, NULL, &f);
	r = wrapup_form_add_procedure(&f, &c, "99213", &cause);
	cr_assert_geq(r, 0, "%s", cause);
	cr_assert_eq(f.v[r].kind, WRAPUP_PROC_NEW);
	cr_assert_str_eq(f.v[r].what, "Office visit, established, low");
	cr_assert_str_eq(f.v[r].display, "Office visit, established, low");
	r = wrapup_form_add_procedure(&f, &c, "0001f  quality measure", &cause);
	cr_assert_geq(r, 0, "%s", cause);
	cr_assert_str_eq(f.v[r].code, "0001F");
	cr_assert_null(f.v[r].display);
	cr_assert_str_eq(f.v[r].what, "quality measure");
	cr_assert_eq(wrapup_form_add_procedure(&f, &c, "99213", &cause), -1);
	cr_assert_str_eq(cause, "99213 is on the list already");
	free(cause);
	cr_assert_eq(wrapup_form_add_procedure(&f, &c, "36415", &cause), -1, "recorded at the visit");
	free(cause);
	cr_assert_eq(wrapup_form_add_procedure(&f, &c, "E11.9", &cause), -1);
	free(cause);
	cr_assert_eq(wrapup_form_new_procedures(&f), 2);
	/* A new one is taken off; one recorded at the visit stays. */
	cr_assert_eq(wrapup_form_toggle(&f, (size_t)r, &cause), 0);
	cr_assert_eq(wrapup_form_new_procedures(&f), 1);
	cr_assert_eq(wrapup_form_toggle(&f, row(&f, "36415", NULL), &cause), -1);
	free(cause);
	wrapup_form_clear(&f);
	wrapup_context_clear(&c);
}

Test(wrapup, a_claims_twelve_are_the_limit)
{
	struct wrapup_context c = context(DRAFT("n1", "dr1"));
	struct wrapup_form f;
	char *cause = NULL, typed[32];

	wrapup_form_build(&c, NULL, &f);
	for (int i = 0; i < WRAPUP_DIAGNOSES_MAX; i++) {
		snprintf(typed, sizeof typed, "R%02d.9", i + 10);
		cr_assert_geq(wrapup_form_add_diagnosis(&f, typed, (size_t)-1, &cause), 0, "%s", cause);
	}
	cr_assert_eq(wrapup_form_add_diagnosis(&f, "Z00.00", (size_t)-1, &cause), -1);
	cr_assert_str_eq(cause, "a claim holds 12 diagnoses: leave one out first");
	free(cause);
	cr_assert_eq(wrapup_form_toggle(&f, row(&f, "I48.91", NULL), &cause), -1);
	free(cause);
	for (int i = 0; i < WRAPUP_PROCEDURES_MAX; i++) {
		snprintf(typed, sizeof typed, "%05d", 10000 + i);
		cr_assert_geq(wrapup_form_add_procedure(&f, &c, typed, &cause), 0, "%s", cause);
	}
	cr_assert_eq(wrapup_form_add_procedure(&f, &c, "20000", &cause), -1);
	free(cause);
	wrapup_form_clear(&f);
	wrapup_context_clear(&c);
}

Test(wrapup, read_again_the_form_keeps_what_was_chosen_and_typed)
{
	struct wrapup_context c = context(DRAFT("n1", "dr1"));
	struct wrapup_form f, again;
	size_t order[64];
	char *cause = NULL;

	wrapup_form_build(&c, NULL, &f);
	cr_assert_geq(wrapup_form_add_diagnosis(&f, "R05.9 dry cough", (size_t)-1, &cause), 0);
	cr_assert_geq(wrapup_form_add_diagnosis(&f, "L20.9", row(&f, NULL, "Atopic dermatitis"),
			  &cause), 0);
	cr_assert_eq(wrapup_form_toggle(&f, row(&f, "I48.91", NULL), &cause), 0);
	cr_assert_geq(wrapup_form_add_procedure(&f, &c, "99213", &cause), 0);
	wrapup_form_build(&c, &f, &again);
	wrapup_form_order(&again, order);
	cr_assert_eq(wrapup_form_chosen(&again), 3);
	cr_assert_str_eq(again.v[order[0]].code, "R05.9");
	cr_assert_str_eq(again.v[order[0]].what, "dry cough");
	cr_assert_str_eq(again.v[order[1]].code, "L20.9");
	cr_assert_str_eq(again.v[order[1]].source, "Condition/pb2");
	cr_assert_str_eq(again.v[order[2]].code, "I48.91");
	cr_assert_eq(wrapup_form_new_procedures(&again), 1);
	wrapup_form_clear(&again);
	wrapup_form_clear(&f);
	wrapup_context_clear(&c);
}

/* --- the write --------------------------------------------------------------------------- */

static struct secret *
key_and_cert(char **cert, size_t *cert_len)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	BIO *mem = BIO_new(BIO_s_mem());
	struct secret *s;
	char *p;
	long n;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_UTF8,
	    (const unsigned char *)"ada", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	cr_assert_gt(X509_sign(x, key, EVP_sha256()), 0);
	cr_assert_eq(PEM_write_bio_PKCS8PrivateKey(mem, key, NULL, NULL, 0, NULL, NULL), 1);
	n = BIO_get_mem_data(mem, &p);
	s = secret_new_from(p, (size_t)n);
	BIO_free(mem);
	mem = BIO_new(BIO_s_mem());
	cr_assert_eq(PEM_write_bio_X509(mem, x), 1);
	n = BIO_get_mem_data(mem, &p);
	*cert = xstrndup(p, (size_t)n);
	*cert_len = (size_t)n;
	BIO_free(mem);
	X509_free(x);
	EVP_PKEY_free(key);
	return s;
}

static struct note_body
body(void)
{
	char *data = base64_encode(text, strlen(text), BASE64_STD);
	char *json = xasprintf("{\"resourceType\":\"Binary\",\"id\":\"b1\",\"meta\":{\"versionId\":"
			       "\"3\"},\"contentType\":\"text/plain; charset=utf-8\",\"data\":\"%s\"}",
	    data);
	cJSON *b = parse(json);
	struct note_body out;
	char *cause = NULL;

	cr_assert_eq(note_body_read(b, "Binary/b1", &out, &cause), 0, "%s", cause);
	cJSON_Delete(b);
	free(json);
	free(data);
	return out;
}

/* F with the problem I48.91 first, the visit's J06.9, a typed R05.9 and procedure 99213. */
static void
choose(struct wrapup_context *c, struct wrapup_form *f)
{
	char *cause = NULL;

	wrapup_form_build(c, NULL, f);
	cr_assert_eq(wrapup_form_toggle(f, row(f, "I48.91", NULL), &cause), 0);
	cr_assert_eq(wrapup_form_toggle(f, row(f, "J06.9", NULL), &cause), 0);
	cr_assert_geq(wrapup_form_add_diagnosis(f, "R05.9 dry cough", (size_t)-1, &cause), 0);
	cr_assert_geq(wrapup_form_add_procedure(f, c, "99213", &cause), 0);
}

Test(wrapup, the_wrap_up_is_one_transaction_of_diagnoses_procedures_visit_and_signing)
{
	struct wrapup_context c = context(DRAFT("n1", "dr1"));
	struct wrapup_form f;
	struct note_body b = body();
	char *cert, *cause = NULL, *jws;
	size_t cert_len;
	struct secret *key = key_and_cert(&cert, &cert_len);
	struct fhir_plan *p;
	cJSON *tx;
	const cJSON *cond, *enc;

	choose(&c, &f);
	jws = jws_sign(key, cert, cert_len, "DocumentReference/n1", b.bytes, b.len, &cause);
	cr_assert_not_null(jws, "%s", cause);
	p = wrapup_plan(&c, &f, &(struct wrapup_input){ .patient = "p1",
	    .when = "2026-12-02T10:00:00Z", .request_id = "req-1", .body = &b, .jws = jws }, &cause);
	cr_assert_not_null(p, "%s", cause);
	tx = fhir_plan_transaction(p, fc);
	cr_assert_str_eq(str(tx, "type"), "transaction");
	cr_assert_eq(cJSON_GetArraySize(at(tx, "entry")), 7);
	/* The problem copied as an encounter diagnosis, both its codes kept. */
	cond = at(tx, "entry.0.resource");
	cr_assert_str_eq(str(tx, "entry.0.request.method"), "POST");
	cr_assert_str_eq(str(tx, "entry.0.request.url"), "Condition");
	cr_assert_null(at(tx, "entry.0.request.ifNoneExist"), "the encounter's If-Match guards it");
	cr_assert_str_eq(str(cond, "identifier.0.system"), "urn:ehrterm:request");
	cr_assert_str_eq(str(cond, "identifier.0.value"), "req-1-dx-I48.91");
	cr_assert_str_eq(str(cond, "category.0.coding.0.system"),
	    "http://terminology.hl7.org/CodeSystem/condition-category");
	cr_assert_str_eq(str(cond, "category.0.coding.0.code"), "encounter-diagnosis");
	cr_assert_str_eq(str(cond, "clinicalStatus.coding.0.code"), "active");
	cr_assert_str_eq(str(cond, "verificationStatus.coding.0.code"), "confirmed");
	cr_assert_str_eq(str(cond, "code.coding.0.system"), "http://hl7.org/fhir/sid/icd-10-cm");
	cr_assert_str_eq(str(cond, "code.coding.0.code"), "I48.91");
	cr_assert_str_eq(str(cond, "code.coding.0.display"), "Unspecified atrial fibrillation");
	cr_assert_str_eq(str(cond, "code.coding.1.system"), "http://snomed.info/sct");
	cr_assert_str_eq(str(cond, "code.coding.1.code"), "49436004");
	cr_assert_str_eq(str(cond, "code.text"), "Atrial Fibrillation");
	cr_assert_str_eq(str(cond, "subject.reference"), "Patient/p1");
	cr_assert_str_eq(str(cond, "encounter.reference"), "Encounter/e1");
	cr_assert_str_eq(str(cond, "recordedDate"), "2026-12-02T10:00:00Z");
	cr_assert_str_eq(str(cond, "recorder.reference"), "Practitioner/dr1");
	/* The typed one: its words are the text, not a display. */
	cond = at(tx, "entry.1.resource");
	cr_assert_str_eq(str(cond, "code.coding.0.code"), "R05.9");
	cr_assert_null(at(cond, "code.coding.0.display"));
	cr_assert_null(at(cond, "code.coding.1"));
	cr_assert_str_eq(str(cond, "code.text"), "dry cough");
	/* The procedure. */
	cr_assert_str_eq(str(tx, "entry.2.request.url"), "Procedure");
	cr_assert_null(at(tx, "entry.2.request.ifNoneExist"), "the encounter's If-Match guards it");
	cr_assert_str_eq(str(tx, "entry.2.resource.status"), "completed");
	cr_assert_str_eq(str(tx, "entry.2.resource.code.coding.0.system"), "http://www.ama-assn.org/go/cpt");
	cr_assert_str_eq(str(tx, "entry.2.resource.code.coding.0.code"), "99213");
	cr_assert_str_eq(str(tx, "entry.2.resource.code.coding.0.display"), "Office visit, established, low");
	cr_assert_str_eq(str(tx, "entry.2.resource.performedDateTime"), "2026-12-02T10:00:00Z");
	cr_assert_str_eq(str(tx, "entry.2.resource.performer.0.actor.reference"), "Practitioner/dr1");
	cr_assert_str_eq(str(tx, "entry.2.resource.encounter.reference"), "Encounter/e1");
	/* The visit finished, If-Match as read, its diagnoses in the order chosen. */
	enc = at(tx, "entry.3.resource");
	cr_assert_str_eq(str(tx, "entry.3.request.method"), "PUT");
	cr_assert_str_eq(str(tx, "entry.3.request.url"), "Encounter/e1");
	cr_assert_str_eq(str(tx, "entry.3.request.ifMatch"), "W/\"4\"");
	cr_assert_str_eq(str(enc, "status"), "finished");
	cr_assert_str_eq(str(enc, "period.start"), "2026-12-02T09:00:00Z");
	cr_assert_str_eq(str(enc, "period.end"), "2026-12-02T10:00:00Z");
	cr_assert_str_eq(str(enc, "location.0.status"), "completed");
	cr_assert_null(at(enc, "meta"));
	cr_assert_eq(cJSON_GetArraySize(at(enc, "diagnosis")), 3);
	cr_assert_str_eq(str(enc, "diagnosis.0.condition.reference"), str(tx, "entry.0.fullUrl"));
	cr_assert_eq(strncmp(str(tx, "entry.0.fullUrl"), "urn:uuid:", 9), 0);
	cr_assert_str_eq(str(enc, "diagnosis.1.condition.reference"), "Condition/cv1");
	cr_assert_str_eq(str(enc, "diagnosis.2.condition.reference"), str(tx, "entry.1.fullUrl"));
	for (int i = 0; i < 3; i++) {
		char path[64];

		snprintf(path, sizeof path, "diagnosis.%d.rank", i);
		cr_assert_eq(at(enc, path)->valueint, i + 1);
		snprintf(path, sizeof path, "diagnosis.%d.use.coding.0.system", i);
		cr_assert_str_eq(str(enc, path), "http://terminology.hl7.org/CodeSystem/diagnosis-role");
		snprintf(path, sizeof path, "diagnosis.%d.use.coding.0.code", i);
		cr_assert_str_eq(str(enc, path), "billing");
	}
	/* The note signed in the same transaction, as note_sign_plan signs. */
	cr_assert_str_eq(str(tx, "entry.4.request.url"), "DocumentReference/n1");
	cr_assert_str_eq(str(tx, "entry.4.resource.docStatus"), "final");
	cr_assert_str_eq(str(tx, "entry.4.resource.authenticator.reference"), "Practitioner/dr1");
	cr_assert_str_eq(str(tx, "entry.5.request.url"), "Binary/b1");
	cr_assert_str_eq(str(tx, "entry.5.request.ifMatch"), "W/\"3\"");
	cr_assert_str_eq(str(tx, "entry.6.resource.resourceType"), "Provenance");
	cr_assert_null(at(tx, "entry.6.request.ifNoneExist"), "the encounter's If-Match guards it");
	cJSON_Delete(tx);
	fhir_plan_free(&p);
	/* Another order: the same identifiers, so a retry finds what a first try made. */
	cr_assert_eq(wrapup_form_move(&f, row(&f, "R05.9", NULL), -2, &cause), 0);
	p = wrapup_plan(&c, &f, &(struct wrapup_input){ .patient = "p1",
	    .when = "2026-12-02T10:00:00Z", .request_id = "req-1", .body = &b, .jws = jws }, &cause);
	tx = fhir_plan_transaction(p, fc);
	cr_assert_str_eq(str(tx, "entry.0.resource.identifier.0.value"), "req-1-dx-R05.9");
	cr_assert_str_eq(str(tx, "entry.1.resource.identifier.0.value"), "req-1-dx-I48.91");
	cJSON_Delete(tx);
	fhir_plan_free(&p);
	free(jws);
	free(cert);
	secret_free(&key);
	note_body_clear(&b);
	wrapup_form_clear(&f);
	wrapup_context_clear(&c);
}

Test(wrapup, a_visit_whose_note_is_signed_is_finished_without_signing)
{
	struct wrapup_context c = context(SIGNED("n0"));
	struct wrapup_form f;
	char *cause = NULL;
	struct fhir_plan *p;
	cJSON *tx;

	choose(&c, &f);
	p = wrapup_plan(&c, &f, &(struct wrapup_input){ .patient = "p1",
	    .when = "2026-12-02T10:00:00Z", .request_id = "req-1" }, &cause);
	cr_assert_not_null(p, "%s", cause);
	tx = fhir_plan_transaction(p, fc);
	cr_assert_eq(cJSON_GetArraySize(at(tx, "entry")), 4);
	cr_assert_str_eq(str(tx, "entry.3.request.url"), "Encounter/e1");
	cJSON_Delete(tx);
	fhir_plan_free(&p);
	wrapup_form_clear(&f);
	wrapup_context_clear(&c);
}

Test(wrapup, the_write_is_refused_saying_why)
{
	static const struct {
		const char *notes, *why;
	} cases[] = {
		{ "", "write the visit note first" },
		{ DRAFT("n1", "dr1") "," DRAFT("n2", "dr1"), "the visit has 2 draft notes" },
		{ DRAFT("n1", "dr7"), "someone else's" },
		{ DRAFT("n1", "dr1"), "was not read and signed" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct wrapup_context c = context(cases[i].notes);
		struct wrapup_form f;
		char *cause = NULL;

		choose(&c, &f);
		cr_assert_null(wrapup_plan(&c, &f, &(struct wrapup_input){ .patient = "p1",
		    .when = "2026-12-02T10:00:00Z", .request_id = "req-1" }, &cause));
		cr_assert_not_null(strstr(cause, cases[i].why), "%s", cause);
		free(cause);
		wrapup_form_clear(&f);
		wrapup_context_clear(&c);
	}
}

Test(wrapup, nothing_chosen_no_practitioner_or_finished_is_refused)
{
	struct wrapup_context c = context(SIGNED("n0"));
	struct wrapup_form f;
	char *why;

	wrapup_form_build(&c, NULL, &f);
	why = wrapup_refusal(&c, &f);
	cr_assert_str_eq(why, "choose the visit's diagnoses first (at least one)");
	free(why);
	wrapup_form_clear(&f);
	choose(&c, &f);
	free(c.practitioner);
	c.practitioner = NULL;
	why = wrapup_refusal(&c, &f);
	cr_assert_not_null(strstr(why, "not known as a practitioner"));
	free(why);
	c.finished = true;
	why = wrapup_refusal(&c, &f);
	cr_assert_str_eq(why, "the visit is finished already");
	free(why);
	wrapup_form_clear(&f);
	wrapup_context_clear(&c);
}

Test(wrapup, the_largest_wrap_up_fits_in_one_plan)
{
	struct wrapup_context c = context(SIGNED("n0"));
	struct wrapup_form f;
	char *cause = NULL, typed[32];
	struct fhir_plan *p;

	wrapup_form_build(&c, NULL, &f);
	for (int i = 0; i < WRAPUP_DIAGNOSES_MAX; i++) {
		snprintf(typed, sizeof typed, "R%02d.9", i + 10);
		cr_assert_geq(wrapup_form_add_diagnosis(&f, typed, (size_t)-1, &cause), 0);
	}
	for (int i = 0; i < WRAPUP_PROCEDURES_MAX; i++) {
		snprintf(typed, sizeof typed, "%05d", 10000 + i);
		cr_assert_geq(wrapup_form_add_procedure(&f, &c, typed, &cause), 0);
	}
	p = wrapup_plan(&c, &f, &(struct wrapup_input){ .patient = "p1",
	    .when = "2026-12-02T10:00:00Z", .request_id = "req-1" }, &cause);
	cr_assert_not_null(p, "%s", cause);
	/* And the signing's three beside them. */
	cr_assert_geq(fhir_plan_room(p), 3);
	cr_assert_eq(fhir_plan_steps(p), WRAPUP_DIAGNOSES_MAX + WRAPUP_PROCEDURES_MAX + 1);
	fhir_plan_free(&p);
	wrapup_form_clear(&f);
	wrapup_context_clear(&c);
}

Test(wrapup, a_lost_answer_is_settled_by_the_request_identifiers)
{
	struct wrapup_context c = context(SIGNED("n0")), after;
	struct wrapup_form f;
	cJSON *a;
	char *visit;

	choose(&c, &f);
	/* Not arrived: the visit is still open. */
	cr_assert_not(wrapup_arrived(&c, &f, "req-1"));
	/* Arrived: finished, the copies found by their identifiers in the order chosen. */
	visit = xasprintf("%s,%s,%s,%s,%s,%s",
	    ENCOUNTER(",\"diagnosis\":[{\"condition\":{\"reference\":\"Condition/n-afib\"},"
		      "\"rank\":1},{\"condition\":{\"reference\":\"Condition/cv1\"},\"rank\":2},"
		      "{\"condition\":{\"reference\":\"Condition/n-cough\"},\"rank\":3}]"),
	    VISIT_CONDS,
	    COND("n-afib\",\"identifier\":[{\"system\":\"urn:ehrterm:request\",\"value\":"
		 "\"req-1-dx-I48.91\"}],\"x\":\"", AT_E1, ICD("I48.91", "AF"), "encounter-diagnosis"),
	    COND("n-cough\",\"identifier\":[{\"system\":\"urn:ehrterm:request\",\"value\":"
		 "\"req-1-dx-R05.9\"}],\"x\":\"", AT_E1, ICD("R05.9", "Cough"), "encounter-diagnosis"),
	    "{\"resourceType\":\"Procedure\",\"id\":\"n-99213\",\"identifier\":[{\"system\":"
	    "\"urn:ehrterm:request\",\"value\":\"req-1-px-99213\"}],\"status\":\"completed\","
	    "\"subject\":{\"reference\":\"Patient/p1\"},\"encounter\":{\"reference\":\"Encounter/e1\"}}",
	    SIGNED("n0"));
	a = answer(ME, visit, PROBLEMS, FEES);
	cJSON_SetValuestring((cJSON *)at(a, "entry.1.resource.entry.0.resource.status"), "finished");
	after = read_ok(a, "e1");
	cr_assert(after.finished);
	cr_assert(wrapup_arrived(&after, &f, "req-1"));
	cr_assert_not(wrapup_arrived(&after, &f, "req-2"), "another try's identifiers are not found");
	wrapup_context_clear(&after);
	cJSON_Delete(a);
	free(visit);
	wrapup_form_clear(&f);
	wrapup_context_clear(&c);
}

/* --- what the write left on the server, read from its answer --------------------------------- */

/* Every string of J equal to FROM made TO, as a server resolves a transaction's urn:uuid. */
static void
resolve_refs(cJSON *j, const char *from, const char *to)
{
	cJSON *c;

	cJSON_ArrayForEach(c, j)
	{
		if (cJSON_IsString(c) && strcmp(c->valuestring, from) == 0)
			cJSON_SetValuestring(c, to);
		else if (cJSON_IsObject(c) || cJSON_IsArray(c))
			resolve_refs(c, from, to);
	}
}

/*
 * The transaction-response a server gives to TX: each step's resource as stored, a create
 * given the id IDS[i], every step the version VERSIONS[i], the creates' urn:uuid names made
 * references, with the entry's status, location and etag; WITH_RESOURCES false: as a server
 * that returns no body answers.
 */
static cJSON *
answer_of(const cJSON *tx, const char *const *ids, const char *const *versions,
    bool with_resources)
{
	cJSON *a = parse("{\"resourceType\":\"Bundle\",\"type\":\"transaction-response\","
			 "\"entry\":[]}");
	cJSON *entries = cJSON_GetObjectItemCaseSensitive(a, "entry"), *e;
	int n = cJSON_GetArraySize(at(tx, "entry"));

	for (int i = 0; i < n; i++) {
		const cJSON *step = cJSON_GetArrayItem(at(tx, "entry"), i);
		cJSON *r = cJSON_Duplicate(at(step, "resource"), true), *meta, *resp;
		const char *url = str(step, "request.url"), *slash = strchr(url, '/');
		const char *id = slash != NULL ? slash + 1 : ids[i];
		char *location = xasprintf("%s/%s/_history/%s", str(r, "resourceType"), id, versions[i]);
		char *etag = xasprintf("W/\"%s\"", versions[i]);

		if (cJSON_GetObjectItemCaseSensitive(r, "id") == NULL)
			cJSON_AddStringToObject(r, "id", id);
		if ((meta = cJSON_GetObjectItemCaseSensitive(r, "meta")) == NULL)
			meta = cJSON_AddObjectToObject(r, "meta");
		cJSON_DeleteItemFromObjectCaseSensitive(meta, "versionId");
		cJSON_AddStringToObject(meta, "versionId", versions[i]);
		e = cJSON_CreateObject();
		resp = cJSON_AddObjectToObject(e, "response");
		cJSON_AddStringToObject(resp, "status", slash ? "200 OK" : "201 Created");
		cJSON_AddStringToObject(resp, "location", location);
		cJSON_AddStringToObject(resp, "etag", etag);
		cJSON_AddItemToObject(e, "resource", r);
		cJSON_AddItemToArray(entries, e);
		free(location);
		free(etag);
	}
	for (int i = 0; i < n; i++) {
		const cJSON *step = cJSON_GetArrayItem(at(tx, "entry"), i);
		const cJSON *full = cJSON_GetObjectItemCaseSensitive(step, "fullUrl");
		char *ref;

		if (!cJSON_IsString(full))
			continue;
		ref = xasprintf("%s/%s", str(step, "resource.resourceType"), ids[i]);
		resolve_refs(a, full->valuestring, ref);
		free(ref);
	}
	if (!with_resources)
		cJSON_ArrayForEach(e, entries)
			cJSON_DeleteItemFromObjectCaseSensitive(e, "resource");
	return a;
}

/*
 * The wrap-up of choose() on C (its draft n1 signed) as the server answers it: the copied
 * I48.91 made c-afib, the typed R05.9 c-cough, 99213 px1, the visit at version 5, the note
 * at 3, its text at 4, the Provenance pv1.
 */
static cJSON *
finished_answer(struct wrapup_context *c, struct wrapup_form *f, bool with_resources)
{
	static const char *const ids[] = { "c-afib", "c-cough", "px1", NULL, NULL, NULL, "pv1" };
	static const char *const versions[] = { "1", "1", "1", "5", "3", "4", "1" };
	struct note_body b = body();
	char *cert, *cause = NULL, *jws;
	size_t cert_len;
	struct secret *key = key_and_cert(&cert, &cert_len);
	struct fhir_plan *p;
	cJSON *tx, *a;

	choose(c, f);
	jws = jws_sign(key, cert, cert_len, "DocumentReference/n1", b.bytes, b.len, &cause);
	cr_assert_not_null(jws, "%s", cause);
	p = wrapup_plan(c, f, &(struct wrapup_input){ .patient = "p1",
	    .when = "2026-12-02T10:00:00Z", .request_id = "req-1", .body = &b, .jws = jws }, &cause);
	cr_assert_not_null(p, "%s", cause);
	tx = fhir_plan_transaction(p, fc);
	cr_assert_eq(cJSON_GetArraySize(at(tx, "entry")), 7);
	a = answer_of(tx, ids, versions, with_resources);
	cJSON_Delete(tx);
	fhir_plan_free(&p);
	free(jws);
	free(cert);
	secret_free(&key);
	note_body_clear(&b);
	return a;
}

Test(wrapup, the_finishs_answer_is_the_visit_finished_as_reading_it_again_would_show)
{
	struct wrapup_context c = context(DRAFT("n1", "dr1"));
	struct wrapup_form f, after;
	cJSON *a = finished_answer(&c, &f, true);
	size_t order[8];
	char *cause = NULL, *why;

	cr_assert_eq(wrapup_saved_read(a, "p1", &c, &cause), 0, "%s", cause ? cause : "");
	cr_assert(c.finished);
	cr_assert_str_eq(c.status, "finished");
	cr_assert_str_eq(c.version, "5", "the version the answer gives");
	cr_assert_str_eq(c.encounter_id, "e1");
	cr_assert_str_eq(c.start, "2026-12-02T09:00:00Z");
	cr_assert_str_eq(str(c.encounter, "period.end"), "2026-12-02T10:00:00Z");
	/* The visit's two Conditions and the two the write made; its Procedure and the new one. */
	cr_assert_eq(cJSON_GetArraySize(c.conditions), 4);
	cr_assert_eq(cJSON_GetArraySize(c.procedures), 2);
	cr_assert_str_eq(str(c.procedures, "1.id"), "px1");
	/* The draft is signed: nothing is left to sign. */
	cr_assert_eq(c.note, WRAPUP_NOTE_SIGNED);
	cr_assert_not(c.has_draft);
	cr_assert_eq(c.drafts, 0);
	cr_assert_eq(c.signed_notes, 1);
	/* What the write does not change stays as read. */
	cr_assert_str_eq(c.practitioner, "dr1");
	cr_assert_eq(c.problems.n, 3);
	cr_assert_str_eq(wrapup_fee_name(&c, "99213"), "Office visit, established, low");
	/* The rows are the visit's diagnoses as ranked, as a read of the visit would give them. */
	wrapup_form_build(&c, NULL, &after);
	wrapup_form_order(&after, order);
	cr_assert_eq(wrapup_form_chosen(&after), 3);
	cr_assert_str_eq(after.v[order[0]].source, "Condition/c-afib");
	cr_assert_str_eq(after.v[order[0]].code, "I48.91");
	cr_assert_str_eq(after.v[order[1]].source, "Condition/cv1");
	cr_assert_str_eq(after.v[order[2]].source, "Condition/c-cough");
	cr_assert_eq(wrapup_form_new_procedures(&after), 0, "99213 is recorded now");
	cr_assert(wrapup_arrived(&c, &f, "req-1"), "the write is what the form chose");
	why = wrapup_refusal(&c, &after);
	cr_assert_str_eq(why, "the visit is finished already");
	free(why);
	wrapup_form_clear(&after);
	wrapup_form_clear(&f);
	wrapup_context_clear(&c);
	cJSON_Delete(a);
}

/*
 * ANSWER refused: -1 with a reason, and C still the open visit e1 at version 4 with its
 * draft, its two Conditions and its Procedure.
 */
static void
refused_answer(const cJSON *a, struct wrapup_context *c, const char *what)
{
	char *cause = NULL;

	cr_assert_eq(wrapup_saved_read(a, "p1", c, &cause), -1, "%s is taken", what);
	cr_assert_not_null(cause);
	free(cause);
	cr_assert_not(c->finished, "%s", what);
	cr_assert_str_eq(c->status, "in-progress");
	cr_assert_str_eq(c->version, "4");
	cr_assert_str_eq(str(c->encounter, "status"), "in-progress");
	cr_assert_eq(cJSON_GetArraySize(c->conditions), 2);
	cr_assert_eq(cJSON_GetArraySize(c->procedures), 1);
	cr_assert_eq(c->note, WRAPUP_NOTE_DRAFT);
	cr_assert(c->has_draft);
	cr_assert_str_eq(c->draft.id, "n1");
}

Test(wrapup, an_answer_without_the_resources_is_refused_so_the_visit_is_read)
{
	struct wrapup_context c = context(DRAFT("n1", "dr1"));
	struct wrapup_form f;
	cJSON *a = finished_answer(&c, &f, false);

	refused_answer(a, &c, "an answer without resources");
	wrapup_form_clear(&f);
	wrapup_context_clear(&c);
	cJSON_Delete(a);
}

/* The string at PATH of J set to VALUE, or the member taken out (VALUE NULL). */
static void
set_at(cJSON *j, const char *path, const char *value)
{
	const char *dot = strrchr(path, '.');
	char *up = xstrndup(path, (size_t)(dot - path));
	cJSON *parent = (cJSON *)at(j, up);

	cr_assert_not_null(parent, "no %s", up);
	if (value == NULL)
		cJSON_DeleteItemFromObjectCaseSensitive(parent, dot + 1);
	else
		cr_assert_not_null(cJSON_SetValuestring(cJSON_GetObjectItemCaseSensitive(parent, dot + 1),
				       value),
		    "no string at %s", path);
	free(up);
}

Test(wrapup, an_answer_that_does_not_fit_is_refused_so_the_visit_is_read)
{
	/* Entries of the answer: 0 and 1 the Conditions, 2 the Procedure, 3 the Encounter, 4 the note. */
	static const struct {
		const char *path, *value, *what;
	} cases[] = {
		{ "entry.3.resource.subject.reference", "Patient/p2", "another patient's visit" },
		{ "entry.3.resource.id", "e2", "another visit" },
		{ "entry.3.resource.status", "in-progress", "a visit not finished" },
		{ "entry.3.resource.meta.versionId", NULL, "a visit without a version (no etag either)" },
		{ "entry.3.response.etag", "W/\"9\"", "a visit whose etag is not its version" },
		{ "entry.3.resource.diagnosis.0.condition.reference", "Condition/elsewhere",
		    "a diagnosis naming a Condition not held" },
		{ "entry.0.resource.subject.reference", "Patient/p2", "another patient's Condition" },
		{ "entry.2.resource.encounter.reference", "Encounter/e2", "another visit's Procedure" },
		{ "entry.4.resource.id", "n2", "another note" },
		{ "entry.4.resource.docStatus", "preliminary", "the note not signed" },
		{ "entry.6.resource.resourceType", "Observation", "something the wrap-up did not write" },
		{ "entry.1.response.status", "400 Bad Request", "a failed entry" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct wrapup_context c = context(DRAFT("n1", "dr1"));
		struct wrapup_form f;
		cJSON *a = finished_answer(&c, &f, true);

		set_at(a, cases[i].path, cases[i].value);
		if (cases[i].value == NULL && strstr(cases[i].path, "versionId") != NULL)
			set_at(a, "entry.3.response.etag", NULL);
		refused_answer(a, &c, cases[i].what);
		wrapup_form_clear(&f);
		wrapup_context_clear(&c);
		cJSON_Delete(a);
	}
}

Test(wrapup, a_visit_whose_note_was_signed_before_is_finished_from_its_answer)
{
	static const char *const ids[] = { "c-afib", "c-cough", "px1", NULL };
	static const char *const versions[] = { "1", "1", "1", "5" };
	struct wrapup_context c = context(SIGNED("n0"));
	struct wrapup_form f;
	char *cause = NULL;
	struct fhir_plan *p;
	cJSON *tx, *a;

	choose(&c, &f);
	p = wrapup_plan(&c, &f, &(struct wrapup_input){ .patient = "p1",
	    .when = "2026-12-02T10:00:00Z", .request_id = "req-1" }, &cause);
	cr_assert_not_null(p, "%s", cause);
	tx = fhir_plan_transaction(p, fc);
	a = answer_of(tx, ids, versions, true);
	cr_assert_eq(wrapup_saved_read(a, "p1", &c, &cause), 0, "%s", cause ? cause : "");
	cr_assert(c.finished);
	cr_assert_eq(c.note, WRAPUP_NOTE_SIGNED);
	cr_assert_eq(c.signed_notes, 1, "no note signed by this write");
	cr_assert(wrapup_arrived(&c, &f, "req-1"));
	/* Finished, it takes no second answer. */
	cr_assert_eq(wrapup_saved_read(a, "p1", &c, &cause), -1);
	free(cause);
	cJSON_Delete(a);
	cJSON_Delete(tx);
	fhir_plan_free(&p);
	wrapup_form_clear(&f);
	wrapup_context_clear(&c);
}

