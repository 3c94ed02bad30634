/* sqlfacts.h - one SQL statement, parsed with libpg_query (the real
 * PostgreSQL 15 grammar), turned into operation facts.
 *
 * libpg_query (libpg_query.so.1504.0, Debian libpg-query1504.0) is loaded
 * with dlopen() on the first call, so a process that never analyses SQL
 * (every rm) pays nothing for it; the first call costs ~0.5 ms, each
 * statement after it ~20 us (a typical DELETE) to a few ms (10 KB). */
#ifndef INTERLOCK_SQLFACTS_H
#define INTERLOCK_SQLFACTS_H

#include <stddef.h>

#include "facts.h"

/* Parses sql (len bytes, not necessarily NUL-terminated: one statement as
 * the psql lexer delimited it, which libpg_query may still find to hold
 * several, each analysed) and appends operations to fx. line is the
 * statement's first line in its input, source the input's name ("-c", a file
 * name, "stdin").
 *
 * Every operation gets the fields statement (the SQL kind: "DELETE",
 * "DROP TABLE", ...), sql (the statement's text for messages: blanks run
 * together, control characters as \xNN, at most 200 characters), line (of
 * that statement, counted from line) and source. token is not set: the
 * caller sets it (to the target's database name). Kinds and their fields
 * are listed in interlock(5): dml, truncate, drop, drop-database,
 * alter-table, rename, index, vacuum, read-write, privilege, copy-program,
 * copy-in, copy-out, alter-system and opaque. Harmless statements (SELECT
 * of columns, INSERT, CREATE TABLE, SHOW, EXPLAIN without ANALYZE) add
 * nothing.
 *
 * What cannot be analysed is one "opaque" operation with a reason, never
 * nothing: a syntax error (reason with line and character position, field
 * position), a NUL byte, text that is not UTF-8, a statement over 1 MiB, a
 * parse tree nested too deeply, or libpg_query missing. Transaction context
 * (BEGIN ... ROLLBACK) is not tracked. Dies only on out of memory. */
void sql_facts(const char *sql, size_t len, long line, const char *source, facts *fx);

#endif
