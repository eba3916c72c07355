/* Patient banner: name, date of birth, age, sex, MRN, deceased and allergies from typed views, cut by importance. */
#include "config.h"

#include "ui/banner.h"
#include "text/safe.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <stdlib.h>
#include <string.h>

/* Bytes looked at of any one server string: more than a row holds, bounded for hostile data. */
#define BANNER_FIELD_MAX 512
/* Given names shown; more are rare and would not fit. */
#define BANNER_GIVEN_MAX 3
/* Columns a cut name or MRN keeps before the parts after them are dropped. */
#define BANNER_NAME_MIN 12
#define BANNER_MRN_MIN 12
/* Columns an allergy list keeps when cut, "ALLERGIES: P…"; narrower, the word alone. */
#define BANNER_FLAG_MIN 13
#define BANNER_LISTED "ALLERGIES"
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

/* The allergy part: the list when one was loaded, else what is known of it. */
static char *
allergy_text(const struct patient_allergies *a)
{
	char *out, *more;

	switch (a != NULL ? a->state : PATIENT_ALLERGY_NOT_LOADED) {
	case PATIENT_ALLERGY_LISTED: {
		size_t listed = 0;

		/* High criticality first: a line cut at the terminal's width must keep those. */
		out = xstrdup("ALLERGIES:");
		for (int pass = 0; pass < 2; pass++) {
			for (size_t i = 0; i < a->n; i++) {
				if (a->items[i].high != (pass == 0))
					continue;
				more = xasprintf("%s%s %.*s%s", out, listed++ > 0 ? ";" : "",
				    bounded(a->items[i].substance), a->items[i].substance,
				    a->items[i].high ? " (high)" : "");
				free(out);
				out = more;
			}
		}
		return out;
	}
	case PATIENT_ALLERGY_NONE_KNOWN:
		return xstrdup("NKA");
	case PATIENT_ALLERGY_NOT_RECORDED:
		return xstrdup("allergies not recorded");
	case PATIENT_ALLERGY_NOT_LOADED:
	default:
		return xstrdup("allergies not loaded");
	}
}

static char *
cut(const char *safe, size_t columns, bool utf8)
{
	return safe_text(safe, strlen(safe), columns, utf8);
}

/* The banner's line; WITH_FLAG false leaves the allergies out (they go on a line of their own). */
static char *
banner_line(const struct patient_view *v, const struct patient_allergies *allergies,
    bool with_flag, const struct date *today, int width, bool utf8)
{
	struct date_time now;
	struct date death;
	const char *sex;
	char *name, *ages, *age_sex, *mrn_part, *flag, *left, *out, *raw, *dead;
	size_t name_w, mrn_w, flag_w, flag_min, age_w, dead_w, fixed, avail, gap = strlen(BANNER_GAP);
	bool show_age, show_flag, listed;

	if (today == NULL) {
		date_time_now(&now);
		today = &now.date;
	}
	/* A deceased patient's age is the age at death (the view's date is a strict ISO date). */
	if (*v->deceased_date != '\0') {
		char *why = NULL;

		if (date_parse(v->deceased_date, today, &death, &why) == 0 &&
		    date_compare(&death, today) < 0)
			today = &death;
		free(why);
	}
	name = safe_text(v->name, (size_t)bounded(v->name), 0, utf8);
	ages = age_text(*v->birth_text ? v->birth_text : NULL, today);
	sex = sex_letter(v->gender);
	/* Date of birth is the second identifier: beside the name, before age and sex. */
	raw = xasprintf("%s%.*s%s%s%s%s", *v->birth_date ? "DOB " : "", bounded(v->birth_date),
	    v->birth_date, *v->birth_date && (ages != NULL || sex != NULL) ? "  " : "",
	    ages != NULL ? ages : "", ages != NULL && sex != NULL ? " " : "", sex != NULL ? sex : "");
	age_sex = safe_text(raw, strlen(raw), 0, utf8);
	free(raw);
	free(ages);
	raw = *v->mrn ? xasprintf("MRN %.*s", bounded(v->mrn), v->mrn) : xstrdup("no MRN");
	mrn_part = safe_text(raw, strlen(raw), 0, utf8);
	free(raw);
	raw = !v->deceased ? xstrdup("")
	      : *v->deceased_date ? xasprintf("DECEASED %.10s", v->deceased_date)
				  : xstrdup("DECEASED");
	dead = safe_text(raw, strlen(raw), 0, utf8);
	free(raw);
	raw = allergy_text(allergies);
	flag = safe_text(raw, strlen(raw), 0, utf8);
	free(raw);

	name_w = safe_width(name);
	mrn_w = safe_width(mrn_part);
	flag_w = safe_width(flag);
	/* A list is cut with an ellipsis; too narrow for that, it is the word alone. */
	listed = allergies != NULL && allergies->state == PATIENT_ALLERGY_LISTED;
	flag_min = listed ? strlen(BANNER_LISTED) : flag_w;
	age_w = safe_width(age_sex);
	dead_w = safe_width(dead);
	show_age = age_w > 0;
	show_flag = with_flag;
	if (!with_flag)
		flag_min = 0;
	if (width > 0) {
		size_t w = (size_t)width;
		size_t name_min = name_w < BANNER_NAME_MIN ? name_w : BANNER_NAME_MIN;
		size_t mrn_min = mrn_w < BANNER_MRN_MIN ? mrn_w : BANNER_MRN_MIN;
		size_t dead_need = dead_w > 0 ? dead_w + gap : 0;

		/* Drop the least important parts until the rest fit at their least. */
		if (show_age && name_min + mrn_min + dead_need + flag_min + age_w + 3 * gap > w)
			show_age = false;
		if (show_flag && name_min + mrn_min + dead_need + flag_min + 2 * gap > w)
			show_flag = false;
		fixed = gap + (show_age ? age_w + gap : 0) + (show_flag ? flag_min + gap : 0) +
		    dead_need;
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
	left = xasprintf("%s%s%s%s%s%s%s", name, show_age ? BANNER_GAP : "", show_age ? age_sex : "",
	    BANNER_GAP, mrn_part, dead_w > 0 ? BANNER_GAP : "", dead);
	if (!show_flag) {
		out = xstrdup(left);
	} else {
		/* The flag at the right end, where the eye finds it on every screen. */
		size_t used = safe_width(left), pad = gap;

		if (width > 0 && used + gap + flag_w > (size_t)width) {
			size_t room = (size_t)width - used - gap;
			char *s = room >= BANNER_FLAG_MIN ? cut(flag, room, utf8) : xstrdup(BANNER_LISTED);

			free(flag);
			flag = s;
			flag_w = safe_width(flag);
		}
		if (width > 0 && (size_t)width > used + flag_w + gap)
			pad = (size_t)width - used - flag_w;
		out = xasprintf("%s%*s%s", left, (int)pad, "", flag);
	}
	free(left);
	free(name);
	free(age_sex);
	free(mrn_part);
	free(dead);
	free(flag);
	if (width > 0 && safe_width(out) > (size_t)width) {
		/* Too narrow even for the least: cut the whole, which starts with the name. */
		char *s = cut(out, (size_t)width, utf8);

		free(out);
		out = s;
	}
	return out;
}

char *
ui_banner_text(const struct patient_view *v, const struct patient_allergies *allergies,
    const struct date *today, int width, bool utf8)
{
	return banner_line(v, allergies, true, today, width, utf8);
}

char *
ui_banner_identity(const struct patient_view *v, const struct date *today, int width, bool utf8)
{
	return banner_line(v, NULL, false, today, width, utf8);
}

char *
ui_banner_allergies(const struct patient_allergies *allergies, int width, bool utf8)
{
	char *raw = allergy_text(allergies), *out;

	out = safe_text(raw, strlen(raw), width > 0 ? (size_t)width : 0, utf8);
	free(raw);
	return out;
}

int
ui_banner_draw(WINDOW *win, int y, int cols, const struct patient_view *v,
    const struct patient_allergies *allergies, const struct date *today)
{
	bool utf8 = ui_utf8();
	char *whole = ui_banner_text(v, allergies, today, 0, utf8), *text;

	/* One row when everything fits; else who it is, and the allergies uncut below. */
	if (safe_width(whole) <= (size_t)cols) {
		free(whole);
		text = ui_banner_text(v, allergies, today, cols, utf8);
		ui_put(win, y, 0, cols, text, UI_BANNER, true);
		free(text);
		return 1;
	}
	free(whole);
	text = ui_banner_identity(v, today, cols, utf8);
	ui_put(win, y, 0, cols, text, UI_BANNER, true);
	free(text);
	text = ui_banner_allergies(allergies, cols, utf8);
	ui_put(win, y + 1, 0, cols, text, UI_BANNER, true);
	free(text);
	return 2;
}
