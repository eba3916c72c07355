/* Terminal-safe text: decode UTF-8 strictly, drop or show controls, bound width. */
#include "config.h"

#include "text/safe.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#include <langinfo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#define REPLACEMENT 0xFFFDu

static bool
is_control(uint32_t c)
{
	return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029;
}

bool
safe_locale_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs != NULL && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
}

struct out {
	char *buf;
	size_t len, cap;
	size_t columns;
};

static void
put_bytes(struct out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		while (o->len + n + 1 > o->cap)
			o->cap = o->cap ? o->cap * 2 : 64;
		o->buf = xreallocarray(o->buf, o->cap, 1);
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

/* Latin letters U+00C0 to U+017F without their marks, for a terminal that shows only ASCII. */
static const char latin_fold[] =
	    "AAAAAAACEEEEIIIIDNOOOOOxOUUUUY?saaaaaaaceeeeiiiidnooooo?ouuuuy?y"
	    "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiIiJjKkkLlLlLlL"
	    "lLlNnNnNnnNnOoOoOoOoRrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";

/* C as one printable ASCII character: "é" is 'e'; what has no plain letter is '?'. */
static uint32_t
ascii_fold(uint32_t c)
{
	if (c >= 0xC0 && c < 0xC0 + sizeof latin_fold - 1)
		return (unsigned char)latin_fold[c - 0xC0];
	return '?';
}

static void
put(struct out *o, uint32_t c, bool utf8)
{
	char tmp[UTF8_MAX];

	if (!utf8 && c >= 0x80)
		c = ascii_fold(c);
	put_bytes(o, tmp, utf8_encode(c, tmp));
}

char *
safe_text(const char *in, size_t len, size_t max_columns, bool utf8)
{
	struct out o = { 0 };
	/* Where the text stood when it last had room for an ellipsis, to cut back to. */
	size_t cut_len = 0, cut_columns = 0;
	size_t ellipsis_w = utf8 ? 1 : 3;
	unsigned combining = 0;
	bool cut = false;

	o.cap = 64;
	o.buf = xmalloc(o.cap);
	o.buf[0] = '\0';
	for (size_t i = 0; in != NULL && i < len;) {
		/* An invisible character is written out, as one piece: "<U+200B>". */
		char shown[sizeof "<U+10FFFF>"];
		uint32_t c = REPLACEMENT; /* what invalid UTF-8 becomes: utf8_decode leaves it */
		size_t n = utf8_decode(in + i, len - i, &c), shown_len = 0;
		int w;

		i += n > 0 ? n : 1;
		if (c == '\t' || c == '\n' || c == '\r')
			c = ' ';
		else if (is_control(c))
			c = REPLACEMENT;
		else if (utf8_is_invisible(c))
			shown_len =
			    (size_t)snprintf(shown, sizeof shown, "<U+%04X>", (unsigned int)c);
		else if (utf8_is_bidi(c))
			continue;
		if (shown_len > 0)
			w = (int)shown_len;
		else
			w = c == REPLACEMENT ? 1 : wcwidth((wchar_t)c);
		if (w < 0) {
			c = REPLACEMENT;
			w = 1;
		}
		if (w == 0) {
			/* A combining mark: keep a few, so 10,000 cannot pile onto one cell. */
			if (o.len == 0 || ++combining > SAFE_COMBINING_MAX)
				continue;
		} else {
			combining = 0;
		}
		if (!utf8 && c >= 0x80 && w == 0)
			continue;
		if (!utf8 && c >= 0x80 && shown_len == 0)
			w = 1;
		if (max_columns > 0 && o.columns + (size_t)w > max_columns) {
			cut = true;
			break;
		}
		if (shown_len > 0)
			put_bytes(&o, shown, shown_len);
		else
			put(&o, c, utf8);
		o.columns += (size_t)w;
		if (max_columns > 0 && o.columns + ellipsis_w <= max_columns) {
			cut_len = o.len;
			cut_columns = o.columns;
		}
	}
	if (cut) {
		o.len = cut_len;
		o.buf[o.len] = '\0';
		o.columns = cut_columns;
		if (utf8) {
			put(&o, 0x2026, true);
		} else {
			for (int k = 0; k < 3 && o.columns + 1 <= max_columns; k++, o.columns++)
				put(&o, '.', false);
		}
	}
	return o.buf;
}

char *
safe_str(const char *in, bool utf8)
{
	return safe_text(in, in != NULL ? strlen(in) : 0, 0, utf8);
}

size_t
safe_width(const char *s)
{
	size_t len = strlen(s), cols = 0;

	for (size_t i = 0; i < len;) {
		uint32_t c = REPLACEMENT;
		size_t n = utf8_decode(s + i, len - i, &c);
		int w;

		i += n > 0 ? n : 1;
		w = c < 0x80 ? 1 : wcwidth((wchar_t)c);
		if (w > 0)
			cols += (size_t)w;
	}
	return cols;
}
