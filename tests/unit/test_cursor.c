/* Unit tests for the cursor of rows a screen draws itself: moves, pages, headings passed over, the window. */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "ui/cursor.h"

/* Rows as a string, one character a row: 'h' a heading that cannot be selected. */
static bool
not_heading(const void *ctx, size_t i)
{
	return ((const char *)ctx)[i] != 'h';
}

/* A on C once its rows are N, SELECTABLE telling which (NULL: all). */
static bool
act(struct ui_cursor *c, size_t n, enum action a, ui_cursor_selectable_fn selectable,
    const void *ctx)
{
	ui_cursor_rows(c, n, selectable, ctx);
	return ui_cursor_action(c, a);
}

static size_t
after(struct ui_cursor c, size_t n, enum action a, bool want)
{
	cr_expect_eq(act(&c, n, a, NULL, NULL), want, "%s: %s", action_name(a),
	    want ? "refused" : "taken");
	return c.at;
}

Test(cursor, moves_stop_at_the_ends)
{
	struct ui_cursor c = { 0 };

	cr_expect_eq(after(c, 5, A_UP, true), 0, "up on the first row stays there");
	cr_expect_eq(after(c, 5, A_DOWN, true), 1);
	c.at = 4;
	cr_expect_eq(after(c, 5, A_DOWN, true), 4, "down on the last row stays there");
	cr_expect_eq(after(c, 5, A_FIRST, true), 0);
	c.at = 2;
	cr_expect_eq(after(c, 5, A_LAST, true), 4);
	cr_expect_eq(after(c, 5, A_SELECT, false), 2, "not a move");
}

Test(cursor, no_rows_no_move)
{
	struct ui_cursor c = { 0 };

	cr_expect_eq(after(c, 0, A_DOWN, false), 0);
	cr_expect_eq(after(c, 0, A_LAST, false), 0);
	cr_expect_eq(after(c, 0, A_FIRST, false), 0);
}

/* A page is the rows shown less one; before the first draw, one row. */
Test(cursor, pages_by_what_was_shown)
{
	struct ui_cursor c = { 0 };

	cr_expect_eq(after(c, 100, A_PAGE_DOWN, true), 1, "nothing drawn yet");
	c.shown = 10;
	cr_expect_eq(after(c, 100, A_PAGE_DOWN, true), 9);
	c.at = 95;
	cr_expect_eq(after(c, 100, A_PAGE_DOWN, true), 99, "the last page ends on the last row");
	c.at = 5;
	cr_expect_eq(after(c, 100, A_PAGE_UP, true), 0);
	c.at = 50;
	cr_expect_eq(after(c, 100, A_PAGE_UP, true), 41);
	c.shown = 1;
	cr_expect_eq(after(c, 100, A_PAGE_UP, true), 49, "one row shown: a page is a row");
}

Test(cursor, headings_are_passed_over)
{
	const char *rows = "rrhrrh"; /* two rows, a heading, two rows, a heading last */
	struct ui_cursor c = { .at = 1, .shown = 3 };

	cr_expect(act(&c, 6, A_DOWN, not_heading, rows));
	cr_expect_eq(c.at, 3, "down from row 1 passes the heading");
	cr_expect(act(&c, 6, A_UP, not_heading, rows));
	cr_expect_eq(c.at, 1, "up from row 3 passes it back");
	c.at = 4;
	cr_expect_not(act(&c, 6, A_DOWN, not_heading, rows),
	    "only a heading below: no move");
	cr_expect_eq(c.at, 4);
	cr_expect_not(act(&c, 6, A_PAGE_DOWN, not_heading, rows));
	cr_expect_eq(c.at, 4);
	cr_expect(act(&c, 6, A_LAST, not_heading, rows));
	cr_expect_eq(c.at, 4, "last is the last row that is not a heading");
	cr_expect(act(&c, 6, A_FIRST, not_heading, rows));
	cr_expect_eq(c.at, 0);
}

Test(cursor, first_passes_a_heading_at_the_top)
{
	struct ui_cursor c = { .at = 3 };

	cr_expect(act(&c, 4, A_FIRST, not_heading, "hhrr"));
	cr_expect_eq(c.at, 2);
	cr_expect_not(act(&c, 4, A_UP, not_heading, "hhrr"), "only headings above");
	cr_expect_eq(c.at, 2);
	c.at = 1;
	cr_expect_not(act(&c, 2, A_FIRST, not_heading, "hh"), "nothing to select");
	cr_expect_eq(c.at, 1);
}

/* The window ends on the cursor's row once it is past the first screenful. */
Test(cursor, window_keeps_the_cursor_in_view)
{
	struct ui_cursor c = { .at = 3 };

	cr_expect_eq(ui_cursor_window(&c, 10), 0);
	cr_expect_eq(c.shown, 10, "the page's size is what was shown");
	c.at = 9;
	cr_expect_eq(ui_cursor_window(&c, 10), 0, "the tenth row is the window's last");
	c.at = 10;
	cr_expect_eq(ui_cursor_window(&c, 10), 1);
	c.at = 42;
	cr_expect_eq(ui_cursor_window(&c, 0), 42, "no room: one row, the cursor's");
	cr_expect_eq(c.shown, 1);
}

/* Rows read again, fewer than before: the cursor stays on a row that is there. */
Test(cursor, fewer_rows_keep_the_cursor_on_one)
{
	struct ui_cursor c = { .at = 7 };

	ui_cursor_rows(&c, 10, NULL, NULL);
	cr_expect_eq(c.at, 7, "still there");
	ui_cursor_rows(&c, 3, NULL, NULL);
	cr_expect_eq(c.at, 2, "on the last row");
	ui_cursor_rows(&c, 0, NULL, NULL);
	cr_expect_eq(c.at, 0);
	cr_expect_not(ui_cursor_action(&c, A_DOWN), "no rows, no move");
}
