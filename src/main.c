/* main.c - dispatch: called as psql, pg_restore, terraform or rm (a shim),
 * or as interlock with a subcommand. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "engine.h"
#include "interlock.h"

int main(int argc, char **argv)
{
	const char *tool = argc > 0 ? guarded_tool(argv[0]) : NULL;

	if (tool)
		return cmd_shim(tool, argc, argv);
	if (argc < 2) {
		print_help("");
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		if (print_help(argc > 2 ? argv[2] : ""))
			return 0;
		diex(EXIT_USAGE, "help: no command '%s' (see interlock --help)", argv[2]);
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
		printf("interlock %s\n", INTERLOCK_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "check"))
		return cmd_check(argc - 1, argv + 1);
	if (!strcmp(cmd, "shims"))
		return cmd_shims(argc - 1, argv + 1);
	if (!strcmp(cmd, "rules"))
		return cmd_rules(argc - 1, argv + 1);
	if (!strcmp(cmd, "config"))
		return cmd_config(argc - 1, argv + 1);
	diex(EXIT_USAGE, "unknown command '%s' (see interlock --help)", cmd);
}
