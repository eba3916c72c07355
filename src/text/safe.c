/* Terminal-safe text: decode UTF-8 strictly, drop or show controls, bound width. */
#include "config.h"

#include "text/safe.h"
#include "util/xmalloc.h"

#include <langinfo.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#define REPLACEMENT 0xFFFDu

/* Decode one UTF-8 sequence strictly (no overlongs, surrogates or > U+10FFFF). */
static size_t
utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xE0) == 0xC0) {
		n = 2, c &= 0x1F, min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		n = 3, c &= 0x0F, min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		n = 4, c &= 0x07, min = 0x10000;
	} else {
		*cp = REPLACEMENT;
		return 1;
	}
	if (len < n) {
		*cp = REPLACEMENT;
		return 1;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = REPLACEMENT;
			return 1;
		}
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
		*cp = REPLACEMENT;
		return 1;
	}
	*cp = c;
	return n;
}

static size_t
utf8_encode(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	} else if (c < 0x800) {
		out[0] = (char)(0xC0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	} else if (c < 0x10000) {
		out[0] = (char)(0xE0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* Characters that change how the terminal lays text out, never shown. */
static bool
is_bidi_format(uint32_t c)
{
	return c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
	    (c >= 0x2066 && c <= 0x2069);
}

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
put(struct out *o, uint32_t c, bool utf8)
{
	char tmp[4];
	size_t n;

	if (!utf8 && c >= 0x80)
		c = '?';
	n = utf8_encode(c, tmp);
	if (o->len + n + 1 > o->cap) {
		while (o->len + n + 1 > o->cap)
			o->cap = o->cap ? o->cap * 2 : 64;
		o->buf = xreallocarray(o->buf, o->cap, 1);
	}
	memcpy(o->buf + o->len, tmp, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

char *
safe_text(const char *in, size_t len, size_t max_columns, bool utf8)
{
	const unsigned char *s = (const unsigned char *)in;
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
		uint32_t c;
		int w;

		i += utf8_decode(s + i, len - i, &c);
		if (c == '\t' || c == '\n' || c == '\r')
			c = ' ';
		else if (is_control(c))
			c = REPLACEMENT;
		else if (is_bidi_format(c))
			continue;
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
		if (!utf8 && c >= 0x80)
			w = 1;
		if (max_columns > 0 && o.columns + (size_t)w > max_columns) {
			cut = true;
			break;
		}
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
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), cols = 0;

	for (size_t i = 0; i < len;) {
		uint32_t c;
		int w;

		i += utf8_decode(p + i, len - i, &c);
		w = c < 0x80 ? 1 : wcwidth((wchar_t)c);
		if (w > 0)
			cols += (size_t)w;
	}
	return cols;
}
