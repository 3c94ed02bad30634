/* sqlfacts.c - one SQL statement, parsed by libpg_query, turned into
 * operation facts.
 *
 * libpg_query is the PostgreSQL 15 grammar itself, so what it parses is what
 * the server parses (for UTF-8 input with standard_conforming_strings on, see
 * set_lexing()). It is loaded with dlopen() the first time a statement is
 * analysed: linked dynamically it cost every start of interlock ~0.2 ms,
 * linked statically ~0.1 ms (8,000 relocations, 190 KB of data to relocate),
 * and interlock starts before every rm.
 *
 * pg_query_parse() returns the parse tree as JSON, walked here with jansson
 * (already linked). In that JSON a node is an object with one key, its type
 * ("DeleteStmt", "FuncCall", ...); node fields are lower-case. The walk
 * visits every node of every statement; the handlers below pick out what
 * matters and say whether the walk goes on below them. Anything the walk
 * does not understand produces nothing, so the handlers err on reporting:
 * what cannot be known (a function body, a prepared statement, a DO block)
 * becomes an "opaque" operation, never silence.
 *
 * Operation kinds and fields are listed in interlock(5); every operation has
 * statement, sql, line and source. */
#include <ctype.h>
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <pg_query.h>

#include "sqlfacts.h"

/* The Debian package libpg-query1504.0; the soname fixes the ABI of the
 * structs in pg_query.h. */
#define PG_QUERY_LIB "libpg_query.so.1504.0"

/* Longer statements are not parsed: the JSON tree grows to ~20 times the
 * text and jansson's to several times that (1 MiB of SQL takes ~0.3 s). */
#define SQL_MAX_BYTES (1024 * 1024)

/* Characters of a statement shown in the "sql" field. */
#define SQL_SHOWN_CHARS 200

/* ---- libpg_query, loaded on first use ---------------------------------- */

static struct {
	bool tried;
	char *error; /* why it could not be loaded, or NULL */
	PgQueryParseResult (*parse)(const char *input);
	void (*free_result)(PgQueryParseResult result);
} pgq;

/* Returns NULL when libpg_query is usable, else why not. */
static const char *pgq_load(void)
{
	if (pgq.tried)
		return pgq.error;
	pgq.tried = true;
	void *h = dlopen(PG_QUERY_LIB, RTLD_NOW | RTLD_LOCAL);
	if (h) {
		/* POSIX guarantees a data pointer from dlsym converts to a
		 * function pointer. */
		pgq.parse = (PgQueryParseResult(*)(const char *))dlsym(h, "pg_query_parse");
		pgq.free_result =
		    (void (*)(PgQueryParseResult))dlsym(h, "pg_query_free_parse_result");
	}
	if (!h || !pgq.parse || !pgq.free_result) {
		const char *e = dlerror();
		pgq.error = xasprintf("cannot load the PostgreSQL parser %s: %s", PG_QUERY_LIB,
		                      e ? e : "symbol missing");
		pgq.parse = NULL;
	}
	return pgq.error;
}

/* ---- the walk's state --------------------------------------------------- */

typedef struct {
	facts *fx;
	const char *sql; /* the whole input, NUL-terminated */
	size_t sql_len;
	const char *source;
	long line;        /* line of the current top-level statement */
	char *text;       /* its text as shown: owned */
	const char *stmt; /* statement kind for operations found below here */
	int in_cte;       /* > 0 inside a WITH query */
	strvec funcs;     /* functions already reported for this statement */
	strvec operators; /* operators the statement uses */
} walk;

static operation *add_op(walk *w, const char *kind, const char *statement)
{
	operation *op = facts_add_op(w->fx, kind);
	fs_set(&op->f, "statement", statement);
	fs_set(&op->f, "sql", w->text);
	fs_setf(&op->f, "line", "%ld", w->line);
	fs_set(&op->f, "source", w->source);
	return op;
}

static void set_yes_no(operation *op, const char *name, bool v)
{
	fs_set(&op->f, name, v ? "yes" : "no");
}

/* ---- JSON accessors ------------------------------------------------------ */

/* The body of node n if n is a node of this type, else NULL. */
static json_t *as_node(json_t *n, const char *type)
{
	return json_is_object(n) ? json_object_get(n, type) : NULL;
}

/* The type of node n (and its body in *body), or NULL if n is not a node:
 * one key, an upper-case first letter (field names are lower-case). */
static const char *node_type(json_t *n, json_t **body)
{
	if (!json_is_object(n) || json_object_size(n) != 1)
		return NULL;
	const char *key = json_object_iter_key(json_object_iter(n));
	json_t *v = json_object_iter_value(json_object_iter(n));
	if (!key || !isupper((unsigned char)key[0]) || !json_is_object(v))
		return NULL;
	if (body)
		*body = v;
	return key;
}

static const char *str_field(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Absent booleans are false in libpg_query's JSON. */
static bool bool_field(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

static bool str_field_is(json_t *o, const char *key, const char *want)
{
	const char *s = str_field(o, key);
	return s && strcmp(s, want) == 0;
}

/* The value of a String node; "" is stored as an empty node. */
static const char *string_node(json_t *n)
{
	json_t *b = as_node(n, "String");
	if (!b)
		return NULL;
	const char *s = str_field(b, "sval");
	return s ? s : "";
}

static size_t list_size(json_t *o, const char *key)
{
	return json_array_size(json_object_get(o, key));
}

/* ---- names ---------------------------------------------------------------- */

/* Names appear as PostgreSQL stores them (unquoted ones folded to lower
 * case). One is quoted only when it holds what would make a qualified name
 * or a list ambiguous to a rule's pattern: a dot, comma, quote or blank. */
static void put_ident(strbuf *b, const char *s)
{
	bool quote = !*s;
	for (const char *p = s; *p && !quote; p++)
		quote = strchr(".,\" ", *p) || (unsigned char)*p < 0x20 || *p == 0x7f;
	if (!quote) {
		sb_puts(b, s);
		return;
	}
	sb_putc(b, '"');
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			sb_putc(b, '"');
		sb_putc(b, *p);
	}
	sb_putc(b, '"');
}

/* A RangeVar's (or a typed relation field's) catalog.schema.name. */
static void put_rangevar(strbuf *b, json_t *rv)
{
	json_t *body = as_node(rv, "RangeVar");
	if (body)
		rv = body;
	const char *parts[] = {str_field(rv, "catalogname"), str_field(rv, "schemaname"),
	                       str_field(rv, "relname")};
	bool first = true;
	for (size_t i = 0; i < 3; i++) {
		if (!parts[i])
			continue;
		if (!first)
			sb_putc(b, '.');
		put_ident(b, parts[i]);
		first = false;
	}
	if (first)
		sb_putc(b, '?');
}

static char *rangevar_name(json_t *rv)
{
	strbuf b = {0};
	put_rangevar(&b, rv);
	return sb_steal(&b);
}

/* Items [from, to) of a list of String nodes as a qualified name. */
static void put_qualified(strbuf *b, json_t *items, size_t from, size_t to)
{
	size_t n = json_array_size(items);
	if (to > n)
		to = n;
	for (size_t i = from; i < to; i++) {
		const char *s = string_node(json_array_get(items, i));
		if (i > from)
			sb_putc(b, '.');
		if (s)
			put_ident(b, s);
		else
			sb_putc(b, '?');
	}
}

static char *qualified_name(json_t *items)
{
	strbuf b = {0};
	put_qualified(&b, items, 0, SIZE_MAX);
	return sb_steal(&b);
}

/* A type name, without the "pg_catalog." the grammar adds to built-in
 * types ("bigint" is pg_catalog.int8). */
static void put_typename(strbuf *b, json_t *tn)
{
	json_t *body = as_node(tn, "TypeName");
	json_t *names = json_object_get(body ? body : tn, "names");
	const char *first = string_node(json_array_get(names, 0));
	size_t from = json_array_size(names) > 1 && first && strcmp(first, "pg_catalog") == 0;
	put_qualified(b, names, from, SIZE_MAX);
}

/* A RoleSpec: a name, or PUBLIC, CURRENT_USER, ... */
static void put_role(strbuf *b, json_t *rs)
{
	json_t *body = as_node(rs, "RoleSpec");
	if (body)
		rs = body;
	const char *name = str_field(rs, "rolename");
	const char *type = str_field(rs, "roletype");
	if (name)
		put_ident(b, name);
	else if (type && str_starts(type, "ROLESPEC_"))
		sb_puts(b, type + strlen("ROLESPEC_"));
	else
		sb_putc(b, '?');
}

/* One object of a DROP, GRANT or COMMENT: its shape depends on its type. */
static void put_object(strbuf *b, json_t *obj)
{
	json_t *body;
	const char *s = string_node(obj);
	if (s) {
		put_ident(b, s);
	} else if ((body = as_node(obj, "List"))) {
		json_t *items = json_object_get(body, "items");
		if (node_type(json_array_get(items, 0), NULL) &&
		    strcmp(node_type(json_array_get(items, 0), NULL), "TypeName") == 0) {
			/* DROP CAST (a AS b), DROP TRANSFORM */
			sb_putc(b, '(');
			for (size_t i = 0; i < json_array_size(items); i++) {
				if (i)
					sb_puts(b, " AS ");
				put_typename(b, json_array_get(items, i));
			}
			sb_putc(b, ')');
		} else {
			put_qualified(b, items, 0, SIZE_MAX);
		}
	} else if ((body = as_node(obj, "ObjectWithArgs"))) {
		put_qualified(b, json_object_get(body, "objname"), 0, SIZE_MAX);
	} else if (as_node(obj, "TypeName")) {
		put_typename(b, obj);
	} else if (as_node(obj, "RangeVar")) {
		put_rangevar(b, obj);
	} else if (as_node(obj, "RoleSpec")) {
		put_role(b, obj);
	} else if ((body = as_node(obj, "AccessPriv"))) {
		const char *p = str_field(body, "priv_name");
		sb_puts(b, p ? p : "?");
	} else {
		sb_putc(b, '?');
	}
}

/* The items of a list field, each through put, separated by ", ". */
static char *list_names(json_t *list, void (*put)(strbuf *, json_t *))
{
	strbuf b = {0};
	for (size_t i = 0; i < json_array_size(list); i++) {
		if (i)
			sb_puts(&b, ", ");
		put(&b, json_array_get(list, i));
	}
	return sb_steal(&b);
}

static void set_list(operation *op, const char *name, json_t *list, void (*put)(strbuf *, json_t *))
{
	char *s = list_names(list, put);
	fs_set(&op->f, name, s);
	free(s);
}

static void set_rangevar(operation *op, const char *name, json_t *rv)
{
	char *s = rangevar_name(rv);
	fs_set(&op->f, name, s);
	free(s);
}

/* "OBJECT_MATVIEW" -> "materialized view": lower case, blanks for '_',
 * with the grammar's own words where the enum abbreviates. */
static char *object_word(const char *objtype)
{
	static const char *const words[][2] = {
	    {"OBJECT_FDW", "foreign data wrapper"},
	    {"OBJECT_FOREIGN_SERVER", "server"},
	    {"OBJECT_LARGEOBJECT", "large object"},
	    {"OBJECT_MATVIEW", "materialized view"},
	    {"OBJECT_OPCLASS", "operator class"},
	    {"OBJECT_OPFAMILY", "operator family"},
	    {"OBJECT_STATISTIC_EXT", "statistics"},
	    {"OBJECT_TABCONSTRAINT", "constraint"},
	    {"OBJECT_TSCONFIGURATION", "text search configuration"},
	    {"OBJECT_TSDICTIONARY", "text search dictionary"},
	    {"OBJECT_TSPARSER", "text search parser"},
	    {"OBJECT_TSTEMPLATE", "text search template"},
	};
	if (!objtype)
		return xstrdup("object");
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(objtype, words[i][0]) == 0)
			return xstrdup(words[i][1]);
	char *s = xstrdup(str_starts(objtype, "OBJECT_") ? objtype + 7 : objtype);
	for (char *p = s; *p; p++)
		*p = *p == '_' ? ' ' : (char)tolower((unsigned char)*p);
	return s;
}

/* prefix + " " + the object word in upper case: "DROP MATERIALIZED VIEW". */
static char *statement_for(const char *prefix, const char *word)
{
	char *s = xasprintf("%s %s", prefix, word);
	for (char *p = s; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return s;
}

/* ---- constants and the truth of a WHERE ---------------------------------- */

/* PostgreSQL's parse_bool(): true, yes, on, 1 and unique prefixes; blanks
 * around are allowed (boolin trims them). 1 true, 0 false, -1 neither. */
static int parse_bool(const char *s)
{
	static const struct {
		const char *word;
		size_t min;
		int value;
	} words[] = {{"true", 1, 1}, {"false", 1, 0}, {"yes", 1, 1}, {"no", 1, 0},
	             {"on", 2, 1},   {"off", 2, 0},   {"1", 1, 1},   {"0", 1, 0}};
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (n >= words[i].min && n <= strlen(words[i].word) &&
		    strncasecmp(s, words[i].word, n) == 0)
			return words[i].value;
	return -1;
}

typedef struct {
	enum { CV_NONE, CV_NULL, CV_BOOL, CV_NUM, CV_STR } kind;
	bool b;
	double num;
	const char *s;
} cval;

/* Reads an integer literal at byte offset loc of the input: optional minus
 * signs (the grammar folds "- 3" into one constant) and digits. */
static bool literal_int_at(const walk *w, long loc, double *out)
{
	if (loc < 0 || (size_t)loc >= w->sql_len)
		return false;
	const char *p = w->sql + loc;
	bool neg = false;
	for (;; p++) {
		if (*p == '-')
			neg = !neg;
		else if (!isspace((unsigned char)*p))
			break;
	}
	if (!isdigit((unsigned char)*p))
		return false;
	char *end;
	double v = strtod(p, &end);
	if (end == p || isalnum((unsigned char)*end) || *end == '.')
		return false;
	*out = neg ? -v : v;
	return true;
}

/* The value of an A_Const. libpg_query 15-4.0 writes 0 and negative
 * integers as "ival": {} (pganalyze/libpg_query#243, fixed upstream in
 * 2024), so those are read from the statement text; when the text is not a
 * number the constant was made by the grammar, where {} means 0. */
static cval aconst_value(const walk *w, json_t *ac, bool text_zero_ok)
{
	cval v = {.kind = CV_NONE};
	json_t *x;
	if (bool_field(ac, "isnull")) {
		v.kind = CV_NULL;
	} else if ((x = json_object_get(ac, "boolval"))) {
		v.kind = CV_BOOL;
		v.b = bool_field(x, "boolval");
	} else if ((x = json_object_get(ac, "sval"))) {
		v.kind = CV_STR;
		v.s = str_field(x, "sval") ? str_field(x, "sval") : "";
	} else if ((x = json_object_get(ac, "fval"))) {
		const char *f = str_field(x, "fval");
		v.kind = f ? CV_NUM : CV_NONE;
		v.num = f ? strtod(f, NULL) : 0;
	} else if ((x = json_object_get(ac, "ival"))) {
		json_t *i = json_object_get(x, "ival");
		v.kind = CV_NUM;
		if (json_is_integer(i))
			v.num = (double)json_integer_value(i);
		else if (!literal_int_at(w,
		                         (long)json_integer_value(json_object_get(ac, "location")),
		                         &v.num) &&
		         !text_zero_ok)
			v.kind = CV_NONE;
	}
	return v;
}

static bool is_bool_type(json_t *tn)
{
	json_t *names = json_object_get(tn, "names");
	const char *last = string_node(json_array_get(names, json_array_size(names) - 1));
	return last && (strcmp(last, "bool") == 0 || strcmp(last, "boolean") == 0);
}

/* A constant expression: a literal, or a literal cast to boolean. */
static cval const_value(const walk *w, json_t *n)
{
	json_t *b;
	if ((b = as_node(n, "A_Const")))
		return aconst_value(w, b, false);
	if ((b = as_node(n, "TypeCast")) && is_bool_type(json_object_get(b, "typeName"))) {
		cval v = const_value(w, json_object_get(b, "arg"));
		int t = v.kind == CV_STR ? parse_bool(v.s) : v.kind == CV_NUM ? v.num != 0 : -1;
		if (v.kind == CV_STR || v.kind == CV_NUM)
			return t < 0 ? (cval){.kind = CV_NONE} : (cval){.kind = CV_BOOL, .b = t};
		return v;
	}
	return (cval){.kind = CV_NONE};
}

typedef enum { TV_UNKNOWN, TV_TRUE, TV_FALSE, TV_NULL } truth;

static truth tv_of(bool b)
{
	return b ? TV_TRUE : TV_FALSE;
}

/* Whether a constant counts as a boolean condition. An integer or a bare
 * string is coerced (or, for integers, rejected by the server, which
 * deletes nothing: counting it as true only costs a question). */
static truth const_truth(cval v)
{
	switch (v.kind) {
	case CV_NULL:
		return TV_NULL;
	case CV_BOOL:
		return tv_of(v.b);
	case CV_NUM:
		return tv_of(v.num != 0);
	case CV_STR: {
		int t = parse_bool(v.s);
		return t < 0 ? TV_UNKNOWN : tv_of(t);
	}
	default:
		return TV_UNKNOWN;
	}
}

/* Compares two constants: <0, 0, >0, or INT32_MIN when PostgreSQL would
 * compare them differently (strings other than for equality depend on the
 * collation). */
static int const_cmp(cval a, cval b, bool equality_only)
{
	if (a.kind == CV_STR && b.kind == CV_NUM) {
		char *end;
		a.num = strtod(a.s, &end);
		if (end == a.s || *end)
			return INT32_MIN;
		a.kind = CV_NUM;
	}
	if (b.kind == CV_STR && a.kind == CV_NUM) {
		int c = const_cmp(b, a, equality_only);
		return c == INT32_MIN ? c : -c;
	}
	if (a.kind == CV_BOOL && b.kind == CV_STR && parse_bool(b.s) >= 0)
		b = (cval){.kind = CV_BOOL, .b = parse_bool(b.s)};
	if (b.kind == CV_BOOL && a.kind == CV_STR && parse_bool(a.s) >= 0)
		a = (cval){.kind = CV_BOOL, .b = parse_bool(a.s)};
	if (a.kind != b.kind)
		return INT32_MIN;
	switch (a.kind) {
	case CV_NUM:
		return (a.num > b.num) - (a.num < b.num);
	case CV_BOOL:
		return (int)a.b - (int)b.b;
	case CV_STR:
		return equality_only ? (strcmp(a.s, b.s) != 0) : INT32_MIN;
	default:
		return INT32_MIN;
	}
}

/* Two column references naming the same column the same way. */
static bool same_column(json_t *a, json_t *b)
{
	json_t *ca = as_node(a, "ColumnRef"), *cb = as_node(b, "ColumnRef");
	return ca && cb && json_equal(json_object_get(ca, "fields"), json_object_get(cb, "fields"));
}

/* The truth of "a op b" for a comparison operator, or TV_UNKNOWN. */
static truth compare_truth(const walk *w, const char *op, json_t *a, json_t *b)
{
	static const char *const ops[] = {"=", "<>", "!=", "<", "<=", ">", ">="};
	size_t k = 0;
	while (k < sizeof(ops) / sizeof(ops[0]) && strcmp(op, ops[k]) != 0)
		k++;
	if (k == sizeof(ops) / sizeof(ops[0]))
		return TV_UNKNOWN;
	int c;
	if (same_column(a, b)) {
		/* x = x: true for every row where x is not null; reported as
		 * constant-true, as it is meant to touch everything. */
		c = 0;
	} else {
		cval va = const_value(w, a), vb = const_value(w, b);
		if (va.kind == CV_NULL || vb.kind == CV_NULL)
			return va.kind == CV_NONE || vb.kind == CV_NONE ? TV_UNKNOWN : TV_NULL;
		c = const_cmp(va, vb, k <= 2);
		if (c == INT32_MIN)
			return TV_UNKNOWN;
	}
	switch (k) {
	case 0:
		return tv_of(c == 0);
	case 1:
	case 2:
		return tv_of(c != 0);
	case 3:
		return tv_of(c < 0);
	case 4:
		return tv_of(c <= 0);
	case 5:
		return tv_of(c > 0);
	default:
		return tv_of(c >= 0);
	}
}

static truth expr_truth(const walk *w, json_t *n);

static truth bool_expr_truth(const walk *w, json_t *be)
{
	const char *op = str_field(be, "boolop");
	json_t *args = json_object_get(be, "args");
	if (op && strcmp(op, "NOT_EXPR") == 0) {
		truth t = expr_truth(w, json_array_get(args, 0));
		return t == TV_TRUE ? TV_FALSE : t == TV_FALSE ? TV_TRUE : t;
	}
	bool is_and = op && strcmp(op, "AND_EXPR") == 0;
	/* AND: one false decides, OR: one true decides; otherwise all must
	 * be known. */
	truth decisive = is_and ? TV_FALSE : TV_TRUE, result = is_and ? TV_TRUE : TV_FALSE;
	for (size_t i = 0; i < json_array_size(args); i++) {
		truth t = expr_truth(w, json_array_get(args, i));
		if (t == decisive)
			return t;
		if (t == TV_UNKNOWN || result == TV_UNKNOWN)
			result = TV_UNKNOWN;
		else if (t == TV_NULL)
			result = TV_NULL;
	}
	return result;
}

static truth a_expr_truth(const walk *w, json_t *ae)
{
	const char *kind = str_field(ae, "kind");
	const char *op = string_node(json_array_get(json_object_get(ae, "name"), 0));
	json_t *l = json_object_get(ae, "lexpr"), *r = json_object_get(ae, "rexpr");
	if (!kind || !op)
		return TV_UNKNOWN;
	if (strcmp(kind, "AEXPR_OP") == 0)
		return compare_truth(w, op, l, r);
	if (strcmp(kind, "AEXPR_NOT_DISTINCT") == 0 || strcmp(kind, "AEXPR_DISTINCT") == 0) {
		bool same = same_column(l, r);
		if (!same) {
			cval a = const_value(w, l), b = const_value(w, r);
			if (a.kind == CV_NONE || b.kind == CV_NONE)
				return TV_UNKNOWN;
			int c = a.kind == CV_NULL || b.kind == CV_NULL ? (a.kind == b.kind ? 0 : 1)
			                                               : const_cmp(a, b, true);
			if (c == INT32_MIN)
				return TV_UNKNOWN;
			same = c == 0;
		}
		return tv_of(same == (strcmp(kind, "AEXPR_NOT_DISTINCT") == 0));
	}
	if (strcmp(kind, "AEXPR_IN") == 0) {
		/* x IN (a, b) is x = a OR x = b; NOT IN is <> with AND. */
		bool in = strcmp(op, "=") == 0;
		json_t *items = json_object_get(as_node(r, "List"), "items");
		if (!items)
			return TV_UNKNOWN;
		truth result = in ? TV_FALSE : TV_TRUE;
		for (size_t i = 0; i < json_array_size(items); i++) {
			truth t = compare_truth(w, op, l, json_array_get(items, i));
			if (t == (in ? TV_TRUE : TV_FALSE))
				return t;
			if (t == TV_UNKNOWN || result == TV_UNKNOWN)
				result = TV_UNKNOWN;
			else if (t == TV_NULL)
				result = TV_NULL;
		}
		return result;
	}
	return TV_UNKNOWN;
}

/* EXISTS (SELECT ...) without FROM, WHERE, HAVING, GROUP BY or LIMIT
 * returns a row. */
static truth exists_truth(json_t *sl)
{
	json_t *sel = as_node(json_object_get(sl, "subselect"), "SelectStmt");
	static const char *const limiting[] = {"fromClause",  "whereClause", "havingClause",
	                                       "groupClause", "limitCount",  "limitOffset",
	                                       "larg",        "valuesLists"};
	if (!sel || !str_field_is(sl, "subLinkType", "EXISTS_SUBLINK"))
		return TV_UNKNOWN;
	for (size_t i = 0; i < sizeof(limiting) / sizeof(limiting[0]); i++)
		if (json_object_get(sel, limiting[i]))
			return TV_UNKNOWN;
	return TV_TRUE;
}

static truth test_truth(const walk *w, json_t *n, bool is_null_test)
{
	const char *type = str_field(n, is_null_test ? "nulltesttype" : "booltesttype");
	json_t *arg = json_object_get(n, "arg");
	if (!type)
		return TV_UNKNOWN;
	if (is_null_test) {
		cval v = const_value(w, arg);
		if (v.kind == CV_NONE)
			return TV_UNKNOWN;
		return tv_of((v.kind == CV_NULL) == (strcmp(type, "IS_NULL") == 0));
	}
	truth t = expr_truth(w, arg);
	if (t == TV_UNKNOWN)
		return t;
	bool neg = strstr(type, "_NOT_") != NULL;
	bool hit = strstr(type, "TRUE")    ? t == TV_TRUE
	           : strstr(type, "FALSE") ? t == TV_FALSE
	                                   : t == TV_NULL;
	return tv_of(hit != neg);
}

/* Whether a condition is constant: cheap cases only (literals, x = x,
 * NOT/AND/OR of those, IS [NOT] NULL/TRUE of a constant, IN of constants,
 * EXISTS of a bare SELECT). */
static truth expr_truth(const walk *w, json_t *n)
{
	json_t *body;
	const char *type = node_type(n, &body);
	if (!type)
		return TV_UNKNOWN;
	if (strcmp(type, "A_Const") == 0 || strcmp(type, "TypeCast") == 0)
		return const_truth(const_value(w, n));
	if (strcmp(type, "BoolExpr") == 0)
		return bool_expr_truth(w, body);
	if (strcmp(type, "A_Expr") == 0)
		return a_expr_truth(w, body);
	if (strcmp(type, "NullTest") == 0 || strcmp(type, "BooleanTest") == 0)
		return test_truth(w, body, type[0] == 'N');
	if (strcmp(type, "SubLink") == 0)
		return exists_truth(body);
	return TV_UNKNOWN;
}

static const char *where_word(const walk *w, json_t *cond)
{
	if (!cond)
		return "none";
	return expr_truth(w, cond) == TV_TRUE ? "constant-true" : "present";
}

/* ---- DefElem options ------------------------------------------------------ */

/* option_bool()'s answer for a value the server refuses (its statement
 * then fails and runs nothing): callers read it as whichever of true and
 * false is the risky one. */
#define OPT_INVALID 2

/* One DefElem's boolean as PostgreSQL's defGetBoolean() reads it: no
 * argument is true; the integers 0 and 1; the words true, false, on and off
 * in any case, exactly (no prefixes, unlike boolin). */
static int defelem_bool(const walk *w, json_t *de)
{
	json_t *arg = json_object_get(de, "arg"), *b;
	const char *s;
	if (!arg)
		return 1;
	if ((b = as_node(arg, "Boolean")))
		return bool_field(b, "boolval");
	if ((b = as_node(arg, "Integer"))) {
		json_int_t v = json_integer_value(json_object_get(b, "ival"));
		return v == 0 || v == 1 ? (int)v : OPT_INVALID;
	}
	/* READ WRITE is the grammar's constant 0, written as {} */
	if ((b = as_node(arg, "A_Const")))
		return const_truth(aconst_value(w, b, true)) == TV_TRUE ? 1 : 0;
	if (!(s = string_node(arg)))
		return OPT_INVALID;
	if (strcasecmp(s, "true") == 0 || strcasecmp(s, "on") == 0)
		return 1;
	if (strcasecmp(s, "false") == 0 || strcasecmp(s, "off") == 0)
		return 0;
	return OPT_INVALID;
}

/* The boolean value of option name in a DefElem list: 1, 0, -1 when
 * absent, OPT_INVALID. PostgreSQL lets a repeated option's LAST occurrence
 * win (EXPLAIN (ANALYZE false, ANALYZE true) executes), so that is the one
 * read. */
static int option_bool(const walk *w, json_t *options, const char *name)
{
	int value = -1;
	for (size_t i = 0; i < json_array_size(options); i++) {
		json_t *de = as_node(json_array_get(options, i), "DefElem");
		if (de && str_field_is(de, "defname", name))
			value = defelem_bool(w, de);
	}
	return value;
}

/* ---- settings: read-only escapes and lexing ------------------------------ */

static bool is_read_only_setting(const char *name)
{
	return name && (strcasecmp(name, "default_transaction_read_only") == 0 ||
	                strcasecmp(name, "transaction_read_only") == 0);
}

/* A constant setting value as text. */
static char *value_text(const walk *w, json_t *n)
{
	cval v = const_value(w, n);
	switch (v.kind) {
	case CV_STR:
		return xstrdup(v.s);
	case CV_BOOL:
		return xstrdup(v.b ? "on" : "off");
	case CV_NUM:
		return xasprintf("%g", v.num);
	case CV_NULL:
		return xstrdup("null");
	default:
		return xstrdup("?");
	}
}

static void read_write_op(walk *w, const char *statement, const char *setting, const char *value,
                          const char *scope)
{
	operation *op = add_op(w, "read-write", statement);
	fs_set(&op->f, "setting", setting);
	fs_set(&op->f, "value", value);
	fs_set(&op->f, "scope", scope);
}

/* session_replication_role = replica turns off ordinary triggers and the
 * triggers that enforce foreign keys, as ALTER TABLE ... DISABLE TRIGGER
 * ALL does, for everything the session (role, database) writes. A value
 * that is not a constant may be replica. */
static void safeguard_setting(walk *w, const char *statement, const char *name, const char *value,
                              const char *scope)
{
	if (strcasecmp(name, "session_replication_role") != 0 ||
	    (strcasecmp(value, "replica") != 0 && strcmp(value, "?") != 0))
		return;
	operation *op = add_op(w, "setting", statement);
	fs_set(&op->f, "setting", "session_replication_role");
	fs_set(&op->f, "value", value);
	fs_set(&op->f, "scope", scope);
}

/* libpg_query lexes as the server does with client_encoding UTF8 and
 * standard_conforming_strings on. A session that changes either is lexed
 * differently by the server from then on: a string literal interlock sees
 * could hide a statement there. */
static void set_lexing(walk *w, const char *statement, const char *name, const char *value)
{
	bool differs = false;
	if (strcasecmp(name, "standard_conforming_strings") == 0) {
		differs = parse_bool(value) != 1;
	} else if (strcasecmp(name, "client_encoding") == 0) {
		char norm[16];
		size_t n = 0;
		for (const char *p = value; *p && n + 1 < sizeof(norm); p++)
			if (isalnum((unsigned char)*p))
				norm[n++] = (char)tolower((unsigned char)*p);
		norm[n] = '\0';
		differs = strcmp(norm, "utf8") != 0 && strcmp(norm, "unicode") != 0 &&
		          strcmp(norm, "sqlascii") != 0;
	}
	if (!differs)
		return;
	operation *op = add_op(w, "opaque", statement);
	fs_setf(&op->f, "reason",
	        "sets %s to %s: the server lexes later statements differently from interlock", name,
	        value);
}

/* Whether the schema list element at *p (advanced past it and its comma)
 * names pg_catalog: a quoted name exactly, a bare one in any case. */
static bool next_is_pg_catalog(const char **p)
{
	const char *s = *p + strspn(*p, " \t");
	bool hit;
	if (*s == '"') {
		const char *end = strchr(s + 1, '"');
		hit = end && end - s - 1 == 10 && strncmp(s + 1, "pg_catalog", 10) == 0;
		s = end ? end + 1 : s + strlen(s);
	} else {
		size_t n = strcspn(s, ",");
		size_t k = n;
		while (k && strchr(" \t", s[k - 1]))
			k--;
		hit = k == 10 && strncasecmp(s, "pg_catalog", 10) == 0;
		s += n;
	}
	s += strcspn(s, ",");
	*p = *s ? s + 1 : s;
	return hit;
}

/* search_path with pg_catalog after another schema lets a function of that
 * schema stand in for a built-in one, which the list of safe functions
 * assumes cannot happen. list: the schemas, as set_config takes them. */
static void set_search_path(walk *w, const char *statement, const char *list)
{
	for (size_t index = 0; *list; index++) {
		if (next_is_pg_catalog(&list) && index > 0) {
			operation *op = add_op(w, "opaque", statement);
			fs_set(&op->f, "reason",
			       "puts pg_catalog after other schemas in search_path: "
			       "their functions can then stand in for built-in ones");
			return;
		}
	}
}

/* SET's arguments as a schema list: each quoted, as the grammar has
 * already folded the bare ones. */
static char *set_args_text(const walk *w, json_t *args)
{
	strbuf b = {0};
	for (size_t i = 0; i < json_array_size(args); i++) {
		char *v = value_text(w, json_array_get(args, i));
		sb_printf(&b, "%s\"%s\"", i ? "," : "", v);
		free(v);
	}
	return sb_steal(&b);
}

/* A VariableSetStmt body (SET, RESET, ALTER ... SET). */
static void handle_set(walk *w, json_t *vs, const char *statement, const char *scope)
{
	const char *kind = str_field(vs, "kind");
	const char *name = str_field(vs, "name");
	json_t *args = json_object_get(vs, "args");
	if (!kind)
		return;
	if (bool_field(vs, "is_local"))
		scope = "local";
	if (strcmp(kind, "VAR_RESET_ALL") == 0) {
		read_write_op(w, statement, "all", "default", scope);
	} else if (strcmp(kind, "VAR_SET_MULTI") == 0) {
		/* SET TRANSACTION / SESSION CHARACTERISTICS AS TRANSACTION */
		int ro = option_bool(w, args, "transaction_read_only");
		if (ro == 0 || ro == OPT_INVALID)
			read_write_op(w, statement, "transaction_read_only", "off",
			              name && strcmp(name, "TRANSACTION") == 0 ? "transaction"
			                                                       : scope);
	} else if (!name) {
		return;
	} else if (strcmp(kind, "VAR_SET_VALUE") == 0) {
		char *value = value_text(w, json_array_get(args, 0));
		if (is_read_only_setting(name) && parse_bool(value) != 1)
			read_write_op(w, statement, name, value, scope);
		set_lexing(w, statement, name, value);
		safeguard_setting(w, statement, name, value, scope);
		if (strcasecmp(name, "search_path") == 0) {
			char *list = set_args_text(w, args);
			set_search_path(w, statement, list);
			free(list);
		}
		free(value);
	} else if (is_read_only_setting(name)) {
		/* SET ... TO DEFAULT, RESET: back to whatever the server's
		 * configuration says, which interlock cannot see. */
		read_write_op(w, statement, name, "default", scope);
	}
}

/* ---- functions ------------------------------------------------------------ */

/* Built-in functions (pg_catalog, which the server searches first) that
 * read or compute and change nothing that matters: calling one is not an
 * opaque operation. Sorted for bsearch (LC_ALL=C sort). Left out on
 * purpose: anything that signals backends, reloads or writes
 * configuration, reads or writes server files, large objects, replication
 * slots, runs query text (query_to_xml, ...), setval, set_config (handled
 * apart) and pg_notify. */
static const char safe_functions[][32] = {
    "abs",
    "acos",
    "age",
    "array_agg",
    "array_append",
    "array_cat",
    "array_dims",
    "array_fill",
    "array_length",
    "array_lower",
    "array_ndims",
    "array_position",
    "array_positions",
    "array_prepend",
    "array_remove",
    "array_replace",
    "array_to_json",
    "array_to_string",
    "array_upper",
    "ascii",
    "asin",
    "atan",
    "atan2",
    "avg",
    "bit_and",
    "bit_length",
    "bit_or",
    "bool_and",
    "bool_or",
    "btrim",
    "cardinality",
    "cbrt",
    "ceil",
    "ceiling",
    "char_length",
    "character_length",
    "chr",
    "clock_timestamp",
    "col_description",
    "concat",
    "concat_ws",
    "corr",
    "cos",
    "count",
    "covar_pop",
    "covar_samp",
    "cume_dist",
    "current_database",
    "current_query",
    "current_schema",
    "current_schemas",
    "current_setting",
    "currval",
    "date_bin",
    "date_part",
    "date_trunc",
    "decode",
    "degrees",
    "dense_rank",
    "div",
    "encode",
    "every",
    "exp",
    "extract",
    "first_value",
    "floor",
    "format",
    "format_type",
    "gcd",
    "gen_random_uuid",
    "generate_series",
    "generate_subscripts",
    "has_column_privilege",
    "has_database_privilege",
    "has_function_privilege",
    "has_schema_privilege",
    "has_sequence_privilege",
    "has_table_privilege",
    "initcap",
    "isfinite",
    "json_agg",
    "json_array_elements",
    "json_array_elements_text",
    "json_array_length",
    "json_build_array",
    "json_build_object",
    "json_each",
    "json_each_text",
    "json_extract_path",
    "json_extract_path_text",
    "json_object",
    "json_object_agg",
    "json_object_keys",
    "json_populate_record",
    "json_populate_recordset",
    "json_strip_nulls",
    "json_to_record",
    "json_to_recordset",
    "json_typeof",
    "jsonb_agg",
    "jsonb_array_elements",
    "jsonb_array_elements_text",
    "jsonb_array_length",
    "jsonb_build_array",
    "jsonb_build_object",
    "jsonb_each",
    "jsonb_each_text",
    "jsonb_extract_path",
    "jsonb_extract_path_text",
    "jsonb_insert",
    "jsonb_object",
    "jsonb_object_agg",
    "jsonb_object_keys",
    "jsonb_path_exists",
    "jsonb_path_match",
    "jsonb_path_query",
    "jsonb_path_query_array",
    "jsonb_path_query_first",
    "jsonb_populate_record",
    "jsonb_populate_recordset",
    "jsonb_pretty",
    "jsonb_set",
    "jsonb_set_lax",
    "jsonb_strip_nulls",
    "jsonb_to_record",
    "jsonb_to_recordset",
    "jsonb_typeof",
    "justify_days",
    "justify_hours",
    "justify_interval",
    "lag",
    "last_value",
    "lastval",
    "lcm",
    "lead",
    "left",
    "length",
    "ln",
    "log",
    "log10",
    "lower",
    "lpad",
    "ltrim",
    "make_date",
    "make_interval",
    "make_time",
    "make_timestamp",
    "make_timestamptz",
    "max",
    "md5",
    "min",
    "mod",
    "mode",
    "nextval",
    "now",
    "nth_value",
    "ntile",
    "num_nonnulls",
    "num_nulls",
    "obj_description",
    "octet_length",
    "overlay",
    "percent_rank",
    "percentile_cont",
    "percentile_disc",
    "pg_advisory_lock",
    "pg_advisory_unlock",
    "pg_advisory_unlock_all",
    "pg_advisory_xact_lock",
    "pg_backend_pid",
    "pg_blocking_pids",
    "pg_column_size",
    "pg_current_wal_lsn",
    "pg_database_size",
    "pg_get_constraintdef",
    "pg_get_expr",
    "pg_get_function_arguments",
    "pg_get_function_result",
    "pg_get_functiondef",
    "pg_get_indexdef",
    "pg_get_ruledef",
    "pg_get_serial_sequence",
    "pg_get_triggerdef",
    "pg_get_userbyid",
    "pg_get_viewdef",
    "pg_has_role",
    "pg_indexes_size",
    "pg_is_in_recovery",
    "pg_last_wal_receive_lsn",
    "pg_last_wal_replay_lsn",
    "pg_last_xact_replay_timestamp",
    "pg_postmaster_start_time",
    "pg_relation_size",
    "pg_size_bytes",
    "pg_size_pretty",
    "pg_sleep",
    "pg_table_is_visible",
    "pg_table_size",
    "pg_tablespace_size",
    "pg_total_relation_size",
    "pg_try_advisory_lock",
    "pg_try_advisory_xact_lock",
    "pg_typeof",
    "pg_wal_lsn_diff",
    "pi",
    "plainto_tsquery",
    "position",
    "power",
    "quote_ident",
    "quote_literal",
    "quote_nullable",
    "radians",
    "random",
    "rank",
    "regexp_match",
    "regexp_matches",
    "regexp_replace",
    "regexp_split_to_array",
    "regexp_split_to_table",
    "repeat",
    "replace",
    "reverse",
    "right",
    "round",
    "row_number",
    "row_to_json",
    "rpad",
    "rtrim",
    "sha224",
    "sha256",
    "sha384",
    "sha512",
    "sign",
    "similar_to_escape",
    "sin",
    "split_part",
    "sqrt",
    "starts_with",
    "statement_timestamp",
    "stddev",
    "stddev_pop",
    "stddev_samp",
    "string_agg",
    "string_to_array",
    "string_to_table",
    "strpos",
    "substr",
    "substring",
    "sum",
    "tan",
    "timeofday",
    "timezone",
    "to_char",
    "to_date",
    "to_hex",
    "to_json",
    "to_jsonb",
    "to_number",
    "to_regclass",
    "to_regnamespace",
    "to_regproc",
    "to_regprocedure",
    "to_regrole",
    "to_regtype",
    "to_timestamp",
    "to_tsquery",
    "to_tsvector",
    "transaction_timestamp",
    "translate",
    "trunc",
    "ts_headline",
    "ts_rank",
    "ts_rank_cd",
    "txid_current",
    "unnest",
    "upper",
    "var_pop",
    "var_samp",
    "variance",
    "version",
    "websearch_to_tsquery",
    "width_bucket",
};

/* bsearch over an array of fixed-width names (no pointers, so no
 * relocations at start-up). */
static int cmp_name(const void *key, const void *elem)
{
	return strcmp(key, elem);
}

static bool is_safe_function(const char *name)
{
	return bsearch(name, safe_functions, sizeof(safe_functions) / sizeof(safe_functions[0]),
	               sizeof(safe_functions[0]), cmp_name) != NULL;
}

/* The operator names of pg_catalog in PostgreSQL 15 (and !=, which the
 * lexer turns into <>). As with functions, a name here is trusted: the
 * server resolves it to pg_catalog's operator for built-in argument types.
 * Any other operator is user code, which the planner may even run while
 * it plans (an IMMUTABLE one on constants). Sorted for bsearch. */
static const char builtin_operators[][5] = {
    "!!",  "!=",  "!~",  "!~*",  "!~~", "!~~*", "#",    "##",  "#-",  "#>",  "#>>", "%",   "&",
    "&&",  "&<",  "&<|", "&>",   "*",   "*<",   "*<=",  "*<>", "*=",  "*>",  "*>=", "+",   "-",
    "->",  "->>", "-|-", "/",    "<",   "<->",  "<<",   "<<=", "<<|", "<=",  "<>",  "<@",  "<^",
    "=",   ">",   ">=",  ">>",   ">>=", ">^",   "?",    "?#",  "?&",  "?-",  "?-|", "?|",  "?||",
    "@",   "@-@", "@>",  "@?",   "@@",  "@@@",  "^",    "^@",  "|",   "|&>", "|/",  "|>>", "||",
    "||/", "~",   "~*",  "~<=~", "~<~", "~=",   "~>=~", "~>~", "~~",  "~~*",
};

static bool is_builtin_operator(const char *name)
{
	return bsearch(name, builtin_operators,
	               sizeof(builtin_operators) / sizeof(builtin_operators[0]),
	               sizeof(builtin_operators[0]), cmp_name) != NULL;
}

/* set_config(name, value, is_local) is SET by another name. */
static void handle_set_config(walk *w, json_t *args)
{
	cval name = const_value(w, json_array_get(args, 0));
	if (name.kind != CV_STR) {
		operation *op = add_op(w, "opaque", w->stmt);
		fs_set(&op->f, "function", "set_config");
		fs_set(&op->f, "reason", "calls set_config with a setting computed at run time");
		return;
	}
	char *value = value_text(w, json_array_get(args, 1));
	truth local = expr_truth(w, json_array_get(args, 2));
	if (is_read_only_setting(name.s) && parse_bool(value) != 1)
		read_write_op(w, w->stmt, name.s, value, local == TV_TRUE ? "local" : "session");
	set_lexing(w, w->stmt, name.s, value);
	safeguard_setting(w, w->stmt, name.s, value, local == TV_TRUE ? "local" : "session");
	if (strcasecmp(name.s, "search_path") == 0)
		set_search_path(w, w->stmt, value);
	free(value);
}

/* A function call. Unknown code could do anything, so a call of anything
 * but a safe built-in is an opaque operation, one per function and
 * statement. Calls the grammar writes for SQL syntax (EXTRACT, SUBSTRING,
 * AT TIME ZONE, ...) are pg_catalog's. */
static bool handle_func_call(walk *w, json_t *fc)
{
	json_t *names = json_object_get(fc, "funcname");
	size_t n = json_array_size(names);
	const char *schema = n == 2 ? string_node(json_array_get(names, 0)) : NULL;
	const char *fn = string_node(json_array_get(names, n - 1));
	bool builtin = n == 1 || (n == 2 && schema && strcmp(schema, "pg_catalog") == 0);
	if (!fn)
		return true;
	if (builtin && strcmp(fn, "set_config") == 0) {
		handle_set_config(w, json_object_get(fc, "args"));
		return true;
	}
	if (builtin && (is_safe_function(fn) ||
	                (schema && str_field_is(fc, "funcformat", "COERCE_SQL_SYNTAX"))))
		return true;
	char *name = qualified_name(names);
	if (!sv_contains(&w->funcs, name)) {
		operation *op = add_op(w, "opaque", w->stmt);
		fs_set(&op->f, "function", name);
		fs_setf(&op->f, "reason", "calls function %s, whose effect interlock cannot see",
		        name);
		sv_push(&w->funcs, name);
	}
	free(name);
	return true;
}

/* One use of an operator (names: its possibly qualified name). Every
 * operator is remembered for the statement's dml operations (explain.c
 * plans only statements whose operators it knows); one that is not
 * pg_catalog's is an opaque operation, once per statement. */
static void use_operator(walk *w, json_t *names)
{
	size_t n = json_array_size(names);
	const char *schema = n == 2 ? string_node(json_array_get(names, 0)) : NULL;
	const char *name = string_node(json_array_get(names, n - 1));
	bool builtin = name && (n == 1 || (schema && strcmp(schema, "pg_catalog") == 0)) &&
	               is_builtin_operator(name);
	char *shown = builtin ? xstrdup(name) : qualified_name(names);
	if (!sv_contains(&w->operators, shown)) {
		sv_push(&w->operators, shown);
		if (!builtin) {
			operation *op = add_op(w, "opaque", w->stmt);
			fs_set(&op->f, "operator", shown);
			fs_setf(&op->f, "reason",
			        "uses operator %s, which is not a built-in one: its function's "
			        "effect interlock cannot see",
			        shown);
		}
	}
	free(shown);
}

/* An operator the grammar writes for SQL syntax: x BETWEEN a AND b is
 * x >= a AND x <= b; NOT BETWEEN is x < a OR x > b. */
static void use_builtin_operator(walk *w, const char *name)
{
	json_t *names = json_pack("[{s{ss}}]", "String", "sval", name);
	use_operator(w, names);
	json_decref(names);
}

/* An operator expression. IN, LIKE, IS DISTINCT FROM, NULLIF, ANY/ALL
 * carry their operator's name (=, <>, ~~, ...). */
static bool handle_a_expr(walk *w, json_t *n)
{
	const char *kind = str_field(n, "kind");
	json_t *names = json_object_get(n, "name");
	if (kind && str_starts(kind, "AEXPR_BETWEEN")) {
		use_builtin_operator(w, ">=");
		use_builtin_operator(w, "<=");
	} else if (kind && str_starts(kind, "AEXPR_NOT_BETWEEN")) {
		use_builtin_operator(w, "<");
		use_builtin_operator(w, ">");
	} else if (json_array_size(names)) {
		use_operator(w, names);
	}
	return true;
}

/* x op ANY (SELECT ...), x op ALL (...), (a, b) op (SELECT ...). */
static bool handle_sublink(walk *w, json_t *n)
{
	if (list_size(n, "operName"))
		use_operator(w, json_object_get(n, "operName"));
	return true;
}

/* ORDER BY x USING op. */
static bool handle_sort_by(walk *w, json_t *n)
{
	if (list_size(n, "useOp"))
		use_operator(w, json_object_get(n, "useOp"));
	return true;
}

/* ---- statement handlers --------------------------------------------------- */

/* A handler looks at one node and returns whether the walk goes on into
 * the node's children. */
typedef bool handler_fn(walk *w, json_t *n);

static void walk_value(walk *w, json_t *v);

static operation *dml_op(walk *w, const char *statement, json_t *n)
{
	operation *op = add_op(w, "dml", statement);
	set_rangevar(op, "table", json_object_get(n, "relation"));
	set_yes_no(op, "in_cte", w->in_cte > 0);
	set_yes_no(op, "returning", list_size(n, "returningList") > 0);
	return op;
}

static bool handle_delete(walk *w, json_t *n)
{
	operation *op = dml_op(w, "DELETE", n);
	fs_set(&op->f, "where", where_word(w, json_object_get(n, "whereClause")));
	return true;
}

static void put_res_target_name(strbuf *b, json_t *rt)
{
	const char *name = str_field(as_node(rt, "ResTarget"), "name");
	if (name)
		put_ident(b, name);
	else
		sb_putc(b, '?');
}

static bool handle_update(walk *w, json_t *n)
{
	operation *op = dml_op(w, "UPDATE", n);
	fs_set(&op->f, "where", where_word(w, json_object_get(n, "whereClause")));
	set_list(op, "columns", json_object_get(n, "targetList"), put_res_target_name);
	return true;
}

/* Where the rows of an INSERT come from: "values" (as many rows as are
 * listed), "default-values" (one row) or "query" (as many as it returns,
 * which can be every row of a table). */
static const char *insert_rows_from(json_t *n)
{
	json_t *sel = as_node(json_object_get(n, "selectStmt"), "SelectStmt");
	if (!json_object_get(n, "selectStmt"))
		return "default-values";
	return sel && json_object_get(sel, "valuesLists") && !json_object_get(sel, "larg")
	           ? "values"
	           : "query";
}

/* INSERT ... ON CONFLICT DO UPDATE updates every existing row that one of
 * its rows conflicts with: an UPDATE whose WHERE is the DO UPDATE's (none
 * when absent). Its rows bound what it can change: a VALUES list changes at
 * most as many rows as it lists (the server refuses to update a row twice),
 * a query as many as it returns, which can be every row (INSERT INTO t
 * SELECT * FROM t ON CONFLICT ... DO UPDATE); rows_from tells them apart
 * for the rules. Plain INSERT and DO NOTHING change no existing row: not
 * reported. */
static bool handle_insert(walk *w, json_t *n)
{
	json_t *oc = json_object_get(n, "onConflictClause");
	if (!str_field_is(oc, "action", "ONCONFLICT_UPDATE"))
		return true;
	operation *op = dml_op(w, "INSERT", n);
	fs_set(&op->f, "where", where_word(w, json_object_get(oc, "whereClause")));
	set_list(op, "columns", json_object_get(oc, "targetList"), put_res_target_name);
	fs_set(&op->f, "on_conflict", "update");
	fs_set(&op->f, "rows_from", insert_rows_from(n));
	return true;
}

/* MERGE changes the target rows its ON condition matches, through WHEN
 * MATCHED clauses; inserting only, it is reported like INSERT: not at all.
 * where is constant-true when ON is and some WHEN MATCHED ... UPDATE or
 * DELETE has no condition (or a constant-true one): every row then goes.
 * Otherwise present; never none, as ON is required. */
static bool handle_merge(walk *w, json_t *n)
{
	json_t *whens = json_object_get(n, "mergeWhenClauses");
	bool on_true = expr_truth(w, json_object_get(n, "joinCondition")) == TV_TRUE;
	bool touches = false, all = false;
	strbuf actions = {0};
	for (size_t i = 0; i < json_array_size(whens); i++) {
		json_t *c = as_node(json_array_get(whens, i), "MergeWhenClause");
		const char *cmd = str_field(c, "commandType");
		if (!c || !bool_field(c, "matched") || !cmd || strcmp(cmd, "CMD_NOTHING") == 0)
			continue;
		const char *word = strcmp(cmd, "CMD_DELETE") == 0 ? "delete" : "update";
		if (!strstr(actions.s ? actions.s : "", word))
			sb_printf(&actions, "%s%s", actions.len ? "," : "", word);
		touches = true;
		json_t *cond = json_object_get(c, "condition");
		all = all || (on_true && (!cond || expr_truth(w, cond) == TV_TRUE));
	}
	if (touches) {
		operation *op = dml_op(w, "MERGE", n);
		fs_set(&op->f, "where", all ? "constant-true" : "present");
		fs_set(&op->f, "actions", actions.s);
	}
	sb_free(&actions);
	return true;
}

static const char *behavior_cascade(json_t *n)
{
	return str_field_is(n, "behavior", "DROP_CASCADE") ? "yes" : "no";
}

static bool handle_truncate(walk *w, json_t *n)
{
	operation *op = add_op(w, "truncate", "TRUNCATE");
	set_list(op, "tables", json_object_get(n, "relations"), put_rangevar);
	fs_set(&op->f, "cascade", behavior_cascade(n));
	set_yes_no(op, "restart_identity", bool_field(n, "restart_seqs"));
	return false;
}

static operation *index_op(walk *w, const char *statement, const char *action, bool concurrently)
{
	operation *op = add_op(w, "index", statement);
	fs_set(&op->f, "action", action);
	set_yes_no(op, "concurrently", concurrently);
	return op;
}

static bool handle_drop(walk *w, json_t *n)
{
	const char *type = str_field(n, "removeType");
	json_t *objects = json_object_get(n, "objects");
	char *word = object_word(type);
	char *statement = statement_for("DROP", word);
	operation *op = add_op(w, "drop", statement);
	fs_set(&op->f, "object", word);
	/* Triggers, policies and rules are named "table.name". */
	bool on_table =
	    type && (strcmp(type, "OBJECT_TRIGGER") == 0 || strcmp(type, "OBJECT_POLICY") == 0 ||
	             strcmp(type, "OBJECT_RULE") == 0);
	if (on_table && json_array_size(objects) == 1) {
		json_t *items =
		    json_object_get(as_node(json_array_get(objects, 0), "List"), "items");
		size_t k = json_array_size(items);
		strbuf b = {0};
		put_qualified(&b, items, k ? k - 1 : 0, k);
		fs_set(&op->f, "names", b.s ? b.s : "?");
		sb_free(&b);
		put_qualified(&b, items, 0, k ? k - 1 : 0);
		fs_set(&op->f, "table", b.s ? b.s : "?");
		sb_free(&b);
	} else {
		set_list(op, "names", objects, put_object);
	}
	fs_set(&op->f, "cascade", behavior_cascade(n));
	set_yes_no(op, "if_exists", bool_field(n, "missing_ok"));
	if (type && strcmp(type, "OBJECT_INDEX") == 0) {
		set_yes_no(op, "concurrently", bool_field(n, "concurrent"));
		operation *ix = index_op(w, statement, "drop", bool_field(n, "concurrent"));
		set_list(ix, "names", objects, put_object);
	}
	free(statement);
	free(word);
	return false;
}

static bool handle_dropdb(walk *w, json_t *n)
{
	operation *op = add_op(w, "drop-database", "DROP DATABASE");
	const char *name = str_field(n, "dbname");
	fs_set(&op->f, "object", "database");
	fs_set(&op->f, "name", name ? name : "?");
	fs_set(&op->f, "names", name ? name : "?");
	set_yes_no(op, "if_exists", bool_field(n, "missing_ok"));
	set_yes_no(op, "force", option_bool(w, json_object_get(n, "options"), "force") > 0);
	return false;
}

/* DROP ROLE, DROP OWNED, DROP TABLESPACE, ...: statements of their own. */
static void drop_other(walk *w, const char *object, json_t *names_list, const char *name, json_t *n)
{
	char *statement = statement_for("DROP", object);
	operation *op = add_op(w, "drop", statement);
	fs_set(&op->f, "object", object);
	if (names_list)
		set_list(op, "names", names_list, put_object);
	else
		fs_set(&op->f, "names", name ? name : "?");
	fs_set(&op->f, "cascade", behavior_cascade(n));
	set_yes_no(op, "if_exists", bool_field(n, "missing_ok"));
	free(statement);
}

static bool handle_drop_role(walk *w, json_t *n)
{
	drop_other(w, "role", json_object_get(n, "roles"), NULL, n);
	return false;
}

static bool handle_drop_owned(walk *w, json_t *n)
{
	drop_other(w, "owned", json_object_get(n, "roles"), NULL, n);
	return false;
}

static bool handle_drop_tablespace(walk *w, json_t *n)
{
	drop_other(w, "tablespace", NULL, str_field(n, "tablespacename"), n);
	return false;
}

static bool handle_drop_subscription(walk *w, json_t *n)
{
	drop_other(w, "subscription", NULL, str_field(n, "subname"), n);
	return false;
}

static bool handle_drop_user_mapping(walk *w, json_t *n)
{
	strbuf b = {0};
	put_role(&b, json_object_get(n, "user"));
	drop_other(w, "user mapping", NULL, b.s, n);
	sb_free(&b);
	return false;
}

/* The constraints of an added column: NOT NULL, DEFAULT, and whether
 * filling it rewrites the table. */
typedef struct {
	bool not_null, has_default, rewrite;
} column_traits;

/* Defaults evaluated once (PostgreSQL 11+ then stores the value and does
 * not rewrite): literals and the stable time functions. Anything else may
 * be volatile and is evaluated for every row. */
static bool default_is_constant(json_t *expr)
{
	json_t *b;
	const char *type = node_type(expr, &b);
	if (!type)
		return false;
	if (strcmp(type, "A_Const") == 0 || strcmp(type, "SQLValueFunction") == 0)
		return true;
	if (strcmp(type, "TypeCast") == 0)
		return default_is_constant(json_object_get(b, "arg"));
	if (strcmp(type, "FuncCall") == 0 && list_size(b, "args") == 0) {
		json_t *names = json_object_get(b, "funcname");
		const char *fn = string_node(json_array_get(names, json_array_size(names) - 1));
		return fn && (strcmp(fn, "now") == 0 || strcmp(fn, "transaction_timestamp") == 0 ||
		              strcmp(fn, "statement_timestamp") == 0);
	}
	return false;
}

static column_traits column_def_traits(json_t *cd)
{
	column_traits t = {0};
	json_t *cons = json_object_get(cd, "constraints");
	for (size_t i = 0; i < json_array_size(cons); i++) {
		json_t *c = as_node(json_array_get(cons, i), "Constraint");
		const char *type = str_field(c, "contype");
		if (!type)
			continue;
		if (strcmp(type, "CONSTR_NOTNULL") == 0 || strcmp(type, "CONSTR_PRIMARY") == 0)
			t.not_null = true;
		if (strcmp(type, "CONSTR_DEFAULT") == 0) {
			t.has_default = true;
			t.rewrite =
			    t.rewrite || !default_is_constant(json_object_get(c, "raw_expr"));
		}
		if (strcmp(type, "CONSTR_IDENTITY") == 0 || strcmp(type, "CONSTR_GENERATED") == 0)
			t.rewrite = true;
	}
	json_t *names = json_object_get(json_object_get(cd, "typeName"), "names");
	const char *tn = string_node(json_array_get(names, json_array_size(names) - 1));
	if (tn && strstr(tn, "serial"))
		t.rewrite = true;
	return t;
}

static const char *constraint_word(const char *contype)
{
	static const char *const words[][2] = {
	    {"CONSTR_CHECK", "check"},         {"CONSTR_FOREIGN", "foreign-key"},
	    {"CONSTR_PRIMARY", "primary-key"}, {"CONSTR_UNIQUE", "unique"},
	    {"CONSTR_EXCLUSION", "exclusion"},
	};
	for (size_t i = 0; contype && i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(contype, words[i][0]) == 0)
			return words[i][1];
	return NULL;
}

/* ADD CONSTRAINT: a CHECK or FOREIGN KEY without NOT VALID scans the table
 * under lock; PRIMARY KEY, UNIQUE and EXCLUDE build an index under lock
 * unless USING INDEX names a built one. */
static const char *add_constraint_subcommand(json_t *c, const char **type)
{
	*type = constraint_word(str_field(c, "contype"));
	if (!*type || bool_field(c, "skip_validation") || str_field(c, "indexname"))
		return NULL;
	return "add-constraint-validated";
}

/* ALTER TABLE subcommands that lose data, take a long lock, rewrite the
 * table or switch a safeguard off, and the field their name goes in. The
 * others (ADD COLUMN and ADD CONSTRAINT apart) are not reported. */
static const struct {
	const char *subtype, *word, *name_field;
} alter_words[] = {
    {"AT_AlterColumnType", "alter-column-type", "column"},
    {"AT_DetachPartition", "detach-partition", NULL},
    {"AT_DisableRowSecurity", "disable-row-security", NULL},
    {"AT_DisableTrig", "disable-trigger", "trigger"},
    {"AT_DisableTrigAll", "disable-trigger-all", NULL},
    {"AT_DisableTrigUser", "disable-trigger-user", NULL},
    {"AT_DropColumn", "drop-column", "column"},
    {"AT_DropColumnRecurse", "drop-column", "column"},
    {"AT_DropConstraint", "drop-constraint", "constraint"},
    {"AT_DropConstraintRecurse", "drop-constraint", "constraint"},
    {"AT_NoForceRowSecurity", "disable-row-security", NULL},
    {"AT_SetAccessMethod", "set-access-method", "access_method"},
    {"AT_SetLogged", "set-logged", NULL},
    {"AT_SetNotNull", "set-not-null", "column"},
    {"AT_SetTableSpace", "set-tablespace", "tablespace"},
    {"AT_SetUnLogged", "set-unlogged", NULL},
};

/* The subcommand word of one ALTER TABLE subcommand (NULL: not reported),
 * its name and the field for the name. */
static const char *alter_subcommand(json_t *cmd, const char **name, const char **name_field,
                                    const char **contype)
{
	const char *sub = str_field(cmd, "subtype");
	json_t *def = json_object_get(cmd, "def"), *b;
	*name = str_field(cmd, "name");
	*name_field = NULL;
	*contype = NULL;
	if (!sub)
		return NULL;
	if (str_starts(sub, "AT_AddColumn") && (b = as_node(def, "ColumnDef"))) {
		column_traits ct = column_def_traits(b);
		*name = str_field(b, "colname");
		*name_field = "column";
		return ct.rewrite                       ? "add-column-rewrite"
		       : ct.not_null && !ct.has_default ? "add-column-not-null-no-default"
		                                        : NULL;
	}
	if (str_starts(sub, "AT_AddConstraint")) {
		b = as_node(def, "Constraint");
		*name = str_field(b, "conname");
		*name_field = "constraint";
		return add_constraint_subcommand(b, contype);
	}
	for (size_t i = 0; i < sizeof(alter_words) / sizeof(alter_words[0]); i++) {
		if (strcmp(sub, alter_words[i].subtype) == 0) {
			*name_field = alter_words[i].name_field;
			return alter_words[i].word;
		}
	}
	return NULL;
}

static void alter_cmd(walk *w, const char *statement, json_t *relation, json_t *cmd)
{
	const char *name, *name_field, *contype;
	const char *word = alter_subcommand(cmd, &name, &name_field, &contype);
	if (!word)
		return;
	operation *op = add_op(w, "alter-table", statement);
	set_rangevar(op, "table", relation);
	fs_set(&op->f, "subcommand", word);
	if (name_field && name)
		fs_set(&op->f, name_field, name);
	if (contype)
		fs_set(&op->f, "constraint_type", contype);
	json_t *def = json_object_get(cmd, "def"), *b;
	if ((b = as_node(def, "PartitionCmd"))) {
		set_rangevar(op, "partition", json_object_get(b, "name"));
		set_yes_no(op, "concurrently", bool_field(b, "concurrent"));
	}
	if (strcmp(word, "alter-column-type") == 0 && (b = as_node(def, "ColumnDef"))) {
		strbuf t = {0};
		put_typename(&t, json_object_get(b, "typeName"));
		fs_set(&op->f, "type", t.s ? t.s : "?");
		sb_free(&t);
	}
	if (str_starts(word, "drop-")) {
		fs_set(&op->f, "cascade", behavior_cascade(cmd));
		set_yes_no(op, "if_exists", bool_field(cmd, "missing_ok"));
	}
}

/* ALTER ... OWNER TO hands an object to another role: the new owner may
 * do anything with it (drop it, grant it, replace a SECURITY DEFINER
 * function's body), so it is a privilege change. objects: the object as
 * shown. */
static void owner_op(walk *w, const char *statement, const char *objtype, const char *objects,
                     json_t *newowner)
{
	operation *op = add_op(w, "privilege", statement);
	fs_set(&op->f, "privileges", "ownership");
	char *word = object_word(objtype);
	fs_set(&op->f, "object", word);
	free(word);
	fs_set(&op->f, "objects", objects ? objects : "?");
	strbuf b = {0};
	put_role(&b, newowner);
	fs_set(&op->f, "grantees", b.s);
	sb_free(&b);
	fs_set(&op->f, "grant_option", "no");
}

static bool handle_alter_owner(walk *w, json_t *n)
{
	const char *type = str_field(n, "objectType");
	char *word = object_word(type);
	char *statement = statement_for("ALTER", word);
	strbuf b = {0};
	json_t *obj = json_object_get(n, "object"), *iv;
	if (json_object_get(n, "relation"))
		put_rangevar(&b, json_object_get(n, "relation"));
	else if ((iv = as_node(obj, "Integer"))) /* a large object's oid */
		sb_printf(&b, "%lld", (long long)json_integer_value(json_object_get(iv, "ival")));
	else
		put_object(&b, obj);
	owner_op(w, statement, type, b.s, json_object_get(n, "newowner"));
	sb_free(&b);
	free(statement);
	free(word);
	return false;
}

/* ALTER FUNCTION ... SECURITY DEFINER: every caller then runs it with its
 * owner's rights (a superuser's, often): a privilege change. */
static bool handle_alter_function(walk *w, json_t *n)
{
	if (option_bool(w, json_object_get(n, "actions"), "security") <= 0)
		return false;
	const char *type = str_field(n, "objtype");
	char *word = object_word(type);
	char *statement = statement_for("ALTER", word);
	operation *op = add_op(w, "privilege", statement);
	fs_set(&op->f, "privileges", "security definer");
	fs_set(&op->f, "object", word);
	strbuf b = {0};
	put_qualified(&b, json_object_get(json_object_get(n, "func"), "objname"), 0, SIZE_MAX);
	fs_set(&op->f, "objects", b.s ? b.s : "?");
	sb_free(&b);
	fs_set(&op->f, "grantees", "");
	fs_set(&op->f, "grant_option", "no");
	free(statement);
	free(word);
	return false;
}

/* A numeric option's value as written: "5", "-1". libpg_query writes 0
 * and negative integers as {} (see aconst_value()), so those are read
 * from the text after the option's name; "?" when that fails. */
static char *defelem_number(const walk *w, json_t *de)
{
	json_t *arg = json_object_get(de, "arg"), *b;
	if ((b = as_node(arg, "Float")) && str_field(b, "fval"))
		return xstrdup(str_field(b, "fval"));
	if (!(b = as_node(arg, "Integer")))
		return xstrdup(string_node(arg) ? string_node(arg) : "?");
	json_t *iv = json_object_get(b, "ival");
	if (json_is_integer(iv))
		return xasprintf("%lld", (long long)json_integer_value(iv));
	long loc = (long)json_integer_value(json_object_get(de, "location"));
	while (loc >= 0 && (size_t)loc < w->sql_len &&
	       (isalpha((unsigned char)w->sql[loc]) ||
	        (w->sql[loc] && strchr("_= \t\r\n", w->sql[loc]))))
		loc++;
	double v;
	return literal_int_at(w, loc, &v) ? xasprintf("%.0f", v) : xstrdup("?");
}

/* ALTER DATABASE name WITH option value: one operation per option.
 * ALLOW_CONNECTIONS false and CONNECTION LIMIT refuse new connections,
 * IS_TEMPLATE true lets any role with CREATEDB copy the database, SET
 * TABLESPACE copies it while no one may be connected: psql.toml decides.
 * Booleans are yes, no or ? (refused by the server). */
static bool handle_alter_database(walk *w, json_t *n)
{
	const char *name = str_field(n, "dbname");
	json_t *options = json_object_get(n, "options");
	for (size_t i = 0; i < json_array_size(options); i++) {
		json_t *de = as_node(json_array_get(options, i), "DefElem");
		const char *opt = str_field(de, "defname");
		if (!opt)
			continue;
		operation *op = add_op(w, "alter-database", "ALTER DATABASE");
		fs_set(&op->f, "name", name ? name : "?");
		fs_set(&op->f, "option", opt);
		char *value;
		if (strcmp(opt, "allow_connections") == 0 || strcmp(opt, "is_template") == 0) {
			int v = defelem_bool(w, de);
			value = xstrdup(v == 1 ? "yes" : v == 0 ? "no" : "?");
		} else {
			value = defelem_number(w, de);
		}
		fs_set(&op->f, "value", value);
		free(value);
	}
	return false;
}

/* RESTART in a sequence's options: the sequence hands out values again
 * that rows may already hold (duplicate keys, or references to the wrong
 * row). Other options are listed. */
static void sequence_op(walk *w, const char *statement, const char *sequence, json_t *options)
{
	json_t *restart = NULL;
	strbuf names = {0};
	for (size_t i = 0; i < json_array_size(options); i++) {
		json_t *de = as_node(json_array_get(options, i), "DefElem");
		const char *opt = str_field(de, "defname");
		if (!opt)
			continue;
		sb_printf(&names, "%s%s", names.len ? ", " : "", opt);
		if (strcmp(opt, "restart") == 0)
			restart = de; /* the last one counts */
	}
	operation *op = add_op(w, "sequence", statement);
	fs_set(&op->f, "sequence", sequence);
	fs_set(&op->f, "options", names.s ? names.s : "");
	fs_set(&op->f, "identity", "no");
	set_yes_no(op, "restart", restart != NULL);
	if (restart) {
		char *v =
		    json_object_get(restart, "arg") ? defelem_number(w, restart) : xstrdup("start");
		fs_set(&op->f, "restart_value", v);
		free(v);
	}
	sb_free(&names);
}

static bool handle_alter_seq(walk *w, json_t *n)
{
	char *name = rangevar_name(json_object_get(n, "sequence"));
	sequence_op(w, "ALTER SEQUENCE", name, json_object_get(n, "options"));
	free(name);
	return false;
}

/* ALTER TABLE t ALTER COLUMN c SET ... / RESTART: the identity column's
 * sequence, named t.c. */
static void identity_op(walk *w, const char *statement, json_t *relation, json_t *cmd)
{
	json_t *opts = json_object_get(as_node(json_object_get(cmd, "def"), "List"), "items");
	strbuf b = {0};
	put_rangevar(&b, relation);
	sb_putc(&b, '.');
	put_ident(&b, str_field(cmd, "name") ? str_field(cmd, "name") : "?");
	sequence_op(w, statement, b.s, opts);
	operation *op = &w->fx->ops[w->fx->n_ops - 1];
	fs_set(&op->f, "identity", "yes");
	sb_free(&b);
}

static bool handle_alter_table(walk *w, json_t *n)
{
	char *word = object_word(str_field(n, "objtype"));
	char *statement = statement_for("ALTER", word);
	json_t *cmds = json_object_get(n, "cmds");
	for (size_t i = 0; i < json_array_size(cmds); i++) {
		json_t *cmd = as_node(json_array_get(cmds, i), "AlterTableCmd");
		if (!cmd)
			continue;
		alter_cmd(w, statement, json_object_get(n, "relation"), cmd);
		if (str_field_is(cmd, "subtype", "AT_ChangeOwner")) {
			char *rel = rangevar_name(json_object_get(n, "relation"));
			owner_op(w, statement, str_field(n, "objtype"), rel,
			         json_object_get(cmd, "newowner"));
			free(rel);
		}
		if (str_field_is(cmd, "subtype", "AT_SetIdentity"))
			identity_op(w, statement, json_object_get(n, "relation"), cmd);
		/* SET DEFAULT stores an expression, it runs nothing now; the
		 * other expressions (USING, defaults of added columns, CHECK)
		 * run on every row now. */
		if (!str_field_is(cmd, "subtype", "AT_ColumnDefault"))
			walk_value(w, json_object_get(cmd, "def"));
	}
	free(statement);
	free(word);
	return false;
}

/* ALTER TABLE ALL IN TABLESPACE a [OWNED BY r] SET TABLESPACE b moves
 * every table there, each rewritten under ACCESS EXCLUSIVE in turn. */
static bool handle_move_all(walk *w, json_t *n)
{
	char *word = object_word(str_field(n, "objtype"));
	char *statement = statement_for("ALTER", word);
	const char *from = str_field(n, "orig_tablespacename");
	const char *to = str_field(n, "new_tablespacename");
	operation *op = add_op(w, "alter-table", statement);
	strbuf b = {0};
	sb_puts(&b, "all in tablespace ");
	put_ident(&b, from ? from : "?");
	if (list_size(n, "roles")) {
		sb_puts(&b, " owned by ");
		char *roles = list_names(json_object_get(n, "roles"), put_role);
		sb_puts(&b, roles);
		free(roles);
	}
	fs_set(&op->f, "table", b.s);
	sb_free(&b);
	fs_set(&op->f, "subcommand", "set-tablespace");
	fs_set(&op->f, "tablespace", to ? to : "?");
	free(statement);
	free(word);
	return false;
}

/* ALTER DOMAIN d RENAME CONSTRAINT c TO e: the object is the domain, as
 * for a table's constraint (the grammar's OBJECT_DOMCONSTRAINT is no
 * statement anyone types). */
static bool rename_domain_constraint(walk *w, json_t *n)
{
	const char *subname = str_field(n, "subname"), *newname = str_field(n, "newname");
	operation *op = add_op(w, "rename", "ALTER DOMAIN");
	fs_set(&op->f, "object", "domain");
	strbuf b = {0};
	put_object(&b, json_object_get(n, "object"));
	fs_set(&op->f, "names", b.s);
	sb_free(&b);
	fs_set(&op->f, "constraint", subname ? subname : "?");
	fs_set(&op->f, "new_name", newname ? newname : "?");
	return false;
}

/* ALTER ... RENAME: a renamed table, column or constraint breaks every
 * query that names it. Relations (and their columns and constraints) are
 * alter-table operations; other objects are "rename" operations. */
static bool handle_rename(walk *w, json_t *n)
{
	const char *type = str_field(n, "renameType");
	const char *newname = str_field(n, "newname"), *subname = str_field(n, "subname");
	bool column = type && strcmp(type, "OBJECT_COLUMN") == 0;
	bool constraint = type && strcmp(type, "OBJECT_TABCONSTRAINT") == 0;
	json_t *relation = json_object_get(n, "relation");
	if (type && strcmp(type, "OBJECT_DOMCONSTRAINT") == 0)
		return rename_domain_constraint(w, n);
	/* relationType is set for columns; ALTER TABLE ... RENAME CONSTRAINT
	 * leaves it 0 (OBJECT_ACCESS_METHOD), so a constraint on a relation
	 * is a table's. */
	char *word = object_word(column       ? str_field(n, "relationType")
	                         : constraint ? "OBJECT_TABLE"
	                                      : type);
	char *statement = statement_for("ALTER", word);
	operation *op;
	if (relation) {
		op = add_op(w, "alter-table", statement);
		set_rangevar(op, "table", relation);
		fs_set(&op->f, "subcommand",
		       column       ? "rename-column"
		       : constraint ? "rename-constraint"
		                    : "rename");
		if (column || constraint)
			fs_set(&op->f, column ? "column" : "constraint", subname ? subname : "?");
	} else {
		op = add_op(w, "rename", statement);
		fs_set(&op->f, "object", word);
		strbuf b = {0};
		if (subname)
			put_ident(&b, subname);
		else
			put_object(&b, json_object_get(n, "object"));
		fs_set(&op->f, "names", b.s);
		sb_free(&b);
	}
	fs_set(&op->f, "new_name", newname ? newname : "?");
	free(statement);
	free(word);
	return false;
}

/* ALTER ... SET SCHEMA moves an object out from under its qualified name,
 * as a rename does. */
static bool handle_set_schema(walk *w, json_t *n)
{
	char *word = object_word(str_field(n, "objectType"));
	char *statement = statement_for("ALTER", word);
	const char *schema = str_field(n, "newschema");
	json_t *relation = json_object_get(n, "relation");
	operation *op;
	if (relation) {
		op = add_op(w, "alter-table", statement);
		set_rangevar(op, "table", relation);
		fs_set(&op->f, "subcommand", "set-schema");
	} else {
		op = add_op(w, "rename", statement);
		fs_set(&op->f, "object", word);
		strbuf b = {0};
		put_object(&b, json_object_get(n, "object"));
		fs_set(&op->f, "names", b.s);
		sb_free(&b);
	}
	fs_set(&op->f, "new_schema", schema ? schema : "?");
	free(statement);
	free(word);
	return false;
}

static bool handle_index(walk *w, json_t *n)
{
	operation *op = index_op(w, "CREATE INDEX", "create", bool_field(n, "concurrent"));
	set_rangevar(op, "table", json_object_get(n, "relation"));
	const char *name = str_field(n, "idxname");
	fs_set(&op->f, "names", name ? name : "");
	set_yes_no(op, "unique", bool_field(n, "unique"));
	return true; /* index expressions and predicates run on every row */
}

static bool handle_reindex(walk *w, json_t *n)
{
	operation *op = index_op(w, "REINDEX", "reindex",
	                         option_bool(w, json_object_get(n, "params"), "concurrently") == 1);
	json_t *rel = json_object_get(n, "relation");
	const char *name = str_field(n, "name");
	if (rel)
		set_rangevar(op, "names", rel);
	else
		fs_set(&op->f, "names", name ? name : "");
	return false;
}

static bool handle_vacuum(walk *w, json_t *n)
{
	if (!bool_field(n, "is_vacuumcmd"))
		return false; /* ANALYZE */
	bool full = option_bool(w, json_object_get(n, "options"), "full") > 0;
	operation *op = add_op(w, "vacuum", full ? "VACUUM FULL" : "VACUUM");
	set_yes_no(op, "full", full);
	json_t *rels = json_object_get(n, "rels");
	strbuf b = {0};
	for (size_t i = 0; i < json_array_size(rels); i++) {
		if (i)
			sb_puts(&b, ", ");
		put_rangevar(&b, json_object_get(as_node(json_array_get(rels, i), "VacuumRelation"),
		                                 "relation"));
	}
	fs_set(&op->f, "tables", b.s ? b.s : "");
	sb_free(&b);
	return false;
}

/* CLUSTER rewrites the table under ACCESS EXCLUSIVE, as VACUUM FULL does. */
static bool handle_cluster(walk *w, json_t *n)
{
	operation *op = add_op(w, "vacuum", "CLUSTER");
	fs_set(&op->f, "full", "yes");
	json_t *rel = json_object_get(n, "relation");
	if (rel)
		set_rangevar(op, "tables", rel);
	else
		fs_set(&op->f, "tables", "");
	return false;
}

/* LOCK TABLE: the mode by its SQL name (lockdefs.h numbers them). */
static bool handle_lock(walk *w, json_t *n)
{
	static const char *const modes[] = {
	    "?",
	    "access share",
	    "row share",
	    "row exclusive",
	    "share update exclusive",
	    "share",
	    "share row exclusive",
	    "exclusive",
	    "access exclusive",
	};
	json_int_t mode = json_integer_value(json_object_get(n, "mode"));
	operation *op = add_op(w, "lock", "LOCK TABLE");
	set_list(op, "tables", json_object_get(n, "relations"), put_rangevar);
	fs_set(&op->f, "mode",
	       mode > 0 && mode < (json_int_t)(sizeof(modes) / sizeof(modes[0])) ? modes[mode]
	                                                                         : "?");
	set_yes_no(op, "nowait", bool_field(n, "nowait"));
	return false;
}

/* REFRESH MATERIALIZED VIEW without CONCURRENTLY rebuilds the view under
 * ACCESS EXCLUSIVE: its readers wait; WITH NO DATA empties it. */
static bool handle_refresh(walk *w, json_t *n)
{
	operation *op = add_op(w, "refresh", "REFRESH MATERIALIZED VIEW");
	set_rangevar(op, "view", json_object_get(n, "relation"));
	set_yes_no(op, "concurrently", bool_field(n, "concurrent"));
	set_yes_no(op, "with_data", !bool_field(n, "skipData"));
	return false;
}

/* SECURITY LABEL feeds a label provider (sepgsql) that decides access: a
 * privilege change by another name. */
static bool handle_security_label(walk *w, json_t *n)
{
	operation *op = add_op(w, "privilege", "SECURITY LABEL");
	const char *label = str_field(n, "label"), *provider = str_field(n, "provider");
	fs_set(&op->f, "privileges", "security label");
	char *word = object_word(str_field(n, "objtype"));
	fs_set(&op->f, "object", word);
	free(word);
	strbuf b = {0};
	put_object(&b, json_object_get(n, "object"));
	fs_set(&op->f, "objects", b.s ? b.s : "?");
	sb_free(&b);
	fs_set(&op->f, "grantees", "");
	fs_set(&op->f, "grant_option", "no");
	fs_set(&op->f, "label", label ? label : "null");
	fs_set(&op->f, "provider", provider ? provider : "");
	return false;
}

static bool handle_variable_set(walk *w, json_t *n)
{
	const char *kind = str_field(n, "kind");
	handle_set(w, n, kind && str_starts(kind, "VAR_RESET") ? "RESET" : "SET", "session");
	return false;
}

static bool handle_transaction(walk *w, json_t *n)
{
	const char *kind = str_field(n, "kind");
	const char *statement =
	    kind && strcmp(kind, "TRANS_STMT_START") == 0 ? "START TRANSACTION" : "BEGIN";
	int ro = option_bool(w, json_object_get(n, "options"), "transaction_read_only");
	if (ro == 0 || ro == OPT_INVALID)
		read_write_op(w, statement, "transaction_read_only", "off", "transaction");
	return false;
}

static bool handle_discard(walk *w, json_t *n)
{
	if (str_field_is(n, "target", "DISCARD_ALL"))
		read_write_op(w, "DISCARD", "all", "default", "session");
	return false;
}

static bool handle_alter_database_set(walk *w, json_t *n)
{
	handle_set(w, json_object_get(n, "setstmt"), "ALTER DATABASE", "database");
	return false;
}

static bool handle_alter_role_set(walk *w, json_t *n)
{
	handle_set(w, json_object_get(n, "setstmt"), "ALTER ROLE", "role");
	return false;
}

static bool handle_alter_system(walk *w, json_t *n)
{
	json_t *vs = json_object_get(n, "setstmt");
	operation *op = add_op(w, "alter-system", "ALTER SYSTEM");
	const char *name = str_field(vs, "name");
	fs_set(&op->f, "setting", name ? name : "all");
	if (str_field_is(vs, "kind", "VAR_SET_VALUE")) {
		char *value = value_text(w, json_array_get(json_object_get(vs, "args"), 0));
		fs_set(&op->f, "value", value);
		free(value);
	} else {
		fs_set(&op->f, "value", "default");
	}
	handle_set(w, vs, "ALTER SYSTEM", "system");
	return false;
}

static bool handle_grant(walk *w, json_t *n)
{
	bool grant = bool_field(n, "is_grant");
	operation *op = add_op(w, "privilege", grant ? "GRANT" : "REVOKE");
	json_t *privs = json_object_get(n, "privileges");
	if (privs)
		set_list(op, "privileges", privs, put_object);
	else
		fs_set(&op->f, "privileges", "all");
	char *word = object_word(str_field(n, "objtype"));
	if (str_field_is(n, "targtype", "ACL_TARGET_ALL_IN_SCHEMA")) {
		char *all = xasprintf("all %ss in schema", word);
		fs_set(&op->f, "object", all);
		free(all);
	} else {
		fs_set(&op->f, "object", word);
	}
	free(word);
	set_list(op, "objects", json_object_get(n, "objects"), put_object);
	set_list(op, "grantees", json_object_get(n, "grantees"), put_role);
	set_yes_no(op, "grant_option", bool_field(n, "grant_option"));
	return false;
}

static bool handle_grant_role(walk *w, json_t *n)
{
	operation *op = add_op(w, "privilege", bool_field(n, "is_grant") ? "GRANT" : "REVOKE");
	fs_set(&op->f, "privileges", "membership");
	fs_set(&op->f, "object", "role");
	set_list(op, "objects", json_object_get(n, "granted_roles"), put_object);
	set_list(op, "grantees", json_object_get(n, "grantee_roles"), put_role);
	set_yes_no(op, "grant_option", bool_field(n, "admin_opt"));
	return false;
}

static bool handle_default_privileges(walk *w, json_t *n)
{
	json_t *action = json_object_get(n, "action");
	operation *op = add_op(w, "privilege", "ALTER DEFAULT PRIVILEGES");
	json_t *privs = json_object_get(action, "privileges");
	if (privs)
		set_list(op, "privileges", privs, put_object);
	else
		fs_set(&op->f, "privileges", "all");
	char *word = object_word(str_field(action, "objtype"));
	fs_set(&op->f, "object", word);
	free(word);
	fs_set(&op->f, "objects", "");
	set_list(op, "grantees", json_object_get(action, "grantees"), put_role);
	set_yes_no(op, "grant_option", bool_field(action, "grant_option"));
	return false;
}

/* The SQL keyword of a role option, in lower case: the parse tree has
 * PostgreSQL's internal names (canlogin for LOGIN, ...), which a reader
 * of a message does not know. */
static const char *role_option_word(const char *defname)
{
	static const char *const words[][2] = {
	    {"addroleto", "in role"},
	    {"adminmembers", "admin"},
	    {"canlogin", "login"},
	    {"connectionlimit", "connection limit"},
	    {"isreplication", "replication"},
	    {"rolemembers", "role"},
	    {"validUntil", "valid until"},
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(defname, words[i][0]) == 0)
			return words[i][1];
	return defname; /* superuser, createdb, inherit, ...: the keyword */
}

/* A role option: "superuser", or "nosuperuser" when it is switched off
 * (NOSUPERUSER is DefElem superuser with a false Boolean: JSON leaves the
 * false boolval out). */
static void put_defname(strbuf *b, json_t *de)
{
	json_t *body = as_node(de, "DefElem");
	const char *name = str_field(body, "defname");
	json_t *flag = as_node(json_object_get(body, "arg"), "Boolean");
	if (flag && !bool_field(flag, "boolval"))
		sb_puts(b, "no");
	sb_puts(b, name ? role_option_word(name) : "?");
}

/* CREATE ROLE / ALTER ROLE: who can log in, as whom, with what powers. */
static bool handle_role(walk *w, json_t *n, const char *statement, json_t *role)
{
	operation *op = add_op(w, "privilege", statement);
	strbuf b = {0};
	if (json_is_string(role))
		put_ident(&b, json_string_value(role));
	else
		put_role(&b, role);
	fs_set(&op->f, "object", "role");
	fs_set(&op->f, "objects", b.s ? b.s : "?");
	sb_free(&b);
	set_list(op, "privileges", json_object_get(n, "options"), put_defname);
	return false;
}

/* REASSIGN OWNED hands every object of some roles to another. */
static bool handle_reassign_owned(walk *w, json_t *n)
{
	operation *op = add_op(w, "privilege", "REASSIGN OWNED");
	fs_set(&op->f, "privileges", "ownership");
	fs_set(&op->f, "object", "role");
	set_list(op, "objects", json_object_get(n, "roles"), put_object);
	strbuf b = {0};
	put_role(&b, json_object_get(n, "newrole"));
	fs_set(&op->f, "grantees", b.s);
	sb_free(&b);
	return false;
}

static bool handle_create_role(walk *w, json_t *n)
{
	const char *type = str_field(n, "stmt_type");
	return handle_role(w, n,
	                   type && strcmp(type, "ROLESTMT_USER") == 0    ? "CREATE USER"
	                   : type && strcmp(type, "ROLESTMT_GROUP") == 0 ? "CREATE GROUP"
	                                                                 : "CREATE ROLE",
	                   json_object_get(n, "role"));
}

static bool handle_alter_role(walk *w, json_t *n)
{
	return handle_role(w, n, "ALTER ROLE", json_object_get(n, "role"));
}

static void put_copy_source(operation *op, json_t *n)
{
	json_t *rel = json_object_get(n, "relation");
	if (rel)
		set_rangevar(op, "table", rel);
	else
		fs_set(&op->f, "table", "(query)");
}

/* COPY ... PROGRAM runs a shell command as the server's OS user; COPY FROM
 * loads rows; COPY TO a file writes a file on the server. */
static bool handle_copy(walk *w, json_t *n)
{
	bool from = bool_field(n, "is_from"), program = bool_field(n, "is_program");
	const char *file = str_field(n, "filename");
	operation *op;
	if (program) {
		op = add_op(w, "copy-program", "COPY");
		fs_set(&op->f, "direction", from ? "from" : "to");
		fs_set(&op->f, "program", file ? file : "?");
		put_copy_source(op, n);
	}
	if (from) {
		op = add_op(w, "copy-in", "COPY");
		put_copy_source(op, n);
		/* not "source": every operation's source is the input's name */
		fs_set(&op->f, "from", program ? "program" : file ? "file" : "stdin");
		if (file && !program)
			fs_set(&op->f, "file", file);
	} else if (file && !program) {
		op = add_op(w, "copy-out", "COPY");
		put_copy_source(op, n);
		fs_set(&op->f, "file", file);
	}
	return true; /* COPY (DELETE ... RETURNING *) TO STDOUT */
}

static operation *opaque_op(walk *w, const char *statement, const char *reason)
{
	operation *op = add_op(w, "opaque", statement);
	fs_set(&op->f, "reason", reason);
	return op;
}

static bool handle_do(walk *w, json_t *n)
{
	json_t *args = json_object_get(n, "args");
	const char *lang = "plpgsql";
	for (size_t i = 0; i < json_array_size(args); i++) {
		json_t *de = as_node(json_array_get(args, i), "DefElem");
		if (str_field_is(de, "defname", "language") &&
		    string_node(json_object_get(de, "arg")))
			lang = string_node(json_object_get(de, "arg"));
	}
	char *reason = xasprintf("DO block in %s: procedural code interlock cannot see into", lang);
	opaque_op(w, "DO", reason);
	free(reason);
	return false;
}

static bool handle_execute(walk *w, json_t *n)
{
	const char *name = str_field(n, "name");
	char *reason = xasprintf("executes prepared statement %s, whose text interlock does "
	                         "not keep",
	                         name ? name : "?");
	opaque_op(w, "EXECUTE", reason);
	free(reason);
	return true; /* its parameters may call functions */
}

static bool handle_call(walk *w, json_t *n)
{
	json_t *fc = json_object_get(n, "funccall");
	char *name = qualified_name(json_object_get(fc, "funcname"));
	char *reason = xasprintf("calls procedure %s, whose effect interlock cannot see", name);
	operation *op = opaque_op(w, "CALL", reason);
	fs_set(&op->f, "function", name);
	free(reason);
	free(name);
	walk_value(w, json_object_get(fc, "args"));
	return false;
}

static bool handle_load(walk *w, json_t *n)
{
	const char *file = str_field(n, "filename");
	char *reason = xasprintf("loads the shared library %s into the server", file ? file : "?");
	opaque_op(w, "LOAD", reason);
	free(reason);
	return false;
}

/* The last name of a qualified name. */
static const char *last_name(json_t *names)
{
	size_t n = json_array_size(names);
	return string_node(json_array_get(names, n ? n - 1 : 0));
}

/* A function or operator created under a name interlock trusts as
 * pg_catalog's: with other argument types, an unqualified call of the
 * built-in name resolves to it whatever the search_path (lower(1) calls a
 * new public.lower(int)). What that call runs is then unknown. */
static void shadowing(walk *w, const char *statement, const char *what, json_t *names,
                      bool builtin_name)
{
	if (!last_name(names) || !builtin_name)
		return;
	char *full = qualified_name(names);
	char *reason = xasprintf("creates %s %s, named like a built-in one that interlock "
	                         "trusts: calls of the built-in name can run it",
	                         what, full);
	operation *op = opaque_op(w, statement, reason);
	fs_set(&op->f, what, full);
	free(reason);
	free(full);
}

/* CREATE OPERATOR: see shadowing(); other definitions run nothing now. */
static bool handle_define(walk *w, json_t *n)
{
	json_t *names = json_object_get(n, "defnames");
	const char *name = last_name(names);
	if (str_field_is(n, "kind", "OBJECT_OPERATOR") && name)
		shadowing(w, "CREATE OPERATOR", "operator", names, is_builtin_operator(name));
	return false;
}

/* Creating a function runs nothing, unless it shadows a trusted built-in
 * (see shadowing()); replacing one changes what existing callers, triggers
 * and defaults run. */
static bool handle_create_function(walk *w, json_t *n)
{
	if (!bool_field(n, "replace")) {
		json_t *names = json_object_get(n, "funcname");
		const char *name = last_name(names);
		if (name)
			shadowing(w,
			          bool_field(n, "is_procedure") ? "CREATE PROCEDURE"
			                                        : "CREATE FUNCTION",
			          "function", names, is_safe_function(name));
		return false;
	}
	bool proc = bool_field(n, "is_procedure");
	char *name = qualified_name(json_object_get(n, "funcname"));
	char *reason = xasprintf("replaces %s %s: its existing callers and triggers run the "
	                         "new code",
	                         proc ? "procedure" : "function", name);
	operation *op = opaque_op(
	    w, proc ? "CREATE OR REPLACE PROCEDURE" : "CREATE OR REPLACE FUNCTION", reason);
	fs_set(&op->f, "function", name);
	free(reason);
	free(name);
	return false;
}

/* Trigger event bits, from PostgreSQL's pg_trigger.h. */
static char *trigger_events(long events)
{
	static const struct {
		long bit;
		const char *word;
	} ev[] = {{1 << 2, "insert"}, {1 << 3, "delete"}, {1 << 4, "update"}, {1 << 5, "truncate"}};
	strbuf b = {0};
	for (size_t i = 0; i < sizeof(ev) / sizeof(ev[0]); i++)
		if (events & ev[i].bit)
			sb_printf(&b, "%s%s", b.len ? ", " : "", ev[i].word);
	return sb_steal(&b);
}

/* A trigger (or rule) runs code on every later write: what it does is not
 * in this statement. */
static bool handle_create_trigger(walk *w, json_t *n)
{
	char *table = rangevar_name(json_object_get(n, "relation"));
	char *fn = qualified_name(json_object_get(n, "funcname"));
	char *events = trigger_events((long)json_integer_value(json_object_get(n, "events")));
	char *reason =
	    xasprintf("trigger %s on %s runs function %s on every %s",
	              str_field(n, "trigname") ? str_field(n, "trigname") : "?", table, fn, events);
	operation *op = opaque_op(w, "CREATE TRIGGER", reason);
	fs_set(&op->f, "table", table);
	fs_set(&op->f, "function", fn);
	free(reason);
	free(events);
	free(fn);
	free(table);
	return false;
}

static bool handle_create_event_trigger(walk *w, json_t *n)
{
	char *fn = qualified_name(json_object_get(n, "funcname"));
	char *reason = xasprintf("event trigger runs function %s on every %s", fn,
	                         str_field(n, "eventname") ? str_field(n, "eventname") : "?");
	operation *op = opaque_op(w, "CREATE EVENT TRIGGER", reason);
	fs_set(&op->f, "function", fn);
	free(reason);
	free(fn);
	return false;
}

static bool handle_rule(walk *w, json_t *n)
{
	const char *event = str_field(n, "event");
	char *table = rangevar_name(json_object_get(n, "relation"));
	char *ev = xstrdup(event && str_starts(event, "CMD_") ? event + 4 : "?");
	for (char *p = ev; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	char *reason = xasprintf("rule %s on %s runs its actions %s every %s",
	                         str_field(n, "rulename") ? str_field(n, "rulename") : "?", table,
	                         bool_field(n, "instead") ? "instead of" : "on", ev);
	operation *op = opaque_op(w, "CREATE RULE", reason);
	fs_set(&op->f, "table", table);
	free(reason);
	free(ev);
	free(table);
	return false;
}

/* EXPLAIN ANALYZE executes its statement; plain EXPLAIN does not. */
static bool handle_explain(walk *w, json_t *n)
{
	if (option_bool(w, json_object_get(n, "options"), "analyze") > 0)
		walk_value(w, json_object_get(n, "query"));
	return false;
}

static bool handle_cte(walk *w, json_t *n)
{
	(void)n;
	w->in_cte++; /* restored by walk_node */
	return true;
}

/* Definitions store expressions that run later, if ever, not now. */
static bool handle_definition(walk *w, json_t *n)
{
	(void)w;
	(void)n;
	return false;
}

/* Sorted by type (LC_ALL=C), for bsearch; checked once at first use.
 * stmt: the statement kind of the node, for operations found below it
 * (scoped) or only for a top-level statement (not scoped). */
static const struct node_handler {
	char type[28];
	handler_fn *fn;
	char stmt[16];
	bool scoped;
} handlers[] = {
    {"A_Expr", handle_a_expr, "", false},
    {"AlterDatabaseSetStmt", handle_alter_database_set, "ALTER DATABASE", false},
    {"AlterDatabaseStmt", handle_alter_database, "", false},
    {"AlterDefaultPrivilegesStmt", handle_default_privileges, "", false},
    {"AlterDomainStmt", handle_definition, "", false},
    {"AlterFunctionStmt", handle_alter_function, "", false},
    {"AlterObjectSchemaStmt", handle_set_schema, "", false},
    {"AlterOwnerStmt", handle_alter_owner, "", false},
    {"AlterPolicyStmt", handle_definition, "", false},
    {"AlterRoleSetStmt", handle_alter_role_set, "ALTER ROLE", false},
    {"AlterRoleStmt", handle_alter_role, "", false},
    {"AlterSeqStmt", handle_alter_seq, "", false},
    {"AlterSystemStmt", handle_alter_system, "", false},
    {"AlterTableMoveAllStmt", handle_move_all, "", false},
    {"AlterTableStmt", handle_alter_table, "ALTER TABLE", true},
    {"CallStmt", handle_call, "CALL", true},
    {"ClusterStmt", handle_cluster, "", false},
    {"CommentStmt", handle_definition, "", false},
    {"CommonTableExpr", handle_cte, "", false},
    {"CompositeTypeStmt", handle_definition, "", false},
    {"CopyStmt", handle_copy, "COPY", true},
    {"CreateDomainStmt", handle_definition, "", false},
    {"CreateEventTrigStmt", handle_create_event_trigger, "", false},
    {"CreateFunctionStmt", handle_create_function, "", false},
    {"CreatePolicyStmt", handle_definition, "", false},
    {"CreateRoleStmt", handle_create_role, "", false},
    {"CreateStmt", handle_definition, "", false},
    {"CreateTableAsStmt", NULL, "CREATE TABLE AS", false},
    {"CreateTrigStmt", handle_create_trigger, "", false},
    {"DefineStmt", handle_define, "", false},
    {"DeleteStmt", handle_delete, "DELETE", true},
    {"DiscardStmt", handle_discard, "", false},
    {"DoStmt", handle_do, "", false},
    {"DropOwnedStmt", handle_drop_owned, "", false},
    {"DropRoleStmt", handle_drop_role, "", false},
    {"DropStmt", handle_drop, "", false},
    {"DropSubscriptionStmt", handle_drop_subscription, "", false},
    {"DropTableSpaceStmt", handle_drop_tablespace, "", false},
    {"DropUserMappingStmt", handle_drop_user_mapping, "", false},
    {"DropdbStmt", handle_dropdb, "", false},
    {"ExecuteStmt", handle_execute, "EXECUTE", true},
    {"ExplainStmt", handle_explain, "EXPLAIN", false},
    {"FuncCall", handle_func_call, "", false},
    {"GrantRoleStmt", handle_grant_role, "", false},
    {"GrantStmt", handle_grant, "", false},
    {"IndexStmt", handle_index, "CREATE INDEX", true},
    {"InsertStmt", handle_insert, "INSERT", true},
    {"LoadStmt", handle_load, "", false},
    {"LockStmt", handle_lock, "", false},
    {"MergeStmt", handle_merge, "MERGE", true},
    {"PrepareStmt", NULL, "PREPARE", false},
    {"ReassignOwnedStmt", handle_reassign_owned, "", false},
    {"RefreshMatViewStmt", handle_refresh, "", false},
    {"ReindexStmt", handle_reindex, "", false},
    {"RenameStmt", handle_rename, "", false},
    {"RuleStmt", handle_rule, "", false},
    {"SecLabelStmt", handle_security_label, "", false},
    {"SelectStmt", NULL, "SELECT", false},
    {"SortBy", handle_sort_by, "", false},
    {"SubLink", handle_sublink, "", false},
    {"TransactionStmt", handle_transaction, "", false},
    {"TruncateStmt", handle_truncate, "", false},
    {"UpdateStmt", handle_update, "UPDATE", true},
    {"VacuumStmt", handle_vacuum, "", false},
    {"VariableSetStmt", handle_variable_set, "SET", false},
    {"ViewStmt", handle_definition, "", false},
};

#define N_HANDLERS (sizeof(handlers) / sizeof(handlers[0]))

static int cmp_handler(const void *key, const void *elem)
{
	return strcmp(key, ((const struct node_handler *)elem)->type);
}

static const struct node_handler *find_handler(const char *type)
{
	return bsearch(type, handlers, N_HANDLERS, sizeof(handlers[0]), cmp_handler);
}

/* A mis-sorted table would make bsearch miss handlers silently. */
static void check_tables_sorted(void)
{
	for (size_t i = 1; i < N_HANDLERS; i++)
		if (strcmp(handlers[i - 1].type, handlers[i].type) >= 0)
			diex(70, "internal error: sqlfacts handler table not sorted at %s",
			     handlers[i].type);
	for (size_t i = 1; i < sizeof(builtin_operators) / sizeof(builtin_operators[0]); i++)
		if (strcmp(builtin_operators[i - 1], builtin_operators[i]) >= 0)
			diex(70, "internal error: sqlfacts operator list not sorted at %s",
			     builtin_operators[i]);
	for (size_t i = 1; i < sizeof(safe_functions) / sizeof(safe_functions[0]); i++)
		if (strcmp(safe_functions[i - 1], safe_functions[i]) >= 0)
			diex(70, "internal error: sqlfacts function list not sorted at %s",
			     safe_functions[i]);
}

/* ---- the walk ------------------------------------------------------------- */

static void walk_children(walk *w, json_t *o)
{
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v)
	{
		(void)key;
		if (json_is_object(v) || json_is_array(v))
			walk_value(w, v);
	}
}

static void walk_node(walk *w, const char *type, json_t *body)
{
	const struct node_handler *h = find_handler(type);
	const char *saved_stmt = w->stmt;
	int saved_cte = w->in_cte;
	if (h && h->scoped)
		w->stmt = h->stmt;
	if (!h || !h->fn || h->fn(w, body))
		walk_children(w, body);
	w->stmt = saved_stmt;
	w->in_cte = saved_cte;
}

static void walk_value(walk *w, json_t *v)
{
	json_t *body;
	const char *type;
	if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++)
			walk_value(w, json_array_get(v, i));
	} else if ((type = node_type(v, &body))) {
		walk_node(w, type, body);
	} else if (json_is_object(v)) {
		walk_children(w, v);
	}
}

/* ---- statement text ------------------------------------------------------- */

/* Skips blanks and comments (-- to end of line, nested C-style). */
static size_t skip_space(const char *s, size_t i, size_t end)
{
	while (i < end) {
		if (isspace((unsigned char)s[i])) {
			i++;
		} else if (s[i] == '-' && i + 1 < end && s[i + 1] == '-') {
			while (i < end && s[i] != '\n')
				i++;
		} else if (s[i] == '/' && i + 1 < end && s[i + 1] == '*') {
			int depth = 0;
			do {
				if (s[i] == '/' && i + 1 < end && s[i + 1] == '*')
					depth++, i += 2;
				else if (s[i] == '*' && i + 1 < end && s[i + 1] == '/')
					depth--, i += 2;
				else
					i++;
			} while (i < end && depth > 0);
		} else {
			break;
		}
	}
	return i;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if none. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0x80             ? 1
	             : (s[0] & 0xe0) == 0xc0 ? 2
	             : (s[0] & 0xf0) == 0xe0 ? 3
	             : (s[0] & 0xf8) == 0xf0 ? 4
	                                     : 0;
	if (!len || len > n || (len == 2 && s[0] < 0xc2))
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((len == 3 && s[0] == 0xe0 && s[1] < 0xa0) ||
	    (len == 3 && s[0] == 0xed && s[1] >= 0xa0) ||
	    (len == 4 && s[0] == 0xf0 && s[1] < 0x90) || (len == 4 && s[0] > 0xf4) ||
	    (len == 4 && s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return len;
}

/* The statement as shown in messages: blanks and newlines run together
 * into one space, other control characters and bytes that are not UTF-8 as
 * \xNN, at most SQL_SHOWN_CHARS characters and then "...". */
static char *display_text(const char *s, size_t n)
{
	strbuf b = {0};
	size_t chars = 0, i = 0;
	while (n && (isspace((unsigned char)s[n - 1]) || s[n - 1] == ';'))
		n--;
	while (i < n) {
		if (chars == SQL_SHOWN_CHARS) {
			sb_puts(&b, "...");
			break;
		}
		unsigned char c = (unsigned char)s[i];
		size_t len = utf8_len((const unsigned char *)s + i, n - i);
		if (isspace(c)) {
			while (i < n && isspace((unsigned char)s[i]))
				i++;
			sb_putc(&b, ' ');
		} else if (!len || c < 0x20 || c == 0x7f) {
			sb_printf(&b, "\\x%02x", c);
			i++;
		} else {
			sb_putn(&b, s + i, len);
			i += len;
		}
		chars++;
	}
	return sb_steal(&b);
}

static long count_lines(const char *s, size_t n)
{
	long lines = 0;
	for (const char *p = s; (p = memchr(p, '\n', n - (size_t)(p - s))); p++)
		lines++;
	return lines;
}

/* Sets the walk's text and line to the statement at [start, end) of the
 * input, leading blanks and comments left out. */
static void set_statement(walk *w, long base_line, size_t start, size_t end)
{
	start = skip_space(w->sql, start, end);
	free(w->text);
	w->text = display_text(w->sql + start, end - start);
	w->line = base_line + count_lines(w->sql, start);
	w->stmt = NULL;
	w->in_cte = 0;
	sv_clear(&w->funcs);
	sv_clear(&w->operators);
}

/* The first word of the text in upper case ("DELETE"), the statement kind
 * of an operation on a statement that was not understood. */
static char *first_word(const char *s, size_t n)
{
	size_t i = skip_space(s, 0, n), k = 0;
	char word[33];
	while (i < n && k + 1 < sizeof(word) && isalpha((unsigned char)s[i]))
		word[k++] = (char)toupper((unsigned char)s[i++]);
	word[k] = '\0';
	return xstrdup(k ? word : "?");
}

/* "StmtTypeStmt" -> "STMT TYPE" for a statement without a handler entry. */
static char *statement_from_type(const char *type)
{
	strbuf b = {0};
	size_t n = strlen(type);
	if (str_ends(type, "Stmt"))
		n -= 4;
	for (size_t i = 0; i < n; i++) {
		if (i && isupper((unsigned char)type[i]))
			sb_putc(&b, ' ');
		sb_putc(&b, (char)toupper((unsigned char)type[i]));
	}
	return sb_steal(&b);
}

/* ---- entry point ---------------------------------------------------------- */

static void opaque_whole(walk *w, long line, const char *reason, long position)
{
	set_statement(w, line, 0, w->sql_len);
	char *word = first_word(w->sql, w->sql_len);
	operation *op = opaque_op(w, word, reason);
	if (position > 0)
		fs_setf(&op->f, "position", "%ld", position);
	free(word);
}

/* Byte offset of the (1-based) character position pos, as the server's
 * parser counts them. */
static size_t char_to_byte(const char *s, size_t n, long pos)
{
	size_t i = 0;
	for (long c = 1; c < pos && i < n; c++) {
		size_t len = utf8_len((const unsigned char *)s + i, n - i);
		i += len ? len : 1;
	}
	return i;
}

static void parse_error(walk *w, long line, const PgQueryError *e)
{
	char *reason;
	if (e->cursorpos > 0) {
		size_t at = char_to_byte(w->sql, w->sql_len, e->cursorpos);
		reason = xasprintf("%s (line %ld, position %d)", e->message,
		                   line + count_lines(w->sql, at), e->cursorpos);
	} else {
		reason = xasprintf("%s", e->message ? e->message : "parse error");
	}
	opaque_whole(w, line, reason, e->cursorpos);
	free(reason);
}

/* The dml operations from first on get the statement's operators: what
 * the planner would run if explain.c planned the statement. */
static void set_operators(walk *w, size_t first)
{
	if (!w->operators.n)
		return;
	strbuf b = {0};
	for (size_t i = 0; i < w->operators.n; i++)
		sb_printf(&b, "%s%s", i ? " " : "", w->operators.v[i]);
	for (size_t i = first; i < w->fx->n_ops; i++)
		if (strcmp(w->fx->ops[i].kind, "dml") == 0)
			fs_set(&w->fx->ops[i].f, "operators", b.s);
	sb_free(&b);
}

static void analyse_tree(walk *w, long line, json_t *root)
{
	json_t *stmts = json_object_get(root, "stmts");
	for (size_t i = 0; i < json_array_size(stmts); i++) {
		json_t *s = json_array_get(stmts, i), *body;
		json_int_t loc = json_integer_value(json_object_get(s, "stmt_location"));
		json_int_t len = json_integer_value(json_object_get(s, "stmt_len"));
		size_t start = loc < 0 || (size_t)loc > w->sql_len ? 0 : (size_t)loc;
		size_t end =
		    len <= 0 || (size_t)len > w->sql_len - start ? w->sql_len : start + (size_t)len;
		set_statement(w, line, start, end);
		json_t *stmt = json_object_get(s, "stmt");
		const char *type = node_type(stmt, &body);
		if (!type) {
			opaque_op(w, "?", "libpg_query returned a statement interlock cannot read");
			continue;
		}
		const struct node_handler *h = find_handler(type);
		char *kind = h && *h->stmt ? xstrdup(h->stmt) : statement_from_type(type);
		w->stmt = kind;
		size_t first = w->fx->n_ops;
		walk_node(w, type, body);
		set_operators(w, first);
		free(kind);
	}
}

/* Checks that cannot wait for the parser: it reads a C string (a NUL would
 * end the statement early for interlock but not for psql), assumes UTF-8,
 * and is slow on huge input. Returns why the text cannot be analysed. */
static char *input_problem(const char *sql, size_t len)
{
	if (len > SQL_MAX_BYTES)
		return xasprintf("a statement of %zu bytes, more than interlock analyses (%d)", len,
		                 SQL_MAX_BYTES);
	const char *nul = memchr(sql, '\0', len);
	if (nul)
		return xasprintf("the statement holds a NUL byte at offset %zu",
		                 (size_t)(nul - sql));
	for (size_t i = 0; i < len;) {
		size_t n = utf8_len((const unsigned char *)sql + i, len - i);
		if (!n)
			return xasprintf("the statement is not valid UTF-8 (byte %zu)", i + 1);
		i += n;
	}
	return NULL;
}

void sql_facts(const char *sql, size_t len, long line, const char *source, facts *fx)
{
	static bool checked;
	if (!checked) {
		check_tables_sorted();
		checked = true;
	}
	autofree char *copy = xstrndup(sql, len);
	walk w = {.fx = fx, .sql = copy, .sql_len = len, .source = source ? source : ""};
	autofree char *problem = input_problem(sql, len);
	const char *load_error = problem ? NULL : pgq_load();
	if (problem || load_error) {
		w.sql_len = problem && memchr(sql, '\0', len) ? strlen(copy) : len;
		opaque_whole(&w, line, problem ? problem : load_error, 0);
	} else {
		PgQueryParseResult r = pgq.parse(copy);
		json_error_t jerr;
		json_t *root = NULL;
		if (r.error) {
			parse_error(&w, line, r.error);
		} else if (!(root = json_loads(r.parse_tree, 0, &jerr))) {
			char *reason = xasprintf("the parse tree could not be read: %s", jerr.text);
			opaque_whole(&w, line, reason, 0);
			free(reason);
		} else {
			analyse_tree(&w, line, root);
		}
		json_decref(root);
		pgq.free_result(r);
	}
	free(w.text);
	sv_clear(&w.funcs);
	sv_clear(&w.operators);
}
