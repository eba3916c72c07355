/* The generated sections of ehrterm-keys(5): the actions and the built-in keymaps, as roff. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/keys-private.h"
#include "util/roff.h"

/* One binding of a keymap_each_binding() walk: the keys, then the action and its help. */
static void
keys_man_entry(void *arg, const char *context, const char *keys, enum action a)
{
	FILE *out = arg;

	(void)context;
	/* \fB first, so a key such as '.' cannot start a control line. */
	fputs(".TP\n\\fB", out);
	roff_escape(out, keys);
	fputs("\\fR\n\\fI", out);
	roff_escape(out, action_name(a));
	fputs("\\fR \\(em ", out);
	roff_escape(out, action_help(a));
	fputs(".\n", out);
}

/*
 * The keys of built-in keymap NAME alone (vi without default), one subsection per
 * context in the order the file first names them; each title is PREFIX and the context.
 */
static void
keys_man_keymap(FILE *out, const char *name, const char *prefix)
{
	const struct keys_builtin *b = keys_builtin_find(name);
	struct keymap *km = keys_keymap_new_open();
	char *cause = NULL, label[64];

	snprintf(label, sizeof label, "keymaps/%s.keys", name);
	if (b == NULL || keymap_load_text(km, b->text, strlen(b->text), label, &cause) != 0) {
		/* The unit tests load every built-in keymap; this shows in their diff. */
		fprintf(out, ".\\\" %s cannot be read: %s\n", label, cause ? cause : "missing");
		free(cause);
		keymap_free(&km);
		return;
	}
	for (size_t i = 0; i < keys_keymap_ncontexts(km); i++) {
		const char *context = keys_keymap_context(km, i);

		fprintf(out, ".SS \"%s%s\"\n", prefix, context);
		keymap_each_binding(km, &context, 1, keys_man_entry, out);
	}
	keymap_free(&km);
}

void
keys_print_man(FILE *out)
{
	fputs(".SH ACTIONS\n"
	      ".\\\" Made by keys_print_man() from keymaps/actions.def and keymaps/*.keys;\n"
	      ".\\\" tests/unit/test_keys_man.c fails when these sections and those files differ.\n"
	      "The actions a key can be bound to, in the order the help screen lists them.\n",
	    out);
	for (int a = 0; a < A_COUNT; a++) {
		fputs(".TP\n.B ", out);
		roff_escape(out, action_name(a));
		fputc('\n', out);
		roff_escape(out, action_help(a));
		fputs(".\n", out);
	}
	fputs(".SH DEFAULT KEYS\n"
	      "The keys of the built\\-in keymap\n"
	      ".BR default ,\n"
	      "which every other keymap starts from, by context.\n",
	    out);
	keys_man_keymap(out, "default", "");
	fputs(".SH VI AND EMACS KEYS\n"
	      "The keys the built\\-in keymaps\n"
	      ".B vi\n"
	      "and\n"
	      ".B emacs\n"
	      "add to the default keys, by context.\n",
	    out);
	keys_man_keymap(out, "vi", "vi: ");
	keys_man_keymap(out, "emacs", "emacs: ");
}
