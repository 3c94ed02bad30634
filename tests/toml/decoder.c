/* decoder.c - toml-test decoder for the interlock TOML parser.
 *
 * Reads one TOML document on stdin. When it is valid, prints it as
 * toml-test "tagged JSON" on stdout and exits 0; otherwise prints the
 * parser's message ("<stdin>:line:col: ...") on stderr and exits 1. */
#include "toml.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_all(FILE *f, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);

	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);
		char *bigger;

		n += got;
		if (n < cap) {
			if (ferror(f))
				break;
			*len = n;
			return buf;
		}
		cap *= 2;
		bigger = realloc(buf, cap);
		if (!bigger)
			break;
		buf = bigger;
	}
	free(buf);
	return NULL;
}

/* JSON string: quotes and backslashes escaped, control characters (NUL
 * included) as \u00XX, UTF-8 passed through (the parser checked it). */
static void print_json_string(const char *s, size_t len)
{
	putchar('"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static const char *tag_of(toml_type t)
{
	switch (t) {
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
	case TOML_TABLE:
	case TOML_ARRAY:
		break;
	}
	return "?";
}

/* The scalar's value as the text toml-test expects. */
static void print_scalar_text(const toml_value *v)
{
	char buf[64];

	switch (v->type) {
	case TOML_INTEGER:
		snprintf(buf, sizeof(buf), "%" PRId64, v->u.i);
		break;
	case TOML_FLOAT:
		if (isnan(v->u.f))
			strcpy(buf, "nan");
		else if (isinf(v->u.f))
			strcpy(buf, v->u.f < 0 ? "-inf" : "inf");
		else
			snprintf(buf, sizeof(buf), "%.17g", v->u.f);
		break;
	case TOML_BOOL:
		strcpy(buf, v->u.b ? "true" : "false");
		break;
	default:
		print_json_string(v->u.str.s, v->u.str.len);
		return;
	}
	print_json_string(buf, strlen(buf));
}

static void print_value(const toml_value *v)
{
	size_t i;

	switch (v->type) {
	case TOML_TABLE:
		putchar('{');
		for (i = 0; i < v->u.table.n; i++) {
			if (i)
				putchar(',');
			print_json_string(v->u.table.keys[i].s, v->u.table.keys[i].len);
			putchar(':');
			print_value(v->u.table.vals[i]);
		}
		putchar('}');
		break;
	case TOML_ARRAY:
		putchar('[');
		for (i = 0; i < v->u.array.n; i++) {
			if (i)
				putchar(',');
			print_value(v->u.array.items[i]);
		}
		putchar(']');
		break;
	default:
		printf("{\"type\":\"%s\",\"value\":", tag_of(v->type));
		print_scalar_text(v);
		putchar('}');
		break;
	}
}

int main(void)
{
	char err[512];
	size_t len = 0;
	char *doc = read_all(stdin, &len);
	toml_value *root;

	if (!doc) {
		fprintf(stderr, "<stdin>: cannot read input\n");
		return 2;
	}
	root = toml_parse(doc, len, "<stdin>", err, sizeof(err));
	free(doc);
	if (!root) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	print_value(root);
	putchar('\n');
	toml_free(root);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "<stdin>: cannot write output\n");
		return 2;
	}
	return 0;
}
