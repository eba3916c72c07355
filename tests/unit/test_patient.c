/* Unit tests for the patient search language and the patient view. */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
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
