/* Form: typed fields edited through ui_prompt, checked by field_parse when left, two columns. */
#include "config.h"

#include "ui/form.h"
#include "text/safe.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* A message goes beside its field when this many columns are left there, else under it. */
#define FORM_MESSAGE_BESIDE 24
/* Widest label column, so the inputs keep room on 80 columns. */
#define FORM_LABEL_MAX 28
/* Choices named on the candidates row; the rest are "and N more". */
#define FORM_CANDIDATES_SHOWN 12

static size_t
prompt_max(const struct field_def *def)
{
	if (def->type == FIELD_TEXT && def->max_chars > 0 && def->max_chars < UI_PROMPT_MAX)
		return def->max_chars;
	return UI_PROMPT_MAX;
}

void
ui_form_init(struct ui_form *f, const struct field_def *defs, size_t n)
{
	memset(f, 0, sizeof *f);
	f->fields = xcalloc(n ? n : 1, sizeof *f->fields);
	f->n = n;
	f->cursor_y = f->cursor_x = -1;
	f->rows = 1;
	for (size_t i = 0; i < n; i++) {
		struct ui_form_field *fld = &f->fields[i];

		fld->def = &defs[i];
		ui_prompt_init(&fld->prompt, prompt_max(fld->def), false);
		fld->value.type = fld->def->type;
		fld->value.empty = true;
		fld->clean = xstrdup("");
	}
}

void
ui_form_free(struct ui_form *f)
{
	for (size_t i = 0; i < f->n; i++) {
		struct ui_form_field *fld = &f->fields[i];

		field_value_clear(&fld->value);
		ui_prompt_clear(&fld->prompt);
		free(fld->message);
		free(fld->clean);
	}
	free(f->fields);
	free(f->not_saved);
	free(f->refusal);
	memset(f, 0, sizeof *f);
}

void
ui_form_set_now(struct ui_form *f, const struct date_time *now)
{
	f->has_now = now != NULL;
	if (now != NULL)
		f->now = *now;
}

static const char *
label_of(const struct field_def *def)
{
	return def->label != NULL ? def->label : "This field";
}

static void
set_message(struct ui_form_field *fld, char *message)
{
	free(fld->message);
	fld->message = message;
}

/* Characters in UTF-8 TEXT, or SIZE_MAX when it is not valid in this locale. */
static size_t
chars(const char *text)
{
	return mbstowcs(NULL, text, 0);
}

/*
 * Parse field I's text. On success the value is kept and the text shown as
 * field_format writes it; on failure the text stays and, when SHOW, the
 * message shows. Returns whether it parsed.
 */
static bool
check(struct ui_form *f, size_t i, bool show)
{
	struct ui_form_field *fld = &f->fields[i];
	struct field_value v;
	char *text = ui_prompt_text(&fld->prompt), *message = NULL, *shown;

	if (field_parse_at(fld->def, text, f->has_now ? &f->now : NULL, &v, &message) != 0) {
		field_value_clear(&fld->value);
		fld->parsed = false;
		if (show)
			set_message(fld, message);
		else
			free(message);
		free(text);
		return false;
	}
	field_value_clear(&fld->value);
	fld->value = v;
	fld->parsed = true;
	set_message(fld, NULL);
	/* Show what was understood ("t+7" is a date), unless it would not fit the field. */
	shown = field_format(&v);
	if (!v.empty && strcmp(shown, text) != 0 && chars(shown) <= fld->prompt.max)
		ui_prompt_set(&fld->prompt, shown);
	free(shown);
	free(text);
	return true;
}

/* Leaving field I: check it, unless it is blank, never typed in and has said nothing yet. */
static void
leave(struct ui_form *f, size_t i)
{
	struct ui_form_field *fld = &f->fields[i];

	check(f, i, fld->touched || fld->message != NULL || !ui_prompt_empty(&fld->prompt));
}

/*
 * The focused field's text changed. Its message, once the text parses, goes at once
 * rather than when the field is left: an error beside a value corrected would be
 * stale. A new error waits for the leaving, and the text is shown as field_format
 * writes it only then, so nothing is rewritten under the clerk's fingers.
 */
static void
edited(struct ui_form *f, struct ui_form_field *fld)
{
	struct field_value v;
	char *text, *message = NULL;

	fld->touched = true;
	fld->parsed = false;
	if (fld->message == NULL)
		return;
	text = ui_prompt_text(&fld->prompt);
	if (field_parse_at(fld->def, text, f->has_now ? &f->now : NULL, &v, &message) == 0) {
		field_value_clear(&v);
		set_message(fld, NULL);
	}
	free(message);
	free(text);
}

static void
refuse(struct ui_form *f, char *why)
{
	free(f->refusal);
	f->refusal = why;
}

bool
ui_form_key(struct ui_form *f, int key)
{
	struct ui_form_field *fld;
	bool full;

	if (f->n == 0)
		return false;
	fld = &f->fields[f->focus];
	full = fld->prompt.len >= fld->prompt.max;
	if (!ui_prompt_key(&fld->prompt, key))
		return false;
	/* The prompt beeps; the clerk, who may be pasting, is told why as well. */
	if (full) {
		refuse(f, xasprintf("%s holds at most %zu characters; what was typed past them is "
				    "not kept",
			      label_of(fld->def), fld->prompt.max));
		return true;
	}
	refuse(f, NULL);
	edited(f, fld);
	return true;
}

const char *
ui_form_refusal(const struct ui_form *f)
{
	return f->refusal;
}

/* An editing action on the focused prompt; marks the field edited when the text changed. */
static bool
edit(struct ui_form *f, struct ui_form_field *fld, enum action a)
{
	size_t len = fld->prompt.len;
	wchar_t before[UI_PROMPT_MAX + 1];
	bool handled;

	memcpy(before, fld->prompt.buf, sizeof before);
	handled = ui_prompt_action(&fld->prompt, a);
	if (handled &&
	    (fld->prompt.len != len || wmemcmp(before, fld->prompt.buf, fld->prompt.len) != 0))
		edited(f, fld);
	return handled;
}

bool
ui_form_action(struct ui_form *f, enum action a)
{
	struct ui_form_field *fld;

	if (f->n == 0)
		return false;
	refuse(f, NULL);
	fld = &f->fields[f->focus];
	switch (a) {
	case A_NEXT_FIELD:
	case A_DOWN:
		leave(f, f->focus);
		if (f->focus + 1 < f->n)
			f->focus++;
		return true;
	case A_PREV_FIELD:
	case A_UP:
		leave(f, f->focus);
		if (f->focus > 0)
			f->focus--;
		return true;
	case A_MOVE_RIGHT:
		/* As in fish: right at the end of the text takes the completion. */
		if (fld->def->type == FIELD_CODE && fld->prompt.pos == fld->prompt.len &&
		    ui_form_complete(f))
			return true;
		return edit(f, fld, a);
	default:
		return edit(f, fld, a);
	}
}

bool
ui_form_valid(struct ui_form *f)
{
	bool all = true;

	for (size_t i = 0; i < f->n; i++) {
		if (!check(f, i, true) && all) {
			all = false;
			f->focus = i;
		}
	}
	return all;
}

const struct field_value *
ui_form_value(struct ui_form *f, size_t i)
{
	if (i >= f->n)
		return NULL;
	if (!f->fields[i].parsed)
		check(f, i, false);
	return f->fields[i].parsed ? &f->fields[i].value : NULL;
}

char *
ui_form_text(const struct ui_form *f, size_t i)
{
	return i < f->n ? ui_prompt_text(&f->fields[i].prompt) : xstrdup("");
}

const char *
ui_form_message(const struct ui_form *f, size_t i)
{
	return i < f->n ? f->fields[i].message : NULL;
}

int
ui_form_set_text(struct ui_form *f, size_t i, const char *text, char **cause)
{
	struct ui_form_field *fld;
	char *safe, *why = NULL;
	size_t n;

	if (i >= f->n) {
		*cause = xasprintf("The form has no field %zu", i);
		return -1;
	}
	fld = &f->fields[i];
	if (text == NULL)
		text = "";
	/*
	 * ui_prompt_set keeps what iswprint calls printable, bidi overrides among
	 * it, and drops the rest unseen: server text goes through the sanitiser
	 * first, and a change is said out loud, since saving would write it back.
	 */
	safe = safe_text(text, strlen(text), 0, true);
	n = chars(safe);
	if (strcmp(safe, text) != 0)
		why = xasprintf("%s held characters that cannot be shown; they are marked, check "
		                "it before saving",
		    label_of(fld->def));
	else if (n == (size_t)-1 || n > fld->prompt.max)
		why = xasprintf("%s is longer than the %zu characters this field holds; only the "
		                "start is shown",
		    label_of(fld->def), fld->prompt.max);
	ui_prompt_set(&fld->prompt, safe);
	free(safe);
	fld->touched = false;
	check(f, i, true);
	if (why == NULL)
		return 0;
	set_message(fld, xstrdup(why));
	*cause = why;
	return -1;
}

int
ui_form_set_value(struct ui_form *f, size_t i, const struct field_value *v, char **cause)
{
	char *text;
	int rc;

	if (i < f->n && v != NULL && v->type != f->fields[i].def->type) {
		*cause =
		    xasprintf("%s was given a value of another type", label_of(f->fields[i].def));
		return -1;
	}
	text = v != NULL ? field_format(v) : xstrdup("");
	rc = ui_form_set_text(f, i, text, cause);
	free(text);
	return rc;
}

bool
ui_form_dirty(const struct ui_form *f)
{
	for (size_t i = 0; i < f->n; i++) {
		char *text = ui_prompt_text(&f->fields[i].prompt);
		bool same = strcmp(text, f->fields[i].clean) == 0;

		free(text);
		if (!same)
			return true;
	}
	return false;
}

void
ui_form_mark_clean(struct ui_form *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->fields[i].clean);
		f->fields[i].clean = ui_prompt_text(&f->fields[i].prompt);
		f->fields[i].touched = false;
	}
}

void
ui_form_set_not_saved(struct ui_form *f, const char *reason)
{
	free(f->not_saved);
	f->not_saved = reason != NULL ? xasprintf("Not saved: %s", reason) : NULL;
}

void
ui_form_set_failed(struct ui_form *f, const char *sentence)
{
	free(f->not_saved);
	f->not_saved = sentence != NULL ? xstrdup(sentence) : NULL;
}

size_t
ui_form_focus(const struct ui_form *f)
{
	return f->focus;
}

void
ui_form_set_focus(struct ui_form *f, size_t i)
{
	if (i < f->n)
		f->focus = i;
}

size_t
ui_form_candidates(const struct ui_form *f, const struct field_code **out, size_t max)
{
	const struct ui_form_field *fld;
	char *text;
	size_t n;

	if (f->n == 0)
		return 0;
	fld = &f->fields[f->focus];
	if (fld->def->type != FIELD_CODE)
		return 0;
	text = ui_prompt_text(&fld->prompt);
	n = field_complete(fld->def, text, out, max);
	free(text);
	return n;
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

bool
ui_form_complete(struct ui_form *f)
{
	struct ui_form_field *fld;
	const struct field_code **c;
	size_t n, common = SIZE_MAX;
	const char *first = NULL;
	char *text, *fill = NULL;
	bool changed = false;

	n = ui_form_candidates(f, NULL, 0);
	if (n == 0)
		return false;
	fld = &f->fields[f->focus];
	c = xreallocarray(NULL, n, sizeof *c);
	ui_form_candidates(f, c, n);
	text = ui_prompt_text(&fld->prompt);
	if (n == 1) {
		fill = xstrdup(c[0]->display != NULL ? c[0]->display : c[0]->code);
	} else {
		/* The longest start every display shares, ignoring case as field_complete does. */
		for (size_t i = 0; i < n; i++) {
			const char *d = c[i]->display != NULL ? c[i]->display : "";
			size_t k = 0;

			if (first == NULL) {
				first = d;
				common = strlen(d);
				continue;
			}
			while (k < common && d[k] != '\0' && lower(d[k]) == lower(first[k]))
				k++;
			common = k;
		}
		/* Not in the middle of a UTF-8 character. */
		while (common > 0 && ((unsigned char)first[common] & 0xC0) == 0x80)
			common--;
		if (common > strlen(text))
			fill = xstrndup(first, common);
	}
	if (fill != NULL && strcmp(fill, text) != 0 && chars(fill) <= fld->prompt.max) {
		ui_prompt_set(&fld->prompt, fill);
		edited(f, fld);
		changed = true;
	}
	free(fill);
	free(text);
	free(c);
	return changed;
}

/* --- drawing ---------------------------------------------------------------------------- */

/* Columns an input of this type needs; text takes what the row has. */
static int
input_width(const struct field_def *def, int room)
{
	int w;

	switch (def->type) {
	case FIELD_DATE:
		w = 12;
		break;
	case FIELD_DATETIME:
		w = 18;
		break;
	case FIELD_PHONE:
		w = 20;
		break;
	case FIELD_EMAIL:
		w = 40;
		break;
	case FIELD_CODE:
		w = 24;
		break;
	case FIELD_YESNO:
		w = 5;
		break;
	case FIELD_MONEY:
		w = 16;
		break;
	case FIELD_INTEGER:
		w = 12;
		break;
	case FIELD_TEXT:
	default:
		w = def->max_chars > 0 && def->max_chars + 1 < (size_t)room
		        ? (int)def->max_chars + 1
		        : room;
		break;
	}
	return w < room ? w : room;
}

static char *
label_text(const struct field_def *def)
{
	return xasprintf("%s%s:", label_of(def), def->required ? "*" : "");
}

/* The layout: field I starts at row Y[I] of the form and takes H[I] rows. */
struct layout {
	int label_w;
	int *input_w, *y, *h;
	bool *under; /* the message goes under the field */
	int height;
};

static void
lay_out(const struct ui_form *f, int cols, struct layout *lo)
{
	int widest = 0, y = 0;

	for (size_t i = 0; i < f->n; i++) {
		char *label = label_text(f->fields[i].def), *safe = safe_str(label, ui_utf8());
		int w = (int)safe_width(safe);

		if (w > widest)
			widest = w;
		free(safe);
		free(label);
	}
	lo->label_w = widest + 1;
	if (lo->label_w > FORM_LABEL_MAX)
		lo->label_w = FORM_LABEL_MAX;
	if (lo->label_w > cols / 3)
		lo->label_w = cols / 3;
	lo->input_w = xreallocarray(NULL, f->n ? f->n : 1, sizeof *lo->input_w);
	lo->y = xreallocarray(NULL, f->n ? f->n : 1, sizeof *lo->y);
	lo->h = xreallocarray(NULL, f->n ? f->n : 1, sizeof *lo->h);
	lo->under = xreallocarray(NULL, f->n ? f->n : 1, sizeof *lo->under);
	for (size_t i = 0; i < f->n; i++) {
		const struct ui_form_field *fld = &f->fields[i];
		int room = cols - lo->label_w;

		lo->input_w[i] = input_width(fld->def, room > 1 ? room : 1);
		lo->under[i] = cols - (lo->label_w + lo->input_w[i] + 2) < FORM_MESSAGE_BESIDE;
		lo->y[i] = y;
		lo->h[i] = 1 + (fld->message != NULL && lo->under[i]);
		/* The focused code field shows its choices on the row below. */
		if (i == f->focus && fld->def->type == FIELD_CODE)
			lo->h[i]++;
		y += lo->h[i];
	}
	lo->height = y;
}

static void
layout_free(struct layout *lo)
{
	free(lo->input_w);
	free(lo->y);
	free(lo->h);
	free(lo->under);
}

/*
 * Mark where input P, drawn at (Y, X) in WIDTH columns by ui_prompt_draw (scrolled to
 * its cursor when FOCUSED, else from its start), hides text: a long reason scrolled
 * to its end looks like its start unless the clerk can see that some is out of view.
 */
static void
mark_hidden(WINDOW *win, const struct ui_prompt *p, bool focused, int y, int x, int width)
{
	const char *left = ui_utf8() ? "\xe2\x80\xa6" : "<", *right = ui_utf8() ? "\xe2\x80\xa6" : ">";
	size_t start = 0, cols = 0;

	if (width <= 2)
		return;
	/* Where ui_prompt_draw starts: the same count, one column kept for the cursor. */
	for (size_t i = p->pos; focused && i > 0; i--) {
		int w = wcwidth(p->buf[i - 1]);

		cols += w > 0 ? (size_t)w : 0;
		if (cols >= (size_t)width - 1) {
			start = i;
			break;
		}
	}
	cols = 0;
	for (size_t i = start; i < p->len; i++) {
		int w = wcwidth(p->buf[i]);

		cols += w < 0 ? 1 : (size_t)w;
	}
	if (start > 0)
		ui_put(win, y, x, 1, left, UI_FIELD, false);
	if (cols > (size_t)width)
		ui_put(win, y, x + width - 1, 1, right, UI_FIELD, false);
}

/* "Male (M), Female (F), ... or 3 more", or why there is nothing to choose. */
static char *
candidates_text(const struct ui_form *f)
{
	const struct field_code *c[FORM_CANDIDATES_SHOWN];
	size_t n = ui_form_candidates(f, c, FORM_CANDIDATES_SHOWN), shown;
	char *s = xstrdup("Choices: "), *next;

	if (n == 0) {
		free(s);
		return xstrdup("No choice starts like that");
	}
	shown = n < FORM_CANDIDATES_SHOWN ? n : FORM_CANDIDATES_SHOWN;
	for (size_t i = 0; i < shown; i++) {
		next = xasprintf("%s%s%s (%s)", s, i > 0 ? ", " : "",
		    c[i]->display != NULL ? c[i]->display : "",
		    c[i]->code != NULL ? c[i]->code : "");
		free(s);
		s = next;
	}
	if (n > shown) {
		next = xasprintf("%s, and %zu more", s, n - shown);
		free(s);
		s = next;
	}
	return s;
}

void
ui_form_draw(struct ui_form *f, WINDOW *win, int top, int rows, int cols)
{
	struct layout lo;
	int area, first = top;
	const struct ui_form_field *focus;

	f->cursor_y = f->cursor_x = -1;
	for (int r = 0; r < rows; r++)
		ui_blank(win, top + r, 0, cols);
	if (rows <= 0 || cols <= 0)
		return;
	if (f->not_saved != NULL) {
		ui_put(win, top, 0, cols, f->not_saved, UI_ERROR, true);
		first++;
	}
	area = rows - (first - top);
	f->rows = area > 0 ? area : 1;
	if (area <= 0 || f->n == 0)
		return;
	lay_out(f, cols, &lo);
	/* Scroll just enough to show the whole focused field, its message and choices. */
	if (f->top > lo.height - area)
		f->top = lo.height - area;
	if (f->top < 0)
		f->top = 0;
	if (lo.y[f->focus] < f->top)
		f->top = lo.y[f->focus];
	if (lo.y[f->focus] + lo.h[f->focus] > f->top + area)
		f->top = lo.y[f->focus] + lo.h[f->focus] - area;
	focus = &f->fields[f->focus];
	for (size_t i = 0; i < f->n; i++) {
		const struct ui_form_field *fld = &f->fields[i];
		int y = lo.y[i] - f->top, x = lo.label_w, cx = -1;
		char *label;

		if (y + lo.h[i] <= 0 || y >= area)
			continue;
		if (y >= 0) {
			label = label_text(fld->def);
			ui_put(win, first + y, 0, lo.label_w - 1, label,
			    fld->message != NULL ? UI_ERROR : UI_NORMAL, false);
			free(label);
			if (fld == focus) {
				ui_prompt_draw(&fld->prompt, win, first + y, x, lo.input_w[i], &cx);
				mark_hidden(win, &fld->prompt, true, first + y, x, lo.input_w[i]);
				f->cursor_y = first + y;
				f->cursor_x = cx;
			} else {
				/* Others show their start, wherever their cursor was left. */
				struct ui_prompt shown = fld->prompt;

				shown.pos = 0;
				ui_prompt_draw(&shown, win, first + y, x, lo.input_w[i], &cx);
				mark_hidden(win, &shown, false, first + y, x, lo.input_w[i]);
			}
			if (fld->message != NULL && !lo.under[i])
				ui_put(win, first + y, x + lo.input_w[i] + 2,
				    cols - (x + lo.input_w[i] + 2), fld->message, UI_ERROR, false);
		}
		y++;
		if (fld->message != NULL && lo.under[i]) {
			if (y >= 0 && y < area)
				ui_put(win, first + y, x, cols - x, fld->message, UI_ERROR, false);
			y++;
		}
		if (fld == focus && fld->def->type == FIELD_CODE && y >= 0 && y < area) {
			char *choices = candidates_text(f);

			ui_put(win, first + y, x, cols - x, choices, UI_DIM, false);
			free(choices);
		}
	}
	layout_free(&lo);
}

bool
ui_form_cursor(const struct ui_form *f, int *y, int *x)
{
	if (f->cursor_y < 0 || f->cursor_x < 0)
		return false;
	*y = f->cursor_y;
	*x = f->cursor_x;
	return true;
}
