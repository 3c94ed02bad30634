/* cmd_run.c - the guarded path: shim, run and check share one engine. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "commands.h"
#include "engine.h"
#include "exec.h"
#include "gate.h"
#include "interlock.h"

extern char **environ;

typedef struct {
	bool write; /* run --write: ask to unlock production writes (psql) */
	bool json;  /* check --json */
	int argc;   /* the tool's argv from here on */
	char **argv;
} run_args;

/* Parses "[OPTIONS] [--] TOOL [ARG...]". */
static int parse_run_args(const char *cmd, int argc, char **argv, run_args *ra)
{
	int i = 1;

	*ra = (run_args){0};
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			print_help(cmd);
			exit(0);
		}
		if (!strcmp(a, "--write"))
			ra->write = true;
		else if (!strcmp(cmd, "check") && !strcmp(a, "--json"))
			ra->json = true;
		else if (a[0] == '-')
			diex(EXIT_USAGE, "%s: unknown option '%s' (see interlock %s --help)", cmd,
			     safe_text(a), cmd);
		else
			break;
	}
	if (i >= argc)
		diex(EXIT_USAGE, "%s: expected a command: interlock %s [OPTIONS] -- TOOL [ARG...]",
		     cmd, cmd);
	if (!guarded_tool(argv[i]))
		diex(EXIT_USAGE,
		     "%s: interlock does not guard '%s'; it guards psql, pg_restore, terraform "
		     "and rm",
		     cmd, safe_text(argv[i]));
	ra->argc = argc - i;
	ra->argv = argv + i;
	return 0;
}

static char *current_dir(void)
{
	char *cwd = getcwd(NULL, 0);
	if (!cwd)
		die(EXIT_FAILURE, "cannot determine the working directory");
	return cwd;
}

/* The binary to exec: an explicit path given to run (e.g. /usr/bin/rm),
 * else the real tool found on PATH or in [binaries]. A shim's argv[0] may
 * be a path too (/home/u/bin/rm), but that path is the shim itself. */
static char *real_binary(const config *cfg, const char *tool, const char *word, bool explicit)
{
	char err[512];

	if (explicit && strchr(word, '/')) {
		char *real = realpath(word, NULL);
		char *self = realpath("/proc/self/exe", NULL);
		bool loop = real && self && !strcmp(real, self);
		free(real);
		free(self);
		if (loop)
			diex(EXIT_NOTFOUND, "%s is interlock itself, not the real %s",
			     safe_text(word), tool);
		if (access(word, X_OK) != 0) {
			int e = errno;
			char *shown = safe_text(word); /* not freed: die exits */
			errno = e;
			die(e == ENOENT ? EXIT_NOTFOUND : EXIT_EXEC, "cannot run %s", shown);
		}
		return xstrdup(word);
	}
	char *p = find_real_tool(cfg, tool, err, sizeof err);
	if (!p)
		diex(EXIT_NOTFOUND, "%s", err);
	return p;
}

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (!strcmp(a, b))
		return true;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* The record, and in agent mode a second copy where the standard
 * configuration keeps it (under the passwd home, or its own audit_log):
 * XDG_STATE_HOME, HOME or a redirected configuration can add a log but
 * not take the record away. Syslog is written if either configuration
 * asks for it. A log that cannot be written is reported and changes no
 * decision. */
static void audit_all(const config *cfg, bool agent, int argc, char *const *argv, const facts *fx,
                      const decision *d, gate_outcome g)
{
	config std;
	char err[512];

	if (!agent || !config_load(&std, true, err, sizeof err)) {
		audit_record(cfg->audit_log, cfg->syslog, argc, argv, fx, d, g);
		return;
	}
	audit_record(cfg->audit_log, cfg->syslog || std.syslog, argc, argv, fx, d, g);
	if (!same_file(std.audit_log, cfg->audit_log))
		audit_record(std.audit_log, false, argc, argv, fx, d, g);
	config_free(&std);
}

static int guard_and_exec(const char *tool, int argc, char **argv, bool write, bool explicit)
{
	engine e;
	facts fx = {0};
	decision d;
	gate_outcome g = GATE_NOT_ASKED;

	engine_load(&e, tool);
	autofree char *bin = real_binary(&e.cfg, tool, argv[0], explicit);
	autofree char *cwd = current_dir();
	invocation inv = {.tool = tool,
	                  .argc = argc,
	                  .argv = argv,
	                  .envp = environ,
	                  .cwd = cwd,
	                  .cfg = &e.cfg,
	                  .real_tool = bin,
	                  .write = write};
	bool agent = agent_mode(&e.cfg, environ);
	engine_decide_guarded(&e, &inv, agent, &fx, &d);
	autofree char *cmdline = quote_cmdline(argc, argv);
	if (d.verdict == ACTION_CONFIRM)
		g = gate_confirm(&fx, &d, cmdline);
	audit_all(&e.cfg, agent, argc, argv, &fx, &d, g);
	if (d.verdict != ACTION_ALLOW && g != GATE_CONFIRMED) {
		gate_report_refusal(&fx, &d, g, cmdline);
		facts_free(&fx);
		decision_free(&d);
		engine_free(&e);
		return EXIT_REFUSED;
	}
	/* Nothing is freed on the way to exec: the process image is replaced,
	 * and start-up time is what every guarded command pays. */
	for (size_t i = 0; i < fx.exec_env.n; i++)
		putenv(fx.exec_env.v[i]);
	if (fx.exec_stdin > 0 && dup2(fx.exec_stdin, STDIN_FILENO) < 0)
		die(EXIT_EXEC, "cannot hand the spooled input to %s", tool);
	exec_tool(bin, fx.exec_argv.n ? fx.exec_argv.v : argv);
}

int cmd_shim(const char *tool, int argc, char **argv)
{
	if (argc >= 1 && argv[0] && !guarded_tool(argv[0]))
		diex(EXIT_USAGE, "not a guarded tool: %s", safe_text(argv[0]));
	return guard_and_exec(tool, argc, argv, false, false);
}

int cmd_run(int argc, char **argv)
{
	run_args ra;

	parse_run_args("run", argc, argv, &ra);
	return guard_and_exec(guarded_tool(ra.argv[0]), ra.argc, ra.argv, ra.write, true);
}

static json_t *ops_json(const facts *fx)
{
	json_t *ops = json_array();

	for (size_t i = 0; i < fx->n_ops; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "kind", json_bytes(fx->ops[i].kind));
		for (size_t k = 0; k < fx->ops[i].f.n; k++)
			json_object_set_new(o, fx->ops[i].f.v[k].name,
			                    json_bytes(fx->ops[i].f.v[k].value));
		json_array_append_new(ops, o);
	}
	return ops;
}

static void print_check_json(const facts *fx, const decision *d)
{
	json_t *j = json_object();
	json_t *ms = json_array();

	json_object_set_new(j, "verdict", json_string(action_name(d->verdict)));
	json_object_set_new(j, "rule_verdict", json_string(action_name(d->rule_verdict)));
	json_object_set_new(j, "agent", json_boolean(d->agent));
	json_object_set_new(j, "tool", json_string(fx->tool));
	json_object_set_new(j, "target", facts_target_json(fx));
	json_object_set_new(j, "operations", ops_json(fx));
	for (size_t i = 0; i < d->n; i++) {
		json_t *m = json_object();
		json_object_set_new(m, "id", json_string(d->m[i].r->id));
		json_object_set_new(m, "action", json_string(action_name(d->m[i].act)));
		json_object_set_new(m, "message", json_bytes(d->m[i].message));
		if (d->m[i].token)
			json_object_set_new(m, "token", json_bytes(d->m[i].token));
		json_object_set_new(m, "operation", json_integer((json_int_t)d->m[i].op));
		if (d->m[i].r->file)
			json_object_set_new(m, "file", json_bytes(d->m[i].r->file));
		json_array_append_new(ms, m);
	}
	json_object_set_new(j, "matches", ms);
	json_t *notes = json_array();
	for (size_t i = 0; i < fx->notes.n; i++)
		json_array_append_new(notes, json_bytes(fx->notes.v[i]));
	json_object_set_new(j, "notes", notes);
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	fputc('\n', stdout);
	json_decref(j);
}

static void print_check_text(const facts *fx, const decision *d)
{
	printf("%s: %s (", action_name(d->verdict), fx->tool);
	fput_safe(fx->environment ? fx->environment : "unknown", stdout);
	fputs(" environment)\n", stdout);
	gate_print_matches(stdout, d);
	for (size_t i = 0; i < d->tokens.n && d->verdict == ACTION_CONFIRM; i++) {
		fputs("  would ask to type: ", stdout);
		fput_safe(d->tokens.v[i], stdout);
		putchar('\n');
	}
	if (d->agent && d->rule_verdict == ACTION_CONFIRM)
		printf("  agent mode: a confirmation becomes a block\n");
	for (size_t i = 0; i < fx->notes.n; i++) {
		fputs("  ", stdout);
		fput_safe(fx->notes.v[i], stdout);
		putchar('\n');
	}
}

int cmd_check(int argc, char **argv)
{
	run_args ra;
	engine e;
	facts fx = {0};
	decision d;

	parse_run_args("check", argc, argv, &ra);
	const char *tool = guarded_tool(ra.argv[0]);
	engine_load(&e, tool);
	autofree char *cwd = current_dir();
	char err[512];
	autofree char *bin = find_real_tool(&e.cfg, tool, err, sizeof err);
	invocation inv = {.tool = tool,
	                  .argc = ra.argc,
	                  .argv = ra.argv,
	                  .envp = environ,
	                  .cwd = cwd,
	                  .cfg = &e.cfg,
	                  .real_tool = bin,
	                  .dry = true,
	                  .write = ra.write};
	engine_decide_guarded(&e, &inv, agent_mode(&e.cfg, environ), &fx, &d);
	if (ra.json)
		print_check_json(&fx, &d);
	else
		print_check_text(&fx, &d);
	int code = d.verdict == ACTION_BLOCK     ? EXIT_BLOCK
	           : d.verdict == ACTION_CONFIRM ? EXIT_CONFIRM
	                                         : EXIT_ALLOW;
	facts_free(&fx);
	decision_free(&d);
	engine_free(&e);
	return code;
}
