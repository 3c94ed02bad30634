/* fuzz_psql_lexer.c - libFuzzer target for the psql lexer (src/psql/lexer.c).
 *
 * The first two bytes choose the chunking and max_stmt; the rest is psql
 * input. It is lexed once in one piece and once in pseudo-random chunks
 * derived from those bytes: the events must be identical (chunk
 * independence), and every event must be self-consistent. Sanitizers catch
 * the rest.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -D_GNU_SOURCE \
 *       tests/fuzz/fuzz_psql_lexer.c src/psql/lexer.c src/util.c src/die.c \
 *       -o build/fuzz_psql_lexer
 *   build/fuzz_psql_lexer -max_total_time=60 tests/fuzz/corpus_psql */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "psql_lexer.h"
#include "util.h"

struct run {
	strbuf ev;
	size_t max, in_len, copy_bytes;
	long lines;
};

static void fail(const char *what)
{
	fprintf(stderr, "invariant broken: %s\n", what);
	abort();
}

static void on_stmt(void *ctx, const psql_stmt *s)
{
	static const char *const terms[] = {";",      "\\g",     "\\gx",    "\\gexec",
	                                    "\\gset", "\\gdesc", "\\watch", "\\crosstabview",
	                                    "",       NULL};
	struct run *r = ctx;
	bool known = false;

	for (const char *const *t = terms; *t; t++)
		known |= strcmp(s->terminator, *t) == 0;
	if (!known)
		fail("unknown terminator");
	if (s->len > s->full_len || s->len > r->max || s->text[s->len] != '\0')
		fail("statement length");
	if (s->truncated != (s->full_len > s->len))
		fail("truncated flag");
	if (s->full_len == 0 || s->full_len > r->in_len)
		fail("full_len");
	if (s->interesting != (s->keywords != 0 || s->has_variables || s->conditional))
		fail("interesting flag");
	if (s->line < 1 || s->line > r->lines)
		fail("statement line");
	sb_printf(&r->ev, "S%ld %s %x %d %d %zu %zu|", s->line, s->terminator, s->keywords,
	          s->has_variables, s->conditional, s->len, s->full_len);
	sb_putn(&r->ev, s->text, s->len);
	sb_putc(&r->ev, '\n');
}

static void on_meta(void *ctx, const psql_meta *m)
{
	struct run *r = ctx;

	if (m->line < 1 || m->line > r->lines)
		fail("meta line");
	sb_printf(&r->ev, "M%ld %s|%s\n", m->line, m->name, m->args);
}

static void on_copy(void *ctx, size_t bytes, long line)
{
	struct run *r = ctx;

	r->copy_bytes += bytes;
	if (r->copy_bytes > r->in_len || line < 1 || line > r->lines)
		fail("copy data");
	sb_printf(&r->ev, "C%ld %zu\n", line, bytes);
}

static void on_copy_sql(void *ctx, const char *word, long line)
{
	struct run *r = ctx;

	if (!*word || line < 1 || line > r->lines + 1)
		fail("copy sql");
	sb_printf(&r->ev, "Q%ld %s\n", line, word);
}

/* Lexes data; seed 0 means one chunk. Returns the events (caller frees). */
static char *lex(const uint8_t *data, size_t len, size_t max, unsigned seed)
{
	psql_lex_callbacks cb = {on_stmt, on_meta, on_copy, on_copy_sql};
	struct run r = {.max = max, .in_len = len, .lines = 1};
	psql_lexer *lx;
	const char *why = NULL;
	bool ok;

	for (size_t i = 0; i < len; i++)
		r.lines += data[i] == '\n';
	lx = psql_lex_new(&cb, &r, max);
	for (size_t off = 0; off < len;) {
		size_t k = len - off;

		if (seed) {
			seed = seed * 1103515245u + 12345u;
			k = 1 + (seed >> 16) % (1 + (seed >> 8) % 64);
			if (k > len - off)
				k = len - off;
		}
		psql_lex_feed(lx, (const char *)data + off, k);
		off += k;
	}
	ok = psql_lex_finish(lx, &why);
	if (ok != (why == NULL))
		fail("finish result");
	sb_printf(&r.ev, "END %s\n", ok ? "ok" : why);
	psql_lex_free(lx);
	return sb_steal(&r.ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	unsigned seed = (unsigned)data[0] << 8 | data[1] | 1u;
	size_t max = data[0] & 0x80 ? 1u << 16 : (size_t)(data[1] % 48);
	char *whole = lex(data + 2, size - 2, max, 0);
	char *chunked = lex(data + 2, size - 2, max, seed);

	if (strcmp(whole, chunked) != 0) {
		fprintf(stderr, "one chunk:\n%s\nchunked:\n%s\n", whole, chunked);
		fail("events depend on chunking");
	}
	free(whole);
	free(chunked);
	return 0;
}
