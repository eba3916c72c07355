/* The insurance screen's widgets: the list's rows and the form's fields, from coverage views. */
#include "config.h"

#include "screens/patients/patients-private.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// clang-format off
const struct ui_list_column coverage_columns[COV_COL_COUNT] = {
	[COV_COL_ORDER]    = { "Ord", 3, 0 },
	[COV_COL_STATUS]   = { "Status", 7, 0 },
	[COV_COL_PAYER]    = { "Payer", 0, 1 },
	[COV_COL_MEMBER]   = { "Member ID", 13, 0 },
	[COV_COL_GROUP]    = { "Group", 9, 0 },
	[COV_COL_RELATION] = { "Relation", 8, 0 },
	[COV_COL_PERIOD]   = { "Period", 21, 0 },
};

/* R4 subscriber-relationship (http://hl7.org/fhir/R4/valueset-subscriber-relationship.html). */
static const struct field_code relationships[] = {
	{ "self", "Self" },
	{ "spouse", "Spouse" },
	{ "child", "Child" },
	{ "parent", "Parent" },
	{ "common", "Common law spouse" },
	{ "injured", "Injured party" },
	{ "other", "Other" },
};

const struct field_def coverage_fields[COV_F_COUNT] = {
	[COV_F_PAYER]    = { .label = "Payer", .type = FIELD_CODE, .required = true },
	[COV_F_MEMBER]   = { .label = "Member ID", .type = FIELD_TEXT, .required = true, .max_chars = 40 },
	[COV_F_GROUP]    = { .label = "Group", .type = FIELD_TEXT, .max_chars = 40 },
	[COV_F_RELATION] = { .label = "Relation to subscriber", .type = FIELD_CODE,
			     .codes = relationships,
			     .ncodes = sizeof relationships / sizeof relationships[0] },
	[COV_F_START]    = { .label = "Covered from", .type = FIELD_DATE },
	[COV_F_END]      = { .label = "Covered until", .type = FIELD_DATE },
	[COV_F_ORDER]    = { .label = "Order (1 primary)", .type = FIELD_INTEGER,
			     .min = 1, .max = COVERAGE_ORDER_MAX },
};
// clang-format on

/* --- payers ---------------------------------------------------------------------------- */

static bool
display_taken(const struct coverage_payers *p, const char *display)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->codes[i].display, display) == 0)
			return true;
	return false;
}

void
coverage_payers_add(struct coverage_payers *p, const char *reference, const char *name)
{
	struct field_code *c;
	char *display;

	if (reference == NULL || *reference == '\0')
		return;
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->codes[i].code, reference) == 0)
			return;
	if (name == NULL || *name == '\0')
		name = reference;
	/* Two payers of one name would make the name ambiguous in the form: add the id. */
	display = display_taken(p, name) ? xasprintf("%s (%s)", name, reference) : xstrdup(name);
	p->codes = xreallocarray(p->codes, p->n + 1, sizeof *p->codes);
	c = &p->codes[p->n++];
	c->code = xstrdup(reference);
	c->display = display;
}

void
coverage_payers_copy(struct coverage_payers *to, const struct coverage_payers *from)
{
	memset(to, 0, sizeof *to);
	for (size_t i = 0; i < from->n; i++) {
		to->codes = xreallocarray(to->codes, to->n + 1, sizeof *to->codes);
		to->codes[to->n].code = xstrdup(from->codes[i].code);
		to->codes[to->n].display = xstrdup(from->codes[i].display);
		to->n++;
	}
}

void
coverage_payers_free(struct coverage_payers *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free((char *)p->codes[i].code);
		free((char *)p->codes[i].display);
	}
	free(p->codes);
	memset(p, 0, sizeof *p);
}

static const char *
payers_name(const struct coverage_payers *p, const char *reference)
{
	for (size_t i = 0; p != NULL && reference != NULL && i < p->n; i++)
		if (strcmp(p->codes[i].code, reference) == 0)
			return p->codes[i].display;
	return NULL;
}

void
coverage_payers_from(struct coverage_payers *to, const struct coverage_payer_list *from)
{
	memset(to, 0, sizeof *to);
	for (size_t i = 0; i < from->n; i++)
		coverage_payers_add(to, from->items[i].reference, from->items[i].name);
}

/* The payer as the list shows it: the payer list's name, the Coverage's display, the reference. */
static const char *
payer_shown(const struct coverage_view *v, const struct coverage_payers *payers)
{
	const char *name = payers_name(payers, *v->payer_reference ? v->payer_reference : NULL);

	if (name == NULL && *v->payer_display)
		name = v->payer_display;
	if (name == NULL && *v->payer_reference)
		name = v->payer_reference;
	return name != NULL ? name : "-";
}

/* One end of the period as clerks read it (03/01/2026), or as written when it is not a day. */
static void
day_shown(const char *day, const char *written, char *buf, size_t size)
{
	struct date d;

	if (sscanf(day, "%4d-%2d-%2d", &d.year, &d.month, &d.day) == 3 && day[4] == '-' &&
	    day[7] == '-' && date_valid(&d))
		date_format_display(&d, buf, size);
	else
		snprintf(buf, size, "%.12s", written);
}

/* Characters of UTF-8 S, as columns: what a cell needs, near enough to size a column. */
static int
cell_width(const char *s)
{
	int n = 0;

	for (; s != NULL && *s != '\0'; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

struct ui_list_page *
coverage_page(const cJSON *coverages, const struct coverage_payers *payers,
    const struct date *today, struct ui_list_column *columns)
{
	struct ui_list_page *pg = ui_list_page_new(COV_COL_COUNT);
	const cJSON *c;

	/* From the header's width up to the table's, as the cells need. */
	for (size_t k = 0; columns != NULL && k < COV_COL_COUNT; k++) {
		columns[k] = coverage_columns[k];
		if (columns[k].width > 0)
			columns[k].width = cell_width(columns[k].header);
	}

	cJSON_ArrayForEach(c, coverages)
	{
		const char *cells[COV_COL_COUNT];
		char order[24], start[DATE_BUF_SIZE], end[DATE_BUF_SIZE],
		    period[2 * DATE_BUF_SIZE + 2];
		struct coverage_view v;

		coverage_view_read(c, today, &v);
		if (v.order > 0)
			snprintf(order, sizeof order, "%lld", v.order);
		else
			snprintf(order, sizeof order, "-");
		day_shown(v.start_day, v.start, start, sizeof start);
		day_shown(v.end_day, v.end, end, sizeof end);
		if (*start == '\0' && *end == '\0')
			snprintf(period, sizeof period, "-");
		else
			snprintf(period, sizeof period, "%s-%s", start, end);
		cells[COV_COL_ORDER] = order;
		cells[COV_COL_STATUS] = v.shown;
		cells[COV_COL_PAYER] = payer_shown(&v, payers);
		cells[COV_COL_MEMBER] = *v.member ? v.member : "-";
		cells[COV_COL_GROUP] = v.group;
		cells[COV_COL_RELATION] = v.relationship;
		cells[COV_COL_PERIOD] = period;
		for (size_t k = 0; columns != NULL && k < COV_COL_COUNT; k++) {
			int w = cell_width(cells[k]);

			if (columns[k].width > 0 && w > columns[k].width)
				columns[k].width = w < coverage_columns[k].width ? w : coverage_columns[k].width;
		}
		ui_list_page_add(pg, v.id, cells);
		coverage_view_clear(&v);
	}
	return pg;
}

char *
coverage_describe(const cJSON *coverage, const struct coverage_payers *payers)
{
	struct coverage_view v;
	const char *payer;
	char *out;
	struct date d = { 2000, 1, 1 };

	coverage_view_read(coverage, &d, &v);
	payer = payer_shown(&v, payers);
	if (strcmp(payer, "-") == 0)
		payer = "(no payer)";
	out = v.order > 0 ? xasprintf("%s, order %lld", payer, v.order) : xstrdup(payer);
	coverage_view_clear(&v);
	return out;
}

void
coverage_form_texts(const cJSON *c, long long next_order, char *texts[COV_F_COUNT])
{
	struct coverage_view v;
	struct date d = { 2000, 1, 1 };

	if (c == NULL) {
		for (size_t i = 0; i < COV_F_COUNT; i++)
			texts[i] = xstrdup("");
		free(texts[COV_F_RELATION]);
		texts[COV_F_RELATION] = xstrdup("self");
		free(texts[COV_F_ORDER]);
		texts[COV_F_ORDER] = xasprintf("%lld", next_order);
		return;
	}
	coverage_view_read(c, &d, &v);
	texts[COV_F_PAYER] = xstrdup(v.payer_reference);
	texts[COV_F_MEMBER] = xstrdup(v.member);
	texts[COV_F_GROUP] = xstrdup(v.group_value);
	texts[COV_F_RELATION] = xstrdup(v.relationship);
	/* A dateTime shows as its day; a partial date ("2026") as written, to be finished. */
	texts[COV_F_START] = xstrdup(*v.start_day ? v.start_day : v.start);
	texts[COV_F_END] = xstrdup(*v.end_day ? v.end_day : v.end);
	texts[COV_F_ORDER] = v.order > 0 ? xasprintf("%lld", v.order) : xstrdup("");
	coverage_view_clear(&v);
}
