/* cmd_admin.c - interlock shims DIR, interlock config check|show. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "engine.h"
#include "interlock.h"

static void mkdir_p(const char *dir)
{
	autofree char *d = xstrdup(dir);

	for (char *p = d + 1;; p++) {
		if (*p != '/' && *p)
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(d, 0755) != 0 && errno != EEXIST)
			die(1, "shims: cannot create %s", d);
		if (!c)
			break;
		*p = c;
	}
}

/* Creates or refreshes DIR/tool -> interlock. Anything at that name that is
 * not a symlink is left alone: it is not ours to replace. */
static void make_shim(const char *dir, const char *tool, const char *self)
{
	autofree char *link = xasprintf("%s/%s", dir, tool);
	struct stat st;

	if (lstat(link, &st) == 0) {
		if (!S_ISLNK(st.st_mode))
			diex(1, "shims: %s exists and is not a symlink; not replacing it", link);
		char target[PATH_MAX];
		ssize_t n = readlink(link, target, sizeof target - 1);
		if (n >= 0) {
			target[n] = '\0';
			if (!strcmp(target, self)) {
				printf("%s -> %s (up to date)\n", link, self);
				return;
			}
		}
		if (unlink(link) != 0)
			die(1, "shims: cannot replace %s", link);
	}
	if (symlink(self, link) != 0)
		die(1, "shims: cannot create %s", link);
	printf("%s -> %s\n", link, self);
}

int cmd_shims(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		print_help("shims");
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-')
		diex(EXIT_USAGE, "shims: expected one directory: interlock shims DIR");
	autofree char *self = realpath("/proc/self/exe", NULL);
	if (!self)
		die(1, "shims: cannot find interlock's own path");
	mkdir_p(argv[1]);
	for (int t = 0; t < TOOL_COUNT; t++)
		make_shim(argv[1], tool_names[t], self);
	return 0;
}

static int config_check(void)
{
	engine e;

	engine_load(&e, NULL);
	printf("configuration: embedded default");
	for (size_t i = 0; i < e.cfg.sources.n; i++)
		printf(", %s", e.cfg.sources.v[i]);
	printf("\nenvironments:");
	for (size_t i = 0; i < e.cfg.n_envs; i++)
		printf(" %s(%s)", e.cfg.envs[i].name, e.cfg.envs[i].colour);
	printf("\nrules: %zu from %zu files\naudit log: %s\nok\n", e.rules.n, e.rules.files.n,
	       e.cfg.audit_log);
	engine_free(&e);
	return 0;
}

int cmd_config(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		print_help("config");
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (!strcmp(argv[1], "check") && argc == 2)
		return config_check();
	if (!strcmp(argv[1], "default") && argc == 2) {
		fputs(config_default_ini, stdout);
		return 0;
	}
	diex(EXIT_USAGE, "config: expected 'check' or 'default'");
}
