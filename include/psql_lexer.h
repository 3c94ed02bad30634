/* psql_lexer.h - a streaming lexer for psql input (not plain SQL): quotes,
 * E'' escapes, $tag$ dollar quoting, nested block comments, -- comments,
 * backslash meta-commands, the \g family as terminators, psql variables,
 * and COPY ... FROM STDIN data up to \. (data, never SQL).
 *
 * Streaming: input is fed in chunks of any size; memory stays bounded
 * (a statement's text is kept only up to max_stmt bytes, and only when it
 * could matter, see psql_stmt.interesting). */
#ifndef INTERLOCK_PSQL_LEXER_H
#define INTERLOCK_PSQL_LEXER_H

#include <stdbool.h>
#include <stddef.h>

/* Keyword classes seen outside quotes and comments: the cheap, safe
 * pre-filter. A statement with none of these cannot change data or
 * settings (plain SELECT of columns, INSERT ... VALUES literals, CREATE
 * TABLE, COMMENT ...), so it need not be parsed. */
enum {
	KW_DELETE = 1 << 0,
	KW_UPDATE = 1 << 1,
	KW_MERGE = 1 << 2,
	KW_TRUNCATE = 1 << 3,
	KW_DROP = 1 << 4,
	KW_ALTER = 1 << 5,
	KW_VACUUM = 1 << 6,
	KW_SET = 1 << 7,      /* SET, RESET, SESSION CHARACTERISTICS */
	KW_BEGIN = 1 << 8,    /* BEGIN, START (TRANSACTION) */
	KW_GRANT = 1 << 9,    /* GRANT, REVOKE */
	KW_COPY = 1 << 10,
	KW_DO = 1 << 11,
	KW_EXECUTE = 1 << 12, /* EXECUTE, CALL, PREPARE */
	KW_CREATE = 1 << 13,  /* CREATE (INDEX, FUNCTION, RULE, TRIGGER...) */
	KW_FUNCTION = 1 << 14, /* a function call could do anything: SELECT f() */
	KW_OTHER = 1 << 15,   /* a first keyword the lexer does not know */
};

typedef struct {
	const char *text;   /* the statement (without the terminator), NUL-terminated;
	                       borrowed: valid during the callback only */
	size_t len;         /* length of text kept (<= max_stmt) */
	size_t full_len;    /* length of the whole statement in the input */
	bool truncated;     /* full_len > what was kept */
	unsigned keywords;  /* KW_* seen outside quotes and comments */
	bool interesting;   /* keywords != 0 || has_variables: worth parsing */
	bool has_variables; /* :name, :'name', :"name" outside quotes */
	const char *terminator; /* ";", "\\g", "\\gx", "\\gexec", "\\gset", "\\crosstabview",
	                           "\\watch", or "" at end of input */
	long line;          /* 1-based line where the statement starts */
} psql_stmt;

typedef struct {
	const char *name;   /* without the backslash: "i", "ir", "include", "!", "copy", ... */
	const char *args;   /* rest of the meta-command (to end of line or \\) */
	long line;
} psql_meta;

typedef struct {
	void (*statement)(void *ctx, const psql_stmt *s);
	void (*meta)(void *ctx, const psql_meta *m);
	/* COPY ... FROM STDIN data: how many bytes were skipped as data. */
	void (*copy_data)(void *ctx, size_t bytes, long line);
} psql_lex_callbacks;

typedef struct psql_lexer psql_lexer;

psql_lexer *psql_lex_new(const psql_lex_callbacks *cb, void *ctx, size_t max_stmt);
/* Feeds len bytes (any bytes: NUL and invalid UTF-8 are data too). */
void psql_lex_feed(psql_lexer *lx, const char *buf, size_t len);
/* End of input: reports a last unterminated statement ("" terminator).
 * Returns false when the input ended inside a quote, comment or COPY data
 * (the text then was not what it looked like: unknown means dangerous);
 * *why says what was open. */
bool psql_lex_finish(psql_lexer *lx, const char **why);
void psql_lex_free(psql_lexer *lx);

#endif
