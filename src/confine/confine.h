/* Confinement after login: no new privileges, Landlock (read-only, few paths), seccomp. */
#ifndef EHRTERM_CONFINE_CONFINE_H
#define EHRTERM_CONFINE_CONFINE_H

#include <stddef.h>

struct cfg_profile;

/*
 * The paths the process may still read once confined (files or directories; a
 * directory covers everything beneath it). Nothing may be opened for writing,
 * created, removed or run anywhere; descriptors already open keep working. The
 * policy owns its strings; confine_policy_free frees them.
 */
struct confine_policy {
	char **read;
	size_t nread;
};

/* Environment variable naming a descriptor: confine_login then tries forbidden things. */
#define CONFINE_PROBE_ENV "EHRTERM_TEST_CONFINE_PROBE"

/* Add PATH (absolute; a relative or empty one is ignored) unless it is already there. */
void confine_policy_add(struct confine_policy *p, const char *path);
/* Add the directory that holds FILE (absolute), as its contents may be renewed by rename. */
void confine_policy_add_dir_of(struct confine_policy *p, const char *file);
/* True if PATH is one of the policy's paths, as given (no prefix match). */
int confine_policy_has(const struct confine_policy *p, const char *path);
void confine_policy_free(struct confine_policy *p);

/*
 * The policy for a session of PROFILE: what glibc (resolver, NSS, locales,
 * iconv), OpenSSL, libcurl, ncurses and the C library still read after start-up
 * (/etc, /usr/lib, /usr/share, /lib, /lib64, /usr/lib64, /usr/local/share,
 * /dev/null, /dev/urandom, /proc/self), and the directories of the profile's CA file,
 * client certificate and key, and of their targets where they are symbolic links (the
 * idle lock opens the key again, libcurl the CA file at each connection). P is
 * initialised here.
 */
void confine_policy_for_profile(struct confine_policy *p, const struct cfg_profile *profile);

/*
 * Confine the calling process, for good: PR_SET_NO_NEW_PRIVS; a Landlock ruleset
 * allowing only reads under P's paths, where the kernel has Landlock (skipped,
 * silently, where it has not; refused while more than one thread runs, as Landlock
 * binds only the caller and the threads it starts later); a seccomp filter, on every
 * thread, that makes execve, execveat, ptrace, process_vm_readv/writev, socket() of a
 * family other than AF_INET, AF_INET6 and AF_UNIX, and other calls ehrterm never makes
 * (mount, bpf, io_uring, kernel modules, keyrings, namespaces...) fail with EPERM.
 * Returns 0, or -1 with *CAUSE set (the caller's to free) when a step the kernel
 * should support failed. Paths in P that do not exist are skipped.
 */
int confine_process(const struct confine_policy *p, char **cause);

/* The threads this process runs (from /proc/self/task), or -1 when that cannot be read. */
int confine_threads(void);

/* 1 if Landlock was applied by confine_process, 0 if the kernel lacks it. */
int confine_landlock_applied(void);

/*
 * Confine the process for PROFILE's session, once (later calls return 0 and do
 * nothing, as the first confinement stays). If CONFINE_PROBE_ENV names an open
 * descriptor, then say there how many threads run, try to create a file in the state
 * directory, to run /bin/true and to open a netlink socket, and write one line per
 * attempt there (for tests/security/confine.test). Returns as confine_process.
 */
int confine_login(const struct cfg_profile *profile, char **cause);

#endif
