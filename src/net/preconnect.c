/* The server's TCP connection, opened behind the passphrase prompt (see preconnect.h). */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net/preconnect.h"
#include "util/xmalloc.h"

/*
 * Shared by the thread and the caller, freed by whichever lets go last: the caller may
 * give up (a wrong passphrase, quit) while the thread still waits for DNS or the server.
 */
struct preconnect {
	pthread_mutex_t lock;
	unsigned refs;
	char *host, *port;
	long timeout_s;
	bool done; /* the thread has finished, connected or not */
	int fd;	   /* connected and not yet taken, or -1 */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	double connected; /* monotonic seconds */
};

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
release(struct preconnect *p)
{
	bool last;

	pthread_mutex_lock(&p->lock);
	last = --p->refs == 0;
	pthread_mutex_unlock(&p->lock);
	if (!last)
		return;
	if (p->fd >= 0)
		close(p->fd);
	pthread_mutex_destroy(&p->lock);
	free(p->host);
	free(p->port);
	free(p);
}

/* A socket connected to AI within TIMEOUT_S seconds, or -1. */
static int
connect_one(const struct addrinfo *ai, long timeout_s)
{
	struct pollfd pfd;
	int fd, err = 0;
	socklen_t len = sizeof err;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
	if (fd < 0)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS)
		goto fail;
	pfd.fd = fd;
	pfd.events = POLLOUT;
	for (;;) {
		int n = poll(&pfd, 1, (int)(timeout_s * 1000));

		if (n > 0)
			break;
		if (n == 0 || errno != EINTR)
			goto fail;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0)
		return fd;
fail:
	close(fd);
	return -1;
}

/* Resolve, then try each address in the resolver's order, as libcurl would. */
static void *
run(void *arg)
{
	struct preconnect *p = arg;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG }, *res = NULL;
	int fd = -1;

	if (getaddrinfo(p->host, p->port, &hints, &res) == 0) {
		for (const struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
			if (ai->ai_addrlen > sizeof p->addr)
				continue;
			if ((fd = connect_one(ai, p->timeout_s)) >= 0) {
				memcpy(&p->addr, ai->ai_addr, ai->ai_addrlen);
				p->addrlen = ai->ai_addrlen;
			}
		}
		freeaddrinfo(res);
	}
	pthread_mutex_lock(&p->lock);
	p->fd = fd;
	p->connected = now_seconds();
	p->done = true;
	pthread_mutex_unlock(&p->lock);
	release(p);
	return NULL;
}

struct preconnect *
preconnect_start(const char *url, const char *proxy, long timeout_s)
{
	struct preconnect *p;
	CURLU *u;
	char *scheme = NULL, *host = NULL, *port = NULL;
	pthread_attr_t attr;
	pthread_t thread;
	bool ok;

	if (url == NULL || (proxy != NULL && *proxy != '\0'))
		return NULL;
	if ((u = curl_url()) == NULL)
		return NULL;
	ok = curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    strcmp(scheme, "https") == 0 &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK;
	curl_url_cleanup(u);
	p = NULL;
	if (ok) {
		p = xcalloc(1, sizeof *p);
		/* "[::1]" is the URL's spelling; the resolver wants the address alone. */
		if (host[0] == '[' && host[strlen(host) - 1] == ']')
			p->host = xstrndup(host + 1, strlen(host) - 2);
		else
			p->host = xstrdup(host);
		p->port = xstrdup(port);
		p->timeout_s = timeout_s > 0 ? timeout_s : 30;
		p->fd = -1;
		p->refs = 2; /* the caller's and the thread's */
		pthread_mutex_init(&p->lock, NULL);
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	if (p == NULL)
		return NULL;
	ok = pthread_attr_init(&attr) == 0;
	ok = ok && pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0 &&
	    pthread_create(&thread, &attr, run, p) == 0;
	pthread_attr_destroy(&attr);
	if (!ok) {
		p->refs = 1;
		release(p);
		return NULL;
	}
	return p;
}

/* Whether the peer has closed FD or sent something (a TLS client speaks first). */
static bool
still_open(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLRDHUP };

	return poll(&pfd, 1, 0) == 0;
}

int
preconnect_take(struct preconnect *p, const struct sockaddr *addr, socklen_t len, double max_age_s)
{
	int fd = -1;

	if (p == NULL || addr == NULL)
		return -1;
	pthread_mutex_lock(&p->lock);
	if (p->done && p->fd >= 0 && len == p->addrlen && memcmp(addr, &p->addr, len) == 0) {
		fd = p->fd;
		p->fd = -1;
	}
	pthread_mutex_unlock(&p->lock);
	if (fd >= 0 && (now_seconds() - p->connected > max_age_s || !still_open(fd))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

bool
preconnect_ready(struct preconnect *p)
{
	bool ready;

	if (p == NULL)
		return false;
	pthread_mutex_lock(&p->lock);
	ready = p->done && p->fd >= 0;
	pthread_mutex_unlock(&p->lock);
	return ready;
}

void
preconnect_free(struct preconnect **pp)
{
	if (*pp == NULL)
		return;
	release(*pp);
	*pp = NULL;
}
