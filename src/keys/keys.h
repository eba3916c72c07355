/* Keys, actions and keymaps: what each key does in each context, from one table of actions. */
#ifndef EHRTERM_KEYS_KEYS_H
#define EHRTERM_KEYS_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * Every action, from keymaps/actions.def: ACTION(ID, "name", "one line of help").
 * A_NONE is 0. The path is relative to this header, so no -I flag is needed.
 */
enum action {
#define ACTION(id, name, help) A_##id,
#include "../../keymaps/actions.def"
#undef ACTION
	A_COUNT
};

/* The action's name as bind takes it ("page-up"), and its help line; NULL out of range. */
const char *action_name(enum action a);
const char *action_help(enum action a);

/* The action called NAME (exact, lower case), or -1 when there is none. */
int action_from_name(const char *name);

/*
 * Keys: one int for every key. A character is its Unicode code point (^C is 3, Enter
 * is 13, Esc is 27); a function or cursor key is KEY_FN(ncurses KEY_* code), so the
 * two never collide; KEY_META(k) is k pressed with Alt, or after Esc at once: the event
 * loop joins an Esc and the key that arrives with it when the keymap binds that Alt key
 * (else they stay two keys, so typing ahead Esc and a letter does what it says). So a key from wget_wch()
 * is: rc == KEY_CODE_YES ? KEY_FN(wch) : (int)wch.
 */
#define KEY_FN(k) (0x110000 + (k))
#define KEY_META(k) (0x1000000 | (k))
#define KEY_IS_FN(k) (((k) & ~0x1000000) >= 0x110000)
#define KEY_IS_META(k) ((0x1000000 & (k)) != 0)

/*
 * Read a key name: a character ("a", "?", "é"), "^C" (^@ to ^_, and ^? for DEL),
 * "U+00E9", "Esc", "Enter", "Tab", "BTab", "Space", "Backspace", "Delete", "Insert",
 * "Up", "Down", "Left", "Right", "Home", "End", "PgUp", "PgDn", "KPEnter", "F1" to
 * "F63", "Key-N" (ncurses key code N, for keys without a name), any of these after
 * "M-". Names longer than one character are not case-sensitive. Returns 0 with *KEY
 * set, or -1 with *cause set to a sentence the caller frees.
 */
int key_parse(const char *text, int *key, char **cause);

/*
 * The canonical name of KEY, which key_parse reads back to KEY: "F1", "^C", "M-v", "é";
 * "U+200E" for a character that would not show. Returns a string the caller frees
 * ("(invalid key)" for a number that is no key). Not key_name: <curses.h> has that.
 */
char *key_to_name(int key);

/*
 * Whether KEY is typed as text in a form or prompt: Space, or a character that
 * key_to_name() writes as itself. The dispatcher gives these to the text widget
 * instead of looking them up in "global", where '?' and 'q' are bound.
 */
bool key_is_text(int key);

/*
 * Escape sequences as xterm, VT220, rxvt and the Linux console send them, for the keys
 * the terminal description does not list. SEQ holds the N bytes that came at once after
 * ESC. Returns the key (*USED bytes make it), KEY_SEQ_UNKNOWN for a whole sequence that
 * is no key ehrterm knows (*USED bytes, to be dropped with a word, never read as Esc and
 * letters), KEY_SEQ_MORE when SEQ is the start of one, or KEY_SEQ_NONE when it is no
 * sequence at all (Esc, then keys).
 */
#define KEY_SEQ_MORE (-1)
#define KEY_SEQ_NONE (-2)
#define KEY_SEQ_UNKNOWN (-3)
int key_sequence(const char *seq, size_t n, size_t *used);

/*
 * A keymap: for each context, which key does which action. Contexts are named by the
 * caller: "global", "list", "form", "pager", "prompt", "dialog", "editor" (the ones the
 * built-in keymaps bind) and each screen's own.
 */
struct keymap;

/*
 * A keymap with no bindings whose bind lines may name the contexts in CONTEXTS, a
 * NULL-terminated list of names (letters, digits, '_', '-'; the list is copied; bad
 * names and repeats are skipped). Free it with keymap_free().
 */
struct keymap *keymap_new(const char *const *contexts);

/* Free *KM and set it to NULL; NULL and a pointer to NULL are fine. */
void keymap_free(struct keymap **km);

/*
 * The terminal in use: HAS(KEY_FN(code)) says whether its description lists that key
 * (F1-F10, PgUp, Home...). keymap_each_binding then lists first the keys the terminal
 * has, and names a function key it lacks as the global function-key binding and a digit
 * ("^K 7", "^K 0" for F10). NULL (the default): every key is there.
 */
void keymap_set_terminal(struct keymap *km, bool (*has)(int key));

/* Whether any context of KM binds KEY (to anything but none). */
bool keymap_binds(const struct keymap *km, int key);

/*
 * Read LEN bytes of TEXT (no NUL needed; NULs inside are refused) as a keymap file
 * and add its bindings to KM: "bind CONTEXT KEY ACTION", "unbind CONTEXT KEY", "#"
 * comments and blank lines; a later bind of the same context and key wins. NAME is
 * used in messages. Returns 0, or -1 with *cause set to "NAME:LINE: reason" and KM
 * unchanged (a file is taken whole or not at all).
 */
int keymap_load_text(
    struct keymap *km, const char *text, size_t len, const char *name, char **cause);

/*
 * Read the keymap file at PATH as keymap_load_text() does. The file must be a regular
 * file owned by the user or root and not writable by group or others, as the config
 * file. Load the built-in "default" first: a user's file goes on top of it.
 */
int keymap_load_file(struct keymap *km, const char *path, char **cause);

/*
 * Add a built-in keymap: "default", or "vi" or "emacs" (each loads "default" first,
 * then its own keys). Returns as keymap_load_text().
 */
int keymap_load_builtin(struct keymap *km, const char *name, char **cause);

/*
 * What KEY does in CONTEXT: A_NONE when the key is not bound there, or the context is
 * unknown. ^J and the keypad's Enter do what Enter does, and ^? what Backspace does,
 * unless they are bound themselves: terminals send either for the same key.
 */
enum action keymap_lookup(const struct keymap *km, const char *context, int key);

/*
 * The first binding of KEY found in the N contexts of CONTEXTS, tried in order (the
 * dispatcher passes screen, widget, "global"). A key bound to "none" stops the search.
 * Returns A_NONE when no context binds the key.
 */
enum action keymap_lookup_chain(
    const struct keymap *km, const char *const *contexts, size_t n, int key);

/*
 * For the help screen: call FN once per action that a key reaches in the N CONTEXTS
 * (as keymap_lookup_chain() would find it), contexts in order and, inside each, actions
 * in actions.def order. An action is listed once, at the first context where a key
 * reaches it, with every key that reaches it there, in the order they were bound,
 * joined by ", " ("?, F1"). A key that an earlier context binds is not listed, nor is
 * "none". CONTEXT and KEYS are borrowed for the call.
 */
void keymap_each_binding(const struct keymap *km, const char *const *contexts, size_t n,
    void (*fn)(void *arg, const char *context, const char *keys, enum action a), void *arg);

/*
 * Print the generated sections of ehrterm-keys(5) as roff: ACTIONS (from actions.def),
 * DEFAULT KEYS (from default.keys) and VI AND EMACS KEYS (vi.keys and emacs.keys).
 */
void keys_print_man(FILE *out);

#endif
