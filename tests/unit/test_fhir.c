/* Unit tests for the FHIR layer's pure parts: URL building, link checks, parsing, capabilities. */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/capability.h"
#include "fhir/fhir.h"

static struct fhir_client *fc;

static void
setup(void)
{
	char *cause = NULL;

	/* The HTTP client is not used by the pure functions under test. */
	fc = fhir_client_new(NULL, "https://ehr.example:8443/fhir/", &cause);
	cr_assert_not_null(fc, "%s", cause ? cause : "");
}

static void
teardown(void)
{
	fhir_client_free(&fc);
	cr_assert_null(fc);
}

TestSuite(fhir, .init = setup, .fini = teardown);

Test(fhir, client_refuses_plain_http)
{
	char *cause = NULL;
	struct fhir_client *c = fhir_client_new(NULL, "http://ehr.example/fhir", &cause);

	cr_assert_null(c);
	cr_assert_not_null(strstr(cause, "https://"));
	free(cause);
	cause = NULL;
	cr_assert_null(fhir_client_new(NULL, NULL, &cause));
	free(cause);
}

Test(fhir, base_loses_trailing_slash)
{
	cr_assert_str_eq(fhir_client_base(fc), "https://ehr.example:8443/fhir");
}

Test(fhir, search_url_encodes_every_name_and_value)
{
	struct fhir_search *s = fhir_search_new("Patient");
	char *url;

	fhir_search_add(s, "name", "a&b#c%d e\xc3\xa9");
	fhir_search_add(s, "_elements", "name,birthDate");
	fhir_search_add(s, "identifier", "urn:x|12=3");
	url = fhir_search_url(fc, s);
	cr_assert_str_eq(url, "https://ehr.example:8443/fhir/Patient?name=a%26b%23c%25d%20e%C3%A9"
			      "&_elements=name%2CbirthDate&identifier=urn%3Ax%7C12%3D3");
	free(url);
	fhir_search_free(&s);
	cr_assert_null(s);
}

Test(fhir, search_url_without_parameters_has_no_question_mark)
{
	struct fhir_search *s = fhir_search_new("Slot");
	char *url = fhir_search_url(fc, s);

	cr_assert_str_eq(url, "https://ehr.example:8443/fhir/Slot");
	free(url);
	fhir_search_free(&s);
}

Test(fhir, search_url_refuses_a_type_that_is_not_a_name)
{
	static const char *bad[] = { "", "patient", "Patient/1", "Pat ient", "../x", "Patient?x=1" };

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct fhir_search *s = fhir_search_new(bad[i]);

		cr_assert_null(fhir_search_url(fc, s), "'%s' accepted", bad[i]);
		fhir_search_free(&s);
	}
	fhir_search_free(&(struct fhir_search *){ NULL });
}

Test(fhir, ids)
{
	cr_assert(fhir_valid_id("abc-123.X"));
	cr_assert(fhir_valid_id("0123456789012345678901234567890123456789012345678901234567890123"));
	cr_assert_not(fhir_valid_id("01234567890123456789012345678901234567890123456789012345678901234"));
	cr_assert_not(fhir_valid_id(""));
	cr_assert_not(fhir_valid_id(NULL));
	cr_assert_not(fhir_valid_id("a/b"));
	cr_assert_not(fhir_valid_id("a b"));
	cr_assert_not(fhir_valid_id("a%2Fb"));
}

Test(fhir, next_links_must_stay_under_the_base)
{
	const char *base = "https://ehr.example:8443/fhir";

	cr_assert(fhir_url_under_base(base, "https://ehr.example:8443/fhir/Patient?_page=2"));
	cr_assert(fhir_url_under_base(base, "https://EHR.example:8443/fhir"));
	cr_assert_not(fhir_url_under_base(base, "https://evil.example:8443/fhir/Patient"));
	cr_assert_not(fhir_url_under_base(base, "https://ehr.example:9443/fhir/Patient"));
	cr_assert_not(fhir_url_under_base(base, "https://ehr.example/fhir/Patient"));
	cr_assert_not(fhir_url_under_base(base, "http://ehr.example:8443/fhir/Patient"));
	cr_assert_not(fhir_url_under_base(base, "https://ehr.example:8443/fhirx/Patient"));
	cr_assert_not(fhir_url_under_base(base, "https://ehr.example:8443/other"));
	cr_assert_not(fhir_url_under_base(base, "https://ehr.example:8443@evil.example/fhir/P"));
	cr_assert_not(fhir_url_under_base(base, "file:///etc/passwd"));
	/* Issue 16 item 12: what a server decodes after our check must not leave the base. */
	cr_assert_not(fhir_url_under_base(base, "https://ehr.example:8443/fhir/%2e%2e/admin/export"));
	cr_assert_not(fhir_url_under_base(base, "https://ehr.example:8443/fhir/%2E%2e/admin"));
	cr_assert_not(fhir_url_under_base(base, "https://ehr.example:8443/fhir/.%2e/admin"));
	cr_assert_not(fhir_url_under_base(base, "https://ehr.example:8443/fhir/%2e/Patient"));
	cr_assert_not(fhir_url_under_base(base, "https://ehr.example:8443/fhir/x%2f..%2fadmin"));
	cr_assert_not(fhir_url_under_base(base, "https://ehr.example:8443/fhir/x%5c..%5cadmin"));
	cr_assert_not(fhir_url_under_base(base, "https://user:pw@ehr.example:8443/fhir/x"));
	cr_assert_not(fhir_url_under_base(base, "https://user@ehr.example:8443/fhir/x"));
	cr_assert_not(fhir_url_under_base(base, "https://ehr.example:8443/fhir/Patient#frag"));
	/* Dots inside a name are no segment of their own. */
	cr_assert(fhir_url_under_base(base, "https://ehr.example:8443/fhir/Patient?name=a..b"));
	cr_assert(fhir_url_under_base(base, "https://ehr.example:8443/fhir/x..y/Patient"));
	cr_assert_not(fhir_url_under_base(base, "not a url"));
	cr_assert(fhir_url_under_base("https://h", "https://h:443/anything"));
}

Test(fhir, parse_refuses_what_is_not_a_resource)
{
	static const char *bad[] = { "", "nul", "[]", "\"x\"", "{}", "{\"resourceType\":3}",
		"{\"resourceType\":\"patient\"}", "{\"resourceType\":\"Patient\"", "{\"a\":1} x" };

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *cause = NULL;
		cJSON *j = fhir_parse(bad[i], strlen(bad[i]), &cause);

		cr_assert_null(j, "'%s' accepted", bad[i]);
		cr_assert_not_null(cause);
		free(cause);
	}
}

Test(fhir, parse_refuses_deep_nesting_before_cjson_recurses)
{
	size_t depth = 100000, len = 2 * depth + 64;
	char *text = malloc(len), *cause = NULL;
	size_t n = 0;

	n += (size_t)snprintf(text, len, "{\"resourceType\":\"Patient\",\"x\":");
	for (size_t i = 0; i < depth; i++)
		text[n++] = '[';
	text[n] = '\0';
	cr_assert_null(fhir_parse(text, n, &cause));
	cr_assert_not_null(strstr(cause, "deeper"), "%s", cause);
	free(cause);
	free(text);
}

Test(fhir, brackets_inside_strings_do_not_count_as_depth)
{
	char text[4096], *cause = NULL;
	cJSON *j;
	int n = snprintf(text, sizeof text, "{\"resourceType\":\"Patient\",\"note\":\"");

	for (int i = 0; i < 200; i++)
		text[n++] = '[';
	n += snprintf(text + n, sizeof text - (size_t)n, "\\\"{\"}");
	j = fhir_parse(text, (size_t)n, &cause);
	cr_assert_not_null(j, "%s", cause ? cause : "");
	cJSON_Delete(j);
}

Test(fhir, typed_access_treats_wrong_types_as_absent)
{
	const char *text = "{\"resourceType\":\"Patient\",\"id\":7,\"name\":{\"a\":1},\"link\":\"x\"}";
	char *cause = NULL;
	cJSON *j = fhir_parse(text, strlen(text), &cause);

	cr_assert_not_null(j);
	cr_assert_null(fhir_get_string(j, "id"));
	cr_assert_null(fhir_get_array(j, "name"));
	cr_assert_not_null(fhir_get_object(j, "name"));
	cr_assert_null(fhir_get_string(NULL, "id"));
	cr_assert_null(fhir_bundle_link(j, "next"));
	cJSON_Delete(j);
}

Test(fhir, bundle_links)
{
	const char *text = "{\"resourceType\":\"Bundle\",\"link\":[{\"relation\":\"self\",\"url\":\"s\"},"
			   "{\"relation\":7},{\"relation\":\"next\",\"url\":\"n\"}]}";
	cJSON *j = cJSON_Parse(text);

	cr_assert_str_eq(fhir_bundle_link(j, "self"), "s");
	cr_assert_str_eq(fhir_bundle_link(j, "next"), "n");
	cr_assert_null(fhir_bundle_link(j, "previous"));
	cJSON_Delete(j);
}

Test(fhir, operation_outcome_becomes_a_sentence)
{
	cJSON *oo = cJSON_Parse("{\"resourceType\":\"OperationOutcome\",\"issue\":["
				"{\"severity\":\"error\",\"code\":\"invalid\",\"details\":{\"text\":\"Bad date\"}},"
				"{\"severity\":\"error\",\"diagnostics\":\"Missing name\"},"
				"{\"severity\":\"error\",\"code\":\"conflict\"},"
				"{\"details\":{\"text\":7}},"
				"{\"diagnostics\":\"fourth\"},"
				"{\"diagnostics\":\"fifth\"}]}");
	cJSON *not_oo = cJSON_Parse("{\"resourceType\":\"Patient\"}");
	cJSON *empty = cJSON_Parse("{\"resourceType\":\"OperationOutcome\",\"issue\":[{}]}");
	char *s = fhir_outcome_sentence(oo);

	cr_assert_str_eq(s, "Bad date; Missing name; conflict; …");
	free(s);
	cr_assert_null(fhir_outcome_sentence(not_oo));
	cr_assert_null(fhir_outcome_sentence(empty));
	cr_assert_null(fhir_outcome_sentence(NULL));
	cJSON_Delete(oo);
	cJSON_Delete(not_oo);
	cJSON_Delete(empty);
}

static const char capability[] =
    "{\"resourceType\":\"CapabilityStatement\",\"fhirVersion\":\"4.0.1\","
    "\"software\":{\"name\":\"sandbox\",\"version\":\"1.2\"},"
    "\"rest\":[{\"mode\":\"client\",\"interaction\":[{\"code\":\"transaction\"}]},"
    "{\"mode\":\"server\",\"interaction\":[{\"code\":\"batch\"},{\"code\":7}],"
    "\"resource\":[{\"type\":\"Patient\",\"interaction\":[{\"code\":\"read\"},"
    "{\"code\":\"search-type\"},{\"code\":\"create\"},{\"code\":\"update\"}]},"
    "{\"type\":\"Coverage\",\"interaction\":[{\"code\":\"search-type\"}]},"
    "{\"type\":\"Coverage\",\"interaction\":[{\"code\":\"create\"},{\"code\":\"update\"}]},"
    "{\"type\":\"bad type\",\"interaction\":[{\"code\":\"read\"}]},"
    "{\"type\":\"Slot\",\"interaction\":\"read\"}]}]}";

Test(fhir, capability_statement_is_read)
{
	cJSON *cs = cJSON_Parse(capability);
	char *cause = NULL;
	struct fhir_caps *caps = fhir_caps_parse(cs, &cause);

	cr_assert_not_null(caps, "%s", cause ? cause : "");
	cr_assert_str_eq(fhir_caps_software(caps), "sandbox");
	cr_assert_str_eq(fhir_caps_software_version(caps), "1.2");
	cr_assert_str_eq(fhir_caps_fhir_version(caps), "4.0.1");
	cr_assert(fhir_caps_batches(caps));
	cr_assert_not(fhir_caps_transactions(caps), "a client-mode transaction is not the server's");
	cr_assert_eq(fhir_caps_interactions(caps, "Patient"),
	    FHIR_READ | FHIR_SEARCH | FHIR_CREATE | FHIR_UPDATE);
	cr_assert_eq(fhir_caps_interactions(caps, "Coverage"), FHIR_SEARCH | FHIR_CREATE | FHIR_UPDATE);
	cr_assert_eq(fhir_caps_interactions(caps, "Slot"), 0);
	cr_assert_eq(fhir_caps_interactions(caps, "Nothing"), 0);
	fhir_caps_free(&caps);
	cr_assert_null(caps);
	cJSON_Delete(cs);
}

Test(fhir, modules_say_what_is_missing)
{
	cJSON *cs = cJSON_Parse(capability);
	char *cause = NULL, *why;
	struct fhir_caps *caps = fhir_caps_parse(cs, &cause);
	size_t i;

	for (i = 0; i < fhir_modules_count; i++) {
		why = fhir_module_missing(caps, &fhir_modules[i]);
		if (strcmp(fhir_modules[i].name, "patients") == 0) {
			cr_assert_null(why, "patients: %s", why);
		} else if (strcmp(fhir_modules[i].name, "billing") == 0) {
			/* None of the billing resources at all. */
			cr_assert_str_eq(why, "this server offers no billing API");
		} else {
			cr_assert_not_null(why, "%s should be missing something", fhir_modules[i].name);
			cr_assert(strncmp(why, "the server does not offer ", 26) == 0, "%s", why);
		}
		free(why);
	}
	/* Scheduling needs Appointment to show a day; Slot and the writes only to book. */
	why = fhir_module_missing(caps, &fhir_modules[1]);
	cr_assert_str_eq(why, "the server does not offer Appointment search, read");
	free(why);
	fhir_caps_free(&caps);
	cJSON_Delete(cs);
}

/* What the capability read asks for (FHIR_CAPS_ELEMENTS), as a server that takes paths gives it. */
static const char capability_least[] =
    "{\"resourceType\":\"CapabilityStatement\",\"fhirVersion\":\"4.0.1\","
    "\"meta\":{\"tag\":[{\"code\":\"SUBSETTED\"}]},"
    "\"software\":{\"name\":\"sandbox\",\"version\":\"1.2\"},"
    "\"rest\":[{\"mode\":\"server\",\"interaction\":[{\"code\":\"transaction\"}],"
    "\"resource\":[{\"type\":\"Patient\",\"interaction\":[{\"code\":\"read\"},"
    "{\"code\":\"search-type\"},{\"code\":\"create\"},{\"code\":\"update\"}]},"
    "{\"type\":\"Coverage\",\"interaction\":[{\"code\":\"search-type\"},"
    "{\"code\":\"create\"},{\"code\":\"update\"}]},"
    "{\"type\":\"Basic\",\"interaction\":[{\"code\":\"read\"}]}]}]}";

Test(fhir, capability_least_is_read_as_the_whole)
{
	cJSON *cs = cJSON_Parse(capability_least);
	char *cause = NULL, *why;
	struct fhir_caps *caps = fhir_caps_parse(cs, &cause);

	cr_assert_not_null(caps, "%s", cause ? cause : "");
	cr_assert_not(fhir_caps_partial(cs), "types with their interactions are what the modules need");
	cr_assert_str_eq(fhir_caps_software(caps), "sandbox");
	cr_assert(fhir_caps_transactions(caps));
	cr_assert_eq(fhir_caps_interactions(caps, "Patient"),
	    FHIR_READ | FHIR_SEARCH | FHIR_CREATE | FHIR_UPDATE);
	why = fhir_module_missing(caps, &fhir_modules[0]);
	cr_assert_null(why, "patients: %s", why);
	/* A type no module names is kept too, to judge a screen's other reads (issue 17). */
	cr_assert_eq(fhir_caps_interactions(caps, "Basic"), FHIR_READ);
	cr_assert_not(fhir_caps_offers(caps, "Basic", FHIR_CREATE, NULL));
	fhir_caps_free(&caps);
	cJSON_Delete(cs);
}

Test(fhir, capability_partial_when_interactions_are_left_out)
{
	/* A server that takes root elements only: rest.mode is not "rest", so rest is gone. */
	cJSON *bare = cJSON_Parse("{\"resourceType\":\"CapabilityStatement\",\"fhirVersion\":\"4.0.1\","
				  "\"meta\":{\"tag\":[{\"code\":\"SUBSETTED\"}]}}");
	/* One that gives types alone (the summary elements). */
	cJSON *types = cJSON_Parse("{\"resourceType\":\"CapabilityStatement\",\"rest\":[{\"mode\":"
				   "\"server\",\"resource\":[{\"type\":\"Patient\"},{\"type\":"
				   "\"Slot\",\"interaction\":[]}]}]}");
	cJSON *whole = cJSON_Parse(capability), *patient = cJSON_Parse("{\"resourceType\":\"Patient\"}");

	cr_assert(fhir_caps_partial(bare));
	cr_assert(fhir_caps_partial(types));
	cr_assert_not(fhir_caps_partial(whole));
	cr_assert_not(fhir_caps_partial(patient), "not a CapabilityStatement: fhir_caps_parse says so");
	cr_assert_not(fhir_caps_partial(NULL));
	cJSON_Delete(bare);
	cJSON_Delete(types);
	cJSON_Delete(whole);
	cJSON_Delete(patient);
}

Test(fhir, capability_keeps_a_bounded_list)
{
	/* 100,000 entries of a type a module needs: merged, and at most CAPS_TYPES_MAX kept. */
	cJSON *cs = cJSON_Parse("{\"resourceType\":\"CapabilityStatement\",\"rest\":[{\"mode\":"
				"\"server\",\"resource\":[]}]}");
	cJSON *list = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(cs, "rest"), 0), "resource");
	char *cause = NULL;
	struct fhir_caps *caps;

	for (int i = 0; i < 100000; i++)
		cJSON_AddItemToArray(list, cJSON_Parse(i == 0
			? "{\"type\":\"Slot\",\"interaction\":[{\"code\":\"read\"}]}"
			: "{\"type\":\"Slot\",\"interaction\":[{\"code\":\"search-type\"}]}"));
	caps = fhir_caps_parse(cs, &cause);
	cr_assert_not_null(caps);
	cr_assert_eq(fhir_caps_interactions(caps, "Slot"), FHIR_READ | FHIR_SEARCH);
	fhir_caps_free(&caps);
	cJSON_Delete(cs);
}

Test(fhir, capability_refuses_other_resources)
{
	cJSON *p = cJSON_Parse("{\"resourceType\":\"Patient\"}");
	char *cause = NULL;

	cr_assert_null(fhir_caps_parse(p, &cause));
	cr_assert_not_null(cause);
	free(cause);
	cause = NULL;
	cr_assert_null(fhir_caps_parse(NULL, &cause));
	free(cause);
	cJSON_Delete(p);
}

/* A batch of GETs is a read (retried like one); anything that writes is not. */
Test(fhir, a_batch_of_gets_is_a_read)
{
	static const char *const reads[] = {
	    "{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":[{\"request\":{\"method\":\"GET\","
	    "\"url\":\"Patient/1\"}},{\"request\":{\"method\":\"GET\",\"url\":\"Slot?x=1\"}}]}",
	    "{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":[]}",
	};
	static const char *const writes[] = {
	    "{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":[{\"request\":{\"method\":\"GET\"}},"
	    "{\"request\":{\"method\":\"PUT\",\"url\":\"Slot/1\"}}]}",
	    "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"request\":{\"method\":"
	    "\"GET\",\"url\":\"Patient/1\"}}]}",
	    "{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":[{\"request\":{}}]}",
	    "{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":[{\"request\":{\"method\":\"get\"}}]}",
	    "{\"resourceType\":\"Bundle\",\"entry\":[]}",
	};

	for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
		cJSON *b = cJSON_Parse(reads[i]);

		cr_assert(fhir_bundle_reads_only(b), "%s", reads[i]);
		cJSON_Delete(b);
	}
	for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) {
		cJSON *b = cJSON_Parse(writes[i]);

		cr_assert_not(fhir_bundle_reads_only(b), "%s", writes[i]);
		cJSON_Delete(b);
	}
}

/* --- the shared helpers ---------------------------------------------------------------- */

Test(fhir_helpers, versions_from_etags_and_entries)
{
	char *v = fhir_etag_version("W/\"12\"");
	cJSON *e;

	cr_assert_str_eq(v, "12");
	free(v);
	v = fhir_etag_version("\"3\"");
	cr_assert_str_eq(v, "3");
	free(v);
	cr_assert_null(fhir_etag_version("W/12"));
	cr_assert_null(fhir_etag_version("W/\"\""));
	cr_assert_null(fhir_etag_version(NULL));
	e = cJSON_Parse("{\"response\":{\"status\":\"200 OK\",\"etag\":\"W/\\\"5\\\"\"},"
			"\"resource\":{\"meta\":{\"versionId\":\"4\"}}}");
	v = fhir_entry_version(e);
	cr_assert_str_eq(v, "5", "the response's etag is the version the write made");
	free(v);
	cJSON_DeleteItemFromObject(cJSON_GetObjectItem(e, "response"), "etag");
	v = fhir_entry_version(e);
	cr_assert_str_eq(v, "4");
	free(v);
	cJSON_Delete(e);
	e = cJSON_Parse("{\"response\":7,\"resource\":{\"meta\":{\"versionId\":4}}}");
	cr_assert_null(fhir_entry_version(e));
	cJSON_Delete(e);
}

Test(fhir_helpers, entry_status_and_references)
{
	static const struct {
		const char *status;
		bool ok;
	} cases[] = { { "200 OK", true }, { "201", true }, { "204 No Content", true },
		{ "2000", false }, { "304", false }, { "404 Not Found", false }, { "2", false } };

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cJSON *e = cJSON_CreateObject();

		cJSON_AddStringToObject(cJSON_AddObjectToObject(e, "response"), "status", cases[i].status);
		cr_assert_eq(fhir_entry_ok(e), cases[i].ok, "%s", cases[i].status);
		cJSON_Delete(e);
	}
	cr_assert_not(fhir_entry_ok(NULL));
	cr_assert(fhir_refers_to("Slot/a", "Slot", "a"));
	cr_assert(fhir_refers_to("https://x/fhir/Slot/a", "Slot", "a"));
	cr_assert_not(fhir_refers_to("https://x/fhir/XSlot/a", "Slot", "a"));
	cr_assert_not(fhir_refers_to("Slot/ab", "Slot", "a"));
	cr_assert_not(fhir_refers_to("Slot/a", "Slot", ""));
}

Test(fhir_helpers, setters_and_the_batch)
{
	cJSON *o = cJSON_CreateObject(), *entries, *b = fhir_batch_new(&entries);
	char *text;

	fhir_set_string(o, "a", "1");
	fhir_set_string(o, "a", "2");
	fhir_set_item(o, "c", fhir_codeable("urn:s", "x", NULL));
	cr_assert(fhir_has_code(cJSON_GetObjectItem(o, "c"), "x"));
	cr_assert_str_eq(fhir_first_code(cJSON_GetObjectItem(o, "c")), "x");
	fhir_set_string(o, "missing", NULL);
	text = cJSON_PrintUnformatted(o);
	cr_assert_str_eq(text, "{\"a\":\"2\",\"c\":{\"coding\":[{\"system\":\"urn:s\",\"code\":\"x\"}]}}");
	free(text);
	fhir_set_string(o, "a", NULL);
	cr_assert_null(cJSON_GetObjectItem(o, "a"));
	fhir_batch_add_read(entries, "Patient", "p1");
	text = cJSON_PrintUnformatted(b);
	cr_assert_str_eq(text, "{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":[{\"request\":"
			       "{\"method\":\"GET\",\"url\":\"Patient/p1\"}}]}");
	free(text);
	cJSON_Delete(b);
	cJSON_Delete(o);
}

/* Issue 16 item 4: a hostile array is read once, a few of it shown, the rest counted. */
Test(fhir, join_is_bounded_and_says_what_it_left_out)
{
	cJSON *a = cJSON_CreateArray();
	char *s;

	for (int i = 0; i < 100000; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(i % 2 ? "b" : "a"));
	cJSON_AddItemToArray(a, cJSON_CreateNumber(7)); /* not a string: skipped */
	s = fhir_join(a, " ", 3);
	cr_expect_str_eq(s, "a b a (+99997 more)");
	free(s);
	cJSON_Delete(a);
	a = cJSON_Parse("[\"One\", \"\", \"Two\"]");
	s = fhir_join(a, ", ", 8);
	cr_expect_str_eq(s, "One, Two");
	free(s);
	cJSON_Delete(a);
	s = fhir_join(NULL, ", ", 8);
	cr_expect_str_eq(s, "");
	free(s);
}

Test(fhir, id_of_and_bundle_take)
{
	cJSON *b = cJSON_Parse("{\"resourceType\":\"Bundle\",\"entry\":["
			       "{\"resource\":{\"resourceType\":\"Slot\",\"id\":\"s1\"}},"
			       "{\"resource\":{\"resourceType\":\"Slot\",\"id\":\"../admin\"}},"
			       "{\"resource\":{\"resourceType\":\"Slot\"}},"
			       "{\"resource\":{\"resourceType\":\"Appointment\",\"id\":\"a1\"}},"
			       "{\"resource\":\"Slot\"},{}]}");
	cJSON *slots, *copy;
	const cJSON *items[2];

	cr_assert_not_null(b);
	bool cut = true;

	slots = fhir_bundle_take(b, "Slot", 10, &cut);
	cr_assert_eq(cJSON_GetArraySize(slots), 1, "only the Slot with a valid id");
	cr_assert_not(cut);
	cr_assert_str_eq(fhir_id_of(cJSON_GetArrayItem(slots, 0)), "s1");
	cr_assert_null(fhir_id_of(cJSON_GetArrayItem(cJSON_GetObjectItem(b, "entry"), 1)));
	cr_assert_null(fhir_id_of(NULL));
	items[0] = cJSON_GetArrayItem(slots, 0);
	items[1] = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(b, "entry"), 3),
	    "resource");
	copy = fhir_array_of(items, 2);
	cJSON_Delete(b);
	cJSON_Delete(slots);
	/* Copies: they outlive what they were taken from. */
	cr_assert_eq(cJSON_GetArraySize(copy), 2);
	cr_assert_str_eq(fhir_id_of(cJSON_GetArrayItem(copy, 1)), "a1");
	/* At most MAX, and said. */
	slots = fhir_bundle_take(copy, "Appointment", 0, &cut);
	cr_assert_eq(cJSON_GetArraySize(slots), 0);
	cr_assert_eq(cut, false, "copy is an array, not a Bundle: nothing to take");
	cJSON_Delete(slots);
	cJSON_Delete(copy);
}

Test(fhir, bundle_take_at_most)
{
	cJSON *b = cJSON_Parse("{\"resourceType\":\"Bundle\",\"entry\":["
			       "{\"resource\":{\"resourceType\":\"Slot\",\"id\":\"s1\"}},"
			       "{\"resource\":{\"resourceType\":\"Appointment\",\"id\":\"a1\"}},"
			       "{\"resource\":{\"resourceType\":\"Slot\",\"id\":\"s2\"}},"
			       "{\"resource\":{\"resourceType\":\"Slot\",\"id\":\"s3\"}}]}");
	bool cut = false;
	cJSON *got = fhir_bundle_take(b, "Slot", 2, &cut);

	cr_assert_eq(cJSON_GetArraySize(got), 2);
	cr_assert(cut, "a third Slot was left out");
	cJSON_Delete(got);
	got = fhir_bundle_take(b, "Slot", 3, &cut);
	cr_assert_eq(cJSON_GetArraySize(got), 3);
	cr_assert_not(cut, "exactly MAX: nothing left out");
	cJSON_Delete(got);
	cJSON_Delete(b);
}
