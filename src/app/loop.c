/* The loop: keys, the network and timers, one pass at a time; the status line and drawing. */
#include "config.h"

#include "app/app-private.h"
#include "ui/list.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t terminated;

/*
 * The signal handler's way to wake the loop: a byte in this pipe, which the loop waits on
 * beside the terminal. EINTR alone is not enough: libcurl's wait may take an interrupted
 * poll for a timeout and go on waiting, up to a minute with patient data on screen.
 */
static int wake_pipe[2] = { -1, -1 };

static void
on_terminate(int sig)
{
	int saved = errno;

	terminated = sig;
	if (wake_pipe[1] >= 0 && write(wake_pipe[1], "", 1) < 0) {
		/* Full, or gone: the loop is waking anyway. */
	}
	errno = saved;
}

double
app_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct frame *
app_top(struct app *app)
{
	return app->depth > 0 ? &app->stack[app->depth - 1] : NULL;
}

void
app_dirty(struct app *app)
{
	app->dirty = true;
}

static void
set_status(struct app *app, bool error, const char *fmt, va_list ap)
{
	char *text;

	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	free(app->status);
	app->status = text;
	app->status_error = error;
	app->dirty = true;
}

void
app_status(struct app *app, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_status(app, false, fmt, ap);
	va_end(ap);
}

void
app_error(struct app *app, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_status(app, true, fmt, ap);
	va_end(ap);
	beep();
}

struct fhir_client *
app_fhir(struct app *app)
{
	return app->session != NULL ? app->session->fhir : NULL;
}

const struct fhir_caps *
app_caps(struct app *app)
{
	return app->session != NULL ? app->session->caps : NULL;
}

const struct cfg_profile *
app_profile(struct app *app)
{
	return app->profile;
}

const char *
app_user(struct app *app)
{
	return app->session != NULL ? app->session->user : NULL;
}

const char *
app_who(struct app *app)
{
	return app_smart_user(app) != NULL ? app_smart_user(app) : app_user(app);
}

const struct keymap *
app_keymap(struct app *app)
{
	return app->keymap;
}

const struct screen_ops *const *
app_screens(struct app *app)
{
	return app->config->screens;
}

const cJSON *
app_patient(struct app *app)
{
	return app->patient;
}

void
app_set_patient(struct app *app, const cJSON *patient)
{
	const char *id = fhir_get_string(patient, "id");

	cJSON_Delete(app->patient);
	app->patient = patient != NULL ? cJSON_Duplicate(patient, 1) : NULL;
	if (fhir_valid_id(id)) {
		free(app->last_patient);
		app->last_patient = xstrdup(id);
	}
	app->dirty = true;
}

const char *
app_last_patient(struct app *app)
{
	return app->last_patient;
}

int
app_audit(struct app *app, const char *action, const char *type, const char *id)
{
	char *cause = NULL;

	if (app->audit == NULL)
		return 0;
	if (audit_log(app->audit, action, type, id, &cause) != 0) {
		/* An EHR must not go on silently without its audit trail. */
		app_error(app, "The audit trail cannot be written: %s", cause);
		free(cause);
		return -1;
	}
	app_server_audit(app, action, type, id != NULL ? &id : NULL, id != NULL ? 1 : 0);
	return 0;
}

int
app_audit_ids(struct app *app, const char *action, const char *type, const char *const *ids,
    size_t n)
{
	char *cause = NULL;

	if (app->audit == NULL)
		return 0;
	if (audit_log_ids(app->audit, action, type, ids, n, &cause) != 0) {
		app_error(app, "The audit trail cannot be written: %s", cause);
		free(cause);
		return -1;
	}
	if (n > 0)
		app_server_audit(app, action, type, ids, n);
	return 0;
}

/*
 * A key for one of the loop's own prompts (passphrase, unlock, ":"): the prompt takes
 * text and editing; what it leaves to its owner (Enter, Esc, q, Tab) is returned,
 * else A_NONE.
 */
enum action
app_prompt_key(struct app *app, struct ui_prompt *p, int key)
{
	static const char *const contexts[] = { "prompt", "global" };
	enum action a;

	if (ui_prompt_key(p, key))
		return A_NONE;
	a = keymap_lookup_chain(app->keymap, contexts, 2, key);
	if (key == '\t')
		a = A_NEXT_FIELD;
	if (a == A_SELECT || a == A_BACK || a == A_QUIT || a == A_NEXT_FIELD)
		return a;
	ui_prompt_action(p, a);
	return A_NONE;
}

/* --- timers ------------------------------------------------------------------------- */

static void
timer_set(struct app *app, uint64_t instance, void *state, int ms, app_timer_fn fn)
{
	struct timer *t;

	for (t = app->timers; t != NULL; t = t->next)
		if (t->instance == instance && t->state == state && t->fn == fn)
			break;
	if (t == NULL) {
		t = xcalloc(1, sizeof *t);
		t->instance = instance;
		t->state = state;
		t->fn = fn;
		t->next = app->timers;
		app->timers = t;
	}
	t->due = app_now() + ms / 1000.0;
}

void
app_timer(struct app *app, void *state, int ms, app_timer_fn fn)
{
	timer_set(app, app_instance_of(app, state), state, ms, fn);
}

void
app_timer_own(struct app *app, void *state, int ms, app_timer_fn fn)
{
	timer_set(app, 0, state, ms, fn);
}

static void
run_timers(struct app *app)
{
	double now = app_now();
	struct timer **tp = &app->timers;

	while (*tp != NULL) {
		struct timer *t = *tp;

		if (t->due <= now) {
			*tp = t->next;
			t->fn(app, t->state);
			free(t);
			app->dirty = true;
			tp = &app->timers; /* FN may have added timers */
		} else {
			tp = &t->next;
		}
	}
}

void
app_timers_forget(struct app *app, uint64_t instance)
{
	struct timer **tp = &app->timers;

	while (*tp != NULL) {
		struct timer *t = *tp;

		if (t->instance == instance) {
			*tp = t->next;
			free(t);
		} else {
			tp = &t->next;
		}
	}
}

/* --- keys ------------------------------------------------------------------------------ */

static bool hold_more(struct app *app, int key);

/* Forget the held keys without a word (the idle lock, a question). */
static void
held_reset(struct app *app)
{
	app->nheld = 0;
	app->held_ahead = false;
	app->held_instance = 0;
	free(app->held_row);
	app->held_row = NULL;
}

/*
 * Whether the top screen's focus is a list; *ROW is then the id of its selected row, or
 * NULL when none is (an empty list).
 */
static bool
top_list(struct app *app, const char **row)
{
	struct frame *f = app_top(app);
	struct app_focus focus;

	*row = NULL;
	if (f == NULL || f->ops->widget == NULL)
		return false;
	focus = f->ops->widget(app, f->state);
	if (focus.kind != APP_WIDGET_LIST)
		return false;
	*row = ui_list_selected_id(focus.widget);
	return true;
}

/* A question is on screen: its answer must be a key typed after it was shown. */
static bool
asking(struct app *app)
{
	struct frame *f = app_top(app);

	if (app->confirm_quit)
		return true;
	return f != NULL && f->ops->widget != NULL &&
	    f->ops->widget(app, f->state).kind == APP_WIDGET_DIALOG;
}

/*
 * Whether KEY, typed now, waits for the top screen's requests. Esc never waits: it
 * cancels them. Text typed into a field waits only for what typing cannot supersede (a
 * save, an open): a search typed further replaces the one that runs. A jump to another
 * module (F2 on home while home reads who is logged in) does not wait for reads either:
 * what it opens depends on none of them, and its own first read then waits only for
 * what is already on the wire, not for the answers and the reaction to them.
 */
static bool
waits_for_screen(struct app *app, int key)
{
	struct frame *f = app_top(app);

	if (f == NULL || app_requests(app, f->state) == 0)
		return false;
	if (keymap_lookup(app->keymap, "global", key) == A_BACK)
		return false;
	if (app_requests_unslotted(app, f->state) == 0 && app_key_jumps(app, key))
		return false;
	return !app_key_is_typing(app, key) || app_requests_unslotted(app, f->state) > 0;
}

/* Hold KEY as typed ahead of the top screen, noting the row it was typed on. */
static void
hold_ahead(struct app *app, int key)
{
	const char *row;

	if (app->nheld > 0) {
		hold_more(app, key);
		return;
	}
	app_hold(app, &key, 1, "typed ahead");
	app->held_ahead = true;
	app->held_instance = app_top(app) != NULL ? app_top(app)->instance : 0;
	app->held_row = top_list(app, &row) && row != NULL ? xstrdup(row) : NULL;
}

/* Keys typed before a question was shown never answer it. */
static void
discard_typeahead(struct app *app)
{
	size_t n = app->nheld;

	held_reset(app);
	app->held_gen++;
	/* Those still in the terminal's buffer were typed before the question, too. */
	flushinp();
	if (n > 0)
		app_error(app, "%zu key%s typed ahead dropped: answer the question first", n,
		    n == 1 ? "" : "s");
}

static void
key_ready(struct app *app, int key)
{
	bool asked;

	/* Nothing of the screen shows while the terminal is too small: a key would act unseen. */
	if (!ui_big_enough())
		return;
	if (app->locked) {
		app_unlock_key(app, key);
		return;
	}
	if (app->confirm_quit) {
		app->confirm_quit = false;
		if (key == 'y' || key == 'Y')
			app->quit = true;
		else
			app_status(app, "Not quitting");
		return;
	}
	if (app->command_active) {
		app_command_key(app, key);
		return;
	}
	if (app->chooser != NULL) {
		free(app->status);
		app->status = NULL;
		app_chooser_key(app, key);
		return;
	}
	if (app->nheld > 0 && hold_more(app, key))
		return;
	if (waits_for_screen(app, key)) {
		hold_ahead(app, key);
		return;
	}
	/* A new key press ends the last message. */
	free(app->status);
	app->status = NULL;
	if (app->function_key) {
		app->function_key = false;
		if (key < '0' || key > '9') {
			app_error(app, "Function key: not a digit, nothing done (0 is F10)");
			return;
		}
		key = KEY_FN(KEY_F(key == '0' ? 10 : key - '0'));
	}
	asked = asking(app);
	app->wants_link = false;
	app->wants_again = false;
	app_screen_key(app, key);
	if (app->wants_link) {
		char *what = key_to_name(key);

		app->wants_link = false;
		app_hold(app, &key, 1, what);
		free(what);
	} else if (app->wants_again) {
		app->wants_again = false;
		hold_ahead(app, key);
	}
	if (!asked && asking(app))
		discard_typeahead(app);
}

bool
app_typed_ahead(const struct app *app)
{
	return app->applying_held;
}

void
app_again(struct app *app)
{
	app->wants_again = true;
}

void
app_hold(struct app *app, const int *keys, size_t n, const char *what)
{
	if (app->nheld == 0) {
		free(app->held_what);
	free(app->held_row);
		app->held_what = xstrdup(what);
	}
	for (size_t i = 0; i < n && app->nheld < HELD_MAX; i++)
		app->held[app->nheld++] = keys[i];
	/* The status line says what waits (draw_status), not the refusal. */
	free(app->status);
	app->status = NULL;
	app->dirty = true;
}

bool
app_held_drop(struct app *app, const char *why)
{
	if (app->nheld == 0)
		return false;
	held_reset(app);
	app_error(app, "%s not done: %s", app->held_what, why);
	return true;
}

void
app_held_forget(struct app *app)
{
	held_reset(app);
}

/* The held keys, in order, to the screen as it is now (those that still wait are held again). */
static void
app_held_apply(struct app *app)
{
	int keys[HELD_MAX];
	size_t n = app->nheld;
	unsigned gen = app->held_gen;

	memcpy(keys, app->held, n * sizeof keys[0]);
	held_reset(app);
	app->applying_held = true;
	/* A key may start a request again: those after it are held again, in order. */
	for (size_t i = 0; i < n && !app->quit && app->held_gen == gen && !app->locked; i++)
		key_ready(app, keys[i]);
	app->applying_held = false;
}

/*
 * Held keys whose wait is over go to the screen as it now is: the connection is in, or
 * the top screen's requests are answered. Keys typed on a list row that the screen no
 * longer shows are dropped, never applied to whatever row is there now.
 */
static void
held_keys_due(struct app *app)
{
	struct frame *f = app_top(app);
	const char *row;

	if (app->nheld == 0 || app->locked || app->link == LINK_CONNECTING)
		return;
	if (!app->held_ahead && app->link != LINK_UP)
		return;
	if (f != NULL && app_requests(app, f->state) > 0)
		return;
	/* The same screen, still at its list (not moved on to a row's details, say). */
	if (app->held_ahead && f != NULL && f->instance == app->held_instance &&
	    app->held_row != NULL && top_list(app, &row) &&
	    (row == NULL || strcmp(row, app->held_row) != 0)) {
		size_t n = app->nheld;

		held_reset(app);
		app_error(app, "%zu key%s typed ahead dropped: the row %s typed on is no longer there",
		    n, n == 1 ? "" : "s", n == 1 ? "it was" : "they were");
		return;
	}
	app_held_apply(app);
}

/*
 * A key while others are held. Esc gives them up: a wait for the connection stops there;
 * typed ahead of a screen, the Esc goes on to cancel what the screen is doing. Returns
 * true when KEY was taken (held or spent).
 */
static bool
hold_more(struct app *app, int key)
{
	if (keymap_lookup(app->keymap, "global", key) == A_BACK) {
		if (app->held_ahead) {
			size_t n = app->nheld;

			held_reset(app);
			app_status(app, "%zu key%s typed ahead dropped (Esc)", n, n == 1 ? "" : "s");
			return false;
		}
		app_held_drop(app, "cancelled (Esc); the connection is still being made");
		return true;
	}
	if (app->nheld == HELD_MAX) {
		app_error(app, "Too many keys typed while %s waits: key dropped", app->held_what);
		return true;
	}
	app->held[app->nheld++] = key;
	return true;
}

/* One key from curses, as wget_wch gave it, as ehrterm's key code; -1 when none waits. */
static int
next_key(int *key)
{
	wint_t wc;
	int r = wget_wch(stdscr, &wc);

	if (r == ERR)
		return -1;
	if (r == KEY_CODE_YES) {
		*key = KEY_FN((int)wc);
		/* Keypads send KEY_ENTER; the keymap speaks of Enter. */
		if (wc == KEY_ENTER)
			*key = '\r';
	} else {
		*key = (int)wc;
		if (*key == '\n')
			*key = '\r';
	}
	return 0;
}

/* Give back what was read after an Esc, in order (curses returns the last given first). */
static void
unread(const char *seq, size_t n)
{
	while (n-- > 0)
		unget_wch((wchar_t)(unsigned char)seq[n]);
}

/*
 * One key. An Esc followed at once by a sequence the terminal description does not list
 * (an xterm's PgDn under TERM=vt100) is read whole: a key, or KEY_SEQ_UNKNOWN with the
 * bytes in SEQ, never Esc and then letters typed into a form.
 */
static int
read_key(const struct keymap *km, int *key, char seq[static 33])
{
	size_t n = 0, used = 0;
	int next, k = KEY_SEQ_MORE;

	if (next_key(key) != 0)
		return -1;
	if (*key != 27)
		return 0;
	while (n < 32 && k == KEY_SEQ_MORE && next_key(&next) == 0) {
		if (next < 0x20 || next > 0x7e) {
			/* Not part of a sequence: the next key, read again after this one. */
			if (KEY_IS_FN(next))
				ungetch(next - KEY_FN(0));
			else
				unget_wch((wchar_t)next);
			break;
		}
		seq[n++] = (char)next;
		k = key_sequence(seq, n, &used);
	}
	seq[n] = '\0';
	if (n == 0)
		return 0;
	if (k == KEY_SEQ_NONE || (k == KEY_SEQ_MORE && n == 1)) {
		/* Alt and a key, when the keymap binds it (emacs: M-v); else Esc, then a key. */
		if (n == 1 && keymap_binds(km, KEY_META((unsigned char)seq[0]))) {
			*key = KEY_META((unsigned char)seq[0]);
			return 0;
		}
		unread(seq, n);
		return 0;
	}
	if (k >= 0 && used < n)
		unread(seq + used, n - used);
	*key = k >= 0 ? k : KEY_SEQ_UNKNOWN;
	return 0;
}

static void
handle_keys(struct app *app)
{
	int key;
	char seq[33];

	while (read_key(app->keymap, &key, seq) == 0) {
		if (key == KEY_FN(KEY_RESIZE)) {
			app->dirty = true;
			continue;
		}
		if (key == KEY_SEQ_UNKNOWN) {
			/* Not Esc: a key this terminal sent that nothing is bound to (SEQ is
			 * printable ASCII, at most 32 bytes). */
			if (app->phase == PHASE_READY && !app->locked)
				app_error(app, "Unknown key (Esc %s): nothing done", seq);
			app->dirty = true;
			continue;
		}
		app->last_key = app_now();
		app->dirty = true;
		if (app->phase == PHASE_READY)
			key_ready(app, key);
		else
			app_login_key(app, key);
		if (app->quit)
			return;
	}
}

/*
 * A request's time and bytes show once it has run this long: "0.0 s, 0.0 kB" tells nothing
 * and costs a slow terminal its bytes on every step.
 */
#define PROGRESS_FIGURES_S 0.5

static void
draw_status(struct app *app, int *cursor_y, int *cursor_x)
{
	int y = LINES - 1;
	const char *label;
	double elapsed;
	uint64_t bytes;
	char hints[256];
	struct frame *top;
	bool connecting;

	if (app->command_active) {
		/* Tab's candidates, or that none match, on the row above the line being typed. */
		if (app->status != NULL && y > 0)
			ui_put(stdscr, y - 1, 0, COLS, app->status,
			    app->status_error ? UI_ERROR : UI_STATUS, true);
		ui_put(stdscr, y, 0, 1, ":", UI_STATUS, false);
		ui_prompt_draw(&app->command, stdscr, y, 1, COLS - 1, cursor_x);
		*cursor_y = y;
		return;
	}
	/* A message (nothing matches) shows instead until the next key. */
	if (app->chooser != NULL && app->status == NULL) {
		app_chooser_draw(app, y, cursor_x);
		*cursor_y = y;
		return;
	}
	top = app_top(app);
	connecting = app->link == LINK_CONNECTING && (top == NULL || app_requests(app, top->state) == 0);
	if (connecting && app->nheld == 0 && app->status != NULL) {
		/* A message (a key given up) shows until the next key, then the connection again. */
		ui_put(stdscr, y, 0, COLS, app->status, app->status_error ? UI_ERROR : UI_STATUS, true);
	} else if (connecting && app_progress(app, &label, &elapsed, &bytes)) {
		/* Esc is offered only where it does something: giving up a key that waits. */
		if (app->nheld > 0)
			ui_putf(stdscr, y, 0, COLS, UI_STATUS, true,
			    "%s waits: connecting to %s... %.1f s  (Esc cancels %s)", app->held_what,
			    app->profile->base_url, elapsed, app->held_what);
		else
			ui_putf(stdscr, y, 0, COLS, UI_STATUS, true, "Connecting to %s... %.1f s, %.1f kB",
			    app->profile->base_url, elapsed, (double)bytes / 1000.0);
	} else if (app_progress(app, &label, &elapsed, &bytes)) {
		if (app->held_ahead && app->nheld > 0)
			ui_putf(stdscr, y, 0, COLS, UI_STATUS, true,
			    "%s... %.1f s, %.1f kB; %zu key%s typed ahead  (Esc cancels)", label, elapsed,
			    (double)bytes / 1000.0, app->nheld, app->nheld == 1 ? "" : "s");
		else if (elapsed < PROGRESS_FIGURES_S)
			ui_putf(stdscr, y, 0, COLS, UI_STATUS, true, "%s...  (Esc cancels)", label);
		else
			ui_putf(stdscr, y, 0, COLS, UI_STATUS, true, "%s... %.1f s, %.1f kB  (Esc cancels)",
			    label, elapsed, (double)bytes / 1000.0);
	} else if (app->status != NULL) {
		ui_put(stdscr, y, 0, COLS, app->status, app->status_error ? UI_ERROR : UI_STATUS, true);
	} else if (app->phase != PHASE_READY) {
		app_login_hints(app, hints, sizeof hints);
		ui_put(stdscr, y, 0, COLS, hints, UI_STATUS, true);
	} else {
		/* The keys that work here, as the live keymap binds them. */
		app_hints(app, hints, sizeof hints);
		ui_put(stdscr, y, 0, COLS, hints, UI_STATUS, true);
	}
}

void
app_draw_title(struct app *app, const char *title)
{
	char *right = app->session != NULL
	    ? xasprintf("%s@%s", app_who(app), app->profile->name)
	    : xstrdup(PACKAGE_STRING);
	int used = ui_putf(stdscr, 0, 0, COLS, UI_TITLE, true, " ehrterm: %s", title);
	int rw = (int)strlen(right);

	if (used + rw + 2 < COLS)
		ui_put(stdscr, 0, COLS - rw - 1, rw, right, UI_TITLE, false);
	free(right);
}

static void
draw(struct app *app)
{
	struct frame *f = app_top(app);
	int cy = -1, cx = -1;

	erase();
	if (!ui_big_enough()) {
		ui_putf(stdscr, 0, 0, COLS, UI_ERROR, false, "ehrterm needs at least %dx%d;", UI_MIN_COLS,
		    UI_MIN_ROWS);
		ui_putf(stdscr, 1, 0, COLS, UI_ERROR, false, "this terminal is %dx%d.", COLS, LINES);
		ui_put(stdscr, 2, 0, COLS, "Enlarge it, please;", UI_ERROR, false);
		ui_put(stdscr, 3, 0, COLS, "keys do nothing until then.", UI_ERROR, false);
		curs_set(0);
		refresh();
		return;
	}
	if (app->phase != PHASE_READY) {
		app_login_draw(app, &cy, &cx);
	} else if (app->locked && app_smart_relogin(app)) {
		app_draw_title(app, "locked");
		app_smart_draw(app);
	} else if (app->locked) {
		/* Nothing of any patient on screen while locked. */
		app_draw_title(app, "locked");
		ui_putf(stdscr, 2, 2, COLS - 4, UI_NORMAL, false, "Locked: the session of %s.",
		    app_who(app) != NULL ? app_who(app) : "the user");
		if (app->locked_by_key)
			ui_put(stdscr, 4, 2, COLS - 4, "The screen was locked with the lock key.",
			    UI_NORMAL, false);
		else
			ui_putf(stdscr, 4, 2, COLS - 4, UI_NORMAL, false,
			    "The screen is locked after %ld s without a key press.",
			    app->profile->idle_lock_s);
		if (app->lock_passphrase != NULL)
			ui_put(stdscr, 6, 2, COLS - 4, "Lock passphrase to unlock:", UI_NORMAL, false);
		else
			ui_putf(stdscr, 6, 2, COLS - 4, UI_NORMAL, false, "Passphrase for %s to unlock:",
			    app->profile->client_key);
		ui_prompt_draw(&app->pass_prompt, stdscr, 7, 2, COLS - 4 < 60 ? COLS - 4 : 60, &cx);
		cy = 7;
	} else if (f != NULL) {
		app_draw_title(app, f->ops->title);
		if (f->ops->draw != NULL)
			f->ops->draw(app, f->state, stdscr, 1, LINES - 2);
		if (f->ops->cursor != NULL && !app->command_active)
			if (!f->ops->cursor(app, f->state, &cy, &cx))
				cy = cx = -1;
	}
	if (!(app->phase == PHASE_READY && app->locked) || app->status != NULL)
		draw_status(app, &cy, &cx);
	if (cy >= 0 && cx >= 0) {
		move(cy, cx);
		curs_set(1);
	} else {
		curs_set(0);
	}
	refresh();
}

/* Only the status line, for a progress tick; the cursor goes back where the screen had it. */
static void
draw_progress(struct app *app)
{
	int cy, cx, dummy_y = -1, dummy_x = -1;

	if (app->phase != PHASE_READY || app->locked || app->command_active || !ui_big_enough())
		return;
	getyx(stdscr, cy, cx);
	draw_status(app, &dummy_y, &dummy_x);
	move(cy, cx);
	refresh();
}

/* --- the loop ---------------------------------------------------------------------------- */

/*
 * What the modules read once a session (on_ready), once the capabilities are in and the
 * user waits for nothing: no key held, no request, no screen's timer (a search being
 * typed). On a slow link their answers would otherwise come before the user's own
 * (one connection, one request at a time), and a key typed ahead waits for them.
 */
static void
ready_hooks(struct app *app)
{
	if (app->ready_run || app->link != LINK_UP || app->config->on_ready == NULL ||
	    app->nheld > 0 || app_requests(app, NULL) > 0)
		return;
	for (const struct timer *t = app->timers; t != NULL; t = t->next)
		if (t->instance != 0)
			return;
	app->ready_run = true;
	for (void (*const *f)(struct app *) = app->config->on_ready; *f != NULL; f++)
		(*f)(app);
}

/* Milliseconds until something is due: a timer, the idle lock, progress to show. */
static int
next_wakeup(struct app *app)
{
	double now = app_now(), due = now + 60;

	/* A key applied from the loop (typed ahead) may have quit: no sleep before leaving. */
	if (app->quit)
		return 0;

	for (struct timer *t = app->timers; t != NULL; t = t->next)
		if (t->due < due)
			due = t->due;
	if (app->phase == PHASE_READY && !app->locked &&
	    app->last_key + (double)app->profile->idle_lock_s < due)
		due = app->last_key + (double)app->profile->idle_lock_s;
	if (app->requests != NULL && requests_pending(app->requests))
		due = now;
	if (app_requests(app, NULL) > 0 && now + PROGRESS_MS / 1000.0 < due)
		due = now + PROGRESS_MS / 1000.0;
	return due <= now ? 0 : (int)((due - now) * 1000.0) + 1;
}

static void
wait_input(struct app *app, int timeout_ms)
{
	const int fds[] = { STDIN_FILENO, wake_pipe[0] };
	unsigned n = wake_pipe[0] >= 0 ? 2 : 1;

	if (terminated)
		return;
	if (app->session != NULL && app->session->http != NULL) {
		http_client_wait(app->session->http, fds, n, timeout_ms, NULL);
		http_client_pump(app->session->http);
	} else {
		struct pollfd p[] = { { STDIN_FILENO, POLLIN, 0 }, { wake_pipe[0], POLLIN, 0 } };

		poll(p, n, timeout_ms);
	}
}

/* Answers that came are handed to their screens; a screen that asked to leave then goes. */
static void
deliver_answers(struct app *app)
{
	if (app->requests != NULL && requests_deliver(app->requests))
		app->dirty = true;
	app_apply_leave(app);
}

static void
signals_install(void)
{
	struct sigaction sa;

	if (wake_pipe[0] < 0 && pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		wake_pipe[0] = wake_pipe[1] = -1;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_terminate;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/*
	 * An audit log at the file size limit must fail its write (EFBIG, which the
	 * audit trail reports and the screen acts on), not kill the program mid-screen.
	 */
	signal(SIGXFSZ, SIG_IGN);
}

static int
load_keymap(struct app *app, char **cause)
{
	static const char *const contexts_base[] = { "global", "list", "form", "pager", "prompt",
		"dialog", "editor" };
	const char **contexts;
	size_t n = 0, k = 0;
	const struct cfg_keymap *km = &app->profile->keymap;

	for (const struct screen_ops *const *s = app->config->screens; *s != NULL; s++)
		n++;
	contexts = xcalloc(n + sizeof contexts_base / sizeof contexts_base[0] + 1, sizeof *contexts);
	for (size_t i = 0; i < sizeof contexts_base / sizeof contexts_base[0]; i++)
		contexts[k++] = contexts_base[i];
	for (const struct screen_ops *const *s = app->config->screens; *s != NULL; s++) {
		bool dup = false;

		for (size_t i = 0; i < k; i++)
			dup = dup || ((*s)->context != NULL && strcmp(contexts[i], (*s)->context) == 0);
		if ((*s)->context != NULL && !dup)
			contexts[k++] = (*s)->context;
	}
	app->keymap = keymap_new(contexts);
	free(contexts);
	if (km->path != NULL)
		return keymap_load_builtin(app->keymap, "default", cause) == 0 &&
			keymap_load_file(app->keymap, km->path, cause) == 0
		    ? 0
		    : -1;
	return keymap_load_builtin(app->keymap, km->name != NULL ? km->name : "default", cause);
}

/* A request got a 401 with WWW-Authenticate: the SMART session renews its token. */
static void
bearer_refused(void *owner)
{
	app_smart_unauthorized(owner);
}

static void
app_free(struct app *app)
{
	while (app->depth > 0)
		app_pop(app);
	/* Its screen is gone: ends without a word to it. */
	app_chooser_cancel(app);
	if (app->audit != NULL && app->phase == PHASE_READY)
		app_audit(app, "logout", NULL, NULL);
	/* Logout is quit: the refresh token is revoked at the server and forgotten here. */
	app_smart_logout(app);
	/* Before the requests close: the server's copy gets its last try, logout included. */
	app_server_audit_close(app);
	app_requests_close(app);
	app_keeps_free(app);
	while (app->timers != NULL) {
		struct timer *t = app->timers;

		app->timers = t->next;
		free(t);
	}
	audit_close(&app->audit);
	session_close(&app->session);
	app_smart_free(app);
	keymap_free(&app->keymap);
	ui_prompt_clear(&app->pass_prompt);
	ui_prompt_clear(&app->command);
	secret_free(&app->lock_passphrase);
	cJSON_Delete(app->patient);
	free(app->last_patient);
	free(app->workstation);
	free(app->status);
	free(app->login_message);
	free(app->keyring_notice);
	free(app->link_error);
	free(app->held_what);
}

int
app_run(const struct app_config *config)
{
	struct app app;
	char *cause = NULL;

	memset(&app, 0, sizeof app);
	app.config = config;
	app.profile = cfg_profile(config->cfg, config->profile_name, &cause);
	if (app.profile == NULL && (config->profile_name != NULL || cfg_profile_count(config->cfg) == 0)) {
		fprintf(stderr, "%s: configuration error: %s\n", PACKAGE, cause);
		free(cause);
		return SESSION_CONFIG;
	}
	free(cause);
	cause = NULL;
	/* With several profiles and none named, the keymap of the first serves the chooser. */
	{
		const struct cfg_profile *chosen = app.profile;

		app.profile = chosen != NULL ? chosen : cfg_profile_at(config->cfg, 0);
		if (load_keymap(&app, &cause) != 0) {
			fprintf(stderr, "%s: keymap error: %s\n", PACKAGE, cause);
			free(cause);
			keymap_free(&app.keymap);
			return SESSION_CONFIG;
		}
		app.profile = chosen;
	}
	if (ui_start(&cause) != 0) {
		fprintf(stderr, "%s: %s\n", PACKAGE, cause);
		free(cause);
		keymap_free(&app.keymap);
		return EXIT_FAILURE;
	}
	/* Help and hints name the keys this terminal has ("^K 7" for F7 on a VT100). */
	keymap_set_terminal(app.keymap, ui_has_key);
	signals_install();
	{
		/* Taken before the confinement, for the server's AuditEvents. */
		char host[256];

		app.workstation = xstrdup(gethostname(host, sizeof host) == 0 &&
			memchr(host, '\0', sizeof host) != NULL ? host : "unknown");
	}
	app_requests_open(&app);
	requests_watch(app.requests, bearer_refused);
	app.dirty = true;
	if (app.profile == NULL)
		app.phase = PHASE_PROFILE;
	else
		app_login_start(&app);

	while (!app.quit && !terminated) {
		if (app.phase == PHASE_READY && !app.locked &&
		    app_now() - app.last_key >= (double)app.profile->idle_lock_s)
			app_lock(&app);
		deliver_answers(&app);
		if (app.phase == PHASE_READY)
			held_keys_due(&app);
		if (app.phase == PHASE_READY)
			ready_hooks(&app);
		if (app.dirty) {
			draw(&app);
			app.dirty = false;
		} else if (app_requests(&app, NULL) > 0) {
			/* A progress tick: the status line alone, not the screen. */
			draw_progress(&app);
		}
		wait_input(&app, next_wakeup(&app));
		/*
		 * An answer read in the same wait as a key goes to its screen before the key:
		 * until it is delivered it no longer counts as the screen's request, so the key
		 * would not wait for it and would act on the screen without it (a list's first
		 * page and the o typed on it: "no note is selected"). Keys still held wait on.
		 */
		deliver_answers(&app);
		handle_keys(&app);
		run_timers(&app);
		app_apply_leave(&app);
	}
	app_free(&app);
	ui_stop();
	if (terminated)
		fprintf(stderr, "%s: stopped by signal %d\n", PACKAGE, (int)terminated);
	return terminated ? 128 + (int)terminated : app.exit_status;
}
