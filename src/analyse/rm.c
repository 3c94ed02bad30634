/* rm.c - the rm analyser: GNU rm's command line exactly (combined short
 * flags, abbreviated long options, permutation unless POSIXLY_CORRECT),
 * each operand made absolute the way the kernel will see it, protected
 * paths it is, is an ancestor of, or lies inside, and for a recursive
 * removal a bounded count of what would go.
 *
 * Operation kinds:
 *   remove           one per operand (type=unknown with error=... when the
 *                    operand could not be looked at: fail closed)
 *   flag             name=no-preserve-root (given on the command line)
 *   unknown-option   an option GNU rm does not have (option=...)
 *   refused-operand  "." or ".." as last component: rm refuses these */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyse.h"
#include "classify.h"

#define MAX_SCAN_DEPTH 256

typedef struct {
	bool force, recursive, dir, verbose, one_fs;
	const char *interactive; /* never, once, always */
	const char *preserve;    /* yes, all, no */
	strvec operands;
	strvec unknown;
} rm_opts;

/* What a protected-path check found for one operand. */
typedef struct {
	const char *kind;     /* system, home, secrets, pgdata, git, configured */
	char *path;           /* owned */
	const char *relation; /* self, ancestor, inside */
} hit;

typedef struct {
	hit v[16];
	size_t n;
} hits;

/* One protected path as text: the configured form ("~" expanded against
 * each home) and, where it differs, its real path. */
typedef struct {
	const char *kind;
	char *glob; /* owned */
	bool inside_counts;
} prot;

/* A protected directory's identity: a bind mount of it anywhere in a tree
 * has the same (dev, ino), whatever its path. */
typedef struct {
	dev_t dev;
	ino_t ino;
	const char *kind;
	const char *path; /* borrowed from a prot */
} prot_id;

/* What every operand is checked against, built once per command line. */
typedef struct {
	prot *v;
	size_t n;
	prot_id *ids; /* built on first need: only a recursive removal scans */
	size_t n_ids;
	bool ids_built;
	strvec own_home; /* the passwd home, text and real path */
} protection;

typedef struct {
	long entries;
	long long bytes;
	long limit;
	bool truncated, failed, one_fs;
	dev_t dev;
	char *pgdata; /* owned: first data directory found below */
	char *git;    /* owned: first .git found below */
	protection *prot;
	hits *h;
	strvec notes; /* owned: bind mounts found */
} scan;

/* ---- command line ---------------------------------------------------- */

enum {
	L_FORCE,
	L_INTERACTIVE,
	L_ONE_FS,
	L_NO_PRESERVE,
	L_PRESERVE,
	L_RECURSIVE,
	L_DIR,
	L_VERBOSE,
	L_HELP,
	L_VERSION,
	L_PRESUME_TTY,
	L_COUNT
};

static const char *const long_names[L_COUNT] = {"force",
                                                "interactive",
                                                "one-file-system",
                                                "no-preserve-root",
                                                "preserve-root",
                                                "recursive",
                                                "dir",
                                                "verbose",
                                                "help",
                                                "version",
                                                "-presume-input-tty"};

/* getopt_long's rule: an exact name, else a unique prefix. */
static int match_long(const char *name, size_t len)
{
	int found = -1;

	for (int i = 0; i < L_COUNT; i++) {
		if (strncmp(long_names[i], name, len) != 0)
			continue;
		if (strlen(long_names[i]) == len)
			return i;
		if (found >= 0)
			return -2; /* ambiguous */
		found = i;
	}
	return found;
}

static bool apply_interactive(rm_opts *o, const char *when)
{
	if (!when || !strcmp(when, "always") || !strcmp(when, "yes"))
		o->interactive = "always";
	else if (!strcmp(when, "once"))
		o->interactive = "once";
	else if (!strcmp(when, "never") || !strcmp(when, "no") || !strcmp(when, "none"))
		o->interactive = "never";
	else
		return false;
	return true;
}

static void parse_long_opt(rm_opts *o, const char *arg)
{
	const char *name = arg + 2;
	const char *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const char *val = eq ? eq + 1 : NULL;
	int l = match_long(name, len);
	bool takes_arg = l == L_INTERACTIVE || l == L_PRESERVE;

	if (l < 0 || (val && !takes_arg)) {
		sv_push(&o->unknown, arg);
		return;
	}
	switch (l) {
	case L_FORCE:
		o->force = true;
		o->interactive = "never";
		break;
	case L_INTERACTIVE:
		if (!apply_interactive(o, val))
			sv_push(&o->unknown, arg);
		break;
	case L_ONE_FS:
		o->one_fs = true;
		break;
	case L_NO_PRESERVE:
		o->preserve = "no";
		break;
	case L_PRESERVE:
		if (val && strncmp("all", val, strlen(val)) != 0)
			sv_push(&o->unknown, arg);
		else
			o->preserve = val ? "all" : "yes";
		break;
	case L_RECURSIVE:
		o->recursive = true;
		break;
	case L_DIR:
		o->dir = true;
		break;
	case L_VERBOSE:
		o->verbose = true;
		break;
	case L_PRESUME_TTY:
		break;
	default: /* --help, --version: rm prints and exits */
		break;
	}
}

static void parse_short_opts(rm_opts *o, const char *arg)
{
	for (const char *p = arg + 1; *p; p++) {
		switch (*p) {
		case 'f':
			o->force = true;
			o->interactive = "never";
			break;
		case 'i':
			o->interactive = "always";
			break;
		case 'I':
			o->interactive = "once";
			break;
		case 'r':
		case 'R':
			o->recursive = true;
			break;
		case 'd':
			o->dir = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		default: {
			char bad[3] = {'-', *p, '\0'};
			sv_push(&o->unknown, bad);
		}
		}
	}
}

static void parse_rm_argv(const invocation *inv, rm_opts *o)
{
	bool permute = inv_getenv(inv, "POSIXLY_CORRECT") == NULL;
	bool options_done = false;

	o->interactive = "never";
	o->preserve = "yes";
	for (int i = 1; i < inv->argc; i++) {
		const char *a = inv->argv[i];
		if (options_done || a[0] != '-' || a[1] == '\0') {
			sv_push(&o->operands, a);
			if (!permute)
				options_done = true;
		} else if (strcmp(a, "--") == 0) {
			options_done = true;
		} else if (a[1] == '-') {
			parse_long_opt(o, a);
		} else {
			parse_short_opts(o, a);
		}
	}
}

/* ---- paths ----------------------------------------------------------- */

/* Folds "//", "." and ".." without touching the file system. */
static char *normalise(const char *abs)
{
	char *out = xmalloc(strlen(abs) + 2);
	size_t n = 0;
	const char *p = abs;

	out[n++] = '/';
	while (*p) {
		while (*p == '/')
			p++;
		size_t len = strcspn(p, "/");
		if (len == 0)
			break;
		if (len == 1 && p[0] == '.') {
			/* nothing */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (n > 1 && out[n - 1] != '/')
				n--;
			if (n > 1)
				n--;
		} else {
			if (n > 1)
				out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
	}
	out[n] = '\0';
	return out;
}

static char *make_absolute(const char *cwd, const char *p)
{
	if (p[0] == '/')
		return xstrdup(p);
	return xasprintf("%s/%s", cwd, p);
}

static char *join_path(const char *dir, const char *name)
{
	return xasprintf("%s%s%s", dir, str_ends(dir, "/") ? "" : "/", name);
}

/* A lookup that failed for any reason but "not there" (ENAMETOOLONG,
 * EACCES, ELOOP, EIO...) says nothing about what rm will find: the real rm
 * works relative to its cwd and may reach it. */
static bool lookup_unknown(int err)
{
	return err != ENOENT && err != ENOTDIR;
}

/* The path the kernel will act on: every component but the last resolved
 * (the last is what rm unlinks, so a final symlink is not followed). *err
 * is set when the parent could not be resolved for an unknown reason. */
static char *resolve_operand(const char *cwd, const char *operand, bool *trailing_slash,
                             char **last_out, int *err)
{
	autofree char *abs = make_absolute(cwd, operand);
	size_t len = strlen(abs);

	*trailing_slash = false;
	while (len > 1 && abs[len - 1] == '/') {
		abs[--len] = '\0';
		*trailing_slash = true;
	}
	autofree char *lex = normalise(abs);
	if (strcmp(lex, "/") == 0) {
		*last_out = xstrdup("/");
		return xstrdup("/");
	}
	char *slash = strrchr(abs, '/');
	*last_out = xstrdup(slash + 1);
	autofree char *parent = xstrndup(abs, (size_t)(slash - abs));
	if (!*parent) {
		free(parent);
		parent = xstrdup("/");
	}
	char *real = realpath(parent, NULL);
	if (!real) {
		if (lookup_unknown(errno))
			*err = errno;
		real = normalise(parent);
	}
	char *full = join_path(real, *last_out);
	free(real);
	return full;
}

static const char *file_type(const struct stat *st)
{
	if (S_ISREG(st->st_mode))
		return "file";
	if (S_ISDIR(st->st_mode))
		return "dir";
	if (S_ISLNK(st->st_mode))
		return "symlink";
	return "other";
}

/* ---- protected paths ------------------------------------------------- */

static void add_hit(hits *h, const char *kind, const char *path, const char *relation)
{
	for (size_t i = 0; i < h->n; i++)
		if (!strcmp(h->v[i].kind, kind) && !strcmp(h->v[i].path, path))
			return;
	if (h->n < sizeof h->v / sizeof *h->v)
		h->v[h->n++] = (hit){.kind = kind, .path = xstrdup(path), .relation = relation};
}

/* The literal directory part of a glob: "/usr/\*" gives "/usr/", "/lib\*" gives "/". */
static size_t glob_literal_prefix(const char *glob)
{
	size_t wild = strcspn(glob, "*?[");
	if (!glob[wild])
		return wild;
	while (wild > 0 && glob[wild - 1] != '/')
		wild--;
	return wild;
}

static bool is_ancestor(const char *path, const char *glob)
{
	size_t plen = strlen(path);
	size_t lit = glob_literal_prefix(glob);

	if (strcmp(path, "/") == 0)
		return strcmp(glob, "/") != 0;
	return lit > plen && strncmp(glob, path, plen) == 0 && glob[plen] == '/';
}

static void check_glob(hits *h, const char *g, const char *kind, const char *path,
                       bool inside_counts)
{
	if (fnmatch(g, path, FNM_PATHNAME) == 0)
		add_hit(h, kind, path, "self");
	else if (is_ancestor(path, g))
		add_hit(h, kind, g, "ancestor");
	else if (inside_counts && str_starts(path, g) && path[strlen(g)] == '/')
		add_hit(h, kind, g, "inside");
}

/* The real path of p, or of its deepest existing ancestor with the rest
 * appended: ~/.ssh behind a symlinked home resolves even before it exists. */
static char *resolve_existing(const char *p)
{
	char *real = realpath(p, NULL);
	if (real)
		return real;
	const char *slash = strrchr(p, '/');
	if (!slash || slash == p)
		return xstrdup(p);
	autofree char *parent = xstrndup(p, (size_t)(slash - p));
	autofree char *rparent = resolve_existing(parent);
	return join_path(rparent, slash + 1);
}

/* A glob's real form: its literal directory resolved, the pattern kept. */
static char *resolve_glob(const char *g)
{
	size_t lit = glob_literal_prefix(g);
	if (!g[lit])
		return resolve_existing(g);
	if (lit <= 1)
		return xstrdup(g);
	autofree char *dir = xstrndup(g, lit - 1);
	autofree char *rdir = resolve_existing(dir);
	return xasprintf("%s%s%s", rdir, strcmp(rdir, "/") ? "/" : "", g + lit);
}

static void add_prot(protection *p, const char *kind, const char *glob, bool inside_counts)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].kind == kind && !strcmp(p->v[i].glob, glob))
			return;
	p->v = xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
	p->v[p->n++] = (prot){.kind = kind, .glob = xstrdup(glob), .inside_counts = inside_counts};
}

/* The real path of every protected path after all text forms (the first
 * hit of a kind is the one reported): an operand is compared resolved, so
 * a home reached through a symlink must be protected resolved too. */
static void add_resolved(protection *p)
{
	size_t n = p->n;

	for (size_t i = 0; i < n; i++) {
		autofree char *real = resolve_glob(p->v[i].glob);
		add_prot(p, p->v[i].kind, real, p->v[i].inside_counts);
	}
}

/* "~" in a protected path means both the passwd home and $HOME: an agent
 * that changes HOME must not move the protection away. */
static void add_list(protection *p, const strvec *globs, const char *kind, bool inside_counts,
                     const strvec *homes)
{
	for (size_t i = 0; i < globs->n; i++) {
		const char *g = globs->v[i];
		if (g[0] != '~') {
			add_prot(p, kind, g, inside_counts);
			continue;
		}
		for (size_t k = 0; k < homes->n; k++) {
			autofree char *x = expand_home(g, homes->v[k]);
			add_prot(p, kind, x, inside_counts);
		}
	}
}

static void protection_build(protection *p, const invocation *inv)
{
	const config *cfg = inv->cfg;
	const char *env_home = inv_getenv(inv, "HOME");
	strvec homes = {0};

	*p = (protection){0};
	sv_push(&homes, cfg->home);
	if (env_home && env_home[0] == '/') {
		char *nh = normalise(env_home);
		if (!sv_contains(&homes, nh))
			sv_push_steal(&homes, nh);
		else
			free(nh);
	}
	add_list(p, &cfg->protected_system, "system", false, &homes);
	add_list(p, &cfg->protected_home, "home", false, &homes);
	add_list(p, &cfg->protected_secrets, "secrets", true, &homes);
	add_list(p, &cfg->protected_extra, "configured", true, &homes);
	add_resolved(p);
	sv_clear(&homes);
	/* Only a home the environment cannot choose may make system-directory
	 * contents ordinary files (root's /root). */
	if (cfg->home_from_passwd && strcmp(cfg->home, "/") != 0) {
		sv_push(&p->own_home, cfg->home);
		sv_push_steal(&p->own_home, resolve_existing(cfg->home));
	}
}

/* Every existing directory a protected glob names, by (dev, ino). */
static void protection_ids(protection *p)
{
	if (p->ids_built)
		return;
	p->ids_built = true;
	for (size_t i = 0; i < p->n; i++) {
		glob_t gl;
		if (glob(p->v[i].glob, GLOB_NOSORT, NULL, &gl) != 0)
			continue;
		for (size_t k = 0; k < gl.gl_pathc; k++) {
			struct stat st;
			if (stat(gl.gl_pathv[k], &st) != 0 || !S_ISDIR(st.st_mode))
				continue;
			p->ids = xrealloc(p->ids, (p->n_ids + 1) * sizeof(*p->ids));
			p->ids[p->n_ids++] = (prot_id){.dev = st.st_dev,
			                               .ino = st.st_ino,
			                               .kind = p->v[i].kind,
			                               .path = p->v[i].glob};
		}
		globfree(&gl);
	}
}

static const prot_id *protected_id(const protection *p, const struct stat *st)
{
	for (size_t i = 0; i < p->n_ids; i++)
		if (p->ids[i].dev == st->st_dev && p->ids[i].ino == st->st_ino)
			return &p->ids[i];
	return NULL;
}

static void protection_free(protection *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].glob);
	free(p->v);
	free(p->ids);
	sv_clear(&p->own_home);
}

static bool path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return !strcmp(path, dir) || (str_starts(path, dir) && (path[n] == '/' || n == 1));
}

/* The deepest system directory the path lies strictly inside ("/" for
 * /tmp/x), or NULL inside the user's own passwd home. The rules choose
 * which of these count. */
static char *inside_system(const protection *p, const char *path)
{
	for (size_t i = 0; i < p->own_home.n; i++)
		if (path_within(path, p->own_home.v[i]))
			return NULL;
	autofree char *up = xstrdup(path);
	char *slash;
	while ((slash = strrchr(up, '/')) != NULL) {
		if (slash == up)
			up[1] = '\0'; /* the parent of /x is / */
		else
			*slash = '\0';
		for (size_t i = 0; i < p->n; i++)
			if (!strcmp(p->v[i].kind, "system") &&
			    fnmatch(p->v[i].glob, up, FNM_PATHNAME) == 0)
				return xstrdup(up);
		if (!strcmp(up, "/"))
			break;
	}
	return NULL;
}

/* Looked up from the directory's fd: dir + name may be longer than
 * PATH_MAX when dir is not. */
static bool dir_lookup(const char *dir, const char *name, struct stat *st)
{
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool ok = fstatat(fd, name, st, AT_SYMLINK_NOFOLLOW) == 0;
	close(fd);
	return ok;
}

static bool dir_has_file(const char *dir, const char *name)
{
	struct stat st;
	return dir_lookup(dir, name, &st) && S_ISREG(st.st_mode);
}

static bool dir_has_entry(const char *dir, const char *name)
{
	struct stat st;
	return dir_lookup(dir, name, &st);
}

/* A PostgreSQL data directory at, or above, the path. */
static void check_pgdata(hits *h, const char *path, bool is_dir)
{
	if (is_dir && dir_has_file(path, "PG_VERSION"))
		add_hit(h, "pgdata", path, "self");
	autofree char *up = xstrdup(path);
	char *slash;
	while ((slash = strrchr(up, '/')) != NULL) {
		if (slash == up) {
			up[1] = '\0';
		} else {
			*slash = '\0';
		}
		if (dir_has_file(up, "PG_VERSION")) {
			add_hit(h, "pgdata", up, "inside");
			return;
		}
		if (strcmp(up, "/") == 0)
			return;
	}
}

static void check_git(hits *h, const char *path, bool is_dir)
{
	if (strcmp(base_name(path), ".git") == 0)
		add_hit(h, "git", path, "self");
	else if (is_dir && dir_has_entry(path, ".git")) {
		autofree char *g = join_path(path, ".git");
		add_hit(h, "git", g, "ancestor");
	}
	const char *p = strstr(path, "/.git/");
	if (p) {
		autofree char *g = xstrndup(path, (size_t)(p - path) + 5);
		add_hit(h, "git", g, "inside");
	}
}

/* ---- bounded scan of what a recursive removal takes ------------------- */

/* Does a protected glob name path as it is written? */
static bool text_protected(const protection *p, const char *path)
{
	for (size_t i = 0; i < p->n; i++)
		if (fnmatch(p->v[i].glob, path, FNM_PATHNAME) == 0)
			return true;
	return false;
}

/* A directory that is a protected one under another path (a bind mount):
 * the operand contains that protected directory. */
static void scan_identity(scan *s, const char *sub, const struct stat *st, const char *relation)
{
	const prot_id *id = protected_id(s->prot, st);
	if (!id)
		return;
	add_hit(s->h, id->kind, id->path, relation);
	/* Worth a note only when the path itself names nothing protected:
	 * /usr/sbin is /sbin on a merged-/usr system, and a child of /usr
	 * anyway. */
	if (!text_protected(s->prot, sub))
		sv_push_steal(&s->notes, xasprintf("%s is the protected directory %s under another "
		                                   "path (a bind mount)",
		                                   sub, id->path));
}

static void scan_dir(scan *s, int dfd, const char *path, int depth)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;

	if (!d) {
		close(dfd);
		s->failed = true;
		return;
	}
	if (depth > MAX_SCAN_DEPTH) {
		s->truncated = true;
		closedir(d);
		return;
	}
	while (!s->truncated && (de = readdir(d))) {
		struct stat st;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (++s->entries > s->limit) {
			s->truncated = true;
			break;
		}
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			s->failed = true;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			s->bytes += st.st_size;
			if (!s->pgdata && !strcmp(de->d_name, "PG_VERSION") && S_ISREG(st.st_mode))
				s->pgdata = xstrdup(path);
			if (!s->git && !strcmp(de->d_name, ".git"))
				s->git = join_path(path, de->d_name);
			continue;
		}
		autofree char *sub = join_path(path, de->d_name);
		if (!s->git && !strcmp(de->d_name, ".git"))
			s->git = xstrdup(sub);
		scan_identity(s, sub, &st, "ancestor");
		if (s->one_fs && st.st_dev != s->dev)
			continue;
		int fd =
		    openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			s->failed = true;
			continue;
		}
		scan_dir(s, fd, sub, depth + 1);
	}
	closedir(d);
}

static void scan_tree(scan *s, const char *path, const struct stat *top)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	s->entries = 1;
	s->dev = top->st_dev;
	protection_ids(s->prot);
	scan_identity(s, path, top, "self");
	if (fd < 0) {
		s->failed = true;
		return;
	}
	scan_dir(s, fd, path, 1);
}

/* ---- facts ------------------------------------------------------------ */

static const char *const kind_order[] = {"system", "home", "secrets",
                                         "pgdata", "git",  "configured"};

static void put_hits(operation *op, hits *h)
{
	strbuf kinds = {0};
	const hit *first = NULL;

	for (size_t k = 0; k < sizeof kind_order / sizeof *kind_order; k++) {
		for (size_t i = 0; i < h->n; i++) {
			if (strcmp(h->v[i].kind, kind_order[k]) != 0)
				continue;
			if (!first)
				first = &h->v[i];
			if (!kinds.len || !strstr(kinds.s, kind_order[k])) {
				if (kinds.len)
					sb_putc(&kinds, ' ');
				sb_puts(&kinds, kind_order[k]);
			}
			autofree char *name = xasprintf("protected_%s", kind_order[k]);
			autofree char *rel = xasprintf("relation_%s", kind_order[k]);
			if (!fs_get(&op->f, name)) {
				fs_set(&op->f, name, h->v[i].path);
				fs_set(&op->f, rel, h->v[i].relation);
			}
		}
	}
	if (first) {
		fs_set(&op->f, "protected", first->path);
		fs_set(&op->f, "protected_kind", kinds.s);
		fs_set(&op->f, "relation", first->relation);
	}
	sb_free(&kinds);
	for (size_t i = 0; i < h->n; i++)
		free(h->v[i].path);
}

static void human_bytes(char *buf, size_t n, long long b)
{
	const char *unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)b;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, n, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

static void put_scan(facts *fx, operation *op, const char *path, scan *s, hits *h)
{
	char hb[32];

	fs_setf(&op->f, "entries", "%ld", s->truncated ? s->limit : s->entries);
	fs_setf(&op->f, "bytes", "%lld", s->bytes);
	fs_set(&op->f, "scan", s->truncated ? "truncated" : s->failed ? "incomplete" : "complete");
	human_bytes(hb, sizeof hb, s->bytes);
	long n = s->truncated ? s->limit : s->entries;
	sv_push_steal(&fx->notes, xasprintf("%s: %s%ld %s, %s would be removed", path,
	                                    s->truncated ? "more than " : "", n,
	                                    n == 1 ? "entry" : "entries", hb));
	if (s->pgdata)
		add_hit(h, "pgdata", s->pgdata, "ancestor");
	if (s->git)
		add_hit(h, "git", s->git, "ancestor");
	for (size_t i = 0; i < s->notes.n; i++)
		sv_push(&fx->notes, s->notes.v[i]);
	sv_clear(&s->notes);
	free(s->pgdata);
	free(s->git);
}

static void check_protected(const protection *p, hits *h, const char *path, bool is_dir)
{
	for (size_t i = 0; i < p->n; i++)
		check_glob(h, p->v[i].glob, p->v[i].kind, path, p->v[i].inside_counts);
	check_pgdata(h, path, is_dir);
	check_git(h, path, is_dir);
}

static void put_flags(operation *op, const rm_opts *o)
{
	fs_set(&op->f, "recursive", o->recursive ? "yes" : "no");
	fs_set(&op->f, "force", o->force ? "yes" : "no");
	fs_set(&op->f, "dir", o->dir ? "yes" : "no");
	fs_set(&op->f, "interactive", o->interactive);
	fs_set(&op->f, "one_file_system", o->one_fs ? "yes" : "no");
	fs_set(&op->f, "preserve_root", o->preserve);
	fs_set(&op->f, "no_preserve_root", strcmp(o->preserve, "no") == 0 ? "yes" : "no");
}

/* lstat of the operand, following a final symlink for "link/" as rm does.
 * Returns 0, or the errno of a lookup that failed. */
static int look_up(char **path, bool slash, struct stat *st)
{
	if (lstat(*path, st) != 0)
		return errno;
	if (slash && S_ISLNK(st->st_mode)) {
		/* "link/": rm reaches the directory the link points to. */
		char *real = realpath(*path, NULL);
		struct stat rst;
		if (!real)
			return lookup_unknown(errno) ? errno : 0;
		if (stat(real, &rst) == 0 && S_ISDIR(rst.st_mode)) {
			free(*path);
			*path = real;
			*st = rst;
			return 0;
		}
		free(real);
	}
	return 0;
}

static void put_type(operation *op, int lookup_err, int parent_err, const struct stat *st)
{
	int e = parent_err ? parent_err : lookup_err;

	if (e && lookup_unknown(e)) {
		/* Not "missing": the real rm, relative to its cwd, may well find
		 * it. Unknown means dangerous. */
		fs_set(&op->f, "type", "unknown");
		fs_set(&op->f, "error", strerror(e));
	} else {
		fs_set(&op->f, "type", e ? "missing" : file_type(st));
	}
}

static void put_inside_system(operation *op, const protection *p, const char *path)
{
	autofree char *in = inside_system(p, path);
	if (in)
		fs_set(&op->f, "inside_system", in);
}

static void analyse_operand(const invocation *inv, protection *p, facts *fx, const rm_opts *o,
                            const char *operand)
{
	bool slash;
	int parent_err = 0;
	autofree char *last = NULL;
	autofree char *path = resolve_operand(inv->cwd, operand, &slash, &last, &parent_err);
	struct stat st;
	hits h = {0};

	if (!strcmp(last, ".") || !strcmp(last, "..")) {
		operation *op = facts_add_op(fx, "refused-operand");
		fs_set(&op->f, "operand", operand);
		fs_set(&op->f, "token", last);
		return;
	}
	int lookup_err = look_up(&path, slash, &st);
	bool exists = lookup_err == 0 && parent_err == 0;
	operation *op = facts_add_op(fx, "remove");
	fs_set(&op->f, "operand", operand);
	fs_set(&op->f, "path", path);
	fs_set(&op->f, "basename", strcmp(path, "/") ? base_name(path) : "/");
	fs_set(&op->f, "token", strcmp(path, "/") ? base_name(path) : "/");
	put_type(op, lookup_err, parent_err, &st);
	put_flags(op, o);
	put_inside_system(op, p, path);
	bool is_dir = exists && S_ISDIR(st.st_mode);
	check_protected(p, &h, path, is_dir);
	if (is_dir && o->recursive) {
		scan s = {.limit = inv->cfg->scan_limit, .one_fs = o->one_fs, .prot = p, .h = &h};
		scan_tree(&s, path, &st);
		put_scan(fx, op, path, &s, &h);
	} else {
		fs_set(&op->f, "entries", exists ? "1" : "0");
		fs_setf(&op->f, "bytes", "%lld", exists && !is_dir ? (long long)st.st_size : 0LL);
		fs_set(&op->f, "scan", "none");
	}
	put_hits(op, &h);
	facts_consider(fx, inv->cfg, NAME_PATH, path);
	/* A data directory is a database whose environment nothing tells us:
	 * unknown means dangerous. */
	if (fs_get(&op->f, "protected_pgdata"))
		facts_adopt_env(fx, inv->cfg, inv->cfg->unknown_remote);
}

bool analyse_rm(const invocation *inv, facts *fx, char *err, size_t errlen)
{
	rm_opts o = {0};

	(void)err;
	(void)errlen;
	parse_rm_argv(inv, &o);
	for (size_t i = 0; i < o.unknown.n; i++) {
		operation *op = facts_add_op(fx, "unknown-option");
		fs_set(&op->f, "option", o.unknown.v[i]);
		fs_set(&op->f, "token", "rm");
	}
	if (!strcmp(o.preserve, "no")) {
		operation *op = facts_add_op(fx, "flag");
		fs_set(&op->f, "name", "no-preserve-root");
		fs_set(&op->f, "token", "rm");
	}
	/* rm --help/--version prints and exits; an unknown option makes rm stop
	 * before removing anything. Operands are still analysed: interlock may
	 * not agree with the real rm on what is an option. */
	protection guard;
	protection_build(&guard, inv);
	for (size_t i = 0; i < o.operands.n; i++)
		analyse_operand(inv, &guard, fx, &o, o.operands.v[i]);
	protection_free(&guard);
	strbuf paths = {0};
	for (size_t i = 0; i < fx->n_ops; i++) {
		const char *p = fs_get(&fx->ops[i].f, "path");
		if (p) {
			if (paths.len)
				sb_putc(&paths, '\n');
			sb_puts(&paths, p);
		}
	}
	fs_set(&fx->target, "paths", paths.s ? paths.s : "");
	sb_free(&paths);
	facts_settle_environment(fx, inv->cfg);
	sv_clear(&o.operands);
	sv_clear(&o.unknown);
	return true;
}
