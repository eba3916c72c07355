/* Unit tests for the patient banner: full, partial, mistyped and hostile Patients, narrow rows. */
#include "config.h"

#include <criterion/criterion.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/safe.h"
#include "ui/banner.h"
#include "ui/ui.h"

static const struct date today = {2026, 3, 1};

static void
utf8_locale(void)
{
	cr_assert_not_null(setlocale(LC_ALL, "C.UTF-8"), "the C.UTF-8 locale is needed");
}

TestSuite(banner, .init = utf8_locale);

static cJSON *
parse(const char *json)
{
	cJSON *j = cJSON_Parse(json);

	cr_assert_not_null(j, "test JSON: %s", json);
	return j;
}

/* The allergy states a test asks for; LISTED is one allergy, Shellfish. */
enum allergy { NOT_LOADED, NOT_RECORDED, NONE_KNOWN, LISTED };

static struct patient_allergy shellfish = { "Shellfish", false };

static struct patient_allergies
allergies(enum allergy a)
{
	struct patient_allergies out = { PATIENT_ALLERGY_NOT_LOADED, NULL, 0 };

	switch (a) {
	case NOT_RECORDED:
		out.state = PATIENT_ALLERGY_NOT_RECORDED;
		break;
	case NONE_KNOWN:
		out.state = PATIENT_ALLERGY_NONE_KNOWN;
		break;
	case LISTED:
		out.state = PATIENT_ALLERGY_LISTED;
		out.items = &shellfish;
		out.n = 1;
		break;
	default:
		break;
	}
	return out;
}

/* The banner of JSON (read as the lists read it) at WIDTH, for comparing. */
static char *
banner(const char *json, enum allergy a, int width)
{
	cJSON *p = json != NULL ? parse(json) : NULL;
	struct patient_allergies al = allergies(a);
	struct patient_view v;
	char *t;

	patient_view_read(p, &v);
	t = ui_banner_text(&v, &al, &today, width, true);
	patient_view_clear(&v);
	cJSON_Delete(p);
	return t;
}

static void
assert_banner(const char *json, enum allergy a, int width, const char *want)
{
	char *t = banner(json, a, width);

	cr_assert_str_eq(t, want);
	free(t);
}

/* True when S holds no byte or character a terminal would act on. */
static bool
inert(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; p[i] != '\0'; i++) {
		if (p[i] < 0x20 || p[i] == 0x7F)
			return false;
		if (p[i] == 0xC2 && p[i + 1] >= 0x80 && p[i + 1] <= 0x9F)
			return false; /* C1 controls as UTF-8 */
		if (p[i] == 0xE2 && p[i + 1] == 0x80 && p[i + 2] >= 0xAA && p[i + 2] <= 0xAE)
			return false; /* bidi embeddings and overrides */
		if (p[i] == 0xE2 && p[i + 1] == 0x81 && p[i + 2] >= 0xA6 && p[i + 2] <= 0xA9)
			return false; /* bidi isolates */
	}
	return true;
}

#define CHAD                                                                                       \
	"{\"resourceType\":\"Patient\",\"name\":[{\"use\":\"official\",\"family\":\"Quigley\","    \
	"\"given\":[\"Chad\"],\"prefix\":[\"Mr.\"]}],\"gender\":\"male\",\"birthDate\":"           \
	"\"1952-06-19\",\"identifier\":[{\"system\":\"https://github.com/synthetichealth/"         \
	"synthea\",\"value\":\"b9737c68\"},{\"type\":{\"coding\":[{\"system\":"                    \
	"\"http://terminology.hl7.org/CodeSystem/v2-0203\",\"code\":\"MR\"}]},\"value\":"          \
	"\"MR-8013\"},{\"type\":{\"coding\":[{\"system\":"                                         \
	"\"http://terminology.hl7.org/CodeSystem/v2-0203\",\"code\":\"SS\"}]},\"value\":"          \
	"\"999-37-8013\"}]}"

/* --- NULL and the empty Patient --------------------------------------------------------- */

Test(banner, null_and_empty_patients)
{
	assert_banner(NULL, NOT_LOADED, 0, "(no name)  no MRN  allergies not loaded");
	assert_banner(
	    "{}", NOT_RECORDED, 0, "(no name)  no MRN  allergies not recorded");
	assert_banner("[1,2]", NONE_KNOWN, 0, "(no name)  no MRN  NKA");
	assert_banner("\"Patient\"", LISTED, 0, "(no name)  no MRN  ALLERGIES: Shellfish");
}

/* --- full and partial ------------------------------------------------------------------- */

Test(banner, full_patient)
{
	assert_banner(CHAD, LISTED, 0,
	    "Quigley, Chad  DOB 1952-06-19  73y M  MRN MR-8013  ALLERGIES: Shellfish");
	/* On a row, the flag sits at the right end. */
	char *t = banner(CHAD, NONE_KNOWN, 80);

	cr_assert_eq(safe_width(t), 80);
	cr_assert(strncmp(t, "Quigley, Chad  DOB 1952-06-19  73y M  MRN MR-8013 ", 50) == 0, "%s", t);
	cr_assert_str_eq(t + strlen(t) - 5, "  NKA");
	free(t);
}

Test(banner, the_allergy_states_differ)
{
	char *a = banner(CHAD, LISTED, 0), *n = banner(CHAD, NONE_KNOWN, 0);
	char *r = banner(CHAD, NOT_RECORDED, 0),
	     *u = banner(CHAD, NOT_LOADED, 0);

	cr_assert_not_null(strstr(a, "ALLERGIES"));
	cr_assert_not_null(strstr(n, "NKA"));
	cr_assert_not_null(strstr(r, "allergies not recorded"));
	cr_assert_not_null(strstr(u, "allergies not loaded"), "unknown is not 'none recorded'");
	cr_assert_null(strstr(u, "not recorded"));
	free(a);
	free(n);
	free(r);
	free(u);
}

Test(banner, names)
{
	/* Official wins over the first; an old name is passed over; given names are joined. */
	assert_banner("{\"name\":[{\"use\":\"usual\",\"given\":[\"Chuck\"]},{\"use\":\"official\","
	              "\"family\":\"Quigley\",\"given\":[\"Chad\",\"Allen\"]}]}",
	    NONE_KNOWN, 0, "Quigley, Chad Allen  no MRN  NKA");
	assert_banner(
	    "{\"name\":[{\"use\":\"old\",\"family\":\"Maiden\"},{\"family\":\"Married\"}]}",
	    NONE_KNOWN, 0, "Married  no MRN  NKA");
	assert_banner("{\"name\":[{\"use\":\"old\",\"family\":\"Only\"}]}", NONE_KNOWN,
	    0, "Only  no MRN  NKA");
	assert_banner(
	    "{\"name\":[{\"given\":[\"Cher\"]}]}", NONE_KNOWN, 0, "Cher  no MRN  NKA");
	assert_banner("{\"name\":[{\"text\":\"Baby Boy Quigley\"}]}", NONE_KNOWN, 0,
	    "Baby Boy Quigley  no MRN  NKA");
	assert_banner("{\"name\":[{\"family\":\"A\",\"given\":[\"B\",\"C\",\"D\",\"E\",\"F\"]}]}",
	    NONE_KNOWN, 0, "A, B C D E F  no MRN  NKA");
}

Test(banner, ages)
{
	assert_banner("{\"birthDate\":\"2026-02-28\"}", NONE_KNOWN, 0,
	    "(no name)  DOB 2026-02-28  1d  no MRN  NKA");
	assert_banner("{\"birthDate\":\"2025-10-15\"}", NONE_KNOWN, 0,
	    "(no name)  DOB 2025-10-15  4mo  no MRN  NKA");
	assert_banner("{\"birthDate\":\"2024-03-01\"}", NONE_KNOWN, 0,
	    "(no name)  DOB 2024-03-01  2y  no MRN  NKA");
	assert_banner("{\"birthDate\":\"2024-03-02\"}", NONE_KNOWN, 0,
	    "(no name)  DOB 2024-03-02  23mo  no MRN  NKA");
	/* A year or a month alone gives the ages it could be. */
	assert_banner(
	    "{\"birthDate\":\"1970\"}", NONE_KNOWN, 0, "(no name)  55-56y  no MRN  NKA");
	assert_banner(
	    "{\"birthDate\":\"1970-01\"}", NONE_KNOWN, 0, "(no name)  56y  no MRN  NKA");
	/* Not a date, or not yet: said, not guessed. */
	assert_banner("{\"birthDate\":\"2030-01-01\"}", NONE_KNOWN, 0,
	    "(no name)  DOB 2030-01-01  age ?  no MRN  NKA");
	assert_banner(
	    "{\"birthDate\":\"T+7\"}", NONE_KNOWN, 0, "(no name)  age ?  no MRN  NKA");
	assert_banner("{\"birthDate\":\"1970-02-30\"}", NONE_KNOWN, 0,
	    "(no name)  age ?  no MRN  NKA");
}

Test(banner, sexes)
{
	assert_banner(
	    "{\"gender\":\"female\"}", NONE_KNOWN, 0, "(no name)  F  no MRN  NKA");
	assert_banner(
	    "{\"gender\":\"other\"}", NONE_KNOWN, 0, "(no name)  O  no MRN  NKA");
	assert_banner(
	    "{\"gender\":\"unknown\"}", NONE_KNOWN, 0, "(no name)  U  no MRN  NKA");
	assert_banner(
	    "{\"gender\":\"\\u001b[2J\"}", NONE_KNOWN, 0, "(no name)  no MRN  NKA");
}

Test(banner, mrn)
{
	/* MR of another system is not an MRN; an old MRN gives way to a current one. */
	assert_banner("{\"identifier\":[{\"type\":{\"coding\":[{\"system\":\"urn:x\",\"code\":"
	              "\"MR\"}]},\"value\":\"1\"}]}",
	    NONE_KNOWN, 0, "(no name)  no MRN  NKA");
	assert_banner(
	    "{\"identifier\":[{\"use\":\"old\",\"type\":{\"coding\":[{\"system\":"
	    "\"http://terminology.hl7.org/CodeSystem/v2-0203\",\"code\":\"MR\"}]},\"value\":"
	    "\"OLD1\"},{\"type\":{\"coding\":[{\"system\":\"x\",\"code\":\"y\"},{\"system\":"
	    "\"http://terminology.hl7.org/CodeSystem/v2-0203\",\"code\":\"MR\"}]},\"value\":"
	    "\"NEW2\"}]}",
	    NONE_KNOWN, 0, "(no name)  MRN NEW2  NKA");
	assert_banner(
	    "{\"identifier\":[{\"use\":\"old\",\"type\":{\"coding\":[{\"system\":"
	    "\"http://terminology.hl7.org/CodeSystem/v2-0203\",\"code\":\"MR\"}]},\"value\":"
	    "\"OLD1\"}]}",
	    NONE_KNOWN, 0, "(no name)  MRN OLD1  NKA");
}

/* --- wrongly typed members -------------------------------------------------------------- */

Test(banner, wrong_types_read_as_absent)
{
	static const char *const cases[] = {
	    "{\"name\":\"Quigley\"}",
	    "{\"name\":[\"Quigley\",7,null,[]]}",
	    "{\"name\":[{\"family\":7,\"given\":\"Chad\",\"use\":1}]}",
	    "{\"name\":[{\"given\":[1,null,{},\"\"],\"text\":[]}]}",
	    "{\"birthDate\":19520619,\"gender\":true}",
	    "{\"birthDate\":\"1952-06-19T00:00:00Z\"}",
	    "{\"identifier\":{\"value\":\"1\"}}",
	    "{\"identifier\":[1,\"x\",{\"type\":\"MR\",\"value\":\"1\"},{\"type\":{\"coding\":"
	    "{\"code\":\"MR\"}},\"value\":\"2\"},{\"type\":{\"coding\":[{\"system\":"
	    "\"http://terminology.hl7.org/CodeSystem/v2-0203\",\"code\":\"MR\"}]},\"value\":3}]}",
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *t = banner(cases[i], LISTED, 80);

		cr_assert(strncmp(t, "(no name)  ", 11) == 0, "case %zu: %s", i, t);
		cr_assert_null(strstr(t, "MRN 1"), "case %zu", i);
		cr_assert_null(strstr(t, "MRN 2"), "case %zu", i);
		cr_assert_not_null(strstr(t, "no MRN"), "case %zu: %s", i, t);
		cr_assert_eq(safe_width(t), 80, "case %zu", i);
		free(t);
	}
}

/* --- hostile ---------------------------------------------------------------------------- */

Test(banner, hostile_strings_come_out_inert)
{
	const char *json =
	    "{\"name\":[{\"family\":\"\\u001b]0;owned\\u0007\\u001b[2J\",\"given\":[\"\\u202eevil"
	    "\\u2066\",\"\\u009b31m\"]}],\"identifier\":[{\"type\":{\"coding\":[{\"system\":"
	    "\"http://terminology.hl7.org/CodeSystem/v2-0203\",\"code\":\"MR\"}]},\"value\":"
	    "\"12\\r\\n34\\u001bP\"}],\"birthDate\":\"1980-01-01\",\"gender\":\"female\"}";
	char *t;

	for (int width = 0; width <= 100; width += 5) {
		t = banner(json, LISTED, width);
		cr_assert(inert(t), "width %d: %s", width, t);
		if (width > 0)
			cr_assert_leq(safe_width(t), (size_t)width, "width %d: %s", width, t);
		free(t);
	}
	t = banner(json, LISTED, 0);
	cr_assert_not_null(strstr(t, "]0;owned"), "the text shows, made harmless: %s", t);
	cr_assert_not_null(strstr(t, "evil"));
	cr_assert_not_null(strstr(t, "MRN 12  34"), "line breaks become spaces: %s", t);
	free(t);
	/* A terminal without UTF-8 gets ASCII only. */
	cJSON *p = parse(json);
	struct patient_allergies al = allergies(LISTED);
	struct patient_view v;

	patient_view_read(p, &v);
	t = ui_banner_text(&v, &al, &today, 0, false);
	for (const unsigned char *c = (const unsigned char *)t; *c != '\0'; c++)
		cr_assert(*c >= 0x20 && *c < 0x7F, "%s", t);
	free(t);
	patient_view_clear(&v);
	cJSON_Delete(p);
}

Test(banner, a_huge_name_keeps_mrn_and_flag)
{
	char *json, *t, big[5001];

	memset(big, 'X', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	cr_assert(asprintf(&json,
	              "{\"name\":[{\"family\":\"%s\",\"given\":[\"%s\"]}],\"birthDate\":"
	              "\"1980-01-01\",\"gender\":\"male\",\"identifier\":[{\"type\":{\"coding\":[{"
	              "\"system\":\"http://terminology.hl7.org/CodeSystem/v2-0203\",\"code\":"
	              "\"MR\"}]},\"value\":\"4711\"}]}",
	              big, big) > 0);
	t = banner(json, LISTED, 80);
	cr_assert_eq(safe_width(t), 80);
	cr_assert(strncmp(t, "XXXX", 4) == 0);
	cr_assert_not_null(strstr(t, "\xe2\x80\xa6"), "the name is cut with an ellipsis: %s", t);
	cr_assert_not_null(strstr(t, "MRN 4711"), "%s", t);
	cr_assert_not_null(strstr(t, "ALLERGIES"), "%s", t);
	cr_assert_not_null(strstr(t, "46y M"), "%s", t);
	free(t);
	free(json);
}

Test(banner, narrow_rows_keep_name_and_mrn_first)
{
	char *t;

	/* 37: the age and sex go first. */
	t = banner(CHAD, LISTED, 37);
	cr_assert_str_eq(t, "Quigley, Chad  MRN MR-8013  ALLERGIES");
	free(t);
	/* 36: the name gives a column before the flag goes. */
	t = banner(CHAD, LISTED, 36);
	cr_assert_str_eq(t, "Quigley, Ch\xe2\x80\xa6  MRN MR-8013  ALLERGIES");
	free(t);
	/* 30: then the flag. */
	t = banner(CHAD, LISTED, 30);
	cr_assert_leq(safe_width(t), 30);
	cr_assert_str_eq(t, "Quigley, Chad  MRN MR-8013");
	free(t);
	/* 20: the MRN whole, the name what is left. */
	t = banner(CHAD, LISTED, 20);
	cr_assert_str_eq(t, "Quigle\xe2\x80\xa6  MRN MR-8013");
	free(t);
	for (int w = 1; w < 20; w++) {
		t = banner(CHAD, LISTED, w);
		cr_assert_leq(safe_width(t), (size_t)w, "width %d: %s", w, t);
		cr_assert(t[0] == 'Q' || strncmp(t, "\xe2\x80\xa6", 3) == 0, "width %d: %s", w, t);
		free(t);
	}
}

/* --- drawing ---------------------------------------------------------------------------- */

Test(banner_draw, drawn_through_ui_put_in_the_banner_look)
{
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	SCREEN *screen;
	WINDOW *win;
	cJSON *p = parse(CHAD);
	struct patient_allergies al = allergies(LISTED);
	struct patient_view v;
	char buf[128], *want;
	int n;

	setlocale(LC_ALL, "C.UTF-8");
	cr_assert(out != NULL && in != NULL);
	screen = newterm("vt100", out, in);
	cr_assert_not_null(screen);
	win = newwin(3, 80, 0, 0);
	patient_view_read(p, &v);
	ui_banner_draw(win, 1, 80, &v, &al, &today);
	n = mvwinnstr(win, 1, 0, buf, 80);
	cr_assert_eq(n, 80);
	buf[n] = '\0';
	/* ui_started() is false here, so ui_put draws for a terminal without UTF-8: all ASCII. */
	want = ui_banner_text(&v, &al, &today, 80, ui_utf8());
	cr_assert_str_eq(buf, want);
	free(want);
	cr_assert_neq(mvwinch(win, 1, 0) & ui_attr(UI_BANNER), 0);
	cr_assert_neq(mvwinch(win, 1, 79) & ui_attr(UI_BANNER), 0, "the whole row");
	patient_view_clear(&v);
	cJSON_Delete(p);
	delwin(win);
	endwin();
	delscreen(screen);
	fclose(out);
	fclose(in);
}

/* --- deceased, and the allergies listed ------------------------------------------------- */

Test(banner, a_deceased_patient_says_so_with_the_date)
{
	cJSON *p = parse("{\"name\":[{\"family\":\"Ruecker\",\"given\":[\"Jonah\"]}],"
			 "\"birthDate\":\"1931-05-02\",\"deceasedDateTime\":\"2008-01-08T10:00:00Z\"}");
	struct patient_view v;
	char *t;

	/*
	 * At 80 columns the allergies go to the second row; the first keeps both identifiers.
	 * The age is the age at death (76), not what he would be today.
	 */
	patient_view_read(p, &v);
	t = ui_banner_identity(&v, &today, 80, true);
	cr_assert_str_eq(t, "Ruecker, Jonah  DOB 1931-05-02  76y  no MRN  DECEASED 2008-01-08");
	free(t);
	patient_view_clear(&v);
	cJSON_Delete(p);
	/* deceasedBoolean has no date: the word alone; narrow rows keep it before the age. */
	t = banner("{\"name\":[{\"family\":\"Ruecker\"}],\"birthDate\":\"1931-05-02\","
		   "\"deceasedBoolean\":true}",
	    NONE_KNOWN, 40);
	cr_assert_str_eq(t, "Ruecker  no MRN  DECEASED            NKA");
	free(t);
	t = banner("{\"name\":[{\"family\":\"Alive\"}],\"deceasedBoolean\":false}", NONE_KNOWN, 0);
	cr_assert_null(strstr(t, "DECEASED"), "%s", t);
	free(t);
}

/* High criticality first, so a list cut at the width keeps them (Warfarin after many others). */
Test(banner, the_allergies_loaded_are_listed_high_criticality_first_and_cut_when_long)
{
	struct patient_allergy items[] = {
		{ "Shellfish", false }, { "Penicillin", true }, { "Latex", false },
		{ "Peanut butter (crunchy and smooth)", true },
	};
	struct patient_allergies al = { PATIENT_ALLERGY_LISTED, items, 4 };
	cJSON *p = parse(CHAD);
	struct patient_view v;
	char *t;

	patient_view_read(p, &v);
	t = ui_banner_text(&v, &al, &today, 0, true);
	cr_assert_not_null(strstr(t, "ALLERGIES: Penicillin (high); Peanut butter (crunchy and "
				       "smooth) (high); Shellfish; Latex"), "%s", t);
	free(t);
	t = ui_banner_text(&v, &al, &today, 80, true);
	cr_assert_eq(safe_width(t), 80, "%s", t);
	cr_assert_not_null(strstr(t, "  ALLERGIES: Penicillin (high)\xe2\x80\xa6"), "%s", t);
	free(t);
	/* On its own row the list has the width, and is cut there. */
	t = ui_banner_allergies(&al, 60, true);
	cr_assert_str_eq(t, "ALLERGIES: Penicillin (high); Peanut butter (crunchy and sm\xe2\x80\xa6");
	free(t);
	t = ui_banner_allergies(NULL, 80, true);
	cr_assert_str_eq(t, "allergies not loaded");
	free(t);
	/* A vt100 without UTF-8: plain ASCII, still readable, the cut shown as "...". */
	t = ui_banner_text(&v, &al, &today, 80, false);
	cr_assert_eq(strlen(t), 80, "%s", t);
	cr_assert(strncmp(t, "Quigley, Chad  DOB 1952-06-19  73y M  MRN MR-8013  ALLERGIES: ", 62) == 0,
	    "%s", t);
	cr_assert_str_eq(t + 77, "...", "%s", t);
	free(t);
	patient_view_clear(&v);
	cJSON_Delete(p);
}

Test(banner_draw, two_rows_when_the_allergies_do_not_fit_beside_the_patient)
{
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	struct patient_allergy items[] = { { "Shellfish", false }, { "Penicillin", true },
		{ "Latex", false } };
	struct patient_allergies al = { PATIENT_ALLERGY_LISTED, items, 3 };
	SCREEN *screen;
	WINDOW *win;
	cJSON *p = parse(CHAD);
	struct patient_view v;
	char buf[128];
	int n;

	setlocale(LC_ALL, "C.UTF-8");
	cr_assert(out != NULL && in != NULL);
	screen = newterm("vt100", out, in);
	cr_assert_not_null(screen);
	win = newwin(4, 80, 0, 0);
	patient_view_read(p, &v);
	cr_assert_eq(ui_banner_draw(win, 1, 80, &v, &al, &today), 2);
	n = mvwinnstr(win, 1, 0, buf, 80);
	buf[n] = '\0';
	cr_assert(strncmp(buf, "Quigley, Chad  DOB 1952-06-19  73y M  MRN MR-8013", 49) == 0, "%s", buf);
	cr_assert_null(strstr(buf, "ALLERGIES"), "%s", buf);
	n = mvwinnstr(win, 2, 0, buf, 80);
	buf[n] = '\0';
	cr_assert(strncmp(buf, "ALLERGIES: Penicillin (high); Shellfish; Latex", 46) == 0, "%s", buf);
	/* Short enough, it is one row, and the row below is the screen's. */
	al.n = 1;
	werase(win);
	cr_assert_eq(ui_banner_draw(win, 1, 80, &v, &al, &today), 1);
	n = mvwinnstr(win, 2, 0, buf, 80);
	buf[n] = '\0';
	cr_assert_null(strstr(buf, "ALLERGIES"), "%s", buf);
	patient_view_clear(&v);
	cJSON_Delete(p);
	delwin(win);
	endwin();
	delscreen(screen);
	fclose(out);
	fclose(in);
}
