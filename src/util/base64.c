/* Base64 both ways: strict for what ehrterm checks (signatures), loose for what a server stores. */
#include "config.h"

#include "util/base64.h"
#include "util/xmalloc.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>

static const char std_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *
base64_encode(const void *data, size_t len, enum base64_kind kind)
{
	const char *a = kind == BASE64_URL ? url_alphabet : std_alphabet;
	const unsigned char *in = data;
	size_t groups = len / 3 + (len % 3 != 0), o = 0;
	char *out = xmalloc(groups * 4 + 1);

	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		size_t n = len - i < 3 ? len - i : 3;

		if (n > 1)
			v |= (uint32_t)in[i + 1] << 8;
		if (n > 2)
			v |= in[i + 2];
		out[o++] = a[v >> 18 & 63];
		out[o++] = a[v >> 12 & 63];
		if (n > 1)
			out[o++] = a[v >> 6 & 63];
		else if (kind == BASE64_STD)
			out[o++] = '=';
		if (n > 2)
			out[o++] = a[v & 63];
		else if (kind == BASE64_STD)
			out[o++] = '=';
	}
	out[o] = '\0';
	return out;
}

/* The value of C in KIND's alphabet, or -1. */
static int
value_of(unsigned char c, enum base64_kind kind)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (kind == BASE64_URL ? '-' : '+'))
		return 62;
	if (c == (kind == BASE64_URL ? '_' : '/'))
		return 63;
	return -1;
}

unsigned char *
base64_decode(const char *in, size_t len, enum base64_kind kind, size_t max, size_t *out_len)
{
	size_t chars = len, n = 0, bytes;
	unsigned char *out;
	uint32_t acc = 0;
	int bits = 0;

	if (kind == BASE64_STD) {
		if (len % 4 != 0)
			return NULL;
		/* At most two '=', and only at the end. */
		while (chars > 0 && len - chars < 2 && in[chars - 1] == '=')
			chars--;
	}
	if (chars % 4 == 1 || (kind == BASE64_STD && chars + 2 < len))
		return NULL;
	bytes = chars / 4 * 3 + (chars % 4 == 0 ? 0 : chars % 4 - 1);
	if (bytes > max)
		return NULL;
	out = xmalloc(bytes + 1);
	for (size_t i = 0; i < chars; i++) {
		int v = value_of((unsigned char)in[i], kind);

		if (v < 0) {
			free(out);
			return NULL;
		}
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits & 0xff);
			acc &= (1u << bits) - 1;
		}
	}
	/* What the last character holds beyond the bytes must be zero. */
	if (acc != 0) {
		free(out);
		return NULL;
	}
	out[n] = '\0';
	*out_len = n;
	return out;
}

char *
base64_decode_loose(const char *in, size_t max, size_t *out_len, bool *cut)
{
	size_t n = 0, cap = 0, total = 0;
	char *out;
	uint32_t acc = 0;
	int bits = 0;

	for (const char *c = in; *c != '\0' && *c != '='; c++)
		cap++;
	cap = cap / 4 * 3 + 3;
	out = xmalloc((cap < max ? cap : max) + 1);
	for (const char *c = in; *c != '\0' && *c != '='; c++) {
		int v;

		if (isspace((unsigned char)*c))
			continue;
		if ((v = value_of((unsigned char)*c, BASE64_STD)) < 0 &&
		    (v = value_of((unsigned char)*c, BASE64_URL)) < 0) {
			free(out);
			return NULL;
		}
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n < max)
				out[n++] = (char)(acc >> bits & 0xff);
			total++;
			acc &= (1u << bits) - 1;
		}
	}
	out[n] = '\0';
	if (out_len != NULL)
		*out_len = n;
	if (cut != NULL)
		*cut = total > n;
	return out;
}
