/* Login (profile, passphrase), the connection behind home (the capability read), and the idle lock. */
#include "config.h"

#include "app/app-private.h"
#include "confine/confine.h"
#include "keyring/keyring.h"
#include "net/tlskey.h"
#include "sign/jws.h"
#include "ui/ui.h"
#include "util/file.h"
#include "util/xmalloc.h"

#include <stdlib.h>
#include <string.h>

static void on_connected(struct app *app, void *state, struct fhir_result *r, unsigned long tag);
static void login_ready(struct app *app);

static void
login_fail(struct app *app, enum session_failure failure, char *cause)
{
	free(app->login_message);
	app->login_message = xasprintf("%s error: %s. %s.", session_failure_name(failure),
	    cause != NULL ? cause : "failed", session_failure_hint(failure));
	free(cause);
	app->phase = PHASE_FAILED;
	app->dirty = true;
	/*
	 * A failed login is written too (issue 16 item 14): by whom, as far as the certificate
	 * says, when the trail can be opened; a configuration error may leave neither.
	 */
	if (app->audit == NULL && app->session != NULL && app->session->user != NULL) {
		char *why = NULL;

		app->audit = audit_open(NULL, app->session->user, app->profile->name, &why);
		free(why);
	}
	if (app->audit != NULL) {
		/* The screen says why the login failed; a trail that cannot be written is said there too. */
		char *why = NULL;

		if (audit_log(app->audit, "login-failed", NULL, NULL, &why) != 0) {
			char *more = xasprintf("%s (The audit trail cannot be written: %s.)",
			    app->login_message, why);

			free(app->login_message);
			app->login_message = more;
		}
		free(why);
	}
}

/*
 * The key is open: the session starts and home is drawn at once. The connection and the
 * capability read come behind it (app_link_start): on a slow link they take seconds, and
 * nothing on home needs them.
 */
static void
login_open(struct app *app)
{
	char *cause = NULL;
	enum session_failure failure;

	if (app->session->fhir == NULL &&
	    (failure = session_connect(app->session, &cause)) != SESSION_OK) {
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
	if (confine_login(app->profile, &cause) != 0) {
		login_fail(app, SESSION_CONFIG, cause);
		return;
	}
	if (app_smart_enabled(app)) {
		/* The user is the token's: the device login comes before the trail's login line. */
		app->phase = PHASE_DEVICE;
		app_smart_start(app);
		return;
	}
	login_ready(app);
}

/* The device login succeeded: the trail names the token's user from here on. */
void
app_smart_logged_in(struct app *app)
{
	audit_set_user(app->audit, app_smart_user(app));
	login_ready(app);
}

static void
login_ready(struct app *app)
{
	if (app_audit(app, "login", NULL, NULL) != 0) {
		login_fail(app, SESSION_CONFIG, xstrdup("the audit trail cannot be written"));
		return;
	}
	app->phase = PHASE_READY;
	app->last_key = app_now();
	if (app->depth == 0)
		app_open_named(app, app->config->home);
	app_link_start(app);
}

void
app_link_start(struct app *app)
{
	char *label;

	if (app->phase != PHASE_READY || app->link == LINK_CONNECTING || app->link == LINK_UP)
		return;
	app->link = LINK_CONNECTING;
	free(app->link_error);
	app->link_error = NULL;
	label = xasprintf("Connecting to %s", app->profile->base_url);
	/* The app's own, not home's: Esc on home does not stop it, only a key waiting for it. */
	app_request(app, NULL, &(struct app_request){ .metadata = true, .done = on_connected,
	    .slot = "connect", .label = label });
	free(label);
}

/* The profile is chosen: check its files, then the keyring, then ask. */
void
app_login_start(struct app *app)
{
	enum session_failure failure;
	struct secret *pass = NULL;
	char *cause = NULL;

	app_smart_reset(app);
	session_close(&app->session);
	app->link = LINK_NONE;
	ui_set_charset(app->profile->charset);
	if ((failure = session_prepare(app->profile, &app->session, &cause)) != SESSION_OK) {
		login_fail(app, failure, cause);
		return;
	}
	if (!session_needs_passphrase(app->session)) {
		/* Allowed by the profile (session_prepare checked): the lock has its own passphrase. */
		secret_free(&app->lock_passphrase);
		if (keyring_lookup(app->profile->name, KEYRING_LOCK_PASSPHRASE, &app->lock_passphrase,
			&cause) != 0) {
			login_fail(app, SESSION_CONFIG,
			    xasprintf("the key has no passphrase and no lock passphrase is stored for "
				      "profile %s (%s): run ehrterm --store-secret",
				app->profile->name, cause != NULL ? cause : "not found"));
			free(cause);
			return;
		}
		session_set_passphrase(app->session, NULL, &cause);
		free(cause);
		login_open(app);
		return;
	}
	if (keyring_available(&cause)) {
		int found = keyring_lookup(app->profile->name, KEYRING_KEY_PASSPHRASE, &pass, &cause);

		if (found == 0 && session_set_passphrase(app->session, pass, &cause) == SESSION_OK) {
			login_open(app);
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
	/* The TCP handshake needs no key: it is done by the time the passphrase is typed. */
	session_preconnect(app->session);
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
		login_open(app);
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
	char *cause = NULL, *why;

	(void)state;
	(void)tag;
	if (r->status == FHIR_CANCELLED) {
		/* Only at quit: nothing cancels it otherwise. */
		app->link = LINK_NONE;
		return;
	}
	if ((failure = session_take_metadata(app->session, r, &cause)) != SESSION_OK) {
		app->link = LINK_DOWN;
		free(app->link_error);
		app->link_error = xasprintf("%s error: %s. %s.", session_failure_name(failure),
		    cause != NULL ? cause : "failed", session_failure_hint(failure));
		free(cause);
		/* The server refused the certificate: as a login refused, for the trail. */
		if (failure == SESSION_AUTH)
			app_audit(app, "login-failed", NULL, NULL);
		/* The reason first: the status line is cut at the terminal's width. */
		why = xasprintf("Not connected: %s", app->link_error);
		if (!app_held_drop(app, why))
			app_error(app, "%s", why);
		free(why);
		return;
	}
	app->link = LINK_UP;
	app_smart_caps(app);
	app_status(app, "Connected to %s as %s", app->profile->base_url, app_who(app));
	/* A screen opened while connecting was not checked against them. */
	app_modules_check(app);
	/*
	 * The held keys are applied by the loop now that nothing blocks them (held_keys_due),
	 * then the modules' once-a-session reads follow when nothing waits (ready_hooks).
	 */
}

/* --- idle lock ---------------------------------------------------------------------- */

void
app_lock(struct app *app)
{
	if (app->locked || app->phase != PHASE_READY)
		return;
	app->locked = true;
	app->locked_by_key = false;
	app->command_active = false;
	/* Keys typed before the lock are not applied behind it, nor to the unlock prompt. */
	app_held_forget(app);
	app->confirm_quit = false;
	ui_prompt_init(&app->pass_prompt, UI_PROMPT_MAX, true);
	app_audit(app, "lock", NULL, NULL);
	/* A quit asked at the lock must not lose what is open without asking. */
	free(app->status);
	app->status = NULL;
	/* Clear the terminal itself, not only our picture of it. */
	clearok(curscr, TRUE);
	app->dirty = true;
}

/* Whether PASS proves the user is who logged in: the idle lock's test, and signing's. */
static bool
proves(struct app *app, const struct secret *pass)
{
	char *cause = NULL;
	bool ok;

	if (session_needs_passphrase(app->session))
		ok = tlskey_open(app->profile->client_key, secret_str(pass), &cause) == TLSKEY_OPENS;
	else
		ok = app->lock_passphrase != NULL && *secret_str(app->lock_passphrase) != '\0' &&
		    secret_equal(pass, app->lock_passphrase);
	free(cause);
	return ok;
}

static void
unlock_entered(struct app *app)
{
	struct secret *pass = ui_prompt_take_secret(&app->pass_prompt);
	bool ok;

	/*
	 * Proved by opening the key, not by comparing with a copy; a key without a passphrase
	 * by the lock passphrase from the keyring. Never by Enter alone.
	 */
	ok = proves(app, pass);
	secret_free(&pass);
	if (!ok) {
		app_error(app, "%s", session_needs_passphrase(app->session)
			? "That passphrase does not open the key"
			: "That is not the lock passphrase");
		app_audit(app, "unlock-failed", NULL, NULL);
		return;
	}
	app->locked = false;
	app->last_key = app_now();
	app_audit(app, "unlock", NULL, NULL);
	app_status(app, "Unlocked");
}

void
app_login_key(struct app *app, int key)
{
	enum action a;
	size_t n = cfg_profile_count(app->config->cfg);

	if (app->phase == PHASE_PASSPHRASE) {
		a = app_prompt_key(app, &app->pass_prompt, key);
		if (a == A_SELECT)
			login_passphrase_entered(app);
		else if (a == A_BACK || a == A_QUIT)
			app->quit = true;
		return;
	}
	if (app->phase == PHASE_DEVICE) {
		app_smart_key(app, key);
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
			app_login_start(app);
		} else if (a == A_QUIT || a == A_BACK)
			app->quit = true;
		return;
	}
	if (app->phase == PHASE_FAILED) {
		if (key == 'r' || a == A_REFRESH || a == A_SELECT) {
			app->login_tries = 0;
			app_login_start(app);
		} else if (a == A_QUIT || a == A_BACK || key == 'q') {
			app->quit = true;
		}
	}
}

void
app_login_hints(struct app *app, char *buf, size_t size)
{
	char sel[32], back[32], quit[32];

	if (!app_key_for(app, A_SELECT, sel, sizeof sel))
		snprintf(sel, sizeof sel, "Enter");
	if (!app_key_for(app, A_BACK, back, sizeof back))
		snprintf(back, sizeof back, "Esc");
	if (!app_key_for(app, A_QUIT, quit, sizeof quit))
		snprintf(quit, sizeof quit, "q");
	switch (app->phase) {
	case PHASE_PROFILE:
		snprintf(buf, size, "%s choose  %s quit", sel, quit);
		break;
	case PHASE_PASSPHRASE:
		snprintf(buf, size, "%s log in  %s quit", sel, back);
		break;
	case PHASE_DEVICE:
		snprintf(buf, size, "%s cancel the login  %s quit", back, quit);
		break;
	case PHASE_FAILED:
		snprintf(buf, size, "r try again  %s quit", quit);
		break;
	case PHASE_READY:
		buf[0] = '\0';
		break;
	}
}

void
app_login_draw(struct app *app, int *cy, int *cx)
{
	int row = 3;

	switch (app->phase) {
	case PHASE_PROFILE:
		app_draw_title(app, "choose a profile");
		ui_put(stdscr, 2, 2, COLS - 4, "Which server? (Enter chooses, q quits)", UI_NORMAL, false);
		for (size_t i = 0; i < cfg_profile_count(app->config->cfg); i++) {
			const struct cfg_profile *p = cfg_profile_at(app->config->cfg, i);

			ui_putf(stdscr, row++, 2, COLS - 4, i == app->profile_cursor ? UI_SELECTED : UI_NORMAL,
			    true, "%-20s %s", p->name, p->base_url);
		}
		break;
	case PHASE_PASSPHRASE:
		app_draw_title(app, "log in");
		if (app->keyring_notice != NULL)
			ui_put(stdscr, 2, 2, COLS - 4, app->keyring_notice, UI_DIM, false);
		ui_putf(stdscr, 4, 2, COLS - 4, UI_NORMAL, false, "Profile %s, %s", app->profile->name,
		    app->profile->base_url);
		ui_putf(stdscr, 6, 2, COLS - 4, UI_NORMAL, false, "Passphrase for %s:",
		    app->profile->client_key);
		ui_prompt_draw(&app->pass_prompt, stdscr, 7, 2, COLS - 4 < 60 ? COLS - 4 : 60, cx);
		*cy = 7;
		break;
	case PHASE_FAILED:
		app_draw_title(app, "log in");
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
	case PHASE_DEVICE:
		app_draw_title(app, "log in");
		app_smart_draw(app);
		break;
	case PHASE_READY:
		break;
	}
}


void
app_unlock_key(struct app *app, int key)
{
	if (app_smart_relogin(app)) {
		app_smart_key(app, key);
		return;
	}
	switch (app_prompt_key(app, &app->pass_prompt, key)) {
	case A_SELECT:
		unlock_entered(app);
		break;
	case A_BACK:
		/* There is nowhere to go back to: Esc starts the passphrase again. */
		ui_prompt_clear(&app->pass_prompt);
		ui_prompt_init(&app->pass_prompt, UI_PROMPT_MAX, true);
		app_status(app, "Passphrase cleared: type it again");
		break;
	default:
		break;
	}
}

/* --- a clinical note's signature --------------------------------------------------------- */

char *
app_sign(struct app *app, struct secret **pass, const char *target, const void *bytes,
    size_t len, char **cause)
{
	bool ok = app->phase == PHASE_READY && app->session != NULL && app->session->key != NULL &&
	    proves(app, *pass);

	secret_free(pass);
	*cause = NULL;
	if (!ok) {
		/* A failed proof of who signs is a failed re-authentication, as the lock's. */
		app_audit(app, "unlock-failed", NULL, NULL);
		*cause = xstrdup(app->session == NULL || session_needs_passphrase(app->session)
			? "that passphrase does not open the key"
			: "that is not the lock passphrase");
		return NULL;
	}
	app->last_key = app_now();
	return jws_sign_file(app->session->key, app->profile->client_cert, &cfg_policy_cert, target,
	    bytes, len, cause);
}

/* The PEM a CA file may hold at most: a bundle of a few dozen authorities. */
#define TRUST_FILE_MAX (1024 * 1024)

struct jws_trust *
app_sign_trust(struct app *app, char **cause)
{
	struct jws_trust *t;
	char *pem = NULL;
	size_t len = 0;

	*cause = NULL;
	if (app->profile == NULL || app->profile->ca_file == NULL) {
		*cause = xstrdup("the profile names no ca_file");
		return NULL;
	}
	if (file_read(app->profile->ca_file, &cfg_policy_ca, TRUST_FILE_MAX, &pem, &len, cause) != 0)
		return NULL;
	if (len > TRUST_FILE_MAX) {
		free(pem);
		*cause = xstrdup("the ca_file is too long to read");
		return NULL;
	}
	t = jws_trust_new(pem, len, cause);
	free(pem);
	return t;
}
