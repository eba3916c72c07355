/* Lines of text a widget holds (the pager's page, a dialog's details), each owned. */
#ifndef EHRTERM_UI_LINES_H
#define EHRTERM_UI_LINES_H

#include <stdarg.h>
#include <stddef.h>

struct ui_lines {
	char **v; /* may hold anything: drawn through ui_put */
	size_t n, cap;
};

/* Add a copy of LINE (NULL adds an empty line). */
void ui_lines_add(struct ui_lines *l, const char *line);
void ui_lines_vaddf(struct ui_lines *l, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Free every line; L is empty and usable again. */
void ui_lines_clear(struct ui_lines *l);

#endif
