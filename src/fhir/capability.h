/* What a FHIR server says it can do (its CapabilityStatement), and what each job needs of it. */
#ifndef EHRTERM_FHIR_CAPABILITY_H
#define EHRTERM_FHIR_CAPABILITY_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

enum fhir_interaction {
	FHIR_READ = 1 << 0,
	FHIR_VREAD = 1 << 1,
	FHIR_UPDATE = 1 << 2,
	FHIR_CREATE = 1 << 3,
	FHIR_SEARCH = 1 << 4,
	FHIR_DELETE = 1 << 5,
};

struct fhir_caps;

/*
 * The elements of a CapabilityStatement that fhir_caps_parse reads, for the capability
 * read's _elements: paths below the root, which R4 does not define (it names root
 * elements) but servers may take; about a seventh of the whole statement.
 */
#define FHIR_CAPS_ELEMENTS \
	"fhirVersion,software,rest.mode,rest.interaction,rest.resource.type,rest.resource.interaction," \
	"rest.resource.updateCreate"

/*
 * True when STATEMENT, a CapabilityStatement, says no interaction of any resource: a
 * server that took only the root elements of FHIR_CAPS_ELEMENTS. The whole one is needed.
 */
bool fhir_caps_partial(const cJSON *statement);

/*
 * Read a CapabilityStatement, keeping only what the modules (fhir_modules) ask of it.
 * NULL with *cause set when it is not one.
 */
struct fhir_caps *fhir_caps_parse(const cJSON *statement, char **cause);
void fhir_caps_free(struct fhir_caps **caps);

/* Borrowed strings; "unknown" where the server did not say. */
const char *fhir_caps_software(const struct fhir_caps *caps);
const char *fhir_caps_software_version(const struct fhir_caps *caps);
const char *fhir_caps_fhir_version(const struct fhir_caps *caps);
bool fhir_caps_transactions(const struct fhir_caps *caps);
bool fhir_caps_batches(const struct fhir_caps *caps);
/* The interactions (a FHIR_* mask) the server offers on TYPE; 0 when none. */
unsigned fhir_caps_interactions(const struct fhir_caps *caps, const char *type);
/* The server creates a TYPE that an update names by an id it has not seen (updateCreate). */
bool fhir_caps_update_create(const struct fhir_caps *caps, const char *type);

/*
 * A job of ehrterm's (patients, scheduling, charting, billing) and the server support it
 * needs, in three grades: full (NEEDS and WRITES offered), read-only (NEEDS only: its
 * screens show what the server holds and refuse every change, saying why) and closed
 * (a need missing: its screens do not open).
 */
struct fhir_module {
	const char *name;  /* "patients" */
	const char *title; /* "Patients and demographics" */
	const struct fhir_need {
		const char *type;
		unsigned interactions;
		bool shared; /* also another job's (a patient's insurance): not this one's API */
	} *needs;	    /* to open at all; ends with a NULL type */
	const struct fhir_need *writes; /* to change anything; ends with a NULL type */
	const char *api;    /* "billing": "this server offers no billing API" */
};

extern const struct fhir_module fhir_modules[];
extern const size_t fhir_modules_count;

enum fhir_access {
	FHIR_MODULE_CLOSED,
	FHIR_MODULE_READ_ONLY,
	FHIR_MODULE_FULL,
};

/*
 * NULL when the server can serve MODULE, at least read-only, else a sentence saying
 * what is missing (caller frees): "this server offers no billing API" when it offers
 * nothing of the types only MODULE uses.
 */
char *fhir_module_missing(const struct fhir_caps *caps, const struct fhir_module *module);
/* MODULE's grade on CAPS. */
enum fhir_access fhir_module_access(const struct fhir_caps *caps, const struct fhir_module *module);
/*
 * Why the module named NAME is read-only on CAPS ("the server does not offer Appointment
 * create, ..."), borrowed from CAPS; NULL when it is full, closed, not a module, or CAPS
 * is NULL (not read yet).
 */
const char *fhir_caps_read_only(const struct fhir_caps *caps, const char *name);
/*
 * A login's grant (SMART scopes) beside what the statement offers: GRANT(TYPE, MASK, ARG)
 * is NULL when every interaction in MASK (FHIR_*) on TYPE was granted, else the scope not
 * granted ("user/Slot.u"; the caller frees). From then on a module is graded the lower of
 * the statement's grade and the grant's: closed when its needs are not all granted
 * (fhir_module_missing: "not granted: user/Appointment.rs"), read-only when its writes are
 * not (fhir_caps_read_only: "not granted: user/Appointment.cu, ..."), the statement's reason
 * first where both limit; fhir_caps_offers refuses what was not granted. ARG is kept, and
 * GRANT asked again each time: call again when the grant changes (a refresh), for the
 * modules' reasons. GRANT NULL: no grant, all offered is allowed.
 */
typedef char *(*fhir_grant_fn)(const char *type, unsigned mask, void *arg);
void fhir_caps_set_grant(struct fhir_caps *caps, fhir_grant_fn grant, void *arg);
/*
 * Whether CAPS offers every interaction in MASK on TYPE; when not, *WHY (may be NULL)
 * gets the sentence ("the server does not offer Coverage create, update"; caller frees).
 * True when CAPS is NULL: what is not known yet is not refused. A type the statement does
 * not list is not offered (unless the statement listed more types than are kept).
 */
bool fhir_caps_offers(const struct fhir_caps *caps, const char *type, unsigned mask, char **why);
/*
 * The first entry of BUNDLE (a transaction or batch) whose interaction CAPS does not
 * offer, as a sentence (caller frees): a plan refused before it is sent. NULL when all
 * are offered, or CAPS is NULL.
 */
char *fhir_caps_bundle_refusal(const struct fhir_caps *caps, const cJSON *bundle);
/* The same for one Bundle ENTRY (its request's method and url). */
char *fhir_caps_entry_refusal(const struct fhir_caps *caps, const cJSON *entry);

#endif
