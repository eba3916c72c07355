/* The cursor of rows a screen holds whole and draws itself. */
#include "config.h"

#include "ui/cursor.h"

static bool
can_select(const struct ui_cursor *c, size_t i)
{
	return c->selectable == NULL || c->selectable(c->ctx, i);
}

void
ui_cursor_rows(struct ui_cursor *c, size_t n, ui_cursor_selectable_fn selectable,
    const void *ctx)
{
	c->n = n;
	c->selectable = selectable;
	c->ctx = ctx;
	if (c->at >= n)
		c->at = n > 0 ? n - 1 : 0;
}

/* From row AT moved BY (clamped to the rows), on over refused rows the way BY goes (0: down). */
static bool
go(struct ui_cursor *c, long by)
{
	long n = (long)c->n;
	long at = (long)c->at + by;
	long step = by < 0 ? -1 : 1;

	if (at < 0)
		at = 0;
	if (at >= n)
		at = n - 1;
	while (at >= 0 && at < n && !can_select(c, (size_t)at))
		at += step;
	if (at < 0 || at >= n)
		return false;
	c->at = (size_t)at;
	return true;
}

bool
ui_cursor_action(struct ui_cursor *c, enum action a)
{
	/* A page keeps its last row in view as the next page's first. */
	long page = c->shown > 1 ? c->shown - 1 : 1;

	if (c->n == 0)
		return false;
	switch (a) {
	case A_UP:
		return go(c, -1);
	case A_DOWN:
		return go(c, 1);
	case A_PAGE_UP:
		return go(c, -page);
	case A_PAGE_DOWN:
		return go(c, page);
	case A_FIRST: {
		size_t was = c->at;

		c->at = 0;
		if (go(c, 0))
			return true;
		c->at = was;
		return false;
	}
	case A_LAST:
		c->at = c->n - 1;
		while (c->at > 0 && !can_select(c, c->at))
			c->at--;
		return true;
	default:
		return false;
	}
}

size_t
ui_cursor_window(struct ui_cursor *c, int rows)
{
	c->shown = rows > 1 ? rows : 1;
	return c->at + 1 > (size_t)c->shown ? c->at + 1 - (size_t)c->shown : 0;
}
