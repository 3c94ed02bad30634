/* test_toml.c - unit tests for the TOML parser (src/toml/toml.c).
 *
 * Build and run from the top of the tree:
 *   cc -std=c11 -Iinclude src/toml/toml.c tests/unit/test_toml.c -o t && ./t
 * Prints "ok N - name" / "not ok N - name" per test, then "P passed, F failed";
 * exits non-zero when anything failed. */
#include "toml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reports a failed expectation and makes the enclosing test fail. */
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
			return false;                                                              \
		}                                                                                  \
	} while (0)

static toml_value *parse(const char *doc, const char *name, char *err, size_t errlen)
{
	return toml_parse(doc, strlen(doc), name, err, errlen);
}

/* Parses a document that must be rejected; err gets the message. */
static bool rejects(const char *doc, char *err, size_t errlen)
{
	toml_value *v = parse(doc, "t.toml", err, errlen);

	if (v) {
		toml_free(v);
		return false;
	}
	return true;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool test_error_missing_value(void)
{
	char err[256];

	CHECK(rejects("x = 1\n\na = \n", err, sizeof(err)));
	CHECK(starts_with(err, "t.toml:3:5: expected a value"));
	CHECK(rejects("x = 1\n\na = ", err, sizeof(err)));
	CHECK(starts_with(err, "t.toml:3:5: expected a value"));
	return true;
}

static bool test_error_duplicate_key(void)
{
	char err[256];
	toml_value *v =
	    parse("id = 1\nname = \"a\"\n\n# c\n\n\nid = 2\n", "x.toml", err, sizeof(err));

	CHECK(!v);
	CHECK(strcmp(err, "x.toml:7:1: duplicate key 'id'") == 0);
	CHECK(rejects("[t]\na.b = 1\na.b = 2\n", err, sizeof(err)));
	CHECK(strcmp(err, "t.toml:3:3: duplicate key 'a.b'") == 0);
	CHECK(rejects("t = { x = 1, x = 2 }\n", err, sizeof(err)));
	CHECK(strcmp(err, "t.toml:1:14: duplicate key 'x'") == 0);
	return true;
}

static bool test_error_redefinitions(void)
{
	char err[256];

	CHECK(rejects("[a]\nx = 1\n[b]\n[a]\n", err, sizeof(err)));
	CHECK(strcmp(err, "t.toml:4:1: table 'a' already defined") == 0);
	CHECK(rejects("a = { b = 1 }\n[a.c]\n", err, sizeof(err)));
	CHECK(starts_with(err, "t.toml:2:2: cannot extend inline table"));
	CHECK(rejects("a = [1]\n[[a]]\n", err, sizeof(err)));
	CHECK(starts_with(err, "t.toml:2:1: cannot append to static array"));
	CHECK(rejects("[x]\na.b = 1\n[x.a]\n", err, sizeof(err)));
	CHECK(starts_with(err, "t.toml:3:1: table 'x.a' already defined"));
	return true;
}

static bool test_error_positions_in_values(void)
{
	char err[256];

	/* the column counts bytes: "é" is two */
	CHECK(rejects("s = \"é\" x\n", err, sizeof(err)));
	CHECK(starts_with(err, "t.toml:1:10: expected end of line"));
	CHECK(rejects("a = [\n  1,\n  2 3\n]\n", err, sizeof(err)));
	CHECK(starts_with(err, "t.toml:3:5: expected ',' or ']'"));
	CHECK(rejects("d = 2023-02-29\n", err, sizeof(err)));
	CHECK(starts_with(err, "t.toml:1:5: day out of range"));
	CHECK(rejects("n = 9223372036854775808\n", err, sizeof(err)));
	CHECK(starts_with(err, "t.toml:1:5: integer out of range"));
	CHECK(rejects("ok = 1\nbad = \"\xff\"\n", err, sizeof(err)));
	CHECK(strcmp(err, "t.toml:2:8: invalid UTF-8") == 0);
	return true;
}

static bool test_error_truncated(void)
{
	char err[12];

	memset(err, 'x', sizeof(err));
	CHECK(rejects("a = \n", err, sizeof(err)));
	CHECK(strlen(err) == sizeof(err) - 1);
	CHECK(!toml_parse("a = ", 4, "t", NULL, 0)); /* no buffer: no crash */
	return true;
}

static bool test_get(void)
{
	char err[256];
	toml_value *root = parse("title = \"x\"\n"
	                         "[rule.net]\n"
	                         "ports = [22, 80]\n"
	                         "\"a\\u0000b\" = true\n",
	                         "t.toml", err, sizeof(err));
	const toml_value *rule, *net, *ports;

	CHECK(root);
	CHECK(toml_get(root, "title")->type == TOML_STRING);
	CHECK(strcmp(toml_get(root, "title")->u.str.s, "x") == 0);
	rule = toml_get(root, "rule");
	net = toml_get(rule, "net");
	ports = toml_get(net, "ports");
	CHECK(rule && net && ports && ports->type == TOML_ARRAY);
	CHECK(ports->u.array.n == 2 && ports->u.array.items[1]->u.i == 80);
	CHECK(!toml_get(root, "missing"));
	CHECK(!toml_get(ports, "x")); /* not a table */
	CHECK(!toml_get(NULL, "x"));
	CHECK(!toml_get(net, "a"));         /* the key is "a\0b", 3 bytes */
	CHECK(!toml_get(root, "rule.net")); /* no dotted lookup */
	CHECK(strcmp(toml_type_name(TOML_DATE_LOCAL), "date-local") == 0);
	toml_free(root);
	return true;
}

static bool test_positions(void)
{
	char err[256];
	toml_value *root = parse("a = 1\n"
	                         "\n"
	                         "[t]\n"
	                         "  b =   \"x\"\n"
	                         "  c = [ true,\n"
	                         "        { d = 2 } ]\n"
	                         "[[arr]]\n",
	                         "t.toml", err, sizeof(err));
	const toml_value *a, *t, *b, *c, *d, *arr;

	CHECK(root);
	CHECK(root->line == 1 && root->col == 1);
	a = toml_get(root, "a");
	t = toml_get(root, "t");
	b = toml_get(t, "b");
	c = toml_get(t, "c");
	d = toml_get(c->u.array.items[1], "d");
	arr = toml_get(root, "arr");
	CHECK(a->line == 1 && a->col == 5);
	CHECK(t->line == 3 && t->col == 1);
	CHECK(b->line == 4 && b->col == 9);
	CHECK(c->line == 5 && c->col == 7);
	CHECK(c->u.array.items[0]->line == 5 && c->u.array.items[0]->col == 9);
	CHECK(c->u.array.items[1]->line == 6 && c->u.array.items[1]->col == 9);
	CHECK(d->line == 6 && d->col == 15);
	CHECK(arr->line == 7 && arr->col == 1);
	CHECK(arr->u.array.items[0]->line == 7);
	toml_free(root);
	return true;
}

static bool test_datetime_normalised(void)
{
	char err[256];
	toml_value *root = parse("a = 1979-05-27 07:32:00z\n"
	                         "b = 1979-05-27t07:32:00.5+01:30\n"
	                         "c = 2000-02-29\n"
	                         "d = 23:59:60\n",
	                         "t.toml", err, sizeof(err));

	CHECK(root);
	CHECK(toml_get(root, "a")->type == TOML_DATETIME);
	CHECK(strcmp(toml_get(root, "a")->u.str.s, "1979-05-27T07:32:00Z") == 0);
	CHECK(strcmp(toml_get(root, "b")->u.str.s, "1979-05-27T07:32:00.5+01:30") == 0);
	CHECK(toml_get(root, "c")->type == TOML_DATE_LOCAL);
	CHECK(toml_get(root, "d")->type == TOML_TIME_LOCAL);
	toml_free(root);
	CHECK(rejects("a = 1900-02-29\n", err, sizeof(err)));
	CHECK(rejects("a = 24:00:00\n", err, sizeof(err)));
	return true;
}

/* Builds text with depth copies of open, then value, then depth copies of
 * close. */
static char *nested(int depth, const char *open, const char *value, const char *close)
{
	size_t lo = strlen(open), lc = strlen(close), lv = strlen(value);
	char *s = malloc(4 + (size_t)depth * (lo + lc) + lv + 2), *w = s;

	if (!s)
		return NULL;
	memcpy(w, "x = ", 4);
	w += 4;
	for (int i = 0; i < depth; i++, w += lo)
		memcpy(w, open, lo);
	memcpy(w, value, lv);
	w += lv;
	for (int i = 0; i < depth; i++, w += lc)
		memcpy(w, close, lc);
	memcpy(w, "\n", 2);
	return s;
}

static bool accepts_nested(int depth, const char *open, const char *value, const char *close,
                           char *err, size_t errlen)
{
	char *doc = nested(depth, open, value, close);
	toml_value *v = doc ? parse(doc, "t.toml", err, errlen) : NULL;

	free(doc);
	toml_free(v);
	return v != NULL;
}

static bool test_nesting_limit(void)
{
	char err[256];

	CHECK(accepts_nested(128, "[", "1", "]", err, sizeof(err)));
	CHECK(!accepts_nested(129, "[", "1", "]", err, sizeof(err)));
	CHECK(strstr(err, "nested deeper than 128 levels"));
	CHECK(starts_with(err, "t.toml:1:133: "));
	CHECK(accepts_nested(128, "{a=", "1", "}", err, sizeof(err)));
	CHECK(!accepts_nested(129, "{a=", "1", "}", err, sizeof(err)));
	CHECK(strstr(err, "nested deeper than 128 levels"));
	CHECK(!accepts_nested(70, "[{a=", "1", "}]", err, sizeof(err)));
	/* hostile input: must fail cleanly, not overflow the stack */
	CHECK(!accepts_nested(1000000, "[", "", "", err, sizeof(err)));
	CHECK(!accepts_nested(1000000, "{a=", "", "", err, sizeof(err)));
	return true;
}

static bool test_deep_keys_limited(void)
{
	char err[256];
	size_t n = 100000;
	char *doc = malloc(2 * n + 8);
	bool rejected;

	CHECK(doc);
	doc[0] = '[';
	for (size_t i = 0; i < n; i++)
		memcpy(doc + 1 + 2 * i, "a.", 2);
	memcpy(doc + 2 * n, "]\n", 3);
	rejected = rejects(doc, err, sizeof(err));
	free(doc);
	CHECK(rejected);
	CHECK(strstr(err, "more than 512 parts"));
	return true;
}

/* Many keys in one table: the hash index must keep duplicates detected. */
static bool test_large_table(void)
{
	char err[256];
	size_t n = 20000, used = 0;
	char *doc = malloc(n * 24 + 32);
	toml_value *root;
	bool ok;

	CHECK(doc);
	for (size_t i = 0; i < n; i++)
		used += (size_t)sprintf(doc + used, "k%zu = %zu\n", i, i);
	root = toml_parse(doc, used, "t.toml", err, sizeof(err));
	ok = root && root->u.table.n == n && toml_get(root, "k12345")->u.i == 12345;
	toml_free(root);
	sprintf(doc + used, "k777 = 1\n");
	root = parse(doc, "t.toml", err, sizeof(err));
	free(doc);
	CHECK(ok);
	CHECK(!root);
	CHECK(strstr(err, ":20001:1: duplicate key 'k777'"));
	return true;
}

static bool test_strings(void)
{
	char err[256];
	toml_value *root = parse("a = \"tab\\there \\u00e9 \\U0001F600\"\n"
	                         "b = \"\"\"\n  x\\\n    y\r\nz\"\"\"\"\n"
	                         "c = 'C:\\path'\n"
	                         "n = \"a\\u0000b\"\n",
	                         "t.toml", err, sizeof(err));
	const toml_value *n;

	CHECK(root);
	CHECK(strcmp(toml_get(root, "a")->u.str.s, "tab\there \xc3\xa9 \xf0\x9f\x98\x80") == 0);
	CHECK(strcmp(toml_get(root, "b")->u.str.s, "  xy\nz\"") == 0);
	CHECK(strcmp(toml_get(root, "c")->u.str.s, "C:\\path") == 0);
	n = toml_get(root, "n");
	CHECK(n->u.str.len == 3 && memcmp(n->u.str.s, "a\0b", 4) == 0);
	toml_free(root);
	CHECK(rejects("a = \"\\uD800\"\n", err, sizeof(err)));
	CHECK(strcmp(err, "t.toml:1:6: \\uD800 is not a Unicode scalar "
	                  "value") == 0);
	CHECK(rejects("a = \"\\U00110000\"\n", err, sizeof(err)));
	CHECK(rejects("a = \"\\x41\"\n", err, sizeof(err)));
	CHECK(rejects("a = \"x\ry\"\n", err, sizeof(err)));
	return true;
}

struct test {
	const char *name;
	bool (*fn)(void);
};

int main(void)
{
	static const struct test tests[] = {
	    {"error: missing value at line 3 col 5", test_error_missing_value},
	    {"error: duplicate keys", test_error_duplicate_key},
	    {"error: table redefinitions", test_error_redefinitions},
	    {"error: positions inside values", test_error_positions_in_values},
	    {"error: message truncated to errlen", test_error_truncated},
	    {"toml_get", test_get},
	    {"line/col of values", test_positions},
	    {"datetimes normalised and validated", test_datetime_normalised},
	    {"nesting limit of 128", test_nesting_limit},
	    {"deep dotted keys limited", test_deep_keys_limited},
	    {"large table", test_large_table},
	    {"strings and escapes", test_strings},
	};
	size_t n = sizeof(tests) / sizeof(tests[0]);
	int passed = 0, failed = 0;

	for (size_t i = 0; i < n; i++) {
		bool ok = tests[i].fn();
		printf("%s %zu - %s\n", ok ? "ok" : "not ok", i + 1, tests[i].name);
		if (ok)
			passed++;
		else
			failed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
