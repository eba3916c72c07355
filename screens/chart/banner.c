/* The banner of a chart screen opened from the chart: the patient it was opened on. */
#include "config.h"

#include "screens/chart/chart-private.h"
#include "ui/banner.h"
#include "util/date.h"

void
chart_banner_take(struct chart_banner *b, const struct chart_list_arg *arg)
{
	b->patient = cJSON_Duplicate(arg->patient, true);
	patient_view_read(b->patient, &b->view);
	patient_allergies_copy(&b->allergies, arg->allergies);
}

void
chart_banner_clear(struct chart_banner *b)
{
	patient_view_clear(&b->view);
	patient_allergies_clear(&b->allergies);
	cJSON_Delete(b->patient);
	b->patient = NULL;
}

void
chart_banner_draw(const struct chart_banner *b, WINDOW *win, int top)
{
	struct date_time now;

	date_time_now(&now);
	ui_banner_draw(win, top, COLS, &b->view, &b->allergies, &now.date);
}
