/* FHIR R4 client layer: request building with encoded parameters, response parsing under limits. */
#include "config.h"

#include "fhir/capability.h"
#include "fhir/fhir.h"
#include "util/xmalloc.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SEARCH_PARAMS_MAX 32

struct fhir_client {
	struct http_client *http;
	char *base; /* without a trailing slash */
	CURL *escaper; /* only for curl_easy_escape */
	bool yielding; /* fhir_client_yielding: what is submitted now yields (http_request.yields) */
};

struct fhir_search {
	char *type;
	size_t n;
	char *names[SEARCH_PARAMS_MAX];
	char *values[SEARCH_PARAMS_MAX];
};

/* What a request needs back when its HTTP answer comes. */
struct pending {
	fhir_done_fn done;
	void *arg;
};

static const char *const read_headers[] = {
	"Accept: application/fhir+json",
	NULL,
};

bool
fhir_valid_type(const char *s)
{
	/* Resource type names: an upper-case letter, then letters; short. */
	size_t n = 0;

	if (s == NULL || !isupper((unsigned char)s[0]))
		return false;
	for (; s[n] != '\0'; n++)
		if (!isalpha((unsigned char)s[n]) || n >= 64)
			return false;
	return true;
}

bool
fhir_valid_id(const char *s)
{
	/* FHIR id: [A-Za-z0-9\-\.]{1,64} */
	size_t n = 0;

	if (s == NULL || *s == '\0')
		return false;
	for (; s[n] != '\0'; n++)
		if ((!isalnum((unsigned char)s[n]) && s[n] != '-' && s[n] != '.') || n >= 64)
			return false;
	return true;
}

struct fhir_client *
fhir_client_new(struct http_client *http, const char *base_url, char **cause)
{
	struct fhir_client *fc;
	size_t len;

	if (base_url == NULL || strncasecmp(base_url, "https://", 8) != 0) {
		*cause = xstrdup("base_url must start with https://");
		return NULL;
	}
	fc = xcalloc(1, sizeof *fc);
	fc->http = http;
	fc->base = xstrdup(base_url);
	len = strlen(fc->base);
	while (len > 8 && fc->base[len - 1] == '/')
		fc->base[--len] = '\0';
	fc->escaper = curl_easy_init();
	if (fc->escaper == NULL) {
		fhir_client_free(&fc);
		*cause = xstrdup("libcurl could not start");
		return NULL;
	}
	return fc;
}

void
fhir_client_free(struct fhir_client **fcp)
{
	struct fhir_client *fc = *fcp;

	if (fc == NULL)
		return;
	if (fc->escaper != NULL)
		curl_easy_cleanup(fc->escaper);
	free(fc->base);
	free(fc);
	*fcp = NULL;
}

const char *
fhir_client_base(const struct fhir_client *fc)
{
	return fc->base;
}

struct http_client *
fhir_client_http(const struct fhir_client *fc)
{
	return fc->http;
}

struct fhir_search *
fhir_search_new(const char *type)
{
	struct fhir_search *s = xcalloc(1, sizeof *s);

	s->type = xstrdup(type != NULL ? type : "");
	return s;
}

void
fhir_search_add(struct fhir_search *s, const char *name, const char *value)
{
	/* More parameters than any screen builds is a programming error; drop, don't overflow. */
	if (s->n >= SEARCH_PARAMS_MAX || name == NULL || value == NULL)
		return;
	s->names[s->n] = xstrdup(name);
	s->values[s->n] = xstrdup(value);
	s->n++;
}

struct fhir_search *
fhir_search_copy(const struct fhir_search *from)
{
	struct fhir_search *s = fhir_search_new(from->type);

	for (size_t i = 0; i < from->n; i++)
		fhir_search_add(s, from->names[i], from->values[i]);
	return s;
}

void
fhir_search_free(struct fhir_search **sp)
{
	struct fhir_search *s = *sp;

	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->names[i]);
		free(s->values[i]);
	}
	free(s->type);
	free(s);
	*sp = NULL;
}

static void
append(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);

	if (*len + n + 1 > *cap) {
		while (*len + n + 1 > *cap)
			*cap = *cap ? *cap * 2 : 256;
		*buf = xreallocarray(*buf, *cap, 1);
	}
	memcpy(*buf + *len, s, n + 1);
	*len += n;
}

static void
append_escaped(const struct fhir_client *fc, char **buf, size_t *len, size_t *cap, const char *s)
{
	char *e = curl_easy_escape(fc->escaper, s, (int)strlen(s));

	if (e == NULL) {
		/* Only fails on allocation; fail the same way xmalloc does. */
		abort();
	}
	append(buf, len, cap, e);
	curl_free(e);
}

/* "name=value&…", every name and value percent-encoded. The caller frees it. */
static char *
search_query(const struct fhir_client *fc, const struct fhir_search *s)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;

	append(&buf, &len, &cap, "");
	for (size_t i = 0; i < s->n; i++) {
		if (i > 0)
			append(&buf, &len, &cap, "&");
		append_escaped(fc, &buf, &len, &cap, s->names[i]);
		append(&buf, &len, &cap, "=");
		append_escaped(fc, &buf, &len, &cap, s->values[i]);
	}
	return buf;
}

char *
fhir_search_query(const struct fhir_client *fc, const struct fhir_search *s)
{
	return search_query(fc, s);
}

const char *
fhir_search_type(const struct fhir_search *s)
{
	return s->type;
}

char *
fhir_search_url(const struct fhir_client *fc, const struct fhir_search *s)
{
	char *query, *url;

	if (!fhir_valid_type(s->type))
		return NULL;
	query = search_query(fc, s);
	url = xasprintf("%s/%s%s%s", fc->base, s->type, *query ? "?" : "", query);
	free(query);
	return url;
}

const char *
fhir_get_string(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, name) : NULL;

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

const cJSON *
fhir_get_array(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, name) : NULL;

	return cJSON_IsArray(v) ? v : NULL;
}

const cJSON *
fhir_get_object(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, name) : NULL;

	return cJSON_IsObject(v) ? v : NULL;
}

/* Deepest nesting of objects and arrays in TEXT, stopping once past LIMIT. */
static unsigned
json_depth(const char *text, size_t len, unsigned limit)
{
	unsigned depth = 0, max = 0;
	bool in_string = false, escaped = false;

	for (size_t i = 0; i < len && max <= limit; i++) {
		char c = text[i];

		if (in_string) {
			if (escaped)
				escaped = false;
			else if (c == '\\')
				escaped = true;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == '{' || c == '[') {
			if (++depth > max)
				max = depth;
		} else if ((c == '}' || c == ']') && depth > 0) {
			depth--;
		}
	}
	return max;
}

cJSON *
fhir_parse(const char *body, size_t len, char **cause)
{
	cJSON *json;

	if (body == NULL || len == 0) {
		*cause = xstrdup("the server sent an empty body where a resource was expected");
		return NULL;
	}
	if (json_depth(body, len, FHIR_JSON_DEPTH_MAX) > FHIR_JSON_DEPTH_MAX) {
		*cause = xasprintf("the server's JSON is nested deeper than %d levels", FHIR_JSON_DEPTH_MAX);
		return NULL;
	}
	json = cJSON_ParseWithLength(body, len);
	if (json == NULL) {
		*cause = xstrdup("the server's response is not valid JSON");
		return NULL;
	}
	if (!cJSON_IsObject(json) || fhir_get_string(json, "resourceType") == NULL ||
	    !fhir_valid_type(fhir_get_string(json, "resourceType"))) {
		cJSON_Delete(json);
		*cause = xstrdup("the server's response is not a FHIR resource");
		return NULL;
	}
	return json;
}

char *
fhir_outcome_sentence(const cJSON *oo)
{
	const char *type = fhir_get_string(oo, "resourceType");
	const cJSON *issues = fhir_get_array(oo, "issue"), *issue;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int shown = 0;

	if (type == NULL || strcmp(type, "OperationOutcome") != 0 || issues == NULL)
		return NULL;
	append(&buf, &len, &cap, "");
	cJSON_ArrayForEach(issue, issues)
	{
		const char *text = fhir_get_string(fhir_get_object(issue, "details"), "text");

		if (text == NULL)
			text = fhir_get_string(issue, "diagnostics");
		if (text == NULL)
			text = fhir_get_string(issue, "code");
		if (text == NULL)
			continue;
		/* Three issues say enough on one status line. */
		if (shown++ == 3) {
			append(&buf, &len, &cap, "; …");
			break;
		}
		if (len > 0)
			append(&buf, &len, &cap, "; ");
		append(&buf, &len, &cap, text);
	}
	if (len == 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

const char *
fhir_bundle_link(const cJSON *bundle, const char *relation)
{
	const cJSON *link;

	cJSON_ArrayForEach(link, fhir_get_array(bundle, "link"))
	{
		const char *rel = fhir_get_string(link, "relation");

		if (rel != NULL && strcmp(rel, relation) == 0)
			return fhir_get_string(link, "url");
	}
	return NULL;
}

/*
 * True when PATH, decoded, holds a "." or ".." segment or a backslash: a server that
 * decodes "%2e%2e" after our prefix check would walk out of the base with it.
 */
static bool
path_walks(const char *path)
{
	int len = 0;
	char *d = curl_unescape(path, 0);
	bool walks = d == NULL;

	if (d != NULL) {
		len = (int)strlen(d);
		for (int i = 0; i < len && !walks; i++) {
			if (d[i] == '\\') {
				walks = true;
			} else if (d[i] == '/' || i == 0) {
				const char *seg = d + i + (d[i] == '/');
				size_t n = strcspn(seg, "/");

				walks = (n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.');
			}
		}
		curl_free(d);
	}
	return walks;
}

bool
fhir_url_under_base(const char *base, const char *url)
{
	CURLU *ub = curl_url(), *uu = curl_url();
	char *pb = NULL, *pu = NULL, *extra = NULL;
	bool under = false;

	/* A next link with user info or a fragment is no page of ours, whatever its path. */
	if (ub != NULL && uu != NULL && curl_url_set(ub, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(uu, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(uu, CURLUPART_USER, &extra, 0) == CURLUE_NO_USER &&
	    curl_url_get(uu, CURLUPART_PASSWORD, &extra, 0) == CURLUE_NO_PASSWORD &&
	    curl_url_get(uu, CURLUPART_FRAGMENT, &extra, 0) == CURLUE_NO_FRAGMENT &&
	    curl_url_get(ub, CURLUPART_PATH, &pb, 0) == CURLUE_OK &&
	    curl_url_get(uu, CURLUPART_PATH, &pu, 0) == CURLUE_OK && !path_walks(pu) &&
	    http_same_origin(base, url)) {
		size_t n = strlen(pb);

		while (n > 0 && pb[n - 1] == '/')
			n--;
		under = strncmp(pu, pb, n) == 0 && (pu[n] == '\0' || pu[n] == '/');
	}
	curl_free(extra);
	curl_free(pb);
	curl_free(pu);
	curl_url_cleanup(ub);
	curl_url_cleanup(uu);
	return under;
}

char *
fhir_join(const cJSON *array, const char *sep, size_t max)
{
	const cJSON *item;
	size_t used = 0, cap = 64, taken = 0, more = 0, seplen = strlen(sep);
	char *out = xmalloc(cap);

	out[0] = '\0';
	if (!cJSON_IsArray(array))
		return out;
	cJSON_ArrayForEach(item, array)
	{
		size_t len;

		if (!cJSON_IsString(item) || item->valuestring[0] == '\0')
			continue;
		if (taken == max) {
			more++;
			continue;
		}
		len = strlen(item->valuestring);
		/* Doubling keeps the whole join linear; a string is copied once. */
		while (used + seplen + len + 1 > cap)
			cap *= 2;
		out = xreallocarray(out, cap, 1);
		if (taken++ > 0) {
			memcpy(out + used, sep, seplen);
			used += seplen;
		}
		memcpy(out + used, item->valuestring, len + 1);
		used += len;
	}
	if (more > 0) {
		char *said = xasprintf("%s (+%zu more)", out, more);

		free(out);
		out = said;
	}
	return out;
}

void
fhir_result_clear(struct fhir_result *r)
{
	cJSON_Delete(r->resource);
	free(r->message);
	free(r->version_id);
	free(r->location);
	memset(r, 0, sizeof *r);
}

char *
fhir_etag_version(const char *etag)
{
	const char *p = etag, *end;

	if (p == NULL)
		return NULL;
	if (strncmp(p, "W/", 2) == 0)
		p += 2;
	if (*p++ != '"' || (end = strchr(p, '"')) == NULL || end == p)
		return NULL;
	return xstrndup(p, (size_t)(end - p));
}

static const char *
status_phrase(long status)
{
	switch (status) {
	case 400:
		return "the request was not accepted";
	case 401:
	case 403:
		return "this user may not do that";
	case 404:
		return "not found";
	case 409:
	case 412:
		return "someone else changed it first";
	case 410:
		return "it was deleted";
	case 422:
		return "the server could not accept the data";
	case 429:
		return "the server is busy; try again shortly";
	default:
		return status >= 500 ? "the server failed" : "the request failed";
	}
}

static bool
is_json(const char *content_type)
{
	return content_type != NULL && (strncasecmp(content_type, "application/fhir+json", 21) == 0 ||
					   strncasecmp(content_type, "application/json", 16) == 0);
}

static void
on_http_done(const struct http_response *resp, void *arg)
{
	struct pending *p = arg;
	struct fhir_result r;
	char *cause = NULL;

	memset(&r, 0, sizeof r);
	r.http_status = resp->status;
	r.stats = resp->stats;
	r.seconds = resp->seconds;
	if (resp->error != HTTP_OK) {
		r.status = FHIR_TRANSPORT;
		r.http_error = resp->error;
		r.message = xstrdup(resp->message ? resp->message : http_error_hint(resp->error));
		goto out;
	}
	r.version_id = fhir_etag_version(resp->etag);
	if (resp->location != NULL)
		r.location = xstrdup(resp->location);
	if (resp->status == 304) {
		r.status = FHIR_NOT_MODIFIED;
		goto out;
	}
	if (resp->body_len > 0 && is_json(resp->content_type))
		r.resource = fhir_parse(resp->body, resp->body_len, &cause);
	if (resp->status >= 200 && resp->status < 300) {
		if (resp->body_len > 0 && r.resource == NULL) {
			r.status = FHIR_BAD_RESPONSE;
			r.message = cause != NULL ? cause
						  : xstrdup("the server's response is not FHIR JSON");
			cause = NULL;
		} else {
			r.status = FHIR_OK;
		}
		if (r.version_id == NULL && r.resource != NULL) {
			const char *vid = fhir_get_string(fhir_get_object(r.resource, "meta"), "versionId");

			if (vid != NULL)
				r.version_id = xstrdup(vid);
		}
		goto out;
	}
	switch (resp->status) {
	case 401:
	case 403:
		r.status = FHIR_DENIED;
		break;
	case 404:
	case 410:
		r.status = FHIR_NOT_FOUND;
		break;
	case 409:
	case 412:
		r.status = FHIR_CONFLICT;
		break;
	default:
		r.status = resp->status >= 500 ? FHIR_SERVER_ERROR : FHIR_REFUSED;
		break;
	}
	{
		char *said = fhir_outcome_sentence(r.resource);

		r.message = said != NULL ? xasprintf("%s (%ld): %s", status_phrase(resp->status),
						resp->status, said)
					 : xasprintf("%s (%ld)", status_phrase(resp->status), resp->status);
		free(said);
	}
out:
	free(cause);
	p->done(&r, p->arg);
	fhir_result_clear(&r);
	free(p);
}

static uint64_t
refuse(fhir_done_fn done, void *arg, char *message)
{
	struct fhir_result r;

	memset(&r, 0, sizeof r);
	r.status = FHIR_TRANSPORT;
	r.http_error = HTTP_ERR_CONFIG;
	r.message = message;
	done(&r, arg);
	fhir_result_clear(&r);
	return 0;
}

/* A request; READ says it changes nothing on the server, so the HTTP layer may send it again. */
static uint64_t
submit_as(struct fhir_client *fc, enum http_method method, const char *url,
    const char *const *headers, const char *body, bool read, fhir_done_fn done, void *arg)
{
	struct pending *p = xmalloc(sizeof *p);
	struct http_request req = {
		.method = method,
		.url = url,
		.headers = headers,
		.body = body,
		.body_len = body ? strlen(body) : 0,
		.retry = read,
		.yields = fc->yielding,
	};

	p->done = done;
	p->arg = arg;
	return http_submit(fc->http, &req, on_http_done, p);
}

static uint64_t
submit(struct fhir_client *fc, enum http_method method, const char *url, const char *const *headers,
    const char *body, fhir_done_fn done, void *arg)
{
	return submit_as(fc, method, url, headers, body, method == HTTP_GET, done, arg);
}

bool
fhir_bundle_reads_only(const cJSON *bundle)
{
	const char *kind = fhir_get_string(bundle, "type");
	const cJSON *e;

	if (kind == NULL || strcmp(kind, "batch") != 0)
		return false;
	cJSON_ArrayForEach(e, fhir_get_array(bundle, "entry"))
	{
		const char *method = fhir_get_string(fhir_get_object(e, "request"), "method");

		if (method == NULL || strcmp(method, "GET") != 0)
			return false;
	}
	return true;
}

char *
fhir_search_relative(const struct fhir_client *fc, const struct fhir_search *s)
{
	char *query, *url;

	if (!fhir_valid_type(s->type))
		return NULL;
	query = search_query(fc, s);
	url = xasprintf("%s%s%s", s->type, *query ? "?" : "", query);
	free(query);
	return url;
}

cJSON *
fhir_batch_new(cJSON **entries)
{
	cJSON *bundle = cJSON_CreateObject();

	cJSON_AddStringToObject(bundle, "resourceType", "Bundle");
	cJSON_AddStringToObject(bundle, "type", "batch");
	*entries = cJSON_AddArrayToObject(bundle, "entry");
	return bundle;
}

void
fhir_batch_add_read(cJSON *entries, const char *type, const char *id)
{
	cJSON *e = cJSON_CreateObject(), *req = cJSON_AddObjectToObject(e, "request");
	char *url = xasprintf("%s/%s", type, id);

	cJSON_AddStringToObject(req, "method", "GET");
	cJSON_AddStringToObject(req, "url", url);
	cJSON_AddItemToArray(entries, e);
	free(url);
}

void
fhir_batch_add_search(cJSON *entries, const struct fhir_client *fc, const struct fhir_search *s)
{
	cJSON *e = cJSON_CreateObject(), *req = cJSON_AddObjectToObject(e, "request");
	char *url = fhir_search_relative(fc, s);

	cJSON_AddStringToObject(req, "method", "GET");
	cJSON_AddStringToObject(req, "url", url != NULL ? url : "");
	cJSON_AddItemToArray(entries, e);
	free(url);
}

/*
 * The capability read yields its place on the connection to any other read waiting for
 * it (http_request.yields): started behind home, it would otherwise go before the search
 * typed at once, which does not need it.
 */
static uint64_t
metadata_get(struct fhir_client *fc, const char *query, fhir_done_fn done, void *arg)
{
	char *url = xasprintf("%s/metadata%s", fc->base, query);
	struct pending *p = xmalloc(sizeof *p);
	struct http_request req = { .method = HTTP_GET, .url = url, .headers = read_headers,
		.retry = true, .yields = true };
	uint64_t id;

	p->done = done;
	p->arg = arg;
	id = http_submit(fc->http, &req, on_http_done, p);
	free(url);
	return id;
}

struct metadata_ask {
	struct fhir_client *fc;
	fhir_done_fn done;
	void *arg;
};

static void
on_least_metadata(struct fhir_result *r, void *arg)
{
	struct metadata_ask *m = arg;

	/*
	 * A server that refuses paths in _elements, or that took the root elements alone and
	 * left out the interactions: the whole statement, one round trip more. A server error
	 * is not asked again, as no read is.
	 */
	if (r->status == FHIR_REFUSED || (r->status == FHIR_OK && fhir_caps_partial(r->resource)))
		metadata_get(m->fc, "", m->done, m->arg);
	else
		m->done(r, m->arg);
	free(m);
}

void
fhir_client_yielding(struct fhir_client *fc, bool yielding)
{
	fc->yielding = yielding;
}

uint64_t
fhir_metadata(struct fhir_client *fc, fhir_done_fn done, void *arg)
{
	struct metadata_ask *m = xmalloc(sizeof *m);

	m->fc = fc;
	m->done = done;
	m->arg = arg;
	return metadata_get(fc, "?_elements=" FHIR_CAPS_ELEMENTS, on_least_metadata, m);
}

uint64_t
fhir_read(struct fhir_client *fc, const char *type, const char *rid, const char *if_none_match,
    fhir_done_fn done, void *arg)
{
	const char *headers[3] = { read_headers[0], NULL, NULL };
	char *url, *inm = NULL;
	uint64_t id;

	if (!fhir_valid_type(type) || !fhir_valid_id(rid))
		return refuse(done, arg, xstrdup("not a valid resource type and id"));
	if (if_none_match != NULL) {
		if (!fhir_valid_id(if_none_match))
			return refuse(done, arg, xstrdup("not a valid version id"));
		headers[1] = inm = xasprintf("If-None-Match: W/\"%s\"", if_none_match);
	}
	url = xasprintf("%s/%s/%s", fc->base, type, rid);
	id = submit(fc, HTTP_GET, url, headers, NULL, done, arg);
	free(url);
	free(inm);
	return id;
}

uint64_t
fhir_search(struct fhir_client *fc, const struct fhir_search *s, fhir_done_fn done, void *arg)
{
	char *url = fhir_search_url(fc, s);
	uint64_t id;

	if (url == NULL)
		return refuse(done, arg, xstrdup("not a valid resource type to search"));
	id = submit(fc, HTTP_GET, url, read_headers, NULL, done, arg);
	free(url);
	return id;
}

uint64_t
fhir_get_page(struct fhir_client *fc, const char *url, fhir_done_fn done, void *arg)
{
	if (url == NULL || !fhir_url_under_base(fc->base, url))
		return refuse(done, arg,
		    xstrdup("the server's next page is not under the configured base_url; not followed"));
	return submit(fc, HTTP_GET, url, read_headers, NULL, done, arg);
}

static const char *
resource_type_of(const cJSON *resource)
{
	const char *type = fhir_get_string(resource, "resourceType");

	return fhir_valid_type(type) ? type : NULL;
}

uint64_t
fhir_create(struct fhir_client *fc, const cJSON *resource, const struct fhir_search *if_none_exist,
    fhir_done_fn done, void *arg)
{
	const char *type = resource_type_of(resource);
	const char *headers[5] = { read_headers[0], "Content-Type: application/fhir+json",
		"Prefer: return=representation", NULL, NULL };
	char *url, *body, *ine = NULL;
	uint64_t id;

	if (type == NULL)
		return refuse(done, arg, xstrdup("not a FHIR resource"));
	if (if_none_exist != NULL) {
		char *query = search_query(fc, if_none_exist);

		headers[3] = ine = xasprintf("If-None-Exist: %s", query);
		free(query);
	}
	url = xasprintf("%s/%s", fc->base, type);
	body = cJSON_PrintUnformatted(resource);
	id = submit(fc, HTTP_POST, url, headers, body, done, arg);
	cJSON_free(body);
	free(url);
	free(ine);
	return id;
}

uint64_t
fhir_update(struct fhir_client *fc, const cJSON *resource, const char *if_match, fhir_done_fn done,
    void *arg)
{
	const char *type = resource_type_of(resource);
	const char *rid = fhir_get_string(resource, "id");
	const char *headers[5] = { read_headers[0], "Content-Type: application/fhir+json",
		"Prefer: return=representation", NULL, NULL };
	char *url, *body, *im;
	uint64_t id;

	if (type == NULL || !fhir_valid_id(rid))
		return refuse(done, arg, xstrdup("not a FHIR resource with an id"));
	/* No update without the version it started from: a lost update is not an option. */
	if (!fhir_valid_id(if_match))
		return refuse(done, arg, xstrdup("an update needs the version it started from"));
	headers[3] = im = xasprintf("If-Match: W/\"%s\"", if_match);
	url = xasprintf("%s/%s/%s", fc->base, type, rid);
	body = cJSON_PrintUnformatted(resource);
	id = submit(fc, HTTP_PUT, url, headers, body, done, arg);
	cJSON_free(body);
	free(url);
	free(im);
	return id;
}

uint64_t
fhir_delete(struct fhir_client *fc, const char *type, const char *rid, const char *if_match,
    fhir_done_fn done, void *arg)
{
	const char *headers[3] = { read_headers[0], NULL, NULL };
	char *url, *im;
	uint64_t id;

	if (!fhir_valid_type(type) || !fhir_valid_id(rid))
		return refuse(done, arg, xstrdup("not a FHIR resource with an id"));
	if (!fhir_valid_id(if_match))
		return refuse(done, arg, xstrdup("a delete needs the version it started from"));
	headers[1] = im = xasprintf("If-Match: W/\"%s\"", if_match);
	url = xasprintf("%s/%s/%s", fc->base, type, rid);
	id = submit(fc, HTTP_DELETE, url, headers, NULL, done, arg);
	free(url);
	free(im);
	return id;
}

uint64_t
fhir_bundle(struct fhir_client *fc, const cJSON *bundle, fhir_done_fn done, void *arg)
{
	static const char *const headers[] = { "Accept: application/fhir+json",
		"Content-Type: application/fhir+json", "Prefer: return=representation", NULL };
	const char *type = resource_type_of(bundle), *kind = fhir_get_string(bundle, "type");
	char *body;
	uint64_t id;

	if (type == NULL || strcmp(type, "Bundle") != 0 || kind == NULL ||
	    (strcmp(kind, "transaction") != 0 && strcmp(kind, "batch") != 0))
		return refuse(done, arg, xstrdup("not a transaction or batch Bundle"));
	body = cJSON_PrintUnformatted(bundle);
	/* A batch of GETs is a read sent as a POST: it may be retried like one. */
	id = submit_as(fc, HTTP_POST, fc->base, headers, body, fhir_bundle_reads_only(bundle), done, arg);
	cJSON_free(body);
	return id;
}

/* --- a batch of reads as GETs ------------------------------------------------------------ */

/* The standard reason phrase of the statuses a read answers, for a batch-response entry. */
static const char *
reason_phrase(long status)
{
	static const struct {
		long status;
		const char *phrase;
	} phrases[] = {
		{ 200, "OK" }, { 304, "Not Modified" }, { 400, "Bad Request" }, { 401, "Unauthorized" },
		{ 403, "Forbidden" }, { 404, "Not Found" }, { 405, "Method Not Allowed" },
		{ 409, "Conflict" }, { 410, "Gone" }, { 412, "Precondition Failed" },
		{ 422, "Unprocessable Entity" }, { 429, "Too Many Requests" },
		{ 500, "Internal Server Error" }, { 502, "Bad Gateway" }, { 503, "Service Unavailable" },
	};

	for (size_t i = 0; i < sizeof phrases / sizeof phrases[0]; i++)
		if (phrases[i].status == status)
			return phrases[i].phrase;
	return NULL;
}

bool
fhir_batch_get_whole(const struct fhir_result *r)
{
	return r->status == FHIR_TRANSPORT || r->status == FHIR_BAD_RESPONSE ||
	       r->status == FHIR_CANCELLED || (r->status == FHIR_DENIED && r->http_status == 401);
}

void
fhir_batch_get_entry(cJSON *entry, struct fhir_result *r)
{
	cJSON *resp = cJSON_AddObjectToObject(entry, "response");
	long code = r->status == FHIR_NOT_MODIFIED ? 304 : r->status == FHIR_OK && r->http_status == 0 ? 200
											    : r->http_status;
	const char *phrase = reason_phrase(code);
	char *status = phrase != NULL ? xasprintf("%ld %s", code, phrase) : xasprintf("%ld", code);

	cJSON_AddStringToObject(resp, "status", status);
	free(status);
	if (r->version_id != NULL && fhir_valid_id(r->version_id)) {
		char *etag = xasprintf("W/\"%s\"", r->version_id);

		cJSON_AddStringToObject(resp, "etag", etag);
		free(etag);
	}
	if (r->resource != NULL) {
		const char *type = fhir_get_string(r->resource, "resourceType");

		/* A failure's OperationOutcome is the response's outcome, as a server puts it. */
		if (r->status != FHIR_OK && type != NULL && strcmp(type, "OperationOutcome") == 0)
			cJSON_AddItemToObject(resp, "outcome", r->resource);
		else
			cJSON_AddItemToObject(entry, "resource", r->resource);
		r->resource = NULL;
	}
}

/* The GETs of one batch: the answer is made once the last is in. */
struct batch_reads {
	struct fhir_client *fc;
	fhir_done_fn done;
	void *arg;
	uint64_t *http_id;
	size_t n, left;
	unsigned busy;	      /* inside a submit or a cancel loop: the end waits for it */
	struct batch_get {
		struct batch_reads *b;
		size_t i;
		uint64_t id;
		bool in;
	} *gets;
	cJSON *entries;	      /* the batch-response's entry array, one object per GET */
	cJSON *answer;
	struct fhir_result failure; /* the first GET with no usable answer */
	bool failed;
	struct http_stats stats;
	double seconds;
};

static void
batch_reads_end(struct batch_reads *b)
{
	struct fhir_result r;

	if (b->left > 0 || b->busy > 0)
		return;
	if (b->failed) {
		r = b->failure;
		memset(&b->failure, 0, sizeof b->failure);
	} else {
		memset(&r, 0, sizeof r);
		r.status = FHIR_OK;
		r.http_status = 200;
		r.resource = b->answer;
		b->answer = NULL;
	}
	r.stats = b->stats;
	r.seconds = b->seconds;
	b->done(&r, b->arg);
	fhir_result_clear(&r);
	cJSON_Delete(b->answer);
	free(b->gets);
	free(b);
}

/* Every GET of B still out is cancelled (their answers come back here, as cancelled). */
static void
batch_reads_cancel(struct batch_reads *b)
{
	b->busy++;
	for (size_t i = 0; i < b->n; i++)
		if (!b->gets[i].in && b->gets[i].id != 0)
			http_cancel(fhir_client_http(b->fc), b->gets[i].id);
	b->busy--;
}

static void
on_batch_get(struct fhir_result *r, void *arg)
{
	struct batch_get *g = arg;
	struct batch_reads *b = g->b;
	cJSON *entry = cJSON_GetArrayItem(b->entries, (int)g->i);

	g->in = true;
	b->left--;
	b->stats.round_trips += r->stats.round_trips;
	b->stats.bytes_sent += r->stats.bytes_sent;
	b->stats.bytes_received += r->stats.bytes_received;
	if (r->seconds > b->seconds)
		b->seconds = r->seconds;
	/* Esc cancels the id it was given: keep it at one still in flight. */
	if (b->http_id != NULL && *b->http_id == g->id)
		for (size_t i = 0; i < b->n; i++)
			if (!b->gets[i].in && b->gets[i].id != 0) {
				*b->http_id = b->gets[i].id;
				break;
			}
	if (fhir_batch_get_whole(r)) {
		if (!b->failed) {
			b->failed = true;
			b->failure = *r;
			memset(r, 0, sizeof *r); /* taken */
			/* One cancelled (Esc) or lost: the rest are not waited for. */
			batch_reads_cancel(b);
		}
	} else {
		fhir_batch_get_entry(entry, r);
	}
	batch_reads_end(b);
}

/* The If-None-Match header of an entry's request.ifNoneMatch, or NULL: a short, printable value. */
static char *
if_none_match_header(const cJSON *request)
{
	const char *v = fhir_get_string(request, "ifNoneMatch");

	if (v == NULL || *v == '\0' || strlen(v) > 80)
		return NULL;
	for (const char *c = v; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			return NULL;
	return xasprintf("If-None-Match: %s", v);
}

uint64_t
fhir_batch_as_reads(struct fhir_client *fc, const cJSON *bundle, const struct fhir_caps *caps,
    fhir_done_fn done, void *arg, uint64_t *http_id)
{
	const cJSON *e, *in = fhir_get_array(bundle, "entry");
	struct batch_reads *b;
	uint64_t first = 0;
	size_t i = 0;

	if (!fhir_bundle_reads_only(bundle))
		return refuse(done, arg, xstrdup("not a batch of reads"));
	b = xcalloc(1, sizeof *b);
	b->fc = fc;
	b->done = done;
	b->arg = arg;
	b->http_id = http_id;
	b->n = b->left = (size_t)cJSON_GetArraySize(in);
	b->gets = xcalloc(b->n > 0 ? b->n : 1, sizeof *b->gets);
	b->answer = cJSON_CreateObject();
	cJSON_AddStringToObject(b->answer, "resourceType", "Bundle");
	cJSON_AddStringToObject(b->answer, "type", "batch-response");
	b->entries = cJSON_AddArrayToObject(b->answer, "entry");
	for (i = 0; i < b->n; i++)
		cJSON_AddItemToArray(b->entries, cJSON_CreateObject());
	b->busy++;
	i = 0;
	cJSON_ArrayForEach(e, in)
	{
		const cJSON *request = fhir_get_object(e, "request");
		const char *rel = fhir_get_string(request, "url");
		const char *headers[3] = { read_headers[0], NULL, NULL };
		struct batch_get *g = &b->gets[i];
		char *url = NULL, *inm = NULL, *why;

		g->b = b;
		g->i = i++;
		if (b->failed) {
			/* Cancelled or lost while the GETs went out: the rest are not sent. */
			g->in = true;
			b->left--;
			continue;
		}
		if (rel != NULL && *rel != '\0' && *rel != '/' && strstr(rel, "://") == NULL)
			url = xasprintf("%s/%s", fc->base, rel);
		if (url == NULL || !fhir_url_under_base(fc->base, url)) {
			cJSON *resp = cJSON_AddObjectToObject(cJSON_GetArrayItem(b->entries, (int)g->i),
			    "response");

			cJSON_AddStringToObject(resp, "status", "400 Bad Request");
			g->in = true;
			b->left--;
			free(url);
			continue;
		}
		if ((why = fhir_caps_entry_refusal(caps, e)) != NULL) {
			/* What the server said it does not offer is not asked: answered as it would. */
			cJSON *resp = cJSON_AddObjectToObject(cJSON_GetArrayItem(b->entries, (int)g->i),
			    "response");
			cJSON *oo = cJSON_AddObjectToObject(resp, "outcome");
			cJSON *issue = cJSON_CreateObject();

			cJSON_AddStringToObject(resp, "status", "404 Not Found");
			cJSON_AddStringToObject(oo, "resourceType", "OperationOutcome");
			cJSON_AddItemToArray(cJSON_AddArrayToObject(oo, "issue"), issue);
			cJSON_AddStringToObject(issue, "severity", "error");
			cJSON_AddStringToObject(issue, "code", "not-supported");
			cJSON_AddStringToObject(issue, "diagnostics", why);
			free(why);
			g->in = true;
			b->left--;
			free(url);
			continue;
		}
		headers[1] = inm = if_none_match_header(request);
		g->id = submit(fc, HTTP_GET, url, headers, NULL, on_batch_get, g);
		if (first == 0)
			first = g->id;
		free(url);
		free(inm);
	}
	if (http_id != NULL)
		*http_id = first;
	b->busy--;
	batch_reads_end(b);
	return first;
}

/* --- shared helpers ------------------------------------------------------------------- */

static bool
same_string(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

void
fhir_add_request_id(cJSON *resource, const char *request_id)
{
	cJSON *ids = cJSON_GetObjectItemCaseSensitive(resource, "identifier"), *id;

	if (!cJSON_IsArray(ids)) {
		cJSON_DeleteItemFromObjectCaseSensitive(resource, "identifier");
		ids = cJSON_AddArrayToObject(resource, "identifier");
	}
	id = cJSON_CreateObject();
	cJSON_AddStringToObject(id, "system", FHIR_REQUEST_SYSTEM);
	cJSON_AddStringToObject(id, "value", request_id != NULL ? request_id : "");
	cJSON_AddItemToArray(ids, id);
}

bool
fhir_carries_request(const cJSON *resource, const char *request_id)
{
	const cJSON *id;

	cJSON_ArrayForEach(id, fhir_get_array(resource, "identifier"))
	{
		if (same_string(fhir_get_string(id, "system"), FHIR_REQUEST_SYSTEM) &&
		    same_string(fhir_get_string(id, "value"), request_id))
			return true;
	}
	return false;
}

struct fhir_search *
fhir_request_search(const char *type, const char *request_id)
{
	struct fhir_search *s = fhir_search_new(type);
	char *value = xasprintf("%s|%s", FHIR_REQUEST_SYSTEM, request_id != NULL ? request_id : "");

	fhir_search_add(s, "identifier", value);
	free(value);
	return s;
}

void
fhir_set_item(cJSON *obj, const char *name, cJSON *item)
{
	if (cJSON_GetObjectItemCaseSensitive(obj, name) != NULL)
		cJSON_ReplaceItemInObjectCaseSensitive(obj, name, item);
	else
		cJSON_AddItemToObject(obj, name, item);
}

void
fhir_set_string(cJSON *obj, const char *name, const char *value)
{
	if (value == NULL)
		cJSON_DeleteItemFromObjectCaseSensitive(obj, name);
	else
		fhir_set_item(obj, name, cJSON_CreateString(value));
}

cJSON *
fhir_codeable(const char *system, const char *code, const char *display)
{
	cJSON *cc = cJSON_CreateObject(), *codings = cJSON_AddArrayToObject(cc, "coding");
	cJSON *c = cJSON_CreateObject();

	cJSON_AddStringToObject(c, "system", system);
	cJSON_AddStringToObject(c, "code", code);
	if (display != NULL)
		cJSON_AddStringToObject(c, "display", display);
	cJSON_AddItemToArray(codings, c);
	return cc;
}

bool
fhir_has_code(const cJSON *concept, const char *code)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, fhir_get_array(concept, "coding"))
	{
		if (same_string(fhir_get_string(c, "code"), code))
			return true;
	}
	return false;
}

const char *
fhir_code_in(const cJSON *concept, const char *system)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, fhir_get_array(concept, "coding"))
	{
		if (same_string(fhir_get_string(c, "system"), system))
			return fhir_get_string(c, "code");
	}
	return NULL;
}

const char *
fhir_first_code(const cJSON *concept)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, fhir_get_array(concept, "coding"))
	{
		const char *code = fhir_get_string(c, "code");

		if (code != NULL)
			return code;
	}
	return NULL;
}

long
fhir_bundle_total(const cJSON *bundle)
{
	const cJSON *t = cJSON_IsObject(bundle) ? cJSON_GetObjectItemCaseSensitive(bundle, "total") : NULL;

	if (!cJSON_IsNumber(t) || t->valuedouble < 0 || t->valuedouble > 1e15)
		return -1;
	return (long)t->valuedouble;
}

const char *
fhir_version_of(const cJSON *resource)
{
	return fhir_get_string(fhir_get_object(resource, "meta"), "versionId");
}

char *
fhir_entry_version(const cJSON *entry)
{
	char *v = fhir_etag_version(fhir_get_string(fhir_get_object(entry, "response"), "etag"));
	const char *meta;

	if (v != NULL)
		return v;
	meta = fhir_version_of(fhir_get_object(entry, "resource"));
	return meta != NULL ? xstrdup(meta) : NULL;
}

bool
fhir_entry_at(const cJSON *entry, const char *version)
{
	char *v = fhir_entry_version(entry);
	bool at = v != NULL && version != NULL && strcmp(v, version) == 0;

	free(v);
	return at;
}

bool
fhir_entry_ok(const cJSON *entry)
{
	const char *status = fhir_get_string(fhir_get_object(entry, "response"), "status");

	/* "200 OK", "201 Created": a three-digit 2xx first, whatever follows. */
	return status != NULL && status[0] == '2' && isdigit((unsigned char)status[1]) &&
	       isdigit((unsigned char)status[2]) && (status[3] == '\0' || status[3] == ' ');
}

char *
fhir_entry_failure(const cJSON *entry, const char *what)
{
	const cJSON *resp = fhir_get_object(entry, "response");
	const char *status = fhir_get_string(resp, "status");
	char *said = fhir_outcome_sentence(fhir_get_object(resp, "outcome"));
	char *cause;

	if (said == NULL)
		said = fhir_outcome_sentence(fhir_get_object(entry, "resource"));
	cause = xasprintf("%s could not be read (%s)%s%s", what, status ? status : "no answer",
	    said ? ": " : "", said ? said : "");
	free(said);
	return cause;
}

bool
fhir_refers_to(const char *reference, const char *type, const char *id)
{
	size_t n, t, k;

	if (reference == NULL || type == NULL || id == NULL || *id == '\0')
		return false;
	n = strlen(reference);
	t = strlen(type);
	k = t + 1 + strlen(id);
	/* "TYPE/ID", or an absolute URL ending in "/TYPE/ID". */
	if (n < k)
		return false;
	reference += n - k;
	return strncmp(reference, type, t) == 0 && reference[t] == '/' &&
	       strcmp(reference + t + 1, id) == 0 && (n == k || reference[-1] == '/');
}

const char *
fhir_id_of(const cJSON *resource)
{
	const char *id = fhir_get_string(resource, "id");

	return fhir_valid_id(id) ? id : NULL;
}

cJSON *
fhir_bundle_take(const cJSON *bundle, const char *type, size_t max, bool *cut)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *e;
	size_t n = 0;

	if (cut != NULL)
		*cut = false;
	cJSON_ArrayForEach(e, fhir_get_array(bundle, "entry"))
	{
		const cJSON *r = fhir_get_object(e, "resource");
		const char *rt = fhir_get_string(r, "resourceType");

		if (rt == NULL || strcmp(rt, type) != 0 || fhir_id_of(r) == NULL)
			continue;
		if (n++ == max) {
			if (cut != NULL)
				*cut = true;
			break;
		}
		cJSON_AddItemToArray(out, cJSON_Duplicate(r, true));
	}
	return out;
}

cJSON *
fhir_array_of(const cJSON *const *resources, size_t n)
{
	cJSON *out = cJSON_CreateArray();

	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(out, cJSON_Duplicate(resources[i], true));
	return out;
}
