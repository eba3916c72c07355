/*
 * The claim queue and the CMS-1500 as text. Readers are linear and bounded: a page's
 * included Patients, insurers and ClaimResponses are sorted once and found by binary
 * search, never by a loop inside a loop.
 */
#include "config.h"

#include "fhir/claims.h"
#include "fhir/coverage.h"
#include "fhir/patient.h"
#include "util/xmalloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CS_CLAIM_TYPE "http://terminology.hl7.org/CodeSystem/claim-type"
#define CS_CARE_TEAM_ROLE "http://terminology.hl7.org/CodeSystem/claimcareteamrole"
/* The ClaimResponses a page joins: a claim may have been answered, corrected and answered again. */
#define CLAIMS_RESPONSES_MAX (4 * CLAIMS_PAGE_MAX)
#define CLAIMS_COVERAGES_MAX 20

static bool
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* SRC (may be NULL) into DST, cut to fit. */
static void
copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src != NULL ? src : "");
}

/* The id of REF when it names a TYPE ("TYPE/ID" or an absolute URL ending so), else NULL. */
static const char *
ref_id(const char *ref, const char *type)
{
	const char *slash, *start;
	size_t tl = strlen(type);

	if (ref == NULL || (slash = strrchr(ref, '/')) == NULL || !fhir_valid_id(slash + 1))
		return NULL;
	start = slash - tl;
	if (start < ref || strncmp(start, type, tl) != 0 || (start > ref && start[-1] != '/'))
		return NULL;
	return slash + 1;
}

static const char *
reference_of(const cJSON *obj, const char *name)
{
	return fhir_get_string(fhir_get_object(obj, name), "reference");
}

/* --- a sorted index of resources by a key ---------------------------------------------------- */

struct keyed {
	const char *key;
	const char *order; /* a second key, greatest first (a ClaimResponse's created) */
	const cJSON *resource;
};
struct index {
	struct keyed *v;
	size_t n;
};

static int
keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c != 0 ? c : -strcmp(x->order, y->order);
}

/* ARRAY's resources keyed by their id, or (KEY_REF) by the id of that reference of type REF_TYPE. */
static void
index_build(struct index *ix, const cJSON *array, const char *key_ref, const char *ref_type)
{
	const cJSON *r;
	size_t n = (size_t)cJSON_GetArraySize(array);

	ix->v = xcalloc(n > 0 ? n : 1, sizeof *ix->v);
	ix->n = 0;
	cJSON_ArrayForEach(r, array)
	{
		const char *key = key_ref != NULL ? ref_id(reference_of(r, key_ref), ref_type)
		                                  : fhir_id_of(r);
		const char *order = fhir_get_string(r, "created");

		if (key == NULL || ix->n >= n)
			continue;
		ix->v[ix->n++] = (struct keyed){ key, order != NULL ? order : "", r };
	}
	qsort(ix->v, ix->n, sizeof *ix->v, keyed_cmp);
}

/* The first resource under KEY (the newest, for an index with an order), or NULL. */
static const cJSON *
index_find(const struct index *ix, const char *key)
{
	size_t lo = 0, hi = ix->n;

	if (key == NULL)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(ix->v[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ix->n && strcmp(ix->v[lo].key, key) == 0 ? ix->v[lo].resource : NULL;
}

static void
index_free(struct index *ix)
{
	free(ix->v);
	ix->v = NULL;
	ix->n = 0;
}

/* --- the queue ------------------------------------------------------------------------------ */

struct fhir_search *
claims_queue_search(size_t count)
{
	struct fhir_search *s = fhir_search_new("Claim");
	char n[24];

	if (count == 0 || count > CLAIMS_PAGE_MAX)
		count = CLAIMS_PAGE_MAX;
	snprintf(n, sizeof n, "%zu", count);
	fhir_search_add(s, "use", "claim");
	fhir_search_add(s, "_sort", "-created");
	fhir_search_add(s, "_count", n);
	/*
	 * A row needs no line, diagnosis or coverage of the claim: without them a screenful
	 * of claims with their Patients, insurers and answers is a few kB, not 20 (issue 15's
	 * 8 KB a screen). Servers keep the mandatory elements and send included resources
	 * whole; the claim is read whole when it is opened.
	 */
	fhir_search_add(s, "_elements", CLAIMS_QUEUE_ELEMENTS);
	fhir_search_add(s, "_include", "Claim:patient");
	fhir_search_add(s, "_include", "Claim:insurer");
	fhir_search_add(s, "_revinclude", "ClaimResponse:request");
	return s;
}

struct fhir_search *
claims_queue_search_for(size_t count, const char *payer)
{
	struct fhir_search *s = claims_queue_search(count);

	if (payer != NULL)
		fhir_search_add(s, "insurer", payer);
	return s;
}

/* What the payer's newest answer says of the claim as a whole. */
static void
outcome_of(const cJSON *response, char *out, size_t size)
{
	struct bill_remit r;
	char *cause = NULL;
	size_t unpaid = 0;

	out[0] = '\0';
	if (response == NULL)
		return;
	if (bill_remit_read(response, &r, &cause) != 0) {
		free(cause);
		copy(out, size, "answer unread");
		return;
	}
	if (same(r.outcome, "queued") || same(r.outcome, "error")) {
		copy(out, size, r.outcome);
		bill_remit_clear(&r);
		return;
	}
	for (size_t i = 0; i < r.n; i++)
		if (!r.lines[i].has_paid || r.lines[i].paid.minor == 0)
			unpaid++;
	if (r.n == 0)
		copy(out, size, r.has_payment && r.payment.minor > 0 ? "paid" : "denied");
	else
		copy(out, size, unpaid == r.n ? "denied" : unpaid > 0 ? "partly paid" : "paid");
	bill_remit_clear(&r);
}

static bool
professional(const cJSON *claim)
{
	const char *code = fhir_code_in(fhir_get_object(claim, "type"), CS_CLAIM_TYPE);

	return same(code, "professional");
}

/* The Patient's name and birth date into ROW, from the included Patient alone. */
static void
row_patient(struct claim_row *row, const cJSON *patient)
{
	struct patient_view v;

	if (patient == NULL) {
		copy(row->name, sizeof row->name, "(patient not read)");
		return;
	}
	patient_view_read(patient, &v);
	copy(row->name, sizeof row->name, v.name);
	copy(row->birth, sizeof row->birth, v.birth_date);
	patient_view_clear(&v);
}

static void
row_read(const cJSON *claim, const struct index *patients, const struct index *payers,
    const struct index *responses, struct claim_row *row)
{
	const char *pid = ref_id(reference_of(claim, "patient"), "Patient");
	const char *insurer = reference_of(claim, "insurer");
	const cJSON *org = index_find(payers, ref_id(insurer, "Organization"));
	const char *created = fhir_get_string(claim, "created");
	char *cause = NULL;

	memset(row, 0, sizeof *row);
	copy(row->id, sizeof row->id, fhir_id_of(claim));
	copy(row->patient_id, sizeof row->patient_id, pid);
	copy(row->status, sizeof row->status, fhir_get_string(claim, "status"));
	if (row->status[0] == '\0')
		copy(row->status, sizeof row->status, "?");
	if (created != NULL)
		snprintf(row->created, sizeof row->created, "%.10s", created);
	row_patient(row, index_find(patients, pid));
	if (org != NULL && fhir_get_string(org, "name") != NULL)
		copy(row->payer, sizeof row->payer, fhir_get_string(org, "name"));
	else
		copy(row->payer, sizeof row->payer, insurer != NULL ? insurer : "(no payer)");
	if (fhir_get_object(claim, "total") != NULL) {
		if (bill_money_read(fhir_get_object(claim, "total"), &row->total, &cause) == 0)
			row->has_total = true;
		free(cause);
	}
	outcome_of(index_find(responses, row->id), row->outcome, sizeof row->outcome);
}

void
claims_page_read(const cJSON *bundle, struct claims_page *out)
{
	bool cut = false;
	cJSON *claims = fhir_bundle_take(bundle, "Claim", CLAIMS_PAGE_MAX, &cut);
	cJSON *pats = fhir_bundle_take(bundle, "Patient", CLAIMS_PAGE_MAX, NULL);
	cJSON *orgs = fhir_bundle_take(bundle, "Organization", CLAIMS_PAGE_MAX, NULL);
	cJSON *crs = fhir_bundle_take(bundle, "ClaimResponse", CLAIMS_RESPONSES_MAX, NULL);
	struct index patients, payers, responses;
	const cJSON *c;

	memset(out, 0, sizeof *out);
	out->cut = cut;
	index_build(&patients, pats, NULL, NULL);
	index_build(&payers, orgs, NULL, NULL);
	index_build(&responses, crs, "request", "Claim");
	out->v = xcalloc((size_t)cJSON_GetArraySize(claims) + 1, sizeof *out->v);
	cJSON_ArrayForEach(c, claims)
	{
		if (!professional(c)) {
			out->other++;
			continue;
		}
		row_read(c, &patients, &payers, &responses, &out->v[out->n++]);
	}
	index_free(&patients);
	index_free(&payers);
	index_free(&responses);
	cJSON_Delete(claims);
	cJSON_Delete(pats);
	cJSON_Delete(orgs);
	cJSON_Delete(crs);
}

void
claims_page_free(struct claims_page *p)
{
	free(p->v);
	memset(p, 0, sizeof *p);
}

void
claims_row_key(const struct claim_row *r, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", r->id, r->patient_id);
}

bool
claims_key_split(const char *key, char claim[CLAIMS_ID_SIZE], char patient[CLAIMS_ID_SIZE])
{
	const char *slash = key != NULL ? strchr(key, '/') : NULL;
	size_t n;

	if (slash == NULL || (n = (size_t)(slash - key)) == 0 || n >= CLAIMS_ID_SIZE ||
	    strlen(slash + 1) >= CLAIMS_ID_SIZE)
		return false;
	memcpy(claim, key, n);
	claim[n] = '\0';
	memcpy(patient, slash + 1, strlen(slash + 1) + 1);
	return fhir_valid_id(claim) && fhir_valid_id(patient);
}

/* --- one claim -------------------------------------------------------------------------------- */

cJSON *
claims_open_batch(const struct fhir_client *fc, const char *claim_id, const char *patient_id)
{
	cJSON *entries, *batch = fhir_batch_new(&entries);
	struct fhir_search *s = fhir_search_new("Claim");
	char *ref;

	fhir_search_add(s, "_id", claim_id);
	fhir_search_add(s, "_include", "Claim:patient");
	fhir_search_add(s, "_include", "Claim:insurer");
	fhir_search_add(s, "_include", "Claim:provider");
	fhir_search_add(s, "_include", "Claim:care-team");
	fhir_search_add(s, "_include", "Claim:facility");
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	s = coverage_search(patient_id);
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	s = fhir_search_new("ClaimResponse");
	ref = xasprintf("Claim/%s", claim_id);
	fhir_search_add(s, "request", ref);
	fhir_search_add(s, "_count", "20");
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	free(ref);
	return batch;
}

/* The searchset a batch entry answered with, or NULL. */
static const cJSON *
searchset(const cJSON *response, int i)
{
	const cJSON *e = cJSON_GetArrayItem(fhir_get_array(response, "entry"), i);
	const cJSON *r = fhir_get_object(e, "resource");

	return fhir_entry_ok(e) && same(fhir_get_string(r, "resourceType"), "Bundle") ? r : NULL;
}

/* A party's name, first address, phone, NPI and tax id. */
static void
party_read(const cJSON *r, struct claim_party *p)
{
	/* A Location has one address; a Patient, Practitioner or Organization a list. */
	const cJSON *addr = fhir_get_object(r, "address") != NULL
	    ? fhir_get_object(r, "address")
	    : cJSON_GetArrayItem(fhir_get_array(r, "address"), 0);
	const cJSON *t, *id;
	const char *name = fhir_get_string(r, "name");
	const char *npi = bill_npi_of(r);

	memset(p, 0, sizeof *p);
	if (r == NULL)
		return;
	if (name != NULL) {
		copy(p->name, sizeof p->name, name);
	} else {
		struct patient_view v;

		/* A Patient or Practitioner: a HumanName, read the patient's way. */
		patient_view_read(r, &v);
		copy(p->name, sizeof p->name, v.name);
		patient_view_clear(&v);
	}
	copy(p->line, sizeof p->line, cJSON_IsString(cJSON_GetArrayItem(fhir_get_array(addr, "line"), 0))
	                                  ? cJSON_GetArrayItem(fhir_get_array(addr, "line"), 0)->valuestring
	                                  : NULL);
	copy(p->city, sizeof p->city, fhir_get_string(addr, "city"));
	copy(p->state, sizeof p->state, fhir_get_string(addr, "state"));
	copy(p->zip, sizeof p->zip, fhir_get_string(addr, "postalCode"));
	cJSON_ArrayForEach(t, fhir_get_array(r, "telecom"))
	{
		if (same(fhir_get_string(t, "system"), "phone")) {
			copy(p->phone, sizeof p->phone, fhir_get_string(t, "value"));
			break;
		}
	}
	if (npi != NULL && bill_npi_valid(npi))
		copy(p->npi, sizeof p->npi, npi);
	/* A Practitioner's degree (v2-0360: MD, DO, NP), which box 31 prints after the name. */
	{
		const cJSON *qual = fhir_get_object(cJSON_GetArrayItem(fhir_get_array(r, "qualification"), 0), "code");

		copy(p->degree, sizeof p->degree, fhir_first_code(qual));
	}
	/* The US employer identification number, under its OID, is the tax id of box 25. */
	cJSON_ArrayForEach(id, fhir_get_array(r, "identifier"))
	{
		if (same(fhir_get_string(id, "system"), "urn:oid:2.16.840.1.113883.4.4")) {
			copy(p->tax_id, sizeof p->tax_id, fhir_get_string(id, "value"));
			break;
		}
	}
}

/* An included resource named by REF among INCLUDED (TYPE/ID), or NULL. */
static const cJSON *
included(const struct index *ix, const char *ref, const char *type)
{
	const char *id = ref_id(ref, type);
	const cJSON *r = index_find(ix, id);

	return r != NULL && same(fhir_get_string(r, "resourceType"), type) ? r : NULL;
}

/* The care team of a claim, as box 24J and 31 need it: each member's sequence and NPI. */
#define CLAIMS_TEAM_MAX 10
struct team {
	long seq[CLAIMS_TEAM_MAX];
	char npi[CLAIMS_TEAM_MAX][16];
	size_t n;
};

/* 24J's NPI for ITEM: the member its first careTeamSequence names, else DEFAULT_NPI. */
static const char *
line_npi(const cJSON *item, const struct team *team, const char *default_npi)
{
	const cJSON *seq = cJSON_GetArrayItem(fhir_get_array(item, "careTeamSequence"), 0);

	if (cJSON_IsNumber(seq))
		for (size_t k = 0; k < team->n; k++)
			if ((double)team->seq[k] == seq->valuedouble)
				return team->npi[k];
	return default_npi;
}

/* What the payer's answer R says of claim line SEQUENCE, into OUT: "" when it says nothing. */
static void
line_answer(const struct bill_remit *r, long sequence, char *out, size_t size)
{
	const struct bill_remit_line *l = NULL;
	char amount[MONEY_BUF_SIZE], code[BILL_CODE_SIZE + 4];
	size_t used;

	out[0] = '\0';
	for (size_t i = 0; i < r->n && l == NULL; i++)
		if (r->lines[i].sequence == sequence)
			l = &r->lines[i];
	if (l == NULL)
		return;
	if (l->unreadable) {
		snprintf(out, size, "the payer's answer cannot be read");
		return;
	}
	money_format_currency(&l->paid, amount, sizeof amount);
	if (l->denied)
		snprintf(out, size, "denied");
	else
		snprintf(out, size, "paid %s", l->has_paid ? amount : "nothing");
	for (size_t k = 0; k < l->nadj; k++) {
		bill_adjustment_format(l->adj[k].group, l->adj[k].reason, code, sizeof code);
		money_format_currency(&l->adj[k].amount, amount, sizeof amount);
		used = strlen(out);
		snprintf(out + used, size - used, " %s %s", code[0] ? code : l->adj[k].reason, amount);
	}
	used = strlen(out);
	if (r->payment_date[0] != '\0')
		snprintf(out + used, size - used, " on %s", r->payment_date);
}

static void
line_read(const cJSON *item, const struct claim_full *c, const char *npi, const char *facility_pos,
    struct claim_line *l)
{
	const cJSON *period = fhir_get_object(item, "servicedPeriod"), *m, *seq;
	const cJSON *pos = fhir_get_object(item, "locationCodeableConcept");
	const cJSON *prod = fhir_get_object(item, "productOrService");
	const cJSON *q =
	    cJSON_GetObjectItemCaseSensitive(fhir_get_object(item, "quantity"), "value");
	const char *day = fhir_get_string(item, "servicedDate");
	char *cause = NULL;

	memset(l, 0, sizeof *l);
	if (day == NULL)
		day = fhir_get_string(period, "start");
	snprintf(l->from, sizeof l->from, "%.10s", day != NULL ? day : "");
	day = fhir_get_string(period, "end");
	snprintf(l->to, sizeof l->to, "%.10s", day != NULL ? day : l->from);
	copy(l->pos, sizeof l->pos, fhir_code_in(pos, BILL_CS_POS));
	if (l->pos[0] == '\0')
		copy(l->pos, sizeof l->pos, fhir_first_code(pos));
	/* 24B without a place on the line: the facility's, when its type is a CMS place of service. */
	if (l->pos[0] == '\0')
		copy(l->pos, sizeof l->pos, facility_pos);
	copy(l->code, sizeof l->code, fhir_first_code(prod));
	copy(l->display, sizeof l->display,
	    fhir_get_string(cJSON_GetArrayItem(fhir_get_array(prod, "coding"), 0), "display"));
	cJSON_ArrayForEach(m, fhir_get_array(item, "modifier"))
	{
		if (l->nmodifiers >= BILL_MODIFIERS_MAX)
			break;
		copy(l->modifiers[l->nmodifiers++], BILL_CODE_SIZE, fhir_first_code(m));
	}
	cJSON_ArrayForEach(seq, fhir_get_array(item, "diagnosisSequence"))
	{
		if (l->npointers >= BILL_POINTERS_MAX)
			break;
		if (cJSON_IsNumber(seq) && seq->valuedouble >= 1 &&
		    seq->valuedouble <= (double)c->ndiagnoses && seq->valuedouble == (long)seq->valuedouble)
			l->pointers[l->npointers++] = (long)seq->valuedouble;
	}
	l->units = 1;
	if (cJSON_IsNumber(q) && q->valuedouble >= 1 && q->valuedouble <= BILL_QUANTITY_MAX &&
	    q->valuedouble == (long long)q->valuedouble)
		l->units = (long long)q->valuedouble;
	if (fhir_get_object(item, "net") != NULL &&
	    bill_money_read(fhir_get_object(item, "net"), &l->charge, &cause) == 0) {
		l->has_charge = true;
	} else {
		struct money unit;

		free(cause);
		cause = NULL;
		/* units is at most BILL_QUANTITY_MAX: the bound keeps the product exact. */
		if (bill_money_read(fhir_get_object(item, "unitPrice"), &unit, &cause) == 0 &&
		    unit.minor <= INT64_MAX / BILL_QUANTITY_MAX &&
		    unit.minor >= -(INT64_MAX / BILL_QUANTITY_MAX) &&
		    money_make(unit.minor * l->units, unit.currency, &l->charge, &cause) == 0)
			l->has_charge = true;
	}
	free(cause);
	copy(l->npi, sizeof l->npi, npi);
}

static void
payer_kind(const char *payer, char *out, size_t size)
{
	if (strstr(payer, "Medicare") != NULL || strstr(payer, "MEDICARE") != NULL)
		copy(out, size, "Medicare");
	else if (strstr(payer, "Medicaid") != NULL || strstr(payer, "MEDICAID") != NULL)
		copy(out, size, "Medicaid");
	else
		copy(out, size, "Group");
}

int
claims_open_result(const cJSON *response, const char *claim_id, const struct date *today,
    struct claim_full *out, char **cause)
{
	const cJSON *set = searchset(response, 0), *covset = searchset(response, 1),
	            *crset = searchset(response, 2), *claim = NULL, *c, *patient, *ins, *cov = NULL;
	cJSON *claims, *inc[5], *covs, *crs;
	static const char *const types[5] = { "Patient", "Organization", "Practitioner", "Location",
		"PractitionerRole" };
	struct index ix[5], responses, by_cov;
	const char *rendering_npi = "", *facility_pos = NULL;
	const cJSON *facility;
	struct team team = { .n = 0 };
	bool rendering_primary = false;

	memset(out, 0, sizeof *out);
	if (set == NULL) {
		*cause = xstrdup("the claim could not be read");
		return -1;
	}
	claims = fhir_bundle_take(set, "Claim", 10, NULL);
	cJSON_ArrayForEach(c, claims)
	{
		if (same(fhir_id_of(c), claim_id))
			claim = c;
	}
	if (claim == NULL) {
		cJSON_Delete(claims);
		*cause = xstrdup("the server no longer has this claim");
		return -1;
	}
	for (size_t k = 0; k < 5; k++) {
		inc[k] = fhir_bundle_take(set, types[k], CLAIMS_LINES_MAX, NULL);
		index_build(&ix[k], inc[k], NULL, NULL);
	}
	crs = crset != NULL ? fhir_bundle_take(crset, "ClaimResponse", 20, NULL) : cJSON_CreateArray();
	index_build(&responses, crs, "request", "Claim");
	row_read(claim, &ix[0], &ix[1], &responses, &out->row);
	copy(out->type, sizeof out->type, fhir_code_in(fhir_get_object(claim, "type"), CS_CLAIM_TYPE));

	cJSON_ArrayForEach(c, fhir_get_array(claim, "diagnosis"))
	{
		const cJSON *seq = cJSON_GetObjectItemCaseSensitive(c, "sequence");
		const char *code = fhir_code_in(fhir_get_object(c, "diagnosisCodeableConcept"),
		    BILL_CS_ICD10CM);

		if (cJSON_IsNumber(seq) && seq->valuedouble >= 1 && seq->valuedouble <= BILL_DIAGNOSES_MAX &&
		    seq->valuedouble == (long)seq->valuedouble && code != NULL) {
			size_t i = (size_t)seq->valuedouble - 1;

			copy(out->diagnoses[i], BILL_CODE_SIZE, code);
			if (i + 1 > out->ndiagnoses)
				out->ndiagnoses = i + 1;
		}
	}

	patient = included(&ix[0], reference_of(claim, "patient"), "Patient");
	party_read(patient, &out->patient);
	if (patient != NULL) {
		struct patient_view v;

		patient_view_read(patient, &v);
		out->sex = v.sex == 'M' || v.sex == 'F' ? v.sex : ' ';
		patient_view_clear(&v);
	} else {
		out->sex = ' ';
	}

	/* The focal coverage, else the first, found among the patient's. */
	covs = covset != NULL ? fhir_bundle_take(covset, "Coverage", CLAIMS_COVERAGES_MAX, NULL)
	                      : cJSON_CreateArray();
	index_build(&by_cov, covs, NULL, NULL);
	cJSON_ArrayForEach(ins, fhir_get_array(claim, "insurance"))
	{
		const cJSON *found = included(&by_cov, reference_of(ins, "coverage"), "Coverage");

		if (found != NULL && (cov == NULL || cJSON_IsTrue(fhir_get_object(ins, "focal"))))
			cov = found;
	}
	if (cov != NULL &&
	    same(ref_id(reference_of(cov, "beneficiary"), "Patient"), out->row.patient_id)) {
		struct coverage_view v;
		const char *rel;

		coverage_view_read(cov, today, &v);
		copy(out->member, sizeof out->member, v.member);
		copy(out->group, sizeof out->group, v.group);
		rel = v.relationship;
		/* The insured is named only when it is the patient, whose name was read. */
		if (rel == NULL || rel[0] == '\0' || same(rel, "self"))
			copy(out->insured_name, sizeof out->insured_name, out->patient.name);
		coverage_view_clear(&v);
	}
	payer_kind(out->row.payer, out->payer_kind, sizeof out->payer_kind);

	party_read(included(&ix[1], reference_of(claim, "provider"), "Organization"), &out->billing);
	if (out->billing.name[0] == '\0')
		party_read(included(&ix[2], reference_of(claim, "provider"), "Practitioner"), &out->billing);
	/*
	 * The care team: each member a Practitioner (or a PractitionerRole carrying the NPI)
	 * among the included. Box 31 signs for the primary member, else the first; each line's
	 * 24J is the member it names.
	 */
	cJSON_ArrayForEach(c, fhir_get_array(claim, "careTeam"))
	{
		const char *ref = reference_of(c, "provider");
		const cJSON *who = included(&ix[2], ref, "Practitioner"), *seq;
		struct claim_party member;
		bool primary = same(fhir_code_in(fhir_get_object(c, "role"), CS_CARE_TEAM_ROLE), "primary");

		if (team.n >= CLAIMS_TEAM_MAX)
			break;
		party_read(who, &member);
		if (who == NULL) {
			/* A role carries its NPI at most: its name would be the practitioner's display. */
			party_read(included(&ix[4], ref, "PractitionerRole"), &member);
			member.name[0] = '\0';
			member.degree[0] = '\0';
		}
		seq = cJSON_GetObjectItemCaseSensitive(c, "sequence");
		team.seq[team.n] = cJSON_IsNumber(seq) && seq->valuedouble >= 1 && seq->valuedouble <= 1000
		    ? (long)seq->valuedouble : 0;
		copy(team.npi[team.n], sizeof team.npi[team.n], member.npi);
		if (team.n == 0 || (primary && !rendering_primary)) {
			out->rendering = member;
			rendering_primary = primary;
		}
		team.n++;
	}
	rendering_npi = out->rendering.npi;
	facility = included(&ix[3], reference_of(claim, "facility"), "Location");
	party_read(facility, &out->facility);
	cJSON_ArrayForEach(c, fhir_get_array(facility, "type"))
	{
		if ((facility_pos = fhir_code_in(c, BILL_CS_POS)) != NULL)
			break;
	}

	/* The payer's newest answer, line by line: what a denial is worked from. */
	{
		const cJSON *answer = index_find(&responses, out->row.id);
		struct bill_remit remit;
		char *why = NULL;
		bool answered = answer != NULL && bill_remit_read(answer, &remit, &why) == 0;

		free(why);
		cJSON_ArrayForEach(c, fhir_get_array(claim, "item"))
		{
			const cJSON *seq = cJSON_GetObjectItemCaseSensitive(c, "sequence");
			struct claim_line *l = &out->lines[out->nlines];

			if (out->nlines >= CLAIMS_LINES_MAX) {
				out->lines_cut = true;
				break;
			}
			line_read(c, out, line_npi(c, &team, rendering_npi),
			    facility_pos != NULL ? facility_pos : "", l);
			out->nlines++;
			if (answered && cJSON_IsNumber(seq) && seq->valuedouble >= 1 &&
			    seq->valuedouble <= 1e6)
				line_answer(&remit, (long)seq->valuedouble, l->answer, sizeof l->answer);
		}
		if (answered)
			bill_remit_clear(&remit);
	}

	for (size_t k = 0; k < 5; k++) {
		index_free(&ix[k]);
		cJSON_Delete(inc[k]);
	}
	index_free(&responses);
	index_free(&by_cov);
	cJSON_Delete(crs);
	cJSON_Delete(covs);
	cJSON_Delete(claims);
	return 0;
}

/* --- the CMS-1500 ------------------------------------------------------------------------------ */

/*
 * SRC into DST as a printer takes it: printable ASCII, upper case, each byte of a
 * multibyte character or a control byte one '?' at most per character, cut at WIDTH.
 */
static void
ascii(char *dst, size_t width, const char *src)
{
	size_t k = 0;

	for (const unsigned char *s = (const unsigned char *)(src != NULL ? src : "");
	     *s != '\0' && k < width; s++) {
		if ((*s & 0xC0) == 0x80)
			continue; /* a continuation byte: its character is already a '?' */
		if (*s >= 0x20 && *s < 0x7F)
			dst[k++] = (char)(*s >= 'a' && *s <= 'z' ? *s - 'a' + 'A' : *s);
		else
			dst[k++] = '?';
	}
	dst[k] = '\0';
}

/* "MM DD YYYY" or "MM DD YY" of an ISO day; blanks when it is not one. */
static void
form_date(const char *iso, bool short_year, char *out, size_t size)
{
	if (iso == NULL || strlen(iso) < 10 || iso[4] != '-' || iso[7] != '-')
		snprintf(out, size, "%*s", short_year ? 8 : 10, "");
	else if (short_year)
		snprintf(out, size, "%.2s %.2s %.2s", iso + 5, iso + 8, iso + 2);
	else
		snprintf(out, size, "%.2s %.2s %.4s", iso + 5, iso + 8, iso);
	for (char *p = out; *p != '\0'; p++)
		if (*p < 0x20 || *p >= 0x7F)
			*p = '?';
}

struct text {
	char **v;
	size_t n, cap;
};

static void
put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct text *t, const char *fmt, ...)
{
	char buf[CLAIM1500_WIDTH + 1];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	/* Trailing blanks say nothing on paper and make the text harder to compare. */
	for (size_t k = strlen(buf); k > 0 && buf[k - 1] == ' '; k--)
		buf[k - 1] = '\0';
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->v = xreallocarray(t->v, t->cap, sizeof *t->v);
	}
	t->v[t->n++] = xstrdup(buf);
}

static const char *
box(bool on)
{
	return on ? "[X]" : "[ ]";
}

static void
money_text(const struct money *m, char *buf, size_t size)
{
	money_to_decimal(m, buf, size);
}

static void
form(struct text *t, const struct claim_full *c, size_t first, size_t page, size_t pages)
{
	char a[CLAIMS_NAME_SIZE], b[CLAIMS_NAME_SIZE], d[16], e[48], f[48], g[48];
	const struct claim_party *p = &c->patient;
	struct money total = { 0 };
	bool has_total = true;

	put(t, "HEALTH INSURANCE CLAIM FORM (CMS-1500 02/12, AS TEXT)          PAGE %zu OF %zu", page,
	    pages);
	ascii(a, 64, c->row.id);
	put(t, "CLAIM ID %s", a);
	ascii(a, 40, c->row.payer);
	put(t, "CARRIER: %s", a);
	put(t, "1   MEDICARE%s MEDICAID%s TRICARE[ ] CHAMPVA[ ] GROUP%s FECA[ ] OTHER[ ]",
	    box(same(c->payer_kind, "Medicare")), box(same(c->payer_kind, "Medicaid")),
	    box(same(c->payer_kind, "Group")));
	ascii(a, 29, c->member);
	put(t, "1a  INSURED'S ID NUMBER: %s", a);
	ascii(a, 28, p->name);
	form_date(c->row.birth, false, d, sizeof d);
	put(t, "2   PATIENT'S NAME: %-28s 3 DOB: %s SEX M%s F%s", a, d, box(c->sex == 'M'),
	    box(c->sex == 'F'));
	ascii(a, 29, c->insured_name);
	put(t, "4   INSURED'S NAME: %s", a);
	ascii(a, 28, p->line);
	put(t, "5   ADDRESS: %-28s 7 INSURED'S ADDRESS: %s", a,
	    c->insured_name[0] != '\0' && same(c->insured_name, p->name) ? "SAME" : "");
	ascii(a, 24, p->city);
	ascii(e, 2, p->state);
	ascii(f, 10, p->zip);
	ascii(g, 14, p->phone);
	put(t, "    CITY: %-24s STATE: %-2s ZIP: %-10s TEL: %s", a, e, f, g);
	ascii(a, 29, c->group);
	put(t, "11  INSURED'S GROUP NUMBER: %s", a);
	put(t, "21  DIAGNOSIS (ICD IND 0)");
	for (size_t row = 0; row < 3; row++) {
		char cells[4][16], code[9];

		for (size_t k = 0; k < 4; k++) {
			size_t i = row * 4 + k;

			ascii(code, 8, i < c->ndiagnoses ? c->diagnoses[i] : "");
			snprintf(cells[k], sizeof cells[k], "%c. %-8s", (char)('A' + i), code);
		}
		put(t, "    %s    %s    %s    %s", cells[0], cells[1], cells[2], cells[3]);
	}
	put(t, "24  A FROM    TO       B  C D CPT   MODIFIER    E PTR F CHARGES  G UNT J NPI");
	for (size_t k = 0; k < CLAIM1500_LINES_PER_FORM; k++) {
		size_t i = first + k;
		const struct claim_line *l;
		char from[12], to[12], mods[16] = "", ptr[8] = "", charge[32] = "", code[8], pos[4],
		                                  npi[12];

		if (i >= c->nlines) {
			put(t, "%zu", k + 1);
			continue;
		}
		l = &c->lines[i];
		form_date(l->from, true, from, sizeof from);
		form_date(l->to, true, to, sizeof to);
		ascii(pos, 2, l->pos);
		ascii(code, 5, l->code);
		for (size_t m = 0; m < l->nmodifiers && m < BILL_MODIFIERS_MAX; m++) {
			char one[4];

			ascii(one, 2, l->modifiers[m]);
			snprintf(mods + strlen(mods), sizeof mods - strlen(mods), "%s%-2s", m ? " " : "", one);
		}
		for (size_t m = 0; m < l->npointers && m < BILL_POINTERS_MAX; m++)
			if (l->pointers[m] >= 1 && l->pointers[m] <= BILL_DIAGNOSES_MAX)
				ptr[strlen(ptr)] = (char)('A' + l->pointers[m] - 1);
		if (l->has_charge) {
			char *cause = NULL;

			money_text(&l->charge, charge, sizeof charge);
			if (has_total && (total.currency[0] == '\0'
			                      ? (total = l->charge, 0)
			                      : money_add(&total, &l->charge, &total, &cause)) != 0)
				has_total = false;
			free(cause);
		} else {
			has_total = false;
		}
		ascii(npi, 10, l->npi);
		put(t, "%zu   %s %s %-2s   %-5s %-11s %-4s %10.10s %3lld %s", k + 1, from, to, pos,
		    code, mods, ptr, charge, l->units, npi);
	}
	ascii(a, 15, c->billing.tax_id);
	if (has_total && total.currency[0] != '\0')
		money_text(&total, e, sizeof e);
	else
		e[0] = '\0';
	put(t, "25  FEDERAL TAX ID: %-15s 28 TOTAL CHARGE: %s", a, e);
	/* 31: the physician's name with degree, and the date the claim was made (signed). */
	{
		char name[CLAIMS_NAME_SIZE + 20];

		snprintf(name, sizeof name, "%s%s%s", c->rendering.name,
		    c->rendering.name[0] != '\0' && c->rendering.degree[0] != '\0' ? " " : "",
		    c->rendering.name[0] != '\0' ? c->rendering.degree : "");
		ascii(a, 32, name);
	}
	form_date(c->row.created, false, d, sizeof d);
	put(t, "31  SIGNATURE OF PHYSICIAN: %-32s DATE: %s", a, d);
	ascii(a, 28, c->facility.name);
	ascii(b, 28, c->facility.line);
	put(t, "32  FACILITY: %-28s %s", a, b);
	ascii(a, 24, c->facility.city);
	ascii(e, 2, c->facility.state);
	ascii(f, 10, c->facility.zip);
	put(t, "    %s %s %s", a, e, f);
	ascii(a, 10, c->facility.npi);
	put(t, "32a NPI: %s", a);
	ascii(a, 28, c->billing.name);
	ascii(g, 14, c->billing.phone);
	put(t, "33  BILLING PROVIDER: %-28s TEL: %s", a, g);
	ascii(a, 28, c->billing.line);
	put(t, "    %s", a);
	ascii(a, 24, c->billing.city);
	ascii(e, 2, c->billing.state);
	ascii(f, 10, c->billing.zip);
	put(t, "    %s %s %s", a, e, f);
	ascii(a, 10, c->billing.npi);
	put(t, "33a NPI: %s", a);
}

size_t
claim1500_text(const struct claim_full *c, char ***out)
{
	struct text t = { 0 };
	size_t pages = c->nlines == 0 ? 1 : (c->nlines + CLAIM1500_LINES_PER_FORM - 1) / CLAIM1500_LINES_PER_FORM;

	for (size_t page = 0; page < pages; page++) {
		if (page > 0)
			put(&t, "\f");
		form(&t, c, page * CLAIM1500_LINES_PER_FORM, page + 1, pages);
	}
	*out = t.v;
	return t.n;
}

