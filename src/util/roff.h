/* Text for the man pages ehrterm writes from its tables (options, actions). */
#ifndef EHRTERM_UTIL_ROFF_H
#define EHRTERM_UTIL_ROFF_H

#include <stdio.h>

/* Write TEXT as roff text inside a line: backslashes and hyphens escaped. */
void roff_escape(FILE *out, const char *text);

#endif
