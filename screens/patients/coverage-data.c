/* The insurance screen's data side: Coverage and payer answers to rows and form texts, and back. */
#include "config.h"

#include "screens/patients/patients.h"
#include "fhir/plan.h"
#include "util/uuid.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CS_COVERAGE_CLASS "http://terminology.hl7.org/CodeSystem/coverage-class"
#define CS_RELATIONSHIP "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
#define CS_V2_0203 "http://terminology.hl7.org/CodeSystem/v2-0203"
#define CS_ORG_TYPE "http://terminology.hl7.org/CodeSystem/organization-type"
/* Bytes of an ISO date, "2026-03-01": what the period is compared and shown by. */
#define ISO_DATE_LEN 10
/* Orders beyond this are a typing slip, not a ninth insurer. */
#define COVERAGE_ORDER_MAX 9

// clang-format off
const struct ui_list_column coverage_columns[COV_COL_COUNT] = {
	[COV_COL_ORDER]    = { "Ord", 3, 0 },
	[COV_COL_STATUS]   = { "Status", 7, 0 },
	[COV_COL_PAYER]    = { "Payer", 0, 1 },
	[COV_COL_MEMBER]   = { "Member ID", 13, 0 },
	[COV_COL_GROUP]    = { "Group", 9, 0 },
	[COV_COL_RELATION] = { "Relation", 8, 0 },
	[COV_COL_PERIOD]   = { "Period", 21, 0 },
};

/* R4 subscriber-relationship (http://hl7.org/fhir/R4/valueset-subscriber-relationship.html). */
static const struct field_code relationships[] = {
	{ "self", "Self" },
	{ "spouse", "Spouse" },
	{ "child", "Child" },
	{ "parent", "Parent" },
	{ "common", "Common law spouse" },
	{ "injured", "Injured party" },
	{ "other", "Other" },
};

const struct field_def coverage_fields[COV_F_COUNT] = {
	[COV_F_PAYER]    = { .label = "Payer", .type = FIELD_CODE, .required = true },
	[COV_F_MEMBER]   = { .label = "Member ID", .type = FIELD_TEXT, .required = true, .max_chars = 40 },
	[COV_F_GROUP]    = { .label = "Group", .type = FIELD_TEXT, .max_chars = 40 },
	[COV_F_RELATION] = { .label = "Relation to subscriber", .type = FIELD_CODE,
			     .codes = relationships,
			     .ncodes = sizeof relationships / sizeof relationships[0] },
	[COV_F_START]    = { .label = "Covered from", .type = FIELD_DATE },
	[COV_F_END]      = { .label = "Covered until", .type = FIELD_DATE },
	[COV_F_ORDER]    = { .label = "Order (1 primary)", .type = FIELD_INTEGER,
			     .min = 1, .max = COVERAGE_ORDER_MAX },
};
// clang-format on

/* --- small FHIR helpers --------------------------------------------------------------- */

static bool
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* Set NAME of OBJ to ITEM (taken), replacing what was there. */
static void
set_item(cJSON *obj, const char *name, cJSON *item)
{
	if (cJSON_GetObjectItemCaseSensitive(obj, name) != NULL)
		cJSON_ReplaceItemInObjectCaseSensitive(obj, name, item);
	else
		cJSON_AddItemToObject(obj, name, item);
}

static void
set_string(cJSON *obj, const char *name, const char *value)
{
	set_item(obj, name, cJSON_CreateString(value));
}

/* The first code of a CodeableConcept, whatever its system; NULL when none. */
static const char *
first_code(const cJSON *concept)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, fhir_get_array(concept, "coding"))
	{
		const char *code = fhir_get_string(c, "code");

		if (code != NULL)
			return code;
	}
	return NULL;
}

static bool
has_code(const cJSON *concept, const char *code)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, fhir_get_array(concept, "coding"))
	{
		if (same(fhir_get_string(c, "code"), code))
			return true;
	}
	return false;
}

static cJSON *
codeable(const char *system, const char *code, const char *display)
{
	cJSON *cc = cJSON_CreateObject(), *codings = cJSON_AddArrayToObject(cc, "coding");
	cJSON *c = cJSON_CreateObject();

	cJSON_AddStringToObject(c, "system", system);
	cJSON_AddStringToObject(c, "code", code);
	if (display != NULL)
		cJSON_AddStringToObject(c, "display", display);
	cJSON_AddItemToArray(codings, c);
	return cc;
}

/* The class entry of type "group", borrowed, or NULL. */
static cJSON *
group_class(const cJSON *coverage)
{
	cJSON *c;

	cJSON_ArrayForEach(c, fhir_get_array(coverage, "class"))
	{
		if (has_code(fhir_get_object(c, "type"), "group"))
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
		if (has_code(fhir_get_object(id, "type"), "MB") &&
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

/* A strict "YYYY-MM-DD": FHIR's own form, not a clerk's. */
static bool
iso_date(const char *s, struct date *out)
{
	char tail;

	if (s == NULL || strlen(s) < ISO_DATE_LEN)
		return false;
	if (sscanf(s, "%4d-%2d-%2d%c", &out->year, &out->month, &out->day, &tail) < 3)
		return false;
	return s[4] == '-' && s[7] == '-' && date_valid(out);
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

/* --- payers --------------------------------------------------------------------------- */

static bool
display_taken(const struct coverage_payers *p, const char *display)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->codes[i].display, display) == 0)
			return true;
	return false;
}

void
coverage_payers_add(struct coverage_payers *p, const char *reference, const char *name)
{
	struct field_code *c;
	char *display;

	if (reference == NULL || *reference == '\0')
		return;
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->codes[i].code, reference) == 0)
			return;
	if (name == NULL || *name == '\0')
		name = reference;
	/* Two payers of one name would make the name ambiguous in the form: add the id. */
	display = display_taken(p, name) ? xasprintf("%s (%s)", name, reference) : xstrdup(name);
	p->codes = xreallocarray(p->codes, p->n + 1, sizeof *p->codes);
	c = &p->codes[p->n++];
	c->code = xstrdup(reference);
	c->display = display;
}

void
coverage_payers_copy(struct coverage_payers *to, const struct coverage_payers *from)
{
	memset(to, 0, sizeof *to);
	for (size_t i = 0; i < from->n; i++) {
		to->codes = xreallocarray(to->codes, to->n + 1, sizeof *to->codes);
		to->codes[to->n].code = xstrdup(from->codes[i].code);
		to->codes[to->n].display = xstrdup(from->codes[i].display);
		to->n++;
	}
}

void
coverage_payers_free(struct coverage_payers *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free((char *)p->codes[i].code);
		free((char *)p->codes[i].display);
	}
	free(p->codes);
	memset(p, 0, sizeof *p);
}

static const char *
payers_name(const struct coverage_payers *p, const char *reference)
{
	for (size_t i = 0; p != NULL && reference != NULL && i < p->n; i++)
		if (strcmp(p->codes[i].code, reference) == 0)
			return p->codes[i].display;
	return NULL;
}

/* The payer as the list shows it: the payer list's name, the Coverage's display, the reference. */
static const char *
payer_shown(const cJSON *coverage, const struct coverage_payers *payers)
{
	const cJSON *payor = cJSON_GetArrayItem(fhir_get_array(coverage, "payor"), 0);
	const char *name = payers_name(payers, fhir_get_string(payor, "reference"));

	if (name == NULL)
		name = fhir_get_string(payor, "display");
	if (name == NULL)
		name = fhir_get_string(payor, "reference");
	return name != NULL ? name : "-";
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

/* Why a batch entry failed, as a sentence; the caller frees it. */
static char *
entry_failure(const cJSON *entry, const char *what)
{
	const cJSON *resp = fhir_get_object(entry, "response");
	const char *status = fhir_get_string(resp, "status");
	char *said = fhir_outcome_sentence(fhir_get_object(resp, "outcome"));
	char *cause;

	if (said == NULL)
		said = fhir_outcome_sentence(fhir_get_object(entry, "resource"));
	cause = xasprintf("%s could not be read (%s)%s%s", what, status ? status : "no answer",
	    said ? ": " : "", said ? said : "");
	free(said);
	return cause;
}

static bool
entry_ok(const cJSON *entry)
{
	const char *status = fhir_get_string(fhir_get_object(entry, "response"), "status");

	return status != NULL && strncmp(status, "200", 3) == 0 &&
	       same(fhir_get_string(fhir_get_object(entry, "resource"), "resourceType"), "Bundle");
}

void
coverage_loaded_free(struct coverage_loaded *l)
{
	patient_opened_clear(&l->opened);
	cJSON_Delete(l->coverages);
	coverage_payers_free(&l->payers);
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
		*cause = entry_failure(covs, "the coverages");
		coverage_loaded_free(out);
		return -1;
	}
	out->coverages =
	    coverage_take(fhir_get_object(covs, "resource"), patient_id, today, &out->total);
	/* Without payers the list still shows; only adding and changing the payer wait. */
	if (!entry_ok(orgs)) {
		out->payers_failed = entry_failure(orgs, "the payer list");
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
		ref = xasprintf("Organization/%s", id);
		coverage_payers_add(&out->payers, ref, fhir_get_string(org, "name"));
		free(ref);
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
	const cJSON *entry, *t = cJSON_IsObject(searchset)
	                             ? cJSON_GetObjectItemCaseSensitive(searchset, "total")
	                             : NULL;

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
		cJSON_AddItemToArray(list, cJSON_Duplicate(c, true));
	}
	*total = cJSON_IsNumber(t) ? (long)t->valuedouble : cJSON_GetArraySize(list);
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

/* --- rows ----------------------------------------------------------------------------- */

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

/* One end of the period as clerks read it (03/01/2026), or as written when it is not a date. */
static void
day_shown(const cJSON *c, const char *which, char *buf, size_t size)
{
	const char *s = fhir_get_string(fhir_get_object(c, "period"), which);
	struct date d;

	if (s == NULL)
		*buf = '\0';
	else if (iso_date(s, &d))
		date_format_display(&d, buf, size);
	else
		snprintf(buf, size, "%.12s", s);
}

struct ui_list_page *
coverage_page(
    const cJSON *coverages, const struct coverage_payers *payers, const struct date *today)
{
	struct ui_list_page *pg = ui_list_page_new(COV_COL_COUNT);
	const cJSON *c;

	cJSON_ArrayForEach(c, coverages)
	{
		const char *cells[COV_COL_COUNT];
		char order[24], start[DATE_BUF_SIZE], end[DATE_BUF_SIZE],
		    period[2 * DATE_BUF_SIZE + 2];
		const cJSON *group = group_class(c);
		const char *g = fhir_get_string(group, "value");

		if (order_of(c) > 0)
			snprintf(order, sizeof order, "%lld", order_of(c));
		else
			snprintf(order, sizeof order, "-");
		day_shown(c, "start", start, sizeof start);
		day_shown(c, "end", end, sizeof end);
		if (*start == '\0' && *end == '\0')
			snprintf(period, sizeof period, "-");
		else
			snprintf(period, sizeof period, "%s-%s", start, end);
		cells[COV_COL_ORDER] = order;
		cells[COV_COL_STATUS] = status_shown(c, today);
		cells[COV_COL_PAYER] = payer_shown(c, payers);
		cells[COV_COL_MEMBER] = member_id(c) != NULL ? member_id(c) : "-";
		cells[COV_COL_GROUP] = g != NULL ? g : fhir_get_string(group, "name");
		cells[COV_COL_RELATION] = first_code(fhir_get_object(c, "relationship"));
		cells[COV_COL_PERIOD] = period;
		ui_list_page_add(pg, fhir_get_string(c, "id"), cells);
	}
	return pg;
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
	const cJSON *c, *id;

	cJSON_ArrayForEach(c, coverages)
	{
		cJSON_ArrayForEach(id, fhir_get_array(c, "identifier"))
		{
			if (same(fhir_get_string(id, "system"), COVERAGE_REQUEST_SYSTEM) &&
			    same(fhir_get_string(id, "value"), request_id))
				return c;
		}
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

char *
coverage_describe(const cJSON *coverage, const struct coverage_payers *payers)
{
	long long order = order_of(coverage);
	const char *payer = payer_shown(coverage, payers);

	if (strcmp(payer, "-") == 0)
		payer = "(no payer)";
	if (order > 0)
		return xasprintf("%s, order %lld", payer, order);
	return xstrdup(payer);
}

/* --- the form ------------------------------------------------------------------------- */

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

void
coverage_form_texts(const cJSON *c, long long next_order, char *texts[COV_F_COUNT])
{
	const cJSON *group = group_class(c);
	char start[ISO_DATE_LEN + 1], end[ISO_DATE_LEN + 1];
	const char *s;

	if (c == NULL) {
		for (size_t i = 0; i < COV_F_COUNT; i++)
			texts[i] = xstrdup("");
		free(texts[COV_F_RELATION]);
		texts[COV_F_RELATION] = xstrdup("self");
		free(texts[COV_F_ORDER]);
		texts[COV_F_ORDER] = xasprintf("%lld", next_order);
		return;
	}
	s = payer_reference(c);
	texts[COV_F_PAYER] = xstrdup(s != NULL ? s : "");
	s = member_id(c);
	texts[COV_F_MEMBER] = xstrdup(s != NULL ? s : "");
	s = fhir_get_string(group, "value");
	texts[COV_F_GROUP] = xstrdup(s != NULL ? s : "");
	s = first_code(fhir_get_object(c, "relationship"));
	texts[COV_F_RELATION] = xstrdup(s != NULL ? s : "");
	/* A dateTime shows as its day; a partial date ("2026") as written, to be finished. */
	period_day(c, "start", start);
	period_day(c, "end", end);
	s = fhir_get_string(fhir_get_object(c, "period"), "start");
	texts[COV_F_START] = xstrdup(*start ? start : s != NULL ? s : "");
	s = fhir_get_string(fhir_get_object(c, "period"), "end");
	texts[COV_F_END] = xstrdup(*end ? end : s != NULL ? s : "");
	texts[COV_F_ORDER] = order_of(c) > 0 ? xasprintf("%lld", order_of(c)) : xstrdup("");
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
		set_string(period, which, iso);
}

static void
apply_member(cJSON *c, const struct coverage_input *in, bool payer_changed, bool is_new)
{
	const char *old = member_id(c);
	char *was = old != NULL ? xstrdup(old) : NULL;
	cJSON *id, *ids;
	bool any = false;

	set_string(c, "subscriberId", in->member);
	ids = cJSON_GetObjectItemCaseSensitive(c, "identifier");
	if (!cJSON_IsArray(ids))
		ids = NULL;
	cJSON_ArrayForEach(id, ids)
	{
		if (!has_code(fhir_get_object(id, "type"), "MB"))
			continue;
		any = true;
		if (was == NULL || same(fhir_get_string(id, "value"), was))
			set_string(id, "value", in->member);
		/* The system names the old payer's number space; it is not the new payer's. */
		if (payer_changed)
			cJSON_DeleteItemFromObjectCaseSensitive(id, "system");
	}
	if (!any && is_new) {
		cJSON *mb = cJSON_CreateObject();

		if (!cJSON_IsArray(ids))
			ids = cJSON_AddArrayToObject(c, "identifier");
		cJSON_AddItemToObject(mb, "type", codeable(CS_V2_0203, "MB", "Member Number"));
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
			set_string(group, "value", in->group);
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
	cJSON_AddItemToObject(group, "type", codeable(CS_COVERAGE_CLASS, "group", NULL));
	cJSON_AddStringToObject(group, "value", in->group);
	cJSON_AddItemToArray(classes, group);
}

static void
apply_relationship(cJSON *c, const struct coverage_input *in, const char *patient_ref)
{
	const char *old = first_code(fhir_get_object(c, "relationship"));
	const cJSON *subscriber = fhir_get_object(c, "subscriber");

	if (in->relationship == NULL) {
		cJSON_DeleteItemFromObjectCaseSensitive(c, "relationship");
		return;
	}
	if (!same(old, in->relationship))
		set_item(c, "relationship", codeable(CS_RELATIONSHIP, in->relationship, NULL));
	if (strcmp(in->relationship, "self") == 0) {
		/* The patient's own policy: the patient is the subscriber. */
		if (!same(fhir_get_string(subscriber, "reference"), patient_ref)) {
			cJSON *ref = cJSON_CreateObject();

			cJSON_AddStringToObject(ref, "reference", patient_ref);
			set_item(c, "subscriber", ref);
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
		cJSON *ids, *id, *ref;

		c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "resourceType", "Coverage");
		ids = cJSON_AddArrayToObject(c, "identifier");
		id = cJSON_CreateObject();
		cJSON_AddStringToObject(id, "system", COVERAGE_REQUEST_SYSTEM);
		cJSON_AddStringToObject(id, "value", request_id != NULL ? request_id : "");
		cJSON_AddItemToArray(ids, id);
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
		set_item(c, "payor", payors);
	}
	apply_member(c, in, payer_changed, base == NULL);
	apply_group(c, in);
	apply_relationship(c, in, patient_ref);
	if (in->has_start || in->has_end) {
		period = cJSON_GetObjectItemCaseSensitive(c, "period");
		if (!cJSON_IsObject(period)) {
			period = cJSON_CreateObject();
			set_item(c, "period", period);
		}
		set_period_end(period, "start", in->has_start, &in->start);
		set_period_end(period, "end", in->has_end, &in->end);
	} else {
		cJSON_DeleteItemFromObjectCaseSensitive(c, "period");
	}
	if (in->order > 0) {
		if (order_of(c) != in->order)
			set_item(c, "order", cJSON_CreateNumber((double)in->order));
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
		set_item(copy, "order", cJSON_CreateNumber((double)order));
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

static const char *
version_of(const cJSON *c)
{
	return fhir_get_string(fhir_get_object(c, "meta"), "versionId");
}

cJSON *
coverage_transaction(const struct fhir_client *fc, const cJSON *saved, const char *request_id,
    cJSON *const *moved, size_t n)
{
	struct fhir_plan *p = fhir_plan_new();
	cJSON *bundle = NULL;
	int ok;

	if (fhir_get_string(saved, "id") == NULL) {
		struct fhir_search *s = fhir_search_new("Coverage");
		char *value = xasprintf("%s|%s", COVERAGE_REQUEST_SYSTEM, request_id);

		fhir_search_add(s, "identifier", value);
		ok = fhir_plan_create(p, saved, s);
		free(value);
		fhir_search_free(&s);
	} else {
		ok = fhir_plan_update(p, saved, version_of(saved), NULL);
	}
	/* Every update is guarded, or the transaction is not built at all. */
	for (size_t i = 0; ok >= 0 && i < n; i++)
		ok = fhir_plan_update(p, moved[i], version_of(moved[i]), NULL);
	if (ok >= 0)
		bundle = fhir_plan_transaction(p, fc);
	fhir_plan_free(&p);
	return bundle;
}
