/* The registry of every screen, as tmux has one table of every command. */
#include "config.h"

#include "screens/screens.h"

#include <string.h>

const struct screen_ops *const screens_all[] = {
	&home_screen,
	&help_screen,
	&patients_screen,
	&patient_screen,
	&patient_edit_screen,
	&coverage_screen,
	&schedule_screen,
	&book_screen,
	&flow_screen,
	&free_slots_screen,
	NULL,
};

const char *
screens_for_module(const char *module)
{
	/* Module screens are named after their module; "scheduling" is the "schedule" screen. */
	if (strcmp(module, "scheduling") == 0)
		return "schedule";
	if (strcmp(module, "charting") == 0)
		return "chart";
	return module;
}
