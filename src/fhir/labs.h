/* Lab results by panel and date, and one analyte's values over time: JSON in, typed rows out. */
#ifndef EHRTERM_FHIR_LABS_H
#define EHRTERM_FHIR_LABS_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "fhir/chart.h"
#include "fhir/fhir.h"

/* A page of the labs list asks for this many reports (panels) and this many results. */
#define LABS_PAGE_REPORTS 20
#define LABS_PAGE_RESULTS 50
/* Results of one report shown, whatever it lists; the rest are counted. */
#define LABS_REPORT_RESULTS_MAX 60
/* Values one trend reads: as many bars as fit 80 columns two apart. */
#define LABS_TREND_MAX 36

enum labs_kind {
	LABS_PANEL,  /* a report: its name (what), date, status; its results follow it */
	LABS_RESULT, /* one result of the panel above */
	LABS_SINGLE, /* a result in no report */
};

/* One row of the labs list: the row as the panes have it, and the analyte it measures. */
struct labs_row {
	enum labs_kind kind;
	struct chart_item item; /* a panel: what, date, status, id of the report */
	char *code;		/* "http://loinc.org|4548-4" for a trend, or "" when it has none usable */
};

struct labs_page {
	enum chart_pane_state state;
	char *failure; /* a sentence when not loaded or refused */
	struct labs_row *rows;
	size_t n;
	/* The date parameter of the next page ("le2019-06-25T04:22:04+00:00"), or NULL: the end. */
	char *next;
	size_t left_out; /* results of the page's reports not shown (beyond the bound, or absent) */
};

/*
 * One page of patient ID's labs, one batch (one round trip): the reports, newest first,
 * with _include=DiagnosticReport:result, and the results in category laboratory, newest
 * first, both before BEFORE (a page's next, NULL for the first page). The caller frees it.
 */
cJSON *labs_page_batch(const struct fhir_client *fc, const char *id, const char *before);
/*
 * Read its batch-response into OUT (zeroed first): each report a panel row followed by its
 * results, and the results in no report on their own, newest first. The page ends where
 * both searches are known to be whole (the older rest is the next page's), so a result
 * is in exactly one page. Another patient's report or result refuses the whole page.
 */
void labs_page_read(const cJSON *response, const char *id, struct labs_page *out);
void labs_page_clear(struct labs_page *p);

/* One value of a trend: the number, as shown ("5.8"), date ("2024-03-01"), flag, range. */
struct labs_value {
	double value;
	char *label, *date, *flag, *range;
};

struct labs_trend {
	enum chart_pane_state state;
	char *failure;
	char *name, *unit;	/* the analyte's words and unit, from the newest value */
	struct labs_value *v;	/* oldest first */
	size_t n;
	size_t other_units;	/* values in another unit than the newest's: not drawn */
	size_t unusable;	/* without a number or a date, entered in error, another analyte */
	long total;		/* the server's count of the analyte's values, or -1 */
};

/*
 * The search for patient ID's values of the analyte CODE ("system|code", as a row's code):
 * the newest LABS_TREND_MAX, with only the elements a trend shows. NULL when CODE is not
 * usable. The caller frees it.
 */
struct fhir_search *labs_trend_search(const char *id, const char *code);
/*
 * Read its answer into OUT (zeroed first): the values of CODE only (a server that ignored
 * the code parameter shows nothing else), at most LABS_TREND_MAX, oldest first, in the
 * newest value's unit. Another patient's value refuses the answer.
 */
void labs_trend_read(const cJSON *searchset, const char *id, const char *code,
    struct labs_trend *out);
void labs_trend_clear(struct labs_trend *t);

#endif
