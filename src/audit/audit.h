/* The local audit trail: one line per login, lock, view or change of a record, in a 0600 file. */
#ifndef EHRTERM_AUDIT_AUDIT_H
#define EHRTERM_AUDIT_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The file ($XDG_STATE_HOME/ehrterm/audit.log, else ~/.local/state/ehrterm/audit.log)
 * holds one line per event, fields separated by one tab, in this order (as a C string):
 *
 *   "2026-11-28T17:23:31Z\tpid=4242\tuser=frontdesk\tprofile=sandbox\taction=view"
 *   "\tresource=Patient/123\n"
 *
 *   line     = time TAB "pid=" 1*DIGIT TAB "user=" value TAB "profile=" value
 *              TAB "action=" action [TAB "resource=" value ["/" value] / list]
 *              [TAB "note=" note *("," note)] LF
 *   list     = TAB "resource=" value TAB "ids=" id *("," id)
 *              [TAB "part=" 1*DIGIT "/" 1*DIGIT]
 *   time     = UTC, "YYYY-MM-DDThh:mm:ssZ", the time the line was written
 *   action   = one of the words listed at audit_log
 *   value    = *(%x21-2E / %x30-3C / %x3E-5B / %x5D-7E / "\x" 2HEXDIG)
 *   id       = *(%x21-2B / %x2D-2E / %x30-3C / %x3E-5B / %x5D-7E / "\x" 2HEXDIG)
 *   note     = "user-cut" / "profile-cut" / "type-invalid" / "type-cut"
 *              / "id-invalid" / "id-cut"
 *
 * A value holds the visible ASCII bytes; every other byte is written as \xNN (two hex
 * digits, lowercase): space, tab, CR, LF, control bytes, all bytes from 0x80 up (so UTF-8,
 * valid or not, and C1 controls such as 0x9b), and the three bytes the format itself
 * uses: '\', '=' and '/'. So no text from a certificate or a server can end a line,
 * start a field, or look like "key=value" to grep; and with no space left in a line,
 * awk and cut split it the same way. Reading a value back: replace each \xNN by its
 * byte.
 *
 * pid tells apart two ehrterm processes on one account. user is the CN of the
 * client certificate, cut after AUDIT_USER_MAX bytes (note user-cut); profile is
 * cut after AUDIT_FIELD_MAX (profile-cut). resource is the FHIR type and id, as in a
 * FHIR reference. A type that is not [A-Z][A-Za-z]{0,63} gets note type-invalid, an
 * id that is not a FHIR id ([A-Za-z0-9.-]{1,64}) gets id-invalid; either is cut after
 * AUDIT_FIELD_MAX bytes (type-cut, id-cut). Nothing else is written: no names, no
 * search terms, no clinical content. Callers pass only a type and an id.
 *
 * Each line is written with one write(2) of at most AUDIT_LINE_MAX bytes (less than
 * PIPE_BUF) on a descriptor opened with O_APPEND, so lines from several ehrterm
 * processes sharing the file never mix within a line (on a local file system; NFS
 * does not promise atomic appends). Each line is on disk (fdatasync; and the
 * directory, when the file or a directory was just made) before audit_log returns,
 * so an action the user sees as done stays recorded if the machine then loses
 * power. That costs one disk flush per event: a fraction of a millisecond on an
 * SSD, some milliseconds on a spinning disk or an SD card, less than the network
 * round trip the event itself takes, and events come at the pace of a person.
 *
 * A list (audit_log_ids) is one screen that showed several records of one type (a
 * schedule's patients): resource is the type alone and ids the records' ids, each
 * once, in the order shown, escaped as a value is and ',' too (\x2c), so a hostile
 * id cannot look like two. When the ids do not fit one line they go on several, all
 * with the same time, and part=K/N says this is line K of the N that make the list;
 * a list on one line has no part field. The notes id-invalid and id-cut say that
 * some id on that line is invalid or was cut.
 *
 * A line that does not match the grammar is damaged: a write cut short (a full disk),
 * after which this process ends the fragment with TAB "torn" LF before its next line.
 *
 * The file is as trustworthy as the account that owns it: it guards against
 * mistakes, other users and hostile data, not against the user editing it. The
 * optional FHIR AuditEvent (the profile's audit_server) is the copy the user cannot
 * change.
 */

/* Bytes kept of the user name (a CN may hold 64 characters, up to 4 bytes each). */
#define AUDIT_USER_MAX 256
/* Bytes kept of the profile name, the resource type and the resource id. */
#define AUDIT_FIELD_MAX 64
/* No line is longer; audit.c checks that the fields' bounds add up to less. */
#define AUDIT_LINE_MAX 2048

struct audit;

/*
 * The default log path from XDG_STATE_HOME or HOME. Returns a string the caller
 * frees, or NULL with *cause set when neither is an absolute path.
 */
char *audit_default_path(char **cause);

/*
 * Open (creating it and its directories) the audit log at PATH, or at the default
 * path when PATH is NULL. Directories made are mode 0700 and the file 0600, never
 * more open whatever the umask. A file that is a symbolic link, not a regular file,
 * not owned by the user, or open to group or others is refused with a sentence
 * saying how to fix it. USER (the certificate's CN) and PROFILE are copied; both
 * must be non-empty. Returns the log, or NULL with *cause set to a sentence the
 * caller frees.
 */
struct audit *audit_open(const char *path, const char *user, const char *profile, char **cause);

/*
 * Append one line for ACTION on RESOURCE_TYPE/RESOURCE_ID and flush it to disk.
 * ACTION must be one of the words in the table in audit.c, with the resource it
 * needs:
 *   login, login-failed, logout, lock, unlock, unlock-failed, server-full: no
 *   resource (both NULL); server-full: the profile's audit_server copy is full, and
 *   events from here on are not sent until the server takes what waits;
 *   search, create, book: a type, an id if known;
 *   view, update, delete, cancel, reschedule, no-show, check-in, check-out, room,
 *   export: a type and an id. export is a record's content leaving ehrterm (a
 *   CMS-1500 printed), written before it is sent.
 * An unknown action or a wrong resource is a programming error, refused like a
 * failed write so a test finds it.
 *
 * Returns 0 once the line is on disk, or -1 with *cause set (the caller frees it)
 * when it could not be written or flushed: full disk, quota, I/O error, a wrong
 * action. The event may then have no record, and the caller must act on that: an
 * EHR must not go on silently without its audit trail. The caller decides how,
 * typically by showing the sentence and not showing the patient data, or not
 * reporting the change as done; audit_log may be tried again on the same log.
 */
int audit_log(struct audit *audit, const char *action, const char *resource_type,
    const char *resource_id, char **cause);

/*
 * Append the line, or lines, for ACTION on the N records of RESOURCE_TYPE whose ids
 * are IDS (the "list" of the grammar above): one screen view that shows several
 * records. Only "view" takes a list. A repeated id is written once; N == 0 writes
 * nothing. Each line is written and flushed as audit_log's; returns 0 once all are
 * on disk, or -1 with *cause set as audit_log (the lines before a failed one stay
 * written). A NULL type or id, or an action that names one record, is refused as a
 * bug.
 */
int audit_log_ids(struct audit *audit, const char *action, const char *resource_type,
    const char *const *ids, size_t n, char **cause);

/* Whether ACTION is in the table of actions audit_log takes. */
bool audit_action_known(const char *action);

/* The name of action I of the table, or NULL past its end; for tests and documentation. */
const char *audit_action_name(size_t i);

/*
 * From the next line on, USER is who acts (a SMART login's fhirUser, "Practitioner/123",
 * rather than the certificate's CN), escaped and cut as audit_open's. NULL or "" changes
 * nothing.
 */
void audit_set_user(struct audit *a, const char *user);

/* The path the log was opened at; borrowed, valid until audit_close. */
const char *audit_path(const struct audit *audit);

/* Close the log and set *AUDITP to NULL; NULL or a NULL *AUDITP is fine. */
void audit_close(struct audit **auditp);

#endif
