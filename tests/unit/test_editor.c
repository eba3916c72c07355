/* Unit tests for the note editor: wrapping, moving, editing, the limit, and a long note. */
#include "config.h"

#include <criterion/criterion.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/keys-private.h"
#include "ui/editor.h"
#include "ui/ui.h"

static struct ui_editor ed;

static void
setup(void)
{
	cr_assert_not_null(setlocale(LC_ALL, "C.UTF-8"), "the C.UTF-8 locale is needed");
	ui_editor_init(&ed, 0);
}

static void
teardown(void)
{
	ui_editor_free(&ed);
}

TestSuite(editor, .init = setup, .fini = teardown);

/* E's rows as one string, "|" between them, as a reader sees the wrapping. */
static char *
rows_of(const struct ui_editor *e)
{
	size_t cap = ui_editor_length(e) + ui_editor_rows(e) + 1, o = 0;
	char *s = malloc(cap);

	cr_assert_not_null(s);
	for (size_t i = 0; i < ui_editor_rows(e); i++) {
		size_t n;
		const char *r = ui_editor_row(e, i, &n);

		if (i > 0)
			s[o++] = '|';
		memcpy(s + o, r, n);
		o += n;
	}
	s[o] = '\0';
	return s;
}

static void
assert_rows(const struct ui_editor *e, const char *want)
{
	char *got = rows_of(e);

	cr_assert_str_eq(got, want);
	free(got);
}

/* Set the text (clean, asserted) and wrap it at WIDTH. */
static void
load(const char *text, int width)
{
	char *cause = NULL;

	ui_editor_layout(&ed, width, true);
	cr_assert_eq(ui_editor_set_text(&ed, text, strlen(text), &cause), 0, "%s", cause);
}

static void
type(struct ui_editor *e, const char *text)
{
	mbstate_t st;
	size_t n;

	memset(&st, 0, sizeof st);
	while (*text != '\0') {
		wchar_t wc;

		n = mbrtowc(&wc, text, strlen(text), &st);
		cr_assert(n != (size_t)-1 && n != (size_t)-2 && n != 0);
		cr_assert(ui_editor_key(e, (int)wc), "typed U+%04X", (unsigned)wc);
		text += n;
	}
}

static void
act(enum action a)
{
	cr_assert(ui_editor_action(&ed, a), "%s", action_name(a));
}

static void
assert_where(size_t row, int col)
{
	size_t r;
	int c;

	ui_editor_where(&ed, &r, &c);
	cr_assert_eq(r, row, "row %zu, not %zu (pos %zu)", r, row, ui_editor_pos(&ed));
	cr_assert_eq(c, col, "column %d, not %d (pos %zu)", c, col, ui_editor_pos(&ed));
}

/* The byte offset of the first NEEDLE in the text. */
static size_t
at(const char *needle)
{
	const char *hit = strstr(ui_editor_text(&ed), needle);

	cr_assert_not_null(hit, "no \"%s\"", needle);
	return (size_t)(hit - ui_editor_text(&ed));
}

/*
 * E's rows are those a fresh wrap of its text gives: the rows an edit re-wrapped, and
 * those it kept and moved, are where they would be had the whole note been wrapped.
 */
static void
assert_rows_fresh(const struct ui_editor *e)
{
	struct ui_editor fresh;
	char *cause = NULL;

	ui_editor_init(&fresh, e->max);
	ui_editor_layout(&fresh, e->width, e->utf8);
	cr_assert_geq(
	    ui_editor_set_text(&fresh, ui_editor_text(e), ui_editor_length(e), &cause), 0);
	cr_assert_eq(ui_editor_rows(e), ui_editor_rows(&fresh), "%zu rows, a fresh wrap has %zu",
	    ui_editor_rows(e), ui_editor_rows(&fresh));
	for (size_t i = 0; i < ui_editor_rows(e); i++) {
		size_t n1, n2;
		const char *r1 = ui_editor_row(e, i, &n1), *r2 = ui_editor_row(&fresh, i, &n2);

		cr_assert(r1 - ui_editor_text(e) == r2 - ui_editor_text(&fresh) && n1 == n2,
		    "row %zu: \"%.*s\", a fresh wrap has \"%.*s\"", i, (int)n1, r1, (int)n2, r2);
	}
	ui_editor_free(&fresh);
}

/* --- empty and wrapping ------------------------------------------------------------------ */

Test(editor, empty)
{
	cr_assert_str_eq(ui_editor_text(&ed), "");
	cr_assert_eq(ui_editor_rows(&ed), 1);
	assert_where(0, 0);
	cr_assert_not(ui_editor_dirty(&ed));
	for (enum action a = A_UP; a <= A_LAST; a++)
		ui_editor_action(&ed, a);
	act(A_BACKSPACE);
	act(A_DELETE_CHAR);
	act(A_KILL_LINE);
	act(A_WORD_LEFT);
	act(A_WORD_RIGHT);
	cr_assert_str_eq(ui_editor_text(&ed), "");
	cr_assert_not(ui_editor_dirty(&ed), "nothing changed");
	cr_assert_not(ui_editor_action(&ed, A_SELECT), "Enter's select is not the editor's");
	cr_assert_not(ui_editor_action(&ed, A_SAVE), "saving is the screen's");
}

Test(editor, wraps_after_the_last_space_that_fits)
{
	load("the quick brown fox jumps", 10);
	assert_rows(&ed, "the quick |brown fox |jumps");
}

Test(editor, a_space_that_does_not_fit_starts_the_next_row)
{
	/* "quick" ends at the edge: it stays, and the space after it goes down. */
	load("the quick brown", 9);
	assert_rows(&ed, "the quick| brown");
}

Test(editor, breaks_a_word_longer_than_a_row)
{
	load("abcdefghijkl", 5);
	assert_rows(&ed, "abcde|fghij|kl");
	load("ab cdefghij", 6);
	assert_rows(&ed, "ab |cdefgh|ij");
}

Test(editor, paragraphs_are_rows_of_their_own)
{
	load("ab\ncd", 10);
	assert_rows(&ed, "ab|cd");
	load("ab\n", 10);
	assert_rows(&ed, "ab|");
	load("\n\n", 10);
	assert_rows(&ed, "||");
}

Test(editor, a_full_row_leaves_the_cursor_a_column)
{
	load("abcd\nef", 4);
	assert_rows(&ed, "abcd||ef");
	ui_editor_set_pos(&ed, 4);
	assert_where(1, 0);
	load("abcd", 4);
	act(A_LAST);
	assert_where(1, 0);
	cr_assert_eq(ui_editor_rows(&ed), 2);
}

Test(editor, wide_characters_take_two_columns)
{
	load("日本語です", 5);
	assert_rows(&ed, "日本|語で|す");
	ui_editor_set_pos(&ed, strlen("日"));
	assert_where(0, 2);
	act(A_DOWN);
	assert_where(1, 2);
	cr_assert_eq(ui_editor_pos(&ed), strlen("日本語"));
	load("日本語です", 8);
	ui_editor_set_pos(&ed, strlen("日本語"));
	assert_where(0, 6);
	act(A_LINE_START);
	act(A_MOVE_RIGHT);
	act(A_MOVE_RIGHT);
	assert_where(0, 4);
	/* Column 3 is in the middle of 本: down from it stops before, never inside. */
	load("abc\n日本語", 10);
	ui_editor_set_pos(&ed, 3);
	act(A_DOWN);
	assert_where(1, 2);
	cr_assert_eq(ui_editor_pos(&ed), strlen("abc\n日"));
}

Test(editor, an_ascii_terminal_shows_a_column_a_character)
{
	ui_editor_layout(&ed, 2, false);
	char *cause = NULL;

	cr_assert_eq(ui_editor_set_text(&ed, "日本語", strlen("日本語"), &cause), 0);
	assert_rows(&ed, "日本|語");
	ui_editor_layout(&ed, 2, true);
	assert_rows(&ed, "日|本|語|");
}

Test(editor, a_combining_mark_stays_with_its_letter)
{
	/* "José" with the accent as a mark after the e: one column, one step, one deletion. */
	load("Jose\xcc\x81 Ruiz", 80);
	ui_editor_set_pos(&ed, strlen("Jose\xcc\x81"));
	assert_where(0, 4);
	act(A_MOVE_LEFT);
	cr_assert_eq(ui_editor_pos(&ed), 3, "before the e, not between it and its accent");
	act(A_MOVE_RIGHT);
	cr_assert_eq(ui_editor_pos(&ed), strlen("Jose\xcc\x81"));
	ui_editor_set_pos(&ed, 4);
	cr_assert_eq(ui_editor_pos(&ed), 3, "the middle of a character is its start");
	act(A_DELETE_CHAR);
	cr_assert_str_eq(ui_editor_text(&ed), "Jos Ruiz");
	/* Marks never start a row: the row breaks before the letter they belong to. */
	load("abe\xcc\x81" "f", 3);
	assert_rows(&ed, "abe\xcc\x81|f");
	load("abce\xcc\x81", 3);
	assert_rows(&ed, "abc|e\xcc\x81");
	act(A_LAST);
	act(A_BACKSPACE);
	cr_assert_str_eq(ui_editor_text(&ed), "abc");
}

/* --- what goes in ------------------------------------------------------------------------ */

Test(editor, insert_cleans_what_would_not_show)
{
	const char *ends = "a\r\nb\rc\td\xe2\x80\xa8" "e";
	char *cause = NULL;

	cr_assert_eq(ui_editor_insert(&ed, ends, strlen(ends), &cause), 0,
	    "line ends and tabs are not losses");
	cr_assert_str_eq(ui_editor_text(&ed), "a\nb\nc   d\ne");
	ui_editor_set_text(&ed, "", 0, &cause);
	/* ESC, a bidi override, a zero-width space: left out, and counted. */
	cr_assert_eq(ui_editor_insert(&ed, "x\x1by\xe2\x80\xaez\xe2\x80\x8b", 10, &cause), 3);
	cr_assert_str_eq(ui_editor_text(&ed), "xyz");
	cr_assert_eq(ui_editor_insert(&ed, "\xff", 1, &cause), 1);
	cr_assert_str_eq(ui_editor_text(&ed), "xyz\xef\xbf\xbd", "invalid UTF-8 is U+FFFD");
	cr_assert_eq(ui_editor_pos(&ed), ui_editor_length(&ed), "the cursor ends after it");
	cr_assert_eq(ui_editor_insert(&ed, NULL, 5, &cause), 0);
}

Test(editor, typing_takes_text_keys_only)
{
	type(&ed, "BP 120/80 ok ✓");
	cr_assert_str_eq(ui_editor_text(&ed), "BP 120/80 ok ✓");
	cr_assert(ui_editor_dirty(&ed));
	cr_assert_not(ui_editor_key(&ed, 27), "Esc is not text");
	cr_assert_not(ui_editor_key(&ed, '\r'), "Enter is the newline action, not text");
	cr_assert_not(ui_editor_key(&ed, KEY_FN(KEY_F(10))));
	cr_assert_not(ui_editor_key(&ed, 0x202E), "a bidi override is not text");
	ui_editor_mark_clean(&ed);
	cr_assert_not(ui_editor_dirty(&ed));
}

Test(editor, newline_and_tab)
{
	type(&ed, "a");
	act(A_NEWLINE);
	type(&ed, "b");
	act(A_INSERT_TAB);
	type(&ed, "c");
	cr_assert_str_eq(ui_editor_text(&ed), "a\nb   c", "the tab stop counts from the paragraph");
	act(A_INSERT_TAB);
	cr_assert_str_eq(ui_editor_text(&ed), "a\nb   c   ", "c is column 4: the next stop is 8");
}

Test(editor, set_text_replaces_and_is_clean)
{
	char *cause = NULL;

	type(&ed, "draft");
	cr_assert_eq(ui_editor_set_text(&ed, "saved\nnote", 10, &cause), 0);
	cr_assert_str_eq(ui_editor_text(&ed), "saved\nnote");
	cr_assert_eq(ui_editor_pos(&ed), 0);
	cr_assert_not(ui_editor_dirty(&ed), "what was loaded is not unsaved work");
	assert_rows(&ed, "saved|note");
}

/* --- the limit --------------------------------------------------------------------------- */

Test(editor, refuses_past_its_limit_and_says_so)
{
	char *cause = NULL;

	ui_editor_free(&ed);
	ui_editor_init(&ed, 10);
	type(&ed, "0123456789");
	cr_assert_null(ui_editor_refusal(&ed));
	cr_assert(ui_editor_key(&ed, 'x'), "the key is taken: refused, not passed on");
	cr_assert_str_eq(ui_editor_text(&ed), "0123456789");
	cr_assert_not_null(ui_editor_refusal(&ed));
	cr_assert_str_eq(
	    ui_editor_refusal(&ed), "Not added: the note would pass its limit of 10 bytes");
	act(A_NEWLINE);
	cr_assert_not_null(ui_editor_refusal(&ed));
	act(A_BACKSPACE);
	cr_assert_null(ui_editor_refusal(&ed), "a key that worked says nothing");
	cr_assert_eq(ui_editor_insert(&ed, "ab", 2, &cause), -1, "all or nothing");
	cr_assert_str_eq(ui_editor_text(&ed), "012345678");
	free(cause);
	/* A two-byte character does not fit in one byte. */
	cr_assert(ui_editor_key(&ed, 0xE9));
	cr_assert_str_eq(ui_editor_text(&ed), "012345678");
	cr_assert(ui_editor_key(&ed, 'z'));
	cr_assert_str_eq(ui_editor_text(&ed), "012345678z");
	cr_assert_eq(ui_editor_set_text(&ed, "01234567890", 11, &cause), -1);
	cr_assert_str_eq(ui_editor_text(&ed), "012345678z", "a refused load keeps the note");
	free(cause);
}

Test(editor, the_default_limit_is_100000_bytes)
{
	char *big = malloc(UI_EDITOR_MAX + 1), *cause = NULL;

	cr_assert_not_null(big);
	memset(big, 'a', UI_EDITOR_MAX + 1);
	for (size_t i = 79; i < UI_EDITOR_MAX; i += 80)
		big[i] = ' ';
	cr_assert_eq(ui_editor_set_text(&ed, big, UI_EDITOR_MAX + 1, &cause), -1);
	cr_assert_str_eq(cause, "Not added: the note would pass its limit of 100,000 bytes");
	free(cause);
	cr_assert_eq(ui_editor_set_text(&ed, big, UI_EDITOR_MAX, &cause), 0);
	cr_assert_eq(ui_editor_length(&ed), UI_EDITOR_MAX);
	act(A_LAST);
	cr_assert(ui_editor_key(&ed, 'b'));
	cr_assert_eq(ui_editor_length(&ed), UI_EDITOR_MAX);
	cr_assert_not_null(ui_editor_refusal(&ed));
	free(big);
}

/* --- moving ------------------------------------------------------------------------------ */

Test(editor, left_and_right_cross_line_ends_and_stop_at_the_ends)
{
	load("ab\ncd", 10);
	act(A_MOVE_LEFT);
	cr_assert_eq(ui_editor_pos(&ed), 0);
	act(A_MOVE_RIGHT);
	act(A_MOVE_RIGHT);
	assert_where(0, 2);
	act(A_MOVE_RIGHT);
	assert_where(1, 0);
	act(A_MOVE_LEFT);
	assert_where(0, 2);
	act(A_LAST);
	act(A_MOVE_RIGHT);
	cr_assert_eq(ui_editor_pos(&ed), 5);
}

Test(editor, up_and_down_keep_the_column)
{
	load("abcdefgh\nab\nabcdefgh", 20);
	ui_editor_set_pos(&ed, 6);
	act(A_DOWN);
	assert_where(1, 2);
	act(A_DOWN);
	assert_where(2, 6);
	act(A_UP);
	act(A_UP);
	assert_where(0, 6);
	act(A_MOVE_LEFT);
	act(A_DOWN);
	act(A_DOWN);
	assert_where(2, 5);
}

Test(editor, up_and_down_by_row_not_by_paragraph)
{
	load("the quick brown fox", 10);
	act(A_LAST);
	assert_where(1, 9);
	act(A_UP);
	/* The row's last place is its space: past it is the next row's start. */
	assert_where(0, 9);
	cr_assert_eq(ui_editor_pos(&ed), 9);
	act(A_DOWN);
	assert_where(1, 9);
}

Test(editor, up_on_the_first_row_and_down_on_the_last_go_to_the_ends)
{
	load("abc\ndef", 10);
	ui_editor_set_pos(&ed, 1);
	act(A_UP);
	cr_assert_eq(ui_editor_pos(&ed), 0);
	ui_editor_set_pos(&ed, 5);
	act(A_DOWN);
	cr_assert_eq(ui_editor_pos(&ed), 7);
}

Test(editor, words)
{
	load("Pt seen today; BP 120/80, follow-up\nin 2 weeks.", 80);
	act(A_WORD_RIGHT);
	cr_assert_eq(ui_editor_pos(&ed), at("seen"));
	act(A_WORD_RIGHT);
	cr_assert_eq(ui_editor_pos(&ed), at("today"));
	act(A_WORD_RIGHT);
	cr_assert_eq(ui_editor_pos(&ed), at("BP"), "past the semicolon and the space");
	act(A_WORD_RIGHT);
	act(A_WORD_RIGHT);
	cr_assert_eq(ui_editor_pos(&ed), at("80"));
	act(A_WORD_RIGHT);
	act(A_WORD_RIGHT);
	cr_assert_eq(ui_editor_pos(&ed), at("up"));
	act(A_WORD_RIGHT);
	cr_assert_eq(ui_editor_pos(&ed), at("in 2"), "across the paragraph's end");
	act(A_LAST);
	act(A_WORD_RIGHT);
	cr_assert_eq(ui_editor_pos(&ed), ui_editor_length(&ed));
	act(A_WORD_LEFT);
	cr_assert_eq(ui_editor_pos(&ed), at("weeks"));
	act(A_WORD_LEFT);
	act(A_WORD_LEFT);
	act(A_WORD_LEFT);
	cr_assert_eq(ui_editor_pos(&ed), at("up"), "back across the paragraph's end");
	act(A_FIRST);
	act(A_WORD_LEFT);
	cr_assert_eq(ui_editor_pos(&ed), 0);
}

Test(editor, line_start_and_end_are_the_rows)
{
	load("the quick brown fox\nend", 10);
	ui_editor_set_pos(&ed, at("own"));
	act(A_LINE_START);
	cr_assert_eq(ui_editor_pos(&ed), at("brown"));
	act(A_LINE_END);
	cr_assert_eq(ui_editor_pos(&ed), at("\nend"), "a paragraph's last row ends at its end");
	ui_editor_set_pos(&ed, 2);
	act(A_LINE_END);
	cr_assert_eq(ui_editor_pos(&ed), at(" brown"), "a wrapped row ends on its last space");
	act(A_LINE_START);
	cr_assert_eq(ui_editor_pos(&ed), 0);
}

Test(editor, pages_and_the_ends)
{
	load("0\n1\n2\n3\n4\n5\n6\n7\n8\n9", 10);
	ui_editor_view(&ed, 3);
	act(A_PAGE_DOWN);
	assert_where(2, 0);
	ui_editor_view(&ed, 3);
	act(A_PAGE_DOWN);
	assert_where(4, 0);
	ui_editor_view(&ed, 3);
	cr_assert_eq(ui_editor_top(&ed), 4, "the view turns with the page");
	act(A_PAGE_UP);
	assert_where(2, 0);
	ui_editor_view(&ed, 3);
	cr_assert_eq(ui_editor_top(&ed), 2);
	act(A_LAST);
	ui_editor_view(&ed, 3);
	assert_where(9, 1);
	cr_assert_eq(ui_editor_top(&ed), 7);
	act(A_PAGE_DOWN);
	cr_assert_eq(ui_editor_pos(&ed), ui_editor_length(&ed));
	act(A_FIRST);
	ui_editor_view(&ed, 3);
	cr_assert_eq(ui_editor_top(&ed), 0);
	act(A_PAGE_UP);
	cr_assert_eq(ui_editor_pos(&ed), 0);
}

Test(editor, the_view_follows_the_cursor_and_leaves_no_blank_below)
{
	load("0\n1\n2\n3\n4\n5", 10);
	ui_editor_view(&ed, 3);
	act(A_DOWN);
	act(A_DOWN);
	ui_editor_view(&ed, 3);
	cr_assert_eq(ui_editor_top(&ed), 0, "row 2 is still shown");
	act(A_DOWN);
	ui_editor_view(&ed, 3);
	cr_assert_eq(ui_editor_top(&ed), 1, "one row's scroll");
	act(A_LAST);
	ui_editor_view(&ed, 3);
	cr_assert_eq(ui_editor_top(&ed), 3);
	/* Three paragraphs gone from the end: the view comes back up rather than show blanks. */
	for (int i = 0; i < 6; i++)
		act(A_BACKSPACE);
	ui_editor_view(&ed, 3);
	cr_assert_eq(ui_editor_top(&ed), 0);
}

/* --- deleting ---------------------------------------------------------------------------- */

Test(editor, backspace_and_delete_at_the_boundaries)
{
	load("ab\ncd", 10);
	act(A_BACKSPACE);
	cr_assert_str_eq(ui_editor_text(&ed), "ab\ncd", "nothing before the start");
	cr_assert_not(ui_editor_dirty(&ed));
	act(A_LAST);
	act(A_DELETE_CHAR);
	cr_assert_str_eq(ui_editor_text(&ed), "ab\ncd", "nothing after the end");
	ui_editor_set_pos(&ed, 3);
	act(A_BACKSPACE);
	cr_assert_str_eq(ui_editor_text(&ed), "abcd", "joins the paragraphs");
	cr_assert_eq(ui_editor_pos(&ed), 2);
	act(A_NEWLINE);
	act(A_MOVE_LEFT);
	act(A_DELETE_CHAR);
	cr_assert_str_eq(ui_editor_text(&ed), "abcd");
	assert_rows(&ed, "abcd");
	act(A_BACKSPACE);
	act(A_BACKSPACE);
	act(A_BACKSPACE);
	cr_assert_str_eq(ui_editor_text(&ed), "cd");
	cr_assert(ui_editor_dirty(&ed));
}

Test(editor, kill_line_deletes_to_the_rows_end)
{
	load("the quick brown fox\nnext", 10);
	ui_editor_set_pos(&ed, 4);
	act(A_KILL_LINE);
	cr_assert_str_eq(ui_editor_text(&ed), "the brown fox\nnext", "a wrapped row: to its end");
	assert_rows(&ed, "the brown |fox|next");
	ui_editor_set_pos(&ed, at("ox"));
	act(A_KILL_LINE);
	cr_assert_str_eq(ui_editor_text(&ed), "the brown f\nnext", "a paragraph's row: to its end");
	act(A_KILL_LINE);
	cr_assert_str_eq(ui_editor_text(&ed), "the brown fnext", "at its end: joins the next");
	act(A_KILL_LINE);
	cr_assert_str_eq(ui_editor_text(&ed), "the brown f", "the last row: to the text's end");
	act(A_KILL_LINE);
	cr_assert_str_eq(ui_editor_text(&ed), "the brown f");
}

/* --- edits keep the rows right ------------------------------------------------------------ */

static uint32_t
rnd(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/*
 * Random edits at random places, at narrow widths, with wide characters, marks, spaces
 * and paragraphs: after each one the rows are those of a fresh wrap, and the text is a
 * plain model's. This is what lets an edit re-wrap only the rows near it.
 */
Test(editor, random_edits_rewrap_as_a_fresh_wrap)
{
	static const char *const bits[] = { "a", "bc", " ", "  ", "\n", "日", "語です",
		"e\xcc\x81", "word ", "longerwordthanarow", "é", "\n\n", "x y z", "∞" };
	uint32_t seed = 20261214;
	char *model = calloc(1, 1);
	size_t mlen = 0;

	cr_assert_not_null(model);
	for (int round = 0; round < 3000; round++) {
		uint32_t r = rnd(&seed);
		size_t pos;

		if (round % 250 == 0)
			ui_editor_layout(&ed, 3 + (int)(rnd(&seed) % 12), true);
		ui_editor_set_pos(&ed, rnd(&seed) % (ui_editor_length(&ed) + 1));
		pos = ui_editor_pos(&ed);
		if (r % 4 != 0 || mlen < 10) {
			const char *b = bits[rnd(&seed) % (sizeof bits / sizeof bits[0])];
			size_t n = strlen(b);
			char *cause = NULL;

			cr_assert_eq(ui_editor_insert(&ed, b, n, &cause), 0);
			model = realloc(model, mlen + n + 1);
			memmove(model + pos + n, model + pos, mlen - pos + 1);
			memcpy(model + pos, b, n);
			mlen += n;
		} else {
			enum action a = (r / 4) % 3 == 0 ? A_BACKSPACE
			    : (r / 4) % 3 == 1           ? A_DELETE_CHAR
			                                 : A_KILL_LINE;
			size_t from, to;

			act(a);
			/* What went is where the editor's text and the model part. */
			from = a == A_BACKSPACE ? ui_editor_pos(&ed) : pos;
			to = from + (mlen - ui_editor_length(&ed));
			cr_assert_leq(from, pos);
			memmove(model + from, model + to, mlen - to + 1);
			mlen -= to - from;
		}
		cr_assert_str_eq(ui_editor_text(&ed), model, "round %d", round);
		assert_rows_fresh(&ed);
	}
	free(model);
}

/*
 * A 20,000-character note edited in its middle, as a clinician would: a sentence typed,
 * a word taken back, a row killed. The text is the reference edit's and the rows are a
 * fresh wrap's.
 */
Test(editor, a_20000_character_note_edited_in_the_middle)
{
	static const char *const words[] = { "Patient", "reports", "intermittent", "chest",
		"pain,", "worse", "on", "exertion;", "BP", "128/82,", "HR", "76.", "Taking",
		"metoprolol", "25", "mg", "daily.", "Allergic", "to", "penicillin", "(rash).",
		"Temp", "37.2°C.", "Plan:", "ECG,", "troponin", "×2,", "review", "in", "2", "weeks." };
	uint32_t seed = 7;
	char *note = malloc(200000), *ref, *cause = NULL;
	size_t len = 0, chars = 0, mid, cut;

	cr_assert_not_null(note);
	while (chars < 20000) {
		const char *w = words[rnd(&seed) % (sizeof words / sizeof words[0])];
		size_t n = strlen(w);

		memcpy(note + len, w, n);
		len += n;
		chars += n - (strstr(w, "°") != NULL) - (strstr(w, "×") != NULL);
		note[len++] = rnd(&seed) % 40 == 0 ? '\n' : ' ';
		chars++;
	}
	while (chars > 20000) {
		/* Trim to exactly 20,000 characters, never in the middle of one. */
		len--;
		while (((unsigned char)note[len] & 0xC0) == 0x80)
			len--;
		chars--;
	}
	note[len] = '\0';
	ui_editor_layout(&ed, 80, true);
	cr_assert_eq(ui_editor_set_text(&ed, note, len, &cause), 0);
	cr_assert_eq(ui_editor_length(&ed), len);

	/* In the middle, a "Patient " before a word of letters: word-right goes just past it. */
	for (mid = len / 2;; mid++) {
		cr_assert_lt(mid, len - 10);
		if (strncmp(note + mid, " Patient ", 9) == 0 && note[mid + 9] >= 'a' &&
		    note[mid + 9] <= 'z')
			break;
	}
	mid++;
	ui_editor_set_pos(&ed, mid);
	type(&ed, "Seen with daughter, who confirms the history. ");
	act(A_BACKSPACE);
	act(A_BACKSPACE);
	type(&ed, "; ");
	act(A_WORD_RIGHT);
	act(A_DELETE_CHAR);
	/* The reference: the same edits on a plain string. */
	ref = malloc(len + 100);
	cr_assert_not_null(ref);
	{
		const char *ins = "Seen with daughter, who confirms the history; ";
		size_t n = strlen(ins), after = mid + strlen("Patient ");

		memcpy(ref, note, mid);
		memcpy(ref + mid, ins, n);
		memcpy(ref + mid + n, note + mid, after - mid);
		strcpy(ref + mid + n + (after - mid), note + after + 1);
	}
	cr_assert_str_eq(ui_editor_text(&ed), ref);
	assert_rows_fresh(&ed);
	cut = ui_editor_pos(&ed);
	act(A_KILL_LINE);
	cr_assert_lt(ui_editor_length(&ed), strlen(ref));
	cr_assert_eq(memcmp(ui_editor_text(&ed), ref, cut), 0, "before the cursor, untouched");
	assert_rows_fresh(&ed);
	free(ref);
	free(note);
}

/* --- the keys, as the loop looks them up ------------------------------------------------- */

static enum action
editor_key(struct keymap *km, const char *name)
{
	const char *chain[] = { "editor", "global" };
	char *cause = NULL;
	int k;

	cr_assert_eq(key_parse(name, &k, &cause), 0, "%s", cause);
	return keymap_lookup_chain(km, chain, 2, k);
}

/*
 * In every built-in keymap Enter breaks the line instead of choosing, ^K is still the
 * function-key prefix (a VT100 saves with ^K 0), Esc still goes back (the screen asks
 * about the unsaved note), and no letter is bound: they are text.
 */
Test(editor, keys_that_must_not_collide)
{
	static const char *const maps[] = { "default", "vi", "emacs" };

	for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++) {
		struct keymap *km = keys_keymap_new_open();
		char *cause = NULL, name[2] = { 0 };

		cr_assert_eq(keymap_load_builtin(km, maps[i], &cause), 0, "%s", cause);
		cr_assert_eq(editor_key(km, "Enter"), A_NEWLINE, "%s", maps[i]);
		cr_assert_eq(editor_key(km, "^J"), A_NEWLINE, "%s: a pasted LF", maps[i]);
		cr_assert_eq(editor_key(km, "Tab"), A_INSERT_TAB, "%s", maps[i]);
		cr_assert_eq(editor_key(km, "^K"), A_FUNCTION_KEY, "%s", maps[i]);
		cr_assert_eq(editor_key(km, "Esc"), A_BACK, "%s", maps[i]);
		cr_assert_eq(editor_key(km, "F10"), A_SAVE, "%s", maps[i]);
		cr_assert_eq(editor_key(km, "^U"), A_KILL_LINE, "%s", maps[i]);
		for (char c = '!'; c <= '~'; c++) {
			enum action a;

			name[0] = c;
			a = keymap_lookup(km, "editor", c);
			cr_assert_eq(a, A_NONE, "%s: editor binds '%s'", maps[i], name);
		}
		keymap_free(&km);
	}
}

/* --- drawing ----------------------------------------------------------------------------- */

static SCREEN *screen;
static FILE *out, *in;

static void
curses_up(void)
{
	setup();
	out = fopen("/dev/null", "w");
	in = fopen("/dev/null", "r");
	cr_assert(out != NULL && in != NULL);
	screen = newterm("xterm", out, in);
	cr_assert_not_null(screen);
	ui_set_charset("utf-8");
}

static void
curses_down(void)
{
	teardown();
	endwin();
	delscreen(screen);
	fclose(out);
	fclose(in);
	ui_set_charset(NULL);
}

static char *
row_text(WINDOW *win, int y)
{
	char buf[512];
	int n = mvwinnstr(win, y, 0, buf, sizeof buf - 1);

	cr_assert_geq(n, 0);
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == ' ')
		buf[--n] = '\0';
	return strdup(buf);
}

static void
assert_row(WINDOW *win, int y, const char *want)
{
	char *got = row_text(win, y);

	cr_assert_str_eq(got, want, "row %d", y);
	free(got);
}

Test(editor_draw, rows_at_the_window_width_and_the_cursor, .init = curses_up, .fini = curses_down)
{
	WINDOW *win = newwin(5, 20, 0, 0);
	const char *text = "Chest pain since Tuesday, worse on stairs.\nNo fever.\n日本語";
	int y, x;

	cr_assert_eq(ui_editor_set_text(&ed, text, strlen(text), &(char *){ NULL }), 0);
	ui_editor_draw(&ed, win, 1, 4, 20);
	assert_row(win, 0, "");
	assert_row(win, 1, "Chest pain since");
	assert_row(win, 2, "Tuesday, worse on");
	assert_row(win, 3, "stairs.");
	assert_row(win, 4, "No fever.");
	cr_assert(ui_editor_cursor(&ed, &y, &x));
	cr_assert_eq(y, 1);
	cr_assert_eq(x, 0);
	/* The end: the view scrolls to show it, and the cursor is after the wide characters. */
	act(A_LAST);
	ui_editor_draw(&ed, win, 1, 4, 20);
	assert_row(win, 4, "日本語");
	assert_row(win, 1, "Tuesday, worse on");
	cr_assert(ui_editor_cursor(&ed, &y, &x));
	cr_assert_eq(y, 4);
	cr_assert_eq(x, 6);
	delwin(win);
}

Test(editor_draw, no_room_no_cursor, .init = curses_up, .fini = curses_down)
{
	WINDOW *win = newwin(5, 20, 0, 0);
	int y, x;

	ui_editor_draw(&ed, win, 0, 0, 20);
	cr_assert_not(ui_editor_cursor(&ed, &y, &x));
	delwin(win);
}
