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

/* The official name, else the usual one, else the first. */
static const cJSON *
best_name(const cJSON *patient)
{
	static const char *const order[] = { "official", "usual" };
	const cJSON *names = fhir_get_array(patient, "name"), *n;

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
		if (cJSON_IsObject(n))
			return n;
	}
	return NULL;
}

static char *
given_names(const cJSON *name)
{
	const cJSON *g;
	char *out = xstrdup("");

	cJSON_ArrayForEach(g, fhir_get_array(name, "given"))
	{
		char *next;

		if (!cJSON_IsString(g))
			continue;
		next = xasprintf("%s%s%s", out, *out ? " " : "", g->valuestring);
		free(out);
		out = next;
	}
	return out;
}

static bool
is_mrn(const cJSON *identifier)
{
	const cJSON *coding;

	cJSON_ArrayForEach(coding, fhir_get_array(fhir_get_object(identifier, "type"), "coding"))
	{
		const char *code = fhir_get_string(coding, "code");

		if (code != NULL && strcmp(code, "MR") == 0)
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
	cJSON_ArrayForEach(item, fhir_get_array(patient, "identifier"))
	{
		if (v->mrn == NULL && is_mrn(item) && fhir_get_string(item, "value") != NULL)
			v->mrn = xstrdup(fhir_get_string(item, "value"));
	}
	if (v->mrn == NULL)
		v->mrn = xstrdup("");
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
	memset(v, 0, sizeof *v);
}

int
patient_view_age(const struct patient_view *v, const struct date *today)
{
	struct date birth;

	if (!fhir_date(v->birth_date, &birth))
		return -1;
	return date_age_years(&birth, today);
}
