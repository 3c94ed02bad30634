/* psql_lexer.h - a streaming lexer for psql input (not plain SQL): quotes,
 * E'' escapes, $tag$ dollar quoting, nested block comments, -- comments,
 * backslash meta-commands, the \g family as terminators, psql variables,
 * and COPY ... FROM STDIN data up to \. (data, never SQL).
 *
 * Streaming: input is fed in chunks of any size, with the same events
 * whatever the chunking; memory stays bounded (a statement's text is kept
 * only up to max_stmt bytes, see psql_stmt.truncated; COPY data is skipped,
 * never buffered). */
#ifndef INTERLOCK_PSQL_LEXER_H
#define INTERLOCK_PSQL_LEXER_H

#include <stdbool.h>
#include <stddef.h>

/* Keyword classes seen outside quotes and comments: the cheap, safe
 * pre-filter. A statement with none of these cannot change data or
 * settings (plain SELECT of columns, INSERT ... VALUES literals, COMMENT
 * ...), so it need not be parsed. The exact rules are in src/psql/lexer.c
 * (on_word). */
enum {
	KW_DELETE = 1 << 0,
	KW_UPDATE = 1 << 1,
	KW_MERGE = 1 << 2,
	KW_TRUNCATE = 1 << 3,
	KW_DROP = 1 << 4,
	KW_ALTER = 1 << 5,
	KW_VACUUM = 1 << 6,
	KW_SET = 1 << 7,   /* SET, RESET, SESSION CHARACTERISTICS */
	KW_BEGIN = 1 << 8, /* BEGIN, START (TRANSACTION) */
	KW_GRANT = 1 << 9, /* GRANT, REVOKE */
	KW_COPY = 1 << 10,
	KW_DO = 1 << 11,
	KW_EXECUTE = 1 << 12,  /* EXECUTE, CALL, PREPARE */
	KW_CREATE = 1 << 13,   /* CREATE of anything (TABLE too) */
	KW_FUNCTION = 1 << 14, /* a function call could do anything: SELECT f() */
	KW_OTHER = 1 << 15,    /* a first keyword the lexer does not know, or text
	                          that psql and the server (or psql versions) read
	                          differently */
	KW_OPERATOR = 1 << 16, /* an operator other than the common built-in ones
	                          (= <> != < > <= >= + - * / % || and LIKE's ~~):
	                          it may be a user's, backed by any function */
};

typedef struct {
	const char *text;       /* the statement (without the terminator), NUL-terminated;
	                           borrowed: valid during the callback only */
	size_t len;             /* length of text kept (<= max_stmt) */
	size_t full_len;        /* length of the whole statement in the input */
	bool truncated;         /* full_len > what was kept */
	unsigned keywords;      /* KW_* seen outside quotes and comments */
	bool interesting;       /* keywords != 0 || has_variables || conditional:
	                           worth parsing */
	bool has_variables;     /* :name, :'name', :"name" outside quotes */
	bool conditional;       /* its text spans \\if, \\elif, \\else or \\endif (or,
	                           repeated by \\g, such a command came since it was
	                           sent): psql drops the text of a skipped branch, so
	                           what it sends depends on conditions */
	const char *terminator; /* ";", "\n" (single-line mode), "\\g", "\\gx", "\\gexec", "\\gset",
	                           "\\gdesc",
	                           "\\crosstabview", "\\watch", or "" at end of input;
	                           a \\g-family terminator is then also reported as a
	                           meta event (its arguments matter: \\g |cmd), and
	                           one with nothing collected re-reports the previous
	                           statement, which psql runs again */
	long line;              /* 1-based line of the statement's first token
	                           (leading blanks and comments are not in text) */
} psql_stmt;

typedef struct {
	const char *name; /* without the backslash: "i", "ir", "include", "!", "copy", ... */
	const char *args; /* rest of the meta-command (to end of line or \\) */
	long line;
} psql_meta;

typedef struct {
	void (*statement)(void *ctx, const psql_stmt *s);
	void (*meta)(void *ctx, const psql_meta *m);
	/* COPY ... FROM STDIN data: how many bytes were skipped as data. */
	void (*copy_data)(void *ctx, size_t bytes, long line);
	/* COPY ... FROM STDIN data that psql could run if the COPY failed at the
	 * server (psql then reads the data lines as its input): word is a
	 * line's first word when it is a statement keyword ("delete"), or, read
	 * as psql would read SQL, what was found ("';' outside quotes", "'\\i'
	 * outside quotes", a quote left open at the \\., data up to the end of
	 * input...; these hold a blank). At most one report per COPY. */
	void (*copy_sql)(void *ctx, const char *word, long line);
} psql_lex_callbacks;

typedef struct psql_lexer psql_lexer;

psql_lexer *psql_lex_new(const psql_lex_callbacks *cb, void *ctx, size_t max_stmt);
/* Feeds len bytes (any bytes; invalid UTF-8 is data, but a NUL byte makes
 * psql_lex_finish fail: psql would silently drop text after it). */
void psql_lex_feed(psql_lexer *lx, const char *buf, size_t len);
/* End of input: reports a last unterminated statement ("" terminator), as
 * psql sends it. Returns false when the input ended inside a quote or
 * comment (the text then was not what it looked like: unknown means
 * dangerous), or held something the lexer cannot vouch for (a NUL byte, SQL
 * after a \\ separator leaving a quote open, an over-long meta-command or
 * dollar-quote tag); *why says what. COPY data ending at the end of input
 * is accepted, as psql does. After a false return the events may be wrong.
 * Feed nothing after it. */
bool psql_lex_finish(psql_lexer *lx, const char **why);
void psql_lex_free(psql_lexer *lx);
/* psql's single-line mode (-S, SINGLELINE): a newline outside quotes,
 * comments, parentheses and BEGIN ATOMIC blocks ends the statement, with
 * terminator "\n". Takes effect from the next line. */
void psql_lex_set_single_line(psql_lexer *lx, bool on);
/* The input is a -c string, which psql sends whole: a COPY ... FROM STDIN
 * in it reads psql's own standard input, so the text after it is SQL, not
 * data. Call before feeding. */
void psql_lex_set_no_copy(psql_lexer *lx);

#endif
