/*
 * Fuzz target: vital signs as a clinician types them (vital_parse), shown in the clinic's
 * units and read back (vital_show), a whole set's BMI, doubts and save (vitals_bmi,
 * vitals_doubts, vitals_plan), and a server's quantity rounded for display (chart_quantity).
 */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <stdlib.h>

#include "fhir/chart.h"
#include "fhir/vitals.h"
#include "fuzz.h"

#define ID "p1"
#define WHEN "2026-12-02T09:30:00-05:00"

/*
 * The first byte: a sign (0 to VITAL_SIGNS - 1) and the text for it; a whole set, a line a
 * sign in vitals' order; or chart_quantity's eight bytes of a double, a byte (a lab's
 * rounding or not) and the unit. The second byte's low bit: the clinic's units.
 */
enum { DO_SET = VITAL_SIGNS, DO_QUANTITY, DO_COUNT };

static struct fhir_client *fc;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *cause = NULL;

	(void)argc;
	(void)argv;
	/* The decimal point is '.', as the program's is for the numbers it writes and reads. */
	setlocale(LC_ALL, "C.UTF-8");
	fc = fhir_client_new(NULL, "https://fhir.example.org/r4", &cause);
	return fc != NULL ? 0 : 1;
}

/* --- what the header promises -------------------------------------------------------- */

/* Printable ASCII only: what the form and the doubts put on screen. */
static void
check_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		FUZZ_CHECK(*s >= 0x20 && *s < 0x7f);
}

static bool
blank(const char *s)
{
	return s[strspn(s, " \t")] == '\0';
}

static bool
unit_is(const struct vital_entry *e, const char *a, const char *b, const char *c)
{
	return e->unit != NULL && ((a && strcmp(e->unit, a) == 0) || (b && strcmp(e->unit, b) == 0) ||
	    (c && strcmp(e->unit, c) == 0));
}

/* The UCUM units each sign is stored in (vitals.h: the value in the unit it was typed in). */
static bool
unit_fits(int sign, const struct vital_entry *e)
{
	switch (sign) {
	case CHART_VITAL_BP: return unit_is(e, "mm[Hg]", NULL, NULL);
	case CHART_VITAL_HR:
	case CHART_VITAL_RR: return unit_is(e, "/min", NULL, NULL);
	case CHART_VITAL_TEMP: return unit_is(e, "[degF]", "Cel", NULL);
	case CHART_VITAL_SPO2: return unit_is(e, "%", NULL, NULL);
	case CHART_VITAL_HEIGHT:
	case VITAL_HEAD: return unit_is(e, "[in_i]", "cm", NULL);
	case CHART_VITAL_WEIGHT: return unit_is(e, "[lb_av]", "kg", "g");
	case CHART_VITAL_BMI: return unit_is(e, "kg/m2", NULL, NULL);
	default: return false;
	}
}

/*
 * E's value in the sign's metric unit, by UCUM's definitions, apart from vital_metric: an
 * inch is 2.54 cm, a pound 0.45359237 kg, degrees Fahrenheit (F - 32) * 5/9 C.
 */
static double
metric_of(const struct vital_entry *e)
{
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

static bool
str_is(const char *a, const char *b)
{
	return a != NULL && strcmp(a, b) == 0;
}

static bool
near(double a, double b, double within)
{
	return fabs(a - b) <= within + 1e-9 * fmax(fabs(a), fabs(b));
}

/*
 * vitals.h: TEXT for SIGN is refused with a sentence, leaving OUT as it was, or read as a
 * measurement: blank clears it; otherwise a positive finite number in one of the sign's
 * units (blood pressure with a positive diastolic, SpO2 at most 100 %). The same text
 * reads the same twice. Returns what vital_parse returned.
 */
static int
parse(int sign, const char *text, enum vital_units units, struct vital_entry *out)
{
	struct vital_entry e = { .set = true, .value = 7, .unit = "cm", .diastolic = 3 }, again;
	char *cause = NULL;
	int rc = vital_parse(sign, text, units, &e, &cause);

	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc != 0) {
		FUZZ_CHECK(cause != NULL && cause[0] != '\0');
		check_ascii(cause);
		free(cause);
		FUZZ_CHECK(e.set && e.value == 7 && strcmp(e.unit, "cm") == 0 && e.diastolic == 3);
		FUZZ_CHECK(!blank(text));
		*out = (struct vital_entry){ 0 };
		return rc;
	}
	FUZZ_CHECK(cause == NULL);
	FUZZ_CHECK(e.set == !blank(text));
	if (e.set) {
		FUZZ_CHECK(sign != CHART_VITAL_BMI);
		FUZZ_CHECK(text[strspn(text, " \t")] != '-');
		FUZZ_CHECK(unit_fits(sign, &e));
		/* Five digits at most, made cm from metres at most: no room for tricks. */
		FUZZ_CHECK(isfinite(e.value) && e.value > 0 && e.value <= 1e7);
		if (sign == CHART_VITAL_BP)
			FUZZ_CHECK(isfinite(e.diastolic) && e.diastolic > 0 && e.diastolic < 1e5);
		if (sign == CHART_VITAL_SPO2)
			FUZZ_CHECK(e.value <= 100);
		/* vital_metric converts as UCUM defines the units. */
		FUZZ_CHECK(near(vital_metric(sign, &e), metric_of(&e), 1e-9));
	}
	FUZZ_CHECK(vital_parse(sign, text, units, &again, &cause) == 0);
	FUZZ_CHECK(again.set == e.set && (!e.set || (again.value == e.value &&
	    strcmp(again.unit, e.unit) == 0 && again.diastolic == e.diastolic)));
	*out = e;
	return 0;
}

/* How near a shown part reads back to the metric value M: its rounding, in metric units. */
static double
part_rounding(int sign, const char *unit, double m)
{
	if (sign == CHART_VITAL_HEIGHT && strcmp(unit, "[in_i]") == 0)
		return 0.25 * 2.54; /* feet and inches to the half inch */
	if (strcmp(unit, "[in_i]") == 0)
		return 0.05 * 2.54;
	if (strcmp(unit, "[lb_av]") == 0)
		return 0.05 * 0.45359237;
	if (strcmp(unit, "[degF]") == 0)
		return 0.05 * 5 / 9;
	if (strcmp(unit, "kg") == 0)
		return m < 10 ? 0.005 : 0.05;
	return 0.05;
}

/* One part of what vital_show wrote ("5' 9\"", "69.9 kg"), read back as SIGN: near M. */
static void
read_back(int sign, const char *part, double m, enum vital_units units)
{
	struct vital_entry e;
	char *cause = NULL;

	FUZZ_CHECK(vital_parse(sign, part, units, &e, &cause) == 0);
	FUZZ_CHECK(e.set);
	FUZZ_CHECK(near(vital_metric(sign, &e), m, part_rounding(sign, e.unit, m)));
}

/*
 * vitals.h: E shown in the clinic's units with the other in brackets, printable; and
 * for a value that needs no second look (PLAUSIBLE), each part reads back as what it
 * shows, within the rounding of its last digit.
 */
static void
show(int sign, const struct vital_entry *e, enum vital_units units, bool plausible)
{
	char out[64], small[8], first[64], second[64], *open;
	double m;

	vital_show(sign, e, units, out, sizeof out);
	FUZZ_CHECK(memchr(out, '\0', sizeof out) != NULL);
	check_ascii(out);
	/* A buffer too small is cut, never overrun. */
	vital_show(sign, e, units, small, sizeof small);
	FUZZ_CHECK(strlen(small) < sizeof small && strncmp(small, out, strlen(small)) == 0);
	if (!e->set) {
		FUZZ_CHECK(out[0] == '\0');
		return;
	}
	FUZZ_CHECK(out[0] != '\0');
	m = vital_metric(sign, e);
	open = strstr(out, " [");
	switch (sign) {
	case CHART_VITAL_HEIGHT:
	case VITAL_HEAD:
	case CHART_VITAL_WEIGHT:
	case CHART_VITAL_TEMP:
		FUZZ_CHECK(open != NULL && out[strlen(out) - 1] == ']');
		snprintf(first, sizeof first, "%.*s", (int)(open - out), out);
		snprintf(second, sizeof second, "%.*s", (int)strlen(open + 2) - 1, open + 2);
		/* The clinic's unit first. */
		if (units == VITAL_UNITS_US)
			FUZZ_CHECK(strstr(second, " cm") != NULL || strstr(second, " kg") != NULL ||
			    strstr(second, " C") != NULL);
		else
			FUZZ_CHECK(strstr(first, " cm") != NULL || strstr(first, " kg") != NULL ||
			    strstr(first, " C") != NULL);
		if (plausible) {
			read_back(sign, first, m, units);
			read_back(sign, second, m, units);
		}
		break;
	case CHART_VITAL_BP:
		FUZZ_CHECK(open == NULL);
		if (plausible) {
			struct vital_entry back;
			char *cause = NULL;

			FUZZ_CHECK(vital_parse(sign, out, units, &back, &cause) == 0);
			FUZZ_CHECK(near(back.value, e->value, 0.5) && near(back.diastolic, e->diastolic, 0.5));
		}
		break;
	case CHART_VITAL_BMI:
		FUZZ_CHECK(open == NULL);
		break;
	default:
		FUZZ_CHECK(open == NULL);
		if (plausible)
			read_back(sign, out, m, units);
		break;
	}
}

/* The doubts about SET (owned sentences), and whether sign I has one. */
struct doubts {
	char *v[16];
	size_t n;
};

static bool
doubted(const struct doubts *d, int sign)
{
	const char *label = vital_label(sign);
	size_t len = strlen(label);

	for (size_t i = 0; i < d->n; i++)
		if (strncmp(d->v[i], label, len) == 0 && d->v[i][len] == ' ')
			return true;
	return false;
}

/*
 * vitals.h: the doubts are at most MAX sentences, printable; a weight over 350 kg and a
 * systolic pressure not above the diastolic are always among them.
 */
static void
check_doubts(const struct vitals_set *s, struct doubts *d)
{
	char *few[1];
	size_t n;

	d->n = vitals_doubts(s, d->v, sizeof d->v / sizeof d->v[0]);
	FUZZ_CHECK(d->n <= sizeof d->v / sizeof d->v[0]);
	for (size_t i = 0; i < d->n; i++) {
		FUZZ_CHECK(d->v[i] != NULL && d->v[i][0] != '\0');
		check_ascii(d->v[i]);
	}
	if (s->sign[CHART_VITAL_WEIGHT].set &&
	    metric_of(&s->sign[CHART_VITAL_WEIGHT]) > 350)
		FUZZ_CHECK(doubted(d, CHART_VITAL_WEIGHT));
	if (s->sign[CHART_VITAL_BP].set &&
	    s->sign[CHART_VITAL_BP].value <= s->sign[CHART_VITAL_BP].diastolic)
		FUZZ_CHECK(doubted(d, CHART_VITAL_BP));
	/* Fewer asked for: the first ones, the rest freed. */
	n = vitals_doubts(s, few, 1);
	FUZZ_CHECK(n == (d->n > 0 ? 1 : 0));
	if (n > 0) {
		FUZZ_CHECK(strcmp(few[0], d->v[0]) == 0);
		free(few[0]);
	}
}

static void
doubts_free(struct doubts *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i]);
	d->n = 0;
}

/* The sign an Observation of the save is, by its LOINC code; -1 when none. */
static int
sign_of(const cJSON *o)
{
	const char *code = fhir_get_string(cJSON_GetArrayItem(fhir_get_array(fhir_get_object(o,
	    "code"), "coding"), 0), "code");
	static const char *const codes[VITAL_SIGNS] = {
		[CHART_VITAL_BP] = "85354-9", [CHART_VITAL_HR] = "8867-4",
		[CHART_VITAL_RR] = "9279-1", [CHART_VITAL_TEMP] = "8310-5",
		[CHART_VITAL_SPO2] = "59408-5", [CHART_VITAL_HEIGHT] = "8302-2",
		[CHART_VITAL_WEIGHT] = "29463-7", [CHART_VITAL_BMI] = "39156-5",
		[VITAL_HEAD] = "9843-4",
	};

	for (int i = 0; code != NULL && i < VITAL_SIGNS; i++)
		if (strcmp(code, codes[i]) == 0)
			return i;
	return -1;
}

/* A component's or the Observation's quantity: VALUE in UCUM's UNIT. */
static bool
quantity_is(const cJSON *q, double value, const char *unit)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(q, "value");

	return cJSON_IsNumber(v) && v->valuedouble == value && str_is(fhir_get_string(q, "code"), unit) &&
	    str_is(fhir_get_string(q, "system"), "http://unitsofmeasure.org");
}

/*
 * vitals.h: the save is one Observation a sign entered, and BMI computed when the set
 * has height and weight; each of the patient, at the time, with the value exactly as
 * typed in the unit typed (the blood pressure's two in components). No sign, no save.
 */
static void
check_plan(const struct vitals_set *s, const struct vital_entry *bmi)
{
	struct fhir_plan *p;
	char *cause = NULL;
	size_t want = 0, seen[VITAL_SIGNS] = { 0 };
	cJSON *bundle;
	const cJSON *e;

	for (int i = 0; i < VITAL_SIGNS; i++)
		want += s->sign[i].set || (i == CHART_VITAL_BMI && bmi->set);
	p = vitals_plan(s, "rq", &cause);
	if (want == 0) {
		FUZZ_CHECK(p == NULL && cause != NULL);
		free(cause);
		return;
	}
	FUZZ_CHECK(p != NULL);
	FUZZ_CHECK(fhir_plan_steps(p) == want);
	bundle = fhir_plan_transaction(p, fc);
	FUZZ_CHECK(bundle != NULL);
	cJSON_ArrayForEach(e, fhir_get_array(bundle, "entry"))
	{
		const cJSON *o = fhir_get_object(e, "resource");
		int i = sign_of(o);
		const struct vital_entry *v;

		FUZZ_CHECK(i >= 0 && seen[i]++ == 0);
		v = i == CHART_VITAL_BMI && !s->sign[i].set ? bmi : &s->sign[i];
		FUZZ_CHECK(v->set);
		FUZZ_CHECK(str_is(fhir_get_string(fhir_get_object(o, "subject"), "reference"),
		    "Patient/" ID));
		FUZZ_CHECK(str_is(fhir_get_string(o, "effectiveDateTime"), WHEN));
		if (i == CHART_VITAL_BP) {
			const cJSON *c = fhir_get_array(o, "component");

			FUZZ_CHECK(quantity_is(fhir_get_object(cJSON_GetArrayItem(c, 0), "valueQuantity"),
			    v->value, "mm[Hg]"));
			FUZZ_CHECK(quantity_is(fhir_get_object(cJSON_GetArrayItem(c, 1), "valueQuantity"),
			    v->diastolic, "mm[Hg]"));
		} else {
			FUZZ_CHECK(quantity_is(fhir_get_object(o, "valueQuantity"), v->value, v->unit));
		}
	}
	cJSON_Delete(bundle);
	fhir_plan_free(&p);
}

/*
 * A set, a line a sign: each read and shown; BMI from the height and the weight, as
 * their metric values say; the doubts; the save.
 */
static void
whole_set(char *text, enum vital_units units)
{
	struct vitals_set s = { .patient = ID, .when = WHEN };
	struct vital_entry bmi = { 0 };
	struct doubts d = { 0 };
	char *line = text;

	for (int i = 0; i < VITAL_SIGNS && line != NULL; i++) {
		char *nl = strchr(line, '\n');

		if (nl != NULL)
			*nl = '\0';
		parse(i, line, units, &s.sign[i]);
		line = nl != NULL ? nl + 1 : NULL;
	}
	if (vitals_bmi(&s, &bmi)) {
		double cm = metric_of(&s.sign[CHART_VITAL_HEIGHT]);
		double kg = metric_of(&s.sign[CHART_VITAL_WEIGHT]);

		FUZZ_CHECK(s.sign[CHART_VITAL_HEIGHT].set && s.sign[CHART_VITAL_WEIGHT].set);
		FUZZ_CHECK(bmi.set && strcmp(bmi.unit, "kg/m2") == 0 && isfinite(bmi.value));
		FUZZ_CHECK(near(bmi.value, kg / (cm / 100 * cm / 100), 0.05));
	} else {
		FUZZ_CHECK(!s.sign[CHART_VITAL_HEIGHT].set || !s.sign[CHART_VITAL_WEIGHT].set);
		bmi.set = false;
	}
	check_doubts(&s, &d);
	for (int i = 0; i < VITAL_SIGNS; i++)
		show(i, i == CHART_VITAL_BMI && !s.sign[i].set ? &bmi : &s.sign[i], units,
		    !doubted(&d, i));
	doubts_free(&d);
	check_plan(&s, &bmi);
}

/* One sign: read, doubted or not alone, shown, read back. */
static void
one_sign(int sign, const char *text, enum vital_units units)
{
	struct vitals_set s = { .patient = ID, .when = WHEN };
	struct doubts d = { 0 };

	if (parse(sign, text, units, &s.sign[sign]) != 0)
		return;
	check_doubts(&s, &d);
	show(sign, &s.sign[sign], units, s.sign[sign].set && d.n == 0);
	doubts_free(&d);
}

/*
 * chart.h: a server's quantity for display: a finite value under 1e12 rounded (vitals to
 * one decimal, labs by their size), no zero after the point, never "-0", then the unit
 * made readable; anything else "?" and the unit.
 */
static void
quantity(const uint8_t *data, size_t size)
{
	double v;
	bool lab;
	char *unit, out[96], small[6], *end;
	const char *u;
	int decimals;
	double got;
	size_t n;

	if (size < 9)
		return;
	memcpy(&v, data, sizeof v);
	lab = data[8] & 1;
	unit = fuzz_string(data + 9, size - 9);
	u = strcmp(unit, "Cel") == 0 ? "C" : strcmp(unit, "[degF]") == 0 ? "F"
	    : strcmp(unit, "mm[Hg]") == 0 ? "mmHg"
	    : strcmp(unit, "{score}") == 0 || strcmp(unit, "{T-score}") == 0 ? "" : unit;
	chart_quantity(v, unit, lab, out, sizeof out);
	chart_quantity(v, unit, lab, small, sizeof small);
	FUZZ_CHECK(strlen(small) < sizeof small && strncmp(small, out, strlen(small)) == 0);
	if (!isfinite(v) || fabs(v) >= 1e12) {
		FUZZ_CHECK(out[0] == '?');
	} else {
		decimals = !lab ? 1 : fabs(v) >= 100 ? 0 : fabs(v) >= 10 ? 1 : 2;
		got = strtod(out, &end);
		FUZZ_CHECK(end != out);
		FUZZ_CHECK(near(got, v, 0.5 * pow(10, -decimals)));
		n = (size_t)(end - out);
		FUZZ_CHECK(strchr("0123456789", out[n - 1]) != NULL);
		FUZZ_CHECK(memchr(out, '.', n) == NULL || out[n - 1] != '0');
		FUZZ_CHECK(!(n == 2 && out[0] == '-' && out[1] == '0'));
		if (strlen(out) + 1 < sizeof out) { /* not cut */
			if (*u != '\0')
				FUZZ_CHECK(end[0] == ' ' && strcmp(end + 1, u) == 0);
			else
				FUZZ_CHECK(*end == '\0');
		}
	}
	free(unit);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int what;
	enum vital_units units;
	char *text;

	if (size < 2)
		return 0;
	what = data[0] % DO_COUNT;
	units = data[1] & 1 ? VITAL_UNITS_METRIC : VITAL_UNITS_US;
	if (what == DO_QUANTITY) {
		quantity(data + 1, size - 1);
		return 0;
	}
	text = fuzz_string(data + 2, size - 2);
	if (what == DO_SET)
		whole_set(text, units);
	else
		one_sign(what, text, units);
	free(text);
	return 0;
}
