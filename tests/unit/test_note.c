/*
 * Unit tests for clinical notes (src/fhir/note.c): the transactions that write a draft,
 * change it, sign it with its Provenance, add to it, correct it and retire it, read
 * field by field; the readers of a note, its text and a list of drafts on hostile
 * answers; and the line a signature gives, with signatures made here and by another
 * program (tests/unit/data/make-note-signatures.py).
 */
#include "config.h"

#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/chart.h"
#include "fhir/note.h"
#include "util/base64.h"
#include "util/secret.h"
#include "util/xmalloc.h"

static struct fhir_client *fc;
static const char text[] =
    "S: cough three days, no fever.\nO: lungs clear.\nA/P: viral URI. \xc3\xa9\n";

static void
setup(void)
{
	char *cause = NULL;

	fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	cr_assert_not_null(fc, "%s", cause ? cause : "");
}

static void
teardown(void)
{
	fhir_client_free(&fc);
}

TestSuite(clinical_note, .init = setup, .fini = teardown);

/* The member at PATH ("a.b.0.c": names, and indexes into arrays) of J, or NULL. */
static const cJSON *
at(const cJSON *j, const char *path)
{
	char *copy = xstrdup(path), *save = NULL;

	for (char *k = strtok_r(copy, ".", &save); k != NULL && j != NULL;
	     k = strtok_r(NULL, ".", &save))
		j = (*k >= '0' && *k <= '9') ? cJSON_GetArrayItem(j, atoi(k))
					     : cJSON_GetObjectItemCaseSensitive(j, k);
	free(copy);
	return j;
}

static const char *
str(const cJSON *j, const char *path)
{
	const char *s = cJSON_GetStringValue(at(j, path));

	cr_assert_not_null(s, "no string at %s", path);
	return s;
}

static cJSON *
parse(const char *json)
{
	cJSON *j = cJSON_Parse(json);

	cr_assert_not_null(j, "fixture does not parse: %s", json);
	return j;
}

static struct note_input
input(void)
{
	return (struct note_input){ .patient = "p1", .author = "dr1", .type_code = "11506-3",
		.date = "2026-12-02T09:30:00Z", .encounter = "e1", .text = text,
		.len = strlen(text), .request_id = "req-1" };
}

static cJSON *
transaction_of(struct fhir_plan *p)
{
	cr_assert_not_null(p);
	return fhir_plan_transaction(p, fc);
}

/* Base64 of the SHA-1 of LEN bytes at S, computed here with libcrypto. */
static char *
sha1_b64(const void *s, size_t len)
{
	unsigned char md[20];
	unsigned char out[40];

	cr_assert_eq(EVP_Digest(s, len, md, NULL, EVP_sha1(), NULL), 1);
	cr_assert_eq(EVP_EncodeBlock(out, md, 20), 28);
	return xstrdup((char *)out);
}

static char *
decoded(const char *b64, size_t *len)
{
	unsigned char *b = base64_decode(b64, strlen(b64), BASE64_STD, 1 << 22, len);

	cr_assert_not_null(b, "not base64: %s", b64);
	return (char *)b;
}

/* A note as the server keeps the draft note_draft_plan made: id n1, version 2, text Binary/b1. */
static cJSON *
stored_draft(void)
{
	struct note_input in = input();
	char *cause = NULL;
	struct fhir_plan *p = note_draft_plan(&in, &cause);
	cJSON *tx = transaction_of(p), *doc;

	doc = cJSON_Duplicate(at(tx, "entry.1.resource"), true);
	cJSON_AddStringToObject(doc, "id", "n1");
	cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(doc, "meta"), "versionId", "2");
	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(
				 cJSON_GetObjectItemCaseSensitive(doc, "meta"), "tag"),
	    parse("{\"system\":\"urn:other\",\"code\":\"kept\"}"));
	cJSON_SetValuestring((cJSON *)at(doc, "content.0.attachment.url"), "Binary/b1");
	cJSON_Delete(tx);
	fhir_plan_free(&p);
	return doc;
}

static struct note_view
view_of(const cJSON *doc)
{
	struct note_view v;
	char *cause = NULL;

	cr_assert_eq(note_view_read(doc, "https://ehr.example/fhir", &v, &cause), 0, "%s", cause);
	return v;
}

static struct note_view
draft_view(void)
{
	cJSON *doc = stored_draft();
	struct note_view v = view_of(doc);

	cJSON_Delete(doc);
	return v;
}

/* The note's text as its Binary b1, version 3. */
static struct note_body
body_of(const char *t, size_t len)
{
	char *data = base64_encode(t, len, BASE64_STD);
	char *json = xasprintf("{\"resourceType\":\"Binary\",\"id\":\"b1\",\"meta\":{\"versionId\":"
			       "\"3\"},\"contentType\":\"text/plain; charset=utf-8\",\"data\":\"%s\","
			       "\"securityContext\":{\"reference\":\"Patient/p1\"}}",
	    data);
	cJSON *b = parse(json);
	struct note_body body;
	char *cause = NULL;

	cr_assert_eq(note_body_read(b, "Binary/b1", &body, &cause), 0, "%s", cause);
	cJSON_Delete(b);
	free(json);
	free(data);
	return body;
}

/* A signed note's view: the draft, final, with its authenticator. */
static struct note_view
signed_view(const char *id)
{
	cJSON *doc = stored_draft();
	struct note_view v;

	cJSON_SetValuestring(cJSON_GetObjectItemCaseSensitive(doc, "id"), id);
	cJSON_SetValuestring(cJSON_GetObjectItemCaseSensitive(doc, "docStatus"), "final");
	cJSON_AddItemToObject(doc, "authenticator", parse("{\"reference\":\"Practitioner/dr1\"}"));
	v = view_of(doc);
	cJSON_Delete(doc);
	return v;
}

/* --- a key and certificate, as a session holds them ------------------------------------- */

struct signer {
	struct secret *key;
	char *cert;
	size_t cert_len;
};

static struct signer
signer_new(const char *cn)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *cert = X509_new();
	BIO *mem = BIO_new(BIO_s_mem());
	struct signer s;
	char *p;
	long n;

	cr_assert(key != NULL && cert != NULL && mem != NULL);
	X509_set_version(cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), 7);
	X509_gmtime_adj(X509_getm_notBefore(cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
	X509_set_pubkey(cert, key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(cert, X509_get_subject_name(cert));
	cr_assert_gt(X509_sign(cert, key, EVP_sha256()), 0);
	cr_assert_eq(PEM_write_bio_PKCS8PrivateKey(mem, key, NULL, NULL, 0, NULL, NULL), 1);
	n = BIO_get_mem_data(mem, &p);
	s.key = secret_new_from(p, (size_t)n);
	BIO_free(mem);
	mem = BIO_new(BIO_s_mem());
	cr_assert_eq(PEM_write_bio_X509(mem, cert), 1);
	n = BIO_get_mem_data(mem, &p);
	s.cert = xstrndup(p, (size_t)n);
	s.cert_len = (size_t)n;
	BIO_free(mem);
	X509_free(cert);
	EVP_PKEY_free(key);
	return s;
}

static void
signer_free(struct signer *s)
{
	secret_free(&s->key);
	free(s->cert);
}

static char *
sign_as(const struct signer *s, const char *target, const void *bytes, size_t len)
{
	char *cause = NULL, *jws = jws_sign(s->key, s->cert, s->cert_len, target, bytes, len, &cause);

	cr_assert_not_null(jws, "%s", cause);
	return jws;
}

/* A Provenance of note ID by WHO carrying JWS as an author's signature. */
static cJSON *
provenance(const char *id, const char *who, const char *jws, const char *format)
{
	char *data = base64_encode(jws, strlen(jws), BASE64_STD);
	char *json = xasprintf(
	    "{\"resourceType\":\"Provenance\",\"id\":\"pv-%s\",\"target\":[{\"reference\":"
	    "\"DocumentReference/%s\"}],\"recorded\":\"2026-12-02T10:00:00Z\",\"agent\":[{\"who\":"
	    "{\"reference\":\"%s\"}}],\"signature\":[{\"type\":[{\"system\":\"urn:iso-astm:E1762-95:"
	    "2013\",\"code\":\"1.2.840.10065.1.12.1.1\"}],\"when\":\"2026-12-02T10:00:00Z\",\"who\":"
	    "{\"reference\":\"%s\",\"display\":\"Dr. Display Name\"},\"sigFormat\":\"%s\","
	    "\"data\":\"%s\"}]}",
	    id, id, who, who, format, data);
	cJSON *p = parse(json);

	free(json);
	free(data);
	return p;
}

static cJSON *
searchset_of(cJSON *const *resources, size_t n)
{
	cJSON *b = parse("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[]}");

	for (size_t i = 0; i < n; i++) {
		cJSON *e = cJSON_CreateObject();

		cJSON_AddItemToObject(e, "resource", resources[i]);
		cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(b, "entry"), e);
	}
	return b;
}

/* --- writing a draft -------------------------------------------------------------------- */

Test(clinical_note, a_draft_is_one_transaction_of_its_text_and_the_note)
{
	struct note_input in = input();
	char *cause = NULL, *hash = sha1_b64(text, strlen(text)), *data;
	struct fhir_plan *p = note_draft_plan(&in, &cause);
	cJSON *tx = transaction_of(p);
	const cJSON *bin = at(tx, "entry.0.resource"), *doc = at(tx, "entry.1.resource");
	size_t len;

	cr_assert_null(cause);
	cr_assert_eq(cJSON_GetArraySize(at(tx, "entry")), 2);
	/* The text: a Binary, found again on a retry by its request tag (it has no identifier). */
	cr_assert_str_eq(str(tx, "entry.0.request.method"), "POST");
	cr_assert_str_eq(str(tx, "entry.0.request.url"), "Binary");
	cr_assert_str_eq(str(tx, "entry.0.request.ifNoneExist"), "_tag=urn%3Aehrterm%3Arequest%7Creq-1");
	cr_assert_str_eq(str(bin, "meta.tag.0.system"), "urn:ehrterm:request");
	cr_assert_str_eq(str(bin, "meta.tag.0.code"), "req-1");
	cr_assert_str_eq(str(bin, "contentType"), "text/plain; charset=utf-8");
	cr_assert_str_eq(str(bin, "securityContext.reference"), "Patient/p1");
	data = decoded(str(bin, "data"), &len);
	cr_assert_eq(len, strlen(text));
	cr_assert_eq(memcmp(data, text, len), 0);
	free(data);
	/* The note: a US Core clinical note, a draft, found on a retry by its identifier. */
	cr_assert_str_eq(str(tx, "entry.1.request.url"), "DocumentReference");
	cr_assert_str_eq(str(tx, "entry.1.request.ifNoneExist"),
	    "identifier=urn%3Aehrterm%3Arequest%7Creq-1");
	cr_assert(fhir_carries_request(doc, "req-1"));
	cr_assert_str_eq(str(doc, "status"), "current");
	cr_assert_str_eq(str(doc, "docStatus"), "preliminary");
	cr_assert_str_eq(str(doc, "meta.tag.0.system"), "urn:ehrterm:note-status");
	cr_assert_str_eq(str(doc, "meta.tag.0.code"), "draft");
	cr_assert_str_eq(str(doc, "type.coding.0.system"), "http://loinc.org");
	cr_assert_str_eq(str(doc, "type.coding.0.code"), "11506-3");
	cr_assert_str_eq(str(doc, "category.0.coding.0.system"),
	    "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category");
	cr_assert_str_eq(str(doc, "category.0.coding.0.code"), "clinical-note");
	cr_assert_str_eq(str(doc, "subject.reference"), "Patient/p1");
	cr_assert_str_eq(str(doc, "author.0.reference"), "Practitioner/dr1");
	cr_assert_str_eq(str(doc, "date"), "2026-12-02T09:30:00Z");
	cr_assert_str_eq(str(doc, "context.encounter.0.reference"), "Encounter/e1");
	cr_assert_null(at(doc, "authenticator"));
	/* The text is referred to, not carried: a list of notes stays small. */
	cr_assert_null(at(doc, "content.0.attachment.data"));
	cr_assert_str_eq(str(doc, "content.0.attachment.contentType"), "text/plain; charset=utf-8");
	cr_assert_str_eq(str(doc, "content.0.attachment.url"), str(tx, "entry.0.fullUrl"));
	cr_assert_eq(strncmp(str(tx, "entry.0.fullUrl"), "urn:uuid:", 9), 0);
	cr_assert_eq(strlen(str(tx, "entry.0.fullUrl")), 9 + 36);
	cr_assert_str_neq(str(tx, "entry.0.fullUrl"), str(tx, "entry.1.fullUrl"));
	cr_assert_eq(cJSON_GetNumberValue(at(doc, "content.0.attachment.size")), (double)strlen(text));
	cr_assert_str_eq(str(doc, "content.0.attachment.hash"), hash);
	cr_assert_str_eq(str(doc, "content.0.attachment.title"), "Progress note");
	cJSON_Delete(tx);
	fhir_plan_free(&p);
	free(hash);
}

Test(clinical_note, a_draft_made_again_for_a_retry_is_the_same_bundle)
{
	struct note_input in = input();
	char *cause = NULL, *a, *b;
	struct fhir_plan *p = note_draft_plan(&in, &cause), *q = note_draft_plan(&in, &cause);
	cJSON *tx = transaction_of(p), *again = transaction_of(q);

	a = cJSON_PrintUnformatted(tx);
	b = cJSON_PrintUnformatted(again);
	cr_assert_str_eq(a, b);
	free(b);
	cJSON_Delete(again);
	fhir_plan_free(&q);
	/* Another note is another name. */
	in.request_id = "req-2";
	q = note_draft_plan(&in, &cause);
	again = transaction_of(q);
	cr_assert_str_neq(str(tx, "entry.0.fullUrl"), str(again, "entry.0.fullUrl"));
	/* A version 5 (name-based) UUID. */
	cr_assert_eq(str(tx, "entry.0.fullUrl")[9 + 14], '5');
	free(a);
	cJSON_Delete(again);
	cJSON_Delete(tx);
	fhir_plan_free(&q);
	fhir_plan_free(&p);
}

Test(clinical_note, a_draft_without_a_visit_has_no_context)
{
	struct note_input in = input();
	char *cause = NULL;
	struct fhir_plan *p;
	cJSON *tx;

	in.encounter = NULL;
	in.title = "Phone call";
	p = note_draft_plan(&in, &cause);
	tx = transaction_of(p);
	cr_assert_null(at(tx, "entry.1.resource.context"));
	cr_assert_str_eq(str(tx, "entry.1.resource.content.0.attachment.title"), "Phone call");
	cJSON_Delete(tx);
	fhir_plan_free(&p);
}

Test(clinical_note, a_draft_that_cannot_be_written_says_why)
{
	static const struct {
		const char *text;
		size_t len;
		const char *why;
	} texts[] = {
		{ "", 0, "the note is empty" },
		{ " \n\t\r\n", 5, "the note is empty" },
		{ "bad \xc3(", 6, "the note's text is not UTF-8 text" },
		{ "nul\0inside", 10, "the note's text is not UTF-8 text" },
		{ "\xed\xa0\x80", 3, "the note's text is not UTF-8 text" }, /* a surrogate */
	};
	struct note_input in;
	char *cause = NULL, *big;

	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		in = input();
		in.text = texts[i].text;
		in.len = texts[i].len;
		cr_expect_null(note_draft_plan(&in, &cause));
		cr_expect_str_eq(cause, texts[i].why, "text %zu", i);
		free(cause);
	}
	big = xmalloc(NOTE_BODY_MAX + 1);
	memset(big, 'a', NOTE_BODY_MAX + 1);
	in = input();
	in.text = big;
	in.len = NOTE_BODY_MAX + 1;
	cr_assert_null(note_draft_plan(&in, &cause));
	cr_assert_str_eq(cause, "the note is longer than a note may be");
	free(cause);
	free(big);
	in = input();
	in.type_code = "12345-6";
	cr_assert_null(note_draft_plan(&in, &cause));
	cr_assert_str_eq(cause, "choose the kind of note");
	free(cause);
	in = input();
	in.patient = "../p1";
	cr_assert_null(note_draft_plan(&in, &cause));
	free(cause);
	in = input();
	in.request_id = " ";
	cr_assert_null(note_draft_plan(&in, &cause));
	free(cause);
	in = input();
	in.encounter = "e 1";
	cr_assert_null(note_draft_plan(&in, &cause));
	cr_assert_str_eq(cause, "the note's visit is not one the server named");
	free(cause);
}

Test(clinical_note, the_types_written_are_us_cores_clinical_notes)
{
	cr_assert_eq(note_types_count, 5);
	cr_assert_str_eq(note_type_find("11506-3")->display, "Progress note");
	cr_assert_str_eq(note_type_find("18842-5")->display, "Discharge summary");
	cr_assert_null(note_type_find(NULL));
	cr_assert_null(note_type_find("11506"));
}

/* --- reading ------------------------------------------------------------------------------ */

Test(clinical_note, a_draft_reads_back_as_written)
{
	struct note_view v = draft_view();

	cr_assert_str_eq(v.id, "n1");
	cr_assert_str_eq(v.version, "2");
	cr_assert(v.draft);
	cr_assert_eq(v.status, NOTE_CURRENT);
	cr_assert_eq(v.doc_status, NOTE_DOC_PRELIMINARY);
	cr_assert_str_eq(v.type_code, "11506-3");
	cr_assert_str_eq(v.type_text, "Progress note");
	cr_assert_str_eq(v.date, "2026-12-02T09:30:00Z");
	cr_assert_str_eq(v.patient, "p1");
	cr_assert_str_eq(v.author, "Practitioner/dr1");
	cr_assert_str_eq(v.authenticator, "");
	cr_assert_str_eq(v.encounter, "Encounter/e1");
	cr_assert_str_eq(v.binary, "Binary/b1");
	cr_assert_eq(v.nlinks, 0);
	note_view_clear(&v);
	cr_assert_null(v.id);
}

Test(clinical_note, a_view_takes_no_name_from_a_display_and_only_references_of_their_type)
{
	cJSON *doc = parse(
	    "{\"resourceType\":\"DocumentReference\",\"id\":\"n9\",\"status\":\"superseded\","
	    "\"docStatus\":\"final\",\"type\":{\"text\":\"Consult\"},\"subject\":{\"reference\":"
	    "\"https://ehr.example/fhir/Patient/p1\"},\"author\":[{\"display\":\"Dr. Who\"}],"
	    "\"authenticator\":{\"reference\":\"Organization/o1\",\"display\":\"Dr. Who\"},"
	    "\"context\":{\"encounter\":[{\"reference\":\"Encounter/e 1\"}]},\"content\":[{"
	    "\"attachment\":{\"contentType\":\"text/plain\",\"url\":"
	    "\"https://ehr.example/fhir/Binary/b7\"}}],\"relatesTo\":[{\"code\":\"replaces\","
	    "\"target\":{\"reference\":\"DocumentReference/n8\"}},{\"code\":\"signs\",\"target\":"
	    "{\"reference\":\"Patient/p1\"}},{\"code\":\"frobs\",\"target\":{\"reference\":"
	    "\"DocumentReference/n7\"}}]}");
	struct note_view v = view_of(doc);

	cr_assert_not(v.draft);
	cr_assert_eq(v.status, NOTE_SUPERSEDED);
	cr_assert_eq(v.doc_status, NOTE_DOC_FINAL);
	cr_assert_str_eq(v.type_code, "");
	cr_assert_str_eq(v.type_text, "Consult");
	cr_assert_str_eq(v.patient, "p1");
	cr_assert_str_eq(v.author, "");
	cr_assert_str_eq(v.authenticator, "");
	cr_assert_str_eq(v.encounter, "");
	cr_assert_null(v.version);
	cr_assert_str_eq(v.binary, "Binary/b7");
	cr_assert_eq(v.nlinks, 1);
	cr_assert_eq(v.links[0].code, NOTE_REPLACES);
	cr_assert_str_eq(v.links[0].target, "n8");
	note_view_clear(&v);
	cJSON_Delete(doc);
}

Test(clinical_note, hostile_notes_are_read_within_bounds)
{
	cJSON *doc = parse("{\"resourceType\":\"DocumentReference\",\"id\":\"n1\",\"status\":7,"
			   "\"docStatus\":[],\"type\":\"x\",\"subject\":\"Patient/p1\",\"author\":"
			   "{\"reference\":\"Practitioner/dr1\"},\"content\":{},\"relatesTo\":[]}");
	cJSON *links = cJSON_GetObjectItemCaseSensitive(doc, "relatesTo");
	struct note_view v;
	char *cause = NULL;

	for (int i = 0; i < 100000; i++)
		cJSON_AddItemToArray(links,
		    parse("{\"code\":\"appends\",\"target\":{\"reference\":\"DocumentReference/x\"}}"));
	v = view_of(doc);
	cr_assert_eq(v.status, NOTE_STATUS_UNKNOWN);
	cr_assert_eq(v.doc_status, NOTE_DOC_NONE);
	cr_assert_not(v.draft);
	cr_assert_str_eq(v.patient, "");
	/* One author, as an object rather than an array, is still read. */
	cr_assert_str_eq(v.author, "Practitioner/dr1");
	cr_assert_null(v.binary);
	cr_assert_eq(v.nlinks, NOTE_LINKS_MAX);
	cr_assert_eq(v.more_links, 100000 - NOTE_LINKS_MAX);
	note_view_clear(&v);
	cJSON_Delete(doc);

	doc = parse("{\"resourceType\":\"DocumentReference\",\"id\":\"n/1\"}");
	cr_assert_eq(note_view_read(doc, NULL, &v, &cause), -1);
	cr_assert_str_eq(cause, "the server answered with something else than a note");
	free(cause);
	cJSON_Delete(doc);
	doc = parse("{\"resourceType\":\"Binary\",\"id\":\"n1\"}");
	cr_assert_eq(note_view_read(doc, NULL, &v, &cause), -1);
	free(cause);
	cJSON_Delete(doc);
	cr_assert_eq(note_view_read(NULL, NULL, &v, &cause), -1);
	free(cause);
}

Test(clinical_note, a_notes_text_is_read_exactly_from_its_binary)
{
	struct note_body b = body_of(text, strlen(text));
	char *data = base64_encode(text, strlen(text), BASE64_STD), *json;
	cJSON *bin;
	char *cause = NULL;

	cr_assert_eq(b.len, strlen(text));
	cr_assert_eq(memcmp(b.bytes, text, b.len), 0);
	cr_assert_str_eq(b.ref, "Binary/b1");
	cr_assert_str_eq(b.version, "3");
	cr_assert_str_eq(b.content_type, "text/plain; charset=utf-8");
	note_body_clear(&b);
	/* Another Binary than the one asked for, or none. */
	json = xasprintf("{\"resourceType\":\"Binary\",\"id\":\"b2\",\"data\":\"%s\"}", data);
	bin = parse(json);
	cr_assert_eq(note_body_read(bin, "Binary/b1", &b, &cause), -1);
	cr_assert_str_eq(cause, "the server answered with something else than the note's text");
	free(cause);
	cr_assert_eq(note_body_read(bin, "b2", &b, &cause), -1);
	free(cause);
	cJSON_Delete(bin);
	free(json);
	bin = parse("{\"resourceType\":\"Binary\",\"id\":\"b1\",\"data\":\"no*base64\"}");
	cr_assert_eq(note_body_read(bin, "Binary/b1", &b, &cause), -1);
	cr_assert_str_eq(cause, "the note's text is not base64");
	free(cause);
	cJSON_Delete(bin);
	bin = parse("{\"resourceType\":\"Binary\",\"id\":\"b1\"}");
	cr_assert_eq(note_body_read(bin, "Binary/b1", &b, &cause), 0);
	cr_assert_eq(b.len, 0);
	cr_assert_null(b.version);
	note_body_clear(&b);
	cJSON_Delete(bin);
	free(data);
}

Test(clinical_note, a_text_longer_than_a_note_is_refused_not_cut)
{
	char *big = xmalloc(NOTE_BODY_MAX + 3), *data, *json;
	struct note_body b;
	char *cause = NULL;
	cJSON *bin;

	memset(big, 'x', NOTE_BODY_MAX + 3);
	data = base64_encode(big, NOTE_BODY_MAX + 3, BASE64_STD);
	json = xasprintf("{\"resourceType\":\"Binary\",\"id\":\"b1\",\"data\":\"%s\"}", data);
	bin = parse(json);
	cr_assert_eq(note_body_read(bin, "Binary/b1", &b, &cause), -1);
	cr_assert_str_eq(cause, "the note's text is longer than ehrterm reads");
	free(cause);
	cJSON_Delete(bin);
	free(json);
	free(data);
	free(big);
}

Test(clinical_note, drafts_are_searched_by_their_tag)
{
	struct fhir_search *s = note_drafts_search("p1");
	char *url = fhir_search_relative(fc, s);

	cr_assert_str_eq(url, "DocumentReference?subject=Patient%2Fp1&_tag=urn%3Aehrterm%3Anote-status"
			      "%7Cdraft&status=current&_sort=-date&_count=50");
	free(url);
	fhir_search_free(&s);
	s = note_provenance_search("n1");
	url = fhir_search_relative(fc, s);
	cr_assert_str_eq(url, "Provenance?target=DocumentReference%2Fn1&_count=20");
	free(url);
	fhir_search_free(&s);
}

Test(clinical_note, a_list_of_drafts_keeps_drafts_of_the_patient_only)
{
	cJSON *draft = stored_draft(), *final = stored_draft(), *others[60];
	cJSON *set, *other_patient;
	struct note_list l;
	char *cause = NULL;

	cJSON_SetValuestring(cJSON_GetObjectItemCaseSensitive(final, "docStatus"), "final");
	cJSON_SetValuestring(cJSON_GetObjectItemCaseSensitive(final, "id"), "n2");
	{
		cJSON *all[] = { draft, final, parse("{\"resourceType\":\"OperationOutcome\"}") };

		set = searchset_of(all, 3);
	}
	cr_assert_eq(note_list_read(set, "p1", NULL, &l, &cause), 0);
	cr_assert_eq(l.n, 1, "a server that ignores _tag sends signed notes too");
	cr_assert_str_eq(l.items[0].id, "n1");
	note_list_clear(&l);
	other_patient = stored_draft();
	cJSON_SetValuestring((cJSON *)at(other_patient, "subject.reference"), "Patient/p2");
	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(set, "entry"), cJSON_CreateObject());
	cJSON_AddItemToObject(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(set, "entry"), 3),
	    "resource", other_patient);
	cr_assert_eq(note_list_read(set, "p1", NULL, &l, &cause), -1);
	cr_assert_eq(l.n, 0);
	cr_assert_str_eq(cause, "the answer holds another patient's note; nothing of it is used");
	free(cause);
	cJSON_Delete(set);
	for (int i = 0; i < 60; i++)
		others[i] = stored_draft();
	set = searchset_of(others, 60);
	cr_assert_eq(note_list_read(set, "p1", NULL, &l, &cause), 0);
	cr_assert_eq(l.n, NOTE_LIST_MAX);
	cr_assert_eq(l.more, 10);
	note_list_clear(&l);
	cJSON_Delete(set);
}

/* --- changing a draft ----------------------------------------------------------------------- */

Test(clinical_note, new_text_updates_the_binary_and_the_note_if_both_are_as_read)
{
	struct note_view v = draft_view();
	struct note_body b = body_of(text, strlen(text));
	const char now[] = "S: cough four days.\n";
	char *cause = NULL, *hash = sha1_b64(now, strlen(now)), *data;
	struct fhir_plan *p = note_draft_update_plan(&v, &b, now, strlen(now), &cause);
	cJSON *tx = transaction_of(p);
	size_t len;

	cr_assert_eq(cJSON_GetArraySize(at(tx, "entry")), 2);
	cr_assert_str_eq(str(tx, "entry.0.request.method"), "PUT");
	cr_assert_str_eq(str(tx, "entry.0.request.url"), "DocumentReference/n1");
	cr_assert_str_eq(str(tx, "entry.0.request.ifMatch"), "W/\"2\"");
	cr_assert_str_eq(str(tx, "entry.0.resource.content.0.attachment.url"), "Binary/b1");
	cr_assert_str_eq(str(tx, "entry.0.resource.content.0.attachment.hash"), hash);
	cr_assert_eq(cJSON_GetNumberValue(at(tx, "entry.0.resource.content.0.attachment.size")),
	    (double)strlen(now));
	cr_assert_str_eq(str(tx, "entry.0.resource.docStatus"), "preliminary");
	cr_assert_str_eq(str(tx, "entry.1.request.url"), "Binary/b1");
	cr_assert_str_eq(str(tx, "entry.1.request.ifMatch"), "W/\"3\"");
	cr_assert_str_eq(str(tx, "entry.1.resource.securityContext.reference"), "Patient/p1");
	data = decoded(str(tx, "entry.1.resource.data"), &len);
	cr_assert_eq(len, strlen(now));
	cr_assert_eq(memcmp(data, now, len), 0);
	free(data);
	free(hash);
	cJSON_Delete(tx);
	fhir_plan_free(&p);
	note_body_clear(&b);
	note_view_clear(&v);
}

Test(clinical_note, a_signed_note_never_changes)
{
	struct note_view v = signed_view("n1");
	struct note_body b = body_of(text, strlen(text));
	char *cause = NULL;

	cr_assert_null(note_draft_update_plan(&v, &b, "x", 1, &cause));
	cr_assert_str_eq(cause, "the note is signed or retired: it does not change (write an "
				"addendum or a correction)");
	free(cause);
	note_view_clear(&v);
	note_body_clear(&b);
}

Test(clinical_note, text_read_apart_from_its_version_or_of_another_note_is_not_written_over)
{
	struct note_view v = draft_view();
	struct note_body b = body_of(text, strlen(text));
	char *cause = NULL;

	free(b.version);
	b.version = NULL;
	cr_assert_null(note_draft_update_plan(&v, &b, "x", 1, &cause));
	cr_assert_str_eq(cause, "the note's text was not read with its version: read it again");
	free(cause);
	b.version = xstrdup("3");
	free(b.ref);
	b.ref = xstrdup("Binary/b2");
	cr_assert_null(note_draft_update_plan(&v, &b, "x", 1, &cause));
	free(cause);
	cr_assert_null(note_draft_update_plan(&v, NULL, "x", 1, &cause));
	free(cause);
	note_view_clear(&v);
	note_body_clear(&b);
}

/* --- signing -------------------------------------------------------------------------------- */

Test(clinical_note, signing_makes_it_final_with_a_provenance_in_one_transaction)
{
	struct signer s = signer_new("Dr. Ada Ortiz");
	struct note_view v = draft_view(), after;
	struct note_body b = body_of(text, strlen(text));
	char *jws = sign_as(&s, "DocumentReference/n1", b.bytes, b.len), *cause = NULL;
	struct note_signing signing = { .signer = "dr1", .when = "2026-12-02T10:00:00Z", .jws = jws,
		.request_id = "req-2" };
	struct fhir_plan *p = note_sign_plan(&v, &b, &signing, &cause);
	cJSON *tx = transaction_of(p), *prov, *doc;
	const cJSON *tags;
	char *data, *hash = sha1_b64(text, strlen(text));
	struct note_check check;
	size_t len;

	cr_assert_null(cause);
	cr_assert_eq(cJSON_GetArraySize(at(tx, "entry")), 3);
	/* The note: final, signed by its author, no longer a draft, If-Match as read. */
	cr_assert_str_eq(str(tx, "entry.0.request.url"), "DocumentReference/n1");
	cr_assert_str_eq(str(tx, "entry.0.request.ifMatch"), "W/\"2\"");
	cr_assert_str_eq(str(tx, "entry.0.resource.docStatus"), "final");
	cr_assert_str_eq(str(tx, "entry.0.resource.status"), "current");
	cr_assert_str_eq(str(tx, "entry.0.resource.authenticator.reference"), "Practitioner/dr1");
	cr_assert_str_eq(str(tx, "entry.0.resource.content.0.attachment.hash"), hash);
	tags = at(tx, "entry.0.resource.meta.tag");
	cr_assert_eq(cJSON_GetArraySize(tags), 1, "the draft tag is off, others kept");
	cr_assert_str_eq(str(tags, "0.code"), "kept");
	/* The text, written back as it was read: changed since, the signing fails. */
	cr_assert_str_eq(str(tx, "entry.1.request.url"), "Binary/b1");
	cr_assert_str_eq(str(tx, "entry.1.request.ifMatch"), "W/\"3\"");
	data = decoded(str(tx, "entry.1.resource.data"), &len);
	cr_assert_eq(len, strlen(text));
	cr_assert_eq(memcmp(data, text, len), 0);
	free(data);
	/* The Provenance: who wrote it, who attests it, and the signature. */
	cr_assert_str_eq(str(tx, "entry.2.request.method"), "POST");
	prov = (cJSON *)at(tx, "entry.2.resource");
	cr_assert_null(at(tx, "entry.2.request.ifNoneExist"), "the note's If-Match update guards it");
	cr_assert_str_eq(str(prov, "meta.tag.0.code"), "req-2");
	cr_assert_str_eq(str(prov, "resourceType"), "Provenance");
	cr_assert_str_eq(str(prov, "target.0.reference"), "DocumentReference/n1");
	cr_assert_str_eq(str(prov, "recorded"), "2026-12-02T10:00:00Z");
	cr_assert_str_eq(str(prov, "agent.0.type.coding.0.system"),
	    "http://terminology.hl7.org/CodeSystem/provenance-participant-type");
	cr_assert_str_eq(str(prov, "agent.0.type.coding.0.code"), "author");
	cr_assert_str_eq(str(prov, "agent.0.who.reference"), "Practitioner/dr1");
	cr_assert_str_eq(str(prov, "agent.1.type.coding.0.code"), "attester");
	cr_assert_str_eq(str(prov, "agent.1.who.reference"), "Practitioner/dr1");
	cr_assert_str_eq(str(prov, "signature.0.type.0.system"), "urn:iso-astm:E1762-95:2013");
	cr_assert_str_eq(str(prov, "signature.0.type.0.code"), "1.2.840.10065.1.12.1.1");
	cr_assert_str_eq(str(prov, "signature.0.when"), "2026-12-02T10:00:00Z");
	cr_assert_str_eq(str(prov, "signature.0.who.reference"), "Practitioner/dr1");
	cr_assert_str_eq(str(prov, "signature.0.sigFormat"), "application/jose");
	data = decoded(str(prov, "signature.0.data"), &len);
	cr_assert_str_eq(data, jws);
	free(data);
	/* Read back as a reader would: the signed note and its Provenance. */
	doc = cJSON_Duplicate(at(tx, "entry.0.resource"), true);
	after = view_of(doc);
	cr_assert_not(after.draft);
	cr_assert_str_eq(after.authenticator, "Practitioner/dr1");
	note_verify(&after, &b, prov, NULL, &check);
	cr_assert_eq(check.state, NOTE_SIGNATURE_VERIFIED, "%s", check.why);
	cr_assert_str_eq(check.line, "signed by Dr. Ada Ortiz (verified)");
	note_check_clear(&check);
	note_view_clear(&after);
	cJSON_Delete(doc);
	cJSON_Delete(tx);
	fhir_plan_free(&p);
	free(hash);
	free(jws);
	note_body_clear(&b);
	note_view_clear(&v);
	signer_free(&s);
}

Test(clinical_note, only_a_signature_over_this_text_of_this_note_by_its_author_is_planned)
{
	struct signer s = signer_new("Dr. Ada Ortiz");
	struct note_view v = draft_view(), final = signed_view("n1");
	struct note_body b = body_of(text, strlen(text));
	char *other_text = sign_as(&s, "DocumentReference/n1", "other", 5);
	char *other_note = sign_as(&s, "DocumentReference/n2", b.bytes, b.len);
	char *good = sign_as(&s, "DocumentReference/n1", b.bytes, b.len), *cause = NULL;
	struct note_signing signing = { .signer = "dr1", .when = "2026-12-02T10:00:00Z",
		.request_id = "req-2" };

	signing.jws = other_text;
	cr_assert_null(note_sign_plan(&v, &b, &signing, &cause));
	cr_assert_str_eq(cause, "the signature is not over this note's text: sign it again");
	free(cause);
	signing.jws = other_note;
	cr_assert_null(note_sign_plan(&v, &b, &signing, &cause));
	free(cause);
	signing.jws = "not a jws";
	cr_assert_null(note_sign_plan(&v, &b, &signing, &cause));
	free(cause);
	signing.jws = good;
	signing.signer = "dr2";
	cr_assert_null(note_sign_plan(&v, &b, &signing, &cause));
	cr_assert_str_eq(cause, "only the note's author signs it");
	free(cause);
	signing.signer = "dr1";
	cr_assert_null(note_sign_plan(&final, &b, &signing, &cause));
	free(cause);
	signing.request_id = NULL;
	cr_assert_null(note_sign_plan(&v, &b, &signing, &cause));
	free(cause);
	free(good);
	free(other_note);
	free(other_text);
	note_body_clear(&b);
	note_view_clear(&v);
	note_view_clear(&final);
	signer_free(&s);
}

/* --- addenda, corrections, mistakes --------------------------------------------------------- */

Test(clinical_note, an_addendum_is_a_new_draft_that_appends)
{
	struct note_view target = signed_view("n1");
	struct note_input in = input();
	char *cause = NULL;
	struct fhir_plan *p = note_addendum_plan(&target, &in, &cause);
	cJSON *tx = transaction_of(p);

	cr_assert_eq(cJSON_GetArraySize(at(tx, "entry")), 2, "the signed note is not touched");
	cr_assert_str_eq(str(tx, "entry.0.request.url"), "Binary");
	cr_assert_str_eq(str(tx, "entry.1.resource.docStatus"), "preliminary");
	cr_assert_str_eq(str(tx, "entry.1.resource.relatesTo.0.code"), "appends");
	cr_assert_str_eq(str(tx, "entry.1.resource.relatesTo.0.target.reference"),
	    "DocumentReference/n1");
	cJSON_Delete(tx);
	fhir_plan_free(&p);
	note_view_clear(&target);
}

Test(clinical_note, a_correction_replaces_and_supersedes_in_one_transaction)
{
	struct note_view target = signed_view("n1");
	struct note_input in = input();
	char *cause = NULL;
	struct fhir_plan *p = note_correction_plan(&target, &in, &cause);
	cJSON *tx = transaction_of(p);

	cr_assert_eq(cJSON_GetArraySize(at(tx, "entry")), 3);
	cr_assert_str_eq(str(tx, "entry.0.request.method"), "PUT");
	cr_assert_str_eq(str(tx, "entry.0.request.url"), "DocumentReference/n1");
	cr_assert_str_eq(str(tx, "entry.0.request.ifMatch"), "W/\"2\"");
	cr_assert_str_eq(str(tx, "entry.0.resource.status"), "superseded");
	cr_assert_str_eq(str(tx, "entry.0.resource.docStatus"), "final", "its text is still signed");
	cr_assert_str_eq(str(tx, "entry.1.request.url"), "Binary");
	cr_assert_str_eq(str(tx, "entry.2.request.url"), "DocumentReference");
	cr_assert_str_eq(str(tx, "entry.2.resource.relatesTo.0.code"), "replaces");
	cr_assert_str_eq(str(tx, "entry.2.resource.relatesTo.0.target.reference"),
	    "DocumentReference/n1");
	cr_assert_str_eq(str(tx, "entry.2.resource.content.0.attachment.url"),
	    str(tx, "entry.1.fullUrl"));
	cJSON_Delete(tx);
	fhir_plan_free(&p);
	note_view_clear(&target);
}

Test(clinical_note, only_a_signed_current_note_of_the_same_patient_takes_either)
{
	struct note_view draft = draft_view(), target = signed_view("n1");
	struct note_input in = input();
	char *cause = NULL;

	cr_assert_null(note_addendum_plan(&draft, &in, &cause));
	cr_assert_str_eq(cause, "only a signed, current note takes an addendum or a correction");
	free(cause);
	cr_assert_null(note_correction_plan(&draft, &in, &cause));
	free(cause);
	in.patient = "p2";
	cr_assert_null(note_addendum_plan(&target, &in, &cause));
	cr_assert_str_eq(cause, "the note is about another patient");
	free(cause);
	cr_assert_null(note_correction_plan(&target, &in, &cause));
	free(cause);
	in = input();
	target.status = NOTE_SUPERSEDED;
	cr_assert_null(note_correction_plan(&target, &in, &cause));
	free(cause);
	target.status = NOTE_CURRENT;
	free(target.version);
	target.version = NULL;
	cr_assert_null(note_correction_plan(&target, &in, &cause));
	cr_assert_str_eq(cause, "the note cannot be corrected safely: the server gave no version of it");
	free(cause);
	note_view_clear(&draft);
	note_view_clear(&target);
}

Test(clinical_note, entered_in_error_is_a_status_not_a_delete)
{
	struct note_view v = draft_view();
	char *cause = NULL;
	struct fhir_plan *p = note_entered_in_error_plan(&v, &cause);
	cJSON *tx = transaction_of(p);

	cr_assert_eq(fhir_plan_steps(p), 1);
	cr_assert_str_eq(str(tx, "entry.0.request.method"), "PUT");
	cr_assert_str_eq(str(tx, "entry.0.request.ifMatch"), "W/\"2\"");
	cr_assert_str_eq(str(tx, "entry.0.resource.status"), "entered-in-error");
	cr_assert_eq(cJSON_GetArraySize(at(tx, "entry.0.resource.meta.tag")), 1,
	    "no longer found among the drafts");
	cJSON_Delete(tx);
	fhir_plan_free(&p);
	v.status = NOTE_ENTERED_IN_ERROR;
	cr_assert_null(note_entered_in_error_plan(&v, &cause));
	cr_assert_str_eq(cause, "the note is marked entered in error already");
	free(cause);
	note_view_clear(&v);
}

/* --- the signature's line ------------------------------------------------------------------- */

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

/* Note n1 signed by another program, its text, and its Provenance by Practitioner/dr1. */
struct made {
	struct note_view note;
	struct note_body body;
	char *jws;
};

static struct made
made_elsewhere(void)
{
	struct made m;
	size_t len;
	char *t = read_fixture("note-signed-body.txt", &len);

	m.note = signed_view("n1");
	m.body = body_of(t, len);
	m.jws = read_fixture("note-signed-es256.jws", &len);
	free(t);
	return m;
}

static void
made_free(struct made *m)
{
	note_view_clear(&m->note);
	note_body_clear(&m->body);
	free(m->jws);
}

static struct note_check
verify(const struct made *m, const cJSON *provenances)
{
	struct note_check c;

	note_verify(&m->note, &m->body, provenances, NULL, &c);
	return c;
}

Test(clinical_note, a_signature_made_elsewhere_shows_its_certificates_name)
{
	struct made m = made_elsewhere();
	cJSON *p = provenance("n1", "Practitioner/dr1", m.jws, "application/jose");
	cJSON *set = searchset_of(&p, 1);
	struct note_check c = verify(&m, set);

	cr_assert_eq(c.state, NOTE_SIGNATURE_VERIFIED, "%s", c.why);
	/* The certificate's name, never the display the Provenance gives. */
	cr_assert_str_eq(c.line, "signed by Dr. Ada Ortiz (verified)");
	cr_assert_str_eq(c.signer, "Dr. Ada Ortiz");
	cr_assert_null(c.why);
	note_check_clear(&c);
	cJSON_Delete(set);
	made_free(&m);
}

Test(clinical_note, changed_text_does_not_verify)
{
	struct made m = made_elsewhere();
	cJSON *p = provenance("n1", "Practitioner/dr1", m.jws, "application/jose");
	struct note_check c;

	m.body.bytes[3] ^= 1;
	c = verify(&m, p);
	cr_assert_eq(c.state, NOTE_SIGNATURE_BAD);
	cr_assert_str_eq(c.line, "signature does not verify");
	cr_assert_str_eq(c.signer, "");
	cr_assert_str_eq(c.why, "the signature is not over these words");
	note_check_clear(&c);
	cJSON_Delete(p);
	made_free(&m);
}

Test(clinical_note, a_signature_copied_beside_another_note_does_not_verify)
{
	struct made m = made_elsewhere();
	cJSON *p;
	struct note_check c;

	/* The same text in note n2, and n1's signature put in a Provenance of n2. */
	note_view_clear(&m.note);
	m.note = signed_view("n2");
	p = provenance("n2", "Practitioner/dr1", m.jws, "application/jose");
	c = verify(&m, p);
	cr_assert_eq(c.state, NOTE_SIGNATURE_BAD);
	cr_assert_str_eq(c.why, "the signature is of another note");
	note_check_clear(&c);
	cJSON_Delete(p);
	made_free(&m);
}

Test(clinical_note, a_signature_by_someone_else_than_the_authenticator_does_not_verify)
{
	struct made m = made_elsewhere();
	cJSON *p = provenance("n1", "Practitioner/dr2", m.jws, "application/jose");
	struct note_check c = verify(&m, p);

	cr_assert_eq(c.state, NOTE_SIGNATURE_BAD);
	cr_assert_str_eq(c.why, "the signature is not by the note's authenticator");
	note_check_clear(&c);
	cJSON_Delete(p);
	made_free(&m);
}

Test(clinical_note, no_signature_of_this_note_is_not_signed)
{
	struct made m = made_elsewhere();
	cJSON *other = provenance("n2", "Practitioner/dr1", m.jws, "application/jose");
	cJSON *format = provenance("n1", "Practitioner/dr1", m.jws, "application/pkcs7-signature");
	cJSON *empty = searchset_of(NULL, 0), *set;
	struct note_check c = verify(&m, empty);

	cr_assert_eq(c.state, NOTE_NOT_SIGNED);
	cr_assert_str_eq(c.line, "not signed");
	note_check_clear(&c);
	c = verify(&m, NULL);
	cr_assert_str_eq(c.line, "not signed");
	note_check_clear(&c);
	{
		cJSON *both[] = { other, format };

		set = searchset_of(both, 2);
	}
	c = verify(&m, set);
	cr_assert_eq(c.state, NOTE_NOT_SIGNED);
	note_check_clear(&c);
	cJSON_Delete(set);
	cJSON_Delete(empty);
	made_free(&m);
}

Test(clinical_note, text_not_read_is_not_verified)
{
	struct made m = made_elsewhere();
	cJSON *p = provenance("n1", "Practitioner/dr1", m.jws, "application/jose");
	struct note_check c;

	note_verify(&m.note, NULL, p, NULL, &c);
	cr_assert_eq(c.state, NOTE_SIGNATURE_BAD);
	cr_assert_str_eq(c.why, "the note's text was not read");
	note_check_clear(&c);
	cJSON_Delete(p);
	made_free(&m);
}

/* Note n1, signed, its text inline in CONTENT (a JSON array) and no Binary, as seeded. */
static cJSON *
inline_note(const char *content)
{
	cJSON *doc = stored_draft();

	cJSON_SetValuestring(cJSON_GetObjectItemCaseSensitive(doc, "docStatus"), "final");
	cJSON_AddItemToObject(doc, "authenticator", parse("{\"reference\":\"Practitioner/dr1\"}"));
	cJSON_ReplaceItemInObjectCaseSensitive(doc, "content", parse(content));
	return doc;
}

Test(clinical_note, a_notes_inline_text_is_read_exactly_and_none_says_what_to_do)
{
	char *data = base64_encode(text, strlen(text), BASE64_STD);
	char *json = xasprintf("[{\"attachment\":{\"contentType\":\"application/pdf\","
			       "\"data\":\"JVBERi0=\"}},{\"attachment\":{\"contentType\":"
			       "\"text/plain; charset=utf-8\",\"data\":\"%s\"}}]", data);
	cJSON *doc = inline_note(json);
	struct note_view v = view_of(doc);
	struct note_body b;
	char *cause = NULL;

	/* No Binary to read: the text is the plain-text attachment's, preferred to the PDF. */
	cr_assert_null(v.binary);
	cr_assert_eq(note_body_inline(doc, &b, &cause), 0, "%s", cause);
	cr_assert_eq(b.len, strlen(text));
	cr_assert_eq(memcmp(b.bytes, text, b.len), 0);
	cr_assert_null(b.ref);
	cr_assert_null(b.resource);
	cr_assert_null(b.version);
	note_body_clear(&b);
	cJSON_Delete(doc);
	note_view_clear(&v);
	free(json);
	free(data);

	static const struct {
		const char *content, *cause;
	} none[] = {
		{ "[]", "the note holds no text: its details on the notes list say what it is" },
		{ "[{\"attachment\":{\"contentType\":\"application/pdf\",\"data\":\"JVBERi0=\"}}]",
		    "the note is a document, not plain text: ehrterm shows only text" },
		{ "[{\"attachment\":{\"contentType\":\"text/plain\",\"url\":"
		  "\"https://elsewhere.example/fhir/Binary/b9\"}}]",
		    "the note's text is held on another server, which ehrterm does not read: ask "
		    "the clinic for it" },
		{ "[{\"attachment\":{\"contentType\":\"text/plain\",\"data\":\"@@not base64@@\"}}]",
		    "the note's text is not base64" },
	};
	for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
		doc = inline_note(none[i].content);
		cr_assert_eq(note_body_inline(doc, &b, &cause), -1, "case %zu", i);
		cr_assert_str_eq(cause, none[i].cause);
		cr_assert_null(b.bytes);
		free(cause);
		cJSON_Delete(doc);
	}
}

Test(clinical_note, an_inline_texts_signature_verifies_over_that_text)
{
	size_t len;
	char *t = read_fixture("note-signed-body.txt", &len);
	char *jws = read_fixture("note-signed-es256.jws", &len);
	char *data = base64_encode(t, strlen(t), BASE64_STD);
	char *json = xasprintf("[{\"attachment\":{\"contentType\":\"text/plain\",\"data\":\"%s\"}}]",
	    data);
	cJSON *doc = inline_note(json), *p = provenance("n1", "Practitioner/dr1", jws, "application/jose");
	struct note_view v = view_of(doc);
	struct note_body inl, bin = body_of(t, strlen(t));
	struct note_check c;
	char *cause = NULL;

	cr_assert_eq(note_body_inline(doc, &inl, &cause), 0, "%s", cause);
	note_verify(&v, &inl, p, NULL, &c);
	cr_assert_eq(c.state, NOTE_SIGNATURE_VERIFIED, "%s", c.why);
	note_check_clear(&c);
	/* A Binary's text is not the text of a note that names none. */
	note_verify(&v, &bin, p, NULL, &c);
	cr_assert_eq(c.state, NOTE_SIGNATURE_BAD);
	cr_assert_str_eq(c.why, "the note's text was not read");
	note_check_clear(&c);
	note_body_clear(&inl);
	note_body_clear(&bin);
	note_view_clear(&v);
	cJSON_Delete(p);
	cJSON_Delete(doc);
	free(json);
	free(data);
	free(jws);
	free(t);
}

Test(clinical_note, a_good_signature_among_bad_ones_counts)
{
	struct made m = made_elsewhere();
	cJSON *ps[] = {
		provenance("n1", "Practitioner/dr1", "e30..AAAA", "application/jose"),
		provenance("n1", "Practitioner/dr1", m.jws, "application/jose"),
	};
	cJSON *set = searchset_of(ps, 2);
	struct note_check c = verify(&m, set);

	cr_assert_eq(c.state, NOTE_SIGNATURE_VERIFIED, "%s", c.why);
	note_check_clear(&c);
	cJSON_Delete(set);
	made_free(&m);
}

Test(clinical_note, many_provenances_are_looked_at_within_bounds, .timeout = 20)
{
	struct made m = made_elsewhere();
	cJSON *bad = provenance("n1", "Practitioner/dr1", "e30..AAAA", "application/jose");
	cJSON *set = searchset_of(NULL, 0), *entries = cJSON_GetObjectItemCaseSensitive(set, "entry");
	cJSON *sigs = cJSON_GetObjectItemCaseSensitive(bad, "signature");
	struct note_check c;

	/*
	 * 1,000 signatures in each of 100,000 Provenances: a few are checked, and the good
	 * one after them is never reached.
	 */
	for (int i = 0; i < 1000; i++)
		cJSON_AddItemToArray(sigs, cJSON_Duplicate(cJSON_GetArrayItem(sigs, 0), true));
	for (int i = 0; i < 100000; i++) {
		cJSON *e = cJSON_CreateObject();

		cJSON_AddItemToObject(e, "resource", i == 0 ? bad : cJSON_CreateObjectReference(bad->child));
		cJSON_AddItemToArray(entries, e);
	}
	{
		cJSON *e = cJSON_CreateObject();

		cJSON_AddItemToObject(e, "resource",
		    provenance("n1", "Practitioner/dr1", m.jws, "application/jose"));
		cJSON_AddItemToArray(entries, e);
	}
	c = verify(&m, set);
	cr_assert_eq(c.state, NOTE_SIGNATURE_BAD);
	cr_assert_str_eq(c.line, "signature does not verify");
	note_check_clear(&c);
	cJSON_Delete(set);
	made_free(&m);
}

/* --- the note screen's one read ---------------------------------------------------------- */


#define OK_ENTRY(res) "{\"response\":{\"status\":\"200 OK\"},\"resource\":" res "}"
#define SET(...) "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[" __VA_ARGS__ "]}"
#define PRACT(id, cn)                                                                        \
	"{\"resource\":{\"resourceType\":\"Practitioner\",\"id\":\"" id "\",\"identifier\":"  \
	"[{\"system\":\"urn:ehrterm:cert-cn\",\"value\":\"" cn "\"}]}}"
#define VISIT(id, patient)                                                                   \
	"{\"resource\":{\"resourceType\":\"Encounter\",\"id\":\"" id "\",\"status\":"         \
	"\"in-progress\",\"subject\":{\"reference\":\"Patient/" patient "\"}}}"
#define NOTE_DOC(id, patient)                                                                \
	"{\"resourceType\":\"DocumentReference\",\"id\":\"" id "\",\"meta\":{\"versionId\":"  \
	"\"2\"},\"status\":\"current\",\"docStatus\":\"preliminary\",\"subject\":"             \
	"{\"reference\":\"Patient/" patient "\"},\"type\":{\"coding\":[{\"system\":"          \
	"\"http://loinc.org\",\"code\":\"11506-3\"}]},\"content\":[{\"attachment\":{\"url\":" \
	"\"Binary/b1\"}}]}"

Test(clinical_note, the_screens_read_names_who_writes_the_visit_and_the_note)
{
	cJSON *batch = note_context_batch(fc, "p1", "Dr Ann", "n1");
	cJSON *answer = parse("{\"resourceType\":\"Bundle\",\"type\":\"batch-response\",\"entry\":["
	    OK_ENTRY(SET(PRACT("pr1", "Dr Ann") "," PRACT("pr2", "Dr Bob"))) ","
	    OK_ENTRY(SET(VISIT("e9", "p1"))) ","
	    OK_ENTRY(NOTE_DOC("n1", "p1")) ","
	    OK_ENTRY(SET()) "]}");
	struct note_context c;
	char *cause = NULL;

	cr_assert_not_null(batch);
	cr_assert_eq(cJSON_GetArraySize(at(batch, "entry")), 4);
	cr_assert_str_eq(str(batch, "entry.2.request.url"), "DocumentReference/n1");
	cr_assert_eq(note_context_read(answer, "p1", "Dr Ann", "n1", NULL, &c, &cause), 0, "%s",
	    cause ? cause : "");
	cr_assert_str_eq(c.author, "pr1");
	cr_assert_str_eq(c.visit, "e9");
	cr_assert(c.has_note && c.note.draft);
	cr_assert_str_eq(c.note.binary, "Binary/b1");
	cr_assert_not_null(c.provenances);
	note_context_clear(&c);
	cJSON_Delete(batch);
	cJSON_Delete(answer);
}

Test(clinical_note, the_screens_read_refuses_another_patients_note_and_names_no_one_twice)
{
	cJSON *answer = parse("{\"resourceType\":\"Bundle\",\"type\":\"batch-response\",\"entry\":["
	    OK_ENTRY(SET(PRACT("pr1", "Dr Ann") "," PRACT("pr2", "Dr Ann"))) ","
	    OK_ENTRY(SET(VISIT("e9", "p2"))) ","
	    OK_ENTRY(NOTE_DOC("n1", "p2")) ","
	    OK_ENTRY(SET()) "]}");
	cJSON *no_note = parse("{\"resourceType\":\"Bundle\",\"type\":\"batch-response\",\"entry\":["
	    OK_ENTRY(SET(PRACT("pr1", "Dr Ann") "," PRACT("pr2", "Dr Ann"))) ","
	    OK_ENTRY(SET(VISIT("e9", "p2"))) "]}");
	struct note_context c;
	char *cause = NULL;

	cr_assert_eq(note_context_read(answer, "p1", "Dr Ann", "n1", NULL, &c, &cause), -1);
	cr_assert_str_eq(cause, "the note is another patient's");
	cr_assert_null(c.author);
	free(cause);
	cause = NULL;
	/* Two Practitioners claim the certificate: neither writes; another's visit is not this one. */
	cr_assert_eq(note_context_read(no_note, "p1", "Dr Ann", NULL, NULL, &c, &cause), 0);
	cr_assert_null(c.author);
	cr_assert_null(c.visit);
	cr_assert_not(c.has_note);
	note_context_clear(&c);
	cr_assert_null(note_context_batch(fc, "p1", "Dr Ann", "../x"));
	cJSON_Delete(answer);
	cJSON_Delete(no_note);
}

/* --- what a write left on the server, read from its answer --------------------------------- */

/* Every string of J equal to FROM made TO, as a server resolves a transaction's urn:uuid. */
static void
resolve_refs(cJSON *j, const char *from, const char *to)
{
	cJSON *c;

	cJSON_ArrayForEach(c, j)
	{
		if (cJSON_IsString(c) && strcmp(c->valuestring, from) == 0)
			cJSON_SetValuestring(c, to);
		else if (cJSON_IsObject(c) || cJSON_IsArray(c))
			resolve_refs(c, from, to);
	}
}

/*
 * The transaction-response a server gives to TX: each step's resource as stored, a create
 * given the id IDS[i], every step the version VERSIONS[i], the creates' urn:uuid names
 * made references, with the entry's status, location and etag; WITH_RESOURCES false: as a
 * server that returns no body answers.
 */
static cJSON *
answer_of(const cJSON *tx, const char *const *ids, const char *const *versions,
    bool with_resources)
{
	cJSON *answer = parse("{\"resourceType\":\"Bundle\",\"type\":\"transaction-response\","
			      "\"entry\":[]}");
	cJSON *entries = cJSON_GetObjectItemCaseSensitive(answer, "entry"), *e;
	int n = cJSON_GetArraySize(at(tx, "entry"));

	for (int i = 0; i < n; i++) {
		const cJSON *step = cJSON_GetArrayItem(at(tx, "entry"), i);
		cJSON *r = cJSON_Duplicate(at(step, "resource"), true), *meta, *resp;
		const char *url = str(step, "request.url"), *slash = strchr(url, '/');
		const char *id = slash != NULL ? slash + 1 : ids[i];
		char *location = xasprintf("%s/%s/_history/%s", str(r, "resourceType"), id, versions[i]);
		char *etag = xasprintf("W/\"%s\"", versions[i]);

		if (cJSON_GetObjectItemCaseSensitive(r, "id") == NULL)
			cJSON_AddStringToObject(r, "id", id);
		if ((meta = cJSON_GetObjectItemCaseSensitive(r, "meta")) == NULL)
			meta = cJSON_AddObjectToObject(r, "meta");
		cJSON_DeleteItemFromObjectCaseSensitive(meta, "versionId");
		cJSON_AddStringToObject(meta, "versionId", versions[i]);
		e = cJSON_CreateObject();
		resp = cJSON_AddObjectToObject(e, "response");
		cJSON_AddStringToObject(resp, "status", slash ? "200 OK" : "201 Created");
		cJSON_AddStringToObject(resp, "location", location);
		cJSON_AddStringToObject(resp, "etag", etag);
		cJSON_AddItemToObject(e, "resource", r);
		cJSON_AddItemToArray(entries, e);
		free(location);
		free(etag);
	}
	for (int i = 0; i < n; i++) {
		const cJSON *step = cJSON_GetArrayItem(at(tx, "entry"), i);
		const cJSON *full = cJSON_GetObjectItemCaseSensitive(step, "fullUrl");
		char *ref;

		if (!cJSON_IsString(full))
			continue;
		ref = xasprintf("%s/%s", str(step, "resource.resourceType"), ids[i]);
		resolve_refs(answer, full->valuestring, ref);
		free(ref);
	}
	if (!with_resources)
		cJSON_ArrayForEach(e, entries)
			cJSON_DeleteItemFromObjectCaseSensitive(e, "resource");
	return answer;
}

/* The string at PATH of J set to VALUE, or the member taken out (VALUE NULL). */
static void
set_at(cJSON *j, const char *path, const char *value)
{
	const char *dot = strrchr(path, '.');
	char *up = xstrndup(path, (size_t)(dot - path));
	cJSON *parent = (cJSON *)at(j, up);

	cr_assert_not_null(parent, "no %s", up);
	if (value == NULL)
		cJSON_DeleteItemFromObjectCaseSensitive(parent, dot + 1);
	else
		cr_assert_not_null(cJSON_SetValuestring(cJSON_GetObjectItemCaseSensitive(parent, dot + 1),
				       value),
		    "no string at %s", path);
	free(up);
}

/* What the note screen holds of the draft n1 (version 2) and its text (Binary b1, version 3). */
static void
holding_draft(struct note_context *ctx, struct note_body *body)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->author = xstrdup("dr1");
	ctx->visit = xstrdup("e1");
	ctx->note = draft_view();
	ctx->has_note = true;
	*body = body_of(text, strlen(text));
}

Test(clinical_note, a_new_drafts_answer_is_the_note_and_its_text_as_stored)
{
	static const char *const ids[] = { "b7", "n7" }, *const versions[] = { "1", "1" };
	struct note_input in = input();
	char *cause = NULL, *id;
	struct fhir_plan *p = note_draft_plan(&in, &cause);
	cJSON *tx = transaction_of(p), *answer = answer_of(tx, ids, versions, true);
	struct note_context ctx = { .author = xstrdup("dr1"), .visit = xstrdup("e1") };
	struct note_body body = { 0 };
	bool has_body = false;

	cr_assert_eq(note_saved_read(answer, "p1", NULL, "req-1", "https://ehr.example/fhir", &ctx,
			 &body, &has_body, &cause),
	    0, "%s", cause ? cause : "");
	cr_assert(ctx.has_note && ctx.note.draft);
	cr_assert_str_eq(ctx.note.id, "n7");
	cr_assert_str_eq(ctx.note.version, "1", "the next save's If-Match");
	cr_assert_str_eq(ctx.note.binary, "Binary/b7");
	cr_assert_str_eq(ctx.note.author, "Practitioner/dr1");
	cr_assert_str_eq(ctx.author, "dr1", "who is logged in stays");
	cr_assert_str_eq(ctx.visit, "e1");
	cr_assert_null(ctx.provenances, "a new note has no signature");
	cr_assert(has_body);
	cr_assert_str_eq(body.ref, "Binary/b7");
	cr_assert_str_eq(body.version, "1");
	cr_assert_eq(body.len, strlen(text));
	cr_assert_eq(memcmp(body.bytes, text, body.len), 0);
	/* Without the resources only the locations name it: its id, to read it. */
	id = note_saved_id(answer);
	cr_assert_str_eq(id, "n7");
	free(id);
	note_body_clear(&body);
	note_context_clear(&ctx);
	cJSON_Delete(answer);
	cJSON_Delete(tx);
	fhir_plan_free(&p);
}

Test(clinical_note, a_corrections_answer_is_the_new_note_not_the_one_it_supersedes)
{
	static const char *const ids[] = { NULL, "b8", "n8" }, *const versions[] = { "5", "1", "1" };
	struct note_view target = signed_view("n1");
	struct note_input in = input();
	char *cause = NULL, *id;
	struct fhir_plan *p;
	cJSON *tx, *answer, *old = provenance("n1", "Practitioner/dr1", "x.y.z", "application/jose");
	struct note_context ctx = { .note = target, .has_note = true,
		.provenances = searchset_of(&old, 1) };
	struct note_body body = body_of(text, strlen(text));
	bool has_body = true;

	in.request_id = "req-3"; /* the note it corrects was saved under another */
	p = note_correction_plan(&target, &in, &cause);
	tx = transaction_of(p);
	answer = answer_of(tx, ids, versions, true);
	cr_assert_eq(note_saved_read(answer, "p1", NULL, "req-3", NULL, &ctx, &body, &has_body,
			 &cause),
	    0, "%s", cause ? cause : "");
	cr_assert_str_eq(ctx.note.id, "n8");
	cr_assert(ctx.note.draft);
	cr_assert_eq(ctx.note.nlinks, 1);
	cr_assert_eq(ctx.note.links[0].code, NOTE_REPLACES);
	cr_assert_str_eq(ctx.note.links[0].target, "n1");
	cr_assert_null(ctx.provenances, "the superseded note's signature is not the new one's");
	cr_assert_str_eq(body.ref, "Binary/b8");
	id = note_saved_id(answer);
	cr_assert_str_eq(id, "n8", "the last step is the new note");
	free(id);
	note_body_clear(&body);
	note_context_clear(&ctx);
	cJSON_Delete(answer);
	cJSON_Delete(tx);
	fhir_plan_free(&p);
}

Test(clinical_note, a_signings_answer_is_the_signed_note_its_text_and_its_signature_first)
{
	static const char *const ids[] = { NULL, NULL, "pv9" }, *const versions[] = { "3", "4", "1" };
	struct signer s = signer_new("Dr. Ada Ortiz");
	struct note_context ctx;
	struct note_body body;
	char *jws, *cause = NULL, *id;
	struct note_signing signing = { .signer = "dr1", .when = "2026-12-02T10:00:00Z",
		.request_id = "req-2" };
	struct fhir_plan *p;
	struct note_check check;
	cJSON *tx, *answer, *old;
	bool has_body = true;

	holding_draft(&ctx, &body);
	/* A signature someone else left that does not verify: the new one is checked first. */
	old = provenance("n1", "Practitioner/dr1", "x.y.z", "application/jose");
	ctx.provenances = searchset_of(&old, 1);
	jws = sign_as(&s, "DocumentReference/n1", body.bytes, body.len);
	signing.jws = jws;
	p = note_sign_plan(&ctx.note, &body, &signing, &cause);
	tx = transaction_of(p);
	answer = answer_of(tx, ids, versions, true);
	cr_assert_eq(note_saved_read(answer, "p1", "n1", NULL, NULL, &ctx, &body, &has_body, &cause),
	    0, "%s", cause ? cause : "");
	cr_assert_eq(ctx.note.doc_status, NOTE_DOC_FINAL);
	cr_assert_not(ctx.note.draft);
	cr_assert_str_eq(ctx.note.version, "3");
	cr_assert_str_eq(ctx.note.authenticator, "Practitioner/dr1");
	cr_assert_str_eq(body.version, "4", "the text as written back");
	cr_assert_eq(cJSON_GetArraySize(at(ctx.provenances, "entry")), 2);
	cr_assert_str_eq(str(ctx.provenances, "entry.0.resource.id"), "pv9");
	cr_assert_str_eq(str(ctx.provenances, "entry.1.resource.id"), "pv-n1");
	note_verify(&ctx.note, &body, ctx.provenances, NULL, &check);
	cr_assert_eq(check.state, NOTE_SIGNATURE_VERIFIED, "%s", check.why);
	cr_assert_str_eq(check.line, "signed by Dr. Ada Ortiz (verified)");
	note_check_clear(&check);
	id = note_saved_id(answer);
	cr_assert_null(id, "not a new note's answer: its last step is the Provenance");
	note_body_clear(&body);
	note_context_clear(&ctx);
	cJSON_Delete(answer);
	cJSON_Delete(tx);
	fhir_plan_free(&p);
	free(jws);
	signer_free(&s);
}

/* ANSWER refused: -1 with a reason, and CTX and BODY still the draft n1 at 2, its text at 3. */
static void
refused_answer(const cJSON *answer, const char *note_id, struct note_context *ctx,
    struct note_body *body)
{
	char *cause = NULL;
	bool has_body = true;

	cr_assert_eq(note_saved_read(answer, "p1", note_id, "req-1", NULL, ctx, body, &has_body,
			 &cause),
	    -1);
	cr_assert_not_null(cause);
	free(cause);
	cr_assert(has_body && ctx->has_note);
	cr_assert_str_eq(ctx->note.id, "n1");
	cr_assert_str_eq(ctx->note.version, "2");
	cr_assert_str_eq(body->version, "3");
	cr_assert_str_eq(ctx->author, "dr1");
}

Test(clinical_note, an_answer_that_does_not_say_it_all_is_refused_and_the_note_read_again)
{
	static const char *const ids[] = { NULL, NULL }, *const versions[] = { "3", "4" };
	static const char *const new_ids[] = { "b7", "n7" }, *const new_versions[] = { "1", "1" };
	struct note_context ctx;
	struct note_body body;
	char *cause = NULL, *id;
	struct note_input in = input();
	struct fhir_plan *p, *q;
	cJSON *tx, *answer, *created;

	/* The answer to a change of the draft's text, changed so: each is refused. */
	static const struct {
		const char *path, *value; /* PATH NULL: as given; VALUE NULL: taken out */
		const char *note_id;
	} bad[] = {
		{ "entry.0.resource.subject.reference", "Patient/p2", "n1" }, /* another patient's */
		{ NULL, NULL, "n2" },					     /* another note */
		{ "entry.1.resource.id", "b2", "n1" },			     /* text it does not name */
		{ "entry.0.resource.meta.versionId", NULL, "n1" },	     /* no version */
		{ "entry.1.response.etag", "W/\"9\"", "n1" },		     /* a version contradicted */
	};

	holding_draft(&ctx, &body);
	p = note_draft_update_plan(&ctx.note, &body, "changed", 7, &cause);
	tx = transaction_of(p);
	/* A server that returns no body: nothing is taken. */
	answer = answer_of(tx, ids, versions, false);
	refused_answer(answer, "n1", &ctx, &body);
	cJSON_Delete(answer);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		answer = answer_of(tx, ids, versions, true);
		if (bad[i].path != NULL)
			set_at(answer, bad[i].path, bad[i].value);
		refused_answer(answer, bad[i].note_id, &ctx, &body);
		cJSON_Delete(answer);
	}
	cJSON_Delete(tx);
	fhir_plan_free(&p);
	/* A new note whose answer has no body: not taken, but its id is in the locations. */
	q = note_draft_plan(&in, &cause);
	tx = transaction_of(q);
	created = answer_of(tx, new_ids, new_versions, false);
	refused_answer(created, NULL, &ctx, &body);
	id = note_saved_id(created);
	cr_assert_str_eq(id, "n7");
	free(id);
	cJSON_Delete(created);
	/* One that does not carry this save's request identifier is not this save's. */
	created = answer_of(tx, new_ids, new_versions, true);
	cr_assert_eq(note_saved_read(created, "p1", NULL, "req-other", NULL, &ctx, &body,
			 &(bool){ true }, &cause),
	    -1);
	cr_assert_str_eq(cause, "the answer does not hold the note");
	free(cause);
	cJSON_Delete(created);
	cJSON_Delete(tx);
	fhir_plan_free(&q);
	cr_assert_null(note_saved_id(NULL));
	note_body_clear(&body);
	note_context_clear(&ctx);
}

Test(clinical_note, an_answer_without_the_text_keeps_the_text_held_if_it_is_the_notes)
{
	static const char *const ids[] = { NULL }, *const versions[] = { "3" };
	struct note_context ctx;
	struct note_body body, other;
	char *cause = NULL;
	struct fhir_plan *p;
	cJSON *tx, *answer;
	bool has_body = true;

	holding_draft(&ctx, &body);
	p = note_entered_in_error_plan(&ctx.note, &cause);
	tx = transaction_of(p);
	answer = answer_of(tx, ids, versions, true);
	/* Entered in error writes the note alone: its text is the one held. */
	cr_assert_eq(note_saved_read(answer, "p1", "n1", NULL, NULL, &ctx, &body, &has_body, &cause),
	    0, "%s", cause ? cause : "");
	cr_assert_eq(ctx.note.status, NOTE_ENTERED_IN_ERROR);
	cr_assert_str_eq(ctx.note.version, "3");
	cr_assert_str_eq(body.version, "3");
	cr_assert(has_body);
	/* Holding no text, or another note's, the note is read. */
	note_body_clear(&body);
	has_body = false;
	cr_assert_eq(note_saved_read(answer, "p1", "n1", NULL, NULL, &ctx, &body, &has_body, &cause),
	    -1);
	free(cause);
	other = body_of("other", 5);
	free(other.ref);
	other.ref = xstrdup("Binary/b9");
	has_body = true;
	cr_assert_eq(note_saved_read(answer, "p1", "n1", NULL, NULL, &ctx, &other, &has_body, &cause),
	    -1);
	free(cause);
	note_body_clear(&other);
	cJSON_Delete(answer);
	cJSON_Delete(tx);
	fhir_plan_free(&p);
	note_context_clear(&ctx);
}

/* --- a note's details on the notes list ------------------------------------------------- */

Test(clinical_note, a_notes_details_say_what_once_and_when_in_local_time)
{
	cJSON *doc = parse("{\"resourceType\":\"DocumentReference\",\"id\":\"n1\","
			   "\"status\":\"current\",\"docStatus\":\"final\",\"subject\":{\"reference\":"
			   "\"Patient/p1\"},\"type\":{\"text\":\"Progress note\"},\"description\":"
			   "\"Encounter for check up (procedure) (signed)\",\"date\":"
			   "\"2020-08-04T18:22:33+00:00\",\"content\":[{\"attachment\":{\"contentType\":"
			   "\"text/plain\",\"data\":\"aGk=\"}}]}");
	struct chart_detail *d;
	size_t n, what = 0;
	char *cause = NULL, *tz = getenv("TZ") ? xstrdup(getenv("TZ")) : NULL;
	const char *date = NULL, *about = NULL;

	setenv("TZ", "EST5EDT,M3.2.0,M11.1.0", 1);
	tzset();
	cr_assert_eq(chart_details(doc, CHART_NOTES, "p1", "n1", &d, &n, &cause), 0, "%s", cause);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(d[i].label, "What") == 0) {
			what++;
			cr_assert_str_eq(d[i].value, "Progress note");
		}
		if (strcmp(d[i].label, "About") == 0)
			about = d[i].value;
		if (strcmp(d[i].label, "Date") == 0)
			date = d[i].value;
	}
	cr_assert_eq(what, 1);
	cr_assert_str_eq(about, "Encounter for check up (procedure) (signed)");
	/* 18:22 UTC is 14:22 in New York in August: shown as the chart's list shows a time. */
	cr_assert_str_eq(date, "2020-08-04 14:22");
	chart_details_free(d, n);
	cJSON_Delete(doc);
	if (tz != NULL)
		setenv("TZ", tz, 1);
	else
		unsetenv("TZ");
	free(tz);
	tzset();
}

Test(clinical_note, a_draft_says_whether_it_is_an_addendum_or_a_correction)
{
	static const struct {
		const char *relates, *words;
	} cases[] = {
		{ "", "a draft" },
		{ ",\"relatesTo\":[{\"code\":\"appends\",\"target\":{\"reference\":"
		  "\"DocumentReference/n0\"}}]", "a draft addendum" },
		{ ",\"relatesTo\":[{\"code\":\"replaces\",\"target\":{\"reference\":"
		  "\"DocumentReference/n0\"}}]", "a draft correction" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *json = xasprintf("{\"resourceType\":\"DocumentReference\",\"id\":\"n1\","
				       "\"status\":\"current\",\"docStatus\":\"preliminary\","
				       "\"subject\":{\"reference\":\"Patient/p1\"}%s}", cases[i].relates);
		cJSON *doc = parse(json);
		struct note_view v = view_of(doc);

		cr_assert_str_eq(note_draft_words(&v), cases[i].words, "case %zu", i);
		note_view_clear(&v);
		cJSON_Delete(doc);
		free(json);
	}
}
