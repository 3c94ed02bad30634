/* interlock.h - exit codes and small things every stage shares. */
#ifndef INTERLOCK_H
#define INTERLOCK_H

#define INTERLOCK_VERSION "0.1.0"

/* Exit codes (documented in interlock(1)). */
enum {
	/* EXIT_FAILURE (1): other failures (shims, rules test, no cwd) */
	EXIT_ALLOW = 0,     /* check: the command would run */
	EXIT_CONFIRM = 3,   /* check: a typed confirmation would be required */
	EXIT_BLOCK = 4,     /* check: the command would be blocked */
	EXIT_USAGE = 64,    /* EX_USAGE: bad command line */
	EXIT_REFUSED = 77,  /* EX_NOPERM: run/shim: blocked or not confirmed */
	EXIT_CONFIG = 78,   /* EX_CONFIG: configuration or rules unusable */
	EXIT_EXEC = 126,    /* the real tool exists but could not be started */
	EXIT_NOTFOUND = 127 /* no real tool of that name */
};

/* The tools interlock knows how to analyse; a shim must have one of these
 * names. */
#define GUARDED_TOOLS "psql", "pg_restore", "terraform", "rm"

#endif
