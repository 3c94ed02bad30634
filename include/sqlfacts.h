/* sqlfacts.h - one SQL statement, parsed with libpg_query (the real
 * PostgreSQL 15 grammar), turned into operation facts. */
#ifndef INTERLOCK_SQLFACTS_H
#define INTERLOCK_SQLFACTS_H

#include <stddef.h>

#include "facts.h"

/* Parses sql (len bytes: one statement as the psql lexer delimited it,
 * which libpg_query may still find to hold several) and appends operations
 * to fx. Statement kinds
 * and fields are listed in interlock(5). What cannot be parsed becomes an
 * "opaque" operation, never nothing. line is the statement's first line in
 * its input, source the input's name ("-c", a file name, "stdin"). */
void sql_facts(const char *sql, size_t len, long line, const char *source, facts *fx);

#endif
