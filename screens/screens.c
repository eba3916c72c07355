/* The registry of every screen, as tmux has one table of every command. */
#include "config.h"

#include "screens/screens.h"
#include "screens/scheduling/scheduling.h"


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
	&chart_screen,
	&chart_list_screen,
	&chart_vitals_screen,
	&chart_allergy_screen,
	&chart_problem_screen,
	&chart_immunize_screen,
	&chart_meds_screen,
	&chart_note_screen,
	&chart_wrapup_screen,
	&chart_labs_screen,
	&chart_visits_screen,
	&billing_screen,
	&charges_screen,
	&posting_screen,
	&payment_screen,
	&ledger_screen,
	&claims_screen,
	&aging_screen,
	&denials_screen,
	NULL,
};

/* What each module reads once per session, behind the home screen. */
void (*const screens_ready[])(struct app *app) = {
	scheduling_ready,
	NULL,
};
