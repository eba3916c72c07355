/* List view with lazy paging: held pages, the page request state machine, drawing via ui_put. */
#include "config.h"

#include "ui/list.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <stdlib.h>
#include <string.h>

struct ui_list_row {
	char *id;
	char **cells; /* ncols strings */
};

struct ui_list_page {
	size_t ncols;
	struct ui_list_row *rows;
	size_t n, cap;
	size_t first;          /* row number of rows[0] in the whole result */
	char *previous, *next; /* links to the pages either side, or NULL */
};

/* --- pages ------------------------------------------------------------------------------ */

struct ui_list_page *
ui_list_page_new(size_t ncols)
{
	struct ui_list_page *pg = xcalloc(1, sizeof *pg);

	pg->ncols = ncols;
	return pg;
}

void
ui_list_page_add(struct ui_list_page *pg, const char *id, const char *const *cells)
{
	struct ui_list_row *r;

	if (pg->n == pg->cap) {
		pg->cap = pg->cap ? pg->cap * 2 : 32;
		pg->rows = xreallocarray(pg->rows, pg->cap, sizeof *pg->rows);
	}
	r = &pg->rows[pg->n++];
	r->id = xstrdup(id != NULL ? id : "");
	r->cells = xreallocarray(NULL, pg->ncols ? pg->ncols : 1, sizeof *r->cells);
	for (size_t c = 0; c < pg->ncols; c++)
		r->cells[c] = xstrdup(cells != NULL && cells[c] != NULL ? cells[c] : "");
}

size_t
ui_list_page_rows(const struct ui_list_page *pg)
{
	return pg != NULL ? pg->n : 0;
}

static void
row_free(struct ui_list_row *r, size_t ncols)
{
	for (size_t c = 0; c < ncols; c++)
		free(r->cells[c]);
	free(r->cells);
	free(r->id);
}

void
ui_list_page_free(struct ui_list_page **pg)
{
	struct ui_list_page *p;

	if (pg == NULL || *pg == NULL)
		return;
	p = *pg;
	for (size_t i = 0; i < p->n; i++)
		row_free(&p->rows[i], p->ncols);
	free(p->rows);
	free(p->previous);
	free(p->next);
	free(p);
	*pg = NULL;
}

/* Drop K rows from the front (FRONT) or the back of PG: they are held already. */
static void
page_trim(struct ui_list_page *pg, size_t k, bool front)
{
	if (k > pg->n)
		k = pg->n;
	for (size_t i = 0; i < k; i++)
		row_free(&pg->rows[front ? i : pg->n - 1 - i], pg->ncols);
	if (front) {
		memmove(pg->rows, pg->rows + k, (pg->n - k) * sizeof *pg->rows);
		pg->first += k;
	}
	pg->n -= k;
}

static void
set_link(char **slot, const char *link)
{
	free(*slot);
	*slot = link != NULL ? xstrdup(link) : NULL;
}

/* --- the list's state ------------------------------------------------------------------- */

void
ui_list_init(struct ui_list *l, const struct ui_list_column *columns, size_t ncols,
    ui_list_need_fn need, void *owner)
{
	memset(l, 0, sizeof *l);
	l->columns = columns;
	l->ncols = ncols;
	l->need = need;
	l->owner = owner;
	l->total = -1;
	l->rows = 10;
	l->empty_message = xstrdup("Nothing found");
}

static void
drop_all(struct ui_list *l)
{
	for (size_t i = 0; i < l->npages; i++)
		ui_list_page_free(&l->pages[i]);
	l->npages = 0;
	set_link(&l->first_link, NULL);
	set_link(&l->last_link, NULL);
	set_link(&l->failed, NULL);
	l->total = -1;
	l->cursor = 0;
	l->top = 0;
	l->pending = false;
	/* Every ticket given out so far is now stale. */
	l->ticket++;
}

void
ui_list_free(struct ui_list *l)
{
	drop_all(l);
	free(l->empty_message);
	l->empty_message = NULL;
}

void
ui_list_set_empty_message(struct ui_list *l, const char *message)
{
	set_link(&l->empty_message, message != NULL ? message : "");
}

unsigned
ui_list_reset(struct ui_list *l)
{
	drop_all(l);
	l->started = true;
	l->pending = true;
	l->pending_dir = UI_LIST_FIRST;
	l->requests++;
	return l->ticket;
}

void
ui_list_clear(struct ui_list *l)
{
	drop_all(l);
	l->started = false;
}

static size_t
held_first(const struct ui_list *l)
{
	return l->npages > 0 ? l->pages[0]->first : 0;
}

/* One past the last held row. */
static size_t
held_end(const struct ui_list *l)
{
	const struct ui_list_page *p = l->npages > 0 ? l->pages[l->npages - 1] : NULL;

	return p != NULL ? p->first + p->n : 0;
}

static const char *
next_link(const struct ui_list *l)
{
	return l->npages > 0 ? l->pages[l->npages - 1]->next : NULL;
}

static const char *
previous_link(const struct ui_list *l)
{
	return l->npages > 0 ? l->pages[0]->previous : NULL;
}

static const struct ui_list_row *
row_at(const struct ui_list *l, size_t index)
{
	for (size_t i = 0; i < l->npages; i++) {
		const struct ui_list_page *p = l->pages[i];

		if (index >= p->first && index < p->first + p->n)
			return &p->rows[index - p->first];
	}
	return NULL;
}

size_t
ui_list_rows_held(const struct ui_list *l)
{
	size_t n = 0;

	for (size_t i = 0; i < l->npages; i++)
		n += l->pages[i]->n;
	return n;
}

size_t
ui_list_pages_held(const struct ui_list *l)
{
	return l->npages;
}

bool
ui_list_loading(const struct ui_list *l)
{
	return l->pending;
}

size_t
ui_list_cursor(const struct ui_list *l)
{
	return l->npages > 0 ? l->cursor : 0;
}

const char *
ui_list_selected_id(const struct ui_list *l)
{
	const struct ui_list_row *r = row_at(l, l->cursor);

	return r != NULL ? r->id : NULL;
}

const char *
ui_list_selected_cell(const struct ui_list *l, size_t col)
{
	const struct ui_list_row *r = row_at(l, l->cursor);

	return r != NULL && col < l->ncols ? r->cells[col] : NULL;
}

char *
ui_list_position(const struct ui_list *l)
{
	size_t end = held_end(l);

	if (l->npages == 0 || end == 0)
		return xstrdup("");
	if (next_link(l) == NULL)
		return xasprintf("%zu of %zu", l->cursor + 1,
		    l->total >= 0 && (size_t)l->total > end ? (size_t)l->total : end);
	if (l->total >= 0 && (size_t)l->total >= end)
		return xasprintf("%zu of %ld", l->cursor + 1, l->total);
	return xasprintf("%zu of many", l->cursor + 1);
}

/* --- asking for pages ------------------------------------------------------------------- */

/*
 * Ask the owner for a page in DIR. Steps (next, previous) wait for the request in
 * flight; jumps (first, last) replace it, and its answer will be dropped.
 */
static void
ask(struct ui_list *l, enum ui_list_dir dir)
{
	bool jump = dir == UI_LIST_FIRST || dir == UI_LIST_LAST;
	const char *link;
	char *copy;
	unsigned ticket;

	/* A list filled whole by its owner (a day of slots) has no other page to ask for. */
	if (l->need == NULL || (l->pending && (!jump || l->pending_dir == dir)))
		return;
	switch (dir) {
	case UI_LIST_NEXT:
		link = next_link(l);
		break;
	case UI_LIST_PREVIOUS:
		link = previous_link(l);
		break;
	case UI_LIST_FIRST:
		link = l->first_link;
		break;
	case UI_LIST_LAST:
	default:
		link = l->last_link;
		break;
	}
	set_link(&l->failed, NULL);
	l->pending = true;
	l->pending_dir = dir;
	ticket = ++l->ticket;
	l->requests++;
	/* The owner may answer at once, and that answer may drop the page LINK lives in. */
	copy = link != NULL ? xstrdup(link) : NULL;
	l->need(l->owner, ticket, dir, copy);
	free(copy);
}

/* How near an edge the cursor comes before the next page is asked for: one screen. */
static size_t
margin(const struct ui_list *l)
{
	return l->rows > 0 ? (size_t)l->rows : 1;
}

/*
 * After a move toward DIR: ask for the page beyond that edge when the cursor is
 * within a screen of it. Only moves ask, so pages never chase each other; a
 * failed edge is asked again only by a key pressed at the edge itself (RETRY).
 */
static void
maybe_ask(struct ui_list *l, enum ui_list_dir dir, bool retry)
{
	bool failed_here = l->failed != NULL && l->failed_dir == dir;

	if (l->npages == 0 || (failed_here && !retry))
		return;
	if (dir == UI_LIST_NEXT && next_link(l) != NULL && held_end(l) - 1 - l->cursor < margin(l))
		ask(l, UI_LIST_NEXT);
	else if (dir == UI_LIST_PREVIOUS && previous_link(l) != NULL &&
	         l->cursor - held_first(l) < margin(l))
		ask(l, UI_LIST_PREVIOUS);
}

static void
move_down(struct ui_list *l, size_t step)
{
	size_t last = held_end(l) - 1;
	bool at_edge = l->cursor == last;

	l->cursor = l->cursor + step < last ? l->cursor + step : last;
	maybe_ask(l, UI_LIST_NEXT, at_edge);
}

static void
move_up(struct ui_list *l, size_t step)
{
	size_t first = held_first(l);
	bool at_edge = l->cursor == first;

	l->cursor = l->cursor >= first + step ? l->cursor - step : first;
	maybe_ask(l, UI_LIST_PREVIOUS, at_edge);
}

bool
ui_list_action(struct ui_list *l, enum action a)
{
	size_t page = margin(l);

	switch (a) {
	case A_UP:
	case A_DOWN:
	case A_PAGE_UP:
	case A_PAGE_DOWN:
	case A_FIRST:
	case A_LAST:
		break;
	default:
		return false;
	}
	if (l->npages == 0) {
		/* Nothing held: a key asks again for a first page that failed. */
		if (l->started && !l->pending && l->failed != NULL)
			ask(l, UI_LIST_FIRST);
		return true;
	}
	switch (a) {
	case A_UP:
		move_up(l, 1);
		break;
	case A_DOWN:
		move_down(l, 1);
		break;
	case A_PAGE_UP:
		move_up(l, page);
		break;
	case A_PAGE_DOWN:
		move_down(l, page);
		break;
	case A_FIRST:
		if (held_first(l) == 0)
			l->cursor = 0;
		else
			ask(l, UI_LIST_FIRST);
		break;
	case A_LAST:
	default:
		if (next_link(l) != NULL && l->total >= 0 && l->last_link != NULL) {
			ask(l, UI_LIST_LAST);
		} else {
			/* No way to jump: go to what is held, and the next page follows. */
			move_down(l, held_end(l));
		}
		break;
	}
	return true;
}

/* --- answers ---------------------------------------------------------------------------- */

/* Distance in rows from the cursor to page P (0 when the cursor is in it). */
static size_t
distance(const struct ui_list *l, const struct ui_list_page *p)
{
	if (l->cursor < p->first)
		return p->first - l->cursor;
	if (l->cursor >= p->first + p->n)
		return l->cursor - (p->first + p->n - 1);
	return 0;
}

/* Keep at most UI_LIST_PAGES_MAX pages: drop the end page further from the cursor. */
static void
drop_furthest(struct ui_list *l)
{
	while (l->npages > UI_LIST_PAGES_MAX) {
		struct ui_list_page *head = l->pages[0], *tail = l->pages[l->npages - 1];

		if (distance(l, head) >= distance(l, tail)) {
			ui_list_page_free(&l->pages[0]);
			memmove(l->pages, l->pages + 1, (l->npages - 1) * sizeof l->pages[0]);
		} else {
			ui_list_page_free(&l->pages[l->npages - 1]);
		}
		l->npages--;
	}
}

static void
replace_all(struct ui_list *l, struct ui_list_page *p)
{
	for (size_t i = 0; i < l->npages; i++)
		ui_list_page_free(&l->pages[i]);
	l->npages = 0;
	if (p->n == 0) {
		ui_list_page_free(&p);
		l->cursor = 0;
		return;
	}
	l->pages[l->npages++] = p;
}

static void
clamp_cursor(struct ui_list *l)
{
	if (l->npages == 0)
		l->cursor = 0;
	else if (l->cursor < held_first(l))
		l->cursor = held_first(l);
	else if (l->cursor >= held_end(l))
		l->cursor = held_end(l) - 1;
}

int
ui_list_add_page(struct ui_list *l, unsigned ticket, struct ui_list_page **pg, long first_index,
    const struct ui_list_links *links, long total, char **cause)
{
	struct ui_list_page *p = pg != NULL ? *pg : NULL;
	enum ui_list_dir dir = l->pending_dir;
	size_t start, end;

	if (pg != NULL)
		*pg = NULL;
	if (p == NULL || !l->pending || ticket != l->ticket) {
		ui_list_page_free(&p);
		if (cause != NULL)
			*cause =
			    xstrdup("An answer to an earlier request came late and was dropped");
		return -1;
	}
	if (p->ncols != l->ncols) {
		if (cause != NULL)
			*cause = xasprintf(
			    "A page of %zu columns came for a list of %zu", p->ncols, l->ncols);
		ui_list_page_free(&p);
		ui_list_page_failed(l, ticket, "The page has the wrong columns for this list");
		return -1;
	}
	l->pending = false;
	set_link(&l->failed, NULL);
	if (total >= 0)
		l->total = total;
	if (links != NULL) {
		set_link(&p->previous, links->previous);
		set_link(&p->next, links->next);
		if (links->first != NULL)
			set_link(&l->first_link, links->first);
		if (links->last != NULL)
			set_link(&l->last_link, links->last);
	}

	start = held_first(l);
	end = held_end(l);
	switch (dir) {
	case UI_LIST_FIRST:
		p->first = first_index >= 0 ? (size_t)first_index : 0;
		replace_all(l, p);
		l->cursor = held_first(l);
		break;
	case UI_LIST_LAST:
		if (first_index >= 0)
			p->first = (size_t)first_index;
		else
			p->first =
			    l->total >= 0 && (size_t)l->total >= p->n ? (size_t)l->total - p->n : 0;
		replace_all(l, p);
		l->cursor = held_end(l) > 0 ? held_end(l) - 1 : 0;
		break;
	case UI_LIST_NEXT:
		p->first = first_index >= 0 ? (size_t)first_index : end;
		if (l->npages == 0 || p->first > end) {
			/* A gap we cannot show: the page starts the list afresh. */
			replace_all(l, p);
			clamp_cursor(l);
			break;
		}
		page_trim(p, end - p->first, true);
		if (p->n == 0) {
			/* Nothing new: take its link, so the next key goes further or stops. */
			set_link(&l->pages[l->npages - 1]->next, p->next);
			ui_list_page_free(&p);
			break;
		}
		l->pages[l->npages++] = p;
		drop_furthest(l);
		break;
	case UI_LIST_PREVIOUS:
	default:
		/* A server that clamps a previous offset at 0 gives a page ending past START. */
		if (first_index >= 0)
			p->first = (size_t)first_index;
		else
			p->first = start >= p->n ? start - p->n : 0;
		if (l->npages == 0 || p->first + p->n < start || p->first >= end) {
			replace_all(l, p);
			clamp_cursor(l);
			break;
		}
		if (p->first >= start) {
			/* Nothing new: take its link, as for next. */
			set_link(&l->pages[0]->previous, p->previous);
			ui_list_page_free(&p);
			break;
		}
		page_trim(p, p->first + p->n - start, false);
		memmove(l->pages + 1, l->pages, l->npages * sizeof l->pages[0]);
		l->pages[0] = p;
		l->npages++;
		drop_furthest(l);
		break;
	}
	return 0;
}

void
ui_list_page_failed(struct ui_list *l, unsigned ticket, const char *message)
{
	if (!l->pending || ticket != l->ticket)
		return;
	l->pending = false;
	set_link(&l->failed, message != NULL ? message : "The page could not be loaded");
	l->failed_dir = l->pending_dir;
}

/* --- drawing ---------------------------------------------------------------------------- */

void
ui_list_widths(const struct ui_list *l, int cols, int *widths)
{
	int fixed = 0, weights = 0, rest, given = 0, last_weighted = -1, x = 0;

	for (size_t c = 0; c < l->ncols; c++) {
		const struct ui_list_column *col = &l->columns[c];

		if (col->width > 0) {
			fixed += col->width;
		} else {
			weights += col->weight > 0 ? col->weight : 1;
			last_weighted = (int)c;
		}
	}
	rest = cols - fixed - (l->ncols > 0 ? (int)l->ncols - 1 : 0);
	if (rest < 0)
		rest = 0;
	for (size_t c = 0; c < l->ncols; c++) {
		const struct ui_list_column *col = &l->columns[c];
		int w;

		if (col->width > 0) {
			w = col->width;
		} else if ((int)c == last_weighted) {
			w = rest - given; /* the remainder of the division, so the row is filled */
		} else {
			w = rest * (col->weight > 0 ? col->weight : 1) / weights;
			given += w;
		}
		/* Too narrow a screen cuts the columns on the right. */
		if (x + w > cols)
			w = cols - x > 0 ? cols - x : 0;
		widths[c] = w;
		x += w + 1;
	}
}

/* True when a loading or failure row shows before (BEFORE) or after the held rows. */
static bool
edge_row(const struct ui_list *l, bool before)
{
	enum ui_list_dir step = before ? UI_LIST_PREVIOUS : UI_LIST_NEXT;
	enum ui_list_dir jump = before ? UI_LIST_FIRST : UI_LIST_LAST;

	if (l->npages == 0)
		return false;
	if (l->pending && (l->pending_dir == step || l->pending_dir == jump))
		return true;
	return l->failed != NULL && (l->failed_dir == step || l->failed_dir == jump);
}

static void
draw_edge(const struct ui_list *l, WINDOW *win, int y, int cols)
{
	if (l->failed != NULL && !l->pending)
		ui_put(win, y, 0, cols, l->failed, UI_ERROR, true);
	else
		ui_put(win, y, 0, cols, ui_utf8() ? "loading\xe2\x80\xa6" : "loading...", UI_DIM,
		    true);
}

/* Keep the cursor in view, and a loading row beside it in view too when there is room. */
static void
list_scroll(struct ui_list *l, int view)
{
	bool before = edge_row(l, true), after = edge_row(l, false);
	long lo = (long)held_first(l) - (before ? 1 : 0);
	long hi = (long)held_end(l) + (after ? 1 : 0); /* one past the last row shown */
	long cur = (long)l->cursor;

	if (l->top > hi - view)
		l->top = hi - view;
	if (l->top < lo)
		l->top = lo;
	if (cur < l->top)
		l->top = cur;
	if (cur >= l->top + view)
		l->top = cur - view + 1;
	if (before && l->top == (long)held_first(l) && cur - lo < view)
		l->top = lo;
	if (after && cur == (long)held_end(l) - 1 && cur == l->top + view - 1 && view > 1)
		l->top++;
}

/*
 * A row; the selected one shows its first column in UI_SELECTED. Only that cell, not
 * the whole row: a cursor move then rewrites two short cells, not two full lines,
 * which is most of a key press's cost on a 9600-baud line.
 */
static void
draw_row(const struct ui_list *l, const struct ui_list_row *r, WINDOW *win, int y, int cols,
    const int *widths, bool selected)
{
	bool marked = false;
	int x = 0;

	ui_put(win, y, 0, cols, "", UI_NORMAL, true);
	for (size_t c = 0; c < l->ncols; c++) {
		if (widths[c] > 0) {
			ui_put(win, y, x, widths[c], r->cells[c],
			    selected && !marked ? UI_SELECTED : UI_NORMAL, true);
			marked = true;
		}
		x += widths[c] + 1;
	}
}

void
ui_list_draw(struct ui_list *l, WINDOW *win, int top, int rows, int cols)
{
	int view = rows - 1, x = 0;
	int *widths;

	if (rows <= 0 || cols <= 0)
		return;
	widths = xreallocarray(NULL, l->ncols ? l->ncols : 1, sizeof *widths);
	ui_list_widths(l, cols, widths);
	ui_blank(win, top, 0, cols);
	for (size_t c = 0; c < l->ncols; c++) {
		if (widths[c] > 0)
			ui_put(win, top, x, widths[c], l->columns[c].header, UI_DIM, true);
		x += widths[c] + 1;
	}
	l->rows = view > 0 ? view : 1;
	for (int r = 0; r < view; r++)
		ui_blank(win, top + 1 + r, 0, cols);
	if (view <= 0) {
		free(widths);
		return;
	}
	if (l->npages == 0) {
		if (l->pending || l->failed != NULL)
			draw_edge(l, win, top + 1, cols);
		else if (l->started)
			ui_put(win, top + 1, 0, cols, l->empty_message, UI_NORMAL, false);
		free(widths);
		return;
	}
	list_scroll(l, view);
	for (int r = 0; r < view; r++) {
		long i = l->top + r;
		const struct ui_list_row *row = i >= 0 ? row_at(l, (size_t)i) : NULL;

		if (row != NULL)
			draw_row(l, row, win, top + 1 + r, cols, widths, (size_t)i == l->cursor);
		else if ((i == (long)held_first(l) - 1 && edge_row(l, true)) ||
		         (i == (long)held_end(l) && edge_row(l, false)))
			draw_edge(l, win, top + 1 + r, cols);
	}
	free(widths);
}
