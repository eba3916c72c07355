/* Base64 (RFC 4648): FHIR's base64Binary in the standard alphabet, JWS in the URL one. */
#ifndef EHRTERM_UTIL_BASE64_H
#define EHRTERM_UTIL_BASE64_H

#include <stdbool.h>
#include <stddef.h>

enum base64_kind {
	BASE64_STD, /* A-Z a-z 0-9 + /, padded with '=' to a multiple of four */
	BASE64_URL, /* A-Z a-z 0-9 - _, never padded (RFC 7515's base64url) */
};

/* LEN bytes at DATA encoded as KIND says; the caller frees it. */
char *base64_encode(const void *data, size_t len, enum base64_kind kind);

/*
 * The LEN characters at IN decoded strictly: KIND's alphabet only, no whitespace, the
 * padding KIND says, and the unused low bits of the last character zero, so that a
 * text and its bytes are one for one (a signature cannot be written two ways). At most
 * MAX bytes: longer is refused before anything is allocated. Returns the bytes (with a
 * NUL after them, not counted; the caller frees them) and *OUT_LEN, or NULL.
 */
unsigned char *base64_decode(const char *in, size_t len, enum base64_kind kind, size_t max,
    size_t *out_len);

/*
 * IN as a server may send it: whitespace skipped, either alphabet, padding optional
 * (the text ends at the first '='). At most MAX bytes are kept, and *CUT (may be NULL)
 * says whether there were more; the rest is still read, so that a character of neither
 * alphabet anywhere refuses it. Returns the bytes NUL-terminated (*OUT_LEN, may be NULL,
 * counts them without it; the caller frees them), or NULL when IN is not base64.
 */
char *base64_decode_loose(const char *in, size_t max, size_t *out_len, bool *cut);

#endif
