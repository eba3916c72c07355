/* Scheduling in FHIR terms: a day's Slots and Appointments as rows, and the plans that change them. */
#include "config.h"

#include "fhir/schedule.h"
#include "util/xmalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define ENCOUNTER_CLASS_SYSTEM "http://terminology.hl7.org/CodeSystem/v3-ActCode"
#define PHYSICAL_TYPE_SYSTEM "http://terminology.hl7.org/CodeSystem/location-physical-type"
#define CANCEL_REASON_SYSTEM "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason"
#define APPT_TYPE_SYSTEM "http://terminology.hl7.org/CodeSystem/v2-0276"

/* --- time ------------------------------------------------------------------------ */

static bool
digits(const char *s, size_t n, int *out)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* TEXT as an instant: seconds since the epoch and the nanoseconds of its fraction. */
static int
instant_epoch(const char *text, time_t *at, long *nanos)
{
	struct date_time dt = { 0 };
	int oh = 0, om = 0, sign = 0;
	const char *p;
	struct tm tm = { 0 };

	if (text == NULL || strlen(text) < 20 || !digits(text, 4, &dt.date.year) || text[4] != '-' ||
	    !digits(text + 5, 2, &dt.date.month) || text[7] != '-' ||
	    !digits(text + 8, 2, &dt.date.day) || text[10] != 'T' || !digits(text + 11, 2, &dt.hour) ||
	    text[13] != ':' || !digits(text + 14, 2, &dt.minute) || text[16] != ':' ||
	    !digits(text + 17, 2, &dt.second))
		return -1;
	p = text + 19;
	*nanos = 0;
	if (*p == '.') {
		long scale = 100000000;

		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		for (; isdigit((unsigned char)*p); p++, scale /= 10)
			*nanos += (*p - '0') * scale;
	}
	if (*p == 'Z' && p[1] == '\0') {
		sign = 1;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && digits(p + 1, 2, &oh) &&
		   p[3] == ':' && digits(p + 4, 2, &om) && oh <= 14 && om < 60) {
		sign = *p == '+' ? 1 : -1;
	} else {
		return -1;
	}
	if (!date_time_valid(&dt))
		return -1;
	tm.tm_year = dt.date.year - 1900;
	tm.tm_mon = dt.date.month - 1;
	tm.tm_mday = dt.date.day;
	tm.tm_hour = dt.hour;
	tm.tm_min = dt.minute;
	tm.tm_sec = dt.second;
	*at = timegm(&tm) - (time_t)sign * (oh * 3600 + om * 60);
	return 0;
}

int
sched_instant_parse(const char *text, struct date_time *local)
{
	struct tm lt;
	time_t t;
	long nanos;

	if (instant_epoch(text, &t, &nanos) != 0 || localtime_r(&t, &lt) == NULL)
		return -1;
	local->date.year = lt.tm_year + 1900;
	local->date.month = lt.tm_mon + 1;
	local->date.day = lt.tm_mday;
	local->hour = lt.tm_hour;
	local->minute = lt.tm_min;
	local->second = lt.tm_sec;
	return date_time_valid(local) ? 0 : -1;
}

bool
sched_updated_newest(const char *text, time_t now, char *newest, size_t size)
{
	time_t t, was;
	long nt, nw;

	if (text == NULL || strlen(text) >= size || instant_epoch(text, &t, &nt) != 0 ||
	    t > now + SCHED_UPDATED_SKEW_S)
		return false;
	/* Nothing kept yet, or what is kept is no instant: this one is the newest. */
	if (instant_epoch(newest, &was, &nw) == 0 && (t < was || (t == was && nt <= nw)))
		return false;
	memcpy(newest, text, strlen(text) + 1);
	return true;
}

void
sched_day_start(const struct date *day, char *buf, size_t size)
{
	struct date_time dt = { .date = *day };

	date_time_format_fhir(&dt, date_time_local_offset(&dt), buf, size);
}

static void
next_day(const struct date *d, struct date *out)
{
	*out = *d;
	if (++out->day > date_days_in_month(out->year, out->month)) {
		out->day = 1;
		if (++out->month > 12) {
			out->month = 1;
			out->year++;
		}
	}
}

static void
now_fhir(const struct date_time *now, char *buf, size_t size)
{
	date_time_format_fhir(now, date_time_local_offset(now), buf, size);
}

long
sched_minutes(const struct date_time *a, const struct date_time *b)
{
	return date_diff_days(&a->date, &b->date) * 1440L + (b->hour - a->hour) * 60L +
	    (b->minute - a->minute);
}

/* --- owners ---------------------------------------------------------------------- */

struct fhir_search *
sched_owners_search(void)
{
	struct fhir_search *s = fhir_search_new("Schedule");
	char count[16];

	snprintf(count, sizeof count, "%d", SCHED_SCHEDULES_MAX);
	fhir_search_add(s, "active", "true");
	fhir_search_add(s, "_count", count);
	return s;
}

static bool
starts(const char *s, const char *prefix)
{
	return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* NULL sorts first. */
static int
strcmp_null(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int
owner_cmp(const void *a, const void *b)
{
	const struct sched_owner *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c == 0)
		c = strcmp_null(x->place, y->place);
	if (c == 0)
		c = strcmp_null(x->service, y->service);
	return c != 0 ? c : strcmp(x->schedule, y->schedule);
}

/* The text of the first CodeableConcept in ARRAY: its text, else its first coding's display. */
static const char *
concept_text(const cJSON *array)
{
	const cJSON *c = cJSON_GetArrayItem(array, 0);
	const char *text = fhir_get_string(c, "text");

	if (text == NULL || *text == '\0')
		text = fhir_get_string(cJSON_GetArrayItem(fhir_get_array(c, "coding"), 0), "display");
	return text != NULL && *text != '\0' ? text : NULL;
}

/*
 * Where the locations' displays differ: the start every one shares up to a ", " taken
 * off ("Sandbox Family Clinic, "), when there are two or more and each keeps a rest.
 * Linear in the owners.
 */
static void
owners_places(struct sched_owners *out)
{
	const char *first = NULL;
	size_t common = 0, cut = 0;
	bool several = false;

	for (size_t i = 0; i < out->n; i++) {
		const char *l = out->v[i].location_name;
		size_t k = 0;

		if (l == NULL)
			continue;
		if (first == NULL) {
			first = l;
			common = strlen(l);
			continue;
		}
		while (k < common && l[k] == first[k])
			k++;
		several = several || k != common || l[k] != '\0';
		common = k;
	}
	/* Back to the last ", " inside the shared start. */
	for (size_t k = 0; several && k + 1 < common; k++)
		if (first[k] == ',' && first[k + 1] == ' ')
			cut = k + 2;
	for (size_t i = 0; i < out->n; i++) {
		const char *l = out->v[i].location_name;

		if (l != NULL)
			out->v[i].place = xstrdup(strlen(l) > cut ? l + cut : l);
	}
}

static bool
same_place(const struct sched_owner *a, const struct sched_owner *b)
{
	return strcmp(a->name, b->name) == 0 && strcmp_null(a->place, b->place) == 0;
}

/* The label and the title of each owner, sorted: twins are neighbours. */
static void
owners_label(struct sched_owners *out)
{
	for (size_t i = 0; i < out->n; i++) {
		struct sched_owner *o = &out->v[i];
		const struct sched_owner *prev = i > 0 ? &out->v[i - 1] : NULL;
		const struct sched_owner *next = i + 1 < out->n ? &out->v[i + 1] : NULL;
		bool twin = (prev != NULL && same_place(o, prev)) || (next != NULL && same_place(o, next));
		bool triplet = twin && ((prev != NULL && same_place(o, prev) &&
		                            strcmp_null(o->service, prev->service) == 0) ||
		                           (next != NULL && same_place(o, next) &&
		                               strcmp_null(o->service, next->service) == 0));
		const char *id = strchr(o->schedule, '/') + 1;
		const char *detail;
		char *label;

		if (o->practitioner == NULL && o->place != NULL) {
			/* Named by its location: the place and what it is for. */
			label = o->service != NULL ? xasprintf("%s (%s)", o->place, o->service)
			                           : xstrdup(o->place);
			o->title = o->service != NULL ? xasprintf("%s, %s", o->location_name, o->service)
			                              : xstrdup(o->location_name);
		} else {
			/*
			 * The name alone where no one else has it: a label short enough that two
			 * show on the chooser's line, so a move there repaints colours, not text.
			 */
			bool namesake = (prev != NULL && strcmp(o->name, prev->name) == 0) ||
			    (next != NULL && strcmp(o->name, next->name) == 0);

			detail = twin && o->service != NULL ? o->service : namesake ? o->place : NULL;
			label = detail != NULL ? xasprintf("%s (%s)", o->name, detail) : xstrdup(o->name);
			o->title = xasprintf("%s%s%s%s%s", o->name, o->place ? ", " : "",
			    o->place ? o->place : "", twin && o->service ? ", " : "",
			    twin && o->service ? o->service : "");
		}
		o->where = xasprintf("%s%s%s", o->place ? o->place : "",
		    o->place && twin && o->service ? ", " : "", twin && o->service ? o->service : "");
		if (triplet) {
			/* Nothing else tells them apart: the schedule's id does. */
			o->label = xasprintf("%s #%s", label, id);
			free(label);
			label = xasprintf("%s #%s", o->title, id);
			free(o->title);
			o->title = label;
		} else {
			o->label = label;
		}
	}
}

void
sched_owners_read(const cJSON *searchset, struct sched_owners *out)
{
	const cJSON *e;

	memset(out, 0, sizeof *out);
	out->v = xcalloc(SCHED_SCHEDULES_MAX, sizeof *out->v);
	cJSON_ArrayForEach(e, fhir_get_array(searchset, "entry"))
	{
		const cJSON *r = fhir_get_object(e, "resource"), *actor;
		const char *id = fhir_get_string(r, "id"), *service;
		struct sched_owner *o;

		if (out->n == SCHED_SCHEDULES_MAX ||
		    !starts(fhir_get_string(r, "resourceType"), "Schedule") || !fhir_valid_id(id))
			continue;
		o = &out->v[out->n++];
		o->schedule = xasprintf("Schedule/%s", id);
		cJSON_ArrayForEach(actor, fhir_get_array(r, "actor"))
		{
			const char *ref = fhir_get_string(actor, "reference");
			const char *display = fhir_get_string(actor, "display");

			if (starts(ref, "Practitioner/") && o->practitioner == NULL) {
				o->practitioner = xstrdup(ref);
				if (display != NULL && o->name == NULL)
					o->name = xstrdup(display);
			} else if (starts(ref, "Location/") && o->location == NULL) {
				o->location = xstrdup(ref);
				if (display != NULL)
					o->location_name = xstrdup(display);
			} else if (o->name == NULL && display != NULL) {
				o->name = xstrdup(display);
			}
		}
		service = concept_text(fhir_get_array(r, "serviceType"));
		if (service == NULL)
			service = concept_text(fhir_get_array(r, "specialty"));
		o->service = service != NULL ? xstrdup(service) : NULL;
		/* A schedule of no person's is named by where it is, never by a long comment. */
		if (o->name == NULL)
			o->name = xstrdup(o->location_name != NULL ? o->location_name
			        : o->service != NULL ? o->service
			        : fhir_get_string(r, "comment") ? fhir_get_string(r, "comment")
			        : id);
	}
	owners_places(out);
	qsort(out->v, out->n, sizeof *out->v, owner_cmp);
	owners_label(out);
}

void
sched_owners_free(struct sched_owners *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->v[i].schedule);
		free(o->v[i].practitioner);
		free(o->v[i].location);
		free(o->v[i].name);
		free(o->v[i].location_name);
		free(o->v[i].place);
		free(o->v[i].service);
		free(o->v[i].label);
		free(o->v[i].where);
		free(o->v[i].title);
	}
	free(o->v);
	memset(o, 0, sizeof *o);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

void
sched_owners_copy(const struct sched_owners *from, struct sched_owners *to)
{
	to->n = from->n;
	to->v = xcalloc(from->n + 1, sizeof *to->v);
	for (size_t i = 0; i < from->n; i++) {
		to->v[i].schedule = dup_or_null(from->v[i].schedule);
		to->v[i].practitioner = dup_or_null(from->v[i].practitioner);
		to->v[i].location = dup_or_null(from->v[i].location);
		to->v[i].name = dup_or_null(from->v[i].name);
		to->v[i].location_name = dup_or_null(from->v[i].location_name);
		to->v[i].place = dup_or_null(from->v[i].place);
		to->v[i].service = dup_or_null(from->v[i].service);
		to->v[i].label = dup_or_null(from->v[i].label);
		to->v[i].where = dup_or_null(from->v[i].where);
		to->v[i].title = dup_or_null(from->v[i].title);
	}
}

/* --- the day ------------------------------------------------------------------------ */

void
sched_search_days(struct fhir_search *s, const char *param, const struct date *from, int days)
{
	char a[DATE_BUF_SIZE], b[DATE_BUF_SIZE], *ge, *lt;
	struct date to = *from;

	for (int i = 0; i < days; i++)
		next_day(&to, &to);
	sched_day_start(from, a, sizeof a);
	sched_day_start(&to, b, sizeof b);
	ge = xasprintf("ge%s", a);
	lt = xasprintf("lt%s", b);
	fhir_search_add(s, param, ge);
	fhir_search_add(s, param, lt);
	free(ge);
	free(lt);
}

void
sched_appt_includes(struct fhir_search *s)
{
	/* The patients come with their appointments: their names are read from them, in the
	 * same round trip, and a display in the appointment is never shown for them. */
	fhir_search_add(s, "_include", "Appointment:patient");
	fhir_search_add(s, "_revinclude", "Encounter:appointment");
}

cJSON *
sched_day_batch(const struct fhir_client *fc, const struct sched_owner *owner,
    const struct date *day)
{
	cJSON *entries, *batch = fhir_batch_new(&entries);
	struct fhir_search *s;
	char count[16];

	snprintf(count, sizeof count, "%d", SCHED_DAY_COUNT);
	s = fhir_search_new("Slot");
	fhir_search_add(s, "schedule", owner->schedule);
	sched_search_days(s, "start", day, 1);
	fhir_search_add(s, "_sort", "start");
	fhir_search_add(s, "_count", count);
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	s = fhir_search_new("Appointment");
	fhir_search_add(s, "actor", owner->practitioner ? owner->practitioner
						       : owner->location ? owner->location
									 : owner->schedule);
	sched_search_days(s, "date", day, 1);
	fhir_search_add(s, "_sort", "date");
	fhir_search_add(s, "_count", count);
	sched_appt_includes(s);
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	return batch;
}

/* The searchset of batch entry I, or NULL with *CAUSE. */
static const cJSON *
batch_searchset(const cJSON *response, int i, const char *what, char **cause)
{
	const cJSON *e = cJSON_GetArrayItem(fhir_get_array(response, "entry"), i);
	const cJSON *r = fhir_get_object(e, "resource");
	const char *status = fhir_get_string(fhir_get_object(e, "response"), "status");

	if (status != NULL && !starts(status, "200")) {
		char *said = fhir_outcome_sentence(r);

		*cause = xasprintf("the %s could not be read: %s%s%s", what, status, said ? ": " : "",
		    said ? said : "");
		free(said);
		return NULL;
	}
	if (!starts(fhir_get_string(r, "resourceType"), "Bundle")) {
		*cause = xasprintf("the server's answer has no %s", what);
		return NULL;
	}
	return r;
}

static long
bundle_total(const cJSON *b)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(b, "total");

	/* A count out of range is no count: casting it would be undefined. */
	return cJSON_IsNumber(t) && t->valuedouble >= 0 && t->valuedouble < 1e15 ? (long)t->valuedouble
										 : -1;
}

/*
 * Resources by what they refer to: one (id, resource) pair per reference of FIELD that
 * names TYPE ("Slot", "Appointment"), sorted once. A join through it costs n log n in all
 * the references, so an answer of hostile size cannot freeze the screen.
 */
struct ref_link {
	const char *id; /* what the reference names, after "TYPE/" */
	const cJSON *resource;
	size_t order; /* the resource's place in its array, then the reference's */
};
struct ref_index {
	struct ref_link *v;
	size_t n;
};

static int
ref_link_cmp(const void *a, const void *b)
{
	const struct ref_link *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c != 0 ? c : (x->order > y->order) - (x->order < y->order);
}

/* Index the RESOURCES (an array) that KEEP accepts (NULL: all) by their FIELD references. */
static void
ref_index_build(struct ref_index *ix, const cJSON *resources, const char *field, const char *type,
    bool (*keep)(const cJSON *))
{
	size_t cap = 0, len = strlen(type);
	const cJSON *r, *ref;

	ix->v = NULL;
	ix->n = 0;
	cJSON_ArrayForEach(r, resources)
	{
		if (keep != NULL && !keep(r))
			continue;
		cJSON_ArrayForEach(ref, fhir_get_array(r, field))
		{
			const char *s = fhir_get_string(ref, "reference");

			if (s == NULL || strncmp(s, type, len) != 0 || s[len] != '/')
				continue;
			if (ix->n == cap)
				ix->v = xreallocarray(ix->v, cap = cap * 2 + 16, sizeof *ix->v);
			ix->v[ix->n] = (struct ref_link){ s + len + 1, r, ix->n };
			ix->n++;
		}
	}
	if (ix->n > 0)
		qsort(ix->v, ix->n, sizeof *ix->v, ref_link_cmp);
}

/* The first of the links naming ID (the earliest resource), or NULL; the others follow it. */
static const struct ref_link *
ref_index_first(const struct ref_index *ix, const char *id)
{
	size_t lo = 0, hi = ix->n;

	if (id == NULL)
		return NULL;
	/* The lower bound: the first link whose id is not less than ID. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(ix->v[mid].id, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ix->n && strcmp(ix->v[lo].id, id) == 0 ? &ix->v[lo] : NULL;
}

static bool
ref_index_end(const struct ref_index *ix, const struct ref_link *l, const char *id)
{
	return l >= ix->v + ix->n || strcmp(l->id, id) != 0;
}

static bool
appt_active(const cJSON *appt)
{
	const char *s = fhir_get_string(appt, "status");

	return s == NULL || (strcmp(s, "cancelled") != 0 && strcmp(s, "entered-in-error") != 0);
}

static int
row_cmp(const void *a, const void *b)
{
	const struct sched_row *x = a, *y = b;
	int c = date_time_compare(&x->start, &y->start);

	/* Slots before the appointments squeezed in at the same time. */
	if (c == 0)
		c = (x->slot == NULL) - (y->slot == NULL);
	return c;
}

static void day_rows(struct sched_day *out);

int
sched_day_read(const cJSON *response, const struct date *day, struct sched_day *out,
    char **cause)
{
	const cJSON *slots_set, *appts_set;

	memset(out, 0, sizeof *out);
	out->date = *day;
	if ((slots_set = batch_searchset(response, 0, "slots", cause)) == NULL ||
	    (appts_set = batch_searchset(response, 1, "appointments", cause)) == NULL)
		return -1;
	/* Bounded whatever the server sends: the rows join slots, appointments and visits. */
	out->slots = fhir_bundle_take(slots_set, "Slot", SCHED_DAY_COUNT, NULL);
	out->appts = fhir_bundle_take(appts_set, "Appointment", SCHED_DAY_COUNT, NULL);
	out->encounters = fhir_bundle_take(appts_set, "Encounter", 2 * SCHED_DAY_COUNT, NULL);
	out->patients = fhir_bundle_take(appts_set, "Patient", 2 * SCHED_DAY_COUNT, NULL);
	out->slots_total = bundle_total(slots_set);
	out->appts_total = bundle_total(appts_set);
	day_rows(out);
	return 0;
}

static int
id_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Whether APPT refers to one of the N sorted slot IDS. */
static bool
in_slots(const cJSON *appt, const char **ids, size_t n)
{
	const cJSON *ref;

	cJSON_ArrayForEach(ref, fhir_get_array(appt, "slot"))
	{
		const char *s = fhir_get_string(ref, "reference");

		if (starts(s, "Slot/") && n > 0 && bsearch(&(const char *){ s + 5 }, ids, n, sizeof *ids, id_cmp))
			return true;
	}
	return false;
}

/*
 * The rows of D from its slots, appointments and encounters (built again after a change).
 * Joined through sorted indexes: linear (n log n) in every array and every reference.
 */
static void
day_rows(struct sched_day *out)
{
	struct ref_index by_slot, visits;
	const cJSON *slot, *appt;
	size_t cap, n = 0, nids = 0;
	const char **ids;

	ref_index_build(&by_slot, out->appts, "slot", "Slot", appt_active);
	ref_index_build(&visits, out->encounters, "appointment", "Appointment", NULL);
	free(out->rows);
	cap = (size_t)cJSON_GetArraySize(out->slots) + (size_t)cJSON_GetArraySize(out->appts) + 1;
	out->rows = xcalloc(cap, sizeof *out->rows);
	ids = xcalloc(cap, sizeof *ids);
	cJSON_ArrayForEach(slot, out->slots)
	{
		struct sched_row *r = &out->rows[n];
		const char *status = fhir_get_string(slot, "status");
		const char *id = fhir_id_of(slot);
		const struct ref_link *first, *l;

		if (id == NULL || sched_instant_parse(fhir_get_string(slot, "start"), &r->start) != 0 ||
		    sched_instant_parse(fhir_get_string(slot, "end"), &r->end) != 0 ||
		    status == NULL || strcmp(status, "entered-in-error") == 0)
			continue;
		r->slot = slot;
		r->marker = strcmp(status, "free") == 0		     ? SCHED_FREE
		    : strcmp(status, "busy-unavailable") == 0 ? SCHED_BLOCKED
		    : strcmp(status, "busy-tentative") == 0   ? SCHED_TENTATIVE
							      : SCHED_BOOKED;
		/* The active appointments in it, the first as read first; one that names the
		 * slot twice counts once (its references are next to each other in the index). */
		first = ref_index_first(&by_slot, id);
		for (l = first; l != NULL && !ref_index_end(&by_slot, l, id); l++) {
			if (l > first && l[-1].resource == l->resource)
				continue;
			if (r->appt == NULL)
				r->appt = l->resource;
			r->nappts++;
		}
		if (r->nappts > 1)
			r->marker = SCHED_OVERBOOKED;
		else if (r->nappts == 1 && r->marker == SCHED_FREE)
			r->marker = SCHED_BOOKED;
		ids[nids++] = id;
		n++;
	}
	qsort(ids, nids, sizeof *ids, id_cmp);
	/* Appointments in no slot of the day (walk-ins, overbooks) get rows of their own. */
	cJSON_ArrayForEach(appt, out->appts)
	{
		struct sched_row *r = &out->rows[n];

		if (!appt_active(appt) || in_slots(appt, ids, nids) ||
		    sched_instant_parse(fhir_get_string(appt, "start"), &r->start) != 0)
			continue;
		if (sched_instant_parse(fhir_get_string(appt, "end"), &r->end) != 0)
			r->end = r->start;
		r->appt = appt;
		r->nappts = 1;
		r->marker = SCHED_OVERBOOKED;
		n++;
	}
	qsort(out->rows, n, sizeof *out->rows, row_cmp);
	out->n = n;
	for (size_t i = 0; i < n; i++) {
		struct sched_row *r = &out->rows[i];
		const struct ref_link *l;
		struct sched_patient p;

		if (r->appt == NULL)
			continue;
		l = ref_index_first(&visits, fhir_id_of(r->appt));
		r->encounter = l != NULL ? l->resource : NULL;
		sched_patient_read(r->appt, out->patients, &p);
		r->patient = p.resource;
		r->deceased = p.resource != NULL && p.view.deceased;
		sched_patient_clear(&p);
	}
	free(ids);
	free(by_slot.v);
	free(visits.v);
}

size_t
sched_merge(cJSON *array, const cJSON *response, const char *type,
    bool (*add)(const cJSON *resource, const void *arg), const void *arg)
{
	const cJSON *e;
	size_t changed = 0;

	cJSON_ArrayForEach(e, fhir_get_array(response, "entry"))
	{
		const cJSON *r = fhir_get_object(e, "resource");
		const char *rt = fhir_get_string(r, "resourceType");
		const char *id = fhir_get_string(r, "id");
		cJSON *old;
		int i = 0;
		bool found = false;

		if (rt == NULL || strcmp(rt, type) != 0 || !fhir_valid_id(id))
			continue;
		cJSON_ArrayForEach(old, array)
		{
			const char *oid = fhir_get_string(old, "id");

			if (oid != NULL && strcmp(oid, id) == 0) {
				cJSON_ReplaceItemInArray(array, i, cJSON_Duplicate(r, true));
				found = true;
				break;
			}
			i++;
		}
		if (found) {
			changed++;
		} else if (add != NULL && add(r, arg)) {
			cJSON_AddItemToArray(array, cJSON_Duplicate(r, true));
			changed++;
		}
	}
	return changed;
}

static bool
starts_on(const cJSON *appt, const void *arg)
{
	const struct date *day = arg;
	struct date_time at;

	return sched_instant_parse(fhir_get_string(appt, "start"), &at) == 0 &&
	    date_compare(&at.date, day) == 0;
}

static bool
any(const cJSON *r, const void *arg)
{
	(void)r;
	(void)arg;
	return true;
}

size_t
sched_day_apply(struct sched_day *d, const cJSON *response)
{
	size_t n = sched_merge(d->slots, response, "Slot", NULL, NULL) +
	    sched_merge(d->appts, response, "Appointment", starts_on, &d->date) +
	    sched_merge(d->encounters, response, "Encounter", any, NULL);

	day_rows(d);
	return n;
}

bool
sched_day_add_patient(struct sched_day *d, const cJSON *patient)
{
	const char *id = fhir_get_string(patient, "id");
	const char *rt = fhir_get_string(patient, "resourceType");
	cJSON *copy, *p;
	int i = 0;

	if (rt == NULL || strcmp(rt, "Patient") != 0 || !fhir_valid_id(id))
		return false;
	if (d->patients == NULL)
		d->patients = cJSON_CreateArray();
	copy = cJSON_Duplicate(patient, true);
	cJSON_ArrayForEach(p, d->patients)
	{
		const char *pid = fhir_get_string(p, "id");

		if (pid != NULL && strcmp(pid, id) == 0)
			break;
		i++;
	}
	if (p != NULL)
		cJSON_ReplaceItemInArray(d->patients, i, copy);
	else
		cJSON_AddItemToArray(d->patients, copy);
	day_rows(d);
	return true;
}

void
sched_day_free(struct sched_day *d)
{
	cJSON_Delete(d->slots);
	cJSON_Delete(d->appts);
	cJSON_Delete(d->encounters);
	cJSON_Delete(d->patients);
	free(d->rows);
	memset(d, 0, sizeof *d);
}

long
sched_day_find(const struct sched_day *d, const char *ref)
{
	bool slot = starts(ref, "Slot/");
	const char *id = strchr(ref, '/');

	if (id == NULL)
		return -1;
	id++;
	for (size_t i = 0; i < d->n; i++) {
		const cJSON *r = slot ? d->rows[i].slot : d->rows[i].appt;
		const char *rid = fhir_get_string(r, "id");

		if (rid != NULL && strcmp(rid, id) == 0)
			return (long)i;
	}
	return -1;
}

size_t
sched_day_appt_slots(const struct sched_day *d, const cJSON *appt, const cJSON **out, size_t max)
{
	const cJSON *ref;
	size_t n = 0;

	cJSON_ArrayForEach(ref, fhir_get_array(appt, "slot"))
	{
		const char *r = fhir_get_string(ref, "reference");
		long i = r != NULL && n < max ? sched_day_find(d, r) : -1;

		if (i >= 0 && d->rows[i].slot != NULL)
			out[n++] = d->rows[i].slot;
	}
	return n;
}

/* --- week and free slots ------------------------------------------------------------ */

struct fhir_search *
sched_week_search(const struct sched_owner *owner, const struct date *start)
{
	struct fhir_search *s = fhir_search_new("Slot");
	char count[16];

	snprintf(count, sizeof count, "%d", SCHED_WEEK_COUNT);
	fhir_search_add(s, "schedule", owner->schedule);
	sched_search_days(s, "start", start, 7);
	fhir_search_add(s, "_elements", "status,start");
	fhir_search_add(s, "_count", count);
	return s;
}

int
sched_week_read(const cJSON *searchset, const struct date *start, struct sched_week_day week[7],
    bool *partial)
{
	const cJSON *e;
	size_t held = 0;

	if (!starts(fhir_get_string(searchset, "resourceType"), "Bundle"))
		return -1;
	for (int i = 0; i < 7; i++) {
		memset(&week[i], 0, sizeof week[i]);
		if (i == 0)
			week[i].date = *start;
		else
			next_day(&week[i - 1].date, &week[i].date);
	}
	cJSON_ArrayForEach(e, fhir_get_array(searchset, "entry"))
	{
		const cJSON *r = fhir_get_object(e, "resource");
		const char *status = fhir_get_string(r, "status");
		struct date_time at;
		long d;

		held++;
		if (status == NULL || sched_instant_parse(fhir_get_string(r, "start"), &at) != 0)
			continue;
		d = date_diff_days(start, &at.date);
		if (d < 0 || d > 6)
			continue;
		if (strcmp(status, "free") == 0)
			week[d].free++;
		else if (strcmp(status, "busy") == 0 || strcmp(status, "busy-tentative") == 0)
			week[d].booked++;
		else if (strcmp(status, "busy-unavailable") == 0)
			week[d].blocked++;
	}
	*partial = bundle_total(searchset) > (long)held;
	return 0;
}

struct fhir_search *
sched_free_search(const struct sched_owner *owner, const struct date *from)
{
	struct fhir_search *s = fhir_search_new("Slot");
	char a[DATE_BUF_SIZE], *ge;
	struct date_time now;

	date_time_now(&now);
	if (from != NULL && date_compare(from, &now.date) > 0) {
		sched_day_start(from, a, sizeof a);
	} else {
		/* Today: from now on, not the morning already gone. */
		now.second = 0;
		now_fhir(&now, a, sizeof a);
	}
	ge = xasprintf("ge%s", a);
	if (owner != NULL)
		fhir_search_add(s, "schedule", owner->schedule);
	fhir_search_add(s, "status", "free");
	fhir_search_add(s, "start", ge);
	fhir_search_add(s, "_sort", "start");
	fhir_search_add(s, "_count", "100"); /* SCHED_FREE_COUNT */
	free(ge);
	return s;
}

/* --- appointments as read ----------------------------------------------------------- */

void
sched_slot_view(const cJSON *slot, struct sched_slot_view *out)
{
	const char *status = fhir_get_string(slot, "status");

	memset(out, 0, sizeof *out);
	out->id = fhir_id_of(slot);
	out->schedule_ref = fhir_get_string(fhir_get_object(slot, "schedule"), "reference");
	out->free = status != NULL && strcmp(status, "free") == 0;
	out->has_time = sched_instant_parse(fhir_get_string(slot, "start"), &out->start) == 0 &&
	    sched_instant_parse(fhir_get_string(slot, "end"), &out->end) == 0;
	out->minutes = out->has_time ? sched_minutes(&out->start, &out->end) : 0;
}

/* Whether CODINGS (an array of Codings) name TYPE; *NAMED set when it holds any code. */
static bool
codings_name(const cJSON *codings, const char *type, bool *named)
{
	const cJSON *coding;

	cJSON_ArrayForEach(coding, codings)
	{
		const char *code = fhir_get_string(coding, "code");

		*named = true;
		if (code != NULL && strcmp(code, type) == 0)
			return true;
	}
	return false;
}

bool
sched_slot_fits_type(const cJSON *slot, const char *type)
{
	const cJSON *cc;
	bool named = false;

	if (type == NULL)
		return true;
	/* R4 has one appointmentType on a Slot; servers that send a list are read too. */
	if (codings_name(fhir_get_array(fhir_get_object(slot, "appointmentType"), "coding"), type,
		&named))
		return true;
	cJSON_ArrayForEach(cc, fhir_get_array(slot, "appointmentType"))
	{
		if (codings_name(fhir_get_array(cc, "coding"), type, &named))
			return true;
	}
	return !named;
}

static long
owner_index(const struct sched_owners *owners, const char *schedule_ref)
{
	for (size_t i = 0; schedule_ref != NULL && i < owners->n; i++)
		if (strcmp(owners->v[i].schedule, schedule_ref) == 0)
			return (long)i;
	return -1;
}

size_t
sched_free_starts(const cJSON *slots, const struct sched_owners *owners, long minutes,
    const char *type, struct sched_free_start **out)
{
	size_t n = (size_t)cJSON_GetArraySize(slots), count = 0, k = 0;
	struct sched_slot_view *v = xcalloc(n + 1, sizeof *v);
	const cJSON **res = xcalloc(n + 1, sizeof *res);
	long *owner = xcalloc(n + 1, sizeof *owner), *next = xcalloc(n + 1, sizeof *next);
	long *last = xcalloc(owners->n + 1, sizeof *last);
	const cJSON *slot;

	*out = xcalloc(n + 1, sizeof **out);
	cJSON_ArrayForEach(slot, slots)
	{
		res[k] = slot;
		sched_slot_view(slot, &v[k]);
		owner[k] = owner_index(owners, v[k].schedule_ref);
		k++;
	}
	/* Each slot's next slot of the same schedule, so a start never walks the others'. */
	for (size_t o = 0; o < owners->n; o++)
		last[o] = -1;
	for (size_t i = n; i-- > 0;) {
		next[i] = owner[i] >= 0 ? last[owner[i]] : -1;
		if (owner[i] >= 0)
			last[owner[i]] = (long)i;
	}
	for (size_t i = 0; i < n; i++) {
		struct sched_free_start *s = &(*out)[count];
		struct date_time end;
		long covered = 0;

		if (owner[i] < 0 || !v[i].free || !v[i].has_time || !sched_slot_fits_type(res[i], type))
			continue;
		s->owner = (size_t)owner[i];
		s->start = v[i].start;
		end = v[i].start;
		for (long j = (long)i; j >= 0 && covered < minutes && s->n < SCHED_BOOK_SLOTS_MAX;
		     j = next[j]) {
			if (!v[j].free || !v[j].has_time)
				continue;
			if (date_time_compare(&v[j].start, &end) != 0)
				break;
			s->slots[s->n++] = res[j];
			covered += v[j].minutes;
			end = v[j].end;
		}
		if (covered >= minutes)
			count++;
		else
			memset(s, 0, sizeof *s);
	}
	free(v);
	free(res);
	free(owner);
	free(next);
	free(last);
	return count;
}

static const char *
coding_text(const cJSON *cc)
{
	const cJSON *coding = cJSON_GetArrayItem(fhir_get_array(cc, "coding"), 0);

	if (fhir_get_string(cc, "text") != NULL)
		return fhir_get_string(cc, "text");
	if (fhir_get_string(coding, "display") != NULL)
		return fhir_get_string(coding, "display");
	return fhir_get_string(coding, "code");
}

void
sched_appt_view(const cJSON *appt, struct sched_appt_view *out)
{
	const cJSON *p;

	memset(out, 0, sizeof *out);
	out->id = fhir_get_string(appt, "id");
	out->status = fhir_get_string(appt, "status");
	cJSON_ArrayForEach(p, fhir_get_array(appt, "participant"))
	{
		const cJSON *actor = fhir_get_object(p, "actor");
		const char *ref = fhir_get_string(actor, "reference");

		if (starts(ref, "Patient/") && out->patient_ref == NULL) {
			out->patient_ref = ref;
		} else if (starts(ref, "Practitioner/") && out->practitioner_ref == NULL) {
			out->practitioner_ref = ref;
			out->practitioner_name = fhir_get_string(actor, "display");
		}
	}
	out->type = coding_text(fhir_get_object(appt, "appointmentType"));
	out->reason = coding_text(cJSON_GetArrayItem(fhir_get_array(appt, "reasonCode"), 0));
	if (out->reason == NULL)
		out->reason = fhir_get_string(appt, "description");
	out->has_start = sched_instant_parse(fhir_get_string(appt, "start"), &out->start) == 0;
	if (!out->has_start || sched_instant_parse(fhir_get_string(appt, "end"), &out->end) != 0)
		out->end = out->start;
}

/* Whether P is the Patient REF ("Patient/ID") names: by id only, never by a name. */
static bool
is_patient(const cJSON *p, const char *ref)
{
	const char *rt = fhir_get_string(p, "resourceType");
	const char *id = fhir_get_string(p, "id");

	return starts(ref, "Patient/") && fhir_valid_id(ref + strlen("Patient/")) && rt != NULL &&
	    strcmp(rt, "Patient") == 0 && id != NULL && strcmp(id, ref + strlen("Patient/")) == 0;
}

const cJSON *
sched_patient_find(const cJSON *patients, const char *ref)
{
	const cJSON *p;

	if (!cJSON_IsArray(patients))
		return NULL;
	cJSON_ArrayForEach(p, patients)
	{
		if (is_patient(p, ref))
			return p;
	}
	return NULL;
}

/* Whether DISPLAY names the person of V, "Family, Given" or "Given Family", any case. */
static bool
display_names(const char *display, const struct patient_view *v)
{
	char *given_first;
	bool same;

	if (strcasecmp(display, v->name) == 0)
		return true;
	given_first = xasprintf("%s%s%s", v->given, *v->given && *v->family ? " " : "", v->family);
	same = strcasecmp(display, given_first) == 0;
	free(given_first);
	return same;
}

void
sched_patient_read(const cJSON *appt, const cJSON *patients, struct sched_patient *out)
{
	const cJSON *p;

	memset(out, 0, sizeof *out);
	cJSON_ArrayForEach(p, fhir_get_array(appt, "participant"))
	{
		const cJSON *actor = fhir_get_object(p, "actor");
		const char *ref = fhir_get_string(actor, "reference");

		if (starts(ref, "Patient/")) {
			out->ref = ref;
			out->display = fhir_get_string(actor, "display");
			break;
		}
	}
	out->resource = sched_patient_find(patients, out->ref);
	if (out->resource == NULL)
		return;
	patient_view_read(out->resource, &out->view);
	out->display_differs = out->display != NULL && !display_names(out->display, &out->view);
}

void
sched_patient_clear(struct sched_patient *p)
{
	if (p->resource != NULL)
		patient_view_clear(&p->view);
	memset(p, 0, sizeof *p);
}

char *
sched_patient_label(const struct sched_patient *p)
{
	if (p->resource == NULL)
		return xstrdup(SCHED_PATIENT_NOT_READ);
	/* Plain text: a dagger is not on a vt100. */
	return xasprintf("%s%s", p->view.name, p->view.deceased ? " (deceased)" : "");
}

static bool
is_room(const cJSON *loc)
{
	const cJSON *coding =
	    cJSON_GetArrayItem(fhir_get_array(fhir_get_object(loc, "physicalType"), "coding"), 0);
	const char *code = fhir_get_string(coding, "code");

	return code != NULL && strcmp(code, "ro") == 0;
}

const char *
sched_encounter_room(const cJSON *encounter)
{
	const cJSON *loc;

	cJSON_ArrayForEach(loc, fhir_get_array(encounter, "location"))
	{
		const char *status = fhir_get_string(loc, "status");

		if (is_room(loc) && (status == NULL || strcmp(status, "active") == 0)) {
			const char *d = fhir_get_string(fhir_get_object(loc, "location"), "display");

			return d != NULL ? d : "a room";
		}
	}
	return NULL;
}

const char *
sched_flow_status(const cJSON *appt, const cJSON *encounter)
{
	const char *s = fhir_get_string(appt, "status");

	if (s == NULL)
		return "unknown";
	if (strcmp(s, "booked") == 0 || strcmp(s, "pending") == 0 || strcmp(s, "proposed") == 0)
		return "booked";
	if (strcmp(s, "arrived") == 0 || strcmp(s, "checked-in") == 0) {
		const char *type = fhir_get_string(encounter, "resourceType");
		const char *is = fhir_get_string(encounter, "status");

		/*
		 * The clinician wrapped the visit up (its Encounter finished): seen, ready for the
		 * front desk's check-out, which fulfils the appointment ("done").
		 */
		if (type != NULL && strcmp(type, "Encounter") == 0 && is != NULL &&
		    strcmp(is, "finished") == 0)
			return "seen";
		return sched_encounter_room(encounter) != NULL ? "in room" : "arrived";
	}
	if (strcmp(s, "fulfilled") == 0)
		return "done";
	if (strcmp(s, "noshow") == 0)
		return "no-show";
	return s;
}

/* --- the flow board ----------------------------------------------------------------- */

struct fhir_search *
sched_board_search(const struct date *day)
{
	struct fhir_search *q = fhir_search_new("Appointment");

	sched_search_days(q, "date", day, 1);
	fhir_search_add(q, "_sort", "date");
	fhir_search_add(q, "_count", "500"); /* SCHED_BOARD_COUNT */
	sched_appt_includes(q);
	return q;
}

/* The rows of B, built again: each appointment with the first encounter linked to it,
 * through a sorted index (n log n whatever the server sends). */
static void
board_rows(struct sched_board *b)
{
	struct ref_index visits;
	const cJSON *e, *a;
	size_t n = 0;

	b->since[0] = '\0';
	cJSON_ArrayForEach(e, b->encounters)
		sched_updated_newest(fhir_get_string(fhir_get_object(e, "meta"), "lastUpdated"),
		    time(NULL), b->since, sizeof b->since);
	ref_index_build(&visits, b->encounters, "appointment", "Appointment", NULL);
	free(b->rows);
	b->rows = xcalloc((size_t)cJSON_GetArraySize(b->appts) + 1, sizeof *b->rows);
	cJSON_ArrayForEach(a, b->appts)
	{
		struct sched_board_row *r = &b->rows[n];
		const char *id = fhir_id_of(a);
		const struct ref_link *l;

		sched_updated_newest(fhir_get_string(fhir_get_object(a, "meta"), "lastUpdated"),
		    time(NULL), b->since, sizeof b->since);
		if (id == NULL || sched_instant_parse(fhir_get_string(a, "start"), &r->start) != 0)
			continue;
		l = ref_index_first(&visits, id);
		r->appt = a;
		r->encounter = l != NULL ? l->resource : NULL;
		r->status = sched_flow_status(a, r->encounter);
		if (strcmp(r->status, "cancelled") == 0 || strcmp(r->status, "entered-in-error") == 0) {
			memset(r, 0, sizeof *r);
			continue;
		}
		n++;
	}
	b->n = n;
	free(visits.v);
}

int
sched_board_read(const cJSON *searchset, const struct date *day, struct sched_board *out,
    char **cause)
{
	memset(out, 0, sizeof *out);
	out->day = *day;
	if (!starts(fhir_get_string(searchset, "resourceType"), "Bundle")) {
		*cause = xstrdup("the answer is not a search result");
		return -1;
	}
	out->appts = fhir_bundle_take(searchset, "Appointment", SCHED_BOARD_COUNT, &out->cut);
	out->encounters = fhir_bundle_take(searchset, "Encounter", 2 * SCHED_BOARD_COUNT, NULL);
	out->patients = fhir_bundle_take(searchset, "Patient", 2 * SCHED_BOARD_COUNT, NULL);
	board_rows(out);
	return 0;
}

size_t
sched_board_apply(struct sched_board *b, const cJSON *response)
{
	size_t n = sched_merge(b->appts, response, "Appointment", starts_on, &b->day) +
	    sched_merge(b->encounters, response, "Encounter", any, NULL);

	board_rows(b);
	return n;
}

void
sched_board_free(struct sched_board *b)
{
	cJSON_Delete(b->appts);
	cJSON_Delete(b->encounters);
	cJSON_Delete(b->patients);
	free(b->rows);
	memset(b, 0, sizeof *b);
}

cJSON *
sched_board_check_batch(const struct fhir_client *fc, const struct sched_board *b, time_t now)
{
	static const char *const types[] = { "Appointment", "Encounter" };
	time_t ahead = now + SCHED_UPDATED_SKEW_S;
	cJSON *batch, *entries;
	struct tm tm;
	char le[40];

	if (b->since[0] == '\0')
		return NULL;
	batch = fhir_batch_new(&entries);
	gmtime_r(&ahead, &tm);
	strftime(le, sizeof le, "le%Y-%m-%dT%H:%M:%SZ", &tm);
	for (size_t i = 0; i < 2; i++) {
		struct fhir_search *q = fhir_search_new(types[i]);
		char *gt = xasprintf("gt%s", b->since);

		/* Only what the board shows: the day's appointments, and visits of the day. */
		sched_search_days(q, "date", &b->day, 1);
		fhir_search_add(q, "_lastUpdated", gt);
		fhir_search_add(q, "_lastUpdated", le);
		fhir_search_add(q, "_summary", "count");
		fhir_batch_add_search(entries, fc, q);
		free(gt);
		fhir_search_free(&q);
	}
	return batch;
}

long
sched_board_changes(const cJSON *response)
{
	const cJSON *e;
	long changed = 0;

	cJSON_ArrayForEach(e, fhir_get_array(response, "entry"))
	{
		long t = bundle_total(fhir_get_object(e, "resource"));

		changed += t >= 0 ? t : 1;
	}
	return changed;
}

static const char *const board_order[SCHED_BOARD_GROUPS] = { "arrived", "in room", "seen",
	"booked", "done", "no-show" };

int
sched_board_group(const char *status)
{
	for (int i = 0; i < SCHED_BOARD_GROUPS; i++)
		if (status != NULL && strcmp(board_order[i], status) == 0)
			return i;
	return SCHED_BOARD_GROUPS;
}

static int
board_row_cmp(const void *a, const void *b)
{
	const struct sched_board_row *x = a, *y = b;
	int gx = sched_board_group(x->status), gy = sched_board_group(y->status);

	if (gx != gy)
		return gx - gy;
	return date_time_compare(&x->start, &y->start);
}

void
sched_board_sort(struct sched_board *b)
{
	/* An empty board has no rows at all (NULL), and qsort must not be given NULL. */
	if (b->n > 1)
		qsort(b->rows, b->n, sizeof *b->rows, board_row_cmp);
}

/* --- the clinician's landing ---------------------------------------------------------- */

/* At most this many Practitioners and Schedules are looked at, whatever the server sends. */
#define ME_PRACTITIONERS_MAX 10
#define ME_SCHEDULES_MAX 200

struct fhir_search *
sched_me_search(const char *cn)
{
	struct fhir_search *q = fhir_search_new("Practitioner");
	char *id = xasprintf("%s|%s", SCHED_CERT_CN_SYSTEM, cn != NULL ? cn : "");

	fhir_search_add(q, "identifier", id);
	fhir_search_add(q, "_revinclude", "Schedule:actor");
	free(id);
	return q;
}

/* True when P carries CN in the certificate system, among its first identifiers. */
static bool
has_cn(const cJSON *p, const char *cn)
{
	const cJSON *i;
	int k = 0;

	cJSON_ArrayForEach(i, fhir_get_array(p, "identifier"))
	{
		const char *sys = fhir_get_string(i, "system"), *value = fhir_get_string(i, "value");

		if (k++ >= 50)
			break;
		if (sys != NULL && value != NULL && strcmp(sys, SCHED_CERT_CN_SYSTEM) == 0 &&
		    strcmp(value, cn) == 0)
			return true;
	}
	return false;
}

char *
sched_me_read(const cJSON *searchset, const char *cn)
{
	cJSON *people, *schedules;
	const cJSON *p, *s, *a, *me = NULL;
	char *out = NULL;
	size_t found = 0;

	if (cn == NULL || *cn == '\0' || !starts(fhir_get_string(searchset, "resourceType"), "Bundle"))
		return NULL;
	people = fhir_bundle_take(searchset, "Practitioner", ME_PRACTITIONERS_MAX, NULL);
	schedules = fhir_bundle_take(searchset, "Schedule", ME_SCHEDULES_MAX, NULL);
	cJSON_ArrayForEach(p, people)
	{
		if (has_cn(p, cn)) {
			me = p;
			found++;
		}
	}
	/* Two practitioners claiming one certificate: nobody's day is shown as this user's. */
	if (found == 1) {
		const char *id = fhir_id_of(me);

		cJSON_ArrayForEach(s, schedules)
		{
			int k = 0;

			cJSON_ArrayForEach(a, fhir_get_array(s, "actor"))
			{
				if (k++ >= 20 || out != NULL)
					break;
				if (fhir_refers_to(fhir_get_string(a, "reference"), "Practitioner", id))
					out = xasprintf("Practitioner/%s", id);
			}
			if (out != NULL)
				break;
		}
	}
	cJSON_Delete(people);
	cJSON_Delete(schedules);
	return out;
}

struct fhir_search *
sched_mine_search(const struct date *day, const char *practitioner)
{
	struct fhir_search *q = sched_board_search(day);

	fhir_search_add(q, "practitioner", practitioner);
	return q;
}

/* --- plans ------------------------------------------------------------------------- */

static const char *
version_of(const cJSON *r)
{
	return fhir_version_of(r);
}

/* A copy of R to write back: without meta, which is the server's. */
static cJSON *
copy_for_write(const cJSON *r)
{
	cJSON *c = cJSON_Duplicate(r, true);

	cJSON_DeleteItemFromObjectCaseSensitive(c, "meta");
	cJSON_DeleteItemFromObjectCaseSensitive(c, "text");
	return c;
}

static void
set_string(cJSON *obj, const char *name, const char *value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, name);
	if (value != NULL)
		cJSON_AddStringToObject(obj, name, value);
}

static int
guard(struct fhir_plan *p, const cJSON *changed, const cJSON *before, char **cause)
{
	cJSON *undo = copy_for_write(before);
	int i = fhir_plan_update(p, changed, version_of(before), undo);

	cJSON_Delete(undo);
	if (i < 0)
		*cause = xasprintf("%s/%s has no version to guard the change with",
		    fhir_get_string(before, "resourceType") ? fhir_get_string(before, "resourceType") : "?",
		    fhir_get_string(before, "id") ? fhir_get_string(before, "id") : "?");
	return i;
}

static int
slot_status(struct fhir_plan *p, const cJSON *slot, const char *status, char **cause)
{
	cJSON *c = copy_for_write(slot);
	int i;

	set_string(c, "status", status);
	i = guard(p, c, slot, cause);
	cJSON_Delete(c);
	return i;
}

static void
add_reference(cJSON *participants, const char *ref, const char *display)
{
	cJSON *p = cJSON_CreateObject(), *actor = cJSON_AddObjectToObject(p, "actor");

	cJSON_AddStringToObject(actor, "reference", ref);
	if (display != NULL)
		cJSON_AddStringToObject(actor, "display", display);
	cJSON_AddStringToObject(p, "required", "required");
	cJSON_AddStringToObject(p, "status", "accepted");
	cJSON_AddItemToArray(participants, p);
}

/* Set APPT's time and slots to SLOTS, and its provider and place to OWNER's. */
static int
place(cJSON *appt, const cJSON *const *slots, size_t n, const struct sched_owner *owner,
    char **cause)
{
	struct date_time a, b;
	cJSON *refs, *parts, *old, *p;

	if (n == 0 || sched_instant_parse(fhir_get_string(slots[0], "start"), &a) != 0 ||
	    sched_instant_parse(fhir_get_string(slots[n - 1], "end"), &b) != 0) {
		*cause = xstrdup("the slot has no usable start and end");
		return -1;
	}
	set_string(appt, "start", fhir_get_string(slots[0], "start"));
	set_string(appt, "end", fhir_get_string(slots[n - 1], "end"));
	cJSON_DeleteItemFromObjectCaseSensitive(appt, "minutesDuration");
	cJSON_AddNumberToObject(appt, "minutesDuration", (double)sched_minutes(&a, &b));
	cJSON_DeleteItemFromObjectCaseSensitive(appt, "slot");
	refs = cJSON_AddArrayToObject(appt, "slot");
	for (size_t i = 0; i < n; i++) {
		char *ref = xasprintf("Slot/%s", fhir_get_string(slots[i], "id"));
		cJSON *r = cJSON_CreateObject();

		cJSON_AddStringToObject(r, "reference", ref);
		cJSON_AddItemToArray(refs, r);
		free(ref);
	}
	/* The patient and anyone else stay; the provider and place are the schedule's. */
	old = cJSON_DetachItemFromObjectCaseSensitive(appt, "participant");
	parts = cJSON_AddArrayToObject(appt, "participant");
	cJSON_ArrayForEach(p, old)
	{
		const char *ref = fhir_get_string(fhir_get_object(p, "actor"), "reference");

		if ((owner->practitioner != NULL && starts(ref, "Practitioner/")) ||
		    (owner->location != NULL && starts(ref, "Location/")))
			continue;
		cJSON_AddItemToArray(parts, cJSON_Duplicate(p, true));
	}
	cJSON_Delete(old);
	if (owner->practitioner != NULL)
		add_reference(parts, owner->practitioner, owner->name);
	if (owner->location != NULL)
		add_reference(parts, owner->location, owner->location_name);
	return 0;
}

static bool
all_free(const cJSON *const *slots, size_t n, char **cause)
{
	for (size_t i = 0; i < n; i++) {
		const char *s = fhir_get_string(slots[i], "status");

		if (s == NULL || strcmp(s, "free") != 0) {
			*cause = xstrdup("that time is not free any more");
			return false;
		}
	}
	return true;
}

struct fhir_plan *
sched_plan_book(const struct sched_booking *b, char **cause)
{
	struct fhir_plan *p = fhir_plan_new();
	cJSON *appt = cJSON_CreateObject(), *parts;
	struct fhir_search *guard_search;
	char today[DATE_BUF_SIZE];
	int ok;

	*cause = NULL;
	if (b->nslots == 0 || b->nslots > SCHED_BOOK_SLOTS_MAX || !all_free(b->slots, b->nslots, cause))
		goto fail;
	for (size_t i = 0; i < b->nslots; i++)
		if (slot_status(p, b->slots[i], "busy", cause) < 0)
			goto fail;
	cJSON_AddStringToObject(appt, "resourceType", "Appointment");
	fhir_add_request_id(appt, b->request_id);
	cJSON_AddStringToObject(appt, "status", "booked");
	if (b->type_code != NULL)
		cJSON_AddItemToObject(appt, "appointmentType",
		    fhir_codeable(APPT_TYPE_SYSTEM, b->type_code, b->type_display));
	if (b->reason != NULL && *b->reason != '\0') {
		cJSON *rc = cJSON_CreateObject();

		cJSON_AddStringToObject(rc, "text", b->reason);
		cJSON_AddItemToArray(cJSON_AddArrayToObject(appt, "reasonCode"), rc);
		cJSON_AddStringToObject(appt, "description", b->reason);
	}
	if (b->note != NULL && *b->note != '\0')
		cJSON_AddStringToObject(appt, "comment", b->note);
	date_format_iso(b->today, today, sizeof today);
	parts = cJSON_AddArrayToObject(appt, "participant");
	add_reference(parts, b->patient_ref, b->patient_name);
	if (place(appt, b->slots, b->nslots, b->owner, cause) != 0)
		goto fail;
	cJSON_AddStringToObject(appt, "created", today);
	guard_search = fhir_request_search("Appointment", b->request_id);
	ok = fhir_plan_create(p, appt, guard_search);
	fhir_search_free(&guard_search);
	if (ok < 0) {
		*cause = xstrdup("the booking has too many slots");
		goto fail;
	}
	cJSON_Delete(appt);
	return p;
fail:
	if (*cause == NULL)
		*cause = xstrdup("the booking could not be built");
	cJSON_Delete(appt);
	fhir_plan_free(&p);
	return NULL;
}

struct fhir_plan *
sched_plan_move(const cJSON *appt, const cJSON *const *old, size_t nold, const cJSON *const *slots,
    size_t nslots, const struct sched_owner *owner, char **cause)
{
	struct fhir_plan *p = fhir_plan_new();
	cJSON *moved = copy_for_write(appt);

	*cause = NULL;
	if (!all_free(slots, nslots, cause))
		goto fail;
	for (size_t i = 0; i < nslots; i++)
		if (slot_status(p, slots[i], "busy", cause) < 0)
			goto fail;
	if (place(moved, slots, nslots, owner, cause) != 0 || guard(p, moved, appt, cause) < 0)
		goto fail;
	for (size_t i = 0; i < nold; i++)
		if (slot_status(p, old[i], "free", cause) < 0)
			goto fail;
	cJSON_Delete(moved);
	return p;
fail:
	cJSON_Delete(moved);
	fhir_plan_free(&p);
	return NULL;
}

static struct fhir_plan *
appt_status_plan(const cJSON *appt, const char *status, cJSON **changed, char **cause)
{
	struct fhir_plan *p = fhir_plan_new();

	*cause = NULL;
	*changed = copy_for_write(appt);
	set_string(*changed, "status", status);
	return p;
}

struct fhir_plan *
sched_plan_cancel(const cJSON *appt, const cJSON *const *slots, size_t nslots,
    const char *reason_code, const char *reason_display, char **cause)
{
	cJSON *changed;
	struct fhir_plan *p = appt_status_plan(appt, "cancelled", &changed, cause);
	cJSON *reason = cJSON_AddObjectToObject(changed, "cancelationReason");
	cJSON *c = cJSON_CreateObject();

	cJSON_AddStringToObject(c, "system", CANCEL_REASON_SYSTEM);
	cJSON_AddStringToObject(c, "code", reason_code);
	if (reason_display != NULL)
		cJSON_AddStringToObject(c, "display", reason_display);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(reason, "coding"), c);
	if (guard(p, changed, appt, cause) < 0)
		goto fail;
	for (size_t i = 0; i < nslots; i++)
		if (slot_status(p, slots[i], "free", cause) < 0)
			goto fail;
	cJSON_Delete(changed);
	return p;
fail:
	cJSON_Delete(changed);
	fhir_plan_free(&p);
	return NULL;
}

struct fhir_plan *
sched_plan_noshow(const cJSON *appt, char **cause)
{
	cJSON *changed;
	struct fhir_plan *p = appt_status_plan(appt, "noshow", &changed, cause);

	if (guard(p, changed, appt, cause) < 0)
		fhir_plan_free(&p);
	cJSON_Delete(changed);
	return p;
}

struct fhir_plan *
sched_plan_check_in(const cJSON *appt, const cJSON *patient, const struct date_time *now,
    char **cause)
{
	cJSON *changed, *enc = cJSON_CreateObject(), *cls, *period, *parts;
	struct fhir_plan *p = appt_status_plan(appt, "arrived", &changed, cause);
	struct sched_appt_view v;
	struct patient_view pv = { 0 };
	struct fhir_search *once;
	char at[DATE_BUF_SIZE], *ref;
	int ok;

	sched_appt_view(appt, &v);
	if (v.patient_ref == NULL || !fhir_valid_id(v.id)) {
		*cause = xstrdup("the appointment names no patient");
		goto fail;
	}
	/* The visit is for the patient the appointment refers to, read: never another one. */
	if (!is_patient(patient, v.patient_ref)) {
		*cause = xstrdup("the appointment's patient could not be read");
		goto fail;
	}
	patient_view_read(patient, &pv);
	if (guard(p, changed, appt, cause) < 0)
		goto fail;
	now_fhir(now, at, sizeof at);
	ref = xasprintf("Appointment/%s", v.id);
	cJSON_AddStringToObject(enc, "resourceType", "Encounter");
	cJSON_AddStringToObject(enc, "status", "in-progress");
	cls = cJSON_AddObjectToObject(enc, "class");
	cJSON_AddStringToObject(cls, "system", ENCOUNTER_CLASS_SYSTEM);
	cJSON_AddStringToObject(cls, "code", "AMB");
	cJSON_AddStringToObject(cls, "display", "ambulatory");
	{
		cJSON *subject = cJSON_AddObjectToObject(enc, "subject");

		cJSON_AddStringToObject(subject, "reference", v.patient_ref);
		cJSON_AddStringToObject(subject, "display", pv.name);
	}
	if (v.practitioner_ref != NULL) {
		cJSON *part = cJSON_CreateObject(), *ind = cJSON_AddObjectToObject(part, "individual");

		cJSON_AddStringToObject(ind, "reference", v.practitioner_ref);
		if (v.practitioner_name != NULL)
			cJSON_AddStringToObject(ind, "display", v.practitioner_name);
		parts = cJSON_AddArrayToObject(enc, "participant");
		cJSON_AddItemToArray(parts, part);
	}
	{
		cJSON *a = cJSON_CreateObject();

		cJSON_AddStringToObject(a, "reference", ref);
		cJSON_AddItemToArray(cJSON_AddArrayToObject(enc, "appointment"), a);
	}
	period = cJSON_AddObjectToObject(enc, "period");
	cJSON_AddStringToObject(period, "start", at);
	/* One encounter per appointment: a retried check-in finds the first. */
	once = fhir_search_new("Encounter");
	fhir_search_add(once, "appointment", ref);
	ok = fhir_plan_create(p, enc, once);
	fhir_search_free(&once);
	free(ref);
	if (ok < 0) {
		*cause = xstrdup("the check-in could not be built");
		goto fail;
	}
	cJSON_Delete(changed);
	cJSON_Delete(enc);
	patient_view_clear(&pv);
	return p;
fail:
	cJSON_Delete(changed);
	cJSON_Delete(enc);
	patient_view_clear(&pv);
	fhir_plan_free(&p);
	return NULL;
}

/* Rooms the encounter was in become completed: it is in none now, or in the new one. */
static void
leave_rooms(cJSON *enc)
{
	cJSON *loc;

	cJSON_ArrayForEach(loc, cJSON_GetObjectItemCaseSensitive(enc, "location"))
	{
		if (is_room(loc))
			set_string(loc, "status", "completed");
	}
}

struct fhir_plan *
sched_plan_check_out(const cJSON *appt, const cJSON *encounter, const struct date_time *now,
    char **cause)
{
	cJSON *changed;
	struct fhir_plan *p = appt_status_plan(appt, "fulfilled", &changed, cause);

	if (guard(p, changed, appt, cause) < 0)
		goto fail;
	if (encounter != NULL) {
		cJSON *enc = copy_for_write(encounter), *period;
		char at[DATE_BUF_SIZE];
		int i;

		set_string(enc, "status", "finished");
		leave_rooms(enc);
		now_fhir(now, at, sizeof at);
		period = cJSON_GetObjectItemCaseSensitive(enc, "period");
		if (!cJSON_IsObject(period)) {
			cJSON_DeleteItemFromObjectCaseSensitive(enc, "period");
			period = cJSON_AddObjectToObject(enc, "period");
		}
		set_string(period, "end", at);
		i = guard(p, enc, encounter, cause);
		cJSON_Delete(enc);
		if (i < 0)
			goto fail;
	}
	cJSON_Delete(changed);
	return p;
fail:
	cJSON_Delete(changed);
	fhir_plan_free(&p);
	return NULL;
}

struct fhir_plan *
sched_plan_room(const cJSON *encounter, const char *room, char **cause)
{
	struct fhir_plan *p = fhir_plan_new();
	cJSON *enc = copy_for_write(encounter), *locs, *loc, *where, *pt, *c;

	*cause = NULL;
	leave_rooms(enc);
	locs = cJSON_GetObjectItemCaseSensitive(enc, "location");
	if (!cJSON_IsArray(locs)) {
		cJSON_DeleteItemFromObjectCaseSensitive(enc, "location");
		locs = cJSON_AddArrayToObject(enc, "location");
	}
	loc = cJSON_CreateObject();
	where = cJSON_AddObjectToObject(loc, "location");
	cJSON_AddStringToObject(where, "display", room);
	cJSON_AddStringToObject(loc, "status", "active");
	pt = cJSON_AddObjectToObject(loc, "physicalType");
	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "system", PHYSICAL_TYPE_SYSTEM);
	cJSON_AddStringToObject(c, "code", "ro");
	cJSON_AddStringToObject(c, "display", "Room");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(pt, "coding"), c);
	cJSON_AddItemToArray(locs, loc);
	if (guard(p, enc, encounter, cause) < 0)
		fhir_plan_free(&p);
	cJSON_Delete(enc);
	return p;
}

cJSON *
sched_free_read(const cJSON *searchset)
{
	return fhir_bundle_take(searchset, "Slot", SCHED_FREE_COUNT, NULL);
}
