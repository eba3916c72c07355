/* Exact money: whole cents in an int64, parsed and printed digit by digit, never through a double.
 */
#include "config.h"

#include "util/money.h"
#include "util/xmalloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define MONEY_HINT "write an amount as 12.50, $1,234.56 or -3.10"

/* Longer than any amount a person types; such text is refused before it is read. */
#define MONEY_TEXT_MAX 48

/* Server text longer than this is not quoted back in a message. */
#define MONEY_QUOTE_MAX 32

static bool
money_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
money_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static char
money_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/*
 * Check CURRENCY (NULL: USD) and copy it to OUT. Currencies whose minor unit
 * is not a hundredth (ISO 4217) would be off by a factor of ten or a hundred
 * if kept as cents, so they are refused by name.
 */
static int
money_currency(const char *currency, char out[4], char **cause)
{
	// clang-format off
	static const char not_cents[][4] = {
		"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX",
		"UYI", "VND", "VUV", "XAF", "XOF", "XPF",	/* no minor unit */
		"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND",	/* thousandths */
		"CLF", "UYW",					/* ten-thousandths */
	};
	// clang-format on
	size_t i;

	if (currency == NULL)
		currency = MONEY_CURRENCY_DEFAULT;
	for (i = 0; i < 3; i++)
		if (currency[i] < 'A' || currency[i] > 'Z')
			break;
	if (i != 3 || currency[3] != '\0') {
		*cause = xstrdup("the currency is not a three-letter ISO 4217 code such as USD");
		return -1;
	}
	for (i = 0; i < sizeof not_cents / sizeof not_cents[0]; i++) {
		if (strcmp(currency, not_cents[i]) == 0) {
			*cause = xasprintf("amounts in %s cannot be kept: ehrterm only handles "
			                   "currencies with cents",
			    currency);
			return -1;
		}
	}
	memcpy(out, currency, 4);
	return 0;
}

/* *V = *V * 10 + DIGIT, false when that passes INT64_MAX. */
static bool
money_push_digit(int64_t *v, int digit)
{
	return !__builtin_mul_overflow(*v, 10, v) && !__builtin_add_overflow(*v, digit, v);
}

int
money_make(int64_t minor, const char *currency, struct money *out, char **cause)
{
	struct money m;

	if (money_currency(currency, m.currency, cause) != 0)
		return -1;
	if (minor == INT64_MIN) {
		*cause = xstrdup("that amount is too large");
		return -1;
	}
	m.minor = minor;
	*out = m;
	return 0;
}

int
money_parse(const char *text, const char *currency, struct money *out, char **cause)
{
	char buf[MONEY_TEXT_MAX + 1];
	const char *p, *group;
	size_t len, code_len;
	int64_t v = 0;
	int ndigits = 0, nfrac = 0, sign = 0;
	bool dollar = false, commas = false;
	struct money m;

	if (money_currency(currency, m.currency, cause) != 0)
		return -1;
	if (text == NULL)
		text = "";
	while (money_is_blank(*text))
		text++;
	len = strlen(text);
	while (len > 0 && money_is_blank(text[len - 1]))
		len--;
	if (len == 0) {
		*cause = xstrdup("empty amount; " MONEY_HINT);
		return -1;
	}
	if (len > MONEY_TEXT_MAX) {
		*cause = xstrdup("that is too long for an amount; " MONEY_HINT);
		return -1;
	}
	memcpy(buf, text, len);
	buf[len] = '\0';

	/* A trailing code, as money_format_currency writes for currencies other than USD. */
	code_len = len;
	if (len > 4 && money_is_blank(buf[len - 4])) {
		char *code = buf + len - 3;

		if (money_upper(code[0]) == m.currency[0] &&
		    money_upper(code[1]) == m.currency[1] &&
		    money_upper(code[2]) == m.currency[2]) {
			code_len = len - 4;
			while (code_len > 0 && money_is_blank(buf[code_len - 1]))
				code_len--;
			buf[code_len] = '\0';
		}
	}

	/* Nothing else can be part of an amount, and so messages may quote BUF. */
	if (buf[strspn(buf, "0123456789,.$+-")] != '\0')
		goto bad;

	/* Sign and '$' in either order: -$3.10 and $-3.10. */
	for (p = buf; *p == '-' || *p == '+' || *p == '$'; p++) {
		if (*p == '$') {
			if (dollar)
				goto bad;
			dollar = true;
		} else {
			if (sign != 0)
				goto bad;
			sign = *p == '-' ? -1 : 1;
		}
	}
	if (dollar && strcmp(m.currency, "USD") != 0) {
		*cause = xasprintf("$ is for US dollars, and this amount is in %s", m.currency);
		return -1;
	}

	/* Whole units, commas only between groups of three: "1,50" is not 150. */
	group = p;
	while (money_is_digit(*p) || *p == ',') {
		if (*p == ',') {
			if (p == group || (commas ? p - group != 3 : p - group > 3))
				goto commas;
			commas = true;
			group = p + 1;
		} else {
			if (!money_push_digit(&v, *p - '0'))
				goto too_large;
			ndigits++;
		}
		p++;
	}
	if (commas && p - group != 3)
		goto commas;
	if (*p == '.') {
		p++;
		while (money_is_digit(*p)) {
			if (++nfrac > 2) {
				*cause = xasprintf("%s has more than two decimal places; amounts "
				                   "are in whole cents",
				    buf);
				return -1;
			}
			if (!money_push_digit(&v, *p - '0'))
				goto too_large;
			ndigits++;
			p++;
		}
	}
	if (*p != '\0' || ndigits == 0)
		goto bad;
	for (; nfrac < 2; nfrac++)
		if (!money_push_digit(&v, 0))
			goto too_large;
	m.minor = sign < 0 ? -v : v;
	*out = m;
	return 0;

bad:
	*cause = xstrdup(MONEY_HINT);
	return -1;
commas:
	*cause = xasprintf(
	    "%s: commas go between thousands (1,234.56) and cents after a point (1.50)", buf);
	return -1;
too_large:
	*cause = xasprintf("%s is too large an amount", buf);
	return -1;
}

int
money_from_decimal(const char *text, const char *currency, struct money *out, char **cause)
{
	const char *p = text, *int_digits, *frac_digits = "";
	size_t nint, nfrac = 0, ndigits, keep, i;
	long long exp = 0, k;
	int64_t v = 0;
	bool neg = false, exp_neg = false;
	struct money m;

	if (money_currency(currency, m.currency, cause) != 0)
		return -1;
	if (text == NULL || *text == '\0') {
		*cause = xstrdup("the server sent an empty amount");
		return -1;
	}

	/* JSON's number grammar, which FHIR's decimal follows. */
	if (*p == '-')
		neg = true, p++;
	int_digits = p;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (money_is_digit(*p))
			p++;
	else
		goto bad;
	nint = (size_t)(p - int_digits);
	if (*p == '.') {
		frac_digits = ++p;
		while (money_is_digit(*p))
			p++;
		nfrac = (size_t)(p - frac_digits);
		if (nfrac == 0)
			goto bad;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			exp_neg = *p++ == '-';
		if (!money_is_digit(*p))
			goto bad;
		/* Saturate: past a billion the answer (zero or too large) no longer changes. */
		for (; money_is_digit(*p); p++)
			if (exp < 1000000000LL)
				exp = exp * 10 + (*p - '0');
		if (exp_neg)
			exp = -exp;
	}
	if (*p != '\0')
		goto bad;

	/*
	 * The digits D (integer then fraction) are worth D * 10^(exp - nfrac), so
	 * D * 10^k cents with k = exp - nfrac + 2. When k < 0 the last -k digits
	 * fall below a cent and must all be zero.
	 */
	ndigits = nint + nfrac;
	k = exp - (long long)nfrac + 2;
	keep = ndigits;
	if (k < 0) {
		keep = (unsigned long long)-k >= ndigits ? 0 : ndigits - (size_t)-k;
		for (i = keep; i < ndigits; i++) {
			char c = i < nint ? int_digits[i] : frac_digits[i - nint];

			if (c != '0')
				goto fraction;
		}
	}
	for (i = 0; i < keep; i++) {
		char c = i < nint ? int_digits[i] : frac_digits[i - nint];

		if (!money_push_digit(&v, c - '0'))
			goto too_large;
	}
	/* Zero stays zero however large k is; anything else overflows within 19 steps. */
	for (; k > 0 && v != 0; k--)
		if (!money_push_digit(&v, 0))
			goto too_large;
	m.minor = neg ? -v : v;
	*out = m;
	return 0;

bad:
	*cause = xstrdup("the server sent an amount that is not a decimal number");
	return -1;
fraction:
	if (strlen(text) <= MONEY_QUOTE_MAX)
		*cause = xasprintf(
		    "the server sent the amount %s, which is not a whole number of cents", text);
	else
		*cause = xstrdup("the server sent an amount that is not a whole number of cents");
	return -1;
too_large:
	*cause = xstrdup("the server sent an amount too large to keep");
	return -1;
}

/*
 * Write |M| as digits with two decimals, thousands separated by SEP ('\0' for
 * none), right-aligned ending at END; returns the first character written.
 */
static char *
money_digits(const struct money *m, char sep, char *end)
{
	/* Unsigned, so even an INT64_MIN that a caller forged has a magnitude. */
	uint64_t u = m->minor < 0 ? 0 - (uint64_t)m->minor : (uint64_t)m->minor;
	char *p = end;
	int n = 0;

	*--p = (char)('0' + u % 10), u /= 10;
	*--p = (char)('0' + u % 10), u /= 10;
	*--p = '.';
	do {
		if (n > 0 && n % 3 == 0 && sep != '\0')
			*--p = sep;
		*--p = (char)('0' + u % 10);
		u /= 10;
		n++;
	} while (u != 0);
	return p;
}

/* The three formats share one body: SEP between thousands, SYMBOL for the currency. */
static void
money_write(const struct money *m, char sep, bool symbol, char *buf, size_t size)
{
	char digits[MONEY_BUF_SIZE];
	char *p;

	if (size == 0)
		return;
	digits[sizeof digits - 1] = '\0';
	p = money_digits(m, sep, digits + sizeof digits - 1);
	if (symbol && strncmp(m->currency, "USD", 4) == 0)
		snprintf(buf, size, "%s$%s", m->minor < 0 ? "-" : "", p);
	else if (symbol)
		snprintf(buf, size, "%s%s %.3s", m->minor < 0 ? "-" : "", p, m->currency);
	else
		snprintf(buf, size, "%s%s", m->minor < 0 ? "-" : "", p);
}

void
money_to_decimal(const struct money *m, char *buf, size_t size)
{
	money_write(m, '\0', false, buf, size);
}

void
money_format(const struct money *m, char *buf, size_t size)
{
	money_write(m, ',', false, buf, size);
}

void
money_format_currency(const struct money *m, char *buf, size_t size)
{
	money_write(m, ',', true, buf, size);
}

/* Both amounts in one currency, or a message saying they are not. */
static int
money_same_currency(const struct money *a, const struct money *b, char **cause)
{
	if (memcmp(a->currency, b->currency, 3) != 0) {
		*cause =
		    xasprintf("cannot combine amounts in %.3s and %.3s", a->currency, b->currency);
		return -1;
	}
	return 0;
}

/* Store R in *OUT unless it is INT64_MIN, which struct money never holds. */
static int
money_result(const struct money *a, int64_t r, bool overflow, struct money *out, char **cause)
{
	struct money m;

	if (overflow || r == INT64_MIN) {
		*cause = xstrdup("the total is too large to keep");
		return -1;
	}
	/* Through a copy: OUT may be A. */
	memcpy(m.currency, a->currency, sizeof m.currency);
	m.minor = r;
	*out = m;
	return 0;
}

int
money_add(const struct money *a, const struct money *b, struct money *out, char **cause)
{
	int64_t r;
	bool overflow;

	if (money_same_currency(a, b, cause) != 0)
		return -1;
	overflow = __builtin_add_overflow(a->minor, b->minor, &r);
	return money_result(a, r, overflow, out, cause);
}

int
money_sub(const struct money *a, const struct money *b, struct money *out, char **cause)
{
	int64_t r;
	bool overflow;

	if (money_same_currency(a, b, cause) != 0)
		return -1;
	overflow = __builtin_sub_overflow(a->minor, b->minor, &r);
	return money_result(a, r, overflow, out, cause);
}

int
money_mul(const struct money *a, int64_t quantity, struct money *out, char **cause)
{
	int64_t r;
	bool overflow;

	overflow = __builtin_mul_overflow(a->minor, quantity, &r);
	return money_result(a, r, overflow, out, cause);
}
