/* Unit tests for secrets in memory: page flags, wiping, and reading from a terminal or a pipe. */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "util/secret.h"

Test(secret, null_is_harmless)
{
	struct secret *s = NULL;

	secret_free(NULL);
	secret_free(&s);
	secret_clear(NULL);
	cr_assert_null(secret_str(NULL));
	cr_assert_eq(secret_len(NULL), 0);
	cr_assert_not(secret_locked(NULL));
	cr_assert(secret_equal(NULL, NULL));
}

Test(secret, empty_is_an_empty_string)
{
	struct secret *s = secret_new_from(NULL, 0);

	cr_assert_not_null(s);
	cr_assert_str_eq(secret_str(s), "");
	cr_assert_eq(secret_len(s), 0);
	secret_free(&s);
	cr_assert_null(s, "secret_free must clear the caller's pointer");
}

Test(secret, holds_a_copy_with_a_trailing_nul)
{
	char text[] = "correct horse";
	struct secret *s = secret_new_from(text, strlen(text));

	memset(text, 'x', strlen(text));
	cr_assert_str_eq(secret_str(s), "correct horse");
	cr_assert_eq(secret_len(s), 13);
	cr_assert_eq(secret_str(s)[13], '\0');
	secret_free(&s);
}

/* Filled in place (the keyring's helper writes into it from a pipe): zeros, then the bytes. */
Test(secret, a_blank_secret_is_filled_in_place)
{
	struct secret *s = secret_new_len(5);

	cr_assert_eq(secret_len(s), 5);
	for (size_t i = 0; i <= 5; i++)
		cr_assert_eq(secret_str(s)[i], '\0');
	memcpy(secret_data(s), "horse", 5);
	cr_assert_str_eq(secret_str(s), "horse");
	cr_assert_null(secret_data(NULL));
	secret_free(&s);
}

Test(secret, embedded_nul_counts_in_len_but_ends_the_string)
{
	struct secret *s = secret_new_from("ab\0cd", 5);

	cr_assert_eq(secret_len(s), 5);
	cr_assert_str_eq(secret_str(s), "ab");
	secret_free(&s);
}

Test(secret, equal_compares_bytes_and_length)
{
	struct secret *a = secret_new_from("same", 4);
	struct secret *b = secret_new_from("same", 4);
	struct secret *c = secret_new_from("samf", 4);
	struct secret *d = secret_new_from("same!", 5);

	cr_assert(secret_equal(a, b));
	cr_assert_not(secret_equal(a, c));
	cr_assert_not(secret_equal(a, d));
	cr_assert_not(secret_equal(a, NULL));
	secret_free(&a);
	secret_free(&b);
	secret_free(&c);
	secret_free(&d);
}

/* The VmFlags line of the mapping in /proc/self/smaps that holds ADDR. */
static void
smaps_flags(const void *addr, char *flags, size_t size)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	bool inside = false;

	cr_assert_not_null(f);
	flags[0] = '\0';
	while (fgets(line, sizeof line, f) != NULL) {
		uintptr_t lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			inside = (uintptr_t)addr >= lo && (uintptr_t)addr < hi;
			continue;
		}
		if (inside && strncmp(line, "VmFlags:", 8) == 0) {
			snprintf(flags, size, "%s", line + 8);
			break;
		}
	}
	fclose(f);
	cr_assert_neq(flags[0], '\0', "no mapping holds %p", addr);
}

/* Whether FLAGS (VmFlags' two-letter codes) has CODE. */
static bool
has_flag(const char *flags, const char *code)
{
	char padded[8];

	snprintf(padded, sizeof padded, " %s", code);
	for (const char *p = flags; (p = strstr(p, padded)) != NULL; p++)
		if (p[3] == ' ' || p[3] == '\n' || p[3] == '\0')
			return true;
	return false;
}

Test(secret, pages_are_left_out_of_core_dumps_and_locked_when_allowed)
{
	struct secret *s = secret_new_from("pin me", 6);
	char flags[512];

	smaps_flags(secret_str(s), flags, sizeof flags);
	cr_assert(has_flag(flags, "dd"), "MADV_DONTDUMP not applied: VmFlags:%s", flags);
#ifndef __SANITIZE_ADDRESS__
	/* ASan turns mlock() into a no-op that reports success. */
	cr_assert_eq(has_flag(flags, "lo"), secret_locked(s),
	    "secret_locked says %d but VmFlags:%s", secret_locked(s), flags);
#endif
	secret_free(&s);
}

Test(secret, clear_wipes_every_byte)
{
	struct secret *s = secret_new_from("wipe me please", 14);
	const unsigned char *p = (const unsigned char *)secret_str(s);

	secret_clear(s);
	cr_assert_eq(secret_len(s), 0);
	for (size_t i = 0; i < 14; i++)
		cr_assert_eq(p[i], 0, "byte %zu survived: %#x", i, p[i]);
	secret_free(&s);
}

Test(secret, free_gives_the_pages_back)
{
	struct secret *s = secret_new_from("gone", 4);
	long page = sysconf(_SC_PAGESIZE);
	void *base = (void *)((uintptr_t)secret_str(s) & ~((uintptr_t)page - 1));
	unsigned char vec;

	cr_assert_eq(mincore(base, 1, &vec), 0, "the secret's page should be mapped");
	secret_free(&s);
	/* Unmapped, not handed back to malloc where the next allocation would see it. */
	cr_assert_eq(mincore(base, 1, &vec), -1);
	cr_assert_eq(errno, ENOMEM);
}

/* --- reading from a pipe or file ------------------------------------------ */

/* A pipe holding TEXT, its write end closed. Returns the read end. */
static int
pipe_with(const char *text, size_t len)
{
	int fds[2];

	cr_assert_eq(pipe(fds), 0);
	cr_assert_eq(write(fds[1], text, len), (ssize_t)len);
	close(fds[1]);
	return fds[0];
}

Test(secret_read, pipe_takes_one_line_and_leaves_the_rest)
{
	int fd = pipe_with("first line\nsecond\n", 18);
	struct secret *s = NULL;
	char *cause = NULL;
	char rest[32] = "";

	cr_assert_eq(secret_read_tty("unused: ", fd, &s, &cause), 0, "%s", cause);
	cr_assert_str_eq(secret_str(s), "first line");
	cr_assert_eq(read(fd, rest, sizeof rest - 1), 7);
	cr_assert_str_eq(rest, "second\n", "read past the newline: left '%s'", rest);
	secret_free(&s);
	close(fd);
}

struct line_case {
	char input[32];
	size_t input_len;
	char want[32];
};

Test(secret_read, pipe_line_endings)
{
	// clang-format off
	static const struct line_case cases[] = {
		{ "no newline", 10, "no newline" },
		{ "crlf\r\n", 6, "crlf" },
		{ "\n", 1, "" },
		{ " spaced  'quoted\" \n", 19, " spaced  'quoted\" " },
		{ "caf\xc3\xa9\n", 6, "caf\xc3\xa9" },
	};
	// clang-format on

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int fd = pipe_with(cases[i].input, cases[i].input_len);
		struct secret *s = NULL;
		char *cause = NULL;

		cr_assert_eq(secret_read_tty(NULL, fd, &s, &cause), 0, "case %zu: %s", i, cause);
		cr_assert_str_eq(secret_str(s), cases[i].want, "case %zu", i);
		secret_free(&s);
		close(fd);
	}
}

Test(secret_read, empty_input_is_refused)
{
	int fd = pipe_with("", 0);
	struct secret *s = NULL;
	char *cause = NULL;

	cr_assert_eq(secret_read_tty(NULL, fd, &s, &cause), -1);
	cr_assert_null(s);
	cr_assert_not_null(strstr(cause, "no secret given"), "%s", cause);
	free(cause);
	close(fd);
}

Test(secret_read, too_long_is_refused)
{
	size_t len = SECRET_READ_MAX + 2;
	char *text = malloc(len);
	struct secret *s = NULL;
	char *cause = NULL;
	int fd;

	memset(text, 'a', len);
	text[len - 1] = '\n';
	fd = pipe_with(text, len);
	cr_assert_eq(secret_read_tty(NULL, fd, &s, &cause), -1);
	cr_assert_null(s);
	cr_assert_not_null(strstr(cause, "longer than"), "%s", cause);
	free(cause);
	free(text);
	close(fd);
}

Test(secret_read, longest_allowed_is_taken)
{
	size_t len = SECRET_READ_MAX + 1;
	char *text = malloc(len);
	struct secret *s = NULL;
	char *cause = NULL;
	int fd;

	memset(text, 'b', len);
	text[len - 1] = '\n';
	fd = pipe_with(text, len);
	cr_assert_eq(secret_read_tty(NULL, fd, &s, &cause), 0, "%s", cause);
	cr_assert_eq(secret_len(s), SECRET_READ_MAX);
	secret_free(&s);
	free(text);
	close(fd);
}

/* --- reading from a terminal ------------------------------------------------ */

/* A reader that never returns fails the test instead of hanging make check. */
TestSuite(secret_tty, .timeout = 20);

struct pty {
	int master, slave;
	struct termios before;
};

static void
pty_open(struct pty *p)
{
	p->master = posix_openpt(O_RDWR | O_NOCTTY);
	cr_assert_geq(p->master, 0);
	cr_assert_eq(grantpt(p->master), 0);
	cr_assert_eq(unlockpt(p->master), 0);
	p->slave = open(ptsname(p->master), O_RDWR | O_NOCTTY);
	cr_assert_geq(p->slave, 0);
	cr_assert_eq(tcgetattr(p->slave, &p->before), 0);
	cr_assert(p->before.c_lflag & ECHO, "a new pty should echo");
}

/* Types KEYS into the pty once echo is off, as a user does after the prompt appears. */
struct typist {
	int master;
	const char *keys;
	size_t len;
	bool typed;
};

static void *
typist_run(void *arg)
{
	struct typist *t = arg;
	struct termios now;

	for (int i = 0; i < 2000; i++) {
		/* On Linux the master reports the slave's settings. */
		if (tcgetattr(t->master, &now) == 0 && !(now.c_lflag & ECHO)) {
			t->typed = write(t->master, t->keys, t->len) == (ssize_t)t->len;
			return NULL;
		}
		nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
	}
	/* Type anyway, so that the reader returns and the test fails instead of hanging. */
	if (write(t->master, t->keys, t->len) < 0)
		return NULL;
	return NULL;
}

/* Run secret_read_tty on a new pty while KEYS are typed; return what the screen got. */
static int
pty_read(const char *keys, size_t len, struct secret **out, char **cause, char *screen, size_t size)
{
	struct pty p;
	struct typist t;
	struct termios after;
	pthread_t thread;
	size_t got = 0;
	int rc;

	pty_open(&p);
	t = (struct typist){.master = p.master, .keys = keys, .len = len};
	cr_assert_eq(pthread_create(&thread, NULL, typist_run, &t), 0);
	rc = secret_read_tty("Passphrase: ", p.slave, out, cause);
	pthread_join(thread, NULL);
	cr_assert(t.typed, "echo was never turned off (waited 2 s)");

	cr_assert_eq(tcgetattr(p.slave, &after), 0);
	cr_assert_eq(after.c_lflag, p.before.c_lflag, "terminal not restored: lflag %#x, was %#x",
	    (unsigned)after.c_lflag, (unsigned)p.before.c_lflag);
	cr_assert_eq(after.c_cc[VMIN], p.before.c_cc[VMIN]);

	for (;;) {
		struct pollfd pfd = {.fd = p.master, .events = POLLIN};
		ssize_t n;

		if (poll(&pfd, 1, 100) <= 0 || got + 1 >= size)
			break;
		n = read(p.master, screen + got, size - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	screen[got] = '\0';
	close(p.slave);
	close(p.master);
	return rc;
}

Test(secret_tty, reads_without_echo_and_restores_the_terminal)
{
	struct secret *s = NULL;
	char *cause = NULL;
	char screen[256];

	cr_assert_eq(
	    pty_read("hunter2 x\r", 10, &s, &cause, screen, sizeof screen), 0, "%s", cause);
	cr_assert_str_eq(secret_str(s), "hunter2 x");
	cr_assert_not_null(strstr(screen, "Passphrase: "), "no prompt on screen: '%s'", screen);
	cr_assert_null(strstr(screen, "hunter"), "the secret was echoed: '%s'", screen);
	cr_assert_not_null(strchr(screen, '\n'), "the prompt's line was not ended: '%s'", screen);
	secret_free(&s);
}

Test(secret_tty, editing_keys)
{
	// clang-format off
	static const struct {
		char keys[32];
		char want[16];
	} cases[] = {
		{ "abcd\x7f\x7fxy\n", "abxy" },        /* DEL erases */
		{ "ab\bc\n", "ac" },                   /* so does Backspace */
		{ "p\xc3\xa9\x7f\n", "p" },            /* one erase takes all of "é" */
		{ "junk\x15good\n", "good" },          /* Ctrl-U kills the line */
		{ "\x7f\x7fok\n", "ok" },              /* erasing nothing is harmless */
		{ "a\x04z\n", "az" },                  /* Ctrl-D mid-line is ignored */
	};
	// clang-format on

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct secret *s = NULL;
		char *cause = NULL;
		char screen[256];

		cr_assert_eq(pty_read(cases[i].keys, strlen(cases[i].keys), &s, &cause, screen,
		                 sizeof screen),
		    0, "case %zu: %s", i, cause);
		cr_assert_str_eq(secret_str(s), cases[i].want, "case %zu", i);
		secret_free(&s);
	}
}

Test(secret_tty, ctrl_c_cancels_and_restores_the_terminal)
{
	struct secret *s = NULL;
	char *cause = NULL;
	char screen[256];

	cr_assert_eq(pty_read("abc\x03", 4, &s, &cause, screen, sizeof screen), -1);
	cr_assert_null(s);
	cr_assert_str_eq(cause, "cancelled");
	cr_assert_null(strstr(screen, "abc"), "echoed: '%s'", screen);
	free(cause);
}

Test(secret_tty, ctrl_d_on_an_empty_line_ends)
{
	struct secret *s = NULL;
	char *cause = NULL;
	char screen[256];

	cr_assert_eq(pty_read("\x04", 1, &s, &cause, screen, sizeof screen), -1);
	cr_assert_null(s);
	cr_assert_not_null(strstr(cause, "no secret given"), "%s", cause);
	free(cause);
}
