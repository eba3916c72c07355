/* A trend as text: bars for values over time, in block characters or ASCII, as lines of text. */
#include "config.h"

#include "ui/plot.h"
#include "util/xmalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The glyphs of each charset: eighths of a cell from 1 to 8, and the axis. */
struct glyphs {
	const char *level[9]; /* level[k]: a cell filled k eighths (ASCII: only 8, '#') */
	int per_row;	      /* levels a row holds */
	const char *axis, *tick, *corner, *rule;
};

// clang-format off
static const struct glyphs utf8_glyphs = {
	{ " ", "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588" },
	8, "\u2502", "\u2524", "\u2514", "\u2500",
};
static const struct glyphs ascii_glyphs = {
	{ " ", "#", "#", "#", "#", "#", "#", "#", "#" },
	1, "|", "+", "+", "-",
};
// clang-format on

/* A line being built: its bytes, and the columns used so far (each glyph is one column). */
struct row {
	char *s;
	size_t len, cap;
	int cols;
};

static void
row_put(struct row *r, const char *glyph, size_t n)
{
	if (r->len + n + 1 > r->cap) {
		r->cap = (r->len + n + 1) * 2;
		r->s = xreallocarray(r->s, r->cap, 1);
	}
	memcpy(r->s + r->len, glyph, n);
	r->len += n;
	r->s[r->len] = '\0';
}

static void
row_glyph(struct row *r, const char *glyph)
{
	row_put(r, glyph, strlen(glyph));
	r->cols++;
}

/* ASCII text S, at most MAX characters (labels and dates are ASCII: the caller made them). */
static void
row_text(struct row *r, const char *s, size_t max)
{
	for (size_t i = 0; s[i] != '\0' && i < max; i++) {
		char c = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';

		row_put(r, &c, 1);
		r->cols++;
	}
}

static void
row_pad(struct row *r, int to)
{
	while (r->cols < to)
		row_glyph(r, " ");
}

static void
row_done(struct row *r, struct ui_lines *out)
{
	ui_lines_add(out, r->s != NULL ? r->s : "");
	free(r->s);
	memset(r, 0, sizeof *r);
}

/* Done with a line of ASCII only (a byte a column), cut to WIDTH. */
static void
row_done_cut(struct row *r, struct ui_lines *out, int width)
{
	if (r->cols > width) {
		r->s[width] = '\0';
		r->len = (size_t)width;
	}
	row_done(r, out);
}

static size_t
text_len(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	return n < UI_PLOT_LABEL_MAX ? n : UI_PLOT_LABEL_MAX;
}

/* "min 4.8 2019-01-02": WORD, a point's label and its date. */
static void
row_summary(struct row *r, const char *word, const struct ui_plot_point *p)
{
	row_text(r, word, 8);
	row_glyph(r, " ");
	row_text(r, p->label != NULL ? p->label : "", UI_PLOT_LABEL_MAX);
	row_glyph(r, " ");
	row_text(r, p->date != NULL ? p->date : "", UI_PLOT_LABEL_MAX);
}

size_t
ui_plot(const struct ui_plot_point *all, size_t n, int width, int height,
    enum ui_plot_charset charset, struct ui_lines *out)
{
	const struct glyphs *g = charset == UI_PLOT_UTF8 ? &utf8_glyphs : &ascii_glyphs;
	const struct ui_plot_point *p;
	size_t k, lo = 0, hi = 0, step, labelw, *levels;
	int room, x0, levels_total;
	struct row r = { 0 };

	if (n == 0 || width < 20 || height < UI_PLOT_MIN_HEIGHT || height > 1000)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(all[i].value))
			return 0;
	/* The label column fits the widest label of all the points, so it never moves as fewer are drawn. */
	labelw = 1;
	for (size_t i = 0; i < n; i++)
		if (text_len(all[i].label) > labelw)
			labelw = text_len(all[i].label);
	/* Label, axis, a blank, then the bars. */
	x0 = (int)labelw + 2;
	room = width - x0;
	k = n;
	step = 2;
	if ((int)(2 * k - 1) > room) {
		step = 1;
		if ((int)k > room)
			k = (size_t)room;
	}
	p = all + (n - k);
	for (size_t i = 1; i < k; i++) {
		if (p[i].value < p[lo].value)
			lo = i;
		if (p[i].value > p[hi].value)
			hi = i;
	}
	levels_total = height * g->per_row;
	levels = xcalloc(k, sizeof *levels);
	for (size_t i = 0; i < k; i++) {
		double span = p[hi].value - p[lo].value;

		if (!(span > 0))
			levels[i] = (size_t)(levels_total / 2 > 0 ? levels_total / 2 : 1);
		else
			levels[i] = 1 + (size_t)floor((p[i].value - p[lo].value) * (levels_total - 1) / span + 0.5);
	}
	for (int y = 0; y < height; y++) {
		const struct ui_plot_point *label = y == 0 ? &p[hi] : y == height - 1 ? &p[lo] : NULL;
		size_t base = (size_t)(height - 1 - y) * (size_t)g->per_row;

		if (label != NULL) {
			row_pad(&r, (int)(labelw - text_len(label->label)));
			row_text(&r, label->label != NULL ? label->label : "", UI_PLOT_LABEL_MAX);
			row_glyph(&r, g->tick);
		} else {
			row_pad(&r, (int)labelw);
			row_glyph(&r, g->axis);
		}
		for (size_t i = 0; i < k; i++) {
			size_t fill = levels[i] > base ? levels[i] - base : 0;

			row_pad(&r, x0 + (int)(i * step));
			row_glyph(&r, g->level[fill >= (size_t)g->per_row ? 8 : fill * (8 / (size_t)g->per_row)]);
		}
		/* No trailing blanks: a line ends with its last bar. */
		while (r.len > 0 && r.s[r.len - 1] == ' ') {
			r.s[--r.len] = '\0';
			r.cols--;
		}
		row_done(&r, out);
	}
	/* The axis under the bars. */
	row_pad(&r, (int)labelw);
	row_glyph(&r, g->corner);
	while (r.cols < x0 + (int)((k - 1) * step) + 1)
		row_glyph(&r, g->rule);
	row_done(&r, out);
	/*
	 * The first date under the first bar; the last one ends under the last bar, when both
	 * fit apart. Else both from the first bar, oldest first as the bars are ("FIRST - LAST"):
	 * the newest date alone under the oldest bars would name them wrongly.
	 */
	{
		int first = x0, last_end = x0 + (int)((k - 1) * step) + 1;
		int lw = (int)text_len(p[k - 1].date), fw = (int)text_len(p[0].date);
		int last_at = last_end - lw;

		row_pad(&r, first);
		row_text(&r, p[0].date != NULL ? p[0].date : "", UI_PLOT_LABEL_MAX);
		if (k > 1 && first + fw < last_at && last_at + lw <= width) {
			row_pad(&r, last_at);
			row_text(&r, p[k - 1].date != NULL ? p[k - 1].date : "", UI_PLOT_LABEL_MAX);
		} else if (k > 1) {
			row_text(&r, " - ", 3);
			row_text(&r, p[k - 1].date != NULL ? p[k - 1].date : "", UI_PLOT_LABEL_MAX);
		}
		row_done_cut(&r, out, width);
	}
	/* One line when it fits, else a line each. */
	row_summary(&r, "min", &p[lo]);
	row_text(&r, "  ", 2);
	row_summary(&r, "max", &p[hi]);
	row_text(&r, "  ", 2);
	row_summary(&r, "last", &p[k - 1]);
	if (r.cols <= width) {
		row_done(&r, out);
	} else {
		free(r.s);
		memset(&r, 0, sizeof r);
		row_summary(&r, "min", &p[lo]);
		row_done_cut(&r, out, width);
		row_summary(&r, "max", &p[hi]);
		row_done_cut(&r, out, width);
		row_summary(&r, "last", &p[k - 1]);
		row_done_cut(&r, out, width);
	}
	free(levels);
	return k;
}
