/* facts.c - the facts model: fields, operations, lookup by name. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts.h"

void fs_set(fieldset *fs, const char *name, const char *value)
{
	for (size_t i = 0; i < fs->n; i++) {
		if (strcmp(fs->v[i].name, name) == 0) {
			free(fs->v[i].value);
			fs->v[i].value = xstrdup(value);
			return;
		}
	}
	if (fs->n == fs->cap) {
		fs->cap = fs->cap ? fs->cap * 2 : 8;
		fs->v = xrealloc(fs->v, fs->cap * sizeof(*fs->v));
	}
	fs->v[fs->n].name = xstrdup(name);
	fs->v[fs->n].value = xstrdup(value);
	fs->n++;
}

void fs_setf(fieldset *fs, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		diex(78, "out of memory");
	va_end(ap);
	fs_set(fs, name, s);
	free(s);
}

const char *fs_get(const fieldset *fs, const char *name)
{
	for (size_t i = 0; i < fs->n; i++)
		if (strcmp(fs->v[i].name, name) == 0)
			return fs->v[i].value;
	return NULL;
}

void fs_clear(fieldset *fs)
{
	for (size_t i = 0; i < fs->n; i++) {
		free(fs->v[i].name);
		free(fs->v[i].value);
	}
	free(fs->v);
	*fs = (fieldset){0};
}

operation *facts_add_op(facts *fx, const char *kind)
{
	if (fx->n_ops == fx->cap_ops) {
		fx->cap_ops = fx->cap_ops ? fx->cap_ops * 2 : 4;
		fx->ops = xrealloc(fx->ops, fx->cap_ops * sizeof(*fx->ops));
	}
	operation *op = &fx->ops[fx->n_ops++];
	*op = (operation){.kind = xstrdup(kind)};
	return op;
}

void facts_free(facts *fx)
{
	for (size_t i = 0; i < fx->n_ops; i++) {
		free(fx->ops[i].kind);
		fs_clear(&fx->ops[i].f);
	}
	free(fx->ops);
	free(fx->environment);
	free(fx->colour);
	fs_clear(&fx->target);
	sv_clear(&fx->notes);
	sv_clear(&fx->exec_argv);
	sv_clear(&fx->exec_env);
	*fx = (facts){0};
}

const char *facts_lookup(const facts *fx, const operation *op, const char *name)
{
	if (strcmp(name, "environment") == 0)
		return fx->environment;
	if (strcmp(name, "tool") == 0)
		return fx->tool;
	if (strcmp(name, "kind") == 0 && op)
		return op->kind;
	if (str_starts(name, "target."))
		return fs_get(&fx->target, name + 7);
	const char *v = op ? fs_get(&op->f, name) : NULL;
	return v ? v : fs_get(&fx->target, name);
}
