/* exec.h - finding the real tool and becoming it. interlock execs the tool
 * in its own process (no fork): signals, the exit status and the terminal
 * belong to the tool exactly as if interlock were not there. */
#ifndef INTERLOCK_EXEC_H
#define INTERLOCK_EXEC_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "die.h"

/* The real binary for tool: the configured path, else the first of that
 * name on PATH that is not interlock itself (same device and inode, so
 * symlinks and hard links to interlock are skipped). NULL when none. */
char *find_real_tool(const config *cfg, const char *tool, char *err, size_t errlen);

/* Replaces this process with path, argv as given. Returns only on failure
 * (and then exits 126). */
NORETURN void exec_tool(const char *path, char *const argv[]);

#endif
