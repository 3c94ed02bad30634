/* pg_wrapper.c - the psql or pg_restore command as Debian's pg_wrapper
 * hands it on (see pg_wrapper.h for what is modelled and why). The rules
 * here follow pg_wrapper's Perl line by line; where it uses a regular
 * expression, the comment quotes it. */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pg_wrapper.h"

#define BINROOT         "/usr/lib/postgresql/"
#define DEFAULT_PORT    "5432"
#define DEFAULT_SOCKDIR "/var/run/postgresql"

bool is_pg_wrapper(const char *path)
{
	char buf[PATH_MAX];

	return path && realpath(path, buf) && strcmp(base_name(buf), "pg_wrapper") == 0;
}

/* What pg_wrapper works out: a cluster "version/name", a database from
 * the user map, and whether host or port were given. */
typedef struct {
	char *version; /* owned */
	char *cluster; /* owned */
	char *db;      /* owned: from the user map, NULL for "*" */
	const char *from;
	bool explicit_host, explicit_port;
	int cluster_arg;  /* index in argv of --cluster, -1 if none */
	int cluster_argc; /* 1 or 2 words */
} choice;

static bool is_word(int c)
{
	return isalnum(c) || c == '_';
}

static bool all_word(const char *s)
{
	for (; *s; s++)
		if (!is_word((unsigned char)*s))
			return false;
	return true;
}

static bool all_digits(const char *s)
{
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* /^--host\b/ || /^-\w*h\w*$/ */
static bool host_option(const char *a)
{
	if (str_starts(a, "--host") && !is_word((unsigned char)a[6]))
		return true;
	return a[0] == '-' && a[1] && all_word(a + 1) && strchr(a + 1, 'h');
}

/* /^--port\b(?:=(\d+))?/ || /^-\w*p(\d+)?$/: true when it is a port
 * option; *inline_value gets $1 (a copy), or NULL when the port is the
 * next word. */
static bool port_option(const char *a, char **inline_value)
{
	*inline_value = NULL;
	if (str_starts(a, "--port") && !is_word((unsigned char)a[6])) {
		size_t n = a[6] == '=' ? strspn(a + 7, "0123456789") : 0;
		if (n)
			*inline_value = xstrndup(a + 7, n);
		return true;
	}
	if (a[0] != '-' || !a[1] || !all_word(a + 1))
		return false;
	/* \w* is greedy: the last 'p' followed by digits only */
	for (const char *p = a + strlen(a) - 1; p > a; p--) {
		if (*p == 'p' && all_digits(p + 1)) {
			if (p[1])
				*inline_value = xstrdup(p + 1);
			return true;
		}
	}
	return false;
}

static bool version_exists(const char *v)
{
	if (!*v || strchr(v, '/') || !strcmp(v, ".") || !strcmp(v, ".."))
		return false;
	autofree char *psql = xasprintf(BINROOT "%s/bin/psql", v);
	return access(psql, X_OK) == 0;
}

static const char *conf_root(const invocation *inv)
{
	const char *r = inv_getenv(inv, "PG_CLUSTER_CONF_ROOT");
	return r && *r ? r : "/etc/postgresql";
}

/* A local cluster: a directory holding postgresql.conf (or a dead link). */
static bool cluster_exists(const invocation *inv, const char *v, const char *c)
{
	struct stat st;

	if (!*c || strchr(c, '/') || !strcmp(c, ".") || !strcmp(c, ".."))
		return false;
	autofree char *conf = xasprintf("%s/%s/%s/postgresql.conf", conf_root(inv), v, c);
	return lstat(conf, &st) == 0;
}

/* /^(\S+):(\d*)$/: a remote cluster "host:port". */
static bool network_cluster(const char *c, char **host, char **port)
{
	const char *colon = strrchr(c, ':');

	if (!colon || colon == c || !all_digits(colon + 1))
		return false;
	for (const char *p = c; p < colon; p++)
		if (isspace((unsigned char)*p))
			return false;
	if (host) {
		*host = xstrndup(c, (size_t)(colon - c));
		*port = xstrdup(colon[1] ? colon + 1 : DEFAULT_PORT);
	}
	return true;
}

/* split('/', s, 2) into version and cluster */
static void split_cluster(const char *s, choice *ch)
{
	const char *slash = strchr(s, '/');

	free(ch->version);
	free(ch->cluster);
	ch->version = slash ? xstrndup(s, (size_t)(slash - s)) : xstrdup(s);
	ch->cluster = slash ? xstrdup(slash + 1) : xstrdup("");
}

static bool check_choice(const choice *ch, const char *what, char *err, size_t errlen)
{
	if (!version_exists(ch->version)) {
		snprintf(err, errlen, "pg_wrapper: invalid version %s specified %s", ch->version,
		         what);
		return false;
	}
	if (!*ch->cluster) {
		snprintf(err, errlen, "pg_wrapper: no cluster specified %s", what);
		return false;
	}
	return true;
}

/* (\d+\.?\d)\/(.+) at the start of v: a version of two or more digits,
 * or digits, a dot and one digit; a slash; something. */
static bool cluster_value_ok(const char *v)
{
	const char *slash = strchr(v, '/');
	size_t n = slash ? (size_t)(slash - v) : 0;
	size_t digits = strspn(v, "0123456789");

	if (!slash || !slash[1] || n < 2 || !isdigit((unsigned char)v[n - 1]))
		return false;
	return digits == n || (digits == n - 2 && v[digits] == '.' && digits > 0);
}

/* The --cluster option, -h and -p as pg_wrapper's loop sees them. */
static bool scan_argv(const invocation *inv, choice *ch, char *err, size_t errlen)
{
	for (int i = 1; i < inv->argc; i++) {
		const char *a = inv->argv[i];
		if (!strcmp(a, "--"))
			break;
		if (!strcmp(a, "--cluster")) {
			if (i + 1 >= inv->argc) {
				snprintf(err, errlen,
				         "pg_wrapper: --cluster option needs an argument "
				         "(<version>/<cluster>)");
				return false;
			}
			split_cluster(inv->argv[i + 1], ch);
			ch->cluster_arg = i, ch->cluster_argc = 2, ch->from = "--cluster";
			return check_choice(ch, "with --cluster", err, errlen);
		}
		/* /^--cluster=(\d+\.?\d)\/(.+)/ */
		if (str_starts(a, "--cluster=") && cluster_value_ok(a + 10)) {
			const char *v = a + 10;
			{
				split_cluster(v, ch);
				ch->cluster_arg = i, ch->cluster_argc = 1, ch->from = "--cluster";
				return check_choice(ch, "with --cluster", err, errlen);
			}
		}
		if (host_option(a)) {
			free(ch->version), free(ch->cluster);
			ch->version = ch->cluster = NULL;
			ch->explicit_host = true;
		}
		autofree char *port = NULL;
		if (port_option(a, &port) && (port || i + 1 < inv->argc))
			ch->explicit_port = true;
	}
	return true;
}

/* One line of a map file: the fields split on white space, '#' comments
 * removed. Returns how many fields (at most max). */
static int split_fields(char *line, char **f, int max)
{
	int n = 0;
	char *hash = strchr(line, '#');

	if (hash)
		*hash = '\0';
	for (char *tok = strtok(line, " \t\r\n\f\v"); tok && n < max;
	     tok = strtok(NULL, " \t\r\n\f\v"))
		f[n++] = tok;
	return n;
}

static bool usable_cluster(const invocation *inv, const char *v, const char *c)
{
	return version_exists(v) && (cluster_exists(inv, v, c) || network_cluster(c, NULL, NULL));
}

static bool take_mapping(choice *ch, const char *v, const char *c, const char *db, const char *from)
{
	ch->version = xstrdup(v);
	ch->cluster = xstrdup(c);
	ch->db = strcmp(db, "*") ? xstrdup(db) : NULL;
	ch->from = from;
	return true;
}

/* user_cluster_map(): ~/.postgresqlrc, then user_clusters. */
static bool user_cluster_map(const invocation *inv, choice *ch)
{
	const char *home = inv_getenv(inv, "HOME");
	autofree char *rc = xasprintf("%s/.postgresqlrc", home && *home ? home : inv->cfg->home);
	char *line = NULL;
	size_t cap = 0;
	bool found = false;
	FILE *f = fopen(rc, "r");

	while (f && !found && getline(&line, &cap, f) > 0) {
		char *w[3];
		if (split_fields(line, w, 3) == 3 && usable_cluster(inv, w[0], w[1]))
			found = take_mapping(ch, w[0], w[1], w[2], "~/.postgresqlrc");
	}
	if (f)
		fclose(f);
	const char *sysconf = inv_getenv(inv, "PGSYSCONFDIR");
	autofree char *map =
	    xasprintf("%s/user_clusters", sysconf && *sysconf ? sysconf : "/etc/postgresql-common");
	f = found ? NULL : fopen(map, "r");
	struct passwd *pw = f ? getpwuid(geteuid()) : NULL;
	struct group *gr = pw ? getgrgid(pw->pw_gid) : NULL;
	while (f && !found && getline(&line, &cap, f) > 0) {
		char *w[5];
		if (split_fields(line, w, 5) != 5 || !usable_cluster(inv, w[2], w[3]))
			continue;
		if ((!strcmp(w[0], "*") || (pw && !strcmp(w[0], pw->pw_name))) &&
		    (!strcmp(w[1], "*") || (gr && !strcmp(w[1], gr->gr_name))))
			found = take_mapping(ch, w[2], w[3], w[4], "user_clusters");
	}
	if (f)
		fclose(f);
	free(line);
	return found;
}

/* The value of key in a postgresql.conf (last one wins), unquoted, first
 * item of a list; NULL when absent. */
static char *conf_value(const char *path, const char *key)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *val = NULL;
	size_t cap = 0, klen = strlen(key);

	while (f && getline(&line, &cap, f) > 0) {
		char *p = line + strspn(line, " \t");
		if (strncmp(p, key, klen) || (p[klen] != ' ' && p[klen] != '\t' && p[klen] != '='))
			continue;
		p += klen + strspn(p + klen, " \t");
		if (*p == '=')
			p++;
		p += strspn(p, " \t'");
		size_t n = strcspn(p, "',# \t\r\n");
		free(val);
		val = n ? xstrndup(p, n) : NULL;
	}
	if (f)
		fclose(f);
	free(line);
	return val;
}

static void set_env(strvec *env, const char *name, const char *value)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < env->n; i++) {
		if (!strncmp(env->v[i], name, n) && env->v[i][n] == '=') {
			free(env->v[i]);
			env->v[i] = xasprintf("%s=%s", name, value);
			return;
		}
	}
	sv_push_steal(env, xasprintf("%s=%s", name, value));
}

static bool env_set_nonempty(const invocation *inv, const char *name)
{
	const char *v = inv_getenv(inv, name);
	return v && *v;
}

bool pg_wrapper_view(const invocation *inv, invocation *out, strvec *argv, strvec *env, char **note,
                     char *err, size_t errlen)
{
	choice ch = {.cluster_arg = -1};
	bool ok = true;

	*out = *inv;
	*note = NULL;
	ch.explicit_host = inv_getenv(inv, "PGHOST") != NULL;
	ch.explicit_port = env_set_nonempty(inv, "PGPORT");
	const char *pgcluster = inv_getenv(inv, "PGCLUSTER");
	if (pgcluster && !ch.explicit_host) {
		split_cluster(pgcluster, &ch);
		ch.from = "PGCLUSTER";
		ok = check_choice(&ch, "in PGCLUSTER", err, errlen);
	}
	ok = ok && scan_argv(inv, &ch, err, errlen);
	if (ok && !ch.cluster && !ch.explicit_host && !ch.explicit_port)
		user_cluster_map(inv, &ch);

	autofree char *host = NULL, *port = NULL;
	if (ok && ch.cluster && !network_cluster(ch.cluster, &host, &port)) {
		if (!cluster_exists(inv, ch.version, ch.cluster)) {
			snprintf(err, errlen, "pg_wrapper: cluster %s %s (from %s) does not exist",
			         ch.version, ch.cluster, ch.from);
			ok = false;
		} else {
			autofree char *conf = xasprintf("%s/%s/%s/postgresql.conf", conf_root(inv),
			                                ch.version, ch.cluster);
			host = conf_value(conf, "unix_socket_directories");
			if (!host)
				host = xstrdup(DEFAULT_SOCKDIR);
			port = conf_value(conf, "port");
			if (!port)
				port = xstrdup(DEFAULT_PORT);
		}
	}
	if (ok && (ch.cluster || ch.db)) {
		for (int i = 0; i < inv->argc; i++)
			if (i < ch.cluster_arg || i >= ch.cluster_arg + ch.cluster_argc ||
			    ch.cluster_arg < 0)
				sv_push(argv, inv->argv[i]);
		for (char *const *e = inv->envp; e && *e; e++)
			sv_push(env, *e);
		strbuf b = {0};
		sb_printf(&b,
		          "pg_wrapper (Debian's psql and pg_restore) chooses cluster %s/%s from %s",
		          ch.version, ch.cluster, ch.from);
		if (host) {
			set_env(env, "PGHOST", host);
			sb_printf(&b, ": PGHOST=%s", host);
		}
		if (port && !env_set_nonempty(inv, "PGPORT")) {
			set_env(env, "PGPORT", port);
			sb_printf(&b, " PGPORT=%s", port);
		}
		if (ch.db && !env_set_nonempty(inv, "PGDATABASE")) {
			set_env(env, "PGDATABASE", ch.db);
			sb_printf(&b, " PGDATABASE=%s", ch.db);
		}
		out->argc = (int)argv->n;
		out->argv = argv->v;
		out->envp = env->v;
		out->wrapped_env = true;
		*note = sb_steal(&b);
	}
	free(ch.version);
	free(ch.cluster);
	free(ch.db);
	return ok;
}
