/* Charting, reading: the cover sheet of one patient, asked for in one batch and read into panes. */
#ifndef EHRTERM_FHIR_CHART_H
#define EHRTERM_FHIR_CHART_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "fhir/fhir.h"
#include "fhir/patient.h"
#include "util/date.h"

/* Rows a pane reads from its search, whatever the server sends: the rest are counted, not read. */
#define CHART_ITEMS_MAX 50
/* Practitioners a page of notes looks at for its authors' names, whatever the server sends. */
#define CHART_PRACTITIONERS_MAX 200
/* Immunizations due a list shows at most, and recommendations read to find them. */
#define CHART_DUE_MAX 20

/* The cover sheet's panes, in the order the batch asks for them after the Patient read. */
enum chart_pane {
	CHART_ALLERGIES,
	CHART_PROBLEMS,
	CHART_MEDICATIONS,
	CHART_VITALS,
	CHART_LABS,
	CHART_IMMUNIZATIONS,
	CHART_NOTES,
	CHART_APPOINTMENTS,
	CHART_PANES,
};

/* The vital signs, one search each (the latest by date), in the order the vitals pane shows them. */
enum chart_vital {
	CHART_VITAL_BP,
	CHART_VITAL_HR,
	CHART_VITAL_RR,
	CHART_VITAL_TEMP,
	CHART_VITAL_SPO2,
	CHART_VITAL_HEIGHT,
	CHART_VITAL_WEIGHT,
	CHART_VITAL_BMI,
	CHART_VITAL_COUNT,
};

/* The pane's title ("Allergies") and the resource type its rows come from ("AllergyIntolerance"). */
const char *chart_pane_title(enum chart_pane pane);
const char *chart_pane_type(enum chart_pane pane);
/* A vital sign's short label ("BP", "Temp"). */
const char *chart_vital_label(enum chart_vital v);

/*
 * One row of a pane. Every string is owned and never NULL ("" when the data has none) but
 * at, which only a vital sign's row has;
 * all are raw server text, for the screen to sanitise when it draws them.
 *   allergies:     what = substance, value = criticality ("high"), detail = reaction, status,
 *                  code = its RxNorm code (a drug allergy), high criticality first (allergy_order)
 *   problems:      what = the condition, value = ICD-10-CM code or SNOMED code, date = onset
 *   medications:   what = the medication, value = the sig (dose and how), date = authored, status,
 *                  flag = the substance of the active allergy it matches (chart_flag_allergies;
 *                  alert set), code = its RxNorm code
 *   vitals:        what = the label, value = "120/80 mmHg", "174.1 cm", date = when measured,
 *                  at = when measured as the resource writes it, to tell which is newer
 *   labs:          what = the analyte, value = "5.8 %", flag = "H", "L", detail = "4-5.6"
 *   immunizations: what = the vaccine, value = CVX code, date, status; one due (due set):
 *                  date = the date it is due, status "due" or "overdue" (alert), detail = the dose
 *   notes:         what = the note's type, value = author (the name in the Practitioner read
 *                  with the page, else "DISPLAY (name not checked)" or "(name not checked)"),
 *                  date = the local date it was written, status ("signed", "draft", ...)
 *   appointments:  what = the reason or type, value = with whom, date = "YYYY-MM-DD HH:MM", status
 */
struct chart_item {
	char *what, *value, *date, *flag, *detail, *status, *at;
	char *id;   /* the resource's id */
	char *code; /* an allergy's or a medication's RxNorm code, or ""; NULL in other panes */
	bool alert; /* high criticality, an abnormal lab, an immunization overdue, a medication
		       the patient is allergic to */
	bool due;   /* an immunization due, a forecast's (ImmunizationRecommendation), not given */
};

enum chart_pane_state {
	CHART_PANE_NOT_LOADED, /* not asked, or its search failed: see failure */
	CHART_PANE_LOADED,
	CHART_PANE_REFUSED,    /* the answer held another patient's resource: nothing of it is shown */
};

struct chart_list {
	enum chart_pane_state state;
	char *failure;		/* a sentence when not loaded or refused, else NULL */
	struct chart_item *items;
	size_t n;
	long total;		/* the search's total when the server gave one, else -1 */
	/* Allergies only: what the list says when it has no rows. */
	enum patient_allergy_state allergy_state;
	/* Immunizations only: how many of the rows, first, are due rather than given. */
	size_t due;
};

/* The cover sheet: the Patient and its panes. */
struct chart_cover {
	cJSON *patient;		/* the Patient as read; owned */
	char *version;		/* its meta.versionId, or NULL */
	struct patient_view view;
	struct patient_allergies banner_allergies; /* for the banner, read as every patient screen does */
	struct chart_list panes[CHART_PANES];
	/* The newest meta.lastUpdated of what was read, by the server's clock, or NULL. */
	char *newest;
};

/*
 * The cover-sheet batch for patient ID (checked with fhir_valid_id): the Patient, then
 * one search for each pane, the vital signs one search each (newest first, one row),
 * and last the immunization forecasts (chart_due_search), every search bounded with
 * _count and _elements. TODAY bounds the appointments (from today on). The caller
 * frees it.
 */
cJSON *chart_cover_batch(const struct fhir_client *fc, const char *id, const struct date *today);
/* How many entries chart_cover_batch asks for. */
size_t chart_cover_entries(void);

/*
 * Read the batch-response RESPONSE into OUT (zeroed first; the Patient is taken from
 * RESPONSE). 0, or -1 with *CAUSE when the Patient is missing or another patient's. A
 * pane whose search failed, or whose answer names another patient, is not loaded or
 * refused on its own: the rest still shows.
 */
int chart_cover_read(cJSON *response, const char *id, struct chart_cover *out, char **cause);
void chart_cover_clear(struct chart_cover *c);

/*
 * Read one searchset of PANE for patient ID into OUT (zeroed first). For the vitals
 * pane each call reads one vital sign V's search and appends its row; other panes
 * ignore V.
 */
void chart_list_read(enum chart_pane pane, enum chart_vital v, const cJSON *searchset,
    const char *id, struct chart_list *out);
void chart_list_clear(struct chart_list *l);

/*
 * Flag each order of MEDS (a medications pane or page) that is active or on hold and
 * matches an allergy of ALLERGIES (an allergies pane as chart_list_read reads it: the active
 * ones) as renewing it would warn (medication_matches_allergy): alert set, flag the
 * allergy's substance. With FIRST, the flagged rows are moved ahead of the rest, in their
 * order, so a pane cut to its rows keeps them. Nothing when either is not loaded. The
 * cover sheet's panes are flagged so by chart_cover_read.
 */
void chart_flag_allergies(struct chart_list *meds, const struct chart_list *allergies, bool first);
/* A copy of FROM into TO: every row and string, the state, total and failure. */
void chart_list_copy(struct chart_list *to, const struct chart_list *from);

/*
 * A pane's full list, a page at a time: the search for COUNT rows (1 to 200) of every
 * status, newest first where the type has a date; the caller frees it.
 */
struct fhir_search *chart_pane_search(enum chart_pane pane, const char *id, long count);
/*
 * Read one page of it into OUT (zeroed first): every row but those entered in error,
 * inactive and resolved ones too, each with its status; the vitals pane a row per
 * measurement. Another patient's resource refuses the page, as chart_list_read does.
 */
void chart_page_read(enum chart_pane pane, const cJSON *searchset, const char *id,
    struct chart_list *out);

/* --- immunizations due --------------------------------------------------------------------- */

/*
 * The search for patient ID's immunization forecasts (ImmunizationRecommendation), the
 * newest first, bounded with _count and _elements; the caller frees it. Every forecast
 * status is asked for: a newer forecast that says "complete" ends an older one's "due".
 */
struct fhir_search *chart_due_search(const char *id);
/*
 * Read the immunizations due from ENTRY, the batch-response entry of chart_due_search
 * for patient ID, into DUE (zeroed first), GIVEN being the immunizations given as read
 * (chart_list_read or chart_page_read of the same patient, newest first). For each
 * vaccine (by CVX code, else by name) the newest forecast counts; a row is due when its
 * forecastStatus is due or overdue (alert) and no dose of the same CVX code was given
 * on or after that forecast's date. Rows overdue first, then due, each earliest date
 * first; at most CHART_DUE_MAX, from at most CHART_ITEMS_MAX forecasts and as many
 * recommendations. ENTRY failed or absent: not loaded, with the failure said; a
 * forecast of another patient: refused, nothing kept.
 */
void chart_due_read(const cJSON *entry, const char *id, const struct chart_list *given,
    struct chart_list *due);
/*
 * The rows of DUE (taken; DUE is cleared) put first in GIVEN, a pane of immunizations
 * given: GIVEN->due says how many, its total counts them, and rows given past
 * CHART_ITEMS_MAX in all are left out. DUE refused refuses GIVEN too; DUE not loaded
 * leaves GIVEN's rows with DUE's failure said. Nothing is added to a GIVEN not loaded:
 * what is due cannot be told without what was given.
 */
void chart_due_merge(struct chart_list *given, struct chart_list *due);

/*
 * The immunizations list's first page in one batch: COUNT given ones (chart_pane_search)
 * and the forecasts (chart_due_search). The caller frees it.
 */
cJSON *chart_immunizations_batch(const struct fhir_client *fc, const char *id, long count);
/*
 * Read that batch's answer RESPONSE for patient ID: the given ones into GIVEN as
 * chart_page_read reads a page, and the ones due into DUE (chart_due_read). Returns the
 * given page's searchset, borrowed from RESPONSE, for its links and total; NULL when its
 * entry failed (GIVEN then not loaded, with why).
 */
const cJSON *chart_immunizations_read(const cJSON *response, const char *id,
    struct chart_list *given, struct chart_list *due);

/*
 * A quantity for display: VALUE rounded (vitals to one decimal, labs to a precision
 * that fits their size), trailing zeros dropped, and UNIT (UCUM codes made readable:
 * "Cel" -> "C", "mm[Hg]" -> "mmHg"). "174.0511726769968", "cm" -> "174.1 cm". Into OUT.
 */
void chart_quantity(double value, const char *unit, bool lab, char *out, size_t size);

/*
 * When S (a FHIR date, dateTime or instant) was, as the chart writes it: an instant with
 * its zone in the local time zone, "2026-12-01" or with WITH_TIME "2026-12-01 09:03"; a date
 * or partial date ("2020") as written; "" for NULL. Owned.
 */
char *chart_when(const char *s, bool with_time);

/*
 * Whether WHEN (a FHIR date or dateTime as a form makes it, "2010-01-01", "1900-01-01T08:00:00-05:00")
 * is before the birth of the patient V, at the precision of the birth date (a birth year
 * alone, "1970", refuses only an earlier year): then "LABEL WHEN is before NAME was born
 * (BIRTH)", owned, for a form to refuse the date with; else NULL, also when the birth date
 * is not known.
 */
char *chart_before_birth(const char *label, const char *when, const struct patient_view *v);

/* --- lab results, for src/fhir/labs.c, read as the panes read them ---------------------------- */

/* CONCEPT's words: its text, else a coding's display, else its first code; NULL when none. */
const char *chart_concept_text(const cJSON *concept);
/*
 * A MedicationRequest's sig: its first dosageInstruction's text, else its dose and timing
 * in words ("1 tablet, 2 times every 1 d"), else "". The caller frees it.
 */
char *chart_medication_sig(const cJSON *request);
/*
 * The lab Observation O as a new row at the end of L (what, value with its unit, flag,
 * detail = the reference range, date, status, id), every string set; nothing when O was
 * entered in error or cancelled.
 */
void chart_lab_push(const cJSON *o, struct chart_list *l);

/* --- coming back to an open chart --------------------------------------------------------- */

/*
 * The one small batch that asks whether patient ID's chart changed since SINCE (the
 * cover's newest, an instant by the server's clock, so no clock skew matters): the
 * Patient read with If-None-Match VERSION (NULL: read), and for each resource type of
 * the panes a count of what was updated after SINCE (_lastUpdated, _summary=count). A
 * few hundred bytes each way when nothing changed. A deletion leaves no resource to
 * count: it shows at the next full read (refresh). The caller frees it.
 */
cJSON *chart_changes_batch(const struct fhir_client *fc, const char *id, const char *version,
    const char *since);
/* True when its batch-response says something changed, or cannot say (an entry failed). */
bool chart_changed(const cJSON *response);

/*
 * A set of vital signs just saved for patient ID, shown in the cover's vitals pane PANE
 * without reading it again: SAVED is the transaction-response of its plan (vitals_plan;
 * fhir_plan_run answers one way whether it ran as a transaction or in steps), each entry
 * with the Observation as the server now holds it. Each sign saved takes its row's place
 * when it was measured later than the row's (the pane shows each sign's newest), in the
 * pane's order; a sign the pane does not show (head circumference) is left out. 0; -1,
 * PANE untouched, when the answer does not hold every Observation (a server that returns
 * no body), one is another patient's, not a vital sign or not readable, two are of one
 * sign, the pane is not loaded, or which of two is newer cannot be told (measured at the
 * same instant, when the server's order decides, or two dates without a time on the same
 * day): then the chart must be read. Bounded by FHIR_PLAN_MAX entries.
 */
int chart_vitals_saved(struct chart_list *pane, const cJSON *saved, const char *id);

/* --- one row's details ------------------------------------------------------------------ */

/* Lines a row's details show at most, whatever the resource holds (a long note is cut). */
#define CHART_DETAILS_MAX 2000

/* One line of a row's details: a label and a value, both owned. */
struct chart_detail {
	char *label, *value;
};
/*
 * The details of RESOURCE, a row of PANE read in full, as lines into *OUT and *N: what
 * it is, its statuses, values and components, range and flag, reaction, sig, dates,
 * who, every code, and a note's text/plain body line by line; of the immunizations pane
 * an ImmunizationRecommendation too (a row due), each of its recommendations with its
 * forecast status, dates and dose. 0, or -1 with *CAUSE when it is not of the pane's
 * type, is not the row ROW asked for (NULL: any), or names another patient than ID.
 */
int chart_details(const cJSON *resource, enum chart_pane pane, const char *id, const char *row,
    struct chart_detail **out, size_t *n, char **cause);
/*
 * As chart_details, for a row read as "TYPE/ROW": a resource of another type than TYPE
 * (a row due is a forecast, "ImmunizationRecommendation", and a forecast is no row given)
 * is refused, with *CAUSE.
 */
int chart_row_details(const cJSON *resource, enum chart_pane pane, const char *type,
    const char *id, const char *row, struct chart_detail **out, size_t *n, char **cause);
void chart_details_free(struct chart_detail *d, size_t n);

/*
 * A note's text held apart from it: the "Binary/ID" (owned) that the DocumentReference
 * DOC's text attachment refers to, relatively or under BASE (the server's base URL), for
 * one read; NULL when the text is inline (chart_details shows it) or there is none, or,
 * with *WHY set (owned), when it is on another server.
 */
char *chart_note_binary(const cJSON *doc, const char *base, char **why);
/*
 * The text of BINARY, the answer to the read of REF, appended to *OUT and *N as
 * chart_details' lines ("Text", one a line, at most CHART_DETAILS_MAX in all, decoded
 * from base64 up to 64 KiB); a body that is not text/plain is named, not shown. 0, or
 * -1 with *CAUSE when BINARY is not the Binary REF names.
 */
int chart_note_text(const cJSON *binary, const char *ref, struct chart_detail **out, size_t *n,
    char **cause);

#endif
