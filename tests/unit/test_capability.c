/*
 * Unit tests for a server that offers less (issue 17): each module full, read-only or
 * closed from the CapabilityStatement (an OpenEMR-shaped one, as the sandbox's --like
 * openemr gives it), the sentences said for what is missing, a plan refused before it is
 * sent, and a batch of reads answered from GETs in the batch-response shape the screens read.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/capability.h"
#include "fhir/fhir.h"
#include "fhir/patient.h"

/*
 * OpenEMR 7's FHIR API as tests/sandbox/lib/like.js describes it: read and search for the US
 * Core types, create and update for Patient, Practitioner and Organization, no Schedule or
 * Slot, of billing only Coverage (read, search), and no batch or transaction.
 */
static const char *const openemr_readable[] = {
	"AllergyIntolerance", "Appointment", "Binary", "CarePlan", "CareTeam", "Condition",
	"Coverage", "Device", "DiagnosticReport", "DocumentReference", "Encounter", "Goal",
	"Group", "Immunization", "Location", "Media", "Medication", "MedicationDispense",
	"MedicationRequest", "Observation", "Person", "PractitionerRole", "Procedure",
	"Provenance", "Questionnaire", "QuestionnaireResponse", "RelatedPerson",
	"ServiceRequest", "Specimen", "ValueSet", NULL,
};
static const char *const openemr_writable[] = { "Patient", "Practitioner", "Organization", NULL };

static cJSON *
openemr_statement(void)
{
	cJSON *cs = cJSON_CreateObject(), *rest, *server, *resources;

	cJSON_AddStringToObject(cs, "resourceType", "CapabilityStatement");
	cJSON_AddStringToObject(cs, "fhirVersion", "4.0.1");
	cJSON_AddItemToObject(cs, "software",
	    cJSON_Parse("{\"name\":\"OpenEMR\",\"version\":\"7.0.2\"}"));
	rest = cJSON_AddArrayToObject(cs, "rest");
	server = cJSON_CreateObject();
	cJSON_AddItemToArray(rest, server);
	cJSON_AddStringToObject(server, "mode", "server");
	resources = cJSON_AddArrayToObject(server, "resource");
	for (int w = 0; w < 2; w++)
		for (const char *const *t = w ? openemr_writable : openemr_readable; *t != NULL; t++) {
			cJSON *r = cJSON_CreateObject(), *it = cJSON_AddArrayToObject(r, "interaction");
			static const char *const codes[] = { "read", "search-type", "create", "update" };

			cJSON_AddStringToObject(r, "type", *t);
			for (int c = 0; c < (w ? 4 : 2); c++) {
				cJSON *i = cJSON_CreateObject();

				cJSON_AddStringToObject(i, "code", codes[c]);
				cJSON_AddItemToArray(it, i);
			}
			cJSON_AddItemToArray(resources, r);
		}
	return cs;
}

static struct fhir_caps *
parse(cJSON *cs)
{
	char *cause = NULL;
	struct fhir_caps *caps = fhir_caps_parse(cs, &cause);

	cr_assert_not_null(caps, "%s", cause ? cause : "");
	cJSON_Delete(cs);
	return caps;
}

static const struct fhir_module *
module(const char *name)
{
	for (size_t i = 0; i < fhir_modules_count; i++)
		if (strcmp(fhir_modules[i].name, name) == 0)
			return &fhir_modules[i];
	cr_assert_fail("no module %s", name);
	return NULL;
}

Test(capability, openemr_patients_full_scheduling_and_charting_read_only_billing_closed)
{
	struct fhir_caps *caps = parse(openemr_statement());
	char *why;

	cr_assert_not(fhir_caps_batches(caps));
	cr_assert_not(fhir_caps_transactions(caps));

	cr_assert_eq(fhir_module_access(caps, module("patients")), FHIR_MODULE_FULL);
	cr_assert_null(fhir_module_missing(caps, module("patients")));
	cr_assert_null(fhir_caps_read_only(caps, "patients"));

	cr_assert_eq(fhir_module_access(caps, module("scheduling")), FHIR_MODULE_READ_ONLY);
	cr_assert_null(fhir_module_missing(caps, module("scheduling")), "the day can be shown");
	cr_assert_str_eq(fhir_caps_read_only(caps, "scheduling"),
	    "the server does not offer Schedule search, Slot search, read, update, "
	    "Appointment create, update, Encounter create, update");

	cr_assert_eq(fhir_module_access(caps, module("charting")), FHIR_MODULE_READ_ONLY);
	cr_assert_null(fhir_module_missing(caps, module("charting")));
	cr_assert_str_eq(fhir_caps_read_only(caps, "charting"),
	    "the server does not offer Condition create, Observation create, "
	    "AllergyIntolerance create, MedicationRequest create, DocumentReference create, update");

	cr_assert_eq(fhir_module_access(caps, module("billing")), FHIR_MODULE_CLOSED);
	why = fhir_module_missing(caps, module("billing"));
	cr_assert_str_eq(why, "this server offers no billing API");
	free(why);
	cr_assert_null(fhir_caps_read_only(caps, "billing"), "closed is not read-only");

	/* The insurance screen's own writes, refused there alone. */
	why = NULL;
	cr_assert_not(fhir_caps_offers(caps, "Coverage", FHIR_CREATE | FHIR_UPDATE, &why));
	cr_assert_str_eq(why, "the server does not offer Coverage create, update");
	free(why);
	cr_assert(fhir_caps_offers(caps, "Coverage", FHIR_SEARCH, NULL));
	cr_assert(fhir_caps_offers(caps, "Patient", FHIR_CREATE | FHIR_UPDATE, NULL));
	cr_assert_not(fhir_caps_offers(caps, "Schedule", FHIR_SEARCH, NULL));
	/* Types no module needs are judged too: a screen's other reads, a plan's other steps. */
	cr_assert(fhir_caps_offers(caps, "Provenance", FHIR_READ | FHIR_SEARCH, NULL));
	cr_assert_not(fhir_caps_offers(caps, "Provenance", FHIR_CREATE, NULL));
	why = NULL;
	cr_assert_not(fhir_caps_offers(caps, "ImmunizationRecommendation", FHIR_SEARCH, &why));
	cr_assert_str_eq(why, "the server does not offer ImmunizationRecommendation search");
	free(why);
	fhir_caps_free(&caps);
}

Test(capability, a_server_that_offers_everything_is_full_everywhere)
{
	cJSON *cs = openemr_statement();
	cJSON *r;
	struct fhir_caps *caps;
	static const char *const more[] = { "Schedule", "Slot", "ChargeItem", "Claim", "Account", NULL };

	/* Every type takes every interaction, and the server takes batches and transactions. */
	cJSON_ArrayForEach(r, fhir_get_array(cJSON_GetArrayItem(fhir_get_array(cs, "rest"), 0), "resource"))
		cJSON_ReplaceItemInObject(r, "interaction", cJSON_Parse("[{\"code\":\"read\"},"
		    "{\"code\":\"search-type\"},{\"code\":\"create\"},{\"code\":\"update\"}]"));
	for (const char *const *t = more; *t != NULL; t++) {
		r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "type", *t);
		cJSON_AddItemToObject(r, "interaction", cJSON_Parse("[{\"code\":\"read\"},"
		    "{\"code\":\"search-type\"},{\"code\":\"create\"},{\"code\":\"update\"}]"));
		cJSON_AddItemToArray(
		    cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(cs, "rest"), 0), "resource"), r);
	}
	cJSON_AddItemToObject(cJSON_GetArrayItem(cJSON_GetObjectItem(cs, "rest"), 0), "interaction",
	    cJSON_Parse("[{\"code\":\"batch\"},{\"code\":\"transaction\"}]"));
	caps = parse(cs);
	for (size_t i = 0; i < fhir_modules_count; i++) {
		cr_assert_eq(fhir_module_access(caps, &fhir_modules[i]), FHIR_MODULE_FULL, "%s",
		    fhir_modules[i].name);
		cr_assert_null(fhir_caps_read_only(caps, fhir_modules[i].name));
	}
	cr_assert(fhir_caps_batches(caps));
	fhir_caps_free(&caps);
}

Test(capability, scheduling_without_appointments_is_closed_and_says_what_it_lacks)
{
	cJSON *cs = openemr_statement();
	cJSON *resources = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(cs, "rest"), 0),
	    "resource");
	struct fhir_caps *caps;
	char *why;
	int i = 0;
	cJSON *r;

	cJSON_ArrayForEach(r, resources)
	{
		if (strcmp(fhir_get_string(r, "type"), "Appointment") == 0)
			break;
		i++;
	}
	cJSON_DeleteItemFromArray(resources, i);
	caps = parse(cs);
	cr_assert_eq(fhir_module_access(caps, module("scheduling")), FHIR_MODULE_CLOSED);
	why = fhir_module_missing(caps, module("scheduling"));
	/* Encounter is offered: not "no scheduling API", but what it lacks. */
	cr_assert_str_eq(why, "the server does not offer Appointment search, read");
	free(why);
	cr_assert_null(fhir_caps_read_only(caps, "scheduling"));
	cr_assert_null(fhir_caps_read_only(NULL, "scheduling"), "capabilities not in yet");
	cr_assert(fhir_caps_offers(NULL, "Slot", FHIR_UPDATE, NULL), "not known is not refused");
	fhir_caps_free(&caps);
}

Test(capability, a_plan_the_server_does_not_offer_is_refused_before_it_is_sent)
{
	struct fhir_caps *caps = parse(openemr_statement());
	cJSON *condition = cJSON_Parse("{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
				       "{\"request\":{\"method\":\"PUT\",\"url\":\"Patient/p1\"}},"
				       "{\"request\":{\"method\":\"GET\",\"url\":\"Provenance?target=Patient/p1\"}},"
				       "{\"request\":{\"method\":\"POST\",\"url\":\"Condition\"}},"
				       "{\"request\":{\"method\":\"POST\",\"url\":\"Provenance\"}}]}");
	cJSON *patient = cJSON_Parse("{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
				     "{\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}},"
				     "{\"request\":{\"method\":\"PUT\",\"url\":\"Patient/p1\"}},"
				     "{\"request\":{\"method\":\"GET\",\"url\":\"Coverage?patient=p1\"}}]}");
	cJSON *slot = cJSON_Parse("{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":["
				  "{\"request\":{\"method\":\"GET\",\"url\":\"Slot?schedule=Schedule/1\"}}]}");
	char *why;

	why = fhir_caps_bundle_refusal(caps, condition);
	cr_assert_str_eq(why, "the server does not offer Condition create");
	free(why);
	cr_assert_null(fhir_caps_bundle_refusal(caps, patient));
	why = fhir_caps_bundle_refusal(caps, slot);
	cr_assert_str_eq(why, "the server does not offer Slot search");
	free(why);
	cr_assert_null(fhir_caps_bundle_refusal(NULL, condition), "capabilities not in yet");
	cJSON_Delete(condition);
	cJSON_Delete(patient);
	cJSON_Delete(slot);
	fhir_caps_free(&caps);
}

/* A GET's result as on_http_done makes it. */
static struct fhir_result
result(enum fhir_status status, long http, const char *json, const char *version)
{
	struct fhir_result r = { .status = status, .http_status = http };

	r.resource = json != NULL ? cJSON_Parse(json) : NULL;
	r.version_id = version != NULL ? strdup(version) : NULL;
	return r;
}

Test(capability, a_batch_answered_by_gets_reads_as_a_batch_response)
{
	cJSON *answer = cJSON_Parse("{\"resourceType\":\"Bundle\",\"type\":\"batch-response\","
				    "\"entry\":[{},{},{}]}");
	const cJSON *entries = fhir_get_array(answer, "entry");
	struct fhir_result patient = result(FHIR_OK, 200,
	    "{\"resourceType\":\"Patient\",\"id\":\"p1\",\"meta\":{\"versionId\":\"3\"},"
	    "\"name\":[{\"family\":\"Quigley\",\"given\":[\"Ann\"]}],\"birthDate\":\"1980-02-03\"}",
	    "3");
	struct fhir_result allergies = result(FHIR_OK, 200,
	    "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[]}", NULL);
	struct fhir_result gone = result(FHIR_NOT_FOUND, 404,
	    "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\","
	    "\"code\":\"not-found\",\"diagnostics\":\"no such Slot\"}]}", NULL);
	struct fhir_result same = result(FHIR_NOT_MODIFIED, 304, NULL, "3");
	struct fhir_result lost = result(FHIR_TRANSPORT, 0, NULL, NULL);
	struct fhir_result login = result(FHIR_DENIED, 401, NULL, NULL);
	struct fhir_result scope = result(FHIR_DENIED, 403, NULL, NULL);
	struct patient_opened opened;
	char *cause = NULL, *failure, *v;
	cJSON *e304 = cJSON_CreateObject();

	cr_assert_not(fhir_batch_get_whole(&patient));
	cr_assert_not(fhir_batch_get_whole(&gone), "a 404 is the entry's, as in a batch");
	cr_assert_not(fhir_batch_get_whole(&scope), "an ungranted scope is the entry's");
	cr_assert(fhir_batch_get_whole(&lost), "no answer makes the whole batch's");
	cr_assert(fhir_batch_get_whole(&login), "no login makes the whole batch's");

	fhir_batch_get_entry(cJSON_GetArrayItem(entries, 0), &patient);
	fhir_batch_get_entry(cJSON_GetArrayItem(entries, 1), &allergies);
	fhir_batch_get_entry(cJSON_GetArrayItem(entries, 2), &gone);
	cr_assert_null(patient.resource, "the resource is taken into the answer");

	/* What a batch POST would have answered, to the readers the screens use. */
	cr_assert(fhir_entry_ok(cJSON_GetArrayItem(entries, 0)));
	cr_assert_str_eq(fhir_get_string(fhir_get_object(cJSON_GetArrayItem(entries, 0), "response"),
			     "status"), "200 OK");
	v = fhir_entry_version(cJSON_GetArrayItem(entries, 0));
	cr_assert_str_eq(v, "3");
	free(v);
	cr_assert_str_eq(fhir_get_string(fhir_get_object(cJSON_GetArrayItem(entries, 0), "response"),
			     "etag"), "W/\"3\"");
	cr_assert_not(fhir_entry_ok(cJSON_GetArrayItem(entries, 2)));
	failure = fhir_entry_failure(cJSON_GetArrayItem(entries, 2), "the slots");
	cr_assert_str_eq(failure, "the slots could not be read (404 Not Found): no such Slot");
	free(failure);
	cr_assert_eq(patient_open_result(answer, "p1", &opened, &cause), 0, "%s", cause ? cause : "");
	cr_assert_str_eq(opened.version, "3");
	patient_opened_clear(&opened);

	fhir_batch_get_entry(e304, &same);
	cr_assert_str_eq(fhir_get_string(fhir_get_object(e304, "response"), "status"), "304 Not Modified");
	cr_assert_str_eq(fhir_get_string(fhir_get_object(e304, "response"), "etag"), "W/\"3\"");

	cJSON_Delete(e304);
	cJSON_Delete(answer);
	fhir_result_clear(&patient);
	fhir_result_clear(&allergies);
	fhir_result_clear(&gone);
	fhir_result_clear(&same);
	fhir_result_clear(&lost);
	fhir_result_clear(&login);
	fhir_result_clear(&scope);
}

Test(capability, a_hostile_list_of_other_types_cannot_push_out_what_the_modules_need)
{
	cJSON *cs = openemr_statement();
	cJSON *resources = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(cs, "rest"), 0),
	    "resource");
	cJSON *first = cJSON_CreateArray();
	struct fhir_caps *caps;

	/* 100,000 entries of a type no module needs, before the real list. */
	for (int i = 0; i < 100000; i++)
		cJSON_AddItemToArray(first, cJSON_Parse("{\"type\":\"Basic\",\"interaction\":[{\"code\":\"read\"}]}"));
	while (cJSON_GetArraySize(resources) > 0)
		cJSON_AddItemToArray(first, cJSON_DetachItemFromArray(resources, 0));
	cJSON_ReplaceItemInObject(cJSON_GetArrayItem(cJSON_GetObjectItem(cs, "rest"), 0), "resource", first);
	caps = parse(cs);
	cr_assert_eq(fhir_module_access(caps, module("patients")), FHIR_MODULE_FULL);
	cr_assert_eq(fhir_module_access(caps, module("scheduling")), FHIR_MODULE_READ_ONLY);
	cr_assert_eq(fhir_caps_interactions(caps, "Basic"), FHIR_READ);
	/* Past the others kept, a type no module needs is not judged rather than refused. */
	cr_assert(fhir_caps_offers(caps, "Provenance", FHIR_CREATE, NULL));
	cr_assert_not(fhir_caps_offers(caps, "Slot", FHIR_SEARCH, NULL), "a module's type still is");
	fhir_caps_free(&caps);
}

Test(capability, patients_without_patient_writes_are_read_only)
{
	struct fhir_caps *caps = parse(cJSON_Parse(
	    "{\"resourceType\":\"CapabilityStatement\",\"rest\":[{\"mode\":\"server\",\"resource\":["
	    "{\"type\":\"Patient\",\"interaction\":[{\"code\":\"search-type\"},{\"code\":\"read\"}]}]}]}"));

	cr_assert_eq(fhir_module_access(caps, module("patients")), FHIR_MODULE_READ_ONLY);
	cr_assert_null(fhir_module_missing(caps, module("patients")), "found and opened");
	/* What the finder's register and the record's edit say, and are refused with. */
	cr_assert_str_eq(fhir_caps_read_only(caps, "patients"),
	    "the server does not offer Patient create, update");
	fhir_caps_free(&caps);
}

/*
 * A grant as a SMART token gives it, for the test: every interaction of every type but
 * those of GRANT_DENIED ("Appointment" with FHIR_CREATE | FHIR_UPDATE: the user allowed
 * the appointments to be read, not booked), said as its scope's letters.
 */
struct denied {
	const char *type;
	unsigned mask;
};
static const struct denied *grant_denied;

static char *
test_grant(const char *type, unsigned mask, void *arg)
{
	(void)arg;
	for (size_t i = 0; grant_denied[i].type != NULL; i++)
		if (strcmp(grant_denied[i].type, type) == 0 && (mask & grant_denied[i].mask) != 0) {
			unsigned miss = mask & grant_denied[i].mask;
			char *text = NULL;

			cr_assert_geq(asprintf(&text, "user/%s.%s%s%s%s", type,
					  miss & FHIR_CREATE ? "c" : "", miss & FHIR_READ ? "r" : "",
					  miss & FHIR_UPDATE ? "u" : "", miss & FHIR_SEARCH ? "s" : ""),
			    0);
			return text;
		}
	return NULL;
}

Test(capability, a_module_granted_its_reads_but_not_its_writes_is_read_only)
{
	static const struct denied no_booking[] = { { "Appointment", FHIR_CREATE | FHIR_UPDATE }, { "Condition", FHIR_CREATE },
		{ "Patient", FHIR_READ | FHIR_SEARCH }, { NULL, 0 } };
	cJSON *cs = openemr_statement();
	cJSON *resources = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(cs, "rest"), 0),
	    "resource");
	struct fhir_caps *caps, *emr;
	char *why = NULL;

	/* Everything the modules need offered in full: the statement leaves each one full. */
	cJSON_AddItemToArray(resources, cJSON_Parse("{\"type\":\"Schedule\",\"interaction\":["
						     "{\"code\":\"search-type\"}]}"));
	cJSON_AddItemToArray(resources, cJSON_Parse("{\"type\":\"Slot\",\"interaction\":["
						     "{\"code\":\"search-type\"},{\"code\":\"read\"},{\"code\":\"update\"}]}"));
	for (cJSON *r = resources->child; r != NULL; r = r->next) {
		cJSON *it = cJSON_GetObjectItem(r, "interaction");

		cJSON_AddItemToArray(it, cJSON_Parse("{\"code\":\"create\"}"));
		cJSON_AddItemToArray(it, cJSON_Parse("{\"code\":\"update\"}"));
	}
	caps = parse(cs);
	cr_assert_eq(fhir_module_access(caps, module("scheduling")), FHIR_MODULE_FULL);
	cr_assert_eq(fhir_module_access(caps, module("charting")), FHIR_MODULE_FULL);

	grant_denied = no_booking;
	fhir_caps_set_grant(caps, test_grant, NULL);
	/* Granted its reads, not its writes: read-only, saying which scope is missing. */
	cr_assert_eq(fhir_module_access(caps, module("scheduling")), FHIR_MODULE_READ_ONLY);
	cr_assert_null(fhir_module_missing(caps, module("scheduling")), "the day can be shown");
	cr_assert_str_eq(fhir_caps_read_only(caps, "scheduling"), "not granted: user/Appointment.cu");
	cr_assert_eq(fhir_module_access(caps, module("charting")), FHIR_MODULE_READ_ONLY);
	cr_assert_str_eq(fhir_caps_read_only(caps, "charting"), "not granted: user/Condition.c");
	/* Its reads not granted: closed, saying so. */
	cr_assert_eq(fhir_module_access(caps, module("patients")), FHIR_MODULE_CLOSED);
	why = fhir_module_missing(caps, module("patients"));
	cr_assert_str_eq(why, "not granted: user/Patient.rs");
	free(why);
	cr_assert_null(fhir_caps_read_only(caps, "patients"), "closed is not read-only");
	/* A write not granted is refused before it is sent, with the scope. */
	why = NULL;
	cr_assert_not(fhir_caps_offers(caps, "Appointment", FHIR_UPDATE, &why));
	cr_assert_str_eq(why, "not granted: user/Appointment.u");
	free(why);
	cr_assert(fhir_caps_offers(caps, "Appointment", FHIR_SEARCH | FHIR_READ, NULL));
	/* The grant forgotten (a new token that grants all): full again. */
	fhir_caps_set_grant(caps, NULL, NULL);
	cr_assert_eq(fhir_module_access(caps, module("scheduling")), FHIR_MODULE_FULL);
	cr_assert_null(fhir_caps_read_only(caps, "scheduling"));
	fhir_caps_free(&caps);

	/*
	 * On OpenEMR's statement, where scheduling is read-only already, the lower grade is the
	 * statement's and so is the reason: the grant is not named for what is not offered.
	 */
	emr = parse(openemr_statement());
	fhir_caps_set_grant(emr, test_grant, NULL);
	cr_assert_eq(fhir_module_access(emr, module("scheduling")), FHIR_MODULE_READ_ONLY);
	cr_assert_str_eq(fhir_caps_read_only(emr, "scheduling"),
	    "the server does not offer Schedule search, Slot search, read, update, "
	    "Appointment create, update, Encounter create, update");
	why = fhir_module_missing(emr, module("billing"));
	cr_assert_str_eq(why, "this server offers no billing API");
	free(why);
	fhir_caps_free(&emr);
}
