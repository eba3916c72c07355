/* What the charting module's screens share, and no one else. */
#ifndef EHRTERM_SCREENS_CHART_CHART_PRIVATE_H
#define EHRTERM_SCREENS_CHART_CHART_PRIVATE_H

#include <cjson/cJSON.h>
#include <curses.h>

#include "app/app.h"
#include "fhir/chart.h"
#include "fhir/patient.h"
#include "ui/list.h"
#include "ui/pager.h"

/* What a pane's full list opens on: every member borrowed for the call, copied there. */
struct chart_list_arg {
	const char *id;
	enum chart_pane pane;
	const cJSON *patient;			     /* for the banner */
	const struct patient_allergies *allergies; /* the banner's */
	/* The cover's allergies pane, to flag the medications the patient is allergic to, or NULL. */
	const struct chart_list *allergy_rows;
};

/*
 * The banner of a screen the chart opens: the opener's Patient, copied (the screen hands it
 * on to those it opens in turn), read for the banner, and the allergies the banner shows,
 * which a screen that reads the allergies itself replaces with what it read.
 */
struct chart_banner {
	cJSON *patient;
	struct patient_view view;
	struct patient_allergies allergies;
};

/* Take ARG's patient and allergies into B (copied). */
void chart_banner_take(struct chart_banner *b, const struct chart_list_arg *arg);
void chart_banner_clear(struct chart_banner *b);
/* Draw B on row TOP of WIN (and TOP + 1 when it takes two), ages counted to today. */
void chart_banner_draw(const struct chart_banner *b, WINDOW *win, int top);

/*
 * A full list of the chart's (the visits, the labs, a pane's rows), paged by the list
 * widget, and a pager shown over it for one row's details or a trend, until Esc.
 */
struct chart_rows {
	struct ui_list list;
	struct ui_pager pager;
	bool showing; /* the pager, over the list */
};

/*
 * Set up R: its list of NCOLS COLUMNS (borrowed) paged through NEED with OWNER, as
 * ui_list_init's, saying EMPTY when it has no rows; the pager empty and not shown.
 */
void chart_rows_init(struct chart_rows *r, const struct ui_list_column *columns, size_t ncols,
    ui_list_need_fn need, void *owner, const char *empty);
void chart_rows_free(struct chart_rows *r);
/* Draw the pager while it shows, else the list, in ROWS rows from row TOP of WIN. */
void chart_rows_draw(struct chart_rows *r, WINDOW *win, int top, int rows);
/* Esc: from the pager back to the list; on the list APP_IGNORED, the loop's to cancel or leave. */
int chart_rows_back(struct chart_rows *r);
/* The widget keys go to: the pager while it shows, else the list. */
struct app_focus chart_rows_focus(struct chart_rows *r);
/* Why no row can be acted on: SHOWING while the pager shows, NONE with none selected; or NULL. */
const char *chart_rows_unmet(const struct chart_rows *r, const char *showing, const char *none);

/*
 * WHY a read did not show (R's status: "cancelled", the server's words), and the way on:
 * "cancelled; r reads it again", the refresh key named from the live keymap (or the
 * action's name when no key is bound). Owned.
 */
char *chart_read_failed(struct app *app, const struct fhir_result *r);
/* The same for a read that failed for WHY (a sentence of the FHIR layer's). Owned. */
char *chart_read_again(struct app *app, const char *why);
/*
 * The lines a list drawn from row Y may take above a form of FIELDS fields that ends the
 * body (ROWS rows from TOP): all but the form's, its heading and the blank before it, and
 * its "Not saved" line; at least 2. A list longer than that shows one line fewer and
 * "(+N more)" on the last, so free rows are used before anything is counted away.
 */
int chart_lines_above_form(int top, int rows, int y, size_t fields);
/*
 * Whether the app's current patient is still ID, the one a form was opened for: false, with
 * the refusal on the status line naming NAME's chart, when it moved to another meanwhile
 * and a save from the form would land in the wrong chart.
 */
bool chart_same_patient(struct app *app, const char *id, const char *name);
/*
 * A save of a chart's form that did not succeed, said on the status line (CONFLICT: the
 * words for someone's change first); *UNSURE is set when whether it arrived is not known.
 * True when what the server holds now must be read again before the next try.
 */
bool chart_save_failed(struct app *app, const struct fhir_result *r, const char *conflict,
    bool *unsure);
/* Open PANE's full list of the patient ARG names. */
int chart_open_list(struct app *app, const struct chart_list_arg *arg);
/* Open the screen that adds an allergy, records none known, or takes one off, for ARG's patient. */
int chart_open_allergies(struct app *app, const struct chart_list_arg *arg);
/* Open the form that records an immunization given to ARG's patient, allergies listed first. */
int chart_open_immunize(struct app *app, const struct chart_list_arg *arg);
/*
 * Open the medications form of ARG's patient: the allergies listed, the active orders to
 * stop, renew or reconcile at the visit.
 */
int chart_open_meds(struct app *app, const struct chart_list_arg *arg);
/* Open the screen that adds a problem or takes one off, for ARG's patient. */
int chart_open_problems(struct app *app, const struct chart_list_arg *arg);
/*
 * A set of vital signs saved: SAVED is the save's transaction-response (borrowed for the
 * call), each Observation as the server now holds it when the server returned them.
 * Called before the form leaves, its opener still below it.
 */
typedef void (*chart_vitals_saved_fn)(struct app *app, void *opener, const cJSON *saved);
/*
 * Open the form that records a set of vital signs for the patient ARG names (PANE unused);
 * SAVED (or NULL) is told what a save wrote, OPENER handed back to it.
 */
int chart_open_vitals(struct app *app, const struct chart_list_arg *arg,
    chart_vitals_saved_fn saved, void *opener);
/*
 * The answer R to the read of row ROW (an id) of PANE, patient ID, as its details in
 * PAGER, once audited; false, with the reason on the status line, when not shown.
 */
bool chart_show_details(struct app *app, const struct fhir_result *r, enum chart_pane pane,
    const char *id, const char *row, struct ui_pager *pager);
/*
 * Open the note screen for ARG's patient: NOTE_ID's note (a draft to go on with and sign,
 * a signed one to check, add to, correct or mark entered in error), or a new note (NULL).
 */
int chart_open_note(struct app *app, const struct chart_list_arg *arg, const char *note_id);
/*
 * Open the visit wrap-up of ARG's patient: the open visit's diagnoses chosen and ranked,
 * the procedures done, then the visit note signed and the visit finished in one write.
 */
int chart_open_wrapup(struct app *app, const struct chart_list_arg *arg);
/* Open the labs by panel and date of the patient ARG names (its pane is ignored). */
int chart_open_labs(struct app *app, const struct chart_list_arg *arg);
/* Open the visits (Encounters) of the patient ARG names; ARG's pane is not used. */
int chart_open_visits(struct app *app, const struct chart_list_arg *arg);

#endif
