/*
 * SMART on FHIR login, the client's side of the protocol: discovery, the device
 * authorization grant (RFC 8628), tokens, refresh and revocation (RFC 7009), SMART v2
 * scopes. Sans I/O: it says which request to make and reads the answer; the caller sends
 * it (src/net/http) and passes the clock, so every step is testable without a network.
 *
 * Every sentence it hands back (*cause, oauth_device_message) is safe to show: fixed
 * words, with at most a server's error code and description that passed RFC 6749's
 * character set (printable ASCII, no quote or backslash) and a length bound, and a
 * description only when no word of it is long enough to be a token echoed back. No
 * sentence ever holds a token, a device code or a user code.
 */
#ifndef EHRTERM_NET_OAUTH_H
#define EHRTERM_NET_OAUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "net/http.h"
#include "util/secret.h"

/* The longest URL taken from a server (endpoints, verification URIs). */
#define OAUTH_URL_MAX 2048
/* The longest answer read; a discovery document or a token answer is far smaller. */
#define OAUTH_ANSWER_MAX (256 * 1024)
/* The longest tokens taken (an access token goes into every request's header). */
#define OAUTH_ACCESS_TOKEN_MAX 16383
#define OAUTH_REFRESH_TOKEN_MAX 8192
/* The longest user code shown (RFC 8628 suggests 8 characters). */
#define OAUTH_USER_CODE_MAX 64
/* RFC 8628 3.2: the poll interval when the server gives none; 3.5: slow_down adds this. */
#define OAUTH_DEVICE_INTERVAL 5
#define OAUTH_SLOW_DOWN_STEP 5
/* Bounds put on what a server says, in seconds. */
#define OAUTH_INTERVAL_MAX 600
#define OAUTH_DEVICE_CODE_LIFE_MAX (24 * 3600)
#define OAUTH_TOKEN_LIFE_MAX (365 * 24 * 3600)

/* ------------------------------------------------------------------------------------- */
/* Requests and answers                                                                  */

/*
 * A request to make: always a POST of an application/x-www-form-urlencoded body to the
 * authorization server, with oauth_request_headers. The body holds a device code or a
 * refresh token, so it is in locked memory; clear it when the request is answered.
 */
struct oauth_request {
	enum http_method method;
	char *url;
	struct secret *body;
};

/* "Content-Type: application/x-www-form-urlencoded", "Accept: application/json", NULL. */
extern const char *const oauth_request_headers[];

/* Free what R holds and zero it; R may be zeroed already. */
void oauth_request_clear(struct oauth_request *r);

/*
 * R as http_submit takes it, borrowing R's strings (keep R until http_submit returns).
 * Never retried automatically: a poll or a refresh is not sent twice behind the caller.
 */
struct http_request oauth_request_http(const struct oauth_request *r);

/* What a failed exchange means for the caller. */
enum oauth_error {
	OAUTH_ERR_NONE = 0,
	OAUTH_ERR_REFUSED, /* the server said no (invalid_grant, invalid_client...): log in again */
	OAUTH_ERR_SERVER,  /* the server failed or answered nonsense: try again later */
};

/* ------------------------------------------------------------------------------------- */
/* Discovery                                                                             */

/* SMART capabilities ehrterm knows of (oauth_server.capabilities), as bits. */
enum oauth_capability {
	OAUTH_CAP_PERMISSION_V2 = 1u << 0,      /* "permission-v2": v2 scopes (.cruds) */
	OAUTH_CAP_PERMISSION_V1 = 1u << 1,      /* "permission-v1" */
	OAUTH_CAP_PERMISSION_USER = 1u << 2,    /* "permission-user": user/ scopes */
	OAUTH_CAP_PERMISSION_OFFLINE = 1u << 3, /* "permission-offline": refresh tokens */
	OAUTH_CAP_CLIENT_PUBLIC = 1u << 4,      /* "client-public" */
	OAUTH_CAP_SSO_OPENID_CONNECT = 1u << 5, /* "sso-openid-connect": an id_token */
};

/* Grant types the server lists in grant_types_supported, as bits. */
enum oauth_grant {
	OAUTH_GRANT_DEVICE_CODE = 1u << 0, /* urn:ietf:params:oauth:grant-type:device_code */
	OAUTH_GRANT_REFRESH_TOKEN = 1u << 1,
	OAUTH_GRANT_AUTHORIZATION_CODE = 1u << 2,
	OAUTH_GRANT_CLIENT_CREDENTIALS = 1u << 3,
};

/*
 * What ehrterm takes from the SMART configuration and the authorization server's
 * metadata. Every URL is https, at most OAUTH_URL_MAX, printable ASCII, without
 * credentials or a fragment. Where the server gives RFC 8705 mtls_endpoint_aliases the
 * alias is kept instead of the plain endpoint: ehrterm always presents its certificate,
 * and the alias is where a server binds tokens to it.
 */
struct oauth_server {
	char *issuer;              /* NULL when not given */
	char *token_endpoint;      /* never NULL once read */
	char *device_endpoint;     /* device_authorization_endpoint; NULL when none */
	char *revocation_endpoint; /* NULL when none */
	unsigned capabilities;     /* enum oauth_capability bits */
	unsigned grants;           /* enum oauth_grant bits; 0 when the server lists none */
	bool grants_listed;        /* grant_types_supported was given */
	bool cert_bound;           /* tls_client_certificate_bound_access_tokens: true */
};

/* "BASE/.well-known/smart-configuration" for the FHIR base URL (https); NULL when not https. */
char *oauth_discovery_url(const char *fhir_base);

/*
 * Read the SMART configuration document (LEN bytes at BODY) into *S, which is zeroed
 * first. 0, or -1 with *CAUSE set and *S empty. A token endpoint is required; the
 * device endpoint may come later from the authorization server's metadata.
 */
int oauth_server_read(struct oauth_server *s, const char *body, size_t len, char **cause);

/* Whether the server's metadata must be read for a device endpoint: none yet, an issuer known. */
bool oauth_server_needs_metadata(const struct oauth_server *s);

enum oauth_metadata_kind {
	OAUTH_METADATA_RFC8414, /* https://host/.well-known/oauth-authorization-server/path */
	OAUTH_METADATA_OIDC,    /* ISSUER/.well-known/openid-configuration (OpenID Discovery) */
};

/* Where the metadata of ISSUER is (try RFC 8414's, then OpenID's on a 404); NULL when not https. */
char *oauth_metadata_url(const char *issuer, enum oauth_metadata_kind kind);

/*
 * Add the authorization server's metadata (RFC 8414 or OpenID Discovery) to *S: what the
 * SMART configuration gave stays, what it lacked is filled in. The metadata's issuer
 * must be S's, exactly (RFC 8414 3.3). 0, or -1 with *CAUSE set and *S unchanged.
 */
int oauth_server_add_metadata(struct oauth_server *s, const char *body, size_t len, char **cause);

/*
 * 0 when S offers a device login, else -1 with *CAUSE set: "this server's SMART
 * configuration offers no device login" when it has no device endpoint.
 */
int oauth_server_check(const struct oauth_server *s, char **cause);

/* One line for --check: the endpoints, certificate binding, capabilities. Caller frees. */
char *oauth_server_describe(const struct oauth_server *s);

void oauth_server_clear(struct oauth_server *s);

/* ------------------------------------------------------------------------------------- */
/* Who asks                                                                              */

/* What every request to the token endpoint needs; borrowed by the calls that take it. */
struct oauth_client {
	const struct oauth_server *server;
	const char *client_id; /* a public client authenticated by its certificate (RFC 8705) */
	const char *scope;     /* the scope asked for (oauth_scope_request) */
	/*
	 * The user logged in (oauth_tokens.fhir_user) or NULL. When set, a token for another
	 * is refused, and a device login (the idle lock's or a failed refresh's login again)
	 * must also name that user; a refresh answer that names no one keeps the session's.
	 */
	const char *user;
};

/* ------------------------------------------------------------------------------------- */
/* Tokens                                                                                */

struct oauth_tokens {
	struct secret
	    *access; /* the access token: RFC 6750 b64token, for "Authorization: Bearer" */
	struct secret *refresh; /* NULL when none came: a refresh keeps the one it used */
	double expires_at; /* the caller's clock: now + expires_in; 0 when the server gave none */
	char *scope;       /* granted: as answered, else the scope asked for (RFC 6749 5.1) */
	/*
	 * Who logged in: the fhirUser of the answer or of its id_token, as given (a
	 * relative "Practitioner/123" or an absolute URL), and its last "Type/id", checked:
	 * Practitioner, PractitionerRole, Patient, RelatedPerson or Person, and a FHIR id.
	 * NULL when neither says.
	 */
	char *fhir_user;
	char *fhir_user_ref;
};

/*
 * Read a token endpoint's answer (HTTP STATUS, LEN bytes at BODY) to C's request, at
 * time NOW. 200 with a Bearer token: 0 with *OUT set. Otherwise -1 with *CAUSE set and
 * *KIND (may be NULL) saying whether to log in again or try later; *OUT is zeroed.
 */
int oauth_tokens_read(const struct oauth_client *c, double now, long status, const char *body,
    size_t len, struct oauth_tokens *out, enum oauth_error *kind, char **cause);

/*
 * "Authorization: Bearer TOKEN" for T's access token, in locked memory (for a request's
 * headers; the caller frees it with secret_free). NULL when T holds none.
 */
struct secret *oauth_bearer_header(const struct oauth_tokens *t);

/* Whether T's access token expires within MARGIN seconds of NOW; false when its life is unknown. */
bool oauth_tokens_expiring(const struct oauth_tokens *t, double now, double margin);

/* Wipe and free what T holds; T is zeroed. */
void oauth_tokens_clear(struct oauth_tokens *t);

/* The refresh (grant_type=refresh_token) of REFRESH for C. 0 with *REQ set, or -1 with *CAUSE. */
int oauth_refresh_request(const struct oauth_client *c, const struct secret *refresh,
    struct oauth_request *req, char **cause);
/* Its answer is read by oauth_tokens_read, with C->user set to the user logged in. */

/*
 * The revocation (RFC 7009) of REFRESH, token_type_hint=refresh_token. -1 with *CAUSE
 * when the server has no revocation endpoint (then forget the token here only).
 */
int oauth_revoke_request(const struct oauth_client *c, const struct secret *refresh,
    struct oauth_request *req, char **cause);

/* Its answer: 0 when revoked (200; RFC 7009 2.2: also for a token already invalid), else -1. */
int oauth_revoke_read(long status, const char *body, size_t len, char **cause);

/* ------------------------------------------------------------------------------------- */
/* The device authorization grant (RFC 8628)                                             */
/*
 * How the app runs a login, none of it blocking (NOW is the app's monotonic clock,
 * app_now(), in seconds):
 *
 *   d = oauth_device_new(&client, &cause);        a sentence when the server offers none
 *   oauth_device_next(d, now, &req) == 0          the first request: submit it
 *                                                  (oauth_request_http), then clear req
 *   on its answer: oauth_device_answer(d, now, status, body, len)
 *   on no answer:  oauth_device_lost(d, now)
 *   then, by oauth_device_state(d):
 *     WAITING   show oauth_device_code(d) (user code, URIs, QR of the complete one) and
 *               oauth_device_remaining(d, now) as "valid for 12:34"; a timer of
 *               oauth_device_wait(d, now) s, then oauth_device_next again: 0 is a poll to
 *               submit, -1 is EXPIRED (the code ran out). oauth_device_message(d), when
 *               not NULL, says a poll is being tried again.
 *     DONE      oauth_device_take_tokens(d, &tokens); store tokens.refresh
 *               (keyring_store_user, per profile and tokens.fhir_user)
 *     DENIED, EXPIRED, FAILED
 *               show oauth_device_message(d); a new login starts a new flow
 *   Esc: cancel the request out (http_cancel) and oauth_device_free(&d).
 */

enum oauth_device_state {
	OAUTH_DEVICE_START,   /* nothing asked yet: oauth_device_next gives the first request */
	OAUTH_DEVICE_ASKING,  /* the device authorization request is out */
	OAUTH_DEVICE_WAITING, /* the code is shown; poll when oauth_device_wait says */
	OAUTH_DEVICE_POLLING, /* a poll is out */
	OAUTH_DEVICE_DONE,    /* approved: oauth_device_take_tokens */
	OAUTH_DEVICE_DENIED,  /* the user said no */
	OAUTH_DEVICE_EXPIRED, /* the code ran out before approval */
	OAUTH_DEVICE_FAILED,  /* anything else: oauth_device_message says what */
};

/* What the user is shown while the login waits (RFC 8628 3.3). Borrowed from the flow. */
struct oauth_device_code {
	const char *user_code;                 /* printable ASCII, at most OAUTH_USER_CODE_MAX */
	const char *verification_uri;          /* https */
	const char *verification_uri_complete; /* https, with the code in it; NULL when not given */
	double expires_at;                     /* the caller's clock */
};

struct oauth_device;

/* A device login for C (copied: C need not outlive it). NULL with *CAUSE when C cannot
 * (oauth_server_check). */
struct oauth_device *oauth_device_new(const struct oauth_client *c, char **cause);
void oauth_device_free(struct oauth_device **d);

/*
 * The next request, at time NOW: in START the device authorization request, in WAITING
 * the poll once its time has come. 0 with *REQ set (the state is then ASKING or
 * POLLING); 1 when it is not time yet (oauth_device_wait says how long); -1 when
 * nothing is to be sent (the state is final: EXPIRED once the code ran out, or another).
 */
int oauth_device_next(struct oauth_device *d, double now, struct oauth_request *req);

/*
 * The answer (HTTP STATUS, LEN bytes at BODY) to the request out, at time NOW. Returns
 * the new state: WAITING after the code came, after authorization_pending (the same
 * interval) and slow_down (5 s more, for this and every later poll); DONE, DENIED
 * (access_denied), EXPIRED (expired_token), or FAILED with a message.
 */
enum oauth_device_state oauth_device_answer(
    struct oauth_device *d, double now, long status, const char *body, size_t len);

/*
 * The request out got no answer (the network failed) at NOW: a poll is tried again
 * after twice the interval (RFC 8628 3.5); the first request fails the login.
 */
enum oauth_device_state oauth_device_lost(struct oauth_device *d, double now);

enum oauth_device_state oauth_device_state(const struct oauth_device *d);

/* The code to show, once WAITING (and after); NULL before it came. */
const struct oauth_device_code *oauth_device_code(const struct oauth_device *d);

/* Seconds until the next poll is due at NOW: 0 when due, -1 when no poll is to come. */
double oauth_device_wait(const struct oauth_device *d, double now);

/* Seconds the code is still valid at NOW (0 when it ran out), -1 before it came. */
double oauth_device_remaining(const struct oauth_device *d, double now);

/* The poll interval in seconds, as the server's answers have set it. */
int oauth_device_interval(const struct oauth_device *d);

/* The sentence for a final state other than DONE (and for WAITING after a lost poll), or NULL. */
const char *oauth_device_message(const struct oauth_device *d);

/* In DONE: move the tokens to *OUT (0), which the flow then no longer holds; else -1. */
int oauth_device_take_tokens(struct oauth_device *d, struct oauth_tokens *out);

/* ------------------------------------------------------------------------------------- */
/* SMART v2 scopes                                                                       */

/* A SMART v2 permission, in the order the scope writes them (".cruds"). */
enum oauth_perm {
	OAUTH_PERM_C = 1u << 0, /* create */
	OAUTH_PERM_R = 1u << 1, /* read (and vread, history) */
	OAUTH_PERM_U = 1u << 2, /* update */
	OAUTH_PERM_D = 1u << 3, /* delete */
	OAUTH_PERM_S = 1u << 4, /* search */
	OAUTH_PERM_ALL = 0x1f,
};

/* What ehrterm always asks for first: who the user is, and a refresh token. */
#define OAUTH_SCOPE_BASE "openid fhirUser offline_access"

/* The scopes modules need: one entry per resource type, permissions merged. */
struct oauth_scopes;

struct oauth_scopes *oauth_scopes_new(void);
void oauth_scopes_free(struct oauth_scopes **sc);

/*
 * Add PERMS (enum oauth_perm bits) on TYPE (a FHIR resource type, "Patient"). A type
 * given twice gets both sets. -1 when TYPE is not a resource type's name or PERMS is 0.
 */
int oauth_scopes_add(struct oauth_scopes *sc, const char *type, unsigned perms);

/*
 * OAUTH_SCOPE_BASE, then "user/TYPE.cruds" a type in the order first added. Caller frees.
 * For SERVER (may be NULL) when it lists its capabilities: openid and fhirUser only
 * with sso-openid-connect, offline_access only with permission-offline, and SMART v1
 * scopes ("user/TYPE.read" for r or s, "user/TYPE.write" for c, u or d) when it lists
 * permission-v1 and not permission-v2.
 */
char *oauth_scopes_string(const struct oauth_scopes *sc, const struct oauth_server *server);

/*
 * The scope to ask for: OVERRIDE (the profile's `scopes`) when given, with its
 * whitespace made single spaces, else SC's for SERVER (oauth_scopes_string). NULL with *CAUSE when
 * OVERRIDE has a character a scope cannot (RFC 6749 3.3) or is empty.
 */
char *oauth_scope_request(const char *override, const struct oauth_scopes *sc,
    const struct oauth_server *server, char **cause);

/*
 * Of PERMS on TYPE, the permissions GRANTED (a token's scope) does not give: 0 when all
 * are granted. Granted by user/ scopes of TYPE or of every type ("*"), v2 (".rs") or v1
 * (".read" = rs, ".write" = cud, ".*" = all); a v2 scope narrowed by a query ("?category=") grants
 * nothing here, since a module needs the whole type; patient/ and system/ scopes grant
 * nothing to a user's session.
 */
unsigned oauth_scope_missing(const char *granted, const char *type, unsigned perms);

/* "user/TYPE.cruds" with PERMS' letters, for sentences about what was not granted. Caller frees. */
char *oauth_scope_text(const char *type, unsigned perms);

#endif
