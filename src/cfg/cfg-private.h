/* Inside the cfg module: the option table, the value types and their checkers. */
#ifndef EHRTERM_CFG_CFG_PRIVATE_H
#define EHRTERM_CFG_CFG_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include "cfg/cfg.h"

/* Bounds on hostile input: a line, a whole file, the number of profiles. */
#define CFG_LINE_MAX 4096
#define CFG_FILE_MAX (1024 * 1024)
#define CFG_PROFILES_MAX 64
#define CFG_NAME_MAX 64
/* The most scopes a profile's scopes key may list: every module's, and room to spare. */
#define CFG_SCOPES_MAX 64

enum cfg_type {
	CFG_T_STRING,   /* UTF-8 text without control characters; max = bytes */
	CFG_T_NAME,     /* a profile name; max = bytes */
	CFG_T_URL,      /* https only; max = bytes */
	CFG_T_PATH,     /* absolute or ~/; max = bytes after expansion */
	CFG_T_DURATION, /* min..max seconds */
	CFG_T_INTEGER,  /* min..max */
	CFG_T_PINS,     /* sha256// pins joined by ;, max = how many */
	CFG_T_KEYMAP,   /* a keymap name or a path */
	CFG_T_PROXY,    /* http://, https://, socks5:// or socks5h:// host and port; max = bytes */
	CFG_T_COMMAND,  /* a program and its arguments, split by cfg_command_split; max = bytes */
	CFG_T_ID,       /* printable ASCII without blanks (an OAuth client id); max = bytes */
	CFG_T_SCOPES,   /* SMART v2 scopes joined by single spaces; max = bytes */
	CFG_T_COUNT
};

enum cfg_scope { CFG_GLOBAL, CFG_PROFILE };

#define CFG_REQUIRED 0x1

/* One option. DEF is written as in the file and goes through the same checker. */
struct cfg_option {
	const char *name;
	enum cfg_type type;
	enum cfg_scope scope;
	int flags;
	const char *def;  /* NULL: unset unless the file sets it */
	long min, max;    /* see enum cfg_type */
	const char *unit; /* what an integer counts, for the docs */
	size_t offset;    /* into struct cfg_global or struct cfg_profile */
	const char *doc;  /* one sentence */
	const char *const *choices; /* a name option: the only values it takes, NULL-ended */
	const char *refuse; /* NULL, or why a value not among the choices is refused */
};

/* The global keys, kept in struct cfg. */
struct cfg_global {
	const char *default_profile;
};

struct cfg_type_info {
	const char *name; /* as the docs write the value: "duration" */
	const char *doc;  /* one sentence for the man page */
};

extern const struct cfg_option cfg_options[];
extern const size_t cfg_noptions;
extern const struct cfg_type_info cfg_types[CFG_T_COUNT];

/* The option called NAME, or NULL. */
const struct cfg_option *cfg_option_find(const char *name);

/*
 * Check VALUE for OPT and store it in BASE (a struct cfg_global or cfg_profile),
 * replacing what was there. Returns 0, or -1 with *cause set to a sentence that
 * names the option but has no file:line prefix.
 */
int cfg_value_set(const struct cfg_option *opt, const char *value, void *base, char **cause);

/* Free what cfg_value_set stored for OPT in BASE. */
void cfg_value_free(const struct cfg_option *opt, void *base);

/* The option's limits as one sentence ("Default 10m; from 30s to 1h."), into BUF. */
void cfg_option_limits(const struct cfg_option *opt, char *buf, size_t size);

/* Whether S is a valid profile name of at most CFG_NAME_MAX bytes. */
bool cfg_profile_name_ok(const char *s);

/*
 * TEXT made safe to show in a message: bytes outside printable ASCII become \xNN and
 * long text is cut. Returns a string the caller frees.
 */
char *cfg_quote(const char *text);

#endif
