/* Unit tests for the terminal-safe text gate: no control byte from outside reaches the terminal. */
#include "config.h"

#include <criterion/criterion.h>
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text/safe.h"

static void
utf8_locale(void)
{
	cr_assert_not_null(setlocale(LC_ALL, "C.UTF-8"), "the C.UTF-8 locale is needed");
}

TestSuite(safe, .init = utf8_locale);

/* True when S holds no C0 control, DEL, ESC or C1 control, in any encoding. */
static bool
terminal_inert(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; p[i] != '\0'; i++) {
		if (p[i] < 0x20 || p[i] == 0x7F)
			return false;
		if (p[i] == 0xC2 && p[i + 1] >= 0x80 && p[i + 1] <= 0x9F)
			return false;
		if (p[i] >= 0x80 && p[i] <= 0x9F && (i == 0 || p[i - 1] < 0xC0))
			if (i == 0 || (p[i - 1] & 0x80) == 0)
				return false; /* a bare 8-bit C1 byte */
	}
	return true;
}

static char *
safe(const char *s, size_t cols)
{
	return safe_text(s, strlen(s), cols, true);
}

Test(safe, null_and_empty)
{
	char *s = safe_str(NULL, true);

	cr_assert_str_eq(s, "");
	free(s);
	s = safe_text("", 0, 10, true);
	cr_assert_str_eq(s, "");
	free(s);
}

Test(safe, plain_text_passes_unchanged)
{
	char *s = safe("Quigley, Chad  (MRN 8013) Zo\xc3\xab \xe6\x97\xa5\xe6\x9c\xac", 0);

	cr_assert_str_eq(s, "Quigley, Chad  (MRN 8013) Zo\xc3\xab \xe6\x97\xa5\xe6\x9c\xac");
	free(s);
}

Test(safe, escape_sequences_are_defused)
{
	static const char *attacks[] = {
		"\x1b]0;pwned\x07name",			 /* OSC 0 title */
		"\x1b]2;pwned\x1b\\name",		 /* OSC 2 with ST */
		"\x1b]52;c;cm0gLXJmIH4=\x07",		 /* OSC 52 clipboard */
		"\x1b]8;;https://evil/\x1b\\click\x1b]8;;\x1b\\", /* OSC 8 link */
		"\x1b[21t",				 /* CSI 21t title report */
		"\x1bP+q544e\x1b\\",			 /* DCS */
		"\x9b" "6n",				 /* 8-bit CSI, raw byte */
		"\xc2\x9b" "6n",			 /* 8-bit CSI, UTF-8 encoded */
		"a\rb\nc\td\x7f" "e\x08",		 /* CR LF TAB DEL BS */
	};

	for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++) {
		char *s = safe(attacks[i], 0);

		cr_assert(terminal_inert(s), "case %zu left a control in '%s'", i, s);
		free(s);
	}
}

Test(safe, escape_shows_as_a_replacement_character)
{
	char *s = safe("\x1b[2J", 0);

	cr_assert_str_eq(s, "\xef\xbf\xbd[2J");
	free(s);
}

Test(safe, line_breaks_and_tabs_become_spaces)
{
	char *s = safe("a\nb\r\nc\td", 0);

	cr_assert_str_eq(s, "a b  c d");
	free(s);
}

Test(safe, bidi_controls_are_removed)
{
	/* "evil\u202Etxt.exe" would show reversed; isolates likewise. */
	char *s = safe("evil\xe2\x80\xaetxt\xe2\x81\xa6x\xe2\x81\xa9.exe", 0);

	cr_assert_str_eq(s, "eviltxtx.exe");
	free(s);
	/* A right-to-left mark is invisible too, but shown, as every invisible character is. */
	s = safe("txt\xe2\x80\x8f.exe", 0);
	cr_assert_str_eq(s, "txt<U+200F>.exe");
	free(s);
}

/*
 * Two MRNs that differ by an invisible character must not look alike: each covered
 * character, put inside "1234_5", shows as "1234<U+XXXX>5", whatever the terminal.
 */
Test(safe, invisible_characters_are_shown)
{
	// clang-format off
	static const struct {
		const char *utf8, *shown;
	} cases[] = {
		{ "\xe2\x80\x8b", "<U+200B>" },		/* zero-width space */
		{ "\xe2\x80\x8c", "<U+200C>" },		/* zero-width non-joiner */
		{ "\xe2\x80\x8d", "<U+200D>" },		/* zero-width joiner */
		{ "\xe2\x80\x8e", "<U+200E>" },		/* left-to-right mark */
		{ "\xe2\x80\x8f", "<U+200F>" },		/* right-to-left mark */
		{ "\xe2\x81\xa0", "<U+2060>" },		/* word joiner */
		{ "\xe2\x81\xa1", "<U+2061>" },		/* function application */
		{ "\xe2\x81\xa2", "<U+2062>" },		/* invisible times */
		{ "\xe2\x81\xa3", "<U+2063>" },		/* invisible separator */
		{ "\xe2\x81\xa4", "<U+2064>" },		/* invisible plus */
		{ "\xef\xbb\xbf", "<U+FEFF>" },		/* zero-width no-break space */
		{ "\xf3\xa0\x80\x81", "<U+E0001>" },	/* language tag */
		{ "\xf3\xa0\x80\xa0", "<U+E0020>" },	/* tag space */
		{ "\xf3\xa0\x81\xbf", "<U+E007F>" },	/* cancel tag */
		{ "\xef\xbf\xb9", "<U+FFF9>" },		/* interlinear annotation anchor */
		{ "\xef\xbf\xba", "<U+FFFA>" },		/* separator */
		{ "\xef\xbf\xbb", "<U+FFFB>" },		/* terminator */
		{ "\xe3\x85\xa4", "<U+3164>" },		/* Hangul filler */
		{ "\xe2\xa0\x80", "<U+2800>" },		/* braille pattern blank */
	};
	// clang-format on

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *in = malloc(strlen(cases[i].utf8) + 6), *want, *s;

		strcpy(in, "1234");
		strcat(in, cases[i].utf8);
		strcat(in, "5");
		want = malloc(strlen(cases[i].shown) + 6);
		strcpy(want, "1234");
		strcat(want, cases[i].shown);
		strcat(want, "5");
		s = safe(in, 0);
		cr_assert_str_eq(s, want, "case %zu", i);
		cr_assert_eq(safe_width(s), strlen(want), "case %zu", i);
		free(s);
		/* A terminal without UTF-8 sees the same, not a '?' or nothing. */
		s = safe_text(in, strlen(in), 0, false);
		cr_assert_str_eq(s, want, "case %zu, not UTF-8", i);
		free(s);
		/* What passed the gate passes it again unchanged. */
		s = safe(want, 0);
		cr_assert_str_eq(s, want, "case %zu, twice", i);
		free(s);
		free(want);
		free(in);
	}
}

Test(safe, invisible_characters_are_cut_whole)
{
	/* "<U+200B>" is one piece: a cut never leaves half of it to be misread. */
	char *s = safe("12\342\200\213345", 8);

	cr_assert_str_eq(s, "12\xe2\x80\xa6");
	cr_assert_eq(safe_width(s), 3);
	free(s);
	s = safe("12\342\200\213345", 11);
	cr_assert_str_eq(s, "12<U+200B>\xe2\x80\xa6");
	free(s);
	s = safe("12\342\200\213345", 13);
	cr_assert_str_eq(s, "12<U+200B>345", "it fits, so it is not cut");
	free(s);
}

Test(safe, visible_neighbours_of_the_invisible_pass)
{
	/* Ordinary spaces, accents and letters next to the covered ranges are untouched. */
	char *s = safe("Zo\xc3\xab \xe2\xa0\x81 \xe3\x85\xa5 \xe2\x80\x90", 0);

	cr_assert_str_eq(s, "Zo\xc3\xab \xe2\xa0\x81 \xe3\x85\xa5 \xe2\x80\x90");
	free(s);
}

Test(safe, invalid_utf8_becomes_replacement)
{
	static const char *bad[] = { "\xc0\xaf", "\xed\xa0\x80", "\xf5\x80\x80\x80", "\xe6\x97",
		"\xff", "\x80" };

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *s = safe(bad[i], 0);

		cr_assert_not_null(strstr(s, "\xef\xbf\xbd"), "case %zu: '%s'", i, s);
		cr_assert(terminal_inert(s));
		free(s);
	}
}

Test(safe, combining_marks_are_bounded)
{
	size_t n = 10000, len = 1 + 2 * n;
	char *in = malloc(len + 1), *s;
	size_t marks = 0;

	in[0] = 'a';
	for (size_t i = 0; i < n; i++)
		memcpy(in + 1 + 2 * i, "\xcc\x81", 2); /* U+0301 */
	in[len] = '\0';
	s = safe_text(in, len, 0, true);
	for (const char *p = s; (p = strstr(p, "\xcc\x81")) != NULL; p += 2)
		marks++;
	cr_assert_eq(marks, SAFE_COMBINING_MAX);
	cr_assert_eq(safe_width(s), 1);
	free(s);
	free(in);
}

Test(safe, truncation_by_display_width)
{
	char *s = safe("Quigley, Chad", 8);

	cr_assert_str_eq(s, "Quigley\xe2\x80\xa6");
	cr_assert_eq(safe_width(s), 8);
	free(s);
	s = safe("Quigley", 7);
	cr_assert_str_eq(s, "Quigley", "a string that fits is not cut");
	free(s);
	/* Wide characters take two columns; the cut never splits one. */
	s = safe("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x83\x86", 6);
	cr_assert_str_eq(s, "\xe6\x97\xa5\xe6\x9c\xac\xe2\x80\xa6");
	cr_assert_eq(safe_width(s), 5);
	free(s);
}

Test(safe, ascii_terminal)
{
	char *s = safe_text("Zo\xc3\xab M\xc3\xbcller", 12, 0, false);

	/* Issue 16 item 8: a Latin letter loses its accent; nothing else but ASCII goes out. */
	cr_assert_str_eq(s, "Zoe Muller");
	free(s);
	s = safe_str("Jos\xc3\xa9 \xc5\x81\xc3\xb3" "d\xc5\xba \xc3\x98ster\xc3\xb8", false);
	cr_assert_str_eq(s, "Jose Lodz Ostero");
	free(s);
	/* U+009B is CSI to an 8-bit terminal, and 0x9B is in the UTF-8 of many letters. */
	s = safe_str("a\xc2\x9b" "2J b \xe5\xbc\xa0 \xce\xb1", false);
	for (const char *p = s; *p != '\0'; p++)
		cr_assert((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f, "byte %#x in '%s'",
		    (unsigned char)*p, s);
	cr_assert_str_eq(s, "a?2J b ? ?");
	free(s);
	s = safe_text("Quigley, Chad", 13, 8, false);
	cr_assert_str_eq(s, "Quigl...");
	free(s);
}

Test(safe, a_megabyte_name_is_cut_to_the_width)
{
	size_t len = 1 << 20;
	char *in = malloc(len), *s;

	memset(in, 'A', len);
	s = safe_text(in, len, 40, true);
	cr_assert_eq(safe_width(s), 40);
	free(s);
	free(in);
}

Test(safe, random_bytes_never_leave_a_control)
{
	/* A fixed seed keeps the test repeatable. */
	uint32_t x = 2463534242u;
	char in[64];

	for (int round = 0; round < 20000; round++) {
		char *s;

		for (size_t i = 0; i < sizeof in; i++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			in[i] = (char)(x & 0xFF);
		}
		s = safe_text(in, sizeof in, (size_t)(round % 30), round % 2 == 0);
		cr_assert(terminal_inert(s), "round %d", round);
		cr_assert(round % 30 == 0 || safe_width(s) <= (size_t)(round % 30), "round %d", round);
		free(s);
	}
}
