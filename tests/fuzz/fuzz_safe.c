/* Fuzz target: safe_text, its promise (inert, valid UTF-8, in width) checked on every output. */
#include "config.h"

#include <locale.h>
#include <stdlib.h>

#include "fuzz.h"
#include "text/safe.h"

#define ELLIPSIS "\xe2\x80\xa6"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* wcwidth answers for the locale: a clinic's terminal runs UTF-8. */
	if (setlocale(LC_ALL, "C.UTF-8") == NULL && setlocale(LC_ALL, "en_US.UTF-8") == NULL) {
		fprintf(stderr, "fuzz-safe: no UTF-8 locale (C.UTF-8) to test in\n");
		exit(1);
	}
	return 0;
}

/* Whether CUT is a prefix of FULL followed by a non-UTF-8 ellipsis of 1 to 3 dots within COLS. */
static bool
ascii_cut_ok(const char *cut, const char *full, size_t cols)
{
	size_t len = strlen(cut);

	for (size_t dots = 1; dots <= 3 && dots <= len; dots++) {
		if (cut[len - dots] != '.')
			break;
		if (strncmp(cut, full, len - dots) == 0 && len <= cols)
			return true;
	}
	return false;
}

/* Input: a byte (low 7 bits: the column limit, 0 for none; high bit: not UTF-8), then text. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text;
	size_t len, cols, wfull;
	char *full, *cut, *again;
	bool utf8;

	if (size < 1)
		return 0;
	cols = data[0] & 0x7f;
	utf8 = (data[0] & 0x80) == 0;
	text = (const char *)data + 1;
	len = size - 1;

	full = safe_text(text, len, 0, utf8);
	wfull = fuzz_check_inert(full, 0, utf8);

	/* The gate is idempotent: text that passed it once passes again unchanged. */
	again = safe_text(full, strlen(full), 0, utf8);
	FUZZ_CHECK(strcmp(again, full) == 0);
	free(again);

	if (cols > 0) {
		cut = safe_text(text, len, cols, utf8);
		fuzz_check_inert(cut, cols, utf8);
		if (wfull <= cols) {
			/* Text that fits is never cut. */
			FUZZ_CHECK(strcmp(cut, full) == 0);
		} else if (utf8) {
			/* A cut string is the start of the whole one and an ellipsis. */
			size_t n = strlen(cut), e = sizeof ELLIPSIS - 1;

			FUZZ_CHECK(n >= e && strcmp(cut + n - e, ELLIPSIS) == 0);
			FUZZ_CHECK(strncmp(cut, full, n - e) == 0);
		} else {
			FUZZ_CHECK(ascii_cut_ok(cut, full, cols));
		}
		free(cut);
	}
	free(full);
	return 0;
}
