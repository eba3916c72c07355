/* Help screen: the keys that work on the screen below it, generated from the live keymap. */
#include "config.h"

#include "screens/screens.h"
#include "app/app.h"
#include "ui/pager.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <stdlib.h>
#include <string.h>

struct help {
	struct ui_pager pager;
	const char *last_context;
};

static void
add_binding(void *arg, const char *context, const char *keys, enum action a)
{
	struct help *h = arg;

	if (h->last_context == NULL || strcmp(h->last_context, context) != 0) {
		if (h->last_context != NULL)
			ui_pager_add(&h->pager, "");
		ui_pager_addf(&h->pager, "%s keys:", strcmp(context, "global") == 0 ? "Everywhere" : context);
		h->last_context = context;
	}
	ui_pager_addf(&h->pager, "  %-16s %-16s %s", keys, action_name(a), action_help(a));
}

static void *
help_enter(struct app *app, void *arg)
{
	struct help *h = xcalloc(1, sizeof *h);
	const struct screen_ops *below = app_below(app);
	const char *contexts[3];
	size_t n = 0;

	(void)arg;
	ui_pager_init(&h->pager);
	if (below != NULL) {
		ui_pager_addf(&h->pager, "Keys on the %s screen (from your keymap):", below->title);
		ui_pager_add(&h->pager, "");
		if (below->context != NULL)
			contexts[n++] = below->context;
		if (app_below_focus(app) != NULL)
			contexts[n++] = app_below_focus(app);
	}
	contexts[n++] = "global";
	keymap_each_binding(app_keymap(app), contexts, n, add_binding, h);
	ui_pager_add(&h->pager, "");
	ui_pager_add(&h->pager, "Press : and a name to go to any screen or run any action; Tab completes.");
	ui_pager_add(&h->pager, "Keys can be changed: see ehrterm-keys(5).");
	return h;
}

static void
help_leave(struct app *app, void *state)
{
	struct help *h = state;

	(void)app;
	ui_pager_free(&h->pager);
	free(h);
}

static void
help_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct help *h = state;

	(void)app;
	ui_pager_draw(&h->pager, win, top, rows, COLS);
}

static int
help_action(struct app *app, void *state, enum action a)
{
	struct help *h = state;

	(void)app;
	/* Like less: q (and the help key again) closes help rather than ehrterm. */
	if (a == A_HELP || a == A_SELECT || a == A_QUIT)
		return APP_LEAVE;
	return ui_pager_action(&h->pager, a) ? APP_REDRAW : APP_IGNORED;
}

static const char *
help_focus(struct app *app, void *state)
{
	(void)app;
	(void)state;
	return "pager";
}

const struct screen_ops help_screen = {
	.name = "help",
	.title = "help",
	.context = "help",
	.enter = help_enter,
	.leave = help_leave,
	.draw = help_draw,
	.action = help_action,
	.focus = help_focus,
};
