/* explain.h - the blast radius of a DELETE/UPDATE/MERGE before anyone is
 * asked: the planner's row estimate from EXPLAIN (never ANALYZE) over a
 * read-only libpq connection with short timeouts. */
#ifndef INTERLOCK_EXPLAIN_H
#define INTERLOCK_EXPLAIN_H

#include "analyse.h"
#include "facts.h"

/* For each "dml" operation of fx, sets rows_estimate (or explain_error)
 * and adds a banner note. Connects only when the target is not in the
 * default (development) environment. Never fails the analysis. */
void explain_estimates(const invocation *inv, facts *fx);

#endif
