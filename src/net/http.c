/* HTTP layer: libcurl multi transfers with mutual TLS, retries for reads, and byte counts. */
#include "config.h"

#include "net/http.h"
#include "cfg/cfg.h"
#include "net/http-test.h"
#include "net/preconnect.h"
#include "util/file.h"
#include "util/secret.h"
#include "util/xmalloc.h"

#include <curl/curl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

/* Header values longer than this are cut: nothing ehrterm reads is longer. */
#define HEADER_VALUE_MAX 1024
#define REDIRECTS_MAX 5
/* Backoff for retried reads: 0.5 s doubling, at most 8 s; Retry-After at most 60 s. */
#define BACKOFF_BASE_MS 500
#define BACKOFF_CAP_MS 8000
#define RETRY_AFTER_CAP_S 60
/*
 * A connection made behind the passphrase prompt is used only this young: a server may
 * close one that sent nothing (Apache's mod_reqtimeout waits 20 s for the first byte).
 */
#define PRECONNECT_MAX_AGE_S 20.0
/* A CA bundle may hold a few hundred certificates; a client certificate is small. */
#define CA_FILE_MAX (4 * 1024 * 1024)
#define CERT_FILE_MAX (256 * 1024)
/*
 * Bodies from this size are sent gzipped: below it the gzip header and the
 * Content-Encoding line cost about what they save.
 */
#define GZIP_BODY_MIN 1024

struct transfer {
	uint64_t id;
	struct http_client *client;
	CURL *easy; /* NULL while waiting to retry */
	struct curl_slist *headers;
	enum http_method method;
	char *url;
	char *body; /* as sent: gzipped when PLAIN is not NULL */
	size_t body_len;
	char *plain; /* the body as given, kept while BODY is its gzip, for a server that refuses it */
	size_t plain_len;
	bool retry;
	bool yields; /* http_request.yields */
	bool no_bearer; /* http_request.no_bearer: an OAuth request reads its own 401 */
	/*
	 * Answered 401 for its token: kept, not reported, until http_client_set_bearer gives
	 * a new token (sent again once, as it was: the server did nothing with it).
	 */
	bool parked;
	bool bearer_resent;
	http_done_fn done;
	void *arg;

	unsigned attempts;
	unsigned redirects;
	struct http_stats sent_total; /* over every attempt */
	unsigned silent_closes;	      /* attempts closed after the handshake with no answer */
	double started; /* monotonic seconds */
	double due;	/* when a waiting retry starts */
	/*
	 * The attempt's request is going out: its connection is up (on_prereq). This and the
	 * fields below belong to the easy handle and its attempt; those above, but for client
	 * and easy, are the request, which two transfers can trade (yield_to).
	 */
	bool sent;
	/*
	 * A yielding request kept out of libcurl while others wait or run (http_submit,
	 * pull_back): started by http_client_wait once none is left, so never before them.
	 */
	bool held;
	/*
	 * The attempt could not start (resp holds why): reported by the next
	 * http_client_pump, never from inside http_submit or a loop over the list.
	 */
	bool start_failed;

	size_t body_sent; /* bytes of BODY handed to libcurl in this attempt */

	/* The response of the current attempt. */
	struct http_response resp;
	size_t resp_cap;
	bool too_big;
	bool bearer_challenge; /* the answer had WWW-Authenticate: Bearer */
	char errbuf[CURL_ERROR_SIZE];

	struct transfer *next;
};

struct http_client {
	CURLM *multi;
	CURLSH *share; /* TLS sessions, so a dropped connection resumes rather than starts over */
	struct http_options opts; /* strings owned: the copies below */
	char *crl_file, *pin_sha256, *proxy, *user_agent;
	/* The CA and certificate as read from their checked descriptors. */
	char *ca_pem, *cert_pem;
	size_t ca_len, cert_len;
	struct transfer *transfers;
	uint64_t next_id;
	struct http_stats stats;
	/* The server answered 415 to a gzipped body: send the rest of the session plain. */
	bool plain_bodies;
	/* http_client_set_bearer: the Authorization line (borrowed) and where it goes. */
	const struct secret *bearer;
	char *bearer_prefix;
	/*
	 * http_options.preconnect until the first connection is up, and the socket taken
	 * from it that libcurl is about to use (on_open_socket, on_sockopt).
	 */
	struct preconnect *preconnect;
	curl_socket_t handed;
	bool preconnected;
	/* http_client_on_bearer_refused, called from the pump once a request was parked. */
	void (*bearer_refused)(void *arg);
	void *bearer_refused_arg;
	bool bearer_refused_due;
};

/* Failure injection (net/http-test.h): calls left before the injected failure, 0 for none. */
static unsigned fault_countdown[HTTP_FAULT_COUNT];

void
http_test_fail_nth(enum http_fault what, unsigned n)
{
	if (what < HTTP_FAULT_COUNT)
		fault_countdown[what] = n;
}

static bool
fault_fires(enum http_fault what)
{
	return fault_countdown[what] != 0 && --fault_countdown[what] == 0;
}

static CURL *
easy_init(void)
{
	return fault_fires(HTTP_FAULT_EASY_INIT) ? NULL : curl_easy_init();
}

static CURLMcode
multi_add(CURLM *multi, CURL *e)
{
	return fault_fires(HTTP_FAULT_MULTI_ADD) ? CURLM_OUT_OF_MEMORY : curl_multi_add_handle(multi, e);
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *
http_method_name(enum http_method method)
{
	switch (method) {
	case HTTP_GET:
		return "GET";
	case HTTP_POST:
		return "POST";
	case HTTP_PUT:
		return "PUT";
	case HTTP_DELETE:
		return "DELETE";
	}
	return "GET";
}

const char *
http_error_hint(enum http_error error)
{
	switch (error) {
	case HTTP_OK:
		return "no error";
	case HTTP_ERR_CONFIG:
		return "check the profile in the configuration file";
	case HTTP_ERR_TLS:
		return "check the server address and the profile's ca_file and pin_sha256";
	case HTTP_ERR_AUTH:
		return "check client_cert and client_key, and the stored passphrase "
		       "(ehrterm --store-secret)";
	case HTTP_ERR_NETWORK:
		return "check the network and that the server is running, then try again";
	case HTTP_ERR_SERVER:
		return "the server misbehaved; tell the server's administrator";
	case HTTP_ERR_CANCELLED:
		return "cancelled";
	case HTTP_ERR_BEARER:
		return "log in again: the server wants a SMART login (auth = smart in the profile)";
	}
	return "unknown error";
}

/* Read PATH from the descriptor checked against POLICY, at most MAX bytes. */
static int
read_checked(const char *path, const struct file_policy *policy, size_t max, char **buf,
    size_t *len, char **cause)
{
	if (path == NULL || *path == '\0') {
		*cause = xasprintf("%s is not set", policy->what);
		return -1;
	}
	if (file_read(path, policy, max, buf, len, cause) != 0)
		return -1;
	if (*len > max) {
		*cause = xasprintf("%s %s is larger than %zu bytes; is it the right file?",
		    policy->what, path, max);
		free(*buf);
		*buf = NULL;
		return -1;
	}
	return 0;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL && *s != '\0' ? xstrdup(s) : NULL;
}

static struct http_client *
client_new(const struct http_options *opts, char **cause)
{
	struct http_client *c;
	char *ca = NULL, *cert = NULL;
	size_t ca_len, cert_len;
	int fd;

	if (opts->tls.client_key_pem == NULL) {
		*cause = xasprintf("the client key %s is not unlocked",
		    opts->tls.client_key != NULL ? opts->tls.client_key : "");
		return NULL;
	}
	if (read_checked(opts->tls.ca_file, &cfg_policy_ca, CA_FILE_MAX, &ca, &ca_len, cause) != 0)
		return NULL;
	if (read_checked(opts->tls.client_cert, &cfg_policy_cert, CERT_FILE_MAX, &cert, &cert_len,
		cause) != 0) {
		free(ca);
		return NULL;
	}
	/*
	 * libcurl 7.88 has no blob for a CRL: it opens crl_file by name at each
	 * handshake. Checked here as the CA is; the name is what libcurl then reads.
	 */
	if (opts->tls.crl_file != NULL && *opts->tls.crl_file != '\0') {
		if ((fd = file_open(opts->tls.crl_file, &cfg_policy_crl, cause)) == -1) {
			free(ca);
			free(cert);
			return NULL;
		}
		close(fd);
	}
	if (opts->tls.pin_sha256 != NULL && *opts->tls.pin_sha256 != '\0' &&
	    strncmp(opts->tls.pin_sha256, "sha256//", 8) != 0) {
		*cause = xstrdup("pin_sha256 must start with sha256//");
		free(ca);
		free(cert);
		return NULL;
	}

	c = xcalloc(1, sizeof *c);
	c->multi = curl_multi_init();
	if (c->multi == NULL) {
		free(ca);
		free(cert);
		free(c);
		*cause = xstrdup("libcurl could not start");
		return NULL;
	}
	c->opts = *opts;
	c->opts.tls.ca_file = c->opts.tls.client_cert = c->opts.tls.client_key = NULL;
	c->ca_pem = ca;
	c->ca_len = ca_len;
	c->cert_pem = cert;
	c->cert_len = cert_len;
	c->crl_file = dup_or_null(opts->tls.crl_file);
	c->proxy = dup_or_null(opts->proxy);
	c->pin_sha256 = dup_or_null(opts->tls.pin_sha256);
	c->user_agent = xstrdup(opts->user_agent ? opts->user_agent : PACKAGE "/" PACKAGE_VERSION);
	if (c->opts.connect_timeout_s <= 0)
		c->opts.connect_timeout_s = 30;
	if (c->opts.max_response == 0)
		c->opts.max_response = 16u << 20;
	if (c->opts.max_attempts == 0)
		c->opts.max_attempts = 4;
	/*
	 * One kept-alive connection per server: a rural link pays a TLS handshake
	 * in round trips, and HTTP/2 multiplexes over the one connection anyway.
	 */
	curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 1L);
	/*
	 * Each attempt is a new easy handle, so libcurl's per-handle TLS session cache
	 * would die with it: shared here, a connection that a NAT or a satellite modem
	 * dropped comes back with a resumed session (no certificates sent again, and on
	 * TLS 1.2 one round trip less). In memory only, for this process; one thread.
	 */
	c->share = curl_share_init();
	if (c->share != NULL)
		curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_multi_setopt(c->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	c->next_id = 1;
	c->preconnect = opts->preconnect;
	c->opts.preconnect = NULL;
	c->handed = CURL_SOCKET_BAD;
	return c;
}

struct http_client *
http_client_new(const struct http_options *opts, char **cause)
{
	struct http_client *c = client_new(opts, cause);
	struct preconnect *pre = opts->preconnect;

	if (c == NULL)
		preconnect_free(&pre); /* given either way */
	return c;
}

static void
response_clear(struct http_response *r)
{
	free(r->message);
	free(r->body);
	free(r->etag);
	free(r->location);
	free(r->content_type);
	free(r->last_modified);
	memset(r, 0, sizeof *r);
	r->retry_after = -1;
}

/*
 * Free a request's header lines, wiped first: one of them may be the bearer token.
 * curl_slist_append copies each line into the plain heap, so the token is there (not
 * locked) from submit to here; libcurl also copies the lines into each request it
 * builds (freed by libcurl unwiped) and, over HTTP/2, into the connection's HPACK
 * table until the connection closes. That is as short as libcurl allows.
 */
static void
headers_free(struct curl_slist *h)
{
	for (struct curl_slist *n = h; n != NULL; n = n->next)
		if (n->data != NULL)
			explicit_bzero(n->data, strlen(n->data));
	curl_slist_free_all(h);
}

static void
transfer_free(struct transfer *t)
{
	if (t->easy != NULL) {
		curl_multi_remove_handle(t->client->multi, t->easy);
		curl_easy_cleanup(t->easy);
	}
	headers_free(t->headers);
	response_clear(&t->resp);
	free(t->url);
	/* An OAuth request's body holds a device code or a refresh token. */
	if (t->body != NULL)
		explicit_bzero(t->body, t->body_len);
	if (t->plain != NULL)
		explicit_bzero(t->plain, t->plain_len);
	free(t->body);
	free(t->plain);
	free(t);
}

static void
unlink_transfer(struct http_client *c, struct transfer *t)
{
	struct transfer **pp;

	for (pp = &c->transfers; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			return;
		}
	}
}

/* Hand the response to the caller and forget the transfer. */
static void
finish(struct transfer *t)
{
	struct http_client *c = t->client;

	unlink_transfer(c, t);
	t->resp.stats = t->sent_total;
	if (t->resp.body == NULL)
		t->resp.body = xstrdup("");
	t->resp.seconds = now_seconds() - t->started;
	t->done(&t->resp, t->arg);
	transfer_free(t);
}

static void
fail(struct transfer *t, enum http_error error, char *message)
{
	free(t->resp.message);
	t->resp.error = error;
	t->resp.message = message;
	finish(t);
}

void
http_client_free(struct http_client **cp)
{
	struct http_client *c = *cp;

	if (c == NULL)
		return;
	http_cancel_all(c);
	curl_multi_cleanup(c->multi);
	/* After every easy handle that used it is gone. */
	curl_share_cleanup(c->share);
	free(c->ca_pem);
	free(c->cert_pem);
	free(c->crl_file);
	free(c->proxy);
	free(c->pin_sha256);
	free(c->user_agent);
	free(c->bearer_prefix);
	preconnect_free(&c->preconnect);
	free(c);
	*cp = NULL;
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct transfer *t = arg;
	struct http_response *r = &t->resp;
	size_t n = size * nmemb;

	/* Counted after decoding: a small gzip body may not hide a huge one. */
	if (n > t->client->opts.max_response - r->body_len) {
		t->too_big = true;
		return 0;
	}
	if (r->body_len + n + 1 > t->resp_cap) {
		size_t cap = t->resp_cap ? t->resp_cap : 4096;

		while (cap < r->body_len + n + 1)
			cap *= 2;
		r->body = xreallocarray(r->body, cap, 1);
		t->resp_cap = cap;
	}
	memcpy(r->body + r->body_len, data, n);
	r->body_len += n;
	r->body[r->body_len] = '\0';
	return n;
}

static char *
header_value(const char *line, size_t len, const char *name)
{
	size_t nlen = strlen(name);
	const char *v, *end = line + len;

	if (len <= nlen || line[nlen] != ':' || strncasecmp(line, name, nlen) != 0)
		return NULL;
	v = line + nlen + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if ((size_t)(end - v) > HEADER_VALUE_MAX)
		end = v + HEADER_VALUE_MAX;
	return xstrndup(v, (size_t)(end - v));
}

static void
set_header(char **slot, char *value)
{
	if (value == NULL)
		return;
	free(*slot);
	*slot = value;
}

static size_t
on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct transfer *t = arg;
	struct http_response *r = &t->resp;
	size_t n = size * nmemb;
	char *v;

	/* A status line starts a new response (after a 100 Continue, say): forget the last. */
	if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		free(r->etag);
		free(r->location);
		free(r->content_type);
		free(r->last_modified);
		r->etag = r->location = r->content_type = r->last_modified = NULL;
		r->retry_after = -1;
		t->bearer_challenge = false;
		return n;
	}
	if ((v = header_value(data, n, "WWW-Authenticate")) != NULL) {
		/* RFC 6750 3: the scheme first, case-insensitive; its parameters are not shown. */
		if (strncasecmp(v, "Bearer", 6) == 0 && (v[6] == '\0' || v[6] == ' '))
			t->bearer_challenge = true;
		free(v);
	}
	set_header(&r->etag, header_value(data, n, "ETag"));
	set_header(&r->location, header_value(data, n, "Location"));
	set_header(&r->content_type, header_value(data, n, "Content-Type"));
	set_header(&r->last_modified, header_value(data, n, "Last-Modified"));
	if ((v = header_value(data, n, "Retry-After")) != NULL) {
		char *end;
		long s = strtol(v, &end, 10);

		/* Only delta-seconds; an HTTP date falls back to our own backoff. */
		r->retry_after = (end != v && *end == '\0' && s >= 0) ? s : -1;
		free(v);
	}
	return n;
}

/* The request body, handed out in pieces. */
static size_t
on_read(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct transfer *t = arg;
	size_t n = size * nmemb, left = t->body_len - t->body_sent;

	if (n > left)
		n = left;
	memcpy(buf, t->body + t->body_sent, n);
	t->body_sent += n;
	return n;
}

/*
 * libcurl resends a request whose reused connection died before any answer,
 * rewinding the body to do so. For a write that is a second send the user never
 * asked for (the first may have reached the server), so the rewind is refused
 * once any of the body went out: the request then fails, and the caller decides.
 */
static int
on_seek(void *arg, curl_off_t offset, int origin)
{
	struct transfer *t = arg;

	if (t->body_sent > 0 || offset != 0 || origin != SEEK_SET)
		return CURL_SEEKFUNC_CANTSEEK;
	return CURL_SEEKFUNC_OK;
}

/*
 * Mark T as unable to start. Its callback is not called here: the callers are
 * http_submit (whose caller must have the id before any callback) and loops that
 * hold pointers into the transfer list, which a callback may change by cancelling
 * or submitting. http_client_pump reports it.
 */
static void
start_failed(struct transfer *t, const char *why)
{
	if (t->easy != NULL) {
		curl_multi_remove_handle(t->client->multi, t->easy);
		curl_easy_cleanup(t->easy);
		t->easy = NULL;
	}
	free(t->resp.message);
	t->resp.error = HTTP_ERR_NETWORK;
	t->resp.message = xstrdup(why);
	t->start_failed = true;
}

/* "path?query" of URL, for CURLOPT_REQUEST_TARGET; NULL if it cannot be parsed (caller frees). */
static char *
request_target(const char *url)
{
	CURLU *u = curl_url();
	char *path = NULL, *query = NULL, *target = NULL;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK) {
		if (curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK && query != NULL)
			target = xasprintf("%s?%s", path, query);
		else
			target = xstrdup(path);
	}
	curl_free(path);
	curl_free(query);
	curl_url_cleanup(u);
	return target;
}

#define SWAP(a, b, field)                                 \
	do {                                              \
		__typeof__((a)->field) tmp_ = (a)->field; \
		(a)->field = (b)->field;                  \
		(b)->field = tmp_;                        \
	} while (0)

/*
 * T's request is about to go out on its connection, and U (a GET not yet sent) waits for
 * one: T's handle sends U's request and U's handle, later, T's. The requests trade places
 * (id, URL, headers, callback and what they counted); each handle keeps its own response,
 * still empty. Both handles are told the request line and headers they now send.
 */
static int
yield_to(struct transfer *t, struct transfer *u)
{
	char *tt = request_target(u->url), *ut = request_target(t->url);

	if (tt == NULL || ut == NULL) {
		free(tt);
		free(ut);
		return -1;
	}
	SWAP(t, u, id);
	SWAP(t, u, headers);
	SWAP(t, u, method);
	SWAP(t, u, url);
	SWAP(t, u, body);
	SWAP(t, u, body_len);
	SWAP(t, u, plain);
	SWAP(t, u, plain_len);
	SWAP(t, u, retry);
	SWAP(t, u, yields);
	SWAP(t, u, no_bearer);
	SWAP(t, u, bearer_resent);
	SWAP(t, u, done);
	SWAP(t, u, arg);
	SWAP(t, u, attempts);
	SWAP(t, u, redirects);
	SWAP(t, u, sent_total);
	SWAP(t, u, silent_closes);
	SWAP(t, u, started);
	curl_easy_setopt(t->easy, CURLOPT_REQUEST_TARGET, tt);
	curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(u->easy, CURLOPT_REQUEST_TARGET, ut);
	curl_easy_setopt(u->easy, CURLOPT_HTTPHEADER, u->headers);
	free(tt);
	free(ut);
	return 0;
}

/*
 * libcurl is about to send T's request: its connection is up. A request that yields gives
 * its place to the oldest GET still waiting for a connection (with one connection a host,
 * every other request waits behind it), so what the user waits for goes first.
 */
static int
on_prereq(void *arg, char *primary_ip, char *local_ip, int primary_port, int local_port)
{
	struct transfer *t = arg, *u, *best = NULL;

	(void)primary_ip;
	(void)local_ip;
	(void)primary_port;
	(void)local_port;
	t->sent = true;
	/* A connection is up, the one made behind the prompt or another: no more use for it. */
	preconnect_free(&t->client->preconnect);
	if (!t->yields || t->method != HTTP_GET)
		return CURL_PREREQFUNC_OK;
	for (u = t->client->transfers; u != NULL; u = u->next)
		if (u != t && u->easy != NULL && !u->sent && !u->start_failed && !u->yields &&
		    u->method == HTTP_GET && (best == NULL || u->id < best->id))
			best = u;
	if (best != NULL && yield_to(t, best) == 0)
		best->sent = false;
	return CURL_PREREQFUNC_OK;
}

/*
 * libcurl opens a socket for a connection: the one made behind the passphrase prompt
 * when it goes to this address, else a new one (on_sockopt then lets libcurl connect it).
 */
static curl_socket_t
on_open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct http_client *c = arg;
	int fd = -1;

	if (purpose == CURLSOCKTYPE_IPCXN && c->preconnect != NULL &&
	    (fd = preconnect_take(c->preconnect, &a->addr, a->addrlen, PRECONNECT_MAX_AGE_S)) >= 0) {
		preconnect_free(&c->preconnect);
		c->handed = fd;
		return fd;
	}
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

static int
on_sockopt(void *arg, curl_socket_t fd, curlsocktype purpose)
{
	struct http_client *c = arg;

	if (purpose != CURLSOCKTYPE_IPCXN || fd == CURL_SOCKET_BAD || fd != c->handed)
		return CURL_SOCKOPT_OK;
	c->handed = CURL_SOCKET_BAD;
	c->preconnected = true;
	return CURL_SOCKOPT_ALREADY_CONNECTED;
}

/* Start the next attempt of T; on failure T is marked, to be reported by the pump. */
static void
start_attempt(struct transfer *t)
{
	struct http_client *c = t->client;
	const struct secret *key = c->opts.tls.client_key_pem;
	struct curl_blob ca = { c->ca_pem, c->ca_len, CURL_BLOB_COPY };
	struct curl_blob cert = { c->cert_pem, c->cert_len, CURL_BLOB_COPY };
	/*
	 * NOCOPY for the key: with COPY libcurl would keep the plain key in unlocked
	 * heap, freed unwiped. The locked secret is borrowed from the session, which
	 * outlives the client, and the client outlives every handle and connection
	 * (curl_multi_cleanup closes them in http_client_free). The CA and certificate
	 * are public, so copies do no harm (libcurl copies the CA blob into each
	 * connection's config whatever the flag).
	 */
	struct curl_blob key_blob = { (void *)secret_str(key), secret_len(key), CURL_BLOB_NOCOPY };
	CURL *e;

	response_clear(&t->resp);
	t->resp_cap = 0;
	t->too_big = false;
	t->bearer_challenge = false;
	t->errbuf[0] = '\0';
	t->attempts++;
	t->due = 0;
	t->sent = false;

	e = t->easy = easy_init();
	if (e == NULL) {
		start_failed(t, "libcurl could not start a transfer");
		return;
	}
	curl_easy_setopt(e, CURLOPT_PRIVATE, t);
	curl_easy_setopt(e, CURLOPT_URL, t->url);
	if (c->share != NULL)
		curl_easy_setopt(e, CURLOPT_SHARE, c->share);
	/* https only, for redirects too; redirects are followed by hand, same origin only. */
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	/* Trust the profile's CA only, not the system store (a CA blob replaces CAINFO). */
	curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &ca);
	curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
	if (c->crl_file != NULL)
		curl_easy_setopt(e, CURLOPT_CRLFILE, c->crl_file);
	if (c->pin_sha256 != NULL)
		curl_easy_setopt(e, CURLOPT_PINNEDPUBLICKEY, c->pin_sha256);
	curl_easy_setopt(e, CURLOPT_SSLCERT_BLOB, &cert);
	curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
	/* Already decrypted: no passphrase ever reaches libcurl. */
	curl_easy_setopt(e, CURLOPT_SSLKEY_BLOB, &key_blob);
	curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
	/*
	 * The profile's proxy or none: "" makes libcurl ignore https_proxy and
	 * all_proxy, and an empty NOPROXY its reading of no_proxy. A clinic's
	 * traffic does not follow a variable someone set.
	 */
	curl_easy_setopt(e, CURLOPT_PROXY, c->proxy != NULL ? c->proxy : "");
	curl_easy_setopt(e, CURLOPT_NOPROXY, "");
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "gzip");
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, c->opts.connect_timeout_s);
	/* A transfer that moves less than a byte a second for the timeout has stalled. */
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, c->opts.connect_timeout_s);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->opts.max_response);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
	if (c->preconnect != NULL) {
		curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
		curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, c);
		curl_easy_setopt(e, CURLOPT_SOCKOPTFUNCTION, on_sockopt);
		curl_easy_setopt(e, CURLOPT_SOCKOPTDATA, c);
	}
	curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_prereq);
	curl_easy_setopt(e, CURLOPT_PREREQDATA, t);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
	switch (t->method) {
	case HTTP_GET:
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
		break;
	case HTTP_POST:
	case HTTP_PUT:
		/* A read callback, not POSTFIELDS, so that libcurl cannot resend the body. */
		t->body_sent = 0;
		curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(e, CURLOPT_READDATA, t);
		curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, on_seek);
		curl_easy_setopt(e, CURLOPT_SEEKDATA, t);
		if (t->method == HTTP_PUT) {
			curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
			curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)t->body_len);
		} else {
			curl_easy_setopt(e, CURLOPT_POST, 1L);
			curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->body_len);
		}
		break;
	case HTTP_DELETE:
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "DELETE");
		break;
	}
	if (multi_add(c->multi, e) != CURLM_OK)
		start_failed(t, "libcurl could not queue the request");
}

/* An unfinished request that does not yield (waiting, running or waiting to retry). */
static bool
others_wait(const struct http_client *c)
{
	for (const struct transfer *t = c->transfers; t != NULL; t = t->next)
		if (!t->yields && !t->start_failed)
			return true;
	return false;
}

/*
 * U, which does not yield, was just submitted: yielding requests that libcurl holds
 * behind a request in flight (one connection a host) are taken back, to go after U. One
 * that may be making the connection itself (none in flight) stays: taking it back would
 * throw the handshake away, and it yields to a GET once the connection is up (on_prereq).
 */
static void
pull_back(struct http_client *c, const struct transfer *u)
{
	struct transfer *t;
	bool in_flight = false;

	for (t = c->transfers; t != NULL; t = t->next)
		in_flight = in_flight || (t != u && t->easy != NULL && t->sent);
	if (!in_flight)
		return;
	for (t = c->transfers; t != NULL; t = t->next) {
		if (!t->yields || t->easy == NULL || t->sent || t->start_failed)
			continue;
		curl_multi_remove_handle(c->multi, t->easy);
		curl_easy_cleanup(t->easy);
		t->easy = NULL;
		t->attempts--; /* not an attempt: it never went out */
		t->held = true;
	}
}

/* BODY gzipped into a new buffer, or NULL when that fails or saves nothing. */
static char *
gzip_body(const char *body, size_t len, size_t *out_len)
{
	z_stream z = { 0 };
	uLong cap;
	char *out;

	/* 15 + 16: a gzip wrapper, which is what Content-Encoding: gzip names. */
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	cap = deflateBound(&z, (uLong)len);
	out = xmalloc(cap);
	z.next_in = (Bytef *)(uintptr_t)body;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END || z.total_out >= len) {
		deflateEnd(&z);
		free(out);
		return NULL;
	}
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
}

/*
 * Send T's body gzipped, keeping the plain body for a server that refuses the
 * coding. Servers built on Express (Medplum's), nginx with a module, and most
 * gateways inflate request bodies; one that cannot answers 415 (RFC 7694), which
 * reaches the server before anything is done, so the plain retry is safe for a write.
 */
static void
gzip_request(struct transfer *t)
{
	size_t gz_len;
	char *gz;

	if (t->body_len < GZIP_BODY_MIN || t->client->plain_bodies || t->body_len > UINT_MAX)
		return;
	gz = gzip_body(t->body, t->body_len, &gz_len);
	if (gz == NULL)
		return;
	t->plain = t->body;
	t->plain_len = t->body_len;
	t->body = gz;
	t->body_len = gz_len;
	t->headers = curl_slist_append(t->headers, "Content-Encoding: gzip");
}

/* The server refused the gzipped body (415): the plain one goes, now and for the session. */
static void
ungzip_request(struct transfer *t)
{
	struct curl_slist *kept = NULL;

	t->client->plain_bodies = true;
	free(t->body);
	t->body = t->plain;
	t->body_len = t->plain_len;
	t->plain = NULL;
	for (const struct curl_slist *h = t->headers; h != NULL; h = h->next)
		if (strcasecmp(h->data, "Content-Encoding: gzip") != 0)
			kept = curl_slist_append(kept, h->data);
	headers_free(t->headers);
	t->headers = kept;
	t->attempts--; /* not a failed attempt: the server read nothing of it */
	curl_multi_remove_handle(t->client->multi, t->easy);
	curl_easy_cleanup(t->easy);
	t->easy = NULL;
	start_attempt(t);
}

/* Whether URL is PREFIX or under it at a path segment (no "https://h/fhirx" for ".../fhir"). */
static bool
under_prefix(const char *prefix, const char *url)
{
	size_t n = prefix != NULL ? strlen(prefix) : 0;

	if (n == 0 || strncmp(url, prefix, n) != 0)
		return false;
	return prefix[n - 1] == '/' || url[n] == '\0' || url[n] == '/' || url[n] == '?';
}

void
http_client_set_bearer(struct http_client *c, const struct secret *header, const char *prefix)
{
	c->bearer = header;
	free(c->bearer_prefix);
	c->bearer_prefix = prefix != NULL ? xstrdup(prefix) : NULL;
	if (header == NULL)
		return; /* parked requests wait on, through a new login */
	for (struct transfer *t = c->transfers; t != NULL; t = t->next) {
		struct curl_slist *kept = NULL;

		if (!t->parked)
			continue;
		for (struct curl_slist *h = t->headers; h != NULL; h = h->next)
			if (strncasecmp(h->data, "Authorization:", 14) != 0)
				kept = curl_slist_append(kept, h->data);
		if (under_prefix(c->bearer_prefix, t->url))
			kept = curl_slist_append(kept, secret_str(header));
		headers_free(t->headers);
		t->headers = kept;
		t->parked = false;
		t->bearer_resent = true;
		t->attempts--; /* the 401 was no attempt at the request itself */
		t->due = now_seconds(); /* started by the next pump */
	}
}

void
http_client_on_bearer_refused(struct http_client *c, void (*fn)(void *arg), void *arg)
{
	c->bearer_refused = fn;
	c->bearer_refused_arg = arg;
}

uint64_t
http_submit(struct http_client *c, const struct http_request *req, http_done_fn done, void *arg)
{
	struct transfer *t = xcalloc(1, sizeof *t);
	const char *const *h;

	t->id = c->next_id++;
	t->client = c;
	t->method = req->method;
	t->url = xstrdup(req->url);
	if (req->body != NULL) {
		t->body = xmalloc(req->body_len + 1);
		memcpy(t->body, req->body, req->body_len);
		t->body[req->body_len] = '\0';
		t->body_len = req->body_len;
	}
	t->retry = req->retry;
	t->yields = req->yields;
	t->no_bearer = req->no_bearer;
	t->done = done;
	t->arg = arg;
	t->started = now_seconds();
	for (h = req->headers; h != NULL && *h != NULL; h++)
		t->headers = curl_slist_append(t->headers, *h);
	if (c->bearer != NULL && !req->no_bearer && under_prefix(c->bearer_prefix, req->url))
		t->headers = curl_slist_append(t->headers, secret_str(c->bearer));
	/* No "Expect: 100-continue": it costs a round trip before every write. */
	t->headers = curl_slist_append(t->headers, "Expect:");
	gzip_request(t);
	t->next = c->transfers;
	c->transfers = t;
	if (t->yields && others_wait(c))
		t->held = true;
	else
		start_attempt(t);
	if (!t->yields)
		pull_back(c, t);
	return t->id;
}

static struct transfer *
find(const struct http_client *c, uint64_t id)
{
	struct transfer *t;

	for (t = c->transfers; t != NULL; t = t->next)
		if (t->id == id)
			return t;
	return NULL;
}

void
http_cancel(struct http_client *c, uint64_t id)
{
	struct transfer *t = find(c, id);

	if (t != NULL)
		fail(t, HTTP_ERR_CANCELLED, xstrdup("cancelled"));
}

void
http_cancel_all(struct http_client *c)
{
	while (c->transfers != NULL)
		fail(c->transfers, HTTP_ERR_CANCELLED, xstrdup("cancelled"));
}

size_t
http_pending(const struct http_client *c)
{
	const struct transfer *t;
	size_t n = 0;

	for (t = c->transfers; t != NULL; t = t->next)
		n++;
	return n;
}

bool
http_client_preconnected(const struct http_client *c)
{
	return c->preconnected;
}

const struct http_stats *
http_client_stats(const struct http_client *c)
{
	return &c->stats;
}

int
http_progress(const struct http_client *c, uint64_t id, double *elapsed, uint64_t *bytes)
{
	const struct transfer *t = find(c, id);
	curl_off_t down = 0;

	if (t == NULL)
		return -1;
	*elapsed = now_seconds() - t->started;
	if (t->easy != NULL)
		curl_easy_getinfo(t->easy, CURLINFO_SIZE_DOWNLOAD_T, &down);
	*bytes = (uint64_t)down;
	return 0;
}

bool
http_same_origin(const char *a, const char *b)
{
	CURLU *ua = curl_url(), *ub = curl_url();
	static const CURLUPart parts[] = { CURLUPART_SCHEME, CURLUPART_HOST, CURLUPART_PORT };
	bool same = ua != NULL && ub != NULL && curl_url_set(ua, CURLUPART_URL, a, 0) == CURLUE_OK &&
	    curl_url_set(ub, CURLUPART_URL, b, 0) == CURLUE_OK;

	for (size_t i = 0; same && i < sizeof parts / sizeof parts[0]; i++) {
		char *pa = NULL, *pb = NULL;

		/* CURLU_DEFAULT_PORT: https://h and https://h:443 are one origin. */
		same = curl_url_get(ua, parts[i], &pa, CURLU_DEFAULT_PORT) == CURLUE_OK &&
		    curl_url_get(ub, parts[i], &pb, CURLU_DEFAULT_PORT) == CURLUE_OK &&
		    strcasecmp(pa, pb) == 0;
		curl_free(pa);
		curl_free(pb);
	}
	curl_url_cleanup(ua);
	curl_url_cleanup(ub);
	return same;
}

/* Milliseconds to wait before retry number ATTEMPTS (1-based), with full jitter. */
static long
backoff_ms(unsigned attempts, long retry_after_s)
{
	long base, ms;

	if (retry_after_s >= 0)
		return (retry_after_s > RETRY_AFTER_CAP_S ? RETRY_AFTER_CAP_S : retry_after_s) * 1000;
	base = BACKOFF_BASE_MS;
	for (unsigned i = 1; i < attempts && base < BACKOFF_CAP_MS; i++)
		base *= 2;
	if (base > BACKOFF_CAP_MS)
		base = BACKOFF_CAP_MS;
	/* Half fixed, half random, so clients that failed together do not retry together. */
	ms = base / 2 + (long)(arc4random_uniform((uint32_t)(base / 2) + 1));
	return ms;
}

static void
schedule_retry(struct transfer *t, long retry_after_s)
{
	curl_multi_remove_handle(t->client->multi, t->easy);
	curl_easy_cleanup(t->easy);
	t->easy = NULL;
	t->due = now_seconds() + (double)backoff_ms(t->attempts, retry_after_s) / 1000.0;
}

/*
 * T was answered 401 for its token (WWW-Authenticate: Bearer): the server did nothing
 * with it, so it waits, as sent, for the client's next token rather than failing, and the
 * client's owner is told (once the pump is done) to renew the token.
 */
static void
park(struct transfer *t)
{
	curl_multi_remove_handle(t->client->multi, t->easy);
	curl_easy_cleanup(t->easy);
	t->easy = NULL;
	t->due = 0;
	t->parked = true;
	t->client->bearer_refused_due = true;
}

static bool
errbuf_has(const struct transfer *t, const char *needle)
{
	return strstr(t->errbuf, needle) != NULL;
}

/* Sort a libcurl failure into a class and a sentence. */
static enum http_error
classify(const struct transfer *t, CURLcode code, char **message)
{
	const char *detail = t->errbuf[0] ? t->errbuf : curl_easy_strerror(code);

	/*
	 * With TLS 1.3 the server checks our certificate after the handshake, so
	 * its refusal arrives as an alert on the first read, whatever the code.
	 */
	if (errbuf_has(t, "alert certificate required") || errbuf_has(t, "alert unknown ca") ||
	    errbuf_has(t, "alert bad certificate") || errbuf_has(t, "alert certificate unknown") ||
	    errbuf_has(t, "alert certificate revoked") || errbuf_has(t, "alert certificate expired") ||
	    errbuf_has(t, "alert access denied")) {
		*message = xasprintf("the server refused our client certificate (%s)", detail);
		return HTTP_ERR_AUTH;
	}
	switch (code) {
	case CURLE_PEER_FAILED_VERIFICATION:
		*message = xasprintf("the server's certificate was not accepted: %s", detail);
		return HTTP_ERR_TLS;
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		*message = xstrdup("the server's public key does not match pin_sha256");
		return HTTP_ERR_TLS;
	case CURLE_SSL_CACERT_BADFILE:
		*message = xasprintf("ca_file could not be used: %s", detail);
		return HTTP_ERR_CONFIG;
	case CURLE_SSL_CERTPROBLEM:
		if (errbuf_has(t, "private key"))
			*message = xasprintf("the client key could not be opened: wrong passphrase? (%s)",
			    detail);
		else
			*message = xasprintf("the client certificate could not be used: %s", detail);
		return HTTP_ERR_AUTH;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		*message = xasprintf("the address cannot be used (https only): %s", detail);
		return HTTP_ERR_CONFIG;
	case CURLE_SSL_CONNECT_ERROR:
		if (errbuf_has(t, "protocol version") || errbuf_has(t, "unsupported protocol") ||
		    errbuf_has(t, "no protocols available")) {
			*message = xasprintf("the server does not speak TLS 1.2 or newer: %s", detail);
			return HTTP_ERR_TLS;
		}
		*message = xasprintf("the TLS handshake failed: %s", detail);
		return HTTP_ERR_NETWORK;
	case CURLE_FILESIZE_EXCEEDED:
		*message = xasprintf("the response is larger than the %zu-byte limit",
		    t->client->opts.max_response);
		return HTTP_ERR_SERVER;
	case CURLE_BAD_CONTENT_ENCODING:
	case CURLE_WEIRD_SERVER_REPLY:
		*message = xasprintf("the server's response could not be read: %s", detail);
		return HTTP_ERR_SERVER;
	case CURLE_OPERATION_TIMEDOUT:
		*message = xasprintf("the server did not answer in time: %s", detail);
		return HTTP_ERR_NETWORK;
	case CURLE_SEND_FAIL_REWIND:
		*message = xstrdup("the connection dropped after the request was sent; it may or may not "
				   "have reached the server");
		return HTTP_ERR_NETWORK;
	default:
		*message = xasprintf("network error: %s", detail);
		return HTTP_ERR_NETWORK;
	}
}

/* Follow a same-origin redirect of a read by hand; 0 when followed. */
static int
follow_redirect(struct transfer *t)
{
	CURLU *u;
	char *next = NULL;
	int rc = -1;

	if (t->method != HTTP_GET || t->resp.location == NULL || t->redirects >= REDIRECTS_MAX)
		return -1;
	u = curl_url();
	if (u != NULL && curl_url_set(u, CURLUPART_URL, t->url, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, t->resp.location, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &next, 0) == CURLUE_OK && http_same_origin(t->url, next) &&
	    strncasecmp(next, "https:", 6) == 0) {
		free(t->url);
		t->url = xstrdup(next);
		t->redirects++;
		t->attempts--; /* a redirect is not a failed attempt */
		curl_multi_remove_handle(t->client->multi, t->easy);
		curl_easy_cleanup(t->easy);
		t->easy = NULL;
		start_attempt(t);
		rc = 0;
	}
	curl_free(next);
	curl_url_cleanup(u);
	return rc;
}

static void
complete(struct transfer *t, CURLcode code)
{
	long status = 0, header = 0, request = 0;
	curl_off_t down = 0, up = 0, appconnect = 0;
	enum http_error error;
	char *message = NULL;

	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(t->easy, CURLINFO_HEADER_SIZE, &header);
	curl_easy_getinfo(t->easy, CURLINFO_REQUEST_SIZE, &request);
	curl_easy_getinfo(t->easy, CURLINFO_SIZE_DOWNLOAD_T, &down);
	curl_easy_getinfo(t->easy, CURLINFO_SIZE_UPLOAD_T, &up);
	curl_easy_getinfo(t->easy, CURLINFO_APPCONNECT_TIME_T, &appconnect);
	/* Kept across attempts (response_clear resets the response, so save first). */
	t->sent_total.round_trips++;
	t->sent_total.bytes_sent += (uint64_t)request + (uint64_t)up;
	t->sent_total.bytes_received += (uint64_t)header + (uint64_t)down;
	t->resp.stats = t->sent_total;
	t->client->stats.round_trips++;
	t->client->stats.bytes_sent += (uint64_t)request + (uint64_t)up;
	t->client->stats.bytes_received += (uint64_t)header + (uint64_t)down;
	t->resp.status = status;

	if (t->too_big) {
		fail(t, HTTP_ERR_SERVER,
		    xasprintf("the response is larger than the %zu-byte limit",
			t->client->opts.max_response));
		return;
	}
	if (code == CURLE_OK) {
		if (status >= 300 && status < 400 && status != 304) {
			if (follow_redirect(t) == 0)
				return;
			fail(t, HTTP_ERR_SERVER,
			    xstrdup("the server redirected to another address; not followed"));
			return;
		}
		if (status == 415 && t->plain != NULL) {
			ungzip_request(t);
			return;
		}
		if ((status == 429 || status == 503) && t->retry &&
		    t->attempts < t->client->opts.max_attempts) {
			schedule_retry(t, t->resp.retry_after);
			return;
		}
		if (status == 401 && t->bearer_challenge && !t->no_bearer && !t->bearer_resent &&
		    t->client->bearer_refused != NULL) {
			park(t);
			return;
		}
		if (status == 401 && t->bearer_challenge && !t->no_bearer) {
			fail(t, HTTP_ERR_BEARER,
			    xstrdup("the server wants a valid access token (401, WWW-Authenticate: "
				    "Bearer)"));
			return;
		}
		finish(t);
		return;
	}
	error = classify(t, code, &message);
	if (error == HTTP_ERR_NETWORK && appconnect > 0 && header == 0 &&
	    (code == CURLE_GOT_NOTHING || code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR))
		t->silent_closes++;
	if (error == HTTP_ERR_NETWORK && t->retry && t->attempts < t->client->opts.max_attempts) {
		free(message);
		schedule_retry(t, -1);
		return;
	}
	/*
	 * Some servers (Node.js among them) refuse a client certificate by closing
	 * the connection after the TLS handshake, with no alert to read. Once every
	 * attempt has ended that way, a drop on a bad link is the unlikely reading.
	 */
	if (error == HTTP_ERR_NETWORK && t->attempts >= 2 && t->silent_closes == t->attempts) {
		free(message);
		message = xstrdup("the server closed every connection right after the TLS handshake "
				  "without answering; it most likely does not accept our client "
				  "certificate");
		error = HTTP_ERR_AUTH;
	}
	t->resp.status = 0;
	fail(t, error, message);
}

void
http_client_pump(struct http_client *c)
{
	int running, left;
	CURLMsg *msg;
	struct transfer *t;
	double now;

	curl_multi_perform(c->multi, &running);
	while ((msg = curl_multi_info_read(c->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		t = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
		if (t != NULL)
			complete(t, msg->data.result);
	}
	/*
	 * Start the retries that are due, then report one transfer that could not
	 * start and begin again from the head: its callback may cancel or submit
	 * requests, so no pointer into the list survives it.
	 */
	now = now_seconds();
	for (;;) {
		for (t = c->transfers; t != NULL; t = t->next) {
			if (!t->start_failed && t->easy == NULL && t->due > 0 && t->due <= now)
				start_attempt(t);
			if (t->start_failed)
				break;
		}
		if (t == NULL)
			break;
		finish(t);
	}
	if (c->bearer_refused_due) {
		c->bearer_refused_due = false;
		c->bearer_refused(c->bearer_refused_arg);
	}
}

int
http_client_wait(struct http_client *c, const int *extra_fds, unsigned nfds, int timeout_ms,
    int *ready)
{
	struct curl_waitfd fds[8];
	const struct transfer *t;
	double now = now_seconds();
	int numfds = 0;

	if (nfds > sizeof fds / sizeof fds[0])
		nfds = sizeof fds / sizeof fds[0];
	/*
	 * Held requests start once no other is left. Here, not in the pump: between the two
	 * the caller took the answers and may have asked for more (a key typed ahead applied
	 * to a search's answer), which goes first.
	 */
	if (!others_wait(c))
		for (struct transfer *h = c->transfers; h != NULL; h = h->next)
			if (h->held) {
				h->held = false;
				start_attempt(h);
				timeout_ms = 0;
			}
	for (t = c->transfers; t != NULL; t = t->next) {
		if (t->start_failed) {
			timeout_ms = 0; /* to be reported by the next pump */
		} else if (t->easy == NULL && t->due > 0) {
			int ms = t->due <= now ? 0 : (int)((t->due - now) * 1000.0) + 1;

			if (timeout_ms < 0 || ms < timeout_ms)
				timeout_ms = ms;
		}
	}
	if (timeout_ms < 0)
		timeout_ms = 1000;
	for (unsigned i = 0; i < nfds; i++) {
		fds[i].fd = extra_fds[i];
		fds[i].events = CURL_WAIT_POLLIN;
		fds[i].revents = 0;
	}
	if (curl_multi_poll(c->multi, fds, nfds, timeout_ms, &numfds) != CURLM_OK)
		return -1;
	if (ready != NULL) {
		*ready = 0;
		for (unsigned i = 0; i < nfds; i++)
			if (fds[i].revents != 0)
				(*ready)++;
	}
	return 0;
}

void
http_client_run(struct http_client *c)
{
	while (c->transfers != NULL) {
		http_client_pump(c);
		if (c->transfers != NULL)
			http_client_wait(c, NULL, 0, 1000, NULL);
	}
}
