/* Unit tests for the profile's network options: proxy (the only proxy used) and crl_file. */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg/cfg.h"

/* A valid profile with EXTRA lines added; returns as cfg_parse(). */
static struct cfg *
parse_with(const char *extra, char **cause)
{
	char text[1024];

	snprintf(text, sizeof text,
	    "[profile a]\n"
	    "base_url = https://ehr.example\n"
	    "ca_file = /ca.pem\n"
	    "client_cert = /cert.pem\n"
	    "client_key = /key.pem\n"
	    "%s",
	    extra);
	*cause = NULL;
	return cfg_parse(text, strlen(text), "t", cause);
}

Test(cfg_proxy, unset_means_no_proxy_and_no_crl)
{
	char *cause;
	struct cfg *cfg = parse_with("", &cause);

	cr_assert_not_null(cfg, "%s", cause);
	cr_assert_null(cfg_profile_at(cfg, 0)->proxy);
	cr_assert_null(cfg_profile_at(cfg, 0)->crl_file);
	cfg_free(&cfg);
}

Test(cfg_proxy, proxies_libcurl_speaks_are_kept_as_written)
{
	static const char *const ok[] = {
	    "http://127.0.0.1:3128",
	    "https://proxy.clinic.example:8443",
	    "socks5h://[::1]:1080",
	    "socks5://gw",
	    "HTTP://Proxy:80/",
	};

	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		char line[256], *cause;
		struct cfg *cfg;

		snprintf(line, sizeof line, "proxy = %s\n", ok[i]);
		cfg = parse_with(line, &cause);
		cr_assert_not_null(cfg, "%s: %s", ok[i], cause);
		cr_assert_str_eq(cfg_profile_at(cfg, 0)->proxy, ok[i]);
		cfg_free(&cfg);
	}
}

Test(cfg_proxy, other_proxies_are_refused_with_the_reason)
{
	static const char *const bad[][2] = {
	    {"ftp://h:21", "is not an http://"},
	    {"127.0.0.1:3128", "is not an http://"},
	    {"http://user:pw@h:3128", "user name or password"},
	    {"http://h:3128/path", "has a path"},
	    {"http://h:3128/?x=1", "query or fragment"},
	    {"http://:3128", ""},
	    {"http://h:0", "port 0"},
	    {"http://h x:1", "space"},
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char line[256], *cause;
		struct cfg *cfg;

		snprintf(line, sizeof line, "proxy = %s\n", bad[i][0]);
		cfg = parse_with(line, &cause);
		cr_assert_null(cfg, "%s was accepted", bad[i][0]);
		cr_assert(strstr(cause, "proxy") != NULL && strstr(cause, bad[i][1]) != NULL,
		    "%s: %s", bad[i][0], cause);
		free(cause);
	}
}

Test(cfg_proxy, crl_file_is_a_path)
{
	char *cause;
	struct cfg *cfg;

	setenv("HOME", "/home/tester", 1);
	cfg = parse_with("crl_file = ~/crl.pem\n", &cause);
	cr_assert_not_null(cfg, "%s", cause);
	cr_assert_str_eq(cfg_profile_at(cfg, 0)->crl_file, "/home/tester/crl.pem");
	cfg_free(&cfg);
	cfg = parse_with("crl_file = crl.pem\n", &cause);
	cr_assert_null(cfg);
	free(cause);
}
