/* A plan: writes that must happen together, as one transaction or, failing that, in order with undo. */
#ifndef EHRTERM_FHIR_PLAN_H
#define EHRTERM_FHIR_PLAN_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fhir/fhir.h"

/*
 * Booking is "this Slot busy, if still at version 3" plus "this Appointment
 * created, once". On a server with transactions the plan is one Bundle, all
 * or nothing. A server without them (OpenEMR's API, for one) gets the same
 * guarantee in steps: the steps run in the order added, so the guarded step
 * that can lose a race (taking the slot) goes first; when a later step fails,
 * every step done is undone in reverse, each undo guarded by the version the
 * step left. Every update carries If-Match and every create If-None-Exist: a
 * step that is retried or races another clerk fails rather than writes twice.
 */
#define FHIR_PLAN_MAX 16
/*
 * The steps of the largest plan, made with fhir_plan_new_max: a visit's wrap-up
 * (src/fhir/wrapup.h), 12 diagnoses, 12 procedures, the encounter and the note's
 * three signing steps. Other plans keep FHIR_PLAN_MAX, which billing's limits follow.
 */
#define FHIR_PLAN_STEPS_MAX 32

struct fhir_plan;

/* A plan of at most FHIR_PLAN_MAX steps. */
struct fhir_plan *fhir_plan_new(void);
/* A plan of at most MAX steps (FHIR_PLAN_STEPS_MAX at most). */
struct fhir_plan *fhir_plan_new_max(size_t max);
void fhir_plan_free(struct fhir_plan **p);

/*
 * Update RESOURCE (copied; it has its id) if the server still has version
 * IF_MATCH. UNDO (copied, or NULL) is what the steps fallback writes back when a
 * later step fails: the resource as it was. Returns the step's index, or -1 when
 * the plan is full or RESOURCE has no type, id or version to match.
 */
int fhir_plan_update(struct fhir_plan *p, const cJSON *resource, const char *if_match,
    const cJSON *undo);
/*
 * Create RESOURCE (copied) unless IF_NONE_EXIST (a search of the same type, which
 * must find it once created: a request identifier it carries) finds one. Its undo
 * in the steps fallback is a delete. In a transaction that also updates with If-Match,
 * that update is the guard and the create goes without If-None-Exist (servers bound
 * conditional transactions; see plan.c). Returns the step's index, or -1.
 */
int fhir_plan_create(struct fhir_plan *p, const cJSON *resource,
    const struct fhir_search *if_none_exist);
/*
 * The "urn:uuid:..." a later step's resource may refer to create STEP by (a Reference's
 * reference, an Attachment's url): the transaction's fullUrl, which the server replaces
 * with the new "Type/id"; the steps fallback replaces it the same way before sending
 * the later step. NULL when STEP is not a create.
 */
const char *fhir_plan_full_url(const struct fhir_plan *p, int step);
size_t fhir_plan_steps(const struct fhir_plan *p);
/* How many more steps P takes. */
size_t fhir_plan_room(const struct fhir_plan *p);

struct fhir_caps;
/*
 * What the server offers (CAPS, or NULL when not known yet), for how P's transaction
 * guards its creates: a transaction of more creates than a server runs conditionally
 * (Medplum: 8) and no If-Match update sends them as updates of client-assigned ids
 * where the server creates by update (updateCreate). Call it before fhir_plan_start.
 */
void fhir_plan_allow(struct fhir_plan *p, const struct fhir_caps *caps);

/* The plan as a transaction Bundle (the caller frees it). */
cJSON *fhir_plan_transaction(const struct fhir_plan *p, const struct fhir_client *fc);

/*
 * Run P (taken): one transaction when TRANSACTION and P has more than one step, else
 * the steps (a plan of one step is its one guarded request). DONE gets, on
 * success, a transaction-response Bundle in both ways (one entry per step, with
 * response.location and response.etag, and the resource as the server has it now
 * when the server returned it), so callers read it one way; on failure,
 * the failed step's status and a message naming what failed, and whether undoing
 * went wrong too. Returns the first request's id, as fhir_bundle does.
 */
uint64_t fhir_plan_run(struct fhir_client *fc, struct fhir_plan *p, bool transaction,
    fhir_done_fn done, void *arg);

/*
 * As fhir_plan_run, and *REQUEST_ID (when not NULL) is kept at the request in flight,
 * step after step, so that cancelling it stops the plan; it is set to 0 while a
 * failed plan puts back what it did, which must not be stopped. It is not touched
 * once DONE has been called.
 */
uint64_t fhir_plan_start(struct fhir_client *fc, struct fhir_plan *p, bool transaction,
    fhir_done_fn done, void *arg, uint64_t *request_id);

/* From a transaction-response: step I's "Type/id" and version (copied into the buffers); 0 or -1. */
int fhir_plan_result(const cJSON *response, size_t i, char *ref, size_t ref_size, char *version,
    size_t version_size);

/*
 * What a write's answer means for the form that made it: one state for every save
 * (a patient, a coverage, a booking, a note, a charge, a payment).
 */
enum fhir_save {
	FHIR_SAVED,	    /* the server holds it */
	FHIR_NOT_SAVED,	    /* the server refused it, or it never left: nothing changed */
	FHIR_SAVE_UNKNOWN,  /* sent, but no usable answer came: read again before retrying */
	FHIR_SAVE_CONFLICT, /* someone changed it first (If-Match failed, or the slot went) */
	FHIR_SAVE_CANCELLED, /* the user cancelled it once sent: as unknown, by choice */
};
enum fhir_save fhir_save_outcome(const struct fhir_result *r);
/* A short sentence for the form's state line: "Saved", "Not saved", "Outcome unknown", ... */
const char *fhir_save_name(enum fhir_save s);

#endif
