/* Lab results by panel and date, and one analyte's values over time: JSON in, typed rows out. */
#include "config.h"

#include "fhir/labs.h"
#include "util/xmalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOINC "http://loinc.org"

/* Entries of one answer looked at, whatever the server sends: a full page and its results. */
#define LABS_ENTRIES_MAX (LABS_PAGE_REPORTS * (LABS_REPORT_RESULTS_MAX + 1) + 200)

#define REPORT_ELEMENTS "subject,code,status,effective,issued,result,category"
/* The included results come back with the report's _elements on some servers: both lists. */
#define RESULT_ELEMENTS "subject,code,status,value,interpretation,referenceRange,effective"

/* --- small readers ------------------------------------------------------------------- */

/* The start of effective[x]: the dateTime, else the period's start; NULL when none. */
static const char *
effective_of(const cJSON *r)
{
	const char *s = fhir_get_string(r, "effectiveDateTime");

	return s != NULL ? s : fhir_get_string(fhir_get_object(r, "effectivePeriod"), "start");
}

/* True when S may go into a date search and be compared as text: an instant or a date. */
static bool
searchable_date(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	return n >= 10 && n < 40 && strspn(s, "0123456789-:T.Z+") == n && s[4] == '-' && s[7] == '-';
}

/* "2024-03-01" when S starts with a real calendar date, else false. */
static bool
day_of(const char *s, char out[11])
{
	int y, m, d;

	if (s == NULL || strlen(s) < 10 || strspn(s, "0123456789") != 4 || s[4] != '-' || s[7] != '-' ||
	    strspn(s + 5, "0123456789") != 2 || strspn(s + 8, "0123456789") != 2)
		return false;
	if (sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	memcpy(out, s, 10);
	out[10] = '\0';
	return true;
}

/* A part of a token: printable ASCII with none of the characters a search list gives meaning. */
static bool
token_part(const char *s, size_t max)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f || strchr("|,\\$", s[i]) != NULL)
			return false;
	return true;
}

/* The analyte of CONCEPT as "system|code": its LOINC coding first, else its first usable one. */
static char *
code_token(const cJSON *concept)
{
	const cJSON *c, *best = NULL;
	int k = 0;

	cJSON_ArrayForEach(c, fhir_get_array(concept, "coding"))
	{
		const char *sys = fhir_get_string(c, "system"), *code = fhir_get_string(c, "code");

		if (k++ >= 16)
			break;
		if (!token_part(sys, 200) || !token_part(code, 64))
			continue;
		if (strcmp(sys, LOINC) == 0) {
			best = c;
			break;
		}
		if (best == NULL)
			best = c;
	}
	if (best == NULL)
		return xstrdup("");
	return xasprintf("%s|%s", fhir_get_string(best, "system"), fhir_get_string(best, "code"));
}

/* True when CONCEPT has a coding of TOKEN's system and code (TOKEN as code_token makes it). */
static bool
has_token(const cJSON *concept, const char *token)
{
	const char *bar = strchr(token, '|');
	const cJSON *c;
	int k = 0;

	if (bar == NULL)
		return false;
	cJSON_ArrayForEach(c, fhir_get_array(concept, "coding"))
	{
		const char *sys = fhir_get_string(c, "system"), *code = fhir_get_string(c, "code");

		if (k++ >= 16)
			break;
		if (sys != NULL && code != NULL && strlen(sys) == (size_t)(bar - token) &&
		    strncmp(sys, token, (size_t)(bar - token)) == 0 && strcmp(code, bar + 1) == 0)
			return true;
	}
	return false;
}

static bool
subject_is(const cJSON *r, const char *id)
{
	return fhir_refers_to(fhir_get_string(fhir_get_object(r, "subject"), "reference"), "Patient", id);
}

static bool
is_type(const cJSON *r, const char *type)
{
	const char *t = fhir_get_string(r, "resourceType");

	return t != NULL && strcmp(t, type) == 0;
}

/* --- the page ------------------------------------------------------------------------ */

static struct fhir_search *
page_search(const char *type, const char *id, const char *before, const char *elements, const char *count)
{
	struct fhir_search *s = fhir_search_new(type);

	fhir_search_add(s, "patient", id);
	if (before != NULL && strlen(before) > 2 && searchable_date(before + 2))
		fhir_search_add(s, "date", before);
	fhir_search_add(s, "_sort", "-date");
	fhir_search_add(s, "_count", count);
	fhir_search_add(s, "_elements", elements);
	return s;
}

cJSON *
labs_page_batch(const struct fhir_client *fc, const char *id, const char *before)
{
	cJSON *entries, *batch = fhir_batch_new(&entries);
	char count[16];
	struct fhir_search *s;

	snprintf(count, sizeof count, "%d", LABS_PAGE_REPORTS);
	s = page_search("DiagnosticReport", id, before, REPORT_ELEMENTS "," RESULT_ELEMENTS, count);
	fhir_search_add(s, "_include", "DiagnosticReport:result");
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	snprintf(count, sizeof count, "%d", LABS_PAGE_RESULTS);
	s = page_search("Observation", id, before, RESULT_ELEMENTS, count);
	fhir_search_add(s, "category", "laboratory");
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	return batch;
}

static void
row_clear(struct labs_row *r)
{
	free(r->item.what);
	free(r->item.value);
	free(r->item.date);
	free(r->item.flag);
	free(r->item.detail);
	free(r->item.status);
	free(r->item.id);
	free(r->code);
}

void
labs_page_clear(struct labs_page *p)
{
	for (size_t i = 0; i < p->n; i++)
		row_clear(&p->rows[i]);
	free(p->rows);
	free(p->failure);
	free(p->next);
	memset(p, 0, sizeof *p);
}

static void
refuse(struct labs_page *p, enum chart_pane_state state, char *failure)
{
	labs_page_clear(p);
	p->state = state;
	p->failure = failure;
}

/* A resource of the answer, with its date as compared (the effective instant, "" when none). */
struct dated {
	const cJSON *r;
	const char *when;
	size_t order;
};

static int
newest_first(const void *a, const void *b)
{
	const struct dated *x = a, *y = b;
	int c = strcmp(y->when, x->when);

	return c != 0 ? c : (x->order > y->order) - (x->order < y->order);
}

static int
by_id(const void *a, const void *b)
{
	const struct dated *x = a, *y = b;

	return strcmp(x->when, y->when);
}

/* The included result whose id is ID (INCLUDED sorted by id in .when), or NULL. */
static const cJSON *
included(const struct dated *v, size_t n, const char *id)
{
	struct dated key = { NULL, id, 0 };
	const struct dated *d = id != NULL ? bsearch(&key, v, n, sizeof *v, by_id) : NULL;

	return d != NULL ? d->r : NULL;
}

/* The id a result reference names: "Observation/ID", an absolute URL, a version. NULL otherwise. */
static char *
result_id(const char *ref)
{
	const char *at;
	char *id, *h;

	if (ref == NULL || (at = strstr(ref, "Observation/")) == NULL)
		return NULL;
	id = xstrdup(at + strlen("Observation/"));
	if ((h = strchr(id, '/')) != NULL)
		*h = '\0';
	if (!fhir_valid_id(id)) {
		free(id);
		return NULL;
	}
	return id;
}

static struct labs_row *
push_row(struct labs_page *p, enum labs_kind kind)
{
	struct labs_row *r;

	p->rows = xreallocarray(p->rows, p->n + 1, sizeof *p->rows);
	r = &p->rows[p->n++];
	memset(r, 0, sizeof *r);
	r->kind = kind;
	return r;
}

/* O as a row of KIND, read as the panes read a lab result; nothing when O is not to be shown. */
static void
push_result(struct labs_page *p, const cJSON *o, enum labs_kind kind)
{
	struct chart_list one = { 0 };
	struct labs_row *r;

	chart_lab_push(o, &one);
	if (one.n == 1) {
		r = push_row(p, kind);
		r->item = one.items[0];
		r->code = code_token(fhir_get_object(o, "code"));
		one.n = 0;
	}
	chart_list_clear(&one);
}

static void
push_panel(struct labs_page *p, const struct dated *report, const struct dated *inc, size_t ninc)
{
	const cJSON *d = report->r, *ref;
	const char *name = chart_concept_text(fhir_get_object(d, "code"));
	struct labs_row *r = push_row(p, LABS_PANEL);
	size_t shown = 0;
	char day[11];

	r->item.what = xstrdup(name != NULL ? name : "(unnamed report)");
	r->item.date = xstrdup(day_of(report->when, day) ? day : "");
	r->item.status = xstrdup(fhir_get_string(d, "status") ? fhir_get_string(d, "status") : "");
	/* A report with no id still shows; it just has no details to open. */
	r->item.id = xstrdup(fhir_get_string(d, "id") ? fhir_get_string(d, "id") : "");
	r->item.value = xstrdup("");
	r->item.flag = xstrdup("");
	r->item.detail = xstrdup("");
	r->code = xstrdup("");
	cJSON_ArrayForEach(ref, fhir_get_array(d, "result"))
	{
		char *id;
		const cJSON *o;

		if (shown >= LABS_REPORT_RESULTS_MAX) {
			p->left_out++;
			continue;
		}
		id = result_id(fhir_get_string(ref, "reference"));
		o = included(inc, ninc, id);
		free(id);
		if (o == NULL) {
			p->left_out++;
			continue;
		}
		push_result(p, o, LABS_RESULT);
		shown++;
	}
}

void
labs_page_read(const cJSON *response, const char *id, struct labs_page *out)
{
	const cJSON *entries = fhir_get_array(response, "entry");
	const cJSON *reports_entry = cJSON_GetArrayItem(entries, 0);
	const cJSON *results_entry = cJSON_GetArrayItem(entries, 1);
	const cJSON *reports_set = fhir_get_object(reports_entry, "resource");
	const cJSON *results_set = fhir_get_object(results_entry, "resource");
	struct dated *reports = NULL, *inc = NULL, *singles = NULL;
	size_t nr = 0, ninc = 0, ns = 0, seen = 0, r = 0, s = 0;
	const char *floor_at = NULL;
	bool more_reports, more_results, progress = false;
	const cJSON *e;

	memset(out, 0, sizeof *out);
	out->state = CHART_PANE_NOT_LOADED;
	if (reports_entry == NULL || !fhir_entry_ok(reports_entry)) {
		out->failure = reports_entry != NULL ? fhir_entry_failure(reports_entry, "the lab reports")
						     : xstrdup("the lab reports are not in the server's answer");
		return;
	}
	if (results_entry == NULL || !fhir_entry_ok(results_entry)) {
		out->failure = results_entry != NULL ? fhir_entry_failure(results_entry, "the lab results")
						     : xstrdup("the lab results are not in the server's answer");
		return;
	}
	reports = xcalloc(LABS_PAGE_REPORTS, sizeof *reports);
	inc = xcalloc(LABS_ENTRIES_MAX, sizeof *inc);
	singles = xcalloc(LABS_PAGE_RESULTS, sizeof *singles);
	/* The reports and the results they include; bounded whatever the server sends. */
	cJSON_ArrayForEach(e, fhir_get_array(reports_set, "entry"))
	{
		const cJSON *res = fhir_get_object(e, "resource");
		const char *rid = fhir_get_string(res, "id");

		if (seen++ >= LABS_ENTRIES_MAX)
			break;
		if (is_type(res, "DiagnosticReport")) {
			if (!subject_is(res, id))
				goto other_patient;
			/* More reports than asked for: the page ends at the oldest one kept. */
			if (nr < LABS_PAGE_REPORTS) {
				const char *when = effective_of(res);

				reports[nr] = (struct dated){ res, searchable_date(when) ? when : "", nr };
				nr++;
			}
		} else if (is_type(res, "Observation") && rid != NULL) {
			if (!subject_is(res, id))
				goto other_patient;
			inc[ninc] = (struct dated){ res, rid, ninc };
			ninc++;
		}
	}
	seen = 0;
	cJSON_ArrayForEach(e, fhir_get_array(results_set, "entry"))
	{
		const cJSON *res = fhir_get_object(e, "resource");

		if (!is_type(res, "Observation"))
			continue;
		if (!subject_is(res, id))
			goto other_patient;
		if (ns < LABS_PAGE_RESULTS) {
			const char *when = effective_of(res);

			singles[ns] = (struct dated){ res, searchable_date(when) ? when : "", ns };
			ns++;
		}
		if (++seen >= LABS_ENTRIES_MAX)
			break;
	}
	qsort(reports, nr, sizeof *reports, newest_first);
	qsort(singles, ns, sizeof *singles, newest_first);
	qsort(inc, ninc, sizeof *inc, by_id);
	/*
	 * Where the page ends: a search that may have more is whole only down to its oldest
	 * row; the page shows what is newer than the later of those, the next page the rest
	 * (le: rows of that very instant come next time, whole).
	 */
	more_reports = nr == LABS_PAGE_REPORTS || fhir_bundle_link(reports_set, "next") != NULL;
	more_results = ns == LABS_PAGE_RESULTS || fhir_bundle_link(results_set, "next") != NULL;
	if (more_reports && nr > 0)
		floor_at = reports[nr - 1].when;
	if (more_results && ns > 0 && (floor_at == NULL || strcmp(singles[ns - 1].when, floor_at) > 0))
		floor_at = singles[ns - 1].when;
	if (floor_at != NULL && *floor_at == '\0')
		floor_at = NULL; /* undated rows: nothing to page by, so this page is the last */
	for (size_t i = 0; floor_at != NULL && i < nr; i++)
		progress = progress || strcmp(reports[i].when, floor_at) > 0;
	for (size_t i = 0; floor_at != NULL && i < ns; i++)
		progress = progress || strcmp(singles[i].when, floor_at) > 0;
	/* Rows newest first, a report before the results of the same instant. */
	while (r < nr || s < ns) {
		bool take_report = s >= ns || (r < nr && strcmp(reports[r].when, singles[s].when) >= 0);
		const struct dated *d = take_report ? &reports[r++] : &singles[s++];

		if (floor_at != NULL && (progress ? strcmp(d->when, floor_at) <= 0 : strcmp(d->when, floor_at) < 0))
			continue;
		if (take_report)
			push_panel(out, d, inc, ninc);
		else if (included(inc, ninc, fhir_get_string(d->r, "id")) == NULL)
			push_result(out, d->r, LABS_SINGLE);
	}
	/* A page of one instant only shows all of it; the next starts before that instant. */
	if (floor_at != NULL)
		out->next = xasprintf("%s%s", progress ? "le" : "lt", floor_at);
	out->state = CHART_PANE_LOADED;
	free(reports);
	free(inc);
	free(singles);
	return;
other_patient:
	free(reports);
	free(inc);
	free(singles);
	refuse(out, CHART_PANE_REFUSED, xstrdup("the server answered with another patient's data: not shown"));
}

/* --- one analyte over time ----------------------------------------------------------- */

struct fhir_search *
labs_trend_search(const char *id, const char *code)
{
	struct fhir_search *s;
	const char *bar = code != NULL ? strchr(code, '|') : NULL;
	char count[16];

	if (bar == NULL || bar == code || !token_part(bar + 1, 64) || strlen(code) > 266)
		return NULL;
	for (const char *c = code; c < bar; c++)
		if (*c <= ' ' || *c >= 0x7f || strchr("|,\\$", *c) != NULL)
			return NULL;
	snprintf(count, sizeof count, "%d", LABS_TREND_MAX);
	s = fhir_search_new("Observation");
	fhir_search_add(s, "patient", id);
	fhir_search_add(s, "code", code);
	/* The newest values when there are more than a trend draws; the reader puts them in order. */
	fhir_search_add(s, "_sort", "-date");
	fhir_search_add(s, "_count", count);
	fhir_search_add(s, "_elements", RESULT_ELEMENTS);
	return s;
}

void
labs_trend_clear(struct labs_trend *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].label);
		free(t->v[i].date);
		free(t->v[i].flag);
		free(t->v[i].range);
	}
	free(t->v);
	free(t->name);
	free(t->unit);
	free(t->failure);
	memset(t, 0, sizeof *t);
	t->total = -1;
}

/* A value read, before the unit is known: the resource and its sort key. */
struct taken {
	const cJSON *o;
	const char *when;
	size_t order;
};

static int
oldest_first(const void *a, const void *b)
{
	const struct taken *x = a, *y = b;
	int c = strcmp(x->when, y->when);

	/* The server sent newest first: of one instant, the later in its answer is the older. */
	return c != 0 ? c : (x->order < y->order) - (x->order > y->order);
}

static const char *
unit_of(const cJSON *q)
{
	const char *u = fhir_get_string(q, "unit");

	return u != NULL ? u : fhir_get_string(q, "code") != NULL ? fhir_get_string(q, "code") : "";
}

void
labs_trend_read(const cJSON *searchset, const char *id, const char *code, struct labs_trend *out)
{
	struct taken *v = xcalloc(LABS_TREND_MAX, sizeof *v);
	size_t n = 0, seen = 0;
	const cJSON *e, *newest;
	const char *unit;

	memset(out, 0, sizeof *out);
	out->total = fhir_bundle_total(searchset);
	cJSON_ArrayForEach(e, fhir_get_array(searchset, "entry"))
	{
		const cJSON *o = fhir_get_object(e, "resource");
		const cJSON *num = cJSON_GetObjectItemCaseSensitive(fhir_get_object(o, "valueQuantity"), "value");
		const char *status = fhir_get_string(o, "status");
		char day[11];

		if (!is_type(o, "Observation"))
			continue;
		if (!subject_is(o, id)) {
			free(v);
			labs_trend_clear(out);
			out->state = CHART_PANE_REFUSED;
			out->failure = xstrdup("the server answered with another patient's data: not shown");
			return;
		}
		if (seen++ >= LABS_ENTRIES_MAX)
			break;
		if (n >= LABS_TREND_MAX) {
			out->unusable++;
			continue;
		}
		if (code == NULL || !has_token(fhir_get_object(o, "code"), code) || !cJSON_IsNumber(num) ||
		    !isfinite(num->valuedouble) || fabs(num->valuedouble) >= 1e12 ||
		    !day_of(effective_of(o), day) ||
		    (status != NULL && (strcmp(status, "entered-in-error") == 0 || strcmp(status, "cancelled") == 0))) {
			out->unusable++;
			continue;
		}
		v[n] = (struct taken){ o, effective_of(o), n };
		n++;
	}
	out->state = CHART_PANE_LOADED;
	if (n == 0) {
		free(v);
		out->name = xstrdup("");
		out->unit = xstrdup("");
		return;
	}
	qsort(v, n, sizeof *v, oldest_first);
	newest = v[n - 1].o;
	unit = unit_of(fhir_get_object(newest, "valueQuantity"));
	out->name = xstrdup(chart_concept_text(fhir_get_object(newest, "code")) != NULL
			       ? chart_concept_text(fhir_get_object(newest, "code"))
			       : "(unnamed test)");
	out->unit = xstrdup(unit);
	out->v = xcalloc(n, sizeof *out->v);
	for (size_t i = 0; i < n; i++) {
		const cJSON *q = fhir_get_object(v[i].o, "valueQuantity");
		struct chart_list one = { 0 };
		struct labs_value *lv;
		char label[48], day[11];

		/* Values of two units on one axis would lie: only the newest value's unit is drawn. */
		if (strcmp(unit_of(q), unit) != 0) {
			out->other_units++;
			continue;
		}
		chart_lab_push(v[i].o, &one);
		lv = &out->v[out->n++];
		lv->value = cJSON_GetObjectItemCaseSensitive(q, "value")->valuedouble;
		chart_quantity(lv->value, NULL, true, label, sizeof label);
		lv->label = xstrdup(label);
		lv->date = xstrdup(day_of(v[i].when, day) ? day : "");
		lv->flag = xstrdup(one.n == 1 ? one.items[0].flag : "");
		lv->range = xstrdup(one.n == 1 ? one.items[0].detail : "");
		chart_list_clear(&one);
	}
	free(v);
}
