/* Charting, the visit wrap-up: what it reads in one batch, the clinician's choices, and the one transaction it writes. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/billing.h"
#include "fhir/chart.h"
#include "fhir/wrapup.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#define CLINICAL "http://terminology.hl7.org/CodeSystem/condition-clinical"
#define VERIFICATION "http://terminology.hl7.org/CodeSystem/condition-ver-status"
/* A resource's array entries looked at (codings, identifiers, locations), whatever the server sends. */
#define SCAN_MAX 20
/* Encounter.diagnosis entries looked at: a claim's twelve, and as many more ignored. */
#define DIAGNOSIS_SCAN (2 * WRAPUP_DIAGNOSES_MAX)
/* The longest code a row holds (ICD-10-CM is 8, CPT 5). */
#define CODE_MAX 15

enum { W_ME, W_VISIT, W_PROBLEMS, W_FEES, W_COUNT };

static bool
blank(const char *s)
{
	return s == NULL || s[strspn(s, " \t\r\n")] == '\0';
}

static char *
dup_or_null(const char *s)
{
	return s != NULL && *s != '\0' ? xstrdup(s) : NULL;
}

static bool
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* The coding of CONCEPT in SYSTEM, or NULL. */
static const cJSON *
coding_in(const cJSON *concept, const char *system)
{
	const cJSON *c;
	int k = 0;

	cJSON_ArrayForEach(c, fhir_get_array(concept, "coding"))
	{
		if (k++ >= SCAN_MAX)
			break;
		if (same(fhir_get_string(c, "system"), system) && fhir_get_string(c, "code") != NULL)
			return c;
	}
	return NULL;
}

/* The id REF names when it is a reference to a TYPE, else NULL (borrowed). */
static const char *
id_of_ref(const char *ref, const char *type)
{
	const char *slash = ref != NULL ? strrchr(ref, '/') : NULL;

	if (slash == NULL || !fhir_refers_to(ref, type, slash + 1))
		return NULL;
	return slash + 1;
}

/* --- the batch ---------------------------------------------------------------------------- */

cJSON *
wrapup_context_batch(const struct fhir_client *fc, const char *patient, const char *user,
    const char *encounter)
{
	cJSON *entries, *batch;
	struct fhir_search *s;
	char *v, count[16];

	if (!fhir_valid_id(patient) || (encounter != NULL && !fhir_valid_id(encounter)))
		return NULL;
	batch = fhir_batch_new(&entries);
	s = fhir_search_new("Practitioner");
	v = xasprintf("%s|%s", NOTE_CERT_CN, user != NULL ? user : "");
	fhir_search_add(s, "identifier", v);
	fhir_search_add(s, "_count", "2");
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	free(v);
	/* The visit and what was recorded at it, in one search: its id is not known yet. */
	s = fhir_search_new("Encounter");
	fhir_search_add(s, "patient", patient);
	if (encounter != NULL) {
		fhir_search_add(s, "_id", encounter);
	} else {
		fhir_search_add(s, "status", "in-progress,arrived,triaged,onleave");
		fhir_search_add(s, "_sort", "-date");
	}
	fhir_search_add(s, "_count", "1");
	fhir_search_add(s, "_include", "Encounter:diagnosis");
	fhir_search_add(s, "_revinclude", "Condition:encounter");
	fhir_search_add(s, "_revinclude", "Procedure:encounter");
	fhir_search_add(s, "_revinclude", "DocumentReference:encounter");
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	s = record_active_search(RECORD_PROBLEM, patient);
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	/* The codes' names only: a few kB where the whole schedule with prices is far more. */
	s = fhir_search_new("ChargeItemDefinition");
	snprintf(count, sizeof count, "%d", WRAPUP_FEES_MAX);
	fhir_search_add(s, "status", "active");
	fhir_search_add(s, "_elements", "code");
	fhir_search_add(s, "_count", count);
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	return batch;
}

/* The searchset of batch entry I, or NULL when it failed or is not one. */
static const cJSON *
entry_set(const cJSON *entries, int i)
{
	const cJSON *entry = cJSON_GetArrayItem(entries, i);
	const cJSON *r = fhir_get_object(entry, "resource");

	return fhir_entry_ok(entry) && same(fhir_get_string(r, "resourceType"), "Bundle") ? r : NULL;
}

static int
fee_order(const void *a, const void *b)
{
	return strcmp(((const struct wrapup_fee *)a)->code, ((const struct wrapup_fee *)b)->code);
}

/* The CPT codes of the fee schedule's definitions in SET, sorted, each once. */
static void
fees_read(const cJSON *set, struct wrapup_context *out)
{
	cJSON *defs = fhir_bundle_take(set, "ChargeItemDefinition", WRAPUP_FEES_MAX, NULL);
	const cJSON *d;
	size_t n = 0;

	out->fees = xcalloc((size_t)cJSON_GetArraySize(defs) + 1, sizeof *out->fees);
	cJSON_ArrayForEach(d, defs)
	{
		const cJSON *c = coding_in(fhir_get_object(d, "code"), WRAPUP_CS_CPT);
		const char *code = fhir_get_string(c, "code"), *display = fhir_get_string(c, "display");

		if (c == NULL || !wrapup_cpt_valid(code))
			continue;
		out->fees[n].code = xstrdup(code);
		out->fees[n++].display = xstrdup(display != NULL ? display : "");
	}
	cJSON_Delete(defs);
	qsort(out->fees, n, sizeof *out->fees, fee_order);
	out->nfees = 0;
	for (size_t i = 0; i < n; i++) {
		if (out->nfees > 0 && strcmp(out->fees[out->nfees - 1].code, out->fees[i].code) == 0) {
			free(out->fees[i].code);
			free(out->fees[i].display);
			continue;
		}
		out->fees[out->nfees++] = out->fees[i];
	}
}

const char *
wrapup_fee_name(const struct wrapup_context *c, const char *code)
{
	struct wrapup_fee key = { .code = (char *)code }, *f;

	if (code == NULL || c->nfees == 0)
		return NULL;
	f = bsearch(&key, c->fees, c->nfees, sizeof *c->fees, fee_order);
	return f != NULL && *f->display != '\0' ? f->display : NULL;
}

/* One Encounter.diagnosis entry as read: the Condition's id and its rank. */
struct diag_ref {
	const char *id;
	long rank;
	size_t at;
};

static int
diag_order(const void *a, const void *b)
{
	const struct diag_ref *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

/*
 * ENC's diagnoses that name a Condition, into OUT (DIAGNOSIS_SCAN of them at most), by
 * rank (absent: after the ranked ones, in their order). Returns how many.
 */
static size_t
diag_refs(const cJSON *enc, struct diag_ref *out)
{
	const cJSON *d;
	size_t n = 0, k = 0;

	cJSON_ArrayForEach(d, fhir_get_array(enc, "diagnosis"))
	{
		const char *id = id_of_ref(
		    fhir_get_string(fhir_get_object(d, "condition"), "reference"), "Condition");
		const cJSON *rank = cJSON_GetObjectItemCaseSensitive(d, "rank");

		if (k++ >= DIAGNOSIS_SCAN)
			break;
		if (id == NULL)
			continue;
		out[n].id = id;
		out[n].rank = cJSON_IsNumber(rank) && rank->valuedouble >= 1 && rank->valuedouble < 1e6
		    ? (long)rank->valuedouble : 1000000;
		out[n].at = n;
		n++;
	}
	qsort(out, n, sizeof *out, diag_order);
	return n;
}

/* An index of resources by id, to join without a loop inside a loop. */
struct by_id {
	const char *id;
	const cJSON *r;
};

static int
by_id_order(const void *a, const void *b)
{
	return strcmp(((const struct by_id *)a)->id, ((const struct by_id *)b)->id);
}

static const cJSON *
by_id_find(const struct by_id *ix, size_t n, const char *id)
{
	struct by_id key = { .id = id }, *f;

	if (id == NULL || n == 0)
		return NULL;
	f = bsearch(&key, ix, n, sizeof *ix, by_id_order);
	return f != NULL ? f->r : NULL;
}

/* An index of ARRAY's resources (valid ids), sorted; *N of them. The caller frees it. */
static struct by_id *
by_id_index(const cJSON *array, size_t *n)
{
	struct by_id *ix = xcalloc((size_t)cJSON_GetArraySize(array) + 1, sizeof *ix);
	const cJSON *r;

	*n = 0;
	cJSON_ArrayForEach(r, array)
	{
		if (fhir_id_of(r) == NULL)
			continue;
		ix[*n].id = fhir_id_of(r);
		ix[(*n)++].r = r;
	}
	qsort(ix, *n, sizeof *ix, by_id_order);
	return ix;
}

static bool
about(const cJSON *r, const char *field, const char *patient)
{
	return fhir_refers_to(fhir_get_string(fhir_get_object(r, field), "reference"), "Patient",
	    patient);
}

static bool
entered_in_error(const cJSON *r)
{
	const char *status = fhir_get_string(r, "status");

	return fhir_has_code(fhir_get_object(r, "verificationStatus"), "entered-in-error") ||
	    same(status, "entered-in-error") || same(status, "not-done");
}

/* Whether Condition R is the visit ENCOUNTER's: recorded at it, or named by one of its REFS. */
static bool
of_visit(const cJSON *r, const char *encounter, const struct diag_ref *refs, size_t nrefs)
{
	for (size_t i = 0; i < nrefs; i++) /* at most DIAGNOSIS_SCAN: a claim's bound */
		if (same(refs[i].id, fhir_id_of(r)))
			return true;
	return fhir_refers_to(fhir_get_string(fhir_get_object(r, "encounter"), "reference"),
	    "Encounter", encounter);
}

/* The Encounter of SET that the batch asked for (ENCOUNTER, or the first), or NULL. */
static const cJSON *
visit_of(const cJSON *encs, const char *patient, const char *encounter, char **cause)
{
	const cJSON *r, *found = NULL;

	cJSON_ArrayForEach(r, encs)
	{
		if (!about(r, "subject", patient)) {
			*cause = xstrdup("the answer holds another patient's visit; nothing of it is used");
			return NULL;
		}
		if (found == NULL && (encounter == NULL || same(fhir_id_of(r), encounter)))
			found = r;
	}
	return found;
}

/* The visit's notes counted, and its one draft kept. */
static int
notes_read(const cJSON *docs, const char *patient, const char *base, struct wrapup_context *out,
    char **cause)
{
	const cJSON *d;
	char *me = out->practitioner != NULL ? xasprintf("Practitioner/%s", out->practitioner) : NULL;

	cJSON_ArrayForEach(d, docs)
	{
		struct note_view v;

		if (note_view_read(d, base, &v, cause) != 0) {
			free(*cause);
			*cause = NULL;
			continue;
		}
		if (!same(v.patient, patient)) {
			note_view_clear(&v);
			free(me);
			*cause = xstrdup("the answer holds another patient's note; nothing of it is used");
			return -1;
		}
		if (strcmp(v.encounter + (strncmp(v.encounter, "Encounter/", 10) == 0 ? 10 : 0),
			out->encounter_id) != 0 || v.status != NOTE_CURRENT) {
			note_view_clear(&v);
			continue;
		}
		if (v.draft) {
			if (out->drafts++ == 0) {
				out->draft = v;
				out->has_draft = true;
				continue;
			}
		} else if (v.doc_status == NOTE_DOC_FINAL || v.doc_status == NOTE_DOC_AMENDED) {
			out->signed_notes++;
		}
		note_view_clear(&v);
	}
	if (out->drafts > 1)
		out->note = WRAPUP_NOTE_DRAFTS;
	else if (out->drafts == 1)
		out->note = same(out->draft.author, me) ? WRAPUP_NOTE_DRAFT : WRAPUP_NOTE_OTHERS;
	else
		out->note = out->signed_notes > 0 ? WRAPUP_NOTE_SIGNED : WRAPUP_NOTE_NONE;
	free(me);
	return 0;
}

/* The visit ENCOUNTER (NULL: the first) of SET and what was recorded at it, into OUT. */
static int
visit_read(const cJSON *set, const char *patient, const char *encounter, const char *base,
    struct wrapup_context *out, char **cause)
{
	bool cut[4] = { false };
	cJSON *encs = fhir_bundle_take(set, "Encounter", WRAPUP_VISIT_MAX, &cut[0]);
	cJSON *conds = fhir_bundle_take(set, "Condition", WRAPUP_VISIT_MAX, &cut[1]);
	cJSON *procs = fhir_bundle_take(set, "Procedure", WRAPUP_VISIT_MAX, &cut[2]);
	cJSON *docs = fhir_bundle_take(set, "DocumentReference", WRAPUP_VISIT_MAX, &cut[3]);
	const cJSON *enc = visit_of(encs, patient, encounter, cause), *r;
	struct diag_ref refs[DIAGNOSIS_SCAN];
	size_t nrefs;
	int rc = -1;

	if (*cause != NULL)
		goto done;
	if (enc == NULL) {
		rc = 0;
		if (encounter != NULL) {
			*cause = xstrdup("the visit is not on the server");
			rc = -1;
		}
		goto done;
	}
	out->encounter = cJSON_Duplicate(enc, true);
	out->encounter_id = xstrdup(fhir_id_of(enc));
	out->version = dup_or_null(fhir_version_of(enc));
	if (out->version != NULL && !fhir_valid_id(out->version)) {
		free(out->version);
		out->version = NULL;
	}
	out->status = xstrdup(fhir_get_string(enc, "status") ? fhir_get_string(enc, "status") : "");
	r = fhir_get_object(enc, "period");
	out->start = xstrdup(fhir_get_string(r, "start") ? fhir_get_string(r, "start") : "");
	out->finished = strcmp(out->status, "finished") == 0;
	out->cut = cut[1] || cut[2] || cut[3];
	/* The Conditions at the visit, and those its diagnoses name wherever recorded. */
	nrefs = diag_refs(enc, refs);
	out->conditions = cJSON_CreateArray();
	cJSON_ArrayForEach(r, conds)
	{
		if (!about(r, "subject", patient)) {
			*cause = xstrdup("the answer holds another patient's condition; nothing of it is "
					 "used");
			goto done;
		}
		if (entered_in_error(r) || !of_visit(r, out->encounter_id, refs, nrefs))
			continue;
		cJSON_AddItemToArray(out->conditions, cJSON_Duplicate(r, true));
	}
	out->procedures = cJSON_CreateArray();
	cJSON_ArrayForEach(r, procs)
	{
		if (!about(r, "subject", patient)) {
			*cause = xstrdup("the answer holds another patient's procedure; nothing of it is "
					 "used");
			goto done;
		}
		if (entered_in_error(r) ||
		    !fhir_refers_to(fhir_get_string(fhir_get_object(r, "encounter"), "reference"),
			"Encounter", out->encounter_id))
			continue;
		cJSON_AddItemToArray(out->procedures, cJSON_Duplicate(r, true));
	}
	rc = notes_read(docs, patient, base, out, cause);
done:
	cJSON_Delete(encs);
	cJSON_Delete(conds);
	cJSON_Delete(procs);
	cJSON_Delete(docs);
	return rc;
}

int
wrapup_context_read(const cJSON *response, const char *patient, const char *user,
    const char *encounter, const char *base, struct wrapup_context *out, char **cause)
{
	const cJSON *entries = fhir_get_array(response, "entry"), *set;

	memset(out, 0, sizeof *out);
	*cause = NULL;
	if (!same(fhir_get_string(response, "resourceType"), "Bundle") ||
	    cJSON_GetArraySize(entries) != W_COUNT) {
		*cause = xstrdup("the server's answer is not what was asked for");
		return -1;
	}
	out->practitioner = note_practitioner_of(entry_set(entries, W_ME), user);
	if ((set = entry_set(entries, W_VISIT)) == NULL) {
		*cause = fhir_entry_failure(cJSON_GetArrayItem(entries, W_VISIT), "the visit");
		goto fail;
	}
	if (visit_read(set, patient, encounter, base, out, cause) != 0)
		goto fail;
	if ((set = entry_set(entries, W_PROBLEMS)) == NULL)
		out->problems_failed = fhir_entry_failure(cJSON_GetArrayItem(entries, W_PROBLEMS),
		    "the problem list");
	else if (record_list_read(RECORD_PROBLEM, set, patient, &out->problems, cause) != 0)
		goto fail;
	/* Without the fee schedule a procedure is named by its code alone. */
	if ((set = entry_set(entries, W_FEES)) != NULL)
		fees_read(set, out);
	return 0;
fail:
	wrapup_context_clear(out);
	if (*cause == NULL)
		*cause = xstrdup("the server's answer could not be read");
	return -1;
}

void
wrapup_context_clear(struct wrapup_context *c)
{
	free(c->practitioner);
	cJSON_Delete(c->encounter);
	free(c->encounter_id);
	free(c->version);
	free(c->status);
	free(c->start);
	cJSON_Delete(c->conditions);
	cJSON_Delete(c->procedures);
	record_list_clear(&c->problems);
	free(c->problems_failed);
	if (c->has_draft)
		note_view_clear(&c->draft);
	for (size_t i = 0; i < c->nfees; i++) {
		free(c->fees[i].code);
		free(c->fees[i].display);
	}
	free(c->fees);
	memset(c, 0, sizeof *c);
}

/* --- the form ------------------------------------------------------------------------------ */

static bool
is_diagnosis(const struct wrapup_item *it)
{
	return it->kind == WRAPUP_DX_VISIT || it->kind == WRAPUP_DX_PROBLEM ||
	    it->kind == WRAPUP_DX_TYPED;
}

static struct wrapup_item *
push(struct wrapup_form *f)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 16;
		f->v = xreallocarray(f->v, f->cap, sizeof *f->v);
	}
	memset(&f->v[f->n], 0, sizeof f->v[f->n]);
	return &f->v[f->n++];
}

static void
item_clear(struct wrapup_item *it)
{
	free(it->source);
	free(it->code);
	free(it->display);
	free(it->snomed);
	free(it->snomed_display);
	free(it->what);
	free(it->text);
	memset(it, 0, sizeof *it);
}

void
wrapup_form_clear(struct wrapup_form *f)
{
	for (size_t i = 0; i < f->n; i++)
		item_clear(&f->v[i]);
	free(f->v);
	memset(f, 0, sizeof *f);
}

/*
 * CODE as ICD-10-CM writes it (upper case) into OUT when it is one as billing checks it
 * (bill_icd10cm_valid): a claim then takes what the wrap-up writes.
 */
static bool
icd10cm_of(const char *code, char out[CODE_MAX + 1])
{
	size_t n = code != NULL ? strlen(code) : 0;

	if (n == 0 || n > CODE_MAX)
		return false;
	for (size_t i = 0; i <= n; i++)
		out[i] = (char)toupper((unsigned char)code[i]);
	return bill_icd10cm_valid(out);
}

/* A row for Condition R; AT_VISIT when it was recorded at the visit. */
static void
item_condition(struct wrapup_item *it, const cJSON *r, bool at_visit)
{
	const cJSON *concept = fhir_get_object(r, "code");
	const cJSON *icd = coding_in(concept, WRAPUP_CS_ICD10CM);
	const cJSON *sct = coding_in(concept, WRAPUP_CS_SNOMED);
	const char *words = chart_concept_text(concept);
	char code[CODE_MAX + 1];
	bool coded = icd10cm_of(fhir_get_string(icd, "code"), code);

	it->kind = at_visit && coded ? WRAPUP_DX_VISIT : WRAPUP_DX_PROBLEM;
	it->source = xasprintf("Condition/%s", fhir_id_of(r));
	it->code = coded ? xstrdup(code) : NULL;
	it->display = coded ? dup_or_null(fhir_get_string(icd, "display")) : NULL;
	it->snomed = sct != NULL ? dup_or_null(fhir_get_string(sct, "code")) : NULL;
	it->snomed_display = it->snomed != NULL ? dup_or_null(fhir_get_string(sct, "display")) : NULL;
	it->what = xstrdup(words != NULL && *words != '\0' ? words : "(unnamed condition)");
}

static void
item_procedure(struct wrapup_item *it, const cJSON *r)
{
	const cJSON *concept = fhir_get_object(r, "code");
	const cJSON *cpt = coding_in(concept, WRAPUP_CS_CPT);
	const char *words = chart_concept_text(concept), *code = fhir_get_string(cpt, "code");

	it->kind = WRAPUP_PROC_DONE;
	it->source = xasprintf("Procedure/%s", fhir_id_of(r));
	it->code = code != NULL && strlen(code) <= CODE_MAX ? xstrdup(code) : NULL;
	it->display = cpt != NULL ? dup_or_null(fhir_get_string(cpt, "display")) : NULL;
	it->what = xstrdup(words != NULL && *words != '\0' ? words : "(unnamed procedure)");
}

static int
str_order(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The row of F that is SOURCE, or -1. F's rows are few (bounded by the readers): a scan. */
static long
row_of_source(const struct wrapup_form *f, const char *source)
{
	for (size_t i = 0; source != NULL && i < f->n; i++)
		if (same(f->v[i].source, source))
			return (long)i;
	return -1;
}

/* The diagnosis row of F with ICD-10-CM CODE, chosen first, or -1. */
static long
row_of_code(const struct wrapup_form *f, const char *code, bool diagnosis)
{
	long found = -1;

	for (size_t i = 0; code != NULL && i < f->n; i++) {
		if (is_diagnosis(&f->v[i]) != diagnosis || !same(f->v[i].code, code))
			continue;
		if (f->v[i].rank > 0 || !diagnosis)
			return (long)i;
		if (found < 0)
			found = (long)i;
	}
	return found;
}

size_t
wrapup_form_chosen(const struct wrapup_form *f)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n; i++)
		n += is_diagnosis(&f->v[i]) && f->v[i].rank > 0;
	return n;
}

size_t
wrapup_form_new_procedures(const struct wrapup_form *f)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n; i++)
		n += f->v[i].kind == WRAPUP_PROC_NEW;
	return n;
}

static void
copy_item(struct wrapup_item *to, const struct wrapup_item *from)
{
	to->kind = from->kind;
	to->source = from->source ? xstrdup(from->source) : NULL;
	to->code = from->code ? xstrdup(from->code) : NULL;
	to->display = from->display ? xstrdup(from->display) : NULL;
	to->snomed = from->snomed ? xstrdup(from->snomed) : NULL;
	to->snomed_display = from->snomed_display ? xstrdup(from->snomed_display) : NULL;
	to->what = xstrdup(from->what);
	to->text = from->text ? xstrdup(from->text) : NULL;
	to->rank = from->rank;
	to->code_typed = from->code_typed;
}

/* KEEP's choices over OUT's: the rows still there chosen in KEEP's order, what was typed kept. */
static void
keep_choices(const struct wrapup_form *keep, struct wrapup_form *out)
{
	size_t *order = xcalloc(keep->n + 1, sizeof *order), rank = 0;

	for (size_t i = 0; i < out->n; i++)
		out->v[i].rank = 0;
	wrapup_form_order(keep, order);
	for (size_t k = 0; k < keep->n; k++) {
		const struct wrapup_item *it = &keep->v[order[k]];
		long at;

		if (it->kind == WRAPUP_PROC_NEW) {
			if (row_of_code(out, it->code, false) < 0 &&
			    wrapup_form_new_procedures(out) < WRAPUP_PROCEDURES_MAX)
				copy_item(push(out), it);
			continue;
		}
		if (!is_diagnosis(it) || it->rank == 0 || rank == WRAPUP_DIAGNOSES_MAX)
			continue;
		at = it->kind != WRAPUP_DX_TYPED ? row_of_source(out, it->source) : -1;
		if (at >= 0 && it->code_typed && out->v[at].code == NULL) {
			out->v[at].code = xstrdup(it->code);
			out->v[at].code_typed = true;
			free(out->v[at].text);
			out->v[at].text = it->text ? xstrdup(it->text) : NULL;
		}
		if (at < 0 || out->v[at].code == NULL)
			at = row_of_code(out, it->code, true);
		if (at >= 0 && out->v[at].rank > 0)
			continue;
		if (at < 0) {
			if (it->kind != WRAPUP_DX_TYPED)
				continue; /* gone from the server: not chosen again behind the clinician */
			copy_item(push(out), it);
			at = (long)out->n - 1;
		}
		out->v[at].rank = (unsigned)++rank;
	}
	free(order);
}

void
wrapup_form_build(const struct wrapup_context *c, const struct wrapup_form *keep,
    struct wrapup_form *out)
{
	struct diag_ref refs[DIAGNOSIS_SCAN];
	size_t nrefs, nconds = 0, ncodes = 0, rank = 0;
	struct by_id *conds;
	const char **codes;
	const cJSON *r;

	memset(out, 0, sizeof *out);
	if (c->encounter == NULL)
		return;
	conds = by_id_index(c->conditions, &nconds);
	codes = xcalloc(nconds + 1, sizeof *codes);
	/* The diagnoses as the visit ranks them; then the rest recorded at it. */
	nrefs = diag_refs(c->encounter, refs);
	for (size_t i = 0; i < nrefs; i++) {
		const cJSON *cond = by_id_find(conds, nconds, refs[i].id);
		char *source;

		if (cond == NULL)
			continue;
		source = xasprintf("Condition/%s", refs[i].id);
		if (row_of_source(out, source) < 0) { /* at most DIAGNOSIS_SCAN rows so far */
			struct wrapup_item *it = push(out);

			item_condition(it, cond, true);
			if (it->code != NULL && rank < WRAPUP_DIAGNOSES_MAX &&
			    row_of_code(out, it->code, true) == (long)out->n - 1)
				it->rank = (unsigned)++rank;
		}
		free(source);
	}
	cJSON_ArrayForEach(r, c->conditions)
	{
		struct wrapup_item it = { 0 };
		bool named = false;

		for (size_t i = 0; i < nrefs; i++)
			named = named || same(refs[i].id, fhir_id_of(r));
		if (named)
			continue;
		item_condition(&it, r, true);
		*push(out) = it;
	}
	for (size_t i = 0; i < out->n; i++)
		if (out->v[i].code != NULL)
			codes[ncodes++] = out->v[i].code;
	qsort(codes, ncodes, sizeof *codes, str_order);
	/* The active problems, but for those recorded at the visit already (by id or code). */
	for (size_t i = 0; i < c->problems.n; i++) {
		const cJSON *p = c->problems.items[i].resource;
		struct wrapup_item it = { 0 };

		if (by_id_find(conds, nconds, fhir_id_of(p)) != NULL)
			continue;
		item_condition(&it, p, false);
		if (it.code != NULL && bsearch(&it.code, codes, ncodes, sizeof *codes, str_order)) {
			item_clear(&it);
			continue;
		}
		*push(out) = it;
	}
	cJSON_ArrayForEach(r, c->procedures)
		item_procedure(push(out), r);
	free(codes);
	free(conds);
	if (keep != NULL)
		keep_choices(keep, out);
}

void
wrapup_form_order(const struct wrapup_form *f, size_t *order)
{
	size_t n = 0;

	/* Chosen by rank: ranks are dense from 1, so each has its place. */
	for (size_t i = 0; i < f->n; i++)
		if (is_diagnosis(&f->v[i]) && f->v[i].rank > 0 && f->v[i].rank <= f->n)
			order[f->v[i].rank - 1] = i;
	n = wrapup_form_chosen(f);
	for (size_t i = 0; i < f->n; i++)
		if (is_diagnosis(&f->v[i]) && f->v[i].rank == 0)
			order[n++] = i;
	for (size_t i = 0; i < f->n; i++)
		if (!is_diagnosis(&f->v[i]))
			order[n++] = i;
}

static int
refuse(char **cause, const char *why)
{
	*cause = xstrdup(why);
	return -1;
}

int
wrapup_form_toggle(struct wrapup_form *f, size_t i, char **cause)
{
	struct wrapup_item *it;
	unsigned rank;

	if (i >= f->n)
		return refuse(cause, "choose a row first");
	it = &f->v[i];
	if (it->kind == WRAPUP_PROC_DONE)
		return refuse(cause, "the procedure is recorded at the visit already: it stays");
	if (it->kind == WRAPUP_PROC_NEW) {
		item_clear(it);
		memmove(&f->v[i], &f->v[i + 1], (f->n - i - 1) * sizeof *f->v);
		f->n--;
		return 0;
	}
	if ((rank = it->rank) > 0) {
		it->rank = 0;
		for (size_t k = 0; k < f->n; k++)
			if (is_diagnosis(&f->v[k]) && f->v[k].rank > rank)
				f->v[k].rank--;
		/* A code typed for an uncoded problem goes with it: chosen again, it is asked again. */
		if (it->code_typed) {
			free(it->code);
			it->code = NULL;
			free(it->text);
			it->text = NULL;
			it->code_typed = false;
		}
		return 0;
	}
	if (it->code == NULL)
		return refuse(cause, "it has no ICD-10-CM code: type one");
	if (row_of_code(f, it->code, true) != (long)i && f->v[row_of_code(f, it->code, true)].rank > 0) {
		*cause = xasprintf("%s is chosen already", it->code);
		return -1;
	}
	if (wrapup_form_chosen(f) >= WRAPUP_DIAGNOSES_MAX) {
		*cause = xasprintf("a claim holds %d diagnoses: leave one out first",
		    WRAPUP_DIAGNOSES_MAX);
		return -1;
	}
	it->rank = (unsigned)wrapup_form_chosen(f) + 1;
	return 0;
}

int
wrapup_form_move(struct wrapup_form *f, size_t i, int by, char **cause)
{
	size_t n = wrapup_form_chosen(f);
	long to;

	if (i >= f->n || !is_diagnosis(&f->v[i]) || f->v[i].rank == 0)
		return refuse(cause, "choose the diagnosis first; then it moves");
	to = (long)f->v[i].rank + by;
	if (to < 1 || to > (long)n)
		return refuse(cause, by < 0 ? "it is the primary diagnosis already"
					    : "it is the last diagnosis already");
	for (size_t k = 0; k < f->n; k++)
		if (is_diagnosis(&f->v[k]) && f->v[k].rank == (unsigned)to)
			f->v[k].rank = f->v[i].rank;
	f->v[i].rank = (unsigned)to;
	return 0;
}

/*
 * TYPED split into its code (upper case, into CODE) and its words (*WORDS, owned, NULL
 * when none). -1 and *CAUSE when either is not usable.
 */
static int
split_typed(const char *typed, char code[CODE_MAX + 1], char **words, const char *what,
    const char *example, char **cause)
{
	const char *s = typed != NULL ? typed + strspn(typed, " \t") : "";
	size_t n = strcspn(s, " \t"), len;
	const char *w;
	uint32_t cp;

	*words = NULL;
	if (n == 0) {
		*cause = xasprintf("type %s code, such as %s", what, example);
		return -1;
	}
	if (n > CODE_MAX) {
		*cause = xasprintf("what was typed is not %s code (such as %s)", what, example);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		code[i] = (char)toupper((unsigned char)s[i]);
	code[n] = '\0';
	w = s + n;
	w += strspn(w, " \t");
	len = strlen(w);
	while (len > 0 && (w[len - 1] == ' ' || w[len - 1] == '\t'))
		len--;
	if (len > WRAPUP_WORDS_MAX) {
		*cause = xasprintf("the words beside the code are longer than %d characters",
		    WRAPUP_WORDS_MAX);
		return -1;
	}
	for (size_t i = 0, k; i < len; i += k)
		if ((k = utf8_decode(w + i, len - i, &cp)) == 0 || cp < 0x20 || cp == 0x7f) {
			*cause = xstrdup("the words beside the code are not plain text");
			return -1;
		}
	*words = len > 0 ? xstrndup(w, len) : NULL;
	return 0;
}

/* Whether CODE (printable ASCII, CODE_MAX at most) may be named in a sentence. */
static const char *
shown(const char *code)
{
	for (const char *p = code; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '.')
			return "what was typed";
	return code;
}

long
wrapup_form_add_diagnosis(struct wrapup_form *f, const char *typed, size_t at, char **cause)
{
	char code[CODE_MAX + 1], *words = NULL;
	struct wrapup_item *it;
	long row;

	if (split_typed(typed, code, &words, "an ICD-10-CM", "E11.9", cause) != 0)
		return -1;
	if (!bill_icd10cm_valid(code)) {
		*cause = xasprintf("%s is not an ICD-10-CM code (such as E11.9)", shown(code));
		free(words);
		return -1;
	}
	row = row_of_code(f, code, true);
	if (row >= 0 && f->v[row].rank > 0) {
		*cause = xasprintf("%s is chosen already (number %u)", code, f->v[row].rank);
		free(words);
		return -1;
	}
	if (wrapup_form_chosen(f) >= WRAPUP_DIAGNOSES_MAX) {
		*cause = xasprintf("a claim holds %d diagnoses: leave one out first",
		    WRAPUP_DIAGNOSES_MAX);
		free(words);
		return -1;
	}
	if (at < f->n && f->v[at].kind == WRAPUP_DX_PROBLEM && f->v[at].code == NULL &&
	    f->v[at].rank == 0) {
		/* The code of a problem that had none: the problem is what is chosen. */
		it = &f->v[at];
		it->code = xstrdup(code);
		it->code_typed = true;
		it->text = words;
		row = (long)at;
	} else if (row >= 0) {
		free(words);
		it = &f->v[row];
	} else {
		it = push(f);
		it->kind = WRAPUP_DX_TYPED;
		it->code = xstrdup(code);
		it->what = xstrdup(words != NULL ? words : code);
		it->text = words;
		row = (long)f->n - 1;
	}
	it->rank = (unsigned)wrapup_form_chosen(f) + 1;
	return row;
}

bool
wrapup_cpt_valid(const char *code)
{
	if (code == NULL || strlen(code) != 5)
		return false;
	for (int i = 0; i < 4; i++)
		if (!isdigit((unsigned char)code[i]))
			return false;
	return isdigit((unsigned char)code[4]) || code[4] == 'F' || code[4] == 'T';
}

long
wrapup_form_add_procedure(struct wrapup_form *f, const struct wrapup_context *c,
    const char *typed, char **cause)
{
	char code[CODE_MAX + 1], *words = NULL;
	struct wrapup_item *it;
	const char *name;

	if (split_typed(typed, code, &words, "a CPT", "99213", cause) != 0)
		return -1;
	if (!wrapup_cpt_valid(code)) {
		*cause = xasprintf("%s is not a CPT code (five digits, or four and F or T, such as "
				   "99213)", shown(code));
		free(words);
		return -1;
	}
	if (row_of_code(f, code, false) >= 0) {
		*cause = xasprintf("%s is on the list already", code);
		free(words);
		return -1;
	}
	if (wrapup_form_new_procedures(f) >= WRAPUP_PROCEDURES_MAX) {
		*cause = xasprintf("one wrap-up records %d procedures at most", WRAPUP_PROCEDURES_MAX);
		free(words);
		return -1;
	}
	name = wrapup_fee_name(c, code);
	it = push(f);
	it->kind = WRAPUP_PROC_NEW;
	it->code = xstrdup(code);
	it->display = name != NULL ? xstrdup(name) : NULL;
	it->what = xstrdup(name != NULL ? name : words != NULL ? words : "(not in the fee schedule)");
	it->text = words;
	return (long)f->n - 1;
}

/* --- the write ----------------------------------------------------------------------------- */

char *
wrapup_refusal(const struct wrapup_context *c, const struct wrapup_form *f)
{
	if (c->encounter == NULL)
		return xstrdup("the patient has no open visit: it starts when the patient is "
			       "checked in");
	if (c->finished)
		return xstrdup("the visit is finished already");
	if (c->practitioner == NULL)
		return xstrdup("who is logged in is not known as a practitioner on the server");
	if (wrapup_form_chosen(f) == 0)
		return xstrdup("choose the visit's diagnoses first (at least one)");
	switch (c->note) {
	case WRAPUP_NOTE_NONE:
		return xstrdup("write the visit note first");
	case WRAPUP_NOTE_DRAFTS:
		return xasprintf("the visit has %zu draft notes: sign or retire all but one first",
		    c->drafts);
	case WRAPUP_NOTE_OTHERS:
		return xstrdup("the visit's draft note is someone else's: only its author signs it");
	default:
		return NULL;
	}
}

/* The request identifier of IT's create: REQUEST_ID and its code, the same whatever the order. */
static char *
item_request(const struct wrapup_item *it, const char *request_id)
{
	return xasprintf("%s-%s-%s", request_id, is_diagnosis(it) ? "dx" : "px", it->code);
}

static cJSON *
reference(const char *type, const char *id)
{
	cJSON *r = cJSON_CreateObject();
	char *to = xasprintf("%s/%s", type, id);

	cJSON_AddStringToObject(r, "reference", to);
	free(to);
	return r;
}

static cJSON *
coding(const char *system, const char *code, const char *display)
{
	cJSON *c = cJSON_CreateObject();

	cJSON_AddStringToObject(c, "system", system);
	cJSON_AddStringToObject(c, "code", code);
	if (display != NULL)
		cJSON_AddStringToObject(c, "display", display);
	return c;
}

/* A new encounter-diagnosis Condition for row IT. */
static cJSON *
condition_new(const struct wrapup_context *c, const struct wrapup_item *it,
    const struct wrapup_input *in)
{
	cJSON *r = cJSON_CreateObject(), *code, *codings;
	char *id = item_request(it, in->request_id);
	const char *text = it->text != NULL ? it->text
	    : it->kind == WRAPUP_DX_PROBLEM ? it->what : NULL;

	cJSON_AddStringToObject(r, "resourceType", "Condition");
	fhir_add_request_id(r, id);
	cJSON_AddItemToObject(r, "clinicalStatus", fhir_codeable(CLINICAL, "active", "Active"));
	cJSON_AddItemToObject(r, "verificationStatus",
	    fhir_codeable(VERIFICATION, "confirmed", "Confirmed"));
	cJSON_AddItemToArray(cJSON_AddArrayToObject(r, "category"),
	    fhir_codeable(WRAPUP_CS_CATEGORY, "encounter-diagnosis", "Encounter Diagnosis"));
	code = cJSON_AddObjectToObject(r, "code");
	codings = cJSON_AddArrayToObject(code, "coding");
	/* A typed code's words are the clinician's, not the code system's display. */
	cJSON_AddItemToArray(codings, coding(WRAPUP_CS_ICD10CM, it->code,
	    it->code_typed ? NULL : it->display));
	if (it->snomed != NULL)
		cJSON_AddItemToArray(codings, coding(WRAPUP_CS_SNOMED, it->snomed, it->snomed_display));
	if (text != NULL)
		cJSON_AddStringToObject(code, "text", text);
	cJSON_AddItemToObject(r, "subject", reference("Patient", in->patient));
	cJSON_AddItemToObject(r, "encounter", reference("Encounter", c->encounter_id));
	cJSON_AddStringToObject(r, "recordedDate", in->when);
	cJSON_AddItemToObject(r, "recorder", reference("Practitioner", c->practitioner));
	free(id);
	return r;
}

static cJSON *
procedure_new(const struct wrapup_context *c, const struct wrapup_item *it,
    const struct wrapup_input *in)
{
	cJSON *r = cJSON_CreateObject(), *code, *performer;
	char *id = item_request(it, in->request_id);

	cJSON_AddStringToObject(r, "resourceType", "Procedure");
	fhir_add_request_id(r, id);
	cJSON_AddStringToObject(r, "status", "completed");
	code = cJSON_AddObjectToObject(r, "code");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(code, "coding"),
	    coding(WRAPUP_CS_CPT, it->code, it->display));
	if (it->text != NULL)
		cJSON_AddStringToObject(code, "text", it->text);
	cJSON_AddItemToObject(r, "subject", reference("Patient", in->patient));
	cJSON_AddItemToObject(r, "encounter", reference("Encounter", c->encounter_id));
	cJSON_AddStringToObject(r, "performedDateTime", in->when);
	performer = cJSON_CreateObject();
	cJSON_AddItemToObject(performer, "actor", reference("Practitioner", c->practitioner));
	cJSON_AddItemToArray(cJSON_AddArrayToObject(r, "performer"), performer);
	free(id);
	return r;
}

/* A copy of R to write back: without meta and narrative, which are the server's. */
static cJSON *
copy_for_write(const cJSON *r)
{
	cJSON *c = cJSON_Duplicate(r, true);

	cJSON_DeleteItemFromObjectCaseSensitive(c, "meta");
	cJSON_DeleteItemFromObjectCaseSensitive(c, "text");
	return c;
}

/* The visit finished at WHEN with DIAGNOSES (taken): the rooms it was in left, as check-out does. */
static cJSON *
encounter_finished(const cJSON *encounter, const char *when, cJSON *diagnoses)
{
	cJSON *enc = copy_for_write(encounter), *period, *loc;
	int k = 0;

	fhir_set_string(enc, "status", "finished");
	period = cJSON_GetObjectItemCaseSensitive(enc, "period");
	if (!cJSON_IsObject(period)) {
		period = cJSON_CreateObject();
		fhir_set_item(enc, "period", period);
	}
	fhir_set_string(period, "end", when);
	cJSON_ArrayForEach(loc, cJSON_GetObjectItemCaseSensitive(enc, "location"))
	{
		const cJSON *type = fhir_get_object(loc, "physicalType");

		if (k++ >= SCAN_MAX)
			break;
		if (same(fhir_get_string(cJSON_GetArrayItem(fhir_get_array(type, "coding"), 0), "code"),
			"ro"))
			fhir_set_string(loc, "status", "completed");
	}
	fhir_set_item(enc, "diagnosis", diagnoses);
	return enc;
}

static struct fhir_plan *
plan_refused(struct fhir_plan **p, char **cause, char *why)
{
	fhir_plan_free(p);
	*cause = why;
	return NULL;
}

struct fhir_plan *
wrapup_plan(const struct wrapup_context *c, const struct wrapup_form *f,
    const struct wrapup_input *in, char **cause)
{
	char *why = wrapup_refusal(c, f);
	size_t *order, n = wrapup_form_chosen(f);
	struct fhir_plan *p = NULL;
	cJSON *diagnoses, *enc, *undo;
	int step;

	if (why != NULL)
		return plan_refused(&p, cause, why);
	if (!fhir_valid_id(in->patient) || blank(in->when) || blank(in->request_id))
		return plan_refused(&p, cause, xstrdup("the wrap-up lacks the patient, the time or "
						       "a request identifier"));
	if (c->version == NULL)
		return plan_refused(&p, cause, xstrdup("the visit cannot be changed safely: the "
						       "server gave no version of it"));
	if (c->note == WRAPUP_NOTE_DRAFT && (in->body == NULL || in->jws == NULL))
		return plan_refused(&p, cause, xstrdup("the visit note's text was not read and "
						       "signed"));
	p = fhir_plan_new_max(WRAPUP_DIAGNOSES_MAX + WRAPUP_PROCEDURES_MAX + 1 + 3);
	order = xcalloc(f->n + 1, sizeof *order);
	wrapup_form_order(f, order);
	/* The creates first: in steps, the encounter then names what they made. */
	diagnoses = cJSON_CreateArray();
	for (size_t k = 0; k < n; k++) {
		const struct wrapup_item *it = &f->v[order[k]];
		cJSON *d = cJSON_CreateObject(), *cond = cJSON_CreateObject();

		if (it->kind == WRAPUP_DX_VISIT) {
			cJSON_AddStringToObject(cond, "reference", it->source);
		} else {
			cJSON *r = condition_new(c, it, in);
			char *ident = item_request(it, in->request_id);
			struct fhir_search *guard = fhir_request_search("Condition", ident);

			step = fhir_plan_create(p, r, guard);
			cJSON_Delete(r);
			fhir_search_free(&guard);
			free(ident);
			if (step < 0) {
				cJSON_Delete(d);
				cJSON_Delete(cond);
				cJSON_Delete(diagnoses);
				free(order);
				return plan_refused(&p, cause, xstrdup("the diagnoses do not fit in one "
								       "write"));
			}
			cJSON_AddStringToObject(cond, "reference", fhir_plan_full_url(p, step));
		}
		cJSON_AddItemToObject(d, "condition", cond);
		cJSON_AddItemToObject(d, "use", fhir_codeable(WRAPUP_CS_ROLE, "billing", "Billing"));
		cJSON_AddNumberToObject(d, "rank", (double)(k + 1));
		cJSON_AddItemToArray(diagnoses, d);
	}
	free(order);
	for (size_t i = 0; i < f->n; i++) {
		const struct wrapup_item *it = &f->v[i];
		struct fhir_search *guard;
		char *ident;
		cJSON *r;

		if (it->kind != WRAPUP_PROC_NEW)
			continue;
		r = procedure_new(c, it, in);
		ident = item_request(it, in->request_id);
		guard = fhir_request_search("Procedure", ident);
		step = fhir_plan_create(p, r, guard);
		cJSON_Delete(r);
		fhir_search_free(&guard);
		free(ident);
		if (step < 0) {
			cJSON_Delete(diagnoses);
			return plan_refused(&p, cause, xstrdup("the procedures do not fit in one write"));
		}
	}
	enc = encounter_finished(c->encounter, in->when, diagnoses);
	undo = copy_for_write(c->encounter);
	step = fhir_plan_update(p, enc, c->version, undo);
	cJSON_Delete(enc);
	cJSON_Delete(undo);
	if (step < 0)
		return plan_refused(&p, cause, xstrdup("the visit could not be planned"));
	if (c->note == WRAPUP_NOTE_DRAFT &&
	    note_sign_steps(p, &c->draft, in->body, &(struct note_signing){ .signer = c->practitioner,
		.when = in->when, .jws = in->jws, .request_id = in->request_id }, cause) != 0) {
		fhir_plan_free(&p);
		return NULL;
	}
	return p;
}

/* The resource of ARRAY carrying request identifier ID, or NULL. */
static const cJSON *
carrying(const cJSON *array, const char *id)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, array)
		if (fhir_carries_request(r, id))
			return r;
	return NULL;
}

bool
wrapup_arrived(const struct wrapup_context *c, const struct wrapup_form *f,
    const char *request_id)
{
	struct diag_ref refs[DIAGNOSIS_SCAN];
	size_t *order, n = wrapup_form_chosen(f), nrefs;
	bool arrived = true;

	if (c->encounter == NULL || !c->finished)
		return false;
	nrefs = diag_refs(c->encounter, refs);
	if (nrefs != n)
		return false;
	order = xcalloc(f->n + 1, sizeof *order);
	wrapup_form_order(f, order);
	for (size_t k = 0; arrived && k < n; k++) {
		const struct wrapup_item *it = &f->v[order[k]];
		const char *id;

		if (it->kind == WRAPUP_DX_VISIT) {
			id = id_of_ref(it->source, "Condition");
		} else {
			char *ident = item_request(it, request_id);

			id = fhir_id_of(carrying(c->conditions, ident));
			free(ident);
		}
		arrived = id != NULL && same(id, refs[k].id);
	}
	free(order);
	for (size_t i = 0; arrived && i < f->n; i++) {
		char *ident;
		bool found;

		if (f->v[i].kind != WRAPUP_PROC_NEW)
			continue;
		ident = item_request(&f->v[i], request_id);
		found = carrying(c->procedures, ident) != NULL;
		free(ident);
		arrived = found;
	}
	return arrived;
}

/* --- what the write left on the server, from its answer ------------------------------------ */

/* The most entries a wrap-up's transaction-response holds: wrapup_plan's bound. */
#define SAVED_MAX (WRAPUP_DIAGNOSES_MAX + WRAPUP_PROCEDURES_MAX + 1 + 3)

static int
saved_refuse(char **cause, const char *why)
{
	*cause = xstrdup(why);
	return -1;
}

/*
 * Whether answer entry E's resource R, of TYPE, is what wrapup_plan's write on C makes:
 * a new Condition or Procedure of PATIENT at the visit, the draft signed, its text, its
 * Provenance. (The Encounter is looked at apart.)
 */
static bool
saved_fits(const struct wrapup_context *c, const char *patient, const char *type, const cJSON *r)
{
	bool signing = c->note == WRAPUP_NOTE_DRAFT && c->has_draft;

	if (strcmp(type, "Condition") == 0 || strcmp(type, "Procedure") == 0)
		return about(r, "subject", patient) &&
		    fhir_refers_to(fhir_get_string(fhir_get_object(r, "encounter"), "reference"),
			"Encounter", c->encounter_id);
	if (strcmp(type, "DocumentReference") == 0)
		return signing && same(fhir_id_of(r), c->draft.id) && about(r, "subject", patient) &&
		    same(fhir_get_string(r, "docStatus"), "final");
	if (strcmp(type, "Binary") == 0)
		return signing && same(id_of_ref(c->draft.binary, "Binary"), fhir_id_of(r));
	if (strcmp(type, "Provenance") == 0)
		return signing && note_provenance_targets(r, c->draft.id);
	return false;
}

int
wrapup_saved_read(const cJSON *response, const char *patient, struct wrapup_context *c,
    char **cause)
{
	const cJSON *entries = fhir_get_array(response, "entry"), *e, *r;
	const cJSON *enc = NULL, *enc_entry = NULL, *doc = NULL;
	const cJSON *made[SAVED_MAX];
	const char *version, *status;
	struct diag_ref refs[DIAGNOSIS_SCAN];
	struct by_id *ix;
	size_t nmade = 0, nrefs, nix;
	cJSON *conds, *procs;
	int n = 0;
	bool named = true;

	*cause = NULL;
	if (c->encounter == NULL || c->encounter_id == NULL || c->finished)
		return saved_refuse(cause, "the wrap-up held no open visit to take the answer to");
	cJSON_ArrayForEach(e, entries)
	{
		const char *type;

		r = fhir_get_object(e, "resource");
		type = fhir_get_string(r, "resourceType");
		if (++n > SAVED_MAX)
			return saved_refuse(cause, "the answer holds more than the wrap-up's write");
		/* A server that answers without the resources: what they are is read. */
		if (!fhir_entry_ok(e) || type == NULL || fhir_id_of(r) == NULL)
			return saved_refuse(cause, "the answer does not hold what the server saved");
		if (strcmp(type, "Encounter") == 0) {
			if (enc != NULL)
				return saved_refuse(cause, "the answer holds two visits");
			enc = r;
			enc_entry = e;
			continue;
		}
		if (!saved_fits(c, patient, type, r))
			return saved_refuse(cause, "the answer holds what the wrap-up did not write: "
						   "another patient's, another visit's or another note");
		if (strcmp(type, "DocumentReference") == 0)
			doc = r;
		else if (strcmp(type, "Condition") == 0 || strcmp(type, "Procedure") == 0)
			made[nmade++] = r;
	}
	if (enc == NULL)
		return saved_refuse(cause, "the answer does not hold the visit");
	version = fhir_version_of(enc);
	status = fhir_get_string(enc, "status");
	if (!same(fhir_id_of(enc), c->encounter_id) || !about(enc, "subject", patient) ||
	    !same(status, "finished") || !fhir_valid_id(version) || !fhir_entry_at(enc_entry, version))
		return saved_refuse(cause, "the visit in the answer is another, another patient's, "
					   "not finished, or has no version");
	if (c->note == WRAPUP_NOTE_DRAFT && c->has_draft && doc == NULL)
		return saved_refuse(cause, "the answer does not hold the signed note");
	/* What the visit read again would hold: what was read, what the write made. */
	nrefs = diag_refs(enc, refs);
	conds = cJSON_CreateArray();
	procs = cJSON_Duplicate(c->procedures, true);
	cJSON_ArrayForEach(r, c->conditions)
		if (of_visit(r, c->encounter_id, refs, nrefs))
			cJSON_AddItemToArray(conds, cJSON_Duplicate(r, true));
	for (size_t i = 0; i < nmade; i++)
		cJSON_AddItemToArray(same(fhir_get_string(made[i], "resourceType"), "Condition")
			? conds : procs, cJSON_Duplicate(made[i], true));
	/* Every diagnosis names a Condition held, and no Condition is held twice. */
	ix = by_id_index(conds, &nix);
	for (size_t i = 1; named && i < nix; i++)
		named = strcmp(ix[i - 1].id, ix[i].id) != 0;
	for (size_t i = 0; named && i < nrefs; i++)
		named = by_id_find(ix, nix, refs[i].id) != NULL;
	free(ix);
	if (!named) {
		cJSON_Delete(conds);
		cJSON_Delete(procs);
		return saved_refuse(cause, "the visit in the answer names a diagnosis the wrap-up "
					   "does not hold");
	}
	/* Nothing refused: the answer is what the server holds now. */
	cJSON_Delete(c->encounter);
	c->encounter = cJSON_Duplicate(enc, true);
	free(c->version);
	c->version = xstrdup(version);
	free(c->status);
	c->status = xstrdup(status);
	r = fhir_get_object(enc, "period");
	free(c->start);
	c->start = xstrdup(fhir_get_string(r, "start") ? fhir_get_string(r, "start") : "");
	c->finished = true;
	cJSON_Delete(c->conditions);
	c->conditions = conds;
	cJSON_Delete(c->procedures);
	c->procedures = procs;
	if (doc != NULL) {
		note_view_clear(&c->draft);
		c->has_draft = false;
		c->drafts = 0;
		c->signed_notes++;
		c->note = WRAPUP_NOTE_SIGNED;
	}
	return 0;
}

