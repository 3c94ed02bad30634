/* test_psql_lexer.c - unit tests for the streaming psql lexer
 * (src/psql/lexer.c). Each case lexes a few lines, whole and in 1-byte
 * chunks, and checks a compact rendering of the events:
 *   S<line><term>[kw bits as letters][v]{text}  M<line>\name{args}
 *   C<line>:<bytes>  and at the end E or E!<why>. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "psql_lexer.h"
#include "unit.h"
#include "util.h"

static strbuf out;

static void on_stmt(void *ctx, const psql_stmt *s)
{
	(void)ctx;
	sb_printf(&out, "S%ld%s", s->line, s->terminator);
	for (unsigned i = 0; i < 17; i++)
		if (s->keywords & (1u << i))
			sb_putc(&out, (char)('a' + i));
	if (s->has_variables)
		sb_putc(&out, 'v');
	if (s->conditional)
		sb_putc(&out, '?');
	if (s->truncated)
		sb_printf(&out, "~%zu", s->full_len);
	sb_printf(&out, "{%s} ", s->text);
	if (s->interesting != (s->keywords || s->has_variables || s->conditional) ||
	    s->text[s->len] != '\0')
		sb_puts(&out, "BAD ");
}

static void on_meta(void *ctx, const psql_meta *m)
{
	(void)ctx;
	sb_printf(&out, "M%ld\\%s{%s} ", m->line, m->name, m->args);
}

static void on_copy(void *ctx, size_t bytes, long line)
{
	(void)ctx;
	sb_printf(&out, "C%ld:%zu ", line, bytes);
}

/* Lexes in chunks of `chunk` bytes (0: at once); returns the rendering. */
static char *lex_n(const char *in, size_t len, size_t chunk, size_t max)
{
	psql_lex_callbacks cb = {on_stmt, on_meta, on_copy, NULL};
	psql_lexer *lx = psql_lex_new(&cb, NULL, max);
	const char *why;

	for (size_t off = 0; off < len;) {
		size_t k = chunk && chunk < len - off ? chunk : len - off;

		psql_lex_feed(lx, in + off, k);
		off += k;
	}
	if (psql_lex_finish(lx, &why))
		sb_puts(&out, "E");
	else
		sb_printf(&out, "E!%s", why);
	psql_lex_free(lx);
	return sb_steal(&out);
}

/* Whole and byte by byte must agree; returns the whole-input rendering, or
 * a marker when they differ. */
static const char *lexm(const char *in, size_t max)
{
	static char *last;
	char *a = lex_n(in, strlen(in), 0, max);
	char *b = lex_n(in, strlen(in), 1, max);

	free(last);
	if (strcmp(a, b) != 0) {
		printf("# chunking differs for %s:\n#  %s\n#  %s\n", in, a, b);
		free(b);
		last = a;
		return "CHUNKING DIFFERS";
	}
	free(b);
	last = a;
	return last;
}

static const char *lex(const char *in)
{
	return lexm(in, 1 << 16);
}

/* Keyword letters: a DELETE b UPDATE c MERGE d TRUNCATE e DROP f ALTER
 * g VACUUM h SET i BEGIN j GRANT k COPY l DO m EXECUTE n CREATE o FUNCTION
 * p OTHER. */
static void test_basics(void)
{
	CHECK_STR(lex("SELECT 1;"), "S1;{SELECT 1} E");
	CHECK_STR(lex("\n\n  SELECT 1\n;"), "S3;{SELECT 1} E");
	CHECK_STR(lex("SELECT 1"), "S1{SELECT 1} E");
	CHECK_STR(lex(";;  ;"), "E");
	CHECK_STR(lex("-- only\n/* a comment */"), "E");
	CHECK_STR(lex("-- c\nSELECT 1 -- t\n;"), "S2;{SELECT 1} E");
	CHECK_STR(lex("/* c */ SELECT 1 /* d */;"), "S1;{SELECT 1} E");
	CHECK_STR(lex("SELECT 1; SELECT 2;\nSELECT 3;"),
	          "S1;{SELECT 1} S1;{SELECT 2} S2;{SELECT 3} E");
	CHECK_STR(lex("SELECT 4 - -5 / 2;"), "S1;{SELECT 4 - -5 / 2} E");
}

static void test_quotes(void)
{
	CHECK_STR(lex("SELECT 'a;b''c';"), "S1;{SELECT 'a;b''c'} E");
	CHECK_STR(lex("SELECT 'a\\'; DELETE FROM t;"), "S1;{SELECT 'a\\'} S1;a{DELETE FROM t} E");
	CHECK_STR(lex("SELECT E'a\\'; DELETE FROM t;';"), "S1;{SELECT E'a\\'; DELETE FROM t;'} E");
	CHECK_STR(lex("SELECT e'\\\\'; SELECT 2;"), "S1;{SELECT e'\\\\'} S1;{SELECT 2} E");
	CHECK_STR(lex("SELECT xe'\\'; SELECT 2;"), "S1;{SELECT xe'\\'} S1;{SELECT 2} E");
	CHECK_STR(lex("SELECT \"a;\"\"b\" FROM \"delete\";"),
	          "S1;{SELECT \"a;\"\"b\" FROM \"delete\"} E");
	CHECK_STR(lex("SELECT 'open"), "S1{SELECT 'open} E!unterminated quoted string");
	CHECK_STR(lex("SELECT \"open"), "S1{SELECT \"open} E!unterminated quoted identifier");
	/* E'' continued after a newline: psql and the server disagree. */
	CHECK_STR(lex("SELECT E'a'\n'b';"), "S1;p{SELECT E'a'\n'b'} E");
	CHECK_STR(lex("SELECT E'a'\r'\\'' ; SELECT 2;"), "S1;{SELECT E'a'\r'\\''} S1;{SELECT 2} E");
	CHECK_STR(lex("SELECT 1E'x';"), "S1;p{SELECT 1E'x'} E");
}

static void test_dollar(void)
{
	CHECK_STR(lex("SELECT $$;$$;"), "S1;{SELECT $$;$$} E");
	CHECK_STR(lex("SELECT $a$ $b$; $a$;"), "S1;{SELECT $a$ $b$; $a$} E");
	CHECK_STR(lex("SELECT $a$ $$a$ x;"), "S1;{SELECT $a$ $$a$ x} E");
	CHECK_STR(lex("SELECT $a$ $b$ x;"),
	          "S1{SELECT $a$ $b$ x;} E!unterminated dollar-quoted string");
	CHECK_STR(lex("SELECT $1; SELECT a$b$;"), "S1;{SELECT $1} S1;{SELECT a$b$} E");
	CHECK_STR(lex("SELECT $1x$$; DROP t;"), "S1;{SELECT $1x$$} S1;e{DROP t} E");
	CHECK_STR(lex("SELECT $drop + 1;"), "S1;e{SELECT $drop + 1} E");
	CHECK_STR(lex("DO $$BEGIN DELETE FROM t; END$$;"),
	          "S1;l{DO $$BEGIN DELETE FROM t; END$$} E");
}

static void test_comments(void)
{
	CHECK_STR(lex("SELECT /* /* ; */ ; */ 1;"), "S1;{SELECT /* /* ; */ ; */ 1} E");
	CHECK_STR(lex("SELECT 1 /* open"), "S1{SELECT 1 /* open} E!unterminated /* comment");
	CHECK_STR(lex("SELECT 1 -- ; DELETE\n;"), "S1;{SELECT 1} E");
	CHECK_STR(lex("SELECT 1 --\rDELETE FROM t;"), "S1;a{SELECT 1 --\rDELETE FROM t} E");
}

static void test_meta(void)
{
	CHECK_STR(lex("\\i x.sql\nSELECT 1;"), "M1\\i{x.sql} S2;{SELECT 1} E");
	CHECK_STR(lex("\\echo 'a \\\\ b' c \\\\ SELECT 2;"),
	          "M1\\echo{'a \\\\ b' c} S1;{SELECT 2} E");
	CHECK_STR(lex("\\echo a\\echo b\n"), "M1\\echo{a} M1\\echo{b} E");
	CHECK_STR(lex("\\! rm \\\\ x\n"), "M1\\!{rm \\\\ x} E");
	CHECK_STR(lex("SELECT 1 \\echo hi\n+ 1;"), "M1\\echo{hi} S1;{SELECT 1 \n+ 1} E");
	CHECK_STR(lex("SELECT 1\\; DELETE FROM t;"), "S1;a{SELECT 1; DELETE FROM t} E");
	CHECK_STR(lex("SELECT 1 \\:x;"), "S1;{SELECT 1 :x} E");
	CHECK_STR(lex("\\set x 1 \\\\ SELECT 'a\nb';"),
	          "M1\\set{x 1} S1;{SELECT 'a\nb'} E!SQL after a \\\\ separator leaves a quote or "
	          "comment open");
}

static void test_terminators(void)
{
	CHECK_STR(lex("SELECT 1 \\g\n"), "S1\\g{SELECT 1} M1\\g{} E");
	CHECK_STR(lex("SELECT 1 \\gx\nSELECT 2 \\gexec\n"),
	          "S1\\gx{SELECT 1} M1\\gx{} S2\\gexec{SELECT 2} M2\\gexec{} E");
	CHECK_STR(lex("SELECT 1 \\g |sh -c x \\\\ y\n"),
	          "S1\\g{SELECT 1} M1\\g{|sh -c x \\\\ y} E");
	CHECK_STR(lex("DELETE FROM t;\n\\g\n"),
	          "S1;a{DELETE FROM t} S1\\ga{DELETE FROM t} M2\\g{} E");
	CHECK_STR(lex("DELETE FROM t \\r\nSELECT 1;"), "M1\\r{} S2;{SELECT 1} E");
	CHECK_STR(lex("SELECT now() \\watch 2\n"), "S1\\watch{SELECT now()} M1\\watch{2} E");
}

static void test_variables(void)
{
	CHECK_STR(lex("SELECT :x;"), "S1;v{SELECT :x} E");
	CHECK_STR(lex("SELECT :'x', :\"y\";"), "S1;v{SELECT :'x', :\"y\"} E");
	CHECK_STR(lex("SELECT a::int, b := 1;"), "S1;{SELECT a::int, b := 1} E");
	CHECK_STR(lex("SELECT a[1:2];"), "S1;v{SELECT a[1:2]} E");
	CHECK_STR(lex("SELECT :'a b';"), "S1;{SELECT :'a b'} E");
	CHECK_STR(lex("SELECT ':x';"), "S1;{SELECT ':x'} E");
}

static void test_statement_rules(void)
{
	CHECK_STR(lex("SELECT (1; 2);"), "S1;p{SELECT (1; 2)} E");
	CHECK_STR(
	    lex("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;"),
	    "S1;inop{CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END} E");
	CHECK_STR(lex("BEGIN; SELECT 1; END;"), "S1;i{BEGIN} S1;{SELECT 1} S1;p{END} E");
	CHECK_STR(lex("INSERT INTO public.t (a, \"set\", start) VALUES (1, 'x', NULL);"),
	          "S1;{INSERT INTO public.t (a, \"set\", start) VALUES (1, 'x', NULL)} E");
	CHECK_STR(lex("INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING;"),
	          "S1;{INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING} E");
	CHECK_STR(lex("INSERT INTO t VALUES (f(1));"), "S1;o{INSERT INTO t VALUES (f(1))} E");
	CHECK_STR(lex("SELECT count(*) FROM t WHERE a IN (1);"),
	          "S1;{SELECT count(*) FROM t WHERE a IN (1)} E");
	CHECK_STR(lex("SELECT pg_catalog.count(1), \"f\"(2);"),
	          "S1;o{SELECT pg_catalog.count(1), \"f\"(2)} E");
	CHECK_STR(lex("select deleted_at from t;"), "S1;{select deleted_at from t} E");
	CHECK_STR(lex("LOCK t;"), "S1;p{LOCK t} E");
	CHECK_STR(lex("SELECT 1 \\; LOCK t;"), "S1;p{SELECT 1 ; LOCK t} E");
}

static void test_copy(void)
{
	CHECK_STR(lex("COPY t FROM STDIN;\na\tb\n\\.\nSELECT 1;"),
	          "S1;k{COPY t FROM STDIN} C2:4 S4;{SELECT 1} E");
	CHECK_STR(lex("COPY t FROM stdin; SELECT 2;\nDROP x;\n\\.\n"),
	          "S1;k{COPY t FROM stdin} S1;{SELECT 2} C2:8 E");
	CHECK_STR(lex("COPY t (a) FROM STDIN (FORMAT csv);\nx\n"),
	          "S1;k{COPY t (a) FROM STDIN (FORMAT csv)} C2:2 E");
	CHECK_STR(lex("COPY t TO STDOUT;\nSELECT 1;"), "S1;k{COPY t TO STDOUT} S2;{SELECT 1} E");
	CHECK_STR(lex("SELECT copy FROM stdin;\nSELECT 1;"),
	          "S1;k{SELECT copy FROM stdin} S2;{SELECT 1} E");
	CHECK_STR(lex("\\copy t from stdin\n1\n\\.\nSELECT 1;"),
	          "M1\\copy{t from stdin} C2:2 S4;{SELECT 1} E");
	CHECK_STR(lex("\\copy t to 'f'\nSELECT 1;"), "M1\\copy{t to 'f'} S2;{SELECT 1} E");
	CHECK_STR(lex("COPY t FROM STDIN;"), "S1;k{COPY t FROM STDIN} C1:0 E");
	CHECK_STR(lex("COPY t FROM STDIN;\n\\.x\n\\.\r\n"), "S1;k{COPY t FROM STDIN} C2:4 E");
}

static void test_limits(void)
{
	CHECK_STR(lexm("SELECT 123456789;", 8), "S1;~16{SELECT 1} E");
	CHECK_STR(lexm("DELETE FROM t;", 0), "S1;a~13{} E");
	char *nul = lex_n("SELECT 'a\0b';", 13, 0, 64);

	CHECK_STR(nul, "S1;{SELECT 'a} E!NUL byte in input");
	free(nul);
}

int main(void)
{
	test_basics();
	test_quotes();
	test_dollar();
	test_comments();
	test_meta();
	test_terminators();
	test_variables();
	test_statement_rules();
	test_copy();
	test_limits();
	sb_free(&out);
	return unit_done();
}
