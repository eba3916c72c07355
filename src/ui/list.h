/* List view with lazy paging: a few pages of results held, fetched as the cursor nears an edge. */
#ifndef EHRTERM_UI_LIST_H
#define EHRTERM_UI_LIST_H

#include <stdbool.h>
#include <stddef.h>

#include <curses.h>

#include "keys/keys.h"

/*
 * The list holds at most UI_LIST_PAGES_MAX pages of rows, whatever the size of
 * the result: when one more arrives, the page furthest from the cursor is
 * dropped, and fetched again if the cursor goes back. Rows are numbered from 0
 * across the whole result (the "12" of "12 of 500"). The list knows nothing of
 * FHIR: its owner (a screen) turns a Bundle into a page and keeps its links
 * here, and the list hands a link back when it wants that page.
 *
 * One page request is in flight at a time; each carries a ticket, and an
 * answer whose ticket is not the one the list waits for (an older search, a
 * request a jump replaced) is dropped. The owner sizes pages (_count) at
 * least as tall as the screen, so what is held covers what is shown.
 */
#define UI_LIST_PAGES_MAX 3

enum ui_list_dir {
	UI_LIST_NEXT,     /* the rows after the last held: the page's "next" link */
	UI_LIST_PREVIOUS, /* the rows before the first held: its "previous" link */
	UI_LIST_FIRST,    /* the first page, replacing all: "first" link, or NULL: search again */
	UI_LIST_LAST, /* the last page, replacing all: "last" link (asked when total is known) */
};

/* A column: WIDTH columns when WIDTH > 0, else a WEIGHT share (0 counts as 1) of what is left. */
struct ui_list_column {
	const char *header;
	int width;
	int weight;
};

/* A page of rows the owner builds, then hands to ui_list_add_page whole. */
struct ui_list_page;

struct ui_list_page *ui_list_page_new(size_t ncols);
/* Add a row: ID (opaque here: the owner opens it) and NCOLS cells, all copied; NULL reads as "". */
void ui_list_page_add(struct ui_list_page *pg, const char *id, const char *const *cells);
size_t ui_list_page_rows(const struct ui_list_page *pg);
/* Free *PG and set it to NULL; NULL and a pointer to NULL are fine. */
void ui_list_page_free(struct ui_list_page **pg);

/* The links that came with a page (a Bundle's link[]), copied; any may be NULL. */
struct ui_list_links {
	const char *previous, *next, *first, *last;
};

/*
 * The list wants a page: fetch it and answer with ui_list_add_page() or
 * ui_list_page_failed(), passing TICKET back. LINK is borrowed for the call.
 * Called from ui_list_action(); it may answer before it returns.
 */
typedef void (*ui_list_need_fn)(
    void *owner, unsigned ticket, enum ui_list_dir dir, const char *link);

/* Members are the list's own; read them through the functions below. */
struct ui_list {
	const struct ui_list_column *columns; /* borrowed */
	size_t ncols;
	ui_list_need_fn need;
	void *owner;
	char *empty_message;

	struct ui_list_page *pages[UI_LIST_PAGES_MAX + 1]; /* held, in row order */
	size_t npages;
	char *first_link, *last_link;
	long total;   /* rows in the whole result, -1 when the server did not say */
	bool started; /* a first page asked for since the last clear */

	size_t cursor; /* row number, within the held rows when any */
	long top;      /* row number at the top of the view; -1: the loading row before row 0 */
	int rows;      /* data rows shown at the last draw: the page-up/down step */

	unsigned ticket; /* the last ticket given out */
	bool pending;    /* a page asked for and not yet answered */
	enum ui_list_dir pending_dir;
	char *failed; /* why the last page could not be had, shown at that edge; NULL: none */
	enum ui_list_dir failed_dir;
	size_t requests; /* pages asked for since init, for the status line and tests */
};

/*
 * Set up an empty list with NCOLS COLUMNS (borrowed, usually a static table).
 * NEED is called with OWNER when a page is wanted; NULL when the owner hands over
 * every row at once (ui_list_reset, then one ui_list_add_page with the total).
 */
void ui_list_init(struct ui_list *l, const struct ui_list_column *columns, size_t ncols,
    ui_list_need_fn need, void *owner);
void ui_list_free(struct ui_list *l);
/* The line shown when a search found nothing ("No patients match"); copied. */
void ui_list_set_empty_message(struct ui_list *l, const char *message);

/*
 * A new search: drop every row and link, forget every ticket given out, and
 * show "loading…". Returns the ticket for the first page, which the owner
 * requests itself (it has the query) and answers with ui_list_add_page().
 */
unsigned ui_list_reset(struct ui_list *l);
/* Drop everything as ui_list_reset() does, but wait for nothing: the empty message shows. */
void ui_list_clear(struct ui_list *l);

/*
 * The answer to TICKET: the rows of *PG (taken: *PG is freed or kept, and set
 * to NULL, in every case), the page's LINKS (NULL: none), and TOTAL rows in
 * the result (-1: unknown). FIRST_INDEX is the row number of the page's first
 * row when the owner knows it (from _offset), or -1: the list works it out
 * from where it asked. Rows already held are not taken twice; a page that
 * does not join the held rows replaces them. Returns 0, or -1 with *CAUSE
 * (NULL: not wanted) when the answer is stale or does not fit the columns.
 */
int ui_list_add_page(struct ui_list *l, unsigned ticket, struct ui_list_page **pg, long first_index,
    const struct ui_list_links *links, long total, char **cause);

/*
 * The request for TICKET failed: MESSAGE (a sentence, copied) shows where the
 * rows would have been, and a key pressed toward that edge asks again.
 * A stale ticket is ignored.
 */
void ui_list_page_failed(struct ui_list *l, unsigned ticket, const char *message);

/* Cursor movement (up, down, page-up, page-down, first, last); false when A is not one. */
bool ui_list_action(struct ui_list *l, enum action a);

/* The selected row's id and cell COL, borrowed until the list changes; NULL when none. */
const char *ui_list_selected_id(const struct ui_list *l);
const char *ui_list_selected_cell(const struct ui_list *l, size_t col);
/* The selected row's number (0-based) in the whole result; 0 when empty. */
size_t ui_list_cursor(const struct ui_list *l);
/* Rows and pages held now: bounded by UI_LIST_PAGES_MAX pages, whatever the result. */
size_t ui_list_rows_held(const struct ui_list *l);
size_t ui_list_pages_held(const struct ui_list *l);
/* True while a page request is in flight. */
bool ui_list_loading(const struct ui_list *l);
/* "12 of 500", "12 of many" (total unknown), or "" when there are no rows. The caller frees it. */
char *ui_list_position(const struct ui_list *l);

/* The width of each column in COLS columns, one blank between columns, into WIDTHS[ncols]. */
void ui_list_widths(const struct ui_list *l, int cols, int *widths);

/*
 * Draw the header and the rows visible in ROWS rows from row TOP of WIN, COLS
 * wide; the selected row's first column in UI_SELECTED. Every cell goes through ui_put.
 */
void ui_list_draw(struct ui_list *l, WINDOW *win, int top, int rows, int cols);

#endif
