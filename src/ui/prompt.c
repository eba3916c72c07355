/* One-line text input with wide characters, edited in place; secret prompts are wiped. */
#include "config.h"

#include "ui/prompt.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

void
ui_prompt_init(struct ui_prompt *p, size_t max, bool secret)
{
	explicit_bzero(p, sizeof *p);
	p->max = max == 0 || max > UI_PROMPT_MAX ? UI_PROMPT_MAX : max;
	p->secret = secret;
}

void
ui_prompt_clear(struct ui_prompt *p)
{
	explicit_bzero(p->buf, sizeof p->buf);
	p->len = p->pos = 0;
}

bool
ui_prompt_empty(const struct ui_prompt *p)
{
	return p->len == 0;
}

void
ui_prompt_set(struct ui_prompt *p, const char *utf8)
{
	mbstate_t st;
	size_t n;

	ui_prompt_clear(p);
	memset(&st, 0, sizeof st);
	while (utf8 != NULL && *utf8 != '\0' && p->len < p->max) {
		wchar_t wc;

		n = mbrtowc(&wc, utf8, strlen(utf8), &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0)
			break;
		/* The same rule as typing: no controls, bidi overrides or other invisible text. */
		if (key_is_text((int)wc))
			p->buf[p->len++] = wc;
		utf8 += n;
	}
	p->pos = p->len;
}

/* UTF-8 of the buffer into OUT (at least len * MB_LEN_MAX + 1 bytes). */
static size_t
encode(const struct ui_prompt *p, char *out)
{
	mbstate_t st;
	size_t n = 0;

	memset(&st, 0, sizeof st);
	for (size_t i = 0; i < p->len; i++) {
		size_t k = wcrtomb(out + n, p->buf[i], &st);

		if (k != (size_t)-1)
			n += k;
	}
	out[n] = '\0';
	return n;
}

char *
ui_prompt_text(const struct ui_prompt *p)
{
	char *out = xmalloc(p->len * MB_LEN_MAX + 1);

	encode(p, out);
	return out;
}

struct secret *
ui_prompt_take_secret(struct ui_prompt *p)
{
	char tmp[UI_PROMPT_MAX * MB_LEN_MAX + 1];
	size_t n = encode(p, tmp);
	struct secret *s = secret_new_from(tmp, n);

	explicit_bzero(tmp, sizeof tmp);
	ui_prompt_clear(p);
	return s;
}

bool
ui_prompt_key(struct ui_prompt *p, int key)
{
	/* Function keys, controls and invisible characters (bidi, combining) are not text. */
	if (!key_is_text(key))
		return false;
	if (p->len >= p->max) {
		beep();
		return true;
	}
	memmove(p->buf + p->pos + 1, p->buf + p->pos, (p->len - p->pos) * sizeof p->buf[0]);
	p->buf[p->pos++] = (wchar_t)key;
	p->len++;
	return true;
}

bool
ui_prompt_action(struct ui_prompt *p, enum action a)
{
	switch (a) {
	case A_BACKSPACE:
		if (p->pos == 0)
			return true;
		p->pos--;
		/* FALLTHROUGH */
	case A_DELETE_CHAR:
		if (p->pos < p->len) {
			memmove(p->buf + p->pos, p->buf + p->pos + 1,
			    (p->len - p->pos - 1) * sizeof p->buf[0]);
			p->buf[--p->len] = 0;
		}
		return true;
	case A_MOVE_LEFT:
		if (p->pos > 0)
			p->pos--;
		return true;
	case A_MOVE_RIGHT:
		if (p->pos < p->len)
			p->pos++;
		return true;
	case A_LINE_START:
		p->pos = 0;
		return true;
	case A_LINE_END:
		p->pos = p->len;
		return true;
	case A_KILL_LINE:
		ui_prompt_clear(p);
		return true;
	default:
		return false;
	}
}

void
ui_prompt_draw(const struct ui_prompt *p, WINDOW *win, int y, int x, int width, int *cursor_x)
{
	size_t start = 0, cols = 0;
	int cx = x;

	if (width <= 1)
		return;
	/* Scroll so the cursor stays visible, keeping one column for it at the end. */
	for (size_t i = p->pos; i > 0; i--) {
		int w = p->secret ? 1 : wcwidth(p->buf[i - 1]);

		cols += w > 0 ? (size_t)w : 0;
		if (cols >= (size_t)width - 1) {
			start = i;
			break;
		}
	}
	wattrset(win, ui_attr(UI_FIELD));
	mvwhline(win, y, x, ' ' | ui_attr(UI_FIELD), width);
	wmove(win, y, x);
	for (size_t i = start; i < p->len; i++) {
		wchar_t wc = p->secret ? L'*' : p->buf[i];
		int w = wcwidth(wc);

		if (w < 0)
			wc = L'?', w = 1;
		if (cx + w > x + width)
			break;
		if (i == p->pos)
			*cursor_x = cx;
		mvwaddnwstr(win, y, cx, &wc, 1);
		cx += w;
	}
	if (p->pos >= p->len)
		*cursor_x = cx < x + width ? cx : x + width - 1;
	wattrset(win, A_NORMAL);
}
