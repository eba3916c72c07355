/* UTF-8 from outside: one strict decoder, and one rule for characters that show as nothing. */
#ifndef EHRTERM_UTIL_UTF8_H
#define EHRTERM_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest UTF-8 sequence, in bytes. */
#define UTF8_MAX 4

/*
 * Decode the one UTF-8 sequence at the start of S (at most LEN bytes) into *CP:
 * overlong forms, surrogates and values past U+10FFFF are refused. Returns its
 * length, or 0 when it is not valid UTF-8 (or LEN is 0), leaving *CP alone.
 */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Write code point C (a valid one) as UTF-8 at OUT, room for UTF8_MAX bytes; returns the length. */
size_t utf8_encode(uint32_t c, char *out);

/*
 * Bidi embeddings, overrides and isolates, and the Arabic letter mark: they reorder
 * how the text around them is shown (the "Trojan Source" trick).
 */
bool utf8_is_bidi(uint32_t c);

/*
 * Characters that show as nothing, or as a blank that is not a space, so that two
 * different strings look alike ("1234\u200B5" and "12345"): zero-width spaces, joiners
 * and marks (U+200B-U+200F), word joiner and invisible operators (U+2060-U+2064) and
 * the deprecated format controls, U+FEFF, tag characters (U+E0000-U+E007F),
 * interlinear annotation (U+FFF9-U+FFFB), Hangul fillers (U+115F, U+1160, U+3164,
 * U+FFA0), the braille blank U+2800, U+180E and U+17B4-U+17B5.
 * safe_text shows them as "<U+200B>"; a key name must write them U+200B.
 */
bool utf8_is_invisible(uint32_t c);

#endif
