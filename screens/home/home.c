/* Home screen: the modules, each available or greyed with the reason the server gave. */
#include "config.h"

#include "screens/screens.h"
#include "app/app.h"
#include "fhir/capability.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <stdlib.h>
#include <string.h>

struct home {
	size_t cursor;
};

/* The key that jumps to each module, shown beside it. */
static const char *const module_keys[] = { "F2", "F3", "F4", "F5" };

static void *
home_enter(struct app *app, void *arg)
{
	(void)app;
	(void)arg;
	return xcalloc(1, sizeof(struct home));
}

static void
home_leave(struct app *app, void *state)
{
	(void)app;
	free(state);
}

static void
home_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct home *h = state;
	const struct fhir_caps *caps = app_caps(app);
	int y = top + 1;

	(void)rows;
	ui_put(win, y++, 2, COLS - 4, "What would you like to do? (Enter opens, F1 or ? for help)",
	    UI_NORMAL, false);
	y++;
	for (size_t i = 0; i < fhir_modules_count; i++) {
		char *missing = caps != NULL ? fhir_module_missing(caps, &fhir_modules[i]) : NULL;
		bool here = i == h->cursor;

		ui_putf(win, y, 2, 40, here ? UI_SELECTED : missing ? UI_DIM : UI_NORMAL, true, "%-3s %s",
		    i < sizeof module_keys / sizeof module_keys[0] ? module_keys[i] : "",
		    fhir_modules[i].title);
		if (missing != NULL)
			ui_putf(win, y + 1, 6, COLS - 8, UI_DIM, false, "unavailable: %s", missing);
		y += missing != NULL ? 2 : 1;
		free(missing);
	}
	if (caps != NULL)
		ui_putf(win, y + 1, 2, COLS - 4, UI_DIM, false, "Server: %s %s, FHIR %s",
		    fhir_caps_software(caps), fhir_caps_software_version(caps),
		    fhir_caps_fhir_version(caps));
}

static int
home_action(struct app *app, void *state, enum action a)
{
	struct home *h = state;

	switch (a) {
	case A_UP:
		if (h->cursor > 0)
			h->cursor--;
		return APP_REDRAW;
	case A_DOWN:
		if (h->cursor + 1 < fhir_modules_count)
			h->cursor++;
		return APP_REDRAW;
	case A_FIRST:
		h->cursor = 0;
		return APP_REDRAW;
	case A_LAST:
		h->cursor = fhir_modules_count - 1;
		return APP_REDRAW;
	case A_SELECT:
		app_push(app, screens_for_module(fhir_modules[h->cursor].name), NULL);
		return APP_HANDLED;
	default:
		return APP_IGNORED;
	}
}

static const char *
home_focus(struct app *app, void *state)
{
	(void)app;
	(void)state;
	return "list";
}

const struct screen_ops home_screen = {
	.name = "home",
	.title = "home",
	.context = "home",
	.needs = SCREEN_NEEDS_ONLINE,
	.enter = home_enter,
	.leave = home_leave,
	.draw = home_draw,
	.action = home_action,
	.focus = home_focus,
};
