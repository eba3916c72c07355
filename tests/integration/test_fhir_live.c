/* The HTTP and FHIR layers against the running sandbox: real TLS, real FHIR semantics, faults. */
#include "config.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "fhir/fhir.h"
#include "net/http.h"
#include "net/preconnect.h"
#include "net/tlskey.h"
#include "util/secret.h"
#include "util/xmalloc.h"

/* Set by tests/integration/fhir.test: the sandbox and its certificates. */
static const char *base, *control_url, *certs;
static char passphrase[256];
static struct http_client *http;
static struct fhir_client *fc;
static struct secret *key; /* frontdesk's key, decrypted; outlives the client */

static void
read_passphrase(void)
{
	char *path = xasprintf("%s/PASSPHRASES", certs), name[64];
	FILE *f = fopen(path, "r");

	cr_assert_not_null(f, "%s", path);
	while (fscanf(f, "%63s %255s", name, passphrase) == 2)
		if (strcmp(name, "frontdesk") == 0)
			break;
	fclose(f);
	free(path);
}

static size_t
collect(char *data, size_t size, size_t n, void *arg)
{
	char **buf = arg;
	size_t old = *buf ? strlen(*buf) : 0;

	*buf = xreallocarray(*buf, old + size * n + 1, 1);
	memcpy(*buf + old, data, size * n);
	(*buf)[old + size * n] = '\0';
	return size * n;
}

/* A request to the sandbox's plain-HTTP control port; returns the body (caller frees). */
static char *
control(const char *method, const char *path, const char *json)
{
	CURL *e = curl_easy_init();
	char *url = xasprintf("%s%s", control_url, path), *body = NULL;
	long status = 0;

	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	if (json != NULL)
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
	cr_assert_eq(curl_easy_perform(e), CURLE_OK, "control port %s", url);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	cr_assert(status >= 200 && status < 300, "control %s %s: %ld %s", method, path, status,
	    body ? body : "");
	curl_easy_cleanup(e);
	free(url);
	return body ? body : xstrdup("");
}

static void
control_do(const char *method, const char *path, const char *json)
{
	free(control(method, path, json));
}

/* Lines of the sandbox's request log that start with PREFIX ("POST\t/fhir/Patient"). */
static int
log_count(const char *prefix)
{
	char *log = control("GET", "/log", NULL);
	int n = 0;

	for (char *line = log; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (strncmp(line, prefix, strlen(prefix)) == 0)
			n++;
	free(log);
	return n;
}

/* The client and FHIR client of the tests, over the connection PRE made (or none). */
static void
open_client(struct preconnect *pre)
{
	char *cause = NULL;
	struct http_options opts = { 0 };

	opts.tls.ca_file = xasprintf("%s/ca.pem", certs);
	opts.tls.client_cert = xasprintf("%s/frontdesk.pem", certs);
	opts.tls.client_key = xasprintf("%s/frontdesk.key", certs);
	opts.tls.client_key_pem = key;
	opts.connect_timeout_s = 10;
	opts.preconnect = pre;
	http = http_client_new(&opts, &cause);
	cr_assert_not_null(http, "%s", cause ? cause : "");
	fc = fhir_client_new(http, base, &cause);
	cr_assert_not_null(fc, "%s", cause ? cause : "");
	free((char *)opts.tls.ca_file);
	free((char *)opts.tls.client_cert);
	free((char *)opts.tls.client_key);
}

static void
setup(void)
{
	char *cause = NULL, *key_file;

	base = getenv("SANDBOX_URL");
	control_url = getenv("SANDBOX_CONTROL");
	certs = getenv("SANDBOX_CERTS");
	cr_assert(base && control_url && certs, "run from tests/integration/fhir.test");
	read_passphrase();
	key_file = xasprintf("%s/frontdesk.key", certs);
	cr_assert_eq(tlskey_decrypt(key_file, passphrase, &key, &cause), TLSKEY_OPENS,
	    "%s", cause ? cause : "");
	free(key_file);
	explicit_bzero(passphrase, sizeof passphrase);
	open_client(NULL);
	control_do("POST", "/fault/clear", NULL);
	control_do("POST", "/log/clear", NULL);
}

static void
teardown(void)
{
	fhir_client_free(&fc);
	http_client_free(&http);
	secret_free(&key);
	control_do("POST", "/fault/clear", NULL);
}

TestSuite(live, .init = setup, .fini = teardown, .timeout = 60);

/* The result of one request, taken from the callback. */
struct got {
	int calls;
	struct fhir_result r;
};

static void
take(struct fhir_result *r, void *arg)
{
	struct got *g = arg;

	g->calls++;
	g->r = *r;
	/* Keep what the result owns: clear it from the layer's copy. */
	r->resource = NULL;
	r->message = NULL;
	r->version_id = NULL;
	r->location = NULL;
}

static void
wait_for(struct got *g)
{
	http_client_run(http);
	cr_assert_eq(g->calls, 1, "the callback must run exactly once");
}

static void
got_clear(struct got *g)
{
	fhir_result_clear(&g->r);
	g->calls = 0;
}

static struct got
search(const char *type, const char *const *params)
{
	struct fhir_search *s = fhir_search_new(type);
	struct got g = { 0 };

	for (; params != NULL && params[0] != NULL; params += 2)
		fhir_search_add(s, params[0], params[1]);
	fhir_search(fc, s, take, &g);
	fhir_search_free(&s);
	wait_for(&g);
	return g;
}

static int
entry_count(const cJSON *bundle)
{
	return cJSON_GetArraySize(fhir_get_array(bundle, "entry"));
}

static const cJSON *
entry_resource(const cJSON *bundle, int i)
{
	return fhir_get_object(cJSON_GetArrayItem(fhir_get_array(bundle, "entry"), i), "resource");
}

static cJSON *
new_patient(const char *family, const char *given)
{
	cJSON *p = cJSON_CreateObject(), *names = cJSON_AddArrayToObject(p, "name"),
	      *name = cJSON_CreateObject(), *givens;

	cJSON_AddStringToObject(p, "resourceType", "Patient");
	cJSON_AddStringToObject(name, "family", family);
	givens = cJSON_AddArrayToObject(name, "given");
	cJSON_AddItemToArray(givens, cJSON_CreateString(given));
	cJSON_AddItemToArray(names, name);
	cJSON_AddStringToObject(p, "gender", "unknown");
	cJSON_AddStringToObject(p, "birthDate", "1970-01-01");
	return p;
}

static struct got
create(const cJSON *resource, const struct fhir_search *if_none_exist)
{
	struct got g = { 0 };

	fhir_create(fc, resource, if_none_exist, take, &g);
	wait_for(&g);
	return g;
}

Test(live, search_by_name_finds_chad_quigley)
{
	static const char *const p[] = { "name", "Quigley", NULL };
	struct got g = search("Patient", p);

	cr_assert_eq(g.r.status, FHIR_OK, "%s", g.r.message);
	cr_assert_geq(entry_count(g.r.resource), 1);
	cr_assert_str_eq(fhir_get_string(cJSON_GetArrayItem(fhir_get_array(entry_resource(g.r.resource, 0),
					      "name"), 0), "family"), "Quigley");
	got_clear(&g);
}

Test(live, awkward_search_input_is_encoded_not_interpreted)
{
	const char *family = "O'Brien & S\xc3\xb8n #1 %2F+x=y";
	cJSON *p = new_patient(family, "Zo\xc3\xab");
	struct got made = create(p, NULL), found;
	const char *id;
	char *injection;

	cr_assert_eq(made.r.status, FHIR_OK, "%s", made.r.message);
	id = fhir_get_string(made.r.resource, "id");
	{
		const char *const params[] = { "family:exact", family, NULL };

		found = search("Patient", params);
	}
	cr_assert_eq(found.r.status, FHIR_OK, "%s", found.r.message);
	cr_assert_eq(entry_count(found.r.resource), 1, "exactly the patient with the awkward name");
	cr_assert_str_eq(fhir_get_string(entry_resource(found.r.resource, 0), "id"), id);
	got_clear(&found);

	/* A value that looks like another parameter stays a value. */
	injection = xasprintf("nobody&_id=%s", id);
	{
		const char *const params[] = { "name", injection, NULL };

		found = search("Patient", params);
	}
	cr_assert_eq(found.r.status, FHIR_OK, "%s", found.r.message);
	cr_assert_eq(entry_count(found.r.resource), 0, "the _id must not have been injected");
	got_clear(&found);
	free(injection);
	got_clear(&made);
	cJSON_Delete(p);
}

Test(live, create_then_read_then_conditional_read)
{
	cJSON *p = new_patient("Readback", "Rita");
	struct got made = create(p, NULL), read = { 0 };
	char *id;

	cr_assert_eq(made.r.status, FHIR_OK, "%s", made.r.message);
	cr_assert_eq(made.r.http_status, 201);
	cr_assert_str_eq(made.r.version_id, "1");
	id = xstrdup(fhir_get_string(made.r.resource, "id"));
	cr_assert_not_null(made.r.location);
	cr_assert_not_null(strstr(made.r.location, id), "Location %s names the new id", made.r.location);

	fhir_read(fc, "Patient", id, NULL, take, &read);
	wait_for(&read);
	cr_assert_eq(read.r.status, FHIR_OK, "%s", read.r.message);
	cr_assert_str_eq(read.r.version_id, "1");
	got_clear(&read);

	fhir_read(fc, "Patient", id, "1", take, &read);
	wait_for(&read);
	cr_assert_eq(read.r.status, FHIR_NOT_MODIFIED);
	cr_assert_null(read.r.resource);
	got_clear(&read);
	free(id);
	got_clear(&made);
	cJSON_Delete(p);
}

Test(live, update_needs_the_current_version)
{
	cJSON *p = new_patient("Conflict", "Carl"), *edit;
	struct got made = create(p, NULL), up = { 0 }, read = { 0 };
	const cJSON *telecom;

	cr_assert_eq(made.r.status, FHIR_OK, "%s", made.r.message);
	edit = cJSON_Duplicate(made.r.resource, 1);
	telecom = cJSON_AddArrayToObject(edit, "telecom");
	cJSON_AddItemToArray((cJSON *)telecom,
	    cJSON_Parse("{\"system\":\"phone\",\"value\":\"555-0101\"}"));
	fhir_update(fc, edit, "1", take, &up);
	wait_for(&up);
	cr_assert_eq(up.r.status, FHIR_OK, "%s", up.r.message);
	cr_assert_str_eq(up.r.version_id, "2");
	got_clear(&up);

	/* A second clerk still holding version 1 must not overwrite version 2. */
	cJSON_ReplaceItemInObject(edit, "telecom",
	    cJSON_Parse("[{\"system\":\"phone\",\"value\":\"555-0199\"}]"));
	fhir_update(fc, edit, "1", take, &up);
	wait_for(&up);
	cr_assert_eq(up.r.status, FHIR_CONFLICT, "got %d: %s", up.r.status, up.r.message);
	cr_assert_eq(up.r.http_status, 412);
	cr_assert_not_null(up.r.message);
	got_clear(&up);

	fhir_read(fc, "Patient", fhir_get_string(made.r.resource, "id"), NULL, take, &read);
	wait_for(&read);
	cr_assert_str_eq(read.r.version_id, "2");
	cr_assert_str_eq(fhir_get_string(cJSON_GetArrayItem(fhir_get_array(read.r.resource, "telecom"), 0),
			     "value"), "555-0101");
	got_clear(&read);

	/* The layer refuses to send an update without a version at all. */
	fhir_update(fc, edit, NULL, take, &up);
	cr_assert_eq(up.calls, 1);
	cr_assert_eq(up.r.status, FHIR_TRANSPORT);
	got_clear(&up);
	cJSON_Delete(edit);
	got_clear(&made);
	cJSON_Delete(p);
}

Test(live, if_none_exist_makes_one_record_however_often_sent)
{
	cJSON *p = new_patient("Once", "Olga");
	struct fhir_search *guard = fhir_search_new("Patient");
	struct got a, b, found;
	char value[64];

	snprintf(value, sizeof value, "ONCE-%ld", (long)time(NULL));
	cJSON_AddItemToObject(p, "identifier", cJSON_CreateArray());
	cJSON_AddItemToArray(cJSON_GetObjectItem(p, "identifier"), cJSON_CreateObject());
	cJSON_AddStringToObject(cJSON_GetArrayItem(cJSON_GetObjectItem(p, "identifier"), 0), "system",
	    "urn:ehrterm:test");
	cJSON_AddStringToObject(cJSON_GetArrayItem(cJSON_GetObjectItem(p, "identifier"), 0), "value", value);
	{
		char *ident = xasprintf("urn:ehrterm:test|%s", value);

		fhir_search_add(guard, "identifier", ident);
		free(ident);
	}
	a = create(p, guard);
	b = create(p, guard);
	cr_assert_eq(a.r.status, FHIR_OK, "%s", a.r.message);
	cr_assert_eq(b.r.status, FHIR_OK, "%s", b.r.message);
	cr_assert_str_eq(fhir_get_string(a.r.resource, "id"), fhir_get_string(b.r.resource, "id"));
	{
		char *ident = xasprintf("urn:ehrterm:test|%s", value);
		const char *const params[] = { "identifier", ident, NULL };

		found = search("Patient", params);
		free(ident);
	}
	cr_assert_eq(entry_count(found.r.resource), 1);
	got_clear(&found);
	got_clear(&a);
	got_clear(&b);
	fhir_search_free(&guard);
	cJSON_Delete(p);
}

/* A free Slot, taken from a search; the caller frees it. */
static cJSON *
free_slot(int skip)
{
	static const char *const p[] = { "status", "free", "_count", "5", NULL };
	struct got g = search("Slot", p);
	cJSON *slot;

	cr_assert_eq(g.r.status, FHIR_OK, "%s", g.r.message);
	cr_assert_gt(entry_count(g.r.resource), skip, "the sandbox has free slots");
	slot = cJSON_Duplicate(entry_resource(g.r.resource, skip), 1);
	got_clear(&g);
	return slot;
}

static cJSON *
booking(const cJSON *slot, const char *if_match, const char *marker)
{
	char *text = xasprintf(
	    "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
	    "{\"request\":{\"method\":\"PUT\",\"url\":\"Slot/%s\",\"ifMatch\":\"W/\\\"%s\\\"\"}},"
	    "{\"fullUrl\":\"urn:uuid:0b7d3d55-7b7e-4c4c-9f55-2a4f3e6d1a01\","
	    "\"resource\":{\"resourceType\":\"Appointment\",\"status\":\"booked\","
	    "\"description\":\"%s\",\"start\":\"%s\",\"end\":\"%s\","
	    "\"slot\":[{\"reference\":\"Slot/%s\"}],"
	    "\"participant\":[{\"actor\":{\"display\":\"test\"},\"status\":\"accepted\"}]},"
	    "\"request\":{\"method\":\"POST\",\"url\":\"Appointment\"}}]}",
	    fhir_get_string(slot, "id"), if_match, marker, fhir_get_string(slot, "start"),
	    fhir_get_string(slot, "end"), fhir_get_string(slot, "id"));
	cJSON *bundle = cJSON_Parse(text), *put_slot = cJSON_Duplicate(slot, 1);

	cJSON_ReplaceItemInObject(put_slot, "status", cJSON_CreateString("busy"));
	cJSON_AddItemToObject(cJSON_GetArrayItem(cJSON_GetObjectItem(bundle, "entry"), 0), "resource",
	    put_slot);
	free(text);
	return bundle;
}

static int
appointments_marked(const char *marker)
{
	/* The sandbox's Appointment search by description is not standard; scan instead. */
	static const char *const p[] = { "_count", "1000", NULL };
	struct got g = search("Appointment", p);
	int n = 0;

	for (int i = 0; i < entry_count(g.r.resource); i++) {
		const char *d = fhir_get_string(entry_resource(g.r.resource, i), "description");

		n += d != NULL && strcmp(d, marker) == 0;
	}
	got_clear(&g);
	return n;
}

Test(live, transaction_books_or_changes_nothing)
{
	cJSON *slot = free_slot(0), *bundle;
	const char *vid = fhir_get_string(fhir_get_object(slot, "meta"), "versionId");
	struct got g = { 0 };
	char marker[64];

	cr_assert_not_null(vid);
	/* A stale version: the whole transaction fails, and no Appointment is left behind. */
	snprintf(marker, sizeof marker, "stale-%ld", (long)time(NULL));
	bundle = booking(slot, "999", marker);
	fhir_bundle(fc, bundle, take, &g);
	wait_for(&g);
	cr_assert_eq(g.r.status, FHIR_CONFLICT, "got %d (%ld): %s", g.r.status, g.r.http_status,
	    g.r.message);
	cr_assert_eq(appointments_marked(marker), 0, "a failed transaction must change nothing");
	got_clear(&g);
	cJSON_Delete(bundle);

	/* The current version: the slot is taken and the appointment made, together. */
	snprintf(marker, sizeof marker, "booked-%ld", (long)time(NULL));
	bundle = booking(slot, vid, marker);
	fhir_bundle(fc, bundle, take, &g);
	wait_for(&g);
	cr_assert_eq(g.r.status, FHIR_OK, "%s", g.r.message);
	cr_assert_str_eq(fhir_get_string(g.r.resource, "type"), "transaction-response");
	cr_assert_eq(appointments_marked(marker), 1);
	got_clear(&g);

	/* The same booking again now fails: the slot's version moved on. */
	fhir_bundle(fc, bundle, take, &g);
	wait_for(&g);
	cr_assert_eq(g.r.status, FHIR_CONFLICT, "%s", g.r.message);
	cr_assert_eq(appointments_marked(marker), 1);
	got_clear(&g);
	cJSON_Delete(bundle);
	cJSON_Delete(slot);
}

Test(live, paging_visits_every_result_once_and_stays_home)
{
	static const char *const count_params[] = { "_summary", "count", NULL };
	static const char *const page_params[] = { "_count", "3", "_elements", "id", NULL };
	struct got total = search("Patient", count_params), page = search("Patient", page_params);
	int expected, seen = 0, pages = 0;
	char **ids;

	cr_assert_eq(total.r.status, FHIR_OK, "%s", total.r.message);
	expected = cJSON_GetObjectItem(total.r.resource, "total")->valueint;
	cr_assert_gt(expected, 3, "enough patients to need pages");
	ids = xcalloc((size_t)expected + 1, sizeof *ids);
	while (page.r.status == FHIR_OK) {
		const char *next = fhir_bundle_link(page.r.resource, "next");
		char *next_copy;

		pages++;
		for (int i = 0; i < entry_count(page.r.resource); i++) {
			const char *id = fhir_get_string(entry_resource(page.r.resource, i), "id");

			cr_assert_lt(seen, expected, "more results than the total");
			for (int k = 0; k < seen; k++)
				cr_assert_str_neq(ids[k], id, "result %s seen twice", id);
			ids[seen++] = xstrdup(id);
		}
		if (next == NULL)
			break;
		cr_assert(fhir_url_under_base(base, next), "the sandbox's next link %s", next);
		next_copy = xstrdup(next);
		got_clear(&page);
		fhir_get_page(fc, next_copy, take, &page);
		free(next_copy);
		wait_for(&page);
	}
	cr_assert_eq(page.r.status, FHIR_OK, "%s", page.r.message);
	cr_assert_eq(seen, expected);
	cr_assert_eq(pages, (expected + 2) / 3);
	for (int k = 0; k < seen; k++)
		free(ids[k]);
	free(ids);
	got_clear(&page);
	got_clear(&total);
}

Test(live, a_next_link_to_another_host_is_not_followed)
{
	struct got g = { 0 };
	int before = log_count("GET\t");
	char *elsewhere = xasprintf("https://example.org%s", strstr(base + 8, "/"));

	fhir_get_page(fc, elsewhere, take, &g);
	cr_assert_eq(g.calls, 1, "refused at once, without the network");
	cr_assert_eq(g.r.status, FHIR_TRANSPORT);
	cr_assert_not_null(strstr(g.r.message, "not under the configured base_url"), "%s", g.r.message);
	cr_assert_eq(http_pending(http), 0);
	cr_assert_eq(log_count("GET\t"), before);
	got_clear(&g);
	free(elsewhere);
}

Test(live, responses_arrive_compressed)
{
	static const char *const p[] = { "_count", "50", NULL };
	struct got g = search("Observation", p);

	cr_assert_eq(g.r.status, FHIR_OK, "%s", g.r.message);
	cr_assert_lt(g.r.stats.bytes_received, 20000, "50 observations gzip well: %llu bytes",
	    (unsigned long long)g.r.stats.bytes_received);
	cr_assert_eq(g.r.stats.round_trips, 1);
	got_clear(&g);
}

/* A Patient of about 2.7 kB of JSON: forty identifiers, as a merged record may carry. */
static cJSON *
big_patient(const char *family, size_t *json_len)
{
	cJSON *p = new_patient(family, "Gail"), *ids = cJSON_AddArrayToObject(p, "identifier");
	char value[32], *json;

	for (int i = 0; i < 40; i++) {
		cJSON *id = cJSON_CreateObject();

		snprintf(value, sizeof value, "GZ-%05d", i * 7919);
		cJSON_AddStringToObject(id, "system", "urn:oid:2.16.840.1.113883.19.5");
		cJSON_AddStringToObject(id, "value", value);
		cJSON_AddItemToArray(ids, id);
	}
	json = cJSON_PrintUnformatted(p);
	*json_len = strlen(json);
	cJSON_free(json);
	return p;
}

Test(live, write_bodies_go_gzipped_and_plain_once_the_server_refuses_gzip)
{
	size_t plain;
	cJSON *p = big_patient("Gzipped", &plain);
	struct got g, read = { 0 };

	cr_assert_gt(plain, 2000);
	g = create(p, NULL);
	cr_assert_eq(g.r.status, FHIR_OK, "%s", g.r.message);
	cr_assert_lt(g.r.stats.bytes_sent, plain, "headers and gzipped body (%llu B) under the plain body (%zu B)",
	    (unsigned long long)g.r.stats.bytes_sent, plain);
	fhir_read(fc, "Patient", fhir_get_string(g.r.resource, "id"), NULL, take, &read);
	wait_for(&read);
	cr_assert_eq(read.r.status, FHIR_OK, "%s", read.r.message);
	cr_assert_eq(cJSON_GetArraySize(fhir_get_array(read.r.resource, "identifier")), 40,
	    "the server read every identifier of the gzipped body");
	got_clear(&read);
	got_clear(&g);

	/* A server without request decompression answers 415: sent again plain, once. */
	control_do("POST", "/fault", "{\"mode\":\"415\",\"count\":1,\"match\":\"POST /fhir/Patient\"}");
	g = create(p, NULL);
	cr_assert_eq(g.r.status, FHIR_OK, "%s", g.r.message);
	cr_assert_eq(g.r.stats.round_trips, 2, "the 415, then the plain body");
	cr_assert_gt(g.r.stats.bytes_sent, plain);
	cr_assert_eq(log_count("POST\t/fhir/Patient"), 3);
	got_clear(&g);

	/* The rest of the session sends plain bodies: no 415 round trip each time. */
	g = create(p, NULL);
	cr_assert_eq(g.r.status, FHIR_OK, "%s", g.r.message);
	cr_assert_eq(g.r.stats.round_trips, 1);
	cr_assert_gt(g.r.stats.bytes_sent, plain);
	got_clear(&g);
	cJSON_Delete(p);
}

Test(live, reads_retry_after_503_and_429)
{
	struct got g = { 0 };

	control_do("POST", "/fault", "{\"mode\":\"503\",\"count\":1,\"retryAfter\":1,\"match\":\"GET /fhir/metadata\"}");
	fhir_metadata(fc, take, &g);
	wait_for(&g);
	cr_assert_eq(g.r.status, FHIR_OK, "%s", g.r.message);
	cr_assert_eq(g.r.stats.round_trips, 2, "one 503, then the answer");
	cr_assert_geq(g.r.seconds, 0.9, "Retry-After was honoured");
	got_clear(&g);

	control_do("POST", "/fault", "{\"mode\":\"429\",\"count\":2,\"retryAfter\":0,\"match\":\"GET /fhir/metadata\"}");
	fhir_metadata(fc, take, &g);
	wait_for(&g);
	cr_assert_eq(g.r.status, FHIR_OK, "%s", g.r.message);
	cr_assert_eq(g.r.stats.round_trips, 3);
	got_clear(&g);
}

Test(live, reads_retry_a_dropped_connection)
{
	struct got g = { 0 };

	control_do("POST", "/fault", "{\"mode\":\"drop\",\"count\":1,\"match\":\"GET /fhir/metadata\"}");
	fhir_metadata(fc, take, &g);
	wait_for(&g);
	cr_assert_eq(g.r.status, FHIR_OK, "%s", g.r.message);
	cr_assert_eq(g.r.stats.round_trips, 2);
	got_clear(&g);
}

/* The last field (tls: "full" or "resumed") of each request log line starting with PREFIX,
 * joined by spaces, into OUT. */
static void
log_tls(const char *prefix, char *out, size_t size)
{
	char *log = control("GET", "/log", NULL);
	size_t used = 0;

	out[0] = '\0';
	for (char *line = log; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		char *end = strchr(line, '\n'), *field;

		if (strncmp(line, prefix, strlen(prefix)) != 0 || end == NULL)
			continue;
		*end = '\0';
		/* The tls field is the log's tenth (tests/sandbox/README.md); more may follow it. */
		field = line;
		for (int k = 1; k < 10 && field != NULL; k++)
			field = strchr(field, '\t') ? strchr(field, '\t') + 1 : NULL;
		used += (size_t)snprintf(out + used, size - used, "%s%.*s", used ? " " : "",
		    field ? (int)strcspn(field, "\t") : 1, field ? field : "?");
		*end = '\n';
		if (used >= size)
			break;
	}
	free(log);
}

/* A connection a NAT or a modem dropped comes back with its TLS session resumed. */
Test(live, a_dropped_connection_resumes_its_tls_session)
{
	struct got g = { 0 };
	char tls[256];

	fhir_metadata(fc, take, &g);
	wait_for(&g);
	cr_assert_eq(g.r.status, FHIR_OK, "%s", g.r.message);
	got_clear(&g);
	control_do("POST", "/close-idle", NULL);
	usleep(200 * 1000);
	fhir_metadata(fc, take, &g);
	wait_for(&g);
	cr_assert_eq(g.r.status, FHIR_OK, "%s", g.r.message);
	got_clear(&g);
	log_tls("GET\t/fhir/metadata", tls, sizeof tls);
	cr_assert_str_eq(tls, "full resumed", "the second connection resumed the first's session: %s", tls);
}

/* A batch of GETs reads, though it is POSTed: it is retried; a transaction is not. */
Test(live, a_batch_of_reads_is_retried_a_transaction_is_not)
{
	cJSON *batch = cJSON_Parse("{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":["
				   "{\"request\":{\"method\":\"GET\",\"url\":\"Patient?name=Quigley\"}}]}");
	cJSON *tx = cJSON_Parse("{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[]}");
	struct got g = { 0 };

	control_do("POST", "/fault", "{\"mode\":\"drop\",\"count\":1,\"match\":\"POST /fhir\"}");
	fhir_bundle(fc, batch, take, &g);
	wait_for(&g);
	cr_assert_eq(g.r.status, FHIR_OK, "%s", g.r.message);
	cr_assert_eq(g.r.stats.round_trips, 2, "dropped once, then answered");
	got_clear(&g);

	control_do("POST", "/fault", "{\"mode\":\"503\",\"count\":1,\"retryAfter\":0,\"match\":\"POST /fhir\"}");
	fhir_bundle(fc, tx, take, &g);
	wait_for(&g);
	cr_assert_eq(g.r.status, FHIR_SERVER_ERROR);
	cr_assert_eq(g.r.stats.round_trips, 1, "a transaction is never sent twice");
	got_clear(&g);
	cJSON_Delete(batch);
	cJSON_Delete(tx);
}

Test(live, a_server_error_is_not_retried)
{
	struct got g = { 0 };

	control_do("POST", "/fault", "{\"mode\":\"500\",\"count\":1,\"match\":\"GET /fhir/metadata\"}");
	fhir_metadata(fc, take, &g);
	wait_for(&g);
	cr_assert_eq(g.r.status, FHIR_SERVER_ERROR);
	cr_assert_eq(g.r.stats.round_trips, 1);
	got_clear(&g);
}

Test(live, a_write_is_never_sent_twice)
{
	cJSON *p = new_patient("Dropped", "Dora");
	struct got g;

	control_do("POST", "/fault", "{\"mode\":\"drop\",\"count\":1,\"match\":\"POST /fhir/Patient\"}");
	g = create(p, NULL);
	cr_assert_eq(g.r.status, FHIR_TRANSPORT, "the answer was lost, so the caller must be told");
	cr_assert_eq(g.r.http_error, HTTP_ERR_NETWORK);
	cr_assert_eq(g.r.stats.round_trips, 1);
	cr_assert_eq(log_count("POST\t/fhir/Patient"), 1, "the server saw the write exactly once");
	got_clear(&g);
	cJSON_Delete(p);
}

Test(live, huge_and_bomb_responses_are_refused)
{
	static const char *const modes[] = {
		"{\"mode\":\"oversize\",\"count\":4,\"match\":\"GET /fhir/metadata\"}",
		"{\"mode\":\"gzip-bomb\",\"count\":4,\"match\":\"GET /fhir/metadata\"}",
	};

	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		struct got g = { 0 };

		control_do("POST", "/fault/clear", NULL);
		control_do("POST", "/fault", modes[i]);
		fhir_metadata(fc, take, &g);
		wait_for(&g);
		cr_assert_eq(g.r.status, FHIR_TRANSPORT, "case %zu: %d", i, g.r.status);
		cr_assert_eq(g.r.http_error, HTTP_ERR_SERVER, "case %zu: %s", i, g.r.message);
		cr_assert_not_null(strstr(g.r.message, "limit"), "%s", g.r.message);
		got_clear(&g);
	}
}

Test(live, deep_json_is_refused_without_a_crash)
{
	struct got g = { 0 };

	control_do("POST", "/fault", "{\"mode\":\"deep-nesting\",\"count\":1,\"match\":\"GET /fhir/metadata\"}");
	fhir_metadata(fc, take, &g);
	wait_for(&g);
	cr_assert_eq(g.r.status, FHIR_BAD_RESPONSE, "got %d: %s", g.r.status, g.r.message);
	got_clear(&g);
}

Test(live, cancel_calls_back_once)
{
	struct got g = { 0 };
	uint64_t id;

	control_do("POST", "/fault", "{\"mode\":\"delay\",\"count\":1,\"ms\":3000,\"match\":\"GET /fhir/metadata\"}");
	id = fhir_metadata(fc, take, &g);
	cr_assert_neq(id, 0);
	http_client_pump(http);
	http_cancel(http, id);
	cr_assert_eq(g.calls, 1);
	cr_assert_eq(g.r.http_error, HTTP_ERR_CANCELLED);
	cr_assert_eq(http_pending(http), 0);
	http_client_run(http);
	cr_assert_eq(g.calls, 1, "no second callback after a cancel");
	got_clear(&g);
}

/*
 * The TCP connection opened while the passphrase was typed carries the session's first
 * request: libcurl makes no connection of its own, so the first request costs the TLS
 * handshake and itself, not a TCP round trip more.
 */
Test(live, the_connection_opened_behind_the_prompt_carries_the_first_request)
{
	static const char *const params[] = { "name", "quigley", NULL };
	struct preconnect *pre = preconnect_start(base, NULL, 10);
	struct got g;

	cr_assert_not_null(pre, "an https URL without a proxy is connected ahead");
	for (int i = 0; i < 500 && !preconnect_ready(pre); i++)
		usleep(10000);
	cr_assert(preconnect_ready(pre), "the sandbox accepted the connection");
	fhir_client_free(&fc);
	http_client_free(&http);
	open_client(pre);
	g = search("Patient", params);
	cr_assert_eq(g.r.status, FHIR_OK, "%s", g.r.message ? g.r.message : "");
	cr_assert_geq(entry_count(g.r.resource), 1, "Chad Quigley is found over that connection");
	cr_assert(http_client_preconnected(http), "the first connection was the one made ahead");
	got_clear(&g);
}

/* With a proxy, nothing is connected ahead: the round trip that matters is past the proxy. */
Test(live, nothing_is_connected_ahead_through_a_proxy)
{
	cr_assert_null(preconnect_start(base, "http://127.0.0.1:9", 10));
	cr_assert_null(preconnect_start("http://localhost:1/fhir", NULL, 10), "https only");
	cr_assert_null(preconnect_start("not a url", NULL, 10));
}
