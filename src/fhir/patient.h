/* Patients: what a clerk types to find one, and the few fields every screen shows of one. */
#ifndef EHRTERM_FHIR_PATIENT_H
#define EHRTERM_FHIR_PATIENT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "fhir/fhir.h"
#include "util/date.h"

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
	char *mrn;	  /* the identifier typed MR, "" when none */
	char *phone;	  /* the first phone, "" when none */
	bool deceased;	  /* deceasedBoolean true, or a deceasedDateTime */
	char *deceased_date; /* the date part of deceasedDateTime (ISO), "" when none or not a date */
};

/* Read PATIENT into OUT; missing or wrongly typed elements read as empty, never fail. */
void patient_view_read(const cJSON *patient, struct patient_view *out);
void patient_view_clear(struct patient_view *view);
/* Age in whole years on TODAY, or -1 when the birth date is unknown. */
int patient_view_age(const struct patient_view *view, const struct date *today);

#endif
