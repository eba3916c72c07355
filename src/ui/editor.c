/* Note editor: the text, its rows' index kept up to date edit by edit, and a thin draw. */
#include "config.h"

#include "ui/editor.h"
#include "ui/ui.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define REPLACEMENT 0xFFFDu

/* --- characters ------------------------------------------------------------------------ */

/* The code point at byte I (the text is valid UTF-8); *N gets its length. */
static uint32_t
cp_at(const struct ui_editor *e, size_t i, size_t *n)
{
	uint32_t c = REPLACEMENT;
	size_t k;

	if ((unsigned char)e->text[i] < 0x80) {
		*n = 1;
		return (unsigned char)e->text[i];
	}
	k = utf8_decode(e->text + i, e->len - i, &c);
	*n = k > 0 ? k : 1;
	return c;
}

/* The start of the code point before byte I (I > 0). */
static size_t
cp_before(const struct ui_editor *e, size_t i)
{
	do
		i--;
	while (i > 0 && ((unsigned char)e->text[i] & 0xC0) == 0x80);
	return i;
}

/* A mark that joins the character before it: the cursor never stops between them. */
static bool
joins(uint32_t c)
{
	return c >= 0x80 && wcwidth((wchar_t)c) == 0;
}

/*
 * Columns ui_put gives C: safe_text's rule for the characters the text may hold. '\n'
 * is never measured; ASCII is one column; a character the locale cannot show is U+FFFD,
 * one column; an ASCII terminal shows every character in one column and drops marks.
 */
static int
width_of(const struct ui_editor *e, uint32_t c)
{
	int w;

	if (c < 0x80)
		return 1;
	w = wcwidth((wchar_t)c);
	if (!e->utf8)
		return w == 0 ? 0 : 1;
	return w < 0 ? 1 : w;
}

/* A character and its marks from byte I: where the next one starts; *W its columns. */
static size_t
next_char(const struct ui_editor *e, size_t i, int *w)
{
	size_t n;
	uint32_t c = cp_at(e, i, &n);

	*w = c == '\n' ? 0 : width_of(e, c);
	i += n;
	if (c == '\n')
		return i;
	while (i < e->len) {
		c = cp_at(e, i, &n);
		if (!joins(c))
			break;
		*w += width_of(e, c);
		i += n;
	}
	return i;
}

/* The start of the character (with its marks) that ends at byte I (I > 0). */
static size_t
prev_char(const struct ui_editor *e, size_t i)
{
	size_t n, q = cp_before(e, i);

	/* A mark at the text's or a paragraph's start has nothing to join: it stands alone. */
	while (q > 0 && e->text[q - 1] != '\n' && joins(cp_at(e, q, &n)))
		q = cp_before(e, q);
	return q;
}

/* POS moved back to the start of the character it is in. */
static size_t
snap(const struct ui_editor *e, size_t pos)
{
	size_t n;

	if (pos >= e->len)
		return e->len;
	while (pos > 0 && ((unsigned char)e->text[pos] & 0xC0) == 0x80)
		pos--;
	if (pos > 0 && e->text[pos - 1] != '\n' && joins(cp_at(e, pos, &n)))
		pos = prev_char(e, pos);
	return pos;
}

/* Words are what lies between blanks and ASCII punctuation ('_' is part of a word). */
static bool
separates(uint32_t c)
{
	return c == ' ' || c == '\n' ||
	    (c < 0x80 && c != '_' &&
	        strchr("!\"#$%&'()*+,-./:;<=>?@[\\]^`{|}~", (int)c) != NULL);
}

/* --- rows ------------------------------------------------------------------------------ */

/*
 * One row from byte S: true when another row follows, starting at *NEXT; false when this
 * is the text's last. *SEEN is one past the last byte the decision read (the text's end
 * counts as a byte): an edit at or after it cannot change this row. The row depends on
 * nothing before S, which is what lets an edit stop re-wrapping where a new row starts
 * at an old row's start.
 */
static bool
wrap_row(const struct ui_editor *e, size_t s, size_t *next, size_t *seen)
{
	size_t i = s, brk = s;
	int col = 0, width = e->width;

	for (;;) {
		size_t n;
		uint32_t c;
		int w;

		if (i == e->len || e->text[i] == '\n') {
			*seen = i + 1;
			/* A full row leaves no column for the cursor at the end: one more row. */
			if (col >= width && i > s) {
				*next = i;
				return true;
			}
			*next = i + 1;
			return i < e->len;
		}
		c = cp_at(e, i, &n);
		w = width_of(e, c);
		if (w > 0 && col + w > width && i > s) {
			*seen = i + n;
			/* A space that does not fit starts the next row; the word before fits. */
			*next = c == ' ' || brk == s ? i : brk;
			return true;
		}
		col += w;
		i += n;
		if (c == ' ')
			brk = i;
	}
}

static void
rows_reserve(struct ui_editor *e, size_t n)
{
	if (n <= e->rows_cap)
		return;
	while (e->rows_cap < n)
		e->rows_cap = e->rows_cap ? e->rows_cap * 2 : 64;
	e->start = xreallocarray(e->start, e->rows_cap, sizeof *e->start);
}

/* Every row again, after the width or the character set changed. */
static void
rewrap_all(struct ui_editor *e)
{
	size_t s = 0, next, seen;

	e->rows_n = 0;
	rows_reserve(e, 1);
	e->start[e->rows_n++] = 0;
	while (wrap_row(e, s, &next, &seen)) {
		rows_reserve(e, e->rows_n + 1);
		e->start[e->rows_n++] = next;
		s = next;
	}
}

/* The row that holds byte POS: the last whose start is not after it. */
static size_t
row_of(const struct ui_editor *e, size_t pos)
{
	size_t lo = 0, hi = e->rows_n;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (e->start[mid] <= pos)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Whether row I ends with its paragraph's '\n' (else it is soft-wrapped, or the last). */
static bool
row_hard(const struct ui_editor *e, size_t i)
{
	return i + 1 < e->rows_n && e->text[e->start[i + 1] - 1] == '\n';
}

/*
 * The farthest the cursor may go on row I: its '\n', the text's end on the last row, or
 * on a soft-wrapped row its last character (the next byte is the next row's start).
 */
static size_t
row_limit(const struct ui_editor *e, size_t i)
{
	if (i + 1 >= e->rows_n)
		return e->len;
	return row_hard(e, i) ? e->start[i + 1] - 1 : e->start[i + 1];
}

/* The position on row I nearest column GOAL, not past it. */
static size_t
row_at_col(const struct ui_editor *e, size_t i, int goal)
{
	size_t p = e->start[i], limit = row_limit(e, i);
	bool soft = i + 1 < e->rows_n && !row_hard(e, i);
	int col = 0;

	while (p < limit) {
		int w;
		size_t q = next_char(e, p, &w);

		if (col + w > goal || (soft && q >= limit))
			break;
		col += w;
		p = q;
	}
	return p;
}

static int
col_of(const struct ui_editor *e, size_t pos)
{
	size_t p = e->start[row_of(e, pos)];
	int col = 0, w;

	while (p < pos) {
		p = next_char(e, p, &w);
		col += w;
	}
	return col;
}

/* --- changing the text ----------------------------------------------------------------- */

/* Room for N bytes and a NUL; the old buffer is wiped before it is let go. */
static void
text_reserve(struct ui_editor *e, size_t n)
{
	size_t cap = e->cap ? e->cap : 256;
	char *grown;

	if (n + 1 <= e->cap)
		return;
	while (cap < n + 1)
		cap *= 2;
	grown = xmalloc(cap);
	memcpy(grown, e->text, e->len + 1);
	explicit_bzero(e->text, e->cap);
	free(e->text);
	e->text = grown;
	e->cap = cap;
}

/*
 * Replace bytes [FROM, TO) with the N bytes of INS (already clean) and bring the rows up
 * to date: re-wrap from the first row whose break read anything at or after FROM, until
 * a new row starts where an old row after the edit started; the rows after it are the
 * old ones, moved by the change in length.
 */
static void
replace(struct ui_editor *e, size_t from, size_t to, const char *ins, size_t n)
{
	size_t j = row_of(e, from), m, s, next, seen, added = 0, old_n = e->rows_n, keep;
	size_t *fresh = NULL, fresh_cap = 0;
	bool met = false;

	while (j > 0 && e->text[e->start[j] - 1] != '\n') {
		wrap_row(e, e->start[j - 1], &next, &seen);
		if (seen <= from)
			break;
		j--;
	}

	text_reserve(e, e->len - (to - from) + n);
	memmove(e->text + from + n, e->text + to, e->len - to + 1);
	memcpy(e->text + from, ins, n);
	if (to - from > n)
		/* What the text gave up, beyond its new end: nothing of a note is left lying. */
		explicit_bzero(e->text + e->len - (to - from) + n + 1, (to - from) - n);
	e->len = e->len - (to - from) + n;
	e->dirty = true;

	/* The old rows that start after the edit, shifted, are where re-wrapping may stop. */
	for (m = j + 1; m < old_n && e->start[m] < to; m++)
		;
	s = e->start[j];
	while (wrap_row(e, s, &next, &seen)) {
		while (m < old_n && e->start[m] - to + from + n < next)
			m++;
		if (m < old_n && e->start[m] - to + from + n == next) {
			met = true;
			break;
		}
		if (added == fresh_cap) {
			fresh_cap = fresh_cap ? fresh_cap * 2 : 8;
			fresh = xreallocarray(fresh, fresh_cap, sizeof *fresh);
		}
		fresh[added++] = next;
		s = next;
	}
	keep = met ? old_n - m : 0;
	rows_reserve(e, j + 1 + added + keep);
	if (keep > 0) {
		memmove(e->start + j + 1 + added, e->start + m, keep * sizeof *e->start);
		for (size_t k = j + 1 + added; k < j + 1 + added + keep; k++)
			e->start[k] = e->start[k] - to + from + n;
	}
	if (added > 0)
		memcpy(e->start + j + 1, fresh, added * sizeof *fresh);
	e->rows_n = j + 1 + added + keep;
	free(fresh);
}

/* "100,000". */
static void
grouped(size_t v, char *buf, size_t size)
{
	char digits[32];
	int n = snprintf(digits, sizeof digits, "%zu", v);
	size_t o = 0;

	for (int i = 0; i < n && o + 2 < size; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
}

static char *
too_long(const struct ui_editor *e)
{
	char max[32];

	grouped(e->max, max, sizeof max);
	return xasprintf("Not added: the note would pass its limit of %s bytes", max);
}

static void
refuse(struct ui_editor *e, char *why)
{
	free(e->refusal);
	e->refusal = why;
}

/* The column of POS counted from its paragraph's start, for tab stops. */
static size_t
para_col(const struct ui_editor *e, size_t pos)
{
	size_t p = pos;
	size_t col = 0;
	int w;

	while (p > 0 && e->text[p - 1] != '\n')
		p--;
	while (p < pos) {
		p = next_char(e, p, &w);
		col += (size_t)w;
	}
	return col;
}

struct clean {
	char *buf;
	size_t len, cap, room;
	bool over;
};

static void
clean_put(struct clean *c, const char *s, size_t n)
{
	if (c->len + n > c->room) {
		c->over = true;
		return;
	}
	if (c->len + n > c->cap) {
		size_t cap = c->cap ? c->cap : 64;
		char *grown;

		while (cap < c->len + n)
			cap *= 2;
		grown = xmalloc(cap);
		if (c->len > 0)
			memcpy(grown, c->buf, c->len);
		if (c->buf != NULL)
			explicit_bzero(c->buf, c->cap);
		free(c->buf);
		c->buf = grown;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, s, n);
	c->len += n;
}

static void
clean_free(struct clean *c)
{
	if (c->buf != NULL)
		explicit_bzero(c->buf, c->cap);
	free(c->buf);
}

/*
 * LEN bytes of TEXT made clean, as ui_editor_insert says, into C (at most its room;
 * C->over when more would be needed), tab stops counted from column COL. Returns how
 * many characters were replaced or left out.
 */
static long
clean_text(const struct ui_editor *e, const char *text, size_t len, size_t col, struct clean *c)
{
	long changed = 0;

	for (size_t i = 0; i < len && !c->over;) {
		char enc[UTF8_MAX];
		uint32_t ch = REPLACEMENT;
		size_t n = utf8_decode(text + i, len - i, &ch);

		if (n == 0) {
			n = 1;
			changed++;
		}
		i += n;
		if (ch == '\r' && i < len && text[i] == '\n')
			continue; /* CR LF: the LF makes the new line */
		if (ch == '\r' || ch == 0x2028 || ch == 0x2029)
			ch = '\n';
		if (ch == '\t') {
			size_t spaces = UI_EDITOR_TAB - col % UI_EDITOR_TAB;

			for (size_t k = 0; k < spaces; k++)
				clean_put(c, " ", 1);
			col += spaces;
			continue;
		}
		if (ch == '\n') {
			clean_put(c, "\n", 1);
			col = 0;
			continue;
		}
		if (ch < 0x20 || (ch >= 0x7F && ch < 0xA0) || utf8_is_bidi(ch) ||
		    utf8_is_invisible(ch)) {
			changed++;
			continue;
		}
		clean_put(c, enc, utf8_encode(ch, enc));
		col += (size_t)width_of(e, ch);
	}
	return changed;
}

long
ui_editor_insert(struct ui_editor *e, const char *text, size_t len, char **cause)
{
	struct clean c = { .room = e->max - e->len };
	long changed;

	if (text == NULL)
		len = 0;
	changed = clean_text(e, text, len,
	    text != NULL && memchr(text, '\t', len) != NULL ? para_col(e, e->pos) : 0, &c);
	if (c.over) {
		clean_free(&c);
		*cause = too_long(e);
		return -1;
	}
	if (c.len > 0) {
		replace(e, e->pos, e->pos, c.buf, c.len);
		e->pos += c.len;
	}
	e->goal = -1;
	clean_free(&c);
	return changed;
}

long
ui_editor_set_text(struct ui_editor *e, const char *text, size_t len, char **cause)
{
	struct clean c = { .room = e->max };
	long changed;

	if (text == NULL)
		len = 0;
	changed = clean_text(e, text, len, 0, &c);
	/* Refused before anything is lost: the text held stays. */
	if (c.over) {
		clean_free(&c);
		*cause = too_long(e);
		return -1;
	}
	replace(e, 0, e->len, c.buf != NULL ? c.buf : "", c.len);
	clean_free(&c);
	e->pos = 0;
	e->top = 0;
	e->goal = -1;
	e->dirty = false;
	refuse(e, NULL);
	return changed;
}

/* --- the widget ------------------------------------------------------------------------ */

void
ui_editor_init(struct ui_editor *e, size_t max)
{
	memset(e, 0, sizeof *e);
	e->max = max == 0 ? UI_EDITOR_MAX : max;
	e->cap = 256;
	e->text = xcalloc(e->cap, 1);
	e->goal = -1;
	e->width = 80;
	e->utf8 = true;
	e->rows = 1;
	e->cursor_y = e->cursor_x = -1;
	rewrap_all(e);
}

void
ui_editor_free(struct ui_editor *e)
{
	if (e->text != NULL)
		explicit_bzero(e->text, e->cap);
	if (e->line != NULL)
		explicit_bzero(e->line, e->line_cap);
	free(e->text);
	free(e->line);
	free(e->start);
	free(e->refusal);
	memset(e, 0, sizeof *e);
}

const char *
ui_editor_text(const struct ui_editor *e)
{
	return e->text;
}

size_t
ui_editor_length(const struct ui_editor *e)
{
	return e->len;
}

bool
ui_editor_dirty(const struct ui_editor *e)
{
	return e->dirty;
}

void
ui_editor_mark_clean(struct ui_editor *e)
{
	e->dirty = false;
}

const char *
ui_editor_refusal(const struct ui_editor *e)
{
	return e->refusal;
}

bool
ui_editor_key(struct ui_editor *e, int key)
{
	char enc[UTF8_MAX], *cause = NULL;

	if (!key_is_text(key))
		return false;
	refuse(e, NULL);
	if (ui_editor_insert(e, enc, utf8_encode((uint32_t)key, enc), &cause) < 0)
		refuse(e, cause);
	return true;
}

static void
insert_or_refuse(struct ui_editor *e, const char *s, size_t n)
{
	char *cause = NULL;

	if (ui_editor_insert(e, s, n, &cause) < 0)
		refuse(e, cause);
}

/* Move up (-1) or down (+1) by COUNT rows, keeping the goal column. */
static void
move_rows(struct ui_editor *e, int dir, size_t count)
{
	size_t i = row_of(e, e->pos), to;

	if (e->goal < 0)
		e->goal = col_of(e, e->pos);
	/* Past the first or last row is the text's start or end, as in most text boxes. */
	if (dir < 0 && i == 0) {
		e->pos = 0;
		e->goal = -1;
		return;
	}
	if (dir > 0 && i + 1 >= e->rows_n) {
		e->pos = e->len;
		e->goal = -1;
		return;
	}
	if (dir < 0)
		to = i > count ? i - count : 0;
	else
		to = i + count < e->rows_n ? i + count : e->rows_n - 1;
	e->pos = row_at_col(e, to, e->goal);
	/* A page turns the view with the cursor; a row's move scrolls only when it must. */
	if (count > 1 && dir < 0)
		e->top = e->top > i - to ? e->top - (i - to) : 0;
	else if (count > 1)
		e->top += to - i;
}

static size_t
word_right(const struct ui_editor *e, size_t p)
{
	size_t n;

	while (p < e->len && !separates(cp_at(e, p, &n)))
		p += n;
	while (p < e->len && separates(cp_at(e, p, &n)))
		p += n;
	return p;
}

static size_t
word_left(const struct ui_editor *e, size_t p)
{
	size_t n, q;

	while (p > 0 && separates(cp_at(e, q = cp_before(e, p), &n)))
		p = q;
	while (p > 0 && !separates(cp_at(e, q = cp_before(e, p), &n)))
		p = q;
	return p;
}

/* Where kill-line stops: the row's end; at a paragraph's end, past its '\n'. */
static size_t
kill_end(const struct ui_editor *e)
{
	size_t i = row_of(e, e->pos);

	if (i + 1 >= e->rows_n)
		return e->len;
	if (!row_hard(e, i))
		return e->start[i + 1];
	return e->pos == e->start[i + 1] - 1 ? e->start[i + 1] : e->start[i + 1] - 1;
}

bool
ui_editor_action(struct ui_editor *e, enum action a)
{
	size_t page = e->rows > 1 ? (size_t)e->rows - 1 : 1, end;
	int goal = e->goal, w;

	refuse(e, NULL);
	e->goal = -1;
	switch (a) {
	case A_NEWLINE:
		insert_or_refuse(e, "\n", 1);
		return true;
	case A_INSERT_TAB:
		insert_or_refuse(e, "\t", 1);
		return true;
	case A_BACKSPACE:
		if (e->pos > 0) {
			size_t from = prev_char(e, e->pos);

			replace(e, from, e->pos, "", 0);
			e->pos = from;
		}
		return true;
	case A_DELETE_CHAR:
		if (e->pos < e->len)
			replace(e, e->pos, next_char(e, e->pos, &w), "", 0);
		return true;
	case A_KILL_LINE:
		if ((end = kill_end(e)) > e->pos)
			replace(e, e->pos, end, "", 0);
		return true;
	case A_MOVE_LEFT:
		if (e->pos > 0)
			e->pos = prev_char(e, e->pos);
		return true;
	case A_MOVE_RIGHT:
		if (e->pos < e->len)
			e->pos = next_char(e, e->pos, &w);
		return true;
	case A_WORD_LEFT:
		e->pos = snap(e, word_left(e, e->pos));
		return true;
	case A_WORD_RIGHT:
		e->pos = snap(e, word_right(e, e->pos));
		return true;
	case A_UP:
	case A_DOWN:
	case A_PAGE_UP:
	case A_PAGE_DOWN:
		e->goal = goal;
		move_rows(e, a == A_UP || a == A_PAGE_UP ? -1 : 1,
		    a == A_UP || a == A_DOWN ? 1 : page);
		return true;
	case A_LINE_START:
		e->pos = e->start[row_of(e, e->pos)];
		return true;
	case A_LINE_END:
		e->pos = row_at_col(e, row_of(e, e->pos), INT_MAX);
		return true;
	case A_FIRST:
		e->pos = 0;
		return true;
	case A_LAST:
		e->pos = e->len;
		return true;
	default:
		e->goal = goal;
		return false;
	}
}

void
ui_editor_layout(struct ui_editor *e, int width, bool utf8)
{
	if (width < 1)
		width = 1;
	if (width == e->width && utf8 == e->utf8)
		return;
	e->width = width;
	e->utf8 = utf8;
	e->goal = -1;
	rewrap_all(e);
}

void
ui_editor_view(struct ui_editor *e, int rows)
{
	size_t shown, i = row_of(e, e->pos);

	e->rows = rows > 0 ? rows : 1;
	shown = (size_t)e->rows;
	if (e->top + shown > e->rows_n)
		e->top = e->rows_n > shown ? e->rows_n - shown : 0;
	if (i < e->top)
		e->top = i;
	if (i >= e->top + shown)
		e->top = i - shown + 1;
}

size_t
ui_editor_pos(const struct ui_editor *e)
{
	return e->pos;
}

void
ui_editor_set_pos(struct ui_editor *e, size_t pos)
{
	e->pos = snap(e, pos);
	e->goal = -1;
}

size_t
ui_editor_rows(const struct ui_editor *e)
{
	return e->rows_n;
}

const char *
ui_editor_row(const struct ui_editor *e, size_t i, size_t *len)
{
	size_t end;

	if (i >= e->rows_n) {
		*len = 0;
		return "";
	}
	end = i + 1 < e->rows_n ? e->start[i + 1] : e->len;
	if (row_hard(e, i))
		end--;
	*len = end - e->start[i];
	return e->text + e->start[i];
}

void
ui_editor_where(const struct ui_editor *e, size_t *row, int *col)
{
	*row = row_of(e, e->pos);
	*col = col_of(e, e->pos);
}

size_t
ui_editor_top(const struct ui_editor *e)
{
	return e->top;
}

void
ui_editor_draw(struct ui_editor *e, WINDOW *win, int top, int rows, int cols)
{
	size_t row;
	int col;

	e->cursor_y = e->cursor_x = -1;
	if (rows <= 0 || cols <= 0)
		return;
	ui_editor_layout(e, cols, ui_utf8());
	ui_editor_view(e, rows);
	for (int r = 0; r < rows; r++) {
		size_t i = e->top + (size_t)r, n;
		const char *s;

		if (i >= e->rows_n) {
			ui_blank(win, top + r, 0, cols);
			continue;
		}
		s = ui_editor_row(e, i, &n);
		if (n + 1 > e->line_cap) {
			if (e->line != NULL)
				explicit_bzero(e->line, e->line_cap);
			free(e->line);
			e->line_cap = n + 1 > 256 ? n + 1 : 256;
			e->line = xmalloc(e->line_cap);
		}
		memcpy(e->line, s, n);
		e->line[n] = '\0';
		/* Typed text, but through the same gate as the server's: one path to the screen. */
		ui_put(win, top + r, 0, cols, e->line, UI_NORMAL, true);
		explicit_bzero(e->line, n);
	}
	ui_editor_where(e, &row, &col);
	e->cursor_y = top + (int)(row - e->top);
	e->cursor_x = col < cols ? col : cols - 1;
}

bool
ui_editor_cursor(const struct ui_editor *e, int *y, int *x)
{
	if (e->cursor_y < 0 || e->cursor_x < 0)
		return false;
	*y = e->cursor_y;
	*x = e->cursor_x;
	return true;
}
