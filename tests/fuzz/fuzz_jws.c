/* Fuzz target: a note's signature (a JWS, a Provenance) and the readers of a note and its text. */
#include "config.h"

#include <stdlib.h>

#include "fhir/note.h"
#include "fuzz.h"
#include "sign/jws.h"

/* The signed note every Provenance is checked against: n1, signed by dr1, its text Binary/b1. */
#define NOTE                                                                                     \
	"{\"resourceType\":\"DocumentReference\",\"id\":\"n1\",\"meta\":{\"versionId\":\"2\"},"  \
	"\"status\":\"current\",\"docStatus\":\"final\",\"subject\":{\"reference\":"             \
	"\"Patient/p1\"},\"author\":[{\"reference\":\"Practitioner/dr1\"}],\"authenticator\":"   \
	"{\"reference\":\"Practitioner/dr1\"},\"content\":[{\"attachment\":{\"contentType\":"     \
	"\"text/plain; charset=utf-8\",\"url\":\"Binary/b1\"}}]}"

static struct note_view signed_note;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	cJSON *doc = cJSON_Parse(NOTE);
	char *cause = NULL;
	int rc;

	(void)argc;
	(void)argv;
	rc = note_view_read(doc, NULL, &signed_note, &cause);
	cJSON_Delete(doc);
	return rc;
}

/* sign/jws.h: OUT is always filled, its strings bounded; a reason exactly when not verified. */
static enum jws_result
check_verify(const char *jws, size_t jws_len, const void *text, size_t len)
{
	struct jws_signer who;
	enum jws_result r = jws_verify(jws, jws_len, text, len, NULL, &who);

	FUZZ_CHECK(r == JWS_VERIFIED || r == JWS_DOES_NOT_VERIFY || r == JWS_MALFORMED);
	FUZZ_CHECK((r == JWS_VERIFIED) == (who.why == NULL));
	FUZZ_CHECK(memchr(who.cn, '\0', sizeof who.cn) != NULL);
	FUZZ_CHECK(memchr(who.target, '\0', sizeof who.target) != NULL);
	FUZZ_CHECK(memchr(who.alg, '\0', sizeof who.alg) != NULL);
	FUZZ_CHECK(who.alg[0] == '\0' || strcmp(who.alg, "ES256") == 0 ||
		   strcmp(who.alg, "RS256") == 0);
	FUZZ_CHECK(r != JWS_VERIFIED || who.alg[0] != '\0');
	return r;
}

/* A JWS, a newline, the text it claims to sign. */
static void
jws(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t jws_len = nl != NULL ? (size_t)(nl - data) : size;
	const uint8_t *text = nl != NULL ? nl + 1 : data + size;
	size_t len = size - jws_len - (nl != NULL);
	enum jws_result r = check_verify((const char *)data, jws_len, text, len);

	/* The same answer every time, and a verified signature covers every byte of the text. */
	FUZZ_CHECK(check_verify((const char *)data, jws_len, text, len) == r);
	if (r == JWS_VERIFIED) {
		uint8_t *changed = xmalloc(len + 1);

		memcpy(changed, text, len);
		changed[len] = 'x';
		FUZZ_CHECK(check_verify((const char *)data, jws_len, changed, len + 1) != JWS_VERIFIED);
		if (len > 0) {
			changed[len / 2] ^= 1;
			FUZZ_CHECK(check_verify((const char *)data, jws_len, changed, len) != JWS_VERIFIED);
		}
		free(changed);
	}
}

/* A Provenance or a searchset of them, a NUL, the text of note n1: the line a reader sees. */
static void
provenance(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t json_len = nul != NULL ? (size_t)(nul - data) : size;
	char ref[] = "Binary/b1";
	struct note_body body = { .ref = ref };
	struct note_check c;
	char *cause = NULL, *want;
	cJSON *j = fhir_parse((const char *)data, json_len, &cause);

	free(cause);
	body.bytes = (unsigned char *)(nul != NULL ? nul + 1 : data + size);
	body.len = size - json_len - (nul != NULL);
	note_verify(&signed_note, &body, j, NULL, &c);
	FUZZ_CHECK(c.line != NULL);
	FUZZ_CHECK(memchr(c.signer, '\0', sizeof c.signer) != NULL);
	switch (c.state) {
	case NOTE_SIGNATURE_VERIFIED:
		FUZZ_CHECK(c.why == NULL && c.signer[0] != '\0');
		want = xasprintf("signed by %s (verified)", c.signer);
		FUZZ_CHECK(strcmp(c.line, want) == 0);
		free(want);
		break;
	case NOTE_SIGNATURE_BAD:
		FUZZ_CHECK(c.why != NULL && c.signer[0] == '\0');
		FUZZ_CHECK(strcmp(c.line, "signature does not verify") == 0);
		break;
	default:
		FUZZ_CHECK(c.state == NOTE_NOT_SIGNED && c.why == NULL && c.signer[0] == '\0');
		FUZZ_CHECK(strcmp(c.line, "not signed") == 0);
		break;
	}
	note_check_clear(&c);
	cJSON_Delete(j);
}

/* "TYPE/ID" with a valid id, or "". */
static bool
ref_or_empty(const char *s, const char *type)
{
	size_t t = strlen(type);

	return s != NULL && (*s == '\0' || (strncmp(s, type, t) == 0 && s[t] == '/' &&
					       fhir_valid_id(s + t + 1)));
}

/* A DocumentReference: its view, and what the plans make of it. */
static void
document(const uint8_t *data, size_t size)
{
	static const char text[] = "New text.\n";
	struct note_input in = { .patient = "p1", .author = "dr1", .type_code = "11506-3",
		.date = "2026-12-02T09:30:00Z", .text = text, .len = sizeof text - 1,
		.request_id = "req-1" };
	struct note_signing s = { .signer = "dr1", .when = "2026-12-02T10:00:00Z",
		.jws = "e30..AAAA", .request_id = "req-2" };
	char ref[] = "Binary/b1", version[] = "1";
	unsigned char x[] = "x";
	struct note_body body = { .ref = ref, .version = version, .bytes = x, .len = 1 };
	char *cause = NULL;
	struct note_view v;
	struct fhir_plan *p;
	cJSON *j = fhir_parse((const char *)data, size, &cause);

	free(cause);
	cause = NULL;
	if (note_view_read(j, "https://fhir.example.org/r4", &v, &cause) != 0) {
		FUZZ_CHECK(cause != NULL);
		free(cause);
		cJSON_Delete(j);
		return;
	}
	FUZZ_CHECK(fhir_valid_id(v.id));
	FUZZ_CHECK(v.version == NULL || fhir_valid_id(v.version));
	FUZZ_CHECK(v.type_code && v.type_text && v.date && v.patient);
	FUZZ_CHECK(v.patient[0] == '\0' || fhir_valid_id(v.patient));
	FUZZ_CHECK(ref_or_empty(v.author, "Practitioner"));
	FUZZ_CHECK(ref_or_empty(v.authenticator, "Practitioner"));
	FUZZ_CHECK(ref_or_empty(v.encounter, "Encounter"));
	FUZZ_CHECK(v.binary == NULL || (ref_or_empty(v.binary, "Binary") && v.binary[0] != '\0'));
	FUZZ_CHECK(v.nlinks <= NOTE_LINKS_MAX);
	for (size_t i = 0; i < v.nlinks; i++)
		FUZZ_CHECK(fhir_valid_id(v.links[i].target) && v.links[i].code <= NOTE_SIGNS);
	FUZZ_CHECK(!v.draft || (v.status == NOTE_CURRENT && v.doc_status == NOTE_DOC_PRELIMINARY));

	/* A signature that does not verify is never planned, whatever the note. */
	body.resource = cJSON_Parse("{\"resourceType\":\"Binary\",\"id\":\"b1\",\"data\":\"eA==\"}");
	FUZZ_CHECK(note_sign_plan(&v, &body, &s, &cause) == NULL && cause != NULL);
	free(cause);
	cause = NULL;
	/* A signed note's text never changes; a draft's does, If-Match both versions. */
	p = note_draft_update_plan(&v, &body, text, sizeof text - 1, &cause);
	FUZZ_CHECK(p == NULL || (v.draft && v.version != NULL && fhir_plan_steps(p) == 2));
	FUZZ_CHECK((p == NULL) == (cause != NULL));
	fhir_plan_free(&p);
	free(cause);
	cause = NULL;
	/* An addendum only to a signed, current note of the same patient. */
	p = note_addendum_plan(&v, &in, &cause);
	FUZZ_CHECK(p == NULL || (v.status == NOTE_CURRENT && v.doc_status == NOTE_DOC_FINAL &&
				    strcmp(v.patient, "p1") == 0 && fhir_plan_steps(p) == 2));
	fhir_plan_free(&p);
	free(cause);
	cause = NULL;
	p = note_correction_plan(&v, &in, &cause);
	FUZZ_CHECK(p == NULL || (v.version != NULL && fhir_plan_steps(p) == 3));
	fhir_plan_free(&p);
	free(cause);
	cause = NULL;
	p = note_entered_in_error_plan(&v, &cause);
	FUZZ_CHECK(p == NULL || (v.version != NULL && fhir_plan_steps(p) == 1));
	fhir_plan_free(&p);
	free(cause);
	cJSON_Delete(body.resource);
	note_view_clear(&v);
	cJSON_Delete(j);
}

/* A Binary read as note n1's text. */
static void
binary(const uint8_t *data, size_t size)
{
	struct note_body b;
	char *cause = NULL;
	cJSON *j = fhir_parse((const char *)data, size, &cause);

	free(cause);
	cause = NULL;
	if (note_body_read(j, "Binary/b1", &b, &cause) == 0) {
		FUZZ_CHECK(b.len <= NOTE_BODY_MAX && b.bytes != NULL && b.bytes[b.len] == '\0');
		FUZZ_CHECK(strcmp(b.ref, "Binary/b1") == 0 && b.content_type != NULL);
		note_body_clear(&b);
	} else {
		FUZZ_CHECK(cause != NULL);
		free(cause);
	}
	cJSON_Delete(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0:
		jws(data + 1, size - 1);
		break;
	case 1:
		provenance(data + 1, size - 1);
		break;
	case 2:
		document(data + 1, size - 1);
		break;
	default:
		binary(data + 1, size - 1);
		break;
	}
	return 0;
}
