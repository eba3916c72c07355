/* Opening a session: the profile's files checked, the key unlocked, the clients made. */
#include "config.h"

#include "session/session.h"
#include "net/preconnect.h"
#include "net/tlskey.h"
#include "util/xmalloc.h"

#include <stdlib.h>
#include <string.h>

// clang-format off
static const struct {
	enum session_failure failure;
	const char *name;
	const char *hint;
} failures[] = {
	{ SESSION_OK,      "ok",            "nothing to do" },
	{ SESSION_CONFIG,  "configuration", "fix the configuration file (see ehrterm.conf(5))" },
	{ SESSION_TLS,     "certificate",   "check base_url, ca_file and pin_sha256 against the server's certificate" },
	{ SESSION_AUTH,    "authentication","check client_cert and client_key, and store the right passphrase with ehrterm --store-secret" },
	{ SESSION_SERVER,  "server",        "the server answered but not as a FHIR R4 server should; tell its administrator" },
	{ SESSION_NETWORK, "network",       "check the network and that the server is running, then try again" },
	{ SESSION_KEYRING, "keyring",       "check that a Secret Service (gnome-keyring) runs in this session" },
};
// clang-format on

const char *
session_failure_hint(enum session_failure failure)
{
	for (size_t i = 0; i < sizeof failures / sizeof failures[0]; i++)
		if (failures[i].failure == failure)
			return failures[i].hint;
	return "";
}

const char *
session_failure_name(enum session_failure failure)
{
	for (size_t i = 0; i < sizeof failures / sizeof failures[0]; i++)
		if (failures[i].failure == failure)
			return failures[i].name;
	return "unknown";
}

enum session_failure
session_failure_of(enum http_error error)
{
	switch (error) {
	case HTTP_OK:
		return SESSION_OK;
	case HTTP_ERR_CONFIG:
		return SESSION_CONFIG;
	case HTTP_ERR_TLS:
		return SESSION_TLS;
	case HTTP_ERR_AUTH:
	case HTTP_ERR_BEARER:
		return SESSION_AUTH;
	case HTTP_ERR_SERVER:
		return SESSION_SERVER;
	case HTTP_ERR_NETWORK:
	case HTTP_ERR_CANCELLED:
		break;
	}
	return SESSION_NETWORK;
}

bool
session_needs_passphrase(const struct session *s)
{
	return tlskey_encrypted(s->profile->client_key);
}

enum session_failure
session_set_passphrase(struct session *s, struct secret *pass, char **cause)
{
	struct secret *key = NULL;
	enum tlskey_result opened =
	    tlskey_decrypt(s->profile->client_key, secret_str(pass), &key, cause);

	/* Decrypted once, from the descriptor that was checked: the passphrase is done with. */
	secret_free(&pass);
	if (opened != TLSKEY_OPENS)
		return opened == TLSKEY_WRONG_PASSPHRASE ? SESSION_AUTH : SESSION_CONFIG;
	/* A connected session keeps the key its HTTP client borrows. */
	if (s->http != NULL) {
		secret_free(&key);
	} else {
		secret_free(&s->key);
		s->key = key;
	}
	return SESSION_OK;
}

/* Get the key's passphrase (keyring, else PROMPT) and prove it opens the key. */
static enum session_failure
unlock_key(struct session *s, const struct keyring_prompt *prompt, char **cause)
{
	const struct cfg_profile *p = s->profile;
	enum keyring_source source;
	enum session_failure failure;
	struct secret *pass = NULL;
	char *why = NULL;

	if (!session_needs_passphrase(s))
		return session_set_passphrase(s, NULL, cause);
	if (keyring_get(p->name, KEYRING_KEY_PASSPHRASE, prompt, &pass, &source, &why) != 0) {
		*cause = xasprintf("no passphrase for the key of profile %s: %s", p->name, why);
		free(why);
		return SESSION_AUTH;
	}
	failure = session_set_passphrase(s, pass, &why);
	if (failure == SESSION_AUTH && source == KEYRING_SOURCE_KEYRING) {
		*cause = xasprintf("the passphrase stored for profile %s does not open %s", p->name,
		    p->client_key);
		free(why);
	} else if (failure != SESSION_OK) {
		*cause = why;
	}
	return failure;
}

int
session_check_key_kind(const struct cfg_profile *p, char **cause)
{
	if (tlskey_encrypted(p->client_key) || session_key_unencrypted_allowed(p))
		return 0;
	*cause = xasprintf("the client key %s has no passphrase, so anyone who copies it is this "
			   "workstation: encrypt it (openssl pkey -aes256 -in KEY -out NEW), or set "
			   "unencrypted_key = allow in profile %s and store a lock passphrase with "
			   "--store-secret",
	    p->client_key, p->name);
	return -1;
}

bool
session_key_unencrypted_allowed(const struct cfg_profile *p)
{
	return p->unencrypted_key != NULL && strcmp(p->unencrypted_key, "allow") == 0;
}

enum session_failure
session_prepare(const struct cfg_profile *profile, struct session **out, char **cause)
{
	struct session *s = xcalloc(1, sizeof *s);

	s->profile = profile;
	/* The trust anchor and the certificate too: whoever can change them is the server. */
	if (cfg_check_tls_files(profile, cause) != 0 ||
	    (s->user = tlskey_cert_user(profile->client_cert, cause)) == NULL ||
	    session_check_key_kind(profile, cause) != 0) {
		session_close(&s);
		return SESSION_CONFIG;
	}
	*out = s;
	return SESSION_OK;
}

enum session_failure
session_connect(struct session *s, char **cause)
{
	const struct cfg_profile *profile = s->profile;
	struct http_options opts = {
		.tls = {
			.ca_file = profile->ca_file,
			.client_cert = profile->client_cert,
			.client_key = profile->client_key,
			.client_key_pem = s->key,
			.crl_file = profile->crl_file,
			.pin_sha256 = profile->pin_sha256,
		},
		.proxy = profile->proxy,
		.connect_timeout_s = profile->timeout_s,
		.preconnect = s->preconnect,
	};

	s->preconnect = NULL; /* the client's now, whatever happens */

	if ((s->http = http_client_new(&opts, cause)) == NULL ||
	    (s->fhir = fhir_client_new(s->http, profile->base_url, cause)) == NULL)
		return SESSION_CONFIG;
	return SESSION_OK;
}

void
session_preconnect(struct session *s)
{
	if (s->preconnect == NULL && s->http == NULL)
		s->preconnect = preconnect_start(s->profile->base_url, s->profile->proxy, s->profile->timeout_s);
}

enum session_failure
session_open(const struct cfg_profile *profile, const struct keyring_prompt *prompt,
    struct session **out, char **cause)
{
	struct session *s = NULL;
	enum session_failure failure;

	if ((failure = session_prepare(profile, &s, cause)) != SESSION_OK)
		return failure;
	if ((failure = unlock_key(s, prompt, cause)) != SESSION_OK ||
	    (failure = session_connect(s, cause)) != SESSION_OK) {
		session_close(&s);
		return failure;
	}
	*out = s;
	return SESSION_OK;
}

enum session_failure
session_take_metadata(struct session *s, const struct fhir_result *r, char **cause)
{
	enum session_failure failure;
	struct fhir_caps *caps;

	switch (r->status) {
	case FHIR_OK:
		if ((caps = fhir_caps_parse(r->resource, cause)) == NULL)
			return SESSION_SERVER;
		fhir_caps_free(&s->caps);
		s->caps = caps;
		return SESSION_OK;
	case FHIR_TRANSPORT:
		failure = session_failure_of(r->http_error);
		break;
	case FHIR_DENIED:
		failure = SESSION_AUTH;
		break;
	default:
		failure = SESSION_SERVER;
		break;
	}
	*cause = xasprintf("reading /metadata: %s", r->message ? r->message : "failed");
	return failure;
}

struct discover_wait {
	struct session *s;
	enum session_failure failure;
	char *cause;
};

static void
on_metadata(struct fhir_result *r, void *arg)
{
	struct discover_wait *w = arg;

	w->failure = session_take_metadata(w->s, r, &w->cause);
}

enum session_failure
session_discover_wait(struct session *s, char **cause)
{
	struct discover_wait w = { s, SESSION_OK, NULL };

	fhir_metadata(s->fhir, on_metadata, &w);
	http_client_run(s->http);
	if (w.failure != SESSION_OK)
		*cause = w.cause;
	return w.failure;
}

void
session_close(struct session **sp)
{
	struct session *s = *sp;

	if (s == NULL)
		return;
	fhir_client_free(&s->fhir);
	http_client_free(&s->http);
	fhir_caps_free(&s->caps);
	preconnect_free(&s->preconnect);
	/* After the HTTP client: libcurl reads the key in place until then. */
	secret_free(&s->key);
	free(s->user);
	free(s);
	*sp = NULL;
}
