/* The OS keyring (Secret Service over D-Bus): where a profile's key passphrase and token live. */
#ifndef EHRTERM_KEYRING_KEYRING_H
#define EHRTERM_KEYRING_KEYRING_H

#include <stdbool.h>

#include "util/secret.h"

/*
 * Items are stored under ehrterm's own schema, "org.ehrterm.Secret", with the
 * attributes "profile" (the profile's name) and "kind" (keyring_kind_name), so at
 * most one of each kind per profile; a secret kept per user (the *_user calls) has a
 * third, "user", so at most one of each kind per profile and user. They go to the
 * default collection ("login").
 */
enum keyring_kind {
	KEYRING_KEY_PASSPHRASE, /* "key-passphrase": the client key's passphrase */
	KEYRING_BEARER_TOKEN,   /* "bearer-token": an OAuth bearer token */
	KEYRING_LOCK_PASSPHRASE, /* "lock-passphrase": what unlocks the idle lock, for a key without one */
	/*
	 * "refresh-token": a SMART login's OAuth refresh token, kept per user (the *_user
	 * calls only; the others and keyring_get refuse it): never asked of anyone.
	 */
	KEYRING_REFRESH_TOKEN,
};

/* The "kind" attribute's value for KIND, or NULL for a value outside the enum. */
const char *keyring_kind_name(enum keyring_kind kind);

/*
 * Every call below runs in a short-lived child process that talks to the Secret Service
 * and exits, so the caller never starts GLib's threads (Landlock would not bind threads
 * that run before confinement); a secret found comes back over a pipe into locked
 * memory. The caller must not use GLib's D-Bus or main loop itself: the child would
 * inherit GLib's state without its threads and wait on them.
 *
 * Every call below gives up with a sentence after MS milliseconds (and a quarter
 * second's grace), even when the Secret Service hangs mid-call. The default, 10 s,
 * leaves time to answer an unlock prompt on a desktop. Whether a service answers at
 * all is settled within the first 3 s (or MS, when shorter). 0 restores the default.
 */
void keyring_set_timeout(unsigned int ms);

/*
 * Whether a Secret Service answers on the D-Bus session bus; it may be started (D-Bus
 * activation) to find out. False with *WHY set to a sentence the caller frees, for
 * example "no Secret Service is running (plain SSH session?)". WHY may be NULL.
 */
bool keyring_available(char **why);

/*
 * Store SECRET (not empty, no NUL byte) for PROFILE, replacing one stored before.
 * Labelled "ehrterm key passphrase for profile NAME" (or "ehrterm bearer token ...")
 * in keyring programs. Returns 0, or -1 with *CAUSE set.
 */
int keyring_store(
    const char *profile, enum keyring_kind kind, const struct secret *secret, char **cause);

/*
 * Look up the secret for PROFILE. Returns 0 with *OUT set (the caller frees it with
 * secret_free), 1 when none is stored, -1 with *CAUSE set.
 */
int keyring_lookup(const char *profile, enum keyring_kind kind, struct secret **out, char **cause);

/* Delete the secret for PROFILE. Returns 0 when deleted, 1 when none was stored, -1 with *CAUSE. */
int keyring_forget(const char *profile, enum keyring_kind kind, char **cause);

/*
 * As keyring_store, keyring_lookup and keyring_forget, for one USER of PROFILE (not
 * empty, UTF-8: the fhirUser of a SMART login, say). Labelled "ehrterm refresh token for
 * profile NAME, user USER". A lookup or forget finds only USER's.
 */
int keyring_store_user(const char *profile, const char *user, enum keyring_kind kind,
    const struct secret *secret, char **cause);
int keyring_lookup_user(const char *profile, const char *user, enum keyring_kind kind,
    struct secret **out, char **cause);
int keyring_forget_user(
    const char *profile, const char *user, enum keyring_kind kind, char **cause);

/*
 * What keyring_get needs from its caller, which owns the terminal or the screen; the
 * keyring module never draws or prints.
 */
struct keyring_prompt {
	/* Ask the user for a secret with QUESTION; 0 with *OUT set, or -1 with *CAUSE set. */
	int (*ask)(void *arg, const char *question, struct secret **out, char **cause);
	/* Tell the user SENTENCE (why the keyring is not used); called once per process. */
	void (*notice)(void *arg, const char *sentence);
	void *arg;
};

/* Where keyring_get found the secret. */
enum keyring_source {
	KEYRING_SOURCE_KEYRING, /* it was stored */
	KEYRING_SOURCE_USER,    /* the user typed it: nothing stored, or no keyring */
};

/*
 * The secret for PROFILE for this session: the stored one, else asked of the user.
 * When the keyring cannot be used, the first call tells the user why (PROMPT->notice)
 * and every call asks; what the user types is kept only in *OUT, never written
 * anywhere. Storing it is the caller's choice (keyring_store) when *SOURCE says it
 * came from the user and keyring_available is true. SOURCE may be NULL.
 * Returns 0 with *OUT set, or -1 with *CAUSE set (the user cancelled, for example).
 */
int keyring_get(const char *profile, enum keyring_kind kind, const struct keyring_prompt *prompt,
    struct secret **out, enum keyring_source *source, char **cause);

#endif
