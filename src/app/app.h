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

/* What a handler asks the loop to do next; bits, as htop's HandlerResult. */
enum app_result {
	APP_IGNORED = 0, /* not mine: try the next handler */
	APP_HANDLED = 1 << 0,
	APP_REDRAW = 1 << 1, /* redraw the body */
	APP_LEAVE = 1 << 2,  /* pop this screen */
};

/* Preconditions checked by the loop before a screen is entered, not by every screen. */
enum screen_needs {
	SCREEN_NEEDS_ONLINE = 1 << 0,  /* a connected session */
	SCREEN_NEEDS_PATIENT = 1 << 1, /* a current patient */
};

/*
 * A screen. STATE is what enter() returned; the loop hands it back to every
 * call. Screens receive named actions, never raw keys (text() gets the
 * printable characters a screen with an input field wants).
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
	int (*action)(struct app *app, void *state, enum action a);
	/* Optional: printable text typed while this screen has an input focused. */
	int (*text)(struct app *app, void *state, int key);
	/* Optional: the widget context in focus ("list", "form", "prompt"), or NULL. */
	const char *(*focus)(struct app *app, void *state);
	/* Optional: where the terminal cursor belongs (an input field), or false. */
	bool (*cursor)(struct app *app, void *state, int *y, int *x);
	/* Optional: the screen is on top again, the one above it left (a chooser it pushed). */
	void (*resume)(struct app *app, void *state);
	/* Optional: true while the screen holds input not yet saved (quit asks first). */
	bool (*unsaved)(struct app *app, void *state);
};

/* The registry: every screen, NULL-terminated, from screens/ via main. */
struct app_config {
	const struct cfg *cfg;
	const char *profile_name; /* -p, or NULL */
	const struct screen_ops *const *screens;
	const char *home;	  /* the screen shown after login */
};

/* Run until the user quits or the terminal goes away. Returns the exit status. */
int app_run(const struct app_config *config);

/* For screens. */
struct fhir_client *app_fhir(struct app *app);
const struct fhir_caps *app_caps(struct app *app);
const struct cfg_profile *app_profile(struct app *app);
const struct keymap *app_keymap(struct app *app);
const struct screen_ops *const *app_screens(struct app *app);

/* Push the screen named NAME (ARG goes to its enter()); 0, or -1 with a status message set. */
int app_push(struct app *app, const char *name, void *arg);
/* Leave STATE's screen once the current key or answer is handled, if it is still on top. */
void app_leave(struct app *app, void *state);
/* The screen below the top one, for help: its ops and focused widget context, or NULL. */
const struct screen_ops *app_below(struct app *app);
const char *app_below_focus(struct app *app);

/* The status line: a message until the next key press. */
void app_status(struct app *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void app_error(struct app *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void app_dirty(struct app *app);

/* The current patient shared by every screen (a FHIR Patient, owned by the app), or NULL. */
const cJSON *app_patient(struct app *app);
void app_set_patient(struct app *app, const cJSON *patient);
/* The id of the last patient opened this session (for Space at the patient prompt), or NULL. */
const char *app_last_patient(struct app *app);
/* The audit trail; a failure to write it is shown and returned. */
int app_audit(struct app *app, const char *action, const char *type, const char *id);

/*
 * Requests. A ticket ties a FHIR request to the screen that made it: the answer
 * is dropped when that screen has been left, or when a newer request with the
 * same SLOT (a search typed further) replaced it. LABEL shows on the status line
 * with elapsed time and bytes while the request runs; Esc cancels it.
 *
 *   struct app_ticket *t = app_ticket_new(app, state, on_found, 0, "patient-search", "Searching");
 *   app_ticket_track(t, fhir_search(app_fhir(app), s, app_ticket_done, t));
 *
 * TAG is handed back to DONE, for what the screen must know of this request
 * (a list's page ticket, say).
 */
typedef void (*app_done_fn)(struct app *app, void *state, struct fhir_result *result,
    unsigned long tag);
struct app_ticket;
struct app_ticket *app_ticket_new(struct app *app, void *state, app_done_fn done,
    unsigned long tag, const char *slot, const char *label);
void app_ticket_track(struct app_ticket *t, uint64_t request_id);
void app_ticket_done(struct fhir_result *result, void *ticket);
/* Requests of STATE's screen still running. */
size_t app_requests(struct app *app, void *state);

/* A one-shot timer for STATE's screen (debounce): FN runs after MS unless re-armed or the screen left. */
typedef void (*app_timer_fn)(struct app *app, void *state);
void app_timer(struct app *app, void *state, int ms, app_timer_fn fn);

#endif
