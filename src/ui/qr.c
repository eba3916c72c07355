/* A URL as a QR code: libqrencode makes the matrix, this draws it in half blocks. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <qrencode.h>

#include "ui/qr.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

/* U+2580 upper half block, U+2584 lower half block, U+2588 full block, in UTF-8. */
#define QR_UPPER "\xe2\x96\x80"
#define QR_LOWER "\xe2\x96\x84"
#define QR_FULL "\xe2\x96\x88"

/* Why URL may not become a code, or NULL. */
static const char *
qr_refused(const char *url)
{
	static const char prefix[] = "https://";
	size_t n;

	if (url == NULL || *url == '\0')
		return "there is no verification URL";
	n = strnlen(url, UI_QR_URL_MAX + 1);
	if (n > UI_QR_URL_MAX)
		return "the verification URL is too long for a QR code";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)url[i] <= 0x20 || (unsigned char)url[i] >= 0x7f)
			return "the verification URL has a blank, control or non-ASCII character";
	/* A phone opens what the code says: nothing but a web page over TLS. */
	if (strncasecmp(url, prefix, sizeof prefix - 1) != 0 || url[sizeof prefix - 1] == '\0' ||
	    url[sizeof prefix - 1] == '/')
		return "the verification URL is not an https:// URL";
	return NULL;
}

static QRcode *
qr_at(const char *url, QRecLevel level)
{
	/* 8-bit mode as the base: libqrencode still picks shorter modes for runs that allow them. */
	return QRcode_encodeString(url, 0, level, QR_MODE_8, 1);
}

int
ui_qr_encode(const char *url, struct ui_qr *q, char **cause)
{
	const char *why = qr_refused(url);
	QRcode *m = NULL, *l = NULL, *use;

	memset(q, 0, sizeof *q);
	if (why != NULL) {
		*cause = xstrdup(why);
		return -1;
	}
	/*
	 * M survives a smudge or a glare of 15% of the code; L only 7%, but a terminal's
	 * crisp cells need little, and a smaller code fits more terminals: L when it is
	 * smaller, else M.
	 */
	m = qr_at(url, QR_ECLEVEL_M);
	l = qr_at(url, QR_ECLEVEL_L);
	use = m;
	if (l != NULL && (m == NULL || l->version < m->version))
		use = l;
	if (use == NULL) {
		*cause = xstrdup(errno == ERANGE ? "the verification URL is too long for a QR code"
		                                 : "the QR code could not be made");
		QRcode_free(m);
		QRcode_free(l);
		return -1;
	}
	q->size = use->width;
	q->version = use->version;
	q->level = use == l ? 'L' : 'M';
	q->dark = xmalloc((size_t)q->size * (size_t)q->size);
	/* Bit 0 of each of libqrencode's bytes is the module's colour; the rest describe it. */
	for (size_t i = 0; i < (size_t)q->size * (size_t)q->size; i++)
		q->dark[i] = use->data[i] & 1;
	QRcode_free(m);
	QRcode_free(l);
	return 0;
}

void
ui_qr_free(struct ui_qr *q)
{
	free(q->dark);
	memset(q, 0, sizeof *q);
}

int
ui_qr_cols(const struct ui_qr *q)
{
	return q->size > 0 ? q->size + 2 * UI_QR_QUIET : 0;
}

int
ui_qr_rows(const struct ui_qr *q)
{
	return (ui_qr_cols(q) + 1) / 2;
}

bool
ui_qr_fits(const struct ui_qr *q, int cols, int rows, bool utf8)
{
	return utf8 && q->size > 0 && cols >= ui_qr_cols(q) && rows >= ui_qr_rows(q);
}

/* Whether the module at (X, Y), counted from the quiet zone's corner, is dark. */
static bool
qr_dark(const struct ui_qr *q, int x, int y)
{
	x -= UI_QR_QUIET;
	y -= UI_QR_QUIET;
	return x >= 0 && y >= 0 && x < q->size && y < q->size && q->dark[y * q->size + x];
}

void
ui_qr_lines(const struct ui_qr *q, struct ui_lines *out)
{
	int cols = ui_qr_cols(q), rows = ui_qr_rows(q);
	/* Each cell at most 3 bytes of UTF-8. */
	char *line = xmalloc((size_t)cols * 3 + 1);

	for (int r = 0; r < rows; r++) {
		char *w = line;

		for (int x = 0; x < cols; x++) {
			bool up = qr_dark(q, x, 2 * r), down = qr_dark(q, x, 2 * r + 1);
			const char *cell = up && down ? QR_FULL : up ? QR_UPPER : down ? QR_LOWER : " ";
			size_t n = strlen(cell);

			memcpy(w, cell, n);
			w += n;
		}
		*w = '\0';
		ui_lines_add(out, line);
	}
	free(line);
}

void
ui_qr_draw(const struct ui_qr *q, WINDOW *win, int y, int x)
{
	struct ui_lines lines = {0};
	int cols = ui_qr_cols(q);

	if (!ui_qr_fits(q, getmaxx(win) - x, getmaxy(win) - y, ui_utf8()))
		return;
	ui_qr_lines(q, &lines);
	for (size_t i = 0; i < lines.n; i++)
		ui_put(win, y + (int)i, x, cols, lines.v[i], UI_QR, false);
	ui_lines_clear(&lines);
}
