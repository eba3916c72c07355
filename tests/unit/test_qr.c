/*
 * Unit tests for the QR code: the lines read back into modules match libqrencode's
 * matrix, zbarimg decodes an image of them to the URL, and hostile URLs are refused.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ui/qr.h"
#include "ui/ui.h"

/* A device login's verification_uri_complete as RFC 8628 shows one, on a real host name. */
#define URL "https://auth.clinic.example/device?user_code=WDJB-MJHT"

/* The modules the lines show, quiet zone included: cols x (2 * rows), 1 for ink. */
struct modules {
	int w, h;
	unsigned char *dark;
};

/* Cells of a line: its bytes that do not continue a UTF-8 character. */
static int
cells(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Read LINES back into modules; every cell must be one of the four characters. */
static struct modules
read_back(const struct ui_lines *lines)
{
	struct modules m;

	cr_assert_gt(lines->n, 0);
	m.w = cells(lines->v[0]);
	m.h = (int)lines->n * 2;
	m.dark = calloc((size_t)m.w * (size_t)m.h, 1);
	for (size_t r = 0; r < lines->n; r++) {
		const char *p = lines->v[r];
		int x = 0;

		cr_assert_eq(cells(p), m.w, "line %zu has %d cells, the first %d", r, cells(p), m.w);
		for (; *p != '\0'; x++) {
			bool up, down;

			if (*p == ' ') {
				up = down = false;
				p++;
			} else if (strncmp(p, "\xe2\x96\x80", 3) == 0) {
				up = true, down = false;
				p += 3;
			} else if (strncmp(p, "\xe2\x96\x84", 3) == 0) {
				up = false, down = true;
				p += 3;
			} else if (strncmp(p, "\xe2\x96\x88", 3) == 0) {
				up = down = true;
				p += 3;
			} else {
				cr_assert_fail("line %zu, cell %d: byte 0x%02x is not a space or a half "
				               "or full block",
				    r, x, (unsigned char)*p);
			}
			m.dark[(size_t)(2 * r) * m.w + x] = up;
			m.dark[(size_t)(2 * r + 1) * m.w + x] = down;
		}
	}
	return m;
}

/* The module at (X, Y) of M: 1 for ink. */
static int
at(const struct modules *m, int x, int y)
{
	return m->dark[(size_t)y * m->w + x];
}

static void
encode(const char *url, struct ui_qr *q)
{
	char *cause = NULL;

	cr_assert_eq(ui_qr_encode(url, q, &cause), 0, "%s refused: %s", url, cause ? cause : "");
	cr_assert_null(cause);
}

/* --- refusals ------------------------------------------------------------------------- */

struct refusal {
	char url[300];
	char says[80];
};

ParameterizedTestParameters(qr, hostile_urls_are_refused)
{
	// clang-format off
	static struct refusal cases[] = {
		{ "", "there is no verification URL" },
		{ "http://auth.example/device", "is not an https:// URL" },
		{ "javascript:alert(1)", "is not an https:// URL" },
		{ "data:text/html,x", "is not an https:// URL" },
		{ "//auth.example/device", "is not an https:// URL" },
		{ "https://", "is not an https:// URL" },
		{ "https:///device", "is not an https:// URL" },
		{ "auth.example/device", "is not an https:// URL" },
		{ "https://auth.example/device?c=A B", "a blank, control or non-ASCII character" },
		{ "https://auth.example/\x1b[2J", "a blank, control or non-ASCII character" },
		{ "https://auth.example/\x7f", "a blank, control or non-ASCII character" },
		{ "https://auth.example/\t", "a blank, control or non-ASCII character" },
		{ "https://auth.example/d\xc3\xa9vice", "a blank, control or non-ASCII character" },
		{ "https://auth.example/\xe2\x80\xae", "a blank, control or non-ASCII character" },
		{ "https://auth.example/device\r\nLocation: x", "a blank, control or non-ASCII" },
	};
	// clang-format on
	return cr_make_param_array(struct refusal, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct refusal *c, qr, hostile_urls_are_refused)
{
	struct ui_qr q = { 1, 1, 'M', NULL };
	char *cause = NULL;

	cr_assert_eq(ui_qr_encode(c->url, &q, &cause), -1, "'%s' accepted", c->url);
	cr_assert_not_null(cause);
	cr_assert_not_null(strstr(cause, c->says), "'%s' does not say '%s'", cause, c->says);
	/* Refused, the code is empty: it neither fits nor draws anything. */
	cr_assert_eq(q.size, 0);
	cr_assert_null(q.dark);
	cr_assert_not(ui_qr_fits(&q, 1000, 1000, true));
	free(cause);
}

Test(qr, null_is_refused)
{
	struct ui_qr q;
	char *cause = NULL;

	cr_assert_eq(ui_qr_encode(NULL, &q, &cause), -1);
	cr_assert_str_eq(cause, "there is no verification URL");
	free(cause);
}

Test(qr, length_cap)
{
	char url[UI_QR_URL_MAX + 2], *cause = NULL;
	struct ui_qr q;

	strcpy(url, "https://auth.example/");
	memset(url + strlen(url), 'a', UI_QR_URL_MAX - strlen(url));
	url[UI_QR_URL_MAX] = '\0';
	encode(url, &q);
	/* 256 bytes make a code, too big for a terminal of 80 x 24. */
	cr_assert_gt(q.version, 4);
	cr_assert_not(ui_qr_fits(&q, 80, 24, true));
	ui_qr_free(&q);
	strcat(url, "a");
	cr_assert_eq(ui_qr_encode(url, &q, &cause), -1);
	cr_assert_str_eq(cause, "the verification URL is too long for a QR code");
	free(cause);
}

/* --- the lines ------------------------------------------------------------------------ */

Test(qr, size_level_and_fit)
{
	struct ui_qr q;

	encode(URL, &q);
	/* 54 bytes: version 3 at L, 4 at M; L is smaller, so L. */
	cr_assert_eq(q.version, 3);
	cr_assert_eq(q.level, 'L');
	cr_assert_eq(q.size, 29);
	cr_assert_eq(ui_qr_cols(&q), 37);
	cr_assert_eq(ui_qr_rows(&q), 19);
	cr_assert(ui_qr_fits(&q, 37, 19, true));
	cr_assert(ui_qr_fits(&q, 80, 24, true));
	cr_assert_not(ui_qr_fits(&q, 36, 19, true), "one column short");
	cr_assert_not(ui_qr_fits(&q, 37, 18, true), "one row short");
	cr_assert_not(ui_qr_fits(&q, 200, 100, false), "no half blocks without UTF-8");
	ui_qr_free(&q);
	cr_assert_eq(q.size, 0);
	cr_assert_null(q.dark);
}

Test(qr, level_m_unless_l_makes_a_smaller_code)
{
	struct ui_qr q;

	/* 58 bytes: version 4 at L and at M, so M and its 15% of repair. */
	encode("https://auth.clinic.example/device?user_code=WDJB-MJHT-XYZ", &q);
	cr_assert_eq(q.level, 'M', "version %d at %c", q.version, q.level);
	cr_assert_eq(q.version, 4);
	cr_assert_eq(ui_qr_cols(&q), 41);
	cr_assert_eq(ui_qr_rows(&q), 21);
	ui_qr_free(&q);
	/* A short one: version 2 at both. */
	encode("https://a.example/d?c=ABCD", &q);
	cr_assert_eq(q.level, 'M');
	cr_assert_eq(q.version, 2);
	ui_qr_free(&q);
}

Test(qr, lines_read_back_are_libqrencodes_matrix)
{
	struct ui_lines lines = { 0 };
	struct modules m;
	struct ui_qr q;
	QRcode *ref;

	encode(URL, &q);
	ui_qr_lines(&q, &lines);
	cr_assert_eq(lines.n, (size_t)ui_qr_rows(&q));
	m = read_back(&lines);
	cr_assert_eq(m.w, ui_qr_cols(&q));
	/* The matrix libqrencode makes on its own at the level the code says. */
	ref = QRcode_encodeString(URL, 0, q.level == 'L' ? QR_ECLEVEL_L : QR_ECLEVEL_M,
	    QR_MODE_8, 1);
	cr_assert_not_null(ref);
	cr_assert_eq(ref->width, q.size);
	for (int y = 0; y < m.h; y++) {
		for (int x = 0; x < m.w; x++) {
			int mx = x - UI_QR_QUIET, my = y - UI_QR_QUIET, want = 0;

			if (mx >= 0 && my >= 0 && mx < ref->width && my < ref->width)
				want = ref->data[my * ref->width + mx] & 1;
			cr_assert_eq(at(&m, x, y), want,
			    "module (%d, %d) is %s; libqrencode has it %s%s", mx, my,
			    at(&m, x, y) ? "dark" : "light", want ? "dark" : "light",
			    want || (mx >= 0 && my >= 0 && mx < ref->width && my < ref->width)
			        ? ""
			        : " (quiet zone)");
		}
	}
	/* The finder pattern's corner is ink, and the cell above it is the quiet zone's. */
	cr_assert_eq(at(&m, UI_QR_QUIET, UI_QR_QUIET), 1);
	cr_assert_str_eq(lines.v[0], "                                     ");
	QRcode_free(ref);
	free(m.dark);
	ui_lines_clear(&lines);
	ui_qr_free(&q);
}

/* --- drawn in a window ----------------------------------------------------------------- */

/* The modules drawn in WIN from (Y, X), read back cell by cell, each in the QR look. */
static void
expect_drawn(WINDOW *win, int y, int x, const struct ui_qr *q)
{
	static const wchar_t glyph[2][2] = { { L' ', 0x2584 }, { 0x2580, 0x2588 } };

	for (int r = 0; r < ui_qr_rows(q); r++) {
		for (int c = 0; c < ui_qr_cols(q); c++) {
			int mx = c - UI_QR_QUIET, up = 2 * r - UI_QR_QUIET, down = up + 1;
			bool u = mx >= 0 && mx < q->size && up >= 0 && up < q->size &&
			         q->dark[up * q->size + mx];
			bool d = mx >= 0 && mx < q->size && down >= 0 && down < q->size &&
			         q->dark[down * q->size + mx];
			wchar_t wch[CCHARW_MAX + 1];
			cchar_t cell;
			attr_t attrs;
			short pair;

			cr_assert_eq(mvwin_wch(win, y + r, x + c, &cell), OK);
			cr_assert_eq(getcchar(&cell, wch, &attrs, &pair, NULL), OK);
			cr_assert_eq(wch[0], glyph[u][d], "cell (%d, %d) is U+%04X, not U+%04X", c, r,
			    (unsigned)wch[0], (unsigned)glyph[u][d]);
			cr_assert_eq(attrs & ui_attr(UI_QR), ui_attr(UI_QR), "cell (%d, %d)", c, r);
		}
	}
}

Test(qr_draw, drawn_in_the_qr_look_only_where_it_fits_and_the_terminal_shows_utf8)
{
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	SCREEN *screen;
	WINDOW *win;
	struct ui_qr q;
	chtype before;

	setlocale(LC_ALL, "C.UTF-8");
	cr_assert(out != NULL && in != NULL);
	screen = newterm("vt100", out, in);
	cr_assert_not_null(screen);
	encode(URL, &q);
	/* Curses is not started: no colour, so the look is reverse video. */
	cr_assert_eq(ui_attr(UI_QR), A_REVERSE);
	win = newwin(24, 80, 0, 0);
	ui_set_charset("utf-8");
	ui_qr_draw(&q, win, 2, 3);
	expect_drawn(win, 2, 3, &q);
	/* Nothing beside it. */
	cr_assert_eq(mvwinch(win, 2, 2) & A_CHARTEXT, ' ');
	cr_assert_eq(mvwinch(win, 2, 2) & A_REVERSE, 0);
	cr_assert_eq(mvwinch(win, 2, 3 + ui_qr_cols(&q)) & A_REVERSE, 0);
	cr_assert_eq(mvwinch(win, 2 + ui_qr_rows(&q), 3) & A_REVERSE, 0);
	delwin(win);

	/* One row short, or one column: nothing is drawn rather than a code cut short. */
	win = newwin(ui_qr_rows(&q), ui_qr_cols(&q), 0, 0);
	ui_qr_draw(&q, win, 1, 0);
	before = mvwinch(win, 0, 0);
	for (int r = 0; r < ui_qr_rows(&q); r++)
		cr_assert_eq(mvwinch(win, r, 4) & A_REVERSE, 0, "row %d was drawn", r);
	ui_qr_draw(&q, win, 0, 1);
	for (int r = 0; r < ui_qr_rows(&q); r++)
		cr_assert_eq(mvwinch(win, r, 4) & A_REVERSE, 0, "row %d was drawn", r);
	/* Exactly its size: drawn. */
	ui_qr_draw(&q, win, 0, 0);
	expect_drawn(win, 0, 0, &q);
	cr_assert_eq(before & A_REVERSE, 0);
	delwin(win);

	/* A terminal without UTF-8 has no half blocks: nothing is drawn. */
	win = newwin(24, 80, 0, 0);
	ui_set_charset("ascii");
	ui_qr_draw(&q, win, 0, 0);
	for (int r = 0; r < 24; r++)
		cr_assert_eq(mvwinch(win, r, 10) & A_REVERSE, 0, "row %d was drawn", r);
	delwin(win);
	ui_qr_free(&q);
	endwin();
	delscreen(screen);
	fclose(out);
	fclose(in);
}

/* --- a QR decoder reads it ------------------------------------------------------------ */

/* zbarimg on PATH, or NULL. */
static char *
find_zbarimg(void)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, *found = NULL;

	if (path == NULL)
		path = "/usr/bin:/bin";
	copy = strdup(path);
	for (dir = strtok_r(copy, ":", &save); dir != NULL && found == NULL;
	     dir = strtok_r(NULL, ":", &save)) {
		char *cand;

		cr_assert_neq(asprintf(&cand, "%s/zbarimg", dir), -1);
		if (access(cand, X_OK) == 0)
			found = cand;
		else
			free(cand);
	}
	free(copy);
	return found;
}

/* Run ARGV, no shell, and return its standard output (at most SIZE - 1 bytes) in OUT. */
static int
run(char *const argv[], char *out, size_t size)
{
	int fds[2], status;
	size_t n = 0;
	ssize_t got;
	pid_t pid;

	cr_assert_eq(pipe(fds), 0);
	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(fds[1], STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		close(fds[0]);
		close(fds[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	while (n + 1 < size && (got = read(fds[0], out + n, size - 1 - n)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		cr_assert_gt(got, 0);
		n += (size_t)got;
	}
	out[n] = '\0';
	close(fds[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * The lines as a phone would photograph them: the modules read back from the text (not
 * libqrencode's matrix) as a PBM, SCALE pixels a module, dark where there is ink.
 */
static void
write_pbm(const struct modules *m, const char *path, int scale)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	fprintf(f, "P1\n%d %d\n", m->w * scale, m->h * scale);
	for (int y = 0; y < m->h * scale; y++) {
		for (int x = 0; x < m->w * scale; x++)
			fputs(at(m, x / scale, y / scale) ? "1" : "0", f);
		fputc('\n', f);
	}
	cr_assert_eq(fclose(f), 0);
}

static void
decodes_to(const char *url)
{
	char *zbarimg = find_zbarimg(), out[UI_QR_URL_MAX + 64];
	char path[] = "/tmp/ehrterm-qr-XXXXXX.pbm";
	struct ui_lines lines = { 0 };
	struct modules m;
	struct ui_qr q;
	int fd, rc;

	if (zbarimg == NULL)
		cr_skip_test("zbarimg is not installed (Debian zbar-tools, which scripts/deps "
		             "installs): the QR code was not decoded");
	encode(url, &q);
	ui_qr_lines(&q, &lines);
	m = read_back(&lines);
	fd = mkstemps(path, 4);
	cr_assert_neq(fd, -1);
	close(fd);
	write_pbm(&m, path, 4);
	{
		char *argv[] = { zbarimg, "--nodbus", "--raw", "-q", "-Sdisable", "-Sqrcode.enable",
			path, NULL };

		rc = run(argv, out, sizeof out);
	}
	unlink(path);
	cr_assert_eq(rc, 0, "zbarimg found no QR code (exit %d)", rc);
	out[strcspn(out, "\n")] = '\0';
	cr_assert_str_eq(out, url);
	free(m.dark);
	ui_lines_clear(&lines);
	ui_qr_free(&q);
	free(zbarimg);
}

Test(qr, zbarimg_decodes_the_lines_to_the_url, .timeout = 60)
{
	decodes_to(URL);
}

Test(qr, zbarimg_decodes_a_level_m_code, .timeout = 60)
{
	decodes_to("https://auth.clinic.example/device?user_code=WDJB-MJHT-XYZ");
}
