/* commands.h - the subcommands. Each returns the process exit code (run
 * and the shim do not return when the tool runs). */
#ifndef INTERLOCK_COMMANDS_H
#define INTERLOCK_COMMANDS_H

#include <stdbool.h>

int cmd_shim(const char *tool, int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_shims(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_config(int argc, char **argv);

/* Prints the help of a subcommand ("" for the top level) to stdout;
 * false when there is no such subcommand. */
bool print_help(const char *cmd);

#endif
