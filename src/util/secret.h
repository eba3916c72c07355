/* Secrets in memory (key passphrases, bearer tokens): locked, kept out of core dumps, wiped. */
#ifndef EHRTERM_UTIL_SECRET_H
#define EHRTERM_UTIL_SECRET_H

#include <stdbool.h>
#include <stddef.h>

/* The longest secret secret_read_tty takes; long enough for a JWT bearer token. */
#define SECRET_READ_MAX 16383

/*
 * Bytes held in their own pages, which are mlock()ed where the limits allow (so they
 * are never swapped out) and marked MADV_DONTDUMP (so they are left out of core dumps),
 * and wiped before they are unmapped. Always followed by a NUL that is not counted.
 */
struct secret;

/* A new secret holding a copy of LEN bytes at BYTES (NULL when LEN is 0). Never NULL. */
struct secret *secret_new_from(const char *bytes, size_t len);

/*
 * A new secret of LEN zero bytes, to be filled in place through secret_data (from a
 * pipe, say, so that the bytes pass through no buffer outside locked memory). Never NULL.
 */
struct secret *secret_new_len(size_t len);

/* The secret's LEN bytes, writable in place; NULL for NULL. */
char *secret_data(struct secret *s);

/*
 * Read a secret from FD. On a terminal: write PROMPT to it, read one line with echo
 * off, and put the terminal back as it was before returning, whatever the outcome;
 * Backspace, Ctrl-U, Ctrl-C (cancel) and Ctrl-D (end) work as in a shell. Otherwise
 * (a pipe or file on standard input): read one line without a prompt, taking no byte
 * beyond its newline, and strip the newline (and a carriage return before it).
 * An fd, not a FILE, so that no stdio buffer keeps a copy of the secret.
 * Returns 0 with *OUT set (possibly empty) or -1 with *CAUSE set.
 */
int secret_read_tty(const char *prompt, int fd, struct secret **out, char **cause);

/* The secret as a NUL-terminated string, borrowed: valid until secret_free. NULL for NULL. */
const char *secret_str(const struct secret *s);

/* The number of bytes held, not counting the trailing NUL. */
size_t secret_len(const struct secret *s);

/* Whether the pages are locked in memory (false when RLIMIT_MEMLOCK refused it). */
bool secret_locked(const struct secret *s);

/* Whether A and B hold the same bytes; in time that does not depend on where they differ. */
bool secret_equal(const struct secret *a, const struct secret *b);

/* Wipe the bytes and make the secret empty; the pages stay for reuse. */
void secret_clear(struct secret *s);

/* Wipe, unlock and unmap the secret, then set *SP to NULL. Does nothing for NULL. */
void secret_free(struct secret **sp);

#endif
