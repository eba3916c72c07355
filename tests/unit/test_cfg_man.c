/* Unit tests that man/ehrterm.conf.5 and --help say what the option table says. */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg/cfg-private.h"
#include "cfg/cfg.h"

/* Where a failing agreement test leaves the man page as the table would have it. */
#define MAN_NEW "ehrterm.conf.5.new"

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t size = 0;
	FILE *mem;
	int c;

	if (f == NULL)
		return NULL;
	mem = open_memstream(&text, &size);
	while ((c = fgetc(f)) != EOF)
		fputc(c, mem);
	fclose(mem);
	fclose(f);
	return text;
}

static char *
man_path(void)
{
	const char *srcdir = getenv("EHRTERM_SRCDIR");
	char *path;

	cr_assert_not_null(srcdir, "EHRTERM_SRCDIR is not set; run make check, or set it to the "
	                           "source tree");
	cr_assert_neq(asprintf(&path, "%s/man/ehrterm.conf.5", srcdir), -1);
	return path;
}

/* The man page from the source tree. */
static char *
man_read(void)
{
	char *path = man_path(), *text = slurp(path);

	cr_assert_not_null(text, "cannot read %s", path);
	free(path);
	return text;
}

static char *
man_generated(void)
{
	char *text = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&text, &size);

	cfg_print_man(mem);
	fclose(mem);
	return text;
}

/* Where the OPTIONS section of MAN starts and ends: ".SH OPTIONS" to the next ".SH". */
static int
man_section(const char *man, const char **start, const char **end)
{
	const char *next;

	if (strncmp(man, ".SH OPTIONS\n", 12) == 0)
		*start = man;
	else if ((*start = strstr(man, "\n.SH OPTIONS\n")) != NULL)
		(*start)++;
	else
		return -1;
	next = strstr(*start + 1, "\n.SH ");
	*end = next != NULL ? next + 1 : *start + strlen(*start);
	return 0;
}

/*
 * Compare the OPTIONS section of MAN with WANT. Returns NULL when they agree, or a
 * sentence naming the first line that differs.
 */
static char *
man_compare(const char *man, const char *want)
{
	const char *start, *end, *a, *b;
	unsigned int line = 1;
	char *why;

	if (man_section(man, &start, &end) != 0)
		return strdup("the man page has no .SH OPTIONS section");
	for (const char *p = man; p < start; p++)
		line += *p == '\n';
	a = start, b = want;
	while (a < end && *b != '\0') {
		size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");

		if (la != lb || memcmp(a, b, la) != 0)
			goto differ;
		a += la + (a[la] == '\n'), b += lb + (b[lb] == '\n');
		line++;
	}
	if (a >= end && *b == '\0')
		return NULL;
differ:
	if (asprintf(&why, "line %u of the man page reads '%.*s' where the table gives '%.*s'",
	        line, a < end ? (int)strcspn(a, "\n") : 0, a < end ? a : "", (int)strcspn(b, "\n"),
	        b) < 0)
		why = NULL;
	return why;
}

Test(cfg_man, options_section_agrees_with_the_table)
{
	char *man = man_read(), *want = man_generated(), *why = man_compare(man, want);
	const char *start, *end;
	FILE *f;

	if (why != NULL) {
		/* Leave the page as the table would have it, for diff -u and a review. */
		f = fopen(MAN_NEW, "w");
		if (f != NULL && man_section(man, &start, &end) == 0)
			fprintf(f, "%.*s%s%s", (int)(start - man), man, want, end);
		if (f != NULL)
			fclose(f);
		cr_assert_fail("man/ehrterm.conf.5 and src/cfg/cfg-table.c differ: %s. The page "
		               "as the table has it is in ./" MAN_NEW "; check it with diff -u and "
		               "copy it over man/ehrterm.conf.5",
		    why);
	}
	free(man);
	free(want);
}

/* The check above must be able to fail: drift of each kind is caught. */
Test(cfg_man, drift_is_caught)
{
	char *man = man_read(), *want = man_generated(), *copy, *at, *why;
	const char *start, *end;

	why = man_compare(man, want);
	cr_assert_null(why, "%s", why);

	/* A default changed by hand in the page. */
	copy = strdup(man);
	at = strstr(copy, "\nDefault: ");
	cr_assert_not_null(at);
	at[10] ^= 1;
	why = man_compare(copy, want);
	cr_assert_not_null(why);
	cr_assert_not_null(strstr(why, "reads 'Default: "), "%s", why);
	free(why);
	free(copy);

	/* An option's entry (.TP, .BI, doc, limits) missing from the page. */
	copy = strdup(man);
	at = strstr(copy, ".TP\n.BI \"");
	cr_assert_not_null(at);
	memmove(at, strstr(at + 1, ".TP\n"), strlen(strstr(at + 1, ".TP\n")) + 1);
	why = man_compare(copy, want);
	cr_assert_not_null(why);
	free(why);
	free(copy);

	/* A line added to the end of the section. */
	cr_assert_eq(man_section(man, &start, &end), 0);
	cr_assert_neq(asprintf(&copy, "%.*s.PP\nextra\n%s", (int)(end - man), man, end), -1);
	why = man_compare(copy, want);
	cr_assert_not_null(why);
	free(why);
	free(copy);

	/* An option added to the table but not to the page. */
	cr_assert_neq(asprintf(&copy, "%s.TP\n.BI \"new = \" text\nNew.\nOptional.\n", want), -1);
	why = man_compare(man, copy);
	cr_assert_not_null(why);
	free(why);
	free(copy);

	/* No OPTIONS section at all. */
	why = man_compare(".TH X 5\n.SH NAME\nx\n", want);
	cr_assert_str_eq(why, "the man page has no .SH OPTIONS section");
	free(why);
	free(man);
	free(want);
}

/* The hand-written text states the parser's bounds; keep them in step with the code. */
Test(cfg_man, description_states_the_bounds)
{
	char *man = man_read(), want[64];

	snprintf(want, sizeof want, "at most %d bytes long", CFG_LINE_MAX);
	cr_assert_not_null(strstr(man, want), "the man page does not say '%s'", want);
	snprintf(want, sizeof want, "at most %d MiB", CFG_FILE_MAX / (1024 * 1024));
	cr_assert_not_null(strstr(man, want), "the man page does not say '%s'", want);
	snprintf(want, sizeof want, "at most %d profiles", CFG_PROFILES_MAX);
	cr_assert_not_null(strstr(man, want), "the man page does not say '%s'", want);
	snprintf(want, sizeof want, "up to %d letters", CFG_NAME_MAX);
	cr_assert_not_null(strstr(man, want), "the man page does not say '%s'", want);
	free(man);
}

/* The example file in the page is a valid file with the profiles it describes. */
Test(cfg_man, example_parses)
{
	char *man = man_read(), *cause = NULL, *ex, *w;
	const char *from, *to;
	const struct cfg_profile *p;
	struct cfg *cfg;

	setenv("HOME", "/home/tester", 1);
	from = strstr(man, ".SS Example\n");
	cr_assert_not_null(from, "no .SS Example");
	from = strstr(from, "\n.EX\n");
	cr_assert_not_null(from);
	from += 5;
	to = strstr(from, "\n.EE\n");
	cr_assert_not_null(to);
	/* Undo the roff escapes an example needs: \- for '-', \e for '\', \& for nothing. */
	ex = w = malloc((size_t)(to - from) + 2);
	for (const char *r = from; r <= to; r++) {
		if (r[0] == '\\' && r + 1 <= to && strchr("-e&", r[1]) != NULL) {
			if (r[1] != '&')
				*w++ = r[1] == 'e' ? '\\' : '-';
			r++;
			continue;
		}
		cr_assert_neq(*r, '\\', "an escape the test does not know in the example");
		*w++ = *r;
	}
	*w = '\0';
	cfg = cfg_parse(ex, strlen(ex), "example", &cause);
	cr_assert_not_null(cfg, "the man page's example is refused: %s", cause);
	cr_assert_eq(cfg_profile_count(cfg), 3);
	p = cfg_profile(cfg, NULL, &cause);
	cr_assert_not_null(p, "%s", cause);
	cr_assert_str_eq(p->name, "sandbox");
	cr_assert_str_eq(p->base_url, "https://localhost:8443/fhir");
	cr_assert_str_eq(p->client_key, "/home/tester/.config/ehrterm/sandbox/frontdesk.key");
	cr_assert_str_eq(p->user_label, "Sandbox - test data only");
	p = cfg_profile(cfg, "clinic", &cause);
	cr_assert_not_null(p, "%s", cause);
	cr_assert_not_null(p->pin_sha256);
	cr_assert_str_eq(p->keymap.name, "vi");
	cr_assert_eq(p->idle_lock_s, 300);
	cr_assert_str_eq(p->auth, "mtls");
	p = cfg_profile(cfg, "hospital", &cause);
	cr_assert_not_null(p, "%s", cause);
	cr_assert_str_eq(p->auth, "smart");
	cr_assert_str_eq(p->client_id, "ehrterm-frontdesk");
	cr_assert_str_eq(p->scopes,
	    "openid fhirUser offline_access user/Patient.rs user/Appointment.cru");
	cr_assert_str_eq(p->token_store, "keyring");
	cfg_free(&cfg);
	free(ex);
	free(man);
}

Test(cfg_man, help_lists_every_option_in_80_columns)
{
	char *text = NULL, limits[128], lhs[64];
	size_t size = 0;
	FILE *mem = open_memstream(&text, &size);

	cfg_print_help(mem);
	fclose(mem);
	cr_assert_eq(
	    strncmp(text, "Configuration file (see ehrterm.conf(5)):\n", 42), 0, "%s", text);
	for (size_t i = 0; i < cfg_noptions; i++) {
		const struct cfg_option *opt = &cfg_options[i];

		snprintf(lhs, sizeof lhs, "\n  %s = %s ", opt->name, cfg_types[opt->type].name);
		cfg_option_limits(opt, limits, sizeof limits);
		cr_assert_not_null(strstr(text, lhs), "--help lacks '%s'", lhs + 1);
		cr_assert_not_null(strstr(text, limits), "--help lacks '%s'", limits);
		cr_assert_not_null(strstr(text, opt->doc), "--help lacks '%s'", opt->doc);
	}
	for (const char *line = text; *line != '\0';) {
		size_t n = strcspn(line, "\n");

		cr_assert_leq(n, 80, "a --help line is %zu columns: '%.*s'", n, (int)n, line);
		line += n + (line[n] == '\n');
	}
	free(text);
}
