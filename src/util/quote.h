/* Quoting untrusted bytes for error messages: visible ASCII as it is, the rest as \xNN. */
#ifndef EHRTERM_UTIL_QUOTE_H
#define EHRTERM_UTIL_QUOTE_H

#include <stddef.h>

/*
 * LEN bytes of TEXT with every byte outside visible ASCII written as \xNN, cut
 * after MAX bytes with "..." added. Safe to print on a terminal or in a
 * "file:line: reason" message. The caller frees the result.
 */
char *quote_bytes(const char *text, size_t len, size_t max);

#endif
