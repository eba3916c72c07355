/* Patients: the search field's little language, and a small typed view of a Patient. */
#include "config.h"

#include "fhir/patient.h"
#include "util/xmalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest input the search field reads; a name or identifier is never longer. */
#define QUERY_INPUT_MAX 128

static void
copy_word(char *dst, const char *src, size_t len)
{
	if (len >= PATIENT_QUERY_TEXT)
		len = PATIENT_QUERY_TEXT - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* Digits of S in order, at most MAX; *OTHER counts characters that are not phone punctuation. */
static size_t
digits_of(const char *s, char *out, size_t max, size_t *other)
{
	size_t n = 0;

	*other = 0;
	for (; *s != '\0'; s++) {
		if (isdigit((unsigned char)*s)) {
			if (n + 1 < max)
				out[n++] = *s;
		} else if (strchr(" ()-.+", *s) == NULL) {
			(*other)++;
		}
	}
	out[n] = '\0';
	return n;
}

static bool
looks_like_date(const char *s)
{
	/* Digits and separators only, with a separator: 1952-06-19, 06/19/1952. */
	bool sep = false;

	for (; *s != '\0'; s++) {
		if (*s == '-' || *s == '/')
			sep = true;
		else if (!isdigit((unsigned char)*s))
			return false;
	}
	return sep;
}

/* A name word: letters (any script), apostrophes and hyphens, as in O'Brien or Smith-Jones. */
static bool
name_word(const char *s, size_t len)
{
	bool letter = false;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (isalpha(c) || c >= 0x80)
			letter = true;
		else if (c != '\'' && c != '-')
			return false;
	}
	return letter;
}

static int
parse_names(const char *s, struct patient_query *q, char **cause)
{
	const char *comma = strchr(s, ',');

	if (comma != NULL) {
		/* "quigley,c" or "quigley, chad": family first, as VistA and clerks write it. */
		const char *given = comma + 1;
		size_t flen = (size_t)(comma - s);

		while (flen > 0 && s[flen - 1] == ' ')
			flen--;
		while (*given == ' ')
			given++;
		if (strchr(given, ',') != NULL || !name_word(s, flen) ||
		    (*given != '\0' && !name_word(given, strlen(given)))) {
			*cause = xstrdup("write a name as family,given (quigley,c) or as words (quigley chad)");
			return -1;
		}
		q->kind = PATIENT_QUERY_FAMILY_GIVEN;
		copy_word(q->words[0], s, flen);
		copy_word(q->words[1], given, strlen(given));
		q->nwords = *given != '\0' ? 2 : 1;
		return 0;
	}
	q->kind = PATIENT_QUERY_NAME;
	while (*s != '\0') {
		size_t len = strcspn(s, " ");

		if (len > 0) {
			if (!name_word(s, len)) {
				*cause = xasprintf("'%.*s' is not a name, a date, a phone number or an MRN",
				    (int)(len > 40 ? 40 : len), s);
				return -1;
			}
			if (q->nwords == PATIENT_QUERY_WORDS) {
				*cause = xasprintf("at most %d words of a name", PATIENT_QUERY_WORDS);
				return -1;
			}
			copy_word(q->words[q->nwords++], s, len);
		}
		s += len;
		while (*s == ' ')
			s++;
	}
	return 0;
}

int
patient_query_parse(const char *input, const struct date *today, struct patient_query *q,
    char **cause)
{
	char buf[QUERY_INPUT_MAX + 1], digits[32];
	size_t len, ndigits, other;
	const char *s;

	memset(q, 0, sizeof *q);
	if (input == NULL)
		input = "";
	len = strlen(input);
	if (len > QUERY_INPUT_MAX) {
		*cause = xasprintf("a search is at most %d characters", QUERY_INPUT_MAX);
		return -1;
	}
	/* Trim, and fold runs of spaces; controls are not search text. */
	{
		size_t n = 0;

		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)input[i];

			if (c < 0x20 || c == 0x7F) {
				*cause = xstrdup("the search holds a control character");
				return -1;
			}
			if (c == ' ' && (n == 0 || buf[n - 1] == ' '))
				continue;
			buf[n++] = (char)c;
		}
		while (n > 0 && buf[n - 1] == ' ')
			n--;
		buf[n] = '\0';
	}
	s = buf;
	if (*s == '\0')
		return 0;

	/* Q8013: a letter and exactly four digits. */
	if (isalpha((unsigned char)s[0]) && strlen(s) == 5 && isdigit((unsigned char)s[1]) &&
	    isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3]) &&
	    isdigit((unsigned char)s[4])) {
		q->kind = PATIENT_QUERY_SHORT;
		q->initial = (char)toupper((unsigned char)s[0]);
		copy_word(q->value, s + 1, 4);
		return 0;
	}
	if (looks_like_date(s) && (strchr(s, '/') != NULL || strlen(s) == 10)) {
		struct date d;
		char *why = NULL;

		if (date_parse(s, today, &d, &why) == 0) {
			q->kind = PATIENT_QUERY_BIRTHDATE;
			date_format_iso(&d, q->value, sizeof q->value);
			return 0;
		}
		/* 1952-06-19 shaped but not a date: say why, rather than search it as an MRN. */
		if (strchr(s, '/') != NULL || (strlen(s) == 10 && s[4] == '-' && s[7] == '-')) {
			*cause = why;
			return -1;
		}
		free(why);
	}
	ndigits = digits_of(s, digits, sizeof digits, &other);
	/*
	 * A phone: +international, ten digits (or eleven after a 1), or seven with a
	 * dash. Other runs of digits are identifiers: an SSN has nine, MRNs vary.
	 */
	if (other == 0 && !isalpha((unsigned char)s[0]) &&
	    ((s[0] == '+' && ndigits >= 8 && ndigits <= 15) || ndigits == 10 ||
		(ndigits == 11 && digits[0] == '1') || (ndigits == 7 && strchr(s, '-') != NULL))) {
		const char *d = ndigits == 11 && s[0] != '+' ? digits + 1 : digits;

		q->kind = PATIENT_QUERY_PHONE;
		/* Stored numbers are mostly written NNN-NNN-NNNN: search them that way. */
		if (s[0] == '+')
			copy_word(q->value, s, strlen(s));
		else if (ndigits == 7)
			snprintf(q->value, sizeof q->value, "%.3s-%.4s", d, d + 3);
		else
			snprintf(q->value, sizeof q->value, "%.3s-%.3s-%.4s", d, d + 3, d + 6);
		return 0;
	}
	/* An identifier: letters and digits with at least one digit, no spaces. */
	if (ndigits > 0 && strchr(s, ' ') == NULL) {
		for (const char *p = s; *p != '\0'; p++) {
			if (!isalnum((unsigned char)*p) && strchr("-._:|", *p) == NULL) {
				*cause = xasprintf("'%s' is not a name, a date, a phone number or an MRN", s);
				return -1;
			}
		}
		q->kind = PATIENT_QUERY_IDENTIFIER;
		copy_word(q->value, s, strlen(s));
		return 0;
	}
	return parse_names(s, q, cause);
}

bool
patient_phone_normal(const char *input, char out[PATIENT_QUERY_TEXT])
{
	struct patient_query q;
	char *cause = NULL;

	/* One rule for what is stored and what is searched: the search field's own. */
	if (patient_query_parse(input, NULL, &q, &cause) != 0 || q.kind != PATIENT_QUERY_PHONE) {
		free(cause);
		return false;
	}
	memcpy(out, q.value, PATIENT_QUERY_TEXT);
	return true;
}

struct fhir_search *
patient_query_search(const struct patient_query *q, long count)
{
	struct fhir_search *s = fhir_search_new("Patient");
	char n[16];

	switch (q->kind) {
	case PATIENT_QUERY_EMPTY:
		break;
	case PATIENT_QUERY_NAME:
		/* Repeated parameters must all match: every word starts some part of a name. */
		for (size_t i = 0; i < q->nwords; i++)
			fhir_search_add(s, "name", q->words[i]);
		break;
	case PATIENT_QUERY_FAMILY_GIVEN:
		fhir_search_add(s, "family", q->words[0]);
		if (q->nwords > 1)
			fhir_search_add(s, "given", q->words[1]);
		break;
	case PATIENT_QUERY_BIRTHDATE:
		fhir_search_add(s, "birthdate", q->value);
		break;
	case PATIENT_QUERY_IDENTIFIER:
		fhir_search_add(s, "identifier", q->value);
		break;
	case PATIENT_QUERY_PHONE:
		fhir_search_add(s, "phone", q->value);
		break;
	case PATIENT_QUERY_SHORT: {
		/* The server finds the initial; patient_query_accepts checks the digits. */
		char initial[2] = { q->initial, '\0' };

		fhir_search_add(s, "family", initial);
		break;
	}
	}
	fhir_search_add(s, "_elements", PATIENT_LIST_ELEMENTS);
	snprintf(n, sizeof n, "%ld", count);
	fhir_search_add(s, "_count", n);
	return s;
}

/* The last four digits in S, or false when it has fewer. */
static bool
last_four_digits(const char *s, char out[5])
{
	size_t n = 0, len = strlen(s);

	out[4] = '\0';
	for (size_t i = len; i > 0 && n < 4; i--)
		if (isdigit((unsigned char)s[i - 1]))
			out[3 - n++] = s[i - 1];
	return n == 4;
}

bool
patient_query_accepts(const struct patient_query *q, const cJSON *patient)
{
	const cJSON *id;

	if (q->kind != PATIENT_QUERY_SHORT)
		return true;
	cJSON_ArrayForEach(id, fhir_get_array(patient, "identifier"))
	{
		const char *value = fhir_get_string(id, "value");
		char four[5];

		if (value != NULL && last_four_digits(value, four) && strcmp(four, q->value) == 0)
			return true;
	}
	return false;
}

/*
 * A FHIR date as the server must write it: exactly YYYY-MM-DD and a real day.
 * date_parse reads what clerks type (03/01/2026, " 1980-3-01") and is too lenient here.
 */
static bool
fhir_date(const char *s, struct date *out)
{
	for (size_t i = 0; i < 10; i++) {
		bool dash = i == 4 || i == 7;

		if (s == NULL || s[i] == '\0' || (dash ? s[i] != '-' : !isdigit((unsigned char)s[i])))
			return false;
	}
	if (s[10] != '\0')
		return false;
	out->year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	out->month = (s[5] - '0') * 10 + (s[6] - '0');
	out->day = (s[8] - '0') * 10 + (s[9] - '0');
	return date_valid(out);
}

static char *
dup_or_empty(const char *s)
{
	return xstrdup(s != NULL ? s : "");
}

/*
 * The name every screen shows: official, else usual, else the first not marked
 * old, else any. One rule, so the banner, the lists and the schedule agree.
 */
static const cJSON *
best_name(const cJSON *patient)
{
	static const char *const order[] = { "official", "usual" };
	const cJSON *names = fhir_get_array(patient, "name"), *n, *any = NULL;

	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		cJSON_ArrayForEach(n, names)
		{
			const char *use = fhir_get_string(n, "use");

			if (cJSON_IsObject(n) && use != NULL && strcmp(use, order[i]) == 0)
				return n;
		}
	}
	cJSON_ArrayForEach(n, names)
	{
		const char *use = fhir_get_string(n, "use");

		if (!cJSON_IsObject(n))
			continue;
		if (use == NULL || strcmp(use, "old") != 0)
			return n;
		if (any == NULL)
			any = n;
	}
	return any;
}

static char *
given_names(const cJSON *name)
{
	return fhir_join(fhir_get_array(name, "given"), " ", PATIENT_PARTS_MAX);
}

/* True when IDENTIFIER's type is MR of v2-0203 (or of no system): "MR" of another system is not an MRN. */
static bool
is_mrn(const cJSON *identifier)
{
	const cJSON *coding;

	cJSON_ArrayForEach(coding, fhir_get_array(fhir_get_object(identifier, "type"), "coding"))
	{
		const char *code = fhir_get_string(coding, "code");
		const char *system = fhir_get_string(coding, "system");

		if (code != NULL && strcmp(code, "MR") == 0 &&
		    (system == NULL ||
			strcmp(system, "http://terminology.hl7.org/CodeSystem/v2-0203") == 0))
			return true;
	}
	return false;
}

void
patient_view_read(const cJSON *patient, struct patient_view *v)
{
	const cJSON *name = best_name(patient), *item;
	const char *gender = fhir_get_string(patient, "gender");
	const char *birth = fhir_get_string(patient, "birthDate");
	struct date d;

	memset(v, 0, sizeof *v);
	v->id = dup_or_empty(fhir_get_string(patient, "id"));
	v->family = dup_or_empty(fhir_get_string(name, "family"));
	v->given = given_names(name);
	if (*v->family && *v->given)
		v->name = xasprintf("%s, %s", v->family, v->given);
	else if (*v->family || *v->given)
		v->name = xstrdup(*v->family ? v->family : v->given);
	else
		v->name = dup_or_empty(fhir_get_string(name, "text"));
	if (*v->name == '\0') {
		free(v->name);
		v->name = xstrdup("(no name)");
	}
	v->gender = dup_or_empty(gender);
	v->sex = gender == NULL ? 'U'
	    : strcmp(gender, "male") == 0 ? 'M'
	    : strcmp(gender, "female") == 0 ? 'F'
	    : strcmp(gender, "other") == 0 ? 'O' : 'U';
	/* Only a whole, real date: a birth date drives the age shown at the front desk. */
	v->birth_date = xstrdup(fhir_date(birth, &d) ? birth : "");
	v->birth_text = xstrndup(birth != NULL ? birth : "", 32);
	/* The first MRN not marked old, else an old one. */
	{
		const char *current = NULL, *old = NULL;

		cJSON_ArrayForEach(item, fhir_get_array(patient, "identifier"))
		{
			const char *value = fhir_get_string(item, "value"), *use;

			if (value == NULL || *value == '\0' || !is_mrn(item))
				continue;
			use = fhir_get_string(item, "use");
			if (use != NULL && strcmp(use, "old") == 0) {
				if (old == NULL)
					old = value;
			} else if (current == NULL) {
				current = value;
			}
		}
		v->mrn = xstrdup(current != NULL ? current : old != NULL ? old : "");
	}
	/* R4's deceased[x]: a boolean, or the moment of death (its date is what a clerk needs). */
	{
		const cJSON *flag = cJSON_GetObjectItemCaseSensitive(patient, "deceasedBoolean");
		const char *when = fhir_get_string(patient, "deceasedDateTime");
		char day[11] = "";

		if (when != NULL && strlen(when) >= 10) {
			memcpy(day, when, 10);
			day[10] = '\0';
		}
		v->deceased = cJSON_IsTrue(flag) || when != NULL;
		v->deceased_date = xstrdup(fhir_date(day, &d) ? day : "");
	}
	cJSON_ArrayForEach(item, fhir_get_array(patient, "telecom"))
	{
		const char *system = fhir_get_string(item, "system");

		if (v->phone == NULL && system != NULL && strcmp(system, "phone") == 0 &&
		    fhir_get_string(item, "value") != NULL)
			v->phone = xstrdup(fhir_get_string(item, "value"));
	}
	if (v->phone == NULL)
		v->phone = xstrdup("");
}

void
patient_view_clear(struct patient_view *v)
{
	free(v->id);
	free(v->name);
	free(v->family);
	free(v->given);
	free(v->gender);
	free(v->birth_date);
	free(v->mrn);
	free(v->phone);
	free(v->deceased_date);
	free(v->birth_text);
	memset(v, 0, sizeof *v);
}

int
patient_view_age(const struct patient_view *v, const struct date *today)
{
	struct date birth, death;

	if (!fhir_date(v->birth_date, &birth))
		return -1;
	/* A deceased patient's age is the age at death, not what they would be today. */
	if (fhir_date(v->deceased_date, &death) && date_compare(&death, today) < 0)
		return date_age_years(&birth, &death);
	return date_age_years(&birth, today);
}

/* --- allergies -------------------------------------------------------------------------- */

/* SNOMED CT codes for "no known allergy" entries: they mean NKA, not an allergy. */
static const char *const no_known_allergy[] = {
	"716186003", /* No known allergy */
	"409137002", /* No known drug allergy */
	"428607008", /* No known environmental allergy */
	"429625007", /* No known food allergy */
};

static const char *
substance_of(const cJSON *code)
{
	const char *s = fhir_get_string(code, "text");
	const cJSON *c;

	if (s != NULL && *s != '\0')
		return s;
	cJSON_ArrayForEach(c, fhir_get_array(code, "coding"))
	{
		if ((s = fhir_get_string(c, "display")) != NULL && *s != '\0')
			return s;
	}
	s = fhir_first_code(code);
	return s != NULL ? s : "(unnamed allergy)";
}

void
patient_allergies_read(const cJSON *searchset, const char *id, struct patient_allergies *out)
{
	const cJSON *entry;
	bool any = false;

	memset(out, 0, sizeof *out);
	cJSON_ArrayForEach(entry, fhir_get_array(searchset, "entry"))
	{
		const cJSON *a = fhir_get_object(entry, "resource");
		const cJSON *clinical = fhir_get_object(a, "clinicalStatus");
		const cJSON *verification = fhir_get_object(a, "verificationStatus");
		const char *type = fhir_get_string(a, "resourceType");
		bool nka = false;

		/* An OperationOutcome beside the matches is a warning, not an allergy. */
		if (type != NULL && strcmp(type, "AllergyIntolerance") != 0)
			continue;
		/* Another patient's allergy in the answer: none of it can be trusted for this one. */
		if (!patient_refers_to(
			fhir_get_string(fhir_get_object(a, "patient"), "reference"), id)) {
			patient_allergies_clear(out);
			return;
		}
		if (fhir_has_code(verification, "entered-in-error") ||
		    fhir_has_code(verification, "refuted"))
			continue;
		/* No clinicalStatus means active, as the safe reading for a warning. */
		if (clinical != NULL && !fhir_has_code(clinical, "active"))
			continue;
		for (size_t i = 0; i < sizeof no_known_allergy / sizeof no_known_allergy[0]; i++)
			nka = nka || fhir_has_code(fhir_get_object(a, "code"), no_known_allergy[i]);
		any = true;
		if (!nka) {
			const char *crit = fhir_get_string(a, "criticality");

			out->items = xreallocarray(out->items, out->n + 1, sizeof *out->items);
			out->items[out->n].substance = xstrdup(substance_of(fhir_get_object(a, "code")));
			out->items[out->n].high = crit != NULL && strcmp(crit, "high") == 0;
			out->n++;
		}
	}
	out->state = out->n > 0 ? PATIENT_ALLERGY_LISTED
		     : any	? PATIENT_ALLERGY_NONE_KNOWN
				: PATIENT_ALLERGY_NOT_RECORDED;
}

void
patient_allergies_copy(struct patient_allergies *to, const struct patient_allergies *from)
{
	memset(to, 0, sizeof *to);
	to->state = from->state;
	if (from->n == 0)
		return;
	to->items = xcalloc(from->n, sizeof *to->items);
	for (size_t i = 0; i < from->n; i++) {
		to->items[i].substance = xstrdup(from->items[i].substance);
		to->items[i].high = from->items[i].high;
	}
	to->n = from->n;
}

void
patient_allergies_clear(struct patient_allergies *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->items[i].substance);
	free(a->items);
	memset(a, 0, sizeof *a);
}

/* --- opening ---------------------------------------------------------------------------- */

bool
patient_refers_to(const char *reference, const char *id)
{
	return fhir_refers_to(reference, "Patient", id);
}

cJSON *
patient_open_batch(const struct fhir_client *fc, const char *id)
{
	cJSON *entries, *batch = fhir_batch_new(&entries);
	struct fhir_search *s = fhir_search_new("AllergyIntolerance");

	fhir_batch_add_read(entries, "Patient", id);
	/* Only what the banner needs; the chart asks for more when it opens. */
	fhir_search_add(s, "patient", id);
	fhir_search_add(s, "_elements", "patient,code,criticality,clinicalStatus,verificationStatus");
	fhir_search_add(s, "_count", "50");
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	return batch;
}

void
patient_opened_clear(struct patient_opened *o)
{
	cJSON_Delete(o->patient);
	free(o->version);
	if (o->view.id != NULL)
		patient_view_clear(&o->view);
	patient_allergies_clear(&o->allergies);
	memset(o, 0, sizeof *o);
}

int
patient_open_result(cJSON *response, const char *id, struct patient_opened *out, char **cause)
{
	const cJSON *entries = fhir_get_array(response, "entry");
	cJSON *first = cJSON_GetArrayItem(entries, 0);
	const cJSON *second = cJSON_GetArrayItem(entries, 1);
	const cJSON *resource = fhir_get_object(first, "resource");
	const char *type = fhir_get_string(resource, "resourceType"), *got, *vid;

	memset(out, 0, sizeof *out);
	if (!fhir_entry_ok(first)) {
		*cause = fhir_entry_failure(first, "the patient");
		return -1;
	}
	if (type == NULL || strcmp(type, "Patient") != 0) {
		*cause = xstrdup("the server answered with something that is not a Patient");
		return -1;
	}
	got = fhir_get_string(resource, "id");
	/* Another patient's record shown under this one's name is the worst answer there is. */
	if (got == NULL || id == NULL || strcmp(got, id) != 0) {
		*cause = xstrdup("the server answered with another patient's record: not shown");
		return -1;
	}
	out->patient = cJSON_DetachItemFromObjectCaseSensitive(first, "resource");
	vid = fhir_version_of(out->patient);
	out->version = vid != NULL ? xstrdup(vid) : NULL;
	patient_view_read(out->patient, &out->view);
	if (fhir_entry_ok(second))
		patient_allergies_read(fhir_get_object(second, "resource"), id, &out->allergies);
	return 0;
}

/* --- the form ------------------------------------------------------------------------- */

/* Gender identity, apart from administrative sex: R4 has no element, US Core an extension. */
#define IDENTITY_URL "http://hl7.org/fhir/us/core/StructureDefinition/us-core-genderIdentity"
#define MRN_SYSTEM "urn:ehrterm:mrn"

static const cJSON *
first_of_system(const cJSON *telecom, const char *system)
{
	const cJSON *t;

	cJSON_ArrayForEach(t, telecom)
	{
		const char *s = fhir_get_string(t, "system");

		if (s != NULL && strcmp(s, system) == 0)
			return t;
	}
	return NULL;
}

/* The primary language subtag of P's first communication language, lower case; "" when none. */
static char *
primary_language(const cJSON *p)
{
	const cJSON *lang = fhir_get_object(
	    cJSON_GetArrayItem(fhir_get_array(p, "communication"), 0), "language");
	const char *code =
	    fhir_get_string(cJSON_GetArrayItem(fhir_get_array(lang, "coding"), 0), "code");
	size_t n = 0;
	char *out;

	if (code == NULL)
		return xstrdup("");
	while (code[n] != '\0' && code[n] != '-' && n < 15)
		n++;
	out = xstrndup(code, n);
	for (char *c = out; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return out;
}

void
patient_form_view_read(const cJSON *p, struct patient_form_view *out)
{
	struct patient_view v;
	const cJSON *addr = cJSON_GetArrayItem(fhir_get_array(p, "address"), 0);
	const cJSON *contact = cJSON_GetArrayItem(fhir_get_array(p, "contact"), 0);
	const cJSON *line = cJSON_GetArrayItem(fhir_get_array(addr, "line"), 0), *ext;
	const char *identity = NULL;

	patient_view_read(p, &v);
	out->family = v.family;
	out->given = v.given;
	out->gender = v.gender;
	out->birth_date = v.birth_date;
	out->mrn = v.mrn;
	free(v.id);
	free(v.name);
	free(v.phone);
	free(v.deceased_date);
	free(v.birth_text);
	cJSON_ArrayForEach(ext, fhir_get_array(p, "extension"))
	{
		const char *url = fhir_get_string(ext, "url");

		if (url != NULL && strcmp(url, IDENTITY_URL) == 0)
			identity = fhir_get_string(
			    cJSON_GetArrayItem(
				fhir_get_array(fhir_get_object(ext, "valueCodeableConcept"), "coding"), 0),
			    "code");
	}
	out->identity = dup_or_empty(identity);
	out->phone = dup_or_empty(
	    fhir_get_string(first_of_system(fhir_get_array(p, "telecom"), "phone"), "value"));
	out->email = dup_or_empty(
	    fhir_get_string(first_of_system(fhir_get_array(p, "telecom"), "email"), "value"));
	out->line = dup_or_empty(cJSON_IsString(line) ? line->valuestring : NULL);
	out->city = dup_or_empty(fhir_get_string(addr, "city"));
	out->state = dup_or_empty(fhir_get_string(addr, "state"));
	out->postal = dup_or_empty(fhir_get_string(addr, "postalCode"));
	out->language = primary_language(p);
	out->contact = dup_or_empty(fhir_get_string(fhir_get_object(contact, "name"), "text"));
	out->contact_phone = dup_or_empty(
	    fhir_get_string(cJSON_GetArrayItem(fhir_get_array(contact, "telecom"), 0), "value"));
}

void
patient_form_view_clear(struct patient_form_view *v)
{
	char **all[] = { &v->family, &v->given, &v->gender, &v->identity, &v->birth_date,
		&v->mrn, &v->phone, &v->email, &v->line, &v->city, &v->state, &v->postal,
		&v->language, &v->contact, &v->contact_phone };

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		free(*all[i]);
		*all[i] = NULL;
	}
}

/* The element of ARRAY (created in OBJ) whose KEY is VALUE, made when missing. */
static cJSON *
entry_where(cJSON *obj, const char *array, const char *key, const char *value)
{
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, array), *item, *made;

	if (!cJSON_IsArray(arr)) {
		cJSON_DeleteItemFromObjectCaseSensitive(obj, array);
		arr = cJSON_AddArrayToObject(obj, array);
	}
	cJSON_ArrayForEach(item, arr)
	{
		const char *v = fhir_get_string(item, key);

		if (v != NULL && strcmp(v, value) == 0)
			return item;
	}
	made = cJSON_CreateObject();
	cJSON_AddStringToObject(made, key, value);
	cJSON_AddItemToArray(arr, made);
	return made;
}

/* The identifier typed MR, made (with the MRN system) when there is none. */
static cJSON *
mrn_identifier(cJSON *p)
{
	cJSON *ids = cJSON_GetObjectItemCaseSensitive(p, "identifier"), *id, *made;

	cJSON_ArrayForEach(id, ids)
	{
		if (fhir_has_code(fhir_get_object(id, "type"), "MR"))
			return id;
	}
	made = cJSON_CreateObject();
	cJSON_AddItemToObject(made, "type",
	    fhir_codeable("http://terminology.hl7.org/CodeSystem/v2-0203", "MR", NULL));
	cJSON_AddStringToObject(made, "system", MRN_SYSTEM);
	if (!cJSON_IsArray(ids)) {
		cJSON_DeleteItemFromObjectCaseSensitive(p, "identifier");
		ids = cJSON_AddArrayToObject(p, "identifier");
	}
	cJSON_AddItemToArray(ids, made);
	return made;
}

static void
apply_identity(cJSON *p, const struct patient_input *in)
{
	cJSON *exts = cJSON_GetObjectItemCaseSensitive(p, "extension");

	/* Replace ours, keep every other extension as it was. */
	if (cJSON_IsArray(exts)) {
		for (int i = cJSON_GetArraySize(exts) - 1; i >= 0; i--) {
			const char *url = fhir_get_string(cJSON_GetArrayItem(exts, i), "url");

			if (url != NULL && strcmp(url, IDENTITY_URL) == 0)
				cJSON_DeleteItemFromArray(exts, i);
		}
	}
	if (in->identity_code != NULL) {
		bool snomed = isdigit((unsigned char)in->identity_code[0]);
		cJSON *x = cJSON_CreateObject();

		cJSON_AddStringToObject(x, "url", IDENTITY_URL);
		cJSON_AddItemToObject(x, "valueCodeableConcept",
		    fhir_codeable(snomed ? "http://snomed.info/sct"
					 : "http://terminology.hl7.org/CodeSystem/v3-NullFlavor",
			in->identity_code, in->identity_display));
		if (!cJSON_IsArray(exts)) {
			cJSON_DeleteItemFromObjectCaseSensitive(p, "extension");
			exts = cJSON_AddArrayToObject(p, "extension");
		}
		cJSON_AddItemToArray(exts, x);
	}
	if (cJSON_IsArray(exts) && cJSON_GetArraySize(exts) == 0)
		cJSON_DeleteItemFromObjectCaseSensitive(p, "extension");
}

static void
apply_address(cJSON *p, const struct patient_input *in)
{
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(p, "address"), *addr;

	if (in->line == NULL && in->city == NULL)
		return;
	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0) {
		cJSON_DeleteItemFromObjectCaseSensitive(p, "address");
		arr = cJSON_AddArrayToObject(p, "address");
		cJSON_AddItemToArray(arr, cJSON_CreateObject());
	}
	addr = cJSON_GetArrayItem(arr, 0);
	if (!cJSON_IsObject(addr)) {
		cJSON_ReplaceItemInArray(arr, 0, cJSON_CreateObject());
		addr = cJSON_GetArrayItem(arr, 0);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(addr, "line");
	if (in->line != NULL)
		cJSON_AddItemToArray(
		    cJSON_AddArrayToObject(addr, "line"), cJSON_CreateString(in->line));
	fhir_set_string(addr, "city", in->city);
	fhir_set_string(addr, "state", in->state);
	fhir_set_string(addr, "postalCode", in->postal);
}

static void
apply_language(cJSON *p, const struct patient_input *in)
{
	char *was = primary_language(p);
	cJSON *comm, *lang;

	/* Unchanged, the record keeps its own coding ("en-US", other languages too). */
	if (in->language_code != NULL && strcmp(was, in->language_code) != 0) {
		comm = cJSON_CreateObject();
		lang = fhir_codeable("urn:ietf:bcp:47", in->language_code, in->language_display);
		if (in->language_display != NULL)
			cJSON_AddStringToObject(lang, "text", in->language_display);
		cJSON_AddItemToObject(comm, "language", lang);
		cJSON_AddTrueToObject(comm, "preferred");
		fhir_set_item(p, "communication", cJSON_CreateArray());
		cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(p, "communication"), comm);
	}
	free(was);
}

static void
apply_contact(cJSON *p, const struct patient_input *in)
{
	cJSON *contact, *rel;

	if (in->contact == NULL)
		return;
	cJSON_DeleteItemFromObjectCaseSensitive(p, "contact");
	contact = cJSON_CreateObject();
	rel = cJSON_AddArrayToObject(contact, "relationship");
	cJSON_AddItemToArray(rel, fhir_codeable("http://terminology.hl7.org/CodeSystem/v2-0131",
				      "C", "Emergency Contact"));
	cJSON_AddStringToObject(cJSON_AddObjectToObject(contact, "name"), "text", in->contact);
	if (in->contact_phone != NULL) {
		cJSON *t = cJSON_CreateObject();

		cJSON_AddStringToObject(t, "system", "phone");
		cJSON_AddStringToObject(t, "value", in->contact_phone);
		cJSON_AddItemToArray(cJSON_AddArrayToObject(contact, "telecom"), t);
	}
	cJSON_AddItemToArray(cJSON_AddArrayToObject(p, "contact"), contact);
}

cJSON *
patient_apply(const cJSON *base, const struct patient_input *in, const char *request_id)
{
	cJSON *p = cJSON_IsObject(base) ? cJSON_Duplicate(base, 1) : cJSON_CreateObject();
	cJSON *name, *given;
	char *givens = in->given != NULL ? xstrdup(in->given) : NULL;

	fhir_set_string(p, "resourceType", "Patient");
	/* The official name: family, and the given names split at spaces. */
	name = entry_where(p, "name", "use", "official");
	fhir_set_string(name, "family", in->family);
	cJSON_DeleteItemFromObjectCaseSensitive(name, "given");
	cJSON_DeleteItemFromObjectCaseSensitive(name, "text");
	given = cJSON_AddArrayToObject(name, "given");
	for (char *save = NULL, *w = givens ? strtok_r(givens, " ", &save) : NULL; w != NULL;
	     w = strtok_r(NULL, " ", &save))
		cJSON_AddItemToArray(given, cJSON_CreateString(w));
	free(givens);
	fhir_set_string(p, "gender", in->gender);
	apply_identity(p, in);
	if (in->has_birth) {
		char iso[DATE_BUF_SIZE];

		date_format_iso(&in->birth, iso, sizeof iso);
		fhir_set_string(p, "birthDate", iso);
	}
	if (in->mrn != NULL)
		fhir_set_string(mrn_identifier(p), "value", in->mrn);
	/* The guard If-None-Exist looks for: a retried registration finds this one. */
	if (base == NULL && request_id != NULL)
		fhir_add_request_id(p, request_id);
	if (in->phone != NULL)
		fhir_set_string(entry_where(p, "telecom", "system", "phone"), "value", in->phone);
	if (in->email != NULL)
		fhir_set_string(entry_where(p, "telecom", "system", "email"), "value", in->email);
	apply_address(p, in);
	apply_language(p, in);
	apply_contact(p, in);
	return p;
}

/* --- the duplicate probe ---------------------------------------------------------------- */

void
patient_prefix(const char *s, size_t n, char *out, size_t size)
{
	size_t i = 0, chars = 0;

	if (size == 0)
		return;
	while (s != NULL && s[i] != '\0' && chars < n) {
		size_t len = 1;

		/* A lead byte's length; a stray continuation byte counts as one. */
		if (((unsigned char)s[i] & 0xE0) == 0xC0)
			len = 2;
		else if (((unsigned char)s[i] & 0xF0) == 0xE0)
			len = 3;
		else if (((unsigned char)s[i] & 0xF8) == 0xF0)
			len = 4;
		for (size_t k = 1; k < len; k++)
			if (((unsigned char)s[i + k] & 0xC0) != 0x80) {
				len = k;
				break;
			}
		if (i + len >= size)
			break;
		i += len;
		chars++;
	}
	memcpy(out, s != NULL ? s : "", i);
	out[i] = '\0';
}

/* A GET entry of the probe, with the elements a candidate row shows. */
static void
add_probe_search(const struct fhir_client *fc, cJSON *entries, struct fhir_search *s)
{
	fhir_search_add(s, "_elements", PATIENT_LIST_ELEMENTS);
	fhir_search_add(s, "_count", "10");
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
}

cJSON *
patient_probe_batch(const struct fhir_client *fc, const struct patient_probe *probe)
{
	cJSON *entries, *batch = fhir_batch_new(&entries);
	char prefix[16];
	struct fhir_search *s;

	/* Same birth date and a similar name: the family name's first three letters. */
	patient_prefix(probe->family, 3, prefix, sizeof prefix);
	s = fhir_search_new("Patient");
	fhir_search_add(s, "birthdate", probe->birth_date != NULL ? probe->birth_date : "");
	fhir_search_add(s, "family", prefix);
	add_probe_search(fc, entries, s);
	if (probe->mrn != NULL) {
		s = fhir_search_new("Patient");
		fhir_search_add(s, "identifier", probe->mrn);
		add_probe_search(fc, entries, s);
	}
	if (probe->phone != NULL) {
		s = fhir_search_new("Patient");
		fhir_search_add(s, "phone", probe->phone);
		add_probe_search(fc, entries, s);
	}
	return batch;
}

/* Whether ID is the id of one of the N views at V. */
static bool
probe_seen(const struct patient_view *v, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].id, id) == 0)
			return true;
	return false;
}

static int
probe_id_compare(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

enum patient_probe_result
patient_probe_read(const cJSON *response, const char *request_id, struct patient_view **out,
    size_t *n, size_t *more)
{
	const cJSON *entry, *hit;
	const char **extra = NULL; /* ids past the first PATIENT_PROBE_MAX, borrowed */
	size_t nextra = 0, cap = 0;

	*out = NULL;
	*n = 0;
	*more = 0;
	if (fhir_get_array(response, "entry") == NULL)
		return PATIENT_PROBE_FAILED;
	cJSON_ArrayForEach(entry, fhir_get_array(response, "entry"))
	{
		const cJSON *set = fhir_get_object(entry, "resource");
		const char *type = fhir_get_string(set, "resourceType");

		/* A search that failed found nothing only in the sense that it did not look. */
		if (!fhir_entry_ok(entry) || type == NULL || strcmp(type, "Bundle") != 0) {
			for (size_t i = 0; i < *n; i++)
				patient_view_clear(&(*out)[i]);
			free(*out);
			free(extra);
			*out = NULL;
			*n = 0;
			return PATIENT_PROBE_FAILED;
		}
		cJSON_ArrayForEach(hit, fhir_get_array(set, "entry"))
		{
			const cJSON *p = fhir_get_object(hit, "resource");
			const char *ptype = fhir_get_string(p, "resourceType");
			const char *id = fhir_get_string(p, "id");

			/*
			 * This form's own earlier try, whose answer was lost, is no duplicate: the
			 * save that follows finds it through If-None-Exist.
			 */
			if (ptype == NULL || strcmp(ptype, "Patient") != 0 ||
			    fhir_carries_request(p, request_id))
				continue;
			if (id == NULL)
				id = "";
			/* The same patient found by two searches is one candidate. */
			if (probe_seen(*out, *n, id))
				continue;
			if (*n < PATIENT_PROBE_MAX) {
				*out = xreallocarray(*out, *n + 1, sizeof **out);
				patient_view_read(p, &(*out)[(*n)++]);
				continue;
			}
			/* The rest are only counted: sorted at the end, not compared in pairs. */
			if (nextra == cap) {
				cap = cap == 0 ? 64 : cap * 2;
				extra = xreallocarray(extra, cap, sizeof *extra);
			}
			extra[nextra++] = id;
		}
	}
	if (nextra > 0) {
		qsort(extra, nextra, sizeof *extra, probe_id_compare);
		for (size_t i = 0; i < nextra; i++)
			*more += i == 0 || strcmp(extra[i], extra[i - 1]) != 0;
	}
	free(extra);
	return *n > 0 ? PATIENT_PROBE_CANDIDATES : PATIENT_PROBE_CLEAR;
}

/* --- lists and the record ----------------------------------------------------------------- */

const char *
patient_id_of(const cJSON *patient)
{
	return fhir_get_string(patient, "id");
}

int
patient_saved(const cJSON *response, const char *id, cJSON **patient, char **version)
{
	const cJSON *e = cJSON_GetArrayItem(fhir_get_array(response, "entry"), 0);
	const cJSON *r = fhir_get_object(e, "resource");
	const char *type = fhir_get_string(r, "resourceType"), *got = patient_id_of(r);

	*patient = NULL;
	*version = NULL;
	if (type == NULL || strcmp(type, "Patient") != 0 || !fhir_valid_id(got) ||
	    (id != NULL && strcmp(id, got) != 0))
		return -1;
	*patient = cJSON_Duplicate(r, true);
	*version = fhir_entry_version(e);
	return 0;
}

size_t
patient_page_read(const cJSON *bundle, const struct patient_query *q, struct patient_view **out,
    size_t *seen)
{
	const cJSON *entry;
	size_t n = 0;

	*out = NULL;
	*seen = 0;
	cJSON_ArrayForEach(entry, fhir_get_array(bundle, "entry"))
	{
		const cJSON *p = fhir_get_object(entry, "resource");
		const char *type = fhir_get_string(p, "resourceType");

		if (type == NULL || strcmp(type, "Patient") != 0)
			continue;
		(*seen)++;
		if (!patient_query_accepts(q, p))
			continue;
		*out = xreallocarray(*out, n + 1, sizeof **out);
		patient_view_read(p, &(*out)[n++]);
	}
	return n;
}

static void
add_detail(struct patient_detail **out, size_t *n, char *label, const char *value)
{
	if (value == NULL || *value == '\0') {
		free(label);
		return;
	}
	*out = xreallocarray(*out, *n + 1, sizeof **out);
	(*out)[*n].label = label;
	(*out)[*n].value = xstrdup(value);
	(*n)++;
}

/*
 * The lines of one array: the first PATIENT_LINES_MAX with a value are shown, the
 * rest only counted, so 100,000 identifiers cost one pass and fill no screen.
 */
struct detail_cap {
	size_t shown, more;
};

/* True when one more line of this array is to be shown; counts it either way. */
static bool
detail_take(struct detail_cap *c, const char *value)
{
	if (value == NULL || *value == '\0')
		return false;
	if (c->shown == PATIENT_LINES_MAX) {
		c->more++;
		return false;
	}
	c->shown++;
	return true;
}

/* The line that says how many of one array were left out, under LABEL. */
static void
detail_more(struct patient_detail **out, size_t *n, const char *label, const struct detail_cap *c)
{
	char *more;

	if (c->more == 0)
		return;
	more = xasprintf("(+%zu more)", c->more);
	add_detail(out, n, xstrdup(label), more);
	free(more);
}

size_t
patient_details(const cJSON *patient, struct patient_detail **out)
{
	const cJSON *item;
	struct detail_cap ids = {0}, tels = {0}, addrs = {0}, langs = {0}, contacts = {0};
	size_t n = 0;

	*out = NULL;
	cJSON_ArrayForEach(item, fhir_get_array(patient, "identifier"))
	{
		const char *value = fhir_get_string(item, "value");
		const cJSON *coding;
		const char *kind;

		if (!detail_take(&ids, value))
			continue;
		coding =
		    cJSON_GetArrayItem(fhir_get_array(fhir_get_object(item, "type"), "coding"), 0);
		kind = fhir_get_string(coding, "display");
		if (kind == NULL)
			kind = fhir_get_string(coding, "code");
		add_detail(out, &n, xasprintf("%.15s", kind != NULL ? kind : "Identifier"), value);
	}
	detail_more(out, &n, "Identifier", &ids);
	cJSON_ArrayForEach(item, fhir_get_array(patient, "telecom"))
	{
		const char *system = fhir_get_string(item, "system");
		const char *use = fhir_get_string(item, "use");
		const char *value = fhir_get_string(item, "value");

		if (!detail_take(&tels, value))
			continue;
		add_detail(out, &n,
		    xasprintf(
		        "%s%s%s", system ? system : "contact", use ? " " : "", use ? use : ""),
		    value);
	}
	detail_more(out, &n, "Telecom", &tels);
	cJSON_ArrayForEach(item, fhir_get_array(patient, "address"))
	{
		char *text, *full;
		const char *city = fhir_get_string(item, "city"), *state = fhir_get_string(item, "state");
		const char *postal = fhir_get_string(item, "postalCode");

		/* An address always has a line to show, even an empty one's spaces. */
		if (!detail_take(&addrs, " "))
			continue;
		text = fhir_join(fhir_get_array(item, "line"), ", ", PATIENT_PARTS_MAX);
		full = xasprintf("%s%s%s %s %s", text, *text ? ", " : "", city ? city : "",
		    state ? state : "", postal ? postal : "");
		add_detail(out, &n, xstrdup("Address"), full);
		free(full);
		free(text);
	}
	detail_more(out, &n, "Address", &addrs);
	cJSON_ArrayForEach(item, fhir_get_array(patient, "communication"))
	{
		const cJSON *lang = fhir_get_object(item, "language");
		const char *text = fhir_get_string(lang, "text");

		if (text == NULL)
			text = fhir_get_string(
			    cJSON_GetArrayItem(fhir_get_array(lang, "coding"), 0), "display");
		if (detail_take(&langs, text))
			add_detail(out, &n, xstrdup("Language"), text);
	}
	detail_more(out, &n, "Language", &langs);
	add_detail(out, &n, xstrdup("Marital status"),
	    fhir_get_string(fhir_get_object(patient, "maritalStatus"), "text"));
	cJSON_ArrayForEach(item, fhir_get_array(patient, "contact"))
	{
		const char *family = fhir_get_string(fhir_get_object(item, "name"), "family");
		const char *phone = fhir_get_string(
		    cJSON_GetArrayItem(fhir_get_array(item, "telecom"), 0), "value");
		char *text;

		if (!detail_take(&contacts, " "))
			continue;
		text = xasprintf("%s %s", family ? family : "(no name)", phone ? phone : "");
		add_detail(out, &n, xstrdup("Contact"), text);
		free(text);
	}
	detail_more(out, &n, "Contact", &contacts);
	return n;
}

void
patient_details_free(struct patient_detail *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(d[i].label);
		free(d[i].value);
	}
	free(d);
}
