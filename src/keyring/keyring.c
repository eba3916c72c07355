/* Key passphrases and bearer tokens in the Secret Service (libsecret), with every wait bounded. */
#include "config.h"

#include "keyring/keyring.h"
#include "util/xmalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <libsecret/secret.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KEYRING_BUS_NAME "org.freedesktop.secrets"
#define KEYRING_TIMEOUT_DEFAULT_MS 10000u
/* A live Secret Service answers in milliseconds; anything slower is as good as absent. */
#define KEYRING_PROBE_MAX_MS 3000u
/* How much longer than the probe's own deadline we wait for it to say what timed out. */
#define KEYRING_GRACE_MS 250u
/* And how much longer the process waits for its helper, which has its own deadline. */
#define KEYRING_HELPER_GRACE_MS 1000u
/* The most a helper may send back: no stored secret or sentence is near this. */
#define KEYRING_REPLY_MAX (1u << 20)

// clang-format off
static const SecretSchema keyring_schema = {
	.name = "org.ehrterm.Secret",
	.flags = SECRET_SCHEMA_NONE, /* libsecret adds and matches xdg:schema = the name */
	.attributes = {
	    { "profile", SECRET_SCHEMA_ATTRIBUTE_STRING },
	    { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
	    { "user", SECRET_SCHEMA_ATTRIBUTE_STRING }, /* only on the secrets kept per user */
	    { NULL, 0 },
	},
};
// clang-format on

static unsigned int keyring_timeout_ms = KEYRING_TIMEOUT_DEFAULT_MS;
/* keyring_get says why the keyring is not used once, not at every re-authentication. */
static bool keyring_told;

enum keyring_op { KEYRING_PROBE, KEYRING_STORE, KEYRING_LOOKUP, KEYRING_FORGET };

/*
 * One call, run on a thread of its own so that the caller can stop waiting at the
 * deadline whatever libsecret is blocked in (a D-Bus activation that never finishes,
 * a prompt that is never completed). The caller and the worker each hold a reference;
 * whoever lets go last frees it, so a worker that finishes after the caller gave up
 * still wipes what it read.
 */
struct keyring_job {
	GMutex lock;
	GCond cond;
	int refs;
	bool done;
	enum keyring_op op;
	char *profile;
	char *user; /* NULL for a secret of the profile's */
	enum keyring_kind kind;
	struct secret *secret; /* in: a copy to store; out: what was found */
	unsigned int probe_ms;
	GCancellable *cancel;
	int rc;
	char *cause;
};

const char *
keyring_kind_name(enum keyring_kind kind)
{
	switch (kind) {
	case KEYRING_KEY_PASSPHRASE:
		return "key-passphrase";
	case KEYRING_BEARER_TOKEN:
		return "bearer-token";
	case KEYRING_LOCK_PASSPHRASE:
		return "lock-passphrase";
	case KEYRING_REFRESH_TOKEN:
		return "refresh-token";
	}
	return NULL;
}

/* The words for KIND in sentences and labels. */
static const char *
keyring_kind_words(enum keyring_kind kind)
{
	return kind == KEYRING_BEARER_TOKEN ? "bearer token"
	    : kind == KEYRING_LOCK_PASSPHRASE ? "lock passphrase"
	    : kind == KEYRING_REFRESH_TOKEN   ? "refresh token"
					      : "key passphrase";
}

void
keyring_set_timeout(unsigned int ms)
{
	keyring_timeout_ms = ms == 0 ? KEYRING_TIMEOUT_DEFAULT_MS : ms;
}

/* "3 s" or "1.5 s", for sentences about waiting. */
static char *
keyring_seconds(unsigned int ms)
{
	if (ms % 1000 == 0)
		return xasprintf("%u s", ms / 1000);
	return xasprintf("%.1f s", ms / 1000.0);
}

/*
 * Whether a session bus address can be found without GLib's last resort, which runs
 * dbus-launch to start a bus tied to $DISPLAY: that leaves a daemon behind, and
 * there would be no Secret Service on it anyway.
 */
static bool
keyring_bus_known(void)
{
	const char *address = getenv("DBUS_SESSION_BUS_ADDRESS");
	const char *runtime = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	char *path;
	bool found;

	if (address != NULL && *address != '\0')
		return true;
	if (runtime == NULL || *runtime == '\0')
		return false;
	/* Where systemd's user bus listens, and where GLib looks next. */
	path = xasprintf("%s/bus", runtime);
	found = stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
	free(path);
	return found;
}

/* Milliseconds left until DEADLINE (monotonic microseconds), at least 0. */
static int
keyring_left_ms(gint64 deadline)
{
	gint64 left = (deadline - g_get_monotonic_time()) / 1000;

	return left > 0 ? (int)left : 0;
}

/* A bus call that never starts a service by itself and gives up after MS. */
static GVariant *
keyring_bus_call(GDBusConnection *bus, const char *dest, const char *path, const char *iface,
    const char *method, GVariant *args, const char *reply, int ms, GCancellable *cancel,
    GError **error)
{
	return g_dbus_connection_call_sync(bus, dest, path, iface, method, args,
	    G_VARIANT_TYPE(reply), G_DBUS_CALL_FLAGS_NO_AUTO_START, ms > 0 ? ms : 1, cancel, error);
}

static GVariant *
keyring_bus_daemon_call(GDBusConnection *bus, const char *method, GVariant *args, const char *reply,
    int ms, GCancellable *cancel, GError **error)
{
	return keyring_bus_call(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
	    "org.freedesktop.DBus", method, args, reply, ms, cancel, error);
}

/* Whether KEYRING_BUS_NAME has a .service file on this bus. */
static int
keyring_bus_activatable(
    GDBusConnection *bus, int ms, GCancellable *cancel, bool *activatable, GError **error)
{
	GVariant *reply;
	GVariantIter *names;
	const char *name;

	reply =
	    keyring_bus_daemon_call(bus, "ListActivatableNames", NULL, "(as)", ms, cancel, error);
	if (reply == NULL)
		return -1;
	*activatable = false;
	g_variant_get(reply, "(as)", &names);
	while (g_variant_iter_loop(names, "&s", &name))
		if (strcmp(name, KEYRING_BUS_NAME) == 0)
			*activatable = true;
	g_variant_iter_free(names);
	g_variant_unref(reply);
	return 0;
}

/* Sentence for ERROR from a bus call that was given MS. */
static char *
keyring_bus_cause(const char *what, GError *error, unsigned int ms)
{
	char *seconds, *cause;

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)) {
		seconds = keyring_seconds(ms);
		cause = xasprintf("%s within %s", what, seconds);
		free(seconds);
		return cause;
	}
	g_dbus_error_strip_remote_error(error);
	return xasprintf("%s: %s", what, error->message);
}

/*
 * Whether a Secret Service answers, within MS in all. Every bus call is bounded;
 * libsecret's own calls are not (a D-Bus activation that hangs costs 25 s).
 */
static int
keyring_probe(unsigned int ms, GCancellable *cancel, char **cause)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)ms * 1000;
	GDBusConnection *bus;
	GError *error = NULL;
	GVariant *reply;
	gboolean owned;
	bool activatable;
	int rc = -1;

	if (!keyring_bus_known()) {
		*cause = xstrdup("no Secret Service is running (no D-Bus session bus: plain SSH "
		                 "session?)");
		return -1;
	}
	bus = g_bus_get_sync(G_BUS_TYPE_SESSION, cancel, &error);
	if (bus == NULL) {
		*cause = xasprintf("no Secret Service can be reached (cannot connect to the D-Bus "
		                   "session bus: %s)",
		    error->message);
		g_error_free(error);
		return -1;
	}
	/* GLib's default is to raise SIGTERM when the session bus goes away; a lost
	 * keyring must not end a session with a note being written. */
	g_dbus_connection_set_exit_on_close(bus, FALSE);

	reply = keyring_bus_daemon_call(bus, "NameHasOwner", g_variant_new("(s)", KEYRING_BUS_NAME),
	    "(b)", keyring_left_ms(deadline), cancel, &error);
	if (reply == NULL) {
		*cause = keyring_bus_cause("the D-Bus session bus did not answer", error, ms);
		goto out;
	}
	g_variant_get(reply, "(b)", &owned);
	g_variant_unref(reply);

	if (!owned) {
		if (keyring_bus_activatable(
		        bus, keyring_left_ms(deadline), cancel, &activatable, &error) == -1) {
			*cause =
			    keyring_bus_cause("the D-Bus session bus did not answer", error, ms);
			goto out;
		}
		if (!activatable) {
			*cause = xstrdup("no Secret Service is running (plain SSH session?)");
			goto out;
		}
		/* Start it ourselves, with a deadline, instead of letting libsecret's first
		 * call wait for the bus's own activation timeout. */
		reply = keyring_bus_daemon_call(bus, "StartServiceByName",
		    g_variant_new("(su)", KEYRING_BUS_NAME, 0u), "(u)", keyring_left_ms(deadline),
		    cancel, &error);
		if (reply == NULL) {
			*cause = keyring_bus_cause("the Secret Service did not start", error, ms);
			goto out;
		}
		g_variant_unref(reply);
	}

	/* Owning the name is not answering: ask it something through its main loop. */
	reply = keyring_bus_call(bus, KEYRING_BUS_NAME, "/org/freedesktop/secrets",
	    "org.freedesktop.DBus.Properties", "Get",
	    g_variant_new("(ss)", "org.freedesktop.Secret.Service", "Collections"), "(v)",
	    keyring_left_ms(deadline), cancel, &error);
	if (reply == NULL) {
		*cause = keyring_bus_cause("the Secret Service did not answer", error, ms);
		goto out;
	}
	g_variant_unref(reply);
	rc = 0;
out:
	g_clear_error(&error);
	g_object_unref(bus);
	return rc;
}

/* "profile NAME" or "profile NAME, user USER", for labels and sentences. */
static char *
keyring_job_whose(const struct keyring_job *job)
{
	if (job->user != NULL)
		return xasprintf("profile %s, user %s", job->profile, job->user);
	return xasprintf("profile %s", job->profile);
}

/* The libsecret call for JOB, once the service is known to answer. */
static int
keyring_job_perform(struct keyring_job *job, char **cause)
{
	const char *words = keyring_kind_words(job->kind);
	GHashTable *attributes;
	GError *error = NULL;
	char *label, *password, *whose;
	gboolean ok;
	int rc = -1;

	if (job->op == KEYRING_PROBE)
		return 0;
	/* The attributes the item has, or matches: "user" only on those kept per user. */
	attributes = g_hash_table_new(g_str_hash, g_str_equal);
	g_hash_table_insert(attributes, "profile", job->profile);
	g_hash_table_insert(attributes, "kind", (char *)keyring_kind_name(job->kind));
	if (job->user != NULL)
		g_hash_table_insert(attributes, "user", job->user);
	whose = keyring_job_whose(job);
	switch (job->op) {
	case KEYRING_PROBE:
		break;
	case KEYRING_STORE:
		label = xasprintf("ehrterm %s for %s", words, whose);
		ok = secret_password_storev_sync(&keyring_schema, attributes,
		    SECRET_COLLECTION_DEFAULT, label, secret_str(job->secret), job->cancel, &error);
		free(label);
		if (!ok) {
			*cause = xasprintf("cannot store the %s of %s in the keyring: %s", words,
			    whose, error->message);
			g_error_free(error);
			break;
		}
		rc = 0;
		break;
	case KEYRING_LOOKUP:
		password = secret_password_lookupv_sync(&keyring_schema, attributes, job->cancel,
		    &error);
		if (error != NULL) {
			*cause = xasprintf("cannot read the %s of %s from the keyring: %s", words,
			    whose, error->message);
			g_error_free(error);
			break;
		}
		if (password == NULL) {
			rc = 1;
			break;
		}
		job->secret = secret_new_from(password, strlen(password));
		secret_password_free(password); /* wipes libsecret's copy */
		rc = 0;
		break;
	case KEYRING_FORGET:
		ok = secret_password_clearv_sync(&keyring_schema, attributes, job->cancel, &error);
		if (error != NULL) {
			*cause = xasprintf("cannot delete the %s of %s from the keyring: %s", words,
			    whose, error->message);
			g_error_free(error);
			break;
		}
		rc = ok ? 0 : 1;
		break;
	}
	g_hash_table_unref(attributes);
	free(whose);
	return rc;
}

static void
keyring_job_unref(struct keyring_job *job)
{
	bool last;

	g_mutex_lock(&job->lock);
	last = --job->refs == 0;
	g_mutex_unlock(&job->lock);
	if (!last)
		return;
	secret_free(&job->secret);
	free(job->profile);
	free(job->user);
	free(job->cause);
	g_object_unref(job->cancel);
	g_cond_clear(&job->cond);
	g_mutex_clear(&job->lock);
	free(job);
}

static gpointer
keyring_worker(gpointer data)
{
	struct keyring_job *job = data;
	char *cause = NULL;
	int rc;

	rc = keyring_probe(job->probe_ms, job->cancel, &cause);
	if (rc == 0)
		rc = keyring_job_perform(job, &cause);
	g_mutex_lock(&job->lock);
	job->rc = rc;
	job->cause = cause;
	job->done = true;
	g_cond_signal(&job->cond);
	g_mutex_unlock(&job->lock);
	keyring_job_unref(job);
	return NULL;
}

/* The sentence for a call OP that was not answered within MS. */
static char *
keyring_late(enum keyring_op op, unsigned int ms)
{
	char *seconds = keyring_seconds(ms), *cause;

	/* Past the probe, the likely wait is an unlock prompt nobody answers. */
	cause = xasprintf("the Secret Service did not answer within %s%s", seconds,
	    op == KEYRING_PROBE ? "" : " (is it waiting for the keyring to be unlocked?)");
	free(seconds);
	return cause;
}

/*
 * Run OP for PROFILE and KIND on a worker and wait for it until the deadline. IN is
 * stored (a copy is taken); *OUT receives what was found. Returns the worker's result
 * (0, 1 or -1), or -1 when the deadline passed. Runs in the helper process only.
 */
static int
keyring_run_here(enum keyring_op op, const char *profile, const char *user,
    enum keyring_kind kind, const struct secret *in, struct secret **out, char **cause)
{
	unsigned int ms = keyring_timeout_ms;
	gint64 deadline = g_get_monotonic_time() + (gint64)(ms + KEYRING_GRACE_MS) * 1000;
	struct keyring_job *job = xcalloc(1, sizeof *job);
	int rc;

	g_mutex_init(&job->lock);
	g_cond_init(&job->cond);
	job->refs = 2;
	job->op = op;
	job->profile = profile != NULL ? xstrdup(profile) : NULL;
	job->user = user != NULL ? xstrdup(user) : NULL;
	job->kind = kind;
	if (in != NULL)
		job->secret = secret_new_from(secret_str(in), secret_len(in));
	job->probe_ms = ms < KEYRING_PROBE_MAX_MS ? ms : KEYRING_PROBE_MAX_MS;
	job->cancel = g_cancellable_new();
	g_thread_unref(g_thread_new("ehrterm-keyring", keyring_worker, job));

	g_mutex_lock(&job->lock);
	while (!job->done)
		if (!g_cond_wait_until(&job->cond, &job->lock, deadline))
			break;
	if (job->done) {
		rc = job->rc;
		if (rc == -1) {
			*cause = job->cause;
			job->cause = NULL;
		}
		if (rc == 0 && out != NULL) {
			*out = job->secret;
			job->secret = NULL;
		}
	} else {
		/* Left to finish on its own; cancelling makes that sooner where libsecret can. */
		g_cancellable_cancel(job->cancel);
		*cause = keyring_late(op, ms);
		rc = -1;
	}
	g_mutex_unlock(&job->lock);
	keyring_job_unref(job);
	return rc;
}

/* --- the helper process ------------------------------------------------------------- */

/*
 * libsecret talks to the Secret Service through GLib, which starts threads (the D-Bus
 * worker, the keyring job) that live on for the rest of the process. Landlock binds only
 * the threads started after it, so threads started before login would stay outside the
 * confinement. Every keyring call therefore runs in a short-lived child: it does the call
 * as above, writes the answer to a pipe and exits, taking GLib's threads with it. The
 * program itself never starts GLib, and stays one thread until it is confined.
 */

/* What the helper writes back: this, then the cause's bytes, then the secret's. */
struct keyring_reply {
	int32_t rc;
	uint32_t cause_len, secret_len;
};

/* Microseconds on the monotonic clock. */
static int64_t
keyring_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
keyring_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read LEN bytes from FD into BUF by DEADLINE (keyring_now_us); 0, 1 at EOF, -1 (error, late). */
static int
keyring_read_all(int fd, void *buf, size_t len, int64_t deadline)
{
	char *p = buf;

	while (len > 0) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int64_t left = (deadline - keyring_now_us()) / 1000;
		ssize_t n;
		int r;

		if (left <= 0)
			return -1;
		r = poll(&pfd, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		n = read(fd, p, len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n == 0)
			return 1;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The helper: do the call, write the answer to OUT, exit. Never returns. */
static _Noreturn void
keyring_helper(int out, enum keyring_op op, const char *profile, const char *user,
    enum keyring_kind kind, const struct secret *in)
{
	static const int sigs[] = {
	    SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGWINCH, SIGTSTP, SIGCONT, SIGALRM};
	struct keyring_reply reply = {0};
	struct secret *found = NULL;
	char *cause = NULL;
	int null;

	/* The program's handlers would clean up its terminal; this child has none. */
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		signal(sigs[i], SIG_DFL);
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* GLib's warnings must not land on the program's screen. */
	if ((null = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	reply.rc = keyring_run_here(
	    op, profile, user, kind, in, op == KEYRING_LOOKUP ? &found : NULL, &cause);
	reply.cause_len = reply.rc == -1 && cause != NULL ? (uint32_t)strlen(cause) : 0;
	reply.secret_len = reply.rc == 0 && found != NULL ? (uint32_t)secret_len(found) : 0;
	if (keyring_write_all(out, &reply, sizeof reply) == 0 &&
	    keyring_write_all(out, cause, reply.cause_len) == 0)
		(void)keyring_write_all(out, secret_str(found), reply.secret_len);
	secret_free(&found);
	free(cause);
	/* No exit handlers: they belong to the program (its terminal, its sanitizer). */
	_exit(0);
}

/* Why a read of the helper's answer that returned GOT (keyring_read_all) failed. */
static char *
keyring_unanswered(int got, enum keyring_op op, unsigned int ms)
{
	if (got == 1)
		return xstrdup("the keyring's helper process ended without an answer");
	return keyring_late(op, ms);
}

/*
 * Run OP in a helper process and wait for its answer until the deadline: as
 * keyring_run_here, but no thread of GLib's is ever started in this process. The secret
 * found is read from the pipe straight into locked memory.
 */
static int
keyring_run(enum keyring_op op, const char *profile, const char *user, enum keyring_kind kind,
    const struct secret *in, struct secret **out, char **cause)
{
	unsigned int ms = keyring_timeout_ms;
	int64_t deadline =
	    keyring_now_us() + (int64_t)(ms + KEYRING_GRACE_MS + KEYRING_HELPER_GRACE_MS) * 1000;
	struct keyring_reply reply;
	struct secret *found = NULL;
	char *said = NULL;
	int pipefd[2], status, got, rc = -1;
	bool answered = false;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		*cause = xasprintf("cannot ask the keyring: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		*cause = xasprintf("cannot ask the keyring: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (pid == 0) {
		close(pipefd[0]);
		keyring_helper(pipefd[1], op, profile, user, kind, in);
	}
	close(pipefd[1]);
	if ((got = keyring_read_all(pipefd[0], &reply, sizeof reply, deadline)) != 0) {
		*cause = keyring_unanswered(got, op, ms);
		goto out;
	}
	if (reply.rc < -1 || reply.rc > 1 || reply.cause_len > KEYRING_REPLY_MAX ||
	    reply.secret_len > KEYRING_REPLY_MAX) {
		*cause = xstrdup("the keyring's helper answered nonsense");
		goto out;
	}
	said = xmalloc(reply.cause_len + 1);
	if ((got = keyring_read_all(pipefd[0], said, reply.cause_len, deadline)) != 0) {
		*cause = keyring_unanswered(got, op, ms);
		goto out;
	}
	said[reply.cause_len] = '\0';
	if (reply.rc == 0 && op == KEYRING_LOOKUP) {
		found = secret_new_len(reply.secret_len);
		got = keyring_read_all(pipefd[0], secret_data(found), reply.secret_len, deadline);
		if (got != 0) {
			*cause = keyring_unanswered(got, op, ms);
			goto out;
		}
	}
	answered = true;
	rc = reply.rc;
	if (rc == -1) {
		*cause = reply.cause_len > 0 ? said : xstrdup("the keyring failed");
		said = reply.cause_len > 0 ? NULL : said;
	}
	if (rc == 0 && out != NULL) {
		*out = found;
		found = NULL;
	}
out:
	close(pipefd[0]);
	/* A helper past its deadline is stuck in libsecret: it goes, GLib's threads with it. */
	if (!answered)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	secret_free(&found);
	free(said);
	return rc;
}

/* Check what every call takes; 0, or -1 with *CAUSE set. */
static int
keyring_check(const char *profile, const char *user, enum keyring_kind kind, char **cause)
{
	if (profile == NULL || *profile == '\0') {
		*cause = xstrdup("no profile name given for the keyring");
		return -1;
	}
	/* D-Bus strings must be UTF-8; GLib would refuse to send the message. */
	if (!g_utf8_validate(profile, -1, NULL)) {
		*cause = xstrdup("the profile name is not valid UTF-8, which the keyring needs");
		return -1;
	}
	if (keyring_kind_name(kind) == NULL) {
		*cause = xasprintf("unknown kind of secret (%d)", (int)kind);
		return -1;
	}
	if (kind == KEYRING_REFRESH_TOKEN && user == NULL) {
		*cause = xstrdup("a refresh token is kept per user, and no user was given");
		return -1;
	}
	if (user != NULL && (*user == '\0' || !g_utf8_validate(user, -1, NULL))) {
		*cause = xstrdup("the user's name for the keyring is empty or not valid UTF-8");
		return -1;
	}
	return 0;
}

bool
keyring_available(char **why)
{
	char *cause = NULL;

	if (keyring_run(KEYRING_PROBE, NULL, NULL, KEYRING_KEY_PASSPHRASE, NULL, NULL, &cause) == 0)
		return true;
	if (why != NULL)
		*why = cause;
	else
		free(cause);
	return false;
}

int
keyring_store_user(const char *profile, const char *user, enum keyring_kind kind,
    const struct secret *secret, char **cause)
{
	if (keyring_check(profile, user, kind, cause) == -1)
		return -1;
	if (secret == NULL || secret_len(secret) == 0) {
		*cause = xasprintf("an empty %s is not stored", keyring_kind_words(kind));
		return -1;
	}
	/* libsecret takes a C string; a NUL inside would silently shorten the secret. */
	if (strlen(secret_str(secret)) != secret_len(secret)) {
		*cause = xasprintf("the %s contains a NUL byte, which the keyring cannot hold",
		    keyring_kind_words(kind));
		return -1;
	}
	return keyring_run(KEYRING_STORE, profile, user, kind, secret, NULL, cause);
}

int
keyring_lookup_user(const char *profile, const char *user, enum keyring_kind kind,
    struct secret **out, char **cause)
{
	if (keyring_check(profile, user, kind, cause) == -1)
		return -1;
	return keyring_run(KEYRING_LOOKUP, profile, user, kind, NULL, out, cause);
}

int
keyring_forget_user(const char *profile, const char *user, enum keyring_kind kind, char **cause)
{
	if (keyring_check(profile, user, kind, cause) == -1)
		return -1;
	return keyring_run(KEYRING_FORGET, profile, user, kind, NULL, NULL, cause);
}

int
keyring_store(
    const char *profile, enum keyring_kind kind, const struct secret *secret, char **cause)
{
	return keyring_store_user(profile, NULL, kind, secret, cause);
}

int
keyring_lookup(const char *profile, enum keyring_kind kind, struct secret **out, char **cause)
{
	return keyring_lookup_user(profile, NULL, kind, out, cause);
}

int
keyring_forget(const char *profile, enum keyring_kind kind, char **cause)
{
	return keyring_forget_user(profile, NULL, kind, cause);
}

int
keyring_get(const char *profile, enum keyring_kind kind, const struct keyring_prompt *prompt,
    struct secret **out, enum keyring_source *source, char **cause)
{
	char *why = NULL, *sentence, *question;
	int rc;

	if (keyring_check(profile, NULL, kind, cause) == -1)
		return -1;
	if (prompt == NULL || prompt->ask == NULL) {
		*cause = xstrdup("no way to ask for the secret was given");
		return -1;
	}
	rc = keyring_lookup(profile, kind, out, &why);
	if (rc == 0) {
		if (source != NULL)
			*source = KEYRING_SOURCE_KEYRING;
		return 0;
	}
	if (rc == -1) {
		if (!keyring_told && prompt->notice != NULL) {
			sentence = xasprintf("%s: the %s is kept in memory for this session only",
			    why, keyring_kind_words(kind));
			prompt->notice(prompt->arg, sentence);
			free(sentence);
		}
		keyring_told = true;
		free(why);
	}
	if (kind == KEYRING_BEARER_TOKEN)
		question = xasprintf("Bearer token for profile %s: ", profile);
	else
		question = xasprintf("Passphrase for the client key of profile %s: ", profile);
	rc = prompt->ask(prompt->arg, question, out, cause);
	free(question);
	if (rc != 0)
		return -1;
	if (source != NULL)
		*source = KEYRING_SOURCE_USER;
	return 0;
}
