/* Unit tests for keymaps: the file syntax and its refusals, lookups, the built-in keymaps. */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <curses.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keys/keys-private.h"

/* The contexts the app registers: the widgets', global, and a screen's. */
static const char *const contexts[] = {
    "global", "list", "form", "pager", "prompt", "dialog", "editor", "home", "schedule", "patients", "patient",
    "coverage", "flow", "free-slots", "chart", "chart-list", "labs", "billing", "charges", "posting", "ledger", "claims",
    "aging", "denials", "vitals-entry", "allergies-form", "problems-form", "immunize-form", "meds-form",
    "note", "wrapup", NULL};
#define CONTEXT_LIST \
    "global, list, form, pager, prompt, dialog, editor, home, schedule, patients, patient, coverage, flow, " \
    "free-slots, chart, chart-list, labs, billing, charges, posting, ledger, claims, aging, denials, " \
    "vitals-entry, " \
    "allergies-form, problems-form, immunize-form, meds-form, note, wrapup"

static int
key(const char *name)
{
	char *cause = NULL;
	int k = -1;

	cr_assert_eq(key_parse(name, &k, &cause), 0, "%s", cause);
	return k;
}

static int
load(struct keymap *km, const char *text, char **cause)
{
	return keymap_load_text(km, text, strlen(text), "t", cause);
}

/* A keymap with CONTEXTS and TEXT loaded, which must be good. */
static struct keymap *
keymap_with(const char *text)
{
	struct keymap *km = keymap_new(contexts);
	char *cause = NULL;

	cr_assert_eq(load(km, text, &cause), 0, "%s", cause);
	return km;
}

static enum action
lookup(const struct keymap *km, const char *context, const char *name)
{
	return keymap_lookup(km, context, key(name));
}

/* What keymap_each_binding reported. */
struct listing {
	size_t n;
	char context[256][16];
	char keys[256][128];
	enum action action[256];
};

static void
collect(void *arg, const char *context, const char *keys, enum action a)
{
	struct listing *l = arg;

	cr_assert_lt(l->n, 256);
	snprintf(l->context[l->n], sizeof l->context[0], "%s", context);
	snprintf(l->keys[l->n], sizeof l->keys[0], "%s", keys);
	l->action[l->n++] = a;
}

/* The entry for action A in L, or -1. */
static int
listed(const struct listing *l, enum action a)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->action[i] == a)
			return (int)i;
	return -1;
}

/* --- edge cases first ---------------------------------------------------------------- */

Test(keymap, null_and_empty)
{
	struct keymap *km = NULL, *none = keymap_new(NULL);
	const char *chain[] = {"global"};
	struct listing l = {0};
	char *cause = NULL;

	keymap_free(NULL);
	keymap_free(&km);
	cr_assert_eq(keymap_lookup(NULL, "global", 'q'), A_NONE);
	cr_assert_eq(keymap_lookup_chain(NULL, chain, 1, 'q'), A_NONE);
	keymap_each_binding(NULL, chain, 1, collect, &l);
	cr_assert_eq(l.n, 0);

	/* A keymap without contexts takes no bind lines, but comments and nothing. */
	cr_assert_eq(keymap_load_text(none, NULL, 0, "t", &cause), 0);
	cr_assert_eq(load(none, "# only a comment\n\n", &cause), 0);
	cr_assert_eq(load(none, "bind global q quit\n", &cause), -1);
	cr_assert_str_eq(cause, "t:1: unknown context 'global'; the contexts are: none");
	free(cause);
	cr_assert_eq(keymap_lookup(none, NULL, 'q'), A_NONE);
	cr_assert_eq(keymap_lookup_chain(none, NULL, 3, 'q'), A_NONE);
	keymap_each_binding(none, NULL, 1, collect, &l);
	keymap_each_binding(none, chain, 1, NULL, &l);
	keymap_free(&none);
	cr_assert_null(none);

	cr_assert_eq(keymap_load_text(NULL, "", 0, "t", &cause), -1);
	cr_assert_str_eq(cause, "t: no keymap to load into");
	free(cause);
	km = keymap_new(contexts);
	cr_assert_eq(keymap_load_text(km, NULL, 5, "t", &cause), -1);
	cr_assert_str_eq(cause, "t: no text to read");
	free(cause);
	cr_assert_eq(keymap_load_text(km, "bind nowhere", 12, NULL, &cause), -1);
	cr_assert_eq(strncmp(cause, "keymap:1: ", 10), 0, "%s", cause);
	free(cause);
	keymap_free(&km);
}

Test(keymap, bad_and_repeated_context_names_are_skipped)
{
	static const char *const odd[] = {"global", "global", "bad name", "", "x/y",
	    "a23456789012345678901234567890123", "a2345678901234567890123456789012", "ok_1-2",
	    NULL};
	struct keymap *km = keymap_new(odd);
	char *cause = NULL;

	cr_assert_eq(load(km, "bind nowhere q quit\n", &cause), -1);
	cr_assert_str_eq(cause, "t:1: unknown context 'nowhere'; the contexts are: global, "
	                        "a2345678901234567890123456789012, ok_1-2");
	free(cause);
	cr_assert_eq(load(km, "bind ok_1-2 q quit\n", &cause), 0);
	cr_assert_eq(keymap_lookup(km, "ok_1-2", 'q'), A_QUIT);
	keymap_free(&km);
}

/* --- binding, overriding, unbinding -------------------------------------------------- */

Test(keymap, bind_override_unbind)
{
	struct keymap *km = keymap_with("bind global q quit\n"
	                                "bind list q first\n"
	                                "bind global F1 help\n"
	                                "bind global q redraw\n");
	char *cause = NULL;

	cr_assert_eq(lookup(km, "global", "q"), A_REDRAW, "a later bind wins");
	cr_assert_eq(lookup(km, "list", "q"), A_FIRST, "contexts are apart");
	cr_assert_eq(lookup(km, "global", "F1"), A_HELP);
	cr_assert_eq(lookup(km, "global", "Q"), A_NONE, "case matters");
	cr_assert_eq(lookup(km, "form", "q"), A_NONE);
	cr_assert_eq(lookup(km, "nowhere", "q"), A_NONE);

	cr_assert_eq(load(km, "unbind global q\nunbind global q\nunbind dialog y\n", &cause), 0,
	    "%s", cause);
	cr_assert_eq(lookup(km, "global", "q"), A_NONE);
	cr_assert_eq(lookup(km, "list", "q"), A_FIRST);
	cr_assert_eq(load(km, "bind global q quit\n", &cause), 0);
	cr_assert_eq(lookup(km, "global", "q"), A_QUIT, "a key can be bound again");
	keymap_free(&km);
}

/* The dispatcher tries the screen, then the widget, then global. */
Test(keymap, chain_order)
{
	struct keymap *km = keymap_with("bind global n new\n"
	                                "bind list n down\n"
	                                "bind schedule n next-field\n"
	                                "bind global x quit\n"
	                                "bind list x none\n"
	                                "bind global z redraw\n"
	                                "bind schedule z none\n"
	                                "unbind schedule z\n");
	const char *chain[] = {"schedule", "list", "global"};
	const char *odd[] = {"nowhere", "list", "nowhere", "global"};
	int n = key("n"), x = key("x"), z = key("z");

	cr_assert_eq(keymap_lookup_chain(km, chain, 3, n), A_NEXT_FIELD);
	cr_assert_eq(keymap_lookup_chain(km, chain + 1, 2, n), A_DOWN);
	cr_assert_eq(keymap_lookup_chain(km, chain + 2, 1, n), A_NEW);
	cr_assert_eq(keymap_lookup_chain(km, chain, 0, n), A_NONE);
	/* "none" stops the search; unbind lets the next context decide. */
	cr_assert_eq(keymap_lookup_chain(km, chain, 3, x), A_NONE);
	cr_assert_eq(keymap_lookup_chain(km, chain + 2, 1, x), A_QUIT);
	cr_assert_eq(keymap_lookup_chain(km, chain, 3, z), A_REDRAW);
	cr_assert_eq(keymap_lookup_chain(km, chain, 3, key("y")), A_NONE);
	/* Unknown contexts are passed over. */
	cr_assert_eq(keymap_lookup_chain(km, odd, 4, n), A_DOWN);
	cr_assert_eq(keymap_lookup_chain(km, odd, 4, z), A_REDRAW);
	keymap_free(&km);
}

/* ^J and KPEnter act as Enter, ^? as Backspace, unless bound themselves. */
Test(keymap, one_key_sent_two_ways)
{
	struct keymap *km = keymap_with("bind global Enter select\n"
	                                "bind form Backspace backspace\n"
	                                "bind prompt Enter save\n"
	                                "bind prompt ^J next-field\n");
	const char *chain[] = {"form", "global"};

	cr_assert_eq(lookup(km, "global", "^J"), A_SELECT);
	cr_assert_eq(lookup(km, "global", "^M"), A_SELECT);
	cr_assert_eq(lookup(km, "global", "KPEnter"), A_SELECT);
	cr_assert_eq(lookup(km, "form", "^?"), A_BACKSPACE);
	cr_assert_eq(lookup(km, "form", "^H"), A_NONE, "^H is a key of its own");
	cr_assert_eq(lookup(km, "prompt", "^J"), A_NEXT_FIELD);
	cr_assert_eq(lookup(km, "prompt", "KPEnter"), A_SAVE);
	cr_assert_eq(lookup(km, "global", "M-Enter"), A_NONE);
	cr_assert_eq(keymap_lookup_chain(km, chain, 2, '\n'), A_SELECT);
	cr_assert_eq(keymap_lookup_chain(km, chain, 2, 0x7f), A_BACKSPACE);
	keymap_free(&km);
}

Test(keymap, syntax_around_the_words)
{
	struct keymap *km = keymap_with("\xef\xbb\xbf# a comment\n"
	                                "   # an indented comment\n"
	                                "\n"
	                                " \t \n"
	                                "\r\n"
	                                "\tbind\tglobal\t?\thelp\t\n"
	                                "bind   list   j   down   \r\n"
	                                "bind global # search\n"
	                                "bind form ^S save\r\n"
	                                "bind global \xc3\xa9 chart\n"
	                                "bind global U+200E billing\n"
	                                "bind dialog y yes");

	cr_assert_eq(lookup(km, "global", "?"), A_HELP);
	cr_assert_eq(lookup(km, "list", "j"), A_DOWN);
	cr_assert_eq(lookup(km, "global", "#"), A_SEARCH, "# is a key after the first word");
	cr_assert_eq(lookup(km, "form", "^S"), A_SAVE);
	cr_assert_eq(keymap_lookup(km, "global", 0xe9), A_CHART);
	cr_assert_eq(keymap_lookup(km, "global", 0x200e), A_BILLING);
	cr_assert_eq(lookup(km, "dialog", "y"), A_YES, "the last line needs no newline");
	keymap_free(&km);
}

/* --- refusals ------------------------------------------------------------------------ */

/* Criterion runs each case in a fresh process: cases hold their text inline. */
struct refusal {
	char text[160];
	char cause[384]; /* the whole message, "t:LINE: reason" */
};

ParameterizedTestParameters(keymap, refused)
{
	// clang-format off
	static struct refusal cases[] = {
		{ "bind nowhere x help\n",
		  "t:1: unknown context 'nowhere'; the contexts are: " CONTEXT_LIST },
		{ "bind Global x help\n",
		  "t:1: unknown context 'Global'; the contexts are: " CONTEXT_LIST },
		{ "bind \xff x help\n",
		  "t:1: unknown context '\\xff'; the contexts are: " CONTEXT_LIST },
		{ "unbind nowhere x\n",
		  "t:1: unknown context 'nowhere'; the contexts are: " CONTEXT_LIST },
		{ "bind global Foo help\n", "t:1: unknown key name 'Foo'" },
		{ "unbind global Foo\n", "t:1: unknown key name 'Foo'" },
		{ "bind global ^1 help\n", "t:1: '^1' is not a control key; they are ^@, ^A to ^Z, "
		  "^[, ^\\, ^], ^^, ^_ and ^?" },
		{ "bind global M-M-x help\n", "t:1: key name 'M-M-x' has M- twice" },
		{ "bind global \xff help\n", "t:1: key name '\\xff' is not valid UTF-8" },
		{ "bind global \xe2\x80\xae help\n", "t:1: an invisible character is written U+202E" },
		{ "bind global x hlep\n", "t:1: unknown action 'hlep'; ehrterm-keys(5) lists them" },
		{ "bind global x Help\n", "t:1: unknown action 'Help'; ehrterm-keys(5) lists them" },
		{ "bind global x A_HELP\n",
		  "t:1: unknown action 'A_HELP'; ehrterm-keys(5) lists them" },
		{ "bind\n", "t:1: bind takes a context, a key and an action: bind CONTEXT KEY ACTION" },
		{ "bind global\n",
		  "t:1: bind takes a context, a key and an action: bind CONTEXT KEY ACTION" },
		{ "bind global x\n",
		  "t:1: bind takes a context, a key and an action: bind CONTEXT KEY ACTION" },
		{ "bind global x help extra\n",
		  "t:1: bind takes a context, a key and an action: bind CONTEXT KEY ACTION" },
		{ "bind global x help # a comment\n",
		  "t:1: bind takes a context, a key and an action: bind CONTEXT KEY ACTION" },
		{ "bind global x help a b c d e f\n",
		  "t:1: bind takes a context, a key and an action: bind CONTEXT KEY ACTION" },
		{ "unbind\n", "t:1: unbind takes a context and a key: unbind CONTEXT KEY" },
		{ "unbind global\n", "t:1: unbind takes a context and a key: unbind CONTEXT KEY" },
		{ "unbind global x help\n",
		  "t:1: unbind takes a context and a key: unbind CONTEXT KEY" },
		{ "bnid global x help\n",
		  "t:1: unknown command 'bnid'; a line is bind, unbind, a # comment or blank" },
		{ "Bind global x help\n",
		  "t:1: unknown command 'Bind'; a line is bind, unbind, a # comment or blank" },
		{ "global x help\n",
		  "t:1: unknown command 'global'; a line is bind, unbind, a # comment or blank" },
		{ "set keymap vi\n",
		  "t:1: unknown command 'set'; a line is bind, unbind, a # comment or blank" },
		{ "bind global x help\n\xef\xbb\xbf" "bind global y help\n",
		  "t:2: unknown command '\\xef\\xbb\\xbfbind'; a line is bind, unbind, a # comment "
		  "or blank" },
		{ "bind global \x1b[31m help\n", "t:1: control character 0x1b in the line" },
		{ "bind global a\rb help\n", "t:1: control character 0x0d in the line" },
		{ "bind global x help\r\r\n", "t:1: control character 0x0d in the line" },
		{ "bind global \x7f help\n", "t:1: control character 0x7f in the line" },
		{ "# a comment with a bell \x07\n", "t:1: control character 0x07 in the line" },
		{ "bind global x help\fbind\n", "t:1: control character 0x0c in the line" },
		{ "\n\n# three\nbind global x nope\n",
		  "t:4: unknown action 'nope'; ehrterm-keys(5) lists them" },
		{ "\xef\xbb\xbf" "bind global x nope\n",
		  "t:1: unknown action 'nope'; ehrterm-keys(5) lists them" },
		{ "bind global x help\r\nbind global y nope\r\n",
		  "t:2: unknown action 'nope'; ehrterm-keys(5) lists them" },
		{ "bind global x help\nbind global y", "t:2: bind takes a context, a key and an "
		  "action: bind CONTEXT KEY ACTION" },
		{ "bind global xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx help\n",
		  "t:1: key name 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' is longer than 32 bytes" },
	};
	// clang-format on
	return cr_make_param_array(struct refusal, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct refusal *c, keymap, refused)
{
	struct keymap *km = keymap_new(contexts);
	char *cause = NULL;

	cr_assert_eq(load(km, c->text, &cause), -1, "accepted:\n%s", c->text);
	cr_assert_str_eq(cause, c->cause);
	keymap_free(&km);
	free(cause);
}

/* A file is taken whole or not at all: a bad line leaves the keymap as it was. */
Test(keymap, a_refused_file_changes_nothing)
{
	struct keymap *km = keymap_with("bind global q quit\nbind list j down\n");
	char *cause = NULL;

	cr_assert_eq(load(km,
	                 "unbind global q\n"
	                 "bind list j up\n"
	                 "bind form k up\n"
	                 "bind form x nope\n",
	                 &cause),
	    -1);
	free(cause);
	cr_assert_eq(lookup(km, "global", "q"), A_QUIT);
	cr_assert_eq(lookup(km, "list", "j"), A_DOWN);
	cr_assert_eq(lookup(km, "form", "k"), A_NONE);
	/* And a built-in keymap the same: unknown names change nothing either. */
	cr_assert_eq(keymap_load_builtin(km, "vim", &cause), -1);
	cr_assert_str_eq(cause, "there is no built-in keymap 'vim'; there are: default, vi, emacs");
	free(cause);
	cr_assert_eq(keymap_load_builtin(km, NULL, &cause), -1);
	cr_assert_str_eq(cause, "there is no built-in keymap ''; there are: default, vi, emacs");
	free(cause);
	cr_assert_eq(keymap_load_builtin(NULL, "vi", &cause), -1);
	cr_assert_str_eq(cause, "no keymap to load into");
	free(cause);
	cr_assert_eq(lookup(km, "list", "j"), A_DOWN);
	keymap_free(&km);
}

Test(keymap, line_length_cap)
{
	size_t n = 1 + KEYS_LINE_MAX + 2;
	char *text = malloc(n + 1), *cause = NULL;
	struct keymap *km = keymap_new(contexts);

	/* Line 2 is a comment of exactly KEYS_LINE_MAX bytes: accepted, with or without \r. */
	text[0] = '\n';
	memset(text + 1, '#', KEYS_LINE_MAX);
	memcpy(text + 1 + KEYS_LINE_MAX, "\r\n", 2);
	cr_assert_eq(keymap_load_text(km, text, n, "t", &cause), 0, "%s", cause);
	text[1 + KEYS_LINE_MAX] = '\n';
	cr_assert_eq(keymap_load_text(km, text, n - 1, "t", &cause), 0, "%s", cause);
	cr_assert_eq(keymap_load_text(km, text, n - 2, "t", &cause), 0, "%s", cause);

	/* One more byte is refused, newline or not. */
	memset(text + 1, '#', KEYS_LINE_MAX + 1);
	cr_assert_eq(keymap_load_text(km, text, n - 1, "t", &cause), -1);
	cr_assert_str_eq(cause, "t:2: the line is longer than 1024 bytes");
	free(cause);
	text[1 + KEYS_LINE_MAX + 1] = '\n';
	cr_assert_eq(keymap_load_text(km, text, n, "t", &cause), -1);
	cr_assert_str_eq(cause, "t:2: the line is longer than 1024 bytes");
	free(cause);
	free(text);
	keymap_free(&km);
}

Test(keymap, nul_byte)
{
	static const char text[] = "# one\n# two\nbind global\0q quit\n";
	struct keymap *km = keymap_new(contexts);
	char *cause = NULL;

	cr_assert_eq(keymap_load_text(km, text, sizeof text - 1, "t", &cause), -1);
	cr_assert_str_eq(cause, "t:3: the line contains a NUL byte");
	free(cause);
	/* A NUL past LEN is not read. */
	cr_assert_eq(keymap_load_text(km, text, 12, "t", &cause), 0, "%s", cause);
	keymap_free(&km);
}

Test(keymap, reads_only_len_bytes)
{
	/* No terminating NUL: a read past LEN shows under ASan and valgrind. */
	static const char src[] = "bind global q quit";
	char *text = malloc(sizeof src - 1), *cause = NULL;
	struct keymap *km = keymap_new(contexts);

	memcpy(text, src, sizeof src - 1);
	cr_assert_eq(keymap_load_text(km, text, sizeof src - 1, "t", &cause), 0, "%s", cause);
	cr_assert_eq(lookup(km, "global", "q"), A_QUIT);
	/* Cut inside the last word: "bind global q qui". */
	cr_assert_eq(keymap_load_text(km, text, sizeof src - 2, "t", &cause), -1);
	cr_assert_str_eq(cause, "t:1: unknown action 'qui'; ehrterm-keys(5) lists them");
	free(cause);
	free(text);
	keymap_free(&km);
}

Test(keymap, file_size_cap)
{
	char *text = malloc(KEYS_FILE_MAX + 1), *cause = NULL;
	struct keymap *km = keymap_new(contexts);

	memset(text, '\n', KEYS_FILE_MAX + 1);
	cr_assert_eq(keymap_load_text(km, text, KEYS_FILE_MAX, "t", &cause), 0, "%s", cause);
	cr_assert_eq(keymap_load_text(km, text, KEYS_FILE_MAX + 1, "t", &cause), -1);
	cr_assert_str_eq(cause, "t: the file is larger than 1048576 bytes");
	free(cause);
	free(text);
	keymap_free(&km);
}

Test(keymap, binding_count_cap)
{
	size_t size = (KEYS_BINDINGS_MAX + 2) * 32, len = 0;
	char *text = malloc(size), *cause = NULL, want[64];
	struct keymap *km = keymap_new(contexts);

	/* Distinct keys (CJK characters) over two contexts, up to the cap. */
	for (int i = 0; i < KEYS_BINDINGS_MAX; i++)
		len += (size_t)sprintf(
		    text + len, "bind %s U+%04X help\n", i % 2 ? "list" : "global", 0x4e00 + i / 2);
	cr_assert_eq(keymap_load_text(km, text, len, "t", &cause), 0, "%s", cause);
	/* Full: rebinding a key is fine, a new one is not, and unbinding makes room. */
	cr_assert_eq(load(km, "bind global U+4E00 quit\n", &cause), 0, "%s", cause);
	cr_assert_eq(load(km, "\nbind form x quit\n", &cause), -1);
	snprintf(want, sizeof want, "t:2: more than %d bindings", KEYS_BINDINGS_MAX);
	cr_assert_str_eq(cause, want);
	free(cause);
	cr_assert_eq(load(km, "unbind global U+4E00\nbind form x quit\n", &cause), 0, "%s", cause);
	keymap_free(&km);

	/* All at once: the line of the first binding too many is named. */
	km = keymap_new(contexts);
	len += (size_t)sprintf(text + len, "bind dialog x yes\n");
	cr_assert_eq(keymap_load_text(km, text, len, "t", &cause), -1);
	snprintf(want, sizeof want, "t:%d: more than %d bindings", KEYS_BINDINGS_MAX + 1,
	    KEYS_BINDINGS_MAX);
	cr_assert_str_eq(cause, want);
	free(cause);
	free(text);
	keymap_free(&km);
}

/* --- the built-in keymaps ------------------------------------------------------------ */

Test(keymap, the_builtin_keymaps_load)
{
	static const char *const names[] = {"default", "vi", "emacs"};
	size_t n = 0;

	for (const struct keys_builtin *b = keys_builtins; b->name != NULL; b++) {
		cr_assert_lt(n, 3);
		cr_assert_str_eq(b->name, names[n++]);
		cr_assert_not_null(b->text);
	}
	cr_assert_eq(n, 3);
	for (size_t i = 0; i < 3; i++) {
		struct keymap *km = keymap_new(contexts);
		char *cause = NULL;

		cr_assert_eq(keymap_load_builtin(km, names[i], &cause), 0, "%s", cause);
		/* Loading twice is loading once. */
		cr_assert_eq(keymap_load_builtin(km, names[i], &cause), 0, "%s", cause);
		keymap_free(&km);
	}
}

/* What the issue asks of the default keys, as (context, key, action). */
struct want_binding {
	char context[16];
	char key[16];
	char action[16];
};

ParameterizedTestParameters(keymap, default_keys)
{
	// clang-format off
	static struct want_binding cases[] = {
		{ "global", "?", "help" }, { "global", "F1", "help" }, { "form", "F1", "help" },
		{ "prompt", "F1", "help" }, { "global", "Esc", "back" }, { "global", "^C", "back" },
		{ "global", "/", "none" }, { "patients", "/", "search" }, { "free-slots", "/", "search" },
		{ "list", "^F", "page-down" }, { "list", "^B", "page-up" }, { "global", ":", "command" },
		{ "global", "Enter", "select" }, { "global", "F2", "patients" },
		{ "global", "F3", "schedule" }, { "global", "F4", "chart" },
		{ "global", "F5", "billing" }, { "global", "q", "quit" },
		{ "global", "^L", "redraw" },
		{ "list", "Up", "up" }, { "list", "Down", "down" }, { "list", "Left", "left" },
		{ "list", "Right", "right" }, { "list", "PgUp", "page-up" },
		{ "list", "PgDn", "page-down" }, { "list", "Home", "first" },
		{ "list", "End", "last" },
		{ "pager", "Up", "up" }, { "pager", "Down", "down" }, { "pager", "PgUp", "page-up" },
		{ "pager", "PgDn", "page-down" }, { "pager", "Home", "first" },
		{ "pager", "End", "last" },
		{ "form", "Tab", "next-field" }, { "form", "BTab", "prev-field" },
		{ "form", "^S", "save" }, { "form", "F10", "save" },
		{ "form", "Backspace", "backspace" }, { "form", "^H", "backspace" },
		{ "form", "Delete", "delete-char" }, { "form", "^A", "line-start" },
		{ "form", "^E", "line-end" }, { "form", "^U", "kill-line" },
		{ "prompt", "Backspace", "backspace" }, { "prompt", "^H", "backspace" },
		{ "prompt", "Delete", "delete-char" }, { "prompt", "^A", "line-start" },
		{ "prompt", "^E", "line-end" }, { "prompt", "^U", "kill-line" },
		{ "prompt", "Space", "recall-patient" },
		{ "dialog", "y", "yes" }, { "dialog", "n", "no" },
		/* Not bound where a character is text. */
		{ "form", "?", "none" }, { "prompt", "?", "none" }, { "form", "q", "none" },
	};
	// clang-format on
	return cr_make_param_array(struct want_binding, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct want_binding *c, keymap, default_keys)
{
	struct keymap *km = keymap_new(contexts);
	char *cause = NULL;

	cr_assert_eq(keymap_load_builtin(km, "default", &cause), 0, "%s", cause);
	cr_assert_eq(lookup(km, c->context, c->key), action_from_name(c->action),
	    "%s %s does %s, not %s", c->context, c->key,
	    action_name(lookup(km, c->context, c->key)), c->action);
	keymap_free(&km);
}

/* In form and prompt a printable character is text: none is bound there, but Space. */
Test(keymap, default_binds_no_text_in_text_contexts)
{
	struct keymap *km = keymap_new(contexts);
	char *cause = NULL;

	cr_assert_eq(keymap_load_builtin(km, "emacs", &cause), 0, "%s", cause);
	for (int c = 0; c < 0x3000; c++) {
		if (!key_is_text(c))
			continue;
		cr_assert_eq(keymap_lookup(km, "form", c), A_NONE, "form binds U+%04X", c);
		if (c != ' ')
			cr_assert_eq(
			    keymap_lookup(km, "prompt", c), A_NONE, "prompt binds U+%04X", c);
	}
	keymap_free(&km);
}

/* Every (context, key, action) a keymap holds, for comparing two of them. */
struct triple_list {
	size_t n;
	struct {
		char context[16];
		int key;
		enum action a;
	} t[512];
};

static void
collect_triples(void *arg, const char *context, const char *keys, enum action a)
{
	struct triple_list *l = arg;
	char buf[128], *save = NULL;

	snprintf(buf, sizeof buf, "%s", keys);
	for (char *name = strtok_r(buf, ",", &save); name != NULL;
	     name = strtok_r(NULL, ",", &save)) {
		cr_assert_lt(l->n, 512);
		snprintf(l->t[l->n].context, sizeof l->t[0].context, "%s", context);
		l->t[l->n].key = key(name + (*name == ' '));
		l->t[l->n++].a = a;
	}
}

/* The bindings of KM, context by context (so none is hidden by another context). */
static void
triples(const struct keymap *km, struct triple_list *l)
{
	l->n = 0;
	for (size_t i = 0; contexts[i] != NULL; i++)
		keymap_each_binding(km, &contexts[i], 1, collect_triples, l);
}

/* vi and emacs are the default keys, with theirs added over them. */
static void
check_adds_to_default(const char *name)
{
	struct keymap *def = keymap_new(contexts), *full = keymap_new(contexts),
	              *own = keys_keymap_new_open();
	struct triple_list *d = calloc(1, sizeof *d), *o = calloc(1, sizeof *o),
	                   *f = calloc(1, sizeof *f);
	const struct keys_builtin *b = keys_builtin_find(name);
	char *cause = NULL;
	size_t expect = 0;

	cr_assert_not_null(b);
	cr_assert_eq(keymap_load_builtin(def, "default", &cause), 0, "%s", cause);
	cr_assert_eq(keymap_load_builtin(full, name, &cause), 0, "%s", cause);
	cr_assert_eq(keymap_load_text(own, b->text, strlen(b->text), name, &cause), 0, "%s", cause);
	triples(def, d);
	triples(own, o);
	triples(full, f);
	cr_assert_gt(o->n, 5, "%s adds only %zu keys", name, o->n);
	for (size_t i = 0; i < o->n; i++)
		cr_assert_eq(keymap_lookup(full, o->t[i].context, o->t[i].key), o->t[i].a,
		    "%s: %s key %d", name, o->t[i].context, o->t[i].key);
	for (size_t i = 0; i < d->n; i++) {
		if (keymap_lookup(own, d->t[i].context, d->t[i].key) != A_NONE)
			continue; /* replaced by the keymap's own binding */
		expect++;
		cr_assert_eq(keymap_lookup(full, d->t[i].context, d->t[i].key), d->t[i].a,
		    "%s lost the default %s key %d", name, d->t[i].context, d->t[i].key);
	}
	cr_assert_eq(
	    f->n, expect + o->n, "%s has %zu bindings, not %zu + %zu", name, f->n, expect, o->n);
	free(d);
	free(o);
	free(f);
	keymap_free(&def);
	keymap_free(&full);
	keymap_free(&own);
}

Test(keymap, vi_is_default_plus_its_own)
{
	check_adds_to_default("vi");
}

Test(keymap, emacs_is_default_plus_its_own)
{
	check_adds_to_default("emacs");
}

Test(keymap, vi_and_emacs_keys)
{
	struct keymap *vi = keymap_new(contexts), *em = keymap_new(contexts);
	const char *list[] = {"list", "global"};
	char *cause = NULL;

	cr_assert_eq(keymap_load_builtin(vi, "vi", &cause), 0, "%s", cause);
	cr_assert_eq(keymap_load_builtin(em, "emacs", &cause), 0, "%s", cause);
	cr_assert_eq(lookup(vi, "list", "j"), A_DOWN);
	cr_assert_eq(lookup(vi, "pager", "k"), A_UP);
	cr_assert_eq(lookup(vi, "list", "h"), A_MOVE_LEFT);
	cr_assert_eq(lookup(vi, "list", "l"), A_MOVE_RIGHT);
	cr_assert_eq(lookup(vi, "pager", "g"), A_FIRST);
	cr_assert_eq(lookup(vi, "list", "G"), A_LAST);
	cr_assert_eq(lookup(vi, "list", "^F"), A_PAGE_DOWN);
	cr_assert_eq(lookup(vi, "pager", "^B"), A_PAGE_UP);
	cr_assert_eq(lookup(vi, "patients", "/"), A_SEARCH, "the default's, where a search is");
	cr_assert_eq(lookup(vi, "form", "j"), A_NONE);
	cr_assert_eq(lookup(em, "list", "^N"), A_DOWN);
	cr_assert_eq(lookup(em, "pager", "^P"), A_UP);
	cr_assert_eq(lookup(em, "list", "^V"), A_PAGE_DOWN);
	cr_assert_eq(lookup(em, "pager", "M-v"), A_PAGE_UP);
	cr_assert_eq(lookup(em, "patients", "^S"), A_SEARCH);
	cr_assert_eq(keymap_lookup_chain(em, list, 2, key("^S")), A_NONE, "no search on any list");
	cr_assert_eq(keymap_lookup_chain(em, list, 2, key("^G")), A_BACK);
	cr_assert_eq(lookup(em, "form", "^S"), A_SAVE, "a form still saves with ^S");
	keymap_free(&vi);
	keymap_free(&em);
}

/* The compiled-in text is the file in keymaps/, byte for byte. */
Test(keymap, builtin_text_is_the_file)
{
	const char *srcdir = getenv("EHRTERM_SRCDIR");

	cr_assert_not_null(srcdir, "EHRTERM_SRCDIR is not set; run make check, or set it to the "
	                           "source tree");
	for (const struct keys_builtin *b = keys_builtins; b->name != NULL; b++) {
		char path[4096], *text = NULL;
		size_t size = 0;
		FILE *f, *mem;
		int c;

		snprintf(path, sizeof path, "%s/keymaps/%s.keys", srcdir, b->name);
		f = fopen(path, "r");
		cr_assert_not_null(f, "cannot read %s", path);
		mem = open_memstream(&text, &size);
		while ((c = fgetc(f)) != EOF)
			fputc(c, mem);
		fclose(mem);
		fclose(f);
		cr_assert_str_eq(b->text, text, "%s differs from the compiled-in text", path);
		free(text);
	}
}

/* --- the help listing ---------------------------------------------------------------- */

Test(keymap, each_binding_of_the_default_global_context)
{
	static const struct {
		const char *keys;
		enum action a;
	} want[] = {
	    {"?, F1", A_HELP},
	    {"Esc, ^C", A_BACK},
	    {"q", A_QUIT},
	    {":", A_COMMAND},
	    {"Enter", A_SELECT},
	    {"^L", A_REDRAW},
	    {"^K", A_FUNCTION_KEY},
	    {"F2", A_PATIENTS},
	    {"F3", A_SCHEDULE},
	    {"F4", A_CHART},
	    {"F5", A_BILLING},
	    {"F7", A_FLOW_BOARD},
	};
	const char *chain[] = {"global"};
	struct keymap *km = keymap_new(contexts);
	struct listing *l = calloc(1, sizeof *l);
	char *cause = NULL;

	cr_assert_eq(keymap_load_builtin(km, "default", &cause), 0, "%s", cause);
	keymap_each_binding(km, chain, 1, collect, l);
	cr_assert_eq(l->n, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < l->n; i++) {
		cr_assert_str_eq(l->context[i], "global");
		cr_assert_str_eq(l->keys[i], want[i].keys, "entry %zu", i);
		cr_assert_eq(
		    l->action[i], want[i].a, "entry %zu is %s", i, action_name(l->action[i]));
	}
	free(l);
	keymap_free(&km);
}

/* An action once, at its first context, with only the keys that reach it there. */
Test(keymap, each_binding_along_a_chain)
{
	const char *form[] = {"form", "global"},
	           *list[] = {"schedule", "list", "list", "nowhere", "global"};
	struct keymap *km = keymap_new(contexts);
	struct listing *l = calloc(1, sizeof *l);
	char *cause = NULL;
	int i;

	cr_assert_eq(keymap_load_builtin(km, "default", &cause), 0, "%s", cause);
	keymap_each_binding(km, form, 2, collect, l);
	i = listed(l, A_HELP);
	cr_assert_geq(i, 0);
	cr_assert_str_eq(l->context[i], "form");
	cr_assert_str_eq(l->keys[i], "F1", "'?' is text in a form");
	cr_assert_str_eq(l->context[listed(l, A_SAVE)], "form");
	cr_assert_str_eq(l->keys[listed(l, A_SAVE)], "F10, ^S", "F10 first: ^S stops XON/XOFF lines");
	cr_assert_str_eq(l->context[listed(l, A_BACK)], "global");
	/* Contexts in order: every form entry before every global one. */
	for (size_t k = 1; k < l->n; k++)
		cr_assert(
		    strcmp(l->context[k - 1], "global") != 0 || strcmp(l->context[k], "form") != 0,
		    "form after global");

	/* Shadowed keys are left out, and an action whose keys are all shadowed. */
	cr_assert_eq(load(km,
	                 "bind list Enter down\n"
	                 "bind list q none\n"
	                 "bind schedule Esc new\n"
	                 "bind schedule ^C new\n"
	                 "bind global F12 new\n",
	                 &cause),
	    0, "%s", cause);
	memset(l, 0, sizeof *l);
	keymap_each_binding(km, list, 5, collect, l);
	cr_assert_eq(listed(l, A_SELECT), -1, "Enter is shadowed by list");
	cr_assert_eq(listed(l, A_QUIT), -1, "q is bound to none in list");
	cr_assert_eq(listed(l, A_BACK), -1, "Esc and ^C are shadowed by schedule");
	cr_assert_eq(listed(l, A_NONE), -1, "none is never listed");
	i = listed(l, A_DOWN);
	cr_assert_str_eq(l->context[i], "list");
	cr_assert_str_eq(l->keys[i], "Down, Enter");
	i = listed(l, A_NEW);
	cr_assert_str_eq(l->context[i], "schedule");
	cr_assert_str_eq(l->keys[i], "Esc, ^C", "F12 of global is not listed again");
	for (size_t k = 0; k < l->n; k++)
		for (size_t j = k + 1; j < l->n; j++)
			cr_assert_neq(l->action[k], l->action[j], "%s listed twice",
			    action_name(l->action[k]));
	memset(l, 0, sizeof *l);
	keymap_each_binding(km, list, 0, collect, l);
	cr_assert_eq(l->n, 0);
	free(l);
	keymap_free(&km);
}

/* --- keymap files -------------------------------------------------------------------- */

/* Each test runs in its own process, so one private directory per test is enough. */
static char dir[512];

static void
dir_make(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/ehrterm-keys-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	cr_assert_not_null(mkdtemp(dir), "mkdtemp %s: %s", dir, strerror(errno));
}

static void
dir_remove(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[1024];

	/* The tests make files and a FIFO, never a folder. */
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		unlink(path);
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
}

/* Write TEXT to DIR/NAME with MODE; returns the path in a static buffer. */
static const char *
write_file(const char *name, const char *text, size_t len, mode_t mode)
{
	static char path[600];
	int fd;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_neq(fd, -1, "%s: %s", path, strerror(errno));
	cr_assert_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
	cr_assert_eq(chmod(path, mode), 0);
	return path;
}

TestSuite(keymap_file, .init = dir_make, .fini = dir_remove, .timeout = 20);

Test(keymap_file, private_and_world_readable_are_read)
{
	static const char text[] = "bind global F12 lock\n";
	struct keymap *km = keymap_new(contexts);
	char *cause = NULL;

	cr_assert_eq(keymap_load_file(km, write_file("a", text, sizeof text - 1, 0600), &cause), 0,
	    "%s", cause);
	cr_assert_eq(lookup(km, "global", "F12"), A_LOCK);
	cr_assert_eq(keymap_load_file(km, write_file("b", text, sizeof text - 1, 0444), &cause), 0,
	    "%s", cause);
	keymap_free(&km);
}

Test(keymap_file, writable_by_group_or_others_is_refused)
{
	static const mode_t modes[] = {0620, 0602, 0666, 0777};
	struct keymap *km = keymap_new(contexts);
	char *cause = NULL, want[1400];

	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		const char *path = write_file("k", "bind global F12 lock\n", 21, modes[i]);

		cr_assert_eq(keymap_load_file(km, path, &cause), -1);
		snprintf(want, sizeof want,
		    "keymap file %s has mode %04o, which lets group or "
		    "others change it; run: chmod 600 %s",
		    path, (unsigned int)modes[i], path);
		cr_assert_str_eq(cause, want);
		free(cause);
	}
	cr_assert_eq(lookup(km, "global", "F12"), A_NONE);
	keymap_free(&km);
}

Test(keymap_file, owned_by_someone_else_is_refused)
{
	struct keymap *km = keymap_new(contexts);
	const char *path = write_file("k", "\n", 1, 0600);
	char *cause = NULL, want[1400];

	/* Only root can give a file away. */
	if (geteuid() != 0 || chown(path, 65534, 65534) != 0) {
		keymap_free(&km);
		cr_skip_test("cannot chown without root");
	}
	cr_assert_eq(keymap_load_file(km, path, &cause), -1);
	snprintf(want, sizeof want,
	    "keymap file %s belongs to uid 65534, not to you (uid %lu) or root", path,
	    (unsigned long)geteuid());
	cr_assert_str_eq(cause, want);
	free(cause);
	keymap_free(&km);
}

Test(keymap_file, missing_odd_and_oversized_files_are_refused)
{
	struct keymap *km = keymap_new(contexts);
	char *cause = NULL, want[1400], path[600], *big;

	cr_assert_eq(keymap_load_file(km, NULL, &cause), -1);
	cr_assert_str_eq(cause, "no name was given for the keymap file");
	free(cause);
	cr_assert_eq(keymap_load_file(km, "", &cause), -1);
	cr_assert_str_eq(cause, "no name was given for the keymap file");
	free(cause);

	snprintf(path, sizeof path, "%s/missing", dir);
	cr_assert_eq(keymap_load_file(km, path, &cause), -1);
	snprintf(want, sizeof want, "keymap file %s does not exist", path);
	cr_assert_str_eq(cause, want);
	free(cause);

	cr_assert_eq(keymap_load_file(km, dir, &cause), -1);
	snprintf(want, sizeof want, "keymap file %s is not a regular file", dir);
	cr_assert_str_eq(cause, want);
	free(cause);

	/* A FIFO must not hang the reader. */
	snprintf(path, sizeof path, "%s/fifo", dir);
	cr_assert_eq(mkfifo(path, 0600), 0);
	cr_assert_eq(keymap_load_file(km, path, &cause), -1);
	snprintf(want, sizeof want, "keymap file %s is not a regular file", path);
	cr_assert_str_eq(cause, want);
	free(cause);

	big = malloc(KEYS_FILE_MAX + 1);
	memset(big, '\n', KEYS_FILE_MAX + 1);
	snprintf(path, sizeof path, "%s", write_file("big", big, KEYS_FILE_MAX + 1, 0600));
	cr_assert_eq(keymap_load_file(km, path, &cause), -1);
	snprintf(want, sizeof want, "%s: the file is larger than 1048576 bytes", path);
	cr_assert_str_eq(cause, want);
	free(cause);
	cr_assert_eq(keymap_load_file(km, write_file("max", big, KEYS_FILE_MAX, 0600), &cause), 0,
	    "%s", cause);
	free(big);
	keymap_free(&km);
}

Test(keymap_file, errors_inside_name_the_file_and_line)
{
	struct keymap *km = keymap_new(contexts);
	const char *path = write_file("k", "# mine\nbind global F12 lokc\n", 29, 0600);
	char *cause = NULL, want[1400];

	cr_assert_eq(keymap_load_file(km, path, &cause), -1);
	snprintf(
	    want, sizeof want, "%s:2: unknown action 'lokc'; ehrterm-keys(5) lists them", path);
	cr_assert_str_eq(cause, want);
	free(cause);
	keymap_free(&km);
}

/* How the app loads a user's file: the default keys, then the file over them. */
Test(keymap_file, a_user_file_goes_over_the_default)
{
	static const char text[] = "unbind global ^L\nbind global F12 redraw\nbind dialog q none\n";
	struct keymap *km = keymap_new(contexts);
	const char *chain[] = {"dialog", "global"};
	char *cause = NULL;

	cr_assert_eq(keymap_load_builtin(km, "default", &cause), 0, "%s", cause);
	cr_assert_eq(keymap_load_file(km, write_file("k", text, sizeof text - 1, 0600), &cause), 0,
	    "%s", cause);
	cr_assert_eq(lookup(km, "global", "^L"), A_NONE);
	cr_assert_eq(lookup(km, "global", "F12"), A_REDRAW);
	cr_assert_eq(lookup(km, "global", "F1"), A_HELP);
	cr_assert_eq(keymap_lookup_chain(km, chain, 2, 'q'), A_NONE);
	cr_assert_eq(keymap_lookup_chain(km, chain + 1, 1, 'q'), A_QUIT);
	keymap_free(&km);
}

/* A VT100: PF1-PF4 are F1-F4, and there is no F5-F10, PgUp, PgDn, Home or End. */
static bool
vt100_has(int key)
{
	int code = key - KEY_FN(0);

	if (!KEY_IS_FN(key))
		return true;
	if (code > KEY_F0 && code <= KEY_F(63))
		return code <= KEY_F(4);
	return code != KEY_PPAGE && code != KEY_NPAGE && code != KEY_HOME && code != KEY_END;
}

Test(keymap, each_binding_names_the_keys_this_terminal_has)
{
	const char *form[] = {"form", "global"}, *pager[] = {"help", "pager", "global"};
	struct keymap *km = keymap_new(contexts);
	struct listing *l = calloc(1, sizeof *l);
	char *cause = NULL;

	cr_assert_eq(keymap_load_builtin(km, "default", &cause), 0, "%s", cause);
	keymap_set_terminal(km, vt100_has);
	keymap_each_binding(km, form, 2, collect, l);
	cr_assert_str_eq(l->keys[listed(l, A_SAVE)], "^K 0, ^S",
	    "F10 as the prefix and 0, still before ^S");
	cr_assert_str_eq(l->keys[listed(l, A_FLOW_BOARD)], "^K 7");
	cr_assert_str_eq(l->keys[listed(l, A_HELP)], "F1", "PF1 is F1");
	cr_assert_str_eq(l->keys[listed(l, A_LINE_START)], "^A, Home", "Home last: not on a VT100");
	cr_assert_str_eq(l->keys[listed(l, A_LINE_END)], "^E, End");
	free(l);
	l = calloc(1, sizeof *l);
	keymap_each_binding(km, pager, 3, collect, l);
	cr_assert_str_eq(l->keys[listed(l, A_PAGE_DOWN)], "Space, ^F, PgDn", "PgDn last: not on a VT100");
	free(l);
	/* With no key bound to function-key, a missing F-key keeps its own name. */
	cr_assert_eq(keymap_load_text(km, "bind global ^K none\n", 20, "test", &cause), 0, "%s", cause);
	l = calloc(1, sizeof *l);
	keymap_each_binding(km, form, 2, collect, l);
	cr_assert_str_eq(l->keys[listed(l, A_FLOW_BOARD)], "F7");
	cr_assert_str_eq(l->keys[listed(l, A_SAVE)], "^S, F10", "F10 cannot be sent: last");
	free(l);
	keymap_set_terminal(km, NULL);
	l = calloc(1, sizeof *l);
	keymap_each_binding(km, form, 2, collect, l);
	cr_assert_str_eq(l->keys[listed(l, A_SAVE)], "F10, ^S", "every key there: as written");
	free(l);
	keymap_free(&km);
}

/* The loop joins Esc and a key into Alt only where a keymap binds that Alt key. */
Test(keymap, binds_says_which_alt_keys_are_bound)
{
	struct keymap *def = keymap_new(contexts), *em = keymap_new(contexts);
	char *cause = NULL;

	cr_assert_eq(keymap_load_builtin(def, "default", &cause), 0, "%s", cause);
	cr_assert_eq(keymap_load_builtin(em, "emacs", &cause), 0, "%s", cause);
	cr_assert_not(keymap_binds(def, KEY_META('v')), "the default keys bind no Alt key");
	cr_assert(keymap_binds(em, KEY_META('v')), "emacs: M-v pages up");
	cr_assert(keymap_binds(def, 'q'));
	static const char unbind[] =
	    "bind list M-v none\nbind pager M-v none\nbind editor M-v none\n";

	cr_assert_eq(keymap_load_text(em, unbind, strlen(unbind), "t", &cause), 0, "%s", cause);
	cr_assert_not(keymap_binds(em, KEY_META('v')), "bound to none is not bound");
	cr_assert_not(keymap_binds(NULL, 'q'));
	keymap_free(&def);
	keymap_free(&em);
}
