/* The fee schedule, read once a session and shared by the billing screens. */
#include "config.h"

#include "screens/billing/billing-private.h"
#include "util/xmalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

/*
 * One clinic, one fee schedule, changed once a year: a session reads it once instead
 * of on every visit charged, and each later billing screen (the visits, a visit's
 * charges) revalidates it: a biller who opens billing sees the price changed a minute
 * ago, and one who charges visit after visit pays a few hundred bytes a screen. Where
 * the server tagged the first answer (an ETag on the searchset) the search is sent again
 * with If-None-Match and a 304 keeps the schedule held; else the server is asked how many
 * entries changed since. In memory only, never on disk; no patient data in it.
 */
static struct bill_fees fees;
static bool have_fees;
static char *etag; /* the tag of the answer FEES came from, or NULL */
static char *failed;

static void
keep(struct bill_fees *got, char *tag)
{
	bill_fees_free(&fees);
	fees = *got;
	have_fees = true;
	free(etag);
	etag = tag;
	free(failed);
	failed = NULL;
}

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
		keep(&got, res->version_id != NULL && fhir_valid_id(res->version_id)
		        ? xstrdup(res->version_id) : NULL);
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

static void
read_whole(struct app *app, void *state, void (*done)(struct app *, void *))
{
	struct fhir_search *s = bill_fees_search();

	app_request(app, state, &(struct app_request){ .search = s, .done = on_fees,
	    .tag = (unsigned long)(uintptr_t)done, .slot = "fees", .label = "Reading the fee schedule" });
	fhir_search_free(&s);
}

/* Nothing changed since the schedule held was read: it stays; else it is read again. */
static void
on_check(struct app *app, void *state, struct fhir_result *res, unsigned long tag)
{
	void (*done)(struct app *, void *) = (void (*)(struct app *, void *))(uintptr_t)tag;

	if (res->status == FHIR_CANCELLED ||
	    (res->status == FHIR_OK && bill_fees_changes(res->resource) == 0)) {
		if (done != NULL)
			done(app, state);
		return;
	}
	read_whole(app, state, done);
}

/* The conditional search's answer: unchanged (304), the schedule now, or read it whole. */
static void
on_revalidated(struct app *app, void *state, struct fhir_result *res, unsigned long tag)
{
	void (*done)(struct app *, void *) = (void (*)(struct app *, void *))(uintptr_t)tag;
	struct bill_fees got;
	char *cause = NULL, *now = NULL;
	int rc;

	if (res->status == FHIR_CANCELLED) {
		if (done != NULL)
			done(app, state);
		return;
	}
	rc = res->status == FHIR_OK ? bill_fees_revalidated(res->resource, &got, &now, &cause) : -1;
	free(cause);
	if (rc == 1)
		keep(&got, now);
	if (rc >= 0) {
		if (done != NULL)
			done(app, state);
		return;
	}
	read_whole(app, state, done);
}

void
billing_fees_load(struct app *app, void *state, bool again, void (*done)(struct app *, void *))
{
	struct fhir_search *s;

	if (have_fees && !again && etag != NULL) {
		cJSON *batch = bill_fees_revalidate_batch(app_fhir(app), etag);

		app_request(app, state, &(struct app_request){ .batch = batch, .done = on_revalidated,
		    .tag = (unsigned long)(uintptr_t)done, .slot = "fees",
		    .label = "Checking the fee schedule" });
		cJSON_Delete(batch);
		return;
	}
	if (!have_fees || again || (s = bill_fees_check_search(&fees, time(NULL))) == NULL) {
		read_whole(app, state, done);
		return;
	}
	app_request(app, state, &(struct app_request){ .search = s, .done = on_check,
	    .tag = (unsigned long)(uintptr_t)done, .slot = "fees",
	    .label = "Checking the fee schedule" });
	fhir_search_free(&s);
}

int
billing_back_unsaved(struct app *app, bool unsaved, bool *warned)
{
	char esc[32], f10[32];

	/* Leaving would lose typing: say so once; a second Esc leaves. */
	if (!unsaved || *warned)
		return APP_LEAVE;
	*warned = true;
	if (app_key_for(app, A_BACK, esc, sizeof esc) && app_key_for(app, A_SAVE, f10, sizeof f10))
		app_error(app, "Unsaved changes: %s again discards them, %s saves", esc, f10);
	else
		app_error(app, "Unsaved changes: back again discards them");
	return APP_REDRAW;
}

bool
billing_answered_yes(struct app *app, const struct ui_dialog *dialog, bool *asking, bool *warned,
    const char *no)
{
	if (!*asking) {
		*warned = false;
		return false;
	}
	if (ui_dialog_answer(dialog) == UI_DIALOG_ASKING)
		return false;
	*asking = false;
	if (ui_dialog_answer(dialog) != UI_DIALOG_YES) {
		app_status(app, "%s", no);
		return false;
	}
	return true;
}
