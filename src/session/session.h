/* A connection to one profile's server: key unlocked, HTTP and FHIR clients, server capabilities. */
#ifndef EHRTERM_SESSION_SESSION_H
#define EHRTERM_SESSION_SESSION_H

#include "cfg/cfg.h"
#include "fhir/capability.h"
#include "fhir/fhir.h"
#include "keyring/keyring.h"
#include "net/http.h"
#include "util/secret.h"

/*
 * Why a session could not be had, one class per thing the user must fix. The
 * values are ehrterm's exit codes for --check (see ehrterm(1)).
 */
enum session_failure {
	SESSION_OK = 0,
	SESSION_CONFIG = 3,  /* configuration file, profile, file permissions */
	SESSION_TLS = 4,     /* the server's certificate, pin or TLS version */
	SESSION_AUTH = 5,    /* our certificate, key or passphrase, or the server refused us */
	SESSION_SERVER = 6,  /* the server answered, but not usefully */
	SESSION_NETWORK = 7, /* no connection, or it dropped or timed out */
	SESSION_KEYRING = 8, /* the keyring failed where it was needed */
};

struct preconnect;

struct session {
	const struct cfg_profile *profile; /* borrowed from the struct cfg */
	char *user;			   /* CN of the client certificate */
	/*
	 * The client key, decrypted once from the checked file (tlskey_decrypt), as
	 * PEM in locked memory; NULL until session_set_passphrase. The passphrase
	 * itself is wiped as soon as it has opened the key.
	 */
	struct secret *key;
	struct http_client *http;
	struct fhir_client *fhir;
	struct fhir_caps *caps; /* NULL until discovered */
	/* The server's TCP connection while the passphrase is typed (session_preconnect). */
	struct preconnect *preconnect;
};

/* What to do about a failure class, one sentence. */
const char *session_failure_hint(enum session_failure failure);
const char *session_failure_name(enum session_failure failure);
enum session_failure session_failure_of(enum http_error error);

/*
 * Check the profile's files, unlock the client key (keyring, else PROMPT), and
 * make the clients; nothing is sent yet. Returns 0 with *OUT set, or the failure
 * class with *CAUSE set. The three steps below, for the full-screen login.
 */
enum session_failure session_open(const struct cfg_profile *profile,
    const struct keyring_prompt *prompt, struct session **out, char **cause);

/* Step 1: check the profile's key file and read the user from the certificate. */
enum session_failure session_prepare(const struct cfg_profile *profile, struct session **out,
    char **cause);
/* True when the client key needs a passphrase. */
bool session_needs_passphrase(const struct session *s);
/*
 * A client key without a passphrase is refused (-1 with *CAUSE saying how to fix it)
 * unless the profile sets unencrypted_key = allow; 0 for an encrypted key or an allowed one.
 */
int session_check_key_kind(const struct cfg_profile *p, char **cause);
bool session_key_unencrypted_allowed(const struct cfg_profile *p);
/*
 * Step 2: open the key with PASS (NULL for a plain key) and keep the decrypted
 * key for the connection. PASS is wiped and freed in every case: it is not kept.
 */
enum session_failure session_set_passphrase(struct session *s, struct secret *pass, char **cause);
/* Step 3: make the HTTP and FHIR clients. */
enum session_failure session_connect(struct session *s, char **cause);

/*
 * Open the TCP connection to the server now, while the user types the passphrase;
 * session_connect's client uses it (net/preconnect.h). Nothing happens with a proxy.
 */
void session_preconnect(struct session *s);

/*
 * Read the server's CapabilityStatement, waiting for it (the command-line modes).
 * Returns 0 with session->caps set, or the failure class with *CAUSE set.
 */
enum session_failure session_discover_wait(struct session *s, char **cause);

/*
 * Turn the answer to fhir_metadata() into session->caps. Returns 0, or the
 * failure class with *CAUSE set. For callers that send the request themselves.
 */
enum session_failure session_take_metadata(struct session *s, const struct fhir_result *r,
    char **cause);

void session_close(struct session **sp);

#endif
