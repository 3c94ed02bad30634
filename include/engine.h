/* engine.h - the stages wired together: configuration and rules loaded,
 * an invocation analysed and decided. Shared by run, check and rules test.
 *
 * Ownership: an engine owns its config and ruleset; engine_free frees both. */
#ifndef INTERLOCK_ENGINE_H
#define INTERLOCK_ENGINE_H

#include "analyse.h"
#include "config.h"
#include "decide.h"
#include "facts.h"
#include "rules.h"

typedef struct {
	config cfg;
	ruleset rules;
} engine;

/* Loads config and every rule file, compiles the patterns of tool's rules
 * (every rule when tool is NULL). Exits 78 with file:line:col on error. */
void engine_load(engine *e, const char *tool);
/* The same, from the standard locations only (see config_load). */
void engine_load_standard(engine *e, const char *tool);
void engine_free(engine *e);

/* True when envp says an AI agent is at the keyboard. */
bool agent_mode(const config *cfg, char *const *envp);

/* Analyses and decides. An invocation that cannot be analysed is blocked
 * with the reason as its message (fail closed). */
void engine_decide(const engine *e, const invocation *inv, bool agent, facts *fx, decision *d);

/* Analyses and decides as engine_decide. In agent mode, when the
 * environment redirects the configuration (INTERLOCK_CONFIG,
 * XDG_CONFIG_HOME), the invocation is also decided under the standard
 * configuration and the more severe decision is kept: a variable an agent
 * sets can add rules but never relax them. */
void engine_decide_guarded(const engine *e, const invocation *inv, bool agent, facts *fx,
                           decision *d);

/* The canonical guarded-tool name for a command word (its basename), or
 * NULL when interlock does not guard it. */
const char *guarded_tool(const char *word);

/* The command line quoted for display. Caller frees. */
char *quote_cmdline(int argc, char *const *argv);

#endif
