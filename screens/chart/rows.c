/* A full list of the chart's, with one row's details or a trend shown over it. */
#include "config.h"

#include "screens/chart/chart-private.h"
#include "util/xmalloc.h"

#include <stdio.h>

void
chart_rows_init(struct chart_rows *r, const struct ui_list_column *columns, size_t ncols,
    ui_list_need_fn need, void *owner, const char *empty)
{
	ui_list_init(&r->list, columns, ncols, need, owner);
	ui_list_set_empty_message(&r->list, empty);
	ui_pager_init(&r->pager);
	r->showing = false;
}

void
chart_rows_free(struct chart_rows *r)
{
	ui_list_free(&r->list);
	ui_pager_free(&r->pager);
}

void
chart_rows_draw(struct chart_rows *r, WINDOW *win, int top, int rows)
{
	if (r->showing)
		ui_pager_draw(&r->pager, win, top, rows, COLS);
	else
		ui_list_draw(&r->list, win, top, rows, COLS);
}

int
chart_rows_back(struct chart_rows *r)
{
	if (!r->showing)
		return APP_IGNORED;
	r->showing = false;
	return APP_REDRAW;
}

struct app_focus
chart_rows_focus(struct chart_rows *r)
{
	if (r->showing)
		return (struct app_focus){ APP_WIDGET_PAGER, &r->pager };
	return (struct app_focus){ APP_WIDGET_LIST, &r->list };
}

const char *
chart_rows_unmet(const struct chart_rows *r, const char *showing, const char *none)
{
	if (r->showing)
		return showing;
	return ui_list_selected_id(&r->list) == NULL ? none : NULL;
}

int
chart_lines_above_form(int top, int rows, int y, size_t fields)
{
	int lines = top + rows - y - 3 - (int)fields;

	return lines > 2 ? lines : 2;
}

char *
chart_read_again(struct app *app, const char *why)
{
	char key[32];

	if (!app_key_for(app, A_REFRESH, key, sizeof key))
		snprintf(key, sizeof key, "refresh");
	return xasprintf("%s; %s reads it again", why, key);
}

char *
chart_read_failed(struct app *app, const struct fhir_result *r)
{
	return chart_read_again(app, r->status == FHIR_CANCELLED ? "cancelled"
		: r->message != NULL ? r->message : "no answer came");
}
