/*
 * Charting, the visit wrap-up (VistA's check-out interview): on the patient's open visit,
 * the clinician chooses the encounter diagnoses, in order, and the procedures done; then
 * the visit note is signed and the visit finished, in one transaction. Billing's charge
 * capture reads what it writes:
 *
 *   Encounter.diagnosis[]  { condition: Condition/ID (or the urn:uuid of one created in the
 *                            same transaction), use: diagnosis-role "billing", rank 1..n }:
 *                            rank 1 is the primary diagnosis; at most WRAPUP_DIAGNOSES_MAX.
 *   Condition (new)        category encounter-diagnosis, active, confirmed, code with an
 *                            ICD-10-CM coding (and a problem's SNOMED CT coding beside it
 *                            when copied from one), subject, encounter, recordedDate,
 *                            recorder, the request identifier. A Condition already recorded
 *                            at the visit with an ICD-10-CM coding is referred to as it is.
 *   Procedure (new)        completed, code with a CPT coding, subject, encounter,
 *                            performedDateTime, performer[0].actor the clinician, the request
 *                            identifier; at most WRAPUP_PROCEDURES_MAX.
 *   Encounter              status finished, period.end now, rooms left, the diagnoses;
 *                            If-Match the version read.
 *   the visit note         its one draft by the clinician signed as note_sign_plan signs.
 *
 * What the wrap-up reads is one batch (wrapup_context_batch); what the clinician chooses is
 * a struct wrapup_form, changed only through the functions here so that its rules (codes
 * checked, ranks dense, limits) hold whatever the screen does.
 */
#ifndef EHRTERM_FHIR_WRAPUP_H
#define EHRTERM_FHIR_WRAPUP_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "fhir/fhir.h"
#include "fhir/note.h"
#include "fhir/plan.h"
#include "fhir/record.h"

#define WRAPUP_CS_ICD10CM "http://hl7.org/fhir/sid/icd-10-cm"
#define WRAPUP_CS_SNOMED "http://snomed.info/sct"
#define WRAPUP_CS_CPT "http://www.ama-assn.org/go/cpt"
#define WRAPUP_CS_CATEGORY "http://terminology.hl7.org/CodeSystem/condition-category"
#define WRAPUP_CS_ROLE "http://terminology.hl7.org/CodeSystem/diagnosis-role"

/* A professional claim holds 12 diagnoses; the procedures are held to as many. */
#define WRAPUP_DIAGNOSES_MAX 12
#define WRAPUP_PROCEDURES_MAX 12
/* Resources of each kind read at the visit, and fees named, whatever the server sends. */
#define WRAPUP_VISIT_MAX 50
#define WRAPUP_FEES_MAX 300
/* The longest words typed beside a code. */
#define WRAPUP_WORDS_MAX 200

/* --- what is read --------------------------------------------------------------------- */

/* A CPT code and its name in the fee schedule. */
struct wrapup_fee {
	char *code, *display;
};

enum wrapup_note {
	WRAPUP_NOTE_NONE,     /* no note at the visit: it is written first */
	WRAPUP_NOTE_DRAFT,    /* one draft, by who is logged in: signed with the wrap-up */
	WRAPUP_NOTE_SIGNED,   /* signed notes and no draft: nothing to sign */
	WRAPUP_NOTE_DRAFTS,   /* several drafts: which one is the visit's is not guessed */
	WRAPUP_NOTE_OTHERS,   /* one draft, by someone else: only its author signs it */
};

/*
 * What the wrap-up knows of the visit; every member owned. Strings from the server are
 * raw: a screen sanitises them (ui_put does).
 */
struct wrapup_context {
	char *practitioner;	/* the Practitioner id of who is logged in, or NULL: not known */
	cJSON *encounter;	/* the visit, as read; NULL: the patient has no open visit */
	char *encounter_id;	/* its id, or NULL */
	char *version;		/* its meta.versionId, or NULL */
	char *status;		/* its status ("in-progress", "finished"), "" when absent */
	char *start;		/* period.start, "" when absent */
	bool finished;		/* status finished: the wrap-up is done */
	cJSON *conditions;	/* an array: the Conditions recorded at the visit or named by its diagnoses */
	cJSON *procedures;	/* an array: the Procedures recorded at the visit */
	bool cut;		/* some resources at the visit were past WRAPUP_VISIT_MAX: not read */
	struct record_list problems; /* the active problem list */
	char *problems_failed;	/* why it was not read, or NULL */
	/* The visit's notes: current DocumentReferences at the encounter. */
	enum wrapup_note note;
	size_t drafts, signed_notes;
	bool has_draft;		/* DRAFT below is the one draft (WRAPUP_NOTE_DRAFT or _OTHERS) */
	struct note_view draft;
	struct wrapup_fee *fees; /* CPT codes of the fee schedule, sorted by code */
	size_t nfees;
};

/*
 * The batch for PATIENT: who is logged in (the Practitioner naming USER in NOTE_CERT_CN),
 * the visit with what was recorded at it (its Conditions, Procedures and notes, and the
 * Conditions its diagnoses name), the active problem list, and the fee schedule's codes.
 * ENCOUNTER NULL: the patient's open visit (in progress, arrived, triaged, on leave),
 * newest first; else that visit whatever its status (read again after a write). NULL when
 * an id is not valid. The caller frees it.
 */
cJSON *wrapup_context_batch(const struct fhir_client *fc, const char *patient, const char *user,
    const char *encounter);
/*
 * Read that batch's answer into OUT (zeroed first). ENCOUNTER is what the batch was asked
 * for. -1 and *CAUSE when the answer is not the batch's, the visit could not be read, or
 * anything in it is another patient's (nothing is kept then: a write from it would land
 * in the wrong chart). No open visit is not a failure: OUT->encounter is NULL. The problem
 * list and the fee schedule may fail alone (the wrap-up goes on without them). BASE is the
 * server's base URL, for a note's Binary.
 */
int wrapup_context_read(const cJSON *response, const char *patient, const char *user,
    const char *encounter, const char *base, struct wrapup_context *out, char **cause);
void wrapup_context_clear(struct wrapup_context *c);
/* The fee schedule's name of CPT code CODE, borrowed, or NULL. */
const char *wrapup_fee_name(const struct wrapup_context *c, const char *code);

/* --- what the clinician chooses ------------------------------------------------------- */

enum wrapup_kind {
	WRAPUP_DX_VISIT,   /* a Condition recorded at the visit with an ICD-10-CM code: referred to */
	WRAPUP_DX_PROBLEM, /* an active problem, or a Condition at the visit without ICD-10-CM: copied */
	WRAPUP_DX_TYPED,   /* an ICD-10-CM code typed: a new Condition */
	WRAPUP_PROC_DONE,  /* a Procedure recorded at the visit already: it stays */
	WRAPUP_PROC_NEW,   /* a CPT code typed: a new Procedure */
};

/* One row: a diagnosis that may be chosen, or a procedure. Strings owned; raw server text. */
struct wrapup_item {
	enum wrapup_kind kind;
	char *source;	      /* "Condition/ID" or "Procedure/ID" it is, or NULL (typed) */
	char *code;	      /* the ICD-10-CM or CPT code; NULL: a problem without ICD-10-CM yet */
	char *display;	      /* that code's display from its coding or the fee schedule, or NULL */
	char *snomed;	      /* a problem's SNOMED CT coding, kept on its copy, or NULL */
	char *snomed_display;
	char *what;	      /* the words shown (never NULL): the Condition's, typed, or the fee's */
	char *text;	      /* words typed beside the code (the copy's code.text), or NULL */
	unsigned rank;	      /* a diagnosis chosen: 1 is the primary; 0 not chosen */
	bool code_typed;      /* the ICD-10-CM code of a problem was typed */
};

struct wrapup_form {
	struct wrapup_item *v;
	size_t n, cap;
};

/*
 * The rows of C: the visit's diagnoses ranked as its Encounter.diagnosis has them, the
 * other Conditions at the visit, the active problems not recorded at the visit under the
 * same ICD-10-CM code, and the visit's Procedures. KEEP (NULL: none) is the form before
 * C was read again: its choices are kept where their rows still are, and what it typed
 * is kept, so a save that failed loses nothing. OUT is zeroed first.
 */
void wrapup_form_build(const struct wrapup_context *c, const struct wrapup_form *keep,
    struct wrapup_form *out);
void wrapup_form_clear(struct wrapup_form *f);
/*
 * The rows in the order shown, into ORDER (F->n of them): the chosen diagnoses by rank,
 * the other diagnoses, then the procedures.
 */
void wrapup_form_order(const struct wrapup_form *f, size_t *order);
/* How many diagnoses are chosen; how many procedures are new. */
size_t wrapup_form_chosen(const struct wrapup_form *f);
size_t wrapup_form_new_procedures(const struct wrapup_form *f);

/*
 * Row I chosen or left out: a diagnosis chosen goes last in the order, one left out
 * closes the gap; a new procedure is taken off. 0, or -1 and *CAUSE (a problem without
 * an ICD-10-CM code, the same code chosen already, WRAPUP_DIAGNOSES_MAX chosen, a
 * procedure recorded already).
 */
int wrapup_form_toggle(struct wrapup_form *f, size_t i, char **cause);
/* The chosen diagnosis I moved BY places (-1 toward the primary). 0, or -1 and *CAUSE. */
int wrapup_form_move(struct wrapup_form *f, size_t i, int by, char **cause);
/*
 * TYPED ("E11.9 words", the words optional) as a chosen diagnosis: a row of the same
 * ICD-10-CM code is chosen if there is one, else a new typed row. AT (or (size_t)-1) is
 * a problem without an ICD-10-CM code that the code is for: it is chosen with it. The
 * row's index, or -1 and *CAUSE (not an ICD-10-CM code, chosen already, too many).
 */
long wrapup_form_add_diagnosis(struct wrapup_form *f, const char *typed, size_t at, char **cause);
/*
 * TYPED ("99213 words") as a new procedure, named from C's fee schedule when it knows the
 * code. The row's index, or -1 and *CAUSE (not a CPT code, listed already, too many).
 */
long wrapup_form_add_procedure(struct wrapup_form *f, const struct wrapup_context *c,
    const char *typed, char **cause);

/* True when CODE is a CPT code: five digits, or four and F or T. */
bool wrapup_cpt_valid(const char *code);

/* --- the write ------------------------------------------------------------------------ */

/*
 * Why F cannot be written from C now (the caller frees it), or NULL: no open visit,
 * finished already, who is logged in not known, no diagnosis chosen, no note (C->note
 * WRAPUP_NOTE_NONE: the screen adds the key that writes one), several drafts (counted),
 * a draft by someone else.
 */
char *wrapup_refusal(const struct wrapup_context *c, const struct wrapup_form *f);

/* What the write takes beside the context and the form; strings borrowed. */
struct wrapup_input {
	const char *patient;	/* the Patient's id */
	const char *when;	/* a FHIR instant: now */
	/* A UUID: each create carries REQUEST_ID-dxN or -pxN, the Provenance REQUEST_ID. */
	const char *request_id;
	const struct note_body *body; /* the draft's text as read, when C has a draft to sign */
	const char *jws;	/* its signature (jws_sign over BODY naming the note), or NULL */
};
/*
 * The wrap-up of F on C's visit, one plan: the new Conditions, the new Procedures, the
 * Encounter finished with its diagnoses, and the draft's signing steps (note_sign_steps).
 * NULL and *CAUSE when wrapup_refusal refuses, IN lacks something, or the signing is
 * refused.
 */
struct fhir_plan *wrapup_plan(const struct wrapup_context *c, const struct wrapup_form *f,
    const struct wrapup_input *in, char **cause);

/*
 * After a write whose answer was lost, C read again (by the visit's id): true when the
 * wrap-up of F with REQUEST_ID is on the server: the visit finished, every new row found
 * by its request identifier and the diagnoses in F's order.
 */
bool wrapup_arrived(const struct wrapup_context *c, const struct wrapup_form *f,
    const char *request_id);

/*
 * What the wrap-up's write on C left on the server, read from RESPONSE, the
 * transaction-response of wrapup_plan's plan (fhir_plan_run answers one way whether it ran
 * as a transaction or in steps): one entry per step, each with the resource as the server
 * now holds it. C becomes what reading the visit again by its id would give: the Encounter
 * finished, at the version the answer gives, with its ranked diagnoses; the new Conditions
 * and Procedures beside those read before; the draft signed (counted among the signed
 * notes). Who is logged in, the problem list and the fee schedule stay: the write changes
 * none of them. 0; -1 and *CAUSE, C untouched, when an entry lacks its resource (a server
 * that returns no body) or the answer does not fit (another patient's or another visit's,
 * the visit not finished or without a version, a diagnosis naming a Condition neither read
 * nor written, another note): the caller then reads the visit again. Linear in RESPONSE,
 * at most as many entries looked at as wrapup_plan makes steps.
 */
int wrapup_saved_read(const cJSON *response, const char *patient, struct wrapup_context *c,
    char **cause);


#endif
