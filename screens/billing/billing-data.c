/* The fee schedule, read once a session and shared by the billing screens. */
#include "config.h"

#include "screens/billing/billing-private.h"
#include "util/xmalloc.h"

#include <stdint.h>
#include <stdlib.h>

/*
 * One clinic, one fee schedule, changed once a year: a session reads it once instead
 * of on every visit charged. It holds no patient data, so nothing clinical is kept.
 */
static struct bill_fees fees;
static bool have_fees;
static char *failed;

const struct bill_fees *
billing_fees(void)
{
	return have_fees ? &fees : NULL;
}

const char *
billing_fees_failed(void)
{
	return failed;
}

static void
on_fees(struct app *app, void *state, struct fhir_result *res, unsigned long tag)
{
	void (*done)(struct app *, void *) = (void (*)(struct app *, void *))(uintptr_t)tag;
	struct bill_fees got;
	char *cause = NULL;

	if (res->status == FHIR_OK && bill_fees_read(res->resource, &got, &cause) == 0) {
		bill_fees_free(&fees);
		fees = got;
		have_fees = true;
		free(failed);
		failed = NULL;
	} else if (res->status != FHIR_CANCELLED) {
		free(failed);
		failed = cause != NULL ? cause
		                       : xasprintf("the fee schedule could not be read: %s",
		                             res->message ? res->message : "no answer");
		cause = NULL;
	}
	free(cause);
	if (done != NULL)
		done(app, state);
}

void
billing_fees_load(struct app *app, void *state, bool again, void (*done)(struct app *, void *))
{
	struct fhir_search *s;

	if (have_fees && !again) {
		if (done != NULL)
			done(app, state);
		return;
	}
	s = bill_fees_search();
	app_request(app, state, &(struct app_request){ .search = s, .done = on_fees,
	    .tag = (unsigned long)(uintptr_t)done, .slot = "fees", .label = "Reading the fee schedule" });
	fhir_search_free(&s);
}
