/* Roff escaping for the generated sections of ehrterm.conf(5) and ehrterm-keys(5). */
#include "config.h"

#include "util/roff.h"

void
roff_escape(FILE *out, const char *text)
{
	for (const char *p = text; *p != '\0'; p++) {
		if (*p == '\\')
			fputs("\\e", out);
		else if (*p == '-')
			fputs("\\-", out);
		else
			fputc(*p, out);
	}
}
