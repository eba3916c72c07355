/*
 * The server's copy of the audit trail (the profile's audit_server): each line of the
 * local trail as a FHIR R4 AuditEvent, and the batch that sends them.
 */
#ifndef EHRTERM_FHIR_AUDIT_EVENT_H
#define EHRTERM_FHIR_AUDIT_EVENT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/*
 * AuditEvent has no identifier element in R4, so the idempotency key of a create is a
 * meta.tag of this system, found again by If-None-Exist: _tag=SYSTEM|KEY.
 */
#define AUDIT_EVENT_TAG_SYSTEM "urn:ehrterm:request"
/* The audit trail's own word for the event, beside the standard subtype. */
#define AUDIT_EVENT_ACTION_SYSTEM "urn:ehrterm:audit-action"
/* Who the user is: the common name of the client certificate. */
#define AUDIT_EVENT_CN_SYSTEM "urn:ehrterm:certificate-cn"

/* One event, as the local trail has it (audit.h). */
struct audit_event {
	const char *action;     /* a word of the audit trail: view, search, login, ... */
	const char *type;       /* the resource type, or NULL for a session event */
	const char *const *ids; /* the ids of the records, NIDS of them; none for a search */
	size_t nids;
	const char *user;        /* the certificate's CN */
	const char *workstation; /* the host name */
	const char *site;        /* the profile */
	time_t recorded;
	const char *key; /* a UUID: finds this event again when a batch is sent twice */
};

/*
 * The AuditEvent for EV: type and subtype from the DICOM and HL7 vocabularies (a
 * session event is DCM 110114 User Authentication with 110122 Login or 110123
 * Logout; a record's is rest with the RESTful interaction: read, search-type,
 * create, update, delete), the action code, recorded, the outcome (4, a minor
 * failure, for login-failed and unlock-failed; else 0), the user and the
 * workstation as agents, the workstation as source, and one entity a record (a
 * Patient as a person whose role is patient). An id that is not a FHIR id is not
 * sent as a reference: the entity then says so, and the local trail has it. The
 * caller frees it; NULL for an action the audit trail does not have.
 */
cJSON *audit_event_new(const struct audit_event *ev);

/* Add a create of EVENT (copied) guarded by its key (If-None-Exist) to a batch's ENTRIES. */
void audit_event_batch_add(cJSON *entries, const cJSON *event, const char *key);

/* What became of one event of a batch. */
enum audit_event_fate {
	AUDIT_EVENT_STORED,  /* created, or found there from an earlier try */
	AUDIT_EVENT_RETRY,   /* not stored this time: the server was busy or failed */
	AUDIT_EVENT_REFUSED, /* the server will never take it (4xx): sending again is no use */
};

/*
 * The fate of entry I of the batch-response RESPONSE to a batch of N creates; a
 * response that is not one, or lacks the entry, is AUDIT_EVENT_RETRY. *WHY is set to
 * the server's sentence for a refusal (the caller frees it), else NULL.
 */
enum audit_event_fate audit_event_fate(const cJSON *response, size_t n, size_t i, char **why);

#endif
