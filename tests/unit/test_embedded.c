/* test_embedded.c - the shipped rule files are embedded twice (see
 * scripts/embed-rules.sh): whole, and with their example tables blanked
 * for the guarded path. This checks, for every shipped file, that the two
 * parse to the same tree once the examples are taken out of the whole one,
 * and that blanking kept every line: a stripping that cut a rule short, or
 * left part of an example behind, fails here rather than at a user's rm. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "rules.h"
#include "toml.h"
#include "unit.h"

static bool same_str(const toml_str *a, const toml_str *b)
{
	return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

/* Deep equality; in a table of the whole file, skip_key (if not NULL) is
 * left out of the comparison. Positions must match too: blanking keeps
 * line numbers, so error messages point at the same place. */
static bool same_tree(const toml_value *whole, const toml_value *guard, int depth)
{
	if (whole->type != guard->type || whole->line != guard->line || whole->col != guard->col)
		return false;
	switch (whole->type) {
	case TOML_TABLE: {
		size_t k = 0;
		for (size_t i = 0; i < whole->u.table.n; i++) {
			/* rule tables are at depth 2: document > rule array > rule */
			if (depth == 2 && strcmp(whole->u.table.keys[i].s, "example") == 0)
				continue;
			if (k >= guard->u.table.n ||
			    !same_str(&whole->u.table.keys[i], &guard->u.table.keys[k]) ||
			    !same_tree(whole->u.table.vals[i], guard->u.table.vals[k], depth + 1))
				return false;
			k++;
		}
		return k == guard->u.table.n;
	}
	case TOML_ARRAY:
		if (whole->u.array.n != guard->u.array.n)
			return false;
		for (size_t i = 0; i < whole->u.array.n; i++)
			if (!same_tree(whole->u.array.items[i], guard->u.array.items[i], depth + 1))
				return false;
		return true;
	case TOML_INTEGER:
		return whole->u.i == guard->u.i;
	case TOML_FLOAT:
		return whole->u.f == guard->u.f || (isnan(whole->u.f) && isnan(guard->u.f));
	case TOML_BOOL:
		return whole->u.b == guard->u.b;
	default: /* strings and the date/time kinds, kept as text */
		return same_str(&whole->u.str, &guard->u.str);
	}
}

static size_t count_lines(const char *s, size_t n)
{
	size_t lines = 0;

	for (size_t i = 0; i < n; i++)
		lines += s[i] == '\n';
	return lines;
}

/* How many rules of the whole file have examples, and does the guard text
 * hold any? */
static size_t rules_with_examples(const toml_value *doc)
{
	const toml_value *rules = toml_get(doc, "rule");
	size_t n = 0;

	for (size_t i = 0; rules && i < rules->u.array.n; i++)
		n += toml_get(rules->u.array.items[i], "example") != NULL;
	return n;
}

/* The tools the file's rules name, as embed-rules.sh lists them for
 * skipping the file at start-up: " psql rm " (sorted, each once). */
static void tools_named(const toml_value *doc, char *out, size_t outlen)
{
	static const char *const known[] = {"pg_restore", "psql", "rm", "terraform"};
	const toml_value *rules = toml_get(doc, "rule");
	bool named[4] = {false};

	for (size_t i = 0; rules && i < rules->u.array.n; i++) {
		const toml_value *tools = toml_get(rules->u.array.items[i], "tools");
		for (size_t k = 0; tools && tools->type == TOML_ARRAY && k < tools->u.array.n; k++)
			for (size_t t = 0; t < 4; t++)
				if (tools->u.array.items[k]->type == TOML_STRING &&
				    !strcmp(tools->u.array.items[k]->u.str.s, known[t]))
					named[t] = true;
	}
	snprintf(out, outlen, " ");
	for (size_t t = 0; t < 4; t++)
		if (named[t])
			snprintf(out + strlen(out), outlen - strlen(out), "%s ", known[t]);
}

int main(void)
{
	CHECK(embedded_rules_count >= 4, "only %lu shipped files embedded", embedded_rules_count);
	for (unsigned long i = 0; i < embedded_rules_count; i++) {
		const embedded_file *f = &embedded_rules[i];
		char err[512];
		toml_value *whole = toml_parse(f->text, f->len, f->name, err, sizeof err);
		CHECK(whole != NULL, "%s: whole text: %s", f->name, err);
		toml_value *guard =
		    toml_parse(f->guard_text, f->guard_len, f->name, err, sizeof err);
		CHECK(guard != NULL, "%s: text without examples: %s", f->name, err);
		if (!whole || !guard) {
			toml_free(whole);
			toml_free(guard);
			continue;
		}
		CHECK(count_lines(f->text, f->len) == count_lines(f->guard_text, f->guard_len),
		      "%s: blanking changed the number of lines", f->name);
		CHECK(same_tree(whole, guard, 0), "%s: the rules differ without their examples",
		      f->name);
		CHECK(rules_with_examples(guard) == 0, "%s: an example was left in", f->name);
		/* a file whose tools the script misreads would be skipped for them */
		char tools[128];
		tools_named(whole, tools, sizeof tools);
		CHECK(!strcmp(tools, f->tools), "%s: embedded for tools '%s', its rules name '%s'",
		      f->name, f->tools, tools);
		const toml_value *rules = toml_get(whole, "rule");
		if (rules && rules->u.array.n > 0)
			CHECK(rules_with_examples(whole) == rules->u.array.n,
			      "%s: a rule without examples", f->name);
		CHECK(f->guard_len < f->len || !rules, "%s: nothing was stripped", f->name);
		toml_free(whole);
		toml_free(guard);
	}
	return unit_done();
}
