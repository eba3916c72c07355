/* The application: one loop over keys, network and timers; screens, login, idle lock, status line. */
#include "config.h"

#include "app/app.h"
#include "audit/audit.h"
#include "keyring/keyring.h"
#include "net/tlskey.h"
#include "session/session.h"
#include "ui/prompt.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define STACK_MAX 16
/* How often the status line's request progress is refreshed. */
#define PROGRESS_MS 1000
/* Wrong passphrases at login before ehrterm gives up, as sudo does. */
#define LOGIN_TRIES 3

enum phase {
	PHASE_PROFILE,	  /* choosing among several profiles */
	PHASE_PASSPHRASE, /* asking for the key's passphrase */
	PHASE_CONNECTING, /* reading /metadata */
	PHASE_FAILED,	  /* login failed; r retries, q quits */
	PHASE_READY,
};

struct frame {
	const struct screen_ops *ops;
	void *state;
	uint64_t instance;
};

struct app_ticket {
	struct app *app;
	uint64_t instance; /* 0: the app's own (login) */
	void *state;
	app_done_fn done;
	unsigned long tag;
	char *slot, *label;
	uint64_t request_id;
	bool finished, tracked;
	struct app_ticket *next;
};

struct timer {
	uint64_t instance;
	void *state;
	double due;
	app_timer_fn fn;
	struct timer *next;
};

struct app {
	const struct app_config *config;
	const struct cfg_profile *profile;
	struct keymap *keymap;
	struct session *session;
	struct audit *audit;
	enum phase phase;

	struct frame stack[STACK_MAX];
	size_t depth;
	uint64_t next_instance;
	uint64_t leave_instance; /* the screen app_leave asked to pop, or 0 */
	struct app_ticket *tickets;
	struct timer *timers;

	char *status;
	bool status_error;
	bool dirty;
	bool quit;
	bool confirm_quit;
	bool command_active;
	struct ui_prompt command;

	/* Login and lock. */
	size_t profile_cursor;
	struct ui_prompt pass_prompt;
	char *login_message;
	char *keyring_notice;
	int login_tries;
	bool locked;
	double last_key;

	cJSON *patient;
	char *last_patient;
	int exit_status;
};

static volatile sig_atomic_t terminated;

static void
on_terminate(int sig)
{
	terminated = sig;
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct frame *
top(struct app *app)
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
	return 0;
}

/* --- screens ------------------------------------------------------------------- */

static const struct screen_ops *
find_screen(struct app *app, const char *name)
{
	for (const struct screen_ops *const *s = app->config->screens; *s != NULL; s++)
		if (strcmp((*s)->name, name) == 0)
			return *s;
	return NULL;
}

int
app_push(struct app *app, const char *name, void *arg)
{
	const struct screen_ops *ops = find_screen(app, name);
	struct frame *f;

	if (ops == NULL) {
		app_error(app, "The %s screen is not part of this build of ehrterm yet", name);
		return -1;
	}
	if ((ops->needs & SCREEN_NEEDS_ONLINE) && app->phase != PHASE_READY) {
		app_error(app, "%s needs a connection to the server", ops->title);
		return -1;
	}
	if ((ops->needs & SCREEN_NEEDS_PATIENT) && app->patient == NULL) {
		app_error(app, "%s needs a patient: find one first (F2)", ops->title);
		return -1;
	}
	if (ops->module != NULL && app_caps(app) != NULL) {
		for (size_t i = 0; i < fhir_modules_count; i++) {
			char *missing;

			if (strcmp(fhir_modules[i].name, ops->module) != 0)
				continue;
			if ((missing = fhir_module_missing(app_caps(app), &fhir_modules[i])) != NULL) {
				app_error(app, "%s is unavailable: %s", ops->title, missing);
				free(missing);
				return -1;
			}
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
	f->state = ops->enter != NULL ? ops->enter(app, arg) : NULL;
	app->dirty = true;
	return 0;
}

/* Forget a left screen's requests and timers: their answers must not reach it. */
static void
forget_instance(struct app *app, uint64_t instance)
{
	struct timer **tp = &app->timers;

	/* http_cancel may answer at once, and the answer frees its ticket: step past it first. */
	for (struct app_ticket *t = app->tickets, *next; t != NULL; t = next) {
		next = t->next;
		if (t->instance == instance && !t->finished) {
			t->instance = UINT64_MAX; /* dropped when it arrives */
			if (t->tracked && app->session != NULL)
				http_cancel(app->session->http, t->request_id);
		}
	}
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

static void
pop(struct app *app)
{
	struct frame *f = top(app);

	if (f == NULL)
		return;
	forget_instance(app, f->instance);
	if (f->ops->leave != NULL)
		f->ops->leave(app, f->state);
	app->depth--;
	app->dirty = true;
	if ((f = top(app)) != NULL && f->ops->resume != NULL)
		f->ops->resume(app, f->state);
}

void
app_leave(struct app *app, void *state)
{
	struct frame *f = top(app);

	if (f != NULL && f->state == state)
		app->leave_instance = f->instance;
}

/* A screen that asked to leave from a callback goes now, between events, not mid-callback. */
static void
apply_leave(struct app *app)
{
	struct frame *f = top(app);

	if (app->leave_instance != 0 && f != NULL && f->instance == app->leave_instance)
		pop(app);
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

	return f != NULL && f->ops->focus != NULL ? f->ops->focus(app, f->state) : NULL;
}

/* --- requests and timers -------------------------------------------------------- */

struct app_ticket *
app_ticket_new(struct app *app, void *state, app_done_fn done, unsigned long tag, const char *slot,
    const char *label)
{
	struct app_ticket *t = xcalloc(1, sizeof *t);
	struct frame *f = top(app);

	t->app = app;
	t->state = state;
	t->instance = state != NULL && f != NULL ? f->instance : 0;
	t->done = done;
	t->tag = tag;
	t->slot = slot != NULL ? xstrdup(slot) : NULL;
	t->label = xstrdup(label != NULL ? label : "Working");
	/* A newer request in the same slot supersedes the older: its answer is stale. */
	if (slot != NULL) {
		/* As in forget_instance: the cancelled ticket may be freed before the loop steps on. */
		for (struct app_ticket *o = app->tickets, *next; o != NULL; o = next) {
			next = o->next;
			if (!o->finished && o->instance == t->instance && o->slot != NULL &&
			    strcmp(o->slot, slot) == 0) {
				o->instance = UINT64_MAX;
				if (o->tracked)
					http_cancel(app->session->http, o->request_id);
			}
		}
	}
	t->next = app->tickets;
	app->tickets = t;
	app->dirty = true;
	return t;
}

static void
ticket_unlink(struct app *app, struct app_ticket *t)
{
	for (struct app_ticket **pp = &app->tickets; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	free(t->slot);
	free(t->label);
	free(t);
}

void
app_ticket_track(struct app_ticket *t, uint64_t request_id)
{
	/* A request refused before it was sent has already called back. */
	if (t->finished) {
		ticket_unlink(t->app, t);
		return;
	}
	t->request_id = request_id;
	t->tracked = true;
}

void
app_ticket_done(struct fhir_result *result, void *arg)
{
	struct app_ticket *t = arg;
	struct app *app = t->app;
	bool live = false;

	if (t->instance == 0) {
		live = true;
	} else if (t->instance != UINT64_MAX) {
		for (size_t i = 0; i < app->depth; i++)
			if (app->stack[i].instance == t->instance)
				live = true;
	}
	t->finished = true;
	if (live && !(result->status == FHIR_TRANSPORT && result->http_error == HTTP_ERR_CANCELLED))
		t->done(app, t->state, result, t->tag);
	else if (live)
		app_status(app, "Cancelled");
	app->dirty = true;
	if (t->tracked)
		ticket_unlink(app, t);
}

size_t
app_requests(struct app *app, void *state)
{
	size_t n = 0;

	for (struct app_ticket *t = app->tickets; t != NULL; t = t->next)
		if (!t->finished && t->instance != UINT64_MAX && (state == NULL || t->state == state))
			n++;
	return n;
}

/* Cancel what the top screen (or the login) is waiting for; true when anything was. */
static bool
cancel_requests(struct app *app)
{
	struct frame *f = top(app);
	uint64_t instance = f != NULL ? f->instance : 0;
	bool any = false;

	for (struct app_ticket *t = app->tickets, *next; t != NULL; t = next) {
		next = t->next;
		if (!t->finished && t->tracked && t->instance == instance) {
			any = true;
			http_cancel(app->session->http, t->request_id);
		}
	}
	return any;
}

void
app_timer(struct app *app, void *state, int ms, app_timer_fn fn)
{
	struct frame *f = top(app);
	uint64_t instance = f != NULL ? f->instance : 0;
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
	t->due = now_seconds() + ms / 1000.0;
}

static void
run_timers(struct app *app)
{
	double now = now_seconds();
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

/* --- login ------------------------------------------------------------------------- */

static void on_connected(struct app *app, void *state, struct fhir_result *r, unsigned long tag);

static void
login_fail(struct app *app, enum session_failure failure, char *cause)
{
	free(app->login_message);
	app->login_message = xasprintf("%s error: %s. %s.", session_failure_name(failure),
	    cause != NULL ? cause : "failed", session_failure_hint(failure));
	free(cause);
	app->phase = PHASE_FAILED;
	app->dirty = true;
}

static void
login_connect(struct app *app)
{
	struct app_ticket *t;
	char *cause = NULL;
	enum session_failure failure;

	if (app->session->fhir == NULL &&
	    (failure = session_connect(app->session, &cause)) != SESSION_OK) {
		login_fail(app, failure, cause);
		return;
	}
	app->phase = PHASE_CONNECTING;
	t = app_ticket_new(app, NULL, on_connected, 0, "login", "Connecting");
	app_ticket_track(t, fhir_metadata(app->session->fhir, app_ticket_done, t));
}

/* The profile is chosen: check its files, then the keyring, then ask. */
static void
login_start(struct app *app)
{
	enum session_failure failure;
	struct secret *pass = NULL;
	char *cause = NULL;

	session_close(&app->session);
	if ((failure = session_prepare(app->profile, &app->session, &cause)) != SESSION_OK) {
		login_fail(app, failure, cause);
		return;
	}
	if (!session_needs_passphrase(app->session)) {
		session_set_passphrase(app->session, NULL, &cause);
		free(cause);
		login_connect(app);
		return;
	}
	if (keyring_available(&cause)) {
		int found = keyring_lookup(app->profile->name, KEYRING_KEY_PASSPHRASE, &pass, &cause);

		if (found == 0 && session_set_passphrase(app->session, pass, &cause) == SESSION_OK) {
			login_connect(app);
			return;
		}
		if (found == 0) {
			free(cause);
			cause = xasprintf("the passphrase stored for profile %s does not open the key",
			    app->profile->name);
		}
	}
	/* Say once why we ask (no keyring, nothing stored, or a stale entry). */
	free(app->keyring_notice);
	app->keyring_notice = cause;
	ui_prompt_init(&app->pass_prompt, UI_PROMPT_MAX, true);
	app->phase = PHASE_PASSPHRASE;
	app->dirty = true;
}

static void
login_passphrase_entered(struct app *app)
{
	struct secret *pass = ui_prompt_take_secret(&app->pass_prompt);
	enum session_failure failure;
	char *cause = NULL;

	failure = session_set_passphrase(app->session, pass, &cause);
	if (failure == SESSION_OK) {
		login_connect(app);
		return;
	}
	if (failure == SESSION_AUTH && ++app->login_tries < LOGIN_TRIES) {
		app_error(app, "That passphrase does not open the key; try again");
		free(cause);
		return;
	}
	login_fail(app, failure, cause);
}

static void
on_connected(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	enum session_failure failure;
	char *cause = NULL;

	(void)state;
	(void)tag;
	if ((failure = session_take_metadata(app->session, r, &cause)) != SESSION_OK) {
		login_fail(app, failure, cause);
		return;
	}
	if (app->audit == NULL) {
		app->audit = audit_open(NULL, app->session->user, app->profile->name, &cause);
		if (app->audit == NULL) {
			login_fail(app, SESSION_CONFIG, xasprintf("the audit trail: %s", cause));
			free(cause);
			return;
		}
	}
	if (app_audit(app, "login", NULL, NULL) != 0)
		return;
	app->phase = PHASE_READY;
	app->last_key = now_seconds();
	app_status(app, "Connected to %s as %s", app->profile->base_url, app->session->user);
	if (app->depth == 0)
		app_push(app, app->config->home, NULL);
}

/* --- idle lock ---------------------------------------------------------------------- */

static void
lock(struct app *app)
{
	if (app->locked || app->phase != PHASE_READY)
		return;
	app->locked = true;
	app->command_active = false;
	app->confirm_quit = false;
	ui_prompt_init(&app->pass_prompt, UI_PROMPT_MAX, true);
	app_audit(app, "lock", NULL, NULL);
	free(app->status);
	app->status = NULL;
	/* Clear the terminal itself, not only our picture of it. */
	clearok(curscr, TRUE);
	app->dirty = true;
}

static void
unlock_entered(struct app *app)
{
	struct secret *pass = ui_prompt_take_secret(&app->pass_prompt);
	char *cause = NULL;
	bool ok;

	/* Proved by opening the key, not by comparing with a copy. */
	ok = !session_needs_passphrase(app->session) ||
	    tlskey_open(app->profile->client_key, secret_str(pass), &cause) == TLSKEY_OPENS;
	secret_free(&pass);
	free(cause);
	if (!ok) {
		app_error(app, "That passphrase does not open the key");
		app_audit(app, "unlock-failed", NULL, NULL);
		return;
	}
	app->locked = false;
	app->last_key = now_seconds();
	app_audit(app, "unlock", NULL, NULL);
	app_status(app, "Unlocked");
}

/* --- the ":" command line ------------------------------------------------------------ */

/* Names the command line knows: every screen, then every action. */
static void
command_candidates(struct app *app, const char *prefix, char ***out, size_t *n)
{
	size_t len = strlen(prefix);

	*out = NULL;
	*n = 0;
	for (const struct screen_ops *const *s = app->config->screens; *s != NULL; s++) {
		if (strncmp((*s)->name, prefix, len) == 0) {
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

static void dispatch_action(struct app *app, enum action a);

static void
command_run(struct app *app)
{
	char *text = ui_prompt_text(&app->command);
	int a;

	app->command_active = false;
	ui_prompt_clear(&app->command);
	if (*text == '\0') {
		free(text);
		return;
	}
	if (find_screen(app, text) != NULL)
		app_push(app, text, NULL);
	else if ((a = action_from_name(text)) > 0)
		dispatch_action(app, (enum action)a);
	else
		app_error(app, "No screen or action is called '%s' (Tab completes)", text);
	free(text);
}

/* --- keys ------------------------------------------------------------------------------ */

static bool
any_unsaved(struct app *app)
{
	for (size_t i = 0; i < app->depth; i++) {
		const struct frame *f = &app->stack[i];

		if (f->ops->unsaved != NULL && f->ops->unsaved(app, f->state))
			return true;
	}
	return false;
}

/* What the loop itself does with an action no screen took. */
static void
global_action(struct app *app, enum action a)
{
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

	switch (a) {
	case A_HELP:
		app_push(app, "help", NULL);
		return;
	case A_BACK:
		if (cancel_requests(app))
			return;
		if (app->depth > 1)
			pop(app);
		return;
	case A_QUIT:
		if (any_unsaved(app)) {
			app->confirm_quit = true;
			app_status(app, "There is unsaved work. Quit anyway? (y/n)");
		} else {
			app->quit = true;
		}
		return;
	case A_COMMAND:
		app->command_active = true;
		ui_prompt_init(&app->command, 64, false);
		free(app->status);
		app->status = NULL;
		app->dirty = true;
		return;
	case A_REDRAW:
		clearok(curscr, TRUE);
		app->dirty = true;
		return;
	case A_LOCK:
		lock(app);
		return;
	case A_HOME:
		while (app->depth > 1)
			pop(app);
		return;
	default:
		break;
	}
	for (size_t i = 0; i < sizeof jumps / sizeof jumps[0]; i++) {
		if (jumps[i].a == a) {
			app_push(app, jumps[i].screen, NULL);
			return;
		}
	}
}

static void
dispatch_action(struct app *app, enum action a)
{
	struct frame *f = top(app);
	int r = APP_IGNORED;

	if (f != NULL && f->ops->action != NULL)
		r = f->ops->action(app, f->state, a);
	if (r & APP_REDRAW)
		app->dirty = true;
	if (r & APP_LEAVE) {
		pop(app);
		return;
	}
	if (r == APP_IGNORED)
		global_action(app, a);
}

/* Keys while a text input of the loop's own has focus (login, lock, ":"). */
static enum action
prompt_lookup(struct app *app, int key)
{
	static const char *const contexts[] = { "prompt", "global" };

	return keymap_lookup_chain(app->keymap, contexts, 2, key);
}

static void
key_login(struct app *app, int key)
{
	enum action a;
	size_t n = cfg_profile_count(app->config->cfg);

	if (app->phase == PHASE_PASSPHRASE) {
		if (ui_prompt_key(&app->pass_prompt, key))
			return;
		a = prompt_lookup(app, key);
		if (a == A_SELECT)
			login_passphrase_entered(app);
		else if (a == A_BACK || a == A_QUIT)
			app->quit = true;
		else
			ui_prompt_action(&app->pass_prompt, a);
		return;
	}
	a = keymap_lookup(app->keymap, "list", key);
	if (a == A_NONE)
		a = keymap_lookup(app->keymap, "global", key);
	if (app->phase == PHASE_PROFILE) {
		if (a == A_UP && app->profile_cursor > 0)
			app->profile_cursor--;
		else if (a == A_DOWN && app->profile_cursor + 1 < n)
			app->profile_cursor++;
		else if (a == A_SELECT) {
			app->profile = cfg_profile_at(app->config->cfg, app->profile_cursor);
			login_start(app);
		} else if (a == A_QUIT || a == A_BACK)
			app->quit = true;
		return;
	}
	if (app->phase == PHASE_CONNECTING && (a == A_BACK || key == 3)) {
		cancel_requests(app);
		login_fail(app, SESSION_NETWORK, xstrdup("cancelled while connecting"));
		return;
	}
	if (app->phase == PHASE_FAILED) {
		if (key == 'r' || a == A_REFRESH || a == A_SELECT) {
			app->login_tries = 0;
			login_start(app);
		} else if (a == A_QUIT || a == A_BACK || key == 'q') {
			app->quit = true;
		}
	}
}

static void
key_ready(struct app *app, int key)
{
	struct frame *f = top(app);
	const char *contexts[3];
	size_t n = 0;
	const char *focus = NULL;
	enum action a;

	if (app->locked) {
		if (ui_prompt_key(&app->pass_prompt, key))
			return;
		a = prompt_lookup(app, key);
		if (a == A_SELECT)
			unlock_entered(app);
		else
			ui_prompt_action(&app->pass_prompt, a);
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
		if (ui_prompt_key(&app->command, key))
			return;
		a = prompt_lookup(app, key);
		if (a == A_SELECT)
			command_run(app);
		else if (a == A_BACK)
			app->command_active = false;
		else if (key == '\t' || a == A_NEXT_FIELD)
			command_complete(app);
		else
			ui_prompt_action(&app->command, a);
		return;
	}
	/* A new key press ends the last message. */
	free(app->status);
	app->status = NULL;
	if (f != NULL) {
		focus = f->ops->focus != NULL ? f->ops->focus(app, f->state) : NULL;
		if (f->ops->context != NULL)
			contexts[n++] = f->ops->context;
		if (focus != NULL)
			contexts[n++] = focus;
		/* Printable characters are text in an input field, before any binding. */
		if (focus != NULL && (strcmp(focus, "form") == 0 || strcmp(focus, "prompt") == 0) &&
		    f->ops->text != NULL && key_is_text(key) &&
		    f->ops->text(app, f->state, key) != APP_IGNORED) {
			app->dirty = true;
			return;
		}
	}
	contexts[n++] = "global";
	a = keymap_lookup_chain(app->keymap, contexts, n, key);
	if (a != A_NONE)
		dispatch_action(app, a);
}

/* One key from curses as ehrterm's key code. */
static int
read_key(int *key)
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

static void
handle_keys(struct app *app)
{
	int key;

	while (read_key(&key) == 0) {
		if (key == KEY_FN(KEY_RESIZE)) {
			app->dirty = true;
			continue;
		}
		app->last_key = now_seconds();
		app->dirty = true;
		if (app->phase == PHASE_READY)
			key_ready(app, key);
		else
			key_login(app, key);
		if (app->quit)
			return;
	}
}

/* --- drawing --------------------------------------------------------------------------- */

static void
draw_status(struct app *app, int *cursor_y, int *cursor_x)
{
	int y = LINES - 1;
	struct app_ticket *running = NULL;
	double elapsed;
	uint64_t bytes;

	if (app->command_active) {
		ui_put(stdscr, y, 0, 1, ":", UI_STATUS, false);
		ui_prompt_draw(&app->command, stdscr, y, 1, COLS - 1, cursor_x);
		*cursor_y = y;
		return;
	}
	for (struct app_ticket *t = app->tickets; t != NULL; t = t->next)
		if (!t->finished && t->tracked && t->instance != UINT64_MAX)
			running = t;
	if (running != NULL && app->session != NULL &&
	    http_progress(app->session->http, running->request_id, &elapsed, &bytes) == 0) {
		ui_putf(stdscr, y, 0, COLS, UI_STATUS, true, "%s... %.1f s, %.1f kB  (Esc cancels)",
		    running->label, elapsed, (double)bytes / 1000.0);
	} else if (app->status != NULL) {
		ui_put(stdscr, y, 0, COLS, app->status, app->status_error ? UI_ERROR : UI_STATUS, true);
	} else {
		ui_put(stdscr, y, 0, COLS, "?:help  :command  Esc:back  q:quit", UI_STATUS, true);
	}
}

static void
draw_title(struct app *app, const char *title)
{
	char *right = app->session != NULL
	    ? xasprintf("%s@%s", app->session->user, app->profile->name)
	    : xstrdup(PACKAGE_STRING);
	int used = ui_putf(stdscr, 0, 0, COLS, UI_TITLE, true, " ehrterm: %s", title);
	int rw = (int)strlen(right);

	if (used + rw + 2 < COLS)
		ui_put(stdscr, 0, COLS - rw - 1, rw, right, UI_TITLE, false);
	free(right);
}

static void
draw_login(struct app *app, int *cy, int *cx)
{
	int row = 3;

	switch (app->phase) {
	case PHASE_PROFILE:
		draw_title(app, "choose a profile");
		ui_put(stdscr, 2, 2, COLS - 4, "Which server? (Enter chooses, q quits)", UI_NORMAL, false);
		for (size_t i = 0; i < cfg_profile_count(app->config->cfg); i++) {
			const struct cfg_profile *p = cfg_profile_at(app->config->cfg, i);

			ui_putf(stdscr, row++, 2, COLS - 4, i == app->profile_cursor ? UI_SELECTED : UI_NORMAL,
			    true, "%-20s %s", p->name, p->base_url);
		}
		break;
	case PHASE_PASSPHRASE:
		draw_title(app, "log in");
		if (app->keyring_notice != NULL)
			ui_put(stdscr, 2, 2, COLS - 4, app->keyring_notice, UI_DIM, false);
		ui_putf(stdscr, 4, 2, COLS - 4, UI_NORMAL, false, "Profile %s, %s", app->profile->name,
		    app->profile->base_url);
		ui_putf(stdscr, 6, 2, COLS - 4, UI_NORMAL, false, "Passphrase for %s:",
		    app->profile->client_key);
		ui_prompt_draw(&app->pass_prompt, stdscr, 7, 2, COLS - 4 < 60 ? COLS - 4 : 60, cx);
		*cy = 7;
		break;
	case PHASE_CONNECTING:
		draw_title(app, "log in");
		ui_putf(stdscr, 4, 2, COLS - 4, UI_NORMAL, false, "Connecting to %s ...",
		    app->profile->base_url);
		break;
	case PHASE_FAILED:
		draw_title(app, "log in");
		ui_put(stdscr, 4, 2, COLS - 4, "Could not log in:", UI_ERROR, false);
		/* The reason may be long; wrap it by hand over a few rows. */
		for (const char *m = app->login_message; m != NULL && *m != '\0' && row < 12; row++) {
			size_t len = strlen(m), take = len < (size_t)(COLS - 6) ? len : (size_t)(COLS - 6);
			char *part;

			if (take < len)
				while (take > 20 && m[take] != ' ')
					take--;
			part = xstrndup(m, take);
			ui_put(stdscr, row + 2, 4, COLS - 6, part, UI_NORMAL, false);
			free(part);
			m += take;
			while (*m == ' ')
				m++;
		}
		ui_put(stdscr, row + 3, 2, COLS - 4, "r: try again   q: quit", UI_NORMAL, false);
		break;
	case PHASE_READY:
		break;
	}
}

static void
draw(struct app *app)
{
	struct frame *f = top(app);
	int cy = -1, cx = -1;

	erase();
	if (!ui_big_enough()) {
		ui_putf(stdscr, 0, 0, COLS, UI_ERROR, false, "ehrterm needs at least %dx%d;", UI_MIN_COLS,
		    UI_MIN_ROWS);
		ui_putf(stdscr, 1, 0, COLS, UI_ERROR, false, "this terminal is %dx%d.", COLS, LINES);
		ui_put(stdscr, 2, 0, COLS, "Enlarge it, please.", UI_ERROR, false);
		curs_set(0);
		refresh();
		return;
	}
	if (app->phase != PHASE_READY) {
		draw_login(app, &cy, &cx);
	} else if (app->locked) {
		/* Nothing of any patient on screen while locked. */
		draw_title(app, "locked");
		ui_putf(stdscr, 4, 2, COLS - 4, UI_NORMAL, false,
		    "The screen is locked after %ld s without a key press.", app->profile->idle_lock_s);
		ui_putf(stdscr, 6, 2, COLS - 4, UI_NORMAL, false, "Passphrase for %s to unlock:",
		    app->profile->client_key);
		ui_prompt_draw(&app->pass_prompt, stdscr, 7, 2, COLS - 4 < 60 ? COLS - 4 : 60, &cx);
		cy = 7;
	} else if (f != NULL) {
		draw_title(app, f->ops->title);
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

/* --- the loop ---------------------------------------------------------------------------- */

/* Milliseconds until something is due: a timer, the idle lock, progress to show. */
static int
next_wakeup(struct app *app)
{
	double now = now_seconds(), due = now + 60;

	for (struct timer *t = app->timers; t != NULL; t = t->next)
		if (t->due < due)
			due = t->due;
	if (app->phase == PHASE_READY && !app->locked &&
	    app->last_key + (double)app->profile->idle_lock_s < due)
		due = app->last_key + (double)app->profile->idle_lock_s;
	if (app_requests(app, NULL) > 0 && now + PROGRESS_MS / 1000.0 < due)
		due = now + PROGRESS_MS / 1000.0;
	return due <= now ? 0 : (int)((due - now) * 1000.0) + 1;
}

static void
wait_input(struct app *app, int timeout_ms)
{
	static const int fds[] = { STDIN_FILENO };

	if (app->session != NULL && app->session->http != NULL) {
		http_client_wait(app->session->http, fds, 1, timeout_ms, NULL);
		http_client_pump(app->session->http);
	} else {
		struct pollfd p = { STDIN_FILENO, POLLIN, 0 };

		poll(&p, 1, timeout_ms);
	}
}

static void
signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_terminate;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int
load_keymap(struct app *app, char **cause)
{
	static const char *const contexts_base[] = { "global", "list", "form", "pager", "prompt",
		"dialog" };
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

static void
app_free(struct app *app)
{
	while (app->depth > 0)
		pop(app);
	if (app->session != NULL && app->session->http != NULL)
		http_cancel_all(app->session->http);
	while (app->tickets != NULL)
		ticket_unlink(app, app->tickets);
	while (app->timers != NULL) {
		struct timer *t = app->timers;

		app->timers = t->next;
		free(t);
	}
	if (app->audit != NULL && app->phase == PHASE_READY)
		app_audit(app, "logout", NULL, NULL);
	audit_close(&app->audit);
	session_close(&app->session);
	keymap_free(&app->keymap);
	ui_prompt_clear(&app->pass_prompt);
	ui_prompt_clear(&app->command);
	cJSON_Delete(app->patient);
	free(app->last_patient);
	free(app->status);
	free(app->login_message);
	free(app->keyring_notice);
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
	signals_install();
	app.dirty = true;
	if (app.profile == NULL)
		app.phase = PHASE_PROFILE;
	else
		login_start(&app);

	while (!app.quit && !terminated) {
		if (app.phase == PHASE_READY && !app.locked &&
		    now_seconds() - app.last_key >= (double)app.profile->idle_lock_s)
			lock(&app);
		if (app.dirty || app_requests(&app, NULL) > 0) {
			draw(&app);
			app.dirty = false;
		}
		wait_input(&app, next_wakeup(&app));
		handle_keys(&app);
		run_timers(&app);
		apply_leave(&app);
	}
	app_free(&app);
	ui_stop();
	if (terminated)
		fprintf(stderr, "%s: stopped by signal %d\n", PACKAGE, (int)terminated);
	return terminated ? 128 + (int)terminated : app.exit_status;
}
