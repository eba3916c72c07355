/* FHIR R4 client layer: builds requests, parses responses into cJSON under limits. */
#ifndef EHRTERM_FHIR_FHIR_H
#define EHRTERM_FHIR_FHIR_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/http.h"

/* JSON deeper than this is refused before cJSON sees it: FHIR resources are shallow. */
#define FHIR_JSON_DEPTH_MAX 64

enum fhir_status {
	FHIR_OK,	    /* 200/201: resource holds the answer */
	FHIR_NOT_MODIFIED,  /* 304 to a conditional read */
	FHIR_CONFLICT,	    /* 412 (If-Match failed) or 409: someone changed it first */
	FHIR_NOT_FOUND,	    /* 404 or 410 */
	FHIR_REFUSED,	    /* 400, 422 and other 4xx: the server said why in message */
	FHIR_DENIED,	    /* 401, 403 */
	FHIR_SERVER_ERROR,  /* 5xx */
	FHIR_BAD_RESPONSE,  /* the body is not the FHIR JSON it should be */
	FHIR_TRANSPORT,	    /* no usable HTTP response; see http_error */
	FHIR_CANCELLED,	    /* the user cancelled it: for a write, whether it was applied is unknown */
};

struct fhir_result {
	enum fhir_status status;
	enum http_error http_error; /* the class when status is FHIR_TRANSPORT */
	long http_status;
	cJSON *resource;   /* owned by the result; a callback may take it and set NULL */
	char *message;	   /* a sentence when status != FHIR_OK, else NULL */
	char *version_id;  /* from ETag W/"n", NULL when absent */
	char *location;	   /* from Location, NULL when absent */
	struct http_stats stats;
	double seconds;
};

typedef void (*fhir_done_fn)(struct fhir_result *result, void *arg);

struct fhir_client;

/* BASE_URL is the server's FHIR base, https only. HTTP is borrowed. */
struct fhir_client *fhir_client_new(struct http_client *http, const char *base_url, char **cause);
void fhir_client_free(struct fhir_client **fc);
const char *fhir_client_base(const struct fhir_client *fc);
struct http_client *fhir_client_http(const struct fhir_client *fc);

/* A search: type plus parameters, every name and value percent-encoded when built. */
struct fhir_search;
struct fhir_search *fhir_search_new(const char *type);
void fhir_search_add(struct fhir_search *s, const char *name, const char *value);
struct fhir_search *fhir_search_copy(const struct fhir_search *s);
void fhir_search_free(struct fhir_search **s);
const char *fhir_search_type(const struct fhir_search *s);
/* The encoded query alone ("identifier=sys%7C1"), for If-None-Exist; the caller frees it. */
char *fhir_search_query(const struct fhir_client *fc, const struct fhir_search *s);
/* The URL the search will GET; the caller frees it. NULL when the type is not a FHIR name. */
char *fhir_search_url(const struct fhir_client *fc, const struct fhir_search *s);
/* The same relative to the base ("Patient?name=x"), for a batch entry; the caller frees it. */
char *fhir_search_relative(const struct fhir_client *fc, const struct fhir_search *s);

/* A new batch Bundle (the caller frees it); *ENTRIES is its entry array, borrowed. */
cJSON *fhir_batch_new(cJSON **entries);
/* Add a GET of TYPE/ID (both checked by the caller with fhir_valid_*) to ENTRIES. */
void fhir_batch_add_read(cJSON *entries, const char *type, const char *id);
/* Add a GET of search S to a batch Bundle's ENTRIES, its URL encoded here like any search. */
void fhir_batch_add_search(cJSON *entries, const struct fhir_client *fc,
    const struct fhir_search *s);

/*
 * Requests. Each returns the HTTP request id (for http_cancel), or 0 when the
 * request could not be built, in which case DONE has already been called.
 */
/*
 * While YIELDING, the requests submitted give way to the others (http_request.yields):
 * the app's work behind the screens, so that the user's own reads go first.
 */
void fhir_client_yielding(struct fhir_client *fc, bool yielding);
/*
 * The CapabilityStatement, as little of it as the server will give: the elements
 * fhir_caps_parse reads (FHIR_CAPS_ELEMENTS), else the whole one. The id is the first
 * request's. It always yields: a read that does not need it goes first.
 */
uint64_t fhir_metadata(struct fhir_client *fc, fhir_done_fn done, void *arg);
/* IF_NONE_MATCH: a version id for a conditional read, or NULL. */
uint64_t fhir_read(struct fhir_client *fc, const char *type, const char *id,
    const char *if_none_match, fhir_done_fn done, void *arg);
uint64_t fhir_search(struct fhir_client *fc, const struct fhir_search *s, fhir_done_fn done,
    void *arg);
/* Follow a Bundle's next link; refused unless it stays under the base URL. */
uint64_t fhir_get_page(struct fhir_client *fc, const char *url, fhir_done_fn done, void *arg);
/* IF_NONE_EXIST: a search query ("identifier=sys|123") that finds an existing copy, or NULL. */
uint64_t fhir_create(struct fhir_client *fc, const cJSON *resource, const struct fhir_search *if_none_exist,
    fhir_done_fn done, void *arg);
/* IF_MATCH: the version id the edit started from; required. */
uint64_t fhir_update(struct fhir_client *fc, const cJSON *resource, const char *if_match,
    fhir_done_fn done, void *arg);
/* IF_MATCH: the version it must find; required. */
uint64_t fhir_delete(struct fhir_client *fc, const char *type, const char *id, const char *if_match,
    fhir_done_fn done, void *arg);
/* A transaction or batch Bundle, POSTed to the base. */
uint64_t fhir_bundle(struct fhir_client *fc, const cJSON *bundle, fhir_done_fn done, void *arg);

/*
 * A batch of GETs (fhir_bundle_reads_only) sent as one GET per entry, all submitted at
 * once: on HTTP/2 libcurl multiplexes them on one connection, on HTTP/1.1 it queues them.
 * For a server that takes no batch (its CapabilityStatement lists none). DONE gets what
 * fhir_bundle would: a batch-response Bundle, one entry per entry in order, each with
 * response.status ("200 OK", "304 Not Modified", "404 Not Found"), response.etag and the
 * resource (an OperationOutcome as response.outcome); an entry's request.ifNoneMatch is
 * sent as If-None-Match. A GET with no usable answer (transport, cancelled, not FHIR,
 * 401) makes the whole answer that failure, as a batch POST's would. An entry CAPS (the
 * server's CapabilityStatement, or NULL) says the server does not offer is not sent: it is
 * answered "404 Not Found" with an OperationOutcome saying so. *HTTP_ID is kept at
 * a GET still in flight, so cancelling it cancels them all. Returns the first id, or 0
 * when DONE has already been called.
 */
struct fhir_caps;
uint64_t fhir_batch_as_reads(struct fhir_client *fc, const cJSON *bundle,
    const struct fhir_caps *caps, fhir_done_fn done, void *arg, uint64_t *http_id);

/*
 * fhir_batch_as_reads's answer, one GET at a time: whether R (a GET's result) is no usable
 * answer, which makes the whole batch's; else ENTRY, a batch-response entry, gets R's
 * response.status, etag and resource (taken from R), or its OperationOutcome as the outcome.
 */
bool fhir_batch_get_whole(const struct fhir_result *r);
void fhir_batch_get_entry(cJSON *entry, struct fhir_result *r);

/* True for a batch whose every entry is a GET: a read, which may be sent again. */
bool fhir_bundle_reads_only(const cJSON *bundle);

/* The Bundle's total, or -1 when it has none (or not a number). */
long fhir_bundle_total(const cJSON *bundle);

/* The Bundle's link with this relation ("next", "self"), borrowed, or NULL. */
const char *fhir_bundle_link(const cJSON *bundle, const char *relation);

/* True when URL is under BASE (same origin, path prefix at a segment boundary). */
bool fhir_url_under_base(const char *base, const char *url);

/*
 * Parse BODY as a FHIR resource: depth-limited, must be an object with a string
 * resourceType. NULL with *cause set otherwise.
 */
cJSON *fhir_parse(const char *body, size_t len, char **cause);

/* An OperationOutcome as one sentence (the caller frees it), or NULL if it is not one. */
char *fhir_outcome_sentence(const cJSON *resource);

/* --- shared helpers for the modules in src/fhir --------------------------------------- */

/*
 * The identifier system of the request identifier a create carries, so that a
 * retried create finds the first copy through If-None-Exist.
 */
#define FHIR_REQUEST_SYSTEM "urn:ehrterm:request"
/* Add the request identifier REQUEST_ID to RESOURCE's identifiers. */
void fhir_add_request_id(cJSON *resource, const char *request_id);
/* True when RESOURCE carries the request identifier REQUEST_ID. */
bool fhir_carries_request(const cJSON *resource, const char *request_id);
/* The search of TYPE that finds the resource carrying REQUEST_ID; the caller frees it. */
struct fhir_search *fhir_request_search(const char *type, const char *request_id);

/* Set NAME of OBJ to ITEM (taken), replacing what was there. */
void fhir_set_item(cJSON *obj, const char *name, cJSON *item);
/* Set the string NAME of OBJ to VALUE; a NULL VALUE removes it. */
void fhir_set_string(cJSON *obj, const char *name, const char *value);
/* A CodeableConcept of one coding (DISPLAY may be NULL); the caller frees it. */
cJSON *fhir_codeable(const char *system, const char *code, const char *display);
/* Whether CONCEPT has a coding with CODE, whatever its system; its first code, or NULL. */
bool fhir_has_code(const cJSON *concept, const char *code);
const char *fhir_first_code(const cJSON *concept);
/* The code of CONCEPT's first coding in SYSTEM, or NULL. */
const char *fhir_code_in(const cJSON *concept, const char *system);

/* RESOURCE's meta.versionId, borrowed, or NULL. */
const char *fhir_version_of(const cJSON *resource);
/* W/"3" -> "3" (the caller frees it); NULL when ETAG is not a quoted version. */
char *fhir_etag_version(const char *etag);
/*
 * The version of a transaction- or batch-response ENTRY: its response.etag, else
 * its resource's meta.versionId. The caller frees it; NULL when neither is there.
 */
char *fhir_entry_version(const cJSON *entry);
/* Whether ENTRY's version (as fhir_entry_version finds it) is VERSION. */
bool fhir_entry_at(const cJSON *entry, const char *version);
/* True when a batch-response ENTRY answered 2xx. */
bool fhir_entry_ok(const cJSON *entry);
/* Why a batch-response ENTRY failed, as a sentence naming WHAT; the caller frees it. */
char *fhir_entry_failure(const cJSON *entry, const char *what);

/* True when REFERENCE is "TYPE/ID" or an absolute URL ending in "/TYPE/ID". */
bool fhir_refers_to(const char *reference, const char *type, const char *id);

/* Typed, NULL-safe access: wrong types read as absent. */
const char *fhir_get_string(const cJSON *obj, const char *name);
const cJSON *fhir_get_array(const cJSON *obj, const char *name);
const cJSON *fhir_get_object(const cJSON *obj, const char *name);

/* The id of RESOURCE when it is a valid FHIR id, else NULL. */
const char *fhir_id_of(const cJSON *resource);
/*
 * The entry resources of BUNDLE of type TYPE with a valid id, copied into a new array, at
 * most MAX of them (a server may ignore _count: what a screen then joins stays bounded);
 * *CUT (may be NULL) is set when some were left out.
 */
cJSON *fhir_bundle_take(const cJSON *bundle, const char *type, size_t max, bool *cut);
/* A new array of copies of the N RESOURCES: what a screen holds on to after its answer is gone. */
cJSON *fhir_array_of(const cJSON *const *resources, size_t n);

/* True when S is a valid FHIR resource type name or id. */
bool fhir_valid_type(const char *s);
bool fhir_valid_id(const char *s);

void fhir_result_clear(struct fhir_result *r);

/*
 * The non-empty strings of ARRAY joined with SEP, at most MAX of them: linear in the
 * array whatever the server sends, and " (+N more)" said when some are left out
 * (100,000 given names must neither freeze the screen nor pass unnoticed). The caller
 * frees it; "" for no strings.
 */
char *fhir_join(const cJSON *array, const char *sep, size_t max);

#endif
