/*
 * The claim queue: every professional claim, newest first, by status and the payer's
 * answer, paged lazily. Enter shows a claim's lines and diagnoses; print-claim sends
 * its CMS-1500 to the profile's print command after asking, audited as an export.
 */
#include "config.h"

#include "screens/billing/billing.h"
#include "screens/screens.h"
#include "fhir/claims.h"
#include "ui/dialog.h"
#include "ui/list.h"
#include "ui/pager.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COL_CREATED, COL_STATUS, COL_OUTCOME, COL_PATIENT, COL_BORN, COL_PAYER, COL_TOTAL, COL_COUNT };

// clang-format off
static const struct ui_list_column claims_columns[COL_COUNT] = {
	[COL_CREATED] = { "Created", 10, 0 },
	[COL_STATUS]  = { "Status", 9, 0 },
	[COL_OUTCOME] = { "Answer", 11, 0 },
	[COL_PATIENT] = { "Patient", 0, 3 },
	[COL_BORN]    = { "Born", 10, 0 },
	[COL_PAYER]   = { "Payer", 0, 2 },
	[COL_TOTAL]   = { "Total", 10, 0 },
};
// clang-format on

struct claims {
	struct app *app;
	struct ui_list list;
	size_t other; /* claims of other types the pages held, left out */
	/* The claim read whole: its details shown (showing) and what a print sends. */
	struct claim_full *full;
	char key[2 * CLAIMS_ID_SIZE]; /* the row it was read for */
	bool showing;
	bool print_after; /* the claim is read for a print: ask once it is here */
	struct ui_pager details;
	bool asking;
	struct ui_dialog dialog;
	char payer[BILL_REF_SIZE]; /* "Organization/ID": the queue of this payer alone, or "" */
	char payer_name[CLAIMS_NAME_SIZE]; /* its name as the opener read it, or "" */
};

/* What billing_open_claims_for hands the screen. */
struct claims_arg {
	const char *payer, *payer_name, *claim, *patient;
};

static void
on_page(struct app *app, void *state, struct fhir_result *r, unsigned long ticket)
{
	struct claims *s = state;
	struct ui_list_links links = { 0 };
	struct ui_list_page *pg;
	struct claims_page page;
	const char **ids;
	size_t nids = 0;

	if (r->status != FHIR_OK) {
		ui_list_page_failed(&s->list, (unsigned)ticket,
		    r->status == FHIR_CANCELLED ? "cancelled" : r->message ? r->message : "failed");
		if (r->status != FHIR_CANCELLED)
			app_error(app, "The claims could not be read: %s",
			    r->message ? r->message : "no answer");
		return;
	}
	claims_page_read(r->resource, &page);
	ids = xcalloc(page.n + 1, sizeof *ids);
	for (size_t i = 0; i < page.n; i++)
		if (page.v[i].patient_id[0] != '\0')
			ids[nids++] = page.v[i].patient_id;
	/* The rows name patients: their line first, or no rows. */
	if (app_audit_ids(app, "view", "Patient", ids, nids) != 0) {
		ui_list_page_failed(&s->list, (unsigned)ticket, "not shown: the audit trail cannot be written");
		free(ids);
		claims_page_free(&page);
		return;
	}
	free(ids);
	pg = ui_list_page_new(COL_COUNT);
	for (size_t i = 0; i < page.n; i++) {
		const struct claim_row *row = &page.v[i];
		char key[2 * CLAIMS_ID_SIZE], total[MONEY_BUF_SIZE];
		const char *cells[COL_COUNT];

		if (row->has_total)
			money_format(&row->total, total, sizeof total);
		else
			snprintf(total, sizeof total, "?");
		cells[COL_CREATED] = row->created[0] != '\0' ? row->created : "no date";
		cells[COL_STATUS] = row->status;
		cells[COL_OUTCOME] = row->outcome[0] != '\0' ? row->outcome : "no answer";
		cells[COL_PATIENT] = row->name;
		cells[COL_BORN] = row->birth;
		cells[COL_PAYER] = row->payer;
		cells[COL_TOTAL] = total;
		claims_row_key(row, key, sizeof key);
		/* A row without a usable claim or patient id is shown, but opens nothing. */
		ui_list_page_add(pg, fhir_valid_id(row->id) && fhir_valid_id(row->patient_id) ? key : "",
		    cells);
	}
	s->other += page.other;
	if (page.cut)
		app_status(app, "The server sent more claims than a page holds: some are left out");
	claims_page_free(&page);
	links.next = fhir_bundle_link(r->resource, "next");
	links.previous = fhir_bundle_link(r->resource, "previous");
	links.first = fhir_bundle_link(r->resource, "first");
	links.last = fhir_bundle_link(r->resource, "last");
	/* The server's total counts claims of every type; the queue shows professional ones. */
	ui_list_add_page(&s->list, (unsigned)ticket, &pg, -1, &links, -1, NULL);
	app_dirty(app);
}

static void
search(struct app *app, struct claims *s)
{
	/*
	 * A screenful, as the patient list asks, and the next when the cursor comes near the
	 * end: five screens at once (100 claims with their patients, 20 kB) cost a slow link
	 * 2.5 s for rows nobody had looked at yet. A server's history holds institutional and
	 * pharmacy claims too (Synthea's), which the queue leaves out, so a page can show
	 * fewer rows than it read; moving down reads on.
	 */
	struct fhir_search *q = claims_queue_search_for((size_t)app_profile(app)->page_size,
	    s->payer[0] != '\0' ? s->payer : NULL);
	unsigned ticket;

	if (app_audit(app, "search", "Claim", NULL) != 0)
		return;
	s->other = 0;
	ticket = ui_list_reset(&s->list);
	app_request(app, s, &(struct app_request){ .search = q, .done = on_page, .tag = ticket,
	    .slot = "claims-page", .label = "Reading the claims" });
	fhir_search_free(&q);
}

static void
need_page(void *owner, unsigned ticket, enum ui_list_dir dir, const char *link)
{
	struct claims *s = owner;

	if (link == NULL) {
		if (dir == UI_LIST_FIRST)
			search(s->app, s);
		else
			ui_list_page_failed(&s->list, ticket, "no more claims");
		return;
	}
	app_request(s->app, s, &(struct app_request){ .page = link, .done = on_page, .tag = ticket,
	    .slot = "claims-page", .label = "Reading the claims" });
}

/* The details pane: the claim's diagnoses and lines, as the 1500 numbers them. */
static void
fill_details(struct claims *s)
{
	const struct claim_full *c = s->full;
	char total[MONEY_BUF_SIZE];

	ui_pager_free(&s->details);
	ui_pager_init(&s->details);
	if (c->row.has_total)
		money_format_currency(&c->row.total, total, sizeof total);
	else
		snprintf(total, sizeof total, "not in cents");
	ui_pager_addf(&s->details, "Claim %s  %s  %s  created %s  total %s", c->row.id, c->row.status,
	    c->row.outcome[0] ? c->row.outcome : "no answer", c->row.created, total);
	ui_pager_addf(&s->details, "Patient %s  born %s  payer %s  member %s", c->row.name,
	    c->row.birth[0] ? c->row.birth : "unknown", c->row.payer,
	    c->member[0] ? c->member : "unknown");
	ui_pager_add(&s->details, "Diagnoses (ICD-10-CM):");
	for (size_t i = 0; i < c->ndiagnoses; i++)
		ui_pager_addf(&s->details, "  %c. %s", (char)('A' + i),
		    c->diagnoses[i][0] ? c->diagnoses[i] : "(not readable)");
	ui_pager_add(&s->details, "Lines:");
	for (size_t i = 0; i < c->nlines; i++) {
		const struct claim_line *l = &c->lines[i];
		char mods[24] = "", ptr[8] = "", charge[MONEY_BUF_SIZE];

		for (size_t m = 0; m < l->nmodifiers; m++)
			snprintf(mods + strlen(mods), sizeof mods - strlen(mods), "%s%s", m ? "," : "-",
			    l->modifiers[m]);
		for (size_t m = 0; m < l->npointers; m++)
			ptr[m] = (char)('A' + l->pointers[m] - 1);
		if (l->has_charge)
			money_format(&l->charge, charge, sizeof charge);
		else
			snprintf(charge, sizeof charge, "?");
		ui_pager_addf(&s->details, "  %2zu. %s  %s%s x%lld  dx %s  %s  %s", i + 1, l->from, l->code,
		    mods, l->units, ptr[0] ? ptr : "none", charge, l->display);
		ui_pager_addf(&s->details, "      payer: %s", l->answer[0] ? l->answer : "no answer yet");
	}
	if (c->lines_cut)
		ui_pager_addf(&s->details, "  (more lines than %d: the rest are not shown)", CLAIMS_LINES_MAX);
}

static void
ask_print(struct app *app, struct claims *s)
{
	const struct claim_full *c = s->full;

	char *question = xasprintf("Print the CMS-1500 for %s (%s) to %s?", c->row.name,
	    c->row.birth[0] ? c->row.birth : "born ?", app_profile(app)->print_command);

	/* The dialog draws through ui_put, which makes the server's name safe. */
	ui_dialog_free(&s->dialog);
	ui_dialog_init(&s->dialog, question, false);
	free(question);
	s->asking = true;
}

static void
on_claim(struct app *app, void *state, struct fhir_result *r, unsigned long tag)
{
	struct claims *s = state;
	struct claim_full *c;
	struct date_time now;
	char claim[CLAIMS_ID_SIZE], patient[CLAIMS_ID_SIZE], *cause = NULL;

	(void)tag;
	if (r->status != FHIR_OK) {
		if (r->status != FHIR_CANCELLED)
			app_error(app, "The claim could not be read: %s", r->message ? r->message : "no answer");
		return;
	}
	if (!claims_key_split(s->key, claim, patient))
		return;
	date_time_now(&now);
	c = xcalloc(1, sizeof *c);
	if (claims_open_result(r->resource, claim, &now.date, c, &cause) != 0) {
		app_error(app, "The claim could not be read: %s", cause);
		free(cause);
		free(c);
		return;
	}
	if (app_audit(app, "view", "Claim", claim) != 0) {
		free(c);
		return;
	}
	free(s->full);
	s->full = c;
	fill_details(s);
	if (s->print_after)
		ask_print(app, s);
	else
		s->showing = true;
	s->print_after = false;
	app_dirty(app);
}

/* Read the selected row's claim whole, then show it or (PRINT) ask to print it. */
static int
open_selected(struct app *app, struct claims *s, bool print)
{
	const char *key = ui_list_selected_id(&s->list);
	char claim[CLAIMS_ID_SIZE], patient[CLAIMS_ID_SIZE];
	cJSON *batch;

	if (key == NULL || !claims_key_split(key, claim, patient)) {
		app_error(app, "This row has no claim that can be opened");
		return APP_HANDLED;
	}
	if (s->full != NULL && strcmp(s->key, key) == 0) {
		if (print)
			ask_print(app, s);
		else
			s->showing = true;
		return APP_REDRAW;
	}
	snprintf(s->key, sizeof s->key, "%s", key);
	s->print_after = print;
	batch = claims_open_batch(app_fhir(app), claim, patient);
	app_request(app, s, &(struct app_request){ .batch = batch, .done = on_claim,
	    .slot = "claim", .label = "Reading the claim" });
	cJSON_Delete(batch);
	return APP_HANDLED;
}

/* The question was answered: print on yes, after the export's audit line. */
static void
answered(struct app *app, struct claims *s)
{
	char **lines, *text;
	size_t n;

	if (ui_dialog_answer(&s->dialog) == UI_DIALOG_ASKING)
		return;
	s->asking = false;
	if (ui_dialog_answer(&s->dialog) != UI_DIALOG_YES) {
		app_status(app, "Not printed");
		return;
	}
	/* The line is on disk before the form leaves; without it nothing is sent. */
	if (app_audit(app, "export", "Claim", s->full->row.id) != 0)
		return;
	n = claim1500_text(s->full, &lines);
	text = bill_print_join(lines, n);
	bill_print_free(lines, n);
	if (app_print(app, text, strlen(text)) == 0)
		app_status(app, "The CMS-1500 for claim %s went to %s", s->full->row.id,
		    app_profile(app)->print_command);
	free(text);
}

static void *
claims_enter(struct app *app, void *arg)
{
	struct claims *s = xcalloc(1, sizeof *s);

	s->app = app;
	ui_list_init(&s->list, claims_columns, COL_COUNT, need_page, s);
	ui_list_set_empty_message(&s->list, "No professional claims on the server.");
	ui_pager_init(&s->details);
	ui_dialog_init(&s->dialog, "", false);
	if (arg != NULL) {
		const struct claims_arg *a = arg;

		if (a->payer != NULL)
			snprintf(s->payer, sizeof s->payer, "%s", a->payer);
		if (a->payer_name != NULL)
			snprintf(s->payer_name, sizeof s->payer_name, "%s", a->payer_name);
		search(app, s);
		/* A claim asked for by name (a denial's) is read and shown at once. */
		if (a->claim != NULL && a->patient != NULL && fhir_valid_id(a->claim) &&
		    fhir_valid_id(a->patient)) {
			cJSON *batch = claims_open_batch(app_fhir(app), a->claim, a->patient);

			snprintf(s->key, sizeof s->key, "%s/%s", a->claim, a->patient);
			app_request(app, s, &(struct app_request){ .batch = batch, .done = on_claim,
			    .slot = "claim", .label = "Reading the claim" });
			cJSON_Delete(batch);
		}
		return s;
	}
	search(app, s);
	return s;
}

static void
claims_leave(struct app *app, void *state)
{
	struct claims *s = state;

	(void)app;
	ui_list_free(&s->list);
	ui_pager_free(&s->details);
	ui_dialog_free(&s->dialog);
	free(s->full);
	free(s);
}

static void
claims_draw(struct app *app, void *state, WINDOW *win, int top, int rows)
{
	struct claims *s = state;
	int list_rows = rows - 1;

	(void)app;
	ui_putf(win, top, 1, COLS - 2, UI_DIM, false, "Claims%s%s, newest first%s",
	    s->payer[0] != '\0' ? " to " : "", s->payer_name[0] != '\0' ? s->payer_name : s->payer,
	    s->other > 0 ? " (institutional and pharmacy claims are not listed)" : "");
	if (s->showing && rows > 8)
		list_rows = (rows - 1) / 2;
	ui_list_draw(&s->list, win, top + 1, list_rows, COLS);
	if (s->showing && rows > 8)
		ui_pager_draw(&s->details, win, top + 1 + list_rows, rows - 1 - list_rows, COLS);
	if (s->asking)
		ui_dialog_draw(&s->dialog, win, top, rows, COLS);
}

static void
claims_resume(struct app *app, void *state)
{
	search(app, state);
}

static int
claims_select(struct app *app, void *state)
{
	struct claims *s = state;

	if (s->asking)
		return APP_IGNORED;
	return open_selected(app, s, false);
}

static int
claims_print(struct app *app, void *state)
{
	return open_selected(app, state, true);
}

static int
claims_refresh(struct app *app, void *state)
{
	struct claims *s = state;

	s->showing = false;
	free(s->full);
	s->full = NULL;
	search(app, s);
	return APP_REDRAW;
}

/* Esc closes the details first, then leaves; at the question it answers no. */
static int
claims_back(struct app *app, void *state)
{
	struct claims *s = state;

	(void)app;
	if (s->asking)
		return APP_IGNORED;
	if (s->showing) {
		s->showing = false;
		return APP_REDRAW;
	}
	return APP_LEAVE;
}

enum { NEEDS_NO_QUESTION = APP_NEEDS_SCREEN };

static const char *
claims_unmet(struct app *app, void *state, unsigned need)
{
	struct claims *s = state;

	(void)app;
	if (need == NEEDS_NO_QUESTION && s->asking)
		return "answer the question first";
	return NULL;
}

static void
claims_changed(struct app *app, void *state, enum action a)
{
	struct claims *s = state;

	const char *key;

	(void)a;
	if (s->asking) {
		answered(app, s);
		return;
	}
	/* The pane shows the claim it was read for: moved off it, the pane goes. */
	key = ui_list_selected_id(&s->list);
	if (s->showing && (key == NULL || strcmp(key, s->key) != 0))
		s->showing = false;
}

static struct app_focus
claims_widget(struct app *app, void *state)
{
	struct claims *s = state;

	(void)app;
	if (s->asking)
		return (struct app_focus){ APP_WIDGET_DIALOG, &s->dialog };
	return (struct app_focus){ APP_WIDGET_LIST, &s->list };
}

static const struct screen_action claims_actions[] = {
	{ A_SELECT, claims_select, 0, "details" },
	{ A_PRINT_CLAIM, claims_print, NEEDS_NO_QUESTION | APP_NEEDS_IDLE, "print" },
	{ A_REFRESH, claims_refresh, NEEDS_NO_QUESTION, "refresh" },
	{ A_BACK, claims_back, 0, NULL },
	{ A_NONE },
};

const struct screen_ops claims_screen = {
	.name = "claims",
	.title = "claims",
	.context = "claims",
	.module = "billing",
	.needs = SCREEN_NEEDS_ONLINE,
	.enter = claims_enter,
	.leave = claims_leave,
	.draw = claims_draw,
	.resume = claims_resume,
	.actions = claims_actions,
	.unmet = claims_unmet,
	.changed = claims_changed,
	.widget = claims_widget,
};

int
billing_open_claims(struct app *app)
{
	return app_open(app, &claims_screen, NULL);
}

int
billing_open_claims_for(struct app *app, const char *payer, const char *payer_name,
    const char *claim_id, const char *patient_id)
{
	struct claims_arg a = { payer, payer_name, claim_id, patient_id };

	return app_open(app, &claims_screen, &a);
}
