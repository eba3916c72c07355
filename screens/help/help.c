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

/* Like less: q, Enter and the help key again close help rather than ehrterm. */
static int
close_help(struct app *app, void *state)
{
	(void)app;
	(void)state;
	return APP_LEAVE;
}

/* Paging is the pager's; listed here for the hint line's "more". */
static int
page(struct app *app, void *state)
{
	(void)app;
	(void)state;
	return APP_IGNORED;
}

static const struct screen_action help_actions[] = {
	{ A_PAGE_DOWN, page, 0, "more" },
	{ A_PAGE_UP, page, 0, NULL },
	{ A_HELP, close_help, 0, "close" },
	{ A_SELECT, close_help, 0, NULL },
	{ A_QUIT, close_help, 0, "close" },
	{ A_NONE, NULL, 0, NULL },
};

static struct app_focus
help_widget(struct app *app, void *state)
{
	struct help *h = state;

	(void)app;
	return (struct app_focus){ APP_WIDGET_PAGER, &h->pager };
}

const struct screen_ops help_screen = {
	.name = "help",
	.title = "help",
	.context = "help",
	.enter = help_enter,
	.leave = help_leave,
	.draw = help_draw,
	.actions = help_actions,
	.widget = help_widget,
};
