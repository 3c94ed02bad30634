/* exec.c - the real tool: found without recursing into ourselves, then
 * exec'd in place. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec.h"
#include "interlock.h"
#include "util.h"

#define MAX_DEPTH 8

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static bool is_interlock(const char *path, const struct stat *self)
{
	struct stat st;
	return stat(path, &st) == 0 && same_file(&st, self);
}

static bool executable_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

char *find_real_tool(const config *cfg, const char *tool, char *err, size_t errlen)
{
	struct stat self;
	int t = tool_index(tool);

	if (stat("/proc/self/exe", &self) != 0) {
		snprintf(err, errlen, "cannot stat /proc/self/exe: %s", strerror(errno));
		return NULL;
	}
	if (t >= 0 && cfg->binaries[t]) {
		const char *p = cfg->binaries[t];
		if (is_interlock(p, &self)) {
			snprintf(err, errlen, "[binaries] %s = %s is interlock itself", tool, p);
			return NULL;
		}
		if (!executable_file(p)) {
			snprintf(err, errlen, "[binaries] %s = %s is not an executable file", tool,
			         p);
			return NULL;
		}
		return xstrdup(p);
	}
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path;; p++) {
		size_t n = strcspn(p, ":");
		autofree char *dir = n ? xstrndup(p, n) : xstrdup(".");
		autofree char *cand = xasprintf("%s/%s", dir, tool);
		if (executable_file(cand) && !is_interlock(cand, &self))
			return steal_pointer(&cand);
		p += n;
		if (!*p)
			break;
	}
	snprintf(err, errlen, "no real '%s' found on PATH (interlock's own shims are skipped)",
	         tool);
	return NULL;
}

/* A wrapper script named like a guarded tool that calls the tool again
 * through PATH would come back here; count the round trips and stop. An
 * agent setting the counter can only make interlock refuse. */
static void bump_depth(void)
{
	const char *d = getenv("INTERLOCK_DEPTH");
	long depth = d ? strtol(d, NULL, 10) : 0;
	char buf[16];

	if (depth < 0 || depth >= MAX_DEPTH)
		diex(EXIT_NOTFOUND,
		     "the real tool leads back to interlock %d times: a wrapper calls it through "
		     "PATH; set its path in [binaries]",
		     MAX_DEPTH);
	snprintf(buf, sizeof buf, "%ld", depth + 1);
	setenv("INTERLOCK_DEPTH", buf, 1);
}

void exec_tool(const char *path, char *const argv[])
{
	bump_depth();
	execv(path, argv);
	die(EXIT_EXEC, "cannot run %s", path);
}
