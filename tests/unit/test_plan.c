/* The one save state every form shows after a write. */
#include "config.h"

#include <criterion/criterion.h>

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
