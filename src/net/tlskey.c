/* Client key checks with libcrypto: the passphrase is proved locally, without the server. */
#include "config.h"

#include "net/tlskey.h"
#include "cfg/cfg.h"
#include "util/file.h"
#include "util/secret.h"
#include "util/xmalloc.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Key files are small; reading further is a sign of the wrong file. */
#define KEY_FILE_MAX (64 * 1024)

/* A plain key's bytes must not linger in freed memory. */
static void
tlskey_wipe(char *buf, size_t len)
{
	explicit_bzero(buf, len);
	free(buf);
}

/*
 * Read the file at PATH, checked as POLICY says, so that what is parsed is what was
 * checked: the descriptor fstat'ed is the one read. NULL with *cause set on failure.
 */
static char *
tlskey_read(const char *path, const struct file_policy *policy, size_t *len, char **cause)
{
	char *buf;

	if (file_read(path, policy, KEY_FILE_MAX, &buf, len, cause) != 0)
		return NULL;
	if (*len > KEY_FILE_MAX) {
		*cause = xasprintf("%s %s is larger than %d bytes; is it the right file?",
		    policy->what, path, KEY_FILE_MAX);
		tlskey_wipe(buf, *len);
		return NULL;
	}
	return buf;
}

/* Whether the PEM text BUF is an encrypted private key. */
static bool
tlskey_pem_encrypted(const char *buf)
{
	/* PKCS#8 ("BEGIN ENCRYPTED PRIVATE KEY") or traditional ("Proc-Type: 4,ENCRYPTED"). */
	return strstr(buf, "BEGIN ENCRYPTED PRIVATE KEY") != NULL ||
	       strstr(buf, "Proc-Type: 4,ENCRYPTED") != NULL;
}

bool
tlskey_encrypted(const char *path)
{
	char *buf, *cause = NULL;
	size_t len;
	bool encrypted;

	if ((buf = tlskey_read(path, &cfg_policy_key, &len, &cause)) == NULL) {
		free(cause);
		return false;
	}
	encrypted = tlskey_pem_encrypted(buf);
	tlskey_wipe(buf, len);
	return encrypted;
}

static int
passphrase_cb(char *buf, int size, int rwflag, void *arg)
{
	const char *pass = arg;
	size_t n;

	(void)rwflag;
	if (pass == NULL || size <= 0)
		return -1;
	n = strlen(pass);
	if (n > (size_t)size)
		return -1;
	memcpy(buf, pass, n);
	return (int)n;
}

/*
 * Read the key at PATH from the descriptor whose mode was checked and decrypt it
 * with PASSPHRASE. Returns TLSKEY_OPENS with *KEY set, or a failure with *cause set.
 */
static enum tlskey_result
tlskey_load(const char *path, const char *passphrase, EVP_PKEY **keyp, char **cause)
{
	EVP_PKEY *key;
	bool encrypted;
	size_t len;
	char *buf;
	BIO *bio;

	*keyp = NULL;
	if ((buf = tlskey_read(path, &cfg_policy_key, &len, cause)) == NULL)
		return TLSKEY_UNREADABLE;
	encrypted = tlskey_pem_encrypted(buf);
	bio = BIO_new_mem_buf(buf, (int)len);
	key = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, passphrase_cb, (void *)passphrase)
	                  : NULL;
	BIO_free(bio);
	tlskey_wipe(buf, len);
	ERR_clear_error();
	if (key != NULL) {
		*keyp = key;
		return TLSKEY_OPENS;
	}
	if (encrypted) {
		*cause = passphrase == NULL
		    ? xasprintf("the key %s is encrypted and no passphrase was given", path)
		    : xasprintf("the passphrase does not open the key %s", path);
		return TLSKEY_WRONG_PASSPHRASE;
	}
	*cause = xasprintf("%s is not a PEM private key", path);
	return TLSKEY_UNREADABLE;
}

enum tlskey_result
tlskey_open(const char *path, const char *passphrase, char **cause)
{
	EVP_PKEY *key;
	enum tlskey_result r = tlskey_load(path, passphrase, &key, cause);

	EVP_PKEY_free(key);
	return r;
}

enum tlskey_result
tlskey_decrypt(const char *path, const char *passphrase, struct secret **out, char **cause)
{
	enum tlskey_result r;
	EVP_PKEY *key;
	char *pem;
	long len;
	BIO *mem;

	*out = NULL;
	if ((r = tlskey_load(path, passphrase, &key, cause)) != TLSKEY_OPENS)
		return r;
	/*
	 * A secure-heap memory BIO: OpenSSL wipes its buffer when it grows and when
	 * it is freed, so the plain key's only lasting copy is the locked secret.
	 */
	mem = BIO_new(BIO_s_secmem());
	if (mem == NULL ||
	    PEM_write_bio_PKCS8PrivateKey(mem, key, NULL, NULL, 0, NULL, NULL) != 1 ||
	    (len = BIO_get_mem_data(mem, &pem)) <= 0) {
		ERR_clear_error();
		BIO_free(mem);
		EVP_PKEY_free(key);
		*cause = xasprintf("the key %s could not be prepared for the connection", path);
		return TLSKEY_UNREADABLE;
	}
	*out = secret_new_from(pem, (size_t)len);
	BIO_free(mem);
	EVP_PKEY_free(key);
	return TLSKEY_OPENS;
}

char *
tlskey_cert_user(const char *path, char **cause)
{
	X509 *cert;
	char cn[256], *buf;
	size_t len;
	BIO *bio;
	int n;

	if ((buf = tlskey_read(path, &cfg_policy_cert, &len, cause)) == NULL)
		return NULL;
	bio = BIO_new_mem_buf(buf, (int)len);
	cert = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	free(buf);
	if (cert == NULL) {
		ERR_clear_error();
		*cause = xasprintf("%s is not a PEM certificate", path);
		return NULL;
	}
	n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
	X509_free(cert);
	if (n <= 0) {
		*cause = xasprintf("the certificate %s has no common name (CN)", path);
		return NULL;
	}
	return xstrdup(cn);
}
