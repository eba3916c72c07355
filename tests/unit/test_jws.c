/*
 * Unit tests for a note's signature (src/sign/jws.c): signing with EC P-256 and RSA keys
 * made here, each signature checked again with libcrypto directly (the test's own R||S to
 * DER), signatures made by another program (tests/unit/data/make-note-signatures.py)
 * verified, and every way a JWS can be wrong.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "sign/jws.h"
#include "util/base64.h"
#include "util/file.h"
#include "util/secret.h"
#include "util/xmalloc.h"

static const char body[] = "S: cough three days.\nO: lungs clear.\nA/P: viral URI.\n";
#define TARGET "DocumentReference/n1"

/* A key and its certificate, as a session holds them. */
struct signer {
	EVP_PKEY *key;
	X509 *cert;
	struct secret *pem; /* the key, PKCS#8 PEM, as tlskey_decrypt leaves it */
	char *cert_pem;
	size_t cert_len;
};

/* A certificate for KEY named by the CNS (NULL-ended; none: no CN), signed by ISSUER or itself. */
static X509 *
make_cert(EVP_PKEY *key, const char *const *cns, const struct signer *issuer, long from, long to,
    bool ca)
{
	X509 *cert = X509_new();
	X509_NAME *name = X509_get_subject_name(cert);
	static long serial = 1;

	cr_assert_not_null(cert);
	X509_set_version(cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), serial++);
	X509_gmtime_adj(X509_getm_notBefore(cert), from);
	X509_gmtime_adj(X509_getm_notAfter(cert), to);
	X509_set_pubkey(cert, key);
	for (size_t i = 0; cns != NULL && cns[i] != NULL; i++)
		cr_assert(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
		    (const unsigned char *)cns[i], -1, -1, 0));
	X509_set_issuer_name(cert, issuer != NULL ? X509_get_subject_name(issuer->cert) : name);
	if (ca) {
		X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints,
		    "critical,CA:TRUE");

		cr_assert_not_null(ext);
		X509_add_ext(cert, ext, -1);
		X509_EXTENSION_free(ext);
	}
	cr_assert_gt(X509_sign(cert, issuer != NULL ? issuer->key : key, EVP_sha256()), 0);
	return cert;
}

static void
signer_from(struct signer *s, EVP_PKEY *key, X509 *cert)
{
	BIO *mem = BIO_new(BIO_s_mem());
	char *p;
	long n;

	cr_assert_not_null(key);
	s->key = key;
	s->cert = cert;
	cr_assert_eq(PEM_write_bio_PKCS8PrivateKey(mem, key, NULL, NULL, 0, NULL, NULL), 1);
	n = BIO_get_mem_data(mem, &p);
	s->pem = secret_new_from(p, (size_t)n);
	BIO_free(mem);
	mem = BIO_new(BIO_s_mem());
	cr_assert_eq(PEM_write_bio_X509(mem, cert), 1);
	n = BIO_get_mem_data(mem, &p);
	s->cert_pem = xstrndup(p, (size_t)n);
	s->cert_len = (size_t)n;
	BIO_free(mem);
}

/* A self-signed signer with KEY, named CN, valid for an hour. */
static struct signer
signer_new(EVP_PKEY *key, const char *cn)
{
	const char *cns[] = { cn, NULL };
	struct signer s = { 0 };

	cr_assert_not_null(key);
	signer_from(&s, key, make_cert(key, cns, NULL, 0, 3600, false));
	return s;
}

static void
signer_free(struct signer *s)
{
	EVP_PKEY_free(s->key);
	X509_free(s->cert);
	secret_free(&s->pem);
	free(s->cert_pem);
	memset(s, 0, sizeof *s);
}

static char *
sign(const struct signer *s, const void *bytes, size_t len)
{
	char *cause = NULL, *jws = jws_sign(s->pem, s->cert_pem, s->cert_len, TARGET, bytes, len,
	    &cause);

	cr_assert_not_null(jws, "jws_sign: %s", cause ? cause : "");
	cr_assert_null(cause);
	return jws;
}

static enum jws_result
check(const char *jws, const void *bytes, size_t len, struct jws_signer *who)
{
	return jws_verify(jws, jws != NULL ? strlen(jws) : 0, bytes, len, NULL, who);
}

/* --- the test's own decoding, apart from util/base64.c --------------------------------- */

/* Base64url text (N characters) decoded with libcrypto's standard decoder. */
static unsigned char *
unurl(const char *s, size_t n, size_t *out_len)
{
	size_t pad = (4 - n % 4) % 4;
	char *std = xmalloc(n + pad + 1);
	unsigned char *out = xmalloc(n + pad + 1);
	int got;

	for (size_t i = 0; i < n; i++)
		std[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	memset(std + n, '=', pad);
	std[n + pad] = '\0';
	got = EVP_DecodeBlock(out, (const unsigned char *)std, (int)(n + pad));
	cr_assert_geq(got, 0, "not base64url: %s", std);
	*out_len = (size_t)got - pad;
	free(std);
	return out;
}

/* The parts of "h..s". */
struct parts {
	char *header_json;
	unsigned char *sig;
	size_t sig_len;
	const char *header; /* into the JWS */
	size_t header_len;
};

static struct parts
split(const char *jws)
{
	struct parts p = { 0 };
	const char *dots = strstr(jws, "..");
	size_t n;

	cr_assert_not_null(dots, "no \"..\" in %s", jws);
	cr_assert_null(strchr(dots + 2, '.'));
	p.header = jws;
	p.header_len = (size_t)(dots - jws);
	p.header_json = (char *)unurl(jws, p.header_len, &n);
	p.header_json[n] = '\0';
	p.sig = unurl(dots + 2, strlen(dots + 2), &p.sig_len);
	return p;
}

static void
parts_free(struct parts *p)
{
	free(p->header_json);
	free(p->sig);
}

/* Whether SIG (as EVP makes and takes it) is KEY's over "HEADER.base64url(BODY)". */
static bool
evp_verifies(EVP_PKEY *key, const struct parts *p, const unsigned char *sig, size_t sig_len,
    const void *bytes, size_t len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	char *payload = xmalloc(len * 2 + 8), *tbs;
	int n = EVP_EncodeBlock((unsigned char *)payload, bytes, (int)len);
	bool ok;

	/* base64 to base64url by hand: the signing input of RFC 7515 5.1. */
	while (n > 0 && payload[n - 1] == '=')
		n--;
	payload[n] = '\0';
	for (int i = 0; i < n; i++)
		payload[i] = payload[i] == '+' ? '-' : payload[i] == '/' ? '_' : payload[i];
	tbs = xasprintf("%.*s.%s", (int)p->header_len, p->header, payload);
	ok = EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
	     EVP_DigestVerify(md, sig, sig_len, (unsigned char *)tbs, strlen(tbs)) == 1;
	EVP_MD_CTX_free(md);
	free(tbs);
	free(payload);
	return ok;
}

/* A JWS made of HEADER_JSON and the signature of JWS (a signature now over other words). */
static char *
with_header(const char *jws, const char *header_json)
{
	char *h = base64_encode(header_json, strlen(header_json), BASE64_URL);
	char *out = xasprintf("%s%s", h, strstr(jws, ".."));

	free(h);
	return out;
}

/* The standard base64 DER of CERT, as x5c holds it. */
static char *
x5c_of(X509 *cert)
{
	unsigned char *der = NULL;
	int n = i2d_X509(cert, &der);
	char *b64 = base64_encode(der, (size_t)n, BASE64_STD);

	OPENSSL_free(der);
	return b64;
}

static char *
read_fixture(const char *name, size_t *len)
{
	const char *srcdir = getenv("EHRTERM_SRCDIR");
	char *path, *buf = xmalloc(65536);
	FILE *f;

	cr_assert_not_null(srcdir, "EHRTERM_SRCDIR is not set; run make check, or set it to the "
				   "source tree");
	path = xasprintf("%s/tests/unit/data/%s", srcdir, name);
	f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s", path);
	*len = fread(buf, 1, 65535, f);
	buf[*len] = '\0';
	fclose(f);
	free(path);
	return buf;
}

/* --- signing and verifying --------------------------------------------------------------- */

Test(jws, es256_signs_the_detached_text_and_verifies)
{
	struct signer s = signer_new(EVP_EC_gen("P-256"), "Dr. Ada Ortiz");
	char *jws = sign(&s, body, strlen(body));
	struct jws_signer who;
	struct parts p = split(jws);
	cJSON *h = cJSON_Parse(p.header_json);
	char *x5c = x5c_of(s.cert);

	cr_assert_eq(check(jws, body, strlen(body), &who), JWS_VERIFIED, "%s", who.why);
	cr_assert_null(who.why);
	cr_assert_str_eq(who.cn, "Dr. Ada Ortiz");
	cr_assert_str_eq(who.alg, "ES256");
	cr_assert_str_eq(who.target, TARGET);
	/* The header: alg, the certificate (standard base64 DER, RFC 7515 4.1.6), the note. */
	cr_assert_str_eq(cJSON_GetObjectItem(h, "alg")->valuestring, "ES256");
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(h, "x5c")), 1);
	cr_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(h, "x5c"), 0)->valuestring, x5c);
	cr_assert_str_eq(cJSON_GetObjectItem(h, JWS_TARGET_PARAM)->valuestring, TARGET);
	cr_assert_eq(p.sig_len, 64, "an ES256 signature is R||S, 64 bytes, not DER");
	cJSON_Delete(h);
	free(x5c);
	parts_free(&p);
	free(jws);
	signer_free(&s);
}

Test(jws, an_es256_signature_verifies_with_libcrypto_alone)
{
	struct signer s = signer_new(EVP_EC_gen("P-256"), "Dr. Ada Ortiz");
	char *jws = sign(&s, body, strlen(body));
	struct parts p = split(jws);
	ECDSA_SIG *sig = ECDSA_SIG_new();
	unsigned char *der = NULL;
	int der_len;

	/* R||S made DER here, by the test, not by the code under test. */
	cr_assert_eq(ECDSA_SIG_set0(sig, BN_bin2bn(p.sig, 32, NULL), BN_bin2bn(p.sig + 32, 32, NULL)),
	    1);
	der_len = i2d_ECDSA_SIG(sig, &der);
	cr_assert_gt(der_len, 0);
	cr_assert(evp_verifies(s.key, &p, der, (size_t)der_len, body, strlen(body)));
	cr_assert_not(evp_verifies(s.key, &p, der, (size_t)der_len, body, strlen(body) - 1));
	OPENSSL_free(der);
	ECDSA_SIG_free(sig);
	parts_free(&p);
	free(jws);
	signer_free(&s);
}

Test(jws, rs256_signs_and_verifies_and_libcrypto_agrees, .timeout = 60)
{
	struct signer s = signer_new(EVP_RSA_gen(2048), "Dr. Ben Okafor");
	char *jws = sign(&s, body, strlen(body));
	struct parts p = split(jws);
	struct jws_signer who;

	cr_assert_eq(check(jws, body, strlen(body), &who), JWS_VERIFIED, "%s", who.why);
	cr_assert_str_eq(who.alg, "RS256");
	cr_assert_str_eq(who.cn, "Dr. Ben Okafor");
	cr_assert_eq(p.sig_len, 256);
	cr_assert(evp_verifies(s.key, &p, p.sig, p.sig_len, body, strlen(body)));
	parts_free(&p);
	free(jws);
	signer_free(&s);
}

Test(jws, a_signature_made_by_another_program_verifies)
{
	static const struct {
		const char *file, *cn, *alg;
	} made[] = {
		{ "note-signed-es256.jws", "Dr. Ada Ortiz", "ES256" },
		{ "note-signed-rs256.jws", "Dr. Ben Okafor", "RS256" },
	};
	size_t len, jws_len;
	char *text = read_fixture("note-signed-body.txt", &len);

	for (size_t i = 0; i < sizeof made / sizeof made[0]; i++) {
		char *jws = read_fixture(made[i].file, &jws_len);
		struct jws_signer who;

		cr_assert_eq(jws_verify(jws, jws_len, text, len, NULL, &who), JWS_VERIFIED, "%s: %s",
		    made[i].file, who.why);
		cr_assert_str_eq(who.cn, made[i].cn);
		cr_assert_str_eq(who.alg, made[i].alg);
		cr_assert_str_eq(who.target, TARGET);
		text[0] ^= 1;
		cr_assert_eq(jws_verify(jws, jws_len, text, len, NULL, &who), JWS_DOES_NOT_VERIFY);
		text[0] ^= 1;
		free(jws);
	}
	free(text);
}

Test(jws, one_changed_byte_of_the_text_does_not_verify)
{
	struct signer s = signer_new(EVP_EC_gen("P-256"), "Dr. Ada Ortiz");
	char *jws = sign(&s, body, strlen(body)), *text = xstrdup(body);
	struct jws_signer who;

	for (size_t i = 0; i < strlen(body); i += 7) {
		text[i] ^= 0x20;
		cr_assert_eq(check(jws, text, strlen(body), &who), JWS_DOES_NOT_VERIFY, "byte %zu", i);
		cr_assert_str_eq(who.why, "the signature is not over these words");
		text[i] ^= 0x20;
	}
	cr_assert_eq(check(jws, body, strlen(body) - 1, &who), JWS_DOES_NOT_VERIFY);
	cr_assert_eq(check(jws, "", 0, &who), JWS_DOES_NOT_VERIFY);
	free(text);
	free(jws);
	signer_free(&s);
}

Test(jws, an_empty_text_is_signed_as_such)
{
	struct signer s = signer_new(EVP_EC_gen("P-256"), "Dr. Ada Ortiz");
	char *jws = sign(&s, NULL, 0);
	struct jws_signer who;

	cr_assert_eq(check(jws, NULL, 0, &who), JWS_VERIFIED);
	cr_assert_eq(check(jws, "x", 1, &who), JWS_DOES_NOT_VERIFY);
	free(jws);
	signer_free(&s);
}

Test(jws, a_changed_signature_does_not_verify)
{
	struct signer s = signer_new(EVP_EC_gen("P-256"), "Dr. Ada Ortiz");
	char *jws = sign(&s, body, strlen(body));
	struct parts p = split(jws);
	struct jws_signer who;

	for (size_t i = 0; i < p.sig_len; i += 13) {
		char *b64, *changed;

		p.sig[i] ^= 1;
		b64 = base64_encode(p.sig, p.sig_len, BASE64_URL);
		changed = xasprintf("%.*s..%s", (int)p.header_len, jws, b64);
		cr_assert_eq(check(changed, body, strlen(body), &who), JWS_DOES_NOT_VERIFY);
		p.sig[i] ^= 1;
		free(changed);
		free(b64);
	}
	parts_free(&p);
	free(jws);
	signer_free(&s);
}

Test(jws, the_algorithm_is_the_keys_whatever_the_header_says)
{
	struct signer ec = signer_new(EVP_EC_gen("P-256"), "Dr. Ada Ortiz");
	char *jws = sign(&ec, body, strlen(body)), *x5c = x5c_of(ec.cert), *json, *changed;
	struct jws_signer who;
	static const char *const refused[] = { "none", "HS256", "ES384", "PS256", "es256", "" };

	/* RS256 on an EC certificate: an allowed name, the wrong key. */
	json = xasprintf("{\"alg\":\"RS256\",\"x5c\":[\"%s\"]}", x5c);
	changed = with_header(jws, json);
	cr_assert_eq(check(changed, body, strlen(body), &who), JWS_DOES_NOT_VERIFY);
	cr_assert_str_eq(who.why, "the signature's algorithm is not the one of the certificate's key");
	free(changed);
	free(json);
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		json = xasprintf("{\"alg\":\"%s\",\"x5c\":[\"%s\"]}", refused[i], x5c);
		changed = with_header(jws, json);
		cr_assert_eq(check(changed, body, strlen(body), &who), JWS_MALFORMED, "%s", refused[i]);
		cr_assert_str_eq(who.why, "the signature's algorithm is not ES256 or RS256");
		free(changed);
		free(json);
	}
	free(x5c);
	free(jws);
	signer_free(&ec);
}

Test(jws, an_hmac_keyed_with_the_certificate_is_not_a_signature)
{
	struct signer s = signer_new(EVP_EC_gen("P-256"), "Dr. Ada Ortiz");
	char *x5c = x5c_of(s.cert), *json = xasprintf("{\"alg\":\"HS256\",\"x5c\":[\"%s\"]}", x5c);
	char *h = base64_encode(json, strlen(json), BASE64_URL), *payload, *tbs, *sig_b64, *jws;
	unsigned char mac[32];
	unsigned int mac_len = 0;
	struct jws_signer who;

	/* The old confusion: the public key used as an HMAC secret, which anyone has. */
	payload = base64_encode(body, strlen(body), BASE64_URL);
	tbs = xasprintf("%s.%s", h, payload);
	HMAC(EVP_sha256(), s.cert_pem, (int)s.cert_len, (unsigned char *)tbs, strlen(tbs), mac,
	    &mac_len);
	sig_b64 = base64_encode(mac, mac_len, BASE64_URL);
	jws = xasprintf("%s..%s", h, sig_b64);
	cr_assert_eq(check(jws, body, strlen(body), &who), JWS_MALFORMED);
	cr_assert_str_eq(who.cn, "");
	free(jws);
	free(sig_b64);
	free(tbs);
	free(payload);
	free(h);
	free(json);
	free(x5c);
	signer_free(&s);
}

Test(jws, a_jws_not_of_the_shape_made_is_malformed)
{
	struct signer s = signer_new(EVP_EC_gen("P-256"), "Dr. Ada Ortiz");
	char *jws = sign(&s, body, strlen(body)), *x5c = x5c_of(s.cert);
	char *payload = base64_encode(body, strlen(body), BASE64_URL);
	const char *dots = strstr(jws, "..");
	int hl = (int)(dots - jws);
	struct jws_signer who;
	char *cases[] = {
		xstrdup(""),
		xstrdup("."),
		xstrdup(".."),
		xstrdup("..."),
		xstrdup("eyJ9"),
		xasprintf("%.*s.%s.%s", hl, jws, payload, dots + 2), /* payload attached */
		xasprintf("%.*s.%s", hl, jws, dots + 2),	      /* two parts */
		xasprintf("%s.", jws),				      /* four parts */
		xasprintf("%s=", jws),				      /* padding */
		xasprintf("=%s", jws),
		xasprintf("%.*s..%s", hl - 1, jws, dots + 2),	      /* stray bits in the header */
		xasprintf("%.*s*..%s", hl, jws, dots + 2),
		xasprintf("%s\n", jws),
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cr_expect_eq(check(cases[i], body, strlen(body), &who), JWS_MALFORMED, "case %zu: %s",
		    i, who.why);
		cr_expect_not_null(who.why);
		free(cases[i]);
	}
	free(payload);
	free(x5c);
	free(jws);
	signer_free(&s);
}

Test(jws, headers_ehrterm_does_not_make_are_refused)
{
	struct signer s = signer_new(EVP_EC_gen("P-256"), "Dr. Ada Ortiz");
	char *jws = sign(&s, body, strlen(body)), *x5c = x5c_of(s.cert);
	unsigned char *der = NULL;
	int der_len = i2d_X509(s.cert, &der);
	unsigned char *longer = xmalloc((size_t)der_len + 1);
	char *trailing, *huge_x5c = xstrdup("");
	struct jws_signer who;

	memcpy(longer, der, (size_t)der_len);
	longer[der_len] = 0;
	trailing = base64_encode(longer, (size_t)der_len + 1, BASE64_STD);
	for (int i = 0; i < 5; i++) {
		char *more = xasprintf("%s%s\"%s\"", huge_x5c, i ? "," : "", x5c);

		free(huge_x5c);
		huge_x5c = more;
	}
	{
		char *headers[] = {
			xstrdup("[]"),
			xstrdup("\"ES256\""),
			xstrdup("{\"alg\":\"ES256\"}"),
			xasprintf("{\"alg\":\"ES256\",\"x5c\":[]}"),
			xasprintf("{\"alg\":\"ES256\",\"x5c\":\"%s\"}", x5c),
			xasprintf("{\"alg\":\"ES256\",\"x5c\":[\"not base64\"]}"),
			xasprintf("{\"alg\":\"ES256\",\"x5c\":[\"QUJD\"]}"),
			xasprintf("{\"alg\":\"ES256\",\"x5c\":[\"%s\"]}", trailing),
			xasprintf("{\"alg\":\"ES256\",\"x5c\":[%s]}", huge_x5c),
			xasprintf("{\"alg\":\"ES256\",\"x5c\":[1]}"),
			xasprintf("{\"alg\":\"ES256\",\"alg\":\"ES256\",\"x5c\":[\"%s\"]}", x5c),
			xasprintf("{\"alg\":\"ES256\",\"x5c\":[\"%s\"],\"crit\":[\"b64\"]}", x5c),
			xasprintf("{\"alg\":\"ES256\",\"x5c\":[\"%s\"],\"b64\":false}", x5c),
			xasprintf("{\"alg\":\"ES256\",\"x5c\":[\"%s\"],\"" JWS_TARGET_PARAM "\":7}", x5c),
			xasprintf("{\"alg\":\"ES256\",\"x5c\":[\"%s\"]} trailing", x5c),
			xasprintf("{\"alg\":\"ES256\",\"x5c\":[\"%s\"]", x5c),
		};

		for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
			char *changed = with_header(jws, headers[i]);

			cr_expect_eq(check(changed, body, strlen(body), &who), JWS_MALFORMED,
			    "header %zu: %s", i, headers[i]);
			free(changed);
			free(headers[i]);
		}
	}
	free(huge_x5c);
	free(trailing);
	free(longer);
	OPENSSL_free(der);
	free(x5c);
	free(jws);
	signer_free(&s);
}

Test(jws, sizes_are_bounded_before_any_work)
{
	char *huge = xmalloc(JWS_MAX + 2);
	struct jws_signer who;
	struct signer s = signer_new(EVP_EC_gen("P-256"), "Dr. Ada Ortiz");
	char *jws = sign(&s, body, strlen(body));
	char *cause = NULL;
	char *long_text = xmalloc(JWS_BODY_MAX + 1);

	memset(huge, 'A', JWS_MAX + 1);
	huge[JWS_MAX + 1] = '\0';
	huge[10] = huge[11] = '.';
	cr_assert_eq(jws_verify(huge, JWS_MAX + 1, body, strlen(body), NULL, &who), JWS_MALFORMED);
	cr_assert_str_eq(who.why, "the signature is too long");
	memset(long_text, 'a', JWS_BODY_MAX + 1);
	cr_assert_eq(check(jws, long_text, JWS_BODY_MAX + 1, &who), JWS_DOES_NOT_VERIFY);
	cr_assert_str_eq(who.why, "the note is too long to check");
	cr_assert_null(jws_sign(s.pem, s.cert_pem, s.cert_len, TARGET, long_text, JWS_BODY_MAX + 1,
	    &cause));
	cr_assert_str_eq(cause, "the note is too long to sign");
	free(cause);
	/* A NUL inside the JWS is not the end of it. */
	cr_assert_eq(jws_verify("a\0..b", 5, body, strlen(body), NULL, &who), JWS_MALFORMED);
	free(long_text);
	free(jws);
	free(huge);
	signer_free(&s);
}

Test(jws, keys_that_cannot_sign_notes_are_refused)
{
	struct signer p384 = signer_new(EVP_EC_gen("P-384"), "Dr. Ada Ortiz");
	struct signer ec = signer_new(EVP_EC_gen("P-256"), "Dr. Ada Ortiz");
	struct signer other = signer_new(EVP_EC_gen("P-256"), "Dr. Eve");
	struct secret *junk = secret_new_from("not a key", 9);
	char *cause = NULL;

	cr_assert_null(jws_sign(p384.pem, p384.cert_pem, p384.cert_len, TARGET, body, 3, &cause));
	cr_assert(strstr(cause, "neither EC P-256 nor RSA") != NULL, "%s", cause);
	free(cause);
	/* Another's certificate: the signature would name someone who did not make it. */
	cr_assert_null(jws_sign(ec.pem, other.cert_pem, other.cert_len, TARGET, body, 3, &cause));
	cr_assert(strstr(cause, "not the client key's") != NULL, "%s", cause);
	free(cause);
	cr_assert_null(jws_sign(junk, ec.cert_pem, ec.cert_len, TARGET, body, 3, &cause));
	cr_assert_str_eq(cause, "the client key could not be read for signing");
	free(cause);
	cr_assert_null(jws_sign(NULL, ec.cert_pem, ec.cert_len, TARGET, body, 3, &cause));
	free(cause);
	cr_assert_null(jws_sign(ec.pem, "junk", 4, TARGET, body, 3, &cause));
	cr_assert_str_eq(cause, "the client certificate could not be read for signing");
	free(cause);
	secret_free(&junk);
	signer_free(&p384);
	signer_free(&ec);
	signer_free(&other);
}

Test(jws, a_small_rsa_key_is_refused_both_ways, .timeout = 60)
{
	struct signer small = signer_new(EVP_RSA_gen(1024), "Dr. Old");
	struct signer ec = signer_new(EVP_EC_gen("P-256"), "Dr. Ada Ortiz");
	char *cause = NULL, *jws = sign(&ec, body, strlen(body)), *x5c = x5c_of(small.cert);
	char *json = xasprintf("{\"alg\":\"RS256\",\"x5c\":[\"%s\"]}", x5c), *changed;
	struct jws_signer who;

	cr_assert_null(jws_sign(small.pem, small.cert_pem, small.cert_len, TARGET, body, 3, &cause));
	free(cause);
	changed = with_header(jws, json);
	cr_assert_eq(check(changed, body, strlen(body), &who), JWS_DOES_NOT_VERIFY);
	free(changed);
	free(json);
	free(x5c);
	free(jws);
	signer_free(&small);
	signer_free(&ec);
}

Test(jws, the_signers_name_is_bounded_and_single)
{
	char long_cn[3 * 64 + 1] = "";
	const char *two[] = { "Dr. Ada Ortiz", "Dr. Eve", NULL }, *none[] = { NULL };
	const char *one[] = { long_cn, NULL };
	struct signer s = { 0 };
	struct jws_signer who;
	char *jws;
	size_t n;

	/* 64 three-byte characters (a CN's most): cut at a character, within JWS_CN_MAX bytes. */
	for (int i = 0; i < 64; i++)
		strcat(long_cn, "\xe2\x82\xac");
	{
		EVP_PKEY *k = EVP_EC_gen("P-256");

		signer_from(&s, k, make_cert(k, one, NULL, 0, 3600, false));
	}
	jws = sign(&s, body, strlen(body));
	cr_assert_eq(check(jws, body, strlen(body), &who), JWS_VERIFIED);
	n = strlen(who.cn);
	cr_assert_leq(n, JWS_CN_MAX);
	cr_assert_gt(n, JWS_CN_MAX - 3);
	cr_assert_eq(n % 3, 0, "cut inside a character");
	cr_assert_eq(strncmp(who.cn, long_cn, n), 0);
	free(jws);
	signer_free(&s);
	{
		EVP_PKEY *k = EVP_EC_gen("P-256");

		signer_from(&s, k, make_cert(k, two, NULL, 0, 3600, false));
	}
	jws = sign(&s, body, strlen(body));
	cr_assert_eq(check(jws, body, strlen(body), &who), JWS_DOES_NOT_VERIFY);
	cr_assert_str_eq(who.why, "the signing certificate has two common names");
	free(jws);
	signer_free(&s);
	{
		EVP_PKEY *k = EVP_EC_gen("P-256");

		signer_from(&s, k, make_cert(k, none, NULL, 0, 3600, false));
	}
	jws = sign(&s, body, strlen(body));
	cr_assert_eq(check(jws, body, strlen(body), &who), JWS_DOES_NOT_VERIFY);
	cr_assert_str_eq(who.why, "the signing certificate names no one (it has no CN)");
	free(jws);
	signer_free(&s);
}

Test(jws, with_an_authority_the_certificate_must_be_one_it_issued)
{
	const char *ca_name[] = { "Clinic CA", NULL }, *leaf_name[] = { "Dr. Ada Ortiz", NULL };
	struct signer ca = { 0 }, leaf = { 0 }, expired = { 0 };
	struct signer stranger = signer_new(EVP_EC_gen("P-256"), "Dr. Ada Ortiz");
	struct jws_trust *trust;
	struct jws_signer who;
	char *cause = NULL, *jws;
	EVP_PKEY *k;

	k = EVP_EC_gen("P-256");
	signer_from(&ca, k, make_cert(k, ca_name, NULL, -60, 3600, true));
	k = EVP_EC_gen("P-256");
	signer_from(&leaf, k, make_cert(k, leaf_name, &ca, -60, 3600, false));
	k = EVP_EC_gen("P-256");
	signer_from(&expired, k, make_cert(k, leaf_name, &ca, -7200, -3600, false));
	trust = jws_trust_new(ca.cert_pem, ca.cert_len, &cause);
	cr_assert_not_null(trust, "%s", cause);

	jws = sign(&leaf, body, strlen(body));
	cr_assert_eq(jws_verify(jws, strlen(jws), body, strlen(body), trust, &who), JWS_VERIFIED,
	    "%s", who.why);
	free(jws);
	/* Signed while valid, read after it expired: still signed. */
	jws = sign(&expired, body, strlen(body));
	cr_assert_eq(jws_verify(jws, strlen(jws), body, strlen(body), trust, &who), JWS_VERIFIED,
	    "%s", who.why);
	free(jws);
	/* Anyone can make a certificate with a doctor's name in it. */
	jws = sign(&stranger, body, strlen(body));
	cr_assert_eq(jws_verify(jws, strlen(jws), body, strlen(body), NULL, &who), JWS_VERIFIED);
	cr_assert_eq(jws_verify(jws, strlen(jws), body, strlen(body), trust, &who),
	    JWS_DOES_NOT_VERIFY);
	cr_assert_str_eq(who.why, "the signing certificate is not one the clinic's authority issued");
	free(jws);

	cr_assert_null(jws_trust_new("junk", 4, &cause));
	cr_assert_str_eq(cause, "no certificate authority could be read");
	free(cause);
	jws_trust_free(&trust);
	cr_assert_null(trust);
	jws_trust_free(&trust);
	signer_free(&ca);
	signer_free(&leaf);
	signer_free(&expired);
	signer_free(&stranger);
}

Test(jws, the_certificate_file_is_read_as_the_profiles_files_are)
{
	static const struct file_policy policy = {
		.what = "client_cert", .flags = FILE_ROOT_OK | FILE_LINK_OK, .chmod = "go-w",
	};
	struct signer s = signer_new(EVP_EC_gen("P-256"), "Dr. Ada Ortiz");
	char dir[] = "/tmp/ehrterm-jws-XXXXXX", *path, *cause = NULL, *jws;
	struct jws_signer who;
	FILE *f;

	cr_assert_not_null(mkdtemp(dir), "%s", strerror(errno));
	path = xasprintf("%s/cert.pem", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(s.cert_pem, f);
	fclose(f);
	cr_assert_eq(chmod(path, 0644), 0);
	jws = jws_sign_file(s.pem, path, &policy, TARGET, body, strlen(body), &cause);
	cr_assert_not_null(jws, "%s", cause);
	cr_assert_eq(check(jws, body, strlen(body), &who), JWS_VERIFIED);
	free(jws);
	/* Whoever can change the certificate could sign in the user's name. */
	cr_assert_eq(chmod(path, 0666), 0);
	cr_assert_null(jws_sign_file(s.pem, path, &policy, TARGET, body, strlen(body), &cause));
	cr_assert_not_null(cause);
	free(cause);
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(rmdir(dir), 0);
	free(path);
	signer_free(&s);
}
