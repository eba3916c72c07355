/* Unit tests for fhir/coverage: reading, sorting, the order, applying the form, and the saving plan. */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/coverage.h"

static const struct date today = { 2026, 3, 1 };

static cJSON *
parse(const char *text)
{
	cJSON *j = cJSON_Parse(text);

	cr_assert_not_null(j, "test JSON: %s", text);
	return j;
}

static struct fhir_client *
client(void)
{
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);

	cr_assert_not_null(fc, "%s", cause ? cause : "");
	return fc;
}

/* A Coverage of patient p1: ID, version, status, order (0: none), period start and end. */
static char *
coverage(const char *id, const char *version, const char *status, int order, const char *start,
    const char *end)
{
	char *s, ord[32] = "", per[96] = "";

	if (order > 0)
		snprintf(ord, sizeof ord, ",\"order\":%d", order);
	if (start != NULL || end != NULL)
		snprintf(per, sizeof per, ",\"period\":{%s%s%s%s%s%s%s}", start ? "\"start\":\"" : "",
		    start ? start : "", start ? "\"" : "", start && end ? "," : "",
		    end ? "\"end\":\"" : "", end ? end : "", end ? "\"" : "");
	cr_assert(asprintf(&s,
		      "{\"resourceType\":\"Coverage\",\"id\":\"%s\",\"meta\":{\"versionId\":\"%s\"},"
		      "\"status\":\"%s\",\"beneficiary\":{\"reference\":\"Patient/p1\"},"
		      "\"payor\":[{\"reference\":\"Organization/%s\"}]%s%s}",
		      id, version, status, id, ord, per) > 0);
	return s;
}

static cJSON *
searchset(const char *const *items, size_t n)
{
	char *text = strdup("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[");
	cJSON *j;

	for (size_t i = 0; i < n; i++) {
		char *next;

		cr_assert(asprintf(&next, "%s%s{\"resource\":%s}", text, i ? "," : "", items[i]) > 0);
		free(text);
		text = next;
	}
	{
		char *next;

		cr_assert(asprintf(&next, "%s]}", text) > 0);
		free(text);
		text = next;
	}
	j = parse(text);
	free(text);
	return j;
}

static const char *
id_at(const cJSON *list, int i)
{
	return coverage_id(cJSON_GetArrayItem(list, i));
}

/* --- reading and sorting -------------------------------------------------------------- */

Test(coverage, in_force_is_active_and_within_the_period)
{
	char *a = coverage("a", "1", "active", 1, "2025-01-01", "2026-12-31");
	char *b = coverage("b", "1", "active", 1, "2026-03-02", NULL);
	char *c = coverage("c", "1", "active", 1, NULL, "2026-02-28T23:00:00Z");
	char *d = coverage("d", "1", "cancelled", 1, NULL, NULL);
	char *e = coverage("e", "1", "active", 0, "2026-03-01T08:00:00Z", "2026-03-01");
	cJSON *ja = parse(a), *jb = parse(b), *jc = parse(c), *jd = parse(d), *je = parse(e);

	cr_assert(coverage_in_force(ja, &today));
	cr_assert_not(coverage_in_force(jb, &today), "starts tomorrow");
	cr_assert_not(coverage_in_force(jc, &today), "ended yesterday");
	cr_assert_not(coverage_in_force(jd, &today), "not active");
	cr_assert(coverage_in_force(je, &today), "today's dateTime counts as today");
	cJSON_Delete(ja), cJSON_Delete(jb), cJSON_Delete(jc), cJSON_Delete(jd), cJSON_Delete(je);
	free(a), free(b), free(c), free(d), free(e);
}

Test(coverage, sorted_in_force_first_then_order_then_latest_start)
{
	char *items[] = {
		coverage("old", "1", "active", 1, "2020-01-01", "2021-01-01"),
		coverage("second", "1", "active", 2, "2025-01-01", NULL),
		coverage("future", "1", "active", 1, "2027-01-01", NULL),
		coverage("noorder", "1", "active", 0, "2025-06-01", NULL),
		coverage("primary", "1", "active", 1, "2024-01-01", NULL),
		coverage("primary2", "1", "active", 1, "2025-01-01", NULL),
	};
	cJSON *set = searchset((const char *const *)items, 6), *list;
	long total = 0;

	list = coverage_take(set, "p1", &today, &total);
	cr_assert_eq(total, 6);
	cr_assert_str_eq(id_at(list, 0), "primary2", "the latest start of one order first");
	cr_assert_str_eq(id_at(list, 1), "primary");
	cr_assert_str_eq(id_at(list, 2), "second");
	cr_assert_str_eq(id_at(list, 3), "noorder", "no order after every order");
	cr_assert_str_eq(id_at(list, 4), "future");
	cr_assert_str_eq(id_at(list, 5), "old");
	cr_assert_eq(coverage_next_order(list, &today), 3);
	cJSON_Delete(list);
	cJSON_Delete(set);
	for (size_t i = 0; i < 6; i++)
		free(items[i]);
}

Test(coverage, another_patients_coverage_is_left_out)
{
	char *mine = coverage("a", "1", "active", 1, NULL, NULL);
	const char *items[] = {
		mine,
		"{\"resourceType\":\"Coverage\",\"id\":\"b\",\"status\":\"active\","
		"\"beneficiary\":{\"reference\":\"Patient/p2\"}}",
		"{\"resourceType\":\"Coverage\",\"id\":\"c\",\"status\":\"active\"}",
		"{\"resourceType\":\"Coverage\",\"id\":\"bad id!\",\"beneficiary\":{\"reference\":"
		"\"Patient/p1\"}}",
		"{\"resourceType\":\"Patient\",\"id\":\"p1\"}",
	};
	cJSON *set = searchset(items, 5), *list;
	long total;

	list = coverage_take(set, "p1", &today, &total);
	cr_assert_eq(cJSON_GetArraySize(list), 1);
	cr_assert_str_eq(id_at(list, 0), "a");
	cJSON_Delete(list);
	cJSON_Delete(set);
	free(mine);
}

Test(coverage, wrong_json_types_read_as_absent)
{
	static const char *const texts[] = {
		"{\"resourceType\":\"Coverage\",\"id\":7,\"status\":[],\"order\":\"1\",\"period\":7,"
		"\"payor\":{},\"class\":\"x\",\"relationship\":[],\"subscriberId\":1,\"meta\":[]}",
		"{\"resourceType\":\"Coverage\",\"order\":-3,\"payor\":[7,{\"reference\":[]}],"
		"\"class\":[1,{\"type\":\"group\"}],\"identifier\":[{\"type\":7}]}",
		"{\"resourceType\":\"Coverage\",\"order\":1e300,\"period\":{\"start\":1,\"end\":[]}}",
		"[]",
	};

	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		cJSON *c = parse(texts[i]);
		struct coverage_view v;
		long total;
		cJSON *list;

		coverage_view_read(c, &today, &v);
		cr_assert_str_eq(v.id, "", "case %zu", i);
		cr_assert_str_eq(v.payer_reference, "", "case %zu", i);
		cr_assert_str_eq(v.member, "", "case %zu", i);
		cr_assert_str_eq(v.group, "", "case %zu", i);
		cr_assert_str_eq(v.start, "", "case %zu", i);
		cr_assert_eq(v.order, 0, "case %zu", i);
		cr_assert_not(v.in_force, "case %zu", i);
		cr_assert_str_eq(v.shown, "?", "case %zu", i);
		coverage_view_clear(&v);
		list = coverage_take(c, "p1", &today, &total);
		cr_assert_eq(cJSON_GetArraySize(list), 0);
		cJSON_Delete(list);
		cJSON_Delete(c);
	}
}

Test(coverage, the_view_reads_what_the_list_shows)
{
	cJSON *c = parse("{\"resourceType\":\"Coverage\",\"id\":\"a\",\"meta\":{\"versionId\":\"3\"},"
			 "\"status\":\"active\",\"order\":2,\"payor\":[{\"reference\":"
			 "\"Organization/acme\",\"display\":\"Acme\"}],\"identifier\":[{\"type\":"
			 "{\"coding\":[{\"code\":\"MB\"}]},\"value\":\"M-1\"}],\"class\":[{\"type\":"
			 "{\"coding\":[{\"code\":\"plan\"}]},\"value\":\"P\"},{\"type\":{\"coding\":"
			 "[{\"code\":\"group\"}]},\"name\":\"Staff\"}],\"relationship\":{\"coding\":"
			 "[{\"code\":\"spouse\"}]},\"period\":{\"end\":\"2025-12-31\"}}");
	struct coverage_view v;

	coverage_view_read(c, &today, &v);
	cr_assert_str_eq(v.id, "a");
	cr_assert_str_eq(v.version, "3");
	cr_assert_str_eq(v.payer_reference, "Organization/acme");
	cr_assert_str_eq(v.payer_display, "Acme");
	cr_assert_str_eq(v.member, "M-1", "the MB identifier when there is no subscriberId");
	cr_assert_str_eq(v.group, "Staff");
	cr_assert_str_eq(v.group_value, "");
	cr_assert_str_eq(v.relationship, "spouse");
	cr_assert_str_eq(v.end_day, "2025-12-31");
	cr_assert_eq(v.order, 2);
	cr_assert_str_eq(v.shown, "expired");
	cr_assert_not(v.in_force);
	coverage_view_clear(&v);
	cJSON_Delete(c);
}

/* --- opening -------------------------------------------------------------------------- */

Test(coverage, opening_is_one_batch_and_its_answer_is_read)
{
	struct fhir_client *fc = client();
	cJSON *b = coverage_open_batch(fc, "p1"), *r;
	char *text = cJSON_PrintUnformatted(b), *cov = coverage("a", "1", "active", 1, NULL, NULL);
	char *answer;
	struct coverage_loaded l;
	char *cause = NULL;

	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(b, "entry")), 4);
	cr_assert_not_null(strstr(text, "Coverage?beneficiary=Patient%2Fp1"), "%s", text);
	cr_assert_not_null(strstr(text, "Organization?type="), "%s", text);
	cr_assert(asprintf(&answer,
		      "{\"entry\":[{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":"
		      "\"Patient\",\"id\":\"p1\"}},{\"response\":{\"status\":\"200 OK\"},\"resource\":"
		      "{\"resourceType\":\"Bundle\"}},{\"response\":{\"status\":\"200 OK\"},\"resource\":"
		      "{\"resourceType\":\"Bundle\",\"total\":1,\"entry\":[{\"resource\":%s}]}},"
		      "{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":\"Bundle\","
		      "\"entry\":[{\"resource\":{\"resourceType\":\"Organization\",\"id\":\"acme\","
		      "\"name\":\"Acme\"}},{\"resource\":{\"resourceType\":\"Organization\",\"id\":7}}]}}]}",
		      cov) > 0);
	r = parse(answer);
	cr_assert_eq(coverage_open_result(r, "p1", &today, &l, &cause), 0, "%s", cause ? cause : "");
	cr_assert_eq(cJSON_GetArraySize(l.coverages), 1);
	cr_assert_eq(l.total, 1);
	cr_assert_eq(l.payers.n, 1);
	cr_assert_str_eq(l.payers.items[0].reference, "Organization/acme");
	cr_assert_str_eq(l.payers.items[0].name, "Acme");
	cr_assert_null(l.payers_failed);
	cr_assert_eq(l.opened.allergies.state, PATIENT_ALLERGY_NOT_RECORDED);
	coverage_loaded_free(&l);
	cJSON_Delete(r);
	free(answer);
	/* The coverages failing is a failure; the payers failing only says so. */
	r = parse("{\"entry\":[{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":"
		  "\"Patient\",\"id\":\"p1\"}},{},{\"response\":{\"status\":\"200 OK\"},\"resource\":"
		  "{\"resourceType\":\"Bundle\"}},{\"response\":{\"status\":\"403 Forbidden\"}}]}");
	cr_assert_eq(coverage_open_result(r, "p1", &today, &l, &cause), 0);
	cr_assert_not_null(strstr(l.payers_failed, "403"), "%s", l.payers_failed);
	coverage_loaded_free(&l);
	cJSON_Delete(r);
	r = parse("{\"entry\":[{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":"
		  "\"Patient\",\"id\":\"p1\"}},{},{\"response\":{\"status\":\"500\"}}]}");
	cr_assert_eq(coverage_open_result(r, "p1", &today, &l, &cause), -1);
	cr_assert_not_null(strstr(cause, "coverages"), "%s", cause);
	free(cause);
	cJSON_Delete(r);
	free(text);
	free(cov);
	cJSON_Delete(b);
	fhir_client_free(&fc);
}

/* --- applying the form ---------------------------------------------------------------- */

Test(coverage, apply_keeps_unknown_elements)
{
	cJSON *base = parse("{\"resourceType\":\"Coverage\",\"id\":\"a\",\"meta\":{\"versionId\":\"2\"},"
			    "\"status\":\"active\",\"beneficiary\":{\"reference\":\"Patient/p1\"},"
			    "\"payor\":[{\"reference\":\"Organization/acme\"}],\"subscriberId\":\"OLD\","
			    "\"network\":\"North\",\"costToBeneficiary\":[{\"type\":{\"text\":\"copay\"}}],"
			    "\"extension\":[{\"url\":\"urn:x\",\"valueString\":\"kept\"}]}");
	struct coverage_input in = { .payer_reference = "Organization/acme", .member = "NEW",
		.relationship = "self", .order = 1 };
	cJSON *c = coverage_apply(base, &in, "p1", NULL);
	char *text = cJSON_PrintUnformatted(c);

	cr_assert_not_null(strstr(text, "\"network\":\"North\""), "%s", text);
	cr_assert_not_null(strstr(text, "copay"), "%s", text);
	cr_assert_not_null(strstr(text, "urn:x"), "%s", text);
	cr_assert_not_null(strstr(text, "\"subscriberId\":\"NEW\""), "%s", text);
	cr_assert_not_null(strstr(text, "\"subscriber\":{\"reference\":\"Patient/p1\"}"), "%s", text);
	cr_assert_not(coverage_same(c, base));
	free(text);
	cJSON_Delete(c);
	/* The form unchanged: nothing to save. */
	in.member = "OLD";
	in.relationship = NULL;
	in.order = 0;
	c = coverage_apply(base, &in, "p1", NULL);
	cr_assert(coverage_same(c, base));
	cJSON_Delete(c);
	cJSON_Delete(base);
}

Test(coverage, a_new_coverage_carries_its_request_identifier)
{
	struct coverage_input in = { .payer_reference = "Organization/acme", .member = "M",
		.group = "G", .has_start = true, .start = { 2026, 1, 1 } };
	cJSON *c = coverage_apply(NULL, &in, "p1", "req-1"), *list = cJSON_CreateArray();

	cr_assert(fhir_carries_request(c, "req-1"));
	cr_assert_str_eq(fhir_get_string(c, "status"), "active");
	cJSON_AddItemToArray(list, c);
	cr_assert_eq(coverage_find_request(list, "req-1"), c);
	cr_assert_null(coverage_find_request(list, "req-2"));
	cJSON_Delete(list);
}

/* --- the order ------------------------------------------------------------------------ */

Test(coverage, order_moves_swap_an_edit_and_push_down_for_a_new_one)
{
	char *items[] = {
		coverage("a", "1", "active", 1, NULL, NULL),
		coverage("b", "4", "active", 2, "2025-01-01", NULL),
		coverage("c", "1", "active", 1, "2010-01-01", "2011-01-01"),
	};
	cJSON *list = cJSON_CreateArray(), *moved[4], *saved;
	size_t n;

	for (size_t i = 0; i < 3; i++)
		cJSON_AddItemToArray(list, parse(items[i]));
	/* b becomes primary: a takes b's old order; c, over before b began, keeps its own. */
	saved = cJSON_Duplicate(cJSON_GetArrayItem(list, 1), true);
	cJSON_ReplaceItemInObject(saved, "order", cJSON_CreateNumber(1));
	n = coverage_order_moves(list, saved, cJSON_GetArrayItem(list, 1), moved, 4);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(coverage_id(moved[0]), "a");
	cr_assert_eq(cJSON_GetObjectItem(moved[0], "order")->valueint, 2);
	cJSON_Delete(moved[0]);
	cJSON_Delete(saved);
	/* A new primary from this year: the two running then move one down. */
	saved = parse("{\"resourceType\":\"Coverage\",\"status\":\"active\",\"order\":1,"
		      "\"period\":{\"start\":\"2026-01-01\"}}");
	n = coverage_order_moves(list, saved, NULL, moved, 4);
	cr_assert_eq(n, 2);
	cr_assert_eq(cJSON_GetObjectItem(moved[0], "order")->valueint, 2);
	cr_assert_eq(cJSON_GetObjectItem(moved[1], "order")->valueint, 3);
	cJSON_Delete(moved[0]);
	cJSON_Delete(moved[1]);
	/* More moves than room: counted, not written past MAX. */
	n = coverage_order_moves(list, saved, NULL, moved, 1);
	cr_assert_eq(n, 2);
	cJSON_Delete(moved[0]);
	cJSON_Delete(saved);
	cJSON_Delete(list);
	for (size_t i = 0; i < 3; i++)
		free(items[i]);
}

/* --- the saving plan ------------------------------------------------------------------ */

Test(coverage, the_transaction_guards_every_update_and_the_create)
{
	struct fhir_client *fc = client();
	char *a = coverage("a", "3", "active", 2, NULL, NULL), *b = coverage("b", "7", "active", 3, NULL, NULL);
	cJSON *moved[2] = { parse(a), parse(b) };
	cJSON *saved = parse("{\"resourceType\":\"Coverage\",\"status\":\"active\",\"order\":1}");
	cJSON *tx = coverage_transaction(fc, saved, "req-1", moved, 2), *e;
	const char *methods[] = { "POST", "PUT", "PUT" };
	int i = 0;

	cr_assert_not_null(tx);
	cr_assert_str_eq(fhir_get_string(tx, "type"), "transaction");
	cJSON_ArrayForEach(e, fhir_get_array(tx, "entry"))
	{
		const cJSON *req = fhir_get_object(e, "request");

		cr_assert_str_eq(fhir_get_string(req, "method"), methods[i]);
		if (i == 0) {
			cr_assert_null(fhir_get_string(req, "ifNoneExist"), "the If-Match update in the same transaction guards the create");
			cr_assert_null(fhir_get_string(req, "ifMatch"));
		} else {
			cr_assert_str_eq(fhir_get_string(req, "ifMatch"), i == 1 ? "W/\"3\"" : "W/\"7\"");
			cr_assert_str_eq(fhir_get_string(req, "url"), i == 1 ? "Coverage/a" : "Coverage/b");
		}
		i++;
	}
	cr_assert_eq(i, 3);
	cJSON_Delete(tx);
	/* A coverage to update without a version: no plan at all, never an unguarded write. */
	cJSON_DeleteItemFromObject(moved[1], "meta");
	cr_assert_null(coverage_transaction(fc, saved, "req-1", moved, 2));
	cr_assert_null(coverage_plan(NULL, saved, NULL, "req-1", moved, 2));
	cJSON_Delete(moved[0]);
	cJSON_Delete(moved[1]);
	cJSON_Delete(saved);
	free(a);
	free(b);
	fhir_client_free(&fc);
}

Test(coverage, the_saved_coverages_are_read_from_the_answer)
{
	char *a = coverage("a", "4", "active", 1, NULL, NULL), *answer;
	cJSON *r, *got[2];

	cr_assert(asprintf(&answer, "{\"resourceType\":\"Bundle\",\"type\":\"transaction-response\","
				    "\"entry\":[{\"response\":{\"status\":\"200 OK\",\"etag\":\"W/\\\"4\\\"\"},"
				    "\"resource\":%s},{\"response\":{\"status\":\"200 OK\"},\"resource\":%s}]}",
		      a, a) > 0);
	r = parse(answer);
	cr_assert_eq(coverage_saved(r, got, 2), 2);
	cr_assert_str_eq(coverage_id(got[0]), "a");
	cJSON_Delete(got[0]);
	cJSON_Delete(got[1]);
	cr_assert_eq(coverage_saved(r, got, 1), 2, "counted past MAX");
	cJSON_Delete(got[0]);
	cJSON_Delete(r);
	free(answer);
	/* An answer without the resources: read them again. */
	r = parse("{\"entry\":[{\"response\":{\"status\":\"201 Created\"}}]}");
	cr_assert_eq(coverage_saved(r, got, 2), -1);
	cJSON_Delete(r);
	r = parse("{\"entry\":7}");
	cr_assert_eq(coverage_saved(r, got, 2), -1);
	cJSON_Delete(r);
	free(a);
}

/* A server that ignores _count: no more than COVERAGE_COUNT kept, the rest counted. */
Test(coverage, take_keeps_as_many_as_were_asked_for)
{
	enum { N = 300 };
	char **items = calloc(N, sizeof *items);
	cJSON *set, *list;
	long total = 0;

	for (int i = 0; i < N; i++) {
		char id[16];

		snprintf(id, sizeof id, "c%d", i);
		items[i] = coverage(id, "1", "active", 1, "2024-01-01", NULL);
	}
	set = searchset((const char *const *)items, N);
	cJSON_DeleteItemFromObject(set, "total");
	list = coverage_take(set, "p1", &today, &total);
	cr_assert_eq(cJSON_GetArraySize(list), COVERAGE_COUNT);
	cr_assert_eq(total, N, "the screen says how many there are: %ld", total);
	cJSON_Delete(list);
	cJSON_Delete(set);
	for (int i = 0; i < N; i++)
		free(items[i]);
	free(items);
}
