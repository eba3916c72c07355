/* The connection opened behind the passphrase prompt: when it is handed over, and when not. */
#include "config.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/preconnect.h"

static int listener = -1;
static struct sockaddr_in where;
static char url[64];

static void
setup(void)
{
	socklen_t len = sizeof where;

	where.sin_family = AF_INET;
	where.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	where.sin_port = 0;
	listener = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_geq(listener, 0);
	cr_assert_eq(bind(listener, (struct sockaddr *)&where, sizeof where), 0);
	cr_assert_eq(listen(listener, 4), 0);
	cr_assert_eq(getsockname(listener, (struct sockaddr *)&where, &len), 0);
	snprintf(url, sizeof url, "https://127.0.0.1:%u/fhir", ntohs(where.sin_port));
}

static void
teardown(void)
{
	close(listener);
}

TestSuite(preconnect, .init = setup, .fini = teardown, .timeout = 10);

static struct preconnect *
connected(void)
{
	struct preconnect *p = preconnect_start(url, NULL, 5);

	cr_assert_not_null(p);
	for (int i = 0; i < 500 && !preconnect_ready(p); i++)
		usleep(10000);
	cr_assert(preconnect_ready(p), "connected to %s", url);
	return p;
}

Test(preconnect, the_socket_is_handed_once_to_the_address_it_is_connected_to)
{
	struct preconnect *p = connected();
	int peer = accept(listener, NULL, NULL), fd;
	struct sockaddr_in got;
	socklen_t len = sizeof got;
	char byte = 'x', back = 0;

	cr_assert_geq(peer, 0);
	fd = preconnect_take(p, (struct sockaddr *)&where, sizeof where, 20);
	cr_assert_geq(fd, 0, "handed over");
	cr_assert_eq(getpeername(fd, (struct sockaddr *)&got, &len), 0);
	cr_assert_eq(got.sin_port, where.sin_port, "to the server's port");
	cr_assert_eq(write(fd, &byte, 1), 1);
	cr_assert_eq(read(peer, &back, 1), 1, "the bytes reach the server");
	cr_assert_eq(back, 'x');
	cr_assert_eq(preconnect_take(p, (struct sockaddr *)&where, sizeof where, 20), -1, "once only");
	cr_assert_not(preconnect_ready(p));
	close(fd);
	close(peer);
	preconnect_free(&p);
	cr_assert_null(p);
}

Test(preconnect, another_address_or_an_old_connection_is_not_handed)
{
	struct preconnect *p = connected();
	struct sockaddr_in other = where;
	int peer = accept(listener, NULL, NULL);

	other.sin_port = htons(ntohs(where.sin_port) == 1 ? 2 : 1);
	cr_assert_eq(preconnect_take(p, (struct sockaddr *)&other, sizeof other, 20), -1,
	    "libcurl connects to another address itself");
	cr_assert(preconnect_ready(p), "still kept for the right address");
	usleep(20000);
	cr_assert_eq(preconnect_take(p, (struct sockaddr *)&where, sizeof where, 0.01), -1,
	    "a connection the server may be about to drop is not used");
	close(peer);
	preconnect_free(&p);
}

Test(preconnect, a_connection_the_server_closed_is_not_handed)
{
	struct preconnect *p = connected();
	int peer = accept(listener, NULL, NULL);

	close(peer);
	usleep(50000);
	cr_assert_eq(preconnect_take(p, (struct sockaddr *)&where, sizeof where, 20), -1,
	    "closed by the server while the passphrase was typed");
	preconnect_free(&p);
}

Test(preconnect, a_refused_connection_is_never_ready)
{
	struct preconnect *p;

	close(listener);
	listener = -1;
	p = preconnect_start(url, NULL, 5);
	cr_assert_not_null(p);
	usleep(200000);
	cr_assert_not(preconnect_ready(p));
	cr_assert_eq(preconnect_take(p, (struct sockaddr *)&where, sizeof where, 20), -1);
	preconnect_free(&p);
}

Test(preconnect, nothing_starts_for_a_proxy_another_scheme_or_no_url)
{
	cr_assert_null(preconnect_start(url, "http://proxy.example:3128", 5));
	cr_assert_null(preconnect_start("http://127.0.0.1:1/", NULL, 5));
	cr_assert_null(preconnect_start("https://", NULL, 5));
	cr_assert_null(preconnect_start(NULL, NULL, 5));
	/* Freeing nothing is fine, as every _free of the project. */
	struct preconnect *none = NULL;
	preconnect_free(&none);
}

Test(preconnect, forgetting_it_before_the_thread_ends_leaks_nothing)
{
	struct preconnect *p = preconnect_start(url, NULL, 5);

	cr_assert_not_null(p);
	preconnect_free(&p);
	usleep(100000); /* the thread ends and closes the socket it made */
}
