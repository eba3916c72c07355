/* Patient banner: name, age, sex, MRN and allergy flag from a FHIR Patient, cut by importance. */
#include "config.h"

#include "ui/banner.h"
#include "fhir/fhir.h"
#include "text/safe.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <stdlib.h>
#include <string.h>

#define V2_0203 "http://terminology.hl7.org/CodeSystem/v2-0203"
/* Bytes looked at of any one server string: more than a row holds, bounded for hostile data. */
#define BANNER_FIELD_MAX 512
/* Given names shown; more are rare and would not fit. */
#define BANNER_GIVEN_MAX 3
/* Columns a cut name or MRN keeps before the parts after them are dropped. */
#define BANNER_NAME_MIN 12
#define BANNER_MRN_MIN 12
#define BANNER_GAP "  "

static int
bounded(const char *s)
{
	return s != NULL ? (int)strnlen(s, BANNER_FIELD_MAX) : 0;
}

static bool
is(const char *a, const char *b)
{
	return a != NULL && strcmp(a, b) == 0;
}

/* The HumanName to show: use=official, else the first not marked old, else the first. */
static const cJSON *
pick_name(const cJSON *patient)
{
	const cJSON *names = fhir_get_array(patient, "name"), *n, *current = NULL, *any = NULL;

	cJSON_ArrayForEach(n, names)
	{
		const char *use = fhir_get_string(n, "use");

		if (!cJSON_IsObject(n))
			continue;
		if (is(use, "official"))
			return n;
		if (current == NULL && !is(use, "old"))
			current = n;
		if (any == NULL)
			any = n;
	}
	return current != NULL ? current : any;
}

char *
ui_banner_name(const cJSON *patient, bool utf8)
{
	const cJSON *name = pick_name(patient), *g;
	const char *family = fhir_get_string(name, "family"), *text = fhir_get_string(name, "text");
	char *given = xstrdup(""), *raw, *safe;
	int shown = 0;

	cJSON_ArrayForEach(g, fhir_get_array(name, "given"))
	{
		char *next;

		if (!cJSON_IsString(g) || g->valuestring[0] == '\0' || shown == BANNER_GIVEN_MAX)
			continue;
		next = xasprintf("%s%s%.*s", given, shown > 0 ? " " : "", bounded(g->valuestring),
		    g->valuestring);
		free(given);
		given = next;
		shown++;
	}
	if (family != NULL && family[0] != '\0' && given[0] != '\0')
		raw = xasprintf("%.*s, %s", bounded(family), family, given);
	else if (family != NULL && family[0] != '\0')
		raw = xasprintf("%.*s", bounded(family), family);
	else if (given[0] != '\0')
		raw = xstrdup(given);
	else if (text != NULL && text[0] != '\0')
		raw = xasprintf("%.*s", bounded(text), text);
	else
		raw = xstrdup("(no name)");
	safe = safe_text(raw, strlen(raw), 0, utf8);
	free(raw);
	free(given);
	return safe;
}

/* A FHIR date, "YYYY", "YYYY-MM" or "YYYY-MM-DD", into *D; *PARTS is how many were there. */
static bool
fhir_date(const char *s, struct date *d, int *parts)
{
	int len = bounded(s);

	if (len != 4 && len != 7 && len != 10)
		return false;
	for (int i = 0; i < len; i++) {
		bool dash = i == 4 || i == 7;

		if (dash ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return false;
	}
	d->year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	d->month = len >= 7 ? (s[5] - '0') * 10 + (s[6] - '0') : 1;
	d->day = len == 10 ? (s[8] - '0') * 10 + (s[9] - '0') : 1;
	*parts = len == 4 ? 1 : len == 7 ? 2 : 3;
	return date_valid(d);
}

/* "73y"; under two years "5mo", under a month "12d"; a partial birth date may give "44-45y". */
static char *
age_text(const char *birth_date, const struct date *today)
{
	struct date b, last;
	int parts, young, old, months;

	if (birth_date == NULL)
		return NULL;
	if (!fhir_date(birth_date, &b, &parts))
		return xstrdup("age ?");
	if (parts < 3) {
		/* A year or a month alone: the age is a range, latest possible day to first. */
		last = b;
		if (parts == 1)
			last.month = 12;
		last.day = date_days_in_month(last.year, last.month);
		old = date_age_years(&b, today);
		young = date_age_years(&last, today);
		if (old < 0)
			return xstrdup("age ?");
		if (young < 0)
			young = 0;
		return young == old ? xasprintf("%dy", old) : xasprintf("%d-%dy", young, old);
	}
	old = date_age_years(&b, today);
	if (old < 0)
		return xstrdup("age ?");
	if (old >= 2)
		return xasprintf("%dy", old);
	months = (today->year - b.year) * 12 + (today->month - b.month) - (today->day < b.day);
	if (months >= 1)
		return xasprintf("%dmo", months);
	return xasprintf("%ldd", date_diff_days(&b, today));
}

static const char *
sex_letter(const char *gender)
{
	if (is(gender, "male"))
		return "M";
	if (is(gender, "female"))
		return "F";
	if (is(gender, "other"))
		return "O";
	if (is(gender, "unknown"))
		return "U";
	return NULL;
}

/* True when IDENTIFIER's type is v2-0203 MR, a medical record number. */
static bool
is_mrn(const cJSON *identifier)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, fhir_get_array(fhir_get_object(identifier, "type"), "coding"))
	{
		if (is(fhir_get_string(c, "system"), V2_0203) &&
		    is(fhir_get_string(c, "code"), "MR"))
			return true;
	}
	return false;
}

/* The MRN's value, borrowed: the first MR identifier not marked old, else any, else NULL. */
static const char *
mrn_of(const cJSON *patient)
{
	const cJSON *id;
	const char *old = NULL;

	cJSON_ArrayForEach(id, fhir_get_array(patient, "identifier"))
	{
		const char *value = fhir_get_string(id, "value");

		if (value == NULL || value[0] == '\0' || !is_mrn(id))
			continue;
		if (!is(fhir_get_string(id, "use"), "old"))
			return value;
		if (old == NULL)
			old = value;
	}
	return old;
}

static const char *
allergy_text(enum ui_allergy allergy)
{
	switch (allergy) {
	case UI_ALLERGY_ACTIVE:
		return "ALLERGIES";
	case UI_ALLERGY_NONE_KNOWN:
		return "NKA";
	case UI_ALLERGY_NOT_RECORDED:
		return "allergies not recorded";
	case UI_ALLERGY_UNCHECKED:
	default:
		return "allergies not loaded";
	}
}

static char *
cut(const char *safe, size_t columns, bool utf8)
{
	return safe_text(safe, strlen(safe), columns, utf8);
}

char *
ui_banner_text(
    const cJSON *patient, enum ui_allergy allergy, const struct date *today, int width, bool utf8)
{
	struct date_time now;
	const char *sex, *mrn;
	char *name, *ages, *age_sex, *mrn_part, *flag, *left, *out, *raw;
	size_t name_w, mrn_w, flag_w, age_w, fixed, avail, gap = strlen(BANNER_GAP);
	bool show_age, show_flag;

	if (today == NULL) {
		date_time_now(&now);
		today = &now.date;
	}
	name = ui_banner_name(patient, utf8);
	ages = age_text(fhir_get_string(patient, "birthDate"), today);
	sex = sex_letter(fhir_get_string(patient, "gender"));
	raw = xasprintf("%s%s%s", ages != NULL ? ages : "", ages != NULL && sex != NULL ? " " : "",
	    sex != NULL ? sex : "");
	age_sex = safe_text(raw, strlen(raw), 0, utf8);
	free(raw);
	free(ages);
	mrn = mrn_of(patient);
	raw = mrn != NULL ? xasprintf("MRN %.*s", bounded(mrn), mrn) : xstrdup("no MRN");
	mrn_part = safe_text(raw, strlen(raw), 0, utf8);
	free(raw);
	flag = safe_text(allergy_text(allergy), strlen(allergy_text(allergy)), 0, utf8);

	name_w = safe_width(name);
	mrn_w = safe_width(mrn_part);
	flag_w = safe_width(flag);
	age_w = safe_width(age_sex);
	show_age = age_w > 0;
	show_flag = true;
	if (width > 0) {
		size_t w = (size_t)width;
		size_t name_min = name_w < BANNER_NAME_MIN ? name_w : BANNER_NAME_MIN;
		size_t mrn_min = mrn_w < BANNER_MRN_MIN ? mrn_w : BANNER_MRN_MIN;

		/* Drop the least important parts until the rest fit at their least. */
		if (show_age && name_min + mrn_min + flag_w + age_w + 3 * gap > w)
			show_age = false;
		if (name_min + mrn_min + flag_w + 2 * gap > w)
			show_flag = false;
		fixed = gap + (show_age ? age_w + gap : 0) + (show_flag ? flag_w + gap : 0);
		avail = w > fixed ? w - fixed : 0;
		/* With no room even for the gap, the whole is cut at the end, name first. */
		if (avail > 0 && name_w + mrn_w > avail) {
			/* The name keeps what the MRN's least leaves; the MRN has the rest. */
			size_t name_take = avail > mrn_min ? avail - mrn_min : 0, mrn_take;
			char *s;

			/* Too narrow for both: the name first (0 is no limit to safe_text). */
			if (name_take == 0)
				name_take = avail;
			if (name_take > name_w)
				name_take = name_w;
			if (name_take < name_w) {
				s = name_take > 0 ? cut(name, name_take, utf8) : xstrdup("");
				free(name);
				name = s;
			}
			mrn_take = avail > safe_width(name) ? avail - safe_width(name) : 0;
			if (mrn_take < mrn_w) {
				s = mrn_take > 0 ? cut(mrn_part, mrn_take, utf8) : xstrdup("");
				free(mrn_part);
				mrn_part = s;
			}
		}
	}
	left = xasprintf("%s%s%s%s%s", name, show_age ? BANNER_GAP : "", show_age ? age_sex : "",
	    BANNER_GAP, mrn_part);
	if (!show_flag) {
		out = xstrdup(left);
	} else {
		/* The flag at the right end, where the eye finds it on every screen. */
		size_t used = safe_width(left), pad = gap;

		if (width > 0 && (size_t)width > used + flag_w + gap)
			pad = (size_t)width - used - flag_w;
		out = xasprintf("%s%*s%s", left, (int)pad, "", flag);
	}
	free(left);
	free(name);
	free(age_sex);
	free(mrn_part);
	free(flag);
	if (width > 0 && safe_width(out) > (size_t)width) {
		/* Too narrow even for the least: cut the whole, which starts with the name. */
		char *s = cut(out, (size_t)width, utf8);

		free(out);
		out = s;
	}
	return out;
}

void
ui_banner_draw(WINDOW *win, int y, int cols, const cJSON *patient, enum ui_allergy allergy,
    const struct date *today)
{
	char *text = ui_banner_text(patient, allergy, today, cols, ui_utf8());

	ui_put(win, y, 0, cols, text, UI_BANNER, true);
	free(text);
}
