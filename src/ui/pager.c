/* Pager: a scrolled list of text lines, drawn only through ui_put. */
#include "config.h"

#include "ui/pager.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

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
