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

/* The action that jumps to each module: its key, from the live keymap, is shown beside it. */
static const struct {
	const char *module;
	enum action jump;
} module_jumps[] = {
	{ "patients", A_PATIENTS },
	{ "scheduling", A_SCHEDULE },
	{ "charting", A_CHART },
	{ "billing", A_BILLING },
};

static enum action
jump_of(const char *module)
{
	for (size_t i = 0; i < sizeof module_jumps / sizeof module_jumps[0]; i++)
		if (strcmp(module_jumps[i].module, module) == 0)
			return module_jumps[i].jump;
	return A_NONE;
}

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
	char open[32], help[32];

	(void)rows;
	app_key_for(app, A_SELECT, open, sizeof open);
	app_key_for(app, A_HELP, help, sizeof help);
	ui_putf(win, y++, 2, COLS - 4, UI_NORMAL, false,
	    "What would you like to do? (%s opens, %s for help)", open, help);
	y++;
	/* The key column as wide as its widest key: "F2", or "^K 5" on a VT100. */
	int width = 3;
	for (size_t i = 0; i < fhir_modules_count; i++) {
		char key[32] = "";

		if (jump_of(fhir_modules[i].name) != A_NONE &&
		    app_key_for(app, jump_of(fhir_modules[i].name), key, sizeof key) && (int)strlen(key) > width)
			width = (int)strlen(key);
	}
	for (size_t i = 0; i < fhir_modules_count; i++) {
		char *missing = caps != NULL ? fhir_module_missing(caps, &fhir_modules[i]) : NULL;
		bool here = i == h->cursor;
		char key[32] = "";

		if (jump_of(fhir_modules[i].name) != A_NONE)
			app_key_for(app, jump_of(fhir_modules[i].name), key, sizeof key);
		ui_putf(win, y, 2, 40 + width, here ? UI_SELECTED : missing ? UI_DIM : UI_NORMAL, true,
		    "%-*s %s", width, key, fhir_modules[i].title);
		if (missing != NULL)
			ui_putf(win, y + 1, 3 + width, COLS - 8, UI_DIM, false, "unavailable: %s", missing);
		y += missing != NULL ? 2 : 1;
		free(missing);
	}
	if (caps != NULL)
		ui_putf(win, y + 1, 2, COLS - 4, UI_DIM, false, "Server: %s %s, FHIR %s",
		    fhir_caps_software(caps), fhir_caps_software_version(caps),
		    fhir_caps_fhir_version(caps));
}

static int
cursor_up(struct app *app, void *state)
{
	struct home *h = state;

	(void)app;
	if (h->cursor > 0)
		h->cursor--;
	return APP_REDRAW;
}

static int
cursor_down(struct app *app, void *state)
{
	struct home *h = state;

	(void)app;
	if (h->cursor + 1 < fhir_modules_count)
		h->cursor++;
	return APP_REDRAW;
}

static int
cursor_first(struct app *app, void *state)
{
	struct home *h = state;

	(void)app;
	h->cursor = 0;
	return APP_REDRAW;
}

static int
cursor_last(struct app *app, void *state)
{
	struct home *h = state;

	(void)app;
	h->cursor = fhir_modules_count - 1;
	return APP_REDRAW;
}

/* Enter does what the module's jump key does. */
static int
open_module(struct app *app, void *state)
{
	struct home *h = state;
	enum action jump = jump_of(fhir_modules[h->cursor].name);

	if (jump == A_NONE)
		app_error(app, "%s is not part of this build of ehrterm yet", fhir_modules[h->cursor].title);
	else
		app_do(app, jump);
	return APP_HANDLED;
}

static const struct screen_action home_actions[] = {
	{ A_UP, cursor_up, 0, NULL },
	{ A_DOWN, cursor_down, 0, NULL },
	{ A_FIRST, cursor_first, 0, NULL },
	{ A_LAST, cursor_last, 0, NULL },
	{ A_SELECT, open_module, 0, "open" },
	{ A_NONE, NULL, 0, NULL },
};

/* The module list is drawn here, not by a list widget; its keys are the list's. */
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
	.actions = home_actions,
	.focus = home_focus,
};
