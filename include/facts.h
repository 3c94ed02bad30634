/* facts.h - what an analyser found out about one invocation.
 *
 * An analyser fills a facts struct (the target and a list of operations);
 * decide.c matches rules against it. Analysers never decide; the decision
 * never parses. Operation kinds and field names are the rule authors'
 * reference and are listed in interlock(5). All strings are owned by the
 * facts struct. */
#ifndef INTERLOCK_FACTS_H
#define INTERLOCK_FACTS_H

#include <stddef.h>

#include "util.h"

typedef struct {
	char *name;  /* owned */
	char *value; /* owned */
} field;

typedef struct {
	field *v; /* owned */
	size_t n, cap;
} fieldset;

/* Sets name to value, replacing an earlier value of the same name. */
void fs_set(fieldset *fs, const char *name, const char *value);
PRINTF(3, 4) void fs_setf(fieldset *fs, const char *name, const char *fmt, ...);
const char *fs_get(const fieldset *fs, const char *name);
void fs_clear(fieldset *fs);

typedef struct {
	char *kind; /* owned: "remove", "statement", "command", ... */
	fieldset f; /* the operation's fields */
} operation;

typedef struct {
	const char *tool;  /* static string: "rm", "psql", ... */
	char *environment; /* owned: the target's environment name */
	char *colour;      /* owned: that environment's colour */
	int env_rank;      /* rank of the environment, -1 while unknown */
	fieldset target;   /* host, database, workspace, paths, cwd, ... */
	operation *ops;    /* owned */
	size_t n_ops, cap_ops;
	strvec notes;     /* lines for the banner: what will be lost */
	strvec exec_argv; /* when set, what runs instead of the argv typed
	                     (e.g. terraform apply of the plan that was
	                     shown); its argv[0] is still the tool's name */
	strvec exec_env;  /* "NAME=value" set in the tool's environment */
	int exec_stdin;   /* > 0: becomes the tool's stdin (a spool file
	                     holding exactly the bytes interlock read) */
} facts;

/* Appends an operation of this kind and returns it for its fields. */
operation *facts_add_op(facts *fx, const char *kind);
void facts_free(facts *fx);

/* Looks a placeholder or condition name up: "target.X" names a target
 * field, "environment"/"tool" the target's; any other name is first the
 * operation's field, then the target's. op may be NULL. */
const char *facts_lookup(const facts *fx, const operation *op, const char *name);

#endif
