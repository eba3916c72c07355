/* Random (version 4) UUIDs: the request identifiers that make a retried create find its first copy. */
#ifndef EHRTERM_UTIL_UUID_H
#define EHRTERM_UTIL_UUID_H

#include <stddef.h>

/* "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" and its NUL. */
#define UUID_BUF_SIZE 37

/* Write a random version 4 UUID, lower case, into BUF (at least UUID_BUF_SIZE bytes). */
void uuid_v4(char *buf);

#endif
