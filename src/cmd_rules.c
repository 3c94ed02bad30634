/* cmd_rules.c - interlock rules list | explain ID | test [ID...]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "engine.h"
#include "examples.h"
#include "interlock.h"

static int rules_list(const engine *e)
{
	for (size_t i = 0; i < e->rules.n; i++) {
		const rule *r = &e->rules.v[i];
		printf("%-28s %-8s %-22s %s:%d\n", r->id, action_name(r->act),
		       r->operation ? r->operation : "*", r->file, r->line);
	}
	return 0;
}

static void print_conditions(const char *what, const condition *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%-13s %s ~ /%s/\n", i ? "" : what, c[i].field, c[i].pattern);
}

static void print_list(const char *what, const strvec *sv, const char *none)
{
	printf("%-13s ", what);
	for (size_t i = 0; i < sv->n; i++)
		printf("%s%s", i ? ", " : "", sv->v[i]);
	printf("%s\n", sv->n ? "" : none);
}

static int rules_explain(const engine *e, const char *id)
{
	const rule *r = rules_find(&e->rules, id);

	if (!r)
		diex(EXIT_USAGE, "rules explain: no rule with id '%s' (see interlock rules list)",
		     id);
	printf("%-13s %s\n", "id", r->id);
	printf("%-13s %s:%d:%d\n", "file", r->file, r->line, r->col);
	print_list("tools", &r->tools, "");
	print_list("environments", &r->environments, "(all)");
	printf("%-13s %s\n", "operation", r->operation ? r->operation : "(any)");
	printf("%-13s %s\n", "action", action_name(r->act));
	printf("%-13s %ld\n", "priority", r->priority);
	printf("%-13s %s\n", "message", r->message);
	if (r->act == ACTION_CONFIRM)
		printf("%-13s %s\n", "token", r->token ? r->token : "{token}");
	print_conditions("when", r->when, r->n_when);
	print_conditions("unless", r->unless, r->n_unless);
	for (size_t i = 0; i < r->n_examples; i++) {
		autofree char *cmd =
		    quote_cmdline((int)r->examples[i].argv.n, r->examples[i].argv.v);
		printf("%-13s %s %s\n", i ? "" : "examples",
		       r->examples[i].matches ? "matches:    " : "must not:   ", cmd);
	}
	return 0;
}

static bool selected(const rule *r, int argc, char **argv)
{
	if (argc == 0)
		return true;
	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], r->id))
			return true;
	return false;
}

static void test_rule(const rule *r, int *pass, int *fail)
{
	char err[512];

	bool has_positive = false;

	for (size_t k = 0; k < r->n_examples; k++) {
		const example *ex = &r->examples[k];
		bool got = false;
		bool ran = example_run(r, ex, &got, err, sizeof err);
		autofree char *cmd = quote_cmdline((int)ex->argv.n, ex->argv.v);
		has_positive |= ex->matches;
		if (!ran) {
			(*fail)++;
			printf("FAIL %s (%s:%d:%d): example could not run: %s\n", r->id, r->file,
			       ex->line, ex->col, err);
		} else if (got == ex->matches) {
			(*pass)++;
			printf("ok   %s: %s %s\n", r->id,
			       ex->matches ? "matches" : "does not match", cmd);
		} else {
			(*fail)++;
			printf("FAIL %s (%s:%d:%d): expected it %s %s\n", r->id, r->file, ex->line,
			       ex->col, ex->matches ? "to match" : "not to match", cmd);
		}
	}
	if (!has_positive) {
		(*fail)++;
		printf("FAIL %s (%s:%d:%d): no example that must match: this rule is never "
		       "shown to fire\n",
		       r->id, r->file, r->line, r->col);
	}
}

static int rules_test(const engine *e, int argc, char **argv)
{
	int pass = 0, fail = 0;

	for (size_t i = 0; i < e->rules.n; i++)
		if (selected(&e->rules.v[i], argc, argv))
			test_rule(&e->rules.v[i], &pass, &fail);
	for (int i = 0; i < argc; i++)
		if (!rules_find(&e->rules, argv[i]))
			diex(EXIT_USAGE, "rules test: no rule with id '%s'", argv[i]);
	printf("%d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}

int cmd_rules(int argc, char **argv)
{
	engine e;
	int rc;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		print_help("rules");
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "list") && strcmp(argv[1], "explain") && strcmp(argv[1], "test"))
		diex(EXIT_USAGE, "rules: unknown subcommand '%s'; expected list, explain or test",
		     argv[1]);
	if (!strcmp(argv[1], "explain") && argc != 3)
		diex(EXIT_USAGE, "rules explain: expected one rule id");
	engine_load(&e, NULL);
	if (!strcmp(argv[1], "list"))
		rc = rules_list(&e);
	else if (!strcmp(argv[1], "explain"))
		rc = rules_explain(&e, argv[2]);
	else
		rc = rules_test(&e, argc - 2, argv + 2);
	engine_free(&e);
	return rc;
}
