/* AuditEvent resources from the audit trail's events, and the fate of each in a batch answer. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/audit-event.h"
#include "fhir/fhir.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#define DCM "http://dicom.nema.org/resources/ontology/DCM"
#define EVENT_TYPE "http://terminology.hl7.org/CodeSystem/audit-event-type"
#define INTERACTION "http://hl7.org/fhir/restful-interaction"
#define PARTICIPATION "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
#define SECURITY_ROLE "http://terminology.hl7.org/CodeSystem/extra-security-role-type"
#define SOURCE_TYPE "http://terminology.hl7.org/CodeSystem/security-source-type"
#define ENTITY_TYPE "http://terminology.hl7.org/CodeSystem/audit-entity-type"
#define OBJECT_ROLE "http://terminology.hl7.org/CodeSystem/object-role"

/* The bytes kept of the CN, the host and the profile: as the local trail keeps them. */
#define AUDIT_EVENT_TEXT_MAX 256

enum event_kind {
	KIND_LOGIN,  /* DCM 110114 User Authentication, 110122 Login */
	KIND_LOGOUT, /* 110123 Logout */
	KIND_READ,   /* rest, read */
	KIND_SEARCH, /* rest, search-type */
	KIND_CREATE,
	KIND_UPDATE,
	KIND_DELETE,
	KIND_EXPORT,
};

// clang-format off
/* Every action of the audit trail (audit.c's table), with what it is in the vocabularies. */
static const struct event_map {
	const char *action;
	enum event_kind kind;
	bool failed;
} event_maps[] = {
	{ "login",         KIND_LOGIN,  false },
	{ "login-failed",  KIND_LOGIN,  true },
	{ "logout",        KIND_LOGOUT, false },
	{ "lock",          KIND_LOGOUT, false }, /* the screen is closed to the user... */
	{ "unlock",        KIND_LOGIN,  false }, /* ...until the user proves who it is again */
	{ "unlock-failed", KIND_LOGIN,  true },
	{ "view",          KIND_READ,   false },
	{ "search",        KIND_SEARCH, false },
	{ "create",        KIND_CREATE, false },
	{ "update",        KIND_UPDATE, false },
	{ "delete",        KIND_DELETE, false },
	{ "book",          KIND_CREATE, false }, /* an Appointment made */
	{ "cancel",        KIND_UPDATE, false }, /* the rest change an Appointment or Encounter */
	{ "reschedule",    KIND_UPDATE, false },
	{ "no-show",       KIND_UPDATE, false },
	{ "check-in",      KIND_UPDATE, false },
	{ "check-out",     KIND_UPDATE, false },
	{ "room",          KIND_UPDATE, false },
	{ "export",        KIND_EXPORT, false }, /* a claim printed */
};

static const struct kind_codes {
	const char *type_system, *type_code, *type_display;
	const char *sub_system, *sub_code, *sub_display;
	const char *action; /* C R U D E */
	const char *user_system, *user_code; /* how the user took part */
} kind_codes[] = {
	[KIND_LOGIN]  = { DCM, "110114", "User Authentication", DCM, "110122", "Login", "E",
	                  SECURITY_ROLE, "humanuser" },
	[KIND_LOGOUT] = { DCM, "110114", "User Authentication", DCM, "110123", "Logout", "E",
	                  SECURITY_ROLE, "humanuser" },
	[KIND_READ]   = { EVENT_TYPE, "rest", "Restful Operation", INTERACTION, "read", "read", "R",
	                  PARTICIPATION, "IRCP" },
	[KIND_SEARCH] = { EVENT_TYPE, "rest", "Restful Operation", INTERACTION, "search-type",
	                  "search type", "E", PARTICIPATION, "IRCP" },
	[KIND_CREATE] = { EVENT_TYPE, "rest", "Restful Operation", INTERACTION, "create", "create",
	                  "C", PARTICIPATION, "AUT" },
	[KIND_UPDATE] = { EVENT_TYPE, "rest", "Restful Operation", INTERACTION, "update", "update",
	                  "U", PARTICIPATION, "AUT" },
	[KIND_DELETE] = { EVENT_TYPE, "rest", "Restful Operation", INTERACTION, "delete", "delete",
	                  "D", PARTICIPATION, "AUT" },
	/* DICOM's Export: data leaving the system it was kept in, here on paper. */
	[KIND_EXPORT] = { DCM, "110106", "Export", INTERACTION, "read", "read", "R",
	                  PARTICIPATION, "IRCP" },
};
// clang-format on

static const struct event_map *
event_map_find(const char *action)
{
	if (action == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof event_maps / sizeof event_maps[0]; i++)
		if (strcmp(event_maps[i].action, action) == 0)
			return &event_maps[i];
	return NULL;
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

/*
 * S as JSON may carry it: at most AUDIT_EVENT_TEXT_MAX bytes of whole characters,
 * each byte that is not valid UTF-8 as U+FFFD, so that a strange CN or host name
 * cannot make the server refuse every batch. The caller frees it.
 */
static char *
clean_text(const char *s)
{
	size_t len = s != NULL ? strnlen(s, AUDIT_EVENT_TEXT_MAX + 1) : 0, i = 0, o = 0;
	char *out = xmalloc(3 * AUDIT_EVENT_TEXT_MAX + 1);

	if (len > AUDIT_EVENT_TEXT_MAX)
		len = AUDIT_EVENT_TEXT_MAX;
	while (i < len) {
		uint32_t cp;
		size_t n = utf8_decode(s + i, len - i, &cp);

		if (n == 0 || cp < 0x20 || cp == 0x7f) {
			o += utf8_encode(0xfffd, out + o);
			i++;
		} else {
			memcpy(out + o, s + i, n);
			o += n;
			i += n;
		}
	}
	out[o] = '\0';
	return out;
}

/* An agent: the user or the workstation. */
static cJSON *
agent(const char *system, const char *code, const char *display, cJSON *who, bool requestor)
{
	cJSON *a = cJSON_CreateObject(), *type = cJSON_CreateObject(), *codings;

	codings = cJSON_AddArrayToObject(type, "coding");
	cJSON_AddItemToArray(codings, coding(system, code, display));
	cJSON_AddItemToObject(a, "type", type);
	cJSON_AddItemToObject(a, "who", who);
	cJSON_AddBoolToObject(a, "requestor", requestor);
	return a;
}

static cJSON *
entity(const char *type, const char *id)
{
	cJSON *e = cJSON_CreateObject(), *what = cJSON_AddObjectToObject(e, "what");
	bool patient = strcmp(type, "Patient") == 0;

	if (id != NULL && fhir_valid_id(id)) {
		char *ref = xasprintf("%s/%s", type, id);

		cJSON_AddStringToObject(what, "reference", ref);
		free(ref);
	} else {
		cJSON_AddStringToObject(what, "type", type);
		/* A record whose id is not a FHIR id: the local trail has it, escaped. */
		if (id != NULL)
			cJSON_AddStringToObject(
			    e, "description", "the record's id is not a FHIR id");
	}
	cJSON_AddItemToObject(e, "type",
	    coding(ENTITY_TYPE, patient ? "1" : "2", patient ? "Person" : "System Object"));
	cJSON_AddItemToObject(e, "role",
	    coding(OBJECT_ROLE, patient ? "1" : "4", patient ? "Patient" : "Domain Resource"));
	return e;
}

cJSON *
audit_event_new(const struct audit_event *ev)
{
	const struct event_map *m = event_map_find(ev->action);
	const struct kind_codes *k;
	cJSON *r, *meta, *list, *who, *a, *network, *source, *sub;
	char *user, *host, *site, stamp[32];
	struct tm tm;

	if (m == NULL || (ev->type != NULL && !fhir_valid_type(ev->type)))
		return NULL;
	k = &kind_codes[m->kind];
	user = clean_text(ev->user);
	host = clean_text(ev->workstation);
	site = clean_text(ev->site);
	if (gmtime_r(&ev->recorded, &tm) == NULL ||
	    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(stamp, sizeof stamp, "1970-01-01T00:00:00Z");

	r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "resourceType", "AuditEvent");
	meta = cJSON_AddObjectToObject(r, "meta");
	list = cJSON_AddArrayToObject(meta, "tag");
	cJSON_AddItemToArray(
	    list, coding(AUDIT_EVENT_TAG_SYSTEM, ev->key != NULL ? ev->key : "", NULL));
	cJSON_AddItemToObject(r, "type", coding(k->type_system, k->type_code, k->type_display));
	sub = cJSON_AddArrayToObject(r, "subtype");
	cJSON_AddItemToArray(sub, coding(k->sub_system, k->sub_code, k->sub_display));
	cJSON_AddItemToArray(sub, coding(AUDIT_EVENT_ACTION_SYSTEM, m->action, NULL));
	cJSON_AddStringToObject(r, "action", k->action);
	cJSON_AddStringToObject(r, "recorded", stamp);
	/* 4: minor failure, the user was not let in; the outcome code system has no "refused". */
	cJSON_AddStringToObject(r, "outcome", m->failed ? "4" : "0");

	list = cJSON_AddArrayToObject(r, "agent");
	who = cJSON_CreateObject();
	a = cJSON_AddObjectToObject(who, "identifier");
	cJSON_AddStringToObject(a, "system", AUDIT_EVENT_CN_SYSTEM);
	cJSON_AddStringToObject(a, "value", user);
	cJSON_AddStringToObject(who, "display", user);
	cJSON_AddItemToArray(list, agent(k->user_system, k->user_code, NULL, who, true));
	who = cJSON_CreateObject();
	cJSON_AddStringToObject(who, "display", host);
	a = agent(DCM, "110153", "Source Role ID", who, false);
	network = cJSON_AddObjectToObject(a, "network");
	cJSON_AddStringToObject(network, "address", host);
	cJSON_AddStringToObject(network, "type", "1"); /* a machine name */
	cJSON_AddItemToArray(list, a);

	source = cJSON_AddObjectToObject(r, "source");
	cJSON_AddStringToObject(source, "site", site);
	who = cJSON_AddObjectToObject(source, "observer");
	cJSON_AddStringToObject(who, "display", host);
	list = cJSON_AddArrayToObject(source, "type");
	cJSON_AddItemToArray(list, coding(SOURCE_TYPE, "1", "User Device"));

	if (ev->type != NULL) {
		list = cJSON_AddArrayToObject(r, "entity");
		if (ev->nids == 0)
			cJSON_AddItemToArray(list, entity(ev->type, NULL));
		for (size_t i = 0; i < ev->nids; i++)
			cJSON_AddItemToArray(
			    list, entity(ev->type, ev->ids[i] != NULL ? ev->ids[i] : ""));
	}
	free(user);
	free(host);
	free(site);
	return r;
}

void
audit_event_batch_add(cJSON *entries, const cJSON *event, const char *key)
{
	cJSON *e = cJSON_CreateObject(), *req;
	char *guard = xasprintf("_tag=%s|%s", AUDIT_EVENT_TAG_SYSTEM, key);

	cJSON_AddItemToObject(e, "resource", cJSON_Duplicate(event, 1));
	req = cJSON_AddObjectToObject(e, "request");
	cJSON_AddStringToObject(req, "method", "POST");
	cJSON_AddStringToObject(req, "url", "AuditEvent");
	/* A retried batch finds the copy the lost answer made instead of making another. */
	cJSON_AddStringToObject(req, "ifNoneExist", guard);
	cJSON_AddItemToArray(entries, e);
	free(guard);
}

/* The three-digit status of a batch-response entry, or 0. */
static int
entry_status(const cJSON *entry)
{
	const char *s = fhir_get_string(fhir_get_object(entry, "response"), "status");

	if (s == NULL || !(s[0] >= '1' && s[0] <= '5') || !(s[1] >= '0' && s[1] <= '9') ||
	    !(s[2] >= '0' && s[2] <= '9') || (s[3] != '\0' && s[3] != ' '))
		return 0;
	return (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
}

enum audit_event_fate
audit_event_fate(const cJSON *response, size_t n, size_t i, char **why)
{
	const char *type = fhir_get_string(response, "resourceType");
	const char *kind = fhir_get_string(response, "type");
	const cJSON *entries = fhir_get_array(response, "entry"), *entry;
	char *said;
	int status;

	*why = NULL;
	/* An answer of another length cannot be matched to what was sent: all again. */
	if (type == NULL || strcmp(type, "Bundle") != 0 || kind == NULL ||
	    strcmp(kind, "batch-response") != 0 || entries == NULL ||
	    (size_t)cJSON_GetArraySize(entries) != n || i >= n)
		return AUDIT_EVENT_RETRY;
	entry = cJSON_GetArrayItem(entries, (int)i);
	status = entry_status(entry);
	/* 412 to a conditional create: more than one copy matched, so it is there already. */
	if ((status >= 200 && status < 300) || status == 412)
		return AUDIT_EVENT_STORED;
	/* Busy, throttled, or failed on its side: the same event may be taken later. */
	if (status == 0 || status == 408 || status == 429 || status >= 500)
		return AUDIT_EVENT_RETRY;
	said =
	    fhir_outcome_sentence(fhir_get_object(fhir_get_object(entry, "response"), "outcome"));
	if (said == NULL)
		said = fhir_outcome_sentence(fhir_get_object(entry, "resource"));
	*why = xasprintf("the server refused an audit event (%d)%s%s", status, said ? ": " : "",
	    said ? said : "");
	free(said);
	return AUDIT_EVENT_REFUSED;
}
