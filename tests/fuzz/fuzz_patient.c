/* Fuzz target: the patient search field, the search URL it makes, and a Patient's view. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>

#include "fhir/fhir.h"
#include "fhir/patient.h"
#include "fuzz.h"

#define FUZZ_BASE "https://fhir.example.org/r4"

static struct fhir_client *client;
static cJSON *patient;
static const struct date today = {2026, 3, 1};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *cause = NULL;

	(void)argc;
	(void)argv;
	/* fhir_search_url only needs the base; no request is ever sent. */
	client = fhir_client_new(NULL, FUZZ_BASE, &cause);
	patient = cJSON_Parse("{\"resourceType\":\"Patient\",\"identifier\":[{\"value\":\"8013\"},"
	                      "{\"value\":\"MRN-00-4711\"},{\"value\":7}]}");
	if (client == NULL || patient == NULL) {
		fprintf(stderr, "fuzz-patient: cannot start: %s\n", cause ? cause : "no JSON");
		exit(1);
	}
	return 0;
}

/* A string member of the query: ended inside its array, as the struct promises. */
static void
check_text(const char *s)
{
	FUZZ_CHECK(memchr(s, '\0', PATIENT_QUERY_TEXT) != NULL);
}

static void
check_query(const struct patient_query *q)
{
	struct date d;
	char *cause = NULL, iso[DATE_BUF_SIZE];

	FUZZ_CHECK(q->nwords <= PATIENT_QUERY_WORDS);
	for (size_t i = 0; i < PATIENT_QUERY_WORDS; i++)
		check_text(q->words[i]);
	check_text(q->value);
	switch (q->kind) {
	case PATIENT_QUERY_EMPTY:
		break;
	case PATIENT_QUERY_NAME:
		FUZZ_CHECK(q->nwords >= 1);
		for (size_t i = 0; i < q->nwords; i++)
			FUZZ_CHECK(q->words[i][0] != '\0');
		break;
	case PATIENT_QUERY_FAMILY_GIVEN:
		FUZZ_CHECK(q->nwords == 1 || q->nwords == 2);
		FUZZ_CHECK(q->words[0][0] != '\0');
		break;
	case PATIENT_QUERY_BIRTHDATE:
		/* A real date, written ISO: what birthdate= takes. */
		FUZZ_CHECK(date_parse(q->value, &today, &d, &cause) == 0 && date_valid(&d));
		date_format_iso(&d, iso, sizeof iso);
		FUZZ_CHECK(strcmp(iso, q->value) == 0);
		break;
	case PATIENT_QUERY_IDENTIFIER:
	case PATIENT_QUERY_PHONE:
		FUZZ_CHECK(q->value[0] != '\0');
		break;
	case PATIENT_QUERY_SHORT:
		FUZZ_CHECK(isupper((unsigned char)q->initial));
		FUZZ_CHECK(strlen(q->value) == 4 && strspn(q->value, "0123456789") == 4);
		break;
	default:
		FUZZ_CHECK(!"a kind patient.h names");
	}
}

/* The URL the search GETs: the base, /Patient, and a query where every value is encoded. */
static void
check_search(const struct patient_query *q)
{
	static const char safe_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                                 "0123456789-._~%=&";
	struct fhir_search *s = patient_query_search(q, 20);
	char *url = fhir_search_url(client, s);
	const char *query;

	FUZZ_CHECK(url != NULL);
	FUZZ_CHECK(strncmp(url, FUZZ_BASE "/Patient?", sizeof FUZZ_BASE "/Patient?" - 1) == 0);
	query = url + sizeof FUZZ_BASE "/Patient?" - 1;
	/* No typed character reaches the URL raw: no injected parameter, fragment or space. */
	FUZZ_CHECK(strspn(query, safe_chars) == strlen(query));
	FUZZ_CHECK(strstr(query, "_count=20") != NULL);
	free(url);
	fhir_search_free(&s);
	FUZZ_CHECK(s == NULL);
}

/*
 * The other way: TEXT as what a server sends in each field a search row reads, so short
 * inputs reach patient_view_read's handling of birth dates, names, MRNs and phones.
 */
static void
check_view(const char *text)
{
	cJSON *p = cJSON_CreateObject(), *name = cJSON_CreateObject(), *id = cJSON_CreateObject();
	cJSON *coding = cJSON_CreateObject(), *tel = cJSON_CreateObject();

	cJSON_AddStringToObject(p, "resourceType", "Patient");
	cJSON_AddStringToObject(p, "birthDate", text);
	cJSON_AddStringToObject(p, "gender", text);
	cJSON_AddStringToObject(name, "family", text);
	cJSON_AddItemToObject(name, "given", cJSON_CreateStringArray(&text, 1));
	cJSON_AddItemToObject(p, "name", cJSON_CreateArray());
	cJSON_AddItemToArray(cJSON_GetObjectItem(p, "name"), name);
	cJSON_AddStringToObject(coding, "code", "MR");
	cJSON_AddItemToObject(id, "type", cJSON_CreateObject());
	cJSON_AddItemToObject(cJSON_GetObjectItem(id, "type"), "coding", cJSON_CreateArray());
	cJSON_AddItemToArray(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(id, "type"), "coding"), coding);
	cJSON_AddStringToObject(id, "value", text);
	cJSON_AddItemToObject(p, "identifier", cJSON_CreateArray());
	cJSON_AddItemToArray(cJSON_GetObjectItem(p, "identifier"), id);
	cJSON_AddStringToObject(tel, "system", "phone");
	cJSON_AddStringToObject(tel, "value", text);
	cJSON_AddItemToObject(p, "telecom", cJSON_CreateArray());
	cJSON_AddItemToArray(cJSON_GetObjectItem(p, "telecom"), tel);
	fuzz_check_patient_view(p, &today);
	cJSON_Delete(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), *cause = NULL;
	struct patient_query q;

	check_view(text);
	if (patient_query_parse(text, &today, &q, &cause) != 0) {
		FUZZ_CHECK(cause != NULL && cause[0] != '\0');
		free(cause);
		free(text);
		return 0;
	}
	FUZZ_CHECK(cause == NULL);
	check_query(&q);
	check_search(&q);
	/* Every kind but the VistA short form is answered exactly by the server. */
	FUZZ_CHECK(patient_query_accepts(&q, patient) || q.kind == PATIENT_QUERY_SHORT);
	free(text);
	return 0;
}
