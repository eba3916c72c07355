/* Escape sequences the terminal description does not list, read whole: keys or "unknown". */
#include "config.h"

#include <curses.h>
#include <string.h>

#include "keys/keys.h"

/*
 * ncurses decodes what terminfo lists for TERM. A thin client set to TERM=vt100 still
 * sends an xterm's PgDn (ESC [ 6 ~); tmux and VT220-style emulators send Home and End
 * as ESC [ 1 ~ and ESC [ 4 ~ under TERM=xterm-256color; the Linux console sends F1 as
 * ESC [ [ A. Without this table each arrives as Esc (back) and then letters typed.
 */

/* ESC [ N ~ */
static int
tilde_key(int n)
{
	static const struct {
		int n, key;
	} keys[] = {
		{ 1, KEY_HOME }, { 2, KEY_IC }, { 3, KEY_DC }, { 4, KEY_END }, { 5, KEY_PPAGE },
		{ 6, KEY_NPAGE }, { 7, KEY_HOME }, { 8, KEY_END }, { 11, KEY_F(1) }, { 12, KEY_F(2) },
		{ 13, KEY_F(3) }, { 14, KEY_F(4) }, { 15, KEY_F(5) }, { 17, KEY_F(6) },
		{ 18, KEY_F(7) }, { 19, KEY_F(8) }, { 20, KEY_F(9) }, { 21, KEY_F(10) },
		{ 23, KEY_F(11) }, { 24, KEY_F(12) },
	};

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (keys[i].n == n)
			return KEY_FN(keys[i].key);
	return KEY_SEQ_UNKNOWN;
}

/* The final byte of ESC [ F or ESC O F without parameters. */
static int
final_key(char f, bool ss3)
{
	/* The VT100 keypad in application mode: SS3 p..y are 0..9. */
	static const char keypad[] = "pqrstuvwxylmnjkoX";
	static const char typed[] = "0123456789,-.*+/=";
	const char *k;

	switch (f) {
	case 'A': return KEY_FN(KEY_UP);
	case 'B': return KEY_FN(KEY_DOWN);
	case 'C': return KEY_FN(KEY_RIGHT);
	case 'D': return KEY_FN(KEY_LEFT);
	case 'H': return KEY_FN(KEY_HOME);
	case 'F': return KEY_FN(KEY_END);
	default: break;
	}
	if (!ss3)
		return f == 'Z' ? KEY_FN(KEY_BTAB) : KEY_SEQ_UNKNOWN;
	if (f >= 'P' && f <= 'S')
		return KEY_FN(KEY_F(1 + (f - 'P')));
	if (f == 'M')
		return '\r';
	if (f != '\0' && (k = strchr(keypad, f)) != NULL)
		return typed[k - keypad];
	return KEY_SEQ_UNKNOWN;
}

int
key_sequence(const char *seq, size_t n, size_t *used)
{
	size_t i = 1;
	int param = 0;
	bool digits_only = true, any = false;

	*used = 0;
	if (n == 0)
		return KEY_SEQ_MORE;
	if (seq[0] != '[' && seq[0] != 'O')
		return KEY_SEQ_NONE;
	/* The Linux console's F1-F5: ESC [ [ A to ESC [ [ E. */
	if (seq[0] == '[' && n >= 2 && seq[1] == '[') {
		if (n < 3)
			return KEY_SEQ_MORE;
		*used = 3;
		return seq[2] >= 'A' && seq[2] <= 'E' ? KEY_FN(KEY_F(1 + (seq[2] - 'A'))) : KEY_SEQ_UNKNOWN;
	}
	/* Parameters (0x30-0x3F), intermediates (0x20-0x2F), then the final byte (0x40-0x7E). */
	for (; i < n && seq[i] >= 0x30 && seq[i] <= 0x3f; i++) {
		any = true;
		if (seq[i] >= '0' && seq[i] <= '9' && param < 1000)
			param = param * 10 + (seq[i] - '0');
		else
			digits_only = false;
	}
	for (; i < n && seq[i] >= 0x20 && seq[i] <= 0x2f; i++)
		digits_only = false;
	if (i == n)
		return KEY_SEQ_MORE;
	*used = i + 1;
	if (seq[i] < 0x40 || seq[i] > 0x7e)
		return KEY_SEQ_UNKNOWN;
	/* With modifiers (ESC [ 1 ; 5 A) it is another key than the plain one: not guessed. */
	if (!any)
		return final_key(seq[i], seq[0] == 'O');
	if (seq[0] == '[' && seq[i] == '~' && digits_only)
		return tilde_key(param);
	return KEY_SEQ_UNKNOWN;
}
