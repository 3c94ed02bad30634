/* decide.c - the decision: which rules match which operations, and what
 * that means for the whole invocation. */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "decide.h"

static bool env_selected(const rule *r, const facts *fx)
{
	if (r->environments.n == 0)
		return true;
	for (size_t i = 0; i < r->environments.n; i++)
		if (fnmatch(r->environments.v[i], fx->environment ? fx->environment : "", 0) == 0)
			return true;
	return false;
}

bool rule_matches_op(const rule *r, const facts *fx, const operation *op)
{
	if (!rule_applies_to_tool(r, fx->tool) || !env_selected(r, fx))
		return false;
	if (r->operation && strcmp(r->operation, op->kind) != 0)
		return false;
	for (size_t i = 0; i < r->n_when; i++) {
		const char *v = facts_lookup(fx, op, r->when[i].field);
		if (!v || !condition_holds(&r->when[i], v))
			return false;
	}
	for (size_t i = 0; i < r->n_unless; i++) {
		const char *v = facts_lookup(fx, op, r->unless[i].field);
		if (v && condition_holds(&r->unless[i], v))
			return false;
	}
	return true;
}

char *expand_placeholders(const char *tmpl, const facts *fx, const operation *op)
{
	strbuf b = {0};

	for (const char *p = tmpl; *p; p++) {
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			sb_putc(&b, *p++);
			continue;
		}
		const char *end = p[0] == '{' ? strchr(p, '}') : NULL;
		if (!end) {
			sb_putc(&b, *p);
			continue;
		}
		autofree char *name = xstrndup(p + 1, (size_t)(end - p - 1));
		const char *v = facts_lookup(fx, op, name);
		sb_puts(&b, v ? v : "?");
		p = end;
	}
	return sb_steal(&b);
}

static void add_match(decision *d, const rule *r, const facts *fx, size_t op)
{
	d->m = xrealloc(d->m, (d->n + 1) * sizeof(*d->m));
	match *m = &d->m[d->n++];
	*m = (match){.r = r, .op = op, .act = r->act};
	m->message = expand_placeholders(r->message, fx, &fx->ops[op]);
	if (r->act == ACTION_CONFIRM)
		m->token = expand_placeholders(r->token ? r->token : "{token}", fx, &fx->ops[op]);
}

/* The verdict of one operation, and its deciding matches added to d. */
static action decide_op(const ruleset *rs, const facts *fx, size_t op, decision *d)
{
	long top = 0;
	bool any = false;
	action worst = ACTION_ALLOW;

	for (size_t i = 0; i < rs->n; i++) {
		const rule *r = &rs->v[i];
		if (!rule_matches_op(r, fx, &fx->ops[op]))
			continue;
		if (!any || r->priority > top) {
			top = r->priority;
			worst = r->act;
		} else if (r->priority == top && r->act > worst) {
			worst = r->act;
		}
		any = true;
	}
	for (size_t i = 0; any && i < rs->n; i++) {
		const rule *r = &rs->v[i];
		if (r->priority == top && r->act == worst && rule_matches_op(r, fx, &fx->ops[op]))
			add_match(d, r, fx, op);
	}
	return worst;
}

void decide(const ruleset *rs, const facts *fx, bool agent, decision *d)
{
	*d = (decision){.agent = agent};
	for (size_t op = 0; op < fx->n_ops; op++) {
		action a = decide_op(rs, fx, op, d);
		if (a > d->rule_verdict)
			d->rule_verdict = a;
	}
	d->verdict = d->rule_verdict;
	if (agent && d->verdict == ACTION_CONFIRM)
		d->verdict = ACTION_BLOCK;
	for (size_t i = 0; i < d->n; i++)
		if (d->m[i].token && !sv_contains(&d->tokens, d->m[i].token))
			sv_push(&d->tokens, d->m[i].token);
}

void decision_free(decision *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->m[i].message);
		free(d->m[i].token);
	}
	free(d->m);
	sv_clear(&d->tokens);
	*d = (decision){0};
}
