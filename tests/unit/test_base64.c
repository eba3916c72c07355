/* Unit tests for base64: both alphabets, strict for signatures, loose for what a server stores. */
#include "config.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "util/base64.h"

Test(base64, both_alphabets_round_trip_every_length)
{
	unsigned char bytes[64];

	for (size_t i = 0; i < sizeof bytes; i++)
		bytes[i] = (unsigned char)(i * 37 + 250);
	for (size_t n = 0; n <= sizeof bytes; n++) {
		for (int k = BASE64_STD; k <= BASE64_URL; k++) {
			char *text = base64_encode(bytes, n, (enum base64_kind)k);
			size_t len = 99;
			unsigned char *back = base64_decode(text, strlen(text), (enum base64_kind)k,
			    sizeof bytes, &len);

			cr_assert_not_null(back, "%zu bytes as %s", n, text);
			cr_assert_eq(len, n);
			cr_assert_eq(memcmp(back, bytes, n), 0);
			cr_assert_eq(back[n], '\0');
			cr_assert_eq(strchr(text, k == BASE64_URL ? '=' : '-'), NULL);
			free(back);
			free(text);
		}
	}
}

Test(base64, known_texts)
{
	char *s = base64_encode("\xfb\xff", 2, BASE64_STD);

	cr_assert_str_eq(s, "+/8=");
	free(s);
	s = base64_encode("\xfb\xff", 2, BASE64_URL);
	cr_assert_str_eq(s, "-_8");
	free(s);
	s = base64_encode("", 0, BASE64_STD);
	cr_assert_str_eq(s, "");
	free(s);
}

Test(base64, strict_decoding_has_one_text_per_bytes)
{
	static const struct {
		const char *text;
		enum base64_kind kind;
	} refused[] = {
		{ "-_8", BASE64_STD },	 /* the other alphabet */
		{ "+/8", BASE64_URL },
		{ "+/8", BASE64_STD },	 /* padding missing */
		{ "-_8=", BASE64_URL },	 /* padding where there is none */
		{ "QQ==", BASE64_URL },
		{ "QR==", BASE64_STD },	 /* stray bits: "QR==" would also be "A" */
		{ "QR", BASE64_URL },
		{ "Q===", BASE64_STD },
		{ "Q", BASE64_URL },	 /* one character holds no byte */
		{ "QQ=A", BASE64_STD },	 /* padding inside */
		{ "Q Q=", BASE64_STD },	 /* whitespace */
		{ "QQ\n", BASE64_URL },
	};
	size_t len;

	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
		cr_expect_null(base64_decode(refused[i].text, strlen(refused[i].text), refused[i].kind,
				   100, &len),
		    "%s was taken", refused[i].text);
}

Test(base64, strict_decoding_refuses_more_than_its_maximum_before_allocating)
{
	size_t len;
	unsigned char *b = base64_decode("QUJD", 4, BASE64_STD, 3, &len);

	cr_assert_not_null(b);
	cr_assert_eq(len, 3);
	free(b);
	cr_assert_null(base64_decode("QUJDRA", 6, BASE64_URL, 3, &len));
}

Test(base64, loose_decoding_reads_what_servers_store_and_says_when_it_cut)
{
	size_t len;
	bool cut = true;
	char *s = base64_decode_loose(" QUJD\nREVG\r\n-_8=trailing", 100, &len, &cut);

	cr_assert_not_null(s);
	cr_assert_eq(len, 8);
	cr_assert_eq(memcmp(s, "ABCDEF\xfb\xff", 8), 0);
	cr_assert_not(cut);
	free(s);
	s = base64_decode_loose("QUJDREVG", 4, &len, &cut);
	cr_assert_str_eq(s, "ABCD");
	cr_assert(cut);
	free(s);
	cr_assert_null(base64_decode_loose("QUJD*REVG", 3, NULL, NULL),
	    "a stray character past the maximum");
}
