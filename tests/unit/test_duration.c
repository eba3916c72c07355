/* Unit tests for duration parsing, used by idle_lock and timeout options. */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "util/duration.h"

Test(duration, null_and_empty_are_refused)
{
	long s = -1;
	char *cause = NULL;

	cr_assert_eq(duration_parse(NULL, &s, &cause), -1);
	cr_assert_not_null(cause);
	free(cause);
	cause = NULL;
	cr_assert_eq(duration_parse("", &s, &cause), -1);
	cr_assert_not_null(strstr(cause, "empty"));
	free(cause);
	cr_assert_eq(s, -1, "a failed parse must not touch the result");
}

/*
 * Criterion runs each case in a fresh process, where pointers into the parent's
 * data are not valid: cases hold their text inline.
 */
struct good_case {
	char text[24];
	long seconds;
};

ParameterizedTestParameters(duration, accepted)
{
	static struct good_case cases[] = {
		{ "0", 0 }, { "90", 90 }, { "90s", 90 }, { "10m", 600 }, { "1h", 3600 },
		{ "1h30m", 5400 }, { "2m5s", 125 }, { "1h0m1s", 3601 }, { "168h", 604800 },
	};
	return cr_make_param_array(struct good_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct good_case *c, duration, accepted)
{
	long s = -1;
	char *cause = NULL;

	cr_assert_eq(duration_parse(c->text, &s, &cause), 0, "'%s' refused: %s", c->text,
	    cause ? cause : "");
	cr_assert_eq(s, c->seconds, "'%s' gave %ld", c->text, s);
}

struct bad_case {
	char text[24];
};

ParameterizedTestParameters(duration, refused)
{
	/* Units out of order, repeated, unknown; signs; spaces; overflow; over a week. */
	static struct bad_case cases[] = { { "m" }, { "10x" }, { "-5" }, { "+5" }, { " 5" }, { "5 " },
		{ "1m1h" }, { "1m1m" }, { "1h30" }, { "5ms" }, { "99999999999999999999" }, { "169h" },
		{ "1.5h" } };
	return cr_make_param_array(struct bad_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct bad_case *c, duration, refused)
{
	long s = -1;
	char *cause = NULL;

	cr_assert_eq(duration_parse(c->text, &s, &cause), -1, "'%s' accepted as %ld", c->text, s);
	cr_assert_not_null(cause);
	free(cause);
	cr_assert_eq(s, -1);
}

Test(duration, format_round_trips)
{
	static const long values[] = { 0, 1, 59, 60, 90, 600, 3600, 3601, 5400, 604800 };
	char buf[32];

	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		long back = -1;
		char *cause = NULL;

		duration_format(values[i], buf, sizeof buf);
		cr_assert_eq(duration_parse(buf, &back, &cause), 0, "'%s'", buf);
		cr_assert_eq(back, values[i], "%ld -> '%s' -> %ld", values[i], buf, back);
	}
	duration_format(5400, buf, sizeof buf);
	cr_assert_str_eq(buf, "1h30m");
}
