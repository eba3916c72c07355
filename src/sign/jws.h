/*
 * A clinical note's signature: a detached JWS (RFC 7515, compact serialisation with
 * the payload left out as Appendix F shows, "header..signature") over the note's exact
 * bytes, made with the user's own client key and read back with nothing but itself.
 */
#ifndef EHRTERM_SIGN_JWS_H
#define EHRTERM_SIGN_JWS_H

#include <stdbool.h>
#include <stddef.h>

struct secret;
struct file_policy;

/* The longest JWS read or made: a header with a short certificate chain, and a signature. */
#define JWS_MAX 32768
/* The longest signed text: a note many times over the longest a clinician writes. */
#define JWS_BODY_MAX (1024 * 1024)
/* Bytes of the signer's common name kept, and of the note the header names. */
#define JWS_CN_MAX 128
#define JWS_TARGET_MAX 128
/*
 * The protected header's parameter naming what was signed ("DocumentReference/ID"), so
 * that a signature copied beside another note with the same text does not verify there.
 * A URI, as RFC 7515 4.3 asks of a private name.
 */
#define JWS_TARGET_PARAM "urn:ehrterm:target"

/*
 * Sign LEN bytes at BYTES with KEY (the session's client key, unencrypted PKCS#8 PEM in
 * locked memory) for the certificate CERT_PEM (CERT_LEN bytes of PEM, the key's own),
 * naming TARGET (at most JWS_TARGET_MAX bytes, or NULL) in the protected header. The
 * algorithm follows the key: ES256 for an EC P-256 key (the signature R||S, 64 bytes),
 * RS256 for an RSA key of 2048 bits or more; any other key is refused. The header holds
 * alg, x5c (the certificate, base64 DER) and the target. Returns the JWS (the caller
 * frees it), or NULL with *CAUSE set (the caller frees it).
 */
char *jws_sign(const struct secret *key, const char *cert_pem, size_t cert_len,
    const char *target, const void *bytes, size_t len, char **cause);
/* As jws_sign, the certificate read from CERT_PATH, checked as POLICY says (cfg_policy_cert). */
char *jws_sign_file(const struct secret *key, const char *cert_path,
    const struct file_policy *policy, const char *target, const void *bytes, size_t len,
    char **cause);

/* Certificate authorities whose certificates are believed: what "verified" then means. */
struct jws_trust;
/*
 * The certificates of the PEM text PEM (LEN bytes, one or more) as trust anchors. NULL
 * with *CAUSE set when it holds none or cannot be read.
 */
struct jws_trust *jws_trust_new(const char *pem, size_t len, char **cause);
void jws_trust_free(struct jws_trust **t);

enum jws_result {
	JWS_VERIFIED,	     /* the certificate's key signed exactly these bytes */
	JWS_DOES_NOT_VERIFY, /* well formed, but the signature, key or certificate fails */
	JWS_MALFORMED,	     /* not a detached JWS of the shape jws_sign makes */
};

/* What a JWS says of who signed it. */
struct jws_signer {
	/*
	 * The signing certificate's subject common name, made UTF-8 by libcrypto from the
	 * certificate's string type, at most JWS_CN_MAX bytes (cut at a character), never
	 * holding a NUL; "" when unknown. Untrusted text: sanitise it to show it,
	 * and show it as the signer only when the result is JWS_VERIFIED.
	 */
	char cn[JWS_CN_MAX + 1];
	char alg[8];			     /* "ES256" or "RS256"; "" when not read */
	char target[JWS_TARGET_MAX + 1];     /* the header's JWS_TARGET_PARAM, "" when none */
	const char *why; /* one sentence (static) when not verified, else NULL */
};

/*
 * Verify the JWS at JWS (JWS_LEN bytes, any bytes) over LEN bytes at BYTES, reading it
 * strictly: exactly "header..signature", both base64url without padding or stray bits,
 * the header a JSON object with alg from a fixed list (ES256, RS256: never "none" nor an
 * HMAC), matching the type of the key of the certificate in x5c (an EC key on P-256,
 * an RSA key of 2048 to 8192 bits), no "crit" nor "b64", no parameter twice, and every
 * size bounded. With TRUST (may be NULL: the signature alone) the certificate must also
 * chain to one of its authorities, the other x5c certificates serving as intermediates;
 * validity dates are not checked, as a note signed last year stays signed. Work is
 * linear in the input: one signature check, and the chain's with TRUST. OUT is always
 * filled.
 */
enum jws_result jws_verify(const char *jws, size_t jws_len, const void *bytes, size_t len,
    const struct jws_trust *trust, struct jws_signer *out);

#endif
