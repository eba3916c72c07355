/* A one-line chooser on the status line: type to filter, arrows to move, Enter to choose. */
#include "config.h"

#include "app/app-private.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * A box of choices over a screen repaints what it covers twice, which at 9600 baud is
 * seconds; one line costs one line. The choices stay the screen's order; the filter is a
 * case-insensitive substring, so "ra" finds "Raman, Priya" and "Lindqvist, Samuel (Rad)".
 */

struct app_chooser {
	void *state;
	uint64_t instance;
	char *prompt;
	char **choices;
	size_t n;
	size_t *shown; /* indexes of the choices the filter keeps */
	size_t nshown, at;
	size_t top; /* the first choice drawn: kept while the chosen one shows, so a move repaints little */
	struct ui_prompt filter;
	app_chosen_fn done;
};

static void
chooser_filter(struct app_chooser *c, size_t keep)
{
	char *text = ui_prompt_text(&c->filter);
	size_t len = strlen(text);

	c->nshown = 0;
	c->at = 0;
	c->top = 0;
	for (size_t i = 0; i < c->n; i++) {
		bool match = len == 0;

		for (const char *p = c->choices[i]; !match && *p != '\0'; p++)
			match = strncasecmp(p, text, len) == 0;
		if (!match)
			continue;
		if (i == keep)
			c->at = c->nshown;
		c->shown[c->nshown++] = i;
	}
	free(text);
}

/* Whether C's chosen one shows whole when the choices are drawn from TOP, from column X on. */
static bool
chosen_shows(const struct app_chooser *c, size_t top, int x)
{
	int used = x;

	for (size_t i = top; i < c->nshown && i <= c->at; i++) {
		used += 1 + ui_width(c->choices[c->shown[i]]);
		if (used > COLS - 12)
			return false;
	}
	return top <= c->at;
}

static void
chooser_free(struct app_chooser **cp)
{
	struct app_chooser *c = *cp;

	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->choices[i]);
	free(c->choices);
	free(c->shown);
	free(c->prompt);
	ui_prompt_clear(&c->filter);
	free(c);
	*cp = NULL;
}

void
app_choose(struct app *app, void *state, const char *prompt, const char *const *choices, size_t n,
    size_t selected, app_chosen_fn done)
{
	struct app_chooser *c = xcalloc(1, sizeof *c);

	chooser_free(&app->chooser);
	c->state = state;
	c->instance = app_instance_of(app, state);
	c->prompt = xstrdup(prompt);
	c->choices = xcalloc(n + 1, sizeof *c->choices);
	c->shown = xcalloc(n + 1, sizeof *c->shown);
	for (size_t i = 0; i < n; i++)
		c->choices[i] = xstrdup(choices[i] != NULL ? choices[i] : "");
	c->n = n;
	c->done = done;
	ui_prompt_init(&c->filter, 40, false);
	chooser_filter(c, selected);
	app->chooser = c;
	free(app->status);
	app->status = NULL;
	app->dirty = true;
}

/* End the chooser with CHOSEN (-1: none), telling its screen if it is still there. */
static void
chooser_end(struct app *app, long chosen)
{
	struct app_chooser *c = app->chooser;

	app->chooser = NULL;
	app->dirty = true;
	if (app_instance_of(app, c->state) == c->instance && c->instance != 0)
		c->done(app, c->state, chosen);
	chooser_free(&c);
}

void
app_chooser_cancel(struct app *app)
{
	if (app->chooser != NULL)
		chooser_end(app, -1);
}

void
app_chooser_key(struct app *app, int key)
{
	static const char *const contexts[] = { "list", "prompt", "global" };
	struct app_chooser *c = app->chooser;
	size_t keep = c->nshown > 0 ? c->shown[c->at] : (size_t)-1;
	enum action a;

	if (key_is_text(key)) {
		if (ui_prompt_key(&c->filter, key))
			chooser_filter(c, keep);
		app->dirty = true;
		return;
	}
	a = keymap_lookup_chain(app->keymap, contexts, 3, key);
	if (key == '\t')
		a = A_DOWN;
	else if (key == KEY_FN(KEY_BTAB))
		a = A_UP;
	switch (a) {
	case A_SELECT:
		if (c->nshown == 0) {
			app_error(app, "%s nothing matches; Backspace, or Esc", c->prompt);
			return;
		}
		chooser_end(app, (long)c->shown[c->at]);
		return;
	case A_BACK:
		chooser_end(app, -1);
		return;
	case A_DOWN:
	case A_MOVE_RIGHT:
		if (c->at + 1 < c->nshown)
			c->at++;
		break;
	case A_UP:
	case A_MOVE_LEFT:
		if (c->at > 0)
			c->at--;
		break;
	case A_FIRST:
		c->at = 0;
		break;
	case A_LAST:
		c->at = c->nshown > 0 ? c->nshown - 1 : 0;
		break;
	default:
		if (ui_prompt_action(&c->filter, a))
			chooser_filter(c, keep);
		break;
	}
	app->dirty = true;
}

void
app_chooser_draw(struct app *app, int y, int *cursor_x)
{
	struct app_chooser *c = app->chooser;
	char *text = ui_prompt_text(&c->filter);
	/*
	 * The filter takes 13 columns and the count 12; a choice needs at least 24 more. A
	 * question too long for that ("Why stop NAME?") goes on the row above, whole, so
	 * neither it nor the choice is cut away.
	 */
	int x;
	size_t first;
	int used;

	if ((int)strlen(c->prompt) > COLS - 13 - 12 - 24 && y > 0) {
		ui_put(stdscr, y - 1, 0, COLS, c->prompt, UI_STATUS, true);
		x = 0;
	} else {
		x = ui_put(stdscr, y, 0, COLS, c->prompt, UI_STATUS, false);
	}

	x += ui_put(stdscr, y, x, COLS - x, " ", UI_STATUS, false);
	ui_prompt_draw(&c->filter, stdscr, y, x, 12, cursor_x);
	x += 13;
	if (c->nshown == 0) {
		ui_putf(stdscr, y, x, COLS - x, UI_STATUS, true, " no match for \"%s\"", text);
		free(text);
		return;
	}
	free(text);
	/*
	 * As many as fit, from the same first one while the chosen one shows (a move then
	 * repaints two choices' colours, not the line), else from the chosen one; the count
	 * says how many there are.
	 */
	if (!chosen_shows(c, c->top, x))
		c->top = c->at;
	for (used = x, first = c->top; first < c->nshown && used < COLS - 12; first++) {
		enum ui_look look = first == c->at ? UI_SELECTED : UI_STATUS;
		const char *choice = c->choices[c->shown[first]];

		/* Whole choices only, but the chosen one: a cut one costs bytes and tells little. */
		if (first != c->at && used + 1 + ui_width(choice) > COLS - 12)
			break;
		used += ui_put(stdscr, y, used, COLS - 12 - used, " ", UI_STATUS, false);
		used += ui_put(stdscr, y, used, COLS - 12 - used, choice, look, false);
	}
	/* The rest in the status line's own look: no change of colour to send before the count. */
	ui_put(stdscr, y, used, COLS - 11 - used, "", UI_STATUS, true);
	ui_putf(stdscr, y, COLS - 11, 11, UI_STATUS, true, "%3zu of %-3zu", c->at + 1, c->nshown);
}
