/* A URL as a QR code drawn in half blocks, two modules a character cell; libqrencode encodes. */
#ifndef EHRTERM_UI_QR_H
#define EHRTERM_UI_QR_H

#include <stdbool.h>

#include <curses.h>

#include "ui/lines.h"

/*
 * The longest URL taken: a device login's verification_uri_complete is some 60 bytes
 * ("https://auth.example/device?user_code=WDJB-MJHT"); anything near this is not one, and
 * would not fit a terminal as a QR code anyway.
 */
#define UI_QR_URL_MAX 256
/* Modules of light margin on each side, as ISO/IEC 18004 requires for scanning. */
#define UI_QR_QUIET 4

/*
 * An encoded URL: SIZE x SIZE modules (21 for version 1, 4 more each version), row by
 * row, dark[y * size + x] nonzero for a dark module. The quiet zone is not in it.
 */
struct ui_qr {
	int size;
	int version;
	char level;	     /* 'L' or 'M': the error correction used */
	unsigned char *dark; /* the qr's own */
};

/*
 * Encode URL (the device login's verification_uri_complete, from the server: hostile)
 * into Q at error correction M, or L when L makes a smaller code. The URL must be an
 * https:// URL of at most UI_QR_URL_MAX bytes of printable ASCII without blanks; anything
 * else is refused, since a phone opens whatever the code says. Returns 0, or -1 with
 * *CAUSE set (a sentence the caller frees) and Q empty.
 */
int ui_qr_encode(const char *url, struct ui_qr *q, char **cause);
void ui_qr_free(struct ui_qr *q);

/* Columns and rows the drawn code takes, quiet zone included: (size + 8) x ceil((size + 8) / 2). */
int ui_qr_cols(const struct ui_qr *q);
int ui_qr_rows(const struct ui_qr *q);

/*
 * Whether Q can be drawn in COLS x ROWS cells on a terminal that shows UTF-8 (UTF8, as
 * ui_utf8() says): without UTF-8 there are no half blocks, and a code too big for the
 * space would be cut and not scan. When false the caller shows only the URL and the code.
 */
bool ui_qr_fits(const struct ui_qr *q, int cols, int rows, bool utf8);

/*
 * Q as ui_qr_rows() lines of ui_qr_cols() characters each, added to OUT, quiet zone
 * included. Each character cell holds two modules, the upper on the even row: a dark
 * module is ink, so a cell is ' ' (both light), U+2580 (upper dark), U+2584 (lower dark)
 * or U+2588 (both dark), in UTF-8; the last row's lower half is quiet zone. Printed as
 * they are, the lines are right where the terminal draws dark on light; ui_qr_draw()
 * gives them the colours that make them right on any terminal. Pure: no curses.
 */
void ui_qr_lines(const struct ui_qr *q, struct ui_lines *out);

/*
 * Draw Q at (Y, X) of WIN, ink black on white wherever the terminal has colour, whatever
 * its own background; on a terminal without colour, in reverse video (right on the usual
 * light-on-dark terminal, inverted on a dark-on-light one, which most phone scanners still
 * read). The caller checks ui_qr_fits() first; a code that does not fit is not drawn.
 */
void ui_qr_draw(const struct ui_qr *q, WINDOW *win, int y, int x);

#endif
