/*
 * A clinical note, written and signed: a new note (or an addendum or a correction of a
 * signed one) typed in the note editor and saved as a draft; a draft opened again, its
 * text changed and saved, or signed after the key's passphrase is proved again; a signed
 * note shown read-only with its signature checked, where an addendum, a correction or
 * entered in error start. The text lives in the editor's memory only (src/ui/editor.h).
 *
 * What the screen knows of the note is read in one batch (who is logged in, the open
 * visit, the note and its Provenances) and its text apart, from the Binary it names; the
 * same read settles a save whose answer was lost, and follows a conflict.
 */
#include "config.h"

#include "fhir/capability.h"
#include "screens/chart/chart-private.h"
#include "screens/screens.h"
#include "app/app.h"
#include "fhir/note.h"
#include "fhir/plan.h"
#include "ui/dialog.h"
#include "ui/editor.h"
#include "ui/pager.h"
#include "ui/prompt.h"
#include "ui/ui.h"
#include "util/secret.h"
#include "util/uuid.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lines a signed note's paragraph wraps into at most on screen. */
#define PARAGRAPH_LINES_MAX 2000
/* The longest passphrase typed to sign, as the login prompt's. */
#define PASS_MAX 1024

enum mode {
	READING, /* the note or who writes it is being read */
	NEW,	 /* a note not yet on the server: new, an addendum or a correction */
	DRAFT,	 /* a draft on the server, its text in the editor */
	SHOWN,	 /* signed, superseded or entered in error: read-only */
	FAILED,	 /* not read: refresh */
};

enum relation { REL_NONE, REL_APPENDS, REL_REPLACES };
enum question { Q_NONE, Q_DISCARD, Q_ADDENDUM, Q_CORRECT, Q_ERROR };
enum change { SAVING_DRAFT, SIGNING, ERRORING };

struct note_screen {
	char *id; /* the patient's */
	struct chart_banner banner;
	char *note_id; /* the note on the server this screen is about, or NULL */
	enum mode mode;
	char *failed;
	struct note_context ctx;
	bool has_body;
	struct note_body body;
	struct note_check check;
	bool checked;
	size_t type;	   /* of a new note: an index of note_types */
	enum relation rel; /* of a new note to ctx.note */
	struct ui_editor editor;
	struct ui_pager text; /* a signed note's */
	struct ui_dialog dialog;
	enum question asking;
	struct ui_prompt pass;
	bool typing_pass;
	int cursor_y, cursor_x;
	enum change change;
	bool unsure, warned;
	bool saving;
	char request_id[UUID_BUF_SIZE];
};

static void read_context(struct app *app, struct note_screen *s);

static void
fhir_now(char *buf, size_t size)
{
	struct date_time now;

	date_time_now(&now);
	if (date_time_format_fhir(&now, date_time_local_offset(&now), buf, size) != 0)
		buf[0] = '\0';
}

static const char *
mode_words(const struct note_screen *s)
{
	if (s->mode == NEW)
		return s->rel == REL_APPENDS	? "new addendum"
		    : s->rel == REL_REPLACES ? "new correction"
					     : "new note";
	if (s->mode == DRAFT)
		return "draft, not signed";
	if (s->mode != SHOWN)
		return "";
	if (s->ctx.note.status == NOTE_ENTERED_IN_ERROR)
		return "entered in error";
	if (s->ctx.note.status == NOTE_SUPERSEDED)
		return "superseded by a correction";
	return s->ctx.note.doc_status == NOTE_DOC_FINAL ? "signed" : "not a draft";
}

static void
forget_note(struct note_screen *s)
{
	if (s->has_body)
		note_body_clear(&s->body);
	s->has_body = false;
	if (s->checked)
		note_check_clear(&s->check);
	s->checked = false;
}

/* The signed note's text into the pager, paragraph by paragraph: untrusted, ui_put cleans it. */
static void
fill_text(struct note_screen *s)
{
	const char *p = (const char *)s->body.bytes, *end = s->has_body ? p + s->body.len : p;

	ui_pager_free(&s->text);
	ui_pager_init(&s->text);
	if (!s->has_body)
		return;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		char *para = xstrndup(p, n);

		if (n == 0)
			ui_pager_add(&s->text, "");
		else
			ui_pager_add_wrapped(&s->text, "", para, COLS > 2 ? COLS - 2 : 1,
			    PARAGRAPH_LINES_MAX);
		explicit_bzero(para, n);
		free(para);
		p += n + (nl != NULL);
	}
}

/* The signature checked against the authorities of the profile's ca_file. */
static void
check_signature(struct app *app, struct note_screen *s)
{
	char *cause = NULL;
	struct jws_trust *trust = app_sign_trust(app, &cause);

	if (s->checked)
		note_check_clear(&s->check);
	note_verify(&s->ctx.note, s->has_body ? &s->body : NULL, s->ctx.provenances, trust, &s->check);
	s->checked = true;
	if (trust == NULL) {
		app_error(app, "The signature is checked without the clinic's authorities: %s", cause);
		free(cause);
	}
	jws_trust_free(&trust);
}

/* Whether the lost save is on the server, from what was just read. */
static void
settle(struct app *app, struct note_screen *s)
{
	bool arrived;

	s->unsure = false;
	if (s->change == SIGNING)
		arrived = s->ctx.note.doc_status == NOTE_DOC_FINAL;
	else if (s->change == ERRORING)
		arrived = s->ctx.note.status == NOTE_ENTERED_IN_ERROR;
	else
		arrived = s->has_body && s->body.len == ui_editor_length(&s->editor) &&
		    memcmp(s->body.bytes, ui_editor_text(&s->editor), s->body.len) == 0;
	if (!arrived) {
		app_error(app, "Not saved: it did not reach the server; try again");
		return;
	}
	uuid_v4(s->request_id);
	if (s->change == SAVING_DRAFT)
		ui_editor_mark_clean(&s->editor);
	if (app_audit(app, "update", "DocumentReference", s->note_id) == 0)
		app_status(app, "Saved (found on the server after the answer was lost).");
}

/* Whether the editor holds exactly the text read: then it is not set again. */
static bool
editor_holds_body(const struct note_screen *s)
{
	size_t len = s->has_body ? s->body.len : 0;

	return ui_editor_length(&s->editor) == len &&
	    (len == 0 || memcmp(ui_editor_text(&s->editor), s->body.bytes, len) == 0);
}

/* The note and its text are read: the screen shows it as what it now is. */
static void
note_ready(struct app *app, struct note_screen *s)
{
	char *cause = NULL;

	if (s->ctx.note.draft) {
		/*
		 * Typing not yet saved stays: the next save writes it over the version read. The
		 * text just saved, or read again unchanged, stays where it is, with the cursor
		 * where the clinician left it (setting it would put the cursor at the start).
		 */
		if (editor_holds_body(s))
			ui_editor_mark_clean(&s->editor);
		else if (s->mode != DRAFT || !ui_editor_dirty(&s->editor)) {
			if (ui_editor_set_text(&s->editor, s->has_body ? (const char *)s->body.bytes : "",
				s->has_body ? s->body.len : 0, &cause) < 0) {
				app_error(app, "The note's text is not shown: %s", cause);
				free(cause);
			}
		}
		s->mode = DRAFT;
	} else {
		if (s->mode == DRAFT || s->mode == NEW)
			ui_editor_set_text(&s->editor, "", 0, &cause);
		free(cause);
		s->mode = SHOWN;
		fill_text(s);
		check_signature(app, s);
	}
	if (s->unsure)
		settle(app, s);
	app_dirty(app);
}

static void
read_failed(struct app *app, struct note_screen *s, char *why)
{
	free(s->failed);
	s->failed = why;
	if (s->mode == READING)
		s->mode = FAILED;
	app_error(app, "The note could not be read: %s", why);
}

static void
on_body(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct note_screen *s = state;
	char *cause = NULL;

	(void)tag;
	if (r->status != FHIR_OK) {
		read_failed(app, s, xstrdup(r->status == FHIR_CANCELLED ? "cancelled"
					    : r->message ? r->message : "no answer"));
		return;
	}
	if (note_body_read(r->resource, s->ctx.note.binary, &s->body, &cause) != 0) {
		read_failed(app, s, cause);
		return;
	}
	s->has_body = true;
	note_ready(app, s);
}

static void
on_context(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct note_screen *s = state;
	char *cause = NULL;
	bool keep_target = s->mode == NEW && s->rel != REL_NONE && s->note_id == NULL;

	(void)tag;
	if (keep_target) /* writing an addendum or a correction: the target stays as read */
		return;
	note_context_clear(&s->ctx);
	forget_note(s);
	if (r->status != FHIR_OK || note_context_read(r->resource, s->id, app_user(app), s->note_id,
					fhir_client_base(app_fhir(app)), &s->ctx, &cause) != 0) {
		read_failed(app, s, cause != NULL ? cause
		    : xstrdup(r->status == FHIR_CANCELLED ? "cancelled"
			      : r->message ? r->message : "no answer"));
		return;
	}
	free(s->failed);
	s->failed = NULL;
	if (s->note_id == NULL) {
		if (s->mode == READING)
			s->mode = NEW;
		app_dirty(app);
		return;
	}
	if (app_audit(app, "view", "DocumentReference", s->note_id) != 0) {
		note_context_clear(&s->ctx);
		read_failed(app, s, xstrdup("the audit trail cannot be written"));
		return;
	}
	if (s->ctx.note.binary == NULL) {
		/* Its text inside the note (seeded or written elsewhere): shown as it is. */
		if (note_body_inline(s->ctx.note.resource, &s->body, &cause) != 0) {
			read_failed(app, s, cause);
			return;
		}
		s->has_body = true;
		note_ready(app, s);
		return;
	}
	app_request(app, s, &(struct app_request){ .read = s->ctx.note.binary, .done = on_body,
	    .slot = "note-read", .label = "Reading the note's text" });
}

static void
read_context(struct app *app, struct note_screen *s)
{
	cJSON *batch = note_context_batch(app_fhir(app), s->id, app_user(app), s->note_id);

	if (batch == NULL) {
		read_failed(app, s, xstrdup("the note's or the patient's id is not valid"));
		return;
	}
	app_request(app, s, &(struct app_request){ .batch = batch, .done = on_context,
	    .slot = "note-read", .label = "Reading the note" });
	cJSON_Delete(batch);
}

/* --- a new note's draft found on the server ------------------------------------------------ */

/* The new draft s->note_id is on the server: the screen goes on with it, its request id anew. */
static void
draft_made(struct app *app, struct note_screen *s, bool found_after_loss)
{
	s->unsure = false;
	uuid_v4(s->request_id);
	ui_editor_mark_clean(&s->editor);
	s->rel = REL_NONE;
	if (app_audit(app, "create", "DocumentReference", s->note_id) == 0)
		app_status(app, "Draft saved for %s%s.", s->banner.view.name,
		    found_after_loss ? " (found on the server after the answer was lost)" : "");
}

static void
on_drafts(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct note_screen *s = state;
	struct note_list l;
	char *cause = NULL;
	bool saved = tag != 0;

	if (r->status != FHIR_OK ||
	    note_list_read(r->resource, s->id, fhir_client_base(app_fhir(app)), &l, &cause) != 0) {
		app_error(app, "%s; the drafts could not be read: %s",
		    saved ? "Saved" : "Whether it was saved is not known",
		    cause ? cause : r->message ? r->message : "no answer");
		free(cause);
		return;
	}
	for (size_t i = 0; i < l.n; i++)
		if (fhir_carries_request(l.items[i].resource, s->request_id)) {
			free(s->note_id);
			s->note_id = xstrdup(l.items[i].id);
			break;
		}
	note_list_clear(&l);
	if (s->note_id == NULL || (s->rel != REL_NONE && s->ctx.has_note &&
				      strcmp(s->note_id, s->ctx.note.id) == 0)) {
		if (!saved)
			app_error(app, "Not saved: it did not reach the server; try again");
		else
			app_error(app, "Saved, but the draft is not found among the patient's drafts");
		return;
	}
	draft_made(app, s, !saved);
	read_context(app, s);
}

static void
find_draft(struct app *app, struct note_screen *s, bool saved)
{
	struct fhir_search *q = note_drafts_search(s->id);

	if (s->rel != REL_NONE) { /* the target stays what the new note is written about */
		free(s->note_id);
		s->note_id = NULL;
	}
	app_request(app, s, &(struct app_request){ .search = q, .done = on_drafts, .tag = saved,
	    .slot = "note-read", .label = "Reading the drafts" });
	fhir_search_free(&q);
}

/* --- writing -------------------------------------------------------------------------------- */

/*
 * What a save's answer ANSWER says the server now holds of the note NOTE_ID (NULL: the new
 * one, by the request identifier it carries) taken as read, as on_context and on_body
 * would take it: true. False, nothing taken, when the answer does not say it all (a server
 * that returns no body): the note is then read.
 */
static bool
from_answer(struct app *app, struct note_screen *s, const cJSON *answer, const char *note_id)
{
	char *cause = NULL;

	if (note_saved_read(answer, s->id, note_id, s->request_id, fhir_client_base(app_fhir(app)),
		&s->ctx, &s->body, &s->has_body, &cause) != 0) {
		free(cause);
		return false;
	}
	if (s->checked)
		note_check_clear(&s->check);
	s->checked = false;
	free(s->failed);
	s->failed = NULL;
	return true;
}

/*
 * A new note saved: the answer names it and holds it (no read), or names it only (its
 * read follows), or, when it names nothing, it is found among the drafts by its request
 * identifier.
 */
static void
saved_new(struct app *app, struct note_screen *s, const cJSON *answer)
{
	char *id;

	if (from_answer(app, s, answer, NULL)) {
		free(s->note_id);
		s->note_id = xstrdup(s->ctx.note.id);
		draft_made(app, s, false);
		note_ready(app, s);
		return;
	}
	if ((id = note_saved_id(answer)) == NULL) {
		find_draft(app, s, true);
		return;
	}
	free(s->note_id);
	s->note_id = id;
	draft_made(app, s, false);
	read_context(app, s);
}

static void
on_saved(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct note_screen *s = state;
	enum fhir_save outcome = fhir_save_outcome(r);
	bool new = tag != 0;

	s->saving = false;
	if (outcome == FHIR_SAVED && new) {
		saved_new(app, s, r->resource);
		return;
	}
	if (outcome == FHIR_SAVED) {
		/* The answer is what the server holds now; read only when it does not say. */
		bool answered = from_answer(app, s, r->resource, s->note_id);

		s->unsure = false;
		uuid_v4(s->request_id);
		if (s->change == SAVING_DRAFT)
			ui_editor_mark_clean(&s->editor);
		if (app_audit(app, "update", "DocumentReference", s->note_id) == 0 &&
		    (s->change != SIGNING || app_audit(app, "create", "Provenance", s->note_id) == 0))
			app_status(app, "%s for %s.", s->change == SIGNING ? "Signed the note"
				: s->change == ERRORING ? "Marked entered in error"
							: "Draft saved", s->banner.view.name);
		if (answered)
			note_ready(app, s);
		else
			read_context(app, s);
		return;
	}
	if (chart_save_failed(app, r,
		"the note changed meanwhile; it is read again (your text is kept), try again",
		&s->unsure)) {
		if (new && s->unsure)
			find_draft(app, s, false);
		else if (!new)
			read_context(app, s);
	}
}

static void
start_save(struct app *app, struct note_screen *s, struct fhir_plan *plan, enum change change,
    bool new, const char *label)
{
	s->change = change;
	s->saving = true;
	app_request(app, s, &(struct app_request){ .plan = plan, .done = on_saved, .tag = new,
	    .label = label });
}

static int
note_save(struct app *app, void *state)
{
	struct note_screen *s = state;
	struct fhir_plan *plan;
	char when[40], *cause = NULL;
	const char *text = ui_editor_text(&s->editor);
	size_t len = ui_editor_length(&s->editor);

	if (!chart_same_patient(app, s->id, s->banner.view.name))
		return APP_REDRAW;
	if (s->mode == DRAFT) {
		plan = note_draft_update_plan(&s->ctx.note, &s->body, text, len, &cause);
	} else {
		struct note_input in = {
			.patient = s->id, .author = s->ctx.author, .type_code = note_types[s->type].code,
			.date = when, .encounter = s->ctx.visit, .text = text, .len = len,
			.request_id = s->request_id,
		};

		if (s->ctx.author == NULL) {
			app_error(app, "Not saved: %s is not known as a practitioner on the server",
			    app_user(app) ? app_user(app) : "the user");
			return APP_REDRAW;
		}
		fhir_now(when, sizeof when);
		plan = s->rel == REL_APPENDS  ? note_addendum_plan(&s->ctx.note, &in, &cause)
		    : s->rel == REL_REPLACES ? note_correction_plan(&s->ctx.note, &in, &cause)
					     : note_draft_plan(&in, &cause);
	}
	if (plan == NULL) {
		app_error(app, "Not saved: %s", cause);
		free(cause);
		return APP_REDRAW;
	}
	start_save(app, s, plan, SAVING_DRAFT, s->mode == NEW, "Saving the note");
	return APP_REDRAW;
}

/* The passphrase typed: proved, the text signed, the signing sent. */
static void
sign_typed(struct app *app, struct note_screen *s)
{
	struct secret *pass = ui_prompt_take_secret(&s->pass);
	struct fhir_plan *plan;
	char when[40], *cause = NULL, *target = note_sign_target(&s->ctx.note), *jws;

	s->typing_pass = false;
	ui_prompt_clear(&s->pass);
	if (!chart_same_patient(app, s->id, s->banner.view.name)) {
		secret_free(&pass);
		free(target);
		return;
	}
	jws = app_sign(app, &pass, target, s->body.bytes, s->body.len, &cause);
	free(target);
	if (jws == NULL) {
		app_error(app, "Not signed: %s", cause);
		free(cause);
		return;
	}
	fhir_now(when, sizeof when);
	plan = note_sign_plan(&s->ctx.note, &s->body, &(struct note_signing){ .signer = s->ctx.author,
	    .when = when, .jws = jws, .request_id = s->request_id }, &cause);
	free(jws);
	if (plan == NULL) {
		app_error(app, "Not signed: %s", cause);
		free(cause);
		return;
	}
	start_save(app, s, plan, SIGNING, false, "Signing the note");
}

static int
note_sign(struct app *app, void *state)
{
	struct note_screen *s = state;
	char save[32];

	if (ui_editor_dirty(&s->editor)) {
		if (app_key_for(app, A_SAVE, save, sizeof save))
			app_error(app, "Save the draft first (%s): what is signed is what the server holds",
			    save);
		else
			app_error(app, "Save the draft first: what is signed is what the server holds");
		return APP_REDRAW;
	}
	if (s->ctx.author == NULL ||
	    strncmp(s->ctx.note.author, "Practitioner/", strlen("Practitioner/")) != 0 ||
	    strcmp(s->ctx.note.author + strlen("Practitioner/"), s->ctx.author) != 0) {
		app_error(app, "Not signed: only the note's author signs it");
		return APP_REDRAW;
	}
	ui_prompt_init(&s->pass, PASS_MAX, true);
	s->typing_pass = true;
	return APP_REDRAW;
}

static void
ask(struct note_screen *s, enum question q, const char *question, const char *why)
{
	ui_dialog_free(&s->dialog);
	ui_dialog_init(&s->dialog, question, false);
	if (why != NULL)
		ui_dialog_add(&s->dialog, why);
	s->asking = q;
}

static int
note_addendum(struct app *app, void *state)
{
	(void)app;
	ask(state, Q_ADDENDUM, "Write an addendum to this signed note?",
	    "The note stays as signed; the addendum is a new note that appends to it.");
	return APP_REDRAW;
}

static int
note_correct(struct app *app, void *state)
{
	(void)app;
	ask(state, Q_CORRECT, "Write a correction of this signed note?",
	    "Once the correction is saved, this note is marked superseded by it.");
	return APP_REDRAW;
}

static int
note_error(struct app *app, void *state)
{
	(void)app;
	ask(state, Q_ERROR, "Mark this note entered in error?",
	    "It stays on the server, marked so; nothing is deleted.");
	return APP_REDRAW;
}

static void
write_about(struct app *app, struct note_screen *s, enum relation rel)
{
	char *cause = NULL;
	const struct note_type *t = note_type_find(s->ctx.note.type_code);

	s->rel = rel;
	s->mode = NEW;
	s->type = t != NULL ? (size_t)(t - note_types) : 0;
	uuid_v4(s->request_id);
	/* A correction starts from the signed text, to be changed; an addendum from nothing. */
	if (rel == REL_REPLACES && s->has_body)
		ui_editor_set_text(&s->editor, (const char *)s->body.bytes, s->body.len, &cause);
	else
		ui_editor_set_text(&s->editor, "", 0, &cause);
	free(cause);
	free(s->note_id);
	s->note_id = NULL;
	app_status(app, "%s: type it, then save the draft and sign it",
	    rel == REL_APPENDS ? "An addendum" : "A correction");
}

static void
answered(struct app *app, struct note_screen *s, enum question q)
{
	char *cause = NULL;
	struct fhir_plan *plan;

	switch (q) {
	case Q_DISCARD:
		app_leave(app, s);
		return;
	case Q_ADDENDUM:
		write_about(app, s, REL_APPENDS);
		return;
	case Q_CORRECT:
		write_about(app, s, REL_REPLACES);
		return;
	case Q_ERROR:
		if (!chart_same_patient(app, s->id, s->banner.view.name))
			return;
		plan = note_entered_in_error_plan(&s->ctx.note, &cause);
		if (plan == NULL) {
			app_error(app, "Not changed: %s", cause);
			free(cause);
			return;
		}
		start_save(app, s, plan, ERRORING, false, "Marking the note entered in error");
		return;
	case Q_NONE:
		return;
	}
}

static void
note_changed(struct app *app, void *state, enum action a)
{
	struct note_screen *s = state;
	enum ui_dialog_answer answer = ui_dialog_answer(&s->dialog);
	enum question q = s->asking;

	(void)a;
	s->warned = false;
	if (q == Q_NONE || answer == UI_DIALOG_ASKING)
		return;
	s->asking = Q_NONE;
	ui_dialog_free(&s->dialog);
	ui_dialog_init(&s->dialog, "", false);
	if (answer == UI_DIALOG_YES)
		answered(app, s, q);
	else
		app_status(app, "Nothing changed");
}

static void
type_chosen(struct app *app, void *state, long chosen)
{
	struct note_screen *s = state;

	if (chosen >= 0 && (size_t)chosen < note_types_count)
		s->type = (size_t)chosen;
	app_dirty(app);
}

static int
note_type(struct app *app, void *state)
{
	struct note_screen *s = state;
	const char *names[16];
	size_t n = note_types_count < 16 ? note_types_count : 16;

	for (size_t i = 0; i < n; i++)
		names[i] = note_types[i].display;
	app_choose(app, s, "Type of note:", names, n, s->type, type_chosen);
	return APP_HANDLED;
}

static int
note_refresh(struct app *app, void *state)
{
	struct note_screen *s = state;

	if (s->mode == FAILED)
		s->mode = READING;
	read_context(app, s);
	return APP_REDRAW;
}

/* Enter: the passphrase typed signs; otherwise the editor's newline. */
static int
note_select(struct app *app, void *state)
{
	struct note_screen *s = state;

	if (!s->typing_pass)
		return APP_IGNORED;
	sign_typed(app, s);
	return APP_REDRAW;
}

static int
note_back(struct app *app, void *state)
{
	struct note_screen *s = state;
	char esc[32];

	if (s->typing_pass) {
		s->typing_pass = false;
		ui_prompt_clear(&s->pass);
		app_status(app, "Not signed");
		return APP_REDRAW;
	}
	if (s->asking != Q_NONE || app_requests(app, s) > 0)
		return APP_IGNORED; /* the dialog's, or the loop's to cancel */
	if ((s->mode == NEW || s->mode == DRAFT) && ui_editor_dirty(&s->editor)) {
		ask(s, Q_DISCARD, "Discard the unsaved note?", "No keeps it to save (the draft is not signed).");
		return APP_REDRAW;
	}
	if (!s->unsure || s->warned)
		return APP_LEAVE;
	s->warned = true;
	if (app_key_for(app, A_BACK, esc, sizeof esc))
		app_error(app, "Whether the last change was saved is not known: %s again leaves", esc);
	else
		app_error(app, "Whether the last change was saved is not known: back again leaves");
	return APP_REDRAW;
}

static bool
is_signed(const struct note_screen *s)
{
	return s->mode == SHOWN && s->ctx.note.status == NOTE_CURRENT &&
	    s->ctx.note.doc_status == NOTE_DOC_FINAL;
}

/* --- drawing ---------------------------------------------------------------------------------- */

static void
note_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct note_screen *s = state;
	int y = top + 2, bottom = top + rows - 1, label;
	const char *type = s->mode == NEW ? note_types[s->type].display
	    : s->ctx.has_note && *s->ctx.note.type_text ? s->ctx.note.type_text
							: "Note";
	char key[32], *when;

	chart_banner_draw(&s->banner, win, top);
	if (s->mode == READING || s->mode == FAILED) {
		ui_putf(win, y, 0, COLS, s->failed ? UI_ERROR : UI_NORMAL, true, "%s%s",
		    s->failed ? "Not read: " : "Reading the note...", s->failed ? s->failed : "");
		for (int i = y + 1; i <= bottom; i++)
			ui_blank(win, i, 0, COLS);
		return;
	}
	/*
	 * When the note was written, in local time as the chart shows it (the server may hold
	 * it in UTC); after a read that failed nothing of the note is held.
	 */
	when = s->ctx.has_note ? chart_when(s->ctx.note.date, true) : xstrdup("(not read)");
	ui_putf(win, y++, 0, COLS, UI_TITLE, true, "%s for %s (%s)", type, s->banner.view.name,
	    mode_words(s));
	if (s->mode == NEW) {
		if (!app_key_for(app, A_NOTE_TYPE, key, sizeof key))
			snprintf(key, sizeof key, "note-type");
		ui_putf(win, y++, 0, COLS, UI_NORMAL, true, "%s%s%s; %s changes the type",
		    s->rel == REL_APPENDS ? "Appends to the note of " : s->rel == REL_REPLACES
			? "Replaces the note of " : "Written now",
		    s->rel != REL_NONE ? when : "", s->ctx.visit ? " at the open visit" : "",
		    key);
	} else if (s->mode == DRAFT) {
		ui_putf(win, y++, 0, COLS, UI_NORMAL, true, "Draft of %s", when);
	} else {
		ui_putf(win, y++, 0, COLS,
		    s->checked && s->check.state == NOTE_SIGNATURE_BAD ? UI_ERROR : UI_NORMAL, true,
		    "%s; written %s", s->checked ? s->check.line : "not checked", when);
	}
	free(when);
	ui_blank(win, y++, 0, COLS);
	if (s->mode == SHOWN)
		ui_pager_draw(&s->text, win, y, bottom - y, COLS);
	else
		ui_editor_draw(&s->editor, win, y, bottom - y, COLS);
	if (s->typing_pass) {
		label = ui_putf(win, bottom, 0, COLS / 2, UI_NORMAL, false,
		    "Sign as %s: the key's passphrase:", app_user(app) ? app_user(app) : "you");
		ui_prompt_draw(&s->pass, win, bottom, label + 1, COLS - label - 1, &s->cursor_x);
		s->cursor_y = bottom;
	} else if (is_signed(s)) {
		/* A signed note changes only by a new note: the keys that start one, as bound. */
		char add[32], fix[32];

		if (!app_key_for(app, A_ADDENDUM, add, sizeof add))
			snprintf(add, sizeof add, "addendum");
		if (!app_key_for(app, A_CORRECT_NOTE, fix, sizeof fix))
			snprintf(fix, sizeof fix, "correct-note");
		ui_putf(win, bottom, 0, COLS, UI_DIM, true,
		    "%zu characters; signed notes never change: %s writes an addendum, %s a correction",
		    s->body.len, add, fix);
	} else if (s->mode == DRAFT && !ui_editor_dirty(&s->editor) && s->ctx.note.binary != NULL &&
		   app_key_for(app, A_SIGN_NOTE, key, sizeof key)) {
		/* Signing applies to a saved draft only: named here, not on the hint line. */
		ui_putf(win, bottom, 0, COLS, UI_DIM, true, "%zu characters; %s signs the draft",
		    ui_editor_length(&s->editor), key);
	} else {
		ui_putf(win, bottom, 0, COLS, UI_DIM, true, "%zu characters%s",
		    s->mode == SHOWN ? s->body.len : ui_editor_length(&s->editor),
		    s->mode != SHOWN && ui_editor_dirty(&s->editor) ? ", not saved" : "");
	}
	if (s->asking != Q_NONE)
		ui_dialog_draw(&s->dialog, win, top + 2, rows - 2, COLS);
}

/* --- the screen ------------------------------------------------------------------------------- */

struct note_arg {
	const struct chart_list_arg *in;
	const char *note_id;
};

static void *
note_enter(struct app *app, void *arg)
{
	const struct note_arg *a = arg;
	struct note_screen *s = xcalloc(1, sizeof *s);

	s->id = xstrdup(a->in->id);
	chart_banner_take(&s->banner, a->in);
	s->note_id = a->note_id != NULL ? xstrdup(a->note_id) : NULL;
	s->mode = READING;
	ui_editor_init(&s->editor, 0);
	ui_pager_init(&s->text);
	ui_dialog_init(&s->dialog, "", false);
	ui_prompt_init(&s->pass, PASS_MAX, true);
	uuid_v4(s->request_id);
	read_context(app, s);
	return s;
}

static void
note_leave(struct app *app, void *state)
{
	struct note_screen *s = state;

	(void)app;
	forget_note(s);
	note_context_clear(&s->ctx);
	ui_editor_free(&s->editor);
	ui_pager_free(&s->text);
	ui_dialog_free(&s->dialog);
	ui_prompt_clear(&s->pass);
	chart_banner_clear(&s->banner);
	free(s->failed);
	free(s->note_id);
	free(s->id);
	free(s);
}

enum {
	NEEDS_QUIET = APP_NEEDS_SCREEN,		   /* no question, no passphrase being typed */
	NEEDS_WRITING = APP_NEEDS_SCREEN << 1,	   /* a new note or a draft in the editor */
	NEEDS_DRAFT = APP_NEEDS_SCREEN << 2,	   /* a draft on the server */
	NEEDS_NEW = APP_NEEDS_SCREEN << 3,	   /* a note not yet saved */
	NEEDS_SIGNED = APP_NEEDS_SCREEN << 4,	   /* a signed current note */
	NEEDS_ON_SERVER = APP_NEEDS_SCREEN << 5,   /* a current note, draft or signed */
	NEEDS_READ = APP_NEEDS_SCREEN << 6,	   /* the note asked for is read */
	NEEDS_WRITABLE = APP_NEEDS_SCREEN << 7,	   /* the server takes the chart's writes */
};


static const char *
note_unmet(struct app *app, void *state, unsigned need)
{
	struct note_screen *s = state;

	/* A write the server does not offer is refused with its reason, never sent. */
	if (need == NEEDS_WRITABLE)
		return fhir_caps_read_only(app_caps(app), "charting");
	if (need == NEEDS_QUIET && s->asking != Q_NONE)
		return "answer the question first";
	if (need == NEEDS_QUIET && s->typing_pass)
		return "type the passphrase and press Enter, or go back";
	/* A read that failed leaves nothing of the note to write over or sign: read it again. */
	if (need == NEEDS_READ && s->note_id != NULL && !s->ctx.has_note)
		return "the note is not read: refresh";
	/* A draft whose text is inside it (written elsewhere) has no Binary to write over. */
	if ((need == NEEDS_WRITING || need == NEEDS_DRAFT) && s->mode == DRAFT &&
	    s->ctx.note.binary == NULL)
		return "this draft's text is inside the note, not in a Binary: ehrterm neither "
		       "changes nor signs it; write a new note";
	if (need == NEEDS_WRITING && s->mode != NEW && s->mode != DRAFT)
		return s->mode == SHOWN ? "a signed note never changes: write an addendum or a correction"
					: "wait for the note to be read";
	if (need == NEEDS_DRAFT && s->mode != DRAFT)
		return s->mode == NEW ? "save the draft first" : "only a draft is signed";
	if (need == NEEDS_NEW && s->mode != NEW)
		return "the type of a saved note stays";
	if (need == NEEDS_SIGNED && !is_signed(s))
		return "only a signed note that is current";
	if (need == NEEDS_ON_SERVER && !(s->mode == DRAFT || is_signed(s)))
		return "only a draft or a signed note that is current";
	return NULL;
}

static struct app_focus
note_widget(struct app *app, void *state)
{
	struct note_screen *s = state;

	(void)app;
	if (s->asking != Q_NONE)
		return (struct app_focus){ APP_WIDGET_DIALOG, &s->dialog };
	if (s->typing_pass)
		return (struct app_focus){ APP_WIDGET_PROMPT, &s->pass };
	if (s->mode == SHOWN)
		return (struct app_focus){ APP_WIDGET_PAGER, &s->text };
	if ((s->mode == NEW || s->mode == DRAFT) && !s->saving)
		return (struct app_focus){ APP_WIDGET_EDITOR, &s->editor };
	return (struct app_focus){ APP_WIDGET_NONE, NULL };
}

static bool
note_cursor(struct app *app, void *state, int *y, int *x)
{
	struct note_screen *s = state;

	(void)app;
	if (s->asking != Q_NONE)
		return false;
	if (s->typing_pass) {
		*y = s->cursor_y;
		*x = s->cursor_x;
		return true;
	}
	return (s->mode == NEW || s->mode == DRAFT) && ui_editor_cursor(&s->editor, y, x);
}

static bool
note_unsaved(struct app *app, void *state)
{
	struct note_screen *s = state;

	(void)app;
	return ((s->mode == NEW || s->mode == DRAFT) && ui_editor_dirty(&s->editor)) || s->unsure;
}

#define WRITE (NEEDS_QUIET | NEEDS_READ | NEEDS_WRITABLE | APP_NEEDS_IDLE)
static const struct screen_action note_actions[] = {
	{ A_SAVE, note_save, WRITE | NEEDS_WRITING, "save draft" },
	/*
	 * The hint line names a table's words whatever the note is (src/app/stack.c), so the
	 * keys that apply to one kind of note only (sign to a saved draft, addendum and
	 * correction to a signed note) are named on the screen's last line instead; save is
	 * hinted from the editor, which only a new note or a draft has.
	 */
	{ A_SIGN_NOTE, note_sign, WRITE | NEEDS_DRAFT, NULL },
	{ A_NOTE_TYPE, note_type, NEEDS_QUIET | NEEDS_NEW, NULL },
	{ A_ADDENDUM, note_addendum, WRITE | NEEDS_SIGNED, NULL },
	{ A_CORRECT_NOTE, note_correct, WRITE | NEEDS_SIGNED, NULL },
	{ A_ENTERED_IN_ERROR, note_error, WRITE | NEEDS_ON_SERVER, NULL },
	{ A_REFRESH, note_refresh, NEEDS_QUIET | APP_NEEDS_IDLE, NULL },
	{ A_SELECT, note_select, 0, NULL },
	{ A_BACK, note_back, 0, NULL },
	{ A_NONE },
};
#undef WRITE

const struct screen_ops chart_note_screen = {
	.name = "write-note",
	.title = "note",
	.context = "note",
	.module = "charting",
	.needs = SCREEN_NEEDS_ONLINE,
	.needs_arg = "open the patient's chart first",
	.enter = note_enter,
	.leave = note_leave,
	.draw = note_draw,
	.cursor = note_cursor,
	.unsaved = note_unsaved,
	.actions = note_actions,
	.unmet = note_unmet,
	.widget = note_widget,
	.changed = note_changed,
};

int
chart_open_note(struct app *app, const struct chart_list_arg *arg, const char *note_id)
{
	return app_open(app, &chart_note_screen, &(struct note_arg){ arg, note_id });
}
