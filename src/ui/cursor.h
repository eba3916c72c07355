/* The cursor of rows a screen holds whole and draws itself: moved by the list's keys, no curses. */
#ifndef EHRTERM_UI_CURSOR_H
#define EHRTERM_UI_CURSOR_H

#include <stdbool.h>
#include <stddef.h>

#include "keys/keys.h"

/* Whether row I of CTX's rows can be selected: a heading between groups cannot. */
typedef bool (*ui_cursor_selectable_fn)(const void *ctx, size_t i);

/*
 * For rows that are all in memory and drawn by the screen in its own format (a ledger's
 * amounts, an aging's buckets), where the list widget's columns, paging and loading row do
 * not fit. The screen tells it how many rows there are whenever they change, hands it to the
 * loop as its widget (APP_WIDGET_CURSOR), which moves it with the list's keys, then draws
 * the window ui_cursor_window() gives and marks row AT.
 */
struct ui_cursor {
	size_t at; /* the selected row */
	int shown; /* rows shown at the last draw: a page moves one fewer, so a row stays in view */
	size_t n;  /* rows there are */
	ui_cursor_selectable_fn selectable; /* NULL: every row can be selected */
	const void *ctx;		    /* handed to SELECTABLE */
};

/*
 * C's rows are N now, SELECTABLE (NULL: all) telling which of them can be selected; the
 * cursor stays where it was when that row is still there, else on the last row.
 */
void ui_cursor_rows(struct ui_cursor *c, size_t n, ui_cursor_selectable_fn selectable,
    const void *ctx);

/*
 * Move C by A: up, down, page-up, page-down, first or last. A move stops at the first and
 * the last row, and passes over the rows C's SELECTABLE refuses, in the direction it goes;
 * last goes back to the last row it accepts. True when the cursor is on a row it accepts;
 * false, the cursor as it was, when A is not a move, there are no rows, or a move finds
 * only refused rows past its end.
 */
bool ui_cursor_action(struct ui_cursor *c, enum action a);

/*
 * The first row of a window ROWS tall (1 when fewer) that ends on the cursor's row, or 0
 * when that row is within the first ROWS; ROWS is kept as the page's size.
 */
size_t ui_cursor_window(struct ui_cursor *c, int rows);

#endif
