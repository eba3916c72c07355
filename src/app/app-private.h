/* What the parts of the application share: its state and their internal calls. */
#ifndef EHRTERM_APP_PRIVATE_H
#define EHRTERM_APP_PRIVATE_H

#include "app/app.h"
#include "app/request.h"
#include "audit/audit.h"
#include "session/session.h"
#include "ui/prompt.h"
#include "util/secret.h"

#include <stdbool.h>
#include <stdint.h>

#define STACK_MAX 16
/* How often the status line's request progress is refreshed. */
#define PROGRESS_MS 1000
/* Wrong passphrases at login before ehrterm gives up, as sudo does. */
#define LOGIN_TRIES 3
/* Keys kept while a key waits for the connection (a `:` command counts its letters). */
#define HELD_MAX 64

enum phase {
	PHASE_PROFILE,	  /* choosing among several profiles */
	PHASE_PASSPHRASE, /* asking for the key's passphrase */
	PHASE_FAILED,	  /* login failed; r retries, q quits */
	PHASE_DEVICE,	  /* auth = smart: the key is open, the SMART device login runs (smart.c) */
	PHASE_READY,	  /* the key is open: the screens run, connected or not */
};

/* The connection behind the screens: made after home is drawn, again when a key needs it. */
enum link {
	LINK_NONE,
	LINK_CONNECTING, /* the capability read runs */
	LINK_UP,	 /* the capabilities are in */
	LINK_DOWN,	 /* it failed: link_error says why */
};

struct frame {
	const struct screen_ops *ops;
	void *state;
	uint64_t instance;
	/* Opened with no argument before the capabilities came: opened again if they grade it down. */
	bool unsure;
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
	enum link link;
	char *link_error;
	/*
	 * A key that needs the connection, and those typed after it, while it is made: applied
	 * in order when it comes, dropped when it fails or on Esc. held_what names the first.
	 */
	int held[HELD_MAX];
	size_t nheld;
	char *held_what;
	bool wants_link; /* app_open refused a screen only for want of the connection */
	/*
	 * Type-ahead: keys typed while the top screen's requests run wait for them (held
	 * with held_ahead set) and are applied to the screen as it then is. held_instance and
	 * held_row are the screen and the list row the first was typed on: if that screen
	 * shows another row when they would be applied, they are dropped, never applied to it.
	 */
	bool held_ahead;
	uint64_t held_instance;
	char *held_row;
	bool wants_again; /* app_again: the key being applied waits and is applied again */
	unsigned held_gen; /* counts discards: a question stops the held keys being applied */
	bool applying_held; /* app_held_apply is giving the screen keys typed earlier */

	struct frame stack[STACK_MAX];
	size_t depth;
	uint64_t next_instance;
	uint64_t leave_instance; /* the screen app_leave asked to pop, or 0 */
	const struct screen_ops *reopen; /* opened again once leave_instance is popped */
	struct requests *requests;
	struct timer *timers;

	char *status;
	bool status_error;
	bool dirty;
	bool quit;
	bool confirm_quit;
	bool function_key; /* the function-key prefix was pressed: a digit comes next */
	bool command_active;
	struct ui_prompt command;
	struct app_chooser *chooser; /* the one-line chooser on the status line, or NULL */

	/* Login and lock. */
	size_t profile_cursor;
	struct ui_prompt pass_prompt;
	char *login_message;
	char *keyring_notice;
	int login_tries;
	bool locked;
	bool locked_by_key; /* with the lock key, not after the idle time */
	double last_key;
	struct secret *lock_passphrase; /* for a key without a passphrase (unencrypted_key = allow) */

	struct audit_server *audit_server; /* the profile's audit_server, once an event is sent */
	char *workstation;		   /* the host name, for the server's AuditEvents */

	cJSON *patient;
	char *last_patient;
	int exit_status;
	bool ready_run;		 /* the modules' ready hooks ran for this session */
	struct app_keep *keeps; /* what modules keep for the session (app_keep) */
	struct app_smart *smart; /* auth = smart: the login and its tokens (smart.c), or NULL */
};

/* stack.c: the session's keeps */
void app_keeps_free(struct app *app);

/* loop.c */
double app_now(void);
/*
 * Who the session is, as shown (title, status, the lock) and audited: a SMART login's
 * fhirUser ("Practitioner/123"), else the certificate's CN (app_user, which the screens
 * use to find the user's Practitioner).
 */
const char *app_who(struct app *app);
struct frame *app_top(struct app *app);
void app_draw_title(struct app *app, const char *title);
enum action app_prompt_key(struct app *app, struct ui_prompt *p, int key);
/* Keep KEYS (N of them, named WHAT) until the connection is made: the key that needed it. */
void app_hold(struct app *app, const int *keys, size_t n, const char *what);
/* Requests of STATE's screen that typing cannot supersede (no slot): a save, an open. */
size_t app_requests_unslotted(struct app *app, void *state);
/* Whether KEY would be text typed into the top screen's focused field or prompt. */
bool app_key_is_typing(struct app *app, int key);
/* Forget the held keys, saying WHY on the status line; false when none were held. */
bool app_held_drop(struct app *app, const char *why);
/* Forget the held keys without a word (the idle lock). */
void app_held_forget(struct app *app);
void app_timers_forget(struct app *app, uint64_t instance);
/* A timer of the app's own (instance 0), whatever screen is on top: as app_timer. */
void app_timer_own(struct app *app, void *state, int ms, app_timer_fn fn);

/* audit-server.c: the profile's audit_server */
/* Send an event the local trail has taken to the server too (when the profile says so). */
void app_server_audit(struct app *app, const char *action, const char *type,
    const char *const *ids, size_t n);
/*
 * The queue, made with room for CAPACITY events if it is not there yet (the first
 * event makes it with RELAY_CAPACITY; a test makes a small one first).
 */
struct audit_server *app_server_audit_start(struct app *app, size_t capacity);
/* Events waiting for the server. */
size_t app_server_audit_queued(struct app *app);
/* At quit: one last short try for what is queued, then forget it. */
void app_server_audit_close(struct app *app);

/* stack.c: the screens */
/* The screen instance STATE belongs to, wherever it is on the stack; 0 for the app's own. */
uint64_t app_instance_of(struct app *app, const void *state);
const struct screen_ops *app_find_screen(struct app *app, const char *name);
/* Open the screen NAME as the command line or a jump key would: refused when it needs an argument. */
int app_open_named(struct app *app, const char *name);
void app_pop(struct app *app);
void app_apply_leave(struct app *app);
/* The capabilities came: the top screen leaves, saying why, when the server cannot serve it. */
void app_modules_check(struct app *app);
bool app_any_unsaved(struct app *app);
/*
 * Whether KEY, on the top screen, opens another module's screen (F2, F3...) that neither
 * the screen nor its widget takes: what it does depends on nothing the screen reads.
 */
bool app_key_jumps(struct app *app, int key);
/* A key the top screen gets: its text input, its actions, its widget, then the global ones. */
void app_screen_key(struct app *app, int key);
/* The hint line of the top screen from the live keymap, into BUF. */
void app_hints(struct app *app, char *buf, size_t size);

/* server.c: requests over the session's FHIR client */
void app_requests_open(struct app *app);
void app_requests_close(struct app *app);
/* Esc: cancel what the top screen (or the login) waits for; true when anything was. */
bool app_cancel_top(struct app *app);
/* The running request to show on the status line: its label, seconds and bytes. */
bool app_progress(struct app *app, const char **label, double *elapsed, uint64_t *bytes);

/* login.c: login and the idle lock */
void app_login_start(struct app *app);
void app_login_key(struct app *app, int key);
void app_login_draw(struct app *app, int *cy, int *cx);
/* The keys that work while logging in, for the status line: no help or : there yet. */
void app_login_hints(struct app *app, char *buf, size_t size);
void app_lock(struct app *app);
/* Make the connection and read the capabilities, behind the screens, unless under way or made. */
void app_link_start(struct app *app);
void app_unlock_key(struct app *app, int key);

/* login.c: the device login succeeded (smart.c): the session goes on as after the passphrase. */
void app_smart_logged_in(struct app *app);

/* smart.c: SMART on FHIR login for auth = smart */
struct oauth_scopes;
struct http_client;
bool app_smart_enabled(const struct app *app);
/* Discovery (once), then the device login; drawn by app_smart_draw, keys to app_smart_key. */
void app_smart_start(struct app *app);
void app_smart_key(struct app *app, int key);
void app_smart_draw(struct app *app);
/* The token's user ("Practitioner/123", else the certificate's CN) once logged in, or NULL. */
const char *app_smart_user(const struct app *app);
/* The scope the session's token grants, or NULL (no SMART token). */
const char *app_smart_granted(const struct app *app);
/*
 * "not granted: user/Appointment.rs" when the token does not cover MODULE's reads, else
 * NULL; NULL too once the capabilities are in, which carry the grant (app_smart_caps).
 */
char *app_smart_missing(const struct app *app, const char *module);
/* The session's capabilities graded by the token's grant too (fhir_caps_set_grant). */
void app_smart_caps(struct app *app);
/* A request was answered 401 with WWW-Authenticate: refresh the token (once at a time). */
void app_smart_unauthorized(struct app *app);
/* Quit: revoke the refresh token (waiting a few seconds) and forget it from the keyring. */
void app_smart_logout(struct app *app);
/* Forget the login (a new profile, a new login from the start). */
void app_smart_reset(struct app *app);
/* The lock is the device login again (a refresh was refused), not the passphrase. */
bool app_smart_relogin(const struct app *app);
void app_smart_free(struct app *app);
/* The SMART scopes the modules need (fhir_modules), for oauth_scope_request. */
struct oauth_scopes *app_smart_scopes(void);

/* choose.c: the one-line chooser (app_choose) */
void app_chooser_key(struct app *app, int key);
void app_chooser_draw(struct app *app, int y, int *cursor_x);
void app_chooser_cancel(struct app *app);

/* command.c: the ":" command line */
void app_command_start(struct app *app);
void app_command_key(struct app *app, int key);

#endif
