/*
 * Unit tests for the HTTP layer: transfers that cannot start, retries whose start
 * fails, the TLS files read from checked descriptors, and the key decrypted once.
 */
#include "config.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "net/http-test.h"
#include "net/http.h"
#include "net/tlskey.h"
#include "util/secret.h"
#include "util/xmalloc.h"

static char dir[] = "/tmp/ehrterm-http-XXXXXX";
static char *ca_path, *cert_path, *key_path, *enc_key_path;
static struct secret *key_pem;
static struct http_client *client;
static EVP_PKEY *the_key;
static char *refused_url; /* an https URL on a loopback port nobody listens on */

/* Write PEM with WRITE to DIR/NAME, mode MODE; returns the path. */
static char *
pem_file(const char *name, mode_t mode, int (*write)(FILE *, void *), void *obj)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	cr_assert_eq(fchmod(fileno(f), mode), 0);
	cr_assert_eq(write(f, obj), 1);
	cr_assert_eq(fclose(f), 0);
	return path;
}

static int
write_key(FILE *f, void *key)
{
	return PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
}

static int
write_encrypted_key(FILE *f, void *key)
{
	static char pass[] = "correct horse";

	return PEM_write_PKCS8PrivateKey(
	    f, key, EVP_aes_256_cbc(), pass, (int)strlen(pass), NULL, NULL);
}

static int
write_cert(FILE *f, void *cert)
{
	return PEM_write_X509(f, cert);
}

/* A self-signed EC certificate and its key: enough for a client to start. */
static void
make_tls_files(void)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *cert = X509_new();
	X509_NAME *name;

	cr_assert(key != NULL && cert != NULL);
	X509_set_version(cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
	X509_gmtime_adj(X509_getm_notBefore(cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
	X509_set_pubkey(cert, key);
	name = X509_get_subject_name(cert);
	X509_NAME_add_entry_by_txt(
	    name, "CN", MBSTRING_ASC, (const unsigned char *)"unit", -1, -1, 0);
	X509_set_issuer_name(cert, name);
	cr_assert_gt(X509_sign(cert, key, EVP_sha256()), 0);
	key_path = pem_file("key.pem", 0600, write_key, key);
	enc_key_path = pem_file("enc.pem", 0600, write_encrypted_key, key);
	cert_path = pem_file("cert.pem", 0644, write_cert, cert);
	ca_path = pem_file("ca.pem", 0644, write_cert, cert);
	X509_free(cert);
	the_key = key;
}

static struct http_options
options(void)
{
	struct http_options opts = {0};

	opts.tls.ca_file = ca_path;
	opts.tls.client_cert = cert_path;
	opts.tls.client_key = key_path;
	opts.tls.client_key_pem = key_pem;
	opts.connect_timeout_s = 5;
	return opts;
}

/* A loopback port that refuses connections: bound, then closed. */
static char *
refused(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert(fd >= 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return xasprintf("https://127.0.0.1:%u/fhir/metadata", ntohs(sa.sin_port));
}

static void
setup(void)
{
	struct http_options opts;
	char *cause = NULL;

	cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	make_tls_files();
	cr_assert_eq(tlskey_decrypt(key_path, NULL, &key_pem, &cause), TLSKEY_OPENS, "%s", cause);
	opts = options();
	client = http_client_new(&opts, &cause);
	cr_assert_not_null(client, "%s", cause ? cause : "");
	refused_url = refused();
}

static void
teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	http_test_fail_nth(HTTP_FAULT_EASY_INIT, 0);
	http_test_fail_nth(HTTP_FAULT_MULTI_ADD, 0);
	http_client_free(&client);
	secret_free(&key_pem);
	EVP_PKEY_free(the_key);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	free(enc_key_path);
	free(ca_path);
	free(cert_path);
	free(key_path);
	free(refused_url);
}

TestSuite(http, .init = setup, .fini = teardown, .timeout = 30);

/* What a callback saw. */
struct seen {
	int calls;
	enum http_error error;
	char message[256];
	uint64_t cancel_all_of; /* when set, the callback cancels every other request */
};

static void
on_done(const struct http_response *resp, void *arg)
{
	struct seen *s = arg;

	s->calls++;
	s->error = resp->error;
	snprintf(s->message, sizeof s->message, "%s", resp->message ? resp->message : "");
	if (s->cancel_all_of)
		http_cancel_all(client);
}

static uint64_t
get(struct seen *s, bool retry)
{
	struct http_request req = {.method = HTTP_GET, .url = refused_url, .retry = retry};

	return http_submit(client, &req, on_done, s);
}

static void
start_fails_at_submit(enum http_fault what)
{
	struct seen s = {0};
	uint64_t id;

	http_test_fail_nth(what, 1);
	id = get(&s, true);
	cr_assert_neq(id, 0);
	/* The promise of http.h: never called before http_submit returns. */
	cr_assert_eq(s.calls, 0, "the callback ran inside http_submit");
	cr_assert_eq(http_pending(client), 1);
	http_client_run(client);
	cr_assert_eq(s.calls, 1);
	cr_assert_eq(s.error, HTTP_ERR_NETWORK);
	cr_assert(strstr(s.message, "libcurl could not") != NULL, "message: %s", s.message);
	cr_assert_eq(http_pending(client), 0);
}

Test(http, easy_init_failure_at_submit_is_reported_once_later)
{
	start_fails_at_submit(HTTP_FAULT_EASY_INIT);
}

Test(http, multi_add_failure_at_submit_is_reported_once_later)
{
	start_fails_at_submit(HTTP_FAULT_MULTI_ADD);
}

Test(http, a_failed_start_can_be_cancelled_before_it_is_reported)
{
	struct seen s = {0};
	uint64_t id;

	http_test_fail_nth(HTTP_FAULT_EASY_INIT, 1);
	id = get(&s, false);
	http_cancel(client, id);
	cr_assert_eq(s.calls, 1);
	cr_assert_eq(s.error, HTTP_ERR_CANCELLED);
	http_client_run(client);
	cr_assert_eq(s.calls, 1, "reported twice");
}

Test(http, a_refused_connection_is_a_network_error)
{
	struct seen s = {0};

	get(&s, false);
	http_client_run(client);
	cr_assert_eq(s.calls, 1);
	cr_assert_eq(s.error, HTTP_ERR_NETWORK, "%s", s.message);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/*
 * Two reads wait to retry after a refused connection; the retry of the first
 * cannot start, and its callback cancels everything else (as leaving a screen
 * does). The other must be reported cancelled, once, and nothing freed touched.
 */
Test(http, a_retry_that_cannot_start_while_the_callback_cancels_the_rest)
{
	struct seen a = {0}, b = {0};

	a.cancel_all_of = b.cancel_all_of = 1;
	get(&a, true);
	get(&b, true);
	/* Both connections are refused at once; both then wait 250-500 ms to retry. */
	for (int i = 0; i < 15; i++) {
		http_client_pump(client);
		sleep_ms(10);
	}
	cr_assert_eq(a.calls + b.calls, 0, "a refused read was not retried");
	sleep_ms(600);
	/* The next libcurl handle is the first retry's: it cannot start. */
	http_test_fail_nth(HTTP_FAULT_EASY_INIT, 1);
	http_client_pump(client);
	http_client_run(client);
	cr_assert_eq(a.calls, 1);
	cr_assert_eq(b.calls, 1);
	cr_assert(a.error == HTTP_ERR_CANCELLED || b.error == HTTP_ERR_CANCELLED);
	cr_assert(a.error == HTTP_ERR_NETWORK || b.error == HTTP_ERR_NETWORK);
	cr_assert_eq(http_pending(client), 0);
}

/* --- the TLS files --------------------------------------------------------------- */

/* http_client_new with OPTS: NULL expected, and the sentence must contain WANT. */
static void
refused_with(struct http_options *opts, const char *want)
{
	char *cause = NULL;
	struct http_client *c = http_client_new(opts, &cause);

	cr_assert_null(c, "accepted, expected: %s", want);
	cr_assert_not_null(cause);
	cr_assert(strstr(cause, want) != NULL, "cause: %s", cause);
	free(cause);
}

/* http_client_new with OPTS must work. */
static void
client_or_fail(struct http_options *opts)
{
	char *cause = NULL;
	struct http_client *c = http_client_new(opts, &cause);

	cr_assert_not_null(c, "%s", cause ? cause : "");
	http_client_free(&c);
}

Test(http, a_ca_file_others_can_write_is_refused)
{
	struct http_options opts = options();

	cr_assert_eq(chmod(ca_path, 0666), 0);
	refused_with(&opts, "ca_file");
}

Test(http, a_client_cert_others_can_write_is_refused)
{
	struct http_options opts = options();

	cr_assert_eq(chmod(cert_path, 0646), 0);
	refused_with(&opts, "client_cert");
}

Test(http, a_crl_file_others_can_write_is_refused)
{
	struct http_options opts = options();
	char *crl = xasprintf("%s/crl.pem", dir);
	FILE *f = fopen(crl, "w");

	/* The mode is checked before anything is parsed: any content will do. */
	cr_assert_not_null(f);
	cr_assert_eq(fchmod(fileno(f), 0664), 0);
	fclose(f);
	opts.tls.crl_file = crl;
	refused_with(&opts, "crl_file");
	cr_assert_eq(chmod(crl, 0644), 0);
	client_or_fail(&opts);
	free(crl);
}

Test(http, a_key_that_was_not_unlocked_is_refused)
{
	struct http_options opts = options();

	opts.tls.client_key_pem = NULL;
	refused_with(&opts, "not unlocked");
}

/* --- the key, decrypted once ----------------------------------------------------- */

TestSuite(tlskey, .init = setup, .fini = teardown, .timeout = 30);

Test(tlskey, the_right_passphrase_gives_the_same_key_unencrypted_in_locked_memory)
{
	struct secret *pem = NULL;
	char *cause = NULL;
	EVP_PKEY *got;
	BIO *bio;

	cr_assert_eq(
	    tlskey_decrypt(enc_key_path, "correct horse", &pem, &cause), TLSKEY_OPENS, "%s", cause);
	cr_assert(strstr(secret_str(pem), "-----BEGIN PRIVATE KEY-----") != NULL);
	cr_assert(strstr(secret_str(pem), "ENCRYPTED") == NULL);
	bio = BIO_new_mem_buf(secret_str(pem), (int)secret_len(pem));
	got = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	cr_assert_not_null(got, "libcurl could not read the key without a passphrase");
	cr_assert_eq(EVP_PKEY_eq(got, the_key), 1, "not the same key");
	EVP_PKEY_free(got);
	BIO_free(bio);
	secret_free(&pem);
}

Test(tlskey, a_wrong_or_missing_passphrase_gives_nothing)
{
	struct secret *pem = NULL;
	char *cause = NULL;

	cr_assert_eq(tlskey_decrypt(enc_key_path, "wrong", &pem, &cause), TLSKEY_WRONG_PASSPHRASE);
	cr_assert_null(pem);
	cr_assert(strstr(cause, "does not open") != NULL, "%s", cause);
	free(cause);
	cause = NULL;
	cr_assert_eq(tlskey_decrypt(enc_key_path, NULL, &pem, &cause), TLSKEY_WRONG_PASSPHRASE);
	cr_assert_null(pem);
	free(cause);
}

Test(tlskey, a_key_others_can_read_is_refused_before_it_is_decrypted)
{
	struct secret *pem = NULL;
	char *cause = NULL;

	cr_assert_eq(chmod(enc_key_path, 0640), 0);
	cr_assert_eq(
	    tlskey_decrypt(enc_key_path, "correct horse", &pem, &cause), TLSKEY_UNREADABLE);
	cr_assert_null(pem);
	cr_assert(strstr(cause, "key file") != NULL, "%s", cause);
	free(cause);
}

Test(tlskey, the_idle_lock_still_proves_the_passphrase_against_the_file)
{
	char *cause = NULL;

	cr_assert_eq(tlskey_open(enc_key_path, "correct horse", &cause), TLSKEY_OPENS, "%s", cause);
	cr_assert_eq(tlskey_open(enc_key_path, "wrong", &cause), TLSKEY_WRONG_PASSPHRASE);
	free(cause);
}
