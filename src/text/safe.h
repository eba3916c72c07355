/* Terminal-safe text: the one gate every string from the server or a file passes before display. */
#ifndef EHRTERM_TEXT_SAFE_H
#define EHRTERM_TEXT_SAFE_H

#include <stdbool.h>
#include <stddef.h>

/* At most this many combining marks are kept on one character. */
#define SAFE_COMBINING_MAX 4

/*
 * Make LEN bytes of IN safe to show on a terminal, on one line:
 * - invalid UTF-8 becomes U+FFFD;
 * - C0 and C1 controls, DEL and ESC become U+FFFD (so an escape sequence
 *   shows as harmless text instead of acting), tabs and line breaks a space;
 * - bidi overrides, embeddings and isolates are removed;
 * - characters that show as nothing or as a blank (utf8_is_invisible: zero-width
 *   spaces and joiners, LRM and RLM, U+FEFF, tag characters, Hangul fillers...) are
 *   written out as "<U+200B>", in ASCII, so "1234\u200B5" cannot pass for "12345";
 * - characters the locale cannot show (wcwidth < 0) become U+FFFD;
 * - more than SAFE_COMBINING_MAX combining marks on a character are dropped.
 * UTF8 false (a non-UTF-8 terminal, or the profile's charset = ascii) lets only printable
 * ASCII through: a Latin letter loses its accent ("José" is "Jose"), any other
 * character is '?'.
 * At most MAX_COLUMNS display columns are kept (0: no limit); a cut string
 * ends with an ellipsis ("…", or "..." without UTF-8) inside that width.
 * Returns a new NUL-terminated string the caller frees.
 */
char *safe_text(const char *in, size_t len, size_t max_columns, bool utf8);

/* safe_text on a NUL-terminated string (NULL gives ""), no width limit. */
char *safe_str(const char *in, bool utf8);

/* Display columns of a string safe_text produced. */
size_t safe_width(const char *s);

/* True when the current locale's character set is UTF-8. */
bool safe_locale_utf8(void);

#endif
