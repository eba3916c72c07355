/* Files only their owner can change: open, check the same descriptor, and the directories above. */
#ifndef EHRTERM_UTIL_FILE_H
#define EHRTERM_UTIL_FILE_H

#include <stddef.h>

#define FILE_SECRET 0x1  /* group and others may not read it either, and it is the user's */
#define FILE_ROOT_OK 0x2 /* a file (and directories) root owns is trusted too */
#define FILE_LINK_OK 0x4 /* a symbolic link in the file's place is followed, once */

/*
 * What a caller accepts, and how its messages name the file. A file is refused
 * when it is not a regular file, when someone other than the user (or root, with
 * FILE_ROOT_OK) owns it, when group or others can write it (read it too, with
 * FILE_SECRET), or when a directory above it could be changed by someone else:
 * one that group or others can write, unless it is sticky and root's (/tmp), or
 * one that belongs to anyone but the user or root, as sshd's StrictModes checks.
 */
struct file_policy {
	const char *what;    /* names the file: "config file", "the audit log" */
	int flags;           /* FILE_SECRET, FILE_ROOT_OK, FILE_LINK_OK */
	const char *missing; /* ends the message for a file that does not exist, or NULL */
	const char *hint;    /* ends the one for a file not regular or not the user's, or NULL */
	const char *chmod;   /* the fix offered for a loose mode: "600", "go-w" */
};

/*
 * Open PATH for reading (O_NOFOLLOW, O_CLOEXEC; with FILE_LINK_OK a link is
 * resolved first and the file it names opened with O_NOFOLLOW, and the
 * directories of both are checked) and check the descriptor against POLICY.
 * Returns the descriptor, blocking, or -1 with *cause set.
 */
int file_open(const char *path, const struct file_policy *policy, char **cause);

/*
 * Read the file at PATH, checked as file_open does, into *BUF (NUL-terminated,
 * the caller frees it) and *LEN. At most MAX + 1 bytes are read, so that a
 * caller can tell a file longer than MAX and say so. Returns 0, or -1 with
 * *cause set.
 */
int file_read(const char *path, const struct file_policy *policy, size_t max, char **buf,
    size_t *len, char **cause);

/* Check what the open descriptor FD, opened as PATH, is; the file, not whatever PATH names now. */
int file_check_fd(int fd, const char *path, const struct file_policy *policy, char **cause);

/* Check the directories from the one holding PATH up to /. Returns 0, or -1 with *cause set. */
int file_check_dirs(const char *path, const struct file_policy *policy, char **cause);

#endif
