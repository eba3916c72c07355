/*
 * The visit wrap-up, VistA's check-out interview: on the patient's open visit the clinician
 * chooses the encounter diagnoses, in order (the first is the primary), from the visit's own
 * ICD-10-CM coded conditions, the active problems, or codes typed; adds the procedures done
 * by their CPT codes; then signs the visit note and finishes the visit, asked first and the
 * key's passphrase typed again, in one transaction (src/fhir/wrapup.h). Billing's charge
 * capture reads what it writes.
 *
 * Everything is read in one batch, and the draft's text apart; after a write the visit is
 * shown from the write's answer (read again by its id only when the answer lacks it or does
 * not fit). A save that failed keeps every choice; one whose answer was lost is settled by
 * the request identifiers found on the visit read again.
 */
#include "config.h"

#include "screens/chart/chart-private.h"
#include "screens/screens.h"
#include "app/app.h"
#include "fhir/note.h"
#include "fhir/plan.h"
#include "fhir/wrapup.h"
#include "ui/dialog.h"
#include "ui/list.h"
#include "ui/prompt.h"
#include "ui/ui.h"
#include "util/secret.h"
#include "util/uuid.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The longest passphrase typed to sign, as the login prompt's. */
#define PASS_MAX 1024
/* A code and its words typed on the last line. */
#define TYPED_MAX (16 + WRAPUP_WORDS_MAX)

enum { COL_RANK, COL_CODE, COL_WHAT, COL_FROM, COL_COUNT };
static const struct ui_list_column columns[COL_COUNT] = {
	{ "#", 2, 0 },
	{ "Code", 8, 0 },
	{ "Diagnosis or procedure", 0, 1 },
	{ "From", 14, 0 },
};

/* What the last line is typing. */
enum typing { T_NONE, T_DIAGNOSIS, T_CODE, T_PROCEDURE, T_PASS };
enum question { Q_NONE, Q_FINISH, Q_LEAVE };

struct wrapup_screen {
	char *id; /* the patient's */
	struct chart_banner banner;
	char *encounter; /* the visit's id once read: read again by it */
	bool loaded;	 /* CTX and FORM are the server's answer */
	char *failed;	 /* why the last read failed, or NULL */
	struct wrapup_context ctx;
	struct wrapup_form form;
	bool has_body; /* BODY is the draft's text, read */
	struct note_body body;
	struct ui_list list;
	size_t at;	/* the row (an index of FORM) the cursor is kept on */
	struct ui_prompt typed;
	struct ui_prompt pass;
	enum typing typing;
	size_t typing_row; /* the problem a code is typed for */
	int cursor_y, cursor_x;
	struct ui_dialog dialog;
	enum question asking;
	bool dirty;	/* choices made since the form was read */
	bool saving, unsure, warned, saved;
	char request_id[UUID_BUF_SIZE];
	/* What the write in flight does, for its audit lines and its sentence. */
	size_t new_conditions, new_procedures, chosen;
	bool signing;
};

static void read_context(struct app *app, struct wrapup_screen *s);

static void
fhir_now(char *buf, size_t size)
{
	struct date_time now;

	date_time_now(&now);
	if (date_time_format_fhir(&now, date_time_local_offset(&now), buf, size) != 0)
		buf[0] = '\0';
}

/*
 * "2026-12-02 13:00" of a FHIR dateTime in local time, as the chart shows times (the server
 * may hold it in UTC), or it as it is when it is not an instant.
 */
static void
when_of(const char *iso, char *out, size_t size)
{
	char *local = chart_when(iso, true);

	snprintf(out, size, "%s", local);
	free(local);
}

static const char *
from_words(const struct wrapup_item *it)
{
	switch (it->kind) {
	case WRAPUP_DX_VISIT:
		return "this visit";
	case WRAPUP_DX_PROBLEM:
		return it->code_typed ? "problem, typed" : "problem list";
	case WRAPUP_DX_TYPED:
		return "typed";
	case WRAPUP_PROC_DONE:
		return "recorded";
	default:
		return "new";
	}
}

/* The rows in the form's order, the cursor kept on the row it was on. */
static void
fill(struct wrapup_screen *s)
{
	struct ui_list_page *pg = ui_list_page_new(COL_COUNT);
	unsigned ticket = ui_list_reset(&s->list);
	size_t *order = xcalloc(s->form.n + 1, sizeof *order);
	long select = -1;

	ui_list_set_empty_message(&s->list, !s->loaded ? "Not read yet."
	    : s->ctx.encounter == NULL ? "No open visit: nothing to wrap up."
				      : "No diagnoses or procedures to choose from: type them.");
	wrapup_form_order(&s->form, order);
	for (size_t k = 0; k < s->form.n; k++) {
		const struct wrapup_item *it = &s->form.v[order[k]];
		bool procedure = it->kind == WRAPUP_PROC_DONE || it->kind == WRAPUP_PROC_NEW;
		char rank[16] = "", row[24], *what;
		const char *cells[COL_COUNT];

		if (procedure)
			snprintf(rank, sizeof rank, "px");
		else if (it->rank > 0)
			snprintf(rank, sizeof rank, "%u", it->rank);
		if (procedure)
			what = xasprintf("Procedure: %s", it->what);
		else if (it->code == NULL)
			what = xasprintf("%s (no ICD-10-CM code: type one)", it->what);
		else if (it->text != NULL && it->kind == WRAPUP_DX_PROBLEM)
			what = xasprintf("%s: %s", it->what, it->text);
		else
			what = xstrdup(it->what);
		cells[COL_RANK] = rank;
		cells[COL_CODE] = it->code != NULL ? it->code : "-";
		cells[COL_WHAT] = what;
		cells[COL_FROM] = from_words(it);
		snprintf(row, sizeof row, "%zu", order[k]);
		if (order[k] == s->at)
			select = (long)k;
		ui_list_page_add(pg, row, cells);
		free(what);
	}
	ui_list_add_page(&s->list, ticket, &pg, 0, NULL, (long)s->form.n, NULL);
	for (long i = 0; i < select; i++)
		ui_list_action(&s->list, A_DOWN);
	free(order);
}

/* The row under the cursor, an index of the form, or -1. */
static long
selected(const struct wrapup_screen *s)
{
	const char *row = ui_list_selected_id(&s->list);
	char *end;
	unsigned long i;

	if (!s->loaded || row == NULL)
		return -1;
	i = strtoul(row, &end, 10);
	return *end == '\0' && i < s->form.n ? (long)i : -1;
}

/* --- reading ------------------------------------------------------------------------------ */

static void
forget_body(struct wrapup_screen *s)
{
	if (s->has_body)
		note_body_clear(&s->body);
	s->has_body = false;
}

/* The audit lines of what was shown; nonzero, said on the status line, when one failed. */
static int
audit_view(struct app *app, struct wrapup_screen *s)
{
	if (app_audit(app, "view", "Encounter", s->id) != 0 ||
	    app_audit(app, "view", "Condition", s->id) != 0 ||
	    app_audit(app, "view", "Procedure", s->id) != 0)
		return -1;
	return s->ctx.has_draft ? app_audit(app, "view", "DocumentReference", s->id) : 0;
}

/* The audit lines of the write that arrived. */
static int
audit_write(struct app *app, struct wrapup_screen *s)
{
	if ((s->new_conditions > 0 && app_audit(app, "create", "Condition", s->id) != 0) ||
	    (s->new_procedures > 0 && app_audit(app, "create", "Procedure", s->id) != 0) ||
	    app_audit(app, "update", "Encounter", s->id) != 0)
		return -1;
	if (s->signing && (app_audit(app, "update", "DocumentReference", s->id) != 0 ||
			      app_audit(app, "create", "Provenance", s->id) != 0))
		return -1;
	return 0;
}

static void
say_finished(struct app *app, struct wrapup_screen *s, bool found)
{
	if (audit_write(app, s) != 0)
		return;
	/* The counts are of what this write made: procedures recorded before are not counted. */
	app_status(app, "Visit of %s finished%s: %zu diagnos%s, %zu procedure%s%s.",
	    s->banner.view.name, found ? " (found on the server after the answer was lost)" : "",
	    s->chosen, s->chosen == 1 ? "is" : "es", s->new_procedures,
	    s->new_procedures == 1 ? "" : "s", s->signing ? ", note signed" : "");
}

static void
on_body(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct wrapup_screen *s = state;
	char *cause = NULL;

	(void)tag;
	forget_body(s);
	if (r->status != FHIR_OK ||
	    note_body_read(r->resource, s->ctx.draft.binary, &s->body, &cause) != 0) {
		app_error(app, "The visit note's text could not be read: %s; it is not signed until "
			       "it is (refresh)",
		    cause != NULL ? cause : r->message != NULL ? r->message : "no answer");
		free(cause);
		return;
	}
	s->has_body = true;
	app_dirty(app);
}

static void
on_context(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct wrapup_screen *s = state;
	struct wrapup_context got;
	struct wrapup_form form;
	char *cause = NULL;
	bool keep = s->loaded && !s->saved;

	(void)tag;
	if (r->status != FHIR_OK ||
	    wrapup_context_read(r->resource, s->id, app_user(app), s->encounter,
		fhir_client_base(app_fhir(app)), &got, &cause) != 0) {
		/* What was chosen stays on screen: a failed read loses nothing typed. */
		free(s->failed);
		s->failed = cause != NULL ? cause
		    : xstrdup(r->status == FHIR_CANCELLED ? "cancelled"
			      : r->message != NULL ? r->message : "no answer");
		app_error(app, "The visit could not be read: %s", s->failed);
		return;
	}
	free(s->failed);
	s->failed = NULL;
	if (s->unsure) {
		bool arrived = wrapup_arrived(&got, &s->form, s->request_id);

		s->unsure = false;
		if (arrived) {
			uuid_v4(s->request_id);
			keep = false;
			s->dirty = false;
			say_finished(app, s, true);
		} else {
			app_error(app, "Not saved: it did not reach the server; try again");
		}
	}
	s->saved = false;
	wrapup_form_build(&got, keep ? &s->form : NULL, &form);
	wrapup_context_clear(&s->ctx);
	wrapup_form_clear(&s->form);
	forget_body(s);
	s->ctx = got;
	s->form = form;
	s->loaded = true;
	if (s->ctx.encounter_id != NULL && s->encounter == NULL)
		s->encounter = xstrdup(s->ctx.encounter_id);
	/* Nothing of it shows without its audit lines. */
	if (s->ctx.encounter != NULL && audit_view(app, s) != 0) {
		wrapup_context_clear(&s->ctx);
		wrapup_form_clear(&s->form);
		s->loaded = false;
		s->failed = xstrdup("the audit trail cannot be written");
		fill(s);
		return;
	}
	fill(s);
	if (s->ctx.has_draft && s->ctx.note == WRAPUP_NOTE_DRAFT && !s->ctx.finished) {
		if (s->ctx.draft.binary == NULL)
			app_error(app, "The visit note's text is not on this server: it cannot be signed");
		else
			app_request(app, s, &(struct app_request){ .read = s->ctx.draft.binary,
			    .done = on_body, .slot = "wrapup-read",
			    .label = "Reading the visit note's text" });
	}
	app_dirty(app);
}

static void
read_context(struct app *app, struct wrapup_screen *s)
{
	cJSON *batch = wrapup_context_batch(app_fhir(app), s->id, app_user(app), s->encounter);

	if (batch == NULL) {
		free(s->failed);
		s->failed = xstrdup("the patient's or the visit's id is not valid");
		return;
	}
	app_request(app, s, &(struct app_request){ .batch = batch, .done = on_context,
	    .slot = "wrapup-read", .label = "Reading the visit" });
	cJSON_Delete(batch);
}

/* --- choosing ----------------------------------------------------------------------------- */

static void
changed_to(struct app *app, struct wrapup_screen *s, long row)
{
	if (row >= 0)
		s->at = (size_t)row;
	s->dirty = true;
	fill(s);
	app_dirty(app);
}

static void
start_typing(struct wrapup_screen *s, enum typing t, size_t row)
{
	ui_prompt_init(&s->typed, TYPED_MAX, false);
	s->typing = t;
	s->typing_row = row;
}

static int
wrapup_toggle(struct app *app, void *state)
{
	struct wrapup_screen *s = state;
	long i = selected(s);
	char *cause = NULL;

	if (i < 0)
		return APP_HANDLED;
	s->at = (size_t)i;
	/* A problem without an ICD-10-CM code is chosen with one typed. */
	if (s->form.v[i].code == NULL && s->form.v[i].rank == 0) {
		start_typing(s, T_CODE, (size_t)i);
		return APP_REDRAW;
	}
	if (wrapup_form_toggle(&s->form, (size_t)i, &cause) != 0) {
		app_error(app, "%s", cause);
		free(cause);
		return APP_REDRAW;
	}
	if (s->at >= s->form.n && s->at > 0) /* a new procedure taken off */
		s->at--;
	changed_to(app, s, -1);
	return APP_REDRAW;
}

static int
rank_move(struct app *app, struct wrapup_screen *s, int by)
{
	long i = selected(s);
	char *cause = NULL;

	if (i < 0)
		return APP_HANDLED;
	if (wrapup_form_move(&s->form, (size_t)i, by, &cause) != 0) {
		app_error(app, "%s", cause);
		free(cause);
		return APP_REDRAW;
	}
	changed_to(app, s, i);
	return APP_REDRAW;
}

static int
wrapup_rank_up(struct app *app, void *state)
{
	return rank_move(app, state, -1);
}

static int
wrapup_rank_down(struct app *app, void *state)
{
	return rank_move(app, state, 1);
}

static int
wrapup_add_diagnosis(struct app *app, void *state)
{
	(void)app;
	start_typing(state, T_DIAGNOSIS, (size_t)-1);
	return APP_REDRAW;
}

static int
wrapup_add_procedure(struct app *app, void *state)
{
	(void)app;
	start_typing(state, T_PROCEDURE, (size_t)-1);
	return APP_REDRAW;
}

/* The code typed on the last line added; the line stays, as typed, when it is refused. */
static void
code_typed(struct app *app, struct wrapup_screen *s)
{
	char *text = ui_prompt_text(&s->typed), *cause = NULL;
	long row;

	if (s->typing == T_PROCEDURE)
		row = wrapup_form_add_procedure(&s->form, &s->ctx, text, &cause);
	else
		row = wrapup_form_add_diagnosis(&s->form, text, s->typing == T_CODE ? s->typing_row
										       : (size_t)-1, &cause);
	free(text);
	if (row < 0) {
		app_error(app, "Not added: %s", cause);
		free(cause);
		return;
	}
	s->typing = T_NONE;
	ui_prompt_clear(&s->typed);
	changed_to(app, s, row);
}

/* --- writing ------------------------------------------------------------------------------ */

/*
 * The visit as the save's answer ANSWER says the server now holds it, shown as on_context
 * shows a read: true. False, nothing taken, when the answer does not say it all (a server
 * that returns no body) or does not fit: the visit is then read again.
 */
static bool
from_answer(struct app *app, struct wrapup_screen *s, const cJSON *answer)
{
	struct wrapup_form form;
	char *cause = NULL;

	if (wrapup_saved_read(answer, s->id, &s->ctx, &cause) != 0) {
		free(cause);
		return false;
	}
	s->saved = false;
	wrapup_form_build(&s->ctx, NULL, &form);
	wrapup_form_clear(&s->form);
	s->form = form;
	forget_body(s);
	free(s->failed);
	s->failed = NULL;
	/* Nothing of it shows without its audit lines. */
	if (audit_view(app, s) != 0) {
		wrapup_context_clear(&s->ctx);
		wrapup_form_clear(&s->form);
		s->loaded = false;
		s->failed = xstrdup("the audit trail cannot be written");
	}
	fill(s);
	app_dirty(app);
	return true;
}

static void
on_saved(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct wrapup_screen *s = state;

	(void)tag;
	s->saving = false;
	if (fhir_save_outcome(r) == FHIR_SAVED) {
		s->unsure = false;
		s->dirty = false;
		s->saved = true;
		uuid_v4(s->request_id);
		say_finished(app, s, false);
		if (!from_answer(app, s, r->resource))
			read_context(app, s);
		return;
	}
	if (chart_save_failed(app, r,
		"the visit or its note changed meanwhile; they are read again (your choices are "
		"kept), try again",
		&s->unsure))
		read_context(app, s);
}

/* The wrap-up written, signed with JWS (NULL: no draft to sign). */
static void
write_wrapup(struct app *app, struct wrapup_screen *s, const char *jws)
{
	char when[40], *cause = NULL;
	struct fhir_plan *plan;

	fhir_now(when, sizeof when);
	plan = wrapup_plan(&s->ctx, &s->form, &(struct wrapup_input){ .patient = s->id,
	    .when = when, .request_id = s->request_id, .body = s->has_body ? &s->body : NULL,
	    .jws = jws }, &cause);
	if (plan == NULL) {
		app_error(app, "Not finished: %s", cause);
		free(cause);
		return;
	}
	s->chosen = wrapup_form_chosen(&s->form);
	s->new_procedures = wrapup_form_new_procedures(&s->form);
	s->new_conditions = 0;
	for (size_t i = 0; i < s->form.n; i++)
		s->new_conditions += s->form.v[i].rank > 0 && s->form.v[i].kind != WRAPUP_DX_VISIT;
	s->signing = jws != NULL;
	s->saving = true;
	app_request(app, s, &(struct app_request){ .plan = plan, .done = on_saved,
	    .label = "Finishing the visit" });
}

/* The passphrase typed: proved, the draft's text signed, the wrap-up sent. */
static void
sign_typed(struct app *app, struct wrapup_screen *s)
{
	struct secret *pass = ui_prompt_take_secret(&s->pass);
	char *target, *jws, *cause = NULL;

	s->typing = T_NONE;
	ui_prompt_clear(&s->pass);
	if (!chart_same_patient(app, s->id, s->banner.view.name) || !s->has_body) {
		if (!s->has_body)
			app_error(app, "Not finished: the visit note's text is not read (refresh)");
		secret_free(&pass);
		return;
	}
	target = note_sign_target(&s->ctx.draft);
	jws = app_sign(app, &pass, target, s->body.bytes, s->body.len, &cause);
	free(target);
	if (jws == NULL) {
		app_error(app, "Not signed, not finished: %s", cause);
		free(cause);
		return;
	}
	write_wrapup(app, s, jws);
	free(jws);
}

/* What the wrap-up will write, for the question that asks. */
static void
describe(struct wrapup_screen *s)
{
	size_t *order = xcalloc(s->form.n + 1, sizeof *order), n = wrapup_form_chosen(&s->form);
	char when[32];

	wrapup_form_order(&s->form, order);
	ui_dialog_addf(&s->dialog, "For %s, born %s.", s->banner.view.name,
	    *s->banner.view.birth_date ? s->banner.view.birth_date
				       : "(date of birth not recorded)");
	ui_dialog_add(&s->dialog, "Diagnoses, the first the primary:");
	for (size_t k = 0; k < n; k++) {
		const struct wrapup_item *it = &s->form.v[order[k]];

		ui_dialog_addf(&s->dialog, "  %zu. %s %s%s", k + 1, it->code, it->what,
		    it->kind == WRAPUP_DX_VISIT ? "" : " (new)");
	}
	if (wrapup_form_new_procedures(&s->form) == 0)
		ui_dialog_add(&s->dialog, "No new procedure.");
	for (size_t i = 0; i < s->form.n; i++)
		if (s->form.v[i].kind == WRAPUP_PROC_NEW)
			ui_dialog_addf(&s->dialog, "Procedure: %s %s", s->form.v[i].code,
			    s->form.v[i].what);
	when_of(s->ctx.draft.date, when, sizeof when);
	if (s->ctx.note == WRAPUP_NOTE_DRAFT)
		ui_dialog_addf(&s->dialog, "The visit note of %s is signed with your key.", when);
	else
		ui_dialog_add(&s->dialog, "The visit note is signed already.");
	ui_dialog_add(&s->dialog, "The visit is then finished; billing reads its diagnoses.");
	free(order);
}

static int
wrapup_finish(struct app *app, void *state)
{
	struct wrapup_screen *s = state;
	char *why = wrapup_refusal(&s->ctx, &s->form), *question, key[32];

	if (why != NULL) {
		if (s->ctx.encounter != NULL && s->ctx.note == WRAPUP_NOTE_NONE &&
		    app_key_for(app, A_WRITE_NOTE, key, sizeof key))
			app_error(app, "Not finished: %s (%s)", why, key);
		else
			app_error(app, "Not finished: %s", why);
		free(why);
		return APP_REDRAW;
	}
	if (s->ctx.note == WRAPUP_NOTE_DRAFT && !s->has_body) {
		app_error(app, "Not finished: the visit note's text is not read yet (refresh)");
		return APP_REDRAW;
	}
	if (!chart_same_patient(app, s->id, s->banner.view.name))
		return APP_REDRAW;
	ui_dialog_free(&s->dialog);
	question = xasprintf("Sign the note and finish the visit of %s?", s->banner.view.name);
	ui_dialog_init(&s->dialog, question, false);
	free(question);
	describe(s);
	s->asking = Q_FINISH;
	return APP_REDRAW;
}

static void
finish_answered(struct app *app, struct wrapup_screen *s)
{
	if (!chart_same_patient(app, s->id, s->banner.view.name))
		return;
	if (s->ctx.note == WRAPUP_NOTE_DRAFT) {
		ui_prompt_init(&s->pass, PASS_MAX, true);
		s->typing = T_PASS;
		return;
	}
	write_wrapup(app, s, NULL);
}

static void
wrapup_changed(struct app *app, void *state, enum action a)
{
	struct wrapup_screen *s = state;
	enum ui_dialog_answer answer = ui_dialog_answer(&s->dialog);
	enum question q = s->asking;

	(void)a;
	s->warned = false;
	if (q == Q_NONE || answer == UI_DIALOG_ASKING)
		return;
	s->asking = Q_NONE;
	ui_dialog_free(&s->dialog);
	ui_dialog_init(&s->dialog, "", false);
	if (answer != UI_DIALOG_YES) {
		app_status(app, q == Q_FINISH ? "Not finished: nothing was written" : "Nothing changed");
		return;
	}
	if (q == Q_LEAVE)
		app_leave(app, s);
	else
		finish_answered(app, s);
}

static int
wrapup_write_note(struct app *app, void *state)
{
	struct wrapup_screen *s = state;

	/* The visit's one draft goes on; else a new note, at the open visit. */
	chart_open_note(app, &(struct chart_list_arg){ .id = s->id, .patient = s->banner.patient,
	    .allergies = &s->banner.allergies },
	    s->ctx.has_draft && s->ctx.drafts == 1 ? s->ctx.draft.id : NULL);
	return APP_HANDLED;
}

static int
wrapup_refresh(struct app *app, void *state)
{
	read_context(app, state);
	return APP_REDRAW;
}

/* Enter: what is typed on the last line goes; otherwise not this screen's. */
static int
wrapup_select(struct app *app, void *state)
{
	struct wrapup_screen *s = state;

	if (s->typing == T_NONE || s->asking != Q_NONE)
		return APP_IGNORED;
	if (s->typing == T_PASS)
		sign_typed(app, s);
	else
		code_typed(app, s);
	return APP_REDRAW;
}

static int
wrapup_back(struct app *app, void *state)
{
	struct wrapup_screen *s = state;
	char esc[32];

	if (s->typing != T_NONE) {
		if (s->typing == T_PASS) {
			ui_prompt_clear(&s->pass);
			app_status(app, "Not signed, not finished");
		} else {
			ui_prompt_clear(&s->typed);
			app_status(app, "Nothing added");
		}
		s->typing = T_NONE;
		return APP_REDRAW;
	}
	if (s->asking != Q_NONE || app_requests(app, s) > 0)
		return APP_IGNORED; /* the dialog's, or the loop's to cancel */
	if (s->dirty && !s->ctx.finished && !s->unsure) {
		ui_dialog_free(&s->dialog);
		ui_dialog_init(&s->dialog, "Leave without finishing the visit?", false);
		ui_dialog_add(&s->dialog, "The diagnoses and procedures chosen are not written.");
		s->asking = Q_LEAVE;
		return APP_REDRAW;
	}
	if (!s->unsure || s->warned)
		return APP_LEAVE;
	s->warned = true;
	if (app_key_for(app, A_BACK, esc, sizeof esc))
		app_error(app, "Whether the visit was finished is not known: %s again leaves", esc);
	else
		app_error(app, "Whether the visit was finished is not known: back again leaves");
	return APP_REDRAW;
}

/* --- drawing ------------------------------------------------------------------------------ */

/* The line that says what happens to the visit's note. */
static void
draw_note(struct app *app, struct wrapup_screen *s, WINDOW *win, int y)
{
	char when[32], key[32], finish[32], what[160];
	const char *kind;

	if (!app_key_for(app, A_WRITE_NOTE, key, sizeof key))
		snprintf(key, sizeof key, "write-note");
	when_of(s->ctx.has_draft ? s->ctx.draft.date : "", when, sizeof when);
	switch (s->ctx.note) {
	case WRAPUP_NOTE_DRAFT:
		if (!app_key_for(app, A_FINISH_VISIT, finish, sizeof finish))
			snprintf(finish, sizeof finish, "finish-visit");
		/*
		 * An addendum or a correction says so, in the room its type would take (it has
		 * the type of the note it is about): it is not the visit's first note.
		 */
		kind = note_draft_words(&s->ctx.draft);
		snprintf(what, sizeof what, "%s of %s, a draft",
		    *s->ctx.draft.type_text ? s->ctx.draft.type_text : "a note", when);
		if (strcmp(kind, "a draft") != 0)
			snprintf(what, sizeof what, "%s of %s", kind, when);
		if (s->has_body)
			ui_putf(win, y, 0, COLS, UI_NORMAL, true, "Note: %s: %s signs it and finishes",
			    what, finish);
		else
			ui_putf(win, y, 0, COLS, UI_NORMAL, true, "Note: %s: its text is being read",
			    what);
		break;
	case WRAPUP_NOTE_SIGNED:
		ui_putf(win, y, 0, COLS, UI_NORMAL, true, "Note: signed (%zu signed at this visit).",
		    s->ctx.signed_notes);
		break;
	case WRAPUP_NOTE_DRAFTS:
		ui_putf(win, y, 0, COLS, UI_ERROR, true, "Note: %zu drafts at this visit: sign or retire "
		    "all but one (%s).", s->ctx.drafts, key);
		break;
	case WRAPUP_NOTE_OTHERS:
		ui_putf(win, y, 0, COLS, UI_ERROR, true, "Note: the draft at this visit is someone "
		    "else's; only its author signs it.");
		break;
	default:
		ui_putf(win, y, 0, COLS, UI_ERROR, true, "Note: none at this visit yet; write it first "
		    "(%s).", key);
		break;
	}
}

static void
wrapup_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct wrapup_screen *s = state;
	int y = top + 2, bottom = top + rows - 1, label;
	char when[32], choose[32], up[32], down[32], dx[32], status[32];

	chart_banner_draw(&s->banner, win, top);
	if (!s->loaded || s->ctx.encounter == NULL) {
		if (!s->loaded)
			ui_putf(win, y++, 0, COLS, s->failed ? UI_ERROR : UI_NORMAL, true, "%s%s",
			    s->failed ? "Not read: " : "Reading the visit...", s->failed ? s->failed : "");
		else
			ui_putf(win, y++, 0, COLS, UI_TITLE, true, "No open visit for %s: the wrap-up "
			    "starts when the patient is checked in.", s->banner.view.name);
		for (int i = y; i <= bottom; i++)
			ui_blank(win, i, 0, COLS);
		return;
	}
	when_of(s->ctx.start, when, sizeof when);
	/* "in-progress" as words; a status from the server is only shown, never acted on. */
	snprintf(status, sizeof status, "%s", s->ctx.status);
	for (char *p = status; *p != '\0'; p++)
		if (*p == '-')
			*p = ' ';
	ui_putf(win, y++, 0, COLS, UI_TITLE, true, "Wrap-up of %s's visit of %s (%s)",
	    s->banner.view.name, *when ? when : "an unknown time",
	    s->ctx.finished ? "finished" : status);
	draw_note(app, s, win, y++);
	ui_list_draw(&s->list, win, y, bottom - 1 - y, COLS);
	if (!app_key_for(app, A_TOGGLE, choose, sizeof choose))
		snprintf(choose, sizeof choose, "toggle");
	if (!app_key_for(app, A_RANK_UP, up, sizeof up))
		snprintf(up, sizeof up, "rank-up");
	if (!app_key_for(app, A_RANK_DOWN, down, sizeof down))
		snprintf(down, sizeof down, "rank-down");
	if (!app_key_for(app, A_ADD_DIAGNOSIS, dx, sizeof dx))
		snprintf(dx, sizeof dx, "add-diagnosis");
	if (s->failed != NULL)
		ui_putf(win, bottom - 1, 0, COLS, UI_ERROR, true, "Not read again: %s", s->failed);
	else if (s->ctx.finished)
		ui_putf(win, bottom - 1, 0, COLS, UI_NORMAL, true,
		    "This visit is finished: its diagnoses are as billing reads them.");
	else
		ui_putf(win, bottom - 1, 0, COLS, UI_DIM, true,
		    "Chosen: %zu diagnos%s, %zu new procedure%s%s. %s chooses, %s %s order, %s types a "
		    "code", wrapup_form_chosen(&s->form), wrapup_form_chosen(&s->form) == 1 ? "is" : "es",
		    wrapup_form_new_procedures(&s->form),
		    wrapup_form_new_procedures(&s->form) == 1 ? "" : "s",
		    s->ctx.cut || s->ctx.problems.more > 0 ? " (some records were not read)" : "",
		    choose, up, down, dx);
	if (s->typing == T_NONE) {
		ui_blank(win, bottom, 0, COLS);
	} else if (s->typing == T_PASS) {
		label = ui_putf(win, bottom, 0, COLS / 2, UI_NORMAL, false,
		    "Sign as %s: the key's passphrase:", app_user(app) ? app_user(app) : "you");
		ui_prompt_draw(&s->pass, win, bottom, label + 1, COLS - label - 1, &s->cursor_x);
		s->cursor_y = bottom;
	} else {
		if (s->typing == T_CODE && s->typing_row < s->form.n)
			label = ui_putf(win, bottom, 0, COLS / 2, UI_NORMAL, false, "ICD-10-CM code for %s:",
			    s->form.v[s->typing_row].what);
		else
			label = ui_putf(win, bottom, 0, COLS / 2, UI_NORMAL, false, "%s",
			    s->typing == T_PROCEDURE ? "CPT code (99213), words:"
						     : "ICD-10-CM code (E11.9), words:");
		ui_prompt_draw(&s->typed, win, bottom, label + 1, COLS - label - 1, &s->cursor_x);
		s->cursor_y = bottom;
	}
	if (s->asking != Q_NONE)
		ui_dialog_draw(&s->dialog, win, top + 2, rows - 2, COLS);
}

/* --- the screen ----------------------------------------------------------------------------- */

static void *
wrapup_enter(struct app *app, void *arg)
{
	const struct chart_list_arg *in = arg;
	struct wrapup_screen *s = xcalloc(1, sizeof *s);

	s->id = xstrdup(in->id);
	chart_banner_take(&s->banner, in);
	ui_list_init(&s->list, columns, COL_COUNT, NULL, s);
	ui_dialog_init(&s->dialog, "", false);
	ui_prompt_init(&s->typed, TYPED_MAX, false);
	ui_prompt_init(&s->pass, PASS_MAX, true);
	uuid_v4(s->request_id);
	fill(s);
	read_context(app, s);
	return s;
}

static void
wrapup_leave(struct app *app, void *state)
{
	struct wrapup_screen *s = state;

	(void)app;
	forget_body(s);
	wrapup_context_clear(&s->ctx);
	wrapup_form_clear(&s->form);
	ui_list_free(&s->list);
	ui_dialog_free(&s->dialog);
	ui_prompt_clear(&s->typed);
	ui_prompt_clear(&s->pass);
	chart_banner_clear(&s->banner);
	free(s->failed);
	free(s->encounter);
	free(s->id);
	free(s);
}

/* Coming back from the note screen: the note may be written or signed now. */
static void
wrapup_resume(struct app *app, void *state)
{
	read_context(app, state);
}

enum {
	NEEDS_QUIET = APP_NEEDS_SCREEN,	     /* no question, nothing being typed */
	NEEDS_OPEN = APP_NEEDS_SCREEN << 1,  /* an open visit read, not finished */
	NEEDS_ROW = APP_NEEDS_SCREEN << 2,   /* a row chosen */
	NEEDS_READ = APP_NEEDS_SCREEN << 3,  /* the visit read */
};

static const char *
wrapup_unmet(struct app *app, void *state, unsigned need)
{
	struct wrapup_screen *s = state;

	(void)app;
	if (need == NEEDS_QUIET && s->asking != Q_NONE)
		return "answer the question first";
	if (need == NEEDS_QUIET && s->typing != T_NONE)
		return "finish typing and press Enter, or go back";
	if ((need == NEEDS_OPEN || need == NEEDS_READ) && !s->loaded)
		return s->failed ? "the visit could not be read: refresh" : "wait for the visit to be read";
	if (need == NEEDS_OPEN && s->ctx.encounter == NULL)
		return "the patient has no open visit";
	if (need == NEEDS_OPEN && s->ctx.finished)
		return "the visit is finished";
	/* A failed read after a write: what the server holds is not known, so nothing is written. */
	if (need == NEEDS_OPEN && s->failed != NULL)
		return "the visit could not be read again: refresh";
	if (need == NEEDS_ROW && selected(s) < 0)
		return "choose a row first";
	return NULL;
}

static struct app_focus
wrapup_widget(struct app *app, void *state)
{
	struct wrapup_screen *s = state;

	(void)app;
	if (s->asking != Q_NONE)
		return (struct app_focus){ APP_WIDGET_DIALOG, &s->dialog };
	if (s->typing == T_PASS)
		return (struct app_focus){ APP_WIDGET_PROMPT, &s->pass };
	if (s->typing != T_NONE)
		return (struct app_focus){ APP_WIDGET_PROMPT, &s->typed };
	return (struct app_focus){ APP_WIDGET_LIST, &s->list };
}

static bool
wrapup_cursor(struct app *app, void *state, int *y, int *x)
{
	struct wrapup_screen *s = state;

	(void)app;
	if (s->typing == T_NONE || s->asking != Q_NONE)
		return false;
	*y = s->cursor_y;
	*x = s->cursor_x;
	return true;
}

static bool
wrapup_unsaved(struct app *app, void *state)
{
	struct wrapup_screen *s = state;

	(void)app;
	return (s->dirty && !s->ctx.finished) || s->unsure || s->typing != T_NONE;
}

#define CHOOSE (NEEDS_QUIET | NEEDS_OPEN)
static const struct screen_action wrapup_actions[] = {
	{ A_TOGGLE, wrapup_toggle, CHOOSE | NEEDS_ROW, "choose" },
	{ A_RANK_UP, wrapup_rank_up, CHOOSE | NEEDS_ROW, NULL },
	{ A_RANK_DOWN, wrapup_rank_down, CHOOSE | NEEDS_ROW, NULL },
	{ A_ADD_DIAGNOSIS, wrapup_add_diagnosis, CHOOSE, "diagnosis" },
	{ A_ADD_PROCEDURE, wrapup_add_procedure, CHOOSE, "procedure" },
	{ A_FINISH_VISIT, wrapup_finish, CHOOSE | APP_NEEDS_IDLE, "finish" },
	{ A_WRITE_NOTE, wrapup_write_note, CHOOSE | APP_NEEDS_IDLE, "note" },
	{ A_REFRESH, wrapup_refresh, NEEDS_QUIET | APP_NEEDS_IDLE, NULL },
	{ A_SELECT, wrapup_select, 0, NULL },
	{ A_BACK, wrapup_back, 0, NULL },
	{ A_NONE },
};
#undef CHOOSE

const struct screen_ops chart_wrapup_screen = {
	.name = "wrapup-form",
	.title = "visit wrap-up",
	.context = "wrapup",
	.module = "charting",
	.needs = SCREEN_NEEDS_ONLINE,
	.needs_arg = "open the patient's chart first",
	.enter = wrapup_enter,
	.leave = wrapup_leave,
	.draw = wrapup_draw,
	.resume = wrapup_resume,
	.cursor = wrapup_cursor,
	.unsaved = wrapup_unsaved,
	.actions = wrapup_actions,
	.unmet = wrapup_unmet,
	.widget = wrapup_widget,
	.changed = wrapup_changed,
};

int
chart_open_wrapup(struct app *app, const struct chart_list_arg *arg)
{
	return app_open(app, &chart_wrapup_screen, (void *)arg);
}
