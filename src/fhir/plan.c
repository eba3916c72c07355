/* A plan: writes that must happen together, as one transaction or in order with undo. */
#include "config.h"

#include "fhir/plan.h"
#include "fhir/capability.h"
#include "util/uuid.h"
#include "util/xmalloc.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct plan_step {
	cJSON *resource;
	char *if_match;	     /* update: the version it must find */
	struct fhir_search *if_none_exist; /* create: the search that finds it once made */
	char full_url[sizeof "urn:uuid:" + UUID_BUF_SIZE]; /* create: what later steps refer to it by */
	cJSON *undo;	     /* update: what to write back, or NULL */
	/* Filled as the steps run. */
	char *done_ref;	    /* "Type/id" */
	char *done_version; /* what the step left */
	cJSON *done_resource; /* the server's copy after the step, or NULL */
};

struct fhir_plan {
	struct plan_step steps[FHIR_PLAN_STEPS_MAX];
	size_t n, max;
	/* While running in steps. */
	struct fhir_client *fc;
	fhir_done_fn done;
	void *arg;
	size_t at;		/* the step running */
	size_t undoing;		/* steps left to undo, counting down */
	struct fhir_result failed; /* the step that failed, kept while undoing */
	char *undo_failed;	/* what could not be undone, or NULL */
	uint64_t *request_id;	/* the caller's: kept at the step in flight */
	uint64_t request_id_unused;
	bool update_create; /* the server makes every create's type by update (fhir_plan_allow) */
};

/*
 * The most entries Medplum lets a transaction with a conditional entry have: it runs
 * those in serialisable isolation, and bounds them.
 */
#define CONDITIONAL_TRANSACTION_MAX 8

struct fhir_plan *
fhir_plan_new(void)
{
	return fhir_plan_new_max(FHIR_PLAN_MAX);
}

struct fhir_plan *
fhir_plan_new_max(size_t max)
{
	struct fhir_plan *p = xcalloc(1, sizeof(struct fhir_plan));

	p->max = max < FHIR_PLAN_STEPS_MAX ? max : FHIR_PLAN_STEPS_MAX;
	return p;
}

void
fhir_plan_free(struct fhir_plan **pp)
{
	struct fhir_plan *p = *pp;

	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n; i++) {
		cJSON_Delete(p->steps[i].resource);
		cJSON_Delete(p->steps[i].undo);
		free(p->steps[i].if_match);
		fhir_search_free(&p->steps[i].if_none_exist);
		free(p->steps[i].done_ref);
		free(p->steps[i].done_version);
		cJSON_Delete(p->steps[i].done_resource);
	}
	fhir_result_clear(&p->failed);
	free(p->undo_failed);
	free(p);
	*pp = NULL;
}

size_t
fhir_plan_steps(const struct fhir_plan *p)
{
	return p->n;
}

size_t
fhir_plan_room(const struct fhir_plan *p)
{
	return p->max - p->n;
}

int
fhir_plan_update(struct fhir_plan *p, const cJSON *resource, const char *if_match,
    const cJSON *undo)
{
	struct plan_step *s;

	if (p->n == p->max || !fhir_valid_type(fhir_get_string(resource, "resourceType")) ||
	    !fhir_valid_id(fhir_get_string(resource, "id")) || !fhir_valid_id(if_match))
		return -1;
	s = &p->steps[p->n];
	s->resource = cJSON_Duplicate(resource, true);
	s->if_match = xstrdup(if_match);
	s->undo = undo != NULL ? cJSON_Duplicate(undo, true) : NULL;
	return (int)p->n++;
}

/*
 * The urn:uuid of create I making RESOURCE: a name-based UUID (RFC 4122 version 5) of
 * both, so that a plan made again, for a retry, is sent as the same Bundle.
 */
static void
step_full_url(char *out, size_t size, size_t i, const cJSON *resource)
{
	/* ehrterm's namespace for the names of plan steps. */
	static const unsigned char ns[16] = { 0x6b, 0x1f, 0x3c, 0x52, 0x8e, 0x0d, 0x4f, 0x7a,
		0x9c, 0x21, 0x5d, 0xe4, 0x33, 0x80, 0xa7, 0x19 };
	char *json = cJSON_PrintUnformatted(resource), *name;
	unsigned char h[EVP_MAX_MD_SIZE], *buf;
	unsigned int n = 0;
	size_t len;

	if (json == NULL)
		abort(); /* cJSON's allocation failed: as xmalloc does */
	name = xasprintf("%zu:%s", i, json);
	cJSON_free(json);
	len = strlen(name);
	buf = xmalloc(sizeof ns + len);
	memcpy(buf, ns, sizeof ns);
	memcpy(buf + sizeof ns, name, len);
	if (EVP_Digest(buf, sizeof ns + len, h, &n, EVP_sha1(), NULL) != 1 || n < 16)
		abort(); /* SHA-1 of memory fails only in a broken library */
	free(buf);
	free(name);
	h[6] = (unsigned char)((h[6] & 0x0f) | 0x50);
	h[8] = (unsigned char)((h[8] & 0x3f) | 0x80);
	snprintf(out, size,
	    "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", h[0],
	    h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12], h[13], h[14],
	    h[15]);
}

int
fhir_plan_create(struct fhir_plan *p, const cJSON *resource, const struct fhir_search *if_none_exist)
{
	struct plan_step *s;

	if (p->n == p->max || !fhir_valid_type(fhir_get_string(resource, "resourceType")) ||
	    if_none_exist == NULL ||
	    strcmp(fhir_search_type(if_none_exist), fhir_get_string(resource, "resourceType")) != 0)
		return -1;
	s = &p->steps[p->n];
	s->resource = cJSON_Duplicate(resource, true);
	s->if_none_exist = fhir_search_copy(if_none_exist);
	step_full_url(s->full_url, sizeof s->full_url, p->n, resource);
	return (int)p->n++;
}

const char *
fhir_plan_full_url(const struct fhir_plan *p, int step)
{
	if (step < 0 || (size_t)step >= p->n || p->steps[step].if_none_exist == NULL)
		return NULL;
	return p->steps[step].full_url;
}

/* How each create of a transaction is kept from being written twice. */
enum create_guard {
	BY_CONDITION, /* If-None-Exist: its request identifier finds it once made */
	/*
	 * The transaction holds an update with If-Match, which fails a retry of a
	 * transaction that went through (its version has moved on), and a transaction is
	 * all or nothing: its creates are then written at most once without If-None-Exist.
	 * Leaving it off matters, as servers run conditional writes in serialisable
	 * isolation and bound how many entries such a transaction may have
	 * (CONDITIONAL_TRANSACTION_MAX), which a visit's wrap-up exceeds. The creates keep
	 * their request identifier, which settles a lost answer all the same.
	 */
	BY_UPDATE_GUARD,
	/*
	 * No update to guard them and too many entries for a conditional transaction (a
	 * child's nine vital signs): each create is an update of the id its urn:uuid names
	 * (PUT Type/uuid), on a server that creates by update. A retry writes the same
	 * resources again rather than new ones.
	 */
	BY_CLIENT_ID,
};

static void
add_entry(cJSON *entries, const struct plan_step *s, const struct fhir_client *fc,
    enum create_guard guard)
{
	cJSON *e = cJSON_CreateObject(), *req;
	const char *type = fhir_get_string(s->resource, "resourceType");

	req = cJSON_CreateObject();
	if (s->if_none_exist != NULL && guard == BY_CLIENT_ID) {
		const char *uuid = s->full_url + strlen("urn:uuid:");
		cJSON *r = cJSON_Duplicate(s->resource, true);
		char *url = xasprintf("%s/%s", type, uuid);

		cJSON_DeleteItemFromObjectCaseSensitive(r, "id");
		cJSON_AddStringToObject(r, "id", uuid);
		cJSON_AddStringToObject(e, "fullUrl", s->full_url);
		cJSON_AddItemToObject(e, "resource", r);
		cJSON_AddStringToObject(req, "method", "PUT");
		cJSON_AddStringToObject(req, "url", url);
		free(url);
	} else if (s->if_none_exist != NULL) {
		cJSON_AddStringToObject(e, "fullUrl", s->full_url);
		cJSON_AddItemToObject(e, "resource", cJSON_Duplicate(s->resource, true));
		cJSON_AddStringToObject(req, "method", "POST");
		cJSON_AddStringToObject(req, "url", type);
		if (guard == BY_CONDITION) {
			char *query = fhir_search_query(fc, s->if_none_exist);

			cJSON_AddStringToObject(req, "ifNoneExist", query);
			free(query);
		}
	} else {
		char *url = xasprintf("%s/%s", type, fhir_get_string(s->resource, "id"));
		char *etag = xasprintf("W/\"%s\"", s->if_match);

		cJSON_AddItemToObject(e, "resource", cJSON_Duplicate(s->resource, true));
		cJSON_AddStringToObject(req, "method", "PUT");
		cJSON_AddStringToObject(req, "url", url);
		cJSON_AddStringToObject(req, "ifMatch", etag);
		free(etag);
		free(url);
	}
	cJSON_AddItemToObject(e, "request", req);
	cJSON_AddItemToArray(entries, e);
}

void
fhir_plan_allow(struct fhir_plan *p, const struct fhir_caps *caps)
{
	p->update_create = caps != NULL;
	for (size_t i = 0; i < p->n && p->update_create; i++)
		if (p->steps[i].if_none_exist != NULL)
			p->update_create = fhir_caps_update_create(caps,
			    fhir_get_string(p->steps[i].resource, "resourceType"));
}

cJSON *
fhir_plan_transaction(const struct fhir_plan *p, const struct fhir_client *fc)
{
	cJSON *bundle = cJSON_CreateObject(), *entries;
	enum create_guard guard = BY_CONDITION;

	cJSON_AddStringToObject(bundle, "resourceType", "Bundle");
	cJSON_AddStringToObject(bundle, "type", "transaction");
	for (size_t i = 0; i < p->n; i++)
		if (p->steps[i].if_match != NULL)
			guard = BY_UPDATE_GUARD;
	if (guard == BY_CONDITION && p->n > CONDITIONAL_TRANSACTION_MAX && p->update_create)
		guard = BY_CLIENT_ID;
	entries = cJSON_AddArrayToObject(bundle, "entry");
	for (size_t i = 0; i < p->n; i++)
		add_entry(entries, &p->steps[i], fc, guard);
	return bundle;
}

/* --- running ---------------------------------------------------------------- */

static void
finish(struct fhir_plan *p, struct fhir_result *r)
{
	fhir_done_fn done = p->done;
	void *arg = p->arg;

	done(r, arg);
	fhir_plan_free(&p);
}

/* A transaction-response of what the steps did, so both ways answer alike. */
static cJSON *
steps_response(const struct fhir_plan *p)
{
	cJSON *bundle = cJSON_CreateObject(), *entries;

	cJSON_AddStringToObject(bundle, "resourceType", "Bundle");
	cJSON_AddStringToObject(bundle, "type", "transaction-response");
	entries = cJSON_AddArrayToObject(bundle, "entry");
	for (size_t i = 0; i < p->n; i++) {
		cJSON *e = cJSON_CreateObject(), *resp = cJSON_AddObjectToObject(e, "response");
		char *loc = xasprintf("%s/_history/%s", p->steps[i].done_ref, p->steps[i].done_version);
		char *etag = xasprintf("W/\"%s\"", p->steps[i].done_version);

		cJSON_AddStringToObject(resp, "status", "200");
		cJSON_AddStringToObject(resp, "location", loc);
		cJSON_AddStringToObject(resp, "etag", etag);
		if (p->steps[i].done_resource != NULL)
			cJSON_AddItemToObject(e, "resource", cJSON_Duplicate(p->steps[i].done_resource, true));
		cJSON_AddItemToArray(entries, e);
		free(loc);
		free(etag);
	}
	return bundle;
}

static uint64_t run_step(struct fhir_plan *p);
static void undo_next(struct fhir_plan *p);

/* "Type/id" and the version a step's answer names: from the resource, else Location. */
static int
step_outcome(const struct plan_step *s, const struct fhir_result *r, char **ref, char **version)
{
	const char *type = fhir_get_string(s->resource, "resourceType");
	const char *id = fhir_get_string(r->resource, "id");

	*ref = NULL;
	*version = r->version_id != NULL ? xstrdup(r->version_id) : NULL;
	if (id == NULL && r->location != NULL) {
		/* .../Type/id/_history/n */
		char *copy = xstrdup(r->location), *hist = strstr(copy, "/_history/"), *slash;

		if (hist != NULL)
			*hist = '\0';
		slash = strrchr(copy, '/');
		if (slash != NULL && fhir_valid_id(slash + 1))
			*ref = xasprintf("%s/%s", type, slash + 1);
		free(copy);
	} else if (fhir_valid_id(id)) {
		*ref = xasprintf("%s/%s", type, id);
	} else if (s->if_none_exist == NULL) {
		*ref = xasprintf("%s/%s", type, fhir_get_string(s->resource, "id"));
	}
	if (*ref == NULL || *version == NULL || !fhir_valid_id(*version)) {
		free(*ref);
		free(*version);
		return -1;
	}
	return 0;
}

static void
on_step(struct fhir_result *r, void *arg)
{
	struct fhir_plan *p = arg;
	struct plan_step *s = &p->steps[p->at];

	if (r->status == FHIR_OK && step_outcome(s, r, &s->done_ref, &s->done_version) == 0) {
		s->done_resource = r->resource;
		r->resource = NULL;
		if (++p->at < p->n) {
			run_step(p);
		} else {
			struct fhir_result ok = { .status = FHIR_OK, .resource = steps_response(p) };

			finish(p, &ok);
			fhir_result_clear(&ok);
		}
		return;
	}
	/* Keep the failure to report it once the steps done are undone. */
	p->failed = *r;
	memset(r, 0, sizeof *r);
	if (p->failed.status == FHIR_OK) {
		p->failed.status = FHIR_BAD_RESPONSE;
		p->failed.message = xstrdup("the server did not say what it saved");
	}
	p->undoing = p->at;
	/* Putting back what was done must not be stopped half way: nothing to cancel now. */
	*p->request_id = 0;
	undo_next(p);
}

/*
 * Every string of J that is the urn:uuid of a create done before step AT made the
 * reference to what it made ("Binary/123"), as a server does inside a transaction.
 */
static void
resolve(const struct fhir_plan *p, cJSON *j)
{
	cJSON *c;

	cJSON_ArrayForEach(c, j)
	{
		if (cJSON_IsString(c) && strncmp(c->valuestring, "urn:uuid:", 9) == 0) {
			for (size_t i = 0; i < p->at; i++)
				if (p->steps[i].if_none_exist != NULL &&
				    strcmp(c->valuestring, p->steps[i].full_url) == 0) {
					cJSON_SetValuestring(c, p->steps[i].done_ref);
					break;
				}
		} else if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
			resolve(p, c);
		}
	}
}

/*
 * Send step AT and tell the caller its request id. A step refused before it was sent
 * has already answered, and the plan may be gone: only the caller's slot is touched.
 */
static uint64_t
run_step(struct fhir_plan *p)
{
	struct plan_step *s = &p->steps[p->at];
	uint64_t *slot = p->request_id, id;

	resolve(p, s->resource);
	if (s->if_none_exist != NULL)
		id = fhir_create(p->fc, s->resource, s->if_none_exist, on_step, p);
	else
		id = fhir_update(p->fc, s->resource, s->if_match, on_step, p);
	if (id != 0)
		*slot = id;
	return id;
}

static void
note_undo_failed(struct fhir_plan *p, const char *ref, const char *why)
{
	char *more = xasprintf("%s%s%s (%s)", p->undo_failed ? p->undo_failed : "",
	    p->undo_failed ? ", " : "", ref, why);

	free(p->undo_failed);
	p->undo_failed = more;
}

static void
on_undone(struct fhir_result *r, void *arg)
{
	struct fhir_plan *p = arg;

	if (r->status != FHIR_OK)
		note_undo_failed(p, p->steps[p->undoing].done_ref,
		    r->message != NULL ? r->message : "no answer");
	undo_next(p);
}

static void
undo_next(struct fhir_plan *p)
{
	while (p->undoing > 0) {
		struct plan_step *s = &p->steps[--p->undoing];

		if (s->if_none_exist != NULL) {
			/* A create is undone by deleting what it made, at the version it made. */
			char *slash = strchr(s->done_ref, '/');

			*slash = '\0';
			fhir_delete(p->fc, s->done_ref, slash + 1, s->done_version, on_undone, p);
			*slash = '/';
			return;
		}
		if (s->undo != NULL) {
			fhir_update(p->fc, s->undo, s->done_version, on_undone, p);
			return;
		}
		note_undo_failed(p, s->done_ref, "nothing to put back");
	}
	{
		struct fhir_result r = p->failed;
		char *msg = xasprintf("%s%s%s%s",
		    r.message != NULL ? r.message : "the change failed",
		    p->undo_failed ? "; and these stay changed: " : "",
		    p->undo_failed ? p->undo_failed : "", p->undo_failed ? "" : "");

		memset(&p->failed, 0, sizeof p->failed);
		free(r.message);
		r.message = msg;
		finish(p, &r);
		fhir_result_clear(&r);
	}
}

uint64_t
fhir_plan_start(struct fhir_client *fc, struct fhir_plan *p, bool transaction, fhir_done_fn done,
    void *arg, uint64_t *request_id)
{
	uint64_t id;

	if (p->n == 0) {
		struct fhir_result r = { .status = FHIR_REFUSED, .message = xstrdup("nothing to save") };

		done(&r, arg);
		fhir_result_clear(&r);
		fhir_plan_free(&p);
		return 0;
	}
	/* One step needs no Bundle: the guarded request itself is all or nothing, and smaller. */
	if (transaction && p->n > 1) {
		cJSON *bundle = fhir_plan_transaction(p, fc);

		fhir_plan_free(&p);
		id = fhir_bundle(fc, bundle, done, arg);
		cJSON_Delete(bundle);
		if (id != 0 && request_id != NULL)
			*request_id = id;
		return id;
	}
	p->fc = fc;
	p->done = done;
	p->arg = arg;
	p->at = 0;
	p->request_id = request_id != NULL ? request_id : &p->request_id_unused;
	return run_step(p);
}

uint64_t
fhir_plan_run(struct fhir_client *fc, struct fhir_plan *p, bool transaction, fhir_done_fn done,
    void *arg)
{
	return fhir_plan_start(fc, p, transaction, done, arg, NULL);
}

int
fhir_plan_result(const cJSON *response, size_t i, char *ref, size_t ref_size, char *version,
    size_t version_size)
{
	const cJSON *e = cJSON_GetArrayItem(fhir_get_array(response, "entry"), (int)i);
	const char *loc = fhir_get_string(fhir_get_object(e, "response"), "location");
	const char *hist;
	size_t n;

	if (loc == NULL || (hist = strstr(loc, "/_history/")) == NULL)
		return -1;
	/* The location may be absolute: keep the last "Type/id" before /_history/. */
	{
		const char *id = hist, *type;

		while (id > loc && id[-1] != '/')
			id--;
		if (id == loc)
			return -1;
		type = id - 1;
		while (type > loc && type[-1] != '/')
			type--;
		n = (size_t)(hist - type);
		if (n + 1 > ref_size || strlen(hist + 10) + 1 > version_size)
			return -1;
		memcpy(ref, type, n);
		ref[n] = '\0';
		snprintf(version, version_size, "%s", hist + 10);
	}
	return fhir_valid_id(version) ? 0 : -1;
}

enum fhir_save
fhir_save_outcome(const struct fhir_result *r)
{
	switch (r->status) {
	case FHIR_OK:
		return FHIR_SAVED;
	case FHIR_CONFLICT:
		return FHIR_SAVE_CONFLICT;
	case FHIR_CANCELLED:
		return FHIR_SAVE_CANCELLED;
	case FHIR_TRANSPORT:
		/* Refused before a byte left (no connection, TLS, our key) changed nothing. */
		if (r->http_error == HTTP_ERR_CONFIG || r->http_error == HTTP_ERR_TLS ||
		    r->http_error == HTTP_ERR_AUTH || r->stats.bytes_sent == 0)
			return FHIR_NOT_SAVED;
		return r->http_error == HTTP_ERR_CANCELLED ? FHIR_SAVE_CANCELLED : FHIR_SAVE_UNKNOWN;
	case FHIR_BAD_RESPONSE:
		/* A 2xx whose body is not what it should be: it may well be saved. */
		return r->http_status >= 200 && r->http_status < 300 ? FHIR_SAVE_UNKNOWN
								      : FHIR_NOT_SAVED;
	case FHIR_SERVER_ERROR:
		/* A 5xx answer: a FHIR server applies a transaction whole or not at all. */
	case FHIR_NOT_MODIFIED:
	case FHIR_NOT_FOUND:
	case FHIR_REFUSED:
	case FHIR_DENIED:
		return FHIR_NOT_SAVED;
	}
	return FHIR_SAVE_UNKNOWN;
}

const char *
fhir_save_name(enum fhir_save s)
{
	switch (s) {
	case FHIR_SAVED:
		return "Saved";
	case FHIR_NOT_SAVED:
		return "Not saved";
	case FHIR_SAVE_UNKNOWN:
		return "Outcome unknown";
	case FHIR_SAVE_CONFLICT:
		return "Changed by someone else";
	case FHIR_SAVE_CANCELLED:
		return "Cancelled; outcome unknown";
	}
	return "Outcome unknown";
}
