/* Form: labelled typed fields, each edited as a ui_prompt and checked by field_parse when left. */
#ifndef EHRTERM_UI_FORM_H
#define EHRTERM_UI_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include <curses.h>

#include "keys/keys.h"
#include "ui/field.h"
#include "ui/prompt.h"
#include "util/date.h"

/*
 * The form holds what the clerk typed, always: a failed save, a lock or a
 * bad value never changes it; only the screen does, through ui_form_set_*.
 * A field is checked when the clerk leaves it (next-field, prev-field, up,
 * down) and by ui_form_valid(); a field left blank and never typed in is not
 * nagged about until ui_form_valid(). A value that parses is shown again as
 * field_format() writes it ("t+7" becomes the date it means).
 */

struct ui_form_field {
	const struct field_def *def; /* borrowed */
	struct ui_prompt prompt;     /* the clerk's text */
	struct field_value value;    /* the parse of the text, when parsed */
	bool parsed;                 /* VALUE is the parse of the text as it is now */
	bool touched;                /* typed in since the last load */
	char *message;               /* why the text does not parse, or NULL */
	char *clean;                 /* the text at the last load or save, for dirty */
};

/* Members are the form's own; read them through the functions below. */
struct ui_form {
	struct ui_form_field *fields;
	size_t n;
	size_t focus;
	char *not_saved; /* the line shown above the fields ("Not saved: ..."), or NULL */
	bool has_now;    /* NOW fixed (tests); else the clock */
	struct date_time now;
	int top;                /* first layout row shown */
	int rows;               /* rows shown at the last draw */
	int cursor_y, cursor_x; /* where the terminal cursor went at the last draw; -1: none */
	char *refusal;          /* why the last key typed was not taken, or NULL */
};

/* Set up N fields from DEFS (borrowed: usually a static table), all empty, focus on the first. */
void ui_form_init(struct ui_form *f, const struct field_def *defs, size_t n);
void ui_form_free(struct ui_form *f);
/* Check dates against NOW instead of the clock (NULL: the clock again), for tests. */
void ui_form_set_now(struct ui_form *f, const struct date_time *now);

/*
 * A printable character typed into the focused field; false when KEY is not text.
 * A character past the field's limit is taken and not inserted: ui_form_refusal
 * says so, for the status line.
 */
bool ui_form_key(struct ui_form *f, int key);
/*
 * Why the last key typed did nothing ("Reason holds at most 200 characters; ..."),
 * or NULL; borrowed, until the next key or action. The screen puts it on the status
 * line, as the loop does for the note editor, so a paste cut short is not silent.
 */
const char *ui_form_refusal(const struct ui_form *f);
/*
 * Moving between fields (next-field, prev-field, up, down), which checks the
 * field left; editing (backspace, delete-char, left, right, line-start,
 * line-end, kill-line); right at the end of a code field completes it.
 * False when A is none of these.
 */
bool ui_form_action(struct ui_form *f, enum action a);

/* Check every field; the focus moves to the first bad one. True when all parse. */
bool ui_form_valid(struct ui_form *f);

/* The parsed value of field I, borrowed; NULL when its text does not parse or I is too big. */
const struct field_value *ui_form_value(struct ui_form *f, size_t i);
/* The text of field I as typed; the caller frees it ("" out of range). */
char *ui_form_text(const struct ui_form *f, size_t i);
/* The message shown at field I, borrowed, or NULL. */
const char *ui_form_message(const struct ui_form *f, size_t i);

/*
 * Fill field I from a loaded resource, as text (NULL: empty) or as a value
 * (shown as field_format writes it), and check it. Returns 0, or -1 with
 * *CAUSE when the text could not be held as it was (too long, or holding
 * characters that cannot be shown, which are replaced so the clerk sees
 * them); the field then shows what it could hold and says why.
 */
int ui_form_set_text(struct ui_form *f, size_t i, const char *text, char **cause);
int ui_form_set_value(struct ui_form *f, size_t i, const struct field_value *v, char **cause);

/* True when any field's text differs from the last load or save. */
bool ui_form_dirty(const struct ui_form *f);
/* The texts now are the saved ones: after loading a resource, or after a save succeeded. */
void ui_form_mark_clean(struct ui_form *f);
/* Show "Not saved: REASON" above the fields (copied); NULL takes it away. */
void ui_form_set_not_saved(struct ui_form *f, const char *reason);
/*
 * Show SENTENCE above the fields as it is (copied), for a screen whose sentence
 * already says what was not done ("Not booked: ..."), so it is said once; NULL
 * takes it away. The line is one row: keep it within 80 columns.
 */
void ui_form_set_failed(struct ui_form *f, const char *sentence);

size_t ui_form_focus(const struct ui_form *f);
/* Move the focus to field I without checking the field left (the screen's choice). */
void ui_form_set_focus(struct ui_form *f, size_t i);

/*
 * The focused code field's choices that start like its text (field_complete),
 * up to MAX in OUT; returns how many there are in all (0 when the focus is not
 * a code field).
 */
size_t ui_form_candidates(const struct ui_form *f, const struct field_code **out, size_t max);
/*
 * Complete the focused code field: its one candidate's display, or the
 * longest start all candidates share. True when the text changed.
 */
bool ui_form_complete(struct ui_form *f);

/*
 * Draw in ROWS rows from row TOP of WIN, COLS wide, scrolled to keep the focus in
 * view. A field wider than its input shows the part around its cursor (the start,
 * when not focused), with a mark at the side where more text is hidden.
 */
void ui_form_draw(struct ui_form *f, WINDOW *win, int top, int rows, int cols);
/* Where the terminal cursor belongs after the last draw (the focused field); false when hidden. */
bool ui_form_cursor(const struct ui_form *f, int *y, int *x);

#endif
