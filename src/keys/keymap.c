/* Keymaps: the bind/unbind file parser, the built-in keymaps, lookups and the help listing. */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keys/keys-private.h"
#include "util/file.h"
#include "util/xmalloc.h"

struct keys_binding {
	int key;
	enum action action;
	unsigned int seq; /* when it was bound, for listing keys in the order written */
};

/* One context's bindings, sorted by key for a binary search on every key press. */
struct keys_context {
	char *name;
	struct keys_binding *b;
	size_t n, cap;
};

struct keymap {
	struct keys_context *ctx;
	size_t nctx;
	size_t nbindings; /* in all contexts, against KEYS_BINDINGS_MAX */
	unsigned int seq; /* the next binding's seq */
	bool open;        /* keys_keymap_new_open(): bind adds unknown contexts */
	bool (*has)(int key); /* the terminal's keys; NULL: all of them */
};

struct keys_parser {
	struct keymap *km;
	const char *name;
	unsigned int line;
	char **cause;
};

/*
 * Keys that terminals send differently for one key on the keyboard: Return is ^M or
 * ^J (the tty's nl mode), the keypad's Enter is KEY_ENTER in application mode, and
 * Backspace is ^? when the terminfo entry says ^H. Each falls back to the first.
 */
// clang-format off
static const struct {
	int key, same_as;
} keys_fallback[] = {
	{ '\n', '\r' },
	{ KEY_FN(KEY_ENTER), '\r' },
	{ 0x7f, KEY_FN(KEY_BACKSPACE) },
};
// clang-format on

static int keys_error(struct keys_parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Set *cause to "NAME:LINE: message" and return -1. */
static int
keys_error(struct keys_parser *p, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	*p->cause = xasprintf("%s:%u: %s", p->name, p->line, msg != NULL ? msg : "out of memory");
	free(msg);
	return -1;
}

bool
keys_context_name_ok(const char *s)
{
	size_t n;

	if (s == NULL)
		return false;
	n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");
	return n > 0 && n <= KEYS_CONTEXT_NAME_MAX && s[n] == '\0';
}

static struct keys_context *
keys_context_find(const struct keymap *km, const char *name)
{
	if (km == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < km->nctx; i++)
		if (strcmp(km->ctx[i].name, name) == 0)
			return &km->ctx[i];
	return NULL;
}

static void
keys_context_add(struct keymap *km, const char *name)
{
	km->ctx = xreallocarray(km->ctx, km->nctx + 1, sizeof *km->ctx);
	km->ctx[km->nctx++] = (struct keys_context){.name = xstrdup(name)};
}

struct keymap *
keymap_new(const char *const *contexts)
{
	struct keymap *km = xcalloc(1, sizeof *km);

	for (size_t i = 0; contexts != NULL && contexts[i] != NULL; i++) {
		if (km->nctx == KEYS_CONTEXTS_MAX)
			break;
		if (keys_context_name_ok(contexts[i]) && keys_context_find(km, contexts[i]) == NULL)
			keys_context_add(km, contexts[i]);
	}
	return km;
}

struct keymap *
keys_keymap_new_open(void)
{
	struct keymap *km = keymap_new(NULL);

	km->open = true;
	return km;
}

size_t
keys_keymap_ncontexts(const struct keymap *km)
{
	return km != NULL ? km->nctx : 0;
}

const char *
keys_keymap_context(const struct keymap *km, size_t i)
{
	return km != NULL && i < km->nctx ? km->ctx[i].name : NULL;
}

/* Free what KM holds, not KM itself. */
static void
keys_keymap_clear(struct keymap *km)
{
	for (size_t i = 0; i < km->nctx; i++) {
		free(km->ctx[i].name);
		free(km->ctx[i].b);
	}
	free(km->ctx);
	km->ctx = NULL;
	km->nctx = 0;
	km->nbindings = 0;
}

void
keymap_free(struct keymap **kmp)
{
	if (kmp == NULL || *kmp == NULL)
		return;
	keys_keymap_clear(*kmp);
	free(*kmp);
	*kmp = NULL;
}

/* A deep copy of KM, to load a file into and keep only when all of it is good. */
static struct keymap *
keys_keymap_copy(const struct keymap *km)
{
	struct keymap *copy = xmalloc(sizeof *copy);

	*copy = *km;
	copy->ctx = xreallocarray(NULL, km->nctx ? km->nctx : 1, sizeof *copy->ctx);
	for (size_t i = 0; i < km->nctx; i++) {
		const struct keys_context *from = &km->ctx[i];
		struct keys_context *to = &copy->ctx[i];

		to->name = xstrdup(from->name);
		to->n = to->cap = from->n;
		to->b = from->n ? xreallocarray(NULL, from->n, sizeof *to->b) : NULL;
		if (from->n)
			memcpy(to->b, from->b, from->n * sizeof *to->b);
	}
	return copy;
}

/* Put what COPY holds into KM and free COPY. */
static void
keys_keymap_take(struct keymap *km, struct keymap *copy)
{
	keys_keymap_clear(km);
	*km = *copy;
	free(copy);
}

/* Where KEY is in CTX, or where it would go: the first binding with a key >= KEY. */
static size_t
keys_context_slot(const struct keys_context *ctx, int key)
{
	size_t lo = 0, hi = ctx->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ctx->b[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct keys_binding *
keys_context_get(const struct keys_context *ctx, int key)
{
	size_t i = keys_context_slot(ctx, key);

	return i < ctx->n && ctx->b[i].key == key ? &ctx->b[i] : NULL;
}

/* KEY's binding in CTX, or the binding of the key it stands for (keys_fallback). */
static const struct keys_binding *
keys_context_lookup(const struct keys_context *ctx, int key)
{
	const struct keys_binding *b = keys_context_get(ctx, key);

	for (size_t i = 0; b == NULL && i < sizeof keys_fallback / sizeof keys_fallback[0]; i++)
		if (keys_fallback[i].key == key)
			b = keys_context_get(ctx, keys_fallback[i].same_as);
	return b;
}

static int
keys_bind(struct keys_parser *p, struct keys_context *ctx, int key, enum action a)
{
	struct keymap *km = p->km;
	size_t i = keys_context_slot(ctx, key);

	if (i < ctx->n && ctx->b[i].key == key) {
		ctx->b[i].action = a;
		ctx->b[i].seq = km->seq++;
		return 0;
	}
	if (km->nbindings == KEYS_BINDINGS_MAX)
		return keys_error(p, "more than %d bindings", KEYS_BINDINGS_MAX);
	if (ctx->n == ctx->cap) {
		ctx->cap = ctx->cap ? ctx->cap * 2 : 16;
		ctx->b = xreallocarray(ctx->b, ctx->cap, sizeof *ctx->b);
	}
	memmove(&ctx->b[i + 1], &ctx->b[i], (ctx->n - i) * sizeof *ctx->b);
	ctx->b[i] = (struct keys_binding){.key = key, .action = a, .seq = km->seq++};
	ctx->n++;
	km->nbindings++;
	return 0;
}

static void
keys_unbind(struct keymap *km, struct keys_context *ctx, int key)
{
	size_t i = keys_context_slot(ctx, key);

	/* Unbinding a key that is not bound is no error: the user's file may do it twice. */
	if (i == ctx->n || ctx->b[i].key != key)
		return;
	memmove(&ctx->b[i], &ctx->b[i + 1], (ctx->n - i - 1) * sizeof *ctx->b);
	ctx->n--;
	km->nbindings--;
}

/* The context named WORD, or NULL with the error reported. */
static struct keys_context *
keys_parse_context(struct keys_parser *p, const char *word)
{
	struct keys_context *ctx = keys_context_find(p->km, word);
	char *q, *list, *next;

	if (ctx != NULL)
		return ctx;
	if (p->km->open && keys_context_name_ok(word) && p->km->nctx < KEYS_CONTEXTS_MAX) {
		keys_context_add(p->km, word);
		return &p->km->ctx[p->km->nctx - 1];
	}
	list = xstrdup("");
	for (size_t i = 0; i < p->km->nctx; i++) {
		next = xasprintf("%s%s%s", list, i ? ", " : "", p->km->ctx[i].name);
		free(list);
		list = next;
	}
	q = keys_quote(word, strlen(word));
	keys_error(p, "unknown context '%s'; the contexts are: %s", q, *list ? list : "none");
	free(q);
	free(list);
	return NULL;
}

static bool
keys_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* One line, NUL-terminated, without its newline. */
static int
keys_parse_line(struct keys_parser *p, char *line)
{
	char *word[5] = {NULL}, *q, *why = NULL;
	size_t nwords = 0, n = strlen(line);
	struct keys_context *ctx;
	int key, a;

	/* A file written on Windows ends its lines with \r\n. */
	if (n > 0 && line[n - 1] == '\r')
		line[--n] = '\0';
	for (const char *c = line; *c != '\0'; c++)
		if (((unsigned char)*c < 0x20 && *c != '\t') || *c == 0x7f)
			return keys_error(
			    p, "control character 0x%02x in the line", (unsigned char)*c);
	while (keys_is_blank(*line))
		line++;
	if (*line == '\0' || *line == '#')
		return 0;
	while (*line != '\0' && nwords < sizeof word / sizeof word[0]) {
		word[nwords++] = line;
		line += strcspn(line, " \t");
		if (*line != '\0')
			*line++ = '\0';
		while (keys_is_blank(*line))
			line++;
	}
	if (*line != '\0')
		nwords++; /* still too many; only the count matters now */

	if (strcmp(word[0], "bind") == 0) {
		if (nwords != 4)
			return keys_error(p, "bind takes a context, a key and an action: bind "
			                     "CONTEXT KEY ACTION");
	} else if (strcmp(word[0], "unbind") == 0) {
		if (nwords != 3)
			return keys_error(
			    p, "unbind takes a context and a key: unbind CONTEXT KEY");
	} else {
		q = keys_quote(word[0], strlen(word[0]));
		keys_error(
		    p, "unknown command '%s'; a line is bind, unbind, a # comment or blank", q);
		free(q);
		return -1;
	}
	if ((ctx = keys_parse_context(p, word[1])) == NULL)
		return -1;
	if (key_parse(word[2], &key, &why) != 0) {
		keys_error(p, "%s", why);
		free(why);
		return -1;
	}
	if (nwords == 3) {
		keys_unbind(p->km, ctx, key);
		return 0;
	}
	if ((a = action_from_name(word[3])) == -1) {
		q = keys_quote(word[3], strlen(word[3]));
		keys_error(p, "unknown action '%s'; ehrterm-keys(5) lists them", q);
		free(q);
		return -1;
	}
	return keys_bind(p, ctx, key, (enum action)a);
}

/* Add the lines of TEXT to KM as they come; on error KM holds a part of them. */
static int
keys_apply(struct keymap *km, const char *text, size_t len, const char *name, char **cause)
{
	struct keys_parser p = {.km = km, .name = name, .cause = cause};
	char buf[KEYS_LINE_MAX + 2]; /* the line, a \r and a NUL */
	size_t pos = 0, n;
	const char *nl;

	if (text == NULL && len != 0) {
		*cause = xasprintf("%s: no text to read", name);
		return -1;
	}
	if (len > KEYS_FILE_MAX) {
		*cause = xasprintf("%s: the file is larger than %d bytes", name, KEYS_FILE_MAX);
		return -1;
	}
	/* Windows editors start UTF-8 files with a byte order mark; it is not text. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len) {
		p.line++;
		nl = memchr(text + pos, '\n', len - pos);
		n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		/* The \r of a \r\n line end does not count against the limit. */
		if (n > (size_t)KEYS_LINE_MAX + (n > 0 && text[pos + n - 1] == '\r'))
			return keys_error(&p, "the line is longer than %d bytes", KEYS_LINE_MAX);
		if (memchr(text + pos, '\0', n) != NULL)
			return keys_error(&p, "the line contains a NUL byte");
		memcpy(buf, text + pos, n);
		buf[n] = '\0';
		if (keys_parse_line(&p, buf) != 0)
			return -1;
		pos += n + (nl != NULL);
	}
	return 0;
}

int
keymap_load_text(struct keymap *km, const char *text, size_t len, const char *name, char **cause)
{
	struct keymap *copy;

	if (name == NULL)
		name = "keymap";
	if (km == NULL) {
		*cause = xasprintf("%s: no keymap to load into", name);
		return -1;
	}
	copy = keys_keymap_copy(km);
	if (keys_apply(copy, text, len, name, cause) != 0) {
		keymap_free(&copy);
		return -1;
	}
	keys_keymap_take(km, copy);
	return 0;
}

const struct keys_builtin *
keys_builtin_find(const char *name)
{
	for (const struct keys_builtin *b = keys_builtins; name != NULL && b->name != NULL; b++)
		if (strcmp(b->name, name) == 0)
			return b;
	return NULL;
}

int
keymap_load_builtin(struct keymap *km, const char *name, char **cause)
{
	const struct keys_builtin *want = keys_builtin_find(name),
	                          *base = keys_builtin_find("default");
	struct keymap *copy;
	char *list, *next, *q, *label;
	int rc;

	if (want == NULL) {
		list = xstrdup("");
		for (const struct keys_builtin *b = keys_builtins; b->name != NULL; b++) {
			next = xasprintf("%s%s%s", list, b == keys_builtins ? "" : ", ", b->name);
			free(list);
			list = next;
		}
		q = keys_quote(name != NULL ? name : "", name != NULL ? strlen(name) : 0);
		*cause = xasprintf("there is no built-in keymap '%s'; there are: %s", q, list);
		free(q);
		free(list);
		return -1;
	}
	if (km == NULL) {
		*cause = xstrdup("no keymap to load into");
		return -1;
	}
	/* Both files or neither: a keymap half vi is worse than the default. */
	copy = keys_keymap_copy(km);
	rc = 0;
	for (int pass = want == base || base == NULL ? 1 : 0; rc == 0 && pass < 2; pass++) {
		const struct keys_builtin *b = pass == 0 ? base : want;

		label = xasprintf("keymaps/%s.keys", b->name);
		rc = keys_apply(copy, b->text, strlen(b->text), label, cause);
		free(label);
	}
	if (rc != 0) {
		keymap_free(&copy);
		return -1;
	}
	keys_keymap_take(km, copy);
	return 0;
}

// clang-format off
/* Whoever can change the keymap can make a key do what the user did not mean. */
static const struct file_policy keymap_policy = {
	.what = "keymap file", .flags = FILE_ROOT_OK | FILE_LINK_OK, .chmod = "600",
};
// clang-format on

int
keymap_load_file(struct keymap *km, const char *path, char **cause)
{
	char *buf;
	size_t len;
	int rc;

	if (file_read(path, &keymap_policy, KEYS_FILE_MAX, &buf, &len, cause) != 0)
		return -1;
	/* keymap_load_text refuses more than KEYS_FILE_MAX bytes, so the extra byte shows. */
	rc = keymap_load_text(km, buf, len, path, cause);
	free(buf);
	return rc;
}

enum action
keymap_lookup(const struct keymap *km, const char *context, int key)
{
	const struct keys_context *ctx = keys_context_find(km, context);
	const struct keys_binding *b = ctx != NULL ? keys_context_lookup(ctx, key) : NULL;

	return b != NULL ? b->action : A_NONE;
}

enum action
keymap_lookup_chain(const struct keymap *km, const char *const *contexts, size_t n, int key)
{
	for (size_t i = 0; contexts != NULL && i < n; i++) {
		const struct keys_context *ctx = keys_context_find(km, contexts[i]);
		const struct keys_binding *b = ctx != NULL ? keys_context_lookup(ctx, key) : NULL;

		if (b != NULL)
			return b->action;
	}
	return A_NONE;
}

static int
keys_by_action_then_seq(const void *va, const void *vb)
{
	const struct keys_binding *a = va, *b = vb;

	if (a->action != b->action)
		return a->action < b->action ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

bool
keymap_binds(const struct keymap *km, int key)
{
	for (size_t i = 0; km != NULL && i < km->nctx; i++) {
		const struct keys_binding *b = keys_context_lookup(&km->ctx[i], key);

		if (b != NULL && b->action != A_NONE)
			return true;
	}
	return false;
}

void
keymap_set_terminal(struct keymap *km, bool (*has)(int key))
{
	if (km != NULL)
		km->has = has;
}

static bool
keys_here(const struct keymap *km, int key)
{
	return km->has == NULL || km->has(key);
}

/* The global key bound to function-key that this terminal has, or 0. */
static int
keys_prefix(const struct keymap *km)
{
	const struct keys_context *g = keys_context_find(km, "global");

	for (size_t i = 0; g != NULL && i < g->n; i++)
		if (g->b[i].action == A_FUNCTION_KEY && keys_here(km, g->b[i].key))
			return g->b[i].key;
	return 0;
}

/* The name KEY goes by on this terminal: a function key it lacks is the prefix and a
 * digit ("^K 7") when a prefix is bound. *REACHABLE: the terminal can send it so. */
static char *
keys_name_here(const struct keymap *km, int key, int prefix, bool *reachable)
{
	int fn = key - KEY_FN(KEY_F0);
	char *name, *out;

	*reachable = keys_here(km, key);
	if (*reachable || fn < 1 || fn > 10 || prefix == 0)
		return key_to_name(key);
	*reachable = true;
	name = key_to_name(prefix);
	out = xasprintf("%s %d", name, fn % 10);
	free(name);
	return out;
}

/* Join the names of the N keys of B by ", ", in the order bound, except that keys this
 * terminal cannot send come last; the caller frees the result. */
static char *
keys_join(const struct keymap *km, const struct keys_binding *b, size_t n)
{
	char **names = xreallocarray(NULL, n, sizeof *names), *out, *w;
	bool *reachable = xreallocarray(NULL, n, sizeof *reachable);
	int prefix = keys_prefix(km);
	size_t len = 0, k = 0;

	for (size_t i = 0; i < n; i++) {
		names[i] = keys_name_here(km, b[i].key, prefix, &reachable[i]);
		len += strlen(names[i]) + 2;
	}
	w = out = xmalloc(len + 1);
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			size_t l;

			if (reachable[i] != (pass == 0))
				continue;
			if (k++ > 0) {
				memcpy(w, ", ", 2);
				w += 2;
			}
			l = strlen(names[i]);
			memcpy(w, names[i], l);
			w += l;
			free(names[i]);
		}
	*w = '\0';
	free(names);
	free(reachable);
	return out;
}

void
keymap_each_binding(const struct keymap *km, const char *const *contexts, size_t n,
    void (*fn)(void *arg, const char *context, const char *keys, enum action a), void *arg)
{
	const struct keys_context **seen;
	bool listed[A_COUNT] = {false};
	struct keys_binding *live;
	size_t nseen = 0;

	if (km == NULL || contexts == NULL || fn == NULL)
		return;
	seen = xreallocarray(NULL, n ? n : 1, sizeof *seen);
	live = xreallocarray(NULL, km->nbindings ? km->nbindings : 1, sizeof *live);
	for (size_t i = 0; i < n; i++) {
		const struct keys_context *ctx = keys_context_find(km, contexts[i]);
		size_t nlive = 0, j, k;

		/* The dispatcher may pass a context twice (a screen that is its own widget). */
		for (j = 0; ctx != NULL && j < nseen; j++)
			if (seen[j] == ctx)
				ctx = NULL;
		if (ctx == NULL)
			continue;
		/* The keys that reach this context: no earlier one binds them. */
		for (j = 0; j < ctx->n; j++) {
			const struct keys_binding *b = &ctx->b[j];

			if (b->action == A_NONE || listed[b->action])
				continue;
			for (k = 0; k < nseen; k++)
				if (keys_context_lookup(seen[k], b->key) != NULL)
					break;
			if (k == nseen)
				live[nlive++] = *b;
		}
		seen[nseen++] = ctx;
		qsort(live, nlive, sizeof *live, keys_by_action_then_seq);
		for (j = 0; j < nlive; j = k) {
			char *keys;

			for (k = j; k < nlive && live[k].action == live[j].action; k++)
				continue;
			keys = keys_join(km, &live[j], k - j);
			fn(arg, ctx->name, keys, live[j].action);
			free(keys);
			listed[live[j].action] = true;
		}
	}
	free(live);
	free(seen);
}
