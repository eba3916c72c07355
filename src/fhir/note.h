/*
 * Charting, notes: US Core clinical notes. A note is a DocumentReference (category
 * clinical-note, a LOINC type) whose text is a Binary it refers to, so that a list of
 * notes carries no text. A draft is docStatus preliminary and tagged, so that drafts can
 * be searched for (R4 has no docStatus search). Signing makes it final, with its
 * authenticator, in one transaction with a Provenance holding the signer's detached JWS
 * over the text (src/sign/jws.h); a signed note's text never changes again: an
 * addendum is a new note that appends to it, a correction a new note that replaces it
 * (the old one superseded), and a mistake is marked entered in error, never deleted.
 * The chart's notes pane (src/fhir/chart.c) lists them and shows their text.
 */
#ifndef EHRTERM_FHIR_NOTE_H
#define EHRTERM_FHIR_NOTE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "fhir/fhir.h"
#include "fhir/plan.h"
#include "sign/jws.h"

#define NOTE_CATEGORY_SYSTEM "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category"
#define NOTE_LOINC "http://loinc.org"
/* meta.tag NOTE_DRAFT_TAG|draft: on a draft, taken off when it is signed or entered in error. */
#define NOTE_DRAFT_TAG "urn:ehrterm:note-status"
#define NOTE_CONTENT_TYPE "text/plain; charset=utf-8"
/* The signature's type: ASTM E1762 "Author's Signature", as FHIR's Signature.type names it. */
#define NOTE_SIG_TYPE_SYSTEM "urn:iso-astm:E1762-95:2013"
#define NOTE_SIG_AUTHOR "1.2.840.10065.1.12.1.1"
#define NOTE_SIG_FORMAT "application/jose"

/* The longest text a note holds, written or read: what a signature covers (JWS_BODY_MAX). */
#define NOTE_BODY_MAX JWS_BODY_MAX
/* Notes a list keeps, and links (relatesTo) a note's view keeps, whatever the server sends. */
#define NOTE_LIST_MAX 50
#define NOTE_LINKS_MAX 8
/* Provenances of one note looked at for its signature, and signatures checked at most. */
#define NOTE_PROVENANCE_MAX 20
#define NOTE_SIGNATURES_TRIED 4

/* The kinds of note ehrterm writes: US Core's clinical note types, by LOINC code. */
struct note_type {
	const char *code, *display;
};
extern const struct note_type note_types[];
extern const size_t note_types_count;
/* The type of CODE, or NULL when ehrterm does not write notes of it. */
const struct note_type *note_type_find(const char *code);

enum note_status {
	NOTE_CURRENT,
	NOTE_SUPERSEDED,	/* a correction replaced it */
	NOTE_ENTERED_IN_ERROR,
	NOTE_STATUS_UNKNOWN,	/* absent or not a DocumentReference status */
};

enum note_doc_status {
	NOTE_DOC_NONE,		/* absent */
	NOTE_DOC_PRELIMINARY,	/* a draft */
	NOTE_DOC_FINAL,		/* signed */
	NOTE_DOC_AMENDED,
	NOTE_DOC_ENTERED_IN_ERROR,
	NOTE_DOC_OTHER,
};

enum note_relation {
	NOTE_APPENDS,  /* an addendum to the target */
	NOTE_REPLACES, /* a correction of it */
	NOTE_TRANSFORMS,
	NOTE_SIGNS,
};

struct note_link {
	enum note_relation code;
	char *target; /* the id of the DocumentReference it relates to */
};

/*
 * A note as read. Every string is owned and never NULL ("" when absent) but binary and
 * version; references are normalised to "Type/ID" with a valid id, and what is not one
 * of the expected type reads as "". Names are never taken from a reference's display:
 * a screen reads the Practitioner. Raw server text, for the screen to sanitise.
 */
struct note_view {
	cJSON *resource;	   /* owned copy: what an update writes back, changed */
	char *id;
	char *version;		   /* meta.versionId, the If-Match of a change; NULL when none */
	enum note_status status;
	enum note_doc_status doc_status;
	bool draft;		   /* preliminary and current: it may still be edited and signed */
	char *type_code;	   /* the LOINC code of its type, else its first code */
	char *type_text;	   /* the type in words (text, display or code) */
	char *date;		   /* as the resource has it */
	char *patient;		   /* the id of the Patient it is about */
	char *author;		   /* "Practitioner/ID" of the first author */
	char *authenticator;	   /* "Practitioner/ID" of who signed it */
	char *encounter;	   /* "Encounter/ID" of the visit */
	char *binary;		   /* "Binary/ID" of its text on this server (chart_note_binary), or NULL */
	struct note_link links[NOTE_LINKS_MAX];
	size_t nlinks;
	size_t more_links;	   /* relatesTo entries past NOTE_LINKS_MAX, not kept */
};

/*
 * Read the DocumentReference DOC into OUT (zeroed first); BASE is the server's base URL,
 * for the Binary's reference (NULL: relative references only). 0, or -1 with *CAUSE when
 * DOC is not a DocumentReference with a valid id. Linear in DOC.
 */
int note_view_read(const cJSON *doc, const char *base, struct note_view *out, char **cause);
void note_view_clear(struct note_view *v);
/*
 * What draft NOTE is, in words for a line about it: "a draft addendum" when it appends to
 * another note, "a draft correction" when it replaces one, else "a draft". Static.
 */
const char *note_draft_words(const struct note_view *note);
/* What a note's signature names it by: "DocumentReference/ID" (the caller frees it). */
char *note_sign_target(const struct note_view *note);

/* A page of notes: drafts of a patient, say. */
struct note_list {
	struct note_view *items;
	size_t n;
	size_t more; /* past NOTE_LIST_MAX, not kept */
};
/* The search for PATIENT's drafts: by the draft tag, current ones, newest first. */
struct fhir_search *note_drafts_search(const char *patient);
/*
 * Read that search's answer into OUT (zeroed first): the DocumentReferences that are
 * drafts (a server that ignores _tag sends others: they are left out). -1 and *CAUSE
 * when one names another patient than PATIENT: nothing of it is kept.
 */
int note_list_read(const cJSON *searchset, const char *patient, const char *base,
    struct note_list *out, char **cause);
void note_list_clear(struct note_list *l);

/* A note's text, as its Binary holds it. */
struct note_body {
	cJSON *resource;     /* owned copy of the Binary: what an update starts from */
	char *ref;	     /* "Binary/ID" */
	char *version;	     /* meta.versionId, or NULL */
	char *content_type;  /* "" when absent */
	unsigned char *bytes; /* exactly as stored, NUL after them (not counted) */
	size_t len;
};
/*
 * Read BINARY, the answer to the read of REF ("Binary/ID", from note_view), into OUT
 * (zeroed first): its data decoded, at most NOTE_BODY_MAX bytes. -1 and *CAUSE when it is
 * not the Binary REF names, its data is not base64, or it is longer.
 */
int note_body_read(const cJSON *binary, const char *ref, struct note_body *out, char **cause);
/*
 * The text the DocumentReference DOC holds inline (its text/plain attachment's data, as
 * notes written elsewhere often carry it, with no Binary) into OUT (zeroed first): no
 * resource, ref or version, so it is shown and checked, never written back. 0, or -1 and
 * *CAUSE, a sentence that says what to do, when DOC holds no inline text (none at all, a
 * document that is not text, a text on another server) or its data is not base64 or
 * longer than NOTE_BODY_MAX.
 */
int note_body_inline(const cJSON *doc, struct note_body *out, char **cause);
void note_body_clear(struct note_body *b);

/* A new note as written; strings borrowed. */
struct note_input {
	const char *patient;	 /* the Patient's id */
	const char *author;	 /* the Practitioner id of the clinician writing it */
	const char *type_code;	 /* a LOINC code of note_types */
	const char *date;	 /* a FHIR instant: when it was written */
	const char *encounter;	 /* the Encounter's id, or NULL */
	const char *title;	 /* the attachment's title, or NULL: the type's name */
	const char *text;	 /* the text: UTF-8 without NUL, at most NOTE_BODY_MAX bytes */
	size_t len;
	const char *request_id;	 /* a UUID: a retried save finds the first one */
};

/*
 * A new draft, in one transaction: the Binary of its text (contentType NOTE_CONTENT_TYPE,
 * securityContext the patient, guarded by _tag=FHIR_REQUEST_SYSTEM|REQUEST_ID, as R4's
 * Binary has no identifier) and the DocumentReference (status current, docStatus
 * preliminary, the draft tag, type, category clinical-note, subject, author, date,
 * context.encounter, the attachment's url the Binary's urn:uuid, size, SHA-1 hash and
 * title, guarded by its request identifier). NULL and *CAUSE when IN lacks something.
 */
struct fhir_plan *note_draft_plan(const struct note_input *in, char **cause);
/*
 * New text TEXT (LEN bytes) for the draft NOTE whose text BODY was read: the Binary and
 * the DocumentReference (its attachment's size and hash) each updated If-Match the
 * version read. Refused for a note that is not a draft, or a BODY not NOTE's.
 */
struct fhir_plan *note_draft_update_plan(const struct note_view *note,
    const struct note_body *body, const char *text, size_t len, char **cause);

/* What signing takes; strings borrowed. */
struct note_signing {
	const char *signer;	/* the Practitioner id of who signs: the note's author */
	const char *when;	/* a FHIR instant */
	/* jws_sign over BODY's bytes, naming note_sign_target; the session's key makes it. */
	const char *jws;
	const char *request_id; /* guards the Provenance's create */
};
/*
 * Sign the draft NOTE whose text is BODY, in one transaction: the DocumentReference
 * final, the draft tag off, authenticator the signer, its attachment's hash the bytes
 * signed, If-Match the version read; the Binary written back as read, If-Match its
 * version, so that text changed since it was read fails the signing rather than being
 * signed unseen; and a Provenance (target the note, recorded, agents author and
 * attester, the signature: type NOTE_SIG_AUTHOR, when, who, sigFormat NOTE_SIG_FORMAT,
 * data the JWS in base64), guarded by _tag=FHIR_REQUEST_SYSTEM|REQUEST_ID. Refused (NULL,
 * *CAUSE) for a note that is not a draft, a signer who is not its author, or a JWS that
 * does not verify over BODY for this note.
 */
struct fhir_plan *note_sign_plan(const struct note_view *note, const struct note_body *body,
    const struct note_signing *s, char **cause);

/*
 * An addendum to the signed note TARGET: a new draft as note_draft_plan makes, with
 * relatesTo appends TARGET. Refused unless TARGET is signed and current and IN is about
 * the same patient.
 */
struct fhir_plan *note_addendum_plan(const struct note_view *target,
    const struct note_input *in, char **cause);
/*
 * A correction of the signed note TARGET, in one transaction: a new draft with relatesTo
 * replaces TARGET, and TARGET's status superseded, If-Match its version. Refused as an
 * addendum is.
 */
struct fhir_plan *note_correction_plan(const struct note_view *target,
    const struct note_input *in, char **cause);
/* NOTE marked entered in error (its status; the draft tag off), If-Match its version. */
struct fhir_plan *note_entered_in_error_plan(const struct note_view *note, char **cause);

/* The search for the Provenances of note ID: where its signature is. */
struct fhir_search *note_provenance_search(const char *id);
/* Whether PROVENANCE names note ID among its first targets. */
bool note_provenance_targets(const cJSON *provenance, const char *id);

enum note_signed {
	NOTE_NOT_SIGNED,	 /* no signature of this note was found */
	NOTE_SIGNATURE_VERIFIED, /* the signer's key signed exactly this text of this note */
	NOTE_SIGNATURE_BAD,	 /* a signature was found and does not verify */
};

struct note_check {
	enum note_signed state;
	/* The signer as their certificate names them when verified, else "": untrusted text. */
	char signer[JWS_CN_MAX + 1];
	/*
	 * The line to show (owned): "signed by NAME (verified)", "signature does not
	 * verify" or "not signed". NAME is the certificate's: sanitise the line to show it.
	 */
	char *line;
	const char *why; /* why it does not verify (static), else NULL */
};
/*
 * Check NOTE's signature: PROVENANCES is a Provenance or a searchset of them (the answer
 * to note_provenance_search), BODY the text read from NOTE's Binary, or the text it holds
 * inline when it names no Binary (note_body_inline) (NULL: not read),
 * TRUST the authorities a signer's certificate must chain to (NULL: any certificate).
 * A signature counts when a Provenance targets NOTE, carries an author's signature in
 * NOTE_SIG_FORMAT by the note's authenticator (when it has one), and its JWS verifies
 * over BODY's bytes naming this note. At most NOTE_PROVENANCE_MAX Provenances are looked
 * at and NOTE_SIGNATURES_TRIED signatures checked. OUT is always filled.
 */
void note_verify(const struct note_view *note, const struct note_body *body,
    const cJSON *provenances, const struct jws_trust *trust, struct note_check *out);
void note_check_clear(struct note_check *c);

/* --- what the note screen reads in one round trip ------------------------------------ */

/* The identifier system of a Practitioner naming the client certificate's CN. */
#define NOTE_CERT_CN "urn:ehrterm:cert-cn"

/* What writing, signing or changing a note needs to know first; strings owned. */
struct note_context {
	char *author;	 /* the Practitioner id of who is logged in, or NULL: not known */
	char *visit;	 /* the patient's open visit (an Encounter id), or NULL */
	bool has_note;	 /* NOTE was asked for and read */
	struct note_view note;
	cJSON *provenances; /* a copy of the Provenance searchset of NOTE, or NULL */
};
/*
 * The batch for PATIENT: the Practitioner whose identifier is NOTE_CERT_CN|USER, the
 * patient's open visit and, when NOTE_ID is not NULL, that DocumentReference and its
 * Provenances (note_provenance_search). NULL when an id is not valid. The caller frees it.
 */
cJSON *note_context_batch(const struct fhir_client *fc, const char *patient, const char *user,
    const char *note_id);
/*
 * Read that batch's answer into OUT (zeroed first). -1 and *CAUSE when the note asked
 * for is not read, is not NOTE_ID or is another patient's than PATIENT; who is logged in
 * and the visit are NULL when they cannot be known (two Practitioners claiming USER name
 * neither). BASE is for note_view_read.
 */
int note_context_read(const cJSON *response, const char *patient, const char *user,
    const char *note_id, const char *base, struct note_context *out, char **cause);
void note_context_clear(struct note_context *c);

/* --- for the visit wrap-up (src/fhir/wrapup.c) --------------------------------------- */

/*
 * The steps note_sign_plan makes (the note final, its Binary as read, the Provenance),
 * added to P after what it holds, so that signing goes in one transaction with other
 * writes. 0, or -1 and *CAUSE, refused as note_sign_plan refuses and when P has no room
 * for three more steps; on -1 P may hold some of them: the caller drops it.
 */
int note_sign_steps(struct fhir_plan *p, const struct note_view *note, const struct note_body *body,
    const struct note_signing *s, char **cause);
/*
 * The id of the one Practitioner of SET (a searchset of Practitioners) whose identifier
 * NOTE_CERT_CN is USER, as note_context_read finds who is logged in; NULL when none, or
 * when two claim it. The caller frees it.
 */
char *note_practitioner_of(const cJSON *set, const char *user);

/* --- what a write left on the server, from its answer -------------------------------- */

/*
 * What a note's write left on the server, read from RESPONSE, the transaction-response
 * of a plan of this file (fhir_plan_run answers one way whether it ran as a transaction
 * or in steps): one entry per step, each with the resource as the server now holds it.
 * The note is NOTE_ID's DocumentReference or, NOTE_ID NULL, the new one carrying
 * REQUEST_ID (note_draft_plan, note_addendum_plan, note_correction_plan); it must be
 * PATIENT's and carry its version. It becomes CTX's note (has_note set; author and visit
 * kept); a Provenance the write made (signing) is put first among CTX's provenances, and
 * a new note has none. When the write wrote the note's Binary, its text replaces BODY
 * (*HAS_BODY set); otherwise BODY stays, and must be the text of the note. 0; -1 and
 * *CAUSE, CTX and BODY untouched, when the answer does not hold every step's resource (a
 * server that returns no body) or does not fit (another patient's, another note, no
 * version, a Binary the note does not name, a Provenance of another note): the caller
 * then reads the note again. BASE is for note_view_read. Linear in RESPONSE, at most
 * FHIR_PLAN_MAX entries looked at.
 */
int note_saved_read(const cJSON *response, const char *patient, const char *note_id,
    const char *request_id, const char *base, struct note_context *ctx,
    struct note_body *body, bool *has_body, char **cause);
/*
 * The id of the note a new-note plan made (note_draft_plan, note_addendum_plan,
 * note_correction_plan), from its transaction-response RESPONSE's locations alone, for an
 * answer without the resources: the last step's, the new DocumentReference in each of
 * those plans. NULL when that location does not name a DocumentReference. The caller
 * frees it.
 */
char *note_saved_id(const cJSON *response);

#endif
