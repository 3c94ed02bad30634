/* pg_restore.c - the pg_restore analyser: which server and database the
 * restore reaches (pg_target.c, as libpq resolves it), and what SQL it will
 * run there - found by running the real pg_restore with the same selection
 * options and `-f -` (script output: it never connects anywhere) and
 * feeding the script it prints through the psql lexer (psql/lexer.c) and
 * libpg_query (psql/sqlfacts.c), streaming: the COPY data is skipped, never
 * buffered. The script is lexed one archive entry at a time (a fresh lexer
 * each), because that is how pg_restore sends it to a database: see "one
 * archive entry at a time" below.
 *
 * Operation kinds added here (the SQL ones come from sqlfacts.c):
 *   restore   one per invocation: archive (the operand, or "stdin"),
 *             output ("database" when it restores into a database, else
 *             the -f file, "-" for stdout, or "none" when pg_restore would
 *             refuse to run), list, clean, create, single_transaction,
 *             data_only, schema_only (yes|no), archive_database (with
 *             --create: the database named inside the archive, which is
 *             dropped and created again and where the data goes; "" when
 *             not known)
 *   opaque    what cannot be known: reason=... (an archive that cannot be
 *             read, an option interlock does not know, ...)
 *
 * --list and -f without -d touch no database: only the restore operation,
 * in the default environment. With --create, pg_restore connects to -d only
 * to drop and create the archive's database, then restores into that one:
 * its name counts towards the target's environment, and it is what a
 * confirmation asks to type.
 *
 * Piped stdin (and an archive operand that is a pipe or a device) is
 * spooled to an unlinked temporary file first; the helper pg_restore reads
 * the spool, and so does the real one (as its stdin, or as /dev/fd/N in
 * place of the operand): both see exactly the bytes interlock read. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analyse.h"
#include "classify.h"
#include "longopt.h"
#include "pg_target.h"
#include "psql_lexer.h"
#include "sqlfacts.h"
#include "target_facts.h"

#define MAX_STATEMENT (1024 * 1024) /* longer interesting statements are opaque */
#define READ_CHUNK    (256 * 1024)
#define MAX_STDERR    4096 /* of the helper's messages, kept for the reason */
#define MAX_OPERANDS  8    /* pg_restore takes one; more make it refuse */

/* ---- command line ------------------------------------------------------ */

/* pg_restore 15's options (src/bin/pg_dump/pg_restore.c): getopt_long with
 * "acCd:ef:F:h:I:j:lL:n:N:Op:P:RsS:t:T:U:vwWx1" and the long options below.
 * Long-only options get codes from 256. */
enum {
	L_DISABLE_TRIGGERS = 256,
	L_ENABLE_ROW_SECURITY,
	L_IF_EXISTS,
	L_NO_DATA_FOR_FAILED_TABLES,
	L_NO_TABLE_AM,
	L_NO_TABLESPACES,
	L_ROLE,
	L_SECTION,
	L_STRICT_NAMES,
	L_USE_SET_SESSION_AUTH,
	L_NO_COMMENTS,
	L_NO_PUBLICATIONS,
	L_NO_SECURITY_LABELS,
	L_NO_SUBSCRIPTIONS,
	L_RESTRICT_KEY,
};

typedef struct {
	longopt o; /* long name, short letter or L_*, takes a value */
	bool pass; /* given to the helper pg_restore: it shapes the script
	              (or, -h -p -U, lets Debian's pg_wrapper pick the
	              same pg_restore version; -f - makes them unused) */
} opt_spec;

static const opt_spec pgr_specs[] = {
    {{"clean", 'c', LONGOPT_NONE}, true},
    {{"create", 'C', LONGOPT_NONE}, true},
    {{"data-only", 'a', LONGOPT_NONE}, true},
    {{"dbname", 'd', LONGOPT_REQUIRED}, false},
    {{"exit-on-error", 'e', LONGOPT_NONE}, false},
    {{"exclude-schema", 'N', LONGOPT_REQUIRED}, true},
    {{"file", 'f', LONGOPT_REQUIRED}, false},
    {{"format", 'F', LONGOPT_REQUIRED}, true},
    {{"function", 'P', LONGOPT_REQUIRED}, true},
    {{"host", 'h', LONGOPT_REQUIRED}, true},
    {{"index", 'I', LONGOPT_REQUIRED}, true},
    {{"jobs", 'j', LONGOPT_REQUIRED}, false},
    {{"list", 'l', LONGOPT_NONE}, false},
    {{"no-privileges", 'x', LONGOPT_NONE}, true},
    {{"no-acl", 'x', LONGOPT_NONE}, true},
    {{"no-owner", 'O', LONGOPT_NONE}, true},
    {{"no-reconnect", 'R', LONGOPT_NONE}, false},
    {{"port", 'p', LONGOPT_REQUIRED}, true},
    {{"no-password", 'w', LONGOPT_NONE}, false},
    {{"password", 'W', LONGOPT_NONE}, false},
    {{"schema", 'n', LONGOPT_REQUIRED}, true},
    {{"schema-only", 's', LONGOPT_NONE}, true},
    {{"superuser", 'S', LONGOPT_REQUIRED}, true},
    {{"table", 't', LONGOPT_REQUIRED}, true},
    {{"trigger", 'T', LONGOPT_REQUIRED}, true},
    {{"use-list", 'L', LONGOPT_REQUIRED}, true},
    {{"username", 'U', LONGOPT_REQUIRED}, true},
    {{"verbose", 'v', LONGOPT_NONE}, false},
    {{"single-transaction", '1', LONGOPT_NONE}, true},
    {{"disable-triggers", L_DISABLE_TRIGGERS, LONGOPT_NONE}, true},
    {{"enable-row-security", L_ENABLE_ROW_SECURITY, LONGOPT_NONE}, true},
    {{"if-exists", L_IF_EXISTS, LONGOPT_NONE}, true},
    {{"no-data-for-failed-tables", L_NO_DATA_FOR_FAILED_TABLES, LONGOPT_NONE}, true},
    {{"no-table-access-method", L_NO_TABLE_AM, LONGOPT_NONE}, true},
    {{"no-tablespaces", L_NO_TABLESPACES, LONGOPT_NONE}, true},
    {{"role", L_ROLE, LONGOPT_REQUIRED}, true},
    {{"section", L_SECTION, LONGOPT_REQUIRED}, true},
    {{"strict-names", L_STRICT_NAMES, LONGOPT_NONE}, true},
    {{"use-set-session-authorization", L_USE_SET_SESSION_AUTH, LONGOPT_NONE}, true},
    {{"no-comments", L_NO_COMMENTS, LONGOPT_NONE}, true},
    {{"no-publications", L_NO_PUBLICATIONS, LONGOPT_NONE}, true},
    {{"no-security-labels", L_NO_SECURITY_LABELS, LONGOPT_NONE}, true},
    {{"no-subscriptions", L_NO_SUBSCRIPTIONS, LONGOPT_NONE}, true},
    /* 15.14 and later: the \restrict key of script output. The helper's
     * script needs none of its own. */
    {{"restrict-key", L_RESTRICT_KEY, LONGOPT_REQUIRED}, false},
};

#define N_SPECS (sizeof pgr_specs / sizeof *pgr_specs)

typedef struct {
	const char *dbname, *host, *port, *user, *file, *use_list;
	bool clean, create, data_only, schema_only, list, single_txn;
	bool version_or_help;
	strvec helper_args;            /* "--name[=value]" for the helper, in order */
	strvec unknown;                /* options pg_restore would refuse */
	int operand_idx[MAX_OPERANDS]; /* argv index of each operand (the first ones) */
	size_t n_operands;
} pgr_opts;

static void apply_opt(pgr_opts *o, const opt_spec *s, const char *val)
{
	switch (s->o.code) {
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
	case 'f':
		o->file = val;
		break;
	case 'L':
		o->use_list = val;
		break;
	case 'c':
		o->clean = true;
		break;
	case 'C':
		o->create = true;
		break;
	case 'a':
		o->data_only = true;
		break;
	case 's':
		o->schema_only = true;
		break;
	case 'l':
		o->list = true;
		break;
	case '1':
		o->single_txn = true;
		break;
	default:
		break;
	}
	if (!s->pass)
		return;
	if (s->o.arg)
		sv_push_steal(&o->helper_args, xasprintf("--%s=%s", s->o.name, val));
	else
		sv_push_steal(&o->helper_args, xasprintf("--%s", s->o.name));
}

static void on_option(void *ctx, const longopt *s, const char *val)
{
	apply_opt(ctx, (const opt_spec *)(const void *)s, val); /* s is an entry's first member */
}

static void on_operand(void *ctx, int i)
{
	pgr_opts *o = ctx;

	if (o->n_operands < MAX_OPERANDS)
		o->operand_idx[o->n_operands] = i;
	o->n_operands++;
}

static void on_refused(void *ctx, const char *word)
{
	sv_push(&((pgr_opts *)ctx)->unknown, word);
}

/* pg_restore permutes like getopt_long; --help, -?, --version and -V count
 * only as the first argument. */
static void parse_pg_restore_argv(const invocation *inv, pgr_opts *o)
{
	static const longopt_calls calls = {on_option, on_operand, on_refused};
	bool permute = inv_getenv(inv, "POSIXLY_CORRECT") == NULL;

	if (inv->argc > 1) {
		const char *a = inv->argv[1];
		if (!strcmp(a, "--help") || !strcmp(a, "-?") || !strcmp(a, "--version") ||
		    !strcmp(a, "-V")) {
			o->version_or_help = true;
			return;
		}
	}
	longopt_parse(inv->argc, inv->argv, pgr_specs, N_SPECS, sizeof *pgr_specs, permute, &calls,
	              o);
}

/* ---- target ------------------------------------------------------------ */

/* The target fields and the names that count towards the environment, as
 * libpq resolves -d/-h/-p/-U, services and PG* variables. A target that
 * cannot be known counts as cfg->unknown_remote. */
static void resolve_target(const invocation *inv, const pgr_opts *o, facts *fx)
{
	pg_conn_args a = target_conn_args(inv);
	pg_target t = {0};
	char err[512];

	a.dbname = o->dbname;
	a.host = o->host;
	a.port = o->port;
	a.user = o->user;
	if (!pg_target_resolve(&a, &t, err, sizeof err)) {
		operation *op = target_facts_unknown(fx, inv->cfg, o->dbname, err);
		fs_set(&op->f, "statement", "pg_restore");
		return;
	}
	target_facts_set(fx, &t);
	target_facts_consider(fx, inv->cfg, &t);
	pg_target_free(&t);
}

/* ---- the script ---------------------------------------------------------- */

typedef struct {
	const invocation *inv;
	facts *fx;
	const char *source;   /* the archive, for the operations' source field */
	char *created;        /* owned: the database of CREATE DATABASE, if any */
	strvec connected;     /* databases the script \connect's to */
	bool connect_unknown; /* a \connect whose database could not be read */
	long unit_line;       /* the script line where the lexer's line 1 is */
	long unterminated;    /* script line of a statement left without ; at the
	                         end of the unit, else 0 */
} pgr_ctx;

/* The script line of a line the current unit's lexer reports. */
static long script_line(const pgr_ctx *c, long line)
{
	return c->unit_line + line - 1;
}

/* line: a script line. */
static void add_opaque(pgr_ctx *c, long line, const char *fmt, const char *arg)
{
	operation *op = facts_add_op(c->fx, "opaque");
	fs_setf(&op->f, "reason", fmt, arg);
	fs_set(&op->f, "source", c->source);
	fs_setf(&op->f, "line", "%ld", line);
	fs_set(&op->f, "statement", "pg_restore");
}

/* A double-quoted identifier at *p ("" is one "), or NULL. */
static char *quoted_ident(const char **p)
{
	strbuf b = {0};
	const char *s = *p + 1;

	for (;; s++) {
		if (!*s) {
			sb_free(&b);
			return NULL;
		}
		if (*s == '"') {
			if (s[1] != '"')
				break;
			s++;
		}
		sb_putc(&b, *s);
	}
	*p = s + 1;
	return sb_steal(&b);
}

static bool ident_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '$' || (unsigned char)ch >= 0x80;
}

/* An SQL identifier at *p as the server reads it: quoted, or bare and
 * folded to lower case. NULL when there is none. */
static char *sql_ident(const char **p)
{
	if (**p == '"')
		return quoted_ident(p);
	const char *s = *p;
	while (ident_char(*s))
		s++;
	if (s == *p)
		return NULL;
	char *id = xstrndup(*p, (size_t)(s - *p));
	for (char *q = id; *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	*p = s;
	return id;
}

static bool skip_word(const char **p, const char *word)
{
	size_t n = strlen(word);

	if (strncasecmp(*p, word, n) != 0 || ident_char((*p)[n]))
		return false;
	*p += n;
	*p += strspn(*p, " \t\r\n");
	return true;
}

/* CREATE DATABASE name ...: the archive's database (pg_dump writes the
 * name with fmtId: bare when lower case, else double-quoted). */
static void note_create_database(pgr_ctx *c, const char *text, long line)
{
	const char *p = text;

	if (!skip_word(&p, "CREATE") || !skip_word(&p, "DATABASE"))
		return;
	char *name = sql_ident(&p);
	if (!name) {
		add_opaque(c, line, "%s: the database's name cannot be read", text);
		c->connect_unknown = true;
		return;
	}
	if (!c->created)
		c->created = name;
	else if (strcmp(c->created, name) != 0) {
		sv_push(&c->connected, name); /* a second one: counts too */
		free(name);
	} else
		free(name);
}

/* A libpq connection-string value: bare, or '...' with \' and \\. */
static char *conn_value(const char **p)
{
	const char *s = *p;
	strbuf b = {0};

	if (*s != '\'') {
		size_t n = strcspn(s, " \t");
		*p = s + n;
		return xstrndup(s, n);
	}
	for (s++;; s++) {
		if (!*s) {
			sb_free(&b);
			return NULL;
		}
		if (*s == '\\' && s[1])
			s++;
		else if (*s == '\'')
			break;
		sb_putc(&b, *s);
	}
	*p = s + 1;
	return sb_steal(&b);
}

/* The database of a \connect pg_restore writes (appendPsqlMetaConnect):
 * `\connect name`, `\connect "Name"`, or
 * `\connect -reuse-previous=on "dbname='odd name'"`. NULL for anything
 * else. */
static char *connect_database(const char *args)
{
	const char *p = args + strspn(args, " \t");
	char *db = NULL;

	if (str_starts(p, "-reuse-previous=on")) {
		p += strlen("-reuse-previous=on");
		p += strspn(p, " \t");
		autofree char *conn = *p == '"' ? quoted_ident(&p) : NULL;
		if (!conn || !str_starts(conn, "dbname="))
			return NULL;
		const char *v = conn + strlen("dbname=");
		db = conn_value(&v);
		if (db && *v) { /* more than the database name */
			free(db);
			return NULL;
		}
	} else if (*p == '"') {
		db = quoted_ident(&p);
	} else {
		size_t n = strcspn(p, " \t\r\n");
		db = n ? xstrndup(p, n) : NULL;
		p += n;
	}
	if (db && (p[strspn(p, " \t\r\n")] != '\0' || !*db)) {
		free(db);
		return NULL;
	}
	return db;
}

static bool g_family(const char *name)
{
	static const char *const g[] = {"g",     "gx",           "gexec", "gset",
	                                "gdesc", "crosstabview", "watch"};

	for (size_t i = 0; i < sizeof g / sizeof *g; i++)
		if (!strcmp(name, g[i]))
			return true;
	return false;
}

static void on_statement(void *ctx, const psql_stmt *s)
{
	pgr_ctx *c = ctx;
	long line = script_line(c, s->line);

	if (!s->terminator[0])
		c->unterminated = line;
	/* pg_restore sends the text itself (no psql in between): psql variables
	 * are not substituted, \g-family terminators are not expected. */
	if (s->terminator[0] == '\\') {
		add_opaque(c, line,
		           "the script holds the psql command %s, which pg_restore's "
		           "own output never has",
		           s->terminator);
		return;
	}
	if (!s->interesting)
		return;
	if (s->truncated) {
		add_opaque(c, line, "a statement longer than %s bytes cannot be analysed",
		           "1048576");
		return;
	}
	if (s->keywords & KW_CREATE)
		note_create_database(c, s->text, line);
	sql_facts(s->text, s->len, line, c->source, c->fx);
}

static void on_meta(void *ctx, const psql_meta *m)
{
	pgr_ctx *c = ctx;
	const char *n = m->name;
	long line = script_line(c, m->line);

	/* \restrict and \unrestrict (15.14+) guard the script against psql
	 * meta-commands; \encoding SQL_ASCII comes before a \connect to a
	 * database with an unusual name. pg_restore itself sends neither. */
	if (!strcmp(n, "restrict") || !strcmp(n, "unrestrict") || !strcmp(n, "encoding"))
		return;
	if (!strcmp(n, "connect") || !strcmp(n, "c")) {
		char *db = connect_database(m->args);
		if (db) {
			if (!sv_contains(&c->connected, db))
				sv_push(&c->connected, db);
			free(db);
			return;
		}
		c->connect_unknown = true;
		add_opaque(c, line, "\\connect %s: the database the rest goes to cannot be read",
		           m->args);
		return;
	}
	if (g_family(n))
		return; /* reported with the statement it terminates */
	autofree char *cmd = xasprintf("\\%s %s", n, m->args);
	add_opaque(c, line,
	           "the script holds the psql command %s, which pg_restore's own "
	           "output never has",
	           cmd);
}

/* ---- one archive entry at a time ----------------------------------------- */

/* Restoring into a database, pg_restore sends each archive entry's SQL to
 * the server as a query of its own; the script only concatenates them. So a
 * quote left open by one entry does not swallow the next one there - and
 * must not here: each entry is lexed on its own, by a fresh lexer. An entry
 * starts at its header comment ("-- Name: ...", "-- Data for Name: ...",
 * with -v "-- TOC entry ..."; pg_restore keeps names in it on one line). Text
 * that only looks like a header cuts an entry in two: both halves end inside
 * something, or without ;, and are opaque - never quieter.
 *
 * Before the first entry come pg_restore's own SET statements and, with
 * --clean, every entry's DROP with no header between them: each a query of
 * its own, and one line each as pg_dump writes them, so there each line is a
 * unit. */

#define HEAD_MAX 32 /* longer than any header prefix */

static const char *const entry_heads[] = {"-- Name: ", "-- Data for Name: ", "-- TOC entry "};

typedef struct {
	pgr_ctx *c;
	psql_lexer *lx;      /* the current unit's; NULL until it has text */
	long line;           /* the script line being read */
	bool entries;        /* the first entry's header was seen */
	bool bol;            /* at the start of a line */
	bool holding;        /* the start of the line is held back in head ... */
	char head[HEAD_MAX]; /* ... until it is known whether it is a header */
	size_t head_len;
} splitter;

static const psql_lex_callbacks unit_cb = {.statement = on_statement, .meta = on_meta};

static void unit_feed(splitter *sp, const char *p, size_t n)
{
	if (!sp->lx) {
		sp->lx = psql_lex_new(&unit_cb, sp->c, MAX_STATEMENT);
		sp->c->unit_line = sp->line;
	}
	psql_lex_feed(sp->lx, p, n);
}

/* The unit's end: what pg_restore sent as one query must be complete on its
 * own. */
static void unit_end(splitter *sp)
{
	pgr_ctx *c = sp->c;
	const char *open = NULL;

	if (!sp->lx)
		return;
	c->unterminated = 0;
	bool ok = psql_lex_finish(sp->lx, &open);
	psql_lex_free(sp->lx);
	sp->lx = NULL;
	if (!ok)
		add_opaque(c, c->unit_line,
		           "an archive entry ends inside %s (pg_restore sends each entry on its "
		           "own)",
		           open ? open : "something unfinished");
	else if (c->unterminated)
		add_opaque(c, c->unterminated, "%s",
		           "an archive entry ends in a statement without ; (pg_restore sends each "
		           "entry on its own; what precedes or follows it is not known)");
}

/* 1: head is a whole header prefix; 0: it can still become one; -1: no. */
static int head_match(const splitter *sp)
{
	int r = -1;

	for (size_t i = 0; i < sizeof entry_heads / sizeof *entry_heads; i++) {
		size_t n = strlen(entry_heads[i]);
		if (sp->head_len > n || memcmp(sp->head, entry_heads[i], sp->head_len) != 0)
			continue;
		if (sp->head_len == n)
			return 1;
		r = 0;
	}
	return r;
}

/* Hands the held-back start of the line on: to a new unit if it is a
 * header. */
static void release_head(splitter *sp, bool header)
{
	if (header) {
		unit_end(sp);
		sp->entries = true;
	}
	sp->holding = false;
	unit_feed(sp, sp->head, sp->head_len);
	if (sp->head[sp->head_len - 1] == '\n') {
		sp->line++;
		sp->bol = true;
	}
}

/* Holds back bytes from p until the line's start is known; returns where
 * it stopped. */
static const char *hold(splitter *sp, const char *p, const char *end)
{
	while (p < end) {
		sp->head[sp->head_len++] = *p++;
		int m = head_match(sp);
		if (m != 0) {
			release_head(sp, m == 1);
			break;
		}
	}
	return p;
}

static void split_feed(splitter *sp, const char *p, size_t n)
{
	const char *end = p + n;

	while (p < end) {
		if (sp->bol) {
			if (!sp->entries)
				unit_end(sp); /* before the first entry: a line each */
			sp->bol = false;
			sp->holding = true;
			sp->head_len = 0;
		}
		if (sp->holding) {
			p = hold(sp, p, end);
			continue;
		}
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl + 1 : end;
		unit_feed(sp, p, (size_t)(stop - p));
		if (nl) {
			sp->line++;
			sp->bol = true;
		}
		p = stop;
	}
}

static void split_finish(splitter *sp)
{
	if (sp->holding && sp->head_len)
		release_head(sp, false);
	unit_end(sp);
}

/* ---- the helper pg_restore ------------------------------------------------ */

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* pg_restore's messages on one line, for a reason field. */
static char *flatten(const strbuf *b)
{
	strbuf out = {0};
	const char *s = b->s ? b->s : "";

	for (; *s; s++) {
		if (*s == '\n') {
			if (s[1])
				sb_puts(&out, "; ");
		} else {
			sb_putc(&out, *s);
		}
	}
	return sb_steal(&out);
}

/* Starts the real pg_restore with `-f -`, the selection options and
 * operands, stdin from in_fd; its stdout and stderr come back on *out and
 * *err. Returns the child, or -1 (errno set). */
static pid_t start_helper(const invocation *inv, const pgr_opts *o, const strvec *operands,
                          int in_fd, int *out, int *err)
{
	strvec argv = {0}, env = {0};
	int po[2] = {-1, -1}, pe[2] = {-1, -1};
	pid_t pid = -1;

	sv_push(&argv, inv->argv[0]);
	sv_push(&argv, "--file=-");
	for (size_t i = 0; i < o->helper_args.n; i++)
		sv_push(&argv, o->helper_args.v[i]);
	if (operands->n)
		sv_push(&argv, "--");
	for (size_t i = 0; i < operands->n; i++)
		sv_push(&argv, operands->v[i]);
	for (char *const *e = inv->envp; e && *e; e++)
		sv_push(&env, *e);
	if (!env.v) { /* execve needs a list, even an empty one */
		env.cap = 2;
		env.v = xcalloc(env.cap, sizeof(*env.v));
	}
	if (pipe2(po, O_CLOEXEC) == 0 && pipe2(pe, O_CLOEXEC) == 0)
		pid = fork();
	if (pid == 0) {
		if (dup2(in_fd, 0) < 0 || dup2(po[1], 1) < 0 || dup2(pe[1], 2) < 0)
			_exit(127);
		if (chdir(inv->cwd) != 0) {
			dprintf(2, "cannot change to %s: %s\n", inv->cwd, strerror(errno));
			_exit(127);
		}
		execve(inv->real_tool, argv.v, env.v);
		dprintf(2, "cannot run %s: %s\n", inv->real_tool, strerror(errno));
		_exit(127);
	}
	int saved = errno;
	close_fd(&po[1]);
	close_fd(&pe[1]);
	if (pid < 0) {
		close_fd(&po[0]);
		close_fd(&pe[0]);
	}
	*out = po[0];
	*err = pe[0];
	sv_clear(&argv);
	sv_clear(&env);
	errno = saved;
	return pid;
}

/* Runs the helper pg_restore (see start_helper; in_fd < 0: /dev/null) and
 * feeds the script it prints to the lexer. `-f -` never connects: this is
 * read-only, and runs in check mode too. Returns NULL when the whole script
 * was analysed, else why not (owned). */
static char *run_helper(pgr_ctx *c, const pgr_opts *o, const strvec *operands, int in_fd)
{
	const invocation *inv = c->inv;
	int null_fd = -1;

	if (!inv->real_tool)
		return xstrdup("the real pg_restore was not found");
	if (in_fd < 0 && (in_fd = null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
		return xasprintf("cannot open /dev/null: %s", strerror(errno));
	struct pollfd pf[2] = {{.fd = -1, .events = POLLIN}, {.fd = -1, .events = POLLIN}};
	pid_t pid = start_helper(inv, o, operands, in_fd, &pf[0].fd, &pf[1].fd);
	close_fd(&null_fd);
	if (pid < 0)
		return xasprintf("cannot start pg_restore: %s", strerror(errno));

	splitter sp = {.c = c, .line = 1, .bol = true};
	char *buf = xmalloc(READ_CHUNK);
	strbuf errs = {0};
	char *why = NULL;
	while (pf[0].fd >= 0 || pf[1].fd >= 0) {
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			why = xasprintf("reading pg_restore's output failed: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (pf[i].fd < 0 || !pf[i].revents)
				continue;
			ssize_t r = read(pf[i].fd, buf, READ_CHUNK);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				close_fd(&pf[i].fd);
				continue;
			}
			if (i == 0)
				split_feed(&sp, buf, (size_t)r);
			else if (errs.len < MAX_STDERR)
				sb_putn(&errs, buf,
				        (size_t)r > MAX_STDERR - errs.len ? MAX_STDERR - errs.len
				                                          : (size_t)r);
		}
	}
	free(buf);
	close_fd(&pf[0].fd); /* after a poll failure: pg_restore gets SIGPIPE */
	close_fd(&pf[1].fd);
	split_finish(&sp);
	int st;
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			st = -1;
			break;
		}
	}
	if (why) {
		/* already said */
	} else if (st == -1) {
		why = xstrdup("pg_restore could not be waited for");
	} else if (WIFSIGNALED(st)) {
		why = xasprintf("pg_restore was killed by signal %d", WTERMSIG(st));
	} else if (WEXITSTATUS(st) != 0) {
		autofree char *msg = flatten(&errs);
		why = xasprintf("pg_restore -f - exited %d: %s", WEXITSTATUS(st),
		                *msg ? msg : "(no message)");
	}
	sb_free(&errs);
	return why;
}

/* Copies all of from into an unlinked temporary file, rewound. false (with
 * an opaque operation) when reading failed; the spool then holds what was
 * read. Dies when the spool cannot be written (as psql's does). */
static int spool_from(pgr_ctx *c, int from)
{
	const char *tmp = inv_getenv(c->inv, "TMPDIR");
	int spool = open(tmp && *tmp == '/' ? tmp : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	autofree char *buf = xmalloc(READ_CHUNK);
	ssize_t r;

	if (spool < 0)
		die(78, "cannot create a spool file for the archive");
	while ((r = read(from, buf, READ_CHUNK)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			add_opaque(c, 0, "reading the archive failed: %s", strerror(errno));
			break;
		}
		if (write_all(spool, buf, (size_t)r) != 0)
			die(78, "cannot spool the archive: %s", strerror(errno));
	}
	if (lseek(spool, 0, SEEK_SET) != 0)
		die(78, "cannot rewind the archive's spool file");
	return spool;
}

static void rewind_spool(int spool)
{
	if (spool >= 0 && lseek(spool, 0, SEEK_SET) != 0)
		die(78, "cannot rewind the archive's spool file");
}

/* An archive operand that cannot be read twice (a pipe such as <(...), a
 * device): spool it, and let the real pg_restore read the spool as
 * /dev/fd/N in the operand's place. Returns the spool, or -1 when the
 * operand is a regular file or a directory (or cannot be opened: then the
 * helper fails as the real one will). */
static int spool_operand(pgr_ctx *c, const pgr_opts *o)
{
	const invocation *inv = c->inv;
	const char *arg = inv->argv[o->operand_idx[0]];
	autofree char *path = arg[0] == '/' ? xstrdup(arg) : xasprintf("%s/%s", inv->cwd, arg);
	struct stat st;

	if (stat(path, &st) != 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
		return -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int spool = spool_from(c, fd);
	close(fd);
	/* The spool must survive the exec, away from stdin/out/err. */
	if (spool < 3) {
		int high = fcntl(spool, F_DUPFD_CLOEXEC, 3);
		if (high < 0)
			die(78, "cannot keep the archive's spool file");
		close(spool);
		spool = high;
	}
	return spool;
}

/* Makes the real pg_restore read the spool in place of the operand. */
static void exec_from_spool(const invocation *inv, const pgr_opts *o, facts *fx, int spool)
{
	int flags = fcntl(spool, F_GETFD);

	if (flags < 0 || fcntl(spool, F_SETFD, flags & ~FD_CLOEXEC) != 0)
		die(78, "cannot keep the archive's spool file");
	for (int i = 0; i < inv->argc; i++) {
		if (i == o->operand_idx[0])
			sv_push_steal(&fx->exec_argv, xasprintf("/dev/fd/%d", spool));
		else
			sv_push(&fx->exec_argv, inv->argv[i]);
	}
}

static bool not_regular_file(const invocation *inv, const char *file)
{
	autofree char *path = file[0] == '/' ? xstrdup(file) : xasprintf("%s/%s", inv->cwd, file);
	struct stat st;

	return stat(path, &st) == 0 && !S_ISREG(st.st_mode);
}

/* What the restore will run: the helper's script, through the lexer and
 * libpg_query. Fills archive_database of the restore operation. */
static void analyse_archive(const invocation *inv, const pgr_opts *o, facts *fx, size_t restore_op,
                            const char *archive)
{
	pgr_ctx c = {.inv = inv, .fx = fx, .source = archive};
	strvec operands = {0};
	int in_fd = -1, stdin_spool = -1, operand_spool = -1;
	bool run = true;
	char *why = NULL;

	if (o->n_operands == 0) {
		if (inv->stdin_fd >= 0 && isatty(inv->stdin_fd)) {
			why = xstrdup("pg_restore would read the archive from the terminal");
			run = false;
		} else if (inv->stdin_fd >= 0 && inv->dry) {
			in_fd = inv->stdin_fd; /* check: nothing runs after this */
		} else if (inv->stdin_fd >= 0) {
			in_fd = stdin_spool = spool_from(&c, inv->stdin_fd);
		}
	} else {
		if (!inv->dry && o->n_operands == 1)
			operand_spool = spool_operand(&c, o);
		if (operand_spool >= 0)
			in_fd = operand_spool;
		else
			for (size_t i = 0; i < o->n_operands && i < MAX_OPERANDS; i++)
				sv_push(&operands, inv->argv[o->operand_idx[i]]);
	}
	if (run && o->use_list && not_regular_file(inv, o->use_list)) {
		why = xasprintf("the -L list %s is not a regular file: interlock cannot read it "
		                "without taking it away from pg_restore",
		                o->use_list);
		run = false;
	}
	if (run)
		why = run_helper(&c, o, &operands, in_fd);
	if (why) {
		operation *op = facts_add_op(fx, "opaque");
		fs_setf(&op->f, "reason", "what the restore of %s would run cannot be known: %s",
		        archive, why);
		fs_set(&op->f, "source", archive);
		fs_set(&op->f, "statement", "pg_restore");
	}
	if (stdin_spool >= 0) {
		rewind_spool(stdin_spool);
		fx->exec_stdin = stdin_spool;
	}
	if (operand_spool >= 0) {
		rewind_spool(operand_spool);
		exec_from_spool(inv, o, fx, operand_spool);
	}

	/* Where the data goes: with --create, the archive's own database. */
	const char *adb = c.created ? c.created : c.connected.n ? c.connected.v[0] : NULL;
	if (c.created)
		facts_consider(fx, inv->cfg, NAME_DATABASE, c.created);
	for (size_t i = 0; i < c.connected.n; i++)
		facts_consider(fx, inv->cfg, NAME_DATABASE, c.connected.v[i]);
	fs_set(&fx->ops[restore_op].f, "archive_database", adb ? adb : "");
	if (c.connect_unknown)
		facts_adopt_env(fx, inv->cfg, inv->cfg->unknown_remote);
	if (o->create && adb) {
		const char *via = fs_get(&fx->target, "database");
		fs_set(&fx->target, "token", adb);
		sv_push_steal(&fx->notes,
		              xasprintf("--create: pg_restore connects to %s only to %screate the "
		                        "database %s named in the archive, then restores into %s",
		                        via && *via ? via : "the -d database",
		                        o->clean ? "drop and " : "", adb, adb));
	} else if (o->create && why) {
		/* The database the data goes to is not known: unknown means
		 * dangerous. */
		facts_adopt_env(fx, inv->cfg, inv->cfg->unknown_remote);
		sv_push(&fx->notes, "--create: the database named in the archive is not known, so "
		                    "neither is where the data goes");
	}
	if (o->single_txn)
		sv_push(&fx->notes,
		        "--single-transaction: the restore commits as a whole or not at "
		        "all");
	free(why);
	free(c.created);
	sv_clear(&c.connected);
	sv_clear(&operands);
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

bool analyse_pg_restore(const invocation *inv, facts *fx, char *err, size_t errlen)
{
	pgr_opts o = {0};

	(void)err;
	(void)errlen;
	parse_pg_restore_argv(inv, &o);
	if (o.version_or_help) { /* pg_restore prints and exits */
		facts_settle_environment(fx, inv->cfg);
		return true;
	}
	const char *archive = o.n_operands ? inv->argv[o.operand_idx[0]] : "stdin";
	/* -l prints the archive's table of contents; -f writes the script to a
	 * file; neither connects. Without -d or -f pg_restore refuses to run. */
	const char *output = o.list     ? (o.file ? o.file : "-")
	                     : o.dbname ? "database"
	                     : o.file   ? o.file
	                                : "none";
	size_t restore_op = fx->n_ops;
	operation *op = facts_add_op(fx, "restore");
	fs_set(&op->f, "archive", archive);
	fs_set(&op->f, "output", output);
	fs_set(&op->f, "list", yes_no(o.list));
	fs_set(&op->f, "clean", yes_no(o.clean));
	fs_set(&op->f, "create", yes_no(o.create));
	fs_set(&op->f, "single_transaction", yes_no(o.single_txn));
	fs_set(&op->f, "data_only", yes_no(o.data_only));
	fs_set(&op->f, "schema_only", yes_no(o.schema_only));
	fs_set(&op->f, "archive_database", "");
	for (size_t i = 0; i < o.unknown.n; i++) {
		operation *u = facts_add_op(fx, "opaque");
		fs_setf(&u->f, "reason", "pg_restore option %s is not one interlock knows",
		        o.unknown.v[i]);
		fs_set(&u->f, "statement", "pg_restore");
	}
	if (!strcmp(output, "database")) {
		resolve_target(inv, &o, fx);
		analyse_archive(inv, &o, fx, restore_op, archive);
	}
	facts_settle_environment(fx, inv->cfg);
	sv_clear(&o.unknown);
	sv_clear(&o.helper_args);
	return true;
}
