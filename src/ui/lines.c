/* Lines of text a widget holds: one growable array for the pager and the dialog. */
#include "config.h"

#include "ui/lines.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
ui_lines_add(struct ui_lines *l, const char *line)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	l->v[l->n++] = xstrdup(line != NULL ? line : "");
}

void
ui_lines_vaddf(struct ui_lines *l, const char *fmt, va_list ap)
{
	char *line;

	if (vasprintf(&line, fmt, ap) < 0)
		line = NULL;
	ui_lines_add(l, line);
	free(line);
}

void
ui_lines_clear(struct ui_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}
