/* Unit tests for the lazily paged list: the page request state machine, its bound, and drawing. */
#include "config.h"

#include <criterion/criterion.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/list.h"

// clang-format off
static const struct ui_list_column columns[] = {
	{ .header = "Name", .weight = 2 },
	{ .header = "Row", .width = 6 },
	{ .header = "Note", .weight = 1 },
};
// clang-format on
#define NCOLS (sizeof columns / sizeof columns[0])

/*
 * A pretend FHIR server behind a pretend screen: TOTAL rows served PAGE at a
 * time, links "off=N" as a Bundle's, and a record of what the list asked for.
 * The screen answers at the next "turn" (answer()), or at once when SYNC.
 */
struct owner {
	struct ui_list list;
	size_t total, page;
	bool report_total; /* Bundle.total present */
	bool give_previous;
	bool sync;
	const char *hostile; /* a cell to put in row 3, or NULL */
	/* the request waiting */
	bool waiting;
	unsigned ticket;
	enum ui_list_dir dir;
	char *link;
	size_t asked; /* need_page calls */
	size_t peak_pages, peak_rows;
};

static void answer(struct owner *o);

static void
need(void *arg, unsigned ticket, enum ui_list_dir dir, const char *link)
{
	struct owner *o = arg;

	o->asked++;
	o->waiting = true;
	o->ticket = ticket;
	o->dir = dir;
	free(o->link);
	o->link = link != NULL ? strdup(link) : NULL;
	if (o->sync)
		answer(o);
}

static char *
off_link(size_t off)
{
	char *s;

	cr_assert(asprintf(&s, "off=%zu", off) > 0);
	return s;
}

static size_t
last_offset(const struct owner *o)
{
	return o->total == 0 ? 0 : (o->total - 1) / o->page * o->page;
}

/* Build the page at OFFSET as the server would, without answering. */
static struct ui_list_page *
make_page(const struct owner *o, size_t offset)
{
	struct ui_list_page *pg = ui_list_page_new(NCOLS);

	for (size_t i = offset; i < offset + o->page && i < o->total; i++) {
		char id[32], name[32], row[24];
		const char *cells[NCOLS] = {name, row, NULL};

		snprintf(id, sizeof id, "id-%zu", i);
		snprintf(name, sizeof name, "Name %zu", i);
		snprintf(row, sizeof row, "%zu", i);
		if (o->hostile != NULL && i == 3)
			cells[2] = o->hostile;
		ui_list_page_add(pg, id, cells);
	}
	return pg;
}

/* Answer the waiting request with the page its link names. */
static void
answer(struct owner *o)
{
	struct ui_list_page *pg;
	struct ui_list_links links = {NULL, NULL, NULL, NULL};
	char *prev = NULL, *next = NULL, *first = off_link(0), *last = off_link(last_offset(o));
	size_t offset = 0;
	unsigned ticket = o->ticket;
	char *cause = NULL;

	cr_assert(o->waiting, "answer() with no request waiting");
	o->waiting = false;
	if (o->link != NULL)
		cr_assert_eq(sscanf(o->link, "off=%zu", &offset), 1, "link %s", o->link);
	pg = make_page(o, offset);
	if (offset > 0 && o->give_previous)
		prev = off_link(offset >= o->page ? offset - o->page : 0);
	if (offset + o->page < o->total)
		next = off_link(offset + o->page);
	links = (struct ui_list_links){prev, next, first, last};
	cr_assert_eq(ui_list_add_page(&o->list, ticket, &pg, -1, &links,
	                 o->report_total ? (long)o->total : -1, &cause),
	    0, "add_page: %s", cause ? cause : "");
	cr_assert_null(pg, "the list takes the page");
	free(prev);
	free(next);
	free(first);
	free(last);
	if (ui_list_pages_held(&o->list) > o->peak_pages)
		o->peak_pages = ui_list_pages_held(&o->list);
	if (ui_list_rows_held(&o->list) > o->peak_rows)
		o->peak_rows = ui_list_rows_held(&o->list);
}

static void
start(struct owner *o, size_t total, size_t page)
{
	memset(o, 0, sizeof *o);
	o->total = total;
	o->page = page;
	o->report_total = true;
	o->give_previous = true;
	ui_list_init(&o->list, columns, NCOLS, need, o);
}

/* A new search, answered: the first page is asked for by the screen, not by the list. */
static void
search(struct owner *o)
{
	o->ticket = ui_list_reset(&o->list);
	o->dir = UI_LIST_FIRST;
	free(o->link);
	o->link = NULL;
	o->waiting = true;
	answer(o);
}

static void
finish(struct owner *o)
{
	ui_list_free(&o->list);
	free(o->link);
}

static void
assert_selected(struct owner *o)
{
	char want[32];

	snprintf(want, sizeof want, "id-%zu", ui_list_cursor(&o->list));
	cr_assert_not_null(ui_list_selected_id(&o->list));
	cr_assert_str_eq(ui_list_selected_id(&o->list), want);
}

static void
assert_position(const struct ui_list *l, const char *want)
{
	char *pos = ui_list_position(l);

	cr_assert_str_eq(pos, want);
	free(pos);
}

/* --- empty and edge cases --------------------------------------------------------------- */

Test(list, empty_before_any_search)
{
	struct owner o;

	start(&o, 0, 20);
	cr_assert_null(ui_list_selected_id(&o.list));
	cr_assert_null(ui_list_selected_cell(&o.list, 0));
	assert_position(&o.list, "");
	cr_assert(ui_list_action(&o.list, A_DOWN), "a move is the list's even when empty");
	cr_assert(ui_list_action(&o.list, A_LAST));
	cr_assert_eq(o.asked, 0, "nothing to page through, nothing asked");
	cr_assert_not(ui_list_action(&o.list, A_SELECT), "select is the screen's");
	cr_assert_not(ui_list_action(&o.list, A_BACKSPACE));
	finish(&o);
}

Test(list, search_with_no_results)
{
	struct owner o;

	start(&o, 0, 20);
	search(&o);
	cr_assert_eq(ui_list_rows_held(&o.list), 0);
	cr_assert_not(ui_list_loading(&o.list));
	cr_assert_null(ui_list_selected_id(&o.list));
	assert_position(&o.list, "");
	ui_list_action(&o.list, A_DOWN);
	cr_assert_eq(o.asked, 0);
	finish(&o);
}

Test(list, first_page_shows_position_and_cells)
{
	struct owner o;

	start(&o, 500, 20);
	o.list.ticket = 41; /* tickets need not start anywhere in particular */
	search(&o);
	cr_assert_eq(ui_list_rows_held(&o.list), 20);
	cr_assert_eq(ui_list_pages_held(&o.list), 1);
	assert_selected(&o);
	cr_assert_str_eq(ui_list_selected_cell(&o.list, 0), "Name 0");
	cr_assert_str_eq(ui_list_selected_cell(&o.list, 2), "", "a NULL cell reads as empty");
	cr_assert_null(ui_list_selected_cell(&o.list, NCOLS), "no such column");
	assert_position(&o.list, "1 of 500");
	o.report_total = false;
	search(&o);
	assert_position(&o.list, "1 of many");
	finish(&o);
}

Test(list, position_without_total_ends_known_at_the_last_page)
{
	struct owner o;

	start(&o, 45, 20);
	o.report_total = false;
	search(&o);
	ui_list_action(&o.list, A_PAGE_DOWN); /* cursor 10: within a screen of the end */
	answer(&o);
	ui_list_action(&o.list, A_PAGE_DOWN);
	ui_list_action(&o.list, A_PAGE_DOWN);
	answer(&o);
	assert_position(&o.list, "31 of 45");
	finish(&o);
}

/* --- paging through a large result ------------------------------------------------------ */

Test(list, walks_500_rows_holding_at_most_three_pages)
{
	struct owner o;
	size_t steps = 0;

	start(&o, 500, 20);
	search(&o);
	while (ui_list_cursor(&o.list) < 499 && steps++ < 5000) {
		size_t before = ui_list_cursor(&o.list);

		cr_assert(ui_list_action(&o.list, A_DOWN));
		cr_assert_eq(ui_list_cursor(&o.list), before + 1,
		    "a page is always there before the cursor needs it (at %zu)", before);
		assert_selected(&o);
		cr_assert_leq(ui_list_pages_held(&o.list), UI_LIST_PAGES_MAX);
		if (o.waiting)
			answer(&o); /* the next turn of the event loop */
	}
	cr_assert_eq(ui_list_cursor(&o.list), 499);
	assert_position(&o.list, "500 of 500");
	cr_assert_eq(o.asked, 24, "each of pages 2..25 asked for once, not %zu times", o.asked);
	cr_assert_eq(o.peak_pages, 3, "three pages at most, and three were needed");
	cr_assert_leq(o.peak_rows, 60, "rows held are bounded by the pages, not the result");
	/* Past the end: nothing more to ask for. */
	ui_list_action(&o.list, A_DOWN);
	ui_list_action(&o.list, A_PAGE_DOWN);
	cr_assert_eq(ui_list_cursor(&o.list), 499);
	cr_assert_eq(o.asked, 24);

	/* And back up again, through the previous links of pages dropped on the way. */
	steps = 0;
	while (ui_list_cursor(&o.list) > 0 && steps++ < 5000) {
		size_t before = ui_list_cursor(&o.list);

		ui_list_action(&o.list, A_UP);
		cr_assert_eq(ui_list_cursor(&o.list), before - 1);
		assert_selected(&o);
		if (o.waiting) {
			cr_assert_eq(o.dir, UI_LIST_PREVIOUS);
			answer(&o);
		}
	}
	cr_assert_eq(ui_list_cursor(&o.list), 0);
	cr_assert_eq(o.asked, 24 + 22, "pages 22..1 asked for again once each");
	cr_assert_leq(o.peak_pages, UI_LIST_PAGES_MAX);
	finish(&o);
}

Test(list, page_down_through_10000_rows_keeps_the_bound)
{
	struct owner o;
	size_t steps = 0;

	start(&o, 10000, 25);
	o.list.rows = 20;
	search(&o);
	while (ui_list_cursor(&o.list) < 9999 && steps++ < 5000) {
		ui_list_action(&o.list, A_PAGE_DOWN);
		assert_selected(&o);
		if (o.waiting)
			answer(&o);
	}
	cr_assert_eq(ui_list_cursor(&o.list), 9999);
	cr_assert_leq(o.peak_rows, UI_LIST_PAGES_MAX * 25);
	cr_assert_eq(o.asked, 399, "400 pages, the first from the search");
	finish(&o);
}

Test(list, asks_for_the_next_page_a_screen_before_the_end)
{
	struct owner o;

	start(&o, 500, 20);
	o.list.rows = 10;
	search(&o);
	for (int i = 0; i < 9; i++)
		ui_list_action(&o.list, A_DOWN);
	cr_assert_eq(ui_list_cursor(&o.list), 9);
	cr_assert_eq(o.asked, 0, "ten rows still below the cursor: no need yet");
	ui_list_action(&o.list, A_DOWN);
	cr_assert_eq(o.asked, 1);
	cr_assert_eq(o.dir, UI_LIST_NEXT);
	cr_assert_str_eq(o.link, "off=20", "the first page's next link");
	cr_assert(ui_list_loading(&o.list));
	finish(&o);
}

Test(list, keys_while_loading_ask_once_and_stay_within_the_rows_held)
{
	struct owner o;

	start(&o, 500, 20);
	search(&o);
	for (int i = 0; i < 40; i++)
		cr_assert(ui_list_action(&o.list, A_DOWN));
	cr_assert_eq(o.asked, 1, "one request however many keys");
	cr_assert_eq(ui_list_cursor(&o.list), 19, "the cursor waits at the last row held");
	assert_selected(&o);
	ui_list_action(&o.list, A_PAGE_DOWN);
	ui_list_action(&o.list, A_LAST); /* total known: a jump to the last page replaces it */
	cr_assert_eq(o.asked, 2);
	cr_assert_eq(o.dir, UI_LIST_LAST);
	ui_list_action(&o.list, A_LAST);
	cr_assert_eq(o.asked, 2, "the same jump is not asked twice");
	answer(&o);
	cr_assert_eq(ui_list_cursor(&o.list), 499);
	assert_selected(&o);
	assert_position(&o.list, "500 of 500");
	finish(&o);
}

Test(list, an_answer_before_need_page_returns_is_taken)
{
	struct owner o;
	size_t steps = 0;

	start(&o, 500, 20);
	o.sync = true; /* as when fhir_get_page fails at once and calls back inside */
	search(&o);
	while (ui_list_cursor(&o.list) < 499 && steps++ < 5000) {
		ui_list_action(&o.list, A_DOWN);
		assert_selected(&o);
	}
	cr_assert_eq(ui_list_cursor(&o.list), 499);
	cr_assert_leq(o.peak_pages, UI_LIST_PAGES_MAX);
	cr_assert_eq(o.asked, 24);
	finish(&o);
}

/* --- stale answers ---------------------------------------------------------------------- */

Test(list, reset_mid_flight_drops_the_late_page)
{
	struct owner o;
	struct ui_list_page *late;
	unsigned old;
	char *cause = NULL;

	start(&o, 500, 20);
	search(&o);
	for (int i = 0; i < 15; i++)
		ui_list_action(&o.list, A_DOWN);
	cr_assert(o.waiting);
	old = o.ticket;
	late = make_page(&o, 20);

	/* The clerk types a new search before page 2 arrives. */
	o.total = 7;
	o.ticket = ui_list_reset(&o.list);
	cr_assert_neq(o.ticket, old);
	cr_assert_eq(ui_list_rows_held(&o.list), 0);
	cr_assert(ui_list_loading(&o.list));
	cr_assert_null(ui_list_selected_id(&o.list));

	cr_assert_eq(ui_list_add_page(&o.list, old, &late, -1, NULL, 500, &cause), -1);
	cr_assert_null(late, "a dropped page is freed, not left to the caller");
	cr_assert_not_null(cause);
	free(cause);
	cr_assert_eq(ui_list_rows_held(&o.list), 0, "nothing of the old search shows");
	ui_list_page_failed(&o.list, old, "old failure");
	cr_assert(ui_list_loading(&o.list), "an old failure does not end the new wait");
	cr_assert_null(o.list.failed);

	/* The new search's answer is taken. */
	free(o.link);
	o.link = NULL;
	o.waiting = true;
	answer(&o);
	cr_assert_eq(ui_list_rows_held(&o.list), 7);
	assert_position(&o.list, "1 of 7");

	/* A page for a ticket never given out is refused too (cause not wanted). */
	late = make_page(&o, 0);
	cr_assert_eq(ui_list_add_page(&o.list, o.ticket + 100, &late, -1, NULL, 7, NULL), -1);
	cr_assert_eq(ui_list_rows_held(&o.list), 7);
	finish(&o);
}

Test(list, a_jump_replaces_the_step_in_flight)
{
	struct owner o;
	struct ui_list_page *late;
	unsigned step;

	start(&o, 500, 20);
	search(&o);
	/* Go to row 310, then Home while the page after it loads. */
	for (int steps = 0; ui_list_cursor(&o.list) < 310; steps++) {
		cr_assert_lt(steps, 1000, "stuck at row %zu", ui_list_cursor(&o.list));
		ui_list_action(&o.list, A_DOWN);
		if (o.waiting && ui_list_cursor(&o.list) < 310)
			answer(&o);
	}
	cr_assert(o.waiting);
	cr_assert_eq(o.dir, UI_LIST_NEXT);
	step = o.ticket;
	late = make_page(&o, 320);
	ui_list_action(&o.list, A_FIRST);
	cr_assert_eq(o.dir, UI_LIST_FIRST);
	cr_assert_str_eq(o.link, "off=0", "the first link from the Bundle");
	cr_assert_eq(ui_list_add_page(&o.list, step, &late, -1, NULL, 500, NULL), -1,
	    "the step's answer is stale once the jump is asked");
	answer(&o);
	cr_assert_eq(ui_list_cursor(&o.list), 0);
	cr_assert_eq(ui_list_pages_held(&o.list), 1);
	assert_selected(&o);
	/* At the start, Home asks nothing. */
	ui_list_action(&o.list, A_FIRST);
	cr_assert_not(o.waiting);
	finish(&o);
}

Test(list, end_without_a_total_walks_instead_of_jumping)
{
	struct owner o;

	start(&o, 500, 20);
	o.report_total = false;
	search(&o);
	ui_list_action(&o.list, A_LAST);
	cr_assert_eq(ui_list_cursor(&o.list), 19, "to the end of what is held");
	cr_assert_eq(o.dir, UI_LIST_NEXT, "and the next page follows");
	assert_position(&o.list, "20 of many");
	finish(&o);
}

/* --- failures --------------------------------------------------------------------------- */

Test(list, a_failed_page_is_asked_again_only_at_the_edge)
{
	struct owner o;

	start(&o, 500, 20);
	search(&o);
	for (int i = 0; i < 12; i++)
		ui_list_action(&o.list, A_DOWN);
	cr_assert_eq(o.asked, 1);
	ui_list_page_failed(&o.list, o.ticket, "The server did not answer in 30 s");
	o.waiting = false;
	cr_assert_not(ui_list_loading(&o.list));
	cr_assert_str_eq(o.list.failed, "The server did not answer in 30 s");
	/* Moving toward the failed edge does not hammer the server... */
	for (int i = 0; i < 6; i++)
		ui_list_action(&o.list, A_DOWN);
	cr_assert_eq(ui_list_cursor(&o.list), 18);
	cr_assert_eq(o.asked, 1);
	ui_list_action(&o.list, A_DOWN);
	cr_assert_eq(o.asked, 1, "arriving at the last row is not pressing against it");
	/* ...a key pressed at the edge itself is a retry. */
	ui_list_action(&o.list, A_DOWN);
	cr_assert_eq(o.asked, 2);
	cr_assert_null(o.list.failed);
	answer(&o);
	ui_list_action(&o.list, A_DOWN);
	cr_assert_eq(ui_list_cursor(&o.list), 20);
	finish(&o);
}

Test(list, a_failed_first_page_is_asked_again_by_a_key)
{
	struct owner o;

	start(&o, 500, 20);
	o.ticket = ui_list_reset(&o.list);
	ui_list_page_failed(&o.list, o.ticket, "Could not connect");
	cr_assert_not(ui_list_loading(&o.list));
	ui_list_action(&o.list, A_DOWN);
	cr_assert_eq(o.asked, 1);
	cr_assert_eq(o.dir, UI_LIST_FIRST);
	cr_assert_null(o.link, "no first link yet: the owner runs the search again");
	answer(&o);
	cr_assert_eq(ui_list_rows_held(&o.list), 20);
	finish(&o);
}

Test(list, a_page_with_the_wrong_columns_is_refused)
{
	struct owner o;
	struct ui_list_page *bad = ui_list_page_new(1);
	const char *one[] = {"x"};
	char *cause = NULL;

	start(&o, 500, 20);
	o.ticket = ui_list_reset(&o.list);
	ui_list_page_add(bad, "x", one);
	cr_assert_eq(ui_list_add_page(&o.list, o.ticket, &bad, -1, NULL, -1, &cause), -1);
	cr_assert_null(bad);
	cr_assert_not_null(cause);
	free(cause);
	cr_assert_not(ui_list_loading(&o.list));
	cr_assert_not_null(o.list.failed, "the clerk is told");
	finish(&o);
}

/* --- pages that do not line up ---------------------------------------------------------- */

Test(list, a_previous_page_clamped_at_zero_is_not_held_twice)
{
	struct owner o;
	struct ui_list_page *pg;
	struct ui_list_links links = {.previous = "off=0", .next = "off=25"};

	start(&o, 500, 20);
	o.ticket = ui_list_reset(&o.list);
	/* A search that started at offset 5 (the owner knew it). */
	pg = make_page(&o, 5);
	cr_assert_eq(ui_list_add_page(&o.list, o.ticket, &pg, 5, &links, 500, NULL), 0);
	o.waiting = false;
	assert_position(&o.list, "6 of 500");
	ui_list_action(&o.list, A_UP);
	cr_assert(o.waiting);
	cr_assert_str_eq(o.link, "off=0");
	answer(&o); /* rows 0..19, of which 5..19 are held already */
	cr_assert_eq(ui_list_rows_held(&o.list), 25);
	for (int i = 0; i < 5; i++) {
		ui_list_action(&o.list, A_UP);
		assert_selected(&o);
	}
	cr_assert_eq(ui_list_cursor(&o.list), 0);
	for (int i = 0; i < 24; i++) {
		ui_list_action(&o.list, A_DOWN);
		assert_selected(&o);
	}
	finish(&o);
}

Test(list, a_next_page_that_leaves_a_gap_starts_afresh)
{
	struct owner o;
	struct ui_list_page *pg;

	start(&o, 500, 20);
	search(&o);
	for (int i = 0; i < 12; i++)
		ui_list_action(&o.list, A_DOWN);
	pg = make_page(&o, 60);
	cr_assert_eq(ui_list_add_page(&o.list, o.ticket, &pg, 60, NULL, 500, NULL), 0);
	cr_assert_eq(ui_list_pages_held(&o.list), 1);
	cr_assert_eq(ui_list_cursor(&o.list), 60);
	assert_selected(&o);
	finish(&o);
}

/* --- columns and drawing ---------------------------------------------------------------- */

Test(list, column_widths_fixed_and_shared)
{
	struct owner o;
	int w[NCOLS];

	start(&o, 0, 20);
	ui_list_widths(&o.list, 80, w);
	cr_assert_eq(w[1], 6);
	cr_assert_eq(w[0] + w[1] + w[2] + 2, 80, "the columns and their gaps fill the row");
	cr_assert_eq(w[0], 48, "two shares of the 72 left");
	cr_assert_eq(w[2], 24);
	ui_list_widths(&o.list, 7, w);
	cr_assert_eq(w[0], 0);
	cr_assert_eq(w[1], 6);
	cr_assert_eq(w[2], 0, "no room: cut, never negative");
	ui_list_widths(&o.list, 3, w);
	cr_assert(w[0] >= 0 && w[1] >= 0 && w[2] >= 0);
	cr_assert_leq(w[0] + w[1], 3);
	finish(&o);
}

/* curses on /dev/null: a real WINDOW to draw into and read back, no terminal needed. */
static SCREEN *screen;
static FILE *out, *in;

static void
curses_up(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	out = fopen("/dev/null", "w");
	in = fopen("/dev/null", "r");
	cr_assert(out != NULL && in != NULL);
	screen = newterm("vt100", out, in);
	cr_assert_not_null(screen, "newterm on /dev/null with TERM=vt100");
}

static void
curses_down(void)
{
	endwin();
	delscreen(screen);
	fclose(out);
	fclose(in);
}

/* Row Y of WIN as text, trailing blanks cut. */
static char *
row_text(WINDOW *win, int y)
{
	char buf[256];
	int n = mvwinnstr(win, y, 0, buf, getmaxx(win));

	cr_assert_geq(n, 0);
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == ' ')
		buf[--n] = '\0';
	return strdup(buf);
}

static bool
row_selected(WINDOW *win, int y)
{
	return (mvwinch(win, y, 0) & A_REVERSE) != 0 && (mvwinch(win, y, 40) & A_REVERSE) != 0;
}

Test(list_draw, draws_header_rows_and_follows_the_cursor, .init = curses_up, .fini = curses_down)
{
	struct owner o;
	WINDOW *win = newwin(24, 80, 0, 0);
	char *t, want[32];

	start(&o, 500, 20);
	search(&o);
	ui_list_draw(&o.list, win, 2, 12, 80);
	cr_assert_eq(o.list.rows, 11, "a header row and eleven of data");
	t = row_text(win, 2);
	cr_assert(strncmp(t, "Name", 4) == 0, "header: %s", t);
	cr_assert_not_null(strstr(t, "Row"));
	free(t);
	cr_assert(row_selected(win, 3));
	cr_assert_not(row_selected(win, 4));
	/* Walk down, drawing each turn: the selected row is always in view and is the cursor's. */
	for (int i = 0; i < 70; i++) {
		int sel = -1;

		ui_list_action(&o.list, A_DOWN);
		if (o.waiting && i % 7 == 6)
			answer(&o); /* answers come late, sometimes */
		ui_list_draw(&o.list, win, 2, 12, 80);
		for (int y = 3; y < 14; y++)
			if (row_selected(win, y))
				sel = sel == -1 ? y : -2;
		cr_assert_geq(sel, 3, "one selected row in view (step %d)", i);
		t = row_text(win, sel);
		snprintf(want, sizeof want, "Name %zu ", ui_list_cursor(&o.list));
		cr_assert(strncmp(t, want, strlen(want)) == 0, "selected row \"%s\", cursor %zu", t,
		    ui_list_cursor(&o.list));
		free(t);
	}
	/* While the next page loads, the row after the last says so. */
	for (size_t was = SIZE_MAX; was != ui_list_cursor(&o.list);) {
		was = ui_list_cursor(&o.list);
		ui_list_action(&o.list, A_DOWN);
	}
	cr_assert(o.waiting, "at the last row held, the next page is on its way");
	ui_list_draw(&o.list, win, 2, 12, 80);
	t = row_text(win, 13);
	cr_assert(strncmp(t, "loading", 7) == 0, "last row: %s", t);
	free(t);
	cr_assert(row_selected(win, 12));
	delwin(win);
	finish(&o);
}

Test(list_draw, empty_message_failure_and_hostile_cells, .init = curses_up, .fini = curses_down)
{
	struct owner o;
	WINDOW *win = newwin(24, 80, 0, 0);
	char *t;

	start(&o, 0, 20);
	ui_list_set_empty_message(&o.list, "No patients match");
	ui_list_draw(&o.list, win, 0, 10, 80);
	t = row_text(win, 1);
	cr_assert_str_eq(t, "", "no search yet: no message");
	free(t);
	search(&o);
	ui_list_draw(&o.list, win, 0, 10, 80);
	t = row_text(win, 1);
	cr_assert_str_eq(t, "No patients match");
	free(t);

	o.ticket = ui_list_reset(&o.list);
	ui_list_page_failed(&o.list, o.ticket, "Could not connect: \x1b[2Jthe link is down");
	ui_list_draw(&o.list, win, 0, 10, 80);
	t = row_text(win, 1);
	cr_assert_null(strchr(t, '\x1b'));
	cr_assert_not_null(strstr(t, "the link is down"), "%s", t);
	free(t);

	o.total = 10;
	o.hostile = "\x1b]0;owned\x07\xe2\x80\xae"
	            "evil";
	search(&o);
	ui_list_draw(&o.list, win, 0, 10, 80);
	for (int y = 0; y < 10; y++) {
		t = row_text(win, y);
		for (const char *p = t; *p != '\0'; p++)
			cr_assert(
			    (unsigned char)*p >= 0x20 && *p != 0x7f, "row %d: control byte", y);
		if (y == 4)
			cr_assert_not_null(strstr(t, "]0;owned"), "the text shows, inert: %s", t);
		free(t);
	}
	delwin(win);
	finish(&o);
}
