/* Inside the keys module: its bounds, the compiled-in keymaps and helpers the files share. */
#ifndef EHRTERM_KEYS_KEYS_PRIVATE_H
#define EHRTERM_KEYS_KEYS_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include "keys/keys.h"

/*
 * Bounds on hostile input: a line, a whole file, the bindings of one keymap (all
 * contexts together; the built-in ones have about a hundred), the contexts, a context
 * or key name.
 */
#define KEYS_LINE_MAX 1024
#define KEYS_FILE_MAX (1024 * 1024)
#define KEYS_BINDINGS_MAX 4096
#define KEYS_CONTEXTS_MAX 64
#define KEYS_CONTEXT_NAME_MAX 32
#define KEYS_KEY_NAME_MAX 32

/* The largest ncurses key code KEY_FN() takes; define_key() codes stay far below. */
#define KEYS_FN_CODE_MAX 0xffff

/*
 * A keymap file compiled into the program; the list ends with { NULL, NULL }. Made by
 * make from keymaps/NAME.keys into src/keys/keys-builtin.c (see Makefile.am).
 */
struct keys_builtin {
	const char *name; /* "default", "vi", "emacs" */
	const char *text; /* the file, byte for byte */
};

extern const struct keys_builtin keys_builtins[];

/* The built-in keymap called NAME, or NULL. */
const struct keys_builtin *keys_builtin_find(const char *name);

/*
 * A keymap whose bind lines may name any context (letters, digits, '_', '-'), added in
 * the order first named: how the man page lists the built-in keymaps without knowing
 * every screen.
 */
struct keymap *keys_keymap_new_open(void);

/* The number of contexts of KM, and the name of context I (in order of creation). */
size_t keys_keymap_ncontexts(const struct keymap *km);
const char *keys_keymap_context(const struct keymap *km, size_t i);

/* Whether S is a context name: 1 to KEYS_CONTEXT_NAME_MAX letters, digits, '_', '-'. */
bool keys_context_name_ok(const char *s);

/*
 * LEN bytes of TEXT made safe to show in a message: bytes outside printable ASCII
 * become \xNN, and text longer than 40 bytes is cut and ends in "...".
 * Returns a string the caller frees.
 */
char *keys_quote(const char *text, size_t len);

#endif
