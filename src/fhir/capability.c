/* CapabilityStatement reading, and the table of what each of ehrterm's jobs needs from a server. */
#include "config.h"

#include "fhir/capability.h"
#include "fhir/fhir.h"
#include "util/xmalloc.h"

#include <stdlib.h>
#include <string.h>

/* Entries kept: a type listed twice is merged, but a hostile list is not kept whole. */
#define CAPS_TYPES_MAX 512
/* Types no module needs, kept to judge a screen's other reads and a plan's other steps. */
#define CAPS_OTHERS_MAX 256

struct fhir_caps {
	char *software, *software_version, *fhir_version;
	bool transactions, batches;
	char **read_only; /* per fhir_modules entry: why it is read-only, or NULL */
	/* A login's grant beside the statement (fhir_caps_set_grant), or NULL: all allowed. */
	fhir_grant_fn grant;
	void *grant_arg;
	char **grant_read_only; /* per fhir_modules entry: why the grant leaves it read-only */
	size_t ntypes, nothers;
	bool others_cut; /* more types than CAPS_OTHERS_MAX that no module needs: those not judged */
	struct caps_type {
		char *type;
		unsigned interactions;
		bool update_create;
	} *types;
};

// clang-format off
static const struct fhir_need patients_needs[] = {
	{ "Patient", FHIR_READ | FHIR_SEARCH, false },
	{ NULL, 0, false },
};
/* A patient's insurance (Coverage) is the insurance screen's, refused there alone. */
static const struct fhir_need patients_writes[] = {
	{ "Patient", FHIR_CREATE | FHIR_UPDATE, false },
	{ NULL, 0, false },
};
static const struct fhir_need scheduling_needs[] = {
	{ "Appointment", FHIR_SEARCH | FHIR_READ, false },
	{ NULL, 0, false },
};
/* Booking takes a free Slot of a Schedule; the visit's steps create Encounters. */
static const struct fhir_need scheduling_writes[] = {
	{ "Schedule", FHIR_SEARCH, false },
	{ "Slot", FHIR_SEARCH | FHIR_READ | FHIR_UPDATE, false },
	{ "Appointment", FHIR_CREATE | FHIR_UPDATE, false },
	{ "Encounter", FHIR_CREATE | FHIR_UPDATE, false },
	{ NULL, 0, false },
};
static const struct fhir_need charting_needs[] = {
	{ "Condition", FHIR_SEARCH, false },
	{ "Observation", FHIR_SEARCH, false },
	{ "AllergyIntolerance", FHIR_SEARCH, false },
	{ "MedicationRequest", FHIR_SEARCH, false },
	{ "DocumentReference", FHIR_SEARCH, false },
	{ NULL, 0, false },
};
static const struct fhir_need charting_writes[] = {
	{ "Condition", FHIR_CREATE, false },
	{ "Observation", FHIR_CREATE, false },
	{ "AllergyIntolerance", FHIR_CREATE, false },
	{ "MedicationRequest", FHIR_CREATE, false },
	{ "DocumentReference", FHIR_CREATE | FHIR_UPDATE, false },
	{ NULL, 0, false },
};
static const struct fhir_need billing_needs[] = {
	{ "ChargeItem", FHIR_SEARCH | FHIR_CREATE, false },
	{ "Claim", FHIR_SEARCH | FHIR_CREATE, false },
	{ "Account", FHIR_SEARCH, false },
	{ "Coverage", FHIR_SEARCH, true }, /* the patients' insurance screen reads it too */
	{ NULL, 0, false },
};
static const struct fhir_need no_writes[] = {
	{ NULL, 0, false },
};

const struct fhir_module fhir_modules[] = {
	{ "patients",   "Patients and demographics", patients_needs,   patients_writes,   NULL },
	{ "scheduling", "Scheduling",                scheduling_needs, scheduling_writes, NULL },
	{ "charting",   "Charting",                  charting_needs,   charting_writes,   NULL },
	{ "billing",    "Billing",                   billing_needs,    no_writes,         "billing" },
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
	for (size_t m = 0; m < fhir_modules_count; m++) {
		for (const struct fhir_need *n = fhir_modules[m].needs; n->type != NULL; n++)
			if (strcmp(n->type, type) == 0)
				return true;
		for (const struct fhir_need *n = fhir_modules[m].writes; n->type != NULL; n++)
			if (strcmp(n->type, type) == 0)
				return true;
	}
	return false;
}

static char *lacking(const struct fhir_caps *caps, const struct fhir_need *needs);

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

			if (!fhir_valid_type(type) || caps->ntypes >= CAPS_TYPES_MAX)
				continue;
			/* A hostile list of others cannot push out what the modules need. */
			if (!module_type(type) && caps->nothers++ >= CAPS_OTHERS_MAX) {
				caps->others_cut = true;
				continue;
			}
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
	caps->read_only = xcalloc(fhir_modules_count, sizeof *caps->read_only);
	for (size_t m = 0; m < fhir_modules_count; m++)
		if (fhir_module_access(caps, &fhir_modules[m]) == FHIR_MODULE_READ_ONLY)
			caps->read_only[m] = lacking(caps, fhir_modules[m].writes);
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
	for (size_t m = 0; caps->read_only != NULL && m < fhir_modules_count; m++)
		free(caps->read_only[m]);
	free(caps->read_only);
	for (size_t m = 0; caps->grant_read_only != NULL && m < fhir_modules_count; m++)
		free(caps->grant_read_only[m]);
	free(caps->grant_read_only);
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

/* "the server does not offer A create, B search" for what NEEDS asks and CAPS lacks, or NULL. */
static char *
lacking(const struct fhir_caps *caps, const struct fhir_need *needs)
{
	char *out = NULL;

	/* The order a clerk reads them in: find, open, add, change. */
	static const unsigned order[] = { FHIR_SEARCH, FHIR_READ, FHIR_VREAD, FHIR_CREATE,
		FHIR_UPDATE, FHIR_DELETE };

	for (const struct fhir_need *n = needs; n->type != NULL; n++) {
		unsigned have = fhir_caps_interactions(caps, n->type), lack = n->interactions & ~have;
		bool named = false;

		for (size_t k = 0; lack != 0 && k < sizeof order / sizeof order[0]; k++) {
			char *next;

			if (!(lack & order[k]))
				continue;
			/* "Slot search, read, update": the type named once. */
			next = xasprintf("%s%s%s%s%s", out ? out : "", out ? ", " : "",
			    named ? "" : n->type, named ? "" : " ", interaction_word(order[k]));
			named = true;
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

/*
 * "not granted: user/Appointment.cu, user/Encounter.cu" for what NEEDS asks, CAPS offers
 * and the login's grant leaves out, or NULL (all granted, or no grant set). What the
 * statement does not offer is lacking's to say: the grant is not named for it.
 */
static char *
not_granted(const struct fhir_caps *caps, const struct fhir_need *needs)
{
	char *out = NULL;

	if (caps->grant == NULL)
		return NULL;
	for (const struct fhir_need *n = needs; n->type != NULL; n++) {
		unsigned ask = n->interactions & fhir_caps_interactions(caps, n->type);
		char *text = ask != 0 ? caps->grant(n->type, ask, caps->grant_arg) : NULL;
		char *next;

		if (text == NULL)
			continue;
		next = xasprintf("%s%s%s", out != NULL ? out : "not granted: ", out != NULL ? ", " : "",
		    text);
		free(text);
		free(out);
		out = next;
	}
	return out;
}

/* True when CAPS offers something of a type that is MODULE's own (or MODULE has no such type). */
static bool
offers_own(const struct fhir_caps *caps, const struct fhir_module *module)
{
	bool any_own = false;

	for (int pass = 0; pass < 2; pass++)
		for (const struct fhir_need *n = pass ? module->writes : module->needs; n->type != NULL;
		     n++) {
			if (n->shared)
				continue;
			any_own = true;
			if (fhir_caps_interactions(caps, n->type) != 0)
				return true;
		}
	return !any_own;
}

char *
fhir_module_missing(const struct fhir_caps *caps, const struct fhir_module *module)
{
	char *why = lacking(caps, module->needs);

	if (why != NULL && module->api != NULL && !offers_own(caps, module)) {
		free(why);
		return xasprintf("this server offers no %s API", module->api);
	}
	/* Offered, but the login's grant leaves some of its reads out: closed, saying which. */
	return why != NULL ? why : not_granted(caps, module->needs);
}

enum fhir_access
fhir_module_access(const struct fhir_caps *caps, const struct fhir_module *module)
{
	/* The lower of the statement's grade and the grant's. */
	char *why = lacking(caps, module->needs);

	if (why != NULL || (why = not_granted(caps, module->needs)) != NULL) {
		free(why);
		return FHIR_MODULE_CLOSED;
	}
	if ((why = lacking(caps, module->writes)) == NULL &&
	    (why = not_granted(caps, module->writes)) == NULL)
		return FHIR_MODULE_FULL;
	free(why);
	return FHIR_MODULE_READ_ONLY;
}

void
fhir_caps_set_grant(struct fhir_caps *caps, fhir_grant_fn grant, void *arg)
{
	if (caps == NULL)
		return;
	caps->grant = grant;
	caps->grant_arg = arg;
	if (caps->grant_read_only == NULL)
		caps->grant_read_only = xcalloc(fhir_modules_count, sizeof *caps->grant_read_only);
	for (size_t m = 0; m < fhir_modules_count; m++) {
		free(caps->grant_read_only[m]);
		caps->grant_read_only[m] = NULL;
		/* The statement's reason first: the grant is named only where it alone limits. */
		if (caps->read_only[m] == NULL &&
		    fhir_module_access(caps, &fhir_modules[m]) == FHIR_MODULE_READ_ONLY)
			caps->grant_read_only[m] = not_granted(caps, fhir_modules[m].writes);
	}
}

const char *
fhir_caps_read_only(const struct fhir_caps *caps, const char *name)
{
	if (caps == NULL || caps->read_only == NULL || name == NULL)
		return NULL;
	for (size_t m = 0; m < fhir_modules_count; m++)
		if (strcmp(fhir_modules[m].name, name) == 0)
			return caps->read_only[m] != NULL || caps->grant_read_only == NULL
			    ? caps->read_only[m]
			    : caps->grant_read_only[m];
	return NULL;
}

bool
fhir_caps_offers(const struct fhir_caps *caps, const char *type, unsigned mask, char **why)
{
	const struct fhir_need need[] = { { type, mask, false }, { NULL, 0, false } };
	char *sentence;

	/* Past the others kept, a type no module needs is not judged. */
	if (caps == NULL || type == NULL ||
	    (caps->others_cut && !module_type(type) && fhir_caps_interactions(caps, type) == 0))
		return true;
	sentence = lacking(caps, need);
	if (sentence == NULL)
		sentence = not_granted(caps, need);
	if (sentence == NULL)
		return true;
	if (why != NULL)
		*why = sentence;
	else
		free(sentence);
	return false;
}

char *
fhir_caps_entry_refusal(const struct fhir_caps *caps, const cJSON *entry)
{
	const cJSON *req = fhir_get_object(entry, "request");
	const char *method = fhir_get_string(req, "method"), *url = fhir_get_string(req, "url");
	char type[65], *why = NULL;
	size_t n;
	unsigned bit;

	if (caps == NULL || method == NULL || url == NULL)
		return NULL;
	n = strcspn(url, "/?");
	if (n == 0 || n >= sizeof type)
		return NULL;
	memcpy(type, url, n);
	type[n] = '\0';
	if (!fhir_valid_type(type))
		return NULL;
	if (strcmp(method, "POST") == 0)
		bit = FHIR_CREATE;
	else if (strcmp(method, "PUT") == 0)
		bit = FHIR_UPDATE;
	else if (strcmp(method, "DELETE") == 0)
		bit = FHIR_DELETE;
	else if (strcmp(method, "GET") == 0)
		bit = url[n] == '/' ? FHIR_READ : FHIR_SEARCH;
	else
		return NULL;
	if (!fhir_caps_offers(caps, type, bit, &why))
		return why;
	return NULL;
}

char *
fhir_caps_bundle_refusal(const struct fhir_caps *caps, const cJSON *bundle)
{
	const cJSON *e;

	if (caps == NULL)
		return NULL;
	cJSON_ArrayForEach(e, fhir_get_array(bundle, "entry"))
	{
		char *why = fhir_caps_entry_refusal(caps, e);

		if (why != NULL)
			return why;
	}
	return NULL;
}
