/* examples.c - a rule example's world: a temporary tree, a configuration,
 * an environment; then the analyser and the match. */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyse.h"
#include "decide.h"
#include "engine.h"
#include "examples.h"

#define MAX_TREE_FILES 200000

static bool make_parent_dirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int r = mkdir(path, 0755);
		*p = '/';
		if (r != 0 && errno != EEXIST)
			return false;
	}
	return true;
}

/* "dir/" makes a directory; "file bytes=N" a sparse file of N bytes. */
static bool make_entry(const char *root, const char *entry)
{
	const char *sp = strstr(entry, " bytes=");
	autofree char *rel = sp ? xstrndup(entry, (size_t)(sp - entry)) : xstrdup(entry);
	autofree char *path = xasprintf("%s/%s", root, rel);

	if (rel[0] == '/' || strstr(rel, ".."))
		return false;
	if (!make_parent_dirs(path))
		return false;
	if (str_ends(path, "/"))
		return mkdir(path, 0755) == 0 || errno == EEXIST;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return false;
	bool ok = !sp || ftruncate(fd, strtoll(sp + 7, NULL, 10)) == 0;
	close(fd);
	return ok;
}

/* "f{1..3}" -> f1 f2 f3; anything else as it is. */
static bool make_entries(const char *root, const char *entry)
{
	const char *open_b = strstr(entry, "{");
	long a, b;
	int used = 0;

	if (!open_b || sscanf(open_b, "{%ld..%ld}%n", &a, &b, &used) != 2 || used == 0)
		return make_entry(root, entry);
	if (b < a || b - a >= MAX_TREE_FILES)
		return false;
	for (long i = a; i <= b; i++) {
		autofree char *one =
		    xasprintf("%.*s%ld%s", (int)(open_b - entry), entry, i, open_b + used);
		if (!make_entry(root, one))
			return false;
	}
	return true;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) == 0 ? 0 : 0;
}

static void remove_tree(const char *root)
{
	nftw(root, remove_one, 32, FTW_DEPTH | FTW_PHYS);
}

static bool build_tree(const strvec *tree, char *root, char *err, size_t errlen)
{
	if (!mkdtemp(root)) {
		snprintf(err, errlen, "cannot create a temporary directory: %s", strerror(errno));
		return false;
	}
	for (size_t i = 0; i < tree->n; i++) {
		if (!make_entries(root, tree->v[i])) {
			snprintf(err, errlen, "cannot create example file '%s'", tree->v[i]);
			remove_tree(root);
			return false;
		}
	}
	return true;
}

/* The example's stdin as a file descriptor (a memfd), or -1 for none. For
 * a terminal, *master keeps the pseudo-terminal's other end open (closed
 * by the caller) so that the slave is not hung up. */
static int example_stdin(const example *ex, int *master)
{
	*master = -1;
	if (ex->terminal) { /* a real pseudo-terminal: isatty() holds */
		*master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (*master < 0 || grantpt(*master) != 0 || unlockpt(*master) != 0)
			return -1;
		return open(ptsname(*master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	}
	if (!ex->stdin_text)
		return -1;
	int fd = memfd_create("interlock-example-stdin", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write(fd, ex->stdin_text, ex->stdin_len) != (ssize_t)ex->stdin_len ||
	    lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

bool example_run(const rule *r, const example *ex, bool *matched, char *err, size_t errlen)
{
	config cfg;
	facts fx = {0};
	char root[] = "/tmp/interlock-example.XXXXXX";
	const char *tool = guarded_tool(ex->argv.v[0]);
	bool ok;

	*matched = false;
	if (!tool) {
		snprintf(err, errlen, "'%s' is not a guarded tool", ex->argv.v[0]);
		return false;
	}
	ok = ex->config ? config_load_default_plus(&cfg, ex->config, err, errlen)
	                : config_load_default(&cfg, err, errlen);
	if (!ok)
		return false;
	bool tree = ex->tree.n > 0;
	if (tree && !build_tree(&ex->tree, root, err, errlen)) {
		config_free(&cfg);
		return false;
	}
	/* Relative operands resolve against the example's tree. */
	autofree char *cwd =
	    tree ? xasprintf("%s%s%s", root, ex->cwd ? "/" : "", ex->cwd ? ex->cwd : "")
	         : xstrdup(ex->cwd ? ex->cwd : "/");
	int master;
	invocation inv = {.tool = tool,
	                  .argc = (int)ex->argv.n,
	                  .argv = ex->argv.v,
	                  .envp = ex->env.v,
	                  .cwd = cwd,
	                  .cfg = &cfg,
	                  .dry = true,
	                  .stdin_fd = example_stdin(ex, &master),
	                  .write = ex->write,
	                  .hermetic = true};
	if (analyse(&inv, &fx, err, errlen)) {
		for (size_t i = 0; i < fx.n_ops && !*matched; i++)
			*matched = rule_matches_op(r, &fx, &fx.ops[i]);
	} else {
		ok = false;
	}
	facts_free(&fx);
	if (inv.stdin_fd >= 0)
		close(inv.stdin_fd);
	if (master >= 0)
		close(master);
	if (tree)
		remove_tree(root);
	config_free(&cfg);
	return ok;
}
