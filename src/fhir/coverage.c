/* Coverage: the FHIR side of the insurance screen. No widget here: typed views for the screen. */
#include "config.h"

#include "fhir/coverage.h"
#include "util/uuid.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CS_COVERAGE_CLASS "http://terminology.hl7.org/CodeSystem/coverage-class"
#define CS_RELATIONSHIP "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
#define CS_V2_0203 "http://terminology.hl7.org/CodeSystem/v2-0203"
#define CS_ORG_TYPE "http://terminology.hl7.org/CodeSystem/organization-type"
#define ISO_DATE_LEN COVERAGE_DATE_LEN

static bool
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* The class entry of type "group", borrowed, or NULL. */
static cJSON *
group_class(const cJSON *coverage)
{
	cJSON *c;

	cJSON_ArrayForEach(c, fhir_get_array(coverage, "class"))
	{
		if (fhir_has_code(fhir_get_object(c, "type"), "group"))
			return c;
	}
	return NULL;
}

static const char *
payer_reference(const cJSON *coverage)
{
	return fhir_get_string(
	    cJSON_GetArrayItem(fhir_get_array(coverage, "payor"), 0), "reference");
}

/* The member id: subscriberId, else the identifier typed MB. */
static const char *
member_id(const cJSON *coverage)
{
	const char *s = fhir_get_string(coverage, "subscriberId");
	const cJSON *id;

	if (s != NULL)
		return s;
	cJSON_ArrayForEach(id, fhir_get_array(coverage, "identifier"))
	{
		if (fhir_has_code(fhir_get_object(id, "type"), "MB") &&
		    fhir_get_string(id, "value") != NULL)
			return fhir_get_string(id, "value");
	}
	return NULL;
}

/* The order, 0 when there is none (FHIR's positiveInt starts at 1). */
static long long
order_of(const cJSON *coverage)
{
	const cJSON *o =
	    cJSON_IsObject(coverage) ? cJSON_GetObjectItemCaseSensitive(coverage, "order") : NULL;

	if (!cJSON_IsNumber(o) || o->valuedouble < 1 || o->valuedouble > 1e9)
		return 0;
	return (long long)o->valuedouble;
}

/* The first ISO_DATE_LEN bytes of a FHIR date or dateTime, "" when absent or shorter. */
static void
period_day(const cJSON *coverage, const char *which, char out[ISO_DATE_LEN + 1])
{
	const char *s = fhir_get_string(fhir_get_object(coverage, "period"), which);

	out[0] = '\0';
	if (s != NULL && strlen(s) >= ISO_DATE_LEN) {
		memcpy(out, s, ISO_DATE_LEN);
		out[ISO_DATE_LEN] = '\0';
	}
}

static void
today_iso(const struct date *today, char out[ISO_DATE_LEN + 1])
{
	char buf[DATE_BUF_SIZE] = "";

	date_format_iso(today, buf, sizeof buf);
	memcpy(out, buf, ISO_DATE_LEN);
	out[ISO_DATE_LEN] = '\0';
}

/* ISO dates compare as strings; an open start or end reaches forever. */
static bool
periods_overlap(const cJSON *a, const cJSON *b)
{
	char as[ISO_DATE_LEN + 1], ae[ISO_DATE_LEN + 1], bs[ISO_DATE_LEN + 1], be[ISO_DATE_LEN + 1];

	period_day(a, "start", as);
	period_day(a, "end", ae);
	period_day(b, "start", bs);
	period_day(b, "end", be);
	if (*as != '\0' && *be != '\0' && strcmp(as, be) > 0)
		return false;
	if (*bs != '\0' && *ae != '\0' && strcmp(bs, ae) > 0)
		return false;
	return true;
}

bool
coverage_in_force(const cJSON *coverage, const struct date *today)
{
	char start[ISO_DATE_LEN + 1], end[ISO_DATE_LEN + 1], now[ISO_DATE_LEN + 1];

	if (!same(fhir_get_string(coverage, "status"), "active"))
		return false;
	today_iso(today, now);
	period_day(coverage, "start", start);
	period_day(coverage, "end", end);
	return (*start == '\0' || strcmp(start, now) <= 0) &&
	       (*end == '\0' || strcmp(end, now) >= 0);
}

static const char *status_shown(const cJSON *c, const struct date *today);

/* --- typed views ---------------------------------------------------------------------- */

const char *
coverage_id(const cJSON *coverage)
{
	return fhir_get_string(coverage, "id");
}

static char *
dup_or_empty(const char *s)
{
	return xstrdup(s != NULL ? s : "");
}

void
coverage_view_read(const cJSON *c, const struct date *today, struct coverage_view *out)
{
	const cJSON *group = group_class(c), *period = fhir_get_object(c, "period");
	const cJSON *payor = cJSON_GetArrayItem(fhir_get_array(c, "payor"), 0);
	const char *g = fhir_get_string(group, "value");

	memset(out, 0, sizeof *out);
	out->id = dup_or_empty(fhir_get_string(c, "id"));
	out->version = dup_or_empty(fhir_version_of(c));
	out->payer_reference = dup_or_empty(fhir_get_string(payor, "reference"));
	out->payer_display = dup_or_empty(fhir_get_string(payor, "display"));
	out->member = dup_or_empty(member_id(c));
	out->group = dup_or_empty(g != NULL ? g : fhir_get_string(group, "name"));
	out->group_value = dup_or_empty(g);
	out->relationship = dup_or_empty(fhir_first_code(fhir_get_object(c, "relationship")));
	out->start = xstrndup(fhir_get_string(period, "start") ? fhir_get_string(period, "start") : "", 40);
	out->end = xstrndup(fhir_get_string(period, "end") ? fhir_get_string(period, "end") : "", 40);
	period_day(c, "start", out->start_day);
	period_day(c, "end", out->end_day);
	out->order = order_of(c);
	out->status = dup_or_empty(fhir_get_string(c, "status"));
	out->shown = status_shown(c, today);
	/* The view outlives the resource: a status of the server's own points into the copy. */
	if (out->shown == fhir_get_string(c, "status"))
		out->shown = out->status;
	out->in_force = coverage_in_force(c, today);
}

void
coverage_view_clear(struct coverage_view *v)
{
	free(v->id);
	free(v->version);
	free(v->payer_reference);
	free(v->payer_display);
	free(v->member);
	free(v->group);
	free(v->group_value);
	free(v->relationship);
	free(v->start);
	free(v->end);
	free(v->status);
	memset(v, 0, sizeof *v);
}

void
coverage_payer_list_free(struct coverage_payer_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].reference);
		free(l->items[i].name);
	}
	free(l->items);
	memset(l, 0, sizeof *l);
}

/* --- opening -------------------------------------------------------------------------- */

struct fhir_search *
coverage_search(const char *patient_id)
{
	struct fhir_search *s = fhir_search_new("Coverage");
	char *ref = xasprintf("Patient/%s", patient_id), count[16];

	snprintf(count, sizeof count, "%d", COVERAGE_COUNT);
	fhir_search_add(s, "beneficiary", ref);
	fhir_search_add(s, "_count", count);
	free(ref);
	return s;
}

/* The payers: Organizations of type pay, not marked inactive, names only, by name. */
static struct fhir_search *
payer_search(void)
{
	struct fhir_search *s = fhir_search_new("Organization");
	char count[16];

	snprintf(count, sizeof count, "%d", COVERAGE_PAYERS_MAX);
	fhir_search_add(s, "type", CS_ORG_TYPE "|pay");
	fhir_search_add(s, "active:not", "false");
	fhir_search_add(s, "_elements", "name");
	fhir_search_add(s, "_sort", "name");
	fhir_search_add(s, "_count", count);
	return s;
}


cJSON *
coverage_open_batch(const struct fhir_client *fc, const char *patient_id)
{
	cJSON *batch = patient_open_batch(fc, patient_id);
	cJSON *entries = (cJSON *)fhir_get_array(batch, "entry");
	struct fhir_search *s = coverage_search(patient_id);

	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	s = payer_search();
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	return batch;
}

/* A batch entry that answered with a searchset. */
static bool
entry_ok(const cJSON *entry)
{
	return fhir_entry_ok(entry) &&
	       same(fhir_get_string(fhir_get_object(entry, "resource"), "resourceType"), "Bundle");
}

void
coverage_loaded_free(struct coverage_loaded *l)
{
	patient_opened_clear(&l->opened);
	cJSON_Delete(l->coverages);
	coverage_payer_list_free(&l->payers);
	free(l->payers_failed);
	memset(l, 0, sizeof *l);
}

int
coverage_open_result(cJSON *response, const char *patient_id, const struct date *today,
    struct coverage_loaded *out, char **cause)
{
	const cJSON *entries = fhir_get_array(response, "entry");
	const cJSON *covs = cJSON_GetArrayItem(entries, 2), *orgs = cJSON_GetArrayItem(entries, 3);
	const cJSON *entry;
	memset(out, 0, sizeof *out);
	if (patient_open_result(response, patient_id, &out->opened, cause) != 0)
		return -1;
	if (!entry_ok(covs)) {
		*cause = fhir_entry_failure(covs, "the coverages");
		coverage_loaded_free(out);
		return -1;
	}
	out->coverages =
	    coverage_take(fhir_get_object(covs, "resource"), patient_id, today, &out->total);
	/* Without payers the list still shows; only adding and changing the payer wait. */
	if (!entry_ok(orgs)) {
		out->payers_failed = fhir_entry_failure(orgs, "the payer list");
		return 0;
	}
	cJSON_ArrayForEach(entry, fhir_get_array(fhir_get_object(orgs, "resource"), "entry"))
	{
		const cJSON *org = fhir_get_object(entry, "resource");
		const char *id = fhir_get_string(org, "id");
		char *ref;

		if (!same(fhir_get_string(org, "resourceType"), "Organization") ||
		    !fhir_valid_id(id))
			continue;
		/* The list asked for no more (_count); a server that sends more is cut here, so
		 * the payer checks after stay bounded. */
		if (out->payers.n == COVERAGE_PAYERS_MAX)
			break;
		ref = xasprintf("Organization/%s", id);
		out->payers.items = xreallocarray(out->payers.items, out->payers.n + 1,
		    sizeof *out->payers.items);
		out->payers.items[out->payers.n].reference = ref;
		out->payers.items[out->payers.n].name = xstrdup(
		    fhir_get_string(org, "name") != NULL ? fhir_get_string(org, "name") : "");
		out->payers.n++;
	}
	if (out->payers.n == 0)
		out->payers_failed =
		    xstrdup("the server lists no payer (an Organization of type pay)");
	return 0;
}

cJSON *
coverage_take(const cJSON *searchset, const char *patient_id, const struct date *today,
    long *total)
{
	cJSON *list = cJSON_CreateArray();
	const cJSON *entry;
	size_t kept = 0;
	bool more = false;

	cJSON_ArrayForEach(entry, fhir_get_array(searchset, "entry"))
	{
		const cJSON *c = fhir_get_object(entry, "resource");

		/*
		 * Without a usable id a Coverage cannot be edited or told apart; one whose
		 * beneficiary is another patient is not this patient's insurance: left out.
		 */
		if (!same(fhir_get_string(c, "resourceType"), "Coverage") ||
		    !fhir_valid_id(fhir_get_string(c, "id")) ||
		    !patient_refers_to(
			fhir_get_string(fhir_get_object(c, "beneficiary"), "reference"), patient_id))
			continue;
		/* As many as were asked for: the screen says "Showing 50 of N" for the rest. */
		if (++kept > COVERAGE_COUNT) {
			more = true;
			continue;
		}
		cJSON_AddItemToArray(list, cJSON_Duplicate(c, true));
	}
	*total = fhir_bundle_total(searchset);
	if (*total < 0 || (more && *total <= COVERAGE_COUNT))
		*total = (long)kept;
	coverage_sort(list, today);
	return list;
}

/* --- sorting -------------------------------------------------------------------------- */

struct sort_key {
	cJSON *item;
	int rank; /* 0 in force, 1 future, 2 the rest */
	long long order;
	char start[ISO_DATE_LEN + 1];
	const char *id;
};

static int
key_compare(const void *pa, const void *pb)
{
	const struct sort_key *a = pa, *b = pb;
	int c;

	if (a->rank != b->rank)
		return a->rank - b->rank;
	/* No order sorts after every order. */
	if (a->order != b->order) {
		if (a->order == 0 || b->order == 0)
			return a->order == 0 ? 1 : -1;
		return a->order < b->order ? -1 : 1;
	}
	if ((c = strcmp(b->start, a->start)) != 0)
		return c;
	return strcmp(a->id, b->id);
}

void
coverage_sort(cJSON *coverages, const struct date *today)
{
	int n = cJSON_GetArraySize(coverages);
	struct sort_key *keys;
	char now[ISO_DATE_LEN + 1];

	if (n < 2)
		return;
	today_iso(today, now);
	keys = xcalloc((size_t)n, sizeof *keys);
	for (int i = 0; i < n; i++) {
		struct sort_key *k = &keys[i];

		k->item = cJSON_DetachItemFromArray(coverages, 0);
		k->order = order_of(k->item);
		period_day(k->item, "start", k->start);
		k->id = fhir_get_string(k->item, "id");
		if (k->id == NULL)
			k->id = "";
		if (coverage_in_force(k->item, today))
			k->rank = 0;
		else if (same(fhir_get_string(k->item, "status"), "active") &&
		         strcmp(k->start, now) > 0)
			k->rank = 1;
		else
			k->rank = 2;
	}
	qsort(keys, (size_t)n, sizeof *keys, key_compare);
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(coverages, keys[i].item);
	free(keys);
}

/* "active", or what the dates make of it: "expired", "future". */
static const char *
status_shown(const cJSON *c, const struct date *today)
{
	const char *status = fhir_get_string(c, "status");
	char start[ISO_DATE_LEN + 1], end[ISO_DATE_LEN + 1], now[ISO_DATE_LEN + 1];

	if (status == NULL)
		return "?";
	if (!same(status, "active"))
		return status;
	today_iso(today, now);
	period_day(c, "start", start);
	period_day(c, "end", end);
	if (*end != '\0' && strcmp(end, now) < 0)
		return "expired";
	if (*start != '\0' && strcmp(start, now) > 0)
		return "future";
	return status;
}

const cJSON *
coverage_find(const cJSON *coverages, const char *id)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, coverages)
	{
		if (same(fhir_get_string(c, "id"), id))
			return c;
	}
	return NULL;
}

const cJSON *
coverage_find_request(const cJSON *coverages, const char *request_id)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, coverages)
	{
		if (fhir_carries_request(c, request_id))
			return c;
	}
	return NULL;
}

void
coverage_put(cJSON *coverages, cJSON *resource)
{
	const char *id = fhir_get_string(resource, "id");
	int i = 0;
	cJSON *c;

	cJSON_ArrayForEach(c, coverages)
	{
		if (same(fhir_get_string(c, "id"), id)) {
			cJSON_ReplaceItemInArray(coverages, i, resource);
			return;
		}
		i++;
	}
	cJSON_AddItemToArray(coverages, resource);
}

long long
coverage_next_order(const cJSON *coverages, const struct date *today)
{
	long long max = 0;
	const cJSON *c;

	cJSON_ArrayForEach(c, coverages)
	{
		if (coverage_in_force(c, today) && order_of(c) > max)
			max = order_of(c);
	}
	return max < COVERAGE_ORDER_MAX ? max + 1 : COVERAGE_ORDER_MAX;
}

/* Set the period's start or end; one written as the same day (a dateTime, say) stays as it was. */
static void
set_period_end(cJSON *period, const char *which, bool has, const struct date *d)
{
	char iso[DATE_BUF_SIZE], old[ISO_DATE_LEN + 1] = "";
	const char *was = fhir_get_string(period, which);

	if (!has) {
		cJSON_DeleteItemFromObjectCaseSensitive(period, which);
		return;
	}
	date_format_iso(d, iso, sizeof iso);
	if (was != NULL && strlen(was) >= ISO_DATE_LEN)
		snprintf(old, sizeof old, "%.*s", ISO_DATE_LEN, was);
	if (strcmp(old, iso) != 0)
		fhir_set_string(period, which, iso);
}

static void
apply_member(cJSON *c, const struct coverage_input *in, bool payer_changed, bool is_new)
{
	const char *old = member_id(c);
	char *was = old != NULL ? xstrdup(old) : NULL;
	cJSON *id, *ids;
	bool any = false;

	fhir_set_string(c, "subscriberId", in->member);
	ids = cJSON_GetObjectItemCaseSensitive(c, "identifier");
	if (!cJSON_IsArray(ids))
		ids = NULL;
	cJSON_ArrayForEach(id, ids)
	{
		if (!fhir_has_code(fhir_get_object(id, "type"), "MB"))
			continue;
		any = true;
		if (was == NULL || same(fhir_get_string(id, "value"), was))
			fhir_set_string(id, "value", in->member);
		/* The system names the old payer's number space; it is not the new payer's. */
		if (payer_changed)
			cJSON_DeleteItemFromObjectCaseSensitive(id, "system");
	}
	if (!any && is_new) {
		cJSON *mb = cJSON_CreateObject();

		if (!cJSON_IsArray(ids))
			ids = cJSON_AddArrayToObject(c, "identifier");
		cJSON_AddItemToObject(mb, "type", fhir_codeable(CS_V2_0203, "MB", "Member Number"));
		cJSON_AddStringToObject(mb, "value", in->member);
		cJSON_AddItemToArray(ids, mb);
	}
	free(was);
}

static void
apply_group(cJSON *c, const struct coverage_input *in)
{
	cJSON *group = group_class(c), *classes;
	bool want = in->group != NULL && *in->group != '\0';

	if (group != NULL && !want) {
		cJSON_DetachItemViaPointer(cJSON_GetObjectItemCaseSensitive(c, "class"), group);
		cJSON_Delete(group);
		classes = cJSON_GetObjectItemCaseSensitive(c, "class");
		if (cJSON_GetArraySize(classes) == 0)
			cJSON_DeleteItemFromObjectCaseSensitive(c, "class");
		return;
	}
	if (!want)
		return;
	if (group != NULL) {
		if (!same(fhir_get_string(group, "value"), in->group)) {
			fhir_set_string(group, "value", in->group);
			/* The old group's name would now describe another group. */
			cJSON_DeleteItemFromObjectCaseSensitive(group, "name");
		}
		return;
	}
	classes = cJSON_GetObjectItemCaseSensitive(c, "class");
	if (!cJSON_IsArray(classes)) {
		cJSON_DeleteItemFromObjectCaseSensitive(c, "class");
		classes = cJSON_AddArrayToObject(c, "class");
	}
	group = cJSON_CreateObject();
	cJSON_AddItemToObject(group, "type", fhir_codeable(CS_COVERAGE_CLASS, "group", NULL));
	cJSON_AddStringToObject(group, "value", in->group);
	cJSON_AddItemToArray(classes, group);
}

static void
apply_relationship(cJSON *c, const struct coverage_input *in, const char *patient_ref)
{
	const char *old = fhir_first_code(fhir_get_object(c, "relationship"));
	const cJSON *subscriber = fhir_get_object(c, "subscriber");

	if (in->relationship == NULL) {
		cJSON_DeleteItemFromObjectCaseSensitive(c, "relationship");
		return;
	}
	if (!same(old, in->relationship))
		fhir_set_item(c, "relationship", fhir_codeable(CS_RELATIONSHIP, in->relationship, NULL));
	if (strcmp(in->relationship, "self") == 0) {
		/* The patient's own policy: the patient is the subscriber. */
		if (!same(fhir_get_string(subscriber, "reference"), patient_ref)) {
			cJSON *ref = cJSON_CreateObject();

			cJSON_AddStringToObject(ref, "reference", patient_ref);
			fhir_set_item(c, "subscriber", ref);
		}
	} else if (same(fhir_get_string(subscriber, "reference"), patient_ref)) {
		/* No longer the patient's own; who the subscriber is, the form does not know. */
		cJSON_DeleteItemFromObjectCaseSensitive(c, "subscriber");
	}
}

cJSON *
coverage_apply(const cJSON *base, const struct coverage_input *in, const char *patient_id,
    const char *request_id)
{
	cJSON *c, *period;
	char *patient_ref = xasprintf("Patient/%s", patient_id);
	bool payer_changed = false;

	if (base != NULL) {
		c = cJSON_Duplicate(base, true);
	} else {
		cJSON *ref;

		c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "resourceType", "Coverage");
		fhir_add_request_id(c, request_id);
		cJSON_AddStringToObject(c, "status", "active");
		ref = cJSON_AddObjectToObject(c, "beneficiary");
		cJSON_AddStringToObject(ref, "reference", patient_ref);
	}
	if (!same(payer_reference(c), in->payer_reference)) {
		cJSON *payors = cJSON_CreateArray(), *p = cJSON_CreateObject();

		payer_changed = base != NULL;
		cJSON_AddStringToObject(p, "reference", in->payer_reference);
		if (in->payer_name != NULL)
			cJSON_AddStringToObject(p, "display", in->payer_name);
		cJSON_AddItemToArray(payors, p);
		fhir_set_item(c, "payor", payors);
	}
	apply_member(c, in, payer_changed, base == NULL);
	apply_group(c, in);
	apply_relationship(c, in, patient_ref);
	if (in->has_start || in->has_end) {
		period = cJSON_GetObjectItemCaseSensitive(c, "period");
		if (!cJSON_IsObject(period)) {
			period = cJSON_CreateObject();
			fhir_set_item(c, "period", period);
		}
		set_period_end(period, "start", in->has_start, &in->start);
		set_period_end(period, "end", in->has_end, &in->end);
	} else {
		cJSON_DeleteItemFromObjectCaseSensitive(c, "period");
	}
	if (in->order > 0) {
		if (order_of(c) != in->order)
			fhir_set_item(c, "order", cJSON_CreateNumber((double)in->order));
	} else {
		cJSON_DeleteItemFromObjectCaseSensitive(c, "order");
	}
	free(patient_ref);
	return c;
}

bool
coverage_same(const cJSON *a, const cJSON *b)
{
	cJSON *x = cJSON_Duplicate(a, true), *y = cJSON_Duplicate(b, true);
	bool eq;

	cJSON_DeleteItemFromObjectCaseSensitive(x, "meta");
	cJSON_DeleteItemFromObjectCaseSensitive(y, "meta");
	eq = cJSON_Compare(x, y, true);
	cJSON_Delete(x);
	cJSON_Delete(y);
	return eq;
}

char *
coverage_request_id(void)
{
	char buf[UUID_BUF_SIZE];

	uuid_v4(buf);
	return xstrdup(buf);
}

/* --- the order ------------------------------------------------------------------------ */

static cJSON *
with_order(const cJSON *c, long long order)
{
	cJSON *copy = cJSON_Duplicate(c, true);

	if (order > 0)
		fhir_set_item(copy, "order", cJSON_CreateNumber((double)order));
	else
		cJSON_DeleteItemFromObjectCaseSensitive(copy, "order");
	return copy;
}

size_t
coverage_order_moves(
    const cJSON *coverages, const cJSON *saved, const cJSON *base, cJSON **out, size_t max)
{
	long long want = order_of(saved), was = order_of(base);
	const char *id = fhir_get_string(saved, "id");
	const cJSON *c;
	bool taken = false;
	size_t n = 0;

	if (want == 0 || (base != NULL && was == want) ||
	    !same(fhir_get_string(saved, "status"), "active"))
		return 0;
	/* Only coverages that run at the same time compete: an expired plan keeps its order. */
	cJSON_ArrayForEach(c, coverages)
	{
		if (!same(fhir_get_string(c, "id"), id) &&
		    same(fhir_get_string(c, "status"), "active") && periods_overlap(c, saved) &&
		    order_of(c) == want)
			taken = true;
	}
	if (!taken)
		return 0;
	cJSON_ArrayForEach(c, coverages)
	{
		long long o = order_of(c), to;

		if (same(fhir_get_string(c, "id"), id) ||
		    !same(fhir_get_string(c, "status"), "active") || !periods_overlap(c, saved) ||
		    o == 0)
			continue;
		if (was > 0)
			to = o == want ? was : 0; /* a swap */
		else
			to = o >= want ? o + 1 : 0; /* a new one goes before */
		if (to == 0)
			continue;
		if (n < max)
			out[n] = with_order(c, to);
		n++;
	}
	return n;
}

struct fhir_plan *
coverage_plan(const cJSON *coverages, const cJSON *saved, const cJSON *base,
    const char *request_id, cJSON *const *moved, size_t n)
{
	struct fhir_plan *p = fhir_plan_new();
	int ok;

	if (coverage_id(saved) == NULL) {
		struct fhir_search *s = fhir_request_search("Coverage", request_id);

		ok = fhir_plan_create(p, saved, s);
		fhir_search_free(&s);
	} else {
		ok = fhir_plan_update(p, saved, fhir_version_of(saved), base);
	}
	/* Every update is guarded, or the plan is not made at all. */
	for (size_t i = 0; ok >= 0 && i < n; i++)
		ok = fhir_plan_update(
		    p, moved[i], fhir_version_of(moved[i]), coverage_find(coverages, coverage_id(moved[i])));
	if (ok < 0)
		fhir_plan_free(&p);
	return p;
}

cJSON *
coverage_transaction(const struct fhir_client *fc, const cJSON *saved, const char *request_id,
    cJSON *const *moved, size_t n)
{
	struct fhir_plan *p = coverage_plan(NULL, saved, NULL, request_id, moved, n);
	cJSON *bundle = p != NULL ? fhir_plan_transaction(p, fc) : NULL;

	fhir_plan_free(&p);
	return bundle;
}

int
coverage_saved(const cJSON *response, cJSON **out, size_t max)
{
	const cJSON *e;
	int n = 0;

	cJSON_ArrayForEach(e, fhir_get_array(response, "entry"))
	{
		const cJSON *r = fhir_get_object(e, "resource");

		if (!same(fhir_get_string(r, "resourceType"), "Coverage") ||
		    !fhir_valid_id(coverage_id(r))) {
			for (int i = 0; i < n && (size_t)i < max; i++)
				cJSON_Delete(out[i]);
			return -1;
		}
		if ((size_t)n < max)
			out[n] = cJSON_Duplicate(r, true);
		n++;
	}
	if (n == 0)
		return -1;
	return n;
}
