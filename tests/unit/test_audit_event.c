/* AuditEvents from the audit trail's events: the vocabularies, agents, entities, the batch. */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "fhir/audit-event.h"
#include "fhir/fhir.h"

static const char *
str(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *
obj(const cJSON *o, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(o, name);
}

static const cJSON *
item(const cJSON *o, const char *name, int i)
{
	return cJSON_GetArrayItem(obj(o, name), i);
}

static cJSON *
make(const char *action, const char *type, const char *const *ids, size_t n)
{
	struct audit_event ev = {.action = action,
	    .type = type,
	    .ids = ids,
	    .nids = n,
	    .user = "frontdesk",
	    .workstation = "desk-3",
	    .site = "sandbox",
	    .recorded = 1796000000, /* 2026-11-30T00:53:20Z */
	    .key = "0f8fad5b-d9cb-469f-a165-70867728950e"};
	cJSON *r = audit_event_new(&ev);

	cr_assert_not_null(r, "no AuditEvent for %s", action);
	return r;
}

Test(audit_event, a_patient_view_is_a_rest_read_by_the_user_at_the_workstation)
{
	static const char *const ids[] = {"123"};
	cJSON *r = make("view", "Patient", ids, 1);
	const cJSON *user = item(r, "agent", 0), *ws = item(r, "agent", 1),
	            *e = item(r, "entity", 0);

	cr_assert_str_eq(str(r, "resourceType"), "AuditEvent");
	cr_assert_str_eq(str(obj(r, "type"), "system"),
	    "http://terminology.hl7.org/CodeSystem/audit-event-type");
	cr_assert_str_eq(str(obj(r, "type"), "code"), "rest");
	cr_assert_str_eq(
	    str(item(r, "subtype", 0), "system"), "http://hl7.org/fhir/restful-interaction");
	cr_assert_str_eq(str(item(r, "subtype", 0), "code"), "read");
	cr_assert_str_eq(str(item(r, "subtype", 1), "code"), "view");
	cr_assert_str_eq(str(r, "action"), "R");
	cr_assert_str_eq(str(r, "outcome"), "0");
	cr_assert_str_eq(str(r, "recorded"), "2026-11-30T00:53:20Z");
	/* The user: the certificate's CN, the one who asked. */
	cr_assert_str_eq(str(obj(obj(user, "who"), "identifier"), "value"), "frontdesk");
	cr_assert_str_eq(str(obj(user, "who"), "display"), "frontdesk");
	cr_assert(cJSON_IsTrue(obj(user, "requestor")));
	cr_assert_str_eq(
	    str(cJSON_GetArrayItem(obj(obj(user, "type"), "coding"), 0), "code"), "IRCP");
	/* The workstation, by its host name. */
	cr_assert_str_eq(str(obj(ws, "who"), "display"), "desk-3");
	cr_assert_str_eq(str(obj(ws, "network"), "address"), "desk-3");
	cr_assert(cJSON_IsFalse(obj(ws, "requestor")));
	cr_assert_str_eq(
	    str(cJSON_GetArrayItem(obj(obj(ws, "type"), "coding"), 0), "code"), "110153");
	cr_assert_str_eq(str(obj(obj(r, "source"), "observer"), "display"), "desk-3");
	cr_assert_str_eq(str(obj(r, "source"), "site"), "sandbox");
	/* The record, as a reference; a Patient is a person whose role is patient. */
	cr_assert_eq(cJSON_GetArraySize(obj(r, "entity")), 1);
	cr_assert_str_eq(str(obj(e, "what"), "reference"), "Patient/123");
	cr_assert_str_eq(str(obj(e, "type"), "code"), "1");
	cr_assert_str_eq(str(obj(e, "role"), "code"), "1");
	/* The idempotency key, where If-None-Exist finds it. */
	cr_assert_str_eq(str(item(obj(r, "meta"), "tag", 0), "system"), AUDIT_EVENT_TAG_SYSTEM);
	cr_assert_str_eq(
	    str(item(obj(r, "meta"), "tag", 0), "code"), "0f8fad5b-d9cb-469f-a165-70867728950e");
	cJSON_Delete(r);
}

struct kind_case {
	char action[16];
	char type_code[8];
	char sub_code[16];
	char act[2];
	char outcome[2];
	bool record;
};

ParameterizedTestParameters(audit_event, each_action_has_its_type_subtype_and_outcome)
{
	static struct kind_case cases[] = {
	    {"login", "110114", "110122", "E", "0", false},
	    {"login-failed", "110114", "110122", "E", "4", false},
	    {"logout", "110114", "110123", "E", "0", false},
	    {"lock", "110114", "110123", "E", "0", false},
	    {"unlock", "110114", "110122", "E", "0", false},
	    {"unlock-failed", "110114", "110122", "E", "4", false},
	    {"view", "rest", "read", "R", "0", true},
	    {"search", "rest", "search-type", "E", "0", true},
	    {"create", "rest", "create", "C", "0", true},
	    {"update", "rest", "update", "U", "0", true},
	    {"delete", "rest", "delete", "D", "0", true},
	    {"book", "rest", "create", "C", "0", true},
	    {"cancel", "rest", "update", "U", "0", true},
	    {"reschedule", "rest", "update", "U", "0", true},
	    {"no-show", "rest", "update", "U", "0", true},
	    {"check-in", "rest", "update", "U", "0", true},
	    {"check-out", "rest", "update", "U", "0", true},
	    {"room", "rest", "update", "U", "0", true},
	    {"export", "110106", "read", "R", "0", true},
	};
	return cr_make_param_array(struct kind_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct kind_case *c, audit_event, each_action_has_its_type_subtype_and_outcome)
{
	static const char *const ids[] = {"a1"};
	cJSON *r = make(c->action, c->record ? "Appointment" : NULL, ids, c->record ? 1 : 0);

	cr_assert_str_eq(str(obj(r, "type"), "code"), c->type_code);
	cr_assert_str_eq(str(item(r, "subtype", 0), "code"), c->sub_code);
	cr_assert_str_eq(str(item(r, "subtype", 1), "system"), AUDIT_EVENT_ACTION_SYSTEM);
	cr_assert_str_eq(str(item(r, "subtype", 1), "code"), c->action);
	cr_assert_str_eq(str(r, "action"), c->act);
	cr_assert_str_eq(str(r, "outcome"), c->outcome);
	cr_assert_eq(obj(r, "entity") != NULL, c->record);
	if (c->record) {
		cr_assert_str_eq(
		    str(obj(item(r, "entity", 0), "what"), "reference"), "Appointment/a1");
		cr_assert_str_eq(str(obj(item(r, "entity", 0), "role"), "code"), "4");
	}
	cJSON_Delete(r);
}

Test(audit_event, every_action_of_the_trail_but_server_full_has_an_audit_event)
{
	for (size_t i = 0; audit_action_name(i) != NULL; i++) {
		struct audit_event ev = {.action = audit_action_name(i),
		    .user = "u",
		    .workstation = "w",
		    .site = "s",
		    .key = "k"};
		cJSON *r = audit_event_new(&ev);

		if (strcmp(ev.action, "server-full") == 0)
			cr_assert_null(r, "server-full is the local trail's own: never sent");
		else
			cr_assert_not_null(r, "%s has no AuditEvent", ev.action);
		cJSON_Delete(r);
	}
	cr_assert_null(audit_event_new(&(struct audit_event){.action = "veiw"}));
	cr_assert_null(audit_event_new(&(struct audit_event){.action = NULL}));
}

Test(audit_event, a_screen_of_patients_is_one_event_with_an_entity_each)
{
	static const char *const ids[] = {"p1", "p2", "bad id/../x", ""};
	cJSON *r = make("view", "Patient", ids, 4);

	cr_assert_eq(cJSON_GetArraySize(obj(r, "entity")), 4);
	cr_assert_str_eq(str(obj(item(r, "entity", 0), "what"), "reference"), "Patient/p1");
	cr_assert_str_eq(str(obj(item(r, "entity", 1), "what"), "reference"), "Patient/p2");
	/* An id that is not a FHIR id is never made into a reference the server might follow. */
	for (int i = 2; i < 4; i++) {
		const cJSON *e = item(r, "entity", i);

		cr_assert_null(str(obj(e, "what"), "reference"));
		cr_assert_str_eq(str(obj(e, "what"), "type"), "Patient");
		cr_assert_not_null(str(e, "description"));
	}
	cJSON_Delete(r);
}

Test(audit_event, a_search_names_the_type_and_never_the_terms)
{
	cJSON *r = make("search", "Patient", NULL, 0);
	char *text = cJSON_PrintUnformatted(r);

	cr_assert_eq(cJSON_GetArraySize(obj(r, "entity")), 1);
	cr_assert_str_eq(str(obj(item(r, "entity", 0), "what"), "type"), "Patient");
	cr_assert_null(obj(item(r, "entity", 0), "query"));
	cr_assert_str_eq(str(r, "action"), "E");
	free(text);
	cJSON_Delete(r);
}

Test(audit_event, a_strange_cn_or_host_is_sent_as_valid_utf8)
{
	struct audit_event ev = {.action = "login",
	    .user = "Jos\xc3\xa9 \xff\x01x",
	    .workstation = "h\xc0\xafst",
	    .site = "s",
	    .key = "k"};
	cJSON *r = audit_event_new(&ev);
	const char *who = str(obj(item(r, "agent", 0), "who"), "display");

	cr_assert_str_eq(who, "Jos\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbdx");
	cr_assert_str_eq(
	    str(obj(obj(r, "source"), "observer"), "display"), "h\xef\xbf\xbd\xef\xbf\xbdst");
	cJSON_Delete(r);
}

Test(audit_event, a_batch_entry_is_a_create_guarded_by_the_key)
{
	cJSON *entries, *batch = fhir_batch_new(&entries), *r = make("login", NULL, NULL, 0);
	const cJSON *e, *req;

	audit_event_batch_add(entries, r, "0f8fad5b-d9cb-469f-a165-70867728950e");
	e = cJSON_GetArrayItem(entries, 0);
	req = obj(e, "request");
	cr_assert_str_eq(str(batch, "type"), "batch");
	cr_assert_str_eq(str(req, "method"), "POST");
	cr_assert_str_eq(str(req, "url"), "AuditEvent");
	cr_assert_str_eq(str(req, "ifNoneExist"),
	    "_tag=" AUDIT_EVENT_TAG_SYSTEM "|0f8fad5b-d9cb-469f-a165-70867728950e");
	cr_assert_str_eq(str(obj(e, "resource"), "resourceType"), "AuditEvent");
	cr_assert_not(
	    fhir_bundle_reads_only(batch), "a batch of creates is no read to resend blindly");
	cJSON_Delete(batch);
	cJSON_Delete(r);
}

/* A batch-response of the given statuses ("201 Created", NULL for an entry with no status). */
static cJSON *
response(const char *const *statuses, size_t n)
{
	cJSON *b = cJSON_CreateObject(), *entries;

	cJSON_AddStringToObject(b, "resourceType", "Bundle");
	cJSON_AddStringToObject(b, "type", "batch-response");
	entries = cJSON_AddArrayToObject(b, "entry");
	for (size_t i = 0; i < n; i++) {
		cJSON *e = cJSON_CreateObject(), *resp = cJSON_AddObjectToObject(e, "response");

		if (statuses[i] != NULL)
			cJSON_AddStringToObject(resp, "status", statuses[i]);
		if (statuses[i] != NULL && statuses[i][0] == '4') {
			cJSON *oo = cJSON_Parse("{\"resourceType\":\"OperationOutcome\",\"issue\":"
			                        "[{\"severity\":\"error\",\"code\":\"invalid\","
			                        "\"diagnostics\":\"bad event\"}]}");
			cJSON_AddItemToObject(resp, "outcome", oo);
		}
		cJSON_AddItemToArray(entries, e);
	}
	return b;
}

Test(audit_event, each_entry_of_the_answer_is_stored_kept_or_refused)
{
	static const char *const st[] = {
	    "201 Created", "200 OK", "500", "429", "400", "403", NULL, "412", "2x1"};
	static const enum audit_event_fate want[] = {AUDIT_EVENT_STORED, AUDIT_EVENT_STORED,
	    AUDIT_EVENT_RETRY, AUDIT_EVENT_RETRY, AUDIT_EVENT_REFUSED, AUDIT_EVENT_REFUSED,
	    AUDIT_EVENT_RETRY, AUDIT_EVENT_STORED, AUDIT_EVENT_RETRY};
	size_t n = sizeof st / sizeof st[0];
	cJSON *b = response(st, n);

	for (size_t i = 0; i < n; i++) {
		char *why = NULL;

		cr_assert_eq(audit_event_fate(b, n, i, &why), want[i], "entry %zu (%s)", i,
		    st[i] ? st[i] : "none");
		if (want[i] == AUDIT_EVENT_REFUSED) {
			cr_assert_not_null(why);
			cr_assert_not_null(strstr(why, "refused an audit event"), "%s", why);
		} else {
			cr_assert_null(why);
		}
		free(why);
	}
	cJSON_Delete(b);
}

Test(audit_event, an_answer_that_does_not_match_the_batch_keeps_everything)
{
	static const char *const st[] = {"201", "201"};
	cJSON *b = response(st, 2), *other = cJSON_Parse("{\"resourceType\":\"OperationOutcome\"}");
	char *why = NULL;

	/* One entry short, or not a batch-response: nothing can be matched to what was sent. */
	cr_assert_eq(audit_event_fate(b, 3, 0, &why), AUDIT_EVENT_RETRY);
	cr_assert_eq(audit_event_fate(other, 1, 0, &why), AUDIT_EVENT_RETRY);
	cr_assert_eq(audit_event_fate(NULL, 1, 0, &why), AUDIT_EVENT_RETRY);
	cr_assert_null(why);
	cJSON_Delete(b);
	cJSON_Delete(other);
}
