/* Parsing, checking and showing the values of typed form fields, one function per type. */
#include "config.h"

#include "ui/field.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Choices named in one message; a longer list would not fit on the message line. */
#define FIELD_LIST_MAX 6

/* E.164: a full international number has at most 15 digits; below 7 it is no number. */
#define FIELD_PHONE_MIN 7
#define FIELD_PHONE_MAX 15

#define FIELD_PHONE_HINT "write it as (555) 010-1234 or +1 555 010 1234"
#define FIELD_EMAIL_HINT "write it as name@example.com"

static const char *
field_label(const struct field_def *def)
{
	return def->label != NULL && def->label[0] != '\0' ? def->label : "This field";
}

/* Blanks a clerk or a paste leaves around a value; ASCII only, whatever the locale. */
static bool
field_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool
field_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
field_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char
field_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* ASCII case-insensitive: does S start with the N bytes of PREFIX? */
static bool
field_starts_with(const char *s, const char *prefix, size_t n)
{
	size_t i;

	if (s == NULL)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] == '\0' || field_lower(s[i]) != field_lower(prefix[i]))
			return false;
	return true;
}

static bool
field_equal_nocase(const char *a, const char *b)
{
	size_t n = strlen(b);

	return field_starts_with(a, b, n) && a[n] == '\0';
}

/* Hand MSG (owned) to the caller with a capital first letter, as a sentence on screen has. */
static int
field_fail(char **message, char *msg)
{
	if (msg[0] >= 'a' && msg[0] <= 'z')
		msg[0] = (char)(msg[0] - 'a' + 'A');
	*message = msg;
	return -1;
}

static int
field_parse_text(
    const struct field_def *def, const char *text, struct field_value *v, char **message)
{
	size_t max = def->max_chars != 0 ? def->max_chars : FIELD_TEXT_MAX;
	size_t len = strlen(text), i = 0, j = 0, chars = 0;
	char *clean = xmalloc(len + 1);
	const char *why = NULL;
	uint32_t cp;
	size_t n;

	while (i < len) {
		n = utf8_decode(text + i, len - i, &cp);
		if (n == 0)
			why = "has bytes that are not UTF-8 text; retype it";
		else if (cp == '\t')
			cp = ' ';
		else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
			why = "has a control character in it; retype it";
		else if (utf8_is_bidi(cp) || cp == 0x200E || cp == 0x200F)
			why = "has an invisible character that changes the text's direction; "
			      "retype it";
		else if (utf8_is_invisible(cp)) {
			/* Named as safe_text shows it: the clerk cannot see which one it is. */
			free(clean);
			return field_fail(message,
			    xasprintf("%s has an invisible character (U+%04X) in it; retype it",
			        field_label(def), (unsigned int)cp));
		}
		if (why != NULL) {
			free(clean);
			return field_fail(message, xasprintf("%s %s", field_label(def), why));
		}
		if (cp == ' ')
			clean[j++] = ' ';
		else
			memcpy(clean + j, text + i, n), j += n;
		i += n;
		chars++;
	}
	clean[j] = '\0';
	if (chars > max) {
		free(clean);
		return field_fail(
		    message, xasprintf("%s is longer than %zu characters (it has %zu)",
		                 field_label(def), max, chars));
	}
	if (def->pattern != NULL) {
		/* Anchored here, so a pattern's author cannot forget to match the whole text. */
		char *anchored = xasprintf("^(%s)$", def->pattern);
		regex_t re;
		int rc = regcomp(&re, anchored, REG_EXTENDED | REG_NOSUB);

		free(anchored);
		if (rc == 0) {
			rc = regexec(&re, clean, 0, NULL, 0) == 0 ? 0 : 1;
			regfree(&re);
		} else
			rc = -1;
		if (rc != 0) {
			free(clean);
			if (rc < 0)
				return field_fail(message,
				    xasprintf("%s cannot be checked: its pattern is broken",
				        field_label(def)));
			if (def->pattern_hint != NULL)
				return field_fail(
				    message, xasprintf("%s must be %s", field_label(def),
				                 def->pattern_hint));
			return field_fail(
			    message, xasprintf("%s is not in the form it needs", field_label(def)));
		}
	}
	if (def->check != NULL && clean[strspn(clean, " ")] != '\0') {
		char *refusal = def->check(def, clean);

		if (refusal != NULL) {
			free(clean);
			return field_fail(message, refusal);
		}
	}
	v->text = clean;
	return 0;
}

static int
field_parse_phone(
    const struct field_def *def, const char *text, struct field_value *v, char **message)
{
	char digits[FIELD_PHONE_MAX + 1];
	size_t nd = 0, i;
	bool plus = false, open = false, closed = false;

	for (i = 0; text[i] != '\0'; i++) {
		char c = text[i];

		if (field_is_digit(c)) {
			if (nd < FIELD_PHONE_MAX)
				digits[nd] = c;
			nd++;
		} else if (c == '+' && i == 0) {
			plus = true;
		} else if (c == '(' && !open && !closed) {
			open = true;
		} else if (c == ')' && open) {
			open = false, closed = true;
		} else if (field_is_alpha(c)) {
			return field_fail(message, xasprintf("%s takes digits, not letters; %s",
			                               field_label(def), FIELD_PHONE_HINT));
		} else if (c != ' ' && c != '-' && c != '.') {
			return field_fail(message, xasprintf("%s is not a phone number; %s",
			                               field_label(def), FIELD_PHONE_HINT));
		}
	}
	if (open)
		return field_fail(message,
		    xasprintf("%s has a ( without its ); %s", field_label(def), FIELD_PHONE_HINT));
	if (nd < FIELD_PHONE_MIN || nd > FIELD_PHONE_MAX)
		return field_fail(
		    message, xasprintf("%s has %zu digits; a phone number has %d to %d",
		                 field_label(def), nd, FIELD_PHONE_MIN, FIELD_PHONE_MAX));
	if (plus && digits[0] == '0')
		return field_fail(message,
		    xasprintf("%s: after + comes the country code, which never starts with 0",
		        field_label(def)));
	v->text = xasprintf("%s%.*s", plus ? "+" : "", (int)nd, digits);
	return 0;
}

/* A domain as mail uses it: dot-separated labels of letters, digits and inner hyphens. */
static bool
field_domain_ok(const char *d)
{
	size_t label = 0, labels = 0, i, last = 0;
	bool tld_digits = true;

	if (strlen(d) > 253)
		return false;
	for (i = 0;; i++) {
		char c = d[i];

		if (c == '.' || c == '\0') {
			if (label == 0 || label > 63 || d[i - 1] == '-')
				return false;
			labels++;
			if (c == '\0')
				break;
			label = 0;
			last = i + 1;
			continue;
		}
		if (!field_is_alpha(c) && !field_is_digit(c) && c != '-')
			return false;
		if (c == '-' && label == 0)
			return false;
		label++;
	}
	/* An all-digit top-level label is an IP address, not where clinic mail goes. */
	for (i = last; d[i] != '\0'; i++)
		if (!field_is_digit(d[i]))
			tld_digits = false;
	return labels >= 2 && i - last >= 2 && !tld_digits;
}

static int
field_parse_email(
    const struct field_def *def, const char *text, struct field_value *v, char **message)
{
	static const char local_ok[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-.";
	const char *at = strchr(text, '@');
	size_t local_len, i;
	char *copy;

	if (at == NULL || strchr(at + 1, '@') != NULL)
		return field_fail(
		    message, xasprintf("%s needs one @; %s", field_label(def), FIELD_EMAIL_HINT));
	local_len = (size_t)(at - text);
	if (local_len == 0 || local_len > 64 || strspn(text, local_ok) != local_len ||
	    text[0] == '.' || at[-1] == '.' || memmem(text, local_len, "..", 2) != NULL ||
	    strlen(text) > 254)
		return field_fail(message, xasprintf("%s is not an address a mail server takes; %s",
		                               field_label(def), FIELD_EMAIL_HINT));
	if (!field_domain_ok(at + 1))
		return field_fail(
		    message, xasprintf("%s: the part after @ must be a domain such as example.com",
		                 field_label(def)));
	/* Domains are case-blind; the part before @ is the mail server's business, so it stays. */
	copy = xstrdup(text);
	for (i = local_len + 1; copy[i] != '\0'; i++)
		copy[i] = field_lower(copy[i]);
	v->text = copy;
	return 0;
}

/* "A, B or C", at most FIELD_LIST_MAX names then "or N more". The caller frees it. */
static char *
field_list(const struct field_def *def, const char *prefix, size_t n, size_t total)
{
	char *list = xstrdup(""), *next;
	size_t i, shown = 0, limit = total > FIELD_LIST_MAX ? FIELD_LIST_MAX : total;

	for (i = 0; i < def->ncodes && shown < limit; i++) {
		const struct field_code *c = &def->codes[i];

		if (c->display == NULL || !field_starts_with(c->display, prefix, n))
			continue;
		shown++;
		/* The last name gets "or", unless "or N more" follows. */
		next = xasprintf("%s%s%s", list,
		    shown == 1       ? ""
		    : shown == total ? " or "
		                     : ", ",
		    c->display);
		free(list);
		list = next;
	}
	if (total > shown) {
		next = xasprintf("%s or %zu more", list, total - shown);
		free(list);
		list = next;
	}
	return list;
}

/*
 * The code, exactly or ignoring case; else a display, whole or by a unique
 * start. Each step only runs when the one before found nothing, so "m" for
 * code M is never ambiguous with Male and Married.
 */
static int
field_parse_code(
    const struct field_def *def, const char *text, struct field_value *v, char **message)
{
	const struct field_code *hit = NULL;
	size_t i, hits, len = strlen(text);
	char *list;
	int step;

	if (def->codes == NULL || def->ncodes == 0)
		return field_fail(message, xasprintf("%s has no choices", field_label(def)));
	for (step = 0; step < 4; step++) {
		hits = 0;
		for (i = 0; i < def->ncodes; i++) {
			const struct field_code *c = &def->codes[i];
			bool match;

			if (step == 0)
				match = c->code != NULL && strcmp(c->code, text) == 0;
			else if (step == 1)
				match = c->code != NULL && field_equal_nocase(c->code, text);
			else if (step == 2)
				match = c->display != NULL && field_equal_nocase(c->display, text);
			else
				match =
				    c->display != NULL && field_starts_with(c->display, text, len);
			if (match && hits++ == 0)
				hit = c;
		}
		if (hits == 1 || (hits > 0 && step == 0)) {
			v->code = hit;
			return 0;
		}
		if (hits > 1 && step == 3) {
			/* TEXT starts a display here, so quoting it is as safe as the display. */
			list = field_list(def, text, len, hits);
			field_fail(message, xasprintf("%s: \"%s\" could be %s; type more of it",
			                        field_label(def), text, list));
			free(list);
			return -1;
		}
	}
	hits = 0;
	for (i = 0; i < def->ncodes; i++)
		hits += def->codes[i].display != NULL;
	if (hits == 0)
		return field_fail(message,
		    xasprintf("%s: no code in the list is that; type a code", field_label(def)));
	list = field_list(def, "", 0, hits);
	field_fail(message, xasprintf("%s: nothing in the list starts with that; choose %s",
	                        field_label(def), list));
	free(list);
	return -1;
}

static int
field_parse_yesno(
    const struct field_def *def, const char *text, struct field_value *v, char **message)
{
	if (field_equal_nocase(text, "y") || field_equal_nocase(text, "yes"))
		v->yes = true;
	else if (field_equal_nocase(text, "n") || field_equal_nocase(text, "no"))
		v->yes = false;
	else
		return field_fail(message, xasprintf("%s: answer y or n", field_label(def)));
	return 0;
}

static bool
field_has_range(const struct field_def *def)
{
	return def->min != 0 || def->max != 0;
}

static int
field_parse_money(
    const struct field_def *def, const char *text, struct field_value *v, char **message)
{
	char *cause = NULL, lo[MONEY_BUF_SIZE], hi[MONEY_BUF_SIZE];
	struct money m, bound;

	if (money_parse(text, def->currency, &m, &cause) != 0)
		return field_fail(message, cause);
	if (field_has_range(def) && (m.minor < def->min || m.minor > def->max)) {
		bound = m;
		bound.minor = def->min;
		money_format_currency(&bound, lo, sizeof lo);
		bound.minor = def->max;
		money_format_currency(&bound, hi, sizeof hi);
		return field_fail(
		    message, xasprintf("%s must be between %s and %s", field_label(def), lo, hi));
	}
	v->money = m;
	return 0;
}

static int
field_parse_integer(
    const struct field_def *def, const char *text, struct field_value *v, char **message)
{
	const char *p = text;
	long long n = 0;
	int sign = 1;

	if (*p == '-' || *p == '+')
		sign = *p++ == '-' ? -1 : 1;
	if (!field_is_digit(*p))
		goto bad;
	/* Accumulate with the sign, so the most negative long long is reachable too. */
	for (; field_is_digit(*p); p++)
		if (__builtin_mul_overflow(n, 10, &n) ||
		    __builtin_add_overflow(n, sign * (*p - '0'), &n))
			return field_fail(
			    message, xasprintf("%s: that number is too large", field_label(def)));
	if (*p != '\0')
		goto bad;
	if (field_has_range(def) && (n < def->min || n > def->max))
		return field_fail(message, xasprintf("%s must be between %lld and %lld",
		                               field_label(def), def->min, def->max));
	v->integer = n;
	return 0;

bad:
	return field_fail(
	    message, xasprintf("%s must be a whole number, as in 42", field_label(def)));
}

static int
field_parse_date(const struct field_def *def, const char *text, const struct date_time *now,
    struct field_value *v, char **message)
{
	char *cause = NULL;
	int c;

	if (date_parse(text, &now->date, &v->date, &cause) != 0)
		return field_fail(message, cause);
	if (def->when != FIELD_ANY_TIME && !date_valid(&now->date))
		return field_fail(message,
		    xasprintf("%s cannot be checked: today's date is not known", field_label(def)));
	c = date_compare(&v->date, &now->date);
	if (def->when == FIELD_NOT_FUTURE && c > 0)
		return field_fail(
		    message, xasprintf("%s cannot be in the future", field_label(def)));
	if (def->when == FIELD_NOT_PAST && c < 0)
		return field_fail(message, xasprintf("%s cannot be in the past", field_label(def)));
	return 0;
}

static int
field_parse_datetime(const struct field_def *def, const char *text, const struct date_time *now,
    struct field_value *v, char **message)
{
	struct date_time minute;
	char *cause = NULL;
	int c;

	if (date_time_parse(text, now, &v->date_time, &cause) != 0)
		return field_fail(message, cause);
	if (def->when != FIELD_ANY_TIME && !date_time_valid(now))
		return field_fail(message,
		    xasprintf("%s cannot be checked: the time now is not known", field_label(def)));
	/* To the minute: 14:30 typed at 14:30:20 is not in the past. */
	minute = *now;
	minute.second = 0;
	c = date_time_compare(&v->date_time, &minute);
	if (def->when == FIELD_NOT_FUTURE && date_time_compare(&v->date_time, now) > 0)
		return field_fail(
		    message, xasprintf("%s cannot be in the future", field_label(def)));
	if (def->when == FIELD_NOT_PAST && c < 0)
		return field_fail(message, xasprintf("%s cannot be in the past", field_label(def)));
	return 0;
}

int
field_parse_at(const struct field_def *def, const char *input, const struct date_time *now,
    struct field_value *out, char **message)
{
	struct date_time clock;
	struct field_value v;
	const char *start;
	size_t len;
	char *text;
	int rc;

	if (def == NULL) {
		*message = xstrdup("This field has no definition");
		return -1;
	}
	start = input != NULL ? input : "";
	while (field_is_space(*start))
		start++;
	len = strlen(start);
	while (len > 0 && field_is_space(start[len - 1]))
		len--;

	memset(&v, 0, sizeof v);
	v.type = def->type;
	if (len == 0) {
		if (def->required)
			return field_fail(message, xasprintf("%s is required", field_label(def)));
		v.empty = true;
		*out = v;
		return 0;
	}
	if (now == NULL) {
		date_time_now(&clock);
		now = &clock;
	}
	text = xstrndup(start, len);
	switch (def->type) {
	case FIELD_TEXT:
		rc = field_parse_text(def, text, &v, message);
		break;
	case FIELD_DATE:
		rc = field_parse_date(def, text, now, &v, message);
		break;
	case FIELD_DATETIME:
		rc = field_parse_datetime(def, text, now, &v, message);
		break;
	case FIELD_PHONE:
		rc = field_parse_phone(def, text, &v, message);
		break;
	case FIELD_EMAIL:
		rc = field_parse_email(def, text, &v, message);
		break;
	case FIELD_CODE:
		rc = field_parse_code(def, text, &v, message);
		break;
	case FIELD_YESNO:
		rc = field_parse_yesno(def, text, &v, message);
		break;
	case FIELD_MONEY:
		rc = field_parse_money(def, text, &v, message);
		break;
	case FIELD_INTEGER:
		rc = field_parse_integer(def, text, &v, message);
		break;
	default:
		rc = field_fail(message,
		    xasprintf("%s has a type this version does not know", field_label(def)));
		break;
	}
	free(text);
	if (rc == 0)
		*out = v;
	return rc;
}

int
field_parse(const struct field_def *def, const char *input, struct field_value *out, char **message)
{
	return field_parse_at(def, input, NULL, out, message);
}

/* US numbers the way people here read them; anything else as stored. */
static char *
field_format_phone(const char *t)
{
	bool plus = t[0] == '+';
	const char *d = plus ? t + 1 : t;
	size_t n = strlen(d);

	if (!plus && n == 10)
		return xasprintf("(%.3s) %.3s-%.4s", d, d + 3, d + 6);
	if (n == 11 && d[0] == '1')
		return xasprintf("%s1 (%.3s) %.3s-%.4s", plus ? "+" : "", d + 1, d + 4, d + 7);
	if (!plus && n == 7)
		return xasprintf("%.3s-%.4s", d, d + 3);
	return xstrdup(t);
}

char *
field_format(const struct field_value *value)
{
	char buf[MONEY_BUF_SIZE > DATE_BUF_SIZE ? MONEY_BUF_SIZE : DATE_BUF_SIZE];

	if (value == NULL || value->empty)
		return xstrdup("");
	switch (value->type) {
	case FIELD_TEXT:
	case FIELD_EMAIL:
		return xstrdup(value->text != NULL ? value->text : "");
	case FIELD_PHONE:
		return value->text != NULL ? field_format_phone(value->text) : xstrdup("");
	case FIELD_DATE:
		date_format_display(&value->date, buf, sizeof buf);
		return xstrdup(buf);
	case FIELD_DATETIME:
		date_time_format_display(&value->date_time, buf, sizeof buf);
		return xstrdup(buf);
	case FIELD_CODE:
		if (value->code == NULL)
			return xstrdup("");
		if (value->code->display != NULL)
			return xstrdup(value->code->display);
		return xstrdup(value->code->code != NULL ? value->code->code : "");
	case FIELD_YESNO:
		return xstrdup(value->yes ? "Yes" : "No");
	case FIELD_MONEY:
		money_format_currency(&value->money, buf, sizeof buf);
		return xstrdup(buf);
	case FIELD_INTEGER:
		return xasprintf("%lld", value->integer);
	}
	return xstrdup("");
}

void
field_value_clear(struct field_value *value)
{
	enum field_type type;

	if (value == NULL)
		return;
	type = value->type;
	if (!value->empty && (type == FIELD_TEXT || type == FIELD_PHONE || type == FIELD_EMAIL))
		free(value->text);
	memset(value, 0, sizeof *value);
	value->type = type;
	value->empty = true;
}

size_t
field_complete(
    const struct field_def *def, const char *prefix, const struct field_code **out, size_t max)
{
	size_t i, n, total = 0;

	if (def == NULL || def->codes == NULL)
		return 0;
	if (prefix == NULL)
		prefix = "";
	while (field_is_space(*prefix))
		prefix++;
	n = strlen(prefix);
	for (i = 0; i < def->ncodes; i++) {
		const struct field_code *c = &def->codes[i];

		if (!field_starts_with(c->display, prefix, n) &&
		    !field_starts_with(c->code, prefix, n))
			continue;
		if (total < max && out != NULL)
			out[total] = c;
		total++;
	}
	return total;
}
