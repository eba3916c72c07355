/*
 * The server's TCP connection, opened while the user types the key's passphrase.
 *
 * The TLS handshake needs the client key, so it waits for the passphrase; the TCP
 * handshake does not. On a 600 ms link that is a round trip the first request no longer
 * pays: the connection is up when home is drawn. Only without a proxy (the round trip
 * that matters is the proxy's to the server, after CONNECT, which carries the host name).
 *
 * The name is resolved and the connection made in a thread of its own, so a slow DNS
 * server never stalls the prompt. The HTTP layer takes the socket for its first
 * connection (http_options.preconnect) when it is to the address libcurl would use, still
 * open and young; otherwise libcurl connects as it always does.
 */
#ifndef EHRTERM_NET_PRECONNECT_H
#define EHRTERM_NET_PRECONNECT_H

#include <stdbool.h>
#include <sys/socket.h>

struct preconnect;

/*
 * Start connecting to URL's host and port (https only), within TIMEOUT_S seconds. NULL
 * when there is nothing to do: a proxy, another scheme, a URL that does not parse, or
 * no thread could start. Never blocks.
 */
struct preconnect *preconnect_start(const char *url, const char *proxy, long timeout_s);

/*
 * The connected socket, once, when it is to ADDR (LEN bytes), still open and at most
 * max_age_s old; -1 otherwise (not yet connected, failed, closed by the server, another
 * address, or taken). The caller owns a socket it is given.
 */
int preconnect_take(struct preconnect *p, const struct sockaddr *addr, socklen_t len, double max_age_s);

/* Whether the connection is made (for tests and --check); false before and after failing. */
bool preconnect_ready(struct preconnect *p);

/* Forget P; a socket not taken is closed, now or when the thread ends. P is set to NULL. */
void preconnect_free(struct preconnect **p);

#endif
