/* What the libFuzzer targets share: the entry points, input copies and promise checks. */
#ifndef EHRTERM_TESTS_FUZZ_FUZZ_H
#define EHRTERM_TESTS_FUZZ_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "fhir/patient.h"
#include "text/safe.h"
#include "util/xmalloc.h"

/* libFuzzer calls these; it has no header of its own for C. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A promise the code under test makes in its header, checked on every input. A broken
 * one stops the run as a crash would, so libFuzzer saves the input that broke it.
 */
#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz: broken promise: %s (%s:%d)\n", #cond, __FILE__,     \
			    __LINE__);                                                             \
			__builtin_trap();                                                          \
		}                                                                                  \
	} while (0)

/* SIZE bytes of DATA as a NUL-terminated string the caller frees (a NUL inside ends it). */
static inline char *
fuzz_string(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);

	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * Decode one UTF-8 sequence strictly (no overlong forms, surrogates or code points past
 * U+10FFFF): the targets' own decoder, so a promise is not checked with the code under test.
 * Returns its length, or 0 when the bytes are not UTF-8.
 */
static inline size_t
fuzz_utf8(const unsigned char *s, size_t len, uint32_t *cp)
{
	uint32_t c, min;
	size_t n;

	if (len == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f, min = 0x80;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f, min = 0x800;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Bidi overrides, embeddings, isolates and marks: safe.h says they are removed. */
static inline bool
fuzz_is_bidi(uint32_t c)
{
	return c == 0x061c || c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
	       (c >= 0x2066 && c <= 0x2069);
}

/*
 * Check everything safe.h promises of OUT, made with MAX_COLUMNS (0: no limit) and UTF8:
 * valid UTF-8; no C0 or C1 control, DEL or ESC, no line or paragraph separator; no bidi
 * control; only characters the locale can show; at most SAFE_COMBINING_MAX marks on a
 * character; ASCII only without UTF8; within the width. Returns OUT's width.
 */
static inline size_t
fuzz_check_inert(const char *out, size_t max_columns, bool utf8)
{
	const unsigned char *s = (const unsigned char *)out;
	size_t len = strlen(out), width = 0;
	unsigned marks = 0;

	for (size_t i = 0; i < len;) {
		uint32_t c;
		size_t n = fuzz_utf8(s + i, len - i, &c);
		int w;

		FUZZ_CHECK(n != 0);
		FUZZ_CHECK(utf8 || c < 0x80);
		FUZZ_CHECK(c >= 0x20 && !(c >= 0x7f && c <= 0x9f));
		FUZZ_CHECK(c != 0x2028 && c != 0x2029);
		FUZZ_CHECK(!fuzz_is_bidi(c));
		w = wcwidth((wchar_t)c);
		FUZZ_CHECK(w >= 0);
		if (w == 0)
			FUZZ_CHECK(++marks <= SAFE_COMBINING_MAX);
		else
			marks = 0;
		width += (size_t)w;
		i += n;
	}
	FUZZ_CHECK(max_columns == 0 || width <= max_columns);
	FUZZ_CHECK(safe_width(out) == width);
	return width;
}

/* Whether S is written YYYY-MM-DD. */
static inline bool
fuzz_is_iso_date(const char *s)
{
	for (size_t i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : !(s[i] >= '0' && s[i] <= '9'))
			return false;
	return s[10] == '\0';
}

/* patient.h: a Patient's view never fails, and holds what its comments promise. */
static inline void
fuzz_check_patient_view(const cJSON *r, const struct date *today)
{
	struct patient_view v;
	struct date d;
	char *cause = NULL;
	int age;

	patient_view_read(r, &v);
	FUZZ_CHECK(v.id != NULL && v.family != NULL && v.given != NULL && v.gender != NULL);
	FUZZ_CHECK(v.birth_date != NULL && v.mrn != NULL && v.phone != NULL);
	FUZZ_CHECK(v.name != NULL && v.name[0] != '\0');
	FUZZ_CHECK(strchr("MFOU", v.sex) != NULL && v.sex != '\0');
	/* patient.h: birth_date is ISO, or "" when missing or not a date. */
	if (v.birth_date[0] != '\0') {
		FUZZ_CHECK(fuzz_is_iso_date(v.birth_date));
		FUZZ_CHECK(date_parse(v.birth_date, today, &d, &cause) == 0);
	}
	age = patient_view_age(&v, today);
	FUZZ_CHECK(age >= -1);
	FUZZ_CHECK(v.birth_date[0] != '\0' || age == -1);
	patient_view_clear(&v);
	FUZZ_CHECK(v.name == NULL);
}

#endif
