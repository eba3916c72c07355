/* Charting, reading: the cover-sheet batch and its panes, JSON in, typed rows out. */
#include "config.h"

#include "fhir/allergy.h"
#include "fhir/chart.h"
#include "fhir/encounter.h"
#include "fhir/medication.h"
#include "fhir/plan.h"
#include "fhir/schedule.h"
#include "util/base64.h"
#include "util/xmalloc.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOINC "http://loinc.org"
#define ICD10CM "http://hl7.org/fhir/sid/icd-10-cm"
#define SNOMED "http://snomed.info/sct"
#define CVX "http://hl7.org/fhir/sid/cvx"
#define FORECAST_STATUS "http://terminology.hl7.org/CodeSystem/immunization-recommendation-status"
#define RECOMMENDATION "ImmunizationRecommendation"
/* ImmunizationRecommendation's date criteria, by their LOINC codes. */
#define DATE_DUE "30980-7"
#define DATE_EARLIEST "30981-5"
#define DATE_LATEST "59777-3"
#define DATE_OVERDUE "59778-1"

/* Rows of the cover sheet's longer panes: a screen's worth; the full list pages the rest. */
#define COVER_COUNT "10"

// clang-format off
static const struct {
	const char *title, *type;
} panes[CHART_PANES] = {
	[CHART_ALLERGIES] = { "Allergies", "AllergyIntolerance" },
	[CHART_PROBLEMS] = { "Problems", "Condition" },
	[CHART_MEDICATIONS] = { "Medications", "MedicationRequest" },
	[CHART_VITALS] = { "Vitals", "Observation" },
	[CHART_LABS] = { "Labs", "Observation" },
	[CHART_IMMUNIZATIONS] = { "Immunizations", "Immunization" },
	[CHART_NOTES] = { "Notes", "DocumentReference" },
	[CHART_APPOINTMENTS] = { "Appointments", "Appointment" },
};

/*
 * Each vital sign by its current US Core LOINC code and the older ones sample data
 * still carries (55284-4 for blood pressure, 8331-1 oral temperature, 2708-6 SpO2).
 */
static const struct {
	const char *label;
	const char *codes; /* the search's code parameter */
} vitals[CHART_VITAL_COUNT] = {
	[CHART_VITAL_BP] = { "BP", LOINC "|85354-9," LOINC "|55284-4" },
	[CHART_VITAL_HR] = { "Pulse", LOINC "|8867-4" },
	[CHART_VITAL_RR] = { "Resp", LOINC "|9279-1" },
	[CHART_VITAL_TEMP] = { "Temp", LOINC "|8310-5," LOINC "|8331-1" },
	[CHART_VITAL_SPO2] = { "SpO2", LOINC "|59408-5," LOINC "|2708-6" },
	[CHART_VITAL_HEIGHT] = { "Height", LOINC "|8302-2" },
	[CHART_VITAL_WEIGHT] = { "Weight", LOINC "|29463-7" },
	[CHART_VITAL_BMI] = { "BMI", LOINC "|39156-5" },
};

/*
 * The elements each pane's rows need (choice types by their base name, as _elements
 * takes them), and the one naming the patient, which is checked.
 */
static const struct {
	const char *elements;
	const char *patient; /* "subject", "patient", or NULL: Appointment's participants */
} reads[CHART_PANES] = {
	[CHART_ALLERGIES] = { "patient,code,criticality,clinicalStatus,verificationStatus,reaction", "patient" },
	[CHART_PROBLEMS] = { "subject,code,clinicalStatus,verificationStatus,onset,recordedDate", "subject" },
	[CHART_MEDICATIONS] = { "subject,medication,contained,dosageInstruction,authoredOn,status,intent", "subject" },
	[CHART_VITALS] = { "subject,code,status,value,component,effective", "subject" },
	[CHART_LABS] = { "subject,code,status,value,interpretation,referenceRange,effective", "subject" },
	[CHART_IMMUNIZATIONS] = { "patient,vaccineCode,status,occurrence", "patient" },
	[CHART_NOTES] = { "subject,type,status,docStatus,date,author,description", "subject" },
	[CHART_APPOINTMENTS] = { "participant,status,start,description,appointmentType,serviceType", NULL },
};

// clang-format on

const char *
chart_pane_title(enum chart_pane pane)
{
	return pane < CHART_PANES ? panes[pane].title : "";
}

const char *
chart_pane_type(enum chart_pane pane)
{
	return pane < CHART_PANES ? panes[pane].type : "";
}

const char *
chart_vital_label(enum chart_vital v)
{
	return v < CHART_VITAL_COUNT ? vitals[v].label : "";
}

/* --- the batch ------------------------------------------------------------------------ */

static struct fhir_search *
pane_search(enum chart_pane pane, const char *id, const char *count)
{
	struct fhir_search *s = fhir_search_new(panes[pane].type);

	fhir_search_add(s, "patient", id);
	fhir_search_add(s, "_elements", reads[pane].elements);
	fhir_search_add(s, "_count", count);
	/* The notes' authors come with them: names from their records, not the displays. */
	if (pane == CHART_NOTES)
		fhir_search_add(s, "_include", "DocumentReference:author");
	return s;
}

static void
add(cJSON *entries, const struct fhir_client *fc, struct fhir_search **s)
{
	fhir_batch_add_search(entries, fc, *s);
	fhir_search_free(s);
}

size_t
chart_cover_entries(void)
{
	/* The Patient, a search per pane, one more per vital sign, the forecasts. */
	return 1 + (CHART_PANES - 1) + CHART_VITAL_COUNT + 1;
}

struct fhir_search *
chart_due_search(const char *id)
{
	struct fhir_search *s = fhir_search_new(RECOMMENDATION);

	fhir_search_add(s, "patient", id);
	fhir_search_add(s, "_elements", "patient,date,recommendation");
	fhir_search_add(s, "_sort", "-date");
	fhir_search_add(s, "_count", COVER_COUNT);
	return s;
}

cJSON *
chart_cover_batch(const struct fhir_client *fc, const char *id, const struct date *today)
{
	cJSON *entries, *batch = fhir_batch_new(&entries);
	struct fhir_search *s;
	char from[DATE_BUF_SIZE + 2];

	fhir_batch_add_read(entries, "Patient", id);

	s = pane_search(CHART_ALLERGIES, id, "50");
	add(entries, fc, &s);

	s = pane_search(CHART_PROBLEMS, id, "50");
	fhir_search_add(s, "category", "problem-list-item");
	fhir_search_add(s, "clinical-status", "active");
	add(entries, fc, &s);

	s = pane_search(CHART_MEDICATIONS, id, "50");
	fhir_search_add(s, "status", "active");
	add(entries, fc, &s);

	/* No $lastn assumed: one search per vital sign, the newest one row. */
	for (int v = 0; v < CHART_VITAL_COUNT; v++) {
		s = pane_search(CHART_VITALS, id, "1");
		fhir_search_add(s, "code", vitals[v].codes);
		fhir_search_add(s, "_sort", "-date");
		add(entries, fc, &s);
	}

	s = pane_search(CHART_LABS, id, COVER_COUNT);
	fhir_search_add(s, "category", "laboratory");
	fhir_search_add(s, "_sort", "-date");
	add(entries, fc, &s);

	s = pane_search(CHART_IMMUNIZATIONS, id, COVER_COUNT);
	fhir_search_add(s, "_sort", "-date");
	add(entries, fc, &s);

	s = pane_search(CHART_NOTES, id, "5");
	fhir_search_add(s, "_sort", "-date");
	add(entries, fc, &s);

	s = pane_search(CHART_APPOINTMENTS, id, "5");
	date_format_iso(today, from + 2, sizeof from - 2);
	memcpy(from, "ge", 2);
	fhir_search_add(s, "date", from);
	fhir_search_add(s, "_sort", "date");
	add(entries, fc, &s);

	/* Last, so the panes' entries keep their places: what is due, beside what was given. */
	s = chart_due_search(id);
	add(entries, fc, &s);
	return batch;
}

/* --- reading rows --------------------------------------------------------------------- */

/* CONCEPT's words: its text, else the first coding's display, else its first code; NULL when none. */
static const char *
concept_text(const cJSON *concept)
{
	const char *s = fhir_get_string(concept, "text");
	const cJSON *c;

	if (s != NULL && *s != '\0')
		return s;
	cJSON_ArrayForEach(c, fhir_get_array(concept, "coding"))
	{
		if ((s = fhir_get_string(c, "display")) != NULL && *s != '\0')
			return s;
	}
	return fhir_first_code(concept);
}

static char *
dup_or_empty(const char *s)
{
	return xstrdup(s != NULL ? s : "");
}

/*
 * The date part of a FHIR date or dateTime ("2020-10-01T05:26:09+00:00" -> "2020-10-01"),
 * with the time as well when WITH_TIME ("2020-10-01 05:26"). Partial dates ("2020") stay.
 */
static char *
date_part(const char *s, bool with_time)
{
	size_t n = 0;
	char *out;

	if (s == NULL)
		return xstrdup("");
	while (s[n] != '\0' && s[n] != 'T' && n < 10)
		n++;
	if (!with_time || s[n] != 'T' || strlen(s + n) < 6)
		return xstrndup(s, n);
	out = xmalloc(n + 7);
	memcpy(out, s, n);
	out[n] = ' ';
	memcpy(out + n + 1, s + n + 1, 5);
	out[n + 6] = '\0';
	return out;
}

char *
chart_when(const char *s, bool with_time)
{
	struct date_time local;

	if (sched_instant_parse(s, &local) != 0)
		return date_part(s, with_time);
	if (!with_time)
		return xasprintf("%04d-%02d-%02d", local.date.year, local.date.month, local.date.day);
	return xasprintf("%04d-%02d-%02d %02d:%02d", local.date.year, local.date.month,
	    local.date.day, local.hour, local.minute);
}

/* The start of an effective[x] or onset[x]: the dateTime, else the period's start. */
static const char *
when_of(const cJSON *r, const char *date_time, const char *period)
{
	const char *s = fhir_get_string(r, date_time);

	return s != NULL ? s : fhir_get_string(fhir_get_object(r, period), "start");
}

static const char *
unit_text(const char *unit)
{
	if (unit == NULL)
		return "";
	if (strcmp(unit, "Cel") == 0)
		return "C";
	if (strcmp(unit, "[degF]") == 0)
		return "F";
	if (strcmp(unit, "mm[Hg]") == 0)
		return "mmHg";
	if (strcmp(unit, "{score}") == 0 || strcmp(unit, "{T-score}") == 0)
		return "";
	return unit;
}

void
chart_quantity(double value, const char *unit, bool lab, char *out, size_t size)
{
	const char *u = unit_text(unit);
	int decimals = 1;
	char num[48];
	size_t n;

	if (!isfinite(value) || fabs(value) >= 1e12) {
		snprintf(out, size, "?%s%s", *u ? " " : "", u);
		return;
	}
	if (lab)
		decimals = fabs(value) >= 100 ? 0 : fabs(value) >= 10 ? 1 : 2;
	snprintf(num, sizeof num, "%.*f", decimals, value);
	/* 174.10 -> 174.1, 66.0 -> 66: a zero after the point says nothing. */
	if (strchr(num, '.') != NULL) {
		n = strlen(num);
		while (n > 0 && num[n - 1] == '0')
			num[--n] = '\0';
		if (n > 0 && num[n - 1] == '.')
			num[--n] = '\0';
	}
	if (strcmp(num, "-0") == 0)
		snprintf(num, sizeof num, "0");
	snprintf(out, size, "%s%s%s", num, *u ? " " : "", u);
}

/* A Quantity for display, or NULL when Q has no number. */
static char *
quantity_of(const cJSON *q, bool lab)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(q, "value");
	const char *unit = fhir_get_string(q, "unit");
	char buf[96];

	if (!cJSON_IsNumber(v))
		return NULL;
	if (unit == NULL)
		unit = fhir_get_string(q, "code");
	chart_quantity(v->valuedouble, unit, lab, buf, sizeof buf);
	return xstrdup(buf);
}

static void
item_clear(struct chart_item *it)
{
	free(it->what);
	free(it->value);
	free(it->date);
	free(it->flag);
	free(it->detail);
	free(it->status);
	free(it->at);
	free(it->id);
	free(it->code);
}

void
chart_list_clear(struct chart_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		item_clear(&l->items[i]);
	free(l->items);
	free(l->failure);
	memset(l, 0, sizeof *l);
	l->total = -1;
}

/* A new row at the end of L, every string "" until set. */
static struct chart_item *
push(struct chart_list *l, const cJSON *r)
{
	struct chart_item *it;

	l->items = xreallocarray(l->items, l->n + 1, sizeof *l->items);
	it = &l->items[l->n++];
	memset(it, 0, sizeof *it);
	it->id = dup_or_empty(fhir_get_string(r, "id"));
	return it;
}

/* Fill the strings a reader left NULL with "": a row's strings are never NULL. */
static void
settle(struct chart_item *it)
{
	char **f[] = { &it->what, &it->value, &it->date, &it->flag, &it->detail, &it->status };

	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		if (*f[i] == NULL)
			*f[i] = xstrdup("");
}

/* True when R names patient ID where PANE's resources do. */
static bool
is_patients(enum chart_pane pane, const cJSON *r, const char *id)
{
	const cJSON *p;

	if (reads[pane].patient != NULL)
		return fhir_refers_to(fhir_get_string(fhir_get_object(r, reads[pane].patient), "reference"),
		    "Patient", id);
	/* An Appointment names its patient among its participants; another patient there is refused. */
	bool found = false;
	cJSON_ArrayForEach(p, fhir_get_array(r, "participant"))
	{
		const char *ref = fhir_get_string(fhir_get_object(p, "actor"), "reference");

		if (ref == NULL || strncmp(ref, "Patient/", 8) != 0)
			continue;
		if (!fhir_refers_to(ref, "Patient", id))
			return false;
		found = true;
	}
	return found;
}

static void
read_allergy(const cJSON *a, struct chart_list *l, bool *any, bool full)
{
	const cJSON *code = fhir_get_object(a, "code");
	const cJSON *verification = fhir_get_object(a, "verificationStatus");
	const cJSON *clinical = fhir_get_object(a, "clinicalStatus");
	const cJSON *reaction = cJSON_GetArrayItem(fhir_get_array(a, "reaction"), 0);
	const char *crit = fhir_get_string(a, "criticality");
	struct chart_item *it;

	if (fhir_has_code(verification, "entered-in-error") || (!full && fhir_has_code(verification, "refuted")))
		return;
	/* No clinicalStatus reads as active: the safe reading for a warning. */
	if (!full && clinical != NULL && !fhir_has_code(clinical, "active"))
		return;
	*any = true;
	if (!full && patient_says_no_known_allergy(code))
		return;
	it = push(l, a);
	it->what = xstrdup(concept_text(code) ? concept_text(code) : "(unnamed allergy)");
	it->value = dup_or_empty(crit);
	it->alert = allergy_rank(crit) == 0;
	/* A drug allergy coded in RxNorm matches the orders of that code. */
	it->code = dup_or_empty(fhir_code_in(code, MEDICATION_RXNORM));
	it->detail = dup_or_empty(
	    concept_text(cJSON_GetArrayItem(fhir_get_array(reaction, "manifestation"), 0)));
	it->status = xstrdup(fhir_has_code(verification, "unconfirmed") ? "unconfirmed"
			     : fhir_has_code(verification, "refuted")	 ? "refuted"
			     : clinical != NULL && fhir_first_code(clinical) != NULL
				 ? fhir_first_code(clinical)
				 : "active");
}

static void
read_problem(const cJSON *c, struct chart_list *l, bool full)
{
	const cJSON *code = fhir_get_object(c, "code");
	const cJSON *clinical = fhir_get_object(c, "clinicalStatus");
	const cJSON *verification = fhir_get_object(c, "verificationStatus");
	const char *icd = fhir_code_in(code, ICD10CM);
	struct chart_item *it;

	if (fhir_has_code(verification, "entered-in-error") || fhir_has_code(verification, "refuted"))
		return;
	/* A lenient server may ignore clinical-status: what is not active is not on this list. */
	if (!full && clinical != NULL && !fhir_has_code(clinical, "active") &&
	    !fhir_has_code(clinical, "recurrence") && !fhir_has_code(clinical, "relapse"))
		return;
	it = push(l, c);
	it->what = xstrdup(concept_text(code) ? concept_text(code) : "(unnamed problem)");
	it->value = dup_or_empty(icd != NULL ? icd : fhir_code_in(code, SNOMED));
	it->date = date_part(when_of(c, "onsetDateTime", "onsetPeriod") != NULL
				 ? when_of(c, "onsetDateTime", "onsetPeriod")
				 : fhir_get_string(c, "recordedDate"),
	    false);
	it->status = dup_or_empty(fhir_first_code(clinical));
}

/* A dosage as words when it has no text: "1 tablet every 8 h". */
static char *
dosage_words(const cJSON *d)
{
	const cJSON *dose = fhir_get_object(cJSON_GetArrayItem(fhir_get_array(d, "doseAndRate"), 0),
	    "doseQuantity");
	const cJSON *rep = fhir_get_object(fhir_get_object(d, "timing"), "repeat");
	const cJSON *freq = cJSON_GetObjectItemCaseSensitive(rep, "frequency");
	const cJSON *period = cJSON_GetObjectItemCaseSensitive(rep, "period");
	const char *unit = fhir_get_string(rep, "periodUnit");
	char *q = quantity_of(dose, true), *out;
	char how[64] = "";

	if (cJSON_IsNumber(freq) && cJSON_IsNumber(period) && unit != NULL && strlen(unit) < 8 &&
	    fabs(freq->valuedouble) < 1000 && fabs(period->valuedouble) < 1000)
		snprintf(how, sizeof how, "%g times every %g %s", freq->valuedouble,
		    period->valuedouble, unit);
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "asNeededBoolean")) && *how == '\0')
		snprintf(how, sizeof how, "as needed");
	out = xasprintf("%s%s%s", q != NULL ? q : "", q != NULL && *how ? ", " : "", how);
	free(q);
	return out;
}

char *
chart_medication_sig(const cJSON *request)
{
	const cJSON *dosage = cJSON_GetArrayItem(fhir_get_array(request, "dosageInstruction"), 0);
	const char *sig = fhir_get_string(dosage, "text");

	return sig != NULL ? xstrdup(sig) : dosage != NULL ? dosage_words(dosage) : xstrdup("");
}

static void
read_medication(const cJSON *m, struct chart_list *l)
{
	const char *rxnorm = NULL, *name = medication_name(m, NULL, &rxnorm);
	const char *status = fhir_get_string(m, "status");
	struct chart_item *it;

	if (status != NULL && strcmp(status, "entered-in-error") == 0)
		return;
	it = push(l, m);
	it->what = xstrdup(name != NULL ? name : "(unnamed medication)");
	it->value = chart_medication_sig(m);
	it->date = date_part(fhir_get_string(m, "authoredOn"), false);
	it->status = dup_or_empty(status);
	it->detail = dup_or_empty(fhir_get_string(m, "intent"));
	it->code = dup_or_empty(rxnorm);
}

void
chart_flag_allergies(struct chart_list *meds, const struct chart_list *allergies, bool first)
{
	size_t flagged = 0;

	if (meds->state != CHART_PANE_LOADED || allergies->state != CHART_PANE_LOADED)
		return;
	for (size_t i = 0; i < meds->n; i++) {
		struct chart_item *m = &meds->items[i];

		if (strcmp(m->status, "active") != 0 && strcmp(m->status, "on-hold") != 0)
			continue;
		for (size_t j = 0; j < allergies->n; j++) {
			const struct chart_item *a = &allergies->items[j];

			if (!medication_matches_allergy(m->code, m->what, a->code, a->what))
				continue;
			free(m->flag);
			m->flag = xstrdup(a->what);
			m->alert = true;
			/* Stably ahead of the unflagged: rotate it down to its place. */
			if (first && i > flagged) {
				struct chart_item keep = *m;

				memmove(&meds->items[flagged + 1], &meds->items[flagged],
				    (i - flagged) * sizeof *meds->items);
				meds->items[flagged] = keep;
			}
			flagged++;
			break;
		}
	}
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

void
chart_list_copy(struct chart_list *to, const struct chart_list *from)
{
	*to = *from;
	to->failure = dup_or_null(from->failure);
	to->items = from->n > 0 ? xcalloc(from->n, sizeof *to->items) : NULL;
	for (size_t i = 0; i < from->n; i++) {
		const struct chart_item *f = &from->items[i];
		struct chart_item *t = &to->items[i];

		*t = *f;
		t->what = dup_or_null(f->what);
		t->value = dup_or_null(f->value);
		t->date = dup_or_null(f->date);
		t->flag = dup_or_null(f->flag);
		t->detail = dup_or_null(f->detail);
		t->status = dup_or_null(f->status);
		t->at = dup_or_null(f->at);
		t->id = dup_or_null(f->id);
		t->code = dup_or_null(f->code);
	}
}

static const cJSON *
component_of(const cJSON *o, const char *code)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, fhir_get_array(o, "component"))
	{
		if (fhir_has_code(fhir_get_object(c, "code"), code))
			return c;
	}
	return NULL;
}

static bool
observation_usable(const cJSON *o)
{
	const char *status = fhir_get_string(o, "status");

	return status == NULL ||
	       (strcmp(status, "entered-in-error") != 0 && strcmp(status, "cancelled") != 0);
}

/* Which vital sign O is, by its code; CHART_VITAL_COUNT when none of them. */
static enum chart_vital
vital_of(const cJSON *o)
{
	const cJSON *code = fhir_get_object(o, "code");

	for (int v = 0; v < CHART_VITAL_COUNT; v++) {
		const char *c = vitals[v].codes;

		/* "system|code,system|code": each code is what follows a '|'. */
		while ((c = strchr(c, '|')) != NULL) {
			char one[16];
			size_t n = strcspn(++c, ",");

			if (n < sizeof one) {
				memcpy(one, c, n);
				one[n] = '\0';
				if (fhir_has_code(code, one))
					return (enum chart_vital)v;
			}
		}
	}
	return CHART_VITAL_COUNT;
}

static void read_lab(const cJSON *o, struct chart_list *l);

static void
read_vital(const cJSON *o, enum chart_vital v, struct chart_list *l)
{
	struct chart_item *it;
	char *value = NULL;

	if (!observation_usable(o))
		return;
	/* In the full list the sign is known by its code; another one reads as a result. */
	if (v >= CHART_VITAL_COUNT && (v = vital_of(o)) >= CHART_VITAL_COUNT) {
		read_lab(o, l);
		return;
	}
	if (v == CHART_VITAL_BP) {
		const cJSON *sys = fhir_get_object(component_of(o, "8480-6"), "valueQuantity");
		const cJSON *dia = fhir_get_object(component_of(o, "8462-4"), "valueQuantity");
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(sys, "value");
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(dia, "value");

		if (cJSON_IsNumber(s) && cJSON_IsNumber(d) && fabs(s->valuedouble) < 1e6 &&
		    fabs(d->valuedouble) < 1e6)
			value = xasprintf("%.0f/%.0f mmHg", s->valuedouble, d->valuedouble);
	} else {
		value = quantity_of(fhir_get_object(o, "valueQuantity"), false);
	}
	if (value == NULL)
		return;
	it = push(l, o);
	it->what = xstrdup(vitals[v].label);
	it->value = value;
	it->date = date_part(when_of(o, "effectiveDateTime", "effectivePeriod"), false);
	it->at = dup_or_empty(when_of(o, "effectiveDateTime", "effectivePeriod"));
	it->status = dup_or_empty(fhir_get_string(o, "status"));
}

/* "H", "L" or "A" from an Observation's interpretation; NULL when normal or not said. */
static const char *
lab_flag(const cJSON *o)
{
	const cJSON *i;

	cJSON_ArrayForEach(i, fhir_get_array(o, "interpretation"))
	{
		static const char *const high[] = { "H", "HH", "HU", ">" };
		static const char *const low[] = { "L", "LL", "LU", "<" };
		static const char *const abnormal[] = { "A", "AA", "POS", "DET", "R" };

		for (size_t k = 0; k < 4; k++) {
			if (fhir_has_code(i, high[k]))
				return "H";
			if (fhir_has_code(i, low[k]))
				return "L";
		}
		for (size_t k = 0; k < 5; k++)
			if (fhir_has_code(i, abnormal[k]))
				return "A";
	}
	return NULL;
}

/* "4-5.6", "<200", ">40", or the range's text; NULL when the result has none. */
static char *
lab_range(const cJSON *o)
{
	const cJSON *r = cJSON_GetArrayItem(fhir_get_array(o, "referenceRange"), 0);
	const cJSON *lo = cJSON_GetObjectItemCaseSensitive(fhir_get_object(r, "low"), "value");
	const cJSON *hi = cJSON_GetObjectItemCaseSensitive(fhir_get_object(r, "high"), "value");
	char a[48], b[48];

	if (cJSON_IsNumber(lo))
		chart_quantity(lo->valuedouble, NULL, true, a, sizeof a);
	if (cJSON_IsNumber(hi))
		chart_quantity(hi->valuedouble, NULL, true, b, sizeof b);
	if (cJSON_IsNumber(lo) && cJSON_IsNumber(hi))
		return xasprintf("%s-%s", a, b);
	if (cJSON_IsNumber(hi))
		return xasprintf("<%s", b);
	if (cJSON_IsNumber(lo))
		return xasprintf(">%s", a);
	return fhir_get_string(r, "text") != NULL ? xstrdup(fhir_get_string(r, "text")) : NULL;
}

static void
read_lab(const cJSON *o, struct chart_list *l)
{
	const cJSON *code = fhir_get_object(o, "code");
	const char *flag = lab_flag(o), *s;
	struct chart_item *it;
	char *value;

	if (!observation_usable(o))
		return;
	value = quantity_of(fhir_get_object(o, "valueQuantity"), true);
	if (value == NULL && (s = fhir_get_string(o, "valueString")) != NULL)
		value = xstrdup(s);
	if (value == NULL && (s = concept_text(fhir_get_object(o, "valueCodeableConcept"))) != NULL)
		value = xstrdup(s);
	it = push(l, o);
	it->what = xstrdup(concept_text(code) ? concept_text(code) : "(unnamed test)");
	it->value = value;
	it->flag = dup_or_empty(flag);
	it->alert = flag != NULL;
	it->detail = lab_range(o);
	it->date = date_part(when_of(o, "effectiveDateTime", "effectivePeriod"), false);
	it->status = dup_or_empty(fhir_get_string(o, "status"));
}

const char *
chart_concept_text(const cJSON *concept)
{
	return concept_text(concept);
}

void
chart_lab_push(const cJSON *o, struct chart_list *l)
{
	size_t n = l->n;

	read_lab(o, l);
	if (l->n > n)
		settle(&l->items[l->n - 1]);
}

static void
read_immunization(const cJSON *im, struct chart_list *l)
{
	const cJSON *code = fhir_get_object(im, "vaccineCode");
	const char *status = fhir_get_string(im, "status");
	const char *when = fhir_get_string(im, "occurrenceDateTime");
	struct chart_item *it;

	if (status != NULL && strcmp(status, "entered-in-error") == 0)
		return;
	it = push(l, im);
	it->what = xstrdup(concept_text(code) ? concept_text(code) : "(unnamed vaccine)");
	it->value = dup_or_empty(fhir_code_in(code, CVX));
	it->date = when != NULL ? date_part(when, false)
				: dup_or_empty(fhir_get_string(im, "occurrenceString"));
	it->status = xstrdup(status != NULL && strcmp(status, "not-done") == 0 ? "not done"
			     : status != NULL				       ? status
									       : "");
}

/* A note's status as a clinician says it: signed, draft, amended, entered in error. */
static const char *
note_status(const cJSON *d)
{
	const char *status = fhir_get_string(d, "status");
	const char *doc = fhir_get_string(d, "docStatus");

	if (status != NULL && strcmp(status, "entered-in-error") == 0)
		return "entered in error";
	if (status != NULL && strcmp(status, "superseded") == 0)
		return "superseded";
	if (doc == NULL)
		return "";
	if (strcmp(doc, "preliminary") == 0)
		return "draft";
	if (strcmp(doc, "final") == 0)
		return "signed";
	return doc; /* amended, entered-in-error */
}

/* The Practitioners a page of notes includes (their authors), sorted by id for the join. */
struct person {
	const char *id;
	char *name;
};
struct people {
	cJSON *taken; /* the Practitioners copied from the answer: the ids point into it */
	struct person *v;
	size_t n;
};

static int
person_cmp(const void *a, const void *b)
{
	return strcmp(((const struct person *)a)->id, ((const struct person *)b)->id);
}

static void
people_read(const cJSON *searchset, struct people *p)
{
	const cJSON *x;

	p->taken = fhir_bundle_take(searchset, "Practitioner", CHART_PRACTITIONERS_MAX, NULL);
	p->v = xcalloc((size_t)cJSON_GetArraySize(p->taken) + 1, sizeof *p->v);
	p->n = 0;
	cJSON_ArrayForEach(x, p->taken)
	{
		char *name = encounter_practitioner_name(x);

		if (name == NULL)
			continue;
		p->v[p->n].id = fhir_id_of(x);
		p->v[p->n++].name = name;
	}
	if (p->n > 1)
		qsort(p->v, p->n, sizeof *p->v, person_cmp);
}

static void
people_clear(struct people *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].name);
	free(p->v);
	cJSON_Delete(p->taken);
	memset(p, 0, sizeof *p);
}

/*
 * Who wrote note D: the name in the Practitioner its first author refers to, read with
 * the page; else its display marked "(name not checked)", or that mark alone when it names
 * no one by display either; "" when it has no author.
 */
static char *
note_author(const cJSON *d, const struct people *people)
{
	const cJSON *author = cJSON_GetArrayItem(fhir_get_array(d, "author"), 0);
	const char *ref = fhir_get_string(author, "reference");
	const char *display = fhir_get_string(author, "display");
	const struct person *found = NULL;

	if (ref != NULL && strncmp(ref, "Practitioner/", 13) == 0 && people != NULL &&
	    people->n > 0) {
		struct person key = { .id = ref + 13 };

		found = bsearch(&key, people->v, people->n, sizeof *people->v, person_cmp);
	}
	if (found != NULL)
		return xstrdup(found->name);
	if (display != NULL && *display != '\0')
		return xasprintf("%s (name not checked)", display);
	return xstrdup(author != NULL ? "(name not checked)" : "");
}

static void
read_note(const cJSON *d, const struct people *people, struct chart_list *l)
{
	const char *type = concept_text(fhir_get_object(d, "type"));
	struct chart_item *it = push(l, d);

	it->what = xstrdup(type != NULL ? type : "Note");
	it->value = note_author(d, people);
	it->date = chart_when(fhir_get_string(d, "date"), false);
	it->status = xstrdup(note_status(d));
	it->detail = dup_or_empty(fhir_get_string(d, "description"));
}

static void
read_appointment(const cJSON *a, struct chart_list *l, bool full)
{
	const char *status = fhir_get_string(a, "status");
	const char *what = fhir_get_string(a, "description");
	const cJSON *p;
	struct chart_item *it;

	if (!full && status != NULL &&
	    (strcmp(status, "cancelled") == 0 || strcmp(status, "noshow") == 0 ||
		strcmp(status, "entered-in-error") == 0))
		return;
	if (what == NULL)
		what = concept_text(fhir_get_object(a, "appointmentType"));
	if (what == NULL)
		what = concept_text(cJSON_GetArrayItem(fhir_get_array(a, "serviceType"), 0));
	it = push(l, a);
	it->what = xstrdup(what != NULL ? what : "Appointment");
	cJSON_ArrayForEach(p, fhir_get_array(a, "participant"))
	{
		const cJSON *actor = fhir_get_object(p, "actor");
		const char *ref = fhir_get_string(actor, "reference");

		if (ref != NULL && strncmp(ref, "Practitioner/", 13) == 0) {
			it->value = dup_or_empty(fhir_get_string(actor, "display"));
			break;
		}
	}
	it->date = date_part(fhir_get_string(a, "start"), true);
	it->status = dup_or_empty(status);
}

/* An allergy row's criticality, for allergy_order. */
static const char *
item_criticality(const void *it)
{
	return ((const struct chart_item *)it)->value;
}

static void
read_rows(enum chart_pane pane, enum chart_vital v, const cJSON *searchset, const char *id,
    struct chart_list *out, bool full)
{
	const cJSON *entry;
	size_t seen = 0;
	bool any_allergy = false;
	struct people people = { 0 };

	if (pane != CHART_VITALS || out->state != CHART_PANE_LOADED) {
		chart_list_clear(out);
		out->total = fhir_bundle_total(searchset);
	}
	out->state = CHART_PANE_LOADED;
	if (pane >= CHART_PANES)
		return;
	if (pane == CHART_NOTES)
		people_read(searchset, &people);
	cJSON_ArrayForEach(entry, fhir_get_array(searchset, "entry"))
	{
		const cJSON *r = fhir_get_object(entry, "resource");
		const char *type = fhir_get_string(r, "resourceType");

		/* An OperationOutcome beside the matches is a warning, not a row. */
		if (type == NULL || strcmp(type, panes[pane].type) != 0)
			continue;
		/* Another patient's resource: nothing of this answer can be trusted for this one. */
		if (!is_patients(pane, r, id)) {
			chart_list_clear(out);
			out->state = CHART_PANE_REFUSED;
			out->failure = xstrdup("the server answered with another patient's data: not shown");
			out->allergy_state = PATIENT_ALLERGY_NOT_LOADED;
			people_clear(&people);
			return;
		}
		/* Bounded whatever the server sends: the full list pages the rest. */
		if (seen++ >= CHART_ITEMS_MAX)
			break;
		switch (pane) {
		case CHART_ALLERGIES: read_allergy(r, out, &any_allergy, full); break;
		case CHART_PROBLEMS: read_problem(r, out, full); break;
		case CHART_MEDICATIONS: read_medication(r, out); break;
		case CHART_VITALS:
			/* The full list knows each row's sign by its code. */
			if (v < CHART_VITAL_COUNT || full)
				read_vital(r, v, out);
			break;
		case CHART_LABS: read_lab(r, out); break;
		case CHART_IMMUNIZATIONS: read_immunization(r, out); break;
		case CHART_NOTES: read_note(r, &people, out); break;
		case CHART_APPOINTMENTS: read_appointment(r, out, full); break;
		default: break;
		}
		if (out->n > 0)
			settle(&out->items[out->n - 1]);
		/* The vitals pane holds one row per sign: a second entry of one search is ignored. */
		if (pane == CHART_VITALS && !full)
			break;
	}
	people_clear(&people);
	/* High criticality first, as every allergy list: a pane cut to its rows keeps those. */
	if (pane == CHART_ALLERGIES)
		allergy_order(out->items, out->n, sizeof *out->items, item_criticality);
	if (pane == CHART_ALLERGIES)
		out->allergy_state = out->n > 0 ? PATIENT_ALLERGY_LISTED
				     : any_allergy ? PATIENT_ALLERGY_NONE_KNOWN
						   : PATIENT_ALLERGY_NOT_RECORDED;
}

void
chart_list_read(enum chart_pane pane, enum chart_vital v, const cJSON *searchset, const char *id,
    struct chart_list *out)
{
	read_rows(pane, v, searchset, id, out, false);
}

void
chart_page_read(enum chart_pane pane, const cJSON *searchset, const char *id, struct chart_list *out)
{
	memset(out, 0, sizeof *out);
	read_rows(pane, CHART_VITAL_COUNT, searchset, id, out, true);
}

struct fhir_search *
chart_pane_search(enum chart_pane pane, const char *id, long count)
{
	char n[24];
	struct fhir_search *s;

	snprintf(n, sizeof n, "%ld", count < 1 ? 1 : count > 200 ? 200 : count);
	s = pane_search(pane, id, n);
	switch (pane) {
	case CHART_PROBLEMS:
		fhir_search_add(s, "category", "problem-list-item");
		break;
	case CHART_VITALS:
		fhir_search_add(s, "category", "vital-signs");
		fhir_search_add(s, "_sort", "-date");
		break;
	case CHART_LABS:
		fhir_search_add(s, "category", "laboratory");
		fhir_search_add(s, "_sort", "-date");
		break;
	case CHART_MEDICATIONS:
		fhir_search_add(s, "_sort", "-authoredon");
		break;
	case CHART_IMMUNIZATIONS:
	case CHART_NOTES:
	case CHART_APPOINTMENTS:
		fhir_search_add(s, "_sort", "-date");
		break;
	default:
		break;
	}
	return s;
}

/* --- immunizations due ---------------------------------------------------------------- */

/* One recommendation as read, before the newest forecast of each vaccine is chosen. */
struct forecast {
	char *key;	  /* the vaccine: "cvx|CODE", else "text|NAME" */
	const char *made; /* its forecast's date, borrowed from the answer; "" when none */
	size_t order;	  /* its place in the answer: the earlier wins a tie */
	bool due;	  /* its forecastStatus is due or overdue */
	bool keep;	  /* due, the newest of its vaccine, and not given since */
	struct chart_item item;
};

/* A vaccine given: its CVX code and the newest date it was given on. */
struct given_dose {
	const char *code, *date;
};

static int
forecast_by_vaccine(const void *a, const void *b)
{
	const struct forecast *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c == 0)
		c = -strcmp(x->made, y->made); /* the newest forecast first */
	if (c == 0)
		c = x->order < y->order ? -1 : x->order > y->order;
	return c;
}

/* Overdue first, then due; the earliest date first, rows without one last. */
static int
forecast_by_urgency(const void *a, const void *b)
{
	const struct forecast *x = a, *y = b;
	int c = (int)y->item.alert - (int)x->item.alert;

	if (c == 0 && (*x->item.date == '\0') != (*y->item.date == '\0'))
		c = *x->item.date == '\0' ? 1 : -1;
	if (c == 0)
		c = strcmp(x->item.date, y->item.date);
	if (c == 0)
		c = x->order < y->order ? -1 : x->order > y->order;
	return c;
}

static int
given_by_code(const void *a, const void *b)
{
	const struct given_dose *x = a, *y = b;
	int c = strcmp(x->code, y->code);

	return c != 0 ? c : -strcmp(x->date, y->date); /* the newest dose first */
}

/* The value of REC's date criterion CODE, or NULL. */
static const char *
date_criterion(const cJSON *rec, const char *code)
{
	const cJSON *d;
	int k = 0;

	cJSON_ArrayForEach(d, fhir_get_array(rec, "dateCriterion"))
	{
		if (k++ >= 16)
			break;
		if (code == NULL || fhir_has_code(fhir_get_object(d, "code"), code))
			return fhir_get_string(d, "value");
	}
	return NULL;
}

/* When REC is due: the date the vaccine is due, else the earliest to give it, else any date. */
static const char *
due_date(const cJSON *rec)
{
	const char *when = date_criterion(rec, DATE_DUE);

	if (when == NULL)
		when = date_criterion(rec, DATE_EARLIEST);
	return when != NULL ? when : date_criterion(rec, NULL);
}

/* "dose 2 of 3", "dose 2" ("2 of 3" unless PREFIXED), or NULL: which dose of its series REC is. */
static char *
dose_words(const cJSON *rec, bool prefixed)
{
	const cJSON *dose = cJSON_GetObjectItemCaseSensitive(rec, "doseNumberPositiveInt");
	const cJSON *of = cJSON_GetObjectItemCaseSensitive(rec, "seriesDosesPositiveInt");
	const char *word = fhir_get_string(rec, "doseNumberString");

	const char *prefix = prefixed ? "dose " : "";

	if (cJSON_IsNumber(dose) && dose->valuedouble >= 1 && dose->valuedouble < 1000) {
		if (cJSON_IsNumber(of) && of->valuedouble >= 1 && of->valuedouble < 1000)
			return xasprintf("%s%.0f of %.0f", prefix, dose->valuedouble,
			    of->valuedouble);
		return xasprintf("%s%.0f", prefix, dose->valuedouble);
	}
	return word != NULL ? xasprintf("%s%s", prefix, word) : NULL;
}

/* The vaccine REC recommends, in words: its first vaccine code, else the disease it is for. */
static const char *
recommended_vaccine(const cJSON *rec)
{
	const char *what = concept_text(cJSON_GetArrayItem(fhir_get_array(rec, "vaccineCode"), 0));

	return what != NULL ? what : concept_text(fhir_get_object(rec, "targetDisease"));
}

/* REC, a recommendation of the forecast IR, as the next of F's *N rows. */
static void
forecast_push(const cJSON *ir, const cJSON *rec, struct forecast *f, size_t *n)
{
	const cJSON *vaccine = cJSON_GetArrayItem(fhir_get_array(rec, "vaccineCode"), 0);
	const cJSON *status = fhir_get_object(rec, "forecastStatus");
	const char *code = fhir_code_in(vaccine, CVX), *what = recommended_vaccine(rec);
	const char *word = fhir_code_in(status, FORECAST_STATUS);
	struct forecast *r = &f[*n];

	if (word == NULL)
		word = fhir_first_code(status);
	memset(r, 0, sizeof *r);
	r->order = (*n)++;
	r->made = fhir_get_string(ir, "date") != NULL ? fhir_get_string(ir, "date") : "";
	r->key = code != NULL ? xasprintf("cvx|%s", code) : xasprintf("text|%s", what ? what : "");
	r->due = word != NULL && (strcmp(word, "due") == 0 || strcmp(word, "overdue") == 0);
	r->item.id = dup_or_empty(fhir_get_string(ir, "id"));
	r->item.what = xstrdup(what != NULL ? what : "(unnamed vaccine)");
	r->item.value = dup_or_empty(code);
	r->item.date = date_part(due_date(rec), false);
	r->item.status = dup_or_empty(r->due ? word : NULL);
	r->item.detail = dose_words(rec, true);
	r->item.alert = r->due && strcmp(word, "overdue") == 0;
	r->item.due = true;
	settle(&r->item);
}

/*
 * The doses of GIVEN (its given rows that were completed and have a CVX code and a date),
 * into *OUT, one per code with its newest date, sorted by code. Their count.
 */
static size_t
given_doses(const struct chart_list *given, struct given_dose **out)
{
	struct given_dose *g = xreallocarray(NULL, given->n + 1, sizeof *g);
	size_t n = 0, kept = 0;

	for (size_t i = 0; i < given->n; i++) {
		const struct chart_item *it = &given->items[i];

		if (it->due || *it->value == '\0' || *it->date == '\0' ||
		    (*it->status != '\0' && strcmp(it->status, "completed") != 0))
			continue;
		g[n++] = (struct given_dose){ it->value, it->date };
	}
	qsort(g, n, sizeof *g, given_by_code);
	for (size_t i = 0; i < n; i++)
		if (kept == 0 || strcmp(g[kept - 1].code, g[i].code) != 0)
			g[kept++] = g[i];
	*out = g;
	return kept;
}

/* The code KEY (a string) against a dose's code: for bsearch over one dose a code. */
static int
dose_of_code(const void *key, const void *dose)
{
	return strcmp(key, ((const struct given_dose *)dose)->code);
}

/* True when a dose of F's vaccine was given on or after the day F's forecast was made. */
static bool
answered(const struct forecast *f, const struct given_dose *doses, size_t n)
{
	const struct given_dose *d;
	char *day;
	bool yes;

	if (*f->item.value == '\0' || *f->made == '\0' ||
	    (d = bsearch(f->item.value, doses, n, sizeof *doses, dose_of_code)) == NULL)
		return false;
	day = date_part(f->made, false);
	yes = strcmp(d->date, day) >= 0;
	free(day);
	return yes;
}

static void
forecast_clear(struct forecast *f)
{
	free(f->key);
	item_clear(&f->item);
}

void
chart_due_read(const cJSON *entry, const char *id, const struct chart_list *given,
    struct chart_list *due)
{
	const cJSON *searchset = fhir_get_object(entry, "resource"), *e, *rec;
	struct forecast *f = xreallocarray(NULL, CHART_ITEMS_MAX, sizeof *f);
	struct given_dose *doses = NULL;
	size_t n = 0, seen = 0, kept = 0, ndoses;

	memset(due, 0, sizeof *due);
	due->total = -1;
	if (entry == NULL || !fhir_entry_ok(entry)) {
		due->state = CHART_PANE_NOT_LOADED;
		due->failure = entry != NULL
		    ? fhir_entry_failure(entry, "the immunizations due")
		    : xstrdup("the immunizations due are not in the server's answer");
		free(f);
		return;
	}
	due->state = CHART_PANE_LOADED;
	cJSON_ArrayForEach(e, fhir_get_array(searchset, "entry"))
	{
		const cJSON *r = fhir_get_object(e, "resource");
		const char *type = fhir_get_string(r, "resourceType");
		int k = 0;

		if (type == NULL || strcmp(type, RECOMMENDATION) != 0)
			continue;
		if (!fhir_refers_to(fhir_get_string(fhir_get_object(r, "patient"), "reference"),
			"Patient", id)) {
			for (size_t i = 0; i < n; i++)
				forecast_clear(&f[i]);
			free(f);
			due->state = CHART_PANE_REFUSED;
			due->failure =
			    xstrdup("the server answered with another patient's data: not shown");
			return;
		}
		if (seen++ >= CHART_ITEMS_MAX)
			break;
		cJSON_ArrayForEach(rec, fhir_get_array(r, "recommendation"))
		{
			if (n >= CHART_ITEMS_MAX || k++ >= CHART_ITEMS_MAX)
				break;
			forecast_push(r, rec, f, &n);
		}
	}
	/* The newest forecast of each vaccine is the one that counts; then what it says is due. */
	qsort(f, n, sizeof *f, forecast_by_vaccine);
	ndoses = given_doses(given, &doses);
	for (size_t i = 0; i < n; i++)
		f[i].keep = f[i].due && (i == 0 || strcmp(f[i - 1].key, f[i].key) != 0) &&
			    !answered(&f[i], doses, ndoses);
	for (size_t i = 0; i < n; i++) {
		if (f[i].keep)
			f[kept++] = f[i];
		else
			forecast_clear(&f[i]);
	}
	free(doses);
	qsort(f, kept, sizeof *f, forecast_by_urgency);
	due->total = (long)kept;
	for (size_t i = 0; i < kept; i++) {
		if (due->n < CHART_DUE_MAX) {
			due->items = xreallocarray(due->items, due->n + 1, sizeof *due->items);
			due->items[due->n++] = f[i].item;
			free(f[i].key);
		} else {
			forecast_clear(&f[i]);
		}
	}
	due->due = due->n;
	free(f);
}

void
chart_due_merge(struct chart_list *given, struct chart_list *due)
{
	size_t keep;

	if (given->state != CHART_PANE_LOADED) {
		chart_list_clear(due);
		return;
	}
	if (due->state == CHART_PANE_REFUSED) {
		chart_list_clear(given);
		given->state = CHART_PANE_REFUSED;
		given->failure = due->failure;
		due->failure = NULL;
		chart_list_clear(due);
		return;
	}
	if (due->state != CHART_PANE_LOADED) {
		free(given->failure);
		given->failure = due->failure;
		due->failure = NULL;
		chart_list_clear(due);
		return;
	}
	/* The due first; the given after them, as many as the pane holds. */
	keep = given->n;
	if (due->n + keep > CHART_ITEMS_MAX)
		keep = CHART_ITEMS_MAX > due->n ? CHART_ITEMS_MAX - due->n : 0;
	for (size_t i = keep; i < given->n; i++)
		item_clear(&given->items[i]);
	given->items = xreallocarray(given->items, due->n + keep + 1, sizeof *given->items);
	if (due->n > 0) {
		memmove(given->items + due->n, given->items, keep * sizeof *given->items);
		memcpy(given->items, due->items, due->n * sizeof *due->items);
	}
	given->n = due->n + keep;
	given->due = due->n;
	if (given->total >= 0)
		given->total += due->total;
	free(due->items);
	due->items = NULL;
	due->n = 0;
	chart_list_clear(due);
}

static void pane_failed(struct chart_list *l, const cJSON *entry, enum chart_pane pane);

cJSON *
chart_immunizations_batch(const struct fhir_client *fc, const char *id, long count)
{
	cJSON *entries, *batch = fhir_batch_new(&entries);
	struct fhir_search *s = chart_pane_search(CHART_IMMUNIZATIONS, id, count);

	add(entries, fc, &s);
	s = chart_due_search(id);
	add(entries, fc, &s);
	return batch;
}

const cJSON *
chart_immunizations_read(const cJSON *response, const char *id, struct chart_list *given,
    struct chart_list *due)
{
	const cJSON *entries = fhir_get_array(response, "entry");
	const cJSON *first = cJSON_GetArrayItem(entries, 0);
	const cJSON *searchset = fhir_get_object(first, "resource");

	memset(given, 0, sizeof *given);
	if (first == NULL || !fhir_entry_ok(first)) {
		pane_failed(given, first, CHART_IMMUNIZATIONS);
		searchset = NULL;
	} else {
		chart_page_read(CHART_IMMUNIZATIONS, searchset, id, given);
	}
	chart_due_read(cJSON_GetArrayItem(entries, 1), id, given, due);
	return searchset;
}

/* --- the answer ----------------------------------------------------------------------- */

/* True when S looks like a FHIR instant: it goes into a search, and is compared as text. */
static bool
instant_like(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	return n >= 20 && n < 40 && strspn(s, "0123456789-:T.Z+") == n && s[4] == '-' && s[10] == 'T';
}

/* Keep in *NEWEST the latest meta.lastUpdated of R (same-offset instants compare as text). */
static void
note_updated(const cJSON *r, const char **newest)
{
	const char *at = fhir_get_string(fhir_get_object(r, "meta"), "lastUpdated");

	if (instant_like(at) && (*newest == NULL || strcmp(at, *newest) > 0))
		*newest = at;
}

void
chart_cover_clear(struct chart_cover *c)
{
	cJSON_Delete(c->patient);
	free(c->version);
	free(c->newest);
	if (c->view.id != NULL)
		patient_view_clear(&c->view);
	patient_allergies_clear(&c->banner_allergies);
	for (int p = 0; p < CHART_PANES; p++)
		chart_list_clear(&c->panes[p]);
	memset(c, 0, sizeof *c);
}

static void
pane_failed(struct chart_list *l, const cJSON *entry, enum chart_pane pane)
{
	char *what = xasprintf("the %s", chart_pane_title(pane));

	for (char *c = what + 4; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	chart_list_clear(l);
	l->state = CHART_PANE_NOT_LOADED;
	l->failure = entry != NULL ? fhir_entry_failure(entry, what)
				   : xstrdup("not in the server's answer");
	l->allergy_state = PATIENT_ALLERGY_NOT_LOADED;
	free(what);
}

int
chart_cover_read(cJSON *response, const char *id, struct chart_cover *out, char **cause)
{
	const cJSON *entries = fhir_get_array(response, "entry");
	cJSON *first = cJSON_GetArrayItem(entries, 0);
	const char *newest = NULL;
	const cJSON *e, *row;
	struct chart_list due;
	size_t k = 1;

	memset(out, 0, sizeof *out);
	for (int p = 0; p < CHART_PANES; p++)
		out->panes[p].total = -1;
	if (patient_entry_take(first, id, &out->patient, &out->version, &out->view, cause) != 0)
		return -1;

	for (int p = 0; p < CHART_PANES; p++) {
		int searches = p == CHART_VITALS ? CHART_VITAL_COUNT : 1;

		for (int v = 0; v < searches; v++, k++) {
			const cJSON *entry = cJSON_GetArrayItem(entries, (int)k);

			if (out->panes[p].state == CHART_PANE_REFUSED)
				continue;
			if (entry == NULL || !fhir_entry_ok(entry)) {
				/* One vital sign that failed is said; the others still show. */
				if (p == CHART_VITALS && out->panes[p].state == CHART_PANE_LOADED) {
					free(out->panes[p].failure);
					out->panes[p].failure = xstrdup("some vital signs could not be read");
					continue;
				}
				pane_failed(&out->panes[p], entry, (enum chart_pane)p);
				if (p == CHART_VITALS)
					out->panes[p].state = CHART_PANE_NOT_LOADED;
				continue;
			}
			if (p == CHART_VITALS && v > 0 && out->panes[p].state != CHART_PANE_LOADED) {
				/* An earlier vital sign failed: the pane still shows the ones that came. */
				char *failure = out->panes[p].failure;

				out->panes[p].failure = NULL;
				chart_list_read((enum chart_pane)p, (enum chart_vital)v,
				    fhir_get_object(entry, "resource"), id, &out->panes[p]);
				if (out->panes[p].state == CHART_PANE_LOADED)
					out->panes[p].failure = failure;
				else
					free(failure);
				continue;
			}
			chart_list_read((enum chart_pane)p, (enum chart_vital)v,
			    fhir_get_object(entry, "resource"), id, &out->panes[p]);
		}
	}
	/* What is due, told apart from what was given since, and shown first among them. */
	chart_due_read(cJSON_GetArrayItem(entries, (int)k), id, &out->panes[CHART_IMMUNIZATIONS],
	    &due);
	chart_due_merge(&out->panes[CHART_IMMUNIZATIONS], &due);
	/* What changed later is asked by the server's clock: the newest instant it gave. */
	note_updated(out->patient, &newest);
	cJSON_ArrayForEach(e, entries)
	{
		int n = 0;

		cJSON_ArrayForEach(row, fhir_get_array(fhir_get_object(e, "resource"), "entry"))
		{
			if (n++ >= CHART_ITEMS_MAX)
				break;
			note_updated(fhir_get_object(row, "resource"), &newest);
		}
	}
	out->newest = newest != NULL ? xstrdup(newest) : NULL;
	/* An order the patient is allergic to is flagged, and shown first in its pane. */
	chart_flag_allergies(&out->panes[CHART_MEDICATIONS], &out->panes[CHART_ALLERGIES], true);
	/* The banner's allergies, as every patient screen reads them. */
	if (out->panes[CHART_ALLERGIES].state == CHART_PANE_LOADED)
		patient_allergies_read(
		    fhir_get_object(cJSON_GetArrayItem(entries, 1), "resource"), id, &out->banner_allergies);
	return 0;
}

char *
chart_before_birth(const char *label, const char *when, const struct patient_view *v)
{
	const char *born = v->birth_date != NULL && *v->birth_date ? v->birth_date : v->birth_text;
	size_t n = born != NULL ? strnlen(born, 10) : 0, day = when != NULL ? strcspn(when, "T") : 0;

	/* A birth date as FHIR writes one: "1970", "1970-05" or "1970-05-22". */
	if ((n != 4 && n != 7 && n != 10) || strspn(born, "0123456789") != 4 || day < n)
		return NULL;
	if (strncmp(when, born, n) >= 0)
		return NULL;
	return xasprintf("%s %.*s is before %s was born (%s)", label, (int)(day < 10 ? day : 10),
	    when, v->name, born);
}

/* --- coming back to an open chart --------------------------------------------------------- */

cJSON *
chart_changes_batch(const struct fhir_client *fc, const char *id, const char *version,
    const char *since)
{
	cJSON *entries, *batch = fhir_batch_new(&entries), *request;
	struct fhir_search *s;
	char when[48], etag[80];

	fhir_batch_add_read(entries, "Patient", id);
	request = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(entries, 0), "request");
	if (version != NULL && fhir_valid_id(version) && request != NULL) {
		snprintf(etag, sizeof etag, "W/\"%s\"", version);
		cJSON_AddStringToObject(request, "ifNoneMatch", etag);
	}
	snprintf(when, sizeof when, "gt%s", since != NULL ? since : "1900-01-01");
	for (int p = 0; p < CHART_PANES; p++) {
		bool asked = false;

		/* The vitals and the labs are both Observations: one count covers them. */
		for (int q = 0; q < p; q++)
			asked = asked || strcmp(panes[q].type, panes[p].type) == 0;
		if (asked)
			continue;
		s = fhir_search_new(panes[p].type);
		fhir_search_add(s, "patient", id);
		fhir_search_add(s, "_lastUpdated", when);
		fhir_search_add(s, "_summary", "count");
		add(entries, fc, &s);
	}
	/* A new forecast changes what is due. */
	s = fhir_search_new(RECOMMENDATION);
	fhir_search_add(s, "patient", id);
	fhir_search_add(s, "_lastUpdated", when);
	fhir_search_add(s, "_summary", "count");
	add(entries, fc, &s);
	return batch;
}

bool
chart_changed(const cJSON *response)
{
	const cJSON *entries = fhir_get_array(response, "entry"), *e;
	int k = 0;

	if (cJSON_GetArraySize(entries) < 2)
		return true;
	cJSON_ArrayForEach(e, entries)
	{
		const char *status = fhir_get_string(fhir_get_object(e, "response"), "status");

		if (k++ == 0) {
			/* The Patient: 304 is "the same"; anything else is a change or no answer. */
			if (status == NULL || strncmp(status, "304", 3) != 0)
				return true;
			continue;
		}
		if (!fhir_entry_ok(e) || fhir_bundle_total(fhir_get_object(e, "resource")) != 0)
			return true;
	}
	return false;
}

/* --- a set of vital signs just saved ------------------------------------------------------ */

/*
 * Whether what was measured at A is later than what was measured at B: 1 or 0; -1 when
 * that cannot be told, at the same instant (which of two the server calls the newest is
 * its choice) or, for a date without a time (FHIR allows one), on the same day. Instants
 * compare as instants, whatever their offsets.
 */
static int
measured_later(const char *a, const char *b)
{
	struct date_time ta, tb;
	char *da, *db;
	int c;

	if (sched_instant_parse(a, &ta) == 0 && sched_instant_parse(b, &tb) == 0)
		return (c = date_time_compare(&ta, &tb)) > 0 ? 1 : c < 0 ? 0 : -1;
	da = date_part(a, false);
	db = date_part(b, false);
	c = strcmp(da, db);
	free(da);
	free(db);
	return c > 0 ? 1 : c < 0 ? 0 : -1;
}

/* The row *FROM moved to the end of L; *FROM is left empty. */
static void
move_row(struct chart_list *l, struct chart_item *from)
{
	l->items = xreallocarray(l->items, l->n + 1, sizeof *l->items);
	l->items[l->n++] = *from;
	memset(from, 0, sizeof *from);
}

int
chart_vitals_saved(struct chart_list *pane, const cJSON *saved, const char *id)
{
	const cJSON *obs[CHART_VITAL_COUNT] = { NULL }, *e;
	struct chart_item *old[CHART_VITAL_COUNT] = { NULL };
	long made[CHART_VITAL_COUNT];
	struct chart_list fresh, out;
	int entries = 0;

	if (pane->state != CHART_PANE_LOADED)
		return -1;
	cJSON_ArrayForEach(e, fhir_get_array(saved, "entry"))
	{
		const cJSON *o = fhir_get_object(e, "resource");
		const char *type = fhir_get_string(o, "resourceType");
		enum chart_vital v;

		/* A set is a plan: more entries than a plan holds is not one. */
		if (++entries > FHIR_PLAN_MAX || !fhir_entry_ok(e) || type == NULL ||
		    strcmp(type, "Observation") != 0 || fhir_id_of(o) == NULL ||
		    !is_patients(CHART_VITALS, o, id) || !observation_usable(o))
			return -1;
		if ((v = vital_of(o)) == CHART_VITAL_COUNT)
			continue; /* head circumference: not one of the cover's */
		if (obs[v] != NULL)
			return -1;
		obs[v] = o;
	}
	if (entries == 0)
		return -1;
	for (size_t i = 0; i < pane->n; i++)
		for (int v = 0; v < CHART_VITAL_COUNT; v++)
			if (old[v] == NULL && strcmp(pane->items[i].what, vitals[v].label) == 0)
				old[v] = &pane->items[i];
	/* Every row is decided and made before the pane changes: a refusal leaves it as it was. */
	memset(&fresh, 0, sizeof fresh);
	for (int v = 0; v < CHART_VITAL_COUNT; v++) {
		size_t before = fresh.n;
		int later = 1;

		made[v] = -1;
		if (obs[v] == NULL)
			continue;
		if (old[v] != NULL &&
		    (later = measured_later(when_of(obs[v], "effectiveDateTime", "effectivePeriod"),
			 old[v]->at)) < 0)
			goto refuse;
		if (later == 0)
			continue; /* the row shown was measured later: it stays */
		read_vital(obs[v], (enum chart_vital)v, &fresh);
		if (fresh.n == before)
			goto refuse; /* a value the pane cannot show: the chart is read */
		settle(&fresh.items[fresh.n - 1]);
		made[v] = (long)fresh.n - 1;
	}
	memset(&out, 0, sizeof out);
	out.state = CHART_PANE_LOADED;
	for (int v = 0; v < CHART_VITAL_COUNT; v++) {
		if (made[v] >= 0) {
			move_row(&out, &fresh.items[made[v]]);
			if (old[v] != NULL) { /* replaced */
				item_clear(old[v]);
				memset(old[v], 0, sizeof *old[v]);
			}
		} else if (old[v] != NULL) {
			move_row(&out, old[v]);
		}
	}
	/* A row of no sign (none is made so) stays, last. */
	for (size_t i = 0; i < pane->n; i++)
		if (pane->items[i].what != NULL)
			move_row(&out, &pane->items[i]);
	chart_list_clear(&fresh);
	out.total = pane->total;
	out.failure = pane->failure;
	pane->failure = NULL;
	chart_list_clear(pane);
	*pane = out;
	return 0;
refuse:
	chart_list_clear(&fresh);
	return -1;
}

/* --- one row's details ------------------------------------------------------------------ */

/* The text of a note, at most this many bytes decoded: a screenful many times over. */
#define NOTE_TEXT_MAX 65536

static void
detail_add(struct chart_detail **d, size_t *n, const char *label, const char *value)
{
	if (value == NULL || *value == '\0' || *n >= CHART_DETAILS_MAX)
		return;
	*d = xreallocarray(*d, *n + 1, sizeof **d);
	(*d)[*n].label = xstrdup(label);
	(*d)[*n].value = xstrdup(value);
	(*n)++;
}

static void
detail_take(struct chart_detail **d, size_t *n, const char *label, char *value)
{
	detail_add(d, n, label, value);
	free(value);
}

/* Every coding of CONCEPT: "SNOMED CT 64859006 Osteoporosis (disorder)". */
static void
detail_codes(struct chart_detail **d, size_t *n, const cJSON *concept)
{
	static const struct {
		const char *system, *name;
	} systems[] = {
		{ SNOMED, "SNOMED CT" }, { ICD10CM, "ICD-10-CM" }, { LOINC, "LOINC" },
		{ CVX, "CVX" }, { "http://www.nlm.nih.gov/research/umls/rxnorm", "RxNorm" },
	};
	const cJSON *c;
	size_t k = 0;

	cJSON_ArrayForEach(c, fhir_get_array(concept, "coding"))
	{
		const char *sys = fhir_get_string(c, "system"), *name = sys;
		const char *code = fhir_get_string(c, "code"), *display = fhir_get_string(c, "display");

		if (k++ >= 8)
			break;
		for (size_t i = 0; sys != NULL && i < sizeof systems / sizeof systems[0]; i++)
			if (strcmp(sys, systems[i].system) == 0)
				name = systems[i].name;
		detail_take(d, n, "Code", xasprintf("%s %s%s%s", name ? name : "", code ? code : "",
		    display ? " " : "", display ? display : ""));
	}
}

/* Q as its list shows it: a vital sign's to one decimal, a lab's to its size (chart_quantity). */
static void
detail_quantity(struct chart_detail **d, size_t *n, const char *label, const cJSON *q, bool lab)
{
	detail_take(d, n, label, quantity_of(q, lab));
}

/* The first-level reference's display under NAME ("author", "requester"), array or not. */
static const char *
display_of(const cJSON *r, const char *name)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(r, name);

	if (cJSON_IsArray(x))
		x = cJSON_GetArrayItem(x, 0);
	return fhir_get_string(x, "display");
}

/* Text/plain DATA (base64, at most NOTE_TEXT_MAX bytes decoded) as "Text" lines. */
static void
detail_text_lines(struct chart_detail **d, size_t *n, const char *data)
{
	char *text = base64_decode_loose(data, NOTE_TEXT_MAX, NULL, NULL), *line, *next;

	if (text == NULL) {
		detail_add(d, n, "Text", "(not readable: the attachment is not base64)");
		return;
	}
	if (*text == '\0')
		detail_add(d, n, "Text", "(the note's text is empty)");
	for (line = text; *line != '\0' && *n < CHART_DETAILS_MAX; line = next) {
		size_t len;

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		len = strlen(line);
		if (len > 0 && line[len - 1] == '\r')
			line[len - 1] = '\0';
		detail_add(d, n, "Text", *line ? line : " ");
	}
	free(text);
}

static bool
is_text_plain(const char *type)
{
	return type != NULL && strncmp(type, "text/plain", 10) == 0;
}

/* The "Binary/ID" an attachment URL names, relatively or under BASE (NULL: relatively only). */
static char *
binary_ref(const char *url, const char *base)
{
	size_t b = base != NULL ? strlen(base) : 0;

	if (url == NULL)
		return NULL;
	if (b > 0 && strncmp(url, base, b) == 0 && url[b] == '/')
		url += b + 1;
	if (strncmp(url, "Binary/", 7) != 0 || !fhir_valid_id(url + 7))
		return NULL;
	return xstrdup(url);
}

/* The first attachment of DOC that holds its text: inline, or by URL. */
static const cJSON *
note_attachment(const cJSON *doc)
{
	const cJSON *content, *first = NULL;
	int k = 0;

	cJSON_ArrayForEach(content, fhir_get_array(doc, "content"))
	{
		const cJSON *a = fhir_get_object(content, "attachment");

		if (k++ >= 20)
			break;
		if (first == NULL && (fhir_get_string(a, "data") != NULL || fhir_get_string(a, "url") != NULL))
			first = a;
		/* Plain text is what a terminal shows: preferred to a PDF of the same note. */
		if (is_text_plain(fhir_get_string(a, "contentType")) &&
		    (fhir_get_string(a, "data") != NULL || fhir_get_string(a, "url") != NULL))
			return a;
	}
	return first;
}

/* A note's text: each line of a text/plain attachment as a line of its own. */
static void
detail_note_text(struct chart_detail **d, size_t *n, const cJSON *doc)
{
	const cJSON *a = note_attachment(doc);
	const char *type = fhir_get_string(a, "contentType");
	const char *data = fhir_get_string(a, "data"), *url = fhir_get_string(a, "url");
	char *ref;

	if (a == NULL) {
		detail_add(d, n, "Text", "(this note has no text)");
		return;
	}
	if (data != NULL && is_text_plain(type)) {
		detail_text_lines(d, n, data);
		return;
	}
	if (data == NULL && url != NULL && (ref = binary_ref(url, NULL)) != NULL) {
		free(ref); /* read apart: chart_note_binary */
		return;
	}
	if (data == NULL && url != NULL && strstr(url, "/Binary/") != NULL)
		return; /* chart_note_binary says whether it is this server's */
	detail_take(d, n, "Text", xasprintf("(a %s document%s%s: not shown here)",
	    type != NULL ? type : "non-text", url != NULL ? " at " : "", url != NULL ? url : ""));
}

char *
chart_note_binary(const cJSON *doc, const char *base, char **why)
{
	const cJSON *a = note_attachment(doc);
	const char *url = fhir_get_string(a, "url");
	char *ref;

	*why = NULL;
	if (a == NULL || fhir_get_string(a, "data") != NULL || url == NULL)
		return NULL;
	if ((ref = binary_ref(url, base)) != NULL)
		return ref;
	if (strstr(url, "/Binary/") != NULL)
		*why = xstrdup("the text is held on another server: not read");
	return NULL;
}

int
chart_note_text(const cJSON *binary, const char *ref, struct chart_detail **out, size_t *n,
    char **cause)
{
	const char *type = fhir_get_string(binary, "contentType");
	const char *data = fhir_get_string(binary, "data");
	const char *id = fhir_get_string(binary, "id");
	const char *rt = fhir_get_string(binary, "resourceType");

	*cause = NULL;
	if (rt == NULL || strcmp(rt, "Binary") != 0 || ref == NULL ||
	    strncmp(ref, "Binary/", 7) != 0 || id == NULL || strcmp(id, ref + 7) != 0) {
		*cause = xstrdup("the server answered with something else than the note's text");
		return -1;
	}
	if (!is_text_plain(type)) {
		detail_take(out, n, "Text", xasprintf("(a %s document: not shown here)",
		    type != NULL ? type : "non-text"));
		return 0;
	}
	if (data == NULL) {
		detail_add(out, n, "Text", "(the note's text is empty)");
		return 0;
	}
	detail_text_lines(out, n, data);
	return 0;
}

/*
 * A forecast's details into *D, *N: its date, then each recommendation (at most
 * CHART_DUE_MAX) under its vaccine.
 */
static void
forecast_details(const cJSON *r, struct chart_detail **d, size_t *n)
{
	const cJSON *rec, *x;
	int k = 0;

	detail_add(d, n, "Forecast", fhir_get_string(r, "date"));
	detail_add(d, n, "By", fhir_get_string(fhir_get_object(r, "authority"), "display"));
	cJSON_ArrayForEach(rec, fhir_get_array(r, "recommendation"))
	{
		int j = 0;

		if (k++ >= CHART_DUE_MAX)
			break;
		detail_add(d, n, "Vaccine", recommended_vaccine(rec));
		detail_add(d, n, "Status", concept_text(fhir_get_object(rec, "forecastStatus")));
		detail_add(d, n, "Due", date_criterion(rec, DATE_DUE));
		detail_add(d, n, "Earliest", date_criterion(rec, DATE_EARLIEST));
		detail_add(d, n, "Overdue on", date_criterion(rec, DATE_OVERDUE));
		detail_add(d, n, "Latest", date_criterion(rec, DATE_LATEST));
		detail_take(d, n, "Dose", dose_words(rec, false));
		detail_add(d, n, "Series", fhir_get_string(rec, "series"));
		detail_add(d, n, "Against", concept_text(fhir_get_object(rec, "targetDisease")));
		cJSON_ArrayForEach(x, fhir_get_array(rec, "forecastReason"))
		{
			if (j++ >= 4)
				break;
			detail_add(d, n, "Because", concept_text(x));
		}
		detail_add(d, n, "Note", fhir_get_string(rec, "description"));
		j = 0;
		cJSON_ArrayForEach(x, fhir_get_array(rec, "vaccineCode"))
		{
			if (j++ >= 4)
				break;
			detail_codes(d, n, x);
		}
	}
	detail_add(d, n, "Id", fhir_get_string(r, "id"));
}

int
chart_details(const cJSON *r, enum chart_pane pane, const char *id, const char *row,
    struct chart_detail **out, size_t *nout, char **cause)
{
	struct chart_detail *d = NULL;
	size_t n = 0;
	const cJSON *x;
	const char *type = fhir_get_string(r, "resourceType");
	/* A row due on the immunizations pane is a forecast. */
	bool forecast = pane == CHART_IMMUNIZATIONS && type != NULL &&
			strcmp(type, RECOMMENDATION) == 0;

	*out = NULL;
	*nout = 0;
	if (pane >= CHART_PANES || type == NULL ||
	    (!forecast && strcmp(type, panes[pane].type) != 0)) {
		*cause = xstrdup("the server answered with something else");
		return -1;
	}
	if (row != NULL && (fhir_get_string(r, "id") == NULL || strcmp(fhir_get_string(r, "id"), row) != 0)) {
		*cause = xstrdup("the server answered with another row than the one asked for");
		return -1;
	}
	if (!is_patients(pane, r, id)) {
		*cause = xstrdup("the server answered with another patient's data: not shown");
		return -1;
	}
	if (forecast) {
		forecast_details(r, &d, &n);
		*out = d;
		*nout = n;
		return 0;
	}
	detail_add(&d, &n, "What", concept_text(fhir_get_object(r, "code")));
	detail_add(&d, &n, "What", concept_text(fhir_get_object(r, "vaccineCode")));
	if (pane == CHART_MEDICATIONS)
		detail_add(&d, &n, "What", medication_name(r, NULL, NULL));
	detail_add(&d, &n, "What", concept_text(fhir_get_object(r, "type")));
	/* A note's description is its title, beside its type: not a second "What". */
	detail_add(&d, &n, pane == CHART_NOTES ? "About" : "What", fhir_get_string(r, "description"));
	detail_add(&d, &n, "Status", fhir_get_string(r, "status"));
	detail_add(&d, &n, "Because", concept_text(fhir_get_object(r, "statusReason")));
	detail_add(&d, &n, "Renews", fhir_get_string(fhir_get_object(r, "priorPrescription"), "reference"));
	detail_add(&d, &n, "Document", fhir_get_string(r, "docStatus"));
	detail_add(&d, &n, "Clinical", fhir_first_code(fhir_get_object(r, "clinicalStatus")));
	detail_add(&d, &n, "Verified", fhir_first_code(fhir_get_object(r, "verificationStatus")));
	detail_add(&d, &n, "Intent", fhir_get_string(r, "intent"));
	detail_add(&d, &n, "Criticality", fhir_get_string(r, "criticality"));
	detail_quantity(&d, &n, "Value", fhir_get_object(r, "valueQuantity"), pane != CHART_VITALS);
	detail_add(&d, &n, "Value", fhir_get_string(r, "valueString"));
	detail_add(&d, &n, "Value", concept_text(fhir_get_object(r, "valueCodeableConcept")));
	cJSON_ArrayForEach(x, fhir_get_array(r, "component"))
	{
		char *v = quantity_of(fhir_get_object(x, "valueQuantity"), pane != CHART_VITALS);
		const char *what = concept_text(fhir_get_object(x, "code"));

		if (v != NULL)
			detail_take(&d, &n, what != NULL ? what : "Component", v);
	}
	if (pane == CHART_LABS || pane == CHART_VITALS) {
		detail_take(&d, &n, "Range", lab_range(r));
		detail_add(&d, &n, "Flag", lab_flag(r));
	}
	x = cJSON_GetArrayItem(fhir_get_array(r, "reaction"), 0);
	detail_add(&d, &n, "Reaction", concept_text(cJSON_GetArrayItem(fhir_get_array(x, "manifestation"), 0)));
	detail_add(&d, &n, "Severity", fhir_get_string(x, "severity"));
	x = cJSON_GetArrayItem(fhir_get_array(r, "dosageInstruction"), 0);
	if (x != NULL)
		detail_take(&d, &n, "Sig", fhir_get_string(x, "text") != NULL
					       ? xstrdup(fhir_get_string(x, "text"))
					       : dosage_words(x));
	detail_add(&d, &n, "When", when_of(r, "effectiveDateTime", "effectivePeriod"));
	detail_add(&d, &n, "Onset", when_of(r, "onsetDateTime", "onsetPeriod"));
	detail_add(&d, &n, "Ended", fhir_get_string(r, "abatementDateTime"));
	detail_add(&d, &n, "Recorded", fhir_get_string(r, "recordedDate"));
	detail_add(&d, &n, "Ordered", fhir_get_string(r, "authoredOn"));
	detail_add(&d, &n, "Given", fhir_get_string(r, "occurrenceDateTime"));
	if (pane == CHART_NOTES && fhir_get_string(r, "date") != NULL) /* local, as the list shows it */
		detail_take(&d, &n, "Date", chart_when(fhir_get_string(r, "date"), true));
	else
		detail_add(&d, &n, "Date", fhir_get_string(r, "date"));
	detail_add(&d, &n, "Start", fhir_get_string(r, "start"));
	detail_add(&d, &n, "End", fhir_get_string(r, "end"));
	detail_add(&d, &n, "By", display_of(r, "author"));
	detail_add(&d, &n, "Signed by", display_of(r, "authenticator"));
	detail_add(&d, &n, "Prescriber", display_of(r, "requester"));
	detail_add(&d, &n, "Recorder", display_of(r, "recorder"));
	detail_add(&d, &n, "Performer",
	    display_of(cJSON_GetArrayItem(fhir_get_array(r, "performer"), 0), "actor"));
	detail_codes(&d, &n, fhir_get_object(r, "code"));
	detail_codes(&d, &n, fhir_get_object(r, "vaccineCode"));
	detail_codes(&d, &n, fhir_get_object(r, "medicationCodeableConcept"));
	cJSON_ArrayForEach(x, fhir_get_array(r, "note"))
		detail_add(&d, &n, "Note", fhir_get_string(x, "text"));
	if (pane == CHART_NOTES)
		detail_note_text(&d, &n, r);
	detail_add(&d, &n, "Id", fhir_get_string(r, "id"));
	*out = d;
	*nout = n;
	return 0;
}

int
chart_row_details(const cJSON *r, enum chart_pane pane, const char *type, const char *id,
    const char *row, struct chart_detail **out, size_t *n, char **cause)
{
	const char *is = fhir_get_string(r, "resourceType");

	if (type == NULL || is == NULL || strcmp(is, type) != 0) {
		*out = NULL;
		*n = 0;
		*cause = xstrdup("the server answered with something else");
		return -1;
	}
	return chart_details(r, pane, id, row, out, n, cause);
}

void
chart_details_free(struct chart_detail *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(d[i].label);
		free(d[i].value);
	}
	free(d);
}
