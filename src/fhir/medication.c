/* Charting, writing medications: naming an order, stop, renew, reconcile, and the allergy check. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fhir/chart.h"
#include "fhir/medication.h"
#include "util/xmalloc.h"

#define LOINC "http://loinc.org"
/* History of Medication use Narrative: the medication list's section code (C-CDA, IPS). */
#define MED_LIST_CODE "10160-0"
#define LIST_EMPTY "http://terminology.hl7.org/CodeSystem/list-empty-reason"
#define CERT_CN "urn:ehrterm:cert-cn"

/* Bounds of the allergy check: what is compared of a medication's and a substance's words. */
#define MATCH_TEXT_MAX 256
#define MATCH_SUBSTANCE_MAX 128
#define MATCH_SUBSTANCE_MIN 3

/* Open visits looked at, and Practitioners; a server may send more than asked. */
#define VISITS_MAX 5
#define LISTS_MAX 5

// clang-format off
static const struct medication_reason reasons[] = {
	{ "salg", "Allergy" },
	{ "sintol", "Suspected intolerance" },
	{ "sddi", "Drug interacts with another drug" },
	{ "sdupther", "Duplicate therapy" },
	{ "drughigh", "Drug level too high" },
	{ "altchoice", "Try another treatment first" },
	{ "clarif", "Prescription requires clarification" },
	{ "labint", "Lab interference issues" },
	{ "preg", "Parent is pregnant/breast feeding" },
	{ "surg", "Patient scheduled for surgery." },
	{ "hospadm", "Admission to hospital" },
	{ "washout", "Waiting for old drug to wash out" },
	{ "non-avail", "Patient not-available" },
};
// clang-format on

const struct medication_reason *
medication_stop_reasons(size_t *n)
{
	*n = sizeof reasons / sizeof reasons[0];
	return reasons;
}

static bool
blank(const char *s)
{
	return s == NULL || s[strspn(s, " ")] == '\0';
}

/* --- naming an order ------------------------------------------------------------------- */

static int
by_id(const void *a, const void *b)
{
	return strcmp(fhir_id_of(*(const cJSON *const *)a), fhir_id_of(*(const cJSON *const *)b));
}

void
medication_index_build(const cJSON *searchset, struct medication_index *ix)
{
	const cJSON *entry;

	memset(ix, 0, sizeof *ix);
	cJSON_ArrayForEach(entry, fhir_get_array(searchset, "entry"))
	{
		const cJSON *r = fhir_get_object(entry, "resource");
		const char *type = fhir_get_string(r, "resourceType");

		if (ix->n == MEDICATION_INCLUDED_MAX)
			break;
		if (type == NULL || strcmp(type, "Medication") != 0 || fhir_id_of(r) == NULL)
			continue;
		if (ix->items == NULL)
			ix->items = xcalloc(MEDICATION_INCLUDED_MAX, sizeof *ix->items);
		ix->items[ix->n++] = r;
	}
	if (ix->n > 1)
		qsort(ix->items, ix->n, sizeof *ix->items, by_id);
}

void
medication_index_free(struct medication_index *ix)
{
	free(ix->items);
	memset(ix, 0, sizeof *ix);
}

/* The Medication whose id is ID in IX, or NULL. */
static const cJSON *
index_find(const struct medication_index *ix, const char *id)
{
	size_t lo = 0, hi = ix != NULL ? ix->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(id, fhir_id_of(ix->items[mid]));

		if (c == 0)
			return ix->items[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* The Medication REFERENCE names: contained in REQUEST ("#id") or read with it (IX). */
static const cJSON *
referred_medication(const cJSON *request, const char *reference,
    const struct medication_index *ix)
{
	const cJSON *c;
	size_t seen = 0;
	const char *id;

	if (reference == NULL)
		return NULL;
	if (reference[0] == '#') {
		cJSON_ArrayForEach(c, fhir_get_array(request, "contained"))
		{
			const char *type = fhir_get_string(c, "resourceType");
			const char *cid = fhir_get_string(c, "id");

			if (seen++ == MEDICATION_CONTAINED_MAX)
				break;
			if (type != NULL && strcmp(type, "Medication") == 0 && cid != NULL &&
			    strcmp(cid, reference + 1) == 0)
				return c;
		}
		return NULL;
	}
	/* "Medication/ID", or an absolute URL ending so: the id is what follows the last '/'. */
	id = strrchr(reference, '/');
	if (id == NULL || !fhir_refers_to(reference, "Medication", id + 1))
		return NULL;
	return index_find(ix, id + 1);
}

const char *
medication_name(const cJSON *request, const struct medication_index *ix, const char **rxnorm)
{
	const cJSON *concept = fhir_get_object(request, "medicationCodeableConcept");
	const cJSON *ref = fhir_get_object(request, "medicationReference");
	const char *name;

	if (rxnorm != NULL)
		*rxnorm = NULL;
	if (concept == NULL && ref != NULL)
		concept = fhir_get_object(
		    referred_medication(request, fhir_get_string(ref, "reference"), ix), "code");
	name = chart_concept_text(concept);
	if (rxnorm != NULL)
		*rxnorm = fhir_code_in(concept, MEDICATION_RXNORM);
	if (name == NULL || *name == '\0')
		name = fhir_get_string(ref, "display");
	return name != NULL && *name != '\0' ? name : NULL;
}

/* --- stopping ---------------------------------------------------------------------------- */

static const struct medication_reason *
reason_of(const char *code)
{
	for (size_t i = 0; code != NULL && i < sizeof reasons / sizeof reasons[0]; i++)
		if (strcmp(reasons[i].code, code) == 0)
			return &reasons[i];
	return NULL;
}

struct fhir_plan *
medication_stop_plan(const struct record_entry *e, const char *reason_code, const char *words,
    char **cause)
{
	const struct medication_reason *why = reason_of(reason_code);
	cJSON *changed, *reason;

	if (!blank(reason_code) && why == NULL) {
		*cause = xasprintf("%s is not a reason to stop a medication", reason_code);
		return NULL;
	}
	if (why == NULL && blank(words)) {
		*cause = xstrdup("say why the medication is stopped");
		return NULL;
	}
	if (e->resource == NULL) {
		*cause = xstrdup("the order was not read");
		return NULL;
	}
	reason = why != NULL ? fhir_codeable(MEDICATION_STOP_REASONS, why->code, why->display)
			     : cJSON_CreateObject();
	cJSON_AddStringToObject(reason, "text",
	    !blank(words) ? words + strspn(words, " ") : why->display);
	changed = cJSON_Duplicate(e->resource, true);
	fhir_set_string(changed, "status", "stopped");
	fhir_set_item(changed, "statusReason", reason);
	return record_change_plan(e, changed, cause);
}

/* --- renewing ---------------------------------------------------------------------------- */

static void
copy_member(cJSON *to, const cJSON *from, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(from, name);

	if (v != NULL)
		cJSON_AddItemToObject(to, name, cJSON_Duplicate(v, true));
}

/* A Reference to TYPE/ID, or to ID alone ("Practitioner/x") when TYPE is NULL. */
static cJSON *
reference_to(const char *type, const char *id)
{
	cJSON *ref = cJSON_CreateObject();
	char *s = type != NULL ? xasprintf("%s/%s", type, id) : xstrdup(id);

	cJSON_AddStringToObject(ref, "reference", s);
	free(s);
	return ref;
}

struct fhir_plan *
medication_renew_plan(const struct record_entry *e, const struct medication_renewal *in,
    char **cause)
{
	const cJSON *old = e->resource, *dispense;
	const char *old_id = fhir_id_of(old);
	struct fhir_plan *p;
	cJSON *renewed, *completed;

	*cause = NULL;
	if (blank(in->patient) || blank(in->request_id) || blank(in->now)) {
		*cause = xstrdup("the renewal lacks the patient, the time or a request identifier");
		return NULL;
	}
	if (old_id == NULL || !patient_refers_to(fhir_get_string(fhir_get_object(old, "subject"),
					  "reference"), in->patient)) {
		*cause = xstrdup("the order is not this patient's: nothing renewed");
		return NULL;
	}
	renewed = record_new(RECORD_MEDICATION, in->patient, in->request_id);
	cJSON_AddStringToObject(renewed, "status", "active");
	cJSON_AddStringToObject(renewed, "intent", "order");
	/* A reference to "#id" needs the Medication it names, contained again here. */
	copy_member(renewed, old, "contained");
	copy_member(renewed, old, "category");
	copy_member(renewed, old, "medicationCodeableConcept");
	copy_member(renewed, old, "medicationReference");
	if (in->encounter != NULL && fhir_valid_id(in->encounter))
		cJSON_AddItemToObject(renewed, "encounter", reference_to("Encounter", in->encounter));
	cJSON_AddStringToObject(renewed, "authoredOn", in->now);
	if (!blank(in->requester))
		cJSON_AddItemToObject(renewed, "requester", reference_to(NULL, in->requester));
	copy_member(renewed, old, "reasonCode");
	copy_member(renewed, old, "reasonReference");
	copy_member(renewed, old, "dosageInstruction");
	/* The same amounts, but a validity of its own: the old one's period is over. */
	if ((dispense = fhir_get_object(old, "dispenseRequest")) != NULL) {
		cJSON *d = cJSON_CreateObject();

		copy_member(d, dispense, "numberOfRepeatsAllowed");
		copy_member(d, dispense, "quantity");
		copy_member(d, dispense, "expectedSupplyDuration");
		if (cJSON_GetArraySize(d) > 0)
			cJSON_AddItemToObject(renewed, "dispenseRequest", d);
		else
			cJSON_Delete(d);
	}
	cJSON_AddItemToObject(renewed, "priorPrescription",
	    reference_to("MedicationRequest", old_id));
	if (cJSON_GetObjectItemCaseSensitive(renewed, "medicationCodeableConcept") == NULL &&
	    cJSON_GetObjectItemCaseSensitive(renewed, "medicationReference") == NULL) {
		cJSON_Delete(renewed);
		*cause = xasprintf("%s names no medication to renew", e->what);
		return NULL;
	}
	p = fhir_plan_new();
	completed = cJSON_Duplicate(old, true);
	fhir_set_string(completed, "status", "completed");
	if (record_plan_create(p, RECORD_MEDICATION, renewed, in->request_id) < 0 ||
	    record_plan_update(p, e, completed, cause) < 0) {
		if (*cause == NULL)
			*cause = xstrdup("the renewal could not be planned");
		fhir_plan_free(&p);
	}
	cJSON_Delete(completed);
	cJSON_Delete(renewed);
	return p;
}

/* --- allergies ---------------------------------------------------------------------------- */

/* Whether S (N bytes) begins with PREFIX, any case. */
static bool
starts_nocase(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && strncasecmp(s, prefix, k) == 0;
}

/*
 * The substance an allergy's words name, into OUT: "Allergy to penicillin" and
 * "Penicillin allergy" read as "penicillin"; at most MATCH_SUBSTANCE_MAX bytes, trimmed.
 * False when fewer than MATCH_SUBSTANCE_MIN are left: too short to match safely.
 */
static bool
substance_of(const char *what, char out[MATCH_SUBSTANCE_MAX + 1])
{
	static const char *const before[] = { "allergy to ", "allergic to ", "intolerance to " };
	static const char *const after[] = { " allergy", " intolerance", " (substance)",
		" (disorder)" };
	size_t n = strnlen(what, MATCH_SUBSTANCE_MAX);

	for (size_t i = 0; i < sizeof before / sizeof before[0]; i++)
		if (starts_nocase(what, n, before[i])) {
			what += strlen(before[i]);
			n -= strlen(before[i]);
			break;
		}
	while (n > 0 && isspace((unsigned char)*what)) {
		what++;
		n--;
	}
	for (size_t i = 0; i < sizeof after / sizeof after[0]; i++) {
		size_t k = strlen(after[i]);

		if (n >= k && strncasecmp(what + n - k, after[i], k) == 0)
			n -= k;
	}
	while (n > 0 && isspace((unsigned char)what[n - 1]))
		n--;
	memcpy(out, what, n);
	out[n] = '\0';
	return n >= MATCH_SUBSTANCE_MIN;
}

/* Whether SUBSTANCE begins a word of TEXT (its first LEN bytes), any case. */
static bool
begins_a_word(const char *text, size_t len, const char *substance)
{
	size_t k = strlen(substance);

	for (size_t i = 0; i + k <= len; i++) {
		if (i > 0 && isalnum((unsigned char)text[i - 1]))
			continue;
		if (strncasecmp(text + i, substance, k) == 0)
			return true;
	}
	return false;
}

bool
medication_matches_allergy(const char *rxnorm, const char *text, const char *allergy_rxnorm,
    const char *allergy_what)
{
	size_t len = text != NULL ? strnlen(text, MATCH_TEXT_MAX) : 0;
	char substance[MATCH_SUBSTANCE_MAX + 1];

	if (!blank(rxnorm) && allergy_rxnorm != NULL && strcmp(allergy_rxnorm, rxnorm) == 0)
		return true;
	return len > 0 && allergy_what != NULL && substance_of(allergy_what, substance) &&
	       begins_a_word(text, len, substance);
}

const struct record_entry *
medication_allergy_match(const char *rxnorm, const char *text, const struct record_list *allergies)
{
	for (size_t i = 0; allergies != NULL && i < allergies->n; i++) {
		const struct record_entry *a = &allergies->items[i];

		if (!a->no_known && medication_matches_allergy(rxnorm, text, a->code, a->what))
			return a;
	}
	return NULL;
}

/* --- the form's one read ------------------------------------------------------------------ */

enum { E_MEDS, E_ALLERGIES, E_LISTS, E_VISITS, E_ME, E_COUNT };

cJSON *
medication_chart_batch(const struct fhir_client *fc, const char *id, const char *user)
{
	cJSON *entries, *batch;
	struct fhir_search *s;
	char *v;

	if (!fhir_valid_id(id))
		return NULL;
	batch = fhir_batch_new(&entries);
	s = record_active_search(RECORD_MEDICATION, id);
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	s = record_active_search(RECORD_ALLERGY, id);
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);

	s = fhir_search_new("List");
	fhir_search_add(s, "subject", id);
	fhir_search_add(s, "code", LOINC "|" MED_LIST_CODE);
	fhir_search_add(s, "_sort", "-date");
	fhir_search_add(s, "_count", "1");
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);

	/* The visit the patient is at now: checked in (src/fhir/schedule.c) and not yet out. */
	s = fhir_search_new("Encounter");
	fhir_search_add(s, "patient", id);
	fhir_search_add(s, "status", "in-progress,arrived,triaged,onleave");
	fhir_search_add(s, "_sort", "-date");
	fhir_search_add(s, "_count", "1");
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);

	if (user != NULL && *user != '\0') {
		s = fhir_search_new("Practitioner");
		v = xasprintf("%s|%s", CERT_CN, user);
		fhir_search_add(s, "identifier", v);
		fhir_search_add(s, "_count", "2");
		fhir_batch_add_search(entries, fc, s);
		fhir_search_free(&s);
		free(v);
	}
	return batch;
}

void
medication_chart_clear(struct medication_chart *c)
{
	record_list_clear(&c->meds);
	record_list_clear(&c->allergies);
	patient_allergies_clear(&c->banner);
	free(c->practitioner);
	free(c->visit);
	free(c->visit_start);
	free(c->visit_failed);
	free(c->last_failed);
	cJSON_Delete(c->last.list);
	free(c->last.date);
	free(c->last.encounter);
	memset(c, 0, sizeof *c);
}

static const cJSON *
searchset_of(const cJSON *entries, int i, const char *what, char **cause)
{
	const cJSON *entry = cJSON_GetArrayItem(entries, i);
	const cJSON *r = fhir_get_object(entry, "resource");
	const char *type = fhir_get_string(r, "resourceType");

	if (!fhir_entry_ok(entry)) {
		*cause = fhir_entry_failure(entry, what);
		return NULL;
	}
	if (type == NULL || strcmp(type, "Bundle") != 0) {
		*cause = xasprintf("the answer for %s is not a list", what);
		return NULL;
	}
	return r;
}

/*
 * The entries of SEARCHSET of TYPE, at most MAX looked at, each handed to FN; -1 (and
 * *CAUSE) as soon as one is another patient's, by its member PATIENT_FIELD.
 */
static int
each_of(const cJSON *searchset, const char *type, const char *patient_field, const char *id,
    size_t max, void (*fn)(const cJSON *r, struct medication_chart *out),
    struct medication_chart *out, char **cause)
{
	const cJSON *entry;
	size_t seen = 0;

	cJSON_ArrayForEach(entry, fhir_get_array(searchset, "entry"))
	{
		const cJSON *r = fhir_get_object(entry, "resource");
		const char *t = fhir_get_string(r, "resourceType");

		if (t == NULL || strcmp(t, type) != 0)
			continue;
		if (seen++ == max)
			break;
		if (!patient_refers_to(fhir_get_string(fhir_get_object(r, patient_field), "reference"),
			id)) {
			*cause = xasprintf("the answer holds another patient's %s; nothing of it is used",
			    type);
			return -1;
		}
		fn(r, out);
	}
	return 0;
}

static void
take_list(const cJSON *r, struct medication_chart *out)
{
	const char *status = fhir_get_string(r, "status");
	const char *date = fhir_get_string(r, "date");
	const char *enc = fhir_get_string(fhir_get_object(r, "encounter"), "reference");
	const char *slash = enc != NULL ? strrchr(enc, '/') : NULL;

	/* The newest that stands: one entered in error says nothing was reconciled. */
	if (out->last.list != NULL || (status != NULL && strcmp(status, "current") != 0))
		return;
	out->last.list = cJSON_Duplicate(r, true);
	/* "2026-03-04T10:00:00-05:00" -> "2026-03-04 10:00": the review's day and time. */
	out->last.date = xstrndup(date != NULL ? date : "", date != NULL ? strnlen(date, 16) : 0);
	if (strlen(out->last.date) > 10 && out->last.date[10] == 'T')
		out->last.date[10] = ' ';
	out->last.encounter = xstrdup(slash != NULL && fhir_refers_to(enc, "Encounter", slash + 1)
		? slash + 1 : "");
	out->last.entries = (size_t)cJSON_GetArraySize(fhir_get_array(r, "entry"));
}

static void
take_visit(const cJSON *r, struct medication_chart *out)
{
	static const char *const open[] = { "in-progress", "arrived", "triaged", "onleave" };
	const char *status = fhir_get_string(r, "status");
	const char *start = fhir_get_string(fhir_get_object(r, "period"), "start");

	if (out->visit != NULL || status == NULL || fhir_id_of(r) == NULL)
		return;
	for (size_t i = 0; i < sizeof open / sizeof open[0]; i++)
		if (strcmp(status, open[i]) == 0) {
			out->visit = xstrdup(fhir_id_of(r));
			out->visit_start = xstrdup(start != NULL ? start : "");
			return;
		}
}

/* Who is logged in: the one Practitioner with the certificate's CN as its identifier. */
static char *
practitioner_of(const cJSON *searchset, const char *user)
{
	const cJSON *entry, *ident;
	const char *found = NULL;

	cJSON_ArrayForEach(entry, fhir_get_array(searchset, "entry"))
	{
		const cJSON *r = fhir_get_object(entry, "resource");
		const char *t = fhir_get_string(r, "resourceType");
		size_t seen = 0;
		bool mine = false;

		if (t == NULL || strcmp(t, "Practitioner") != 0 || fhir_id_of(r) == NULL)
			continue;
		cJSON_ArrayForEach(ident, fhir_get_array(r, "identifier"))
		{
			const char *sys = fhir_get_string(ident, "system");
			const char *val = fhir_get_string(ident, "value");

			if (seen++ == 16)
				break;
			if (sys != NULL && val != NULL && strcmp(sys, CERT_CN) == 0 &&
			    strcmp(val, user) == 0)
				mine = true;
		}
		if (!mine)
			continue;
		if (found != NULL)
			return NULL; /* two claim the user: neither is named */
		found = fhir_id_of(r);
	}
	return found != NULL ? xasprintf("Practitioner/%s", found) : NULL;
}

int
medication_chart_read(const cJSON *response, const char *id, const char *user,
    struct medication_chart *out, char **cause)
{
	const cJSON *entries = fhir_get_array(response, "entry");
	const char *rt = fhir_get_string(response, "resourceType");
	const cJSON *set;
	char *why = NULL;
	int want = user != NULL && *user != '\0' ? E_COUNT : E_ME;

	memset(out, 0, sizeof *out);
	*cause = NULL;
	if (rt == NULL || strcmp(rt, "Bundle") != 0 || cJSON_GetArraySize(entries) != want) {
		*cause = xstrdup("the server's answer is not the medications asked for");
		return -1;
	}
	if ((set = searchset_of(entries, E_MEDS, "the medications", cause)) == NULL ||
	    record_list_read(RECORD_MEDICATION, set, id, &out->meds, cause) != 0)
		goto fail;
	if ((set = searchset_of(entries, E_ALLERGIES, "the allergies", cause)) == NULL ||
	    record_list_read(RECORD_ALLERGY, set, id, &out->allergies, cause) != 0)
		goto fail;
	patient_allergies_read(set, id, &out->banner);
	/* Without these, reconciling is refused with the reason; the lists still show. */
	if ((set = searchset_of(entries, E_LISTS, "the last reconciliation", &why)) != NULL &&
	    each_of(set, "List", "subject", id, LISTS_MAX, take_list, out, cause) != 0)
		goto fail;
	out->last_failed = why;
	why = NULL;
	if ((set = searchset_of(entries, E_VISITS, "the open visit", &why)) != NULL &&
	    each_of(set, "Encounter", "subject", id, VISITS_MAX, take_visit, out, cause) != 0)
		goto fail;
	out->visit_failed = why;
	why = NULL;
	/* Not known, the orders are renewed and the list reconciled without naming who. */
	if (want == E_COUNT && (set = searchset_of(entries, E_ME, "who is logged in", &why)) != NULL)
		out->practitioner = practitioner_of(set, user);
	free(why);
	return 0;
fail:
	free(why);
	medication_chart_clear(out);
	if (*cause == NULL)
		*cause = xstrdup("the medications could not be read");
	return -1;
}

bool
medication_chart_has_request(const struct medication_chart *c, const char *request_id)
{
	return record_list_has_request(&c->meds, request_id) ||
	       (c->last.list != NULL && fhir_carries_request(c->last.list, request_id));
}

bool
medication_reconciled_now(const struct medication_chart *c)
{
	return c->last.list != NULL && c->visit != NULL && strcmp(c->last.encounter, c->visit) == 0;
}

/* --- reconciling ------------------------------------------------------------------------- */

struct fhir_plan *
medication_reconcile_plan(const struct medication_chart *c, const char *id, const char *now,
    const char *request_id, char **cause)
{
	struct fhir_plan *p;
	struct fhir_search *guard;
	cJSON *list, *entries;
	int step;

	if (blank(id) || blank(now) || blank(request_id)) {
		*cause = xstrdup("the reconciliation lacks the patient, the time or a request identifier");
		return NULL;
	}
	if (c->visit == NULL) {
		*cause = c->visit_failed != NULL
		    ? xasprintf("the open visit could not be read (%s)", c->visit_failed)
		    : xstrdup("the patient has no open visit: check the patient in first");
		return NULL;
	}
	if (c->meds.more > 0) {
		*cause = xasprintf("%zu more orders are active than this screen reads: reconcile "
				   "them where all can be seen",
		    c->meds.more);
		return NULL;
	}
	list = cJSON_CreateObject();
	cJSON_AddStringToObject(list, "resourceType", "List");
	fhir_add_request_id(list, request_id);
	cJSON_AddStringToObject(list, "status", "current");
	cJSON_AddStringToObject(list, "mode", "snapshot");
	cJSON_AddStringToObject(list, "title", "Medication list reconciled");
	cJSON_AddItemToObject(list, "code",
	    fhir_codeable(LOINC, MED_LIST_CODE, "History of Medication use Narrative"));
	cJSON_AddItemToObject(list, "subject", reference_to("Patient", id));
	cJSON_AddItemToObject(list, "encounter", reference_to("Encounter", c->visit));
	cJSON_AddStringToObject(list, "date", now);
	if (c->practitioner != NULL)
		cJSON_AddItemToObject(list, "source", reference_to(NULL, c->practitioner));
	entries = cJSON_CreateArray();
	for (size_t i = 0; i < c->meds.n; i++) {
		const struct record_entry *e = &c->meds.items[i];
		const char *mid = fhir_id_of(e->resource);
		cJSON *entry, *item;
		char *ref;

		if (mid == NULL || e->version == NULL || !fhir_valid_id(e->version)) {
			*cause = xasprintf("%s has no version to say which was reviewed: refresh",
			    e->what);
			cJSON_Delete(entries);
			cJSON_Delete(list);
			return NULL;
		}
		entry = cJSON_CreateObject();
		item = cJSON_AddObjectToObject(entry, "item");
		ref = xasprintf("MedicationRequest/%s/_history/%s", mid, e->version);
		cJSON_AddStringToObject(item, "reference", ref);
		cJSON_AddStringToObject(item, "display", e->what);
		free(ref);
		cJSON_AddItemToArray(entries, entry);
	}
	if (c->meds.n > 0) {
		cJSON_AddItemToObject(list, "entry", entries);
	} else {
		/* R4's lst-1: an empty list says why; the patient takes nothing known. */
		cJSON_Delete(entries);
		cJSON_AddItemToObject(list, "emptyReason", fhir_codeable(LIST_EMPTY, "nilknown", "Nil Known"));
	}
	p = fhir_plan_new();
	guard = fhir_request_search("List", request_id);
	step = fhir_plan_create(p, list, guard);
	fhir_search_free(&guard);
	cJSON_Delete(list);
	if (step < 0) {
		fhir_plan_free(&p);
		*cause = xstrdup("the reconciliation could not be planned");
	}
	return p;
}
