/* Unit tests for the patient search language and the patient view. */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/patient.h"
#include "util/xmalloc.h"

static const struct date today = { 2026, 11, 28 };

struct query_case {
	char input[64];
	enum patient_query_kind kind;
	char url[200]; /* the search's query after "Patient?" */
};

ParameterizedTestParameters(patient_query, parsed)
{
	static struct query_case cases[] = {
		{ "", PATIENT_QUERY_EMPTY, "" },
		{ "   ", PATIENT_QUERY_EMPTY, "" },
		{ "quig", PATIENT_QUERY_NAME, "name=quig" },
		{ "  quigley   chad ", PATIENT_QUERY_NAME, "name=quigley&name=chad" },
		{ "quigley,c", PATIENT_QUERY_FAMILY_GIVEN, "family=quigley&given=c" },
		{ "quigley, chad", PATIENT_QUERY_FAMILY_GIVEN, "family=quigley&given=chad" },
		{ "quigley,", PATIENT_QUERY_FAMILY_GIVEN, "family=quigley" },
		{ "O'Brien", PATIENT_QUERY_NAME, "name=O%27Brien" },
		{ "Smith-Jones", PATIENT_QUERY_NAME, "name=Smith-Jones" },
		{ "M\xc3\xbcller", PATIENT_QUERY_NAME, "name=M%C3%BCller" },
		{ "1952-06-19", PATIENT_QUERY_BIRTHDATE, "birthdate=1952-06-19" },
		{ "06/19/1952", PATIENT_QUERY_BIRTHDATE, "birthdate=1952-06-19" },
		{ "6/9/1952", PATIENT_QUERY_BIRTHDATE, "birthdate=1952-06-09" },
		{ "Q8013", PATIENT_QUERY_SHORT, "family=Q" },
		{ "q8013", PATIENT_QUERY_SHORT, "family=Q" },
		{ "555-995-4192", PATIENT_QUERY_PHONE, "phone=555-995-4192" },
		{ "5559954192", PATIENT_QUERY_PHONE, "phone=555-995-4192" },
		{ "(555) 995 4192", PATIENT_QUERY_PHONE, "phone=555-995-4192" },
		{ "1-555-995-4192", PATIENT_QUERY_PHONE, "phone=555-995-4192" },
		{ "995-4192", PATIENT_QUERY_PHONE, "phone=995-4192" },
		{ "+44 20 7946 0958", PATIENT_QUERY_PHONE, "phone=%2B44%2020%207946%200958" },
		{ "999-37-8013", PATIENT_QUERY_IDENTIFIER, "identifier=999-37-8013" },
		{ "b9737c68-296c-46fa-9a3c-aca513681a73", PATIENT_QUERY_IDENTIFIER,
		    "identifier=b9737c68-296c-46fa-9a3c-aca513681a73" },
		{ "S99987730", PATIENT_QUERY_IDENTIFIER, "identifier=S99987730" },
		{ "1234567", PATIENT_QUERY_IDENTIFIER, "identifier=1234567" },
	};
	return cr_make_param_array(struct query_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct query_case *c, patient_query, parsed)
{
	struct patient_query q;
	struct fhir_search *s;
	struct fhir_client *fc;
	char *cause = NULL, *url, *expected;

	cr_assert_eq(patient_query_parse(c->input, &today, &q, &cause), 0, "'%s': %s", c->input,
	    cause ? cause : "");
	cr_assert_eq(q.kind, c->kind, "'%s' read as kind %d", c->input, q.kind);
	fc = fhir_client_new(NULL, "https://h/fhir", &cause);
	s = patient_query_search(&q, 20);
	url = fhir_search_url(fc, s);
	expected = *c->url != '\0'
	    ? xasprintf("https://h/fhir/Patient?%s&_elements=name%%2Cgender%%2CbirthDate%%2Cidentifier%%2Ctelecom&_count=20", c->url)
	    : xasprintf("https://h/fhir/Patient?_elements=name%%2Cgender%%2CbirthDate%%2Cidentifier%%2Ctelecom&_count=20");
	cr_assert_str_eq(url, expected);
	free(url);
	free(expected);
	fhir_search_free(&s);
	fhir_client_free(&fc);
}

struct refused_case {
	char input[200];
	char says[64];
};

ParameterizedTestParameters(patient_query, refused)
{
	static struct refused_case cases[] = {
		{ "02/30/1952", "February" },
		{ "1952-13-01", "" },
		{ "quigley;drop", "not a name" },
		{ "a,b,c", "family,given" },
		{ "one two three four five", "at most 4 words" },
		{ "tab\there", "control" },
		{ "x&_id=1", "not a name" },
		{ "123 456 abc", "not a name" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "at most 128" },
	};
	return cr_make_param_array(struct refused_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct refused_case *c, patient_query, refused)
{
	struct patient_query q;
	char *cause = NULL;

	cr_assert_eq(patient_query_parse(c->input, &today, &q, &cause), -1, "'%s' accepted", c->input);
	cr_assert_not_null(cause);
	cr_assert_not_null(strstr(cause, c->says), "'%s' gave '%s'", c->input, cause);
	free(cause);
}

Test(patient_query, null_is_empty)
{
	struct patient_query q;
	char *cause = NULL;

	cr_assert_eq(patient_query_parse(NULL, &today, &q, &cause), 0);
	cr_assert_eq(q.kind, PATIENT_QUERY_EMPTY);
}

static cJSON *
parse(const char *text)
{
	cJSON *j = cJSON_Parse(text);

	cr_assert_not_null(j, "bad test JSON: %s", text);
	return j;
}

Test(patient_query, short_form_checks_the_last_four_digits)
{
	struct patient_query q;
	char *cause = NULL;
	cJSON *chad = parse("{\"resourceType\":\"Patient\",\"identifier\":["
			    "{\"value\":\"b9737c68-296c-46fa-9a3c-aca513681a73\"},"
			    "{\"value\":\"999-37-8013\"},{\"value\":7}]}");
	cJSON *other = parse("{\"resourceType\":\"Patient\",\"identifier\":[{\"value\":\"999-37-8014\"},"
			     "{\"value\":\"801\"}]}");
	cJSON *none = parse("{\"resourceType\":\"Patient\",\"identifier\":\"x\"}");

	cr_assert_eq(patient_query_parse("Q8013", &today, &q, &cause), 0);
	cr_assert(patient_query_accepts(&q, chad));
	cr_assert_not(patient_query_accepts(&q, other));
	cr_assert_not(patient_query_accepts(&q, none));
	cr_assert_eq(patient_query_parse("quig", &today, &q, &cause), 0);
	cr_assert(patient_query_accepts(&q, other), "only the short form filters");
	cJSON_Delete(chad);
	cJSON_Delete(other);
	cJSON_Delete(none);
}

Test(patient_view, reads_a_synthea_patient)
{
	cJSON *p = parse("{\"resourceType\":\"Patient\",\"id\":\"abc\",\"gender\":\"male\","
			 "\"birthDate\":\"1952-06-19\","
			 "\"name\":[{\"use\":\"nickname\",\"family\":\"Q\"},"
			 "{\"use\":\"official\",\"family\":\"Quigley\",\"given\":[\"Chad\",\"Q\",7]}],"
			 "\"identifier\":[{\"value\":\"u\"},{\"type\":{\"coding\":[{\"code\":\"MR\"}]},"
			 "\"value\":\"MRN-1\"}],"
			 "\"telecom\":[{\"system\":\"email\",\"value\":\"e\"},"
			 "{\"system\":\"phone\",\"value\":\"555-995-4192\"}]}");
	struct patient_view v;

	patient_view_read(p, &v);
	cr_assert_str_eq(v.id, "abc");
	cr_assert_str_eq(v.name, "Quigley, Chad Q");
	cr_assert_eq(v.sex, 'M');
	cr_assert_str_eq(v.birth_date, "1952-06-19");
	cr_assert_str_eq(v.mrn, "MRN-1");
	cr_assert_str_eq(v.phone, "555-995-4192");
	cr_assert_eq(patient_view_age(&v, &today), 74);
	patient_view_clear(&v);
	cJSON_Delete(p);
}

Test(patient_view, survives_missing_and_wrong_types)
{
	static const char *const texts[] = {
		"{\"resourceType\":\"Patient\"}",
		"{\"resourceType\":\"Patient\",\"name\":7,\"gender\":[],\"birthDate\":{},\"identifier\":{},"
		"\"telecom\":\"x\",\"id\":1}",
		"{\"resourceType\":\"Patient\",\"name\":[7,\"x\",{\"given\":\"x\"}],\"birthDate\":\"1952\"}",
		"{\"resourceType\":\"Patient\",\"birthDate\":\"1952-02-30\",\"gender\":\"unknown\"}",
		/* Found by the fuzzer: clerk-style dates are not FHIR dates. */
		"{\"resourceType\":\"Patient\",\"birthDate\":\" 1980-3-01\"}",
		"{\"resourceType\":\"Patient\",\"birthDate\":\"10/13/1942\"}",
		"{\"resourceType\":\"Patient\",\"birthDate\":\"1980-03-01 \"}",
	};

	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		cJSON *p = parse(texts[i]);
		struct patient_view v;

		patient_view_read(p, &v);
		cr_assert_str_eq(v.name, "(no name)", "case %zu", i);
		cr_assert_str_eq(v.birth_date, "", "case %zu", i);
		cr_assert_str_eq(v.mrn, "");
		cr_assert_eq(v.sex, 'U');
		cr_assert_eq(patient_view_age(&v, &today), -1);
		patient_view_clear(&v);
		cJSON_Delete(p);
	}
}

/* A deceased patient must look deceased on every screen: both forms of R4's deceased[x]. */
Test(patient_view, deceased)
{
	cJSON *p = cJSON_Parse("{\"resourceType\":\"Patient\",\"id\":\"a\","
			       "\"deceasedDateTime\":\"2008-01-08T13:33:52+00:00\"}");
	cJSON *q = cJSON_Parse("{\"resourceType\":\"Patient\",\"id\":\"b\",\"deceasedBoolean\":true}");
	cJSON *alive = cJSON_Parse("{\"resourceType\":\"Patient\",\"id\":\"c\",\"deceasedBoolean\":false}");
	cJSON *odd = cJSON_Parse("{\"resourceType\":\"Patient\",\"id\":\"d\",\"deceasedDateTime\":7}");
	struct patient_view v;

	patient_view_read(p, &v);
	cr_expect(v.deceased);
	cr_expect_str_eq(v.deceased_date, "2008-01-08");
	patient_view_clear(&v);
	patient_view_read(q, &v);
	cr_expect(v.deceased);
	cr_expect_str_eq(v.deceased_date, "");
	patient_view_clear(&v);
	patient_view_read(alive, &v);
	cr_expect(!v.deceased);
	patient_view_clear(&v);
	/* A wrongly typed element reads as absent, as every other one does. */
	patient_view_read(odd, &v);
	cr_expect(!v.deceased);
	patient_view_clear(&v);
	cJSON_Delete(p);
	cJSON_Delete(q);
	cJSON_Delete(alive);
	cJSON_Delete(odd);
}

/* --- opening a patient, and the allergies the banner lists ----------------------------------- */

static struct fhir_client *
client(void)
{
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);

	cr_assert_not_null(fc, "%s", cause ? cause : "");
	return fc;
}

/* A batch-response: the Patient entry, then the allergy entry (ALLERGIES: a searchset or NULL). */
static cJSON *
opened(const char *patient_status, const char *patient, const char *allergy_status,
    const char *allergies)
{
	char *text;
	cJSON *r;

	cr_assert(asprintf(&text,
		      "{\"resourceType\":\"Bundle\",\"type\":\"batch-response\",\"entry\":["
		      "{\"response\":{\"status\":\"%s\"}%s%s},"
		      "{\"response\":{\"status\":\"%s\"}%s%s}]}",
		      patient_status, patient ? ",\"resource\":" : "", patient ? patient : "",
		      allergy_status, allergies ? ",\"resource\":" : "", allergies ? allergies : "") > 0);
	r = parse(text);
	free(text);
	return r;
}

#define JONAH                                                                                      \
	"{\"resourceType\":\"Patient\",\"id\":\"p1\",\"meta\":{\"versionId\":\"4\"},"                \
	"\"name\":[{\"family\":\"Ruecker\",\"given\":[\"Jonah\"]}],"                                 \
	"\"deceasedDateTime\":\"2008-01-08T10:00:00Z\"}"

#define ALLERGY(patient, code, display, extra)                                                     \
	"{\"resource\":{\"resourceType\":\"AllergyIntolerance\",\"patient\":{\"reference\":\""     \
	patient "\"},\"code\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"" code  \
	"\",\"display\":\"" display "\"}]}" extra "}}"

Test(patient_open, the_batch_reads_the_patient_and_its_allergies)
{
	struct fhir_client *fc = client();
	cJSON *b = patient_open_batch(fc, "p1");
	char *text = cJSON_PrintUnformatted(b);

	cr_assert_not_null(strstr(text, "\"type\":\"batch\""), "%s", text);
	cr_assert_not_null(strstr(text, "\"url\":\"Patient/p1\""), "%s", text);
	cr_assert_not_null(strstr(text, "AllergyIntolerance?patient=p1"), "%s", text);
	cr_assert_not_null(strstr(text, "criticality"), "the list shows it: %s", text);
	free(text);
	cJSON_Delete(b);
	fhir_client_free(&fc);
}

Test(patient_open, a_patient_with_listed_allergies)
{
	cJSON *r = opened("200 OK", JONAH, "200 OK",
	    "{\"resourceType\":\"Bundle\",\"entry\":["
	    ALLERGY("Patient/p1", "300913006", "Shellfish", "") ","
	    ALLERGY("https://ehr.example/fhir/Patient/p1", "91936005", "Penicillin",
		",\"criticality\":\"high\"") ","
	    ALLERGY("Patient/p1", "1", "Old", ",\"clinicalStatus\":{\"coding\":[{\"code\":\"resolved\"}]}") ","
	    ALLERGY("Patient/p1", "2", "Wrong", ",\"verificationStatus\":{\"coding\":[{\"code\":\"entered-in-error\"}]}")
	    "]}");
	struct patient_opened o;
	char *cause = NULL;

	cr_assert_eq(patient_open_result(r, "p1", &o, &cause), 0, "%s", cause ? cause : "");
	cr_assert_str_eq(o.view.name, "Ruecker, Jonah");
	cr_assert(o.view.deceased);
	cr_assert_str_eq(o.view.deceased_date, "2008-01-08");
	cr_assert_str_eq(o.version, "4");
	cr_assert_eq(o.allergies.state, PATIENT_ALLERGY_LISTED);
	cr_assert_eq(o.allergies.n, 2, "resolved and entered-in-error are not listed");
	cr_assert_str_eq(o.allergies.items[0].substance, "Shellfish");
	cr_assert_not(o.allergies.items[0].high);
	cr_assert_str_eq(o.allergies.items[1].substance, "Penicillin");
	cr_assert(o.allergies.items[1].high);
	patient_opened_clear(&o);
	cJSON_Delete(r);
}

Test(patient_open, the_allergy_states_are_told_apart)
{
	static const struct {
		const char *status, *set;
		enum patient_allergy_state want;
	} cases[] = {
		{ "200 OK", "{\"resourceType\":\"Bundle\",\"entry\":[]}", PATIENT_ALLERGY_NOT_RECORDED },
		{ "200 OK", "{\"resourceType\":\"Bundle\",\"entry\":["
			    ALLERGY("Patient/p1", "716186003", "No known allergy", "") "]}",
		    PATIENT_ALLERGY_NONE_KNOWN },
		/* A refuted allergy is not one; with nothing else, nothing is recorded. */
		{ "200 OK", "{\"resourceType\":\"Bundle\",\"entry\":["
			    ALLERGY("Patient/p1", "91936005", "Penicillin",
				",\"verificationStatus\":{\"coding\":[{\"code\":\"refuted\"}]}") "]}",
		    PATIENT_ALLERGY_NOT_RECORDED },
		/* Another patient's allergy in the answer: none of it is trusted. */
		{ "200 OK", "{\"resourceType\":\"Bundle\",\"entry\":["
			    ALLERGY("Patient/p1", "300913006", "Shellfish", "") ","
			    ALLERGY("Patient/p2", "91936005", "Penicillin", "") "]}",
		    PATIENT_ALLERGY_NOT_LOADED },
		{ "500 Internal Server Error", NULL, PATIENT_ALLERGY_NOT_LOADED },
		{ "200 OK", "{\"resourceType\":\"Bundle\",\"entry\":{\"x\":1}}", PATIENT_ALLERGY_NOT_RECORDED },
		{ "200 OK", "{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"resourceType\":"
			    "\"AllergyIntolerance\",\"patient\":7}}]}", PATIENT_ALLERGY_NOT_LOADED },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cJSON *r = opened("200 OK", JONAH, cases[i].status, cases[i].set);
		struct patient_opened o;
		char *cause = NULL;

		cr_assert_eq(patient_open_result(r, "p1", &o, &cause), 0, "case %zu", i);
		cr_assert_eq(o.allergies.state, cases[i].want, "case %zu: %d", i, o.allergies.state);
		if (cases[i].want != PATIENT_ALLERGY_LISTED)
			cr_assert_eq(o.allergies.n, 0, "case %zu", i);
		patient_opened_clear(&o);
		cJSON_Delete(r);
	}
}

Test(patient_open, another_patient_or_a_failure_is_refused)
{
	struct patient_opened o;
	char *cause = NULL;
	cJSON *r = opened("200 OK", JONAH, "200 OK", NULL);

	cr_assert_eq(patient_open_result(r, "p2", &o, &cause), -1);
	cr_assert_not_null(strstr(cause, "another patient"), "%s", cause);
	cr_assert_null(o.patient);
	free(cause);
	cJSON_Delete(r);
	r = opened("404 Not Found", NULL, "200 OK", NULL);
	cr_assert_eq(patient_open_result(r, "p1", &o, &cause), -1);
	cr_assert_not_null(strstr(cause, "404"), "%s", cause);
	free(cause);
	cJSON_Delete(r);
	r = parse("{\"entry\":[{\"response\":{\"status\":\"200 OK\"},\"resource\":"
		  "{\"resourceType\":\"Observation\",\"id\":\"p1\"}}]}");
	cr_assert_eq(patient_open_result(r, "p1", &o, &cause), -1);
	free(cause);
	cJSON_Delete(r);
	r = parse("[]");
	cr_assert_eq(patient_open_result(r, "p1", &o, &cause), -1);
	free(cause);
	cJSON_Delete(r);
}

Test(patient_open, refers_to)
{
	cr_assert(patient_refers_to("Patient/p1", "p1"));
	cr_assert(patient_refers_to("https://ehr.example/fhir/Patient/p1", "p1"));
	cr_assert_not(patient_refers_to("Patient/p11", "p1"));
	cr_assert_not(patient_refers_to("XPatient/p1", "p1"));
	cr_assert_not(patient_refers_to("Group/p1", "p1"));
	cr_assert_not(patient_refers_to(NULL, "p1"));
	cr_assert_not(patient_refers_to("Patient/", ""));
}

/* --- registering and editing --------------------------------------------------------------- */

Test(patient_edit, apply_keeps_what_the_form_does_not_show)
{
	cJSON *base = parse("{\"resourceType\":\"Patient\",\"id\":\"p1\",\"meta\":{\"versionId\":\"3\"},"
			    "\"name\":[{\"use\":\"official\",\"family\":\"Old\",\"given\":[\"A\"],"
			    "\"text\":\"A Old\"},{\"use\":\"nickname\",\"given\":[\"Al\"]}],"
			    "\"communication\":[{\"language\":{\"coding\":[{\"code\":\"en-US\"}]}}],"
			    "\"extension\":[{\"url\":\"urn:other\",\"valueString\":\"kept\"}],"
			    "\"maritalStatus\":{\"text\":\"M\"}}");
	struct patient_input in = { .family = "New", .given = "Ann Marie", .gender = "female",
		.identity_code = "446141000124107", .identity_display = "female",
		.mrn = "MR-1", .phone = "555-010-1234", .language_code = "en",
		.language_display = "English", .city = "Boston" };
	cJSON *p = patient_apply(base, &in, "req-1");
	char *text = cJSON_PrintUnformatted(p);
	struct patient_form_view fv;

	cr_assert_not_null(strstr(text, "\"maritalStatus\":{\"text\":\"M\"}"), "%s", text);
	cr_assert_not_null(strstr(text, "urn:other"), "%s", text);
	cr_assert_not_null(strstr(text, "\"nickname\""), "%s", text);
	cr_assert_not_null(strstr(text, "en-US"), "an unchanged language keeps its coding: %s", text);
	cr_assert_null(strstr(text, "A Old"), "the old text would contradict the name: %s", text);
	cr_assert_null(strstr(text, "req-1"), "an edit is no registration: %s", text);
	patient_form_view_read(p, &fv);
	cr_assert_str_eq(fv.family, "New");
	cr_assert_str_eq(fv.given, "Ann Marie");
	cr_assert_str_eq(fv.identity, "446141000124107");
	cr_assert_str_eq(fv.mrn, "MR-1");
	cr_assert_str_eq(fv.phone, "555-010-1234");
	cr_assert_str_eq(fv.language, "en");
	cr_assert_str_eq(fv.city, "Boston");
	patient_form_view_clear(&fv);
	free(text);
	cJSON_Delete(p);
	cJSON_Delete(base);
}

Test(patient_edit, a_registration_carries_its_request_identifier)
{
	struct patient_input in = { .family = "Quigley", .given = "Chad", .gender = "male",
		.has_birth = true, .birth = { 1952, 6, 19 } };
	cJSON *p = patient_apply(NULL, &in, "req-9");
	struct fhir_search *s = fhir_request_search("Patient", "req-9");
	struct fhir_client *fc = client();
	char *q = fhir_search_query(fc, s);

	cr_assert(fhir_carries_request(p, "req-9"));
	cr_assert_not(fhir_carries_request(p, "req-8"));
	cr_assert_str_eq(q, "identifier=urn%3Aehrterm%3Arequest%7Creq-9");
	cr_assert_str_eq(fhir_get_string(p, "birthDate"), "1952-06-19");
	free(q);
	fhir_search_free(&s);
	fhir_client_free(&fc);
	cJSON_Delete(p);
}

Test(patient_edit, the_form_view_survives_wrong_types)
{
	cJSON *p = parse("{\"resourceType\":\"Patient\",\"telecom\":7,\"address\":[{\"line\":[1],"
			 "\"city\":[]}],\"contact\":\"x\",\"extension\":[{\"url\":7}],"
			 "\"communication\":[{\"language\":{\"coding\":[{\"code\":[]}]}}]}");
	struct patient_form_view fv;

	patient_form_view_read(p, &fv);
	cr_assert_str_eq(fv.phone, "");
	cr_assert_str_eq(fv.line, "");
	cr_assert_str_eq(fv.city, "");
	cr_assert_str_eq(fv.contact, "");
	cr_assert_str_eq(fv.language, "");
	cr_assert_str_eq(fv.identity, "");
	patient_form_view_clear(&fv);
	cJSON_Delete(p);
}

/* --- the duplicate probe ------------------------------------------------------------------- */

Test(patient_probe, the_prefix_counts_characters_not_bytes)
{
	char out[16];

	patient_prefix("\xc3\x96zt\xc3\xbcrk", 3, out, sizeof out);
	cr_assert_str_eq(out, "\xc3\x96zt", "Öztürk starts Özt");
	patient_prefix("\xe6\x9d\x8e\xe5\xb0\x8f\xe9\xbe\x99\xe7\x8e\x8b", 3, out, sizeof out);
	cr_assert_str_eq(out, "\xe6\x9d\x8e\xe5\xb0\x8f\xe9\xbe\x99");
	patient_prefix("Al", 3, out, sizeof out);
	cr_assert_str_eq(out, "Al");
	/* A character cut by the string's end is not copied half. */
	patient_prefix("A\xc3", 3, out, sizeof out);
	cr_assert_str_eq(out, "A\xc3");
	patient_prefix(NULL, 3, out, sizeof out);
	cr_assert_str_eq(out, "");
	patient_prefix("\xc3\x96zt", 3, out, 3);
	cr_assert_str_eq(out, "\xc3\x96", "a small buffer ends at a character");
}

Test(patient_probe, the_batch_searches_birth_date_and_name_mrn_and_phone)
{
	struct fhir_client *fc = client();
	struct patient_probe pr = { "1952-06-19", "\xc3\x96zt\xc3\xbcrk", "MR-1", "555-010-1234" };
	cJSON *b = patient_probe_batch(fc, &pr);
	char *text = cJSON_PrintUnformatted(b);

	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(b, "entry")), 3);
	cr_assert_not_null(strstr(text, "birthdate=1952-06-19&family=%C3%96zt&"), "%s", text);
	cr_assert_not_null(strstr(text, "identifier=MR-1"), "%s", text);
	cr_assert_not_null(strstr(text, "phone=555-010-1234"), "%s", text);
	free(text);
	cJSON_Delete(b);
	pr.mrn = pr.phone = NULL;
	b = patient_probe_batch(fc, &pr);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(b, "entry")), 1);
	cJSON_Delete(b);
	fhir_client_free(&fc);
}

#define HIT(id, extra)                                                                             \
	"{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"" id "\",\"name\":[{\"family\":"      \
	"\"Quigley\"}]" extra "}}"
#define SET(status, entries)                                                                       \
	"{\"response\":{\"status\":\"" status "\"},\"resource\":{\"resourceType\":\"Bundle\","      \
	"\"entry\":[" entries "]}}"

Test(patient_probe, the_answer_is_clear_candidates_or_failed)
{
	struct patient_view *found;
	size_t n, more;
	cJSON *r;

	r = parse("{\"entry\":[" SET("200 OK", "") "," SET("200 OK", "") "]}");
	cr_assert_eq(patient_probe_read(r, "req", &found, &n, &more), PATIENT_PROBE_CLEAR);
	cr_assert_eq(n, 0);
	cJSON_Delete(r);
	/* The same patient found twice is one candidate; this form's own earlier try is none. */
	r = parse("{\"entry\":[" SET("200 OK", HIT("a", "") "," HIT("b",
		  ",\"identifier\":[{\"system\":\"urn:ehrterm:request\",\"value\":\"req\"}]"))
		  "," SET("200 OK", HIT("a", "")) "]}");
	cr_assert_eq(patient_probe_read(r, "req", &found, &n, &more), PATIENT_PROBE_CANDIDATES);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(found[0].id, "a");
	cr_assert_str_eq(found[0].name, "Quigley");
	patient_view_clear(&found[0]);
	free(found);
	cJSON_Delete(r);
	/* One search failed: not knowing is not "no duplicate", even beside a clear one. */
	r = parse("{\"entry\":[" SET("200 OK", HIT("a", "")) ","
		  "{\"response\":{\"status\":\"500 Internal Server Error\"}}]}");
	cr_assert_eq(patient_probe_read(r, "req", &found, &n, &more), PATIENT_PROBE_FAILED);
	cr_assert_null(found);
	cr_assert_eq(n, 0);
	cJSON_Delete(r);
	r = parse("{\"entry\":[" SET("429 Too Many Requests", "") "]}");
	cr_assert_eq(patient_probe_read(r, "req", &found, &n, &more), PATIENT_PROBE_FAILED);
	cJSON_Delete(r);
	r = parse("{\"entry\":[{\"response\":{\"status\":\"200 OK\"},\"resource\":"
		  "{\"resourceType\":\"OperationOutcome\"}}]}");
	cr_assert_eq(patient_probe_read(r, "req", &found, &n, &more), PATIENT_PROBE_FAILED);
	cJSON_Delete(r);
	r = parse("{\"entry\":7}");
	cr_assert_eq(patient_probe_read(r, "req", &found, &n, &more), PATIENT_PROBE_FAILED);
	cJSON_Delete(r);
}

/*
 * Issue 16 item 4: a probe answered with 100,000 patients (each twice, by two searches)
 * shows twenty and counts the other distinct ones, without comparing every pair.
 */
Test(patient_probe, a_huge_answer_shows_twenty_and_counts_the_rest)
{
	cJSON *r = cJSON_CreateObject(), *entries = cJSON_AddArrayToObject(r, "entry");
	struct patient_view *found;
	size_t n, more;

	for (int s = 0; s < 2; s++) {
		cJSON *set = cJSON_Parse(SET("200 OK", ""));
		cJSON *hits = cJSON_GetObjectItem(cJSON_GetObjectItem(set, "resource"), "entry");

		for (int i = 0; i < 100000; i++) {
			char id[16];
			cJSON *hit = cJSON_CreateObject(), *p = cJSON_AddObjectToObject(hit, "resource");

			snprintf(id, sizeof id, "p%d", s == 0 ? i : 99999 - i);
			cJSON_AddStringToObject(p, "resourceType", "Patient");
			cJSON_AddStringToObject(p, "id", id);
			cJSON_AddItemToArray(hits, hit);
		}
		cJSON_AddItemToArray(entries, set);
	}
	cr_assert_eq(patient_probe_read(r, "req", &found, &n, &more), PATIENT_PROBE_CANDIDATES);
	cr_assert_eq(n, PATIENT_PROBE_MAX);
	cr_assert_eq(more, 100000 - PATIENT_PROBE_MAX, "distinct patients beyond the twenty: %zu", more);
	cr_assert_str_eq(found[0].id, "p0");
	cr_assert_str_eq(found[PATIENT_PROBE_MAX - 1].id, "p19");
	for (size_t i = 0; i < n; i++)
		patient_view_clear(&found[i]);
	free(found);
	cJSON_Delete(r);
}

/* --- lists and the record ------------------------------------------------------------------ */

Test(patient_page, the_rows_of_a_page_and_the_short_form_filter)
{
	cJSON *b = parse("{\"resourceType\":\"Bundle\",\"total\":3,\"entry\":["
			 "{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"a\",\"name\":[{\"family\":"
			 "\"Quigley\"}],\"identifier\":[{\"value\":\"x-8013\"}]}},"
			 "{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"b\",\"name\":[{\"family\":"
			 "\"Quinn\"}],\"identifier\":[{\"value\":\"x-1111\"}]}},"
			 "{\"resource\":{\"resourceType\":\"OperationOutcome\"}},{\"resource\":7}]}");
	struct patient_query q;
	struct patient_view *v;
	size_t seen, n;
	char *cause = NULL;

	cr_assert_eq(fhir_bundle_total(b), 3);
	cr_assert_eq(patient_query_parse("Q8013", &today, &q, &cause), 0);
	n = patient_page_read(b, &q, &v, &seen);
	cr_assert_eq(seen, 2);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(v[0].id, "a");
	patient_view_clear(&v[0]);
	free(v);
	cJSON_Delete(b);
}

Test(patient_page, the_record_details_skip_empty_and_wrong_types)
{
	cJSON *p = parse("{\"resourceType\":\"Patient\",\"identifier\":[{\"type\":{\"coding\":"
			 "[{\"code\":\"MR\",\"display\":\"Medical Record Number\"}]},\"value\":\"M1\"},"
			 "{\"value\":7}],\"telecom\":[{\"system\":\"phone\",\"use\":\"home\",\"value\":"
			 "\"555\"},{\"system\":\"email\"}],\"address\":[{\"line\":[\"1 Main\",3],\"city\":"
			 "\"Boston\",\"state\":\"MA\",\"postalCode\":\"02101\"}],\"maritalStatus\":7}");
	struct patient_detail *d;
	size_t n = patient_details(p, &d);

	cr_assert_eq(n, 3);
	cr_assert_str_eq(d[0].label, "Medical Record ", "labels are cut to 15 columns");
	cr_assert_str_eq(d[0].value, "M1");
	cr_assert_str_eq(d[1].label, "phone home");
	cr_assert_str_eq(d[2].value, "1 Main, Boston MA 02101");
	patient_details_free(d, n);
	cJSON_Delete(p);
}

Test(patient_saved, the_patient_and_version_of_a_save_answer_or_none)
{
	cJSON *ok = cJSON_Parse("{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":"
				"{\"resourceType\":\"Patient\",\"id\":\"p1\",\"meta\":{\"versionId\":\"2\"}},"
				"\"response\":{\"status\":\"200 OK\",\"etag\":\"W/\\\"3\\\"\"}}]}");
	cJSON *bare = cJSON_Parse("{\"resourceType\":\"Bundle\",\"entry\":[{\"response\":"
				  "{\"status\":\"201\",\"location\":\"Patient/p1/_history/1\"}}]}");
	cJSON *hostile = cJSON_Parse("{\"entry\":[{\"resource\":{\"resourceType\":\"Patient\",\"id\":7}}]}");
	cJSON *p = NULL;
	char *v = NULL;

	cr_assert_eq(patient_saved(ok, "p1", &p, &v), 0);
	cr_assert_str_eq(fhir_get_string(p, "id"), "p1");
	cr_assert_str_eq(v, "3", "the ETag wins over meta.versionId");
	cJSON_Delete(p);
	free(v);
	/* Another patient's answer is not this save's. */
	cr_assert_eq(patient_saved(ok, "p2", &p, &v), -1);
	cr_assert_null(p);
	cr_assert_null(v);
	cr_assert_eq(patient_saved(bare, NULL, &p, &v), -1, "no resource: the caller reads it");
	cr_assert_eq(patient_saved(hostile, NULL, &p, &v), -1, "an id of the wrong type reads as none");
	cr_assert_eq(patient_saved(NULL, NULL, &p, &v), -1);
	cJSON_Delete(ok);
	cJSON_Delete(bare);
	cJSON_Delete(hostile);
}

/* Issue 16 item 4: 100,000 one-letter given names become a name a clerk can read. */
Test(patient_view, huge_given_array_is_cut_and_counted)
{
	cJSON *p = cJSON_Parse("{\"resourceType\":\"Patient\",\"id\":\"a\",\"name\":[{\"family\":\"Doe\"}]}");
	cJSON *given = cJSON_AddArrayToObject(cJSON_GetArrayItem(cJSON_GetObjectItem(p, "name"), 0), "given");
	struct patient_view v;

	for (int i = 0; i < 100000; i++)
		cJSON_AddItemToArray(given, cJSON_CreateString("x"));
	patient_view_read(p, &v);
	cr_expect_str_eq(v.name, "Doe, x x x x x x x x (+99992 more)");
	patient_view_clear(&v);
	cJSON_Delete(p);
}

/* A deceased patient's age is the age at death, on the banner and in the lists alike. */
Test(patient_view, deceased_age_is_at_death)
{
	cJSON *p = cJSON_Parse("{\"resourceType\":\"Patient\",\"id\":\"a\",\"birthDate\":\"1957-05-29\","
			       "\"deceasedDateTime\":\"2008-01-08T13:33:52+00:00\"}");
	struct patient_view v;
	struct date later = { 2026, 12, 1 };

	patient_view_read(p, &v);
	cr_expect_eq(patient_view_age(&v, &later), 50);
	patient_view_clear(&v);
	cJSON_Delete(p);
}

/*
 * Issue 16 item 4: 100,000 identifiers and telecoms make a record a clerk can read: eight
 * of each shown, the rest counted on one line under the array's label. Entries without a
 * value are neither shown nor counted.
 */
Test(patient_details, huge_identifier_and_telecom_arrays_are_cut_and_counted)
{
	cJSON *p = cJSON_Parse("{\"resourceType\":\"Patient\",\"id\":\"a\"}");
	cJSON *ids = cJSON_AddArrayToObject(p, "identifier");
	cJSON *tels = cJSON_AddArrayToObject(p, "telecom");
	struct patient_detail *d;
	struct patient_view v;
	size_t n;

	for (int i = 0; i < 100000; i++) {
		cJSON *id = cJSON_CreateObject(), *tel = cJSON_CreateObject();

		cJSON_AddStringToObject(id, "value", "x");
		cJSON_AddItemToArray(ids, id);
		cJSON_AddStringToObject(tel, "system", "phone");
		cJSON_AddStringToObject(tel, "value", "555");
		cJSON_AddItemToArray(tels, tel);
		if (i % 20000 == 0) {
			cJSON_AddItemToArray(ids, cJSON_CreateObject());
			cJSON_AddItemToArray(tels, cJSON_CreateObject());
		}
	}
	n = patient_details(p, &d);
	cr_assert_eq(n, 2 * (PATIENT_LINES_MAX + 1), "8 identifiers, their count, 8 telecoms, theirs");
	for (size_t i = 0; i < PATIENT_LINES_MAX; i++) {
		cr_expect_str_eq(d[i].label, "Identifier");
		cr_expect_str_eq(d[i].value, "x");
		cr_expect_str_eq(d[PATIENT_LINES_MAX + 1 + i].label, "phone");
		cr_expect_str_eq(d[PATIENT_LINES_MAX + 1 + i].value, "555");
	}
	cr_expect_str_eq(d[PATIENT_LINES_MAX].label, "Identifier");
	cr_expect_str_eq(d[PATIENT_LINES_MAX].value, "(+99992 more)");
	cr_expect_str_eq(d[2 * PATIENT_LINES_MAX + 1].label, "Telecom");
	cr_expect_str_eq(d[2 * PATIENT_LINES_MAX + 1].value, "(+99992 more)");
	patient_details_free(d, n);
	/* The banner's view reads the same arrays once: the first phone, no MRN among them. */
	patient_view_read(p, &v);
	cr_expect_str_eq(v.phone, "555");
	cr_expect_str_eq(v.mrn, "");
	patient_view_clear(&v);
	cJSON_Delete(p);
}

/* Addresses, languages and contacts are cut the same way; an array that fits says nothing more. */
Test(patient_details, every_listed_array_is_cut_and_counted)
{
	cJSON *p = cJSON_Parse("{\"resourceType\":\"Patient\",\"id\":\"a\","
			       "\"maritalStatus\":{\"text\":\"Married\"}}");
	cJSON *addrs = cJSON_AddArrayToObject(p, "address");
	cJSON *langs = cJSON_AddArrayToObject(p, "communication");
	cJSON *contacts = cJSON_AddArrayToObject(p, "contact");
	struct patient_detail *d;
	size_t n;

	for (int i = 0; i < 10; i++)
		cJSON_AddItemToArray(addrs, cJSON_Parse("{\"city\":\"Boston\"}"));
	for (int i = 0; i < 1000; i++)
		cJSON_AddItemToArray(langs, cJSON_Parse("{\"language\":{\"text\":\"English\"}}"));
	for (int i = 0; i < PATIENT_LINES_MAX; i++)
		cJSON_AddItemToArray(contacts, cJSON_Parse("{\"name\":{\"family\":\"Roe\"}}"));
	n = patient_details(p, &d);
	cr_assert_eq(n, (PATIENT_LINES_MAX + 1) * 2 + 1 + PATIENT_LINES_MAX);
	cr_expect_str_eq(d[PATIENT_LINES_MAX].label, "Address");
	cr_expect_str_eq(d[PATIENT_LINES_MAX].value, "(+2 more)");
	cr_expect_str_eq(d[2 * PATIENT_LINES_MAX + 1].label, "Language");
	cr_expect_str_eq(d[2 * PATIENT_LINES_MAX + 1].value, "(+992 more)");
	cr_expect_str_eq(d[2 * PATIENT_LINES_MAX + 2].label, "Marital status");
	cr_expect_str_eq(d[n - 1].label, "Contact", "eight contacts fit: no count after them");
	cr_expect_str_eq(d[n - 1].value, "Roe ");
	patient_details_free(d, n);
	cJSON_Delete(p);
}
