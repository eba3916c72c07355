/* Help screen: the keys that work on the screen below it, generated from the live keymap. */
#include "config.h"

#include "screens/screens.h"
#include "app/app.h"
#include "ui/pager.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct help {
	struct ui_pager pager;
	const char *last_context;
	bool typing; /* the screen below types into a field: a printable key is text there */
	bool left_out; /* a key was left out for that */
};

/* KEYS ("?, F1") without those that are text in a field, into BUF: "F1", or "" for none. */
static void
keys_not_typed(const char *keys, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (const char *k = keys; *k != '\0';) {
		size_t len = strcspn(k, ",");
		/* Not Space: a prompt binds it (recall) where the field takes no space. */
		bool text = len == 1 && k[0] > ' ' && k[0] < 0x7f;

		if (!text) {
			int w = snprintf(buf + used, size - used, "%s%.*s", used > 0 ? ", " : "",
			    (int)len, k);

			if (w > 0 && (size_t)w < size - used)
				used += (size_t)w;
		}
		k += len;
		k += strspn(k, ", ");
	}
}

/* Help lines fit 80 columns: a description goes on under itself rather than off the edge. */
#define HELP_WIDTH 79
#define HELP_INDENT 36

/* "  KEYS  NAME  HELP", HELP wrapped at spaces onto lines indented under it. */
static void
add_wrapped(struct help *h, const char *keys, const char *name, const char *help)
{
	const char *p = help;
	bool first = true;
	size_t kw = strlen(keys) > 16 ? strlen(keys) : 16, nw = strlen(name) > 16 ? strlen(name) : 16;
	size_t lead = 2 + kw + 1 + nw + 1; /* where the first line's description starts */

	while (first || *p != '\0') {
		size_t at = first ? lead : HELP_INDENT, len = strlen(p);
		size_t room = at + 20 < HELP_WIDTH ? HELP_WIDTH - at : 20;

		if (len > room) {
			len = room;
			while (len > 0 && p[len] != ' ')
				len--;
			if (len == 0)
				len = room; /* one long word: cut it */
		}
		if (first)
			ui_pager_addf(&h->pager, "  %-16s %-16s %.*s", keys, name, (int)len, p);
		else
			ui_pager_addf(&h->pager, "%*s%.*s", HELP_INDENT, "", (int)len, p);
		first = false;
		p += len;
		while (*p == ' ')
			p++;
	}
}

static void
add_binding(void *arg, const char *context, const char *keys, enum action a)
{
	struct help *h = arg;
	char shown[128];

	if (h->typing) {
		keys_not_typed(keys, shown, sizeof shown);
		if (shown[0] == '\0') {
			h->left_out = true;
			return;
		}
		keys = shown;
	}
	if (h->last_context == NULL || strcmp(h->last_context, context) != 0) {
		if (h->last_context != NULL)
			ui_pager_add(&h->pager, "");
		ui_pager_addf(&h->pager, "%s keys:", strcmp(context, "global") == 0 ? "Everywhere" : context);
		h->last_context = context;
	}
	add_wrapped(h, keys, action_name(a), action_help(a));
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
		if (app_below_focus(app) != NULL) {
			const char *focus = app_below_focus(app);

			contexts[n++] = focus;
			h->typing = strcmp(focus, "form") == 0 || strcmp(focus, "prompt") == 0 ||
			    strcmp(focus, "editor") == 0;
		}
	}
	contexts[n++] = "global";
	keymap_each_binding(app_keymap(app), contexts, n, add_binding, h);
	ui_pager_add(&h->pager, "");
	if (h->left_out)
		ui_pager_add(&h->pager, "In a field a printable key is text: letters, q, : and ? work "
		    "on the screens around it.");
	ui_pager_add(&h->pager, h->typing
	    ? "Outside a field, press : and a name to go to any screen or run any action."
	    : "Press : and a name to go to any screen or run any action; Tab completes.");
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
