/* Durations as people write them in config files: "90s", "10m", "1h", "1h30m". */
#ifndef EHRTERM_UTIL_DURATION_H
#define EHRTERM_UTIL_DURATION_H

/*
 * Parse TEXT into whole seconds. A bare number is seconds. Units s, m, h may be
 * combined largest first ("1h30m"). Returns 0, or -1 with *cause set to a
 * sentence the caller frees.
 */
int duration_parse(const char *text, long *seconds, char **cause);

/* Format SECONDS the way duration_parse reads it, into BUF ("10m", "1h30m"). */
void duration_format(long seconds, char *buf, unsigned long size);

#endif
