/* Unit tests for the trend plot: exact lines in ASCII and UTF-8, its bounds, and its edge cases. */
#include "config.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ui/plot.h"

static const struct ui_plot_point four[] = {
	{ 1, "1", "2020-01-01" },
	{ 3, "3", "2020-02-01" },
	{ 2, "2", "2020-03-01" },
	{ 5, "5", "2020-04-01" },
};

static void
expect_lines(const struct ui_lines *l, const char *const *want, size_t n)
{
	cr_assert_eq(l->n, n, "%zu lines, not %zu", l->n, n);
	for (size_t i = 0; i < n; i++)
		cr_expect_str_eq(l->v[i], want[i], "line %zu: [%s], not [%s]", i, l->v[i], want[i]);
}

/* Display columns of UTF-8 text: every byte that does not continue a character. */
static size_t
columns(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

Test(plot, nothing_to_draw)
{
	struct ui_lines l = { 0 };
	struct ui_plot_point nan_point = { NAN, "x", "2020-01-01" };

	cr_expect_eq(ui_plot(NULL, 0, 80, 8, UI_PLOT_ASCII, &l), 0);
	cr_expect_eq(ui_plot(four, 4, 19, 8, UI_PLOT_ASCII, &l), 0, "below 20 columns");
	cr_expect_eq(ui_plot(four, 4, 80, UI_PLOT_MIN_HEIGHT - 1, UI_PLOT_ASCII, &l), 0);
	cr_expect_eq(ui_plot(&nan_point, 1, 80, 8, UI_PLOT_UTF8, &l), 0, "a value that is not a number");
	cr_expect_eq(l.n, 0, "nothing added");
}

/*
 * Heights 1 + round((v - 1) * 3 / 4): 1 -> 1, 3 -> 3, 2 -> 2, 5 -> 4; bars two columns
 * apart from column 3. The first date (under column 3) would run into the last, which
 * would end under the last bar (column 9): both go from the first bar, oldest first, so
 * the newest date is never alone under the oldest bar.
 */
Test(plot, ascii_exact)
{
	static const char *const want[] = {
		"5+       #",
		" |   #   #",
		" |   # # #",
		"1+ # # # #",
		" +--------",
		"   2020-01-01 - 2020-04-01",
		"min 1 2020-01-01  max 5 2020-04-01  last 5 2020-04-01",
	};
	struct ui_lines l = { 0 };

	cr_assert_eq(ui_plot(four, 4, 60, 4, UI_PLOT_ASCII, &l), 4);
	expect_lines(&l, want, 7);
	ui_lines_clear(&l);
	/* Too narrow for the summary on one line: a line each. */
	cr_assert_eq(ui_plot(four, 4, 40, 4, UI_PLOT_ASCII, &l), 4);
	cr_assert_eq(l.n, 9);
	cr_expect_str_eq(l.v[6], "min 1 2020-01-01");
	cr_expect_str_eq(l.v[7], "max 5 2020-04-01");
	cr_expect_str_eq(l.v[8], "last 5 2020-04-01");
	ui_lines_clear(&l);
}

/* 32 levels: 1 -> 1 (a low eighth), 3 -> 17 (two rows and an eighth), 2 -> 9, 5 -> 32. */
Test(plot, utf8_exact)
{
	static const char *const want[] = {
		"5\u2524       \u2588",
		" \u2502   \u2581   \u2588",
		" \u2502   \u2588 \u2581 \u2588",
		"1\u2524 \u2581 \u2588 \u2588 \u2588",
		" \u2514\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500",
		"   2020-01-01 - 2020-04-01",
		"min 1 2020-01-01  max 5 2020-04-01  last 5 2020-04-01",
	};
	struct ui_lines l = { 0 };

	cr_assert_eq(ui_plot(four, 4, 60, 4, UI_PLOT_UTF8, &l), 4);
	expect_lines(&l, want, 7);
	ui_lines_clear(&l);
}

/* Wide enough, the first date stands under the first bar and the last ends under the last. */
Test(plot, dates_under_their_bars)
{
	struct ui_plot_point p[12];
	char dates[12][11];
	struct ui_lines l = { 0 };
	const char *line;

	for (int i = 0; i < 12; i++) {
		snprintf(dates[i], sizeof dates[i], "2020-%02d-01", i + 1);
		p[i] = (struct ui_plot_point){ i % 5, "4", dates[i] };
	}
	cr_assert_eq(ui_plot(p, 12, 80, 5, UI_PLOT_ASCII, &l), 12);
	line = l.v[6];
	/* Label column 1, axis, blank: bar i at 3 + 2i; the last (i = 11) at 25. */
	cr_expect_eq(strncmp(line + 3, "2020-01-01", 10), 0, "[%s]", line);
	cr_expect_eq(strlen(line), 26, "[%s]", line);
	cr_expect_eq(strcmp(line + 16, "2020-12-01"), 0, "[%s]", line);
	ui_lines_clear(&l);
}

/* The lowest and highest are the earliest of equal ones; the newest is last. */
Test(plot, ties_name_the_earliest)
{
	static const struct ui_plot_point p[] = {
		{ 2, "2", "2021-01-01" }, { 9, "9", "2021-02-01" }, { 2, "2", "2021-03-01" },
		{ 9, "9", "2021-04-01" }, { 5, "5", "2021-05-01" },
	};
	struct ui_lines l = { 0 };

	cr_assert_eq(ui_plot(p, 5, 80, 4, UI_PLOT_ASCII, &l), 5);
	cr_expect_str_eq(l.v[l.n - 1], "min 2 2021-01-01  max 9 2021-02-01  last 5 2021-05-01");
	ui_lines_clear(&l);
}

/* One value, or all the same: half-height bars, and no division by zero. */
Test(plot, flat)
{
	static const struct ui_plot_point p[] = { { 7, "7", "2021-01-01" }, { 7, "7", "2021-02-01" } };
	struct ui_lines l = { 0 };

	cr_assert_eq(ui_plot(p, 2, 40, 4, UI_PLOT_ASCII, &l), 2);
	cr_expect_str_eq(l.v[0], "7+");
	cr_expect_str_eq(l.v[1], " |");
	cr_expect_str_eq(l.v[2], " | # #");
	cr_expect_str_eq(l.v[3], "7+ # #");
	ui_lines_clear(&l);
}

/* More values than fit: bars one column apart, then only the newest that fit, scaled alone. */
Test(plot, newest_that_fit)
{
	struct ui_plot_point p[200];
	struct ui_lines l = { 0 };
	size_t k;

	for (int i = 0; i < 200; i++)
		p[i] = (struct ui_plot_point){ i < 100 ? 1000 : i, "12345", "2020-01-01" };
	/* 80 columns less the label (5), the axis and a blank: 73 bars. */
	k = ui_plot(p, 200, 80, 6, UI_PLOT_UTF8, &l);
	cr_expect_eq(k, 73);
	for (size_t i = 0; i < l.n; i++)
		cr_expect_leq(columns(l.v[i]), 80, "line %zu is %zu columns", i, columns(l.v[i]));
	/* 1000 was left out with the older values: the newest 73 span 127 to 199. */
	cr_expect_str_eq(l.v[l.n - 1], "min 12345 2020-01-01  max 12345 2020-01-01  last 12345 2020-01-01");
	ui_lines_clear(&l);
	/* 36 bars two apart fit 80 columns with a 5-column label. */
	cr_expect_eq(ui_plot(p + 164, 36, 80, 6, UI_PLOT_ASCII, &l), 36);
	cr_expect_eq(strlen(l.v[4]), 7 + 35 * 2 + 1, "[%s]", l.v[4]);
	ui_lines_clear(&l);
}

/* ASCII is ASCII, and no line is wider than asked, whatever the labels and dates hold. */
Test(plot, ascii_only_and_bounded)
{
	struct ui_plot_point p[40];
	struct ui_lines l = { 0 };

	for (int i = 0; i < 40; i++)
		p[i] = (struct ui_plot_point){ (i * 7919) % 101 - 50.5, "\x1b]0;\xc3\xa9-999999999999999",
			i % 2 ? "\x9b" "31m2020-01-01-long" : NULL };
	for (int width = 20; width <= 120; width += 7) {
		cr_assert_gt(ui_plot(p, 40, width, 3, UI_PLOT_ASCII, &l), 0);
		for (size_t i = 0; i < l.n; i++) {
			cr_expect_leq(strlen(l.v[i]), (size_t)width, "width %d line %zu: [%s]", width, i, l.v[i]);
			for (const char *c = l.v[i]; *c; c++)
				cr_expect(*c >= 0x20 && *c < 0x7f, "width %d line %zu has byte %#x", width, i,
				    (unsigned char)*c);
		}
		ui_lines_clear(&l);
	}
}
