/* Terminal set-up and the drawing primitives every widget uses; all text goes through safe_text. */
#ifndef EHRTERM_UI_UI_H
#define EHRTERM_UI_UI_H

#include <stdbool.h>
#include <stddef.h>

#include <curses.h>

/* The smallest terminal ehrterm draws in; below it, a message asks for more. */
#define UI_MIN_COLS 80
#define UI_MIN_ROWS 24

/* Looks, mapped to colour where the terminal has it and to plain attributes where not. */
enum ui_look {
	UI_NORMAL,
	UI_TITLE,    /* the top line */
	UI_STATUS,   /* the bottom line */
	UI_SELECTED, /* the cursor row */
	UI_DIM,	     /* unavailable items */
	UI_ERROR,    /* validation messages, failures */
	UI_FIELD,    /* an input field */
	UI_BANNER,   /* the patient banner */
	UI_QR,	     /* a QR code: black ink on white whatever the terminal's colours */
};

/* Start curses on the terminal: raw keys, no echo, keypad, alternate screen. 0 or -1 with cause. */
int ui_start(char **cause);
/* Give the terminal back as it was; safe to call twice, and from an exit path. */
void ui_stop(void);
/*
 * Whether the terminal's description lists KEY (an ehrterm key code, KEY_FN(KEY_F(7))):
 * a VT100 has PF1-PF4 and no F5-F10, PgUp or Home. Characters are always there. Only
 * after ui_start.
 */
bool ui_has_key(int key);
bool ui_started(void);
/*
 * What the terminal shows, from the profile: "ascii" (only printable ASCII), "utf-8",
 * or "auto"/NULL (ui_auto_utf8: as the locale says, but ASCII on a VT-series terminal
 * that has no Unicode).
 */
void ui_set_charset(const char *charset);
/*
 * Whether TERM names a DEC VT-series terminal without Unicode: vt52, vt100, vt102,
 * vt220, vt320, vt420 and their variants (vt100-am, vt220-8, vt420pc), any case.
 * Their bytes 0x80-0x9F are controls, so UTF-8 is no text to them, whatever the
 * locale says. False for NULL and for anything else (xterm, linux, vt1000).
 */
bool ui_term_without_unicode(const char *term);
/* charset = auto: UTF-8 when the locale is (LOCALE_UTF8) and TERM is no such terminal. */
bool ui_auto_utf8(const char *term, bool locale_utf8);
/* True when the terminal shows UTF-8, for safe_text. */
bool ui_utf8(void);
/* The columns TEXT takes once made safe (as ui_put shows it, uncut). */
int ui_width(const char *text);
/* True when the screen is at least UI_MIN_COLS x UI_MIN_ROWS. */
bool ui_big_enough(void);

/*
 * Put TEXT at (Y, X) of WIN in at most WIDTH columns, made safe and cut with an
 * ellipsis; the rest of WIDTH is filled with blanks when FILL. Returns columns used.
 * Strings from the server or from files must reach the screen only through here.
 */
int ui_put(WINDOW *win, int y, int x, int width, const char *text, enum ui_look look, bool fill);
/* ui_put with printf formatting; the result is made safe as well. */
int ui_putf(WINDOW *win, int y, int x, int width, enum ui_look look, bool fill, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
/* Blank a row from X for WIDTH columns. */
void ui_blank(WINDOW *win, int y, int x, int width);
/* The curses attribute for LOOK. */
attr_t ui_attr(enum ui_look look);

#endif
