/* Test only: failure injection for the HTTP layer. Nothing but tests/unit includes this. */
#ifndef EHRTERM_NET_HTTP_TEST_H
#define EHRTERM_NET_HTTP_TEST_H

/* The libcurl calls that can be made to fail. */
enum http_fault {
	HTTP_FAULT_EASY_INIT, /* curl_easy_init returns NULL */
	HTTP_FAULT_MULTI_ADD, /* curl_multi_add_handle refuses the handle */
	HTTP_FAULT_COUNT
};

/*
 * Make the Nth call from now of WHAT fail, once (1: the next one); 0 disarms it.
 * Compiled into the program, but only tests call it: the counters start at 0.
 */
void http_test_fail_nth(enum http_fault what, unsigned n);

#endif
