/* Detached JWS: a note's bytes signed with the user's client key, checked with the JWS alone. */
#include "config.h"

#include "sign/jws.h"
#include "util/base64.h"
#include "util/file.h"
#include "util/secret.h"
#include "util/xmalloc.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bounds on what a JWS holds: a flat header, a certificate of a few kilobytes. */
#define HEADER_MAX 16384   /* the header's JSON, decoded */
#define HEADER_MEMBERS 32  /* its parameters */
#define X5C_MAX 4	   /* the signing certificate and at most three intermediates */
#define CERT_DER_MAX 8192  /* one certificate, DER */
#define CERT_FILE_MAX 65536
#define SIG_MAX 1024	   /* RSA 8192 bits */
#define RSA_BITS_MIN 2048
#define RSA_BITS_MAX 8192
#define TRUST_MAX 200	   /* authorities read from one file */
#define ES256_SIG_LEN 64   /* R||S, 32 bytes each */

struct jws_trust {
	X509_STORE *store;
};

enum key_kind {
	KEY_OTHER,
	KEY_P256,
	KEY_RSA,
};

/* OpenSSL must never prompt on the terminal for a passphrase: the keys here have none. */
static int
no_passphrase(char *buf, int size, int rwflag, void *arg)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)arg;
	return -1;
}

/* What KEY is, for the algorithm: EC on P-256, RSA of a sound size, or neither. */
static enum key_kind
key_kind(const EVP_PKEY *key)
{
	char group[32];
	int bits;

	if (key == NULL)
		return KEY_OTHER;
	if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC) {
		if (EVP_PKEY_get_group_name(key, group, sizeof group, NULL) != 1)
			return KEY_OTHER;
		return strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0 ? KEY_P256
											  : KEY_OTHER;
	}
	if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
		bits = EVP_PKEY_get_bits(key);
		return bits >= RSA_BITS_MIN && bits <= RSA_BITS_MAX ? KEY_RSA : KEY_OTHER;
	}
	return KEY_OTHER;
}

static EVP_PKEY *
load_key(const struct secret *key)
{
	EVP_PKEY *k;
	BIO *bio;

	if (key == NULL || secret_len(key) == 0 || secret_len(key) > INT_MAX)
		return NULL;
	bio = BIO_new_mem_buf(secret_str(key), (int)secret_len(key));
	k = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL) : NULL;
	BIO_free(bio);
	return k;
}

static X509 *
load_cert(const char *pem, size_t len)
{
	X509 *cert;
	BIO *bio;

	if (pem == NULL || len == 0 || len > CERT_FILE_MAX)
		return NULL;
	bio = BIO_new_mem_buf(pem, (int)len);
	cert = bio != NULL ? PEM_read_bio_X509(bio, NULL, no_passphrase, NULL) : NULL;
	BIO_free(bio);
	return cert;
}

/* "HEADER.BASE64URL(BYTES)", RFC 7515's signing input; *OUT_LEN its length. */
static char *
signing_input(const char *header, size_t header_len, const void *bytes, size_t len,
    size_t *out_len)
{
	char *payload = base64_encode(bytes, len, BASE64_URL), *s;
	size_t n = strlen(payload);

	s = xmalloc(header_len + 1 + n + 1);
	memcpy(s, header, header_len);
	s[header_len] = '.';
	memcpy(s + header_len + 1, payload, n + 1);
	*out_len = header_len + 1 + n;
	free(payload);
	return s;
}

/* The DER ECDSA signature EVP makes as JWS's R||S, each 32 bytes; 0 or -1. */
static int
der_to_rs(const unsigned char *der, size_t len, unsigned char rs[ES256_SIG_LEN])
{
	const unsigned char *p = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
	const BIGNUM *r, *s;
	int ok;

	if (sig == NULL)
		return -1;
	ECDSA_SIG_get0(sig, &r, &s);
	ok = BN_bn2binpad(r, rs, 32) == 32 && BN_bn2binpad(s, rs + 32, 32) == 32;
	ECDSA_SIG_free(sig);
	return ok ? 0 : -1;
}

/* JWS's R||S as the DER EVP verifies (OPENSSL_free it), or NULL. */
static unsigned char *
rs_to_der(const unsigned char rs[ES256_SIG_LEN], int *der_len)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(rs, 32, NULL), *s = BN_bin2bn(rs + 32, 32, NULL);
	unsigned char *der = NULL;

	if (sig == NULL || r == NULL || s == NULL || ECDSA_SIG_set0(sig, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(sig);
		return NULL;
	}
	*der_len = i2d_ECDSA_SIG(sig, &der);
	ECDSA_SIG_free(sig);
	if (*der_len <= 0) {
		OPENSSL_free(der);
		return NULL;
	}
	return der;
}

/* The protected header, base64url: alg, the certificate, what is signed. */
static char *
make_header(const char *alg, X509 *cert, const char *target, const char **why)
{
	unsigned char *der = NULL;
	int der_len = i2d_X509(cert, &der);
	cJSON *h, *x5c;
	char *cert_b64, *json, *out;

	if (der_len <= 0 || der_len > CERT_DER_MAX) {
		OPENSSL_free(der);
		*why = "the client certificate is too large to go with a signature";
		return NULL;
	}
	cert_b64 = base64_encode(der, (size_t)der_len, BASE64_STD);
	OPENSSL_free(der);
	h = cJSON_CreateObject();
	cJSON_AddStringToObject(h, "alg", alg);
	x5c = cJSON_AddArrayToObject(h, "x5c");
	cJSON_AddItemToArray(x5c, cJSON_CreateString(cert_b64));
	if (target != NULL)
		cJSON_AddStringToObject(h, JWS_TARGET_PARAM, target);
	json = cJSON_PrintUnformatted(h);
	cJSON_Delete(h);
	free(cert_b64);
	if (json == NULL)
		abort(); /* cJSON's allocation failed: as xmalloc does */
	out = base64_encode(json, strlen(json), BASE64_URL);
	cJSON_free(json);
	return out;
}

/* SIG over TBS with KEY of KIND, as JWS writes it (R||S for ES256), base64url; or NULL. */
static char *
sign_input(EVP_PKEY *key, enum key_kind kind, const char *tbs, size_t tbs_len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char *sig = NULL, rs[ES256_SIG_LEN];
	size_t sig_len = 0;
	char *out = NULL;

	if (md == NULL || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(md, NULL, &sig_len, (const unsigned char *)tbs, tbs_len) != 1 ||
	    sig_len == 0 || sig_len > SIG_MAX)
		goto done;
	sig = xmalloc(sig_len);
	if (EVP_DigestSign(md, sig, &sig_len, (const unsigned char *)tbs, tbs_len) != 1)
		goto done;
	if (kind == KEY_P256) {
		/* EVP makes DER; JWS (RFC 7518 3.4) wants the two numbers side by side. */
		if (der_to_rs(sig, sig_len, rs) != 0)
			goto done;
		out = base64_encode(rs, sizeof rs, BASE64_URL);
	} else {
		out = base64_encode(sig, sig_len, BASE64_URL);
	}
done:
	free(sig);
	EVP_MD_CTX_free(md);
	return out;
}

char *
jws_sign(const struct secret *key, const char *cert_pem, size_t cert_len, const char *target,
    const void *bytes, size_t len, char **cause)
{
	EVP_PKEY *k = NULL;
	X509 *cert = NULL;
	enum key_kind kind = KEY_OTHER;
	const char *why = NULL;
	char *header = NULL, *tbs = NULL, *sig = NULL, *jws = NULL;
	size_t tbs_len;

	*cause = NULL;
	if (len > JWS_BODY_MAX)
		why = "the note is too long to sign";
	else if (target != NULL && strlen(target) > JWS_TARGET_MAX)
		why = "the note's name is too long to sign";
	else if ((k = load_key(key)) == NULL)
		why = "the client key could not be read for signing";
	else if ((cert = load_cert(cert_pem, cert_len)) == NULL)
		why = "the client certificate could not be read for signing";
	else if (EVP_PKEY_eq(X509_get0_pubkey(cert), k) != 1)
		why = "the client certificate is not the client key's: the signature would not "
		      "verify";
	else if ((kind = key_kind(k)) == KEY_OTHER)
		why = "the client key is neither EC P-256 nor RSA of 2048 to 8192 bits: notes "
		      "cannot be signed with it";
	if (why != NULL)
		goto done;
	header = make_header(kind == KEY_P256 ? "ES256" : "RS256", cert, target, &why);
	if (header == NULL)
		goto done;
	tbs = signing_input(header, strlen(header), bytes, len, &tbs_len);
	if ((sig = sign_input(k, kind, tbs, tbs_len)) == NULL) {
		why = "the client key could not sign";
		goto done;
	}
	jws = xasprintf("%s..%s", header, sig);
	if (strlen(jws) > JWS_MAX) {
		free(jws);
		jws = NULL;
		why = "the client certificate is too large to go with a signature";
	}
done:
	if (why != NULL)
		*cause = xstrdup(why);
	ERR_clear_error();
	free(header);
	free(tbs);
	free(sig);
	X509_free(cert);
	EVP_PKEY_free(k);
	return jws;
}

char *
jws_sign_file(const struct secret *key, const char *cert_path, const struct file_policy *policy,
    const char *target, const void *bytes, size_t len, char **cause)
{
	char *pem, *jws;
	size_t pem_len;

	if (file_read(cert_path, policy, CERT_FILE_MAX, &pem, &pem_len, cause) != 0)
		return NULL;
	if (pem_len > CERT_FILE_MAX) {
		free(pem);
		*cause = xasprintf("%s is larger than %d bytes; is it the right file?", cert_path,
		    CERT_FILE_MAX);
		return NULL;
	}
	jws = jws_sign(key, pem, pem_len, target, bytes, len, cause);
	free(pem);
	return jws;
}

struct jws_trust *
jws_trust_new(const char *pem, size_t len, char **cause)
{
	struct jws_trust *t;
	X509_STORE *store;
	X509 *cert;
	BIO *bio;
	int n = 0;

	if (pem == NULL || len == 0 || len > INT_MAX || (store = X509_STORE_new()) == NULL) {
		*cause = xstrdup("no certificate authority was given");
		return NULL;
	}
	bio = BIO_new_mem_buf(pem, (int)len);
	while (bio != NULL && n < TRUST_MAX &&
	       (cert = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL)) != NULL) {
		n += X509_STORE_add_cert(store, cert) == 1;
		X509_free(cert);
	}
	BIO_free(bio);
	ERR_clear_error();
	if (n == 0) {
		X509_STORE_free(store);
		*cause = xstrdup("no certificate authority could be read");
		return NULL;
	}
	t = xmalloc(sizeof *t);
	t->store = store;
	return t;
}

void
jws_trust_free(struct jws_trust **tp)
{
	if (*tp == NULL)
		return;
	X509_STORE_free((*tp)->store);
	free(*tp);
	*tp = NULL;
}

/* --- verifying ---------------------------------------------------------------------------- */

/* What a JWS being verified holds, freed in one place. */
struct reading {
	unsigned char *header, *sig;
	size_t header_len, sig_len;
	cJSON *json;
	X509 *certs[X5C_MAX];
	size_t ncerts;
};

static void
reading_clear(struct reading *r)
{
	free(r->header);
	free(r->sig);
	cJSON_Delete(r->json);
	for (size_t i = 0; i < r->ncerts; i++)
		X509_free(r->certs[i]);
}

static enum jws_result
fail(struct jws_signer *out, enum jws_result result, const char *why)
{
	out->why = why;
	return result;
}

/* x5c: each entry one DER certificate, in standard base64 (RFC 7515 4.1.6), not base64url. */
static const char *
read_x5c(const cJSON *x5c, struct reading *r)
{
	const cJSON *c;

	if (!cJSON_IsArray(x5c) || cJSON_GetArraySize(x5c) < 1)
		return "the signature carries no certificate";
	cJSON_ArrayForEach(c, x5c)
	{
		unsigned char *der;
		const unsigned char *p;
		size_t der_len;
		X509 *cert;

		if (r->ncerts == X5C_MAX)
			return "the signature carries too many certificates";
		if (!cJSON_IsString(c) ||
		    (der = base64_decode(c->valuestring, strlen(c->valuestring), BASE64_STD,
			 CERT_DER_MAX, &der_len)) == NULL)
			return "a certificate in the signature is not base64 DER";
		p = der;
		cert = d2i_X509(NULL, &p, (long)der_len);
		/* One certificate and nothing after it. */
		if (cert != NULL && p != der + der_len) {
			X509_free(cert);
			cert = NULL;
		}
		free(der);
		if (cert == NULL)
			return "a certificate in the signature cannot be read";
		r->certs[r->ncerts++] = cert;
	}
	return NULL;
}

/* The header's parameters, each at most once; the ones ehrterm reads checked. */
static const char *
read_header(struct reading *r, struct jws_signer *out)
{
	const cJSON *m, *alg = NULL, *x5c = NULL, *target = NULL;
	const char *names[HEADER_MEMBERS];
	size_t n = 0;

	/* Its NUL counted: cJSON then refuses anything after the object. */
	if (memchr(r->header, '\0', r->header_len) != NULL ||
	    (r->json = cJSON_ParseWithLengthOpts((const char *)r->header, r->header_len + 1, NULL,
		 true)) == NULL ||
	    !cJSON_IsObject(r->json))
		return "the signature's header is not a JSON object";
	cJSON_ArrayForEach(m, r->json)
	{
		if (n == HEADER_MEMBERS)
			return "the signature's header is too long";
		for (size_t i = 0; i < n; i++)
			if (strcmp(names[i], m->string) == 0)
				return "the signature's header names a parameter twice";
		names[n++] = m->string;
		if (strcmp(m->string, "alg") == 0)
			alg = m;
		else if (strcmp(m->string, "x5c") == 0)
			x5c = m;
		else if (strcmp(m->string, JWS_TARGET_PARAM) == 0)
			target = m;
		else if (strcmp(m->string, "crit") == 0 || strcmp(m->string, "b64") == 0)
			/* An extension changes what is signed (b64: RFC 7797): none is understood. */
			return "the signature's header asks for an extension ehrterm does not know";
	}
	if (!cJSON_IsString(alg) ||
	    (strcmp(alg->valuestring, "ES256") != 0 && strcmp(alg->valuestring, "RS256") != 0))
		return "the signature's algorithm is not ES256 or RS256";
	snprintf(out->alg, sizeof out->alg, "%s", alg->valuestring);
	if (target != NULL) {
		if (!cJSON_IsString(target) || strlen(target->valuestring) > JWS_TARGET_MAX)
			return "the signature names what it signs in a way ehrterm does not read";
		snprintf(out->target, sizeof out->target, "%s", target->valuestring);
	}
	return read_x5c(x5c, r);
}

/* The subject CN of CERT into OUT (cut at a character); NULL, or why it cannot name the signer. */
static const char *
read_cn(X509 *cert, char *out, size_t size)
{
	const X509_NAME *name = X509_get_subject_name(cert);
	const ASN1_STRING *data;
	unsigned char *utf8 = NULL;
	int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1), n;
	size_t k;

	if (i < 0)
		return "the signing certificate names no one (it has no CN)";
	/* Two names: which one a reader sees would be a guess. */
	if (X509_NAME_get_index_by_NID(name, NID_commonName, i) >= 0)
		return "the signing certificate has two common names";
	data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
	if ((n = ASN1_STRING_to_UTF8(&utf8, data)) < 0)
		return "the signing certificate's name is not text";
	if (memchr(utf8, '\0', (size_t)n) != NULL) {
		OPENSSL_free(utf8);
		return "the signing certificate's name holds a NUL";
	}
	k = (size_t)n < size - 1 ? (size_t)n : size - 1;
	while (k > 0 && k < (size_t)n && (utf8[k] & 0xc0) == 0x80)
		k--;
	memcpy(out, utf8, k);
	out[k] = '\0';
	OPENSSL_free(utf8);
	return NULL;
}

/* Whether CERT chains to TRUST, the other certificates of R as intermediates. */
static bool
chains_to(const struct jws_trust *trust, const struct reading *r)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *chain = sk_X509_new_null();
	bool ok = false;

	if (ctx == NULL || chain == NULL)
		goto done;
	for (size_t i = 1; i < r->ncerts; i++)
		if (sk_X509_push(chain, r->certs[i]) <= 0)
			goto done;
	if (X509_STORE_CTX_init(ctx, trust->store, r->certs[0], chain) != 1)
		goto done;
	/* A note signed while the certificate was valid stays signed after it expires. */
	X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_NO_CHECK_TIME);
	ok = X509_verify_cert(ctx) == 1;
done:
	X509_STORE_CTX_free(ctx);
	sk_X509_free(chain); /* the certificates are the reading's */
	return ok;
}

/* Whether SIG is KEY's over TBS, as JWS writes it for ALG. */
static bool
signature_holds(EVP_PKEY *key, bool es256, const unsigned char *sig, size_t sig_len,
    const char *tbs, size_t tbs_len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char *der = NULL;
	int der_len = 0;
	bool ok = false;

	if (es256) {
		if ((der = rs_to_der(sig, &der_len)) == NULL)
			goto done;
		sig = der;
		sig_len = (size_t)der_len;
	}
	ok = md != NULL && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
	     EVP_DigestVerify(md, sig, sig_len, (const unsigned char *)tbs, tbs_len) == 1;
done:
	OPENSSL_free(der);
	EVP_MD_CTX_free(md);
	return ok;
}

static enum jws_result
verify(const char *jws, size_t jws_len, const void *bytes, size_t len,
    const struct jws_trust *trust, struct jws_signer *out, struct reading *r)
{
	const char *dot, *sig, *why;
	size_t header_len, sig_len, tbs_len;
	EVP_PKEY *key;
	enum key_kind kind;
	bool es256;
	char *tbs;
	bool ok;

	if (jws == NULL || jws_len == 0)
		return fail(out, JWS_MALFORMED, "the signature is empty");
	if (jws_len > JWS_MAX)
		return fail(out, JWS_MALFORMED, "the signature is too long");
	/* Exactly header, empty payload, signature: "h..s". */
	if ((dot = memchr(jws, '.', jws_len)) == NULL)
		return fail(out, JWS_MALFORMED, "the signature is not a JWS");
	header_len = (size_t)(dot - jws);
	if (header_len + 1 >= jws_len || dot[1] != '.')
		return fail(out, JWS_MALFORMED, "the signature is not detached from the note");
	sig = dot + 2;
	sig_len = jws_len - header_len - 2;
	if (memchr(sig, '.', sig_len) != NULL)
		return fail(out, JWS_MALFORMED, "the signature is not a JWS");
	if ((r->header = base64_decode(jws, header_len, BASE64_URL, HEADER_MAX, &r->header_len)) ==
	    NULL)
		return fail(out, JWS_MALFORMED, "the signature's header is not base64url");
	if ((r->sig = base64_decode(sig, sig_len, BASE64_URL, SIG_MAX, &r->sig_len)) == NULL)
		return fail(out, JWS_MALFORMED, "the signature's value is not base64url");
	if ((why = read_header(r, out)) != NULL)
		return fail(out, JWS_MALFORMED, why);

	key = X509_get0_pubkey(r->certs[0]);
	kind = key_kind(key);
	es256 = strcmp(out->alg, "ES256") == 0;
	if ((why = read_cn(r->certs[0], out->cn, sizeof out->cn)) != NULL)
		return fail(out, JWS_DOES_NOT_VERIFY, why);
	/* The algorithm is the key's, whatever the header says: no key serves two. */
	if (es256 ? kind != KEY_P256 : kind != KEY_RSA)
		return fail(out, JWS_DOES_NOT_VERIFY,
		    "the signature's algorithm is not the one of the certificate's key");
	if (es256 ? r->sig_len != ES256_SIG_LEN
		  : r->sig_len != (size_t)(EVP_PKEY_get_bits(key) + 7) / 8)
		return fail(out, JWS_DOES_NOT_VERIFY, "the signature has the wrong length");
	if (len > JWS_BODY_MAX)
		return fail(out, JWS_DOES_NOT_VERIFY, "the note is too long to check");
	tbs = signing_input(jws, header_len, bytes, len, &tbs_len);
	ok = signature_holds(key, es256, r->sig, r->sig_len, tbs, tbs_len);
	free(tbs);
	if (!ok)
		return fail(out, JWS_DOES_NOT_VERIFY, "the signature is not over these words");
	if (trust != NULL && !chains_to(trust, r))
		return fail(out, JWS_DOES_NOT_VERIFY,
		    "the signing certificate is not one the clinic's authority issued");
	return JWS_VERIFIED;
}

enum jws_result
jws_verify(const char *jws, size_t jws_len, const void *bytes, size_t len,
    const struct jws_trust *trust, struct jws_signer *out)
{
	struct reading r = { 0 };
	enum jws_result result;

	memset(out, 0, sizeof *out);
	result = verify(jws, jws_len, bytes, len, trust, out, &r);
	reading_clear(&r);
	ERR_clear_error();
	return result;
}
