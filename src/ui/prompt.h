/* One-line text input: the command line, searches, and the passphrase at login and lock. */
#ifndef EHRTERM_UI_PROMPT_H
#define EHRTERM_UI_PROMPT_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

#include <curses.h>

#include "keys/keys.h"
#include "util/secret.h"

#define UI_PROMPT_MAX 256

struct ui_prompt {
	wchar_t buf[UI_PROMPT_MAX + 1];
	size_t len, pos, max;
	bool secret; /* shown as stars; wiped when taken or cleared */
};

void ui_prompt_init(struct ui_prompt *p, size_t max, bool secret);
/* Wipe what was typed. */
void ui_prompt_clear(struct ui_prompt *p);
void ui_prompt_set(struct ui_prompt *p, const char *utf8);
bool ui_prompt_empty(const struct ui_prompt *p);
/* The text as UTF-8; the caller frees it. Not for secret prompts. */
char *ui_prompt_text(const struct ui_prompt *p);
/* The text as a secret, and the prompt wiped. */
struct secret *ui_prompt_take_secret(struct ui_prompt *p);

/* A printable character typed: inserted. False when KEY is not text. */
bool ui_prompt_key(struct ui_prompt *p, int key);
/* An editing action (backspace, delete-char, left, right, line-start, line-end, kill-line). */
bool ui_prompt_action(struct ui_prompt *p, enum action a);

/* Draw in WIDTH columns at (Y, X); *CURSOR_X is where the terminal cursor belongs. */
void ui_prompt_draw(const struct ui_prompt *p, WINDOW *win, int y, int x, int width, int *cursor_x);

#endif
