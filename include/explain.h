/* explain.h - the blast radius of a DELETE/UPDATE/MERGE before anyone is
 * asked: the planner's row estimate from EXPLAIN (never ANALYZE) over a
 * read-only libpq connection with short timeouts.
 *
 * Fields set on a "dml" operation:
 *   rows_estimate  the planner's estimate of the rows the statement changes
 *                  (decimal integer): the rows its ModifyTable node is fed
 *   explain_error  why there is no estimate (connection refused, syntax
 *                  error, statement not explained, ...)
 * and one banner note per statement. Neither changes a decision by itself:
 * an estimate that cannot be had is said, and the rules decide as before.
 *
 * Nothing is estimated (no field, no note, no connection) when the target
 * is in cfg->default_env (development: a connection for every statement
 * there buys nothing), for a hermetic invocation (a rule example: `interlock
 * rules test` never reaches the network), and when inv->envp is not this
 * process's environment (unit tests): libpq takes the password, .pgpass
 * and TLS files from the process environment, so only then does the
 * connection authenticate as the tool's would. */
#ifndef INTERLOCK_EXPLAIN_H
#define INTERLOCK_EXPLAIN_H

#include <stddef.h>

#include "analyse.h"
#include "facts.h"

/* Called by the analyser right after sql_facts() on one statement, with the
 * statement's full text (len bytes, borrowed for the call only: it is not
 * kept) and fx->n_ops as it was before sql_facts(), so that the operations
 * from first_op on are that statement's. Explains the statement at once if
 * it added a dml operation: the first call of an analysis opens the one
 * connection that every later statement reuses; at most 20 statements per
 * analysis are explained. Not explained: statements that also hold
 * something opaque (a function call: planning can evaluate functions),
 * statements after a \connect, and statements that do not begin with
 * WITH, DELETE, UPDATE, MERGE or INSERT (ON CONFLICT DO UPDATE: its
 * estimate is the rows it proposes, at most that many existing rows are
 * updated). Never fails the analysis. */
void explain_statement(const invocation *inv, facts *fx, size_t first_op, const char *sql,
                       size_t len);

/* The end of an analysis: adds the summary notes (statements over the cap,
 * several statements without a connection), closes the connection and
 * forgets the analysis. Call it once per analysis that may have called
 * explain_statement(); harmless otherwise. */
void explain_estimates(const invocation *inv, facts *fx);

#endif
