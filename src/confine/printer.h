/*
 * The print helper: the one process of a session that may still run a program.
 *
 * Once logged in, ehrterm cannot execve (src/confine). Printing a CMS-1500 runs the
 * profile's print_command, so a small helper is forked at start-up, before the
 * passphrase is asked, the key is read or anything is confined: it holds no secret
 * and nothing of the server's, only the configuration. It waits on a socket for a
 * request (a profile's name and the text), runs that profile's print_command (split
 * by cfg_command_split, no shell, found on PATH) with the text on its standard input
 * through a pipe (no temporary file: nothing reaches the disk here), and answers with
 * how it ended. A confined process that is taken over can thus run only the print
 * commands the configuration names, with text on their input, never a program of its
 * own choosing. The helper leaves when ehrterm does (end of file on its socket).
 */
#ifndef EHRTERM_CONFINE_PRINTER_H
#define EHRTERM_CONFINE_PRINTER_H

#include <stddef.h>

struct cfg;
struct printer;

/* The most a print sends: a claim's forms are a few kilobytes. */
#define PRINTER_TEXT_MAX (1024 * 1024)
/* How long a print command may take before the workstation stops waiting for it. */
#define PRINTER_WAIT_MS 30000

/* Fork the helper for CFG (which must outlive it). NULL with *CAUSE when it cannot start. */
struct printer *printer_start(const struct cfg *cfg, char **cause);
/*
 * Run PROFILE's print_command with TEXT (LEN bytes) on its standard input and wait for
 * it. 0 when it exited with status 0, else -1 with *CAUSE ("lp exited with status 1").
 */
int printer_print(struct printer *p, const char *profile, const char *text, size_t len,
    char **cause);
/* Close the socket (the helper then leaves) and free P. */
void printer_stop(struct printer **p);

#endif
