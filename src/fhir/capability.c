/* CapabilityStatement reading, and the table of what each of ehrterm's jobs needs from a server. */
#include "config.h"

#include "fhir/capability.h"
#include "fhir/fhir.h"
#include "util/xmalloc.h"

#include <stdlib.h>
#include <string.h>

/* Entries kept: a type listed twice is merged, but a hostile list is not kept whole. */
#define CAPS_TYPES_MAX 512

struct fhir_caps {
	char *software, *software_version, *fhir_version;
	bool transactions, batches;
	size_t ntypes;
	struct caps_type {
		char *type;
		unsigned interactions;
		bool update_create;
	} *types;
};

// clang-format off
static const struct fhir_need patients_needs[] = {
	{ "Patient", FHIR_READ | FHIR_SEARCH | FHIR_CREATE | FHIR_UPDATE },
	{ "Coverage", FHIR_SEARCH | FHIR_CREATE | FHIR_UPDATE },
	{ NULL, 0 },
};
static const struct fhir_need scheduling_needs[] = {
	{ "Schedule", FHIR_SEARCH },
	{ "Slot", FHIR_SEARCH | FHIR_READ | FHIR_UPDATE },
	{ "Appointment", FHIR_SEARCH | FHIR_READ | FHIR_CREATE | FHIR_UPDATE },
	{ "Encounter", FHIR_CREATE | FHIR_UPDATE },
	{ NULL, 0 },
};
static const struct fhir_need charting_needs[] = {
	{ "Condition", FHIR_SEARCH | FHIR_CREATE },
	{ "Observation", FHIR_SEARCH | FHIR_CREATE },
	{ "AllergyIntolerance", FHIR_SEARCH | FHIR_CREATE },
	{ "MedicationRequest", FHIR_SEARCH | FHIR_CREATE },
	{ "DocumentReference", FHIR_SEARCH | FHIR_CREATE | FHIR_UPDATE },
	{ NULL, 0 },
};
static const struct fhir_need billing_needs[] = {
	{ "ChargeItem", FHIR_SEARCH | FHIR_CREATE },
	{ "Claim", FHIR_SEARCH | FHIR_CREATE },
	{ "Account", FHIR_SEARCH },
	{ "Coverage", FHIR_SEARCH },
	{ NULL, 0 },
};

const struct fhir_module fhir_modules[] = {
	{ "patients",   "Patients and demographics", patients_needs },
	{ "scheduling", "Scheduling",                scheduling_needs },
	{ "charting",   "Charting",                  charting_needs },
	{ "billing",    "Billing",                   billing_needs },
};
const size_t fhir_modules_count = sizeof fhir_modules / sizeof fhir_modules[0];

static const struct {
	const char *code;
	unsigned bit;
} interaction_codes[] = {
	{ "read", FHIR_READ }, { "vread", FHIR_VREAD }, { "update", FHIR_UPDATE },
	{ "create", FHIR_CREATE }, { "search-type", FHIR_SEARCH }, { "delete", FHIR_DELETE },
};
// clang-format on

static char *
dup_string(const cJSON *obj, const char *name)
{
	const char *s = fhir_get_string(obj, name);

	return xstrdup(s != NULL ? s : "unknown");
}

/* True when a module needs TYPE: only those types are kept. */
static bool
module_type(const char *type)
{
	for (size_t m = 0; m < fhir_modules_count; m++)
		for (const struct fhir_need *n = fhir_modules[m].needs; n->type != NULL; n++)
			if (strcmp(n->type, type) == 0)
				return true;
	return false;
}

bool
fhir_caps_partial(const cJSON *cs)
{
	const cJSON *r, *res;
	const char *rt = fhir_get_string(cs, "resourceType");

	if (rt == NULL || strcmp(rt, "CapabilityStatement") != 0)
		return false; /* not one at all: fhir_caps_parse says so */
	cJSON_ArrayForEach(r, fhir_get_array(cs, "rest"))
		cJSON_ArrayForEach(res, fhir_get_array(r, "resource"))
			if (cJSON_GetArraySize(fhir_get_array(res, "interaction")) > 0)
				return false;
	return true;
}

struct fhir_caps *
fhir_caps_parse(const cJSON *cs, char **cause)
{
	const char *rt = fhir_get_string(cs, "resourceType");
	const cJSON *rest, *r, *software = fhir_get_object(cs, "software");
	struct fhir_caps *caps;

	if (rt == NULL || strcmp(rt, "CapabilityStatement") != 0) {
		*cause = xstrdup("the server's /metadata is not a CapabilityStatement");
		return NULL;
	}
	caps = xcalloc(1, sizeof *caps);
	caps->software = dup_string(software, "name");
	caps->software_version = dup_string(software, "version");
	caps->fhir_version = dup_string(cs, "fhirVersion");
	rest = fhir_get_array(cs, "rest");
	cJSON_ArrayForEach(r, rest)
	{
		const char *mode = fhir_get_string(r, "mode");
		const cJSON *res, *it;

		if (mode == NULL || strcmp(mode, "server") != 0)
			continue;
		cJSON_ArrayForEach(it, fhir_get_array(r, "interaction"))
		{
			const char *code = fhir_get_string(it, "code");

			if (code != NULL && strcmp(code, "transaction") == 0)
				caps->transactions = true;
			if (code != NULL && strcmp(code, "batch") == 0)
				caps->batches = true;
		}
		cJSON_ArrayForEach(res, fhir_get_array(r, "resource"))
		{
			const char *type = fhir_get_string(res, "type");
			unsigned mask = 0;

			if (!fhir_valid_type(type) || !module_type(type) || caps->ntypes >= CAPS_TYPES_MAX)
				continue;
			cJSON_ArrayForEach(it, fhir_get_array(res, "interaction"))
			{
				const char *code = fhir_get_string(it, "code");

				for (size_t i = 0; code != NULL && i < sizeof interaction_codes /
						   sizeof interaction_codes[0]; i++)
					if (strcmp(code, interaction_codes[i].code) == 0)
						mask |= interaction_codes[i].bit;
			}
			caps->types = xreallocarray(caps->types, caps->ntypes + 1, sizeof *caps->types);
			caps->types[caps->ntypes].type = xstrdup(type);
			caps->types[caps->ntypes].interactions = mask;
			caps->types[caps->ntypes].update_create =
			    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "updateCreate"));
			caps->ntypes++;
		}
	}
	return caps;
}

void
fhir_caps_free(struct fhir_caps **cp)
{
	struct fhir_caps *caps = *cp;

	if (caps == NULL)
		return;
	for (size_t i = 0; i < caps->ntypes; i++)
		free(caps->types[i].type);
	free(caps->types);
	free(caps->software);
	free(caps->software_version);
	free(caps->fhir_version);
	free(caps);
	*cp = NULL;
}

const char *
fhir_caps_software(const struct fhir_caps *caps)
{
	return caps->software;
}

const char *
fhir_caps_software_version(const struct fhir_caps *caps)
{
	return caps->software_version;
}

const char *
fhir_caps_fhir_version(const struct fhir_caps *caps)
{
	return caps->fhir_version;
}

bool
fhir_caps_transactions(const struct fhir_caps *caps)
{
	return caps->transactions;
}

bool
fhir_caps_batches(const struct fhir_caps *caps)
{
	return caps->batches;
}

unsigned
fhir_caps_interactions(const struct fhir_caps *caps, const char *type)
{
	unsigned mask = 0;

	/* A type listed twice is merged rather than the second hiding the first. */
	for (size_t i = 0; i < caps->ntypes; i++)
		if (strcmp(caps->types[i].type, type) == 0)
			mask |= caps->types[i].interactions;
	return mask;
}

bool
fhir_caps_update_create(const struct fhir_caps *caps, const char *type)
{
	for (size_t i = 0; i < caps->ntypes; i++)
		if (strcmp(caps->types[i].type, type) == 0 && caps->types[i].update_create)
			return true;
	return false;
}

static const char *
interaction_word(unsigned bit)
{
	for (size_t i = 0; i < sizeof interaction_codes / sizeof interaction_codes[0]; i++)
		if (interaction_codes[i].bit == bit)
			return bit == FHIR_SEARCH ? "search" : interaction_codes[i].code;
	return "?";
}

char *
fhir_module_missing(const struct fhir_caps *caps, const struct fhir_module *module)
{
	char *out = NULL;

	for (const struct fhir_need *n = module->needs; n->type != NULL; n++) {
		unsigned have = fhir_caps_interactions(caps, n->type), lack = n->interactions & ~have;

		for (unsigned bit = 1; lack != 0 && bit <= FHIR_DELETE; bit <<= 1) {
			char *next;

			if (!(lack & bit))
				continue;
			next = xasprintf("%s%s%s %s", out ? out : "", out ? ", " : "", n->type,
			    interaction_word(bit));
			free(out);
			out = next;
		}
	}
	if (out != NULL) {
		char *sentence = xasprintf("the server does not offer %s", out);

		free(out);
		return sentence;
	}
	return NULL;
}
