/*
 * The note editor's cost per key (issue 14: "a 20,000-character note with no visible
 * lag"): CPU time per key typed into the real widget, in the middle of a note and at its
 * end, with and without drawing it, and the bytes each key sends to the terminal. Run by
 * `make bench-editor`; tests/bench/README.md says how to read it. The note is made up
 * here and lives in memory only, as a real one does: nothing is written to any file.
 */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ui/editor.h"
#include "ui/ui.h"

static const char *const words[] = { "Patient", "reports", "intermittent", "chest", "pain,",
	"worse", "on", "exertion;", "BP", "128/82,", "HR", "76.", "Taking", "metoprolol", "25",
	"mg", "daily.", "Allergic", "to", "penicillin", "(rash).", "Temp", "37.2°C.", "Plan:",
	"ECG,", "troponin", "×2,", "review", "in", "2", "weeks." };

/* What is typed: a sentence a clinician might add, again and again. */
static const char typed[] = "Seen with daughter, who confirms the history and the dates. ";

static uint32_t seed = 14;

static uint32_t
rnd(void)
{
	seed = seed * 1103515245u + 12345u;
	return seed >> 8;
}

/* A note of CHARS characters (code points): words, and a paragraph every ~40 when PARAS. */
static char *
make_note(size_t chars, int paras, size_t *len)
{
	size_t cap = chars * 2 + 64, n = 0, got = 0;
	char *s = malloc(cap);

	if (s == NULL)
		exit(1);
	while (got < chars) {
		const char *w = words[rnd() % (sizeof words / sizeof words[0])];

		for (const char *p = w; *p != '\0' && got < chars; p++) {
			s[n++] = *p;
			if (((unsigned char)p[1] & 0xC0) != 0x80)
				got++;
		}
		if (got < chars) {
			s[n++] = paras && rnd() % 40 == 0 ? '\n' : ' ';
			got++;
		}
	}
	s[n] = '\0';
	*len = n;
	return s;
}

static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The terminal: curses writes to a pipe that is drained and counted, never to a file. */
static SCREEN *screen;
static WINDOW *win;
static int tty_r = -1;
static FILE *tty_w, *tty_in;

static size_t
drain(void)
{
	char buf[65536];
	size_t total = 0;
	ssize_t n;

	while ((n = read(tty_r, buf, sizeof buf)) > 0)
		total += (size_t)n;
	return total;
}

static int
terminal_up(int rows, int cols)
{
	int fds[2];

	if (pipe(fds) != 0)
		return -1;
	tty_r = fds[0];
	fcntl(tty_r, F_SETFL, O_NONBLOCK);
	fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
	tty_w = fdopen(fds[1], "w");
	tty_in = fopen("/dev/null", "r");
	if (tty_w == NULL || tty_in == NULL)
		return -1;
	screen = newterm("xterm-256color", tty_w, tty_in);
	if (screen == NULL)
		screen = newterm("xterm", tty_w, tty_in);
	if (screen == NULL)
		return -1;
	resizeterm(rows + 2, cols);
	ui_set_charset("utf-8");
	win = newwin(rows, cols, 1, 0);
	return win != NULL ? 0 : -1;
}

static void
terminal_down(void)
{
	if (win != NULL)
		delwin(win);
	if (screen != NULL) {
		endwin();
		delscreen(screen);
	}
	drain();
	if (tty_w != NULL)
		fclose(tty_w);
	if (tty_in != NULL)
		fclose(tty_in);
	close(tty_r);
}

struct figure {
	double mean_us, max_us;
	double bytes; /* to the terminal a key, when drawn */
};

enum where { MIDDLE, END };

/*
 * KEYS keys into E (loaded with NOTE): typed text, or backspace when BACK; drawn after
 * each when DRAW, as the loop does (the window's rows, then the update to the terminal).
 */
static struct figure
run(struct ui_editor *e, const char *note, size_t len, enum where at, bool back, bool draw,
    int keys, int rows, int cols)
{
	struct figure f = { 0, 0, 0 };
	char *cause = NULL;
	double total = 0;
	size_t bytes = 0;

	ui_editor_layout(e, cols, true);
	if (ui_editor_set_text(e, note, len, &cause) < 0) {
		fprintf(stderr, "editor: %s\n", cause);
		exit(1);
	}
	ui_editor_set_pos(e, at == MIDDLE ? len / 2 : len);
	if (draw) {
		ui_editor_draw(e, win, 0, rows, cols);
		wnoutrefresh(win);
		doupdate();
		drain();
	}
	for (int k = 0; k < keys; k++) {
		double t0 = cpu_now(), dt;

		if (back)
			ui_editor_action(e, A_BACKSPACE);
		else
			ui_editor_key(e, (unsigned char)typed[k % (sizeof typed - 1)]);
		if (draw) {
			ui_editor_draw(e, win, 0, rows, cols);
			wnoutrefresh(win);
			doupdate();
		}
		dt = cpu_now() - t0;
		total += dt;
		if (dt > f.max_us / 1e6)
			f.max_us = dt * 1e6;
		if (draw)
			bytes += drain();
	}
	f.mean_us = total / keys * 1e6;
	f.bytes = (double)bytes / keys;
	return f;
}

/* Re-wrapping the whole note once: what every key would cost an editor without the index. */
static double
full_wrap_us(struct ui_editor *e, int cols, int times)
{
	double t0 = cpu_now();

	for (int i = 0; i < times; i++)
		ui_editor_layout(e, i % 2 == 0 ? cols - 1 : cols, true);
	ui_editor_layout(e, cols, true);
	return (cpu_now() - t0) / times * 1e6;
}

static void
show(const char *what, struct figure f, bool drawn)
{
	if (drawn)
		printf("%-48s %10.2f %10.1f %12.1f\n", what, f.mean_us, f.max_us, f.bytes);
	else
		printf("%-48s %10.2f %10.1f %12s\n", what, f.mean_us, f.max_us, "-");
}

static void
usage(void)
{
	fputs("usage: editor [--chars N] [--keys N] [--cols N] [--rows N]\n"
	      "  N characters of note (20000), N keys a figure (2000), the window (80x22)\n",
	    stderr);
	exit(2);
}

int
main(int argc, char **argv)
{
	size_t chars = 20000, len, len1, len2;
	int keys = 2000, cols = 80, rows = 22;
	struct ui_editor e;
	char *note, *para, *big, what[64];

	for (int i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "--chars") == 0)
			chars = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--keys") == 0)
			keys = atoi(argv[++i]);
		else if (strcmp(argv[i], "--cols") == 0)
			cols = atoi(argv[++i]);
		else if (strcmp(argv[i], "--rows") == 0)
			rows = atoi(argv[++i]);
		else
			usage();
	}
	if (chars == 0 || keys <= 0 || cols < 20 || rows < 1)
		usage();
	if (setlocale(LC_ALL, "C.UTF-8") == NULL && setlocale(LC_ALL, "") == NULL)
		fprintf(stderr, "editor: no UTF-8 locale; widths are the C locale's\n");
	if (terminal_up(rows, cols) != 0) {
		fprintf(stderr, "editor: no terminal description for xterm: %s\n", strerror(errno));
		return 1;
	}
	note = make_note(chars, 1, &len);
	para = make_note(chars, 0, &len1);
	ui_editor_init(&e, 0);

	printf("The note editor, %d keys a figure, %dx%d window, CPU time per key (mean, max):\n",
	    keys, cols, rows);
	ui_editor_layout(&e, cols, true);
	ui_editor_set_text(&e, note, len, &(char *){ NULL });
	printf("note: %zu characters, %zu bytes, %zu rows in paragraphs of about 40 words\n\n",
	    chars, len, ui_editor_rows(&e));

	printf("%-48s %10s %10s %12s\n", "", "mean us", "max us", "term bytes");
	show("type in the middle (editor only)",
	    run(&e, note, len, MIDDLE, false, false, keys, rows, cols), false);
	show("type at the end (editor only)",
	    run(&e, note, len, END, false, false, keys, rows, cols), false);
	show("backspace in the middle (editor only)",
	    run(&e, note, len, MIDDLE, true, false, keys, rows, cols), false);
	show("type in the middle, drawn", run(&e, note, len, MIDDLE, false, true, keys, rows, cols),
	    true);
	show("type at the end, drawn", run(&e, note, len, END, false, true, keys, rows, cols),
	    true);
	show("backspace in the middle, drawn",
	    run(&e, note, len, MIDDLE, true, true, keys, rows, cols), true);
	show("type in the middle of one paragraph, drawn",
	    run(&e, para, len1, MIDDLE, false, true, keys, rows, cols), true);
	/* The longest note the editor holds, less room for the keys typed. */
	big = make_note(UI_EDITOR_MAX, 1, &len2);
	while (len2 + (size_t)keys > UI_EDITOR_MAX) {
		len2--;
		while (len2 > 0 && ((unsigned char)big[len2] & 0xC0) == 0x80)
			len2--;
	}
	big[len2] = '\0';
	snprintf(what, sizeof what, "type in the middle of %zu bytes (editor only)", len2);
	show(what, run(&e, big, len2, MIDDLE, false, false, keys, rows, cols), false);
	snprintf(what, sizeof what, "type in the middle of %zu bytes, drawn", len2);
	show(what, run(&e, big, len2, MIDDLE, false, true, keys, rows, cols), true);

	/* What each key would cost an editor that re-wrapped the whole note. */
	ui_editor_set_text(&e, note, len, &(char *){ NULL });
	printf("\nfor comparison, re-wrapping the whole note once: %.1f us (%zu bytes)",
	    full_wrap_us(&e, cols, 50), len);
	ui_editor_set_text(&e, big, len2, &(char *){ NULL });
	printf(", %.1f us (%zu bytes)\n", full_wrap_us(&e, cols, 50), len2);

	ui_editor_free(&e);
	explicit_bzero(note, len);
	explicit_bzero(para, len1);
	explicit_bzero(big, len2);
	free(note);
	free(para);
	free(big);
	terminal_down();
	return 0;
}
