/* help.c - the --help texts of interlock and its subcommands. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static const struct {
	const char *name;
	const char *text;
} helps[] = {
    {"", "usage: interlock COMMAND [ARG...]\n"
         "       TOOL [ARG...]            (called through a shim named psql, pg_restore,\n"
         "                                 terraform or rm)\n"
         "\n"
         "Stands between you (or an AI agent) and commands that destroy data: decides\n"
         "allow, typed confirmation, or block before the real tool starts.\n"
         "\n"
         "commands:\n"
         "  run [--write] -- TOOL [ARG...]  guard and run TOOL\n"
         "  check [--json] -- TOOL [ARG...] decide only; exit 0 allow, 3 confirm, 4 block\n"
         "  shims DIR                       create symlinks psql, pg_restore, terraform, rm\n"
         "  rules list|explain ID|test      the loaded rules\n"
         "  config check|default            validate the configuration / print the default\n"
         "  --version, --help\n"
         "\n"
         "exit codes: the tool's own when it runs; 77 blocked or not confirmed;\n"
         "  64 usage; 78 configuration error; 126 tool not runnable; 127 tool not found;\n"
         "  1 other failures (shims, rules test).\n"
         "See interlock(1) and interlock(5).\n"},
    {"run", "usage: interlock run [--write] [--] TOOL [ARG...]\n"
            "\n"
            "Analyses the command, then runs the real TOOL, asks for a typed confirmation\n"
            "on /dev/tty, or blocks it (exit 77). --write asks to unlock writes in a\n"
            "production psql session (typed confirmation; never in agent mode).\n"},
    {"check", "usage: interlock check [--json] [--write] [--] TOOL [ARG...]\n"
              "\n"
              "Decides only: never runs TOOL, never opens /dev/tty, writes no audit record.\n"
              "Its own stdin is treated as the tool's stdin.\n"
              "exit: 0 allow, 3 confirmation required, 4 block, 64 usage, 78 configuration.\n"
              "In agent mode 3 never occurs: it becomes 4. --json prints the verdict, the\n"
              "target, the operations and every matched rule. --write decides as run --write.\n"},
    {"shims", "usage: interlock shims DIR\n"
              "\n"
              "Creates (or refreshes) DIR/psql, DIR/pg_restore, DIR/terraform and DIR/rm as\n"
              "symlinks to interlock. Put DIR first on PATH.\n"},
    {"rules",
     "usage: interlock rules list\n"
     "       interlock rules explain ID\n"
     "       interlock rules test [ID...]\n"
     "\n"
     "list: every loaded rule, its action, operation and file:line.\n"
     "explain: one rule in full. test: runs every rule's examples; exit 1 if any fails.\n"},
    {"config", "usage: interlock config check\n"
               "       interlock config default\n"
               "\n"
               "check: loads the configuration and every rule file; exit 0, or 78 with\n"
               "file:line:col: message. default: prints the embedded default configuration.\n"},
};

bool print_help(const char *cmd)
{
	for (size_t i = 0; i < sizeof helps / sizeof *helps; i++) {
		if (!strcmp(helps[i].name, cmd)) {
			fputs(helps[i].text, stdout);
			return true;
		}
	}
	return false;
}
