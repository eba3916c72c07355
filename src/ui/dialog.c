/* Dialog: the answer state machine, and a centred box or a status-line question, via ui_put. */
#include "config.h"

#include "ui/dialog.h"
#include "text/safe.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The question wraps onto at most this many rows of the box. */
#define DIALOG_QUESTION_ROWS 3

void
ui_dialog_init(struct ui_dialog *d, const char *question, bool default_yes)
{
	memset(d, 0, sizeof *d);
	d->question = xstrdup(question != NULL ? question : "");
	d->default_yes = default_yes;
	d->rows = 1;
	d->answer = UI_DIALOG_ASKING;
}

void
ui_dialog_free(struct ui_dialog *d)
{
	ui_lines_clear(&d->details);
	free(d->question);
	memset(d, 0, sizeof *d);
}

void
ui_dialog_add(struct ui_dialog *d, const char *line)
{
	ui_lines_add(&d->details, line);
}

void
ui_dialog_addf(struct ui_dialog *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ui_lines_vaddf(&d->details, fmt, ap);
	va_end(ap);
}

void
ui_dialog_set_choosing(struct ui_dialog *d, bool choosing)
{
	d->choosing = choosing;
}

enum ui_dialog_answer
ui_dialog_answer(const struct ui_dialog *d)
{
	return d->answer;
}

size_t
ui_dialog_chosen(const struct ui_dialog *d)
{
	return d->cursor;
}

const char *
ui_dialog_hint(const struct ui_dialog *d)
{
	return d->default_yes ? "[Y/n]" : "[y/N]";
}

/* Move the cursor (choosing) or the view (reading) by STEP rows, up when UP. */
static void
dialog_move(struct ui_dialog *d, size_t step, bool up)
{
	size_t page = (size_t)d->rows, last;

	if (d->details.n == 0)
		return;
	if (d->choosing) {
		if (up)
			d->cursor = d->cursor > step ? d->cursor - step : 0;
		else
			d->cursor = d->cursor + step < d->details.n ? d->cursor + step : d->details.n - 1;
		return;
	}
	last = d->details.n > page ? d->details.n - page : 0;
	if (up)
		d->top = d->top > step ? d->top - step : 0;
	else
		d->top = d->top + step < last ? d->top + step : last;
}

bool
ui_dialog_action(struct ui_dialog *d, enum action a)
{
	size_t page = d->rows > 0 ? (size_t)d->rows : 1;

	switch (a) {
	case A_YES:
	case A_NO:
	case A_BACK:
	case A_SELECT:
		/* The first answer stands: a key pressed twice must not change it. */
		if (d->answer != UI_DIALOG_ASKING)
			return true;
		/* Choosing, yes is a yes to the highlighted line, as the hint says. */
		if (a == A_NO || a == A_BACK)
			d->answer = UI_DIALOG_NO;
		else if (d->choosing && d->details.n > 0)
			d->answer = UI_DIALOG_CHOSEN;
		else if (a == A_YES)
			d->answer = UI_DIALOG_YES;
		else
			d->answer = d->default_yes ? UI_DIALOG_YES : UI_DIALOG_NO;
		return true;
	case A_UP:
		dialog_move(d, 1, true);
		return true;
	case A_DOWN:
		dialog_move(d, 1, false);
		return true;
	case A_PAGE_UP:
		dialog_move(d, page, true);
		return true;
	case A_PAGE_DOWN:
		dialog_move(d, page, false);
		return true;
	case A_FIRST:
		dialog_move(d, d->details.n, true);
		return true;
	case A_LAST:
		dialog_move(d, d->details.n, false);
		return true;
	default:
		return false;
	}
}

/*
 * Split the question into at most MAX rows of WIDTH columns, at blanks where it
 * can; the last row is cut by ui_put. The text is made safe first, so widths are
 * the ones drawn. Returns the rows, each for the caller to free.
 */
static size_t
wrap(const char *question, int width, char **rows, size_t max)
{
	char *safe = safe_str(question, ui_utf8()), *p = safe;
	size_t n = 0;

	while (*p != '\0' && n < max) {
		char *cut = NULL, *end = p;

		if (n + 1 == max) {
			rows[n++] = xstrdup(p);
			break;
		}
		/* Take words while they fit; a word wider than the row is cut by ui_put. */
		while (*end != '\0') {
			char *word = end, *stop, save;

			while (*word == ' ')
				word++;
			stop = word;
			while (*stop != '\0' && *stop != ' ')
				stop++;
			save = *stop;
			*stop = '\0';
			if (safe_width(p) > (size_t)width && cut != NULL) {
				*stop = save;
				break;
			}
			*stop = save;
			cut = stop;
			end = stop;
		}
		if (cut == NULL)
			cut = p + strlen(p);
		rows[n++] = xstrndup(p, (size_t)(cut - p));
		p = cut;
		while (*p == ' ')
			p++;
	}
	free(safe);
	return n;
}

static void
frame(WINDOW *win, int y, int x, int h, int w)
{
	/*
	 * Under a UTF-8 locale curses draws the line characters as UTF-8; a terminal that is
	 * not (charset = ascii) gets plain ASCII corners and lines instead.
	 */
	bool plain = !ui_utf8();
	chtype corner = plain ? '+' : 0, hline = plain ? '-' : ACS_HLINE, vline = plain ? '|' : ACS_VLINE;

	mvwaddch(win, y, x, plain ? corner : ACS_ULCORNER);
	mvwhline(win, y, x + 1, hline, w - 2);
	mvwaddch(win, y, x + w - 1, plain ? corner : ACS_URCORNER);
	for (int r = 1; r < h - 1; r++) {
		mvwaddch(win, y + r, x, vline);
		mvwaddch(win, y + r, x + w - 1, vline);
	}
	mvwaddch(win, y + h - 1, x, plain ? corner : ACS_LLCORNER);
	mvwhline(win, y + h - 1, x + 1, hline, w - 2);
	mvwaddch(win, y + h - 1, x + w - 1, plain ? corner : ACS_LRCORNER);
}

void
ui_dialog_draw(struct ui_dialog *d, WINDOW *win, int top, int rows, int cols)
{
	char *q[DIALOG_QUESTION_ROWS], *hint;
	size_t nq, widest = 0;
	int w, h, y, x, inner, details, room;

	if (rows < 5 || cols < 12) {
		ui_dialog_draw_line(d, win, top + rows - 1, cols);
		return;
	}
	/* As wide as the text wants, within the screen less a margin. */
	w = cols - 4 < 76 ? cols - 4 : 76;
	inner = w - 4;
	for (size_t i = 0; i < d->details.n; i++) {
		char *s = safe_str(d->details.v[i], ui_utf8());
		size_t sw = safe_width(s);

		if (sw > widest)
			widest = sw;
		free(s);
	}
	{
		char *s = safe_str(d->question, ui_utf8());

		if (safe_width(s) > widest)
			widest = safe_width(s);
		free(s);
	}
	if (widest < 36)
		widest = 36;
	if ((int)widest + 4 < w)
		w = (int)widest + 4, inner = w - 4;
	nq = wrap(d->question, inner, q, DIALOG_QUESTION_ROWS);
	/* Rows: border, question, blank and details (when any), blank, hint, border. */
	room = rows - 2 - (int)nq - 2 - (d->details.n > 0 ? 1 : 0);
	details = d->details.n > 0 ? ((int)d->details.n < room ? (int)d->details.n : room) : 0;
	if (details < 0)
		details = 0;
	h = 2 + (int)nq + (details > 0 ? details + 1 : 0) + 2;
	if (h > rows)
		h = rows;
	y = top + (rows - h) / 2;
	x = (cols - w) / 2;
	d->rows = details > 0 ? details : 1;
	for (int r = 0; r < h; r++)
		ui_blank(win, y + r, x, w);
	frame(win, y, x, h, w);
	for (size_t i = 0; i < nq; i++) {
		ui_put(win, y + 1 + (int)i, x + 2, inner, q[i], UI_NORMAL, false);
		free(q[i]);
	}
	if (details > 0) {
		/* Keep the cursor in view while choosing. */
		if (d->choosing) {
			if (d->cursor < d->top)
				d->top = d->cursor;
			if (d->cursor >= d->top + (size_t)details)
				d->top = d->cursor - (size_t)details + 1;
		}
		if (d->top + (size_t)details > d->details.n)
			d->top = d->details.n - (size_t)details;
		for (int r = 0; r < details; r++) {
			size_t i = d->top + (size_t)r;
			bool here = d->choosing && i == d->cursor;

			ui_put(win, y + 2 + (int)nq + r, x + 2, inner, d->details.v[i],
			    here ? UI_SELECTED : UI_NORMAL, here);
		}
	}
	hint = d->choosing ? xstrdup("y or Enter picks the highlighted line, n or Esc none")
	                   : xasprintf("y yes, n no, Enter %s", d->default_yes ? "yes" : "no");
	ui_put(win, y + h - 2, x + 2, inner, hint, UI_DIM, false);
	free(hint);
}

void
ui_dialog_draw_line(const struct ui_dialog *d, WINDOW *win, int y, int cols)
{
	const char *hint = ui_dialog_hint(d);
	int hint_w = (int)strlen(hint) + 1, used;

	/* The hint is kept whole: a question cut short still says how to answer it. */
	ui_put(win, y, 0, cols, "", UI_STATUS, true);
	if (cols <= hint_w) {
		ui_put(win, y, 0, cols, hint, UI_STATUS, true);
		return;
	}
	used = ui_put(win, y, 0, cols - hint_w, d->question, UI_STATUS, false);
	ui_put(win, y, used + 1, hint_w - 1, hint, UI_STATUS, false);
}
