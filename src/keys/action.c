/* The action table from keymaps/actions.def: names for bind, help lines for the help screen. */
#include "config.h"

#include <string.h>

#include "keys/keys-private.h"

struct action_info {
	const char *name;
	const char *help;
};

// clang-format off
static const struct action_info action_table[A_COUNT] = {
#define ACTION(id, name, help) [A_##id] = { name, help },
#include "../../keymaps/actions.def"
#undef ACTION
};
// clang-format on

const char *
action_name(enum action a)
{
	return (unsigned int)a < A_COUNT ? action_table[a].name : NULL;
}

const char *
action_help(enum action a)
{
	return (unsigned int)a < A_COUNT ? action_table[a].help : NULL;
}

int
action_from_name(const char *name)
{
	/* Forty names: a linear search is quicker than anything that needs setting up. */
	if (name == NULL)
		return -1;
	for (int a = 0; a < A_COUNT; a++)
		if (strcmp(action_table[a].name, name) == 0)
			return a;
	return -1;
}
