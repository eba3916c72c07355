/* Unit tests for fhir/claims: the claim queue's page, one claim read whole, the CMS-1500 as text. */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/claims.h"

static const struct date today = { 2026, 3, 1 };

static cJSON *
parse(const char *text)
{
	cJSON *j = cJSON_Parse(text);

	cr_assert_not_null(j, "test JSON: %s", text);
	return j;
}

#define CT "\"type\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/claim-type\",\"code\":"
#define USD(v) "{\"value\":" v ",\"currency\":\"USD\"}"
#define BEN(v) "{\"category\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/adjudication\",\"code\":\"benefit\"}]},\"amount\":" USD(v) "}"

/* Three claims newest first, one Synthea institutional one, their Patients (in another order),
 * the payer and two answers. */
static const char *page_json =
    "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":["
    "{\"resource\":{\"resourceType\":\"Claim\",\"id\":\"c3\",\"status\":\"active\"," CT "\"professional\"}]},"
    "\"patient\":{\"reference\":\"Patient/p2\",\"display\":\"NOT THIS NAME\"},\"created\":\"2026-02-20\","
    "\"insurer\":{\"reference\":\"Organization/o1\",\"display\":\"Not this payer\"},\"total\":" USD("125.5") "}},"
    "{\"resource\":{\"resourceType\":\"Claim\",\"id\":\"inst\",\"status\":\"active\"," CT "\"institutional\"}]},"
    "\"patient\":{\"reference\":\"Patient/p1\"},\"created\":\"2026-02-10\"}},"
    "{\"resource\":{\"resourceType\":\"Claim\",\"id\":\"c2\",\"status\":\"active\"," CT "\"professional\"}]},"
    "\"patient\":{\"reference\":\"Patient/p1\"},\"created\":\"2026-02-01T10:00:00Z\","
    "\"insurer\":{\"reference\":\"Organization/o1\"},\"total\":" USD("112.41600000000001") "}},"
    "{\"resource\":{\"resourceType\":\"Claim\",\"id\":\"c1\",\"status\":\"draft\"," CT "\"professional\"}]},"
    "\"patient\":{\"reference\":\"Patient/gone\"},\"created\":\"2026-01-05\",\"total\":" USD("80") "}},"
    "{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"p2\",\"name\":[{\"family\":\"Quigley\",\"given\":[\"Chad\"]}],\"birthDate\":\"1970-04-02\"}},"
    "{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"p1\",\"name\":[{\"family\":\"Walsh\",\"given\":[\"Claudie\"]}],\"birthDate\":\"1955-12-31\"}},"
    "{\"resource\":{\"resourceType\":\"Organization\",\"id\":\"o1\",\"name\":\"Acme Health\"}},"
    "{\"resource\":{\"resourceType\":\"ClaimResponse\",\"id\":\"r3\",\"request\":{\"reference\":\"Claim/c3\"},\"outcome\":\"complete\","
    "\"created\":\"2026-02-25\",\"item\":[{\"itemSequence\":1,\"adjudication\":[" BEN("100") "]},"
    "{\"itemSequence\":2,\"adjudication\":[" BEN("0") "]}]}},"
    "{\"resource\":{\"resourceType\":\"ClaimResponse\",\"id\":\"r2\",\"request\":{\"reference\":\"Claim/c2\"},\"outcome\":\"queued\",\"created\":\"2026-02-02\"}}"
    "]}";

Test(claims, page_names_from_patients_status_outcome_and_cents)
{
	cJSON *b = parse(page_json);
	struct claims_page p;
	char key[2 * CLAIMS_ID_SIZE], claim[CLAIMS_ID_SIZE], patient[CLAIMS_ID_SIZE];

	claims_page_read(b, &p);
	cr_assert_eq(p.n, 3);
	cr_assert_eq(p.other, 1, "the institutional claim is left out and counted");
	cr_assert_str_eq(p.v[0].id, "c3");
	cr_assert_str_eq(p.v[0].name, "Quigley, Chad", "the name is the Patient's, never the display");
	cr_assert_str_eq(p.v[0].birth, "1970-04-02");
	cr_assert_str_eq(p.v[0].payer, "Acme Health");
	cr_assert_str_eq(p.v[0].outcome, "partly paid");
	cr_assert(p.v[0].has_total);
	cr_assert_eq(p.v[0].total.minor, 12550);
	cr_assert_str_eq(p.v[1].name, "Walsh, Claudie");
	cr_assert_str_eq(p.v[1].created, "2026-02-01");
	cr_assert_str_eq(p.v[1].outcome, "queued");
	cr_assert_not(p.v[1].has_total, "an amount not in cents is not shown as one");
	cr_assert_str_eq(p.v[2].status, "draft");
	cr_assert_str_eq(p.v[2].outcome, "");
	cr_assert_str_eq(p.v[2].name, "(patient not read)");
	cr_assert_str_eq(p.v[2].payer, "(no payer)");
	claims_row_key(&p.v[0], key, sizeof key);
	cr_assert(claims_key_split(key, claim, patient));
	cr_assert_str_eq(claim, "c3");
	cr_assert_str_eq(patient, "p2");
	cr_assert_not(claims_key_split("c3", claim, patient));
	cr_assert_not(claims_key_split("c3/", claim, patient));
	claims_page_free(&p);
	cJSON_Delete(b);
}

Test(claims, huge_page_is_cut)
{
	cJSON *b = parse("{\"resourceType\":\"Bundle\",\"entry\":[]}"), *e = cJSON_GetObjectItem(b, "entry");
	struct claims_page p;

	for (int i = 0; i < CLAIMS_PAGE_MAX + 50; i++) {
		char text[200];

		snprintf(text, sizeof text, "{\"resource\":{\"resourceType\":\"Claim\",\"id\":\"c%d\"," CT "\"professional\"}]}}}", i);
		cJSON_AddItemToArray(e, parse(text));
	}
	claims_page_read(b, &p);
	cr_assert_eq(p.n, CLAIMS_PAGE_MAX);
	cr_assert(p.cut);
	claims_page_free(&p);
	cJSON_Delete(b);
}

/* The queue asks a screenful, and only the elements a row reads: each of them, and no line. */
Test(claims, queue_asks_a_page_of_the_elements_a_row_reads)
{
	char *cause = NULL;
	struct fhir_client *fc = fhir_client_new(NULL, "https://ehr.example/fhir", &cause);
	struct fhir_search *s = claims_queue_search_for(20, "Organization/o1");
	char *q = fhir_search_query(fc, s);

	cr_assert_not_null(q);
	cr_assert_not_null(strstr(q, "_count=20&"), "%s", q);
	cr_assert_not_null(strstr(q, "_elements=status%2Ctype%2Cpatient%2Ccreated%2Cinsurer%2Ctotal&"), "%s", q);
	cr_assert_not_null(strstr(q, "_include=Claim%3Apatient"), "%s", q);
	cr_assert_not_null(strstr(q, "insurer=Organization%2Fo1"), "%s", q);
	cr_assert_null(strstr(q, "item"), "%s", q);
	free(q);
	fhir_search_free(&s);
	fhir_client_free(&fc);
}

/* A claim as the open batch answers: claim with includes, coverages, answers. */
static const char *open_json =
    "{\"resourceType\":\"Bundle\",\"type\":\"batch-response\",\"entry\":["
    "{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":\"Bundle\",\"entry\":["
    "{\"resource\":{\"resourceType\":\"Claim\",\"id\":\"c9\",\"status\":\"active\"," CT "\"professional\"}]},"
    "\"patient\":{\"reference\":\"Patient/p1\"},\"created\":\"2026-02-02\","
    "\"insurer\":{\"reference\":\"Organization/pay\"},\"provider\":{\"reference\":\"Organization/clinic\"},"
    "\"facility\":{\"reference\":\"Location/loc\"},"
    "\"careTeam\":[{\"sequence\":1,\"provider\":{\"reference\":\"Practitioner/dr\"}}],"
    "\"insurance\":[{\"sequence\":1,\"focal\":true,\"coverage\":{\"reference\":\"Coverage/cov1\"}}],"
    "\"diagnosis\":[%s],\"item\":[%s],\"total\":" USD("300") "}},"
    "{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"p1\",\"gender\":\"female\",\"birthDate\":\"1955-12-31\","
    "\"name\":[{\"family\":\"%s\",\"given\":[\"Claudie\"]}],"
    "\"address\":[{\"line\":[\"12 Elm St\"],\"city\":\"Boston\",\"state\":\"MA\",\"postalCode\":\"02118\"}],"
    "\"telecom\":[{\"system\":\"phone\",\"value\":\"555-0100\"}]}},"
    "{\"resource\":{\"resourceType\":\"Organization\",\"id\":\"pay\",\"name\":\"Medicare Part B\"}},"
    "{\"resource\":{\"resourceType\":\"Organization\",\"id\":\"clinic\",\"name\":\"Elm Street Clinic\","
    "\"identifier\":[{\"system\":\"http://hl7.org/fhir/sid/us-npi\",\"value\":\"1234567893\"},"
    "{\"system\":\"urn:oid:2.16.840.1.113883.4.4\",\"value\":\"12-3456789\"}],"
    "\"address\":[{\"line\":[\"1 Main St\"],\"city\":\"Boston\",\"state\":\"MA\",\"postalCode\":\"02110\"}]}},"
    "{\"resource\":{\"resourceType\":\"Practitioner\",\"id\":\"dr\",\"name\":[{\"family\":\"Osler\",\"given\":[\"William\"]}],"
    "\"identifier\":[{\"system\":\"http://hl7.org/fhir/sid/us-npi\",\"value\":\"1245319599\"}]}},"
    "{\"resource\":{\"resourceType\":\"Location\",\"id\":\"loc\",\"name\":\"Elm Street Clinic\"}}"
    "]}},"
    "{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":\"Bundle\",\"entry\":["
    "{\"resource\":{\"resourceType\":\"Coverage\",\"id\":\"cov1\",\"status\":\"active\",\"subscriberId\":\"MBR-77\","
    "\"beneficiary\":{\"reference\":\"Patient/p1\"},\"relationship\":{\"coding\":[{\"code\":\"self\"}]},"
    "\"class\":[{\"type\":{\"coding\":[{\"code\":\"group\"}]},\"value\":\"GRP-5\"}]}}]}},"
    "{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":\"Bundle\",\"entry\":[]}}"
    "]}";

#define ITEM(n, code, mods, ptrs, net)                                                         \
	"{\"sequence\":" n ",\"diagnosisSequence\":[" ptrs "],\"servicedDate\":\"2026-02-01\","     \
	"\"locationCodeableConcept\":{\"coding\":[{\"code\":\"11\"}]},"                            \
	"\"productOrService\":{\"coding\":[{\"system\":\"http://www.ama-assn.org/go/cpt\",\"code\":\"" code "\"}]}," \
	"\"modifier\":[" mods "],\"quantity\":{\"value\":1},\"net\":" USD(net) "}"
#define DX(n, code)                                                                            \
	"{\"sequence\":" n ",\"diagnosisCodeableConcept\":{\"coding\":[{\"system\":\"http://hl7.org/fhir/sid/icd-10-cm\",\"code\":\"" code "\"}]}}"

static void
read_claim(const char *dx, const char *items, const char *family, struct claim_full *c)
{
	size_t len = strlen(open_json) + strlen(dx) + strlen(items) + strlen(family) + 1;
	char *text = malloc(len), *cause = NULL;
	cJSON *r;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(text, len, open_json, dx, items, family);
#pragma GCC diagnostic pop
	r = parse(text);
	cr_assert_eq(claims_open_result(r, "c9", &today, c, &cause), 0, "%s", cause ? cause : "");
	cJSON_Delete(r);
	free(text);
}

/* The line of TEXT that starts with PREFIX, or NULL. */
static const char *
line_with(char **lines, size_t n, const char *prefix)
{
	for (size_t i = 0; i < n; i++)
		if (strncmp(lines[i], prefix, strlen(prefix)) == 0)
			return lines[i];
	return NULL;
}

Test(claims, cms1500_boxes_of_a_sample_claim)
{
	struct claim_full *c = calloc(1, sizeof *c);
	char **lines;
	size_t n;

	read_claim(DX("1", "J06.9") "," DX("2", "E11.9"),
	    ITEM("1", "99213", "{\"coding\":[{\"code\":\"25\"}]}", "1,2", "125") ","
	    ITEM("2", "87880", "", "1", "175"),
	    "Walsh", c);
	cr_assert_str_eq(c->row.name, "Walsh, Claudie");
	cr_assert_eq(c->nlines, 2);
	n = claim1500_text(c, &lines);
	for (size_t i = 0; i < n; i++)
		cr_assert_leq(strlen(lines[i]), CLAIM1500_WIDTH, "line %zu: %s", i, lines[i]);
	cr_assert_str_eq(line_with(lines, n, "1   "),
	    "1   MEDICARE[X] MEDICAID[ ] TRICARE[ ] CHAMPVA[ ] GROUP[ ] FECA[ ] OTHER[ ]");
	cr_assert_str_eq(line_with(lines, n, "1a  "), "1a  INSURED'S ID NUMBER: MBR-77");
	cr_assert_str_eq(line_with(lines, n, "2   "),
	    "2   PATIENT'S NAME: WALSH, CLAUDIE               3 DOB: 12 31 1955 SEX M[ ] F[X]");
	cr_assert_str_eq(line_with(lines, n, "4   "), "4   INSURED'S NAME: WALSH, CLAUDIE");
	cr_assert_str_eq(line_with(lines, n, "5   "),
	    "5   ADDRESS: 12 ELM ST                    7 INSURED'S ADDRESS: SAME");
	cr_assert_str_eq(line_with(lines, n, "    CITY"),
	    "    CITY: BOSTON                   STATE: MA ZIP: 02118      TEL: 555-0100");
	cr_assert_str_eq(line_with(lines, n, "11  "), "11  INSURED'S GROUP NUMBER: GRP-5");
	cr_assert_str_eq(line_with(lines, n, "    A."),
	    "    A. J06.9       B. E11.9       C.             D.");
	cr_assert_str_eq(line_with(lines, n, "1   02"),
	    "1   02 01 26 02 01 26 11   99213 25          AB       125.00   1 1245319599");
	cr_assert_str_eq(line_with(lines, n, "2   02"),
	    "2   02 01 26 02 01 26 11   87880             A        175.00   1 1245319599");
	cr_assert_str_eq(line_with(lines, n, "25  "),
	    "25  FEDERAL TAX ID: 12-3456789      28 TOTAL CHARGE: 300.00");
	cr_assert_str_eq(line_with(lines, n, "31  "),
	    "31  SIGNATURE OF PHYSICIAN: OSLER, WILLIAM                   DATE: 02 02 2026");
	cr_assert_str_eq(line_with(lines, n, "32  "), "32  FACILITY: ELM STREET CLINIC");
	cr_assert_str_eq(line_with(lines, n, "32a "), "32a NPI:", "a facility without an NPI");
	cr_assert_str_eq(line_with(lines, n, "33  "), "33  BILLING PROVIDER: ELM STREET CLINIC            TEL:");
	cr_assert_str_eq(line_with(lines, n, "33a "), "33a NPI: 1234567893");
	bill_print_free(lines, n);
	free(c);
}

/*
 * A claim whose care team has two members (the primary second) and a role, lines naming
 * different members or none, a line without a place of service, and a facility with its
 * NPI, address and a CMS place-of-service type.
 */
static const char *team_json =
    "{\"resourceType\":\"Bundle\",\"type\":\"batch-response\",\"entry\":["
    "{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":\"Bundle\",\"entry\":["
    "{\"resource\":{\"resourceType\":\"Claim\",\"id\":\"c9\",\"status\":\"active\"," CT "\"professional\"}]},"
    "\"patient\":{\"reference\":\"Patient/p1\"},\"created\":\"2026-02-02\","
    "\"insurer\":{\"reference\":\"Organization/pay\"},\"provider\":{\"reference\":\"Organization/clinic\"},"
    "\"facility\":{\"reference\":\"Location/loc\"},"
    "\"careTeam\":[{\"sequence\":1,\"provider\":{\"reference\":\"Practitioner/np\"},"
    "\"role\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/claimcareteamrole\",\"code\":\"assist\"}]}},"
    "{\"sequence\":2,\"provider\":{\"reference\":\"Practitioner/dr\"},"
    "\"role\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/claimcareteamrole\",\"code\":\"primary\"}]}},"
    "{\"sequence\":3,\"provider\":{\"reference\":\"PractitionerRole/lab\",\"display\":\"NOT THIS NAME\"}}],"
    "\"diagnosis\":[" DX("1", "J06.9") "],\"item\":["
    "{\"sequence\":1,\"careTeamSequence\":[1],\"diagnosisSequence\":[1],\"servicedDate\":\"2026-02-01\","
    "\"locationCodeableConcept\":{\"coding\":[{\"system\":\"https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set\",\"code\":\"02\"}]},"
    "\"productOrService\":{\"coding\":[{\"code\":\"99213\"}]},\"net\":" USD("100") "},"
    "{\"sequence\":2,\"careTeamSequence\":[3],\"diagnosisSequence\":[1],\"servicedDate\":\"2026-02-01\","
    "\"productOrService\":{\"coding\":[{\"code\":\"36415\"}]},\"net\":" USD("3.05") "},"
    "{\"sequence\":3,\"diagnosisSequence\":[1],\"servicedDate\":\"2026-02-01\","
    "\"productOrService\":{\"coding\":[{\"code\":\"85025\"}]},\"net\":" USD("10.66") "},"
    "{\"sequence\":4,\"careTeamSequence\":[9],\"diagnosisSequence\":[1],\"servicedDate\":\"2026-02-01\","
    "\"productOrService\":{\"coding\":[{\"code\":\"81002\"}]},\"net\":" USD("3.57") "}],"
    "\"total\":" USD("117.28") "}},"
    "{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"p1\",\"gender\":\"female\",\"birthDate\":\"1955-12-31\","
    "\"name\":[{\"family\":\"Walsh\",\"given\":[\"Claudie\"]}]}},"
    "{\"resource\":{\"resourceType\":\"Organization\",\"id\":\"pay\",\"name\":\"Acme Health\"}},"
    "{\"resource\":{\"resourceType\":\"Organization\",\"id\":\"clinic\",\"name\":\"Elm Street Clinic\","
    "\"identifier\":[{\"system\":\"http://hl7.org/fhir/sid/us-npi\",\"value\":\"1234567893\"}]}},"
    "{\"resource\":{\"resourceType\":\"Practitioner\",\"id\":\"dr\",\"name\":[{\"family\":\"Osler\",\"given\":[\"William\"]}],"
    "\"qualification\":[{\"code\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/v2-0360\",\"code\":\"MD\"}]}}],"
    "\"identifier\":[{\"system\":\"http://hl7.org/fhir/sid/us-npi\",\"value\":\"1245319599\"}]}},"
    "{\"resource\":{\"resourceType\":\"Practitioner\",\"id\":\"np\",\"name\":[{\"family\":\"Baptiste\",\"given\":[\"Jordan\"]}],"
    "\"qualification\":[{\"code\":{\"coding\":[{\"code\":\"NP\"}]}}],"
    "\"identifier\":[{\"system\":\"http://hl7.org/fhir/sid/us-npi\",\"value\":\"1000000053\"}]}},"
    "{\"resource\":{\"resourceType\":\"PractitionerRole\",\"id\":\"lab\","
    "\"identifier\":[{\"system\":\"http://hl7.org/fhir/sid/us-npi\",\"value\":\"1000000038\"}]}},"
    "{\"resource\":{\"resourceType\":\"Location\",\"id\":\"loc\",\"name\":\"Elm Street Clinic, Annex\","
    "\"type\":[{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-RoleCode\",\"code\":\"OF\"}]},"
    "{\"coding\":[{\"system\":\"https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set\",\"code\":\"11\"}]}],"
    "\"identifier\":[{\"system\":\"http://hl7.org/fhir/sid/us-npi\",\"value\":\"1000000012\"}],"
    "\"address\":{\"line\":[\"7 River Road\"],\"city\":\"Springfield\",\"state\":\"MA\",\"postalCode\":\"01101\"}}}"
    "]}},"
    "{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":\"Bundle\",\"entry\":[]}},"
    "{\"response\":{\"status\":\"200 OK\"},\"resource\":{\"resourceType\":\"Bundle\",\"entry\":[]}}"
    "]}";

Test(claims, cms1500_place_rendering_npi_per_line_signature_and_facility)
{
	struct claim_full *c = calloc(1, sizeof *c);
	cJSON *r = parse(team_json);
	char **lines, *cause = NULL;
	size_t n;

	cr_assert_eq(claims_open_result(r, "c9", &today, c, &cause), 0, "%s", cause ? cause : "");
	cr_assert_eq(c->nlines, 4);
	n = claim1500_text(c, &lines);
	for (size_t i = 0; i < n; i++)
		cr_assert_leq(strlen(lines[i]), CLAIM1500_WIDTH, "line %zu: %s", i, lines[i]);
	/* 24B: the line's own place of service (telehealth), else the facility's (office). */
	/* 24J: the member each line names; a role's NPI; none named: the primary's; an unknown
	 * sequence: the primary's. */
	cr_assert_str_eq(line_with(lines, n, "1   02"),
	    "1   02 01 26 02 01 26 02   99213             A        100.00   1 1000000053");
	cr_assert_str_eq(line_with(lines, n, "2   02"),
	    "2   02 01 26 02 01 26 11   36415             A          3.05   1 1000000038");
	cr_assert_str_eq(line_with(lines, n, "3   02"),
	    "3   02 01 26 02 01 26 11   85025             A         10.66   1 1245319599");
	cr_assert_str_eq(line_with(lines, n, "4   02"),
	    "4   02 01 26 02 01 26 11   81002             A          3.57   1 1245319599");
	/* 31: the primary member (not the first), with the degree, and the claim's date. */
	cr_assert_str_eq(line_with(lines, n, "31  "),
	    "31  SIGNATURE OF PHYSICIAN: OSLER, WILLIAM MD                DATE: 02 02 2026");
	/* 32: the facility's name and address; 32a its NPI. */
	cr_assert_str_eq(line_with(lines, n, "32  "),
	    "32  FACILITY: ELM STREET CLINIC, ANNEX     7 RIVER ROAD");
	cr_assert_not_null(line_with(lines, n, "    SPRINGFIELD MA 01101"));
	cr_assert_str_eq(line_with(lines, n, "32a "), "32a NPI: 1000000012");
	cr_assert_str_eq(line_with(lines, n, "33a "), "33a NPI: 1234567893");
	bill_print_free(lines, n);
	cJSON_Delete(r);
	free(c);
}

Test(claims, cms1500_hostile_and_long_strings_stay_printable_and_in_their_boxes)
{
	struct claim_full *c = calloc(1, sizeof *c);
	char **lines, *text;
	size_t n;

	read_claim(DX("1", "J06.9"),
	    ITEM("1", "99213\\u001b[2J", "{\"coding\":[{\"code\":\"\\u009b31m\"}]}", "1", "125"),
	    "Wolfeschlegelsteinhausenbergerdorff\\u001b]0;pwned\\u0007\\u00e9\\n", c);
	n = claim1500_text(c, &lines);
	text = bill_print_join(lines, n);
	for (const char *p = text; *p != '\0'; p++)
		cr_assert((*p >= 0x20 && *p < 0x7F) || *p == '\n', "byte 0x%02x", (unsigned char)*p);
	cr_assert_str_eq(line_with(lines, n, "2   "),
	    "2   PATIENT'S NAME: WOLFESCHLEGELSTEINHAUSENBERG 3 DOB: 12 31 1955 SEX M[ ] F[X]");
	cr_assert_str_eq(line_with(lines, n, "1   02"),
	    "1   02 01 26 02 01 26 11   99213 ?3          A        125.00   1 1245319599");
	free(text);
	bill_print_free(lines, n);
	free(c);
}

Test(claims, cms1500_twelve_diagnoses_and_a_second_form_for_seven_lines)
{
	struct claim_full *c = calloc(1, sizeof *c);
	char **lines, *text;
	size_t n, forms = 0;

	read_claim(DX("1", "A00.0") "," DX("2", "B00.0") "," DX("3", "C00.0") "," DX("4", "D00.0") ","
	    DX("5", "E00.0") "," DX("6", "F01.50") "," DX("7", "G00.0") "," DX("8", "H00.011") ","
	    DX("9", "I10") "," DX("10", "J00") "," DX("11", "K00.0") "," DX("12", "L00") ","
	    DX("13", "M00.00"),
	    ITEM("1", "99213", "{\"coding\":[{\"code\":\"25\"}]},{\"coding\":[{\"code\":\"59\"}]},"
	    "{\"coding\":[{\"code\":\"LT\"}]},{\"coding\":[{\"code\":\"RT\"}]},{\"coding\":[{\"code\":\"GT\"}]}",
	    "1,2,3,4,5", "1") ","
	    ITEM("2", "99070", "", "2", "2") "," ITEM("3", "99070", "", "3", "3") ","
	    ITEM("4", "99070", "", "4", "4") "," ITEM("5", "99070", "", "5", "5") ","
	    ITEM("6", "99070", "", "6", "6") "," ITEM("7", "99070", "", "12", "7"),
	    "Walsh", c);
	cr_assert_eq(c->ndiagnoses, 12, "a thirteenth diagnosis is not a 1500's (%zu)", c->ndiagnoses);
	n = claim1500_text(c, &lines);
	cr_assert_str_eq(line_with(lines, n, "    I."),
	    "    I. I10         J. J00         K. K00.0       L. L00");
	cr_assert_str_eq(line_with(lines, n, "1   02"),
	    "1   02 01 26 02 01 26 11   99213 25 59 LT RT ABCD       1.00   1 1245319599",
	    "four modifiers and four pointers at most");
	text = bill_print_join(lines, n);
	for (const char *p = text; *p != '\0'; p++)
		forms += *p == '\f';
	cr_assert_eq(forms, 1, "the seventh line goes on a second form");
	cr_assert_not_null(strstr(text, "PAGE 2 OF 2"));
	cr_assert_not_null(strstr(text, "\f"
	    "HEALTH INSURANCE CLAIM FORM"));
	cr_assert_not_null(strstr(text, "1   02 01 26 02 01 26 11   99070             L          7.00   1"));
	free(text);
	bill_print_free(lines, n);
	free(c);
}

/* The details opened from the denial work list show each line's answer: its codes and day. */
Test(claims, each_line_shows_the_payers_answer)
{
	static const char answer[] =
	    "\"entry\":[{\"resource\":{\"resourceType\":\"ClaimResponse\",\"id\":\"r9\","
	    "\"request\":{\"reference\":\"Claim/c9\"},\"outcome\":\"complete\","
	    "\"payment\":{\"date\":\"2026-03-10\",\"amount\":" USD("100") "},\"item\":["
	    "{\"itemSequence\":1,\"adjudication\":[{\"category\":{\"coding\":[{\"code\":\"benefit\"}]},"
	    "\"amount\":" USD("100") "},{\"category\":{\"coding\":[{\"code\":\"adjustment\"}]},"
	    "\"reason\":{\"coding\":[{\"system\":\"" BILL_CS_CARC "\",\"code\":\"45\"},{\"system\":\""
	    BILL_CS_CARC_GROUP "\",\"code\":\"CO\"}]},\"amount\":" USD("50") "}]},"
	    "{\"itemSequence\":2,\"adjudication\":[{\"category\":{\"coding\":[{\"code\":\"benefit\"}]},"
	    "\"amount\":" USD("0") "},{\"category\":{\"coding\":[{\"code\":\"adjustment\"}]},"
	    "\"reason\":{\"coding\":[{\"system\":\"" BILL_CS_CARC "\",\"code\":\"16\"},{\"system\":\""
	    BILL_CS_CARC_GROUP "\",\"code\":\"CO\"}]},\"amount\":" USD("150") "}]}]}}]}}";
	const char *items = ITEM("1", "99213", "", "1", "150") "," ITEM("2", "99214", "", "1", "150") ","
	    ITEM("3", "36415", "", "1", "0");
	size_t len = strlen(open_json) + strlen(items) + sizeof answer + 512;
	char *text = malloc(len), *tail, *cause = NULL;
	struct claim_full *c = calloc(1, sizeof *c);
	cJSON *r;

	cr_assert_not_null(text);
	cr_assert_not_null(c);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(text, len, open_json, DX("1", "J06.9"), items, "Nguyen");
#pragma GCC diagnostic pop
	/* The third answer of the batch, the claim's ClaimResponses, holds one now. */
	tail = strstr(text, "\"entry\":[]}}");
	cr_assert_not_null(tail);
	snprintf(tail, len - (size_t)(tail - text), "%s]}", answer);
	r = parse(text);
	cr_assert_eq(claims_open_result(r, "c9", &today, c, &cause), 0, "%s", cause ? cause : "");
	cr_assert_eq(c->nlines, 3);
	cr_assert_str_eq(c->lines[0].answer, "paid $100.00 CO-45 $50.00 on 2026-03-10");
	cr_assert_str_eq(c->lines[1].answer, "denied CO-16 $150.00 on 2026-03-10");
	cr_assert_str_eq(c->lines[2].answer, "", "a line the payer did not answer");
	cJSON_Delete(r);
	free(text);
	free(c);
}
