/* The audit trail: the action table, escaping hostile text, file checks, one append per line. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "util/file.h"
#include "util/xmalloc.h"

/* What an action must be given; checked so that a call with the wrong one fails in tests. */
enum audit_needs {
	AUDIT_NO_RESOURCE, /* a session event: neither type nor id */
	AUDIT_TYPE,        /* a type, and an id when there is one */
	AUDIT_TYPE_ID,     /* one record: a type and an id */
};

/* Longer than any name in the table, for the line's length bound. */
#define AUDIT_ACTION_MAX 16

// clang-format off
static const struct audit_action {
	const char *name;
	enum audit_needs needs;
	bool many; /* audit_log_ids may name several ids on one line */
} audit_actions[] = {
	{ "login",         AUDIT_NO_RESOURCE, false },     /* the key unlocked and the session opened */
	{ "login-failed",  AUDIT_NO_RESOURCE, false },     /* a wrong passphrase or a refused certificate */
	{ "logout",        AUDIT_NO_RESOURCE, false },
	{ "lock",          AUDIT_NO_RESOURCE, false },     /* the idle lock cleared the screen */
	{ "unlock",        AUDIT_NO_RESOURCE, false },
	{ "unlock-failed", AUDIT_NO_RESOURCE, false },
	{ "view",          AUDIT_TYPE_ID,     true },      /* one record, or a screen of them */
	{ "search",        AUDIT_TYPE,        false },     /* the type searched, never the search terms */
	{ "create",        AUDIT_TYPE,        false },     /* the id once the server has given one */
	{ "update",        AUDIT_TYPE_ID,     false },
	{ "delete",        AUDIT_TYPE_ID,     false },
	{ "book",          AUDIT_TYPE,        false },     /* an Appointment; the id once known */
	{ "cancel",        AUDIT_TYPE_ID,     false },
	{ "reschedule",    AUDIT_TYPE_ID,     false },     /* an Appointment moved to other slots */
	{ "no-show",       AUDIT_TYPE_ID,     false },
	{ "check-in",      AUDIT_TYPE_ID,     false },     /* the Appointment; its Encounter is created */
	{ "check-out",     AUDIT_TYPE_ID,     false },
	{ "room",          AUDIT_TYPE_ID,     false },     /* an Encounter's room */
	{ "server-full",   AUDIT_NO_RESOURCE, false },     /* audit_server: later events not sent */
	{ "export",        AUDIT_TYPE_ID,     false },     /* a record sent out: a claim printed */
};
// clang-format on

#define AUDIT_NACTIONS (sizeof audit_actions / sizeof audit_actions[0])

/* An escaped byte takes four ("\xNN"). */
#define AUDIT_ESCAPED(n) (4 * (n))
#define AUDIT_TIME_FORMAT "%Y-%m-%dT%H:%M:%SZ"
#define AUDIT_TORN "\ttorn\n"
#define AUDIT_ALL_NOTES "user-cut,profile-cut,type-invalid,type-cut,id-invalid,id-cut"

/*
 * The longest line there can be, counted field by field (sizeof counts the NUL, which
 * stands in for each field's tab or for the pid's sign), must fit the buffer and
 * PIPE_BUF.
 */
#define AUDIT_WORST_LINE                                                                           \
	(sizeof AUDIT_TORN + sizeof "2026-11-28T17:23:31Z" + sizeof "pid=" + 20 + sizeof "user=" + \
	    AUDIT_ESCAPED(AUDIT_USER_MAX) + sizeof "profile=" + AUDIT_ESCAPED(AUDIT_FIELD_MAX) +   \
	    sizeof "action=" + AUDIT_ACTION_MAX + sizeof "resource=/" +                            \
	    2 * AUDIT_ESCAPED(AUDIT_FIELD_MAX) + sizeof "note=" + sizeof AUDIT_ALL_NOTES + 1)
_Static_assert(AUDIT_WORST_LINE <= AUDIT_LINE_MAX, "an audit line can outgrow AUDIT_LINE_MAX");
/* "\tpart=" and two counts of up to 20 digits. */
#define AUDIT_PART_MAX (sizeof "\tpart=/" - 1 + 2 * 20)
/*
 * A line of a list (audit_log_ids) with the longest head, type and notes must still
 * hold one id, however long, so that every id gets a line.
 */
#define AUDIT_WORST_LIST_LINE                                                                      \
	(sizeof AUDIT_TORN + sizeof "2026-11-28T17:23:31Z" + sizeof "pid=" + 20 + sizeof "user=" + \
	    AUDIT_ESCAPED(AUDIT_USER_MAX) + sizeof "profile=" + AUDIT_ESCAPED(AUDIT_FIELD_MAX) +   \
	    sizeof "action=" + AUDIT_ACTION_MAX + sizeof "resource=" +                             \
	    AUDIT_ESCAPED(AUDIT_FIELD_MAX) + sizeof "ids=" + AUDIT_ESCAPED(AUDIT_FIELD_MAX) +      \
	    AUDIT_PART_MAX + sizeof "note=" + sizeof AUDIT_ALL_NOTES + 1)
_Static_assert(AUDIT_WORST_LIST_LINE <= AUDIT_LINE_MAX, "one id may not fit a line of a list");
_Static_assert(AUDIT_LINE_MAX <= PIPE_BUF, "AUDIT_LINE_MAX must not be above PIPE_BUF");

struct audit {
	char *path;
	int fd;
	/* Escaped once at open: they are the same on every line. */
	char user[AUDIT_ESCAPED(AUDIT_USER_MAX) + 1];
	char profile[AUDIT_ESCAPED(AUDIT_FIELD_MAX) + 1];
	bool user_cut, profile_cut;
	/* Our last write stopped inside a line: end that fragment before the next line. */
	bool torn;
};

/* A line being built; a field that does not fit sets overflow (a bug, see AUDIT_WORST_LINE). */
struct audit_line {
	char buf[AUDIT_LINE_MAX];
	size_t len;
	bool overflow;
	bool noted;
};

static void
audit_put(struct audit_line *l, const char *s)
{
	size_t n = strlen(s);

	if (n > sizeof l->buf - l->len) {
		l->overflow = true;
		return;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

/* Add NOTE to the line's note field, starting the field with the first one. */
static void
audit_note(struct audit_line *l, const char *note)
{
	audit_put(l, l->noted ? "," : "\tnote=");
	audit_put(l, note);
	l->noted = true;
}

/*
 * Write at most MAX bytes of the C string IN to OUT with every byte that is not
 * visible ASCII, and the format's own '\\', '=' and '/' (and ',' in a list of ids,
 * when COMMA), as \xNN; OUT holds AUDIT_ESCAPED(MAX) + 1 bytes. strnlen, not
 * strlen: a megabyte from a server is not read past MAX. Returns whether IN was
 * longer than MAX and got cut.
 */
static bool
audit_escape_as(char *out, const char *in, size_t max, bool comma)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strnlen(in, max + 1), i;
	bool cut = n > max;

	if (cut)
		n = max;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c > ' ' && c < 0x7f && c != '\\' && c != '=' && c != '/' &&
		    !(comma && c == ',')) {
			*out++ = (char)c;
			continue;
		}
		*out++ = '\\';
		*out++ = 'x';
		*out++ = hex[c >> 4];
		*out++ = hex[c & 0xf];
	}
	*out = '\0';
	return cut;
}

static bool
audit_escape(char *out, const char *in, size_t max)
{
	return audit_escape_as(out, in, max, false);
}

/* ASCII only, whatever the locale says a letter is. */
static bool
audit_is_letter(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* A FHIR resource type: [A-Z][A-Za-z]{0,63}. */
static bool
audit_type_ok(const char *s)
{
	size_t n = strnlen(s, AUDIT_FIELD_MAX + 1), i;

	if (n == 0 || n > AUDIT_FIELD_MAX || !(s[0] >= 'A' && s[0] <= 'Z'))
		return false;
	for (i = 1; i < n; i++)
		if (!audit_is_letter(s[i]))
			return false;
	return true;
}

/* A FHIR id: [A-Za-z0-9\-\.]{1,64}. */
static bool
audit_id_ok(const char *s)
{
	size_t n = strnlen(s, AUDIT_FIELD_MAX + 1), i;

	if (n == 0 || n > AUDIT_FIELD_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!audit_is_letter(s[i]) && !(s[i] >= '0' && s[i] <= '9') && s[i] != '-' &&
		    s[i] != '.')
			return false;
	return true;
}

static const struct audit_action *
audit_action_find(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < AUDIT_NACTIONS; i++)
		if (strcmp(audit_actions[i].name, name) == 0)
			return &audit_actions[i];
	return NULL;
}

bool
audit_action_known(const char *action)
{
	return audit_action_find(action) != NULL;
}

const char *
audit_action_name(size_t i)
{
	return i < AUDIT_NACTIONS ? audit_actions[i].name : NULL;
}

char *
audit_default_path(char **cause)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	/* The XDG base directory spec says to ignore a relative XDG_STATE_HOME. */
	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/ehrterm/audit.log", xdg);
	if (home != NULL && home[0] == '/')
		return xasprintf("%s/.local/state/ehrterm/audit.log", home);
	*cause = xstrdup("neither XDG_STATE_HOME nor HOME is an absolute path, so there is no "
	                 "place for the audit log; set HOME");
	return NULL;
}

/*
 * Flush the directory holding PATH, so that a name just made in it (a directory of
 * the log's path, or the log) survives a crash as the lines written to it do.
 * EINVAL: some file systems cannot sync a directory, and the lines are still synced.
 */
static int
audit_sync_parent(const char *path, char **cause)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash == NULL ? xstrdup(".")
	    : slash == path	  ? xstrdup("/")
				  : xstrndup(path, (size_t)(slash - path));
	int fd, rc = 0;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1 || (fsync(fd) != 0 && errno != EINVAL)) {
		*cause = xasprintf("cannot get the directory %s of the audit log onto the disk: %s",
		    dir, strerror(errno));
		rc = -1;
	}
	if (fd != -1)
		close(fd);
	free(dir);
	return rc;
}

/*
 * Make the directories above the file PATH, like mkdir -p. 0700: the umask can only
 * take bits away, so no umask makes them open to others. Returns 0, or -1 with
 * *cause set.
 */
static int
audit_mkdirs(const char *path, char **cause)
{
	char *dir = xstrdup(path), *p;
	int rc = 0;

	for (p = dir + 1; rc == 0 && (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(dir, 0700) == 0)
			rc = audit_sync_parent(dir, cause);
		else if (errno != EEXIST) {
			*cause = xasprintf("cannot make the directory %s for the audit log: %s",
			    dir, strerror(errno));
			rc = -1;
		}
		*p = '/';
	}
	free(dir);
	return rc;
}

/*
 * Open PATH for appending, creating it and its directories; *CREATED tells whether
 * this call made the file. O_NOFOLLOW: a link planted in the file's place must not
 * send the lines elsewhere (and O_EXCL never follows one). O_NONBLOCK: a FIFO there
 * must not hang us before the fstat check. Returns the descriptor, or -1 with
 * *cause set.
 */
static int
audit_open_file(const char *path, bool *created, char **cause)
{
	const int flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK;
	struct stat st;
	int fd;

	*created = false;
	fd = open(path, flags);
	if (fd == -1 && errno == ENOENT) {
		if (audit_mkdirs(path, cause) != 0)
			return -1;
		fd = open(path, flags | O_CREAT | O_EXCL, 0600);
		if (fd != -1)
			*created = true;
		else if (errno == EEXIST) /* another ehrterm made it first, or a link is there */
			fd = open(path, flags);
	}
	if (fd != -1)
		return fd;
	if (errno == ELOOP && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		*cause = xasprintf("the audit log %s is a symbolic link; it must be a regular "
		                   "file: remove the link and ehrterm starts a new log",
		    path);
	else if (errno == EISDIR)
		*cause = xasprintf("the audit log %s is a directory; it must be a regular file: "
		                   "move the directory aside and ehrterm starts a new log",
		    path);
	else
		*cause = xasprintf("cannot open the audit log %s: %s", path, strerror(errno));
	return -1;
}

// clang-format off
/* The lines name who saw which record: nobody else may read them, nor swap the file. */
static const struct file_policy audit_policy = {
	.what = "the audit log", .flags = FILE_SECRET,
	.hint = "; move it aside and ehrterm starts a new log", .chmod = "600",
};
// clang-format on

struct audit *
audit_open(const char *path, const char *user, const char *profile, char **cause)
{
	struct audit *a;
	char *owned = NULL;
	bool created;
	int fd, fl;

	if (user == NULL || *user == '\0') {
		*cause = xstrdup("no user name for the audit log (the certificate's CN)");
		return NULL;
	}
	if (profile == NULL || *profile == '\0') {
		*cause = xstrdup("no profile name for the audit log");
		return NULL;
	}
	if (path == NULL && (path = owned = audit_default_path(cause)) == NULL)
		return NULL;
	if (*path == '\0') {
		*cause = xstrdup("no name was given for the audit log");
		return NULL;
	}
	fd = audit_open_file(path, &created, cause);
	if (fd == -1 || file_check_fd(fd, path, &audit_policy, cause) != 0 ||
	    file_check_dirs(path, &audit_policy, cause) != 0 ||
	    (created && audit_sync_parent(path, cause) != 0)) {
		if (fd != -1)
			close(fd);
		free(owned);
		return NULL;
	}
	/* O_NONBLOCK was only for the open; writes to a regular file should block. */
	if ((fl = fcntl(fd, F_GETFL)) != -1)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);

	a = xcalloc(1, sizeof *a);
	a->path = owned != NULL ? owned : xstrdup(path);
	a->fd = fd;
	a->user_cut = audit_escape(a->user, user, AUDIT_USER_MAX);
	a->profile_cut = audit_escape(a->profile, profile, AUDIT_FIELD_MAX);
	return a;
}

/* Check that ACT was given the resource it needs. Returns 0, or -1 with *cause set. */
static int
audit_check_resource(const struct audit_action *act, const char *type, const char *id, char **cause)
{
	const char *want = NULL;

	switch (act->needs) {
	case AUDIT_NO_RESOURCE:
		if (type != NULL || id != NULL)
			want = "no resource";
		break;
	case AUDIT_TYPE:
		if (type == NULL)
			want = "a resource type";
		break;
	case AUDIT_TYPE_ID:
		if (type == NULL || id == NULL)
			want = "a resource type and id";
		break;
	}
	if (want == NULL)
		return 0;
	*cause = xasprintf("the audit action %s takes %s (a bug in ehrterm)", act->name, want);
	return -1;
}

/* A sentence's end that says what to do about a failed write, where we know. */
static const char *
audit_hint(int error)
{
	switch (error) {
	case ENOSPC:
		return "; the disk is full: free some space";
	case EDQUOT:
		return "; the disk quota is used up: free some space";
	case EFBIG:
		return "; the file is as large as it may be: move it aside and ehrterm starts a "
		       "new log";
	default:
		return "";
	}
}

/*
 * Append the LEN bytes of LINE. One write(2) puts it in whole; a short write (the
 * disk filled between blocks) is continued, and if that fails the fragment left in
 * the file is marked torn. Then fdatasync: see the header for why every line.
 */
static int
audit_write(struct audit *a, const char *line, size_t len, char **cause)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(a->fd, line + done, len - done);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			int error = n == 0 ? EIO : errno;

			if (done > 0)
				a->torn = true;
			*cause = xasprintf("cannot write to the audit log %s: %s%s", a->path,
			    strerror(error), audit_hint(error));
			return -1;
		}
		done += (size_t)n;
	}
	a->torn = false;
	if (fdatasync(a->fd) != 0) {
		*cause = xasprintf("cannot get the audit log %s onto the disk: %s%s", a->path,
		    strerror(errno), audit_hint(errno));
		return -1;
	}
	return 0;
}

/* The clock as the line's time field, into STAMP (32 bytes). Returns 0, or -1 with *cause set. */
static int
audit_stamp(char *stamp, char **cause)
{
	struct timespec now;
	struct tm tm;

	if (clock_gettime(CLOCK_REALTIME, &now) != 0 || gmtime_r(&now.tv_sec, &tm) == NULL ||
	    strftime(stamp, 32, AUDIT_TIME_FORMAT, &tm) == 0) {
		*cause = xstrdup("cannot read the clock for the audit log");
		return -1;
	}
	return 0;
}

/* Find ACTION in the table; NULL with *cause set when it is not there. */
static const struct audit_action *
audit_action_check(struct audit *a, const char *action, char **cause)
{
	const struct audit_action *act;
	char field[AUDIT_ESCAPED(AUDIT_FIELD_MAX) + 1];

	if (a == NULL) {
		*cause = xstrdup("the audit log is not open");
		return NULL;
	}
	if ((act = audit_action_find(action)) == NULL) {
		audit_escape(field, action != NULL ? action : "(null)", AUDIT_FIELD_MAX);
		*cause = xasprintf("%s is not an audit action (a bug in ehrterm)", field);
	}
	return act;
}

/* The fields every line starts with, up to the action; a torn fragment is ended first. */
static void
audit_head(const struct audit *a, struct audit_line *l, const char *stamp, const char *action)
{
	char field[32];

	if (a->torn)
		audit_put(l, AUDIT_TORN);
	audit_put(l, stamp);
	snprintf(field, sizeof field, "\tpid=%ld", (long)getpid());
	audit_put(l, field);
	audit_put(l, "\tuser=");
	audit_put(l, a->user);
	audit_put(l, "\tprofile=");
	audit_put(l, a->profile);
	audit_put(l, "\taction=");
	audit_put(l, action);
}

/* The notes on the session's fields and on the resource type, which every line shares. */
static void
audit_notes_head(const struct audit *a, struct audit_line *l, const char *type)
{
	if (a->user_cut)
		audit_note(l, "user-cut");
	if (a->profile_cut)
		audit_note(l, "profile-cut");
	if (type != NULL && !audit_type_ok(type))
		audit_note(l, "type-invalid");
	if (type != NULL && strnlen(type, AUDIT_FIELD_MAX + 1) > AUDIT_FIELD_MAX)
		audit_note(l, "type-cut");
}

int
audit_log(struct audit *a, const char *action, const char *resource_type, const char *resource_id,
    char **cause)
{
	const struct audit_action *act;
	struct audit_line l = {.len = 0};
	char field[AUDIT_ESCAPED(AUDIT_FIELD_MAX) + 1], stamp[32];

	if ((act = audit_action_check(a, action, cause)) == NULL)
		return -1;
	if (audit_check_resource(act, resource_type, resource_id, cause) != 0)
		return -1;
	if (audit_stamp(stamp, cause) != 0)
		return -1;

	audit_head(a, &l, stamp, act->name);
	if (resource_type != NULL) {
		audit_put(&l, "\tresource=");
		audit_escape(field, resource_type, AUDIT_FIELD_MAX);
		audit_put(&l, field);
		if (resource_id != NULL) {
			audit_put(&l, "/");
			audit_escape(field, resource_id, AUDIT_FIELD_MAX);
			audit_put(&l, field);
		}
	}
	audit_notes_head(a, &l, resource_type);
	if (resource_id != NULL && !audit_id_ok(resource_id))
		audit_note(&l, "id-invalid");
	if (resource_id != NULL && strnlen(resource_id, AUDIT_FIELD_MAX + 1) > AUDIT_FIELD_MAX)
		audit_note(&l, "id-cut");
	audit_put(&l, "\n");
	if (l.overflow) {
		*cause = xstrdup("an audit line did not fit its buffer (a bug in ehrterm)");
		return -1;
	}
	return audit_write(a, l.buf, l.len, cause);
}

/* One id of a list: escaped once, with what the notes need. */
struct audit_list_id {
	char *text; /* escaped, ',' too */
	size_t len;
	bool invalid, cut;
};

/*
 * What a line of a list holds besides its ids: the head as it is now, the type, and
 * room for the longest part and note fields and a torn mark, so every line of one
 * event gets the same room whatever it notes.
 */
static size_t
audit_list_fixed(const struct audit *a, const char *stamp, const char *action, const char *type_esc)
{
	struct audit_line l = {.len = 0};

	audit_head(a, &l, stamp, action);
	return l.len + (a->torn ? 0 : sizeof AUDIT_TORN - 1) + sizeof "\tresource=" - 1 +
	    strlen(type_esc) + sizeof "\tids=" - 1 + AUDIT_PART_MAX + sizeof "\tnote=" - 1 +
	    sizeof AUDIT_ALL_NOTES - 1 + 1;
}

/* Check a list event's arguments. Returns 0, or -1 with *cause set. */
static int
audit_list_check(const struct audit_action *act, const char *type, const char *const *ids,
    size_t n, char **cause)
{
	if (!act->many) {
		*cause = xasprintf("the audit action %s names one record, not a list (a bug in "
		                   "ehrterm)",
		    act->name);
		return -1;
	}
	if (type == NULL || (n > 0 && ids == NULL)) {
		*cause = xasprintf("the audit action %s takes a resource type and ids (a bug in "
		                   "ehrterm)",
		    act->name);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (ids[i] == NULL) {
			*cause = xasprintf("id %zu of the audit action %s is missing (a bug in "
			                   "ehrterm)",
			    i + 1, act->name);
			return -1;
		}
	}
	return 0;
}

/*
 * Escape each id of IDS once, dropping repeats (a patient with two rows on a
 * schedule is one view). Ids equal in their first AUDIT_FIELD_MAX + 1 bytes are
 * both cut the same way, so they are one. Returns how many are kept in OUT.
 */
static size_t
audit_list_ids(const char *const *ids, size_t n, struct audit_list_id *out)
{
	char field[AUDIT_ESCAPED(AUDIT_FIELD_MAX) + 1];
	size_t kept = 0;

	for (size_t i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < i; j++)
			if (strncmp(ids[i], ids[j], AUDIT_FIELD_MAX + 1) == 0)
				break;
		if (j < i)
			continue;
		out[kept].cut = audit_escape_as(field, ids[i], AUDIT_FIELD_MAX, true);
		out[kept].invalid = !audit_id_ok(ids[i]);
		out[kept].text = xstrdup(field);
		out[kept].len = strlen(field);
		kept++;
	}
	return kept;
}

int
audit_log_ids(struct audit *a, const char *action, const char *type, const char *const *ids,
    size_t n, char **cause)
{
	const struct audit_action *act;
	char type_esc[AUDIT_ESCAPED(AUDIT_FIELD_MAX) + 1], stamp[32], part[AUDIT_PART_MAX + 1];
	struct audit_list_id *list;
	size_t kept, budget, lines = 0, used = 0, i, first, line;
	int rc = 0;

	if ((act = audit_action_check(a, action, cause)) == NULL)
		return -1;
	if (audit_list_check(act, type, ids, n, cause) != 0)
		return -1;
	if (n == 0)
		return 0;
	if (audit_stamp(stamp, cause) != 0)
		return -1;
	audit_escape(type_esc, type, AUDIT_FIELD_MAX);
	list = xcalloc(n, sizeof *list);
	kept = audit_list_ids(ids, n, list);
	/* AUDIT_WORST_LIST_LINE: at least one id fits, so every line has one. */
	budget = AUDIT_LINE_MAX - audit_list_fixed(a, stamp, act->name, type_esc);

	/* Count the lines first: each says which of how many it is. */
	for (i = 0; i < kept; i++) {
		if (used == 0 || used + 1 + list[i].len > budget) {
			lines++;
			used = list[i].len;
		} else {
			used += 1 + list[i].len;
		}
	}
	for (first = 0, line = 1; rc == 0 && first < kept; line++) {
		struct audit_line l = {.len = 0};
		bool invalid = false, cut = false;

		audit_head(a, &l, stamp, act->name);
		audit_put(&l, "\tresource=");
		audit_put(&l, type_esc);
		audit_put(&l, "\tids=");
		for (i = first, used = 0; i < kept; i++) {
			if (used > 0 && used + 1 + list[i].len > budget)
				break;
			if (used > 0)
				audit_put(&l, ",");
			audit_put(&l, list[i].text);
			used += (used > 0) + list[i].len;
			invalid |= list[i].invalid;
			cut |= list[i].cut;
		}
		first = i;
		if (lines > 1) {
			snprintf(part, sizeof part, "\tpart=%zu/%zu", line, lines);
			audit_put(&l, part);
		}
		audit_notes_head(a, &l, type);
		if (invalid)
			audit_note(&l, "id-invalid");
		if (cut)
			audit_note(&l, "id-cut");
		audit_put(&l, "\n");
		if (l.overflow) {
			*cause = xstrdup("an audit line did not fit its buffer (a bug in ehrterm)");
			rc = -1;
		} else {
			rc = audit_write(a, l.buf, l.len, cause);
		}
	}
	for (i = 0; i < kept; i++)
		free(list[i].text);
	free(list);
	return rc;
}

const char *
audit_path(const struct audit *a)
{
	return a->path;
}

void
audit_close(struct audit **ap)
{
	struct audit *a;

	if (ap == NULL || (a = *ap) == NULL)
		return;
	close(a->fd);
	free(a->path);
	free(a);
	*ap = NULL;
}

void
audit_set_user(struct audit *a, const char *user)
{
	if (a == NULL || user == NULL || *user == '\0')
		return;
	a->user_cut = audit_escape(a->user, user, AUDIT_USER_MAX);
}
