/* Fuzz target: keymap files (keymap_load_text) and key names (key_parse, key_to_name). */
#include "config.h"

#include <curses.h>
#include <stdlib.h>

#include "fuzz.h"
#include "keys/keys-private.h"
#include "keys/keys.h"

/*
 * The contexts a keymap has, as app.c makes it: the widgets', then each screen's own,
 * which are here every context the built-in keymaps bind (found in them at start, so
 * that a new screen's bindings need no change here). NULL-terminated.
 */
static const char *contexts[KEYS_CONTEXTS_MAX + 1];
static size_t ncontexts;

static void
add_context(const char *name)
{
	for (size_t i = 0; i < ncontexts; i++)
		if (strcmp(contexts[i], name) == 0)
			return;
	if (ncontexts < KEYS_CONTEXTS_MAX)
		contexts[ncontexts++] = xstrdup(name);
}

static void
find_contexts(void)
{
	static const char *const widgets[] = {
	    "global", "list", "form", "pager", "prompt", "dialog"};
	struct keymap *open = keys_keymap_new_open();
	char *cause = NULL;

	for (size_t i = 0; i < sizeof widgets / sizeof widgets[0]; i++)
		add_context(widgets[i]);
	for (const struct keys_builtin *b = keys_builtins; b->name != NULL; b++) {
		if (keymap_load_text(open, b->text, strlen(b->text), b->name, &cause) != 0) {
			fprintf(stderr, "fuzz-keymap: built-in keymap %s: %s\n", b->name, cause);
			abort();
		}
	}
	for (size_t i = 0; i < keys_keymap_ncontexts(open); i++)
		add_context(keys_keymap_context(open, i));
	keymap_free(&open);
}

/* A growing string: what keymap_each_binding lists, to compare two keymaps by. */
struct listing {
	char *buf;
	size_t len, cap;
};

static void
listing_add(void *arg, const char *context, const char *keys, enum action a)
{
	struct listing *l = arg;
	char *line = xasprintf("%s|%s|%s\n", context, keys, action_name(a));
	size_t n = strlen(line);

	FUZZ_CHECK(action_name(a) != NULL && a != A_NONE);
	if (l->len + n + 1 > l->cap) {
		while (l->len + n + 1 > l->cap)
			l->cap = l->cap ? l->cap * 2 : 1024;
		l->buf = xreallocarray(l->buf, l->cap, 1);
	}
	memcpy(l->buf + l->len, line, n + 1);
	l->len += n;
	free(line);
}

static void
ignore_binding(void *arg, const char *context, const char *keys, enum action a)
{
	(void)arg;
	FUZZ_CHECK(context != NULL && keys != NULL && keys[0] != '\0' && a != A_NONE);
}

/* Every binding of KM, context by context, as text; the caller frees it. */
static char *
keymap_listing(const struct keymap *km)
{
	struct listing l = {xstrdup(""), 0, 1};

	for (size_t i = 0; i < ncontexts; i++)
		keymap_each_binding(km, &contexts[i], 1, listing_add, &l);
	return l.buf;
}

/* The built-in default keymap's listing, which a refused file must leave as it was. */
static char *default_listing;

/* A keymap with CONTEXTS and the built-in default, as app.c makes one for a user's file. */
static struct keymap *
default_keymap(void)
{
	struct keymap *km = keymap_new(contexts);
	char *cause = NULL;

	if (keymap_load_builtin(km, "default", &cause) != 0) {
		fprintf(stderr, "fuzz-keymap: the built-in keymap does not load: %s\n", cause);
		abort();
	}
	return km;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct keymap *km;

	(void)argc;
	(void)argv;
	find_contexts();
	km = default_keymap();
	default_listing = keymap_listing(km);
	keymap_free(&km);
	return 0;
}

/* key_to_name's promise: key_parse reads the name back to the same key. */
static void
check_key_round_trip(int key)
{
	char *name = key_to_name(key), *cause = NULL;
	int back = -1;

	FUZZ_CHECK(name != NULL);
	if (strcmp(name, "(invalid key)") != 0) {
		FUZZ_CHECK(key_parse(name, &back, &cause) == 0);
		FUZZ_CHECK(back == key);
	}
	free(name);
}

/* The input read as one key name: if it parses, its canonical name parses to the same key. */
static void
fuzz_key_name(const uint8_t *data, size_t size)
{
	size_t n = 0;
	char *text, *cause = NULL;
	int key;

	while (n < size && n <= KEYS_KEY_NAME_MAX + 8 && data[n] != '\n')
		n++;
	text = fuzz_string(data, n);
	if (key_parse(text, &key, &cause) == 0)
		check_key_round_trip(key);
	else
		FUZZ_CHECK(cause != NULL);
	free(cause);
	free(text);
}

/* The first four bytes read as a key number, over the range of keys and a little past it. */
static void
fuzz_key_number(const uint8_t *data, size_t size)
{
	uint32_t v;
	int key;

	if (size < 4)
		return;
	v = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
	    (uint32_t)data[3] << 24;
	key = (int)((v & 0x7fffffff) % (KEY_FN(KEYS_FN_CODE_MAX) + 17));
	if (v & 0x80000000)
		key = KEY_META(key);
	check_key_round_trip(key);
	(void)key_is_text(key);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keymap *km;
	char *cause = NULL, *after, *again;
	int rc;

	fuzz_key_name(data, size);
	fuzz_key_number(data, size);

	/* A user's file goes on top of the built-in default, as app.c loads it. */
	km = default_keymap();
	rc = keymap_load_text(km, (const char *)data, size, "fuzz.keys", &cause);
	after = keymap_listing(km);
	if (rc != 0) {
		/* keys.h: a file is taken whole or not at all. */
		FUZZ_CHECK(cause != NULL && strncmp(cause, "fuzz.keys:", 10) == 0);
		FUZZ_CHECK(strcmp(default_listing, after) == 0);
		free(cause);
	} else {
		/*
		 * A later bind of a key wins, so a file read twice changes nothing more; only
		 * the binding limit may refuse the second reading (a key unbound and bound
		 * again counts while it is bound).
		 */
		if (keymap_load_text(km, (const char *)data, size, "fuzz.keys", &cause) == 0) {
			again = keymap_listing(km);
			FUZZ_CHECK(strcmp(after, again) == 0);
			free(again);
		} else {
			FUZZ_CHECK(strstr(cause, "bindings") != NULL);
			free(cause);
		}
	}
	for (size_t i = 0; i < ncontexts; i++) {
		(void)keymap_lookup(km, contexts[i], '\n');
		(void)keymap_lookup(km, contexts[i], 0x7f);
		(void)keymap_lookup(km, contexts[i], KEY_FN(KEY_ENTER));
	}
	(void)keymap_lookup_chain(km, contexts, ncontexts, 'q');
	/* As the help screen lists keys: a screen, its widget, then global. */
	keymap_each_binding(
	    km, (const char *const[]){"patients", "list", "global"}, 3, ignore_binding, NULL);
	free(after);
	keymap_free(&km);
	FUZZ_CHECK(km == NULL);
	return 0;
}
