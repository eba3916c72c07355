/* Fuzz target: billing's readers of what a server sends: amounts, the fee schedule, charges, remittances,
 * the claim to post to, the ledger, the clinic's aging and denials, a statement. */
#include "config.h"

#include <stdlib.h>

#include "fhir/aging.h"
#include "fhir/billing.h"
#include "fhir/claims.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* S ends inside its array of SIZE bytes, as billing.h's fixed fields promise. */
#define CHECK_FIELD(s) FUZZ_CHECK(memchr((s), '\0', sizeof(s)) != NULL)

/* An amount kept is exact cents of a three-letter currency, never INT64_MIN. */
static void
check_money(const struct money *m)
{
	FUZZ_CHECK(m->minor != INT64_MIN);
	FUZZ_CHECK(strlen(m->currency) == 3);
	for (size_t i = 0; i < 3; i++)
		FUZZ_CHECK(m->currency[i] >= 'A' && m->currency[i] <= 'Z');
}

/* A refusal has a sentence; an answer has none. */
static void
check_cause(int rc, char *cause)
{
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc == 0)
		FUZZ_CHECK(cause == NULL);
	else
		FUZZ_CHECK(cause != NULL && cause[0] != '\0');
	free(cause);
}

/* JSON as the server sees it: printed and parsed again, so a raw amount becomes a number. */
static cJSON *
sent(const cJSON *j)
{
	char *text = cJSON_PrintUnformatted(j);
	cJSON *back;

	FUZZ_CHECK(text != NULL);
	back = cJSON_Parse(text);
	FUZZ_CHECK(back != NULL);
	free(text);
	return back;
}

/* bill_money_read: cents or a sentence; what it kept, written by bill_money_json, reads back. */
static void
check_money_read(const cJSON *j)
{
	struct money m, again;
	char *cause = NULL;
	int rc = bill_money_read(j, &m, &cause);
	cJSON *out, *back;

	check_cause(rc, cause);
	if (rc != 0)
		return;
	check_money(&m);
	out = bill_money_json(&m);
	cause = NULL;
	FUZZ_CHECK(bill_money_read(out, &again, &cause) == 0);
	FUZZ_CHECK(again.minor == m.minor && strcmp(again.currency, m.currency) == 0);
	back = sent(out);
	FUZZ_CHECK(bill_money_read(back, &again, &cause) == 0);
	FUZZ_CHECK(again.minor == m.minor && strcmp(again.currency, m.currency) == 0);
	cJSON_Delete(back);
	cJSON_Delete(out);
}

/*
 * bill_fees_read: sorted by code; every code non-empty; a fee without a problem has a
 * price, a CPT or HCPCS code, is active and not negative, and a lookup by its code finds
 * a chargeable fee; a search by code or by a word of the display finds it.
 */
static void
check_fees(const cJSON *j)
{
	struct bill_fees f;
	const struct bill_fee *found[8];
	char *cause = NULL;
	int rc = bill_fees_read(j, &f, &cause);

	check_cause(rc, cause);
	if (rc != 0) {
		FUZZ_CHECK(f.n == 0 && f.v == NULL);
		return;
	}
	FUZZ_CHECK(f.total >= (long)f.n);
	for (size_t i = 0; i < f.n; i++) {
		const struct bill_fee *fee = &f.v[i];

		CHECK_FIELD(fee->id);
		CHECK_FIELD(fee->version);
		CHECK_FIELD(fee->url);
		CHECK_FIELD(fee->system);
		CHECK_FIELD(fee->code);
		CHECK_FIELD(fee->display);
		CHECK_FIELD(fee->status);
		FUZZ_CHECK(fee->code[0] != '\0');
		if (i > 0)
			FUZZ_CHECK(strcmp(f.v[i - 1].code, fee->code) <= 0);
		if (fee->problem != NULL) {
			FUZZ_CHECK(fee->problem[0] != '\0');
			continue;
		}
		FUZZ_CHECK(fee->has_price);
		check_money(&fee->price);
		FUZZ_CHECK(fee->price.minor >= 0);
		FUZZ_CHECK(fee->kind == BILL_CODE_CPT || fee->kind == BILL_CODE_HCPCS);
		FUZZ_CHECK(strcmp(fee->status, "active") == 0);
		FUZZ_CHECK(bill_fee_by_code(&f, fee->code) != NULL);
		FUZZ_CHECK(bill_fee_by_code(&f, fee->code)->problem == NULL);
		if (strchr(fee->code, ' ') == NULL && strchr(fee->code, '\t') == NULL)
			FUZZ_CHECK(bill_fees_find(&f, fee->code, found, 8) >= 1);
	}
	FUZZ_CHECK(bill_fees_find(&f, "", found, 8) == f.n);
	bill_fees_free(&f);
	FUZZ_CHECK(f.v == NULL && f.n == 0);
}

/*
 * bill_line_read: a line read has a quantity from 1 to BILL_QUANTITY_MAX and a price;
 * one with no problem is written as a ChargeItem that, as sent, reads back the same.
 */
static void
check_line(const cJSON *j)
{
	struct bill_line l, again;
	struct bill_problems problems = {0};
	struct money total;
	char *cause = NULL;
	int rc = bill_line_read(j, &l, &cause);
	cJSON *ci, *back;

	check_cause(rc, cause);
	if (rc != 0)
		return;
	CHECK_FIELD(l.patient);
	CHECK_FIELD(l.encounter);
	CHECK_FIELD(l.account);
	CHECK_FIELD(l.performer);
	CHECK_FIELD(l.definition);
	CHECK_FIELD(l.day);
	CHECK_FIELD(l.code);
	CHECK_FIELD(l.display);
	CHECK_FIELD(l.override_reason);
	for (size_t i = 0; i < BILL_MODIFIERS_MAX; i++)
		CHECK_FIELD(l.modifiers[i]);
	for (size_t i = 0; i < BILL_POINTERS_MAX; i++)
		CHECK_FIELD(l.diagnoses[i]);
	FUZZ_CHECK(l.quantity >= 1 && l.quantity <= BILL_QUANTITY_MAX);
	check_money(&l.unit_price);
	if (l.overridden)
		check_money(&l.override_price);
	FUZZ_CHECK(bill_line_unit(&l) == (l.overridden ? &l.override_price : &l.unit_price));
	cause = NULL;
	rc = bill_line_total(&l, &total, &cause);
	check_cause(rc, cause);
	if (bill_line_check(&l, 1, &problems) > 0) {
		FUZZ_CHECK(problems.n > 0);
		for (size_t i = 0; i < problems.n; i++)
			FUZZ_CHECK(problems.v[i] != NULL && problems.v[i][0] != '\0');
		/* A line with a problem is never written. */
		FUZZ_CHECK(bill_charge_item(&l, "req") == NULL);
		bill_problems_free(&problems);
		return;
	}
	FUZZ_CHECK(problems.n == 0);
	FUZZ_CHECK(l.npointers >= 1 && l.npointers <= BILL_POINTERS_MAX);
	FUZZ_CHECK(l.nmodifiers <= BILL_MODIFIERS_MAX);
	ci = bill_charge_item(&l, "req");
	FUZZ_CHECK(ci != NULL);
	back = sent(ci);
	cause = NULL;
	FUZZ_CHECK(bill_line_read(back, &again, &cause) == 0);
	FUZZ_CHECK(strcmp(again.code, l.code) == 0 && strcmp(again.system, l.system) == 0);
	FUZZ_CHECK(strcmp(again.patient, l.patient) == 0);
	FUZZ_CHECK(strcmp(again.encounter, l.encounter) == 0);
	FUZZ_CHECK(again.quantity == l.quantity);
	FUZZ_CHECK(again.unit_price.minor == l.unit_price.minor);
	FUZZ_CHECK(again.overridden == l.overridden);
	FUZZ_CHECK(!l.overridden || again.override_price.minor == l.override_price.minor);
	FUZZ_CHECK(again.npointers == l.npointers && again.nmodifiers == l.nmodifiers);
	for (size_t i = 0; i < l.npointers; i++)
		FUZZ_CHECK(strcmp(again.diagnoses[i], l.diagnoses[i]) == 0);
	for (size_t i = 0; i < l.nmodifiers; i++)
		FUZZ_CHECK(strcmp(again.modifiers[i], l.modifiers[i]) == 0);
	cJSON_Delete(back);
	cJSON_Delete(ci);
}

/*
 * bill_remit_read: at most BILL_REMIT_LINES_MAX lines; the sums are of the readable
 * lines, exactly; every problem is a sentence.
 */
static void
check_remit(const cJSON *j)
{
	struct bill_remit r;
	char *cause = NULL;
	int rc = bill_remit_read(j, &r, &cause);
	int64_t paid = 0;
	bool summed = true;

	check_cause(rc, cause);
	if (rc != 0)
		return;
	CHECK_FIELD(r.id);
	CHECK_FIELD(r.claim);
	CHECK_FIELD(r.patient);
	CHECK_FIELD(r.insurer);
	CHECK_FIELD(r.outcome);
	CHECK_FIELD(r.payment_date);
	FUZZ_CHECK(r.n <= BILL_REMIT_LINES_MAX);
	FUZZ_CHECK(r.payment_date[0] == '\0' || fuzz_is_iso_date(r.payment_date));
	if (r.has_payment)
		check_money(&r.payment);
	for (size_t i = 0; i < r.problems.n; i++)
		FUZZ_CHECK(r.problems.v[i] != NULL && r.problems.v[i][0] != '\0');
	for (size_t i = 0; i < r.n; i++) {
		const struct bill_remit_line *l = &r.lines[i];

		FUZZ_CHECK(l->nadj <= BILL_ADJUSTMENTS_MAX);
		CHECK_FIELD(l->code);
		if (l->unreadable || !l->has_paid)
			continue;
		check_money(&l->paid);
		if (__builtin_add_overflow(paid, l->paid.minor, &paid))
			summed = false;
	}
	/* Without a sentence, the lines' paid adds up to what was kept. */
	if (summed && r.problems.n == 0 && r.paid.currency[0] != '\0')
		FUZZ_CHECK(r.paid.minor == paid);
	bill_remit_clear(&r);
}

/*
 * bill_encounters_result of a batch-response for patient p1: only p1's visits, with valid
 * ids, newest first, each with at most BILL_DIAGNOSES_MAX valid ICD-10-CM codes, once each.
 */
static void
check_encounters(cJSON *j)
{
	struct bill_encounters e;
	char *cause = NULL;
	int rc = bill_encounters_result(j, "p1", &e, &cause);

	check_cause(rc, cause);
	if (rc != 0)
		return;
	FUZZ_CHECK(e.opened.patient != NULL && e.total >= (long)e.n);
	for (size_t i = 0; i < e.n; i++) {
		const struct bill_encounter *v = &e.v[i];

		CHECK_FIELD(v->id);
		CHECK_FIELD(v->day);
		CHECK_FIELD(v->what);
		CHECK_FIELD(v->performer);
		CHECK_FIELD(v->location);
		CHECK_FIELD(v->provider);
		FUZZ_CHECK(fhir_valid_id(v->id));
		FUZZ_CHECK(v->day[0] == '\0' || fuzz_is_iso_date(v->day));
		if (i > 0)
			FUZZ_CHECK(strcmp(e.v[i - 1].day, v->day) >= 0);
		FUZZ_CHECK(v->ndiagnoses <= BILL_DIAGNOSES_MAX);
		for (size_t k = 0; k < v->ndiagnoses; k++) {
			FUZZ_CHECK(bill_icd10cm_valid(v->diagnoses[k].code));
			for (size_t m = 0; m < k; m++)
				FUZZ_CHECK(strcmp(v->diagnoses[k].code, v->diagnoses[m].code) != 0);
		}
		FUZZ_CHECK(bill_encounter_by_id(&e, v->id) != NULL);
	}
	bill_encounters_clear(&e);
}

/* bill_parties_result: NPIs end inside their fields; a refusal has a sentence. */
static void
check_parties(const cJSON *j)
{
	struct bill_parties p;
	char *cause = NULL;
	int rc = bill_parties_result(j, "Organization/clinic", "Practitioner/dr1", &p, &cause);

	check_cause(rc, cause);
	if (rc == 0) {
		CHECK_FIELD(p.billing_npi);
		CHECK_FIELD(p.rendering_npi);
	}
}

/*
 * bill_post_result: the claim's lines are this visit's, bounded, each charge exact cents;
 * a refusal has a sentence. The response is the batch's, so it may be changed (taken from).
 */
static void
check_post(const cJSON *j)
{
	static const struct date today = {2026, 3, 1};
	struct bill_post_open o;
	char *cause = NULL;
	cJSON *copy = cJSON_Duplicate(j, true);
	int rc = bill_post_result(copy, "p1", "e1", &today, &o, &cause);

	check_cause(rc, cause);
	if (rc == 0) {
		FUZZ_CHECK(o.n <= BILL_LINES_MAX);
		FUZZ_CHECK(o.has_claim || o.n == 0);
		CHECK_FIELD(o.claim);
		CHECK_FIELD(o.payer);
		CHECK_FIELD(o.payer_name);
		for (size_t i = 0; i < o.n; i++) {
			check_money(&o.lines[i].charged);
			FUZZ_CHECK(o.lines[i].sequence >= 1);
			CHECK_FIELD(o.lines[i].code);
			CHECK_FIELD(o.lines[i].charge_item);
		}
		/* The answers already posted: bounded, their checks and sums readable. */
		FUZZ_CHECK(o.nanswers <= BILL_POST_ANSWERS_MAX);
		for (size_t i = 0; i < o.nanswers; i++) {
			CHECK_FIELD(o.answers[i].check);
			CHECK_FIELD(o.answers[i].day);
			/* A check number read is found again as the biller types it. */
			if (o.answers[i].check[strspn(o.answers[i].check, " \t")] != '\0')
				FUZZ_CHECK(bill_post_same_check(&o, o.answers[i].check) != NULL);
		}
		{
			struct money left, after;
			char *why = NULL;

			if (bill_post_pending(&o, NULL, &left, &after, &why) == 0)
				FUZZ_CHECK(left.minor == after.minor);
			else
				FUZZ_CHECK(why != NULL);
			free(why);
		}
		/* The same input as a posting's answer: taken whole or not at all, the charges
		 * as many as before. */
		{
			int before = cJSON_GetArraySize(o.visit.charge_items);
			int saved = bill_post_saved(&o, j);

			FUZZ_CHECK(saved == 0 || saved == -1);
			FUZZ_CHECK(cJSON_GetArraySize(o.visit.charge_items) == before);
		}
		bill_post_open_clear(&o);
	}
	cJSON_Delete(copy);
}

/* bill_ledger_result: bounded, and every row's balances move by exactly its amount. */
static void
check_ledger(const cJSON *j)
{
	struct bill_ledger_read l;
	char *cause = NULL;
	cJSON *copy = cJSON_Duplicate(j, true);
	int rc = bill_ledger_result(copy, "p1", &l, &cause);

	check_cause(rc, cause);
	if (rc == 0) {
		FUZZ_CHECK(l.ncharges <= BILL_LEDGER_CHARGES_MAX);
		FUZZ_CHECK(l.nremits <= BILL_LEDGER_REMITS_MAX);
		FUZZ_CHECK(l.npayments <= BILL_LEDGER_PAYMENTS_MAX);
		for (size_t i = 0; i < l.ledger.n; i++) {
			const struct bill_entry *e = &l.ledger.v[i];

			check_money(&e->amount);
			check_money(&e->insurance_pending);
			check_money(&e->patient_owes);
			CHECK_FIELD(e->what);
			CHECK_FIELD(e->day);
		}
		bill_ledger_read_clear(&l);
	}
	cJSON_Delete(copy);
}

/*
 * A patient's payment as a save's answer or the search after a lost one: taken whole or not
 * at all, and added to a ledger read from the same input only as its last row, exactly.
 */
static void
check_payment(const cJSON *j)
{
	struct bill_patient_payment got;
	struct bill_ledger_read l;
	char note[BILL_PAY_NOTE_SIZE], *cause = NULL;
	cJSON *copy;
	int rc;

	if (bill_payment_answer(j, "rq9", "p1", &got, note) != 0) {
		FUZZ_CHECK(got.amount.minor == 0 && got.day[0] == '\0');
		return;
	}
	check_money(&got.amount);
	FUZZ_CHECK(got.amount.minor > 0);
	CHECK_FIELD(got.day);
	FUZZ_CHECK(memchr(note, '\0', sizeof note) != NULL);
	copy = cJSON_Duplicate(j, true);
	rc = bill_ledger_result(copy, "p1", &l, &cause);
	check_cause(rc, cause);
	if (rc == 0) {
		size_t n = l.ledger.n;
		struct money owes = l.ledger.patient_owes;

		if (bill_ledger_add_payment(&l, &got) == 0) {
			FUZZ_CHECK(l.ledger.n == n + 1);
			FUZZ_CHECK(l.ledger.patient_owes.minor == owes.minor - got.amount.minor);
		} else {
			FUZZ_CHECK(l.ledger.n == n);
			FUZZ_CHECK(l.ledger.patient_owes.minor == owes.minor);
		}
		bill_ledger_read_clear(&l);
	}
	cJSON_Delete(copy);
}

/* The fee schedule's conditional read: unchanged, a schedule and its tag, or a cause. */
static void
check_fees_revalidated(const cJSON *j)
{
	struct bill_fees f;
	char *cause = NULL, *tag = NULL;
	int rc = bill_fees_revalidated(j, &f, &tag, &cause);

	if (rc == -1) {
		FUZZ_CHECK(cause != NULL && cause[0] != '\0');
		FUZZ_CHECK(tag == NULL);
		free(cause);
		return;
	}
	FUZZ_CHECK(cause == NULL);
	if (rc == 0) {
		FUZZ_CHECK(tag == NULL && f.n == 0);
		return;
	}
	FUZZ_CHECK(rc == 1);
	if (tag != NULL)
		FUZZ_CHECK(fhir_valid_id(tag));
	free(tag);
	bill_fees_free(&f);
}

/* Each bucket's sum is the total, to the cent. */
static void
check_sums(const struct aging_sums *s)
{
	__int128 sum = 0;

	for (int k = 0; k < AGING_BUCKETS; k++) {
		check_money(&s->b[k]);
		sum += s->b[k].minor;
	}
	check_money(&s->total);
	FUZZ_CHECK(sum == s->total.minor);
}

/*
 * The clinic's aging and the denial work list from a batch answer: bounded, every sum
 * exact (its buckets add to its total; the clinic's are the patients' when nothing was
 * left out of them), the denials oldest first; and the statement of a ledger read from the
 * same answer is printable ASCII within 80 columns whatever was sent.
 */
static void
check_aging(const cJSON *j)
{
	static const struct date today = { 2026, 12, 2 };
	struct aging_report a;
	struct bill_ledger_read l;
	char *cause = NULL, **lines;
	cJSON *copy = cJSON_Duplicate(j, true);
	int rc = aging_result(j, &today, &a, &cause);
	size_t n;

	check_cause(rc, cause); /* frees it */
	cause = NULL;
	if (rc == 0) {
		__int128 ins = 0, pat = 0;

		FUZZ_CHECK(a.ncharges <= AGING_CHARGES_MAX);
		FUZZ_CHECK(a.nremits <= AGING_REMITS_MAX);
		FUZZ_CHECK(a.npayments <= AGING_PAYMENTS_MAX);
		FUZZ_CHECK(a.npatients <= a.ncharges + a.nremits + a.npayments);
		check_sums(&a.insurer);
		check_sums(&a.patient);
		for (size_t i = 0; i < a.npayers; i++) {
			check_sums(&a.payers[i].insurer);
			CHECK_FIELD(a.payers[i].name);
			CHECK_FIELD(a.payers[i].ref);
		}
		for (size_t i = 0; i < a.npatients; i++) {
			check_sums(&a.patients[i].insurer);
			check_sums(&a.patients[i].patient);
			CHECK_FIELD(a.patients[i].name);
			CHECK_FIELD(a.patients[i].birth);
			ins += a.patients[i].insurer.total.minor;
			pat += a.patients[i].patient.total.minor;
		}
		if (a.skipped.n == 0)
			FUZZ_CHECK(ins == a.insurer.total.minor && pat == a.patient.total.minor);
		for (size_t i = 0; i < a.ndenials; i++) {
			const struct aging_denial *d = &a.denials[i];

			CHECK_FIELD(d->day);
			CHECK_FIELD(d->name);
			CHECK_FIELD(d->payer);
			CHECK_FIELD(d->reasons);
			CHECK_FIELD(d->code);
			if (d->has_amount)
				check_money(&d->amount);
			if (i > 0)
				FUZZ_CHECK(strcmp(a.denials[i - 1].day, d->day) <= 0);
		}
		aging_report_clear(&a);
	}
	if (bill_ledger_result(copy, "p1", &l, &cause) == 0) {
		n = statement_text(&l, "Clinic", &today, &lines, &cause);
		for (size_t i = 0; i < n; i++) {
			FUZZ_CHECK(strlen(lines[i]) <= STATEMENT_WIDTH);
			for (const char *p = lines[i]; *p != '\0'; p++)
				FUZZ_CHECK(*p >= 0x20 && *p < 0x7f);
		}
		FUZZ_CHECK(n > 0 || cause != NULL);
		bill_print_free(lines, n);
		bill_ledger_read_clear(&l);
	}
	free(cause);
	cJSON_Delete(copy);
}

/* The first byte picks the reader; the rest is the JSON a server sent. */
/*
 * The claim queue's page and one claim read whole: bounded, every field ends in its
 * array, and the CMS-1500 made of it is printable ASCII in 80 columns whatever was sent.
 */
static void
check_claims(const cJSON *j)
{
	static const struct date today = { 2026, 3, 1 };
	struct claims_page p;
	struct claim_full *c = calloc(1, sizeof *c);
	char *cause = NULL, **lines;
	int rc;
	size_t n;

	FUZZ_CHECK(c != NULL);
	claims_page_read(j, &p);
	FUZZ_CHECK(p.n <= CLAIMS_PAGE_MAX);
	for (size_t i = 0; i < p.n; i++) {
		CHECK_FIELD(p.v[i].name);
		CHECK_FIELD(p.v[i].payer);
		CHECK_FIELD(p.v[i].outcome);
		if (p.v[i].has_total)
			check_money(&p.v[i].total);
	}
	claims_page_free(&p);
	rc = claims_open_result(j, "c1", &today, c, &cause);
	check_cause(rc, cause);
	if (rc == 0) {
		FUZZ_CHECK(c->nlines <= CLAIMS_LINES_MAX && c->ndiagnoses <= BILL_DIAGNOSES_MAX);
		n = claim1500_text(c, &lines);
		for (size_t i = 0; i < n; i++) {
			FUZZ_CHECK(strlen(lines[i]) <= CLAIM1500_WIDTH);
			for (const char *s = lines[i]; *s != '\0'; s++)
				FUZZ_CHECK((*s >= 0x20 && *s < 0x7F) || *s == '\f');
		}
		bill_print_free(lines, n);
	}
	free(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *j;

	if (size < 1)
		return 0;
	j = cJSON_ParseWithLength((const char *)data + 1, size - 1);
	if (j == NULL)
		return 0;
	switch (data[0] % 8) {
	case 0:
		check_money_read(j);
		break;
	case 1:
		check_fees(j);
		check_fees_revalidated(j);
		break;
	case 2:
		check_line(j);
		break;
	case 3:
		check_remit(j);
		break;
	case 4:
		check_encounters(j);
		break;
	case 5:
		check_parties(j);
		break;
	case 6:
		check_post(j);
		break;
	default:
		/* All read batch answers and Bundles: one input exercises each. */
		check_ledger(j);
		check_payment(j);
		check_claims(j);
		check_aging(j);
		break;
	}
	cJSON_Delete(j);
	return 0;
}
