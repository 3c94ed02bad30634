/* Unit tests: precedence of rules in the decision, placeholders, agent mode. */
#include <stdlib.h>

#include "decide.h"
#include "unit.h"

static rule make_rule(const char *id, action a, long prio, const char *fname, const char *pattern)
{
	rule r = {.id = xstrdup(id), .act = a, .priority = prio, .message = xstrdup("{path}")};
	char err[256];

	sv_push(&r.tools, "rm");
	r.operation = xstrdup("remove");
	if (fname) {
		r.when = xcalloc(1, sizeof(*r.when));
		r.when[0] = (condition){.field = xstrdup(fname), .pattern = xstrdup(pattern)};
		r.n_when = 1;
	}
	r.file = xstrdup("test");
	ruleset one = {.v = &r, .n = 1};
	rules_compile(&one, "rm", err, sizeof err);
	return r;
}

static void add_remove(facts *fx, const char *path)
{
	operation *op = facts_add_op(fx, "remove");
	fs_set(&op->f, "path", path);
	fs_set(&op->f, "token", "tok");
}

int main(void)
{
	facts fx = {.tool = "rm", .environment = xstrdup("development")};
	decision d;
	ruleset rs = {0};

	add_remove(&fx, "/a/sessions");
	add_remove(&fx, "/a/other");
	rs.v = xcalloc(4, sizeof(rule));
	rs.v[rs.n++] = make_rule("r.confirm", ACTION_CONFIRM, 0, "path", "^/a/");
	rs.v[rs.n++] = make_rule("r.allow-sessions", ACTION_ALLOW, 10, "path", "sessions$");

	decide(&rs, &fx, false, &d);
	CHECK(d.verdict == ACTION_CONFIRM, "the non-excepted operation still needs confirm");
	CHECK(d.n == 2, "two deciding matches, got %zu", d.n);
	CHECK(d.tokens.n == 1, "one distinct token");
	decision_free(&d);

	/* with only the excepted operation, the higher-priority allow wins */
	fx.n_ops = 1;
	decide(&rs, &fx, false, &d);
	CHECK(d.verdict == ACTION_ALLOW, "higher priority allow overrides confirm");
	decision_free(&d);

	/* equal priority: the most severe wins */
	rs.v[rs.n++] = make_rule("r.block", ACTION_BLOCK, 0, "path", "^/a/");
	fx.n_ops = 2;
	decide(&rs, &fx, false, &d);
	CHECK(d.verdict == ACTION_BLOCK, "block beats confirm at equal priority");
	/* the exception still decides its own operation; the block decides the other */
	CHECK(d.n == 2 && !strcmp(d.m[0].r->id, "r.allow-sessions") &&
	          !strcmp(d.m[1].r->id, "r.block"),
	      "deciding matches: the exception, then the block");
	CHECK_STR(d.m[1].message, "/a/other");
	decision_free(&d);

	/* agent mode: confirm becomes block, allow stays allow */
	rs.n = 1;
	decide(&rs, &fx, true, &d);
	CHECK(d.verdict == ACTION_BLOCK && d.rule_verdict == ACTION_CONFIRM,
	      "agent mode turns confirm into block");
	decision_free(&d);

	/* no match means allow */
	facts none = {.tool = "rm", .environment = xstrdup("development")};
	add_remove(&none, "/b/x");
	decide(&rs, &none, true, &d);
	CHECK(d.verdict == ACTION_ALLOW && d.n == 0, "no match: allow");
	decision_free(&d);

	/* placeholders: known, target, unknown and literal braces */
	char *s = expand_placeholders("{path} in {environment} {nope} {{x}}", &fx, &fx.ops[0]);
	CHECK_STR(s, "/a/sessions in development ? {x}");
	free(s);

	/* rule applies only to its environments */
	sv_push(&rs.v[0].environments, "prod*");
	decide(&rs, &fx, false, &d);
	CHECK(d.verdict == ACTION_ALLOW, "a production-only rule does not fire in development");
	decision_free(&d);

	rs.n = 3;
	rules_free(&rs);
	facts_free(&fx);
	facts_free(&none);
	return unit_done();
}
