/* The application: one event loop, the screen stack, requests in flight, login, idle lock. */
#ifndef EHRTERM_APP_APP_H
#define EHRTERM_APP_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curses.h>

#include "cfg/cfg.h"
#include "fhir/fhir.h"
#include "keys/keys.h"

struct app;
struct printer;

/* What a handler asks the loop to do next; bits, as htop's HandlerResult. */
enum app_result {
	APP_IGNORED = 0, /* not mine: try the next handler */
	APP_HANDLED = 1 << 0,
	APP_REDRAW = 1 << 1, /* redraw the body */
	APP_LEAVE = 1 << 2,  /* pop this screen */
};

/* Preconditions checked by the loop before a screen is entered, not by every screen. */
enum screen_needs {
	SCREEN_NEEDS_ONLINE = 1 << 0,  /* a connected session: the key that opens it waits for one */
	SCREEN_NEEDS_PATIENT = 1 << 1, /* a current patient */
};

/* The widget a screen has in focus: the loop gives it keys and actions the screen did not take. */
enum app_widget {
	APP_WIDGET_NONE,
	APP_WIDGET_LIST,   /* struct ui_list */
	APP_WIDGET_FORM,   /* struct ui_form */
	APP_WIDGET_PAGER,  /* struct ui_pager */
	APP_WIDGET_PROMPT, /* struct ui_prompt */
	APP_WIDGET_DIALOG, /* struct ui_dialog */
	APP_WIDGET_EDITOR, /* struct ui_editor: a note */
	APP_WIDGET_CURSOR, /* struct ui_cursor: rows the screen draws itself, moved as a list's */
};
struct app_focus {
	enum app_widget kind;
	void *widget;
};

/*
 * What an action needs before it may run; the loop checks, so a screen's action
 * functions need not. APP_NEEDS_IDLE: no request of the screen is running. The bits
 * from APP_NEEDS_SCREEN up are the screen's own: its unmet() says which is missing.
 */
enum app_needs {
	APP_NEEDS_IDLE = 1u << 0,
	APP_NEEDS_SCREEN = 1u << 4,
};

/* One action of a screen: {A_BOOK, book_here, NEEDS_FREE_ROW, "book"}. */
struct screen_action {
	enum action action;
	int (*run)(struct app *app, void *state); /* returns enum app_result */
	unsigned needs;				  /* enum app_needs and the screen's bits */
	const char *hint;			  /* a word for the hint line, or NULL */
};

/*
 * A screen. STATE is what enter() returned; the loop hands it back to every
 * call. Screens receive named actions through their action table, never raw keys;
 * typed text goes to the focused form or prompt, and changed() follows it.
 */
struct screen_ops {
	const char *name;    /* for the registry and the ":" command line */
	const char *title;   /* shown in the top line */
	const char *context; /* keymap context tried before the widget's and "global" */
	const char *module;  /* fhir_modules[] name the server must support, or NULL */
	unsigned needs;	     /* enum screen_needs */
	void *(*enter)(struct app *app, void *arg);
	void (*leave)(struct app *app, void *state);
	/* Draw the body: rows [0, LINES-2) of WIN belong to the screen, minus the banner. */
	void (*draw)(struct app *app, void *state, WINDOW *win, int top, int rows);
	/*
	 * Optional: the keymap context of a cursor the screen draws itself, with no widget
	 * object for `widget` ("list" for home's module list), or NULL.
	 */
	const char *(*focus)(struct app *app, void *state);
	/* Optional: where the terminal cursor belongs (an input field), or false. */
	bool (*cursor)(struct app *app, void *state, int *y, int *x);
	/* Optional: the screen is on top again, the one above it left (a chooser it pushed). */
	void (*resume)(struct app *app, void *state);
	/* Optional: true while the screen holds input not yet saved (quit asks first). */
	bool (*unsaved)(struct app *app, void *state);

	/*
	 * NULL when the screen opens with no argument (the ":" line and jump keys may open
	 * it); else what opening it needs, said when it is named ("choose a slot on the
	 * schedule first"): it is opened by its module's typed open function only.
	 */
	const char *needs_arg;
	/* The screen's actions, ended by { A_NONE }; tried before its widget's and the global ones. */
	const struct screen_action *actions;
	/* Optional: why the screen's own need NEED (one bit) is not met now, or NULL when it is. */
	const char *(*unmet)(struct app *app, void *state, unsigned need);
	/* Optional: the widget in focus. */
	struct app_focus (*widget)(struct app *app, void *state);
	/* Optional: the focused widget took a key (A_NONE: typed text) or action A. */
	void (*changed)(struct app *app, void *state, enum action a);
};

/* The registry: every screen, NULL-terminated, from screens/ via main. */
struct app_config {
	const struct cfg *cfg;
	const char *profile_name; /* -p, or NULL */
	const struct screen_ops *const *screens;
	const char *home;	  /* the screen shown after login */
	/* Run once a session, NULL-terminated or NULL, after the capability read behind home
	 * and once the user waits for nothing (no key held, no request, no screen's timer):
	 * a module starts its background reads (app_request, .background, no state). */
	void (*const *on_ready)(struct app *app);
	/* The print helper forked at start-up (src/confine/printer.h), or NULL: no printing. */
	struct printer *printer;
};

/* Run until the user quits or the terminal goes away. Returns the exit status. */
int app_run(const struct app_config *config);

/* For screens. */
struct fhir_client *app_fhir(struct app *app);
const struct fhir_caps *app_caps(struct app *app);
const struct cfg_profile *app_profile(struct app *app);
/* Who is logged in: the client certificate's subject CN, or NULL before the login. */
const char *app_user(struct app *app);
/*
 * Under SMART on FHIR, the user the session's token names (its fhirUser as "Type/id":
 * "Practitioner/123"), whoever's certificate it is; NULL without one (mTLS only, or a
 * token that named no one).
 */
const char *app_fhir_user(struct app *app);
const struct keymap *app_keymap(struct app *app);
const struct screen_ops *const *app_screens(struct app *app);

/*
 * Open the screen OPS on top (ARG goes to its enter()): a module's typed open function
 * calls this. 0, or -1 with a status message set (not connected, no patient, the server
 * lacks the module, too many screens).
 */
int app_open(struct app *app, const struct screen_ops *ops, void *arg);
/* Leave STATE's screen once the current key or answer is handled, if it is still on top. */
void app_leave(struct app *app, void *state);
/*
 * Leave STATE's screen now, from one of its own request callbacks, when it is on top
 * (else as app_leave): its state is freed, so the caller must not touch it after.
 */
void app_close(struct app *app, void *state);
/* The screen below the top one, for help: its ops and focused widget context, or NULL. */
const struct screen_ops *app_below(struct app *app);
const char *app_below_focus(struct app *app);

/*
 * Do A as if its key had been pressed on the top screen. False when nothing there takes A:
 * neither the screen (which says why when it refuses), its widget, nor the loop.
 */
bool app_do(struct app *app, enum action a);

/*
 * The first key that does A on the top screen, as the live keymap binds it ("F2"), into
 * BUF; false (and "") when no key reaches it there. For text that names a key.
 */
bool app_key_for(struct app *app, enum action a, char *buf, size_t size);

/* The status line: a message until the next key press. */
void app_status(struct app *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void app_error(struct app *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void app_dirty(struct app *app);

/*
 * A one-line chooser on the status line, for a choice among many (whose schedule):
 * PROMPT, then the N CHOICES (copied) from SELECTED on; typing filters them (any part,
 * any case), arrows and Tab move, Enter chooses, Esc cancels. DONE gets the index chosen,
 * or -1 for none; it is not called when the screen STATE belongs to has gone.
 */
typedef void (*app_chosen_fn)(struct app *app, void *state, long chosen);

/*
 * What a module keeps for the whole session, read once and shared by its screens (the
 * list of schedules): DATA under NAME, replacing (and freeing with its FREE_FN) what was
 * kept before; freed at the end of the session. Memory only. app_kept: NAME's data or NULL.
 */
void app_keep(struct app *app, const char *name, void *data, void (*free_fn)(void *data));
void *app_kept(struct app *app, const char *name);
void app_choose(struct app *app, void *state, const char *prompt, const char *const *choices,
    size_t n, size_t selected, app_chosen_fn done);

/* The current patient shared by every screen (a FHIR Patient, owned by the app), or NULL. */
const cJSON *app_patient(struct app *app);
void app_set_patient(struct app *app, const cJSON *patient);
/* The id of the last patient opened this session (for Space at the patient prompt), or NULL. */
const char *app_last_patient(struct app *app);
/* The audit trail; a failure to write it is shown and returned. */
int app_audit(struct app *app, const char *action, const char *type, const char *id);
/*
 * Send LEN bytes of TEXT to the profile's print_command and wait for it to finish.
 * 0, or -1 with the reason on the status line. The caller writes the "export" audit
 * line first.
 */
int app_print(struct app *app, const char *text, size_t len);
/*
 * One screen view that shows N records of TYPE (a schedule's patients): one audit
 * line listing their ids, or several when they do not fit (audit_log_ids). Only
 * "view" takes a list. As app_audit: 0, or nonzero with the failure on the status
 * line, and then the screen must not show those records.
 */
int app_audit_ids(struct app *app, const char *action, const char *type, const char *const *ids,
    size_t n);

/*
 * Requests: one call for a read, a search, a page, a batch of reads or a plan (every
 * write). It returns a handle (never 0) that covers every step of the request: Esc,
 * or app_cancel(), stops all of them. DONE runs exactly once, from the loop and never
 * before app_request() returns, unless the request no longer matters: its screen has
 * been left, or a newer request of the same screen with the same SLOT (a search typed
 * further) superseded it. A cancelled request reaches DONE with status FHIR_CANCELLED.
 * LABEL shows on the status line with elapsed time and bytes while it runs.
 *
 *   app_request(app, s, &(struct app_request){ .search = q, .done = on_found,
 *       .slot = "search", .label = "Searching" });
 *
 * TAG is handed back to DONE, for what the screen must know of this request.
 */
typedef void (*app_done_fn)(struct app *app, void *state, struct fhir_result *result,
    unsigned long tag);
struct fhir_plan;
struct app_request {
	/* What to ask: exactly one of these. */
	const char *read;	   /* "Type/id" */
	const char *if_none_match; /* with read: the version held, for a 304 */
	const struct fhir_search *search;
	const char *page;	    /* a Bundle's next link */
	const struct cJSON *batch;  /* a batch Bundle of GETs */
	struct fhir_plan *plan;	    /* writes; taken: a transaction, or steps where the server has none */
	bool metadata;		    /* the CapabilityStatement (login) */
	/*
	 * The app's own work behind the screens (the audit trail's server copy): never
	 * on the status line, never cancelled by Esc, not counted as the screen's.
	 */
	bool background;
	/* What to do with the answer. */
	app_done_fn done;
	unsigned long tag;
	const char *slot;
	const char *label;
};
uint64_t app_request(struct app *app, void *state, const struct app_request *req);
/* Cancel the request HANDLE if it still runs (DONE gets FHIR_CANCELLED); true when it ran. */
bool app_cancel(struct app *app, uint64_t handle);
/* Requests of STATE's screen still running. */
size_t app_requests(struct app *app, void *state);
/*
 * From an action: the key that ran it is not done yet: the action started what it waits
 * for (Enter on a list of an older search: the search for what is typed now). The key,
 * and those typed after it, are applied again once the screen's requests are done.
 */
void app_again(struct app *app);
/*
 * True while keys typed ahead are applied: the user typed them while waiting, so the
 * pause that marks the end of typing has passed already (a search can go at once).
 */
bool app_typed_ahead(const struct app *app);

/* A one-shot timer for STATE's screen (debounce): FN runs after MS unless re-armed or the screen left. */
typedef void (*app_timer_fn)(struct app *app, void *state);
void app_timer(struct app *app, void *state, int ms, app_timer_fn fn);

/*
 * A clinical note's signature. PASS (taken: wiped and freed) must prove the key's
 * passphrase again, as the idle lock asks it (the lock passphrase for a key without one);
 * then the session's client key signs LEN bytes at BYTES naming TARGET, with the profile's
 * client_cert (jws_sign_file). The JWS (the caller frees it), or NULL with *CAUSE (freed
 * by the caller): a wrong passphrase is audited as a failed unlock and signs nothing.
 */
struct secret;
char *app_sign(struct app *app, struct secret **pass, const char *target, const void *bytes,
    size_t len, char **cause);
/*
 * The authorities a note's signer must chain to: the certificates of the profile's
 * ca_file, the one that issues the clinic's client certificates. NULL with *CAUSE.
 */
struct jws_trust;
struct jws_trust *app_sign_trust(struct app *app, char **cause);

#endif
