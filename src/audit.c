/* audit.c - the audit trail: who ran what against which target, what the
 * rules said, and whether a human confirmed it. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "gate.h"

static bool valid_utf8(const unsigned char *s)
{
	while (*s) {
		int n = *s < 0x80             ? 0
		        : (*s & 0xE0) == 0xC0 ? 1
		        : (*s & 0xF0) == 0xE0 ? 2
		        : (*s & 0xF8) == 0xF0 ? 3
		                              : -1;
		if (n < 0 || (n == 1 && *s < 0xC2))
			return false;
		s++;
		for (int i = 0; i < n; i++, s++)
			if ((*s & 0xC0) != 0x80)
				return false;
	}
	return true;
}

json_t *json_bytes(const char *s)
{
	if (valid_utf8((const unsigned char *)s))
		return json_string(s);
	strbuf b = {0};
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x80)
			sb_putc(&b, (char)*p);
		else
			sb_printf(&b, "\\x%02X", *p);
	}
	json_t *j = json_string(b.s);
	sb_free(&b);
	return j;
}

json_t *facts_target_json(const facts *fx)
{
	json_t *t = json_object();

	json_object_set_new(t, "environment", json_bytes(fx->environment ? fx->environment : ""));
	json_object_set_new(t, "colour", json_bytes(fx->colour ? fx->colour : "none"));
	for (size_t i = 0; i < fx->target.n; i++)
		json_object_set_new(t, fx->target.v[i].name, json_bytes(fx->target.v[i].value));
	return t;
}

static void iso_time(char *buf, size_t n)
{
	struct timeval tv;
	struct tm tm;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	size_t k = strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + k, n - k, ".%03ldZ", (long)tv.tv_usec / 1000);
}

static json_t *build_record(int argc, char *const *argv, const facts *fx, const decision *d,
                            gate_outcome g)
{
	char ts[40];
	char cwd[4096];
	struct passwd *pw = getpwuid(getuid());
	const char *tty = ttyname(STDIN_FILENO);
	json_t *rec = json_object();
	json_t *args = json_array();
	json_t *ids = json_array();

	iso_time(ts, sizeof ts);
	json_object_set_new(rec, "time", json_string(ts));
	json_object_set_new(rec, "user", json_bytes(pw ? pw->pw_name : "?"));
	json_object_set_new(rec, "uid", json_integer(getuid()));
	json_object_set_new(rec, "tty", tty ? json_bytes(tty) : json_null());
	json_object_set_new(rec, "agent", json_boolean(d->agent));
	json_object_set_new(rec, "cwd", json_bytes(getcwd(cwd, sizeof cwd) ? cwd : "?"));
	json_object_set_new(rec, "tool", json_string(fx->tool));
	for (int i = 0; i < argc; i++)
		json_array_append_new(args, json_bytes(argv[i]));
	json_object_set_new(rec, "argv", args);
	json_object_set_new(rec, "target", facts_target_json(fx));
	json_object_set_new(rec, "verdict", json_string(action_name(d->verdict)));
	/* each id once: a script can match the same rule a million times */
	for (size_t i = 0; i < d->n; i++) {
		bool seen = false;
		for (size_t k = 0; k < json_array_size(ids) && !seen; k++)
			seen = !strcmp(json_string_value(json_array_get(ids, k)), d->m[i].r->id);
		if (!seen)
			json_array_append_new(ids, json_string(d->m[i].r->id));
	}
	json_object_set_new(rec, "rules", ids);
	json_object_set_new(rec, "matches", json_integer((json_int_t)d->n));
	json_object_set_new(rec, "confirmation", json_string(gate_outcome_name(g)));
	json_object_set_new(rec, "ran",
	                    json_boolean(d->verdict == ACTION_ALLOW || g == GATE_CONFIRMED));
	return rec;
}

/* mkdir -p for the log's directory, private to the user. */
static void make_parents(const char *path)
{
	autofree char *dir = xstrdup(path);

	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(dir, 0700);
		*p = '/';
	}
}

/* The path comes from the environment (XDG_STATE_HOME): shown escaped. */
static void warn_path(const char *path, const char *what)
{
	int e = errno;
	autofree char *shown = safe_text(path);

	errno = e;
	warn_errno("audit log %s%s", shown, what);
}

static void append_line(const char *path, const char *line)
{
	size_t len = strlen(line);
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0 && errno == ENOENT) {
		make_parents(path);
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	}
	if (fd < 0) {
		warn_path(path, "");
		return;
	}
	/* One write of the whole line: O_APPEND makes it land whole, after any
	 * other process's record. */
	ssize_t w = write(fd, line, len);
	if (w != (ssize_t)len)
		warn_path(path, ": short write");
	close(fd);
}

void audit_record(const char *log_path, bool use_syslog, int argc, char *const *argv,
                  const facts *fx, const decision *d, gate_outcome g)
{
	json_t *rec = build_record(argc, argv, fx, d, g);
	char *text = json_dumps(rec, JSON_COMPACT);

	if (text) {
		autofree char *line = xasprintf("%s\n", text);
		append_line(log_path, line);
		if (use_syslog) {
			openlog("interlock", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
			syslog(d->verdict == ACTION_ALLOW ? LOG_INFO : LOG_NOTICE, "%s", text);
			closelog();
		}
	}
	free(text);
	json_decref(rec);
}
