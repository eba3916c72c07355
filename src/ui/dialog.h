/* Dialog: a yes/no question, alone or with detail lines to read or pick from; a box or a line. */
#ifndef EHRTERM_UI_DIALOG_H
#define EHRTERM_UI_DIALOG_H

#include <stdbool.h>
#include <stddef.h>

#include <curses.h>

#include "keys/keys.h"
#include "ui/lines.h"

/*
 * "Discard the unsaved note?" is a confirm dialog: yes answers yes, no and
 * back (Esc) answer no, select (Enter) gives the default. With details added
 * it is an info dialog ("Possible duplicates: ..." then "Register anyway?");
 * with choosing on, select and yes pick the highlighted detail line instead
 * (a cancellation's reason), and no and back pick none. The screen reads the answer after
 * each action and acts on it; the dialog does nothing by itself.
 */
enum ui_dialog_answer {
	UI_DIALOG_ASKING, /* no answer yet */
	UI_DIALOG_YES,
	UI_DIALOG_NO,
	UI_DIALOG_CHOSEN, /* a detail line was picked: ui_dialog_chosen() */
};

struct ui_dialog {
	char *question;
	struct ui_lines details;
	bool default_yes;
	bool choosing; /* select picks details.v[cursor] */
	size_t cursor, top;
	int rows; /* detail rows shown at the last draw, for paging */
	enum ui_dialog_answer answer;
};

/* A question (copied) with its default answer for select (Enter). */
void ui_dialog_init(struct ui_dialog *d, const char *question, bool default_yes);
void ui_dialog_free(struct ui_dialog *d);
/* Add a line of detail (copied). */
void ui_dialog_add(struct ui_dialog *d, const char *line);
void ui_dialog_addf(struct ui_dialog *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Let select pick a detail line (true) rather than give the default answer. */
void ui_dialog_set_choosing(struct ui_dialog *d, bool choosing);

/*
 * Yes (choosing: the highlighted line), no, back (no), select (the default or
 * the highlighted line), and the list
 * keys to move among the details. Once answered, the dialog takes no more
 * answers. False when A is none of these, so help and quit still work.
 */
bool ui_dialog_action(struct ui_dialog *d, enum action a);
enum ui_dialog_answer ui_dialog_answer(const struct ui_dialog *d);
/* The detail line picked (UI_DIALOG_CHOSEN) or under the cursor. */
size_t ui_dialog_chosen(const struct ui_dialog *d);
/* "[Y/n]" or "[y/N]": the default in capitals. Borrowed. */
const char *ui_dialog_hint(const struct ui_dialog *d);

/* Draw as a box in the middle of ROWS rows from row TOP of WIN, COLS wide. */
void ui_dialog_draw(struct ui_dialog *d, WINDOW *win, int top, int rows, int cols);
/* Draw the question alone on row Y (the status line), COLS wide. */
void ui_dialog_draw_line(const struct ui_dialog *d, WINDOW *win, int y, int cols);

#endif
