/* rules.h - rule files (rules.d/NAME.toml): what is dangerous.
 *
 * Layers, lowest first: the shipped rules (compiled into the binary from the
 * repository's rules.d), /etc/interlock/rules.d, the user's
 * $XDG_CONFIG_HOME/interlock/rules.d, then any rules_dir named in
 * interlock.ini. A file replaces a lower layer's file of the same name; new
 * names add. Patterns are compiled only for the tool being run. */
#ifndef INTERLOCK_RULES_H
#define INTERLOCK_RULES_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>

#include "config.h"
#include "util.h"

typedef enum { ACTION_ALLOW = 0, ACTION_CONFIRM = 1, ACTION_BLOCK = 2 } action;

const char *action_name(action a);

typedef struct {
	char *field;    /* owned: operation/target field name */
	char *pattern;  /* owned: PCRE2 source */
	pcre2_code *re; /* owned: NULL until compiled */
	int line, col;
} condition;

typedef struct {
	strvec argv;      /* argv[0] is the tool */
	strvec env;       /* "NAME=value" */
	char *stdin_text; /* owned, may be NULL */
	size_t stdin_len;
	char *cwd;     /* owned, may be NULL */
	strvec tree;   /* files to create in a fresh directory (the cwd) */
	char *config;  /* owned: INI text layered on the embedded default */
	bool matches;  /* the rule must (true) or must not (false) match */
	bool terminal; /* stdin is a terminal (a pseudo-terminal is opened) */
	bool write;    /* as with interlock run --write */
	int line, col;
} example;

typedef struct {
	char *id; /* owned, unique over all files */
	strvec tools;
	strvec environments; /* fnmatch globs; empty = every environment */
	char *operation;     /* owned: operation kind, NULL = any */
	action act;
	long priority;
	char *message;   /* owned, with {placeholders} */
	char *token;     /* owned, with {placeholders}; NULL = "{token}" */
	condition *when; /* all must match */
	size_t n_when;
	condition *unless; /* none may match */
	size_t n_unless;
	example *examples;
	size_t n_examples;
	char *file; /* owned: where it came from */
	int line, col;
	bool compiled;
} rule;

typedef struct {
	rule *v; /* owned */
	size_t n;
	strvec files; /* the files that were read, in order */
} ruleset;

/* Loads every layer. false with "file:line:col: message" in err. With a
 * tool, shipped files whose rules are all for other tools are skipped
 * (they were checked at build time); every other file is read whole, so a
 * broken site file stops every tool. */
bool rules_load(ruleset *rs, const config *cfg, const char *tool, char *err, size_t errlen);
/* Compiles the patterns of rules for tool (NULL: every rule). */
bool rules_compile(ruleset *rs, const char *tool, char *err, size_t errlen);
void rules_free(ruleset *rs);

bool rule_applies_to_tool(const rule *r, const char *tool);
const rule *rules_find(const ruleset *rs, const char *id);

/* Does the pattern match the subject? (compiled condition) */
bool condition_holds(const condition *c, const char *subject);

/* The shipped rule files compiled into the binary. */
typedef struct {
	const char *name;
	const char *text; /* the whole file */
	unsigned long len;
	const char *guard_text; /* the same, its example tables blanked */
	unsigned long guard_len;
	const char *tools; /* " psql rm " : the tools its rules name */
} embedded_file;
extern const embedded_file embedded_rules[];
extern const unsigned long embedded_rules_count;

#endif
