/* Plans: the one save state every form shows after a write, and how a create is named. */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "fhir/capability.h"
#include "fhir/plan.h"

#include <stdio.h>

static enum fhir_save
outcome(enum fhir_status status, enum http_error error, long http_status, uint64_t sent)
{
	struct fhir_result r = { .status = status, .http_error = error, .http_status = http_status };

	r.stats.bytes_sent = sent;
	return fhir_save_outcome(&r);
}

Test(save, saved_conflict_and_refused)
{
	cr_expect_eq(outcome(FHIR_OK, HTTP_OK, 200, 900), FHIR_SAVED);
	cr_expect_eq(outcome(FHIR_CONFLICT, HTTP_OK, 412, 900), FHIR_SAVE_CONFLICT);
	cr_expect_eq(outcome(FHIR_CONFLICT, HTTP_OK, 409, 900), FHIR_SAVE_CONFLICT);
	cr_expect_eq(outcome(FHIR_REFUSED, HTTP_OK, 422, 900), FHIR_NOT_SAVED);
	cr_expect_eq(outcome(FHIR_DENIED, HTTP_OK, 403, 900), FHIR_NOT_SAVED);
	cr_expect_eq(outcome(FHIR_SERVER_ERROR, HTTP_OK, 500, 900), FHIR_NOT_SAVED);
}

Test(save, a_write_that_never_left_changed_nothing)
{
	cr_expect_eq(outcome(FHIR_TRANSPORT, HTTP_ERR_NETWORK, 0, 0), FHIR_NOT_SAVED);
	cr_expect_eq(outcome(FHIR_TRANSPORT, HTTP_ERR_TLS, 0, 300), FHIR_NOT_SAVED);
	cr_expect_eq(outcome(FHIR_TRANSPORT, HTTP_ERR_AUTH, 0, 300), FHIR_NOT_SAVED);
}

Test(save, a_write_sent_without_an_answer_is_unknown)
{
	cr_expect_eq(outcome(FHIR_TRANSPORT, HTTP_ERR_NETWORK, 0, 1200), FHIR_SAVE_UNKNOWN);
	cr_expect_eq(outcome(FHIR_TRANSPORT, HTTP_ERR_SERVER, 200, 1200), FHIR_SAVE_UNKNOWN);
	/* A 201 whose body is broken: most likely saved; the form must read again. */
	cr_expect_eq(outcome(FHIR_BAD_RESPONSE, HTTP_OK, 201, 1200), FHIR_SAVE_UNKNOWN);
	cr_expect_eq(outcome(FHIR_BAD_RESPONSE, HTTP_OK, 400, 1200), FHIR_NOT_SAVED);
}

Test(save, cancelled_is_its_own_state)
{
	cr_expect_eq(outcome(FHIR_CANCELLED, HTTP_ERR_CANCELLED, 0, 1200), FHIR_SAVE_CANCELLED);
	cr_expect_eq(outcome(FHIR_TRANSPORT, HTTP_ERR_CANCELLED, 0, 1200), FHIR_SAVE_CANCELLED);
	cr_expect_str_eq(fhir_save_name(FHIR_SAVE_CANCELLED), "Cancelled; outcome unknown");
	cr_expect_str_eq(fhir_save_name(FHIR_NOT_SAVED), "Not saved");
}

/* A plan of a Patient created with request REQ, and an update of Slot s1 at version 3. */
static struct fhir_plan *
two_steps(const char *req)
{
	struct fhir_plan *p = fhir_plan_new();
	cJSON *patient = cJSON_Parse("{\"resourceType\":\"Patient\",\"active\":true}");
	cJSON *slot = cJSON_Parse("{\"resourceType\":\"Slot\",\"id\":\"s1\",\"status\":\"busy\"}");
	struct fhir_search *guard = fhir_request_search("Patient", req);

	fhir_add_request_id(patient, req);
	cr_assert_eq(fhir_plan_create(p, patient, guard), 0);
	cr_assert_eq(fhir_plan_update(p, slot, "3", NULL), 1);
	fhir_search_free(&guard);
	cJSON_Delete(patient);
	cJSON_Delete(slot);
	return p;
}

Test(plan, a_create_is_named_by_a_urn_uuid_the_same_when_planned_again)
{
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	struct fhir_plan *p = two_steps("r1"), *again = two_steps("r1"), *other = two_steps("r2");
	const char *name = fhir_plan_full_url(p, 0);
	cJSON *tx = fhir_plan_transaction(p, fc);

	cr_assert_not_null(name);
	cr_assert_eq(strncmp(name, "urn:uuid:", 9), 0);
	cr_assert_eq(strlen(name), 9 + 36);
	/* What later steps refer to is what the transaction names the entry. */
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
			     cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(tx, "entry"), 0),
			     "fullUrl")),
	    name);
	/* A retry sends the same Bundle; another create is another name. */
	cr_assert_str_eq(fhir_plan_full_url(again, 0), name);
	cr_assert_str_neq(fhir_plan_full_url(other, 0), name);
	/* An update is named by its own id: it has no placeholder. */
	cr_assert_null(fhir_plan_full_url(p, 1));
	cr_assert_null(fhir_plan_full_url(p, 2));
	cr_assert_null(fhir_plan_full_url(p, -1));
	cJSON_Delete(tx);
	fhir_plan_free(&p);
	fhir_plan_free(&again);
	fhir_plan_free(&other);
	fhir_client_free(&fc);
}

/* A plan takes FHIR_PLAN_MAX steps unless made larger, and never more than FHIR_PLAN_STEPS_MAX. */
static size_t
fill_plan(struct fhir_plan *p)
{
	cJSON *slot = cJSON_Parse("{\"resourceType\":\"Slot\",\"id\":\"s1\"}");
	size_t n = 0;

	while (fhir_plan_update(p, slot, "3", NULL) >= 0)
		n++;
	cJSON_Delete(slot);
	return n;
}

Test(plan, a_plan_holds_its_maximum_and_no_more)
{
	struct fhir_plan *p = fhir_plan_new();

	cr_assert_eq(fhir_plan_room(p), FHIR_PLAN_MAX);
	cr_assert_eq(fill_plan(p), FHIR_PLAN_MAX);
	cr_assert_eq(fhir_plan_room(p), 0);
	fhir_plan_free(&p);
	p = fhir_plan_new_max(28);
	cr_assert_eq(fill_plan(p), 28);
	fhir_plan_free(&p);
	p = fhir_plan_new_max(1000);
	cr_assert_eq(fill_plan(p), FHIR_PLAN_STEPS_MAX);
	cr_assert_eq(fhir_plan_steps(p), FHIR_PLAN_STEPS_MAX);
	fhir_plan_free(&p);
}

/* A plan of N Observations, each created once under request identifier "vs.I". */
static struct fhir_plan *
observations(int n)
{
	struct fhir_plan *p = fhir_plan_new();

	for (int i = 1; i <= n; i++) {
		char rid[16];
		cJSON *o = cJSON_Parse("{\"resourceType\":\"Observation\",\"status\":\"final\"}");
		struct fhir_search *guard;

		snprintf(rid, sizeof rid, "vs.%d", i);
		guard = fhir_request_search("Observation", rid);
		fhir_add_request_id(o, rid);
		cr_assert_eq(fhir_plan_create(p, o, guard), i - 1);
		fhir_search_free(&guard);
		cJSON_Delete(o);
	}
	return p;
}

static struct fhir_caps *
caps_update_create(bool yes)
{
	char *cause = NULL, json[256];
	cJSON *cs;
	struct fhir_caps *caps;

	snprintf(json, sizeof json,
	    "{\"resourceType\":\"CapabilityStatement\",\"rest\":[{\"mode\":\"server\",\"resource\":"
	    "[{\"type\":\"Observation\",\"updateCreate\":%s,\"interaction\":[{\"code\":\"create\"}]}]}]}",
	    yes ? "true" : "false");
	cs = cJSON_Parse(json);
	caps = fhir_caps_parse(cs, &cause);
	cr_assert_not_null(caps, "%s", cause ? cause : "");
	cr_assert_eq(fhir_caps_update_create(caps, "Observation"), yes);
	cr_assert_not(fhir_caps_update_create(caps, "Condition"));
	cJSON_Delete(cs);
	return caps;
}

/* How entry I of transaction TX asks: "POST Observation ifNoneExist", "PUT Observation/<id>"... */
static void
entry_request(const cJSON *tx, int i, const char **method, const char **url, bool *conditional,
    const char **id)
{
	const cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(tx, "entry"), i);
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(e, "request");

	*method = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(req, "method"));
	*url = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(req, "url"));
	*conditional = cJSON_GetObjectItemCaseSensitive(req, "ifNoneExist") != NULL;
	*id = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(e, "resource"), "id"));
}

Test(plan, nine_creates_go_as_updates_of_their_own_ids_where_the_server_creates_by_update)
{
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	struct fhir_caps *yes = caps_update_create(true), *no = caps_update_create(false);
	struct fhir_plan *nine = observations(9), *eight = observations(8), *unknown = observations(9);
	struct fhir_plan *refused = observations(9);
	cJSON *tx;
	const char *method, *url, *id;
	bool conditional;

	/* Nine: more than a conditional transaction may hold; each create names its own id. */
	fhir_plan_allow(nine, yes);
	tx = fhir_plan_transaction(nine, fc);
	for (int i = 0; i < 9; i++) {
		char want[64];
		const char *uuid = fhir_plan_full_url(nine, i) + 9;

		entry_request(tx, i, &method, &url, &conditional, &id);
		snprintf(want, sizeof want, "Observation/%s", uuid);
		cr_assert_str_eq(method, "PUT");
		cr_assert_str_eq(url, want);
		cr_assert_str_eq(id, uuid, "the resource carries the id its update names");
		cr_assert_not(conditional);
	}
	cJSON_Delete(tx);
	/* Planned again (a retry): the same ids, so the same resources, not new ones. */
	fhir_plan_free(&nine);
	nine = observations(9);
	fhir_plan_allow(nine, yes);
	tx = fhir_plan_transaction(nine, fc);
	entry_request(tx, 0, &method, &url, &conditional, &id);
	cr_assert_str_eq(id, fhir_plan_full_url(nine, 0) + 9);
	cJSON_Delete(tx);

	/* Eight fit a conditional transaction: If-None-Exist, as every create. */
	fhir_plan_allow(eight, yes);
	tx = fhir_plan_transaction(eight, fc);
	for (int i = 0; i < 8; i++) {
		entry_request(tx, i, &method, &url, &conditional, &id);
		cr_assert_str_eq(method, "POST");
		cr_assert(conditional);
		cr_assert_null(id);
	}
	cJSON_Delete(tx);

	/* Capabilities not in yet, or no updateCreate: conditional creates, which such a server may take. */
	fhir_plan_allow(unknown, NULL);
	fhir_plan_allow(refused, no);
	for (int k = 0; k < 2; k++) {
		tx = fhir_plan_transaction(k == 0 ? unknown : refused, fc);
		entry_request(tx, 8, &method, &url, &conditional, &id);
		cr_assert_str_eq(method, "POST");
		cr_assert(conditional);
		cJSON_Delete(tx);
	}
	fhir_plan_free(&nine);
	fhir_plan_free(&eight);
	fhir_plan_free(&unknown);
	fhir_plan_free(&refused);
	fhir_caps_free(&yes);
	fhir_caps_free(&no);
	fhir_client_free(&fc);
}
