/* Unit tests for print_command: split without a shell, and the helper that runs it. */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg/cfg.h"
#include "confine/printer.h"

static char **
split(const char *command)
{
	char **argv = NULL, *cause = NULL;

	cr_assert_eq(cfg_command_split(command, &argv, &cause), 0, "%s: %s", command, cause);
	return argv;
}

static void
refused(const char *command, const char *why)
{
	char **argv = NULL, *cause = NULL;

	cr_assert_eq(cfg_command_split(command, &argv, &cause), -1, "%s", command);
	cr_assert_null(argv);
	cr_assert_not_null(strstr(cause, why), "%s: %s", command, cause);
	free(cause);
}

Test(print_command, words_quotes_and_nothing_a_shell_would_do)
{
	char **a = split("  lp -d 'front desk'\t-o \"media=A4 \\\"x\\\"\" a\\ b '' ");

	cr_assert_str_eq(a[0], "lp");
	cr_assert_str_eq(a[1], "-d");
	cr_assert_str_eq(a[2], "front desk");
	cr_assert_str_eq(a[3], "-o");
	cr_assert_str_eq(a[4], "media=A4 \"x\"");
	cr_assert_str_eq(a[5], "a b");
	cr_assert_str_eq(a[6], "");
	cr_assert_null(a[7]);
	cfg_command_free(a);
	a = split("lp -d x; rm -rf ~ $HOME `id` | cat > /tmp/y");
	cr_assert_str_eq(a[2], "x;", "a ; is a letter, not a second command");
	cr_assert_str_eq(a[4], "-rf");
	cr_assert_str_eq(a[5], "~");
	cr_assert_str_eq(a[6], "$HOME");
	cr_assert_str_eq(a[7], "`id`");
	cr_assert_str_eq(a[8], "|");
	cfg_command_free(a);
}

Test(print_command, broken_commands_are_refused)
{
	refused("", "no program");
	refused("   ", "no program");
	refused("lp 'x", "not closed");
	refused("lp \"x", "not closed");
	refused("lp x\\", "ends it");
	refused("lp \x01", "control");
}

Test(print_command, a_bad_one_in_the_config_file_is_refused_at_load)
{
	static const char text[] = "[profile p]\nbase_url = https://h.example\nca_file = /x/ca\n"
				   "client_cert = /x/c\nclient_key = /x/k\n"
				   "print_command = lp 'unclosed\n";
	char *cause = NULL;
	struct cfg *c = cfg_parse(text, sizeof text - 1, "t", &cause);

	cr_assert_null(c);
	cr_assert_not_null(strstr(cause, "print_command"), "%s", cause);
	free(cause);
}

/* The real helper, forked, runs the profile's command with the text on its input. */
Test(printer, the_helper_runs_the_profiles_command_with_the_text_on_its_input)
{
	char dir[] = "/tmp/ehrterm-printer-XXXXXX", path[256], text[4096], conf[1024], got[256] = "";
	char *cause = NULL;
	struct cfg *c;
	struct printer *p;
	FILE *f;
	size_t n;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/out", dir);
#define TLS "base_url = https://h.example\nca_file = /x/ca\nclient_cert = /x/c\nclient_key = /x/k\n"
	snprintf(conf, sizeof conf,
	    "[profile good]\n" TLS "print_command = tee '%s'\n"
	    "[profile bad]\n" TLS "print_command = sh -c 'exit 3'\n"
	    "[profile none]\n" TLS "print_command = /nonexistent/lp\n",
	    path);
	c = cfg_parse(conf, strlen(conf), "t", &cause);
	cr_assert_not_null(c, "%s", cause);
	p = printer_start(c, &cause);
	cr_assert_not_null(p, "%s", cause);
	memset(text, 'x', sizeof text);
	memcpy(text, "1a  INSURED'S ID NUMBER: MBR-77\n", 32);
	cr_assert_eq(printer_print(p, "good", text, sizeof text, &cause), 0, "%s", cause);
	f = fopen(path, "r");
	cr_assert_not_null(f);
	n = fread(got, 1, 32, f);
	fseek(f, 0, SEEK_END);
	cr_assert_eq(ftell(f), (long)sizeof text, "all of the text, on its standard input");
	fclose(f);
	cr_assert_eq(n, 32);
	cr_assert_eq(memcmp(got, text, 32), 0);
	cr_assert_eq(printer_print(p, "bad", "x", 1, &cause), -1);
	cr_assert_str_eq(cause, "sh exited with status 3");
	free(cause);
	cr_assert_eq(printer_print(p, "none", "x", 1, &cause), -1);
	cr_assert_str_eq(cause, "/nonexistent/lp could not be run");
	free(cause);
	cr_assert_eq(printer_print(p, "nosuch", "x", 1, &cause), -1);
	cr_assert_not_null(strstr(cause, "print_command"), "%s", cause);
	free(cause);
	cr_assert_eq(printer_print(p, "good", "again\n", 6, &cause), 0, "%s", cause);
	printer_stop(&p);
	cr_assert_null(p);
	unlink(path);
	rmdir(dir);
	cfg_free(&c);
}
