/* Terminal set-up and safe drawing: every string drawn passes through safe_text first. */
#include "config.h"

#include "ui/ui.h"
#include "keys/keys.h"
#include "text/safe.h"
#include "util/xmalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include <term.h>

static bool started;
static bool colour;
static bool utf8;

enum { PAIR_TITLE = 1, PAIR_STATUS, PAIR_ERROR, PAIR_BANNER, PAIR_DIM, PAIR_QR };

int
ui_start(char **cause)
{
	if (initscr() == NULL) {
		*cause = xstrdup("the terminal could not be set up (is TERM right?)");
		return -1;
	}
	started = true;
	utf8 = ui_auto_utf8(getenv("TERM"), safe_locale_utf8());
	/* raw, not cbreak: ^C is a key that cancels a request, not a signal that kills us. */
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	/* Esc must feel immediate, yet arrive whole over a slow link's function-key sequences. */
	set_escdelay(100);
	curs_set(0);
	/* Colour only adds: every look has a plain attribute that works on a VT100. */
	if (has_colors() && start_color() == OK) {
		use_default_colors();
		colour = COLORS >= 8;
		if (colour) {
			init_pair(PAIR_TITLE, COLOR_WHITE, COLOR_BLUE);
			init_pair(PAIR_STATUS, COLOR_BLACK, COLOR_CYAN);
			init_pair(PAIR_ERROR, COLOR_RED, -1);
			init_pair(PAIR_BANNER, COLOR_BLACK, COLOR_YELLOW);
			init_pair(PAIR_DIM, COLOR_BLUE, -1);
			/* Not the terminal's default colours: a scanner needs dark on light. */
			init_pair(PAIR_QR, COLOR_BLACK, COLOR_WHITE);
		}
	}
	return 0;
}

bool
ui_has_key(int key)
{
	static const struct {
		int code;
		const char *cap;
	} caps[] = {
		{ KEY_UP, "kcuu1" }, { KEY_DOWN, "kcud1" }, { KEY_LEFT, "kcub1" }, { KEY_RIGHT, "kcuf1" },
		{ KEY_HOME, "khome" }, { KEY_END, "kend" }, { KEY_PPAGE, "kpp" }, { KEY_NPAGE, "knp" },
		{ KEY_IC, "kich1" }, { KEY_DC, "kdch1" }, { KEY_BTAB, "kcbt" }, { KEY_BACKSPACE, "kbs" },
	};
	int code = key - KEY_FN(0);
	char name[8];
	const char *cap = NULL, *value;

	if (!started || !KEY_IS_FN(key) || KEY_IS_META(key))
		return true;
	if (code > KEY_F0 && code <= KEY_F(63)) {
		snprintf(name, sizeof name, "kf%d", code - KEY_F0);
		cap = name;
	}
	for (size_t i = 0; cap == NULL && i < sizeof caps / sizeof caps[0]; i++)
		if (caps[i].code == code)
			cap = caps[i].cap;
	if (cap == NULL)
		return true;
	value = tigetstr(cap);
	if (value == NULL || value == (char *)-1 || *value == '\0')
		return false;
	/* vt100's description gives F5-F10 to the numeric keypad (ESC O t is keypad 4): no
	 * key on it says F7, so hints name those the way every terminal can send them. */
	return !(value[0] == '\033' && value[1] == 'O' && value[2] >= 'a' && value[2] <= 'z' &&
	    value[3] == '\0');
}

void
ui_stop(void)
{
	if (!started)
		return;
	started = false;
	/*
	 * A terminal without an alternate screen (vt100, linux) keeps what was drawn after
	 * endwin(): a patient's name would stay for the next person to read. Clear it first.
	 */
	erase();
	refresh();
	curs_set(1);
	endwin();
}

bool
ui_started(void)
{
	return started;
}

void
ui_set_charset(const char *charset)
{
	if (charset != NULL && strcmp(charset, "ascii") == 0)
		utf8 = false;
	else if (charset != NULL && strcmp(charset, "utf-8") == 0)
		utf8 = true;
	else
		utf8 = ui_auto_utf8(getenv("TERM"), safe_locale_utf8());
}

bool
ui_term_without_unicode(const char *term)
{
	static const char *const models[] = { "vt52", "vt100", "vt102", "vt220", "vt320", "vt420" };

	for (size_t i = 0; term != NULL && i < sizeof models / sizeof models[0]; i++) {
		size_t n = strlen(models[i]);

		/* The model, then nothing, or a variant's suffix that is not another model's digit. */
		if (strncasecmp(term, models[i], n) == 0 && !isdigit((unsigned char)term[n]))
			return true;
	}
	return false;
}

bool
ui_auto_utf8(const char *term, bool locale_utf8)
{
	return locale_utf8 && !ui_term_without_unicode(term);
}

bool
ui_utf8(void)
{
	return utf8;
}

int
ui_width(const char *text)
{
	return (int)safe_width(text);
}

bool
ui_big_enough(void)
{
	return COLS >= UI_MIN_COLS && LINES >= UI_MIN_ROWS;
}

attr_t
ui_attr(enum ui_look look)
{
	switch (look) {
	case UI_NORMAL:
		return A_NORMAL;
	case UI_TITLE:
		return colour ? COLOR_PAIR(PAIR_TITLE) | A_BOLD : A_REVERSE;
	case UI_STATUS:
		return colour ? COLOR_PAIR(PAIR_STATUS) : A_REVERSE;
	case UI_SELECTED:
		return A_REVERSE;
	case UI_DIM:
		return colour ? COLOR_PAIR(PAIR_DIM) | A_DIM : A_DIM;
	case UI_ERROR:
		return colour ? COLOR_PAIR(PAIR_ERROR) | A_BOLD : A_BOLD;
	case UI_FIELD:
		return A_UNDERLINE;
	case UI_BANNER:
		return colour ? COLOR_PAIR(PAIR_BANNER) : A_REVERSE;
	case UI_QR:
		/*
		 * Without colour, reverse video draws the ink in the terminal's background
		 * colour: dark on the usual light-on-dark terminal.
		 */
		return colour ? COLOR_PAIR(PAIR_QR) : A_REVERSE;
	}
	return A_NORMAL;
}

void
ui_blank(WINDOW *win, int y, int x, int width)
{
	if (width > 0)
		mvwhline(win, y, x, ' ', width);
}

int
ui_put(WINDOW *win, int y, int x, int width, const char *text, enum ui_look look, bool fill)
{
	char *safe;
	int used;

	if (width <= 0)
		return 0;
	safe = safe_text(text, text != NULL ? strlen(text) : 0, (size_t)width, utf8);
	used = (int)safe_width(safe);
	wattrset(win, ui_attr(look));
	mvwaddstr(win, y, x, safe);
	if (fill && used < width)
		mvwhline(win, y, x + used, ' ' | ui_attr(look), width - used);
	wattrset(win, A_NORMAL);
	free(safe);
	return used;
}

int
ui_putf(WINDOW *win, int y, int x, int width, enum ui_look look, bool fill, const char *fmt, ...)
{
	va_list ap;
	char *text;
	int used;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	used = ui_put(win, y, x, width, text ? text : "", look, fill);
	free(text);
	return used;
}
