/* Patients: what a clerk types to find one, and the few fields every screen shows of one. */
#ifndef EHRTERM_FHIR_PATIENT_H
#define EHRTERM_FHIR_PATIENT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "fhir/fhir.h"
#include "util/date.h"

/* Given names, or address lines, shown of one name or address: more are counted, not shown. */
#define PATIENT_PARTS_MAX 8

/* The elements a result row shows: asked for with _elements, so a page stays small. */
#define PATIENT_LIST_ELEMENTS "name,gender,birthDate,identifier,telecom"

enum patient_query_kind {
	PATIENT_QUERY_EMPTY,
	PATIENT_QUERY_NAME,	  /* "quig", "quigley chad": every word starts a name part */
	PATIENT_QUERY_FAMILY_GIVEN, /* "quigley,c": family, then given */
	PATIENT_QUERY_BIRTHDATE,  /* "1952-06-19", "06/19/1952", "T-30Y"? no: real dates only */
	PATIENT_QUERY_IDENTIFIER, /* an MRN or other identifier */
	PATIENT_QUERY_PHONE,	  /* 7 to 15 digits with phone punctuation */
	PATIENT_QUERY_SHORT,	  /* VistA: surname initial + last 4 digits of an identifier */
};

#define PATIENT_QUERY_WORDS 4
#define PATIENT_QUERY_TEXT 65

struct patient_query {
	enum patient_query_kind kind;
	size_t nwords;
	char words[PATIENT_QUERY_WORDS][PATIENT_QUERY_TEXT]; /* name parts, or family and given */
	char value[PATIENT_QUERY_TEXT]; /* birth date (ISO), identifier, phone, or the 4 digits */
	char initial;			/* PATIENT_QUERY_SHORT: upper-case letter */
};

/*
 * Read what the clerk typed in the one search field. TODAY is for dates such as
 * "T" (not meaningful for a birth date, but harmless). Returns 0, or -1 with
 * *cause set to a sentence (the input cannot be any of the kinds above).
 */
int patient_query_parse(const char *input, const struct date *today, struct patient_query *q,
    char **cause);

/* The FHIR search for Q, COUNT results a page; the caller frees it. */
struct fhir_search *patient_query_search(const struct patient_query *q, long count);

/*
 * Whether PATIENT (a FHIR Patient) is an answer to Q. The server answers every
 * kind but one exactly; for PATIENT_QUERY_SHORT it can only find the surname
 * initial, and this checks the last four digits of the identifiers.
 */
bool patient_query_accepts(const struct patient_query *q, const cJSON *patient);

/*
 * A phone number as records store it and searches look for it ("555-010-1234" for a
 * US number, "+44 20 7946 0958" as typed), into OUT. False when INPUT is not a phone.
 */
bool patient_phone_normal(const char *input, char out[PATIENT_QUERY_TEXT]);

/* The fields a result row, the banner and the demographics screen show. */
struct patient_view {
	char *id;	  /* never NULL: "" when missing */
	char *name;	  /* "Quigley, Chad"; "(no name)" when missing */
	char *family, *given;
	char *gender;	  /* FHIR code, "" when missing */
	char sex;	  /* 'M', 'F', 'O', 'U' (unknown or missing) */
	char *birth_date; /* ISO, "" when missing or not a date */
	char *birth_text; /* birthDate as written ("1970" too), "" when missing */
	char *mrn;	  /* the identifier typed MR, "" when none */
	char *phone;	  /* the first phone, "" when none */
	bool deceased;	  /* deceasedBoolean true, or a deceasedDateTime */
	char *deceased_date; /* the date part of deceasedDateTime (ISO), "" when none or not a date */
};

/* Read PATIENT into OUT; missing or wrongly typed elements read as empty, never fail. */
void patient_view_read(const cJSON *patient, struct patient_view *out);
void patient_view_clear(struct patient_view *view);
/* Age in whole years on TODAY (at death for a deceased patient), or -1 when the birth date is unknown. */
int patient_view_age(const struct patient_view *view, const struct date *today);

/* The Patient's id, borrowed, or NULL. */
const char *patient_id_of(const cJSON *patient);

/*
 * The Patients of one search page (a Bundle) that answer Q, as views into *OUT (the
 * caller clears each and frees the array); returns how many. *SEEN counts the Patients
 * on the page: a short-form search keeps only those whose identifiers end in its digits.
 */
size_t patient_page_read(const cJSON *bundle, const struct patient_query *q,
    struct patient_view **out, size_t *seen);

/* Lines of one array the record shows (identifiers, telecoms...): more are counted on one line. */
#define PATIENT_LINES_MAX 8

/* One line of the record's demographics: a label and a value, both owned. */
struct patient_detail {
	char *label, *value;
};
/*
 * The demographics beyond the view (identifiers, telecom, addresses, languages,
 * marital status, contacts) as lines into *OUT; returns how many. Empty values are
 * left out. Each array is read once and shows at most PATIENT_LINES_MAX lines, then
 * one line under the array's label saying "(+N more)".
 */
size_t patient_details(const cJSON *patient, struct patient_detail **out);
void patient_details_free(struct patient_detail *d, size_t n);

/* --- the allergies the banner shows ------------------------------------------------- */

/*
 * What is known of a patient's allergies. NOT_LOADED is not NOT_RECORDED: a list
 * that did not load (or held another patient's entry) must not read as a chart
 * without allergies.
 */
enum patient_allergy_state {
	PATIENT_ALLERGY_NOT_LOADED,   /* not asked, the request failed, or the answer is not trusted */
	PATIENT_ALLERGY_NOT_RECORDED, /* the server has nothing either way */
	PATIENT_ALLERGY_NONE_KNOWN,   /* only no-known-allergy entries (SNOMED 716186003 and kin) */
	PATIENT_ALLERGY_LISTED,	      /* one or more active allergies, in items */
};

struct patient_allergy {
	char *substance; /* code.text, else the first coding's display, else its code; never NULL */
	bool high;	 /* criticality "high" */
};

struct patient_allergies {
	enum patient_allergy_state state;
	struct patient_allergy *items;
	size_t n;
};

/*
 * Read an AllergyIntolerance searchset for patient ID into OUT. Entered in error
 * and refuted entries, and ones no longer active, are left out; an entry of
 * another patient makes the whole answer NOT_LOADED.
 */
void patient_allergies_read(const cJSON *searchset, const char *id, struct patient_allergies *out);
void patient_allergies_copy(struct patient_allergies *to, const struct patient_allergies *from);
void patient_allergies_clear(struct patient_allergies *a);

/* --- opening a patient ---------------------------------------------------------------- */

/* What opening a patient reads in one round trip. */
struct patient_opened {
	cJSON *patient;	 /* the Patient as read; owned */
	char *version;	 /* its meta.versionId, or NULL */
	struct patient_view view;
	struct patient_allergies allergies;
};

/* The batch that opens patient ID (checked with fhir_valid_id): the Patient and its allergies. */
cJSON *patient_open_batch(const struct fhir_client *fc, const char *id);
/*
 * Read its batch-response into OUT (zeroed first; the Patient is taken from RESPONSE).
 * 0, or -1 with *CAUSE when the Patient is not in the answer or is another patient.
 */
int patient_open_result(cJSON *response, const char *id, struct patient_opened *out, char **cause);
void patient_opened_clear(struct patient_opened *o);

/* True when REFERENCE is "Patient/ID" or an absolute URL ending in "/Patient/ID". */
bool patient_refers_to(const char *reference, const char *id);

/* --- registering and editing ---------------------------------------------------------- */

/* The elements the patient form shows, as read from a Patient; every string owned, "" when none. */
struct patient_form_view {
	char *family, *given, *gender;
	char *identity;	   /* gender identity code (US Core extension) */
	char *birth_date;  /* as written */
	char *mrn, *phone, *email;
	char *line, *city, *state, *postal;
	char *language;	   /* primary subtag of the first communication language, lower case */
	char *contact, *contact_phone;
};
void patient_form_view_read(const cJSON *patient, struct patient_form_view *out);
void patient_form_view_clear(struct patient_form_view *v);

/* What the clerk entered; strings borrowed, NULL for an empty field. */
struct patient_input {
	const char *family, *given, *gender;
	const char *identity_code, *identity_display; /* NULL: no gender identity */
	bool has_birth;
	struct date birth;
	const char *mrn, *phone, *email;
	const char *line, *city, *state, *postal;
	const char *language_code, *language_display; /* NULL: unchanged */
	const char *contact, *contact_phone;
};
/*
 * The Patient to send: BASE (as read; NULL registers) with IN written over it, so
 * elements the form does not show are kept. A registration carries REQUEST_ID
 * (FHIR_REQUEST_SYSTEM) so a retried create finds it. The caller frees it.
 */
cJSON *patient_apply(const cJSON *base, const struct patient_input *in, const char *request_id);

/*
 * The Patient a save's answer (a plan's transaction-response, one step) holds: *PATIENT
 * (a copy; the caller frees it) and *VERSION (its ETag or meta.versionId, owned, or NULL).
 * When ID is not NULL the Patient must be that one. -1, with *PATIENT NULL, when the
 * answer holds no such Patient (a server that answers without the resource): read it.
 */
int patient_saved(const cJSON *response, const char *id, cJSON **patient, char **version);

/* --- the duplicate probe -------------------------------------------------------------- */

/* What a registration is checked against: strings borrowed, NULL when not entered. */
struct patient_probe {
	const char *birth_date; /* ISO */
	const char *family;
	const char *mrn, *phone;
};
/* The batch of searches that finds likely duplicates; the caller frees it. */
cJSON *patient_probe_batch(const struct fhir_client *fc, const struct patient_probe *probe);

enum patient_probe_result {
	PATIENT_PROBE_CLEAR,	  /* every search answered, and found no one */
	PATIENT_PROBE_CANDIDATES, /* *OUT holds the patients found */
	PATIENT_PROBE_FAILED,	  /* a search failed: not knowing is not "no duplicate" */
};
/* Candidates the duplicate probe shows; more are counted. */
#define PATIENT_PROBE_MAX 20
/*
 * Read the probe's batch-response: the distinct patients found, except the one
 * carrying REQUEST_ID (this form's own earlier try). *OUT (the caller frees each
 * with patient_view_clear, then the array) and *N are set for CANDIDATES: the first
 * PATIENT_PROBE_MAX, and *MORE counts the other distinct patients found. Linear (and
 * a sort) in the hits, however many a server sends.
 */
enum patient_probe_result patient_probe_read(const cJSON *response, const char *request_id,
    struct patient_view **out, size_t *n, size_t *more);

/* The first N characters (not bytes) of the UTF-8 string S, into OUT of SIZE bytes. */
void patient_prefix(const char *s, size_t n, char *out, size_t size);

#endif
