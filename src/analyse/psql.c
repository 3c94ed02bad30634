/* psql.c - the psql analyser: which server and database (pg_target.c, as
 * libpq resolves it), and what SQL will run - from the psqlrc files, every
 * -c and -f in command-line order, \i includes, and stdin - found by the
 * streaming lexer (psql/lexer.c) and turned into facts by libpg_query
 * (psql/sqlfacts.c).
 *
 * Operation kinds added here (the SQL ones come from sqlfacts.c):
 *   session   an interactive session: interactive=yes, write=yes|no,
 *             read_only=yes|no (production sessions start read-only)
 *   opaque    SQL whose effect cannot be known before it runs: reason=...
 *   shell     \! and |pipes: command=...
 *
 * Nothing is sent anywhere while analysing. Piped stdin is spooled to an
 * unlinked temporary file while it is read, and that file becomes the real
 * psql's stdin: the bytes it gets are exactly the bytes interlock read. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyse.h"
#include "classify.h"
#include "explain.h"
#include "pg_target.h"
#include "psql_lexer.h"
#include "sqlfacts.h"

#define MAX_STATEMENT     (1024 * 1024) /* longer interesting statements are opaque */
#define MAX_INCLUDE_DEPTH 16
#define READ_CHUNK        (256 * 1024)

typedef struct {
	const char *kind; /* "c" (command) or "f" (file) */
	const char *value;
} psql_action;

typedef struct {
	const char *dbname, *host, *port, *user;
	psql_action actions[256];
	size_t n_actions;
	bool no_psqlrc, list, version_or_help, single_line;
	size_t n_vars;
	strvec unknown;
} psql_opts;

/* The analysis of one input (the command line, a file, stdin). */
typedef struct psql_ctx psql_ctx;
struct psql_ctx {
	const invocation *inv;
	facts *fx;
	const char *source; /* "-c", "stdin", a file name */
	const char *dir;    /* directory of the current file, for \ir */
	int depth;
};

/* ---- command line ------------------------------------------------------ */

typedef struct {
	const char *name;
	char short_name;
	int arg; /* 0 none, 1 required, 2 optional (--help[=topic]) */
} opt_spec;

static const opt_spec psql_specs[] = {
    {"echo-all", 'a', 0},
    {"no-align", 'A', 0},
    {"command", 'c', 1},
    {"dbname", 'd', 1},
    {"echo-queries", 'e', 0},
    {"echo-errors", 'b', 0},
    {"echo-hidden", 'E', 0},
    {"file", 'f', 1},
    {"field-separator", 'F', 1},
    {"field-separator-zero", 'z', 0},
    {"host", 'h', 1},
    {"html", 'H', 0},
    {"list", 'l', 0},
    {"log-file", 'L', 1},
    {"no-readline", 'n', 0},
    {"single-transaction", '1', 0},
    {"output", 'o', 1},
    {"port", 'p', 1},
    {"pset", 'P', 1},
    {"quiet", 'q', 0},
    {"record-separator", 'R', 1},
    {"record-separator-zero", '0', 0},
    {"single-step", 's', 0},
    {"single-line", 'S', 0},
    {"tuples-only", 't', 0},
    {"table-attr", 'T', 1},
    {"username", 'U', 1},
    {"set", 'v', 1},
    {"variable", 'v', 1},
    {"version", 'V', 0},
    {"no-password", 'w', 0},
    {"password", 'W', 0},
    {"expanded", 'x', 0},
    {"no-psqlrc", 'X', 0},
    {"help", '?', 2},
    {"csv", 0, 0},
};

static const opt_spec *find_short(char c)
{
	for (size_t i = 0; i < sizeof psql_specs / sizeof *psql_specs; i++)
		if (psql_specs[i].short_name == c)
			return &psql_specs[i];
	return NULL;
}

/* getopt_long: an exact name, else a unique prefix ("variable" and "set"
 * are both -v, so a prefix matching only those two is not ambiguous). */
static const opt_spec *find_long(const char *name, size_t len)
{
	const opt_spec *found = NULL;

	for (size_t i = 0; i < sizeof psql_specs / sizeof *psql_specs; i++) {
		const opt_spec *s = &psql_specs[i];
		if (strncmp(s->name, name, len) != 0)
			continue;
		if (strlen(s->name) == len)
			return s;
		if (found && found->short_name != s->short_name)
			return NULL;
		found = s;
	}
	return found;
}

static void apply_opt(psql_opts *o, char c, const char *name, const char *val)
{
	switch (c) {
	case 'c':
	case 'f':
		if (o->n_actions < sizeof o->actions / sizeof *o->actions)
			o->actions[o->n_actions++] = (psql_action){c == 'c' ? "c" : "f", val};
		else
			sv_push(&o->unknown, "too many -c/-f options");
		break;
	case 'd':
		o->dbname = val;
		break;
	case 'h':
		o->host = val;
		break;
	case 'p':
		o->port = val;
		break;
	case 'U':
		o->user = val;
		break;
	case 'X':
		o->no_psqlrc = true;
		break;
	case 'l':
		o->list = true;
		break;
	case 'S':
		o->single_line = true;
		break;
	case 'v':
		o->n_vars++;
		break;
	case 'V':
	case '?':
		o->version_or_help = true;
		break;
	default:
		(void)name;
		break;
	}
}

/* Returns how many argv entries the option used. */
static int parse_long(psql_opts *o, int argc, char *const *argv, int i)
{
	const char *a = argv[i] + 2;
	const char *eq = strchr(a, '=');
	size_t len = eq ? (size_t)(eq - a) : strlen(a);
	const opt_spec *s = find_long(a, len);

	if (!s || (eq && s->arg == 0)) {
		sv_push(&o->unknown, argv[i]);
		return 1;
	}
	if (s->arg == 1 && !eq) {
		if (i + 1 >= argc) {
			sv_push(&o->unknown, argv[i]);
			return 1;
		}
		apply_opt(o, s->short_name, s->name, argv[i + 1]);
		return 2;
	}
	apply_opt(o, s->short_name, s->name, eq ? eq + 1 : NULL);
	return 1;
}

static int parse_short(psql_opts *o, int argc, char *const *argv, int i)
{
	for (const char *p = argv[i] + 1; *p; p++) {
		const opt_spec *s = find_short(*p);
		if (!s) {
			char bad[3] = {'-', *p, '\0'};
			sv_push(&o->unknown, bad);
			continue;
		}
		if (s->arg != 1) {
			apply_opt(o, *p, s->name, NULL);
			continue;
		}
		if (p[1]) {
			apply_opt(o, *p, s->name, p + 1);
			return 1;
		}
		if (i + 1 >= argc) {
			sv_push(&o->unknown, argv[i]);
			return 1;
		}
		apply_opt(o, *p, s->name, argv[i + 1]);
		return 2;
	}
	return 1;
}

/* psql permutes like getopt_long; operands are DBNAME then USERNAME. */
static void parse_psql_argv(const invocation *inv, psql_opts *o)
{
	bool permute = inv_getenv(inv, "POSIXLY_CORRECT") == NULL;
	bool done = false;
	const char *operands[2] = {NULL, NULL};
	size_t n_operands = 0;

	for (int i = 1; i < inv->argc;) {
		const char *a = inv->argv[i];
		if (done || a[0] != '-' || a[1] == '\0') {
			if (n_operands < 2)
				operands[n_operands++] = a; /* more are ignored by psql */
			done = done || !permute;
			i++;
		} else if (!strcmp(a, "--")) {
			done = true;
			i++;
		} else if (a[1] == '-') {
			i += parse_long(o, inv->argc, inv->argv, i);
		} else {
			i += parse_short(o, inv->argc, inv->argv, i);
		}
	}
	/* As psql: the first operand is the database unless -d named one. */
	for (size_t k = 0; k < n_operands; k++) {
		if (!o->dbname)
			o->dbname = operands[k];
		else if (!o->user)
			o->user = operands[k];
	}
}

/* ---- target ------------------------------------------------------------ */

static char *join_list(const strvec *sv)
{
	strbuf b = {0};

	for (size_t i = 0; i < sv->n; i++) {
		if (i)
			sb_putc(&b, ',');
		sb_puts(&b, sv->v[i]);
	}
	return sb_steal(&b);
}

static const char *os_user_name(void)
{
	struct passwd *pw = getpwuid(getuid());
	return pw ? pw->pw_name : "postgres";
}

/* Sets the target fields and the environment; false when the target
 * cannot be known (then it counts as cfg->unknown_remote). */
static void resolve_target(const invocation *inv, const psql_opts *o, facts *fx)
{
	pg_conn_args a = {.dbname = o->dbname,
	                  .host = o->host,
	                  .port = o->port,
	                  .user = o->user,
	                  .envp = inv->envp,
	                  .home = inv->cfg->home,
	                  .os_user = os_user_name()};
	pg_target t = {0};
	char err[512];

	if (!pg_target_resolve(&a, &t, err, sizeof err)) {
		fs_set(&fx->target, "error", err);
		fs_set(&fx->target, "token", o->dbname ? o->dbname : "?");
		operation *op = facts_add_op(fx, "opaque");
		fs_setf(&op->f, "reason", "the connection target cannot be known: %s", err);
		facts_adopt_env(fx, inv->cfg, inv->cfg->unknown_remote);
		pg_target_free(&t);
		return;
	}
	autofree char *hosts = join_list(&t.hosts);
	autofree char *addrs = join_list(&t.hostaddrs);
	autofree char *ports = join_list(&t.ports);
	fs_set(&fx->target, "host", *hosts ? hosts : "(local socket)");
	if (*addrs)
		fs_set(&fx->target, "hostaddr", addrs);
	fs_set(&fx->target, "port", ports);
	fs_set(&fx->target, "database", t.dbname ? t.dbname : "");
	fs_set(&fx->target, "user", t.user ? t.user : "");
	if (t.service)
		fs_set(&fx->target, "service", t.service);
	fs_set(&fx->target, "conninfo", t.conninfo ? t.conninfo : "");
	fs_set(&fx->target, "token", t.dbname ? t.dbname : "");
	if (t.hosts.n == 0)
		facts_consider(fx, inv->cfg, NAME_HOST, "");
	for (size_t i = 0; i < t.hosts.n; i++)
		facts_consider(fx, inv->cfg, NAME_HOST, t.hosts.v[i]);
	for (size_t i = 0; i < t.hostaddrs.n; i++)
		facts_consider(fx, inv->cfg, NAME_HOST, t.hostaddrs.v[i]);
	if (t.dbname)
		facts_consider(fx, inv->cfg, NAME_DATABASE, t.dbname);
	if (t.service)
		facts_consider(fx, inv->cfg, NAME_SERVICE, t.service);
	pg_target_free(&t);
}

/* ---- SQL input ----------------------------------------------------------- */

static void add_opaque(psql_ctx *c, long line, const char *fmt, const char *arg)
{
	operation *op = facts_add_op(c->fx, "opaque");
	fs_setf(&op->f, "reason", fmt, arg);
	fs_set(&op->f, "source", c->source);
	fs_setf(&op->f, "line", "%ld", line);
	fs_set(&op->f, "statement", "psql");
}

static void on_statement(void *ctx, const psql_stmt *s)
{
	psql_ctx *c = ctx;

	if (!strcmp(s->terminator, "\\gexec")) {
		add_opaque(c, s->line, "%s: \\gexec runs every value of the result as SQL",
		           "gexec");
		return;
	}
	if (!s->interesting)
		return;
	if (s->has_variables) {
		add_opaque(c, s->line,
		           "%s: the SQL uses psql variables, its text is known only "
		           "when it runs",
		           "variables");
		return;
	}
	if (s->truncated) {
		add_opaque(c, s->line, "a statement longer than %s bytes cannot be analysed",
		           "1048576");
		return;
	}
	size_t first_op = c->fx->n_ops;
	sql_facts(s->text, s->len, s->line, c->source, c->fx);
	explain_statement(c->inv, c->fx, first_op, s->text, s->len); /* needs the full text */
}

static void analyse_stream(psql_ctx *c, int fd, int spool);

static char *include_path(const psql_ctx *c, const char *name, const char *args)
{
	bool relative = !strcmp(name, "ir") || !strcmp(name, "include_relative");
	size_t n = strcspn(args, " \t\r\n");
	autofree char *file = xstrndup(args, n);

	if (file[0] == '/' || !relative || !c->dir)
		return file[0] == '/' ? xstrdup(file) : xasprintf("%s/%s", c->inv->cwd, file);
	return xasprintf("%s/%s", c->dir, file);
}

static void include_file(psql_ctx *c, const psql_meta *m)
{
	autofree char *path = include_path(c, m->name, m->args);

	if (c->depth >= MAX_INCLUDE_DEPTH) {
		add_opaque(c, m->line, "\\i nesting deeper than 16 files at %s", path);
		return;
	}
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !c->inv->dry) {
		add_opaque(c, m->line,
		           "included file %s is not a regular file: interlock cannot read it "
		           "without taking it from psql",
		           path);
		return;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		add_opaque(c, m->line,
		           "included file %s cannot be read: psql would fail or "
		           "read something else",
		           path);
		return;
	}
	autofree char *dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	psql_ctx sub = {
	    .inv = c->inv, .fx = c->fx, .source = path, .dir = dir, .depth = c->depth + 1};
	analyse_stream(&sub, fd, -1);
	close(fd);
}

static bool args_pipe(const char *args)
{
	return args[strspn(args, " \t")] == '|';
}

static void on_meta(void *ctx, const psql_meta *m)
{
	psql_ctx *c = ctx;
	const char *n = m->name;

	bool g_family = !strcmp(n, "g") || !strcmp(n, "gx");

	if (!strcmp(n, "i") || !strcmp(n, "include") || !strcmp(n, "ir") ||
	    !strcmp(n, "include_relative")) {
		include_file(c, m);
	} else if (!strcmp(n, "!") || ((!strcmp(n, "o") || !strcmp(n, "out") || !strcmp(n, "w") ||
	                                !strcmp(n, "write") || g_family) &&
	                               args_pipe(m->args))) {
		operation *op = facts_add_op(c->fx, "shell");
		fs_set(&op->f, "command", m->args);
		fs_set(&op->f, "source", c->source);
		fs_setf(&op->f, "line", "%ld", m->line);
	} else if (!strcmp(n, "c") || !strcmp(n, "connect")) {
		add_opaque(c, m->line, "\\connect %s: the rest runs against another target",
		           m->args);
	} else if (!strcmp(n, "copy")) {
		autofree char *sql = xasprintf("COPY %s", m->args);
		sql_facts(sql, strlen(sql), m->line, c->source, c->fx);
	}
}

/* Reads fd to its end through the lexer; with spool >= 0, every byte read
 * is also written there. */
static void analyse_stream(psql_ctx *c, int fd, int spool)
{
	static const psql_lex_callbacks cb = {.statement = on_statement, .meta = on_meta};
	psql_lexer *lx = psql_lex_new(&cb, c, MAX_STATEMENT);
	autofree char *buf = xmalloc(READ_CHUNK);
	const char *why = NULL;
	ssize_t r;

	while ((r = read(fd, buf, READ_CHUNK)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			add_opaque(c, 0, "reading the input failed: %s", strerror(errno));
			break;
		}
		if (spool >= 0 && write_all(spool, buf, (size_t)r) != 0)
			die(78, "cannot spool the input: %s", strerror(errno));
		psql_lex_feed(lx, buf, (size_t)r);
	}
	if (!psql_lex_finish(lx, &why))
		add_opaque(c, 0, "the input ends inside %s", why ? why : "something unfinished");
	psql_lex_free(lx);
}

static void analyse_text(psql_ctx *c, const char *text)
{
	static const psql_lex_callbacks cb = {.statement = on_statement, .meta = on_meta};
	psql_lexer *lx = psql_lex_new(&cb, c, MAX_STATEMENT);
	const char *why = NULL;

	psql_lex_feed(lx, text, strlen(text));
	if (!psql_lex_finish(lx, &why))
		add_opaque(c, 0, "the command ends inside %s", why ? why : "something unfinished");
	psql_lex_free(lx);
}

/* A spool file for input interlock reads before psql does. */
static int open_spool(const invocation *inv)
{
	const char *tmp = inv_getenv(inv, "TMPDIR");
	int spool = open(tmp && *tmp == '/' ? tmp : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (spool < 0)
		die(78, "cannot create a spool file for psql's input");
	return spool;
}

/* The real psql reads the spool as /dev/fd/N in place of the -f file:
 * value points into argv (after "-f", "--file=" or as its own word). */
static void exec_file_from_spool(const invocation *inv, facts *fx, const char *value, int spool)
{
	/* away from stdin/out/err, and kept across the exec */
	int fd = fcntl(spool, F_DUPFD, 3);

	if (fd < 0 || lseek(fd, 0, SEEK_SET) != 0)
		die(78, "cannot keep the spool file of %s", value);
	close(spool);
	if (fx->exec_argv.n == 0)
		for (int i = 0; i < inv->argc; i++)
			sv_push(&fx->exec_argv, inv->argv[i]);
	for (int i = 0; i < inv->argc; i++) {
		const char *a = inv->argv[i];
		if (value < a || value > a + strlen(a))
			continue;
		free(fx->exec_argv.v[i]);
		fx->exec_argv.v[i] = xasprintf("%.*s/dev/fd/%d", (int)(value - a), a, fd);
		return;
	}
	die(78, "cannot find %s in the command line", value);
}

/* A -f file (source NULL) or a psqlrc. A file that is not a regular one
 * (a pipe such as <(...), /dev/stdin) can be read only once: for -f it is
 * spooled and psql reads the spool; a psqlrc that is not a regular file is
 * opaque, not read (reading it would take it from psql). */
static void analyse_file_path(const invocation *inv, facts *fx, const char *file,
                              const char *source)
{
	autofree char *path = file[0] == '/' ? xstrdup(file) : xasprintf("%s/%s", inv->cwd, file);
	psql_ctx c = {.inv = inv, .fx = fx, .source = source ? source : path};
	struct stat st;

	if (stat(path, &st) != 0)
		return; /* psql stops with an error: nothing runs from it */
	bool once = !S_ISREG(st.st_mode) && !inv->dry; /* check: nothing runs after */
	if (once && source) {
		add_opaque(&c, 0,
		           "%s is not a regular file: interlock cannot read it without taking it "
		           "from psql",
		           path);
		return;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	autofree char *dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	c.dir = dir;
	if (once) {
		int spool = open_spool(inv);
		analyse_stream(&c, fd, spool);
		exec_file_from_spool(inv, fx, file, spool);
	} else {
		analyse_stream(&c, fd, -1);
	}
	close(fd);
}

/* Piped stdin: read it all now (decide before anything runs) and keep an
 * exact copy for the real psql. */
static void analyse_stdin(const invocation *inv, facts *fx)
{
	psql_ctx c = {.inv = inv, .fx = fx, .source = "stdin"};
	int spool = -1;

	if (inv->stdin_fd < 0)
		return;
	if (!inv->dry)
		spool = open_spool(inv);
	analyse_stream(&c, inv->stdin_fd, spool);
	if (spool >= 0) {
		if (lseek(spool, 0, SEEK_SET) != 0)
			die(78, "cannot rewind the stdin spool file");
		fx->exec_stdin = spool;
	}
}

/* psql reads the system psqlrc, then PSQLRC or $HOME/.psqlrc-15 or
 * $HOME/.psqlrc (the first that exists; ~ in PSQLRC is expanded), as psql
 * 15 does. Rule examples are hermetic: they read no psqlrc. */
static void analyse_psqlrc(const invocation *inv, facts *fx)
{
	const char *rc = inv_getenv(inv, "PSQLRC");
	const char *sysconf = inv_getenv(inv, "PGSYSCONFDIR");
	const char *env_home = inv_getenv(inv, "HOME");
	const char *home = env_home && *env_home ? env_home : inv->cfg->home;
	autofree char *sys = xasprintf("%s/psqlrc", sysconf ? sysconf : "/etc/postgresql-common");
	autofree char *versioned = xasprintf("%s/.psqlrc-15", home);
	autofree char *plain = xasprintf("%s/.psqlrc", home);
	autofree char *user =
	    rc ? expand_home(rc, home) : xstrdup(access(versioned, R_OK) == 0 ? versioned : plain);

	if (inv->hermetic)
		return;
	analyse_file_path(inv, fx, sys, "psqlrc");
	analyse_file_path(inv, fx, user, "psqlrc");
}

/* ---- sessions ------------------------------------------------------------ */

static bool env_listed(const config *cfg, const char *env)
{
	return env && sv_contains(&cfg->read_only_environments, env);
}

/* An interactive production session starts read-only: the server refuses
 * writes until the human unlocks them with `interlock run --write`. */
static void interactive_session(const invocation *inv, facts *fx)
{
	operation *op = facts_add_op(fx, "session");
	bool read_only = env_listed(inv->cfg, fx->environment) && !inv->write;
	const char *pgoptions = inv_getenv(inv, "PGOPTIONS");

	fs_set(&op->f, "interactive", "yes");
	fs_set(&op->f, "write", inv->write ? "yes" : "no");
	fs_set(&op->f, "read_only", read_only ? "yes" : "no");
	if (!read_only)
		return;
	sv_push_steal(&fx->exec_env,
	              xasprintf("PGOPTIONS=%s%s-c default_transaction_read_only=on",
	                        pgoptions ? pgoptions : "", pgoptions && *pgoptions ? " " : ""));
	/* A red prompt (a psqlrc may still override it). */
	for (int i = 0; i < inv->argc; i++) {
		sv_push(&fx->exec_argv, inv->argv[i]);
		if (i == 0) {
			sv_push(&fx->exec_argv, "-v");
			sv_push(&fx->exec_argv,
			        "PROMPT1=%[%033[1;37;41m%]%/ READ-ONLY%[%033[0m%]%R%# ");
			sv_push(&fx->exec_argv, "-v");
			sv_push(&fx->exec_argv,
			        "PROMPT2=%[%033[1;37;41m%]%/ READ-ONLY%[%033[0m%]%R%# ");
		}
	}
	sv_push(&fx->notes, "production session: read-only (default_transaction_read_only=on); "
	                    "`interlock run --write -- psql ...` asks to unlock writes");
}

bool analyse_psql(const invocation *inv, facts *fx, char *err, size_t errlen)
{
	psql_opts o = {0};

	(void)err;
	(void)errlen;
	parse_psql_argv(inv, &o);
	for (size_t i = 0; i < o.unknown.n; i++) {
		operation *op = facts_add_op(fx, "opaque");
		fs_setf(&op->f, "reason", "psql option %s is not one interlock knows",
		        o.unknown.v[i]);
	}
	sv_clear(&o.unknown);
	if (o.version_or_help) { /* psql prints and exits */
		facts_settle_environment(fx, inv->cfg);
		return true;
	}
	resolve_target(inv, &o, fx);
	facts_settle_environment(fx, inv->cfg);
	if (!o.no_psqlrc)
		analyse_psqlrc(inv, fx);
	if (o.list)
		return true;
	for (size_t i = 0; i < o.n_actions; i++) {
		psql_ctx c = {.inv = inv, .fx = fx, .source = "-c"};
		if (!strcmp(o.actions[i].kind, "c"))
			analyse_text(&c, o.actions[i].value);
		else if (!strcmp(o.actions[i].value, "-"))
			analyse_stdin(inv, fx);
		else
			analyse_file_path(inv, fx, o.actions[i].value, NULL);
	}
	if (!o.n_actions) {
		if (inv->stdin_fd >= 0 && isatty(inv->stdin_fd))
			interactive_session(inv, fx);
		else
			analyse_stdin(inv, fx);
	}
	explain_estimates(inv, fx);
	return true;
}
