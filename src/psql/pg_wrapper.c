/* pg_wrapper.c - the psql or pg_restore command as Debian's pg_wrapper
 * hands it on, asked of pg_wrapper itself (see pg_wrapper.h for why). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pg_wrapper.h"

#define PROBE_DEADLINE_MS 10000
#define MAX_PROBE_OUTPUT  (4 * 1024 * 1024) /* argv and environment */
#define MAX_MESSAGES      2048              /* of pg_wrapper's own output */

bool is_pg_wrapper(const char *path)
{
	char buf[PATH_MAX];

	return path && realpath(path, buf) && strcmp(base_name(buf), "pg_wrapper") == 0;
}

/* ---- asking pg_wrapper ----------------------------------------------------- */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Reads both pipes to their ends (or the deadline); false on timeout. */
static bool drain(int probe_fd, strbuf *probe, int msg_fd, strbuf *msgs)
{
	struct pollfd p[2] = {{.fd = probe_fd, .events = POLLIN}, {.fd = msg_fd, .events = POLLIN}};
	long deadline = now_ms() + PROBE_DEADLINE_MS;
	char buf[65536];

	while (p[0].fd >= 0 || p[1].fd >= 0) {
		long left = deadline - now_ms();
		if (left <= 0)
			return false;
		int r = poll(p, 2, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return false;
		for (int k = 0; k < 2; k++) {
			if (p[k].fd < 0 || !p[k].revents)
				continue;
			ssize_t n = read(p[k].fd, buf, sizeof buf);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				p[k].fd = -1;
				continue;
			}
			strbuf *to = k == 0 ? probe : msgs;
			size_t cap = k == 0 ? MAX_PROBE_OUTPUT : MAX_MESSAGES;
			if (to->len + (size_t)n <= cap)
				sb_putn(to, buf, (size_t)n);
			else if (k == 0)
				return false;
		}
	}
	return true;
}

/* Runs pg_wrapper as the kernel would (its #! interpreter, $0 the path it
 * is run by), but with exec overridden: the program, its arguments and
 * the environment are written to fd PROBE, NUL-terminated, after their
 * count; nothing is run. */
static const char probe_perl[] =
    "my ($fd, $script, $name) = splice(@ARGV, 0, 3);"
    "open(my $out, '>&=', $fd) or die \"interlock probe: $!\\n\";"
    "*CORE::GLOBAL::exec = sub {"
    "  binmode $out; print $out scalar(@_), \"\\0\"; print $out \"$_\\0\" for @_;"
    "  print $out \"$_=$ENV{$_}\\0\" for sort keys %ENV; close $out; CORE::exit(0); };"
    "$0 = $name; do $script; die $@ if $@;"
    "die \"pg_wrapper ended without running anything\\n\";";

/* The interpreter on the script's #! line (pg_wrapper: /usr/bin/perl). */
static char *interpreter(const char *script)
{
	char line[256] = "";
	FILE *f = fopen(script, "r");

	if (f) {
		if (!fgets(line, sizeof line, f))
			line[0] = '\0';
		fclose(f);
	}
	if (strncmp(line, "#!", 2) != 0)
		return xstrdup("/usr/bin/perl");
	char *p = line + 2 + strspn(line + 2, " \t");
	return xstrndup(p, strcspn(p, " \t\r\n"));
}

/* The child: pg_wrapper, asked instead of run. */
static void exec_wrapper(const invocation *inv, const char *wrapper, int probe_w, int msg_w)
{
	strvec argv = {0};
	int devnull = open("/dev/null", O_RDONLY);
	autofree char *perl = interpreter(wrapper);

	if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(msg_w, 1) < 0 || dup2(msg_w, 2) < 0)
		_exit(126);
	sv_push(&argv, perl);
	sv_push(&argv, "-e");
	sv_push(&argv, probe_perl);
	sv_push_steal(&argv, xasprintf("%d", probe_w));
	sv_push(&argv, wrapper);
	sv_push(&argv, inv->real_tool);
	for (int i = 1; i < inv->argc; i++)
		sv_push(&argv, inv->argv[i]);
	signal(SIGPIPE, SIG_DFL);
	execve(perl, argv.v, inv->envp);
	dprintf(2, "cannot run %s: %s\n", perl, strerror(errno));
	_exit(127);
}

/* pg_wrapper's last line of output, for a message ("Error: ..."). */
static char *last_line(strbuf *msgs)
{
	if (!msgs->len)
		return xstrdup("it printed nothing");
	while (msgs->len && (msgs->s[msgs->len - 1] == '\n' || msgs->s[msgs->len - 1] == '\r'))
		msgs->s[--msgs->len] = '\0';
	char *nl = strrchr(msgs->s, '\n');
	return xstrdup(nl ? nl + 1 : msgs->s);
}

/* Splits the probe's output: a count, that many arguments, then the
 * environment. */
static bool parse_probe(const strbuf *out, const invocation *inv, strvec *argv, strvec *env)
{
	const char *p = out->s, *end = out->s + out->len;
	char *stop;

	if (!out->len || out->s[out->len - 1] != '\0')
		return false;
	long count = strtol(p, &stop, 10);
	if (*stop || count < 0 || count > INT_MAX - 1)
		return false;
	p += strlen(p) + 1;
	sv_push(argv, inv->argv[0]);
	for (long i = 0; i < count; i++) {
		if (p >= end)
			return false;
		if (i > 0) /* [0] is the program pg_wrapper chose */
			sv_push(argv, p);
		p += strlen(p) + 1;
	}
	if (count < 1)
		return false;
	for (; p < end; p += strlen(p) + 1)
		sv_push(env, p);
	return true;
}

static const char *env_of(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (char *const *e = envp; e && *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

/* What pg_wrapper changed that decides where psql connects. */
static char *describe_choice(const invocation *inv, const strvec *argv, const strvec *env)
{
	static const char *const names[] = {"PGHOST", "PGPORT", "PGDATABASE", "PGCLUSTER"};
	strbuf b = {0};
	bool changed = (int)argv->n != inv->argc;

	sb_puts(&b, "pg_wrapper (Debian's psql and pg_restore) sends it on with");
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		const char *before = env_of(inv->envp, names[i]);
		const char *after = env_of(env->v, names[i]);
		if (!after || (before && !strcmp(before, after)))
			continue;
		sb_printf(&b, " %s=%s", names[i], after);
		changed = changed || strcmp(names[i], "PGCLUSTER") != 0;
	}
	if ((int)argv->n != inv->argc)
		sb_printf(&b, " (--cluster taken out)");
	if (!changed) {
		sb_free(&b);
		return NULL;
	}
	return sb_steal(&b);
}

bool pg_wrapper_view(const invocation *inv, invocation *out, strvec *argv, strvec *env, char **note,
                     char *err, size_t errlen)
{
	char wrapper[PATH_MAX];
	int probe[2], msg[2];
	strbuf got = {0}, msgs = {0};
	bool ok = false;

	*out = *inv;
	*note = NULL;
	/* Perl code from the environment would run in pg_wrapper too, where it
	 * could tell the probe one thing and the real run another. */
	static const char *const perl_vars[] = {"PERL5OPT", "PERL5LIB", "PERLLIB", "PERL5DB"};
	for (size_t i = 0; i < sizeof perl_vars / sizeof *perl_vars; i++) {
		const char *v = inv_getenv(inv, perl_vars[i]);
		if (v && *v) {
			snprintf(err, errlen,
			         "%s is set: what Debian's pg_wrapper (a Perl script) does with "
			         "it cannot be known; unset it, or name the real program in "
			         "[binaries]",
			         perl_vars[i]);
			return false;
		}
	}
	if (!realpath(inv->real_tool, wrapper)) {
		snprintf(err, errlen, "cannot find pg_wrapper to ask where psql goes: %s",
		         strerror(errno));
		return false;
	}
	if (pipe2(probe, O_CLOEXEC) != 0 || pipe2(msg, O_CLOEXEC) != 0)
		die(78, "cannot make a pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0)
		die(78, "cannot fork: %s", strerror(errno));
	if (pid == 0) {
		/* the probe's end must survive the exec of perl */
		int w = fcntl(probe[1], F_DUPFD, 3);
		if (w < 0)
			_exit(126);
		exec_wrapper(inv, wrapper, w, msg[1]);
	}
	close(probe[1]);
	close(msg[1]);
	bool drained = drain(probe[0], &got, msg[0], &msgs);
	close(probe[0]);
	close(msg[0]);
	if (!drained)
		kill(pid, SIGKILL);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	autofree char *why = last_line(&msgs);
	if (!drained)
		snprintf(err, errlen, "pg_wrapper did not say within %d s where psql goes",
		         PROBE_DEADLINE_MS / 1000);
	else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || !got.len)
		snprintf(err, errlen, "pg_wrapper would not run it: %s", why);
	else if (!parse_probe(&got, inv, argv, env))
		snprintf(err, errlen, "pg_wrapper's answer cannot be read");
	else
		ok = true;
	sb_free(&got);
	sb_free(&msgs);
	if (!ok)
		return false;
	out->argc = (int)argv->n;
	out->argv = argv->v;
	out->envp = env->v;
	out->wrapped_env = true;
	*note = describe_choice(inv, argv, env);
	return true;
}
