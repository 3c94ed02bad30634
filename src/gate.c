/* gate.c - banner and typed confirmation on /dev/tty. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "gate.h"

#define ANSWER_MAX 512

const char *gate_outcome_name(gate_outcome g)
{
	switch (g) {
	case GATE_NOT_ASKED:
		return "not-asked";
	case GATE_CONFIRMED:
		return "confirmed";
	case GATE_REFUSED:
		return "refused";
	case GATE_NO_TTY:
		return "no-tty";
	}
	return "?";
}

/* The length of a well-formed UTF-8 sequence at p (no overlong forms,
 * surrogates or code points past U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *p)
{
	size_t n = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : 2;
	unsigned lo = 0x80, hi = 0xBF;

	if (p[0] < 0xC2 || p[0] > 0xF4)
		return 0;
	if (p[0] == 0xE0)
		lo = 0xA0;
	else if (p[0] == 0xED)
		hi = 0x9F;
	else if (p[0] == 0xF0)
		lo = 0x90;
	else if (p[0] == 0xF4)
		hi = 0x8F;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

size_t safe_char_len(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (*p >= 0x20 && *p < 0x7f)
		return 1;
	if (*p < 0x80)
		return 0; /* C0 controls and DEL */
	/* C1 controls (U+0080..U+009F, 0xC2 0x80..0x9F) are 8-bit escape
	 * sequences to many terminals, as a lone 0x9B (CSI) byte is. */
	if (p[0] == 0xC2 && p[1] < 0xA0)
		return 0;
	return utf8_len(p);
}

static void sb_put_safe(strbuf *b, const char *s)
{
	for (const char *p = s; *p;) {
		size_t run = 0, n;
		while (p[run] && (n = safe_char_len(p + run)) > 0)
			run += n;
		if (run) {
			autofree char *part = xstrndup(p, run);
			sb_puts(b, part);
			p += run;
		} else {
			sb_printf(b, "\\x%02x", (unsigned char)*p++);
		}
	}
}

char *safe_text(const char *s)
{
	strbuf b = {0};

	sb_put_safe(&b, s);
	return b.s ? sb_steal(&b) : xstrdup("");
}

void fput_safe(const char *s, FILE *f)
{
	autofree char *t = safe_text(s);
	fputs(t, f);
}

bool use_colour(int fd)
{
	const char *nc = getenv("NO_COLOR");
	return !(nc && *nc) && isatty(fd);
}

const char *colour_code(const char *colour)
{
	static const struct {
		const char *name, *code;
	} map[] = {{"red", "\033[1;37;41m"},     {"yellow", "\033[1;30;43m"},
	           {"green", "\033[1;30;42m"},   {"blue", "\033[1;37;44m"},
	           {"magenta", "\033[1;37;45m"}, {"cyan", "\033[1;30;46m"}};

	for (size_t i = 0; colour && i < sizeof map / sizeof *map; i++)
		if (!strcmp(map[i].name, colour))
			return map[i].code;
	return "";
}

static void upper(char *dst, size_t n, const char *s)
{
	size_t i = 0;
	for (; s && s[i] && i + 1 < n; i++)
		dst[i] = (s[i] >= 'a' && s[i] <= 'z') ? (char)(s[i] - 32) : s[i];
	dst[i] = '\0';
}

static void print_target(FILE *f, const facts *fx)
{
	static const char *const keys[] = {"host",    "port",      "database", "user",
	                                   "service", "workspace", "paths",    NULL};

	for (const char *const *k = keys; *k; k++) {
		const char *v = fs_get(&fx->target, *k);
		if (!v || !*v)
			continue;
		fprintf(f, "  %-10s ", *k);
		/* one line per value of a multi-line field (rm's paths) */
		for (const char *p = v; *p;) {
			size_t n = strcspn(p, "\n");
			autofree char *line = xstrndup(p, n);
			fput_safe(line, f);
			fputc('\n', f);
			p += n;
			if (*p)
				fprintf(f, "  %-10s ", "");
			p += *p == '\n';
		}
	}
}

/* Matches per rule, counted in one pass: a script can match millions of
 * times, but only a few dozen rules. */
typedef struct {
	const rule *r;
	size_t seen, total;
} tally;

typedef struct {
	tally *v;
	size_t n;
} tallies;

static tally *tally_of(tallies *t, const rule *r)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].r == r)
			return &t->v[i];
	t->v = xrealloc(t->v, (t->n + 1) * sizeof(*t->v));
	t->v[t->n] = (tally){.r = r};
	return &t->v[t->n++];
}

static void count_matches(tallies *t, const decision *d)
{
	for (size_t i = 0; i < d->n; i++)
		tally_of(t, d->m[i].r)->total++;
}

void gate_print_matches(FILE *f, const decision *d)
{
	tallies t = {0};

	count_matches(&t, d);
	for (size_t i = 0; i < d->n; i++) {
		tally *c = tally_of(&t, d->m[i].r);
		if (++c->seen > MAX_SHOWN_PER_RULE)
			continue;
		fprintf(f, "  %-8s [%s] ", action_name(d->m[i].act), d->m[i].r->id);
		fput_safe(d->m[i].message, f);
		fputc('\n', f);
		if (c->seen == MAX_SHOWN_PER_RULE && c->total > MAX_SHOWN_PER_RULE)
			fprintf(f, "  %-8s [%s] ... and %zu more like this\n",
			        action_name(d->m[i].act), d->m[i].r->id,
			        c->total - MAX_SHOWN_PER_RULE);
	}
	free(t.v);
}

static void print_banner(FILE *f, const facts *fx, const decision *d, const char *cmdline,
                         bool colour)
{
	char env[64];
	const char *on = colour ? colour_code(fx->colour) : "";
	const char *off = colour && *on ? "\033[0m" : "";

	upper(env, sizeof env, fx->environment ? fx->environment : "unknown");
	fprintf(f, "\n%s interlock: %s %s%s\n", on, env, fx->tool, off);
	fputs("  command    ", f);
	fput_safe(cmdline, f); /* quoted already; safe again costs nothing */
	fputc('\n', f);
	print_target(f, fx);
	gate_print_matches(f, d);
	for (size_t i = 0; i < fx->notes.n; i++) {
		fputs("  ", f);
		fput_safe(fx->notes.v[i], f);
		fputc('\n', f);
	}
}

/* Puts the terminal in canonical mode with echo, whatever mode the last
 * program left it in, and discards type-ahead: keys pressed before the
 * question is shown must not answer it. Returns whether *saved is valid. */
static bool prepare_terminal(int fd, struct termios *saved)
{
	struct termios t;

	if (tcgetattr(fd, saved) != 0)
		return false;
	t = *saved;
	t.c_lflag |= ICANON | ECHO | ISIG;
	tcsetattr(fd, TCSAFLUSH, &t);
	return true;
}

static void read_answer(int fd, char *buf, size_t n)
{
	size_t len = 0;

	while (len + 1 < n) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || c == '\n')
			break;
		buf[len++] = c;
	}
	buf[len] = '\0';
	if (len && buf[len - 1] == '\r')
		buf[--len] = '\0';
}

gate_outcome gate_confirm(const facts *fx, const decision *d, const char *cmdline)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return GATE_NO_TTY;
	FILE *f = fdopen(dup(fd), "w");
	if (!f) {
		close(fd);
		return GATE_NO_TTY;
	}
	bool colour = use_colour(fd);
	print_banner(f, fx, d, cmdline, colour);
	gate_outcome g = GATE_CONFIRMED;
	struct termios saved;
	for (size_t i = 0; i < d->tokens.n && g == GATE_CONFIRMED; i++) {
		char answer[ANSWER_MAX];
		fflush(f);
		bool restore = prepare_terminal(fd, &saved);
		fputs("Type '", f);
		fput_safe(d->tokens.v[i], f);
		fputs("' to run it, anything else aborts: ", f);
		fflush(f);
		read_answer(fd, answer, sizeof answer);
		if (restore)
			tcsetattr(fd, TCSANOW, &saved);
		if (strcmp(answer, d->tokens.v[i]) != 0)
			g = GATE_REFUSED;
	}
	fputs(g == GATE_CONFIRMED ? "Confirmed.\n" : "Not confirmed: nothing was run.\n", f);
	fclose(f);
	close(fd);
	return g;
}

static void list_ids(FILE *f, const decision *d, action which)
{
	bool first = true;

	tallies t = {0};

	for (size_t i = 0; i < d->n; i++) {
		if (d->m[i].act != which || tally_of(&t, d->m[i].r)->seen++)
			continue;
		fprintf(f, "%s%s", first ? "" : ", ", d->m[i].r->id);
		first = false;
	}
	free(t.v);
}

void gate_report_refusal(const facts *fx, const decision *d, gate_outcome g, const char *cmdline)
{
	FILE *f = stderr;
	action shown = d->rule_verdict;

	fprintf(f, "interlock: %s ", g == GATE_REFUSED ? "did not run" : "blocked");
	fput_safe(cmdline, f);
	fputs(" (", f);
	fput_safe(fx->environment ? fx->environment : "unknown", f);
	fputs(" environment): ", f);
	size_t hidden = 0;
	tallies t = {0};
	for (size_t i = 0; i < d->n; i++) {
		if (d->m[i].act != shown)
			continue;
		if (++tally_of(&t, d->m[i].r)->seen > MAX_SHOWN_PER_RULE) {
			hidden++;
			continue;
		}
		fput_safe(d->m[i].message, f);
		fputs(". ", f);
	}
	free(t.v);
	if (hidden)
		fprintf(f, "And %zu more like these. ", hidden);
	fputs("Rules: ", f);
	list_ids(f, d, shown);
	fputs(". ", f);
	if (d->rule_verdict == ACTION_BLOCK)
		fputs("This is blocked by policy; nothing was run.", f);
	else if (d->agent)
		fputs("It needs a human's typed confirmation and this is an AI agent's session: "
		      "nothing was run. Ask the human to run the command themselves in their own "
		      "terminal if it is really intended.",
		      f);
	else if (g == GATE_NO_TTY) {
		fputs("It needs a typed confirmation (", f);
		for (size_t i = 0; i < d->tokens.n; i++) {
			fprintf(f, "%s'", i ? ", " : "");
			fput_safe(d->tokens.v[i], f);
			fputc('\'', f);
		}
		fputs(") on a terminal, and there is no terminal: nothing was run.", f);
	} else
		fputs("The confirmation did not match: nothing was run.", f);
	fputc('\n', f);
}
