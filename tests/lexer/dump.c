/* dump.c - prints every psql lexer callback as one line, for the golden
 * cases in tests/lexer/cases (see run.sh).
 *
 *   lexer-dump [-q] [-S] [-C] [-m MAX_STMT] [-c CHUNK] [FILE]
 *
 * Streams FILE (or standard input) in 64 KiB reads, fed in CHUNK-byte pieces
 * (default: each read whole), and prints
 *   STMT line=3 term=";" kw=DELETE,SET vars=no trunc=no len=24 full=24 | text
 *   META line=5 name="i" args="x.sql"
 *   COPYDATA line=9 bytes=120
 *   COPYSQL line=10 word="delete"
 *   END ok | END open: why
 * (-S: psql's single-line mode; -C: a -c string, psql_lex_set_no_copy) with control characters and
 * backslashes in text escaped. -q prints only counts, for benchmarks (tests/lexer/bench.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "psql_lexer.h"

static int quiet, single_line, no_copy;
static unsigned long n_stmt, n_interesting, n_meta;
static unsigned long long copy_total;

static void put_escaped(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\r')
			fputs("\\r", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c == '\\')
			fputs("\\\\", stdout);
		else if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

static void on_stmt(void *ctx, const psql_stmt *s)
{
	static const char *const names[] = {"DELETE", "UPDATE",  "MERGE",   "TRUNCATE", "DROP",
	                                    "ALTER",  "VACUUM",  "SET",     "BEGIN",    "GRANT",
	                                    "COPY",   "DO",      "EXECUTE", "CREATE",   "FUNCTION",
	                                    "OTHER",  "OPERATOR"};
	const char *sep = "";

	(void)ctx;
	n_stmt++;
	n_interesting += s->interesting;
	if (quiet)
		return;
	printf("STMT line=%ld term=\"", s->line);
	put_escaped(s->terminator, strlen(s->terminator));
	printf("\" kw=");
	for (unsigned i = 0; i < sizeof names / sizeof *names; i++) {
		if (s->keywords & (1u << i)) {
			printf("%s%s", sep, names[i]);
			sep = ",";
		}
	}
	if (!*sep)
		printf("-");
	if (s->conditional)
		printf(" cond=yes");
	if (s->interesting != (s->keywords || s->has_variables || s->conditional))
		printf(" BAD-INTERESTING");
	if (s->text[s->len] != '\0')
		printf(" BAD-LEN");
	printf(" vars=%s trunc=%s len=%zu full=%zu | ", s->has_variables ? "yes" : "no",
	       s->truncated ? "yes" : "no", s->len, s->full_len);
	put_escaped(s->text, s->len);
	putchar('\n');
}

static void on_meta(void *ctx, const psql_meta *m)
{
	(void)ctx;
	n_meta++;
	if (quiet)
		return;
	printf("META line=%ld name=\"", m->line);
	put_escaped(m->name, strlen(m->name));
	printf("\" args=\"");
	put_escaped(m->args, strlen(m->args));
	printf("\"\n");
}

static void on_copy(void *ctx, size_t bytes, long line)
{
	(void)ctx;
	copy_total += bytes;
	if (quiet)
		return;
	printf("COPYDATA line=%ld bytes=%zu\n", line, bytes);
}

static void on_copy_sql(void *ctx, const char *word, long line)
{
	(void)ctx;
	if (quiet)
		return;
	printf("COPYSQL line=%ld word=\"", line);
	put_escaped(word, strlen(word));
	printf("\"\n");
}

int main(int argc, char **argv)
{
	static char buf[1 << 16];
	size_t max_stmt = 1 << 20, chunk = 0, n;
	const char *path = NULL;
	FILE *f = stdin;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-m") == 0 && i + 1 < argc)
			max_stmt = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			chunk = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-q") == 0)
			quiet = 1;
		else if (strcmp(argv[i], "-S") == 0)
			single_line = 1;
		else if (strcmp(argv[i], "-C") == 0)
			no_copy = 1;
		else
			path = argv[i];
	}
	if (path && !(f = fopen(path, "rb"))) {
		perror(path);
		return 2;
	}

	psql_lex_callbacks cb = {on_stmt, on_meta, on_copy, on_copy_sql};
	psql_lexer *lx = psql_lex_new(&cb, NULL, max_stmt);
	psql_lex_set_single_line(lx, single_line);
	if (no_copy)
		psql_lex_set_no_copy(lx);
	const char *why = NULL;

	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		for (size_t off = 0; off < n;) {
			size_t k = chunk && chunk < n - off ? chunk : n - off;

			psql_lex_feed(lx, buf + off, k);
			off += k;
		}
	}
	if (quiet)
		printf("statements=%lu interesting=%lu metas=%lu copy_bytes=%llu\n", n_stmt,
		       n_interesting, n_meta, copy_total);
	if (psql_lex_finish(lx, &why))
		printf("END ok\n");
	else
		printf("END open: %s\n", why);
	psql_lex_free(lx);
	if (f != stdin)
		fclose(f);
	return 0;
}
