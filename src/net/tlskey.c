/* Client key checks with libcrypto: the passphrase is proved locally, without the server. */
#include "config.h"

#include "net/tlskey.h"
#include "util/xmalloc.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

/* Key files are small; reading further is a sign of the wrong file. */
#define KEY_FILE_MAX (64 * 1024)

bool
tlskey_encrypted(const char *path)
{
	FILE *f = fopen(path, "re");
	char line[256];
	bool encrypted = false;
	long read = 0;

	if (f == NULL)
		return false;
	while (!encrypted && read < KEY_FILE_MAX && fgets(line, sizeof line, f) != NULL) {
		read += (long)strlen(line);
		/* PKCS#8 ("BEGIN ENCRYPTED PRIVATE KEY") or traditional ("Proc-Type: 4,ENCRYPTED"). */
		encrypted = strstr(line, "BEGIN ENCRYPTED PRIVATE KEY") != NULL ||
		    strstr(line, "Proc-Type: 4,ENCRYPTED") != NULL;
	}
	fclose(f);
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

enum tlskey_result
tlskey_open(const char *path, const char *passphrase, char **cause)
{
	BIO *bio = BIO_new_file(path, "r");
	EVP_PKEY *key;
	bool encrypted;

	if (bio == NULL) {
		*cause = xasprintf("the key %s cannot be opened: %s", path, strerror(errno));
		ERR_clear_error();
		return TLSKEY_UNREADABLE;
	}
	encrypted = tlskey_encrypted(path);
	key = PEM_read_bio_PrivateKey(bio, NULL, passphrase_cb, (void *)passphrase);
	BIO_free(bio);
	ERR_clear_error();
	if (key != NULL) {
		EVP_PKEY_free(key);
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

char *
tlskey_cert_user(const char *path, char **cause)
{
	BIO *bio = BIO_new_file(path, "r");
	X509 *cert;
	char cn[256];
	int n;

	if (bio == NULL) {
		*cause = xasprintf("the certificate %s cannot be opened: %s", path, strerror(errno));
		ERR_clear_error();
		return NULL;
	}
	cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
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
