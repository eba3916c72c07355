/* Unit tests that hostile keymap files and key names are refused cleanly, in bounded memory. */
#include "config.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/keys-private.h"

static const char *const contexts[] = {
    "global", "list", "form", "pager", "prompt", "dialog", "editor", "home", "schedule", "patients", "patient",
    "coverage", "flow", "free-slots", "chart", "chart-list", "labs", "billing", "charges", "posting", "ledger", "claims",
    "aging", "denials", "vitals-entry", "allergies-form", "problems-form", "immunize-form", "meds-form",
    "note", "wrapup", NULL};

static uint32_t
next(uint32_t *state)
{
	*state = *state * 1103515245 + 12345;
	return *state >> 8;
}

/* A keymap file that loads or is refused with "t:" and one line, never anything else. */
static void
load_either_way(struct keymap *km, const char *text, size_t len)
{
	char *cause = NULL;

	if (keymap_load_text(km, text, len, "t", &cause) != 0) {
		cr_assert_not_null(cause);
		cr_assert_eq(strncmp(cause, "t:", 2), 0, "%s", cause);
		cr_assert_null(strchr(cause, '\n'), "a cause is one line: '%s'", cause);
		/* Whatever the input, the message is printable ASCII for a status line. */
		for (const char *c = cause; *c != '\0'; c++)
			cr_assert((unsigned char)*c >= 0x20 && (unsigned char)*c < 0x7f,
			    "byte %#x in '%s'", (unsigned char)*c, cause);
		free(cause);
	}
}

/*
 * Random bytes, and a valid file with random bytes changed. Nothing may crash or leak
 * (ASan and valgrind watch).
 */
Test(keys_hostile, random_input_never_crashes, .timeout = 60)
{
	static const char seed[] = "# comment\nbind global ? help\nbind list j down\n"
	                           "unbind global q\nbind form ^S save\nbind prompt M-x none\n"
	                           "bind dialog U+00E9 yes\nbind schedule F12 new\n";
	static const char alphabet[] =
	    "bind unbind global list ^?M-U+F1#\t\r\n \x01\x7f\xc3\xa9\xe2"
	    "\x80\xae\xff\x00";
	struct keymap *km = keymap_new(contexts);
	uint32_t state = 4242;
	char buf[sizeof seed + 64];

	for (int round = 0; round < 4000; round++) {
		size_t len;

		if (round % 2 == 0) {
			len = sizeof seed - 1;
			memcpy(buf, seed, len);
			for (int k = 0; k < 1 + round % 5; k++)
				buf[next(&state) % len] =
				    alphabet[next(&state) % (sizeof alphabet - 1)];
		} else {
			len = next(&state) % sizeof buf;
			for (size_t k = 0; k < len; k++)
				buf[k] = round % 4 == 1
				             ? (char)next(&state)
				             : alphabet[next(&state) % (sizeof alphabet - 1)];
		}
		load_either_way(km, buf, len);
		/* The keymap stays usable after each load, good or refused. */
		(void)keymap_lookup(km, "global", (int)(next(&state) % 0x110000));
	}
	keymap_free(&km);
}

/* Random key names: refused with a reason, or read to a key whose name reads back. */
Test(keys_hostile, random_key_names)
{
	static const char alphabet[] = "MU+-^?Fk0123456789abcdefEnterKy\xc3\xa9\x80\xff ";
	uint32_t state = 99;
	char name[40];

	for (int round = 0; round < 20000; round++) {
		size_t len = 1 + next(&state) % (sizeof name - 1);
		char *cause = NULL, *back;
		int k;

		for (size_t i = 0; i < len; i++)
			name[i] = round % 3 == 0 ? (char)(1 + next(&state) % 255)
			                         : alphabet[next(&state) % (sizeof alphabet - 1)];
		name[len] = '\0';
		if (key_parse(name, &k, &cause) != 0) {
			cr_assert_not_null(cause);
			free(cause);
			continue;
		}
		back = key_to_name(k);
		cr_assert_eq(key_parse(back, &k, &cause) == 0 ? k : -1, k);
		free(back);
	}
	/* Every int: a name, never a crash. */
	for (int round = 0; round < 20000; round++) {
		char *n = key_to_name((int)(next(&state) << 8 ^ next(&state)));

		cr_assert_not_null(n);
		free(n);
	}
}

Test(keys_hostile, one_line_of_a_megabyte)
{
	char *text = malloc(KEYS_FILE_MAX), *cause = NULL;
	struct keymap *km = keymap_new(contexts);

	memcpy(text, "bind global ", 12);
	memset(text + 12, 'x', KEYS_FILE_MAX - 12);
	cr_assert_eq(keymap_load_text(km, text, KEYS_FILE_MAX, "t", &cause), -1);
	cr_assert_str_eq(cause, "t:1: the line is longer than 1024 bytes");
	free(cause);
	/* Long lines after good ones. */
	memcpy(text, "bind global q quit\n\n", 20);
	cr_assert_eq(keymap_load_text(km, text, KEYS_FILE_MAX, "t", &cause), -1);
	cr_assert_str_eq(cause, "t:3: the line is longer than 1024 bytes");
	free(cause);
	cr_assert_eq(keymap_lookup(km, "global", 'q'), A_NONE);
	free(text);
	keymap_free(&km);
}

struct calls {
	int calls;
	size_t len;
};

/* Count the calls of keymap_each_binding, and keep the length of the keys. */
static void
count(void *arg, const char *context, const char *keys, enum action a)
{
	struct calls *seen = arg;

	cr_assert_str_eq(context, "global");
	cr_assert_eq(a, A_REDRAW);
	seen->calls++;
	seen->len = strlen(keys);
}

/* A megabyte of the same bind holds one binding; of different ones, stops at the cap. */
Test(keys_hostile, a_megabyte_of_binds, .timeout = 60)
{
	static const char line[] = "bind global q quit\n";
	char *text = malloc(KEYS_FILE_MAX), *cause = NULL, want[64];
	struct keymap *km = keymap_new(contexts);
	const char *chain[] = {"global"};
	struct calls seen = {0, 0};
	size_t len = 0, lines = 0;
	int n = 0;

	while (len + sizeof line - 1 <= KEYS_FILE_MAX) {
		memcpy(text + len, line, sizeof line - 1);
		len += sizeof line - 1;
	}
	cr_assert_eq(keymap_load_text(km, text, len, "t", &cause), 0, "%s", cause);
	cr_assert_eq(keymap_lookup(km, "global", 'q'), A_QUIT);
	keymap_free(&km);

	/* Distinct keys in every context, bind and unbind mixed: refused at the cap. */
	km = keymap_new(contexts);
	len = 0;
	while (len + 40 <= KEYS_FILE_MAX) {
		len +=
		    (size_t)sprintf(text + len, "%s %s U+%04X%s\n", n % 5 == 4 ? "unbind" : "bind",
		        contexts[n % 7], 0x4e00 + n / 7, n % 5 == 4 ? "" : " redraw");
		lines++;
		n++;
	}
	cr_assert_gt(lines, KEYS_BINDINGS_MAX);
	cr_assert_eq(keymap_load_text(km, text, len, "t", &cause), -1);
	snprintf(want, sizeof want, ": more than %d bindings", KEYS_BINDINGS_MAX);
	cr_assert_not_null(strstr(cause, want), "%s", cause);
	free(cause);
	cr_assert_eq(keymap_lookup(km, "global", 0x4e00), A_NONE, "a refused file changes nothing");

	/* At the cap, one action with thousands of keys still lists. */
	len = 0;
	for (int i = 0; i < KEYS_BINDINGS_MAX; i++)
		len += (size_t)sprintf(text + len, "bind global U+%04X redraw\n", 0x4e00 + i);
	cr_assert_eq(keymap_load_text(km, text, len, "t", &cause), 0, "%s", cause);
	keymap_each_binding(km, chain, 1, NULL, NULL);
	keymap_each_binding(km, chain, 1, count, &seen);
	cr_assert_eq(seen.calls, 1);
	/* Each key is one CJK character, 3 bytes, and ", " between them. */
	cr_assert_eq(seen.len, (size_t)KEYS_BINDINGS_MAX * 3 + (KEYS_BINDINGS_MAX - 1) * 2);
	free(text);
	keymap_free(&km);
}

/* Contexts beyond the cap are not kept: the list the app registers is bounded too. */
Test(keys_hostile, context_count_cap)
{
	char names[KEYS_CONTEXTS_MAX + 10][16], *cause = NULL, line[64];
	const char *list[KEYS_CONTEXTS_MAX + 11];
	struct keymap *km;

	for (int i = 0; i < KEYS_CONTEXTS_MAX + 10; i++) {
		snprintf(names[i], sizeof names[i], "c%d", i);
		list[i] = names[i];
	}
	list[KEYS_CONTEXTS_MAX + 10] = NULL;
	km = keymap_new(list);
	snprintf(line, sizeof line, "bind c%d x quit\n", KEYS_CONTEXTS_MAX - 1);
	cr_assert_eq(keymap_load_text(km, line, strlen(line), "t", &cause), 0, "%s", cause);
	snprintf(line, sizeof line, "bind c%d x quit\n", KEYS_CONTEXTS_MAX);
	cr_assert_eq(keymap_load_text(km, line, strlen(line), "t", &cause), -1);
	cr_assert_eq(strncmp(cause, "t:1: unknown context", 20), 0, "%s", cause);
	free(cause);
	keymap_free(&km);
}
