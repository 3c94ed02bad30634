/* decide.h - facts x rules -> allow | confirm | block. Never parses.
 *
 * Precedence, per operation: of the rules that match it, only those with the
 * highest priority count, and the most severe action among them is that
 * operation's verdict (block > confirm > allow). The invocation's verdict is
 * the most severe over all operations; no match means allow. A site makes an
 * exception with an allow rule of a higher priority than the rule it
 * overrides. In agent mode confirm becomes block. */
#ifndef INTERLOCK_DECIDE_H
#define INTERLOCK_DECIDE_H

#include <stdbool.h>

#include "facts.h"
#include "rules.h"

typedef struct {
	const rule *r; /* borrowed from the ruleset */
	size_t op;     /* index of the operation in the facts */
	action act;    /* the rule's action (before agent mode) */
	char *message; /* owned: placeholders filled in */
	char *token;   /* owned: what a human must type (confirm only) */
} match;

typedef struct {
	action verdict;      /* final, after agent mode */
	action rule_verdict; /* what the rules said */
	bool agent;
	match *m; /* owned: the deciding matches */
	size_t n;
	strvec tokens; /* distinct confirmation tokens, in order */
} decision;

bool rule_matches_op(const rule *r, const facts *fx, const operation *op);
void decide(const ruleset *rs, const facts *fx, bool agent, decision *out);
void decision_free(decision *d);

/* "{name}" replaced by facts_lookup(); "{{" and "}}" are literal braces. */
char *expand_placeholders(const char *tmpl, const facts *fx, const operation *op);

#endif
