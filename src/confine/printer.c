/* The print helper: see printer.h for why it exists and what it may run. */
#include "config.h"

#include "confine/printer.h"
#include "cfg/cfg.h"
#include "util/xmalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define PRINTER_NAME_MAX 256
#define PRINTER_MESSAGE_MAX 200

struct printer {
	int fd;
	pid_t pid;
};

/* All LEN bytes, or -1. */
static int
read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == ENOTSOCK)
			n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Run ARGV with TEXT on its input; the sentence of how it ended into MSG. */
static int
run(char **argv, const char *text, size_t len, char *msg, size_t size)
{
	int in[2], status;
	pid_t pid;

	if (pipe(in) != 0) {
		snprintf(msg, size, "no pipe for %s: %s", argv[0], strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(msg, size, "%s could not be started: %s", argv[0], strerror(errno));
		close(in[0]);
		close(in[1]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		/* Its output would land on the screen ehrterm draws. */
		dup2(in[0], 0);
		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		close(in[0]);
		close(in[1]);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	/* A command that stops reading early gets EPIPE here, not the helper a signal. */
	(void)write_all(in[1], text, len);
	close(in[1]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(msg, size, "%s: %s", argv[0], strerror(errno));
			return -1;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		snprintf(msg, size, "%s could not be run", argv[0]);
	else if (WIFEXITED(status))
		snprintf(msg, size, "%s exited with status %d", argv[0], WEXITSTATUS(status));
	else
		snprintf(msg, size, "%s ended by signal %d", argv[0],
		    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return -1;
}

/* One request: name and text in, status and sentence out. -1 when the socket is gone. */
static int
serve_one(int fd, const struct cfg *cfg)
{
	uint32_t nlen, tlen, mlen;
	int32_t rc = -1;
	char name[PRINTER_NAME_MAX + 1], msg[PRINTER_MESSAGE_MAX] = "", *text, *why = NULL, **argv;
	const struct cfg_profile *profile;

	if (read_all(fd, &nlen, sizeof nlen) != 0 || nlen > PRINTER_NAME_MAX ||
	    read_all(fd, name, nlen) != 0 || read_all(fd, &tlen, sizeof tlen) != 0 ||
	    tlen > PRINTER_TEXT_MAX)
		return -1;
	name[nlen] = '\0';
	text = xmalloc(tlen + 1);
	if (read_all(fd, text, tlen) != 0) {
		free(text);
		return -1;
	}
	if ((profile = cfg_profile(cfg, name, &why)) == NULL ||
	    cfg_command_split(profile->print_command, &argv, &why) != 0) {
		snprintf(msg, sizeof msg, "print_command: %s", why != NULL ? why : "no profile");
		free(why);
	} else {
		rc = run(argv, text, tlen, msg, sizeof msg);
		cfg_command_free(argv);
	}
	free(text);
	mlen = (uint32_t)strlen(msg);
	if (write_all(fd, &rc, sizeof rc) != 0 || write_all(fd, &mlen, sizeof mlen) != 0 ||
	    write_all(fd, msg, mlen) != 0)
		return -1;
	return 0;
}

static void
helper(int fd, const struct cfg *cfg)
{
	long maxfd = sysconf(_SC_OPEN_MAX);

	/* It outlives nothing: ehrterm gone, the socket reads end of file, or this signal. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGTSTP, SIG_IGN);
	/* Nothing the parent opened is the helper's, the terminal least of all. */
	for (long k = 0; k < (maxfd > 0 && maxfd < 65536 ? maxfd : 1024); k++)
		if (k != fd)
			close((int)k);
	/* 0, 1, 2 on /dev/null: a descriptor the helper opens is never taken for one of them. */
	if (open("/dev/null", O_RDWR) != 0 || dup(0) != 1 || dup(0) != 2)
		_exit(1);
	while (serve_one(fd, cfg) == 0)
		;
	_exit(0);
}

struct printer *
printer_start(const struct cfg *cfg, char **cause)
{
	int sv[2];
	pid_t pid;
	struct printer *p;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		*cause = xasprintf("no socket for the print helper: %s", strerror(errno));
		return NULL;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		*cause = xasprintf("the print helper could not start: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return NULL;
	}
	if (pid == 0) {
		close(sv[0]);
		helper(sv[1], cfg);
	}
	close(sv[1]);
	p = xcalloc(1, sizeof *p);
	p->fd = sv[0];
	p->pid = pid;
	return p;
}

int
printer_print(struct printer *p, const char *profile, const char *text, size_t len, char **cause)
{
	uint32_t nlen = (uint32_t)strlen(profile), tlen = (uint32_t)len, mlen;
	int32_t rc;
	char msg[PRINTER_MESSAGE_MAX + 1];
	struct pollfd pfd;
	int ready;

	if (p == NULL || p->fd < 0) {
		*cause = xstrdup("the print helper is not running");
		return -1;
	}
	if (nlen > PRINTER_NAME_MAX || len > PRINTER_TEXT_MAX) {
		*cause = xstrdup("too much to print");
		return -1;
	}
	if (write_all(p->fd, &nlen, sizeof nlen) != 0 || write_all(p->fd, profile, nlen) != 0 ||
	    write_all(p->fd, &tlen, sizeof tlen) != 0 || write_all(p->fd, text, len) != 0)
		goto gone;
	pfd = (struct pollfd){ .fd = p->fd, .events = POLLIN };
	while ((ready = poll(&pfd, 1, PRINTER_WAIT_MS)) < 0 && errno == EINTR)
		;
	if (ready == 0) {
		/* Its late answer would be taken for the next print's: no more printing. */
		close(p->fd);
		p->fd = -1;
		*cause = xstrdup("the print command did not finish in time; printing is off "
				 "until ehrterm starts again");
		return -1;
	}
	if (ready < 0 || read_all(p->fd, &rc, sizeof rc) != 0 ||
	    read_all(p->fd, &mlen, sizeof mlen) != 0 || mlen > PRINTER_MESSAGE_MAX ||
	    read_all(p->fd, msg, mlen) != 0)
		goto gone;
	msg[mlen] = '\0';
	if (rc != 0) {
		*cause = xstrdup(msg[0] != '\0' ? msg : "the print command failed");
		return -1;
	}
	return 0;
gone:
	close(p->fd);
	p->fd = -1;
	*cause = xstrdup("the print helper has stopped");
	return -1;
}

void
printer_stop(struct printer **pp)
{
	struct printer *p = *pp;

	if (p == NULL)
		return;
	if (p->fd >= 0)
		close(p->fd);
	waitpid(p->pid, NULL, 0);
	free(p);
	*pp = NULL;
}
