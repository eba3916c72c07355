/* A trend as text: values over time drawn as bars that fit a terminal's width, no curses. */
#ifndef EHRTERM_UI_PLOT_H
#define EHRTERM_UI_PLOT_H

#include <stddef.h>

#include "ui/lines.h"

/* What the terminal can show: block characters (UTF-8) or printable ASCII only. */
enum ui_plot_charset {
	UI_PLOT_ASCII,
	UI_PLOT_UTF8,
};

/* One value: the number, how it is written ("5.8"), and its date ("2024-03-01"); both borrowed. */
struct ui_plot_point {
	double value;
	const char *label;
	const char *date;
};

/* Rows of bars a plot takes, at least: fewer cannot tell values apart. */
#define UI_PLOT_MIN_HEIGHT 3
/* Characters of a point's label or date that are used (longer ones are cut). */
#define UI_PLOT_LABEL_MAX 12

/*
 * Draw the N points P (oldest first) in WIDTH columns as HEIGHT rows of bars, one bar a
 * point, and add the lines to OUT:
 *   - HEIGHT rows: the highest value's label at the top of the axis, the lowest's at the
 *     bottom; a point's bar is 1 + round((v - min) * (levels - 1) / (max - min)) levels
 *     high, where a row holds 8 levels in UTF-8 (the top cell a partial block) and 1 in
 *     ASCII ('#'); when every value is the same, each bar is half the height;
 *   - the axis;
 *   - the first date under the first bar and the last date ending under the last bar,
 *     or, when they do not fit apart, "FIRST - LAST" from the first bar (cut to WIDTH);
 *   - "min L date  max L date  last L date": the lowest and highest (the earliest of equal
 *     ones) and the newest; on three lines when one is too narrow.
 * The label column is as wide as the widest of the two labels. Bars are two columns apart
 * when they fit, else one; when even that is too wide, only the newest points that fit
 * are drawn (and scaled). Every line is at most WIDTH columns, in CHARSET only.
 * Returns how many points were drawn (the newest ones), or 0 (nothing added) when there
 * are none, WIDTH is below 20 or HEIGHT below UI_PLOT_MIN_HEIGHT. A pure function: it
 * reads nothing else and draws nothing.
 */
size_t ui_plot(const struct ui_plot_point *p, size_t n, int width, int height,
    enum ui_plot_charset charset, struct ui_lines *out);

#endif
