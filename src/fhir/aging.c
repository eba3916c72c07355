/*
 * Accounts receivable: the aging of insurers' and patients' balances across the clinic,
 * the denied claim lines to work, and a patient's statement. JSON in, typed views out.
 */
#include "config.h"

#include "fhir/aging.h"
#include "fhir/billing-private.h"
#include "fhir/patient.h"
#include "util/xmalloc.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* An ISO day "YYYY-MM-DD" (the first ten bytes of a date or dateTime) into *D and DAY. */
static bool
day_of(const char *s, struct date *d, char day[BILL_DAY_SIZE])
{
	static const char shape[] = "dddd-dd-dd";

	if (s == NULL || strlen(s) < 10)
		return false;
	for (size_t i = 0; i < 10; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != '-')
			return false;
	if (s[10] != '\0' && s[10] != 'T')
		return false;
	d->year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	d->month = (s[5] - '0') * 10 + (s[6] - '0');
	d->day = (s[8] - '0') * 10 + (s[9] - '0');
	if (!date_valid(d))
		return false;
	if (day != NULL) {
		memcpy(day, s, 10);
		day[10] = '\0';
	}
	return true;
}

/* The id of "TYPE/ID" (or an absolute URL ending so) into ID; false when it is not one. */
static bool
ref_id(const char *ref, const char *type, char id[AGING_ID_SIZE])
{
	size_t tn = strlen(type);
	const char *p;

	if (ref == NULL)
		return false;
	/* The last "TYPE/" that starts the reference or follows a '/'. */
	for (p = ref + strlen(ref); p > ref; p--) {
		const char *start;

		if (p[-1] != '/' || (size_t)(p - ref) <= tn)
			continue;
		start = p - 1 - (ptrdiff_t)tn;
		if (strncmp(start, type, tn) == 0 && (start == ref || start[-1] == '/'))
			break;
	}
	if (p == ref)
		return false;
	if (!bill_put(id, AGING_ID_SIZE, p) || !fhir_valid_id(id)) {
		id[0] = '\0';
		return false;
	}
	return true;
}

/* --- buckets ------------------------------------------------------------------------------ */

int
aging_bucket(const struct date *service, const struct date *today)
{
	long days = date_diff_days(service, today);

	if (days <= 30)
		return AGING_0_30;
	if (days <= 60)
		return AGING_31_60;
	if (days <= 90)
		return AGING_61_90;
	return AGING_OVER_90;
}

int
aging_bucket_of(const char *day, const struct date *today)
{
	struct date d;

	if (!day_of(day, &d, NULL))
		return -1;
	return aging_bucket(&d, today);
}

void
aging_sums_init(struct aging_sums *s, const char *currency)
{
	char *cause = NULL;

	memset(s, 0, sizeof *s);
	/* A currency that is not one is USD: the sums then refuse what comes in another. */
	if (money_make(0, currency, &s->total, &cause) != 0) {
		free(cause);
		(void)money_make(0, NULL, &s->total, &cause);
	}
	for (int k = 0; k < AGING_BUCKETS; k++)
		s->b[k] = s->total;
}

int
aging_sums_add(struct aging_sums *s, int bucket, const struct money *m, char **cause)
{
	struct aging_sums t = *s;

	if (bucket < 0 || bucket >= AGING_BUCKETS) {
		*cause = xstrdup("no such aging bucket");
		return -1;
	}
	if (money_add(&t.b[bucket], m, &t.b[bucket], cause) != 0 ||
	    money_add(&t.total, m, &t.total, cause) != 0)
		return -1;
	*s = t;
	return 0;
}

int
aging_sums_merge(struct aging_sums *to, const struct aging_sums *from, char **cause)
{
	struct aging_sums t = *to;

	for (int k = 0; k < AGING_BUCKETS; k++)
		if (money_add(&t.b[k], &from->b[k], &t.b[k], cause) != 0)
			return -1;
	if (money_add(&t.total, &from->total, &t.total, cause) != 0)
		return -1;
	*to = t;
	return 0;
}

int
aging_sums_pay(struct aging_sums *s, const struct money *amount, char **cause)
{
	struct aging_sums t = *s;
	struct money left = *amount, take;

	if (strcmp(amount->currency, s->total.currency) != 0) {
		*cause = xasprintf("a payment in %s on a balance in %s", amount->currency,
		    s->total.currency);
		return -1;
	}
	/* Oldest first: each bucket above zero takes what it holds of the payment. */
	for (int k = AGING_OVER_90; k > AGING_0_30 && left.minor > 0; k--) {
		if (t.b[k].minor <= 0)
			continue;
		take = left;
		if (take.minor > t.b[k].minor)
			take.minor = t.b[k].minor;
		t.b[k].minor -= take.minor;
		left.minor -= take.minor;
	}
	/* The rest, or a refund, moves the newest bucket: below zero is the patient's credit. */
	if (money_sub(&t.b[AGING_0_30], &left, &t.b[AGING_0_30], cause) != 0 ||
	    money_sub(&t.total, amount, &t.total, cause) != 0)
		return -1;
	*s = t;
	return 0;
}

bool
aging_sums_zero(const struct aging_sums *s)
{
	for (int k = 0; k < AGING_BUCKETS; k++)
		if (s->b[k].minor != 0)
			return false;
	return s->total.minor == 0;
}

/* --- the batch ---------------------------------------------------------------------------- */

static void
add_count(struct fhir_search *s, long count)
{
	char n[24];

	snprintf(n, sizeof n, "%ld", count);
	fhir_search_add(s, "_count", n);
}

cJSON *
aging_batch(const struct fhir_client *fc)
{
	cJSON *entries, *batch = fhir_batch_new(&entries);
	struct fhir_search *s;

	/* One more of each than is kept: a server that holds more is said to have been cut. */
	s = fhir_search_new("ChargeItem");
	fhir_search_add(s, "_elements",
	    "id,status,code,subject,context,account,occurrenceDateTime,occurrencePeriod,quantity,"
	    "extension,priceOverride,overrideReason");
	fhir_search_add(s, "_include", "ChargeItem:subject");
	add_count(s, AGING_CHARGES_MAX + 1);
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	s = fhir_search_new("ClaimResponse");
	fhir_search_add(s, "_elements",
	    "id,status,patient,insurer,request,outcome,created,payment,item,addItem,total");
	add_count(s, AGING_REMITS_MAX + 1);
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	s = fhir_search_new("PaymentNotice");
	fhir_search_add(s, "_elements", "id,status,request,amount,paymentDate,created,extension");
	add_count(s, AGING_PAYMENTS_MAX + 1);
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	s = fhir_search_new("Claim");
	fhir_search_add(s, "use", "claim");
	fhir_search_add(s, "_elements", "id,status,patient,insurer,created,billablePeriod,item");
	fhir_search_add(s, "_include", "Claim:insurer");
	add_count(s, AGING_CLAIMS_MAX + 1);
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	s = fhir_search_new("Coverage");
	fhir_search_add(s, "status", "active");
	fhir_search_add(s, "_elements", "id,status,beneficiary");
	add_count(s, AGING_COVERAGES_MAX + 1);
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	return batch;
}

/* --- indexes ------------------------------------------------------------------------------ */

struct id_ref {
	char id[AGING_ID_SIZE];
	const cJSON *r;
};

static int
id_ref_order(const void *a, const void *b)
{
	return strcmp(((const struct id_ref *)a)->id, ((const struct id_ref *)b)->id);
}

static const cJSON *
id_ref_find(const struct id_ref *v, size_t n, const char *id)
{
	struct id_ref key;
	const struct id_ref *hit;

	if (!bill_put(key.id, sizeof key.id, id))
		return NULL;
	hit = bsearch(&key, v, n, sizeof *v, id_ref_order);
	return hit != NULL ? hit->r : NULL;
}

/* The resources of ARRAY by id, sorted; duplicates keep the first. Returns how many. */
static size_t
id_index(const cJSON *array, struct id_ref **out)
{
	size_t n = 0, k = 0;
	const cJSON *r;

	*out = xcalloc((size_t)cJSON_GetArraySize(array) + 1, sizeof **out);
	cJSON_ArrayForEach(r, array) if (bill_put((*out)[n].id, AGING_ID_SIZE, fhir_id_of(r)))
	    (*out)[n++].r = r;
	qsort(*out, n, sizeof **out, id_ref_order);
	for (size_t i = 0; i < n; i++)
		if (k == 0 || strcmp((*out)[k - 1].id, (*out)[i].id) != 0)
			(*out)[k++] = (*out)[i];
	return k;
}

/* A claim's line, for dating and naming the payer's answers to it. */
struct claim_line_ix {
	char claim[AGING_ID_SIZE];
	long sequence;
	char day[BILL_DAY_SIZE]; /* servicedDate, else the claim's billablePeriod.start, else "" */
	char code[BILL_CODE_SIZE];
	bool has_net;
	struct money net;
};

static int
line_order(const void *a, const void *b)
{
	const struct claim_line_ix *x = a, *y = b;
	int c = strcmp(x->claim, y->claim);

	if (c != 0)
		return c;
	return x->sequence < y->sequence ? -1 : x->sequence > y->sequence;
}

/* A charge billed on a claim, and to whom. */
struct charge_payer {
	char charge[AGING_ID_SIZE];
	char created[BILL_DAY_SIZE];
	char payer[BILL_REF_SIZE];
};

static int
charge_payer_order(const void *a, const void *b)
{
	const struct charge_payer *x = a, *y = b;
	int c = strcmp(x->charge, y->charge);

	return c != 0 ? c : strcmp(x->created, y->created);
}

/* A claim, for its insurer and its day. */
struct claim_ix {
	char id[AGING_ID_SIZE];
	char payer[BILL_REF_SIZE];
	char day[BILL_DAY_SIZE];
};

static int
claim_order(const void *a, const void *b)
{
	return strcmp(((const struct claim_ix *)a)->id, ((const struct claim_ix *)b)->id);
}

static int
payer_order(const void *a, const void *b)
{
	return strcmp(((const struct aging_payer *)a)->ref, ((const struct aging_payer *)b)->ref);
}

static int
patient_order(const void *a, const void *b)
{
	return strcmp(((const struct aging_patient *)a)->id, ((const struct aging_patient *)b)->id);
}

static int
string_order(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* --- reading -------------------------------------------------------------------------------- */

struct charge_ev {
	char patient[AGING_ID_SIZE];
	char id[AGING_ID_SIZE];
	char day[BILL_DAY_SIZE];
	struct money amount;
};

struct remit_ev {
	struct bill_remit r;
	char patient[AGING_ID_SIZE];
	char claim[AGING_ID_SIZE];  /* "" when it names none */
	char payer[BILL_REF_SIZE];  /* the claim's insurer, else its own, else "name:" display */
	char answered[BILL_DAY_SIZE];
};

struct payment_ev {
	char patient[AGING_ID_SIZE];
	char day[BILL_DAY_SIZE];
	struct money amount;
};

/* The payer key of a remittance: its claim's insurer, its own reference, or its display. */
static void
remit_payer(const cJSON *cr, const struct claim_ix *claim, struct remit_ev *e)
{
	const cJSON *insurer = fhir_get_object(cr, "insurer");
	const char *ref = fhir_get_string(insurer, "reference");
	char *key;

	if (claim != NULL && claim->payer[0] != '\0') {
		bill_put(e->payer, sizeof e->payer, claim->payer);
		return;
	}
	if (ref != NULL && bill_put(e->payer, sizeof e->payer, ref))
		return;
	key = xasprintf("name:%s", e->r.insurer[0] != '\0' ? e->r.insurer : "an unnamed payer");
	bill_put_label(e->payer, sizeof e->payer, key);
	free(key);
}

/* Claims and their lines into sorted indexes; the charges each bills, and to whom. */
static void
claims_index(const cJSON *claims, struct claim_ix **cv, size_t *cn, struct claim_line_ix **lv,
    size_t *ln, struct charge_payer **pv, size_t *pn)
{
	size_t nclaims = (size_t)cJSON_GetArraySize(claims), room;
	const cJSON *c, *item;

	*cv = xcalloc(nclaims + 1, sizeof **cv);
	/* Room for the lines read: each claim's, up to AGING_CLAIM_LINES_MAX. */
	room = 0;
	cJSON_ArrayForEach(c, claims)
	{
		size_t k = 0;

		cJSON_ArrayForEach(item, fhir_get_array(c, "item")) if (k++ == AGING_CLAIM_LINES_MAX) break;
		room += k;
	}
	*lv = xcalloc(room + 1, sizeof **lv);
	*pv = xcalloc(room + 1, sizeof **pv);
	*cn = *ln = *pn = 0;
	cJSON_ArrayForEach(c, claims)
	{
		struct claim_ix *x = &(*cv)[*cn];
		const char *payer = fhir_get_string(fhir_get_object(c, "insurer"), "reference");
		char created[BILL_DAY_SIZE] = "";
		size_t lines = 0;
		struct date d;

		if (!bill_put(x->id, sizeof x->id, fhir_id_of(c)))
			continue;
		if (!bill_put(x->payer, sizeof x->payer, payer))
			x->payer[0] = '\0';
		(void)day_of(fhir_get_string(fhir_get_object(c, "billablePeriod"), "start"), &d, x->day);
		(void)day_of(fhir_get_string(c, "created"), &d, created);
		(*cn)++;
		cJSON_ArrayForEach(item, fhir_get_array(c, "item"))
		{
			struct claim_line_ix *l = &(*lv)[*ln];
			const cJSON *seq = cJSON_GetObjectItemCaseSensitive(item, "sequence"), *x2;
			char *why = NULL;

			if (lines++ == AGING_CLAIM_LINES_MAX)
				break;
			if (!cJSON_IsNumber(seq) || seq->valuedouble < 1 || seq->valuedouble > 1e6)
				continue;
			memcpy(l->claim, x->id, sizeof l->claim);
			l->sequence = (long)seq->valuedouble;
			if (!day_of(fhir_get_string(item, "servicedDate"), &d, l->day) &&
			    !day_of(fhir_get_string(fhir_get_object(item, "servicedPeriod"), "start"), &d,
			        l->day))
				memcpy(l->day, x->day, sizeof l->day);
			bill_put(l->code, sizeof l->code,
			    fhir_first_code(fhir_get_object(item, "productOrService")));
			if (fhir_get_object(item, "net") != NULL) {
				if (bill_money_read(fhir_get_object(item, "net"), &l->net, &why) == 0)
					l->has_net = true;
				free(why);
			}
			(*ln)++;
			cJSON_ArrayForEach(x2, fhir_get_array(item, "extension"))
			{
				struct charge_payer *p = &(*pv)[*pn];
				char charge[AGING_ID_SIZE];

				if (!same(fhir_get_string(x2, "url"), BILL_EXT_CLAIM_CHARGE) ||
				    !ref_id(fhir_get_string(fhir_get_object(x2, "valueReference"),
				                "reference"),
				        "ChargeItem", charge))
					continue;
				memcpy(p->charge, charge, sizeof p->charge);
				memcpy(p->created, created, sizeof p->created);
				memcpy(p->payer, x->payer, sizeof p->payer);
				(*pn)++;
				break;
			}
		}
	}
	qsort(*cv, *cn, sizeof **cv, claim_order);
	qsort(*lv, *ln, sizeof **lv, line_order);
	qsort(*pv, *pn, sizeof **pv, charge_payer_order);
}

static bool
searchset_ok(const cJSON *entry)
{
	return fhir_entry_ok(entry) &&
	       same(fhir_get_string(fhir_get_object(entry, "resource"), "resourceType"), "Bundle");
}

/* A PaymentNotice of a patient into P; false (a sentence in SKIPPED when it matters) if not. */
static bool
payment_read(const cJSON *pn, struct payment_ev *p, struct bill_problems *skipped)
{
	char *why = NULL;
	struct date d;

	if (!ref_id(fhir_get_string(fhir_get_object(pn, "request"), "reference"), "Patient",
	        p->patient))
		return false; /* a notice about something else: not a patient's payment */
	if (same(fhir_get_string(pn, "status"), "entered-in-error") ||
	    same(fhir_get_string(pn, "status"), "cancelled"))
		return false;
	if (bill_money_read(fhir_get_object(pn, "amount"), &p->amount, &why) != 0) {
		bill_problem_add(skipped, xasprintf("A patient's payment is left out: %s", why));
		free(why);
		return false;
	}
	if (!day_of(fhir_get_string(pn, "paymentDate"), &d, p->day) &&
	    !day_of(fhir_get_string(pn, "created"), &d, p->day)) {
		bill_problem_add(skipped, xstrdup("A patient's payment has no date; it is left out"));
		return false;
	}
	return true;
}

void
aging_report_clear(struct aging_report *r)
{
	free(r->payers);
	free(r->patients);
	free(r->denials);
	bill_problems_free(&r->skipped);
	cJSON_Delete(r->patient_resources);
	memset(r, 0, sizeof *r);
}

const cJSON *
aging_patient_resource(const struct aging_report *r, const char *id)
{
	const cJSON *p;

	/* A screen opens one ledger at a time: a walk of the Patients read is enough. */
	cJSON_ArrayForEach(p, r->patient_resources) if (same(fhir_id_of(p), id)) return p;
	return NULL;
}

static struct aging_patient *
patient_find(struct aging_report *out, const char *id)
{
	struct aging_patient key;

	if (!bill_put(key.id, sizeof key.id, id))
		return NULL;
	return bsearch(&key, out->patients, out->npatients, sizeof key, patient_order);
}

static struct aging_payer *
payer_find(struct aging_payer *v, size_t n, const char *ref)
{
	struct aging_payer key;

	bill_put(key.ref, sizeof key.ref, ref);
	return bsearch(&key, v, n, sizeof key, payer_order);
}

/* Move WHO's sums by M in BUCKET; a failure is a sentence naming WHAT, nothing moved. */
static bool
move(struct aging_sums *a, struct aging_sums *b, int bucket, const struct money *m,
    const char *what, struct bill_problems *skipped)
{
	struct aging_sums keep = *a;
	char *why = NULL;

	if (aging_sums_add(a, bucket, m, &why) != 0 ||
	    (b != NULL && aging_sums_add(b, bucket, m, &why) != 0)) {
		*a = keep;
		bill_problem_add(skipped, xasprintf("%s is left out of the aging: %s", what, why));
		free(why);
		return false;
	}
	return true;
}

struct remit_line_key {
	const char *claim;
	long sequence;
	const char *answered;
	size_t remit, line;
};

static int
remit_line_order(const void *a, const void *b)
{
	const struct remit_line_key *x = a, *y = b;
	int c = strcmp(x->claim, y->claim);

	if (c != 0)
		return c;
	if (x->sequence != y->sequence)
		return x->sequence < y->sequence ? -1 : 1;
	c = strcmp(x->answered, y->answered);
	if (c != 0)
		return c;
	return x->remit < y->remit ? -1 : x->remit > y->remit;
}

static int
denial_order(const void *a, const void *b)
{
	const struct aging_denial *x = a, *y = b;
	int c = strcmp(x->day, y->day);

	if (c == 0)
		c = strcmp(x->claim, y->claim);
	if (c == 0)
		c = x->sequence < y->sequence ? -1 : x->sequence > y->sequence;
	return c;
}

static int
by_name(const char *a, const char *b, const char *ia, const char *ib)
{
	int c = strcmp(a, b);

	return c != 0 ? c : strcmp(ia, ib);
}

static int
payer_name_order(const void *a, const void *b)
{
	const struct aging_payer *x = a, *y = b;

	/* The charges on no claim yet go last. */
	if ((x->ref[0] == '\0') != (y->ref[0] == '\0'))
		return x->ref[0] == '\0' ? 1 : -1;
	return by_name(x->name, y->name, x->ref, y->ref);
}

static int
patient_name_order(const void *a, const void *b)
{
	const struct aging_patient *x = a, *y = b;

	return by_name(x->name, y->name, x->id, y->id);
}

/*
 * A line nothing was paid on whose reasons are all the patient's (PR-1, the deductible) is
 * the patient's to pay, not a denial to work: a denial has a reason of the payer's own.
 */
static bool
not_patients(const struct bill_remit_line *l)
{
	for (size_t a = 0; a < l->nadj; a++)
		if (l->adj[a].group != BILL_GROUP_PR)
			return true;
	return l->nadj == 0;
}

/* The denials: the newest answer to each claim line, kept when it denied the line. */
static void
denials_read(struct aging_report *out, struct remit_ev *remits, size_t nremits,
    const struct claim_line_ix *lines, size_t nlines, const struct aging_payer *payers,
    size_t npayers)
{
	struct remit_line_key *keys;
	size_t n = 0;

	for (size_t i = 0; i < nremits; i++)
		n += remits[i].r.n;
	keys = xcalloc(n + 1, sizeof *keys);
	n = 0;
	for (size_t i = 0; i < nremits; i++)
		for (size_t j = 0; j < remits[i].r.n; j++) {
			if (remits[i].r.lines[j].unreadable)
				continue;
			keys[n++] = (struct remit_line_key){ remits[i].claim,
			    remits[i].r.lines[j].sequence, remits[i].answered, i, j };
		}
	qsort(keys, n, sizeof *keys, remit_line_order);
	out->denials = xcalloc(n + 1, sizeof *out->denials);
	for (size_t k = 0; k < n; k++) {
		const struct remit_ev *e = &remits[keys[k].remit];
		const struct bill_remit_line *l = &e->r.lines[keys[k].line];
		struct aging_denial *d = &out->denials[out->ndenials];
		const struct aging_patient *p;
		const struct aging_payer *payer;
		const struct claim_line_ix *cl = NULL;
		struct claim_line_ix key;
		size_t used = 0;

		/* A later answer to the same line (an appeal paid) settles the denial. */
		if (keys[k].claim[0] != '\0' && keys[k].sequence > 0 && k + 1 < n &&
		    strcmp(keys[k + 1].claim, keys[k].claim) == 0 &&
		    keys[k + 1].sequence == keys[k].sequence)
			continue;
		if (!l->denied || !not_patients(l))
			continue;
		memset(d, 0, sizeof *d);
		memcpy(d->claim, e->claim, sizeof d->claim);
		memcpy(d->patient, e->patient, sizeof d->patient);
		memcpy(d->answered, e->answered, sizeof d->answered);
		d->sequence = l->sequence;
		if (e->claim[0] != '\0' && l->sequence > 0) {
			bill_put(key.claim, sizeof key.claim, e->claim);
			key.sequence = l->sequence;
			cl = bsearch(&key, lines, nlines, sizeof key, line_order);
		}
		if (cl != NULL) {
			memcpy(d->day, cl->day, sizeof d->day);
			memcpy(d->code, cl->code, sizeof d->code);
		}
		if (d->day[0] == '\0')
			memcpy(d->day, e->answered, sizeof d->day);
		if (l->code[0] != '\0' && d->code[0] == '\0')
			memcpy(d->code, l->code, sizeof d->code);
		if (l->has_submitted) {
			d->amount = l->submitted;
			d->has_amount = true;
		} else if (cl != NULL && cl->has_net) {
			d->amount = cl->net;
			d->has_amount = true;
		}
		for (size_t a = 0; a < l->nadj; a++) {
			static const char *const groups[] = { "", "CO", "PR", "OA", "PI" };
			int w = snprintf(d->reasons + used, sizeof d->reasons - used, "%s%s%s%s",
			    used > 0 ? " " : "", groups[l->adj[a].group],
			    l->adj[a].group != BILL_GROUP_NONE ? "-" : "", l->adj[a].reason);

			if (w < 0 || (size_t)w >= sizeof d->reasons - used) {
				d->reasons[used] = '\0';
				break;
			}
			used += (size_t)w;
		}
		if (d->reasons[0] == '\0')
			snprintf(d->reasons, sizeof d->reasons, "no code");
		p = patient_find(out, e->patient);
		bill_put_label(d->name, sizeof d->name, p != NULL ? p->name : "(patient not read)");
		if (p != NULL)
			memcpy(d->birth, p->birth, sizeof d->birth);
		payer = payer_find((struct aging_payer *)payers, npayers, e->payer);
		bill_put_label(d->payer, sizeof d->payer, payer != NULL ? payer->name : e->r.insurer);
		out->ndenials++;
	}
	free(keys);
	qsort(out->denials, out->ndenials, sizeof *out->denials, denial_order);
}

int
aging_result(const cJSON *response, const struct date *today, struct aging_report *out, char **cause)
{
	const cJSON *entries = fhir_get_array(response, "entry");
	static const char *const listed[5] = { "the charges", "the insurers' answers",
		"the patients' payments", "the claims", "the coverages" };
	static const char *const types[5] = { "ChargeItem", "ClaimResponse", "PaymentNotice",
		"Claim", "Coverage" };
	static const size_t maxes[5] = { AGING_CHARGES_MAX, AGING_REMITS_MAX, AGING_PAYMENTS_MAX,
		AGING_CLAIMS_MAX, AGING_COVERAGES_MAX };
	const cJSON *sets[5], *r;
	cJSON *taken[5] = { NULL }, *orgs = NULL;
	struct id_ref *pix = NULL, *oix = NULL;
	size_t npix, noix, ncov = 0, nids = 0, ncharges = 0, nremits = 0, npayments = 0;
	struct claim_ix *cv = NULL;
	struct claim_line_ix *lv = NULL;
	struct charge_payer *chp = NULL;
	size_t cn = 0, ln = 0, chpn = 0, npayers = 0;
	struct charge_ev *charges;
	struct remit_ev *remits;
	struct payment_ev *payments;
	struct aging_payer *payers;
	char **covered, **ids;
	bool cut = false;

	memset(out, 0, sizeof *out);
	date_format_iso(today, out->today, sizeof out->today);
	for (int k = 0; k < 5; k++) {
		sets[k] = cJSON_GetArrayItem(entries, k);
		if (!searchset_ok(sets[k])) {
			*cause = fhir_entry_failure(sets[k], listed[k]);
			return -1;
		}
	}
	for (int k = 0; k < 5; k++) {
		const cJSON *b = fhir_get_object(sets[k], "resource");

		taken[k] = fhir_bundle_take(b, types[k], maxes[k], &cut);
		out->cut = out->cut || cut || fhir_bundle_total(b) > (long)maxes[k];
	}
	out->patient_resources = fhir_bundle_take(
	    fhir_get_object(sets[0], "resource"), "Patient", AGING_PATIENTS_MAX, &cut);
	orgs = fhir_bundle_take(
	    fhir_get_object(sets[3], "resource"), "Organization", AGING_CLAIMS_MAX, &cut);
	npix = id_index(out->patient_resources, &pix);
	noix = id_index(orgs, &oix);
	claims_index(taken[3], &cv, &cn, &lv, &ln, &chp, &chpn);
	out->nclaims = cn;

	/* Who is insured: the beneficiaries of active Coverages, sorted. */
	covered = xcalloc((size_t)cJSON_GetArraySize(taken[4]) + 1, sizeof *covered);
	cJSON_ArrayForEach(r, taken[4])
	{
		char id[AGING_ID_SIZE];

		if (same(fhir_get_string(r, "status"), "active") &&
		    ref_id(fhir_get_string(fhir_get_object(r, "beneficiary"), "reference"), "Patient",
		        id))
			covered[ncov++] = xstrdup(id);
	}
	qsort(covered, ncov, sizeof *covered, string_order);

	/* The charges that count (as the ledger counts them: billable or billed). */
	charges = xcalloc((size_t)cJSON_GetArraySize(taken[0]) + 1, sizeof *charges);
	cJSON_ArrayForEach(r, taken[0])
	{
		struct bill_line l;
		struct charge_ev *c = &charges[ncharges];
		char *why = NULL;

		if (bill_line_read(r, &l, &why) != 0) {
			bill_problem_add(&out->skipped, xasprintf("A charge is left out: %s", why));
			free(why);
			continue;
		}
		if (!same(l.status, "billable") && !same(l.status, "billed"))
			continue;
		if (!ref_id(l.patient, "Patient", c->patient)) {
			bill_problem_add(&out->skipped,
			    xasprintf("The charge for %s names no patient; it is left out", l.code));
			continue;
		}
		if (bill_line_total(&l, &c->amount, &why) != 0) {
			bill_problem_add(&out->skipped, xasprintf("The charge for %s cannot be added: %s",
			                               l.code, why));
			free(why);
			continue;
		}
		bill_put(c->id, sizeof c->id, fhir_id_of(r));
		memcpy(c->day, l.day, sizeof c->day);
		ncharges++;
	}
	remits = xcalloc((size_t)cJSON_GetArraySize(taken[1]) + 1, sizeof *remits);
	cJSON_ArrayForEach(r, taken[1])
	{
		struct remit_ev *e = &remits[nremits];
		struct claim_ix key, *claim = NULL;
		char *why = NULL;
		struct date d;

		if (bill_remit_read(r, &e->r, &why) != 0) {
			bill_problem_add(&out->skipped, xasprintf("An insurer's answer is left out: %s", why));
			free(why);
			continue;
		}
		if (same(fhir_get_string(r, "status"), "entered-in-error") ||
		    same(fhir_get_string(r, "status"), "cancelled") ||
		    !ref_id(e->r.patient, "Patient", e->patient)) {
			bill_remit_clear(&e->r);
			continue;
		}
		for (size_t i = 0; i < e->r.problems.n; i++)
			bill_problem_add(&out->skipped, xstrdup(e->r.problems.v[i]));
		if (ref_id(e->r.claim, "Claim", e->claim)) {
			memcpy(key.id, e->claim, sizeof key.id);
			claim = bsearch(&key, cv, cn, sizeof key, claim_order);
		}
		if (!day_of(e->r.payment_date, &d, e->answered))
			e->answered[0] = '\0';
		remit_payer(r, claim, e);
		nremits++;
	}
	payments = xcalloc((size_t)cJSON_GetArraySize(taken[2]) + 1, sizeof *payments);
	cJSON_ArrayForEach(r, taken[2]) if (payment_read(r, &payments[npayments], &out->skipped))
	    npayments++;
	out->ncharges = ncharges;
	out->nremits = nremits;
	out->npayments = npayments;

	/* The patients: each id named by a charge, an answer or a payment, once, sorted. */
	ids = xcalloc(ncharges + nremits + npayments + 1, sizeof *ids);
	for (size_t i = 0; i < ncharges; i++)
		ids[nids++] = charges[i].patient;
	for (size_t i = 0; i < nremits; i++)
		ids[nids++] = remits[i].patient;
	for (size_t i = 0; i < npayments; i++)
		ids[nids++] = payments[i].patient;
	qsort(ids, nids, sizeof *ids, string_order);
	out->patients = xcalloc(nids + 1, sizeof *out->patients);
	for (size_t i = 0; i < nids; i++) {
		struct aging_patient *p = &out->patients[out->npatients];
		const cJSON *res;

		if (out->npatients > 0 && strcmp(p[-1].id, ids[i]) == 0)
			continue;
		memcpy(p->id, ids[i], sizeof p->id);
		res = id_ref_find(pix, npix, p->id);
		if (res != NULL) {
			struct patient_view v;

			patient_view_read(res, &v);
			bill_put_label(p->name, sizeof p->name, v.name);
			bill_put(p->birth, sizeof p->birth, v.birth_date);
			patient_view_clear(&v);
		} else
			bill_put(p->name, sizeof p->name, "(patient not read)");
		p->insured = bsearch(&(const char *){ p->id }, covered, ncov, sizeof *covered,
		                 string_order) != NULL;
		aging_sums_init(&p->insurer, NULL);
		aging_sums_init(&p->patient, NULL);
		out->npatients++;
	}
	free(ids);

	/* The payers: every claim's insurer and every answer's, once, sorted by reference. */
	payers = xcalloc(cn + nremits + 2, sizeof *payers);
	for (size_t i = 0; i < cn; i++)
		bill_put(payers[npayers++].ref, BILL_REF_SIZE, cv[i].payer);
	for (size_t i = 0; i < nremits; i++) {
		bill_put(payers[npayers].ref, BILL_REF_SIZE, remits[i].payer);
		bill_put_label(payers[npayers++].name, AGING_NAME_SIZE, remits[i].r.insurer);
	}
	qsort(payers, npayers, sizeof *payers, payer_order);
	{
		size_t k = 0;

		for (size_t i = 0; i < npayers; i++) {
			if (k > 0 && strcmp(payers[k - 1].ref, payers[i].ref) == 0) {
				if (payers[k - 1].name[0] == '\0')
					memcpy(payers[k - 1].name, payers[i].name, AGING_NAME_SIZE);
				continue;
			}
			payers[k++] = payers[i];
		}
		npayers = k;
	}
	for (size_t i = 0; i < npayers; i++) {
		struct aging_payer *p = &payers[i];
		char id[AGING_ID_SIZE];
		const cJSON *org = ref_id(p->ref, "Organization", id) ? id_ref_find(oix, noix, id)
		                                                       : NULL;

		if (org != NULL && fhir_get_string(org, "name") != NULL)
			bill_put_label(p->name, sizeof p->name, fhir_get_string(org, "name"));
		else if (p->name[0] == '\0')
			bill_put_label(p->name, sizeof p->name,
			    strncmp(p->ref, "name:", 5) == 0 ? p->ref + 5
			    : p->ref[0] != '\0'              ? p->ref
			                                     : "Not yet claimed");
		aging_sums_init(&p->insurer, NULL);
	}
	/* The row of charges on no claim yet, at the end (the empty reference sorts first). */
	if (npayers == 0 || payers[0].ref[0] != '\0') {
		memmove(payers + 1, payers, npayers * sizeof *payers);
		memset(&payers[0], 0, sizeof *payers);
		bill_put(payers[0].name, sizeof payers[0].name, "Not yet claimed");
		aging_sums_init(&payers[0].insurer, NULL);
		npayers++;
	} else
		bill_put(payers[0].name, sizeof payers[0].name, "Not yet claimed");

	/* Charges: the insurer's when the patient is insured (as the ledger has it), else the patient's. */
	for (size_t i = 0; i < ncharges; i++) {
		struct charge_ev *c = &charges[i];
		struct aging_patient *p = patient_find(out, c->patient);
		struct aging_payer *payer = &payers[0];
		struct charge_payer key;
		const struct charge_payer *hit;
		int bucket = aging_bucket_of(c->day, today);
		char what[64];

		snprintf(what, sizeof what, "The charge %s", c->id);
		if (bucket < 0) {
			bill_problem_add(&out->skipped, xasprintf("The charge %s has no date of service: it "
			                                     "is aged as over 90 days",
			                               c->id));
			bucket = AGING_OVER_90;
		}
		if (p == NULL)
			continue;
		if (!p->insured) {
			move(&p->patient, NULL, bucket, &c->amount, what, &out->skipped);
			continue;
		}
		/* The newest claim that bills the charge names its payer. */
		memset(&key, 0, sizeof key);
		bill_put(key.charge, sizeof key.charge, c->id);
		memset(key.created, 0x7f, sizeof key.created - 1);
		key.created[sizeof key.created - 1] = '\0';
		hit = NULL;
		{
			size_t lo = 0, hi = chpn;

			/* The last entry not after KEY: the newest claim of this charge. */
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;

				if (charge_payer_order(&chp[mid], &key) <= 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo > 0 && strcmp(chp[lo - 1].charge, c->id) == 0)
				hit = &chp[lo - 1];
		}
		if (hit != NULL) {
			struct aging_payer *found = payer_find(payers + 1, npayers - 1, hit->payer);

			if (found != NULL)
				payer = found;
		}
		move(&p->insurer, &payer->insurer, bucket, &c->amount, what, &out->skipped);
	}
	/* The payers' answers: each line at the date of service of the claim line it answers. */
	for (size_t i = 0; i < nremits; i++) {
		struct remit_ev *e = &remits[i];
		struct aging_patient *p = patient_find(out, e->patient);
		struct aging_payer *payer = payer_find(payers + 1, npayers - 1, e->payer);

		if (p == NULL)
			continue;
		for (size_t j = 0; j < e->r.n; j++) {
			const struct bill_remit_line *l = &e->r.lines[j];
			const struct claim_line_ix *cl = NULL;
			struct claim_line_ix key;
			struct money down;
			char *why = NULL, what[96];
			int bucket = -1;
			bool fine;

			if (l->unreadable)
				continue;
			if (e->claim[0] != '\0' && l->sequence > 0) {
				bill_put(key.claim, sizeof key.claim, e->claim);
				key.sequence = l->sequence;
				cl = bsearch(&key, lv, ln, sizeof key, line_order);
			}
			if (cl != NULL)
				bucket = aging_bucket_of(cl->day, today);
			if (bucket < 0) {
				struct claim_ix ckey, *claim;

				memcpy(ckey.id, e->claim, sizeof ckey.id);
				claim = bsearch(&ckey, cv, cn, sizeof ckey, claim_order);
				if (claim != NULL)
					bucket = aging_bucket_of(claim->day, today);
			}
			if (bucket < 0)
				bucket = aging_bucket_of(e->answered, today);
			if (bucket < 0)
				bucket = AGING_OVER_90;
			snprintf(what, sizeof what, "The answer %s to line %ld", e->r.id, l->sequence);
			/* What leaves insurance pending: paid, written off, moved to the patient. */
			fine = money_make(0, l->patient_share.currency[0] ? l->patient_share.currency
			                     : l->paid.currency[0]          ? l->paid.currency
			                                                    : NULL,
			           &down, &why) == 0 &&
			       (!l->has_paid || money_add(&down, &l->paid, &down, &why) == 0) &&
			       (l->patient_share.currency[0] == '\0' ||
			           money_add(&down, &l->patient_share, &down, &why) == 0);
			for (size_t a = 0; fine && a < l->nadj; a++)
				if (l->adj[a].group != BILL_GROUP_PR)
					fine = money_add(&down, &l->adj[a].amount, &down, &why) == 0;
			if (!fine) {
				bill_problem_add(&out->skipped,
				    xasprintf("%s is left out of the aging: %s", what, why));
				free(why);
				continue;
			}
			down.minor = -down.minor;
			if (!move(&p->insurer, payer != NULL ? &payer->insurer : NULL, bucket, &down,
			        what, &out->skipped))
				continue;
			if (l->patient_share.currency[0] != '\0' && l->patient_share.minor != 0)
				move(&p->patient, NULL, bucket, &l->patient_share, what, &out->skipped);
		}
	}
	/* The patients' payments, each to the patient's oldest balance first. */
	for (size_t i = 0; i < npayments; i++) {
		struct aging_patient *p = patient_find(out, payments[i].patient);
		char *why = NULL;

		if (p != NULL && aging_sums_pay(&p->patient, &payments[i].amount, &why) != 0) {
			bill_problem_add(&out->skipped,
			    xasprintf("A patient's payment of %s is left out of the aging: %s",
			        payments[i].day, why));
			free(why);
		}
	}
	denials_read(out, remits, nremits, lv, ln, payers + 1, npayers - 1);

	/* The clinic: every patient's sums. Patients and payers with nothing owed are not rows. */
	aging_sums_init(&out->insurer, NULL);
	aging_sums_init(&out->patient, NULL);
	{
		size_t k = 0;

		for (size_t i = 0; i < out->npatients; i++) {
			struct aging_patient *p = &out->patients[i];
			char *why = NULL;

			if (aging_sums_merge(&out->insurer, &p->insurer, &why) != 0 ||
			    aging_sums_merge(&out->patient, &p->patient, &why) != 0) {
				bill_problem_add(&out->skipped, xasprintf("The clinic's total leaves out %s: %s",
				                               p->name, why));
				free(why);
			}
		}
		for (size_t i = 0; i < out->npatients; i++)
			if (!aging_sums_zero(&out->patients[i].insurer) ||
			    !aging_sums_zero(&out->patients[i].patient))
				out->patients[k++] = out->patients[i];
		out->npatients = k;
		qsort(out->patients, out->npatients, sizeof *out->patients, patient_name_order);
		out->payers = xcalloc(npayers + 1, sizeof *out->payers);
		for (size_t i = 0; i < npayers; i++)
			if (!aging_sums_zero(&payers[i].insurer))
				out->payers[out->npayers++] = payers[i];
		qsort(out->payers, out->npayers, sizeof *out->payers, payer_name_order);
	}

	for (size_t i = 0; i < nremits; i++)
		bill_remit_clear(&remits[i].r);
	for (size_t i = 0; i < ncov; i++)
		free(covered[i]);
	free(covered);
	free(remits);
	free(charges);
	free(payments);
	free(payers);
	free(cv);
	free(lv);
	free(chp);
	free(pix);
	free(oix);
	cJSON_Delete(orgs);
	for (int k = 0; k < 5; k++)
		cJSON_Delete(taken[k]);
	return 0;
}

/* --- a patient's statement ------------------------------------------------------------------ */

int
statement_totals(const struct bill_ledger *l, struct statement_totals *out, char **cause)
{
	struct money share, pending, owes;
	const char *cur = l->n > 0 ? l->v[0].amount.currency : NULL;

	memset(out, 0, sizeof *out);
	if (money_make(0, cur, &out->charges, cause) != 0)
		return -1;
	out->insurer_paid = out->adjusted = out->patient_paid = share = out->charges;
	pending = owes = out->charges;
	for (size_t i = 0; i < l->n; i++) {
		const struct bill_entry *e = &l->v[i];
		int rc = 0;

		switch (e->kind) {
		case BILL_ENTRY_CHARGE:
			rc = money_add(&out->charges, &e->amount, &out->charges, cause);
			if (rc == 0)
				rc = money_add(&pending, &e->amount, &pending, cause);
			break;
		case BILL_ENTRY_SELF_PAY_CHARGE:
			rc = money_add(&out->charges, &e->amount, &out->charges, cause);
			if (rc == 0)
				rc = money_add(&owes, &e->amount, &owes, cause);
			break;
		case BILL_ENTRY_INSURER_PAYMENT:
			rc = money_add(&out->insurer_paid, &e->amount, &out->insurer_paid, cause);
			if (rc == 0)
				rc = money_sub(&pending, &e->amount, &pending, cause);
			break;
		case BILL_ENTRY_ADJUSTMENT:
			rc = money_add(&out->adjusted, &e->amount, &out->adjusted, cause);
			if (rc == 0)
				rc = money_sub(&pending, &e->amount, &pending, cause);
			break;
		case BILL_ENTRY_TO_PATIENT:
			rc = money_add(&share, &e->amount, &share, cause);
			if (rc == 0)
				rc = money_sub(&pending, &e->amount, &pending, cause);
			if (rc == 0)
				rc = money_add(&owes, &e->amount, &owes, cause);
			break;
		case BILL_ENTRY_PATIENT_PAYMENT:
			rc = money_add(&out->patient_paid, &e->amount, &out->patient_paid, cause);
			if (rc == 0)
				rc = money_sub(&owes, &e->amount, &owes, cause);
			break;
		}
		if (rc != 0)
			return -1;
	}
	/* Summed again, the figures must be the ledger's: a statement never prints others. */
	if (l->n > 0 && (pending.minor != l->insurance_pending.minor ||
	                    owes.minor != l->patient_owes.minor)) {
		*cause = xstrdup("the statement's sums do not come to the ledger's balances");
		return -1;
	}
	out->insurance_pending = pending;
	out->patient_owes = owes;
	return 0;
}

size_t
statement_text(const struct bill_ledger_read *r, const char *clinic, const struct date *today,
    char ***out, char **cause)
{
	const struct bill_ledger *l = &r->ledger;
	const struct patient_view *pv = &r->opened.view;
	struct statement_totals t;
	char day[BILL_DAY_SIZE], name[64], who[48], a[MONEY_BUF_SIZE], b[MONEY_BUF_SIZE];
	char **v = NULL;
	size_t n = 0;

	*out = NULL;
	if (statement_totals(l, &t, cause) != 0)
		return 0;
	bill_print_ascii(clinic != NULL && clinic[0] != '\0' ? clinic : "Statement of account", 60, who,
	    sizeof who);
	bill_print_add(&v, &n, xasprintf("%-60s%20s", who, "PATIENT STATEMENT"), STATEMENT_WIDTH);
	date_format_iso(today, day, sizeof day);
	bill_print_add(&v, &n, xasprintf("%-60s%20s", "", day), STATEMENT_WIDTH);
	bill_print_ascii(pv->name, 50, name, sizeof name);
	bill_print_ascii(pv->birth_date, 10, day, sizeof day);
	bill_print_add(&v, &n, xasprintf("Patient: %-50s Born: %-10s", name, day), STATEMENT_WIDTH);
	bill_print_ascii(pv->mrn, 60, name, sizeof name);
	bill_print_add(&v, &n, xasprintf("Account: %s", name), STATEMENT_WIDTH);
	bill_print_add(&v, &n, xstrdup(""), STATEMENT_WIDTH);
	bill_print_add(&v, &n, xasprintf("%-10s  %-40s %12s %12s", "Date", "Description", "Amount",
	                      "You owe"), STATEMENT_WIDTH);
	bill_print_add(&v, &n, xasprintf("%.*s", STATEMENT_WIDTH,
	                      "-------------------------------------------------------------------"
	                      "-------------"), STATEMENT_WIDTH);
	for (size_t i = 0; i < l->n; i++) {
		const struct bill_entry *e = &l->v[i];
		bool down = e->kind != BILL_ENTRY_CHARGE && e->kind != BILL_ENTRY_SELF_PAY_CHARGE &&
		            e->kind != BILL_ENTRY_TO_PATIENT;
		struct money shown = e->amount;
		char what[48], when[BILL_DAY_SIZE];

		/* What lowers a balance is shown below zero, as the ledger shows it. */
		if (down)
			shown.minor = -shown.minor;
		money_format(&shown, a, sizeof a);
		money_format(&e->patient_owes, b, sizeof b);
		bill_print_ascii(e->what, 40, what, sizeof what);
		/* The day is the server's first ten bytes, not always a date: made printable too. */
		bill_print_ascii(e->day[0] != '\0' ? e->day : "no date", 10, when, sizeof when);
		bill_print_add(&v, &n, xasprintf("%-10s  %-40s %12s %12s", when, what, a, b), STATEMENT_WIDTH);
	}
	if (l->n == 0)
		bill_print_add(&v, &n, xstrdup("No charges or payments on record."), STATEMENT_WIDTH);
	bill_print_add(&v, &n, xstrdup(""), STATEMENT_WIDTH);
	money_format(&t.charges, a, sizeof a);
	bill_print_add(&v, &n, xasprintf("%-54s %25s", "Total charges", a), STATEMENT_WIDTH);
	money_format(&t.insurer_paid, a, sizeof a);
	bill_print_add(&v, &n, xasprintf("%-54s %25s", "Paid by insurance", a), STATEMENT_WIDTH);
	money_format(&t.adjusted, a, sizeof a);
	bill_print_add(&v, &n, xasprintf("%-54s %25s", "Adjusted by insurance", a), STATEMENT_WIDTH);
	money_format(&t.patient_paid, a, sizeof a);
	bill_print_add(&v, &n, xasprintf("%-54s %25s", "Your payments", a), STATEMENT_WIDTH);
	money_format(&t.insurance_pending, a, sizeof a);
	bill_print_add(&v, &n, xasprintf("%-54s %25s", "Pending with insurance (not yet yours to pay)", a), STATEMENT_WIDTH);
	if (t.patient_owes.minor < 0) {
		struct money credit = t.patient_owes;

		credit.minor = -credit.minor;
		money_format(&credit, a, sizeof a);
		bill_print_add(&v, &n, xasprintf("%-54s %25s", "CREDIT ON YOUR ACCOUNT", a), STATEMENT_WIDTH);
	} else {
		money_format(&t.patient_owes, a, sizeof a);
		bill_print_add(&v, &n, xasprintf("%-54s %25s", "AMOUNT DUE FROM YOU", a), STATEMENT_WIDTH);
	}
	if (r->cut || r->skipped.n > 0 || l->problems.n > 0)
		bill_print_add(&v, &n, xstrdup("Some records could not be read: ask the billing office "
		                         "before paying."), STATEMENT_WIDTH);
	*out = v;
	return n;
}

