/* The ":" command line: any screen that opens without an argument, or any action, by name. */
#include "config.h"

#include "app/app-private.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Names the command line knows: every screen, then every action. */
static void
command_candidates(struct app *app, const char *prefix, char ***out, size_t *n)
{
	size_t len = strlen(prefix);

	*out = NULL;
	*n = 0;
	for (const struct screen_ops *const *s = app->config->screens; *s != NULL; s++) {
		/* Only what opens by name: the others are reached from their module's screens. */
		if ((*s)->needs_arg == NULL && strncmp((*s)->name, prefix, len) == 0) {
			*out = xreallocarray(*out, *n + 1, sizeof **out);
			(*out)[(*n)++] = (char *)(*s)->name;
		}
	}
	for (int a = 0; a < A_COUNT; a++) {
		const char *name = action_name((enum action)a);

		if (a == A_NONE || strncmp(name, prefix, len) != 0)
			continue;
		/* A screen and an action may share a name ("patients"); list it once. */
		bool dup = false;
		for (size_t i = 0; i < *n; i++)
			dup = dup || strcmp((*out)[i], name) == 0;
		if (!dup) {
			*out = xreallocarray(*out, *n + 1, sizeof **out);
			(*out)[(*n)++] = (char *)name;
		}
	}
}

static void
command_complete(struct app *app)
{
	char *text = ui_prompt_text(&app->command), **c;
	size_t n, common;

	command_candidates(app, text, &c, &n);
	if (n == 0) {
		app_error(app, "No screen or action starts with '%s'", text);
	} else {
		common = strlen(c[0]);
		for (size_t i = 1; i < n; i++) {
			size_t k = 0;

			while (k < common && c[i][k] == c[0][k])
				k++;
			common = k;
		}
		if (common > strlen(text)) {
			char *done = xstrndup(c[0], common);

			ui_prompt_set(&app->command, done);
			free(done);
		}
		if (n > 1) {
			char line[512];
			size_t used = 0;

			/* As many candidates as the status line holds; snprintf never overruns. */
			line[0] = '\0';
			for (size_t i = 0; i < n && used < sizeof line; i++) {
				int w = snprintf(line + used, sizeof line - used, "%s ", c[i]);

				if (w < 0 || (size_t)w >= sizeof line - used)
					break;
				used += (size_t)w;
			}
			app_status(app, "%s", line);
		}
	}
	free(c);
	free(text);
}


/*
 * ACTION, asked for by name, is nothing the top screen does: say which screens do it, so
 * the user knows where to go (a name typed on the wrong screen is the usual case).
 */
static void
say_not_here(struct app *app, enum action action)
{
	const struct frame *f = app_top(app);
	char where[256];
	size_t used = 0, n = 0;

	where[0] = '\0';
	for (const struct screen_ops *const *s = app->config->screens; *s != NULL; s++) {
		for (const struct screen_action *sa = (*s)->actions; sa != NULL && sa->action != A_NONE;
		     sa++) {
			if (sa->action != action)
				continue;
			int w = snprintf(where + used, sizeof where - used, "%s%s", n > 0 ? ", " : "",
			    (*s)->name);

			if (w > 0 && (size_t)w < sizeof where - used) {
				used += (size_t)w;
				n++;
			}
			break;
		}
	}
	if (n == 0)
		app_error(app, "%s does nothing on the %s screen", action_name(action),
		    f != NULL ? f->ops->name : "current");
	else
		app_error(app, "%s does nothing on the %s screen; it works on: %s", action_name(action),
		    f != NULL ? f->ops->name : "current", where);
}

/* The command waits for the connection: kept as the keys that type it again (':', the name, Enter). */
static void
hold_command(struct app *app, const char *text)
{
	int keys[HELD_MAX];
	size_t n = 0;
	char *what = xasprintf(":%s", text);

	keys[n++] = ':';
	for (const char *c = text; *c != '\0' && n < HELD_MAX - 1; c++)
		keys[n++] = (unsigned char)*c;
	keys[n++] = '\r';
	app->wants_link = false;
	app_hold(app, keys, n, what);
	free(what);
}

static void
command_run(struct app *app)
{
	char *text = ui_prompt_text(&app->command), *name = text, *end;
	const struct screen_ops *screen;
	int a;

	app->command_active = false;
	ui_prompt_clear(&app->command);
	/* ": week" is "week": spaces around a name are nobody's part of it. */
	while (*name == ' ')
		name++;
	for (end = name + strlen(name); end > name && end[-1] == ' ';)
		*--end = '\0';
	if (*name == '\0') {
		free(text);
		return;
	}
	app->wants_link = false;
	screen = app_find_screen(app, name);
	a = action_from_name(name);
	/*
	 * A screen that opens only from another ("labs", from a chart) and an action of the
	 * same name (l there): the action, where the top screen does it; else the screen says
	 * what it needs first.
	 */
	if (screen != NULL && (screen->needs_arg == NULL || a <= 0))
		app_open_named(app, name);
	else if (a > 0 && app_do(app, (enum action)a))
		;
	else if (screen != NULL)
		app_open_named(app, name);
	else if (a > 0)
		say_not_here(app, (enum action)a);
	else
		app_error(app, "No screen or action is called '%s' (Tab completes)", name);
	if (app->wants_link)
		hold_command(app, name);
	free(text);
}


void
app_command_start(struct app *app)
{
	app->command_active = true;
	ui_prompt_init(&app->command, 64, false);
	free(app->status);
	app->status = NULL;
	app->dirty = true;
}

void
app_command_key(struct app *app, int key)
{
	enum action a;

	/* What the last Tab listed shows until the next key, as any message does. */
	free(app->status);
	app->status = NULL;
	a = app_prompt_key(app, &app->command, key);
	if (a == A_SELECT)
		command_run(app);
	else if (a == A_BACK)
		app->command_active = false;
	else if (a == A_NEXT_FIELD)
		command_complete(app);
}
