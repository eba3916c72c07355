/* Unit tests for fhir/billing: exact amounts, the fee schedule, charges, the superbill, the claim,
 * the scrubber. */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/billing.h"
#include "util/file.h"

static const struct date today = {2026, 3, 1};

static cJSON *
parse(const char *text)
{
	cJSON *j = cJSON_Parse(text);

	cr_assert_not_null(j, "test JSON: %s", text);
	return j;
}

/* An HL7 R4 example as the sandbox loads it, from tests/sandbox/data. */
static cJSON *
example(const char *name)
{
	const char *srcdir = getenv("EHRTERM_SRCDIR");
	char *path, *text;
	FILE *f;
	long len;
	cJSON *j;

	cr_assert_not_null(srcdir, "EHRTERM_SRCDIR is not set; run make check, or set it to the "
	                           "source tree");
	cr_assert(asprintf(&path, "%s/tests/sandbox/data/hl7-r4-examples/%s", srcdir, name) > 0);
	f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = calloc(1, (size_t)len + 1);
	cr_assert_eq(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	j = parse(text);
	free(text);
	free(path);
	return j;
}

/* What the server would see: RESOURCE printed and read back (raw amounts become numbers). */
static cJSON *
wire(const cJSON *resource)
{
	char *text = cJSON_PrintUnformatted(resource);
	cJSON *j = parse(text);

	free(text);
	return j;
}

static int64_t
cents(const char *money_json)
{
	cJSON *j = parse(money_json);
	struct money m;
	char *cause = NULL;

	cr_assert_eq(bill_money_read(j, &m, &cause), 0, "%s: %s", money_json, cause ? cause : "");
	cJSON_Delete(j);
	return m.minor;
}

/* The sentence bill_money_read refuses MONEY_JSON with (the caller frees it). */
static char *
refused(const char *money_json)
{
	cJSON *j = parse(money_json);
	struct money m = {7, "USD"};
	char *cause = NULL;

	cr_assert_eq(bill_money_read(j, &m, &cause), -1, "%s was taken as %lld", money_json,
	    (long long)m.minor);
	cr_assert_eq(m.minor, 7, "a refused amount leaves *out alone");
	cr_assert_not_null(cause);
	cJSON_Delete(j);
	return cause;
}

static bool
has_problem(const struct bill_problems *p, const char *text)
{
	for (size_t i = 0; i < p->n; i++)
		if (strstr(p->v[i], text) != NULL)
			return true;
	return false;
}

static char *
problems_text(const struct bill_problems *p)
{
	return bill_problems_join(p);
}

#define assert_problem(p, text)                                                                    \
	do {                                                                                       \
		char *all_ = problems_text(p);                                                     \
		cr_assert(                                                                         \
		    has_problem(p, text), "no problem says \"%s\"; they are: %s", text, all_);     \
		free(all_);                                                                        \
	} while (0)

/* --- money from the wire --------------------------------------------------------------- */

Test(billing_money, amounts_of_the_examples_read_exactly)
{
	cJSON *claim = example("Claim-100150.json");
	cJSON *item = cJSON_GetArrayItem(cJSON_GetObjectItem(claim, "item"), 0);
	struct money m;
	char *cause = NULL;

	cr_assert_eq(bill_money_read(cJSON_GetObjectItem(item, "unitPrice"), &m, &cause), 0);
	cr_assert_eq(m.minor, 13557);
	cr_assert_str_eq(m.currency, "USD");
	cJSON_Delete(claim);

	cr_assert_eq(cents("{\"value\":10.0,\"currency\":\"USD\"}"), 1000, "R3500's copay");
	cr_assert_eq(cents("{\"value\":1340.57,\"currency\":\"USD\"}"), 134057, "R3503's total");
	cr_assert_eq(cents("{\"value\":0.1}"), 10, "no currency is USD");
	cr_assert_eq(cents("{\"value\":-3.1}"), -310);
	cr_assert_eq(cents("{\"value\":-0}"), 0);
	cr_assert_eq(cents("{\"value\":1e2}"), 10000);
	cr_assert_eq(cents("{\"value\":9999999999999.99}"), 999999999999999LL,
	    "the largest amount under ten trillion, to the cent");
	cr_assert_eq(cents("{\"value\":67.44,\"currency\":\"EUR\"}"), 6744);
}

Test(billing_money, synthea_sub_cent_amounts_are_refused_never_rounded)
{
	char *c = refused("{\"value\":112.41600000000001,\"currency\":\"USD\"}");

	cr_assert(strstr(c, "112.41600000000001") != NULL, "the amount as sent is named: %s", c);
	cr_assert(strstr(c, "whole number of cents") != NULL, "%s", c);
	free(c);
	/* 0.1 + 0.2 in a double: one more digit than any cent amount has. */
	free(refused("{\"value\":0.30000000000000004}"));
	free(refused("{\"value\":100.00000000000001}"));
	free(refused("{\"value\":12.345}"));
}

Test(billing_money, hostile_amounts_are_refused_with_a_sentence)
{
	char *c;

	c = refused("{\"value\":1e309}");
	cr_assert_str_eq(c, "the server sent an amount too large to keep");
	free(c);
	c = refused("{\"value\":\"12.50\"}");
	cr_assert_str_eq(c, "the server sent an amount as text where a number belongs");
	free(c);
	free(refused("{\"value\":null}"));
	free(refused("{\"value\":true}"));
	free(refused("{\"currency\":\"USD\"}"));
	free(refused("{\"value\":1e30}"));
	free(refused("{\"value\":5,\"currency\":\"JPY\"}"));
	free(refused("{\"value\":5,\"currency\":7}"));
	free(refused("{\"value\":5,\"currency\":\"usd\"}"));
	free(refused("[5]"));
}

Test(billing_money, amounts_written_go_out_as_decimal_digits)
{
	struct money m = {11241, "USD"};
	cJSON *j = bill_money_json(&m), *back;
	char *text = cJSON_PrintUnformatted(j);
	struct money r;
	char *cause = NULL;

	cr_assert_str_eq(text, "{\"value\":112.41,\"currency\":\"USD\"}");
	back = wire(j);
	cr_assert_eq(bill_money_read(back, &r, &cause), 0);
	cr_assert_eq(r.minor, 11241);
	free(text);
	cJSON_Delete(j);
	cJSON_Delete(back);

	m.minor = -5;
	j = bill_money_json(&m);
	cr_assert_eq(bill_money_read(j, &r, &cause), 0, "read before it is sent, from its digits");
	cr_assert_eq(r.minor, -5);
	text = cJSON_PrintUnformatted(j);
	cr_assert_str_eq(text, "{\"value\":-0.05,\"currency\":\"USD\"}");
	free(text);
	cJSON_Delete(j);
}

/* --- codes ----------------------------------------------------------------------------- */

Test(billing_codes, npi_check_digit_is_luhn_with_80840)
{
	cr_assert(bill_npi_valid("1234567893"), "the CMS example");
	cr_assert(bill_npi_valid("1245319599"));
	cr_assert(bill_npi_valid("1003000126"));
	cr_assert_not(bill_npi_valid("1234567890"), "wrong check digit");
	cr_assert_not(bill_npi_valid("1234567839"), "two digits swapped");
	cr_assert_not(bill_npi_valid("123456789"), "nine digits");
	cr_assert_not(bill_npi_valid("12345678931"), "eleven digits");
	cr_assert_not(bill_npi_valid("12345678a3"));
	cr_assert_not(bill_npi_valid(""));
	cr_assert_not(bill_npi_valid(NULL));
}

Test(billing_codes, icd10cm_cpt_and_hcpcs_shapes)
{
	static const char *const icd_ok[] = {
	    "J06.9", "E11.65", "S72.001A", "I10", "Z00.00", "C4A.0"};
	static const char *const icd_bad[] = {
	    "j06.9", "J06.", "J069", "06.9", "J06.12345", "J0", "J06.9 ", "123456", ""};
	static const char *const cpt_ok[] = {"99213", "0001F", "0042T", "36415"};
	static const char *const cpt_bad[] = {"9921", "992133", "9921A", "J1100", "99 13"};

	for (size_t i = 0; i < sizeof icd_ok / sizeof *icd_ok; i++)
		cr_assert(bill_icd10cm_valid(icd_ok[i]), "%s", icd_ok[i]);
	for (size_t i = 0; i < sizeof icd_bad / sizeof *icd_bad; i++)
		cr_assert_not(bill_icd10cm_valid(icd_bad[i]), "%s", icd_bad[i]);
	for (size_t i = 0; i < sizeof cpt_ok / sizeof *cpt_ok; i++)
		cr_assert(bill_cpt_valid(cpt_ok[i]), "%s", cpt_ok[i]);
	for (size_t i = 0; i < sizeof cpt_bad / sizeof *cpt_bad; i++)
		cr_assert_not(bill_cpt_valid(cpt_bad[i]), "%s", cpt_bad[i]);
	cr_assert(bill_hcpcs_valid("J1100"));
	cr_assert(bill_hcpcs_valid("G0438"));
	cr_assert_not(bill_hcpcs_valid("W1100"), "Level II runs A to V");
	cr_assert_not(bill_hcpcs_valid("99213"));
}

Test(billing_codes, npi_from_a_practitioner)
{
	cJSON *p =
	    parse("{\"resourceType\":\"Practitioner\",\"identifier\":["
	          "{\"system\":\"http://hl7.org/fhir/sid/us-ssn\",\"value\":\"999\"},"
	          "{\"system\":\"http://hl7.org/fhir/sid/us-npi\",\"value\":\"1234567893\"}]}");

	cr_assert_str_eq(bill_npi_of(p), "1234567893");
	cJSON_Delete(p);
	p = parse(
	    "{\"resourceType\":\"Practitioner\",\"identifier\":[{\"value\":\"1234567893\"}]}");
	cr_assert_null(bill_npi_of(p), "an identifier of no system is no NPI");
	cJSON_Delete(p);
}

/* --- the fee schedule ------------------------------------------------------------------ */

/* A ChargeItemDefinition: CODE in SYSTEM, DISPLAY, STATUS, and PRICE as JSON (NULL: none). */
static char *
fee(const char *id, const char *system, const char *code, const char *display, const char *status,
    const char *price)
{
	char *s, *pg = NULL;

	if (price != NULL)
		cr_assert(asprintf(&pg,
		              ",\"propertyGroup\":[{\"priceComponent\":[{\"type\":\"base\","
		              "\"amount\":{\"value\":%s,\"currency\":\"USD\"}}]}]",
		              price) > 0);
	cr_assert(
	    asprintf(&s,
	        "{\"resourceType\":\"ChargeItemDefinition\",\"id\":\"%s\",\"meta\":{\"versionId\":"
	        "\"2\"},\"url\":\"urn:ehrterm:fee:%s\",\"status\":\"%s\",\"code\":{\"coding\":[{"
	        "\"system\":\"%s\",\"code\":\"%s\",\"display\":\"%s\"}]}%s}",
	        id, code, status, system, code, display, pg != NULL ? pg : "") > 0);
	free(pg);
	return s;
}

static cJSON *
searchset(char *const *items, size_t n, long total)
{
	size_t len = 128;
	char *text;
	cJSON *j;

	for (size_t i = 0; i < n; i++)
		len += strlen(items[i]) + 16;
	text = calloc(1, len);
	sprintf(text,
	    "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"total\":%ld,\"entry\":[", total);
	for (size_t i = 0; i < n; i++) {
		strcat(text, i ? ",{\"resource\":" : "{\"resource\":");
		strcat(text, items[i]);
		strcat(text, "}");
	}
	strcat(text, "]}");
	j = parse(text);
	free(text);
	return j;
}

static void
clinic_fees(struct bill_fees *out)
{
	char *items[] = {
	    fee("f1", BILL_CS_CPT, "99214", "Office visit, established patient, moderate", "active",
	        "165.00"),
	    fee("f2", BILL_CS_CPT, "99213", "Office visit, established patient, low", "active",
	        "112.41"),
	    fee("f3", BILL_CS_CPT, "36415", "Venous blood draw", "active", "12"),
	    fee("f4", BILL_CS_HCPCS, "J1100", "Dexamethasone injection, per mg", "active", "0.10"),
	    fee("f5", BILL_CS_CPT, "99201", "Office visit, new patient (deleted code)", "retired",
	        "50.00"),
	    fee("f6", BILL_CS_CPT, "93000", "Electrocardiogram with report", "active", "\"75.00\""),
	    fee("f7", BILL_CS_CPT, "81002", "Urinalysis by dip stick", "active", "4.005"),
	    fee("f8", BILL_CS_CPT, "90471", "Immunization administration", "active", NULL),
	};
	cJSON *set = searchset(items, 8, 8);
	char *cause = NULL;

	cr_assert_eq(bill_fees_read(set, out, &cause), 0);
	cJSON_Delete(set);
	for (size_t i = 0; i < 8; i++)
		free(items[i]);
}

Test(billing_fees, the_search_asks_for_few_elements_and_one_page)
{
	struct fhir_search *s = bill_fees_search();
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	char *url = fhir_search_url(fc, s);

	cr_assert_str_eq(url,
	    "https://ehr.example/fhir/ChargeItemDefinition?status=active&_elements="
	    "url%2Cstatus%2Ccode%2Ctitle%2CpropertyGroup&_count=1000");
	free(url);
	fhir_search_free(&s);
	fhir_client_free(&fc);
}

Test(billing_fees, read_sorted_with_prices_in_cents_and_problems_said)
{
	struct bill_fees f;
	const struct bill_fee *e;

	clinic_fees(&f);
	cr_assert_eq(f.n, 8);
	cr_assert_str_eq(f.v[0].code, "36415", "sorted by code");
	cr_assert_str_eq(f.v[7].code, "J1100");
	e = bill_fee_by_code(&f, "99213");
	cr_assert_not_null(e);
	cr_assert_eq(e->price.minor, 11241);
	cr_assert_eq(e->kind, BILL_CODE_CPT);
	cr_assert_str_eq(e->display, "Office visit, established patient, low");
	cr_assert_str_eq(e->url, "urn:ehrterm:fee:99213");
	cr_assert_str_eq(e->id, "f2");
	cr_assert_str_eq(e->version, "2");
	e = bill_fee_by_code(&f, "j1100");
	cr_assert_not_null(e, "codes are found whatever their case");
	cr_assert_eq(e->price.minor, 10);
	cr_assert_eq(e->kind, BILL_CODE_HCPCS);
	cr_assert_eq(bill_fee_by_code(&f, "36415")->price.minor, 1200);

	cr_assert_null(bill_fee_by_code(&f, "99201"), "retired");
	cr_assert_null(bill_fee_by_code(&f, "93000"), "a price as text");
	cr_assert_null(bill_fee_by_code(&f, "81002"), "a price of a tenth of a cent");
	cr_assert_null(bill_fee_by_code(&f, "90471"), "no price");
	for (size_t i = 0; i < f.n; i++) {
		if (strcmp(f.v[i].code, "99201") == 0)
			cr_assert_str_eq(f.v[i].problem,
			    "99201 is not in use in the fee schedule (it is retired)");
		if (strcmp(f.v[i].code, "93000") == 0)
			cr_assert_str_eq(f.v[i].problem,
			    "the fee schedule's price for 93000 cannot be used: the server sent an "
			    "amount as text where a number belongs");
		if (strcmp(f.v[i].code, "81002") == 0)
			cr_assert_str_eq(f.v[i].problem,
			    "the fee schedule's price for 81002 cannot be used: the server sent "
			    "the "
			    "amount 4.005, which is not a whole number of cents");
		if (strcmp(f.v[i].code, "90471") == 0)
			cr_assert_str_eq(f.v[i].problem, "the fee schedule has no price for 90471");
	}
	bill_fees_free(&f);
}

Test(billing_fees, picked_by_words_in_any_case_and_order_or_by_code)
{
	struct bill_fees f;
	const struct bill_fee *out[8];

	clinic_fees(&f);
	cr_assert_eq(bill_fees_find(&f, "office visit", out, 8), 3);
	cr_assert_str_eq(out[0]->code, "99201");
	cr_assert_str_eq(out[1]->code, "99213");
	cr_assert_str_eq(out[2]->code, "99214");
	cr_assert_eq(bill_fees_find(&f, "ESTABLISHED  visit", out, 8), 2);
	cr_assert_eq(bill_fees_find(&f, "BLOOD", out, 8), 1);
	cr_assert_str_eq(out[0]->code, "36415");
	cr_assert_eq(bill_fees_find(&f, "992", out, 8), 3, "a code's beginning");
	cr_assert_eq(bill_fees_find(&f, "j11", out, 8), 1);
	cr_assert_eq(bill_fees_find(&f, "visit xyz", out, 8), 0);
	cr_assert_eq(bill_fees_find(&f, "99213999999999999999999999999999", out, 8), 0,
	    "a word longer than any code");
	cr_assert_eq(bill_fees_find(&f, "", out, 2), 8, "all counted, two kept");
	cr_assert_str_eq(out[1]->code, "81002");
	bill_fees_free(&f);
}

Test(billing_fees, the_hl7_examples_are_not_chargeable_here)
{
	cJSON *ebm = example("ChargeItemDefinition-ebm.json");
	cJSON *device = example("ChargeItemDefinition-device.json");
	struct bill_fees f;
	char *cause = NULL;

	cr_assert_eq(bill_fees_read(ebm, &f, &cause), 0);
	cr_assert_eq(f.n, 1);
	cr_assert_str_eq(f.v[0].code, "30110");
	cr_assert_str_eq(f.v[0].display, "Allergologiediagnostik I");
	cr_assert(f.v[0].has_price);
	cr_assert_eq(f.v[0].price.minor, 6744);
	cr_assert_str_eq(f.v[0].price.currency, "EUR");
	cr_assert_str_eq(f.v[0].problem, "30110 is not a CPT or HCPCS code, which a claim needs");
	cr_assert_null(bill_fee_by_code(&f, "30110"));
	bill_fees_free(&f);
	cr_assert_eq(bill_fees_read(device, &f, &cause), 0);
	cr_assert_eq(f.n, 0, "a definition without a code is no fee");
	bill_fees_free(&f);
	cJSON_Delete(ebm);
	ebm = parse("{\"resourceType\":\"Patient\"}");
	cr_assert_eq(bill_fees_read(ebm, &f, &cause), -1);
	cr_assert_str_eq(cause, "the server did not answer with the fee schedule");
	free(cause);
	cJSON_Delete(ebm);
	cJSON_Delete(device);
}

/* --- charge lines ---------------------------------------------------------------------- */

/* A line of the fee schedule's 99213 for patient p1's visit e1, pointing at J06.9. */
static struct bill_line
office_visit(void)
{
	struct bill_line l = {0};
	struct bill_fee f = {.system = BILL_CS_CPT,
	    .code = "99213",
	    .display = "Office visit, established patient, low",
	    .kind = BILL_CODE_CPT,
	    .has_price = true,
	    .price = {11241, "USD"},
	    .url = "urn:ehrterm:fee:99213"};

	bill_line_from_fee(&l, &f, "2026-03-01");
	strcpy(l.patient, "Patient/p1");
	strcpy(l.encounter, "Encounter/e1");
	strcpy(l.account, "Account/a1");
	strcpy(l.performer, "Practitioner/dr1");
	strcpy(l.diagnoses[0], "J06.9");
	l.npointers = 1;
	return l;
}

static struct bill_line
line_of(const char *system, const char *code, int64_t price, const char *dx1, const char *dx2)
{
	struct bill_line l = office_visit();

	strcpy(l.system, system);
	strcpy(l.code, code);
	l.display[0] = '\0';
	l.unit_price.minor = price;
	l.npointers = 0;
	if (dx1 != NULL)
		strcpy(l.diagnoses[l.npointers++], dx1);
	if (dx2 != NULL)
		strcpy(l.diagnoses[l.npointers++], dx2);
	return l;
}

Test(billing_lines, a_good_line_has_no_problem)
{
	struct bill_line l = office_visit();
	struct bill_problems p = {0};
	struct money t;
	char *cause = NULL;

	cr_assert_eq(l.quantity, 1, "a line from the fee schedule is one unit");
	cr_assert_eq(bill_line_check(&l, 1, &p), 0);
	cr_assert_eq(p.n, 0);
	l.quantity = 3;
	cr_assert_eq(bill_line_total(&l, &t, &cause), 0);
	cr_assert_eq(t.minor, 33723);
}

Test(billing_lines, a_line_without_a_diagnosis_is_refused_with_a_sentence)
{
	struct bill_line l = office_visit();
	struct bill_problems p = {0};

	l.npointers = 0;
	cr_assert_eq(bill_line_check(&l, 2, &p), 1);
	cr_assert_str_eq(p.v[0], "Line 2 (99213) has no diagnosis: point it at the diagnosis "
	                         "(ICD-10-CM) that made it necessary");
	cr_assert_null(bill_charge_item(&l, "r1"), "and no ChargeItem is made of it");
	bill_problems_free(&p);
	cr_assert_eq(bill_line_check(&l, 0, &p), 1);
	cr_assert_str_eq(p.v[0], "The charge for 99213 has no diagnosis: point it at the diagnosis "
	                         "(ICD-10-CM) that made it necessary");
	bill_problems_free(&p);
}

Test(billing_lines, a_line_typed_without_the_fee_schedule_has_no_price)
{
	struct bill_line l = office_visit();
	struct bill_problems p = {0};

	memset(&l.unit_price, 0, sizeof l.unit_price);
	cr_assert_eq(bill_line_check(&l, 1, &p), 1);
	cr_assert_str_eq(
	    p.v[0], "Line 1 (99213) has no price in the fee schedule: type its price");
	bill_problems_free(&p);
}

Test(billing_lines, an_override_needs_a_reason)
{
	struct bill_line l = office_visit();
	struct bill_problems p = {0};

	l.overridden = true;
	l.override_price = (struct money){9000, "USD"};
	strcpy(l.override_reason, "   ");
	cr_assert_eq(bill_line_check(&l, 0, &p), 1);
	cr_assert_str_eq(p.v[0],
	    "The charge for 99213 has its price changed from $112.41 to $90.00 "
	    "without a reason: say why");
	bill_problems_free(&p);
	strcpy(l.override_reason, "sliding scale, income verified");
	cr_assert_eq(bill_line_check(&l, 0, &p), 0);
	cr_assert_eq(bill_line_unit(&l)->minor, 9000, "the override is what is billed");
}

Test(billing_lines, every_problem_of_a_line_is_listed)
{
	struct bill_line l = office_visit();
	struct bill_problems p = {0};

	l.encounter[0] = '\0';
	strcpy(l.account, "Patient/p1");
	strcpy(l.code, "9921");
	l.quantity = 1000;
	l.nmodifiers = 3;
	strcpy(l.modifiers[0], "25");
	strcpy(l.modifiers[1], "l");
	strcpy(l.modifiers[2], "25");
	strcpy(l.diagnoses[1], "J069");
	strcpy(l.diagnoses[2], "J06.9");
	l.npointers = 3;
	strcpy(l.day, "2026-02-30");
	cr_assert_eq(bill_line_check(&l, 1, &p), 9, "9 problems");
	assert_problem(&p, "Line 1 (9921) is not tied to a visit");
	assert_problem(&p, "Line 1 (9921) has no billing account");
	assert_problem(&p, "Line 1 (9921) has no date of service");
	assert_problem(&p, "the code is not a CPT code");
	assert_problem(&p, "has a quantity of 1000; it must be 1 to 999");
	assert_problem(&p, "modifier 2 is not two capital letters or digits");
	assert_problem(&p, "has the modifier 25 twice");
	assert_problem(&p, "diagnosis 2 is not an ICD-10-CM code");
	assert_problem(&p, "points at J06.9 twice");
	bill_problems_free(&p);
}

Test(billing_lines, the_charge_item_carries_codes_pointers_modifiers_and_its_request)
{
	struct bill_line l = office_visit(), back;
	cJSON *ci, *w;
	const cJSON *ext, *reason;
	char *cause = NULL;

	l.quantity = 2;
	l.nmodifiers = 2;
	strcpy(l.modifiers[0], "25");
	strcpy(l.modifiers[1], "GT");
	strcpy(l.diagnoses[1], "I10");
	l.npointers = 2;
	ci = bill_charge_item(&l, "req-1.1");
	cr_assert_not_null(ci);
	w = wire(ci);
	cr_assert_str_eq(fhir_get_string(w, "status"), "billable");
	cr_assert_str_eq(
	    fhir_get_string(fhir_get_object(w, "context"), "reference"), "Encounter/e1");
	cr_assert_str_eq(fhir_get_string(fhir_get_object(w, "subject"), "reference"), "Patient/p1");
	cr_assert_str_eq(
	    fhir_get_string(cJSON_GetArrayItem(fhir_get_array(w, "account"), 0), "reference"),
	    "Account/a1");
	cr_assert_str_eq(fhir_get_string(w, "occurrenceDateTime"), "2026-03-01");
	cr_assert(fhir_carries_request(w, "req-1.1"));
	cr_assert_null(fhir_get_object(w, "priceOverride"), "no override, none written");
	reason = fhir_get_array(w, "reason");
	cr_assert_eq(cJSON_GetArraySize(reason), 2);
	cr_assert_str_eq(
	    fhir_get_string(
	        cJSON_GetArrayItem(fhir_get_array(cJSON_GetArrayItem(reason, 1), "coding"), 0),
	        "system"),
	    BILL_CS_ICD10CM);
	ext = fhir_get_array(w, "extension");
	cr_assert_eq(cJSON_GetArraySize(ext), 3);
	cr_assert_str_eq(fhir_get_string(cJSON_GetArrayItem(ext, 0), "url"), BILL_EXT_MODIFIER);
	cr_assert_str_eq(
	    fhir_get_string(fhir_get_object(cJSON_GetArrayItem(ext, 0), "valueCoding"), "system"),
	    BILL_CS_CPT);
	cr_assert_str_eq(
	    fhir_get_string(fhir_get_object(cJSON_GetArrayItem(ext, 1), "valueCoding"), "code"),
	    "GT");
	cr_assert_str_eq(
	    fhir_get_string(fhir_get_object(cJSON_GetArrayItem(ext, 1), "valueCoding"), "system"),
	    BILL_CS_HCPCS);

	cr_assert_eq(bill_line_read(w, &back, &cause), 0, "%s", cause ? cause : "");
	cr_assert_str_eq(back.request_id, "req-1.1", "read back: a retry's line is found by it");
	cr_assert_str_eq(back.code, "99213");
	cr_assert_str_eq(back.system, BILL_CS_CPT);
	cr_assert_eq(back.quantity, 2);
	cr_assert_eq(back.unit_price.minor, 11241);
	cr_assert_not(back.overridden);
	cr_assert_eq(back.nmodifiers, 2);
	cr_assert_str_eq(back.modifiers[1], "GT");
	cr_assert_eq(back.npointers, 2);
	cr_assert_str_eq(back.diagnoses[0], "J06.9");
	cr_assert_str_eq(back.diagnoses[1], "I10");
	cr_assert_str_eq(back.definition, "urn:ehrterm:fee:99213");
	cr_assert_str_eq(back.performer, "Practitioner/dr1");
	cr_assert_str_eq(back.status, "billable");
	cJSON_Delete(ci);
	cJSON_Delete(w);
}

Test(billing_lines, the_hl7_charge_item_reads_and_says_why_it_cannot_be_billed)
{
	cJSON *ci = example("ChargeItem-example.json");
	struct bill_line l;
	struct bill_problems p = {0};
	char *cause = NULL;

	cr_assert_eq(bill_line_read(ci, &l, &cause), 0, "%s", cause ? cause : "");
	cr_assert_str_eq(l.code, "01510");
	cr_assert_str_eq(l.encounter, "Encounter/example");
	cr_assert_str_eq(l.account, "Account/example");
	cr_assert_str_eq(l.day, "2017-01-25", "from occurrencePeriod.start");
	cr_assert(l.overridden);
	cr_assert_eq(l.override_price.minor, 4000);
	cr_assert_str_eq(l.override_price.currency, "EUR");
	cr_assert_str_eq(
	    l.override_reason, "Patient is Cardiologist's golf buddy, so he gets a 20% discount!");
	cr_assert_eq(l.npointers, 0, "its reason is WHO ICD-10, not ICD-10-CM");
	cr_assert_eq(bill_line_check(&l, 1, &p), 2);
	assert_problem(&p, "Line 1 (01510) is not coded in CPT or HCPCS, which a claim needs");
	assert_problem(&p, "Line 1 (01510) has no diagnosis");
	bill_problems_free(&p);
	cJSON_Delete(ci);
}

Test(billing_lines, hostile_charge_items_are_refused)
{
	static const char *const bad[] = {
	    "{\"resourceType\":\"ChargeItem\",\"code\":{\"coding\":[{\"code\":\"99213\"}]},"
	    "\"quantity\":{\"value\":\"2\"},\"priceOverride\":{\"value\":1}}",
	    "{\"resourceType\":\"ChargeItem\",\"code\":{\"coding\":[{\"code\":\"99213\"}]},"
	    "\"quantity\":{\"value\":1.5},\"priceOverride\":{\"value\":1}}",
	    "{\"resourceType\":\"ChargeItem\",\"code\":{\"coding\":[{\"code\":\"99213\"}]},"
	    "\"quantity\":{\"value\":1e9},\"priceOverride\":{\"value\":1}}",
	    "{\"resourceType\":\"ChargeItem\",\"code\":{\"coding\":[{\"code\":\"99213\"}]},"
	    "\"priceOverride\":{\"value\":1e309}}",
	    "{\"resourceType\":\"ChargeItem\",\"code\":{\"coding\":[{\"code\":\"99213\"}]},"
	    "\"extension\":[{\"url\":\"" BILL_EXT_UNIT_PRICE
	    "\",\"valueMoney\":{\"value\":\"-0\"}}]}",
	    "{\"resourceType\":\"ChargeItem\",\"code\":{\"coding\":[{\"code\":\"99213\"}]}}",
	    "{\"resourceType\":\"ChargeItem\"}",
	    "{\"resourceType\":\"Claim\"}",
	    "{\"resourceType\":\"ChargeItem\",\"code\":{\"coding\":[{\"code\":"
	    "\"99213999999999999999\"}]},"
	    "\"priceOverride\":{\"value\":1}}",
	};

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		cJSON *j = parse(bad[i]);
		struct bill_line l;
		char *cause = NULL;

		cr_assert_eq(bill_line_read(j, &l, &cause), -1, "%s", bad[i]);
		cr_assert_not_null(cause);
		free(cause);
		cJSON_Delete(j);
	}
}

/* --- the superbill --------------------------------------------------------------------- */

Test(billing_superbill, one_transaction_each_create_guarded_by_its_own_request)
{
	struct bill_line lines[2] = {
	    office_visit(), line_of(BILL_CS_CPT, "36415", 1200, "E11.9", NULL)};
	struct bill_problems p = {0};
	struct fhir_plan *plan, *again;
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	cJSON *tx, *tx2, *e;
	char *a, *b;

	bill_line_name(&lines[0], "sb-7", 1);
	bill_line_name(&lines[1], "sb-7", 2);
	plan = bill_superbill_plan(lines, 2, &p);
	cr_assert_not_null(plan, "%s", p.n ? p.v[0] : "");
	cr_assert_eq(fhir_plan_steps(plan), 2);
	tx = fhir_plan_transaction(plan, fc);
	cr_assert_str_eq(fhir_get_string(tx, "type"), "transaction");
	cr_assert_eq(cJSON_GetArraySize(fhir_get_array(tx, "entry")), 2);
	e = cJSON_GetArrayItem(fhir_get_array(tx, "entry"), 1);
	cr_assert_str_eq(fhir_get_string(fhir_get_object(e, "request"), "method"), "POST");
	cr_assert_str_eq(fhir_get_string(fhir_get_object(e, "request"), "url"), "ChargeItem");
	cr_assert_str_eq(fhir_get_string(fhir_get_object(e, "request"), "ifNoneExist"),
	    "identifier=urn%3Aehrterm%3Arequest%7Csb-7.2");
	cr_assert(fhir_carries_request(fhir_get_object(e, "resource"), "sb-7.2"));
	cr_assert_not(fhir_carries_request(fhir_get_object(e, "resource"), "sb-7.1"));

	/* A retry of the same superbill sends the same guards: nothing is written twice. */
	again = bill_superbill_plan(lines, 2, &p);
	tx2 = fhir_plan_transaction(again, fc);
	a = cJSON_PrintUnformatted(tx);
	b = cJSON_PrintUnformatted(tx2);
	cr_assert_str_eq(a, b);
	free(a), free(b);
	cJSON_Delete(tx), cJSON_Delete(tx2);
	fhir_plan_free(&plan), fhir_plan_free(&again);
	fhir_client_free(&fc);
}

/* The request identifier of each create of a superbill's transaction, in order. */
static void
superbill_requests(const struct bill_line *lines, size_t n, char out[][BILL_REQUEST_SIZE])
{
	struct bill_problems p = {0};
	struct fhir_plan *plan = bill_superbill_plan(lines, n, &p);
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	cJSON *tx;

	cr_assert_not_null(plan, "%s", p.n ? p.v[0] : "");
	tx = fhir_plan_transaction(plan, fc);
	cr_assert_eq(cJSON_GetArraySize(fhir_get_array(tx, "entry")), (int)n);
	for (size_t i = 0; i < n; i++) {
		cJSON *e = cJSON_GetArrayItem(fhir_get_array(tx, "entry"), (int)i);
		const char *guard = fhir_get_string(fhir_get_object(e, "request"), "ifNoneExist");
		const char *at = guard != NULL ? strrchr(guard, 'C') : NULL; /* ...%7C then the id */

		cr_assert_not_null(at, "line %zu is guarded by its request identifier", i + 1);
		snprintf(out[i], BILL_REQUEST_SIZE, "%s", at + 1);
		cr_assert(fhir_carries_request(fhir_get_object(e, "resource"), out[i]),
		    "line %zu carries %s", i + 1, out[i]);
	}
	cJSON_Delete(tx);
	fhir_plan_free(&plan);
	fhir_client_free(&fc);
}

Test(billing_superbill, a_lines_request_identifier_is_stable_across_a_drop)
{
	struct bill_line lines[3] = {office_visit(),
	    line_of(BILL_CS_CPT, "36415", 1200, "E11.9", NULL),
	    line_of(BILL_CS_CPT, "85025", 1066, "E11.9", NULL)};
	char first[3][BILL_REQUEST_SIZE], again[2][BILL_REQUEST_SIZE];

	for (size_t i = 0; i < 3; i++)
		bill_line_name(&lines[i], "sb-5", i + 1);
	cr_assert_str_eq(lines[2].request_id, "sb-5.3");
	superbill_requests(lines, 3, first);
	cr_assert_str_eq(first[0], "sb-5.1");
	cr_assert_str_eq(first[1], "sb-5.2");
	cr_assert_str_eq(first[2], "sb-5.3");
	/*
	 * The first line dropped after a try whose answer was lost: the others move up, and
	 * each is still guarded by the identifier it was first saved under, not the one of
	 * the line that was before it, so the retry finds exactly what the first try wrote.
	 */
	lines[0] = lines[1];
	lines[1] = lines[2];
	superbill_requests(lines, 2, again);
	cr_assert_str_eq(again[0], first[1], "36415 keeps its identifier");
	cr_assert_str_eq(again[1], first[2], "85025 keeps its identifier");
	/* Reordered, each line still carries its own. */
	lines[2] = lines[0];
	lines[0] = lines[1];
	lines[1] = lines[2];
	superbill_requests(lines, 2, again);
	cr_assert_str_eq(again[0], "sb-5.3");
	cr_assert_str_eq(again[1], "sb-5.2");
}

Test(billing_superbill, refused_without_a_request_identifier_per_line)
{
	struct bill_line lines[3] = {office_visit(),
	    line_of(BILL_CS_CPT, "36415", 1200, "E11.9", NULL),
	    line_of(BILL_CS_CPT, "85025", 1066, "E11.9", NULL)};
	struct bill_problems p = {0};

	bill_line_name(&lines[0], "sb-6", 1);
	bill_line_name(&lines[2], "sb-6", 1);
	cr_assert_null(bill_superbill_plan(lines, 3, &p));
	cr_assert_eq(p.n, 2);
	assert_problem(&p, "Line 2 has no request identifier");
	assert_problem(&p, "Line 3 has the request identifier of line 1");
	bill_problems_free(&p);
}

Test(billing_superbill, refused_with_every_problem)
{
	struct bill_line lines[4] = {office_visit(),
	    line_of(BILL_CS_CPT, "36415", 1200, NULL, NULL), office_visit(), office_visit()};
	struct bill_problems p = {0};

	strcpy(lines[3].encounter, "Encounter/e2");
	strcpy(lines[3].code, "99214");
	for (size_t i = 0; i < 4; i++)
		bill_line_name(&lines[i], "sb-8", i + 1);
	cr_assert_null(bill_superbill_plan(lines, 4, &p));
	cr_assert_eq(p.n, 3, "three problems");
	assert_problem(&p, "Line 2 (36415) has no diagnosis");
	assert_problem(&p, "Line 4 is for another visit than line 1");
	assert_problem(&p, "Line 3 repeats line 1 (99213 on 2026-03-01)");
	bill_problems_free(&p);
	cr_assert_null(bill_superbill_plan(lines, 0, &p));
	assert_problem(&p, "The superbill has no charges");
	bill_problems_free(&p);
}

Test(billing_superbill, at_most_one_plan_of_lines)
{
	struct bill_line lines[BILL_LINES_MAX + 1];
	struct bill_problems p = {0};

	for (size_t i = 0; i < BILL_LINES_MAX + 1; i++) {
		lines[i] = office_visit();
		snprintf(lines[i].day, sizeof lines[i].day, "2026-03-%02zu", i + 1);
		bill_line_name(&lines[i], "sb-9", i + 1);
	}
	cr_assert_null(bill_superbill_plan(lines, BILL_LINES_MAX + 1, &p));
	cr_assert_eq(p.n, 1, "days apart, so no line repeats another");
	assert_problem(
	    &p, "The superbill has 16 charges; one save takes at most 15: save it in two");
	bill_problems_free(&p);
}

/* --- the claim and its scrubber -------------------------------------------------------- */

/* A Coverage view: ID, payer, member (NULL: none), status, period. */
static struct coverage_view
cover(const char *id, const char *payer, const char *member, const char *status, const char *start,
    const char *end)
{
	struct coverage_view v;
	char *text, mem[96] = "";
	cJSON *j;

	if (member != NULL)
		snprintf(mem, sizeof mem, ",\"subscriberId\":\"%s\"", member);
	cr_assert(
	    asprintf(&text,
	        "{\"resourceType\":\"Coverage\",\"id\":\"%s\",\"meta\":{\"versionId\":\"1\"},"
	        "\"status\":\"%s\",\"beneficiary\":{\"reference\":\"Patient/p1\"},\"payor\":[{"
	        "\"reference\":\"Organization/%s\",\"display\":\"%s Health\"}]%s,\"period\":{"
	        "\"start\":\"%s\",\"end\":\"%s\"}}",
	        id, status, payer, payer, mem, start, end) > 0);
	j = parse(text);
	coverage_view_read(j, &today, &v);
	cJSON_Delete(j);
	free(text);
	return v;
}

struct claim_case {
	struct bill_line lines[BILL_LINES_MAX];
	struct coverage_view cov[2];
	const struct coverage_view *covp[2];
	struct bill_claim_input in;
};

/* A clean claim: three lines, two coverages in force, providers with good NPIs. */
static void
clean_case(struct claim_case *c)
{
	memset(c, 0, sizeof *c);
	c->lines[0] = line_of(BILL_CS_CPT, "99214", 16500, "E11.9", "I10");
	c->lines[1] = line_of(BILL_CS_CPT, "36415", 1200, "E11.9", NULL);
	c->lines[2] = line_of(BILL_CS_HCPCS, "J1100", 10, "I10", "Z79.4");
	c->lines[2].quantity = 3;
	c->cov[0] = cover("c1", "acme", "XJ4411", "active", "2026-01-01", "2026-12-31");
	c->cov[1] = cover("c2", "beta", "B-77", "active", "2025-01-01", "2027-12-31");
	c->covp[0] = &c->cov[0];
	c->covp[1] = &c->cov[1];
	c->in = (struct bill_claim_input){.patient = "Patient/p1",
	    .lines = c->lines,
	    .nlines = 3,
	    .coverages = c->covp,
	    .ncoverages = 2,
	    .billing = "Organization/clinic",
	    .billing_npi = "1245319599",
	    .rendering = "Practitioner/dr1",
	    .rendering_npi = "1234567893",
	    .facility = "Location/main",
	    .place_of_service = "11",
	    .request_id = "claim-1"};
}

static void
case_clear(struct claim_case *c)
{
	coverage_view_clear(&c->cov[0]);
	coverage_view_clear(&c->cov[1]);
}

static int
number_at(const cJSON *array, int i)
{
	const cJSON *n = cJSON_GetArrayItem(array, i);

	cr_assert(cJSON_IsNumber(n), "item %d is not a number", i);
	return (int)n->valuedouble;
}

static const char *
code_of(const cJSON *concept)
{
	return fhir_get_string(cJSON_GetArrayItem(fhir_get_array(concept, "coding"), 0), "code");
}

static int64_t
amount_of(const cJSON *money)
{
	struct money m;
	char *cause = NULL;

	cr_assert_eq(bill_money_read(money, &m, &cause), 0, "%s", cause ? cause : "");
	return m.minor;
}

Test(billing_claim, diagnoses_numbered_once_and_lines_point_at_them)
{
	struct claim_case c;
	struct bill_problems p = {0};
	cJSON *claim, *w;
	const cJSON *items, *dx;
	char codes[BILL_DIAGNOSES_MAX][BILL_CODE_SIZE];

	clean_case(&c);
	cr_assert_eq(bill_claim_diagnoses(&c.in, codes, BILL_DIAGNOSES_MAX), 3);
	cr_assert_str_eq(codes[0], "E11.9");
	cr_assert_str_eq(codes[1], "I10");
	cr_assert_str_eq(codes[2], "Z79.4");
	claim = bill_claim_build(&c.in, &today, &p);
	cr_assert_not_null(claim, "%s", p.n ? p.v[0] : "");
	cr_assert_eq(p.n, 0);
	w = wire(claim);
	dx = fhir_get_array(w, "diagnosis");
	cr_assert_eq(cJSON_GetArraySize(dx), 3);
	for (int i = 0; i < 3; i++) {
		const cJSON *d = cJSON_GetArrayItem(dx, i);

		cr_assert_eq(cJSON_GetObjectItem(d, "sequence")->valuedouble, i + 1);
		cr_assert_str_eq(code_of(fhir_get_object(d, "diagnosisCodeableConcept")), codes[i]);
	}
	items = fhir_get_array(w, "item");
	cr_assert_eq(cJSON_GetArraySize(items), 3);
	/* Line 3 points at I10 and Z79.4: the claim's diagnoses 2 and 3. */
	cr_assert_eq(
	    cJSON_GetArraySize(fhir_get_array(cJSON_GetArrayItem(items, 2), "diagnosisSequence")),
	    2);
	cr_assert_eq(
	    number_at(fhir_get_array(cJSON_GetArrayItem(items, 2), "diagnosisSequence"), 0), 2);
	cr_assert_eq(
	    number_at(fhir_get_array(cJSON_GetArrayItem(items, 2), "diagnosisSequence"), 1), 3);
	cr_assert_eq(
	    number_at(fhir_get_array(cJSON_GetArrayItem(items, 0), "diagnosisSequence"), 0), 1);
	cr_assert_eq(
	    number_at(fhir_get_array(cJSON_GetArrayItem(items, 0), "diagnosisSequence"), 1), 2);
	cr_assert_eq(
	    number_at(fhir_get_array(cJSON_GetArrayItem(items, 1), "diagnosisSequence"), 0), 1);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(
		    cJSON_GetObjectItem(cJSON_GetArrayItem(items, i), "sequence")->valuedouble,
		    i + 1);
	cJSON_Delete(claim);
	cJSON_Delete(w);
	case_clear(&c);
}

Test(billing_claim, the_professional_claim_as_built)
{
	struct claim_case c;
	struct bill_problems p = {0};
	cJSON *claim, *w;
	const cJSON *ins, *item, *prov;

	clean_case(&c);
	c.lines[1].nmodifiers = 1;
	strcpy(c.lines[1].modifiers[0], "91");
	c.lines[2].day[9] = '2'; /* 2026-03-02 */
	claim = bill_claim_build(&c.in, &today, &p);
	cr_assert_not_null(claim, "%s", p.n ? p.v[0] : "");
	w = wire(claim);
	cr_assert_str_eq(fhir_get_string(w, "status"), "active");
	cr_assert_str_eq(fhir_get_string(w, "use"), "claim");
	cr_assert_str_eq(code_of(fhir_get_object(w, "type")), "professional");
	cr_assert_str_eq(fhir_get_string(w, "created"), "2026-03-01");
	cr_assert_str_eq(
	    fhir_get_string(fhir_get_object(w, "billablePeriod"), "start"), "2026-03-01");
	cr_assert_str_eq(
	    fhir_get_string(fhir_get_object(w, "billablePeriod"), "end"), "2026-03-02");
	cr_assert_str_eq(fhir_get_string(fhir_get_object(w, "patient"), "reference"), "Patient/p1");
	cr_assert_str_eq(
	    fhir_get_string(fhir_get_object(w, "insurer"), "reference"), "Organization/acme");
	cr_assert_str_eq(
	    fhir_get_string(fhir_get_object(w, "facility"), "reference"), "Location/main");
	cr_assert(fhir_carries_request(w, "claim-1"));
	prov = fhir_get_object(w, "provider");
	cr_assert_str_eq(fhir_get_string(prov, "reference"), "Organization/clinic");
	cr_assert_str_eq(
	    fhir_get_string(fhir_get_object(prov, "identifier"), "value"), "1245319599");
	prov = fhir_get_object(cJSON_GetArrayItem(fhir_get_array(w, "careTeam"), 0), "provider");
	cr_assert_str_eq(fhir_get_string(prov, "reference"), "Practitioner/dr1");
	cr_assert_str_eq(
	    fhir_get_string(fhir_get_object(prov, "identifier"), "system"), BILL_CS_NPI);

	ins = fhir_get_array(w, "insurance");
	cr_assert_eq(cJSON_GetArraySize(ins), 2);
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(ins, 0), "focal")));
	cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetArrayItem(ins, 1), "focal")));
	cr_assert_str_eq(
	    fhir_get_string(fhir_get_object(cJSON_GetArrayItem(ins, 0), "coverage"), "reference"),
	    "Coverage/c1");
	cr_assert_str_eq(
	    fhir_get_string(fhir_get_object(cJSON_GetArrayItem(ins, 1), "coverage"), "reference"),
	    "Coverage/c2");
	cr_assert_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(ins, 1), "sequence")->valuedouble, 2);

	item = cJSON_GetArrayItem(fhir_get_array(w, "item"), 2);
	cr_assert_str_eq(code_of(fhir_get_object(item, "productOrService")), "J1100");
	cr_assert_str_eq(code_of(fhir_get_object(item, "locationCodeableConcept")), "11");
	cr_assert_str_eq(fhir_get_string(item, "servicedDate"), "2026-03-02");
	cr_assert_eq(
	    cJSON_GetObjectItem(fhir_get_object(item, "quantity"), "value")->valuedouble, 3);
	cr_assert_eq(amount_of(fhir_get_object(item, "unitPrice")), 10);
	cr_assert_eq(amount_of(fhir_get_object(item, "net")), 30, "three units of ten cents");
	item = cJSON_GetArrayItem(fhir_get_array(w, "item"), 1);
	cr_assert_str_eq(code_of(cJSON_GetArrayItem(fhir_get_array(item, "modifier"), 0)), "91");
	/* 165.00 + 12.00 + 3 x 0.10, to the cent. */
	cr_assert_eq(amount_of(fhir_get_object(w, "total")), 17730);
	cJSON_Delete(claim);
	cJSON_Delete(w);
	case_clear(&c);
}

Test(billing_claim, totals_sum_exactly_where_doubles_would_not)
{
	struct claim_case c;
	struct money t;
	char *cause = NULL;

	clean_case(&c);
	/* Ten lines of $0.10 and one of $0.20: 0.1 added ten times is not 1.0 in a double. */
	for (size_t i = 0; i < 11; i++) {
		c.lines[i] = line_of(BILL_CS_HCPCS, "J1100", i < 10 ? 10 : 20, "I10", NULL);
		snprintf(c.lines[i].day, sizeof c.lines[i].day, "2026-02-%02zu", i + 1);
	}
	c.in.nlines = 11;
	cr_assert_eq(bill_claim_total(&c.in, &t, &cause), 0);
	cr_assert_eq(t.minor, 120);
	c.lines[3].overridden = true;
	c.lines[3].override_price = (struct money){-5, "USD"};
	strcpy(c.lines[3].override_reason, "refund of an earlier overcharge");
	cr_assert_eq(bill_claim_total(&c.in, &t, &cause), 0);
	cr_assert_eq(t.minor, 105, "a negative line subtracts exactly");
	c.lines[4].unit_price.minor = INT64_MAX / 2;
	c.lines[4].quantity = 3;
	cr_assert_eq(bill_claim_total(&c.in, &t, &cause), -1);
	cr_assert_str_eq(cause, "the total is too large to keep");
	free(cause);
	case_clear(&c);
}

Test(billing_scrub, a_clean_claim_has_no_problem_and_queues_once)
{
	struct claim_case c;
	struct bill_problems p = {0};
	struct fhir_plan *plan;
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	cJSON *tx, *e;

	clean_case(&c);
	cr_assert_eq(bill_scrub(&c.in, &today, &p), 0, "%s", p.n ? p.v[0] : "");
	plan = bill_claim_plan(&c.in, &today, &p);
	cr_assert_not_null(plan);
	cr_assert_eq(fhir_plan_steps(plan), 1);
	tx = fhir_plan_transaction(plan, fc);
	e = cJSON_GetArrayItem(fhir_get_array(tx, "entry"), 0);
	cr_assert_str_eq(fhir_get_string(fhir_get_object(e, "request"), "ifNoneExist"),
	    "identifier=urn%3Aehrterm%3Arequest%7Cclaim-1");
	cJSON_Delete(tx);
	fhir_plan_free(&plan);
	fhir_client_free(&fc);
	case_clear(&c);
}

Test(billing_scrub, every_problem_is_listed_not_just_the_first)
{
	struct claim_case c;
	struct bill_problems p = {0};

	clean_case(&c);
	c.in.billing_npi = NULL;
	c.in.rendering_npi = "1234567890";
	coverage_view_clear(&c.cov[0]);
	c.cov[0] = cover("c1", "acme", NULL, "active", "2025-01-01", "2025-12-31");
	coverage_view_clear(&c.cov[1]);
	c.cov[1] = cover("c2", "beta", "B-77", "active", "2026-04-01", "2027-12-31");
	c.lines[1].npointers = 0;
	c.lines[3] = c.lines[0];
	c.in.nlines = 4;
	cr_assert_null(bill_claim_build(&c.in, &today, &p), "never built, so never queued");
	cr_assert_eq(p.n, 7, "seven problems");
	assert_problem(&p, "Line 2 (36415) has no diagnosis: point it at the diagnosis (ICD-10-CM) "
	                   "that made it necessary");
	assert_problem(&p, "Line 4 repeats line 1 (99214 on 2026-03-01): remove it, or add a "
	                   "modifier (such as 76 or 91) if the service was done again");
	assert_problem(&p, "The billing provider has no NPI: add it to their record");
	assert_problem(&p, "The rendering provider's NPI 1234567890 is not valid: an NPI is ten "
	                   "digits, the last a check digit; look for a typing slip");
	assert_problem(&p, "The primary insurance (acme Health) has no member id: copy it from the "
	                   "insurance card");
	assert_problem(&p, "The primary insurance (acme Health) expired on 2025-12-31, before the "
	                   "date of service 2026-03-01: ask the patient for their current card");
	assert_problem(&p, "The secondary insurance (beta Health) began on 2026-04-01, after the "
	                   "date of service 2026-03-01");
	bill_problems_free(&p);
	case_clear(&c);
}

Test(billing_scrub, more_than_twelve_diagnoses)
{
	struct claim_case c;
	struct bill_problems p = {0};
	static const char *const dx[] = {"A00.0", "A01.0", "A02.0", "A03.0", "A04.0", "A05.0",
	    "A06.0", "A07.0", "A08.0", "A09", "B00.0", "B01.0", "B02.0"};

	clean_case(&c);
	for (size_t i = 0; i < 7; i++) {
		c.lines[i] = line_of(
		    BILL_CS_CPT, "99213", 11241, dx[2 * i], 2 * i + 1 < 13 ? dx[2 * i + 1] : NULL);
		snprintf(c.lines[i].day, sizeof c.lines[i].day, "2026-02-%02zu", i + 1);
	}
	c.in.nlines = 6;
	cr_assert_eq(bill_scrub(&c.in, &today, &p), 0, "twelve fit: %s", p.n ? p.v[0] : "");
	c.in.nlines = 7;
	cr_assert_eq(bill_scrub(&c.in, &today, &p), 1);
	cr_assert_str_eq(p.v[0], "The claim points at 13 diagnoses; a professional claim takes at "
	                         "most 12: put some lines on a second claim");
	bill_problems_free(&p);
	case_clear(&c);
}

Test(billing_scrub, the_hl7_coverage_and_a_claim_with_nothing)
{
	cJSON *j = example("Coverage-9876B1.json");
	struct coverage_view v;
	const struct coverage_view *vp;
	struct bill_claim_input in = {0};
	struct bill_problems p = {0};
	struct bill_line l = office_visit();

	coverage_view_read(j, &today, &v);
	vp = &v;
	in = (struct bill_claim_input){.patient = "Patient/p1",
	    .lines = &l,
	    .nlines = 1,
	    .coverages = &vp,
	    .ncoverages = 1,
	    .billing = "Organization/clinic",
	    .billing_npi = "1245319599",
	    .rendering = "Practitioner/dr1",
	    .rendering_npi = "1234567893",
	    .facility = "Location/main",
	    .place_of_service = "11",
	    .request_id = "claim-2"};
	cr_assert_eq(bill_scrub(&in, &today, &p), 2);
	assert_problem(&p, "The primary insurance (Organization/2) has no member id");
	assert_problem(&p,
	    "The primary insurance (Organization/2) expired on 2012-05-23, before the "
	    "date of service 2026-03-01");
	bill_problems_free(&p);
	coverage_view_clear(&v);
	cJSON_Delete(j);

	memset(&in, 0, sizeof in);
	bill_scrub(&in, &today, &p);
	{
		char *all = problems_text(&p);

		cr_assert_eq(p.n, 10, "%s", all);
		free(all);
	}
	assert_problem(&p, "The claim names no patient");
	assert_problem(&p, "The claim has no charges: capture the visit's charges first");
	assert_problem(&p, "The claim names no billing provider");
	assert_problem(&p, "The claim names no rendering provider");
	assert_problem(&p, "The billing provider has no NPI");
	assert_problem(&p, "The rendering provider has no NPI");
	assert_problem(&p, "The claim names no facility where the service was done");
	assert_problem(&p, "The claim has no place of service (two digits: 11 for the office)");
	assert_problem(&p, "The patient has no insurance on file: add the coverage, or bill the "
	                   "patient instead");
	assert_problem(&p, "The claim has no request identifier");
	bill_problems_free(&p);
}

/* --- remittances ----------------------------------------------------------------------- */

static void
remit_of(const char *json, struct bill_remit *r)
{
	cJSON *j = parse(json);
	char *cause = NULL;

	cr_assert_eq(bill_remit_read(j, r, &cause), 0, "%s", cause ? cause : "");
	cJSON_Delete(j);
}

static void
remit_example(const char *name, struct bill_remit *r)
{
	cJSON *j = example(name);
	char *cause = NULL;

	cr_assert_eq(bill_remit_read(j, r, &cause), 0, "%s", cause ? cause : "");
	cJSON_Delete(j);
}

Test(billing_remit, the_hl7_answer_read_in_cents)
{
	struct bill_remit r;

	remit_example("ClaimResponse-R3500.json", &r);
	cr_assert_str_eq(r.id, "R3500");
	cr_assert_str_eq(r.insurer, "555123", "the payer named by its identifier");
	cr_assert_str_eq(r.outcome, "complete");
	cr_assert_str_eq(r.payment_date, "2014-08-31");
	cr_assert_eq(r.n, 1);
	cr_assert_eq(r.lines[0].sequence, 1);
	cr_assert(r.lines[0].has_allowed);
	cr_assert_eq(r.lines[0].allowed.minor, 13557);
	cr_assert_eq(r.lines[0].paid.minor, 9047);
	cr_assert_eq(r.lines[0].patient_share.minor, 1000, "the copay; 80 (eligpercent) is a rate");
	cr_assert_not(r.lines[0].denied);
	cr_assert_eq(r.paid.minor, 9047);
	cr_assert_eq(r.patient_share.minor, 1000);
	cr_assert(r.has_payment);
	cr_assert_eq(r.payment.minor, 10047);
	cr_assert_eq(r.problems.n, 1, "the example's payment is not what its lines paid");
	cr_assert_str_eq(r.problems.v[0],
	    "The payment of $100.47 does not equal the $90.47 paid on "
	    "the lines");
	bill_remit_clear(&r);
}

Test(billing_remit, added_lines_count_and_the_total_balances)
{
	struct bill_remit r;

	remit_example("ClaimResponse-R3503.json", &r);
	cr_assert_eq(r.n, 6, "three items and three the payer added");
	cr_assert_eq(r.lines[0].paid.minor, 0);
	cr_assert_not(r.lines[0].denied, "nothing paid, but no reason given");
	cr_assert_eq(r.lines[2].paid.minor, 60000);
	cr_assert_eq(r.lines[3].sequence, 0);
	cr_assert_str_eq(r.lines[3].code, "1101");
	cr_assert_eq(r.lines[3].patient_share.minor, 1000);
	cr_assert_eq(r.paid.minor, 105447, "0 + 84 + 600 + 72 + 28.47 + 270, as the payer's total");
	cr_assert_eq(r.problems.n, 1);
	cr_assert_str_eq(r.problems.v[0],
	    "The payment of $100.47 does not equal the $1,054.47 paid "
	    "on the lines");
	bill_remit_clear(&r);
}

#define ADJ(cat, value)                                                                            \
	"{\"category\":{\"coding\":[{\"code\":\"" cat "\"}]},\"amount\":{\"value\":" value         \
	",\"currency\":\"USD\"}}"
#define CARC(group, code, value)                                                                   \
	"{\"category\":{\"coding\":[{\"code\":\"submitted\"}]},\"reason\":{\"coding\":[{"          \
	"\"system\":\"" BILL_CS_CARC "\",\"code\":\"" code "\"},{\"system\":\"" BILL_CS_CARC_GROUP \
	"\",\"code\":\"" group "\"}]},\"amount\":{\"value\":" value ",\"currency\":\"USD\"}}"

/* Acme's answer to a claim of 99213 at $112.41 and 36415 at $12.00, paid 2026-03-20. */
static const char acme_remit[] =
    "{\"resourceType\":\"ClaimResponse\",\"id\":\"cr1\",\"outcome\":\"complete\","
    "\"created\":\"2026-03-19\",\"request\":{\"reference\":\"Claim/cl1\"},"
    "\"patient\":{\"reference\":\"Patient/p1\"},"
    "\"insurer\":{\"reference\":\"Organization/acme\",\"display\":\"Acme Health\"},"
    "\"item\":[{\"itemSequence\":1,\"adjudication\":[" ADJ("submitted", "112.41") "," ADJ(
        "eligible", "100") "," ADJ("benefit", "80") "," CARC("CO", "45", "12.41") "," CARC("PR",
        "2", "20") "]},"
                   "{\"itemSequence\":2,\"adjudication\":[" ADJ("submitted", "12") "," ADJ(
                       "benefit", "0") "," CARC("CO", "50",
                       "12.00") "]}],"
                                "\"payment\":{\"date\":\"2026-03-20\",\"amount\":{\"value\":80,"
                                "\"currency\":\"USD\"}}}";

Test(billing_remit, adjustments_with_groups_and_a_denied_line)
{
	struct bill_remit r;

	remit_of(acme_remit, &r);
	cr_assert_eq(r.problems.n, 0, "%s", r.problems.n ? r.problems.v[0] : "");
	cr_assert_str_eq(r.claim, "Claim/cl1");
	cr_assert_str_eq(r.insurer, "Acme Health");
	cr_assert_eq(r.lines[0].nadj, 2);
	cr_assert_eq(r.lines[0].adj[0].group, BILL_GROUP_CO);
	cr_assert_str_eq(r.lines[0].adj[0].reason, "45");
	cr_assert_eq(r.lines[0].adj[0].amount.minor, 1241);
	cr_assert_eq(r.lines[0].adj[1].group, BILL_GROUP_PR);
	cr_assert_eq(r.lines[0].patient_share.minor, 2000);
	cr_assert_not(r.lines[0].denied);
	cr_assert(r.lines[1].denied, "nothing paid, with a reason");
	cr_assert_eq(r.paid.minor, 8000);
	cr_assert_eq(r.adjusted.minor, 2441, "CO only: PR is the patient's");
	cr_assert_eq(r.patient_share.minor, 2000);
	cr_assert_eq(r.submitted.minor, 12441);
	/* Everything charged is accounted for, to the cent. */
	cr_assert_eq(r.paid.minor + r.adjusted.minor + r.patient_share.minor, r.submitted.minor);
	bill_remit_clear(&r);
}

Test(billing_remit, a_negative_adjustment_is_summed_exactly)
{
	struct bill_remit r;

	/* A payer reversing part of an earlier write-off: CO-45 of -0.10, then 0.10 and 0.20. */
	remit_of("{\"resourceType\":\"ClaimResponse\",\"item\":[{\"itemSequence\":1,"
	         "\"adjudication\":[" ADJ("benefit", "0.1") "," CARC("CO", "45", "-0.1") "," CARC(
	             "CO", "45", "0.1") "," CARC("OA", "23", "0.2") "]}]}",
	    &r);
	cr_assert_eq(r.problems.n, 0);
	cr_assert_eq(r.lines[0].nadj, 3);
	cr_assert_eq(r.lines[0].adj[0].amount.minor, -10);
	cr_assert_eq(r.adjusted.minor, 20);
	cr_assert_eq(r.lines[0].adj[2].group, BILL_GROUP_OA);
	bill_remit_clear(&r);

	/* 0.1 + 0.2 is 0.30000000000000004 in doubles, and 0.30 here. */
	remit_of("{\"resourceType\":\"ClaimResponse\",\"item\":[{\"itemSequence\":1,"
	         "\"adjudication\":[" ADJ("copay", "0.1") "," ADJ("deductible", "0.2") "]}]}",
	    &r);
	cr_assert_eq(r.patient_share.minor, 30);
	bill_remit_clear(&r);
}

Test(billing_remit, unreadable_amounts_leave_their_line_out_and_say_so)
{
	struct bill_remit r;
	cJSON *j;
	char *cause = NULL;

	remit_of(
	    "{\"resourceType\":\"ClaimResponse\",\"item\":["
	    "{\"itemSequence\":1,\"adjudication\":[" ADJ("benefit",
	        "112.41600000000001") "]},"
	                              "{\"itemSequence\":2,\"adjudication\":[" ADJ("benefit",
	                                  "10.5") "]},"
	                                          "{\"itemSequence\":3,\"adjudication\":[{"
	                                          "\"category\":{\"coding\":[{\"code\":"
	                                          "\"benefit\"}]},\"amount\":{\"value\":\"5\"}}]},"
	                                          "{\"itemSequence\":4,\"adjudication\":[" ADJ(
	                                              "benefit",
	                                              "1e309") "]}],"
	                                                       "\"payment\":{\"amount\":{\"value\":"
	                                                       "-0,\"currency\":\"USD\"}}}",
	    &r);
	cr_assert_eq(r.n, 4);
	cr_assert(r.lines[0].unreadable);
	cr_assert_not(r.lines[1].unreadable);
	cr_assert(r.lines[2].unreadable);
	cr_assert(r.lines[3].unreadable);
	cr_assert_eq(r.paid.minor, 1050, "only the readable line");
	cr_assert_eq(r.problems.n, 4);
	cr_assert_str_eq(r.problems.v[0],
	    "On claim line 1 an amount cannot be used, so the line is "
	    "not counted: the server sent the amount "
	    "112.41600000000001, which is not a whole number of cents");
	assert_problem(&r.problems, "On claim line 3 an amount cannot be used");
	assert_problem(&r.problems, "On claim line 4 an amount cannot be used, so the line is not "
	                            "counted: the server sent an amount too large to keep");
	assert_problem(
	    &r.problems, "The payment of $0.00 does not equal the $10.50 paid on the lines");
	bill_remit_clear(&r);

	j = parse("{\"resourceType\":\"Claim\"}");
	cr_assert_eq(bill_remit_read(j, &r, &cause), -1);
	cr_assert_str_eq(cause, "the server sent something other than a claim's answer");
	free(cause);
	cJSON_Delete(j);
}

/* --- the ledger ------------------------------------------------------------------------ */

Test(billing_ledger, insurer_and_patient_balances_never_mix)
{
	struct bill_line charges[2] = {
	    office_visit(), line_of(BILL_CS_CPT, "36415", 1200, "I10", NULL)};
	struct bill_remit r;
	struct bill_patient_payment pay = {"2026-03-25", {2000, "USD"}, "statement"};
	struct bill_ledger l;
	int64_t charged = 0, paid = 0, adjusted = 0, share = 0;

	remit_of(acme_remit, &r);
	cr_assert_eq(bill_ledger_build(charges, 2, true, &r, 1, &pay, 1, &l), 0);
	cr_assert_eq(
	    l.n, 7, "two charges, a payment, two write-offs, the patient's share, a payment");
	cr_assert_eq(l.v[0].kind, BILL_ENTRY_CHARGE);
	cr_assert_str_eq(l.v[0].what, "Charge 99213");
	cr_assert_eq(l.v[1].insurance_pending.minor, 12441);
	cr_assert_eq(l.v[1].patient_owes.minor, 0, "a charge to the insurer is not the patient's");
	cr_assert_eq(l.v[2].kind, BILL_ENTRY_INSURER_PAYMENT);
	cr_assert_str_eq(l.v[2].what, "Payment from Acme Health");
	cr_assert_str_eq(l.v[2].day, "2026-03-20");
	cr_assert_eq(l.v[2].insurance_pending.minor, 4441);
	cr_assert_eq(l.v[2].patient_owes.minor, 0, "the payer's payment is not the patient's");
	cr_assert_str_eq(l.v[3].what, "Adjustment CO-45 by Acme Health");
	cr_assert_str_eq(l.v[4].what, "Adjustment CO-50 by Acme Health");
	cr_assert_eq(l.v[5].kind, BILL_ENTRY_TO_PATIENT);
	cr_assert_eq(l.v[5].insurance_pending.minor, 0);
	cr_assert_eq(l.v[5].patient_owes.minor, 2000);
	cr_assert_eq(l.v[6].kind, BILL_ENTRY_PATIENT_PAYMENT);
	cr_assert_str_eq(l.v[6].what, "Payment by the patient (statement)");
	cr_assert_eq(l.patient_owes.minor, 0);
	cr_assert_eq(l.insurance_pending.minor, 0);
	for (size_t i = 0; i < l.n; i++) {
		if (l.v[i].kind != BILL_ENTRY_PATIENT_PAYMENT &&
		    l.v[i].kind != BILL_ENTRY_TO_PATIENT)
			cr_assert(strstr(l.v[i].what, "atient") == NULL, "row %zu says %s", i,
			    l.v[i].what);
		switch (l.v[i].kind) {
		case BILL_ENTRY_CHARGE:
			charged += l.v[i].amount.minor;
			break;
		case BILL_ENTRY_INSURER_PAYMENT:
			paid += l.v[i].amount.minor;
			break;
		case BILL_ENTRY_ADJUSTMENT:
			adjusted += l.v[i].amount.minor;
			break;
		case BILL_ENTRY_TO_PATIENT:
			share += l.v[i].amount.minor;
			break;
		default:
			break;
		}
	}
	/* Worked out apart from the ledger's own running sums. */
	cr_assert_eq(charged - paid - adjusted - share, l.insurance_pending.minor);
	bill_ledger_clear(&l);
	bill_remit_clear(&r);
}

Test(billing_ledger, a_denial_and_an_uninsured_visit)
{
	struct bill_line charge = office_visit();
	struct bill_remit r;
	struct bill_ledger l;
	struct bill_patient_payment copay = {"2026-03-01", {2500, "USD"}, "copay"};

	remit_of(
	    "{\"resourceType\":\"ClaimResponse\",\"insurer\":{\"reference\":\"Organization/b\"},"
	    "\"created\":\"2026-03-10\",\"item\":[{\"itemSequence\":1,\"adjudication\":[" ADJ(
	        "submitted", "112.41") "," ADJ("benefit", "0") "," CARC("CO", "29",
	        "112.41") "]}]}",
	    &r);
	cr_assert_eq(bill_ledger_build(&charge, 1, true, &r, 1, &copay, 1, &l), 0);
	cr_assert_eq(l.n, 4);
	cr_assert_eq(
	    l.v[1].kind, BILL_ENTRY_PATIENT_PAYMENT, "a copay the same day comes after the charge");
	cr_assert_eq(l.v[1].patient_owes.minor, -2500, "paid ahead: a credit");
	cr_assert_str_eq(l.v[2].what, "Denied by Organization/b: nothing paid");
	cr_assert_str_eq(
	    l.v[2].day, "2026-03-10", "dated by when it was written, having no payment");
	cr_assert_eq(l.v[2].amount.minor, 0);
	cr_assert_str_eq(l.v[3].what, "Adjustment CO-29 by Organization/b");
	cr_assert_eq(l.insurance_pending.minor, 0);
	bill_ledger_clear(&l);
	bill_remit_clear(&r);

	cr_assert_eq(bill_ledger_build(&charge, 1, false, NULL, 0, NULL, 0, &l), 0);
	cr_assert_eq(l.v[0].kind, BILL_ENTRY_SELF_PAY_CHARGE);
	cr_assert_eq(l.patient_owes.minor, 11241);
	cr_assert_eq(l.insurance_pending.minor, 0);
	bill_ledger_clear(&l);
}

Test(billing_ledger, currencies_do_not_mix)
{
	struct bill_line charge = office_visit();
	struct bill_patient_payment pay = {"2026-03-02", {100, "EUR"}, NULL};
	struct bill_ledger l;

	cr_assert_eq(bill_ledger_build(&charge, 1, false, NULL, 0, &pay, 1, &l), -1);
	cr_assert_eq(l.problems.n, 1);
	cr_assert_str_eq(l.problems.v[0],
	    "The ledger stops at Payment by the patient on 2026-03-02: "
	    "cannot combine amounts in USD and EUR");
	bill_ledger_clear(&l);
}

/* --- one visit in one round trip ------------------------------------------------------- */

static char *
charge_json(struct bill_line l, const char *rid)
{
	cJSON *ci = bill_charge_item(&l, rid);
	char *text;

	cr_assert_not_null(ci);
	cJSON_AddStringToObject(ci, "id", rid);
	text = cJSON_PrintUnformatted(ci);
	cJSON_Delete(ci);
	return text;
}

Test(billing_visit, one_batch_and_its_answer)
{
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	cJSON *b = bill_visit_batch(fc, "p1", "e1"), *r;
	char *text = cJSON_PrintUnformatted(b), *answer;
	struct bill_line other = office_visit();
	char *c1 = charge_json(office_visit(), "ci1");
	char *c2 = charge_json(line_of(BILL_CS_CPT, "36415", 1200, "E11.9", NULL), "ci2");
	char *c3;
	struct bill_visit v;

	strcpy(other.encounter, "Encounter/e9");
	c3 = charge_json(other, "ci3");
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(b, "entry")), 6,
	    "the visit's procedures too (tests/unit/test_capture.c)");
	cr_assert_not_null(
	    strstr(text, "ChargeItem?context=Encounter%2Fe1&_count=100"), "%s", text);
	cr_assert_not_null(strstr(text, "Coverage?beneficiary=Patient%2Fp1"), "%s", text);
	cr_assert_not_null(strstr(text, "Account?patient=Patient%2Fp1&status=active"), "%s", text);
	cr_assert(
	    asprintf(&answer,
	        "{\"entry\":[{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":"
	        "\"Patient\",\"id\":\"p1\"}},{},"
	        "{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":\"Bundle\","
	        "\"total\":4,\"entry\":[{\"resource\":%s},{\"resource\":%s},{\"resource\":%s},"
	        "{\"resource\":{\"resourceType\":\"ChargeItem\",\"id\":\"bad\",\"code\":{"
	        "\"coding\":[{\"code\":\"99213\"}]},\"priceOverride\":{\"value\":112."
	        "41600000000001}}}]}},"
	        "{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":\"Bundle\","
	        "\"entry\":[{\"resource\":{\"resourceType\":\"Coverage\",\"id\":\"c1\",\"status\":"
	        "\"active\",\"subscriberId\":\"XJ1\",\"beneficiary\":{\"reference\":\"Patient/"
	        "p1\"},"
	        "\"payor\":[{\"reference\":\"Organization/acme\"}],\"order\":1}}]}},"
	        "{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":\"Bundle\","
	        "\"entry\":[{\"resource\":{\"resourceType\":\"Account\",\"id\":\"a9\",\"status\":"
	        "\"active\",\"subject\":[{\"reference\":\"Patient/p2\"}]}},{\"resource\":{"
	        "\"resourceType\":\"Account\",\"id\":\"a1\",\"status\":\"active\",\"subject\":[{"
	        "\"reference\":\"Patient/p1\"}]}}]}},"
	        "{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":\"Bundle\","
	        "\"entry\":[]}}]}",
	        c1, c2, c3) > 0);
	r = parse(answer);
	cr_assert_eq(
	    bill_visit_result(r, "p1", "e1", &today, &v, &cause), 0, "%s", cause ? cause : "");
	cr_assert_eq(v.nlines, 2);
	cr_assert_str_eq(v.lines[0].id, "ci1");
	cr_assert_str_eq(v.lines[1].code, "36415");
	cr_assert_eq(v.charges_total, 4);
	cr_assert_eq(
	    cJSON_GetArraySize(v.charge_items), 2, "one ChargeItem for each line, for queuing");
	cr_assert_str_eq(fhir_get_string(cJSON_GetArrayItem(v.charge_items, 1), "id"), "ci2");
	cr_assert_eq(v.unreadable.n, 2);
	cr_assert_str_eq(v.unreadable.v[0],
	    "The server sent a charge for 99213 of another patient or "
	    "visit; it is left out");
	cr_assert_str_eq(v.unreadable.v[1],
	    "the charge for 99213: the server sent the amount "
	    "112.41600000000001, which is not a whole number of cents");
	cr_assert_eq(v.nviews, 1);
	cr_assert_str_eq(v.views[0].member, "XJ1");
	cr_assert_str_eq(v.account, "Account/a1", "not another patient's account");
	bill_visit_clear(&v);
	cJSON_Delete(r);

	r = parse(
	    "{\"entry\":[{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":"
	    "\"Patient\",\"id\":\"p1\"}},{},{\"response\":{\"status\":\"500\"}}]}");
	cr_assert_eq(bill_visit_result(r, "p1", "e1", &today, &v, &cause), -1);
	cr_assert_not_null(strstr(cause, "charges"), "%s", cause);
	free(cause);
	cJSON_Delete(r);
	free(answer), free(text), free(c1), free(c2), free(c3);
	cJSON_Delete(b);
	fhir_client_free(&fc);
}

Test(billing_claim, queuing_marks_each_charge_billed_if_unchanged)
{
	struct claim_case c;
	struct bill_problems p = {0};
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	cJSON *items = cJSON_CreateArray(), *tx, *claim;
	const cJSON *e, *x;
	struct fhir_plan *plan;

	clean_case(&c);
	/* The lines as bill_visit_result reads them: each from its ChargeItem, id and version. */
	for (size_t i = 0; i < 3; i++) {
		char id[16];
		cJSON *ci, *w;

		snprintf(id, sizeof id, "ci%zu", i + 1);
		ci = bill_charge_item(&c.lines[i], id);
		cJSON_AddStringToObject(ci, "id", id);
		cJSON_AddItemToObject(ci, "meta", parse("{\"versionId\":\"4\"}"));
		cJSON_AddItemToObject(
		    ci, "text", parse("{\"status\":\"generated\",\"div\":\"<div/>\"}"));
		w = wire(ci);
		cr_assert_eq(bill_line_read(w, &c.lines[i], &cause), 0);
		cJSON_AddItemToArray(items, w);
		cJSON_Delete(ci);
	}
	c.in.charge_items = items;
	plan = bill_claim_plan(&c.in, &today, &p);
	cr_assert_not_null(plan, "%s", p.n ? p.v[0] : "");
	cr_assert_eq(fhir_plan_steps(plan), 4, "the claim and three charges");
	tx = fhir_plan_transaction(plan, fc);
	claim = cJSON_GetObjectItem(
	    cJSON_GetArrayItem(cJSON_GetObjectItem(tx, "entry"), 0), "resource");
	x = cJSON_GetArrayItem(
	    fhir_get_array(cJSON_GetArrayItem(fhir_get_array(claim, "item"), 1), "extension"), 0);
	cr_assert_str_eq(fhir_get_string(x, "url"), BILL_EXT_CLAIM_CHARGE);
	cr_assert_str_eq(
	    fhir_get_string(fhir_get_object(x, "valueReference"), "reference"), "ChargeItem/ci2");
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(tx, "entry"), 2);
	cr_assert_str_eq(fhir_get_string(fhir_get_object(e, "request"), "method"), "PUT");
	cr_assert_str_eq(fhir_get_string(fhir_get_object(e, "request"), "url"), "ChargeItem/ci2");
	cr_assert_str_eq(fhir_get_string(fhir_get_object(e, "request"), "ifMatch"), "W/\"4\"");
	cr_assert_str_eq(fhir_get_string(fhir_get_object(e, "resource"), "status"), "billed");
	cr_assert_null(fhir_get_object(fhir_get_object(e, "resource"), "meta"));
	cr_assert_null(fhir_get_object(fhir_get_object(e, "resource"), "text"));
	cr_assert_not_null(fhir_get_array(fhir_get_object(e, "resource"), "reason"),
	    "everything else kept as read");
	cJSON_Delete(tx);
	fhir_plan_free(&plan);

	/* A charge already billed, and one whose version the lines do not have. */
	strcpy(c.lines[0].status, "billed");
	cJSON_DeleteItemFromObject(cJSON_GetArrayItem(items, 2), "meta");
	cr_assert_null(bill_claim_plan(&c.in, &today, &p));
	cr_assert_eq(p.n, 2);
	assert_problem(&p, "Line 1 (99214) is billed, not billable");
	assert_problem(&p, "Line 3 is not the charge as the server has it: read the visit again");
	bill_problems_free(&p);
	cJSON_Delete(items);
	fhir_client_free(&fc);
	case_clear(&c);
}

Test(billing_claim, the_coverages_in_force_on_the_day_of_service)
{
	struct coverage_view v[4] = {
	    cover("old", "harbor", "H1", "active", "2023-01-01", "2024-12-31"),
	    cover("now", "silver", "S1", "active", "2025-01-01", "2026-12-31"),
	    cover("gone", "acme", "A1", "cancelled", "2025-01-01", "2026-12-31"),
	    cover("next", "beta", "B1", "active", "2026-03-01", "2027-12-31"),
	};
	const struct coverage_view *out[4];

	cr_assert_eq(bill_coverages_on(v, 4, "2026-03-01", out, 4), 2);
	cr_assert_str_eq(out[0]->id, "now");
	cr_assert_str_eq(out[1]->id, "next", "a coverage starting that day covers it");
	cr_assert_eq(bill_coverages_on(v, 4, "2024-06-30", out, 4), 1);
	cr_assert_str_eq(out[0]->id, "old");
	cr_assert_eq(bill_coverages_on(v, 4, "2026-03-01", out, 1), 1);
	for (size_t i = 0; i < 4; i++)
		coverage_view_clear(&v[i]);
}

/* --- hostile shapes -------------------------------------------------------------------- */

Test(billing_hostile, wrong_types_everywhere_are_read_as_absent)
{
	static const char *const fees[] = {
	    "{\"resourceType\":\"Bundle\",\"entry\":{\"resource\":1}}",
	    "{\"resourceType\":\"Bundle\",\"entry\":[1,\"x\",null,{\"resource\":[]}]}",
	    "{\"resourceType\":\"ChargeItemDefinition\",\"code\":\"99213\"}",
	    "{\"resourceType\":\"ChargeItemDefinition\",\"code\":{\"coding\":[{\"code\":99213}]}}",
	    "{\"resourceType\":\"ChargeItemDefinition\",\"code\":{\"coding\":[{\"system\":"
	    "\"" BILL_CS_CPT "\",\"code\":\"99213\"}]},\"propertyGroup\":{\"priceComponent\":[]}}",
	    "{\"resourceType\":\"ChargeItemDefinition\",\"code\":{\"coding\":[{\"system\":"
	    "\"" BILL_CS_CPT
	    "\",\"code\":\"99213\"}]},\"propertyGroup\":[{\"priceComponent\":[{\"type\":\"base\","
	    "\"amount\":[1]}]}]}",
	};
	static const char *const remits[] = {
	    "{\"resourceType\":\"ClaimResponse\",\"item\":{\"adjudication\":[]}}",
	    "{\"resourceType\":\"ClaimResponse\",\"item\":[{\"itemSequence\":\"1\","
	    "\"adjudication\":"
	    "[{\"category\":\"benefit\",\"amount\":5}]}],\"payment\":[]}",
	    "{\"resourceType\":\"ClaimResponse\",\"item\":[{\"itemSequence\":-4,\"adjudication\":"
	    "[{\"reason\":{\"coding\":[{\"system\":\"" BILL_CS_CARC "\",\"code\":7}]},\"amount\":{"
	    "\"value\":1}}]}]}",
	    "{\"resourceType\":\"ClaimResponse\",\"addItem\":[{\"itemSequence\":[\"a\"],"
	    "\"productOrService\":{\"coding\":[{\"code\":\"\\u001b[31m\"}]},\"adjudication\":[{"
	    "\"category\":{\"coding\":[{\"code\":\"benefit\"}]},\"amount\":{\"value\":-0}}]}]}",
	};

	for (size_t i = 0; i < sizeof fees / sizeof *fees; i++) {
		cJSON *j = parse(fees[i]);
		struct bill_fees f;
		char *cause = NULL;

		cr_assert_eq(bill_fees_read(j, &f, &cause), 0, "%s", fees[i]);
		for (size_t k = 0; k < f.n; k++)
			cr_assert_not_null(
			    f.v[k].problem, "%s: a fee with no usable price", fees[i]);
		bill_fees_free(&f);
		cJSON_Delete(j);
	}
	for (size_t i = 0; i < sizeof remits / sizeof *remits; i++) {
		cJSON *j = parse(remits[i]);
		struct bill_remit r;
		char *cause = NULL;

		cr_assert_eq(bill_remit_read(j, &r, &cause), 0, "%s", remits[i]);
		cr_assert_eq(r.paid.minor, 0, "%s", remits[i]);
		for (size_t k = 0; k < r.n; k++)
			cr_assert_eq(
			    r.lines[k].sequence, 0, "%s: no usable item sequence", remits[i]);
		bill_remit_clear(&r);
		cJSON_Delete(j);
	}
}

Test(billing_hostile, a_remittance_of_thousands_of_lines_is_cut_and_says_so)
{
	size_t n = 5000, len = n * 200 + 200;
	char *text = malloc(len), *at = text;
	struct bill_remit r;

	at += sprintf(at, "{\"resourceType\":\"ClaimResponse\",\"item\":[");
	for (size_t i = 0; i < n; i++)
		at += sprintf(at,
		    "%s{\"itemSequence\":%zu,\"adjudication\":[" ADJ("benefit", "0.01") "]}",
		    i ? "," : "", i + 1);
	strcpy(at, "]}");
	remit_of(text, &r);
	cr_assert_eq(r.n, BILL_REMIT_LINES_MAX);
	cr_assert_eq(r.paid.minor, BILL_REMIT_LINES_MAX);
	cr_assert_str_eq(
	    r.problems.v[0], "The payer answered 5000 lines; only the first 100 are read");
	bill_remit_clear(&r);
	free(text);
}

Test(billing_visits, encounters_newest_first_with_their_icd10_diagnoses_and_no_other_patient)
{
	struct bill_encounters e;
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	cJSON *b = bill_encounters_batch(fc, "p1"), *r;
	const cJSON *entries = cJSON_GetObjectItem(b, "entry");

	cr_assert_eq(cJSON_GetArraySize(entries), 4, "patient, allergies, visits, conditions");
	cr_assert_not_null(strstr(fhir_get_string(fhir_get_object(cJSON_GetArrayItem(entries, 2),
	                                              "request"),
	                              "url"),
	    "Encounter?patient=p1"));
	r = parse(
	    "{\"entry\":[{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":"
	    "\"Patient\",\"id\":\"p1\",\"birthDate\":\"1960-01-02\"}},{},"
	    "{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":\"Bundle\","
	    "\"total\":3,\"entry\":["
	    "{\"resource\":{\"resourceType\":\"Encounter\",\"id\":\"old\",\"status\":\"finished\","
	    "\"subject\":{\"reference\":\"Patient/p1\"},\"period\":{\"start\":\"2020-01-02T09:00:00Z\"},"
	    "\"type\":[{\"text\":\"Check up\"}],\"participant\":[{\"individual\":{\"reference\":"
	    "\"Practitioner/dr1\"}}]}},"
	    "{\"resource\":{\"resourceType\":\"Encounter\",\"id\":\"other\",\"subject\":{"
	    "\"reference\":\"Patient/p2\"},\"period\":{\"start\":\"2026-01-02\"}}},"
	    "{\"resource\":{\"resourceType\":\"Encounter\",\"id\":\"amb\",\"subject\":{"
	    "\"reference\":\"Patient/p1\"},\"period\":{\"start\":\"2019-01-02\"},"
	    "\"class\":{\"code\":\"AMB\"}}},"
	    "{\"resource\":{\"resourceType\":\"Encounter\",\"id\":\"new\",\"subject\":{"
	    "\"reference\":\"Patient/p1\"},\"period\":{\"start\":\"2025-05-06\"},"
	    "\"type\":[{\"coding\":[{\"display\":\"Problem \\u001b[2J\"}]}]}}]}},"
	    "{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":\"Bundle\","
	    "\"entry\":["
	    "{\"resource\":{\"resourceType\":\"Condition\",\"subject\":{\"reference\":\"Patient/p1\"},"
	    "\"encounter\":{\"reference\":\"Encounter/old\"},\"code\":{\"coding\":[{\"system\":"
	    "\"http://snomed.info/sct\",\"code\":\"195662009\"},{\"system\":"
	    "\"http://hl7.org/fhir/sid/icd-10-cm\",\"code\":\"J02.9\",\"display\":\"Pharyngitis\"}]}}},"
	    "{\"resource\":{\"resourceType\":\"Condition\",\"subject\":{\"reference\":\"Patient/p1\"},"
	    "\"encounter\":{\"reference\":\"Encounter/old\"},\"code\":{\"coding\":[{\"system\":"
	    "\"http://hl7.org/fhir/sid/icd-10-cm\",\"code\":\"J02.9\"}]}}},"
	    "{\"resource\":{\"resourceType\":\"Condition\",\"subject\":{\"reference\":\"Patient/p2\"},"
	    "\"encounter\":{\"reference\":\"Encounter/new\"},\"code\":{\"coding\":[{\"system\":"
	    "\"http://hl7.org/fhir/sid/icd-10-cm\",\"code\":\"E11.9\"}]}}},"
	    "{\"resource\":{\"resourceType\":\"Condition\",\"subject\":{\"reference\":\"Patient/p1\"},"
	    "\"encounter\":{\"reference\":\"Encounter/new\"},\"code\":{\"coding\":[{\"system\":"
	    "\"http://hl7.org/fhir/sid/icd-10-cm\",\"code\":\"not a code\"}]}}}]}}]}");
	cr_assert_eq(bill_encounters_result(r, "p1", &e, &cause), 0, "%s", cause ? cause : "");
	cr_assert_str_eq(e.opened.view.birth_date, "1960-01-02");
	cr_assert_eq(e.n, 3, "the other patient's visit is left out");
	cr_assert_eq(e.total, 3);
	cr_assert_str_eq(e.v[2].id, "amb");
	cr_assert_str_eq(e.v[2].what, "Ambulatory visit", "a class in words, not its code AMB");
	cr_assert_str_eq(e.v[0].id, "new");
	cr_assert_str_eq(e.v[0].day, "2025-05-06");
	cr_assert_eq(e.v[0].ndiagnoses, 0, "not another patient's, not an invalid code");
	cr_assert_str_eq(e.v[1].id, "old");
	cr_assert_str_eq(e.v[1].what, "Check up");
	cr_assert_str_eq(e.v[1].performer, "Practitioner/dr1");
	cr_assert_eq(e.v[1].ndiagnoses, 1, "ICD-10-CM only, each code once");
	cr_assert_str_eq(e.v[1].diagnoses[0].code, "J02.9");
	cr_assert_str_eq(e.v[1].diagnoses[0].display, "Pharyngitis");
	cr_assert_eq(bill_encounter_by_id(&e, "old"), &e.v[1]);
	cr_assert_null(bill_encounter_by_id(&e, "other"));
	bill_encounters_clear(&e);
	cJSON_Delete(r);

	r = parse(
	    "{\"entry\":[{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":"
	    "\"Patient\",\"id\":\"p1\"}},{},{\"response\":{\"status\":\"500\"}}]}");
	cr_assert_eq(bill_encounters_result(r, "p1", &e, &cause), -1);
	cr_assert_not_null(strstr(cause, "visits"), "%s", cause);
	free(cause);
	cJSON_Delete(r);
	cJSON_Delete(b);
	fhir_client_free(&fc);
}

Test(billing_claim, the_providers_npis_read_in_one_batch_and_never_another_records)
{
	struct bill_parties p;
	char *cause = NULL;
	cJSON *b = bill_parties_batch("Organization/clinic", "Practitioner/dr1"), *r;
	const cJSON *entries = cJSON_GetObjectItem(b, "entry");

	cr_assert_eq(cJSON_GetArraySize(entries), 2);
	cr_assert_str_eq(fhir_get_string(fhir_get_object(cJSON_GetArrayItem(entries, 0), "request"),
	                     "url"),
	    "Organization/clinic");
	cr_assert_str_eq(fhir_get_string(fhir_get_object(cJSON_GetArrayItem(entries, 1), "request"),
	                     "url"),
	    "Practitioner/dr1");
	cJSON_Delete(b);
	cr_assert_null(bill_parties_batch("Location/x", NULL), "a location bills nothing: nothing is read");

	r = parse("{\"entry\":[{\"response\":{\"status\":\"200 OK\"},\"resource\":{"
	          "\"resourceType\":\"Organization\",\"id\":\"clinic\",\"identifier\":[{\"system\":"
	          "\"http://hl7.org/fhir/sid/us-npi\",\"value\":\"1234567893\"}]}},"
	          "{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":"
	          "\"Practitioner\",\"id\":\"dr1\",\"identifier\":[{\"system\":"
	          "\"http://hl7.org/fhir/sid/us-npi\",\"value\":\"610\"}]}}]}");
	cr_assert_eq(bill_parties_result(r, "Organization/clinic", "Practitioner/dr1", &p, &cause), 0);
	cr_assert_str_eq(p.billing_npi, "1234567893");
	cr_assert_str_eq(p.rendering_npi, "610", "kept as written: the scrubber says it is not valid");
	cr_assert_eq(bill_parties_result(r, "Organization/clinic", "Practitioner/dr2", &p, &cause), -1);
	cr_assert_str_eq(cause, "the server answered with another record than the rendering provider");
	free(cause);
	cJSON_Delete(r);
	r = parse("{\"entry\":[{\"response\":{\"status\":\"404 Not Found\"}}]}");
	cr_assert_eq(bill_parties_result(r, NULL, "Practitioner/dr1", &p, &cause), -1);
	cr_assert_not_null(strstr(cause, "rendering provider"), "%s", cause);
	free(cause);
	cJSON_Delete(r);
}

Test(billing_fees, revalidated_by_a_count_of_what_changed_since_the_newest_read)
{
	struct bill_fees f;
	char *cause = NULL, *url;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	struct fhir_search *s;
	cJSON *set = parse(
	    "{\"resourceType\":\"Bundle\",\"entry\":["
	    "{\"resource\":{\"resourceType\":\"ChargeItemDefinition\",\"meta\":{\"lastUpdated\":"
	    "\"2026-01-05T10:00:00.123Z\"},\"status\":\"active\",\"code\":{\"coding\":[{\"system\":"
	    "\"http://www.ama-assn.org/go/cpt\",\"code\":\"99213\"}]}}},"
	    "{\"resource\":{\"resourceType\":\"ChargeItemDefinition\",\"meta\":{\"lastUpdated\":"
	    "\"9999-01-01T00:00:00Z\"},\"status\":\"active\",\"code\":{\"coding\":[{\"system\":"
	    "\"http://www.ama-assn.org/go/cpt\",\"code\":\"99214\"}]}}},"
	    "{\"resource\":{\"resourceType\":\"ChargeItemDefinition\",\"meta\":{\"lastUpdated\":"
	    "\"2026-01-02T10:00:00Z\"}}}]}");

	cr_assert_eq(bill_fees_read(set, &f, &cause), 0);
	cr_assert_str_eq(f.since, "2026-01-05T10:00:00.123Z",
	    "the newest instant read, not one dated in the far future, even of an unusable entry");
	s = bill_fees_check_search(&f, (time_t)1767607200); /* 2026-01-05T10:00:00Z */
	url = fhir_search_url(fc, s);
	cr_assert_str_eq(url,
	    "https://ehr.example/fhir/ChargeItemDefinition?_lastUpdated=gt2026-01-05T10%3A00%3A00.123Z"
	    "&_lastUpdated=le2026-01-05T10%3A05%3A00Z&_summary=count");
	free(url);
	fhir_search_free(&s);
	bill_fees_free(&f);
	cJSON_Delete(set);

	set = parse("{\"resourceType\":\"Bundle\",\"entry\":[]}");
	cr_assert_eq(bill_fees_read(set, &f, &cause), 0);
	cr_assert_null(bill_fees_check_search(&f, time(NULL)), "nothing dated: read it whole again");
	bill_fees_free(&f);
	cJSON_Delete(set);

	set = parse("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"total\":0}");
	cr_assert_eq(bill_fees_changes(set), 0);
	cJSON_Delete(set);
	set = parse("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"total\":2}");
	cr_assert_eq(bill_fees_changes(set), 2);
	cJSON_Delete(set);
	set = parse("{\"resourceType\":\"OperationOutcome\"}");
	cr_assert_eq(bill_fees_changes(set), -1);
	cJSON_Delete(set);
	fhir_client_free(&fc);
}

Test(billing_fees, revalidated_with_if_none_match_where_the_server_tags_its_answer)
{
	struct bill_fees f;
	char *cause = NULL, *tag = NULL, *text;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	cJSON *batch = bill_fees_revalidate_batch(fc, "102647b3bb1c63a8a094"), *r;
	const cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(batch, "entry"), 0);
	const cJSON *req = cJSON_GetObjectItem(e, "request");

	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(batch, "entry")), 1, "the search alone");
	cr_assert_str_eq(fhir_get_string(req, "method"), "GET");
	cr_assert_not_null(strstr(fhir_get_string(req, "url"), "ChargeItemDefinition?status=active"),
	    "%s", fhir_get_string(req, "url"));
	cr_assert_str_eq(fhir_get_string(req, "ifNoneMatch"), "W/\"102647b3bb1c63a8a094\"");
	cr_assert(fhir_bundle_reads_only(batch), "a read: sent as a GET where there is no batch");
	cJSON_Delete(batch);
	batch = bill_fees_revalidate_batch(fc, "a\"b\r\nX-Evil: 1");
	text = cJSON_PrintUnformatted(batch);
	cr_assert_null(strstr(text, "ifNoneMatch"), "a tag that is not a version is not sent: %s", text);
	free(text);
	cJSON_Delete(batch);

	/* 304: the schedule held stays. Both ways a 304 is written. */
	r = parse("{\"resourceType\":\"Bundle\",\"type\":\"batch-response\",\"entry\":[{\"response\":"
	          "{\"status\":\"304\",\"etag\":\"W/\\\"102647b3bb1c63a8a094\\\"\"}}]}");
	cr_assert_eq(bill_fees_revalidated(r, &f, &tag, &cause), 0);
	cr_assert_null(tag);
	cJSON_Delete(r);
	r = parse("{\"resourceType\":\"Bundle\",\"type\":\"batch-response\",\"entry\":[{\"response\":"
	          "{\"status\":\"304 Not Modified\"}}]}");
	cr_assert_eq(bill_fees_revalidated(r, &f, &tag, &cause), 0);
	cJSON_Delete(r);

	/* Changed: the schedule as it is now, and its new tag. */
	r = parse("{\"resourceType\":\"Bundle\",\"type\":\"batch-response\",\"entry\":[{\"response\":"
	          "{\"status\":\"200\",\"etag\":\"W/\\\"ffff\\\"\"},\"resource\":{\"resourceType\":"
	          "\"Bundle\",\"type\":\"searchset\",\"entry\":[{\"resource\":{\"resourceType\":"
	          "\"ChargeItemDefinition\",\"status\":\"active\",\"code\":{\"coding\":[{\"system\":"
	          "\"http://www.ama-assn.org/go/cpt\",\"code\":\"99406\"}]},\"propertyGroup\":[{"
	          "\"priceComponent\":[{\"type\":\"base\",\"amount\":{\"value\":18.25,\"currency\":"
	          "\"USD\"}}]}]}}]}}]}");
	cr_assert_eq(bill_fees_revalidated(r, &f, &tag, &cause), 1, "%s", cause ? cause : "");
	cr_assert_eq(f.n, 1);
	cr_assert_str_eq(f.v[0].code, "99406");
	cr_assert_eq(f.v[0].price.minor, 1825);
	cr_assert_str_eq(tag, "ffff");
	free(tag);
	bill_fees_free(&f);
	cJSON_Delete(r);

	/* A failed entry, or none: read it whole. */
	r = parse("{\"resourceType\":\"Bundle\",\"type\":\"batch-response\",\"entry\":[{\"response\":"
	          "{\"status\":\"500\"}}]}");
	cr_assert_eq(bill_fees_revalidated(r, &f, &tag, &cause), -1);
	cr_assert_not_null(cause);
	free(cause);
	cause = NULL;
	cJSON_Delete(r);
	r = parse("{\"resourceType\":\"Bundle\",\"type\":\"batch-response\"}");
	cr_assert_eq(bill_fees_revalidated(r, &f, &tag, &cause), -1);
	free(cause);
	cJSON_Delete(r);
	fhir_client_free(&fc);
}
