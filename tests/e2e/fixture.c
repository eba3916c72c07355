/* fixture: a tiny terminal program for vtdrive's self-test; each mode shows one thing the driver
 * must get right. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
	got_signal = sig;
}

/*
 * Write all of s; a short write would lose text. After a hangup nothing can be
 * shown, so an error just ends the attempt and the test sees the text missing.
 */
static void
say(const char *s)
{
	size_t len = strlen(s);

	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

/* Raw mode, so every byte of a key reaches us as the terminal sent it. */
static void
raw_mode(void)
{
	struct termios t;

	if (tcgetattr(STDIN_FILENO, &t) < 0)
		exit(99);
	cfmakeraw(&t);
	tcsetattr(STDIN_FILENO, TCSANOW, &t);
}

/* bytes as "1b 5b 41" */
static void
hex(char *out, size_t outlen, const unsigned char *b, size_t n)
{
	size_t i, off = 0;

	out[0] = '\0';
	for (i = 0; i < n && off + 4 < outlen; i++)
		off += (size_t)snprintf(out + off, outlen - off, "%s%02x", i ? " " : "", b[i]);
}

/* keys [app] [paste]: show each read in hex, "in: [1b 5b 41]", on a cleared screen; ^D ends. */
static int
mode_keys(int argc, char **argv)
{
	unsigned char b[256];
	char line[1024], h[800];
	int i;

	raw_mode();
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "app") == 0)
			say("\033[?1h\033="); /* what ncurses' keypad(TRUE) sends (smkx) */
		else if (strcmp(argv[i], "paste") == 0)
			say("\033[?2004h");
	}
	say("ready\r\n");
	for (;;) {
		ssize_t n = read(STDIN_FILENO, b, sizeof b);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 1;
		hex(h, sizeof h, b, (size_t)n);
		snprintf(line, sizeof line, "\033[H\033[2Jin: [%s]\r\n", h);
		say(line);
		if (memchr(b, 0x04, (size_t)n)) {
			say("bye\r\n");
			return 0;
		}
	}
}

static void
say_size(void)
{
	struct winsize ws;
	char line[64];

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0)
		exit(99);
	snprintf(line, sizeof line, "size %ux%u\r\n", ws.ws_col, ws.ws_row);
	say(line);
}

/* size: print the terminal size at start and after each SIGWINCH; ^D ends. */
static int
mode_size(void)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
	sigset_t block, orig;
	unsigned char c;

	raw_mode();
	sigemptyset(&block);
	sigaddset(&block, SIGWINCH);
	/* Blocked but for ppoll, so a resize between the check and the wait is not lost. */
	sigprocmask(SIG_BLOCK, &block, &orig);
	sigaction(SIGWINCH, &sa, NULL);
	say_size();
	for (;;) {
		if (got_signal) {
			got_signal = 0;
			say_size();
		}
		if (ppoll(&p, 1, NULL, &orig) < 0)
			continue;
		if (read(STDIN_FILENO, &c, 1) != 1 || c == 0x04)
			return 0;
	}
}

/* alt: write on the normal screen, enter the alternate one, leave it on a key. */
static int
mode_alt(void)
{
	unsigned char c;

	raw_mode();
	say("on the normal screen\r\n");
	say("\033[?1049h\033[H\033[2Jin the alternate screen\r\n");
	if (read(STDIN_FILENO, &c, 1) != 1)
		return 1;
	say("\033[?1049lback on the normal screen\r\n");
	return 0;
}

/* utf8: wide and combining characters, and a write that lands between wide ones. */
static int
mode_utf8(void)
{
	unsigned char c;

	raw_mode();
	say("wide:[\xe6\xbc\xa2\xe5\xad\x97]\r\n");     /* 漢字 */
	say("comb:[e\xcc\x81]\r\n");                    /* e + COMBINING ACUTE */
	say("\xe6\xbc\xa2\xe5\xad\x97|\033[3;5HZ\r\n"); /* Z replaces the | at column 4 */
	say("\xe6\xbc\xa2\xe5\xad\x97");                /* cursor ends at column 4 */
	while (read(STDIN_FILENO, &c, 1) == 1 && c != 0x04)
		;
	return 0;
}

/* Read the terminal's answer to a query, up to its final byte, within 2 s. */
static void
ask(const char *query, char final, const char *label)
{
	unsigned char b[128];
	char line[512], shown[256];
	size_t n = 0, i, off = 0;
	struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};

	say(query);
	while (n < sizeof b && (n == 0 || b[n - 1] != (unsigned char) final)) {
		if (poll(&p, 1, 2000) <= 0 || read(STDIN_FILENO, b + n, 1) != 1)
			break;
		n++;
	}
	for (i = 0; i < n && off + 3 < sizeof shown; i++) {
		if (b[i] == 0x1b)
			off += (size_t)snprintf(shown + off, sizeof shown - off, "^[");
		else
			shown[off++] = (char)b[i];
	}
	shown[off] = '\0';
	snprintf(line, sizeof line, "%s reply: %s\r\n", label, n ? shown : "none");
	say(line);
}

/* query: ask what a program may ask a terminal, show the answers. */
static int
mode_query(void)
{
	unsigned char c;

	raw_mode();
	ask("\033[c", 'c', "DA");
	say("\033[10;20H");
	ask("\033[6n", 'R', "\r\nDSR");
	ask("\033[18t", 't', "size");
	while (read(STDIN_FILENO, &c, 1) == 1 && c != 0x04)
		;
	return 0;
}

/* hup: wait for SIGHUP, say so, exit 3. */
static int
mode_hup(void)
{
	struct sigaction sa = {.sa_handler = on_signal};
	sigset_t block, orig;

	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &orig);
	sigaction(SIGHUP, &sa, NULL);
	say("waiting for SIGHUP\r\n");
	while (!got_signal)
		sigsuspend(&orig);
	say("got SIGHUP\r\n");
	return 3;
}

/* stubborn: ignore the polite signals, so only SIGKILL ends it. */
static _Noreturn void
mode_stubborn(void)
{
	signal(SIGHUP, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	say("stubborn\r\n");
	for (;;)
		pause();
}

int
main(int argc, char **argv)
{
	const char *pidfile = getenv("FIXTURE_PIDFILE");

	if (argc < 2) {
		fprintf(stderr, "usage: fixture keys [app] [paste] | size | alt | utf8 | query | "
		                "hup | stubborn | exit N\n");
		return 2;
	}
	/* For tests that check the driver leaves no process behind. */
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");

		if (f == NULL)
			return 99;
		fprintf(f, "%ld\n", (long)getpid());
		fclose(f);
	}
	if (strcmp(argv[1], "keys") == 0)
		return mode_keys(argc - 2, argv + 2);
	if (strcmp(argv[1], "size") == 0)
		return mode_size();
	if (strcmp(argv[1], "alt") == 0)
		return mode_alt();
	if (strcmp(argv[1], "utf8") == 0)
		return mode_utf8();
	if (strcmp(argv[1], "query") == 0)
		return mode_query();
	if (strcmp(argv[1], "hup") == 0)
		return mode_hup();
	if (strcmp(argv[1], "stubborn") == 0)
		mode_stubborn();
	if (strcmp(argv[1], "exit") == 0 && argc > 2) {
		say("leaving now\r\n");
		return atoi(argv[2]);
	}
	fprintf(stderr, "fixture: unknown mode %s\n", argv[1]);
	return 2;
}
