/*
 * Charting, writing vital signs. A value is stored in the unit it was typed in (5'9" as
 * 69 [in_i], not a converted 175.26 cm), so the record says what the clinician saw;
 * conversion happens only for display, for BMI and for the plausibility checks.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/vitals.h"
#include "util/xmalloc.h"

#define LOINC "http://loinc.org"
#define UCUM "http://unitsofmeasure.org"
#define CATEGORY "http://terminology.hl7.org/CodeSystem/observation-category"

/* The most a typed number may carry: enough for 1234.567, and no room for tricks. */
#define INT_DIGITS 5
#define FRAC_DIGITS 3

static const struct {
	const char *label;
	const char *code, *display; /* the current US Core code */
	const char *hint_us, *hint_metric;
} signs[VITAL_SIGNS] = {
	[CHART_VITAL_BP] = { "BP", "85354-9", "Blood pressure panel with all children optional",
	    "120/80", "120/80" },
	[CHART_VITAL_HR] = { "Pulse", "8867-4", "Heart rate", "beats a minute", "beats a minute" },
	[CHART_VITAL_RR] = { "Resp", "9279-1", "Respiratory rate", "breaths a minute",
	    "breaths a minute" },
	[CHART_VITAL_TEMP] = { "Temp", "8310-5", "Body temperature", "98.6F, 37C; bare = F",
	    "37C, 98.6F; bare = C" },
	[CHART_VITAL_SPO2] = { "SpO2", "59408-5", "Oxygen saturation in Arterial blood by Pulse "
	    "oximetry", "percent", "percent" },
	[CHART_VITAL_HEIGHT] = { "Height", "8302-2", "Body height", "5'9\", 175cm; bare = in",
	    "175cm, 5'9\"; bare = cm" },
	[CHART_VITAL_WEIGHT] = { "Weight", "29463-7", "Body weight", "154lb, 70kg; bare = lb",
	    "70kg, 154lb; bare = kg" },
	[CHART_VITAL_BMI] = { "BMI", "39156-5", "Body mass index (BMI) [Ratio]",
	    "computed", "computed" },
	[VITAL_HEAD] = { "Head circ.", "9843-4", "Head Occipital-frontal circumference",
	    "18in, 46cm; bare = in", "46cm, 18in; bare = cm" },
};

/* The UCUM units a value may be stored in, and what the screen calls them. */
static const struct {
	const char *ucum, *shown;
} units_shown[] = {
	{ "cm", "cm" }, { "[in_i]", "in" }, { "kg", "kg" }, { "[lb_av]", "lb" }, { "g", "g" },
	{ "Cel", "C" }, { "[degF]", "F" }, { "mm[Hg]", "mmHg" }, { "/min", "/min" },
	{ "%", "%" }, { "kg/m2", "kg/m2" },
};

const char *
vital_label(int sign)
{
	return sign >= 0 && sign < VITAL_SIGNS ? signs[sign].label : "";
}

const char *
vital_hint(int sign, enum vital_units units)
{
	if (sign < 0 || sign >= VITAL_SIGNS)
		return "";
	return units == VITAL_UNITS_US ? signs[sign].hint_us : signs[sign].hint_metric;
}

static const char *
shown_unit(const char *ucum)
{
	for (size_t i = 0; i < sizeof units_shown / sizeof units_shown[0]; i++)
		if (strcmp(units_shown[i].ucum, ucum) == 0)
			return units_shown[i].shown;
	return ucum;
}

/* --- reading what was typed ----------------------------------------------------------- */

/*
 * A decimal at *P ("98.6", "98,6": the user's keyboard may have either point), at most
 * INT_DIGITS.FRAC_DIGITS. Reads it by hand rather than with strtod, which follows the
 * locale and takes "1e309", "inf" and hex. Moves *P past it; -1 when there is none.
 */
static int
read_number(const char **p, double *out)
{
	const char *s = *p;
	long whole = 0, frac = 0, scale = 1;
	int nint = 0, nfrac = 0;

	while (isdigit((unsigned char)*s)) {
		if (++nint > INT_DIGITS)
			return -1;
		whole = whole * 10 + (*s++ - '0');
	}
	if ((*s == '.' || *s == ',') && isdigit((unsigned char)s[1])) {
		s++;
		while (isdigit((unsigned char)*s)) {
			if (++nfrac > FRAC_DIGITS)
				return -1;
			frac = frac * 10 + (*s++ - '0');
			scale *= 10;
		}
	}
	if (nint == 0 && nfrac == 0)
		return -1;
	*out = (double)whole + (double)frac / (double)scale;
	*p = s;
	return 0;
}

static const char *
skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/*
 * The unit word at *P, lower-cased into WORD: letters, and the marks people type for
 * units (' " # % / and the degree sign). Moves *P past it.
 */
static void
read_unit(const char **p, char *word, size_t size)
{
	const char *s = skip_blanks(*p);
	size_t n = 0;
	bool too_long = false;

	if (strncmp(s, "\xc2\xb0", 2) == 0) /* the degree sign: "37 °C" is "37 C" */
		s = skip_blanks(s + 2);
	while (*s != '\0' && (isalpha((unsigned char)*s) || strchr("'\"#%/", *s) != NULL)) {
		char c = (char)tolower((unsigned char)*s++);

		if (n + 1 < size)
			word[n++] = c;
		else
			too_long = true;
		if (c == '\'' || c == '"')
			break; /* feet and inches marks end their word: 5'9" */
	}
	word[n] = '\0';
	if (too_long) /* no unit is that long: never matches */
		snprintf(word, size, "?");
	*p = s;
}

static bool
is_any(const char *word, const char *const *names)
{
	for (; *names != NULL; names++)
		if (strcmp(word, *names) == 0)
			return true;
	return false;
}

static const char *const inch_words[] = { "in", "inch", "inches", "\"", NULL };
static const char *const foot_words[] = { "ft", "foot", "feet", "'", NULL };
static const char *const pound_words[] = { "lb", "lbs", "pound", "pounds", "#", NULL };

/* V to the nearest 1/PER: multiply then divide, so 22.7 comes out as the double nearest 22.7. */
static double
round_to(double v, double per)
{
	return round(v * per) / per;
}

/* A length: cm, m, in, ft and in; bare in the clinic's unit. */
static int
read_length(const char *s, enum vital_units units, struct vital_entry *out, char **cause)
{
	char word[16];
	double v, inches;

	if (read_number(&s, &v) < 0)
		goto bad;
	read_unit(&s, word, sizeof word);
	if (word[0] == '\0')
		snprintf(word, sizeof word, "%s", units == VITAL_UNITS_US ? "in" : "cm");
	if (is_any(word, foot_words)) {
		inches = 0;
		s = skip_blanks(s);
		if (*s != '\0') {
			if (read_number(&s, &inches) < 0)
				goto bad;
			read_unit(&s, word, sizeof word);
			if (word[0] != '\0' && !is_any(word, inch_words))
				goto bad;
			if (inches >= 12)
				goto bad;
		}
		v = v * 12 + inches;
		out->unit = "[in_i]";
	} else if (is_any(word, inch_words)) {
		out->unit = "[in_i]";
	} else if (strcmp(word, "cm") == 0) {
		out->unit = "cm";
	} else if (strcmp(word, "m") == 0) {
		v = round_to(v * 100, 100);
		out->unit = "cm";
	} else {
		goto bad;
	}
	if (*skip_blanks(s) != '\0')
		goto bad;
	out->value = v;
	return 0;
bad:
	*cause = xstrdup("Type a length such as 5'9\", 69in, 175cm or 1.75m");
	return -1;
}

/* A weight: kg, g, lb, lb and oz, oz; bare in the clinic's unit. */
static int
read_weight(const char *s, enum vital_units units, struct vital_entry *out, char **cause)
{
	static const char *const ounce_words[] = { "oz", "ounce", "ounces", NULL };
	char word[16];
	double v, oz;

	if (read_number(&s, &v) < 0)
		goto bad;
	read_unit(&s, word, sizeof word);
	if (word[0] == '\0')
		snprintf(word, sizeof word, "%s", units == VITAL_UNITS_US ? "lb" : "kg");
	if (is_any(word, pound_words)) {
		s = skip_blanks(s);
		if (*s != '\0') { /* a baby's 7 lb 3 oz */
			if (read_number(&s, &oz) < 0)
				goto bad;
			read_unit(&s, word, sizeof word);
			if (!is_any(word, ounce_words) || oz >= 16)
				goto bad;
			v += oz / 16;
		}
		out->unit = "[lb_av]";
	} else if (is_any(word, ounce_words)) {
		v /= 16;
		out->unit = "[lb_av]";
	} else if (strcmp(word, "kg") == 0 || strcmp(word, "kgs") == 0) {
		out->unit = "kg";
	} else if (strcmp(word, "g") == 0) {
		out->unit = "g";
	} else {
		goto bad;
	}
	if (*skip_blanks(s) != '\0')
		goto bad;
	out->value = v;
	return 0;
bad:
	*cause = xstrdup("Type a weight such as 154lb, 7lb 3oz, 70kg or 3400g");
	return -1;
}

static int
read_temperature(const char *s, enum vital_units units, struct vital_entry *out, char **cause)
{
	char word[16];

	if (read_number(&s, &out->value) < 0)
		goto bad;
	read_unit(&s, word, sizeof word);
	if (word[0] == '\0')
		snprintf(word, sizeof word, "%s", units == VITAL_UNITS_US ? "f" : "c");
	if (strcmp(word, "f") == 0 || strcmp(word, "degf") == 0)
		out->unit = "[degF]";
	else if (strcmp(word, "c") == 0 || strcmp(word, "degc") == 0 || strcmp(word, "cel") == 0)
		out->unit = "Cel";
	else
		goto bad;
	if (*skip_blanks(s) != '\0')
		goto bad;
	return 0;
bad:
	*cause = xstrdup("Type a temperature such as 98.6F or 37C");
	return -1;
}

/* A number with one unit it may carry (or none): a rate, a percentage. */
static int
read_plain(const char *s, const char *ucum, const char *const *words, const char *what,
    struct vital_entry *out, char **cause)
{
	char word[16];

	if (read_number(&s, &out->value) < 0)
		goto bad;
	read_unit(&s, word, sizeof word);
	if ((word[0] != '\0' && !is_any(word, words)) || *skip_blanks(s) != '\0')
		goto bad;
	out->unit = ucum;
	return 0;
bad:
	*cause = xasprintf("Type %s", what);
	return -1;
}

static int
read_pressure(const char *s, struct vital_entry *out, char **cause)
{
	static const char *const mmhg[] = { "mmhg", "mm", NULL };
	char word[16];

	if (read_number(&s, &out->value) < 0)
		goto bad;
	s = skip_blanks(s);
	if (*s++ != '/')
		goto bad;
	s = skip_blanks(s);
	if (read_number(&s, &out->diastolic) < 0)
		goto bad;
	read_unit(&s, word, sizeof word);
	if ((word[0] != '\0' && !is_any(word, mmhg)) || *skip_blanks(s) != '\0')
		goto bad;
	out->unit = "mm[Hg]";
	return 0;
bad:
	*cause = xstrdup("Type the pressure as systolic/diastolic, such as 120/80");
	return -1;
}

int
vital_parse(int sign, const char *text, enum vital_units units, struct vital_entry *out,
    char **cause)
{
	static const char *const per_minute[] = { "/min", "bpm", "min", NULL };
	static const char *const percent[] = { "%", NULL };
	struct vital_entry e = { 0 };
	const char *s = skip_blanks(text != NULL ? text : "");
	int rc;

	if (sign < 0 || sign >= VITAL_SIGNS) {
		*cause = xstrdup("No such vital sign");
		return -1;
	}
	if (*s == '\0') {
		*out = e;
		return 0;
	}
	if (*s == '-') {
		*cause = xasprintf("%s cannot be negative", signs[sign].label);
		return -1;
	}
	switch (sign) {
	case CHART_VITAL_BP:
		rc = read_pressure(s, &e, cause);
		break;
	case CHART_VITAL_HR:
		rc = read_plain(s, "/min", per_minute, "the heart rate in beats a minute, such as 72",
		    &e, cause);
		break;
	case CHART_VITAL_RR:
		rc = read_plain(s, "/min", per_minute,
		    "the respiratory rate in breaths a minute, such as 16", &e, cause);
		break;
	case CHART_VITAL_TEMP:
		rc = read_temperature(s, units, &e, cause);
		break;
	case CHART_VITAL_SPO2:
		rc = read_plain(s, "%", percent, "the saturation in percent, such as 98", &e, cause);
		if (rc == 0 && e.value > 100) {
			*cause = xstrdup("SpO2 cannot be over 100%");
			rc = -1;
		}
		break;
	case CHART_VITAL_HEIGHT:
	case VITAL_HEAD:
		rc = read_length(s, units, &e, cause);
		break;
	case CHART_VITAL_WEIGHT:
		rc = read_weight(s, units, &e, cause);
		break;
	default: /* BMI */
		*cause = xstrdup("BMI is computed from the height and the weight");
		rc = -1;
		break;
	}
	if (rc < 0)
		return -1;
	if (e.value == 0 || (sign == CHART_VITAL_BP && e.diastolic == 0)) {
		*cause = xasprintf("%s cannot be zero", signs[sign].label);
		return -1;
	}
	e.set = true;
	*out = e;
	return 0;
}

/* --- showing ---------------------------------------------------------------------------- */

double
vital_metric(int sign, const struct vital_entry *e)
{
	(void)sign;
	if (strcmp(e->unit, "[in_i]") == 0)
		return e->value * 2.54;
	if (strcmp(e->unit, "[lb_av]") == 0)
		return e->value * 0.45359237;
	if (strcmp(e->unit, "g") == 0)
		return e->value / 1000;
	if (strcmp(e->unit, "[degF]") == 0)
		return (e->value - 32) * 5 / 9;
	return e->value;
}

/* V with at most DIGITS decimals, trailing zeros (and a bare point) dropped: "154", "69.9". */
static void
decimal(double v, int digits, char *out, size_t size)
{
	size_t n;

	snprintf(out, size, "%.*f", digits, v);
	if (strchr(out, '.') == NULL)
		return;
	n = strlen(out);
	while (n > 0 && out[n - 1] == '0')
		out[--n] = '\0';
	if (n > 0 && out[n - 1] == '.')
		out[--n] = '\0';
}

/* INCHES as feet and inches: 5' 9", 5' 9.5". */
static void
feet_inches(double inches, char *out, size_t size)
{
	double r = round_to(inches, 2);
	char in[16];

	decimal(fmod(r, 12), 1, in, sizeof in);
	snprintf(out, size, "%d' %s\"", (int)(r / 12), in);
}

void
vital_show(int sign, const struct vital_entry *e, enum vital_units units, char *out, size_t size)
{
	char a[32], b[32], n[24];
	double m;
	bool us = units == VITAL_UNITS_US;

	if (e == NULL || !e->set || sign < 0 || sign >= VITAL_SIGNS) {
		snprintf(out, size, "%s", "");
		return;
	}
	m = vital_metric(sign, e);
	switch (sign) {
	case CHART_VITAL_BP:
		snprintf(out, size, "%.0f/%.0f mmHg", e->value, e->diastolic);
		return;
	case CHART_VITAL_HEIGHT:
		feet_inches(m / 2.54, a, sizeof a);
		decimal(m, 1, n, sizeof n);
		snprintf(b, sizeof b, "%s cm", n);
		break;
	case VITAL_HEAD:
		decimal(m / 2.54, 1, n, sizeof n);
		snprintf(a, sizeof a, "%s in", n);
		decimal(m, 1, n, sizeof n);
		snprintf(b, sizeof b, "%s cm", n);
		break;
	case CHART_VITAL_WEIGHT: /* a baby's weight in kg to 10 g */
		decimal(m / 0.45359237, 1, n, sizeof n);
		snprintf(a, sizeof a, "%s lb", n);
		decimal(m, m < 10 ? 2 : 1, n, sizeof n);
		snprintf(b, sizeof b, "%s kg", n);
		break;
	case CHART_VITAL_TEMP:
		snprintf(a, sizeof a, "%.1f F", m * 9 / 5 + 32);
		snprintf(b, sizeof b, "%.1f C", m);
		break;
	default:
		decimal(e->value, 1, n, sizeof n);
		snprintf(out, size, "%s %s", n, shown_unit(e->unit));
		return;
	}
	snprintf(out, size, "%s [%s]", us ? a : b, us ? b : a);
}

/* --- checks ----------------------------------------------------------------------------- */

bool
vitals_bmi(const struct vitals_set *s, struct vital_entry *out)
{
	const struct vital_entry *h = &s->sign[CHART_VITAL_HEIGHT], *w = &s->sign[CHART_VITAL_WEIGHT];
	double m;

	if (!h->set || !w->set)
		return false;
	m = vital_metric(CHART_VITAL_HEIGHT, h) / 100;
	if (m <= 0)
		return false;
	*out = (struct vital_entry){ .set = true, .unit = "kg/m2",
		.value = round_to(vital_metric(CHART_VITAL_WEIGHT, w) / (m * m), 10) };
	return true;
}

/* The plausible range of each sign in its metric unit: outside it, ask before saving. */
static const struct {
	double low, high;
	const char *unit;
} plausible[VITAL_SIGNS] = {
	[CHART_VITAL_BP] = { 50, 280, "mmHg" }, /* systolic; diastolic below */
	[CHART_VITAL_HR] = { 25, 250, "/min" },
	[CHART_VITAL_RR] = { 4, 80, "/min" },
	[CHART_VITAL_TEMP] = { 30, 43, "C" },
	[CHART_VITAL_SPO2] = { 50, 100, "%" },
	[CHART_VITAL_HEIGHT] = { 25, 250, "cm" },
	[CHART_VITAL_WEIGHT] = { 0.3, 350, "kg" },
	[CHART_VITAL_BMI] = { 10, 80, "kg/m2" },
	[VITAL_HEAD] = { 20, 70, "cm" },
};

static void
doubt(char **doubts, size_t max, size_t *n, char *sentence)
{
	if (*n < max)
		doubts[(*n)++] = sentence;
	else
		free(sentence);
}

size_t
vitals_doubts(const struct vitals_set *s, char **doubts, size_t max)
{
	struct vital_entry bmi;
	size_t n = 0;
	char shown[64];

	for (int i = 0; i < VITAL_SIGNS; i++) {
		const struct vital_entry *e = i == CHART_VITAL_BMI && !s->sign[i].set &&
		        vitals_bmi(s, &bmi) ? &bmi : &s->sign[i];
		double m;

		if (!e->set)
			continue;
		m = vital_metric(i, e);
		vital_show(i, e, VITAL_UNITS_METRIC, shown, sizeof shown);
		if (m < plausible[i].low || m > plausible[i].high)
			doubt(doubts, max, &n,
			    xasprintf("%s %s is outside %g-%g %s", signs[i].label, shown,
				plausible[i].low, plausible[i].high, plausible[i].unit));
		if (i != CHART_VITAL_BP)
			continue;
		if (e->value <= e->diastolic)
			doubt(doubts, max, &n,
			    xasprintf("BP %s: the systolic is not above the diastolic", shown));
		else if (e->diastolic < 20 || e->diastolic > 180)
			doubt(doubts, max, &n,
			    xasprintf("BP %s: the diastolic is outside 20-180 mmHg", shown));
	}
	return n;
}

/* --- the save ---------------------------------------------------------------------------- */

static cJSON *
quantity(double value, const char *ucum)
{
	cJSON *q = cJSON_CreateObject();

	cJSON_AddNumberToObject(q, "value", value);
	cJSON_AddStringToObject(q, "unit", shown_unit(ucum));
	cJSON_AddStringToObject(q, "system", UCUM);
	cJSON_AddStringToObject(q, "code", ucum);
	return q;
}

static cJSON *
loinc(const char *code, const char *display)
{
	return fhir_codeable(LOINC, code, display);
}

static void
add_component(cJSON *components, const char *code, const char *display, double value)
{
	cJSON *c = cJSON_CreateObject();

	cJSON_AddItemToObject(c, "code", loinc(code, display));
	cJSON_AddItemToObject(c, "valueQuantity", quantity(value, "mm[Hg]"));
	cJSON_AddItemToArray(components, c);
}

static cJSON *
observation(const struct vitals_set *s, int sign, const struct vital_entry *e, const char *rid)
{
	cJSON *o = cJSON_CreateObject(), *cat = cJSON_CreateArray(), *code, *ref;
	char *text;

	cJSON_AddStringToObject(o, "resourceType", "Observation");
	cJSON_AddStringToObject(o, "status", "final");
	cJSON_AddItemToArray(cat, fhir_codeable(CATEGORY, "vital-signs", "Vital Signs"));
	cJSON_AddItemToObject(o, "category", cat);
	code = loinc(signs[sign].code, signs[sign].display);
	if (sign == CHART_VITAL_SPO2) { /* US Core's pulse oximetry profile wants both codes */
		cJSON *also = loinc("2708-6", "Oxygen saturation in Arterial blood");

		cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(code, "coding"),
		    cJSON_DetachItemFromArray(cJSON_GetObjectItemCaseSensitive(also, "coding"), 0));
		cJSON_Delete(also);
	}
	cJSON_AddItemToObject(o, "code", code);
	text = xasprintf("Patient/%s", s->patient);
	ref = cJSON_CreateObject();
	cJSON_AddStringToObject(ref, "reference", text);
	cJSON_AddItemToObject(o, "subject", ref);
	free(text);
	if (s->encounter != NULL && s->encounter[0] != '\0') {
		text = xasprintf("Encounter/%s", s->encounter);
		ref = cJSON_CreateObject();
		cJSON_AddStringToObject(ref, "reference", text);
		cJSON_AddItemToObject(o, "encounter", ref);
		free(text);
	}
	cJSON_AddStringToObject(o, "effectiveDateTime", s->when);
	if (sign == CHART_VITAL_BP) {
		cJSON *components = cJSON_AddArrayToObject(o, "component");

		add_component(components, "8480-6", "Systolic blood pressure", e->value);
		add_component(components, "8462-4", "Diastolic blood pressure", e->diastolic);
	} else {
		cJSON_AddItemToObject(o, "valueQuantity", quantity(e->value, e->unit));
	}
	fhir_add_request_id(o, rid);
	return o;
}

struct fhir_plan *
vitals_plan(const struct vitals_set *s, const char *request_id, char **cause)
{
	struct vital_entry bmi;
	struct fhir_plan *p;
	size_t n = 0;

	if (s->patient == NULL || s->patient[0] == '\0' || s->when == NULL || s->when[0] == '\0' ||
	    request_id == NULL || request_id[0] == '\0') {
		*cause = xstrdup("The vital signs lack the patient, the time or a request "
				 "identifier");
		return NULL;
	}
	p = fhir_plan_new();
	for (int i = 0; i < VITAL_SIGNS; i++) {
		const struct vital_entry *e = &s->sign[i];
		char *rid;
		cJSON *o;
		struct fhir_search *guard;
		int step;

		if (i == CHART_VITAL_BMI && !e->set && vitals_bmi(s, &bmi))
			e = &bmi;
		if (!e->set)
			continue;
		rid = xasprintf("%s.%d", request_id, i + 1);
		o = observation(s, i, e, rid);
		guard = fhir_request_search("Observation", rid);
		step = fhir_plan_create(p, o, guard);
		fhir_search_free(&guard);
		cJSON_Delete(o);
		free(rid);
		if (step < 0) {
			*cause = xstrdup("The vital signs could not be put in one save");
			fhir_plan_free(&p);
			return NULL;
		}
		n++;
	}
	if (n == 0) {
		*cause = xstrdup("No vital sign was entered");
		fhir_plan_free(&p);
		return NULL;
	}
	return p;
}
