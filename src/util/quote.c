/* Quoting untrusted bytes for messages, shared by the config and keymap parsers. */
#include "config.h"

#include "util/quote.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <string.h>

char *
quote_bytes(const char *text, size_t len, size_t max)
{
	size_t cut = len > max ? max : len;
	char *out = xmalloc(cut * 4 + sizeof "..."), *w = out;

	for (size_t i = 0; i < cut; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c >= 0x20 && c < 0x7f) {
			*w++ = (char)c;
		} else {
			/* Four bytes and a NUL fit: the buffer holds four per input byte and "...". */
			snprintf(w, 5, "\\x%02x", c);
			w += 4;
		}
	}
	memcpy(w, cut < len ? "..." : "", cut < len ? sizeof "..." : 1);
	return out;
}
