/* Calendar arithmetic and the date and time parsers behind date fields in forms. */
#include "config.h"

#include "util/date.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define DATE_HINT "write a date as 2026-03-01, 03/01/2026, or T+7"
#define TIME_HINT "write a time as 14:30 or 2:30pm"
#define DATE_TIME_HINT "write a date and time as 2026-03-01 14:30, 03/01/2026 2:30pm or T+1@9:00"

/*
 * Nothing a clerk types as a date is this long; longer text is refused before
 * it is looked at, and anything quoted back in a message is shorter still.
 */
#define DATE_TEXT_MAX 40

#define DATE_CHARS "0123456789+-/ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

/* Relative offsets beyond this many units are typos; the year range catches the rest. */
#define DATE_OFFSET_DIGITS 6

static const char *const month_names[] = {"January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December"};

/* Only ASCII blanks: isspace() under a UTF-8 locale is not what we mean. */
static bool
date_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool
date_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char
date_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/*
 * Copy TEXT without surrounding blanks into BUF (DATE_TEXT_MAX + 1 bytes).
 * Returns the length, or -1 when it does not fit: such text is no date.
 */
static int
date_trim(const char *text, size_t len, char *buf)
{
	while (len > 0 && date_is_blank(*text))
		text++, len--;
	while (len > 0 && date_is_blank(text[len - 1]))
		len--;
	if (len > DATE_TEXT_MAX)
		return -1;
	memmove(buf, text, len); /* BUF may be TEXT itself */
	buf[len] = '\0';
	return (int)len;
}

/* Case-insensitive equality of a NUL-terminated word with an upper-case keyword. */
static bool
date_word_is(const char *word, const char *keyword)
{
	while (*word != '\0' && date_upper(*word) == *keyword)
		word++, keyword++;
	return *word == '\0' && *keyword == '\0';
}

bool
date_is_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int
date_days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (month < 1 || month > 12)
		return 0;
	if (month == 2 && date_is_leap(year))
		return 29;
	return days[month - 1];
}

bool
date_valid(const struct date *d)
{
	return d != NULL && d->year >= DATE_YEAR_MIN && d->year <= DATE_YEAR_MAX && d->month >= 1 &&
	       d->month <= 12 && d->day >= 1 && d->day <= date_days_in_month(d->year, d->month);
}

bool
date_time_valid(const struct date_time *dt)
{
	return dt != NULL && date_valid(&dt->date) && dt->hour >= 0 && dt->hour <= 23 &&
	       dt->minute >= 0 && dt->minute <= 59 && dt->second >= 0 && dt->second <= 59;
}

/*
 * Days since 1970-01-01 in the proleptic Gregorian calendar, and back (Howard
 * Hinnant's civil-calendar algorithms): exact, no time_t, no time zone.
 */
static long
date_to_days(long y, long m, long d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
date_from_days(long z, long *y, long *m, long *d)
{
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

int
date_compare(const struct date *a, const struct date *b)
{
	if (a->year != b->year)
		return a->year < b->year ? -1 : 1;
	if (a->month != b->month)
		return a->month < b->month ? -1 : 1;
	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	return 0;
}

int
date_time_compare(const struct date_time *a, const struct date_time *b)
{
	int c = date_compare(&a->date, &b->date);

	if (c != 0)
		return c;
	if (a->hour != b->hour)
		return a->hour < b->hour ? -1 : 1;
	if (a->minute != b->minute)
		return a->minute < b->minute ? -1 : 1;
	if (a->second != b->second)
		return a->second < b->second ? -1 : 1;
	return 0;
}

int
date_weekday(const struct date *d)
{
	long z = date_to_days(d->year, d->month, d->day);

	/* 1970-01-01 was a Thursday. */
	return (int)(((z + 4) % 7 + 7) % 7);
}

long
date_diff_days(const struct date *a, const struct date *b)
{
	return date_to_days(b->year, b->month, b->day) - date_to_days(a->year, a->month, a->day);
}

/* The reason a syntactically fine Y-M-D is not a real date, for a message. */
static char *
date_why_not(const char *text, long y, long m, long d, bool month_first)
{
	if (m < 1 || m > 12) {
		if (month_first && d >= 1 && d <= 12)
			return xasprintf("%s is not a date: there is no month %ld (write the month "
			                 "first, as in 03/01/2026)",
			    text, m);
		return xasprintf("%s is not a date: there is no month %ld", text, m);
	}
	if (d < 1)
		return xasprintf("%s is not a date: there is no day 0", text);
	if (y < DATE_YEAR_MIN || y > DATE_YEAR_MAX)
		return xasprintf(
		    "%s is outside the years %d to %d", text, DATE_YEAR_MIN, DATE_YEAR_MAX);
	if (m == 2)
		return xasprintf("%s is not a date: February has %d days in %ld", text,
		    date_days_in_month((int)y, 2), y);
	return xasprintf("%s is not a date: %s has %d days", text, month_names[m - 1],
	    date_days_in_month((int)y, (int)m));
}

/* Read up to MAX digits at *P into *N; returns how many there were (0 when none, MAX + 1 when
 * more). */
static int
date_digits(const char **p, int max, long *n)
{
	int count = 0;

	*n = 0;
	while (date_is_digit(**p)) {
		if (count == max)
			return max + 1;
		*n = *n * 10 + (**p - '0');
		(*p)++, count++;
	}
	return count;
}

/* 2026-03-01 or 03/01/2026; TEXT is trimmed and starts with a digit. */
static int
date_parse_absolute(const char *text, struct date *out, char **cause)
{
	const char *p = text;
	long a, b, c;
	int na, nb, nc;
	char sep;
	bool month_first;

	na = date_digits(&p, 4, &a);
	sep = *p;
	if ((sep != '-' && sep != '/') || (sep == '-' && na != 4) || (sep == '/' && na > 2))
		goto bad;
	p++;
	nb = date_digits(&p, 2, &b);
	if (nb < 1 || nb > 2 || *p != sep)
		goto bad;
	p++;
	nc = date_digits(&p, 4, &c);
	if (*p != '\0' || nc < 1 || nc > 4)
		goto bad;
	if (sep == '-') {
		if (nc > 2)
			goto bad;
		month_first = false;
		out->year = (int)a, out->month = (int)b, out->day = (int)c;
	} else {
		if (nc == 2) {
			*cause = xasprintf(
			    "%s has a two-digit year: write all four digits, as in 03/01/2026",
			    text);
			return -1;
		}
		if (nc != 4)
			goto bad;
		month_first = true;
		out->year = (int)c, out->month = (int)a, out->day = (int)b;
	}
	if (!date_valid(out)) {
		*cause = date_why_not(text, out->year, out->month, out->day, month_first);
		return -1;
	}
	return 0;

bad:
	*cause = xstrdup(DATE_HINT);
	return -1;
}

/* Move D by N units of D(ays), W(eeks), M(onths) or Y(ears); months keep within the month. */
static void
date_shift(const struct date *d, long n, char unit, long *y, long *m, long *day)
{
	long months, last;

	switch (unit) {
	case 'W':
		n *= 7;
		/* FALLTHROUGH */
	case 'D':
		date_from_days(date_to_days(d->year, d->month, d->day) + n, y, m, day);
		return;
	case 'Y':
		n *= 12;
		/* FALLTHROUGH */
	default:
		months = (long)d->year * 12 + (d->month - 1) + n;
		*y = months >= 0 ? months / 12 : -((-months + 11) / 12);
		*m = months - *y * 12 + 1;
		last = date_days_in_month((int)*y, (int)*m);
		*day = d->day < last ? d->day : last;
		return;
	}
}

/* T, TODAY, N, NOW with an optional offset such as +7, -2W, +3M; TEXT is trimmed. */
static int
date_parse_relative(const char *text, const struct date *today, struct date *out, char **cause)
{
	char word[8];
	const char *p = text;
	size_t wl = 0;
	long n = 0, y, m, d;
	int nd;
	char sign, unit = 'D';

	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) {
		if (wl == sizeof word - 1)
			goto bad;
		word[wl++] = *p++;
	}
	word[wl] = '\0';
	if (!date_word_is(word, "T") && !date_word_is(word, "TODAY") && !date_word_is(word, "N") &&
	    !date_word_is(word, "NOW"))
		goto bad;
	if (!date_valid(today)) {
		*cause = xstrdup(
		    "today's date is not known, so T cannot be used; write a date as 2026-03-01");
		return -1;
	}
	if (*p == '\0') {
		*out = *today;
		return 0;
	}
	sign = *p++;
	if (sign != '+' && sign != '-')
		goto bad;
	nd = date_digits(&p, DATE_OFFSET_DIGITS, &n);
	if (nd == 0) {
		*cause = xasprintf("%s needs a number after %c, as in T%c7", text, sign, sign);
		return -1;
	}
	if (nd > DATE_OFFSET_DIGITS)
		goto too_far;
	if (*p != '\0') {
		unit = date_upper(*p++);
		if ((unit != 'D' && unit != 'W' && unit != 'M' && unit != 'Y') || *p != '\0') {
			*cause = xasprintf("%s: after the number write D for days, W weeks, M "
			                   "months or Y years, as in T+2W",
			    text);
			return -1;
		}
	}
	date_shift(today, sign == '-' ? -n : n, unit, &y, &m, &d);
	if (y < DATE_YEAR_MIN || y > DATE_YEAR_MAX)
		goto too_far;
	out->year = (int)y, out->month = (int)m, out->day = (int)d;
	return 0;

bad:
	*cause = xstrdup(DATE_HINT);
	return -1;
too_far:
	*cause = xasprintf("%s is too far %s: dates run from %d to %d", text,
	    sign == '-' ? "back" : "ahead", DATE_YEAR_MIN, DATE_YEAR_MAX);
	return -1;
}

/* date_parse on LEN bytes of TEXT, which need not be NUL-terminated. */
static int
date_parse_n(const char *text, size_t len, const struct date *today, struct date *out, char **cause)
{
	char buf[DATE_TEXT_MAX + 1];
	struct date d;
	int n;

	n = date_trim(text, len, buf);
	if (n == 0) {
		*cause = xstrdup("empty date; " DATE_HINT);
		return -1;
	}
	if (n < 0) {
		*cause = xstrdup("that is too long for a date; " DATE_HINT);
		return -1;
	}
	/* Only these can be part of a date, so messages may quote BUF safely. */
	if (buf[strspn(buf, DATE_CHARS)] != '\0') {
		*cause = xstrdup(DATE_HINT);
		return -1;
	}
	if (date_is_digit(buf[0])) {
		if (date_parse_absolute(buf, &d, cause) != 0)
			return -1;
	} else if (date_parse_relative(buf, today, &d, cause) != 0)
		return -1;
	*out = d;
	return 0;
}

int
date_parse(const char *text, const struct date *today, struct date *out, char **cause)
{
	if (text == NULL) {
		*cause = xstrdup("empty date; " DATE_HINT);
		return -1;
	}
	return date_parse_n(text, strlen(text), today, out, cause);
}

/* 14:30, 14:30:15, 1430, 930, 2pm, 2:30 PM; TEXT is trimmed and not empty. */
static int
date_parse_time(const char *text, struct date_time *out, char **cause)
{
	const char *p = text;
	long h, m = 0, s = 0;
	int nh;
	char ampm = '\0';

	nh = date_digits(&p, 4, &h);
	if (nh == 0 || nh > 4)
		goto bad;
	if (*p == ':') {
		if (nh > 2)
			goto bad;
		p++;
		if (date_digits(&p, 2, &m) != 2)
			goto bad;
		if (*p == ':') {
			p++;
			if (date_digits(&p, 2, &s) != 2)
				goto bad;
		}
	} else if (nh >= 3) {
		m = h % 100;
		h /= 100;
	}
	while (date_is_blank(*p))
		p++;
	if (*p != '\0') {
		ampm = date_upper(*p++);
		if ((ampm != 'A' && ampm != 'P') || date_upper(*p++) != 'M' || *p != '\0')
			goto bad;
	}
	if (ampm != '\0') {
		if (h < 1 || h > 12) {
			*cause = xasprintf(
			    "%s is not a time of day: with am or pm the hour is 1 to 12", text);
			return -1;
		}
		h = h % 12 + (ampm == 'P' ? 12 : 0);
	}
	if (h > 23 || m > 59 || s > 59) {
		*cause = xasprintf("%s is not a time of day: %s run from 0 to %d", text,
		    h > 23   ? "hours"
		    : m > 59 ? "minutes"
		             : "seconds",
		    h > 23 ? 23 : 59);
		return -1;
	}
	out->hour = (int)h, out->minute = (int)m, out->second = (int)s;
	return 0;

bad:
	*cause = xstrdup(TIME_HINT);
	return -1;
}

int
date_time_parse(const char *text, const struct date_time *now, struct date_time *out, char **cause)
{
	char buf[DATE_TEXT_MAX + 1], time_buf[DATE_TEXT_MAX + 1];
	struct date_time dt = {{0, 0, 0}, 0, 0, 0};
	char *split;
	size_t i;
	int n;

	if (text == NULL || (n = date_trim(text, strlen(text), buf)) == 0) {
		*cause = xstrdup("empty date and time; " DATE_TIME_HINT);
		return -1;
	}
	if (n < 0) {
		*cause = xstrdup("that is too long for a date and time; " DATE_TIME_HINT);
		return -1;
	}
	if (buf[strspn(buf, DATE_CHARS ":@ \t")] != '\0') {
		*cause = xstrdup(DATE_TIME_HINT);
		return -1;
	}
	if (date_word_is(buf, "N") || date_word_is(buf, "NOW")) {
		if (!date_time_valid(now)) {
			*cause = xstrdup("the time now is not known, so NOW cannot be used; write "
			                 "a date and time as 2026-03-01 14:30");
			return -1;
		}
		*out = *now;
		return 0;
	}

	/* The date ends at '@', a blank, or the ISO 'T' that follows a digit. */
	split = strchr(buf, '@');
	for (i = 0; split == NULL && buf[i] != '\0'; i++)
		if (date_is_blank(buf[i]))
			split = buf + i;
	for (i = 1; split == NULL && buf[i] != '\0'; i++)
		if (date_upper(buf[i]) == 'T' && date_is_digit(buf[0]) && date_is_digit(buf[i - 1]))
			split = buf + i;
	if (split == NULL) {
		if (date_parse_n(
		        buf, (size_t)n, now != NULL ? &now->date : NULL, &dt.date, cause) != 0)
			return -1;
		*cause = xasprintf(
		    "%s has no time: add one, as in %s@14:30 or %s 2:30pm", buf, buf, buf);
		return -1;
	}
	if (date_trim(split + 1, strlen(split + 1), time_buf) <= 0) {
		*cause = xstrdup(DATE_TIME_HINT);
		return -1;
	}
	*split = '\0';
	date_trim(buf, strlen(buf), buf);
	if (date_word_is(buf, "N") || date_word_is(buf, "NOW")) {
		*cause = xstrdup("write NOW alone, or T@14:30 for a time today");
		return -1;
	}
	if (date_parse_n(buf, strlen(buf), now != NULL ? &now->date : NULL, &dt.date, cause) != 0)
		return -1;
	if (date_parse_time(time_buf, &dt, cause) != 0)
		return -1;
	*out = dt;
	return 0;
}

int
date_age_years(const struct date *birth, const struct date *today)
{
	int age;

	if (!date_valid(birth) || !date_valid(today) || date_compare(birth, today) > 0)
		return -1;
	age = today->year - birth->year;
	if (today->month < birth->month ||
	    (today->month == birth->month && today->day < birth->day))
		age--;
	return age;
}

void
date_format_iso(const struct date *d, char *buf, size_t size)
{
	if (size == 0)
		return;
	snprintf(buf, size, "%04d-%02d-%02d", d->year, d->month, d->day);
}

void
date_format_display(const struct date *d, char *buf, size_t size)
{
	if (size == 0)
		return;
	snprintf(buf, size, "%02d/%02d/%04d", d->month, d->day, d->year);
}

void
date_time_format_display(const struct date_time *dt, char *buf, size_t size)
{
	if (size == 0)
		return;
	snprintf(buf, size, "%02d/%02d/%04d %02d:%02d", dt->date.month, dt->date.day, dt->date.year,
	    dt->hour, dt->minute);
}

int
date_time_format_fhir(const struct date_time *dt, int utc_offset_minutes, char *buf, size_t size)
{
	int n, off;

	if (size == 0)
		return -1;
	buf[0] = '\0';
	if (!date_time_valid(dt) || utc_offset_minutes < -14 * 60 || utc_offset_minutes > 14 * 60)
		return -1;
	off = utc_offset_minutes < 0 ? -utc_offset_minutes : utc_offset_minutes;
	n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", dt->date.year,
	    dt->date.month, dt->date.day, dt->hour, dt->minute, dt->second,
	    utc_offset_minutes < 0 ? '-' : '+', off / 60, off % 60);
	if (n < 0 || (size_t)n >= size) {
		buf[0] = '\0';
		return -1;
	}
	return 0;
}

int
date_time_local_offset(const struct date_time *dt)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = dt->date.year - 1900;
	tm.tm_mon = dt->date.month - 1;
	tm.tm_mday = dt->date.day;
	tm.tm_hour = dt->hour;
	tm.tm_min = dt->minute;
	tm.tm_sec = dt->second;
	tm.tm_isdst = -1; /* let the zone rules say whether DST applies then */
	if (mktime(&tm) == (time_t)-1)
		return 0;
	return (int)(tm.tm_gmtoff / 60);
}

void
date_time_now(struct date_time *out)
{
	time_t t = time(NULL);
	struct tm tm;

	memset(out, 0, sizeof *out);
	if (localtime_r(&t, &tm) == NULL)
		return;
	out->date.year = tm.tm_year + 1900;
	out->date.month = tm.tm_mon + 1;
	out->date.day = tm.tm_mday;
	out->hour = tm.tm_hour;
	out->minute = tm.tm_min;
	/* A leap second (60) is not a time the parsers accept; hold it at 59. */
	out->second = tm.tm_sec > 59 ? 59 : tm.tm_sec;
}
