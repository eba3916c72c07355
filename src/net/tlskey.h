/* The client's private key file: is it encrypted, and does a passphrase open it. */
#ifndef EHRTERM_NET_TLSKEY_H
#define EHRTERM_NET_TLSKEY_H

#include <stdbool.h>

struct secret;

enum tlskey_result {
	TLSKEY_OPENS = 0,	/* the passphrase (or none, for a plain key) opens it */
	TLSKEY_WRONG_PASSPHRASE,
	TLSKEY_UNREADABLE,	/* missing, not a PEM private key, or another failure */
};

/* True when the PEM key at PATH is encrypted and needs a passphrase. */
bool tlskey_encrypted(const char *path);

/*
 * Try to open the PEM private key at PATH with PASSPHRASE (NULL for none). The key
 * is freed at once: this only proves the passphrase, as the idle lock needs.
 * On anything but TLSKEY_OPENS, *cause is a sentence the caller frees.
 */
enum tlskey_result tlskey_open(const char *path, const char *passphrase, char **cause);

/*
 * Decrypt the PEM private key at PATH with PASSPHRASE (NULL for a plain key), read
 * from the descriptor whose owner and mode were checked, once for the session:
 * *OUT is then the key as unencrypted PKCS#8 PEM in locked memory (util/secret.h)
 * for the HTTP layer, and the caller can wipe the passphrase at once. Returns as
 * tlskey_open(), with *OUT NULL unless TLSKEY_OPENS.
 */
enum tlskey_result tlskey_decrypt(const char *path, const char *passphrase, struct secret **out,
    char **cause);

/*
 * The common name (CN) of the certificate at PATH, the user as the server knows
 * them; for the audit trail and the status line. NULL with *cause set on failure.
 */
char *tlskey_cert_user(const char *path, char **cause);

#endif
