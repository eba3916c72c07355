/* Fuzz target: what a clerk types into a form: field_parse, dates, times and money, read back. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "fuzz.h"
#include "ui/field.h"
#include "util/date.h"
#include "util/money.h"

// clang-format off
static const struct field_code genders[] = {
	{ "male", "Male" }, { "female", "Female" }, { "other", "Other" }, { "unknown", "Unknown" },
};
static const struct field_code marital[] = {
	{ "M", "Married" }, { "S", "Never Married" }, { "D", "Divorced" }, { "W", "Widowed" },
	{ "U", "Unmarried" }, { "UNK", NULL },
};

/* One field of each kind the forms will have, with the options that change parsing. */
static const struct field_def defs[] = {
	{ .label = "ZIP code", .type = FIELD_TEXT, .required = true, .max_chars = 10,
	  .pattern = "[0-9]{5}(-[0-9]{4})?", .pattern_hint = "5 digits, as in 12345" },
	{ .label = "Note", .type = FIELD_TEXT },
	{ .label = "Family name", .type = FIELD_TEXT, .required = true, .max_chars = 35 },
	{ .label = "Date of birth", .type = FIELD_DATE, .required = true, .when = FIELD_NOT_FUTURE },
	{ .label = "Follow-up", .type = FIELD_DATE, .when = FIELD_NOT_PAST },
	{ .label = "Appointment", .type = FIELD_DATETIME, .required = true, .when = FIELD_NOT_PAST },
	{ .label = "Onset", .type = FIELD_DATETIME, .when = FIELD_NOT_FUTURE },
	{ .label = "Recorded", .type = FIELD_DATETIME },
	{ .label = "Phone", .type = FIELD_PHONE },
	{ .label = "Email", .type = FIELD_EMAIL },
	{ .label = "Gender", .type = FIELD_CODE, .codes = genders,
	  .ncodes = sizeof genders / sizeof genders[0] },
	{ .label = "Marital status", .type = FIELD_CODE, .codes = marital,
	  .ncodes = sizeof marital / sizeof marital[0] },
	{ .label = "Consent", .type = FIELD_YESNO, .required = true },
	{ .label = "Copay", .type = FIELD_MONEY, .min = 0, .max = 100000000 },
	{ .label = "Balance", .type = FIELD_MONEY, .currency = "EUR" },
	{ .label = "Units", .type = FIELD_INTEGER, .min = 1, .max = 200 },
	{ .label = "Adjustment", .type = FIELD_INTEGER },
};
#define NDEFS (sizeof defs / sizeof defs[0])

/* Clocks to parse against: an ordinary day, a leap day, both ends of the years, none. */
static const struct date_time nows[] = {
	{ { 2026, 3, 1 }, 14, 30, 20 },
	{ { 2024, 2, 29 }, 23, 59, 59 },
	{ { DATE_YEAR_MIN, 1, 1 }, 0, 0, 0 },
	{ { DATE_YEAR_MAX, 12, 31 }, 23, 59, 59 },
	{ { 0, 0, 0 }, 0, 0, 0 },
};
#define NNOWS (sizeof nows / sizeof nows[0])
// clang-format on

/* What the first byte chooses after the field definitions. */
enum { DO_DATE, DO_DATE_TIME, DO_MONEY_USD, DO_MONEY_EUR, DO_DECIMAL, DO_ARITHMETIC, DO_COUNT };

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("TZ", "America/New_York", 1);
	return 0;
}

/* date.h: a parsed date is a real day in range, and both written forms read back to it. */
static void
check_date(const struct date *d, const struct date_time *now)
{
	char buf[DATE_BUF_SIZE], *cause = NULL;
	struct date back;

	FUZZ_CHECK(date_valid(d));
	FUZZ_CHECK(date_weekday(d) >= 0 && date_weekday(d) <= 6);
	date_format_display(d, buf, sizeof buf);
	FUZZ_CHECK(date_parse(buf, &now->date, &back, &cause) == 0);
	FUZZ_CHECK(date_compare(&back, d) == 0);
	date_format_iso(d, buf, sizeof buf);
	FUZZ_CHECK(date_parse(buf, &now->date, &back, &cause) == 0);
	FUZZ_CHECK(date_compare(&back, d) == 0);
}

/* The same for a date-time; the display form has no seconds. */
static void
check_date_time(const struct date_time *dt, const struct date_time *now)
{
	char buf[DATE_BUF_SIZE], *cause = NULL;
	struct date_time back, minute = *dt;

	FUZZ_CHECK(date_time_valid(dt));
	check_date(&dt->date, now);
	date_time_format_display(dt, buf, sizeof buf);
	FUZZ_CHECK(date_time_parse(buf, now, &back, &cause) == 0);
	minute.second = 0;
	FUZZ_CHECK(date_time_compare(&back, &minute) == 0);
	FUZZ_CHECK(date_time_format_fhir(dt, 0, buf, sizeof buf) == 0);
	FUZZ_CHECK(date_time_format_fhir(dt, -300, buf, sizeof buf) == 0);
	FUZZ_CHECK(date_time_format_fhir(dt, 14 * 60 + 1, buf, sizeof buf) == -1 && buf[0] == '\0');
}

static bool
money_equal(const struct money *a, const struct money *b)
{
	return a->minor == b->minor && strcmp(a->currency, b->currency) == 0;
}

/* money.h: an amount can be negated, and each written form reads back to it. */
static void
check_money(const struct money *m)
{
	char buf[MONEY_BUF_SIZE], *cause = NULL;
	struct money back;

	FUZZ_CHECK(m->minor != INT64_MIN);
	FUZZ_CHECK(strlen(m->currency) == 3);
	money_format(m, buf, sizeof buf);
	FUZZ_CHECK(money_parse(buf, m->currency, &back, &cause) == 0 && money_equal(&back, m));
	money_format_currency(m, buf, sizeof buf);
	FUZZ_CHECK(money_parse(buf, m->currency, &back, &cause) == 0 && money_equal(&back, m));
	money_to_decimal(m, buf, sizeof buf);
	FUZZ_CHECK(money_from_decimal(buf, m->currency, &back, &cause) == 0);
	FUZZ_CHECK(money_equal(&back, m));
}

/* Checked arithmetic: an answer exactly when the exact one fits, and then that one. */
static void
check_result(int rc, const struct money *out, __int128 exact, char *cause)
{
	bool fits = exact >= -(__int128)INT64_MAX && exact <= (__int128)INT64_MAX;

	FUZZ_CHECK((rc == 0) == fits);
	if (rc == 0)
		FUZZ_CHECK(out->minor == (int64_t)exact);
	else
		FUZZ_CHECK(cause != NULL);
	free(cause);
}

/* "A|B": two amounts, added, subtracted, and A times B read as a whole number. */
static void
fuzz_arithmetic(char *text)
{
	char *bar = strchr(text, '|'), *cause = NULL, *end;
	struct money a, b, out, eur;
	long long q;

	if (bar == NULL)
		return;
	*bar = '\0';
	if (money_parse(text, NULL, &a, &cause) != 0 ||
	    money_parse(bar + 1, NULL, &b, &cause) != 0) {
		free(cause);
		return;
	}
	cause = NULL;
	check_result(money_add(&a, &b, &out, &cause), &out, (__int128)a.minor + b.minor, cause);
	cause = NULL;
	check_result(money_sub(&a, &b, &out, &cause), &out, (__int128)a.minor - b.minor, cause);
	errno = 0;
	q = strtoll(bar + 1, &end, 10);
	if (errno == 0 && *end == '\0' && end != bar + 1) {
		cause = NULL;
		check_result(money_mul(&a, q, &out, &cause), &out, (__int128)a.minor * q, cause);
	}
	/* Amounts in two currencies are never added. */
	cause = NULL;
	FUZZ_CHECK(money_make(b.minor, "EUR", &eur, &cause) == 0);
	FUZZ_CHECK(money_add(&a, &eur, &out, &cause) == -1 && cause != NULL);
	free(cause);
}

static bool
field_equal(const struct field_value *a, const struct field_value *b)
{
	struct date_time minute;

	if (a->type != b->type || a->empty != b->empty)
		return false;
	if (a->empty)
		return true;
	switch (a->type) {
	case FIELD_TEXT:
	case FIELD_PHONE:
	case FIELD_EMAIL:
		return strcmp(a->text, b->text) == 0;
	case FIELD_DATE:
		return date_compare(&a->date, &b->date) == 0;
	case FIELD_DATETIME:
		/* The form shows minutes: seconds do not survive the trip. */
		minute = a->date_time;
		minute.second = 0;
		return date_time_compare(&minute, &b->date_time) == 0;
	case FIELD_CODE:
		return a->code == b->code;
	case FIELD_YESNO:
		return a->yes == b->yes;
	case FIELD_MONEY:
		return money_equal(&a->money, &b->money);
	case FIELD_INTEGER:
		return a->integer == b->integer;
	}
	return false;
}

/* field.h: a value the field took is shown as text that field_parse reads back to it. */
static void
fuzz_field(const struct field_def *def, const char *text, const struct date_time *now)
{
	struct field_value v, back;
	char *message = NULL, *shown;
	const struct field_code *hits[8];

	if (field_parse_at(def, text, now, &v, &message) != 0) {
		FUZZ_CHECK(message != NULL && message[0] != '\0');
		free(message);
		return;
	}
	FUZZ_CHECK(message == NULL);
	if (!v.empty && v.type == FIELD_DATE)
		check_date(&v.date, now);
	if (!v.empty && v.type == FIELD_DATETIME)
		check_date_time(&v.date_time, now);
	if (!v.empty && v.type == FIELD_MONEY)
		check_money(&v.money);
	shown = field_format(&v);
	if (field_parse_at(def, shown, now, &back, &message) != 0) {
		fprintf(stderr, "fuzz: %s: '%s' was taken, shown as '%s', then refused: %s\n",
		    def->label, text, shown, message);
		FUZZ_CHECK(!"field_format's text reads back");
	}
	FUZZ_CHECK(field_equal(&v, &back));
	field_value_clear(&back);
	field_value_clear(&v);
	FUZZ_CHECK(v.empty);
	free(shown);
	if (def->type == FIELD_CODE)
		FUZZ_CHECK(field_complete(def, text, hits, 8) <= def->ncodes);
}

/* Input: which parser (a byte), which clock (a byte), then the text a clerk typed. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct date_time *now;
	struct date_time dt;
	struct money m;
	struct date d;
	char *text, *cause = NULL;
	size_t what;
	int rc = 0;

	if (size < 2)
		return 0;
	what = data[0] % (NDEFS + DO_COUNT);
	now = &nows[data[1] % NNOWS];
	text = fuzz_string(data + 2, size - 2);
	if (what < NDEFS) {
		fuzz_field(&defs[what], text, now);
		free(text);
		return 0;
	}
	switch (what - NDEFS) {
	case DO_DATE:
		if ((rc = date_parse(text, &now->date, &d, &cause)) == 0)
			check_date(&d, now);
		break;
	case DO_DATE_TIME:
		if ((rc = date_time_parse(text, now, &dt, &cause)) == 0)
			check_date_time(&dt, now);
		break;
	case DO_MONEY_USD:
	case DO_MONEY_EUR:
		rc = money_parse(text, what - NDEFS == DO_MONEY_EUR ? "EUR" : NULL, &m, &cause);
		if (rc == 0)
			check_money(&m);
		break;
	case DO_DECIMAL:
		if ((rc = money_from_decimal(text, NULL, &m, &cause)) == 0)
			check_money(&m);
		break;
	case DO_ARITHMETIC:
		fuzz_arithmetic(text);
		break;
	}
	/* A refusal always says why. */
	FUZZ_CHECK(rc == 0 || (cause != NULL && cause[0] != '\0'));
	free(cause);
	free(text);
	return 0;
}
