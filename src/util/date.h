/* Calendar dates and wall-clock date-times as clerks type them: ISO, US and VistA-style T+7. */
#ifndef EHRTERM_UTIL_DATE_H
#define EHRTERM_UTIL_DATE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Dates are plain calendar days, never a time_t at midnight: a birth date must
 * not move by a day because of the time zone it is converted in. Date-times are
 * the local wall clock; the UTC offset is only attached when writing FHIR.
 */

/* Years a date may have: wide enough for the oldest records, narrow enough to catch typos. */
#define DATE_YEAR_MIN 1850
#define DATE_YEAR_MAX 2200

/* Enough room for any string the date_format_* functions write, with its NUL. */
#define DATE_BUF_SIZE 32

struct date {
	int year;
	int month; /* 1..12 */
	int day;   /* 1..31 */
};

struct date_time {
	struct date date;
	int hour;   /* 0..23 */
	int minute; /* 0..59 */
	int second; /* 0..59 */
};

/* True when YEAR is a Gregorian leap year (2000 is, 1900 is not). */
bool date_is_leap(int year);

/* Days in MONTH of YEAR, or 0 when MONTH is not 1..12. */
int date_days_in_month(int year, int month);

/* True when D is a real calendar day within DATE_YEAR_MIN..DATE_YEAR_MAX. */
bool date_valid(const struct date *d);

/* True when DT has a valid date and a time of day within 00:00:00..23:59:59. */
bool date_time_valid(const struct date_time *dt);

/* Negative, 0 or positive as A is before, the same day as, or after B. */
int date_compare(const struct date *a, const struct date *b);

/* The same for date-times, to the second. */
int date_time_compare(const struct date_time *a, const struct date_time *b);

/* Day of the week of a valid date: 0 Sunday .. 6 Saturday. */
int date_weekday(const struct date *d);

/* Days from A to B (negative when B is earlier). Both must be valid. */
long date_diff_days(const struct date *a, const struct date *b);

/*
 * Parse a date as a clerk types it, relative to TODAY:
 *   2026-03-01        ISO (one- or two-digit month and day are taken)
 *   03/01/2026, 3/1/2026   US, month first, four-digit year
 *   T, TODAY, N, NOW  today
 *   T+7, T-1, T+7D    days; T+2W weeks; T+3M months and T+1Y years, kept
 *                     within the month (Jan 31 + 1M is Feb 28 or 29)
 * Letters may be lower case; spaces around the text are ignored.
 * Returns 0 with *out set, or -1 with *cause set to a sentence the caller
 * frees and *out untouched.
 */
int date_parse(const char *text, const struct date *today, struct date *out, char **cause);

/*
 * Parse a date and a time of day, relative to NOW: any form date_parse takes,
 * then '@', a space or (after an ISO date) 'T', then a time: 14:30, 14:30:15,
 * 1430, 2pm, 2:30 PM. N or NOW alone is NOW to the second. A time is required
 * for anything else, since an appointment at an unknown hour is no appointment.
 * Returns 0 or -1 with *cause, as date_parse.
 */
int date_time_parse(
    const char *text, const struct date_time *now, struct date_time *out, char **cause);

/*
 * Years from BIRTH to TODAY as people count them: someone born on Feb 29 turns
 * a year older on Mar 1 in common years. -1 when either is invalid or BIRTH is
 * after TODAY.
 */
int date_age_years(const struct date *birth, const struct date *today);

/* "2026-03-01", for FHIR date elements. */
void date_format_iso(const struct date *d, char *buf, size_t size);

/* "03/01/2026", the form clerks here type and read; date_parse reads it back. */
void date_format_display(const struct date *d, char *buf, size_t size);

/* "03/01/2026 14:30", read back by date_time_parse (seconds are not shown). */
void date_time_format_display(const struct date_time *dt, char *buf, size_t size);

/*
 * "2026-03-01T14:30:00-05:00", for FHIR dateTime and instant elements, which
 * need an offset once they carry a time. UTC_OFFSET_MINUTES is east of UTC
 * (-300 for US Eastern in winter); date_time_local_offset gives the local one.
 * Returns 0, or -1 (with BUF empty) when DT is invalid or the offset is beyond
 * +-14:00 or BUF is too small.
 */
int date_time_format_fhir(
    const struct date_time *dt, int utc_offset_minutes, char *buf, size_t size);

/* The local time zone's offset east of UTC, in minutes, at wall-clock time DT (DST included). */
int date_time_local_offset(const struct date_time *dt);

/* The current local wall-clock time, for the TODAY and NOW the parsers take. */
void date_time_now(struct date_time *out);

#endif
