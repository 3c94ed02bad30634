/* toml.c - strict TOML 1.0.0 parser, written from the specification.
 *
 * One recursive-descent pass over the document builds the tree directly.
 * The whole input is checked for valid UTF-8 first, so the rest of the
 * parser can work on bytes: outside strings and comments only ASCII is
 * legal, and inside them any valid UTF-8 sequence is copied through.
 *
 * Positions: line and column are 1-based; the column counts BYTES from the
 * start of the line (a UTF-8 BOM at the start of the document is not
 * counted). Error messages read "name:line:col: what was expected".
 *
 * Newlines inside multi-line strings are stored as "\n" whether the
 * document used LF or CRLF (the specification allows normalising).
 *
 * Tables and arrays are allocated as a struct node, which starts with the
 * public toml_value and carries the bookkeeping that the TOML rules on
 * (re)definition need.
 *
 * Memory: the shipped rule files are parsed on every start of interlock,
 * so a tree costs no malloc()/free() per node. Every node, scalar, key,
 * string, key/value array, item array and hash index of a tree is carved
 * from one arena: a short list of large blocks, bump-allocated, each block
 * twice the size of the one before. An array that grows gets a new, bigger
 * slot (the old one is simply left unused). The root table is a struct
 * root_node, which alone holds the list of blocks.
 *
 * toml_free() is only ever called on a root returned by toml_parse(): it
 * frees the blocks, and with them the whole tree at once. Freeing a single
 * inner value is not supported; toml_free() on one is a no-op (only the
 * root carries the block list), so nothing is freed twice. While parsing,
 * strings are assembled in one reusable scratch buffer (on the parser's
 * stack while they are short) and copied into the arena when complete;
 * dotted keys keep their parts in a small inline array. On any error the
 * parser frees the arena, the scratch buffer and the key parts, so
 * toml_parse() leaks nothing. */
#include "toml.h"

#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Arrays and inline tables opened inside one another. */
#define TOML_MAX_NESTING 128
/* Depth of the whole tree (headers, dotted keys and values together);
 * keeps the recursion in callers walking the tree bounded whatever the
 * input. */
#define TOML_MAX_DEPTH 512
/* Tables with at least this many keys get a hash index, so that large
 * tables do not make parsing quadratic. */
#define INDEX_MIN_KEYS 8
#define NOT_FOUND      ((size_t)-1)
/* Usable size of the first arena block; later blocks double. Big enough
 * for the tree of a typical rule file. */
#define ARENA_FIRST_BLOCK 16384
/* Strings up to this long are assembled without touching the heap. */
#define SCRATCH_INLINE 256
/* Key parts kept inline before a dotted key needs the heap. */
#define KEY_INLINE_PARTS 8

enum node_flag {
	NODE_HEADER = 1 << 0, /* table defined by [x] or as an [[x]] element */
	NODE_DOTTED = 1 << 1, /* table defined by a dotted key (a.b = 1) */
	NODE_INLINE = 1 << 2, /* inline table: closed to later additions */
	NODE_AOT = 1 << 3,    /* array of tables created by [[x]] */
	NODE_ROOT = 1 << 4,   /* the document: a struct root_node */
};

struct node {
	toml_value v; /* first member: a node pointer is a toml_value one */
	unsigned flags;
	unsigned section; /* NODE_DOTTED: the section that may extend it */
	int depth;        /* root table is 0 */
	size_t cap;       /* allocated entries of keys/vals or items */
	size_t *index;    /* hash slots holding entry index + 1; 0 = empty */
	size_t index_cap; /* power of two, or 0 without an index */
};

/* One block of the arena; the objects follow the header. */
struct arena_block {
	struct arena_block *next;
	max_align_t data[]; /* aligned start of the usable bytes */
};

struct arena {
	struct arena_block *blocks; /* newest first */
	char *cur, *end;            /* free bytes of the newest block */
	size_t next_size;           /* usable size of the next block */
};

/* The root table: the only node that knows the tree's blocks. */
struct root_node {
	struct node n; /* first member */
	struct arena_block *blocks;
};

/* Alignment of arena objects: that of the strictest tree object (pointers,
 * size_t, int64_t, double). Blocks start max_align_t-aligned. */
#define ARENA_ALIGN _Alignof(struct root_node)

struct pos {
	int line, col;
};

/* The parser's scratch buffer for the string being read; s points at
 * inline storage until a string outgrows it. */
struct strbuf {
	char *s;
	size_t len, cap;
	char inline_buf[SCRATCH_INLINE];
};

struct key_part {
	toml_str s;
	struct pos at;
};

/* A possibly dotted key: a.b."c". parts is inline_parts (cap 0) until
 * the key has more parts than fit there. Part strings live in the arena. */
struct key {
	struct key_part *parts;
	size_t n, cap;
	struct key_part inline_parts[KEY_INLINE_PARTS];
};

struct parser {
	const char *buf; /* the document */
	const char *end;
	const char *p; /* next byte to read */
	const char *line_start;
	int line;
	const char *name; /* for error messages */
	char *err;
	size_t errlen;
	bool failed;
	int nesting;        /* arrays / inline tables currently open */
	unsigned sections;  /* last section id handed out */
	unsigned section;   /* id of the section being read */
	struct node *root;  /* the document */
	struct node *table; /* table that key/value lines go into */
	struct arena arena; /* everything the tree is made of */
	struct strbuf sb;   /* scratch for the string being read */
};

/* ---- errors and positions ---------------------------------------------- */

static int clamp_int(ptrdiff_t n)
{
	return n > INT_MAX ? INT_MAX : (int)n;
}

static struct pos here(const struct parser *p)
{
	struct pos at = {p->line, clamp_int(p->p - p->line_start + 1)};
	return at;
}

/* Records the first error only: later failures are consequences of it. */
static bool fail_at(struct parser *p, struct pos at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->failed)
		return false;
	p->failed = true;
	if (!p->err || !p->errlen)
		return false;
	n = snprintf(p->err, p->errlen, "%s:%d:%d: ", p->name, at.line, at.col);
	if (n < 0 || (size_t)n >= p->errlen)
		return false;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return false;
}

#define fail(p, ...) fail_at((p), here(p), __VA_ARGS__)

static bool out_of_memory(struct parser *p)
{
	return fail(p, "out of memory");
}

/* Appends c to the message text in buf, keeping room for "..." and the
 * NUL; false when it does not fit. */
static bool put_key_char(char *buf, size_t size, size_t *used, char c)
{
	if (*used + 4 >= size)
		return false;
	buf[(*used)++] = c;
	return true;
}

/* "a.b.c" made of the first upto+1 parts of k, for messages (size >= 4).
 * Control bytes become '?'; a long path is cut (never inside a UTF-8
 * sequence) and marked with "...". */
static const char *key_path_text(const struct key *k, size_t upto, char *buf, size_t size)
{
	size_t used = 0;

	for (size_t i = 0; i <= upto && i < k->n; i++) {
		const toml_str *part = &k->parts[i].s;

		if (i > 0 && !put_key_char(buf, size, &used, '.'))
			goto cut;
		for (size_t j = 0; j < part->len; j++) {
			unsigned char c = (unsigned char)part->s[j];
			if (!put_key_char(buf, size, &used,
			                  (c < 0x20 || c == 0x7f) ? '?' : (char)c))
				goto cut;
		}
	}
	buf[used] = '\0';
	return buf;
cut:
	while (used > 0 && ((unsigned char)buf[used - 1] & 0xc0) == 0x80)
		used--;
	if (used > 0 && (unsigned char)buf[used - 1] >= 0xc0)
		used--;
	memcpy(buf + used, "...", 4);
	return buf;
}

/* ---- byte classes and low-level scanning -------------------------------- */

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int hex_value(int c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool is_bare_key_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
	       c == '-';
}

/* Control characters that may not appear raw in comments and strings:
 * everything below 0x20 except tab, and DEL. */
static bool is_control(int c)
{
	return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f;
}

static int peek(const struct parser *p)
{
	return p->p < p->end ? (unsigned char)*p->p : -1;
}

static int peek_at(const struct parser *p, size_t k)
{
	return (size_t)(p->end - p->p) > k ? (unsigned char)p->p[k] : -1;
}

static bool at_eof(const struct parser *p)
{
	return p->p >= p->end;
}

static bool at_newline(const struct parser *p)
{
	int c = peek(p);
	return c == '\n' || (c == '\r' && peek_at(p, 1) == '\n');
}

static void eat_newline(struct parser *p)
{
	if (*p->p == '\r')
		p->p++;
	p->p++;
	if (p->line < INT_MAX) /* only inputs over 2 GiB could reach it */
		p->line++;
	p->line_start = p->p;
}

static void skip_ws(struct parser *p)
{
	while (p->p < p->end && (*p->p == ' ' || *p->p == '\t'))
		p->p++;
}

/* Complains about the byte at the cursor, naming it when that helps. */
static bool fail_unexpected(struct parser *p, const char *expected)
{
	int c = peek(p);

	if (c < 0)
		return fail(p, "expected %s, found end of file", expected);
	if (c == '\r' && peek_at(p, 1) != '\n')
		return fail(p, "expected %s, found a bare carriage return", expected);
	if (at_newline(p))
		return fail(p, "expected %s, found end of line", expected);
	if (c < 0x20 || c == 0x7f)
		return fail(p, "expected %s, found control character U+%04X", expected, c);
	if (c >= 0x80)
		return fail(p, "expected %s, found a non-ASCII character", expected);
	return fail(p, "expected %s, found '%c'", expected, c);
}

/* At '#': skips the comment up to (not including) the newline. */
static bool skip_comment(struct parser *p)
{
	p->p++;
	while (p->p < p->end && *p->p != '\n') {
		int c = (unsigned char)*p->p;
		if (c == '\r' && peek_at(p, 1) == '\n')
			break;
		if (is_control(c))
			return fail(p, "control character U+%04X is not allowed in a comment", c);
		p->p++;
	}
	return true;
}

/* Whitespace, newlines and comments: the filler allowed inside arrays. */
static bool skip_blank(struct parser *p)
{
	for (;;) {
		skip_ws(p);
		if (peek(p) == '#') {
			if (!skip_comment(p))
				return false;
		} else if (at_newline(p)) {
			eat_newline(p);
		} else {
			return true;
		}
	}
}

/* After a key/value pair or a header: optional comment, then newline. */
static bool expect_line_end(struct parser *p)
{
	skip_ws(p);
	if (peek(p) == '#' && !skip_comment(p))
		return false;
	if (at_eof(p))
		return true;
	if (at_newline(p)) {
		eat_newline(p);
		return true;
	}
	return fail_unexpected(p, "end of line");
}

/* ---- UTF-8 validation --------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s, or 0 when it is invalid
 * (overlong forms, surrogates and code points above U+10FFFF included). */
static size_t utf8_sequence_length(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (avail < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

static bool check_utf8(struct parser *p)
{
	const unsigned char *s = (const unsigned char *)p->buf;
	const unsigned char *end = (const unsigned char *)p->end;
	const unsigned char *line_start;
	struct pos at;
	int line = 1;

	while (s < end) {
		uint64_t w;
		size_t n;

		/* ASCII runs (most of any document) eight bytes at a time */
		if ((size_t)(end - s) >= sizeof(w)) {
			memcpy(&w, s, sizeof(w));
			if (!(w & 0x8080808080808080u)) {
				s += sizeof(w);
				continue;
			}
		}
		n = utf8_sequence_length(s, (size_t)(end - s));
		if (n == 0)
			break;
		s += n;
	}
	if (s >= end)
		return true;
	/* the position is needed only for the message */
	line_start = (const unsigned char *)p->buf;
	for (const unsigned char *q = line_start; q < s; q++) {
		if (*q == '\n') {
			line += line < INT_MAX;
			line_start = q + 1;
		}
	}
	at.line = line;
	at.col = clamp_int(s - line_start + 1);
	return fail_at(p, at, "invalid UTF-8");
}

/* ---- arena ------------------------------------------------------------ */

static void arena_release(struct arena_block *b)
{
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
}

/* Starts a new block big enough for size bytes at any ARENA_ALIGN
 * alignment, doubling the block size. */
static bool arena_new_block(struct parser *p, size_t size)
{
	struct arena *a = &p->arena;
	size_t bsize = a->next_size ? a->next_size : ARENA_FIRST_BLOCK;
	struct arena_block *b;

	if (size > (SIZE_MAX - sizeof(*b)) / 2)
		return out_of_memory(p);
	while (bsize < size)
		bsize *= 2;
	b = malloc(sizeof(*b) + bsize);
	if (!b)
		return out_of_memory(p);
	b->next = a->blocks;
	a->blocks = b;
	a->cur = (char *)b->data;
	a->end = a->cur + bsize;
	a->next_size = bsize <= SIZE_MAX / 4 ? bsize * 2 : bsize;
	return true;
}

/* size bytes aligned to align (a power of two, at most ARENA_ALIGN);
 * NULL (and the error recorded) when memory runs out. Not zeroed. */
static void *arena_alloc(struct parser *p, size_t size, size_t align)
{
	struct arena *a = &p->arena;
	size_t pad = (size_t)(-(uintptr_t)a->cur & (align - 1));
	char *r;

	if (!a->cur || pad > (size_t)(a->end - a->cur) || size > (size_t)(a->end - a->cur) - pad) {
		if (!arena_new_block(p, size))
			return NULL;
		pad = 0; /* a block starts ARENA_ALIGN-aligned */
	}
	r = a->cur + pad;
	a->cur = r + size;
	return r;
}

static void *arena_zalloc(struct parser *p, size_t size)
{
	void *r = arena_alloc(p, size, ARENA_ALIGN);

	if (r)
		memset(r, 0, size);
	return r;
}

/* n * elem bytes for an array, failing cleanly on overflow. */
static void *arena_array(struct parser *p, size_t n, size_t elem)
{
	if (elem && n > SIZE_MAX / elem) {
		out_of_memory(p);
		return NULL;
	}
	return arena_alloc(p, n * elem, ARENA_ALIGN);
}

/* A NUL-terminated copy of s[0..len) in the arena. */
static bool arena_str(struct parser *p, const char *s, size_t len, toml_str *out)
{
	char *c;

	if (len == SIZE_MAX)
		return out_of_memory(p);
	c = arena_alloc(p, len + 1, 1);
	if (!c)
		return false;
	memcpy(c, s, len);
	c[len] = '\0';
	out->s = c;
	out->len = len;
	return true;
}

/* Capacity for need entries when cap are allocated: doubles from 4.
 * 0 (and the error recorded) on overflow. */
static size_t next_cap(struct parser *p, size_t cap, size_t need)
{
	size_t n = cap ? cap : 4;

	while (n < need) {
		if (n > SIZE_MAX / 2) {
			out_of_memory(p);
			return 0;
		}
		n *= 2;
	}
	return n;
}

/* ---- tree building ------------------------------------------------------ */

static toml_value *new_scalar(struct parser *p, toml_type type, struct pos at)
{
	toml_value *v = arena_zalloc(p, sizeof(*v));

	if (!v)
		return NULL;
	v->type = type;
	v->line = at.line;
	v->col = at.col;
	return v;
}

static struct node *new_node(struct parser *p, toml_type type, struct pos at, int depth)
{
	struct node *n;

	if (depth > TOML_MAX_DEPTH) {
		fail_at(p, at, "document nested deeper than %d levels", TOML_MAX_DEPTH);
		return NULL;
	}
	/* the root is the only node of depth 0, and the only one that
	 * carries the block list */
	n = arena_zalloc(p, depth == 0 ? sizeof(struct root_node) : sizeof(*n));
	if (!n)
		return NULL;
	n->v.type = type;
	n->v.line = at.line;
	n->v.col = at.col;
	n->depth = depth;
	return n;
}

/* Only tables and arrays are nodes: scalars are bare toml_values. */
static struct node *as_node(toml_value *v)
{
	return (struct node *)v;
}

static unsigned flags_of(const toml_value *v)
{
	if (v->type != TOML_TABLE && v->type != TOML_ARRAY)
		return 0;
	return ((const struct node *)v)->flags;
}

static size_t hash_key(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3u;
	return (size_t)h;
}

static bool key_equals(const toml_str *k, const char *s, size_t len)
{
	return k->len == len && memcmp(k->s, s, len) == 0;
}

static size_t table_find(const struct node *t, const char *s, size_t len)
{
	const toml_str *keys = t->v.u.table.keys;

	if (t->index) {
		size_t mask = t->index_cap - 1;
		for (size_t i = hash_key(s, len) & mask; t->index[i]; i = (i + 1) & mask) {
			size_t k = t->index[i] - 1;
			if (key_equals(&keys[k], s, len))
				return k;
		}
		return NOT_FOUND;
	}
	for (size_t k = 0; k < t->v.u.table.n; k++)
		if (key_equals(&keys[k], s, len))
			return k;
	return NOT_FOUND;
}

static void index_add(struct node *t, size_t k)
{
	const toml_str *key = &t->v.u.table.keys[k];
	size_t mask = t->index_cap - 1;
	size_t i = hash_key(key->s, key->len) & mask;

	while (t->index[i])
		i = (i + 1) & mask;
	t->index[i] = k + 1;
}

/* Keeps the index at most half full so probe chains stay short. */
static bool index_reserve(struct parser *p, struct node *t, size_t n)
{
	size_t cap = t->index_cap ? t->index_cap : 16;
	size_t *slots;

	if (n < INDEX_MIN_KEYS || (t->index && n * 2 <= t->index_cap))
		return true;
	while (n * 2 > cap)
		cap *= 2;
	slots = arena_array(p, cap, sizeof(*slots));
	if (!slots)
		return false;
	memset(slots, 0, cap * sizeof(*slots));
	t->index = slots; /* the old index stays in the arena, unused */
	t->index_cap = cap;
	for (size_t k = 0; k < t->v.u.table.n; k++)
		index_add(t, k);
	return true;
}

/* Keys and values of a table share one arena slot: keys[cap] then
 * vals[cap]. Growing moves both to a new slot twice the size. */
static bool table_reserve(struct parser *p, struct node *t, size_t need)
{
	size_t cap, n = t->v.u.table.n;
	const size_t entry = sizeof(toml_str) + sizeof(toml_value *);
	toml_str *keys;
	toml_value **vals;

	if (need <= t->cap)
		return true;
	cap = next_cap(p, t->cap, need);
	if (!cap)
		return false;
	keys = arena_array(p, cap, entry);
	if (!keys)
		return false;
	vals = (toml_value **)(keys + cap);
	if (n) {
		memcpy(keys, t->v.u.table.keys, n * sizeof(*keys));
		memcpy(vals, t->v.u.table.vals, n * sizeof(*vals));
	}
	t->v.u.table.keys = keys;
	t->v.u.table.vals = vals;
	t->cap = cap;
	return true;
}

/* Adds key -> v to t. The caller has checked that key is new. Both live
 * in the arena already, so a failure leaves nothing to free. */
static bool table_add(struct parser *p, struct node *t, const toml_str *key, toml_value *v)
{
	size_t n = t->v.u.table.n;

	if (!table_reserve(p, t, n + 1) || !index_reserve(p, t, n + 1))
		return false;
	t->v.u.table.keys[n] = *key;
	t->v.u.table.vals[n] = v;
	t->v.u.table.n = n + 1;
	if (t->index)
		index_add(t, n);
	return true;
}

static bool array_add(struct parser *p, struct node *a, toml_value *v)
{
	size_t n = a->v.u.array.n;

	if (n + 1 > a->cap) {
		size_t cap;
		toml_value **items;

		cap = next_cap(p, a->cap, n + 1);
		if (!cap)
			return false;
		items = arena_array(p, cap, sizeof(*items));
		if (!items)
			return false;
		if (n)
			memcpy(items, a->v.u.array.items, n * sizeof(*items));
		a->v.u.array.items = items;
		a->cap = cap;
	}
	a->v.u.array.items[a->v.u.array.n++] = v;
	return true;
}

/* Creates an empty table or array under key part kp of t. */
static struct node *add_container(struct parser *p, struct node *t, struct key_part *kp,
                                  toml_type type, unsigned flags, struct pos at)
{
	struct node *n = new_node(p, type, at, t->depth + 1);

	if (!n)
		return NULL;
	n->flags = flags;
	if (!table_add(p, t, &kp->s, &n->v))
		return NULL;
	return n;
}

/* ---- strings ------------------------------------------------------------ */

/* Empties the parser's scratch buffer for a new string. */
static struct strbuf *sb_begin(struct parser *p)
{
	struct strbuf *b = &p->sb;

	if (!b->s) {
		b->s = b->inline_buf;
		b->cap = sizeof(b->inline_buf);
	}
	b->len = 0;
	return b;
}

static void sb_release(struct strbuf *b)
{
	if (b->s != b->inline_buf)
		free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

static bool sb_add(struct parser *p, struct strbuf *b, const char *s, size_t n)
{
	if (n > b->cap - b->len) {
		size_t cap = b->cap;
		char *buf;

		if (n > SIZE_MAX / 2 - b->len)
			return out_of_memory(p);
		while (cap - b->len < n)
			cap *= 2;
		if (b->s == b->inline_buf) {
			buf = malloc(cap);
			if (buf)
				memcpy(buf, b->s, b->len);
		} else {
			buf = realloc(b->s, cap);
		}
		if (!buf)
			return out_of_memory(p);
		b->s = buf;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	return true;
}

static bool sb_add_char(struct parser *p, struct strbuf *b, char c)
{
	if (b->len < b->cap) {
		b->s[b->len++] = c;
		return true;
	}
	return sb_add(p, b, &c, 1);
}

/* Copies the scratch buffer into the arena as a NUL-terminated toml_str. */
static bool sb_finish(struct parser *p, struct strbuf *b, toml_str *out)
{
	return arena_str(p, b->s, b->len, out);
}

static bool sb_add_utf8(struct parser *p, struct strbuf *b, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return sb_add(p, b, u, n);
}

/* At 'u' or 'U' of \uXXXX / \UXXXXXXXX. */
static bool parse_unicode_escape(struct parser *p, struct strbuf *b, struct pos at)
{
	char kind = *p->p;
	int ndigits = kind == 'u' ? 4 : 8;
	uint32_t cp = 0;

	p->p++;
	for (int i = 0; i < ndigits; i++) {
		int d = hex_value(peek(p));
		if (d < 0)
			return fail_at(p, at,
			               "expected %d hex digits after "
			               "\\%c",
			               ndigits, kind);
		cp = cp * 16 + (uint32_t)d;
		p->p++;
	}
	if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return fail_at(p, at, "\\%c%.*s is not a Unicode scalar value", kind, ndigits,
		               p->p - ndigits);
	return sb_add_utf8(p, b, cp);
}

/* At the backslash of an escape sequence in a basic string. */
static bool parse_escape(struct parser *p, struct strbuf *b)
{
	static const char names[] = "btnfr\"\\";
	static const char bytes[] = "\b\t\n\f\r\"\\";
	struct pos at = here(p);
	int c;
	const char *hit;

	p->p++;
	c = peek(p);
	if (c == 'u' || c == 'U')
		return parse_unicode_escape(p, b, at);
	hit = c > 0 ? strchr(names, c) : NULL;
	if (!hit)
		return fail_at(p, at,
		               "invalid escape sequence (expected one of "
		               "\\b \\t \\n \\f \\r \\\" \\\\ \\u \\U)");
	p->p++;
	return sb_add_char(p, b, bytes[hit - names]);
}

/* Bytes that a string copies through unchanged, up to stop. */
static bool is_plain_string_byte(int c, int stop, bool basic)
{
	return c != stop && !(basic && c == '\\') && !is_control(c);
}

static bool copy_plain_run(struct parser *p, struct strbuf *b, int stop, bool basic)
{
	const char *run = p->p;

	while (p->p < p->end && is_plain_string_byte((unsigned char)*p->p, stop, basic))
		p->p++;
	return sb_add(p, b, run, (size_t)(p->p - run));
}

static bool fail_in_string(struct parser *p, struct pos start)
{
	int c = peek(p);

	if (c < 0)
		return fail_at(p, start, "unterminated string");
	if (c == '\r' && peek_at(p, 1) != '\n')
		return fail(p, "bare carriage return in a string");
	if (at_newline(p))
		return fail(p, "expected the closing quote before the end of the line");
	return fail(p, "control character U+%04X must be escaped in a string", c);
}

/* "..." and '...': one line, basic strings with escapes. */
static bool parse_line_string(struct parser *p, toml_str *out)
{
	struct pos start = here(p);
	int quote = *p->p;
	bool basic = quote == '"';
	const char *run = ++p->p;
	struct strbuf *b;

	/* most strings have no escapes: copy them from the input at once */
	while (p->p < p->end && is_plain_string_byte((unsigned char)*p->p, quote, basic))
		p->p++;
	if (peek(p) == quote) {
		p->p++;
		return arena_str(p, run, (size_t)(p->p - 1 - run), out);
	}
	b = sb_begin(p);
	if (!sb_add(p, b, run, (size_t)(p->p - run)))
		return false;
	for (;;) {
		if (peek(p) == quote)
			break;
		if (basic && peek(p) == '\\') {
			if (!parse_escape(p, b))
				return false;
		} else {
			return fail_in_string(p, start);
		}
		if (!copy_plain_run(p, b, quote, basic))
			return false;
	}
	p->p++;
	return sb_finish(p, b, out);
}

/* In a multi-line basic string at a backslash: when only whitespace
 * follows it on its line, skips it with all whitespace and newlines after
 * it ("line ending backslash") and returns true. */
static bool skip_line_ending_backslash(struct parser *p)
{
	const char *q = p->p + 1;

	while (q < p->end && (*q == ' ' || *q == '\t'))
		q++;
	if (!(q < p->end && (*q == '\n' || (*q == '\r' && q + 1 < p->end && q[1] == '\n'))))
		return false;
	p->p = q;
	for (;;) {
		skip_ws(p);
		if (!at_newline(p))
			return true;
		eat_newline(p);
	}
}

/* At a run of quotes inside a multi-line string. Fewer than three are
 * content; three to five close the string, the extra ones being content.
 * Returns 1 when the string is closed, 0 to go on, -1 on error. */
static int take_quotes(struct parser *p, struct strbuf *b, char quote)
{
	size_t n = 0;

	while (peek_at(p, n) == quote)
		n++;
	if (n > 5) {
		fail(p, "too many quotes at the end of a multi-line string");
		return -1;
	}
	for (size_t i = 0; i < (n >= 3 ? n - 3 : n); i++)
		if (!sb_add_char(p, b, quote))
			return -1;
	p->p += n;
	return n >= 3;
}

/* """...""" and '''...''' */
static bool parse_multiline_string(struct parser *p, toml_str *out)
{
	struct pos start = here(p);
	int quote = *p->p;
	bool basic = quote == '"';
	struct strbuf *b = sb_begin(p);

	p->p += 3;
	if (at_newline(p)) /* a newline right after the opening is trimmed */
		eat_newline(p);
	for (;;) {
		int c, closed;

		if (!copy_plain_run(p, b, quote, basic))
			return false;
		c = peek(p);
		if (c == quote) {
			closed = take_quotes(p, b, (char)quote);
			if (closed < 0)
				return false;
			if (closed)
				break;
		} else if (basic && c == '\\') {
			if (!skip_line_ending_backslash(p) && !parse_escape(p, b))
				return false;
		} else if (at_newline(p)) {
			eat_newline(p);
			if (!sb_add_char(p, b, '\n'))
				return false;
		} else {
			return fail_in_string(p, start);
		}
	}
	return sb_finish(p, b, out);
}

static bool at_triple_quote(const struct parser *p)
{
	int c = peek(p);
	return peek_at(p, 1) == c && peek_at(p, 2) == c;
}

/* ---- keys --------------------------------------------------------------- */

/* Not "= {0}": that would clear inline_parts on every key. */
static void key_init(struct key *k)
{
	k->parts = NULL;
	k->n = k->cap = 0;
}

/* The part strings belong to the arena; only a long key's parts array
 * is on the heap. */
static void key_free(struct key *k)
{
	if (k->parts != k->inline_parts)
		free(k->parts);
	k->parts = NULL;
	k->n = k->cap = 0;
}

static bool parse_bare_key(struct parser *p, toml_str *out)
{
	const char *start = p->p;

	while (p->p < p->end && is_bare_key_char((unsigned char)*p->p))
		p->p++;
	return arena_str(p, start, (size_t)(p->p - start), out);
}

/* Room for one more part in k. */
static bool key_reserve(struct parser *p, struct key *k)
{
	struct key_part *parts;
	size_t cap;

	if (!k->parts) {
		k->parts = k->inline_parts;
		k->cap = KEY_INLINE_PARTS;
	}
	if (k->n < k->cap)
		return true;
	cap = k->cap * 2; /* k->n is bounded by TOML_MAX_DEPTH */
	if (k->parts == k->inline_parts) {
		parts = malloc(cap * sizeof(*parts));
		if (parts)
			memcpy(parts, k->parts, k->n * sizeof(*parts));
	} else {
		parts = realloc(k->parts, cap * sizeof(*parts));
	}
	if (!parts)
		return out_of_memory(p);
	k->parts = parts;
	k->cap = cap;
	return true;
}

static bool parse_key_part(struct parser *p, struct key *k)
{
	struct key_part kp = {{NULL, 0}, here(p)};
	int c = peek(p);
	bool ok;

	if (k->n >= TOML_MAX_DEPTH)
		return fail(p, "key has more than %d parts", TOML_MAX_DEPTH);
	if ((c == '"' || c == '\'') && at_triple_quote(p))
		return fail(p, "expected a key (multi-line strings cannot be keys)");
	if (c == '"' || c == '\'')
		ok = parse_line_string(p, &kp.s);
	else if (is_bare_key_char(c))
		ok = parse_bare_key(p, &kp.s);
	else
		return fail_unexpected(p, "a key");
	if (!ok || !key_reserve(p, k))
		return false;
	k->parts[k->n++] = kp;
	return true;
}

/* key = part *( ws '.' ws part ), whitespace around it skipped too.
 * On success k has at least one part. */
static bool parse_key(struct parser *p, struct key *k)
{
	for (;;) {
		skip_ws(p);
		if (!parse_key_part(p, k))
			return false;
		skip_ws(p);
		if (peek(p) != '.')
			return k->parts != NULL;
		p->p++;
	}
}

/* ---- numbers ------------------------------------------------------------ */

/* A number token: every byte that can belong to an integer or a float. */
static const char *number_token_end(const struct parser *p)
{
	const char *q = p->p;

	while (q < p->end && (is_bare_key_char((unsigned char)*q) || *q == '.' || *q == '+'))
		q++;
	return q;
}

/* Position of byte q of a token that starts at 'at' (tokens are on one
 * line). */
static struct pos pos_in_token(struct pos at, const char *start, const char *q)
{
	at.col = clamp_int(at.col + (q - start));
	return at;
}

/* Value of a digit in any base up to 16; 99 (too big for every base) for
 * anything else. */
static int digit_value(int c)
{
	int d = hex_value(c);
	return d < 0 ? 99 : d;
}

/* Decimal, 0x, 0o and 0b integers with range checking for int64. */
static bool parse_integer(struct parser *p, const char *s, const char *e, struct pos at,
                          int64_t *out)
{
	const char *q = s;
	bool neg = false, prev_digit = false;
	unsigned base = 10;
	uint64_t mag = 0, limit;

	if (*q == '+' || *q == '-')
		neg = *q++ == '-';
	if (e - q > 1 && q[0] == '0' && (q[1] == 'x' || q[1] == 'o' || q[1] == 'b')) {
		if (q != s)
			return fail_at(p, at,
			               "a sign is not allowed on hex, octal or binary integers");
		base = q[1] == 'x' ? 16 : q[1] == 'o' ? 8 : 2;
		q += 2;
	} else if (e - q > 1 && q[0] == '0') {
		return fail_at(p, at, "leading zeros are not allowed");
	}
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; q < e; q++) {
		unsigned d = (unsigned)digit_value((unsigned char)*q);
		if (*q == '_' && prev_digit) {
			prev_digit = false;
			continue;
		}
		if (*q == '_')
			return fail_at(p, pos_in_token(at, s, q),
			               "an underscore must be between digits");
		if (d >= base)
			return fail_at(p, pos_in_token(at, s, q),
			               "invalid character in an integer");
		if (mag > (limit - d) / base)
			return fail_at(p, at, "integer out of range (must fit in 64 bits, signed)");
		mag = mag * base + d;
		prev_digit = true;
	}
	if (!prev_digit)
		return fail_at(p, pos_in_token(at, s, e), "expected a digit");
	if (neg)
		*out = mag > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)mag;
	else
		*out = (int64_t)mag;
	return true;
}

/* Skips digits with single underscores between them. Returns the end of
 * the run, NULL when it is empty or an underscore is misplaced. */
static const char *skip_digits(const char *q, const char *e)
{
	const char *start = q;

	while (q < e) {
		if (is_digit(*q))
			q++;
		else if (*q == '_' && q > start && q + 1 < e && is_digit(q[1]))
			q++;
		else
			break;
	}
	return q == start ? NULL : q;
}

/* Checks the float grammar: int-part [ '.' digits ] [ e [sign] digits ]. */
static const char *check_float_syntax(const char *q, const char *e)
{
	const char *int_start = q;

	if (q < e && (*q == '+' || *q == '-'))
		int_start = ++q;
	q = skip_digits(q, e);
	if (!q)
		return NULL;
	if (*int_start == '0' && q - int_start > 1)
		return NULL; /* leading zero */
	if (q < e && *q == '.') {
		q = skip_digits(q + 1, e);
		if (!q)
			return NULL;
	}
	if (q < e && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < e && (*q == '+' || *q == '-'))
			q++;
		q = skip_digits(q, e);
		if (!q)
			return NULL;
	}
	return q;
}

/* strtod() honours LC_NUMERIC: the '.' is swapped for the locale's decimal
 * point so that a host program calling setlocale() still parses "1.5". */
static bool convert_float(struct parser *p, const char *s, const char *e, double *out)
{
	const char *dp = localeconv()->decimal_point;
	size_t dplen = dp && *dp ? strlen(dp) : 1;
	size_t need = (size_t)(e - s) * dplen + 1;
	char small[128];
	char *buf = need <= sizeof(small) ? small : malloc(need), *w = buf, *end;

	if (!buf)
		return out_of_memory(p);
	for (const char *q = s; q < e; q++) {
		if (*q == '_')
			continue;
		if (*q == '.' && dp && *dp) {
			memcpy(w, dp, dplen);
			w += dplen;
		} else {
			*w++ = *q;
		}
	}
	*w = '\0';
	*out = strtod(buf, &end);
	if (buf != small)
		free(buf);
	if (end != w)
		return fail(p, "internal error converting a float");
	return true;
}

static bool parse_float(struct parser *p, const char *s, const char *e, struct pos at, double *out)
{
	const char *q = s;
	const char *end;

	if (*q == '+' || *q == '-')
		q++;
	if (e - q == 3 && (memcmp(q, "inf", 3) == 0 || memcmp(q, "nan", 3) == 0)) {
		double v = q[0] == 'i' ? HUGE_VAL : NAN;
		*out = *s == '-' ? -v : v;
		return true;
	}
	end = check_float_syntax(s, e);
	if (!end || end != e)
		return fail_at(p, at, "invalid float");
	if (!convert_float(p, s, e, out))
		return false;
	if (isinf(*out))
		return fail_at(p, at, "float out of range");
	return true;
}

static bool is_float_token(const char *s, const char *e)
{
	const char *q = s;

	if (q < e && (*q == '+' || *q == '-'))
		q++;
	if (e - q == 3 && (memcmp(q, "inf", 3) == 0 || memcmp(q, "nan", 3) == 0))
		return true;
	if (e - q > 1 && q[0] == '0' && (q[1] == 'x' || q[1] == 'o' || q[1] == 'b'))
		return false;
	for (; q < e; q++)
		if (*q == '.' || *q == 'e' || *q == 'E')
			return true;
	return false;
}

static toml_value *parse_number(struct parser *p)
{
	struct pos at = here(p);
	const char *s = p->p, *e = number_token_end(p);
	const char *digits = s + (*s == '+' || *s == '-');
	bool is_float = is_float_token(s, e);
	toml_value *v;
	bool ok;

	/* only inf and nan may start with a letter */
	if (digits == e || (!is_digit((unsigned char)*digits) && !is_float)) {
		fail_unexpected(p, "a value");
		return NULL;
	}
	v = new_scalar(p, is_float ? TOML_FLOAT : TOML_INTEGER, at);
	if (!v)
		return NULL;
	if (is_float)
		ok = parse_float(p, s, e, at, &v->u.f);
	else
		ok = parse_integer(p, s, e, at, &v->u.i);
	if (!ok)
		return NULL;
	p->p = e;
	return v;
}

/* ---- dates and times ---------------------------------------------------- */

/* Reads exactly n digits as a number; -1 when they are not there. */
static int read_digits(struct parser *p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		int c = peek(p);
		if (!is_digit(c))
			return -1;
		v = v * 10 + (c - '0');
		p->p++;
	}
	return v;
}

static bool expect_byte(struct parser *p, char c, const char *what)
{
	if (peek(p) != (unsigned char)c)
		return fail_unexpected(p, what);
	p->p++;
	return true;
}

static bool is_leap_year(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap_year(y) ? 29 : days[m - 1];
}

/* YYYY-MM-DD */
static bool parse_date(struct parser *p)
{
	struct pos at = here(p);
	int y, m, d;

	y = read_digits(p, 4);
	if (y < 0)
		return fail_unexpected(p, "a 4-digit year");
	if (!expect_byte(p, '-', "'-' after the year"))
		return false;
	m = read_digits(p, 2);
	if (m < 0)
		return fail_unexpected(p, "a 2-digit month");
	if (!expect_byte(p, '-', "'-' after the month"))
		return false;
	d = read_digits(p, 2);
	if (d < 0)
		return fail_unexpected(p, "a 2-digit day");
	if (m < 1 || m > 12)
		return fail_at(p, at, "month must be 01 to 12");
	if (d < 1 || d > days_in_month(y, m))
		return fail_at(p, at, "day out of range for the month");
	return true;
}

/* Two digits that must be at most max. */
static bool parse_time_field(struct parser *p, int max, const char *what)
{
	struct pos at = here(p);
	int v = read_digits(p, 2);
	char expected[64];

	if (v < 0) {
		snprintf(expected, sizeof(expected), "a 2-digit %s", what);
		return fail_unexpected(p, expected);
	}
	if (v > max)
		return fail_at(p, at, "%s out of range (at most %02d)", what, max);
	return true;
}

/* HH:MM:SS[.fraction]; seconds may be 60 (leap second, as in RFC 3339). */
static bool parse_time(struct parser *p)
{
	if (!parse_time_field(p, 23, "hour") || !expect_byte(p, ':', "':' after the hour") ||
	    !parse_time_field(p, 59, "minute") || !expect_byte(p, ':', "':' after the minutes") ||
	    !parse_time_field(p, 60, "second"))
		return false;
	if (peek(p) == '.') {
		p->p++;
		if (!is_digit(peek(p)))
			return fail_unexpected(p, "digits after '.'");
		while (is_digit(peek(p)))
			p->p++;
	}
	return true;
}

/* Optional Z, +HH:MM or -HH:MM; *present tells whether there was one. */
static bool parse_offset(struct parser *p, bool *present)
{
	int c = peek(p);

	*present = c == 'Z' || c == 'z' || c == '+' || c == '-';
	if (!*present)
		return true;
	p->p++;
	if (c == 'Z' || c == 'z')
		return true;
	return parse_time_field(p, 23, "offset hour") && expect_byte(p, ':', "':' in the offset") &&
	       parse_time_field(p, 59, "offset minute");
}

static bool looks_like_date(const struct parser *p)
{
	for (size_t i = 0; i < 4; i++)
		if (!is_digit(peek_at(p, i)))
			return false;
	return peek_at(p, 4) == '-';
}

static bool looks_like_time(const struct parser *p)
{
	return is_digit(peek(p)) && is_digit(peek_at(p, 1)) && peek_at(p, 2) == ':';
}

/* The four date/time kinds, kept as normalised text. */
static toml_value *parse_datetime(struct parser *p)
{
	struct pos at = here(p);
	const char *start = p->p;
	toml_type type = TOML_TIME_LOCAL;
	bool has_date = looks_like_date(p), has_offset = false;
	toml_value *v;
	char *s;
	int c;

	if (has_date) {
		if (!parse_date(p))
			return NULL;
		type = TOML_DATE_LOCAL;
		c = peek(p);
		if (c == 'T' || c == 't' || (c == ' ' && is_digit(peek_at(p, 1)))) {
			p->p++;
			type = TOML_DATETIME_LOCAL;
		}
	}
	if (type != TOML_DATE_LOCAL) {
		if (!parse_time(p))
			return NULL;
		if (has_date && !parse_offset(p, &has_offset))
			return NULL;
		if (has_offset)
			type = TOML_DATETIME;
	}
	v = new_scalar(p, type, at);
	if (!v || !arena_str(p, start, (size_t)(p->p - start), &v->u.str))
		return NULL;
	s = v->u.str.s;
	if (has_date && type != TOML_DATE_LOCAL)
		s[10] = 'T';
	if (has_offset && s[v->u.str.len - 1] == 'z')
		s[v->u.str.len - 1] = 'Z';
	return v;
}

/* ---- values ------------------------------------------------------------- */

static toml_value *parse_value(struct parser *p, int depth);
static bool parse_keyval(struct parser *p, struct node *base, unsigned section);

static toml_value *parse_string_value(struct parser *p)
{
	toml_value *v = new_scalar(p, TOML_STRING, here(p));
	bool ok;

	if (!v)
		return NULL;
	if (at_triple_quote(p))
		ok = parse_multiline_string(p, &v->u.str);
	else
		ok = parse_line_string(p, &v->u.str);
	return ok ? v : NULL;
}

static toml_value *parse_bool(struct parser *p)
{
	bool is_true = peek(p) == 't';
	const char *word = is_true ? "true" : "false";
	size_t len = strlen(word);
	toml_value *v;

	if ((size_t)(p->end - p->p) < len || memcmp(p->p, word, len) != 0) {
		fail_unexpected(p, "a value");
		return NULL;
	}
	v = new_scalar(p, TOML_BOOL, here(p));
	if (!v)
		return NULL;
	v->u.b = is_true;
	p->p += len;
	return v;
}

/* Bounds how deep arrays and inline tables may nest: the parser recurses
 * once per level, and hostile input must not exhaust the stack. */
static bool enter_nesting(struct parser *p)
{
	if (p->nesting >= TOML_MAX_NESTING)
		return fail(p, "arrays and inline tables nested deeper than %d levels",
		            TOML_MAX_NESTING);
	p->nesting++;
	return true;
}

/* [ value, value, ... ] with newlines and comments allowed in between. */
static toml_value *parse_array(struct parser *p, int depth)
{
	struct node *a;

	if (!enter_nesting(p))
		return NULL;
	a = new_node(p, TOML_ARRAY, here(p), depth);
	if (!a)
		goto fail;
	p->p++;
	for (;;) {
		toml_value *item;

		if (!skip_blank(p))
			goto fail;
		if (peek(p) == ']')
			break;
		item = parse_value(p, depth + 1);
		if (!item || !array_add(p, a, item))
			goto fail;
		if (!skip_blank(p))
			goto fail;
		if (peek(p) == ']')
			break;
		if (peek(p) != ',') {
			fail_unexpected(p, "',' or ']' in an array");
			goto fail;
		}
		p->p++;
	}
	p->p++;
	p->nesting--;
	return &a->v;
fail: /* what was built stays in the arena, freed with it */
	p->nesting--;
	return NULL;
}

/* { key = value, ... } on one line, no trailing comma. */
static toml_value *parse_inline_table(struct parser *p, int depth)
{
	struct node *t;
	unsigned section;

	if (!enter_nesting(p))
		return NULL;
	t = new_node(p, TOML_TABLE, here(p), depth);
	if (!t)
		goto fail;
	t->flags = NODE_INLINE;
	section = ++p->sections; /* dotted keys may extend only their own */
	p->p++;
	skip_ws(p);
	if (peek(p) != '}') {
		for (;;) {
			if (!parse_keyval(p, t, section))
				goto fail;
			skip_ws(p);
			if (peek(p) == '}')
				break;
			if (peek(p) != ',') {
				fail_unexpected(p, "',' or '}' in an inline table");
				goto fail;
			}
			p->p++;
		}
	}
	p->p++;
	p->nesting--;
	return &t->v;
fail:
	p->nesting--;
	return NULL;
}

/* depth: the depth the value will have in the tree. */
static toml_value *parse_value(struct parser *p, int depth)
{
	int c = peek(p);

	switch (c) {
	case '"':
	case '\'':
		return parse_string_value(p);
	case 't':
	case 'f':
		return parse_bool(p);
	case '[':
		return parse_array(p, depth);
	case '{':
		return parse_inline_table(p, depth);
	default:
		break;
	}
	if (looks_like_date(p) || looks_like_time(p))
		return parse_datetime(p);
	if (is_digit(c) || c == '+' || c == '-' || c == 'i' || c == 'n')
		return parse_number(p);
	fail_unexpected(p, "a value");
	return NULL;
}

/* ---- key/value pairs and headers ---------------------------------------- */

/* Fails at 'at' with fmt, whose %s is the key path up to part upto; a
 * second %s, if any, gets the type name 'type'. */
static void fail_key(struct parser *p, struct pos at, const struct key *k, size_t upto,
                     const char *fmt, toml_type type)
{
	char path[128];

	key_path_text(k, upto, path, sizeof(path));
	fail_at(p, at, fmt, path, toml_type_name(type));
}

/* Walks the dotted prefix of k (all parts but the last) from base,
 * creating missing tables. Returns the table the last part goes into.
 * A dotted key may only reach into tables that were created by dotted keys
 * of the same section, or implicitly by a [a.b.c] header path. */
static struct node *walk_dotted_key(struct parser *p, struct node *t, struct key *k,
                                    unsigned section)
{
	for (size_t i = 0; i + 1 < k->n; i++) {
		struct key_part *kp = &k->parts[i];
		size_t idx = table_find(t, kp->s.s, kp->s.len);
		toml_value *v;
		struct node *n;

		if (idx == NOT_FOUND) {
			t = add_container(p, t, kp, TOML_TABLE, NODE_DOTTED, kp->at);
			if (!t)
				return NULL;
			t->section = section;
			continue;
		}
		v = t->v.u.table.vals[idx];
		if (v->type != TOML_TABLE) {
			fail_key(p, kp->at, k, i,
			         "key '%s' is already defined (as %s) and cannot hold sub-keys",
			         v->type);
			return NULL;
		}
		n = as_node(v);
		if (n->flags & NODE_INLINE) {
			fail_key(p, kp->at, k, i, "cannot add keys to inline table '%s'",
			         n->v.type);
			return NULL;
		}
		if ((n->flags & NODE_HEADER) ||
		    ((n->flags & NODE_DOTTED) && n->section != section)) {
			fail_key(p, kp->at, k, i,
			         "cannot add keys to table "
			         "'%s' outside the section that defined it",
			         n->v.type);
			return NULL;
		}
		n->flags |= NODE_DOTTED;
		n->section = section;
		t = n;
	}
	return t;
}

/* key = value, inserted into base (the section's table or an inline
 * table). */
static bool parse_keyval(struct parser *p, struct node *base, unsigned section)
{
	struct key k;
	struct node *t;
	struct key_part *last;
	toml_value *v;
	bool ok = false;

	key_init(&k);
	if (!parse_key(p, &k))
		goto out;
	if (peek(p) != '=') {
		fail_unexpected(p, "'=' after the key");
		goto out;
	}
	p->p++;
	skip_ws(p);
	t = walk_dotted_key(p, base, &k, section);
	if (!t)
		goto out;
	last = &k.parts[k.n - 1];
	if (table_find(t, last->s.s, last->s.len) != NOT_FOUND) {
		fail_key(p, last->at, &k, k.n - 1, "duplicate key '%s'", t->v.type);
		goto out;
	}
	v = parse_value(p, t->depth + 1);
	if (!v)
		goto out;
	ok = table_add(p, t, &last->s, v);
out:
	key_free(&k);
	return ok;
}

/* Walks all parts but the last of a [header] key from the root,
 * creating implicit tables; an array of tables stands for its last
 * element. */
static struct node *walk_header_path(struct parser *p, struct key *k)
{
	struct node *t = p->root;

	for (size_t i = 0; i + 1 < k->n; i++) {
		struct key_part *kp = &k->parts[i];
		size_t idx = table_find(t, kp->s.s, kp->s.len);
		toml_value *v;

		if (idx == NOT_FOUND) {
			t = add_container(p, t, kp, TOML_TABLE, 0, kp->at);
			if (!t)
				return NULL;
			continue;
		}
		v = t->v.u.table.vals[idx];
		if (flags_of(v) & NODE_AOT) {
			t = as_node(v->u.array.items[v->u.array.n - 1]);
			continue;
		}
		if (v->type == TOML_TABLE && !(flags_of(v) & NODE_INLINE)) {
			t = as_node(v);
			continue;
		}
		fail_key(p, kp->at, k, i,
		         v->type == TOML_TABLE   ? "cannot extend inline table '%s'"
		         : v->type == TOML_ARRAY ? "cannot extend static array '%s' with a header"
		                                 : "key '%s' is already defined (as %s) and "
		                                   "cannot hold a table",
		         v->type);
		return NULL;
	}
	return t;
}

/* [a.b.c]: defines the table, which must not exist yet except as an
 * implicit one made by an earlier header path. */
static struct node *open_table(struct parser *p, struct node *t, struct key *k, struct pos at)
{
	struct key_part *last = &k->parts[k->n - 1];
	size_t idx = table_find(t, last->s.s, last->s.len);
	toml_value *v;
	unsigned flags;
	const char *why;

	if (idx == NOT_FOUND)
		return add_container(p, t, last, TOML_TABLE, NODE_HEADER, at);
	v = t->v.u.table.vals[idx];
	flags = flags_of(v);
	if (v->type == TOML_TABLE && !(flags & (NODE_INLINE | NODE_HEADER | NODE_DOTTED))) {
		as_node(v)->flags |= NODE_HEADER;
		v->line = at.line;
		v->col = at.col;
		return as_node(v);
	}
	if (flags & NODE_INLINE)
		why = "table '%s' already defined as an inline table";
	else if (flags & NODE_DOTTED)
		why = "table '%s' already defined by dotted keys";
	else if (v->type == TOML_TABLE)
		why = "table '%s' already defined";
	else if (flags & NODE_AOT)
		why = "table '%s' already defined as an array of tables";
	else
		why = "key '%s' already defined (as %s)";
	fail_key(p, at, k, k->n - 1, why, v->type);
	return NULL;
}

/* [[a.b.c]]: appends a new table to the array of tables. */
static struct node *open_array_table(struct parser *p, struct node *t, struct key *k, struct pos at)
{
	struct key_part *last = &k->parts[k->n - 1];
	size_t idx = table_find(t, last->s.s, last->s.len);
	struct node *a, *elem;

	if (idx == NOT_FOUND) {
		a = add_container(p, t, last, TOML_ARRAY, NODE_AOT, at);
		if (!a)
			return NULL;
	} else {
		toml_value *v = t->v.u.table.vals[idx];
		if (!(flags_of(v) & NODE_AOT)) {
			fail_key(p, at, k, k->n - 1,
			         v->type == TOML_ARRAY ? "cannot append to static array '%s'"
			                               : "key '%s' already defined (as %s)",
			         v->type);
			return NULL;
		}
		a = as_node(v);
	}
	elem = new_node(p, TOML_TABLE, at, a->depth + 1);
	if (!elem || !array_add(p, a, &elem->v))
		return NULL;
	elem->flags = NODE_HEADER;
	return elem;
}

/* [table] or [[array of tables]]; makes it the target of the lines after
 * it. */
static bool parse_header(struct parser *p)
{
	struct pos at = here(p);
	bool array = peek_at(p, 1) == '[';
	struct key k;
	struct node *t = NULL;

	key_init(&k);
	p->p += array ? 2 : 1;
	if (!parse_key(p, &k))
		goto out;
	if (peek(p) != ']' || (array && peek_at(p, 1) != ']')) {
		fail_unexpected(p, array ? "']]' to close the header" : "']' to close the header");
		goto out;
	}
	p->p += array ? 2 : 1;
	t = walk_header_path(p, &k);
	if (t)
		t = array ? open_array_table(p, t, &k, at) : open_table(p, t, &k, at);
	if (t) {
		p->table = t;
		p->section = ++p->sections;
	}
out:
	key_free(&k);
	return t != NULL;
}

static bool parse_document(struct parser *p)
{
	for (;;) {
		skip_ws(p);
		if (at_eof(p))
			return true;
		if (peek(p) == '[') {
			if (!parse_header(p))
				return false;
		} else if (peek(p) != '#' && !at_newline(p)) {
			if (!parse_keyval(p, p->table, p->section))
				return false;
		}
		if (!expect_line_end(p))
			return false;
	}
}

/* ---- public API --------------------------------------------------------- */

toml_value *toml_parse(const char *buf, size_t len, const char *name, char *err, size_t errlen)
{
	struct parser p = {0};
	struct root_node *root;

	if (err && errlen)
		err[0] = '\0';
	p.name = name ? name : "<input>";
	p.err = err;
	p.errlen = errlen;
	p.line = 1;
	if (!buf) {
		buf = "";
		len = 0;
	}
	p.buf = p.p = p.line_start = buf;
	p.end = buf + len;
	if (!check_utf8(&p))
		return NULL;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		p.p = p.line_start = buf + 3;
	p.root = new_node(&p, TOML_TABLE, here(&p), 0);
	if (p.root) {
		p.root->flags = NODE_HEADER | NODE_ROOT;
		p.table = p.root;
		p.section = p.sections = 1;
		if (!parse_document(&p))
			p.failed = true;
	}
	sb_release(&p.sb);
	if (!p.root || p.failed) {
		arena_release(p.arena.blocks);
		return NULL;
	}
	root = (struct root_node *)p.root;
	root->blocks = p.arena.blocks;
	return &root->n.v;
}

/* Only for a root returned by toml_parse(): the whole tree goes with its
 * arena. Any other value (an inner table, array or scalar) owns nothing
 * and is left alone. */
void toml_free(toml_value *v)
{
	if (!v || v->type != TOML_TABLE || !(as_node(v)->flags & NODE_ROOT))
		return;
	arena_release(((struct root_node *)v)->blocks);
}

/* Linear scan: fine for the small tables of rule files, and it works on
 * any table, whether or not the parser gave it a hash index. */
const toml_value *toml_get(const toml_value *t, const char *key)
{
	size_t len;

	if (!t || !key || t->type != TOML_TABLE)
		return NULL;
	len = strlen(key);
	for (size_t i = 0; i < t->u.table.n; i++)
		if (key_equals(&t->u.table.keys[i], key, len))
			return t->u.table.vals[i];
	return NULL;
}

const char *toml_type_name(toml_type t)
{
	switch (t) {
	case TOML_TABLE:
		return "table";
	case TOML_ARRAY:
		return "array";
	case TOML_STRING:
		return "string";
	case TOML_INTEGER:
		return "integer";
	case TOML_FLOAT:
		return "float";
	case TOML_BOOL:
		return "bool";
	case TOML_DATETIME:
		return "datetime";
	case TOML_DATETIME_LOCAL:
		return "datetime-local";
	case TOML_DATE_LOCAL:
		return "date-local";
	case TOML_TIME_LOCAL:
		return "time-local";
	}
	return "unknown";
}
