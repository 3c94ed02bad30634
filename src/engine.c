/* engine.c - config -> rules -> analyser -> decision, in that order. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "classify.h"
#include "engine.h"
#include "gate.h"
#include "interlock.h"

static void load(engine *e, const char *tool, bool standard_only)
{
	char err[1024];

	*e = (engine){0};
	if (!config_load(&e->cfg, standard_only, err, sizeof err))
		diex(EXIT_CONFIG, "%s", err);
	if (!rules_load(&e->rules, &e->cfg, tool, err, sizeof err))
		diex(EXIT_CONFIG, "%s", err);
	if (!rules_compile(&e->rules, tool, err, sizeof err))
		diex(EXIT_CONFIG, "%s", err);
}

void engine_load(engine *e, const char *tool)
{
	load(e, tool, false);
}

void engine_load_standard(engine *e, const char *tool)
{
	load(e, tool, true);
}

void engine_free(engine *e)
{
	rules_free(&e->rules);
	config_free(&e->cfg);
}

/* Set by the AI coding agents in the shells they run commands in. Built in,
 * so that no configuration file (which an agent might point interlock at)
 * can switch agent mode off. */
static const char *const builtin_markers[] = {"INTERLOCK_AGENT", "CLAUDECODE", "GEMINI_CLI",
                                              "CODEX_SANDBOX", "CURSOR_AGENT"};

static bool marker_set(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (char *const *ev = envp; ev && *ev; ev++) {
		if (strncmp(*ev, name, n) != 0 || (*ev)[n] != '=')
			continue;
		const char *v = *ev + n + 1;
		if (*v && strcmp(v, "0") != 0)
			return true;
	}
	return false;
}

bool agent_mode(const config *cfg, char *const *envp)
{
	for (size_t i = 0; i < sizeof builtin_markers / sizeof *builtin_markers; i++)
		if (marker_set(envp, builtin_markers[i]))
			return true;
	for (size_t i = 0; i < cfg->agent_markers.n; i++)
		if (marker_set(envp, cfg->agent_markers.v[i]))
			return true;
	return false;
}

/* Analysis failed: one operation that says so, and a decision that blocks
 * it whatever the rules say. */
static void block_unanalysable(facts *fx, decision *d, bool agent, const char *why)
{
	static rule analysis_rule = {.id = "core.analysis-failed", .act = ACTION_BLOCK};
	operation *op = facts_add_op(fx, "analysis-failed");

	fs_set(&op->f, "reason", why);
	*d = (decision){.verdict = ACTION_BLOCK, .rule_verdict = ACTION_BLOCK, .agent = agent};
	d->m = xcalloc(1, sizeof(*d->m));
	d->m[0] =
	    (match){.r = &analysis_rule,
	            .op = fx->n_ops - 1,
	            .act = ACTION_BLOCK,
	            .message = xasprintf("interlock could not analyse this command: %s", why)};
	d->n = 1;
}

void engine_decide(const engine *e, const invocation *inv, bool agent, facts *fx, decision *d)
{
	char err[1024] = "";

	if (!analyse(inv, fx, err, sizeof err)) {
		if (!fx->environment)
			facts_settle_environment(fx, inv->cfg);
		block_unanalysable(fx, d, agent, err);
		return;
	}
	decide(&e->rules, fx, agent, d);
}

/* In agent mode with a redirected configuration the command is analysed
 * twice, and psql and pg_restore read their stdin while analysing: both
 * analyses must see all of it, or the second (the standard configuration,
 * the one that must not be relaxed) would judge an empty input. A regular
 * file is rewound to where it stood; a pipe or device is copied to an
 * unlinked file that takes its place as fd stdin_fd (and so becomes what
 * the tool reads, byte for byte). Returns the offset to rewind to, or -1
 * when there is nothing to rewind. */
static off_t rereadable_stdin(const invocation *inv)
{
	struct stat st;
	int fd = inv->stdin_fd;

	if (strcmp(inv->tool, "psql") && strcmp(inv->tool, "pg_restore"))
		return -1;
	if (fd < 0 || isatty(fd) || fstat(fd, &st) != 0)
		return -1;
	if (S_ISREG(st.st_mode))
		return lseek(fd, 0, SEEK_CUR);
	const char *tmp = inv_getenv(inv, "TMPDIR");
	int spool = open(tmp && *tmp == '/' ? tmp : "/tmp", O_TMPFILE | O_RDWR, 0600);
	if (spool < 0)
		die(EXIT_CONFIG, "cannot create a spool file for stdin");
	char buf[65536];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n == 0)
			break;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write_all(spool, buf, (size_t)n) != 0)
			die(EXIT_CONFIG, "cannot spool stdin: %s", strerror(errno));
	}
	if (dup2(spool, fd) < 0 || lseek(fd, 0, SEEK_SET) != 0)
		die(EXIT_CONFIG, "cannot put the spooled stdin in place");
	close(spool);
	return 0;
}

void engine_decide_guarded(const engine *e, const invocation *inv, bool agent, facts *fx,
                           decision *d)
{
	bool twice = agent && config_redirected();
	off_t rewind_to = twice ? rereadable_stdin(inv) : -1;

	engine_decide(e, inv, agent, fx, d);
	if (!twice)
		return;
	if (rewind_to >= 0 && lseek(inv->stdin_fd, rewind_to, SEEK_SET) != rewind_to)
		die(EXIT_CONFIG, "cannot rewind stdin for the second analysis");
	engine std;
	facts fx2 = {0};
	decision d2;
	engine_load_standard(&std, inv->tool);
	invocation inv2 = *inv;
	inv2.cfg = &std.cfg;
	engine_decide(&std, &inv2, agent, &fx2, &d2);
	if (d2.verdict > d->verdict) {
		/* The standard configuration is stricter: its facts and decision
		 * stand. Matches point into std's rules, which must outlive d, so
		 * std is deliberately not freed (the process execs or exits). */
		facts_free(fx);
		decision_free(d);
		*fx = fx2;
		*d = d2;
		return;
	}
	facts_free(&fx2);
	decision_free(&d2);
	engine_free(&std);
}

const char *guarded_tool(const char *word)
{
	int t = tool_index(base_name(word));
	return t < 0 ? NULL : tool_names[t];
}

static bool needs_quotes(const char *s)
{
	if (!*s)
		return true;
	for (const char *p = s; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
		            "-_./=:,+@%",
		            *p))
			return true;
	return false;
}

char *quote_cmdline(int argc, char *const *argv)
{
	strbuf b = {0};

	for (int i = 0; i < argc; i++) {
		if (i)
			sb_putc(&b, ' ');
		if (!needs_quotes(argv[i])) {
			sb_puts(&b, argv[i]);
			continue;
		}
		sb_putc(&b, '\'');
		for (const char *p = argv[i]; *p;) {
			size_t n = safe_char_len(p);
			if (*p == '\'')
				sb_puts(&b, "'\\''");
			else if (n)
				sb_printf(&b, "%.*s", (int)n, p);
			else
				sb_printf(&b, "\\x%02x", (unsigned char)*p);
			p += n ? n : 1;
		}
		sb_putc(&b, '\'');
	}
	return sb_steal(&b);
}
