/* Note editor: many lines of text, soft-wrapped at the window's width, held in memory only. */
#ifndef EHRTERM_UI_EDITOR_H
#define EHRTERM_UI_EDITOR_H

#include <stdbool.h>
#include <stddef.h>

#include <curses.h>

#include "keys/keys.h"

/*
 * A clinical note is written here, never in $EDITOR: an external editor would write it
 * to a temporary file, and nothing clinical may touch disk. The text lives in this
 * struct's memory only; memory it gives up (text deleted, a buffer outgrown, the editor
 * freed) is wiped first.
 *
 * The text is UTF-8 with '\n' between paragraphs and nothing ui_put would not show as
 * itself: no other controls, bidi overrides or invisible characters (insertion drops
 * them and says how many). Each paragraph is wrapped into rows at the width of the
 * last layout: after the last space that fits, or inside a word longer than a row; a
 * space that does not fit starts the next row, and a paragraph that fills its last row
 * exactly gets an empty row after it, so the cursor always has a column on screen.
 * Widths are those ui_put draws with (wcwidth; one column a character on an ASCII
 * terminal), and a character keeps its combining marks: the cursor moves over both.
 *
 * An edit re-wraps only the rows it can change: from the row before it (when that row
 * read past its end to decide its break) until a row starts where an old row started,
 * after the edit. The rows' index is kept, so a key's cost does not grow with the
 * note's paragraphs; memmove of the text and the index is the only part that does.
 * Everything but ui_editor_draw is curses-free, for tests/unit/test_editor.c and
 * tests/bench/editor.c.
 */

/* The longest note, in bytes of UTF-8: about 30 pages of typed text. */
#define UI_EDITOR_MAX 100000
/* Tab stops: a tab is spaces to the next multiple of this many columns of the paragraph. */
#define UI_EDITOR_TAB 4

/* Members are the editor's own; read them through the functions below. */
struct ui_editor {
	char *text; /* len bytes and a NUL; cap allocated */
	size_t len, cap, max;
	size_t pos; /* the cursor: a byte offset at the start of a character */
	int goal;   /* the column up and down aim for; -1: the cursor's own */
	int width;  /* columns the rows are wrapped at */
	bool utf8;  /* widths as a UTF-8 terminal shows them, else one column a character */
	size_t *start; /* where each row starts, ascending; start[0] is 0 */
	size_t rows_n, rows_cap;
	size_t top; /* first row shown */
	int rows;   /* rows shown at the last draw or view, for paging */
	bool dirty; /* changed since init or ui_editor_mark_clean */
	char *refusal;
	char *line; /* one row for ui_put, wiped after use */
	size_t line_cap;
	int cursor_y, cursor_x; /* where the terminal cursor went at the last draw; -1: none */
};

/* An empty editor that holds at most MAX bytes (0: UI_EDITOR_MAX), 80 columns, UTF-8. */
void ui_editor_init(struct ui_editor *e, size_t max);
/* Wipe the text and free everything; E is as after a zeroing memset. */
void ui_editor_free(struct ui_editor *e);

/*
 * Insert LEN bytes of TEXT (any bytes: a paste, or a note read back from the server)
 * at the cursor, which ends after it. CR LF and CR become '\n' (so do U+2028 and
 * U+2029), a tab becomes spaces to the next tab stop, invalid UTF-8 becomes U+FFFD;
 * other controls, bidi overrides and invisible characters are left out. Returns how many
 * characters were replaced or left out (0 when the text went in as it was), or -1 with
 * *CAUSE (the caller frees it) and nothing inserted when the note would pass its limit.
 */
long ui_editor_insert(struct ui_editor *e, const char *text, size_t len, char **cause);
/* Replace the whole text, as ui_editor_insert, with the cursor at the start; not dirty. */
long ui_editor_set_text(struct ui_editor *e, const char *text, size_t len, char **cause);

/* The text, NUL-terminated, borrowed until the next change; its length in bytes. */
const char *ui_editor_text(const struct ui_editor *e);
size_t ui_editor_length(const struct ui_editor *e);

/* True when the text changed since init, ui_editor_set_text or ui_editor_mark_clean. */
bool ui_editor_dirty(const struct ui_editor *e);
void ui_editor_mark_clean(struct ui_editor *e);

/*
 * A key typed: KEY is text (key_is_text: the loop gives printable characters to the
 * widget before any binding) and is inserted. False when KEY is not text.
 */
bool ui_editor_key(struct ui_editor *e, int key);
/*
 * An action the screen did not take: newline, insert-tab, backspace, delete-char,
 * kill-line (to the end of the row; at a paragraph's end it joins the next), left,
 * right, word-left, word-right, up, down (by row, keeping the column), line-start,
 * line-end (of the row), page-up, page-down, first, last. False for any other.
 */
bool ui_editor_action(struct ui_editor *e, enum action a);
/*
 * Why the last key or action changed nothing it was meant to ("Not added: the note
 * would pass its limit of 100,000 bytes"), or NULL; borrowed. The loop shows it.
 */
const char *ui_editor_refusal(const struct ui_editor *e);

/*
 * Wrap at WIDTH columns (at least 1) with UTF8's widths; re-wraps everything when
 * either changed. The draw does this with the window's width and ui_utf8().
 */
void ui_editor_layout(struct ui_editor *e, int width, bool utf8);
/* ROWS rows are shown: scroll (the least) so the cursor's row is among them. */
void ui_editor_view(struct ui_editor *e, int rows);

/* The cursor as a byte offset; moved to POS (clamped, and back to a character's start). */
size_t ui_editor_pos(const struct ui_editor *e);
void ui_editor_set_pos(struct ui_editor *e, size_t pos);
/* Rows the text takes at the last layout, and row I's bytes (without its '\n') in *LEN. */
size_t ui_editor_rows(const struct ui_editor *e);
const char *ui_editor_row(const struct ui_editor *e, size_t i, size_t *len);
/* The cursor's row and column on screen, the row counted from the text's first. */
void ui_editor_where(const struct ui_editor *e, size_t *row, int *col);
/* The first row shown. */
size_t ui_editor_top(const struct ui_editor *e);

/* Draw ROWS rows from row TOP of WIN, COLS wide, through ui_put, scrolled to the cursor. */
void ui_editor_draw(struct ui_editor *e, WINDOW *win, int top, int rows, int cols);
/* Where the terminal cursor belongs after the last draw; false when it is not shown. */
bool ui_editor_cursor(const struct ui_editor *e, int *y, int *x);

#endif
