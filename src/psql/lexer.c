/* lexer.c - the streaming psql input lexer (see psql_lexer.h).
 *
 * What psql does, and so what this file models (checked against psql 15 and
 * a server with log_statement=all):
 *
 * - psql, not the server, splits the input into the query strings it sends.
 *   It ends a statement at a semicolon only outside quotes and comments, at
 *   parenthesis depth 0, and outside BEGIN ... END of a new-style function
 *   body (see track_begin()); or at a \g-family meta-command.
 * - Plain '...' strings have no backslash escapes (standard_conforming_strings
 *   on); E'...' strings do. $tag$...$tag$ bodies are opaque; $1 is a
 *   parameter. /- * ... *-/ comments nest; -- comments end at \n or \r.
 * - A backslash outside quotes starts a meta-command, except \; and \: which
 *   put a literal ; or : into the query (so \; joins statements into one
 *   query string). The command name runs to whitespace or a backslash; its
 *   arguments run to the end of the line, or to an unquoted backslash (which
 *   starts another meta-command) or to \\ (after which SQL resumes). \!, \copy,
 *   \h, \ef, \ev, \sf, \sv take the whole line; a \g, \o or \w argument that
 *   starts with | takes the rest of the line.
 * - A \g-family command (\g \gx \gexec \gset \gdesc \crosstabview \watch) is
 *   the statement's terminator: the statement is reported with it, and then
 *   the command itself as a meta event, because its arguments matter
 *   (\g |cmd runs a shell command). With an empty query buffer psql runs the
 *   previous query again, so the previous statement is reported again. \r and
 *   \reset discard the statement being collected.
 * - :name, :'name', :"name" and :{?name} outside quotes are variables (psql
 *   substitutes them before sending); :: and := are not. :2 in a[1:2] is a
 *   reference to a variable named "2" for psql, so it counts.
 * - COPY ... FROM STDIN (and \copy ... from stdin|pstdin): psql reads data
 *   lines from the input, starting at the line after the one the command
 *   ended on, up to a line that is exactly \. (or \.\r) or the end of input.
 *   Whatever followed the command on its own line is lexed after the data, in
 *   psql, and here too: the SQL lexer finishes that line first. Data is
 *   skipped line by line with memchr and never buffered. The end of input in
 *   data is accepted, as psql does.
 * - At the end of input psql sends what it has collected; so do we (terminator
 *   ""), and psql_lex_finish() says whether a quote or comment was open.
 *
 * Where psql and the server read the same text differently, or psql versions
 * differ, the statement gets KW_OTHER so that it is parsed, never waved
 * through: an E'' string followed by a newline and another quote (the server
 * continues the E string across the newline, psql, which lexes line by line,
 * starts a plain one), and E' right after a number (1E'...': older psql reads
 * an E string, newer a junk number and a plain string). Where that is not
 * enough, the lexer fails closed (psql_lex_finish returns false): a NUL byte
 * anywhere (psql reads lines with fgets and would silently drop text), SQL
 * after a \\ separator that leaves a quote or comment open at the end of the
 * line (psql throws away the rest of the line when the meta-command fails, so
 * what follows is not knowable), an over-long dollar-quote tag or
 * meta-command.
 *
 * Keywords are matched case-insensitively on whole words outside quotes,
 * comments and quoted identifiers; see on_word() for the rules and why. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "psql_lexer.h"
#include "util.h"

#define WORD_MAX  32          /* longest word compared against keywords */
#define TAG_MAX   256         /* longest dollar-quote tag kept */
#define NAME_MAX_ 64          /* longest meta-command name kept */
#define ARGS_MAX  (64 * 1024) /* longest meta-command arguments kept */
#define KW_HASH   512

enum mode { M_SQL, M_META, M_COPY };

enum sql_state {
	S_NORMAL,       /* between tokens */
	S_WORD,         /* in an identifier or keyword */
	S_NUM,          /* in a number or $1 parameter */
	S_JUNK,         /* letters right after a number: 1e, 1abc */
	S_SQ,           /* in '...' */
	S_SQ_END,       /* saw ' in '...': '' or the end */
	S_EQ,           /* in E'...' */
	S_EQ_BS,        /* after \ in E'...' */
	S_EQ_END,       /* saw ' in E'...' */
	S_QSTOP,        /* after E'...': a continuation may follow */
	S_DQ,           /* in "..." */
	S_DQ_END,       /* saw " in "...": "" or the end */
	S_DOLQ_TAG,     /* after $ at a token start */
	S_DOLQ,         /* in a dollar-quoted body */
	S_DOLQ_CLOSE,   /* matching the closing $tag$ */
	S_DASH,         /* saw -: operator or -- comment */
	S_LINE_COMMENT, /* in -- ... */
	S_SLASH,        /* saw /: operator or comment */
	S_BLOCK,        /* in a block comment */
	S_BLOCK_STAR,   /* saw * in a block comment */
	S_BLOCK_SLASH,  /* saw / in a block comment */
	S_COLON,        /* saw : */
	S_VAR,          /* in :name */
	S_VAR_SQ,       /* in :'name */
	S_VAR_DQ,       /* in :"name */
	S_VAR_BRACE,    /* saw :{ */
	S_BACKSLASH,    /* saw \ */
};

enum meta_state {
	MT_NAME,  /* in the command name */
	MT_SPACE, /* between arguments */
	MT_ARG,   /* in an unquoted argument */
	MT_SQ,    /* in '...' */
	MT_SQ_BS, /* after \ in '...' */
	MT_DQ,    /* in "..." */
	MT_BT,    /* in `...` */
	MT_WHOLE, /* taking the rest of the line */
	MT_BS,    /* saw an unquoted \ */
};

/* C_BS, C_DOT, C_DOTCR must stay in this order (see scan_copy). C_LEAD:
 * after blanks at a line start; C_HEAD: in the line's first word. */
enum copy_state { C_BOL, C_BS, C_DOT, C_DOTCR, C_MID, C_LEAD, C_HEAD };

#define HEAD_MAX 16 /* longest first word of a COPY data line looked at */

/* COPY data as psql would lex it as SQL if the COPY failed (see
 * scan_data_sql): D_DASH, D_SLASH, D_DOLLAR and D_EQ_END look at the next
 * character; D_BSNAME is in a meta-command name, D_ARGS in the arguments of
 * \t, \f or \r, D_SKIP in the rest of a line psql throws away. */
enum data_sql {
	D_N,
	D_SQ,
	D_DQ,
	D_EQ,
	D_EQ_BS,
	D_EQ_END,
	D_LC,
	D_BC,
	D_BC_STAR,
	D_BC_SLASH,
	D_DASH,
	D_SLASH,
	D_DOLLAR,
	D_BSNAME,
	D_ARGS,
	D_SKIP,
};

/* Tokens as the statement-level rules see them. */
enum tok { TK_WORD, TK_JUNK, TK_NUM, TK_STR, TK_QID, TK_LP, TK_RP, TK_DOT, TK_SEMI, TK_VAR, TK_OP };

/* Recognising COPY [BINARY] name [(cols)] FROM STDIN, token by token. */
enum copy_detect { CP_NONE, CP_START, CP_NAME, CP_NAMEDOT, CP_COLS, CP_AFTERCOLS, CP_FROM };

/* Keyword flags. */
enum {
	F_FIRST = 1,      /* known as a statement's first word (no KW_OTHER) */
	F_FIRST_ONLY = 2, /* the class counts only as the first word (DO) */
	F_NOCALL = 4,     /* "word (" is not a function call */
};

struct kw {
	const char *w;
	unsigned short kw;
	unsigned char fl;
};

/* The words the rules know. F_NOCALL: SQL syntax that takes parentheses, and
 * built-in functions and type names that cannot change anything. */
static const struct kw kwtab[] = {
    {"delete", KW_DELETE, F_FIRST},
    {"update", KW_UPDATE, F_FIRST},
    {"merge", KW_MERGE, F_FIRST},
    {"truncate", KW_TRUNCATE, F_FIRST},
    {"drop", KW_DROP, F_FIRST},
    {"alter", KW_ALTER, F_FIRST},
    {"vacuum", KW_VACUUM, F_FIRST},
    {"set", KW_SET, F_FIRST | F_NOCALL},
    {"reset", KW_SET, F_FIRST},
    {"begin", KW_BEGIN, F_FIRST},
    {"start", KW_BEGIN, F_FIRST},
    {"grant", KW_GRANT, F_FIRST},
    {"revoke", KW_GRANT, F_FIRST},
    {"copy", KW_COPY, F_FIRST | F_NOCALL},
    {"do", KW_DO, F_FIRST | F_FIRST_ONLY},
    {"execute", KW_EXECUTE, F_FIRST},
    {"call", KW_EXECUTE, F_FIRST},
    {"prepare", KW_EXECUTE, F_FIRST},
    {"create", KW_CREATE, F_FIRST},
    {"select", 0, F_FIRST | F_NOCALL},
    {"insert", 0, F_FIRST},
    {"with", 0, F_FIRST | F_NOCALL},
    {"values", 0, F_FIRST | F_NOCALL},
    {"table", 0, F_FIRST},
    {"show", 0, F_FIRST},
    {"explain", 0, F_FIRST},
    {"comment", 0, F_FIRST},
    {"stdin", 0, F_NOCALL},
    {"in", 0, F_NOCALL},
    {"exists", 0, F_NOCALL},
    {"any", 0, F_NOCALL},
    {"all", 0, F_NOCALL},
    {"some", 0, F_NOCALL},
    {"as", 0, F_NOCALL},
    {"on", 0, F_NOCALL},
    {"using", 0, F_NOCALL},
    {"conflict", 0, F_NOCALL},
    {"key", 0, F_NOCALL},
    {"unique", 0, F_NOCALL},
    {"check", 0, F_NOCALL},
    {"filter", 0, F_NOCALL},
    {"over", 0, F_NOCALL},
    {"within", 0, F_NOCALL},
    {"group", 0, F_NOCALL},
    {"by", 0, F_NOCALL},
    {"and", 0, F_NOCALL},
    {"or", 0, F_NOCALL},
    {"not", 0, F_NOCALL},
    {"where", 0, F_NOCALL},
    {"from", 0, F_NOCALL},
    {"join", 0, F_NOCALL},
    {"lateral", 0, F_NOCALL},
    {"returning", 0, F_NOCALL},
    {"distinct", 0, F_NOCALL},
    {"row", 0, F_NOCALL},
    {"array", 0, F_NOCALL},
    {"cast", 0, F_NOCALL},
    {"case", 0, F_NOCALL},
    {"when", 0, F_NOCALL},
    {"then", 0, F_NOCALL},
    {"else", 0, F_NOCALL},
    {"is", 0, F_NOCALL},
    {"like", 0, F_NOCALL},
    {"ilike", 0, F_NOCALL},
    {"between", 0, F_NOCALL},
    {"partition", 0, F_NOCALL},
    {"order", 0, F_NOCALL},
    {"union", 0, F_NOCALL},
    {"intersect", 0, F_NOCALL},
    {"except", 0, F_NOCALL},
    {"having", 0, F_NOCALL},
    {"limit", 0, F_NOCALL},
    {"offset", 0, F_NOCALL},
    {"nullif", 0, F_NOCALL},
    {"coalesce", 0, F_NOCALL},
    {"greatest", 0, F_NOCALL},
    {"least", 0, F_NOCALL},
    {"count", 0, F_NOCALL},
    {"sum", 0, F_NOCALL},
    {"min", 0, F_NOCALL},
    {"max", 0, F_NOCALL},
    {"avg", 0, F_NOCALL},
    {"now", 0, F_NOCALL},
    {"lower", 0, F_NOCALL},
    {"upper", 0, F_NOCALL},
    {"length", 0, F_NOCALL},
    {"abs", 0, F_NOCALL},
    {"round", 0, F_NOCALL},
    {"extract", 0, F_NOCALL},
    {"substring", 0, F_NOCALL},
    {"position", 0, F_NOCALL},
    {"trim", 0, F_NOCALL},
    {"overlay", 0, F_NOCALL},
    {"numeric", 0, F_NOCALL},
    {"decimal", 0, F_NOCALL},
    {"varchar", 0, F_NOCALL},
    {"char", 0, F_NOCALL},
    {"character", 0, F_NOCALL},
    {"varying", 0, F_NOCALL},
    {"timestamp", 0, F_NOCALL},
    {"timestamptz", 0, F_NOCALL},
    {"time", 0, F_NOCALL},
    {"timetz", 0, F_NOCALL},
    {"interval", 0, F_NOCALL},
    {"bit", 0, F_NOCALL},
    {"float", 0, F_NOCALL},
};

struct psql_lexer {
	psql_lex_callbacks cb;
	void *ctx;
	size_t max_stmt;
	enum mode mode;
	enum sql_state st;
	const char *err; /* sticky: the input cannot be trusted */
	bool nul;        /* a NUL byte was fed (found per chunk, so kept apart) */

	/* Line counting is lazy: newlines in [cnt, p) are not counted yet. */
	long line;
	const char *cnt;

	/* The statement being collected. Its text is the input from its first
	 * token, less meta-commands and the backslash of \; and \:; the part of
	 * the current chunk from seg on is not copied yet. */
	bool in_stmt;
	bool tentative;     /* started by - or / that may open a comment */
	const char *seg;    /* NULL while the input is not statement text */
	bool seg_on;        /* the text goes on in the next chunk */
	size_t full;        /* text bytes before seg */
	size_t content_end; /* text offset after the last token (trims blanks) */
	char *text;
	size_t tlen, tcap;
	long stmt_line;
	unsigned kw;
	bool vars;
	bool copy_in; /* a COPY ... FROM STDIN is in it */
	bool cond;    /* \if, \elif, \else or \endif came inside it */

	/* The operator being read: psql splits it into one token per
	 * character; adjacent ones form the server's operator. */
	char op[4];
	size_t oplen;  /* its full length */
	size_t op_end; /* text offset after its last character */

	/* psql's own statement-level state. */
	int paren;
	int begin_depth;
	unsigned char ids[4]; /* first identifiers: c(reate) o(r) r(eplace) f p */
	unsigned idcount;

	/* Per sub-statement (restarts after a ; inside the query string). */
	bool sub_first;
	enum copy_detect cp;
	int cp_depth;
	int into;       /* 1: after INTO, 2: after INTO name */
	int cols_depth; /* paren depth of INSERT's column list, or 0 */
	bool callable;  /* the last token could name a function */
	bool prev_dot;

	/* The token in progress. */
	char word[WORD_MAX];
	size_t wlen;   /* full length of the word */
	bool junk_e;   /* the junk so far is one e/E right after digits */
	bool e_prefix; /* the word is one e/E at a token start */
	char tag[TAG_MAX];
	size_t taglen, tagpos;
	size_t comment_depth;
	bool qs_nl, qs_lf, qs_dash, qs_comment;
	size_t varlen;
	bool after_sep; /* SQL resumed after \\ on this line */

	/* The meta-command in progress. */
	enum meta_state ms;
	char name[NAME_MAX_ + 1];
	size_t nlen;
	char *args;
	size_t alen;
	long meta_line;
	bool whole_line, filepipe;

	/* COPY data. */
	unsigned copy_pending;
	enum copy_state cs;
	size_t copy_bytes;
	long copy_line;
	bool copy_flagged;       /* copy_sql was reported for this COPY */
	char head[HEAD_MAX + 1]; /* the data line's first word, lower case */
	size_t hlen;
	enum data_sql ds; /* the data read as SQL */
	size_t ds_depth;  /* nesting of its block comment */
	char bs[8];       /* the meta-command name in it */
	size_t bslen;
	const char *buf0; /* the chunk being fed, and the two bytes before it */
	char tail[2];

	bool single_line; /* psql's -S / SINGLELINE */
	bool no_copy;     /* -c text: COPY data does not come from this input */

	/* The previous statement, for \g with an empty query buffer. */
	char *ptext;
	size_t ptlen, ptcap, pfull;
	unsigned pkw;
	bool pvars, pcopy, pcond;
	long pline;

	unsigned short kwhash[KW_HASH]; /* index + 1 into kwtab, 0 = empty */
};

/* ---- characters ---------------------------------------------------------- */

static inline bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static inline bool is_idstart(unsigned char c)
{
	return (unsigned)((c | 0x20) - 'a') < 26 || c == '_' || c >= 0x80;
}

static inline bool is_digit(unsigned char c)
{
	return (unsigned)(c - '0') < 10;
}

/* psql's variable_char: letters, digits, _ and high bytes (no $). */
static inline bool is_varchar(unsigned char c)
{
	return is_idstart(c) || is_digit(c);
}

static inline bool is_idcont(unsigned char c)
{
	return is_varchar(c) || c == '$';
}

static inline char lower(unsigned char c)
{
	return (char)((unsigned)(c - 'A') < 26 ? c | 0x20 : c);
}

/* ---- keywords ------------------------------------------------------------ */

static unsigned kw_hash(const char *w, size_t n)
{
	unsigned h = (unsigned)n * 31u;

	for (size_t i = 0; i < n; i++)
		h = h * 33u + (unsigned char)w[i];
	return h & (KW_HASH - 1);
}

static void kw_init(psql_lexer *lx)
{
	for (size_t i = 0; i < sizeof(kwtab) / sizeof(kwtab[0]); i++) {
		unsigned h = kw_hash(kwtab[i].w, strlen(kwtab[i].w));

		while (lx->kwhash[h])
			h = (h + 1) & (KW_HASH - 1);
		lx->kwhash[h] = (unsigned short)(i + 1);
	}
}

static const struct kw *kw_find(const psql_lexer *lx, const char *w, size_t n)
{
	if (n < 2 || n > 11)
		return NULL;
	for (unsigned h = kw_hash(w, n); lx->kwhash[h]; h = (h + 1) & (KW_HASH - 1)) {
		const struct kw *k = &kwtab[lx->kwhash[h] - 1];

		if (strncmp(k->w, w, n) == 0 && k->w[n] == '\0')
			return k;
	}
	return NULL;
}

static bool word_is(const psql_lexer *lx, const char *w)
{
	size_t n = strlen(w);

	return lx->wlen == n && memcmp(lx->word, w, n) == 0;
}

/* ---- lines and text ------------------------------------------------------ */

static long line_at(psql_lexer *lx, const char *p)
{
	const char *q = lx->cnt;

	while (q < p && (q = memchr(q, '\n', (size_t)(p - q))) != NULL) {
		lx->line++;
		q++;
	}
	lx->cnt = p;
	return lx->line;
}

static void set_error(psql_lexer *lx, const char *why)
{
	if (!lx->err)
		lx->err = why;
}

/* Keeps up to max_stmt bytes of statement text; the rest is only counted. */
static void keep(psql_lexer *lx, const char *s, size_t n)
{
	size_t room = lx->max_stmt - lx->tlen;

	lx->full += n;
	if (n > room)
		n = room;
	if (!n)
		return;
	if (lx->tlen + n + 1 > lx->tcap) {
		size_t cap = lx->tcap ? lx->tcap : 256;

		while (cap < lx->tlen + n + 1)
			cap *= 2;
		if (cap > lx->max_stmt + 1)
			cap = lx->max_stmt + 1;
		lx->text = xrealloc(lx->text, cap);
		lx->tcap = cap;
	}
	memcpy(lx->text + lx->tlen, s, n);
	lx->tlen += n;
}

static void flush(psql_lexer *lx, const char *p)
{
	if (lx->seg) {
		keep(lx, lx->seg, (size_t)(p - lx->seg));
		lx->seg = p;
	}
}

/* Offset in the statement text of input position p. */
static size_t text_off(const psql_lexer *lx, const char *p)
{
	return lx->full + (lx->seg ? (size_t)(p - lx->seg) : 0);
}

static void sub_reset(psql_lexer *lx)
{
	lx->sub_first = true;
	lx->cp = CP_NONE;
	lx->into = 0;
	lx->cols_depth = 0;
	lx->callable = false;
	lx->prev_dot = false;
}

static void stmt_reset(psql_lexer *lx)
{
	lx->in_stmt = false;
	lx->tentative = false;
	lx->seg = NULL;
	lx->seg_on = false;
	lx->full = 0;
	lx->content_end = 0;
	lx->tlen = 0;
	lx->kw = 0;
	lx->vars = false;
	lx->copy_in = false;
	lx->cond = false;
	lx->oplen = 0;
	lx->paren = 0;
	lx->begin_depth = 0;
	memset(lx->ids, 0, sizeof(lx->ids));
	lx->idcount = 0;
	sub_reset(lx);
}

/* A token starts at p: the statement starts with it if none is open. */
static void tok_start(psql_lexer *lx, const char *p)
{
	if (lx->in_stmt)
		return;
	lx->in_stmt = true;
	lx->seg = p;
	lx->seg_on = true;
	lx->stmt_line = line_at(lx, p);
}

static void tok_end(psql_lexer *lx, const char *p)
{
	lx->tentative = false;
	lx->content_end = text_off(lx, p);
}

/* A - or / that opened a comment was not the statement's start after all. */
static void cancel_tentative(psql_lexer *lx)
{
	if (lx->tentative)
		stmt_reset(lx);
}

/* ---- statements ---------------------------------------------------------- */

static void report(psql_lexer *lx, const char *text, size_t kept, size_t full, unsigned kw,
                   bool vars, bool cond, long line, const char *term)
{
	psql_stmt s;
	size_t len = kept < full ? kept : full;

	if (!lx->cb.statement)
		return;
	s.text = text ? text : "";
	s.len = len;
	s.full_len = full;
	s.truncated = full > len;
	s.keywords = kw;
	s.has_variables = vars;
	s.conditional = cond;
	s.interesting = kw != 0 || vars || cond;
	s.terminator = term;
	s.line = line;
	lx->cb.statement(lx->ctx, &s);
}

static void op_done(psql_lexer *lx);

/* Sends the collected statement, as psql does at a terminator (the caller
 * has flushed the text). It becomes the previous statement. */
static void emit_stmt(psql_lexer *lx, const char *term, bool sends)
{
	size_t full = lx->content_end;
	size_t len = lx->tlen < full ? lx->tlen : full;

	op_done(lx);
	if (full) {
		if (lx->text)
			lx->text[len] = '\0';
		report(lx, lx->text, len, full, lx->kw, lx->vars, lx->cond, lx->stmt_line, term);
	}
	/* Swap the buffers: the statement is now the previous one. */
	char *t = lx->ptext;
	size_t c = lx->ptcap;
	lx->ptext = lx->text;
	lx->ptcap = lx->tcap;
	lx->ptlen = len;
	lx->pfull = full;
	lx->pkw = lx->kw;
	lx->pvars = lx->vars;
	lx->pcopy = lx->copy_in;
	lx->pcond = lx->cond;
	lx->pline = lx->stmt_line;
	lx->text = t;
	lx->tcap = c;
	if (lx->copy_in && sends && !lx->no_copy)
		lx->copy_pending++;
	stmt_reset(lx);
}

/* \g and friends with nothing collected run the previous query again. */
static void repeat_prev(psql_lexer *lx, const char *term, bool sends)
{
	if (!lx->pfull)
		return;
	report(lx, lx->ptext, lx->ptlen, lx->pfull, lx->pkw, lx->pvars, lx->pcond, lx->pline, term);
	if (lx->pcopy && sends && !lx->no_copy)
		lx->copy_pending++;
}

/* ---- statement-level rules ----------------------------------------------- */

/* psql's BEGIN ATOMIC heuristic, reproduced: when the statement's first
 * identifiers are CREATE [OR REPLACE] FUNCTION|PROCEDURE, BEGIN at paren
 * depth 0 opens a block (and CASE inside one), END closes one, and a
 * semicolon inside a block does not end the statement. Any statement
 * starting that way counts, even CREATE FUNCTION begin() ... (psql then
 * swallows the next statement too, and so do we). */
static void track_begin(psql_lexer *lx)
{
	unsigned char code = 0;

	if (word_is(lx, "create") || word_is(lx, "function") || word_is(lx, "procedure") ||
	    word_is(lx, "or") || word_is(lx, "replace"))
		code = (unsigned char)lx->word[0];
	if (lx->idcount < 4)
		lx->ids[lx->idcount] = code;
	lx->idcount++;

	const unsigned char *id = lx->ids;
	bool fn =
	    id[0] == 'c' && (id[1] == 'f' || id[1] == 'p' ||
	                     (id[1] == 'o' && id[2] == 'r' && (id[3] == 'f' || id[3] == 'p')));
	if (!fn || lx->paren != 0)
		return;
	if (word_is(lx, "begin"))
		lx->begin_depth++;
	else if (word_is(lx, "case") && lx->begin_depth >= 1)
		lx->begin_depth++;
	else if (word_is(lx, "end") && lx->begin_depth > 0)
		lx->begin_depth--;
}

/* COPY [BINARY] name[.name] [(cols)] FROM STDIN, token by token. The form
 * COPY (query) TO ... never reads data. */
static void copy_detect(psql_lexer *lx, enum tok t)
{
	bool word = t == TK_WORD;

	switch (lx->cp) {
	case CP_START:
		if (word && word_is(lx, "binary"))
			break;
		lx->cp = word || t == TK_QID || t == TK_VAR ? CP_NAME : CP_NONE;
		break;
	case CP_NAME:
		if (t == TK_DOT)
			lx->cp = CP_NAMEDOT;
		else if (t == TK_LP)
			lx->cp = CP_COLS, lx->cp_depth = lx->paren;
		else
			lx->cp = word && word_is(lx, "from") ? CP_FROM : CP_NONE;
		break;
	case CP_NAMEDOT:
		lx->cp = word || t == TK_QID ? CP_NAME : CP_NONE;
		break;
	case CP_COLS:
		if (t == TK_RP && lx->paren == lx->cp_depth + 1) /* before the ) counts */
			lx->cp = CP_AFTERCOLS;
		break;
	case CP_AFTERCOLS:
		lx->cp = word && word_is(lx, "from") ? CP_FROM : CP_NONE;
		break;
	case CP_FROM:
		if (word && word_is(lx, "stdin"))
			lx->copy_in = true;
		lx->cp = CP_NONE;
		break;
	case CP_NONE:
		break;
	}
}

/* A word's keyword class.
 *
 * - Data- and settings-changing keywords count anywhere in the statement
 *   (WITH d AS (DELETE ...), EXPLAIN ANALYZE UPDATE, CREATE RULE ... DO
 *   INSTEAD DELETE), except DO, which counts only as a first word: INSERT ...
 *   ON CONFLICT DO NOTHING (pg_dump --on-conflict-do-nothing) stays cheap,
 *   and DO UPDATE sets KW_UPDATE anyway.
 * - Words inside INSERT INTO t (col, ...) are column names, not keywords.
 * - The first word of each statement in the query string (after \; too)
 *   must be known, else KW_OTHER: LOCK, CLUSTER, REINDEX, COMMIT... get
 *   parsed.
 * - KW_FUNCTION: in every statement, a word or quoted identifier followed
 *   by ( is a call, unless it is SQL syntax or a harmless built-in from
 *   kwtab (F_NOCALL, unqualified only: x.count( counts), or the table of
 *   INSERT INTO t (cols). Only SELECT-like statements would be enough for
 *   SELECT f(), but INSERT INTO t VALUES (f()) runs f too, and a false
 *   positive only costs a parse. */
static void on_word(psql_lexer *lx, enum tok t)
{
	const struct kw *k = kw_find(lx, lx->word, lx->wlen);
	bool in_cols = lx->cols_depth && lx->paren >= lx->cols_depth;

	if (t == TK_WORD)
		track_begin(lx);
	if (lx->sub_first) {
		lx->sub_first = false;
		if (!k || !(k->fl & F_FIRST))
			lx->kw |= KW_OTHER;
		else if (k->kw == KW_DO)
			lx->kw |= KW_DO;
		if (k && k->kw == KW_COPY)
			lx->cp = CP_START;
	} else {
		copy_detect(lx, t);
	}
	if (k && k->kw && !(k->fl & F_FIRST_ONLY) && !in_cols)
		lx->kw |= k->kw;

	if (lx->into == 1)
		lx->into = 2;
	else
		lx->into = word_is(lx, "into") ? 1 : 0;
	lx->callable = !(k && (k->fl & F_NOCALL) && !lx->prev_dot) && lx->into != 1;
	lx->prev_dot = false;
}

/* Every other token. */
static void on_tok(psql_lexer *lx, enum tok t)
{
	if (lx->sub_first && t != TK_LP && t != TK_SEMI) {
		lx->sub_first = false;
		lx->kw |= KW_OTHER;
	} else if (!lx->sub_first) {
		copy_detect(lx, t);
	}
	switch (t) {
	case TK_LP:
		if (lx->into == 2)
			lx->cols_depth = lx->paren + 1;
		else if (lx->callable && lx->cp != CP_COLS)
			lx->kw |= KW_FUNCTION;
		lx->paren++;
		break;
	case TK_RP:
		if (lx->paren > 0)
			lx->paren--;
		if (lx->cols_depth && lx->paren < lx->cols_depth)
			lx->cols_depth = 0;
		break;
	case TK_SEMI:
		sub_reset(lx);
		return;
	default:
		break;
	}
	/* INSERT INTO name[.name]: a name part keeps INTO alive, so that the
	 * ( after it opens the column list, not a call. */
	if (t == TK_QID)
		lx->into = lx->into == 1 ? 2 : 0;
	else if (t == TK_DOT)
		lx->into = lx->into == 2 ? 1 : 0;
	else
		lx->into = 0;
	lx->callable = t == TK_QID;
	lx->prev_dot = t == TK_DOT;
}

/* ---- operators ----------------------------------------------------------- */

/* The server's operator characters. */
static bool is_opchar(unsigned char c)
{
	return c && strchr("+-*/<>=~!@#%^&|`?", c) != NULL;
}

/* Built-in operators common enough that a statement using only them need
 * not be parsed (LIKE is ~~). Any other, such as ===, may be a user's and
 * call any function: the statement is parsed, and sqlfacts.c decides. */
static bool op_common(const char *op, size_t n)
{
	static const char *const common[] = {
	    "=", "<>", "!=", "<",  ">",  "<=",  ">=",  "+",    "-",
	    "*", "/",  "%",  "||", "~~", "!~~", "~~*", "!~~*", NULL};

	for (const char *const *c = common; *c; c++)
		if (strlen(*c) == n && memcmp(*c, op, n) == 0)
			return true;
	return false;
}

/* The operator being read is complete. */
static void op_done(psql_lexer *lx)
{
	if (lx->oplen && (lx->oplen > sizeof lx->op || !op_common(lx->op, lx->oplen)))
		lx->kw |= KW_OPERATOR;
	lx->oplen = 0;
}

/* An operator character at text offset off: it continues the operator
 * being read when nothing (not even a blank) separates them. */
static void op_char(psql_lexer *lx, char c, size_t off)
{
	if (lx->oplen && lx->op_end != off)
		op_done(lx);
	if (lx->oplen < sizeof lx->op)
		lx->op[lx->oplen] = c;
	lx->oplen++;
	lx->op_end = off + 1;
}

/* ---- SQL ----------------------------------------------------------------- */

static void rec_on(psql_lexer *lx, const char *p)
{
	lx->seg = p;
	lx->seg_on = true;
}

static void rec_off(psql_lexer *lx, const char *p)
{
	flush(lx, p);
	lx->seg = NULL;
	lx->seg_on = false;
}

static void word_add(psql_lexer *lx, unsigned char c)
{
	if (lx->wlen < WORD_MAX)
		lx->word[lx->wlen] = lower(c);
	lx->wlen++;
}

static void word_done(psql_lexer *lx, const char *p, enum tok t)
{
	tok_end(lx, p);
	on_word(lx, t);
	lx->st = S_NORMAL;
}

static void tok_done(psql_lexer *lx, const char *p, enum tok t)
{
	on_tok(lx, t);
	tok_end(lx, p);
	lx->st = S_NORMAL;
}

/* A one-character token at p. */
static void single(psql_lexer *lx, const char *p, enum tok t)
{
	tok_start(lx, p);
	tok_done(lx, p + 1, t);
}

/* - or / may start a comment; if a statement starts here, it is tentative. */
static void maybe_comment(psql_lexer *lx, const char *p, enum sql_state st)
{
	if (!lx->in_stmt) {
		tok_start(lx, p);
		lx->tentative = true;
	}
	lx->st = st;
}

static void meta_begin(psql_lexer *lx);

/* A semicolon outside quotes: psql's terminator at depth 0 outside BEGIN
 * ATOMIC blocks; else part of the query. */
static void semicolon(psql_lexer *lx, const char *p)
{
	if (lx->paren == 0 && lx->begin_depth == 0) {
		rec_off(lx, p);
		emit_stmt(lx, ";", true);
		return;
	}
	single(lx, p, TK_SEMI);
}

/* S_NORMAL: one character at a token start. Returns the next position. */
static const char *scan_normal(psql_lexer *lx, const char *p, const char *lim)
{
	while (p < lim && is_space((unsigned char)*p))
		p++;
	if (p == lim)
		return p;

	unsigned char c = (unsigned char)*p;
	if (is_idstart(c)) {
		tok_start(lx, p);
		lx->wlen = 0;
		word_add(lx, c);
		lx->e_prefix = (c | 0x20) == 'e';
		lx->st = S_WORD;
		return p + 1;
	}
	if (is_digit(c)) {
		tok_start(lx, p);
		lx->st = S_NUM;
		return p + 1;
	}
	switch (c) {
	case '\'':
		tok_start(lx, p);
		lx->st = S_SQ;
		break;
	case '"':
		tok_start(lx, p);
		lx->st = S_DQ;
		break;
	case '$':
		tok_start(lx, p);
		lx->taglen = 0;
		lx->st = S_DOLQ_TAG;
		break;
	case '-':
		maybe_comment(lx, p, S_DASH);
		break;
	case '/':
		maybe_comment(lx, p, S_SLASH);
		break;
	case ':':
		tok_start(lx, p);
		lx->st = S_COLON;
		break;
	case '\\':
		/* Not statement text: the backslash of \; and \:, or a
		 * meta-command. */
		if (lx->in_stmt)
			rec_off(lx, p);
		lx->meta_line = line_at(lx, p);
		lx->st = S_BACKSLASH;
		break;
	case ';':
		semicolon(lx, p);
		break;
	case '(':
		single(lx, p, TK_LP);
		break;
	case ')':
		single(lx, p, TK_RP);
		break;
	case '.':
		single(lx, p, TK_DOT);
		break;
	default:
		single(lx, p, TK_OP);
		if (is_opchar(c))
			op_char(lx, (char)c, text_off(lx, p));
		break;
	}
	return p + 1;
}

static const char *scan_word(psql_lexer *lx, const char *p, const char *lim)
{
	while (p < lim && is_idcont((unsigned char)*p))
		word_add(lx, (unsigned char)*p++);
	if (p == lim)
		return p;
	if (*p == '\'' && lx->e_prefix && lx->wlen == 1) {
		lx->st = S_EQ; /* E'...': the E is part of the string */
		return p + 1;
	}
	word_done(lx, p, TK_WORD);
	return p;
}

static const char *scan_num(psql_lexer *lx, const char *p, const char *lim)
{
	while (p < lim && (is_digit((unsigned char)*p) || *p == '.'))
		p++;
	if (p == lim)
		return p;
	if (is_idstart((unsigned char)*p)) {
		/* 1abc is one junk token for psql >= 15.x (the server refuses it);
		 * older psql read 1, then abc. The letters are checked as a word. */
		lx->wlen = 0;
		lx->junk_e = (*p | 0x20) == 'e';
		word_add(lx, (unsigned char)*p);
		lx->st = S_JUNK;
		return p + 1;
	}
	tok_done(lx, p, TK_NUM);
	return p;
}

static const char *scan_junk(psql_lexer *lx, const char *p, const char *lim)
{
	while (p < lim && is_idcont((unsigned char)*p)) {
		word_add(lx, (unsigned char)*p++);
		lx->junk_e = false;
	}
	if (p == lim)
		return p;
	/* 1E'...': a plain string after junk now, an E string in older psql. */
	if (*p == '\'' && lx->junk_e)
		lx->kw |= KW_OTHER;
	word_done(lx, p, TK_JUNK);
	return p;
}

/* After a closing E quote: psql continues the E string at a quote after
 * whitespace that holds a newline, but it lexes line by line, so only a \r
 * within the line counts; the server continues across \n too. */
static const char *scan_qstop(psql_lexer *lx, const char *p)
{
	unsigned char c = (unsigned char)*p;

	if (lx->qs_comment) {
		if (c == '\n' || c == '\r') {
			lx->qs_comment = false;
			lx->qs_nl = true;
			lx->qs_lf |= c == '\n';
		}
		return p + 1;
	}
	if (lx->qs_dash) {
		lx->qs_dash = false;
		if (c == '-') {
			lx->qs_comment = true;
			return p + 1;
		}
		op_char(lx, '-', text_off(lx, p) - 1);
		tok_done(lx, p, TK_OP); /* the - was an operator */
		return p;
	}
	if (c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\n' || c == '\r') {
		lx->qs_nl |= c == '\n' || c == '\r';
		lx->qs_lf |= c == '\n';
		return p + 1;
	}
	if (c == '-') {
		lx->qs_dash = true;
		return p + 1;
	}
	if (c == '\'' && lx->qs_nl) {
		if (!lx->qs_lf) {
			lx->st = S_EQ;
			return p + 1;
		}
		lx->kw |= KW_OTHER; /* psql and the server disagree */
	}
	lx->st = S_NORMAL;
	return p;
}

/* Not a dollar quote after all: the $ is an operator, and what looked like a
 * tag is a word (it may even be the E of an E'' string); p follows it. */
static void dolq_fail(psql_lexer *lx, const char *p)
{
	on_tok(lx, TK_OP);
	if (lx->taglen == 0) {
		tok_end(lx, p);
		lx->st = S_NORMAL;
		return;
	}
	size_t n = lx->taglen < TAG_MAX ? lx->taglen : TAG_MAX;
	lx->wlen = 0;
	for (size_t i = 0; i < n; i++)
		word_add(lx, (unsigned char)lx->tag[i]);
	lx->wlen = lx->taglen;
	lx->e_prefix = lx->taglen == 1 && (lx->tag[0] | 0x20) == 'e';
	lx->st = S_WORD;
}

static const char *scan_dolq_tag(psql_lexer *lx, const char *p)
{
	unsigned char c = (unsigned char)*p;

	if (c == '$') {
		lx->st = S_DOLQ;
		return p + 1;
	}
	if (lx->taglen == 0 && is_digit(c)) {
		lx->st = S_NUM; /* $1 */
		return p + 1;
	}
	if (is_idstart(c) || (lx->taglen > 0 && is_digit(c))) {
		if (lx->taglen < TAG_MAX)
			lx->tag[lx->taglen] = (char)c;
		else
			set_error(lx, "dollar-quote tag too long");
		lx->taglen++;
		return p + 1;
	}
	dolq_fail(lx, p);
	return p;
}

static const char *scan_dolq_close(psql_lexer *lx, const char *p)
{
	size_t n = lx->taglen < TAG_MAX ? lx->taglen : TAG_MAX;
	char c = *p;

	if (lx->tagpos < n) {
		if (c == lx->tag[lx->tagpos])
			lx->tagpos++;
		else if (c == '$')
			lx->tagpos = 0; /* this $ may open the closing tag */
		else
			lx->st = S_DOLQ;
		return p + 1;
	}
	if (c == '$') {
		tok_done(lx, p + 1, TK_STR);
		return p + 1;
	}
	lx->st = S_DOLQ;
	return p + 1;
}

static const char *scan_block(psql_lexer *lx, const char *p, const char *lim)
{
	char c = *p;

	switch (lx->st) {
	case S_BLOCK:
		while (p < lim && *p != '*' && *p != '/')
			p++;
		if (p < lim)
			lx->st = *p++ == '*' ? S_BLOCK_STAR : S_BLOCK_SLASH;
		return p;
	case S_BLOCK_STAR:
		if (c == '/')
			lx->st = --lx->comment_depth ? S_BLOCK : S_NORMAL;
		else if (c != '*')
			lx->st = S_BLOCK;
		return p + 1;
	default: /* S_BLOCK_SLASH */
		if (c == '*') {
			lx->comment_depth++;
			lx->st = S_BLOCK;
		} else if (c != '/') {
			lx->st = S_BLOCK;
		}
		return p + 1;
	}
}

/* :name, :'name', :"name", :{?name}; :: is a cast. */
static const char *scan_colon(psql_lexer *lx, const char *p)
{
	unsigned char c = (unsigned char)*p;

	lx->varlen = 0;
	if (c == ':') {
		tok_done(lx, p + 1, TK_OP);
		return p + 1;
	}
	if (is_varchar(c)) {
		lx->vars = true;
		on_tok(lx, TK_VAR);
		lx->st = S_VAR;
		return p + 1;
	}
	if (c == '\'' || c == '"' || c == '{') {
		lx->st = c == '\'' ? S_VAR_SQ : c == '"' ? S_VAR_DQ : S_VAR_BRACE;
		return p + 1;
	}
	tok_done(lx, p, TK_OP);
	return p;
}

/* In :'name or :"name: a complete one is a variable; else the colon was an
 * operator and the quote opened a string or identifier. */
static const char *scan_var_quoted(psql_lexer *lx, const char *p)
{
	unsigned char c = (unsigned char)*p;
	char q = lx->st == S_VAR_SQ ? '\'' : '"';

	if (is_varchar(c)) {
		lx->varlen++;
		return p + 1;
	}
	if (c == q && lx->varlen) {
		lx->vars = true;
		tok_done(lx, p + 1, TK_VAR);
		return p + 1;
	}
	on_tok(lx, TK_OP);
	if (c == q) {
		lx->st = q == '\'' ? S_SQ_END : S_DQ_END;
		return p + 1;
	}
	lx->st = q == '\'' ? S_SQ : S_DQ;
	return p;
}

static const char *scan_backslash(psql_lexer *lx, const char *p)
{
	char c = *p;

	if (c == ';' || c == ':') {
		/* \; and \: put the bare character into the query. */
		if (lx->in_stmt)
			rec_on(lx, p);
		single(lx, p, c == ';' ? TK_SEMI : TK_OP);
		return p + 1;
	}
	lx->st = S_NORMAL;
	meta_begin(lx);
	return p;
}

/* States in which a newline is inside a quote or comment. */
static bool st_open(enum sql_state st)
{
	switch (st) {
	case S_SQ:
	case S_EQ:
	case S_EQ_BS:
	case S_DQ:
	case S_DOLQ:
	case S_DOLQ_CLOSE:
	case S_BLOCK:
	case S_BLOCK_STAR:
	case S_BLOCK_SLASH:
		return true;
	default:
		return false;
	}
}

/* The newline ending the line at p - 1 was consumed. */
static void line_end(psql_lexer *lx, const char *p)
{
	if (lx->after_sep && st_open(lx->st))
		set_error(lx, "SQL after a \\\\ separator leaves a quote or comment open");
	lx->after_sep = false;
	/* psql's PSCAN_EOL: in single-line mode the line's end sends the query
	 * unless a quote, comment, parenthesis or BEGIN ATOMIC block is open. */
	if (lx->single_line && lx->in_stmt && !st_open(lx->st) && lx->paren == 0 &&
	    lx->begin_depth == 0) {
		lx->st = S_NORMAL; /* after E'...': the continuation is on this line only */
		rec_off(lx, p);
		emit_stmt(lx, "\n", true);
	}
	if (!lx->copy_pending)
		return;
	if (lx->in_stmt)
		rec_off(lx, p);
	lx->mode = M_COPY;
	lx->cs = C_BOL;
	lx->ds = D_N;
	lx->copy_bytes = 0;
	lx->copy_line = line_at(lx, p);
}

static const char *scan_sql(psql_lexer *lx, const char *p, const char *end)
{
	const char *lim = end;
	bool by_line = lx->copy_pending || lx->after_sep || lx->single_line;

	if (by_line) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (nl)
			lim = nl + 1;
		else
			by_line = false;
	}
	while (p < lim && lx->mode == M_SQL) {
		const char *q;
		unsigned pending = lx->copy_pending;

		switch (lx->st) {
		case S_NORMAL:
			p = scan_normal(lx, p, lim);
			if (lx->copy_pending != pending)
				return p; /* a COPY FROM STDIN was sent: data from next line */
			break;
		case S_WORD:
			p = scan_word(lx, p, lim);
			break;
		case S_NUM:
			p = scan_num(lx, p, lim);
			break;
		case S_JUNK:
			p = scan_junk(lx, p, lim);
			break;
		case S_SQ:
		case S_DQ:
			q = memchr(p, lx->st == S_SQ ? '\'' : '"', (size_t)(lim - p));
			if (!q) {
				p = lim;
				break;
			}
			lx->st = lx->st == S_SQ ? S_SQ_END : S_DQ_END;
			p = q + 1;
			break;
		case S_SQ_END:
		case S_DQ_END:
			if (*p == (lx->st == S_SQ_END ? '\'' : '"')) {
				lx->st = lx->st == S_SQ_END ? S_SQ : S_DQ; /* doubled */
				p++;
			} else {
				tok_done(lx, p, lx->st == S_SQ_END ? TK_STR : TK_QID);
			}
			break;
		case S_EQ:
			while (p < lim && *p != '\\' && *p != '\'')
				p++;
			if (p < lim)
				lx->st = *p++ == '\\' ? S_EQ_BS : S_EQ_END;
			break;
		case S_EQ_BS:
			lx->st = S_EQ;
			p++;
			break;
		case S_EQ_END:
			if (*p == '\'') {
				lx->st = S_EQ;
				p++;
				break;
			}
			tok_done(lx, p, TK_STR);
			lx->st = S_QSTOP;
			lx->qs_nl = lx->qs_lf = lx->qs_dash = lx->qs_comment = false;
			break;
		case S_QSTOP:
			p = scan_qstop(lx, p);
			break;
		case S_DOLQ_TAG:
			p = scan_dolq_tag(lx, p);
			break;
		case S_DOLQ:
			q = memchr(p, '$', (size_t)(lim - p));
			if (!q) {
				p = lim;
				break;
			}
			lx->tagpos = 0;
			lx->st = S_DOLQ_CLOSE;
			p = q + 1;
			break;
		case S_DOLQ_CLOSE:
			p = scan_dolq_close(lx, p);
			break;
		case S_DASH:
		case S_SLASH:
			if (*p == (lx->st == S_DASH ? '-' : '*')) {
				cancel_tentative(lx);
				lx->comment_depth = 1;
				lx->st = lx->st == S_DASH ? S_LINE_COMMENT : S_BLOCK;
				p++;
			} else {
				op_char(lx, lx->st == S_DASH ? '-' : '/', text_off(lx, p) - 1);
				tok_done(lx, p, TK_OP);
			}
			break;
		case S_LINE_COMMENT:
			while (p < lim && *p != '\n' && *p != '\r')
				p++;
			if (p < lim)
				lx->st = S_NORMAL;
			break;
		case S_BLOCK:
		case S_BLOCK_STAR:
		case S_BLOCK_SLASH:
			p = scan_block(lx, p, lim);
			break;
		case S_COLON:
			p = scan_colon(lx, p);
			break;
		case S_VAR:
			while (p < lim && is_varchar((unsigned char)*p))
				p++;
			if (p < lim)
				tok_done(lx, p, TK_VAR);
			break;
		case S_VAR_SQ:
		case S_VAR_DQ:
			p = scan_var_quoted(lx, p);
			break;
		case S_VAR_BRACE:
			if (*p == '?') {
				lx->vars = true;
				tok_done(lx, p + 1, TK_VAR);
				p++;
			} else {
				on_tok(lx, TK_OP);
				tok_done(lx, p, TK_OP);
			}
			break;
		case S_BACKSLASH:
			p = scan_backslash(lx, p);
			break;
		}
	}
	if (by_line && p == lim && lx->mode == M_SQL)
		line_end(lx, p);
	return p;
}

/* ---- meta-commands ------------------------------------------------------- */

static bool name_in(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(name, *list) == 0)
			return true;
	return false;
}

/* The \g family: they send the query buffer, so they end the statement. */
static const char *terminator_of(const char *name)
{
	static const char *const terms[] = {"\\g",     "\\gx",    "\\gexec",        "\\gset",
	                                    "\\gdesc", "\\watch", "\\crosstabview", NULL};

	for (const char *const *t = terms; *t; t++)
		if (strcmp(name, *t + 1) == 0)
			return *t;
	return NULL;
}

static void meta_begin(psql_lexer *lx)
{
	lx->mode = M_META;
	lx->ms = MT_NAME;
	lx->nlen = 0;
	lx->alen = 0;
	lx->whole_line = false;
	lx->filepipe = false;
}

/* The name is complete: act on the ones that touch the query buffer. */
static void name_done(psql_lexer *lx)
{
	static const char *const whole[] = {"!",  "copy", "h",  "help", "ef", "ev",
	                                    "sf", "sf+",  "sv", "sv+",  NULL};
	static const char *const pipes[] = {"g", "gx", "o", "out", "w", "write", NULL};
	static const char *const conds[] = {"if", "elif", "else", "endif", NULL};
	const char *term;

	lx->name[lx->nlen < NAME_MAX_ ? lx->nlen : NAME_MAX_] = '\0';
	term = terminator_of(lx->name);
	if (term) {
		bool sends = strcmp(term, "\\gdesc") != 0; /* \gdesc only describes */

		if (lx->in_stmt)
			emit_stmt(lx, term, sends);
		else
			repeat_prev(lx, term, sends);
	} else if (strcmp(lx->name, "r") == 0 || strcmp(lx->name, "reset") == 0) {
		stmt_reset(lx); /* psql discards the query buffer */
	} else if (name_in(lx->name, conds)) {
		/* Which branch runs is known only then: psql keeps the text of an
		 * active branch and drops a skipped one's, and sends again (\g)
		 * the last query of a branch that ran. */
		lx->cond |= lx->in_stmt;
		lx->pcond = true;
	}
	lx->whole_line = name_in(lx->name, whole);
	lx->filepipe = name_in(lx->name, pipes);
}

static void args_add(psql_lexer *lx, const char *s, size_t n)
{
	if (lx->alen + n > ARGS_MAX) {
		set_error(lx, "meta-command too long");
		n = ARGS_MAX - lx->alen;
	}
	memcpy(lx->args + lx->alen, s, n);
	lx->alen += n;
}

static bool ieq(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

/* The next token of \copy's arguments, as psql splits them: a quoted
 * string, one of ( ) . or a run of other non-blank characters. */
static const char *copy_tok(const char *s, const char **tb, size_t *tl)
{
	while (is_space((unsigned char)*s))
		s++;
	*tb = s;
	if (*s == '\'' || *s == '"') {
		char q = *s++;

		while (*s && *s != q)
			s++;
		if (*s)
			s++;
	} else if (*s == '(' || *s == ')' || *s == '.') {
		s++;
	} else {
		while (*s && !is_space((unsigned char)*s) && !strchr("().'\"", *s))
			s++;
	}
	*tl = (size_t)(s - *tb);
	return s;
}

/* Skips a parenthesised group whose ( was just read. */
static const char *copy_skip_group(const char *s)
{
	int depth = 1;
	const char *t;
	size_t n;

	while (depth > 0) {
		s = copy_tok(s, &t, &n);
		if (!n)
			return s;
		depth += ieq(t, n, "(") - ieq(t, n, ")");
	}
	return s;
}

/* \copy [binary] table[.x] [(cols)] from stdin|pstdin reads data lines from
 * the input. pstdin is psql's standard input, which is this input when the
 * script comes on stdin (psql < file); with -f it is not, but treating it as
 * inline data is the reading that hides nothing after a data-less \copy
 * (the caller sees the meta-command and can refuse pstdin). */
static bool copy_reads_stdin(const char *a)
{
	const char *t;
	size_t n;

	a = copy_tok(a, &t, &n);
	if (ieq(t, n, "binary"))
		a = copy_tok(a, &t, &n);
	if (!n || ieq(t, n, "("))
		return false; /* (query) is only for TO */
	a = copy_tok(a, &t, &n);
	while (ieq(t, n, ".")) {
		a = copy_tok(a, &t, &n);
		a = copy_tok(a, &t, &n);
	}
	if (ieq(t, n, "(")) {
		a = copy_skip_group(a);
		a = copy_tok(a, &t, &n);
	}
	if (!ieq(t, n, "from"))
		return false;
	copy_tok(a, &t, &n);
	return ieq(t, n, "stdin") || ieq(t, n, "pstdin");
}

static void meta_finish(psql_lexer *lx)
{
	psql_meta m;

	if (lx->ms == MT_NAME)
		name_done(lx);
	while (lx->alen && is_space((unsigned char)lx->args[lx->alen - 1]))
		lx->alen--;
	lx->args[lx->alen] = '\0';
	m.name = lx->name;
	m.args = lx->args;
	m.line = lx->meta_line;
	if (lx->cb.meta)
		lx->cb.meta(lx->ctx, &m);
	if (strcmp(lx->name, "copy") == 0 && !lx->no_copy && copy_reads_stdin(lx->args))
		lx->copy_pending++;
}

/* Back to SQL at p; the statement being collected, if any, goes on. */
static void meta_end(psql_lexer *lx, const char *p)
{
	lx->mode = M_SQL;
	lx->st = S_NORMAL;
	if (lx->in_stmt)
		rec_on(lx, p);
}

/* An unquoted backslash in the arguments ended the command; c follows it. */
static const char *meta_backslash(psql_lexer *lx, const char *p)
{
	meta_finish(lx);
	if (*p == '\\') {
		meta_end(lx, p + 1); /* \\: SQL resumes */
		lx->after_sep = true;
		return p + 1;
	}
	meta_begin(lx); /* the backslash started another command */
	lx->meta_line = line_at(lx, p);
	return p;
}

static const char *scan_meta_arg(psql_lexer *lx, const char *p, const char *end)
{
	char c = *p;

	switch (lx->ms) {
	case MT_SPACE:
		if (is_space((unsigned char)c)) {
			if (lx->alen)
				args_add(lx, p, 1);
			return p + 1;
		}
		if (c == '|' && lx->filepipe) {
			lx->ms = MT_WHOLE;
			return p;
		}
		/* fall through */
	case MT_ARG:
		lx->ms = c == '\'' ? MT_SQ : c == '"' ? MT_DQ : c == '`' ? MT_BT : MT_ARG;
		if (is_space((unsigned char)c))
			lx->ms = MT_SPACE;
		if (c == '\\') {
			lx->ms = MT_BS;
			return p + 1;
		}
		break;
	case MT_SQ:
		if (c == '\\')
			lx->ms = MT_SQ_BS;
		else if (c == '\'')
			lx->ms = MT_ARG;
		break;
	case MT_SQ_BS:
		lx->ms = MT_SQ;
		break;
	case MT_DQ:
	case MT_BT:
		if (c == (lx->ms == MT_DQ ? '"' : '`'))
			lx->ms = MT_ARG;
		break;
	case MT_WHOLE: {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;

		if (!lx->alen)
			while (p < e && is_space((unsigned char)*p))
				p++;
		args_add(lx, p, (size_t)(e - p));
		return e;
	}
	default:
		break;
	}
	args_add(lx, p, 1);
	return p + 1;
}

static const char *scan_meta(psql_lexer *lx, const char *p, const char *end)
{
	while (p < end && lx->mode == M_META) {
		char c = *p;

		if (c == '\n') {
			/* A meta-command ends with its line; SQL takes the newline. */
			if (lx->ms == MT_BS) {
				meta_finish(lx);
				meta_begin(lx);
			}
			meta_finish(lx);
			meta_end(lx, p);
			return p;
		}
		if (lx->ms == MT_BS) {
			p = meta_backslash(lx, p);
		} else if (lx->ms == MT_NAME) {
			if (is_space((unsigned char)c) || c == '\\') {
				name_done(lx);
				if (lx->whole_line)
					lx->ms = MT_WHOLE;
				else
					lx->ms = c == '\\' ? MT_BS : MT_SPACE;
				if (c == '\\' && lx->whole_line)
					continue;
				p++;
				continue;
			}
			if (lx->nlen < NAME_MAX_)
				lx->name[lx->nlen] = c;
			lx->nlen++;
			p++;
		} else {
			p = scan_meta_arg(lx, p, end);
		}
	}
	return p;
}

/* ---- COPY data ----------------------------------------------------------- */

/* First words that start a statement: a COPY data line starting with one is
 * SQL to psql if the COPY fails at the server (sorted, for bsearch). */
static const char *const sql_starts[] = {
    "abort",   "alter",   "analyse", "analyze", "begin",    "call",      "checkpoint",
    "close",   "cluster", "comment", "commit",  "copy",     "create",    "deallocate",
    "declare", "delete",  "discard", "do",      "drop",     "end",       "execute",
    "explain", "fetch",   "grant",   "import",  "insert",   "listen",    "load",
    "lock",    "merge",   "move",    "notify",  "prepare",  "reassign",  "refresh",
    "reindex", "release", "reset",   "revoke",  "rollback", "savepoint", "security",
    "select",  "set",     "show",    "start",   "table",    "truncate",  "unlisten",
    "update",  "vacuum",  "values",  "with",
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool in_sorted(const char *w, const char *const *list, size_t n)
{
	return bsearch(&w, list, n, sizeof *list, cmp_str) != NULL;
}

/* The first word of a data line is complete (delimited: by a blank, ;
 * or (). A statement keyword starts SQL that psql would send with what
 * follows, even without a ; on this line. */
static void head_done(psql_lexer *lx, bool delimited)
{
	lx->cs = C_MID;
	if (lx->copy_flagged || lx->hlen > HEAD_MAX || !lx->hlen || !delimited)
		return;
	lx->head[lx->hlen] = '\0';
	if (!in_sorted(lx->head, sql_starts, sizeof sql_starts / sizeof *sql_starts))
		return;
	lx->copy_flagged = true;
	if (lx->cb.copy_sql)
		lx->cb.copy_sql(lx->ctx, lx->head, lx->line);
}

static void head_add(psql_lexer *lx, char c)
{
	if (lx->hlen < HEAD_MAX)
		lx->head[lx->hlen] = lower((unsigned char)c);
	lx->hlen++;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static void data_flag(psql_lexer *lx, const char *what);

static void copy_done(psql_lexer *lx)
{
	/* What follows would be read inside the quote or comment. */
	if (lx->ds != D_N && !lx->copy_flagged)
		data_flag(lx, "a quote or comment still open at the \\.");
	lx->ds = D_N;
	if (lx->cb.copy_data)
		lx->cb.copy_data(lx->ctx, lx->copy_bytes, lx->copy_line);
	lx->copy_pending--;
	lx->cs = C_BOL;
	lx->copy_bytes = 0;
	lx->copy_line = lx->line;
	lx->copy_flagged = false;
}

/* A data line's start (C_BOL after blanks, C_LEAD): what psql would see
 * first if it read the line as SQL. Returns the next position. */
static const char *copy_line_start(psql_lexer *lx, const char *p)
{
	char c = *p;

	lx->hlen = 0;
	if (lx->copy_flagged) {
		lx->cs = C_MID;
	} else if (is_blank(c)) {
		lx->cs = C_LEAD;
		lx->copy_bytes++;
		return p + 1;
	} else if (is_idstart((unsigned char)c)) {
		lx->cs = C_HEAD;
	} else {
		lx->cs = C_MID;
	}
	return p;
}

/* In the first word (C_HEAD). */
static const char *copy_head(psql_lexer *lx, const char *p, const char *end)
{
	while (p < end) {
		char c = *p;

		if (!is_idcont((unsigned char)c)) {
			head_done(lx, is_space((unsigned char)c) || c == ';' || c == '(');
			return p;
		}
		head_add(lx, c);
		lx->copy_bytes++;
		p++;
	}
	return p;
}

/* ---- COPY data read as SQL ---------------------------------------------- *
 *
 * If the server refuses the COPY, psql reads the data lines as its own
 * input: SQL and meta-commands. Each byte of the data is therefore also
 * lexed as psql would lex SQL - quotes, E'' strings, comments, across lines
 * - and the COPY is reported (copy_sql) at the first thing that could run
 * something: a ';' outside quotes (it sends the query), a meta-command psql
 * knows (a name psql does not know is refused and the rest of its line
 * thrown away, which is what pg_dump's escapes \N \n \b \v \\ and \tabc
 * give; \t, \f and \r run, with arguments that must hold no backtick or
 * backslash), a '$' that may open a dollar quote (not followed), a quote or
 * comment still open at the \. (what follows the COPY would be read inside
 * it), and data that runs to the end of input (psql sends what it holds).
 * Not caught: data that is a prefix of the statement after the \. (the
 * first-word check in head_done catches the obvious ones), and :variables,
 * whose values psql would lex as SQL too. */

/* Bytes that matter to D_N. */
static const unsigned char data_special[256] = {
    ['\n'] = 1, ['\''] = 1, ['"'] = 1, [';'] = 1, ['\\'] = 1, ['-'] = 1, ['/'] = 1, ['$'] = 1,
};

/* The byte k (1 or 2) places before p in the input. */
static unsigned char before(const psql_lexer *lx, const char *p, size_t k)
{
	size_t d = (size_t)(p - lx->buf0);

	return (unsigned char)(d >= k ? p[-(ptrdiff_t)k] : lx->tail[2 + d - k]);
}

static void data_flag(psql_lexer *lx, const char *what)
{
	lx->copy_flagged = true;
	if (lx->cb.copy_sql)
		lx->cb.copy_sql(lx->ctx, what, lx->line);
}

/* A meta-command name in the data ended at c (a blank, backslash or
 * newline): psql refuses a name it does not know and throws the rest of
 * the line away. Of those that pg_dump's escapes start, psql knows t, f
 * and r (and timing, reset, bind, which are not let through). */
static void data_name_end(psql_lexer *lx, char c)
{
	static const char *const args_ok[] = {"t", "f", "r", NULL};
	static const char *const known[] = {"t", "f", "r", "timing", "reset", "bind", NULL};
	size_t n = lx->bslen < sizeof lx->bs ? lx->bslen : sizeof lx->bs - 1;
	char what[sizeof lx->bs + 24];

	lx->bs[n] = '\0';
	if (!lx->bslen || (strchr("Nnbvtfr.0123456789", lx->bs[0]) && !name_in(lx->bs, known))) {
		lx->ds = D_SKIP;
	} else if (n == lx->bslen && name_in(lx->bs, args_ok)) {
		lx->ds = c == '\\' ? D_BSNAME : D_ARGS;
		lx->bslen = 0;
	} else {
		snprintf(what, sizeof what, "'\\%s' outside quotes", lx->bs);
		data_flag(lx, what);
	}
}

static void data_name(psql_lexer *lx, char c)
{
	if (is_space((unsigned char)c) || c == '\\') {
		data_name_end(lx, c);
	} else if (!lx->bslen && c == ':') {
		lx->ds = D_N; /* \: is a plain : */
	} else if (!lx->bslen && c == ';') {
		data_flag(lx, "'\\;' outside quotes");
	} else {
		if (lx->bslen < sizeof lx->bs - 1)
			lx->bs[lx->bslen] = c;
		lx->bslen++;
	}
}

/* D_N: a byte from data_special, not a newline. */
static void data_normal(psql_lexer *lx, const char *p)
{
	switch (*p) {
	case '\'': /* E'...' has backslash escapes; 1e'...' is junk and a plain string */
		lx->ds =
		    (before(lx, p, 1) | 0x20) == 'e' && !is_idcont(before(lx, p, 2)) ? D_EQ : D_SQ;
		break;
	case '"':
		lx->ds = D_DQ;
		break;
	case ';':
		data_flag(lx, "';' outside quotes");
		break;
	case '\\':
		lx->ds = D_BSNAME;
		lx->bslen = 0;
		break;
	case '-':
		lx->ds = D_DASH;
		break;
	case '/':
		lx->ds = D_SLASH;
		break;
	case '$':
		if (!is_idcont(before(lx, p, 1)))
			lx->ds = D_DOLLAR;
		break;
	default:
		break;
	}
}

/* One byte of the data, not a newline. */
static void data_step(psql_lexer *lx, const char *p)
{
	char c = *p;

	switch (lx->ds) {
	case D_N:
		data_normal(lx, p);
		return;
	case D_SQ:
	case D_DQ:
		if (c == (lx->ds == D_SQ ? '\'' : '"'))
			lx->ds = D_N; /* '' reopens at once: the same */
		return;
	case D_EQ:
		lx->ds = c == '\\' ? D_EQ_BS : c == '\'' ? D_EQ_END : D_EQ;
		return;
	case D_EQ_BS:
		lx->ds = D_EQ;
		return;
	case D_BC:
		lx->ds = c == '*' ? D_BC_STAR : c == '/' ? D_BC_SLASH : D_BC;
		return;
	case D_BC_STAR:
		if (c == '/')
			lx->ds = --lx->ds_depth ? D_BC : D_N;
		else if (c != '*')
			lx->ds = D_BC;
		return;
	case D_BC_SLASH:
		lx->ds_depth += c == '*';
		if (c != '/')
			lx->ds = D_BC;
		return;
	case D_BSNAME:
		data_name(lx, c);
		return;
	case D_ARGS:
		if (c == '`' || c == '\\')
			data_flag(lx, "a backtick or backslash after \\t, \\f or \\r");
		return;
	case D_LC:
	case D_SKIP:
		return;
	case D_EQ_END:
		if (c == '\'') {
			lx->ds = D_EQ;
			return;
		}
		break;
	case D_DASH:
		if (c == '-') {
			lx->ds = D_LC;
			return;
		}
		break;
	case D_SLASH:
		if (c == '*') {
			lx->ds = D_BC;
			lx->ds_depth = 1;
			return;
		}
		break;
	case D_DOLLAR:
		if (c == '$' || is_idstart((unsigned char)c)) {
			data_flag(lx, "'$' that may open a dollar quote");
			return;
		}
		break;
	}
	lx->ds = D_N; /* the character after -, /, $ or E'...' starts afresh */
	data_normal(lx, p);
}

/* A newline in the data: what ends with the line does. */
static void data_eol(psql_lexer *lx)
{
	switch (lx->ds) {
	case D_BSNAME:
		data_name_end(lx, '\n');
		lx->ds = D_N;
		break;
	case D_EQ_BS:
	case D_EQ:
		lx->ds = D_EQ;
		break;
	case D_SQ:
	case D_DQ:
		break;
	case D_BC:
	case D_BC_STAR:
	case D_BC_SLASH:
		lx->ds = D_BC;
		break;
	default:
		lx->ds = D_N;
		break;
	}
}

/* The first byte from p on that matters to D_N, or end; four at a time
 * (this is the loop pg_dump data spends its time in). */
static const char *skip_plain(const char *p, const char *end)
{
	const unsigned char *u = (const unsigned char *)p;
	const unsigned char *e = (const unsigned char *)end;

	while (e - u >= 4 &&
	       !(data_special[u[0]] | data_special[u[1]] | data_special[u[2]] | data_special[u[3]]))
		u += 4;
	while (u < e && !data_special[*u])
		u++;
	return (const char *)u;
}

/* C_MID before anything was reported: the rest of the line read as SQL.
 * Runs of bytes that change nothing are skipped a table lookup at a time. */
static const char *scan_data_sql(psql_lexer *lx, const char *p, const char *end)
{
	const char *start = p;

	while (p < end && !lx->copy_flagged) {
		if (lx->ds == D_N) {
			p = skip_plain(p, end);
		} else if (lx->ds == D_SQ || lx->ds == D_DQ) {
			char q = lx->ds == D_SQ ? '\'' : '"';
			while (p < end && *p != q && *p != '\n')
				p++;
		} else if (lx->ds == D_LC || lx->ds == D_SKIP) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			p = nl ? nl : end;
		}
		if (p == end)
			break;
		if (*p == '\n') {
			data_eol(lx);
			p++;
			lx->line++;
			lx->cs = C_BOL;
			break;
		}
		data_step(lx, p++);
	}
	lx->copy_bytes += (size_t)(p - start);
	return p;
}

/* A backslash at a data line's start that is not \.: a meta-command if
 * the data read as SQL is between tokens. */
static void data_line_backslash(psql_lexer *lx, bool dot)
{
	if (lx->ds == D_N) {
		lx->ds = dot ? D_SKIP : D_BSNAME; /* \.x is not a command psql knows */
		lx->bslen = 0;
	} else if (lx->ds == D_EQ) {
		lx->ds = dot ? D_EQ : D_EQ_BS; /* the backslash escapes what follows */
	}
}

/* Data lines up to a line that is exactly \. (psql also takes \.\r). Each
 * line's start is looked at (copy_line_start), and the data read as SQL
 * (scan_data_sql) until something is reported; then the rest is skipped
 * with memchr. */
static const char *scan_copy(psql_lexer *lx, const char *p, const char *end)
{
	line_at(lx, p);
	while (p < end) {
		char c = *p;

		switch (lx->cs) {
		case C_BOL:
			if (c == '\\') {
				lx->cs = C_BS;
				p++;
			} else {
				p = copy_line_start(lx, p);
			}
			break;
		case C_LEAD:
			if (c == '\\') { /* " \x" is data, but a meta-command to psql */
				lx->copy_bytes++;
				data_line_backslash(lx, false);
				lx->cs = C_MID;
				p++;
			} else {
				p = copy_line_start(lx, p);
			}
			break;
		case C_HEAD:
			p = copy_head(lx, p, end);
			break;
		case C_BS:
		case C_DOT:
		case C_DOTCR:
			if ((lx->cs == C_BS && c == '.') || (lx->cs == C_DOT && c == '\r')) {
				lx->cs++;
				p++;
				break;
			}
			if (c == '\n' && lx->cs != C_BS) {
				p++;
				lx->line++;
				lx->cnt = p;
				copy_done(lx);
				if (!lx->copy_pending) {
					lx->mode = M_SQL;
					if (lx->in_stmt)
						rec_on(lx, p);
					return p;
				}
				break;
			}
			lx->copy_bytes += (size_t)(lx->cs - C_BS) + 1; /* \, \. or \.\r was data */
			data_line_backslash(lx, lx->cs != C_BS);
			lx->cs = C_MID;
			break;
		case C_MID: {
			if (!lx->copy_flagged) {
				p = scan_data_sql(lx, p, end);
				break;
			}
			const char *nl = memchr(p, '\n', (size_t)(end - p));

			if (!nl) {
				lx->copy_bytes += (size_t)(end - p);
				p = end;
				break;
			}
			lx->copy_bytes += (size_t)(nl + 1 - p);
			p = nl + 1;
			lx->line++;
			lx->cs = C_BOL;
			break;
		}
		}
	}
	lx->cnt = p;
	return p;
}

/* ---- API ----------------------------------------------------------------- */

psql_lexer *psql_lex_new(const psql_lex_callbacks *cb, void *ctx, size_t max_stmt)
{
	psql_lexer *lx = xcalloc(1, sizeof(*lx));

	if (cb)
		lx->cb = *cb;
	lx->ctx = ctx;
	lx->max_stmt = max_stmt < SIZE_MAX / 4 ? max_stmt : SIZE_MAX / 4;
	lx->mode = M_SQL;
	lx->st = S_NORMAL;
	lx->line = 1;
	lx->args = xmalloc(ARGS_MAX + 1);
	lx->tail[0] = lx->tail[1] = '\n';
	kw_init(lx);
	stmt_reset(lx);
	return lx;
}

void psql_lex_feed(psql_lexer *lx, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;

	if (!len)
		return;
	/* psql reads lines with fgets: text after a NUL would vanish. */
	if (memchr(buf, '\0', len))
		lx->nul = true;
	lx->cnt = buf;
	lx->buf0 = buf;
	lx->seg = lx->seg_on ? buf : NULL;
	while (p < end) {
		switch (lx->mode) {
		case M_SQL:
			p = scan_sql(lx, p, end);
			break;
		case M_META:
			p = scan_meta(lx, p, end);
			break;
		case M_COPY:
			p = scan_copy(lx, p, end);
			break;
		}
	}
	flush(lx, end);
	line_at(lx, end);
	lx->tail[0] = len >= 2 ? end[-2] : lx->tail[1];
	lx->tail[1] = end[-1];
}

/* End of input in the middle of a token: finish it; says what was open. */
static const char *finish_sql(psql_lexer *lx)
{
	const char *p = lx->seg;

	switch (lx->st) {
	case S_WORD:
		word_done(lx, p, TK_WORD);
		return NULL;
	case S_JUNK:
		word_done(lx, p, TK_JUNK);
		return NULL;
	case S_NUM:
	case S_SQ_END:
	case S_EQ_END:
	case S_DQ_END:
	case S_VAR:
		tok_done(lx, p,
		         lx->st == S_NUM      ? TK_NUM
		         : lx->st == S_DQ_END ? TK_QID
		         : lx->st == S_VAR    ? TK_VAR
		                              : TK_STR);
		return NULL;
	case S_DASH:
	case S_SLASH:
		op_char(lx, lx->st == S_DASH ? '-' : '/', text_off(lx, p) - 1);
		tok_done(lx, p, TK_OP);
		return NULL;
	case S_COLON:
	case S_VAR_BRACE:
		tok_done(lx, p, TK_OP);
		return NULL;
	case S_QSTOP:
		if (lx->qs_dash) {
			op_char(lx, '-', text_off(lx, p) - 1);
			tok_done(lx, p, TK_OP);
		}
		return NULL;
	case S_DOLQ_TAG:
		dolq_fail(lx, p);
		if (lx->st == S_WORD)
			word_done(lx, p, TK_WORD);
		return NULL;
	case S_SQ:
	case S_EQ:
	case S_EQ_BS:
	case S_VAR_SQ:
		return "unterminated quoted string";
	case S_DQ:
	case S_VAR_DQ:
		return "unterminated quoted identifier";
	case S_DOLQ:
	case S_DOLQ_CLOSE:
		return "unterminated dollar-quoted string";
	case S_BLOCK:
	case S_BLOCK_STAR:
	case S_BLOCK_SLASH:
		return "unterminated /* comment";
	case S_BACKSLASH:
		meta_begin(lx);
		meta_finish(lx);
		return NULL;
	case S_NORMAL:
	case S_LINE_COMMENT:
		return NULL;
	}
	return NULL;
}

bool psql_lex_finish(psql_lexer *lx, const char **why)
{
	const char *open = NULL;

	if (lx->mode == M_META) {
		if (lx->ms == MT_BS) {
			meta_finish(lx);
			meta_begin(lx);
		}
		meta_finish(lx);
		lx->mode = M_SQL;
		lx->st = S_NORMAL;
	} else if (lx->mode == M_COPY) {
		/* psql ends COPY at the end of input; a partial \. is data. */
		if (lx->cs >= C_BS && lx->cs <= C_DOTCR)
			lx->copy_bytes += (size_t)(lx->cs - C_BS) + 1;
		if (lx->cs == C_HEAD)
			head_done(lx, true);
		if (lx->copy_bytes && !lx->copy_flagged)
			data_flag(lx, "data running to the end of input, which psql sends as SQL");
		copy_done(lx);
		lx->mode = M_SQL;
	} else {
		open = finish_sql(lx);
		if (open && lx->in_stmt)
			lx->content_end = text_off(lx, lx->seg); /* all of it */
	}
	if (lx->in_stmt) {
		flush(lx, lx->seg);
		emit_stmt(lx, "", true); /* psql sends what it has */
	}
	if (lx->copy_pending)
		lx->copy_line = lx->line;
	while (lx->copy_pending)
		copy_done(lx); /* COPY FROM STDIN sent last: no data */
	if (!open)
		open = lx->err;
	if (!open && lx->nul)
		open = "NUL byte in input";
	if (why)
		*why = open;
	return open == NULL;
}

void psql_lex_set_single_line(psql_lexer *lx, bool on)
{
	lx->single_line = on;
}

void psql_lex_set_no_copy(psql_lexer *lx)
{
	lx->no_copy = true;
}

void psql_lex_free(psql_lexer *lx)
{
	if (!lx)
		return;
	free(lx->text);
	free(lx->ptext);
	free(lx->args);
	free(lx);
}
