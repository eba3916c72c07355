/*
 * The server's copy of the audit trail, apart from the loop so that it can be tested
 * without one: a bounded queue of events, the batch to send next, what an answer
 * does to the queue, and the back-off while the server is away. Private to src/app.
 */
#ifndef EHRTERM_APP_RELAY_H
#define EHRTERM_APP_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "fhir/fhir.h"

/* Events kept while the server is away: a long day at a busy desk, a few hundred kB. */
#define RELAY_CAPACITY 5000
/* Events in one batch: a batch of AuditEvents stays well under a megabyte. */
#define RELAY_BATCH_MAX 50
/* The first wait after a failed batch, doubled each time up to the last. */
#define RELAY_BACKOFF_MIN 2.0
#define RELAY_BACKOFF_MAX 120.0

struct relay;

/* USER (the CN), WORKSTATION and SITE (the profile) go into every AuditEvent. */
struct relay *relay_new(
    size_t capacity, const char *user, const char *workstation, const char *site);
void relay_free(struct relay **r);

enum relay_added {
	RELAY_QUEUED,
	RELAY_FULL,       /* not queued: the queue is full */
	RELAY_FULL_FIRST, /* not queued, and the first since the queue had room: say so */
};

/*
 * Queue the event ACTION on the NIDS records IDS of TYPE (as audit_log_ids; NULL
 * TYPE for a session event), at RECORDED, with a fresh idempotency key.
 */
enum relay_added relay_add(struct relay *r, const char *action, const char *type,
    const char *const *ids, size_t nids, time_t recorded);

/* Events queued, those in flight included. */
size_t relay_queued(const struct relay *r);

/*
 * The batch Bundle to send now (the caller frees it; *N its events), or NULL: nothing
 * queued, a batch in flight, or the back-off has not run out (*WAIT then says how
 * many seconds are left; 0 otherwise).
 */
cJSON *relay_take(struct relay *r, double now, size_t *n, double *wait);

/* What an answer did. */
struct relay_outcome {
	size_t stored;  /* on the server now: out of the queue */
	size_t refused; /* refused for good (4xx): out of the queue, not sent again */
	size_t kept;    /* to send again after the back-off */
	char *why; /* the first refusal's sentence, or why the batch failed; the caller frees it */
};

/*
 * The answer RESULT to the batch relay_take gave last, at NOW. A batch that failed
 * as a whole (transport, 5xx, an answer that is not a batch-response of the same
 * length) keeps every event and backs off; else each event's fate decides.
 */
void relay_answer(
    struct relay *r, double now, const struct fhir_result *result, struct relay_outcome *out);

/* Forget the batch in flight as if it failed (cancelled at quit); its events stay queued. */
void relay_abandon(struct relay *r, double now);

bool relay_in_flight(const struct relay *r);

/* Seconds until the back-off allows the next batch; 0 when it may go now. */
double relay_wait(const struct relay *r, double now);

/* Allow the next batch now, whatever the back-off says (the last try at quit). */
void relay_retry_now(struct relay *r, double now);

#endif
