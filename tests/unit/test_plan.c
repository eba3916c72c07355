/* Plans: the one save state every form shows after a write, and how a create is named. */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "fhir/plan.h"

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
