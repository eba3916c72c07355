/* Unit tests that man/ehrterm-keys.5 says what actions.def and the built-in keymaps say. */
#include "config.h"

#include <criterion/criterion.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/keys-private.h"

/* Where a failing agreement test leaves the man page as the tables would have it. */
#define MAN_NEW "ehrterm-keys.5.new"

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

/* The man page from the source tree. */
static char *
man_read(void)
{
	const char *srcdir = getenv("EHRTERM_SRCDIR");
	char *path, *text;

	cr_assert_not_null(srcdir, "EHRTERM_SRCDIR is not set; run make check, or set it to the "
	                           "source tree");
	cr_assert_neq(asprintf(&path, "%s/man/ehrterm-keys.5", srcdir), -1);
	text = slurp(path);
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

	keys_print_man(mem);
	fclose(mem);
	return text;
}

/* How many ".SH " lines TEXT has. */
static size_t
count_sections(const char *text)
{
	size_t n = strncmp(text, ".SH ", 4) == 0;

	for (const char *p = text; (p = strstr(p, "\n.SH ")) != NULL; p++)
		n++;
	return n;
}

/*
 * Where the generated part of MAN starts and ends: from ".SH ACTIONS" over as many
 * sections as WANT has, to the next ".SH" or the end.
 */
static int
man_part(const char *man, const char *want, const char **start, const char **end)
{
	size_t n = count_sections(want);
	const char *p;

	if (strncmp(man, ".SH ACTIONS\n", 12) == 0)
		*start = man;
	else if ((*start = strstr(man, "\n.SH ACTIONS\n")) != NULL)
		(*start)++;
	else
		return -1;
	p = *start;
	while (n-- > 0 && p != NULL)
		p = strstr(p + 1, "\n.SH ");
	*end = p != NULL ? p + 1 : *start + strlen(*start);
	return 0;
}

/*
 * Compare the generated part of MAN with WANT. Returns NULL when they agree, or a
 * sentence naming the first line that differs.
 */
static char *
man_compare(const char *man, const char *want)
{
	const char *start, *end, *a, *b;
	unsigned int line = 1;
	char *why;

	if (man_part(man, want, &start, &end) != 0)
		return strdup("the man page has no .SH ACTIONS section");
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
	if (asprintf(&why, "line %u of the man page reads '%.*s' where the tables give '%.*s'",
	        line, a < end ? (int)strcspn(a, "\n") : 0, a < end ? a : "", (int)strcspn(b, "\n"),
	        b) < 0)
		why = NULL;
	return why;
}

Test(keys_man, generated_sections_agree_with_the_tables)
{
	char *man = man_read(), *want = man_generated(), *why = man_compare(man, want);
	const char *start, *end;
	FILE *f;

	cr_assert_eq(count_sections(want), 3, "ACTIONS, DEFAULT KEYS, VI AND EMACS KEYS");
	if (why != NULL) {
		/* Show the text, and leave the page as the tables would have it, for diff -u. */
		fprintf(stderr,
		    "--- the generated sections of ehrterm-keys.5 should read:\n%s---\n", want);
		f = fopen(MAN_NEW, "w");
		if (f != NULL && man_part(man, want, &start, &end) == 0)
			fprintf(f, "%.*s%s%s", (int)(start - man), man, want, end);
		if (f != NULL)
			fclose(f);
		cr_assert_fail(
		    "man/ehrterm-keys.5 and keymaps/ differ: %s. The text it should have "
		    "is printed above, and the whole page is in ./" MAN_NEW "; check it "
		    "with diff -u and copy it over man/ehrterm-keys.5",
		    why);
	}
	free(man);
	free(want);
}

/* The check above must be able to fail: drift of each kind is caught. */
Test(keys_man, drift_is_caught)
{
	char *man = man_read(), *want = man_generated(), *copy, *at, *why;
	const char *start, *end;

	why = man_compare(man, want);
	cr_assert_null(why, "%s", why);

	/* A help line changed by hand in the page (not the description's ".B help"). */
	copy = strdup(man);
	at = strstr(copy, "\n.SH ACTIONS\n");
	cr_assert_not_null(at);
	at = strstr(at, "\n.B help\n");
	cr_assert_not_null(at);
	at[9] ^= 1;
	why = man_compare(copy, want);
	cr_assert_not_null(why);
	free(why);
	free(copy);

	/* A default key changed by hand. */
	copy = strdup(man);
	at = strstr(copy, "\n\\fB?, F1\\fR\n");
	cr_assert_not_null(at);
	at[4] = '/';
	why = man_compare(copy, want);
	cr_assert_not_null(why);
	cr_assert_not_null(strstr(why, "reads '\\fB/, F1\\fR'"), "%s", why);
	free(why);
	free(copy);

	/* A line added at the end of the generated part. */
	cr_assert_eq(man_part(man, want, &start, &end), 0);
	cr_assert_neq(asprintf(&copy, "%.*s.PP\nextra\n%s", (int)(end - man), man, end), -1);
	why = man_compare(copy, want);
	cr_assert_not_null(why);
	free(why);
	free(copy);

	/* A binding added to a keymap but not to the page. */
	cr_assert_neq(asprintf(&copy, "%s.TP\n\\fBF9\\fR\n\\fIlock\\fR \\(em Lock.\n", want), -1);
	why = man_compare(man, copy);
	cr_assert_not_null(why);
	free(why);
	free(copy);

	why = man_compare(".TH X 5\n.SH NAME\nx\n", want);
	cr_assert_str_eq(why, "the man page has no .SH ACTIONS section");
	free(why);
	free(man);
	free(want);
}

Test(keys_man, every_action_is_in_the_page)
{
	char *man = man_read(), want[64];

	for (int a = 0; a < A_COUNT; a++) {
		char *w = want;

		w += sprintf(w, "\n.B ");
		for (const char *p = action_name((enum action)a); *p != '\0'; p++)
			w += *p == '-' ? sprintf(w, "\\-") : sprintf(w, "%c", *p);
		sprintf(w, "\n");
		cr_assert_not_null(strstr(man, want), "no '%s'", want + 1);
	}
	free(man);
}

/* The hand-written text states the parser's bounds; keep them in step with the code. */
Test(keys_man, description_states_the_bounds)
{
	char *man = man_read(), want[64];

	snprintf(want, sizeof want, "at most %d bytes long", KEYS_LINE_MAX);
	cr_assert_not_null(strstr(man, want), "the man page does not say '%s'", want);
	snprintf(want, sizeof want, "at most %d MiB", KEYS_FILE_MAX / (1024 * 1024));
	cr_assert_not_null(strstr(man, want), "the man page does not say '%s'", want);
	snprintf(want, sizeof want, "at most %d bindings", KEYS_BINDINGS_MAX);
	cr_assert_not_null(strstr(man, want), "the man page does not say '%s'", want);
	free(man);
}

/* Every context a built-in keymap binds is described under Contexts. */
Test(keys_man, contexts_are_described)
{
	char *man = man_read(), *cause = NULL, want[64];
	const char *from = strstr(man, "\n.SS Contexts\n"), *to;

	cr_assert_not_null(from, "no .SS Contexts");
	to = strstr(from + 1, "\n.SS ");
	cr_assert_not_null(to);
	for (const struct keys_builtin *b = keys_builtins; b->name != NULL; b++) {
		struct keymap *km = keys_keymap_new_open();

		cr_assert_eq(keymap_load_text(km, b->text, strlen(b->text), b->name, &cause), 0,
		    "%s", cause);
		for (size_t i = 0; i < keys_keymap_ncontexts(km); i++) {
			const char *at;

			snprintf(want, sizeof want, "\n.TP\n.B %s\n", keys_keymap_context(km, i));
			at = strstr(from, want);
			cr_assert(at != NULL && at < to, "Contexts does not describe '%s'",
			    keys_keymap_context(km, i));
		}
		keymap_free(&km);
	}
	free(man);
}

/* The key names the page lists are the ones key_parse reads. */
Test(keys_man, listed_key_names_parse)
{
	char *man = man_read(), *cause = NULL, *line, *save = NULL;
	const char *from = strstr(man, "\n.SS \"Key names\"\n"), *to;
	size_t nnames = 0;

	cr_assert_not_null(from, "no .SS \"Key names\"");
	to = strstr(from + 1, "\n.SH ");
	cr_assert_not_null(to);
	line = strndup(from, (size_t)(to - from));
	/* The .TP tags that list names: ".B Esc Enter Tab ..." lines. */
	for (char *l = strtok_r(line, "\n", &save); l != NULL; l = strtok_r(NULL, "\n", &save)) {
		char *word, *wsave = NULL;

		if (strncmp(l, ".B ", 3) != 0 || strchr(l + 3, ' ') == NULL)
			continue;
		for (word = strtok_r(l + 3, " ", &wsave); word != NULL;
		     word = strtok_r(NULL, " ", &wsave)) {
			int k;

			cr_assert_eq(
			    key_parse(word, &k, &cause), 0, "the page lists '%s': %s", word, cause);
			nnames++;
		}
	}
	cr_assert_geq(nnames, 17);
	free(line);
	free(man);
}

/* The example file in the page is a valid keymap that does what the page says. */
Test(keys_man, example_loads)
{
	static const char *const contexts[] = {
	    "global", "list", "form", "pager", "prompt", "dialog", "editor", "home", "patients", "patient",
	    "coverage", "schedule", "flow", "free-slots", "chart", "chart-list", "labs", "billing", "charges",
	    "posting", "ledger", "claims", "aging", "denials", "vitals-entry", "allergies-form",
	    "problems-form", "immunize-form", "meds-form", "note", "wrapup", NULL};
	const char *chain[] = {"dialog", "global"};
	char *man = man_read(), *cause = NULL, *ex, *w;
	const char *from, *to;
	struct keymap *km = keymap_new(contexts);

	from = strstr(man, "\n.SH EXAMPLES\n");
	cr_assert_not_null(from, "no .SH EXAMPLES");
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
	cr_assert_eq(keymap_load_builtin(km, "default", &cause), 0, "%s", cause);
	cr_assert_eq(keymap_load_text(km, ex, strlen(ex), "example", &cause), 0,
	    "the man page's example is refused: %s", cause);
	cr_assert_eq(keymap_lookup(km, "list", 'j'), A_DOWN);
	cr_assert_eq(keymap_lookup(km, "pager", 'k'), A_UP);
	cr_assert_eq(keymap_lookup(km, "global", 12), A_NONE, "^L is unbound");
	cr_assert_eq(keymap_lookup(km, "global", KEY_FN(KEY_F(12))), A_REDRAW);
	cr_assert_eq(keymap_lookup(km, "global", KEY_FN(KEY_F(6))), A_LOCK);
	cr_assert_eq(keymap_lookup_chain(km, chain, 2, 'q'), A_NONE);
	keymap_free(&km);
	free(ex);
	free(man);
}
