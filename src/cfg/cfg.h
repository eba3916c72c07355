/* The configuration file: global keys and [profile NAME] sections, checked against one table. */
#ifndef EHRTERM_CFG_CFG_H
#define EHRTERM_CFG_CFG_H

#include <stddef.h>
#include <stdio.h>

#include "util/file.h"

struct cfg;

/* A keymap option: exactly one of the two is set. */
struct cfg_keymap {
	const char *name; /* a built-in keymap such as "default", "vi" or "emacs" */
	const char *path; /* an absolute path, ~ already expanded */
};

/*
 * One [profile NAME] section with every default filled in. All strings belong to the
 * struct cfg the profile came from and live until cfg_free().
 */
struct cfg_profile {
	const char *name;
	const char *base_url; /* https://host[:port][/path], no trailing slash */
	const char *ca_file;  /* absolute paths, ~ expanded */
	const char *client_cert;
	const char *client_key;
	const char *pin_sha256; /* NULL, or "sha256//B64[;sha256//B64]..." for curl */
	const char *crl_file;   /* NULL, or the CA's revocation lists (PEM) */
	const char *proxy;      /* NULL (no proxy, whatever the environment says), or a URL */
	struct cfg_keymap keymap;
	long idle_lock_s;       /* seconds without a key press before the screen locks */
	long timeout_s;         /* connect and stalled-transfer timeout, seconds */
	long flow_refresh_s;    /* the flow board's check for changes, seconds */
	long page_size;         /* _count for searches */
	const char *user_label; /* NULL, or a label for the status line */
	const char *charset;	/* "auto", "utf-8" or "ascii" */
	const char *units;	/* "us" or "metric": vital signs */
	const char *unencrypted_key; /* "refuse" or "allow" */
	const char *audit_server;    /* "no" or "yes": AuditEvents to the server too */
	const char *print_command;   /* what prints: split with cfg_command_split, no shell */
	/*
	 * Who logs in. "mtls": the client certificate alone. "smart": a person, through the
	 * server's SMART on FHIR authorization server (the device login), on top of mutual TLS.
	 */
	const char *auth;
	const char *client_id;	 /* the OAuth client id at that server: printable ASCII */
	/*
	 * NULL (the scopes come from the modules opened), or SMART v2 scopes joined by single
	 * spaces, each printable ASCII without '"' or '\\' (cfg checks their shape).
	 */
	const char *scopes;
	const char *token_store; /* "keyring": where a refresh token is kept, never a file */
	unsigned int line;      /* line of the [profile] header, for messages */
};

/*
 * The file to read when -c is not given: $XDG_CONFIG_HOME/ehrterm/config, or
 * $HOME/.config/ehrterm/config. Returns a string the caller frees, or NULL with
 * *cause set when neither variable holds an absolute path.
 */
char *cfg_default_path(char **cause);

/*
 * COMMAND split into a NULL-terminated *ARGV (free with cfg_command_free) as a shell
 * splits words, and nothing more: blanks (space, tab) separate words; '...' keeps
 * everything up to the next ' as it is; "..." does too, but a backslash there keeps the
 * next ", \ or $; outside quotes a backslash keeps the next character. No variable, ~,
 * glob, redirection or ';' means anything: "lp -d x; rm y" is lp with four arguments.
 * At most CFG_COMMAND_ARGS words. 0, or -1 with *CAUSE (an unclosed quote, a trailing
 * backslash, no word, a control character).
 */
#define CFG_COMMAND_ARGS 64
int cfg_command_split(const char *command, char ***argv, char **cause);
void cfg_command_free(char **argv);

/*
 * Read and parse the file at PATH (NULL: cfg_default_path()). The file must be a
 * regular file owned by the user or root and not writable by group or others.
 * Returns a config for cfg_free(), or NULL with *cause set to a sentence the caller
 * frees ("PATH:LINE: reason" for errors inside the file).
 */
struct cfg *cfg_load(const char *path, char **cause);

/*
 * Parse LEN bytes of TEXT (no terminating NUL needed; NULs inside are refused); NAME is
 * used in messages. Reads nothing but $HOME (for ~). Returns as cfg_load().
 */
struct cfg *cfg_parse(const char *text, size_t len, const char *name, char **cause);

void cfg_free(struct cfg **cfgp);

/* The file name the config was read from, as given. */
const char *cfg_name(const struct cfg *cfg);

size_t cfg_profile_count(const struct cfg *cfg);

/* Profile number I in file order, or NULL when I is out of range. */
const struct cfg_profile *cfg_profile_at(const struct cfg *cfg, size_t i);

/*
 * The profile called NAME; with NAME NULL, default_profile, or else the only profile.
 * Returns NULL with *cause set when there is no such profile or the choice is ambiguous.
 */
const struct cfg_profile *cfg_profile(const struct cfg *cfg, const char *name, char **cause);

/*
 * How the profile's TLS files are checked (util/file.h), for the code that reads
 * them: the key is the user's alone, unreadable by group and others; the CA file
 * and the client certificate may be root's and readable by all, but neither they
 * nor a directory above them may be writable by anyone else.
 */
extern const struct file_policy cfg_policy_key, cfg_policy_ca, cfg_policy_cert, cfg_policy_crl;

/*
 * Refuse a private key file that is not a regular file owned by the user, that
 * group or others may read or write, or that sits in a directory others could
 * change. Returns 0, or -1 with *cause set.
 */
int cfg_check_key_file(const char *path, char **cause);

/*
 * Check P's ca_file, client_cert, client_key and crl_file (when set), in that
 * order, as the policies above say. Returns 0, or -1 with *cause set naming the file and the fix.
 */
int cfg_check_tls_files(const struct cfg_profile *p, char **cause);

/*
 * Print how P logs in, for ehrterm --check: "auth:" and, for smart, the client id and the
 * scopes, one "name: value" line each, aligned as --check's other lines. Every value was
 * checked to be printable ASCII when the file was read.
 */
void cfg_print_auth(FILE *out, const struct cfg_profile *p);

/* Print the option list for ehrterm --help. */
void cfg_print_help(FILE *out);

/* Print the OPTIONS section of ehrterm.conf(5) as roff, from ".SH OPTIONS" on. */
void cfg_print_man(FILE *out);

#endif
