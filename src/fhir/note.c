/* Charting, notes: a note and its text read, the plans that write and sign it, its signature checked. */
#include "config.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/chart.h"
#include "fhir/note.h"
#include "util/base64.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#define PARTICIPANT "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
#define DOC_COMPLETION "http://terminology.hl7.org/CodeSystem/v3-DocumentCompletion"
#define FORMAT_SYSTEM "http://ihe.net/fhir/ValueSet/IHE.FormatCode.codesystem"
/* How many of a resource's array entries are looked at, whatever the server sends. */
#define SCAN_MAX 20

// clang-format off
/* US Core's clinical note types that a clinician writes. */
const struct note_type note_types[] = {
	{ "11506-3", "Progress note" },
	{ "34117-2", "History and physical note" },
	{ "11488-4", "Consult note" },
	{ "28570-0", "Procedure note" },
	{ "18842-5", "Discharge summary" },
};
const size_t note_types_count = sizeof note_types / sizeof note_types[0];

static const struct {
	const char *code;
	enum note_status status;
} statuses[] = {
	{ "current", NOTE_CURRENT },
	{ "superseded", NOTE_SUPERSEDED },
	{ "entered-in-error", NOTE_ENTERED_IN_ERROR },
};

static const struct {
	const char *code;
	enum note_doc_status status;
} doc_statuses[] = {
	{ "preliminary", NOTE_DOC_PRELIMINARY },
	{ "final", NOTE_DOC_FINAL },
	{ "amended", NOTE_DOC_AMENDED },
	{ "entered-in-error", NOTE_DOC_ENTERED_IN_ERROR },
};

static const char *const relations[] = {
	[NOTE_APPENDS] = "appends",
	[NOTE_REPLACES] = "replaces",
	[NOTE_TRANSFORMS] = "transforms",
	[NOTE_SIGNS] = "signs",
};
// clang-format on

const struct note_type *
note_type_find(const char *code)
{
	for (size_t i = 0; code != NULL && i < note_types_count; i++)
		if (strcmp(note_types[i].code, code) == 0)
			return &note_types[i];
	return NULL;
}

static bool
blank(const char *s)
{
	return s == NULL || s[strspn(s, " \t\r\n")] == '\0';
}

static char *
dup_or_empty(const char *s)
{
	return xstrdup(s != NULL ? s : "");
}

/*
 * The id REFERENCE names when it is "TYPE/ID", or an absolute URL ending in "/TYPE/ID",
 * with a valid id; else NULL. Borrowed from REFERENCE.
 */
static const char *
ref_id(const char *reference, const char *type)
{
	const char *slash, *id;
	size_t t = strlen(type);

	if (reference == NULL || (slash = strrchr(reference, '/')) == NULL)
		return NULL;
	id = slash + 1;
	if (!fhir_valid_id(id) || (size_t)(slash - reference) < t ||
	    strncmp(slash - t, type, t) != 0 || (slash - t != reference && (slash - t)[-1] != '/'))
		return NULL;
	return id;
}

/* "TYPE/ID" for the reference at NAME of OBJ (the first one, when an array), or "". */
static char *
ref_of(const cJSON *obj, const char *name, const char *type)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(obj, name);
	const char *id;

	if (cJSON_IsArray(x))
		x = cJSON_GetArrayItem(x, 0);
	id = ref_id(fhir_get_string(x, "reference"), type);
	return id != NULL ? xasprintf("%s/%s", type, id) : xstrdup("");
}

static cJSON *
reference(const char *type, const char *id)
{
	cJSON *r = cJSON_CreateObject();
	char *to = xasprintf("%s/%s", type, id);

	cJSON_AddStringToObject(r, "reference", to);
	free(to);
	return r;
}

/* The code of CONCEPT in SYSTEM, or NULL. */
static const char *
code_in(const cJSON *concept, const char *system)
{
	const cJSON *c;
	int k = 0;

	cJSON_ArrayForEach(c, fhir_get_array(concept, "coding"))
	{
		const char *s = fhir_get_string(c, "system");

		if (k++ >= SCAN_MAX)
			break;
		if (s != NULL && strcmp(s, system) == 0)
			return fhir_get_string(c, "code");
	}
	return NULL;
}

/* --- reading -------------------------------------------------------------------------------- */

static void
read_links(const cJSON *doc, struct note_view *out)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, fhir_get_array(doc, "relatesTo"))
	{
		const char *code = fhir_get_string(r, "code");
		const char *target = ref_id(
		    fhir_get_string(fhir_get_object(r, "target"), "reference"), "DocumentReference");
		size_t k;

		for (k = 0; code != NULL && k < sizeof relations / sizeof relations[0]; k++)
			if (strcmp(code, relations[k]) == 0)
				break;
		if (code == NULL || k == sizeof relations / sizeof relations[0] || target == NULL)
			continue;
		if (out->nlinks == NOTE_LINKS_MAX) {
			out->more_links++;
			continue;
		}
		out->links[out->nlinks].code = (enum note_relation)k;
		out->links[out->nlinks++].target = xstrdup(target);
	}
}

int
note_view_read(const cJSON *doc, const char *base, struct note_view *out, char **cause)
{
	const char *type = fhir_get_string(doc, "resourceType");
	const char *status = fhir_get_string(doc, "status");
	const char *doc_status = fhir_get_string(doc, "docStatus");
	const char *version = fhir_version_of(doc);
	const cJSON *concept = fhir_get_object(doc, "type");
	const char *code, *words, *patient;
	char *why = NULL;

	memset(out, 0, sizeof *out);
	if (type == NULL || strcmp(type, "DocumentReference") != 0 || fhir_id_of(doc) == NULL) {
		*cause = xstrdup("the server answered with something else than a note");
		return -1;
	}
	out->resource = cJSON_Duplicate(doc, true);
	out->id = xstrdup(fhir_id_of(doc));
	out->version = fhir_valid_id(version) ? xstrdup(version) : NULL;
	out->status = NOTE_STATUS_UNKNOWN;
	for (size_t i = 0; status != NULL && i < sizeof statuses / sizeof statuses[0]; i++)
		if (strcmp(status, statuses[i].code) == 0)
			out->status = statuses[i].status;
	out->doc_status = doc_status != NULL ? NOTE_DOC_OTHER : NOTE_DOC_NONE;
	for (size_t i = 0; doc_status != NULL && i < sizeof doc_statuses / sizeof doc_statuses[0]; i++)
		if (strcmp(doc_status, doc_statuses[i].code) == 0)
			out->doc_status = doc_statuses[i].status;
	out->draft = out->status == NOTE_CURRENT && out->doc_status == NOTE_DOC_PRELIMINARY;
	code = code_in(concept, NOTE_LOINC);
	out->type_code = dup_or_empty(code != NULL ? code : fhir_first_code(concept));
	words = chart_concept_text(concept);
	out->type_text = dup_or_empty(words);
	out->date = dup_or_empty(fhir_get_string(doc, "date"));
	patient = ref_id(fhir_get_string(fhir_get_object(doc, "subject"), "reference"), "Patient");
	out->patient = dup_or_empty(patient);
	out->author = ref_of(doc, "author", "Practitioner");
	out->authenticator = ref_of(doc, "authenticator", "Practitioner");
	out->encounter = ref_of(fhir_get_object(doc, "context"), "encounter", "Encounter");
	out->binary = chart_note_binary(doc, base, &why);
	free(why);
	read_links(doc, out);
	return 0;
}

const char *
note_draft_words(const struct note_view *note)
{
	for (size_t i = 0; i < note->nlinks; i++)
		if (note->links[i].code == NOTE_APPENDS)
			return "a draft addendum";
	for (size_t i = 0; i < note->nlinks; i++)
		if (note->links[i].code == NOTE_REPLACES)
			return "a draft correction";
	return "a draft";
}

void
note_view_clear(struct note_view *v)
{
	cJSON_Delete(v->resource);
	free(v->id);
	free(v->version);
	free(v->type_code);
	free(v->type_text);
	free(v->date);
	free(v->patient);
	free(v->author);
	free(v->authenticator);
	free(v->encounter);
	free(v->binary);
	for (size_t i = 0; i < v->nlinks; i++)
		free(v->links[i].target);
	memset(v, 0, sizeof *v);
}

char *
note_sign_target(const struct note_view *note)
{
	return xasprintf("DocumentReference/%s", note->id);
}

struct fhir_search *
note_drafts_search(const char *patient)
{
	struct fhir_search *s = fhir_search_new("DocumentReference");
	char *subject = xasprintf("Patient/%s", patient);
	char count[16];

	fhir_search_add(s, "subject", subject);
	fhir_search_add(s, "_tag", NOTE_DRAFT_TAG "|draft");
	fhir_search_add(s, "status", "current");
	fhir_search_add(s, "_sort", "-date");
	snprintf(count, sizeof count, "%d", NOTE_LIST_MAX);
	fhir_search_add(s, "_count", count);
	free(subject);
	return s;
}

void
note_list_clear(struct note_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		note_view_clear(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof *l);
}

int
note_list_read(const cJSON *searchset, const char *patient, const char *base,
    struct note_list *out, char **cause)
{
	const cJSON *entry;

	memset(out, 0, sizeof *out);
	if (!cJSON_IsObject(searchset)) {
		*cause = xstrdup("the server's answer is not a list");
		return -1;
	}
	cJSON_ArrayForEach(entry, fhir_get_array(searchset, "entry"))
	{
		const cJSON *r = fhir_get_object(entry, "resource");
		const char *type = fhir_get_string(r, "resourceType");
		const char *doc_status = fhir_get_string(r, "docStatus");
		const char *status = fhir_get_string(r, "status");

		if (type == NULL || strcmp(type, "DocumentReference") != 0 || fhir_id_of(r) == NULL)
			continue; /* an OperationOutcome beside the matches */
		if (!fhir_refers_to(fhir_get_string(fhir_get_object(r, "subject"), "reference"),
			"Patient", patient)) {
			note_list_clear(out);
			*cause = xstrdup("the answer holds another patient's note; nothing of it is "
					 "used");
			return -1;
		}
		if (doc_status == NULL || strcmp(doc_status, "preliminary") != 0 || status == NULL ||
		    strcmp(status, "current") != 0)
			continue;
		if (out->n == NOTE_LIST_MAX) {
			out->more++;
			continue;
		}
		if (out->items == NULL)
			out->items = xcalloc(NOTE_LIST_MAX, sizeof *out->items);
		if (note_view_read(r, base, &out->items[out->n], cause) == 0)
			out->n++;
		else
			free(*cause);
	}
	*cause = NULL;
	return 0;
}

int
note_body_read(const cJSON *binary, const char *ref, struct note_body *out, char **cause)
{
	const char *type = fhir_get_string(binary, "resourceType");
	const char *id = fhir_id_of(binary);
	const char *data = fhir_get_string(binary, "data");
	const char *version = fhir_version_of(binary);
	size_t len = 0;
	bool cut = false;
	char *bytes;

	memset(out, 0, sizeof *out);
	if (type == NULL || strcmp(type, "Binary") != 0 || id == NULL || ref == NULL ||
	    strncmp(ref, "Binary/", 7) != 0 || strcmp(ref + 7, id) != 0) {
		*cause = xstrdup("the server answered with something else than the note's text");
		return -1;
	}
	bytes = base64_decode_loose(data != NULL ? data : "", NOTE_BODY_MAX, &len, &cut);
	if (bytes == NULL || cut) {
		free(bytes);
		*cause = xstrdup(bytes == NULL ? "the note's text is not base64"
					       : "the note's text is longer than ehrterm reads");
		return -1;
	}
	out->resource = cJSON_Duplicate(binary, true);
	out->ref = xstrdup(ref);
	out->version = fhir_valid_id(version) ? xstrdup(version) : NULL;
	out->content_type = dup_or_empty(fhir_get_string(binary, "contentType"));
	out->bytes = (unsigned char *)bytes;
	out->len = len;
	return 0;
}

/* DOC's attachment that holds its text: a text/plain one first, else the first with any. */
static const cJSON *
inline_attachment(const cJSON *doc, bool *plain)
{
	const cJSON *content, *first = NULL;
	int k = 0;

	*plain = false;
	cJSON_ArrayForEach(content, fhir_get_array(doc, "content"))
	{
		const cJSON *a = fhir_get_object(content, "attachment");
		const char *type = fhir_get_string(a, "contentType");
		bool has = fhir_get_string(a, "data") != NULL || fhir_get_string(a, "url") != NULL;

		if (k++ >= SCAN_MAX)
			break;
		if (has && type != NULL && strncmp(type, "text/plain", 10) == 0) {
			*plain = true;
			return a;
		}
		if (has && first == NULL)
			first = a;
	}
	return first;
}

int
note_body_inline(const cJSON *doc, struct note_body *out, char **cause)
{
	bool plain, cut = false;
	const cJSON *a = inline_attachment(doc, &plain);
	const char *data = fhir_get_string(a, "data");
	size_t len = 0;
	char *bytes;

	memset(out, 0, sizeof *out);
	*cause = NULL;
	if (a == NULL) {
		*cause = xstrdup("the note holds no text: its details on the notes list say what it is");
		return -1;
	}
	if (data == NULL) {
		*cause = xstrdup("the note's text is held on another server, which ehrterm does not "
				 "read: ask the clinic for it");
		return -1;
	}
	if (!plain) {
		*cause = xstrdup("the note is a document, not plain text: ehrterm shows only text");
		return -1;
	}
	bytes = base64_decode_loose(data, NOTE_BODY_MAX, &len, &cut);
	if (bytes == NULL || cut) {
		free(bytes);
		*cause = xstrdup(bytes == NULL ? "the note's text is not base64"
					       : "the note's text is longer than ehrterm reads");
		return -1;
	}
	out->content_type = dup_or_empty(fhir_get_string(a, "contentType"));
	out->bytes = (unsigned char *)bytes;
	out->len = len;
	return 0;
}

void
note_body_clear(struct note_body *b)
{
	cJSON_Delete(b->resource);
	free(b->ref);
	free(b->version);
	free(b->content_type);
	free(b->bytes);
	memset(b, 0, sizeof *b);
}

/* --- writing ------------------------------------------------------------------------------ */

/* Why TEXT cannot be a note's text, or NULL. */
static const char *
text_problem(const char *text, size_t len)
{
	uint32_t cp;

	if (text == NULL || len == 0)
		return "the note is empty";
	if (len > NOTE_BODY_MAX)
		return "the note is longer than a note may be";
	for (size_t i = 0, n; i < len; i += n)
		if ((n = utf8_decode(text + i, len - i, &cp)) == 0 || cp == 0)
			return "the note's text is not UTF-8 text";
	for (size_t i = 0; i < len; i++)
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n')
			return NULL;
	return "the note is empty";
}

/* Attachment.size and .hash (base64 of the SHA-1, as FHIR's Attachment says) of TEXT. */
static void
attachment_describe(cJSON *attachment, const void *text, size_t len)
{
	unsigned char sha1[20];
	unsigned int n = 0;
	char *hash;

	if (EVP_Digest(text, len, sha1, &n, EVP_sha1(), NULL) != 1 || n != sizeof sha1)
		abort(); /* SHA-1 of memory cannot fail but for a broken library */
	hash = base64_encode(sha1, sizeof sha1, BASE64_STD);
	fhir_set_item(attachment, "size", cJSON_CreateNumber((double)len));
	fhir_set_string(attachment, "hash", hash);
	free(hash);
}

static cJSON *
coding(const char *system, const char *code, const char *display)
{
	cJSON *c = cJSON_CreateObject();

	cJSON_AddStringToObject(c, "system", system);
	cJSON_AddStringToObject(c, "code", code);
	if (display != NULL)
		cJSON_AddStringToObject(c, "display", display);
	return c;
}

/* A meta.tag of RESOURCE, added. */
static void
tag_add(cJSON *resource, const char *system, const char *code, const char *display)
{
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(resource, "meta"), *tags;

	if (!cJSON_IsObject(meta)) {
		meta = cJSON_CreateObject();
		fhir_set_item(resource, "meta", meta);
	}
	tags = cJSON_GetObjectItemCaseSensitive(meta, "tag");
	if (!cJSON_IsArray(tags)) {
		tags = cJSON_CreateArray();
		fhir_set_item(meta, "tag", tags);
	}
	cJSON_AddItemToArray(tags, coding(system, code, display));
}

/* RESOURCE without its tags of SYSTEM. */
static void
tag_remove(cJSON *resource, const char *system)
{
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(resource, "meta");
	cJSON *tags = cJSON_GetObjectItemCaseSensitive(meta, "tag"), *t, *next;

	if (!cJSON_IsArray(tags))
		return;
	for (t = tags->child; t != NULL; t = next) {
		const char *s = fhir_get_string(t, "system");

		next = t->next;
		if (s != NULL && strcmp(s, system) == 0)
			cJSON_Delete(cJSON_DetachItemViaPointer(tags, t));
	}
	if (cJSON_GetArraySize(tags) == 0)
		cJSON_DeleteItemFromObjectCaseSensitive(meta, "tag");
}

/* The Binary of a new note's text, carrying REQUEST_ID as a tag (R4's Binary has no identifier). */
static cJSON *
binary_new(const struct note_input *in)
{
	cJSON *b = cJSON_CreateObject();
	char *data = base64_encode(in->text, in->len, BASE64_STD);

	cJSON_AddStringToObject(b, "resourceType", "Binary");
	tag_add(b, FHIR_REQUEST_SYSTEM, in->request_id, NULL);
	cJSON_AddStringToObject(b, "contentType", NOTE_CONTENT_TYPE);
	/* Who may read the text is who may read the patient's record. */
	cJSON_AddItemToObject(b, "securityContext", reference("Patient", in->patient));
	cJSON_AddStringToObject(b, "data", data);
	free(data);
	return b;
}

/* The DocumentReference of a new draft whose text is at TEXT_URL. */
static cJSON *
doc_new(const struct note_input *in, const struct note_type *type, const char *text_url)
{
	cJSON *d = cJSON_CreateObject(), *content, *attachment, *context, *category;

	cJSON_AddStringToObject(d, "resourceType", "DocumentReference");
	tag_add(d, NOTE_DRAFT_TAG, "draft", "Draft note");
	fhir_add_request_id(d, in->request_id);
	cJSON_AddStringToObject(d, "status", "current");
	cJSON_AddStringToObject(d, "docStatus", "preliminary");
	cJSON_AddItemToObject(d, "type", fhir_codeable(NOTE_LOINC, type->code, type->display));
	category = cJSON_AddArrayToObject(d, "category");
	cJSON_AddItemToArray(category,
	    fhir_codeable(NOTE_CATEGORY_SYSTEM, "clinical-note", "Clinical Note"));
	cJSON_AddItemToObject(d, "subject", reference("Patient", in->patient));
	cJSON_AddStringToObject(d, "date", in->date);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(d, "author"),
	    reference("Practitioner", in->author));
	attachment = cJSON_CreateObject();
	cJSON_AddStringToObject(attachment, "contentType", NOTE_CONTENT_TYPE);
	cJSON_AddStringToObject(attachment, "url", text_url);
	attachment_describe(attachment, in->text, in->len);
	cJSON_AddStringToObject(attachment, "title", !blank(in->title) ? in->title : type->display);
	content = cJSON_CreateObject();
	cJSON_AddItemToObject(content, "attachment", attachment);
	cJSON_AddItemToObject(content, "format",
	    coding(FORMAT_SYSTEM, "urn:ihe:iti:xds:2017:mimeTypeSufficient", "mimeType Sufficient"));
	cJSON_AddItemToArray(cJSON_AddArrayToObject(d, "content"), content);
	if (in->encounter != NULL) {
		context = cJSON_AddObjectToObject(d, "context");
		cJSON_AddItemToArray(cJSON_AddArrayToObject(context, "encounter"),
		    reference("Encounter", in->encounter));
	}
	return d;
}

/* Why IN cannot be a new note, or NULL; *TYPE its type. */
static const char *
input_problem(const struct note_input *in, const struct note_type **type)
{
	const char *why;

	if (!fhir_valid_id(in->patient) || !fhir_valid_id(in->author) || blank(in->request_id))
		return "the note lacks the patient, its author or a request identifier";
	if ((*type = note_type_find(in->type_code)) == NULL)
		return "choose the kind of note";
	if (blank(in->date))
		return "the note lacks the time it was written";
	if (in->encounter != NULL && !fhir_valid_id(in->encounter))
		return "the note's visit is not one the server named";
	if ((why = text_problem(in->text, in->len)) != NULL)
		return why;
	return NULL;
}

/* Add a new draft of IN to P, related to TARGET as CODE (TARGET NULL: none). 0 or -1. */
static int
plan_new_note(struct fhir_plan *p, const struct note_input *in, const struct note_type *type,
    const char *target, enum note_relation code)
{
	struct fhir_search *binary_guard = fhir_search_new("Binary"), *doc_guard;
	char *tag = xasprintf("%s|%s", FHIR_REQUEST_SYSTEM, in->request_id);
	cJSON *binary = binary_new(in), *doc = NULL;
	int step, rc = -1;

	fhir_search_add(binary_guard, "_tag", tag);
	doc_guard = fhir_request_search("DocumentReference", in->request_id);
	if ((step = fhir_plan_create(p, binary, binary_guard)) < 0)
		goto done;
	doc = doc_new(in, type, fhir_plan_full_url(p, step));
	if (target != NULL) {
		cJSON *rel = cJSON_CreateObject();

		cJSON_AddStringToObject(rel, "code", relations[code]);
		cJSON_AddItemToObject(rel, "target", reference("DocumentReference", target));
		cJSON_AddItemToArray(cJSON_AddArrayToObject(doc, "relatesTo"), rel);
	}
	if (fhir_plan_create(p, doc, doc_guard) < 0)
		goto done;
	rc = 0;
done:
	cJSON_Delete(binary);
	cJSON_Delete(doc);
	fhir_search_free(&binary_guard);
	fhir_search_free(&doc_guard);
	free(tag);
	return rc;
}

static struct fhir_plan *
refuse(char **cause, const char *why)
{
	*cause = xstrdup(why);
	return NULL;
}

struct fhir_plan *
note_draft_plan(const struct note_input *in, char **cause)
{
	const struct note_type *type;
	const char *why = input_problem(in, &type);
	struct fhir_plan *p;

	if (why != NULL)
		return refuse(cause, why);
	p = fhir_plan_new();
	if (plan_new_note(p, in, type, NULL, NOTE_APPENDS) != 0) {
		fhir_plan_free(&p);
		return refuse(cause, "the note could not be planned");
	}
	return p;
}

/* NOTE's first attachment whose url names BINARY ("Binary/ID"), or NULL. */
static cJSON *
text_attachment(cJSON *doc, const char *binary)
{
	cJSON *content;
	int k = 0;

	cJSON_ArrayForEach(content, cJSON_GetObjectItemCaseSensitive(doc, "content"))
	{
		cJSON *a = cJSON_GetObjectItemCaseSensitive(content, "attachment");
		const char *url = fhir_get_string(a, "url");
		size_t n, b = strlen(binary);

		if (k++ >= SCAN_MAX)
			break;
		/* Relative, or absolute under the base: chart_note_binary took either. */
		if (url != NULL && (n = strlen(url)) >= b && strcmp(url + n - b, binary) == 0 &&
		    (n == b || url[n - b - 1] == '/'))
			return a;
	}
	return NULL;
}

/* Why the draft NOTE and its text BODY cannot be changed, or NULL. */
static const char *
draft_problem(const struct note_view *note, const struct note_body *body)
{
	if (!note->draft)
		return "the note is signed or retired: it does not change (write an addendum or "
		       "a correction)";
	if (note->version == NULL || note->binary == NULL)
		return "the note cannot be changed safely: the server gave no version of it, or "
		       "its text is not in a Binary";
	if (body == NULL || body->ref == NULL || strcmp(body->ref, note->binary) != 0 ||
	    body->version == NULL)
		return "the note's text was not read with its version: read it again";
	if (text_attachment(note->resource, note->binary) == NULL)
		return "the note's text is not where the note says";
	return NULL;
}

struct fhir_plan *
note_draft_update_plan(const struct note_view *note, const struct note_body *body,
    const char *text, size_t len, char **cause)
{
	const char *why = draft_problem(note, body);
	struct fhir_plan *p;
	cJSON *doc, *binary;
	char *data;
	int a, b;

	if (why == NULL)
		why = text_problem(text, len);
	if (why != NULL)
		return refuse(cause, why);
	doc = cJSON_Duplicate(note->resource, true);
	attachment_describe(text_attachment(doc, note->binary), text, len);
	binary = cJSON_Duplicate(body->resource, true);
	data = base64_encode(text, len, BASE64_STD);
	fhir_set_string(binary, "data", data);
	fhir_set_string(binary, "contentType", NOTE_CONTENT_TYPE);
	free(data);
	p = fhir_plan_new();
	a = fhir_plan_update(p, doc, note->version, note->resource);
	b = fhir_plan_update(p, binary, body->version, body->resource);
	cJSON_Delete(doc);
	cJSON_Delete(binary);
	if (a < 0 || b < 0) {
		fhir_plan_free(&p);
		return refuse(cause, "the change could not be planned");
	}
	return p;
}

static cJSON *
agent(const char *role, const char *display, const char *who)
{
	cJSON *a = cJSON_CreateObject(), *type = cJSON_CreateObject();

	cJSON_AddItemToArray(cJSON_AddArrayToObject(type, "coding"), coding(PARTICIPANT, role, display));
	cJSON_AddItemToObject(a, "type", type);
	cJSON_AddItemToObject(a, "who", reference("Practitioner", who));
	return a;
}

static cJSON *
provenance_new(const struct note_view *note, const struct note_signing *s)
{
	cJSON *p = cJSON_CreateObject(), *agents, *sig;
	char *data = base64_encode(s->jws, strlen(s->jws), BASE64_STD);
	const char *author = note->author + strlen("Practitioner/");

	cJSON_AddStringToObject(p, "resourceType", "Provenance");
	tag_add(p, FHIR_REQUEST_SYSTEM, s->request_id, NULL);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(p, "target"),
	    reference("DocumentReference", note->id));
	cJSON_AddStringToObject(p, "recorded", s->when);
	cJSON_AddItemToObject(p, "activity", fhir_codeable(DOC_COMPLETION, "LA", "legally authenticated"));
	agents = cJSON_AddArrayToObject(p, "agent");
	cJSON_AddItemToArray(agents, agent("author", "Author", author));
	cJSON_AddItemToArray(agents, agent("attester", "Attester", s->signer));
	sig = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(sig, "type"),
	    coding(NOTE_SIG_TYPE_SYSTEM, NOTE_SIG_AUTHOR, "Author's Signature"));
	cJSON_AddStringToObject(sig, "when", s->when);
	cJSON_AddItemToObject(sig, "who", reference("Practitioner", s->signer));
	cJSON_AddStringToObject(sig, "sigFormat", NOTE_SIG_FORMAT);
	cJSON_AddStringToObject(sig, "data", data);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(p, "signature"), sig);
	free(data);
	return p;
}

/* Why S cannot sign NOTE's text BODY, or NULL. */
static const char *
signing_problem(const struct note_view *note, const struct note_body *body,
    const struct note_signing *s)
{
	struct jws_signer signer;
	const char *why;
	char *target;
	bool ok;

	if ((why = draft_problem(note, body)) != NULL)
		return why;
	if (!fhir_valid_id(s->signer) || blank(s->when) || blank(s->request_id) || s->jws == NULL)
		return "the signing lacks the signer, the time, a request identifier or the "
		       "signature";
	if (strncmp(note->author, "Practitioner/", 13) != 0 ||
	    strcmp(note->author + 13, s->signer) != 0)
		return "only the note's author signs it";
	/* What goes to the server must be what a reader will check. */
	target = note_sign_target(note);
	ok = jws_verify(s->jws, strlen(s->jws), body->bytes, body->len, NULL, &signer) ==
		 JWS_VERIFIED &&
	     strcmp(signer.target, target) == 0 && signer.cn[0] != '\0';
	free(target);
	return ok ? NULL : "the signature is not over this note's text: sign it again";
}

struct fhir_plan *
note_sign_plan(const struct note_view *note, const struct note_body *body,
    const struct note_signing *s, char **cause)
{
	struct fhir_plan *p = fhir_plan_new();

	/* One signing: the steps note_sign_steps adds (the wrap-up adds them to its own plan). */
	if (note_sign_steps(p, note, body, s, cause) < 0) {
		fhir_plan_free(&p);
		return NULL;
	}
	return p;
}

/* Why a new note cannot be added to TARGET, or NULL. */
static const char *
relation_problem(const struct note_view *target, const struct note_input *in,
    const struct note_type **type)
{
	const char *why = input_problem(in, type);

	if (why != NULL)
		return why;
	if (target->status != NOTE_CURRENT || target->doc_status != NOTE_DOC_FINAL)
		return "only a signed, current note takes an addendum or a correction";
	if (strcmp(target->patient, in->patient) != 0)
		return "the note is about another patient";
	return NULL;
}

struct fhir_plan *
note_addendum_plan(const struct note_view *target, const struct note_input *in, char **cause)
{
	const struct note_type *type;
	const char *why = relation_problem(target, in, &type);
	struct fhir_plan *p;

	if (why != NULL)
		return refuse(cause, why);
	p = fhir_plan_new();
	if (plan_new_note(p, in, type, target->id, NOTE_APPENDS) != 0) {
		fhir_plan_free(&p);
		return refuse(cause, "the addendum could not be planned");
	}
	return p;
}

struct fhir_plan *
note_correction_plan(const struct note_view *target, const struct note_input *in, char **cause)
{
	const struct note_type *type;
	const char *why = relation_problem(target, in, &type);
	struct fhir_plan *p;
	cJSON *old;
	int step;

	if (why != NULL)
		return refuse(cause, why);
	if (target->version == NULL)
		return refuse(cause, "the note cannot be corrected safely: the server gave no "
				     "version of it");
	p = fhir_plan_new();
	old = cJSON_Duplicate(target->resource, true);
	fhir_set_string(old, "status", "superseded");
	/* The old one first: a correction someone else made already loses here. */
	step = fhir_plan_update(p, old, target->version, target->resource);
	cJSON_Delete(old);
	if (step < 0 || plan_new_note(p, in, type, target->id, NOTE_REPLACES) != 0) {
		fhir_plan_free(&p);
		return refuse(cause, "the correction could not be planned");
	}
	return p;
}

struct fhir_plan *
note_entered_in_error_plan(const struct note_view *note, char **cause)
{
	struct fhir_plan *p;
	cJSON *changed;
	int step;

	if (note->status == NOTE_ENTERED_IN_ERROR)
		return refuse(cause, "the note is marked entered in error already");
	if (note->version == NULL)
		return refuse(cause, "the note cannot be changed safely: the server gave no "
				     "version of it");
	changed = cJSON_Duplicate(note->resource, true);
	fhir_set_string(changed, "status", "entered-in-error");
	tag_remove(changed, NOTE_DRAFT_TAG);
	p = fhir_plan_new();
	step = fhir_plan_update(p, changed, note->version, note->resource);
	cJSON_Delete(changed);
	if (step < 0) {
		fhir_plan_free(&p);
		return refuse(cause, "the change could not be planned");
	}
	return p;
}

/* --- the signature ---------------------------------------------------------------------- */

struct fhir_search *
note_provenance_search(const char *id)
{
	struct fhir_search *s = fhir_search_new("Provenance");
	char *target = xasprintf("DocumentReference/%s", id);
	char count[16];

	fhir_search_add(s, "target", target);
	snprintf(count, sizeof count, "%d", NOTE_PROVENANCE_MAX);
	fhir_search_add(s, "_count", count);
	free(target);
	return s;
}

bool
note_provenance_targets(const cJSON *provenance, const char *id)
{
	const cJSON *t;
	int k = 0;

	cJSON_ArrayForEach(t, fhir_get_array(provenance, "target"))
	{
		if (k++ >= SCAN_MAX)
			break;
		if (fhir_refers_to(fhir_get_string(t, "reference"), "DocumentReference", id))
			return true;
	}
	return false;
}

static bool
is_author_signature(const cJSON *sig)
{
	const cJSON *c;
	const char *format = fhir_get_string(sig, "sigFormat");
	int k = 0;

	if (format == NULL || strcmp(format, NOTE_SIG_FORMAT) != 0)
		return false;
	cJSON_ArrayForEach(c, fhir_get_array(sig, "type"))
	{
		const char *system = fhir_get_string(c, "system"), *code = fhir_get_string(c, "code");

		if (k++ >= SCAN_MAX)
			break;
		if (system != NULL && code != NULL && strcmp(system, NOTE_SIG_TYPE_SYSTEM) == 0 &&
		    strcmp(code, NOTE_SIG_AUTHOR) == 0)
			return true;
	}
	return false;
}

/* PROVENANCE's author signatures of NOTE, checked until one verifies or *TRIES runs out. */
static void
check_provenance(const struct note_view *note, const struct note_body *body,
    const cJSON *provenance, const struct jws_trust *trust, const char *target, int *tries,
    struct note_check *out)
{
	const char *type = fhir_get_string(provenance, "resourceType");
	const cJSON *sig;
	int k = 0;

	if (type == NULL || strcmp(type, "Provenance") != 0 ||
	    !note_provenance_targets(provenance, note->id))
		return;
	cJSON_ArrayForEach(sig, fhir_get_array(provenance, "signature"))
	{
		const char *data = fhir_get_string(sig, "data"), *why = NULL;
		const char *who = fhir_get_string(fhir_get_object(sig, "who"), "reference");
		struct jws_signer signer;
		size_t jws_len = 0;
		bool cut = false;
		char *jws;

		if (k++ >= SCAN_MAX || *tries == 0)
			break;
		if (!is_author_signature(sig))
			continue;
		(*tries)--;
		jws = data != NULL ? base64_decode_loose(data, JWS_MAX, &jws_len, &cut) : NULL;
		if (jws == NULL || cut)
			why = "the signature is not readable";
		else if (note->authenticator[0] != '\0' &&
			 (ref_id(who, "Practitioner") == NULL ||
			     strcmp(ref_id(who, "Practitioner"), note->authenticator + 13) != 0))
			why = "the signature is not by the note's authenticator";
		else if (body == NULL || (note->binary != NULL ? body->ref == NULL ||
			     strcmp(body->ref, note->binary) != 0 : body->ref != NULL))
			why = "the note's text was not read";
		else if (jws_verify(jws, jws_len, body->bytes, body->len, trust, &signer) !=
			 JWS_VERIFIED)
			why = signer.why;
		else if (strcmp(signer.target, target) != 0)
			why = "the signature is of another note";
		free(jws);
		if (why == NULL) {
			out->state = NOTE_SIGNATURE_VERIFIED;
			out->why = NULL;
			memcpy(out->signer, signer.cn, sizeof out->signer);
			return;
		}
		/* The first failure is the one said: later ones are often its copies. */
		out->state = NOTE_SIGNATURE_BAD;
		if (out->why == NULL)
			out->why = why;
	}
}

void
note_verify(const struct note_view *note, const struct note_body *body,
    const cJSON *provenances, const struct jws_trust *trust, struct note_check *out)
{
	const char *type = fhir_get_string(provenances, "resourceType");
	char *target = note_sign_target(note);
	int tries = NOTE_SIGNATURES_TRIED, k = 0;
	const cJSON *e;

	memset(out, 0, sizeof *out);
	out->state = NOTE_NOT_SIGNED;
	if (type != NULL && strcmp(type, "Bundle") == 0) {
		cJSON_ArrayForEach(e, fhir_get_array(provenances, "entry"))
		{
			if (k++ >= NOTE_PROVENANCE_MAX || out->state == NOTE_SIGNATURE_VERIFIED)
				break;
			check_provenance(note, body, fhir_get_object(e, "resource"), trust, target,
			    &tries, out);
		}
	} else {
		check_provenance(note, body, provenances, trust, target, &tries, out);
	}
	free(target);
	switch (out->state) {
	case NOTE_SIGNATURE_VERIFIED:
		out->line = xasprintf("signed by %s (verified)", out->signer);
		break;
	case NOTE_SIGNATURE_BAD:
		out->line = xstrdup("signature does not verify");
		break;
	default:
		out->line = xstrdup("not signed");
		break;
	}
}

void
note_check_clear(struct note_check *c)
{
	free(c->line);
	memset(c, 0, sizeof *c);
}

/* --- what the note screen reads in one round trip ------------------------------------ */

enum { C_ME, C_VISIT, C_NOTE, C_PROVENANCE, C_COUNT };
/* Practitioners and visits looked at, whatever the server sends. */
#define CONTEXT_SCAN 10

cJSON *
note_context_batch(const struct fhir_client *fc, const char *patient, const char *user,
    const char *note_id)
{
	cJSON *entries, *batch;
	struct fhir_search *s;
	char *v;

	if (!fhir_valid_id(patient) || (note_id != NULL && !fhir_valid_id(note_id)))
		return NULL;
	batch = fhir_batch_new(&entries);
	s = fhir_search_new("Practitioner");
	v = xasprintf("%s|%s", NOTE_CERT_CN, user != NULL ? user : "");
	fhir_search_add(s, "identifier", v);
	fhir_search_add(s, "_count", "2");
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	free(v);
	/* The visit the patient is at now, as the medications form finds it. */
	s = fhir_search_new("Encounter");
	fhir_search_add(s, "patient", patient);
	fhir_search_add(s, "status", "in-progress,arrived,triaged,onleave");
	fhir_search_add(s, "_sort", "-date");
	fhir_search_add(s, "_count", "1");
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	if (note_id != NULL) {
		fhir_batch_add_read(entries, "DocumentReference", note_id);
		s = note_provenance_search(note_id);
		fhir_batch_add_search(entries, fc, s);
		fhir_search_free(&s);
	}
	return batch;
}

/* The searchset of batch entry I, or NULL when it failed or is not one. */
static const cJSON *
context_set(const cJSON *entries, int i)
{
	const cJSON *entry = cJSON_GetArrayItem(entries, i);
	const cJSON *r = fhir_get_object(entry, "resource");
	const char *t = fhir_get_string(r, "resourceType");

	return fhir_entry_ok(entry) && t != NULL && strcmp(t, "Bundle") == 0 ? r : NULL;
}

/* The one Practitioner carrying USER in NOTE_CERT_CN; two claiming it name neither. */
static char *
context_author(const cJSON *set, const char *user)
{
	const cJSON *entry, *ident;
	const char *found = NULL;
	size_t seen = 0;

	if (set == NULL || blank(user))
		return NULL;
	cJSON_ArrayForEach(entry, fhir_get_array(set, "entry"))
	{
		const cJSON *r = fhir_get_object(entry, "resource");
		const char *t = fhir_get_string(r, "resourceType");
		size_t k = 0;
		bool mine = false;

		if (seen++ >= CONTEXT_SCAN)
			break;
		if (t == NULL || strcmp(t, "Practitioner") != 0 || fhir_id_of(r) == NULL)
			continue;
		cJSON_ArrayForEach(ident, fhir_get_array(r, "identifier"))
		{
			const char *sys = fhir_get_string(ident, "system");
			const char *val = fhir_get_string(ident, "value");

			if (k++ >= SCAN_MAX)
				break;
			if (sys != NULL && val != NULL && strcmp(sys, NOTE_CERT_CN) == 0 &&
			    strcmp(val, user) == 0)
				mine = true;
		}
		if (!mine)
			continue;
		if (found != NULL)
			return NULL;
		found = fhir_id_of(r);
	}
	return found != NULL ? xstrdup(found) : NULL;
}

/* The first open Encounter of PATIENT in SET. */
static char *
context_visit(const cJSON *set, const char *patient)
{
	const cJSON *entry;
	size_t seen = 0;

	cJSON_ArrayForEach(entry, fhir_get_array(set, "entry"))
	{
		const cJSON *r = fhir_get_object(entry, "resource");
		const char *t = fhir_get_string(r, "resourceType");
		const cJSON *subject = fhir_get_object(r, "subject");

		if (seen++ >= CONTEXT_SCAN)
			break;
		if (t != NULL && strcmp(t, "Encounter") == 0 && fhir_id_of(r) != NULL &&
		    fhir_refers_to(fhir_get_string(subject, "reference"), "Patient", patient))
			return xstrdup(fhir_id_of(r));
	}
	return NULL;
}

int
note_context_read(const cJSON *response, const char *patient, const char *user,
    const char *note_id, const char *base, struct note_context *out, char **cause)
{
	const cJSON *entries = fhir_get_array(response, "entry");
	const char *rt = fhir_get_string(response, "resourceType");
	const cJSON *set, *entry;

	memset(out, 0, sizeof *out);
	*cause = NULL;
	if (rt == NULL || strcmp(rt, "Bundle") != 0 ||
	    cJSON_GetArraySize(entries) != (note_id != NULL ? C_COUNT : C_NOTE)) {
		*cause = xstrdup("the server's answer is not what was asked for");
		return -1;
	}
	out->author = context_author(context_set(entries, C_ME), user);
	if ((set = context_set(entries, C_VISIT)) != NULL)
		out->visit = context_visit(set, patient);
	if (note_id == NULL)
		return 0;
	entry = cJSON_GetArrayItem(entries, C_NOTE);
	if (!fhir_entry_ok(entry)) {
		*cause = fhir_entry_failure(entry, "the note");
		goto fail;
	}
	if (note_view_read(fhir_get_object(entry, "resource"), base, &out->note, cause) != 0)
		goto fail;
	out->has_note = true;
	if (strcmp(out->note.id, note_id) != 0 || strcmp(out->note.patient, patient) != 0) {
		*cause = xstrdup(strcmp(out->note.id, note_id) != 0
			? "the server answered with another note"
			: "the note is another patient's");
		goto fail;
	}
	/* Without them the note shows as not signed, which is what can be said. */
	if ((set = context_set(entries, C_PROVENANCE)) != NULL)
		out->provenances = cJSON_Duplicate(set, true);
	return 0;
fail:
	note_context_clear(out);
	return -1;
}

void
note_context_clear(struct note_context *c)
{
	free(c->author);
	free(c->visit);
	if (c->has_note)
		note_view_clear(&c->note);
	cJSON_Delete(c->provenances);
	memset(c, 0, sizeof *c);
}

/* --- for the visit wrap-up: signing as steps of a larger plan ------------------------------ */

int
note_sign_steps(struct fhir_plan *p, const struct note_view *note, const struct note_body *body,
    const struct note_signing *s, char **cause)
{
	const char *why = signing_problem(note, body, s);
	struct fhir_search *guard;
	cJSON *doc, *prov;
	char *tag;
	int a, b, c;

	if (why != NULL) {
		*cause = xstrdup(why);
		return -1;
	}
	if (fhir_plan_room(p) < 3) {
		*cause = xstrdup("the signing does not fit in the write beside the rest");
		return -1;
	}
	doc = cJSON_Duplicate(note->resource, true);
	fhir_set_string(doc, "docStatus", "final");
	tag_remove(doc, NOTE_DRAFT_TAG);
	fhir_set_item(doc, "authenticator", reference("Practitioner", s->signer));
	attachment_describe(text_attachment(doc, note->binary), body->bytes, body->len);
	prov = provenance_new(note, s);
	guard = fhir_search_new("Provenance");
	tag = xasprintf("%s|%s", FHIR_REQUEST_SYSTEM, s->request_id);
	fhir_search_add(guard, "_tag", tag);
	/* The note first: in steps, the write most likely to lose a race goes first. */
	a = fhir_plan_update(p, doc, note->version, note->resource);
	b = fhir_plan_update(p, body->resource, body->version, body->resource);
	c = fhir_plan_create(p, prov, guard);
	cJSON_Delete(doc);
	cJSON_Delete(prov);
	fhir_search_free(&guard);
	free(tag);
	if (a < 0 || b < 0 || c < 0) {
		*cause = xstrdup("the signing could not be planned");
		return -1;
	}
	return 0;
}

char *
note_practitioner_of(const cJSON *set, const char *user)
{
	return context_author(set, user);
}

/* --- what a write left on the server, from its answer -------------------------------- */

static int
saved_refuse(char **cause, const char *why)
{
	*cause = xstrdup(why);
	return -1;
}

/*
 * The Provenances of a note after a write: FRESH (the N the write made), first, so that
 * the signature just made is the first checked, then those of KEPT (a searchset, or
 * NULL), at most NOTE_PROVENANCE_MAX in all. NULL when there are none.
 */
static cJSON *
saved_provenances(const cJSON *const *fresh, size_t n, const cJSON *kept)
{
	cJSON *set, *entries;
	const cJSON *e;
	size_t count = 0;

	if (n == 0 && kept == NULL)
		return NULL;
	set = cJSON_CreateObject();
	cJSON_AddStringToObject(set, "resourceType", "Bundle");
	cJSON_AddStringToObject(set, "type", "searchset");
	entries = cJSON_AddArrayToObject(set, "entry");
	for (size_t i = 0; i < n && count < NOTE_PROVENANCE_MAX; i++, count++) {
		cJSON *entry = cJSON_CreateObject();

		cJSON_AddItemToObject(entry, "resource", cJSON_Duplicate(fresh[i], true));
		cJSON_AddItemToArray(entries, entry);
	}
	cJSON_ArrayForEach(e, fhir_get_array(kept, "entry"))
	{
		if (count++ >= NOTE_PROVENANCE_MAX)
			break;
		cJSON_AddItemToArray(entries, cJSON_Duplicate(e, true));
	}
	return set;
}

int
note_saved_read(const cJSON *response, const char *patient, const char *note_id,
    const char *request_id, const char *base, struct note_context *ctx,
    struct note_body *body, bool *has_body, char **cause)
{
	const cJSON *entries = fhir_get_array(response, "entry"), *e;
	const cJSON *doc = NULL, *doc_entry = NULL, *binary = NULL, *binary_entry = NULL;
	const cJSON *provenances[FHIR_PLAN_MAX];
	struct note_view view;
	struct note_body text;
	size_t nprov = 0;
	int n = 0;

	*cause = NULL;
	if (note_id == NULL && blank(request_id))
		return saved_refuse(cause, "the new note cannot be told apart in the answer");
	cJSON_ArrayForEach(e, entries)
	{
		const cJSON *r = fhir_get_object(e, "resource");
		const char *type = fhir_get_string(r, "resourceType"), *id = fhir_id_of(r);

		if (++n > FHIR_PLAN_MAX)
			return saved_refuse(cause, "the answer holds more than the note's write");
		/* A server that answers without the resources: what they are is read. */
		if (!fhir_entry_ok(e) || type == NULL || id == NULL)
			return saved_refuse(cause, "the answer does not hold what the server saved");
		if (strcmp(type, "DocumentReference") == 0) {
			/* A correction's answer holds the note it supersedes too. */
			if (note_id != NULL ? strcmp(id, note_id) != 0
					    : !fhir_carries_request(r, request_id))
				continue;
			if (doc != NULL)
				return saved_refuse(cause, "the answer holds the note twice");
			doc = r;
			doc_entry = e;
		} else if (strcmp(type, "Binary") == 0) {
			if (binary != NULL)
				return saved_refuse(cause, "the answer holds two texts");
			binary = r;
			binary_entry = e;
		} else if (strcmp(type, "Provenance") == 0) {
			provenances[nprov++] = r;
		} else {
			return saved_refuse(cause, "the answer holds something else than the note");
		}
	}
	if (doc == NULL)
		return saved_refuse(cause, "the answer does not hold the note");
	if (note_view_read(doc, base, &view, cause) != 0)
		return -1;
	if (strcmp(view.patient, patient) != 0 || view.version == NULL ||
	    !fhir_entry_at(doc_entry, view.version) || view.binary == NULL) {
		note_view_clear(&view);
		return saved_refuse(cause, "the note in the answer is another patient's, has no "
					   "version, or no text on this server");
	}
	for (size_t i = 0; i < nprov; i++)
		if (!note_provenance_targets(provenances[i], view.id)) {
			note_view_clear(&view);
			return saved_refuse(cause, "the answer holds a signature of another note");
		}
	memset(&text, 0, sizeof text);
	if (binary != NULL) {
		if (note_body_read(binary, view.binary, &text, cause) != 0) {
			note_view_clear(&view);
			return -1;
		}
		if (text.version == NULL || !fhir_entry_at(binary_entry, text.version)) {
			note_body_clear(&text);
			note_view_clear(&view);
			return saved_refuse(cause, "the answer gives no version of the note's text");
		}
	} else if (!*has_body || body->ref == NULL || strcmp(body->ref, view.binary) != 0) {
		note_view_clear(&view);
		return saved_refuse(cause, "the answer does not hold the note's text");
	}
	/* Nothing refused: the answer is what the server holds now. */
	{
		cJSON *set = saved_provenances(provenances, nprov,
		    note_id != NULL && ctx->has_note && strcmp(ctx->note.id, note_id) == 0
			? ctx->provenances
			: NULL);

		cJSON_Delete(ctx->provenances);
		ctx->provenances = set;
	}
	if (ctx->has_note)
		note_view_clear(&ctx->note);
	ctx->note = view;
	ctx->has_note = true;
	if (binary != NULL) {
		if (*has_body)
			note_body_clear(body);
		*body = text;
		*has_body = true;
	}
	return 0;
}

char *
note_saved_id(const cJSON *response)
{
	int n = cJSON_GetArraySize(fhir_get_array(response, "entry"));
	char ref[256], version[64];

	if (n < 1 || n > FHIR_PLAN_MAX ||
	    fhir_plan_result(response, (size_t)n - 1, ref, sizeof ref, version, sizeof version) != 0 ||
	    strncmp(ref, "DocumentReference/", 18) != 0 || !fhir_valid_id(ref + 18))
		return NULL;
	return xstrdup(ref + 18);
}
