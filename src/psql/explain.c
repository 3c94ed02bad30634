/* explain.c - the planner's row estimate of each DELETE, UPDATE and MERGE
 * before anyone is asked (see explain.h).
 *
 * EXPLAIN without ANALYZE plans a statement and never executes it. Even
 * so, everything here is belt and braces:
 *
 *   - only statements that begin with WITH, DELETE, UPDATE, MERGE or
 *     INSERT (an INSERT ... ON CONFLICT DO UPDATE, the only INSERT that
 *     sqlfacts reports as dml) are sent, and only when libpg_query found
 *     nothing opaque in them and every operator they use is a plain
 *     comparison, arithmetic or text one (plan_operators): the planner
 *     evaluates a function or operator that claims to be immutable when
 *     its arguments are constants, estimates with stable ones, and its
 *     selectivity estimators call an operator's function whatever its
 *     volatility;
 *   - the session searches pg_catalog first, so that those names are
 *     pg_catalog's where the argument types match, and nothing is
 *     explained on a database where user code could still be reached
 *     while planning (plan_risk_sql): an operator outside pg_catalog named
 *     like one of plan_operators, or a user function (any language but
 *     internal, any volatility) behind such an operator or its estimators,
 *     behind a cast, named like a built-in (an overload with other
 *     argument types wins over the built-in whatever the search_path), or
 *     called by a type, range type, operator class or planner support;
 *     or a non-volatile one used by a view, rule, policy, default, index,
 *     constraint or statistics object, all of which the planner expands
 *     or folds;
 *   - they go through the extended query protocol (PQsendQueryParams),
 *     which refuses a string holding several statements, so nothing can
 *     ride along behind the EXPLAIN;
 *   - inside BEGIN READ ONLY ... ROLLBACK, on a session that starts with
 *     default_transaction_read_only=on and statement_timeout=2000;
 *   - under a client-side deadline as well (3 s to connect, then 3 s per
 *     query), so a server that accepts and never answers cannot hold the
 *     human up. One limit remains: libpq resolves host names with a
 *     blocking getaddrinfo(), which no timeout of ours covers.
 *
 * libpq is loaded with dlopen(), as in target.c (which has loaded it by
 * the time a statement is seen, so this dlopen only takes a reference):
 * linking it would cost every start of interlock, every rm included, about
 * 2.5 ms.
 *
 * The estimate is the number of rows the ModifyTable node is fed (its
 * "Outer" child's Plan Rows): since PostgreSQL 14 the ModifyTable node's
 * own Plan Rows is 0 unless there is a RETURNING list. A statement may hold
 * several ModifyTable nodes (data-modifying WITH queries, rules); each dml
 * operation takes the first unused node of its kind on its table. For an
 * INSERT ... ON CONFLICT DO UPDATE that is the rows it proposes: at most
 * that many existing rows are updated.
 *
 * What the estimate cannot know: SET search_path and other session state
 * from earlier statements of the same input (the EXPLAIN runs in a fresh
 * session), tables created earlier in the input (explain_error then says
 * the relation does not exist), and statistics that are out of date. */
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
/* Types and prototypes only: libpq is never linked (see target.c). */
#include <postgresql/libpq-fe.h>

#include "explain.h"

extern char **environ;

#define MAX_EXPLAINED        20   /* statements explained per analysis */
#define MAX_EXPLAINED_TEXT   "20" /* the same, for messages */
#define CONNECT_TIMEOUT_S    3    /* libpq's connect_timeout, and our deadline */
#define STATEMENT_TIMEOUT_MS 2000 /* the server's statement_timeout */
#define QUERY_DEADLINE_MS    3000 /* ours, per query: the server's plus slack */

/* ---- libpq, loaded on demand -------------------------------------------- */

#define PQ_FUNCTIONS(X)                                                                            \
	X(PQconnectStart)                                                                          \
	X(PQconnectPoll)                                                                           \
	X(PQstatus)                                                                                \
	X(PQsocket)                                                                                \
	X(PQerrorMessage)                                                                          \
	X(PQfinish)                                                                                \
	X(PQsetNoticeProcessor)                                                                    \
	X(PQsendQueryParams)                                                                       \
	X(PQconsumeInput)                                                                          \
	X(PQisBusy)                                                                                \
	X(PQgetResult)                                                                             \
	X(PQresultStatus)                                                                          \
	X(PQresultErrorField)                                                                      \
	X(PQresultErrorMessage)                                                                    \
	X(PQntuples)                                                                               \
	X(PQgetvalue)                                                                              \
	X(PQclear)                                                                                 \
	X(PQconninfoParse)                                                                         \
	X(PQconninfoFree)                                                                          \
	X(PQfreemem)

static struct {
	bool tried;
	char *error; /* why libpq cannot be used, or NULL */
#define PQ_MEMBER(f) __typeof__(f) *f;
	PQ_FUNCTIONS(PQ_MEMBER)
#undef PQ_MEMBER
} pq;

/* Returns NULL when libpq is usable, else why not. The handle is never
 * closed, for the reasons given in target.c. */
static const char *pq_load(void)
{
	if (pq.tried)
		return pq.error;
	pq.tried = true;
	void *h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		pq.error = xasprintf("cannot load libpq: %s", dlerror());
		return pq.error;
	}
	/* POSIX guarantees a data pointer from dlsym converts to a function
	 * pointer. */
#define PQ_LOOKUP(f)                                                                               \
	if (!pq.error && !(pq.f = (__typeof__(f) *)dlsym(h, #f)))                                  \
		pq.error = xasprintf("libpq.so.5 lacks %s", #f);
	PQ_FUNCTIONS(PQ_LOOKUP)
#undef PQ_LOOKUP
	return pq.error;
}

/* ---- the state of one analysis -------------------------------------------- */

/* interlock is single-threaded and analyses one invocation at a time; the
 * state belongs to the facts being filled and is forgotten by
 * explain_estimates() (or when another facts struct shows up). */
static struct {
	facts *fx;            /* the analysis served; NULL: none */
	PGconn *conn;         /* the connection, once open */
	char *conn_error;     /* it could not be opened, or broke: why */
	size_t conn_note;     /* index in fx->notes of the note saying so */
	unsigned conn_failed; /* statements that met conn_error */
	unsigned seen;        /* statements with a dml operation (at most
	                         MAX_EXPLAINED get anything but a field) */
	unsigned over_cap;    /* statements not explained for the cap */
	size_t scanned;       /* operations already looked at for \connect */
	bool moved;           /* a \connect was seen: the rest goes elsewhere */
	bool prepared;        /* the session's search_path and plan_risk() done */
	char *risk;           /* why nothing is explained on this database */
} ex;

static void forget_analysis(void)
{
	if (ex.conn)
		pq.PQfinish(ex.conn);
	free(ex.conn_error);
	free(ex.risk);
	ex = (__typeof__(ex)){0};
}

/* ---- small helpers ---------------------------------------------------- */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The first line of a libpq or server message, without "ERROR:  ". */
static char *first_line(const char *msg)
{
	if (!msg || !*msg)
		return xstrdup("unknown error");
	if (str_starts(msg, "ERROR:  "))
		msg += 8;
	return xstrndup(msg, strcspn(msg, "\n"));
}

/* libpq's conninfo quoting: single quotes, ' and \ escaped by a backslash. */
static void put_setting(strbuf *b, const char *key, const char *val)
{
	sb_printf(b, " %s='", key);
	for (const char *p = val; *p; p++) {
		if (*p == '\'' || *p == '\\')
			sb_putc(b, '\\');
		sb_putc(b, *p);
	}
	sb_putc(b, '\'');
}

/* What the notes call the statement: "DELETE FROM t", "UPDATE t",
 * "MERGE INTO t". */
static char *describe(const operation *op)
{
	const char *stmt = fs_get(&op->f, "statement");
	const char *table = fs_get(&op->f, "table");
	const char *in_cte = fs_get(&op->f, "in_cte");
	const char *joiner = !stmt                                               ? ""
	                     : !strcmp(stmt, "DELETE")                           ? " FROM"
	                     : !strcmp(stmt, "MERGE") || !strcmp(stmt, "INSERT") ? " INTO"
	                                                                         : "";

	return xasprintf("%s%s %s%s", stmt ? stmt : "?", joiner, table ? table : "?",
	                 in_cte && !strcmp(in_cte, "yes") ? " (in a WITH query)" : "");
}

static bool is_dml(const operation *op)
{
	return !strcmp(op->kind, "dml");
}

/* ---- the connection ------------------------------------------------------- */

static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* The target's conninfo (target.c: every target key spelt out, so neither
 * this process's PG* variables nor its service files move it), plus ours;
 * a later key wins in libpq. The target's own options (from -d, PGOPTIONS)
 * are kept, ours after them so that ours win: a search_path given there
 * still decides which table a name means. client_encoding is UTF8 unless
 * the user chose one: the text is UTF-8 (sqlfacts checked). */
static char *explain_conninfo(const char *conninfo, char *err, size_t errlen)
{
	char *msg = NULL;
	PQconninfoOption *opts = pq.PQconninfoParse(conninfo, &msg);

	if (!opts) {
		autofree char *line = first_line(msg);
		snprintf(err, errlen, "the target's connection string: %s", line);
		if (msg)
			pq.PQfreemem(msg);
		return NULL;
	}
	const char *options = NULL;
	bool encoding = false;
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!strcmp(o->keyword, "options") && o->val && *o->val)
			options = o->val;
		if (!strcmp(o->keyword, "client_encoding") && o->val && *o->val)
			encoding = true;
	}
	strbuf b = {0};
	sb_puts(&b, conninfo);
	sb_printf(&b, " connect_timeout='%d'", CONNECT_TIMEOUT_S);
	put_setting(&b, "application_name", "interlock-explain");
	autofree char *ours =
	    xasprintf("%s%s-c default_transaction_read_only=on "
	              "-c statement_timeout=%d",
	              options ? options : "", options ? " " : "", STATEMENT_TIMEOUT_MS);
	put_setting(&b, "options", ours);
	if (!encoding)
		put_setting(&b, "client_encoding", "UTF8");
	pq.PQconninfoFree(opts);
	return sb_steal(&b);
}

/* Waits until fd is ready for events or the deadline passes: 1 ready,
 * 0 timed out, -1 error (errno). */
static int wait_socket(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - now_ms();
		if (left <= 0)
			return 0;
		struct pollfd p = {.fd = fd, .events = events};
		int r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		return r > 0 ? 1 : r;
	}
}

/* PQconnectStart and PQconnectPoll as libpq's documentation describes,
 * with one deadline for the whole attempt (every host of a multi-host
 * target included). */
static PGconn *open_connection(const char *conninfo, char *err, size_t errlen)
{
	autofree char *ci = explain_conninfo(conninfo, err, errlen);
	if (!ci)
		return NULL;
	PGconn *c = pq.PQconnectStart(ci);
	if (!c) {
		snprintf(err, errlen, "libpq: out of memory");
		return NULL;
	}
	pq.PQsetNoticeProcessor(c, ignore_notice, NULL);
	long long deadline = now_ms() + CONNECT_TIMEOUT_S * 1000;
	PostgresPollingStatusType st =
	    pq.PQstatus(c) == CONNECTION_BAD ? PGRES_POLLING_FAILED : PGRES_POLLING_WRITING;
	while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
		int fd = pq.PQsocket(c);
		int w = fd < 0 ? 1
		               : wait_socket(fd, st == PGRES_POLLING_READING ? POLLIN : POLLOUT,
		                             deadline);
		if (w == 0) {
			snprintf(err, errlen, "no connection within %d s", CONNECT_TIMEOUT_S);
			pq.PQfinish(c);
			return NULL;
		}
		if (w < 0) {
			snprintf(err, errlen, "waiting for the server: %s", strerror(errno));
			pq.PQfinish(c);
			return NULL;
		}
		st = pq.PQconnectPoll(c);
	}
	if (st == PGRES_POLLING_FAILED) {
		autofree char *line = first_line(pq.PQerrorMessage(c));
		snprintf(err, errlen, "%s", line);
		pq.PQfinish(c);
		return NULL;
	}
	return c;
}

typedef enum { Q_OK, Q_FAILED, Q_BROKEN } query_result;

/* Runs one statement (extended protocol: one statement only) and expects
 * want. On Q_OK *res (if res) is the result, to PQclear. Q_FAILED: the
 * server refused it, the connection is still usable (outside the
 * transaction's abort). Q_BROKEN: the connection is not usable any more. */
static query_result run_query(PGconn *c, const char *sql, ExecStatusType want, PGresult **res,
                              char *err, size_t errlen)
{
	PGresult *first = NULL, *r;
	long long deadline = now_ms() + QUERY_DEADLINE_MS;

	if (res)
		*res = NULL;
	if (!pq.PQsendQueryParams(c, sql, 0, NULL, NULL, NULL, NULL, 0)) {
		autofree char *line = first_line(pq.PQerrorMessage(c));
		snprintf(err, errlen, "%s", line);
		return Q_BROKEN;
	}
	for (;;) {
		while (pq.PQisBusy(c)) {
			int w = wait_socket(pq.PQsocket(c), POLLIN, deadline);
			if (w <= 0 || !pq.PQconsumeInput(c)) {
				autofree char *line = first_line(pq.PQerrorMessage(c));
				if (w == 0)
					snprintf(err, errlen, "no answer within %d s",
					         QUERY_DEADLINE_MS / 1000);
				else
					snprintf(err, errlen, "%s", line);
				if (first)
					pq.PQclear(first);
				return Q_BROKEN;
			}
		}
		if (!(r = pq.PQgetResult(c)))
			break;
		if (!first)
			first = r;
		else
			pq.PQclear(r);
	}
	if (!first) {
		snprintf(err, errlen, "no result");
		return Q_BROKEN;
	}
	if (pq.PQresultStatus(first) != want) {
		const char *msg = pq.PQresultErrorField(first, PG_DIAG_MESSAGE_PRIMARY);
		autofree char *line = first_line(msg ? msg : pq.PQresultErrorMessage(first));
		snprintf(err, errlen, "%s", line);
		pq.PQclear(first);
		return pq.PQstatus(c) == CONNECTION_OK ? Q_FAILED : Q_BROKEN;
	}
	if (res)
		*res = first;
	else
		pq.PQclear(first);
	return Q_OK;
}

/* The connection, opened on first use; NULL with ex.conn_error when it
 * cannot be had. */
static PGconn *connection(const facts *fx)
{
	char err[512];

	if (ex.conn || ex.conn_error)
		return ex.conn;
	const char *load_error = pq_load();
	const char *conninfo = fs_get(&fx->target, "conninfo");
	if (load_error)
		ex.conn_error = xstrdup(load_error);
	else if (!conninfo || !*conninfo)
		ex.conn_error = xstrdup("the connection target is not known");
	else if (!(ex.conn = open_connection(conninfo, err, sizeof err)))
		ex.conn_error = xstrdup(err);
	return ex.conn;
}

static void connection_broke(const char *why)
{
	pq.PQfinish(ex.conn);
	ex.conn = NULL;
	ex.conn_error = xasprintf("the connection broke: %s", why);
}

/* User code the planner could run, as one query that returns why (the
 * first reason found), or no row. The planner runs more than the
 * functions it folds: a selectivity estimator (eqsel, scalarltsel, ...)
 * calls the operator's own function on the column's statistics whatever
 * its volatility, and an operator's RESTRICT and JOIN estimators, a type's
 * input function (for the statement's constants), a range type's
 * canonical and subtype_diff functions, an operator class's support
 * functions and a function's planner support function may all run while
 * it plans. Only pg_catalog's (and information_schema's) functions are
 * trusted, and functions in language internal wherever they are (the
 * server's own code: CREATE TYPE ... AS RANGE makes such constructors and
 * casts in the user's schema); anything else, in any language (an
 * extension's C included) and of any volatility, is user code. The
 * reasons:
 *   - an operator outside pg_catalog named like one of plan_operators
 *     (the only ones a statement may use to be explained): with other
 *     argument types it wins over the built-in one whatever the
 *     search_path (public.=(text,integer) for v = 1 on a text column);
 *   - a user function behind such an operator (its function, RESTRICT or
 *     JOIN), behind a cast, or named like a pg_catalog function (an
 *     overload with other argument types wins the same way);
 *   - a user function a type, range type, operator class or function
 *     calls while the planner works (see above);
 *   - a non-volatile user function that a view, rule, policy, column
 *     default, index, constraint or extended statistics uses (the planner
 *     expands and folds them; it never folds a volatile one), or any user
 *     function behind an operator they use.
 * Every name is qualified: the session's search_path is not trusted yet.
 * The text must begin with "WITH f AS (SELECT p.oid, p.proname" (the
 * server log test in explain.bats looks for it). */
#define PLAN_OPERATOR_NAMES "'{=,<>,<,>,<=,>=,+,-,*,/,%,||,~~,!~~,~~*,!~~*}'::pg_catalog.name[]"
#define Q_EQ                " OPERATOR(pg_catalog.=) "
#define Q_FN                "pg_catalog.concat('function ', f.oid::pg_catalog.regprocedure, "
static const char plan_risk_sql[] =
    "WITH f AS (SELECT p.oid, p.proname, p.provolatile FROM pg_catalog.pg_proc p"
    " JOIN pg_catalog.pg_language l ON l.oid" Q_EQ "p.prolang"
    " WHERE p.pronamespace OPERATOR(pg_catalog.<>) ALL (ARRAY["
    "'pg_catalog'::pg_catalog.regnamespace, "
    "'information_schema'::pg_catalog.regnamespace]::pg_catalog.oid[])"
    " AND l.lanname OPERATOR(pg_catalog.<>) 'internal'),"
    " users(classid) AS (VALUES ('pg_catalog.pg_rewrite'::pg_catalog.regclass),"
    " ('pg_catalog.pg_policy'), ('pg_catalog.pg_attrdef'), ('pg_catalog.pg_class'),"
    " ('pg_catalog.pg_constraint'), ('pg_catalog.pg_statistic_ext')),"
    " used_ops AS (SELECT o.* FROM pg_catalog.pg_depend d JOIN users u ON u.classid" Q_EQ
    "d.classid JOIN pg_catalog.pg_operator o ON o.oid" Q_EQ "d.refobjid"
    " WHERE d.refclassid" Q_EQ "'pg_catalog.pg_operator'::pg_catalog.regclass)"
    " SELECT x.why FROM ("
    "SELECT pg_catalog.concat('operator ', o.oprnamespace::pg_catalog.regnamespace, '.',"
    " o.oprname, '(', o.oprleft::pg_catalog.regtype, ',', o.oprright::pg_catalog.regtype,"
    " ') is named like a built-in one') FROM pg_catalog.pg_operator o"
    " WHERE o.oprnamespace OPERATOR(pg_catalog.<>) 'pg_catalog'::pg_catalog.regnamespace"
    " AND o.oprname" Q_EQ "ANY (" PLAN_OPERATOR_NAMES ")"
    " UNION ALL SELECT " Q_FN "' is behind operator ', o.oid::pg_catalog.regoperator)"
    " FROM pg_catalog.pg_operator o JOIN f ON f.oid" Q_EQ "ANY (ARRAY[o.oprcode, o.oprrest,"
    " o.oprjoin]::pg_catalog.oid[]) WHERE o.oprname" Q_EQ "ANY (" PLAN_OPERATOR_NAMES ")"
    " UNION ALL SELECT " Q_FN "' is named like a built-in function') FROM f WHERE EXISTS ("
    "SELECT FROM pg_catalog.pg_proc c WHERE c.pronamespace" Q_EQ
    "'pg_catalog'::pg_catalog.regnamespace AND c.proname" Q_EQ "f.proname)"
    " UNION ALL SELECT " Q_FN "' is a cast') FROM pg_catalog.pg_cast c JOIN f ON f.oid" Q_EQ
    "c.castfunc"
    " UNION ALL SELECT " Q_FN "' is a function of type ', t.oid::pg_catalog.regtype)"
    " FROM pg_catalog.pg_type t JOIN f ON f.oid" Q_EQ "ANY (ARRAY[t.typinput, t.typreceive,"
    " t.typmodin, t.typsubscript]::pg_catalog.oid[])"
    " UNION ALL SELECT " Q_FN "' is a function of range type ',"
    " r.rngtypid::pg_catalog.regtype) FROM pg_catalog.pg_range r JOIN f ON f.oid" Q_EQ
    "ANY (ARRAY[r.rngcanonical, r.rngsubdiff]::pg_catalog.oid[])"
    " UNION ALL SELECT " Q_FN "' supports an operator class') FROM pg_catalog.pg_amproc a"
    " JOIN f ON f.oid" Q_EQ "a.amproc"
    " UNION ALL SELECT " Q_FN "' is the planner support function of ',"
    " p.oid::pg_catalog.regprocedure) FROM pg_catalog.pg_proc p JOIN f ON f.oid" Q_EQ "p.prosupport"
    " UNION ALL SELECT " Q_FN "' is used by a view, rule, policy, default, index or"
    " constraint') FROM pg_catalog.pg_depend d JOIN users u ON u.classid" Q_EQ "d.classid"
    " JOIN f ON f.oid" Q_EQ "d.refobjid WHERE d.refclassid" Q_EQ
    "'pg_catalog.pg_proc'::pg_catalog.regclass AND f.provolatile OPERATOR(pg_catalog.<>) 'v'"
    " UNION ALL SELECT " Q_FN "' is behind operator ', o.oid::pg_catalog.regoperator,"
    " ', used by a view, rule, policy, default, index or constraint') FROM used_ops o"
    " JOIN f ON f.oid" Q_EQ "ANY (ARRAY[o.oprcode, o.oprrest, o.oprjoin]::pg_catalog.oid[])"
    ") x(why) LIMIT 1";
#undef Q_FN
#undef Q_EQ
#undef PLAN_OPERATOR_NAMES

/* Once per connection: pg_catalog first in search_path (the session's own
 * path after it, "$user", public by default, so that tables resolve as
 * they would for psql), then plan_risk_sql. Sets ex.risk when nothing may
 * be explained; false when the connection broke. */
static bool prepare_session(PGconn *c)
{
	char err[512];
	PGresult *res = NULL;

	ex.prepared = true;
	query_result r = run_query(c,
	                           "SELECT pg_catalog.set_config('search_path', "
	                           "pg_catalog.concat_ws(', ', 'pg_catalog', "
	                           "pg_catalog.current_setting('search_path')), false)",
	                           PGRES_TUPLES_OK, NULL, err, sizeof err);
	if (r == Q_OK)
		r = run_query(c, plan_risk_sql, PGRES_TUPLES_OK, &res, err, sizeof err);
	if (r == Q_OK && pq.PQntuples(res) > 0)
		ex.risk = xasprintf("not explained: the planner could run user code: %s",
		                    pq.PQgetvalue(res, 0, 0));
	else if (r != Q_OK)
		ex.risk = xasprintf("not explained: could not check the database for user code "
		                    "the planner could run (%s)",
		                    err);
	if (res)
		pq.PQclear(res);
	if (r == Q_BROKEN)
		connection_broke(err);
	return r != Q_BROKEN;
}

/* EXPLAIN (FORMAT JSON) of the statement in its own read-only transaction.
 * Returns the plan's JSON text (to free), or NULL with err. */
static char *explain_text(PGconn *c, const char *sql, size_t len, char *err, size_t errlen)
{
	strbuf q = {0};
	PGresult *res = NULL;
	char *json = NULL;

	query_result r = run_query(c, "BEGIN READ ONLY", PGRES_COMMAND_OK, NULL, err, errlen);
	if (r == Q_OK) {
		sb_puts(&q, "EXPLAIN (FORMAT JSON) ");
		sb_putn(&q, sql, len);
		r = run_query(c, q.s, PGRES_TUPLES_OK, &res, err, errlen);
		sb_free(&q);
		if (r == Q_OK && pq.PQntuples(res) == 1)
			json = xstrdup(pq.PQgetvalue(res, 0, 0));
		else if (r == Q_OK)
			snprintf(err, errlen, "EXPLAIN returned %d rows", pq.PQntuples(res));
		if (res)
			pq.PQclear(res);
		if (r != Q_BROKEN) {
			char err2[256];
			if (run_query(c, "ROLLBACK", PGRES_COMMAND_OK, NULL, err2, sizeof err2) !=
			    Q_OK) {
				/* the estimate stands; the connection does not */
				connection_broke(err2);
				return json;
			}
		}
	}
	if (r == Q_BROKEN)
		connection_broke(err);
	return json;
}

/* ---- the plan ------------------------------------------------------------ */

typedef struct {
	const char *operation; /* "Delete", "Update", "Merge", "Insert" */
	const char *relation;  /* may be NULL */
	double rows;           /* the rows it is fed */
	bool used;
} modify_node;

typedef struct {
	modify_node *v;
	size_t n, cap;
} modify_nodes;

static double plan_rows(json_t *plan)
{
	return json_number_value(json_object_get(plan, "Plan Rows"));
}

static void collect_modify(json_t *plan, modify_nodes *out)
{
	json_t *children = json_object_get(plan, "Plans");

	if (!json_is_object(plan))
		return;
	const char *type = json_string_value(json_object_get(plan, "Node Type"));
	if (type && !strcmp(type, "ModifyTable")) {
		modify_node m = {.operation = json_string_value(json_object_get(plan, "Operation")),
		                 .relation =
		                     json_string_value(json_object_get(plan, "Relation Name")),
		                 .rows = plan_rows(plan)};
		for (size_t i = 0; i < json_array_size(children); i++) {
			json_t *child = json_array_get(children, i);
			const char *rel =
			    json_string_value(json_object_get(child, "Parent Relationship"));
			if (rel && !strcmp(rel, "Outer")) {
				m.rows = plan_rows(child);
				break;
			}
		}
		if (out->n == out->cap) {
			out->cap = out->cap ? out->cap * 2 : 4;
			out->v = xrealloc(out->v, out->cap * sizeof *out->v);
		}
		out->v[out->n++] = m;
	}
	for (size_t i = 0; i < json_array_size(children); i++)
		collect_modify(json_array_get(children, i), out);
}

/* The last name of a qualified name as sqlfacts writes it (a.b."C d"),
 * unquoted: what EXPLAIN calls the relation. */
static char *last_name(const char *qualified)
{
	strbuf b = {0};

	for (const char *p = qualified; *p;) {
		b.len = 0;
		if (b.s)
			b.s[0] = '\0';
		if (*p == '"') {
			for (p++; *p; p++) {
				if (*p == '"' && p[1] == '"')
					sb_putc(&b, *p++);
				else if (*p == '"')
					break;
				else
					sb_putc(&b, *p);
			}
			p += *p == '"';
		} else {
			size_t n = strcspn(p, ".");
			sb_putn(&b, p, n);
			p += n;
		}
		if (*p == '.')
			p++;
	}
	return sb_steal(&b);
}

/* The node for op: its kind on its table, else its kind. */
static modify_node *match_node(modify_nodes *nodes, const operation *op)
{
	const char *stmt = fs_get(&op->f, "statement");
	const char *table = fs_get(&op->f, "table");
	autofree char *rel = last_name(table ? table : "");

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < nodes->n; i++) {
			modify_node *m = &nodes->v[i];
			if (m->used || !m->operation || !stmt || strcasecmp(m->operation, stmt))
				continue;
			if (pass == 0 && (!m->relation || strcmp(m->relation, rel)))
				continue;
			m->used = true;
			return m;
		}
	}
	return NULL;
}

/* ---- per statement --------------------------------------------------------- */

static void set_error(facts *fx, operation *op, const char *why, bool note)
{
	fs_set(&op->f, "explain_error", why);
	if (note) {
		autofree char *what = describe(op);
		sv_push_steal(&fx->notes,
		              xasprintf("%s: could not estimate the rows (%s)", what, why));
	}
}

static void set_estimate(facts *fx, operation *op, double rows)
{
	long long n = rows < 0 ? 0 : (long long)(rows + 0.5);
	autofree char *what = describe(op);

	fs_setf(&op->f, "rows_estimate", "%lld", n);
	sv_push_steal(&fx->notes,
	              xasprintf("%s: the planner estimates %lld row%s (EXPLAIN, not run)", what, n,
	                        n == 1 ? "" : "s"));
}

/* The dml operations of [first, fx->n_ops) get the statement's error. */
static void fail_statement(facts *fx, size_t first, const char *why)
{
	bool note = true;

	for (size_t i = first; i < fx->n_ops; i++) {
		if (!is_dml(&fx->ops[i]))
			continue;
		set_error(fx, &fx->ops[i], why, note);
		note = false; /* one note per statement */
	}
}

/* The first word after blanks, comments and opening parentheses. */
static bool starts_with_dml(const char *s, size_t n, char *word, size_t wordlen)
{
	size_t i = 0, k = 0;

	for (;;) {
		while (i < n && s[i] && strchr(" \t\r\n\f(", s[i]))
			i++;
		if (i + 1 < n && s[i] == '-' && s[i + 1] == '-') {
			while (i < n && s[i] != '\n')
				i++;
		} else if (i + 1 < n && s[i] == '/' && s[i + 1] == '*') {
			int depth = 0;
			for (; i + 1 < n; i++) {
				if (s[i] == '/' && s[i + 1] == '*')
					depth++, i++;
				else if (s[i] == '*' && s[i + 1] == '/' && --depth == 0)
					break;
			}
			i += 2;
		} else {
			break;
		}
	}
	while (i < n && k + 1 < wordlen &&
	       ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
		word[k++] = s[i++];
	word[k] = '\0';
	return !strcasecmp(word, "WITH") || !strcasecmp(word, "DELETE") ||
	       !strcasecmp(word, "UPDATE") || !strcasecmp(word, "MERGE") ||
	       !strcasecmp(word, "INSERT");
}

/* The operators whose built-in functions are known to do nothing but
 * compare, compute or match text, and the ones LIKE, ILIKE, IN, BETWEEN
 * and IS DISTINCT FROM are written with: sqlfacts lists a statement's
 * operators in its dml operations' "operators" field. */
static const char *const plan_operators[] = {
    "=", "<>", "!=", "<",  ">",  "<=",  ">=",  "+",    "-",
    "*", "/",  "%",  "||", "~~", "!~~", "~~*", "!~~*",
};

/* The first operator of a blank-separated list that is not in
 * plan_operators (its length in *len), or NULL. */
static const char *unplanned_operator(const char *list, size_t *len)
{
	while (list && *list) {
		list += strspn(list, " ");
		size_t n = strcspn(list, " ");
		bool known = false;
		for (size_t i = 0; i < sizeof(plan_operators) / sizeof(plan_operators[0]); i++)
			known = known || (strlen(plan_operators[i]) == n &&
			                  !strncmp(plan_operators[i], list, n));
		if (n && !known) {
			*len = n;
			return list;
		}
		list += n;
	}
	return NULL;
}

/* A \connect (psql.c: an opaque "\connect ..." operation) sends what
 * follows it elsewhere; the operations before first are looked at once. */
static void watch_for_connect(const facts *fx, size_t first)
{
	for (; ex.scanned < first && ex.scanned < fx->n_ops; ex.scanned++) {
		const operation *op = &fx->ops[ex.scanned];
		const char *reason = fs_get(&op->f, "reason");
		if (!strcmp(op->kind, "opaque") && reason && str_starts(reason, "\\connect"))
			ex.moved = true;
	}
}

static void explain_ops(facts *fx, size_t first, const char *sql, size_t len)
{
	char err[512];
	PGconn *c = connection(fx);

	if (c && !ex.prepared && !prepare_session(c))
		c = NULL;
	if (c && ex.risk) {
		fail_statement(fx, first, ex.risk);
		return;
	}
	if (!c) {
		ex.conn_failed++;
		if (ex.conn_failed == 1) {
			ex.conn_note = fx->notes.n;
			fail_statement(fx, first, ex.conn_error);
		} else {
			for (size_t i = first; i < fx->n_ops; i++)
				if (is_dml(&fx->ops[i]))
					set_error(fx, &fx->ops[i], ex.conn_error, false);
		}
		return;
	}
	autofree char *json = explain_text(c, sql, len, err, sizeof err);
	if (!json) {
		fail_statement(fx, first, err);
		return;
	}
	json_error_t jerr;
	json_t *root = json_loads(json, 0, &jerr);
	modify_nodes nodes = {0};
	for (size_t i = 0; i < json_array_size(root); i++)
		collect_modify(json_object_get(json_array_get(root, i), "Plan"), &nodes);
	bool note = true;
	for (size_t i = first; i < fx->n_ops; i++) {
		operation *op = &fx->ops[i];
		if (!is_dml(op))
			continue;
		modify_node *m = match_node(&nodes, op);
		if (m)
			set_estimate(fx, op, m->rows);
		else
			set_error(fx, op,
			          root ? "the plan has no such ModifyTable node"
			               : "EXPLAIN's output is not JSON",
			          note);
		note = false;
	}
	free(nodes.v);
	json_decref(root);
}

void explain_statement(const invocation *inv, facts *fx, size_t first_op, const char *sql,
                       size_t len)
{
	bool dml = false, opaque = false;
	const char *opaque_reason = NULL, *operators = NULL;

	for (size_t i = first_op; i < fx->n_ops; i++) {
		dml = dml || is_dml(&fx->ops[i]);
		if (is_dml(&fx->ops[i]) && !operators)
			operators = fs_get(&fx->ops[i].f, "operators");
		if (!strcmp(fx->ops[i].kind, "opaque") && !opaque) {
			opaque = true;
			opaque_reason = fs_get(&fx->ops[i].f, "reason");
		}
	}
	if (!dml)
		return;
	/* Development databases are where DELETE FROM is run all day: a
	 * connection for each such statement would slow every one of them
	 * for an estimate no rule asks for there. */
	if (!fx->environment || !inv->cfg->default_env ||
	    !strcmp(fx->environment, inv->cfg->default_env))
		return;
	/* Rule examples read nothing of this machine, databases included.
	 * An invocation with an environment other than this process's (unit
	 * tests) is not connected for either: libpq takes the password,
	 * .pgpass and TLS files from this process's environment (to which
	 * pg_wrapper only adds where to connect, and the target's conninfo
	 * spells that out). */
	if (inv->hermetic || (inv->envp != environ && !inv->wrapped_env))
		return;
	if (ex.fx != fx) {
		forget_analysis();
		ex.fx = fx;
	}
	if (++ex.seen > MAX_EXPLAINED) {
		ex.over_cap++;
		for (size_t i = first_op; i < fx->n_ops; i++)
			if (is_dml(&fx->ops[i]))
				set_error(fx, &fx->ops[i],
				          "not explained: only the first " MAX_EXPLAINED_TEXT
				          " statements of a command are",
				          false);
		return;
	}
	watch_for_connect(fx, first_op);
	if (ex.moved) {
		fail_statement(fx, first_op,
		               "not explained: after \\connect it runs against another target");
		return;
	}
	if (opaque) {
		autofree char *why =
		    xasprintf("not explained: %s",
		              opaque_reason ? opaque_reason : "it holds something opaque");
		fail_statement(fx, first_op, why);
		return;
	}
	size_t oplen;
	const char *op = unplanned_operator(operators, &oplen);
	if (op) {
		autofree char *why = xasprintf("not explained: uses operator %.*s, which the "
		                               "planner could run while planning",
		                               (int)oplen, op);
		fail_statement(fx, first_op, why);
		return;
	}
	char word[16];
	if (!starts_with_dml(sql, len, word, sizeof word)) {
		autofree char *why = xasprintf("not explained: EXPLAIN cannot plan a statement "
		                               "that begins with %s",
		                               *word ? word : "this");
		fail_statement(fx, first_op, why);
		return;
	}
	explain_ops(fx, first_op, sql, len);
}

void explain_estimates(const invocation *inv, facts *fx)
{
	(void)inv;
	if (ex.fx != fx)
		return;
	if (ex.conn_failed > 1 && ex.conn_note < fx->notes.n) {
		char *old = fx->notes.v[ex.conn_note];
		fx->notes.v[ex.conn_note] =
		    xasprintf("%s; the same for %u more statement%s", old, ex.conn_failed - 1,
		              ex.conn_failed == 2 ? "" : "s");
		free(old);
	}
	if (ex.over_cap)
		sv_push_steal(&fx->notes,
		              xasprintf("%u more DELETE/UPDATE/MERGE statement%s not estimated: "
		                        "at most %d statements per command are explained",
		                        ex.over_cap, ex.over_cap == 1 ? " was" : "s were",
		                        MAX_EXPLAINED));
	forget_analysis();
}
