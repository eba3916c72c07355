/* Unit tests for the form (typed fields, checks, dirty state, completion) and the dialog. */
#include "config.h"

#include <criterion/criterion.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/dialog.h"
#include "ui/form.h"
#include "ui/ui.h"

/* Sunday 1 March 2026, 10:20:30: relative dates count from here. */
static const struct date_time now_fixed = {{2026, 3, 1}, 10, 20, 30};

// clang-format off
static const struct field_code sexes[] = {
	{ "M", "Male" }, { "F", "Female" }, { "O", "Other" }, { "OS", "Other (specify)" },
	{ "UNK", "Unknown" },
};

enum { F_NAME, F_DOB, F_PHONE, F_SEX, F_CONSENT, F_COPAY, F_COUNT, F_NOTE, NFIELDS };
static const struct field_def defs[NFIELDS] = {
	[F_NAME] = { .label = "Name", .type = FIELD_TEXT, .required = true, .max_chars = 40 },
	[F_DOB] = { .label = "Date of birth", .type = FIELD_DATE, .required = true,
		.when = FIELD_NOT_FUTURE },
	[F_PHONE] = { .label = "Phone", .type = FIELD_PHONE },
	[F_SEX] = { .label = "Sex", .type = FIELD_CODE, .required = true, .codes = sexes,
		.ncodes = sizeof sexes / sizeof sexes[0] },
	[F_CONSENT] = { .label = "Consent", .type = FIELD_YESNO },
	[F_COPAY] = { .label = "Co-pay", .type = FIELD_MONEY, .min = 0, .max = 100000 },
	[F_COUNT] = { .label = "Visits", .type = FIELD_INTEGER, .min = 0, .max = 99 },
	[F_NOTE] = { .label = "Note", .type = FIELD_TEXT },
};
// clang-format on

static struct ui_form form;

static void
setup(void)
{
	cr_assert_not_null(setlocale(LC_ALL, "C.UTF-8"), "the C.UTF-8 locale is needed");
	ui_form_init(&form, defs, NFIELDS);
	ui_form_set_now(&form, &now_fixed);
}

static void
teardown(void)
{
	ui_form_free(&form);
}

TestSuite(form, .init = setup, .fini = teardown);

/* Type UTF-8 TEXT into the focused field a character at a time, as the event loop would. */
static void
type(const char *text)
{
	mbstate_t st;
	size_t n;

	memset(&st, 0, sizeof st);
	while (*text != '\0') {
		wchar_t wc;

		n = mbrtowc(&wc, text, strlen(text), &st);
		cr_assert(n != (size_t)-1 && n != (size_t)-2 && n != 0);
		cr_assert(ui_form_key(&form, (int)wc), "typed '%lc'", (wint_t)wc);
		text += n;
	}
}

static void
assert_text(size_t i, const char *want)
{
	char *t = ui_form_text(&form, i);

	cr_assert_str_eq(t, want, "field %zu", i);
	free(t);
}

static void
go(size_t i)
{
	ui_form_set_focus(&form, i);
	cr_assert_eq(ui_form_focus(&form), i);
}

/* Fill every field with good values. */
static void
fill_good(void)
{
	go(F_NAME);
	type("Ann Lee");
	ui_form_action(&form, A_NEXT_FIELD);
	type("t-1");
	ui_form_action(&form, A_NEXT_FIELD);
	type("555 010 1234");
	ui_form_action(&form, A_NEXT_FIELD);
	type("fem");
	ui_form_action(&form, A_NEXT_FIELD);
	type("y");
	ui_form_action(&form, A_NEXT_FIELD);
	type("$12.50");
	ui_form_action(&form, A_NEXT_FIELD);
	type("3");
	ui_form_action(&form, A_NEXT_FIELD);
}

/* --- empty and edge cases --------------------------------------------------------------- */

Test(form, starts_empty_clean_and_quiet)
{
	cr_assert_eq(ui_form_focus(&form), 0);
	cr_assert_not(ui_form_dirty(&form));
	for (size_t i = 0; i < NFIELDS; i++) {
		assert_text(i, "");
		cr_assert_null(ui_form_message(&form, i));
	}
	cr_assert_null(ui_form_value(&form, F_NAME), "a blank required field has no value");
	cr_assert_not_null(ui_form_value(&form, F_NOTE));
	cr_assert(ui_form_value(&form, F_NOTE)->empty, "a blank optional field is empty");
	cr_assert_null(ui_form_message(&form, F_NAME), "reading a value does not nag");
	cr_assert_null(ui_form_value(&form, NFIELDS), "out of range");
	assert_text(NFIELDS, "");
	cr_assert_null(ui_form_message(&form, NFIELDS));
}

Test(form, an_empty_form_handles_nothing)
{
	struct ui_form none;

	ui_form_init(&none, NULL, 0);
	cr_assert_not(ui_form_key(&none, 'a'));
	cr_assert_not(ui_form_action(&none, A_NEXT_FIELD));
	cr_assert(ui_form_valid(&none));
	cr_assert_not(ui_form_dirty(&none));
	cr_assert_eq(ui_form_candidates(&none, NULL, 0), 0);
	cr_assert_not(ui_form_complete(&none));
	ui_form_free(&none);
}

Test(form, only_text_keys_are_typed)
{
	cr_assert_not(ui_form_key(&form, 27), "Esc");
	cr_assert_not(ui_form_key(&form, 1), "^A");
	cr_assert_not(ui_form_key(&form, KEY_FN(KEY_UP)));
	cr_assert_not(ui_form_key(&form, 0x202E), "a bidi override is not text");
	assert_text(F_NAME, "");
	cr_assert_not(ui_form_dirty(&form));
	type("Zo\xc3\xab O'Neil");
	assert_text(F_NAME, "Zo\xc3\xab O'Neil");
	cr_assert(ui_form_dirty(&form));
}

Test(form, unknown_actions_are_not_the_forms)
{
	cr_assert_not(ui_form_action(&form, A_SAVE));
	cr_assert_not(ui_form_action(&form, A_HELP));
	cr_assert_not(ui_form_action(&form, A_BACK));
}

/* --- editing ---------------------------------------------------------------------------- */

Test(form, edits_as_the_prompt_does)
{
	type("Anne");
	ui_form_action(&form, A_BACKSPACE);
	assert_text(F_NAME, "Ann");
	ui_form_action(&form, A_LINE_START);
	ui_form_action(&form, A_DELETE_CHAR);
	assert_text(F_NAME, "nn");
	type("J");
	ui_form_action(&form, A_LINE_END);
	type("a");
	assert_text(F_NAME, "Jnna");
	ui_form_action(&form, A_MOVE_LEFT);
	ui_form_action(&form, A_MOVE_LEFT);
	type("-");
	assert_text(F_NAME, "Jn-na");
	ui_form_action(&form, A_KILL_LINE);
	assert_text(F_NAME, "");
}

Test(form, the_text_field_limit_is_kept)
{
	for (int i = 0; i < 50; i++)
		ui_form_key(&form, 'x');
	char *t = ui_form_text(&form, F_NAME);

	cr_assert_eq(strlen(t), 40, "max_chars 40");
	free(t);
}

/* --- moving and checking ---------------------------------------------------------------- */

Test(form, leaving_a_field_checks_it_and_keeps_bad_text)
{
	go(F_DOB);
	type("13/45/2000");
	cr_assert_null(ui_form_message(&form, F_DOB), "not while typing");
	cr_assert(ui_form_action(&form, A_NEXT_FIELD));
	cr_assert_eq(ui_form_focus(&form), F_PHONE);
	cr_assert_not_null(ui_form_message(&form, F_DOB));
	assert_text(F_DOB, "13/45/2000");
	cr_assert_null(ui_form_value(&form, F_DOB));

	/* Fixed and left the other way: the message goes, the date shows as understood. */
	ui_form_action(&form, A_PREV_FIELD);
	cr_assert_eq(ui_form_focus(&form), F_DOB);
	ui_form_action(&form, A_KILL_LINE);
	type("T-1");
	ui_form_action(&form, A_UP);
	cr_assert_eq(ui_form_focus(&form), F_NAME);
	cr_assert_null(ui_form_message(&form, F_DOB));
	assert_text(F_DOB, "02/28/2026");
	const struct field_value *v = ui_form_value(&form, F_DOB);

	cr_assert_not_null(v);
	cr_assert(v->date.year == 2026 && v->date.month == 2 && v->date.day == 28);

	/* Down checks as next-field does: a future birth date is refused. */
	ui_form_action(&form, A_DOWN);
	ui_form_action(&form, A_KILL_LINE);
	type("t+1");
	ui_form_action(&form, A_DOWN);
	cr_assert_not_null(ui_form_message(&form, F_DOB));
	assert_text(F_DOB, "t+1");
}

Test(form, blank_untouched_fields_are_not_nagged_until_valid)
{
	ui_form_action(&form, A_NEXT_FIELD);
	ui_form_action(&form, A_NEXT_FIELD);
	cr_assert_eq(ui_form_focus(&form), F_PHONE);
	cr_assert_null(ui_form_message(&form, F_NAME));
	cr_assert_null(ui_form_message(&form, F_DOB));

	/* Typed in then emptied: that is a choice, and it is told at once. */
	go(F_NAME);
	type("x");
	ui_form_action(&form, A_BACKSPACE);
	ui_form_action(&form, A_NEXT_FIELD);
	cr_assert_not_null(ui_form_message(&form, F_NAME));
	cr_assert_not_null(strstr(ui_form_message(&form, F_NAME), "required"));
}

Test(form, ends_stay_put)
{
	ui_form_action(&form, A_PREV_FIELD);
	cr_assert_eq(ui_form_focus(&form), 0);
	go(NFIELDS - 1);
	ui_form_action(&form, A_NEXT_FIELD);
	cr_assert_eq(ui_form_focus(&form), NFIELDS - 1);
	ui_form_set_focus(&form, NFIELDS + 3);
	cr_assert_eq(ui_form_focus(&form), NFIELDS - 1, "out of range is ignored");
}

Test(form, valid_moves_to_the_first_bad_field)
{
	fill_good();
	cr_assert(ui_form_valid(&form));
	go(F_COUNT);
	ui_form_action(&form, A_KILL_LINE);
	type("100");
	go(F_PHONE);
	ui_form_action(&form, A_KILL_LINE);
	type("12");
	go(F_NOTE);
	cr_assert_not(ui_form_valid(&form));
	cr_assert_eq(ui_form_focus(&form), F_PHONE, "the first bad field, not the last");
	cr_assert_not_null(ui_form_message(&form, F_PHONE));
	cr_assert_not_null(ui_form_message(&form, F_COUNT));
	cr_assert_null(ui_form_message(&form, F_NAME));
	assert_text(F_PHONE, "12");
	assert_text(F_COUNT, "100");
}

Test(form, valid_reports_untouched_required_fields)
{
	go(F_NOTE);
	cr_assert_not(ui_form_valid(&form));
	cr_assert_eq(ui_form_focus(&form), F_NAME);
	cr_assert_not_null(ui_form_message(&form, F_NAME));
	cr_assert_not_null(ui_form_message(&form, F_DOB));
	cr_assert_not_null(ui_form_message(&form, F_SEX));
	cr_assert_null(ui_form_message(&form, F_PHONE), "optional fields may stay blank");
}

Test(form, values_read_back_parsed)
{
	const struct field_value *v;

	fill_good();
	cr_assert(ui_form_valid(&form));
	v = ui_form_value(&form, F_NAME);
	cr_assert_str_eq(v->text, "Ann Lee");
	v = ui_form_value(&form, F_PHONE);
	cr_assert_str_eq(v->text, "5550101234");
	assert_text(F_PHONE, "(555) 010-1234");
	v = ui_form_value(&form, F_SEX);
	cr_assert_eq(v->code, &sexes[1], "the element of the table, for the FHIR code");
	assert_text(F_SEX, "Female");
	cr_assert(ui_form_value(&form, F_CONSENT)->yes);
	v = ui_form_value(&form, F_COPAY);
	cr_assert_eq(v->money.minor, 1250);
	cr_assert_str_eq(v->money.currency, "USD");
	cr_assert_eq(ui_form_value(&form, F_COUNT)->integer, 3);
	cr_assert(ui_form_value(&form, F_NOTE)->empty);
	/* A value read after an edit is the edit's, not a stale parse. */
	go(F_COUNT);
	ui_form_action(&form, A_KILL_LINE);
	type("7");
	cr_assert_eq(ui_form_value(&form, F_COUNT)->integer, 7);
	ui_form_action(&form, A_KILL_LINE);
	type("x");
	cr_assert_null(ui_form_value(&form, F_COUNT));
}

/* --- loading, dirty, not saved ---------------------------------------------------------- */

Test(form, loaded_values_are_clean_until_changed)
{
	struct field_value dob = {.type = FIELD_DATE, .date = {1952, 6, 19}};
	char *cause = NULL;

	cr_assert_eq(ui_form_set_text(&form, F_NAME, "Quigley, Chad", &cause), 0);
	cr_assert_eq(ui_form_set_value(&form, F_DOB, &dob, &cause), 0);
	cr_assert_eq(ui_form_set_text(&form, F_PHONE, "5550101234", &cause), 0);
	assert_text(F_DOB, "06/19/1952");
	assert_text(F_PHONE, "(555) 010-1234");
	ui_form_mark_clean(&form);
	cr_assert_not(ui_form_dirty(&form));

	/* Moving and looking change nothing. */
	go(F_NAME);
	ui_form_action(&form, A_MOVE_LEFT);
	ui_form_action(&form, A_LINE_START);
	ui_form_action(&form, A_NEXT_FIELD);
	ui_form_action(&form, A_NEXT_FIELD);
	cr_assert_not(ui_form_dirty(&form));

	/* A change is dirty; undone by hand, it is clean again. */
	go(F_NAME);
	ui_form_action(&form, A_LINE_END);
	type("x");
	cr_assert(ui_form_dirty(&form));
	ui_form_action(&form, A_BACKSPACE);
	cr_assert_not(ui_form_dirty(&form));
	type("y");
	ui_form_mark_clean(&form); /* saved */
	cr_assert_not(ui_form_dirty(&form));
	assert_text(F_NAME, "Quigley, Chady");
}

Test(form, a_loaded_value_that_does_not_parse_says_so)
{
	char *cause = NULL;

	cr_assert_eq(
	    ui_form_set_text(&form, F_DOB, "2199-01-01", &cause), 0, "held whole, even if wrong");
	cr_assert_not_null(ui_form_message(&form, F_DOB), "a future birth date from the server");
	assert_text(F_DOB, "2199-01-01");
	cr_assert_eq(ui_form_set_text(&form, F_DOB, NULL, &cause), 0);
	assert_text(F_DOB, "");
}

Test(form, hostile_loaded_text_is_marked_not_passed_on)
{
	char *cause = NULL, *t;

	cr_assert_eq(ui_form_set_text(&form, F_NOTE,
	                 "\x1b[31mred\x1b[0m \xe2\x80\xae"
	                 "evil\x07",
	                 &cause),
	    -1);
	cr_assert_not_null(cause);
	free(cause);
	t = ui_form_text(&form, F_NOTE);
	cr_assert_null(strchr(t, '\x1b'));
	cr_assert_null(strchr(t, '\x07'));
	cr_assert_null(strstr(t, "\xe2\x80\xae"), "no bidi override reaches the prompt");
	cr_assert_not_null(strstr(t, "red"));
	cr_assert_not_null(strstr(t, "\xef\xbf\xbd"), "what was replaced shows as U+FFFD");
	free(t);
	cr_assert_not_null(ui_form_message(&form, F_NOTE), "the clerk is told before saving");
}

Test(form, too_long_loaded_text_is_said_not_silently_cut)
{
	char big[400], *cause = NULL, *t;

	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	cr_assert_eq(ui_form_set_text(&form, F_NOTE, big, &cause), -1);
	cr_assert_not_null(strstr(cause, "longer"));
	free(cause);
	t = ui_form_text(&form, F_NOTE);
	cr_assert_eq(strlen(t), UI_PROMPT_MAX);
	free(t);
	cr_assert_not_null(ui_form_message(&form, F_NOTE));
}

Test(form, set_value_refuses_another_type_and_range)
{
	struct field_value n = {.type = FIELD_INTEGER, .integer = 5};
	char *cause = NULL;

	cr_assert_eq(ui_form_set_value(&form, F_DOB, &n, &cause), -1);
	cr_assert_not_null(cause);
	free(cause);
	cause = NULL;
	assert_text(F_DOB, "");
	cr_assert_eq(ui_form_set_text(&form, NFIELDS, "x", &cause), -1);
	free(cause);
}

/* A message goes as soon as the text is corrected, not only when the field is left. */
Test(form, a_corrected_field_loses_its_message_at_once)
{
	go(F_DOB);
	type("13/45/2000");
	ui_form_action(&form, A_NEXT_FIELD);
	cr_assert_not_null(ui_form_message(&form, F_DOB));
	ui_form_action(&form, A_PREV_FIELD);
	cr_assert_eq(ui_form_focus(&form), F_DOB);
	ui_form_action(&form, A_KILL_LINE);
	cr_assert_not_null(ui_form_message(&form, F_DOB), "still bad (blank, required): kept");
	type("13/45/2001");
	cr_assert_not_null(ui_form_message(&form, F_DOB), "still bad: kept");
	ui_form_action(&form, A_KILL_LINE);
	type("t-7");
	cr_assert_null(ui_form_message(&form, F_DOB), "now a date: the message is gone");
	assert_text(F_DOB, "t-7");
	/* A new error waits for the leaving, as before. */
	type("x");
	cr_assert_null(ui_form_message(&form, F_DOB));
	ui_form_action(&form, A_NEXT_FIELD);
	cr_assert_not_null(ui_form_message(&form, F_DOB));
}

Test(form, input_survives_failed_saves_and_not_saved_marks)
{
	char *before[NFIELDS];

	fill_good();
	go(F_PHONE);
	ui_form_action(&form, A_KILL_LINE);
	type("12"); /* bad, kept */
	for (size_t i = 0; i < NFIELDS; i++)
		before[i] = ui_form_text(&form, i);
	/* The screen tries to save: invalid, then the link drops, then it is marked. */
	cr_assert_not(ui_form_valid(&form));
	ui_form_set_not_saved(&form, "the connection dropped; your changes are kept");
	cr_assert_not_null(form.not_saved);
	for (size_t i = 0; i < NFIELDS; i++) {
		assert_text(i, before[i]);
		free(before[i]);
	}
	cr_assert(ui_form_dirty(&form));
	ui_form_set_not_saved(&form, NULL);
	cr_assert_null(form.not_saved);
}

/* --- code completion -------------------------------------------------------------------- */

Test(form, candidates_follow_the_text)
{
	const struct field_code *c[8];

	cr_assert_eq(ui_form_candidates(&form, c, 8), 0, "the focus is not a code field");
	go(F_SEX);
	cr_assert_eq(ui_form_candidates(&form, c, 8), 5, "all for nothing typed");
	type("o");
	cr_assert_eq(ui_form_candidates(&form, c, 8), 2);
	cr_assert_eq(c[0], &sexes[2]);
	cr_assert_eq(c[1], &sexes[3]);
	type("x");
	cr_assert_eq(ui_form_candidates(&form, c, 8), 0);
}

Test(form, complete_takes_the_one_or_the_shared_start)
{
	go(F_SEX);
	type("f");
	cr_assert(ui_form_complete(&form));
	assert_text(F_SEX, "Female");
	cr_assert_not(ui_form_complete(&form), "nothing more to add");

	ui_form_action(&form, A_KILL_LINE);
	type("ot");
	cr_assert(ui_form_complete(&form));
	assert_text(F_SEX, "Other"); /* the start Other and Other (specify) share */
	cr_assert(ui_form_dirty(&form));

	ui_form_action(&form, A_KILL_LINE);
	type("zz");
	cr_assert_not(ui_form_complete(&form));
	assert_text(F_SEX, "zz");
	go(F_NAME);
	type("f");
	cr_assert_not(ui_form_complete(&form), "not a code field");
}

Test(form, right_at_the_end_of_a_code_field_completes)
{
	go(F_SEX);
	type("unk");
	ui_form_action(&form, A_MOVE_LEFT);
	ui_form_action(&form, A_MOVE_RIGHT);
	assert_text(F_SEX, "unk"); /* right inside the text only moves */
	ui_form_action(&form, A_MOVE_RIGHT);
	assert_text(F_SEX, "Unknown");
	ui_form_action(&form, A_NEXT_FIELD);
	cr_assert_null(ui_form_message(&form, F_SEX));
	cr_assert_eq(ui_form_value(&form, F_SEX)->code, &sexes[4]);
}

Test(form, an_ambiguous_code_says_what_it_could_be)
{
	go(F_SEX);
	type("Oth");
	ui_form_action(&form, A_NEXT_FIELD);
	cr_assert_not_null(ui_form_message(&form, F_SEX));
	cr_assert_not_null(strstr(ui_form_message(&form, F_SEX), "Other (specify)"));
}

/* --- drawing ---------------------------------------------------------------------------- */

static SCREEN *screen;
static FILE *out, *in;

static void
curses_up(void)
{
	setup();
	out = fopen("/dev/null", "w");
	in = fopen("/dev/null", "r");
	cr_assert(out != NULL && in != NULL);
	screen = newterm("vt100", out, in);
	cr_assert_not_null(screen);
}

static void
curses_down(void)
{
	teardown();
	endwin();
	delscreen(screen);
	fclose(out);
	fclose(in);
}

static char *
row_text(WINDOW *win, int y)
{
	char buf[256];
	int n = mvwinnstr(win, y, 0, buf, getmaxx(win));

	cr_assert_geq(n, 0);
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == ' ')
		buf[--n] = '\0';
	return strdup(buf);
}

/* The row of WIN that starts with LABEL, or -1. */
static int
find_row(WINDOW *win, const char *label)
{
	for (int y = 0; y < getmaxy(win); y++) {
		char *t = row_text(win, y);
		bool hit = strncmp(t, label, strlen(label)) == 0;

		free(t);
		if (hit)
			return y;
	}
	return -1;
}

Test(form_draw, labels_inputs_messages_and_cursor, .init = curses_up, .fini = curses_down)
{
	WINDOW *win = newwin(24, 80, 0, 0);
	int y, cy, cx;
	char *t;

	go(F_DOB);
	type("13/45/2000");
	ui_form_action(&form, A_NEXT_FIELD);
	ui_form_action(&form, A_NEXT_FIELD);
	cr_assert_eq(ui_form_focus(&form), F_SEX);
	type("o");
	ui_form_draw(&form, win, 1, 22, 80);

	y = find_row(win, "Name*:");
	cr_assert_eq(y, 1, "the first field on the first row");
	y = find_row(win, "Date of birth*:");
	cr_assert_geq(y, 0);
	t = row_text(win, y);
	cr_assert_not_null(strstr(t, "13/45/2000"), "%s", t);
	cr_assert(strstr(t, "Date of birth") != NULL);
	free(t);
	/* The message beside the date, since the row has room. */
	t = row_text(win, y);
	cr_assert_gt(strlen(t), 40, "message beside: %s", t);
	free(t);
	cr_assert_eq(mvwinch(win, y, 0) & A_BOLD, A_BOLD, "a label with a message stands out");

	y = find_row(win, "Sex*:");
	cr_assert_geq(y, 0);
	cr_assert(ui_form_cursor(&form, &cy, &cx));
	cr_assert_eq(cy, y, "the cursor is in the focused field");
	cr_assert_eq(cx, 16 + 1, "after the one character typed, right of the labels");
	t = row_text(win, y + 1);
	cr_assert_not_null(strstr(t, "Other (O)"), "choices under a code field: %s", t);
	cr_assert_not_null(strstr(t, "Other (specify) (OS)"), "%s", t);
	cr_assert_null(strstr(t, "Male"), "only what starts like the text");
	free(t);
	delwin(win);
}

Test(form_draw, scrolls_to_the_focus_and_shows_not_saved, .init = curses_up, .fini = curses_down)
{
	static struct field_def many[40];
	static char labels[40][16];
	struct ui_form tall;
	WINDOW *win = newwin(24, 80, 0, 0);
	int cy, cx;
	char *t;

	for (int i = 0; i < 40; i++) {
		snprintf(labels[i], sizeof labels[i], "Line %02d", i);
		many[i] = (struct field_def){.label = labels[i], .type = FIELD_TEXT};
	}
	ui_form_init(&tall, many, 40);
	ui_form_set_not_saved(&tall, "the server refused it");
	for (int i = 0; i < 35; i++)
		ui_form_action(&tall, A_NEXT_FIELD);
	ui_form_draw(&tall, win, 0, 10, 80);
	t = row_text(win, 0);
	cr_assert(strncmp(t, "Not saved: the server refused it", 32) == 0, "%s", t);
	free(t);
	cr_assert(ui_form_cursor(&tall, &cy, &cx));
	cr_assert(cy >= 1 && cy < 10, "the focus is in view (row %d)", cy);
	t = row_text(win, cy);
	cr_assert(strncmp(t, "Line 35:", 8) == 0, "%s", t);
	free(t);
	for (int i = 0; i < 35; i++)
		ui_form_action(&tall, A_PREV_FIELD);
	ui_form_draw(&tall, win, 0, 10, 80);
	t = row_text(win, 1);
	cr_assert(strncmp(t, "Line 00:", 8) == 0, "scrolled back: %s", t);
	free(t);
	ui_form_free(&tall);
	delwin(win);
}

/* A reason of 200 characters at most, as the booking's. */
static const struct field_def long_defs[] = {
	{ .label = "Reason", .type = FIELD_TEXT, .required = true, .max_chars = 200 },
	{ .label = "Note", .type = FIELD_TEXT, .max_chars = 500 },
};

/* A paste past the limit is not silent, and the field shows its end, marked as scrolled. */
Test(form_draw, a_long_field_scrolls_and_says_its_limit, .init = curses_up, .fini = curses_down)
{
	struct ui_form lf;
	WINDOW *win = newwin(24, 80, 0, 0);
	char *t, *text;
	int cy, cx;

	ui_set_charset("ascii");
	ui_form_init(&lf, long_defs, 2);
	/* 360 characters, none alike in a row of 80: what shows tells where the view is. */
	for (int i = 0; i < 360; i++) {
		cr_assert(ui_form_key(&lf, i == 199 ? 'Y' : 'a' + i % 26));
		if (i < 200)
			cr_assert_null(ui_form_refusal(&lf), "key %d fits", i);
	}
	cr_assert_not_null(ui_form_refusal(&lf));
	cr_assert_str_eq(ui_form_refusal(&lf),
	    "Reason holds at most 200 characters; what was typed past them is not kept");
	text = ui_form_text(&lf, 0);
	cr_assert_eq(strlen(text), 200, "the field keeps its limit");
	free(text);
	ui_form_action(&lf, A_LINE_END);
	cr_assert_null(ui_form_refusal(&lf), "said until the next key");
	cr_assert(ui_form_key(&lf, 'Z'));
	cr_assert_not_null(ui_form_refusal(&lf), "a key at the limit is refused again");

	ui_form_draw(&lf, win, 0, 20, 80);
	cr_assert(ui_form_cursor(&lf, &cy, &cx));
	t = row_text(win, cy);
	/* Label column, then the mark of hidden text, then the end of the text. */
	cr_assert_not_null(strstr(t, "Reason*: <"), "%s", t);
	cr_assert_eq(t[strlen(t) - 1], 'Y', "the last character typed is in view: %s", t);
	cr_assert_eq(cx, (int)strlen(t), "the cursor after it");
	free(t);
	/* Left, the field shows its start, marked where the rest is hidden. */
	ui_form_action(&lf, A_NEXT_FIELD);
	ui_form_draw(&lf, win, 0, 20, 80);
	t = row_text(win, 0);
	cr_assert_not_null(strstr(t, "Reason*: abcdefghij"), "%s", t);
	cr_assert_eq(t[strlen(t) - 1], '>', "%s", t);
	free(t);
	ui_form_free(&lf);
	ui_set_charset(NULL);
	delwin(win);
}

/* A screen's own sentence ("Not booked: ...") is shown once, not after a second "Not saved: ". */
Test(form_draw, a_screens_sentence_is_said_once, .init = curses_up, .fini = curses_down)
{
	WINDOW *win = newwin(24, 80, 0, 0);
	char *t;

	ui_form_set_failed(&form, "Not booked: cancelled before the answer; perhaps booked: book "
				  "again to check");
	ui_form_draw(&form, win, 0, 20, 80);
	t = row_text(win, 0);
	cr_assert_str_eq(t, "Not booked: cancelled before the answer; perhaps booked: book again "
			    "to check");
	free(t);
	ui_form_set_not_saved(&form, "the server refused it");
	ui_form_draw(&form, win, 0, 20, 80);
	t = row_text(win, 0);
	cr_assert_str_eq(t, "Not saved: the server refused it", "a reason gets the prefix");
	free(t);
	ui_form_set_failed(&form, NULL);
	cr_assert_null(form.not_saved);
	ui_form_draw(&form, win, 0, 20, 80);
	cr_assert_eq(find_row(win, "Name*:"), 0, "no line above the fields once taken away");
	delwin(win);
}

/* --- the dialog ------------------------------------------------------------------------- */

Test(dialog, answers)
{
	struct ui_dialog d;

	ui_dialog_init(&d, "Discard the unsaved note?", false);
	cr_assert_eq(ui_dialog_answer(&d), UI_DIALOG_ASKING);
	cr_assert_not(ui_dialog_action(&d, A_HELP), "help still works under a dialog");
	cr_assert_not(ui_dialog_action(&d, A_QUIT));
	cr_assert_eq(ui_dialog_answer(&d), UI_DIALOG_ASKING);
	cr_assert(ui_dialog_action(&d, A_SELECT));
	cr_assert_eq(ui_dialog_answer(&d), UI_DIALOG_NO, "Enter gives the default, here no");
	cr_assert(ui_dialog_action(&d, A_YES));
	cr_assert_eq(ui_dialog_answer(&d), UI_DIALOG_NO, "the first answer stands");
	cr_assert_str_eq(ui_dialog_hint(&d), "[y/N]");
	ui_dialog_free(&d);

	ui_dialog_init(&d, "Check the patient in?", true);
	ui_dialog_action(&d, A_SELECT);
	cr_assert_eq(ui_dialog_answer(&d), UI_DIALOG_YES);
	cr_assert_str_eq(ui_dialog_hint(&d), "[Y/n]");
	ui_dialog_free(&d);

	ui_dialog_init(&d, "Check the patient in?", true);
	ui_dialog_action(&d, A_BACK);
	cr_assert_eq(ui_dialog_answer(&d), UI_DIALOG_NO, "Esc is no, whatever the default");
	ui_dialog_free(&d);

	ui_dialog_init(&d, "Cancel the appointment?", false);
	ui_dialog_action(&d, A_YES);
	cr_assert_eq(ui_dialog_answer(&d), UI_DIALOG_YES);
	ui_dialog_free(&d);

	ui_dialog_init(&d, NULL, true);
	ui_dialog_action(&d, A_NO);
	cr_assert_eq(ui_dialog_answer(&d), UI_DIALOG_NO);
	ui_dialog_free(&d);
}

Test(dialog, choosing_a_detail_line)
{
	struct ui_dialog d;

	ui_dialog_init(&d, "These patients look the same. Register a new one anyway?", false);
	ui_dialog_add(&d, "Quigley, Chad   06/19/1952  MRN 8013");
	ui_dialog_addf(&d, "Quigley, Chad A %s  MRN %d", "06/19/1952", 8014);
	ui_dialog_add(&d, "Quigley, Charles 06/19/1952 MRN 9000");
	ui_dialog_set_choosing(&d, true);
	ui_dialog_action(&d, A_DOWN);
	ui_dialog_action(&d, A_DOWN);
	ui_dialog_action(&d, A_DOWN);
	cr_assert_eq(ui_dialog_chosen(&d), 2, "stops at the last line");
	ui_dialog_action(&d, A_UP);
	ui_dialog_action(&d, A_SELECT);
	cr_assert_eq(ui_dialog_answer(&d), UI_DIALOG_CHOSEN);
	cr_assert_eq(ui_dialog_chosen(&d), 1);
	ui_dialog_free(&d);

	/* Yes picks the highlighted line too, as the hint offers; no picks none. */
	ui_dialog_init(&d, "Cancel Quigley, Chad at 09:00? Choose the reason", false);
	ui_dialog_add(&d, "Patient");
	ui_dialog_add(&d, "Provider");
	ui_dialog_add(&d, "Weather");
	ui_dialog_set_choosing(&d, true);
	ui_dialog_action(&d, A_DOWN);
	ui_dialog_action(&d, A_DOWN);
	cr_assert(ui_dialog_action(&d, A_YES));
	cr_assert_eq(ui_dialog_answer(&d), UI_DIALOG_CHOSEN, "y chooses, as Enter does");
	cr_assert_eq(ui_dialog_chosen(&d), 2);
	ui_dialog_free(&d);
	ui_dialog_init(&d, "Cancel Quigley, Chad at 09:00? Choose the reason", false);
	ui_dialog_add(&d, "Patient");
	ui_dialog_set_choosing(&d, true);
	ui_dialog_action(&d, A_NO);
	cr_assert_eq(ui_dialog_answer(&d), UI_DIALOG_NO);
	ui_dialog_free(&d);

	/* Reading only: Enter is the default answer, not a line. */
	ui_dialog_init(&d, "Register anyway?", false);
	ui_dialog_add(&d, "Quigley, Chad");
	ui_dialog_action(&d, A_LAST);
	ui_dialog_action(&d, A_SELECT);
	cr_assert_eq(ui_dialog_answer(&d), UI_DIALOG_NO);
	ui_dialog_free(&d);

	/* Choosing with nothing to choose falls back to the default. */
	ui_dialog_init(&d, "Register anyway?", true);
	ui_dialog_set_choosing(&d, true);
	ui_dialog_action(&d, A_SELECT);
	cr_assert_eq(ui_dialog_answer(&d), UI_DIALOG_YES);
	ui_dialog_free(&d);
}

Test(dialog_draw, box_in_the_middle_and_status_line, .init = curses_up, .fini = curses_down)
{
	struct ui_dialog d;
	WINDOW *win = newwin(24, 80, 0, 0);
	bool question = false, hint = false, chosen = false;
	char *t;

	ui_dialog_init(&d,
	    "These patients look the same as the one you are registering. Register a "
	    "new patient anyway?",
	    false);
	for (int i = 0; i < 30; i++)
		ui_dialog_addf(&d, "Candidate %02d \x1b[2J\xe2\x80\xae", i);
	ui_dialog_set_choosing(&d, true);
	for (int i = 0; i < 25; i++)
		ui_dialog_action(&d, A_DOWN);
	ui_dialog_draw(&d, win, 1, 22, 80);
	cr_assert_lt(d.rows, 30, "the details are cut to the screen");
	for (int y = 0; y < 24; y++) {
		t = row_text(win, y);
		for (const char *p = t; *p != '\0'; p++)
			cr_assert(
			    (unsigned char)*p >= 0x20 && *p != 0x7f, "row %d: control byte", y);
		question = question || strstr(t, "These patients look") != NULL;
		hint = hint || strstr(t, "y or Enter picks the highlighted line") != NULL;
		if (strstr(t, "Candidate 25") != NULL) {
			chosen = true;
			cr_assert_neq(
			    mvwinch(win, y, 40) & A_REVERSE, 0, "the chosen line is highlighted");
		}
		free(t);
	}
	cr_assert(
	    question && hint && chosen, "question %d hint %d chosen %d", question, hint, chosen);
	cr_assert_eq(mvwinch(win, 0, 40) & A_CHARTEXT, ' ', "row 0 is outside the area");
	ui_dialog_draw_line(&d, win, 23, 80);
	t = row_text(win, 23);
	cr_assert_not_null(strstr(t, "[y/N]"), "%s", t);
	free(t);
	ui_dialog_free(&d);
	delwin(win);
}
