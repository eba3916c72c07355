/* Pager: a scrolled list of text lines, drawn only through ui_put. */
#include "config.h"

#include "ui/pager.h"
#include "text/safe.h"
#include "ui/ui.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
ui_pager_init(struct ui_pager *p)
{
	p->text = (struct ui_lines){ 0 };
	p->top = 0;
	p->rows = 1;
}

void
ui_pager_free(struct ui_pager *p)
{
	ui_lines_clear(&p->text);
	ui_pager_init(p);
}

void
ui_pager_add(struct ui_pager *p, const char *line)
{
	ui_lines_add(&p->text, line);
}

void
ui_pager_addf(struct ui_pager *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ui_lines_vaddf(&p->text, fmt, ap);
	va_end(ap);
}

/* Display columns of the one character at S, N bytes. */
static size_t
char_width(const char *s, size_t n)
{
	char one[16];

	if (n >= sizeof one)
		return 1;
	memcpy(one, s, n);
	one[n] = '\0';
	return safe_width(one);
}

static void
add_piece(struct ui_pager *p, const char *label, size_t label_w, bool first, const char *s,
    size_t n)
{
	ui_pager_addf(p, "%-*s%.*s", first ? 0 : (int)label_w, first ? label : "", (int)n, s);
}

size_t
ui_pager_add_wrapped(struct ui_pager *p, const char *label, const char *text, int width,
    size_t max)
{
	char *safe = safe_text(text != NULL ? text : "", text != NULL ? strlen(text) : 0, 0, ui_utf8());
	char *lab = safe_str(label, ui_utf8());
	size_t label_w = safe_width(lab), room, added = 0;
	size_t start = 0, col = 0, space = 0, len = strlen(safe), i = 0;
	bool first = true;

	room = width > (int)label_w + 8 ? (size_t)width - label_w : 8;
	while (i < len && added < max) {
		uint32_t cp;
		size_t n = utf8_decode(safe + i, len - i, &cp), w;

		if (n == 0)
			n = 1;
		w = char_width(safe + i, n);
		if (safe[i] == ' ')
			space = i;
		if (col + w > room && i > start) {
			/* Break at the last space of this line, else inside the word. */
			size_t end = space > start ? space : i;

			add_piece(p, lab, label_w, first, safe + start, end - start);
			added++;
			first = false;
			start = end;
			while (start < len && safe[start] == ' ')
				start++;
			i = start;
			col = 0;
			space = 0;
			continue;
		}
		col += w;
		i += n;
	}
	if (added < max && (start < len || added == 0)) {
		add_piece(p, lab, label_w, first, safe + start, len - start);
		added++;
	}
	free(safe);
	free(lab);
	return added;
}

void
ui_pager_draw(struct ui_pager *p, WINDOW *win, int top, int rows, int cols)
{
	/* Text longer than the window gives up its last row to say where the reader is: a
	 * page that ends at the window's edge must not look like the end. */
	bool longer = rows >= 2 && p->text.n > (size_t)rows;
	int text_rows = longer ? rows - 1 : rows;

	p->rows = text_rows > 0 ? text_rows : 1;
	if (p->top + (size_t)p->rows > p->text.n)
		p->top = p->text.n > (size_t)p->rows ? p->text.n - (size_t)p->rows : 0;
	for (int r = 0; r < text_rows; r++) {
		size_t i = p->top + (size_t)r;

		if (i < p->text.n)
			ui_put(win, top + r, 0, cols, p->text.v[i], UI_NORMAL, true);
		else
			ui_blank(win, top + r, 0, cols);
	}
	if (longer) {
		size_t last = p->top + (size_t)p->rows;

		ui_putf(win, top + rows - 1, 0, cols, UI_DIM, true, "-- lines %zu-%zu of %zu%s --",
		    p->top + 1, last, p->text.n, last < p->text.n ? ", more below" : ", the end");
	}
}

bool
ui_pager_action(struct ui_pager *p, enum action a)
{
	size_t page = (size_t)p->rows, last = p->text.n > page ? p->text.n - page : 0;

	switch (a) {
	case A_UP:
		if (p->top > 0)
			p->top--;
		return true;
	case A_DOWN:
		if (p->top < last)
			p->top++;
		return true;
	case A_PAGE_UP:
		p->top = p->top > page ? p->top - page : 0;
		return true;
	case A_PAGE_DOWN:
		p->top = p->top + page < last ? p->top + page : last;
		return true;
	case A_FIRST:
		p->top = 0;
		return true;
	case A_LAST:
		p->top = last;
		return true;
	default:
		return false;
	}
}
