/*
 * Unit tests for the clinician's landing: who is logged in (the Practitioner the
 * certificate's CN names, a clinician when a Schedule names it), the day's search, and
 * the board's order that the landing and the flow board share.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/schedule.h"
#include "util/xmalloc.h"

static cJSON *
parse(const char *text)
{
	cJSON *j = cJSON_Parse(text);

	cr_assert_not_null(j, "not JSON: %s", text);
	return j;
}

#define PRACTITIONER(id, cn)                                                                 \
	"{\"resource\":{\"resourceType\":\"Practitioner\",\"id\":\"" id "\",\"identifier\":[" \
	"{\"system\":\"urn:ehrterm:sandbox:staff\",\"value\":\"S-1\"},"                       \
	"{\"system\":\"urn:ehrterm:cert-cn\",\"value\":\"" cn "\"}]}}"
#define SCHEDULE(actor)                                                                     \
	"{\"resource\":{\"resourceType\":\"Schedule\",\"id\":\"s1\",\"actor\":["              \
	"{\"reference\":\"Location/loc-main\"},{\"reference\":\"" actor "\"}]}}"

static char *
me(const char *entries, const char *cn)
{
	char *text = xasprintf("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[%s]}",
	    entries);
	cJSON *b = parse(text);
	char *out = sched_me_read(b, cn);

	cJSON_Delete(b);
	free(text);
	return out;
}

Test(landing, the_clinician_is_the_practitioner_of_the_certificate_with_a_schedule)
{
	char *got = me(PRACTITIONER("clinician", "clinician") "," SCHEDULE("Practitioner/clinician"),
	    "clinician");

	cr_assert_str_eq(got != NULL ? got : "(null)", "Practitioner/clinician");
	free(got);
}

Test(landing, a_practitioner_with_no_schedule_is_not_a_clinician)
{
	/* The front desk: a Practitioner, but nobody's appointments are with it. */
	cr_assert_null(me(PRACTITIONER("frontdesk", "frontdesk"), "frontdesk"));
	/* A schedule of someone else does not make one. */
	cr_assert_null(me(PRACTITIONER("frontdesk", "frontdesk") "," SCHEDULE("Practitioner/clinician"),
	    "frontdesk"));
}

Test(landing, only_the_certificate_s_own_cn_counts)
{
	/* A server that ignores the identifier parameter: the other user's record is not this one. */
	cr_assert_null(me(PRACTITIONER("clinician", "clinician") "," SCHEDULE("Practitioner/clinician"),
	    "frontdesk"));
	/* Two practitioners claiming one certificate: nobody's day is shown as this user's. */
	cr_assert_null(me(PRACTITIONER("a", "clinician") "," PRACTITIONER("b", "clinician") ","
			      SCHEDULE("Practitioner/a"),
	    "clinician"));
	cr_assert_null(me(PRACTITIONER("clinician", "clinician") "," SCHEDULE("Practitioner/clinician"),
	    ""));
	cr_assert_null(me(PRACTITIONER("clinician", "clinician") "," SCHEDULE("Practitioner/clinician"),
	    NULL));
}

Test(landing, anything_but_a_bundle_is_nobody)
{
	cJSON *j = parse("{\"resourceType\":\"OperationOutcome\",\"entry\":[" PRACTITIONER("clinician",
	    "clinician") "," SCHEDULE("Practitioner/clinician") "]}");

	cr_assert_null(sched_me_read(j, "clinician"));
	cr_assert_null(sched_me_read(NULL, "clinician"));
	cJSON_Delete(j);
}

Test(landing, a_schedule_with_huge_actor_arrays_is_read_in_bounded_time)
{
	/* 100,000 actors before the practitioner's: only the first are looked at. */
	cJSON *b = parse("{\"resourceType\":\"Bundle\",\"entry\":[" PRACTITIONER("clinician", "clinician")
	    "]}");
	cJSON *sched = parse("{\"resource\":{\"resourceType\":\"Schedule\",\"id\":\"s\",\"actor\":[]}}");
	cJSON *actors = cJSON_GetObjectItem(cJSON_GetObjectItem(sched, "resource"), "actor");

	for (int i = 0; i < 100000; i++) {
		cJSON *a = cJSON_CreateObject();

		cJSON_AddStringToObject(a, "reference", "Location/x");
		cJSON_AddItemToArray(actors, a);
	}
	{
		cJSON *a = cJSON_CreateObject();

		cJSON_AddStringToObject(a, "reference", "Practitioner/clinician");
		cJSON_AddItemToArray(actors, a);
	}
	cJSON_AddItemToArray(cJSON_GetObjectItem(b, "entry"), sched);
	cr_assert_null(sched_me_read(b, "clinician"));
	cJSON_Delete(b);
}

Test(landing, the_searches_ask_for_the_certificate_and_the_practitioner_s_day)
{
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	struct fhir_search *q = sched_me_search("clinician");
	struct date day = { 2026, 12, 2 };
	char *url = fhir_search_relative(fc, q);

	cr_assert_str_eq(url,
	    "Practitioner?identifier=urn%3Aehrterm%3Acert-cn%7Cclinician&_revinclude=Schedule%3Aactor");
	free(url);
	fhir_search_free(&q);
	q = sched_mine_search(&day, "Practitioner/clinician");
	url = fhir_search_relative(fc, q);
	cr_assert_not_null(strstr(url, "practitioner=Practitioner%2Fclinician"), "%s", url);
	cr_assert_not_null(strstr(url, "_include=Appointment%3Apatient"), "%s", url);
	cr_assert_not_null(strstr(url, "_revinclude=Encounter%3Aappointment"), "%s", url);
	cr_assert_not_null(strstr(url, "date=ge2026-12-02"), "%s", url);
	free(url);
	fhir_search_free(&q);
	fhir_client_free(&fc);
}

/* An appointment of the board at HH:MM with STATUS, and an encounter at a room when ROOM. */
static void
add_appt(cJSON *entries, const char *id, const char *hhmm, const char *status, bool room)
{
	char *text = xasprintf("{\"resource\":{\"resourceType\":\"Appointment\",\"id\":\"%s\","
			       "\"status\":\"%s\",\"start\":\"2026-12-02T%s:00Z\",\"participant\":["
			       "{\"actor\":{\"reference\":\"Patient/p-%s\"}}]}}",
	    id, status, hhmm, id);

	cJSON_AddItemToArray(entries, parse(text));
	free(text);
	if (room) {
		text = xasprintf("{\"resource\":{\"resourceType\":\"Encounter\",\"id\":\"e-%s\","
				 "\"status\":\"in-progress\",\"appointment\":[{\"reference\":"
				 "\"Appointment/%s\"}],\"location\":[{\"status\":\"active\","
				 "\"location\":{\"display\":\"Room 2\"},\"physicalType\":{\"coding\":"
				 "[{\"code\":\"ro\"}]}}]}}",
		    id, id);
		cJSON_AddItemToArray(entries, parse(text));
		free(text);
	}
}

Test(landing, the_day_lists_arrived_and_in_room_first_then_booked_then_the_rest)
{
	cJSON *b = parse("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[]}");
	cJSON *entries = cJSON_GetObjectItem(b, "entry");
	struct date day = { 2026, 12, 2 };
	struct sched_board board;
	char *cause = NULL;
	static const char *const want[][2] = {
		{ "arr", "arrived" }, { "room", "in room" }, { "b1", "booked" }, { "b2", "booked" },
		{ "done", "done" }, { "ns", "no-show" }, { "odd", "waitlist" },
	};

	add_appt(entries, "odd", "08:00", "waitlist", false);
	add_appt(entries, "done", "08:30", "fulfilled", false);
	add_appt(entries, "b2", "11:15", "booked", false);
	add_appt(entries, "ns", "09:00", "noshow", false);
	add_appt(entries, "b1", "10:00", "booked", false);
	add_appt(entries, "gone", "10:30", "cancelled", false);
	add_appt(entries, "room", "09:30", "arrived", true);
	add_appt(entries, "arr", "13:00", "arrived", false);
	cr_assert_eq(sched_board_read(b, &day, &board, &cause), 0, "%s", cause);
	sched_board_sort(&board);
	cr_assert_eq(board.n, 7, "the cancelled one is left out: %zu rows", board.n);
	for (size_t i = 0; i < board.n; i++) {
		cr_expect_str_eq(fhir_id_of(board.rows[i].appt), want[i][0], "row %zu", i);
		cr_expect_str_eq(board.rows[i].status, want[i][1], "row %zu", i);
	}
	cr_assert_eq(sched_board_group("arrived"), 0);
	cr_assert_eq(sched_board_group("booked"), 2);
	cr_assert_eq(sched_board_group("waitlist"), SCHED_BOARD_GROUPS);
	cr_assert_eq(sched_board_group(NULL), SCHED_BOARD_GROUPS);
	sched_board_free(&board);
	cJSON_Delete(b);
}

Test(landing, an_empty_day_sorts_without_rows)
{
	cJSON *b = parse("{\"resourceType\":\"Bundle\",\"type\":\"searchset\"}");
	struct date day = { 2026, 12, 2 };
	struct sched_board board;
	char *cause = NULL;

	cr_assert_eq(sched_board_read(b, &day, &board, &cause), 0, "%s", cause);
	sched_board_sort(&board);
	cr_assert_eq(board.n, 0);
	sched_board_free(&board);
	cJSON_Delete(b);
}
