/* longopt.c - getopt_long's reading of a command line (longopt.h), without
 * its global state and without permuting argv. */
#include <string.h>

#include "longopt.h"

typedef struct {
	const char *table;
	size_t n, stride;
} specs;

static const longopt *spec_at(const specs *t, size_t i)
{
	return (const longopt *)(const void *)(t->table + i * t->stride);
}

static const longopt *find_short(const specs *t, char c)
{
	for (size_t i = 0; i < t->n; i++)
		if (spec_at(t, i)->code == (unsigned char)c)
			return spec_at(t, i);
	return NULL;
}

/* An exact name, else a unique prefix. */
static const longopt *find_long(const specs *t, const char *name, size_t len)
{
	const longopt *found = NULL;

	for (size_t i = 0; i < t->n; i++) {
		const longopt *s = spec_at(t, i);
		if (!s->name || strncmp(s->name, name, len) != 0)
			continue;
		if (strlen(s->name) == len)
			return s;
		if (found && found->code != s->code)
			return NULL;
		found = s;
	}
	return found;
}

/* Returns how many argv entries the option used. */
static int long_option(const specs *t, int argc, char *const *argv, int i,
                       const longopt_calls *calls, void *ctx)
{
	const char *a = argv[i] + 2;
	const char *eq = strchr(a, '=');
	size_t len = eq ? (size_t)(eq - a) : strlen(a);
	const longopt *s = find_long(t, a, len);

	if (!s || (eq && s->arg == LONGOPT_NONE)) {
		calls->refused(ctx, argv[i]);
		return 1;
	}
	if (s->arg == LONGOPT_REQUIRED && !eq) {
		if (i + 1 >= argc) {
			calls->refused(ctx, argv[i]);
			return 1;
		}
		calls->option(ctx, s, argv[i + 1]);
		return 2;
	}
	calls->option(ctx, s, eq ? eq + 1 : NULL);
	return 1;
}

static int short_options(const specs *t, int argc, char *const *argv, int i,
                         const longopt_calls *calls, void *ctx)
{
	for (const char *p = argv[i] + 1; *p; p++) {
		const longopt *s = find_short(t, *p);
		if (!s) {
			char bad[3] = {'-', *p, '\0'};
			calls->refused(ctx, bad);
			continue;
		}
		if (s->arg != LONGOPT_REQUIRED) {
			calls->option(ctx, s, NULL);
			continue;
		}
		if (p[1]) {
			calls->option(ctx, s, p + 1);
			return 1;
		}
		if (i + 1 >= argc) {
			calls->refused(ctx, argv[i]);
			return 1;
		}
		calls->option(ctx, s, argv[i + 1]);
		return 2;
	}
	return 1;
}

void longopt_parse(int argc, char *const *argv, const void *table, size_t n, size_t stride,
                   bool permute, const longopt_calls *calls, void *ctx)
{
	const specs t = {.table = table, .n = n, .stride = stride};
	bool done = false;

	for (int i = 1; i < argc;) {
		const char *a = argv[i];
		if (done || a[0] != '-' || a[1] == '\0') {
			calls->operand(ctx, i);
			done = done || !permute;
			i++;
		} else if (!strcmp(a, "--")) {
			done = true;
			i++;
		} else if (a[1] == '-') {
			i += long_option(&t, argc, argv, i, calls, ctx);
		} else {
			i += short_options(&t, argc, argv, i, calls, ctx);
		}
	}
}
