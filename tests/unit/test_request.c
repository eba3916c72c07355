/* The request layer with a fake transport: ordering, supersede, cancel, a screen left. */
#include "config.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "app/request.h"
#include "util/xmalloc.h"

/* The fake: what was started, which transfers were cancelled; the test answers by hand. */
#define FAKE_MAX 16
struct sent {
	fhir_done_fn done;
	void *arg;
	uint64_t *http_id;
	bool answered;
	const char *label;
};
struct fake {
	struct sent sent[FAKE_MAX];
	size_t n;
	uint64_t cancelled[FAKE_MAX];
	size_t ncancelled;
	bool answer_at_once; /* refuse the next request before it is sent */
	uint64_t next_id;
	bool live[8];	    /* which instances are on the stack */
};

/* What the screens heard, in order. */
struct heard {
	unsigned long tags[FAKE_MAX];
	enum fhir_status status[FAKE_MAX];
	size_t n;
	bool in_start; /* set while requests_start runs: a callback then breaks the contract */
	bool called_in_start;
	struct requests *rs; /* for a callback that asks again */
};

static struct fake fake;
static struct heard heard;

static void
fake_answer(size_t i, enum fhir_status status)
{
	struct fhir_result r = { .status = status };

	cr_assert(!fake.sent[i].answered, "request %zu answered twice", i);
	fake.sent[i].answered = true;
	fake.sent[i].done(&r, fake.sent[i].arg);
	fhir_result_clear(&r);
}

static void
fake_start(void *ctx, const struct app_request *req, fhir_done_fn done, void *arg, uint64_t *http_id)
{
	struct fake *f = ctx;
	struct sent *s = &f->sent[f->n++];

	s->done = done;
	s->arg = arg;
	s->http_id = http_id;
	s->label = req->label;
	if (f->answer_at_once) {
		f->answer_at_once = false;
		fake_answer(f->n - 1, FHIR_REFUSED);
		return;
	}
	*http_id = ++f->next_id;
}

static void
fake_cancel(void *ctx, uint64_t http_id)
{
	struct fake *f = ctx;

	f->cancelled[f->ncancelled++] = http_id;
	/* As libcurl's multi handle does, the cancelled transfer answers at once. */
	for (size_t i = 0; i < f->n; i++)
		if (!f->sent[i].answered && *f->sent[i].http_id == http_id) {
			struct fhir_result r = { .status = FHIR_TRANSPORT,
				.http_error = HTTP_ERR_CANCELLED };

			f->sent[i].answered = true;
			f->sent[i].done(&r, f->sent[i].arg);
		}
}

static bool
fake_live(void *owner, uint64_t instance)
{
	(void)owner;
	return instance < 8 && fake.live[instance];
}

static void
on_done(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	(void)app;
	(void)state;
	if (heard.in_start)
		heard.called_in_start = true;
	heard.tags[heard.n] = tag;
	heard.status[heard.n++] = r->status;
}

static struct requests *
setup(void)
{
	static const struct request_transport t = { fake_start, fake_cancel, &fake };

	memset(&fake, 0, sizeof fake);
	memset(&heard, 0, sizeof heard);
	for (size_t i = 0; i < 8; i++)
		fake.live[i] = true;
	return requests_new(&t, &fake, fake_live);
}

static uint64_t
start(struct requests *rs, uint64_t instance, unsigned long tag, const char *slot)
{
	uint64_t h;

	heard.in_start = true;
	h = requests_start(rs, instance, NULL,
	    &(struct app_request){ .done = on_done, .tag = tag, .slot = slot, .label = "Asking" });
	heard.in_start = false;
	return h;
}

Test(request, answers_come_from_the_loop_in_the_order_they_arrived)
{
	struct requests *rs = setup();

	cr_assert_neq(start(rs, 1, 10, NULL), 0);
	start(rs, 1, 11, NULL);
	start(rs, 2, 12, NULL);
	cr_expect_eq(requests_running(rs, NULL), 3);
	fake_answer(2, FHIR_OK);
	fake_answer(0, FHIR_NOT_FOUND);
	/* Nothing is heard until the loop delivers. */
	cr_expect_eq(heard.n, 0);
	cr_expect(requests_pending(rs));
	cr_expect(requests_deliver(rs));
	cr_assert_eq(heard.n, 2);
	cr_expect_eq(heard.tags[0], 12);
	cr_expect_eq(heard.tags[1], 10);
	cr_expect_eq(heard.status[1], FHIR_NOT_FOUND);
	cr_expect_eq(requests_running(rs, NULL), 1);
	fake_answer(1, FHIR_OK);
	requests_deliver(rs);
	cr_expect_eq(heard.n, 3);
	cr_expect(!requests_pending(rs));
	cr_expect(!requests_deliver(rs), "an empty queue delivers nothing");
	requests_free(&rs);
}

/* Text typed into a field waits only for what typing cannot supersede: a save, an open. */
Test(request, typed_text_waits_only_for_requests_without_a_slot)
{
	struct requests *rs = setup();

	start(rs, 1, 1, "search");
	cr_expect_eq(requests_running(rs, NULL), 1);
	cr_expect_eq(requests_unslotted(rs, NULL), 0, "a search typed further replaces this one");
	start(rs, 1, 2, NULL);
	cr_expect_eq(requests_unslotted(rs, NULL), 1, "a save: the typing waits for it");
	fake_answer(1, FHIR_OK);
	cr_expect_eq(requests_unslotted(rs, NULL), 0, "answered, even before it is delivered");
	requests_deliver(rs);
	cr_expect_eq(requests_running(rs, NULL), 1);
	requests_free(&rs);
}

Test(request, a_request_refused_before_it_was_sent_answers_after_the_call)
{
	struct requests *rs = setup();

	fake.answer_at_once = true;
	cr_assert_neq(start(rs, 1, 7, NULL), 0);
	cr_expect(!heard.called_in_start, "the callback ran inside the call that asked");
	cr_expect_eq(heard.n, 0);
	requests_deliver(rs);
	cr_assert_eq(heard.n, 1);
	cr_expect_eq(heard.status[0], FHIR_REFUSED);
	requests_free(&rs);
}

Test(request, a_newer_request_in_the_same_slot_supersedes_the_older)
{
	struct requests *rs = setup();

	start(rs, 1, 1, "search");
	start(rs, 1, 2, "search");
	/* The older transfer was stopped, and its (cancelled) answer is never heard. */
	cr_expect_eq(fake.ncancelled, 1);
	cr_expect_eq(fake.cancelled[0], 1);
	start(rs, 2, 3, "search"); /* another screen's slot is its own */
	cr_expect_eq(fake.ncancelled, 1);
	fake_answer(1, FHIR_OK);
	fake_answer(2, FHIR_OK);
	requests_deliver(rs);
	cr_assert_eq(heard.n, 2);
	cr_expect_eq(heard.tags[0], 2);
	cr_expect_eq(heard.tags[1], 3);
	requests_free(&rs);
}

Test(request, an_answer_already_queued_is_stale_once_superseded)
{
	struct requests *rs = setup();

	start(rs, 1, 1, "search");
	fake_answer(0, FHIR_OK); /* arrived, not yet delivered */
	start(rs, 1, 2, "search");
	requests_deliver(rs);
	cr_expect_eq(heard.n, 0);
	fake_answer(1, FHIR_OK);
	requests_deliver(rs);
	cr_assert_eq(heard.n, 1);
	cr_expect_eq(heard.tags[0], 2);
	requests_free(&rs);
}

Test(request, a_cancel_reaches_the_callback_as_a_result)
{
	struct requests *rs = setup();
	uint64_t h = start(rs, 1, 5, NULL);

	cr_expect(requests_cancel(rs, h));
	cr_expect(!requests_cancel(rs, h), "cancelled twice");
	cr_expect_eq(fake.ncancelled, 1);
	requests_deliver(rs);
	cr_assert_eq(heard.n, 1);
	cr_expect_eq(heard.status[0], FHIR_CANCELLED);
	cr_expect_eq(requests_running(rs, NULL), 0);
	requests_free(&rs);
}

Test(request, esc_cancels_every_request_of_the_screen_and_no_other)
{
	struct requests *rs = setup();

	start(rs, 1, 1, NULL);
	start(rs, 1, 2, "page");
	start(rs, 2, 3, NULL);
	cr_expect(requests_cancel_instance(rs, 1));
	cr_expect_eq(fake.ncancelled, 2);
	fake_answer(2, FHIR_OK);
	requests_deliver(rs);
	cr_assert_eq(heard.n, 3);
	cr_expect_eq(heard.status[0], FHIR_CANCELLED);
	cr_expect_eq(heard.status[1], FHIR_CANCELLED);
	cr_expect_eq(heard.status[2], FHIR_OK);
	cr_expect(!requests_cancel_instance(rs, 1), "nothing left to cancel");
	requests_free(&rs);
}

Test(request, a_plan_is_cancelled_at_whichever_step_runs)
{
	struct requests *rs = setup();
	uint64_t h = start(rs, 1, 9, NULL);

	/* The transport moves the plan on to its second step: a new transfer. */
	*fake.sent[0].http_id = 42;
	cr_expect(requests_cancel(rs, h));
	cr_assert_eq(fake.ncancelled, 1);
	cr_expect_eq(fake.cancelled[0], 42);
	requests_deliver(rs);
	cr_assert_eq(heard.n, 1);
	cr_expect_eq(heard.status[0], FHIR_CANCELLED);
	requests_free(&rs);
}

Test(request, a_plan_putting_back_cannot_be_stopped_but_says_cancelled)
{
	struct requests *rs = setup();
	uint64_t h = start(rs, 1, 9, NULL);

	*fake.sent[0].http_id = 0; /* undoing: nothing may be stopped */
	cr_expect(requests_cancel(rs, h));
	cr_expect_eq(fake.ncancelled, 0);
	cr_expect_eq(requests_running(rs, NULL), 1);
	fake_answer(0, FHIR_CONFLICT);
	requests_deliver(rs);
	cr_assert_eq(heard.n, 1);
	cr_expect_eq(heard.status[0], FHIR_CANCELLED);
	requests_free(&rs);
}

Test(request, a_screen_left_hears_nothing)
{
	struct requests *rs = setup();

	start(rs, 3, 1, NULL);
	start(rs, 4, 2, NULL);
	requests_forget_instance(rs, 3);
	cr_expect_eq(fake.ncancelled, 1);
	fake.live[4] = false; /* popped without forgetting: the loop still drops it */
	fake_answer(1, FHIR_OK);
	requests_deliver(rs);
	cr_expect_eq(heard.n, 0);
	cr_expect_eq(requests_running(rs, NULL), 0);
	requests_free(&rs);
}

static void
on_done_ask_again(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	on_done(app, state, r, tag);
	if (tag == 1)
		requests_start(heard.rs, 1, NULL,
		    &(struct app_request){ .done = on_done_ask_again, .tag = 2, .slot = "s" });
}

Test(request, a_callback_may_ask_again)
{
	struct requests *rs = setup();

	heard.rs = rs;
	requests_start(rs, 1, NULL, &(struct app_request){ .done = on_done_ask_again, .tag = 1,
	    .slot = "s" });
	fake_answer(0, FHIR_OK);
	requests_deliver(rs);
	cr_expect_eq(heard.n, 1);
	cr_expect_eq(requests_running(rs, NULL), 1);
	cr_expect_eq(fake.ncancelled, 0, "the new request superseded nothing running");
	fake_answer(1, FHIR_OK);
	requests_deliver(rs);
	cr_expect_eq(heard.n, 2);
	requests_free(&rs);
}

Test(request, the_status_line_shows_the_newest_running)
{
	struct requests *rs = setup();
	const char *label = NULL;
	uint64_t id = 0;

	cr_expect(!requests_newest(rs, &label, &id));
	start(rs, 1, 1, NULL);
	cr_expect(requests_newest(rs, &label, &id));
	cr_expect_str_eq(label, "Asking");
	cr_expect_eq(id, 1);
	requests_free(&rs);
}

Test(request, freed_with_a_request_running_and_answered_later)
{
	struct requests *rs = setup();

	start(rs, 1, 1, NULL);
	*fake.sent[0].http_id = 0; /* cannot be stopped: it answers after the table is gone */
	requests_free(&rs);
	cr_expect_null(rs);
	fake_answer(0, FHIR_OK);
	cr_expect_eq(heard.n, 0);
}

Test(request, a_background_request_is_not_shown_not_cancelled_by_esc_and_still_answered)
{
	struct requests *rs = setup();
	const char *label = NULL;
	uint64_t http_id;

	/* The audit trail's server copy: the app's own, behind the screen on top (instance 1). */
	requests_start(rs, 0, NULL,
	    &(struct app_request){ .done = on_done, .tag = 7, .background = true,
		.label = "Sending the audit trail" });
	cr_expect_eq(requests_running(rs, NULL), 0, "counted as the screen's");
	cr_expect_not(requests_newest(rs, &label, &http_id), "shown: %s", label ? label : "");
	start(rs, 1, 8, NULL);
	cr_assert(requests_newest(rs, &label, &http_id));
	cr_expect_str_eq(label, "Asking");
	/* Esc, with no screen or with one: the background request goes on. */
	cr_expect_not(requests_cancel_instance(rs, 0));
	cr_expect(requests_cancel_instance(rs, 1));
	requests_deliver(rs);
	cr_assert_eq(heard.n, 1);
	cr_expect_eq(heard.tags[0], 8);
	cr_expect_eq(fake.ncancelled, 1);
	fake_answer(0, FHIR_OK);
	requests_deliver(rs);
	cr_assert_eq(heard.n, 2);
	cr_expect_eq(heard.tags[1], 7);
	cr_expect_eq(heard.status[1], FHIR_OK);
	requests_free(&rs);
}

/* The capabilities are not in yet: a screen's read sent ahead of them that fails waits. */
static bool unsure_now;

static bool
fake_unsure(void *owner)
{
	(void)owner;
	return unsure_now;
}

Test(request, a_failure_of_a_read_sent_before_the_capabilities_waits_for_them)
{
	struct requests *rs = setup();

	requests_hold_failures(rs, fake_unsure);
	unsure_now = true;
	start(rs, 1, 10, NULL); /* the screen's read, ahead of the capabilities */
	start(rs, 1, 11, NULL);
	start(rs, 0, 12, NULL); /* the capability read itself: never held */
	fake_answer(0, FHIR_NOT_FOUND);
	fake_answer(1, FHIR_OK);
	fake_answer(2, FHIR_TRANSPORT);
	requests_deliver(rs);
	cr_assert_eq(heard.n, 2, "the success and the capability read's failure, not the held failure");
	cr_expect_eq(heard.tags[0], 11);
	cr_expect_eq(heard.tags[1], 12);
	cr_expect_eq(requests_running(rs, NULL), 1, "the held one still counts as running (Esc cancels it)");
	cr_expect(!requests_pending(rs), "nothing to deliver while it is held: no busy loop");
	unsure_now = false;
	cr_expect(requests_pending(rs));
	requests_deliver(rs);
	cr_assert_eq(heard.n, 3);
	cr_expect_eq(heard.tags[2], 10);
	cr_expect_eq(heard.status[2], FHIR_NOT_FOUND);
	/* Started once sure, a failure goes at once. */
	start(rs, 1, 13, NULL);
	fake_answer(3, FHIR_NOT_FOUND);
	requests_deliver(rs);
	cr_expect_eq(heard.n, 4);
	requests_free(&rs);
}

Test(request, a_held_failure_is_cancelled_by_esc_and_dropped_with_its_screen)
{
	struct requests *rs = setup();
	uint64_t h;

	requests_hold_failures(rs, fake_unsure);
	unsure_now = true;
	h = start(rs, 1, 20, NULL);
	start(rs, 2, 21, NULL);
	fake_answer(0, FHIR_NOT_FOUND);
	fake_answer(1, FHIR_NOT_FOUND);
	requests_deliver(rs);
	cr_assert_eq(heard.n, 0);
	cr_expect(requests_cancel(rs, h), "Esc reaches a held answer");
	requests_deliver(rs);
	cr_assert_eq(heard.n, 1);
	cr_expect_eq(heard.status[0], FHIR_CANCELLED);
	fake.live[2] = false; /* its screen was left (or opened again) */
	unsure_now = false;
	requests_deliver(rs);
	cr_expect_eq(heard.n, 1, "the left screen hears nothing");
	requests_free(&rs);
}
