/* Random (version 4) UUIDs from the kernel's generator. */
#include "config.h"

#include "util/uuid.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

void
uuid_v4(char *buf)
{
	unsigned char b[16];
	size_t got = 0;

	while (got < sizeof b) {
		ssize_t n = getrandom(b + got, sizeof b - got, 0);

		/* The kernel's generator does not run dry: failing here is a broken system. */
		if (n < 0)
			abort();
		got += (size_t)n;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(buf, UUID_BUF_SIZE,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
	    b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}
