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

/* A job of ehrterm's (patients, scheduling, charting, billing) and the server support it needs. */
struct fhir_module {
	const char *name;  /* "patients" */
	const char *title; /* "Patients and demographics" */
	const struct fhir_need {
		const char *type;
		unsigned interactions;
	} *needs; /* ends with a NULL type */
};

extern const struct fhir_module fhir_modules[];
extern const size_t fhir_modules_count;

/* NULL when the server can serve MODULE, else a sentence saying what is missing (caller frees). */
char *fhir_module_missing(const struct fhir_caps *caps, const struct fhir_module *module);

#endif
