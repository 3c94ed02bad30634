/* target.c - which PostgreSQL server, database and user a psql or
 * pg_restore invocation reaches, worked out the way libpq 15 does it:
 *
 *   1. the command line: -h, -p, -U, then -d; psql passes -d with
 *      expand_dbname, so a connection string or URI there is parsed by
 *      libpq's own PQconninfoParse and every value inside it overrides
 *      -h/-p/-U;
 *   2. the service (service= from step 1, else PGSERVICE), which fills
 *      only what step 1 left unset;
 *   3. the PG* environment variables, for what is still unset;
 *   4. libpq's compiled-in defaults, the OS user, dbname = user;
 *   5. the host, hostaddr and port lists split into one slot per host.
 *
 * libpq is loaded with dlopen() here and nowhere else: linking it would add
 * about 25 shared libraries, ~2.5 ms, to every start of interlock, which
 * runs in front of every rm. The comments quote libpq's behaviour where it
 * is surprising; each such case has a test in tests/unit/test_pg_target.c
 * that was checked against the real libpq 15.18. */
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ini.h>
/* Types and prototypes only (the Makefile's include path lacks
 * /usr/include/postgresql, hence the directory in the name). */
#include <postgresql/libpq-fe.h>

#include "pg_target.h"

/* Debian's libpq is built with these; both strings are in libpq.so.5.
 * Neither is exposed by libpq's API. */
#define DEFAULT_SOCKET_DIR "/var/run/postgresql"
#define DEFAULT_SYSCONFDIR "/etc/postgresql-common"

/* ---- libpq, loaded on demand -------------------------------------------- */

typedef struct {
	void *handle;
	__typeof__(PQconninfoParse) *conninfo_parse;
	__typeof__(PQconninfoFree) *conninfo_free;
	__typeof__(PQfreemem) *freemem;
} libpq_api;

/* The one piece of process-wide mutable state: libpq stays loaded once
 * loaded. Closing it after each call would unload and reload its ~25
 * libraries on the next, and unloading libraries that register exit
 * handlers (OpenSSL, Kerberos) is not safe. interlock is single-threaded,
 * so there is no lock. */
static libpq_api libpq;

static bool libpq_load(char *err, size_t errlen)
{
	if (libpq.handle)
		return true;
	void *h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(err, errlen, "cannot load libpq to tell which server is reached: %s",
		         dlerror());
		return false;
	}
	/* dlsym returns void *; POSIX guarantees it converts to a function pointer */
	libpq.conninfo_parse = (__typeof__(PQconninfoParse) *)dlsym(h, "PQconninfoParse");
	libpq.conninfo_free = (__typeof__(PQconninfoFree) *)dlsym(h, "PQconninfoFree");
	libpq.freemem = (__typeof__(PQfreemem) *)dlsym(h, "PQfreemem");
	if (!libpq.conninfo_parse || !libpq.conninfo_free || !libpq.freemem) {
		snprintf(err, errlen, "libpq.so.5 lacks PQconninfoParse/PQconninfoFree/PQfreemem");
		dlclose(h);
		return false;
	}
	libpq.handle = h;
	return true;
}

static void conninfo_freep(PQconninfoOption **p)
{
	if (*p)
		libpq.conninfo_free(*p);
}
#define autoconninfo __attribute__((cleanup(conninfo_freep)))

static void pq_freememp(char **p)
{
	if (*p)
		libpq.freemem(*p);
}
#define autopqmem __attribute__((cleanup(pq_freememp)))

/* ---- the settings being resolved ---------------------------------------- */

/* Where a value came from, in libpq's order of precedence. */
typedef enum { FROM_OPTION, FROM_CONNSTR, FROM_SERVICE, FROM_ENV, FROM_DEFAULT } origin;

typedef struct {
	const PQconninfoOption *def; /* libpq's: keyword, envvar, compiled default */
	char *val;                   /* owned; NULL = not set (yet) */
	origin from;
} setting;

typedef struct {
	PQconninfoOption *defs; /* libpq's list of every keyword it knows */
	setting *v;
	size_t n;
	const char *connstr_kind; /* "conninfo" or "URI" when -d was expanded */
	char *service;            /* owned: the service in effect, or NULL */
	char *service_file;       /* owned: where it was found, for the note */
} settings;

static void settings_free(settings *st)
{
	for (size_t i = 0; i < st->n; i++)
		free(st->v[i].val);
	free(st->v);
	free(st->service);
	free(st->service_file);
	conninfo_freep(&st->defs);
	*st = (settings){0};
}

/* libpq's messages end in a newline; ours do not. */
static void copy_libpq_message(char *err, size_t errlen, const char *prefix, const char *msg)
{
	size_t n = msg ? strcspn(msg, "\n") : 0;
	snprintf(err, errlen, "%s%.*s", prefix, (int)n, msg ? msg : "out of memory");
}

/* Parsing an empty string is the documented way to get libpq's full list
 * of keywords with their environment variables and compiled defaults,
 * without PQconndefaults' side effects (it reads this process's
 * environment and service files). */
static bool settings_init(settings *st, char *err, size_t errlen)
{
	autopqmem char *msg = NULL;

	*st = (settings){0};
	st->defs = libpq.conninfo_parse("", &msg);
	if (!st->defs) {
		copy_libpq_message(err, errlen, "libpq: ", msg);
		return false;
	}
	while (st->defs[st->n].keyword)
		st->n++;
	st->v = xcalloc(st->n, sizeof(*st->v));
	for (size_t i = 0; i < st->n; i++)
		st->v[i].def = &st->defs[i];
	return true;
}

static setting *setting_find(settings *st, const char *keyword)
{
	for (size_t i = 0; i < st->n; i++)
		if (strcmp(st->v[i].def->keyword, keyword) == 0)
			return &st->v[i];
	return NULL;
}

static const char *value_of(settings *st, const char *keyword)
{
	setting *s = setting_find(st, keyword);
	return s ? s->val : NULL;
}

static void set_value(setting *s, const char *val, origin from)
{
	free(s->val);
	s->val = xstrdup(val);
	s->from = from;
}

/* getenv() on the invocation's environment; the first entry wins, as with
 * getenv(). */
static const char *env_get(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

static bool empty(const char *s)
{
	return !s || !*s;
}

/* ---- 1. the command line ------------------------------------------------- */

/* libpq's recognized_connection_string(): a URI prefix or any '='. */
static const char *connection_string_kind(const char *dbname)
{
	if (str_starts(dbname, "postgresql://") || str_starts(dbname, "postgres://"))
		return "URI";
	return strchr(dbname, '=') ? "conninfo" : NULL;
}

/* PQconnectdbParams skips empty values: `psql -h ''` leaves PGHOST in play. */
static void set_given(settings *st, const char *keyword, const char *val)
{
	if (!empty(val))
		set_value(setting_find(st, keyword), val, FROM_OPTION);
}

/* Every value the string sets replaces -h/-p/-U, even an empty one: a
 * multi-host URI without ports yields port="," and so overrides -p and
 * PGPORT with 5432 on every host. */
static bool expand_dbname(settings *st, const char *conninfo, const char *kind, char *err,
                          size_t errlen)
{
	autopqmem char *msg = NULL;
	autoconninfo PQconninfoOption *parsed = libpq.conninfo_parse(conninfo, &msg);

	if (!parsed) {
		copy_libpq_message(err, errlen, "invalid connection string in -d: ", msg);
		return false;
	}
	for (PQconninfoOption *o = parsed; o->keyword; o++) {
		setting *s = setting_find(st, o->keyword);
		if (o->val && s)
			set_value(s, o->val, FROM_CONNSTR);
	}
	st->connstr_kind = kind;
	return true;
}

/* psql and pg_restore pass host, port, user, then dbname, so a connection
 * string in dbname is applied last and wins. */
static bool apply_command_line(settings *st, const pg_conn_args *a, char *err, size_t errlen)
{
	set_given(st, "host", a->host);
	set_given(st, "port", a->port);
	set_given(st, "user", a->user);
	if (empty(a->dbname))
		return true;
	const char *kind = connection_string_kind(a->dbname);
	if (kind)
		return expand_dbname(st, a->dbname, kind, err, errlen);
	set_given(st, "dbname", a->dbname);
	return true;
}

/* ---- 2. the service file -------------------------------------------------- */

/* libpq's service file is not quite INI: no continuation lines, no ';'
 * comments, no ':' separator, no spaces around '=', and only the first
 * group of a name counts. So each line is classified the way libpq's
 * parseServiceFile() does, and inih is handed a canonical stand-in for
 * it: the group we want, some other group, or a setting whose text the
 * handler then takes from the original line. */
#define WANTED_GROUP "wanted"
#define OTHER_GROUP  "other"

typedef struct {
	settings *st;
	FILE *f;
	const char *path;
	const char *service;
	char raw[1024];   /* libpq reads with fgets() into 1024 bytes */
	const char *line; /* raw, trimmed as libpq trims it */
	int lineno;
	bool found; /* the service's group has begun */
	bool failed;
	char *err;
	size_t errlen;
} service_file;

PRINTF(2, 3) static int service_fail(service_file *sf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sf->err, sf->errlen, fmt, ap);
	va_end(ap);
	sf->failed = true;
	return 0;
}

static char *trim_space(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

/* libpq: "[" + service + "]", anything may follow. */
static bool opens_group(const char *line, const char *service)
{
	size_t n = strlen(service);
	return strncmp(line + 1, service, n) == 0 && line[n + 1] == ']';
}

static const char *classify_service_line(service_file *sf)
{
	if (sf->line[0] == '\0' || sf->line[0] == '#')
		return "";
	if (sf->line[0] == '[') {
		sf->found = opens_group(sf->line, sf->service);
		return sf->found ? "[" WANTED_GROUP "]" : "[" OTHER_GROUP "]";
	}
	return "setting=";
}

/* inih's reader. Ends the file where libpq stops reading it: at an error
 * or at the first group after the wanted one. */
static char *next_service_line(char *str, int num, void *stream)
{
	service_file *sf = stream;

	if (sf->failed || !fgets(sf->raw, sizeof sf->raw, sf->f))
		return NULL;
	sf->lineno++;
	/* libpq refuses such a line anywhere in the file, even outside the group */
	if (strlen(sf->raw) >= sizeof sf->raw - 1) {
		service_fail(sf, "line %d too long in service file \"%s\"", sf->lineno, sf->path);
		return NULL;
	}
	sf->line = trim_space(sf->raw);
	if (sf->found && sf->line[0] == '[')
		return NULL;
	snprintf(str, (size_t)num, "%s", classify_service_line(sf));
	return str;
}

/* One "key=value" line of the wanted group, split and checked as libpq
 * does: at the first '=', nothing trimmed, unknown keys are errors, and a
 * value never replaces one set on the command line. */
static int take_service_setting(service_file *sf)
{
	const char *line = sf->line;

	/* libpq would query an LDAP server here, which we cannot predict */
	if (str_starts(line, "ldap"))
		return service_fail(sf,
		                    "service \"%s\" is looked up in LDAP (\"%s\", line %d); "
		                    "interlock cannot tell which server that names",
		                    sf->service, sf->path, sf->lineno);
	const char *eq = strchr(line, '=');
	if (!eq)
		return service_fail(sf, "syntax error in service file \"%s\", line %d", sf->path,
		                    sf->lineno);
	autofree char *key = xstrndup(line, (size_t)(eq - line));
	if (strcmp(key, "service") == 0)
		return service_fail(sf,
		                    "nested service specifications not supported in service "
		                    "file \"%s\", line %d",
		                    sf->path, sf->lineno);
	setting *s = setting_find(sf->st, key);
	if (!s)
		return service_fail(sf, "syntax error in service file \"%s\", line %d", sf->path,
		                    sf->lineno);
	if (!s->val)
		set_value(s, eq + 1, FROM_SERVICE);
	return 1;
}

static int on_service_line(void *user, const char *section, const char *name, const char *value)
{
	(void)name; /* a placeholder: the real text is the original line */
	(void)value;
	if (strcmp(section, WANTED_GROUP) != 0)
		return 1;
	return take_service_setting(user);
}

typedef enum { SERVICE_ABSENT, SERVICE_FOUND, SERVICE_ERROR } service_result;

/* An optional file that does not exist is skipped (libpq stat()s
 * ~/.pg_service.conf and the system file first); any other file that
 * cannot be opened is an error. */
static service_result search_service_file(settings *st, const char *path, const char *label,
                                          bool optional, char *err, size_t errlen)
{
	struct stat sb;

	if (optional && stat(path, &sb) != 0)
		return SERVICE_ABSENT;
	service_file sf = {
	    .st = st, .path = path, .service = st->service, .err = err, .errlen = errlen};
	sf.f = fopen(path, "r");
	if (!sf.f) {
		snprintf(err, errlen, "service file \"%s\" not found", path);
		return SERVICE_ERROR;
	}
	int r = ini_parse_stream(next_service_line, &sf, on_service_line, &sf);
	fclose(sf.f);
	if (sf.failed)
		return SERVICE_ERROR;
	if (r < 0) {
		snprintf(err, errlen, "%s: cannot read", path);
		return SERVICE_ERROR;
	}
	if (!sf.found)
		return SERVICE_ABSENT;
	st->service_file = xstrdup(label);
	return SERVICE_FOUND;
}

/* libpq 15.18 takes the home directory from $HOME when it is set and not
 * empty, and only then from the password database (checked against the
 * real library: an older libpq used the password database only). */
static const char *home_dir(const pg_conn_args *a)
{
	const char *home = env_get(a->envp, "HOME");
	return empty(home) ? a->home : home;
}

/* PGSERVICEFILE, which must exist (libpq 15.18: "service file ... not
 * found" even when PGSERVICEFILE is empty), else ~/.pg_service.conf if it
 * exists; NULL when there is no home. */
static char *user_service_file(const pg_conn_args *a, const char **label, bool *optional)
{
	const char *file = env_get(a->envp, "PGSERVICEFILE");
	if (file) {
		*label = file;
		*optional = false;
		return xstrdup(file);
	}
	const char *home = home_dir(a);
	if (!home)
		return NULL;
	*label = "~/.pg_service.conf";
	*optional = true;
	return xasprintf("%s/.pg_service.conf", home);
}

static bool apply_service(settings *st, const pg_conn_args *a, char *err, size_t errlen)
{
	const char *name = value_of(st, "service");
	if (!name)
		name = env_get(a->envp, "PGSERVICE");
	if (!name)
		return true;
	/* even an empty name is looked up, and not found, as libpq does */
	st->service = xstrdup(name);

	const char *label = NULL;
	bool optional = true;
	autofree char *user_file = user_service_file(a, &label, &optional);
	service_result r = SERVICE_ABSENT;
	if (user_file)
		r = search_service_file(st, user_file, label, optional, err, errlen);
	if (r == SERVICE_ABSENT) {
		const char *dir = env_get(a->envp, "PGSYSCONFDIR");
		autofree char *sys_file =
		    xasprintf("%s/pg_service.conf", dir ? dir : DEFAULT_SYSCONFDIR);
		r = search_service_file(st, sys_file, sys_file, true, err, errlen);
	}
	if (r == SERVICE_ABSENT)
		snprintf(err, errlen, "definition of service \"%s\" not found", st->service);
	return r == SERVICE_FOUND;
}

/* ---- 3. and 4. the environment and the defaults ----------------------- */

/* An environment variable that is set counts even when empty: PGHOST=""
 * means the default socket, not "look further". */
static void apply_environment(settings *st, char *const *envp)
{
	for (size_t i = 0; i < st->n; i++) {
		setting *s = &st->v[i];
		const char *val = s->def->envvar ? env_get(envp, s->def->envvar) : NULL;
		if (!s->val && val)
			set_value(s, val, FROM_ENV);
	}
}

/* Compiled-in defaults, then the user and database libpq's
 * connectOptions2() falls back to, which also replace empty values. */
static bool apply_defaults(settings *st, const pg_conn_args *a, char *err, size_t errlen)
{
	for (size_t i = 0; i < st->n; i++)
		if (!st->v[i].val && st->v[i].def->compiled)
			set_value(&st->v[i], st->v[i].def->compiled, FROM_DEFAULT);
	setting *user = setting_find(st, "user");
	if (empty(user->val)) {
		if (empty(a->os_user)) {
			snprintf(err, errlen, "no user name given and the OS user is unknown");
			return false;
		}
		set_value(user, a->os_user, FROM_DEFAULT);
	}
	setting *dbname = setting_find(st, "dbname");
	if (empty(dbname->val))
		set_value(dbname, user->val, FROM_DEFAULT);
	return true;
}

/* ---- 5. one slot per host ------------------------------------------------- */

/* libpq's parse_comma_separated_list(): commas only, no trimming, no
 * quoting; "a,,b" has an empty middle item. */
static void split_commas(strvec *out, const char *list)
{
	for (const char *p = list;; p++) {
		size_t n = strcspn(p, ",");
		sv_push_steal(out, xstrndup(p, n));
		p += n;
		if (!*p)
			break;
	}
}

/* libpq's parse_int_param() and port range check; "" is libpq's default.
 * libpq checks a port only when it reaches that host (and then gives up
 * altogether); refusing up front can only make interlock more careful. */
static char *checked_port(const char *port, const char *fallback, char *err, size_t errlen)
{
	if (!*port)
		return xstrdup(fallback);
	while (isspace((unsigned char)*port))
		port++;
	char *end;
	errno = 0;
	long n = strtol(port, &end, 10);
	bool ok = end != port && errno == 0 && n == (int)n;
	while (ok && isspace((unsigned char)*end))
		end++;
	if (!ok || *end) {
		snprintf(err, errlen, "invalid integer value \"%s\" for connection option \"port\"",
		         port);
		return NULL;
	}
	if (n < 1 || n > 65535) {
		snprintf(err, errlen, "invalid port number: \"%s\"", port);
		return NULL;
	}
	return xasprintf("%ld", n);
}

/* The number of hosts comes from hostaddr when given, else from host. A
 * host list, when given, must then match the hostaddr list one to one. */
static bool split_hosts(settings *st, strvec *names, strvec *addrs, char *err, size_t errlen)
{
	const char *host = value_of(st, "host"), *hostaddr = value_of(st, "hostaddr");

	if (!empty(hostaddr))
		split_commas(addrs, hostaddr);
	if (!empty(host))
		split_commas(names, host);
	size_t slots = addrs->n ? addrs->n : names->n ? names->n : 1;
	if (addrs->n && names->n && names->n != addrs->n) {
		snprintf(err, errlen, "could not match %zu host names to %zu hostaddr values",
		         names->n, addrs->n);
		return false;
	}
	while (names->n < slots)
		sv_push(names, "");
	while (addrs->n && addrs->n < slots)
		sv_push(addrs, "");
	return true;
}

/* One port for every host, or exactly one per host. */
static bool split_ports(settings *st, size_t slots, strvec *out, char *err, size_t errlen)
{
	setting *port = setting_find(st, "port");
	const char *fallback = port->def->compiled ? port->def->compiled : "5432";
	strvec given = {0};

	split_commas(&given, empty(port->val) ? "" : port->val);
	if (given.n != 1 && given.n != slots) {
		snprintf(err, errlen, "could not match %zu port numbers to %zu hosts", given.n,
		         slots);
		sv_clear(&given);
		return false;
	}
	for (size_t i = 0; i < slots; i++) {
		char *p = checked_port(given.v[given.n == 1 ? 0 : i], fallback, err, errlen);
		if (!p) {
			sv_clear(&given);
			return false;
		}
		sv_push_steal(out, p);
	}
	sv_clear(&given);
	return true;
}

/* What PQhost() reports for a slot: the host name or socket directory,
 * else the hostaddr, else the default socket directory. */
static const char *slot_host(const char *name, const char *addr)
{
	if (*name)
		return name;
	return addr && *addr ? addr : DEFAULT_SOCKET_DIR;
}

/* names gets the host list as given, one item per slot ("" = none). */
static bool fill_slots(settings *st, pg_target *t, strvec *names, char *err, size_t errlen)
{
	if (!split_hosts(st, names, &t->hostaddrs, err, errlen))
		return false;
	for (size_t i = 0; i < names->n; i++)
		sv_push(&t->hosts,
		        slot_host(names->v[i], t->hostaddrs.n ? t->hostaddrs.v[i] : NULL));
	return split_ports(st, t->hosts.n, &t->ports, err, errlen);
}

/* ---- the connection string and the note ------------------------------- */

/* libpq's quoting: single quotes, with ' and \ escaped by a backslash. */
static void put_setting(strbuf *b, const char *key, const char *val)
{
	sb_printf(b, "%s%s='", b->len ? " " : "", key);
	for (const char *p = val; *p; p++) {
		if (*p == '\'' || *p == '\\')
			sb_putc(b, '\\');
		sb_putc(b, *p);
	}
	sb_putc(b, '\'');
}

static void put_list(strbuf *b, const char *key, char *const *items, size_t n)
{
	strbuf list = {0};

	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_putc(&list, ',');
		sb_puts(&list, items[i]);
	}
	put_setting(b, key, list.s ? list.s : "");
	sb_free(&list);
}

/* word is one of the space-separated words of list */
static bool one_of(const char *word, const char *list)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

/* Settings other than the target's own, as given: not the compiled
 * defaults, not secrets (libpq marks them '*'; the conninfo may be
 * logged), not debug options ('D': replication), not the service (already
 * applied), not the application name (the connection is interlock's). */
static bool copied_setting(const setting *s)
{
	const char *own = "host hostaddr port dbname user service application_name "
	                  "fallback_application_name";

	return s->val && s->from != FROM_DEFAULT && !one_of(s->def->keyword, own) &&
	       !strchr(s->def->dispchar, '*') && !strchr(s->def->dispchar, 'D');
}

/* The host names are passed on as given, with an empty one left empty
 * where a hostaddr stands alone, so that TLS and .pgpass see what psql's
 * libpq sees. Every target key is written, hostaddr too when empty, so
 * that neither the environment nor a service file of the process that
 * connects can move the target. */
static char *build_conninfo(settings *st, const pg_target *t, const strvec *names)
{
	strbuf b = {0};
	strvec hosts = {0};

	for (size_t i = 0; i < names->n; i++) {
		bool addr = t->hostaddrs.n && *t->hostaddrs.v[i];
		sv_push(&hosts, *names->v[i] || addr ? names->v[i] : DEFAULT_SOCKET_DIR);
	}
	put_list(&b, "host", hosts.v, hosts.n);
	put_list(&b, "hostaddr", t->hostaddrs.v, t->hostaddrs.n);
	put_list(&b, "port", t->ports.v, t->ports.n);
	put_setting(&b, "dbname", t->dbname);
	put_setting(&b, "user", t->user);
	for (size_t i = 0; i < st->n; i++)
		if (copied_setting(&st->v[i]))
			put_setting(&b, st->v[i].def->keyword, st->v[i].val);
	sv_clear(&hosts);
	return sb_steal(&b);
}

static const char *option_flag(const char *keyword)
{
	if (strcmp(keyword, "host") == 0)
		return "-h";
	if (strcmp(keyword, "port") == 0)
		return "-p";
	if (strcmp(keyword, "user") == 0)
		return "-U";
	return "-d";
}

static const char *default_note(const char *keyword)
{
	if (strcmp(keyword, "host") == 0)
		return "default (" DEFAULT_SOCKET_DIR ")";
	if (strcmp(keyword, "user") == 0)
		return "default (OS user)";
	if (strcmp(keyword, "dbname") == 0)
		return "default (= user)";
	return "default";
}

static void note_origin(strbuf *b, const settings *st, const setting *s)
{
	const char *key = s->def->keyword;

	sb_printf(b, "%s%s ", b->len ? ", " : "", key);
	switch (s->from) {
	case FROM_OPTION:
		sb_printf(b, "from %s", option_flag(key));
		break;
	case FROM_CONNSTR:
		sb_printf(b, "from -d %s", st->connstr_kind);
		break;
	case FROM_SERVICE:
		sb_printf(b, "from service '%s' (%s)", st->service, st->service_file);
		break;
	case FROM_ENV:
		sb_printf(b, "from %s", s->def->envvar);
		break;
	case FROM_DEFAULT:
		sb_puts(b, default_note(key));
		break;
	}
}

/* "host from -d URI, port default, dbname from service 'prod'
 * (~/.pg_service.conf), user from PGUSER". A host left unset beside a
 * hostaddr is not mentioned: the hostaddr is the target. */
static char *build_source(settings *st)
{
	static const char *const keys[] = {"host", "hostaddr", "port", "dbname", "user", "service"};
	bool addr = !empty(value_of(st, "hostaddr"));
	strbuf b = {0};

	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
		setting *s = setting_find(st, keys[i]);
		bool is_host = strcmp(keys[i], "host") == 0;
		bool is_addr = strcmp(keys[i], "hostaddr") == 0;
		if (is_host && !s->val && !addr)
			sb_printf(&b, "%shost %s", b.len ? ", " : "", default_note("host"));
		if (!s->val || (is_addr && !addr))
			continue;
		note_origin(&b, st, s);
	}
	return sb_steal(&b);
}

/* ---- the whole resolution --------------------------------------------- */

static bool fill_target(settings *st, pg_target *t, char *err, size_t errlen)
{
	strvec names = {0};
	bool ok = fill_slots(st, t, &names, err, errlen);

	if (ok) {
		t->dbname = xstrdup(value_of(st, "dbname"));
		t->user = xstrdup(value_of(st, "user"));
		t->service = st->service ? xstrdup(st->service) : NULL;
		t->conninfo = build_conninfo(st, t, &names);
		t->source = build_source(st);
		setting *o = setting_find(st, "options");
		setting *enc = setting_find(st, "client_encoding");
		if (o && !empty(o->val)) {
			t->options = xstrdup(o->val);
			t->options_env = o->from == FROM_ENV;
		}
		if (enc && !empty(enc->val) && enc->from != FROM_DEFAULT)
			t->client_encoding = xstrdup(enc->val);
	}
	sv_clear(&names);
	return ok;
}

bool pg_target_resolve(const pg_conn_args *a, pg_target *t, char *err, size_t errlen)
{
	settings st;

	*t = (pg_target){0};
	if (!libpq_load(err, errlen) || !settings_init(&st, err, errlen))
		return false;
	bool ok = apply_command_line(&st, a, err, errlen) && apply_service(&st, a, err, errlen);
	if (ok) {
		apply_environment(&st, a->envp);
		ok = apply_defaults(&st, a, err, errlen) && fill_target(&st, t, err, errlen);
	}
	settings_free(&st);
	if (!ok)
		pg_target_free(t);
	return ok;
}

void pg_target_free(pg_target *t)
{
	sv_clear(&t->hosts);
	sv_clear(&t->hostaddrs);
	sv_clear(&t->ports);
	free(t->dbname);
	free(t->user);
	free(t->service);
	free(t->conninfo);
	free(t->source);
	free(t->options);
	free(t->client_encoding);
	*t = (pg_target){0};
}
