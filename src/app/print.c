/* Printing: the screen's text to the print helper forked before confinement. */
#include "config.h"

#include "app/app-private.h"
#include "confine/printer.h"

#include <stdlib.h>

int
app_print(struct app *app, const char *text, size_t len)
{
	char *cause = NULL;

	if (app->config->printer == NULL || app->profile == NULL) {
		app_error(app, "Printing is not available: the print helper did not start");
		return -1;
	}
	if (printer_print(app->config->printer, app->profile->name, text, len, &cause) != 0) {
		app_error(app, "Not printed: %s", cause);
		free(cause);
		return -1;
	}
	return 0;
}
