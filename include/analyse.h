/* analyse.h - one analyser per tool turns an invocation into facts.
 * Analysers never decide. */
#ifndef INTERLOCK_ANALYSE_H
#define INTERLOCK_ANALYSE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "facts.h"

typedef struct {
	const char *tool; /* canonical tool name: "rm", "psql", ... */
	int argc;
	char *const *argv; /* argv[0] is the tool as invoked */
	char *const *envp; /* the environment the tool would get */
	const char *cwd;   /* absolute working directory */
	const config *cfg;
	const char *real_tool; /* path of the real binary, NULL if not found */
	bool dry;              /* check / rules test: run nothing that changes
	                          anything (read-only helpers such as
	                          `terraform show -json` are allowed) */
	bool write;            /* run --write: unlock writes in a production
	                          psql session (after typed confirmation) */
	int stdin_fd;          /* the tool's stdin: what psql would read */
	bool hermetic;         /* a rule example: read no psqlrc or other
	                          per-machine input */
	bool wrapped_env;      /* envp is this process's environment with
	                          pg_wrapper's changes (pg_wrapper.h) */
} invocation;

const char *inv_getenv(const invocation *inv, const char *name);

/* Fills fx. false (with "what went wrong" in err) only when the invocation
 * could not be analysed at all; such a failure is fail-closed by the
 * caller. */
bool analyse(const invocation *inv, facts *fx, char *err, size_t errlen);

bool analyse_rm(const invocation *inv, facts *fx, char *err, size_t errlen);
bool analyse_terraform(const invocation *inv, facts *fx, char *err, size_t errlen);
bool analyse_psql(const invocation *inv, facts *fx, char *err, size_t errlen);
bool analyse_pg_restore(const invocation *inv, facts *fx, char *err, size_t errlen);

#endif
