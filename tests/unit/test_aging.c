/* Unit tests for fhir/aging: the buckets, the clinic's aging read from one batch, the denial work
 * list, and a patient's statement: exact cents on every sum, hostile amounts never added. */
#include "config.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/aging.h"

static const struct date today = {2026, 12, 2};

static cJSON *
parse(const char *text)
{
	cJSON *j = cJSON_Parse(text);

	cr_assert_not_null(j, "test JSON: %s", text);
	return j;
}

static struct money
usd(int64_t cents)
{
	return (struct money){cents, "USD"};
}

/* --- buckets ------------------------------------------------------------------------------ */

Test(aging_bucket, days_since_the_service)
{
	static const struct {
		const char *day;
		int bucket;
	} cases[] = {
		{"2026-12-02", AGING_0_30},    /* today */
		{"2026-12-20", AGING_0_30},    /* dated ahead: the newest */
		{"2026-11-02", AGING_0_30},    /* 30 days */
		{"2026-11-01", AGING_31_60},   /* 31 */
		{"2026-10-03", AGING_31_60},   /* 60 */
		{"2026-10-02", AGING_61_90},   /* 61 */
		{"2026-09-03", AGING_61_90},   /* 90 */
		{"2026-09-02", AGING_OVER_90}, /* 91 */
		{"2019-01-01", AGING_OVER_90},
		{"2026-11-02T23:59:59-11:00", AGING_0_30}, /* the day as written, not moved by its zone */
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		cr_assert_eq(aging_bucket_of(cases[i].day, &today), cases[i].bucket, "%s", cases[i].day);
	/* Across a leap day: 2024-02-29 exists, so 31 days before 2024-03-30 is 2024-02-28. */
	cr_assert_eq(aging_bucket_of("2024-02-28", &(struct date){2024, 3, 30}), AGING_31_60);
	cr_assert_eq(aging_bucket_of("2024-02-29", &(struct date){2024, 3, 30}), AGING_0_30);
}

Test(aging_bucket, not_a_day)
{
	static const char *const bad[] = {"", "2026", "2026-13-01", "2026-02-30", "26-01-01xx",
		"2026/01/01", "2026-01-0１", "２026-01-01", NULL};

	for (size_t i = 0; bad[i] != NULL; i++)
		cr_assert_eq(aging_bucket_of(bad[i], &today), -1, "'%s'", bad[i]);
	cr_assert_eq(aging_bucket_of(NULL, &today), -1);
}

/* --- the arithmetic --------------------------------------------------------------------------- */

Test(aging_sums, add_exactly_with_negative_adjustments)
{
	struct aging_sums s;
	char *cause = NULL;

	aging_sums_init(&s, NULL);
	cr_assert(aging_sums_zero(&s));
	cr_assert_eq(aging_sums_add(&s, AGING_OVER_90, &(struct money){14486, "USD"}, &cause), 0);
	cr_assert_eq(aging_sums_add(&s, AGING_OVER_90, &(struct money){-10, "USD"}, &cause), 0,
	    "a reversal, below zero, lowers the bucket");
	cr_assert_eq(aging_sums_add(&s, AGING_0_30, &(struct money){10, "USD"}, &cause), 0);
	cr_assert_eq(aging_sums_add(&s, AGING_0_30, &(struct money){20, "USD"}, &cause), 0);
	cr_assert_eq(s.b[AGING_0_30].minor, 30, "0.10 + 0.20 is 0.30 here");
	cr_assert_eq(s.b[AGING_OVER_90].minor, 14476);
	cr_assert_eq(s.total.minor, 14506);
	cr_assert_eq(aging_sums_add(&s, AGING_BUCKETS, &(struct money){1, "USD"}, &cause), -1);
	free(cause);
}

Test(aging_sums, refused_sums_leave_it_untouched)
{
	struct aging_sums s, keep;
	char *cause = NULL;

	aging_sums_init(&s, "USD");
	cr_assert_eq(aging_sums_add(&s, AGING_31_60, &(struct money){INT64_MAX - 5, "USD"}, &cause), 0);
	keep = s;
	cr_assert_eq(aging_sums_add(&s, AGING_31_60, &(struct money){10, "USD"}, &cause), -1,
	    "an overflow is refused, never wrapped");
	cr_assert_not_null(cause);
	free(cause);
	cause = NULL;
	cr_assert_eq(memcmp(&s, &keep, sizeof s), 0);
	cr_assert_eq(aging_sums_add(&s, AGING_0_30, &(struct money){100, "EUR"}, &cause), -1,
	    "euros are not added to dollars");
	free(cause);
	cause = NULL;
	cr_assert_eq(memcmp(&s, &keep, sizeof s), 0);
	cr_assert_eq(aging_sums_pay(&s, &(struct money){100, "EUR"}, &cause), -1);
	free(cause);
	cr_assert_eq(memcmp(&s, &keep, sizeof s), 0);
}

Test(aging_sums, payments_go_to_the_oldest_first)
{
	struct aging_sums s;
	char *cause = NULL;

	aging_sums_init(&s, NULL);
	aging_sums_add(&s, AGING_0_30, &(struct money){1000, "USD"}, &cause);
	aging_sums_add(&s, AGING_31_60, &(struct money){-500, "USD"}, &cause); /* a credit: skipped */
	aging_sums_add(&s, AGING_61_90, &(struct money){700, "USD"}, &cause);
	aging_sums_add(&s, AGING_OVER_90, &(struct money){300, "USD"}, &cause);
	cr_assert_eq(aging_sums_pay(&s, &(struct money){800, "USD"}, &cause), 0);
	cr_assert_eq(s.b[AGING_OVER_90].minor, 0);
	cr_assert_eq(s.b[AGING_61_90].minor, 200);
	cr_assert_eq(s.b[AGING_31_60].minor, -500, "a bucket below zero takes nothing");
	cr_assert_eq(s.b[AGING_0_30].minor, 1000);
	cr_assert_eq(s.total.minor, 700);
	/* More than is owed: the rest is a credit in the newest bucket. */
	cr_assert_eq(aging_sums_pay(&s, &(struct money){2000, "USD"}, &cause), 0);
	cr_assert_eq(s.b[AGING_61_90].minor, 0);
	cr_assert_eq(s.b[AGING_0_30].minor, 1000 - 1800);
	cr_assert_eq(s.total.minor, -1300);
	cr_assert_eq(s.b[0].minor + s.b[1].minor + s.b[2].minor + s.b[3].minor, s.total.minor);
	/* A refund (a payment below zero) raises the newest bucket. */
	cr_assert_eq(aging_sums_pay(&s, &(struct money){-300, "USD"}, &cause), 0);
	cr_assert_eq(s.b[AGING_0_30].minor, -500);
	cr_assert_eq(s.total.minor, -1000);
}

/* --- the clinic's aging from one batch ------------------------------------------------------ */

#define OK_SET(entries)                                                                            \
	"{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":\"Bundle\","         \
	"\"entry\":[" entries "]}}"
#define CHARGE(id, patient, day, value)                                                            \
	"{\"resource\":{\"resourceType\":\"ChargeItem\",\"id\":\"" id "\",\"status\":\"billed\","  \
	"\"code\":{\"coding\":[{\"system\":\"" BILL_CS_CPT "\",\"code\":\"99213\"}]},"             \
	"\"subject\":{\"reference\":\"Patient/" patient "\"},\"occurrenceDateTime\":\"" day "\","  \
	"\"extension\":[{\"url\":\"" BILL_EXT_UNIT_PRICE "\",\"valueMoney\":{\"value\":" value     \
	",\"currency\":\"USD\"}}]}}"
#define PATIENT(id, family)                                                                        \
	"{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"" id "\",\"name\":[{\"family\":\"" \
	family "\",\"given\":[\"Ann\"]}],\"birthDate\":\"1970-01-02\"},\"search\":{\"mode\":"      \
	"\"include\"}}"
#define ADJ(cat, value)                                                                            \
	"{\"category\":{\"coding\":[{\"code\":\"" cat "\"}]},\"amount\":{\"value\":" value         \
	",\"currency\":\"USD\"}}"
#define CARC(group, code, value)                                                                   \
	"{\"category\":{\"coding\":[{\"code\":\"adjustment\"}]},\"reason\":{\"coding\":[{"         \
	"\"system\":\"" BILL_CS_CARC "\",\"code\":\"" code "\"},{\"system\":\"" BILL_CS_CARC_GROUP \
	"\",\"code\":\"" group "\"}]},\"amount\":{\"value\":" value ",\"currency\":\"USD\"}}"
#define REMIT(id, patient, claim, paid_on, items)                                                  \
	"{\"resource\":{\"resourceType\":\"ClaimResponse\",\"id\":\"" id "\",\"status\":\"active\"," \
	"\"patient\":{\"reference\":\"Patient/" patient "\"},\"insurer\":{\"reference\":"          \
	"\"Organization/acme\",\"display\":\"Acme Health Plan\"},\"request\":{\"reference\":"     \
	"\"Claim/" claim "\"},\"outcome\":\"complete\",\"payment\":{\"date\":\"" paid_on "\"},"   \
	"\"item\":[" items "]}}"
#define CLAIM(id, patient, day, charges)                                                           \
	"{\"resource\":{\"resourceType\":\"Claim\",\"id\":\"" id "\",\"status\":\"active\","       \
	"\"patient\":{\"reference\":\"Patient/" patient "\"},\"created\":\"" day "\","            \
	"\"insurer\":{\"reference\":\"Organization/acme\"},\"billablePeriod\":{\"start\":\"" day  \
	"\"},\"item\":[" charges "]}}"
#define CLAIM_ITEM(seq, charge, day, code)                                                         \
	"{\"sequence\":" seq ",\"servicedDate\":\"" day "\",\"productOrService\":{\"coding\":[{"   \
	"\"code\":\"" code "\"}]},\"net\":{\"value\":100,\"currency\":\"USD\"},\"extension\":[{"   \
	"\"url\":\"" BILL_EXT_CLAIM_CHARGE "\",\"valueReference\":{\"reference\":\"ChargeItem/"    \
	charge "\"}}]}"
#define PAYMENT(id, patient, day, value)                                                           \
	"{\"resource\":{\"resourceType\":\"PaymentNotice\",\"id\":\"" id "\",\"status\":\"active\"," \
	"\"request\":{\"reference\":\"Patient/" patient "\"},\"paymentDate\":\"" day "\","        \
	"\"amount\":{\"value\":" value ",\"currency\":\"USD\"}}}"
#define COVERED(patient)                                                                           \
	"{\"resource\":{\"resourceType\":\"Coverage\",\"id\":\"cov-" patient "\",\"status\":"      \
	"\"active\",\"beneficiary\":{\"reference\":\"Patient/" patient "\"}}}"
#define ACME                                                                                       \
	"{\"resource\":{\"resourceType\":\"Organization\",\"id\":\"acme\",\"name\":\"Acme Health " \
	"Plan\"},\"search\":{\"mode\":\"include\"}}"

static char *
answer(const char *charges, const char *remits, const char *payments, const char *claims,
    const char *covs)
{
	char *a;

	cr_assert(asprintf(&a, "{\"resourceType\":\"Bundle\",\"type\":\"batch-response\",\"entry\":["
	                       "%s,%s,%s,%s,%s]}",
	              charges, remits, payments, claims, covs) > 0);
	return a;
}

/*
 * Ann Insured (p1, covered): a charge of 100.00 on 2026-11-20 (12 days), paid 60.00, 10.00
 * written off CO-45 with a reversal of -0.50, 20.50 to her (PR-2); another of 100.00 on
 * 2026-10-10 (53 days) with no answer; a denied 100.00 on 2026-08-01 (123 days, CO-50,
 * written off). Bob Self (p2, not covered): a charge of 100.00 on 2026-09-15 (78 days), and
 * his payment of 30.00. Ann's copay of 25.00.
 */
static char *
clinic_answer(const char *extra_charge)
{
	char *charges, *a;

	cr_assert(asprintf(&charges,
	              "{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":\"Bundle\","
	              "\"entry\":[" CHARGE("c1", "p1", "2026-11-20", "100") "," CHARGE("c2", "p1",
	                  "2026-10-10", "100") "," CHARGE("c3", "p1", "2026-08-01",
	                  "100") "," CHARGE("c4", "p2", "2026-09-15", "100") "%s%s," PATIENT("p1",
	                  "Insured") "," PATIENT("p2", "Self") "]}}",
	              extra_charge[0] ? "," : "", extra_charge) > 0);
	a = answer(charges,
	    OK_SET(REMIT("r1", "p1", "k1", "2026-11-30",
	        "{\"itemSequence\":1,\"adjudication\":[" ADJ("submitted", "100") "," ADJ("benefit",
	            "60") "," CARC("CO", "45", "10") "," CARC("CO", "45", "-0.50") "," CARC("PR", "2",
	            "20.50") ",{\"category\":{\"coding\":[{\"code\":\"eligpercent\"}]},\"value\":80}]}") ","
	        REMIT("r3", "p1", "k3", "2026-08-20",
	            "{\"itemSequence\":1,\"adjudication\":[" ADJ("submitted", "100") "," ADJ("benefit",
	                "0") "," CARC("CO", "50", "100") "]}")),
	    OK_SET(PAYMENT("pay1", "p2", "2026-10-01", "30") "," PAYMENT("pay2", "p1", "2026-11-20",
	        "25")),
	    OK_SET(CLAIM("k1", "p1", "2026-11-20", CLAIM_ITEM("1", "c1", "2026-11-20", "99213")) ","
	        CLAIM("k2", "p1", "2026-10-10", CLAIM_ITEM("1", "c2", "2026-10-10", "99213")) ","
	        CLAIM("k3", "p1", "2026-08-01", CLAIM_ITEM("1", "c3", "2026-08-01", "99213")) "," ACME),
	    OK_SET(COVERED("p1")));
	free(charges);
	return a;
}

Test(aging_read, one_batch)
{
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	cJSON *b = aging_batch(fc);
	char *text = cJSON_PrintUnformatted(b);

	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(b, "entry")), 5,
	    "charges, answers, payments, claims, coverages: one round trip");
	cr_assert_not_null(strstr(text, "ChargeItem?_elements="), "%s", text);
	cr_assert_not_null(strstr(text, "_include=ChargeItem%3Asubject"), "%s", text);
	cr_assert_not_null(strstr(text, "_count=2001"), "%s", text);
	cr_assert_not_null(strstr(text, "ClaimResponse?_elements="), "%s", text);
	cr_assert_not_null(strstr(text, "Claim?use=claim"), "%s", text);
	cr_assert_not_null(strstr(text, "Coverage?status=active"), "%s", text);
	free(text);
	cJSON_Delete(b);
	fhir_client_free(&fc);
}

Test(aging_read, buckets_payers_patients_and_denials)
{
	char *text = clinic_answer(""), *cause = NULL;
	cJSON *r = parse(text);
	struct aging_report a;

	cr_assert_eq(aging_result(r, &today, &a, &cause), 0, "%s", cause ? cause : "");
	cr_assert_eq(a.skipped.n, 0, "%s", a.skipped.n ? a.skipped.v[0] : "");
	cr_assert_eq(a.ncharges, 4);
	cr_assert_eq(a.nremits, 2);
	cr_assert_eq(a.npayments, 2);
	/* Insurer: c1 100 - 60 - 10 + 0.50 - 20.50 = 10.00 at 12 days; c2 100 at 53; c3 written off. */
	cr_assert_eq(a.insurer.b[AGING_0_30].minor, 1000);
	cr_assert_eq(a.insurer.b[AGING_31_60].minor, 10000);
	cr_assert_eq(a.insurer.b[AGING_61_90].minor, 0);
	cr_assert_eq(a.insurer.b[AGING_OVER_90].minor, 0);
	cr_assert_eq(a.insurer.total.minor, 11000);
	/* Patient: Ann's 20.50 less her 25.00 copay (a credit of 4.50); Bob 100 less 30 at 78 days. */
	cr_assert_eq(a.patient.b[AGING_0_30].minor, -450);
	cr_assert_eq(a.patient.b[AGING_61_90].minor, 7000);
	cr_assert_eq(a.patient.total.minor, 6550);
	cr_assert_eq(a.npayers, 1);
	cr_assert_str_eq(a.payers[0].name, "Acme Health Plan", "named from the Organization");
	cr_assert_eq(a.payers[0].insurer.total.minor, 11000);
	cr_assert_eq(a.npatients, 2);
	cr_assert_str_eq(a.patients[0].name, "Insured, Ann");
	cr_assert(a.patients[0].insured);
	cr_assert_eq(a.patients[0].insurer.total.minor, 11000);
	cr_assert_eq(a.patients[0].patient.total.minor, -450);
	cr_assert_str_eq(a.patients[1].name, "Self, Ann");
	cr_assert(!a.patients[1].insured);
	cr_assert_eq(a.patients[1].patient.b[AGING_61_90].minor, 7000);
	cr_assert_not_null(aging_patient_resource(&a, "p2"));
	cr_assert_null(aging_patient_resource(&a, "p3"));
	/* The denial: c3's line, with its code, charge and reason. */
	cr_assert_eq(a.ndenials, 1);
	cr_assert_str_eq(a.denials[0].day, "2026-08-01");
	cr_assert_str_eq(a.denials[0].claim, "k3");
	cr_assert_str_eq(a.denials[0].patient, "p1");
	cr_assert_str_eq(a.denials[0].name, "Insured, Ann");
	cr_assert_str_eq(a.denials[0].birth, "1970-01-02");
	cr_assert_str_eq(a.denials[0].payer, "Acme Health Plan");
	cr_assert_str_eq(a.denials[0].code, "99213");
	cr_assert_str_eq(a.denials[0].reasons, "CO-50");
	cr_assert(a.denials[0].has_amount);
	cr_assert_eq(a.denials[0].amount.minor, 10000);
	aging_report_clear(&a);
	cJSON_Delete(r);
	free(text);
}

Test(aging_read, hostile_amounts_are_left_out_never_added)
{
	static const char *const hostile[] = {
		CHARGE("h1", "p1", "2026-11-20", "1e309"),
		CHARGE("h2", "p1", "2026-11-20", "-0.001"),
		CHARGE("h3", "p1", "2026-11-20", "12.345"),
		CHARGE("h4", "p1", "2026-11-20", "\"12.00\""),
		CHARGE("h5", "p1", "2026-11-20", "112.41600000000001"),
		CHARGE("h6", "p1", "2026-11-20", "92233720368547758.07"),
		CHARGE("h7", "p1", "2026-11-20", "null"),
	};

	for (size_t i = 0; i < sizeof hostile / sizeof *hostile; i++) {
		char *text = clinic_answer(hostile[i]), *cause = NULL;
		cJSON *r = cJSON_Parse(text);
		struct aging_report a;

		if (r == NULL) { /* cJSON itself refuses some: nothing to add */
			free(text);
			continue;
		}
		cr_assert_eq(aging_result(r, &today, &a, &cause), 0, "%s", cause ? cause : "");
		cr_assert_eq(a.insurer.total.minor, 11000, "case %zu added", i);
		cr_assert_eq(a.insurer.b[AGING_0_30].minor, 1000, "case %zu added", i);
		cr_assert_eq(a.patient.total.minor, 6550, "case %zu", i);
		cr_assert_geq(a.skipped.n, 1, "case %zu is said", i);
		aging_report_clear(&a);
		cJSON_Delete(r);
		free(text);
	}
}

Test(aging_read, a_later_answer_settles_a_denial_and_the_deductible_is_no_denial)
{
	char *text = answer(OK_SET(CHARGE("c1", "p1", "2026-11-20", "100") "," CHARGE("c2", "p1",
	                        "2026-11-20", "100")),
	    OK_SET(REMIT("r1", "p1", "k1", "2026-11-25",
	        "{\"itemSequence\":1,\"adjudication\":[" ADJ("benefit", "0") "," CARC("CO", "16",
	            "100") "]},{\"itemSequence\":2,\"adjudication\":[" ADJ("benefit", "0") "," CARC("PR",
	            "1", "100") "]}") "," REMIT("r2", "p1", "k1", "2026-11-30",
	        "{\"itemSequence\":1,\"adjudication\":[" ADJ("benefit", "100") "," CARC("CO", "16",
	            "-100") "]}")),
	    OK_SET(""),
	    OK_SET(CLAIM("k1", "p1", "2026-11-20", CLAIM_ITEM("1", "c1", "2026-11-20", "99213") ","
	        CLAIM_ITEM("2", "c2", "2026-11-20", "36415"))),
	    OK_SET(COVERED("p1")));
	char *cause = NULL;
	cJSON *r = parse(text);
	struct aging_report a;

	cr_assert_eq(aging_result(r, &today, &a, &cause), 0, "%s", cause ? cause : "");
	cr_assert_eq(a.ndenials, 0, "line 1 paid on appeal, line 2 the patient's deductible");
	/* Line 1: 100 - 100 written off - 100 paid + 100 reversed = 0; line 2 to the patient. */
	cr_assert_eq(a.insurer.total.minor, 0);
	cr_assert_eq(a.patient.b[AGING_0_30].minor, 10000);
	aging_report_clear(&a);
	cJSON_Delete(r);
	free(text);
}

Test(aging_read, a_list_that_failed_is_said)
{
	char *text = answer(OK_SET(""),
	    "{\"response\":{\"status\":\"500 Internal Server Error\"}}", OK_SET(""), OK_SET(""),
	    OK_SET(""));
	char *cause = NULL;
	cJSON *r = parse(text);
	struct aging_report a;

	cr_assert_eq(aging_result(r, &today, &a, &cause), -1);
	cr_assert_not_null(cause);
	cr_assert_not_null(strstr(cause, "insurers' answers"), "%s", cause);
	free(cause);
	cJSON_Delete(r);
	free(text);
}

/* --- the statement -------------------------------------------------------------------------- */

static void
ledger_of(struct bill_ledger_read *r, bool insured)
{
	static struct bill_line charge;
	static struct bill_remit remit;
	static struct bill_remit_line line;
	static const struct bill_patient_payment pay = {"2026-11-25", {2500, "USD"}, "copay"};

	memset(r, 0, sizeof *r);
	memset(&charge, 0, sizeof charge);
	snprintf(charge.code, sizeof charge.code, "99213");
	snprintf(charge.day, sizeof charge.day, "2026-11-20");
	charge.quantity = 2;
	charge.unit_price = usd(5000);
	memset(&line, 0, sizeof line);
	line.sequence = 1;
	line.has_paid = true;
	line.paid = usd(6000);
	line.adj[0] = (struct bill_adjustment){BILL_GROUP_CO, "45", usd(1050)};
	line.adj[1] = (struct bill_adjustment){BILL_GROUP_CO, "45", usd(-50)}; /* a reversal */
	line.adj[2] = (struct bill_adjustment){BILL_GROUP_PR, "2", usd(3000)};
	line.nadj = 3;
	line.patient_share = usd(3000);
	memset(&remit, 0, sizeof remit);
	snprintf(remit.insurer, sizeof remit.insurer, "Acme \x1b[2J Health");
	snprintf(remit.payment_date, sizeof remit.payment_date, "2026-11-30");
	remit.paid = usd(6000);
	remit.patient_share = usd(3000);
	remit.lines = &line;
	remit.n = 1;
	cr_assert_eq(bill_ledger_build(&charge, 1, insured, &remit, 1, &pay, 1, &r->ledger), 0);
	r->opened.view.name = (char *)"Insured, Ann";
	r->opened.view.birth_date = (char *)"1970-01-02";
	r->opened.view.mrn = (char *)"MRN-1";
}

Test(statement, totals_come_to_the_ledger)
{
	struct bill_ledger_read r;
	struct statement_totals t;
	char *cause = NULL;

	ledger_of(&r, true);
	cr_assert_eq(statement_totals(&r.ledger, &t, &cause), 0, "%s", cause ? cause : "");
	cr_assert_eq(t.charges.minor, 10000);
	cr_assert_eq(t.insurer_paid.minor, 6000);
	cr_assert_eq(t.adjusted.minor, 1000, "10.50 written off less a 0.50 reversal");
	cr_assert_eq(t.patient_paid.minor, 2500);
	cr_assert_eq(t.insurance_pending.minor, 0);
	cr_assert_eq(t.patient_owes.minor, 500);
	cr_assert_eq(t.patient_owes.minor, r.ledger.patient_owes.minor);
	/* A ledger whose balance is not what its rows add up to is refused. */
	r.ledger.patient_owes.minor += 1;
	cr_assert_eq(statement_totals(&r.ledger, &t, &cause), -1);
	cr_assert_not_null(cause);
	free(cause);
	bill_ledger_clear(&r.ledger);
}

Test(statement, text_printable_and_within_the_page)
{
	struct bill_ledger_read r;
	char **lines, *cause = NULL, *joined;
	size_t n;
	bool due = false;

	ledger_of(&r, true);
	/* A day as the server wrote it, control bytes and all (fuzz_billing found it printed). */
	memcpy(r.ledger.v[0].day, "2026-\x01\x1b[", 9);
	n = statement_text(&r, "Main Street Clinic \xe2\x80\xae", &today, &lines, &cause);
	cr_assert_gt(n, 10, "%s", cause ? cause : "");
	for (size_t i = 0; i < n; i++) {
		cr_assert_leq(strlen(lines[i]), STATEMENT_WIDTH, "%s", lines[i]);
		for (const char *p = lines[i]; *p; p++)
			cr_assert(*p >= 0x20 && *p < 0x7f, "line %zu: byte %02x", i, (unsigned char)*p);
		if (strstr(lines[i], "AMOUNT DUE FROM YOU") != NULL) {
			cr_assert_not_null(strstr(lines[i], " 5.00"), "%s", lines[i]);
			due = true;
		}
	}
	cr_assert(due);
	joined = bill_print_join(lines, n);
	cr_assert_not_null(strstr(joined, "Patient: Insured, Ann"));
	cr_assert_not_null(strstr(joined, "Main Street Clinic ?"));
	cr_assert_not_null(strstr(joined, "Paid by insurance"));
	cr_assert_not_null(strstr(joined, "2026-12-02"));
	free(joined);
	bill_print_free(lines, n);
	bill_ledger_clear(&r.ledger);
}

Test(statement, a_credit_says_so)
{
	struct bill_ledger_read r;
	char **lines, *cause = NULL, *joined;
	size_t n;

	ledger_of(&r, true);
	/* Only payments, 35.00 of them, and nothing charged: a credit. */
	{
		static const struct bill_patient_payment pays[] = {
			{"2026-11-25", {2500, "USD"}, "copay"}, {"2026-11-26", {1000, "USD"}, NULL}};

		bill_ledger_clear(&r.ledger);
		cr_assert_eq(bill_ledger_build(NULL, 0, true, NULL, 0, pays, 2, &r.ledger), 0);
	}
	n = statement_text(&r, NULL, &today, &lines, &cause);
	cr_assert_gt(n, 0, "%s", cause ? cause : "");
	joined = bill_print_join(lines, n);
	cr_assert_not_null(strstr(joined, "CREDIT ON YOUR ACCOUNT"), "%s", joined);
	cr_assert_not_null(strstr(joined, "35.00"), "%s", joined);
	cr_assert_null(strstr(joined, "AMOUNT DUE"), "%s", joined);
	free(joined);
	bill_print_free(lines, n);
	bill_ledger_clear(&r.ledger);
}
