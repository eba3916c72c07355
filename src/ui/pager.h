/* Pager: long text, one line per row, scrolled with the list keys. */
#ifndef EHRTERM_UI_PAGER_H
#define EHRTERM_UI_PAGER_H

#include <stddef.h>

#include <curses.h>

#include "keys/keys.h"
#include "ui/lines.h"

struct ui_pager {
	struct ui_lines text;
	size_t top;
	int rows; /* rows shown at the last draw, for paging */
};

void ui_pager_init(struct ui_pager *p);
void ui_pager_free(struct ui_pager *p);
void ui_pager_add(struct ui_pager *p, const char *line);
void ui_pager_addf(struct ui_pager *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * TEXT (one line, from the server: made safe here) wrapped at spaces into lines of at
 * most WIDTH display columns; the first starts with LABEL, the others with as many
 * blanks. A word longer than a line is cut. At most MAX lines are added; returns how many.
 */
size_t ui_pager_add_wrapped(struct ui_pager *p, const char *label, const char *text, int width,
    size_t max);
void ui_pager_draw(struct ui_pager *p, WINDOW *win, int top, int rows, int cols);
/* Scrolling actions; false when A is not one. */
bool ui_pager_action(struct ui_pager *p, enum action a);

#endif
