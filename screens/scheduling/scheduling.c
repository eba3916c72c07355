/* What the scheduling screens share: the code lists, the changes, the outcome messages. */
#include "config.h"

#include "fhir/capability.h"

#include "screens/scheduling/scheduling.h"
#include "util/xmalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct field_code scheduling_types[SCHEDULING_TYPES_COUNT] = {
	{ "ROUTINE", "Routine" },
	{ "FOLLOWUP", "Follow-up" },
	{ "CHECKUP", "Check-up" },
	{ "WALKIN", "Walk-in" },
	{ "EMERGENCY", "Emergency" },
};

const struct field_code scheduling_cancel_reasons[] = {
	{ "pat", "Patient" },
	{ "pat-crs", "Patient: canceled via automated reminder system" },
	{ "pat-cpp", "Patient: canceled via patient portal" },
	{ "pat-mt", "Patient: missed appointment" },
	{ "prov", "Provider" },
	{ "prov-pers", "Provider: personal" },
	{ "maint", "Equipment maintenance/repair" },
	{ "oth-weath", "Other: weather" },
	{ "other", "Other" },
};
const size_t scheduling_cancel_reasons_count =
    sizeof scheduling_cancel_reasons / sizeof scheduling_cancel_reasons[0];

void
scheduling_draft_clear(struct scheduling_draft *d)
{
	free(d->type);
	free(d->reason);
	free(d->note);
	memset(d, 0, sizeof *d);
}

void
scheduling_draft_set(struct scheduling_draft *d, const struct scheduling_draft *from)
{
	scheduling_draft_clear(d);
	if (from == NULL)
		return;
	d->type = from->type ? xstrdup(from->type) : NULL;
	d->reason = from->reason ? xstrdup(from->reason) : NULL;
	d->note = from->note ? xstrdup(from->note) : NULL;
}

char *
scheduling_outcome(const struct fhir_result *r, const char *what)
{
	const char *why = r->message ? r->message : NULL;

	/* One status line of 80 columns; the server's words, of any length, go last. */
	switch (fhir_save_outcome(r)) {
	case FHIR_SAVED:
		break;
	case FHIR_SAVE_CONFLICT:
		return xasprintf("%s: someone else changed it first; the day is shown as it is now",
		    what);
	case FHIR_SAVE_UNKNOWN:
		return xasprintf("%s: no answer; the day shows whether it was done (%s)", what,
		    why ? why : "network");
	case FHIR_SAVE_CANCELLED:
		return xasprintf("%s: cancelled before the answer; the day shows whether it was done",
		    what);
	case FHIR_NOT_SAVED:
		return xasprintf("%s: the server refused it; nothing changed: %s", what,
		    why ? why : "no reason given");
	}
	return xasprintf("%s: saved", what);
}

void
scheduling_time(const struct date_time *t, char *buf, size_t size)
{
	snprintf(buf, size, "%02d:%02d", t->hour, t->minute);
}

const struct scheduling_kind scheduling_reschedule = { "reschedule", "Appointment", "Rescheduled",
	"Reschedule" };
const struct scheduling_kind scheduling_cancel = { "cancel", "Appointment",
	"Cancelled; the slot is free", "Cancel" };
const struct scheduling_kind scheduling_noshow = { "no-show", "Appointment", "Marked as a no-show",
	"No-show" };
const struct scheduling_kind scheduling_check_in = { "check-in", "Appointment",
	"Checked in; the visit is open", "Check-in" };
const struct scheduling_kind scheduling_check_out = { "check-out", "Appointment",
	"Checked out; the visit is finished", "Check-out" };
const struct scheduling_kind scheduling_room = { "room", "Encounter", "In the room", "Room" };

static void
on_changed(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct scheduling_change *c = (struct scheduling_change *)(uintptr_t)tag;
	const char *id = strchr(c->ref, '/') + 1;

	if (fhir_save_outcome(r) == FHIR_SAVED) {
		/* The change is made; a failed audit line is said (app_audit), not hidden behind success. */
		if (app_audit(app, c->kind->audit, c->kind->type, id) == 0)
			app_status(app, "%s.", c->kind->done);
	} else {
		char *msg = scheduling_outcome(r, c->kind->what);

		app_error(app, "%s", msg);
		free(msg);
	}
	if (c->after != NULL)
		c->after(app, state, c, r);
}

void
scheduling_change(struct app *app, void *state, struct scheduling_change *c,
    struct fhir_plan *plan, char *cause, const struct scheduling_kind *kind, const char *id)
{
	if (plan == NULL) {
		app_error(app, "%s: %s", kind->what, cause ? cause : "not possible");
		free(cause);
		return;
	}
	free(cause);
	/* One change at a time: C is the answer's, until it comes. */
	if (app_requests(app, state) > 0) {
		fhir_plan_free(&plan);
		app_error(app, "%s: wait for the request running to finish", kind->what);
		return;
	}
	c->kind = kind;
	snprintf(c->ref, sizeof c->ref, "%s/%s", kind->type, id != NULL ? id : "");
	app_request(app, state, &(struct app_request){ .plan = plan, .done = on_changed,
	    .tag = (unsigned long)(uintptr_t)c, .label = kind->what });
}

struct scheduling_target
scheduling_target(const cJSON *appt, const cJSON *encounter, const cJSON *patients,
    const struct date_time *start)
{
	struct scheduling_target t = { appt, encounter, patients, start };

	return t;
}

bool
scheduling_patient_read(struct app *app, const struct scheduling_target *t, const char *verb)
{
	struct sched_patient p;
	bool read;

	if (t->appt == NULL) {
		app_error(app, "%s: choose a booked row first", verb);
		return false;
	}
	sched_patient_read(t->appt, t->patients, &p);
	read = p.resource != NULL;
	sched_patient_clear(&p);
	/* Without the Patient resource no name can be shown for it, so nothing is done to it. */
	if (!read)
		app_error(app, "%s: the patient of this appointment could not be read; nothing was "
			       "changed (refresh reads the day again)",
		    verb);
	return read;
}

static const struct {
	const char *verb, *question;
	const char *allowed[3]; /* the flow statuses (sched_flow_status) it may be taken from */
} steps[] = {
	[SCHEDULING_CHECK_IN] = { "Check-in", "Check in", { "booked", NULL, NULL } },
	[SCHEDULING_NO_SHOW] = { "No-show", "No-show:", { "booked", NULL, NULL } },
	/* Seen: the clinician wrapped the visit up; the front desk checks the patient out. */
	[SCHEDULING_CHECK_OUT] = { "Check-out", "Check out", { "arrived", "in room", "seen" } },
};

static bool
step_allowed(enum scheduling_step step, const char *status)
{
	for (size_t i = 0; i < sizeof steps[step].allowed / sizeof steps[step].allowed[0]; i++)
		if (steps[step].allowed[i] != NULL && strcmp(steps[step].allowed[i], status) == 0)
			return true;
	return false;
}

bool
scheduling_ask_step(struct app *app, struct ui_dialog *dialog, enum scheduling_step step,
    const struct scheduling_target *t, struct scheduling_asked *asked)
{
	const char *verb = steps[step].verb, *status;
	struct sched_patient p;
	char time[8] = "", *q;

	if (!scheduling_patient_read(app, t, verb))
		return false;
	status = sched_flow_status(t->appt, t->encounter);
	if (!step_allowed(step, status)) {
		app_error(app, "%s: the appointment is %s", verb, status);
		return false;
	}
	sched_patient_read(t->appt, t->patients, &p);
	if (t->start != NULL)
		scheduling_time(t->start, time, sizeof time);
	if (step == SCHEDULING_CHECK_IN && p.view.deceased)
		q = xasprintf("%s is recorded as deceased%s%s%s. Check in anyway?", p.view.name,
		    *p.view.deceased_date ? " (" : "", p.view.deceased_date,
		    *p.view.deceased_date ? ")" : "");
	else
		q = xasprintf("%s %s%s%s?", steps[step].question, p.view.name, *time ? " at " : "",
		    time);
	ui_dialog_free(dialog);
	/* A deceased patient is checked in only on a plain yes: Enter alone says no. */
	ui_dialog_init(dialog, q, !p.view.deceased);
	if (p.display_differs)
		ui_dialog_addf(dialog, "The appointment itself says \"%s\"; the name above is the "
				       "patient's record.",
		    p.display);
	free(q);
	asked->step = step;
	snprintf(asked->appt_id, sizeof asked->appt_id, "%s",
	    fhir_id_of(t->appt) ? fhir_id_of(t->appt) : "");
	sched_patient_clear(&p);
	return true;
}

void
scheduling_take_step(struct app *app, void *state, struct scheduling_change *c,
    const struct scheduling_asked *asked, const struct scheduling_target *t)
{
	const char *id = fhir_id_of(t->appt), *verb = steps[asked->step].verb;
	struct sched_patient p;
	struct date_time now;
	char *cause = NULL;

	/* The day may have been read again under the question: act only on the one asked about. */
	if (id == NULL || *asked->appt_id == '\0' || strcmp(id, asked->appt_id) != 0) {
		app_error(app, "%s: the list changed while you were asked; nothing was changed, ask again",
		    verb);
		return;
	}
	if (!scheduling_patient_read(app, t, verb))
		return;
	date_time_now(&now);
	switch (asked->step) {
	case SCHEDULING_CHECK_IN:
		sched_patient_read(t->appt, t->patients, &p);
		scheduling_change(app, state, c, sched_plan_check_in(t->appt, p.resource, &now, &cause),
		    cause, &scheduling_check_in, id);
		sched_patient_clear(&p);
		break;
	case SCHEDULING_NO_SHOW:
		scheduling_change(app, state, c, sched_plan_noshow(t->appt, &cause), cause,
		    &scheduling_noshow, id);
		break;
	case SCHEDULING_CHECK_OUT:
		scheduling_change(app, state, c,
		    sched_plan_check_out(t->appt, t->encounter, &now, &cause), cause,
		    &scheduling_check_out, id);
		break;
	}
}

int
scheduling_audit_patients(struct app *app, const cJSON *patients)
{
	size_t n = (size_t)cJSON_GetArraySize(patients), k = 0;
	const char **ids = xcalloc(n + 1, sizeof *ids);
	const cJSON *p;
	int rc;

	cJSON_ArrayForEach(p, patients)
	{
		if (fhir_id_of(p) != NULL)
			ids[k++] = fhir_id_of(p);
	}
	rc = app_audit_ids(app, "view", "Patient", ids, k);
	free(ids);
	return rc;
}

#define OWNERS_KEPT "scheduling.owners"

static void
owners_free(void *data)
{
	sched_owners_free(data);
	free(data);
}

void
scheduling_keep_owners(struct app *app, const struct sched_owners *o)
{
	struct sched_owners *copy = xcalloc(1, sizeof *copy);

	sched_owners_copy(o, copy);
	app_keep(app, OWNERS_KEPT, copy, owners_free);
}

const struct sched_owners *
scheduling_owners(struct app *app)
{
	return app_kept(app, OWNERS_KEPT);
}

static void
on_ready_owners(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct sched_owners o = { 0 };

	(void)state;
	(void)tag;
	/* A failure is not said: the schedule screen reads the list itself, and says why. */
	if (r->status != FHIR_OK)
		return;
	sched_owners_read(r->resource, &o);
	if (o.n > 0)
		scheduling_keep_owners(app, &o);
	sched_owners_free(&o);
}

void
scheduling_ready(struct app *app)
{
	struct fhir_search *q;

	/* A server without Schedules (OpenEMR's) is not asked for them. */
	if (!fhir_caps_offers(app_caps(app), "Schedule", FHIR_SEARCH, NULL))
		return;
	q = sched_owners_search();

	app_request(app, NULL, &(struct app_request){ .search = q, .done = on_ready_owners,
	    .background = true, .slot = "scheduling-owners", .label = "Reading the schedules" });
	fhir_search_free(&q);
}
