/* The server's copy of the audit trail without a loop: the bounded queue, batches, back-off. */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/relay.h"
#include "fhir/audit-event.h"
#include "util/xmalloc.h"

static struct relay *
relay_with(size_t capacity, size_t events)
{
	struct relay *r = relay_new(capacity, "frontdesk", "desk-3", "sandbox");

	for (size_t i = 0; i < events; i++) {
		char id[16];
		const char *ids[] = {id};

		snprintf(id, sizeof id, "p%zu", i);
		cr_assert_eq(
		    relay_add(r, "view", "Patient", ids, 1, 1796000000 + (time_t)i), RELAY_QUEUED);
	}
	return r;
}

/* The batch's entry I: its AuditEvent's first entity reference. */
static const char *
entry_ref(const cJSON *batch, size_t i)
{
	const cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(batch, "entry"), (int)i);
	const cJSON *ent = cJSON_GetArrayItem(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(e, "resource"), "entity"), 0);

	return cJSON_GetStringValue(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(ent, "what"), "reference"));
}

static const char *
entry_guard(const cJSON *batch, size_t i)
{
	const cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(batch, "entry"), (int)i);

	return cJSON_GetStringValue(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(e, "request"), "ifNoneExist"));
}

/* An answer: a batch-response of STATUSES, or a failure of the whole batch. */
static void
answer(struct relay *r, double now, const char *const *statuses, size_t n, enum fhir_status status,
    struct relay_outcome *out)
{
	struct fhir_result res = {.status = status};

	if (status == FHIR_OK) {
		cJSON *entries;

		res.resource = cJSON_CreateObject();
		cJSON_AddStringToObject(res.resource, "resourceType", "Bundle");
		cJSON_AddStringToObject(res.resource, "type", "batch-response");
		entries = cJSON_AddArrayToObject(res.resource, "entry");
		for (size_t i = 0; i < n; i++) {
			cJSON *e = cJSON_CreateObject();

			cJSON_AddStringToObject(
			    cJSON_AddObjectToObject(e, "response"), "status", statuses[i]);
			cJSON_AddItemToArray(entries, e);
		}
	} else {
		res.message = xstrdup("the server is away");
	}
	relay_answer(r, now, &res, out);
	fhir_result_clear(&res);
}

Test(relay, events_go_in_order_in_batches_of_at_most_the_maximum)
{
	struct relay *r = relay_with(1000, RELAY_BATCH_MAX + 3);
	struct relay_outcome out;
	const char *ok[RELAY_BATCH_MAX];
	double wait;
	size_t n;
	cJSON *b;

	for (size_t i = 0; i < RELAY_BATCH_MAX; i++)
		ok[i] = "201 Created";
	b = relay_take(r, 0, &n, &wait);
	cr_assert_not_null(b);
	cr_assert_eq(n, RELAY_BATCH_MAX);
	cr_assert_str_eq(entry_ref(b, 0), "Patient/p0");
	cr_assert(relay_in_flight(r));
	/* One batch at a time. */
	{
		size_t none;

		cr_assert_null(relay_take(r, 0, &none, &wait));
		cr_assert_eq(none, 0);
	}
	answer(r, 1, ok, n, FHIR_OK, &out);
	cr_assert_eq(out.stored, RELAY_BATCH_MAX);
	cr_assert_null(out.why);
	cr_assert_eq(relay_queued(r), 3);
	cJSON_Delete(b);
	/* After a success the next goes at once. */
	b = relay_take(r, 1, &n, &wait);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(entry_ref(b, 0), "Patient/p"
	                                  "50");
	answer(r, 2, ok, n, FHIR_OK, &out);
	cr_assert_eq(relay_queued(r), 0);
	cJSON_Delete(b);
	cr_assert_null(relay_take(r, 2, &n, &wait));
	cr_assert_eq(wait, 0);
	relay_free(&r);
}

Test(relay, a_failed_batch_is_kept_and_sent_again_with_the_same_keys_after_a_growing_wait)
{
	struct relay *r = relay_with(10, 2);
	struct relay_outcome out;
	char guard[2][128];
	double now = 100, wait, last = 0;
	size_t n;
	cJSON *b = relay_take(r, now, &n, &wait);

	snprintf(guard[0], sizeof guard[0], "%s", entry_guard(b, 0));
	snprintf(guard[1], sizeof guard[1], "%s", entry_guard(b, 1));
	cr_assert_not_null(strstr(guard[0], "_tag=" AUDIT_EVENT_TAG_SYSTEM "|"));
	cr_assert_str_neq(guard[0], guard[1]);
	cJSON_Delete(b);
	for (int i = 0; i < 10; i++) {
		answer(r, now, NULL, 0, FHIR_TRANSPORT, &out);
		cr_assert_eq(out.kept, 2);
		cr_assert_str_eq(out.why, "the server is away");
		free(out.why);
		cr_assert_eq(relay_queued(r), 2);
		/* Not before the back-off, which doubles up to its cap. */
		cr_assert_null(relay_take(r, now, &n, &wait));
		cr_assert_geq(wait, RELAY_BACKOFF_MIN);
		cr_assert_leq(wait, RELAY_BACKOFF_MAX);
		cr_assert(
		    wait >= last || wait == RELAY_BACKOFF_MAX, "wait %g after %g", wait, last);
		last = wait;
		now += wait;
		b = relay_take(r, now, &n, &wait);
		cr_assert_not_null(b, "try %d", i);
		/* The same events under the same keys: the server finds a copy a lost answer made.
		 */
		cr_assert_str_eq(entry_guard(b, 0), guard[0]);
		cr_assert_str_eq(entry_guard(b, 1), guard[1]);
		cJSON_Delete(b);
	}
	cr_assert_eq(last, RELAY_BACKOFF_MAX);
	{
		static const char *const ok[] = {"201", "200"};

		answer(r, now, ok, 2, FHIR_OK, &out);
		cr_assert_eq(out.stored, 2);
		cr_assert_eq(relay_queued(r), 0);
	}
	relay_free(&r);
}

Test(relay, a_refused_event_is_dropped_a_busy_one_kept_in_its_place)
{
	static const char *const st[] = {"201", "503", "400", "201"};
	struct relay *r = relay_with(10, 5);
	struct relay_outcome out;
	double wait;
	size_t n;
	cJSON *b = relay_take(r, 0, &n, &wait);

	cr_assert_eq(n, 5);
	cJSON_Delete(b);
	/* An answer one entry short matches nothing: all five kept. */
	answer(r, 0, st, 4, FHIR_OK, &out);
	cr_assert_eq(out.kept, 5);
	free(out.why);
	b = relay_take(r, 1000, &n, &wait);
	cJSON_Delete(b);
	{
		static const char *const st5[] = {"201", "503", "400", "201", "201"};

		answer(r, 1000, st5, 5, FHIR_OK, &out);
	}
	cr_assert_eq(out.stored, 3);
	cr_assert_eq(out.refused, 1);
	cr_assert_eq(out.kept, 1);
	cr_assert_not_null(out.why);
	free(out.why);
	cr_assert_eq(relay_queued(r), 1);
	/* Some were stored: the server is there, the one kept goes again at once. */
	b = relay_take(r, 1000, &n, &wait);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(entry_ref(b, 0), "Patient/p1");
	cJSON_Delete(b);
	relay_free(&r);
}

Test(relay, a_full_queue_refuses_and_says_so_once_until_it_has_room)
{
	static const char *const ok[] = {"201", "201"};
	struct relay *r = relay_with(2, 2);
	struct relay_outcome out;
	double wait;
	size_t n;
	cJSON *b;

	cr_assert_eq(relay_add(r, "logout", NULL, NULL, 0, 0), RELAY_FULL_FIRST);
	cr_assert_eq(relay_add(r, "logout", NULL, NULL, 0, 0), RELAY_FULL);
	cr_assert_eq(relay_queued(r), 2);
	b = relay_take(r, 0, &n, &wait);
	cJSON_Delete(b);
	answer(r, 0, ok, 2, FHIR_OK, &out);
	cr_assert_eq(relay_add(r, "logout", NULL, NULL, 0, 0), RELAY_QUEUED);
	cr_assert_eq(relay_add(r, "logout", NULL, NULL, 0, 0), RELAY_QUEUED);
	cr_assert_eq(relay_add(r, "logout", NULL, NULL, 0, 0), RELAY_FULL_FIRST);
	relay_free(&r);
}

Test(relay, the_last_try_at_quit_ignores_the_back_off)
{
	struct relay *r = relay_with(10, 1);
	struct relay_outcome out;
	double wait;
	size_t n;
	cJSON *b = relay_take(r, 0, &n, &wait);

	cJSON_Delete(b);
	relay_abandon(r, 0);
	cr_assert_not(relay_in_flight(r));
	cr_assert_gt(relay_wait(r, 0), 0);
	relay_retry_now(r, 0);
	cr_assert_eq(relay_wait(r, 0), 0);
	b = relay_take(r, 0, &n, &wait);
	cr_assert_not_null(b);
	cJSON_Delete(b);
	answer(r, 0, NULL, 0, FHIR_CANCELLED, &out);
	free(out.why);
	relay_free(&r);
}
