/*
 * Fuzz target: the chart's readers of what a server sends: the cover sheet, a pane, a row,
 * the labs, a trend, and the medications form's batch and active orders.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "fhir/chart.h"
#include "fhir/labs.h"
#include "fhir/medication.h"
#include "fuzz.h"
#include "ui/plot.h"

/* The patient every reader is asked about; make-seeds.mjs writes the sample patients' ids so. */
#define ID "p1"
#define HBA1C "http://loinc.org|4548-4"

static struct fhir_client *fc;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *cause = NULL;

	(void)argc;
	(void)argv;
	fc = fhir_client_new(NULL, "https://fhir.example.org/r4", &cause);
	return fc != NULL ? 0 : 1;
}

/* fhir/chart.h: a pane's rows are bounded, their strings never NULL; nothing is kept of a refused pane. */
static void
chart_rows(const struct chart_list *l, size_t max)
{
	FUZZ_CHECK(l->n <= max);
	FUZZ_CHECK(l->state == CHART_PANE_LOADED || l->n == 0);
	FUZZ_CHECK(l->state == CHART_PANE_LOADED || l->failure != NULL);
	for (size_t i = 0; i < l->n; i++) {
		const struct chart_item *it = &l->items[i];

		FUZZ_CHECK(it->what && it->value && it->date && it->flag && it->detail && it->status &&
		    it->id);
	}
}

/* The cover sheet's batch-response, and each entry's resource as a row's details. */
static void
cover(const cJSON *r)
{
	struct chart_cover c;
	struct chart_detail *d;
	cJSON *copy = cJSON_Duplicate(r, true);
	const cJSON *e;
	char *cause = NULL;
	size_t n;
	int k = 0;

	if (chart_cover_read(copy, ID, &c, &cause) == 0) {
		FUZZ_CHECK(strcmp(c.view.id, ID) == 0);
		for (int p = 0; p < CHART_PANES; p++)
			chart_rows(&c.panes[p], p == CHART_VITALS ? CHART_VITAL_COUNT : CHART_ITEMS_MAX);
		chart_cover_clear(&c);
	} else {
		FUZZ_CHECK(cause != NULL);
		free(cause);
	}
	cJSON_Delete(copy);
	cJSON_ArrayForEach(e, fhir_get_array(r, "entry"))
	{
		if (k++ >= 16)
			break;
		for (int p = 0; p < CHART_PANES; p++) {
			cause = NULL;
			if (chart_details(fhir_get_object(e, "resource"), (enum chart_pane)p, ID, NULL, &d, &n,
				&cause) == 0) {
				FUZZ_CHECK(n <= CHART_DETAILS_MAX);
				for (size_t i = 0; i < n; i++)
					FUZZ_CHECK(d[i].label != NULL && d[i].value != NULL);
				chart_details_free(d, n);
			} else {
				FUZZ_CHECK(cause != NULL);
				free(cause);
			}
		}
	}
}

/* fhir/record.h: an active list is bounded, every string set; a refused one holds nothing. */
static void
record_rows(const struct record_list *l)
{
	FUZZ_CHECK(l->n <= RECORD_ACTIVE_MAX);
	for (size_t i = 0; i < l->n; i++) {
		const struct record_entry *e = &l->items[i];

		FUZZ_CHECK(e->resource && e->what && e->detail && e->code && e->when);
	}
}

/* fhir/medication.h: the form's batch-response; whatever is read names this patient only. */
static void
medications(const cJSON *r)
{
	struct medication_chart c;
	char *cause = NULL;

	if (medication_chart_read(r, ID, "clinician", &c, &cause) != 0) {
		FUZZ_CHECK(cause != NULL && c.meds.n == 0 && c.allergies.n == 0);
		free(cause);
		return;
	}
	record_rows(&c.meds);
	record_rows(&c.allergies);
	FUZZ_CHECK(c.visit == NULL || fhir_valid_id(c.visit));
	FUZZ_CHECK(c.last.list == NULL || (c.last.date != NULL && c.last.encounter != NULL));
	for (size_t i = 0; i < c.meds.n; i++)
		(void)medication_allergy_match(c.meds.items[i].code, c.meds.items[i].what, &c.allergies);
	medication_chart_clear(&c);
}

/* A searchset as every pane's page, and as the active orders. */
static void
pages(const cJSON *r)
{
	struct chart_list l;
	struct record_list orders;
	char *cause = NULL;

	for (int p = 0; p < CHART_PANES; p++) {
		chart_page_read((enum chart_pane)p, r, ID, &l);
		chart_rows(&l, CHART_ITEMS_MAX);
		chart_list_clear(&l);
	}
	if (record_list_read(RECORD_MEDICATION, r, ID, &orders, &cause) == 0) {
		record_rows(&orders);
		record_list_clear(&orders);
	} else {
		FUZZ_CHECK(cause != NULL && orders.n == 0);
		free(cause);
	}
}

/* A code a trend can search by: "system|code", printable, nothing a search list splits on. */
static void
check_code(const char *code)
{
	const char *bar = strchr(code, '|');
	struct fhir_search *s;

	FUZZ_CHECK(code[0] == '\0' || (bar != NULL && bar != code && bar[1] != '\0'));
	for (const char *c = code; *c; c++)
		FUZZ_CHECK(*c > ' ' && *c < 0x7f && *c != ',' && *c != '\\' && *c != '$');
	s = labs_trend_search(ID, code);
	FUZZ_CHECK((s != NULL) == (code[0] != '\0'));
	fhir_search_free(&s);
}

/* fhir/labs.h: a page is bounded, a refused or failed one holds nothing; its next page is a date bound. */
static void
labs_list(const cJSON *r)
{
	struct labs_page p;

	labs_page_read(r, ID, &p);
	FUZZ_CHECK(p.state == CHART_PANE_LOADED || (p.n == 0 && p.failure != NULL && p.next == NULL));
	FUZZ_CHECK(p.n <= LABS_PAGE_REPORTS * (1 + LABS_REPORT_RESULTS_MAX) + LABS_PAGE_RESULTS);
	for (size_t i = 0; i < p.n; i++) {
		const struct labs_row *row = &p.rows[i];
		const struct chart_item *it = &row->item;

		FUZZ_CHECK(it->what && it->value && it->date && it->flag && it->detail && it->status &&
		    it->id && row->code);
		/* A result of a panel comes under its panel. */
		FUZZ_CHECK(row->kind != LABS_RESULT || (i > 0 && p.rows[i - 1].kind != LABS_SINGLE));
		FUZZ_CHECK(row->kind != LABS_PANEL || row->code[0] == '\0');
		check_code(row->code);
	}
	if (p.next != NULL) {
		cJSON *batch;

		FUZZ_CHECK(strncmp(p.next, "le", 2) == 0 || strncmp(p.next, "lt", 2) == 0);
		FUZZ_CHECK(strspn(p.next + 2, "0123456789-:T.Z+") == strlen(p.next + 2));
		batch = labs_page_batch(fc, ID, p.next);
		FUZZ_CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(batch, "entry")) == 2);
		cJSON_Delete(batch);
	}
	labs_page_clear(&p);
}

/* Columns of UTF-8 text, one a character: what ui_plot draws is one column each. */
static size_t
columns(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* fhir/labs.h and ui/plot.h: a trend is of real dates, oldest first; its plot fits and is ASCII when asked. */
static void
trend(const cJSON *r, unsigned width)
{
	struct labs_trend t;
	struct ui_plot_point *pts;

	labs_trend_read(r, ID, HBA1C, &t);
	FUZZ_CHECK(t.state == CHART_PANE_LOADED || (t.n == 0 && t.failure != NULL));
	FUZZ_CHECK(t.n <= LABS_TREND_MAX);
	pts = xcalloc(t.n + 1, sizeof *pts);
	for (size_t i = 0; i < t.n; i++) {
		const struct labs_value *v = &t.v[i];

		FUZZ_CHECK(isfinite(v->value) && v->label != NULL && v->label[0] != '\0');
		FUZZ_CHECK(strlen(v->date) == 10 && v->date[4] == '-' && v->date[7] == '-');
		FUZZ_CHECK(i == 0 || strcmp(t.v[i - 1].date, v->date) <= 0);
		FUZZ_CHECK(v->flag != NULL && v->range != NULL);
		pts[i] = (struct ui_plot_point){ v->value, v->label, v->date };
	}
	for (int cs = 0; cs < 2; cs++) {
		struct ui_lines lines = { 0 };
		int w = 20 + (int)(width % 101);
		size_t drawn = ui_plot(pts, t.n, w, 3 + (int)(width % 7), cs ? UI_PLOT_UTF8 : UI_PLOT_ASCII,
		    &lines);

		FUZZ_CHECK(drawn <= t.n && (t.n == 0) == (drawn == 0) && (drawn == 0) == (lines.n == 0));
		for (size_t i = 0; i < lines.n; i++) {
			FUZZ_CHECK(columns(lines.v[i]) <= (size_t)w);
			for (const char *c = lines.v[i]; !cs && *c; c++)
				FUZZ_CHECK(*c >= 0x20 && *c < 0x7f);
		}
		ui_lines_clear(&lines);
	}
	free(pts);
	labs_trend_clear(&t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *j;

	if (size < 1)
		return 0;
	j = cJSON_ParseWithLength((const char *)data + 1, size - 1);
	if (j == NULL)
		return 0;
	switch (data[0] % 4) {
	case 0:
		cover(j);
		medications(j);
		break;
	case 1:
		pages(j);
		break;
	case 2:
		labs_list(j);
		break;
	default:
		trend(j, data[0] / 4);
		break;
	}
	cJSON_Delete(j);
	return 0;
}
