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
 *   shell     \!, |pipes, `backticks`, editors: command=...
 *
 * Nothing is sent anywhere while analysing. Piped stdin is spooled to an
 * unlinked temporary file while it is read, and that file becomes the real
 * psql's stdin: the bytes it gets are exactly the bytes interlock read. */
#include <ctype.h>
#include <dirent.h>
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
#include "engine.h"
#include "explain.h"
#include "longopt.h"
#include "pg_target.h"
#include "psql_lexer.h"
#include "sqlfacts.h"
#include "target_facts.h"

#define MAX_STATEMENT     (1024 * 1024) /* longer interesting statements are opaque */
#define MAX_INCLUDE_DEPTH 16
#define READ_CHUNK        (256 * 1024)

typedef struct {
	const char *kind; /* "c" (command) or "f" (file) */
	const char *value;
} psql_action;

typedef struct {
	const char *dbname, *host, *port, *user;
	const char *output, *log_file; /* -o, -L */
	psql_action actions[256];
	size_t n_actions;
	bool no_psqlrc, list, version_or_help, single_line;
	size_t n_vars;
	strvec unknown;
} psql_opts;

/* psql's state as the inputs run one after another: what \connect, \cd,
 * \o, \set SINGLELINE and \setenv leave behind for what follows. */
typedef struct {
	char *dbname, *host, *port, *user; /* the connection now, as resolved */
	char *options;                     /* its libpq options, or NULL */
	bool options_env;                  /* ... taken from PGOPTIONS */
	char *cwd;                         /* NULL after \cd somewhere unknown */
	strvec written;                    /* files the input writes */
	bool written_unknown;              /* ... and one whose name is unknown */
	bool single_line;                  /* -S, SINGLELINE */
	char *editor[3];                   /* \setenv PSQL_EDITOR, EDITOR, VISUAL */
	bool editor_set[3];
	bool target_unknown; /* a \connect inside \if: which target is current is not known */
	bool stdin_read;     /* stdin was analysed (and spooled) already */
} psql_run;

/* The analysis of one input (the command line, a file, stdin). */
typedef struct psql_ctx psql_ctx;
struct psql_ctx {
	const invocation *inv;
	facts *fx;
	psql_run *run;
	psql_lexer *lx;     /* NULL for -c text */
	const char *source; /* "-c", "stdin", a file name */
	const char *dir;    /* directory of the current file, for \ir */
	int depth;
	int if_depth; /* \if blocks open in this input (psql keeps one stack per file) */
	bool in_if;   /* the input itself is read inside an \if block (\i there) */
};

/* ---- command line ------------------------------------------------------ */

/* arg: 0 none, 1 required, 2 optional (--help[=topic]): LONGOPT_* */
static const longopt psql_specs[] = {
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

/* psql's ParseVariableBool: 1, 0, or -1 when the value is not a boolean. */
static int parse_bool(const char *v)
{
	size_t n = strlen(v);

	if (n && (!strncasecmp(v, "true", n) || !strncasecmp(v, "yes", n)))
		return 1;
	if (n && (!strncasecmp(v, "false", n) || !strncasecmp(v, "no", n)))
		return 0;
	if (!strncasecmp(v, "on", n > 2 ? n : 2) || !strcmp(v, "1"))
		return 1;
	if (!strncasecmp(v, "off", n > 2 ? n : 2) || !strcmp(v, "0"))
		return 0;
	return -1;
}

/* A value given to a psql boolean variable such as SINGLELINE: psql's
 * bool_substitute_hook makes an empty value "on" (\set SINGLELINE, -v
 * SINGLELINE=) and unsetting it "off". NULL: unset. */
static int parse_bool_var(const char *v)
{
	return !v ? 0 : !*v ? 1 : parse_bool(v);
}

/* -v SINGLELINE=value sets single-line mode; -v SINGLELINE (no =) unsets
 * the variable, which turns it off. */
static void set_singleline_opt(psql_opts *o, const char *val)
{
	if (!val || strncmp(val, "SINGLELINE", 10) != 0 || (val[10] && val[10] != '='))
		return;
	int b = parse_bool_var(val[10] ? val + 11 : NULL);
	if (b >= 0)
		o->single_line = b;
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
	case 'o':
		o->output = val;
		break;
	case 'L':
		o->log_file = val;
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
		set_singleline_opt(o, val);
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

typedef struct {
	psql_opts *o;
	char *const *argv;
	const char *operands[2];
	size_t n_operands;
} psql_argv_ctx;

static void on_option(void *ctx, const longopt *s, const char *val)
{
	apply_opt(((psql_argv_ctx *)ctx)->o, (char)s->code, s->name, val);
}

static void on_operand(void *ctx, int i)
{
	psql_argv_ctx *c = ctx;

	if (c->n_operands < 2)
		c->operands[c->n_operands++] = c->argv[i]; /* more are ignored by psql */
}

static void on_refused(void *ctx, const char *word)
{
	sv_push(&((psql_argv_ctx *)ctx)->o->unknown, word);
}

/* psql permutes like getopt_long; operands are DBNAME then USERNAME. */
static void parse_psql_argv(const invocation *inv, psql_opts *o)
{
	static const longopt_calls calls = {on_option, on_operand, on_refused};
	psql_argv_ctx c = {.o = o, .argv = inv->argv};

	longopt_parse(inv->argc, inv->argv, psql_specs, sizeof psql_specs / sizeof *psql_specs,
	              sizeof *psql_specs, inv_getenv(inv, "POSIXLY_CORRECT") == NULL, &calls, &c);
	/* As psql: the first operand is the database unless -d named one. */
	for (size_t k = 0; k < c.n_operands; k++) {
		if (!o->dbname)
			o->dbname = c.operands[k];
		else if (!o->user)
			o->user = c.operands[k];
	}
}

/* ---- how the server will lex ------------------------------------------- */

/* Client encodings in which the second byte of a character can be a
 * backslash or a quote: the server, which knows the encoding, ends a string
 * elsewhere than interlock, which lexes bytes as UTF-8 would. PostgreSQL's
 * names and aliases, compared without case and punctuation. */
static bool encoding_unsafe(const char *name)
{
	static const char *const unsafe[] = {
	    "sjis",    "shiftjis", "mskanji", "win932", "cp932",  "shiftjis2004",
	    "big5",    "win950",   "cp950",   "gbk",    "win936", "cp936",
	    "gb18030", "uhc",      "win949",  "cp949",  "johab",  NULL};
	char norm[32];
	size_t n = 0;

	for (const char *p = name; *p && n + 1 < sizeof norm; p++)
		if (isalnum((unsigned char)*p))
			norm[n++] = (char)tolower((unsigned char)*p);
	norm[n] = '\0';
	for (const char *const *u = unsafe; *u; u++)
		if (!strcmp(norm, *u))
			return true;
	return false;
}

/* client_encoding "auto" is the locale's codeset (LC_ALL, LC_CTYPE, LANG). */
static bool locale_unsafe(const invocation *inv)
{
	static const char *const vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};

	for (size_t i = 0; i < 3; i++) {
		const char *v = inv_getenv(inv, vars[i]);
		if (!v || !*v)
			continue;
		const char *dot = strchr(v, '.');
		if (!dot)
			return false;
		autofree char *cs = xstrndup(dot + 1, strcspn(dot + 1, "@"));
		return encoding_unsafe(cs);
	}
	return false;
}

/* The value a server option string (libpq options, PGOPTIONS) gives a
 * setting: "-c name=value", "-cname=value" or "--name=value", '-' and '_'
 * alike in the name, the last one winning. NULL when not set. */
static char *server_option(const char *options, const char *name)
{
	autofree char *copy = xstrdup(options);
	char *value = NULL;
	bool next_is_setting = false;

	for (char *save = NULL, *w = strtok_r(copy, " \t\n\r\f\v", &save); w;
	     w = strtok_r(NULL, " \t\n\r\f\v", &save)) {
		char *set = next_is_setting       ? w
		            : str_starts(w, "--") ? w + 2
		            : !strcmp(w, "-c")    ? NULL
		            : str_starts(w, "-c") ? w + 2
		                                  : NULL;
		next_is_setting = !strcmp(w, "-c");
		char *eq = set ? strchr(set, '=') : NULL;
		if (!eq || (size_t)(eq - set) != strlen(name))
			continue;
		bool same = true;
		for (size_t i = 0; same && set + i < eq; i++)
			same = (set[i] == '-' ? '_' : tolower((unsigned char)set[i])) == name[i];
		if (same) {
			free(value);
			value = xstrdup(eq + 1);
		}
	}
	return value;
}

static void add_lexing_opaque(facts *fx, const char *source, const char *what)
{
	operation *op = facts_add_op(fx, "opaque");
	fs_setf(&op->f, "reason",
	        "%s: the server lexes the SQL differently from interlock (a quote or "
	        "backslash inside a string can end it there), so what runs cannot be known",
	        what);
	fs_set(&op->f, "statement", "psql");
	fs_set(&op->f, "source", source);
}

/* Settings made outside the SQL that change how the server splits it, as
 * SET standard_conforming_strings or client_encoding do inside it. */
static void check_lexing(const invocation *inv, facts *fx, const pg_target *t)
{
	autofree char *scs =
	    t->options ? server_option(t->options, "standard_conforming_strings") : NULL;
	autofree char *enc = t->options ? server_option(t->options, "client_encoding") : NULL;
	const char *from = t->options_env ? "PGOPTIONS" : "the connection's options=";

	if (scs && parse_bool(scs) != 1) {
		autofree char *what = xasprintf("%s: -c standard_conforming_strings=%s", from, scs);
		add_lexing_opaque(fx, "connection", what);
	}
	if (enc && encoding_unsafe(enc)) {
		autofree char *what = xasprintf("%s: -c client_encoding=%s", from, enc);
		add_lexing_opaque(fx, "connection", what);
	}
	const char *ce = t->client_encoding;
	if (ce && (encoding_unsafe(ce) || (!strcasecmp(ce, "auto") && locale_unsafe(inv)))) {
		autofree char *what = xasprintf("client encoding %s (PGCLIENTENCODING or "
		                                "client_encoding in the connection)",
		                                ce);
		add_lexing_opaque(fx, "connection", what);
	}
}

/* ---- target ------------------------------------------------------------ */

static void run_set(char **slot, const char *val)
{
	free(*slot);
	*slot = val ? xstrdup(val) : NULL;
}

/* The resolved target becomes psql's current connection, and each of its
 * names counts towards the environment. */
static void consider_target(const invocation *inv, facts *fx, psql_run *run, const pg_target *t)
{
	autofree char *hosts = target_join(&t->hosts);
	autofree char *ports = target_join(&t->ports);

	target_facts_consider(fx, inv->cfg, t);
	run_set(&run->dbname, t->dbname);
	run_set(&run->user, t->user);
	run_set(&run->host, *hosts ? hosts : NULL);
	run_set(&run->port, *ports ? ports : NULL);
	run_set(&run->options, t->options);
	run->options_env = t->options_env;
	check_lexing(inv, fx, t);
}

/* Sets the target fields and the environment; a target that cannot be
 * known counts as cfg->unknown_remote. */
static void resolve_target(const invocation *inv, const psql_opts *o, facts *fx, psql_run *run)
{
	pg_conn_args a = target_conn_args(inv);
	pg_target t = {0};
	char err[512];

	a.dbname = o->dbname;
	a.host = o->host;
	a.port = o->port;
	a.user = o->user;
	if (!pg_target_resolve(&a, &t, err, sizeof err)) {
		target_facts_unknown(fx, inv->cfg, o->dbname, err);
		return;
	}
	target_facts_set(fx, &t);
	consider_target(inv, fx, run, &t);
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
	if (s->conditional) {
		add_opaque(c, s->line,
		           "%s: the statement's text spans \\if/\\elif/\\else/\\endif; psql "
		           "drops the text of a branch it skips, so what it sends is known only "
		           "when the conditions are",
		           "conditional");
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
static void analyse_stdin(const invocation *inv, facts *fx, psql_run *run, bool in_if);

/* Inside an \if block psql runs a meta-command only if the branch is
 * taken, which interlock cannot know: what it would change is unknown. */
static bool in_if(const psql_ctx *c)
{
	return c->if_depth > 0 || c->in_if;
}

static void add_shell(psql_ctx *c, long line, const char *command)
{
	operation *op = facts_add_op(c->fx, "shell");
	fs_set(&op->f, "command", command);
	fs_set(&op->f, "source", c->source);
	fs_setf(&op->f, "line", "%ld", line);
}

/* ---- meta-command arguments, as psql reads them ----------------------- */

static const char *const blanks = " \t\n\r\f\v";

static int hex_value(char ch)
{
	return isdigit((unsigned char)ch) ? ch - '0' : (tolower((unsigned char)ch) - 'a' + 10);
}

/* The inside of '...' in a meta-command argument, from after the opening
 * quote: '' and psql's backslash escapes (\n \t \b \r \f, octal, \xHH, \c).
 * Returns the position after the closing quote. */
static const char *single_quoted(const char *p, strbuf *b)
{
	while (*p) {
		if (*p == '\'' && p[1] != '\'')
			return p + 1;
		if (*p == '\'') {
			sb_putc(b, '\'');
			p += 2;
		} else if (*p == '\\' && p[1] >= '0' && p[1] <= '7') {
			int v = 0;
			for (int n = 0; n < 3 && *++p >= '0' && *p <= '7'; n++)
				v = v * 8 + (*p - '0');
			sb_putc(b, (char)v);
		} else if (*p == '\\' && p[1] == 'x' && isxdigit((unsigned char)p[2])) {
			int v = 0;
			p += 2;
			for (int n = 0; n < 2 && isxdigit((unsigned char)*p); n++)
				v = v * 16 + hex_value(*p++);
			sb_putc(b, (char)v);
		} else if (*p == '\\' && p[1]) {
			const char *from = "ntbrf", *to = "\n\t\b\r\f";
			const char *k = strchr(from, p[1]);
			sb_putc(b, k ? to[k - from] : p[1]);
			p += 2;
		} else {
			sb_putc(b, *p++);
		}
	}
	return p;
}

/* Skips a :name, :'name', :"name" or :{?name} reference (p at the colon). */
static const char *skip_variable(const char *p)
{
	p++;
	if (*p == '\'' || *p == '"' || *p == '{') {
		const char *e = strchr(p + 1, *p == '{' ? '}' : *p);
		return e ? e + 1 : p + strlen(p);
	}
	while (isalnum((unsigned char)*p) || *p == '_' || (unsigned char)*p >= 0x80)
		p++;
	return p;
}

static bool starts_variable(const char *p)
{
	unsigned char n = (unsigned char)p[1];
	return p[0] == ':' && (isalnum(n) || n == '_' || n >= 0x80 || n == '\'' || n == '"' ||
	                       (n == '{' && p[2] == '?'));
}

/* The next argument of a meta-command as psql reads an ordinary one:
 * '...' dequoted, "..." kept with its quotes, `command` and :variables
 * substituted - which interlock cannot do, so *unknown is set. Advances
 * *pp; NULL when no argument is left. */
static char *meta_arg(const char **pp, bool *unknown)
{
	const char *p = *pp + strspn(*pp, blanks);
	strbuf b = {0};

	if (!*p) {
		*pp = p;
		return NULL;
	}
	while (*p && !strchr(blanks, *p)) {
		if (*p == '\'') {
			p = single_quoted(p + 1, &b);
		} else if (*p == '"' || *p == '`') {
			const char *e = strchr(p + 1, *p);
			size_t n = e ? (size_t)(e + 1 - p) : strlen(p);
			if (*p == '`')
				*unknown = true;
			else
				sb_putn(&b, p, n);
			p += n;
		} else if (starts_variable(p)) {
			*unknown = true;
			p = skip_variable(p);
		} else {
			sb_putc(&b, *p++);
		}
	}
	*pp = p;
	return sb_steal(&b);
}

/* An identifier-like argument (\c's): double quotes removed, "" kept as ". */
static char *dequote_identifier(char *s)
{
	char *w = s;
	bool in = false;

	for (const char *r = s; *r; r++) {
		if (*r == '"' && in && r[1] == '"')
			*w++ = *r++;
		else if (*r == '"')
			in = !in;
		else
			*w++ = *r;
	}
	*w = '\0';
	return s;
}

/* The first `command` outside quotes in a meta-command's arguments: psql
 * runs it with the shell to make the argument. */
static char *backtick_command(const char *args)
{
	char q = 0;

	for (const char *p = args; *p; p++) {
		if (q == '\'' && *p == '\\' && p[1]) {
			p++;
		} else if (q) {
			q = *p == q ? 0 : q;
		} else if (*p == '\'' || *p == '"') {
			q = *p;
		} else if (*p == '`') {
			const char *e = strchr(p + 1, '`');
			return xstrndup(p + 1, e ? (size_t)(e - p - 1) : strlen(p + 1));
		}
	}
	return NULL;
}

/* ---- files ------------------------------------------------------------- */

/* A file name as psql opens it: ~ and ~user expanded, a relative one from
 * psql's working directory or, for \ir, the including file's. NULL when
 * that directory is not known (after \cd to an unknown place). */
static char *psql_path(const psql_ctx *c, const char *file, bool from_file_dir)
{
	if (file[0] == '~') {
		size_t n = strcspn(file + 1, "/");
		const char *env_home = inv_getenv(c->inv, "HOME");
		const char *home = env_home && *env_home ? env_home : c->inv->cfg->home;
		if (n) {
			autofree char *name = xstrndup(file + 1, n);
			struct passwd *pw = getpwnam(name);
			home = pw ? pw->pw_dir : NULL;
		}
		if (home)
			return xasprintf("%s%s", home, file + 1 + n);
	}
	if (file[0] == '/')
		return xstrdup(file);
	const char *dir = from_file_dir && c->dir ? c->dir : c->run->cwd;
	return dir ? xasprintf("%s/%s", dir, file) : NULL;
}

/* The same file whatever symbolic links lead to its directory. */
static char *norm_path(const char *path)
{
	autofree char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');

	if (!slash)
		return xstrdup(path);
	*slash = '\0';
	autofree char *real = realpath(*dir ? dir : "/", NULL);
	if (!real)
		return xstrdup(path);
	return xasprintf("%s/%s", strcmp(real, "/") ? real : "", slash + 1);
}

/* The input writes this file (\o, \w, \g, \copy ... to, \lo_export, -o):
 * a later \i of it reads what psql wrote, not what interlock can read now.
 * file NULL: a file whose name is not known. */
static void note_written(psql_ctx *c, const char *file)
{
	autofree char *path = file ? psql_path(c, file, false) : NULL;

	if (!path)
		c->run->written_unknown = true;
	else
		sv_push_steal(&c->run->written, norm_path(path));
}

/* \i - (and \ir -) reads psql's standard input. Once it has been read
 * (or while it is: \i - in SQL that came on stdin reads on from there)
 * psql finds it at its end, and so does interlock. */
static void include_stdin(psql_ctx *c, long line)
{
	if (c->run->stdin_read)
		return;
	if (c->inv->stdin_fd >= 0 && isatty(c->inv->stdin_fd)) {
		c->run->stdin_read = true;
		add_opaque(c, line,
		           "%s: psql reads SQL typed at the terminal, which is known only "
		           "when it runs",
		           "\\i -");
		return;
	}
	analyse_stdin(c->inv, c->fx, c->run, in_if(c));
}

static char *include_path(const psql_ctx *c, const char *name, const char *file)
{
	bool relative = !strcmp(name, "ir") || !strcmp(name, "include_relative");
	return psql_path(c, file, relative);
}

static void include_file(psql_ctx *c, const psql_meta *m)
{
	const char *p = m->args;
	bool unknown = false;
	autofree char *file = meta_arg(&p, &unknown);

	if (!file || unknown) {
		add_opaque(c, m->line,
		           "\\i %s: the file name comes from a variable or command, or is "
		           "missing",
		           m->args);
		return;
	}
	if (!strcmp(file, "-")) {
		include_stdin(c, m->line);
		return;
	}
	autofree char *path = include_path(c, m->name, file);
	if (!path) {
		add_opaque(c, m->line, "\\i %s: psql's working directory is not known (\\cd)",
		           file);
		return;
	}
	autofree char *norm = norm_path(path);
	if (c->run->written_unknown || sv_contains(&c->run->written, norm)) {
		add_opaque(c, m->line,
		           "\\i %s: the input writes files before it and psql would read what "
		           "was written, not what the file holds now",
		           path);
		return;
	}
	if (c->depth >= MAX_INCLUDE_DEPTH) {
		add_opaque(c, m->line, "\\i nesting deeper than 16 files at %s", path);
		return;
	}
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		add_opaque(c, m->line,
		           "included file %s is not a regular file: interlock cannot read it "
		           "without taking it from psql (or, in check, waiting for a writer)",
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
	psql_ctx sub = {.inv = c->inv,
	                .fx = c->fx,
	                .run = c->run,
	                .source = path,
	                .dir = dir,
	                .depth = c->depth + 1,
	                .in_if = in_if(c)};
	analyse_stream(&sub, fd, -1);
	close(fd);
}

/* \o, \w, \g, \gx: a |command (also quoted: psql looks at the name after
 * dequoting), or a file that is then written. \g and \gx may start with a
 * (name=value ...) group of \pset options. */
static void output_meta(psql_ctx *c, const psql_meta *m, bool g_family)
{
	const char *p = m->args + strspn(m->args, blanks);
	bool unknown = false;

	if (g_family && *p == '(') {
		const char *e = strchr(p, ')');
		p = e ? e + 1 : p + strlen(p);
		p += strspn(p, blanks);
	}
	if (*p == '|') {
		add_shell(c, m->line, m->args);
		return;
	}
	autofree char *file = meta_arg(&p, &unknown);
	if (file && (unknown || file[0] == '|')) {
		/* a name from a variable or command may be a |pipe too */
		add_shell(c, m->line, unknown ? m->args : file + 1);
		if (unknown)
			note_written(c, NULL);
		return;
	}
	if (file && *file)
		note_written(c, file);
}

/* \copy ... {from|to} {file|program 'cmd'|stdin|stdout|pstdin|pstdout}:
 * the SQL is analysed as COPY; a program runs on this machine, a file
 * written here may be included later. */
static void copy_meta(psql_ctx *c, const psql_meta *m)
{
	autofree char *sql = xasprintf("COPY %s", m->args);
	const char *p = m->args;
	int depth = 0, dir = 0; /* 1 from, 2 to */
	bool unknown = false;
	char *w;

	sql_facts(sql, strlen(sql), m->line, c->source, c->fx);
	while (!dir && (w = meta_arg(&p, &unknown)) != NULL) {
		for (const char *q = w; *q; q++)
			depth += (*q == '(') - (*q == ')');
		if (depth == 0)
			dir = !strcasecmp(w, "from") ? 1 : !strcasecmp(w, "to") ? 2 : 0;
		free(w);
	}
	autofree char *target = dir ? meta_arg(&p, &unknown) : NULL;
	if (!target)
		return;
	if (!strcasecmp(target, "program")) {
		autofree char *cmd = meta_arg(&p, &unknown);
		add_shell(c, m->line, cmd ? cmd : m->args);
	} else if (strcasecmp(target, "stdin") && strcasecmp(target, "stdout") &&
	           strcasecmp(target, "pstdin") && strcasecmp(target, "pstdout")) {
		if (dir == 2)
			note_written(c, unknown ? NULL : target);
	}
}

/* ---- psql's state ------------------------------------------------------ */

/* \set / \unset SINGLELINE: psql's single-line mode, from the next line. */
static void set_variable(psql_ctx *c, const psql_meta *m, bool unset)
{
	const char *p = m->args;
	bool unknown = false;
	autofree char *name = meta_arg(&p, &unknown);

	if (!name || (!unknown && strcmp(name, "SINGLELINE") != 0))
		return;
	strbuf value = {0};
	char *part;
	while (!unknown && (part = meta_arg(&p, &unknown)) != NULL) {
		sb_puts(&value, part); /* psql joins the arguments */
		free(part);
	}
	autofree char *v = sb_steal(&value);
	int on = parse_bool_var(unset ? NULL : v);
	if (unknown) {
		add_opaque(c, m->line,
		           "\\set %s: a variable or command decides whether single-line mode "
		           "(SINGLELINE) is on, and so where statements end",
		           m->args);
		return;
	}
	if (on < 0)
		return; /* psql refuses the value and keeps the mode */
	if (in_if(c) && on != c->run->single_line) {
		add_opaque(c, m->line,
		           "\\%s inside \\if: whether psql runs it, and so where later "
		           "statements end (single-line mode), is known only when the "
		           "condition is",
		           m->name);
		return;
	}
	c->run->single_line = on;
	if (c->lx)
		psql_lex_set_single_line(c->lx, on);
}

static const char *const editor_vars[3] = {"PSQL_EDITOR", "EDITOR", "VISUAL"};

/* \setenv NAME [VALUE]: the editor variables matter (\e runs the editor). */
static void setenv_meta(psql_ctx *c, const psql_meta *m)
{
	const char *p = m->args;
	bool unknown = false;
	autofree char *name = meta_arg(&p, &unknown);
	autofree char *value = name ? meta_arg(&p, &unknown) : NULL;

	for (int i = 0; name && i < 3; i++) {
		if (!unknown && strcmp(name, editor_vars[i]) != 0)
			continue;
		c->run->editor_set[i] = true;
		run_set(&c->run->editor[i], unknown || in_if(c) ? m->args : value);
	}
}

/* \e, \edit, \ef, \ev: psql runs an editor (PSQL_EDITOR, EDITOR, VISUAL or
 * vi) with the shell, then runs the SQL the editor left. */
static void editor_meta(psql_ctx *c, const psql_meta *m)
{
	const char *editor = NULL;

	for (int i = 0; i < 3 && !editor; i++) {
		const char *v =
		    c->run->editor_set[i] ? c->run->editor[i] : inv_getenv(c->inv, editor_vars[i]);
		if (v && *v)
			editor = v;
	}
	autofree char *cmd =
	    xasprintf("%s (the editor \\%s runs)", editor ? editor : "vi", m->name);
	add_shell(c, m->line, cmd);
	add_opaque(c, m->line,
	           "\\%s: the SQL the editor writes is run when it exits, and is not known "
	           "before",
	           m->name);
}

/* \cd [dir]: later relative file names start there. */
static void cd_meta(psql_ctx *c, const psql_meta *m)
{
	const char *p = m->args;
	bool unknown = false;
	autofree char *dir = meta_arg(&p, &unknown);
	autofree char *path = NULL;

	if (!unknown)
		path = psql_path(c, dir ? dir : "~", false);
	char *cwd = path ? norm_path(path) : NULL;
	if (in_if(c) && (!cwd || !c->run->cwd || strcmp(cwd, c->run->cwd) != 0)) {
		free(cwd); /* psql may or may not run it: either directory */
		cwd = NULL;
	}
	free(c->run->cwd);
	c->run->cwd = cwd;
}

/* \encoding NAME: the client encoding changes how the server lexes. */
static void encoding_meta(psql_ctx *c, const psql_meta *m)
{
	const char *p = m->args;
	bool unknown = false;
	autofree char *enc = meta_arg(&p, &unknown);

	if (enc && (unknown || encoding_unsafe(enc)))
		add_opaque(c, m->line,
		           "\\encoding %s: in this client encoding the server lexes later SQL "
		           "differently from interlock",
		           m->args);
}

/* \c / \connect [-reuse-previous=on|off] [dbname [user] [host] [port]] or
 * a connection string: the rest of the input runs against that target,
 * so its environment counts. A "-" or missing value is the previous one
 * (unless -reuse-previous=off, or a connection string is given). */
static void connect_meta(psql_ctx *c, const psql_meta *m)
{
	psql_run *run = c->run;
	const char *p = m->args;
	bool unknown = false;
	char *v[4] = {NULL, NULL, NULL, NULL};
	int reuse = -1;

	add_opaque(c, m->line, "\\connect %s: the rest runs against another target", m->args);
	v[0] = meta_arg(&p, &unknown);
	if (v[0] && str_starts(v[0], "-reuse-previous=")) {
		reuse = parse_bool(v[0] + 16);
		unknown |= reuse < 0;
		free(v[0]);
		v[0] = meta_arg(&p, &unknown);
	}
	for (int i = 1; i < 4; i++)
		v[i] = meta_arg(&p, &unknown);
	for (int i = 0; i < 4; i++)
		if (v[i] && (!*dequote_identifier(v[i]) || !strcmp(v[i], "-")))
			run_set(&v[i], NULL);

	bool connstr = v[0] && (str_starts(v[0], "postgresql://") ||
	                        str_starts(v[0], "postgres://") || strchr(v[0], '='));
	bool keep = reuse < 0 ? !connstr : reuse;
	unknown |= keep && run->target_unknown; /* reuses what is not known */
	run->target_unknown |= in_if(c);
	pg_conn_args a = target_conn_args(c->inv);
	a.dbname = v[0] ? v[0] : keep ? run->dbname : NULL;
	a.user = v[1] && !connstr ? v[1] : keep ? run->user : NULL;
	a.host = v[2] && !connstr ? v[2] : keep ? run->host : NULL;
	a.port = v[3] && !connstr ? v[3] : keep ? run->port : NULL;

	pg_target t = {0};
	char err[512];
	int before = c->fx->env_rank;
	if (unknown || !pg_target_resolve(&a, &t, err, sizeof err)) {
		facts_adopt_env(c->fx, c->inv->cfg, c->inv->cfg->unknown_remote);
		sv_push_steal(
		    &c->fx->notes,
		    xasprintf("\\connect %s (line %ld of %s): the target cannot be known; "
		              "counted as %s",
		              m->args, m->line, c->source, c->inv->cfg->unknown_remote));
		run_set(&run->dbname, NULL); /* whatever follows counts as unknown too */
		run_set(&run->user, NULL);
		run_set(&run->host, NULL);
		run_set(&run->port, NULL);
	} else {
		consider_target(c->inv, c->fx, run, &t);
		sv_push_steal(&c->fx->notes, xasprintf("\\connect (line %ld of %s) reaches %s",
		                                       m->line, c->source, t.conninfo));
		if (c->fx->env_rank > before)
			fs_set(&c->fx->target, "token", t.dbname);
	}
	pg_target_free(&t);
	for (int i = 0; i < 4; i++)
		free(v[i]);
}

static bool args_pipe(const char *args)
{
	return args[strspn(args, " \t")] == '|';
}

static bool name_is(const char *n, const char *a, const char *b)
{
	return !strcmp(n, a) || (b && !strcmp(n, b));
}

/* Commands whose arguments run to the end of the line, as they are
 * (no backticks, no variables). */
static bool whole_line(const char *n)
{
	static const char *const whole[] = {"!",  "copy", "h",  "help", "ef", "ev",
	                                    "sf", "sf+",  "sv", "sv+",  NULL};
	for (const char *const *w = whole; *w; w++)
		if (!strcmp(n, *w))
			return true;
	return false;
}

static void large_object_meta(psql_ctx *c, const psql_meta *m)
{
	const char *what = !strcmp(m->name, "lo_unlink")
	                       ? "deletes the large object %s"
	                       : "writes a file into the database as a new large object (%s)";
	operation *op = facts_add_op(c->fx, "opaque");
	fs_setf(&op->f, "reason", what, m->args);
	fs_set(&op->f, "source", c->source);
	fs_setf(&op->f, "line", "%ld", m->line);
	fs_setf(&op->f, "statement", "\\%s", m->name);
}

static void on_meta(void *ctx, const psql_meta *m)
{
	psql_ctx *c = ctx;
	const char *n = m->name;
	bool g_family = name_is(n, "g", "gx");
	autofree char *bt = whole_line(n) || args_pipe(m->args) ? NULL : backtick_command(m->args);

	if (bt)
		add_shell(c, m->line, bt);
	if (name_is(n, "i", "include") || name_is(n, "ir", "include_relative")) {
		include_file(c, m);
	} else if (!strcmp(n, "!")) {
		add_shell(c, m->line, m->args);
	} else if (g_family || name_is(n, "o", "out") || name_is(n, "w", "write")) {
		output_meta(c, m, g_family);
	} else if (name_is(n, "c", "connect")) {
		connect_meta(c, m);
	} else if (!strcmp(n, "copy")) {
		copy_meta(c, m);
	} else if (name_is(n, "set", NULL) || name_is(n, "unset", NULL)) {
		set_variable(c, m, !strcmp(n, "unset"));
	} else if (!strcmp(n, "setenv")) {
		setenv_meta(c, m);
	} else if (name_is(n, "e", "edit") || name_is(n, "ef", "ev")) {
		editor_meta(c, m);
	} else if (!strcmp(n, "cd")) {
		cd_meta(c, m);
	} else if (!strcmp(n, "encoding")) {
		encoding_meta(c, m);
	} else if (name_is(n, "lo_unlink", "lo_import")) {
		large_object_meta(c, m);
	} else if (name_is(n, "lo_export", "s")) {
		const char *p = m->args;
		bool unknown = false;
		autofree char *first = meta_arg(&p, &unknown);
		autofree char *file =
		    !strcmp(n, "s") ? xstrdup(first ? first : "") : meta_arg(&p, &unknown);
		if (unknown || (file && *file))
			note_written(c, unknown ? NULL : file);
	} else if (!strcmp(n, "if")) {
		c->if_depth++;
	} else if (!strcmp(n, "endif") && c->if_depth > 0) {
		c->if_depth--;
	}
}

/* COPY ... FROM STDIN inside \if: in a false branch psql skips the COPY and
 * reads its data lines as SQL. */
static void on_copy_data(void *ctx, size_t bytes, long line)
{
	psql_ctx *c = ctx;

	(void)bytes;
	if (c->if_depth > 0)
		add_opaque(c, line,
		           "COPY ... FROM STDIN inside \\%s: if psql skips the COPY, it runs the "
		           "data lines as SQL",
		           "if");
}

/* COPY data that reads as SQL or a meta-command: if the COPY fails at
 * the server, psql runs it. word: a statement keyword starting a line, or
 * what the lexer found reading the data as SQL (see scan_data_sql). */
static void on_copy_sql(void *ctx, const char *word, long line)
{
	add_opaque(ctx, line,
	           strchr(word, ' ') ? "COPY data read as SQL has %s: if the COPY fails (no such "
	                               "table, no permission...), psql runs the data as SQL"
	                             : "a COPY data line starts with %s: if the COPY fails (no "
	                               "such table, no permission...), psql runs the data as SQL",
	           word);
}

/* Reads fd to its end through the lexer; with spool >= 0, every byte read
 * is also written there. */
static const psql_lex_callbacks lex_callbacks = {
    .statement = on_statement, .meta = on_meta, .copy_data = on_copy_data, .copy_sql = on_copy_sql};

static void analyse_stream(psql_ctx *c, int fd, int spool)
{
	psql_lexer *lx = psql_lex_new(&lex_callbacks, c, MAX_STATEMENT);
	autofree char *buf = xmalloc(READ_CHUNK);
	const char *why = NULL;
	ssize_t r;

	c->lx = lx;
	psql_lex_set_single_line(lx, c->run->single_line);
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
	c->lx = NULL;
	psql_lex_free(lx);
}

/* -c text: psql sends SQL as one query string, single-line mode or not. A
 * COPY ... FROM STDIN in it takes its data from psql's stdin, and the
 * server then runs the rest of the string: that is SQL, not data. */
static void analyse_text(psql_ctx *c, const char *text)
{
	psql_lexer *lx = psql_lex_new(&lex_callbacks, c, MAX_STATEMENT);
	const char *why = NULL;

	psql_lex_set_no_copy(lx);
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

/* Why psql would not read what the file at path holds now (a format for
 * the path), or NULL: the
 * input wrote it before (as for \i), or it is not a regular file and
 * cannot be read without side effects - a psqlrc (reading it would take it
 * from psql), or anything in check (a pipe would wait for a writer or take
 * data someone else waits for; check changes nothing). */
static const char *file_unreadable(const invocation *inv, const psql_run *run, const char *path,
                                   bool rc)
{
	autofree char *norm = norm_path(path);
	struct stat st;

	if (run->written_unknown || sv_contains(&run->written, norm))
		return "%s: the input writes files before it and psql would read what was "
		       "written, not what the file holds now";
	if (stat(path, &st) != 0 || S_ISREG(st.st_mode))
		return NULL;
	if (inv->dry)
		return "%s is not a regular file, and interlock check does not read one (a pipe "
		       "would block, or lose data another reader waits for)";
	if (rc)
		return "%s is not a regular file: interlock cannot read it without taking it "
		       "from psql";
	return NULL;
}

/* A -f file (source NULL) or a psqlrc, from psql's working directory as
 * \cd left it. A -f file that is not a regular one (a pipe such as
 * <(...), /dev/stdin) can be read only once: it is spooled and psql reads
 * the spool. */
static void analyse_file_path(const invocation *inv, facts *fx, psql_run *run, const char *file,
                              const char *source)
{
	psql_ctx c = {.inv = inv, .fx = fx, .run = run, .source = source ? source : file};
	struct stat st;

	if (file[0] != '/' && !run->cwd) {
		add_opaque(&c, 0, "%s: psql's working directory is not known (\\cd)", file);
		return;
	}
	autofree char *path = file[0] == '/' ? xstrdup(file) : xasprintf("%s/%s", run->cwd, file);
	if (!source)
		c.source = path;
	const char *why = file_unreadable(inv, run, path, source != NULL);
	if (why) {
		add_opaque(&c, 0, why, path);
		return;
	}
	if (stat(path, &st) != 0)
		return; /* psql stops with an error: nothing runs from it */
	bool once = !S_ISREG(st.st_mode);
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
 * exact copy for the real psql. Read once: psql finds its end after. */
static void analyse_stdin(const invocation *inv, facts *fx, psql_run *run, bool if_block)
{
	psql_ctx c = {.inv = inv, .fx = fx, .run = run, .source = "stdin", .in_if = if_block};
	int spool = -1;

	if (inv->stdin_fd < 0 || run->stdin_read)
		return;
	run->stdin_read = true;
	if (!inv->dry)
		spool = open_spool(inv);
	analyse_stream(&c, inv->stdin_fd, spool);
	if (spool >= 0) {
		if (lseek(spool, 0, SEEK_SET) != 0)
			die(78, "cannot rewind the stdin spool file");
		fx->exec_stdin = spool;
	}
}

/* psql 15 reads FILE-<its version string> (e.g. ".psqlrc-15.18 (Debian
 * 15.18-0+deb12u1)"), else FILE-15, else FILE. The version string is
 * known only by running psql, so every FILE-15* that exists is read, and
 * FILE too: more than psql reads, never less. */
static void analyse_rc(const invocation *inv, facts *fx, psql_run *run, const char *file)
{
	autofree char *dir = xstrdup(file);
	char *slash = strrchr(dir, '/');
	const char *base = slash ? file + (slash - dir) + 1 : file;
	struct dirent **names = NULL;

	if (slash)
		*slash = '\0';
	autofree char *prefix = xasprintf("%s-15", base);
	int n = scandir(slash ? (*dir ? dir : "/") : ".", &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		if (str_starts(names[i]->d_name, prefix)) {
			autofree char *path = slash ? xasprintf("%s/%s", dir, names[i]->d_name)
			                            : xstrdup(names[i]->d_name);
			analyse_file_path(inv, fx, run, path, "psqlrc");
		}
		free(names[i]);
	}
	free(names);
	analyse_file_path(inv, fx, run, file, "psqlrc");
}

/* psql reads the system psqlrc, then PSQLRC or $HOME/.psqlrc (each with
 * its versioned names, see analyse_rc; ~ in PSQLRC is expanded). Rule
 * examples are hermetic: they read no psqlrc. */
static void analyse_psqlrc(const invocation *inv, facts *fx, psql_run *run)
{
	const char *rc = inv_getenv(inv, "PSQLRC");
	const char *sysconf = inv_getenv(inv, "PGSYSCONFDIR");
	const char *env_home = inv_getenv(inv, "HOME");
	const char *home = env_home && *env_home ? env_home : inv->cfg->home;
	autofree char *sys = xasprintf("%s/psqlrc", sysconf ? sysconf : "/etc/postgresql-common");
	autofree char *user = rc && *rc ? expand_home(rc, home) : xasprintf("%s/.psqlrc", home);

	if (inv->hermetic)
		return;
	analyse_rc(inv, fx, run, sys);
	analyse_rc(inv, fx, run, user);
}

/* ---- sessions ------------------------------------------------------------ */

static bool env_listed(const config *cfg, const char *env)
{
	return env && sv_contains(&cfg->read_only_environments, env);
}

/* Why a production session cannot be offered read-only, or NULL. */
static const char *read_only_refused(const invocation *inv, const psql_run *run)
{
	if (agent_mode(inv->cfg, inv->envp))
		return "agent mode: an agent at the keyboard can type SET "
		       "default_transaction_read_only = off, so a read-only session is not offered";
	if (run->options && !run->options_env)
		return "the connection's options (connection string, URI or service) replace "
		       "PGOPTIONS, so default_transaction_read_only=on cannot be set";
	return NULL;
}

/* An interactive production session starts read-only: the server refuses
 * writes until the human unlocks them with `interlock run --write`. Where
 * read-only cannot be enforced, the session counts as one with writes
 * unlocked (write=yes), which the rules confirm. */
static void interactive_session(const invocation *inv, facts *fx, const psql_run *run)
{
	operation *op = facts_add_op(fx, "session");
	bool listed = env_listed(inv->cfg, fx->environment) && !inv->write;
	const char *refused = listed ? read_only_refused(inv, run) : NULL;
	bool read_only = listed && !refused;
	const char *pgoptions = inv_getenv(inv, "PGOPTIONS");

	fs_set(&op->f, "interactive", "yes");
	fs_set(&op->f, "write", inv->write || refused ? "yes" : "no");
	fs_set(&op->f, "read_only", read_only ? "yes" : "no");
	if (refused)
		fs_set(&op->f, "reason", refused);
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

/* -o FILE or -o |command, -L FILE: what psql writes from the start. */
static void output_options(const invocation *inv, facts *fx, psql_run *run, const psql_opts *o)
{
	psql_ctx c = {.inv = inv, .fx = fx, .run = run, .source = "command line"};

	if (o->output && o->output[0] == '|')
		add_shell(&c, 0, o->output + 1);
	else if (o->output && *o->output)
		note_written(&c, o->output);
	if (o->log_file && *o->log_file)
		note_written(&c, o->log_file);
}

static void run_free(psql_run *run)
{
	free(run->dbname);
	free(run->host);
	free(run->port);
	free(run->user);
	free(run->options);
	free(run->cwd);
	sv_clear(&run->written);
	for (int i = 0; i < 3; i++)
		free(run->editor[i]);
}

static void analyse_inputs(const invocation *inv, facts *fx, psql_run *run, const psql_opts *o)
{
	if (!o->no_psqlrc)
		analyse_psqlrc(inv, fx, run);
	if (o->list)
		return;
	for (size_t i = 0; i < o->n_actions; i++) {
		psql_ctx c = {.inv = inv, .fx = fx, .run = run, .source = "-c"};
		if (!strcmp(o->actions[i].kind, "c"))
			analyse_text(&c, o->actions[i].value);
		else if (!strcmp(o->actions[i].value, "-"))
			analyse_stdin(inv, fx, run, false);
		else
			analyse_file_path(inv, fx, run, o->actions[i].value, NULL);
	}
	if (!o->n_actions) {
		if (inv->stdin_fd >= 0 && isatty(inv->stdin_fd))
			interactive_session(inv, fx, run);
		else
			analyse_stdin(inv, fx, run, false);
	}
	explain_estimates(inv, fx);
}

bool analyse_psql(const invocation *inv, facts *fx, char *err, size_t errlen)
{
	psql_opts o = {0};
	psql_run run = {0};

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
	run.cwd = xstrdup(inv->cwd);
	run.single_line = o.single_line;
	resolve_target(inv, &o, fx, &run);
	facts_settle_environment(fx, inv->cfg);
	output_options(inv, fx, &run, &o);
	analyse_inputs(inv, fx, &run, &o);
	run_free(&run);
	return true;
}
