/* Typed form fields: what a clerk may type in each, how it is checked, and how it reads back. */
#ifndef EHRTERM_UI_FIELD_H
#define EHRTERM_UI_FIELD_H

#include <stdbool.h>
#include <stddef.h>

#include "util/date.h"
#include "util/money.h"

/*
 * A form holds a table of struct field_def (one per field, usually static
 * const) and a struct field_value per field. When the clerk leaves a field the
 * form calls field_parse; on failure it shows the message beside the field
 * and keeps the clerk's text so it can be corrected. No curses here.
 */

enum field_type {
	FIELD_TEXT,     /* free text on one line */
	FIELD_DATE,     /* a calendar day: 2026-03-01, 03/01/2026, T+7 */
	FIELD_DATETIME, /* a day and a time of day: 03/01/2026 14:30, T@9am, NOW */
	FIELD_PHONE,    /* (555) 010-1234, +1 555 010 1234: kept as digits */
	FIELD_EMAIL,    /* name@example.com */
	FIELD_CODE,     /* one of a list: the code, or the start of its display */
	FIELD_YESNO,    /* y, yes, n, no */
	FIELD_MONEY,    /* 12.50, $1,234.56 */
	FIELD_INTEGER,  /* whole number within a range */
};

/* Which dates a date or date-time field takes, against today (or now). */
enum field_when {
	FIELD_ANY_TIME,
	FIELD_NOT_FUTURE, /* a birth date, a date of onset */
	FIELD_NOT_PAST,   /* an appointment */
};

/* One choice of a code list: CODE is what is stored, DISPLAY what the clerk reads. */
struct field_code {
	const char *code;
	const char *display;
};

/* A text field's limit when max_chars is 0. */
#define FIELD_TEXT_MAX 1024

/* Members a type does not use are ignored; designated initialisers keep tables short. */
struct field_def {
	const char *label; /* "Date of birth", used in messages */
	enum field_type type;
	bool required;
	enum field_when when;     /* date, date-time */
	size_t max_chars;         /* text: most characters (code points); 0 is FIELD_TEXT_MAX */
	const char *pattern;      /* text: POSIX extended regex the whole text must match */
	const char *pattern_hint; /* text: what PATTERN asks for, "5 digits, as in 12345" */
	/*
	 * text: the screen's own check, after the pattern, of the cleaned text (never
	 * blank): NULL when it will do, else the sentence to show, which the form frees.
	 * DEF is this definition, so one function can serve a table of fields.
	 */
	char *(*check)(const struct field_def *def, const char *text);
	long long min, max;       /* integer; money in cents. Both 0: no limit */
	const char *currency;     /* money: ISO 4217 code, NULL for USD */
	const struct field_code *codes; /* code: the choices, borrowed */
	size_t ncodes;
};

struct field_value {
	enum field_type type;
	bool empty; /* an optional field left blank: nothing below is set */
	union {
		char *text; /* text; phone as digits with an optional leading +; email. Owned */
		struct date date;
		struct date_time date_time;
		const struct field_code *code; /* an element of the def's codes */
		bool yes;
		struct money money;
		long long integer;
	};
};

/*
 * Check INPUT (any bytes; NULL is empty) against DEF. Returns 0 with *out
 * set, or -1 with *message set to a sentence for the clerk, which the caller
 * frees, and *out untouched. *out is overwritten, not freed: clear an old
 * value first. Relative dates (T+7) count from the clock; field_parse_at
 * takes NOW instead (NULL: the clock), so tests can fix the day.
 * Text is trimmed, tabs become spaces; other control characters, invalid
 * UTF-8 and bidi overrides are refused. A message quotes what was typed only
 * once it is known to hold nothing but the characters its type allows (or
 * the start of a code's display); code displays it quotes are shown through
 * the terminal sanitiser like any other text.
 */
int field_parse(
    const struct field_def *def, const char *input, struct field_value *out, char **message);
int field_parse_at(const struct field_def *def, const char *input, const struct date_time *now,
    struct field_value *out, char **message);

/* VALUE as the field shows it, which field_parse reads back. The caller frees it; "" when empty. */
char *field_format(const struct field_value *value);

/* Free what VALUE owns and leave it empty. */
void field_value_clear(struct field_value *value);

/*
 * Completion for a code field: the choices whose display or code starts with
 * PREFIX, ignoring case (all of them for an empty or NULL PREFIX), in list
 * order. Up to MAX are stored in OUT; returns how many there are in all.
 */
size_t field_complete(
    const struct field_def *def, const char *prefix, const struct field_code **out, size_t max);

#endif
