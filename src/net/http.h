/* HTTP layer: asynchronous HTTPS requests over mutual TLS with libcurl multi. Knows no FHIR. */
#ifndef EHRTERM_NET_HTTP_H
#define EHRTERM_NET_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct preconnect;
struct secret;

/*
 * Where a failure lies, so a caller can say what to do about it and --check can
 * exit with a distinct code per class. The sentences come from http_error_hint().
 */
enum http_error {
	HTTP_OK = 0,	  /* a response arrived; look at status */
	HTTP_ERR_CONFIG,  /* the request or profile is wrong (scheme, file missing) */
	HTTP_ERR_TLS,	  /* the server's certificate or the TLS handshake failed */
	HTTP_ERR_AUTH,	  /* our certificate or key was refused or cannot be opened */
	HTTP_ERR_NETWORK, /* could not connect, connection dropped, timed out */
	HTTP_ERR_SERVER,  /* the server answered something unusable (too big, bad redirect) */
	HTTP_ERR_CANCELLED,
	/*
	 * 401 with WWW-Authenticate: Bearer: the server wants an access token, or refused the
	 * one sent (expired, revoked). status is 401. A SMART session refreshes or logs in
	 * again; an mTLS profile is told the server wants auth = smart.
	 */
	HTTP_ERR_BEARER,
};

enum http_method { HTTP_GET, HTTP_POST, HTTP_PUT, HTTP_DELETE };

/* Transfer counts, per request and per client: what the status line and benchmarks show. */
struct http_stats {
	unsigned long round_trips; /* HTTP requests sent, retries and redirects included */
	uint64_t bytes_sent;	   /* request headers and body */
	uint64_t bytes_received;   /* response headers and body as they came (compressed) */
};

struct http_response {
	enum http_error error;
	char *message;	       /* a sentence when error != HTTP_OK, else NULL */
	long status;	       /* HTTP status, 0 when no response arrived */
	char *body;	       /* decoded body, NUL-terminated; never NULL */
	size_t body_len;
	char *etag;	       /* response headers ehrterm uses, NULL when absent */
	char *location;
	char *content_type;
	char *last_modified;
	long retry_after;      /* seconds, -1 when absent */
	struct http_stats stats;
	double seconds;	       /* from submit to completion */
};

/*
 * The CA file and the client certificate are read once, by http_client_new, from
 * the descriptors whose owner and mode were checked (cfg_policy_ca, cfg_policy_cert),
 * and handed to libcurl as memory: it never opens them by name.
 */
struct http_tls {
	const char *ca_file;	 /* PEM bundle the server must chain to */
	const char *client_cert; /* PEM certificate presented to the server */
	const char *client_key;	 /* the key's file name, for messages only */
	/*
	 * The client key, decrypted once (tlskey_decrypt). Borrowed: libcurl reads it
	 * in place at every handshake, so it must outlive the client.
	 */
	const struct secret *client_key_pem;
	const char *crl_file;	 /* PEM CRLs of the CA, checked like ca_file, or NULL */
	const char *pin_sha256;	 /* "sha256//…;sha256//…" or NULL */
};

struct http_options {
	struct http_tls tls;
	/*
	 * The proxy URL ("http://host:port") or NULL for none. The environment's
	 * https_proxy, all_proxy and no_proxy are ignored either way.
	 */
	const char *proxy;
	long connect_timeout_s; /* also the time a transfer may stall */
	size_t max_response;	/* decoded bytes; larger responses fail */
	unsigned max_attempts;	/* for requests that may be retried */
	const char *user_agent;
	/*
	 * The TCP connection opened behind the passphrase prompt (net/preconnect.h), or NULL:
	 * given to the client, which uses it for its first connection and frees it.
	 */
	struct preconnect *preconnect;
};

/* One completed (or failed, or cancelled) request. RESP is borrowed for the call. */
typedef void (*http_done_fn)(const struct http_response *resp, void *arg);

struct http_request {
	enum http_method method;
	const char *url;	   /* absolute https URL */
	const char *const *headers; /* NULL-terminated "Name: value" lines, or NULL */
	const char *body;	   /* copied; may be NULL */
	size_t body_len;
	/*
	 * Retry automatically on network failures, 429 and 503. Set only for
	 * requests that change nothing (reads): a write is never sent twice
	 * behind the user's back.
	 */
	bool retry;
	/*
	 * A GET that gives its place on a connection to another: when it is about to go out
	 * (on a new connection, once TLS is up, or a reused one) and a GET submitted since
	 * still waits for a connection, that one goes instead and this one after it. The
	 * capability read at start-up yields to the user's first search: on a 600 ms link
	 * that search would otherwise wait a round trip and the statement's bytes.
	 */
	bool yields;
	/*
	 * Never carry the client's bearer token (http_client_set_bearer): the OAuth requests
	 * themselves, which authenticate by the certificate and the body.
	 */
	bool no_bearer;
};

struct http_client;

/* Returns NULL with *cause set when the options cannot work (missing files, bad pin). */
struct http_client *http_client_new(const struct http_options *opts, char **cause);
void http_client_free(struct http_client **client);

/*
 * Queue a request. DONE is called exactly once, from http_client_pump() or
 * http_cancel(). Returns a request id (never 0).
 */
uint64_t http_submit(struct http_client *client, const struct http_request *req, http_done_fn done,
    void *arg);

/* Cancel a queued or running request; DONE is called with HTTP_ERR_CANCELLED. */
void http_cancel(struct http_client *client, uint64_t id);
void http_cancel_all(struct http_client *client);

/*
 * Requests to URLs under PREFIX (the FHIR base, at a segment boundary) carry HEADER, an
 * "Authorization: Bearer ..." line in locked memory (oauth_bearer_header), borrowed:
 * the caller keeps it until it sets another or NULL (logout, lock). Read at each submit,
 * so a refreshed token goes on every request sent after it. A request already queued
 * keeps the line it was given.
 */
void http_client_set_bearer(struct http_client *client, const struct secret *header,
    const char *prefix);

/*
 * With FN set, a request under the prefix answered 401 with WWW-Authenticate: Bearer is
 * not reported: it is parked, as it was sent, and FN(ARG) is called from the next
 * http_client_pump so the owner renews the token. The next non-NULL
 * http_client_set_bearer sends every parked request again, once, with the new token: a
 * 401 for the token means the server did nothing with the request, so even a write is
 * safe to send again (its If-Match and If-None-Exist are unchanged). A second 401 is
 * reported as HTTP_ERR_BEARER. A parked request can be cancelled as any other; NULL
 * (a lock while the user logs in again) keeps them parked.
 */
void http_client_on_bearer_refused(struct http_client *client, void (*fn)(void *arg), void *arg);

/* Requests not yet completed. */
size_t http_pending(const struct http_client *client);

/*
 * Wait up to TIMEOUT_MS for network activity, a due retry, or input on one of
 * EXTRA_FDS (each polled for reading; *ready set to the number that are). The
 * event loop's only blocking call.
 */
int http_client_wait(struct http_client *client, const int *extra_fds, unsigned nfds,
    int timeout_ms, int *ready);

/* Move transfers on and call DONE for those finished. Never blocks. */
void http_client_pump(struct http_client *client);

/* Run until no request is pending (for the command-line modes, never the UI). */
void http_client_run(struct http_client *client);

/* Progress of a running request for the status line: elapsed seconds and bytes so far. */
int http_progress(const struct http_client *client, uint64_t id, double *elapsed,
    uint64_t *bytes);

const struct http_stats *http_client_stats(const struct http_client *client);

/* Whether a connection used the socket opened behind the prompt (http_options.preconnect). */
bool http_client_preconnected(const struct http_client *client);

/* What to do about an error class, one sentence. */
const char *http_error_hint(enum http_error error);
const char *http_method_name(enum http_method method);

/* True when A and B have the same scheme, host and port. */
bool http_same_origin(const char *a, const char *b);

#endif
