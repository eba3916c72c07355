/* Unit tests for where charge capture starts: a visit's diagnoses in the order its wrap-up ranks
 * them, its procedures read with its charges, and the lines proposed from them. */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/under_valgrind.h"
#include "fhir/billing.h"

static const struct date today = {2026, 3, 1};

static cJSON *
parse(const char *text)
{
	cJSON *j = cJSON_Parse(text);

	cr_assert_not_null(j, "test JSON: %s", text);
	return j;
}

#define OK "\"response\":{\"status\":\"200 OK\"}"
#define PATIENT_P1                                                                                 \
	"{" OK ",\"resource\":{\"resourceType\":\"Patient\",\"id\":\"p1\",\"birthDate\":"          \
	"\"1960-01-02\"}},{}"
/* A Condition ID of PATIENT recorded at ENC, coded CODE in ICD-10-CM; MORE ends the resource. */
#define COND(id, patient, enc, code, more)                                                         \
	"{\"resource\":{\"resourceType\":\"Condition\",\"id\":\"" id "\",\"subject\":{"            \
	"\"reference\":\"Patient/" patient "\"},\"encounter\":{\"reference\":\"Encounter/" enc     \
	"\"},\"code\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"1\"},{"       \
	"\"system\":\"" BILL_CS_ICD10CM "\",\"code\":\"" code "\",\"display\":\"dx " code          \
	"\"}]}" more "}}"
/* An entry of Encounter.diagnosis naming Condition ID; RANK is ",\"rank\":..." or "". */
#define DX(id, rank)                                                                               \
	"{\"condition\":{\"reference\":\"Condition/" id "\"},\"use\":{\"coding\":[{\"system\":"    \
	"\"http://terminology.hl7.org/CodeSystem/diagnosis-role\",\"code\":\"billing\"}]}" rank "}"

/* The visits of patient p1 from an answer whose visits are ENCOUNTERS and conditions CONDS. */
static void
visits_of(const char *encounters, const char *conds, struct bill_encounters *e)
{
	char *text, *cause = NULL;
	cJSON *r;

	cr_assert(asprintf(&text,
	              "{\"entry\":[" PATIENT_P1 ",{" OK ",\"resource\":{\"resourceType\":\"Bundle\","
	              "\"entry\":[%s]}},{" OK ",\"resource\":{\"resourceType\":\"Bundle\","
	              "\"entry\":[%s]}}]}",
	              encounters, conds) > 0);
	r = parse(text);
	cr_assert_eq(bill_encounters_result(r, "p1", e, &cause), 0, "%s", cause ? cause : "");
	cJSON_Delete(r);
	free(text);
}

/* The codes of E's diagnoses joined with spaces, into BUF. */
static const char *
codes_of(const struct bill_encounter *e, char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t i = 0; i < e->ndiagnoses; i++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", i ? " " : "",
		    e->diagnoses[i].code);
	return buf;
}

/* --- the visit's diagnoses in rank order ------------------------------------------------- */

Test(capture_diagnoses, the_encounters_ranks_first_then_the_others_recorded_at_it)
{
	struct bill_encounters e;
	char buf[256];

	visits_of(
	    /* The wrapped-up visit, and an older one whose Condition must not come along. */
	    "{\"resource\":{\"resourceType\":\"Encounter\",\"id\":\"w\",\"status\":\"finished\","
	    "\"subject\":{\"reference\":\"Patient/p1\"},\"period\":{\"start\":\"2026-02-27\"},"
	    "\"diagnosis\":["
	    DX("c1", ",\"rank\":2") "," DX("c2", ",\"rank\":1") "," DX("c3", "") ","
	    DX("c4", ",\"rank\":1") "," DX("c5", ",\"rank\":0") "," DX("c6", ",\"rank\":-3") ","
	    DX("c7", ",\"rank\":1.5") "," DX("c8", ",\"rank\":\"1\"") ","
	    DX("theirs", ",\"rank\":1") "," DX("gone", ",\"rank\":1") ","
	    DX("snomed", ",\"rank\":3") ","
	    "{\"condition\":{\"reference\":\"Procedure/pr1\"},\"rank\":1},"
	    DX("c1", ",\"rank\":9") "]}},"
	    "{\"resource\":{\"resourceType\":\"Encounter\",\"id\":\"old\",\"subject\":{"
	    "\"reference\":\"Patient/p1\"},\"period\":{\"start\":\"2025-01-01\"}}}",
	    /* Server order: the primary (c2) is not the first Condition read. */
	    COND("c9", "p1", "w", "Z00.00", "") ","
	    COND("c1", "p1", "w", "E11.9", "") "," COND("c2", "p1", "w", "I10", "") ","
	    COND("c3", "p1", "old", "J06.9", "") "," COND("c4", "p1", "w", "R05.9", "") ","
	    COND("c5", "p1", "w", "M54.50", "") "," COND("c6", "p1", "w", "K21.9", "") ","
	    COND("c7", "p1", "w", "E78.5", "") "," COND("c8", "p1", "w", "F41.1", "") ","
	    COND("theirs", "p2", "w", "C34.90", "") ","
	    COND("gone2", "p1", "w", "J45.909",
	        ",\"verificationStatus\":{\"coding\":[{\"code\":\"entered-in-error\"}]}") ","
	    COND("old1", "p1", "old", "J02.9", "") ","
	    "{\"resource\":{\"resourceType\":\"Condition\",\"id\":\"snomed\",\"subject\":{"
	    "\"reference\":\"Patient/p1\"},\"code\":{\"coding\":[{\"system\":"
	    "\"http://snomed.info/sct\",\"code\":\"38341003\"}]}}}",
	    &e);
	cr_assert_eq(e.n, 2);
	cr_assert_str_eq(e.v[0].id, "w");
	/*
	 * Rank 1 (c2, then c4 which repeats the rank: the array's order), rank 2 (c1, named
	 * twice, listed once), then the unranked in the array's order: no rank, 0, -3, 1.5
	 * and "1" are no rank. Then c9, recorded at the visit and not named.
	 */
	cr_assert_str_eq(codes_of(&e.v[0], buf, sizeof buf),
	    "I10 R05.9 E11.9 J06.9 M54.50 K21.9 E78.5 F41.1 Z00.00");
	cr_assert_str_eq(e.v[0].diagnoses[0].display, "dx I10");
	cr_assert_eq(e.v[0].unread, 2, "another patient's Condition, and one not read");
	cr_assert_eq(e.v[0].uncoded, 1, "a Condition without ICD-10-CM");
	cr_assert_eq(e.v[0].over, 0);
	cr_assert_str_eq(codes_of(&e.v[1], buf, sizeof buf), "J06.9 J02.9",
	    "the older visit: its own Conditions, in the order read");
	bill_encounters_clear(&e);
}

Test(capture_diagnoses, a_claim_takes_the_first_twelve_by_rank)
{
	struct bill_encounters e;
	char encounter[4096] = "{\"resource\":{\"resourceType\":\"Encounter\",\"id\":\"w\","
	                       "\"subject\":{\"reference\":\"Patient/p1\"},\"diagnosis\":[";
	char conds[8192] = "", buf[256];

	/* Fourteen diagnoses ranked 14 down to 1: the last two in the array are the first two. */
	for (int i = 0; i < 14; i++) {
		snprintf(encounter + strlen(encounter), sizeof encounter - strlen(encounter),
		    "%s{\"condition\":{\"reference\":\"Condition/c%d\"},\"rank\":%d}", i ? "," : "",
		    i, 14 - i);
		snprintf(conds + strlen(conds), sizeof conds - strlen(conds),
		    "%s{\"resource\":{\"resourceType\":\"Condition\",\"id\":\"c%d\",\"subject\":{"
		    "\"reference\":\"Patient/p1\"},\"code\":{\"coding\":[{\"system\":\"" BILL_CS_ICD10CM
		    "\",\"code\":\"A%02d.1\"}]}}}",
		    i ? "," : "", i, i);
	}
	snprintf(encounter + strlen(encounter), sizeof encounter - strlen(encounter), "]}}");
	visits_of(encounter, conds, &e);
	cr_assert_eq(e.v[0].ndiagnoses, BILL_DIAGNOSES_MAX);
	cr_assert_str_eq(codes_of(&e.v[0], buf, sizeof buf),
	    "A13.1 A12.1 A11.1 A10.1 A09.1 A08.1 A07.1 A06.1 A05.1 A04.1 A03.1 A02.1");
	cr_assert_eq(e.v[0].over, 2);
	bill_encounters_clear(&e);
}

/* A new entry at the end of the array LIST, borrowed. */
static cJSON *
entry_of(cJSON *list)
{
	cJSON *e = cJSON_CreateObject();

	cJSON_AddItemToArray(list, e);
	return e;
}

/*
 * 100,000 visits, 100,000 Conditions and a visit naming 100,000 of them, each ranked:
 * read as at most BILL_ENCOUNTERS_COUNT visits, BILL_CONDITIONS_COUNT Conditions and the
 * first BILL_DIAGNOSIS_ENTRIES_MAX entries of the array, in time linear in the answer (a
 * join with a loop inside a loop takes minutes here). SIGALRM ends the worker (reported
 * as a crash) when it is still reading after 10 s.
 */
Test(capture_hostile, hundred_thousand_element_arrays_stay_linear_and_bounded)
{
	cJSON *r = cJSON_CreateObject(), *entries = cJSON_AddArrayToObject(r, "entry");
	cJSON *encs = cJSON_CreateObject(), *conds = cJSON_CreateObject(), *w, *dx, *list;
	struct bill_encounters e;
	char *cause = NULL, buf[64];

	alarm(RUNNING_ON_VALGRIND ? 600 : 10);
	cJSON_AddItemToArray(entries, parse("{" OK ",\"resource\":{\"resourceType\":\"Patient\","
	                                    "\"id\":\"p1\"}}"));
	cJSON_AddItemToArray(entries, cJSON_CreateObject());
	cJSON_AddStringToObject(encs, "resourceType", "Bundle");
	list = cJSON_AddArrayToObject(encs, "entry");
	w = parse("{\"resourceType\":\"Encounter\",\"id\":\"w\",\"subject\":{\"reference\":"
	          "\"Patient/p1\"},\"period\":{\"start\":\"2026-02-27\"}}");
	dx = cJSON_AddArrayToObject(w, "diagnosis");
	for (int i = 0; i < 100000; i++) {
		char ref[32];
		cJSON *d = cJSON_CreateObject();

		snprintf(ref, sizeof ref, "Condition/c%d", i);
		cJSON_AddStringToObject(cJSON_AddObjectToObject(d, "condition"), "reference", ref);
		/* The last entries have the best ranks: past what is read. */
		cJSON_AddNumberToObject(d, "rank", 100000 - i);
		cJSON_AddItemToArray(dx, d);
	}
	cJSON_AddItemToObject(entry_of(list), "resource", w);
	for (int i = 0; i < 100000; i++) {
		cJSON *enc = cJSON_AddObjectToObject(entry_of(list), "resource");

		snprintf(buf, sizeof buf, "e%d", i);
		cJSON_AddStringToObject(enc, "resourceType", "Encounter");
		cJSON_AddStringToObject(enc, "id", buf);
		cJSON_AddStringToObject(
		    cJSON_AddObjectToObject(enc, "subject"), "reference", "Patient/p1");
	}
	cJSON_AddStringToObject(conds, "resourceType", "Bundle");
	list = cJSON_AddArrayToObject(conds, "entry");
	for (int i = 0; i < 100000; i++) {
		char text[512];

		snprintf(text, sizeof text,
		    "{\"resource\":{\"resourceType\":\"Condition\",\"id\":\"c%d\",\"subject\":{"
		    "\"reference\":\"Patient/p1\"},\"encounter\":{\"reference\":\"Encounter/e%d\"},"
		    "\"code\":{\"coding\":[{\"system\":\"" BILL_CS_ICD10CM "\",\"code\":\"A%02d.%d\"}]}}}",
		    i, i, i / 10 % 100, i % 10);
		cJSON_AddItemToArray(list, parse(text));
	}
	{
		cJSON *a = cJSON_CreateObject(), *b = cJSON_CreateObject();

		cJSON_AddStringToObject(cJSON_AddObjectToObject(a, "response"), "status", "200 OK");
		cJSON_AddItemToObject(a, "resource", encs);
		cJSON_AddStringToObject(cJSON_AddObjectToObject(b, "response"), "status", "200 OK");
		cJSON_AddItemToObject(b, "resource", conds);
		cJSON_AddItemToArray(entries, a);
		cJSON_AddItemToArray(entries, b);
	}
	cr_assert_eq(bill_encounters_result(r, "p1", &e, &cause), 0, "%s", cause ? cause : "");
	cr_assert_eq(e.n, BILL_ENCOUNTERS_COUNT);
	cr_assert_str_eq(e.v[0].id, "w", "the dated visit first");
	cr_assert_eq(e.v[0].ndiagnoses, BILL_DIAGNOSES_MAX);
	/* c63 has the best rank of the 64 entries read; c0 to c63 are among the 200 Conditions. */
	cr_assert_str_eq(e.v[0].diagnoses[0].code, "A06.3");
	cr_assert_str_eq(e.v[0].diagnoses[11].code, "A05.2");
	cr_assert_eq(e.v[0].over, BILL_DIAGNOSIS_ENTRIES_MAX - BILL_DIAGNOSES_MAX);
	/* Each of the first visits read got the one Condition recorded at it. */
	for (size_t i = 1; i < e.n; i++)
		cr_assert_eq(e.v[i].ndiagnoses, atoi(e.v[i].id + 1) < BILL_CONDITIONS_COUNT, "%s",
		    e.v[i].id);
	bill_encounters_clear(&e);
	cJSON_Delete(r);
}

/* --- the visit's procedures, read with its charges ---------------------------------------- */

/* A Procedure ID of PATIENT at ENC, STATUS, coded as CODING (JSON); MORE ends the resource. */
#define PROC(id, patient, enc, status, coding, more)                                               \
	"{\"resource\":{\"resourceType\":\"Procedure\",\"id\":\"" id "\",\"status\":\"" status     \
	"\",\"code\":{\"coding\":[" coding "]},\"subject\":{\"reference\":\"Patient/" patient      \
	"\"},\"encounter\":{\"reference\":\"Encounter/" enc "\"}" more "}}"
#define CPT(code) "{\"system\":\"" BILL_CS_CPT "\",\"code\":\"" code "\",\"display\":\"cpt " code "\"}"
#define SNOMED(code) "{\"system\":\"http://snomed.info/sct\",\"code\":\"" code "\"}"
#define EMPTY_SET "{" OK ",\"resource\":{\"resourceType\":\"Bundle\",\"entry\":[]}}"

/* Visit e1 of p1 from an answer whose charges are CHARGES and procedures entry PROCS. */
static void
visit_of(const char *charges, const char *procs, struct bill_visit *v)
{
	char *text, *cause = NULL;
	cJSON *r;

	cr_assert(asprintf(&text,
	              "{\"entry\":[" PATIENT_P1 ",{" OK ",\"resource\":{\"resourceType\":"
	              "\"Bundle\",\"entry\":[%s]}}," EMPTY_SET ","
	              "{" OK ",\"resource\":{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{"
	              "\"resourceType\":\"Account\",\"id\":\"a1\",\"status\":\"active\","
	              "\"subject\":[{\"reference\":\"Patient/p1\"}]}}]}}%s%s]}",
	              charges, procs != NULL ? "," : "", procs != NULL ? procs : "") > 0);
	r = parse(text);
	cr_assert_eq(bill_visit_result(r, "p1", "e1", &today, v, &cause), 0, "%s",
	    cause ? cause : "");
	cJSON_Delete(r);
	free(text);
}

Test(capture_procedures, read_in_the_visits_batch_completed_cpt_of_this_patient_and_visit)
{
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	cJSON *b = bill_visit_batch(fc, "p1", "e1");
	char *text = cJSON_PrintUnformatted(b);
	struct bill_visit v;

	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(b, "entry")), 6,
	    "one round trip: the procedures beside the charges");
	cr_assert_not_null(strstr(text,
	                       "Procedure?patient=Patient%2Fp1&encounter=Encounter%2Fe1&status="
	                       "completed&_elements=status%2Ccode%2Csubject%2Cencounter%2Cperformed"
	                       "%2Cperformer&_count=50"),
	    "%s", text);
	free(text);
	cJSON_Delete(b);
	fhir_client_free(&fc);

	visit_of("",
	    "{" OK ",\"resource\":{\"resourceType\":\"Bundle\",\"total\":8,\"entry\":["
	    PROC("pr1", "p1", "e1", "completed", SNOMED("1") "," CPT("99213"),
	        ",\"performedDateTime\":\"2026-02-27T10:00:00Z\",\"performer\":[{\"actor\":{"
	        "\"reference\":\"Practitioner/dr2\"}}]") ","
	    PROC("pr2", "p1", "e1", "completed", CPT("36415"),
	        ",\"performedPeriod\":{\"start\":\"2026-02-28\"},\"performer\":[{\"actor\":{"
	        "\"reference\":\"Organization/lab\"}}]") ","
	    PROC("pr3", "p1", "e1", "completed", SNOMED("23426006"), "") ","
	    PROC("pr4", "p2", "e1", "completed", CPT("99214"), "") ","
	    PROC("pr5", "p1", "e1", "not-done", CPT("93000"), "") ","
	    PROC("pr6", "p1", "e9", "completed", CPT("85025"), "") ","
	    PROC("pr7", "p1", "e1", "completed", CPT("9921"), "") ","
	    PROC("pr8", "p1", "e1", "completed", CPT("99499"), "") "]}}",
	    &v);
	cr_assert_eq(v.nprocedures, 3);
	cr_assert_str_eq(v.procedures[0].id, "pr1");
	cr_assert_str_eq(v.procedures[0].code, "99213", "its CPT coding, not the first");
	cr_assert_str_eq(v.procedures[0].display, "cpt 99213");
	cr_assert_str_eq(v.procedures[0].day, "2026-02-27");
	cr_assert_str_eq(v.procedures[0].performer, "Practitioner/dr2");
	cr_assert_str_eq(v.procedures[1].day, "2026-02-28", "a period's start");
	cr_assert_str_eq(v.procedures[1].performer, "", "only a practitioner renders a service");
	cr_assert_str_eq(v.procedures[2].code, "99499");
	cr_assert_eq(v.procedures_uncoded, 2, "SNOMED only, and a code that is not CPT");
	cr_assert_eq(v.procedures_total, 8);
	cr_assert_eq(v.unreadable.n, 2);
	cr_assert_str_eq(v.unreadable.v[0],
	    "The server sent a procedure (99214) of another patient or visit; it is left out");
	cr_assert_str_eq(v.unreadable.v[1],
	    "The server sent a procedure (85025) of another patient or visit; it is left out");
	cr_assert_str_eq(v.account, "Account/a1");
	bill_visit_clear(&v);

	/* Without the procedures the charges still show, and the biller hears why. */
	visit_of("", "{\"response\":{\"status\":\"500 Internal Server Error\"}}", &v);
	cr_assert(v.procedures_failed);
	cr_assert_eq(v.nprocedures, 0);
	cr_assert_str_eq(v.unreadable.v[0],
	    "The visit's procedures could not be read (500 Internal Server Error): charge them by "
	    "hand");
	bill_visit_clear(&v);
	visit_of("", NULL, &v);
	cr_assert(v.procedures_failed, "no answer for them at all");
	bill_visit_clear(&v);
}

/* 100,000 Procedures from a server that ignores _count: BILL_PROCEDURES_COUNT are read. */
Test(capture_hostile, a_hundred_thousand_procedures_are_read_as_many_as_were_asked_for)
{
	size_t n = 100000, len = n * 300 + 1024;
	char *procs = malloc(len), *at = procs;
	struct bill_visit v;

	alarm(RUNNING_ON_VALGRIND ? 600 : 10);
	at += snprintf(at, len, "{" OK ",\"resource\":{\"resourceType\":\"Bundle\",\"entry\":[");
	for (size_t i = 0; i < n; i++)
		at += snprintf(at, len - (size_t)(at - procs),
		    "%s" PROC("p", "p1", "e1", "completed", CPT("99213"), ""), i ? "," : "");
	snprintf(at, len - (size_t)(at - procs), "]}}");
	visit_of("", procs, &v);
	cr_assert_eq(v.nprocedures, BILL_PROCEDURES_COUNT);
	cr_assert_eq(v.procedures_total, n);
	bill_visit_clear(&v);
	free(procs);
}

/* --- the lines capture starts from -------------------------------------------------------- */

/* The fee schedule: 99213 and 36415 priced, 93000 with a price that cannot be used. */
static void
fees_of(struct bill_fees *f)
{
	char *cause = NULL;
	cJSON *set = parse(
	    "{\"resourceType\":\"Bundle\",\"entry\":["
	    "{\"resource\":{\"resourceType\":\"ChargeItemDefinition\",\"url\":\"urn:fee:99213\","
	    "\"status\":\"active\",\"code\":{\"coding\":[{\"system\":\"" BILL_CS_CPT "\",\"code\":"
	    "\"99213\",\"display\":\"Office visit, low\"}]},\"propertyGroup\":[{\"priceComponent\":[{"
	    "\"type\":\"base\",\"amount\":{\"value\":112.41,\"currency\":\"USD\"}}]}]}},"
	    "{\"resource\":{\"resourceType\":\"ChargeItemDefinition\",\"url\":\"urn:fee:36415\","
	    "\"status\":\"active\",\"code\":{\"coding\":[{\"system\":\"" BILL_CS_CPT "\",\"code\":"
	    "\"36415\",\"display\":\"Venous blood draw\"}]},\"propertyGroup\":[{\"priceComponent\":[{"
	    "\"type\":\"base\",\"amount\":{\"value\":12,\"currency\":\"USD\"}}]}]}},"
	    "{\"resource\":{\"resourceType\":\"ChargeItemDefinition\",\"url\":\"urn:fee:93000\","
	    "\"status\":\"active\",\"code\":{\"coding\":[{\"system\":\"" BILL_CS_CPT "\",\"code\":"
	    "\"93000\"}]},\"propertyGroup\":[{\"priceComponent\":[{\"type\":\"base\",\"amount\":{"
	    "\"value\":\"75.00\",\"currency\":\"USD\"}}]}]}}]}");

	cr_assert_eq(bill_fees_read(set, f, &cause), 0);
	cJSON_Delete(set);
}

/* Visit e1, 2026-02-27, by dr1, whose diagnoses in rank order are CODES (blank-separated). */
static struct bill_encounter
visit_e1(const char *codes)
{
	struct bill_encounter e = {.id = "e1", .day = "2026-02-27", .performer = "Practitioner/dr1"};

	for (const char *p = codes; *p != '\0' && e.ndiagnoses < BILL_DIAGNOSES_MAX;) {
		size_t n = strcspn(p, " ");

		memcpy(e.diagnoses[e.ndiagnoses++].code, p, n);
		p += n + strspn(p + n, " ");
	}
	return e;
}

static void
procedure(struct bill_visit *v, const char *code, const char *day, const char *performer)
{
	struct bill_procedure *p = &v->procedures[v->nprocedures++];

	snprintf(p->code, sizeof p->code, "%s", code);
	snprintf(p->display, sizeof p->display, "done: %s", code);
	snprintf(p->day, sizeof p->day, "%s", day);
	snprintf(p->performer, sizeof p->performer, "%s", performer);
}

Test(capture_lines, one_pending_line_per_procedure_with_the_primary_diagnosis_first)
{
	struct bill_procedure procs[4];
	struct bill_visit v = {.procedures = procs, .account = "Account/a1"};
	struct bill_encounter enc = visit_e1("I10 E11.9 J06.9 R05.9 Z00.00");
	struct bill_line out[BILL_LINES_MAX];
	struct bill_problems problems = {0};
	struct bill_fees fees;
	struct fhir_plan *plan;

	fees_of(&fees);
	procedure(&v, "99213", "", "");
	procedure(&v, "36415", "2026-02-28", "Practitioner/dr2");
	procedure(&v, "99499", "", "");
	cr_assert_eq(bill_capture_lines(&v, &enc, "p1", &fees, out, BILL_LINES_MAX), 3);
	cr_assert_str_eq(out[0].code, "99213");
	cr_assert_str_eq(out[0].system, BILL_CS_CPT);
	cr_assert_eq(out[0].quantity, 1);
	cr_assert_eq(out[0].unit_price.minor, 11241, "the fee schedule's price");
	cr_assert_str_eq(out[0].definition, "urn:fee:99213");
	cr_assert_str_eq(out[0].display, "Office visit, low");
	cr_assert_str_eq(out[0].patient, "Patient/p1");
	cr_assert_str_eq(out[0].encounter, "Encounter/e1");
	cr_assert_str_eq(out[0].account, "Account/a1");
	cr_assert_str_eq(out[0].performer, "Practitioner/dr1", "the visit's, without the procedure's");
	cr_assert_str_eq(out[0].day, "2026-02-27", "the visit's day, without the procedure's");
	cr_assert_eq(out[0].npointers, BILL_POINTERS_MAX, "pointers 1 to 4 of 5 diagnoses");
	cr_assert_str_eq(out[0].diagnoses[0], "I10", "the primary first");
	cr_assert_str_eq(out[0].diagnoses[3], "R05.9");
	cr_assert_str_eq(out[1].performer, "Practitioner/dr2");
	cr_assert_str_eq(out[1].day, "2026-02-28");
	cr_assert_eq(out[1].unit_price.minor, 1200);
	/* A code the fee schedule has no price for: the line says so until a price is typed. */
	cr_assert_str_eq(out[2].code, "99499");
	cr_assert_str_eq(out[2].display, "done: 99499");
	cr_assert_eq(out[2].unit_price.currency[0], '\0');
	cr_assert_eq(bill_line_check(&out[2], 3, &problems), 1);
	cr_assert_str_eq(problems.v[0],
	    "Line 3 (99499) has no price in the fee schedule: type its price");
	bill_problems_free(&problems);
	/* The priced lines make one superbill as they are. */
	cr_assert_eq(out[0].request_id[0], '\0', "a screen names each line it makes");
	bill_line_name(&out[0], "req-1", 1);
	bill_line_name(&out[1], "req-1", 2);
	plan = bill_superbill_plan(out, 2, &problems);
	cr_assert_not_null(plan, "%s", problems.n ? problems.v[0] : "");
	cr_assert_eq(fhir_plan_steps(plan), 2);
	fhir_plan_free(&plan);

	/* Fewer diagnoses than four: as many pointers. None: the line says it needs one. */
	enc = visit_e1("I10");
	cr_assert_eq(bill_capture_lines(&v, &enc, "p1", &fees, out, BILL_LINES_MAX), 3);
	cr_assert_eq(out[0].npointers, 1);
	enc = visit_e1("");
	cr_assert_eq(bill_capture_lines(&v, &enc, "p1", &fees, out, 1), 3, "counted past MAX");
	cr_assert_eq(out[0].npointers, 0);
	cr_assert_eq(bill_line_check(&out[0], 1, &problems), 1);
	cr_assert_not_null(strstr(problems.v[0], "has no diagnosis"));
	bill_problems_free(&problems);

	/* Without the fee schedule every line waits for a price. */
	enc = visit_e1("I10");
	cr_assert_eq(bill_capture_lines(&v, &enc, "p1", NULL, out, BILL_LINES_MAX), 3);
	cr_assert_eq(out[0].unit_price.currency[0], '\0');
	/* A fee whose price cannot be used is no price either. */
	v.nprocedures = 0;
	procedure(&v, "93000", "", "");
	cr_assert_eq(bill_capture_lines(&v, &enc, "p1", &fees, out, BILL_LINES_MAX), 1);
	cr_assert_eq(out[0].unit_price.currency[0], '\0');
	bill_fees_free(&fees);
}

Test(capture_lines, a_procedure_already_charged_at_the_visit_is_not_proposed_again)
{
	struct bill_procedure procs[4];
	struct bill_line charges[3] = {
	    {.code = "99213", .status = "billable"},
	    {.code = "36415", .status = "entered-in-error"},
	    {.code = "85025", .status = "billed"},
	};
	struct bill_visit v = {.procedures = procs, .lines = charges, .nlines = 3};
	struct bill_encounter enc = visit_e1("I10");
	struct bill_line out[BILL_LINES_MAX];
	struct bill_fees fees;

	fees_of(&fees);
	procedure(&v, "99213", "", "");
	procedure(&v, "36415", "", "");
	procedure(&v, "85025", "", "");
	procedure(&v, "99499", "", "");
	/* 36415's charge was entered in error: it is not charged, so it is proposed. */
	cr_assert_eq(bill_capture_lines(&v, &enc, "p1", &fees, out, BILL_LINES_MAX), 2);
	cr_assert_str_eq(out[0].code, "36415");
	cr_assert_str_eq(out[1].code, "99499");
	v.nprocedures = 1;
	cr_assert_eq(bill_capture_lines(&v, &enc, "p1", &fees, out, BILL_LINES_MAX), 0,
	    "all charged: nothing to propose");
	bill_fees_free(&fees);
}
