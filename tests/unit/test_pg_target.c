/* Unit tests: which PostgreSQL server, database and user psql reaches.
 *
 * A matrix of command-line options x connection strings x URIs x service
 * files x environment variables. Every row is checked three ways:
 *   - against the expected target (or error);
 *   - against the real libpq, dlopen()ed here and asked through
 *     PQconnectStartParams with psql's keywords, unless the row says it
 *     cannot be (no server runs: the attempt fails, but libpq has resolved
 *     the target by then; no row needs DNS);
 *   - by resolving the produced conninfo again in a hostile environment
 *     (PGHOST, PGHOSTADDR, PGPORT, ..., and a PGSERVICE that sets
 *     everything): it must reach the same target. */
#include <dlfcn.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <postgresql/libpq-fe.h>

#include "pg_target.h"
#include "unit.h"

static char dir[] = "/tmp/interlock-pgt.XXXXXX";
static const char *os_user;

/* '$' becomes the temporary directory, '%' the OS user. */
static char *subst(const char *s)
{
	strbuf b = {0};

	for (; *s; s++) {
		if (*s == '$')
			sb_puts(&b, dir);
		else if (*s == '%')
			sb_puts(&b, os_user);
		else
			sb_putc(&b, *s);
	}
	return sb_steal(&b);
}

static void write_file(const char *name, const char *text)
{
	autofree char *p = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
}

static void write_service_files(void)
{
	char longline[1200];

	for (const char *const *d = (const char *const[]){"home", "pwhome", "sys", NULL}; *d; d++) {
		autofree char *path = xasprintf("%s/%s", dir, *d);
		mkdir(path, 0700);
	}
	write_file("home/.pg_service.conf",
	           "# found through $HOME\n"
	           "[prod]\n"
	           "host=/s/prod\n"
	           "port=6001\n"
	           "dbname=proddb\n"
	           "user=produser\n"
	           "   sslmode=require\n" /* libpq: a setting of its own, not a continuation */
	           "[onlyhost]\n"
	           "host=/s/onlyhost\n"
	           "[addr]\n"
	           "hostaddr=192.0.2.5\n"
	           "port=6543\n"
	           "[emptyhost]\n"
	           "host=\n"
	           "[prod]\n"
	           "host=/s/second-prod-group\n"); /* libpq reads only the first */
	write_file("pwhome/.pg_service.conf", "[prod]\nhost=/s/pwhome-prod\n");
	write_file("alt.conf", "[prod]\nhost=/s/alt-prod\n[alt]\nhost=/s/alt\n");
	write_file("sys/pg_service.conf", "[prod]\nhost=/s/sys-prod\n"
	                                  "[sysonly]\nhost=/s/sysonly\nuser=sysuser\n"
	                                  "[multi]\nhost=/s/m1,/s/m2\nport=7001,7002\n");
	write_file("spaces.conf", "[prod]\nhost = /s/x\n");
	write_file("nested.conf", "[prod]\nservice=other\n");
	write_file("unknown.conf", "[prod]\nbogus=1\n");
	write_file("junk.conf", "[other]\njunk\n[prod]\nhost=/s/ok\n");
	write_file("ldap.conf", "[prod]\nldap://ldap.example/dc=x?y?one?(cn=prod)\n");
	write_file("bom.conf", "\xef\xbb\xbf[prod]\nhost=/s/bom\n");
	write_file("semicolon.conf", "[prod]\nhost=/s/a ;b\n");
	write_file("bracket.conf", "[prod] # main\nhost=/s/p\n[prodx\nport=9\n");
	write_file("hostile.conf", "[hostile]\nhost=/s/hostile\nhostaddr=203.0.113.8\nport=2\n"
	                           "dbname=h\nuser=h\n");
	memset(longline, 'x', sizeof longline - 2);
	longline[sizeof longline - 2] = '\n';
	longline[sizeof longline - 1] = '\0';
	autofree char *text = xasprintf("[other]\n#%s[prod]\nhost=/s/p\n", longline);
	write_file("long.conf", text);
}

/* ---- the matrix ----------------------------------------------------------- */

typedef struct {
	const char *what;
	const char *d, *h, *p, *U;
	const char *env[7];   /* NAME=value, or NAME alone: unset (no default) */
	const char *want;     /* "hosts|hostaddrs|ports|dbname|user" or "!error" */
	const char *source;   /* expected note, when checked */
	const char *conninfo; /* expected connection string, when checked */
	bool no_libpq;        /* libpq would see another home: not comparable */
} row;

/* Unless a row says otherwise: $HOME is the test's, the system service
 * file is the test's, and the passwd home (a->home) is another one. */
static const char *const base_env[] = {"HOME=$/home", "PGSYSCONFDIR=$/sys", NULL};

static const row matrix[] = {
    /* defaults */
    {"nothing given", .want = "/var/run/postgresql||5432|%|%",
     .source = "host default (/var/run/postgresql), port default, dbname default (= user), "
               "user default (OS user)",
     .conninfo = "host='/var/run/postgresql' hostaddr='' port='5432' dbname='%' user='%'"},
    {"PGUSER names the database too", .env = {"PGUSER=alice"},
     .want = "/var/run/postgresql||5432|alice|alice"},
    {"empty PGUSER: OS user", .env = {"PGUSER="}, .want = "/var/run/postgresql||5432|%|%"},
    {"empty PGHOST/PGPORT: defaults", .env = {"PGHOST=", "PGPORT="},
     .want = "/var/run/postgresql||5432|%|%"},
    {"PGDATABASE", .env = {"PGDATABASE=envdb"}, .want = "/var/run/postgresql||5432|envdb|%"},
    {"PGDATABASE holding a URI is a name", .env = {"PGDATABASE=postgresql://evil/db"},
     .want = "/var/run/postgresql||5432|postgresql://evil/db|%"},

    /* options */
    {"all options", .d = "db", .h = "/s/h", .p = "5433", .U = "bob", .want = "/s/h||5433|db|bob",
     .source = "host from -h, port from -p, dbname from -d, user from -U"},
    {"options beat the environment", .d = "db", .h = "/s/h", .p = "5433", .U = "bob",
     .env = {"PGHOST=/s/env", "PGPORT=1", "PGDATABASE=x", "PGUSER=y"}, .want = "/s/h||5433|db|bob"},
    {"empty -h leaves PGHOST", .h = "", .env = {"PGHOST=/s/env"}, .want = "/s/env||5432|%|%",
     .source = "host from PGHOST, port default, dbname default (= user), user default (OS user)"},

    /* conninfo in -d */
    {"conninfo host beats -h", .d = "host=/s/ci dbname=cidb", .h = "/s/opt",
     .want = "/s/ci||5432|cidb|%"},
    {"conninfo without host keeps -h/-p/-U", .d = "dbname=x", .h = "/s/opt", .p = "5433",
     .U = "bob", .want = "/s/opt||5433|x|bob"},
    {"conninfo port beats -p", .d = "port=5434", .p = "5433",
     .want = "/var/run/postgresql||5434|%|%"},
    {"conninfo empty host beats PGHOST", .d = "host=''", .env = {"PGHOST=/s/env"},
     .want = "/var/run/postgresql||5432|%|%"},
    {"conninfo quoting", .d = "host='/s/it\\'s' dbname='a\\\\b'", .want = "/s/it's||5432|a\\b|%",
     .conninfo = "host='/s/it\\'s' hostaddr='' port='5432' dbname='a\\\\b' user='%'"},
    {"conninfo dbname holding a URI is not expanded again", .d = "dbname=postgresql://x/y",
     .want = "/var/run/postgresql||5432|postgresql://x/y|%"},
    {"malformed conninfo", .d = "host='x",
     .want = "!unterminated quoted string in connection info string"},
    {"unknown conninfo keyword", .d = "host=a bogus=1",
     .want = "!invalid connection option \"bogus\""},
    {"conninfo settings carried into conninfo",
     .d = "host=/s/a sslmode=verify-full password=secret",
     .env = {"PGCONNECT_TIMEOUT=7", "PGAPPNAME=app"}, .want = "/s/a||5432|%|%",
     .conninfo = "host='/s/a' hostaddr='' port='5432' dbname='%' user='%' connect_timeout='7' "
                 "sslmode='verify-full'"},

    /* URIs */
    {"URI beats -h and -p", .d = "postgresql://%2Fs%2Furi:5440/udb", .h = "/s/opt", .p = "6000",
     .want = "/s/uri||5440|udb|%",
     .source = "host from -d URI, port from -d URI, dbname from -d URI, user default (OS user)"},
    {"URI percent-encoding", .d = "postgresql://u%40x@%2Fs%2Fu/my%20db",
     .want = "/s/u||5432|my db|u@x"},
    {"URI query host", .d = "postgresql:///qdb?host=/s/q&port=6000", .want = "/s/q||6000|qdb|%"},
    {"URI without host leaves PGHOST", .d = "postgresql:///db", .env = {"PGHOST=/s/env"},
     .want = "/s/env||5432|db|%"},
    {"short URI prefix", .d = "postgres://", .U = "bob",
     .want = "/var/run/postgresql||5432|bob|bob"},
    {"URI with two hosts and ports", .d = "postgresql://%2Fs%2Fa:5001,%2Fs%2Fb:5002/db",
     .want = "/s/a,/s/b||5001,5002|db|%"},
    {"two-host URI without ports overrides -p and PGPORT", .d = "postgresql://%2Fs%2Fa,%2Fs%2Fb/db",
     .p = "6000", .env = {"PGPORT=6001"}, .want = "/s/a,/s/b||5432,5432|db|%"},
    {"URI bad query parameter", .d = "postgresql:///db?bogus=1",
     .want = "!invalid URI query parameter: \"bogus\""},
    {"URI with hostaddr", .d = "postgresql://prod.example/db?hostaddr=192.0.2.7",
     .want = "prod.example|192.0.2.7|5432|db|%"},

    /* several hosts, hostaddr */
    {"empty host in a list: default socket, empty port: 5432", .d = "host=/s/a,,/s/b port=1,,3",
     .want = "/s/a,/var/run/postgresql,/s/b||1,5432,3|%|%"},
    {"one port for every host", .h = "/s/a,/s/b", .p = "5433", .want = "/s/a,/s/b||5433,5433|%|%"},
    {"port list longer than host list", .h = "/s/a,/s/b", .p = "1,2,3",
     .want = "!could not match 3 port numbers to 2 hosts"},
    {"host list longer than hostaddr list", .d = "host=a,b,c hostaddr=192.0.2.1,192.0.2.2",
     .want = "!could not match 3 host names to 2 hostaddr values"},
    {"trailing comma in hostaddr: second slot is the socket", .d = "hostaddr=192.0.2.1,",
     .want = "192.0.2.1,/var/run/postgresql|192.0.2.1,|5432,5432|%|%"},
    {"PGHOSTADDR redirects -h", .h = "prod.example", .env = {"PGHOSTADDR=192.0.2.9"},
     .want = "prod.example|192.0.2.9|5432|%|%",
     .source = "host from -h, hostaddr from PGHOSTADDR, port default, dbname default (= user), "
               "user default (OS user)",
     .conninfo = "host='prod.example' hostaddr='192.0.2.9' port='5432' dbname='%' user='%'"},
    {"hostaddr alone", .d = "hostaddr=192.0.2.3", .want = "192.0.2.3|192.0.2.3|5432|%|%",
     .conninfo = "host='' hostaddr='192.0.2.3' port='5432' dbname='%' user='%'"},
    {"port not a number", .d = "host=/s/a port=abc",
     .want = "!invalid integer value \"abc\" for connection option \"port\""},
    {"port out of range", .h = "/s/a", .p = "70000", .want = "!invalid port number: \"70000\""},
    {"'@' is an abstract Unix socket, kept as given", .h = "@abstract",
     .want = "@abstract||5432|%|%"},
    {"port with spaces", .d = "host=/s/a port=' 5433 '", .want = "/s/a||5433|%|%"},

    /* service files */
    {"PGSERVICE from ~/.pg_service.conf", .env = {"PGSERVICE=prod"},
     .want = "/s/prod||6001|proddb|produser",
     .source = "host from service 'prod' (~/.pg_service.conf), port from service 'prod' "
               "(~/.pg_service.conf), dbname from service 'prod' (~/.pg_service.conf), user from "
               "service 'prod' (~/.pg_service.conf), service from PGSERVICE",
     .conninfo = "host='/s/prod' hostaddr='' port='6001' dbname='proddb' user='produser' "
                 "sslmode='require'"},
    {"service= in conninfo beats PGSERVICE", .d = "service=prod", .env = {"PGSERVICE=alt"},
     .want = "/s/prod||6001|proddb|produser"},
    {"service in a URI", .d = "postgresql:///?service=onlyhost", .want = "/s/onlyhost||5432|%|%"},
    {"explicit values beat the service", .d = "service=prod", .h = "/s/cmd", .U = "bob",
     .want = "/s/cmd||6001|proddb|bob"},
    {"the service beats the environment",
     .env = {"PGSERVICE=prod", "PGHOST=/s/env", "PGPORT=1111", "PGUSER=envu"},
     .want = "/s/prod||6001|proddb|produser"},
    {"the environment fills what the service leaves",
     .env = {"PGSERVICE=onlyhost", "PGPORT=1111", "PGUSER=envu"},
     .want = "/s/onlyhost||1111|envu|envu",
     .source = "host from service 'onlyhost' (~/.pg_service.conf), port from PGPORT, dbname "
               "default (= user), user from PGUSER, service from PGSERVICE"},
    {"PGSERVICEFILE replaces ~/.pg_service.conf",
     .env = {"PGSERVICEFILE=$/alt.conf", "PGSERVICE=prod"}, .want = "/s/alt-prod||5432|%|%"},
    {"then PGSYSCONFDIR/pg_service.conf", .env = {"PGSERVICEFILE=$/alt.conf", "PGSERVICE=sysonly"},
     .want = "/s/sysonly||5432|sysuser|sysuser",
     .source = "host from service 'sysonly' ($/sys/pg_service.conf), port default, dbname "
               "default (= user), user from service 'sysonly' ($/sys/pg_service.conf), service "
               "from PGSERVICE"},
    {"a missing PGSERVICEFILE is an error", .env = {"PGSERVICEFILE=$/nope.conf", "PGSERVICE=prod"},
     .want = "!service file \"$/nope.conf\" not found"},
    {"so is an empty one", .env = {"PGSERVICEFILE=", "PGSERVICE=prod"},
     .want = "!service file \"\" not found"},
    {"no ~/.pg_service.conf: on to the system file", .env = {"HOME=$/sys", "PGSERVICE=prod"},
     .want = "/s/sys-prod||5432|%|%"},
    {"no $HOME: the passwd home", .env = {"HOME", "PGSERVICE=prod"},
     .want = "/s/pwhome-prod||5432|%|%", .no_libpq = true},
    {"empty $HOME: the passwd home", .env = {"HOME=", "PGSERVICE=prod"},
     .want = "/s/pwhome-prod||5432|%|%", .no_libpq = true},
    {"service not found", .env = {"PGSERVICE=nope"},
     .want = "!definition of service \"nope\" not found"},
    {"service not found, Debian's system directory", .env = {"PGSYSCONFDIR", "PGSERVICE=nope"},
     .want = "!definition of service \"nope\" not found"},
    {"empty service name is looked up", .d = "service=''",
     .want = "!definition of service \"\" not found"},
    {"service hostaddr redirects -h", .h = "staging.example", .env = {"PGSERVICE=addr"},
     .want = "staging.example|192.0.2.5|6543|%|%"},
    {"service's empty host beats PGHOST", .env = {"PGSERVICE=emptyhost", "PGHOST=/s/env"},
     .want = "/var/run/postgresql||5432|%|%"},
    {"several hosts in a service", .env = {"PGSERVICE=multi"},
     .want = "/s/m1,/s/m2||7001,7002|%|%"},
    {"spaces around '=' are an error", .env = {"PGSERVICEFILE=$/spaces.conf", "PGSERVICE=prod"},
     .want = "!syntax error in service file \"$/spaces.conf\", line 2"},
    {"nested service", .env = {"PGSERVICEFILE=$/nested.conf", "PGSERVICE=prod"},
     .want =
         "!nested service specifications not supported in service file \"$/nested.conf\", line 2"},
    {"unknown keyword in the service", .env = {"PGSERVICEFILE=$/unknown.conf", "PGSERVICE=prod"},
     .want = "!syntax error in service file \"$/unknown.conf\", line 2"},
    {"junk in another group is ignored", .env = {"PGSERVICEFILE=$/junk.conf", "PGSERVICE=prod"},
     .want = "/s/ok||5432|%|%"},
    {"junk in the group is an error", .env = {"PGSERVICEFILE=$/junk.conf", "PGSERVICE=other"},
     .want = "!syntax error in service file \"$/junk.conf\", line 2"},
    {"a too long line anywhere is an error", .env = {"PGSERVICEFILE=$/long.conf", "PGSERVICE=prod"},
     .want = "!line 2 too long in service file \"$/long.conf\""},
    {"LDAP lookups are refused", .env = {"PGSERVICEFILE=$/ldap.conf", "PGSERVICE=prod"},
     .want = "!is looked up in LDAP", .no_libpq = true},
    {"a BOM hides the first group",
     .env = {"PGSERVICEFILE=$/bom.conf", "PGSYSCONFDIR=$/none", "PGSERVICE=prod"},
     .want = "!definition of service \"prod\" not found"},
    {"';' is no comment", .env = {"PGSERVICEFILE=$/semicolon.conf", "PGSERVICE=prod"},
     .want = "/s/a ;b||5432|%|%"},
    {"a '[' line ends the group, text after ']' is ignored",
     .env = {"PGSERVICEFILE=$/bracket.conf", "PGSERVICE=prod"}, .want = "/s/p||5432|%|%"},
};

/* ---- checking one row ----------------------------------------------------- */

static void put_list(strbuf *b, const strvec *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		sb_printf(b, "%s%s", i ? "," : "", sv->v[i]);
}

static char *summary(const pg_target *t)
{
	strbuf b = {0};

	put_list(&b, &t->hosts);
	sb_putc(&b, '|');
	put_list(&b, &t->hostaddrs);
	sb_putc(&b, '|');
	put_list(&b, &t->ports);
	sb_printf(&b, "|%s|%s", t->dbname, t->user);
	return sb_steal(&b);
}

/* "NAME=value" or "NAME" */
static bool same_var(const char *a, const char *b)
{
	size_t n = strcspn(a, "=");
	return n == strcspn(b, "=") && strncmp(a, b, n) == 0;
}

/* The row's variables, then the base ones it does not mention. */
static void build_env(const row *r, strvec *env)
{
	for (const char *const *e = r->env; *e; e++)
		if (strchr(*e, '='))
			sv_push_steal(env, subst(*e));
	for (const char *const *b = base_env; *b; b++) {
		bool mentioned = false;
		for (const char *const *e = r->env; *e; e++)
			mentioned |= same_var(*e, *b);
		if (!mentioned)
			sv_push_steal(env, subst(*b));
	}
}

static bool resolve(const row *r, char *const *envp, pg_target *t, char *err, size_t errlen)
{
	autofree char *home = subst("$/pwhome");
	pg_conn_args a = {.dbname = r->d,
	                  .host = r->h,
	                  .port = r->p,
	                  .user = r->U,
	                  .envp = envp,
	                  .home = home,
	                  .os_user = os_user};
	return pg_target_resolve(&a, t, err, errlen);
}

/* libpq itself, asked the way psql asks it. */
typedef struct {
	__typeof__(PQconnectStartParams) *start;
	__typeof__(PQerrorMessage) *error;
	__typeof__(PQhost) *host;
	__typeof__(PQport) *port;
	__typeof__(PQdb) *db;
	__typeof__(PQuser) *user;
	__typeof__(PQfinish) *finish;
} libpq_fns;

static libpq_fns pq;

static bool load_real_libpq(void)
{
	void *h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return false;
	pq.start = (__typeof__(pq.start))dlsym(h, "PQconnectStartParams");
	pq.error = (__typeof__(pq.error))dlsym(h, "PQerrorMessage");
	pq.host = (__typeof__(pq.host))dlsym(h, "PQhost");
	pq.port = (__typeof__(pq.port))dlsym(h, "PQport");
	pq.db = (__typeof__(pq.db))dlsym(h, "PQdb");
	pq.user = (__typeof__(pq.user))dlsym(h, "PQuser");
	pq.finish = (__typeof__(pq.finish))dlsym(h, "PQfinish");
	return pq.start && pq.error && pq.host && pq.port && pq.db && pq.user && pq.finish;
}

/* libpq's host and port are those of the last host it tried, which
 * depends on what failed how fast; they must be one of our slots. */
static bool is_slot(const pg_target *t, const char *host, const char *port)
{
	long want = *port ? strtol(port, NULL, 10) : 5432; /* libpq reports "" for default */
	for (size_t i = 0; i < t->hosts.n; i++)
		if (strcmp(t->hosts.v[i], host) == 0 && strtol(t->ports.v[i], NULL, 10) == want)
			return true;
	return false;
}

static void compare_with_libpq(const row *r, strvec *env, bool ok, const pg_target *t,
                               const char *want_err)
{
	const char *const keys[] = {"host", "port", "user", "dbname", NULL};
	const char *const vals[] = {r->h, r->p, r->U, r->d, NULL};

	clearenv();
	for (size_t i = 0; i < env->n; i++)
		putenv(env->v[i]);
	PGconn *c = pq.start(keys, vals, 1);
	const char *msg = pq.error(c);
	if (!ok) {
		CHECK(strstr(msg, want_err), "%s: libpq says '%s'", r->what, msg);
	} else {
		CHECK(pq.db(c) && strcmp(pq.db(c), t->dbname) == 0, "%s: libpq dbname %s", r->what,
		      pq.db(c) ? pq.db(c) : "(null)");
		CHECK(pq.user(c) && strcmp(pq.user(c), t->user) == 0, "%s: libpq user %s", r->what,
		      pq.user(c) ? pq.user(c) : "(null)");
		CHECK(is_slot(t, pq.host(c), pq.port(c)), "%s: libpq host %s port %s", r->what,
		      pq.host(c), pq.port(c));
	}
	pq.finish(c);
	clearenv();
}

/* The conninfo must pin the target against whatever the connecting
 * process's environment and service files say. */
static void check_conninfo_pins_target(const row *r, const pg_target *t)
{
	autofree char *hostile_file = subst("PGSERVICEFILE=$/hostile.conf");
	char *const hostile[] = {
	    hostile_file, "PGSERVICE=hostile", "PGHOST=/s/wrong", "PGHOSTADDR=203.0.113.9",
	    "PGPORT=1",   "PGDATABASE=wrong",  "PGUSER=wrong",    NULL};
	row again = {.d = t->conninfo};
	pg_target t2;
	char err[512];

	bool ok = resolve(&again, hostile, &t2, err, sizeof err);
	CHECK(ok, "%s: conninfo %s: %s", r->what, t->conninfo, err);
	if (!ok)
		return;
	autofree char *s1 = summary(t);
	autofree char *s2 = summary(&t2);
	CHECK(strcmp(s1, s2) == 0, "%s: conninfo %s reaches %s, not %s", r->what, t->conninfo, s2,
	      s1);
	pg_target_free(&t2);
}

static void check_row(const row *r, bool with_libpq)
{
	strvec env = {0};
	pg_target t;
	char err[512] = "";

	build_env(r, &env);
	autofree char *want = subst(r->want);
	bool ok = resolve(r, env.v, &t, err, sizeof err);
	if (want[0] == '!') {
		CHECK(!ok && strstr(err, want + 1), "%s: want error '%s', got %s '%s'", r->what,
		      want + 1, ok ? "success" : "error", err);
	} else {
		autofree char *got = ok ? summary(&t) : xasprintf("error: %s", err);
		CHECK(strcmp(got, want) == 0, "%s: got '%s', want '%s'", r->what, got, want);
	}
	if (ok && r->source) {
		autofree char *source = subst(r->source);
		CHECK(strcmp(t.source, source) == 0, "%s: source '%s'", r->what, t.source);
	}
	if (ok && r->conninfo) {
		autofree char *conninfo = subst(r->conninfo);
		CHECK(strcmp(t.conninfo, conninfo) == 0, "%s: conninfo %s", r->what, t.conninfo);
	}
	if (ok)
		check_conninfo_pins_target(r, &t);
	if (with_libpq && !r->no_libpq)
		compare_with_libpq(r, &env, ok, &t, want + 1);
	if (ok)
		pg_target_free(&t);
	sv_clear(&env);
}

/* ---- a few checks outside the matrix --------------------------------------- */

static void check_service_field(void)
{
	char *const env[] = {"PGSERVICE=onlyhost", subst("HOME=$/home"), NULL};
	pg_conn_args a = {.envp = env, .os_user = os_user};
	pg_target t;
	char err[256];

	CHECK(pg_target_resolve(&a, &t, err, sizeof err), "%s", err);
	CHECK_STR(t.service, "onlyhost");
	pg_target_free(&t);
	a.envp = NULL; /* no environment at all */
	CHECK(pg_target_resolve(&a, &t, err, sizeof err), "%s", err);
	CHECK(t.service == NULL, "no service");
	CHECK_STR(t.hosts.v[0], "/var/run/postgresql");
	pg_target_free(&t);
	a.os_user = NULL;
	CHECK(!pg_target_resolve(&a, &t, err, sizeof err), "no user at all must fail");
	free(env[1]);
}

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* The first call pays for dlopen(); later ones only for the resolution. */
static void measure(void)
{
	char *const env[] = {"PGUSER=bob", NULL};
	pg_conn_args a = {
	    .dbname = "postgresql://db.example:5433/app", .envp = env, .os_user = "nobody"};
	pg_target t;
	char err[256];
	enum { N = 2000 };

	double t0 = now_us();
	CHECK(pg_target_resolve(&a, &t, err, sizeof err), "%s", err);
	double first = now_us() - t0;
	pg_target_free(&t);
	t0 = now_us();
	for (int i = 0; i < N; i++) {
		pg_target_resolve(&a, &t, err, sizeof err);
		pg_target_free(&t);
	}
	printf("# pg_target_resolve: first call (dlopen libpq) %.0f us, then %.1f us each\n", first,
	       (now_us() - t0) / N);
}

int main(void)
{
	struct passwd *pw = getpwuid(geteuid());

	if (!mkdtemp(dir) || !pw)
		return 1;
	os_user = pw->pw_name;
	measure();
	write_service_files();
	bool with_libpq = load_real_libpq();
	if (!with_libpq)
		printf("# libpq.so.5 not loadable: no cross-check against it\n");
	for (size_t i = 0; i < sizeof matrix / sizeof *matrix; i++)
		check_row(&matrix[i], with_libpq);
	check_service_field();
	autofree char *rm = xasprintf("rm -rf '%s'", dir);
	if (system(rm) != 0)
		printf("# could not remove %s\n", dir);
	return unit_done();
}
