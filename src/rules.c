/* rules.c - loading rule files in layers, checking them strictly, compiling
 * their patterns. A rule file that cannot be read or has a key we do not
 * know stops everything (fail closed): a misspelt "when" must not turn a
 * block rule into one that never fires. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "toml.h"

#define MAX_RULE_FILE (4 * 1024 * 1024)

typedef struct {
	char *name;       /* owned: file name, e.g. "rm.toml" */
	char *path;       /* owned: full path, or "<embedded>/rm.toml" */
	const char *text; /* embedded text, or NULL to read path */
	size_t len;
	bool skip; /* a shipped file with no rule for the tool being run */
} source;

typedef struct {
	ruleset *rs;
	const char *file;
	char *err;
	size_t errlen;
} parse_ctx;

const char *action_name(action a)
{
	switch (a) {
	case ACTION_ALLOW:
		return "allow";
	case ACTION_CONFIRM:
		return "confirm";
	case ACTION_BLOCK:
		return "block";
	}
	return "?";
}

PRINTF(3, 4) static bool failat(parse_ctx *c, const toml_value *v, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(c->err, c->errlen, "%s:%d:%d: ", c->file, v ? v->line : 1, v ? v->col : 1);

	if (n < 0 || (size_t)n >= c->errlen)
		return false;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return false;
}

static const toml_value *get_typed(parse_ctx *c, const toml_value *t, const char *key,
                                   toml_type type, bool required, bool *ok)
{
	const toml_value *v = toml_get(t, key);

	if (!v) {
		if (required)
			*ok = failat(c, t, "expected key '%s' in this rule", key);
		return NULL;
	}
	if (v->type != type) {
		*ok = failat(c, v, "expected %s for '%s', got %s", toml_type_name(type), key,
		             toml_type_name(v->type));
		return NULL;
	}
	return v;
}

static bool get_string_list(parse_ctx *c, const toml_value *t, const char *key, strvec *out,
                            bool required)
{
	bool ok = true;
	const toml_value *a = get_typed(c, t, key, TOML_ARRAY, required, &ok);

	if (!a)
		return ok;
	if (required && a->u.array.n == 0)
		return failat(c, a, "expected at least one string in '%s'", key);
	for (size_t i = 0; i < a->u.array.n; i++) {
		const toml_value *s = a->u.array.items[i];
		if (s->type != TOML_STRING)
			return failat(c, s, "expected a string in '%s', got %s", key,
			              toml_type_name(s->type));
		sv_push(out, s->u.str.s);
	}
	return true;
}

static bool key_allowed(const char *key, const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (strcmp(key, *allowed) == 0)
			return true;
	return false;
}

static bool check_keys(parse_ctx *c, const toml_value *t, const char *what,
                       const char *const *allowed, const char *list)
{
	for (size_t i = 0; i < t->u.table.n; i++)
		if (!key_allowed(t->u.table.keys[i].s, allowed))
			return failat(c, t->u.table.vals[i], "unknown key '%s' in %s; expected %s",
			              t->u.table.keys[i].s, what, list);
	return true;
}

static bool parse_conditions(parse_ctx *c, const toml_value *rt, const char *key, condition **out,
                             size_t *n)
{
	bool ok = true;
	const toml_value *t = get_typed(c, rt, key, TOML_TABLE, false, &ok);

	if (!t)
		return ok;
	*out = xcalloc(t->u.table.n, sizeof(**out));
	for (size_t i = 0; i < t->u.table.n; i++) {
		const toml_value *p = t->u.table.vals[i];
		if (p->type != TOML_STRING)
			return failat(c, p, "expected a pattern string for '%s.%s', got %s", key,
			              t->u.table.keys[i].s, toml_type_name(p->type));
		(*out)[i] = (condition){.field = xstrdup(t->u.table.keys[i].s),
		                        .pattern = xstrdup(p->u.str.s),
		                        .line = p->line,
		                        .col = p->col};
		(*n)++;
	}
	return true;
}

static bool parse_action(parse_ctx *c, const toml_value *v, action *out)
{
	const char *s = v->u.str.s;

	if (!strcmp(s, "allow"))
		*out = ACTION_ALLOW;
	else if (!strcmp(s, "confirm"))
		*out = ACTION_CONFIRM;
	else if (!strcmp(s, "block"))
		*out = ACTION_BLOCK;
	else
		return failat(c, v,
		              "expected action \"allow\", \"confirm\" or \"block\", got \"%s\"", s);
	return true;
}

static const char *const example_keys[] = {"argv",   "env",      "stdin", "cwd",     "tree",
                                           "config", "terminal", "write", "matches", NULL};

static bool parse_example(parse_ctx *c, const toml_value *t, example *ex)
{
	bool ok = true;

	*ex = (example){.line = t->line, .col = t->col};
	if (t->type != TOML_TABLE)
		return failat(c, t, "expected a table in 'example'");
	if (!check_keys(c, t, "an example", example_keys,
	                "argv, env, stdin, cwd, tree, config, terminal, write or matches"))
		return false;
	if (!get_string_list(c, t, "argv", &ex->argv, true))
		return false;
	const toml_value *m = get_typed(c, t, "matches", TOML_BOOL, true, &ok);
	if (!ok)
		return false;
	ex->matches = m->u.b;
	const toml_value *s = get_typed(c, t, "stdin", TOML_STRING, false, &ok);
	if (s) {
		ex->stdin_text = xmalloc(s->u.str.len + 1);
		memcpy(ex->stdin_text, s->u.str.s, s->u.str.len + 1);
		ex->stdin_len = s->u.str.len;
	}
	const toml_value *d = get_typed(c, t, "cwd", TOML_STRING, false, &ok);
	if (d)
		ex->cwd = xstrdup(d->u.str.s);
	const toml_value *b = get_typed(c, t, "terminal", TOML_BOOL, false, &ok);
	ex->terminal = b && b->u.b;
	b = get_typed(c, t, "write", TOML_BOOL, false, &ok);
	ex->write = b && b->u.b;
	const toml_value *ini = get_typed(c, t, "config", TOML_STRING, false, &ok);
	if (ini)
		ex->config = xstrdup(ini->u.str.s);
	if (!ok || !get_string_list(c, t, "tree", &ex->tree, false))
		return false;
	const toml_value *e = get_typed(c, t, "env", TOML_TABLE, false, &ok);
	for (size_t i = 0; e && i < e->u.table.n; i++) {
		const toml_value *v = e->u.table.vals[i];
		if (v->type != TOML_STRING)
			return failat(c, v, "expected a string for env.%s", e->u.table.keys[i].s);
		sv_push_steal(&ex->env, xasprintf("%s=%s", e->u.table.keys[i].s, v->u.str.s));
	}
	return ok;
}

static bool valid_id(const char *id)
{
	if (!*id)
		return false;
	for (const char *p = id; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789._-", *p))
			return false;
	return true;
}

static bool check_tools(parse_ctx *c, const toml_value *t, const strvec *tools)
{
	for (size_t i = 0; i < tools->n; i++)
		if (tool_index(tools->v[i]) < 0)
			return failat(
			    c, toml_get(t, "tools"),
			    "unknown tool '%s'; expected psql, pg_restore, terraform or rm",
			    tools->v[i]);
	return true;
}

static const char *const rule_keys[] = {"id",     "tools",    "environments", "operation",
                                        "action", "priority", "message",      "token",
                                        "when",   "unless",   "example",      NULL};

static bool parse_rule_fields(parse_ctx *c, const toml_value *t, rule *r)
{
	bool ok = true;
	const toml_value *v;

	if (!check_keys(c, t, "a rule", rule_keys,
	                "id, tools, environments, operation, action, priority, message, token, "
	                "when, unless or example"))
		return false;
	if (!(v = get_typed(c, t, "id", TOML_STRING, true, &ok)))
		return false;
	if (!valid_id(v->u.str.s))
		return failat(c, v, "expected an id of a-z, 0-9, '.', '_' and '-', got \"%s\"",
		              v->u.str.s);
	r->id = xstrdup(v->u.str.s);
	if (!get_string_list(c, t, "tools", &r->tools, true) || !check_tools(c, t, &r->tools))
		return false;
	if (!get_string_list(c, t, "environments", &r->environments, false))
		return false;
	if ((v = get_typed(c, t, "operation", TOML_STRING, false, &ok)))
		r->operation = xstrdup(v->u.str.s);
	if (!ok || !(v = get_typed(c, t, "action", TOML_STRING, true, &ok)) ||
	    !parse_action(c, v, &r->act))
		return false;
	if ((v = get_typed(c, t, "priority", TOML_INTEGER, false, &ok)))
		r->priority = (long)v->u.i;
	if (!ok || !(v = get_typed(c, t, "message", TOML_STRING, true, &ok)))
		return false;
	r->message = xstrdup(v->u.str.s);
	if ((v = get_typed(c, t, "token", TOML_STRING, false, &ok)))
		r->token = xstrdup(v->u.str.s);
	return ok;
}

static bool parse_rule(parse_ctx *c, const toml_value *t, rule *r)
{
	bool ok = true;

	*r = (rule){.file = xstrdup(c->file), .line = t->line, .col = t->col};
	if (t->type != TOML_TABLE)
		return failat(c, t, "expected [[rule]] tables");
	if (!parse_rule_fields(c, t, r) || !parse_conditions(c, t, "when", &r->when, &r->n_when) ||
	    !parse_conditions(c, t, "unless", &r->unless, &r->n_unless))
		return false;
	const toml_value *ex = get_typed(c, t, "example", TOML_ARRAY, false, &ok);
	if (!ok)
		return false;
	if (ex) {
		r->examples = xcalloc(ex->u.array.n, sizeof(*r->examples));
		for (size_t i = 0; i < ex->u.array.n; i++) {
			r->n_examples++;
			if (!parse_example(c, ex->u.array.items[i], &r->examples[i]))
				return false;
		}
	}
	return true;
}

const rule *rules_find(const ruleset *rs, const char *id)
{
	for (size_t i = 0; i < rs->n; i++)
		if (strcmp(rs->v[i].id, id) == 0)
			return &rs->v[i];
	return NULL;
}

static bool add_rules_from(parse_ctx *c, const toml_value *root)
{
	bool ok = true;
	static const char *const top_keys[] = {"rule", NULL};

	if (!check_keys(c, root, "a rule file", top_keys, "[[rule]] tables"))
		return false;
	const toml_value *a = get_typed(c, root, "rule", TOML_ARRAY, false, &ok);
	if (!a)
		return ok;
	for (size_t i = 0; i < a->u.array.n; i++) {
		ruleset *rs = c->rs;
		rule r;
		bool good = parse_rule(c, a->u.array.items[i], &r);
		const rule *dup = good ? rules_find(rs, r.id) : NULL;
		if (dup) {
			failat(c, toml_get(a->u.array.items[i], "id"),
			       "duplicate rule id '%s' (first defined at %s:%d:%d)", r.id,
			       dup->file, dup->line, dup->col);
			good = false;
		}
		rs->v = xrealloc(rs->v, (rs->n + 1) * sizeof(*rs->v));
		rs->v[rs->n++] = r; /* owned by the set even on error, so it is freed */
		if (!good)
			return false;
	}
	return true;
}

static bool load_source(ruleset *rs, const source *s, char *err, size_t errlen)
{
	autofree char *owned = NULL;
	const char *text = s->text;
	size_t len = s->len;

	if (!text) {
		if (!file_is_safe(s->path, err, errlen))
			return false;
		owned = read_file(s->path, &len);
		if (!owned) {
			snprintf(err, errlen, "%s: cannot read: %s", s->path, strerror(errno));
			return false;
		}
		if (len > MAX_RULE_FILE) {
			snprintf(err, errlen, "%s:1:1: rule file larger than %d bytes", s->path,
			         MAX_RULE_FILE);
			return false;
		}
		text = owned;
	}
	toml_value *root = toml_parse(text, len, s->path, err, errlen);
	if (!root)
		return false;
	parse_ctx c = {.rs = rs, .file = s->path, .err = err, .errlen = errlen};
	bool ok = add_rules_from(&c, root);
	toml_free(root);
	sv_push(&rs->files, s->path);
	return ok;
}

static bool names_tool(const char *tools, const char *tool)
{
	autofree char *word = xasprintf(" %s ", tool);
	return strstr(tools, word) != NULL;
}

static void put_source(source **v, size_t *n, const char *name, char *path, const char *text,
                       size_t len)
{
	for (size_t i = 0; i < *n; i++) {
		if (strcmp((*v)[i].name, name) == 0) {
			free((*v)[i].path);
			(*v)[i].path = path;
			(*v)[i].text = text;
			(*v)[i].len = len;
			(*v)[i].skip = false;
			return;
		}
	}
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = (source){.name = xstrdup(name), .path = path, .text = text, .len = len};
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const source *)a)->name, ((const source *)b)->name);
}

/* A missing layer directory is fine; an unreadable one is not. */
static bool scan_layer(const char *dir, source **v, size_t *n, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d) {
		if (errno == ENOENT)
			return true;
		snprintf(err, errlen, "%s: cannot read rule directory: %s", dir, strerror(errno));
		return false;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !str_ends(de->d_name, ".toml"))
			continue;
		put_source(v, n, de->d_name, xasprintf("%s/%s", dir, de->d_name), NULL, 0);
	}
	closedir(d);
	return true;
}

static char *user_rules_dir(const config *cfg)
{
	const char *xdg = cfg->standard_only ? NULL : getenv("XDG_CONFIG_HOME");

	if (xdg && *xdg == '/')
		return xasprintf("%s/interlock/rules.d", xdg);
	return xasprintf("%s/.config/interlock/rules.d", cfg->home);
}

bool rules_load(ruleset *rs, const config *cfg, const char *tool, char *err, size_t errlen)
{
	source *src = NULL;
	size_t n = 0;
	bool ok = true;

	*rs = (ruleset){0};
	/* The guarded path (a tool is named) never runs examples: it reads the
	 * shipped files without them, which halves what every start parses. */
	for (unsigned long i = 0; i < embedded_rules_count; i++) {
		const embedded_file *f = &embedded_rules[i];
		put_source(&src, &n, f->name, xasprintf("<shipped>/%s", f->name),
		           tool ? f->guard_text : f->text, tool ? f->guard_len : f->len);
	}
	for (unsigned long i = 0; tool && i < embedded_rules_count; i++)
		src[i].skip = !names_tool(embedded_rules[i].tools, tool);
	autofree char *user = user_rules_dir(cfg);
	ok = scan_layer("/etc/interlock/rules.d", &src, &n, err, errlen) &&
	     (cfg->locked || scan_layer(user, &src, &n, err, errlen));
	for (size_t i = 0; ok && i < cfg->rule_dirs.n; i++)
		ok = scan_layer(cfg->rule_dirs.v[i], &src, &n, err, errlen);
	qsort(src, n, sizeof(*src), by_name);
	for (size_t i = 0; ok && i < n; i++)
		if (!src[i].skip)
			ok = load_source(rs, &src[i], err, errlen);
	for (size_t i = 0; i < n; i++) {
		free(src[i].name);
		free(src[i].path);
	}
	free(src);
	return ok;
}

bool rule_applies_to_tool(const rule *r, const char *tool)
{
	return sv_contains(&r->tools, tool);
}

static bool compile_condition(const rule *r, condition *c, char *err, size_t errlen)
{
	int code;
	PCRE2_SIZE off;

	c->re = pcre2_compile((PCRE2_SPTR)c->pattern, PCRE2_ZERO_TERMINATED,
	                      PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code, &off, NULL);
	if (c->re)
		return true;
	PCRE2_UCHAR msg[256];
	pcre2_get_error_message(code, msg, sizeof msg);
	snprintf(err, errlen, "%s:%d:%d: rule '%s': bad pattern for '%s' at offset %zu: %s",
	         r->file, c->line, c->col, r->id, c->field, (size_t)off, (char *)msg);
	return false;
}

bool rules_compile(ruleset *rs, const char *tool, char *err, size_t errlen)
{
	for (size_t i = 0; i < rs->n; i++) {
		rule *r = &rs->v[i];
		if (r->compiled || (tool && !rule_applies_to_tool(r, tool)))
			continue;
		for (size_t k = 0; k < r->n_when; k++)
			if (!compile_condition(r, &r->when[k], err, errlen))
				return false;
		for (size_t k = 0; k < r->n_unless; k++)
			if (!compile_condition(r, &r->unless[k], err, errlen))
				return false;
		r->compiled = true;
	}
	return true;
}

bool condition_holds(const condition *c, const char *subject)
{
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	int rc;

	if (!md)
		diex(78, "out of memory");
	rc = pcre2_match(c->re, (PCRE2_SPTR)subject, strlen(subject), 0, 0, md, NULL);
	pcre2_match_data_free(md);
	return rc >= 0;
}

static void free_conditions(condition *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].field);
		free(c[i].pattern);
		pcre2_code_free(c[i].re);
	}
	free(c);
}

static void free_rule(rule *r)
{
	free(r->id);
	sv_clear(&r->tools);
	sv_clear(&r->environments);
	free(r->operation);
	free(r->message);
	free(r->token);
	free_conditions(r->when, r->n_when);
	free_conditions(r->unless, r->n_unless);
	for (size_t i = 0; i < r->n_examples; i++) {
		sv_clear(&r->examples[i].argv);
		sv_clear(&r->examples[i].env);
		free(r->examples[i].stdin_text);
		free(r->examples[i].cwd);
		free(r->examples[i].config);
		sv_clear(&r->examples[i].tree);
	}
	free(r->examples);
	free(r->file);
}

void rules_free(ruleset *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		free_rule(&rs->v[i]);
	free(rs->v);
	sv_clear(&rs->files);
	*rs = (ruleset){0};
}
