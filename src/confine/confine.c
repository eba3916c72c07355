/* Confinement after login: no new privileges, Landlock (read-only, few paths), seccomp. */
#include "config.h"

#include "confine/confine.h"
#include "cfg/cfg.h"
#include "util/xmalloc.h"

#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>

/* Rights newer than Debian 12's headers; the ABI probe says which the kernel knows. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif

#if defined(__x86_64__)
#define CONFINE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define CONFINE_ARCH AUDIT_ARCH_AARCH64
#endif

/*
 * LeakSanitizer stops the world with ptrace at exit, and reads /proc/self/maps: a
 * sanitizer build (tests only) keeps ptrace, or every test under it would fail.
 */
#if defined(__SANITIZE_ADDRESS__)
#define CONFINE_KEEP_PTRACE 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CONFINE_KEEP_PTRACE 1
#endif
#endif

#ifdef CONFINE_KEEP_PTRACE
/*
 * A sanitizer build (tests only) writes its reports at exit to the log_path its
 * options name: Landlock lets it create files in that folder, and nowhere else.
 */
static int
landlock_allow_sanitizer_logs(int ruleset, uint64_t handled)
{
	static const char *const vars[] = { "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS" };

	for (size_t v = 0; v < sizeof vars / sizeof vars[0]; v++) {
		const char *opts = getenv(vars[v]), *at;
		char dir[4096];
		size_t len;
		int fd;

		if (opts == NULL || (at = strstr(opts, "log_path=")) == NULL)
			continue;
		at += strlen("log_path=");
		len = strcspn(at, ":");
		if (len == 0 || len >= sizeof dir)
			continue;
		memcpy(dir, at, len);
		dir[len] = '\0';
		if (strrchr(dir, '/') == NULL)
			continue;
		*strrchr(dir, '/') = '\0';
		if ((fd = open(dir[0] != '\0' ? dir : "/", O_PATH | O_CLOEXEC)) >= 0) {
			struct landlock_path_beneath_attr rule = {
				.allowed_access = handled &
				    (LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |
					LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
					LANDLOCK_ACCESS_FS_TRUNCATE),
				.parent_fd = fd,
			};

			if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule,
				0) != 0) {
				close(fd);
				return -1;
			}
			close(fd);
		}
	}
	return 0;
}
#endif

static bool confine_landlock_done;

/* --- policy ---------------------------------------------------------------------------- */

void
confine_policy_add(struct confine_policy *p, const char *path)
{
	size_t len;

	if (path == NULL || path[0] != '/')
		return;
	len = strlen(path);
	/* "/etc/" and "/etc" are one path. */
	while (len > 1 && path[len - 1] == '/')
		len--;
	for (size_t i = 0; i < p->nread; i++)
		if (strlen(p->read[i]) == len && strncmp(p->read[i], path, len) == 0)
			return;
	p->read = xreallocarray(p->read, p->nread + 1, sizeof *p->read);
	p->read[p->nread++] = xstrndup(path, len);
}

void
confine_policy_add_dir_of(struct confine_policy *p, const char *file)
{
	const char *slash;
	char *dir;

	if (file == NULL || file[0] != '/')
		return;
	slash = strrchr(file, '/');
	dir = slash == file ? xstrdup("/") : xstrndup(file, (size_t)(slash - file));
	confine_policy_add(p, dir);
	free(dir);
}

int
confine_policy_has(const struct confine_policy *p, const char *path)
{
	for (size_t i = 0; i < p->nread; i++)
		if (strcmp(p->read[i], path) == 0)
			return 1;
	return 0;
}

void
confine_policy_free(struct confine_policy *p)
{
	for (size_t i = 0; i < p->nread; i++)
		free(p->read[i]);
	free(p->read);
	p->read = NULL;
	p->nread = 0;
}

/*
 * Found by running every end-to-end test confined: /etc (resolv.conf, hosts,
 * nsswitch.conf, OpenSSL's configuration, gai.conf), /usr/lib and /lib (NSS and iconv
 * modules loaded on first use, OpenSSL providers), /usr/share (terminfo, locales,
 * zoneinfo), /dev/urandom, and /proc/self (glibc and the sanitizers read maps).
 */
// clang-format off
static const char *const confine_system_paths[] = {
	"/etc",
	"/usr/lib",
	"/usr/lib64",
	"/lib",
	"/lib64",
	"/usr/share",
	"/usr/local/share",
	"/dev/null",
	"/dev/urandom",
	"/proc/self",
};
// clang-format on

/*
 * FILE's folder, and its target's when it is a symbolic link (the key file may be one):
 * Landlock judges the file reached, not the name it was reached by.
 */
static void
confine_policy_add_tls_file(struct confine_policy *p, const char *file)
{
	char *real;

	confine_policy_add_dir_of(p, file);
	if (file != NULL && (real = realpath(file, NULL)) != NULL) {
		confine_policy_add_dir_of(p, real);
		free(real);
	}
}

void
confine_policy_for_profile(struct confine_policy *p, const struct cfg_profile *profile)
{
	p->read = NULL;
	p->nread = 0;
	for (size_t i = 0; i < sizeof confine_system_paths / sizeof *confine_system_paths; i++)
		confine_policy_add(p, confine_system_paths[i]);
	if (profile == NULL)
		return;
	confine_policy_add_tls_file(p, profile->ca_file);
	confine_policy_add_tls_file(p, profile->client_cert);
	confine_policy_add_tls_file(p, profile->client_key);
	/* libcurl reopens the revocation list by name at each connection (no CRL blob). */
	if (profile->crl_file != NULL)
		confine_policy_add_tls_file(p, profile->crl_file);
}

/* --- Landlock -------------------------------------------------------------------------- */

/* Every file-system right the kernel's Landlock ABI knows: all handled, so all denied. */
static uint64_t
landlock_handled(int abi)
{
	uint64_t fs = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
	              LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |
	              LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
	              LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |
	              LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |
	              LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
	              LANDLOCK_ACCESS_FS_MAKE_SYM;

	if (abi >= 2)
		fs |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return fs;
}

int
confine_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Returns 1 if applied, 0 if the kernel has no Landlock, -1 with *CAUSE on an error. */
static int
confine_landlock(const struct confine_policy *p, char **cause)
{
	struct landlock_ruleset_attr attr;
	int abi, ruleset, threads;

	abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 0) {
		if (errno == ENOSYS || errno == EOPNOTSUPP)
			return 0; /* built without Landlock, or not enabled at boot */
		*cause = xasprintf("cannot ask the kernel for Landlock: %s", strerror(errno));
		return -1;
	}
	/*
	 * Landlock binds the calling thread and those it starts later, not threads already
	 * running: one of them could still open any file. Confined with a gap is refused.
	 */
	if ((threads = confine_threads()) > 1) {
		*cause = xasprintf("cannot confine the program: %d threads are running, and "
		                   "Landlock would bind only one of them",
		    threads);
		return -1;
	}
	memset(&attr, 0, sizeof attr);
	attr.handled_access_fs = landlock_handled(abi);
	ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
	if (ruleset < 0) {
		*cause = xasprintf("cannot make a Landlock ruleset: %s", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < p->nread; i++) {
		struct landlock_path_beneath_attr rule;
		struct stat st;
		int fd = open(p->read[i], O_PATH | O_CLOEXEC);

		if (fd < 0)
			continue; /* not on this system: nothing to allow */
		memset(&rule, 0, sizeof rule);
		rule.parent_fd = fd;
		/* A file takes only file rights; a directory both. */
		rule.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE;
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
			rule.allowed_access |= LANDLOCK_ACCESS_FS_READ_DIR;
		if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) !=
		    0) {
			*cause = xasprintf("cannot let Landlock allow reading %s: %s", p->read[i],
			    strerror(errno));
			close(fd);
			close(ruleset);
			return -1;
		}
		close(fd);
	}
#ifdef CONFINE_KEEP_PTRACE
	if (landlock_allow_sanitizer_logs(ruleset, attr.handled_access_fs) != 0) {
		*cause = xasprintf("cannot let Landlock allow the sanitizer's logs: %s", strerror(errno));
		close(ruleset);
		return -1;
	}
#endif
	if (syscall(SYS_landlock_restrict_self, ruleset, 0) != 0) {
		*cause = xasprintf("cannot apply the Landlock ruleset: %s", strerror(errno));
		close(ruleset);
		return -1;
	}
	close(ruleset);
	return 1;
}

/* --- seccomp --------------------------------------------------------------------------- */

#ifdef CONFINE_ARCH

#define SC_DENY BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA))
#define SC_ALLOW BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
/* If the call is NR, deny it; else go on (the next instruction). */
#define SC_REFUSE(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), SC_DENY

/* The low 32 bits of argument 0 (socket's family is an int). */
#if __BYTE_ORDER == __LITTLE_ENDIAN
#define SC_ARG0_LO offsetof(struct seccomp_data, args[0])
#else
#define SC_ARG0_LO (offsetof(struct seccomp_data, args[0]) + 4)
#endif

/*
 * The filter: a call of another architecture's ABI (i386's int 0x80 on x86-64, say)
 * kills the process, as no ehrterm code makes one; on x86-64, x32 calls are refused;
 * the listed calls fail with EPERM, so that a library that tries one shows an error
 * instead of crashing the workstation; socket() is allowed for inet, inet6 and unix
 * only; everything else is allowed.
 */
// clang-format off
static const struct sock_filter confine_filter[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, CONFINE_ARCH, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#ifdef __x86_64__
	/* x32 calls reach the same kernel code under other numbers. */
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000U, 0, 1),
	SC_DENY,
#endif
	SC_REFUSE(__NR_execve),
	SC_REFUSE(__NR_execveat),
#ifndef CONFINE_KEEP_PTRACE
	SC_REFUSE(__NR_ptrace),
#endif
	SC_REFUSE(__NR_process_vm_readv),
	SC_REFUSE(__NR_process_vm_writev),
#ifdef __NR_pidfd_getfd
	SC_REFUSE(__NR_pidfd_getfd),
#endif
	/* io_uring would do opens and socket() behind the filter's back. */
#ifdef __NR_io_uring_setup
	SC_REFUSE(__NR_io_uring_setup),
#endif
	SC_REFUSE(__NR_bpf),
	SC_REFUSE(__NR_perf_event_open),
	SC_REFUSE(__NR_userfaultfd),
	SC_REFUSE(__NR_mount),
	SC_REFUSE(__NR_umount2),
	SC_REFUSE(__NR_pivot_root),
	SC_REFUSE(__NR_chroot),
	SC_REFUSE(__NR_unshare),
	SC_REFUSE(__NR_setns),
#ifdef __NR_fsopen
	SC_REFUSE(__NR_fsopen),
	SC_REFUSE(__NR_fsmount),
	SC_REFUSE(__NR_move_mount),
	SC_REFUSE(__NR_open_tree),
#endif
	SC_REFUSE(__NR_open_by_handle_at),
	SC_REFUSE(__NR_name_to_handle_at),
	SC_REFUSE(__NR_init_module),
	SC_REFUSE(__NR_finit_module),
	SC_REFUSE(__NR_delete_module),
	SC_REFUSE(__NR_kexec_load),
#ifdef __NR_kexec_file_load
	SC_REFUSE(__NR_kexec_file_load),
#endif
	SC_REFUSE(__NR_keyctl),
	SC_REFUSE(__NR_add_key),
	SC_REFUSE(__NR_request_key),
	SC_REFUSE(__NR_acct),
	SC_REFUSE(__NR_swapon),
	SC_REFUSE(__NR_swapoff),
	SC_REFUSE(__NR_reboot),
	/* socket(): inet, inet6 and unix (the Secret Service over D-Bus) only. */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 6),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SC_ARG0_LO),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET, 2, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET6, 1, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 0, 1),
	SC_ALLOW,
	SC_DENY,
	SC_ALLOW,
};
// clang-format on

static int
confine_seccomp(char **cause)
{
	struct sock_fprog prog = {
	    .len = (unsigned short)(sizeof confine_filter / sizeof *confine_filter),
	    .filter = (struct sock_filter *)confine_filter,
	};
	long rc;

	/* TSYNC: every thread (GLib's D-Bus worker too), not only this one. */
	rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog);
	if (rc > 0) {
		*cause =
		    xasprintf("cannot apply the seccomp filter: thread %ld would not take it", rc);
		return -1;
	}
	if (rc != 0) {
		*cause = xasprintf("cannot apply the seccomp filter: %s", strerror(errno));
		return -1;
	}
	return 0;
}

#else

/* No filter for this architecture: the man page says seccomp is x86-64 and arm64 only. */
static int
confine_seccomp(char **cause)
{
	(void)cause;
	return 0;
}

#endif

/* --- the process ----------------------------------------------------------------------- */

int
confine_process(const struct confine_policy *p, char **cause)
{
	int ll;

	*cause = NULL;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		*cause = xasprintf("cannot set no_new_privs: %s", strerror(errno));
		return -1;
	}
	if ((ll = confine_landlock(p, cause)) < 0)
		return -1;
	confine_landlock_done = ll == 1;
	return confine_seccomp(cause);
}

int
confine_landlock_applied(void)
{
	return confine_landlock_done;
}

/* --- the test probe -------------------------------------------------------------------- */

static const char *
probe_errno(int e)
{
	switch (e) {
	case EACCES:
		return "EACCES";
	case EPERM:
		return "EPERM";
	case ENOENT:
		return "ENOENT";
	default:
		return "other";
	}
}

/*
 * Only tries what confinement forbids, and says what came of it: it opens nothing
 * the confined process could not open without it.
 */
static void
confine_probe(int out)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char *argv[] = {"true", NULL}, *envp[] = {NULL};
	char *path;
	int fd;

	dprintf(out, "pid %ld\n", (long)getpid());
	dprintf(out, "landlock %s\n", confine_landlock_done ? "applied" : "absent");
	dprintf(out, "threads %d\n", confine_threads());
	if (xdg != NULL && xdg[0] == '/')
		path = xasprintf("%s/ehrterm/confine-probe", xdg);
	else
		path = xasprintf("%s/.local/state/ehrterm/confine-probe", home ? home : "");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0) {
		dprintf(out, "create %s: allowed\n", path);
		close(fd);
	} else {
		dprintf(out, "create %s: %s\n", path, probe_errno(errno));
	}
	free(path);
	execve("/bin/true", argv, envp);
	dprintf(out, "execve /bin/true: %s\n", probe_errno(errno));
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0);
	dprintf(out, "socket AF_NETLINK: %s\n", fd >= 0 ? "allowed" : probe_errno(errno));
	if (fd >= 0)
		close(fd);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	dprintf(out, "socket AF_INET: %s\n", fd >= 0 ? "allowed" : probe_errno(errno));
	if (fd >= 0)
		close(fd);
	dprintf(out, "done\n");
}

int
confine_login(const struct cfg_profile *profile, char **cause)
{
	static bool confined;
	struct confine_policy p;
	const char *probe;
	int rc;

	*cause = NULL;
	if (confined)
		return 0;
	confine_policy_for_profile(&p, profile);
	rc = confine_process(&p, cause);
	confine_policy_free(&p);
	if (rc != 0)
		return rc;
	confined = true;
	if ((probe = getenv(CONFINE_PROBE_ENV)) != NULL && probe[0] >= '3' && probe[0] <= '9' &&
	    probe[1] == '\0' && fcntl(probe[0] - '0', F_GETFD) != -1)
		confine_probe(probe[0] - '0');
	return 0;
}
