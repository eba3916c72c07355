/* Unit tests for the audit trail: the file's place and modes, refusals, hostile text, concurrency.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"

/* Somebody else, for the ownership check (only root can give a file away). */
#define OTHER_UID 65534

/* Each test runs in its own process, so one private directory per test is enough. */
static char dir[512];

static void
dir_make(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/ehrterm-audit-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	cr_assert_not_null(mkdtemp(dir), "mkdtemp %s: %s", dir, strerror(errno));
}

static int
remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	remove(path);
	return 0;
}

static void
dir_remove(void)
{
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(audit, .init = dir_make, .fini = dir_remove, .timeout = 60);

/* DIR/NAME in a static buffer (one at a time is all a test needs). */
static const char *
in_dir(const char *name)
{
	static char path[4][700];
	static int next;
	char *p = path[next++ % 4];

	snprintf(p, sizeof path[0], "%s/%s", dir, name);
	return p;
}

/* The whole file at PATH, NUL-terminated; *LEN its length. The caller frees it. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	cr_assert_not_null(f, "open %s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

/* One line read back, values unescaped. */
struct parsed {
	char time[32];
	long pid;
	char user[AUDIT_USER_MAX + 1];
	char profile[AUDIT_FIELD_MAX + 1];
	char action[32];
	bool has_type, has_id;
	char type[AUDIT_FIELD_MAX + 1];
	char id[AUDIT_FIELD_MAX + 1];
	bool has_ids;
	char ids[AUDIT_LINE_MAX]; /* a list's ids as written: escaped, ',' between */
	size_t nids;
	long part_k, part_n; /* 0 when the line has no part field */
	char note[128];
};

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1; /* upper case is not what the format writes */
}

/*
 * Unescape the N bytes of a value at S into OUT (SIZE bytes), checking the grammar
 * from audit.h as an independent reader would. Returns false for a bad value.
 */
static bool
unescape(const char *s, size_t n, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\') {
			if (i + 3 >= n || s[i + 1] != 'x' || hex_value(s[i + 2]) < 0 ||
			    hex_value(s[i + 3]) < 0)
				return false;
			c = (unsigned char)(hex_value(s[i + 2]) << 4 | hex_value(s[i + 3]));
			i += 3;
		} else if (c <= ' ' || c >= 0x7f || c == '=' || c == '/') {
			return false;
		}
		if (o + 1 >= size)
			return false;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return true;
}

static bool
time_ok(const char *s, size_t n)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";

	if (n != sizeof shape - 1)
		return false;
	for (size_t i = 0; i < n; i++)
		if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
			return false;
	return true;
}

/* A count of 1 to 20 digits, no sign, no leading zero. */
static bool
count_ok(const char *s, size_t n, long *out)
{
	char digits[24];

	if (n < 1 || n > 20 || s[0] == '0')
		return false;
	memcpy(digits, s, n);
	digits[n] = '\0';
	if (strspn(digits, "0123456789") != n)
		return false;
	*out = strtol(digits, NULL, 10);
	return true;
}

/* A list's ids (N bytes at V): each a value with ',' escaped too, ',' between. */
static bool
ids_ok(const char *v, size_t n, size_t *count)
{
	char id[AUDIT_FIELD_MAX + 1];
	const char *end = v + n;

	*count = 0;
	for (;;) {
		const char *comma = memchr(v, ',', (size_t)(end - v)), *e = comma ? comma : end;

		/* The grammar lets an id be empty (a server's record without one). */
		if (!unescape(v, (size_t)(e - v), id, sizeof id))
			return false;
		++*count;
		if (comma == NULL)
			return true;
		v = comma + 1;
	}
}

/*
 * The Ith id (from 0) of the list P holds, unescaped, into OUT (AUDIT_FIELD_MAX + 1
 * bytes); false past its end.
 */
static bool
list_id(const struct parsed *p, size_t i, char *out)
{
	const char *v = p->ids, *end = v + strlen(v);

	for (; i > 0; i--) {
		v = memchr(v, ',', (size_t)(end - v));
		if (v == NULL)
			return false;
		v++;
	}
	const char *comma = memchr(v, ',', (size_t)(end - v));
	return unescape(v, (size_t)((comma ? comma : end) - v), out, AUDIT_FIELD_MAX + 1);
}

/*
 * Parse the N bytes of LINE (without its newline) strictly: the time, then exactly
 * the keys pid, user, profile, action, then resource, ids, part and note if
 * present, in that order, each once; ids only after a resource with no id, and part
 * only after ids. Returns false for anything else.
 */
static bool
parse_line(const char *line, size_t n, struct parsed *p)
{
	static const char *const keys[] = {
	    "pid", "user", "profile", "action", "resource", "ids", "part", "note"};
	const char *end = line + n, *f = line, *tab;
	size_t k = 0;

	memset(p, 0, sizeof *p);
	if (memchr(line, '\n', n) != NULL)
		return false;
	tab = memchr(f, '\t', (size_t)(end - f));
	if (tab == NULL || !time_ok(f, (size_t)(tab - f)))
		return false;
	memcpy(p->time, f, (size_t)(tab - f));
	while (tab != NULL) {
		const char *v, *fe;
		size_t klen;

		f = tab + 1;
		tab = memchr(f, '\t', (size_t)(end - f));
		fe = tab != NULL ? tab : end;
		v = memchr(f, '=', (size_t)(fe - f));
		if (v == NULL)
			return false;
		klen = (size_t)(v - f);
		v++;
		/* The next key must be the next one in order; resource and note may be absent. */
		while (k < 8 && !(strlen(keys[k]) == klen && memcmp(f, keys[k], klen) == 0)) {
			if (k < 4)
				return false;
			k++;
		}
		if (k == 8)
			return false;
		switch (k++) {
		case 0: {
			char digits[24];

			if (fe - v < 1 || fe - v > 20)
				return false;
			memcpy(digits, v, (size_t)(fe - v));
			digits[fe - v] = '\0';
			if (strspn(digits, "0123456789") != strlen(digits))
				return false;
			p->pid = strtol(digits, NULL, 10);
			break;
		}
		case 1:
			if (!unescape(v, (size_t)(fe - v), p->user, sizeof p->user))
				return false;
			break;
		case 2:
			if (!unescape(v, (size_t)(fe - v), p->profile, sizeof p->profile))
				return false;
			break;
		case 3:
			if (!unescape(v, (size_t)(fe - v), p->action, sizeof p->action))
				return false;
			break;
		case 4: {
			const char *slash = memchr(v, '/', (size_t)(fe - v));

			p->has_type = true;
			if (slash == NULL)
				slash = fe;
			else
				p->has_id = true;
			if (!unescape(v, (size_t)(slash - v), p->type, sizeof p->type))
				return false;
			if (p->has_id &&
			    !unescape(slash + 1, (size_t)(fe - slash - 1), p->id, sizeof p->id))
				return false;
			break;
		}
		case 5:
			if (!p->has_type || p->has_id || (size_t)(fe - v) >= sizeof p->ids ||
			    !ids_ok(v, (size_t)(fe - v), &p->nids))
				return false;
			p->has_ids = true;
			memcpy(p->ids, v, (size_t)(fe - v));
			break;
		case 6: {
			const char *slash = memchr(v, '/', (size_t)(fe - v));

			if (!p->has_ids || slash == NULL ||
			    !count_ok(v, (size_t)(slash - v), &p->part_k) ||
			    !count_ok(slash + 1, (size_t)(fe - slash - 1), &p->part_n) ||
			    p->part_k > p->part_n || p->part_n < 2)
				return false;
			break;
		}
		case 7:
			if ((size_t)(fe - v) >= sizeof p->note || fe == v ||
			    strspn(v, "abcdefghijklmnopqrstuvwxyz-,") < (size_t)(fe - v))
				return false;
			memcpy(p->note, v, (size_t)(fe - v));
			break;
		}
	}
	return k >= 4;
}

/* The lines of BUF (LEN bytes, which must end with a newline): how many, and each parsed. */
static size_t
parse_file(const char *buf, size_t len, struct parsed *out, size_t max)
{
	size_t n = 0;
	const char *p = buf, *end = buf + len;

	cr_assert(len == 0 || buf[len - 1] == '\n', "the file does not end with a newline");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct parsed tmp;

		cr_assert(parse_line(p, (size_t)(nl - p), n < max ? &out[n] : &tmp),
		    "line %zu does not parse: %.*s", n + 1, (int)(nl - p), p);
		n++;
		p = nl + 1;
	}
	return n;
}

/* Every byte of the file is visible ASCII, a tab or a newline. */
static void
assert_plain(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		cr_assert((c > ' ' && c < 0x7f) || c == '\t' || c == '\n',
		    "byte 0x%02x at %zu in the file", c, i);
	}
}

static struct audit *
open_ok(const char *path, const char *user, const char *profile)
{
	char *cause = NULL;
	struct audit *a = audit_open(path, user, profile, &cause);

	cr_assert_not_null(a, "audit_open %s: %s", path ? path : "(default)", cause ? cause : "");
	return a;
}

static void
log_ok(struct audit *a, const char *action, const char *type, const char *id)
{
	char *cause = NULL;

	cr_assert_eq(audit_log(a, action, type, id, &cause), 0, "audit_log %s: %s", action,
	    cause ? cause : "");
}

static unsigned int
mode_of(const char *path)
{
	struct stat st;

	cr_assert_eq(lstat(path, &st), 0, "stat %s: %s", path, strerror(errno));
	return (unsigned int)(st.st_mode & 07777);
}

/* ---- NULL and edge cases ---------------------------------------------------- */

Test(audit, null_and_empty_are_refused)
{
	const char *path = in_dir("audit.log");
	char *cause = NULL;
	struct audit *a = NULL;

	cr_assert_null(audit_open(path, NULL, "p", &cause));
	cr_assert_not_null(strstr(cause, "user"), "%s", cause);
	free(cause);
	cr_assert_null(audit_open(path, "", "p", &cause));
	free(cause);
	cr_assert_null(audit_open(path, "u", NULL, &cause));
	cr_assert_not_null(strstr(cause, "profile"), "%s", cause);
	free(cause);
	cr_assert_null(audit_open(path, "u", "", &cause));
	free(cause);
	cr_assert_null(audit_open("", "u", "p", &cause));
	free(cause);
	cr_assert_eq(access(path, F_OK), -1, "a refused open must not create the file");

	cr_assert_eq(audit_log(NULL, "login", NULL, NULL, &cause), -1);
	cr_assert_not_null(strstr(cause, "not open"), "%s", cause);
	free(cause);
	audit_close(NULL);
	audit_close(&a);
	a = open_ok(path, "u", "p");
	cr_assert_str_eq(audit_path(a), path);
	audit_close(&a);
	cr_assert_null(a, "audit_close must clear the caller's pointer");
}

Test(audit, default_path_follows_xdg_state_home_then_home)
{
	char *cause = NULL, *p;
	struct audit *a;
	char want[700];

	/* XDG_STATE_HOME wins when it is absolute. */
	setenv("XDG_STATE_HOME", in_dir("state"), 1);
	setenv("HOME", in_dir("home"), 1);
	a = open_ok(NULL, "u", "p");
	snprintf(want, sizeof want, "%s/state/ehrterm/audit.log", dir);
	cr_assert_str_eq(audit_path(a), want);
	log_ok(a, "login", NULL, NULL);
	audit_close(&a);
	cr_assert_eq(mode_of(want), 0600);

	/* A relative XDG_STATE_HOME is ignored, as the XDG spec says. */
	setenv("XDG_STATE_HOME", "relative/state", 1);
	a = open_ok(NULL, "u", "p");
	snprintf(want, sizeof want, "%s/home/.local/state/ehrterm/audit.log", dir);
	cr_assert_str_eq(audit_path(a), want);
	audit_close(&a);
	unsetenv("XDG_STATE_HOME");
	p = audit_default_path(&cause);
	cr_assert_str_eq(p, want);
	free(p);

	setenv("HOME", "relative", 1);
	cr_assert_null(audit_default_path(&cause));
	cr_assert_not_null(strstr(cause, "HOME"), "%s", cause);
	free(cause);
	cause = NULL;
	cr_assert_null(audit_open(NULL, "u", "p", &cause));
	cr_assert_not_null(cause);
	free(cause);
}

/* ---- the file and its directories ------------------------------------------- */

Test(audit, new_file_is_0600_in_0700_directories_whatever_the_umask)
{
	const char *path = in_dir("a/b/c/audit.log");
	struct audit *a;

	umask(0);
	a = open_ok(path, "u", "p");
	audit_close(&a);
	cr_assert_eq(mode_of(path), 0600, "file mode %04o", mode_of(path));
	cr_assert_eq(mode_of(in_dir("a")), 0700, "a: %04o", mode_of(in_dir("a")));
	cr_assert_eq(mode_of(in_dir("a/b")), 0700);
	cr_assert_eq(mode_of(in_dir("a/b/c")), 0700);
	cr_assert_eq(mode_of(dir), 0700, "an existing directory is left as it was");
}

Test(audit, descriptor_appends_and_does_not_leak_into_children)
{
	const char *path = in_dir("audit.log");
	struct audit *a = open_ok(path, "u", "p");
	char link[64], target[PATH_MAX], info[256];
	int found = 0;

	/* Find our descriptor in /proc and read the flags it was opened with. */
	for (int fd = 3; fd < 256 && !found; fd++) {
		ssize_t n;
		FILE *f;

		snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof target - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strcmp(target, path) != 0)
			continue;
		snprintf(link, sizeof link, "/proc/self/fdinfo/%d", fd);
		cr_assert_not_null(f = fopen(link, "r"));
		while (fgets(info, sizeof info, f) != NULL) {
			unsigned long flags;

			if (sscanf(info, "flags: %lo", &flags) != 1)
				continue;
			cr_assert(flags & O_APPEND, "flags %lo", flags);
			cr_assert(flags & O_CLOEXEC, "flags %lo", flags);
			cr_assert_eq(
			    flags & O_ACCMODE, (unsigned long)O_WRONLY, "flags %lo", flags);
			cr_assert_eq(flags & O_NONBLOCK, 0UL, "flags %lo", flags);
			found = 1;
		}
		fclose(f);
	}
	cr_assert(found, "no descriptor open on %s", path);
	audit_close(&a);
}

Test(audit, lines_append_across_opens)
{
	const char *path = in_dir("audit.log");
	struct parsed lines[4];
	struct audit *a;
	size_t len;
	char *buf;

	a = open_ok(path, "frontdesk", "sandbox");
	log_ok(a, "login", NULL, NULL);
	log_ok(a, "view", "Patient", "123");
	audit_close(&a);
	a = open_ok(path, "nurse", "clinic.b");
	log_ok(a, "search", "Appointment", NULL);
	log_ok(a, "logout", NULL, NULL);
	audit_close(&a);

	buf = slurp(path, &len);
	assert_plain(buf, len);
	cr_assert_eq(parse_file(buf, len, lines, 4), 4);
	free(buf);
	cr_assert_str_eq(lines[0].action, "login");
	cr_assert_not(lines[0].has_type);
	cr_assert_str_eq(lines[1].user, "frontdesk");
	cr_assert_str_eq(lines[1].profile, "sandbox");
	cr_assert_str_eq(lines[1].action, "view");
	cr_assert_str_eq(lines[1].type, "Patient");
	cr_assert_str_eq(lines[1].id, "123");
	cr_assert_str_eq(lines[1].note, "");
	cr_assert_eq(lines[1].pid, (long)getpid());
	cr_assert_str_eq(lines[2].user, "nurse");
	cr_assert_str_eq(lines[2].profile, "clinic.b");
	cr_assert_str_eq(lines[2].type, "Appointment");
	cr_assert_not(lines[2].has_id);
	cr_assert_str_eq(lines[3].action, "logout");
}

Test(audit, a_line_is_exactly_the_documented_format)
{
	const char *path = in_dir("audit.log");
	struct audit *a = open_ok(path, "frontdesk", "sandbox");
	char want[256], stamp[32];
	time_t before = time(NULL), after;
	struct parsed p;
	size_t len;
	char *buf;

	log_ok(a, "view", "Patient", "123");
	after = time(NULL);
	audit_close(&a);
	buf = slurp(path, &len);
	cr_assert(parse_line(buf, len - 1, &p));
	/* The time is UTC, between before and after. */
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", gmtime(&before));
	cr_assert_geq(strcmp(p.time, stamp), 0, "%s < %s", p.time, stamp);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", gmtime(&after));
	cr_assert_leq(strcmp(p.time, stamp), 0, "%s > %s", p.time, stamp);
	snprintf(want, sizeof want,
	    "%s\tpid=%ld\tuser=frontdesk\tprofile=sandbox\taction=view\tresource=Patient/123\n",
	    p.time, (long)getpid());
	cr_assert_str_eq(buf, want);
	free(buf);
}

/* ---- refusing a file that is not ours alone --------------------------------- */

/* Open PATH expecting a refusal whose sentence holds WANT; the file must not change. */
static void
refused(const char *path, const char *want)
{
	char *cause = NULL;
	struct audit *a = audit_open(path, "u", "p", &cause);

	cr_assert_null(a, "%s was accepted", path);
	cr_assert_not_null(cause);
	cr_assert_not_null(strstr(cause, want), "'%s' lacks '%s'", cause, want);
	cr_assert_not_null(strstr(cause, path), "'%s' does not name the file", cause);
	free(cause);
}

static const char *
make_file(const char *name, mode_t mode)
{
	const char *path = in_dir(name);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);

	cr_assert_neq(fd, -1, "%s: %s", path, strerror(errno));
	cr_assert_eq(write(fd, "old\n", 4), 4);
	cr_assert_eq(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

struct mode_case {
	unsigned int mode;
};

ParameterizedTestParameters(audit, open_to_group_or_others_is_refused)
{
	static struct mode_case cases[] = {
	    {0644}, {0640}, {0604}, {0620}, {0602}, {0660}, {0666}, {0610}, {0601}};
	return cr_make_param_array(struct mode_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct mode_case *c, audit, open_to_group_or_others_is_refused)
{
	const char *path = make_file("audit.log", c->mode);
	char want[64];
	size_t len;

	snprintf(want, sizeof want, "mode %04o", c->mode);
	refused(path, want);
	refused(path, "chmod 600");
	free(slurp(path, &len));
	cr_assert_eq(len, 4, "a refused file must not be written to");
	cr_assert_eq(mode_of(path), c->mode, "nor its mode changed");
}

Test(audit, owner_only_modes_are_accepted)
{
	struct audit *a;

	a = open_ok(make_file("a.log", 0600), "u", "p");
	audit_close(&a);
	a = open_ok(make_file("b.log", 0700), "u", "p");
	audit_close(&a);
	/* Read-only for us too: root may still write, anyone else gets EACCES. */
	if (geteuid() != 0) {
		char *cause = NULL;

		cr_assert_null(audit_open(make_file("c.log", 0400), "u", "p", &cause));
		cr_assert_not_null(strstr(cause, "Permission denied"), "%s", cause);
		free(cause);
	}
}

Test(audit, a_symbolic_link_is_refused)
{
	const char *target = make_file("elsewhere", 0600), *path = in_dir("audit.log");
	size_t len;

	cr_assert_eq(symlink(target, path), 0);
	refused(path, "symbolic link");
	free(slurp(target, &len));
	cr_assert_eq(len, 4, "the link's target must not be written to");

	/* A dangling link must not create its target either. */
	path = in_dir("dangling.log");
	cr_assert_eq(symlink(in_dir("nowhere"), path), 0);
	refused(path, "symbolic link");
	cr_assert_eq(access(in_dir("nowhere"), F_OK), -1);
}

Test(audit, a_directory_is_refused)
{
	const char *path = in_dir("audit.log");

	cr_assert_eq(mkdir(path, 0700), 0);
	refused(path, "directory");
}

Test(audit, a_fifo_is_refused_without_hanging)
{
	const char *path = in_dir("audit.log");

	cr_assert_eq(mkfifo(path, 0600), 0);
	refused(path, "audit log");
}

Test(audit, a_file_owned_by_someone_else_is_refused)
{
	const char *path = make_file("audit.log", 0600);

	if (geteuid() != 0)
		cr_skip_test("only root can give a file to another user");
	cr_assert_eq(chown(path, OTHER_UID, OTHER_UID), 0, "chown: %s", strerror(errno));
	refused(path, "belongs to uid 65534");
}

Test(audit, a_directory_that_cannot_be_made_is_reported)
{
	char *cause = NULL;

	make_file("file", 0600);
	cr_assert_null(audit_open(in_dir("file/sub/audit.log"), "u", "p", &cause));
	cr_assert_not_null(strstr(cause, "audit log"), "%s", cause);
	free(cause);
}

/* ---- hostile text --------------------------------------------------------- */

/* Inline strings: Criterion runs each case in a fresh process (see test_duration.c). */
struct hostile_case {
	char label[32];
	char user[AUDIT_USER_MAX + 40];
	char type[AUDIT_FIELD_MAX + 8];
	char id[AUDIT_FIELD_MAX + 8];
	char note[80];
};

#define ID65 "0123456789012345678901234567890123456789012345678901234567890123X"

ParameterizedTestParameters(audit, hostile_text_stays_on_one_line)
{
	static struct hostile_case cases[] = {
	    {"plain", "frontdesk", "Patient", "123", ""},
	    {"tab in id", "u", "Patient", "12\t34", "id-invalid"},
	    {"forged line in id", "u", "Patient", "1\n2026-01-01T00:00:00Z\tpid=1\tuser=root",
	        "id-invalid"},
	    {"CR in id", "u", "Patient", "123\r", "id-invalid"},
	    {"ESC sequences", "\x1b[2J\x1b]0;owned\x07", "Patient", "\x1b[31m1", "id-invalid"},
	    {"C1 CSI 0x9b",
	        "\x9b"
	        "31mx",
	        "Patient",
	        "\x9b"
	        "2J",
	        "id-invalid"},
	    {"invalid UTF-8", "\xc3\x28\xff\xfe\xc0\xaf", "Patient", "\xed\xa0\x80", "id-invalid"},
	    {"valid UTF-8 and bidi", "M\xc3\xbcller \xe2\x80\xae", "Patient", "1", ""},
	    {"= and tab in the CN", "frontdesk\taction=delete\tresource=Patient/1", "Patient", "2",
	        ""},
	    {"backslash escapes", "a\\x41\\", "Patient", "\\x41", "id-invalid"},
	    {"slash in id", "u", "Patient", "1/_history/2", "id-invalid"},
	    {"slash in type", "u", "Patient/1", "2", "type-invalid"},
	    {"empty id", "u", "Patient", "", "id-invalid"},
	    {"bad type", "u", "patient", "1", "type-invalid"},
	    {"DEL and NBSP", "a\x7f\xc2\xa0", "Patient", "1", ""},
	    {"id of 64", "u", "Patient",
	        "0123456789012345678901234567890123456789012345678901234567890123", ""},
	    {"id of 65", "u", "Patient", ID65, "id-invalid,id-cut"},
	    {"type of 65", "u", "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	        "1", "type-invalid,type-cut"},
	    {"spaces", "Dr Jane Smith", "Patient", "1 2", "id-invalid"},
	};
	return cr_make_param_array(struct hostile_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct hostile_case *c, audit, hostile_text_stays_on_one_line)
{
	const char *path = in_dir("audit.log");
	struct audit *a = open_ok(path, c->user, "sandbox");
	struct parsed p;
	size_t len;
	char *buf;

	log_ok(a, "view", c->type, c->id);
	audit_close(&a);
	buf = slurp(path, &len);
	assert_plain(buf, len);
	cr_assert_eq(parse_file(buf, len, &p, 1), 1, "[%s] not one line: %s", c->label, buf);
	cr_assert_str_eq(p.user, c->user, "[%s]", c->label);
	cr_assert_str_eq(p.profile, "sandbox");
	cr_assert_str_eq(p.action, "view", "[%s]", c->label);
	cr_assert_eq(strncmp(p.type, c->type, AUDIT_FIELD_MAX), 0, "[%s] type", c->label);
	cr_assert_eq(strncmp(p.id, c->id, AUDIT_FIELD_MAX), 0, "[%s] id '%s'", c->label, p.id);
	cr_assert_str_eq(p.note, c->note, "[%s]", c->label);
	free(buf);
}

Test(audit, a_megabyte_id_and_a_long_cn_are_cut)
{
	const char *path = in_dir("audit.log");
	size_t big = 1 << 20, len;
	char *id = malloc(big + 1), user[AUDIT_USER_MAX + 100];
	struct audit *a;
	struct parsed p;
	char *buf;

	cr_assert_not_null(id);
	for (size_t i = 0; i < big; i++)
		id[i] = i % 100 == 99 ? '\n' : (char)(0x80 + i % 128);
	id[big] = '\0';
	memset(user, '\t', sizeof user - 1);
	user[sizeof user - 1] = '\0';
	a = open_ok(path, user, "sandbox");
	log_ok(a, "view", "Patient", id);
	audit_close(&a);
	buf = slurp(path, &len);
	assert_plain(buf, len);
	cr_assert_leq(len, AUDIT_LINE_MAX);
	cr_assert_lt(len, PIPE_BUF);
	cr_assert_eq(parse_file(buf, len, &p, 1), 1);
	cr_assert_eq(strlen(p.user), AUDIT_USER_MAX);
	cr_assert_eq(strlen(p.id), AUDIT_FIELD_MAX);
	cr_assert_eq(memcmp(p.id, id, AUDIT_FIELD_MAX), 0);
	cr_assert_str_eq(p.note, "user-cut,id-invalid,id-cut");
	free(buf);
	free(id);
}

/* ---- the action table ------------------------------------------------------- */

Test(audit, the_table_is_the_documented_list)
{
	/* The list in audit.h's comment on audit_log; change both together. */
	static const char *const documented[] = {"login", "login-failed", "logout", "lock",
	    "unlock", "unlock-failed", "view", "search", "create", "update", "delete", "book",
	    "cancel", "reschedule", "no-show", "check-in", "check-out", "room", "server-full", "export"};
	size_t n = sizeof documented / sizeof documented[0], i;

	for (i = 0; audit_action_name(i) != NULL; i++) {
		const char *name = audit_action_name(i);

		cr_assert_lt(i, n, "%s is not documented", name);
		cr_assert_str_eq(name, documented[i]);
		cr_assert_lt(strlen(name), 16);
		cr_assert_eq(strspn(name, "abcdefghijklmnopqrstuvwxyz-"), strlen(name));
		cr_assert(audit_action_known(name));
	}
	cr_assert_eq(i, n, "%s is documented but not in the table", i < n ? documented[i] : "");
}

struct action_case {
	char action[16];
	bool type, id; /* what the case gives */
	bool ok;
};

ParameterizedTestParameters(audit, actions_take_the_resource_they_need)
{
	static struct action_case cases[] = {
	    {"login", false, false, true},
	    {"login", true, false, false},
	    {"login", true, true, false},
	    {"login", false, true, false},
	    {"login-failed", false, false, true},
	    {"logout", false, false, true},
	    {"lock", false, false, true},
	    {"unlock", false, false, true},
	    {"unlock", true, true, false},
	    {"unlock-failed", false, false, true},
	    {"view", true, true, true},
	    {"view", true, false, false},
	    {"view", false, true, false},
	    {"view", false, false, false},
	    {"search", true, false, true},
	    {"search", true, true, true},
	    {"search", false, false, false},
	    {"search", false, true, false},
	    {"create", true, false, true},
	    {"create", true, true, true},
	    {"create", false, false, false},
	    {"update", true, true, true},
	    {"update", true, false, false},
	    {"delete", true, true, true},
	    {"delete", true, false, false},
	    {"book", true, false, true},
	    {"book", true, true, true},
	    {"book", false, false, false},
	    {"cancel", true, true, true},
	    {"cancel", true, false, false},
	    {"check-in", true, true, true},
	    {"check-in", true, false, false},
	    {"room", false, true, false},
	};
	return cr_make_param_array(struct action_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct action_case *c, audit, actions_take_the_resource_they_need)
{
	const char *path = in_dir("audit.log");
	struct audit *a = open_ok(path, "u", "p");
	char *cause = NULL, *buf;
	size_t len;
	int rc;

	rc = audit_log(a, c->action, c->type ? "Appointment" : NULL, c->id ? "a1" : NULL, &cause);
	audit_close(&a);
	buf = slurp(path, &len);
	if (c->ok) {
		struct parsed p;

		cr_assert_eq(rc, 0, "%s: %s", c->action, cause ? cause : "");
		cr_assert_eq(parse_file(buf, len, &p, 1), 1);
		cr_assert_str_eq(p.action, c->action);
		cr_assert_eq(p.has_type, c->type);
		cr_assert_eq(p.has_id, c->id);
	} else {
		cr_assert_eq(rc, -1, "%s type=%d id=%d was accepted", c->action, c->type, c->id);
		cr_assert_not_null(strstr(cause, "a bug in ehrterm"), "%s", cause);
		cr_assert_not_null(strstr(cause, c->action), "%s", cause);
		cr_assert_eq(len, 0, "a refused event must write nothing");
		free(cause);
	}
	free(buf);
}

struct unknown_case {
	char action[24];
};

ParameterizedTestParameters(audit, unknown_actions_are_refused)
{
	static struct unknown_case cases[] = {{"veiw"}, {""}, {"VIEW"}, {"view "}, {" view"},
	    {"view\n"}, {"login\tx"}, {"read"}, {"Login"}};
	return cr_make_param_array(struct unknown_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct unknown_case *c, audit, unknown_actions_are_refused)
{
	const char *path = in_dir("audit.log");
	struct audit *a = open_ok(path, "u", "p");
	char *cause = NULL, *buf;
	size_t len;

	cr_assert_not(audit_action_known(c->action));
	cr_assert_eq(audit_log(a, c->action, "Patient", "1", &cause), -1);
	cr_assert_not_null(strstr(cause, "not an audit action"), "%s", cause);
	cr_assert_null(strchr(cause, '\n'), "the sentence must not carry the caller's newline");
	free(cause);
	audit_close(&a);
	buf = slurp(path, &len);
	cr_assert_eq(len, 0);
	free(buf);
}

Test(audit, a_null_action_is_refused)
{
	struct audit *a = open_ok(in_dir("audit.log"), "u", "p");
	char *cause = NULL;

	cr_assert_not(audit_action_known(NULL));
	cr_assert_eq(audit_log(a, NULL, NULL, NULL, &cause), -1);
	cr_assert_not_null(cause);
	free(cause);
	audit_close(&a);
}

/* ---- several processes on one file ------------------------------------------ */

#define WRITERS 4
#define LINES_EACH 500

/*
 * End a writer child with CODE. Not by _exit alone: valgrind would leak-check the
 * child with the Criterion worker's state still allocated and fail the run. An exec
 * leaves the old image unchecked; sh only turns CODE into the exit status.
 */
static void
writer_exit(int code)
{
	char cmd[16];

	snprintf(cmd, sizeof cmd, "exit %d", code);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(code);
}

Test(audit, four_processes_never_mix_their_lines)
{
	const char *path = in_dir("audit.log");
	pid_t pids[WRITERS];
	static bool seen[WRITERS][LINES_EACH];
	struct parsed *lines = calloc(WRITERS * LINES_EACH + 1, sizeof *lines);
	int next[WRITERS] = {0};
	size_t len, n;
	char *buf;

	cr_assert_not_null(lines);
	for (int w = 0; w < WRITERS; w++) {
		pids[w] = fork();
		cr_assert_neq(pids[w], -1);
		if (pids[w] == 0) {
			/* Each child is one clerk's ehrterm: its own open, its own lines. */
			char user[32], id[32], *cause = NULL;
			struct audit *a;

			snprintf(user, sizeof user, "clerk %d\t=", w);
			a = audit_open(path, user, "sandbox", &cause);
			if (a == NULL)
				writer_exit(2);
			for (int i = 0; i < LINES_EACH; i++) {
				snprintf(id, sizeof id, "w%d-%d", w, i);
				if (audit_log(a, "view", "Patient", id, &cause) != 0)
					writer_exit(3);
			}
			audit_close(&a);
			writer_exit(0);
		}
	}
	for (int w = 0; w < WRITERS; w++) {
		int status;

		cr_assert_eq(waitpid(pids[w], &status, 0), pids[w]);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer %d: status %d", w,
		    status);
	}

	buf = slurp(path, &len);
	assert_plain(buf, len);
	n = parse_file(buf, len, lines, WRITERS * LINES_EACH + 1);
	cr_assert_eq(n, WRITERS * LINES_EACH, "%zu lines", n);
	for (size_t i = 0; i < n; i++) {
		int w, k;
		char want_user[32];

		cr_assert_eq(sscanf(lines[i].id, "w%d-%d", &w, &k), 2, "id %s", lines[i].id);
		cr_assert(w >= 0 && w < WRITERS && k >= 0 && k < LINES_EACH);
		snprintf(want_user, sizeof want_user, "clerk %d\t=", w);
		cr_assert_str_eq(lines[i].user, want_user, "line %zu", i + 1);
		cr_assert_eq(lines[i].pid, (long)pids[w], "line %zu", i + 1);
		cr_assert_not(seen[w][k], "w%d-%d twice", w, k);
		/* Each writer's own lines keep their order. */
		cr_assert_eq(k, next[w], "writer %d: line %d after %d", w, k, next[w] - 1);
		seen[w][k] = true;
		next[w]++;
	}
	free(buf);
	free(lines);
}

/* ---- failures the caller must hear of --------------------------------------- */

/* Let the file grow to LIMIT bytes, as a full disk would stop it; 0 lifts the limit. */
static void
limit_file_size(rlim_t limit)
{
	struct rlimit rl;

	cr_assert_eq(getrlimit(RLIMIT_FSIZE, &rl), 0);
	rl.rlim_cur = limit == 0 ? rl.rlim_max : limit;
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0, "setrlimit: %s", strerror(errno));
}

Test(audit, a_write_that_fails_is_reported)
{
	const char *path = in_dir("audit.log");
	struct audit *a = open_ok(path, "u", "p");
	char *cause = NULL, *buf;
	struct stat st;
	size_t len;

	/* Beyond the limit write(2) fails with EFBIG, and SIGXFSZ would kill us. */
	signal(SIGXFSZ, SIG_IGN);
	log_ok(a, "login", NULL, NULL);
	cr_assert_eq(stat(path, &st), 0);
	limit_file_size((rlim_t)st.st_size);
	cr_assert_eq(audit_log(a, "view", "Patient", "1", &cause), -1, "the write was not refused");
	cr_assert_not_null(strstr(cause, "cannot write to the audit log"), "%s", cause);
	cr_assert_not_null(strstr(cause, path), "%s", cause);
	cr_assert_not_null(strstr(cause, strerror(EFBIG)), "%s", cause);
	free(cause);
	cause = NULL;

	/* Once there is room again the same log works. */
	limit_file_size(0);
	log_ok(a, "view", "Patient", "2");
	audit_close(&a);
	buf = slurp(path, &len);
	{
		struct parsed p[2];

		cr_assert_eq(parse_file(buf, len, p, 2), 2);
		cr_assert_str_eq(p[1].id, "2");
	}
	free(buf);
}

Test(audit, a_line_cut_short_is_marked_torn_and_the_next_is_whole)
{
	const char *path = in_dir("audit.log");
	struct audit *a = open_ok(path, "u", "p");
	char *cause = NULL, *buf, *l2, *l3;
	struct parsed p;
	struct stat st;
	size_t len;

	signal(SIGXFSZ, SIG_IGN);
	log_ok(a, "login", NULL, NULL);
	cr_assert_eq(stat(path, &st), 0);
	/* Room for 30 more bytes: the write goes in part, then fails. */
	limit_file_size((rlim_t)st.st_size + 30);
	cr_assert_eq(audit_log(a, "view", "Patient", "1", &cause), -1);
	free(cause);
	limit_file_size(0);
	log_ok(a, "view", "Patient", "2");
	audit_close(&a);

	buf = slurp(path, &len);
	l2 = strchr(buf, '\n') + 1;
	l3 = strchr(l2, '\n') + 1;
	cr_assert_eq(
	    l3 - l2, 30 + (long)sizeof "\ttorn\n" - 1, "second line: %.*s", (int)(l3 - l2), l2);
	cr_assert_eq(memcmp(l3 - 6, "\ttorn\n", 6), 0);
	cr_assert(parse_line(buf, (size_t)(l2 - buf - 1), &p), "the line before is whole");
	cr_assert_not(parse_line(l2, (size_t)(l3 - l2 - 1), &p), "a torn line must not parse");
	cr_assert(parse_line(l3, len - (size_t)(l3 - buf) - 1, &p), "the line after is whole");
	cr_assert_str_eq(p.id, "2");
	free(buf);
}

/* ---- one line for a screen of records (audit_log_ids) ------------------------- */

static void
log_ids_ok(struct audit *a, const char *type, const char *const *ids, size_t n)
{
	char *cause = NULL;

	cr_assert_eq(audit_log_ids(a, "view", type, ids, n, &cause), 0, "audit_log_ids: %s",
	    cause ? cause : "");
}

Test(audit, a_schedule_of_patients_is_one_line_in_the_documented_format)
{
	const char *path = in_dir("audit.log");
	static const char *const ids[] = {"p1", "p22", "p1", "A.b-3", "p22"};
	struct audit *a = open_ok(path, "frontdesk", "sandbox");
	char want[256];
	struct parsed p;
	size_t len;
	char *buf;

	log_ids_ok(a, "Patient", ids, 5);
	audit_close(&a);
	buf = slurp(path, &len);
	cr_assert_eq(parse_file(buf, len, &p, 1), 1, "%s", buf);
	/* A patient with two rows on the schedule is one view: each id once, in order. */
	snprintf(want, sizeof want,
	    "%s\tpid=%ld\tuser=frontdesk\tprofile=sandbox\taction=view\tresource=Patient"
	    "\tids=p1,p22,A.b-3\n",
	    p.time, (long)getpid());
	cr_assert_str_eq(buf, want);
	cr_assert_eq(p.nids, 3);
	cr_assert_eq(p.part_n, 0, "a list on one line has no part field");
	free(buf);
}

Test(audit, an_empty_list_writes_nothing)
{
	const char *path = in_dir("audit.log");
	struct audit *a = open_ok(path, "u", "p");
	size_t len;
	char *buf;

	log_ids_ok(a, "Patient", NULL, 0);
	audit_close(&a);
	buf = slurp(path, &len);
	cr_assert_eq(len, 0);
	free(buf);
}

Test(audit, a_hostile_id_in_a_list_cannot_look_like_two)
{
	const char *path = in_dir("audit.log");
	static const char *const ids[] = {"ok1", "a,b", "x\ny\tz=\\/", "\xc3\xa9", "", "ok2"};
	struct audit *a = open_ok(path, "u", "p");
	char id[AUDIT_FIELD_MAX + 1];
	struct parsed p;
	size_t len;
	char *buf;

	log_ids_ok(a, "Patient", ids, 6);
	audit_close(&a);
	buf = slurp(path, &len);
	assert_plain(buf, len);
	cr_assert_eq(parse_file(buf, len, &p, 1), 1, "%s", buf);
	cr_assert_eq(p.nids, 6, "%s", p.ids);
	for (size_t i = 0; i < 6; i++) {
		cr_assert(list_id(&p, i, id));
		cr_assert_str_eq(id, ids[i]);
	}
	cr_assert_not_null(strstr(p.ids, "a\\x2cb"), "%s", p.ids);
	cr_assert_str_eq(p.note, "id-invalid");
	free(buf);
}

/* N distinct ids of LEN bytes each ("id<i>" padded with '0'); the caller frees them. */
static char **
make_ids(size_t n, size_t len)
{
	char **ids = calloc(n, sizeof *ids);

	cr_assert_not_null(ids);
	for (size_t i = 0; i < n; i++) {
		ids[i] = malloc(len + 1);
		cr_assert_not_null(ids[i]);
		memset(ids[i], '0', len);
		ids[i][len] = '\0';
		char tag[24];
		int t = snprintf(tag, sizeof tag, "id%zu-", i);
		memcpy(ids[i], tag, (size_t)t);
	}
	return ids;
}

static void
free_ids(char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

struct split_case {
	size_t n, len;	 /* ids, bytes each */
	bool long_user;	 /* the longest CN there can be, all escaped */
	char id_byte;	 /* every id byte after the tag, or 0 for '0' */
};

ParameterizedTestParameters(audit, a_long_list_is_split_and_every_line_fits_pipe_buf)
{
	static struct split_case cases[] = {
	    {400, 36, false, 0},	/* a week of a busy clinic, UUID-length ids */
	    {400, 36, true, 0},		/* the same, with the worst CN */
	    {60, 64, true, '\x01'},	/* ids all escaped: one or two a line */
	    {20, 100000, true, 0},	/* megabyte-class ids are cut */
	};
	return cr_make_param_array(struct split_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct split_case *c, audit, a_long_list_is_split_and_every_line_fits_pipe_buf)
{
	const char *path = in_dir("audit.log");
	char user[AUDIT_USER_MAX + 1], id[AUDIT_FIELD_MAX + 1], **ids = make_ids(c->n, c->len);
	struct parsed *lines = calloc(c->n + 1, sizeof *lines);
	size_t len, nlines, seen = 0;
	struct audit *a;
	char *buf;

	cr_assert_not_null(lines);
	if (c->id_byte != 0)
		for (size_t i = 0; i < c->n; i++)
			memset(ids[i] + strlen("id") + 4, c->id_byte, c->len - strlen("id") - 4);
	memset(user, '\t', sizeof user - 1);
	user[sizeof user - 1] = '\0';
	a = open_ok(path, c->long_user ? user : "u", "p");
	log_ids_ok(a, "Patient", (const char *const *)ids, c->n);
	audit_close(&a);
	buf = slurp(path, &len);
	assert_plain(buf, len);
	nlines = parse_file(buf, len, lines, c->n + 1);
	cr_assert_gt(nlines, 1, "%zu ids on one line", c->n);
	for (const char *l = buf; l < buf + len; l = strchr(l, '\n') + 1)
		cr_assert_lt((size_t)(strchr(l, '\n') + 1 - l), PIPE_BUF);
	for (size_t k = 0; k < nlines; k++) {
		/* Each line says which of how many it is, all with one time. */
		cr_assert_eq(lines[k].part_k, (long)k + 1);
		cr_assert_eq(lines[k].part_n, (long)nlines);
		cr_assert_str_eq(lines[k].time, lines[0].time);
		cr_assert_str_eq(lines[k].type, "Patient");
		cr_assert_gt(lines[k].nids, 0);
		/* Every id, in order, once. */
		for (size_t i = 0; i < lines[k].nids; i++, seen++) {
			cr_assert(list_id(&lines[k], i, id));
			cr_assert_eq(strncmp(id, ids[seen], AUDIT_FIELD_MAX), 0, "id %zu", seen);
		}
	}
	cr_assert_eq(seen, c->n);
	if (c->len > AUDIT_FIELD_MAX)
		cr_assert_not_null(strstr(lines[0].note, "id-cut"), "%s", lines[0].note);
	free(buf);
	free(lines);
	free_ids(ids, c->n);
}

struct list_refusal {
	char action[16];
	bool type, ids, null_id;
	char want[48];
};

ParameterizedTestParameters(audit, a_wrong_list_is_refused_as_a_bug)
{
	static struct list_refusal cases[] = {
	    {"search", true, true, false, "not a list"},
	    {"update", true, true, false, "not a list"},
	    {"login", true, true, false, "not a list"},
	    {"view", false, true, false, "takes a resource type and ids"},
	    {"view", true, false, false, "takes a resource type and ids"},
	    {"view", true, true, true, "id 2"},
	    {"veiw", true, true, false, "not an audit action"},
	};
	return cr_make_param_array(struct list_refusal, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct list_refusal *c, audit, a_wrong_list_is_refused_as_a_bug)
{
	const char *path = in_dir("audit.log");
	const char *ids[] = {"1", c->null_id ? NULL : "2", "3"};
	struct audit *a = open_ok(path, "u", "p");
	char *cause = NULL, *buf;
	size_t len;

	cr_assert_eq(audit_log_ids(a, c->action, c->type ? "Patient" : NULL, c->ids ? ids : NULL,
	                 3, &cause),
	    -1);
	cr_assert_not_null(strstr(cause, c->want), "%s", cause);
	cr_assert_not_null(strstr(cause, "a bug in ehrterm"), "%s", cause);
	free(cause);
	audit_close(&a);
	buf = slurp(path, &len);
	cr_assert_eq(len, 0, "a refused list must write nothing");
	free(buf);
	cr_assert_eq(audit_log_ids(NULL, "view", "Patient", ids, 1, &cause), -1);
	free(cause);
}

Test(audit, a_list_that_cannot_be_written_is_reported)
{
	const char *path = in_dir("audit.log");
	static const char *const ids[] = {"1", "2"};
	struct audit *a = open_ok(path, "u", "p");
	char *cause = NULL;
	struct stat st;

	signal(SIGXFSZ, SIG_IGN);
	log_ok(a, "login", NULL, NULL);
	cr_assert_eq(stat(path, &st), 0);
	limit_file_size((rlim_t)st.st_size);
	cr_assert_eq(audit_log_ids(a, "view", "Patient", ids, 2, &cause), -1);
	cr_assert_not_null(strstr(cause, "cannot write to the audit log"), "%s", cause);
	free(cause);
	limit_file_size(0);
	audit_close(&a);
}

/* A SMART login's user (the token's fhirUser) names the lines after it; NULL or "" changes nothing. */
Test(audit, the_user_set_after_a_login_names_the_lines_after_it)
{
	const char *path = in_dir("audit.log");
	char *cause = NULL, *buf;
	size_t len;
	struct audit *a = open_ok(path, "frontdesk", "p");

	cr_assert_eq(audit_log(a, "login-failed", NULL, NULL, &cause), 0, "%s", cause);
	audit_set_user(a, "Practitioner/clinician");
	audit_set_user(a, NULL);
	audit_set_user(a, "");
	cr_assert_eq(audit_log(a, "login", NULL, NULL, &cause), 0, "%s", cause);
	audit_close(&a);
	buf = slurp(path, &len);
	cr_assert_not_null(strstr(buf, "user=frontdesk\tprofile=p\taction=login-failed\n"), "%s", buf);
	cr_assert_not_null(strstr(buf, "user=Practitioner\\x2fclinician\tprofile=p\taction=login\n"),
	    "%s", buf);
	free(buf);
}
