/* Secrets in memory: page-aligned, mlock()ed, left out of core dumps, wiped before unmapping. */
#include "config.h"

#include "util/secret.h"
#include "util/xmalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <termios.h>
#include <unistd.h>

struct secret {
	/* mmap()ed pages of their own: mlock and MADV_DONTDUMP work on whole pages. */
	unsigned char *bytes;
	size_t len;
	size_t cap; /* bytes usable, one fewer than mapped for the trailing NUL */
	size_t mapped;
	bool locked;
};

/* An empty secret with room for CAP bytes. Aborts when memory runs out, as xmalloc does. */
static struct secret *
secret_alloc(size_t cap)
{
	long page = sysconf(_SC_PAGESIZE);
	struct secret *s = xcalloc(1, sizeof *s);
	size_t want = cap + 1;

	if (page <= 0)
		page = 4096;
	s->mapped = (want + (size_t)page - 1) / (size_t)page * (size_t)page;
	s->bytes =
	    mmap(NULL, s->mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->bytes == MAP_FAILED) {
		static const char msg[] = "ehrterm: out of memory for a secret\n";

		if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
			/* nothing more we can do */
		}
		abort();
	}
	/* Both are best effort: an unprivileged RLIMIT_MEMLOCK may be small, and an
	 * old kernel may not know MADV_DONTDUMP; ehrterm also disables core dumps. */
	(void)madvise(s->bytes, s->mapped, MADV_DONTDUMP);
	s->locked = mlock(s->bytes, s->mapped) == 0;
	s->cap = s->mapped - 1;
	return s;
}

struct secret *
secret_new_from(const char *bytes, size_t len)
{
	struct secret *s = secret_alloc(len);

	if (len > 0)
		memcpy(s->bytes, bytes, len);
	s->len = len;
	s->bytes[len] = '\0';
	return s;
}

struct secret *
secret_new_len(size_t len)
{
	struct secret *s = secret_alloc(len);

	/* Fresh anonymous pages are zero already. */
	s->len = len;
	return s;
}

char *
secret_data(struct secret *s)
{
	return s == NULL ? NULL : (char *)s->bytes;
}

const char *
secret_str(const struct secret *s)
{
	return s == NULL ? NULL : (const char *)s->bytes;
}

size_t
secret_len(const struct secret *s)
{
	return s == NULL ? 0 : s->len;
}

bool
secret_locked(const struct secret *s)
{
	return s != NULL && s->locked;
}

bool
secret_equal(const struct secret *a, const struct secret *b)
{
	unsigned char diff = 0;

	if (a == NULL || b == NULL)
		return a == b;
	if (a->len != b->len)
		return false;
	for (size_t i = 0; i < a->len; i++)
		diff |= a->bytes[i] ^ b->bytes[i];
	return diff == 0;
}

void
secret_clear(struct secret *s)
{
	if (s == NULL)
		return;
	/* The whole mapping: a reader may have put bytes beyond len before giving up. */
	explicit_bzero(s->bytes, s->mapped);
	s->len = 0;
}

void
secret_free(struct secret **sp)
{
	struct secret *s;

	if (sp == NULL || *sp == NULL)
		return;
	s = *sp;
	secret_clear(s);
	if (s->locked)
		(void)munlock(s->bytes, s->mapped);
	(void)munmap(s->bytes, s->mapped);
	free(s);
	*sp = NULL;
}

/* Append byte C, or return -1 when the secret is full. */
static int
secret_append(struct secret *s, unsigned char c)
{
	if (s->len >= SECRET_READ_MAX || s->len >= s->cap)
		return -1;
	s->bytes[s->len++] = c;
	s->bytes[s->len] = '\0';
	return 0;
}

/* Remove the last character, all of its UTF-8 bytes, as a terminal's erase does. */
static void
secret_erase_char(struct secret *s)
{
	while (s->len > 0) {
		unsigned char c = s->bytes[--s->len];

		s->bytes[s->len] = '\0';
		if ((c & 0xc0) != 0x80)
			break;
	}
}

/* One byte from FD: 1 read, 0 end of input, -1 error (errno set). */
static int
secret_read_byte(int fd, unsigned char *c)
{
	ssize_t n;

	do
		n = read(fd, c, 1);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -1 : (int)n;
}

static void
secret_write_all(int fd, const char *text)
{
	size_t len = strlen(text);

	while (len > 0) {
		ssize_t n = write(fd, text, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* the prompt is a courtesy; reading can still go on */
		text += n;
		len -= (size_t)n;
	}
}

/* A line from a pipe or file, one byte at a time so nothing past the newline is taken. */
static int
secret_read_line(int fd, struct secret *s, char **cause)
{
	unsigned char c;
	bool any = false;
	int n;

	while ((n = secret_read_byte(fd, &c)) == 1) {
		any = true;
		if (c == '\n')
			break;
		if (secret_append(s, c) == -1) {
			*cause = xasprintf("the secret is longer than %d bytes", SECRET_READ_MAX);
			return -1;
		}
	}
	if (n == -1) {
		*cause = xasprintf("cannot read the secret: %s", strerror(errno));
		return -1;
	}
	if (!any) {
		*cause = xstrdup("no secret given: the input ended before a line was read");
		return -1;
	}
	/* A file written on Windows ends its lines in CR LF. */
	if (s->len > 0 && s->bytes[s->len - 1] == '\r')
		s->bytes[--s->len] = '\0';
	return 0;
}

/*
 * A line from a terminal whose echo, line editing and signal keys are off: we do the
 * editing so that Ctrl-C reaches us as a key and we can put the terminal back, rather
 * than dying with echo off and leaving the user's shell blind.
 */
static int
secret_read_keys(int fd, const struct termios *saved, struct secret *s, char **cause)
{
	unsigned char c;
	int n;

	for (;;) {
		n = secret_read_byte(fd, &c);
		if (n == -1) {
			*cause = xasprintf("cannot read the secret: %s", strerror(errno));
			return -1;
		}
		if (n == 0 || (c == saved->c_cc[VEOF] && s->len == 0)) {
			*cause = xstrdup("no secret given: the input ended");
			return -1;
		}
		if (c == '\n' || c == '\r')
			return 0;
		if (c == saved->c_cc[VINTR]) {
			*cause = xstrdup("cancelled");
			return -1;
		}
		if (c == saved->c_cc[VERASE] || c == 0x7f || c == 0x08)
			secret_erase_char(s);
		else if (c == saved->c_cc[VKILL])
			secret_clear(s);
		else if (c == saved->c_cc[VEOF])
			continue; /* Ctrl-D ends only an empty line, as in a shell */
		else if (secret_append(s, c) == -1) {
			*cause = xasprintf("the secret is longer than %d bytes", SECRET_READ_MAX);
			return -1;
		}
	}
}

int
secret_read_tty(const char *prompt, int fd, struct secret **out, char **cause)
{
	struct termios saved, quiet;
	struct secret *s;
	int rc;

	s = secret_alloc(SECRET_READ_MAX);
	if (!isatty(fd)) {
		rc = secret_read_line(fd, s, cause);
		goto done;
	}
	if (tcgetattr(fd, &saved) == -1) {
		*cause = xasprintf("cannot read the terminal settings: %s", strerror(errno));
		rc = -1;
		goto done;
	}
	quiet = saved;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL | ICANON | ISIG | IEXTEN);
	quiet.c_cc[VMIN] = 1;
	quiet.c_cc[VTIME] = 0;
	/* Refuse rather than read a secret the screen would show. */
	if (tcsetattr(fd, TCSANOW, &quiet) == -1) {
		*cause = xasprintf("cannot turn off echo on the terminal: %s", strerror(errno));
		rc = -1;
		goto done;
	}
	if (prompt != NULL)
		secret_write_all(fd, prompt);
	rc = secret_read_keys(fd, &saved, s, cause);
	/* Echo was off, so the user's Enter was not shown: end the prompt's line. */
	secret_write_all(fd, "\n");
	while (tcsetattr(fd, TCSANOW, &saved) == -1 && errno == EINTR)
		;
done:
	if (rc == -1) {
		secret_free(&s);
		return -1;
	}
	*out = s;
	return 0;
}
