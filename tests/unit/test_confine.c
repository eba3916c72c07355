/* Unit tests for confine: the read-only paths a session keeps, and the process once confined. */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/under_valgrind.h"
#include "cfg/cfg.h"
#include "confine/confine.h"

/* --- the policy ------------------------------------------------------------------------ */

Test(confine_policy, null_and_relative_paths_are_ignored)
{
	struct confine_policy p = {0};

	confine_policy_add(&p, NULL);
	confine_policy_add(&p, "");
	confine_policy_add(&p, "etc/ssl");
	confine_policy_add_dir_of(&p, NULL);
	confine_policy_add_dir_of(&p, "ca.pem");
	cr_assert_eq(p.nread, 0);
	confine_policy_free(&p);
}

Test(confine_policy, a_path_is_kept_once_trailing_slashes_aside)
{
	struct confine_policy p = {0};

	confine_policy_add(&p, "/etc/ssl/");
	confine_policy_add(&p, "/etc/ssl");
	confine_policy_add(&p, "/etc/ssl//");
	cr_assert_eq(p.nread, 1);
	cr_assert_str_eq(p.read[0], "/etc/ssl");
	confine_policy_add(&p, "/");
	cr_assert_eq(p.nread, 2);
	cr_assert_str_eq(p.read[1], "/");
	confine_policy_free(&p);
	cr_assert_eq(p.nread, 0);
	cr_assert_null(p.read);
}

Test(confine_policy, a_file_gives_its_directory)
{
	struct confine_policy p = {0};

	confine_policy_add_dir_of(&p, "/home/clerk/.config/ehrterm/frontdesk.key");
	confine_policy_add_dir_of(&p, "/ca.pem");
	cr_assert_eq(p.nread, 2);
	cr_assert_str_eq(p.read[0], "/home/clerk/.config/ehrterm");
	cr_assert_str_eq(p.read[1], "/");
	confine_policy_free(&p);
}

Test(confine_policy, a_profile_adds_its_tls_files_directories_to_the_system_paths)
{
	struct cfg_profile prof = {
	    .name = "clinic",
	    .ca_file = "/etc/ehrterm/ca/clinic-ca.pem",
	    .client_cert = "/home/clerk/.config/ehrterm/tls/frontdesk.pem",
	    .client_key = "/home/clerk/.config/ehrterm/tls/frontdesk.key",
	};
	struct confine_policy p;
	size_t system;

	confine_policy_for_profile(&p, NULL);
	system = p.nread;
	/* What glibc, OpenSSL, libcurl and ncurses still read after start-up. */
	cr_assert(confine_policy_has(&p, "/etc"));
	cr_assert(confine_policy_has(&p, "/usr/lib"));
	cr_assert(confine_policy_has(&p, "/usr/share"));
	cr_assert(confine_policy_has(&p, "/dev/urandom"));
	cr_assert(confine_policy_has(&p, "/proc/self"));
	/* Never the home, /tmp or all of /dev or /proc. */
	cr_assert_not(confine_policy_has(&p, "/"));
	cr_assert_not(confine_policy_has(&p, "/home"));
	cr_assert_not(confine_policy_has(&p, "/tmp"));
	cr_assert_not(confine_policy_has(&p, "/dev"));
	cr_assert_not(confine_policy_has(&p, "/proc"));
	confine_policy_free(&p);

	confine_policy_for_profile(&p, &prof);
	/* The CA's directory is under /etc already; cert and key share one. */
	cr_assert_eq(p.nread, system + 2, "%zu paths, not %zu", p.nread, system + 2);
	cr_assert(confine_policy_has(&p, "/etc/ehrterm/ca"));
	cr_assert(confine_policy_has(&p, "/home/clerk/.config/ehrterm/tls"));
	cr_assert_not(confine_policy_has(&p, "/home/clerk/.config/ehrterm"));
	confine_policy_free(&p);
}

/* Landlock judges the file a link leads to: a linked key's own folder must be there too. */
Test(confine_policy, a_linked_tls_file_gives_its_targets_directory_too)
{
	char base[] = "/tmp/ehrterm-confine-link-XXXXXX", link[128], target[128], tdir[64];
	struct cfg_profile prof = {0};
	struct confine_policy p;
	FILE *f;

	cr_assert_not_null(mkdtemp(base));
	snprintf(tdir, sizeof tdir, "%s/private", base);
	cr_assert_eq(mkdir(tdir, 0700), 0);
	snprintf(target, sizeof target, "%s/frontdesk.key", tdir);
	snprintf(link, sizeof link, "%s/frontdesk.key", base);
	cr_assert_not_null(f = fopen(target, "w"));
	fclose(f);
	cr_assert_eq(symlink(target, link), 0);
	prof.client_key = link;
	confine_policy_for_profile(&p, &prof);
	cr_assert(confine_policy_has(&p, base));
	cr_assert(confine_policy_has(&p, tdir));
	confine_policy_free(&p);
	unlink(link);
	unlink(target);
	rmdir(tdir);
	rmdir(base);
}

/* --- the process, confined in a child -------------------------------------------------- */

static char dir[512], outside[512];

static void
dirs_make(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/ehrterm-confine-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	snprintf(outside, sizeof outside, "%s/ehrterm-outside-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	cr_assert_not_null(mkdtemp(outside), "mkdtemp: %s", strerror(errno));
}

static void
dirs_remove(void)
{
	char cmd[1200];

	snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", dir, outside);
	cr_assert_eq(system(cmd), 0);
}

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

static const char *
err(int rc)
{
	if (rc >= 0)
		return "ok";
	return errno == EACCES ? "EACCES" : errno == EPERM ? "EPERM" : strerror(errno);
}

static int
try_open(const char *d, const char *name, int flags)
{
	char path[600];
	int fd;

	snprintf(path, sizeof path, "%s/%s", d, name);
	fd = open(path, flags | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	return fd;
}

static int
try_socket(int family, int type)
{
	int fd = socket(family, type | SOCK_CLOEXEC, 0);

	if (fd >= 0)
		close(fd);
	return fd;
}

/*
 * In a child: confine with a profile whose key lives in DIR, then try each thing and
 * write "what=result" words to OUT. Never returns.
 */
static void
child(int out, int kept)
{
	char keypath[600], *cause = NULL, *argv[] = {"true", NULL}, *envp[] = {NULL};
	struct cfg_profile prof = {0};
	struct confine_policy p;
	int rc, landlock;

	snprintf(keypath, sizeof keypath, "%s/frontdesk.key", dir);
	prof.ca_file = prof.client_cert = prof.client_key = keypath;
	confine_policy_for_profile(&p, &prof);
	if (confine_process(&p, &cause) != 0) {
		dprintf(out, "confine failed: %s", cause);
		_exit(1);
	}
	confine_policy_free(&p);
	landlock = confine_landlock_applied();
	dprintf(out, "nnp=%d seccomp=%d", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0),
	    prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
	if (landlock) {
		dprintf(out, " create=%s", err(try_open(dir, "new", O_WRONLY | O_CREAT)));
		dprintf(out, " write-key=%s", err(try_open(dir, "frontdesk.key", O_WRONLY)));
		dprintf(out, " read-key=%s", err(try_open(dir, "frontdesk.key", O_RDONLY)));
		dprintf(out, " read-outside=%s", err(try_open(outside, "other", O_RDONLY)));
		dprintf(
		    out, " create-outside=%s", err(try_open(outside, "new", O_WRONLY | O_CREAT)));
	}
	rc = (int)write(kept, "x", 1);
	dprintf(out, " kept-fd=%s", err(rc));
	execve("/bin/true", argv, envp);
	dprintf(out, " execve=%s", err(-1));
	dprintf(out, " netlink=%s", err(try_socket(AF_NETLINK, SOCK_RAW)));
	dprintf(out, " packet=%s", err(try_socket(AF_PACKET, SOCK_DGRAM)));
	dprintf(out, " inet=%s", err(try_socket(AF_INET, SOCK_STREAM)));
	dprintf(out, " inet6=%s", err(try_socket(AF_INET6, SOCK_DGRAM)));
	dprintf(out, " unix=%s", err(try_socket(AF_UNIX, SOCK_STREAM)));
	_exit(0);
}

TestSuite(confine, .init = dirs_make, .fini = dirs_remove, .timeout = 20);

Test(confine, a_confined_process_reads_only_its_paths_and_runs_nothing)
{
	char path[600], got[1024] = "", want[1024];
	int pipefd[2], kept, status;
	ssize_t n, len = 0;
	pid_t pid;

	if (RUNNING_ON_VALGRIND)
		cr_skip_test("valgrind does not implement seccomp(2): nothing to confine with");
	snprintf(path, sizeof path, "%s/frontdesk.key", dir);
	put(path, "key");
	snprintf(path, sizeof path, "%s/other", outside);
	put(path, "other");
	/* Opened for writing before confinement: stays writable (as the audit log). */
	snprintf(path, sizeof path, "%s/kept", outside);
	kept = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	cr_assert_geq(kept, 0);
	cr_assert_eq(pipe(pipefd), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(pipefd[0]);
		child(pipefd[1], kept);
	}
	close(pipefd[1]);
	close(kept);
	while ((n = read(pipefd[0], got + len, sizeof got - 1 - (size_t)len)) > 0)
		len += n;
	got[len] = '\0';
	close(pipefd[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child: %s", got);

	snprintf(want, sizeof want,
	    "nnp=1 seccomp=2%s kept-fd=ok execve=EPERM netlink=EPERM "
	    "packet=EPERM inet=ok inet6=ok unix=ok",
	    strstr(got, "create=") == NULL ? ""
	                                   : " create=EACCES write-key=EACCES read-key=ok "
	                                     "read-outside=EACCES create-outside=EACCES");
	cr_assert_str_eq(got, want);
	/* Nothing was made, and the descriptor opened before still wrote. */
	snprintf(path, sizeof path, "%s/new", dir);
	cr_assert_eq(access(path, F_OK), -1);
	snprintf(path, sizeof path, "%s/new", outside);
	cr_assert_eq(access(path, F_OK), -1);
	snprintf(path, sizeof path, "%s/kept", outside);
	{
		struct stat st;

		cr_assert_eq(stat(path, &st), 0);
		cr_assert_eq(st.st_size, 1);
	}
}

/* Where the kernel has Landlock (Linux 5.13 and on, when enabled), it must be used. */
Test(confine, landlock_is_used_where_the_kernel_has_it)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, 1U);
	int pipefd[2], status;
	char c = '?';
	pid_t pid;

	if (abi < 0)
		cr_skip_test("this kernel has no Landlock");
	cr_assert_eq(pipe(pipefd), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct confine_policy p;
		char *cause = NULL;

		confine_policy_for_profile(&p, NULL);
		c = confine_process(&p, &cause) == 0 && confine_landlock_applied() ? 'y' : 'n';
		(void)!write(pipefd[1], &c, 1);
		_exit(0);
	}
	close(pipefd[1]);
	cr_assert_eq(read(pipefd[0], &c, 1), 1);
	close(pipefd[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert_eq(c, 'y');
}

static void *
sleeper(void *arg)
{
	(void)arg;
	pause();
	return NULL;
}

/*
 * Landlock binds the calling thread and those it starts later, not those already running:
 * with a second thread running, confining is refused rather than left with a gap.
 */
Test(confine, a_thread_started_before_is_refused_not_left_outside)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, 1U);
	char got[512] = "";
	int pipefd[2], status;
	ssize_t n, len = 0;
	pid_t pid;

	if (abi < 0)
		cr_skip_test("this kernel has no Landlock");
	cr_assert_eq(pipe(pipefd), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct confine_policy p;
		char *cause = NULL;
		pthread_t t;

		close(pipefd[0]);
		dprintf(pipefd[1], "alone=%d ", confine_threads());
		if (pthread_create(&t, NULL, sleeper, NULL) != 0)
			_exit(1);
		dprintf(pipefd[1], "with=%d ", confine_threads());
		confine_policy_for_profile(&p, NULL);
		if (confine_process(&p, &cause) == 0)
			dprintf(pipefd[1], "confined");
		else
			dprintf(pipefd[1], "refused: %s", cause);
		_exit(0);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], got + len, sizeof got - 1 - (size_t)len)) > 0)
		len += n;
	got[len] = '\0';
	close(pipefd[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert_str_eq(got,
	    "alone=1 with=2 refused: cannot confine the program: 2 threads are running, and "
	    "Landlock would bind only one of them");
}
