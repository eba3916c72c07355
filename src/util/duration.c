/* Parsing and printing durations for config options such as idle_lock and timeout. */
#include "config.h"

#include "util/duration.h"
#include "util/xmalloc.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>

/* A week is far beyond any timeout we take; the cap keeps arithmetic in range. */
#define DURATION_MAX (7L * 24 * 3600)

int
duration_parse(const char *text, long *seconds, char **cause)
{
	static const struct {
		char unit;
		long scale;
	} units[] = { { 'h', 3600 }, { 'm', 60 }, { 's', 1 } };
	const char *p = text;
	long total = 0;
	size_t next_unit = 0;

	if (text == NULL || *text == '\0') {
		*cause = xstrdup("empty duration; write for example 90s, 10m or 1h");
		return -1;
	}
	while (*p != '\0') {
		long n = 0;
		size_t u;

		if (!isdigit((unsigned char)*p))
			goto bad;
		while (isdigit((unsigned char)*p)) {
			n = n * 10 + (*p++ - '0');
			if (n > DURATION_MAX)
				goto too_long;
		}
		if (*p == '\0') {
			/* A bare number is seconds, and only when it stands alone. */
			if (next_unit == 0 && p != text && total == 0) {
				total = n;
				break;
			}
			goto bad;
		}
		for (u = next_unit; u < sizeof units / sizeof units[0]; u++)
			if (units[u].unit == *p)
				break;
		if (u == sizeof units / sizeof units[0])
			goto bad;
		total += n * units[u].scale;
		if (total > DURATION_MAX)
			goto too_long;
		next_unit = u + 1;
		p++;
	}
	*seconds = total;
	return 0;

bad:
	*cause = xasprintf("'%.40s' is not a duration; write for example 90s, 10m or 1h30m", text);
	return -1;
too_long:
	*cause = xasprintf("'%.40s' is longer than a week", text);
	return -1;
}

void
duration_format(long seconds, char *buf, unsigned long size)
{
	long h = seconds / 3600, m = seconds % 3600 / 60, s = seconds % 60;
	int n = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	if (seconds <= 0) {
		snprintf(buf, size, "0s");
		return;
	}
	if (h > 0 && (size_t)n < size)
		n += snprintf(buf + n, size - n, "%ldh", h);
	if (m > 0 && (size_t)n < size)
		n += snprintf(buf + n, size - n, "%ldm", m);
	if (s > 0 && (size_t)n < size)
		snprintf(buf + n, size - n, "%lds", s);
}
