/*
 * Unit tests for the clinician's landing: who is logged in (the Practitioner the
 * certificate's CN names, a clinician when a Schedule names it), the day's search, and
 * the board's order that the landing and the flow board share.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/chart.h"
#include "fhir/encounter.h"
#include "fhir/schedule.h"
#include "ui/pager.h"
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
	cr_assert_eq(sched_board_group("arrived"), SCHED_GROUP_ARRIVED);
	cr_assert_eq(sched_board_group("seen"), SCHED_GROUP_SEEN, "wrapped up, before the booked");
	cr_assert_eq(sched_board_group("booked"), SCHED_GROUP_BOOKED);
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

/* --- a note's text ------------------------------------------------------------------------ */

#define NOTE(content)                                                                         \
	"{\"resourceType\":\"DocumentReference\",\"id\":\"n1\",\"status\":\"current\","       \
	"\"subject\":{\"reference\":\"Patient/p1\"},\"content\":[" content "]}"

static char *
binary_of(const char *doc, const char *base, char **why)
{
	cJSON *j = parse(doc);
	char *ref = chart_note_binary(j, base, why);

	cJSON_Delete(j);
	return ref;
}

Test(notes, a_text_held_in_a_binary_is_read_by_its_reference)
{
	char *why = NULL, *ref;

	ref = binary_of(NOTE("{\"attachment\":{\"contentType\":\"text/plain\",\"url\":\"Binary/b1\"}}"),
	    "https://ehr.example/fhir", &why);
	cr_assert_str_eq(ref, "Binary/b1");
	cr_assert_null(why);
	free(ref);
	/* The server's own absolute URL reads the same. */
	ref = binary_of(NOTE("{\"attachment\":{\"contentType\":\"text/plain\","
			     "\"url\":\"https://ehr.example/fhir/Binary/b2\"}}"),
	    "https://ehr.example/fhir", &why);
	cr_assert_str_eq(ref, "Binary/b2");
	free(ref);
	/* A PDF first and plain text after: the text is what a terminal shows. */
	ref = binary_of(NOTE("{\"attachment\":{\"contentType\":\"application/pdf\",\"url\":\"Binary/pdf\"}},"
			     "{\"attachment\":{\"contentType\":\"text/plain\",\"url\":\"Binary/txt\"}}"),
	    NULL, &why);
	cr_assert_str_eq(ref, "Binary/txt");
	free(ref);
}

Test(notes, another_server_s_binary_is_not_read_and_says_why)
{
	char *why = NULL;

	cr_assert_null(binary_of(NOTE("{\"attachment\":{\"contentType\":\"text/plain\","
				      "\"url\":\"https://evil.example/fhir/Binary/b1\"}}"),
	    "https://ehr.example/fhir", &why));
	cr_assert_not_null(why);
	cr_assert_not_null(strstr(why, "another server"), "%s", why);
	free(why);
	/* Not a valid id: nothing is asked for. */
	why = NULL;
	cr_assert_null(binary_of(NOTE("{\"attachment\":{\"url\":\"Binary/../Patient/x\"}}"), NULL, &why));
	free(why);
}

Test(notes, an_inline_text_is_not_read_apart)
{
	char *why = NULL;

	cr_assert_null(binary_of(NOTE("{\"attachment\":{\"contentType\":\"text/plain\","
				      "\"data\":\"aGk=\",\"url\":\"Binary/b1\"}}"),
	    NULL, &why));
	cr_assert_null(why);
	cr_assert_null(binary_of(NOTE(""), NULL, &why));
	cr_assert_null(why);
}

/* The "Text" lines of chart_details for DOC (a note of patient p1). */
static char *
text_lines(const char *doc)
{
	cJSON *j = parse(doc);
	struct chart_detail *d;
	size_t n;
	char *cause = NULL, *out = xstrdup("");

	cr_assert_eq(chart_details(j, CHART_NOTES, "p1", "n1", &d, &n, &cause), 0, "%s", cause);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(d[i].label, "Text") == 0) {
			char *more = xasprintf("%s%s|", out, d[i].value);

			free(out);
			out = more;
		}
	}
	chart_details_free(d, n);
	cJSON_Delete(j);
	return out;
}

Test(notes, a_note_without_a_body_says_so)
{
	char *t = text_lines(NOTE(""));

	cr_assert_str_eq(t, "(this note has no text)|");
	free(t);
	/* The text held apart adds no line here: the screen reads it. */
	t = text_lines(NOTE("{\"attachment\":{\"contentType\":\"text/plain\",\"url\":\"Binary/b1\"}}"));
	cr_assert_str_eq(t, "");
	free(t);
	/* Inline text: a line per line, CRLF too. "S: ok\r\nA: fine" */
	t = text_lines(NOTE("{\"attachment\":{\"contentType\":\"text/plain\",\"data\":\"Uzogb2sNCkE6IGZpbmU=\"}}"));
	cr_assert_str_eq(t, "S: ok|A: fine|");
	free(t);
}

static char *
body_of(const char *binary, const char *ref, int *rc)
{
	cJSON *j = parse(binary);
	struct chart_detail *d = NULL;
	size_t n = 0;
	char *cause = NULL, *out = xstrdup("");

	*rc = chart_note_text(j, ref, &d, &n, &cause);
	for (size_t i = 0; i < n; i++) {
		char *more = xasprintf("%s%s:%s|", out, d[i].label, d[i].value);

		free(out);
		out = more;
	}
	if (cause != NULL) {
		char *more = xasprintf("%scause:%s", out, cause);

		free(out);
		out = more;
		free(cause);
	}
	chart_details_free(d, n);
	cJSON_Delete(j);
	return out;
}

Test(notes, a_binary_s_text_is_decoded_line_by_line)
{
	int rc;
	/* "HPI: seen.\nPlan: \x1b]0;pwned\x07rest" */
	char *t = body_of("{\"resourceType\":\"Binary\",\"id\":\"b1\",\"contentType\":\"text/plain; "
			  "charset=utf-8\",\"data\":\"SFBJOiBzZWVuLgpQbGFuOiAbXTA7cHduZWQHcmVzdA==\"}",
	    "Binary/b1", &rc);

	cr_assert_eq(rc, 0);
	/* Raw, as every server string: the pager makes it safe when it draws. */
	cr_assert_str_eq(t, "Text:HPI: seen.|Text:Plan: \x1b]0;pwned\x07rest|");
	free(t);
}

Test(notes, a_binary_that_is_not_the_one_asked_for_or_not_text_is_refused_or_named)
{
	int rc;
	char *t = body_of("{\"resourceType\":\"Binary\",\"id\":\"other\",\"contentType\":\"text/plain\","
			  "\"data\":\"aGk=\"}",
	    "Binary/b1", &rc);

	cr_assert_eq(rc, -1);
	cr_assert_not_null(strstr(t, "cause:"), "%s", t);
	free(t);
	t = body_of("{\"resourceType\":\"Patient\",\"id\":\"b1\"}", "Binary/b1", &rc);
	cr_assert_eq(rc, -1);
	free(t);
	t = body_of("{\"resourceType\":\"Binary\",\"id\":\"b1\",\"contentType\":\"application/pdf\","
		    "\"data\":\"aGk=\"}",
	    "Binary/b1", &rc);
	cr_assert_eq(rc, 0);
	cr_assert_str_eq(t, "Text:(a application/pdf document: not shown here)|");
	free(t);
	t = body_of("{\"resourceType\":\"Binary\",\"id\":\"b1\",\"contentType\":\"text/plain\","
		    "\"data\":\"not base64!\"}",
	    "Binary/b1", &rc);
	cr_assert_eq(rc, 0);
	cr_assert_str_eq(t, "Text:(not readable: the attachment is not base64)|");
	free(t);
	t = body_of("{\"resourceType\":\"Binary\",\"id\":\"b1\",\"contentType\":\"text/plain\"}",
	    "Binary/b1", &rc);
	cr_assert_str_eq(t, "Text:(the note's text is empty)|");
	free(t);
}

Test(notes, a_huge_binary_is_decoded_only_to_its_bound)
{
	/* 4 MB of base64 "AAAA" (zero bytes) and newlines: the lines stay bounded. */
	size_t len = 4u << 20;
	char *data = xmalloc(len + 1);
	cJSON *j = cJSON_CreateObject();
	struct chart_detail *d = NULL;
	size_t n = 0;
	char *cause = NULL;

	for (size_t i = 0; i < len; i += 4)
		memcpy(data + i, "Cgo=", 4); /* "\n\n" */
	data[len] = '\0';
	cJSON_AddStringToObject(j, "resourceType", "Binary");
	cJSON_AddStringToObject(j, "id", "b1");
	cJSON_AddStringToObject(j, "contentType", "text/plain");
	cJSON_AddStringToObject(j, "data", data);
	cr_assert_eq(chart_note_text(j, "Binary/b1", &d, &n, &cause), 0);
	cr_assert_leq(n, CHART_DETAILS_MAX);
	chart_details_free(d, n);
	cJSON_Delete(j);
	free(data);
}

Test(notes, the_pager_wraps_a_long_line_at_spaces_under_its_label)
{
	struct ui_pager p;

	ui_pager_init(&p);
	cr_assert_eq(ui_pager_add_wrapped(&p, "Text ", "one two three four five six", 20, 10), 2);
	cr_assert_str_eq(p.text.v[0], "Text one two three");
	cr_assert_str_eq(p.text.v[1], "     four five six");
	/* A word longer than the line is cut; control characters never pass. */
	cr_assert_eq(ui_pager_add_wrapped(&p, "T ", "abcdefghijklmnopqrstuvwxyz", 12, 10), 3);
	cr_assert_str_eq(p.text.v[2], "T abcdefghij");
	cr_assert_eq(ui_pager_add_wrapped(&p, "", "a\x1b]0;x\x07b", 40, 10), 1);
	cr_assert_null(strchr(p.text.v[5], '\x1b'));
	/* At most MAX lines, whatever the length. */
	cr_assert_eq(ui_pager_add_wrapped(&p, "", "a a a a a a a a a a a a a a a a a a a a a a a a", 10, 2), 2);
	/* Nothing is still one line: the label shows. */
	cr_assert_eq(ui_pager_add_wrapped(&p, "Text ", "", 20, 10), 1);
	ui_pager_free(&p);
}

/* --- the visits ----------------------------------------------------------------------------- */

#define VISIT(id, patient, extra)                                                             \
	"{\"search\":{\"mode\":\"match\"},\"resource\":{\"resourceType\":\"Encounter\",\"id\":\"" id \
	"\",\"status\":\"finished\",\"subject\":{\"reference\":\"Patient/" patient "\"},"        \
	"\"period\":{\"start\":\"2020-10-01T05:26:09+00:00\"}" extra "}}"
#define DOCTOR(id)                                                                            \
	"{\"search\":{\"mode\":\"include\"},\"resource\":{\"resourceType\":\"Practitioner\",\"id\":\"" id \
	"\",\"name\":[{\"family\":\"Okafor\",\"given\":[\"Amara\"],\"prefix\":[\"Dr.\"]}]}}"

static int
page_of(const char *entries, struct encounter_page *p, char **cause)
{
	char *text = xasprintf("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[%s]}",
	    entries);
	cJSON *b = parse(text);
	int rc = encounter_page_read(b, "p1", p, cause);

	cJSON_Delete(b);
	free(text);
	return rc;
}

Test(visits, a_visit_names_its_practitioner_from_the_practitioner_resource)
{
	struct encounter_page p;
	char *cause = NULL;

	cr_assert_eq(page_of(VISIT("e1", "p1",
				 ",\"type\":[{\"text\":\"Office visit\"}],\"reasonCode\":[{\"coding\":[{\"display\":"
				 "\"Cough\"}]}],\"participant\":[{\"individual\":{\"reference\":\"Practitioner/d1\","
				 "\"display\":\"Someone Else\"}}]") "," DOCTOR("d1"),
		     &p, &cause),
	    0, "%s", cause);
	cr_assert_eq(p.n, 1);
	cr_assert_str_eq(p.rows[0].id, "e1");
	cr_assert_str_eq(p.rows[0].date, "2020-10-01 05:26");
	cr_assert_str_eq(p.rows[0].type, "Office visit");
	cr_assert_str_eq(p.rows[0].reason, "Cough");
	cr_assert_str_eq(p.rows[0].provider, "Dr. Amara Okafor");
	cr_assert(p.rows[0].provider_checked);
	cr_assert_str_eq(p.rows[0].status, "finished");
	encounter_page_clear(&p);
}

Test(visits, a_display_alone_is_marked_as_not_checked)
{
	struct encounter_page p;
	char *cause = NULL;

	cr_assert_eq(page_of(VISIT("e1", "p1", ",\"participant\":[{\"individual\":{\"reference\":"
					       "\"Practitioner/gone\",\"display\":\"Dr. Who\"}}]"),
		     &p, &cause),
	    0, "%s", cause);
	cr_assert_str_eq(p.rows[0].provider, "Dr. Who (name not checked)");
	cr_assert_not(p.rows[0].provider_checked);
	cr_assert_str_eq(p.rows[0].type, "Visit");
	encounter_page_clear(&p);
}

Test(visits, another_patient_s_visit_refuses_the_page_and_entered_in_error_is_left_out)
{
	struct encounter_page p;
	char *cause = NULL;

	cr_assert_eq(page_of(VISIT("e1", "p1", "") "," VISIT("e2", "p2", ""), &p, &cause), -1);
	cr_assert_not_null(strstr(cause, "another patient"), "%s", cause);
	cr_assert_eq(p.n, 0);
	free(cause);
	cause = NULL;
	cr_assert_eq(page_of("{\"resource\":{\"resourceType\":\"Encounter\",\"id\":\"e1\","
			     "\"status\":\"entered-in-error\",\"subject\":{\"reference\":\"Patient/p1\"}}},"
			     VISIT("e2", "p1", ""),
		     &p, &cause),
	    0);
	cr_assert_eq(p.n, 1);
	cr_assert_str_eq(p.rows[0].id, "e2");
	encounter_page_clear(&p);
	cr_assert_eq(encounter_page_read(NULL, "p1", &p, &cause), -1);
	free(cause);
}

Test(visits, many_practitioners_join_in_bounded_time)
{
	/* 400 visits and 400 practitioners: a sorted index, every visit named. */
	cJSON *b = parse("{\"resourceType\":\"Bundle\",\"entry\":[]}");
	cJSON *entries = cJSON_GetObjectItem(b, "entry");
	struct encounter_page p;
	char *cause = NULL;

	for (int i = 0; i < 400; i++) {
		char *v = xasprintf("{\"resource\":{\"resourceType\":\"Encounter\",\"id\":\"e%d\","
				    "\"subject\":{\"reference\":\"Patient/p1\"},\"participant\":[{"
				    "\"individual\":{\"reference\":\"Practitioner/d%d\"}}]}}",
		    i, 399 - i);
		char *d = xasprintf("{\"resource\":{\"resourceType\":\"Practitioner\",\"id\":\"d%d\","
				    "\"name\":[{\"text\":\"Doctor %d\"}]}}",
		    i, i);

		cJSON_AddItemToArray(entries, parse(v));
		cJSON_AddItemToArray(entries, parse(d));
		free(v);
		free(d);
	}
	cr_assert_eq(encounter_page_read(b, "p1", &p, &cause), 0, "%s", cause);
	cr_assert_eq(p.n, ENCOUNTER_PAGE_MAX, "a page keeps at most ENCOUNTER_PAGE_MAX visits");
	cr_assert_str_eq(p.rows[0].provider, "Doctor 399");
	cr_assert_str_eq(p.rows[199].provider, "Doctor 200");
	encounter_page_clear(&p);
	cJSON_Delete(b);
}

Test(visits, a_visit_is_one_batch_of_its_diagnoses_vitals_and_notes)
{
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	cJSON *batch = encounter_visit_batch(fc, "p1", "e1");
	cJSON *entries = cJSON_GetObjectItem(batch, "entry");
	static const char *const starts[] = { "Condition?", "Observation?", "DocumentReference?" };

	cr_assert_eq(cJSON_GetArraySize(entries), 3);
	for (int i = 0; i < 3; i++) {
		const char *url = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(entries, i),
		    "request"), "url")->valuestring;

		cr_assert(strncmp(url, starts[i], strlen(starts[i])) == 0, "%s", url);
		cr_assert_not_null(strstr(url, "patient=p1"), "%s", url);
		cr_assert_not_null(strstr(url, "encounter=Encounter%2Fe1"), "%s", url);
		cr_assert_not_null(strstr(url, "_count="), "%s", url);
	}
	cJSON_Delete(batch);
	fhir_client_free(&fc);
}

/* The lines of a visit's batch-response made of the three ENTRIES. */
static char *
visit_lines(const char *entries, int *rc)
{
	char *text = xasprintf("{\"resourceType\":\"Bundle\",\"type\":\"batch-response\",\"entry\":[%s]}",
	    entries);
	cJSON *b = parse(text);
	struct chart_detail *d;
	size_t n;
	char *cause = NULL, *out = xstrdup("");

	*rc = encounter_visit_read(b, "p1", &d, &n, &cause);
	for (size_t i = 0; *rc == 0 && i < n; i++) {
		char *more = xasprintf("%s%s=%s|", out, d[i].label, d[i].value);

		free(out);
		out = more;
	}
	if (*rc == 0)
		chart_details_free(d, n);
	free(cause);
	cJSON_Delete(b);
	free(text);
	return out;
}

#define OK_SET(entries)                                                                        \
	"{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":\"Bundle\","       \
	"\"type\":\"searchset\",\"entry\":[" entries "]}}"

Test(visits, a_visit_shows_each_section_or_says_why_not)
{
	int rc;
	char *t = visit_lines(
	    OK_SET("{\"resource\":{\"resourceType\":\"Condition\",\"id\":\"c1\",\"subject\":{\"reference\":"
		   "\"Patient/p1\"},\"code\":{\"text\":\"Viral sinusitis\",\"coding\":[{\"system\":"
		   "\"http://hl7.org/fhir/sid/icd-10-cm\",\"code\":\"J01.90\"}]}}}") ","
	    OK_SET("{\"resource\":{\"resourceType\":\"Observation\",\"id\":\"o1\",\"status\":\"final\","
		   "\"subject\":{\"reference\":\"Patient/p2\"},\"code\":{\"coding\":[{\"system\":"
		   "\"http://loinc.org\",\"code\":\"8867-4\"}]},\"valueQuantity\":{\"value\":66,"
		   "\"unit\":\"/min\"}}}") ","
	    "{\"response\":{\"status\":\"500 Internal Server Error\"}}",
	    &rc);

	cr_assert_eq(rc, 0);
	cr_assert_not_null(strstr(t, "Diagnosis=Viral sinusitis (J01.90)|"), "%s", t);
	/* The vital signs held another patient's: not one of them shows. */
	cr_assert_not_null(strstr(t, "Vital sign=the server answered with another patient's data"), "%s", t);
	cr_assert_null(strstr(t, "66"), "%s", t);
	cr_assert_not_null(strstr(t, "Note="), "%s", t);
	free(t);
	t = visit_lines(OK_SET("") "," OK_SET("") "," OK_SET(""), &rc);
	cr_assert_eq(rc, 0);
	cr_assert_str_eq(t, "Diagnosis=none recorded at this visit|Vital sign=none recorded at this "
			    "visit|Note=none written for this visit|");
	free(t);
	t = visit_lines(OK_SET(""), &rc);
	cr_assert_eq(rc, -1, "an answer of one entry is not the visit's");
	free(t);
}
