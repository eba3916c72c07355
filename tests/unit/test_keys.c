/* Unit tests for key names (key_parse, key_to_name, key_is_text) and the action table. */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "keys/keys-private.h"

/* key_parse TEXT, asserting it succeeds; returns the key. */
static int
parse_ok(const char *text)
{
	char *cause = NULL;
	int key = -1;

	cr_assert_eq(key_parse(text, &key, &cause), 0, "'%s' refused: %s", text, cause);
	return key;
}

/* key_parse TEXT, asserting it fails; returns the cause for the caller to free. */
static char *
parse_fails(const char *text)
{
	char *cause = NULL;
	int key = -7;

	cr_assert_eq(key_parse(text, &key, &cause), -1, "'%s' accepted as %d", text, key);
	cr_assert_eq(key, -7, "a refusal changed *key");
	cr_assert_not_null(cause);
	return cause;
}

/* --- edge cases first ---------------------------------------------------------------- */

Test(keys, parse_null_and_empty)
{
	char *cause = parse_fails(NULL);

	cr_assert_str_eq(cause, "no key name given");
	free(cause);
	cause = parse_fails("");
	cr_assert_str_eq(cause, "no key name given");
	free(cause);
}

Test(keys, name_of_a_number_that_is_no_key)
{
	static const int bad[] = {-1, 0xd800, 0xdfff, KEY_FN(KEYS_FN_CODE_MAX + 1), KEY_META(-1),
	    KEY_META(0xd800), 0x2000000, 0x7fffffff};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *name = key_to_name(bad[i]);

		cr_assert_str_eq(name, "(invalid key)", "key %#x", (unsigned int)bad[i]);
		free(name);
		cr_assert_not(key_is_text(bad[i]));
	}
}

/* Criterion runs each case in a fresh process: cases hold their text inline. */
struct refused_key {
	char text[48];
	char cause[128];
};

ParameterizedTestParameters(keys, refused)
{
	// clang-format off
	static struct refused_key cases[] = {
		{ "Foo", "unknown key name 'Foo'" },
		{ "F0", "unknown key name 'F0'" },
		{ "F64", "unknown key name 'F64'" },
		{ "F01", "unknown key name 'F01'" },
		{ "F1x", "unknown key name 'F1x'" },
		{ "F-1", "unknown key name 'F-1'" },
		{ "Key-65536", "unknown key name 'Key-65536'" },
		{ "Key-007", "unknown key name 'Key-007'" },
		{ "Key-", "unknown key name 'Key-'" },
		{ "Key- 1", "unknown key name 'Key- 1'" },
		{ "U+110000", "unknown key name 'U+110000'" },
		{ "U+12", "unknown key name 'U+12'" },
		{ "U+0000041", "unknown key name 'U+0000041'" },
		{ "U+-041", "unknown key name 'U+-041'" },
		{ "U+D800", "U+D800 is a UTF-16 surrogate, not a character" },
		{ "^1", "'^1' is not a control key; they are ^@, ^A to ^Z, ^[, ^\\, ^], ^^, ^_ and ^?" },
		{ "^`", "'^`' is not a control key; they are ^@, ^A to ^Z, ^[, ^\\, ^], ^^, ^_ and ^?" },
		{ "^AB", "unknown key name '^AB'" },
		{ "M-", "unknown key name 'M-'" },
		{ "M-M-x", "key name 'M-M-x' has M- twice" },
		{ "m-M-x", "key name 'm-M-x' has M- twice" },
		{ "M-Foo", "unknown key name 'Foo'" },
		{ " ", "a space is written Space" },
		{ "\x01", "control character 0x01 in a key name; write it as ^A" },
		{ "\x7f", "control character 0x7f in a key name; write it as ^?" },
		{ "\xc2\x85", "an invisible character is written U+0085" },
		{ "\xe2\x80\x8e", "an invisible character is written U+200E" },
		{ "\xe2\x80\xae", "an invisible character is written U+202E" },
		{ "\xcc\x81", "an invisible character is written U+0301" },
		{ "\xef\xbf\xbe", "an invisible character is written U+FFFE" },
		{ "\xff", "key name '\\xff' is not valid UTF-8" },
		{ "\xc3", "key name '\\xc3' is not valid UTF-8" },
		{ "\xc0\xaf", "key name '\\xc0\\xaf' is not valid UTF-8" },
		{ "\xed\xa0\x80", "key name '\\xed\\xa0\\x80' is not valid UTF-8" },
		{ "\xf4\x90\x80\x80", "key name '\\xf4\\x90\\x80\\x80' is not valid UTF-8" },
		{ "ab", "unknown key name 'ab'" },
		{ "\xc3\xa9x", "unknown key name '\\xc3\\xa9x'" },
		{ "Enter ", "unknown key name 'Enter '" },
		{ "0123456789012345678901234567890123", "key name "
		  "'0123456789012345678901234567890123' is longer than 32 bytes" },
	};
	// clang-format on
	return cr_make_param_array(struct refused_key, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct refused_key *c, keys, refused)
{
	char *cause = parse_fails(c->text);

	cr_assert_str_eq(cause, c->cause);
	free(cause);
}

/* --- names ------------------------------------------------------------------------- */

struct named_key {
	char text[16]; /* as written */
	int key;       /* what it means */
	char name[16]; /* what key_to_name writes back */
};

ParameterizedTestParameters(keys, named)
{
	// clang-format off
	static struct named_key cases[] = {
		{ "Esc", 27, "Esc" }, { "Escape", 27, "Esc" }, { "esc", 27, "Esc" },
		{ "ESC", 27, "Esc" }, { "^[", 27, "Esc" },
		{ "Enter", 13, "Enter" }, { "Return", 13, "Enter" }, { "^M", 13, "Enter" },
		{ "Tab", 9, "Tab" }, { "^I", 9, "Tab" }, { "^i", 9, "Tab" },
		{ "Space", ' ', "Space" }, { "space", ' ', "Space" },
		{ "BTab", KEY_FN(KEY_BTAB), "BTab" }, { "BackTab", KEY_FN(KEY_BTAB), "BTab" },
		{ "Backspace", KEY_FN(KEY_BACKSPACE), "Backspace" },
		{ "BSpace", KEY_FN(KEY_BACKSPACE), "Backspace" },
		{ "Delete", KEY_FN(KEY_DC), "Delete" }, { "Del", KEY_FN(KEY_DC), "Delete" },
		{ "Insert", KEY_FN(KEY_IC), "Insert" }, { "Ins", KEY_FN(KEY_IC), "Insert" },
		{ "Up", KEY_FN(KEY_UP), "Up" }, { "Down", KEY_FN(KEY_DOWN), "Down" },
		{ "Left", KEY_FN(KEY_LEFT), "Left" }, { "Right", KEY_FN(KEY_RIGHT), "Right" },
		{ "Home", KEY_FN(KEY_HOME), "Home" }, { "End", KEY_FN(KEY_END), "End" },
		{ "PgUp", KEY_FN(KEY_PPAGE), "PgUp" }, { "PageUp", KEY_FN(KEY_PPAGE), "PgUp" },
		{ "PgDn", KEY_FN(KEY_NPAGE), "PgDn" }, { "PageDown", KEY_FN(KEY_NPAGE), "PgDn" },
		{ "KPEnter", KEY_FN(KEY_ENTER), "KPEnter" },
		{ "F1", KEY_FN(KEY_F(1)), "F1" }, { "f1", KEY_FN(KEY_F(1)), "F1" },
		{ "F10", KEY_FN(KEY_F(10)), "F10" }, { "F63", KEY_FN(KEY_F(63)), "F63" },
		{ "Key-0", KEY_FN(0), "Key-0" }, { "Key-264", KEY_FN(KEY_F0), "Key-264" },
		{ "key-259", KEY_FN(KEY_UP), "Up" }, { "Key-65535", KEY_FN(0xffff), "Key-65535" },
		{ "Key-400", KEY_FN(400), "Key-400" },
		{ "^@", 0, "^@" }, { "^A", 1, "^A" }, { "^a", 1, "^A" }, { "^C", 3, "^C" },
		{ "^H", 8, "^H" }, { "^J", 10, "^J" }, { "^Z", 26, "^Z" },
		{ "^\\", 28, "^\\" }, { "^]", 29, "^]" }, { "^^", 30, "^^" }, { "^_", 31, "^_" },
		{ "^?", 127, "^?" },
		{ "a", 'a', "a" }, { "A", 'A', "A" }, { "?", '?', "?" }, { "/", '/', "/" },
		{ "^", '^', "^" }, { "#", '#', "#" }, { "M", 'M', "M" }, { "-", '-', "-" },
		{ "\xc3\xa9", 0xe9, "\xc3\xa9" }, { "\xe2\x82\xac", 0x20ac, "\xe2\x82\xac" },
		{ "\xf0\x9f\x98\x80", 0x1f600, "\xf0\x9f\x98\x80" },
		{ "U+00E9", 0xe9, "\xc3\xa9" }, { "u+00e9", 0xe9, "\xc3\xa9" },
		{ "U+0041", 'A', "A" }, { "U+0003", 3, "^C" }, { "U+0020", ' ', "Space" },
		{ "U+200E", 0x200e, "U+200E" }, { "U+0085", 0x85, "U+0085" },
		{ "U+00A0", 0xa0, "U+00A0" }, { "U+E000", 0xe000, "U+E000" },
		{ "U+10FFFF", 0x10ffff, "U+10FFFF" }, { "U+1FFFE", 0x1fffe, "U+1FFFE" },
		{ "M-v", KEY_META('v'), "M-v" }, { "m-v", KEY_META('v'), "M-v" },
		{ "M-V", KEY_META('V'), "M-V" }, { "M-<", KEY_META('<'), "M-<" },
		{ "M--", KEY_META('-'), "M--" }, { "M-M", KEY_META('M'), "M-M" },
		{ "M-^C", KEY_META(3), "M-^C" }, { "M-Up", KEY_META(KEY_FN(KEY_UP)), "M-Up" },
		{ "M-Esc", KEY_META(27), "M-Esc" }, { "M-F12", KEY_META(KEY_FN(KEY_F(12))), "M-F12" },
		{ "M-\xc3\xa9", KEY_META(0xe9), "M-\xc3\xa9" },
		{ "M-U+200E", KEY_META(0x200e), "M-U+200E" },
	};
	// clang-format on
	return cr_make_param_array(struct named_key, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct named_key *c, keys, named)
{
	char *name;
	int key = parse_ok(c->text);

	cr_assert_eq(
	    key, c->key, "'%s' is %#x, not %#x", c->text, (unsigned int)key, (unsigned int)c->key);
	name = key_to_name(key);
	cr_assert_str_eq(name, c->name);
	cr_assert_eq(parse_ok(name), key, "'%s' does not read back", name);
	free(name);
}

/* Every character, and every function key KEY_FN takes, reads back from its name. */
Test(keys, every_key_round_trips, .timeout = 120)
{
	for (int c = 0; c < 0x110000; c++) {
		char *name;

		if (c == 0xd800)
			c = 0xe000;
		name = key_to_name(c);
		cr_assert_eq(parse_ok(name), c, "U+%04X is named '%s'", (unsigned int)c, name);
		cr_assert_leq(strlen(name), 8);
		free(name);
		/* Meta on a sample: it only adds "M-". */
		if (c % 97 == 0) {
			name = key_to_name(KEY_META(c));
			cr_assert_eq(parse_ok(name), KEY_META(c), "'%s'", name);
			free(name);
		}
	}
	for (int k = 0; k <= KEYS_FN_CODE_MAX; k++) {
		char *name = key_to_name(KEY_FN(k)), *meta = key_to_name(KEY_META(KEY_FN(k)));

		cr_assert_eq(parse_ok(name), KEY_FN(k), "ncurses key %d is named '%s'", k, name);
		cr_assert_eq(parse_ok(meta), KEY_META(KEY_FN(k)), "'%s'", meta);
		free(name);
		free(meta);
	}
}

Test(keys, function_and_meta_keys_never_collide_with_characters)
{
	cr_assert_gt(KEY_FN(0), 0x10ffff);
	cr_assert_gt(KEY_META(0), KEY_FN(KEYS_FN_CODE_MAX));
	cr_assert(KEY_IS_FN(KEY_FN(KEY_UP)));
	cr_assert(KEY_IS_FN(KEY_META(KEY_FN(KEY_UP))));
	cr_assert_not(KEY_IS_FN(0x10ffff));
	cr_assert_not(KEY_IS_FN(KEY_META('x')));
	cr_assert(KEY_IS_META(KEY_META('x')));
	cr_assert_not(KEY_IS_META(KEY_FN(KEY_MAX)));
	/* ncurses' own codes, and those define_key() hands out, fit. */
	cr_assert_leq(KEY_MAX, KEYS_FN_CODE_MAX);
}

/* The characters safe_text shows as <U+XXXX> are the ones a key cannot type: one rule. */
Test(keys, invisible_characters_are_not_text)
{
	static const int invisible[] = {0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x2060, 0x2061,
	    0x2062, 0x2063, 0x2064, 0xfeff, 0xe0001, 0xe0020, 0xe007f, 0xfff9, 0xfffa, 0xfffb,
	    0x3164, 0x2800, 0x115f, 0xffa0};
	char *cause = NULL, *name;
	int key;

	for (size_t i = 0; i < sizeof invisible / sizeof invisible[0]; i++) {
		cr_assert_not(key_is_text(invisible[i]), "U+%04X", (unsigned int)invisible[i]);
		name = key_to_name(invisible[i]);
		cr_assert_eq(strncmp(name, "U+", 2), 0, "U+%04X is named %s",
		    (unsigned int)invisible[i], name);
		free(name);
	}
	/* Typed raw in a keymap, the braille blank is refused and named. */
	cr_assert_eq(key_parse("\xe2\xa0\x80", &key, &cause), -1);
	cr_assert_str_eq(cause, "an invisible character is written U+2800");
	free(cause);
	/* Its neighbour, a visible braille dot, is a key like any letter. */
	cr_assert(key_is_text(0x2801));
}

Test(keys, text_keys)
{
	static const int text[] = {' ', 'a', 'Z', '?', '~', 0xe9, 0x20ac, 0x1f600, 0x4e2d};
	static const int not_text[] = {0, 3, 9, 13, 27, 127, 0x85, 0xa0, 0x200e, 0x202e, 0x301,
	    0xfeff, KEY_FN(KEY_UP), KEY_FN(KEY_F(1)), KEY_META('a'), KEY_META(' ')};

	for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
		cr_assert(key_is_text(text[i]), "U+%04X", (unsigned int)text[i]);
	for (size_t i = 0; i < sizeof not_text / sizeof not_text[0]; i++)
		cr_assert_not(key_is_text(not_text[i]), "%#x", (unsigned int)not_text[i]);
}

/* --- actions ----------------------------------------------------------------------- */

Test(keys, action_table_edges)
{
	cr_assert_eq(A_NONE, 0);
	cr_assert_str_eq(action_name(A_NONE), "none");
	cr_assert_null(action_name(A_COUNT));
	cr_assert_null(action_help(A_COUNT));
	cr_assert_null(action_name((enum action)(A_COUNT + 1)));
	cr_assert_null(action_help((enum action)(A_COUNT + 1)));
	cr_assert_eq(action_from_name(NULL), -1);
	cr_assert_eq(action_from_name(""), -1);
	cr_assert_eq(action_from_name("Help"), -1);
	cr_assert_eq(action_from_name("help "), -1);
	cr_assert_eq(action_from_name("page_up"), -1);
}

/* Unique lower-case names, and a short help line each that the help screen can show. */
Test(keys, every_action_has_a_unique_name_and_a_help_line)
{
	for (int a = 0; a < A_COUNT; a++) {
		const char *name = action_name((enum action)a), *help = action_help((enum action)a);
		size_t n;

		cr_assert_not_null(name);
		cr_assert_not_null(help);
		n = strspn(name, "abcdefghijklmnopqrstuvwxyz-");
		cr_assert(n > 0 && name[n] == '\0' && name[0] != '-' && name[n - 1] != '-' &&
		              strstr(name, "--") == NULL,
		    "action name '%s'", name);
		cr_assert_leq(strlen(name), 16, "'%s' is too long for the help screen", name);
		cr_assert_eq(action_from_name(name), a, "'%s' is not unique", name);
		cr_assert_geq(strlen(help), 4, "%s: '%s'", name, help);
		cr_assert_leq(
		    strlen(help), 60, "%s: the help line is %zu bytes", name, strlen(help));
		cr_assert(
		    help[0] >= 'A' && help[0] <= 'Z', "%s: '%s' starts in lower case", name, help);
		cr_assert_neq(help[strlen(help) - 1], '.', "%s: '%s' ends in a period", name, help);
		for (const char *c = help; *c != '\0'; c++)
			cr_assert((unsigned char)*c >= 0x20 && (unsigned char)*c < 0x7f,
			    "%s: the help line is not plain ASCII", name);
	}
}

/* The actions the issue asks for are all there, under these names. */
Test(keys, the_named_actions_exist)
{
	static const char *const names[] = {"none", "help", "back", "quit", "command", "search",
	    "select", "redraw", "lock", "home", "patients", "schedule", "chart", "billing", "up",
	    "down", "left", "right", "page-up", "page-down", "first", "last", "next-field",
	    "prev-field", "save", "retry", "refresh", "recall-patient", "new", "edit",
	    "delete-char", "backspace", "kill-line", "line-start", "line-end", "yes", "no"};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		cr_assert_neq(action_from_name(names[i]), -1, "no action '%s'", names[i]);
	cr_assert_eq(action_from_name("left"), A_MOVE_LEFT);
	cr_assert_eq(action_from_name("right"), A_MOVE_RIGHT);
	cr_assert_eq(action_from_name("page-down"), A_PAGE_DOWN);
	cr_assert_eq(action_from_name("recall-patient"), A_RECALL_PATIENT);
}

Test(keys, quote_cuts_and_escapes)
{
	static const char odd[] = {'a', 0x01, (char)0xff, 'b'};
	char *q = keys_quote(odd, sizeof odd), long_text[100];

	cr_assert_str_eq(q, "a\\x01\\xffb");
	free(q);
	memset(long_text, 'x', sizeof long_text);
	q = keys_quote(long_text, sizeof long_text);
	cr_assert_eq(strlen(q), 43);
	cr_assert_eq(strcmp(q + 40, "..."), 0);
	free(q);
	q = keys_quote("", 0);
	cr_assert_str_eq(q, "");
	free(q);
}

/* --- escape sequences the terminal description does not list ---------------------- */

struct seq_case {
	char seq[16];
	int key;
	size_t used;
};

ParameterizedTestParameters(keys, sequences)
{
	static struct seq_case cases[] = {
	    /* xterm's PgDn and PgUp under TERM=vt100; tmux's Home and End. */
	    {"[6~", KEY_FN(KEY_NPAGE), 3}, {"[5~", KEY_FN(KEY_PPAGE), 3},
	    {"[1~", KEY_FN(KEY_HOME), 3}, {"[4~", KEY_FN(KEY_END), 3},
	    {"[7~", KEY_FN(KEY_HOME), 3}, {"[8~", KEY_FN(KEY_END), 3},
	    {"[2~", KEY_FN(KEY_IC), 3}, {"[3~", KEY_FN(KEY_DC), 3},
	    {"[A", KEY_FN(KEY_UP), 2}, {"OB", KEY_FN(KEY_DOWN), 2}, {"[H", KEY_FN(KEY_HOME), 2},
	    {"OF", KEY_FN(KEY_END), 2}, {"[Z", KEY_FN(KEY_BTAB), 2},
	    /* VT220 F-keys, PF1-PF4, the Linux console's F1-F5. */
	    {"[11~", KEY_FN(KEY_F(1)), 4}, {"[15~", KEY_FN(KEY_F(5)), 4},
	    {"[17~", KEY_FN(KEY_F(6)), 4}, {"[21~", KEY_FN(KEY_F(10)), 4},
	    {"[24~", KEY_FN(KEY_F(12)), 4}, {"OP", KEY_FN(KEY_F(1)), 2}, {"OS", KEY_FN(KEY_F(4)), 2},
	    {"[[A", KEY_FN(KEY_F(1)), 3}, {"[[E", KEY_FN(KEY_F(5)), 3},
	    /* The VT100 keypad in application mode types what it shows. */
	    {"Op", '0', 2}, {"Oy", '9', 2}, {"On", '.', 2}, {"Om", '-', 2}, {"OM", '\r', 2},
	    /* Read whole, known or not: never Esc and then letters. */
	    {"[99~", KEY_SEQ_UNKNOWN, 4}, {"[1;5A", KEY_SEQ_UNKNOWN, 5}, {"[200~", KEY_SEQ_UNKNOWN, 5},
	    {"[?1;2c", KEY_SEQ_UNKNOWN, 6}, {"[[Z", KEY_SEQ_UNKNOWN, 3}, {"OZ", KEY_SEQ_UNKNOWN, 2},
	    {"[6~x", KEY_FN(KEY_NPAGE), 3}, {"[99999999999~", KEY_SEQ_UNKNOWN, 13},
	    {"[\x01", KEY_SEQ_UNKNOWN, 2},
	    /* Not yet whole, or no sequence at all. */
	    {"[", KEY_SEQ_MORE, 0}, {"[6", KEY_SEQ_MORE, 0}, {"[[", KEY_SEQ_MORE, 0},
	    {"O", KEY_SEQ_MORE, 0}, {"[1;5", KEY_SEQ_MORE, 0},
	    {"x", KEY_SEQ_NONE, 0}, {"\x1b", KEY_SEQ_NONE, 0},
	};

	return cr_make_param_array(struct seq_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct seq_case *c, keys, sequences)
{
	size_t used = 99;
	int key = key_sequence(c->seq, strlen(c->seq), &used);

	cr_assert_eq(key, c->key, "ESC %s gives %d, not %d", c->seq, key, c->key);
	if (c->key != KEY_SEQ_MORE && c->key != KEY_SEQ_NONE)
		cr_assert_eq(used, c->used, "ESC %s uses %zu bytes, not %zu", c->seq, used, c->used);
}
