/* Unit tests for reading config and key files: where they are, who owns them, their modes. */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg/cfg.h"

#define GOOD                                                                                       \
	"[profile a]\n"                                                                            \
	"base_url = https://ehr.example\n"                                                         \
	"ca_file = /ca.pem\n"                                                                      \
	"client_cert = /cert.pem\n"                                                                \
	"client_key = /key.pem\n"

/* Somebody else, for the ownership checks (only root can give a file away). */
#define OTHER_UID 65534

/* Each test runs in its own process, so one private directory per test is enough. */
static char dir[512];
static char made[16][600];
static int nmade;

static void
dir_make(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/ehrterm-cfg-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	cr_assert_not_null(mkdtemp(dir), "mkdtemp %s: %s", dir, strerror(errno));
}

static void
dir_remove(void)
{
	while (nmade > 0) {
		const char *path = made[--nmade];

		if (unlink(path) != 0)
			rmdir(path);
	}
	rmdir(dir);
}

/* Remember PATH (inside dir) for dir_remove, and return it. */
static const char *
remember(const char *path)
{
	cr_assert_lt(nmade, 16);
	snprintf(made[nmade], sizeof made[nmade], "%s", path);
	return made[nmade++];
}

/* A new file in the private directory holding TEXT with MODE; returns its path. */
static const char *
make_file(const char *text, mode_t mode)
{
	char path[600];
	int fd;

	snprintf(path, sizeof path, "%s/fileXXXXXX", dir);
	fd = mkstemp(path);
	cr_assert_neq(fd, -1, "mkstemp: %s", strerror(errno));
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	cr_assert_eq(fchmod(fd, mode), 0);
	close(fd);
	return remember(path);
}

/* Load PATH, expecting a refusal that contains every one of the NULL-ended parts. */
static void
refused(const char *path, ...)
{
	char *cause = NULL;
	struct cfg *cfg = cfg_load(path, &cause);
	va_list ap;

	cr_assert_null(cfg, "%s was accepted", path);
	va_start(ap, path);
	for (const char *part; (part = va_arg(ap, const char *)) != NULL;)
		cr_assert_not_null(strstr(cause, part), "'%s' does not say '%s'", cause, part);
	va_end(ap);
	free(cause);
}

static void
key_refused(const char *path, const char *says)
{
	char *cause = NULL;

	cr_assert_eq(cfg_check_key_file(path, &cause), -1, "%s was accepted", path);
	cr_assert_not_null(strstr(cause, says), "'%s' does not say '%s'", cause, says);
	free(cause);
}

TestSuite(cfg_file, .init = dir_make, .fini = dir_remove, .timeout = 20);

/* --- config files --------------------------------------------------------------------- */

Test(cfg_file, private_and_world_readable_are_accepted)
{
	static const mode_t modes[] = {0600, 0400, 0644, 0640};

	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		const char *path = make_file(GOOD, modes[i]);
		char *cause = NULL;
		struct cfg *cfg = cfg_load(path, &cause);

		cr_assert_not_null(cfg, "mode %04o: %s", (unsigned)modes[i], cause);
		cr_assert_str_eq(cfg_name(cfg), path);
		cr_assert_eq(cfg_profile_count(cfg), 1);
		cfg_free(&cfg);
	}
}

Test(cfg_file, writable_by_group_or_others_is_refused)
{
	static const mode_t modes[] = {0620, 0602, 0666, 0660};
	char mode[24], fix[700];

	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		const char *path = make_file(GOOD, modes[i]);

		snprintf(mode, sizeof mode, "%04o", (unsigned)modes[i]);
		snprintf(fix, sizeof fix, "run: chmod 600 %s", path);
		refused(path, path, mode, "group or others", fix, (char *)NULL);
	}
}

Test(cfg_file, owned_by_someone_else_is_refused)
{
	const char *path = make_file(GOOD, 0600);

	if (geteuid() != 0)
		cr_skip_test("only root can give a file to another user");
	cr_assert_eq(chown(path, OTHER_UID, OTHER_UID), 0, "%s", strerror(errno));
	refused(path, path, "belongs to uid 65534, not to you", (char *)NULL);
}

Test(cfg_file, missing_directory_and_fifo_are_refused)
{
	char path[700];

	snprintf(path, sizeof path, "%s/nothing-here", dir);
	refused(path, "config file", path, "does not exist; create it as ehrterm.conf(5) describes",
	    (char *)NULL);
	refused(dir, dir, "is not a regular file", (char *)NULL);
	/* A FIFO must be refused at once, not waited on for a writer. */
	snprintf(path, sizeof path, "%s/fifo", dir);
	cr_assert_eq(mkfifo(path, 0600), 0, "%s", strerror(errno));
	remember(path);
	refused(path, path, "is not a regular file", (char *)NULL);
	refused("", "no name was given for the config file", (char *)NULL);
}

Test(cfg_file, a_symlink_to_a_good_file_is_read)
{
	const char *target = make_file(GOOD, 0600);
	char link[700], *cause = NULL;
	struct cfg *cfg;

	snprintf(link, sizeof link, "%s/link", dir);
	cr_assert_eq(symlink(target, link), 0);
	remember(link);
	cfg = cfg_load(link, &cause);
	cr_assert_not_null(cfg, "%s", cause);
	cfg_free(&cfg);
}

Test(cfg_file, errors_inside_name_the_file_and_line)
{
	const char *path = make_file(GOOD "colour = red\n", 0600);
	char want[700], *cause = NULL;

	snprintf(want, sizeof want, "%s:6: unknown key 'colour'", path);
	cr_assert_null(cfg_load(path, &cause));
	cr_assert_str_eq(cause, want);
	free(cause);
}

Test(cfg_file, a_file_over_the_cap_is_refused)
{
	char *text = malloc(1100 * 1024 + 1);
	const char *path;

	memset(text, '\n', 1100 * 1024);
	text[1100 * 1024] = '\0';
	path = make_file(text, 0600);
	free(text);
	refused(path, path, "is larger than 1048576 bytes", (char *)NULL);
}

/* --- the default location ------------------------------------------------------------- */

Test(cfg_file, default_path_follows_xdg_then_home)
{
	char *path, *cause = NULL;

	setenv("XDG_CONFIG_HOME", "/x/conf", 1);
	setenv("HOME", "/home/u", 1);
	path = cfg_default_path(&cause);
	cr_assert_str_eq(path, "/x/conf/ehrterm/config");
	free(path);
	/* The XDG spec says a relative XDG_CONFIG_HOME is ignored; so is an empty one. */
	setenv("XDG_CONFIG_HOME", "conf", 1);
	path = cfg_default_path(&cause);
	cr_assert_str_eq(path, "/home/u/.config/ehrterm/config");
	free(path);
	setenv("XDG_CONFIG_HOME", "", 1);
	path = cfg_default_path(&cause);
	cr_assert_str_eq(path, "/home/u/.config/ehrterm/config");
	free(path);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("HOME");
	cr_assert_null(cfg_default_path(&cause));
	cr_assert_not_null(strstr(cause, "-c FILE"), "%s", cause);
	free(cause);
	cause = NULL;
	cr_assert_null(cfg_load(NULL, &cause));
	cr_assert_not_null(strstr(cause, "-c FILE"), "%s", cause);
	free(cause);
}

Test(cfg_file, load_null_reads_the_default_file)
{
	char sub[700], path[700], *cause = NULL;
	struct cfg *cfg;
	int fd;

	setenv("XDG_CONFIG_HOME", dir, 1);
	snprintf(path, sizeof path, "%s/ehrterm/config", dir);
	cr_assert_null(cfg_load(NULL, &cause));
	cr_assert_not_null(strstr(cause, path), "%s", cause);
	cr_assert_not_null(strstr(cause, "does not exist"), "%s", cause);
	free(cause);

	snprintf(sub, sizeof sub, "%s/ehrterm", dir);
	cr_assert_eq(mkdir(sub, 0700), 0);
	remember(sub);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	cr_assert_neq(fd, -1);
	cr_assert_eq(write(fd, GOOD, strlen(GOOD)), (ssize_t)strlen(GOOD));
	close(fd);
	/* remembered after sub, so it is removed first */
	remember(path);
	cfg = cfg_load(NULL, &cause);
	cr_assert_not_null(cfg, "%s", cause);
	cr_assert_str_eq(cfg_name(cfg), path);
	cfg_free(&cfg);
}

/* --- key files ------------------------------------------------------------------------ */

Test(cfg_file, key_file_private_is_accepted)
{
	static const mode_t modes[] = {0600, 0400};

	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		char *cause = NULL;

		cr_assert_eq(cfg_check_key_file(make_file("key", modes[i]), &cause), 0,
		    "mode %04o: %s", (unsigned)modes[i], cause);
	}
}

Test(cfg_file, key_file_open_to_group_or_others_is_refused)
{
	static const mode_t modes[] = {0644, 0640, 0604, 0620, 0602, 0610};
	char mode[24], fix[700];

	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		const char *path = make_file("key", modes[i]);
		char *cause = NULL;

		snprintf(mode, sizeof mode, "mode %04o", (unsigned)modes[i]);
		snprintf(fix, sizeof fix, "run: chmod 600 %s", path);
		cr_assert_eq(cfg_check_key_file(path, &cause), -1, "%s accepted", mode);
		cr_assert_not_null(strstr(cause, path), "%s", cause);
		cr_assert_not_null(strstr(cause, mode), "%s", cause);
		cr_assert_not_null(strstr(cause, fix), "%s", cause);
		free(cause);
	}
}

Test(cfg_file, key_file_missing_odd_or_not_ours_is_refused)
{
	char path[700];
	const char *mine;

	snprintf(path, sizeof path, "%s/no-key", dir);
	key_refused(path, "does not exist");
	key_refused(dir, "is not a regular file");
	snprintf(path, sizeof path, "%s/fifo", dir);
	cr_assert_eq(mkfifo(path, 0600), 0);
	remember(path);
	key_refused(path, "is not a regular file");
	if (geteuid() != 0)
		cr_skip_test("only root can give a file to another user");
	mine = make_file("key", 0600);
	cr_assert_eq(chown(mine, OTHER_UID, OTHER_UID), 0);
	key_refused(mine, "belongs to uid 65534, not to you");
}

/* --- the profile's TLS files ---------------------------------------------------------- */

/* A profile naming CA, CERT and KEY; the caller frees *CFG. */
static const struct cfg_profile *
tls_profile(struct cfg **cfg, const char *ca, const char *cert, const char *key)
{
	char *text, *cause = NULL;
	const struct cfg_profile *p;

	text = malloc(4096);
	snprintf(text, 4096,
	    "[profile a]\nbase_url = https://ehr.example\nca_file = %s\nclient_cert = %s\n"
	    "client_key = %s\n",
	    ca, cert, key);
	*cfg = cfg_parse(text, strlen(text), "t", &cause);
	free(text);
	cr_assert_not_null(*cfg, "%s", cause);
	p = cfg_profile(*cfg, NULL, &cause);
	cr_assert_not_null(p, "%s", cause);
	return p;
}

Test(cfg_file, tls_files_as_made_are_accepted)
{
	struct cfg *cfg;
	const struct cfg_profile *p = tls_profile(
	    &cfg, make_file("ca", 0644), make_file("cert", 0644), make_file("key", 0600));
	char *cause = NULL;

	cr_assert_eq(cfg_check_tls_files(p, &cause), 0, "%s", cause);
	cfg_free(&cfg);
}

Test(cfg_file, a_ca_file_others_can_write_is_refused)
{
	const char *ca = make_file("ca", 0666);
	struct cfg *cfg;
	const struct cfg_profile *p =
	    tls_profile(&cfg, ca, make_file("cert", 0644), make_file("key", 0600));
	char want[1400], *cause = NULL;

	/* Whoever can write the trust anchor can be the server: say so, and how to fix it. */
	cr_assert_eq(cfg_check_tls_files(p, &cause), -1, "a 0666 CA file was accepted");
	snprintf(want, sizeof want,
	    "ca_file %s has mode 0666, which lets group or others change it; run: chmod go-w %s",
	    ca, ca);
	cr_assert_str_eq(cause, want);
	free(cause);
	cfg_free(&cfg);
}

Test(cfg_file, a_client_cert_others_can_write_is_refused)
{
	const char *cert = make_file("cert", 0646);
	struct cfg *cfg;
	const struct cfg_profile *p =
	    tls_profile(&cfg, make_file("ca", 0644), cert, make_file("key", 0600));
	char *cause = NULL;

	cr_assert_eq(cfg_check_tls_files(p, &cause), -1);
	cr_assert_not_null(strstr(cause, "client_cert"), "%s", cause);
	cr_assert_not_null(strstr(cause, "chmod go-w"), "%s", cause);
	free(cause);
	cfg_free(&cfg);
}

Test(cfg_file, a_ca_file_in_a_directory_others_can_write_is_refused)
{
	struct cfg *cfg;
	const struct cfg_profile *p = tls_profile(
	    &cfg, make_file("ca", 0644), make_file("cert", 0644), make_file("key", 0600));
	char *cause = NULL;

	cr_assert_eq(chmod(dir, 0777), 0);
	cr_assert_eq(cfg_check_tls_files(p, &cause), -1);
	cr_assert_not_null(strstr(cause, "ca_file"), "%s", cause);
	cr_assert_not_null(strstr(cause, "put another file in its place"), "%s", cause);
	free(cause);
	cr_assert_eq(chmod(dir, 0700), 0);
	cfg_free(&cfg);
}
