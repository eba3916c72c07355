/* The profile's audit_server in the app, without a screen or a server: what is queued, and a full
 * queue. */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app-private.h"
#include "app/relay.h"

static char dir[256], path[300];
static struct cfg_profile profile;
static struct session session;
static struct app app;

static void
setup(const char *audit_server)
{
	char *cause = NULL;

	snprintf(dir, sizeof dir, "%s/ehrterm-auditsrv-XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/audit.log", dir);
	memset(&app, 0, sizeof app);
	profile = (struct cfg_profile){.name = "sandbox", .audit_server = audit_server};
	session = (struct session){.user = "frontdesk"};
	app.profile = &profile;
	app.session = &session;
	app.workstation = "desk-3";
	app.audit = audit_open(path, "frontdesk", "sandbox", &cause);
	cr_assert_not_null(app.audit, "%s", cause ? cause : "");
}

static void
teardown(void)
{
	app_server_audit_close(&app);
	while (app.timers != NULL) {
		struct timer *t = app.timers;

		app.timers = t->next;
		free(t);
	}
	audit_close(&app.audit);
	free(app.status);
	unlink(path);
	rmdir(dir);
}

/* How many lines of the local trail hold TEXT. */
static int
lines_with(const char *text)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	int n = 0;

	cr_assert_not_null(f);
	while (fgets(line, sizeof line, f) != NULL)
		n += strstr(line, text) != NULL;
	fclose(f);
	return n;
}

Test(audit_server, off_by_default_nothing_is_queued)
{
	setup("no");
	cr_assert_eq(app_audit(&app, "view", "Patient", "1"), 0);
	cr_assert_null(app.audit_server);
	cr_assert_null(app.timers, "nothing to send, nothing due");
	teardown();
}

Test(audit_server, each_event_the_local_trail_takes_is_queued_and_a_send_is_due)
{
	static const char *const ids[] = {"1", "2"};

	setup("yes");
	cr_assert_eq(app_audit(&app, "login", NULL, NULL), 0);
	cr_assert_eq(app_audit(&app, "view", "Patient", "1"), 0);
	cr_assert_eq(app_audit_ids(&app, "view", "Patient", ids, 2), 0);
	cr_assert_not_null(app.audit_server);
	cr_assert_eq(app_server_audit_queued(&app), 3);
	cr_assert_not_null(app.timers, "the batch is due on a timer");
	cr_assert_null(app.timers->next, "one timer for the three: they go in one batch");
	/* A line the local trail refuses is not sent either: the event did not happen. */
	cr_assert_neq(app_audit(&app, "veiw", "Patient", "1"), 0);
	cr_assert_eq(app_server_audit_queued(&app), 3);
	teardown();
}

Test(audit_server, a_full_queue_says_so_once_on_the_status_line_and_in_the_local_trail)
{
	setup("yes");
	/* The real one holds RELAY_CAPACITY; ten fill as well and take less disk flushing. */
	app_server_audit_start(&app, 10);
	for (int i = 0; i < 10; i++)
		cr_assert_eq(app_audit(&app, "view", "Patient", "1"), 0);
	cr_assert_null(app.status, "%s", app.status);
	cr_assert_eq(lines_with("action=server-full"), 0);
	/* The server has taken nothing (there is none here): the next event is not queued. */
	cr_assert_eq(app_audit(&app, "view", "Patient", "2"), 0, "the local trail still takes it");
	cr_assert_not_null(app.status);
	cr_assert(app.status_error);
	cr_assert_not_null(strstr(app.status, "only in the local trail"), "%s", app.status);
	cr_assert_eq(lines_with("action=server-full"), 1);
	cr_assert_eq(lines_with("resource=Patient/2"), 1);
	free(app.status);
	app.status = NULL;
	cr_assert_eq(app_audit(&app, "view", "Patient", "3"), 0);
	cr_assert_null(app.status, "said once, not at every event");
	cr_assert_eq(lines_with("action=server-full"), 1);
	cr_assert_eq(app_server_audit_queued(&app), 10);
	teardown();
}
