/*
 * Unit tests for writing medications: the active orders read with their versions and named
 * from their code, a contained or an included Medication; stopping one with a reason,
 * renewing one as a new order, the list reconciled at the visit; the allergy check; the
 * form's one read; every reader bounded on 100,000-entry answers.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/under_valgrind.h"
#include "fhir/medication.h"
#include "util/xmalloc.h"

#include <unistd.h>

static cJSON *
parse(const char *text)
{
	cJSON *j = cJSON_Parse(text);

	cr_assert_not_null(j, "fixture does not parse: %s", text);
	return j;
}

#define RX "http://www.nlm.nih.gov/research/umls/rxnorm"

/* Warfarin by its RxNorm code, with a sig in words. */
#define WARFARIN                                                                                 \
	"{\"resource\":{\"resourceType\":\"MedicationRequest\",\"id\":\"w1\",\"meta\":{"        \
	"\"versionId\":\"3\"},\"status\":\"active\",\"intent\":\"order\","                      \
	"\"identifier\":[{\"system\":\"urn:ehrterm:request\",\"value\":\"old-req\"}],"            \
	"\"medicationCodeableConcept\":{\"coding\":[{\"system\":\"" RX "\",\"code\":\"855332\"," \
	"\"display\":\"Warfarin Sodium 5 MG Oral Tablet\"}],\"text\":\"Warfarin Sodium 5 MG "   \
	"Oral Tablet\"},\"subject\":{\"reference\":\"Patient/p1\"},\"authoredOn\":"             \
	"\"2018-10-30T18:46:39+00:00\",\"requester\":{\"reference\":\"Practitioner/old\"},"     \
	"\"dosageInstruction\":[{\"text\":\"5 mg by mouth daily\"}],\"dispenseRequest\":{"      \
	"\"numberOfRepeatsAllowed\":3,\"validityPeriod\":{\"start\":\"2018-10-30\"}}}}"
/* Lisinopril through a contained Medication, on hold, its sig in structured parts. */
#define LISINOPRIL                                                                               \
	"{\"resource\":{\"resourceType\":\"MedicationRequest\",\"id\":\"l1\",\"meta\":{"        \
	"\"versionId\":\"1\"},\"contained\":[{\"resourceType\":\"Medication\",\"id\":\"m1\","   \
	"\"code\":{\"coding\":[{\"system\":\"" RX "\",\"code\":\"314076\",\"display\":"         \
	"\"Lisinopril 10 MG Oral Tablet\"}]}}],\"status\":\"on-hold\",\"intent\":\"plan\","     \
	"\"medicationReference\":{\"reference\":\"#m1\"},\"subject\":{\"reference\":"           \
	"\"Patient/p1\"},\"authoredOn\":\"2024-01-02\",\"dosageInstruction\":[{\"timing\":{"    \
	"\"repeat\":{\"frequency\":1,\"period\":1,\"periodUnit\":\"d\"}},\"doseAndRate\":[{"    \
	"\"doseQuantity\":{\"value\":1,\"unit\":\"tablet\"}}]}]}}"
/* Metformin through a Medication read with the search (_include). */
#define METFORMIN                                                                                \
	"{\"resource\":{\"resourceType\":\"MedicationRequest\",\"id\":\"f1\",\"meta\":{"        \
	"\"versionId\":\"7\"},\"status\":\"active\",\"intent\":\"order\",\"medicationReference\":" \
	"{\"reference\":\"Medication/med-9\"},\"subject\":{\"reference\":\"Patient/p1\"}}},"    \
	"{\"search\":{\"mode\":\"include\"},\"resource\":{\"resourceType\":\"Medication\","     \
	"\"id\":\"med-9\",\"code\":{\"coding\":[{\"system\":\"" RX "\",\"code\":\"860975\"},"   \
	"{\"system\":\"http://snomed.info/sct\",\"code\":\"1\"}],\"text\":\"Metformin 500 MG\"}}}"
#define STOPPED                                                                                  \
	"{\"resource\":{\"resourceType\":\"MedicationRequest\",\"id\":\"s1\",\"status\":"        \
	"\"stopped\",\"intent\":\"order\",\"medicationCodeableConcept\":{\"text\":\"Old\"},"    \
	"\"subject\":{\"reference\":\"Patient/p1\"}}}"
#define PROPOSAL                                                                                 \
	"{\"resource\":{\"resourceType\":\"MedicationRequest\",\"id\":\"q1\",\"status\":"        \
	"\"active\",\"intent\":\"proposal\",\"medicationCodeableConcept\":{\"text\":\"Maybe\"}," \
	"\"subject\":{\"reference\":\"Patient/p1\"}}}"

#define WARFARIN_ALLERGY                                                                         \
	"{\"resource\":{\"resourceType\":\"AllergyIntolerance\",\"id\":\"a1\",\"meta\":{"       \
	"\"versionId\":\"1\"},\"clinicalStatus\":{\"coding\":[{\"code\":\"active\"}]},"         \
	"\"code\":{\"text\":\"Warfarin\"},\"criticality\":\"high\",\"patient\":{"              \
	"\"reference\":\"Patient/p1\"}}}"
#define CODED_ALLERGY                                                                            \
	"{\"resource\":{\"resourceType\":\"AllergyIntolerance\",\"id\":\"a2\",\"code\":{"       \
	"\"coding\":[{\"system\":\"" RX "\",\"code\":\"314076\",\"display\":\"ACE\"}]},"       \
	"\"patient\":{\"reference\":\"Patient/p1\"}}}"
#define NKA_ENTRY                                                                                \
	"{\"resource\":{\"resourceType\":\"AllergyIntolerance\",\"id\":\"n1\",\"code\":{"       \
	"\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"716186003\"}]},"         \
	"\"patient\":{\"reference\":\"Patient/p1\"}}}"

static void
read_kind(enum record_kind kind, const char *entries, struct record_list *out)
{
	char *text = xasprintf("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[%s]}",
	    entries);
	cJSON *b = parse(text);
	char *cause = NULL;

	cr_assert_eq(record_list_read(kind, b, "p1", out, &cause), 0, "%s", cause ? cause : "");
	cJSON_Delete(b);
	free(text);
}

static const cJSON *
member(const cJSON *o, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(o, name);
}

static const char *
str(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(member(o, name));
}

static const cJSON *
step(const cJSON *tx, int i, const char *part)
{
	return member(cJSON_GetArrayItem(member(tx, "entry"), i), part);
}

static const char *
first_code(const cJSON *concept)
{
	return str(cJSON_GetArrayItem(member(concept, "coding"), 0), "code");
}

static cJSON *
transaction(struct fhir_plan *p)
{
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	cJSON *tx = fhir_plan_transaction(p, fc);

	fhir_client_free(&fc);
	return tx;
}

/* --- the active orders --------------------------------------------------------------------- */

Test(med_list, active_orders_named_from_code_contained_and_included_medications)
{
	struct record_list l;
	struct fhir_search *s = record_active_search(RECORD_MEDICATION, "p1");
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	char *url = fhir_search_url(fc, s);

	cr_assert_str_eq(fhir_search_type(s), "MedicationRequest");
	cr_assert_not_null(strstr(url, "status=active%2Con-hold"), "%s", url);
	cr_assert_not_null(strstr(url, "intent=order%2Cplan"), "%s", url);
	cr_assert_not_null(strstr(url, "_include=MedicationRequest%3Amedication"), "%s", url);
	free(url);
	fhir_search_free(&s);
	fhir_client_free(&fc);

	read_kind(RECORD_MEDICATION, WARFARIN "," STOPPED "," LISINOPRIL "," PROPOSAL "," METFORMIN, &l);
	cr_assert_eq(l.n, 3, "stopped orders and proposals are not on the list");
	cr_assert_str_eq(l.items[0].what, "Warfarin Sodium 5 MG Oral Tablet");
	cr_assert_str_eq(l.items[0].code, "855332");
	cr_assert_str_eq(l.items[0].detail, "5 mg by mouth daily");
	cr_assert_str_eq(l.items[0].when, "2018-10-30");
	cr_assert_str_eq(l.items[0].version, "3");
	cr_assert(!l.items[0].on_hold);
	cr_assert_str_eq(l.items[1].what, "Lisinopril 10 MG Oral Tablet", "named by its contained Medication");
	cr_assert_str_eq(l.items[1].code, "314076");
	cr_assert_str_eq(l.items[1].detail, "1 tablet, 1 times every 1 d");
	cr_assert(l.items[1].on_hold);
	cr_assert_str_eq(l.items[2].what, "Metformin 500 MG", "named by the Medication read with it");
	cr_assert_str_eq(l.items[2].code, "860975");
	cr_assert_str_eq(l.items[2].when, "");
	cr_assert(record_list_has_request(&l, "old-req"));
	cr_assert(!record_list_has_request(&l, "other"));
	record_list_clear(&l);
}

Test(med_list, another_patients_order_spoils_the_whole_answer)
{
	cJSON *b = parse("{\"resourceType\":\"Bundle\",\"entry\":[" WARFARIN ",{\"resource\":{"
			 "\"resourceType\":\"MedicationRequest\",\"id\":\"x\",\"status\":\"active\","
			 "\"intent\":\"order\",\"subject\":{\"reference\":\"Patient/p2\"}}}]}");
	struct record_list l;
	char *cause = NULL;

	cr_assert_eq(record_list_read(RECORD_MEDICATION, b, "p1", &l, &cause), -1);
	cr_assert_eq(l.n, 0);
	cr_assert_not_null(strstr(cause, "another patient"));
	free(cause);
	cJSON_Delete(b);
}

Test(med_list, a_reference_to_nothing_read_is_named_by_its_display_or_said_unnamed)
{
	struct record_list l;

	read_kind(RECORD_MEDICATION,
	    "{\"resource\":{\"resourceType\":\"MedicationRequest\",\"id\":\"r1\",\"status\":"
	    "\"active\",\"intent\":\"order\",\"medicationReference\":{\"reference\":"
	    "\"Medication/gone\",\"display\":\"Aspirin 81 MG\"},\"subject\":{\"reference\":"
	    "\"Patient/p1\"}}},{\"resource\":{\"resourceType\":\"MedicationRequest\",\"id\":\"r2\","
	    "\"status\":\"active\",\"intent\":\"order\",\"medicationReference\":{\"reference\":"
	    "\"#nothing\"},\"subject\":{\"reference\":\"Patient/p1\"},\"contained\":\"junk\"}}",
	    &l);
	cr_assert_eq(l.n, 2);
	cr_assert_str_eq(l.items[0].what, "Aspirin 81 MG");
	cr_assert_str_eq(l.items[0].code, "");
	cr_assert_str_eq(l.items[1].what, "(unnamed medication)");
	record_list_clear(&l);
}

/* A searchset of N copies of ENTRY (a JSON object's text), built directly. */
static cJSON *
many(const char *entry, size_t n, const char *extra)
{
	cJSON *b = parse("{\"resourceType\":\"Bundle\",\"type\":\"searchset\"}");
	cJSON *one = parse(entry), *entries = cJSON_AddArrayToObject(b, "entry");

	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(entries, cJSON_Duplicate(one, true));
	if (extra != NULL)
		cJSON_AddItemToArray(entries, parse(extra));
	cJSON_Delete(one);
	return b;
}

/*
 * 100,000 orders are read as RECORD_ACTIVE_MAX and 100,000 included Medications indexed as
 * MEDICATION_INCLUDED_MAX, in time linear in the answer: SIGALRM ends a reader still busy
 * after 20 s (a quadratic one takes minutes), with room for valgrind's slowness.
 */
Test(med_list, readers_stay_bounded_on_100000_entry_answers)
{
	cJSON *orders = many(WARFARIN, 100000, NULL);
	cJSON *meds = many("{\"resource\":{\"resourceType\":\"Medication\",\"id\":\"zz\"}}", 100000,
	    NULL);
	cJSON *order = parse(LISINOPRIL), *contained, *filler = parse("{\"resourceType\":"
	    "\"Medication\",\"id\":\"other\"}");
	struct record_list l;
	struct medication_index ix;
	char *cause = NULL;

	alarm(RUNNING_ON_VALGRIND ? 600 : 20);
	cr_assert_eq(record_list_read(RECORD_MEDICATION, orders, "p1", &l, &cause), 0);
	cr_assert_eq(l.n, RECORD_ACTIVE_MAX);
	cr_assert_eq(l.more, 100000 - RECORD_ACTIVE_MAX, "the rest are counted, not kept");
	record_list_clear(&l);
	medication_index_build(meds, &ix);
	cr_assert_eq(ix.n, MEDICATION_INCLUDED_MAX);
	medication_index_free(&ix);
	/* 100,000 contained resources before the one named: not looked through. */
	contained = cJSON_GetObjectItemCaseSensitive(member(order, "resource"), "contained");
	for (int i = 0; i < 100000; i++)
		cJSON_InsertItemInArray(contained, 0, cJSON_Duplicate(filler, true));
	cr_assert_null(medication_name(member(order, "resource"), NULL, NULL));
	cJSON_Delete(orders);
	cJSON_Delete(meds);
	cJSON_Delete(order);
	cJSON_Delete(filler);
}

/* --- stopping -------------------------------------------------------------------------------- */

Test(med_stop, stopped_with_a_coded_reason_and_words_if_match_the_version_shown)
{
	struct record_list l;
	char *cause = NULL;
	struct fhir_plan *p;
	cJSON *tx;
	const cJSON *r, *reason;
	size_t n;
	const struct medication_reason *why = medication_stop_reasons(&n);

	cr_assert_gt(n, 10);
	cr_assert_str_eq(why[0].code, "salg");
	read_kind(RECORD_MEDICATION, WARFARIN, &l);
	p = medication_stop_plan(&l.items[0], "sintol", "  Bruising on the arms", &cause);
	cr_assert_not_null(p, "%s", cause ? cause : "");
	cr_assert_eq(fhir_plan_steps(p), 1);
	tx = transaction(p);
	cr_assert_str_eq(str(step(tx, 0, "request"), "method"), "PUT");
	cr_assert_str_eq(str(step(tx, 0, "request"), "url"), "MedicationRequest/w1");
	cr_assert_str_eq(str(step(tx, 0, "request"), "ifMatch"), "W/\"3\"");
	r = step(tx, 0, "resource");
	cr_assert_str_eq(str(r, "status"), "stopped");
	reason = member(r, "statusReason");
	cr_assert_str_eq(str(cJSON_GetArrayItem(member(reason, "coding"), 0), "system"),
	    MEDICATION_STOP_REASONS);
	cr_assert_str_eq(first_code(reason), "sintol");
	cr_assert_str_eq(str(reason, "text"), "Bruising on the arms");
	cr_assert_str_eq(first_code(member(r, "medicationCodeableConcept")), "855332",
	    "the rest of the order is as it was");
	cJSON_Delete(tx);
	fhir_plan_free(&p);

	/* Words alone: no code. A code alone: its display is the text. */
	p = medication_stop_plan(&l.items[0], NULL, "Patient stopped taking it", &cause);
	tx = transaction(p);
	reason = member(step(tx, 0, "resource"), "statusReason");
	cr_assert_null(member(reason, "coding"));
	cr_assert_str_eq(str(reason, "text"), "Patient stopped taking it");
	cJSON_Delete(tx);
	fhir_plan_free(&p);
	p = medication_stop_plan(&l.items[0], "salg", "", &cause);
	tx = transaction(p);
	cr_assert_str_eq(str(member(step(tx, 0, "resource"), "statusReason"), "text"), "Allergy");
	cJSON_Delete(tx);
	fhir_plan_free(&p);
	record_list_clear(&l);
}

Test(med_stop, refusals_say_why)
{
	struct record_list l;
	char *cause = NULL;

	read_kind(RECORD_MEDICATION, WARFARIN, &l);
	cr_assert_null(medication_stop_plan(&l.items[0], NULL, "   ", &cause));
	cr_assert_str_eq(cause, "say why the medication is stopped");
	free(cause);
	cr_assert_null(medication_stop_plan(&l.items[0], "because", "x", &cause));
	cr_assert_not_null(strstr(cause, "not a reason"));
	free(cause);
	free(l.items[0].version);
	l.items[0].version = NULL;
	cr_assert_null(medication_stop_plan(&l.items[0], "salg", NULL, &cause));
	cr_assert_not_null(strstr(cause, "no version"), "%s", cause);
	free(cause);
	cr_assert_null(record_retire_plan(RECORD_MEDICATION, &l.items[0], RECORD_INACTIVE, NULL,
	    &cause), "a medication is not taken off without a reason");
	free(cause);
	record_list_clear(&l);
}

/* --- renewing ------------------------------------------------------------------------------- */

Test(med_renew, a_new_order_once_and_the_old_one_completed_in_one_transaction)
{
	struct record_list l;
	char *cause = NULL;
	struct medication_renewal in = { .patient = "p1", .request_id = "req-5",
		.now = "2026-03-04T10:15:00-05:00", .requester = "Practitioner/clinician",
		.encounter = "e7" };
	struct fhir_plan *p;
	cJSON *tx;
	const cJSON *r, *old;

	read_kind(RECORD_MEDICATION, WARFARIN "," LISINOPRIL, &l);
	p = medication_renew_plan(&l.items[0], &in, &cause);
	cr_assert_not_null(p, "%s", cause ? cause : "");
	cr_assert_eq(fhir_plan_steps(p), 2);
	tx = transaction(p);
	cr_assert_str_eq(str(step(tx, 0, "request"), "method"), "POST");
	cr_assert_null(fhir_get_string(step(tx, 0, "request"), "ifNoneExist"), "the If-Match update in the same transaction guards the create");
	r = step(tx, 0, "resource");
	cr_assert(fhir_carries_request(r, "req-5"));
	cr_assert_str_eq(str(r, "resourceType"), "MedicationRequest");
	cr_assert_null(member(r, "id"));
	cr_assert_null(member(r, "meta"), "a new resource, not a copy of the old one's version");
	cr_assert_str_eq(str(r, "status"), "active");
	cr_assert_str_eq(str(r, "intent"), "order");
	cr_assert_str_eq(first_code(member(r, "medicationCodeableConcept")), "855332");
	cr_assert_str_eq(str(cJSON_GetArrayItem(member(r, "dosageInstruction"), 0), "text"),
	    "5 mg by mouth daily");
	cr_assert_str_eq(str(r, "authoredOn"), "2026-03-04T10:15:00-05:00");
	cr_assert_str_eq(str(member(r, "requester"), "reference"), "Practitioner/clinician");
	cr_assert_str_eq(str(member(r, "priorPrescription"), "reference"), "MedicationRequest/w1");
	cr_assert_str_eq(str(member(r, "subject"), "reference"), "Patient/p1");
	cr_assert_str_eq(str(member(r, "encounter"), "reference"), "Encounter/e7");
	cr_assert_eq(cJSON_GetArraySize(member(r, "identifier")), 1, "only its own request id");
	cr_assert(fhir_carries_request(r, "req-5"));
	cr_assert_not_null(member(member(r, "dispenseRequest"), "numberOfRepeatsAllowed"));
	cr_assert_null(member(member(r, "dispenseRequest"), "validityPeriod"));
	cr_assert_str_eq(str(step(tx, 1, "request"), "method"), "PUT");
	cr_assert_str_eq(str(step(tx, 1, "request"), "ifMatch"), "W/\"3\"");
	old = step(tx, 1, "resource");
	cr_assert_str_eq(str(old, "id"), "w1");
	cr_assert_str_eq(str(old, "status"), "completed");
	cJSON_Delete(tx);
	fhir_plan_free(&p);

	/* A contained Medication goes with its reference; no requester when none is known. */
	in.requester = NULL;
	in.encounter = NULL;
	p = medication_renew_plan(&l.items[1], &in, &cause);
	cr_assert_not_null(p, "%s", cause ? cause : "");
	tx = transaction(p);
	r = step(tx, 0, "resource");
	cr_assert_str_eq(str(member(r, "medicationReference"), "reference"), "#m1");
	cr_assert_str_eq(str(cJSON_GetArrayItem(member(r, "contained"), 0), "id"), "m1");
	cr_assert_null(member(r, "requester"));
	cr_assert_null(member(r, "encounter"));
	cr_assert_str_eq(str(r, "status"), "active", "renewing a held order makes it active");
	cJSON_Delete(tx);
	fhir_plan_free(&p);
	record_list_clear(&l);
}

Test(med_renew, refusals_say_why)
{
	struct record_list l;
	char *cause = NULL;
	struct medication_renewal in = { .patient = "p2", .request_id = "req-5", .now = "2026-03-04" };

	read_kind(RECORD_MEDICATION, WARFARIN, &l);
	cr_assert_null(medication_renew_plan(&l.items[0], &in, &cause));
	cr_assert_not_null(strstr(cause, "not this patient's"), "%s", cause);
	free(cause);
	in.patient = "p1";
	in.request_id = "";
	cr_assert_null(medication_renew_plan(&l.items[0], &in, &cause));
	free(cause);
	in.request_id = "req-5";
	free(l.items[0].version);
	l.items[0].version = NULL;
	cr_assert_null(medication_renew_plan(&l.items[0], &in, &cause));
	cr_assert_not_null(strstr(cause, "no version"), "%s", cause);
	free(cause);
	record_list_clear(&l);
}

/* --- the allergy check ------------------------------------------------------------------------ */

Test(med_allergy, same_rxnorm_code_or_the_substance_beginning_a_word)
{
	struct record_list a;
	const struct record_entry *m;

	read_kind(RECORD_ALLERGY, NKA_ENTRY "," WARFARIN_ALLERGY "," CODED_ALLERGY, &a);
	m = medication_allergy_match("855332", "Warfarin Sodium 5 MG Oral Tablet", &a);
	cr_assert_not_null(m);
	cr_assert_str_eq(m->what, "Warfarin");
	cr_assert_str_eq(m->detail, "high");
	m = medication_allergy_match("314076", "Some other words", &a);
	cr_assert_not_null(m, "matched by its RxNorm code");
	cr_assert_str_eq(m->what, "ACE");
	cr_assert_not_null(medication_allergy_match(NULL, "JANTOVEN (warfarin sodium) 5 MG", &a),
	    "any case, after punctuation");
	cr_assert_null(medication_allergy_match("860975", "Metformin 500 MG", &a));
	cr_assert_null(medication_allergy_match(NULL, "Coumawarfarin", &a),
	    "inside a word is not the substance");
	record_list_clear(&a);

	read_kind(RECORD_ALLERGY,
	    "{\"resource\":{\"resourceType\":\"AllergyIntolerance\",\"id\":\"b\",\"code\":{\"text\":"
	    "\"Allergy to penicillin\"},\"patient\":{\"reference\":\"Patient/p1\"}}},"
	    "{\"resource\":{\"resourceType\":\"AllergyIntolerance\",\"id\":\"c\",\"code\":{\"text\":"
	    "\"Sulfa allergy\"},\"patient\":{\"reference\":\"Patient/p1\"}}},"
	    "{\"resource\":{\"resourceType\":\"AllergyIntolerance\",\"id\":\"d\",\"code\":{\"text\":"
	    "\"  a \"},\"patient\":{\"reference\":\"Patient/p1\"}}}",
	    &a);
	m = medication_allergy_match(NULL, "Penicillin V Potassium 250 MG Oral Tablet", &a);
	cr_assert_not_null(m);
	cr_assert_str_eq(m->what, "Allergy to penicillin");
	m = medication_allergy_match(NULL, "Sulfamethoxazole 800 MG", &a);
	cr_assert_not_null(m);
	cr_assert_str_eq(m->what, "Sulfa allergy");
	cr_assert_null(medication_allergy_match(NULL, "a tablet", &a),
	    "a one-letter substance matches nothing: too short to be safe");
	record_list_clear(&a);
}

Test(med_allergy, hostile_input_is_bounded_and_matches_nothing_by_accident)
{
	struct record_list a;
	char *huge = xmalloc(1 << 20);

	read_kind(RECORD_ALLERGY, WARFARIN_ALLERGY, &a);
	cr_assert_null(medication_allergy_match(NULL, NULL, &a));
	cr_assert_null(medication_allergy_match("", "", &a));
	cr_assert_null(medication_allergy_match("855332", "Warfarin", NULL));
	cr_assert_not_null(medication_allergy_match(NULL, "\x1b]0;x\x07warfarin\xff\xfe", &a),
	    "escapes around the words do not hide them");
	/* 1 MiB of text: only its first 256 bytes are compared, so the end is not seen. */
	memset(huge, 'x', (1 << 20) - 1);
	huge[(1 << 20) - 1] = '\0';
	memcpy(huge + (1 << 20) - 10, " warfarin", 9);
	cr_assert_null(medication_allergy_match(NULL, huge, &a));
	memcpy(huge, "warfarin ", 9);
	cr_assert_not_null(medication_allergy_match(NULL, huge, &a));
	/* A 1 MiB substance is cut to 128 bytes, and finds nothing it should not. */
	free(a.items[0].what);
	a.items[0].what = huge;
	cr_assert_null(medication_allergy_match(NULL, "Metformin", &a));
	record_list_clear(&a);
}

/* --- the form's one read ----------------------------------------------------------------------- */

static char *
answer(const char *meds, const char *allergies, const char *lists, const char *visits,
    const char *me)
{
	return xasprintf("{\"resourceType\":\"Bundle\",\"type\":\"batch-response\",\"entry\":["
			 "{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":"
			 "\"Bundle\",\"entry\":[%s]}},"
			 "{\"response\":{\"status\":\"%s\"},\"resource\":{\"resourceType\":"
			 "\"Bundle\",\"entry\":[%s]}},"
			 "{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":"
			 "\"Bundle\",\"entry\":[%s]}},"
			 "{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":"
			 "\"Bundle\",\"entry\":[%s]}},"
			 "{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":"
			 "\"Bundle\",\"entry\":[%s]}}]}",
	    meds, allergies != NULL ? "200 OK" : "500 Internal Server Error",
	    allergies != NULL ? allergies : "", lists, visits, me);
}

#define LIST_E1                                                                                  \
	"{\"resource\":{\"resourceType\":\"List\",\"id\":\"L1\",\"status\":\"current\","       \
	"\"identifier\":[{\"system\":\"urn:ehrterm:request\",\"value\":\"rec-1\"}],"              \
	"\"subject\":{\"reference\":\"Patient/p1\"},\"encounter\":{\"reference\":"              \
	"\"Encounter/e1\"},\"date\":\"2026-03-04T09:00:00Z\",\"entry\":[{},{}]}}"
#define VISIT_E1                                                                                 \
	"{\"resource\":{\"resourceType\":\"Encounter\",\"id\":\"e1\",\"status\":\"in-progress\"," \
	"\"subject\":{\"reference\":\"Patient/p1\"},\"period\":{\"start\":\"2026-03-04T08:30:00Z\"}}}"
#define ME                                                                                       \
	"{\"resource\":{\"resourceType\":\"Practitioner\",\"id\":\"clinician\",\"identifier\":[{" \
	"\"system\":\"urn:ehrterm:cert-cn\",\"value\":\"clinician\"}]}}"

static int
read_chart(const char *text, const char *user, struct medication_chart *c, char **cause)
{
	cJSON *b = parse(text);
	int rc = medication_chart_read(b, "p1", user, c, cause);

	cJSON_Delete(b);
	return rc;
}

Test(med_chart, one_batch_gives_the_orders_allergies_visit_last_review_and_who_is_logged_in)
{
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	cJSON *batch = medication_chart_batch(fc, "p1", "clinician");
	char *text = cJSON_PrintUnformatted(batch);
	char *ans = answer(WARFARIN "," LISINOPRIL, WARFARIN_ALLERGY, LIST_E1, VISIT_E1, ME);
	struct medication_chart c;

	cr_assert_eq(cJSON_GetArraySize(member(batch, "entry")), 5);
	cr_assert_not_null(strstr(text, "List?subject=p1&code=http%3A%2F%2Floinc.org%7C10160-0"), "%s", text);
	cr_assert_not_null(strstr(text, "status=in-progress%2Carrived"), "%s", text);
	cr_assert_not_null(strstr(text, "urn%3Aehrterm%3Acert-cn%7Cclinician"), "%s", text);
	free(text);
	cJSON_Delete(batch);
	batch = medication_chart_batch(fc, "p1", NULL);
	cr_assert_eq(cJSON_GetArraySize(member(batch, "entry")), 4, "no user, no Practitioner asked");
	cJSON_Delete(batch);
	cr_assert_null(medication_chart_batch(fc, "p 1", NULL));
	fhir_client_free(&fc);

	cr_assert_eq(read_chart(ans, "clinician", &c, &cause), 0, "%s", cause ? cause : "");
	cr_assert_eq(c.meds.n, 2);
	cr_assert_eq(c.allergies.n, 1);
	cr_assert_eq(c.banner.state, PATIENT_ALLERGY_LISTED);
	cr_assert_str_eq(c.practitioner, "Practitioner/clinician");
	cr_assert_str_eq(c.visit, "e1");
	cr_assert_str_eq(c.visit_start, "2026-03-04T08:30:00Z");
	cr_assert_str_eq(c.last.date, "2026-03-04 09:00");
	cr_assert_eq(c.last.entries, 2);
	cr_assert(medication_reconciled_now(&c));
	cr_assert(medication_chart_has_request(&c, "rec-1"));
	cr_assert(medication_chart_has_request(&c, "old-req"));
	cr_assert(!medication_chart_has_request(&c, "new"));
	medication_chart_clear(&c);
	free(ans);

	/* Another visit open now: the last review was not at this one. */
	ans = answer(WARFARIN, WARFARIN_ALLERGY, LIST_E1,
	    "{\"resource\":{\"resourceType\":\"Encounter\",\"id\":\"e2\",\"status\":\"arrived\","
	    "\"subject\":{\"reference\":\"Patient/p1\"}}}",
	    ME "," ME);
	cr_assert_eq(read_chart(ans, "clinician", &c, &cause), 0, "%s", cause ? cause : "");
	cr_assert(!medication_reconciled_now(&c));
	cr_assert_null(c.practitioner, "two Practitioners claim the user: neither is named");
	medication_chart_clear(&c);
	free(ans);
}

Test(med_chart, without_the_allergies_or_with_another_patients_data_nothing_is_read)
{
	struct medication_chart c;
	char *cause = NULL;
	char *ans = answer(WARFARIN, NULL, "", "", "");

	cr_assert_eq(read_chart(ans, NULL, &c, &cause), -1, "four entries when no user is asked");
	free(cause);
	cr_assert_eq(read_chart(ans, "clinician", &c, &cause), -1);
	cr_assert_not_null(strstr(cause, "allergies"), "%s", cause);
	cr_assert_eq(c.meds.n, 0);
	free(cause);
	free(ans);
	ans = answer(WARFARIN, WARFARIN_ALLERGY,
	    "{\"resource\":{\"resourceType\":\"List\",\"id\":\"L\",\"status\":\"current\","
	    "\"subject\":{\"reference\":\"Patient/p2\"}}}",
	    "", "");
	cr_assert_eq(read_chart(ans, "clinician", &c, &cause), -1);
	cr_assert_not_null(strstr(cause, "another patient"), "%s", cause);
	free(cause);
	free(ans);
	ans = answer(WARFARIN, WARFARIN_ALLERGY, "",
	    "{\"resource\":{\"resourceType\":\"Encounter\",\"id\":\"x\",\"status\":\"in-progress\","
	    "\"subject\":{\"reference\":\"Patient/p2\"}}}",
	    "");
	cr_assert_eq(read_chart(ans, "clinician", &c, &cause), -1);
	free(cause);
	free(ans);
}

Test(med_chart, hundred_thousand_visits_and_lists_are_not_all_looked_at)
{
	char *ans = answer(WARFARIN, WARFARIN_ALLERGY, LIST_E1, VISIT_E1, ME);
	cJSON *b = parse(ans), *entries = cJSON_GetObjectItemCaseSensitive(b, "entry");
	cJSON *lists = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetArrayItem(entries, 2), "resource"), "entry");
	cJSON *visits = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetArrayItem(entries, 3), "resource"), "entry");
	cJSON *list = cJSON_GetArrayItem(lists, 0), *visit = cJSON_GetArrayItem(visits, 0);
	struct medication_chart c;
	char *cause = NULL;

	for (int i = 0; i < 100000; i++) {
		cJSON_AddItemToArray(lists, cJSON_Duplicate(list, true));
		cJSON_AddItemToArray(visits, cJSON_Duplicate(visit, true));
	}
	alarm(RUNNING_ON_VALGRIND ? 600 : 20);
	cr_assert_eq(medication_chart_read(b, "p1", "clinician", &c, &cause), 0, "%s",
	    cause ? cause : "");
	cr_assert_str_eq(c.visit, "e1");
	cr_assert_str_eq(c.last.encounter, "e1");
	medication_chart_clear(&c);
	cJSON_Delete(b);
	free(ans);
}

/* --- reconciling ------------------------------------------------------------------------------ */

Test(med_reconcile, a_list_of_the_versions_reviewed_at_the_visit_created_once)
{
	struct medication_chart c;
	char *cause = NULL, *ans = answer(WARFARIN "," LISINOPRIL, WARFARIN_ALLERGY, "", VISIT_E1, ME);
	struct fhir_plan *p;
	cJSON *tx;
	const cJSON *list, *entries;

	cr_assert_eq(read_chart(ans, "clinician", &c, &cause), 0, "%s", cause ? cause : "");
	cr_assert(!medication_reconciled_now(&c));
	p = medication_reconcile_plan(&c, "p1", "2026-03-04T10:00:00-05:00", "rec-2", &cause);
	cr_assert_not_null(p, "%s", cause ? cause : "");
	tx = transaction(p);
	cr_assert_str_eq(str(step(tx, 0, "request"), "method"), "POST");
	cr_assert_str_eq(str(step(tx, 0, "request"), "url"), "List");
	cr_assert_not_null(strstr(str(step(tx, 0, "request"), "ifNoneExist"), "rec-2"));
	list = step(tx, 0, "resource");
	cr_assert_str_eq(str(list, "status"), "current");
	cr_assert_str_eq(str(list, "mode"), "snapshot");
	cr_assert_str_eq(first_code(member(list, "code")), "10160-0");
	cr_assert_str_eq(str(member(list, "subject"), "reference"), "Patient/p1");
	cr_assert_str_eq(str(member(list, "encounter"), "reference"), "Encounter/e1");
	cr_assert_str_eq(str(member(list, "source"), "reference"), "Practitioner/clinician");
	cr_assert_str_eq(str(list, "date"), "2026-03-04T10:00:00-05:00");
	cr_assert(fhir_carries_request(list, "rec-2"));
	entries = member(list, "entry");
	cr_assert_eq(cJSON_GetArraySize(entries), 2);
	cr_assert_str_eq(str(member(cJSON_GetArrayItem(entries, 0), "item"), "reference"),
	    "MedicationRequest/w1/_history/3");
	cr_assert_str_eq(str(member(cJSON_GetArrayItem(entries, 1), "item"), "reference"),
	    "MedicationRequest/l1/_history/1");
	cr_assert_null(member(list, "emptyReason"));
	cJSON_Delete(tx);
	fhir_plan_free(&p);
	medication_chart_clear(&c);
	free(ans);

	/* Nothing active: an empty list that says so (R4's lst-1). */
	ans = answer("", WARFARIN_ALLERGY, "", VISIT_E1, ME);
	cr_assert_eq(read_chart(ans, "clinician", &c, &cause), 0, "%s", cause ? cause : "");
	p = medication_reconcile_plan(&c, "p1", "2026-03-04", "rec-3", &cause);
	tx = transaction(p);
	list = step(tx, 0, "resource");
	cr_assert_null(member(list, "entry"));
	cr_assert_str_eq(first_code(member(list, "emptyReason")), "nilknown");
	cJSON_Delete(tx);
	fhir_plan_free(&p);
	medication_chart_clear(&c);
	free(ans);
}

Test(med_reconcile, refused_without_an_open_visit_or_with_orders_not_read)
{
	struct medication_chart c;
	char *cause = NULL, *ans = answer(WARFARIN, WARFARIN_ALLERGY, "", "", ME);

	cr_assert_eq(read_chart(ans, "clinician", &c, &cause), 0, "%s", cause ? cause : "");
	cr_assert_null(medication_reconcile_plan(&c, "p1", "2026-03-04", "r", &cause));
	cr_assert_str_eq(cause, "the patient has no open visit: check the patient in first");
	free(cause);
	c.visit = xstrdup("e1");
	c.meds.more = 3;
	cr_assert_null(medication_reconcile_plan(&c, "p1", "2026-03-04", "r", &cause));
	cr_assert_not_null(strstr(cause, "3 more orders are active"), "%s", cause);
	free(cause);
	c.meds.more = 0;
	free(c.meds.items[0].version);
	c.meds.items[0].version = NULL;
	cr_assert_null(medication_reconcile_plan(&c, "p1", "2026-03-04", "r", &cause));
	cr_assert_not_null(strstr(cause, "no version"), "%s", cause);
	free(cause);
	medication_chart_clear(&c);
	free(ans);
}
