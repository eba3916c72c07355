/* Unit tests for the date and time parsers, calendar arithmetic and ages behind date fields. */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/date.h"

#define HINT "write a date as 2026-03-01, 03/01/2026, or T+7"

static const struct date sunday_mar_1 = {2026, 3, 1};
static const struct date_time now_fixed = {{2026, 3, 1}, 10, 20, 30};

/* A date no parser result can be, to see that failures leave the output alone. */
static const struct date untouched = {1, 2, 3};

static void
assert_date(const struct date *d, int y, int m, int day, const char *what)
{
	cr_assert(d->year == y && d->month == m && d->day == day,
	    "%s gave %04d-%02d-%02d, not %04d-%02d-%02d", what, d->year, d->month, d->day, y, m,
	    day);
}

/* Every byte of a message is printable ASCII: nothing typed reaches the terminal raw. */
static void
assert_printable(const char *msg)
{
	for (const char *p = msg; *p != '\0'; p++)
		cr_assert((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7F,
		    "byte 0x%02x in message \"%s\"", (unsigned char)*p, msg);
}

/* --- NULL, empty and missing context first ------------------------------- */

Test(date, null_empty_and_blank_are_refused)
{
	static const char *const inputs[] = {NULL, "", " ", "\t \t"};
	struct date d = untouched;

	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		char *cause = NULL;

		cr_assert_eq(date_parse(inputs[i], &sunday_mar_1, &d, &cause), -1);
		cr_assert_not_null(cause);
		cr_assert_not_null(strstr(cause, "empty date"), "%s", cause);
		cr_assert_not_null(strstr(cause, HINT), "%s", cause);
		free(cause);
		assert_date(&d, 1, 2, 3, "a refused parse");
	}
}

Test(date, relative_dates_need_today)
{
	static const struct date bad_today = {2026, 2, 30};
	struct date d = untouched;
	char *cause = NULL;

	cr_assert_eq(date_parse("T+1", NULL, &d, &cause), -1);
	cr_assert_not_null(strstr(cause, "today's date is not known"), "%s", cause);
	free(cause);
	cause = NULL;
	cr_assert_eq(date_parse("T", &bad_today, &d, &cause), -1);
	free(cause);
	cause = NULL;
	assert_date(&d, 1, 2, 3, "T without a today");
	/* An absolute date needs no today at all. */
	cr_assert_eq(date_parse("2026-03-01", NULL, &d, &cause), 0);
	assert_date(&d, 2026, 3, 1, "2026-03-01");
}

Test(date, time_parse_null_empty_and_no_now)
{
	struct date_time dt = {untouched, 1, 2, 3};
	char *cause = NULL;

	cr_assert_eq(date_time_parse(NULL, &now_fixed, &dt, &cause), -1);
	cr_assert_not_null(strstr(cause, "empty date and time"), "%s", cause);
	free(cause);
	cause = NULL;
	cr_assert_eq(date_time_parse("  ", &now_fixed, &dt, &cause), -1);
	free(cause);
	cause = NULL;
	cr_assert_eq(date_time_parse("NOW", NULL, &dt, &cause), -1);
	cr_assert_not_null(strstr(cause, "not known"), "%s", cause);
	free(cause);
	cause = NULL;
	cr_assert_eq(date_time_parse("T@10:00", NULL, &dt, &cause), -1);
	cr_assert_not_null(strstr(cause, "not known"), "%s", cause);
	free(cause);
	cause = NULL;
	cr_assert_eq(dt.hour, 1, "a refused parse must not touch the result");
	cr_assert_eq(date_time_parse("2026-03-01 10:00", NULL, &dt, &cause), 0);
	cr_assert_eq(dt.hour, 10);
}

/* --- calendar rules -------------------------------------------------------- */

Test(date, leap_years)
{
	cr_assert(date_is_leap(2000), "2000 is divisible by 400");
	cr_assert(date_is_leap(2400));
	cr_assert(date_is_leap(2024));
	cr_assert(date_is_leap(1852));
	cr_assert_not(date_is_leap(1900), "1900 is divisible by 100, not 400");
	cr_assert_not(date_is_leap(2100));
	cr_assert_not(date_is_leap(2200));
	cr_assert_not(date_is_leap(2026));
	cr_assert_not(date_is_leap(2023));
}

Test(date, days_in_month)
{
	static const int common[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	for (int m = 1; m <= 12; m++) {
		cr_assert_eq(date_days_in_month(2026, m), common[m - 1], "month %d", m);
		cr_assert_eq(
		    date_days_in_month(2024, m), m == 2 ? 29 : common[m - 1], "month %d", m);
	}
	cr_assert_eq(date_days_in_month(1900, 2), 28);
	cr_assert_eq(date_days_in_month(2000, 2), 29);
	cr_assert_eq(date_days_in_month(2026, 0), 0);
	cr_assert_eq(date_days_in_month(2026, 13), 0);
	cr_assert_eq(date_days_in_month(2026, -1), 0);
}

Test(date, valid_checks_range_and_month_lengths)
{
	static const struct date good[] = {
	    {1850, 1, 1}, {2200, 12, 31}, {2000, 2, 29}, {2024, 2, 29}, {2026, 4, 30}};
	static const struct date bad[] = {{1849, 12, 31}, {2201, 1, 1}, {1900, 2, 29},
	    {2026, 2, 29}, {2026, 4, 31}, {2026, 0, 1}, {2026, 13, 1}, {2026, 1, 0}, {2026, 1, -1},
	    {0, 0, 0}};

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		cr_assert(date_valid(&good[i]), "good[%zu]", i);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_not(date_valid(&bad[i]), "bad[%zu]", i);
	cr_assert_not(date_valid(NULL));
	cr_assert_not(date_time_valid(NULL));
}

Test(date, weekdays)
{
	static const struct date thursday = {1970, 1, 1}, saturday = {2000, 1, 1},
	                         wednesday = {1850, 1, 2}, last = {2200, 12, 31};

	cr_assert_eq(date_weekday(&sunday_mar_1), 0);
	cr_assert_eq(date_weekday(&thursday), 4);
	cr_assert_eq(date_weekday(&saturday), 6);
	cr_assert_eq(date_weekday(&wednesday), 3);
	cr_assert_eq(date_weekday(&last), 3, "2200-12-31 is a Wednesday");
}

/*
 * Walk every day of the range by the schoolbook rule and check that the
 * day-count arithmetic (T+1), the weekday, both formats and the parser agree.
 */
Test(date, every_day_in_range_round_trips)
{
	struct date d = {DATE_YEAR_MIN, 1, 1}, next;
	int weekday = date_weekday(&d);
	long days = 0;
	char buf[DATE_BUF_SIZE];

	for (;;) {
		struct date back = untouched;
		char *cause = NULL;

		cr_assert(date_valid(&d));
		date_format_iso(&d, buf, sizeof buf);
		cr_assert_eq(date_parse(buf, NULL, &back, &cause), 0, "%s: %s", buf, cause);
		cr_assert_eq(date_compare(&back, &d), 0, "%s", buf);
		date_format_display(&d, buf, sizeof buf);
		cr_assert_eq(date_parse(buf, NULL, &back, &cause), 0, "%s: %s", buf, cause);
		cr_assert_eq(date_compare(&back, &d), 0, "%s", buf);
		cr_assert_eq(date_weekday(&d), weekday, "%s", buf);

		next = d;
		if (++next.day > date_days_in_month(next.year, next.month)) {
			next.day = 1;
			if (++next.month > 12) {
				next.month = 1;
				next.year++;
			}
		}
		if (next.year > DATE_YEAR_MAX) {
			cr_assert_eq(date_parse("T+1", &d, &back, &cause), -1, "past the last day");
			free(cause);
			break;
		}
		cr_assert_eq(date_parse("T+1", &d, &back, &cause), 0, "%s: %s", buf, cause);
		cr_assert_eq(date_compare(&back, &next), 0, "T+1 from %s", buf);
		cr_assert_eq(date_parse("T-1", &next, &back, &cause), 0);
		cr_assert_eq(date_compare(&back, &d), 0, "T-1 back to %s", buf);
		cr_assert_eq(date_diff_days(&d, &next), 1);
		cr_assert_lt(date_compare(&d, &next), 0);
		cr_assert_gt(date_compare(&next, &d), 0);
		d = next;
		weekday = (weekday + 1) % 7;
		days++;
	}
	/* 1850-01-01..2200-12-31: 351 years, 85 of them leap (2000 is, 1900 and 2100 are not). */
	cr_assert_eq(days + 1, 351L * 365 + 85);
}

/* --- accepted dates -------------------------------------------------------- */

struct good_case {
	char text[48];
	int today[3];
	int want[3];
};

ParameterizedTestParameters(date, accepted)
{
	// clang-format off
	static struct good_case cases[] = {
		/* absolute, ISO and US */
		{ "2026-03-01", { 2026, 1, 1 }, { 2026, 3, 1 } },
		{ "2026-3-1", { 2026, 1, 1 }, { 2026, 3, 1 } },
		{ "  2026-03-01\t", { 2026, 1, 1 }, { 2026, 3, 1 } },
		{ "03/01/2026", { 2026, 1, 1 }, { 2026, 3, 1 } },
		{ "3/1/2026", { 2026, 1, 1 }, { 2026, 3, 1 } },
		{ "12/31/2026", { 2026, 1, 1 }, { 2026, 12, 31 } },
		{ "2000-02-29", { 2026, 1, 1 }, { 2000, 2, 29 } },
		{ "02/29/2024", { 2026, 1, 1 }, { 2024, 2, 29 } },
		{ "1850-01-01", { 2026, 1, 1 }, { 1850, 1, 1 } },
		{ "12/31/2200", { 2026, 1, 1 }, { 2200, 12, 31 } },
		/* today, in every spelling */
		{ "T", { 2026, 3, 1 }, { 2026, 3, 1 } },
		{ "t", { 2026, 3, 1 }, { 2026, 3, 1 } },
		{ "TODAY", { 2026, 3, 1 }, { 2026, 3, 1 } },
		{ "Today", { 2026, 3, 1 }, { 2026, 3, 1 } },
		{ "N", { 2026, 3, 1 }, { 2026, 3, 1 } },
		{ "now", { 2026, 3, 1 }, { 2026, 3, 1 } },
		{ " T ", { 2026, 3, 1 }, { 2026, 3, 1 } },
		/* days and weeks */
		{ "T+7", { 2026, 3, 1 }, { 2026, 3, 8 } },
		{ "T+7D", { 2026, 3, 1 }, { 2026, 3, 8 } },
		{ "t+7d", { 2026, 3, 1 }, { 2026, 3, 8 } },
		{ "T-1", { 2026, 3, 1 }, { 2026, 2, 28 } },
		{ "T-1", { 2024, 3, 1 }, { 2024, 2, 29 } },
		{ "T-1", { 1900, 3, 1 }, { 1900, 2, 28 } },
		{ "T-1", { 2000, 3, 1 }, { 2000, 2, 29 } },
		{ "T-0", { 2026, 3, 1 }, { 2026, 3, 1 } },
		{ "T+0", { 2026, 3, 1 }, { 2026, 3, 1 } },
		{ "T+1", { 2026, 12, 31 }, { 2027, 1, 1 } },
		{ "T+2W", { 2026, 3, 1 }, { 2026, 3, 15 } },
		{ "T-2w", { 2026, 3, 1 }, { 2026, 2, 15 } },
		{ "T+365", { 2026, 1, 1 }, { 2027, 1, 1 } },
		{ "T+365", { 2024, 1, 1 }, { 2024, 12, 31 } },
		{ "N+1", { 2026, 3, 1 }, { 2026, 3, 2 } },
		{ "T+000007", { 2026, 3, 1 }, { 2026, 3, 8 } },
		/* months and years stay within the month */
		{ "T+1M", { 2026, 1, 31 }, { 2026, 2, 28 } },
		{ "T+1M", { 2024, 1, 31 }, { 2024, 2, 29 } },
		{ "T+1M", { 2026, 3, 31 }, { 2026, 4, 30 } },
		{ "T+3M", { 2025, 11, 30 }, { 2026, 2, 28 } },
		{ "T-1M", { 2026, 3, 31 }, { 2026, 2, 28 } },
		{ "T+2M", { 2026, 1, 31 }, { 2026, 3, 31 } },
		{ "T+12M", { 2026, 1, 31 }, { 2027, 1, 31 } },
		{ "T-13M", { 2026, 1, 15 }, { 2024, 12, 15 } },
		{ "T+1M", { 2026, 12, 15 }, { 2027, 1, 15 } },
		{ "T-1M", { 2026, 1, 15 }, { 2025, 12, 15 } },
		{ "T+1Y", { 2024, 2, 29 }, { 2025, 2, 28 } },
		{ "T+4Y", { 2024, 2, 29 }, { 2028, 2, 29 } },
		{ "T-65Y", { 2026, 3, 1 }, { 1961, 3, 1 } },
		/* the edges of the range are reachable */
		{ "T-176Y", { 2026, 3, 1 }, { 1850, 3, 1 } },
		{ "T+174Y", { 2026, 3, 1 }, { 2200, 3, 1 } },
	};
	// clang-format on
	return cr_make_param_array(struct good_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct good_case *c, date, accepted)
{
	struct date today = {c->today[0], c->today[1], c->today[2]}, d = untouched;
	char *cause = NULL;

	cr_assert_eq(date_parse(c->text, &today, &d, &cause), 0, "'%s' refused: %s", c->text,
	    cause ? cause : "");
	assert_date(&d, c->want[0], c->want[1], c->want[2], c->text);
}

/* --- refused dates, each with the words the clerk should see -------------- */

struct bad_case {
	char text[48];
	char needle[64];
};

ParameterizedTestParameters(date, refused)
{
	// clang-format off
	static struct bad_case cases[] = {
		{ "02/29/2026", "February has 28 days in 2026" },
		{ "2026-02-29", "February has 28 days in 2026" },
		{ "1900-02-29", "February has 28 days in 1900" },
		{ "2100-02-29", "February has 28 days in 2100" },
		{ "02/30/2024", "February has 29 days in 2024" },
		{ "2026-04-31", "April has 30 days" },
		{ "11/31/2026", "November has 30 days" },
		{ "2026-13-01", "there is no month 13" },
		{ "2026-00-10", "there is no month 0" },
		{ "31/02/2026", "write the month first" },
		{ "13/12/2026", "there is no month 13" },
		{ "2026-01-00", "there is no day 0" },
		{ "01/00/2026", "there is no day 0" },
		{ "1849-12-31", "outside the years 1850 to 2200" },
		{ "2201-01-01", "outside the years 1850 to 2200" },
		{ "01/01/0000", "outside the years 1850 to 2200" },
		{ "03/01/26", "four digits" },
		{ "3/1/26", "four digits" },
		{ "03/01/202", HINT },
		{ "03/01/20266", HINT },
		{ "2026/03/01", HINT },
		{ "20260301", HINT },
		{ "03-01-2026", HINT },
		{ "2026-03-01x", HINT },
		{ "2026-03-01 10:00", HINT },
		{ "2026-003-01", HINT },
		{ "026-03-01", HINT },
		{ "-2026-03-01", HINT },
		{ "T+", "needs a number after +" },
		{ "T-", "needs a number after -" },
		{ "T+7X", "D for days" },
		{ "T+7DD", "D for days" },
		{ "T+99999", "too far ahead" },
		{ "T-99999", "too far back" },
		{ "T+175Y", "too far ahead" },
		{ "T-177Y", "too far back" },
		{ "T+999999M", "too far ahead" },
		{ "T+9999999", "too far ahead" },
		{ "T+99999999999999999999", "too far ahead" },
		{ "T++7", "needs a number after +" },
		{ "T 7", HINT },
		{ "+7", HINT },
		{ "TOMORROW", HINT },
		{ "TODAYS", HINT },
		{ "X", HINT },
		{ "1e3", HINT },
		{ "NaN", HINT },
		{ "\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x96-03-01", HINT },
		{ "2026-03-01\x1b[2J", HINT },
		{ "T+1\x1b[2J", HINT },
	};
	// clang-format on
	return cr_make_param_array(struct bad_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct bad_case *c, date, refused)
{
	struct date d = untouched;
	char *cause = NULL;

	cr_assert_eq(date_parse(c->text, &sunday_mar_1, &d, &cause), -1, "'%s' accepted", c->text);
	cr_assert_not_null(cause);
	cr_assert_not_null(
	    strstr(cause, c->needle), "'%s': \"%s\" lacks \"%s\"", c->text, cause, c->needle);
	assert_printable(cause);
	assert_date(&d, 1, 2, 3, "a refused parse");
	free(cause);
}

Test(date, messages_read_as_sentences)
{
	struct date d;
	char *cause = NULL;

	cr_assert_eq(date_parse("02/31/2026", NULL, &d, &cause), -1);
	cr_assert_str_eq(cause, "02/31/2026 is not a date: February has 28 days in 2026");
	free(cause);
	cause = NULL;
	cr_assert_eq(date_parse("31/02/2026", NULL, &d, &cause), -1);
	cr_assert_str_eq(cause,
	    "31/02/2026 is not a date: there is no month 31 (write the month first, as in "
	    "03/01/2026)");
	free(cause);
	cause = NULL;
	cr_assert_eq(date_parse("soon", &sunday_mar_1, &d, &cause), -1);
	cr_assert_str_eq(cause, HINT);
	free(cause);
}

/* Every single byte: only T, t, N and n are dates on their own, and nothing crashes. */
Test(date, every_single_byte)
{
	for (int b = 1; b < 256; b++) {
		char text[2] = {(char)b, '\0'};
		struct date d = untouched;
		char *cause = NULL;
		int rc = date_parse(text, &sunday_mar_1, &d, &cause);

		if (b == 'T' || b == 't' || b == 'N' || b == 'n') {
			cr_assert_eq(rc, 0, "byte 0x%02x", b);
			assert_date(&d, 2026, 3, 1, "T or N");
		} else {
			cr_assert_eq(rc, -1, "byte 0x%02x accepted", b);
			assert_printable(cause);
			free(cause);
		}
	}
}

Test(date, a_megabyte_is_refused_without_being_quoted)
{
	static const char fill[] = {'1', 'T', '+', ' ', '\xff', '/'};
	size_t n = 1 << 20;
	char *big = malloc(n + 1);

	cr_assert_not_null(big);
	for (size_t f = 0; f < sizeof fill; f++) {
		struct date d = untouched;
		struct date_time dt = {untouched, 1, 2, 3};
		char *cause = NULL;

		memset(big, fill[f], n);
		big[n] = '\0';
		cr_assert_eq(date_parse(big, &sunday_mar_1, &d, &cause), -1);
		cr_assert_lt(strlen(cause), 200u);
		assert_printable(cause);
		free(cause);
		cause = NULL;
		cr_assert_eq(date_time_parse(big, &now_fixed, &dt, &cause), -1);
		cr_assert_lt(strlen(cause), 200u);
		free(cause);
		assert_date(&d, 1, 2, 3, "a megabyte");
	}
	/* A real date after a megabyte of blanks is still found. */
	memset(big, ' ', n);
	memcpy(big + n - 10, "2026-03-01", 10);
	{
		struct date d = untouched;
		char *cause = NULL;

		cr_assert_eq(date_parse(big, NULL, &d, &cause), 0, "%s", cause ? cause : "");
		assert_date(&d, 2026, 3, 1, "blanks then a date");
	}
	free(big);
}

/* --- date and time --------------------------------------------------------- */

struct time_case {
	char text[48];
	int want[6];
};

ParameterizedTestParameters(date, time_accepted)
{
	// clang-format off
	static struct time_case cases[] = {
		{ "2026-03-01 14:30", { 2026, 3, 1, 14, 30, 0 } },
		{ "2026-03-01T14:30", { 2026, 3, 1, 14, 30, 0 } },
		{ "2026-03-01t14:30:15", { 2026, 3, 1, 14, 30, 15 } },
		{ "2026-03-01@14:30", { 2026, 3, 1, 14, 30, 0 } },
		{ "03/01/2026 2:30 PM", { 2026, 3, 1, 14, 30, 0 } },
		{ "03/01/2026 2:30pm", { 2026, 3, 1, 14, 30, 0 } },
		{ "3/1/2026@9am", { 2026, 3, 1, 9, 0, 0 } },
		{ "T@14:30", { 2026, 3, 1, 14, 30, 0 } },
		{ "t@14:30", { 2026, 3, 1, 14, 30, 0 } },
		{ "TODAY 14:30", { 2026, 3, 1, 14, 30, 0 } },
		{ "T+1@9:00", { 2026, 3, 2, 9, 0, 0 } },
		{ " T+1 @ 9:00 ", { 2026, 3, 2, 9, 0, 0 } },
		{ "T+1M@8:05", { 2026, 4, 1, 8, 5, 0 } },
		{ "T@1430", { 2026, 3, 1, 14, 30, 0 } },
		{ "T@930", { 2026, 3, 1, 9, 30, 0 } },
		{ "T@0:00", { 2026, 3, 1, 0, 0, 0 } },
		{ "T@23:59:59", { 2026, 3, 1, 23, 59, 59 } },
		{ "T@12am", { 2026, 3, 1, 0, 0, 0 } },
		{ "T@12:30AM", { 2026, 3, 1, 0, 30, 0 } },
		{ "T@12pm", { 2026, 3, 1, 12, 0, 0 } },
		{ "T@11:59 pm", { 2026, 3, 1, 23, 59, 0 } },
		{ "N", { 2026, 3, 1, 10, 20, 30 } },
		{ "NOW", { 2026, 3, 1, 10, 20, 30 } },
		{ " now ", { 2026, 3, 1, 10, 20, 30 } },
	};
	// clang-format on
	return cr_make_param_array(struct time_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct time_case *c, date, time_accepted)
{
	struct date_time dt = {untouched, -1, -1, -1};
	char *cause = NULL;

	cr_assert_eq(date_time_parse(c->text, &now_fixed, &dt, &cause), 0, "'%s' refused: %s",
	    c->text, cause ? cause : "");
	cr_assert(dt.date.year == c->want[0] && dt.date.month == c->want[1] &&
	              dt.date.day == c->want[2] && dt.hour == c->want[3] &&
	              dt.minute == c->want[4] && dt.second == c->want[5],
	    "'%s' gave %04d-%02d-%02d %02d:%02d:%02d", c->text, dt.date.year, dt.date.month,
	    dt.date.day, dt.hour, dt.minute, dt.second);
}

ParameterizedTestParameters(date, time_refused)
{
	// clang-format off
	static struct bad_case cases[] = {
		{ "T", "T has no time: add one, as in T@14:30" },
		{ "2026-03-01", "has no time" },
		{ "T@", "write a date and time" },
		{ "2026-03-01T", "write a date and time" },
		{ "@14:30", "empty date" },
		{ "T@24:00", "hours run from 0 to 23" },
		{ "T@2400", "hours run from 0 to 23" },
		{ "T@12:60", "minutes run from 0 to 59" },
		{ "T@14:30:60", "seconds run from 0 to 59" },
		{ "T@13pm", "the hour is 1 to 12" },
		{ "T@0am", "the hour is 1 to 12" },
		{ "T@1:2", "write a time as" },
		{ "T@14:3", "write a time as" },
		{ "T@14.30", "write a date and time" },
		{ "T@12345", "write a time as" },
		{ "T@2 p m", "write a time as" },
		{ "T@2pmx", "write a time as" },
		{ "T@noon", "write a time as" },
		{ "T@-1:00", "write a time as" },
		{ "NOW@14:30", "write NOW alone" },
		{ "N 14:30", "write NOW alone" },
		{ "02/30/2026 10:00", "February has 28 days in 2026" },
		{ "T+99999@10:00", "too far ahead" },
		{ "2026-03-01 10:00\x1b[2J", "write a date and time" },
	};
	// clang-format on
	return cr_make_param_array(struct bad_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct bad_case *c, date, time_refused)
{
	struct date_time dt = {untouched, 1, 2, 3};
	char *cause = NULL;

	cr_assert_eq(
	    date_time_parse(c->text, &now_fixed, &dt, &cause), -1, "'%s' accepted", c->text);
	cr_assert_not_null(
	    strstr(cause, c->needle), "'%s': \"%s\" lacks \"%s\"", c->text, cause, c->needle);
	assert_printable(cause);
	cr_assert_eq(dt.hour, 1, "a refused parse must not touch the result");
	free(cause);
}

Test(date, time_compare)
{
	struct date_time a = now_fixed, b = now_fixed;

	cr_assert_eq(date_time_compare(&a, &b), 0);
	b.second++;
	cr_assert_lt(date_time_compare(&a, &b), 0);
	b = now_fixed;
	b.minute--;
	cr_assert_gt(date_time_compare(&a, &b), 0);
	b = now_fixed;
	b.date.day++;
	b.hour = 0;
	cr_assert_lt(date_time_compare(&a, &b), 0);
}

/* --- ages ------------------------------------------------------------------ */

Test(date, age_across_birthdays)
{
	static const struct date born = {1990, 6, 15};
	struct date today = {2026, 6, 14};

	cr_assert_eq(date_age_years(&born, &today), 35, "the day before the birthday");
	today.day = 15;
	cr_assert_eq(date_age_years(&born, &today), 36, "on the birthday");
	today = (struct date){2026, 5, 31};
	cr_assert_eq(date_age_years(&born, &today), 35, "an earlier month");
	today = (struct date){2026, 12, 31};
	cr_assert_eq(date_age_years(&born, &today), 36);
	cr_assert_eq(date_age_years(&born, &born), 0, "born today");
	today = (struct date){1991, 6, 14};
	cr_assert_eq(date_age_years(&born, &today), 0, "a day short of one");
}

Test(date, age_of_a_leap_day_birth)
{
	static const struct date born = {2000, 2, 29};
	struct date today;

	today = (struct date){2026, 2, 28};
	cr_assert_eq(date_age_years(&born, &today), 25, "Feb 28 in a common year is not yet");
	today = (struct date){2026, 3, 1};
	cr_assert_eq(date_age_years(&born, &today), 26, "Mar 1 in a common year is");
	today = (struct date){2024, 2, 28};
	cr_assert_eq(date_age_years(&born, &today), 23);
	today = (struct date){2024, 2, 29};
	cr_assert_eq(date_age_years(&born, &today), 24, "the birthday itself in a leap year");
	today = (struct date){2001, 2, 28};
	cr_assert_eq(date_age_years(&born, &today), 0);
	today = (struct date){2001, 3, 1};
	cr_assert_eq(date_age_years(&born, &today), 1);
}

Test(date, age_refuses_what_is_not_an_age)
{
	static const struct date born = {2000, 1, 1}, bad = {2026, 2, 29};
	struct date today = {1999, 12, 31};

	cr_assert_eq(date_age_years(&born, &today), -1, "born after today");
	cr_assert_eq(date_age_years(&bad, &sunday_mar_1), -1);
	cr_assert_eq(date_age_years(&born, &bad), -1);
	cr_assert_eq(date_age_years(NULL, &sunday_mar_1), -1);
	cr_assert_eq(date_age_years(&born, NULL), -1);
	today = (struct date){2200, 12, 31};
	cr_assert_eq(date_age_years(&(struct date){1850, 1, 1}, &today), 350);
}

/* --- formats --------------------------------------------------------------- */

Test(date, formats)
{
	static const struct date_time dt = {{2026, 3, 1}, 14, 30, 5};
	char buf[DATE_BUF_SIZE];

	date_format_iso(&sunday_mar_1, buf, sizeof buf);
	cr_assert_str_eq(buf, "2026-03-01");
	date_format_display(&sunday_mar_1, buf, sizeof buf);
	cr_assert_str_eq(buf, "03/01/2026");
	date_time_format_display(&dt, buf, sizeof buf);
	cr_assert_str_eq(buf, "03/01/2026 14:30");
	cr_assert_eq(date_time_format_fhir(&dt, -300, buf, sizeof buf), 0);
	cr_assert_str_eq(buf, "2026-03-01T14:30:05-05:00");
	cr_assert_eq(date_time_format_fhir(&dt, 330, buf, sizeof buf), 0);
	cr_assert_str_eq(buf, "2026-03-01T14:30:05+05:30");
	cr_assert_eq(date_time_format_fhir(&dt, -570, buf, sizeof buf), 0);
	cr_assert_str_eq(buf, "2026-03-01T14:30:05-09:30");
	cr_assert_eq(date_time_format_fhir(&dt, 0, buf, sizeof buf), 0);
	cr_assert_str_eq(buf, "2026-03-01T14:30:05+00:00");
	cr_assert_eq(date_time_format_fhir(&dt, -14 * 60, buf, sizeof buf), 0);
	cr_assert_str_eq(buf, "2026-03-01T14:30:05-14:00");
}

Test(date, formats_respect_small_buffers)
{
	static const struct date_time dt = {{2026, 3, 1}, 14, 30, 5};
	static const struct date_time bad = {{2026, 2, 29}, 14, 30, 5};
	char buf[8] = "xxxxxxx";

	date_format_iso(&sunday_mar_1, buf, 5);
	cr_assert_str_eq(buf, "2026");
	date_format_display(&sunday_mar_1, buf, 1);
	cr_assert_str_eq(buf, "");
	memcpy(buf, "xxxxxxx", 8);
	date_format_iso(&sunday_mar_1, buf, 0);
	cr_assert_str_eq(buf, "xxxxxxx", "size 0 writes nothing");
	cr_assert_eq(date_time_format_fhir(&dt, 0, buf, sizeof buf), -1);
	cr_assert_str_eq(buf, "", "a cut FHIR time is no time");
	{
		char big[DATE_BUF_SIZE] = "x";

		cr_assert_eq(date_time_format_fhir(&dt, 14 * 60 + 1, big, sizeof big), -1);
		cr_assert_str_eq(big, "");
		cr_assert_eq(date_time_format_fhir(&bad, 0, big, sizeof big), -1);
		cr_assert_eq(date_time_format_fhir(NULL, 0, big, sizeof big), -1);
	}
}

Test(date, time_display_round_trips)
{
	char buf[DATE_BUF_SIZE];

	for (int h = 0; h < 24; h++) {
		for (int m = 0; m < 60; m += 7) {
			struct date_time dt = {{2024, 2, 29}, h, m, 0}, back;
			char *cause = NULL;

			date_time_format_display(&dt, buf, sizeof buf);
			cr_assert_eq(date_time_parse(buf, &now_fixed, &back, &cause), 0, "%s: %s",
			    buf, cause ? cause : "");
			cr_assert_eq(date_time_compare(&back, &dt), 0, "%s", buf);
		}
	}
}

/* A POSIX TZ rule needs no zone files: US Eastern, DST from March to November. */
Test(date, local_offset_follows_dst)
{
	static const struct date_time winter = {{2026, 1, 15}, 12, 0, 0};
	static const struct date_time summer = {{2026, 7, 15}, 12, 0, 0};

	setenv("TZ", "EST5EDT,M3.2.0,M11.1.0", 1);
	tzset();
	cr_assert_eq(date_time_local_offset(&winter), -300);
	cr_assert_eq(date_time_local_offset(&summer), -240);
	setenv("TZ", "IST-5:30", 1);
	tzset();
	cr_assert_eq(date_time_local_offset(&winter), 330);
}

Test(date, now_is_a_valid_time)
{
	struct date_time now;

	date_time_now(&now);
	cr_assert(date_time_valid(&now));
	cr_assert_geq(now.date.year, 2024);
}
