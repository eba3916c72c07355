/* Unit tests for fhir/billing's posting of a payer's EOB and the patient's ledger reader: exact
 * money on every total, hostile amounts refused, one plan all or nothing. */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/billing.h"
#include "fhir/plan.h"

static const struct date today = {2026, 3, 20};

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

/* --- typed amounts and reasons ----------------------------------------------------------- */

static int64_t
amount(const char *text, bool negative)
{
	struct money m;
	char *cause = NULL;

	cr_assert_eq(bill_amount_parse(text, "Paid", true, negative, &m, &cause), 0, "%s: %s", text,
	    cause ? cause : "");
	return m.minor;
}

/* The sentence TEXT is refused with (the caller frees it). */
static char *
refused(const char *text, bool negative)
{
	struct money m = usd(777);
	char *cause = NULL;

	cr_assert_eq(bill_amount_parse(text, "Paid", false, negative, &m, &cause), -1, "%s", text);
	cr_assert_eq(m.minor, 777, "%s: nothing written on refusal", text);
	cr_assert_not_null(cause);
	cr_assert_eq(strncmp(cause, "Paid", 4), 0, "names the field: %s", cause);
	return cause;
}

Test(posting_amounts, typed_amounts_are_exact_cents)
{
	cr_assert_eq(amount("12.50", false), 1250);
	cr_assert_eq(amount("$1,234.56", false), 123456);
	cr_assert_eq(amount(".05", false), 5);
	cr_assert_eq(amount("  0 ", false), 0);
	cr_assert_eq(amount("", false), 0, "a blank amount is none paid");
	cr_assert_eq(amount("-3.10", true), -310, "a reversal");
	cr_assert_eq(amount("0.10", false) + amount("0.20", false), 30);
}

Test(posting_amounts, hostile_amounts_are_refused_with_a_sentence)
{
	const char *cases[][2] = {
	    {"1e309", "write an amount as 12.50"},
	    {"1e2", "write an amount as 12.50"},
	    {"12.345", "more than two decimal places"},
	    {"abc", "write an amount as 12.50"},
	    {"NaN", "write an amount as 12.50"},
	    {"-0", "\"-0\" is not an amount"},
	    {"-0.00", "\"-0\" is not an amount"},
	    {"-$0", "\"-0\" is not an amount"},
	    {"-1", "cannot be below zero"},
	    {"99999999999999999999", "too large"},
	    {"", "needs an amount"},
	    {"1\x1b[2J", "write an amount as 12.50"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *why = refused(cases[i][0], false);

		cr_assert_not_null(strstr(why, cases[i][1]), "%s: %s", cases[i][0], why);
		cr_assert_null(strstr(why, "-3.10"), "a field that refuses negatives offers none: %s", why);
		free(why);
	}
	{
		char *why = refused("abc", false);

		cr_assert_not_null(strstr(why, "write an amount as 12.50 or $1,234.56"), "%s", why);
		free(why);
	}
}

Test(posting_amounts, adjustment_reasons)
{
	enum bill_group g;
	char reason[BILL_CODE_SIZE], buf[16], *cause = NULL;
	const char *bad[] = {"", "CO", "XX-45", "CO-", "CO-1234", "CO-4\x1b", "CO-45 PR-2", "CO--"};

	cr_assert_eq(bill_adjustment_parse("CO-45", &g, reason, &cause), 0);
	cr_assert_eq(g, BILL_GROUP_CO);
	cr_assert_str_eq(reason, "45");
	cr_assert_eq(bill_adjustment_parse(" co 50 ", &g, reason, &cause), 0);
	cr_assert_eq(g, BILL_GROUP_CO);
	cr_assert_str_eq(reason, "50");
	cr_assert_eq(bill_adjustment_parse("pr2", &g, reason, &cause), 0);
	cr_assert_eq(g, BILL_GROUP_PR);
	cr_assert_str_eq(reason, "2");
	cr_assert_eq(bill_adjustment_parse("OA-a1", &g, reason, &cause), 0);
	cr_assert_str_eq(reason, "A1");
	bill_adjustment_format(BILL_GROUP_OA, "23", buf, sizeof buf);
	cr_assert_str_eq(buf, "OA-23");
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		cr_assert_eq(bill_adjustment_parse(bad[i], &g, reason, &cause), -1, "%s", bad[i]);
		cr_assert_not_null(cause);
		free(cause);
		cause = NULL;
	}
}

/* --- the posting ------------------------------------------------------------------------- */

/*
 * The EOB of tests/e2e/posting.test: check 106.66; 99214 131.15 allowed 120.00, paid 96.00,
 * CO-45 11.15, coinsurance 24.00; 85025 10.66 paid in full; 36415 3.05 denied CO-50.
 */
struct eob {
	struct bill_post_line lines[3];
	struct bill_post_claim claim;
	struct bill_posting p;
};

static void
eob_init(struct eob *e)
{
	memset(e, 0, sizeof *e);
	e->lines[0] = (struct bill_post_line){.sequence = 1, .code = "99214",
	    .charge_item = "ChargeItem/ci1", .charged = usd(13115), .has_allowed = true,
	    .allowed = usd(12000), .paid = usd(9600), .adjusted = usd(1115),
	    .group = BILL_GROUP_CO, .reason = "45", .patient_resp = usd(2400), .resp_reason = "2"};
	e->lines[1] = (struct bill_post_line){.sequence = 2, .code = "85025",
	    .charge_item = "ChargeItem/ci2", .charged = usd(1066), .allowed = usd(0),
	    .paid = usd(1066), .adjusted = usd(0), .patient_resp = usd(0)};
	e->lines[2] = (struct bill_post_line){.sequence = 3, .code = "36415",
	    .charge_item = "ChargeItem/ci3", .charged = usd(305), .allowed = usd(0),
	    .paid = usd(0), .adjusted = usd(305), .group = BILL_GROUP_CO, .reason = "50",
	    .patient_resp = usd(0)};
	snprintf(e->claim.claim, sizeof e->claim.claim, "%s", "Claim/cl1");
	snprintf(e->claim.patient, sizeof e->claim.patient, "%s", "Patient/p1");
	e->claim.lines = e->lines;
	e->claim.n = 3;
	snprintf(e->p.payer, sizeof e->p.payer, "%s", "Organization/acme");
	snprintf(e->p.payer_name, sizeof e->p.payer_name, "%s", "Acme Health Plan");
	snprintf(e->p.check_number, sizeof e->p.check_number, "%s", "EOB-9001");
	snprintf(e->p.check_date, sizeof e->p.check_date, "%s", "2026-03-18");
	e->p.check_amount = usd(10666);
	e->p.claims = &e->claim;
	e->p.nclaims = 1;
	e->p.request_id = "rq1";
}

/* The three ChargeItems as read, billed at version 4. */
static cJSON *
charges_read(void)
{
	return parse("["
	             "{\"resourceType\":\"ChargeItem\",\"id\":\"ci1\",\"meta\":{\"versionId\":\"4\"},"
	             "\"status\":\"billed\",\"extension\":[{\"url\":\"" BILL_EXT_CHARGE_POSTED
	             "\",\"valueString\":\"an older posting\"}]},"
	             "{\"resourceType\":\"ChargeItem\",\"id\":\"ci2\",\"meta\":{\"versionId\":\"4\"},"
	             "\"status\":\"billed\"},"
	             "{\"resourceType\":\"ChargeItem\",\"id\":\"ci3\",\"meta\":{\"versionId\":\"7\"},"
	             "\"status\":\"billed\",\"text\":{\"div\":\"<div/>\"}}]");
}

static void
assert_problem(const struct bill_problems *p, const char *sentence)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i], sentence) == 0)
			return;
	cr_assert_fail("no problem \"%s\" among %zu: %s", sentence, p->n, p->n ? p->v[0] : "");
}

Test(posting_check, a_balanced_eob_has_no_problem_and_its_denial_is_one)
{
	struct eob e;
	struct bill_problems p = {0};
	struct money paid;
	char *cause = NULL;

	eob_init(&e);
	cr_assert_eq(bill_posting_check(&e.p, &p), 0, "%s", p.n ? p.v[0] : "");
	cr_assert_eq(bill_posting_paid(&e.p, &paid, &cause), 0);
	cr_assert_eq(paid.minor, 10666);
	cr_assert(!bill_post_line_denied(&e.lines[0]));
	cr_assert(!bill_post_line_denied(&e.lines[1]));
	cr_assert(bill_post_line_denied(&e.lines[2]), "paid nothing, with its reason");
}

Test(posting_check, every_problem_is_listed)
{
	struct eob e;
	struct bill_problems p = {0};

	eob_init(&e);
	e.p.check_amount = usd(10000);
	e.lines[0].paid = usd(9500);       /* no longer balances */
	e.lines[1].reason[0] = '\0';
	e.lines[2].reason[0] = '\0';       /* a denial without its reason */
	e.lines[1].patient_resp = usd(0);
	e.p.check_number[0] = '\0';
	snprintf(e.p.check_date, sizeof e.p.check_date, "%s", "2026-02-30");
	cr_assert_eq(bill_posting_check(&e.p, &p), 5, "%zu: %s", p.n, p.n ? p.v[0] : "");
	assert_problem(&p, "The check (or EFT trace) number is missing");
	assert_problem(&p, "The check date is missing or not a date");
	assert_problem(&p, "Line 1 (99214) does not balance: charged $131.15, but paid, adjusted and "
	                   "the patient's share add up to $130.15");
	assert_problem(&p, "Line 3 (36415): the adjustment needs its group and reason code (CO-45)");
	assert_problem(&p, "The check is $100.00 but the lines pay $105.66: they must balance before "
	                   "saving");
	bill_problems_free(&p);
}

Test(posting_check, an_allowed_amount_that_does_not_add_up_is_refused)
{
	struct eob e;
	struct bill_problems p = {0};

	/* 99214: allowed 120.00 = paid 96.00 + coinsurance 24.00; the CO-45 is the contract's. */
	eob_init(&e);
	e.lines[0].allowed = usd(12015);
	cr_assert_eq(bill_posting_check(&e.p, &p), 1, "%zu: %s", p.n, p.n ? p.v[0] : "");
	assert_problem(&p, "Line 1 (99214): allowed $120.15, but allowed is paid + the patient's share "
	                   "+ any adjustment other than CO, $120.00");
	bill_problems_free(&p);
	/* An OA adjustment is taken from what was allowed. */
	eob_init(&e);
	e.lines[0].group = BILL_GROUP_OA;
	e.lines[0].allowed = usd(13115);
	cr_assert_eq(bill_posting_check(&e.p, &p), 0, "%s", p.n ? p.v[0] : "");
	/* Left blank, it is not checked. */
	eob_init(&e);
	e.lines[0].has_allowed = false;
	e.lines[0].allowed = usd(1);
	cr_assert_eq(bill_posting_check(&e.p, &p), 0, "%s", p.n ? p.v[0] : "");
}

Test(posting_check, a_negative_adjustment_balances_exactly)
{
	struct eob e;
	struct bill_problems p = {0};

	/* A payer that pays more than billed (a late-payment interest line) reverses by -0.10. */
	eob_init(&e);
	e.lines[1].paid = usd(1076);
	e.lines[1].adjusted = usd(-10);
	e.lines[1].group = BILL_GROUP_OA;
	snprintf(e.lines[1].reason, sizeof e.lines[1].reason, "%s", "225");
	e.p.check_amount = usd(10676);
	cr_assert_eq(bill_posting_check(&e.p, &p), 0, "%s", p.n ? p.v[0] : "");
	e.lines[1].patient_resp = usd(-1);
	cr_assert_gt(bill_posting_check(&e.p, &p), 0);
	assert_problem(&p, "Line 2 (85025): the patient's share cannot be below zero");
	bill_problems_free(&p);
}

Test(posting_check, sums_that_overflow_are_refused_not_wrapped)
{
	struct eob e;
	struct bill_problems p = {0};

	eob_init(&e);
	e.lines[0].paid = usd(INT64_MAX);
	e.lines[1].paid = usd(INT64_MAX);
	char *all;

	cr_assert_gt(bill_posting_check(&e.p, &p), 0);
	all = bill_problems_join(&p);
	cr_assert_not_null(strstr(all, "cannot be added up"), "%s", all);
	free(all);
	bill_problems_free(&p);
}

static const cJSON *
entry(const cJSON *tx, int i)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItem(tx, "entry"), i);
}

Test(posting_plan, one_transaction_guarded_and_read_back_exactly)
{
	struct eob e;
	struct bill_problems p = {0};
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	cJSON *items = charges_read(), *tx, *wire;
	const cJSON *pr, *cr, *ci, *x;
	struct fhir_plan *plan;
	struct bill_remit r;
	char *text;

	eob_init(&e);
	plan = bill_posting_plan(&e.p, items, &today, &p);
	cr_assert_not_null(plan, "%s", p.n ? p.v[0] : "");
	cr_assert_eq(fhir_plan_steps(plan), 5, "the check, the claim's answer, three charges");
	tx = fhir_plan_transaction(plan, fc);
	cr_assert_str_eq(fhir_get_string(tx, "type"), "transaction");

	/* The check, created once: the charges' If-Match updates guard a retry, and its request identifier settles a lost answer. */
	cr_assert_null(fhir_get_string(fhir_get_object(entry(tx, 0), "request"), "ifNoneExist"),
	    "the If-Match update in the same transaction guards the create");
	pr = fhir_get_object(entry(tx, 0), "resource");
	cr_assert_str_eq(fhir_get_string(pr, "resourceType"), "PaymentReconciliation");
	cr_assert(fhir_carries_request(pr, "rq1"));
	cr_assert_str_eq(fhir_get_string(fhir_get_object(pr, "paymentIssuer"), "display"),
	    "Acme Health Plan", "the payer's name, never the patient's");
	cr_assert_str_eq(fhir_get_string(fhir_get_object(pr, "paymentIdentifier"), "value"), "EOB-9001");
	cr_assert_str_eq(fhir_get_string(pr, "paymentDate"), "2026-03-18");
	x = cJSON_GetArrayItem(fhir_get_array(pr, "detail"), 0);
	cr_assert_str_eq(fhir_get_string(fhir_get_object(x, "request"), "reference"), "Claim/cl1");
	cr_assert_str_eq(fhir_get_string(
	                     fhir_get_object(fhir_get_object(x, "response"), "identifier"), "value"),
	    "rq1.1", "the answer named by its own request identifier, no id needed");

	cr = fhir_get_object(entry(tx, 1), "resource");
	cr_assert(fhir_carries_request(cr, "rq1.1"));
	cr_assert_str_eq(fhir_get_string(fhir_get_object(cr, "request"), "reference"), "Claim/cl1");
	cr_assert_str_eq(fhir_get_string(fhir_get_object(cr, "patient"), "reference"), "Patient/p1");

	/* Each charge: If-Match what was read, its answer named; the denied one billable again. */
	for (int i = 0; i < 3; i++) {
		const cJSON *req = fhir_get_object(entry(tx, 2 + i), "request");
		size_t posted = 0;

		ci = fhir_get_object(entry(tx, 2 + i), "resource");
		cr_assert_str_eq(fhir_get_string(req, "method"), "PUT");
		cr_assert_str_eq(fhir_get_string(req, "ifMatch"), i == 2 ? "W/\"7\"" : "W/\"4\"");
		cr_assert_str_eq(fhir_get_string(ci, "status"), i == 2 ? "billable" : "billed");
		cr_assert_null(fhir_get_object(ci, "meta"));
		cr_assert_null(fhir_get_object(ci, "text"));
		cJSON_ArrayForEach(x, fhir_get_array(ci, "extension"))
		if (strcmp(fhir_get_string(x, "url"), BILL_EXT_CHARGE_POSTED) == 0)
		{
			posted++;
			cr_assert_not_null(fhir_get_object(x, "valueReference"), "the older one replaced");
		}
		cr_assert_eq(posted, 1);
	}

	/* The ClaimResponse as the server keeps it reads back to the same cents. */
	text = cJSON_PrintUnformatted(cr);
	cr_assert_not_null(strstr(text, "\"value\":131.15"), "amounts written as decimals: %s", text);
	wire = parse(text);
	cr_assert_eq(bill_remit_read(wire, &r, &cause), 0, "%s", cause ? cause : "");
	cr_assert_eq(r.problems.n, 0, "%s", r.problems.n ? r.problems.v[0] : "");
	cr_assert_eq(r.payment.minor, 10666);
	cr_assert_eq(r.paid.minor, 10666);
	cr_assert_eq(r.submitted.minor, 14486);
	cr_assert_eq(r.patient_share.minor, 2400);
	cr_assert_eq(r.adjusted.minor, 1420, "CO-45 11.15 and CO-50 3.05; the PR share is apart");
	cr_assert_str_eq(r.insurer, "Acme Health Plan");
	cr_assert_str_eq(r.payment_date, "2026-03-18");
	cr_assert_eq(r.n, 3);
	cr_assert(!r.lines[0].denied);
	cr_assert(r.lines[2].denied, "a denial reads back as one: a zero payment with its reason");
	cr_assert_eq(r.lines[0].allowed.minor, 12000);
	cr_assert_eq(r.lines[0].nadj, 2);
	cr_assert_eq(r.lines[0].adj[1].group, BILL_GROUP_PR);
	cr_assert_str_eq(r.lines[0].adj[1].reason, "2");
	bill_remit_clear(&r);
	cJSON_Delete(wire);
	free(text);

	/* The same form again: the same guards, so a retry writes nothing twice. */
	{
		struct fhir_plan *again = bill_posting_plan(&e.p, items, &today, &p);
		cJSON *tx2 = fhir_plan_transaction(again, fc);

		cr_assert(fhir_carries_request(fhir_get_object(entry(tx2, 0), "resource"), "rq1"));
		cr_assert(fhir_carries_request(fhir_get_object(entry(tx2, 1), "resource"), "rq1.1"));
		cJSON_Delete(tx2);
		fhir_plan_free(&again);
	}
	cJSON_Delete(tx);
	fhir_plan_free(&plan);
	cJSON_Delete(items);
	fhir_client_free(&fc);
}

Test(posting_plan, nothing_is_planned_when_a_charge_was_not_read_or_it_does_not_balance)
{
	struct eob e;
	struct bill_problems p = {0};
	cJSON *items = parse("[{\"resourceType\":\"ChargeItem\",\"id\":\"ci1\",\"meta\":{"
	                     "\"versionId\":\"4\"}}]");

	eob_init(&e);
	cr_assert_null(bill_posting_plan(&e.p, items, &today, &p));
	cr_assert_eq(p.n, 2);
	assert_problem(&p, "Line 2 (85025): its charge was not read; read the claim again");
	bill_problems_free(&p);
	e.p.check_amount = usd(1);
	cr_assert_null(bill_posting_plan(&e.p, items, &today, &p));
	cr_assert_gt(p.n, 0);
	bill_problems_free(&p);
	cJSON_Delete(items);
}

Test(posting_plan, the_saved_posting_is_found_by_its_request)
{
	struct fhir_search *s = bill_posting_search("rq1");
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	char *q = fhir_search_query(fc, s);
	cJSON *set = parse("{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"resourceType\":"
	                   "\"PaymentReconciliation\",\"identifier\":[{\"system\":\"" FHIR_REQUEST_SYSTEM
	                   "\",\"value\":\"rq1\"}]}}]}");
	cJSON *other = parse("{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"resourceType\":"
	                     "\"PaymentReconciliation\",\"identifier\":[{\"system\":\"" FHIR_REQUEST_SYSTEM
	                     "\",\"value\":\"rq2\"}]}}]}");

	cr_assert_not_null(strstr(q, "identifier=urn%3Aehrterm%3Arequest%7Crq1"), "%s", q);
	cr_assert(bill_posting_found(set, "rq1"));
	cr_assert(!bill_posting_found(other, "rq1"), "a search that ignored the identifier");
	cr_assert(!bill_posting_found(NULL, "rq1"));
	free(q);
	cJSON_Delete(set);
	cJSON_Delete(other);
	fhir_search_free(&s);
	fhir_client_free(&fc);
}

/* --- the claim to post to ---------------------------------------------------------------- */

static const char visit_answer_head[] =
    "{\"entry\":[{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":\"Patient\","
    "\"id\":\"p1\"}},{},"
    "{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":\"Bundle\",\"entry\":[]}},"
    "{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":\"Bundle\",\"entry\":[{"
    "\"resource\":{\"resourceType\":\"Coverage\",\"id\":\"c1\",\"status\":\"active\","
    "\"beneficiary\":{\"reference\":\"Patient/p1\"},\"payor\":[{\"reference\":\"Organization/"
    "acme\",\"display\":\"Acme Health Plan\"}],\"order\":1}}]}},"
    "{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":\"Bundle\",\"entry\":[]}},";

#define CLAIM(id, created, type, patient, items)                                                   \
	"{\"resource\":{\"resourceType\":\"Claim\",\"id\":\"" id "\",\"status\":\"active\","        \
	"\"created\":\"" created "\",\"type\":{\"coding\":[{\"code\":\"" type "\"}]},"            \
	"\"patient\":{\"reference\":\"Patient/" patient "\"},\"insurer\":{\"reference\":"          \
	"\"Organization/acme\"},\"item\":[" items "]}}"
#define ITEM(seq, code, net, enc)                                                                  \
	"{\"sequence\":" seq ",\"productOrService\":{\"coding\":[{\"code\":\"" code "\"}]},"       \
	"\"net\":{\"value\":" net ",\"currency\":\"USD\"},\"encounter\":[{\"reference\":"          \
	"\"Encounter/" enc "\"}],\"extension\":[{\"url\":\"" BILL_EXT_CLAIM_CHARGE "\","           \
	"\"valueReference\":{\"reference\":\"ChargeItem/ci" seq "\"}}]}"

/* A ClaimResponse answering CLAIM under check CHECK: paid PAID, ADJ written off (CO-45). */
#define REMIT(claim, check, paid, adj)                                                      \
	"{\"resource\":{\"resourceType\":\"ClaimResponse\",\"id\":\"cr-" check "\",\"status\":"     \
	"\"active\",\"patient\":{\"reference\":\"Patient/p1\"},\"created\":\"2026-03-11\","        \
	"\"request\":{\"reference\":\"" claim "\"},\"outcome\":\"complete\",\"item\":[{"            \
	"\"itemSequence\":1,\"adjudication\":[{\"category\":{\"coding\":[{\"system\":\""          \
	BILL_CS_ADJUDICATION "\",\"code\":\"benefit\"}]},\"amount\":{\"value\":" paid ","          \
	"\"currency\":\"USD\"}},{\"category\":{\"coding\":[{\"system\":\"" BILL_CS_ADJ_CATEGORY  \
	"\",\"code\":\"adjustment\"}]},\"reason\":{\"coding\":[{\"system\":\"" BILL_CS_CARC      \
	"\",\"code\":\"45\"},{\"system\":\"" BILL_CS_CARC_GROUP "\",\"code\":\"CO\"}]},"          \
	"\"amount\":{\"value\":" adj ",\"currency\":\"USD\"}}]}],\"payment\":{\"date\":"          \
	"\"2026-03-10\",\"amount\":{\"value\":" paid ",\"currency\":\"USD\"},\"identifier\":{"   \
	"\"value\":\"" check "\"}}}}"
#define REMITS(entries)                                                                            \
	"{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":\"Bundle\","         \
	"\"entry\":[" entries "]}}"

Test(posting_open, the_newest_professional_claim_of_the_visit)
{
	char *cause = NULL, *answer;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	cJSON *b = bill_post_batch(fc, "p1", "e1"), *r;
	char *text = cJSON_PrintUnformatted(b);
	struct bill_post_open o;

	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(b, "entry")), 7);
	cr_assert_not_null(strstr(text, "ClaimResponse?patient=Patient%2Fp1&_count=101"), "%s", text);
	cr_assert_not_null(strstr(text, "Claim?patient=Patient%2Fp1&encounter=Encounter%2Fe1"), "%s",
	    text);
	cr_assert(asprintf(&answer, "%s{\"response\":{\"status\":\"200 OK\"},\"resource\":{"
	                            "\"resourceType\":\"Bundle\",\"entry\":[%s,%s,%s,%s]}},%s]}",
	              visit_answer_head,
	              CLAIM("old", "2026-03-02", "professional", "p1", ITEM("1", "99213", "92.47", "e1")),
	              CLAIM("new", "2026-03-05", "professional", "p1",
	                  ITEM("1", "99214", "131.15", "e1") "," ITEM("2", "85025", "10.66",
	                      "e9") "," ITEM("3", "36415", "112.41600000000001", "e1")),
	              CLAIM("hospital", "2026-03-09", "institutional", "p1",
	                  ITEM("1", "99213", "5", "e1")),
	              CLAIM("theirs", "2026-03-09", "professional", "p2",
	                  ITEM("1", "99213", "5", "e1")),
	              REMITS(REMIT("Claim/new", "CHK1001", "100.00", "31.15") ","
	                  REMIT("Claim/old", "CHK7", "50.00", "42.47"))) > 0);
	r = parse(answer);
	cr_assert_eq(bill_post_result(r, "p1", "e1", &today, &o, &cause), 0, "%s", cause ? cause : "");
	cr_assert(o.has_claim);
	cr_assert_str_eq(o.claim, "Claim/new", "not another patient's, nor a hospital's");
	cr_assert_str_eq(o.payer, "Organization/acme");
	cr_assert_str_eq(o.payer_name, "Acme Health Plan");
	cr_assert_eq(o.n, 1);
	cr_assert_eq(o.lines[0].charged.minor, 13115);
	cr_assert_str_eq(o.lines[0].charge_item, "ChargeItem/ci1");
	cr_assert_eq(o.problems.n, 2, "%s", o.problems.n ? o.problems.v[0] : "");
	cr_assert_str_eq(o.problems.v[0], "Claim line 2 (85025) is of another visit; it is left out");
	cr_assert_eq(o.nanswers, 1, "only the answer to this claim");
	cr_assert_str_eq(o.answers[0].check, "CHK1001");
	cr_assert_str_eq(o.answers[0].day, "2026-03-10");
	cr_assert_eq(o.answers[0].paid.minor, 10000);
	cr_assert_eq(o.answers[0].settled.minor, 13115);
	cr_assert_not_null(bill_post_same_check(&o, " chk1001 "), "the same check, typed otherwise");
	cr_assert_null(bill_post_same_check(&o, "CHK7"), "another claim's check");
	cr_assert_null(bill_post_same_check(&o, ""));
	cr_assert_not_null(strstr(o.problems.v[1], "Claim line 3 (36415) cannot be posted"), "%s",
	    o.problems.v[1]);
	bill_post_open_clear(&o);
	cJSON_Delete(r);
	free(answer);
	free(text);
	cJSON_Delete(b);
	fhir_client_free(&fc);
}

/*
 * A claim of one line charged 131.15 already answered by CHK1001 (100.00 paid, 31.15
 * written off): nothing is pending, so posting the EOB again would take insurance below zero.
 */
Test(posting_open, a_second_posting_of_a_paid_claim_takes_pending_below_zero)
{
	struct bill_post_open o;
	struct bill_post_line line;
	struct bill_post_claim claim = { .lines = &line, .n = 1 };
	struct bill_posting p = { .claims = &claim, .nclaims = 1 };
	struct money left, after;
	char *cause = NULL;

	memset(&o, 0, sizeof o);
	o.lines = &line;
	o.n = 1;
	memset(&line, 0, sizeof line);
	money_make(13115, "USD", &line.charged, &cause);
	money_make(10000, "USD", &line.paid, &cause);
	money_make(3115, "USD", &line.adjusted, &cause);
	money_make(0, "USD", &line.patient_resp, &cause);
	cr_assert_eq(bill_post_pending(&o, &p, &left, &after, &cause), 0);
	cr_assert_eq(left.minor, 13115, "nothing posted yet: the charge is pending");
	cr_assert_eq(after.minor, 0);
	o.nanswers = 1;
	money_make(13115, "USD", &o.answers[0].settled, &cause);
	cr_assert_eq(bill_post_pending(&o, &p, &left, &after, &cause), 0);
	cr_assert_eq(left.minor, 0);
	cr_assert_eq(after.minor, -13115, "the same EOB again settles the charge twice");
	cr_assert_str_eq(after.currency, "USD");
}

/* --- the answer of a posting saved: the next check's guards without reading again ------------ */

#define SAVED_CI(id, version, patient)                                                             \
	"{\"resourceType\":\"ChargeItem\",\"id\":\"" id "\",\"status\":\"billed\",\"meta\":{"       \
	"\"versionId\":\"" version "\"},\"subject\":{\"reference\":\"Patient/" patient "\"}}"
#define SAVED_ENTRY(status, resource)                                                              \
	"{\"response\":{\"status\":\"" status "\"},\"resource\":" resource "}"

/* A claim of two lines billing ci1 and ci2 at version 1, as the posting screen read it. */
static void
saved_open(struct bill_post_open *o)
{
	memset(o, 0, sizeof *o);
	o->visit.charge_items = parse("[" SAVED_CI("ci1", "1", "p1") "," SAVED_CI("ci2", "1", "p1") "]");
	o->lines = calloc(2, sizeof *o->lines);
	cr_assert_not_null(o->lines);
	o->n = 2;
	snprintf(o->claim, sizeof o->claim, "Claim/c1");
	snprintf(o->lines[0].charge_item, sizeof o->lines[0].charge_item, "ChargeItem/ci1");
	snprintf(o->lines[1].charge_item, sizeof o->lines[1].charge_item, "ChargeItem/ci2");
}

static const char *
saved_version(const struct bill_post_open *o, int i)
{
	return fhir_version_of(cJSON_GetArrayItem(o->visit.charge_items, i));
}

/* ANSWER refused: -1, and the charges as read are kept, at version 1. */
static void
saved_refused(const char *answer, const char *why)
{
	struct bill_post_open o;
	cJSON *r = parse(answer);

	saved_open(&o);
	cr_assert_eq(bill_post_saved(&o, r), -1, "%s", why);
	cr_assert_str_eq(saved_version(&o, 0), "1", "%s", why);
	cr_assert_str_eq(saved_version(&o, 1), "1", "%s", why);
	bill_post_open_clear(&o);
	cJSON_Delete(r);
}

Test(posting_saved, the_answer_gives_the_next_posting_its_charges_new_versions)
{
	struct bill_post_open o;
	cJSON *r = parse("{\"resourceType\":\"Bundle\",\"type\":\"transaction-response\",\"entry\":["
	    SAVED_ENTRY("201 Created", "{\"resourceType\":\"PaymentReconciliation\",\"id\":\"pr\"}") ","
	    SAVED_ENTRY("201 Created", "{\"resourceType\":\"ClaimResponse\",\"id\":\"cr\","
	        "\"request\":{\"reference\":\"Claim/c1\"},\"payment\":{\"identifier\":{"
	        "\"value\":\"CHK1001\"}}}") ","
	    SAVED_ENTRY("200 OK", SAVED_CI("ci2", "3", "p1")) ","
	    SAVED_ENTRY("200 OK", SAVED_CI("ci1", "2", "p1")) "]}");

	saved_open(&o);
	cr_assert_eq(bill_post_saved(&o, r), 0);
	cr_assert_eq(o.nanswers, 1, "the check just posted guards the next one");
	cr_assert_not_null(bill_post_same_check(&o, "CHK1001"));
	cr_assert_str_eq(saved_version(&o, 0), "2");
	cr_assert_str_eq(saved_version(&o, 1), "3");
	cr_assert_eq(cJSON_GetArraySize(o.visit.charge_items), 2);
	bill_post_open_clear(&o);
	cJSON_Delete(r);
}

Test(posting_saved, an_answer_that_does_not_say_leaves_the_claim_to_be_read_again)
{
	saved_refused("{\"resourceType\":\"Bundle\",\"entry\":["
	              SAVED_ENTRY("201 Created", "{\"resourceType\":\"PaymentReconciliation\",\"id\":\"pr\"}") ","
	              "{\"response\":{\"status\":\"200 OK\"}},{\"response\":{\"status\":\"200 OK\"}}]}",
	    "no resources in the answer (return=minimal)");
	saved_refused("{\"resourceType\":\"Bundle\",\"entry\":["
	              SAVED_ENTRY("200 OK", SAVED_CI("ci1", "2", "p1")) "]}",
	    "one line's charge missing: nothing replaced");
	saved_refused("{\"resourceType\":\"Bundle\",\"entry\":["
	              SAVED_ENTRY("200 OK", SAVED_CI("ci1", "2", "p1")) ","
	              SAVED_ENTRY("200 OK", SAVED_CI("ci2", "2", "p2")) "]}",
	    "another patient's charge");
	saved_refused("{\"resourceType\":\"Bundle\",\"entry\":["
	              SAVED_ENTRY("200 OK", SAVED_CI("ci1", "2", "p1")) ","
	              SAVED_ENTRY("200 OK", SAVED_CI("ci2", "1", "p1")) "]}",
	    "a charge not at a new version");
	saved_refused("{\"resourceType\":\"Bundle\",\"entry\":["
	              SAVED_ENTRY("200 OK", SAVED_CI("ci1", "2", "p1")) ","
	              SAVED_ENTRY("412 Precondition Failed", SAVED_CI("ci2", "2", "p1")) "]}",
	    "an entry that failed");
	saved_refused("{\"resourceType\":\"Bundle\",\"entry\":["
	              SAVED_ENTRY("200 OK", "{\"resourceType\":\"ChargeItem\",\"id\":\"ci1\",\"subject\":{\"reference\":\"Patient/p1\"}}") ","
	              SAVED_ENTRY("200 OK", SAVED_CI("ci2", "2", "p1")) "]}",
	    "a charge without a version");
	saved_refused("{\"resourceType\":\"Bundle\",\"entry\":7}", "entries not an array");
	saved_refused("[]", "not a Bundle");
}

Test(posting_saved, more_entries_than_a_plan_holds_is_not_its_answer)
{
	char *answer = strdup("{\"resourceType\":\"Bundle\",\"entry\":["
	                      SAVED_ENTRY("200 OK", SAVED_CI("ci1", "2", "p1")) ","
	                      SAVED_ENTRY("200 OK", SAVED_CI("ci2", "2", "p1")));

	for (int i = 0; i < FHIR_PLAN_MAX; i++) {
		char *more;

		cr_assert(asprintf(&more, "%s,{\"response\":{\"status\":\"200 OK\"}}", answer) > 0);
		free(answer);
		answer = more;
	}
	{
		char *full;

		cr_assert(asprintf(&full, "%s]}", answer) > 0);
		saved_refused(full, "more entries than FHIR_PLAN_MAX");
		free(full);
	}
	free(answer);
}

/* --- the ledger reader ------------------------------------------------------------------- */

static const char charge_99213[] =
    "{\"resource\":{\"resourceType\":\"ChargeItem\",\"id\":\"ci1\",\"status\":\"billed\","
    "\"code\":{\"coding\":[{\"system\":\"" BILL_CS_CPT "\",\"code\":\"99213\"}]},"
    "\"subject\":{\"reference\":\"Patient/p1\"},\"context\":{\"reference\":\"Encounter/e1\"},"
    "\"occurrenceDateTime\":\"2026-03-01\",\"quantity\":{\"value\":1},\"extension\":[{\"url\":\""
    BILL_EXT_UNIT_PRICE "\",\"valueMoney\":{\"value\":112.41,\"currency\":\"USD\"}}],"
    "\"reason\":[{\"coding\":[{\"system\":\"" BILL_CS_ICD10CM "\",\"code\":\"J06.9\"}]}]}}";

#define ADJ(cat, value)                                                                            \
	"{\"category\":{\"coding\":[{\"code\":\"" cat "\"}]},\"amount\":{\"value\":" value         \
	",\"currency\":\"USD\"}}"
#define CARC(group, code, value)                                                                   \
	"{\"category\":{\"coding\":[{\"code\":\"adjustment\"}]},\"reason\":{\"coding\":[{"         \
	"\"system\":\"" BILL_CS_CARC "\",\"code\":\"" code "\"},{\"system\":\"" BILL_CS_CARC_GROUP \
	"\",\"code\":\"" group "\"}]},\"amount\":{\"value\":" value ",\"currency\":\"USD\"}}"

static const char remit_acme[] =
    "{\"resource\":{\"resourceType\":\"ClaimResponse\",\"id\":\"cr1\",\"status\":\"active\","
    "\"patient\":{\"reference\":\"Patient/p1\"},\"insurer\":{\"reference\":\"Organization/acme\","
    "\"display\":\"Acme Health Plan\"},\"outcome\":\"complete\",\"item\":[{\"itemSequence\":1,"
    "\"adjudication\":[" ADJ("submitted", "112.41") "," ADJ("benefit", "70") "," CARC("CO", "45",
        "12.41") "," CARC("PR", "2", "20") "," CARC("OA", "94", "10.10") "," CARC("OA", "94",
        "-0.10") "]}],\"payment\":{\"date\":\"2026-03-15\",\"amount\":{\"value\":70,\"currency\":"
    "\"USD\"}}}}";

static const char payment_copay[] =
    "{\"resource\":{\"resourceType\":\"PaymentNotice\",\"id\":\"pn1\",\"status\":\"active\","
    "\"request\":{\"reference\":\"Patient/p1\"},\"paymentDate\":\"2026-03-01\",\"extension\":[{"
    "\"url\":\"" BILL_EXT_PAYMENT_KIND "\",\"valueCode\":\"copay\"}],\"amount\":{\"value\":25,"
    "\"currency\":\"USD\"}}}";

static char *
ledger_answer(const char *charges, const char *remits, const char *payments, const char *covs)
{
	char *a;

	cr_assert(asprintf(&a,
	              "{\"entry\":[{\"response\":{\"status\":\"200 OK\"},\"resource\":{"
	              "\"resourceType\":\"Patient\",\"id\":\"p1\"}},{},"
	              "{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":\"Bundle\","
	              "\"entry\":[%s]}},"
	              "{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":\"Bundle\","
	              "\"entry\":[%s]}},"
	              "{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":\"Bundle\","
	              "\"entry\":[%s]}},%s]}",
	              charges, remits, payments, covs) > 0);
	return a;
}

static const char insured[] =
    "{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":\"Bundle\",\"total\":1}}";

Test(ledger_read, one_batch_two_balances_never_mixed)
{
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	cJSON *b = bill_ledger_batch(fc, "p1"), *r;
	char *text = cJSON_PrintUnformatted(b), *answer;
	struct bill_ledger_read l;

	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(b, "entry")), 6,
	    "patient, allergies, charges, answers, payments, coverages: one round trip");
	cr_assert_not_null(strstr(text, "ChargeItem?subject=Patient%2Fp1&_count=301"), "%s", text);
	cr_assert_not_null(strstr(text, "ClaimResponse?patient=Patient%2Fp1&_count=101"), "%s", text);
	cr_assert_not_null(strstr(text, "PaymentNotice?request=Patient%2Fp1&_count=101"), "%s", text);
	cr_assert_not_null(strstr(text, "_summary=count"), "%s", text);
	answer = ledger_answer(charge_99213, remit_acme, payment_copay, insured);
	r = parse(answer);
	cr_assert_eq(bill_ledger_result(r, "p1", &l, &cause), 0, "%s", cause ? cause : "");
	cr_assert_eq(l.ncharges, 1);
	cr_assert_eq(l.nremits, 1);
	cr_assert_eq(l.npayments, 1);
	cr_assert_eq(l.skipped.n, 0, "%s", l.skipped.n ? l.skipped.v[0] : "");
	cr_assert_eq(l.ledger.problems.n, 0, "%s", l.ledger.problems.n ? l.ledger.problems.v[0] : "");
	/* 112.41 billed; the payer paid 70.00, wrote off 12.41 and 10.10 - 0.10; 20.00 to the patient. */
	cr_assert_eq(l.ledger.insurance_pending.minor, 0);
	cr_assert_eq(l.ledger.patient_owes.minor, 2000 - 2500, "a copay paid ahead is a credit");
	cr_assert_str_eq(l.ledger.v[0].what, "Charge 99213");
	cr_assert_str_eq(l.ledger.v[1].what, "Payment by the patient (copay)");
	cr_assert_eq(l.ledger.v[1].patient_owes.minor, -2500);
	cr_assert_eq(l.ledger.v[1].insurance_pending.minor, 11241, "the copay is not insurance's");
	cr_assert_str_eq(l.ledger.v[2].what, "Payment from Acme Health Plan");
	cr_assert_eq(l.ledger.v[2].kind, BILL_ENTRY_INSURER_PAYMENT);
	cr_assert_eq(l.ledger.v[2].insurance_pending.minor, 4241);
	cr_assert_eq(l.ledger.v[2].patient_owes.minor, -2500, "the payer's money is not the patient's");
	cr_assert_eq(l.ledger.v[5].amount.minor, -10, "a negative adjustment kept exact");
	cr_assert_eq(l.ledger.v[6].kind, BILL_ENTRY_TO_PATIENT);
	bill_ledger_read_clear(&l);
	cJSON_Delete(r);
	free(answer);
	free(text);
	cJSON_Delete(b);
	fhir_client_free(&fc);
}

Test(ledger_read, hostile_resources_are_left_out_with_a_sentence)
{
	char *cause = NULL, *answer, *all;
	struct bill_ledger_read l;
	cJSON *r;

	answer = ledger_answer(
	    /* another patient's charge, an amount not in cents, one in error */
	    "{\"resource\":{\"resourceType\":\"ChargeItem\",\"id\":\"x1\",\"status\":\"billed\","
	    "\"code\":{\"coding\":[{\"code\":\"99213\"}]},\"subject\":{\"reference\":\"Patient/p2\"},"
	    "\"context\":{\"reference\":\"Encounter/e1\"},\"priceOverride\":{\"value\":5}}},"
	    "{\"resource\":{\"resourceType\":\"ChargeItem\",\"id\":\"x2\",\"status\":\"billed\","
	    "\"code\":{\"coding\":[{\"code\":\"99213\"}]},\"subject\":{\"reference\":\"Patient/p1\"},"
	    "\"priceOverride\":{\"value\":112.41600000000001}}},"
	    "{\"resource\":{\"resourceType\":\"ChargeItem\",\"id\":\"x3\",\"status\":"
	    "\"entered-in-error\",\"code\":{\"coding\":[{\"code\":\"99213\"}]},\"subject\":{"
	    "\"reference\":\"Patient/p1\"},\"priceOverride\":{\"value\":5}}}",
	    /* a payer's amount sent as a string, 1e309 */
	    "{\"resource\":{\"resourceType\":\"ClaimResponse\",\"id\":\"cr9\",\"patient\":{"
	    "\"reference\":\"Patient/p1\"},\"item\":[{\"itemSequence\":1,\"adjudication\":["
	    "{\"category\":{\"coding\":[{\"code\":\"benefit\"}]},\"amount\":{\"value\":\"70\"}},"
	    "{\"category\":{\"coding\":[{\"code\":\"benefit\"}]},\"amount\":{\"value\":1e309}}]}]}}",
	    /* another patient's payment, and -0 */
	    "{\"resource\":{\"resourceType\":\"PaymentNotice\",\"id\":\"pn8\",\"request\":{"
	    "\"reference\":\"Patient/p2\"},\"paymentDate\":\"2026-03-01\",\"amount\":{\"value\":99,"
	    "\"currency\":\"USD\"}}},"
	    "{\"resource\":{\"resourceType\":\"PaymentNotice\",\"id\":\"pn9\",\"request\":{"
	    "\"reference\":\"Patient/p1\"},\"paymentDate\":\"2026-03-02\",\"amount\":{\"value\":"
	    "\"-0\",\"currency\":\"USD\"}}}",
	    insured);
	r = parse(answer);
	cr_assert_eq(bill_ledger_result(r, "p1", &l, &cause), 0, "%s", cause ? cause : "");
	cr_assert_eq(l.ncharges, 0);
	cr_assert_eq(l.npayments, 0);
	cr_assert_eq(l.ledger.n, 0, "nothing hostile is added to a balance");
	all = bill_problems_join(&l.skipped);
	cr_assert_geq(l.skipped.n, 4, "%s", all);
	cr_assert_not_null(strstr(all, "another patient's charge"), "%s", all);
	cr_assert_not_null(strstr(all, "another patient's payment"), "%s", all);
	cr_assert_not_null(strstr(all, "not a whole number of cents"), "%s", all);
	free(all);
	bill_ledger_read_clear(&l);
	cJSON_Delete(r);
	free(answer);

	/* A list that could not be read: the ledger is not shown half. */
	r = parse("{\"entry\":[{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":"
	          "\"Patient\",\"id\":\"p1\"}},{},{\"response\":{\"status\":\"200 OK\"},\"resource\":"
	          "{\"resourceType\":\"Bundle\"}},{\"response\":{\"status\":\"500\"}}]}");
	cr_assert_eq(bill_ledger_result(r, "p1", &l, &cause), -1);
	cr_assert_not_null(strstr(cause, "insurers' answers"), "%s", cause);
	free(cause);
	cJSON_Delete(r);
}

Test(ledger_read, more_than_it_reads_is_said)
{
	char *cause = NULL, *answer;
	struct bill_ledger_read l;
	cJSON *r;
	char *many = strdup(charge_99213);

	answer = ledger_answer(many, "", "", insured);
	/* The server says it matched more charges than the ledger reads. */
	{
		char *at = strstr(answer, "\"entry\":[{\"resource\":{\"resourceType\":\"ChargeItem\"");
		char *fixed;

		cr_assert_not_null(at);
		cr_assert(asprintf(&fixed, "%.*s\"total\":5000,%s", (int)(at - answer), answer, at) > 0);
		free(answer);
		answer = fixed;
	}
	r = parse(answer);
	cr_assert_eq(bill_ledger_result(r, "p1", &l, &cause), 0, "%s", cause ? cause : "");
	cr_assert(l.cut);
	bill_ledger_read_clear(&l);
	cJSON_Delete(r);
	free(answer);
	free(many);
}

/* --- a patient's payment at the front desk, and its receipt -------------------------------- */

static struct bill_payment
copay_by_check(void)
{
	struct bill_payment p;

	memset(&p, 0, sizeof p);
	snprintf(p.patient, sizeof p.patient, "Patient/p1");
	snprintf(p.clinic, sizeof p.clinic, "Organization/clinic");
	snprintf(p.clinic_name, sizeof p.clinic_name, "Hillside Family Practice");
	snprintf(p.day, sizeof p.day, "2026-03-20");
	p.amount = usd(2500);
	p.kind = BILL_PAY_COPAY;
	p.method = BILL_PAY_CHECK;
	snprintf(p.reference, sizeof p.reference, "CHK-4417");
	p.request_id = "rq9";
	return p;
}

static const cJSON *
extension_of(const cJSON *r, const char *url)
{
	const cJSON *x;

	cJSON_ArrayForEach(x, fhir_get_array(r, "extension"))
		if (strcmp(fhir_get_string(x, "url"), url) == 0)
			return x;
	return NULL;
}

Test(patient_payment, one_create_guarded_by_its_request)
{
	struct bill_payment p = copay_by_check();
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	struct fhir_plan *plan = bill_payment_plan(&p, &cause);
	const cJSON *r, *req;
	struct money m;
	cJSON *tx;

	cr_assert_not_null(plan, "%s", cause ? cause : "");
	cr_assert_eq(fhir_plan_steps(plan), 1, "one create");
	tx = fhir_plan_transaction(plan, fc);
	req = fhir_get_object(entry(tx, 0), "request");
	cr_assert_str_eq(fhir_get_string(req, "method"), "POST");
	cr_assert_str_eq(fhir_get_string(req, "url"), "PaymentNotice");
	cr_assert_not_null(strstr(fhir_get_string(req, "ifNoneExist"), "rq9"),
	    "a retry after a lost answer finds the first: %s", fhir_get_string(req, "ifNoneExist"));
	r = fhir_get_object(entry(tx, 0), "resource");
	cr_assert_str_eq(fhir_get_string(r, "resourceType"), "PaymentNotice");
	cr_assert(fhir_carries_request(r, "rq9"));
	cr_assert_str_eq(fhir_get_string(r, "status"), "active");
	cr_assert_str_eq(fhir_get_string(fhir_get_object(r, "request"), "reference"), "Patient/p1",
	    "what the ledger's PaymentNotice?request finds");
	cr_assert_str_eq(fhir_get_string(r, "paymentDate"), "2026-03-20");
	cr_assert_str_eq(fhir_get_string(r, "created"), "2026-03-20");
	cr_assert_eq(bill_money_read(fhir_get_object(r, "amount"), &m, &cause), 0);
	cr_assert_eq(m.minor, 2500);
	cr_assert_str_eq(m.currency, "USD");
	cr_assert_str_eq(fhir_get_string(extension_of(r, BILL_EXT_PAYMENT_KIND), "valueCode"), "copay");
	cr_assert_str_eq(fhir_get_string(extension_of(r, BILL_EXT_PAYMENT_METHOD), "valueCode"), "check");
	cr_assert_str_eq(fhir_get_string(extension_of(r, BILL_EXT_PAYMENT_REFERENCE), "valueString"),
	    "CHK-4417");
	cr_assert_str_eq(fhir_get_string(fhir_get_object(r, "recipient"), "reference"),
	    "Organization/clinic");
	cr_assert_str_eq(fhir_get_string(fhir_get_object(fhir_get_object(r, "payment"), "identifier"),
	                     "value"),
	    "2026-03-20", "R4's required payment: the day's deposit, named logically");
	cJSON_Delete(tx);
	fhir_plan_free(&plan);

	/* Cash on account, no reference: no empty reference extension is written. */
	p.kind = BILL_PAY_ON_ACCOUNT;
	p.method = BILL_PAY_CASH;
	p.reference[0] = '\0';
	p.clinic[0] = '\0';
	plan = bill_payment_plan(&p, &cause);
	cr_assert_not_null(plan);
	tx = fhir_plan_transaction(plan, fc);
	r = fhir_get_object(entry(tx, 0), "resource");
	cr_assert_str_eq(fhir_get_string(extension_of(r, BILL_EXT_PAYMENT_KIND), "valueCode"),
	    "on-account");
	cr_assert_str_eq(fhir_get_string(extension_of(r, BILL_EXT_PAYMENT_METHOD), "valueCode"), "cash");
	cr_assert_null(extension_of(r, BILL_EXT_PAYMENT_REFERENCE));
	cr_assert_null(fhir_get_string(fhir_get_object(r, "recipient"), "reference"));
	cr_assert_str_eq(fhir_get_string(fhir_get_object(r, "recipient"), "display"),
	    "Hillside Family Practice");
	cJSON_Delete(tx);
	fhir_plan_free(&plan);
	fhir_client_free(&fc);
}

Test(patient_payment, nothing_is_planned_for_a_payment_that_cannot_be_one)
{
	struct bill_payment p;
	char *cause = NULL;

	p = copay_by_check();
	p.amount = usd(0);
	cr_assert_null(bill_payment_plan(&p, &cause), "a payment of nothing");
	cr_assert_not_null(cause);
	free(cause), cause = NULL;
	p.amount = usd(-2500);
	cr_assert_null(bill_payment_plan(&p, &cause), "a payment below zero");
	free(cause), cause = NULL;
	p = copay_by_check();
	snprintf(p.patient, sizeof p.patient, "Patient/../x");
	cr_assert_null(bill_payment_plan(&p, &cause), "no usable patient");
	free(cause), cause = NULL;
	p = copay_by_check();
	p.request_id = NULL;
	cr_assert_null(bill_payment_plan(&p, &cause), "no request identifier: no guard");
	free(cause), cause = NULL;
	p = copay_by_check();
	snprintf(p.reference, sizeof p.reference, "CHK\x1b]0;x\a");
	cr_assert_null(bill_payment_plan(&p, &cause), "a control character in the reference");
	free(cause);
}

static const char saved_payment[] =
    "{\"resourceType\":\"Bundle\",\"type\":\"transaction-response\",\"entry\":[{\"response\":{"
    "\"status\":\"201 Created\"},\"resource\":{\"resourceType\":\"PaymentNotice\",\"id\":\"pn9\","
    "\"identifier\":[{\"system\":\"" FHIR_REQUEST_SYSTEM "\",\"value\":\"rq9\"}],\"status\":"
    "\"active\",\"request\":{\"reference\":\"Patient/p1\"},\"paymentDate\":\"2026-03-20\","
    "\"extension\":[{\"url\":\"" BILL_EXT_PAYMENT_KIND "\",\"valueCode\":\"copay\"},{\"url\":\""
    BILL_EXT_PAYMENT_METHOD "\",\"valueCode\":\"check\"},{\"url\":\"" BILL_EXT_PAYMENT_REFERENCE
    "\",\"valueString\":\"CHK-4417\"}],\"amount\":{\"value\":25,\"currency\":\"USD\"}}}]}";

Test(patient_payment, the_answer_holds_the_payment_the_ledger_shows_without_reading)
{
	char *cause = NULL, *answer = ledger_answer(charge_99213, remit_acme, payment_copay, insured);
	cJSON *r = parse(answer), *saved = parse(saved_payment);
	struct bill_patient_payment got;
	char note[BILL_PAY_NOTE_SIZE];
	struct bill_ledger_read l;
	size_t n;

	cr_assert_eq(bill_payment_answer(saved, "rq9", "p1", &got, note), 0);
	cr_assert_eq(got.amount.minor, 2500);
	cr_assert_str_eq(got.day, "2026-03-20");
	cr_assert_str_eq(note, "copay, check CHK-4417");
	cr_assert_eq(bill_payment_answer(saved, "rq8", "p1", &got, note), -1, "another request's");
	cr_assert_eq(bill_payment_answer(saved, "rq9", "p2", &got, note), -1, "another patient's");

	cr_assert_eq(bill_ledger_result(r, "p1", &l, &cause), 0, "%s", cause ? cause : "");
	n = l.ledger.n;
	cr_assert_eq(l.ledger.patient_owes.minor, -500);
	cr_assert_eq(bill_payment_answer(saved, "rq9", "p1", &got, note), 0);
	got.note = note;
	cr_assert_eq(bill_ledger_add_payment(&l, &got), 0);
	cr_assert_eq(l.ledger.n, n + 1, "the payment is the ledger's last row");
	cr_assert_str_eq(l.ledger.v[n].what, "Payment by the patient (copay, check CHK-4417)");
	cr_assert_eq(l.ledger.v[n].kind, BILL_ENTRY_PATIENT_PAYMENT);
	cr_assert_eq(l.ledger.patient_owes.minor, -3000, "what the patient owes, and only that, went down");
	cr_assert_eq(l.ledger.insurance_pending.minor, 0);
	cr_assert_eq(l.npayments, 2);
	/* One dated before the ledger's last row cannot go at the end: the ledger is read again. */
	snprintf(got.day, sizeof got.day, "2026-03-02");
	cr_assert_eq(bill_ledger_add_payment(&l, &got), -1);
	cr_assert_eq(l.ledger.n, n + 1, "unchanged");
	cr_assert_eq(l.ledger.patient_owes.minor, -3000, "unchanged");
	bill_ledger_read_clear(&l);
	cJSON_Delete(saved);
	cJSON_Delete(r);
	free(answer);
}

/* Whether LINES holds LINE exactly. */
static bool
has_line(char **lines, size_t n, const char *line)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(lines[i], line) == 0)
			return true;
	return false;
}

Test(patient_payment, the_receipt_names_the_patient_and_the_balance_after_it)
{
	struct bill_payment p = copay_by_check();
	struct patient_view pv;
	struct money owes = usd(1234);
	cJSON *patient = parse("{\"resourceType\":\"Patient\",\"id\":\"p1\",\"name\":[{\"family\":"
	                       "\"Erdman\",\"given\":[\"Louis\"]}],\"birthDate\":\"1989-07-27\"}");
	char **lines, *cause = NULL, *text;
	size_t n;

	patient_view_read(patient, &pv);
	n = bill_receipt_text(&p, &pv, &owes, &lines, &cause);
	cr_assert_gt(n, 0, "%s", cause ? cause : "");
	text = bill_print_join(lines, n);
	cr_assert_str_eq(lines[0], "Hillside Family Practice");
	cr_assert(has_line(lines, n, "RECEIPT FOR PAYMENT                               2026-03-20"),
	    "%s", text);
	cr_assert(has_line(lines, n, "Patient: Erdman, Louis"), "%s", text);
	cr_assert(has_line(lines, n, "Born:    1989-07-27"), "%s", text);
	cr_assert(has_line(lines, n, "Amount received      $25.00"), "%s", text);
	cr_assert(has_line(lines, n, "For                  Copay"), "%s", text);
	cr_assert(has_line(lines, n, "Paid by              Check"), "%s", text);
	cr_assert(has_line(lines, n, "Reference            CHK-4417"), "%s", text);
	cr_assert(has_line(lines, n, "Balance you owe now  $12.34"), "%s", text);
	for (size_t i = 0; i < n; i++)
		cr_assert_leq(strlen(lines[i]), RECEIPT_WIDTH, "%s", lines[i]);
	free(text);
	bill_print_free(lines, n);

	/* A credit is said as one; a balance not known is not made up. */
	owes = usd(-4600);
	p.kind = BILL_PAY_ON_ACCOUNT;
	p.method = BILL_PAY_CARD;
	n = bill_receipt_text(&p, &pv, &owes, &lines, &cause);
	cr_assert(has_line(lines, n, "Credit on account    $46.00"));
	cr_assert(has_line(lines, n, "For                  Payment on account"));
	cr_assert(has_line(lines, n, "Paid by              Card"));
	bill_print_free(lines, n);
	n = bill_receipt_text(&p, &pv, NULL, &lines, &cause);
	cr_assert(has_line(lines, n, "Your balance         ask the billing office"));
	bill_print_free(lines, n);

	/* Nothing paid: no receipt. */
	p.amount = usd(0);
	cr_assert_eq(bill_receipt_text(&p, &pv, &owes, &lines, &cause), 0);
	cr_assert_not_null(cause);
	free(cause);
	patient_view_clear(&pv);
	cJSON_Delete(patient);
}

Test(patient_payment, hostile_strings_are_printable_ascii_cut_to_the_page)
{
	struct bill_payment p = copay_by_check();
	struct patient_view pv;
	cJSON *patient = parse("{\"resourceType\":\"Patient\",\"id\":\"p1\",\"name\":[{\"family\":"
	                       "\"\\u001b]0;owned\\u0007Erdman\\u202eXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
	                       "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\"}],\"birthDate\":\"1989-07-27\","
	                       "\"managingOrganization\":{\"reference\":\"Organization/c1\",\"display\":"
	                       "\"Clinic\\u009b2J\\u001b[31m of the very long name that goes on and on "
	                       "past the receipt's sixty columns\"}}");
	char **lines, *cause = NULL;
	size_t n;

	patient_view_read(patient, &pv);
	bill_payment_clinic(patient, &p);
	cr_assert_str_eq(p.clinic, "Organization/c1");
	n = bill_receipt_text(&p, &pv, NULL, &lines, &cause);
	cr_assert_gt(n, 0);
	for (size_t i = 0; i < n; i++) {
		cr_assert_leq(strlen(lines[i]), RECEIPT_WIDTH, "%s", lines[i]);
		for (const char *c = lines[i]; *c != '\0'; c++)
			cr_assert((unsigned char)*c >= 0x20 && (unsigned char)*c < 0x7f,
			    "line %zu byte 0x%02x", i, (unsigned char)*c);
	}
	bill_print_free(lines, n);
	patient_view_clear(&pv);
	cJSON_Delete(patient);
}
