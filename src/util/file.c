/* Files only their owner can change: open, check the same descriptor, and the directories above. */
#include "config.h"

#include "util/file.h"
#include "util/xmalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* "the config file" or "the audit log": WHAT with an article, for "no name was given for". */
static const char *
file_article(const char *what)
{
	return strncmp(what, "the ", 4) == 0 ? "" : "the ";
}

int
file_check_fd(int fd, const char *path, const struct file_policy *p, char **cause)
{
	const char *hint = p->hint != NULL ? p->hint : "";
	struct stat st;
	mode_t loose;

	if (fstat(fd, &st) != 0) {
		*cause = xasprintf("cannot stat %s %s: %s", p->what, path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		*cause = xasprintf("%s %s is not a regular file%s", p->what, path, hint);
		return -1;
	}
	/* As ssh does: root's files may be trusted, anyone else's are not. */
	if (st.st_uid != geteuid() && !(st.st_uid == 0 && (p->flags & FILE_ROOT_OK))) {
		*cause = xasprintf("%s %s belongs to uid %lu, not to you (uid %lu)%s%s", p->what,
		    path, (unsigned long)st.st_uid, (unsigned long)geteuid(),
		    (p->flags & FILE_ROOT_OK) ? " or root" : "",
		    p->hint != NULL            ? p->hint
		    : (p->flags & FILE_SECRET) ? "; a private file must be yours alone"
		                               : "");
		return -1;
	}
	loose = (p->flags & FILE_SECRET) ? (S_IRWXG | S_IRWXO) : (S_IWGRP | S_IWOTH);
	if ((st.st_mode & loose) != 0) {
		*cause = xasprintf("%s %s has mode %04o, which lets group or others %s it; run: "
		                   "chmod %s %s",
		    p->what, path, (unsigned int)(st.st_mode & 07777),
		    (p->flags & FILE_SECRET) ? "read or change" : "change",
		    p->chmod != NULL ? p->chmod : "600", path);
		return -1;
	}
	return 0;
}

/* Whether directory DIR, with ST, lets only the user or root put another file in it. */
static int
file_check_dir(const char *dir, const struct stat *st, const char *path,
    const struct file_policy *p, char **cause)
{
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		*cause =
		    xasprintf("the directory %s, which holds %s %s, belongs to uid %lu, not to "
		              "you (uid %lu) or root; its owner could put another file in "
		              "its place",
		        dir, p->what, path, (unsigned long)st->st_uid, (unsigned long)geteuid());
		return -1;
	}
	/* A sticky directory of root's (/tmp) lets nobody else rename or remove our file. */
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
	    !((st->st_mode & S_ISVTX) != 0 && st->st_uid == 0)) {
		*cause =
		    xasprintf("the directory %s, which holds %s %s, has mode %04o, which lets "
		              "group or others put another file in its place; run: chmod go-w %s",
		        dir, p->what, path, (unsigned int)(st->st_mode & 07777), dir);
		return -1;
	}
	return 0;
}

int
file_check_dirs(const char *path, const struct file_policy *p, char **cause)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash == NULL   ? xstrdup(".")
	            : slash == path ? xstrdup("/")
	                            : xstrndup(path, (size_t)(slash - path));
	char *real = realpath(dir, NULL), *end;
	struct stat st;
	int rc = 0;

	if (real == NULL) {
		*cause = xasprintf("cannot find the directory %s of %s %s: %s", dir, p->what, path,
		    strerror(errno));
		free(dir);
		return -1;
	}
	free(dir);
	/* The canonical name has no links left, so each step up is the directory itself. */
	for (;;) {
		if (stat(real, &st) != 0) {
			*cause = xasprintf("cannot stat the directory %s of %s %s: %s", real,
			    p->what, path, strerror(errno));
			rc = -1;
			break;
		}
		if ((rc = file_check_dir(real, &st, path, p, cause)) != 0)
			break;
		if (strcmp(real, "/") == 0)
			break;
		end = strrchr(real, '/');
		if (end == real)
			end[1] = '\0';
		else
			*end = '\0';
	}
	free(real);
	return rc;
}

int
file_open(const char *path, const struct file_policy *p, char **cause)
{
	/* O_NONBLOCK: a FIFO put in the file's place must not hang us before the checks. */
	const int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW;
	const char *opened = path;
	char *real = NULL;
	int fd, fl;

	if (path == NULL || *path == '\0') {
		*cause = xasprintf("no name was given for %s%s", file_article(p->what), p->what);
		return -1;
	}
	fd = open(path, flags);
	if (fd == -1 && errno == ELOOP && (p->flags & FILE_LINK_OK)) {
		/* Whoever can change the link's directory decides where it points: check it too. */
		if (file_check_dirs(path, p, cause) != 0)
			return -1;
		if ((real = realpath(path, NULL)) != NULL) {
			opened = real;
			fd = open(real, flags);
		}
	}
	if (fd == -1) {
		if (errno == ENOENT)
			*cause = xasprintf("%s %s does not exist%s", p->what, path,
			    p->missing != NULL ? p->missing : "");
		else if (errno == ELOOP && (p->flags & FILE_LINK_OK))
			*cause = xasprintf("%s %s is a loop of symbolic links", p->what, path);
		else if (errno == ELOOP)
			*cause = xasprintf(
			    "%s %s is a symbolic link; name the file itself", p->what, path);
		else
			*cause = xasprintf("cannot open %s %s: %s", p->what, path, strerror(errno));
		free(real);
		return -1;
	}
	if (file_check_fd(fd, path, p, cause) != 0 || file_check_dirs(opened, p, cause) != 0) {
		close(fd);
		free(real);
		return -1;
	}
	free(real);
	/* O_NONBLOCK was only for the open. */
	if ((fl = fcntl(fd, F_GETFL)) != -1)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

int
file_read(const char *path, const struct file_policy *p, size_t max, char **buf, size_t *len,
    char **cause)
{
	size_t have = 0;
	ssize_t got;
	char *b;
	int fd;

	if ((fd = file_open(path, p, cause)) == -1)
		return -1;
	b = xmalloc(max + 2);
	while (have <= max) {
		got = read(fd, b + have, max + 1 - have);
		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1) {
			*cause = xasprintf("cannot read %s %s: %s", p->what, path, strerror(errno));
			free(b);
			close(fd);
			return -1;
		}
		if (got == 0)
			break;
		have += (size_t)got;
	}
	close(fd);
	b[have] = '\0';
	*buf = b;
	*len = have;
	return 0;
}
