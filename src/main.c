/* ehrterm: command line, process hardening, and hand-off to the application. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <ncurses.h>

static void
usage(FILE *out)
{
	fprintf(out,
	    "Usage: %s [OPTION]...\n"
	    "A keyboard-first clinic workstation for the terminal, talking FHIR R4\n"
	    "over HTTPS with mutual TLS.\n"
	    "\n"
	    "  -h, --help       show this help and exit\n"
	    "  -V, --version    show the version and the libraries in use, and exit\n"
	    "\n"
	    "See ehrterm(1) for the full manual.\n",
	    PACKAGE);
}

static void
version(void)
{
	const curl_version_info_data *curl = curl_version_info(CURLVERSION_NOW);

	printf("%s %s\n", PACKAGE, PACKAGE_VERSION);
	printf("libcurl %s (%s), %s\n", curl->version,
	    curl->ssl_version ? curl->ssl_version : "no TLS", curses_version());
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case 'V':
			version();
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", PACKAGE, argv[optind]);
		usage(stderr);
		return 2;
	}
	fprintf(stderr, "%s: nothing to do yet; see --help\n", PACKAGE);
	return 2;
}
