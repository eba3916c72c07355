/*
 * The server's copy of the audit trail: events queued in the order they happened,
 * sent in batches of conditional creates, kept and sent again while the server is away.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "app/relay.h"
#include "fhir/audit-event.h"
#include "util/uuid.h"
#include "util/xmalloc.h"

struct relay_item {
	char *action, *type; /* type NULL for a session event */
	char **ids;
	size_t nids;
	time_t recorded;
	char key[UUID_BUF_SIZE];
};

struct relay {
	char *user, *workstation, *site;
	struct relay_item *items; /* oldest first; the first `flight` are in flight */
	size_t n, capacity, flight;
	bool full;       /* an event was refused since the queue last had room */
	double backoff;  /* seconds to wait after the next failure; 0 after a success */
	double next_try; /* no batch before this time */
};

struct relay *
relay_new(size_t capacity, const char *user, const char *workstation, const char *site)
{
	struct relay *r = xcalloc(1, sizeof *r);

	r->capacity = capacity > 0 ? capacity : 1;
	r->items = xcalloc(r->capacity, sizeof *r->items);
	r->user = xstrdup(user != NULL ? user : "");
	r->workstation = xstrdup(workstation != NULL ? workstation : "");
	r->site = xstrdup(site != NULL ? site : "");
	return r;
}

static void
item_clear(struct relay_item *it)
{
	free(it->action);
	free(it->type);
	for (size_t i = 0; i < it->nids; i++)
		free(it->ids[i]);
	free(it->ids);
	memset(it, 0, sizeof *it);
}

void
relay_free(struct relay **rp)
{
	struct relay *r = *rp;

	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++)
		item_clear(&r->items[i]);
	free(r->items);
	free(r->user);
	free(r->workstation);
	free(r->site);
	free(r);
	*rp = NULL;
}

enum relay_added
relay_add(struct relay *r, const char *action, const char *type, const char *const *ids,
    size_t nids, time_t recorded)
{
	struct relay_item *it;

	if (r->n == r->capacity) {
		bool first = !r->full;

		r->full = true;
		return first ? RELAY_FULL_FIRST : RELAY_FULL;
	}
	it = &r->items[r->n++];
	it->action = xstrdup(action);
	it->type = type != NULL ? xstrdup(type) : NULL;
	it->ids = nids > 0 ? xcalloc(nids, sizeof *it->ids) : NULL;
	for (size_t i = 0; i < nids; i++)
		it->ids[it->nids++] = xstrdup(ids[i] != NULL ? ids[i] : "");
	it->recorded = recorded;
	uuid_v4(it->key);
	return RELAY_QUEUED;
}

size_t
relay_queued(const struct relay *r)
{
	return r->n;
}

bool
relay_in_flight(const struct relay *r)
{
	return r->flight > 0;
}

double
relay_wait(const struct relay *r, double now)
{
	return now < r->next_try ? r->next_try - now : 0;
}

void
relay_retry_now(struct relay *r, double now)
{
	r->next_try = now;
}

cJSON *
relay_take(struct relay *r, double now, size_t *n, double *wait)
{
	cJSON *entries, *batch;

	*n = 0;
	*wait = 0;
	if (r->n == 0 || r->flight > 0)
		return NULL;
	if (now < r->next_try) {
		*wait = r->next_try - now;
		return NULL;
	}
	batch = fhir_batch_new(&entries);
	for (size_t i = 0; i < r->n && *n < RELAY_BATCH_MAX; i++) {
		const struct relay_item *it = &r->items[i];
		struct audit_event ev = {.action = it->action,
		    .type = it->type,
		    .ids = (const char *const *)it->ids,
		    .nids = it->nids,
		    .user = r->user,
		    .workstation = r->workstation,
		    .site = r->site,
		    .recorded = it->recorded,
		    .key = it->key};
		cJSON *event = audit_event_new(&ev);

		/* Every action of the trail has its AuditEvent; one without is a bug, not sent. */
		if (event != NULL)
			audit_event_batch_add(entries, event, it->key);
		else
			it = NULL;
		cJSON_Delete(event);
		if (it == NULL) {
			item_clear(&r->items[i]);
			memmove(&r->items[i], &r->items[i + 1], (r->n - i - 1) * sizeof *r->items);
			r->n--;
			i--;
			continue;
		}
		++*n;
	}
	if (*n == 0) {
		cJSON_Delete(batch);
		return NULL;
	}
	r->flight = *n;
	return batch;
}

static void
back_off(struct relay *r, double now)
{
	r->backoff = r->backoff == 0 ? RELAY_BACKOFF_MIN : r->backoff * 2;
	if (r->backoff > RELAY_BACKOFF_MAX)
		r->backoff = RELAY_BACKOFF_MAX;
	r->next_try = now + r->backoff;
}

void
relay_abandon(struct relay *r, double now)
{
	if (r->flight == 0)
		return;
	r->flight = 0;
	back_off(r, now);
}

void
relay_answer(
    struct relay *r, double now, const struct fhir_result *result, struct relay_outcome *out)
{
	size_t flight = r->flight, keep = 0;
	struct relay_item *kept;

	memset(out, 0, sizeof *out);
	r->flight = 0;
	if (flight == 0)
		return;
	if (result->status != FHIR_OK) {
		out->kept = flight;
		out->why = xstrdup(result->message != NULL ? result->message : "no answer");
		back_off(r, now);
		return;
	}
	kept = xcalloc(flight, sizeof *kept);
	for (size_t i = 0; i < flight; i++) {
		char *why = NULL;

		switch (audit_event_fate(result->resource, flight, i, &why)) {
		case AUDIT_EVENT_STORED:
			out->stored++;
			item_clear(&r->items[i]);
			break;
		case AUDIT_EVENT_REFUSED:
			out->refused++;
			if (out->why == NULL)
				out->why = why, why = NULL;
			item_clear(&r->items[i]);
			break;
		case AUDIT_EVENT_RETRY:
			kept[keep++] = r->items[i];
			break;
		}
		free(why);
	}
	/* The kept events go back in front, in their order: the oldest are sent first. */
	memmove(&r->items[keep], &r->items[flight], (r->n - flight) * sizeof *r->items);
	memcpy(r->items, kept, keep * sizeof *kept);
	r->n -= flight - keep;
	free(kept);
	out->kept = keep;
	if (keep > 0 && out->stored == 0) {
		if (out->why == NULL)
			out->why = xstrdup("the server did not store the audit events");
		back_off(r, now);
	} else {
		r->backoff = 0;
		r->next_try = now;
	}
	if (r->n < r->capacity)
		r->full = false;
}
