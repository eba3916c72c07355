/* Keyring integration tests: a real gnome-keyring, none, a hung one; run by keyring.test. */
#include "config.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <gio/gio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../lib/under_valgrind.h"
#include "keyring/keyring.h"
#include "util/secret.h"

/*
 * Each suite needs the session keyring.test gives it (tests/lib/keyring-session):
 *   real, stall        a real gnome-keyring (stall stops it, so it runs alone)
 *   noservice, stuck,  a bus without a Secret Service (stuck and mute put a broken
 *   mute               one there)
 *   hung               a Secret Service whose start never finishes
 *   nobus              no D-Bus at all
 * Run on its own, a suite fails in its first check and says so.
 */
static void
expect_session(const char *service)
{
	const char *have = getenv("KEYRING_SESSION_SERVICE");

	cr_assert(have != NULL && strcmp(have, service) == 0,
	    "this suite needs a keyring-session with --service=%s (have %s): run it through "
	    "tests/integration/keyring.test",
	    service, have ? have : "none");
	cr_assert_not_null(getenv("DBUS_SESSION_BUS_ADDRESS"));
}

static void
expect_real(void)
{
	expect_session("gnome-keyring");
}

static void
expect_noservice(void)
{
	expect_session("none");
}

static void
expect_hung(void)
{
	expect_session("hung");
}

static void
expect_nobus(void)
{
	cr_assert_null(getenv("DBUS_SESSION_BUS_ADDRESS"),
	    "the nobus suite needs DBUS_SESSION_BUS_ADDRESS unset: run it through keyring.test");
	cr_assert_null(getenv("XDG_RUNTIME_DIR"), "the nobus suite needs XDG_RUNTIME_DIR unset");
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct secret *
secret_of(const char *text)
{
	return secret_new_from(text, strlen(text));
}

/* Store TEXT, and check that it went in. */
static void
store_ok(const char *profile, enum keyring_kind kind, const char *text)
{
	struct secret *s = secret_of(text);
	char *cause = NULL;

	cr_assert_eq(keyring_store(profile, kind, s, &cause), 0, "store %s: %s", profile, cause);
	secret_free(&s);
}

/* Look up and compare with WANT (NULL: nothing stored). */
static void
lookup_is(const char *profile, enum keyring_kind kind, const char *want)
{
	struct secret *got = NULL;
	char *cause = NULL;
	int rc = keyring_lookup(profile, kind, &got, &cause);

	if (want == NULL) {
		cr_assert_eq(rc, 1, "lookup %s/%s: expected nothing stored, got rc %d (%s)",
		    profile, keyring_kind_name(kind), rc, cause ? cause : "found");
		cr_assert_null(got);
		return;
	}
	cr_assert_eq(rc, 0, "lookup %s/%s: rc %d (%s)", profile, keyring_kind_name(kind), rc,
	    cause ? cause : "not stored");
	cr_assert_eq(
	    secret_len(got), strlen(want), "length %zu, stored %zu", secret_len(got), strlen(want));
	cr_assert_str_eq(secret_str(got), want);
	secret_free(&got);
}

/*
 * Run ARGV (under timeout(1)) with INPUT on its standard input; returns its exit
 * status and, in *OUTPUT, standard output and error together (the caller frees).
 * Plain fork and exec, not GSubprocess: GLib's worker thread in this process would not
 * exist in the keyring's helper, forked from it, which would then wait on it forever
 * (ehrterm itself never starts GLib).
 */
static int
run(const char *const *argv, const char *input, char **output)
{
	int in[2], out[2], status;
	char buf[4096];
	GString *got = g_string_new(NULL);
	ssize_t n;
	pid_t pid;

	cr_assert_eq(pipe(in), 0);
	cr_assert_eq(pipe(out), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		dup2(out[1], STDERR_FILENO);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	if (input != NULL)
		cr_assert_eq(write(in[1], input, strlen(input)), (ssize_t)strlen(input));
	close(in[1]);
	while ((n = read(out[0], buf, sizeof buf)) > 0)
		g_string_append_len(got, buf, n);
	close(out[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	*output = g_string_free(got, FALSE);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* secret-tool's listing of every item with PROFILE and KIND, whatever their schema. */
static char *
secret_tool_search(const char *profile, const char *kind)
{
	const char *argv[] = {"timeout", "10", "secret-tool", "search", "--all", "--unlock",
	    "profile", profile, "kind", kind, NULL};
	char *out;

	cr_assert_eq(run(argv, NULL, &out), 0, "secret-tool search failed: %s", out);
	return out;
}

/* How many times NEEDLE occurs in HAYSTACK. */
static int
count(const char *haystack, const char *needle)
{
	int n = 0;

	for (const char *p = haystack; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* --- real: a gnome-keyring in a private session ------------------------------ */

TestSuite(real, .init = expect_real, .timeout = 60);

Test(real, available)
{
	char *why = NULL;

	cr_assert(keyring_available(&why), "not available: %s", why);
	cr_assert_null(why, "a why given although available");
}

Test(real, store_lookup_replace_forget)
{
	const char *p = "cycle";
	char *cause = NULL, *listing;

	lookup_is(p, KEYRING_KEY_PASSPHRASE, NULL);
	store_ok(p, KEYRING_KEY_PASSPHRASE, "first passphrase");
	lookup_is(p, KEYRING_KEY_PASSPHRASE, "first passphrase");

	store_ok(p, KEYRING_KEY_PASSPHRASE, "second passphrase");
	lookup_is(p, KEYRING_KEY_PASSPHRASE, "second passphrase");
	/* Replaced, not added beside: the keyring itself holds one item. */
	listing = secret_tool_search(p, "key-passphrase");
	cr_assert_eq(count(listing, "label = "), 1, "expected one item:\n%s", listing);
	g_free(listing);

	cr_assert_eq(keyring_forget(p, KEYRING_KEY_PASSPHRASE, &cause), 0, "forget: %s", cause);
	lookup_is(p, KEYRING_KEY_PASSPHRASE, NULL);
	cr_assert_eq(keyring_forget(p, KEYRING_KEY_PASSPHRASE, &cause), 1,
	    "forgetting twice should say nothing was stored");
	listing = secret_tool_search(p, "key-passphrase");
	cr_assert_eq(count(listing, "label = "), 0, "still in the keyring:\n%s", listing);
	g_free(listing);
}

Test(real, profiles_kept_apart)
{
	char *cause = NULL;

	store_ok("ward-a", KEYRING_KEY_PASSPHRASE, "alpha");
	store_ok("ward-b", KEYRING_KEY_PASSPHRASE, "bravo");
	lookup_is("ward-a", KEYRING_KEY_PASSPHRASE, "alpha");
	lookup_is("ward-b", KEYRING_KEY_PASSPHRASE, "bravo");
	/* A profile whose name starts like another is still another. */
	lookup_is("ward", KEYRING_KEY_PASSPHRASE, NULL);
	cr_assert_eq(keyring_forget("ward-a", KEYRING_KEY_PASSPHRASE, &cause), 0, "%s", cause);
	lookup_is("ward-a", KEYRING_KEY_PASSPHRASE, NULL);
	lookup_is("ward-b", KEYRING_KEY_PASSPHRASE, "bravo");
}

Test(real, kinds_kept_apart)
{
	char *cause = NULL;

	store_ok("kinds", KEYRING_KEY_PASSPHRASE, "key pass");
	lookup_is("kinds", KEYRING_BEARER_TOKEN, NULL);
	store_ok("kinds", KEYRING_BEARER_TOKEN, "eyJhbGciOiJSUzI1NiJ9.token");
	lookup_is("kinds", KEYRING_KEY_PASSPHRASE, "key pass");
	lookup_is("kinds", KEYRING_BEARER_TOKEN, "eyJhbGciOiJSUzI1NiJ9.token");
	cr_assert_eq(keyring_forget("kinds", KEYRING_BEARER_TOKEN, &cause), 0, "%s", cause);
	lookup_is("kinds", KEYRING_KEY_PASSPHRASE, "key pass");
	lookup_is("kinds", KEYRING_BEARER_TOKEN, NULL);
}

/* Look up USER's refresh token of PROFILE and compare with WANT (NULL: nothing stored). */
static void
refresh_is(const char *profile, const char *user, const char *want)
{
	struct secret *got = NULL;
	char *cause = NULL;
	int rc = keyring_lookup_user(profile, user, KEYRING_REFRESH_TOKEN, &got, &cause);

	if (want == NULL) {
		cr_assert_eq(rc, 1, "lookup %s/%s: expected nothing stored, got rc %d (%s)",
		    profile, user, rc, cause ? cause : "found");
		cr_assert_null(got);
		return;
	}
	cr_assert_eq(
	    rc, 0, "lookup %s/%s: rc %d (%s)", profile, user, rc, cause ? cause : "not stored");
	cr_assert_str_eq(secret_str(got), want);
	secret_free(&got);
}

/*
 * A SMART login's refresh token, kept per profile and user: two clinicians on one
 * profile each have their own, a logout forgets one's alone, and nothing of it is
 * reached without naming the user.
 */
Test(real, refresh_tokens_kept_per_user)
{
	static const char *const dr1 = "Practitioner/dr1",
	                         *const dr2 = "https://fhir.example.org/r4/Practitioner/dr2";
	struct secret *t1 = secret_of("r1.Zx~y+/="), *t2 = secret_of("r2-other"),
	              *t3 = secret_of("r1-renewed");
	struct secret *out = NULL;
	char *cause = NULL, *listing;

	refresh_is("smart", dr1, NULL);
	cr_assert_eq(
	    keyring_store_user("smart", dr1, KEYRING_REFRESH_TOKEN, t1, &cause), 0, "%s", cause);
	cr_assert_eq(
	    keyring_store_user("smart", dr2, KEYRING_REFRESH_TOKEN, t2, &cause), 0, "%s", cause);
	refresh_is("smart", dr1, "r1.Zx~y+/=");
	refresh_is("smart", dr2, "r2-other");
	/* Another profile, or a user whose name starts like another's, is another. */
	refresh_is("smart-b", dr1, NULL);
	refresh_is("smart", "Practitioner/dr", NULL);
	/* A refresh replaces the token, not adds beside it. */
	cr_assert_eq(
	    keyring_store_user("smart", dr1, KEYRING_REFRESH_TOKEN, t3, &cause), 0, "%s", cause);
	refresh_is("smart", dr1, "r1-renewed");
	listing = secret_tool_search("smart", "refresh-token");
	cr_assert_eq(count(listing, "label = "), 2, "expected two items:\n%s", listing);
	cr_assert_not_null(
	    strstr(
	        listing, "label = ehrterm refresh token for profile smart, user Practitioner/dr1"),
	    "%s", listing);
	g_free(listing);

	/* Not without a user, and never asked of anyone (keyring_get). */
	cr_assert_eq(keyring_lookup("smart", KEYRING_REFRESH_TOKEN, &out, &cause), -1);
	cr_assert_str_eq(cause, "a refresh token is kept per user, and no user was given");
	free(cause);
	cr_assert_eq(keyring_store("smart", KEYRING_REFRESH_TOKEN, t1, &cause), -1);
	free(cause);
	cr_assert_eq(keyring_forget("smart", KEYRING_REFRESH_TOKEN, &cause), -1);
	free(cause);
	cr_assert_eq(keyring_get("smart", KEYRING_REFRESH_TOKEN, &(struct keyring_prompt){0}, &out,
	                 NULL, &cause),
	    -1);
	free(cause);
	cr_assert_eq(keyring_lookup_user("smart", "", KEYRING_REFRESH_TOKEN, &out, &cause), -1);
	free(cause);
	cr_assert_null(out);
	/* The profile's other secrets are not the users'. */
	lookup_is("smart", KEYRING_BEARER_TOKEN, NULL);

	/* Logout: one user's is forgotten, the other's stays. */
	cr_assert_eq(
	    keyring_forget_user("smart", dr1, KEYRING_REFRESH_TOKEN, &cause), 0, "%s", cause);
	refresh_is("smart", dr1, NULL);
	refresh_is("smart", dr2, "r2-other");
	cr_assert_eq(keyring_forget_user("smart", dr1, KEYRING_REFRESH_TOKEN, &cause), 1);
	cr_assert_eq(
	    keyring_forget_user("smart", dr2, KEYRING_REFRESH_TOKEN, &cause), 0, "%s", cause);
	listing = secret_tool_search("smart", "refresh-token");
	cr_assert_eq(count(listing, "label = "), 0, "still in the keyring:\n%s", listing);
	g_free(listing);
	secret_free(&t1);
	secret_free(&t2);
	secret_free(&t3);
}

/* The entries of /proc/self/task: how many threads this process runs. */
static int
threads_running(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * Every call runs in a helper process: the caller starts no thread (GLib's would stay
 * outside the Landlock domain ehrterm confines itself to after login).
 */
Test(real, the_caller_starts_no_thread)
{
	/* Criterion's own (its timeout's) are there before. */
	int before = threads_running();
	char *why = NULL;

	cr_assert(keyring_available(&why), "not available: %s", why);
	store_ok("threads", KEYRING_LOCK_PASSPHRASE, "one thread");
	lookup_is("threads", KEYRING_LOCK_PASSPHRASE, "one thread");
	cr_assert_eq(threads_running(), before, "a keyring call left a thread behind");
}

Test(real, awkward_passphrase_round_trips)
{
	/* Spaces (leading, trailing, doubled), both quotes, a backslash, a tab, UTF-8 of two,
	 * three and four bytes, padded to exactly 1000 bytes. */
	const char *head =
	    "  it's \"quoted\"  back\\slash\ttab caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac "
	    "\xf0\x9f\x94\x91 ";
	char text[1001];
	size_t n = strlen(head);

	memcpy(text, head, n);
	for (size_t i = n; i < 999; i++)
		text[i] = (char)('a' + i % 26);
	text[999] = ' ';
	text[1000] = '\0';
	cr_assert_eq(strlen(text), 1000);

	store_ok("awkward", KEYRING_KEY_PASSPHRASE, text);
	lookup_is("awkward", KEYRING_KEY_PASSPHRASE, text);
}

Test(real, secret_tool_sees_the_item_under_our_schema)
{
	char *listing;

	store_ok("seen", KEYRING_KEY_PASSPHRASE, "visible to secret-tool");
	store_ok("seen", KEYRING_BEARER_TOKEN, "token for secret-tool");

	listing = secret_tool_search("seen", "key-passphrase");
	cr_assert_eq(count(listing, "label = "), 1, "%s", listing);
	cr_assert_not_null(
	    strstr(listing, "label = ehrterm key passphrase for profile seen\n"), "%s", listing);
	cr_assert_not_null(strstr(listing, "secret = visible to secret-tool\n"), "%s", listing);
	/* secret-tool shows the xdg:schema attribute as the item's schema. */
	cr_assert_not_null(strstr(listing, "\nschema = org.ehrterm.Secret\n"), "%s", listing);
	cr_assert_not_null(strstr(listing, "attribute.profile = seen\n"), "%s", listing);
	cr_assert_not_null(strstr(listing, "attribute.kind = key-passphrase\n"), "%s", listing);
	g_free(listing);

	listing = secret_tool_search("seen", "bearer-token");
	cr_assert_not_null(
	    strstr(listing, "label = ehrterm bearer token for profile seen\n"), "%s", listing);
	cr_assert_not_null(strstr(listing, "secret = token for secret-tool\n"), "%s", listing);
	g_free(listing);
}

Test(real, reads_what_secret_tool_stored_under_our_schema)
{
	const char *argv[] = {"timeout", "10", "secret-tool", "store", "--label=by hand",
	    "xdg:schema", "org.ehrterm.Secret", "profile", "by-hand", "kind", "key-passphrase",
	    NULL};
	char *out;

	cr_assert_eq(run(argv, "typed by hand", &out), 0, "secret-tool store: %s", out);
	g_free(out);
	lookup_is("by-hand", KEYRING_KEY_PASSPHRASE, "typed by hand");
}

Test(real, ignores_items_of_other_schemas)
{
	/* Same attribute names, no xdg:schema: another program's item, not ours. */
	const char *argv[] = {"timeout", "10", "secret-tool", "store", "--label=not ours",
	    "profile", "foreign", "kind", "key-passphrase", NULL};
	char *out, *cause = NULL;

	cr_assert_eq(run(argv, "someone else's", &out), 0, "secret-tool store: %s", out);
	g_free(out);
	lookup_is("foreign", KEYRING_KEY_PASSPHRASE, NULL);
	cr_assert_eq(keyring_forget("foreign", KEYRING_KEY_PASSPHRASE, &cause), 1);
	out = secret_tool_search("foreign", "key-passphrase");
	cr_assert_not_null(strstr(out, "secret = someone else's\n"), "deleted:\n%s", out);
	g_free(out);
}

Test(real, refuses_bad_arguments_before_the_bus)
{
	struct secret *empty = secret_new_from(NULL, 0);
	struct secret *nul = secret_new_from("ab\0cd", 5);
	struct secret *ok = secret_of("fine");
	struct secret *out = NULL;
	char *cause = NULL;

	cr_assert_eq(keyring_store(NULL, KEYRING_KEY_PASSPHRASE, ok, &cause), -1);
	cr_assert_not_null(strstr(cause, "profile"), "%s", cause);
	free(cause);
	cr_assert_eq(keyring_lookup("", KEYRING_KEY_PASSPHRASE, &out, &cause), -1);
	free(cause);
	cr_assert_eq(keyring_forget("bad\xff", KEYRING_KEY_PASSPHRASE, &cause), -1);
	cr_assert_not_null(strstr(cause, "UTF-8"), "%s", cause);
	free(cause);
	cr_assert_eq(keyring_lookup("args", (enum keyring_kind)7, &out, &cause), -1);
	free(cause);
	cr_assert_eq(keyring_store("args", KEYRING_KEY_PASSPHRASE, NULL, &cause), -1);
	free(cause);
	cr_assert_eq(keyring_store("args", KEYRING_KEY_PASSPHRASE, empty, &cause), -1);
	cr_assert_not_null(strstr(cause, "empty"), "%s", cause);
	free(cause);
	cr_assert_eq(keyring_store("args", KEYRING_KEY_PASSPHRASE, nul, &cause), -1);
	cr_assert_not_null(strstr(cause, "NUL"), "%s", cause);
	free(cause);
	cr_assert_null(out);
	/* And none of it reached the keyring. */
	lookup_is("args", KEYRING_KEY_PASSPHRASE, NULL);
	secret_free(&empty);
	secret_free(&nul);
	secret_free(&ok);
}

/* A keyring_prompt that counts what it was asked and answers ANSWER. */
struct fake_user {
	const char *answer; /* NULL: the user cancels */
	int asked, told;
	char question[128];
	char notice[256];
};

static int
fake_ask(void *arg, const char *question, struct secret **out, char **cause)
{
	struct fake_user *u = arg;

	u->asked++;
	snprintf(u->question, sizeof u->question, "%s", question);
	if (u->answer == NULL) {
		*cause = strdup("cancelled");
		return -1;
	}
	*out = secret_of(u->answer);
	return 0;
}

static void
fake_notice(void *arg, const char *sentence)
{
	struct fake_user *u = arg;

	u->told++;
	snprintf(u->notice, sizeof u->notice, "%s", sentence);
}

Test(real, get_takes_the_stored_secret_without_asking)
{
	struct fake_user u = {.answer = "typed"};
	struct keyring_prompt prompt = {.ask = fake_ask, .notice = fake_notice, .arg = &u};
	enum keyring_source source = KEYRING_SOURCE_USER;
	struct secret *s = NULL;
	char *cause = NULL;

	store_ok("get-stored", KEYRING_KEY_PASSPHRASE, "from the keyring");
	cr_assert_eq(
	    keyring_get("get-stored", KEYRING_KEY_PASSPHRASE, &prompt, &s, &source, &cause), 0,
	    "%s", cause);
	cr_assert_str_eq(secret_str(s), "from the keyring");
	cr_assert_eq(source, KEYRING_SOURCE_KEYRING);
	cr_assert_eq(u.asked, 0);
	cr_assert_eq(u.told, 0);
	secret_free(&s);
}

Test(real, get_asks_when_nothing_is_stored_and_stores_nothing)
{
	struct fake_user u = {.answer = "typed once"};
	struct keyring_prompt prompt = {.ask = fake_ask, .notice = fake_notice, .arg = &u};
	enum keyring_source source = KEYRING_SOURCE_KEYRING;
	struct secret *s = NULL;
	char *cause = NULL;

	cr_assert_eq(keyring_get("get-asks", KEYRING_KEY_PASSPHRASE, &prompt, &s, &source, &cause),
	    0, "%s", cause);
	cr_assert_str_eq(secret_str(s), "typed once");
	cr_assert_eq(source, KEYRING_SOURCE_USER);
	cr_assert_eq(u.asked, 1);
	cr_assert_eq(u.told, 0, "the keyring works; nothing to explain: %s", u.notice);
	cr_assert_not_null(strstr(u.question, "get-asks"), "%s", u.question);
	lookup_is("get-asks", KEYRING_KEY_PASSPHRASE, NULL);
	secret_free(&s);
}

/* --- stall: the real gnome-keyring, stopped mid-session ---------------------- */

static pid_t stopped_pid;

/*
 * The pid of whoever owns org.freedesktop.secrets, asked in a child of its own (see run:
 * GLib's threads must not be started in this process).
 */
static pid_t
secret_service_pid(void)
{
	guint32 pid = 0;
	int fd[2], status;
	pid_t child;

	cr_assert_eq(pipe(fd), 0);
	child = fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		GDBusConnection *bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, NULL);
		GVariant *reply = bus == NULL ? NULL
		    : g_dbus_connection_call_sync(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
			"org.freedesktop.DBus", "GetConnectionUnixProcessID",
			g_variant_new("(s)", "org.freedesktop.secrets"), G_VARIANT_TYPE("(u)"),
			G_DBUS_CALL_FLAGS_NO_AUTO_START, 5000, NULL, NULL);

		if (reply != NULL)
			g_variant_get(reply, "(u)", &pid);
		_exit(write(fd[1], &pid, sizeof pid) == sizeof pid ? 0 : 1);
	}
	close(fd[1]);
	cr_assert_eq(read(fd[0], &pid, sizeof pid), (ssize_t)sizeof pid);
	close(fd[0]);
	cr_assert_eq(waitpid(child, &status, 0), child);
	cr_assert_gt(pid, 0, "no one owns org.freedesktop.secrets");
	return (pid_t)pid;
}

static void
stall_fini(void)
{
	if (stopped_pid > 0)
		kill(stopped_pid, SIGCONT);
}

TestSuite(stall, .init = expect_real, .fini = stall_fini, .timeout = 60);

Test(stall, a_stopped_service_costs_the_timeout_not_forever)
{
	struct secret *s = NULL;
	char *cause = NULL, *why = NULL;
	double t;
	int rc;

	store_ok("stall", KEYRING_KEY_PASSPHRASE, "before the stall");
	stopped_pid = secret_service_pid();
	cr_assert_gt(stopped_pid, 1);
	cr_assert_eq(kill(stopped_pid, SIGSTOP), 0);

	keyring_set_timeout(1500);
	t = now_s();
	cr_assert_not(keyring_available(&why));
	t = now_s() - t;
	cr_assert_lt(t, 2.5, "keyring_available took %.2f s", t);
	cr_assert_geq(t, 1.4, "gave up after %.2f s, before the timeout", t);
	cr_assert_not_null(strstr(why, "did not answer within 1.5 s"), "%s", why);
	free(why);

	t = now_s();
	rc = keyring_lookup("stall", KEYRING_KEY_PASSPHRASE, &s, &cause);
	t = now_s() - t;
	cr_assert_eq(rc, -1);
	cr_assert_null(s);
	cr_assert_lt(t, 2.5, "keyring_lookup took %.2f s", t);
	cr_assert_not_null(strstr(cause, "did not answer"), "%s", cause);
	free(cause);

	/* Once it runs again, so does the keyring: nothing was left broken. */
	cr_assert_eq(kill(stopped_pid, SIGCONT), 0);
	stopped_pid = 0;
	keyring_set_timeout(0);
	lookup_is("stall", KEYRING_KEY_PASSPHRASE, "before the stall");
}

/* --- unavailable: no bus, no service, a hung or stuck service -------------- */

/* The deadlines' own overhead under valgrind, which the limits below leave no room for. */
#define VALGRIND_SLACK_S (RUNNING_ON_VALGRIND ? 3.0 : 0.0)

/* Every call fails within LIMIT seconds with a cause naming WANT. */
static void
calls_fail_within(double limit, const char *want)
{
	struct secret *s = secret_of("never stored"), *out = NULL;
	char *cause = NULL;
	double t;

	limit += VALGRIND_SLACK_S;
	t = now_s();
	cr_assert_eq(keyring_store("nowhere", KEYRING_KEY_PASSPHRASE, s, &cause), -1);
	cr_assert_lt(now_s() - t, limit, "store took %.2f s", now_s() - t);
	cr_assert_not_null(strstr(cause, want), "store: %s", cause);
	free(cause);

	t = now_s();
	cr_assert_eq(keyring_lookup("nowhere", KEYRING_KEY_PASSPHRASE, &out, &cause), -1);
	cr_assert_lt(now_s() - t, limit, "lookup took %.2f s", now_s() - t);
	cr_assert_null(out);
	cr_assert_not_null(strstr(cause, want), "lookup: %s", cause);
	free(cause);

	t = now_s();
	cr_assert_eq(keyring_forget("nowhere", KEYRING_BEARER_TOKEN, &cause), -1);
	cr_assert_lt(now_s() - t, limit, "forget took %.2f s", now_s() - t);
	cr_assert_not_null(strstr(cause, want), "forget: %s", cause);
	free(cause);
	secret_free(&s);
}

/* keyring_available is false within LIMIT seconds with a why naming WANT. */
static void
unavailable_within(double limit, const char *want)
{
	char *why = NULL;
	double t = now_s();

	limit += VALGRIND_SLACK_S;
	cr_assert_not(keyring_available(&why));
	t = now_s() - t;
	cr_assert_lt(t, limit, "keyring_available took %.2f s", t);
	cr_assert_not_null(why);
	cr_assert_not_null(strstr(why, want), "why: %s", why);
	free(why);
}

/* Whether DIR holds nothing. */
static bool
dir_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool empty = true;

	cr_assert_not_null(d, "%s", dir);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = false;
	closedir(d);
	return empty;
}

TestSuite(nobus, .init = expect_nobus, .timeout = 30);

Test(nobus, unavailable_fast_and_clear)
{
	unavailable_within(1.0, "no Secret Service is running (no D-Bus session bus");
	cr_assert_not(keyring_available(NULL), "a NULL why must be allowed");
}

Test(nobus, calls_fail_fast_and_clean)
{
	calls_fail_within(1.0, "no Secret Service is running");
}

/* A fresh HOME; removed after the test, unless something was written there. */
static char nobus_home[] = "/tmp/ehrterm-nobus.XXXXXX";
static bool nobus_home_made;

static void
nobus_home_fini(void)
{
	if (nobus_home_made)
		rmdir(nobus_home);
}

Test(nobus, get_says_why_once_asks_each_time_and_writes_nothing, .fini = nobus_home_fini)
{
	char *home = nobus_home;
	struct fake_user u = {.answer = "session only"};
	struct keyring_prompt prompt = {.ask = fake_ask, .notice = fake_notice, .arg = &u};
	enum keyring_source source = KEYRING_SOURCE_KEYRING;
	struct secret *s = NULL;
	char *cause = NULL;
	extern char **environ;

	/* A fresh HOME and XDG folders: afterwards they must still be empty. */
	cr_assert_not_null(mkdtemp(home));
	nobus_home_made = true;
	setenv("HOME", home, 1);
	setenv("XDG_DATA_HOME", home, 1);
	setenv("XDG_CONFIG_HOME", home, 1);
	setenv("XDG_CACHE_HOME", home, 1);
	setenv("XDG_STATE_HOME", home, 1);

	for (int i = 1; i <= 2; i++) {
		cr_assert_eq(
		    keyring_get("clinic", KEYRING_KEY_PASSPHRASE, &prompt, &s, &source, &cause), 0,
		    "%s", cause);
		cr_assert_str_eq(secret_str(s), "session only");
		cr_assert_eq(source, KEYRING_SOURCE_USER);
		cr_assert_eq(u.asked, i, "call %d asked %d times", i, u.asked);
		cr_assert_eq(
		    u.told, 1, "call %d: the why must be said once, was said %d times", i, u.told);
		secret_free(&s);
	}
	cr_assert_not_null(strstr(u.notice, "no Secret Service is running"), "%s", u.notice);
	cr_assert_not_null(strstr(u.notice, "this session only"), "%s", u.notice);
	cr_assert_not_null(strstr(u.question, "clinic"), "%s", u.question);

	cr_assert(dir_empty(home), "something was written under %s", home);
	for (char **e = environ; *e != NULL; e++)
		cr_assert_null(
		    strstr(*e, "session only"), "the secret is in the environment: %s", *e);
}

Test(nobus, get_passes_on_a_cancel)
{
	struct fake_user u = {.answer = NULL};
	struct keyring_prompt prompt = {.ask = fake_ask, .notice = fake_notice, .arg = &u};
	struct keyring_prompt mute = {.ask = NULL};
	struct secret *s = NULL;
	char *cause = NULL;

	cr_assert_eq(keyring_get("clinic", KEYRING_BEARER_TOKEN, &prompt, &s, NULL, &cause), -1);
	cr_assert_null(s);
	cr_assert_str_eq(cause, "cancelled");
	cr_assert_not_null(strstr(u.question, "Bearer token"), "%s", u.question);
	free(cause);
	cr_assert_eq(keyring_get("clinic", KEYRING_BEARER_TOKEN, &mute, &s, NULL, &cause), -1,
	    "no way to ask must be refused");
	free(cause);
}

Test(nobus, a_dead_bus_address_is_fast_and_clear)
{
	setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/ehrterm/bus", 1);
	unavailable_within(1.0, "cannot connect to the D-Bus session bus");
	calls_fail_within(1.0, "cannot connect");
}

TestSuite(noservice, .init = expect_noservice, .timeout = 30);

Test(noservice, unavailable_fast_and_clear)
{
	char *why = NULL;

	cr_assert_not(keyring_available(&why));
	cr_assert_str_eq(why, "no Secret Service is running (plain SSH session?)");
	free(why);
	unavailable_within(1.0, "no Secret Service is running");
}

Test(noservice, calls_fail_fast_and_clean)
{
	calls_fail_within(1.0, "no Secret Service is running");
}

/*
 * Stand-ins for a broken Secret Service, in a child process that owns its name:
 * STAND_IN_STOPPED  stops, so that nothing sent to it is ever answered (a service
 *                   stuck in a loop);
 * STAND_IN_MUTE     answers property reads, so it passes keyring_available, but never
 *                   answers OpenSession or SearchItems, so libsecret itself waits.
 */
enum stand_in { STAND_IN_STOPPED, STAND_IN_MUTE };

static pid_t stand_in_pid;

static void
stand_in_fini(void)
{
	if (stand_in_pid > 0) {
		kill(stand_in_pid, SIGKILL);
		waitpid(stand_in_pid, NULL, 0);
	}
}

static void
mute_method(GDBusConnection *bus, const char *sender, const char *path, const char *iface,
    const char *method, GVariant *args, GDBusMethodInvocation *call, void *data)
{
	(void)bus, (void)sender, (void)path, (void)iface, (void)method, (void)args, (void)data;
	(void)call; /* kept and never answered */
}

static GVariant *
mute_property(GDBusConnection *bus, const char *sender, const char *path, const char *iface,
    const char *name, GError **error, void *data)
{
	(void)bus, (void)sender, (void)path, (void)iface, (void)name, (void)error, (void)data;
	return g_variant_new_array(G_VARIANT_TYPE_OBJECT_PATH, NULL, 0);
}

static _Noreturn void
stand_in_run(enum stand_in kind, int ready)
{
	static const char xml[] = "<node><interface name='org.freedesktop.Secret.Service'>"
	                          "<method name='OpenSession'><arg type='s' direction='in'/>"
	                          "<arg type='v' direction='in'/><arg type='v' direction='out'/>"
	                          "<arg type='o' direction='out'/></method>"
	                          "<method name='SearchItems'><arg type='a{ss}' direction='in'/>"
	                          "<arg type='ao' direction='out'/>"
	                          "<arg type='ao' direction='out'/></method>"
	                          "<property name='Collections' type='ao' access='read'/>"
	                          "</interface></node>";
	static const GDBusInterfaceVTable vtable = {
	    .method_call = mute_method, .get_property = mute_property};
	GDBusConnection *bus;
	GDBusNodeInfo *node;
	GVariant *reply;
	guint32 result = 0;
	char ok;

	bus = g_dbus_connection_new_for_address_sync(getenv("DBUS_SESSION_BUS_ADDRESS"),
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
	        G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	    NULL, NULL, NULL);
	if (bus == NULL)
		_exit(1);
	if (kind == STAND_IN_MUTE) {
		node = g_dbus_node_info_new_for_xml(xml, NULL);
		if (node == NULL ||
		    g_dbus_connection_register_object(bus, "/org/freedesktop/secrets",
		        node->interfaces[0], &vtable, NULL, NULL, NULL) == 0)
			_exit(1);
	}
	reply = g_dbus_connection_call_sync(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
	    "org.freedesktop.DBus", "RequestName",
	    g_variant_new("(su)", "org.freedesktop.secrets", 4u /* DO_NOT_QUEUE */),
	    G_VARIANT_TYPE("(u)"), G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL);
	if (reply != NULL)
		g_variant_get(reply, "(u)", &result);
	ok = result == 1 ? 'y' : 'n'; /* 1: the primary owner */
	if (write(ready, &ok, 1) != 1 || ok != 'y')
		_exit(1);
	if (kind == STAND_IN_STOPPED)
		raise(SIGSTOP);
	else
		g_main_loop_run(g_main_loop_new(NULL, FALSE));
	_exit(0);
}

static void
start_stand_in(enum stand_in kind)
{
	int ready[2];
	char ok = 0;

	cr_assert_eq(pipe(ready), 0);
	stand_in_pid = fork();
	cr_assert_geq(stand_in_pid, 0);
	if (stand_in_pid == 0) {
		close(ready[0]);
		stand_in_run(kind, ready[1]);
	}
	close(ready[1]);
	cr_assert_eq(read(ready[0], &ok, 1), 1);
	cr_assert_eq(ok, 'y', "the stand-in could not take the name");
	close(ready[0]);
}

/* Each in a session of its own: the stand-in would answer for the other suites. */
TestSuite(stuck, .init = expect_noservice, .fini = stand_in_fini, .timeout = 30);

Test(stuck, a_stuck_service_costs_the_timeout_not_forever)
{
	start_stand_in(STAND_IN_STOPPED);
	keyring_set_timeout(1000);
	unavailable_within(1.5, "the Secret Service did not answer within 1 s");
	calls_fail_within(1.5, "did not answer within 1 s");
}

TestSuite(mute, .init = expect_noservice, .fini = stand_in_fini, .timeout = 30);

Test(mute, a_call_libsecret_waits_on_is_cut_short)
{
	char *why = NULL;

	start_stand_in(STAND_IN_MUTE);
	keyring_set_timeout(1000);
	/* The probe is satisfied; what follows is libsecret's own wait (25 s by default). */
	cr_assert(keyring_available(&why), "the mute stand-in should pass the probe: %s", why);
	calls_fail_within(1.5, "did not answer within 1 s (is it waiting for the keyring");
}

TestSuite(hung, .init = expect_hung, .timeout = 60);

Test(hung, a_start_that_never_finishes_is_cut_short)
{
	/* The default: the probe's 3 s, not the bus's 25 s activation timeout. */
	unavailable_within(4.0, "the Secret Service did not start within 3 s");
}

Test(hung, calls_fail_within_the_timeout)
{
	keyring_set_timeout(1000);
	unavailable_within(1.5, "did not start within 1 s");
	calls_fail_within(1.5, "did not start within 1 s");
}
