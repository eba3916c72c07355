/* Key names: reading "^C", "F1", "M-v" or "é" into one int per key, and writing them back. */
#include "config.h"

#include <curses.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keys/keys-private.h"
#include "util/quote.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#define KEYS_META_BIT 0x1000000
#define KEYS_CHAR_END 0x110000

/* Named keys; the first name of each key is the one key_to_name() writes. */
// clang-format off
static const struct {
	const char *name;
	int key;
} key_names[] = {
	{ "Esc", 27 },
	{ "Escape", 27 },
	{ "Enter", 13 },
	{ "Return", 13 },
	{ "Tab", 9 },
	{ "Space", ' ' },
	{ "BTab", KEY_FN(KEY_BTAB) },
	{ "BackTab", KEY_FN(KEY_BTAB) },
	{ "Backspace", KEY_FN(KEY_BACKSPACE) },
	{ "BSpace", KEY_FN(KEY_BACKSPACE) },
	{ "Delete", KEY_FN(KEY_DC) },
	{ "Del", KEY_FN(KEY_DC) },
	{ "Insert", KEY_FN(KEY_IC) },
	{ "Ins", KEY_FN(KEY_IC) },
	{ "Up", KEY_FN(KEY_UP) },
	{ "Down", KEY_FN(KEY_DOWN) },
	{ "Left", KEY_FN(KEY_LEFT) },
	{ "Right", KEY_FN(KEY_RIGHT) },
	{ "Home", KEY_FN(KEY_HOME) },
	{ "End", KEY_FN(KEY_END) },
	{ "PgUp", KEY_FN(KEY_PPAGE) },
	{ "PageUp", KEY_FN(KEY_PPAGE) },
	{ "PgDn", KEY_FN(KEY_NPAGE) },
	{ "PageDown", KEY_FN(KEY_NPAGE) },
	{ "KPEnter", KEY_FN(KEY_ENTER) },
};

/*
 * Characters that show as nothing, or as something else, on a terminal. The invisible
 * and bidi ones are utf8_is_invisible's and utf8_is_bidi's, the rule safe_text shows
 * server text by; besides them a key cannot be a control, a space other than ' ', a
 * combining mark with nothing to combine with, a variation selector, private use or a
 * noncharacter. A keymap file or the help screen must not carry them raw (a bidi
 * override would reorder the help line), so they are written U+XXXX.
 */
static const struct {
	uint32_t from, to;
} key_invisible[] = {
	{ 0x0000, 0x0020 }, { 0x007f, 0x00a0 }, { 0x00ad, 0x00ad }, { 0x0300, 0x036f },
	{ 0x1680, 0x1680 }, { 0x180b, 0x180f }, { 0x1ab0, 0x1aff }, { 0x1dc0, 0x1dff },
	{ 0x2000, 0x200a }, { 0x2028, 0x2029 }, { 0x202f, 0x202f }, { 0x205f, 0x205f },
	{ 0x20d0, 0x20ff }, { 0x3000, 0x3000 }, { 0xd800, 0xf8ff }, { 0xfdd0, 0xfdef },
	{ 0xfe00, 0xfe0f }, { 0xfe20, 0xfe2f }, { 0xfff0, 0xfff8 }, { 0xe0080, 0xe0fff },
	{ 0xf0000, 0x10ffff },
};
// clang-format on

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

char *
keys_quote(const char *text, size_t len)
{
	return quote_bytes(text, len, 40);
}

/* Whether character C shows as itself; C is a valid code point. */
static bool
key_visible(uint32_t c)
{
	/* Every plane's last two code points are noncharacters. */
	if ((c & 0xfffe) == 0xfffe || utf8_is_invisible(c) || utf8_is_bidi(c))
		return false;
	for (size_t i = 0; i < NELEM(key_invisible); i++)
		if (c >= key_invisible[i].from && c <= key_invisible[i].to)
			return false;
	return true;
}

/* Whether KEY is one of the ints that stand for a key. */
static bool
key_valid(int key)
{
	if (key < 0)
		return false;
	key &= ~KEYS_META_BIT;
	if (key < KEYS_CHAR_END)
		return key < 0xd800 || key > 0xdfff;
	return key <= KEY_FN(KEYS_FN_CODE_MAX);
}

bool
key_is_text(int key)
{
	return key_valid(key) && key < KEYS_CHAR_END && (key == ' ' || key_visible((uint32_t)key));
}

/* Read the decimal or hex digits of S (nothing else) into *V, at most MAX. */
static bool
key_number(const char *s, int base, long max, long *v)
{
	char *end;

	/* strtol would take blanks, signs and 0x; a key name has none of them. */
	if (*s == '\0' ||
	    strspn(s, base == 16 ? "0123456789abcdefABCDEF" : "0123456789") != strlen(s))
		return false;
	if (strlen(s) > 8)
		return false;
	*v = strtol(s, &end, base);
	return *v <= max;
}

/* key_parse without the M- prefix; TEXT is not empty and not too long. */
static int
key_parse_base(const char *text, int *key, char **cause)
{
	size_t len = strlen(text), n;
	uint32_t cp = 0;
	long v;
	char *q;

	/* ^@ to ^_ are the C0 controls; ^? is DEL. Lower case reads as upper. */
	if (len == 2 && text[0] == '^') {
		char c = text[1];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c >= '@' && c <= '_') {
			*key = c - '@';
			return 0;
		}
		if (c == '?') {
			*key = 0x7f;
			return 0;
		}
		q = keys_quote(text, len);
		*cause = xasprintf("'%s' is not a control key; they are ^@, ^A to ^Z, ^[, ^\\, "
		                   "^], ^^, ^_ and ^?",
		    q);
		free(q);
		return -1;
	}

	/* One character, written as itself. */
	n = utf8_decode(text, len, &cp);
	if (n == len) {
		if (cp == ' ') {
			*cause = xstrdup("a space is written Space");
		} else if (cp < 0x20 || cp == 0x7f) {
			*cause = xasprintf("control character 0x%02x in a key name; write it as "
			                   "^%c",
			    (unsigned int)cp, cp == 0x7f ? '?' : (char)(cp + '@'));
		} else if (!key_visible(cp)) {
			*cause = xasprintf("an invisible character is written U+%04X", cp);
		} else {
			*key = (int)cp;
			return 0;
		}
		return -1;
	}
	if (n == 0 && (unsigned char)text[0] >= 0x80) {
		q = keys_quote(text, len);
		*cause = xasprintf("key name '%s' is not valid UTF-8", q);
		free(q);
		return -1;
	}

	/* U+XXXX: any character by its number, for the invisible ones. */
	if ((text[0] == 'U' || text[0] == 'u') && text[1] == '+' && len >= 6 && len <= 8 &&
	    key_number(text + 2, 16, 0x10ffff, &v)) {
		if (v >= 0xd800 && v <= 0xdfff) {
			*cause = xasprintf("%s is a UTF-16 surrogate, not a character", text);
			return -1;
		}
		*key = (int)v;
		return 0;
	}

	/* F1 to F63: ncurses has room for 64 function keys, and F0 is no key. */
	if ((text[0] == 'F' || text[0] == 'f') && text[1] != '0' &&
	    key_number(text + 1, 10, 63, &v) && v >= 1) {
		*key = KEY_FN(KEY_F((int)v));
		return 0;
	}

	/* Key-N: an ncurses key code, for the keys without a name. */
	if (strncasecmp(text, "Key-", 4) == 0 && (text[4] != '0' || text[5] == '\0') &&
	    key_number(text + 4, 10, KEYS_FN_CODE_MAX, &v)) {
		*key = KEY_FN((int)v);
		return 0;
	}

	for (size_t i = 0; i < NELEM(key_names); i++) {
		if (strcasecmp(key_names[i].name, text) == 0) {
			*key = key_names[i].key;
			return 0;
		}
	}
	q = keys_quote(text, len);
	*cause = xasprintf("unknown key name '%s'", q);
	free(q);
	return -1;
}

int
key_parse(const char *text, int *key, char **cause)
{
	size_t len;
	char *q;
	int k;

	if (text == NULL || *text == '\0') {
		*cause = xstrdup("no key name given");
		return -1;
	}
	len = strlen(text);
	if (len > KEYS_KEY_NAME_MAX) {
		q = keys_quote(text, len);
		*cause = xasprintf("key name '%s' is longer than %d bytes", q, KEYS_KEY_NAME_MAX);
		free(q);
		return -1;
	}
	/* "M-" alone, or "m-", is no prefix but a two-letter name, which fails below. */
	if (len > 2 && (text[0] == 'M' || text[0] == 'm') && text[1] == '-') {
		if (len > 4 && (text[2] == 'M' || text[2] == 'm') && text[3] == '-') {
			q = keys_quote(text, len);
			*cause = xasprintf("key name '%s' has M- twice", q);
			free(q);
			return -1;
		}
		if (key_parse_base(text + 2, &k, cause) != 0)
			return -1;
		*key = KEY_META(k);
		return 0;
	}
	if (key_parse_base(text, &k, cause) != 0)
		return -1;
	*key = k;
	return 0;
}

/* The name of KEY without M-, into BUF (at least 16 bytes); KEY is valid. */
static void
key_name_base(int key, char *buf, size_t size)
{
	if (key >= KEY_FN(0)) {
		int code = key - KEY_FN(0);

		for (size_t i = 0; i < NELEM(key_names); i++) {
			if (key_names[i].key == key) {
				snprintf(buf, size, "%s", key_names[i].name);
				return;
			}
		}
		if (code >= KEY_F(1) && code <= KEY_F(63))
			snprintf(buf, size, "F%d", code - KEY_F0);
		else
			snprintf(buf, size, "Key-%d", code);
		return;
	}
	switch (key) {
	case 9:
		snprintf(buf, size, "Tab");
		return;
	case 13:
		snprintf(buf, size, "Enter");
		return;
	case 27:
		snprintf(buf, size, "Esc");
		return;
	case ' ':
		snprintf(buf, size, "Space");
		return;
	case 0x7f:
		snprintf(buf, size, "^?");
		return;
	default:
		break;
	}
	if (key < 0x20)
		snprintf(buf, size, "^%c", (char)(key + '@'));
	else if (!key_visible((uint32_t)key))
		snprintf(buf, size, "U+%04X", (unsigned int)key);
	else
		buf[utf8_encode((uint32_t)key, buf)] = '\0';
}

char *
key_to_name(int key)
{
	char buf[32];

	if (!key_valid(key))
		return xstrdup("(invalid key)");
	key_name_base(key & ~KEYS_META_BIT, buf, sizeof buf);
	return KEY_IS_META(key) ? xasprintf("M-%s", buf) : xstrdup(buf);
}
