/* What the OAuth client's files share: bounded readers of server JSON, the form body, errors. */
#ifndef EHRTERM_NET_OAUTH_PRIVATE_H
#define EHRTERM_NET_OAUTH_PRIVATE_H

#include <cjson/cJSON.h>

#include "net/oauth.h"

/* An error code and description shown, bounded (RFC 6749 5.2 gives their characters). */
#define OAUTH_CODE_MAX 48
#define OAUTH_DESCRIPTION_MAX 160
/* A description with a longer word is not shown (it may be a token echoed back). */
#define OAUTH_DESCRIPTION_WORD_MAX 20

/* BODY parsed as a JSON object; NULL with *CAUSE ("the WHAT is not a JSON object"...). */
cJSON *oauth_json_object(const char *body, size_t len, const char *what, char **cause);

/* Whether S is an https URL ehrterm takes from a server (see struct oauth_server). */
bool oauth_url_ok(const char *s);

/*
 * Whether the LEN bytes at S are all of RFC 6749's error text characters (%x20-21 /
 * %x23-5B / %x5D-7E: printable ASCII without '"' and '\'), 1 to MAX of them.
 */
bool oauth_text_ok(const char *s, size_t max);

/* RFC 6749 A.13, A.17 (device code, refresh token): 1 to MAX of VSCHAR, %x20-7E. */
bool oauth_vschar_ok(const char *s, size_t max);

/*
 * A JSON number of seconds (or a string of digits, as some servers send): 0 with *OUT
 * rounded up and clamped to MAX, -1 when not a positive number. Absent is -1 too.
 */
int oauth_seconds(const cJSON *item, long max, long *out);

/*
 * The form body "n1=v1&n2=v2..." of the NULL-terminated name/value list, every byte but
 * ALPHA / DIGIT / "-._~" percent-encoded (space as "+"), made in locked memory.
 */
struct secret *oauth_form(const char *const *pairs);

/* The request R for URL with the form of PAIRS. */
void oauth_request_make(struct oauth_request *r, const char *url, const char *const *pairs);

/*
 * An error answer (RFC 6749 5.2): its code copied to CODE when it is one (else ""), and
 * the sentence "WHAT: ..." in *CAUSE, with the description when it passes
 * oauth_text_ok and has no word longer than OAUTH_DESCRIPTION_WORD_MAX. *KIND says whether to log
 * in again. STATUS 200 without an error is the caller's to read, not this.
 */
void oauth_error_read(long status, const char *body, size_t len, const char *what,
    char code[OAUTH_CODE_MAX + 1], enum oauth_error *kind, char **cause);

/* Who asks, for the token readers: the client's parts, borrowed. */
struct oauth_who {
	const char *client_id, *issuer, *scope, *user;
};

/* As oauth_tokens_read, for W, saying WHAT failed; CODE gets an error answer's code. */
int oauth_tokens_parse(const struct oauth_who *w, double now, long status, const char *body,
    size_t len, const char *what, struct oauth_tokens *out, enum oauth_error *kind,
    char code[OAUTH_CODE_MAX + 1], char **cause);

#endif
