/* Charting, writing problems: add one, coded or marked uncoded, with a duplicate warning. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fhir/problem.h"
#include "util/xmalloc.h"

#define ICD10CM "http://hl7.org/fhir/sid/icd-10-cm"
/* Marks a problem typed without a code, so a coder can find the ones to code. */
#define UNCODED_TAG "urn:ehrterm:uncoded"

static bool
blank(const char *s)
{
	return s == NULL || s[strspn(s, " ")] == '\0';
}

/*
 * CODE as ICD-10-CM writes it (upper case) into OUT, or false when it is not the shape
 * of one: a letter, two characters, then a point and one to four more.
 */
static bool
icd10cm_code(const char *code, char out[16])
{
	size_t n = strlen(code), i;

	if (n < 3 || n > 8 || !isalpha((unsigned char)code[0]) ||
	    !isdigit((unsigned char)code[1]) || !isalnum((unsigned char)code[2]))
		return false;
	if (n > 3 && (code[3] != '.' || n == 4))
		return false;
	for (i = 0; i < n; i++) {
		if (i != 3 && !isalnum((unsigned char)code[i]))
			return false;
		out[i] = (char)toupper((unsigned char)code[i]);
	}
	out[n] = '\0';
	return true;
}

struct fhir_plan *
problem_add_plan(const char *patient, const struct problem_input *in,
    const struct record_list *active, const char *request_id, bool anyway, bool *duplicate,
    char **cause)
{
	struct fhir_plan *p;
	cJSON *c, *code;
	const char *text;
	char icd[16] = "";

	*duplicate = false;
	if (blank(patient) || blank(request_id)) {
		*cause = xstrdup("the problem lacks the patient or a request identifier");
		return NULL;
	}
	if (blank(in->text)) {
		*cause = xstrdup("type the problem in words");
		return NULL;
	}
	text = in->text + strspn(in->text, " ");
	if (!blank(in->icd10cm) && !icd10cm_code(in->icd10cm + strspn(in->icd10cm, " "), icd)) {
		*cause = xasprintf("%s is not an ICD-10-CM code (such as E11.9)", in->icd10cm);
		return NULL;
	}
	for (size_t i = 0; i < active->n && !anyway; i++) {
		const struct record_entry *e = &active->items[i];

		if (strcasecmp(e->what, text) == 0 || (*icd && strcasecmp(e->code, icd) == 0)) {
			*duplicate = true;
			*cause = xasprintf("%s (%s) is on the problem list already", e->what, e->detail);
			return NULL;
		}
	}
	code = cJSON_CreateObject();
	if (*icd) {
		cJSON *coding = cJSON_CreateObject();

		cJSON_AddStringToObject(coding, "system", ICD10CM);
		cJSON_AddStringToObject(coding, "code", icd);
		cJSON_AddItemToArray(cJSON_AddArrayToObject(code, "coding"), coding);
	}
	cJSON_AddStringToObject(code, "text", text);
	c = record_new(RECORD_PROBLEM, patient, request_id);
	cJSON_AddItemToObject(c, "code", code);
	if (!*icd) {
		cJSON *tag = cJSON_CreateObject(), *meta = cJSON_CreateObject();

		cJSON_AddStringToObject(tag, "system", UNCODED_TAG);
		cJSON_AddStringToObject(tag, "code", "uncoded");
		cJSON_AddStringToObject(tag, "display", "Typed without a code");
		cJSON_AddItemToArray(cJSON_AddArrayToObject(meta, "tag"), tag);
		cJSON_AddItemToObject(c, "meta", meta);
	}
	if (!blank(in->onset))
		cJSON_AddStringToObject(c, "onsetDateTime", in->onset);
	if (!blank(in->recorded))
		cJSON_AddStringToObject(c, "recordedDate", in->recorded);
	p = fhir_plan_new();
	if (record_plan_create(p, RECORD_PROBLEM, c, request_id) < 0)
		fhir_plan_free(&p);
	cJSON_Delete(c);
	if (p == NULL)
		*cause = xstrdup("the problem could not be planned");
	return p;
}
