/* Unit tests for util/file: the one reader of files only their owner may change. */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/file.h"

static char dir[512];

static void
dir_make(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/ehrterm-file-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	cr_assert_not_null(mkdtemp(dir), "mkdtemp %s: %s", dir, strerror(errno));
}

static void
dir_remove(void)
{
	char cmd[600];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(file, .init = dir_make, .fini = dir_remove, .timeout = 20);

// clang-format off
static const struct file_policy plain = { .what = "test file", .chmod = "go-w" };
static const struct file_policy links = {
	.what = "test file", .flags = FILE_LINK_OK, .chmod = "go-w",
};
static const struct file_policy secret = { .what = "secret file", .flags = FILE_SECRET };
// clang-format on

/* DIR/NAME holding TEXT with MODE; returns the path in a static buffer of its own. */
static const char *
make_file(const char *name, const char *text, mode_t mode)
{
	static char paths[8][700];
	static int next;
	char *path = paths[next++ % 8];
	int fd;

	snprintf(path, sizeof paths[0], "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	cr_assert_neq(fd, -1, "%s: %s", path, strerror(errno));
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	cr_assert_eq(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

static char *
refused(const char *path, const struct file_policy *p)
{
	char *cause = NULL;
	int fd = file_open(path, p, &cause);

	cr_assert_eq(fd, -1, "%s was accepted", path);
	cr_assert_not_null(cause);
	return cause;
}

Test(file, null_and_empty_names)
{
	char *cause = refused(NULL, &plain);

	cr_assert_str_eq(cause, "no name was given for the test file");
	free(cause);
	cause = refused("", &secret);
	cr_assert_str_eq(cause, "no name was given for the secret file");
	free(cause);
}

Test(file, read_gives_the_bytes_and_one_past_the_cap)
{
	const char *path = make_file("f", "0123456789", 0644);
	char *buf = NULL, *cause = NULL;
	size_t len = 0;

	cr_assert_eq(file_read(path, &plain, 100, &buf, &len, &cause), 0, "%s", cause);
	cr_assert_eq(len, 10);
	cr_assert_str_eq(buf, "0123456789");
	free(buf);
	/* Over the cap: one byte more than MAX, so the caller can say the file is too big. */
	cr_assert_eq(file_read(path, &plain, 4, &buf, &len, &cause), 0, "%s", cause);
	cr_assert_eq(len, 5);
	cr_assert_str_eq(buf, "01234");
	free(buf);
}

Test(file, the_descriptor_blocks_and_closes_on_exec)
{
	const char *path = make_file("f", "x", 0600);
	char *cause = NULL;
	int fd = file_open(path, &secret, &cause);

	cr_assert_neq(fd, -1, "%s", cause);
	cr_assert_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	cr_assert_neq(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	close(fd);
}

Test(file, a_secret_readable_by_others_is_refused_with_the_fix)
{
	const char *path = make_file("key", "x", 0640);
	char want[1400], *cause = refused(path, &secret);

	snprintf(want, sizeof want,
	    "secret file %s has mode 0640, which lets group or others read or change it; run: "
	    "chmod 600 %s",
	    path, path);
	cr_assert_str_eq(cause, want);
	free(cause);
}

Test(file, a_public_file_may_be_read_but_not_written_by_others)
{
	const char *ok = make_file("ok", "x", 0644), *loose = make_file("loose", "x", 0666);
	char want[1400], *cause = NULL;
	int fd = file_open(ok, &plain, &cause);

	cr_assert_neq(fd, -1, "%s", cause);
	close(fd);
	cause = refused(loose, &plain);
	snprintf(want, sizeof want,
	    "test file %s has mode 0666, which lets group or others change it; run: chmod go-w %s",
	    loose, loose);
	cr_assert_str_eq(cause, want);
	free(cause);
}

Test(file, a_directory_others_can_write_is_refused)
{
	char sub[700], path[800], want[3000], *cause;
	int fd;

	snprintf(sub, sizeof sub, "%s/shared", dir);
	cr_assert_eq(mkdir(sub, 0700), 0);
	snprintf(path, sizeof path, "%s/f", sub);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	cr_assert_neq(fd, -1);
	close(fd);
	/* mkdir's mode passes through the umask; chmod sets it as written. */
	cr_assert_eq(chmod(sub, 0777), 0);
	cause = refused(path, &plain);
	snprintf(want, sizeof want,
	    "the directory %s, which holds test file %s, has mode 0777, which lets group or "
	    "others put another file in its place; run: chmod go-w %s",
	    sub, path, sub);
	cr_assert_str_eq(cause, want);
	free(cause);
	cr_assert_eq(chmod(sub, 0775), 0);
	cause = refused(path, &plain);
	cr_assert_not_null(strstr(cause, "mode 0775"), "%s", cause);
	free(cause);
	/* A directory above the file's counts as much as its own. */
	cr_assert_eq(chmod(sub, 0700), 0);
	cr_assert_eq(chmod(dir, 0757), 0);
	cause = refused(path, &plain);
	cr_assert_not_null(strstr(cause, dir), "%s", cause);
	free(cause);
	cr_assert_eq(chmod(dir, 0700), 0);
}

Test(file, a_sticky_directory_of_roots_is_trusted)
{
	char sub[700], path[800], *cause = NULL;
	int fd;

	if (geteuid() != 0)
		cr_skip_test("only root can own a directory as root");
	snprintf(sub, sizeof sub, "%s/tmp", dir);
	cr_assert_eq(mkdir(sub, 0700), 0);
	cr_assert_eq(chmod(sub, 01777), 0);
	snprintf(path, sizeof path, "%s/f", sub);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	cr_assert_neq(fd, -1);
	close(fd);
	fd = file_open(path, &secret, &cause);
	cr_assert_neq(fd, -1, "%s", cause);
	close(fd);
}

Test(file, a_symbolic_link_is_refused_unless_the_policy_follows_it)
{
	const char *target = make_file("target", "x", 0600);
	char link[700], *cause;
	int fd;

	snprintf(link, sizeof link, "%s/link", dir);
	cr_assert_eq(symlink(target, link), 0);
	cause = refused(link, &plain);
	cr_assert_not_null(strstr(cause, "is a symbolic link"), "%s", cause);
	free(cause);
	cause = NULL;
	fd = file_open(link, &links, &cause);
	cr_assert_neq(fd, -1, "%s", cause);
	close(fd);
}

Test(file, a_link_in_a_directory_others_can_write_is_refused)
{
	const char *target = make_file("target", "x", 0600);
	char sub[700], link[800], *cause;

	/* The target is safe, but whoever can write the link's directory can repoint it. */
	snprintf(sub, sizeof sub, "%s/open", dir);
	cr_assert_eq(mkdir(sub, 0700), 0);
	snprintf(link, sizeof link, "%s/link", sub);
	cr_assert_eq(symlink(target, link), 0);
	cr_assert_eq(chmod(sub, 0777), 0);
	cause = refused(link, &links);
	cr_assert_not_null(strstr(cause, "put another file in its place"), "%s", cause);
	free(cause);
	cr_assert_eq(chmod(sub, 0700), 0);
}

Test(file, a_link_to_a_file_in_a_directory_others_can_write_is_refused)
{
	char sub[700], target[800], link[800], *cause;
	int fd;

	snprintf(sub, sizeof sub, "%s/open", dir);
	cr_assert_eq(mkdir(sub, 0700), 0);
	snprintf(target, sizeof target, "%s/target", sub);
	fd = open(target, O_WRONLY | O_CREAT | O_EXCL, 0600);
	cr_assert_neq(fd, -1);
	close(fd);
	cr_assert_eq(chmod(sub, 0777), 0);
	snprintf(link, sizeof link, "%s/link", dir);
	cr_assert_eq(symlink(target, link), 0);
	cause = refused(link, &links);
	cr_assert_not_null(strstr(cause, sub), "%s", cause);
	free(cause);
	cr_assert_eq(chmod(sub, 0700), 0);
}

Test(file, missing_and_dangling)
{
	char path[700], want[1400], *cause;
	static const struct file_policy hinted = {
	    .what = "config file",
	    .flags = FILE_LINK_OK,
	    .missing = "; create it",
	};

	snprintf(path, sizeof path, "%s/none", dir);
	cause = refused(path, &hinted);
	snprintf(want, sizeof want, "config file %s does not exist; create it", path);
	cr_assert_str_eq(cause, want);
	free(cause);
	snprintf(path, sizeof path, "%s/dangling", dir);
	cr_assert_eq(symlink("/nonexistent/ehrterm", path), 0);
	cause = refused(path, &hinted);
	cr_assert_not_null(strstr(cause, "does not exist"), "%s", cause);
	free(cause);
}

Test(file, check_fd_judges_the_descriptor_not_the_name)
{
	const char *path = make_file("f", "x", 0600);
	char *cause = NULL;
	int fd = open(path, O_RDONLY);

	cr_assert_neq(fd, -1);
	/* Whatever now sits at the name, the open file is the one judged. */
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(symlink("/etc/passwd", path), 0);
	cr_assert_eq(file_check_fd(fd, path, &secret, &cause), 0, "%s", cause);
	cr_assert_eq(fchmod(fd, 0644), 0);
	cr_assert_eq(file_check_fd(fd, path, &secret, &cause), -1);
	cr_assert_not_null(strstr(cause, "mode 0644"), "%s", cause);
	free(cause);
	close(fd);
}

Test(file, a_loop_of_links_is_named_as_one)
{
	char a[700], b[700], *cause;

	snprintf(a, sizeof a, "%s/a", dir);
	snprintf(b, sizeof b, "%s/b", dir);
	cr_assert_eq(symlink(b, a), 0);
	cr_assert_eq(symlink(a, b), 0);
	cause = refused(a, &links);
	cr_assert_not_null(strstr(cause, "is a loop of symbolic links"), "%s", cause);
	free(cause);
}
