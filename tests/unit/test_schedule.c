/* Unit tests for the scheduling layer: instants, a day's rows, and the plans that book and change. */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fhir/plan.h"
#include "fhir/schedule.h"
#include "util/xmalloc.h"

static void
utc(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
}

TestSuite(schedule, .init = utc);

static struct fhir_client *
client(void)
{
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);

	cr_assert_not_null(fc, "%s", cause);
	return fc;
}

static cJSON *
json(const char *text)
{
	cJSON *j = cJSON_Parse(text);

	cr_assert_not_null(j, "fixture does not parse: %s", text);
	return j;
}

/* --- instants ---------------------------------------------------------------------- */

struct instant_case {
	char text[48];
	int ok;
	int y, mo, d, h, mi, s;
};

ParameterizedTestParameters(schedule, instants)
{
	static struct instant_case cases[] = {
	    {"2026-11-28T08:15:00Z", 1, 2026, 11, 28, 8, 15, 0},
	    {"2026-11-28T08:15:00+00:00", 1, 2026, 11, 28, 8, 15, 0},
	    {"2026-11-28T08:15:00-05:00", 1, 2026, 11, 28, 13, 15, 0},
	    {"2026-11-28T23:30:00-05:00", 1, 2026, 11, 29, 4, 30, 0},
	    {"2026-03-01T00:30:00+01:00", 1, 2026, 2, 28, 23, 30, 0},
	    {"2026-11-28T08:15:00.123Z", 1, 2026, 11, 28, 8, 15, 0},
	    {"2026-11-28T08:15:59+14:00", 1, 2026, 11, 27, 18, 15, 59},
	    {"2026-11-28T08:15Z", 0, 0, 0, 0, 0, 0, 0},
	    {"2026-11-28T08:15:00", 0, 0, 0, 0, 0, 0, 0},
	    {"2026-11-28", 0, 0, 0, 0, 0, 0, 0},
	    {"2026-11-28T08:15:00+0500", 0, 0, 0, 0, 0, 0, 0},
	    {"2026-11-28T08:15:00+15:00", 0, 0, 0, 0, 0, 0, 0},
	    {"2026-11-28T08:15:00Zjunk", 0, 0, 0, 0, 0, 0, 0},
	    {"2026-13-28T08:15:00Z", 0, 0, 0, 0, 0, 0, 0},
	    {"2026-02-30T08:15:00Z", 0, 0, 0, 0, 0, 0, 0},
	    {"2026-11-28T24:00:00Z", 0, 0, 0, 0, 0, 0, 0},
	    {"2026-11-28T08:15:00.Z", 0, 0, 0, 0, 0, 0, 0},
	    {"", 0, 0, 0, 0, 0, 0, 0},
	};
	return cr_make_param_array(struct instant_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct instant_case *c, schedule, instants)
{
	struct date_time t;

	memset(&t, 0, sizeof t);

	utc();
	if (!c->ok) {
		cr_assert_eq(sched_instant_parse(c->text, &t), -1, "'%s' taken", c->text);
		return;
	}
	cr_assert_eq(sched_instant_parse(c->text, &t), 0, "'%s' refused", c->text);
	cr_assert_eq(t.date.year, c->y);
	cr_assert_eq(t.date.month, c->mo);
	cr_assert_eq(t.date.day, c->d, "%s: day %d", c->text, t.date.day);
	cr_assert_eq(t.hour, c->h, "%s: hour %d", c->text, t.hour);
	cr_assert_eq(t.minute, c->mi);
	cr_assert_eq(t.second, c->s);
}

Test(schedule, instants_are_shown_in_local_time)
{
	struct date_time t;

	/* A US clinic in winter: the server's UTC instant is 8 o'clock there. */
	setenv("TZ", "EST5EDT,M3.2.0,M11.1.0", 1);
	tzset();
	cr_assert_eq(sched_instant_parse("2026-12-01T13:00:00Z", &t), 0);
	cr_assert_eq(t.hour, 8);
	cr_assert_eq(sched_instant_parse(NULL, &t), -1);
}

Test(schedule, a_day_starts_at_local_midnight_with_the_offset)
{
	struct date d = {2026, 12, 1};
	char buf[DATE_BUF_SIZE];

	sched_day_start(&d, buf, sizeof buf);
	cr_assert_str_eq(buf, "2026-12-01T00:00:00+00:00");
	setenv("TZ", "EST5EDT,M3.2.0,M11.1.0", 1);
	tzset();
	sched_day_start(&d, buf, sizeof buf);
	cr_assert_str_eq(buf, "2026-12-01T00:00:00-05:00");
}

/* --- a day ------------------------------------------------------------------------ */

#define SLOT(id, start, end, status)                                                            \
	"{\"resource\":{\"resourceType\":\"Slot\",\"id\":\"" id "\",\"meta\":{\"versionId\":\"3\"},"  \
	"\"schedule\":{\"reference\":\"Schedule/s\"},\"status\":\"" status "\",\"start\":\"" start  \
	"\",\"end\":\"" end "\"}}"
#define APPT(id, status, slot, start, who)                                                      \
	"{\"resource\":{\"resourceType\":\"Appointment\",\"id\":\"" id                              \
	"\",\"meta\":{\"versionId\":\"2\"},\"status\":\"" status "\",\"slot\":[" slot "],"          \
	"\"start\":\"" start "\",\"end\":\"" start "\",\"participant\":[{\"actor\":{\"reference\":"  \
	"\"Patient/" who "\",\"display\":\"" who "\"}},{\"actor\":{\"reference\":"                 \
	"\"Practitioner/doc\",\"display\":\"Dr Doc\"}}]}}"

static const char day_fixture[] =
    "{\"resourceType\":\"Bundle\",\"type\":\"batch-response\",\"entry\":["
    "{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":\"Bundle\",\"type\":"
    "\"searchset\",\"total\":7,\"entry\":["
    SLOT("a", "2026-12-01T08:00:00Z", "2026-12-01T08:15:00Z", "free") ","
    SLOT("b", "2026-12-01T08:15:00Z", "2026-12-01T08:30:00Z", "busy") ","
    SLOT("c", "2026-12-01T08:30:00Z", "2026-12-01T08:45:00Z", "busy-unavailable") ","
    SLOT("d", "2026-12-01T08:45:00Z", "2026-12-01T09:00:00Z", "busy") ","
    SLOT("e", "2026-12-01T09:00:00Z", "2026-12-01T09:15:00Z", "free") ","
    SLOT("f", "2026-12-01T09:15:00Z", "2026-12-01T09:30:00Z", "entered-in-error") ","
    SLOT("g", "not a time", "2026-12-01T09:45:00Z", "free") "]}},"
    "{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":\"Bundle\",\"type\":"
    "\"searchset\",\"entry\":["
    APPT("one", "booked", "{\"reference\":\"Slot/b\"}", "2026-12-01T08:15:00Z", "p1") ","
    APPT("two", "booked", "{\"reference\":\"Slot/d\"}", "2026-12-01T08:45:00Z", "p2") ","
    APPT("three", "arrived", "{\"reference\":\"Slot/d\"}", "2026-12-01T08:45:00Z", "p3") ","
    APPT("gone", "cancelled", "{\"reference\":\"Slot/e\"}", "2026-12-01T09:00:00Z", "p4") ","
    APPT("walkin", "arrived", "", "2026-12-01T08:20:00Z", "p5") ","
    "{\"resource\":{\"resourceType\":\"Encounter\",\"id\":\"enc\",\"status\":\"in-progress\","
    "\"appointment\":[{\"reference\":\"Appointment/walkin\"}],\"location\":[{\"location\":"
    "{\"display\":\"Room 2\"},\"status\":\"active\",\"physicalType\":{\"coding\":[{\"code\":"
    "\"ro\"}]}}]},\"search\":{\"mode\":\"include\"}}"
    "]}}]}";

Test(schedule, a_day_is_a_row_per_slot_with_its_marker_and_appointments)
{
	cJSON *resp = json(day_fixture);
	struct date day = {2026, 12, 1};
	struct sched_day d;
	char *cause = NULL;
	static const char markers[] = {SCHED_FREE, SCHED_BOOKED, SCHED_OVERBOOKED, SCHED_BLOCKED,
	    SCHED_OVERBOOKED, SCHED_FREE};

	cr_assert_eq(sched_day_read(resp, &day, &d, &cause), 0, "%s", cause);
	/* a, b, the walk-in at 08:20, c, d, e: the entered-in-error slot and the bad one are left out. */
	cr_assert_eq(d.n, 6, "%zu rows", d.n);
	for (size_t i = 0; i < d.n; i++)
		cr_assert_eq(d.rows[i].marker, markers[i], "row %zu is '%c'", i, d.rows[i].marker);
	cr_assert_eq(d.rows[0].start.hour, 8);
	cr_assert_null(d.rows[0].appt);
	cr_assert_str_eq(fhir_get_string(d.rows[1].appt, "id"), "one");
	/* The walk-in has no slot; it comes after the slot that starts before it. */
	cr_assert_null(d.rows[2].slot);
	cr_assert_str_eq(fhir_get_string(d.rows[2].appt, "id"), "walkin");
	cr_assert_str_eq(fhir_get_string(d.rows[2].encounter, "id"), "enc");
	cr_assert_str_eq(sched_flow_status(d.rows[2].appt, d.rows[2].encounter), "in room");
	cr_assert_eq(d.rows[4].nappts, 2);
	/* A cancelled appointment leaves its slot shown free. */
	cr_assert_null(d.rows[5].appt);
	cr_assert_eq(d.slots_total, 7);
	cr_assert_eq(sched_day_find(&d, "Slot/e"), 5);
	cr_assert_eq(sched_day_find(&d, "Appointment/walkin"), 2);
	cr_assert_eq(sched_day_find(&d, "Slot/f"), -1);
	cr_assert_eq(sched_day_find(&d, "nonsense"), -1);
	sched_day_free(&d);
	cJSON_Delete(resp);
}

Test(schedule, a_failed_search_in_the_batch_is_said)
{
	cJSON *resp = json("{\"resourceType\":\"Bundle\",\"type\":\"batch-response\",\"entry\":["
			   "{\"response\":{\"status\":\"400 Bad Request\"},\"resource\":{"
			   "\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\","
			   "\"code\":\"invalid\",\"details\":{\"text\":\"bad date\"}}]}}]}");
	struct date day = {2026, 12, 1};
	struct sched_day d;
	char *cause = NULL;

	cr_assert_eq(sched_day_read(resp, &day, &d, &cause), -1);
	cr_assert_not_null(strstr(cause, "slots could not be read: 400"), "%s", cause);
	cr_assert_not_null(strstr(cause, "bad date"), "%s", cause);
	free(cause);
	cJSON_Delete(resp);
}

Test(schedule, wrong_types_read_as_absent)
{
	cJSON *resp = json("{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"resourceType\":"
			   "\"Bundle\",\"entry\":[{\"resource\":{\"resourceType\":\"Slot\",\"id\":\"x\","
			   "\"status\":7,\"start\":[]}}, 5, {\"resource\":\"Slot\"}]}},"
			   "{\"resource\":{\"resourceType\":\"Bundle\",\"entry\":{}}}]}");
	struct date day = {2026, 12, 1};
	struct sched_day d;
	char *cause = NULL;

	cr_assert_eq(sched_day_read(resp, &day, &d, &cause), 0, "%s", cause);
	cr_assert_eq(d.n, 0);
	sched_day_free(&d);
	cJSON_Delete(resp);
}

Test(schedule, the_week_counts_slots_per_day)
{
	cJSON *set = json("{\"resourceType\":\"Bundle\",\"total\":5,\"entry\":["
	    SLOT("a", "2026-12-01T08:00:00Z", "2026-12-01T08:15:00Z", "free") ","
	    SLOT("b", "2026-12-01T08:15:00Z", "2026-12-01T08:30:00Z", "busy") ","
	    SLOT("c", "2026-12-03T08:30:00Z", "2026-12-03T08:45:00Z", "busy-unavailable") ","
	    SLOT("d", "2026-12-07T08:45:00Z", "2026-12-07T09:00:00Z", "free") ","
	    SLOT("e", "2026-12-08T09:00:00Z", "2026-12-08T09:15:00Z", "free") "]}");
	struct date start = {2026, 12, 1};
	struct sched_week_day w[7];
	bool partial = true;

	cr_assert_eq(sched_week_read(set, &start, w, &partial), 0);
	cr_assert_not(partial);
	cr_assert_eq(w[0].free, 1);
	cr_assert_eq(w[0].booked, 1);
	cr_assert_eq(w[2].blocked, 1);
	cr_assert_eq(w[6].free, 1);
	cr_assert_eq(w[6].date.day, 7);
	cr_assert_eq(w[1].free + w[1].booked + w[1].blocked, 0);
	cJSON_Delete(set);
}

Test(schedule, owners_come_from_the_schedules_actors_sorted_by_name)
{
	cJSON *set = json("{\"resourceType\":\"Bundle\",\"entry\":["
	    "{\"resource\":{\"resourceType\":\"Schedule\",\"id\":\"z\",\"actor\":[{\"reference\":"
	    "\"Practitioner/zed\",\"display\":\"Zed\"},{\"reference\":\"Location/l\",\"display\":"
	    "\"Main\"}]}},"
	    "{\"resource\":{\"resourceType\":\"Schedule\",\"id\":\"a\",\"actor\":[{\"reference\":"
	    "\"Practitioner/amy\",\"display\":\"Amy\"}]}},"
	    "{\"resource\":{\"resourceType\":\"Schedule\",\"id\":\"room\",\"comment\":\"X-ray\"}},"
	    "{\"resource\":{\"resourceType\":\"Schedule\",\"id\":\"bad id!\"}},"
	    "{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"p\"}}]}");
	struct sched_owners o;

	sched_owners_read(set, &o);
	cr_assert_eq(o.n, 3);
	cr_assert_str_eq(o.v[0].name, "Amy");
	cr_assert_str_eq(o.v[0].schedule, "Schedule/a");
	cr_assert_null(o.v[0].location);
	cr_assert_str_eq(o.v[1].name, "X-ray");
	cr_assert_null(o.v[1].practitioner);
	cr_assert_str_eq(o.v[2].practitioner, "Practitioner/zed");
	cr_assert_str_eq(o.v[2].location_name, "Main");
	sched_owners_free(&o);
	cJSON_Delete(set);
}

/* A searchset entry of a Schedule: its id, actors (a practitioner, a location) and service. */
static char *
schedule_json(const char *id, const char *who, const char *where, const char *service)
{
	char *actors = NULL, *out;

	if (who != NULL && where != NULL)
		actors = xasprintf("{\"reference\":\"Practitioner/p-%s\",\"display\":\"%s\"},"
			 "{\"reference\":\"Location/l-%s\",\"display\":\"%s\"}", id, who, id, where);
	else if (where != NULL)
		actors = xasprintf("{\"reference\":\"Location/l-%s\",\"display\":\"%s\"}", id, where);
	else
		actors = xasprintf("{\"reference\":\"Practitioner/p-%s\",\"display\":\"%s\"}", id, who);
	out = xasprintf("{\"resource\":{\"resourceType\":\"Schedule\",\"id\":\"%s\",\"actor\":[%s],"
		       "\"serviceType\":[{\"coding\":[{\"code\":\"1\",\"display\":\"%s\"}]}],"
		       "\"comment\":\"The slots attached to this schedule should be specialized to "
		       "cover immunizations within the clinic\"}}",
	    id, actors, service);
	free(actors);
	return out;
}

/* Two people of one name at two places: each label names the place. */
Test(schedule, namesakes_are_told_apart_by_place)
{
	char *a = schedule_json("lee-1", "Dr. Sam Lee", "Sandbox Family Clinic, Main Street", "GP");
	char *b = schedule_json("lee-2", "Dr. Sam Lee", "Sandbox Family Clinic, Riverside Annex", "GP");
	char *c = schedule_json("okafor", "Dr. Amara Okafor", "Sandbox Family Clinic, Main Street", "GP");
	char *text = xasprintf("{\"resourceType\":\"Bundle\",\"entry\":[%s,%s,%s]}", a, b, c);
	cJSON *set = json(text);
	struct sched_owners o;

	sched_owners_read(set, &o);
	cr_assert_eq(o.n, 3);
	cr_assert_str_eq(o.v[0].label, "Dr. Amara Okafor");
	cr_assert_str_eq(o.v[1].label, "Dr. Sam Lee (Main Street)");
	cr_assert_str_eq(o.v[2].label, "Dr. Sam Lee (Riverside Annex)");
	sched_owners_free(&o);
	cJSON_Delete(set);
	free(text);
	free(a);
	free(b);
	free(c);
}

/*
 * The sandbox's schedules: one practitioner's two at one place, told apart by their
 * service; a location's own, named by it and not by its long comment; places told
 * apart without the clinic's name they share.
 */
Test(schedule, owners_are_told_apart_by_place_then_service)
{
	char *e[6], *text;
	cJSON *set;
	struct sched_owners o, copy;

	e[0] = schedule_json("example", NULL, "Sandbox Family Clinic, Main Street", "Immunization");
	e[1] = schedule_json("exampleloc2", "Jonah Schroeder", "Sandbox Family Clinic, Riverside Annex",
	    "Surgery - General");
	e[2] = schedule_json("exampleloc1", "Jonah Schroeder", "Sandbox Family Clinic, Riverside Annex",
	    "Genetic Counselling");
	e[3] = schedule_json("raman", "Dr. Priya Raman", "Sandbox Family Clinic, Riverside Annex",
	    "General Practice");
	e[4] = schedule_json("twin-b", "Dr. Twin", "Sandbox Family Clinic, Main Street", "Same");
	e[5] = schedule_json("twin-a", "Dr. Twin", "Sandbox Family Clinic, Main Street", "Same");
	text = xasprintf("{\"resourceType\":\"Bundle\",\"entry\":[%s,%s,%s,%s,%s,%s]}", e[0], e[1], e[2],
	    e[3], e[4], e[5]);
	set = json(text);
	sched_owners_read(set, &o);
	cr_assert_eq(o.n, 6);
	cr_assert_str_eq(o.v[0].label, "Dr. Priya Raman", "no one else's name: the name alone");
	cr_assert_str_eq(o.v[0].title, "Dr. Priya Raman, Riverside Annex");
	cr_assert_str_eq(o.v[0].where, "Riverside Annex");
	cr_assert_str_eq(o.v[1].label, "Dr. Twin (Same) #twin-a");
	cr_assert_str_eq(o.v[2].label, "Dr. Twin (Same) #twin-b");
	cr_assert_str_eq(o.v[3].label, "Jonah Schroeder (Genetic Counselling)");
	cr_assert_str_eq(o.v[3].schedule, "Schedule/exampleloc1");
	cr_assert_str_eq(o.v[3].title, "Jonah Schroeder, Riverside Annex, Genetic Counselling");
	cr_assert_str_eq(o.v[3].where, "Riverside Annex, Genetic Counselling");
	cr_assert_str_eq(o.v[4].label, "Jonah Schroeder (Surgery - General)");
	cr_assert_str_eq(o.v[4].title, "Jonah Schroeder, Riverside Annex, Surgery - General");
	/* The location's own schedule: by its place, never by the comment. */
	cr_assert_str_eq(o.v[5].schedule, "Schedule/example");
	cr_assert_str_eq(o.v[5].name, "Sandbox Family Clinic, Main Street");
	cr_assert_str_eq(o.v[5].label, "Main Street (Immunization)");
	cr_assert_str_eq(o.v[5].title, "Sandbox Family Clinic, Main Street, Immunization");
	cr_assert_str_eq(o.v[5].location_name, "Sandbox Family Clinic, Main Street",
	    "a booking still names the location as the server does");
	for (size_t i = 0; i < o.n; i++)
		cr_assert_leq(strlen(o.v[i].label), 38, "fits the chooser: %s", o.v[i].label);
	sched_owners_copy(&o, &copy);
	cr_assert_str_eq(copy.v[3].label, o.v[3].label);
	cr_assert_str_eq(copy.v[3].where, o.v[3].where);
	sched_owners_free(&copy);
	sched_owners_free(&o);
	cJSON_Delete(set);
	free(text);
	for (int i = 0; i < 6; i++)
		free(e[i]);
}

/* --- plans ------------------------------------------------------------------------- */

static const struct sched_owner owner = {
	.schedule = "Schedule/s",
	.practitioner = "Practitioner/doc",
	.location = "Location/main",
	.name = "Dr Doc",
	.location_name = "Main",
};

static cJSON *
slot(const char *id, const char *start, const char *end, const char *status, const char *version)
{
	cJSON *s = cJSON_CreateObject();

	cJSON_AddStringToObject(s, "resourceType", "Slot");
	cJSON_AddStringToObject(s, "id", id);
	if (version != NULL)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(s, "meta"), "versionId", version);
	cJSON_AddStringToObject(s, "status", status);
	cJSON_AddStringToObject(s, "start", start);
	cJSON_AddStringToObject(s, "end", end);
	return s;
}

static const cJSON *
entry(const cJSON *bundle, int i, const char *method, const char *url)
{
	const cJSON *e = cJSON_GetArrayItem(fhir_get_array(bundle, "entry"), i);
	const cJSON *req = fhir_get_object(e, "request");

	cr_assert_not_null(e, "no entry %d", i);
	cr_assert_str_eq(fhir_get_string(req, "method"), method, "entry %d", i);
	cr_assert_str_eq(fhir_get_string(req, "url"), url, "entry %d", i);
	return e;
}

Test(schedule, booking_takes_each_slot_if_unchanged_then_creates_the_appointment_once)
{
	struct fhir_client *fc = client();
	cJSON *a = slot("a", "2026-12-01T08:00:00-05:00", "2026-12-01T08:15:00-05:00", "free", "3");
	cJSON *b = slot("b", "2026-12-01T08:15:00-05:00", "2026-12-01T08:30:00-05:00", "free", "7");
	struct date today = {2026, 11, 28};
	struct sched_booking bk = {
		.slots = {a, b},
		.nslots = 2,
		.owner = &owner,
		.patient_ref = "Patient/p1",
		.patient_name = "Quigley, Chad",
		.type_code = "ROUTINE",
		.type_display = "Routine",
		.reason = "Knee pain",
		.note = "",
		.request_id = "0b6f1c3e-8a55-4b7c-9f21-3c1d2e4f5a60",
		.today = &today,
	};
	char *cause = NULL;
	struct fhir_plan *p = sched_plan_book(&bk, &cause);
	cJSON *tx;
	const cJSON *e, *appt, *part;

	cr_assert_not_null(p, "%s", cause);
	cr_assert_eq(fhir_plan_steps(p), 3);
	tx = fhir_plan_transaction(p, fc);
	cr_assert_str_eq(fhir_get_string(tx, "type"), "transaction");
	e = entry(tx, 0, "PUT", "Slot/a");
	cr_assert_str_eq(fhir_get_string(fhir_get_object(e, "request"), "ifMatch"), "W/\"3\"");
	cr_assert_str_eq(fhir_get_string(fhir_get_object(e, "resource"), "status"), "busy");
	cr_assert_null(fhir_get_object(fhir_get_object(e, "resource"), "meta"));
	e = entry(tx, 1, "PUT", "Slot/b");
	cr_assert_str_eq(fhir_get_string(fhir_get_object(e, "request"), "ifMatch"), "W/\"7\"");
	e = entry(tx, 2, "POST", "Appointment");
	cr_assert_null(fhir_get_string(fhir_get_object(e, "request"), "ifNoneExist"),
	    "the slots' If-Match updates guard the appointment's create");
	appt = fhir_get_object(e, "resource");
	cr_assert_str_eq(fhir_get_string(appt, "status"), "booked");
	cr_assert_str_eq(fhir_get_string(appt, "start"), "2026-12-01T08:00:00-05:00");
	cr_assert_str_eq(fhir_get_string(appt, "end"), "2026-12-01T08:30:00-05:00");
	cr_assert_eq(cJSON_GetObjectItem(appt, "minutesDuration")->valueint, 30);
	cr_assert_eq(cJSON_GetArraySize(fhir_get_array(appt, "slot")), 2);
	cr_assert_null(fhir_get_string(appt, "comment"), "an empty note is no comment");
	cr_assert_str_eq(fhir_get_string(appt, "created"), "2026-11-28");
	part = fhir_get_array(appt, "participant");
	cr_assert_eq(cJSON_GetArraySize(part), 3);
	cr_assert_str_eq(fhir_get_string(fhir_get_object(cJSON_GetArrayItem(part, 0), "actor"),
			     "reference"), "Patient/p1");
	cr_assert_str_eq(fhir_get_string(fhir_get_object(cJSON_GetArrayItem(part, 1), "actor"),
			     "reference"), "Practitioner/doc");
	cr_assert_str_eq(fhir_get_string(fhir_get_object(cJSON_GetArrayItem(part, 2), "actor"),
			     "reference"), "Location/main");
	cJSON_Delete(tx);
	fhir_plan_free(&p);
	cJSON_Delete(a);
	cJSON_Delete(b);
	fhir_client_free(&fc);
}

Test(schedule, booking_refuses_a_slot_not_free_or_without_a_version)
{
	cJSON *busy = slot("a", "2026-12-01T08:00:00Z", "2026-12-01T08:15:00Z", "busy", "3");
	cJSON *unversioned = slot("b", "2026-12-01T08:00:00Z", "2026-12-01T08:15:00Z", "free", NULL);
	struct date today = {2026, 11, 28};
	struct sched_booking bk = {.slots = {busy}, .nslots = 1, .owner = &owner,
	    .patient_ref = "Patient/p1", .request_id = "r", .today = &today};
	char *cause = NULL;

	cr_assert_null(sched_plan_book(&bk, &cause));
	cr_assert_not_null(strstr(cause, "not free"), "%s", cause);
	free(cause);
	bk.slots[0] = unversioned;
	cr_assert_null(sched_plan_book(&bk, &cause));
	cr_assert_not_null(strstr(cause, "no version"), "%s", cause);
	free(cause);
	bk.nslots = 0;
	cr_assert_null(sched_plan_book(&bk, &cause));
	free(cause);
	cJSON_Delete(busy);
	cJSON_Delete(unversioned);
}

static cJSON *
appointment(const char *status)
{
	char *text;
	cJSON *a;

	if (asprintf(&text,
		"{\"resourceType\":\"Appointment\",\"id\":\"ap\",\"meta\":{\"versionId\":\"4\"},"
		"\"status\":\"%s\",\"slot\":[{\"reference\":\"Slot/old\"}],\"start\":"
		"\"2026-12-01T08:00:00Z\",\"end\":\"2026-12-01T08:15:00Z\",\"participant\":["
		"{\"actor\":{\"reference\":\"Patient/p1\",\"display\":\"Quigley, Chad\"}},"
		"{\"actor\":{\"reference\":\"Practitioner/other\"}},{\"actor\":{\"reference\":"
		"\"Location/annex\"}}],\"extension\":[{\"url\":\"urn:x\",\"valueString\":\"kept\"}]}",
		status) < 0)
		cr_assert_fail();
	a = json(text);
	free(text);
	return a;
}

Test(schedule, rescheduling_takes_the_new_slot_moves_the_appointment_frees_the_old)
{
	struct fhir_client *fc = client();
	cJSON *appt = appointment("booked");
	cJSON *old = slot("old", "2026-12-01T08:00:00Z", "2026-12-01T08:15:00Z", "busy", "5");
	cJSON *to = slot("new", "2026-12-02T10:00:00Z", "2026-12-02T10:15:00Z", "free", "1");
	const cJSON *olds[] = {old}, *news[] = {to};
	char *cause = NULL;
	struct fhir_plan *p = sched_plan_move(appt, olds, 1, news, 1, &owner, &cause);
	cJSON *tx;
	const cJSON *moved, *part;

	cr_assert_not_null(p, "%s", cause);
	tx = fhir_plan_transaction(p, fc);
	cr_assert_str_eq(fhir_get_string(fhir_get_object(entry(tx, 0, "PUT", "Slot/new"), "resource"),
			     "status"), "busy");
	moved = fhir_get_object(entry(tx, 1, "PUT", "Appointment/ap"), "resource");
	cr_assert_str_eq(fhir_get_string(fhir_get_object(entry(tx, 1, "PUT", "Appointment/ap"),
			     "request"), "ifMatch"), "W/\"4\"");
	cr_assert_str_eq(fhir_get_string(moved, "start"), "2026-12-02T10:00:00Z");
	cr_assert_str_eq(fhir_get_string(cJSON_GetArrayItem(fhir_get_array(moved, "slot"), 0),
			     "reference"), "Slot/new");
	/* The patient and every element the screen does not show stay; the provider is the new one. */
	part = fhir_get_array(moved, "participant");
	cr_assert_eq(cJSON_GetArraySize(part), 3);
	cr_assert_str_eq(fhir_get_string(fhir_get_object(cJSON_GetArrayItem(part, 1), "actor"),
			     "reference"), "Practitioner/doc");
	cr_assert_not_null(fhir_get_array(moved, "extension"));
	cr_assert_str_eq(fhir_get_string(fhir_get_object(entry(tx, 2, "PUT", "Slot/old"), "resource"),
			     "status"), "free");
	cr_assert_null(cJSON_GetArrayItem(fhir_get_array(tx, "entry"), 3));
	cJSON_Delete(tx);
	fhir_plan_free(&p);
	/* Into a slot taken meanwhile: refused before anything is sent. */
	cJSON_ReplaceItemInObject(to, "status", cJSON_CreateString("busy"));
	cr_assert_null(sched_plan_move(appt, olds, 1, news, 1, &owner, &cause));
	free(cause);
	cJSON_Delete(appt);
	cJSON_Delete(old);
	cJSON_Delete(to);
	fhir_client_free(&fc);
}

Test(schedule, cancelling_gives_the_reason_and_frees_the_slot)
{
	struct fhir_client *fc = client();
	cJSON *appt = appointment("booked");
	cJSON *old = slot("old", "2026-12-01T08:00:00Z", "2026-12-01T08:15:00Z", "busy", "5");
	const cJSON *olds[] = {old};
	char *cause = NULL;
	struct fhir_plan *p = sched_plan_cancel(appt, olds, 1, "pat", "Patient", &cause);
	cJSON *tx = fhir_plan_transaction(p, fc);
	const cJSON *a = fhir_get_object(entry(tx, 0, "PUT", "Appointment/ap"), "resource");
	const cJSON *coding = cJSON_GetArrayItem(
	    fhir_get_array(fhir_get_object(a, "cancelationReason"), "coding"), 0);

	cr_assert_str_eq(fhir_get_string(a, "status"), "cancelled");
	cr_assert_str_eq(fhir_get_string(coding, "code"), "pat");
	cr_assert_str_eq(fhir_get_string(coding, "system"),
	    "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason");
	cr_assert_str_eq(fhir_get_string(fhir_get_object(entry(tx, 1, "PUT", "Slot/old"), "resource"),
			     "status"), "free");
	cJSON_Delete(tx);
	fhir_plan_free(&p);
	cJSON_Delete(appt);
	cJSON_Delete(old);
	fhir_client_free(&fc);
}

Test(schedule, check_in_makes_one_encounter_in_progress_linked_to_the_appointment)
{
	struct fhir_client *fc = client();
	cJSON *appt = appointment("booked");
	cJSON *patient = json("{\"resourceType\":\"Patient\",\"id\":\"p1\",\"name\":[{\"family\":"
			      "\"Quigley\",\"given\":[\"Chad\"]}]}");
	struct date_time now = {{2026, 12, 1}, 8, 3, 0};
	char *cause = NULL;
	struct fhir_plan *p = sched_plan_check_in(appt, patient, &now, &cause);
	cJSON *tx;
	const cJSON *e, *enc;

	cr_assert_not_null(p, "%s", cause);
	tx = fhir_plan_transaction(p, fc);
	cr_assert_str_eq(fhir_get_string(fhir_get_object(entry(tx, 0, "PUT", "Appointment/ap"),
			     "resource"), "status"), "arrived");
	e = entry(tx, 1, "POST", "Encounter");
	cr_assert_null(fhir_get_string(fhir_get_object(e, "request"), "ifNoneExist"),
	    "the appointment's If-Match update makes a second check-in fail");
	enc = fhir_get_object(e, "resource");
	cr_assert_str_eq(fhir_get_string(enc, "status"), "in-progress");
	cr_assert_str_eq(fhir_get_string(fhir_get_object(enc, "class"), "code"), "AMB");
	cr_assert_str_eq(fhir_get_string(fhir_get_object(enc, "subject"), "reference"), "Patient/p1");
	cr_assert_str_eq(fhir_get_string(fhir_get_object(enc, "subject"), "display"), "Quigley, Chad");
	cr_assert_str_eq(fhir_get_string(fhir_get_object(enc, "period"), "start"),
	    "2026-12-01T08:03:00+00:00");
	cr_assert_str_eq(fhir_get_string(cJSON_GetArrayItem(fhir_get_array(enc, "appointment"), 0),
			     "reference"), "Appointment/ap");
	cJSON_Delete(tx);
	fhir_plan_free(&p);
	cJSON_Delete(appt);
	cJSON_Delete(patient);
	fhir_client_free(&fc);
}

Test(schedule, check_in_is_refused_without_the_appointment_s_own_patient)
{
	cJSON *appt = appointment("booked");
	cJSON *other = json("{\"resourceType\":\"Patient\",\"id\":\"p2\",\"name\":[{\"family\":"
			    "\"Quigley\",\"given\":[\"Chad\"]}]}");
	cJSON *not_patient = json("{\"resourceType\":\"Practitioner\",\"id\":\"p1\"}");
	struct date_time now = {{2026, 12, 1}, 8, 3, 0};
	char *cause = NULL;
	struct fhir_plan *p;

	/* Not read, another patient with the same name, another type with the same id. */
	p = sched_plan_check_in(appt, NULL, &now, &cause);
	cr_assert_null(p);
	cr_assert_not_null(strstr(cause, "patient could not be read"), "%s", cause);
	free(cause);
	p = sched_plan_check_in(appt, other, &now, &cause);
	cr_assert_null(p);
	free(cause);
	p = sched_plan_check_in(appt, not_patient, &now, &cause);
	cr_assert_null(p);
	free(cause);
	cJSON_Delete(appt);
	cJSON_Delete(other);
	cJSON_Delete(not_patient);
}

Test(schedule, room_and_check_out_finish_the_encounter)
{
	struct fhir_client *fc = client();
	cJSON *appt = appointment("arrived");
	cJSON *enc = json("{\"resourceType\":\"Encounter\",\"id\":\"en\",\"meta\":{\"versionId\":"
			  "\"1\"},\"status\":\"in-progress\",\"period\":{\"start\":"
			  "\"2026-12-01T08:03:00Z\"}}");
	struct date_time now = {{2026, 12, 1}, 8, 40, 0};
	char *cause = NULL;
	struct fhir_plan *p = sched_plan_room(enc, "Room 2", &cause);
	cJSON *tx = fhir_plan_transaction(p, fc);
	cJSON *in_room;
	const cJSON *done;

	in_room = cJSON_Duplicate(fhir_get_object(entry(tx, 0, "PUT", "Encounter/en"), "resource"), 1);
	cr_assert_str_eq(sched_encounter_room(in_room), "Room 2");
	cr_assert_str_eq(sched_flow_status(appt, in_room), "in room");
	cr_assert_str_eq(sched_flow_status(appt, enc), "arrived");
	cJSON_Delete(tx);
	fhir_plan_free(&p);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(in_room, "meta"), "versionId", "2");
	p = sched_plan_check_out(appt, in_room, &now, &cause);
	cr_assert_not_null(p, "%s", cause);
	tx = fhir_plan_transaction(p, fc);
	cr_assert_str_eq(fhir_get_string(fhir_get_object(entry(tx, 0, "PUT", "Appointment/ap"),
			     "resource"), "status"), "fulfilled");
	done = fhir_get_object(entry(tx, 1, "PUT", "Encounter/en"), "resource");
	cr_assert_str_eq(fhir_get_string(done, "status"), "finished");
	cr_assert_str_eq(fhir_get_string(fhir_get_object(done, "period"), "start"),
	    "2026-12-01T08:03:00Z");
	cr_assert_str_eq(fhir_get_string(fhir_get_object(done, "period"), "end"),
	    "2026-12-01T08:40:00+00:00");
	/* Out of the room once the visit is over. */
	cr_assert_null(sched_encounter_room(done));
	cJSON_Delete(tx);
	fhir_plan_free(&p);
	cJSON_Delete(in_room);
	cJSON_Delete(enc);
	cJSON_Delete(appt);
	fhir_client_free(&fc);
}

struct flow_case {
	char status[24];
	char want[16];
};

ParameterizedTestParameters(schedule, flow_status)
{
	static struct flow_case cases[] = {
	    {"booked", "booked"}, {"pending", "booked"}, {"arrived", "arrived"},
	    {"checked-in", "arrived"}, {"fulfilled", "done"}, {"noshow", "no-show"},
	    {"cancelled", "cancelled"}, {"waitlist", "waitlist"},
	};
	return cr_make_param_array(struct flow_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct flow_case *c, schedule, flow_status)
{
	cJSON *a = cJSON_CreateObject();

	cJSON_AddStringToObject(a, "status", c->status);
	cr_assert_str_eq(sched_flow_status(a, NULL), c->want);
	cJSON_Delete(a);
}

/* --- plan results ---------------------------------------------------------------- */

Test(schedule, a_plan_result_names_each_step_s_resource_and_version)
{
	cJSON *r = json("{\"resourceType\":\"Bundle\",\"type\":\"transaction-response\",\"entry\":["
			"{\"response\":{\"status\":\"200\",\"location\":"
			"\"https://ehr.example/fhir/Slot/a/_history/4\"}},"
			"{\"response\":{\"status\":\"201\",\"location\":\"Appointment/n1/_history/1\"}},"
			"{\"response\":{\"status\":\"201\",\"location\":\"Appointment/n1\"}},"
			"{\"response\":{\"status\":\"201\",\"location\":\"/_history/1\"}}]}");
	char ref[64], version[16];

	cr_assert_eq(fhir_plan_result(r, 0, ref, sizeof ref, version, sizeof version), 0);
	cr_assert_str_eq(ref, "Slot/a");
	cr_assert_str_eq(version, "4");
	cr_assert_eq(fhir_plan_result(r, 1, ref, sizeof ref, version, sizeof version), 0);
	cr_assert_str_eq(ref, "Appointment/n1");
	cr_assert_eq(fhir_plan_result(r, 2, ref, sizeof ref, version, sizeof version), -1);
	cr_assert_eq(fhir_plan_result(r, 3, ref, sizeof ref, version, sizeof version), -1);
	cr_assert_eq(fhir_plan_result(r, 4, ref, sizeof ref, version, sizeof version), -1);
	cr_assert_eq(fhir_plan_result(r, 1, ref, 5, version, sizeof version), -1);
	cJSON_Delete(r);
}

Test(schedule, a_plan_refuses_an_unguarded_step)
{
	struct fhir_plan *p = fhir_plan_new();
	cJSON *r = json("{\"resourceType\":\"Slot\",\"id\":\"a\"}");
	struct fhir_search *wrong = fhir_search_new("Patient");

	cr_assert_eq(fhir_plan_update(p, r, NULL, NULL), -1, "an update needs a version");
	cr_assert_eq(fhir_plan_update(p, r, "not a version!", NULL), -1);
	cr_assert_eq(fhir_plan_create(p, r, NULL), -1, "a create needs a guard");
	cr_assert_eq(fhir_plan_create(p, r, wrong), -1, "the guard must search the same type");
	for (int i = 0; i < FHIR_PLAN_MAX; i++)
		cr_assert_eq(fhir_plan_update(p, r, "1", NULL), i);
	cr_assert_eq(fhir_plan_update(p, r, "1", NULL), -1, "a full plan takes no more");
	cr_assert_eq(fhir_plan_steps(p), FHIR_PLAN_MAX);
	fhir_search_free(&wrong);
	cJSON_Delete(r);
	fhir_plan_free(&p);
}

/* --- a change applied to the day shown ------------------------------------------- */

Test(schedule, what_a_change_saved_is_applied_to_the_day_without_reading_it_again)
{
	cJSON *resp = json(day_fixture);
	cJSON *saved = json("{\"resourceType\":\"Bundle\",\"type\":\"transaction-response\",\"entry\":["
	    SLOT("a", "2026-12-01T08:00:00Z", "2026-12-01T08:15:00Z", "busy") ","
	    APPT("new", "booked", "{\"reference\":\"Slot/a\"}", "2026-12-01T08:00:00Z", "p9") ","
	    SLOT("elsewhere", "2026-12-02T08:00:00Z", "2026-12-02T08:15:00Z", "free") ","
	    APPT("later", "booked", "{\"reference\":\"Slot/elsewhere\"}", "2026-12-02T08:00:00Z", "p8") ","
	    "{\"response\":{\"status\":\"200\"}}]}");
	struct date day = {2026, 12, 1};
	struct sched_day d;
	char *cause = NULL;

	cr_assert_eq(sched_day_read(resp, &day, &d, &cause), 0, "%s", cause);
	cr_assert_eq(d.rows[0].marker, SCHED_FREE);
	/* Slot a and the new appointment in it; another day's slot and appointment stay out. */
	cr_assert_eq(sched_day_apply(&d, saved), 2);
	cr_assert_eq(d.n, 6);
	cr_assert_eq(d.rows[0].marker, SCHED_BOOKED);
	cr_assert_str_eq(fhir_get_string(d.rows[0].appt, "id"), "new");
	cr_assert_eq(sched_day_find(&d, "Slot/elsewhere"), -1);
	cr_assert_eq(sched_day_find(&d, "Appointment/later"), -1);
	cr_assert_eq(cJSON_GetArraySize(d.appts), 6);
	sched_day_free(&d);
	cJSON_Delete(saved);
	cJSON_Delete(resp);
}

/* --- who an appointment is for: the Patient resource, never the display --------------------- */

/* Appointments in no slot (each a row of its own, in time order) and their patients. */
static const struct {
	const char *id, *who, *display;
} names_appts[] = {
	{ "same", "chad", "Chad Quigley" },	/* the display in the other order: the same person */
	{ "lies", "claudie", "Elvina Lemke" },	/* the display names someone else */
	{ "missing", "nobody", "Elvina Lemke" }, /* its Patient is not in the answer */
	{ "dead", "jonah", "Jonah Ruecker" },
	{ "odd", "odd", "Someone" }, /* its Patient's elements are of the wrong types */
};
static const char *const names_patients[] = {
	"{\"resourceType\":\"Patient\",\"id\":\"chad\",\"name\":[{\"family\":\"Quigley\",\"given\":[\"Chad\"]}]}",
	"{\"resourceType\":\"Patient\",\"id\":\"claudie\",\"name\":[{\"family\":\"Walsh\",\"given\":[\"Claudie\"]}]}",
	"{\"resourceType\":\"Patient\",\"id\":\"elvina\",\"name\":[{\"family\":\"Lemke\",\"given\":[\"Elvina\"]}]}",
	"{\"resourceType\":\"Patient\",\"id\":\"jonah\",\"name\":[{\"family\":\"Ruecker\",\"given\":[\"Jonah\"]}],"
	"\"deceasedDateTime\":\"2008-01-08T10:00:00Z\"}",
	"{\"resourceType\":\"Patient\",\"id\":\"odd\",\"name\":[{\"family\":7,\"given\":\"Odd\"}],"
	"\"deceasedBoolean\":\"yes\"}",
	/* Not a Patient, though its id is one an appointment names. */
	"{\"resourceType\":\"Practitioner\",\"id\":\"nobody\",\"name\":[{\"family\":\"Nobody\"}]}",
};

static void
read_names_day(struct sched_day *d)
{
	cJSON *resp = cJSON_CreateObject(), *outer = cJSON_AddArrayToObject(resp, "entry");
	cJSON *slots = cJSON_CreateObject(), *appts = cJSON_CreateObject(), *entries;
	struct date day = {2026, 12, 1};
	char *cause = NULL;

	cJSON_AddStringToObject(resp, "resourceType", "Bundle");
	cJSON_AddStringToObject(slots, "resourceType", "Bundle");
	cJSON_AddArrayToObject(slots, "entry");
	cJSON_AddStringToObject(appts, "resourceType", "Bundle");
	entries = cJSON_AddArrayToObject(appts, "entry");
	for (size_t i = 0; i < sizeof names_appts / sizeof names_appts[0]; i++) {
		char *text = NULL;

		cr_assert_geq(asprintf(&text, "{\"resourceType\":\"Appointment\",\"id\":\"%s\","
				 "\"status\":\"booked\",\"start\":\"2026-12-01T08:%02zu:00Z\","
				 "\"participant\":[{\"actor\":{\"reference\":\"Patient/%s\","
				 "\"display\":\"%s\"}}]}",
				 names_appts[i].id, i * 10, names_appts[i].who, names_appts[i].display),
		    0);
		cJSON_AddItemToArray(entries, cJSON_CreateObject());
		cJSON_AddItemToObject(cJSON_GetArrayItem(entries, (int)i), "resource", json(text));
		free(text);
	}
	for (size_t i = 0; i < sizeof names_patients / sizeof names_patients[0]; i++) {
		cJSON *e = cJSON_CreateObject();

		cJSON_AddItemToObject(e, "resource", json(names_patients[i]));
		cJSON_AddItemToArray(entries, e);
	}
	cJSON_AddItemToArray(outer, cJSON_CreateObject());
	cJSON_AddItemToObject(cJSON_GetArrayItem(outer, 0), "resource", slots);
	cJSON_AddItemToArray(outer, cJSON_CreateObject());
	cJSON_AddItemToObject(cJSON_GetArrayItem(outer, 1), "resource", appts);
	cr_assert_eq(sched_day_read(resp, &day, d, &cause), 0, "%s", cause);
	cJSON_Delete(resp);
}

/* The label of day row I, as the grid shows it. */
static char *
row_label(const struct sched_day *d, size_t i, struct sched_patient *p)
{
	sched_patient_read(d->rows[i].appt, d->patients, p);
	return sched_patient_label(p);
}

Test(schedule, names_come_from_the_patient_resource_family_given)
{
	struct sched_day d;
	struct sched_patient p;
	char *label;

	read_names_day(&d);
	cr_assert_eq(d.n, 5);
	label = row_label(&d, 0, &p);
	cr_assert_str_eq(label, "Quigley, Chad");
	cr_assert_not(p.display_differs, "\"Chad Quigley\" is the same person in the other order");
	cr_assert_eq(p.resource, d.rows[0].patient);
	free(label);
	sched_patient_clear(&p);

	label = row_label(&d, 1, &p);
	cr_assert_str_eq(label, "Walsh, Claudie", "the display \"Elvina Lemke\" is not believed");
	cr_assert(p.display_differs);
	cr_assert_str_eq(p.display, "Elvina Lemke");
	free(label);
	sched_patient_clear(&p);
	sched_day_free(&d);
}

Test(schedule, a_patient_not_in_the_answer_is_said_and_never_matched_by_display)
{
	struct sched_day d;
	struct sched_patient p;
	char *label;

	read_names_day(&d);
	/* Elvina Lemke is in the answer, but as someone else's display only; nobody's Patient is
	 * not, and a Practitioner with its id does not stand in for it. */
	label = row_label(&d, 2, &p);
	cr_assert_str_eq(label, SCHED_PATIENT_NOT_READ);
	cr_assert_null(p.resource);
	cr_assert_null(d.rows[2].patient);
	cr_assert_str_eq(p.ref, "Patient/nobody");
	cr_assert_not(d.rows[2].deceased);
	free(label);
	sched_patient_clear(&p);
	cr_assert_null(sched_patient_find(d.patients, "Patient/"));
	cr_assert_null(sched_patient_find(d.patients, "Practitioner/nobody"));
	cr_assert_null(sched_patient_find(d.patients, NULL));
	cr_assert_null(sched_patient_find(NULL, "Patient/chad"));
	/* The patient a booking was made for is added by its resource, and then named. */
	{
		cJSON *booked = json("{\"resourceType\":\"Patient\",\"id\":\"nobody\",\"name\":"
				     "[{\"family\":\"Body\",\"given\":[\"No\"]}]}");
		cJSON *wrong = json("{\"resourceType\":\"Practitioner\",\"id\":\"nobody\"}");

		cr_assert_not(sched_day_add_patient(&d, wrong));
		cr_assert_null(d.rows[2].patient);
		cr_assert(sched_day_add_patient(&d, booked));
		label = row_label(&d, 2, &p);
		cr_assert_str_eq(label, "Body, No");
		free(label);
		sched_patient_clear(&p);
		cJSON_Delete(booked);
		cJSON_Delete(wrong);
	}
	sched_day_free(&d);
}

Test(schedule, a_deceased_patient_is_marked_on_the_row)
{
	struct sched_day d;
	struct sched_patient p;
	char *label;

	read_names_day(&d);
	cr_assert(d.rows[3].deceased);
	label = row_label(&d, 3, &p);
	cr_assert_str_eq(label, "Ruecker, Jonah (deceased)");
	cr_assert_str_eq(p.view.deceased_date, "2008-01-08");
	free(label);
	sched_patient_clear(&p);
	for (size_t i = 0; i < 3; i++)
		cr_assert_not(d.rows[i].deceased, "row %zu", i);
	sched_day_free(&d);
}

Test(schedule, a_patient_of_the_wrong_types_reads_as_read_but_nameless)
{
	cJSON *appt;
	struct sched_day d;
	struct sched_patient p;
	char *label;

	read_names_day(&d);
	/* family 7 and given "Odd" (not an array) are absent; "yes" is not a boolean. */
	label = row_label(&d, 4, &p);
	cr_assert_str_eq(label, "(no name)");
	cr_assert_not(d.rows[4].deceased);
	free(label);
	sched_patient_clear(&p);
	sched_day_free(&d);

	/* An appointment whose participants are of the wrong types names no one. */
	appt = json("{\"resourceType\":\"Appointment\",\"id\":\"x\",\"participant\":[7,{\"actor\":"
		    "\"Patient/chad\"},{\"actor\":{\"reference\":5,\"display\":\"Quigley, Chad\"}}]}");
	sched_patient_read(appt, NULL, &p);
	cr_assert_null(p.ref);
	cr_assert_null(p.resource);
	label = sched_patient_label(&p);
	cr_assert_str_eq(label, SCHED_PATIENT_NOT_READ);
	free(label);
	sched_patient_clear(&p);
	cJSON_Delete(appt);
}

Test(schedule, the_day_batch_brings_the_patients_in_the_same_round_trip)
{
	struct fhir_client *fc = client();
	struct date day = {2026, 12, 1};
	cJSON *batch = sched_day_batch(fc, &owner, &day);
	const char *url = fhir_get_string(
	    fhir_get_object(cJSON_GetArrayItem(fhir_get_array(batch, "entry"), 1), "request"), "url");

	cr_assert_eq(cJSON_GetArraySize(fhir_get_array(batch, "entry")), 2);
	cr_assert_not_null(strstr(url, "_include=Appointment%3Apatient"), "%s", url);
	cr_assert_not_null(strstr(url, "_revinclude=Encounter%3Aappointment"), "%s", url);
	cJSON_Delete(batch);
	fhir_client_free(&fc);
}

/* --- the newest change the flow board measures from ------------------------------------------ */

Test(schedule, the_newest_update_ignores_the_far_future_and_compares_instants)
{
	/* 2026-12-01T10:00:00Z */
	time_t now = 1796119200;
	char newest[48] = "";

	cr_assert(sched_updated_newest("2026-12-01T09:00:00Z", now, newest, sizeof newest));
	cr_assert_str_eq(newest, "2026-12-01T09:00:00Z");
	/* One record dated 9999 is not the newest change: the board would never refresh. */
	cr_assert_not(sched_updated_newest("9999-12-31T23:59:59Z", now, newest, sizeof newest));
	cr_assert_not(sched_updated_newest("2026-12-01T10:06:00Z", now, newest, sizeof newest));
	cr_assert_str_eq(newest, "2026-12-01T09:00:00Z");
	/* A little ahead (clocks differ) still counts. */
	cr_assert(sched_updated_newest("2026-12-01T10:04:00Z", now, newest, sizeof newest));
	cr_assert_str_eq(newest, "2026-12-01T10:04:00Z");
	/* Later as text, earlier as an instant: 05:30 at -05:00 is 10:30Z ... */
	cr_assert_not(sched_updated_newest("2026-12-01T09:59:00+05:00", now, newest, sizeof newest));
	/* ... and earlier as text, later as an instant. */
	strcpy(newest, "2026-12-01T09:00:00Z");
	cr_assert(sched_updated_newest("2026-12-01T04:30:00-05:00", now, newest, sizeof newest));
	cr_assert_str_eq(newest, "2026-12-01T04:30:00-05:00");
	/* Fractions count: a later millisecond of the same second is newer. */
	strcpy(newest, "2026-12-01T09:00:00.120Z");
	cr_assert(sched_updated_newest("2026-12-01T09:00:00.2Z", now, newest, sizeof newest));
	cr_assert_not(sched_updated_newest("2026-12-01T09:00:00.19Z", now, newest, sizeof newest));
	cr_assert_not(sched_updated_newest("2026-12-01T09:00:00.2Z", now, newest, sizeof newest));
	/* Not instants, and too long to keep: ignored. */
	cr_assert_not(sched_updated_newest("tomorrow", now, newest, sizeof newest));
	cr_assert_not(sched_updated_newest(NULL, now, newest, sizeof newest));
	cr_assert_not(sched_updated_newest("2026-12-01T09:30:00.000000000000000000000000000000Z", now,
	    newest, sizeof newest));
	cr_assert_str_eq(newest, "2026-12-01T09:00:00.2Z");
}

/* --- slots, free starts ------------------------------------------------------------- */

static cJSON *
free_slot(const char *id, const char *schedule, const char *status, const char *start, const char *end,
    const char *type)
{
	char buf[1024];

	snprintf(buf, sizeof buf,
	    "{\"resourceType\":\"Slot\",\"id\":\"%s\",\"schedule\":{\"reference\":\"%s\"},"
	    "\"status\":\"%s\",\"start\":\"%s\",\"end\":\"%s\"%s%s%s}",
	    id, schedule, status, start, end, type ? ",\"appointmentType\":{\"coding\":[{\"code\":\"" : "",
	    type ? type : "", type ? "\"}]}" : "");
	return json(buf);
}

Test(schedule, slot_view)
{
	cJSON *s = free_slot("s1", "Schedule/a", "free", "2026-12-02T09:00:00Z", "2026-12-02T09:15:00Z", NULL);
	cJSON *bad = json("{\"resourceType\":\"Slot\",\"id\":\"bad id\",\"status\":\"busy\","
			  "\"start\":\"tomorrow\"}");
	struct sched_slot_view v;

	sched_slot_view(s, &v);
	cr_assert_str_eq(v.id, "s1");
	cr_assert_str_eq(v.schedule_ref, "Schedule/a");
	cr_assert(v.free && v.has_time);
	cr_assert_eq(v.minutes, 15);
	cr_assert_eq(v.start.hour, 9);
	sched_slot_view(bad, &v);
	cr_assert_null(v.id, "an invalid id is no id");
	cr_assert(!v.free && !v.has_time);
	cr_assert_eq(v.minutes, 0);
	cJSON_Delete(s);
	cJSON_Delete(bad);
}

Test(schedule, slot_fits_type)
{
	cJSON *any = free_slot("s1", "Schedule/a", "free", "2026-12-02T09:00:00Z", "2026-12-02T09:15:00Z", NULL);
	cJSON *wellness = free_slot("s2", "Schedule/a", "free", "2026-12-02T09:00:00Z",
	    "2026-12-02T09:15:00Z", "WELLNESS");
	/* Some servers send a list of CodeableConcepts: read that form too. */
	cJSON *listed = json("{\"resourceType\":\"Slot\",\"id\":\"s3\",\"appointmentType\":"
			     "[{\"coding\":[{\"code\":\"FOLLOWUP\"}]},{\"coding\":[{\"code\":\"ROUTINE\"}]}]}");

	cr_assert(sched_slot_fits_type(any, "WELLNESS"), "a slot that names no type fits any");
	cr_assert(sched_slot_fits_type(any, NULL));
	cr_assert(sched_slot_fits_type(wellness, "WELLNESS"));
	cr_assert_not(sched_slot_fits_type(wellness, "ROUTINE"), "a kept slot fits only its types");
	cr_assert(sched_slot_fits_type(wellness, NULL), "no type asked: every slot fits");
	cr_assert(sched_slot_fits_type(listed, "ROUTINE"));
	cr_assert_not(sched_slot_fits_type(listed, "WELLNESS"));
	cJSON_Delete(any);
	cJSON_Delete(wellness);
	cJSON_Delete(listed);
}

static void
owners_ab(struct sched_owners *o)
{
	o->n = 2;
	o->v = calloc(2, sizeof *o->v);
	o->v[0].schedule = strdup("Schedule/a");
	o->v[0].name = strdup("Dr A");
	o->v[1].schedule = strdup("Schedule/b");
	o->v[1].name = strdup("Dr B");
}

Test(schedule, free_starts_need_consecutive_free_minutes_at_one_schedule)
{
	cJSON *slots = cJSON_CreateArray();
	struct sched_owners o;
	struct sched_free_start *st;
	size_t n;

	owners_ab(&o);
	/* a: 9:00 9:15 free, 9:30 busy, 9:45 free; b's slots interleaved; c is nobody's. */
	cJSON_AddItemToArray(slots, free_slot("a1", "Schedule/a", "free", "2026-12-02T09:00:00Z", "2026-12-02T09:15:00Z", NULL));
	cJSON_AddItemToArray(slots, free_slot("b1", "Schedule/b", "free", "2026-12-02T09:00:00Z", "2026-12-02T09:30:00Z", NULL));
	cJSON_AddItemToArray(slots, free_slot("c1", "Schedule/c", "free", "2026-12-02T09:00:00Z", "2026-12-02T10:00:00Z", NULL));
	cJSON_AddItemToArray(slots, free_slot("a2", "Schedule/a", "free", "2026-12-02T09:15:00Z", "2026-12-02T09:30:00Z", NULL));
	cJSON_AddItemToArray(slots, free_slot("a3", "Schedule/a", "busy", "2026-12-02T09:30:00Z", "2026-12-02T09:45:00Z", NULL));
	cJSON_AddItemToArray(slots, free_slot("b2", "Schedule/b", "free", "2026-12-02T09:30:00Z", "2026-12-02T10:00:00Z", NULL));
	cJSON_AddItemToArray(slots, free_slot("a4", "Schedule/a", "free", "2026-12-02T09:45:00Z", "2026-12-02T10:00:00Z", NULL));

	n = sched_free_starts(slots, &o, 30, NULL, &st);
	cr_assert_eq(n, 3, "a at 9:00 (two slots), b at 9:00 and 9:30; got %zu", n);
	cr_assert_eq(st[0].owner, 0);
	cr_assert_eq(st[0].n, 2);
	cr_assert_str_eq(fhir_id_of(st[0].slots[0]), "a1");
	cr_assert_str_eq(fhir_id_of(st[0].slots[1]), "a2");
	cr_assert_eq(st[0].start.hour, 9);
	cr_assert_eq(st[0].start.minute, 0);
	cr_assert_eq(st[1].owner, 1);
	cr_assert_eq(st[1].n, 1);
	cr_assert_eq(st[2].owner, 1);
	cr_assert_eq(st[2].start.minute, 30);
	free(st);

	n = sched_free_starts(slots, &o, 15, NULL, &st);
	cr_assert_eq(n, 5, "every free slot of a known schedule starts 15 minutes; got %zu", n);
	free(st);

	n = sched_free_starts(slots, &o, 60, NULL, &st);
	cr_assert_eq(n, 1, "only b has an hour in a row; got %zu", n);
	cr_assert_eq(st[0].owner, 1);
	cr_assert_eq(st[0].n, 2);
	free(st);

	n = sched_free_starts(slots, &o, 15, "WELLNESS", &st);
	cr_assert_eq(n, 5, "slots that name no type fit any type");
	free(st);
	sched_owners_free(&o);
	cJSON_Delete(slots);
}

Test(schedule, free_starts_of_hostile_size)
{
	/* 8,000 free slots, every other one b's, every one a start: each start looks ahead at most
	 * SCHED_BOOK_SLOTS_MAX slots of its own schedule, whatever the other schedules hold. */
	cJSON *slots = cJSON_CreateArray();
	struct sched_owners o;
	struct sched_free_start *st;
	size_t n;

	owners_ab(&o);
	for (int i = 0; i < 8000; i++) {
		char id[16], a[32], b[32];
		int m = i * 5;

		snprintf(id, sizeof id, "s%d", i);
		snprintf(a, sizeof a, "2026-12-%02dT%02d:%02d:00Z", 2 + m / 1440, m / 60 % 24, m % 60);
		m += 5;
		snprintf(b, sizeof b, "2026-12-%02dT%02d:%02d:00Z", 2 + m / 1440, m / 60 % 24, m % 60);
		cJSON_AddItemToArray(slots, free_slot(id, i % 2 ? "Schedule/b" : "Schedule/c", "free", a, b, NULL));
	}
	n = sched_free_starts(slots, &o, 5, NULL, &st);
	cr_assert_eq(n, 4000, "every slot of b starts five minutes; got %zu", n);
	free(st);
	n = sched_free_starts(slots, &o, 10, NULL, &st);
	cr_assert_eq(n, 0, "b's slots are ten minutes apart, never two in a row; got %zu", n);
	free(st);
	sched_owners_free(&o);
	cJSON_Delete(slots);
}

/* --- the flow board ------------------------------------------------------------------ */

static const char board_json[] =
    "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":["
    "{\"resource\":{\"resourceType\":\"Appointment\",\"id\":\"a1\",\"status\":\"booked\","
    "\"start\":\"2026-12-02T09:00:00Z\",\"meta\":{\"lastUpdated\":\"2026-11-30T11:00:00Z\"},"
    "\"participant\":[{\"actor\":{\"reference\":\"Patient/p1\"}}]}},"
    "{\"resource\":{\"resourceType\":\"Appointment\",\"id\":\"a2\",\"status\":\"arrived\","
    "\"start\":\"2026-12-02T08:30:00Z\",\"meta\":{\"lastUpdated\":\"2026-11-30T08:31:00Z\"}}},"
    "{\"resource\":{\"resourceType\":\"Appointment\",\"id\":\"a3\",\"status\":\"cancelled\","
    "\"start\":\"2026-12-02T10:00:00Z\"}},"
    "{\"resource\":{\"resourceType\":\"Appointment\",\"id\":\"a4\",\"status\":\"booked\","
    "\"start\":\"never\",\"meta\":{\"lastUpdated\":\"9999-01-01T00:00:00Z\"}}},"
    "{\"resource\":{\"resourceType\":\"Encounter\",\"id\":\"e1\",\"status\":\"in-progress\","
    "\"meta\":{\"lastUpdated\":\"2026-11-30T11:32:00.5+00:00\"},"
    "\"appointment\":[{\"reference\":\"Appointment/a2\"}],"
    "\"location\":[{\"status\":\"active\",\"location\":{\"display\":\"Room 3\"},"
    "\"physicalType\":{\"coding\":[{\"code\":\"ro\"}]}}]}},"
    "{\"resource\":{\"resourceType\":\"Encounter\",\"id\":\"e2\",\"status\":\"in-progress\","
    "\"appointment\":[{\"reference\":\"Appointment/a2\"}]}},"
    "{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"p1\",\"name\":[{\"family\":\"Quigley\"}]}},"
    "{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"bad id\"}}"
    "]}";

static const struct sched_board_row *
board_row(const struct sched_board *b, const char *id)
{
	for (size_t i = 0; i < b->n; i++)
		if (strcmp(fhir_id_of(b->rows[i].appt), id) == 0)
			return &b->rows[i];
	return NULL;
}

Test(schedule, board_read)
{
	cJSON *set = json(board_json);
	struct date day = { 2026, 12, 2 };
	struct sched_board b;
	const struct sched_board_row *r;
	char *cause = NULL;

	cr_assert_eq(sched_board_read(set, &day, &b, &cause), 0, "%s", cause);
	cr_assert_eq(b.n, 2, "the cancelled one and the one without a time are not on the board");
	cr_assert_eq(cJSON_GetArraySize(b.patients), 1, "a Patient without a valid id is dropped");
	r = board_row(&b, "a1");
	cr_assert_not_null(r);
	cr_assert_str_eq(r->status, "booked");
	cr_assert_null(r->encounter);
	r = board_row(&b, "a2");
	cr_assert_not_null(r);
	cr_assert_str_eq(fhir_id_of(r->encounter), "e1", "the first visit linked to it");
	cr_assert_str_eq(r->status, "in room");
	cr_assert_eq(r->start.hour, 8);
	cr_assert_str_eq(b.since, "2026-11-30T11:32:00.5+00:00",
	    "the newest change of either kind, and not one dated 9999");
	sched_board_free(&b);
	cJSON_Delete(set);

	set = json("{\"resourceType\":\"OperationOutcome\"}");
	cr_assert_eq(sched_board_read(set, &day, &b, &cause), -1);
	cr_assert_str_eq(cause, "the answer is not a search result");
	free(cause);
	cJSON_Delete(set);
}

Test(schedule, board_links_of_hostile_size)
{
	/* 500 appointments and 50,000 encounters: at most 1,000 visits are kept, and each
	 * appointment finds its visit by a sorted index (n log n whatever the server sends). */
	cJSON *set = cJSON_CreateObject(), *entries = cJSON_AddArrayToObject(set, "entry");
	struct date day = { 2026, 12, 2 };
	struct sched_board b;
	char *cause = NULL;

	cJSON_AddStringToObject(set, "resourceType", "Bundle");
	for (int i = 0; i < 500; i++) {
		char buf[256];

		snprintf(buf, sizeof buf, "{\"resource\":{\"resourceType\":\"Appointment\",\"id\":\"a%d\","
		    "\"status\":\"arrived\",\"start\":\"2026-12-02T09:00:00Z\"}}", i);
		cJSON_AddItemToArray(entries, json(buf));
	}
	for (int i = 0; i < 50000; i++) {
		char buf[256];

		snprintf(buf, sizeof buf, "{\"resource\":{\"resourceType\":\"Encounter\",\"id\":\"e%d\","
		    "\"appointment\":[{\"reference\":\"Appointment/a%d\"}]}}", i, i % 1000);
		cJSON_AddItemToArray(entries, json(buf));
	}
	cr_assert_eq(sched_board_read(set, &day, &b, &cause), 0, "%s", cause);
	cr_assert_eq(b.n, 500);
	for (size_t i = 0; i < b.n; i++) {
		char want[16];
		int a = atoi(fhir_id_of(b.rows[i].appt) + 1);

		snprintf(want, sizeof want, "e%d", a);
		cr_assert_str_eq(fhir_id_of(b.rows[i].encounter), want, "a%d: the first visit", a);
	}
	sched_board_free(&b);
	cJSON_Delete(set);
}

Test(schedule, board_apply_keeps_the_day)
{
	cJSON *set = json(board_json);
	cJSON *saved = json("{\"resourceType\":\"Bundle\",\"entry\":["
			    "{\"resource\":{\"resourceType\":\"Appointment\",\"id\":\"a1\",\"status\":"
			    "\"arrived\",\"start\":\"2026-12-02T09:00:00Z\"}},"
			    "{\"resource\":{\"resourceType\":\"Appointment\",\"id\":\"tomorrow\","
			    "\"status\":\"booked\",\"start\":\"2026-12-03T09:00:00Z\"}}]}");
	struct date day = { 2026, 12, 2 };
	struct sched_board b;
	char *cause = NULL;

	cr_assert_eq(sched_board_read(set, &day, &b, &cause), 0);
	cr_assert_eq(sched_board_apply(&b, saved), 1, "tomorrow's appointment is not the board's");
	cr_assert_str_eq(board_row(&b, "a1")->status, "arrived");
	cr_assert_eq(b.n, 2);
	sched_board_free(&b);
	cJSON_Delete(set);
	cJSON_Delete(saved);
}

Test(schedule, board_check_counts_changes)
{
	struct fhir_client *fc = client();
	struct sched_board b = { .day = { 2026, 12, 2 } };
	cJSON *batch, *answer;
	char *text;

	cr_assert_null(sched_board_check_batch(fc, &b, 0), "nothing read yet: nothing to compare");
	snprintf(b.since, sizeof b.since, "2026-12-02T08:32:00Z");
	batch = sched_board_check_batch(fc, &b, 1764666000 /* 2025-12-02T09:00:00Z */);
	cr_assert_not_null(batch);
	text = cJSON_PrintUnformatted(batch);
	cr_assert(strstr(text, "_lastUpdated=gt2026-12-02T08%3A32%3A00Z") != NULL ||
		strstr(text, "_lastUpdated=gt2026-12-02T08:32:00Z") != NULL, "%s", text);
	cr_assert(strstr(text, "le2025-12-02T09") != NULL, "no later than now and the skew: %s", text);
	cr_assert(strstr(text, "_summary=count") != NULL);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(batch, "entry")), 2);
	free(text);
	cJSON_Delete(batch);
	fhir_client_free(&fc);

	answer = json("{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"total\":0}},"
		      "{\"resource\":{\"total\":0}}]}");
	cr_assert_eq(sched_board_changes(answer), 0);
	cJSON_Delete(answer);
	answer = json("{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"total\":2}},"
		      "{\"resource\":{\"resourceType\":\"OperationOutcome\"}}]}");
	cr_assert_eq(sched_board_changes(answer), 3, "a count missing counts as a change");
	cJSON_Delete(answer);
	answer = json("{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"total\":1e300}}]}");
	cr_assert_eq(sched_board_changes(answer), 1, "a count out of range is no count");
	cJSON_Delete(answer);
}

Test(schedule, day_rows_of_hostile_size)
{
	/* One appointment naming 100,000 slots, one of them the day's (twice), and 300 more
	 * appointments than the day keeps: rows built through sorted indexes, bounded. */
	cJSON *resp = cJSON_CreateObject(), *entries = cJSON_AddArrayToObject(resp, "entry");
	cJSON *slots_set = cJSON_CreateObject(), *slots = cJSON_AddArrayToObject(slots_set, "entry");
	cJSON *appts_set = cJSON_CreateObject(), *appts = cJSON_AddArrayToObject(appts_set, "entry");
	cJSON *big = json("{\"resourceType\":\"Appointment\",\"id\":\"big\",\"status\":\"booked\","
			  "\"start\":\"2026-12-02T09:00:00Z\"}");
	cJSON *refs = cJSON_AddArrayToObject(big, "slot");
	struct date day = { 2026, 12, 2 };
	struct sched_day d;
	char *cause = NULL;
	long row;

	cJSON_AddStringToObject(slots_set, "resourceType", "Bundle");
	cJSON_AddStringToObject(appts_set, "resourceType", "Bundle");
	cJSON_AddItemToArray(slots, json("{\"resource\":" "{\"resourceType\":\"Slot\",\"id\":\"s1\","
	    "\"status\":\"busy\",\"start\":\"2026-12-02T09:00:00Z\",\"end\":\"2026-12-02T09:15:00Z\"}}"));
	for (int i = 0; i < 100000; i++) {
		char ref[32];
		cJSON *o = cJSON_CreateObject();

		snprintf(ref, sizeof ref, "Slot/x%d", i == 50000 || i == 70000 ? -1 : i);
		if (i == 50000 || i == 70000)
			snprintf(ref, sizeof ref, "Slot/s1");
		cJSON_AddStringToObject(o, "reference", ref);
		cJSON_AddItemToArray(refs, o);
	}
	{
		cJSON *e = cJSON_CreateObject();

		cJSON_AddItemToObject(e, "resource", big);
		cJSON_AddItemToArray(appts, e);
	}
	for (int i = 0; i < 600; i++) {
		char buf[256];

		snprintf(buf, sizeof buf, "{\"resource\":{\"resourceType\":\"Appointment\",\"id\":\"w%d\","
		    "\"status\":\"booked\",\"start\":\"2026-12-02T10:00:00Z\"}}", i);
		cJSON_AddItemToArray(appts, json(buf));
	}
	{
		cJSON *e1 = cJSON_CreateObject(), *e2 = cJSON_CreateObject();

		cJSON_AddItemToObject(e1, "resource", slots_set);
		cJSON_AddItemToObject(e2, "resource", appts_set);
		cJSON_AddItemToArray(entries, e1);
		cJSON_AddItemToArray(entries, e2);
	}
	cr_assert_eq(sched_day_read(resp, &day, &d, &cause), 0, "%s", cause);
	cr_assert_eq(cJSON_GetArraySize(d.appts), SCHED_DAY_COUNT, "no more appointments than a day holds");
	row = sched_day_find(&d, "Slot/s1");
	cr_assert_geq(row, 0);
	cr_assert_str_eq(fhir_id_of(d.rows[row].appt), "big");
	cr_assert_eq(d.rows[row].nappts, 1, "an appointment naming the slot twice is one booking");
	cr_assert_eq(d.rows[row].marker, SCHED_BOOKED);
	cr_assert_eq(d.n, SCHED_DAY_COUNT, "the slot, and the 299 walk-ins kept with big");
	sched_day_free(&d);
	cJSON_Delete(resp);
}

/* The wrap-up finished the visit; the appointment waits for the front desk's check-out. */
Test(schedule, a_finished_visit_still_arrived_is_seen_until_checked_out)
{
	cJSON *arrived = json("{\"resourceType\":\"Appointment\",\"status\":\"arrived\"}");
	cJSON *checked_in = json("{\"resourceType\":\"Appointment\",\"status\":\"checked-in\"}");
	cJSON *fulfilled = json("{\"resourceType\":\"Appointment\",\"status\":\"fulfilled\"}");
	cJSON *finished = json("{\"resourceType\":\"Encounter\",\"status\":\"finished\"}");
	cJSON *open = json("{\"resourceType\":\"Encounter\",\"status\":\"in-progress\"}");
	cJSON *other = json("{\"resourceType\":\"Appointment\",\"status\":\"finished\"}");

	cr_assert_str_eq(sched_flow_status(arrived, finished), "seen");
	cr_assert_str_eq(sched_flow_status(checked_in, finished), "seen");
	cr_assert_str_eq(sched_flow_status(fulfilled, finished), "done", "checked out");
	cr_assert_str_eq(sched_flow_status(arrived, open), "arrived");
	cr_assert_str_eq(sched_flow_status(arrived, NULL), "arrived");
	cr_assert_str_eq(sched_flow_status(arrived, other), "arrived", "not an Encounter");
	cr_assert_lt(sched_board_group("in room"), sched_board_group("seen"));
	cr_assert_lt(sched_board_group("seen"), sched_board_group("booked"));
	cJSON_Delete(arrived);
	cJSON_Delete(checked_in);
	cJSON_Delete(fulfilled);
	cJSON_Delete(finished);
	cJSON_Delete(open);
	cJSON_Delete(other);
}
