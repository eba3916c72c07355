/* Billing: the FHIR side of the biller's screens. Typed views in, resources and plans out; no
 * widget here. */
#include "config.h"

#include "fhir/billing.h"
#include "fhir/billing-private.h"
#include "fhir/schedule.h"
#include "util/xmalloc.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CS_CLAIM_TYPE "http://terminology.hl7.org/CodeSystem/claim-type"
#define CS_PRIORITY "http://terminology.hl7.org/CodeSystem/processpriority"
#define CS_CARE_TEAM_ROLE "http://terminology.hl7.org/CodeSystem/claimcareteamrole"

static bool
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static bool
empty(const char *s)
{
	return s == NULL || *s == '\0';
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool
same_nocase(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return false;
	for (; *a != '\0' && lower(*a) == lower(*b); a++, b++)
		;
	return *a == '\0' && *b == '\0';
}

/* Copy SRC ("" for NULL) into DST of SIZE bytes; false, and DST "", when it does not fit. */
bool
bill_put(char *dst, size_t size, const char *src)
{
	size_t n = src != NULL ? strlen(src) : 0;

	if (n >= size) {
		dst[0] = '\0';
		return false;
	}
	memcpy(dst, src != NULL ? src : "", n);
	dst[n] = '\0';
	return true;
}

/*
 * As put, but a label too long is cut at a UTF-8 character boundary instead: a
 * display is only read by people, and the code beside it is what is billed.
 */
void
bill_put_label(char *dst, size_t size, const char *src)
{
	size_t n = src != NULL ? strlen(src) : 0;

	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, src != NULL ? src : "", n);
	dst[n] = '\0';
}

void
bill_problem_add(struct bill_problems *p, char *sentence)
{
	p->v = xreallocarray(p->v, p->n + 1, sizeof *p->v);
	p->v[p->n++] = sentence;
}

void
bill_problems_free(struct bill_problems *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	memset(p, 0, sizeof *p);
}

char *
bill_problems_join(const struct bill_problems *p)
{
	size_t len = 1;
	char *s, *at;

	for (size_t i = 0; i < p->n; i++)
		len += strlen(p->v[i]) + 2;
	at = s = xmalloc(len);
	for (size_t i = 0; i < p->n; i++) {
		size_t n = strlen(p->v[i]);

		if (i > 0)
			memcpy(at, "; ", 2), at += 2;
		memcpy(at, p->v[i], n);
		at += n;
	}
	*at = '\0';
	return s;
}

/* An ISO day "YYYY-MM-DD" (the first ten bytes of a date or dateTime) into *D. */
static bool
day_parse(const char *s, struct date *d)
{
	static const char shape[] = "dddd-dd-dd";

	if (s == NULL || strlen(s) < 10)
		return false;
	for (size_t i = 0; i < 10; i++)
		if (shape[i] == 'd' ? !is_digit(s[i]) : s[i] != '-')
			return false;
	if (s[10] != '\0' && s[10] != 'T')
		return false;
	d->year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	d->month = (s[5] - '0') * 10 + (s[6] - '0');
	d->day = (s[8] - '0') * 10 + (s[9] - '0');
	return date_valid(d);
}

/* "TYPE/ID" with ID a FHIR id. */
static bool
is_reference(const char *ref, const char *type)
{
	size_t n = strlen(type);

	return ref != NULL && strncmp(ref, type, n) == 0 && ref[n] == '/' &&
	       fhir_valid_id(ref + n + 1);
}

/* The "Type/ID" of REF when it names a resource of TYPE, into DST; else DST stays "". */
static void
put_reference(char *dst, size_t size, const char *ref, const char *type)
{
	if (is_reference(ref, type))
		bill_put(dst, size, ref);
}

static cJSON *
reference(const char *ref)
{
	cJSON *r = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "reference", ref);
	return r;
}

/* --- money ----------------------------------------------------------------------------- */

/*
 * The shortest decimal that strtod reads back as D, in the C locale's form: the
 * text a JSON writer sent for it. The program runs under the user's locale, whose
 * decimal point may be a comma, so that is put back to a point.
 */
static int
number_text(double d, char *buf, size_t size)
{
	const char *point = localeconv()->decimal_point;
	size_t plen = point != NULL ? strlen(point) : 0;
	char *p;

	if (!isfinite(d) || size < 32)
		return -1;
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	if (plen > 0 && !same(point, ".") && (p = strstr(buf, point)) != NULL) {
		*p = '.';
		memmove(p + 1, p + plen, strlen(p + plen) + 1);
	}
	return 0;
}

int
bill_money_read(const cJSON *money, struct money *out, char **cause)
{
	const cJSON *value, *currency;
	char text[64];

	if (!cJSON_IsObject(money)) {
		*cause = xstrdup("the server sent no amount");
		return -1;
	}
	value = cJSON_GetObjectItemCaseSensitive(money, "value");
	currency = cJSON_GetObjectItemCaseSensitive(money, "currency");
	if (value == NULL) {
		*cause = xstrdup("the server sent an amount without a value");
		return -1;
	}
	if (cJSON_IsString(value)) {
		*cause = xstrdup("the server sent an amount as text where a number belongs");
		return -1;
	}
	if (currency != NULL && !cJSON_IsString(currency)) {
		*cause = xstrdup("the server sent a currency that is not a code");
		return -1;
	}
	/* An amount bill_money_json wrote, not yet sent: its digits are right here. */
	if (cJSON_IsRaw(value) && value->valuestring != NULL)
		return money_from_decimal(value->valuestring,
		    currency != NULL ? currency->valuestring : NULL, out, cause);
	if (!cJSON_IsNumber(value)) {
		*cause = xstrdup("the server sent an amount that is not a number");
		return -1;
	}
	if (number_text(value->valuedouble, text, sizeof text) != 0) {
		*cause = xstrdup("the server sent an amount too large to keep");
		return -1;
	}
	return money_from_decimal(
	    text, currency != NULL ? currency->valuestring : NULL, out, cause);
}

cJSON *
bill_money_json(const struct money *m)
{
	cJSON *j = cJSON_CreateObject();
	char buf[MONEY_BUF_SIZE], cur[4];

	money_to_decimal(m, buf, sizeof buf);
	memcpy(cur, m->currency, 3);
	cur[3] = '\0';
	/* Raw: the digits go out as written, never through a double. */
	cJSON_AddItemToObject(j, "value", cJSON_CreateRaw(buf));
	cJSON_AddStringToObject(j, "currency", cur);
	return j;
}

static void
format_money(const struct money *m, char *buf, size_t size)
{
	money_format_currency(m, buf, size);
}

/* --- codes ----------------------------------------------------------------------------- */

bool
bill_cpt_valid(const char *code)
{
	if (code == NULL || strlen(code) != 5)
		return false;
	for (int i = 0; i < 4; i++)
		if (!is_digit(code[i]))
			return false;
	/* Category I ends in a digit, category II in F, category III in T. */
	return is_digit(code[4]) || code[4] == 'F' || code[4] == 'T';
}

bool
bill_hcpcs_valid(const char *code)
{
	if (code == NULL || strlen(code) != 5 || code[0] < 'A' || code[0] > 'V')
		return false;
	for (int i = 1; i < 5; i++)
		if (!is_digit(code[i]))
			return false;
	return true;
}

bool
bill_icd10cm_valid(const char *s)
{
	size_t n = 0;

	/* A letter, a digit, a letter or digit; then a point and one to four more. */
	if (s == NULL || !is_upper(s[0]) || !is_digit(s[1]) || !(is_digit(s[2]) || is_upper(s[2])))
		return false;
	if (s[3] == '\0')
		return true;
	if (s[3] != '.')
		return false;
	for (s += 4; *s != '\0'; s++, n++)
		if (!(is_digit(*s) || is_upper(*s)) || n == 4)
			return false;
	return n > 0;
}

bool
bill_npi_valid(const char *npi)
{
	char payload[16];
	int sum = 0;
	size_t i, len;

	if (npi == NULL || strlen(npi) != 10)
		return false;
	for (i = 0; i < 10; i++)
		if (!is_digit(npi[i]))
			return false;
	/* The check digit is Luhn's over 80840 (the card issuer prefix) and the first nine. */
	snprintf(payload, sizeof payload, "80840%.9s", npi);
	len = strlen(payload);
	for (i = 0; i < len; i++) {
		int d = payload[len - 1 - i] - '0';

		if (i % 2 == 0) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return (10 - sum % 10) % 10 == npi[9] - '0';
}

const char *
bill_npi_of(const cJSON *resource)
{
	const cJSON *id;

	cJSON_ArrayForEach(id, fhir_get_array(resource, "identifier"))
	{
		if (same(fhir_get_string(id, "system"), BILL_CS_NPI) &&
		    fhir_get_string(id, "value") != NULL)
			return fhir_get_string(id, "value");
	}
	return NULL;
}

static enum bill_code_kind
kind_of(const char *system)
{
	if (same(system, BILL_CS_CPT))
		return BILL_CODE_CPT;
	if (same(system, BILL_CS_HCPCS) || same(system, BILL_CS_HCPCS_OID))
		return BILL_CODE_HCPCS;
	return BILL_CODE_OTHER;
}

/* The coding of CONCEPT in CPT or HCPCS, else its first; borrowed or NULL. */
static const cJSON *
procedure_coding(const cJSON *concept)
{
	const cJSON *c, *first = NULL;

	cJSON_ArrayForEach(c, fhir_get_array(concept, "coding"))
	{
		if (fhir_get_string(c, "code") == NULL)
			continue;
		if (kind_of(fhir_get_string(c, "system")) != BILL_CODE_OTHER)
			return c;
		if (first == NULL)
			first = c;
	}
	return first;
}

/* --- the fee schedule ------------------------------------------------------------------ */

struct fhir_search *
bill_fees_search(void)
{
	struct fhir_search *s = fhir_search_new("ChargeItemDefinition");
	char count[16];

	snprintf(count, sizeof count, "%d", BILL_FEES_COUNT);
	fhir_search_add(s, "status", "active");
	fhir_search_add(s, "_elements", "url,status,code,title,propertyGroup");
	fhir_search_add(s, "_count", count);
	return s;
}

/*
 * The base price for one unit: the first base priceComponent with an amount, in
 * a property group that applies always (no applicability) before one that does not.
 * 1 found (*OUT), 0 none, -1 with *CAUSE when its amount cannot be read.
 */
static int
base_price(const cJSON *def, struct money *out, char **cause)
{
	for (int pass = 0; pass < 2; pass++) {
		const cJSON *group;

		cJSON_ArrayForEach(group, fhir_get_array(def, "propertyGroup"))
		{
			const cJSON *pc;

			if ((fhir_get_array(group, "applicability") != NULL) != (pass == 1))
				continue;
			cJSON_ArrayForEach(pc, fhir_get_array(group, "priceComponent"))
			{
				if (!same(fhir_get_string(pc, "type"), "base") ||
				    fhir_get_object(pc, "amount") == NULL)
					continue;
				return bill_money_read(fhir_get_object(pc, "amount"), out, cause) ==
				               0
				           ? 1
				           : -1;
			}
		}
	}
	return 0;
}

/* One definition into F; false when it has no code to bill by. */
static bool
fee_read(const cJSON *def, struct bill_fee *f)
{
	const cJSON *code = fhir_get_object(def, "code"), *coding = procedure_coding(code);
	const char *display;
	char *cause = NULL;
	int rc;

	memset(f, 0, sizeof *f);
	if (coding == NULL || !bill_put(f->code, sizeof f->code, fhir_get_string(coding, "code")) ||
	    f->code[0] == '\0' ||
	    !bill_put(f->system, sizeof f->system, fhir_get_string(coding, "system")))
		return false;
	bill_put(f->id, sizeof f->id, fhir_get_string(def, "id"));
	bill_put(f->version, sizeof f->version, fhir_version_of(def));
	bill_put(f->status, sizeof f->status, fhir_get_string(def, "status"));
	f->kind = kind_of(f->system);
	display = fhir_get_string(coding, "display");
	if (display == NULL)
		display = fhir_get_string(code, "text");
	if (display == NULL)
		display = fhir_get_string(def, "title");
	bill_put_label(f->display, sizeof f->display, display);
	if (!bill_put(f->url, sizeof f->url, fhir_get_string(def, "url")))
		f->problem = xasprintf(
		    "the fee schedule's entry for %s has a URL too long to name", f->code);
	rc = base_price(def, &f->price, &cause);
	f->has_price = rc == 1;
	if (f->problem != NULL)
		;
	else if (rc < 0)
		f->problem =
		    xasprintf("the fee schedule's price for %s cannot be used: %s", f->code, cause);
	else if (rc == 0)
		f->problem = xasprintf("the fee schedule has no price for %s", f->code);
	else if (f->kind == BILL_CODE_OTHER)
		f->problem =
		    xasprintf("%s is not a CPT or HCPCS code, which a claim needs", f->code);
	else if (f->price.minor < 0)
		f->problem = xasprintf("the fee schedule's price for %s is negative", f->code);
	else if (!same(f->status, "active"))
		f->problem = xasprintf("%s is not in use in the fee schedule (it is %s)", f->code,
		    f->status[0] != '\0' ? f->status : "without a status");
	free(cause);
	return true;
}

static int
fee_order(const void *a, const void *b)
{
	const struct bill_fee *x = a, *y = b;
	int c = strcmp(x->code, y->code);

	if (c != 0)
		return c;
	/* One code twice: the chargeable one first, so a lookup finds it. */
	return (x->problem != NULL) - (y->problem != NULL);
}

int
bill_fees_read(const cJSON *set, struct bill_fees *out, char **cause)
{
	const char *type = fhir_get_string(set, "resourceType");
	const cJSON *entry;

	memset(out, 0, sizeof *out);
	if (same(type, "ChargeItemDefinition")) {
		out->v = xcalloc(1, sizeof *out->v);
		out->n = fee_read(set, &out->v[0]) ? 1 : 0;
		out->total = 1;
		return 0;
	}
	if (!same(type, "Bundle")) {
		*cause = xstrdup("the server did not answer with the fee schedule");
		return -1;
	}
	out->v =
	    xcalloc((size_t)cJSON_GetArraySize(fhir_get_array(set, "entry")) + 1, sizeof *out->v);
	cJSON_ArrayForEach(entry, fhir_get_array(set, "entry"))
	{
		const cJSON *r = fhir_get_object(entry, "resource");

		if (!same(fhir_get_string(r, "resourceType"), "ChargeItemDefinition"))
			continue;
		sched_updated_newest(fhir_get_string(fhir_get_object(r, "meta"), "lastUpdated"),
		    time(NULL), out->since, sizeof out->since);
		if (fee_read(r, &out->v[out->n]))
			out->n++;
	}
	out->total = fhir_bundle_total(set);
	if (out->total < (long)out->n)
		out->total = (long)out->n;
	qsort(out->v, out->n, sizeof *out->v, fee_order);
	return 0;
}

void
bill_fees_free(struct bill_fees *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i].problem);
	free(f->v);
	memset(f, 0, sizeof *f);
}

struct fhir_search *
bill_fees_check_search(const struct bill_fees *f, time_t now)
{
	time_t ahead = now + SCHED_UPDATED_SKEW_S;
	struct fhir_search *s;
	struct tm tm;
	char le[40];
	char *gt;

	if (f->since[0] == '\0')
		return NULL;
	gmtime_r(&ahead, &tm);
	strftime(le, sizeof le, "le%Y-%m-%dT%H:%M:%SZ", &tm);
	gt = xasprintf("gt%s", f->since);
	s = fhir_search_new("ChargeItemDefinition");
	fhir_search_add(s, "_lastUpdated", gt);
	fhir_search_add(s, "_lastUpdated", le);
	fhir_search_add(s, "_summary", "count");
	free(gt);
	return s;
}

long
bill_fees_changes(const cJSON *set)
{
	if (!same(fhir_get_string(set, "resourceType"), "Bundle"))
		return -1;
	return fhir_bundle_total(set);
}

cJSON *
bill_fees_revalidate_batch(const struct fhir_client *fc, const char *etag)
{
	cJSON *entries, *batch = fhir_batch_new(&entries), *request;
	struct fhir_search *s = bill_fees_search();
	char *tag;

	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	request = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(entries, 0), "request");
	if (etag != NULL && fhir_valid_id(etag) && request != NULL) {
		tag = xasprintf("W/\"%s\"", etag);
		cJSON_AddStringToObject(request, "ifNoneMatch", tag);
		free(tag);
	}
	return batch;
}

int
bill_fees_revalidated(const cJSON *response, struct bill_fees *out, char **etag, char **cause)
{
	const cJSON *e = cJSON_GetArrayItem(fhir_get_array(response, "entry"), 0);
	const char *status = fhir_get_string(fhir_get_object(e, "response"), "status");

	memset(out, 0, sizeof *out);
	*etag = NULL;
	if (status != NULL && strncmp(status, "304", 3) == 0 && (status[3] == '\0' || status[3] == ' '))
		return 0;
	if (!fhir_entry_ok(e)) {
		*cause = fhir_entry_failure(e, "the fee schedule");
		return -1;
	}
	if (bill_fees_read(fhir_get_object(e, "resource"), out, cause) != 0)
		return -1;
	*etag = fhir_entry_version(e);
	if (*etag != NULL && !fhir_valid_id(*etag)) {
		free(*etag);
		*etag = NULL;
	}
	return 1;
}

const struct bill_fee *
bill_fee_by_code(const struct bill_fees *f, const char *code)
{
	for (size_t i = 0; code != NULL && i < f->n; i++)
		if (f->v[i].problem == NULL && same_nocase(f->v[i].code, code))
			return &f->v[i];
	return NULL;
}

/* True when HAY holds NEEDLE[0..N), ASCII letters compared without case. */
static bool
contains_nocase(const char *hay, const char *needle, size_t n)
{
	for (; *hay != '\0'; hay++) {
		size_t i = 0;

		while (i < n && hay[i] != '\0' && lower(hay[i]) == lower(needle[i]))
			i++;
		if (i == n)
			return true;
	}
	return n == 0;
}

static bool
fee_matches(const struct bill_fee *fee, const char *words)
{
	const char *w = words;
	size_t n;
	bool code_prefix = true;

	for (n = 0; words[n] != '\0' && words[n] != ' ' && words[n] != '\t'; n++)
		if (code_prefix && (fee->code[n] == '\0' || lower(fee->code[n]) != lower(words[n])))
			code_prefix = false; /* and fee->code is read no further */
	if (code_prefix && n > 0 && words[n + strspn(words + n, " \t")] == '\0')
		return true;
	while (*w != '\0') {
		w += strspn(w, " \t");
		n = strcspn(w, " \t");
		if (n > 0 && !contains_nocase(fee->display, w, n))
			return false;
		w += n;
	}
	return true;
}

size_t
bill_fees_find(
    const struct bill_fees *f, const char *words, const struct bill_fee **out, size_t max)
{
	size_t found = 0;

	if (words == NULL)
		words = "";
	words += strspn(words, " \t");
	for (size_t i = 0; i < f->n; i++) {
		if (!fee_matches(&f->v[i], words))
			continue;
		if (found < max)
			out[found] = &f->v[i];
		found++;
	}
	return found;
}

/* --- charge lines ---------------------------------------------------------------------- */

void
bill_line_from_fee(struct bill_line *l, const struct bill_fee *fee, const char *day)
{
	bill_put(l->system, sizeof l->system, fee->system);
	bill_put(l->code, sizeof l->code, fee->code);
	bill_put(l->display, sizeof l->display, fee->display);
	bill_put(l->definition, sizeof l->definition, fee->url);
	bill_put(l->day, sizeof l->day, day);
	l->unit_price = fee->price;
	if (l->quantity == 0)
		l->quantity = 1;
}

const struct money *
bill_line_unit(const struct bill_line *l)
{
	return l->overridden ? &l->override_price : &l->unit_price;
}

int
bill_line_total(const struct bill_line *l, struct money *out, char **cause)
{
	return money_mul(bill_line_unit(l), l->quantity, out, cause);
}

/* "Line 2 (99213)", "Line 2" or "This charge", for the start of a sentence. */
static void
line_name(const struct bill_line *l, size_t n, char *buf, size_t size)
{
	bool code = l->code[0] != '\0' && strlen(l->code) <= 8;

	if (n == 0)
		snprintf(buf, size, code ? "The charge for %s" : "This charge", l->code);
	else if (code)
		snprintf(buf, size, "Line %zu (%s)", n, l->code);
	else
		snprintf(buf, size, "Line %zu", n);
}

static bool
modifier_valid(const char *m)
{
	return strlen(m) == 2 && (is_digit(m[0]) || is_upper(m[0])) &&
	       (is_digit(m[1]) || is_upper(m[1]));
}

size_t
bill_line_check(const struct bill_line *l, size_t n, struct bill_problems *out)
{
	size_t before = out->n;
	char name[48], a[MONEY_BUF_SIZE], b[MONEY_BUF_SIZE];
	struct date day;
	enum bill_code_kind kind = kind_of(l->system);

	line_name(l, n, name, sizeof name);
	if (!is_reference(l->patient, "Patient"))
		bill_problem_add(out, xasprintf("%s names no patient", name));
	if (!is_reference(l->encounter, "Encounter"))
		bill_problem_add(
		    out, xasprintf("%s is not tied to a visit: charge it from the encounter "
		                   "it was done in",
		             name));
	if (!is_reference(l->account, "Account"))
		bill_problem_add(out, xasprintf("%s has no billing account: the patient needs an "
		                           "account before charges are saved",
		                     name));
	if (l->performer[0] != '\0' && !is_reference(l->performer, "Practitioner"))
		bill_problem_add(out,
		    xasprintf("%s names a rendering provider that is not a practitioner", name));
	if (!day_parse(l->day, &day))
		bill_problem_add(out, xasprintf("%s has no date of service", name));
	if (l->code[0] == '\0')
		bill_problem_add(out,
		    xasprintf("%s has no procedure code: pick one from the fee schedule", name));
	else if (kind == BILL_CODE_OTHER)
		bill_problem_add(
		    out, xasprintf("%s is not coded in CPT or HCPCS, which a claim needs", name));
	else if (kind == BILL_CODE_CPT && !bill_cpt_valid(l->code))
		bill_problem_add(out, xasprintf("%s: the code is not a CPT code (five characters: four "
		                           "digits, then a digit, F or T)",
		                     name));
	else if (kind == BILL_CODE_HCPCS && !bill_hcpcs_valid(l->code))
		bill_problem_add(out, xasprintf("%s: the code is not a HCPCS code (a letter A to V and "
		                           "four digits)",
		                     name));
	if (l->quantity < 1 || l->quantity > BILL_QUANTITY_MAX)
		bill_problem_add(out, xasprintf("%s has a quantity of %lld; it must be 1 to %d", name,
		                     l->quantity, BILL_QUANTITY_MAX));
	if (l->unit_price.currency[0] == '\0')
		bill_problem_add(
		    out, xasprintf("%s has no price in the fee schedule: type its price", name));
	else if (l->unit_price.minor < 0)
		bill_problem_add(out, xasprintf("%s has a negative price", name));
	if (l->overridden) {
		const char *r = l->override_reason;

		format_money(&l->unit_price, a, sizeof a);
		format_money(&l->override_price, b, sizeof b);
		if (r[strspn(r, " \t")] == '\0')
			bill_problem_add(
			    out, xasprintf("%s has its price changed from %s to %s without a "
			                   "reason: say why",
			             name, a, b));
		if (l->override_price.minor < 0)
			bill_problem_add(out, xasprintf("%s has a negative price (%s)", name, b));
		if (memcmp(l->override_price.currency, l->unit_price.currency, 3) != 0 &&
		    l->unit_price.currency[0] != '\0')
			bill_problem_add(
			    out, xasprintf("%s has its price changed into another currency", name));
	}
	if (l->nmodifiers > BILL_MODIFIERS_MAX)
		bill_problem_add(out, xasprintf("%s has %zu modifiers; a claim line takes at most %d",
		                     name, l->nmodifiers, BILL_MODIFIERS_MAX));
	for (size_t i = 0; i < l->nmodifiers && i < BILL_MODIFIERS_MAX; i++) {
		if (!modifier_valid(l->modifiers[i]))
			bill_problem_add(
			    out, xasprintf("%s: modifier %zu is not two capital letters or digits "
			                   "(such as 25 or LT)",
			             name, i + 1));
		for (size_t j = 0; j < i; j++)
			if (strcmp(l->modifiers[i], l->modifiers[j]) == 0)
				bill_problem_add(out, xasprintf("%s has the modifier %s twice", name,
				                     l->modifiers[i]));
	}
	if (l->npointers == 0)
		bill_problem_add(
		    out, xasprintf("%s has no diagnosis: point it at the diagnosis (ICD-10-CM) "
		                   "that made it necessary",
		             name));
	if (l->npointers > BILL_POINTERS_MAX)
		bill_problem_add(
		    out, xasprintf("%s points at %zu diagnoses; a claim line takes at most %d",
		             name, l->npointers, BILL_POINTERS_MAX));
	for (size_t i = 0; i < l->npointers && i < BILL_POINTERS_MAX; i++) {
		if (!bill_icd10cm_valid(l->diagnoses[i]))
			bill_problem_add(
			    out, xasprintf("%s: diagnosis %zu is not an ICD-10-CM code (a letter, "
			                   "a digit, one more, then a point and up to four, "
			                   "as J06.9)",
			             name, i + 1));
		for (size_t j = 0; j < i; j++)
			if (strcmp(l->diagnoses[i], l->diagnoses[j]) == 0)
				bill_problem_add(
				    out, xasprintf("%s points at %s twice", name, l->diagnoses[i]));
	}
	return out->n - before;
}

/* A modifier's code system: numeric modifiers are CPT's, lettered ones HCPCS's. */
static const char *
modifier_system(const char *m)
{
	return is_digit(m[0]) && is_digit(m[1]) ? BILL_CS_CPT : BILL_CS_HCPCS;
}

cJSON *
bill_charge_item(const struct bill_line *l, const char *request_id)
{
	struct bill_problems problems = {0};
	cJSON *ci, *ext, *reasons, *x, *q;

	if (bill_line_check(l, 0, &problems) > 0 || empty(request_id)) {
		bill_problems_free(&problems);
		return NULL;
	}
	ci = cJSON_CreateObject();
	cJSON_AddStringToObject(ci, "resourceType", "ChargeItem");
	ext = cJSON_AddArrayToObject(ci, "extension");
	for (size_t i = 0; i < l->nmodifiers; i++) {
		cJSON *coding = cJSON_CreateObject();

		x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "url", BILL_EXT_MODIFIER);
		cJSON_AddStringToObject(coding, "system", modifier_system(l->modifiers[i]));
		cJSON_AddStringToObject(coding, "code", l->modifiers[i]);
		cJSON_AddItemToObject(x, "valueCoding", coding);
		cJSON_AddItemToArray(ext, x);
	}
	x = cJSON_CreateObject();
	cJSON_AddStringToObject(x, "url", BILL_EXT_UNIT_PRICE);
	cJSON_AddItemToObject(x, "valueMoney", bill_money_json(&l->unit_price));
	cJSON_AddItemToArray(ext, x);
	fhir_add_request_id(ci, request_id);
	if (l->definition[0] != '\0')
		cJSON_AddItemToArray(cJSON_AddArrayToObject(ci, "definitionCanonical"),
		    cJSON_CreateString(l->definition));
	cJSON_AddStringToObject(ci, "status", "billable");
	cJSON_AddItemToObject(ci, "code",
	    fhir_codeable(l->system, l->code, l->display[0] != '\0' ? l->display : NULL));
	cJSON_AddItemToObject(ci, "subject", reference(l->patient));
	cJSON_AddItemToObject(ci, "context", reference(l->encounter));
	cJSON_AddStringToObject(ci, "occurrenceDateTime", l->day);
	if (l->performer[0] != '\0') {
		cJSON *perf = cJSON_CreateObject();

		cJSON_AddItemToObject(perf, "actor", reference(l->performer));
		cJSON_AddItemToArray(cJSON_AddArrayToObject(ci, "performer"), perf);
	}
	q = cJSON_AddObjectToObject(ci, "quantity");
	cJSON_AddNumberToObject(q, "value", (double)l->quantity);
	if (l->overridden) {
		cJSON_AddItemToObject(ci, "priceOverride", bill_money_json(&l->override_price));
		cJSON_AddStringToObject(ci, "overrideReason", l->override_reason);
	}
	reasons = cJSON_AddArrayToObject(ci, "reason");
	for (size_t i = 0; i < l->npointers; i++)
		cJSON_AddItemToArray(
		    reasons, fhir_codeable(BILL_CS_ICD10CM, l->diagnoses[i], NULL));
	cJSON_AddItemToArray(cJSON_AddArrayToObject(ci, "account"), reference(l->account));
	return ci;
}

/* The first reference of ARRAY NAME of OBJ, or NULL. */
static const char *
first_reference(const cJSON *obj, const char *name)
{
	return fhir_get_string(cJSON_GetArrayItem(fhir_get_array(obj, name), 0), "reference");
}

/* Identifiers of a charge looked at for its request identifier: ours carry one. */
#define CHARGE_IDENTIFIERS_MAX 16

/*
 * The request identifier CI carries into OUT, among its first identifiers; left "" when
 * there is none or it does not fit (the charge is still read: only a retry's pending
 * line cannot be matched to it).
 */
static void
read_request_id(const cJSON *ci, struct bill_line *out)
{
	const cJSON *id;
	size_t n = 0;

	cJSON_ArrayForEach(id, fhir_get_array(ci, "identifier"))
	{
		const char *value = fhir_get_string(id, "value");

		if (n++ == CHARGE_IDENTIFIERS_MAX)
			break;
		if (!same(fhir_get_string(id, "system"), FHIR_REQUEST_SYSTEM) || empty(value))
			continue;
		(void)bill_put(out->request_id, sizeof out->request_id, value);
		return;
	}
}

int
bill_line_read(const cJSON *ci, struct bill_line *out, char **cause)
{
	const cJSON *coding = procedure_coding(fhir_get_object(ci, "code")), *x, *reason, *q;
	const char *day = fhir_get_string(ci, "occurrenceDateTime");
	bool has_unit = false, fits = true;
	char *why = NULL;

	memset(out, 0, sizeof *out);
	if (!same(fhir_get_string(ci, "resourceType"), "ChargeItem")) {
		*cause = xstrdup("the server sent something other than a charge");
		return -1;
	}
	if (coding == NULL) {
		*cause = xstrdup("the server sent a charge without a procedure code");
		return -1;
	}
	if (day == NULL)
		day = fhir_get_string(fhir_get_object(ci, "occurrencePeriod"), "start");
	fits &= bill_put(out->code, sizeof out->code, fhir_get_string(coding, "code"));
	fits &= bill_put(out->system, sizeof out->system, fhir_get_string(coding, "system"));
	bill_put_label(out->display, sizeof out->display, fhir_get_string(coding, "display"));
	fits &= bill_put(out->id, sizeof out->id, fhir_get_string(ci, "id"));
	fits &= bill_put(out->version, sizeof out->version, fhir_version_of(ci));
	fits &= bill_put(out->status, sizeof out->status, fhir_get_string(ci, "status"));
	read_request_id(ci, out);
	fits &= bill_put(out->patient, sizeof out->patient,
	    fhir_get_string(fhir_get_object(ci, "subject"), "reference"));
	fits &= bill_put(out->encounter, sizeof out->encounter,
	    fhir_get_string(fhir_get_object(ci, "context"), "reference"));
	fits &= bill_put(out->account, sizeof out->account, first_reference(ci, "account"));
	fits &= bill_put(out->performer, sizeof out->performer,
	    fhir_get_string(
	        fhir_get_object(cJSON_GetArrayItem(fhir_get_array(ci, "performer"), 0), "actor"),
	        "reference"));
	fits &= bill_put(out->definition, sizeof out->definition,
	    cJSON_GetArrayItem(fhir_get_array(ci, "definitionCanonical"), 0) != NULL
	        ? cJSON_GetArrayItem(fhir_get_array(ci, "definitionCanonical"), 0)->valuestring
	        : NULL);
	if (day != NULL && strlen(day) >= 10) {
		memcpy(out->day, day, 10);
		out->day[10] = '\0';
	}
	if (!fits) {
		*cause =
		    xasprintf("the server sent the charge for %s with a field too long to bill",
		        out->code[0] != '\0' ? out->code : "a code");
		return -1;
	}
	q = cJSON_GetObjectItemCaseSensitive(fhir_get_object(ci, "quantity"), "value");
	if (q == NULL)
		out->quantity = 1;
	else if (cJSON_IsNumber(q) && q->valuedouble >= 1 && q->valuedouble <= BILL_QUANTITY_MAX &&
	         q->valuedouble == (double)(long long)q->valuedouble)
		out->quantity = (long long)q->valuedouble;
	else {
		*cause =
		    xasprintf("the server sent the charge for %s with a quantity that is not a "
		              "whole number from 1 to %d",
		        out->code, BILL_QUANTITY_MAX);
		return -1;
	}
	cJSON_ArrayForEach(x, fhir_get_array(ci, "extension"))
	{
		const char *url = fhir_get_string(x, "url");

		if (same(url, BILL_EXT_MODIFIER)) {
			const char *m = fhir_get_string(fhir_get_object(x, "valueCoding"), "code");

			if (out->nmodifiers < BILL_MODIFIERS_MAX)
				bill_put(out->modifiers[out->nmodifiers], sizeof out->modifiers[0], m);
			out->nmodifiers++;
		} else if (same(url, BILL_EXT_UNIT_PRICE)) {
			if (bill_money_read(
			        fhir_get_object(x, "valueMoney"), &out->unit_price, &why) != 0)
				goto money;
			has_unit = true;
		}
	}
	if (fhir_get_object(ci, "priceOverride") != NULL) {
		if (bill_money_read(
		        fhir_get_object(ci, "priceOverride"), &out->override_price, &why) != 0)
			goto money;
		out->overridden = true;
		bill_put_label(out->override_reason, sizeof out->override_reason,
		    fhir_get_string(ci, "overrideReason"));
		if (!has_unit)
			out->unit_price = out->override_price;
	} else if (!has_unit) {
		*cause = xasprintf("the charge for %s has no price: capture it again from the fee "
		                   "schedule",
		    out->code);
		return -1;
	}
	/* Only ICD-10-CM points a claim line at a diagnosis; another system is no pointer. */
	cJSON_ArrayForEach(reason, fhir_get_array(ci, "reason"))
	{
		const cJSON *c;

		cJSON_ArrayForEach(c, fhir_get_array(reason, "coding"))
		{
			if (!same(fhir_get_string(c, "system"), BILL_CS_ICD10CM))
				continue;
			if (out->npointers < BILL_POINTERS_MAX)
				bill_put(out->diagnoses[out->npointers], sizeof out->diagnoses[0],
				    fhir_get_string(c, "code"));
			out->npointers++;
			break;
		}
	}
	return 0;
money:
	*cause = xasprintf("the charge for %s: %s", out->code, why);
	free(why);
	return -1;
}

struct fhir_search *
bill_charges_search(const char *encounter_id)
{
	struct fhir_search *s = fhir_search_new("ChargeItem");
	char *ref = xasprintf("Encounter/%s", encounter_id), count[16];

	snprintf(count, sizeof count, "%d", BILL_CHARGES_COUNT);
	fhir_search_add(s, "context", ref);
	fhir_search_add(s, "_count", count);
	free(ref);
	return s;
}

/* Lines I and J bill one service twice: one code, the same modifiers, on one day. */
static bool
lines_duplicate(const struct bill_line *a, const struct bill_line *b)
{
	if (!same_nocase(a->code, b->code) || strcmp(a->day, b->day) != 0 ||
	    a->nmodifiers != b->nmodifiers)
		return false;
	for (size_t i = 0; i < a->nmodifiers && i < BILL_MODIFIERS_MAX; i++) {
		size_t j;

		for (j = 0; j < b->nmodifiers && j < BILL_MODIFIERS_MAX; j++)
			if (strcmp(a->modifiers[i], b->modifiers[j]) == 0)
				break;
		if (j == b->nmodifiers || j == BILL_MODIFIERS_MAX)
			return false;
	}
	return true;
}

static void
check_duplicates(const struct bill_line *lines, size_t n, struct bill_problems *out)
{
	for (size_t j = 1; j < n; j++) {
		for (size_t i = 0; i < j; i++) {
			if (!lines_duplicate(&lines[i], &lines[j]))
				continue;
			bill_problem_add(
			    out, xasprintf("Line %zu repeats line %zu (%s on %s): remove it, or "
			                   "add a modifier (such as 76 or 91) if the service "
			                   "was done again",
			             j + 1, i + 1, lines[j].code, lines[j].day));
			break;
		}
	}
}

void
bill_line_name(struct bill_line *l, const char *request_id, unsigned long serial)
{
	snprintf(l->request_id, sizeof l->request_id, "%s.%lu", request_id != NULL ? request_id : "",
	    serial);
}

struct fhir_plan *
bill_superbill_plan(const struct bill_line *lines, size_t n, struct bill_problems *out)
{
	struct fhir_plan *p;
	size_t before = out->n;

	if (n == 0)
		bill_problem_add(out, xstrdup("The superbill has no charges"));
	if (n > BILL_LINES_MAX)
		bill_problem_add(
		    out, xasprintf("The superbill has %zu charges; one save takes at most %d: "
		                   "save it in two",
		             n, BILL_LINES_MAX));
	for (size_t i = 0; i < n; i++) {
		bill_line_check(&lines[i], i + 1, out);
		if (empty(lines[i].request_id))
			bill_problem_add(out, xasprintf("Line %zu has no request identifier", i + 1));
		/* Two lines under one identifier: a retry would find one and write the other never. */
		for (size_t j = 0; j < i && !empty(lines[i].request_id); j++)
			if (strcmp(lines[j].request_id, lines[i].request_id) == 0) {
				bill_problem_add(out, xasprintf("Line %zu has the request identifier of "
				                           "line %zu",
				                     i + 1, j + 1));
				break;
			}
		if (i > 0 && (strcmp(lines[i].patient, lines[0].patient) != 0 ||
		                 strcmp(lines[i].encounter, lines[0].encounter) != 0))
			bill_problem_add(out, xasprintf("Line %zu is for another visit than line 1: a "
			                           "superbill is one visit's charges",
			                     i + 1));
	}
	check_duplicates(lines, n, out);
	if (out->n > before)
		return NULL;
	p = fhir_plan_new();
	for (size_t i = 0; i < n; i++) {
		const char *rid = lines[i].request_id;
		cJSON *ci = bill_charge_item(&lines[i], rid);
		struct fhir_search *guard = fhir_request_search("ChargeItem", rid);
		int step = ci != NULL ? fhir_plan_create(p, ci, guard) : -1;

		fhir_search_free(&guard);
		cJSON_Delete(ci);
		if (step < 0) {
			bill_problem_add(
			    out, xasprintf("Line %zu could not be added to the save", i + 1));
			fhir_plan_free(&p);
			return NULL;
		}
	}
	return p;
}

/* --- the claim ------------------------------------------------------------------------- */

size_t
bill_claim_diagnoses(const struct bill_claim_input *in, char codes[][BILL_CODE_SIZE], size_t max)
{
	/* Distinct codes counted past MAX without keeping them: compare against the lines. */
	size_t n = 0;

	for (size_t i = 0; i < in->nlines; i++) {
		const struct bill_line *l = &in->lines[i];

		for (size_t k = 0; k < l->npointers && k < BILL_POINTERS_MAX; k++) {
			const char *code = l->diagnoses[k];
			bool seen = false;

			/* Seen before: on an earlier line, or earlier on this one. */
			for (size_t j = 0; j <= i && !seen; j++) {
				const struct bill_line *e = &in->lines[j];
				size_t upto = j < i ? e->npointers : k;

				for (size_t m = 0; m < upto && m < BILL_POINTERS_MAX && !seen; m++)
					seen = strcmp(e->diagnoses[m], code) == 0;
			}
			if (seen)
				continue;
			if (n < max)
				bill_put(codes[n], BILL_CODE_SIZE, code);
			n++;
		}
	}
	return n;
}

int
bill_claim_total(const struct bill_claim_input *in, struct money *out, char **cause)
{
	struct money sum, line;

	if (in->nlines == 0)
		return money_make(0, NULL, out, cause);
	if (bill_line_total(&in->lines[0], &sum, cause) != 0)
		return -1;
	for (size_t i = 1; i < in->nlines; i++)
		if (bill_line_total(&in->lines[i], &line, cause) != 0 ||
		    money_add(&sum, &line, &sum, cause) != 0)
			return -1;
	*out = sum;
	return 0;
}

/* "The primary insurance (Acme Health)", for the start of a sentence. */
static void
coverage_name(const struct coverage_view *c, size_t k, char *buf, size_t size)
{
	static const char *const rank[] = {"primary", "secondary", "tertiary"};
	const char *payer = !empty(c->payer_display) ? c->payer_display : c->payer_reference;
	char which[32];

	if (k < 3)
		snprintf(which, sizeof which, "The %s insurance", rank[k]);
	else
		snprintf(which, sizeof which, "Insurance %zu", k + 1);
	if (!empty(payer)) {
		char shown[64];

		bill_put_label(shown, sizeof shown, payer);
		snprintf(buf, size, "%s (%s)", which, shown);
	} else
		snprintf(buf, size, "%s", which);
}

static void
scrub_provider(
    const char *who, const char *ref, const char *npi, bool practitioner, struct bill_problems *out)
{
	bool ok = practitioner
	              ? is_reference(ref, "Practitioner")
	              : is_reference(ref, "Organization") || is_reference(ref, "Practitioner");

	if (!ok)
		bill_problem_add(out, xasprintf("The claim names no %s", who));
	if (empty(npi))
		bill_problem_add(out, xasprintf("The %s has no NPI: add it to their record", who));
	else if (!bill_npi_valid(npi))
		bill_problem_add(
		    out, xasprintf("The %s's NPI %.12s is not valid: an NPI is ten digits, the "
		                   "last a check digit; look for a typing slip",
		             who, npi));
}

static void
scrub_coverage(const struct bill_claim_input *in, size_t k, const struct date *today,
    struct bill_problems *out)
{
	const struct coverage_view *c = in->coverages[k];
	char name[128], now[DATE_BUF_SIZE];
	bool expired = false;

	coverage_name(c, k, name, sizeof name);
	date_format_iso(today, now, sizeof now);
	if (empty(c->member))
		bill_problem_add(
		    out, xasprintf("%s has no member id: copy it from the insurance card", name));
	if (!is_reference(c->payer_reference, "Organization"))
		bill_problem_add(out, xasprintf("%s names no payer to send the claim to", name));
	if (!fhir_valid_id(c->id))
		bill_problem_add(out, xasprintf("%s is not saved on the server yet", name));
	if (!same(c->status, "active"))
		bill_problem_add(out, xasprintf("%s is %s, not active", name,
		                     c->status[0] != '\0' ? c->status : "without a status"));
	/*
	 * Against each day of service once. A coverage that ended before today still
	 * pays for what was done while it ran; it is expired for this claim when a
	 * service came after its end. A day before its start, or after an end still to
	 * come, is outside its period.
	 */
	for (size_t i = 0; i < in->nlines; i++) {
		const char *day = in->lines[i].day;
		bool seen = false;

		if (day[0] == '\0')
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(in->lines[j].day, day) == 0;
		if (seen)
			continue;
		if (c->start_day[0] != '\0' && strcmp(day, c->start_day) < 0)
			bill_problem_add(out, xasprintf("%s began on %s, after the date of service %s",
			                     name, c->start_day, day));
		else if (c->end_day[0] != '\0' && strcmp(day, c->end_day) > 0 &&
		         strcmp(c->end_day, now) < 0 && !expired) {
			bill_problem_add(
			    out, xasprintf("%s expired on %s, before the date of service %s: ask "
			                   "the patient for their current card",
			             name, c->end_day, day));
			expired = true;
		} else if (c->end_day[0] != '\0' && strcmp(day, c->end_day) > 0 &&
		           strcmp(c->end_day, now) >= 0)
			bill_problem_add(out, xasprintf("%s ends on %s, before the date of service %s",
			                     name, c->end_day, day));
	}
}

size_t
bill_scrub(const struct bill_claim_input *in, const struct date *today, struct bill_problems *out)
{
	size_t before = out->n, ndiag;
	char codes[BILL_DIAGNOSES_MAX][BILL_CODE_SIZE];
	struct money total;
	char *cause = NULL;

	if (!is_reference(in->patient, "Patient"))
		bill_problem_add(out, xstrdup("The claim names no patient"));
	if (in->nlines == 0)
		bill_problem_add(
		    out, xstrdup("The claim has no charges: capture the visit's charges first"));
	if (in->nlines > BILL_LINES_MAX)
		bill_problem_add(
		    out, xasprintf("The claim has %zu lines; ehrterm sends at most %d on one "
		                   "claim: split it",
		             in->nlines, BILL_LINES_MAX));
	for (size_t i = 0; i < in->nlines; i++) {
		const struct bill_line *l = &in->lines[i];

		bill_line_check(l, i + 1, out);
		if (!empty(in->patient) && l->patient[0] != '\0' &&
		    strcmp(l->patient, in->patient) != 0)
			bill_problem_add(out, xasprintf("Line %zu is another patient's charge", i + 1));
		if (l->status[0] != '\0' && !same(l->status, "billable"))
			bill_problem_add(out, xasprintf("Line %zu (%s) is %s, not billable", i + 1,
			                     l->code, l->status));
		if (i > 0 && memcmp(bill_line_unit(l)->currency,
		                 bill_line_unit(&in->lines[0])->currency, 3) != 0)
			bill_problem_add(
			    out, xasprintf("Line %zu is priced in %.3s, line 1 in %.3s: one claim "
			                   "is in one currency",
			             i + 1, bill_line_unit(l)->currency,
			             bill_line_unit(&in->lines[0])->currency));
	}
	check_duplicates(in->lines, in->nlines, out);
	if (in->charge_items != NULL) {
		if ((size_t)cJSON_GetArraySize(in->charge_items) != in->nlines)
			bill_problem_add(
			    out, xstrdup("The claim's lines and the charges read differ: read "
			                 "the visit again"));
		for (size_t i = 0; i < in->nlines; i++) {
			const cJSON *ci = cJSON_GetArrayItem(in->charge_items, (int)i);

			if (ci != NULL && (!same(fhir_get_string(ci, "id"), in->lines[i].id) ||
			                      empty(fhir_version_of(ci))))
				bill_problem_add(
				    out, xasprintf("Line %zu is not the charge as the server "
				                   "has it: read the visit again",
				             i + 1));
		}
	}
	ndiag = bill_claim_diagnoses(in, codes, BILL_DIAGNOSES_MAX);
	if (ndiag > BILL_DIAGNOSES_MAX)
		bill_problem_add(
		    out, xasprintf("The claim points at %zu diagnoses; a professional claim "
		                   "takes at most %d: put some lines on a second claim",
		             ndiag, BILL_DIAGNOSES_MAX));
	if (bill_claim_total(in, &total, &cause) != 0) {
		bill_problem_add(out, xasprintf("The claim's total cannot be worked out: %s", cause));
		free(cause);
	}
	scrub_provider("billing provider", in->billing, in->billing_npi, false, out);
	scrub_provider("rendering provider", in->rendering, in->rendering_npi, true, out);
	if (!is_reference(in->facility, "Location"))
		bill_problem_add(out, xstrdup("The claim names no facility where the service was done"));
	if (empty(in->place_of_service) || strlen(in->place_of_service) != 2 ||
	    !is_digit(in->place_of_service[0]) || !is_digit(in->place_of_service[1]))
		bill_problem_add(
		    out, xstrdup("The claim has no place of service (two digits: 11 for the "
		                 "office)"));
	if (in->ncoverages == 0)
		bill_problem_add(
		    out, xstrdup("The patient has no insurance on file: add the coverage, or "
		                 "bill the patient instead"));
	for (size_t k = 0; k < in->ncoverages; k++)
		scrub_coverage(in, k, today, out);
	if (empty(in->request_id))
		bill_problem_add(out, xstrdup("The claim has no request identifier"));
	return out->n - before;
}

static cJSON *
provider_reference(const char *ref, const char *npi)
{
	cJSON *r = reference(ref), *id;

	if (!empty(npi)) {
		id = cJSON_AddObjectToObject(r, "identifier");
		cJSON_AddStringToObject(id, "system", BILL_CS_NPI);
		cJSON_AddStringToObject(id, "value", npi);
	}
	return r;
}

/* The 1-based number of CODE among the claim's diagnoses. */
static int
diagnosis_sequence(char codes[][BILL_CODE_SIZE], size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(codes[i], code) == 0)
			return (int)i + 1;
	return 0;
}

static cJSON *
claim_item(const struct bill_claim_input *in, size_t i, char codes[][BILL_CODE_SIZE], size_t ndiag)
{
	const struct bill_line *l = &in->lines[i];
	cJSON *item = cJSON_CreateObject(), *seq, *q;
	struct money net;
	char *cause = NULL;

	if (l->id[0] != '\0') {
		cJSON *x = cJSON_CreateObject();
		char *ref = xasprintf("ChargeItem/%s", l->id);

		cJSON_AddStringToObject(x, "url", BILL_EXT_CLAIM_CHARGE);
		cJSON_AddItemToObject(x, "valueReference", reference(ref));
		cJSON_AddItemToArray(cJSON_AddArrayToObject(item, "extension"), x);
		free(ref);
	}
	cJSON_AddNumberToObject(item, "sequence", (double)(i + 1));
	cJSON_AddItemToArray(
	    cJSON_AddArrayToObject(item, "careTeamSequence"), cJSON_CreateNumber(1));
	seq = cJSON_AddArrayToObject(item, "diagnosisSequence");
	for (size_t k = 0; k < l->npointers && k < BILL_POINTERS_MAX; k++)
		cJSON_AddItemToArray(
		    seq, cJSON_CreateNumber(diagnosis_sequence(codes, ndiag, l->diagnoses[k])));
	cJSON_AddItemToObject(item, "productOrService",
	    fhir_codeable(l->system, l->code, l->display[0] != '\0' ? l->display : NULL));
	if (l->nmodifiers > 0) {
		cJSON *mods = cJSON_AddArrayToObject(item, "modifier");

		for (size_t k = 0; k < l->nmodifiers && k < BILL_MODIFIERS_MAX; k++)
			cJSON_AddItemToArray(mods,
			    fhir_codeable(modifier_system(l->modifiers[k]), l->modifiers[k], NULL));
	}
	cJSON_AddStringToObject(item, "servicedDate", l->day);
	cJSON_AddItemToObject(item, "locationCodeableConcept",
	    fhir_codeable(BILL_CS_POS, in->place_of_service, NULL));
	q = cJSON_AddObjectToObject(item, "quantity");
	cJSON_AddNumberToObject(q, "value", (double)l->quantity);
	cJSON_AddItemToObject(item, "unitPrice", bill_money_json(bill_line_unit(l)));
	/* The scrubber has summed every line already, so this cannot overflow. */
	if (bill_line_total(l, &net, &cause) == 0)
		cJSON_AddItemToObject(item, "net", bill_money_json(&net));
	free(cause);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(item, "encounter"), reference(l->encounter));
	return item;
}

cJSON *
bill_claim_build(
    const struct bill_claim_input *in, const struct date *today, struct bill_problems *out)
{
	char codes[BILL_DIAGNOSES_MAX][BILL_CODE_SIZE], created[DATE_BUF_SIZE],
	    cref[BILL_REF_SIZE + 16];
	const char *first = NULL, *last = NULL;
	size_t ndiag;
	struct money total;
	char *cause = NULL;
	cJSON *claim, *arr, *o;

	if (bill_scrub(in, today, out) > 0)
		return NULL;
	ndiag = bill_claim_diagnoses(in, codes, BILL_DIAGNOSES_MAX);
	if (bill_claim_total(in, &total, &cause) != 0) {
		bill_problem_add(out, cause);
		return NULL;
	}
	for (size_t i = 0; i < in->nlines; i++) {
		if (first == NULL || strcmp(in->lines[i].day, first) < 0)
			first = in->lines[i].day;
		if (last == NULL || strcmp(in->lines[i].day, last) > 0)
			last = in->lines[i].day;
	}
	date_format_iso(today, created, sizeof created);

	claim = cJSON_CreateObject();
	cJSON_AddStringToObject(claim, "resourceType", "Claim");
	fhir_add_request_id(claim, in->request_id);
	cJSON_AddStringToObject(claim, "status", "active");
	cJSON_AddItemToObject(claim, "type", fhir_codeable(CS_CLAIM_TYPE, "professional", NULL));
	cJSON_AddStringToObject(claim, "use", "claim");
	cJSON_AddItemToObject(claim, "patient", reference(in->patient));
	o = cJSON_AddObjectToObject(claim, "billablePeriod");
	cJSON_AddStringToObject(o, "start", first);
	cJSON_AddStringToObject(o, "end", last);
	cJSON_AddStringToObject(claim, "created", created);
	cJSON_AddItemToObject(claim, "insurer", reference(in->coverages[0]->payer_reference));
	cJSON_AddItemToObject(claim, "provider", provider_reference(in->billing, in->billing_npi));
	cJSON_AddItemToObject(claim, "priority", fhir_codeable(CS_PRIORITY, "normal", NULL));
	arr = cJSON_AddArrayToObject(claim, "careTeam");
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "sequence", 1);
	cJSON_AddItemToObject(o, "provider", provider_reference(in->rendering, in->rendering_npi));
	cJSON_AddItemToObject(o, "role", fhir_codeable(CS_CARE_TEAM_ROLE, "primary", NULL));
	cJSON_AddItemToArray(arr, o);
	arr = cJSON_AddArrayToObject(claim, "diagnosis");
	for (size_t i = 0; i < ndiag; i++) {
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "sequence", (double)(i + 1));
		cJSON_AddItemToObject(
		    o, "diagnosisCodeableConcept", fhir_codeable(BILL_CS_ICD10CM, codes[i], NULL));
		cJSON_AddItemToArray(arr, o);
	}
	arr = cJSON_AddArrayToObject(claim, "insurance");
	for (size_t k = 0; k < in->ncoverages; k++) {
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "sequence", (double)(k + 1));
		cJSON_AddBoolToObject(o, "focal", k == 0);
		snprintf(cref, sizeof cref, "Coverage/%s", in->coverages[k]->id);
		cJSON_AddItemToObject(o, "coverage", reference(cref));
		cJSON_AddItemToArray(arr, o);
	}
	cJSON_AddItemToObject(claim, "facility", reference(in->facility));
	arr = cJSON_AddArrayToObject(claim, "item");
	for (size_t i = 0; i < in->nlines; i++)
		cJSON_AddItemToArray(arr, claim_item(in, i, codes, ndiag));
	cJSON_AddItemToObject(claim, "total", bill_money_json(&total));
	return claim;
}

struct fhir_plan *
bill_claim_plan(
    const struct bill_claim_input *in, const struct date *today, struct bill_problems *out)
{
	cJSON *claim = bill_claim_build(in, today, out);
	struct fhir_plan *p;
	struct fhir_search *guard;
	int step;

	if (claim == NULL)
		return NULL;
	p = fhir_plan_new();
	guard = fhir_request_search("Claim", in->request_id);
	step = fhir_plan_create(p, claim, guard);
	fhir_search_free(&guard);
	cJSON_Delete(claim);
	/* The claim goes first: a charge marked billed without its claim would be lost. */
	for (size_t i = 0; step >= 0 && in->charge_items != NULL && i < in->nlines; i++) {
		const cJSON *ci = cJSON_GetArrayItem(in->charge_items, (int)i);
		cJSON *billed = cJSON_Duplicate(ci, true);

		/* meta is the server's, and the narrative would no longer say what it holds. */
		cJSON_DeleteItemFromObjectCaseSensitive(billed, "meta");
		cJSON_DeleteItemFromObjectCaseSensitive(billed, "text");
		fhir_set_string(billed, "status", "billed");
		step = fhir_plan_update(p, billed, fhir_version_of(ci), ci);
		cJSON_Delete(billed);
	}
	if (step < 0) {
		bill_problem_add(out, xstrdup("The claim could not be put together for saving"));
		fhir_plan_free(&p);
	}
	return p;
}

size_t
bill_coverages_on(const struct coverage_view *views, size_t n, const char *day,
    const struct coverage_view **out, size_t max)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		const struct coverage_view *v = &views[i];

		if (!same(v->status, "active") || day == NULL ||
		    (v->start_day[0] != '\0' && strcmp(day, v->start_day) < 0) ||
		    (v->end_day[0] != '\0' && strcmp(day, v->end_day) > 0))
			continue;
		if (k < max)
			out[k] = v;
		k++;
	}
	return k < max ? k : max;
}

/* --- remittances ----------------------------------------------------------------------- */

/*
 * *ACC += *M. An accumulator that has seen nothing yet has no currency and takes
 * M's. 0, or -1 with *CAUSE on a currency mixed or an overflow.
 */
static int
acc_add(struct money *acc, const struct money *m, char **cause)
{
	if (acc->currency[0] == '\0') {
		memcpy(acc->currency, m->currency, sizeof acc->currency);
		acc->minor = 0;
	}
	return money_add(acc, m, acc, cause);
}

static int
acc_sub(struct money *acc, const struct money *m, char **cause)
{
	if (acc->currency[0] == '\0') {
		memcpy(acc->currency, m->currency, sizeof acc->currency);
		acc->minor = 0;
	}
	return money_sub(acc, m, acc, cause);
}

static enum bill_group
group_of(const char *code)
{
	static const char *const names[] = {"", "CO", "PR", "OA", "PI"};

	for (size_t i = 1; code != NULL && i < sizeof names / sizeof *names; i++)
		if (strcmp(code, names[i]) == 0)
			return (enum bill_group)i;
	return BILL_GROUP_NONE;
}

static const char *
group_name(enum bill_group g)
{
	static const char *const names[] = {"", "CO", "PR", "OA", "PI"};

	return names[g];
}

/* "line 2" or "the added line 3", for sentences about a remittance's lines. */
static void
remit_line_name(const struct bill_remit_line *l, size_t index, char *buf, size_t size)
{
	if (l->sequence > 0)
		snprintf(buf, size, "claim line %ld", l->sequence);
	else
		snprintf(buf, size, "the payer's added line %zu", index + 1);
}

/* One adjudication into L; its amount, if unreadable, makes the whole line so. */
static void
adjudication_read(
    const cJSON *adj, struct bill_remit_line *l, size_t index, struct bill_remit *r, bool *reasoned)
{
	const cJSON *reason = fhir_get_object(adj, "reason"),
	            *amount = fhir_get_object(adj, "amount");
	const cJSON *c;
	const char *carc = NULL, *group = NULL, *category;
	struct money m;
	char *why = NULL, name[48];

	cJSON_ArrayForEach(c, fhir_get_array(reason, "coding"))
	{
		const char *sys = fhir_get_string(c, "system");

		if (same(sys, BILL_CS_CARC))
			carc = fhir_get_string(c, "code");
		else if (same(sys, BILL_CS_CARC_GROUP))
			group = fhir_get_string(c, "code");
	}
	if (reason != NULL)
		*reasoned = true;
	/* eligpercent carries a value, not an amount: a rate is never added to money. */
	if (amount == NULL)
		return;
	remit_line_name(l, index, name, sizeof name);
	if (bill_money_read(amount, &m, &why) != 0) {
		bill_problem_add(
		    &r->problems, xasprintf("On %s an amount cannot be used, so the line is not "
		                            "counted: %s",
		                      name, why));
		free(why);
		l->unreadable = true;
		return;
	}
	if (carc != NULL) {
		struct bill_adjustment *a = &l->adj[l->nadj];

		if (l->nadj == BILL_ADJUSTMENTS_MAX) {
			bill_problem_add(&r->problems, xasprintf("On %s the payer sent more than %d "
			                                    "adjustments; the line is not counted",
			                              name, BILL_ADJUSTMENTS_MAX));
			l->unreadable = true;
			return;
		}
		if (!bill_put(a->reason, sizeof a->reason, carc) || a->reason[0] == '\0') {
			bill_problem_add(
			    &r->problems, xasprintf("On %s an adjustment reason code is not "
			                            "readable; the line is not counted",
			                      name));
			l->unreadable = true;
			return;
		}
		a->group = group_of(group);
		a->amount = m;
		l->nadj++;
		if (a->group == BILL_GROUP_PR && acc_add(&l->patient_share, &m, &why) != 0)
			goto sum;
		return;
	}
	category = fhir_first_code(fhir_get_object(adj, "category"));
	if (same(category, "submitted")) {
		l->submitted = m;
		l->has_submitted = true;
	} else if (same(category, "eligible")) {
		l->allowed = m;
		l->has_allowed = true;
	} else if (same(category, "benefit")) {
		l->paid = m;
		l->has_paid = true;
	} else if (same(category, "copay") || same(category, "deductible") ||
	           same(category, "coinsurance")) {
		if (acc_add(&l->patient_share, &m, &why) != 0)
			goto sum;
	}
	return;
sum:
	bill_problem_add(
	    &r->problems, xasprintf("On %s the patient's share cannot be added up: %s", name, why));
	free(why);
	l->unreadable = true;
}

static void
remit_line_read(const cJSON *item, bool added, struct bill_remit *r)
{
	struct bill_remit_line *l = &r->lines[r->n];
	const cJSON *seq, *adj;
	bool reasoned = false;

	memset(l, 0, sizeof *l);
	seq = added ? cJSON_GetArrayItem(fhir_get_array(item, "itemSequence"), 0)
	            : cJSON_GetObjectItemCaseSensitive(item, "itemSequence");
	/* An added line answers no line of ours: it is the payer's own. */
	if (!added && cJSON_IsNumber(seq) && seq->valuedouble >= 1 && seq->valuedouble <= 1e6)
		l->sequence = (long)seq->valuedouble;
	if (added && !bill_put(l->code, sizeof l->code,
	                 fhir_first_code(fhir_get_object(item, "productOrService"))))
		bill_put(l->code, sizeof l->code, "?");
	cJSON_ArrayForEach(adj, fhir_get_array(item, "adjudication"))
	    adjudication_read(adj, l, r->n, r, &reasoned);
	l->denied = !l->unreadable && l->paid.minor == 0 && reasoned &&
	            (!l->has_submitted || l->submitted.minor > 0);
	r->n++;
}

int
bill_remit_read(const cJSON *cr, struct bill_remit *out, char **cause)
{
	const cJSON *insurer = fhir_get_object(cr, "insurer"),
	            *payment = fhir_get_object(cr, "payment");
	const cJSON *item, *total;
	const char *request = fhir_get_string(fhir_get_object(cr, "request"), "reference");
	const char *who = fhir_get_string(insurer, "display");
	size_t nitems = (size_t)cJSON_GetArraySize(fhir_get_array(cr, "item")) +
	                (size_t)cJSON_GetArraySize(fhir_get_array(cr, "addItem"));
	char *why = NULL, a[MONEY_BUF_SIZE], b[MONEY_BUF_SIZE];

	memset(out, 0, sizeof *out);
	if (!same(fhir_get_string(cr, "resourceType"), "ClaimResponse")) {
		*cause = xstrdup("the server sent something other than a claim's answer");
		return -1;
	}
	bill_put(out->id, sizeof out->id, fhir_get_string(cr, "id"));
	bill_put(out->version, sizeof out->version, fhir_version_of(cr));
	bill_put(out->patient, sizeof out->patient,
	    fhir_get_string(fhir_get_object(cr, "patient"), "reference"));
	bill_put(out->outcome, sizeof out->outcome, fhir_get_string(cr, "outcome"));
	if (is_reference(request, "Claim"))
		bill_put(out->claim, sizeof out->claim, request);
	if (who == NULL)
		who = fhir_get_string(insurer, "reference");
	if (who == NULL)
		who = fhir_get_string(fhir_get_object(insurer, "identifier"), "value");
	bill_put_label(out->insurer, sizeof out->insurer, who);
	/* The ledger dates the answer by its payment, else by when it was written. */
	if (!day_parse(fhir_get_string(payment, "date"), &(struct date){0}) ||
	    !bill_put(out->payment_date, sizeof out->payment_date, fhir_get_string(payment, "date"))) {
		const char *created = fhir_get_string(cr, "created");

		if (day_parse(created, &(struct date){0}))
			memcpy(out->payment_date, created, 10), out->payment_date[10] = '\0';
	}
	if (fhir_get_object(payment, "amount") != NULL) {
		if (bill_money_read(fhir_get_object(payment, "amount"), &out->payment, &why) == 0)
			out->has_payment = true;
		else {
			bill_problem_add(&out->problems,
			    xasprintf("The payment's amount cannot be used: %s", why));
			free(why);
			why = NULL;
		}
	}
	if (nitems > BILL_REMIT_LINES_MAX) {
		bill_problem_add(
		    &out->problems, xasprintf("The payer answered %zu lines; only the first %d "
		                              "are read",
		                        nitems, BILL_REMIT_LINES_MAX));
		nitems = BILL_REMIT_LINES_MAX;
	}
	out->lines = xcalloc(nitems + 1, sizeof *out->lines);
	cJSON_ArrayForEach(item, fhir_get_array(cr, "item")) if (out->n < nitems)
	    remit_line_read(item, false, out);
	cJSON_ArrayForEach(item, fhir_get_array(cr, "addItem")) if (out->n < nitems)
	    remit_line_read(item, true, out);

	for (size_t i = 0; i < out->n; i++) {
		const struct bill_remit_line *l = &out->lines[i];
		char name[48];

		if (l->unreadable)
			continue;
		remit_line_name(l, i, name, sizeof name);
		if ((l->has_paid && acc_add(&out->paid, &l->paid, &why) != 0) ||
		    (l->patient_share.currency[0] != '\0' &&
		        acc_add(&out->patient_share, &l->patient_share, &why) != 0) ||
		    (l->has_submitted && acc_add(&out->submitted, &l->submitted, &why) != 0))
			goto sum;
		for (size_t k = 0; k < l->nadj; k++)
			if (l->adj[k].group != BILL_GROUP_PR &&
			    acc_add(&out->adjusted, &l->adj[k].amount, &why) != 0)
				goto sum;
		continue;
	sum:
		bill_problem_add(&out->problems,
		    xasprintf("The remittance cannot be added up at %s: %s", name, why));
		free(why);
		why = NULL;
	}
	if (out->has_payment && out->paid.currency[0] != '\0' &&
	    (out->payment.minor != out->paid.minor ||
	        memcmp(out->payment.currency, out->paid.currency, 3) != 0)) {
		format_money(&out->payment, a, sizeof a);
		format_money(&out->paid, b, sizeof b);
		bill_problem_add(
		    &out->problems, xasprintf("The payment of %s does not equal the %s paid on "
		                              "the lines",
		                        a, b));
	}
	cJSON_ArrayForEach(total, fhir_get_array(cr, "total"))
	{
		struct money t;

		if (!same(fhir_first_code(fhir_get_object(total, "category")), "benefit") ||
		    out->paid.currency[0] == '\0')
			continue;
		if (bill_money_read(fhir_get_object(total, "amount"), &t, &why) != 0) {
			bill_problem_add(&out->problems,
			    xasprintf("The payer's total paid cannot be used: %s", why));
			free(why);
			why = NULL;
		} else if (t.minor != out->paid.minor ||
		           memcmp(t.currency, out->paid.currency, 3) != 0) {
			format_money(&t, a, sizeof a);
			format_money(&out->paid, b, sizeof b);
			bill_problem_add(
			    &out->problems, xasprintf("The payer's total paid, %s, does not equal "
			                              "the %s paid on the lines",
			                        a, b));
		}
	}
	return 0;
}

void
bill_remit_clear(struct bill_remit *r)
{
	free(r->lines);
	bill_problems_free(&r->problems);
	memset(r, 0, sizeof *r);
}

/* --- the ledger ------------------------------------------------------------------------ */

struct ledger_event {
	const char *day;
	int order; /* on one day: charges, then the payer's answers, then the patient's payments */
	size_t index;
};

static int
event_order(const void *a, const void *b)
{
	const struct ledger_event *x = a, *y = b;
	int c = strcmp(x->day, y->day);

	if (c != 0)
		return c;
	if (x->order != y->order)
		return x->order - y->order;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Add an entry and move the balances by it. 0, or -1 with the reason in L->problems. */
static int
ledger_add(struct bill_ledger *l, enum bill_entry_kind kind, const char *day, const struct money *m,
    char *what)
{
	struct bill_entry *e;
	char *why = NULL;
	int rc = 0;

	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	e = &l->v[l->n];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	bill_put(e->day, sizeof e->day, day);
	bill_put_label(e->what, sizeof e->what, what);
	free(what);
	e->amount = *m;
	/* Both balances show on every row: one that has seen nothing is zero in this currency. */
	if (l->insurance_pending.currency[0] == '\0')
		memcpy(l->insurance_pending.currency, m->currency, sizeof m->currency);
	if (l->patient_owes.currency[0] == '\0')
		memcpy(l->patient_owes.currency, m->currency, sizeof m->currency);
	switch (kind) {
	case BILL_ENTRY_CHARGE:
		rc = acc_add(&l->insurance_pending, m, &why);
		break;
	case BILL_ENTRY_SELF_PAY_CHARGE:
		rc = acc_add(&l->patient_owes, m, &why);
		break;
	case BILL_ENTRY_INSURER_PAYMENT:
	case BILL_ENTRY_ADJUSTMENT:
		rc = acc_sub(&l->insurance_pending, m, &why);
		break;
	case BILL_ENTRY_TO_PATIENT:
		rc = acc_sub(&l->insurance_pending, m, &why);
		if (rc == 0)
			rc = acc_add(&l->patient_owes, m, &why);
		break;
	case BILL_ENTRY_PATIENT_PAYMENT:
		rc = acc_sub(&l->patient_owes, m, &why);
		break;
	}
	if (rc != 0) {
		bill_problem_add(&l->problems, xasprintf("The ledger stops at %s on %s: %s", e->what,
		                              e->day[0] != '\0' ? e->day : "an unknown day", why));
		free(why);
		return -1;
	}
	e->insurance_pending = l->insurance_pending;
	e->patient_owes = l->patient_owes;
	l->n++;
	return 0;
}

static int
ledger_remit(struct bill_ledger *l, const struct bill_remit *r)
{
	const char *payer = r->insurer[0] != '\0' ? r->insurer : "the insurer";
	const char *day = r->payment_date;
	bool all_denied = r->n > 0;
	size_t counted = 0;

	for (size_t i = 0; i < r->n; i++) {
		if (r->lines[i].unreadable)
			continue;
		counted++;
		if (!r->lines[i].denied)
			all_denied = false;
	}
	if (counted == 0)
		return 0;
	if (r->paid.currency[0] != '\0' &&
	    ledger_add(l, BILL_ENTRY_INSURER_PAYMENT, day, &r->paid,
	        all_denied ? xasprintf("Denied by %s: nothing paid", payer)
	                   : xasprintf("Payment from %s", payer)) != 0)
		return -1;
	for (size_t i = 0; i < r->n; i++) {
		const struct bill_remit_line *line = &r->lines[i];

		if (line->unreadable)
			continue;
		for (size_t k = 0; k < line->nadj; k++) {
			const struct bill_adjustment *a = &line->adj[k];

			if (a->group == BILL_GROUP_PR || a->amount.minor == 0)
				continue;
			if (ledger_add(l, BILL_ENTRY_ADJUSTMENT, day, &a->amount,
			        xasprintf("Adjustment %s%s%s by %s", group_name(a->group),
			            a->group != BILL_GROUP_NONE ? "-" : "", a->reason, payer)) != 0)
				return -1;
		}
	}
	if (r->patient_share.currency[0] != '\0' && r->patient_share.minor != 0 &&
	    ledger_add(l, BILL_ENTRY_TO_PATIENT, day, &r->patient_share,
	        xasprintf("Patient's share, as %s decided", payer)) != 0)
		return -1;
	return 0;
}

/* A patient's payment as its ledger row says it (the caller frees it). */
static char *
payment_what(const struct bill_patient_payment *p)
{
	return !empty(p->note) ? xasprintf("Payment by the patient (%s)", p->note)
	                       : xstrdup("Payment by the patient");
}

int
bill_ledger_build(const struct bill_line *charges, size_t ncharges, bool insured,
    const struct bill_remit *remits, size_t nremits, const struct bill_patient_payment *payments,
    size_t npayments, struct bill_ledger *out)
{
	size_t n = ncharges + nremits + npayments, k = 0;
	struct ledger_event *ev;
	int rc = 0;

	memset(out, 0, sizeof *out);
	ev = xcalloc(n + 1, sizeof *ev);
	for (size_t i = 0; i < ncharges; i++)
		ev[k++] = (struct ledger_event){charges[i].day, 0, i};
	for (size_t i = 0; i < nremits; i++)
		ev[k++] = (struct ledger_event){remits[i].payment_date, 1, i};
	for (size_t i = 0; i < npayments; i++)
		ev[k++] = (struct ledger_event){payments[i].day, 2, i};
	qsort(ev, n, sizeof *ev, event_order);
	for (size_t i = 0; i < n && rc == 0; i++) {
		size_t j = ev[i].index;

		if (ev[i].order == 0) {
			struct money t;
			char *why = NULL;

			if (bill_line_total(&charges[j], &t, &why) != 0) {
				bill_problem_add(&out->problems,
				    xasprintf("The charge for %s cannot be added: %s",
				        charges[j].code, why));
				free(why);
				rc = -1;
				break;
			}
			rc = ledger_add(out,
			    insured ? BILL_ENTRY_CHARGE : BILL_ENTRY_SELF_PAY_CHARGE,
			    charges[j].day, &t,
			    charges[j].quantity > 1
			        ? xasprintf("Charge %s x%lld", charges[j].code, charges[j].quantity)
			        : xasprintf("Charge %s", charges[j].code));
		} else if (ev[i].order == 1) {
			rc = ledger_remit(out, &remits[j]);
		} else {
			rc = ledger_add(out, BILL_ENTRY_PATIENT_PAYMENT, payments[j].day,
			    &payments[j].amount, payment_what(&payments[j]));
		}
	}
	free(ev);
	return rc;
}

void
bill_ledger_clear(struct bill_ledger *l)
{
	free(l->v);
	bill_problems_free(&l->problems);
	memset(l, 0, sizeof *l);
}

/* --- one visit ------------------------------------------------------------------------- */

/* The patient's active Accounts, ids only: the one a charge is posted to. */
static struct fhir_search *
account_search(const char *patient_id)
{
	struct fhir_search *s = fhir_search_new("Account");
	char *ref = xasprintf("Patient/%s", patient_id);

	fhir_search_add(s, "patient", ref);
	fhir_search_add(s, "status", "active");
	fhir_search_add(s, "_elements", "status,subject");
	fhir_search_add(s, "_count", "10");
	free(ref);
	return s;
}

/*
 * The visit's completed Procedures: what its wrap-up recorded, read beside its charges
 * so that capture starts from them without another round trip.
 */
static struct fhir_search *
procedures_search(const char *patient_id, const char *encounter_id)
{
	struct fhir_search *s = fhir_search_new("Procedure");
	char *ref = xasprintf("Patient/%s", patient_id), count[16];

	fhir_search_add(s, "patient", ref);
	free(ref);
	ref = xasprintf("Encounter/%s", encounter_id);
	fhir_search_add(s, "encounter", ref);
	free(ref);
	fhir_search_add(s, "status", "completed");
	fhir_search_add(s, "_elements", "status,code,subject,encounter,performed,performer");
	snprintf(count, sizeof count, "%d", BILL_PROCEDURES_COUNT);
	fhir_search_add(s, "_count", count);
	return s;
}

/* Entries 0-4 of a visit's batch: the patient and allergies, charges, coverages, accounts. */
static cJSON *
visit_batch(const struct fhir_client *fc, const char *patient_id, const char *encounter_id)
{
	cJSON *batch = patient_open_batch(fc, patient_id);
	cJSON *entries = (cJSON *)fhir_get_array(batch, "entry");
	struct fhir_search *s = bill_charges_search(encounter_id);

	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	s = coverage_search(patient_id);
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	s = account_search(patient_id);
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	return batch;
}

cJSON *
bill_visit_batch(const struct fhir_client *fc, const char *patient_id, const char *encounter_id)
{
	cJSON *batch = visit_batch(fc, patient_id, encounter_id);
	struct fhir_search *s = procedures_search(patient_id, encounter_id);

	fhir_batch_add_search((cJSON *)fhir_get_array(batch, "entry"), fc, s);
	fhir_search_free(&s);
	return batch;
}

/* A batch entry that answered with a searchset. */
static bool
searchset_ok(const cJSON *entry)
{
	return fhir_entry_ok(entry) &&
	       same(fhir_get_string(fhir_get_object(entry, "resource"), "resourceType"), "Bundle");
}

void
bill_visit_clear(struct bill_visit *v)
{
	patient_opened_clear(&v->opened);
	free(v->lines);
	cJSON_Delete(v->charge_items);
	bill_problems_free(&v->unreadable);
	cJSON_Delete(v->coverages);
	for (size_t i = 0; i < v->nviews; i++)
		coverage_view_clear(&v->views[i]);
	free(v->views);
	free(v->procedures);
	memset(v, 0, sizeof *v);
}

/* Entries 0-4 of a visit's batch-response into OUT (zeroed first), as bill_visit_result. */
static int
visit_read(cJSON *response, const char *patient_id, const char *encounter_id,
    const struct date *today, struct bill_visit *out, char **cause)
{
	const cJSON *entries = fhir_get_array(response, "entry");
	const cJSON *charges = cJSON_GetArrayItem(entries, 2),
	            *covs = cJSON_GetArrayItem(entries, 3);
	const cJSON *accounts = cJSON_GetArrayItem(entries, 4), *entry;
	const cJSON *set = fhir_get_object(charges, "resource");
	size_t max = (size_t)cJSON_GetArraySize(fhir_get_array(set, "entry"));
	long total;
	int i;

	memset(out, 0, sizeof *out);
	if (patient_open_result(response, patient_id, &out->opened, cause) != 0)
		return -1;
	if (!searchset_ok(charges) || !searchset_ok(covs)) {
		*cause = fhir_entry_failure(searchset_ok(charges) ? covs : charges,
		    searchset_ok(charges) ? "the coverages" : "the visit's charges");
		bill_visit_clear(out);
		return -1;
	}
	out->lines = xcalloc(max + 1, sizeof *out->lines);
	out->charge_items = cJSON_CreateArray();
	cJSON_ArrayForEach(entry, fhir_get_array(set, "entry"))
	{
		const cJSON *ci = fhir_get_object(entry, "resource");
		struct bill_line *l = &out->lines[out->nlines];
		char *why = NULL;

		if (!same(fhir_get_string(ci, "resourceType"), "ChargeItem"))
			continue;
		if (bill_line_read(ci, l, &why) != 0) {
			bill_problem_add(&out->unreadable, why);
			continue;
		}
		if (!patient_refers_to(l->patient, patient_id) ||
		    !fhir_refers_to(l->encounter, "Encounter", encounter_id)) {
			bill_problem_add(&out->unreadable,
			    xasprintf(
			        "The server sent a charge for %s of another patient or visit; it "
			        "is left out",
			        l->code));
			continue;
		}
		cJSON_AddItemToArray(out->charge_items, cJSON_Duplicate(ci, true));
		out->nlines++;
	}
	out->charges_total = fhir_bundle_total(set);
	if (out->charges_total < (long)out->nlines)
		out->charges_total = (long)out->nlines;
	out->coverages =
	    coverage_take(fhir_get_object(covs, "resource"), patient_id, today, &total);
	out->nviews = (size_t)cJSON_GetArraySize(out->coverages);
	out->views = xcalloc(out->nviews + 1, sizeof *out->views);
	for (i = 0; i < (int)out->nviews; i++)
		coverage_view_read(cJSON_GetArrayItem(out->coverages, i), today, &out->views[i]);
	/* Without the account list charges can still be read; only capture waits for one. */
	if (searchset_ok(accounts)) {
		cJSON_ArrayForEach(
		    entry, fhir_get_array(fhir_get_object(accounts, "resource"), "entry"))
		{
			const cJSON *a = fhir_get_object(entry, "resource");
			const char *id = fhir_get_string(a, "id");
			const cJSON *subject = cJSON_GetArrayItem(fhir_get_array(a, "subject"), 0);

			if (!same(fhir_get_string(a, "resourceType"), "Account") ||
			    !fhir_valid_id(id) || !same(fhir_get_string(a, "status"), "active") ||
			    !patient_refers_to(fhir_get_string(subject, "reference"), patient_id))
				continue;
			snprintf(out->account, sizeof out->account, "Account/%s", id);
			break;
		}
	}
	return 0;
}

/* The "TYPE/ID" (or absolute URL ending so) REF's ID, when it is a FHIR id; else NULL. */
static const char *
ref_id(const char *ref, const char *type)
{
	const char *slash = ref != NULL ? strrchr(ref, '/') : NULL;
	size_t t = strlen(type);
	const char *at;

	if (slash == NULL || (size_t)(slash - ref) < t)
		return NULL;
	at = slash - t;
	if (strncmp(at, type, t) != 0 || (at != ref && at[-1] != '/') || !fhir_valid_id(slash + 1))
		return NULL;
	return slash + 1;
}

/* The first CPT coding of CONCEPT with a valid code, borrowed, or NULL. */
static const cJSON *
cpt_coding(const cJSON *concept)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, fhir_get_array(concept, "coding"))
	{
		if (same(fhir_get_string(c, "system"), BILL_CS_CPT) &&
		    bill_cpt_valid(fhir_get_string(c, "code")))
			return c;
	}
	return NULL;
}

/* The first ten bytes of S into DAY when they are a valid ISO day; else DAY stays "". */
static void
put_day(char day[BILL_DAY_SIZE], const char *s)
{
	if (s != NULL && day_parse(s, &(struct date){0})) {
		memcpy(day, s, 10);
		day[10] = '\0';
	}
}

/*
 * One Procedure of the set into OUT's procedures: completed, this patient's and visit's,
 * coded in CPT. Another patient's or visit's is said; one without a CPT code counted.
 */
static void
procedure_add(struct bill_visit *out, const cJSON *p, const char *patient_id,
    const char *encounter_id)
{
	const cJSON *code = fhir_get_object(p, "code"), *coding = cpt_coding(code);
	const cJSON *perf = cJSON_GetArrayItem(fhir_get_array(p, "performer"), 0);
	struct bill_procedure *to = &out->procedures[out->nprocedures];
	const char *display, *when = fhir_get_string(p, "performedDateTime");

	if (!same(fhir_get_string(p, "resourceType"), "Procedure") || fhir_id_of(p) == NULL)
		return;
	if (!patient_refers_to(
	        fhir_get_string(fhir_get_object(p, "subject"), "reference"), patient_id) ||
	    !fhir_refers_to(fhir_get_string(fhir_get_object(p, "encounter"), "reference"),
	        "Encounter", encounter_id)) {
		bill_problem_add(&out->unreadable,
		    coding != NULL
		        ? xasprintf("The server sent a procedure (%s) of another patient or "
		                    "visit; it is left out",
		              fhir_get_string(coding, "code"))
		        : xstrdup("The server sent a procedure of another patient or visit; it "
		                  "is left out"));
		return;
	}
	/* A procedure not done, or entered in error, is nothing to charge. */
	if (!same(fhir_get_string(p, "status"), "completed"))
		return;
	if (coding == NULL) {
		out->procedures_uncoded++;
		return;
	}
	memset(to, 0, sizeof *to);
	bill_put(to->id, sizeof to->id, fhir_id_of(p));
	bill_put(to->code, sizeof to->code, fhir_get_string(coding, "code"));
	display = fhir_get_string(coding, "display");
	if (display == NULL)
		display = fhir_get_string(code, "text");
	bill_put_label(to->display, sizeof to->display, display);
	if (when == NULL)
		when = fhir_get_string(fhir_get_object(p, "performedPeriod"), "start");
	put_day(to->day, when);
	put_reference(to->performer, sizeof to->performer,
	    fhir_get_string(fhir_get_object(perf, "actor"), "reference"), "Practitioner");
	out->nprocedures++;
}

/* Entry 5, the visit's Procedures, into OUT: bounded by what was asked for. */
static void
procedures_read(const cJSON *entry, const char *patient_id, const char *encounter_id,
    struct bill_visit *out)
{
	const cJSON *set = fhir_get_object(entry, "resource"), *e;
	size_t seen = 0;

	out->procedures = xcalloc(BILL_PROCEDURES_COUNT, sizeof *out->procedures);
	if (!searchset_ok(entry)) {
		char *why = fhir_entry_failure(entry, "The visit's procedures");

		bill_problem_add(&out->unreadable, xasprintf("%s: charge them by hand", why));
		free(why);
		out->procedures_failed = true;
		return;
	}
	cJSON_ArrayForEach(e, fhir_get_array(set, "entry"))
	{
		/* A server that ignores _count is read no further than what was asked for. */
		if (seen++ == BILL_PROCEDURES_COUNT)
			break;
		procedure_add(out, fhir_get_object(e, "resource"), patient_id, encounter_id);
	}
	/* What was sent counts when the server says no total: the biller hears of the rest. */
	out->procedures_total = fhir_bundle_total(set);
	if (out->procedures_total < cJSON_GetArraySize(fhir_get_array(set, "entry")))
		out->procedures_total = cJSON_GetArraySize(fhir_get_array(set, "entry"));
}

int
bill_visit_result(cJSON *response, const char *patient_id, const char *encounter_id,
    const struct date *today, struct bill_visit *out, char **cause)
{
	if (visit_read(response, patient_id, encounter_id, today, out, cause) != 0)
		return -1;
	procedures_read(cJSON_GetArrayItem(fhir_get_array(response, "entry"), 5), patient_id,
	    encounter_id, out);
	return 0;
}

/* --- a patient's visits ---------------------------------------------------------------- */

cJSON *
bill_encounters_batch(const struct fhir_client *fc, const char *patient_id)
{
	cJSON *batch = patient_open_batch(fc, patient_id);
	cJSON *entries = (cJSON *)fhir_get_array(batch, "entry");
	struct fhir_search *s = fhir_search_new("Encounter");
	char count[16];

	snprintf(count, sizeof count, "%d", BILL_ENCOUNTERS_COUNT);
	fhir_search_add(s, "patient", patient_id);
	fhir_search_add(s, "_sort", "-date");
	fhir_search_add(s, "_count", count);
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	s = fhir_search_new("Condition");
	fhir_search_add(s, "patient", patient_id);
	snprintf(count, sizeof count, "%d", BILL_CONDITIONS_COUNT);
	fhir_search_add(s, "_elements", "code,encounter,subject,verificationStatus");
	fhir_search_add(s, "_count", count);
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	return batch;
}

void
bill_encounters_clear(struct bill_encounters *e)
{
	patient_opened_clear(&e->opened);
	free(e->v);
	memset(e, 0, sizeof *e);
}

const struct bill_encounter *
bill_encounter_by_id(const struct bill_encounters *e, const char *id)
{
	for (size_t i = 0; id != NULL && i < e->n; i++)
		if (same(e->v[i].id, id))
			return &e->v[i];
	return NULL;
}

/* An Encounter.class (v3 ActCode) as a biller reads it; its display, else its code, when not one of these. */
static const char *
class_words(const cJSON *class)
{
	static const struct {
		const char *code, *words;
	} known[] = {
		{ "AMB", "Ambulatory visit" }, { "EMER", "Emergency visit" }, { "FLD", "Field visit" },
		{ "HH", "Home health visit" }, { "IMP", "Inpatient stay" }, { "ACUTE", "Inpatient acute stay" },
		{ "NONAC", "Inpatient non-acute stay" }, { "OBSENC", "Observation stay" },
		{ "PRENC", "Pre-admission visit" }, { "SS", "Short stay" }, { "VR", "Virtual visit" },
	};
	const char *code = fhir_get_string(class, "code");

	for (size_t i = 0; code != NULL && i < sizeof known / sizeof known[0]; i++)
		if (same(code, known[i].code))
			return known[i].words;
	return fhir_get_string(class, "display") != NULL ? fhir_get_string(class, "display") : code;
}

static bool
encounter_read(const cJSON *r, const char *patient_id, struct bill_encounter *e)
{
	const cJSON *type = cJSON_GetArrayItem(fhir_get_array(r, "type"), 0);
	const cJSON *coding = cJSON_GetArrayItem(fhir_get_array(type, "coding"), 0);
	const char *start = fhir_get_string(fhir_get_object(r, "period"), "start");
	const char *what = fhir_get_string(type, "text");
	const cJSON *part;

	memset(e, 0, sizeof *e);
	if (!same(fhir_get_string(r, "resourceType"), "Encounter") ||
	    !fhir_valid_id(fhir_get_string(r, "id")) ||
	    !bill_put(e->id, sizeof e->id, fhir_get_string(r, "id")) ||
	    !patient_refers_to(
	        fhir_get_string(fhir_get_object(r, "subject"), "reference"), patient_id))
		return false;
	if (start != NULL && strlen(start) >= 10 && day_parse(start, &(struct date){0})) {
		memcpy(e->day, start, 10);
		e->day[10] = '\0';
	}
	if (what == NULL)
		what = fhir_get_string(coding, "display");
	if (what == NULL)
		what = class_words(fhir_get_object(r, "class"));
	bill_put_label(e->what, sizeof e->what, what);
	bill_put(e->status, sizeof e->status, fhir_get_string(r, "status"));
	cJSON_ArrayForEach(part, fhir_get_array(r, "participant"))
	{
		put_reference(e->performer, sizeof e->performer,
		    fhir_get_string(fhir_get_object(part, "individual"), "reference"),
		    "Practitioner");
		if (e->performer[0] != '\0')
			break;
	}
	put_reference(e->provider, sizeof e->provider,
	    fhir_get_string(fhir_get_object(r, "serviceProvider"), "reference"), "Organization");
	put_reference(e->location, sizeof e->location,
	    fhir_get_string(
	        fhir_get_object(cJSON_GetArrayItem(fhir_get_array(r, "location"), 0), "location"),
	        "reference"),
	    "Location");
	return true;
}

/* A Condition of the patient, read for the visits' diagnoses. */
struct bill_cond {
	const char *id;        /* its FHIR id, borrowed from the response, or NULL */
	const char *encounter; /* the id of the visit it was recorded at, or NULL */
	const cJSON *coding;   /* its ICD-10-CM coding with a valid code, or NULL */
};

static int
cond_by_id(const void *a, const void *b)
{
	return strcmp(((const struct bill_cond *)a)->id, ((const struct bill_cond *)b)->id);
}

/* The Condition with ID in the sorted INDEX of N, or NULL: a binary search. */
static const struct bill_cond *
cond_find(const struct bill_cond *index, size_t n, const char *id)
{
	struct bill_cond key = { .id = id };

	return id != NULL && n > 0 ? bsearch(&key, index, n, sizeof *index, cond_by_id) : NULL;
}

/* An encounter's place in the visits, by its id: the index Conditions find their visit in. */
struct bill_enc_link {
	const char *id;
	size_t i;
};

static int
enc_link_order(const void *a, const void *b)
{
	return strcmp(((const struct bill_enc_link *)a)->id, ((const struct bill_enc_link *)b)->id);
}

/*
 * The patient's Conditions of the answer SET, at most BILL_CONDITIONS_COUNT: another
 * patient's, and one entered in error or refuted (no diagnosis), are left out. Into *OUT
 * in the order read; returns how many.
 */
static size_t
conds_read(const cJSON *set, const char *patient_id, struct bill_cond **out)
{
	const cJSON *entry;
	size_t n = 0, seen = 0;

	*out = xcalloc(BILL_CONDITIONS_COUNT, sizeof **out);
	cJSON_ArrayForEach(entry, fhir_get_array(set, "entry"))
	{
		const cJSON *c = fhir_get_object(entry, "resource"), *coding;
		const cJSON *verification = fhir_get_object(c, "verificationStatus");

		/* A server that ignores _count is read no further than what was asked for. */
		if (seen++ == BILL_CONDITIONS_COUNT)
			break;
		if (!same(fhir_get_string(c, "resourceType"), "Condition") ||
		    !patient_refers_to(
		        fhir_get_string(fhir_get_object(c, "subject"), "reference"), patient_id) ||
		    fhir_has_code(verification, "entered-in-error") ||
		    fhir_has_code(verification, "refuted"))
			continue;
		(*out)[n].id = fhir_id_of(c);
		(*out)[n].encounter =
		    ref_id(fhir_get_string(fhir_get_object(c, "encounter"), "reference"), "Encounter");
		cJSON_ArrayForEach(coding, fhir_get_array(fhir_get_object(c, "code"), "coding"))
		{
			if (same(fhir_get_string(coding, "system"), BILL_CS_ICD10CM) &&
			    bill_icd10cm_valid(fhir_get_string(coding, "code"))) {
				(*out)[n].coding = coding;
				break;
			}
		}
		n++;
	}
	return n;
}

/* CODING's code added to E's diagnoses, unless E has it already; counted over past 12. */
static void
diagnosis_add(struct bill_encounter *e, const cJSON *coding)
{
	const char *code = fhir_get_string(coding, "code");

	/* At most BILL_DIAGNOSES_MAX codes to compare: bounded whatever the server sends. */
	for (size_t k = 0; k < e->ndiagnoses; k++)
		if (same(e->diagnoses[k].code, code))
			return;
	if (e->ndiagnoses == BILL_DIAGNOSES_MAX) {
		e->over++;
		return;
	}
	bill_put(e->diagnoses[e->ndiagnoses].code, BILL_CODE_SIZE, code);
	bill_put_label(e->diagnoses[e->ndiagnoses].display, BILL_TEXT_SIZE,
	    fhir_get_string(coding, "display"));
	e->ndiagnoses++;
}

/* One entry of an Encounter.diagnosis: its rank (0 for none) and its place in the array. */
struct bill_ranked {
	long rank;
	size_t at;
	const struct bill_cond *cond;
};

static int
ranked_order(const void *a, const void *b)
{
	const struct bill_ranked *x = a, *y = b;

	/* Ranked ones first, by rank; then the unranked; the array's order breaks a tie. */
	if ((x->rank == 0) != (y->rank == 0))
		return x->rank == 0 ? 1 : -1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

/* A positive whole number of DIAGNOSIS's rank, else 0: a rank of 0, -1, 1.5 or "1" is none. */
static long
rank_of(const cJSON *diagnosis)
{
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(diagnosis, "rank");

	if (!cJSON_IsNumber(r) || !(r->valuedouble >= 1 && r->valuedouble <= 1e9) ||
	    r->valuedouble != (double)(long)r->valuedouble)
		return 0;
	return (long)r->valuedouble;
}

/*
 * The Conditions ENCOUNTER's diagnosis array names, found in INDEX (sorted by id), added
 * to E in rank order. Only the first BILL_DIAGNOSIS_ENTRIES_MAX entries are read.
 */
static void
ranked_add(struct bill_encounter *e, const cJSON *encounter, const struct bill_cond *index,
    size_t nindex)
{
	struct bill_ranked r[BILL_DIAGNOSIS_ENTRIES_MAX];
	const cJSON *d;
	size_t n = 0, at = 0;

	cJSON_ArrayForEach(d, fhir_get_array(encounter, "diagnosis"))
	{
		const char *ref = fhir_get_string(fhir_get_object(d, "condition"), "reference");
		const char *id = ref_id(ref, "Condition");
		const struct bill_cond *c;

		if (at++ == BILL_DIAGNOSIS_ENTRIES_MAX)
			break;
		/* R4 lets a visit name a Procedure as its diagnosis: no code to bill there. */
		if (id == NULL)
			continue;
		if ((c = cond_find(index, nindex, id)) == NULL) {
			e->unread++;
			continue;
		}
		if (c->coding == NULL) {
			e->uncoded++;
			continue;
		}
		r[n++] = (struct bill_ranked){ rank_of(d), at, c };
	}
	qsort(r, n, sizeof *r, ranked_order);
	for (size_t i = 0; i < n; i++)
		diagnosis_add(e, r[i].cond->coding);
}

static int
encounter_order(const void *a, const void *b)
{
	const struct bill_encounter *x = a, *y = b;
	int c = strcmp(y->day, x->day);

	return c != 0 ? c : strcmp(x->id, y->id);
}

/*
 * The visits' diagnoses, joined through sorted indexes: first what each Encounter's
 * diagnosis array names, in rank order; then every other Condition recorded at a visit.
 * RESOURCES are the encounters' resources, one for each of OUT's visits.
 */
static void
diagnoses_join(struct bill_encounters *out, const cJSON *const *resources, const cJSON *set,
    const char *patient_id)
{
	struct bill_cond *conds, *index;
	struct bill_enc_link *links = xcalloc(out->n + 1, sizeof *links);
	size_t n = conds_read(set, patient_id, &conds), nindex = 0;

	/* Only a Condition with an id can be named by a visit. */
	index = xcalloc(n + 1, sizeof *index);
	for (size_t k = 0; k < n; k++)
		if (conds[k].id != NULL)
			index[nindex++] = conds[k];
	qsort(index, nindex, sizeof *index, cond_by_id);
	for (size_t i = 0; i < out->n; i++) {
		ranked_add(&out->v[i], resources[i], index, nindex);
		links[i] = (struct bill_enc_link){ out->v[i].id, i };
	}
	qsort(links, out->n, sizeof *links, enc_link_order);
	for (size_t k = 0; k < n; k++) {
		struct bill_enc_link key = { conds[k].encounter, 0 }, *l;

		if (conds[k].coding == NULL || key.id == NULL || out->n == 0)
			continue;
		l = bsearch(&key, links, out->n, sizeof *links, enc_link_order);
		if (l != NULL)
			diagnosis_add(&out->v[l->i], conds[k].coding);
	}
	free(links);
	free(index);
	free(conds);
}

int
bill_encounters_result(
    cJSON *response, const char *patient_id, struct bill_encounters *out, char **cause)
{
	const cJSON *entries = fhir_get_array(response, "entry");
	const cJSON *encs = cJSON_GetArrayItem(entries, 2), *conds = cJSON_GetArrayItem(entries, 3);
	const cJSON *set = fhir_get_object(encs, "resource"), *entry;
	const cJSON **resources;
	size_t seen = 0;

	memset(out, 0, sizeof *out);
	if (patient_open_result(response, patient_id, &out->opened, cause) != 0)
		return -1;
	if (!searchset_ok(encs)) {
		*cause = fhir_entry_failure(encs, "the patient's visits");
		bill_encounters_clear(out);
		return -1;
	}
	out->v = xcalloc(BILL_ENCOUNTERS_COUNT, sizeof *out->v);
	resources = xcalloc(BILL_ENCOUNTERS_COUNT, sizeof *resources);
	cJSON_ArrayForEach(entry, fhir_get_array(set, "entry"))
	{
		const cJSON *r = fhir_get_object(entry, "resource");

		/* A server that ignores _count is read no further than what was asked for. */
		if (seen++ == BILL_ENCOUNTERS_COUNT)
			break;
		if (encounter_read(r, patient_id, &out->v[out->n]))
			resources[out->n++] = r;
	}
	out->total = fhir_bundle_total(set);
	if (out->total < (long)out->n)
		out->total = (long)out->n;
	/* Without the conditions the visits still show; a charge's codes are then typed. */
	if (searchset_ok(conds))
		diagnoses_join(out, resources, fhir_get_object(conds, "resource"), patient_id);
	free(resources);
	/* Newest first even from a server that ignores _sort. */
	qsort(out->v, out->n, sizeof *out->v, encounter_order);
	return 0;
}

/* --- where capture starts ------------------------------------------------------------- */

static int
code_order(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The chargeable fee of exactly CODE in F (sorted by code, the chargeable one first), or NULL. */
static const struct bill_fee *
fee_exact(const struct bill_fees *f, const char *code)
{
	size_t lo = 0, hi = f != NULL ? f->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(f->v[mid].code, code) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (f == NULL || lo == f->n || !same(f->v[lo].code, code) || f->v[lo].problem != NULL)
		return NULL;
	return &f->v[lo];
}

size_t
bill_capture_lines(const struct bill_visit *v, const struct bill_encounter *enc,
    const char *patient_id, const struct bill_fees *fees, struct bill_line *out, size_t max)
{
	const char **charged = xcalloc(v->nlines + 1, sizeof *charged);
	size_t ncharged = 0, n = 0;

	/* The codes already charged at the visit, sorted: each procedure is looked up once. */
	for (size_t i = 0; i < v->nlines; i++)
		if (!same(v->lines[i].status, "entered-in-error") &&
		    !same(v->lines[i].status, "aborted"))
			charged[ncharged++] = v->lines[i].code;
	qsort(charged, ncharged, sizeof *charged, code_order);
	for (size_t i = 0; i < v->nprocedures; i++) {
		const struct bill_procedure *p = &v->procedures[i];
		const char *key = p->code;
		const struct bill_fee *fee;
		struct bill_line *l;

		if (ncharged > 0 && bsearch(&key, charged, ncharged, sizeof *charged, code_order))
			continue;
		if (n++ >= max)
			continue;
		l = &out[n - 1];
		memset(l, 0, sizeof *l);
		if ((fee = fee_exact(fees, p->code)) != NULL) {
			bill_line_from_fee(l, fee, p->day[0] != '\0' ? p->day : enc->day);
		} else {
			/* No price: bill_line_check says so until the biller types one. */
			bill_put(l->system, sizeof l->system, BILL_CS_CPT);
			bill_put(l->code, sizeof l->code, p->code);
			bill_put(l->display, sizeof l->display, p->display);
			bill_put(l->day, sizeof l->day, p->day[0] != '\0' ? p->day : enc->day);
			l->quantity = 1;
		}
		snprintf(l->patient, sizeof l->patient, "Patient/%.64s", patient_id);
		snprintf(l->encounter, sizeof l->encounter, "Encounter/%.64s", enc->id);
		bill_put(l->account, sizeof l->account, v->account);
		bill_put(l->performer, sizeof l->performer,
		    p->performer[0] != '\0' ? p->performer : enc->performer);
		/* The visit's diagnoses in its rank order: the primary is the first pointer. */
		for (size_t k = 0; k < enc->ndiagnoses && k < BILL_POINTERS_MAX; k++)
			memcpy(l->diagnoses[l->npointers++], enc->diagnoses[k].code, BILL_CODE_SIZE);
	}
	free(charged);
	return n;
}

/* --- a claim's providers --------------------------------------------------------------- */

/* REF's type and id when it is a reference to one of TYPES' (NULL-ended); else false. */
static bool
split_reference(const char *ref, const char *const *types, char *type, size_t tsize, const char **id)
{
	for (; *types != NULL; types++) {
		if (!is_reference(ref, *types))
			continue;
		bill_put(type, tsize, *types);
		*id = ref + strlen(*types) + 1;
		return true;
	}
	return false;
}

static const char *const billing_types[] = { "Organization", "Practitioner", NULL };
static const char *const rendering_types[] = { "Practitioner", NULL };

cJSON *
bill_parties_batch(const char *billing, const char *rendering)
{
	cJSON *entries, *batch = fhir_batch_new(&entries);
	char type[32];
	const char *id;

	if (split_reference(billing, billing_types, type, sizeof type, &id))
		fhir_batch_add_read(entries, type, id);
	if (split_reference(rendering, rendering_types, type, sizeof type, &id))
		fhir_batch_add_read(entries, type, id);
	if (cJSON_GetArraySize(entries) == 0) {
		cJSON_Delete(batch);
		return NULL;
	}
	return batch;
}

/* ENTRY's resource is REF's; its NPI into NPI. 0, or -1 with *CAUSE. */
static int
party_read(const cJSON *entry, const char *ref, const char *what, char *npi, size_t size,
    char **cause)
{
	const cJSON *r = fhir_get_object(entry, "resource");
	char *got;

	if (!fhir_entry_ok(entry)) {
		*cause = fhir_entry_failure(entry, what);
		return -1;
	}
	got = xasprintf("%s/%s", fhir_get_string(r, "resourceType") ? fhir_get_string(r, "resourceType") : "",
	    fhir_get_string(r, "id") ? fhir_get_string(r, "id") : "");
	if (!same(got, ref)) {
		free(got);
		*cause = xasprintf("the server answered with another record than %s", what);
		return -1;
	}
	free(got);
	bill_put(npi, size, bill_npi_of(r));
	return 0;
}

int
bill_parties_result(const cJSON *response, const char *billing, const char *rendering,
    struct bill_parties *out, char **cause)
{
	const cJSON *entries = fhir_get_array(response, "entry");
	int k = 0;
	char type[32];
	const char *id;

	memset(out, 0, sizeof *out);
	if (split_reference(billing, billing_types, type, sizeof type, &id) &&
	    party_read(cJSON_GetArrayItem(entries, k++), billing, "the billing provider",
	        out->billing_npi, sizeof out->billing_npi, cause) != 0)
		return -1;
	if (split_reference(rendering, rendering_types, type, sizeof type, &id) &&
	    party_read(cJSON_GetArrayItem(entries, k++), rendering, "the rendering provider",
	        out->rendering_npi, sizeof out->rendering_npi, cause) != 0)
		return -1;
	return 0;
}

/* --- posting a payer's payment --------------------------------------------------------- */

int
bill_amount_parse(const char *text, const char *label, bool blank_zero, bool negative,
    struct money *out, char **cause)
{
	const char *p = text != NULL ? text : "";
	char *why = NULL;
	struct money m;

	p += strspn(p, " \t");
	if (*p == '\0') {
		if (!blank_zero) {
			*cause = xasprintf("%s needs an amount", label);
			return -1;
		}
		return money_make(0, NULL, out, cause);
	}
	if (money_parse(text, NULL, &m, &why) != 0) {
		/* A field that takes no amount below zero does not offer "-3.10" as an example. */
		static const char hint[] = "write an amount as 12.50, $1,234.56 or -3.10";
		char *at = negative ? NULL : strstr(why, hint);

		if (at != NULL && at[sizeof hint - 1] == '\0') {
			*at = '\0';
			*cause = xasprintf("%s: %swrite an amount as 12.50 or $1,234.56", label, why);
			free(why);
			return -1;
		}
		*cause = xasprintf("%s: %s", label, why);
		free(why);
		return -1;
	}
	/* "-0": the sign says the biller meant something the digits do not say. */
	if (m.minor == 0 && strchr(text, '-') != NULL) {
		*cause = xasprintf("%s: \"-0\" is not an amount; type 0, or the amount with its sign",
		    label);
		return -1;
	}
	if (m.minor < 0 && !negative) {
		*cause = xasprintf("%s cannot be below zero", label);
		return -1;
	}
	*out = m;
	return 0;
}

int
bill_adjustment_parse(
    const char *text, enum bill_group *group, char reason[BILL_CODE_SIZE], char **cause)
{
	const char *p = text != NULL ? text : "";
	char g[3];
	size_t n;

	p += strspn(p, " \t");
	if (strlen(p) < 2) {
		*cause = xstrdup("an adjustment is a group and a reason code, as CO-45 or PR-2");
		return -1;
	}
	g[0] = (char)(p[0] & ~0x20), g[1] = (char)(p[1] & ~0x20), g[2] = '\0';
	if ((*group = group_of(g)) == BILL_GROUP_NONE) {
		*cause = xstrdup("the group is CO, PR, OA or PI, as in CO-45");
		return -1;
	}
	p += 2;
	p += strspn(p, " -");
	n = strcspn(p, " \t");
	if (n == 0 || n > 3 || p[n + strspn(p + n, " \t")] != '\0') {
		*cause = xstrdup("the reason is one adjustment reason code (CARC) of up to 3 "
		                 "letters or digits, as in CO-45");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(p[i]) && !is_upper((char)(p[i] & ~0x20))) {
			*cause = xstrdup("the reason code holds only letters and digits, as in CO-45");
			return -1;
		}
		reason[i] = (char)(is_digit(p[i]) ? p[i] : (p[i] & ~0x20));
	}
	reason[n] = '\0';
	return 0;
}

void
bill_adjustment_format(enum bill_group group, const char *reason, char *buf, size_t size)
{
	if (group == BILL_GROUP_NONE || empty(reason))
		snprintf(buf, size, "%s", "");
	else
		snprintf(buf, size, "%s-%s", group_name(group), reason);
}

bool
bill_post_line_denied(const struct bill_post_line *l)
{
	return l->paid.minor == 0 && l->charged.minor > 0 && l->adjusted.minor != 0 &&
	       !empty(l->reason);
}

int
bill_posting_paid(const struct bill_posting *p, struct money *out, char **cause)
{
	if (money_make(0, p->check_amount.currency[0] ? p->check_amount.currency : NULL, out,
	        cause) != 0)
		return -1;
	for (size_t c = 0; c < p->nclaims; c++)
		for (size_t i = 0; i < p->claims[c].n; i++)
			if (money_add(out, &p->claims[c].lines[i].paid, out, cause) != 0)
				return -1;
	return 0;
}

/* Claim line I of claim C, for sentences: "Line 2 (99213)", or with the claim when several. */
static void
post_line_name(const struct bill_posting *p, size_t c, const struct bill_post_line *l, char *buf,
    size_t size)
{
	if (p->nclaims > 1)
		snprintf(buf, size, "Claim %zu line %ld (%s)", c + 1, l->sequence, l->code);
	else
		snprintf(buf, size, "Line %ld (%s)", l->sequence, l->code);
}

static void
post_line_check(const struct bill_posting *p, size_t c, const struct bill_post_line *l,
    struct bill_problems *out)
{
	struct money sum;
	char name[64], a[MONEY_BUF_SIZE], b[MONEY_BUF_SIZE], *why = NULL;

	post_line_name(p, c, l, name, sizeof name);
	if (l->paid.minor < 0)
		bill_problem_add(out, xasprintf("%s: the payment cannot be below zero", name));
	if (l->has_allowed && l->allowed.minor < 0)
		bill_problem_add(out, xasprintf("%s: the allowed amount cannot be below zero", name));
	if (l->patient_resp.minor < 0)
		bill_problem_add(out, xasprintf("%s: the patient's share cannot be below zero", name));
	if (l->adjusted.minor != 0 && (l->group == BILL_GROUP_NONE || empty(l->reason)))
		bill_problem_add(out, xasprintf("%s: the adjustment needs its group and reason code "
		                           "(CO-45)",
		                     name));
	if (l->adjusted.minor == 0 && !empty(l->reason) && l->paid.minor != 0)
		bill_problem_add(out, xasprintf("%s: a reason code without an adjustment amount", name));
	if (l->patient_resp.minor != 0 && empty(l->resp_reason))
		bill_problem_add(out, xasprintf("%s: the patient's share needs its reason code (1 "
		                           "deductible, 2 coinsurance, 3 copay)",
		                     name));
	if (l->paid.minor == 0 && l->adjusted.minor == 0 && l->patient_resp.minor == 0 &&
	    l->charged.minor != 0)
		bill_problem_add(out, xasprintf("%s: nothing paid, adjusted or owed; a denial is the "
		                           "charge adjusted with its reason (CO-50)",
		                     name));
	if (money_add(&l->paid, &l->adjusted, &sum, &why) != 0 ||
	    money_add(&sum, &l->patient_resp, &sum, &why) != 0) {
		bill_problem_add(out, xasprintf("%s cannot be added up: %s", name, why));
		free(why);
		return;
	}
	if (sum.minor != l->charged.minor || memcmp(sum.currency, l->charged.currency, 3) != 0) {
		format_money(&l->charged, a, sizeof a);
		format_money(&sum, b, sizeof b);
		bill_problem_add(out, xasprintf("%s does not balance: charged %s, but paid, adjusted "
		                           "and the patient's share add up to %s",
		                     name, a, b));
		return;
	}
	/*
	 * The allowed amount, when typed, is what the contract leaves of the charge: the
	 * charge less its contractual (CO) adjustment, which is the payment, the patient's
	 * share and any other (OA, PI) adjustment.
	 */
	if (l->has_allowed) {
		struct money want;

		if (money_add(&l->paid, &l->patient_resp, &want, &why) != 0 ||
		    (l->group != BILL_GROUP_CO && money_add(&want, &l->adjusted, &want, &why) != 0)) {
			bill_problem_add(out, xasprintf("%s cannot be added up: %s", name, why));
			free(why);
			return;
		}
		if (want.minor != l->allowed.minor) {
			format_money(&l->allowed, a, sizeof a);
			format_money(&want, b, sizeof b);
			bill_problem_add(out, xasprintf("%s: allowed %s, but allowed is paid + the "
			                           "patient's share + any adjustment other than CO, %s",
			                     name, a, b));
		}
	}
}

size_t
bill_posting_check(const struct bill_posting *p, struct bill_problems *out)
{
	size_t before = out->n, lines = 0;
	struct money paid;
	char a[MONEY_BUF_SIZE], b[MONEY_BUF_SIZE], *why = NULL;
	struct date d;

	if (!is_reference(p->payer, "Organization"))
		bill_problem_add(out, xstrdup("The payer is not known: post from the claim, which names "
		                         "its insurer"));
	if (empty(p->check_number))
		bill_problem_add(out, xstrdup("The check (or EFT trace) number is missing"));
	if (!day_parse(p->check_date, &d) || p->check_date[10] != '\0')
		bill_problem_add(out, xstrdup("The check date is missing or not a date"));
	if (p->check_amount.minor < 0)
		bill_problem_add(out, xstrdup("The check amount cannot be below zero"));
	if (empty(p->request_id))
		bill_problem_add(out, xstrdup("The posting has no request identifier"));
	if (p->nclaims == 0 || p->nclaims > BILL_POST_CLAIMS_MAX)
		bill_problem_add(out, xasprintf("A posting pays 1 to %d claims", BILL_POST_CLAIMS_MAX));
	for (size_t c = 0; c < p->nclaims && c < BILL_POST_CLAIMS_MAX; c++) {
		if (!is_reference(p->claims[c].claim, "Claim") ||
		    !is_reference(p->claims[c].patient, "Patient"))
			bill_problem_add(out, xasprintf("Claim %zu has no claim or patient to post to", c + 1));
		if (p->claims[c].n == 0)
			bill_problem_add(out, xasprintf("Claim %zu has no lines to post", c + 1));
		for (size_t i = 0; i < p->claims[c].n; i++)
			post_line_check(p, c, &p->claims[c].lines[i], out);
		lines += p->claims[c].n;
	}
	if (1 + p->nclaims + lines > FHIR_PLAN_MAX)
		bill_problem_add(out, xasprintf("A posting of %zu claims and %zu lines is more than one "
		                           "save holds (%d); post the claims one at a time",
		                     p->nclaims, lines, FHIR_PLAN_MAX));
	if (bill_posting_paid(p, &paid, &why) != 0) {
		bill_problem_add(out, xasprintf("The payments cannot be added up: %s", why));
		free(why);
	} else if (paid.minor != p->check_amount.minor ||
	           memcmp(paid.currency, p->check_amount.currency, 3) != 0) {
		format_money(&p->check_amount, a, sizeof a);
		format_money(&paid, b, sizeof b);
		bill_problem_add(out, xasprintf("The check is %s but the lines pay %s: they must balance "
		                           "before saving",
		                     a, b));
	}
	return out->n - before;
}

static cJSON *
money_item(const struct money *m)
{
	return bill_money_json(m);
}

static void
add_adjudication(cJSON *arr, const char *category, const struct money *m)
{
	cJSON *a = cJSON_CreateObject();

	cJSON_AddItemToObject(a, "category", fhir_codeable(BILL_CS_ADJUDICATION, category, NULL));
	cJSON_AddItemToObject(a, "amount", money_item(m));
	cJSON_AddItemToArray(arr, a);
}

static void
add_adjustment(cJSON *arr, enum bill_group group, const char *carc, const struct money *m)
{
	cJSON *a = cJSON_CreateObject(), *reason, *codings, *c;

	cJSON_AddItemToObject(
	    a, "category", fhir_codeable(BILL_CS_ADJ_CATEGORY, "adjustment", "Adjustment"));
	reason = cJSON_AddObjectToObject(a, "reason");
	codings = cJSON_AddArrayToObject(reason, "coding");
	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "system", BILL_CS_CARC);
	cJSON_AddStringToObject(c, "code", carc);
	cJSON_AddItemToArray(codings, c);
	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "system", BILL_CS_CARC_GROUP);
	cJSON_AddStringToObject(c, "code", group_name(group));
	cJSON_AddItemToArray(codings, c);
	cJSON_AddItemToObject(a, "amount", money_item(m));
	cJSON_AddItemToArray(arr, a);
}

/* A logical reference to the ClaimResponse written under REQUEST_ID: it needs no id yet. */
static cJSON *
response_reference(const char *request_id)
{
	cJSON *r = cJSON_CreateObject(), *id;

	cJSON_AddStringToObject(r, "type", "ClaimResponse");
	id = cJSON_AddObjectToObject(r, "identifier");
	cJSON_AddStringToObject(id, "system", FHIR_REQUEST_SYSTEM);
	cJSON_AddStringToObject(id, "value", request_id);
	return r;
}

static cJSON *
payer_reference(const struct bill_posting *p)
{
	cJSON *r = reference(p->payer);

	if (!empty(p->payer_name))
		cJSON_AddStringToObject(r, "display", p->payer_name);
	return r;
}

static cJSON *
claim_response(const struct bill_posting *p, const struct bill_post_claim *c, const char *rid,
    const struct money *paid, const char *created)
{
	cJSON *cr = cJSON_CreateObject(), *items, *o;
	struct money submitted;
	char *why = NULL;

	cJSON_AddStringToObject(cr, "resourceType", "ClaimResponse");
	fhir_add_request_id(cr, rid);
	cJSON_AddStringToObject(cr, "status", "active");
	cJSON_AddItemToObject(cr, "type", fhir_codeable(CS_CLAIM_TYPE, "professional", NULL));
	cJSON_AddStringToObject(cr, "use", "claim");
	cJSON_AddItemToObject(cr, "patient", reference(c->patient));
	cJSON_AddStringToObject(cr, "created", created);
	cJSON_AddItemToObject(cr, "insurer", payer_reference(p));
	cJSON_AddItemToObject(cr, "request", reference(c->claim));
	cJSON_AddStringToObject(cr, "outcome", "complete");
	cJSON_AddStringToObject(cr, "disposition", "Posted from the payer's remittance");
	items = cJSON_AddArrayToObject(cr, "item");
	money_make(0, paid->currency, &submitted, &why);
	for (size_t i = 0; i < c->n; i++) {
		const struct bill_post_line *l = &c->lines[i];
		cJSON *item = cJSON_CreateObject(), *adj;

		cJSON_AddNumberToObject(item, "itemSequence", (double)l->sequence);
		adj = cJSON_AddArrayToObject(item, "adjudication");
		add_adjudication(adj, "submitted", &l->charged);
		if (l->has_allowed)
			add_adjudication(adj, "eligible", &l->allowed);
		add_adjudication(adj, "benefit", &l->paid);
		if (l->adjusted.minor != 0)
			add_adjustment(adj, l->group, l->reason, &l->adjusted);
		if (l->patient_resp.minor != 0)
			add_adjustment(adj, BILL_GROUP_PR, l->resp_reason, &l->patient_resp);
		cJSON_AddItemToArray(items, item);
		/* bill_posting_check added these already: they cannot overflow here. */
		money_add(&submitted, &l->charged, &submitted, &why);
	}
	free(why);
	o = cJSON_AddArrayToObject(cr, "total");
	{
		cJSON *t = cJSON_CreateObject();

		cJSON_AddItemToObject(t, "category", fhir_codeable(BILL_CS_ADJUDICATION, "submitted", NULL));
		cJSON_AddItemToObject(t, "amount", money_item(&submitted));
		cJSON_AddItemToArray(o, t);
		t = cJSON_CreateObject();
		cJSON_AddItemToObject(t, "category", fhir_codeable(BILL_CS_ADJUDICATION, "benefit", NULL));
		cJSON_AddItemToObject(t, "amount", money_item(paid));
		cJSON_AddItemToArray(o, t);
	}
	o = cJSON_AddObjectToObject(cr, "payment");
	cJSON_AddItemToObject(o, "type",
	    fhir_codeable("http://terminology.hl7.org/CodeSystem/ex-paymenttype", "complete", NULL));
	cJSON_AddStringToObject(o, "date", p->check_date);
	cJSON_AddItemToObject(o, "amount", money_item(paid));
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "identifier"), "value", p->check_number);
	return cr;
}

static cJSON *
payment_reconciliation(const struct bill_posting *p, const struct money *per_claim,
    const char *created)
{
	cJSON *pr = cJSON_CreateObject(), *details;

	cJSON_AddStringToObject(pr, "resourceType", "PaymentReconciliation");
	fhir_add_request_id(pr, p->request_id);
	cJSON_AddStringToObject(pr, "status", "active");
	cJSON_AddStringToObject(pr, "created", created);
	cJSON_AddItemToObject(pr, "paymentIssuer", payer_reference(p));
	cJSON_AddStringToObject(pr, "outcome", "complete");
	cJSON_AddStringToObject(pr, "disposition", "Posted from the payer's remittance");
	cJSON_AddStringToObject(pr, "paymentDate", p->check_date);
	cJSON_AddItemToObject(pr, "paymentAmount", money_item(&p->check_amount));
	cJSON_AddStringToObject(
	    cJSON_AddObjectToObject(pr, "paymentIdentifier"), "value", p->check_number);
	details = cJSON_AddArrayToObject(pr, "detail");
	for (size_t c = 0; c < p->nclaims; c++) {
		cJSON *d = cJSON_CreateObject();
		char *rid = xasprintf("%s.%zu", p->request_id, c + 1);

		cJSON_AddItemToObject(d, "type",
		    fhir_codeable("http://terminology.hl7.org/CodeSystem/payment-type", "payment", NULL));
		cJSON_AddItemToObject(d, "request", reference(p->claims[c].claim));
		cJSON_AddItemToObject(d, "response", response_reference(rid));
		cJSON_AddStringToObject(d, "date", p->check_date);
		cJSON_AddItemToObject(d, "amount", money_item(&per_claim[c]));
		cJSON_AddItemToArray(details, d);
		free(rid);
	}
	return pr;
}

/* The ChargeItem of REF ("ChargeItem/ID") among ITEMS, borrowed, or NULL. */
static const cJSON *
charge_of(const cJSON *items, const char *ref)
{
	const cJSON *ci;

	if (!is_reference(ref, "ChargeItem"))
		return NULL;
	cJSON_ArrayForEach(ci, items) if (same(fhir_get_string(ci, "id"), ref + strlen("ChargeItem/")))
	    return ci;
	return NULL;
}

/* CI as posted: the extension naming its answer (one, replaced on a later posting). */
static cJSON *
charge_posted(const cJSON *ci, const char *rid, bool denied)
{
	cJSON *c = cJSON_Duplicate(ci, true), *exts, *x, *next;

	cJSON_DeleteItemFromObjectCaseSensitive(c, "meta");
	cJSON_DeleteItemFromObjectCaseSensitive(c, "text");
	exts = cJSON_GetObjectItemCaseSensitive(c, "extension");
	if (!cJSON_IsArray(exts)) {
		cJSON_DeleteItemFromObjectCaseSensitive(c, "extension");
		exts = cJSON_AddArrayToObject(c, "extension");
	}
	for (x = exts->child; x != NULL; x = next) {
		next = x->next;
		if (same(fhir_get_string(x, "url"), BILL_EXT_CHARGE_POSTED))
			cJSON_Delete(cJSON_DetachItemViaPointer(exts, x));
	}
	x = cJSON_CreateObject();
	cJSON_AddStringToObject(x, "url", BILL_EXT_CHARGE_POSTED);
	cJSON_AddItemToObject(x, "valueReference", response_reference(rid));
	cJSON_AddItemToArray(exts, x);
	if (denied)
		fhir_set_string(c, "status", "billable");
	return c;
}

struct fhir_plan *
bill_posting_plan(const struct bill_posting *p, const cJSON *charge_items, const struct date *today,
    struct bill_problems *out)
{
	struct money per_claim[BILL_POST_CLAIMS_MAX];
	char created[DATE_BUF_SIZE], *why = NULL;
	struct fhir_plan *plan;
	struct fhir_search *guard;
	cJSON *r;
	int step;

	if (bill_posting_check(p, out) > 0)
		return NULL;
	for (size_t c = 0; c < p->nclaims; c++)
		for (size_t i = 0; i < p->claims[c].n; i++) {
			const struct bill_post_line *l = &p->claims[c].lines[i];

			if (!empty(l->charge_item) && charge_of(charge_items, l->charge_item) == NULL)
				bill_problem_add(out, xasprintf("Line %ld (%s): its charge was not read; "
				                           "read the claim again",
				                     l->sequence, l->code));
		}
	if (out->n > 0)
		return NULL;
	for (size_t c = 0; c < p->nclaims; c++) {
		money_make(0, p->check_amount.currency, &per_claim[c], &why);
		for (size_t i = 0; i < p->claims[c].n; i++)
			money_add(&per_claim[c], &p->claims[c].lines[i].paid, &per_claim[c], &why);
	}
	free(why);
	date_format_iso(today, created, sizeof created);
	plan = fhir_plan_new();
	/* The check first: its guard is what finds a posting already made. */
	r = payment_reconciliation(p, per_claim, created);
	guard = fhir_request_search("PaymentReconciliation", p->request_id);
	step = fhir_plan_create(plan, r, guard);
	fhir_search_free(&guard);
	cJSON_Delete(r);
	for (size_t c = 0; step >= 0 && c < p->nclaims; c++) {
		char *rid = xasprintf("%s.%zu", p->request_id, c + 1);

		r = claim_response(p, &p->claims[c], rid, &per_claim[c], created);
		guard = fhir_request_search("ClaimResponse", rid);
		step = fhir_plan_create(plan, r, guard);
		fhir_search_free(&guard);
		cJSON_Delete(r);
		for (size_t i = 0; step >= 0 && i < p->claims[c].n; i++) {
			const struct bill_post_line *l = &p->claims[c].lines[i];
			const cJSON *ci = charge_of(charge_items, l->charge_item);
			cJSON *posted;

			if (ci == NULL)
				continue;
			posted = charge_posted(ci, rid, bill_post_line_denied(l));
			step = fhir_plan_update(plan, posted, fhir_version_of(ci), ci);
			cJSON_Delete(posted);
		}
		free(rid);
	}
	if (step < 0) {
		bill_problem_add(out, xstrdup("The posting could not be put together for saving"));
		fhir_plan_free(&plan);
	}
	return plan;
}

struct fhir_search *
bill_posting_search(const char *request_id)
{
	struct fhir_search *s = fhir_request_search("PaymentReconciliation", request_id);

	fhir_search_add(s, "_elements", "identifier");
	return s;
}

bool
bill_posting_found(const cJSON *set, const char *request_id)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, fhir_get_array(set, "entry"))
	{
		const cJSON *r = fhir_get_object(e, "resource");

		if (same(fhir_get_string(r, "resourceType"), "PaymentReconciliation") &&
		    fhir_carries_request(r, request_id))
			return true;
	}
	return false;
}

/* --- the claim to post to ------------------------------------------------------------- */

static struct fhir_search *
claims_search(const char *patient_id, const char *encounter_id)
{
	struct fhir_search *s = fhir_search_new("Claim");
	char *ref = xasprintf("Patient/%s", patient_id);

	fhir_search_add(s, "patient", ref);
	free(ref);
	ref = xasprintf("Encounter/%s", encounter_id);
	fhir_search_add(s, "encounter", ref);
	free(ref);
	fhir_search_add(s, "_count", "20");
	return s;
}

static struct fhir_search *
ledger_search(const char *type, const char *param, const char *patient_id, int count);

cJSON *
bill_post_batch(const struct fhir_client *fc, const char *patient_id, const char *encounter_id)
{
	cJSON *batch = visit_batch(fc, patient_id, encounter_id);
	struct fhir_search *s = claims_search(patient_id, encounter_id);

	fhir_batch_add_search((cJSON *)fhir_get_array(batch, "entry"), fc, s);
	fhir_search_free(&s);
	/* One more than kept: a patient with more is said to have been cut. */
	s = ledger_search("ClaimResponse", "patient", patient_id, BILL_POST_REMITS_COUNT + 1);
	fhir_batch_add_search((cJSON *)fhir_get_array(batch, "entry"), fc, s);
	fhir_search_free(&s);
	return batch;
}

/* M added to *SUM, which takes M's currency when it has none yet. */
static int
sum_add(struct money *sum, const struct money *m, char **cause)
{
	if (m->currency[0] == '\0')
		return 0;
	if (sum->currency[0] == '\0')
		memcpy(sum->currency, m->currency, sizeof sum->currency);
	return money_add(sum, m, sum, cause);
}

/*
 * CR, when it is a posted answer to O's claim, added to O's answers: its check number,
 * day, what it paid and what it settled. An answer whose sums do not read still counts
 * (its check number guards), with nothing settled.
 */
static void
post_answer_add(struct bill_post_open *o, const cJSON *cr)
{
	struct bill_post_answer *a;
	struct bill_remit r;
	char *why = NULL;

	if (!same(fhir_get_string(cr, "resourceType"), "ClaimResponse") ||
	    !same(fhir_get_string(fhir_get_object(cr, "request"), "reference"), o->claim) ||
	    same(fhir_get_string(cr, "status"), "entered-in-error") ||
	    same(fhir_get_string(cr, "status"), "cancelled"))
		return;
	if (o->nanswers == BILL_POST_ANSWERS_MAX) {
		o->answers_cut = true;
		return;
	}
	a = &o->answers[o->nanswers++];
	memset(a, 0, sizeof *a);
	bill_put_label(a->check, sizeof a->check,
	    fhir_get_string(fhir_get_object(fhir_get_object(cr, "payment"), "identifier"), "value"));
	if (bill_remit_read(cr, &r, &why) != 0) {
		free(why);
		return;
	}
	snprintf(a->day, sizeof a->day, "%s", r.payment_date);
	a->paid = r.paid;
	if (sum_add(&a->settled, &r.paid, &why) != 0 || sum_add(&a->settled, &r.adjusted, &why) != 0 ||
	    sum_add(&a->settled, &r.patient_share, &why) != 0) {
		free(why);
		memset(&a->settled, 0, sizeof a->settled);
	}
	bill_remit_clear(&r);
}

/* CHECK without the blanks around it, into BUF. */
static void
check_trim(const char *check, char *buf, size_t size)
{
	size_t n;

	check += strspn(check, " \t");
	snprintf(buf, size, "%s", check);
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		buf[--n] = '\0';
}

const struct bill_post_answer *
bill_post_same_check(const struct bill_post_open *o, const char *check)
{
	char want[BILL_CHECK_NUMBER_SIZE], had[BILL_CHECK_NUMBER_SIZE];

	check_trim(check != NULL ? check : "", want, sizeof want);
	if (want[0] == '\0')
		return NULL;
	for (size_t i = 0; i < o->nanswers; i++) {
		check_trim(o->answers[i].check, had, sizeof had);
		if (same_nocase(want, had))
			return &o->answers[i];
	}
	return NULL;
}

int
bill_post_pending(const struct bill_post_open *o, const struct bill_posting *p,
    struct money *left, struct money *after, char **cause)
{
	struct money settled = { 0 }, now = { 0 };

	memset(left, 0, sizeof *left);
	for (size_t i = 0; i < o->n; i++)
		if (sum_add(left, &o->lines[i].charged, cause) != 0)
			return -1;
	for (size_t i = 0; i < o->nanswers; i++)
		if (sum_add(&settled, &o->answers[i].settled, cause) != 0)
			return -1;
	for (size_t c = 0; p != NULL && c < p->nclaims; c++)
		for (size_t i = 0; i < p->claims[c].n; i++) {
			const struct bill_post_line *l = &p->claims[c].lines[i];

			if (sum_add(&now, &l->paid, cause) != 0 || sum_add(&now, &l->adjusted, cause) != 0 ||
			    sum_add(&now, &l->patient_resp, cause) != 0)
				return -1;
		}
	if (left->currency[0] == '\0')
		memcpy(left->currency, settled.currency[0] ? settled.currency : MONEY_CURRENCY_DEFAULT, 4);
	if ((settled.currency[0] != '\0' && money_sub(left, &settled, left, cause) != 0))
		return -1;
	*after = *left;
	return now.currency[0] != '\0' ? money_sub(after, &now, after, cause) : 0;
}

int
bill_post_saved(struct bill_post_open *o, const cJSON *response)
{
	const cJSON *fresh[BILL_LINES_MAX] = { NULL }, *e;
	cJSON *old[BILL_LINES_MAX] = { NULL };
	int entries = 0;

	if (o->n > BILL_LINES_MAX)
		return -1;
	/* A posting is a plan: an answer of more entries than a plan holds is not its answer. */
	cJSON_ArrayForEach(e, fhir_get_array(response, "entry"))
	{
		if (++entries > FHIR_PLAN_MAX || !fhir_entry_ok(e))
			return -1;
	}
	/* Each line's charge, found among the plan's few entries (bounded both ways). */
	for (size_t i = 0; i < o->n; i++) {
		const char *ref = o->lines[i].charge_item;
		const cJSON *was = charge_of(o->visit.charge_items, ref);

		if (empty(ref))
			continue;
		if (was == NULL)
			return -1;
		cJSON_ArrayForEach(e, fhir_get_array(response, "entry"))
		{
			const cJSON *r = fhir_get_object(e, "resource");

			if (same(fhir_get_string(r, "resourceType"), "ChargeItem") &&
			    same(fhir_id_of(r), fhir_id_of(was)))
				break;
		}
		if (e == NULL)
			return -1;
		/* The same charge of the same patient, at a version the server gave it. */
		if (!same(fhir_get_string(fhir_get_object(fhir_get_object(e, "resource"), "subject"),
		              "reference"),
		        fhir_get_string(fhir_get_object(was, "subject"), "reference")) ||
		    fhir_version_of(fhir_get_object(e, "resource")) == NULL ||
		    same(fhir_version_of(fhir_get_object(e, "resource")), fhir_version_of(was)))
			return -1;
		fresh[i] = fhir_get_object(e, "resource");
		old[i] = (cJSON *)was;
	}
	/* The answer it wrote to the claim: the next check is measured against it too. */
	cJSON_ArrayForEach(e, fhir_get_array(response, "entry"))
	{
		const cJSON *r = fhir_get_object(e, "resource");

		if (same(fhir_get_string(r, "resourceType"), "ClaimResponse") &&
		    same(fhir_get_string(fhir_get_object(r, "request"), "reference"), o->claim))
			break;
	}
	if (e == NULL)
		return -1;
	/* All found: only now is anything replaced, so a refusal leaves O as it was. */
	post_answer_add(o, fhir_get_object(e, "resource"));
	for (size_t i = 0; i < o->n; i++) {
		bool done = false;

		if (old[i] == NULL)
			continue;
		/* Two lines billing one charge: it is replaced once. */
		for (size_t k = 0; k < i; k++)
			done = done || old[k] == old[i];
		if (!done)
			cJSON_ReplaceItemViaPointer(o->visit.charge_items, old[i],
			    cJSON_Duplicate(fresh[i], true));
	}
	return 0;
}

void
bill_post_open_clear(struct bill_post_open *o)
{
	bill_visit_clear(&o->visit);
	free(o->lines);
	bill_problems_free(&o->problems);
	memset(o, 0, sizeof *o);
}

/* The newer of two claims: by created, then by when the server last wrote it. */
static bool
claim_newer(const cJSON *a, const cJSON *b)
{
	const char *ca = fhir_get_string(a, "created"), *cb = fhir_get_string(b, "created");
	int c = strcmp(ca != NULL ? ca : "", cb != NULL ? cb : "");
	const char *la = fhir_get_string(fhir_get_object(a, "meta"), "lastUpdated"),
	           *lb = fhir_get_string(fhir_get_object(b, "meta"), "lastUpdated");

	if (c != 0)
		return c > 0;
	return strcmp(la != NULL ? la : "", lb != NULL ? lb : "") > 0;
}

static void
claim_lines_read(const cJSON *claim, const char *encounter_id, struct bill_post_open *out)
{
	const cJSON *items = fhir_get_array(claim, "item"), *item;
	size_t max = (size_t)cJSON_GetArraySize(items);

	if (max > BILL_LINES_MAX) {
		bill_problem_add(&out->problems, xasprintf("The claim has %zu lines; only the first %d "
		                                      "can be posted here",
		                                max, BILL_LINES_MAX));
		max = BILL_LINES_MAX;
	}
	out->lines = xcalloc(max + 1, sizeof *out->lines);
	cJSON_ArrayForEach(item, items)
	{
		struct bill_post_line *l = &out->lines[out->n];
		const cJSON *seq = cJSON_GetObjectItemCaseSensitive(item, "sequence"), *x;
		char *why = NULL;

		if (out->n == max)
			break;
		memset(l, 0, sizeof *l);
		if (!cJSON_IsNumber(seq) || seq->valuedouble < 1 || seq->valuedouble > 1e6 ||
		    seq->valuedouble != (double)(long)seq->valuedouble) {
			bill_problem_add(&out->problems, xstrdup("A claim line has no usable number; it "
			                                    "is left out"));
			continue;
		}
		l->sequence = (long)seq->valuedouble;
		if (!bill_put(l->code, sizeof l->code,
		        fhir_first_code(fhir_get_object(item, "productOrService"))) ||
		    l->code[0] == '\0')
			bill_put(l->code, sizeof l->code, "?");
		if (bill_money_read(fhir_get_object(item, "net"), &l->charged, &why) != 0) {
			bill_problem_add(&out->problems, xasprintf("Claim line %ld (%s) cannot be posted: "
			                                      "%s",
			                                l->sequence, l->code, why));
			free(why);
			continue;
		}
		cJSON_ArrayForEach(x, fhir_get_array(item, "extension"))
		{
			const char *ref = fhir_get_string(fhir_get_object(x, "valueReference"), "reference");

			if (same(fhir_get_string(x, "url"), BILL_EXT_CLAIM_CHARGE) &&
			    is_reference(ref, "ChargeItem"))
				bill_put(l->charge_item, sizeof l->charge_item, ref);
		}
		/* A line of another visit is not this visit's to post. */
		{
			const cJSON *enc = cJSON_GetArrayItem(fhir_get_array(item, "encounter"), 0);
			const char *eref = fhir_get_string(enc, "reference");

			if (eref != NULL && !fhir_refers_to(eref, "Encounter", encounter_id)) {
				bill_problem_add(&out->problems,
				    xasprintf("Claim line %ld (%s) is of another visit; it is left out",
				        l->sequence, l->code));
				continue;
			}
		}
		out->n++;
	}
}

bool
bill_visit_claimed(const struct bill_visit *v)
{
	for (size_t i = 0; i < v->nlines; i++)
		if (!same(v->lines[i].status, "billed"))
			return false;
	return v->nlines > 0;
}

struct fhir_search *
bill_visit_claims_search(const char *patient_id, const char *encounter_id)
{
	return claims_search(patient_id, encounter_id);
}

/* The claim of SET that bill_post_result posts to: the patient's newest professional one. */
static const cJSON *
newest_claim(const cJSON *set, const char *patient_id)
{
	const cJSON *e, *newest = NULL;

	cJSON_ArrayForEach(e, fhir_get_array(set, "entry"))
	{
		const cJSON *c = fhir_get_object(e, "resource");

		if (!same(fhir_get_string(c, "resourceType"), "Claim") || fhir_id_of(c) == NULL ||
		    !patient_refers_to(fhir_get_string(fhir_get_object(c, "patient"), "reference"),
		        patient_id) ||
		    same(fhir_get_string(c, "status"), "entered-in-error") ||
		    same(fhir_get_string(c, "status"), "cancelled") ||
		    /* A hospital's institutional claim of the same visit is not the clinic's to post. */
		    !same(fhir_first_code(fhir_get_object(c, "type")), "professional"))
			continue;
		if (newest == NULL || claim_newer(c, newest))
			newest = c;
	}
	return newest;
}

void
bill_visit_claim_day(const cJSON *set, const char *patient_id, char day[BILL_DAY_SIZE])
{
	const char *created = fhir_get_string(newest_claim(set, patient_id), "created");

	day[0] = '\0';
	if (created != NULL && strlen(created) >= 10 && day_parse(created, &(struct date){ 0 })) {
		memcpy(day, created, 10);
		day[10] = '\0';
	}
}

int
bill_post_result(cJSON *response, const char *patient_id, const char *encounter_id,
    const struct date *today, struct bill_post_open *out, char **cause)
{
	const cJSON *claims = cJSON_GetArrayItem(fhir_get_array(response, "entry"), 5), *e;
	const cJSON *remits = cJSON_GetArrayItem(fhir_get_array(response, "entry"), 6);
	const cJSON *newest;

	memset(out, 0, sizeof *out);
	if (visit_read(response, patient_id, encounter_id, today, &out->visit, cause) != 0)
		return -1;
	if (!searchset_ok(claims)) {
		*cause = fhir_entry_failure(claims, "the visit's claims");
		bill_post_open_clear(out);
		return -1;
	}
	newest = newest_claim(fhir_get_object(claims, "resource"), patient_id);
	if (newest == NULL)
		return 0;
	out->has_claim = true;
	snprintf(out->claim, sizeof out->claim, "Claim/%s", fhir_id_of(newest));
	if (!bill_put(out->created, sizeof out->created, fhir_get_string(newest, "created")) &&
	    fhir_get_string(newest, "created") != NULL)
		memcpy(out->created, fhir_get_string(newest, "created"), 10), out->created[10] = '\0';
	if (!bill_put(out->payer, sizeof out->payer,
	        fhir_get_string(fhir_get_object(newest, "insurer"), "reference")) ||
	    !is_reference(out->payer, "Organization"))
		bill_problem_add(&out->problems, xstrdup("The claim names no insurer to post from"));
	for (size_t i = 0; i < out->visit.nviews; i++)
		if (same(out->visit.views[i].payer_reference, out->payer) &&
		    !empty(out->visit.views[i].payer_display)) {
			bill_put_label(out->payer_name, sizeof out->payer_name,
			    out->visit.views[i].payer_display);
			break;
		}
	claim_lines_read(newest, encounter_id, out);
	/* What was posted to it already: without it a check could be posted twice. */
	if (!searchset_ok(remits)) {
		*cause = fhir_entry_failure(remits, "the claim's posted answers");
		bill_post_open_clear(out);
		return -1;
	}
	{
		size_t read = 0;

		cJSON_ArrayForEach(e, fhir_get_array(fhir_get_object(remits, "resource"), "entry"))
		{
			if (++read > BILL_POST_REMITS_COUNT) {
				out->answers_cut = true;
				break;
			}
			post_answer_add(out, fhir_get_object(e, "resource"));
		}
	}
	return 0;
}

/* --- a patient's ledger ---------------------------------------------------------------- */

static struct fhir_search *
ledger_search(const char *type, const char *param, const char *patient_id, int count)
{
	struct fhir_search *s = fhir_search_new(type);
	char *ref = xasprintf("Patient/%s", patient_id), *n = xasprintf("%d", count);

	fhir_search_add(s, param, ref);
	fhir_search_add(s, "_count", n);
	free(ref);
	free(n);
	return s;
}

cJSON *
bill_ledger_batch(const struct fhir_client *fc, const char *patient_id)
{
	cJSON *batch = patient_open_batch(fc, patient_id);
	cJSON *entries = (cJSON *)fhir_get_array(batch, "entry");
	struct fhir_search *s;

	/* One more than kept: a server with more is said to have been cut. */
	s = ledger_search("ChargeItem", "subject", patient_id, BILL_LEDGER_CHARGES_MAX + 1);
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	s = ledger_search("ClaimResponse", "patient", patient_id, BILL_LEDGER_REMITS_MAX + 1);
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	s = ledger_search("PaymentNotice", "request", patient_id, BILL_LEDGER_PAYMENTS_MAX + 1);
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	s = ledger_search("Coverage", "beneficiary", patient_id, 1);
	fhir_search_add(s, "status", "active");
	fhir_search_add(s, "_summary", "count");
	fhir_batch_add_search(entries, fc, s);
	fhir_search_free(&s);
	return batch;
}

void
bill_ledger_read_clear(struct bill_ledger_read *r)
{
	patient_opened_clear(&r->opened);
	bill_ledger_clear(&r->ledger);
	bill_problems_free(&r->skipped);
	memset(r, 0, sizeof *r);
}

static bool
charge_counts(const char *status)
{
	return same(status, "billable") || same(status, "billed");
}

/*
 * What a payment's extensions say, as the ledger's row names it: "copay", "on account",
 * then how it was paid, "copay, check 1234". Only known codes are written; the reference
 * is the server's string, cut (the ledger's row makes it printable).
 */
static void
payment_note(const cJSON *pn, char *note, size_t note_size)
{
	const char *kind = NULL, *method = NULL, *ref = NULL;
	const cJSON *x;
	char cut[17];

	cJSON_ArrayForEach(x, fhir_get_array(pn, "extension"))
	{
		const char *url = fhir_get_string(x, "url"), *code = fhir_get_string(x, "valueCode");

		if (same(url, BILL_EXT_PAYMENT_KIND))
			kind = same(code, "copay") ? "copay" : same(code, "on-account") ? "on account" : kind;
		else if (same(url, BILL_EXT_PAYMENT_METHOD))
			method = same(code, "cash") || same(code, "check") || same(code, "card") ? code
			                                                                        : method;
		else if (same(url, BILL_EXT_PAYMENT_REFERENCE))
			ref = fhir_get_string(x, "valueString");
	}
	bill_put_label(cut, sizeof cut, ref);
	snprintf(note, note_size, "%s%s%s%s%s", kind != NULL ? kind : "",
	    kind != NULL && method != NULL ? ", " : "", method != NULL ? method : "",
	    method != NULL && !empty(cut) ? " " : "", method != NULL ? cut : "");
}

/* A PaymentNotice of the patient into P; false with a sentence in SKIPPED. */
static bool
patient_payment_read(const cJSON *pn, const char *patient_id, struct bill_patient_payment *p,
    char *note, size_t note_size, struct bill_problems *skipped)
{
	char *why = NULL;
	struct date d;

	if (!patient_refers_to(
	        fhir_get_string(fhir_get_object(pn, "request"), "reference"), patient_id)) {
		bill_problem_add(skipped, xstrdup("The server sent another patient's payment; it is left "
		                             "out"));
		return false;
	}
	if (same(fhir_get_string(pn, "status"), "entered-in-error") ||
	    same(fhir_get_string(pn, "status"), "cancelled"))
		return false;
	if (bill_money_read(fhir_get_object(pn, "amount"), &p->amount, &why) != 0) {
		bill_problem_add(skipped, xasprintf("A patient's payment is left out: %s", why));
		free(why);
		return false;
	}
	if (!bill_put(p->day, sizeof p->day, fhir_get_string(pn, "paymentDate")) ||
	    !day_parse(p->day, &d)) {
		const char *created = fhir_get_string(pn, "created");

		if (!day_parse(created, &d)) {
			bill_problem_add(skipped, xstrdup("A patient's payment has no date; it is left out"));
			return false;
		}
		memcpy(p->day, created, 10), p->day[10] = '\0';
	}
	payment_note(pn, note, note_size);
	p->note = note[0] != '\0' ? note : NULL;
	return true;
}

int
bill_ledger_result(
    cJSON *response, const char *patient_id, struct bill_ledger_read *out, char **cause)
{
	const cJSON *entries = fhir_get_array(response, "entry");
	const cJSON *lists[3] = {cJSON_GetArrayItem(entries, 2), cJSON_GetArrayItem(entries, 3),
	    cJSON_GetArrayItem(entries, 4)};
	const cJSON *covs = cJSON_GetArrayItem(entries, 5);
	static const char *const what[3] = {"the charges", "the insurers' answers",
	    "the patient's payments"};
	static const char *const types[3] = {"ChargeItem", "ClaimResponse", "PaymentNotice"};
	static const size_t maxes[3] = {BILL_LEDGER_CHARGES_MAX, BILL_LEDGER_REMITS_MAX,
	    BILL_LEDGER_PAYMENTS_MAX};
	cJSON *taken[3] = {NULL, NULL, NULL};
	struct bill_line *charges;
	struct bill_remit *remits;
	struct bill_patient_payment *payments;
	char(*notes)[BILL_PAY_NOTE_SIZE];
	bool insured;

	memset(out, 0, sizeof *out);
	if (patient_open_result(response, patient_id, &out->opened, cause) != 0)
		return -1;
	for (int k = 0; k < 3; k++)
		if (!searchset_ok(lists[k])) {
			*cause = fhir_entry_failure(lists[k], what[k]);
			bill_ledger_read_clear(out);
			return -1;
		}
	for (int k = 0; k < 3; k++) {
		bool cut = false;

		taken[k] = fhir_bundle_take(fhir_get_object(lists[k], "resource"), types[k], maxes[k], &cut);
		out->cut = out->cut || cut ||
		           fhir_bundle_total(fhir_get_object(lists[k], "resource")) > (long)maxes[k];
	}
	/* Without the count of coverages the charges are the insurer's: what a claim makes them. */
	insured = !searchset_ok(covs) || fhir_bundle_total(fhir_get_object(covs, "resource")) != 0;

	charges = xcalloc((size_t)cJSON_GetArraySize(taken[0]) + 1, sizeof *charges);
	remits = xcalloc((size_t)cJSON_GetArraySize(taken[1]) + 1, sizeof *remits);
	payments = xcalloc((size_t)cJSON_GetArraySize(taken[2]) + 1, sizeof *payments);
	notes = xcalloc((size_t)cJSON_GetArraySize(taken[2]) + 1, sizeof *notes);
	{
		const cJSON *r;

		cJSON_ArrayForEach(r, taken[0])
		{
			struct bill_line *l = &charges[out->ncharges];
			char *why = NULL;

			if (bill_line_read(r, l, &why) != 0) {
				bill_problem_add(&out->skipped, xasprintf("A charge is left out: %s", why));
				free(why);
				continue;
			}
			if (!patient_refers_to(l->patient, patient_id)) {
				bill_problem_add(&out->skipped, xasprintf("The server sent another patient's "
				                                     "charge (%s); it is left out",
				                               l->code));
				continue;
			}
			if (charge_counts(l->status))
				out->ncharges++;
		}
		cJSON_ArrayForEach(r, taken[1])
		{
			struct bill_remit *m = &remits[out->nremits];
			char *why = NULL;

			if (bill_remit_read(r, m, &why) != 0) {
				bill_problem_add(&out->skipped, xasprintf("An insurer's answer is left out: %s", why));
				free(why);
				continue;
			}
			if (!patient_refers_to(m->patient, patient_id) ||
			    same(fhir_get_string(r, "status"), "entered-in-error") ||
			    same(fhir_get_string(r, "status"), "cancelled")) {
				if (!patient_refers_to(m->patient, patient_id))
					bill_problem_add(&out->skipped, xstrdup("The server sent another "
					                                   "patient's claim answer; it is "
					                                   "left out"));
				bill_remit_clear(m);
				continue;
			}
			for (size_t i = 0; i < m->problems.n; i++)
				bill_problem_add(&out->skipped, xstrdup(m->problems.v[i]));
			out->nremits++;
		}
		cJSON_ArrayForEach(r, taken[2])
		{
			if (patient_payment_read(r, patient_id, &payments[out->npayments],
			        notes[out->npayments], sizeof notes[0], &out->skipped))
				out->npayments++;
		}
	}
	/* A ledger that stops says where in its problems, which the screen shows: not an error. */
	(void)bill_ledger_build(charges, out->ncharges, insured, remits, out->nremits, payments,
	    out->npayments, &out->ledger);
	for (size_t i = 0; i < out->nremits; i++)
		bill_remit_clear(&remits[i]);
	free(charges);
	free(remits);
	free(payments);
	free(notes);
	for (int k = 0; k < 3; k++)
		cJSON_Delete(taken[k]);
	return 0;
}

/* --- a patient's payment at the front desk, and its receipt -------------------------------- */

const char *
bill_pay_kind_code(enum bill_pay_kind k)
{
	return k == BILL_PAY_ON_ACCOUNT ? "on-account" : "copay";
}

const char *
bill_pay_method_code(enum bill_pay_method m)
{
	return m == BILL_PAY_CHECK ? "check" : m == BILL_PAY_CARD ? "card" : "cash";
}

void
bill_payment_clinic(const cJSON *patient, struct bill_payment *p)
{
	const cJSON *org = fhir_get_object(patient, "managingOrganization");
	const char *ref = fhir_get_string(org, "reference");

	p->clinic[0] = p->clinic_name[0] = '\0';
	/* Only an Organization's plain reference is written back; anything else is left out. */
	if (ref != NULL && strncmp(ref, "Organization/", 13) == 0 && fhir_valid_id(ref + 13))
		bill_put(p->clinic, sizeof p->clinic, ref);
	bill_put_label(p->clinic_name, sizeof p->clinic_name, fhir_get_string(org, "display"));
}

static cJSON *
extension_code(const char *url, const char *code)
{
	cJSON *x = cJSON_CreateObject();

	cJSON_AddStringToObject(x, "url", url);
	cJSON_AddStringToObject(x, "valueCode", code);
	return x;
}

struct fhir_plan *
bill_payment_plan(const struct bill_payment *p, char **cause)
{
	struct fhir_plan *plan;
	struct fhir_search *guard;
	struct date d;
	cJSON *pn, *ext, *x, *to, *dep;
	int step;

	if (p->amount.minor <= 0 || p->amount.currency[0] == '\0') {
		*cause = xstrdup("the amount must be above zero");
		return NULL;
	}
	if (strncmp(p->patient, "Patient/", 8) != 0 || !fhir_valid_id(p->patient + 8)) {
		*cause = xstrdup("no patient to pay for");
		return NULL;
	}
	if (!day_parse(p->day, &d) || empty(p->request_id)) {
		*cause = xstrdup("no day or request identifier for the payment");
		return NULL;
	}
	for (const char *c = p->reference; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			*cause = xstrdup("the reference holds a control character");
			return NULL;
		}
	pn = cJSON_CreateObject();
	cJSON_AddStringToObject(pn, "resourceType", "PaymentNotice");
	ext = cJSON_AddArrayToObject(pn, "extension");
	cJSON_AddItemToArray(ext, extension_code(BILL_EXT_PAYMENT_KIND, bill_pay_kind_code(p->kind)));
	cJSON_AddItemToArray(ext,
	    extension_code(BILL_EXT_PAYMENT_METHOD, bill_pay_method_code(p->method)));
	if (!empty(p->reference)) {
		x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "url", BILL_EXT_PAYMENT_REFERENCE);
		cJSON_AddStringToObject(x, "valueString", p->reference);
		cJSON_AddItemToArray(ext, x);
	}
	fhir_add_request_id(pn, p->request_id);
	cJSON_AddStringToObject(pn, "status", "active");
	/* request is the Patient whose balance it pays: what the ledger's search finds. */
	cJSON_AddItemToObject(pn, "request", reference(p->patient));
	cJSON_AddStringToObject(pn, "created", p->day);
	/* The day's deposit, named logically: the front desk has no PaymentReconciliation yet. */
	dep = cJSON_AddObjectToObject(pn, "payment");
	x = cJSON_AddObjectToObject(dep, "identifier");
	cJSON_AddStringToObject(x, "system", BILL_CS_DEPOSIT);
	cJSON_AddStringToObject(x, "value", p->day);
	cJSON_AddStringToObject(dep, "display", "Front desk deposit");
	cJSON_AddStringToObject(pn, "paymentDate", p->day);
	to = !empty(p->clinic) ? reference(p->clinic) : cJSON_CreateObject();
	cJSON_AddStringToObject(to, "display", !empty(p->clinic_name) ? p->clinic_name : "The clinic");
	cJSON_AddItemToObject(pn, "recipient", to);
	cJSON_AddItemToObject(pn, "amount", money_item(&p->amount));
	plan = fhir_plan_new();
	guard = fhir_request_search("PaymentNotice", p->request_id);
	step = fhir_plan_create(plan, pn, guard);
	fhir_search_free(&guard);
	cJSON_Delete(pn);
	if (step < 0) {
		fhir_plan_free(&plan);
		*cause = xstrdup("the payment could not be planned");
		return NULL;
	}
	return plan;
}

struct fhir_search *
bill_payment_search(const char *request_id)
{
	return fhir_request_search("PaymentNotice", request_id);
}

int
bill_payment_answer(const cJSON *answer, const char *request_id, const char *patient_id,
    struct bill_patient_payment *out, char note[BILL_PAY_NOTE_SIZE])
{
	const cJSON *e;
	size_t seen = 0;

	memset(out, 0, sizeof *out);
	note[0] = '\0';
	/* One entry a step or a match: bounded by what a save or its search can hold. */
	cJSON_ArrayForEach(e, fhir_get_array(answer, "entry"))
	{
		const cJSON *r = fhir_get_object(e, "resource");
		struct bill_problems skipped = { 0 };
		bool ok;

		if (++seen > FHIR_PLAN_MAX)
			break;
		if (!same(fhir_get_string(r, "resourceType"), "PaymentNotice") ||
		    !fhir_carries_request(r, request_id))
			continue;
		ok = patient_payment_read(r, patient_id, out, note, BILL_PAY_NOTE_SIZE, &skipped);
		bill_problems_free(&skipped);
		if (ok && out->amount.minor > 0)
			return 0;
		memset(out, 0, sizeof *out);
		return -1;
	}
	return -1;
}

int
bill_ledger_add_payment(struct bill_ledger_read *r, const struct bill_patient_payment *p)
{
	struct bill_ledger *l = &r->ledger;
	struct bill_ledger saved = *l;

	if (l->problems.n > 0 || p->day[0] == '\0')
		return -1;
	/* Charges come first on a day, then payments: only one dated later comes after it. */
	if (l->n > 0 && strcmp(l->v[l->n - 1].day, p->day) > 0)
		return -1;
	if (ledger_add(l, BILL_ENTRY_PATIENT_PAYMENT, p->day, &p->amount, payment_what(p)) != 0) {
		/* The ledger as it was: its entries stand (ledger_add did not count the new one). */
		bill_problems_free(&l->problems);
		l->problems = saved.problems;
		l->insurance_pending = saved.insurance_pending;
		l->patient_owes = saved.patient_owes;
		return -1;
	}
	r->npayments++;
	return 0;
}

size_t
bill_receipt_text(const struct bill_payment *p, const struct patient_view *pv,
    const struct money *owes, char ***out, char **cause)
{
	static const char rule[] = "------------------------------------------------------------";
	char who[RECEIPT_WIDTH + 1], name[48], born[BILL_DAY_SIZE], ref[BILL_PAY_REFERENCE_SIZE];
	char a[MONEY_BUF_SIZE];
	char **v = NULL;
	size_t n = 0;

	*out = NULL;
	if (p->amount.minor <= 0 || p->amount.currency[0] == '\0') {
		*cause = xstrdup("the amount must be above zero");
		return 0;
	}
	bill_print_ascii(!empty(p->clinic_name) ? p->clinic_name : "Payment receipt", RECEIPT_WIDTH, who,
	    sizeof who);
	bill_print_add(&v, &n, xstrdup(who), RECEIPT_WIDTH);
	bill_print_add(&v, &n, xasprintf("%-40s%20s", "RECEIPT FOR PAYMENT", p->day), RECEIPT_WIDTH);
	bill_print_add(&v, &n, xstrdup(rule), RECEIPT_WIDTH);
	bill_print_ascii(pv->name, 40, name, sizeof name);
	bill_print_ascii(pv->birth_date[0] != '\0' ? pv->birth_date : "unknown", 10, born, sizeof born);
	bill_print_add(&v, &n, xasprintf("Patient: %s", name), RECEIPT_WIDTH);
	bill_print_add(&v, &n, xasprintf("Born:    %s", born), RECEIPT_WIDTH);
	bill_print_add(&v, &n, xstrdup(""), RECEIPT_WIDTH);
	money_format_currency(&p->amount, a, sizeof a);
	bill_print_add(&v, &n, xasprintf("%-20s %s", "Amount received", a), RECEIPT_WIDTH);
	bill_print_add(&v, &n, xasprintf("%-20s %s", "For",
	                         p->kind == BILL_PAY_COPAY ? "Copay" : "Payment on account"), RECEIPT_WIDTH);
	bill_print_add(&v, &n, xasprintf("%-20s %s", "Paid by",
	                         p->method == BILL_PAY_CHECK ? "Check"
	                         : p->method == BILL_PAY_CARD ? "Card" : "Cash"), RECEIPT_WIDTH);
	bill_print_ascii(p->reference, sizeof ref - 1, ref, sizeof ref);
	bill_print_add(&v, &n, xasprintf("%-20s %s", "Reference", ref[0] != '\0' ? ref : "none"), RECEIPT_WIDTH);
	bill_print_add(&v, &n, xstrdup(""), RECEIPT_WIDTH);
	if (owes == NULL || owes->currency[0] == '\0') {
		bill_print_add(&v, &n, xasprintf("%-20s %s", "Your balance", "ask the billing office"), RECEIPT_WIDTH);
	} else if (owes->minor < 0) {
		struct money credit = *owes;

		credit.minor = -credit.minor;
		money_format_currency(&credit, a, sizeof a);
		bill_print_add(&v, &n, xasprintf("%-20s %s", "Credit on account", a), RECEIPT_WIDTH);
	} else {
		money_format_currency(owes, a, sizeof a);
		bill_print_add(&v, &n, xasprintf("%-20s %s", "Balance you owe now", a), RECEIPT_WIDTH);
	}
	bill_print_add(&v, &n, xstrdup(rule), RECEIPT_WIDTH);
	bill_print_add(&v, &n, xstrdup("Thank you."), RECEIPT_WIDTH);
	*out = v;
	return n;
}

void
bill_print_ascii(const char *s, size_t w, char *buf, size_t size)
{
	size_t n = 0;

	for (; s != NULL && *s != '\0' && n < w && n + 1 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x80) {
			/* A character outside ASCII is one '?', whatever its length. */
			while (((unsigned char)s[1] & 0xC0) == 0x80)
				s++;
			c = '?';
		} else if (c < 0x20 || c == 0x7f)
			c = ' ';
		buf[n++] = (char)c;
	}
	buf[n] = '\0';
}

void
bill_print_add(char ***lines, size_t *n, char *line, size_t width)
{
	/* Every line fits the page: a longer one (only a sum could make it) is cut. */
	if (strlen(line) > width)
		line[width] = '\0';
	*lines = xreallocarray(*lines, *n + 1, sizeof **lines);
	(*lines)[(*n)++] = line;
}

void
bill_print_free(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

char *
bill_print_join(char **lines, size_t n)
{
	size_t len = 1;
	char *s, *p;

	for (size_t i = 0; i < n; i++)
		len += strlen(lines[i]) + 1;
	p = s = xmalloc(len);
	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(lines[i]);

		memcpy(p, lines[i], k);
		p += k;
		/* A form feed starts the next page; it has no line end of its own. */
		if (strcmp(lines[i], "\f") != 0)
			*p++ = '\n';
	}
	*p = '\0';
	return s;
}
