/* The screens: the stack, opening by name or by a module's typed call, and who gets each key. */
#include "config.h"

#include "app/app-private.h"
#include "fhir/capability.h"
#include "ui/cursor.h"
#include "ui/dialog.h"
#include "ui/editor.h"
#include "ui/form.h"
#include "ui/list.h"
#include "ui/pager.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The keymap context of F's focused widget ("list", "form"), or NULL. */
static const char *
focus_of(struct app *app, const struct frame *f)
{
	static const char *const names[] = { NULL, "list", "form", "pager", "prompt", "dialog",
		"editor", "list" };

	enum app_widget kind = f->ops->widget != NULL ? f->ops->widget(app, f->state).kind
	                                              : APP_WIDGET_NONE;

	/* A screen whose widget comes and goes (a question) names its context without one. */
	if (kind != APP_WIDGET_NONE || f->ops->focus == NULL)
		return names[kind];
	return f->ops->focus(app, f->state);
}

/* The keymap contexts of screen F, most specific first: screen, widget, global. */
static size_t
contexts_of(struct app *app, const struct frame *f, const char *contexts[3])
{
	size_t n = 0;

	if (f != NULL) {
		const char *focus = focus_of(app, f);

		if (f->ops->context != NULL)
			contexts[n++] = f->ops->context;
		if (focus != NULL)
			contexts[n++] = focus;
	}
	contexts[n++] = "global";
	return n;
}

uint64_t
app_instance_of(struct app *app, const void *state)
{
	struct frame *f = app_top(app);

	if (state == NULL)
		return 0;
	for (size_t i = 0; i < app->depth; i++)
		if (app->stack[i].state == state)
			return app->stack[i].instance;
	/* Inside enter(), before the loop has the state: the screen being entered is the top. */
	return f != NULL ? f->instance : 0;
}

const struct screen_ops *
app_find_screen(struct app *app, const char *name)
{
	for (const struct screen_ops *const *s = app->config->screens; *s != NULL; s++)
		if (strcmp((*s)->name, name) == 0)
			return *s;
	return NULL;
}

int
app_open_named(struct app *app, const char *name)
{
	const struct screen_ops *ops = app_find_screen(app, name);

	if (ops == NULL) {
		app_error(app, "The %s screen is not part of this build of ehrterm yet", name);
		return -1;
	}
	/* A screen that reads an argument is never entered without one: it says what it needs. */
	if (ops->needs_arg != NULL) {
		app_error(app, "%s: %s", ops->name, ops->needs_arg);
		return -1;
	}
	return app_open(app, ops, NULL);
}

/* Why the server cannot serve OPS's module, or NULL when it can or is not known yet. */
static char *
module_missing(struct app *app, const struct screen_ops *ops)
{
	char *missing;

	if (ops->module == NULL)
		return NULL;
	/* A SMART token that does not cover the module: "not granted: user/Slot.u". */
	if ((missing = app_smart_missing(app, ops->module)) != NULL)
		return missing;
	if (app_caps(app) == NULL)
		return NULL;
	for (size_t i = 0; i < fhir_modules_count; i++)
		if (strcmp(fhir_modules[i].name, ops->module) == 0)
			return fhir_module_missing(app_caps(app), &fhir_modules[i]);
	return NULL;
}

/*
 * The capabilities are in: a screen opened while they were read, whose module the server
 * cannot serve, says so and leaves (between events, as app_leave does).
 */
void
app_modules_check(struct app *app)
{
	struct frame *f = app_top(app);
	char *missing = f != NULL ? module_missing(app, f->ops) : NULL;

	if (missing == NULL) {
		/*
		 * Opened on the guess that the module is served in full, and it is served
		 * read-only (OpenEMR's scheduling, without Schedules): opened again, to read
		 * what it reads read-only. What it read meanwhile and failed was held
		 * (requests_hold_failures), and goes with it.
		 */
		if (f != NULL && f->unsure && f->ops->module != NULL &&
		    fhir_caps_read_only(app_caps(app), f->ops->module) != NULL) {
			app->leave_instance = f->instance;
			app->reopen = f->ops;
		}
		return;
	}
	app_error(app, "%s is unavailable: %s", f->ops->title, missing);
	free(missing);
	app->leave_instance = f->instance;
}

int
app_open(struct app *app, const struct screen_ops *ops, void *arg)
{
	struct frame *f;

	if ((ops->needs & SCREEN_NEEDS_ONLINE) && app->phase != PHASE_READY) {
		app_error(app, "%s needs a connection to the server", ops->title);
		return -1;
	}
	/*
	 * Home is drawn before the connection (it shows the server once it comes). Another
	 * screen opens while the connection is being made: its requests wait for it, and its
	 * first read goes before the capability read (which yields), since it does not need
	 * it; the screen is checked against the capabilities once they come
	 * (app_modules_check). After a failed connection such a screen waits: the key that
	 * asked is held (app_hold), the connection is tried again, and the key is applied
	 * when the capabilities are in.
	 */
	if ((ops->needs & SCREEN_NEEDS_ONLINE) && app->link != LINK_UP &&
	    app->link != LINK_CONNECTING && strcmp(ops->name, app->config->home) != 0) {
		app->wants_link = true;
		app_link_start(app);
		app_error(app, "%s waits for the connection to %s", ops->title, app->profile->base_url);
		return -1;
	}
	if ((ops->needs & SCREEN_NEEDS_PATIENT) && app->patient == NULL) {
		app_error(app, "%s needs a patient: find one first (F2)", ops->title);
		return -1;
	}
	{
		char *missing = module_missing(app, ops);

		if (missing != NULL) {
			app_error(app, "%s is unavailable: %s", ops->title, missing);
			free(missing);
			return -1;
		}
	}
	if (app->depth == STACK_MAX) {
		app_error(app, "Too many screens open; press Esc to go back first");
		return -1;
	}
	f = &app->stack[app->depth++];
	f->ops = ops;
	f->instance = ++app->next_instance;
	f->state = NULL;
	f->unsure = arg == NULL && app_caps(app) == NULL;
	f->state = ops->enter != NULL ? ops->enter(app, arg) : NULL;
	app->dirty = true;
	return 0;
}

void
app_pop(struct app *app)
{
	struct frame *f = app_top(app);

	if (f == NULL)
		return;
	requests_forget_instance(app->requests, f->instance);
	app_timers_forget(app, f->instance);
	if (f->ops->leave != NULL)
		f->ops->leave(app, f->state);
	app->depth--;
	app->dirty = true;
	if ((f = app_top(app)) != NULL && f->ops->resume != NULL)
		f->ops->resume(app, f->state);
}

void
app_leave(struct app *app, void *state)
{
	struct frame *f = app_top(app);

	if (f != NULL && f->state == state)
		app->leave_instance = f->instance;
}

/* A screen that asked to leave from a callback goes now, between events, not mid-callback. */
void
app_close(struct app *app, void *state)
{
	struct frame *f = app_top(app);

	if (f != NULL && f->state == state)
		app_pop(app);
	else
		app_leave(app, state);
}

void
app_apply_leave(struct app *app)
{
	struct frame *f = app_top(app);

	const struct screen_ops *again = app->reopen;

	app->reopen = NULL;
	if (app->leave_instance != 0 && f != NULL && f->instance == app->leave_instance) {
		app_pop(app);
		if (again != NULL)
			app_open(app, again, NULL);
	}
	app->leave_instance = 0;
}

const struct screen_ops *
app_below(struct app *app)
{
	return app->depth >= 2 ? app->stack[app->depth - 2].ops : NULL;
}

const char *
app_below_focus(struct app *app)
{
	const struct frame *f = app->depth >= 2 ? &app->stack[app->depth - 2] : NULL;

	return f != NULL ? focus_of(app, f) : NULL;
}

bool
app_any_unsaved(struct app *app)
{
	for (size_t i = 0; i < app->depth; i++) {
		const struct frame *f = &app->stack[i];

		if (f->ops->unsaved != NULL && f->ops->unsaved(app, f->state))
			return true;
	}
	return false;
}

/* The global actions that open a module's screen. */
static const struct {
	enum action a;
	const char *screen;
} jumps[] = {
	{ A_PATIENTS, "patients" },
	{ A_SCHEDULE, "schedule" },
	{ A_FLOW_BOARD, "flow" },
	{ A_CHART, "chart" },
	{ A_BILLING, "billing" },
};

bool
app_key_jumps(struct app *app, int key)
{
	struct frame *f = app_top(app);
	const char *contexts[3];
	size_t n = contexts_of(app, f, contexts);
	enum action a = keymap_lookup_chain(app->keymap, contexts, n, key);
	bool jump = false;

	for (size_t i = 0; i < sizeof jumps / sizeof jumps[0]; i++)
		jump = jump || jumps[i].a == a;
	/* Bound by the screen or its widget, or an action of the screen's own table: not a jump. */
	if (!jump || (n > 1 && keymap_lookup_chain(app->keymap, contexts, n - 1, key) != A_NONE))
		return false;
	for (const struct screen_action *sa = f != NULL ? f->ops->actions : NULL;
	     sa != NULL && sa->action != A_NONE; sa++)
		if (sa->action == a)
			return false;
	return true;
}

/* What the loop itself does with an action no screen took; false when it does nothing with A. */
static bool
global_action(struct app *app, enum action a)
{
	switch (a) {
	case A_HELP:
		app_open_named(app, "help");
		return true;
	case A_BACK:
		if (app_cancel_top(app))
			return true;
		if (app->depth > 1)
			app_pop(app);
		return true;
	case A_QUIT:
		if (app_any_unsaved(app)) {
			app->confirm_quit = true;
			app_status(app, "There is unsaved work. Quit anyway? (y/n)");
		} else {
			app->quit = true;
		}
		return true;
	case A_COMMAND:
		app_command_start(app);
		return true;
	case A_REDRAW:
		clearok(curscr, TRUE);
		app->dirty = true;
		return true;
	case A_LOCK:
		app_lock(app);
		app->locked_by_key = app->locked;
		return true;
	case A_FUNCTION_KEY:
		app->function_key = true;
		app_status(app, "Function key: a digit, 1 to 9 for F1 to F9, 0 for F10");
		return true;
	case A_HOME:
		while (app->depth > 1)
			app_pop(app);
		return true;
	default:
		break;
	}
	for (size_t i = 0; i < sizeof jumps / sizeof jumps[0]; i++) {
		if (jumps[i].a != a)
			continue;
		/* Pressed again on its own screen: one more copy on the stack would take two Escs. */
		if (app_top(app) != NULL && strcmp(app_top(app)->ops->name, jumps[i].screen) == 0)
			app_status(app, "This is the %s screen already", app_top(app)->ops->title);
		else
			app_open_named(app, jumps[i].screen);
		return true;
	}
	return false;
}

/*
 * A key a text widget took and did nothing with (the note or a field at its limit, a paste
 * cut short) is said on the status line, not only beeped.
 */
static void
editor_refused(struct app *app, struct app_focus focus)
{
	const char *why = focus.kind == APP_WIDGET_EDITOR ? ui_editor_refusal(focus.widget)
	    : focus.kind == APP_WIDGET_FORM              ? ui_form_refusal(focus.widget)
	                                                 : NULL;

	if (why != NULL)
		app_error(app, "%s", why);
}

bool
app_do(struct app *app, enum action a)
{
	struct frame *f = app_top(app);
	int r = APP_IGNORED;

	if (f != NULL && f->ops->actions != NULL) {
		for (const struct screen_action *sa = f->ops->actions; sa->action != A_NONE; sa++) {
			const char *why = NULL;

			if (sa->action != a)
				continue;
			if ((sa->needs & APP_NEEDS_IDLE) && app_requests(app, f->state) > 0)
				why = "wait for the request running to finish (Esc cancels it)";
			for (unsigned bit = APP_NEEDS_SCREEN; why == NULL && bit != 0 && bit <= sa->needs;
			     bit <<= 1)
				if ((sa->needs & bit) && f->ops->unmet != NULL)
					why = f->ops->unmet(app, f->state, bit);
			if (why != NULL) {
				app_error(app, "%s: %s", action_name(a), why);
				return true;
			}
			r = sa->run(app, f->state);
			break;
		}
	}
	if (r == APP_IGNORED && f != NULL && f->ops->widget != NULL) {
		struct app_focus focus = f->ops->widget(app, f->state);
		bool took = false;

		switch (focus.kind) {
		case APP_WIDGET_LIST:
			took = ui_list_action(focus.widget, a);
			break;
		case APP_WIDGET_FORM:
			took = ui_form_action(focus.widget, a);
			break;
		case APP_WIDGET_PAGER:
			took = ui_pager_action(focus.widget, a);
			break;
		case APP_WIDGET_PROMPT:
			took = ui_prompt_action(focus.widget, a);
			break;
		case APP_WIDGET_DIALOG:
			took = ui_dialog_action(focus.widget, a);
			break;
		case APP_WIDGET_EDITOR:
			took = ui_editor_action(focus.widget, a);
			editor_refused(app, focus);
			break;
		case APP_WIDGET_CURSOR:
			took = ui_cursor_action(focus.widget, a);
			break;
		case APP_WIDGET_NONE:
			break;
		}
		if (took) {
			r = APP_HANDLED | APP_REDRAW;
			/* The widget is the screen's: it may have to follow (load a page, search). */
			if (f->ops->changed != NULL)
				f->ops->changed(app, f->state, a);
		}
	}
	if (r & APP_REDRAW)
		app->dirty = true;
	if (r & APP_LEAVE) {
		/* The frame may be another one now: only the screen that asked leaves. */
		if (app_top(app) == f)
			app_pop(app);
		return true;
	}
	return r != APP_IGNORED || global_action(app, a);
}

/* Whether F's focus is a field the keyboard types into, where a printable key is text. */
static bool
typing_into(struct app *app, struct frame *f)
{
	struct app_focus focus;

	if (f == NULL || f->ops->widget == NULL)
		return false;
	focus = f->ops->widget(app, f->state);
	return focus.kind == APP_WIDGET_FORM || focus.kind == APP_WIDGET_PROMPT ||
	    focus.kind == APP_WIDGET_EDITOR;
}

bool
app_key_is_typing(struct app *app, int key)
{
	return key_is_text(key) && typing_into(app, app_top(app));
}

void
app_screen_key(struct app *app, int key)
{
	struct frame *f = app_top(app);
	const char *contexts[3];
	size_t n = contexts_of(app, f, contexts);
	enum action a;

	/* Printable characters are text in an input field, before any binding. */
	if (f != NULL && key_is_text(key) && f->ops->widget != NULL) {
		struct app_focus focus = f->ops->widget(app, f->state);
		bool took = (focus.kind == APP_WIDGET_FORM && ui_form_key(focus.widget, key)) ||
		    (focus.kind == APP_WIDGET_PROMPT && ui_prompt_key(focus.widget, key)) ||
		    (focus.kind == APP_WIDGET_EDITOR && ui_editor_key(focus.widget, key));

		if (took) {
			editor_refused(app, focus);
			if (f->ops->changed != NULL)
				f->ops->changed(app, f->state, A_NONE);
			app->dirty = true;
			return;
		}
	}
	a = keymap_lookup_chain(app->keymap, contexts, n, key);
	if (a != A_NONE)
		app_do(app, a);
}

/* --- the hint line ------------------------------------------------------------------ */

struct hint_find {
	enum action a;
	bool typing; /* a printable key is text here, not the action */
	char key[32];
};

/*
 * Whether a key named NAME (LEN bytes) is a printable character: text in an input field.
 * Not Space: a prompt binds it (recall) where the field takes no space.
 */
static bool
names_text(const char *name, size_t len)
{
	return len == 1 && name[0] > ' ' && name[0] < 0x7f;
}

static void
find_key(void *arg, const char *context, const char *keys, enum action a)
{
	struct hint_find *h = arg;

	(void)context;
	if (a != h->a || h->key[0] != '\0')
		return;
	/* The first key that reaches the action: "?, F1" gives "?", or "F1" in a field. */
	for (const char *k = keys; *k != '\0';) {
		size_t len = strcspn(k, ",");

		if (!h->typing || !names_text(k, len)) {
			if (len >= sizeof h->key)
				len = sizeof h->key - 1;
			memcpy(h->key, k, len);
			h->key[len] = '\0';
			return;
		}
		k += len;
		k += strspn(k, ", ");
	}
}

bool
app_key_for(struct app *app, enum action a, char *buf, size_t size)
{
	struct hint_find h = { a, typing_into(app, app_top(app)), "" };
	const char *contexts[3];
	size_t n = contexts_of(app, app_top(app), contexts);

	keymap_each_binding(app->keymap, contexts, n, find_key, &h);
	snprintf(buf, size, "%s", h.key);
	return h.key[0] != '\0';
}

/* Append "KEY word  " for action A when a key reaches it here; false when the line is full. */
static bool
add_hint(struct app *app, const char *const *contexts, size_t n, enum action a, const char *word,
    char *buf, size_t size, size_t *used)
{
	struct hint_find h = { a, typing_into(app, app_top(app)), "" };
	int w;

	keymap_each_binding(app->keymap, contexts, n, find_key, &h);
	if (h.key[0] == '\0')
		return true; /* unbound here, or only by a key that types: no hint that would lie */
	w = snprintf(buf + *used, size - *used, "%s%s %s", *used ? "  " : "", h.key, word);
	if (w < 0 || (size_t)w >= size - *used) {
		buf[*used] = '\0';
		return false;
	}
	*used += (size_t)w;
	return true;
}

void
app_hints(struct app *app, char *buf, size_t size)
{
	static const struct {
		enum action a;
		const char *word;
	} global[] = { { A_HELP, "help" }, { A_COMMAND, "command" }, { A_BACK, "back" },
		{ A_QUIT, "quit" } };
	struct frame *f = app_top(app);
	const char *contexts[3];
	size_t n = contexts_of(app, f, contexts), used = 0;
	bool room = true;

	buf[0] = '\0';
	if (f != NULL && f->ops->actions != NULL)
		for (const struct screen_action *sa = f->ops->actions;
		     room && sa->action != A_NONE; sa++)
			if (sa->hint != NULL)
				room = add_hint(app, contexts, n, sa->action, sa->hint, buf, size, &used);
	for (size_t i = 0; room && i < sizeof global / sizeof global[0]; i++) {
		bool taken = false;

		/*
		 * A global action the screen names otherwise (q closes help) is hinted with the
		 * screen's word, above; one it takes without a word of its own (Esc that leaves
		 * while a request runs) is still what the global word says.
		 */
		if (f != NULL && f->ops->actions != NULL)
			for (const struct screen_action *sa = f->ops->actions; sa->action != A_NONE; sa++)
				taken = taken || (sa->action == global[i].a && sa->hint != NULL);
		if (!taken)
			room = add_hint(app, contexts, n, global[i].a, global[i].word, buf, size, &used);
	}
}

/* --- the session's keeps -------------------------------------------------------------- */

struct app_keep {
	struct app_keep *next;
	char *name;
	void *data;
	void (*free_fn)(void *data);
};

void
app_keep(struct app *app, const char *name, void *data, void (*free_fn)(void *data))
{
	struct app_keep *k;

	for (k = app->keeps; k != NULL; k = k->next)
		if (strcmp(k->name, name) == 0)
			break;
	if (k == NULL) {
		k = xcalloc(1, sizeof *k);
		k->name = xstrdup(name);
		k->next = app->keeps;
		app->keeps = k;
	} else if (k->data != NULL && k->free_fn != NULL) {
		k->free_fn(k->data);
	}
	k->data = data;
	k->free_fn = free_fn;
}

void *
app_kept(struct app *app, const char *name)
{
	for (struct app_keep *k = app->keeps; k != NULL; k = k->next)
		if (strcmp(k->name, name) == 0)
			return k->data;
	return NULL;
}

void
app_keeps_free(struct app *app)
{
	while (app->keeps != NULL) {
		struct app_keep *k = app->keeps;

		app->keeps = k->next;
		if (k->data != NULL && k->free_fn != NULL)
			k->free_fn(k->data);
		free(k->name);
		free(k);
	}
}
