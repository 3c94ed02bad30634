/* Unit tests: the rm analyser on a real temporary tree. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyse.h"
#include "unit.h"

static config cfg;
static char root[] = "/tmp/interlock-unit.XXXXXX";

static void touch(const char *rel)
{
	char *p = xasprintf("%s/%s", root, rel);
	for (char *s = p + strlen(root) + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0755);
			*s = '/';
		}
	close(open(p, O_CREAT | O_WRONLY, 0644));
	free(p);
}

/* Analyses argv (NULL-terminated) in the tree with HOME=/home/u. */
static void run(facts *fx, char **argv, char **envp)
{
	static char *default_env[] = {"HOME=/home/u", NULL};
	char err[256];
	int argc = 0;

	while (argv[argc])
		argc++;
	*fx = (facts){0};
	invocation inv = {.tool = "rm",
	                  .argc = argc,
	                  .argv = argv,
	                  .envp = envp ? envp : default_env,
	                  .cwd = root,
	                  .cfg = &cfg};
	CHECK(analyse(&inv, fx, err, sizeof err), "analyse: %s", err);
}

static const char *opfield(const facts *fx, size_t op, const char *name)
{
	return op < fx->n_ops ? fs_get(&fx->ops[op].f, name) : NULL;
}

static void test_options(void)
{
	facts fx;

	run(&fx, (char *[]){"rm", "-fR", "a", NULL}, NULL);
	CHECK_STR(opfield(&fx, 0, "recursive"), "yes");
	CHECK_STR(opfield(&fx, 0, "force"), "yes");
	facts_free(&fx);

	/* GNU permutes: an option after an operand still counts */
	run(&fx, (char *[]){"rm", "a", "-r", NULL}, NULL);
	CHECK_STR(opfield(&fx, 0, "recursive"), "yes");
	facts_free(&fx);

	/* ...except with POSIXLY_CORRECT, where it is a file name */
	run(&fx, (char *[]){"rm", "a", "-r", NULL}, (char *[]){"POSIXLY_CORRECT=1", NULL});
	CHECK(fx.n_ops == 2, "two operands under POSIXLY_CORRECT, got %zu", fx.n_ops);
	CHECK_STR(opfield(&fx, 0, "recursive"), "no");
	facts_free(&fx);

	/* after "--" everything is an operand */
	run(&fx, (char *[]){"rm", "--", "-rf", NULL}, NULL);
	CHECK_STR(fx.ops[0].kind, "remove");
	CHECK_STR(opfield(&fx, 0, "operand"), "-rf");
	CHECK_STR(opfield(&fx, 0, "recursive"), "no");
	facts_free(&fx);

	/* abbreviated long options, as getopt_long takes them */
	run(&fx, (char *[]){"rm", "--rec", "--no-pres", "/x", NULL}, NULL);
	CHECK_STR(fx.ops[0].kind, "flag");
	CHECK_STR(opfield(&fx, 0, "name"), "no-preserve-root");
	CHECK_STR(opfield(&fx, 1, "recursive"), "yes");
	CHECK_STR(opfield(&fx, 1, "no_preserve_root"), "yes");
	facts_free(&fx);

	/* the last of --no-preserve-root / --preserve-root wins */
	run(&fx, (char *[]){"rm", "--no-preserve-root", "--preserve-root=all", "x", NULL}, NULL);
	CHECK_STR(opfield(&fx, 0, "preserve_root"), "all");
	CHECK(fx.n_ops == 1, "no flag operation once preserve-root is back");
	facts_free(&fx);

	/* ambiguous and unknown options */
	run(&fx, (char *[]){"rm", "--ver", "-z", "x", NULL}, NULL);
	CHECK_STR(fx.ops[0].kind, "unknown-option");
	CHECK_STR(opfield(&fx, 0, "option"), "--ver");
	CHECK_STR(opfield(&fx, 1, "option"), "-z");
	facts_free(&fx);

	run(&fx, (char *[]){"rm", "--interactive=once", "-d", "--one-file-system", "x", NULL},
	    NULL);
	CHECK_STR(opfield(&fx, 0, "interactive"), "once");
	CHECK_STR(opfield(&fx, 0, "dir"), "yes");
	CHECK_STR(opfield(&fx, 0, "one_file_system"), "yes");
	facts_free(&fx);
}

static void test_paths(void)
{
	facts fx;
	char *want;

	run(&fx, (char *[]){"rm", "-r", "/usr/lib/../../etc/", NULL}, NULL);
	CHECK_STR(opfield(&fx, 0, "path"), "/etc");
	CHECK_STR(opfield(&fx, 0, "protected_system"), "/etc");
	facts_free(&fx);

	run(&fx, (char *[]){"rm", "-rf", "//", NULL}, NULL);
	CHECK_STR(opfield(&fx, 0, "path"), "/");
	CHECK_STR(opfield(&fx, 0, "relation_system"), "self");
	facts_free(&fx);

	/* an ancestor of a protected path */
	run(&fx, (char *[]){"rm", "-rf", "/home", NULL}, NULL);
	CHECK(strstr(opfield(&fx, 0, "protected_kind"), "home") != NULL, "home is under /home");
	CHECK_STR(opfield(&fx, 0, "relation_home"), "ancestor");
	facts_free(&fx);

	/* $HOME from the environment is protected too */
	run(&fx, (char *[]){"rm", "-rf", "/home/u/", NULL}, NULL);
	CHECK_STR(opfield(&fx, 0, "protected_home"), "/home/u");
	facts_free(&fx);

	/* ".", ".." are refused by rm itself */
	run(&fx, (char *[]){"rm", "-rf", "sub/..", NULL}, NULL);
	CHECK_STR(fx.ops[0].kind, "refused-operand");
	facts_free(&fx);

	/* a final symlink is not followed... */
	touch("real/file");
	want = xasprintf("%s/real", root);
	char *link = xasprintf("%s/link", root);
	CHECK(symlink(want, link) == 0, "symlink");
	run(&fx, (char *[]){"rm", "-rf", "link", NULL}, NULL);
	CHECK_STR(opfield(&fx, 0, "type"), "symlink");
	CHECK_STR(opfield(&fx, 0, "path"), link);
	facts_free(&fx);
	/* ...but a trailing slash reaches the directory it points to */
	run(&fx, (char *[]){"rm", "-rf", "link/", NULL}, NULL);
	CHECK_STR(opfield(&fx, 0, "path"), want);
	CHECK_STR(opfield(&fx, 0, "type"), "dir");
	CHECK_STR(opfield(&fx, 0, "entries"), "2");
	facts_free(&fx);
	free(want);
	free(link);

	/* components before the last are resolved: via/../x is real/../x */
	want = xasprintf("%s/x", root);
	link = xasprintf("%s/via", root);
	CHECK(symlink("real", link) == 0, "symlink via");
	run(&fx, (char *[]){"rm", "via/../x", NULL}, NULL);
	CHECK_STR(opfield(&fx, 0, "path"), want);
	facts_free(&fx);
	free(want);
	free(link);
}

static void test_protected_trees(void)
{
	facts fx;

	touch("cluster/PG_VERSION");
	touch("cluster/base/1/1259");
	touch("repo/.git/HEAD");
	touch("repo/src/a.c");

	run(&fx, (char *[]){"rm", "-rf", "cluster", NULL}, NULL);
	CHECK_STR(opfield(&fx, 0, "relation_pgdata"), "self");
	CHECK_STR(opfield(&fx, 0, "entries"), "5");
	CHECK_STR(fx.environment, "production");
	facts_free(&fx);

	run(&fx, (char *[]){"rm", "-rf", ".", NULL}, NULL);
	CHECK_STR(fx.ops[0].kind, "refused-operand");
	facts_free(&fx);

	run(&fx, (char *[]){"rm", "-r", "cluster/base", NULL}, NULL);
	CHECK_STR(opfield(&fx, 0, "relation_pgdata"), "inside");
	facts_free(&fx);

	run(&fx, (char *[]){"rm", "-rf", root, NULL}, NULL);
	CHECK_STR(opfield(&fx, 0, "relation_pgdata"), "ancestor");
	CHECK_STR(opfield(&fx, 0, "relation_git"), "ancestor");
	CHECK_STR(opfield(&fx, 0, "scan"), "complete");
	facts_free(&fx);

	/* non-recursive: no scan */
	run(&fx, (char *[]){"rm", "repo/src/a.c", NULL}, NULL);
	CHECK_STR(opfield(&fx, 0, "scan"), "none");
	CHECK(opfield(&fx, 0, "protected") == NULL, "a source file is not protected");
	CHECK_STR(fx.environment, "development");
	facts_free(&fx);

	/* the scan stops at the limit and says so */
	cfg.scan_limit = 3;
	run(&fx, (char *[]){"rm", "-rf", "repo", NULL}, NULL);
	CHECK_STR(opfield(&fx, 0, "scan"), "truncated");
	cfg.scan_limit = 100000;
	facts_free(&fx);
}

static void cleanup(void)
{
	char *cmd = xasprintf("/bin/rm -rf '%s'", root);
	if (system(cmd) != 0)
		printf("cleanup failed\n");
	free(cmd);
}

int main(void)
{
	char err[256];

	if (!mkdtemp(root) || !config_load_default(&cfg, err, sizeof err)) {
		printf("setup failed\n");
		return 1;
	}
	test_options();
	test_paths();
	test_protected_trees();
	cleanup();
	config_free(&cfg);
	return unit_done();
}
