/* Unit tests for typed form fields: parsing, messages, formats and code-list completion. */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ui/field.h"
#include "util/xmalloc.h"

/* Sunday 1 March 2026, 10:20:30: every relative date below counts from here. */
static const struct date_time now_fixed = {{2026, 3, 1}, 10, 20, 30};

// clang-format off
static const struct field_code sexes[] = {
	{ "M", "Male" }, { "F", "Female" }, { "O", "Other" }, { "UNK", "Unknown" },
	{ "MX", "Mixed" }, { "OS", "Other (specify)" },
};
static const struct field_code languages[] = {
	{ "en", "English" }, { "es", "Spanish" }, { "fr", "French" }, { "de", "German" },
	{ "el", "Greek" }, { "it", "Italian" }, { "pt", "Portuguese" }, { "vi", "Vietnamese" },
	{ "zh", "Chinese" },
};

static const struct field_def f_name = { .label = "Name", .type = FIELD_TEXT, .required = true,
	.max_chars = 5 };
static const struct field_def f_note = { .label = "Note", .type = FIELD_TEXT };
static const struct field_def f_zip = { .label = "ZIP code", .type = FIELD_TEXT,
	.pattern = "[0-9]{5}(-[0-9]{4})?", .pattern_hint = "5 digits, as in 12345" };
static const struct field_def f_broken = { .label = "Broken", .type = FIELD_TEXT,
	.pattern = "([0-9]" };
static const struct field_def f_dob = { .label = "Date of birth", .type = FIELD_DATE,
	.required = true, .when = FIELD_NOT_FUTURE };
static const struct field_def f_visit = { .label = "Visit date", .type = FIELD_DATE,
	.when = FIELD_NOT_PAST };
static const struct field_def f_start = { .label = "Start", .type = FIELD_DATETIME,
	.required = true, .when = FIELD_NOT_PAST };
static const struct field_def f_onset = { .label = "Onset", .type = FIELD_DATETIME,
	.when = FIELD_NOT_FUTURE };
static const struct field_def f_phone = { .label = "Phone", .type = FIELD_PHONE };
static const struct field_def f_email = { .label = "Email", .type = FIELD_EMAIL };
static const struct field_def f_sex = { .label = "Sex", .type = FIELD_CODE, .required = true,
	.codes = sexes, .ncodes = sizeof sexes / sizeof sexes[0] };
static const struct field_def f_lang = { .label = "Language", .type = FIELD_CODE,
	.codes = languages, .ncodes = sizeof languages / sizeof languages[0] };
static const struct field_def f_nocodes = { .label = "Empty list", .type = FIELD_CODE };
static const struct field_def f_consent = { .label = "Consent", .type = FIELD_YESNO };
static const struct field_def f_copay = { .label = "Co-pay", .type = FIELD_MONEY,
	.min = 0, .max = 1000000 };
static const struct field_def f_refund = { .label = "Refund", .type = FIELD_MONEY };
static const struct field_def f_euro = { .label = "Fee", .type = FIELD_MONEY, .currency = "EUR" };
static const struct field_def f_age = { .label = "Age", .type = FIELD_INTEGER, .min = 0,
	.max = 130 };
static const struct field_def f_count = { .label = "Count", .type = FIELD_INTEGER };
static const struct field_def f_unlabelled = { .type = FIELD_TEXT, .required = true };

static const struct field_def *const all_defs[] = { &f_name, &f_note, &f_zip, &f_dob, &f_visit,
	&f_start, &f_onset, &f_phone, &f_email, &f_sex, &f_lang, &f_consent, &f_copay, &f_refund,
	&f_euro, &f_age, &f_count };
// clang-format on

#define NDEFS (sizeof all_defs / sizeof all_defs[0])

/* A value no parse produces, to see that failures leave the output alone. */
static struct field_value
sentinel(void)
{
	struct field_value v;

	memset(&v, 0, sizeof v);
	v.type = FIELD_INTEGER;
	v.integer = 4242;
	return v;
}

static void
assert_untouched(const struct field_value *v)
{
	cr_assert(v->type == FIELD_INTEGER && !v->empty && v->integer == 4242,
	    "a refused parse must not touch the value");
}

static void
assert_printable(const char *msg)
{
	for (const char *p = msg; *p != '\0'; p++)
		cr_assert((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7F,
		    "byte 0x%02x in message \"%s\"", (unsigned char)*p, msg);
}

/* Parse INPUT into *V at the fixed time; the parse must succeed. */
static void
ok(const struct field_def *def, const char *input, struct field_value *v)
{
	char *message = NULL;

	cr_assert_eq(field_parse_at(def, input, &now_fixed, v, &message), 0, "%s: '%s' refused: %s",
	    def->label, input, message ? message : "");
	cr_assert_null(message);
	cr_assert_eq(v->type, def->type);
}

/* Parse INPUT at the fixed time: it must fail, with NEEDLE in the message it returns. */
static char *
refused(const struct field_def *def, const char *input, const char *needle)
{
	struct field_value v = sentinel();
	char *message = NULL;

	cr_assert_eq(field_parse_at(def, input, &now_fixed, &v, &message), -1, "%s: '%s' accepted",
	    def->label ? def->label : "(no label)", input);
	cr_assert_not_null(message);
	cr_assert_not_null(strstr(message, needle), "%s: '%s' gave \"%s\", not \"%s\"",
	    def->label ? def->label : "(no label)", input, message, needle);
	assert_untouched(&v);
	return message;
}

static void
refused_free(const struct field_def *def, const char *input, const char *needle)
{
	free(refused(def, input, needle));
}

/* field_format of a fresh parse of INPUT equals WANT, and reads back to the same text. */
static void
formats_as(const struct field_def *def, const char *input, const char *want)
{
	struct field_value v, again;
	char *shown, *shown_again;

	ok(def, input, &v);
	shown = field_format(&v);
	cr_assert_str_eq(shown, want, "%s: '%s'", def->label, input);
	ok(def, shown, &again);
	shown_again = field_format(&again);
	cr_assert_str_eq(shown_again, shown, "%s: format(parse(format)) moved", def->label);
	free(shown);
	free(shown_again);
	field_value_clear(&v);
	field_value_clear(&again);
}

/* --- NULL, empty and required first ------------------------------------------ */

Test(field, null_definition_is_refused)
{
	struct field_value v = sentinel();
	char *message = NULL;

	cr_assert_eq(field_parse(NULL, "x", &v, &message), -1);
	cr_assert_not_null(message);
	free(message);
	assert_untouched(&v);
}

Test(field, required_fields_say_so)
{
	static const char *const blanks[] = {NULL, "", " ", "\t", " \r\n ", "\n"};

	for (size_t i = 0; i < sizeof blanks / sizeof blanks[0]; i++) {
		char *m = refused(&f_dob, blanks[i], "");

		cr_assert_str_eq(m, "Date of birth is required");
		free(m);
		m = refused(&f_sex, blanks[i], "");
		cr_assert_str_eq(m, "Sex is required");
		free(m);
		m = refused(&f_unlabelled, blanks[i], "");
		cr_assert_str_eq(m, "This field is required");
		free(m);
	}
}

Test(field, optional_fields_may_be_left_empty)
{
	for (size_t i = 0; i < NDEFS; i++) {
		struct field_value v = sentinel();
		char *shown;

		if (all_defs[i]->required)
			continue;
		ok(all_defs[i], "  ", &v);
		cr_assert(v.empty, "%s", all_defs[i]->label);
		shown = field_format(&v);
		cr_assert_str_eq(shown, "");
		free(shown);
		field_value_clear(&v);
		ok(all_defs[i], NULL, &v);
		cr_assert(v.empty, "%s", all_defs[i]->label);
	}
}

Test(field, format_and_clear_take_null_and_empty)
{
	struct field_value v;
	char *shown = field_format(NULL);

	cr_assert_str_eq(shown, "");
	free(shown);
	field_value_clear(NULL);
	ok(&f_note, "hello", &v);
	field_value_clear(&v);
	cr_assert(v.empty);
	cr_assert_eq(v.type, FIELD_TEXT, "clearing keeps the type");
	cr_assert_null(v.text);
	field_value_clear(&v); /* twice is harmless */
	shown = field_format(&v);
	cr_assert_str_eq(shown, "");
	free(shown);
}

/* --- hostile input against every type ----------------------------------------- */

/*
 * Whatever is typed, a parse either succeeds or gives a short printable
 * message that never carries the input's control bytes back to the screen.
 */
Test(field, hostile_input_never_reaches_the_message)
{
	/* Octal escapes where a letter follows: "\xaee" would be one escape. */
	static const char *const hostile[] = {"\x1b[2J\x1b]0;owned\x07", "\xff\xfe", "\xc0\xaf",
	    "a\x7f", "\xc2\x9b[31m", "\342\200\256evil", "T+1\x1b", "5\x1b[H", "x@example.com\x1b",
	    "\x01", "M\x1b"};
	size_t n = 1 << 20;
	char *big = malloc(n + 1);

	cr_assert_not_null(big);
	for (size_t d = 0; d < NDEFS; d++) {
		for (size_t h = 0; h < sizeof hostile / sizeof hostile[0]; h++) {
			struct field_value v = sentinel();
			char *message = NULL;

			if (field_parse_at(all_defs[d], hostile[h], &now_fixed, &v, &message) ==
			    0) {
				cr_assert_fail("%s took hostile input %zu", all_defs[d]->label, h);
			}
			assert_printable(message);
			cr_assert_lt(strlen(message), 300u);
			free(message);
			assert_untouched(&v);
		}
		for (int fill = 0; fill < 3; fill++) {
			struct field_value v = sentinel();
			char *message = NULL;

			memset(big, "9a\xff"[fill], n);
			big[n] = '\0';
			cr_assert_eq(field_parse_at(all_defs[d], big, &now_fixed, &v, &message), -1,
			    "%s took a megabyte", all_defs[d]->label);
			assert_printable(message);
			cr_assert_lt(strlen(message), 300u, "%s", all_defs[d]->label);
			free(message);
		}
	}
	free(big);
}

/* --- text ---------------------------------------------------------------------- */

Test(field, text_length_counts_characters_not_bytes)
{
	struct field_value v;

	ok(&f_name, "abcde", &v);
	cr_assert_str_eq(v.text, "abcde");
	field_value_clear(&v);
	ok(&f_name, "Zo\303\253a", &v); /* Zoëa: 4 characters, 5 bytes */
	field_value_clear(&v);
	ok(&f_name, "J\xc3\xb6rg\xc3\xa9", &v); /* Jörgé: 5 characters, 7 bytes */
	field_value_clear(&v);
	ok(&f_name, "\xe6\x97\xa5\xe6\x9c\xac\xf0\x9f\x98\x80", &v); /* 3 characters, 10 bytes */
	field_value_clear(&v);
	free(refused(&f_name, "abcdef", "Name is longer than 5 characters (it has 6)"));
	refused_free(&f_name, "J\xc3\xb6rg\xc3\xa9n", "(it has 6)");
}

Test(field, text_default_limit)
{
	char text[FIELD_TEXT_MAX + 2];
	struct field_value v;

	memset(text, 'x', FIELD_TEXT_MAX);
	text[FIELD_TEXT_MAX] = '\0';
	ok(&f_note, text, &v);
	cr_assert_eq(strlen(v.text), (size_t)FIELD_TEXT_MAX);
	field_value_clear(&v);
	text[FIELD_TEXT_MAX] = 'x';
	text[FIELD_TEXT_MAX + 1] = '\0';
	refused_free(&f_note, text, "longer than 1024 characters");
}

Test(field, text_is_trimmed_and_tabs_become_spaces)
{
	struct field_value v;

	ok(&f_note, "  two\twords \r\n", &v);
	cr_assert_str_eq(v.text, "two words");
	field_value_clear(&v);
	/* Text is data, never a format. */
	ok(&f_note, "%s%n%s", &v);
	cr_assert_str_eq(v.text, "%s%n%s");
	field_value_clear(&v);
}

struct text_bad {
	char text[24];
	char needle[48];
};

ParameterizedTestParameters(field, text_refused)
{
	// clang-format off
	static struct text_bad cases[] = {
		{ "\xff", "not UTF-8" },
		{ "abc\xc3", "not UTF-8" },
		{ "\xc3(", "not UTF-8" },
		{ "\xc0\xaf", "not UTF-8" },         /* overlong '/' */
		{ "\xe0\x80\xaf", "not UTF-8" },     /* overlong, three bytes */
		{ "\xed\xa0\x80", "not UTF-8" },     /* a surrogate */
		{ "\xf4\x90\x80\x80", "not UTF-8" }, /* past U+10FFFF */
		{ "\xf8\x88\x80\x80\x80", "not UTF-8" },
		{ "\x80", "not UTF-8" },
		{ "a\x1b[2Jb", "control character" },
		{ "a\x07", "control character" },
		{ "a\nb", "control character" },
		{ "a\rb", "control character" },
		{ "a\x7f", "control character" },
		{ "a\302\233b", "control character" },  /* C1 CSI */
		{ "a\302\205b", "control character" },  /* C1 NEL */
		{ "ab\342\200\256cd", "direction" },   /* RIGHT-TO-LEFT OVERRIDE */
		{ "ab\342\201\246cd", "direction" },   /* LEFT-TO-RIGHT ISOLATE */
		{ "ab\xe2\x80\x8f", "direction" },     /* RIGHT-TO-LEFT MARK */
		{ "1234\xe2\x80\x8b" "5", "invisible character (U+200B)" }, /* ZERO WIDTH SPACE */
		{ "12\xef\xbb\xbf", "invisible character (U+FEFF)" },
		{ "a\xf3\xa0\x80\xa0", "invisible character (U+E0020)" },   /* TAG SPACE */
		{ "a\xe3\x85\xa4", "invisible character (U+3164)" },     /* HANGUL FILLER */
	};
	// clang-format on
	return cr_make_param_array(struct text_bad, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct text_bad *c, field, text_refused)
{
	char *m = refused(&f_note, c->text, c->needle);

	cr_assert_eq(strncmp(m, "Note ", 5), 0, "%s", m);
	assert_printable(m);
	free(m);
}

Test(field, text_pattern)
{
	struct field_value v;

	ok(&f_zip, "12345", &v);
	field_value_clear(&v);
	ok(&f_zip, "12345-6789", &v);
	field_value_clear(&v);
	free(refused(&f_zip, "1234", "ZIP code must be 5 digits, as in 12345"));
	refused_free(&f_zip, "123456", "must be 5 digits");
	refused_free(&f_zip, "x12345", "must be 5 digits"); /* anchored at the start */
	refused_free(&f_zip, "12345x", "must be 5 digits"); /* and at the end */
	refused_free(&f_zip, "12345|x", "must be 5 digits");
	refused_free(&f_broken, "1", "Broken cannot be checked: its pattern is broken");
	ok(&f_zip, "", &v); /* optional: the pattern is for what is there */
	cr_assert(v.empty);
}

/* A screen's own check: takes "ok" and words starting with 'k', names the field it serves. */
static char *
check_ok(const struct field_def *def, const char *text)
{
	if (strcmp(text, "ok") == 0 || text[0] == 'k')
		return NULL;
	return xasprintf("type ok in %s, not %s", def->label, text);
}

Test(field, text_check_runs_after_cleaning_and_not_on_blank)
{
	static const struct field_def f_checked = { .label = "Answer", .type = FIELD_TEXT,
		.max_chars = 10, .check = check_ok };
	struct field_value v;

	ok(&f_checked, "  ok\t", &v); /* checked as cleaned: trimmed */
	cr_assert_str_eq(v.text, "ok");
	field_value_clear(&v);
	/* The form capitalises the screen's sentence as it does its own. */
	refused_free(&f_checked, "no", "Type ok in Answer, not no");
	/* The form's own checks come first: the screen never sees a control character. */
	refused_free(&f_checked, "k\x1b[2J", "control character");
	refused_free(&f_checked, "kkkkkkkkkkk", "longer than 10");
	ok(&f_checked, "   ", &v);
	cr_assert(v.empty, "blank is empty, never handed to the check");
}

/* --- dates ----------------------------------------------------------------------- */

Test(field, dates)
{
	struct field_value v;

	ok(&f_dob, "T", &v);
	cr_assert(v.date.year == 2026 && v.date.month == 3 && v.date.day == 1);
	ok(&f_dob, "02/29/2000", &v);
	cr_assert(v.date.year == 2000 && v.date.month == 2 && v.date.day == 29);
	formats_as(&f_dob, "1990-06-15", "06/15/1990");
	formats_as(&f_visit, "T+7", "03/08/2026");
	formats_as(&f_visit, "t+1m", "04/01/2026");
	free(refused(&f_dob, "T+1", "Date of birth cannot be in the future"));
	refused_free(&f_visit, "T-1", "Visit date cannot be in the past");
	free(refused(
	    &f_dob, "02/31/2026", "02/31/2026 is not a date: February has 28 days in 2026"));
	{
		char *m = refused(&f_dob, "soon", "");

		cr_assert_str_eq(m, "Write a date as 2026-03-01, 03/01/2026, or T+7");
		free(m);
	}
	refused_free(&f_dob, "03/01/26", "four digits");
	refused_free(&f_visit, "T+99999", "too far ahead");
}

Test(field, dates_against_the_clock)
{
	struct field_value v;
	struct date_time before, after;
	char *message = NULL;

	date_time_now(&before);
	cr_assert_eq(field_parse(&f_dob, "T", &v, &message), 0, "%s", message ? message : "");
	date_time_now(&after);
	cr_assert(
	    date_compare(&v.date, &before.date) == 0 || date_compare(&v.date, &after.date) == 0,
	    "T is today by the clock");
	cr_assert_eq(
	    field_parse(&f_dob, "T+2", &v, &message), -1, "the day after tomorrow is unborn");
	free(message);
}

Test(field, date_times)
{
	struct field_value v;

	ok(&f_start, "T@14:30", &v);
	cr_assert(v.date_time.hour == 14 && v.date_time.minute == 30);
	formats_as(&f_start, "T+1@9am", "03/02/2026 09:00");
	formats_as(&f_start, "03/01/2026 2:30 PM", "03/01/2026 14:30");
	ok(&f_start, "NOW", &v);
	cr_assert_eq(date_time_compare(&v.date_time, &now_fixed), 0);
	ok(&f_start, "T@10:20", &v); /* typed in the current minute: not the past */
	free(refused(&f_start, "T@10:19", "Start cannot be in the past"));
	refused_free(&f_start, "T", "has no time");
	refused_free(&f_start, "T@25:00", "hours run from 0 to 23");
	ok(&f_onset, "T@10:20", &v);
	ok(&f_onset, "NOW", &v);
	refused_free(&f_onset, "T@10:21", "Onset cannot be in the future");
	refused_free(&f_onset, "T+1@0:00", "Onset cannot be in the future");
}

/* --- phone numbers ---------------------------------------------------------------- */

struct phone_good {
	char text[32];
	char stored[20];
	char shown[24];
};

ParameterizedTestParameters(field, phone_accepted)
{
	// clang-format off
	static struct phone_good cases[] = {
		{ "(555) 010-1234", "5550101234", "(555) 010-1234" },
		{ "555.010.1234", "5550101234", "(555) 010-1234" },
		{ "555-010-1234", "5550101234", "(555) 010-1234" },
		{ "5550101234", "5550101234", "(555) 010-1234" },
		{ " 555 010 1234 ", "5550101234", "(555) 010-1234" },
		{ "+1 555 010 1234", "+15550101234", "+1 (555) 010-1234" },
		{ "+1 (555) 010-1234", "+15550101234", "+1 (555) 010-1234" },
		{ "+1-555-010-1234", "+15550101234", "+1 (555) 010-1234" },
		{ "1-555-010-1234", "15550101234", "1 (555) 010-1234" },
		{ "010-1234", "0101234", "010-1234" },
		{ "+44 20 7946 0958", "+442079460958", "+442079460958" },
		{ "+33 (0)1 23 45 67 89", "+330123456789", "+330123456789" },
		{ "+123456789012345", "+123456789012345", "+123456789012345" },
		{ "12345678", "12345678", "12345678" },
	};
	// clang-format on
	return cr_make_param_array(struct phone_good, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct phone_good *c, field, phone_accepted)
{
	struct field_value v;
	char *shown;

	ok(&f_phone, c->text, &v);
	cr_assert_str_eq(v.text, c->stored, "'%s'", c->text);
	shown = field_format(&v);
	cr_assert_str_eq(shown, c->shown, "'%s'", c->text);
	free(shown);
	field_value_clear(&v);
	formats_as(&f_phone, c->text, c->shown);
}

struct phone_bad {
	char text[40];
	char needle[48];
};

ParameterizedTestParameters(field, phone_refused)
{
	// clang-format off
	static struct phone_bad cases[] = {
		{ "123456", "Phone has 6 digits; a phone number has 7 to 15" },
		{ "+1234567890123456", "has 16 digits" },
		{ "()-.", "has 0 digits" },
		{ "1-800-FLOWERS", "digits, not letters" },
		{ "555 010 1234 x12", "digits, not letters" },
		{ "555 010 1234 ext 12", "digits, not letters" },
		{ "+0 555 010 1234", "country code" },
		{ "(555 010-1234", "( without its )" },
		{ "555) 010-1234", "not a phone number" },
		{ "((555)) 010-1234", "not a phone number" },
		{ "(555) (010) 1234", "not a phone number" },
		{ "5+55 010 1234", "not a phone number" },
		{ "++1 555 010 1234", "not a phone number" },
		{ "555/010/1234", "not a phone number" },
		{ "555_010_1234", "not a phone number" },
		{ "555,010,1234", "not a phone number" },
		{ "\xd9\xa5\xd9\xa5\xd9\xa5\xd9\xa0\xd9\xa1\xd9\xa0\xd9\xa1", "not a phone number" },
	};
	// clang-format on
	return cr_make_param_array(struct phone_bad, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct phone_bad *c, field, phone_refused)
{
	char *m = refused(&f_phone, c->text, c->needle);

	assert_printable(m);
	free(m);
}

Test(field, phone_megabyte_of_digits)
{
	size_t n = 1 << 20;
	char *big = malloc(n + 1);

	cr_assert_not_null(big);
	memset(big, '5', n);
	big[n] = '\0';
	refused_free(&f_phone, big, "has 1048576 digits");
	free(big);
}

/* --- email ----------------------------------------------------------------------- */

Test(field, email_accepted)
{
	// clang-format off
	static const char *const good[][2] = {
		{ "a@example.com", "a@example.com" },
		{ "First.Last+tag@Example.COM", "First.Last+tag@example.com" },
		{ "x@mail.example.co.uk", "x@mail.example.co.uk" },
		{ "o'brien@example.org", "o'brien@example.org" },
		{ "user_1-x@sub-domain.example", "user_1-x@sub-domain.example" },
		{ "a@b.xn--p1ai", "a@b.xn--p1ai" },
		{ "  a@example.com  ", "a@example.com" },
	};
	// clang-format on
	struct field_value v;

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		ok(&f_email, good[i][0], &v);
		cr_assert_str_eq(v.text, good[i][1]);
		field_value_clear(&v);
	}
	formats_as(&f_email, "Ann@Clinic.Example", "Ann@clinic.example");
}

Test(field, email_refused)
{
	// clang-format off
	static const char *const bad[][2] = {
		{ "a", "needs one @" },
		{ "a@b@example.com", "needs one @" },
		{ "a@@example.com", "needs one @" },
		{ "@example.com", "not an address" },
		{ ".a@example.com", "not an address" },
		{ "a.@example.com", "not an address" },
		{ "a..b@example.com", "not an address" },
		{ "a b@example.com", "not an address" },
		{ "\"a\"@example.com", "not an address" },
		{ "a(b)@example.com", "not an address" },
		{ "\xc3\xa9@example.com", "not an address" },
		{ "a@", "must be a domain" },
		{ "a@example", "must be a domain" },
		{ "a@.com", "must be a domain" },
		{ "a@example..com", "must be a domain" },
		{ "a@example.com.", "must be a domain" },
		{ "a@-example.com", "must be a domain" },
		{ "a@example-.com", "must be a domain" },
		{ "a@exam ple.com", "must be a domain" },
		{ "a@1.2.3.4", "must be a domain" },
		{ "a@10.0.0.10", "must be a domain" },
		{ "a@example.123", "must be a domain" },
		{ "a@example.c", "must be a domain" },
		{ "a@ex_ample.com", "must be a domain" },
		{ "a@[127.0.0.1]", "must be a domain" },
		{ "a@ex\xc3\xa4mple.com", "must be a domain" },
	};
	// clang-format on

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		refused_free(&f_email, bad[i][0], bad[i][1]);
}

Test(field, email_length_limits)
{
	char text[400];
	struct field_value v;

	/* 64 characters before the @ are allowed, 65 are not. */
	memset(text, 'a', 64);
	strcpy(text + 64, "@example.com");
	ok(&f_email, text, &v);
	field_value_clear(&v);
	memset(text, 'a', 65);
	strcpy(text + 65, "@example.com");
	refused_free(&f_email, text, "not an address");
	/* A 63-character label is allowed, 64 are not. */
	strcpy(text, "a@");
	memset(text + 2, 'b', 63);
	strcpy(text + 65, ".com");
	ok(&f_email, text, &v);
	field_value_clear(&v);
	memset(text + 2, 'b', 64);
	strcpy(text + 66, ".com");
	refused_free(&f_email, text, "must be a domain");
	/* Past 254 characters in all. */
	strcpy(text, "a@");
	for (int i = 0; i < 4; i++) {
		memset(text + 2 + i * 63, 'c', 62);
		text[2 + i * 63 + 62] = '.';
	}
	strcpy(text + 2 + 4 * 63, "com");
	cr_assert_eq(strlen(text), 257u);
	refused_free(&f_email, text, "not an address");
}

/* --- code lists ----------------------------------------------------------------------- */

struct code_good {
	char text[24];
	char code[8];
};

ParameterizedTestParameters(field, code_accepted)
{
	/* The code wins over a display prefix: "M" is Male though Mixed starts with M too. */
	// clang-format off
	static struct code_good cases[] = {
		{ "M", "M" },
		{ "m", "M" },
		{ "F", "F" },
		{ "fe", "F" },
		{ "Female", "F" },
		{ "FEMALE", "F" },
		{ "UNK", "UNK" },
		{ "unk", "UNK" },
		{ "Unkn", "UNK" },
		{ "u", "UNK" },
		{ "Ma", "M" },
		{ "Mi", "MX" },
		{ "mx", "MX" },
		{ "o", "O" },
		{ "other", "O" },
		{ "Other (", "OS" },
		{ "other (specify)", "OS" },
		{ "os", "OS" },
		{ "  fem  ", "F" },
	};
	// clang-format on
	return cr_make_param_array(struct code_good, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct code_good *c, field, code_accepted)
{
	struct field_value v;
	char *shown;

	ok(&f_sex, c->text, &v);
	cr_assert_str_eq(v.code->code, c->code, "'%s' gave %s", c->text, v.code->code);
	shown = field_format(&v);
	cr_assert_str_eq(shown, v.code->display);
	free(shown);
	formats_as(&f_sex, c->text, v.code->display);
}

Test(field, code_ambiguity_lists_the_matches)
{
	char *m;

	m = refused(&f_lang, "G", "");
	cr_assert_str_eq(m, "Language: \"G\" could be German or Greek; type more of it");
	free(m);
	m = refused(&f_lang, "Ot", "");
	cr_assert_str_eq(m, "Language: nothing in the list starts with that; choose English, "
	                    "Spanish, French, German, Greek, Italian or 3 more");
	free(m);
	m = refused(&f_sex, "Oth", "");
	cr_assert_str_eq(m, "Sex: \"Oth\" could be Other or Other (specify); type more of it");
	free(m);
	m = refused(&f_nocodes, "x", "Empty list has no choices");
	free(m);
}

Test(field, code_unique_prefixes_and_codes)
{
	struct field_value v;

	ok(&f_lang, "s", &v);
	cr_assert_str_eq(v.code->code, "es", "Spanish is the only display starting with s");
	ok(&f_lang, "Ge", &v);
	cr_assert_str_eq(v.code->code, "de");
	ok(&f_lang, "gre", &v);
	cr_assert_str_eq(v.code->code, "el");
	ok(&f_lang, "DE", &v);
	cr_assert_str_eq(v.code->code, "de", "codes ignore case when nothing matches exactly");
	ok(&f_lang, "vietnamese", &v);
	cr_assert_str_eq(v.code->code, "vi");
}

Test(field, code_list_with_three_choices)
{
	static const struct field_code three[] = {{"a", "Alpha"}, {"b", "Beta"}, {"c", "Gamma"}};
	static const struct field_def def = {
	    .label = "Pick", .type = FIELD_CODE, .codes = three, .ncodes = 3};
	char *m = refused(&def, "zz", "");

	cr_assert_str_eq(
	    m, "Pick: nothing in the list starts with that; choose Alpha, Beta or Gamma");
	free(m);
}

Test(field, completion)
{
	const struct field_code *out[4];
	size_t n;

	n = field_complete(&f_lang, "G", out, 4);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(out[0]->display, "German");
	cr_assert_str_eq(out[1]->display, "Greek");
	/* Code or display: e is English (en and display), Spanish (es) and Greek (el). */
	n = field_complete(&f_lang, "e", out, 4);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(out[0]->code, "en");
	cr_assert_str_eq(out[1]->code, "es");
	cr_assert_str_eq(out[2]->code, "el");
	/* More matches than room: the count is the total, only the room is filled. */
	out[1] = NULL;
	n = field_complete(&f_lang, "", out, 1);
	cr_assert_eq(n, 9);
	cr_assert_str_eq(out[0]->code, "en");
	cr_assert_null(out[1], "nothing written past MAX");
	cr_assert_eq(field_complete(&f_lang, NULL, NULL, 0), 9);
	cr_assert_eq(field_complete(&f_lang, "  gr", out, 4), 1);
	cr_assert_eq(field_complete(&f_lang, "zz", out, 4), 0);
	cr_assert_eq(field_complete(&f_lang, "\xff\x1b", out, 4), 0);
	cr_assert_eq(field_complete(NULL, "G", out, 4), 0);
	cr_assert_eq(field_complete(&f_nocodes, "G", out, 4), 0);
	cr_assert_eq(field_complete(&f_sex, "OTHER", out, 4), 2);
}

/* --- yes/no ------------------------------------------------------------------------ */

Test(field, yes_no)
{
	static const char *const yes[] = {"y", "Y", "yes", "YES", "Yes", " yEs "};
	static const char *const no[] = {"n", "N", "no", "NO", "No", "\tn\n"};
	static const char *const neither[] = {
	    "ye", "yess", "true", "1", "0", "oui", "yes no", "y\x1b", "nope"};
	struct field_value v;

	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		ok(&f_consent, yes[i], &v);
		cr_assert(v.yes, "'%s'", yes[i]);
	}
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
		ok(&f_consent, no[i], &v);
		cr_assert_not(v.yes, "'%s'", no[i]);
	}
	for (size_t i = 0; i < sizeof neither / sizeof neither[0]; i++) {
		char *m = refused(&f_consent, neither[i], "");

		cr_assert_str_eq(m, "Consent: answer y or n");
		free(m);
	}
	formats_as(&f_consent, "y", "Yes");
	formats_as(&f_consent, "no", "No");
}

/* --- money ----------------------------------------------------------------------------- */

Test(field, money)
{
	struct field_value v;

	ok(&f_copay, "$1,234.56", &v);
	cr_assert_eq(v.money.minor, 123456);
	cr_assert_str_eq(v.money.currency, "USD");
	formats_as(&f_copay, "25", "$25.00");
	formats_as(&f_copay, "10000", "$10,000.00");
	formats_as(&f_copay, "0", "$0.00");
	formats_as(&f_refund, "-3.1", "-$3.10");
	formats_as(&f_euro, "1234.5", "1,234.50 EUR");
	{
		char *m = refused(&f_copay, "-1", "");

		cr_assert_str_eq(m, "Co-pay must be between $0.00 and $10,000.00");
		free(m);
	}
	refused_free(&f_copay, "10000.01", "between $0.00 and $10,000.00");
	refused_free(&f_copay, "1.234", "1.234 has more than two decimal places");
	refused_free(&f_copay, "1e3", "Write an amount as");
	refused_free(&f_euro, "$5", "$ is for US dollars, and this amount is in EUR");
	ok(&f_refund, "-92233720368547758.07", &v);
	cr_assert_eq(v.money.minor, -INT64_MAX);
}

/* --- integers -------------------------------------------------------------------------- */

Test(field, integers)
{
	struct field_value v;

	ok(&f_age, "42", &v);
	cr_assert_eq(v.integer, 42);
	ok(&f_age, " 007 ", &v);
	cr_assert_eq(v.integer, 7);
	ok(&f_age, "+0", &v);
	cr_assert_eq(v.integer, 0);
	ok(&f_age, "130", &v);
	cr_assert_eq(v.integer, 130);
	formats_as(&f_age, "0042", "42");
	{
		char *m = refused(&f_age, "131", "");

		cr_assert_str_eq(m, "Age must be between 0 and 130");
		free(m);
	}
	refused_free(&f_age, "-1", "between 0 and 130");
	refused_free(&f_age, "1.5", "Age must be a whole number, as in 42");
	refused_free(&f_age, "1e3", "whole number");
	refused_free(&f_age, "abc", "whole number");
	refused_free(&f_age, "--1", "whole number");
	refused_free(&f_age, "-", "whole number");
	refused_free(&f_age, "1 000", "whole number");
	refused_free(&f_age, "1,000", "whole number");
	ok(&f_count, "9223372036854775807", &v);
	cr_assert_eq(v.integer, LLONG_MAX);
	ok(&f_count, "-9223372036854775808", &v);
	cr_assert_eq(v.integer, LLONG_MIN);
	formats_as(&f_count, "-9223372036854775808", "-9223372036854775808");
	refused_free(&f_count, "9223372036854775808", "too large");
	refused_free(&f_count, "-9223372036854775809", "too large");
	refused_free(&f_count, "99999999999999999999999999", "too large");
}

/* --- messages read as sentences ------------------------------------------------------ */

Test(field, messages_start_with_a_capital)
{
	// clang-format off
	static const struct { const struct field_def *def; const char *input; } cases[] = {
		{ &f_dob, "soon" }, { &f_start, "whenever" }, { &f_copay, "lots" },
		{ &f_email, "nope" }, { &f_phone, "12" }, { &f_age, "x" }, { &f_consent, "maybe" },
	};
	// clang-format on

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct field_value v = sentinel();
		char *message = NULL;

		cr_assert_eq(field_parse_at(cases[i].def, cases[i].input, &now_fixed, &v, &message),
		    -1, "'%s'", cases[i].input);
		cr_assert(message[0] >= 'A' && message[0] <= 'Z', "\"%s\"", message);
		free(message);
	}
}
