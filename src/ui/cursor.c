/* The cursor of rows a screen holds whole and draws itself. */
#include "config.h"

#include "ui/cursor.h"

static bool
can_select(ui_cursor_selectable_fn selectable, const void *ctx, size_t i)
{
	return selectable == NULL || selectable(ctx, i);
}

/* From row AT moved BY (clamped to the rows), on over refused rows the way BY goes (0: down). */
static bool
go(struct ui_cursor *c, size_t n, long by, ui_cursor_selectable_fn selectable, const void *ctx)
{
	long at = (long)c->at + by;
	long step = by < 0 ? -1 : 1;

	if (at < 0)
		at = 0;
	if (at >= (long)n)
		at = (long)n - 1;
	while (at >= 0 && at < (long)n && !can_select(selectable, ctx, (size_t)at))
		at += step;
	if (at < 0 || at >= (long)n)
		return false;
	c->at = (size_t)at;
	return true;
}

bool
ui_cursor_action(struct ui_cursor *c, size_t n, enum action a,
    ui_cursor_selectable_fn selectable, const void *ctx)
{
	/* A page keeps its last row in view as the next page's first. */
	long page = c->shown > 1 ? c->shown - 1 : 1;

	if (n == 0)
		return false;
	switch (a) {
	case A_UP:
		return go(c, n, -1, selectable, ctx);
	case A_DOWN:
		return go(c, n, 1, selectable, ctx);
	case A_PAGE_UP:
		return go(c, n, -page, selectable, ctx);
	case A_PAGE_DOWN:
		return go(c, n, page, selectable, ctx);
	case A_FIRST: {
		struct ui_cursor first = { 0, c->shown };

		if (!go(&first, n, 0, selectable, ctx))
			return false;
		c->at = first.at;
		return true;
	}
	case A_LAST:
		c->at = n - 1;
		while (c->at > 0 && !can_select(selectable, ctx, c->at))
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
