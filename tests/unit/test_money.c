/* Unit tests for exact money: clerk input, FHIR decimals, formats and checked arithmetic. */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/money.h"

#define HINT "write an amount as 12.50, $1,234.56 or -3.10"

/* An amount no parser result can be, to see that failures leave the output alone. */
static const struct money untouched = {4242, "XXX"};

static struct money
usd(int64_t minor)
{
	struct money m = {minor, "USD"};

	return m;
}

static void
assert_untouched(const struct money *m)
{
	cr_assert(m->minor == 4242 && strcmp(m->currency, "XXX") == 0,
	    "a refused call must not touch the result");
}

static void
assert_printable(const char *msg)
{
	for (const char *p = msg; *p != '\0'; p++)
		cr_assert((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7F,
		    "byte 0x%02x in message \"%s\"", (unsigned char)*p, msg);
}

/* --- NULL and empty first ---------------------------------------------------- */

Test(money, null_empty_and_blank_are_refused)
{
	static const char *const inputs[] = {NULL, "", " ", " \t "};
	struct money m = untouched;

	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		char *cause = NULL;

		cr_assert_eq(money_parse(inputs[i], NULL, &m, &cause), -1);
		cr_assert_not_null(strstr(cause, "empty amount"), "%s", cause);
		free(cause);
		cause = NULL;
		cr_assert_eq(money_from_decimal(inputs[i], NULL, &m, &cause), -1);
		cr_assert_not_null(cause);
		free(cause);
	}
	assert_untouched(&m);
}

Test(money, currencies_are_checked)
{
	struct money m = untouched;
	char *cause = NULL;

	static const char *const bad[] = {"usd", "US", "USDX", "U$D", ""};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cr_assert_eq(money_parse("5", bad[i], &m, &cause), -1, "'%s'", bad[i]);
		cr_assert_not_null(strstr(cause, "ISO 4217"), "%s", cause);
		free(cause);
		cause = NULL;
	}
	static const char *const not_cents[] = {"JPY", "KRW", "BHD", "KWD", "CLF"};
	for (size_t i = 0; i < sizeof not_cents / sizeof not_cents[0]; i++) {
		cr_assert_eq(money_parse("5", not_cents[i], &m, &cause), -1, "%s", not_cents[i]);
		cr_assert_not_null(strstr(cause, not_cents[i]), "%s", cause);
		free(cause);
		cause = NULL;
		cr_assert_eq(money_from_decimal("5", not_cents[i], &m, &cause), -1);
		free(cause);
		cause = NULL;
	}
	assert_untouched(&m);
	cr_assert_eq(money_parse("5", NULL, &m, &cause), 0);
	cr_assert_str_eq(m.currency, "USD", "NULL is US dollars");
	cr_assert_eq(money_parse("5", "EUR", &m, &cause), 0);
	cr_assert_str_eq(m.currency, "EUR");
	cr_assert_eq(m.minor, 500);
}

Test(money, make)
{
	struct money m = untouched;
	char *cause = NULL;

	cr_assert_eq(money_make(INT64_MIN, NULL, &m, &cause), -1);
	free(cause);
	cause = NULL;
	cr_assert_eq(money_make(5, "yen", &m, &cause), -1);
	free(cause);
	cause = NULL;
	assert_untouched(&m);
	cr_assert_eq(money_make(-INT64_MAX, "CAD", &m, &cause), 0);
	cr_assert_eq(m.minor, -INT64_MAX);
	cr_assert_str_eq(m.currency, "CAD");
}

/* --- what clerks type -------------------------------------------------------- */

struct good_case {
	char text[48];
	int64_t minor;
};

ParameterizedTestParameters(money, accepted)
{
	// clang-format off
	static struct good_case cases[] = {
		{ "12", 1200 },
		{ "12.5", 1250 },
		{ "12.50", 1250 },
		{ "12.", 1200 },
		{ ".5", 50 },
		{ ".05", 5 },
		{ "0.05", 5 },
		{ "0", 0 },
		{ "-0", 0 },
		{ "-0.00", 0 },
		{ "007", 700 },
		{ "+4", 400 },
		{ "-3.10", -310 },
		{ "-$3.10", -310 },
		{ "$-3.10", -310 },
		{ "+$3.10", 310 },
		{ "$1,234.56", 123456 },
		{ "1,234", 123400 },
		{ "1,234.", 123400 },
		{ "1,234,567.89", 123456789 },
		{ "999", 99900 },
		{ "  7.00\t", 700 },
		{ "12.50 USD", 1250 },
		{ "12.50 usd", 1250 },
		{ "$0.01", 1 },
		{ "92233720368547758.07", INT64_MAX },
		{ "92,233,720,368,547,758.07", INT64_MAX },
		{ "-92233720368547758.07", -INT64_MAX },
	};
	// clang-format on
	return cr_make_param_array(struct good_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct good_case *c, money, accepted)
{
	struct money m = untouched;
	char *cause = NULL;

	cr_assert_eq(money_parse(c->text, NULL, &m, &cause), 0, "'%s' refused: %s", c->text,
	    cause ? cause : "");
	cr_assert_eq(m.minor, c->minor, "'%s' gave %lld", c->text, (long long)m.minor);
	cr_assert_str_eq(m.currency, "USD");
}

struct bad_case {
	char text[48];
	char needle[64];
};

ParameterizedTestParameters(money, refused)
{
	// clang-format off
	static struct bad_case cases[] = {
		{ "1.234", "more than two decimal places" },
		{ "1.230", "more than two decimal places" },
		{ "$0.001", "more than two decimal places" },
		{ "1e3", HINT },
		{ "1E3", HINT },
		{ "1.5e2", HINT },
		{ "NaN", HINT },
		{ "nan", HINT },
		{ "inf", HINT },
		{ "-Infinity", HINT },
		{ "0x10", HINT },
		{ "$", HINT },
		{ "-", HINT },
		{ ".", HINT },
		{ "$.", HINT },
		{ "--5", HINT },
		{ "+-5", HINT },
		{ "$$5", HINT },
		{ "-$-5", HINT },
		{ "5$", HINT },
		{ "5-", HINT },
		{ "1.2.3", HINT },
		{ "1 234", HINT },
		{ "12.50 EUR", HINT },
		{ "12.50EUR", HINT },
		{ "\342\202\2545", HINT },
		{ "\xd9\xa1\xd9\xa2", HINT },
		{ "5\x1b[2J", HINT },
		{ "(5.00)", HINT },
		{ "1,50", "commas go between thousands" },
		{ "12,34", "commas go between thousands" },
		{ "1,2345", "commas go between thousands" },
		{ ",123", "commas go between thousands" },
		{ "1,,234", "commas go between thousands" },
		{ "1234,567", "commas go between thousands" },
		{ "1,234,56", "commas go between thousands" },
		{ "92233720368547758.08", "too large" },
		{ "-92233720368547758.08", "too large" },
		{ "99999999999999999999", "too large" },
		{ "100000000000000000", "too large" },
	};
	// clang-format on
	return cr_make_param_array(struct bad_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct bad_case *c, money, refused)
{
	struct money m = untouched;
	char *cause = NULL;

	cr_assert_eq(money_parse(c->text, NULL, &m, &cause), -1, "'%s' accepted as %lld", c->text,
	    (long long)m.minor);
	cr_assert_not_null(
	    strstr(cause, c->needle), "'%s': \"%s\" lacks \"%s\"", c->text, cause, c->needle);
	assert_printable(cause);
	assert_untouched(&m);
	free(cause);
}

Test(money, dollar_sign_is_only_for_dollars)
{
	struct money m = untouched;
	char *cause = NULL;

	cr_assert_eq(money_parse("$5", "EUR", &m, &cause), -1);
	cr_assert_str_eq(cause, "$ is for US dollars, and this amount is in EUR");
	free(cause);
	cause = NULL;
	cr_assert_eq(money_parse("1,234.56 EUR", "EUR", &m, &cause), 0);
	cr_assert_eq(m.minor, 123456);
	cr_assert_str_eq(m.currency, "EUR");
}

Test(money, every_single_byte)
{
	for (int b = 1; b < 256; b++) {
		char text[2] = {(char)b, '\0'};
		struct money m = untouched;
		char *cause = NULL;
		int rc = money_parse(text, NULL, &m, &cause);

		if (b >= '0' && b <= '9') {
			cr_assert_eq(rc, 0, "byte 0x%02x", b);
			cr_assert_eq(m.minor, (b - '0') * 100);
		} else {
			cr_assert_eq(rc, -1, "byte 0x%02x accepted", b);
			assert_printable(cause);
			free(cause);
		}
	}
}

Test(money, a_megabyte_is_refused)
{
	static const char fill[] = {'1', '0', ',', '$', '\xff', ' '};
	size_t n = 1 << 20;
	char *big = malloc(n + 1);

	cr_assert_not_null(big);
	for (size_t f = 0; f < sizeof fill; f++) {
		struct money m = untouched;
		char *cause = NULL;

		memset(big, fill[f], n);
		big[n] = '\0';
		cr_assert_eq(money_parse(big, NULL, &m, &cause), -1, "fill '%c'", fill[f]);
		cr_assert_lt(strlen(cause), 200u);
		assert_printable(cause);
		free(cause);
		assert_untouched(&m);
	}
	/* An amount among a megabyte of blanks is still an amount. */
	memset(big, ' ', n);
	memcpy(big + n / 2, "$1.50", 5);
	{
		struct money m = untouched;
		char *cause = NULL;

		cr_assert_eq(money_parse(big, NULL, &m, &cause), 0, "%s", cause ? cause : "");
		cr_assert_eq(m.minor, 150);
	}
	free(big);
}

/* --- formats ---------------------------------------------------------------- */

struct format_case {
	int64_t minor;
	char plain[48];
	char symbol[48];
	char decimal[48];
};

ParameterizedTestParameters(money, formats)
{
	// clang-format off
	static struct format_case cases[] = {
		{ 0, "0.00", "$0.00", "0.00" },
		{ 5, "0.05", "$0.05", "0.05" },
		{ -5, "-0.05", "-$0.05", "-0.05" },
		{ 50, "0.50", "$0.50", "0.50" },
		{ 100, "1.00", "$1.00", "1.00" },
		{ -310, "-3.10", "-$3.10", "-3.10" },
		{ 99999, "999.99", "$999.99", "999.99" },
		{ 100000, "1,000.00", "$1,000.00", "1000.00" },
		{ 123456, "1,234.56", "$1,234.56", "1234.56" },
		{ 12345678, "123,456.78", "$123,456.78", "123456.78" },
		{ 123456789, "1,234,567.89", "$1,234,567.89", "1234567.89" },
		{ -100000000, "-1,000,000.00", "-$1,000,000.00", "-1000000.00" },
		{ INT64_MAX, "92,233,720,368,547,758.07", "$92,233,720,368,547,758.07",
		    "92233720368547758.07" },
		{ -INT64_MAX, "-92,233,720,368,547,758.07", "-$92,233,720,368,547,758.07",
		    "-92233720368547758.07" },
	};
	// clang-format on
	return cr_make_param_array(struct format_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct format_case *c, money, formats)
{
	struct money m = usd(c->minor);
	char buf[MONEY_BUF_SIZE];

	money_format(&m, buf, sizeof buf);
	cr_assert_str_eq(buf, c->plain);
	money_format_currency(&m, buf, sizeof buf);
	cr_assert_str_eq(buf, c->symbol);
	money_to_decimal(&m, buf, sizeof buf);
	cr_assert_str_eq(buf, c->decimal);
}

Test(money, other_currencies_show_their_code)
{
	struct money m = {-123456, "EUR"};
	char buf[MONEY_BUF_SIZE];

	money_format_currency(&m, buf, sizeof buf);
	cr_assert_str_eq(buf, "-1,234.56 EUR");
	money_format(&m, buf, sizeof buf);
	cr_assert_str_eq(buf, "-1,234.56");
}

Test(money, formats_respect_small_buffers)
{
	struct money m = usd(123456);
	struct money forged = {INT64_MIN, "USD"};
	char buf[8] = "xxxxxxx";

	money_format(&m, buf, 4);
	cr_assert_str_eq(buf, "1,2");
	money_format(&m, buf, 0);
	cr_assert_str_eq(buf, "1,2", "size 0 writes nothing");
	money_to_decimal(&m, buf, 1);
	cr_assert_str_eq(buf, "");
	/* A struct that breaks the rule still prints, without overflow. */
	{
		char big[MONEY_BUF_SIZE];

		money_format(&forged, big, sizeof big);
		cr_assert_str_eq(big, "-92,233,720,368,547,758.08");
	}
}

/* format(parse(x)) is x once x is in the format's own form, and parse(format(m)) is m. */
Test(money, round_trips)
{
	static const char *const texts[] = {
	    "12", "12.5", "$1,234.56", "-3.10", "0.1", "1234567", "-$0.05", "92233720368547758.07"};
	static const char *const formatted[] = {"$12.00", "$12.50", "$1,234.56", "-$3.10", "$0.10",
	    "$1,234,567.00", "-$0.05", "$92,233,720,368,547,758.07"};
	char buf[MONEY_BUF_SIZE], again[MONEY_BUF_SIZE];

	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		struct money m, back;
		char *cause = NULL;

		cr_assert_eq(money_parse(texts[i], NULL, &m, &cause), 0, "%s", texts[i]);
		money_format_currency(&m, buf, sizeof buf);
		cr_assert_str_eq(buf, formatted[i]);
		cr_assert_eq(money_parse(buf, NULL, &back, &cause), 0, "%s", buf);
		money_format_currency(&back, again, sizeof again);
		cr_assert_str_eq(again, buf, "format(parse(x)) is stable");
	}
	for (int64_t v = -2000000; v <= 2000000; v += 997) {
		int64_t values[] = {v, v * 1000003, INT64_MAX - (v < 0 ? -v : v)};

		for (size_t k = 0; k < sizeof values / sizeof values[0]; k++) {
			struct money m = usd(values[k]), back = untouched;
			char *cause = NULL;

			money_format(&m, buf, sizeof buf);
			cr_assert_eq(money_parse(buf, NULL, &back, &cause), 0, "%s: %s", buf,
			    cause ? cause : "");
			cr_assert_eq(back.minor, m.minor, "%s", buf);
			money_format_currency(&m, buf, sizeof buf);
			cr_assert_eq(money_parse(buf, NULL, &back, &cause), 0, "%s", buf);
			cr_assert_eq(back.minor, m.minor, "%s", buf);
			money_to_decimal(&m, buf, sizeof buf);
			cr_assert_eq(money_from_decimal(buf, NULL, &back, &cause), 0, "%s", buf);
			cr_assert_eq(back.minor, m.minor, "%s", buf);
		}
	}
}

/* --- arithmetic ------------------------------------------------------------ */

Test(money, a_tenth_and_a_fifth_make_thirty_cents)
{
	struct money a, b, sum;
	char *cause = NULL;
	char buf[MONEY_BUF_SIZE];

	cr_assert_eq(money_parse("0.1", NULL, &a, &cause), 0);
	cr_assert_eq(money_parse("0.2", NULL, &b, &cause), 0);
	cr_assert_eq(money_add(&a, &b, &sum, &cause), 0);
	cr_assert_eq(sum.minor, 30);
	money_format(&sum, buf, sizeof buf);
	cr_assert_str_eq(buf, "0.30");
	/* Ten dimes are a dollar, which a double does not manage. */
	sum = usd(0);
	for (int i = 0; i < 10; i++)
		cr_assert_eq(money_add(&sum, &a, &sum, &cause), 0);
	cr_assert_eq(sum.minor, 100);
}

Test(money, add_sub_mul)
{
	struct money a = usd(1999), b = usd(-500), r = untouched;
	char *cause = NULL;

	cr_assert_eq(money_add(&a, &b, &r, &cause), 0);
	cr_assert_eq(r.minor, 1499);
	cr_assert_str_eq(r.currency, "USD");
	cr_assert_eq(money_sub(&a, &b, &r, &cause), 0);
	cr_assert_eq(r.minor, 2499);
	cr_assert_eq(money_sub(&b, &a, &r, &cause), 0);
	cr_assert_eq(r.minor, -2499);
	cr_assert_eq(money_mul(&a, 3, &r, &cause), 0);
	cr_assert_eq(r.minor, 5997);
	cr_assert_eq(money_mul(&a, 0, &r, &cause), 0);
	cr_assert_eq(r.minor, 0);
	cr_assert_eq(money_mul(&a, -2, &r, &cause), 0);
	cr_assert_eq(r.minor, -3998);
	/* OUT may be an input. */
	cr_assert_eq(money_add(&a, &a, &a, &cause), 0);
	cr_assert_eq(a.minor, 3998);
	cr_assert_eq(money_mul(&a, 2, &a, &cause), 0);
	cr_assert_eq(a.minor, 7996);
	cr_assert_null(cause, "nothing failed, so no message");
}

Test(money, overflow_and_mixed_currencies_are_refused)
{
	struct money max = usd(INT64_MAX), min = usd(-INT64_MAX), one = usd(1), r = untouched;
	struct money euro = {100, "EUR"};
	char *cause = NULL;

	cr_assert_eq(money_add(&max, &one, &r, &cause), -1);
	cr_assert_not_null(strstr(cause, "too large"), "%s", cause);
	free(cause);
	cause = NULL;
	cr_assert_eq(money_sub(&min, &one, &r, &cause), -1, "INT64_MIN is never an amount");
	free(cause);
	cause = NULL;
	cr_assert_eq(money_sub(&min, &max, &r, &cause), -1);
	free(cause);
	cause = NULL;
	cr_assert_eq(money_mul(&max, 2, &r, &cause), -1);
	free(cause);
	cause = NULL;
	cr_assert_eq(money_mul(&max, -1, &r, &cause), 0, "-INT64_MAX is fine");
	cr_assert_eq(r.minor, -INT64_MAX);
	r = untouched;
	cr_assert_eq(money_mul(&one, INT64_MIN, &r, &cause), -1);
	free(cause);
	cause = NULL;
	cr_assert_eq(money_add(&one, &euro, &r, &cause), -1);
	cr_assert_str_eq(cause, "cannot combine amounts in USD and EUR");
	free(cause);
	cause = NULL;
	cr_assert_eq(money_sub(&euro, &one, &r, &cause), -1);
	free(cause);
	assert_untouched(&r);
	cr_assert_eq(money_add(&max, &min, &r, &cause), 0);
	cr_assert_eq(r.minor, 0);
}

/* --- FHIR decimals ------------------------------------------------------------ */

ParameterizedTestParameters(money, decimal_accepted)
{
	// clang-format off
	static struct good_case cases[] = {
		{ "100.00", 10000 },
		{ "100", 10000 },
		{ "100.0", 10000 },
		{ "100.000", 10000 },
		{ "100.0000000000000000000000000000", 10000 },
		{ "1e2", 10000 },
		{ "1E2", 10000 },
		{ "1e+2", 10000 },
		{ "1.5e1", 1500 },
		{ "0.1e1", 100 },
		{ "1e-2", 1 },
		{ "10e-3", 1 },
		{ "12345e-2", 12345 },
		{ "0.01", 1 },
		{ "-3.1", -310 },
		{ "-0", 0 },
		{ "0", 0 },
		{ "0.0e0", 0 },
		{ "0e999999999999", 0 },
		{ "0e-999999999999", 0 },
		{ "0.000000001e7", 1 },
		{ "92233720368547758.07", INT64_MAX },
		{ "9223372036854775807e-2", INT64_MAX },
		{ "-92233720368547758.07", -INT64_MAX },
		{ "9.223372036854775807e16", INT64_MAX },
	};
	// clang-format on
	return cr_make_param_array(struct good_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct good_case *c, money, decimal_accepted)
{
	struct money m = untouched;
	char *cause = NULL;

	cr_assert_eq(money_from_decimal(c->text, NULL, &m, &cause), 0, "'%s' refused: %s", c->text,
	    cause ? cause : "");
	cr_assert_eq(m.minor, c->minor, "'%s' gave %lld", c->text, (long long)m.minor);
	cr_assert_str_eq(m.currency, "USD");
}

ParameterizedTestParameters(money, decimal_refused)
{
	// clang-format off
	static struct bad_case cases[] = {
		{ "100.005", "the amount 100.005, which is not a whole number of cents" },
		{ "0.001", "not a whole number of cents" },
		{ "1e-3", "not a whole number of cents" },
		{ "1.5e-2", "not a whole number of cents" },
		{ "1e-999999999999", "not a whole number of cents" },
		{ "1e400", "too large" },
		{ "1e17", "too large" },
		{ "1e999999999999999999999", "too large" },
		{ "92233720368547758.08", "too large" },
		{ "-92233720368547758.08", "too large" },
		{ "+1", "not a decimal number" },
		{ "01", "not a decimal number" },
		{ "-01", "not a decimal number" },
		{ ".5", "not a decimal number" },
		{ "5.", "not a decimal number" },
		{ "1e", "not a decimal number" },
		{ "1e+", "not a decimal number" },
		{ "1e2.5", "not a decimal number" },
		{ "NaN", "not a decimal number" },
		{ "Infinity", "not a decimal number" },
		{ "-", "not a decimal number" },
		{ "--1", "not a decimal number" },
		{ " 1", "not a decimal number" },
		{ "1 ", "not a decimal number" },
		{ "0x1", "not a decimal number" },
		{ "1,000", "not a decimal number" },
		{ "$1", "not a decimal number" },
		{ "1.5.5", "not a decimal number" },
		{ "\342\210\2221", "not a decimal number" },
		{ "\"1.00\"", "not a decimal number" },
		{ "1\x1b[2J", "not a decimal number" },
	};
	// clang-format on
	return cr_make_param_array(struct bad_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct bad_case *c, money, decimal_refused)
{
	struct money m = untouched;
	char *cause = NULL;

	cr_assert_eq(money_from_decimal(c->text, NULL, &m, &cause), -1, "'%s' accepted as %lld",
	    c->text, (long long)m.minor);
	cr_assert_not_null(
	    strstr(cause, c->needle), "'%s': \"%s\" lacks \"%s\"", c->text, cause, c->needle);
	assert_printable(cause);
	assert_untouched(&m);
	free(cause);
}

Test(money, decimal_megabytes)
{
	size_t n = 1 << 20;
	char *big = malloc(n + 4);
	struct money m = untouched;
	char *cause = NULL;

	cr_assert_not_null(big);
	/* A one and a megabyte of zeros: too large, found without a megabyte of work per digit. */
	memset(big, '0', n);
	big[0] = '1';
	big[n] = '\0';
	cr_assert_eq(money_from_decimal(big, NULL, &m, &cause), -1);
	cr_assert_not_null(strstr(cause, "too large"));
	free(cause);
	cause = NULL;
	/* 0.000...0001: not whole cents, and not quoted. */
	memset(big, '0', n);
	big[1] = '.';
	big[n - 1] = '1';
	cr_assert_eq(money_from_decimal(big, NULL, &m, &cause), -1);
	cr_assert_str_eq(cause, "the server sent an amount that is not a whole number of cents");
	free(cause);
	cause = NULL;
	assert_untouched(&m);
	/* 0.000...000 and 1.000...000 are exact. */
	big[n - 1] = '0';
	cr_assert_eq(money_from_decimal(big, NULL, &m, &cause), 0);
	cr_assert_eq(m.minor, 0);
	big[0] = '1';
	cr_assert_eq(money_from_decimal(big, NULL, &m, &cause), 0);
	cr_assert_eq(m.minor, 100);
	/* The same with an exponent that brings the digits back: 1000...0e-(n-1) is 1. */
	memset(big, '0', n);
	big[0] = '1';
	snprintf(big + n - 8, 12, "e-%d", (int)(n - 9));
	cr_assert_eq(money_from_decimal(big, NULL, &m, &cause), 0, "%s", cause ? cause : "");
	cr_assert_eq(m.minor, 100);
	free(big);
}

Test(money, decimal_takes_the_currency)
{
	struct money m = untouched;
	char *cause = NULL;

	cr_assert_eq(money_from_decimal("1.50", "CAD", &m, &cause), 0);
	cr_assert_eq(m.minor, 150);
	cr_assert_str_eq(m.currency, "CAD");
}
