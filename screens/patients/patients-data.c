/* The patients module's data side: FHIR answers to list rows, and the batch that opens a patient. */
#include "config.h"

#include "screens/patients/patients-private.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// clang-format off
const struct ui_list_column patients_columns[COL_COUNT] = {
	[COL_NAME]  = { "Name", 0, 3 },
	[COL_SEX]   = { "Sex", 3, 0 },
	[COL_BORN]  = { "Born", 10, 0 },
	[COL_AGE]   = { "Age", 3, 0 },
	[COL_MRN]   = { "MRN", 0, 2 },
	[COL_PHONE] = { "Phone", 12, 0 },
};

// clang-format on

struct ui_list_page *
patients_page(const cJSON *bundle, const struct patient_query *q, const struct date *today,
    size_t *kept, size_t *seen)
{
	struct ui_list_page *pg = ui_list_page_new(COL_COUNT);
	struct patient_view *views;

	*kept = patient_page_read(bundle, q, &views, seen);
	for (size_t i = 0; i < *kept; i++) {
		struct patient_view *v = &views[i];
		char sex[2], age[12];
		const char *cells[COL_COUNT];
		int years = patient_view_age(v, today);

		sex[0] = v->sex;
		sex[1] = '\0';
		if (years >= 0)
			snprintf(age, sizeof age, "%d", years);
		else
			age[0] = '\0';
		cells[COL_NAME] = v->name;
		cells[COL_SEX] = sex;
		cells[COL_BORN] = v->birth_date;
		cells[COL_AGE] = age;
		cells[COL_MRN] = *v->mrn ? v->mrn : "-";
		cells[COL_PHONE] = v->phone;
		/* A Patient without a usable id cannot be opened: show it, but it leads nowhere. */
		ui_list_page_add(pg, fhir_valid_id(v->id) ? v->id : "", cells);
		patient_view_clear(v);
	}
	free(views);
	return pg;
}

char *
patients_outcome(const struct fhir_result *r, const char *what)
{
	const char *why = r->message;

	/*
	 * One row of 80 columns after "Not registered: ", what to do next included;
	 * the server's own words, of any length, go last, where a cut loses least.
	 */
	switch (fhir_save_outcome(r)) {
	case FHIR_SAVED:
		break;
	case FHIR_NOT_SAVED:
		if (why == NULL)
			return xasprintf("%s: the server refused it; nothing changed, the form is kept",
			    what);
		return xasprintf("%s: the server refused it; nothing changed: %s", what, why);
	case FHIR_SAVE_UNKNOWN:
		return xasprintf("%s: no answer; perhaps saved: save again to check (%s)", what,
		    why ? why : "network");
	case FHIR_SAVE_CONFLICT:
		return xasprintf("%s: someone changed it first; the server's copy is read again",
		    what);
	case FHIR_SAVE_CANCELLED:
		return xasprintf("%s: cancelled before the answer; perhaps saved: save again to check",
		    what);
	}
	return xasprintf("%s: saved", what);
}
