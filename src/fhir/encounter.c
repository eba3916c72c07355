/* Charting, reading: a patient's visits and one visit's diagnoses, vital signs and notes. */
#include "config.h"

#include "fhir/encounter.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows of each section of one visit: a visit has a handful. */
#define VISIT_COUNT "50"

struct fhir_search *
encounter_search(const char *id, long count)
{
	struct fhir_search *s = fhir_search_new("Encounter");
	char n[24];

	snprintf(n, sizeof n, "%ld", count < 1 ? 1 : count > 200 ? 200 : count);
	fhir_search_add(s, "patient", id);
	fhir_search_add(s, "_sort", "-date");
	fhir_search_add(s, "_count", n);
	fhir_search_add(s, "_elements", "subject,status,class,type,serviceType,period,participant,reasonCode");
	/* The practitioners come with their visits: names from their records, not the displays. */
	fhir_search_add(s, "_include", "Encounter:practitioner");
	return s;
}

static char *
dup_or_empty(const char *s)
{
	return xstrdup(s != NULL ? s : "");
}

/* CONCEPT's words: its text, else its first coding's display, else its first code. */
static const char *
concept_words(const cJSON *concept)
{
	const char *s = fhir_get_string(concept, "text");
	const cJSON *c;

	if (s != NULL && *s != '\0')
		return s;
	cJSON_ArrayForEach(c, fhir_get_array(concept, "coding"))
	{
		if ((s = fhir_get_string(c, "display")) != NULL && *s != '\0')
			return s;
	}
	return fhir_first_code(concept);
}

/* "2020-10-01 05:26" from a FHIR dateTime; partial dates stay as written. */
static char *
when_text(const char *s)
{
	size_t n = 0;

	if (s == NULL)
		return xstrdup("");
	while (s[n] != '\0' && s[n] != 'T' && n < 10)
		n++;
	if (s[n] == 'T' && strlen(s + n) >= 6)
		return xasprintf("%.*s %.5s", (int)n, s, s + n + 1);
	return xstrndup(s, n);
}

/* The Practitioners of the page, sorted by id, for a join in n log n. */
struct named {
	const char *id;
	char *name;
};

static int
named_cmp(const void *a, const void *b)
{
	return strcmp(((const struct named *)a)->id, ((const struct named *)b)->id);
}

char *
encounter_practitioner_name(const cJSON *p)
{
	const cJSON *name = cJSON_GetArrayItem(fhir_get_array(p, "name"), 0), *x;
	size_t len = 0, cap = 256;
	char *out;
	int k = 0;
	const char *parts[12];
	size_t np = 0;

	if (name == NULL)
		return NULL;
	if (fhir_get_string(name, "text") != NULL)
		return xstrdup(fhir_get_string(name, "text"));
	cJSON_ArrayForEach(x, fhir_get_array(name, "prefix"))
	{
		if (k++ < 3 && cJSON_IsString(x) && np < 12)
			parts[np++] = x->valuestring;
	}
	k = 0;
	cJSON_ArrayForEach(x, fhir_get_array(name, "given"))
	{
		if (k++ < 4 && cJSON_IsString(x) && np < 12)
			parts[np++] = x->valuestring;
	}
	if (fhir_get_string(name, "family") != NULL)
		parts[np++] = fhir_get_string(name, "family");
	if (np == 0)
		return NULL;
	for (size_t i = 0; i < np; i++)
		cap += strlen(parts[i]) + 1;
	out = xmalloc(cap);
	out[0] = '\0';
	for (size_t i = 0; i < np; i++) {
		size_t l = strlen(parts[i]);

		if (len > 0)
			out[len++] = ' ';
		memcpy(out + len, parts[i], l);
		len += l;
		out[len] = '\0';
	}
	return out;
}

/* The visit's practitioner: the primary performer, else the first Practitioner named. */
static const cJSON *
visit_practitioner(const cJSON *e)
{
	const cJSON *p, *first = NULL;
	int k = 0;

	cJSON_ArrayForEach(p, fhir_get_array(e, "participant"))
	{
		const cJSON *who = fhir_get_object(p, "individual");
		const char *ref = fhir_get_string(who, "reference");
		const cJSON *t;

		if (k++ >= 20)
			break;
		if (ref == NULL || strncmp(ref, "Practitioner/", 13) != 0) {
			if (ref == NULL && fhir_get_string(who, "display") != NULL && first == NULL)
				first = who;
			continue;
		}
		cJSON_ArrayForEach(t, fhir_get_array(p, "type"))
		{
			if (fhir_has_code(t, "PPRF"))
				return who;
		}
		if (first == NULL || fhir_get_string(first, "reference") == NULL)
			first = who;
	}
	return first;
}

static void
read_row(const cJSON *e, const struct named *people, size_t npeople, struct encounter_row *r)
{
	const cJSON *who = visit_practitioner(e);
	const char *ref = fhir_get_string(who, "reference"), *display = fhir_get_string(who, "display");
	const char *type = concept_words(cJSON_GetArrayItem(fhir_get_array(e, "type"), 0));
	const char *reason = concept_words(cJSON_GetArrayItem(fhir_get_array(e, "reasonCode"), 0));
	const struct named *found = NULL;

	if (type == NULL)
		type = concept_words(fhir_get_object(e, "serviceType"));
	if (type == NULL)
		type = fhir_get_string(fhir_get_object(e, "class"), "display");
	r->id = dup_or_empty(fhir_id_of(e));
	r->date = when_text(fhir_get_string(fhir_get_object(e, "period"), "start"));
	r->type = dup_or_empty(type != NULL ? type : "Visit");
	r->reason = dup_or_empty(reason);
	r->status = dup_or_empty(fhir_get_string(e, "status"));
	if (ref != NULL && npeople > 0) {
		struct named key = { .id = ref + 13 };

		found = bsearch(&key, people, npeople, sizeof *people, named_cmp);
	}
	r->provider_checked = found != NULL;
	if (found != NULL)
		r->provider = xstrdup(found->name);
	else if (display != NULL)
		r->provider = xasprintf("%s (name not checked)", display);
	else
		r->provider = xstrdup("");
}

void
encounter_page_clear(struct encounter_page *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct encounter_row *r = &p->rows[i];

		free(r->id);
		free(r->date);
		free(r->type);
		free(r->provider);
		free(r->reason);
		free(r->status);
	}
	free(p->rows);
	memset(p, 0, sizeof *p);
}

int
encounter_page_read(const cJSON *searchset, const char *id, struct encounter_page *out,
    char **cause)
{
	const char *rt = fhir_get_string(searchset, "resourceType");
	cJSON *visits, *practitioners;
	struct named *people;
	size_t npeople = 0;
	const cJSON *x;

	memset(out, 0, sizeof *out);
	*cause = NULL;
	if (rt == NULL || strcmp(rt, "Bundle") != 0) {
		*cause = xstrdup("the answer is not a search result");
		return -1;
	}
	visits = fhir_bundle_take(searchset, "Encounter", ENCOUNTER_PAGE_MAX, NULL);
	cJSON_ArrayForEach(x, visits)
	{
		/* Another patient's visit: nothing of this answer is trusted for this one. */
		if (!fhir_refers_to(fhir_get_string(fhir_get_object(x, "subject"), "reference"), "Patient", id)) {
			*cause = xstrdup("the server answered with another patient's data: not shown");
			cJSON_Delete(visits);
			return -1;
		}
	}
	practitioners = fhir_bundle_take(searchset, "Practitioner", ENCOUNTER_PRACTITIONERS_MAX, NULL);
	people = xcalloc((size_t)cJSON_GetArraySize(practitioners) + 1, sizeof *people);
	cJSON_ArrayForEach(x, practitioners)
	{
		char *name = encounter_practitioner_name(x);

		if (name == NULL)
			continue;
		people[npeople].id = fhir_id_of(x);
		people[npeople++].name = name;
	}
	if (npeople > 1)
		qsort(people, npeople, sizeof *people, named_cmp);
	out->rows = xcalloc((size_t)cJSON_GetArraySize(visits) + 1, sizeof *out->rows);
	cJSON_ArrayForEach(x, visits)
	{
		const char *status = fhir_get_string(x, "status");

		if (status != NULL && strcmp(status, "entered-in-error") == 0)
			continue;
		read_row(x, people, npeople, &out->rows[out->n++]);
	}
	for (size_t i = 0; i < npeople; i++)
		free(people[i].name);
	free(people);
	cJSON_Delete(practitioners);
	cJSON_Delete(visits);
	return 0;
}

/* --- one visit ---------------------------------------------------------------------------- */

static void
add_search(cJSON *entries, const struct fhir_client *fc, const char *type, const char *id,
    const char *encounter, const char *elements, const char *category)
{
	struct fhir_search *s = fhir_search_new(type);
	char *ref = xasprintf("Encounter/%s", encounter);

	fhir_search_add(s, "patient", id);
	fhir_search_add(s, "encounter", ref);
	if (category != NULL)
		fhir_search_add(s, "category", category);
	fhir_search_add(s, "_elements", elements);
	fhir_search_add(s, "_count", VISIT_COUNT);
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	free(ref);
}

cJSON *
encounter_visit_batch(const struct fhir_client *fc, const char *id, const char *encounter)
{
	cJSON *entries, *batch = fhir_batch_new(&entries);

	add_search(entries, fc, "Condition", id, encounter,
	    "subject,code,clinicalStatus,verificationStatus,onset,recordedDate", NULL);
	add_search(entries, fc, "Observation", id, encounter, "subject,code,status,value,component,effective",
	    "vital-signs");
	add_search(entries, fc, "DocumentReference", id, encounter,
	    "subject,type,status,docStatus,date,author,description", NULL);
	return batch;
}

static void
line(struct chart_detail **d, size_t *n, const char *label, char *value)
{
	if (*n >= CHART_DETAILS_MAX) {
		free(value);
		return;
	}
	*d = xreallocarray(*d, *n + 1, sizeof **d);
	(*d)[*n].label = xstrdup(label);
	(*d)[*n].value = value;
	(*n)++;
}

int
encounter_visit_read(const cJSON *response, const char *id, struct chart_detail **out, size_t *n,
    char **cause)
{
	static const struct {
		enum chart_pane pane;
		const char *label, *none, *what;
	} sections[] = {
		{ CHART_PROBLEMS, "Diagnosis", "none recorded at this visit", "the diagnoses" },
		{ CHART_VITALS, "Vital sign", "none recorded at this visit", "the vital signs" },
		{ CHART_NOTES, "Note", "none written for this visit", "the notes" },
	};
	const cJSON *entries = fhir_get_array(response, "entry");
	const char *rt = fhir_get_string(response, "resourceType");

	*out = NULL;
	*n = 0;
	*cause = NULL;
	if (rt == NULL || strcmp(rt, "Bundle") != 0 || cJSON_GetArraySize(entries) < 3) {
		*cause = xstrdup("the server's answer is not the visit's");
		return -1;
	}
	for (size_t s = 0; s < sizeof sections / sizeof sections[0]; s++) {
		const cJSON *entry = cJSON_GetArrayItem(entries, (int)s);
		struct chart_list l;

		if (!fhir_entry_ok(entry)) {
			line(out, n, sections[s].label, fhir_entry_failure(entry, sections[s].what));
			continue;
		}
		chart_page_read(sections[s].pane, fhir_get_object(entry, "resource"), id, &l);
		if (l.state != CHART_PANE_LOADED) {
			line(out, n, sections[s].label, xstrdup(l.failure != NULL ? l.failure : "not read"));
		} else if (l.n == 0) {
			line(out, n, sections[s].label, xstrdup(sections[s].none));
		}
		for (size_t i = 0; l.state == CHART_PANE_LOADED && i < l.n; i++) {
			const struct chart_item *it = &l.items[i];

			switch (sections[s].pane) {
			case CHART_PROBLEMS:
				line(out, n, sections[s].label, xasprintf("%s%s%s%s", it->what,
				    *it->value ? " (" : "", it->value, *it->value ? ")" : ""));
				break;
			case CHART_VITALS:
				line(out, n, sections[s].label, xasprintf("%-7s %s", it->what, it->value));
				break;
			default:
				line(out, n, sections[s].label, xasprintf("%s, %s%s%s%s%s", it->what,
				    *it->status ? it->status : "no status", *it->value ? ", " : "", it->value,
				    *it->detail ? ": " : "", it->detail));
				break;
			}
		}
		chart_list_clear(&l);
	}
	return 0;
}
