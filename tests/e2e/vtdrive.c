/* vtdrive: end-to-end tests run a program in a pseudo-terminal read by libvterm, by a script. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <vterm.h>

#include "util/xmalloc.h"

/* Waits without their own timeout use this; the `timeout` step changes it. */
#define DEFAULT_TIMEOUT_MS 10000
/*
 * Once the child is reaped, the pty reports end of file when its last writer is
 * gone; a grandchild that keeps the terminal open would make us wait forever.
 */
#define DRAIN_MS 500
/*
 * After a wait is met, keep reading until the program has been quiet this long:
 * a frame bigger than one pty read arrives in pieces, and the expect-* steps that
 * follow a wait must see all of it. A program that never stops drawing is given
 * at most SETTLE_MAX_MS.
 */
#define DEFAULT_SETTLE_MS 50
#define SETTLE_MAX_MS 1000
/* At the end, how long a child may take to leave after SIGHUP before SIGKILL. */
#define KILL_GRACE_MS 1000
#define EXIT_FAILED 1
#define EXIT_USAGE 2

struct drive;
struct step;

/* A growable byte buffer. */
struct buf {
	char *p;
	size_t len;
	size_t cap;
};

/* One script argument: NUL-terminated, but may hold NULs written as \x00. */
struct arg {
	char *s;
	size_t len;
};

enum op_flags {
	OP_BEFORE_SPAWN = 1 << 0, /* configures the child: only before `spawn` */
	OP_AFTER_SPAWN = 1 << 1,  /* talks to the child: only after `spawn` */
};

struct op {
	const char *name;
	int (*run)(struct drive *, const struct step *);
	/*
	 * One letter per argument, checked when the script is read, so a typo on
	 * line 40 fails before anything runs. '?' makes the rest optional, '*'
	 * repeats the letter before it. N size, r row (negative counts from the
	 * bottom), c column, d seconds, s string (any bytes), u UTF-8 text,
	 * w word, e NAME=VALUE, k key, g signal, x exit status, o on|off,
	 * a an attribute (reverse, bold, ...).
	 */
	const char *args;
	int flags;
	const char *usage;
	const char *help;
};

struct step {
	const struct op *op;
	int line;
	char *text; /* the line as written, for messages */
	int argc;
	struct arg *argv;
};

struct envop {
	char *name;
	char *value; /* NULL: remove from the environment */
};

/* How a child may end, for `wait-exit`. */
struct exit_spec {
	enum { EXIT_ANY, EXIT_CODE, EXIT_SIGNAL } kind;
	int value;
};

/* A key: a libvterm key (which knows the terminal's modes) or literal bytes. */
struct key {
	VTermKey vkey; /* VTERM_KEY_NONE: send bytes */
	VTermModifier mod;
	char bytes[8];
	size_t len;
};

struct drive {
	/* Set by the steps before `spawn`. */
	int cols, rows;
	char *term;
	char *cwd;
	struct envop *env;
	size_t nenv;
	int rawlog; /* -1: none */
	char *rawlog_name;

	int64_t timeout_ms;
	int64_t settle_ms;
	int64_t met_ms; /* when the running step's wait was met, before settling; 0: none */
	bool verbose;

	VTerm *vt;
	VTermScreen *screen;
	VTermState *state;
	bool altscreen;
	bool cursor_visible;
	char *rowbuf; /* one row's text, see row_text() */
	size_t rowcap;

	int master;      /* -1 before spawn and after hangup */
	bool master_eof; /* nothing more will come from the pty */
	pid_t pid;       /* 0 before spawn */
	bool reaped;
	int status; /* from waitpid(), once reaped */
	int64_t reaped_ms;
	struct rusage rusage; /* the child's, from wait4(), once reaped */
	bool have_rusage;
	bool hung_up;

	pid_t shell_pid; /* a `shell` step's command while it runs; 0: none */
	bool shell_reaped;
	int shell_status;

	struct buf raw; /* everything the child wrote */
	struct buf out; /* bytes waiting to be written to the child */
	int64_t last_output_ms;
	int64_t last_output_us; /* the same, finer, for `mark` */
	uint64_t to_child;
	int64_t wake_ms; /* a wait's condition may hold by then without any event: check */

	int sigpipe[2];  /* self-pipe: signal handlers write the signal number */
	int interrupted; /* a signal that asks vtdrive itself to stop */

	const char *script;
	int stepno;
	const struct step *cur;
};

enum wait_result { WAIT_OK, WAIT_TIMEOUT, WAIT_GONE, WAIT_INTR };

static int sig_write_fd = -1;
/* The one drive, for the atexit handler that must not leave the child behind. */
static struct drive *the_drive;

/* --- small utilities ----------------------------------------------------- */

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (b->len + n + 1 > cap)
			cap *= 2;
		b->p = xreallocarray(b->p, cap, 1);
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
buf_shift(struct buf *b, size_t n)
{
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
}

/* Append code point c to b as UTF-8; false if it is not a Unicode scalar value. */
static bool
utf8_add(struct buf *b, uint32_t c)
{
	char u[4];
	size_t n;

	if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return false;
	if (c < 0x80) {
		u[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (char)(0xc0 | c >> 6);
		u[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (char)(0xe0 | c >> 12);
		u[1] = (char)(0x80 | (c >> 6 & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | c >> 18);
		u[1] = (char)(0x80 | (c >> 12 & 0x3f));
		u[2] = (char)(0x80 | (c >> 6 & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	}
	buf_add(b, u, n);
	return true;
}

/* Length of the UTF-8 sequence starting at s, or 0 if it is not one. */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		n = 2;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

static uint32_t
utf8_decode(const unsigned char *s, size_t n)
{
	static const unsigned char lead_mask[] = {0, 0x7f, 0x1f, 0x0f, 0x07};
	uint32_t c = s[0] & lead_mask[n];
	size_t i;

	for (i = 1; i < n; i++)
		c = c << 6 | (s[i] & 0x3f);
	return c;
}

/* Parse seconds with an optional fraction ("10", "0.5") into milliseconds. */
static bool
parse_seconds(const char *s, int64_t *ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0 && v <= 86400))
		return false;
	*ms = (int64_t)(v * 1000 + 0.5);
	return true;
}

static bool
parse_int(const char *s, long lo, long hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return false;
	*out = (int)v;
	return true;
}

// clang-format off
static const struct {
	const char *name;
	int sig;
} signal_names[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "ILL", SIGILL },
	{ "TRAP", SIGTRAP }, { "ABRT", SIGABRT }, { "BUS", SIGBUS }, { "FPE", SIGFPE },
	{ "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM }, { "CHLD", SIGCHLD },
	{ "CONT", SIGCONT }, { "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
	{ "TTOU", SIGTTOU }, { "WINCH", SIGWINCH },
};
// clang-format on

/* A signal by name (HUP, SIGHUP) or number; 0 if unknown. */
static int
signal_parse(const char *s)
{
	size_t i;
	int n;

	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (i = 0; i < sizeof signal_names / sizeof signal_names[0]; i++)
		if (strcmp(s, signal_names[i].name) == 0)
			return signal_names[i].sig;
	if (parse_int(s, 1, NSIG - 1, &n))
		return n;
	return 0;
}

static const char *
signal_name(int sig, char *tmp, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof signal_names / sizeof signal_names[0]; i++)
		if (signal_names[i].sig == sig) {
			snprintf(tmp, len, "SIG%s", signal_names[i].name);
			return tmp;
		}
	snprintf(tmp, len, "signal %d", sig);
	return tmp;
}

static bool
exit_spec_parse(const char *s, struct exit_spec *e)
{
	int v;

	if (strcmp(s, "any") == 0) {
		e->kind = EXIT_ANY;
		return true;
	}
	if (parse_int(s, 0, 255, &v)) {
		e->kind = EXIT_CODE;
		e->value = v;
		return true;
	}
	if ((v = signal_parse(s)) != 0) {
		e->kind = EXIT_SIGNAL;
		e->value = v;
		return true;
	}
	return false;
}

// clang-format off
static const struct {
	const char *name;
	VTermKey key;
	VTermModifier mod;
} key_names[] = {
	{ "Enter", VTERM_KEY_ENTER, 0 }, { "Tab", VTERM_KEY_TAB, 0 },
	{ "BTab", VTERM_KEY_TAB, VTERM_MOD_SHIFT }, { "Backspace", VTERM_KEY_BACKSPACE, 0 },
	{ "Esc", VTERM_KEY_ESCAPE, 0 }, { "Escape", VTERM_KEY_ESCAPE, 0 },
	{ "Up", VTERM_KEY_UP, 0 }, { "Down", VTERM_KEY_DOWN, 0 },
	{ "Left", VTERM_KEY_LEFT, 0 }, { "Right", VTERM_KEY_RIGHT, 0 },
	{ "Insert", VTERM_KEY_INS, 0 }, { "Delete", VTERM_KEY_DEL, 0 },
	{ "Home", VTERM_KEY_HOME, 0 }, { "End", VTERM_KEY_END, 0 },
	{ "PgUp", VTERM_KEY_PAGEUP, 0 }, { "PgDn", VTERM_KEY_PAGEDOWN, 0 },
};
// clang-format on

/* The byte a terminal sends for Ctrl and c, or -1 if there is none. */
static int
ctrl_byte(uint32_t c)
{
	if (c >= 'a' && c <= 'z')
		return (int)(c - 'a' + 1);
	if (c >= '@' && c <= '_')
		return (int)(c - '@');
	if (c == ' ')
		return 0;
	if (c == '?')
		return 0x7f;
	return -1;
}

/*
 * A key name: optional S- C- M- prefixes, then a name from key_names, F1..F12,
 * Space, ^X, or one character. Named keys go through libvterm so that they
 * follow the modes the program set (application cursor keys send ESC O A);
 * characters are sent as xterm sends them, Meta as an ESC prefix.
 */
static bool
key_parse(const char *name, struct key *k, char **cause)
{
	static const char prefixes[] = "SCM";
	static const VTermModifier prefix_mods[] = {VTERM_MOD_SHIFT, VTERM_MOD_CTRL, VTERM_MOD_ALT};
	const char *s = name, *m;
	struct buf b = {0};
	uint32_t c;
	size_t i, n;
	int fn;

	memset(k, 0, sizeof *k);
	k->vkey = VTERM_KEY_NONE;
	while (
	    s[0] != '\0' && (m = strchr(prefixes, s[0])) != NULL && s[1] == '-' && s[2] != '\0') {
		k->mod |= prefix_mods[m - prefixes];
		s += 2;
	}
	for (i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
		if (strcmp(s, key_names[i].name) == 0) {
			k->vkey = key_names[i].key;
			k->mod |= key_names[i].mod;
			return true;
		}
	if (s[0] == 'F' && parse_int(s + 1, 1, 12, &fn)) {
		k->vkey = VTERM_KEY_FUNCTION(fn);
		return true;
	}
	if (strcmp(s, "Space") == 0) {
		c = ' ';
	} else if (s[0] == '^' && s[1] != '\0' && s[2] == '\0') {
		if (ctrl_byte((unsigned char)s[1]) < 0 || (s[1] >= 'a' && s[1] <= 'z')) {
			*cause = xasprintf("no control character %s (use ^A..^Z, ^@, ^[, ^\\, ^], "
			                   "^^, ^_ or ^?)",
			    s);
			return false;
		}
		c = (uint32_t)s[1];
		k->mod |= VTERM_MOD_CTRL;
	} else if ((n = utf8_len((const unsigned char *)s)) != 0 && s[n] == '\0') {
		c = utf8_decode((const unsigned char *)s, n);
	} else {
		*cause = xasprintf("unknown key '%s'", name);
		return false;
	}
	if (k->mod & VTERM_MOD_SHIFT) {
		if (c < 'a' || c > 'z') {
			*cause = xasprintf("S- only goes with letters and named keys: '%s'", name);
			return false;
		}
		c = c - 'a' + 'A';
	}
	if (k->mod & VTERM_MOD_ALT)
		buf_add(&b, "\033", 1);
	if (k->mod & VTERM_MOD_CTRL) {
		int ctl = ctrl_byte(c);

		if (ctl < 0) {
			*cause = xasprintf("no control character for '%s'", name);
			free(b.p);
			return false;
		}
		buf_add(&b, &(char){(char)ctl}, 1);
	} else if (!utf8_add(&b, c)) {
		*cause = xasprintf("unknown key '%s'", name);
		free(b.p);
		return false;
	}
	memcpy(k->bytes, b.p, b.len);
	k->len = b.len;
	free(b.p);
	return true;
}

/* --- the terminal -------------------------------------------------------- */

/* libvterm's answers to the program's queries (DA, DSR, ...) go back to the pty. */
static void
on_vterm_output(const char *s, size_t len, void *user)
{
	struct drive *d = user;

	buf_add(&d->out, s, len);
}

static int
on_settermprop(VTermProp prop, VTermValue *val, void *user)
{
	struct drive *d = user;

	if (prop == VTERM_PROP_ALTSCREEN)
		d->altscreen = val->boolean;
	else if (prop == VTERM_PROP_CURSORVISIBLE)
		d->cursor_visible = val->boolean;
	return 1;
}

/* xterm answers "CSI 18 t" (text area size in characters); libvterm does not. */
static int
on_unknown_csi(const char *leader, const long args[], int argcount, const char *intermed,
    char command, void *user)
{
	struct drive *d = user;
	char reply[64];
	int n;

	if (command != 't' || (leader && *leader) || (intermed && *intermed) || argcount < 1 ||
	    CSI_ARG(args[0]) != 18)
		return 0;
	n = snprintf(reply, sizeof reply, "\033[8;%d;%dt", d->rows, d->cols);
	buf_add(&d->out, reply, (size_t)n);
	return 1;
}

static const VTermScreenCallbacks screen_callbacks = {
    .settermprop = on_settermprop,
};

static const VTermParserCallbacks fallbacks = {
    .csi = on_unknown_csi,
};

static void
term_new(struct drive *d)
{
	d->vt = vterm_new(d->rows, d->cols);
	vterm_set_utf8(d->vt, 1);
	vterm_output_set_callback(d->vt, on_vterm_output, d);
	d->state = vterm_obtain_state(d->vt);
	d->screen = vterm_obtain_screen(d->vt);
	vterm_screen_set_callbacks(d->screen, &screen_callbacks, d);
	vterm_screen_set_unrecognised_fallbacks(d->screen, &fallbacks, d);
	/* As xterm: the alternate screen is its own buffer, the normal one comes back. */
	vterm_screen_enable_altscreen(d->screen, 1);
	d->cursor_visible = true;
	vterm_screen_reset(d->screen, 1);
}

static void
term_resize(struct drive *d, int cols, int rows)
{
	d->cols = cols;
	d->rows = rows;
	vterm_set_size(d->vt, rows, cols);
}

/* The text of one row as UTF-8, trailing blanks dropped; borrowed until the next call. */
static const char *
row_text(struct drive *d, int row)
{
	VTermRect rect = {.start_row = row, .end_row = row + 1, .start_col = 0, .end_col = d->cols};
	size_t need = (size_t)d->cols * VTERM_MAX_CHARS_PER_CELL * 4 + 1;
	size_t n;

	if (need > d->rowcap) {
		d->rowbuf = xreallocarray(d->rowbuf, need, 1);
		d->rowcap = need;
	}
	n = vterm_screen_get_text(d->screen, d->rowbuf, need - 1, rect);
	if (n > need - 1)
		n = need - 1;
	while (n > 0 && d->rowbuf[n - 1] == ' ')
		n--;
	d->rowbuf[n] = '\0';
	return d->rowbuf;
}

/* The first row holding text, or -1. */
static int
screen_find(struct drive *d, const struct arg *text)
{
	int row;

	for (row = 0; row < d->rows; row++) {
		const char *t = row_text(d, row);

		if (memmem(t, strlen(t), text->s, text->len) != NULL)
			return row;
	}
	return -1;
}

static VTermPos
cursor_pos(struct drive *d)
{
	VTermPos pos;

	vterm_state_get_cursorpos(d->state, &pos);
	return pos;
}

static void
describe_child(struct drive *d, char *out, size_t len)
{
	char sig[32];

	if (d->pid == 0)
		snprintf(out, len, "not started");
	else if (!d->reaped)
		snprintf(out, len, "running (pid %ld)%s", (long)d->pid,
		    d->hung_up ? ", terminal hung up" : "");
	else if (WIFEXITED(d->status))
		snprintf(out, len, "exited %d", WEXITSTATUS(d->status));
	else if (WIFSIGNALED(d->status))
		snprintf(
		    out, len, "killed by %s", signal_name(WTERMSIG(d->status), sig, sizeof sig));
	else
		snprintf(out, len, "status 0x%x", (unsigned)d->status);
}

/* Print the screen, one numbered row a line, under a line with its state. */
static void
screen_dump(struct drive *d, FILE *f)
{
	VTermPos pos = cursor_pos(d);
	char child[96];
	int row, width = d->rows > 100 ? 3 : 2;

	describe_child(d, child, sizeof child);
	fprintf(f, "screen %dx%d, cursor row %d col %d (%s), %s screen; child %s\n", d->cols,
	    d->rows, pos.row, pos.col, d->cursor_visible ? "visible" : "hidden",
	    d->altscreen ? "alternate" : "normal", child);
	for (row = 0; row < d->rows; row++)
		fprintf(f, "%*d|%s\n", width, row, row_text(d, row));
	fflush(f);
}

/* --- the child ----------------------------------------------------------- */

static void
on_signal(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;

	if (write(sig_write_fd, &c, 1) < 0) {
		/* the pipe is full: a byte is already waiting to wake the loop */
	}
	errno = saved;
}

/*
 * Reap every child that has ended: the program, and (vtdrive being a child
 * subreaper) any orphaned descendant of it, which would otherwise stay a
 * zombie where process 1 does not reap.
 */
static void
reap(struct drive *d)
{
	struct rusage ru;
	pid_t r;
	int st;

	while ((r = wait4(-1, &st, WNOHANG, &ru)) > 0)
		if (r == d->pid && !d->reaped) {
			d->reaped = true;
			d->status = st;
			d->reaped_ms = now_ms();
			d->rusage = ru;
			d->have_rusage = true;
		} else if (r == d->shell_pid && !d->shell_reaped) {
			d->shell_reaped = true;
			d->shell_status = st;
		}
}

static void
read_signals(struct drive *d)
{
	unsigned char c[64];
	ssize_t n, i;

	while ((n = read(d->sigpipe[0], c, sizeof c)) > 0)
		for (i = 0; i < n; i++) {
			if (c[i] == SIGCHLD)
				reap(d);
			else
				d->interrupted = c[i];
		}
}

/* Everything the child writes goes to the raw log, the raw buffer and libvterm. */
static void
feed(struct drive *d, const char *p, size_t n)
{
	buf_add(&d->raw, p, n);
	if (d->rawlog >= 0) {
		size_t off = 0;

		while (off < n) {
			ssize_t w = write(d->rawlog, p + off, n - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				fprintf(stderr, "vtdrive: writing %s: %s; raw log stopped\n",
				    d->rawlog_name, strerror(errno));
				close(d->rawlog);
				d->rawlog = -1;
				break;
			}
			off += (size_t)w;
		}
	}
	vterm_input_write(d->vt, p, n);
	d->last_output_us = now_us();
	d->last_output_ms = d->last_output_us / 1000;
}

static void
read_child(struct drive *d)
{
	char b[65536];
	ssize_t n = read(d->master, b, sizeof b);

	if (n > 0)
		feed(d, b, (size_t)n);
	else if (n == 0 || (errno != EAGAIN && errno != EINTR))
		d->master_eof = true; /* EIO: nobody holds the terminal open any more */
}

static void
write_child(struct drive *d)
{
	ssize_t n = write(d->master, d->out.p, d->out.len);

	if (n > 0) {
		buf_shift(&d->out, (size_t)n);
		d->to_child += (uint64_t)n;
	} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
		d->out.len = 0; /* nobody will read it */
	}
}

/*
 * One turn of the loop: wait (no longer than deadline) for output from the
 * child, room to write to it, or a signal, and handle what came.
 */
static void
pump(struct drive *d, int64_t deadline)
{
	struct pollfd p[2];
	int n = 0, master_at = -1, r;
	int64_t now = now_ms(), wait = deadline - now;

	if (d->reaped && !d->master_eof && now >= d->reaped_ms + DRAIN_MS)
		d->master_eof = true;
	if (d->master < 0 || d->master_eof)
		d->out.len = 0;
	p[n].fd = d->sigpipe[0];
	p[n++].events = POLLIN;
	if (d->master >= 0 && !d->master_eof) {
		master_at = n;
		p[n].fd = d->master;
		p[n++].events = (short)(POLLIN | (d->out.len ? POLLOUT : 0));
		if (d->reaped && d->reaped_ms + DRAIN_MS - now < wait)
			wait = d->reaped_ms + DRAIN_MS - now;
	}
	if (wait < 0)
		wait = 0;
	if (wait > INT_MAX)
		wait = INT_MAX;
	r = poll(p, (nfds_t)n, (int)wait);
	if (r < 0) {
		if (errno == EINTR)
			return;
		fprintf(stderr, "vtdrive: poll: %s\n", strerror(errno));
		exit(EXIT_FAILED);
	}
	if (p[0].revents)
		read_signals(d);
	if (master_at >= 0) {
		short ev = p[master_at].revents;

		if (ev & (POLLIN | POLLHUP | POLLERR))
			read_child(d);
		if ((ev & POLLOUT) && d->out.len && !d->master_eof)
			write_child(d);
	}
}

/* Nothing more can reach the screen. */
static bool
output_over(const struct drive *d)
{
	return d->pid == 0 || d->master < 0 || d->master_eof;
}

/*
 * Turn the loop until done(d, ctx) holds, the deadline passes, the screen can no
 * longer change (when screen is set), or vtdrive is asked to stop.
 */
static enum wait_result
wait_until(
    struct drive *d, int64_t deadline, bool screen, bool (*done)(struct drive *, void *), void *ctx)
{
	for (;;) {
		d->wake_ms = deadline;
		if (done(d, ctx))
			return WAIT_OK;
		if (d->interrupted)
			return WAIT_INTR;
		if (screen && output_over(d))
			return WAIT_GONE;
		if (now_ms() >= deadline)
			return WAIT_TIMEOUT;
		pump(d, d->wake_ms < deadline ? d->wake_ms : deadline);
	}
}

/* SIGKILL every live child of vtdrive: orphans of the program, handed to us as subreaper. */
static bool
kill_children(void)
{
	char path[64], line[512], *p;
	struct dirent *e;
	bool any = false;
	DIR *dir;
	FILE *f;
	long pid, ppid;
	char state;

	dir = opendir("/proc");
	if (dir == NULL)
		return false;
	while ((e = readdir(dir)) != NULL) {
		if ((pid = strtol(e->d_name, &p, 10)) <= 0 || *p)
			continue;
		snprintf(path, sizeof path, "/proc/%ld/stat", pid);
		if ((f = fopen(path, "re")) == NULL)
			continue;
		/* "pid (comm) state ppid ...": comm may hold anything, even ")". */
		if (fgets(line, sizeof line, f) && (p = strrchr(line, ')')) != NULL &&
		    sscanf(p + 1, " %c %ld", &state, &ppid) == 2 && ppid == (long)getpid() &&
		    state != 'Z') {
			kill((pid_t)pid, SIGKILL);
			any = true;
		}
		fclose(f);
	}
	closedir(dir);
	return any;
}

/*
 * Stop the child, then everything it left behind: its process group (a
 * background job) and any descendant orphaned to us; reap them all.
 */
static void
child_stop(struct drive *d)
{
	int64_t deadline;
	bool leftovers;
	pid_t r;
	int st = 0;

	if (d->pid <= 0)
		return;
	reap(d);
	if (!d->reaped) {
		/* As when a terminal window closes: hang up, then insist. */
		if (d->master >= 0) {
			close(d->master);
			d->master = -1;
		}
		kill(-d->pid, SIGHUP);
		kill(-d->pid, SIGCONT);
		deadline = now_ms() + KILL_GRACE_MS;
		while (!d->reaped && now_ms() < deadline)
			pump(d, deadline);
		if (!d->reaped) {
			kill(-d->pid, SIGKILL);
			while ((r = wait4(d->pid, &st, 0, &d->rusage)) < 0 && errno == EINTR)
				;
			d->reaped = true;
			d->have_rusage = r == d->pid;
			d->status = st;
		}
	}
	/*
	 * The child was a session leader, so the group is its own; its pid cannot
	 * have been reused while the group still has members.
	 */
	leftovers = kill(-d->pid, SIGKILL) == 0;
	deadline = now_ms() + KILL_GRACE_MS;
	for (;;) {
		while ((r = waitpid(-1, &st, WNOHANG)) > 0)
			;
		if (r < 0 || now_ms() >= deadline)
			break; /* ECHILD: nothing is left */
		leftovers |= kill_children();
		pump(d, now_ms() + 50 < deadline ? now_ms() + 50 : deadline);
	}
	if (leftovers)
		fprintf(stderr, "vtdrive: the program left processes behind; killed them\n");
	if (r == 0)
		fprintf(stderr, "vtdrive: some processes the program left would not die\n");
	d->pid = -1;
}

static void
at_exit(void)
{
	struct drive *d = the_drive;

	/* Once only, even if stopping the child itself ends in exit(). */
	the_drive = NULL;
	if (d)
		child_stop(d);
}

/* In the child after fork(): make the pty its controlling terminal and run argv. */
static _Noreturn void
child_exec(struct drive *d, int slave, int errfd, char **argv)
{
	struct sigaction sa;
	sigset_t none;
	size_t i;
	int sig, err;

	/* Ignored signals survive exec: give the program the defaults a shell would. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
		goto fail;
	if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0)
		goto fail;
	if (slave > 2)
		close(slave);
#ifdef CLOSE_RANGE_CLOEXEC
	/* What vtdrive inherited (make's jobserver, a test's pipes) is not the program's. */
	close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
#endif
	if (d->cwd && chdir(d->cwd) < 0)
		goto fail;
	/* ncurses believes LINES and COLUMNS over the terminal: they would defeat resize. */
	unsetenv("LINES");
	unsetenv("COLUMNS");
	setenv("TERM", d->term, 1);
	for (i = 0; i < d->nenv; i++) {
		if (d->env[i].value)
			setenv(d->env[i].name, d->env[i].value, 1);
		else
			unsetenv(d->env[i].name);
	}
	execvp(argv[0], argv);
fail:
	err = errno;
	if (write(errfd, &err, sizeof err) < 0) {
		/* the parent will see the child exit 127 */
	}
	_exit(127);
}

/* --- steps --------------------------------------------------------------- */

static void print_step(FILE *f, const struct drive *d, const struct step *s);

/* Report the failed step with a dump of the screen; returns -1 for the caller to return. */
static int fail(struct drive *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(struct drive *d, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "vtdrive: FAIL at ");
	print_step(stderr, d, d->cur);
	fprintf(stderr, "vtdrive: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	screen_dump(d, stderr);
	return -1;
}

static void
print_step(FILE *f, const struct drive *d, const struct step *s)
{
	fprintf(f, "step %d (%s:%d): %s\n", d->stepno, d->script, s->line, s->text);
}

static int64_t
step_timeout(const struct drive *d, const struct step *s, int i)
{
	int64_t ms = d->timeout_ms;

	if (i < s->argc)
		parse_seconds(s->argv[i].s, &ms);
	return ms;
}

static int
step_row(struct drive *d, const struct step *s, int i, int *row)
{
	int r;

	parse_int(s->argv[i].s, INT_MIN + 1, INT_MAX, &r);
	if (r < 0)
		r += d->rows;
	if (r < 0 || r >= d->rows)
		return fail(d, "row %s is off the screen (%d rows)", s->argv[i].s, d->rows);
	*row = r;
	return 0;
}

/* The child must be there to talk to. */
static int
need_child(struct drive *d)
{
	char child[96];

	if (d->master >= 0 && !d->reaped && !d->master_eof)
		return 0;
	describe_child(d, child, sizeof child);
	if (d->master < 0)
		return fail(d, "the terminal was hung up (child %s)", child);
	return fail(d, "the program is gone: child %s", child);
}

/* vtdrive itself was told to stop (SIGTERM, SIGINT, SIGHUP). */
static int
fail_interrupted(struct drive *d, const char *waiting_for)
{
	char sig[32];

	signal_name(d->interrupted, sig, sizeof sig);
	if (waiting_for)
		return fail(d, "interrupted by %s while waiting for %s", sig, waiting_for);
	return fail(d, "interrupted by %s", sig);
}

static bool
out_empty(struct drive *d, void *ctx)
{
	(void)ctx;
	return d->out.len == 0;
}

/* Write what is queued for the child, waiting at most the default timeout. */
static int
send_queued(struct drive *d)
{
	int64_t deadline = now_ms() + d->timeout_ms;

	switch (wait_until(d, deadline, true, out_empty, NULL)) {
	case WAIT_OK:
		return 0;
	case WAIT_INTR:
		return fail_interrupted(d, NULL);
	case WAIT_GONE:
		return need_child(d);
	case WAIT_TIMEOUT:
		break;
	}
	return fail(d, "the program did not read its input within %" PRId64 " ms", d->timeout_ms);
}

static int
send_bytes(struct drive *d, const char *p, size_t n)
{
	if (need_child(d) < 0)
		return -1;
	buf_add(&d->out, p, n);
	return send_queued(d);
}

static bool
child_reaped(struct drive *d, void *ctx)
{
	(void)ctx;
	return d->pid <= 0 || d->reaped;
}

/* Why a wait ended without success, as a sentence for fail(). */
static int
wait_failed(struct drive *d, enum wait_result r, int64_t started, const char *what)
{
	int64_t ms = now_ms() - started;
	char child[96];

	if (r == WAIT_INTR)
		return fail_interrupted(d, what);
	if (r == WAIT_TIMEOUT)
		return fail(d, "timed out after %" PRId64 " ms waiting for %s", ms, what);
	/* The terminal's end of file often comes before SIGCHLD: say how it ended. */
	if (wait_until(d, now_ms() + DRAIN_MS, false, child_reaped, NULL) == WAIT_INTR)
		return fail_interrupted(d, NULL);
	describe_child(d, child, sizeof child);
	return fail(d,
	    "gave up after %" PRId64 " ms waiting for %s: the screen can no longer "
	    "change (child %s)",
	    ms, what, child);
}

static int
op_size(struct drive *d, const struct step *s)
{
	int cols, rows;

	parse_int(s->argv[0].s, 1, 1000, &cols);
	parse_int(s->argv[1].s, 1, 1000, &rows);
	term_resize(d, cols, rows);
	return 0;
}

static int
op_term(struct drive *d, const struct step *s)
{
	free(d->term);
	d->term = xstrdup(s->argv[0].s);
	return 0;
}

static void
env_add(struct drive *d, const char *name, size_t namelen, const char *value)
{
	d->env = xreallocarray(d->env, d->nenv + 1, sizeof *d->env);
	d->env[d->nenv].name = xstrndup(name, namelen);
	d->env[d->nenv].value = value ? xstrdup(value) : NULL;
	d->nenv++;
}

static int
op_env(struct drive *d, const struct step *s)
{
	const char *eq = strchr(s->argv[0].s, '=');

	env_add(d, s->argv[0].s, (size_t)(eq - s->argv[0].s), eq + 1);
	return 0;
}

static int
op_unenv(struct drive *d, const struct step *s)
{
	env_add(d, s->argv[0].s, s->argv[0].len, NULL);
	return 0;
}

static int
op_cd(struct drive *d, const struct step *s)
{
	free(d->cwd);
	d->cwd = xstrdup(s->argv[0].s);
	return 0;
}

static int
rawlog_open(struct drive *d, const char *name)
{
	if (d->rawlog >= 0)
		close(d->rawlog);
	free(d->rawlog_name);
	d->rawlog_name = xstrdup(name);
	d->rawlog = open(name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	return d->rawlog < 0 ? -1 : 0;
}

static int
op_rawlog(struct drive *d, const struct step *s)
{
	if (rawlog_open(d, s->argv[0].s) < 0)
		return fail(d, "cannot open %s: %s", s->argv[0].s, strerror(errno));
	return 0;
}

static int
op_timeout(struct drive *d, const struct step *s)
{
	parse_seconds(s->argv[0].s, &d->timeout_ms);
	return 0;
}

static int
op_settle(struct drive *d, const struct step *s)
{
	parse_seconds(s->argv[0].s, &d->settle_ms);
	return 0;
}

static int
op_spawn(struct drive *d, const struct step *s)
{
	struct winsize ws = {.ws_row = (unsigned short)d->rows, .ws_col = (unsigned short)d->cols};
	struct termios t;
	char **argv = xcalloc((size_t)s->argc + 1, sizeof *argv);
	int errpipe[2], slave, err, i;
	const char *name;
	ssize_t n;

	for (i = 0; i < s->argc; i++)
		argv[i] = s->argv[i].s;
	d->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (d->master < 0 || grantpt(d->master) < 0 || unlockpt(d->master) < 0 ||
	    (name = ptsname(d->master)) == NULL)
		return fail(d, "cannot make a pseudo-terminal: %s", strerror(errno));
	/*
	 * Hold the slave open until the child has it: with no slave open the
	 * master reads as hung up, which would look like the child leaving.
	 */
	slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return fail(d, "cannot open %s: %s", name, strerror(errno));
	ioctl(d->master, TIOCSWINSZ, &ws);
	/* As a terminal emulator in a UTF-8 locale sets it, so erase removes whole characters. */
	if (tcgetattr(slave, &t) == 0) {
		t.c_iflag |= IUTF8;
		tcsetattr(slave, TCSANOW, &t);
	}
	if (pipe2(errpipe, O_CLOEXEC) < 0)
		return fail(d, "pipe: %s", strerror(errno));
	fflush(stdout);
	fflush(stderr);
	d->pid = fork();
	if (d->pid < 0) {
		d->pid = 0;
		return fail(d, "fork: %s", strerror(errno));
	}
	if (d->pid == 0) {
#ifdef __linux__
		/* Should vtdrive itself be killed outright, the child goes with it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
		close(errpipe[0]);
		child_exec(d, slave, errpipe[1], argv);
	}
	close(errpipe[1]);
	/* End of file means exec succeeded (the pipe is close-on-exec). */
	while ((n = read(errpipe[0], &err, sizeof err)) < 0 && errno == EINTR)
		;
	close(errpipe[0]);
	close(slave);
	free(argv);
	fcntl(d->master, F_SETFL, fcntl(d->master, F_GETFL) | O_NONBLOCK);
	d->last_output_ms = now_ms();
	if (n == (ssize_t)sizeof err) {
		while (waitpid(d->pid, &d->status, 0) < 0 && errno == EINTR)
			;
		d->reaped = true;
		d->reaped_ms = now_ms();
		return fail(d, "cannot run %s: %s", s->argv[0].s, strerror(err));
	}
	return 0;
}

struct text_ctx {
	const struct arg *text;
	int row; /* -1: any row */
	bool gone;
};

static bool
text_done(struct drive *d, void *ctx)
{
	struct text_ctx *c = ctx;
	bool there;

	if (c->row >= 0) {
		const char *t = row_text(d, c->row);

		there = memmem(t, strlen(t), c->text->s, c->text->len) != NULL;
	} else {
		there = screen_find(d, c->text) >= 0;
	}
	return there != c->gone;
}

static bool quiet_done(struct drive *d, void *ctx);

/* The wait was met: let the frame that met it finish arriving (see DEFAULT_SETTLE_MS). */
static int
settle(struct drive *d)
{
	d->met_ms = now_ms();
	if (d->settle_ms > 0 &&
	    wait_until(d, d->met_ms + SETTLE_MAX_MS, false, quiet_done, &d->settle_ms) == WAIT_INTR)
		return fail_interrupted(d, NULL);
	return 0;
}

static int
wait_text(struct drive *d, struct text_ctx *c, int64_t timeout)
{
	int64_t started = now_ms();
	enum wait_result r = wait_until(d, started + timeout, true, text_done, c);
	char *what;
	int rc;

	if (r == WAIT_OK)
		return settle(d);
	if (c->row >= 0)
		what =
		    xasprintf("\"%s\" %s row %d", c->text->s, c->gone ? "to leave" : "on", c->row);
	else
		what = xasprintf(
		    "\"%s\" %s", c->text->s, c->gone ? "to leave the screen" : "on the screen");
	rc = wait_failed(d, r, started, what);
	free(what);
	return rc;
}

static int
op_wait_text(struct drive *d, const struct step *s)
{
	struct text_ctx c = {.text = &s->argv[0], .row = -1};

	return wait_text(d, &c, step_timeout(d, s, 1));
}

static int
op_wait_gone(struct drive *d, const struct step *s)
{
	struct text_ctx c = {.text = &s->argv[0], .row = -1, .gone = true};

	return wait_text(d, &c, step_timeout(d, s, 1));
}

static int
op_wait_row(struct drive *d, const struct step *s)
{
	struct text_ctx c = {.text = &s->argv[1]};

	if (step_row(d, s, 0, &c.row) < 0)
		return -1;
	return wait_text(d, &c, step_timeout(d, s, 2));
}

static bool
raw_done(struct drive *d, void *ctx)
{
	const struct arg *a = ctx;

	return memmem(d->raw.p ? d->raw.p : "", d->raw.len, a->s, a->len) != NULL;
}

static int
op_wait_raw(struct drive *d, const struct step *s)
{
	int64_t started = now_ms();
	enum wait_result r;

	r = wait_until(d, started + step_timeout(d, s, 1), true, raw_done, &s->argv[0]);
	return r == WAIT_OK ? settle(d) : wait_failed(d, r, started, "those bytes in the output");
}

static bool
quiet_done(struct drive *d, void *ctx)
{
	const int64_t *quiet = ctx;

	if (output_over(d) || now_ms() - d->last_output_ms >= *quiet)
		return true;
	d->wake_ms = d->last_output_ms + *quiet;
	return false;
}

static int
op_wait_quiet(struct drive *d, const struct step *s)
{
	int64_t started = now_ms(), quiet;
	enum wait_result r;
	char what[64];

	parse_seconds(s->argv[0].s, &quiet);
	r = wait_until(d, started + step_timeout(d, s, 1), false, quiet_done, &quiet);
	snprintf(what, sizeof what, "%" PRId64 " ms without output", quiet);
	return r == WAIT_OK ? 0 : wait_failed(d, r, started, what);
}

static bool
grew_done(struct drive *d, void *ctx)
{
	const size_t *before = ctx;

	return d->raw.len > *before;
}

/* Unlike wait-quiet, this one needs the program to answer first: a redraw, say. */
static int
op_wait_output(struct drive *d, const struct step *s)
{
	int64_t started = now_ms(), deadline = started + step_timeout(d, s, 1), quiet;
	size_t before = d->raw.len;
	enum wait_result r;
	char what[64];

	parse_seconds(s->argv[0].s, &quiet);
	r = wait_until(d, deadline, true, grew_done, &before);
	if (r != WAIT_OK)
		return wait_failed(d, r, started, "output");
	d->met_ms = now_ms();
	r = wait_until(d, deadline, false, quiet_done, &quiet);
	snprintf(what, sizeof what, "%" PRId64 " ms without output", quiet);
	return r == WAIT_OK ? 0 : wait_failed(d, r, started, what);
}

static bool
exit_done(struct drive *d, void *ctx)
{
	(void)ctx;
	/* Reaped, and its last words read, so the final screen is complete. */
	return d->reaped && output_over(d);
}

static int
op_wait_exit(struct drive *d, const struct step *s)
{
	struct exit_spec want = {.kind = EXIT_CODE, .value = 0};
	int64_t started = now_ms();
	enum wait_result r;
	char child[96], sig[32];
	bool ok;

	if (s->argc > 1)
		exit_spec_parse(s->argv[1].s, &want);
	r = wait_until(d, started + step_timeout(d, s, 0), false, exit_done, NULL);
	if (r != WAIT_OK && d->reaped) {
		/* Reaped in time; only the terminal's end of file was late. */
		d->master_eof = true;
		r = WAIT_OK;
	}
	if (r != WAIT_OK)
		return wait_failed(d, r, started, "the program to exit");
	switch (want.kind) {
	case EXIT_ANY:
		ok = true;
		break;
	case EXIT_CODE:
		ok = WIFEXITED(d->status) && WEXITSTATUS(d->status) == want.value;
		break;
	default:
		ok = WIFSIGNALED(d->status) && WTERMSIG(d->status) == want.value;
		break;
	}
	if (ok)
		return 0;
	describe_child(d, child, sizeof child);
	if (want.kind == EXIT_CODE)
		return fail(d, "expected exit status %d, but the child %s", want.value, child);
	return fail(d, "expected death by %s, but the child %s",
	    signal_name(want.value, sig, sizeof sig), child);
}

static int
op_key(struct drive *d, const struct step *s)
{
	struct key k;
	char *cause;
	int i;

	if (need_child(d) < 0)
		return -1;
	for (i = 0; i < s->argc; i++) {
		key_parse(s->argv[i].s, &k, &cause); /* checked when the script was read */
		if (k.vkey == VTERM_KEY_NONE)
			buf_add(&d->out, k.bytes, k.len);
		else
			vterm_keyboard_key(d->vt, k.vkey, k.mod);
		if (send_queued(d) < 0)
			return -1;
	}
	return 0;
}

static int
op_type(struct drive *d, const struct step *s)
{
	return send_bytes(d, s->argv[0].s, s->argv[0].len);
}

static int
op_paste(struct drive *d, const struct step *s)
{
	if (need_child(d) < 0)
		return -1;
	/* Bracketed only if the program asked for it (CSI ? 2004 h), as a terminal does. */
	vterm_keyboard_start_paste(d->vt);
	buf_add(&d->out, s->argv[0].s, s->argv[0].len);
	vterm_keyboard_end_paste(d->vt);
	return send_queued(d);
}

static bool
never(struct drive *d, void *ctx)
{
	(void)d;
	(void)ctx;
	return false;
}

static int
op_sleep(struct drive *d, const struct step *s)
{
	int64_t ms;

	parse_seconds(s->argv[0].s, &ms);
	/* Keep reading while asleep: the program must not block on a full pty. */
	if (wait_until(d, now_ms() + ms, false, never, NULL) == WAIT_INTR)
		return fail_interrupted(d, NULL);
	return 0;
}

static int
op_resize(struct drive *d, const struct step *s)
{
	struct winsize ws;
	int cols, rows;

	parse_int(s->argv[0].s, 1, 1000, &cols);
	parse_int(s->argv[1].s, 1, 1000, &rows);
	if (d->master < 0)
		return fail(d, "the terminal was hung up");
	/* What the program wrote for the old size is drawn at the old size. */
	while (!d->master_eof && d->master >= 0) {
		struct pollfd p = {.fd = d->master, .events = POLLIN};

		if (poll(&p, 1, 0) <= 0 || !(p.revents & (POLLIN | POLLHUP | POLLERR)))
			break;
		read_child(d);
	}
	term_resize(d, cols, rows);
	ws.ws_col = (unsigned short)cols;
	ws.ws_row = (unsigned short)rows;
	ws.ws_xpixel = ws.ws_ypixel = 0;
	/* The kernel sends SIGWINCH to the terminal's foreground process group. */
	if (ioctl(d->master, TIOCSWINSZ, &ws) < 0)
		return fail(d, "TIOCSWINSZ: %s", strerror(errno));
	return 0;
}

static int
op_signal(struct drive *d, const struct step *s)
{
	int sig = signal_parse(s->argv[0].s);
	char child[96];

	if (d->reaped) {
		describe_child(d, child, sizeof child);
		return fail(d, "cannot signal the program: child %s", child);
	}
	if (kill(d->pid, sig) < 0)
		return fail(d, "kill: %s", strerror(errno));
	return 0;
}

static int
op_hangup(struct drive *d, const struct step *s)
{
	(void)s;
	if (d->master < 0)
		return fail(d, "the terminal was already hung up");
	/* Closing the master is what a closed window or dropped ssh does: SIGHUP to the session. */
	close(d->master);
	d->master = -1;
	d->hung_up = true;
	return 0;
}

static int
op_expect_text(struct drive *d, const struct step *s)
{
	if (screen_find(d, &s->argv[0]) < 0)
		return fail(d, "\"%s\" is not on the screen", s->argv[0].s);
	return 0;
}

static int
op_expect_not_text(struct drive *d, const struct step *s)
{
	int row = screen_find(d, &s->argv[0]);

	if (row >= 0)
		return fail(d, "\"%s\" is on the screen, row %d", s->argv[0].s, row);
	return 0;
}

static int
op_expect_row(struct drive *d, const struct step *s)
{
	const char *t;
	int row;

	if (step_row(d, s, 0, &row) < 0)
		return -1;
	t = row_text(d, row);
	if (memmem(t, strlen(t), s->argv[1].s, s->argv[1].len) == NULL)
		return fail(d, "row %d does not contain \"%s\"", row, s->argv[1].s);
	return 0;
}

static int
op_expect_cursor(struct drive *d, const struct step *s)
{
	VTermPos pos = cursor_pos(d);
	int row, col;

	if (step_row(d, s, 0, &row) < 0)
		return -1;
	parse_int(s->argv[1].s, 0, INT_MAX, &col);
	if (pos.row != row || pos.col != col)
		return fail(d, "the cursor is at row %d col %d, not row %d col %d", pos.row,
		    pos.col, row, col);
	return 0;
}

static int
op_expect_altscreen(struct drive *d, const struct step *s)
{
	bool want = strcmp(s->argv[0].s, "on") == 0;

	if (d->altscreen != want)
		return fail(
		    d, "the terminal is in the %s screen", d->altscreen ? "alternate" : "normal");
	return 0;
}

static int
op_expect_raw(struct drive *d, const struct step *s)
{
	if (!raw_done(d, (void *)&s->argv[0]))
		return fail(
		    d, "the program never wrote those bytes (%zu bytes so far)", d->raw.len);
	return 0;
}

static int
op_expect_raw_not(struct drive *d, const struct step *s)
{
	const char *at;

	if (d->raw.len == 0)
		return 0;
	at = memmem(d->raw.p, d->raw.len, s->argv[0].s, s->argv[0].len);
	if (at != NULL)
		return fail(d, "the program wrote those bytes, at offset %td of %zu", at - d->raw.p,
		    d->raw.len);
	return 0;
}

static int
op_screen(struct drive *d, const struct step *s)
{
	(void)s;
	screen_dump(d, stdout);
	return 0;
}

static int
op_echo(struct drive *d, const struct step *s)
{
	int i;

	(void)d;
	for (i = 0; i < s->argc; i++)
		printf("%s%s", i ? " " : "", s->argv[i].s);
	printf("\n");
	fflush(stdout);
	return 0;
}

/* --- attributes, shell commands and measurements --------------------------------- */

static bool
attr_parse(const char *name, int *which)
{
	static const char *const names[] = {"reverse", "bold", "underline", "italic", "blink"};
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i]) == 0) {
			*which = (int)i;
			return true;
		}
	return false;
}

static bool
cell_has(const VTermScreenCell *c, int which)
{
	switch (which) {
	case 0:
		return c->attrs.reverse;
	case 1:
		return c->attrs.bold;
	case 2:
		return c->attrs.underline != VTERM_UNDERLINE_OFF;
	case 3:
		return c->attrs.italic;
	default:
		return c->attrs.blink;
	}
}

struct attr_ctx {
	const struct arg *text;
	int which;
};

/*
 * Some row holds the text with the attribute on its first character. The row is
 * read cell by cell, so that a byte offset in its text maps back to a column.
 */
static bool
attr_done(struct drive *d, void *ctx)
{
	struct attr_ctx *c = ctx;
	struct buf b = {0};
	int *col_at = xcalloc((size_t)d->cols * VTERM_MAX_CHARS_PER_CELL * 4 + 1, sizeof *col_at);
	bool found = false;
	int row, col, i;

	for (row = 0; row < d->rows && !found; row++) {
		const char *at;

		b.len = 0;
		for (col = 0; col < d->cols;) {
			VTermScreenCell cell;
			VTermPos pos = {.row = row, .col = col};
			size_t start = b.len, k;

			vterm_screen_get_cell(d->screen, pos, &cell);
			if (cell.chars[0] == 0)
				buf_add(&b, " ", 1);
			for (i = 0; i < VTERM_MAX_CHARS_PER_CELL && cell.chars[i] != 0; i++)
				if (!utf8_add(&b, cell.chars[i]))
					buf_add(&b, "?", 1);
			for (k = start; k < b.len; k++)
				col_at[k] = col;
			col += cell.width > 0 ? cell.width : 1;
		}
		if (b.len == 0)
			continue;
		for (at = b.p; (at = memmem(at, b.len - (size_t)(at - b.p), c->text->s,
		                    c->text->len)) != NULL;
		     at++) {
			VTermScreenCell cell;
			VTermPos pos = {.row = row, .col = col_at[at - b.p]};

			vterm_screen_get_cell(d->screen, pos, &cell);
			if (cell_has(&cell, c->which)) {
				found = true;
				break;
			}
			if ((size_t)(at - b.p) + 1 >= b.len)
				break;
		}
	}
	free(col_at);
	free(b.p);
	return found;
}

static int
op_wait_attr(struct drive *d, const struct step *s)
{
	struct attr_ctx c = {.text = &s->argv[0]};
	int64_t started = now_ms();
	enum wait_result r;
	char *what;
	int rc;

	attr_parse(s->argv[1].s, &c.which);
	r = wait_until(d, started + step_timeout(d, s, 2), true, attr_done, &c);
	if (r == WAIT_OK)
		return settle(d);
	what = xasprintf("\"%s\" in %s on the screen", s->argv[0].s, s->argv[1].s);
	rc = wait_failed(d, r, started, what);
	free(what);
	return rc;
}

static bool
shell_done(struct drive *d, void *ctx)
{
	(void)ctx;
	return d->shell_reaped;
}

/*
 * Run a command with sh -c and wait for it, reading the program's output
 * meanwhile; it fails the step unless the command exits 0. The command gets
 * vtdrive's standard output and error, and /dev/null as input.
 */
static int
op_shell(struct drive *d, const struct step *s)
{
	int64_t started = now_ms();
	enum wait_result r;
	char sig[32];
	pid_t pid;
	int st;

	fflush(stdout);
	fflush(stderr);
	d->shell_reaped = false;
	pid = fork();
	if (pid < 0)
		return fail(d, "fork: %s", strerror(errno));
	if (pid == 0) {
		struct sigaction sa;
		sigset_t none;
		int fd, n;

		memset(&sa, 0, sizeof sa);
		sa.sa_handler = SIG_DFL;
		for (n = 1; n < NSIG; n++)
			sigaction(n, &sa, NULL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		fd = open("/dev/null", O_RDONLY);
		if (fd > 0) {
			dup2(fd, 0);
			close(fd);
		}
		execl("/bin/sh", "sh", "-c", s->argv[0].s, (char *)NULL);
		_exit(127);
	}
	d->shell_pid = pid;
	r = wait_until(d, started + d->timeout_ms, false, shell_done, NULL);
	if (r != WAIT_OK) {
		kill(pid, SIGKILL);
		while (!d->shell_reaped && waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		d->shell_pid = 0;
		if (r == WAIT_INTR)
			return fail_interrupted(d, "the command");
		return fail(d, "the command did not finish within %" PRId64 " ms", d->timeout_ms);
	}
	d->shell_pid = 0;
	st = d->shell_status;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st))
		return fail(d, "the command exited %d", WEXITSTATUS(st));
	return fail(d, "the command was killed by %s", signal_name(WTERMSIG(st), sig, sizeof sig));
}

/*
 * A running process's peak resident set, and how much of what is resident now
 * is anonymous memory and how much file pages (mostly shared libraries), in kB
 * from /proc; -1 where unknown.
 */
static void
proc_rss_kb(pid_t pid, long *peak, long *anon, long *file)
{
	char path[64], line[256];
	FILE *f;

	*peak = *anon = *file = -1;
	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	if ((f = fopen(path, "re")) == NULL)
		return;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "VmHWM: %ld kB", peak) != 1 &&
		    sscanf(line, "RssAnon: %ld kB", anon) != 1)
			sscanf(line, "RssFile: %ld kB", file);
	fclose(f);
}

static int64_t
timeval_us(const struct timeval *tv)
{
	return (int64_t)tv->tv_sec * 1000000 + tv->tv_usec;
}

/*
 * Print the running totals, for benchmarks to subtract: now and the time of the
 * program's last output (monotonic, us), bytes from and to the program, and the
 * program's CPU time (all threads) and peak RSS so far; after it has exited and
 * been reaped, those two come from wait4().
 */
static int
op_mark(struct drive *d, const struct step *s)
{
	int64_t cpu_us = -1;
	long rss_kb = -1, anon_kb = -1, file_kb = -1;
	const char *child = "none";

	reap(d);
	if (d->pid > 0 && !d->reaped) {
		clockid_t clock;
		struct timespec ts;

		if (clock_getcpuclockid(d->pid, &clock) == 0 && clock_gettime(clock, &ts) == 0)
			cpu_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
		proc_rss_kb(d->pid, &rss_kb, &anon_kb, &file_kb);
		child = "running";
	} else if (d->reaped && d->have_rusage) {
		cpu_us = timeval_us(&d->rusage.ru_utime) + timeval_us(&d->rusage.ru_stime);
		rss_kb = d->rusage.ru_maxrss;
		child = "exited";
	}
	printf("mark %s t_us=%" PRId64 " out_us=%" PRId64 " term_bytes=%zu to_child=%" PRIu64
	       " cpu_us=%" PRId64 " rss_kb=%ld anon_kb=%ld file_kb=%ld child=%s\n",
	    s->argv[0].s, now_us(), d->last_output_us, d->raw.len, d->to_child, cpu_us, rss_kb,
	    anon_kb, file_kb, child);
	fflush(stdout);
	return 0;
}

// clang-format off
static const struct op ops[] = {
	{ "size", op_size, "NN", OP_BEFORE_SPAWN, "COLS ROWS",
	  "terminal size for the child (default 80 24)" },
	{ "term", op_term, "w", OP_BEFORE_SPAWN, "NAME",
	  "TERM for the child (default xterm-256color)" },
	{ "env", op_env, "e", OP_BEFORE_SPAWN, "NAME=VALUE",
	  "set a variable for the child (LINES and COLUMNS are always removed)" },
	{ "unenv", op_unenv, "w", OP_BEFORE_SPAWN, "NAME", "remove a variable for the child" },
	{ "cd", op_cd, "s", OP_BEFORE_SPAWN, "DIR", "working folder for the child" },
	{ "rawlog", op_rawlog, "s", OP_BEFORE_SPAWN, "FILE",
	  "append everything the child writes to FILE (as -r)" },
	{ "timeout", op_timeout, "d", 0, "SECS", "default timeout of later waits (default 10)" },
	{ "settle", op_settle, "d", 0, "SECS",
	  "once a wait is met, read on until the program is quiet this long (1 s at most)\n"
	  "      so that expect-* see the whole frame (default 0.05; 0: off)" },
	{ "spawn", op_spawn, "s*", 0, "PROGRAM [ARG...]",
	  "run PROGRAM (found on PATH) in the terminal; once" },
	{ "wait-text", op_wait_text, "s?d", OP_AFTER_SPAWN, "TEXT [SECS]",
	  "wait until a row contains TEXT" },
	{ "wait-gone", op_wait_gone, "s?d", OP_AFTER_SPAWN, "TEXT [SECS]",
	  "wait until no row contains TEXT" },
	{ "wait-row", op_wait_row, "rs?d", OP_AFTER_SPAWN, "ROW TEXT [SECS]",
	  "wait until row ROW contains TEXT" },
	{ "wait-raw", op_wait_raw, "s?d", OP_AFTER_SPAWN, "BYTES [SECS]",
	  "wait until the raw output contains BYTES" },
	{ "wait-attr", op_wait_attr, "sa?d", OP_AFTER_SPAWN, "TEXT ATTR [SECS]",
	  "wait until a row contains TEXT whose first character is drawn in ATTR:\n"
	  "      reverse, bold, underline, italic or blink (a list's selected row)" },
	{ "wait-quiet", op_wait_quiet, "d?d", OP_AFTER_SPAWN, "QUIET [SECS]",
	  "wait until the program has written nothing for QUIET seconds" },
	{ "wait-output", op_wait_output, "d?d", OP_AFTER_SPAWN, "QUIET [SECS]",
	  "wait until the program writes something, then until it has written nothing\n"
	  "      for QUIET seconds" },
	{ "wait-exit", op_wait_exit, "?dx", OP_AFTER_SPAWN, "[SECS [STATUS]]",
	  "wait for the child to exit with STATUS: a number (default 0), any, or a signal (HUP)" },
	{ "key", op_key, "k*", OP_AFTER_SPAWN, "KEY...",
	  "press keys: Enter Esc Tab BTab Backspace Up Down Left Right Home End PgUp PgDn\n"
	  "      Insert Delete F1..F12 Space ^A..^Z or a character, with S- C- M- prefixes" },
	{ "type", op_type, "u", OP_AFTER_SPAWN, "TEXT", "type TEXT (UTF-8) as it is" },
	{ "paste", op_paste, "s", OP_AFTER_SPAWN, "TEXT",
	  "paste TEXT, bracketed if the program turned bracketed paste on" },
	{ "send", op_type, "s", OP_AFTER_SPAWN, "BYTES", "write BYTES to the terminal as they are" },
	{ "sleep", op_sleep, "d", 0, "SECS", "let time pass (output is still read)" },
	{ "resize", op_resize, "NN", OP_AFTER_SPAWN, "COLS ROWS",
	  "resize the terminal; the child gets SIGWINCH" },
	{ "signal", op_signal, "g", OP_AFTER_SPAWN, "SIG", "send a signal (HUP, TERM, 9) to the child" },
	{ "hangup", op_hangup, "", OP_AFTER_SPAWN, "",
	  "close the terminal, as a closed window or a dropped ssh connection does" },
	{ "expect-text", op_expect_text, "s", 0, "TEXT", "a row contains TEXT" },
	{ "expect-not-text", op_expect_not_text, "s", 0, "TEXT", "no row contains TEXT" },
	{ "expect-row", op_expect_row, "rs", 0, "ROW TEXT", "row ROW contains TEXT" },
	{ "expect-cursor", op_expect_cursor, "rc", 0, "ROW COL", "the cursor is at ROW COL" },
	{ "expect-altscreen", op_expect_altscreen, "o", 0, "on|off",
	  "the terminal is (not) in the alternate screen" },
	{ "expect-raw", op_expect_raw, "s", 0, "BYTES", "the raw output contains BYTES" },
	{ "expect-raw-not", op_expect_raw_not, "s", 0, "BYTES",
	  "the raw output never contained BYTES" },
	{ "screen", op_screen, "", 0, "", "print the screen to standard output" },
	{ "echo", op_echo, "?s*", 0, "TEXT...", "print TEXT to standard output" },
	{ "shell", op_shell, "s", 0, "COMMAND",
	  "run COMMAND with sh -c and wait for it (the timeout), reading the program's\n"
	  "      output meanwhile; fails unless it exits 0" },
	{ "mark", op_mark, "w", 0, "NAME",
	  "print \"mark NAME\" and running totals: t_us (now), out_us (the program's last\n"
	  "      output), term_bytes, to_child, cpu_us and rss_kb (the program's CPU time\n"
	  "      and peak RSS so far), anon_kb and file_kb (its resident anonymous and file\n"
	  "      pages now); -1 if unknown; child=none|running|exited" },
};
// clang-format on

/* --- the script ---------------------------------------------------------- */

static bool
parse_escape(const char **pp, struct buf *b, char **cause)
{
	const char *p = *pp;
	unsigned long v = 0;
	int i, n;
	char c = *p++;

	/* Pairs: the letter after the backslash, then the byte it stands for. */
	static const char simple[] = "n\nr\rt\ta\ab\bf\fv\ve\033\\\\\"\"''";
	const char *at;

	for (at = simple; c != '\0' && *at; at += 2)
		if (*at == c) {
			buf_add(b, at + 1, 1);
			*pp = p;
			return true;
		}
	switch (c) {
	case 'x':
	case 'u':
	case 'U':
		n = c == 'x' ? 2 : c == 'u' ? 4 : 8;
		for (i = 0; i < n && isxdigit((unsigned char)*p); i++, p++)
			v = v * 16 + (unsigned long)(isdigit((unsigned char)*p)
			                                 ? *p - '0'
			                                 : (*p | 0x20) - 'a' + 10);
		if (i == 0 || (c != 'x' && i != n)) {
			*cause = xasprintf("\\%c needs %s hex digits", c,
			    c == 'x'   ? "one or two"
			    : c == 'u' ? "four"
			               : "eight");
			return false;
		}
		if (c == 'x') {
			buf_add(b, &(char){(char)v}, 1);
		} else if (!utf8_add(b, (uint32_t)v)) {
			*cause = xasprintf("\\%c%0*lx is not a Unicode character", c, n, v);
			return false;
		}
		break;
	default:
		if (c >= '0' && c <= '7') {
			v = (unsigned long)(c - '0');
			for (i = 1; i < 3 && *p >= '0' && *p <= '7'; i++, p++)
				v = v * 8 + (unsigned long)(*p - '0');
			if (v > 0xff) {
				*cause = xasprintf("octal escape above \\377");
				return false;
			}
			buf_add(b, &(char){(char)v}, 1);
			break;
		}
		*cause = xasprintf("unknown escape \\%c", c ? c : '0');
		return false;
	}
	*pp = p;
	return true;
}

/*
 * Split a line into words: blanks separate, "double quotes" take C escapes,
 * 'single quotes' take nothing, # starts a comment where a word would start.
 */
static bool
split(const char *line, struct step *st, char **cause)
{
	const char *p = line;

	for (;;) {
		struct buf b = {0};

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#')
			return true;
		if (*p == '"' || *p == '\'') {
			char q = *p++;

			buf_add(&b, "", 0);
			for (;;) {
				if (*p == '\0') {
					*cause = xasprintf("no closing %c", q);
					free(b.p);
					return false;
				}
				if (*p == q) {
					p++;
					break;
				}
				if (q == '"' && *p == '\\') {
					p++;
					if (!parse_escape(&p, &b, cause)) {
						free(b.p);
						return false;
					}
				} else {
					buf_add(&b, p++, 1);
				}
			}
			if (*p != '\0' && *p != ' ' && *p != '\t') {
				*cause = xasprintf("a quoted string must end its word");
				free(b.p);
				return false;
			}
		} else {
			while (*p != '\0' && *p != ' ' && *p != '\t')
				buf_add(&b, p++, 1);
		}
		st->argv = xreallocarray(st->argv, (size_t)st->argc + 1, sizeof *st->argv);
		st->argv[st->argc].s = b.p;
		st->argv[st->argc].len = b.len;
		st->argc++;
	}
}

/* Check one argument against its letter in op->args. */
static bool
check_arg(char type, const struct arg *a, char **cause)
{
	struct exit_spec e;
	struct key k;
	int64_t ms;
	int v;

	switch (type) {
	case 'N':
		if (parse_int(a->s, 1, 1000, &v))
			return true;
		*cause = xasprintf("'%s' is not a size from 1 to 1000", a->s);
		return false;
	case 'r':
		if (parse_int(a->s, -1000, 1000, &v))
			return true;
		*cause = xasprintf("'%s' is not a row (0 is the top, -1 the bottom)", a->s);
		return false;
	case 'c':
		if (parse_int(a->s, 0, 1000, &v))
			return true;
		*cause = xasprintf("'%s' is not a column", a->s);
		return false;
	case 'd':
		if (parse_seconds(a->s, &ms))
			return true;
		*cause = xasprintf("'%s' is not a number of seconds", a->s);
		return false;
	case 'w':
		if (a->len > 0 && strlen(a->s) == a->len)
			return true;
		*cause = xasprintf("an empty word");
		return false;
	case 'u':
		for (v = 0; (size_t)v < a->len; v += (int)utf8_len((const unsigned char *)a->s + v))
			if (a->s[v] == '\0' || utf8_len((const unsigned char *)a->s + v) == 0) {
				*cause = xasprintf("not UTF-8 text (send takes any bytes)");
				return false;
			}
		return true;
	case 'e':
		if (a->s[0] != '=' && strchr(a->s, '=') != NULL)
			return true;
		*cause = xasprintf("'%s' is not NAME=VALUE", a->s);
		return false;
	case 'k':
		return key_parse(a->s, &k, cause);
	case 'g':
		if (signal_parse(a->s) != 0)
			return true;
		*cause = xasprintf("unknown signal '%s'", a->s);
		return false;
	case 'x':
		if (exit_spec_parse(a->s, &e))
			return true;
		*cause = xasprintf("'%s' is not an exit status (0-255, any, or a signal)", a->s);
		return false;
	case 'a':
		if (attr_parse(a->s, &v))
			return true;
		*cause = xasprintf("'%s' is not reverse, bold, underline, italic or blink", a->s);
		return false;
	case 'o':
		if (strcmp(a->s, "on") == 0 || strcmp(a->s, "off") == 0)
			return true;
		*cause = xasprintf("'%s' is neither on nor off", a->s);
		return false;
	default:
		return true;
	}
}

static bool
check_args(const struct step *st, char **cause)
{
	const char *spec;
	int i = 0, j, min = -1;
	bool rest = false;
	char type = 0;

	for (spec = st->op->args; *spec; spec++) {
		if (*spec == '?') {
			min = i;
		} else if (*spec == '*') {
			rest = true;
		} else {
			type = *spec;
			if (i < st->argc && !check_arg(type, &st->argv[i], cause))
				return false;
			i++;
		}
	}
	for (j = i; rest && j < st->argc; j++)
		if (!check_arg(type, &st->argv[j], cause))
			return false;
	if (min < 0)
		min = i;
	if (st->argc < min || (!rest && st->argc > i)) {
		*cause = xasprintf("usage: %s %s", st->op->name, st->op->usage);
		return false;
	}
	return true;
}

static void steps_free(struct step *steps, size_t n);

static const struct op *
op_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (strcmp(ops[i].name, name) == 0)
			return &ops[i];
	return NULL;
}

/* Read the whole script before running any of it; errors go to stderr. */
static struct step *
script_read(FILE *f, const char *name, size_t *count)
{
	struct step *steps = NULL;
	size_t n = 0, cap = 0;
	char *line = NULL, *cause = NULL;
	size_t linecap = 0;
	ssize_t len;
	int lineno = 0, errors = 0;
	bool spawned = false;

	while ((len = getline(&line, &linecap, f)) >= 0) {
		struct step st = {.line = ++lineno};
		int i;

		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!split(line, &st, &cause))
			goto bad;
		if (st.argc == 0)
			continue;
		st.op = op_find(st.argv[0].s);
		if (st.op == NULL) {
			cause = xasprintf("unknown step '%s'", st.argv[0].s);
			goto bad;
		}
		/* The step's own arguments, without its name. */
		free(st.argv[0].s);
		memmove(st.argv, st.argv + 1, (size_t)(st.argc - 1) * sizeof *st.argv);
		st.argc--;
		if (!check_args(&st, &cause))
			goto bad;
		if ((st.op->flags & OP_BEFORE_SPAWN) && spawned) {
			cause = xasprintf("%s must come before spawn%s", st.op->name,
			    strcmp(st.op->name, "size") == 0 ? " (resize changes the size later)"
			                                     : "");
			goto bad;
		}
		if ((st.op->flags & OP_AFTER_SPAWN) && !spawned) {
			cause = xasprintf("%s needs a spawn before it", st.op->name);
			goto bad;
		}
		if (st.op->run == op_spawn) {
			if (spawned) {
				cause = xasprintf("only one spawn per script");
				goto bad;
			}
			spawned = true;
		}
		st.text = xstrdup(line + strspn(line, " \t"));
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			steps = xreallocarray(steps, cap, sizeof *steps);
		}
		steps[n++] = st;
		continue;
	bad:
		fprintf(stderr, "vtdrive: %s:%d: %s\n", name, lineno, cause);
		free(cause);
		cause = NULL;
		for (i = 0; i < st.argc; i++)
			free(st.argv[i].s);
		free(st.argv);
		errors++;
	}
	free(line);
	if (ferror(f)) {
		fprintf(stderr, "vtdrive: reading %s: %s\n", name, strerror(errno));
		errors++;
	}
	if (errors) {
		steps_free(steps, n);
		*count = 0;
		return NULL;
	}
	*count = n;
	return steps;
}

static void
usage(FILE *out)
{
	size_t i;

	fprintf(out,
	    "Usage: vtdrive [-v] [-r RAWLOG] [SCRIPT]\n"
	    "Run a program in a pseudo-terminal read by libvterm, and drive it with the\n"
	    "steps in SCRIPT (standard input without one), one a line. Exits 0 when every\n"
	    "step passed, 1 when one failed (with a dump of the screen), 2 on a bad script.\n"
	    "\n"
	    "  -r FILE  append everything the program writes to FILE\n"
	    "  -v       print each step and how long it took, in ms, to stderr\n"
	    "\n"
	    "Words: \"double quotes\" take C escapes (\\n \\e \\x1b \\u00e9 \\033), 'single\n"
	    "quotes' take none, # starts a comment. SECS may have a fraction (0.5).\n"
	    "Rows count from 0 at the top; a negative row counts from the bottom.\n"
	    "\n");
	for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
		fprintf(out, "  %s %s\n      %s\n", ops[i].name, ops[i].usage, ops[i].help);
}

static void
steps_free(struct step *steps, size_t n)
{
	size_t i;
	int j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < steps[i].argc; j++)
			free(steps[i].argv[j].s);
		free(steps[i].argv);
		free(steps[i].text);
	}
	free(steps);
}

static void
drive_free(struct drive *d)
{
	size_t i;

	for (i = 0; i < d->nenv; i++) {
		free(d->env[i].name);
		free(d->env[i].value);
	}
	free(d->env);
	free(d->term);
	free(d->cwd);
	free(d->rawlog_name);
	if (d->rawlog >= 0)
		close(d->rawlog);
	free(d->raw.p);
	free(d->out.p);
	free(d->rowbuf);
	vterm_free(d->vt);
}

static void
signals_init(struct drive *d)
{
	static const int caught[] = {SIGCHLD, SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa;
	size_t i;

	if (pipe2(d->sigpipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		fprintf(stderr, "vtdrive: pipe: %s\n", strerror(errno));
		exit(EXIT_FAILED);
	}
	sig_write_fd = d->sigpipe[1];
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof caught / sizeof caught[0]; i++)
		sigaction(caught[i], &sa, NULL);
	/* A closed stdout (| head) must not kill vtdrive before it stops the child. */
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	sigaction(SIGPIPE, &sa, NULL);
}

int
main(int argc, char **argv)
{
	struct drive d = {
	    .cols = 80,
	    .rows = 24,
	    .rawlog = -1,
	    .timeout_ms = DEFAULT_TIMEOUT_MS,
	    .settle_ms = DEFAULT_SETTLE_MS,
	    .master = -1,
	};
	const char *rawlog = NULL;
	struct step *steps;
	size_t nsteps, i;
	FILE *f = stdin;
	int64_t started, t;
	int opt, fd, failed = 0;
	bool running;
	VTermPos pos;
	char child[96];

	/* Descriptors 0-2 must exist, or the pty could become one of them. */
	for (fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			return EXIT_FAILED;
	while ((opt = getopt(argc, argv, "hr:v")) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return 0;
		case 'r':
			rawlog = optarg;
			break;
		case 'v':
			d.verbose = true;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	d.script = "stdin";
	if (optind < argc && strcmp(argv[optind], "-") != 0) {
		d.script = argv[optind];
		f = fopen(d.script, "re");
		if (f == NULL) {
			fprintf(stderr, "vtdrive: %s: %s\n", d.script, strerror(errno));
			return EXIT_USAGE;
		}
	}
	steps = script_read(f, d.script, &nsteps);
	if (f != stdin)
		fclose(f);
	if (steps == NULL)
		return EXIT_USAGE;
	if (rawlog && rawlog_open(&d, rawlog) < 0) {
		fprintf(stderr, "vtdrive: %s: %s\n", rawlog, strerror(errno));
		return EXIT_USAGE;
	}
	d.term = xstrdup("xterm-256color");
	signals_init(&d);
#ifdef PR_SET_CHILD_SUBREAPER
	/* Orphans of the program come to us, to be reaped and, at the end, killed. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
#endif
	term_new(&d);
	the_drive = &d;
	atexit(at_exit);

	started = now_ms();
	for (i = 0; i < nsteps && !failed; i++) {
		d.stepno = (int)i + 1;
		d.cur = &steps[i];
		t = now_ms();
		d.met_ms = 0;
		failed = steps[i].op->run(&d, &steps[i]) < 0;
		/* The time to meet a wait, without the settling after it, is what a benchmark
		 * wants. */
		if (d.verbose && d.met_ms)
			fprintf(stderr,
			    "vtdrive: %" PRId64 " ms (+%" PRId64 " ms settling) step %d "
			    "(%s:%d): %s\n",
			    d.met_ms - t, now_ms() - d.met_ms, d.stepno, d.script, steps[i].line,
			    steps[i].text);
		else if (d.verbose)
			fprintf(stderr, "vtdrive: %" PRId64 " ms step %d (%s:%d): %s\n",
			    now_ms() - t, d.stepno, d.script, steps[i].line, steps[i].text);
		if (!failed && d.interrupted)
			failed = fail_interrupted(&d, NULL) < 0;
	}

	/* The end state, for tests and for whoever reads a log. */
	pos = cursor_pos(&d);
	reap(&d);
	running = d.pid > 0 && !d.reaped;
	child_stop(&d);
	describe_child(&d, child, sizeof child);
	fflush(stdout);
	if (failed)
		fprintf(stderr, "vtdrive: FAILED at step %d of %zu", d.stepno, nsteps);
	else
		fprintf(stderr, "vtdrive: passed %zu steps", nsteps);
	fprintf(stderr,
	    " in %" PRId64 " ms; screen %dx%d, cursor row %d col %d, %s screen; child %s%s; "
	    "%zu bytes from the child, %" PRIu64 " to it\n",
	    now_ms() - started, d.cols, d.rows, pos.row, pos.col,
	    d.altscreen ? "alternate" : "normal",
	    running ? "still running at the end, stopped: " : "", child, d.raw.len, d.to_child);
	/* The child's own CPU time and peak RSS, from wait4(), on a line of their own. */
	if (d.have_rusage)
		fprintf(stderr,
		    "vtdrive: child CPU %" PRId64 " us (user %" PRId64 ", system %" PRId64
		    "), peak RSS %ld kB\n",
		    timeval_us(&d.rusage.ru_utime) + timeval_us(&d.rusage.ru_stime),
		    timeval_us(&d.rusage.ru_utime), timeval_us(&d.rusage.ru_stime),
		    d.rusage.ru_maxrss);
	the_drive = NULL;
	drive_free(&d);
	steps_free(steps, nsteps);
	return failed ? EXIT_FAILED : 0;
}
