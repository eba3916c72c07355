/* ehrterm: command line, process hardening, and the command-line modes (--check, secrets). */
#include "config.h"

#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <ncurses.h>

#include "app/app.h"
#include "cfg/cfg.h"
#include "fhir/capability.h"
#include "confine/printer.h"
#include "keyring/keyring.h"
#include "net/oauth.h"
#include "net/tlskey.h"
#include "screens/screens.h"
#include "session/session.h"
#include "text/safe.h"
#include "util/secret.h"
#include "util/xmalloc.h"

#define EXIT_USAGE 2

enum mode { MODE_TUI, MODE_CHECK, MODE_STORE_SECRET, MODE_FORGET_SECRET };

static void
usage(FILE *out)
{
	fprintf(out,
	    "Usage: %s [-c FILE] [-p PROFILE] [--check | --store-secret | --forget-secret]\n"
	    "A keyboard-first clinic workstation for the terminal, talking FHIR R4\n"
	    "over HTTPS with mutual TLS.\n"
	    "\n"
	    "  -c, --config FILE   read FILE instead of $XDG_CONFIG_HOME/ehrterm/config\n"
	    "  -p, --profile NAME  use profile NAME instead of default_profile\n"
	    "      --check         connect, read the server's capabilities, print what\n"
	    "                      ehrterm can do with it, and exit (0 when all is well)\n"
	    "      --store-secret  read the client key's passphrase (without echo, or from\n"
	    "                      standard input) and store it in the keyring\n"
	    "      --forget-secret delete the profile's passphrase from the keyring\n"
	    "  -h, --help          show this help and exit\n"
	    "  -V, --version       show the version and the libraries in use, and exit\n"
	    "\n",
	    PACKAGE);
	cfg_print_help(out);
	fprintf(out, "\nSee ehrterm(1) and ehrterm.conf(5) for the full manual.\n");
}

static void
version(void)
{
	const curl_version_info_data *curl = curl_version_info(CURLVERSION_NOW);

	printf("%s %s\n", PACKAGE, PACKAGE_VERSION);
	printf("libcurl %s (%s), %s\n", curl->version,
	    curl->ssl_version ? curl->ssl_version : "no TLS", curses_version());
}

/* No core file, no ptrace by other users, nothing created readable by others. */
static void
harden_process(void)
{
	struct rlimit none = { 0, 0 };

	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	setrlimit(RLIMIT_CORE, &none);
	umask(077);
}

/* One line on stderr: what failed, and what to do about it. */
static int
fail(enum session_failure failure, const char *cause)
{
	char *safe = safe_str(cause, safe_locale_utf8());

	fprintf(stderr, "%s: %s error: %s; %s\n", PACKAGE, session_failure_name(failure), safe,
	    session_failure_hint(failure));
	free(safe);
	return (int)failure;
}

static int
cli_ask(void *arg, const char *question, struct secret **out, char **cause)
{
	(void)arg;
	return secret_read_tty(question, STDIN_FILENO, out, cause);
}

static void
cli_notice(void *arg, const char *sentence)
{
	(void)arg;
	fprintf(stderr, "%s: %s\n", PACKAGE, sentence);
}

static const struct keyring_prompt cli_prompt = { cli_ask, cli_notice, NULL };

static const char *const json_accept[] = { "Accept: application/json", NULL };

struct fetched {
	char *body;
	char *cause;
};

static void
on_fetched(const struct http_response *resp, void *arg)
{
	struct fetched *f = arg;

	if (resp->error != HTTP_OK)
		f->cause = xstrdup(resp->message != NULL ? resp->message : http_error_hint(resp->error));
	else if (resp->status != 200)
		f->cause = xasprintf("HTTP %ld", resp->status);
	else if (memchr(resp->body, '\0', resp->body_len) != NULL)
		f->cause = xstrdup("the answer is not text");
	else
		f->body = xstrdup(resp->body);
}

/* GET URL and wait for it (the command-line modes): the body, or NULL with *CAUSE. */
static char *
fetch_wait(struct http_client *http, const char *url, char **cause)
{
	struct fetched f = { 0 };
	struct http_request r = { .method = HTTP_GET, .url = url, .headers = json_accept,
		.retry = true, .no_bearer = true };

	http_submit(http, &r, on_fetched, &f);
	http_client_run(http);
	*cause = f.cause;
	return f.body;
}

/*
 * For --check: the server's SMART configuration and metadata read and checked, as
 * oauth_server_describe says it (*OK = 1), or why not (*OK = 0). Nothing is logged in.
 */
static char *
smart_check(struct http_client *http, const char *base_url, int *ok)
{
	struct oauth_server srv = { 0 };
	char *url = oauth_discovery_url(base_url), *cause = NULL, *out, *why;

	*ok = 0;
	if (url == NULL)
		return xstrdup("the base_url is not https");
	out = fetch_wait(http, url, &cause);
	free(url);
	if (out == NULL) {
		why = xasprintf("the SMART configuration could not be read: %s", cause);
		free(cause);
		return why;
	}
	if (oauth_server_read(&srv, out, strlen(out), &cause) != 0) {
		free(out);
		return cause;
	}
	free(out);
	if (oauth_server_needs_metadata(&srv)) {
		url = oauth_metadata_url(srv.issuer, OAUTH_METADATA_RFC8414);
		out = url != NULL ? fetch_wait(http, url, &cause) : NULL;
		free(url);
		if (out == NULL) {
			free(cause);
			cause = NULL;
			url = oauth_metadata_url(srv.issuer, OAUTH_METADATA_OIDC);
			out = url != NULL ? fetch_wait(http, url, &cause) : NULL;
			free(url);
		}
		if (out == NULL || oauth_server_add_metadata(&srv, out, strlen(out), &cause) != 0) {
			free(out);
			oauth_server_clear(&srv);
			if (cause == NULL)
				return xstrdup("the authorization server's metadata could not be read");
			why = xasprintf("the authorization server's metadata: %s", cause);
			free(cause);
			return why;
		}
		free(out);
	}
	if (oauth_server_check(&srv, &cause) != 0) {
		oauth_server_clear(&srv);
		return cause;
	}
	out = oauth_server_describe(&srv);
	oauth_server_clear(&srv);
	*ok = 1;
	return out;
}

static int
run_check(const struct cfg_profile *profile)
{
	bool utf8 = safe_locale_utf8();
	struct session *s = NULL;
	enum session_failure failure;
	const struct http_stats *st;
	char *cause = NULL, *software, *version, *fhir_version;

	if ((failure = session_open(profile, &cli_prompt, &s, &cause)) != SESSION_OK ||
	    (failure = session_discover_wait(s, &cause)) != SESSION_OK) {
		int rc = fail(failure, cause);

		free(cause);
		session_close(&s);
		return rc;
	}
	/* Everything the server says is sanitised before it reaches the terminal. */
	software = safe_text(fhir_caps_software(s->caps), strlen(fhir_caps_software(s->caps)), 100,
	    utf8);
	version = safe_text(fhir_caps_software_version(s->caps),
	    strlen(fhir_caps_software_version(s->caps)), 30, utf8);
	fhir_version = safe_text(fhir_caps_fhir_version(s->caps),
	    strlen(fhir_caps_fhir_version(s->caps)), 20, utf8);
	printf("profile:      %s (as %s)\n", profile->name, s->user);
	printf("server:       %s\n", profile->base_url);
	cfg_print_auth(stdout, profile);
	if (profile->auth != NULL && strcmp(profile->auth, "smart") == 0) {
		/* The SMART discovery result, and the login state: --check logs no one in. */
		int ok;
		char *found = smart_check(s->http, profile->base_url, &ok);
		char *shown = safe_text(found, strlen(found), 400, utf8);

		printf("smart:        %s%s\n", ok ? "" : "unusable: ", shown);
		printf("login:        none now; ehrterm asks for a device login when it starts\n");
		free(shown);
		free(found);
		if (!ok) {
			free(software);
			free(version);
			free(fhir_version);
			session_close(&s);
			return SESSION_SERVER;
		}
	}
	printf("software:     %s %s\n", software, version);
	printf("FHIR version: %s%s\n", fhir_version,
	    strncmp(fhir_caps_fhir_version(s->caps), "4.0", 3) == 0 ? "" : " (ehrterm expects 4.0.x)");
	printf("transactions: %s, batches: %s\n", fhir_caps_transactions(s->caps) ? "yes" : "no",
	    fhir_caps_batches(s->caps) ? "yes" : "no");
	for (size_t i = 0; i < fhir_modules_count; i++) {
		char *missing = fhir_module_missing(s->caps, &fhir_modules[i]);
		const char *read_only = fhir_caps_read_only(s->caps, fhir_modules[i].name);

		/* As home says it: a module the server lets be read but not changed is read-only. */
		if (missing != NULL)
			printf("%-13s unavailable: %s\n", fhir_modules[i].name, missing);
		else if (read_only != NULL)
			printf("%-13s read-only: %s\n", fhir_modules[i].name, read_only);
		else
			printf("%-13s available\n", fhir_modules[i].name);
		free(missing);
	}
	st = http_client_stats(s->http);
	printf("network:      %lu round trip%s, %llu bytes sent, %llu bytes received\n",
	    st->round_trips, st->round_trips == 1 ? "" : "s", (unsigned long long)st->bytes_sent,
	    (unsigned long long)st->bytes_received);
	free(software);
	free(version);
	free(fhir_version);
	session_close(&s);
	return EXIT_SUCCESS;
}

/*
 * A key without a passphrase (allowed by the profile): what proves the person at the
 * idle lock is a lock passphrase, asked twice and kept in the keyring.
 */
static int
store_lock_passphrase(const struct cfg_profile *profile)
{
	struct secret *pass = NULL, *again = NULL;
	char *cause = NULL;
	int rc;

	if (session_check_key_kind(profile, &cause) != 0) {
		rc = fail(SESSION_CONFIG, cause);
		free(cause);
		return rc;
	}
	if (!keyring_available(&cause)) {
		rc = fail(SESSION_KEYRING, cause);
		free(cause);
		return rc;
	}
	if (secret_read_tty("Lock passphrase (the idle lock asks for it): ", STDIN_FILENO, &pass,
		&cause) != 0 ||
	    secret_read_tty("The same again: ", STDIN_FILENO, &again, &cause) != 0) {
		secret_free(&pass);
		rc = fail(SESSION_AUTH, cause);
		free(cause);
		return rc;
	}
	if (!secret_equal(pass, again) || strlen(secret_str(pass)) < 8) {
		const char *why = !secret_equal(pass, again)
		    ? "the two lock passphrases differ; nothing was stored"
		    : "a lock passphrase needs at least 8 characters; nothing was stored";

		secret_free(&pass);
		secret_free(&again);
		return fail(SESSION_AUTH, why);
	}
	secret_free(&again);
	rc = keyring_store(profile->name, KEYRING_LOCK_PASSPHRASE, pass, &cause);
	secret_free(&pass);
	if (rc != 0) {
		rc = fail(SESSION_KEYRING, cause);
		free(cause);
		return rc;
	}
	printf("%s: the key %s has no passphrase; the lock passphrase for profile %s is stored "
	       "in the keyring\n",
	    PACKAGE, profile->client_key, profile->name);
	return EXIT_SUCCESS;
}

static int
run_store_secret(const struct cfg_profile *profile)
{
	struct secret *pass = NULL;
	char *cause = NULL, *question;
	enum tlskey_result opened;
	int rc;

	if (cfg_check_key_file(profile->client_key, &cause) != 0) {
		rc = fail(SESSION_CONFIG, cause);
		free(cause);
		return rc;
	}
	if (!tlskey_encrypted(profile->client_key))
		return store_lock_passphrase(profile);
	if (!keyring_available(&cause)) {
		rc = fail(SESSION_KEYRING, cause);
		free(cause);
		return rc;
	}
	question = xasprintf("Passphrase for %s (profile %s): ", profile->client_key, profile->name);
	rc = secret_read_tty(question, STDIN_FILENO, &pass, &cause);
	free(question);
	if (rc != 0) {
		rc = fail(SESSION_AUTH, cause);
		free(cause);
		return rc;
	}
	/* Store only what opens the key, so a typo is found now, not at the next login. */
	opened = tlskey_open(profile->client_key, secret_str(pass), &cause);
	if (opened != TLSKEY_OPENS) {
		secret_free(&pass);
		rc = fail(opened == TLSKEY_WRONG_PASSPHRASE ? SESSION_AUTH : SESSION_CONFIG, cause);
		free(cause);
		return rc;
	}
	rc = keyring_store(profile->name, KEYRING_KEY_PASSPHRASE, pass, &cause);
	secret_free(&pass);
	if (rc != 0) {
		rc = fail(SESSION_KEYRING, cause);
		free(cause);
		return rc;
	}
	printf("%s: the passphrase for profile %s is stored in the keyring\n", PACKAGE, profile->name);
	return EXIT_SUCCESS;
}

static int
run_forget_secret(const struct cfg_profile *profile)
{
	char *cause = NULL;
	/* A key without a passphrase has a lock passphrase in its place. */
	int rc = keyring_forget(profile->name,
	    tlskey_encrypted(profile->client_key) ? KEYRING_KEY_PASSPHRASE : KEYRING_LOCK_PASSPHRASE,
	    &cause);

	if (rc < 0) {
		rc = fail(SESSION_KEYRING, cause);
		free(cause);
		return rc;
	}
	printf("%s: %s for profile %s\n", PACKAGE,
	    rc == 0 ? "the passphrase was removed from the keyring" : "no passphrase was stored",
	    profile->name);
	return EXIT_SUCCESS;
}

int
main(int argc, char **argv)
{
	enum { OPT_CHECK = 256, OPT_STORE, OPT_FORGET };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "profile", required_argument, NULL, 'p' },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "store-secret", no_argument, NULL, OPT_STORE },
		{ "forget-secret", no_argument, NULL, OPT_FORGET },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = NULL, *profile_name = NULL;
	const struct cfg_profile *profile = NULL;
	enum mode mode = MODE_TUI;
	struct cfg *cfg;
	char *cause = NULL;
	int c, rc;

	/*
	 * libcurl's TLS backend writes the session's traffic secrets to the file this
	 * names, which would decrypt a capture of the clinic's traffic. Cleared first,
	 * before curl_global_init or anything that may start TLS reads it.
	 */
	unsetenv("SSLKEYLOGFILE");
	harden_process();
	setlocale(LC_ALL, "");
	while ((c = getopt_long(argc, argv, "c:p:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
			break;
		case 'p':
			profile_name = optarg;
			break;
		case OPT_CHECK:
		case OPT_STORE:
		case OPT_FORGET:
			if (mode != MODE_TUI) {
				fprintf(stderr, "%s: --check, --store-secret and --forget-secret "
						"exclude each other\n", PACKAGE);
				return EXIT_USAGE;
			}
			mode = c == OPT_CHECK ? MODE_CHECK : c == OPT_STORE ? MODE_STORE_SECRET
									   : MODE_FORGET_SECRET;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case 'V':
			version();
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'; see --help\n", PACKAGE, argv[optind]);
		return EXIT_USAGE;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "%s: libcurl could not start\n", PACKAGE);
		return EXIT_FAILURE;
	}
	if ((cfg = cfg_load(config_path, &cause)) == NULL ||
	    (mode != MODE_TUI && (profile = cfg_profile(cfg, profile_name, &cause)) == NULL)) {
		rc = fail(SESSION_CONFIG, cause);
		free(cause);
		cfg_free(&cfg);
		curl_global_cleanup();
		return rc;
	}
	switch (mode) {
	case MODE_CHECK:
		rc = run_check(profile);
		break;
	case MODE_STORE_SECRET:
		rc = run_store_secret(profile);
		break;
	case MODE_FORGET_SECRET:
		rc = run_forget_secret(profile);
		break;
	case MODE_TUI:
	default: {
		/*
		 * Forked now, before a passphrase or key is in memory: the helper keeps only
		 * the configuration, and runs print commands after confinement forbids it here.
		 */
		struct printer *printer = printer_start(cfg, &cause);
		struct app_config app = {
			.cfg = cfg,
			.profile_name = profile_name,
			.screens = screens_all,
			.on_ready = screens_ready,
			.home = "home",
			.printer = printer,
		};

		/* Without it ehrterm runs, and a print says why it cannot. */
		free(cause);
		cause = NULL;
		rc = app_run(&app);
		printer_stop(&printer);
		break;
	}
	}
	cfg_free(&cfg);
	curl_global_cleanup();
	return rc;
}
