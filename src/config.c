/* config.c - interlock.ini: the embedded default, then /etc, then the user's
 * file (or exactly $INTERLOCK_CONFIG). Parsed with inih. Unknown sections or
 * keys are errors: a typo in a safety tool's configuration must not silently
 * leave production unprotected. */
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

const char *const tool_names[TOOL_COUNT] = {"psql", "pg_restore", "terraform", "rm"};

/* The configuration a user gets with no file at all. */
const char config_default_ini[] =
    "; interlock embedded default configuration\n"
    "[interlock]\n"
    "; environment of a remote host that matches no environment:\n"
    "; unknown means dangerous\n"
    "unknown_remote = production\n"
    "; environment of a target that matches nothing and is not remote\n"
    "default_environment = development\n"
    "; empty: $XDG_STATE_HOME/interlock/audit.jsonl\n"
    "audit_log =\n"
    "syslog = yes\n"
    "; more variables that mean an AI agent runs the command; they add to the\n"
    "; built-in INTERLOCK_AGENT, CLAUDECODE, GEMINI_CLI, CODEX_SANDBOX and\n"
    "; CURSOR_AGENT, which no configuration can remove (see interlock(5))\n"
    "agent_markers =\n"
    "\n"
    "[production]\n"
    "colour = red\n"
    "rank = 30\n"
    "tokens = prod, production\n"
    "\n"
    "[staging]\n"
    "colour = yellow\n"
    "rank = 20\n"
    "tokens = staging, stage, stg\n"
    "\n"
    "[development]\n"
    "colour = green\n"
    "rank = 10\n"
    "tokens = dev, development, local\n"
    "local = yes\n"
    "\n"
    "[rm]\n"
    "protected_system = /, /bin, /boot, /dev, /etc, /home, /lib*, /opt, /proc,\n"
    "    /root, /sbin, /srv, /sys, /usr, /usr/*, /var, /var/lib\n"
    "protected_home = ~\n"
    "protected_secrets = ~/.ssh, ~/.gnupg, ~/.aws, ~/.kube\n"
    "protected =\n"
    "scan_limit = 100000\n"
    "\n"
    "[psql]\n"
    "; interactive sessions on these environments start read-only\n"
    "read_only_environments = production\n";

/* inih as packaged does not pass line numbers to the handler, so the text
 * is fed to it line by line by our own reader, which counts. */
typedef struct {
	config *cfg;
	const char *file; /* for messages */
	char *err;
	size_t errlen;
	bool failed;
	const char *text; /* the whole file */
	size_t len, pos;
	int line;          /* line of the text last handed to inih */
	bool continuation; /* that line began with white space */
	bool too_long;
	bool system; /* the administrator's file: may set lock_user_config */
} load_state;

static char *read_line(char *str, int num, void *stream)
{
	load_state *st = stream;
	size_t n = 0;

	if (st->pos >= st->len)
		return NULL;
	st->line++;
	st->continuation = st->text[st->pos] == ' ' || st->text[st->pos] == '\t';
	while (st->pos < st->len && n + 1 < (size_t)num) {
		char c = st->text[st->pos++];
		str[n++] = c;
		if (c == '\n')
			break;
	}
	if (n + 1 >= (size_t)num && str[n - 1] != '\n' && st->pos < st->len) {
		st->too_long = true;
		while (st->pos < st->len && st->text[st->pos++] != '\n')
			;
	}
	str[n] = '\0';
	return str;
}

int tool_index(const char *tool)
{
	for (int i = 0; i < TOOL_COUNT; i++)
		if (strcmp(tool_names[i], tool) == 0)
			return i;
	return -1;
}

char *expand_home(const char *path, const char *home)
{
	if (strcmp(path, "~") == 0)
		return xstrdup(home);
	if (str_starts(path, "~/"))
		return xasprintf("%s%s", strcmp(home, "/") == 0 ? "" : home, path + 1);
	return xstrdup(path);
}

static environment *env_get_or_add(config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_envs; i++)
		if (strcmp(cfg->envs[i].name, name) == 0)
			return &cfg->envs[i];
	cfg->envs = xrealloc(cfg->envs, (cfg->n_envs + 1) * sizeof(*cfg->envs));
	environment *e = &cfg->envs[cfg->n_envs++];
	*e = (environment){.name = xstrdup(name), .colour = xstrdup("none"), .rank = 25};
	return e;
}

const environment *config_env(const config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_envs; i++)
		if (strcmp(cfg->envs[i].name, name) == 0)
			return &cfg->envs[i];
	return NULL;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

/* A list continued on an indented line adds to the list; anywhere else
 * the key replaces what an earlier layer said. */
static void set_list(const load_state *st, strvec *sv, const char *v)
{
	if (!st->continuation)
		sv_clear(sv);
	sv_push_list(sv, v);
}

static bool parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "0"))
		*out = false;
	else
		return false;
	return true;
}

static bool parse_long(const char *v, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < min || n > max)
		return false;
	*out = n;
	return true;
}

static const char *const colours[] = {"red", "yellow", "green", "blue", "magenta", "cyan", "none"};

static bool known_colour(const char *v)
{
	for (size_t i = 0; i < sizeof colours / sizeof *colours; i++)
		if (!strcmp(colours[i], v))
			return true;
	return false;
}

/* inih reports only the line; the column of a key or section is 1. */
PRINTF(3, 4) static int fail(load_state *st, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (st->failed)
		return 0;
	st->failed = true;
	n = snprintf(st->err, st->errlen, "%s:%d:1: ", st->file, line);
	if (n < 0 || (size_t)n >= st->errlen)
		return 0;
	va_start(ap, fmt);
	vsnprintf(st->err + n, st->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return 0;
}

static int set_interlock(load_state *st, const char *key, const char *v, int line)
{
	config *cfg = st->cfg;

	if (!strcmp(key, "unknown_remote"))
		set_str(&cfg->unknown_remote, v);
	else if (!strcmp(key, "default_environment"))
		set_str(&cfg->default_env, v);
	else if (!strcmp(key, "audit_log"))
		set_str(&cfg->audit_log, v);
	else if (!strcmp(key, "syslog")) {
		if (!parse_bool(v, &cfg->syslog))
			return fail(st, line, "expected yes or no for syslog, got '%s'", v);
	} else if (!strcmp(key, "agent_markers"))
		set_list(st, &cfg->agent_markers, v);
	else if (!strcmp(key, "lock_user_config")) {
		if (!st->system)
			return fail(st, line,
			            "lock_user_config is honoured only in the system file "
			            "/etc/interlock/interlock.ini");
		if (!parse_bool(v, &cfg->locked))
			return fail(st, line, "expected yes or no for lock_user_config, got '%s'",
			            v);
	} else if (!strcmp(key, "rules_dir")) {
		if (*v)
			sv_push_steal(&cfg->rule_dirs, expand_home(v, cfg->home));
	} else
		return fail(st, line,
		            "unknown key '%s' in [interlock]; expected unknown_remote, "
		            "default_environment, audit_log, syslog, agent_markers, rules_dir or "
		            "lock_user_config",
		            key);
	return 1;
}

static int set_rm(load_state *st, const char *key, const char *v, int line)
{
	config *cfg = st->cfg;

	if (!strcmp(key, "protected_system"))
		set_list(st, &cfg->protected_system, v);
	else if (!strcmp(key, "protected_home"))
		set_list(st, &cfg->protected_home, v);
	else if (!strcmp(key, "protected_secrets"))
		set_list(st, &cfg->protected_secrets, v);
	else if (!strcmp(key, "protected"))
		set_list(st, &cfg->protected_extra, v);
	else if (!strcmp(key, "scan_limit")) {
		if (!parse_long(v, 1, 100000000, &cfg->scan_limit))
			return fail(st, line,
			            "expected a number from 1 to 100000000 for scan_limit");
	} else
		return fail(st, line,
		            "unknown key '%s' in [rm]; expected protected_system, protected_home, "
		            "protected_secrets, protected or scan_limit",
		            key);
	return 1;
}

static int set_psql(load_state *st, const char *key, const char *v, int line)
{
	if (!strcmp(key, "read_only_environments"))
		set_list(st, &st->cfg->read_only_environments, v);
	else
		return fail(st, line, "unknown key '%s' in [psql]; expected read_only_environments",
		            key);
	return 1;
}

static int set_binary(load_state *st, const char *key, const char *v, int line)
{
	int t = tool_index(key);

	if (t < 0)
		return fail(st, line,
		            "unknown tool '%s' in [binaries]; expected psql, pg_restore, "
		            "terraform or rm",
		            key);
	if (*v && v[0] != '/')
		return fail(st, line, "expected an absolute path for %s", key);
	free(st->cfg->binaries[t]);
	st->cfg->binaries[t] = *v ? xstrdup(v) : NULL;
	return 1;
}

static const char *const name_keys[NAME_KINDS] = {"hosts",      "databases", "services",
                                                  "workspaces", "var_files", "paths"};

static int set_env(load_state *st, const char *section, const char *key, const char *v, int line)
{
	environment *e = env_get_or_add(st->cfg, section);

	if (!e->first_line)
		e->first_line = line;

	for (int k = 0; k < NAME_KINDS; k++) {
		if (!strcmp(key, name_keys[k])) {
			set_list(st, &e->globs[k], v);
			return 1;
		}
	}
	if (!strcmp(key, "colour") || !strcmp(key, "color")) {
		if (!known_colour(v))
			return fail(st, line,
			            "expected a colour (red, yellow, green, blue, magenta, cyan, "
			            "none), got '%s'",
			            v);
		set_str(&e->colour, v);
	} else if (!strcmp(key, "rank")) {
		long r;
		if (!parse_long(v, 0, 1000, &r))
			return fail(st, line, "expected a rank from 0 to 1000");
		e->rank = (int)r;
		e->rank_set = true;
	} else if (!strcmp(key, "tokens")) {
		set_list(st, &e->tokens, v);
	} else if (!strcmp(key, "local")) {
		if (!parse_bool(v, &e->local))
			return fail(st, line, "expected yes or no for local, got '%s'", v);
	} else
		return fail(st, line,
		            "unknown key '%s' in [%s]; expected colour, rank, tokens, local, "
		            "hosts, databases, services, workspaces, var_files or paths",
		            key, section);
	return 1;
}

static int on_entry(void *user, const char *section, const char *key, const char *v)
{
	load_state *st = user;
	int line = st->line;

	if (st->failed)
		return 0;
	if (st->too_long)
		return fail(st, line,
		            "line longer than %d bytes; continue a long list on "
		            "indented lines",
		            INI_MAX_LINE - 1);
	if (!*section)
		return fail(st, line, "expected a [section] before '%s'", key);
	if (!key) /* a section header on its own (INI_CALL_HANDLER_ON_NEW_SECTION) */
		return 1;
	if (!strcmp(section, "interlock"))
		return set_interlock(st, key, v, line);
	if (!strcmp(section, "rm"))
		return set_rm(st, key, v, line);
	if (!strcmp(section, "binaries"))
		return set_binary(st, key, v, line);
	if (!strcmp(section, "psql"))
		return set_psql(st, key, v, line);
	return set_env(st, section, key, v, line);
}

static bool finish_parse(load_state *st, int r)
{
	if (st->failed)
		return false;
	if (st->too_long && !st->failed) {
		snprintf(st->err, st->errlen, "%s:%d:1: line longer than %d bytes", st->file,
		         st->line, INI_MAX_LINE - 1);
		return false;
	}
	if (r == -1)
		snprintf(st->err, st->errlen, "%s: cannot open: %s", st->file, strerror(errno));
	else if (r == -2)
		snprintf(st->err, st->errlen, "%s: out of memory", st->file);
	else if (r > 0)
		snprintf(st->err, st->errlen,
		         "%s:%d:1: expected '[section]', 'key = value' or a ';' comment", st->file,
		         r);
	return r == 0;
}

bool file_is_safe(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		return false;
	}
	if (st.st_uid != 0 && st.st_uid != getuid()) {
		snprintf(err, errlen, "%s: refused: owned by uid %u, not by root or you", path,
		         (unsigned)st.st_uid);
		return false;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen, "%s: refused: writable by group or others", path);
		return false;
	}
	return true;
}

/* A section that is no environment yet makes a new one only if it says
 * where it ranks: a misspelt [prodution] would otherwise be an environment
 * no rule names, and the hosts listed under it would quietly stop being
 * production. */
static bool new_envs_ranked(load_state *st, size_t first_new)
{
	for (size_t i = first_new; i < st->cfg->n_envs; i++) {
		const environment *e = &st->cfg->envs[i];
		if (e->rank_set)
			continue;
		snprintf(st->err, st->errlen,
		         "%s:%d:1: [%s] is not a known section or environment; a new environment "
		         "must set rank (known: interlock, rm, psql, binaries and the environments "
		         "defined before it)",
		         st->file, e->first_line, e->name);
		st->failed = true;
		return false;
	}
	return true;
}

static int parse_text(load_state *st, const char *text, size_t len)
{
	size_t first_new = st->cfg->n_envs;

	st->text = text;
	st->len = len;
	st->pos = 0;
	st->line = 0;
	int r = ini_parse_stream(read_line, st, on_entry, st);
	if (r == 0 && !st->failed && !new_envs_ranked(st, first_new))
		return 0; /* st->failed carries the error */
	return r;
}

static bool load_file(config *cfg, const char *path, bool must_exist, bool system, char *err,
                      size_t errlen)
{
	load_state st = {.cfg = cfg, .file = path, .err = err, .errlen = errlen, .system = system};

	if (access(path, F_OK) != 0 && errno == ENOENT && !must_exist)
		return true;
	if (!file_is_safe(path, err, errlen))
		return false;
	size_t len;
	autofree char *text = read_file(path, &len);
	if (!text) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		return false;
	}
	sv_push(&cfg->sources, path);
	return finish_parse(&st, parse_text(&st, text, len));
}

/* The passwd home, or NULL when the uid has none (a container started
 * with --user UID and no passwd entry). */
static char *passwd_home(void)
{
	struct passwd *pw = getpwuid(getuid());

	if (pw && pw->pw_dir && pw->pw_dir[0] == '/')
		return xstrdup(pw->pw_dir);
	return NULL;
}

static char *user_home(bool *from_passwd)
{
	char *h = passwd_home();

	*from_passwd = h != NULL;
	if (h)
		return h;
	const char *e = getenv("HOME");
	return xstrdup(e && *e == '/' ? e : "/");
}

static bool check_references(config *cfg, char *err, size_t errlen)
{
	const char *names[2] = {cfg->unknown_remote, cfg->default_env};
	const char *keys[2] = {"unknown_remote", "default_environment"};

	for (int i = 0; i < 2; i++) {
		if (!config_env(cfg, names[i])) {
			snprintf(err, errlen,
			         "%s: [interlock] %s names '%s', which is not an environment "
			         "section",
			         cfg->sources.n ? cfg->sources.v[cfg->sources.n - 1] : "<default>",
			         keys[i], names[i]);
			return false;
		}
	}
	return true;
}

/* The standard configuration's log lives under the home it was read from
 * (the passwd home where there is one): XDG_STATE_HOME and HOME, which an
 * agent can set, cannot move it. */
static char *default_audit_log(const config *cfg)
{
	const char *state = cfg->standard_only ? NULL : getenv("XDG_STATE_HOME");
	const char *home = cfg->standard_only ? cfg->home : getenv("HOME");

	if (state && *state == '/')
		return xasprintf("%s/interlock/audit.jsonl", state);
	return xasprintf("%s/.local/state/interlock/audit.jsonl", home && *home ? home : "/tmp");
}

static bool load_default(config *cfg, char *err, size_t errlen)
{
	load_state st = {.cfg = cfg, .file = "<embedded default>", .err = err, .errlen = errlen};

	*cfg = (config){.syslog = true, .scan_limit = 100000};
	cfg->home = user_home(&cfg->home_from_passwd);
	return finish_parse(&st,
	                    parse_text(&st, config_default_ini, sizeof config_default_ini - 1));
}

static bool finish_load(config *cfg, char *err, size_t errlen)
{
	if (!check_references(cfg, err, errlen))
		return false;
	if (!cfg->audit_log || !*cfg->audit_log)
		set_str(&cfg->audit_log, "");
	if (!*cfg->audit_log) {
		free(cfg->audit_log);
		cfg->audit_log = default_audit_log(cfg);
	} else {
		char *x = expand_home(cfg->audit_log, cfg->home);
		free(cfg->audit_log);
		cfg->audit_log = x;
	}
	/* Protected paths keep their "~": the rm analyser expands them against
	 * both the passwd home and $HOME. */
	return true;
}

bool config_load_default(config *cfg, char *err, size_t errlen)
{
	return load_default(cfg, err, errlen) && finish_load(cfg, err, errlen);
}

bool config_load_default_plus(config *cfg, const char *extra, char *err, size_t errlen)
{
	load_state st = {.cfg = cfg, .file = "<example config>", .err = err, .errlen = errlen};

	return load_default(cfg, err, errlen) &&
	       finish_parse(&st, parse_text(&st, extra, strlen(extra))) &&
	       finish_load(cfg, err, errlen);
}

/* Without a passwd entry the user layer is found from $HOME, which the
 * environment sets: that is a redirect too. */
bool config_redirected(void)
{
	const char *a = getenv("INTERLOCK_CONFIG");
	const char *b = getenv("XDG_CONFIG_HOME");
	autofree char *home = passwd_home();
	return (a && *a) || (b && *b) || !home;
}

bool config_load_from(config *cfg, const char *system_file, bool standard_only, char *err,
                      size_t errlen)
{
	const char *explicit = standard_only ? NULL : getenv("INTERLOCK_CONFIG");

	if (!load_default(cfg, err, errlen) ||
	    !load_file(cfg, system_file, false, true, err, errlen))
		return false;
	cfg->standard_only = standard_only;
	if (standard_only && !cfg->home_from_passwd) {
		/* No passwd home: the only user layer there is would come from
		 * $HOME, which the environment sets. The standard configuration
		 * has none, so a variable cannot relax it. */
		cfg->locked = true;
	}
	if (cfg->locked) {
		/* The administrator's word is final: no user file, no variable
		 * (standard_only is set once the audit log is placed, which
		 * follows XDG_STATE_HOME as before). */
	} else if (explicit && *explicit) {
		/* Exactly that file, on the embedded default. */
		config_free(cfg);
		if (!load_default(cfg, err, errlen) ||
		    !load_file(cfg, explicit, true, false, err, errlen))
			return false;
	} else {
		const char *xdg = standard_only ? NULL : getenv("XDG_CONFIG_HOME");
		autofree char *user =
		    xdg && *xdg == '/' ? xasprintf("%s/interlock/interlock.ini", xdg)
		                       : xasprintf("%s/.config/interlock/interlock.ini", cfg->home);
		if (!load_file(cfg, user, false, false, err, errlen))
			return false;
	}
	if (!finish_load(cfg, err, errlen))
		return false;
	cfg->standard_only = cfg->standard_only || cfg->locked;
	return true;
}

bool config_load(config *cfg, bool standard_only, char *err, size_t errlen)
{
	return config_load_from(cfg, "/etc/interlock/interlock.ini", standard_only, err, errlen);
}

void config_free(config *cfg)
{
	for (size_t i = 0; i < cfg->n_envs; i++) {
		environment *e = &cfg->envs[i];
		free(e->name);
		free(e->colour);
		sv_clear(&e->tokens);
		for (int k = 0; k < NAME_KINDS; k++)
			sv_clear(&e->globs[k]);
	}
	free(cfg->envs);
	free(cfg->unknown_remote);
	free(cfg->default_env);
	free(cfg->audit_log);
	sv_clear(&cfg->agent_markers);
	sv_clear(&cfg->rule_dirs);
	sv_clear(&cfg->protected_system);
	sv_clear(&cfg->protected_home);
	sv_clear(&cfg->protected_secrets);
	sv_clear(&cfg->protected_extra);
	sv_clear(&cfg->read_only_environments);
	for (int t = 0; t < TOOL_COUNT; t++)
		free(cfg->binaries[t]);
	sv_clear(&cfg->sources);
	free(cfg->home);
	*cfg = (config){0};
}
