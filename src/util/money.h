/* Money as exact whole cents: parsing what clerks type, FHIR decimals, checked arithmetic. */
#ifndef EHRTERM_UTIL_MONEY_H
#define EHRTERM_UTIL_MONEY_H

#include <stddef.h>
#include <stdint.h>

/*
 * No binary floating point touches an amount: 0.10 + 0.20 is 0.30 here. An
 * amount is a count of minor units (cents) and an ISO 4217 currency code.
 * Only currencies with two decimal places are taken (USD, EUR, CAD, ...); a
 * yen or dinar amount is refused rather than scaled wrongly.
 */

#define MONEY_CURRENCY_DEFAULT "USD"

/* Enough room for any string the money_format* and money_to_decimal functions write. */
#define MONEY_BUF_SIZE 48

struct money {
	/* Cents, within -INT64_MAX..INT64_MAX: never INT64_MIN, so it can always be negated. */
	int64_t minor;
	char currency[4]; /* "USD": three upper-case letters and a NUL */
};

/*
 * Parse an amount as a clerk types it: 12, 12.5, 12.50, .50, $1,234.56, -3.10,
 * -$3.10; commas only between groups of three digits, at most two decimals,
 * no exponents. Blanks around the text are ignored, and a trailing currency
 * code equal to CURRENCY ("12.50 EUR") is taken. CURRENCY NULL means USD;
 * '$' is only taken for USD. Returns 0 with *out set, or -1 with *cause set
 * to a sentence the caller frees and *out untouched.
 */
int money_parse(const char *text, const char *currency, struct money *out, char **cause);

/*
 * Parse a FHIR Money.value (a JSON decimal: "100.00", "100", "-3.1", "1e2",
 * "1.5E+1") into exact cents. Exponents are worked out exactly; a value that
 * is not a whole number of cents ("100.005") or does not fit is refused, never
 * rounded. CURRENCY is Money.currency (NULL means USD). Returns 0 or -1 with
 * *cause, as money_parse.
 *
 * cJSON keeps a number only as a double: to get here exactly, print valuedouble as
 * the shortest decimal that strtod reads back as the same double (bill_money_read in
 * src/fhir/billing.c does). That is the text the server sent, so 112.41600000000001
 * stays that and is refused, where a fixed "%.15g" would round it to 112.416 and let
 * an amount the server never sent through.
 */
int money_from_decimal(const char *text, const char *currency, struct money *out, char **cause);

/* "-1234.56", a JSON number for Money.value (hand it to cJSON_CreateRaw). */
void money_to_decimal(const struct money *m, char *buf, size_t size);

/* "-1,234.56": thousands separators and two decimals; money_parse reads it back. */
void money_format(const struct money *m, char *buf, size_t size);

/* "-$1,234.56" for USD, "-1,234.56 EUR" for others; money_parse reads it back. */
void money_format_currency(const struct money *m, char *buf, size_t size);

/* *OUT = MINOR cents of CURRENCY (NULL: USD); -1 with *cause for INT64_MIN or a bad currency. */
int money_make(int64_t minor, const char *currency, struct money *out, char **cause);

/*
 * *out = a + b, a - b, or a times QUANTITY (a charge for 3 units). Amounts
 * must share a currency. Returns 0, or -1 with *cause on overflow or a
 * currency mismatch and *out untouched. OUT may be A or B.
 */
int money_add(const struct money *a, const struct money *b, struct money *out, char **cause);
int money_sub(const struct money *a, const struct money *b, struct money *out, char **cause);
int money_mul(const struct money *a, int64_t quantity, struct money *out, char **cause);

#endif
