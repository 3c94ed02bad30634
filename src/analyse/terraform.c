/* terraform.c - the terraform analyser: every way terraform can be told to
 * destroy or to skip its own prompt, the workspace and variable files it is
 * aimed at, and what a plan deletes.
 *
 * The command line is modelled on terraform 1.11 (checked against the real
 * 1.11.4 binary; the tests say which case proves what):
 *
 *  - main.go: the last -chdir=DIR among the leading options is taken out (a
 *    second one stays and makes terraform refuse). TF_CLI_ARGS, then
 *    TF_CLI_ARGS_<command> ("state rm" gives TF_CLI_ARGS_state_rm, no command
 *    gives TF_CLI_ARGS_), are split as go-shellwords 1.0.12 splits them and
 *    inserted right after the first argument equal to the command's last
 *    word, or at the very front when there is no command: so
 *    TF_CLI_ARGS="destroy -auto-approve" turns a bare `terraform` into a
 *    destroy. Typed arguments come after injected ones, and the last value
 *    of a flag wins. -v, -version or --version anywhere (even after "--")
 *    turns the whole command into `terraform version`.
 *  - mitchellh/cli: -h, -help or --help anywhere before "--" prints help and
 *    runs nothing. The command is the longest registered name the words
 *    spell ("state rm"), verified with terraform's own unanchored check, so
 *    `terraform destroyer destroy` is a destroy. Options before the command
 *    make terraform refuse.
 *  - Go's flag package, per command: -name or --name, -name=value, a value
 *    flag takes the next argument whatever it looks like, a boolean accepts
 *    only =1/0/t/f/true/false (and TRUE, True, ...), the last value wins,
 *    parsing stops at the first non-option and after "--". An exact
 *    "-no-color" is removed from anywhere first (terraform's Meta.process).
 *    The flag sets below are 1.11.4's, probed flag by flag.
 *
 * Facts. Target: workspace (TF_WORKSPACE, else the "environment" file of the
 * data directory, else "default"; for `workspace delete|new|select NAME` the
 * named one), workspace_source, dir (the effective -chdir, absolute),
 * data_dir (TF_DATA_DIR, default .terraform, relative to dir), var_files
 * (-var-file, in order), auto_var_files (terraform.tfvars and *.auto.tfvars
 * in dir: loaded without being named), chdir. The target's environment is
 * the highest classification of the workspace name (NAME_WORKSPACE), of
 * every var file, auto-loaded ones and -backend-config files included, by
 * base name and by path (NAME_VAR_FILE), and of dir and -state
 * (NAME_PATH). One operation of kind "command" per invocation (the rule
 * authors' reference is interlock(5)):
 *   command          apply, destroy, plan, state rm, workspace delete, ... ("env
 *                    X" is "workspace X"); help, version or autocomplete when
 *                    terraform would only print something (subcommand: what
 *                    was asked for)
 *   read_only        changes neither infrastructure nor state
 *   rewrites_state   state rm|mv (no -dry-run)|push|replace-provider, taint,
 *                    untaint, import, refresh, workspace delete, force-unlock,
 *                    init -migrate-state|-reconfigure|-force-copy
 *   destroy, auto_approve (+ auto_approve_from), lock (+ lock_timeout),
 *   refresh_only, force, dry_run, migrate_state, reconfigure, force_copy:
 *                    yes/no; scope: what a destroy run deletes
 *   targets, force_replace, args, injected: newline lists
 *   plan             apply/destroy: given, generated, none (terraform asks
 *                    itself, or -auto-approve), unknown (production, but no
 *                    plan is made here), unreadable; plan_file, plan_error,
 *                    plan_text (a sentence for messages)
 *   deletes, replaces, creates, updates, forgets: counts, or "unknown";
 *                    delete_addresses, delete_types, replace_addresses, summary
 *   unknown          yes/no, with unknown_what and unknown_all
 *   token            the workspace name
 *   plan_backend, plan_backend_config, plan_backend_error, plan_workspace:
 *                    apply PLANFILE: what the plan itself targets (tfplan.c)
 *   state_out        -state-out, -backup, -backup-out: state files written
 *                    (they count as paths; writing them is rewrites_state)
 *   forget_addresses, forget_text: what a saved plan removes from state only
 *   prompt_from      terminal, pipe or none: who answers terraform's own
 *                    "Enter a value:" (none: it asks nothing, or the plan
 *                    gate applies a saved plan)
 * Target fields backend and backend_config: the backend init recorded in
 * <data_dir>/terraform.tfstate ("unknown" when unreadable: unknown_remote).
 * Its strings count towards the environment like a saved plan's backend,
 * and so do -backend-config=KEY=VALUE values, the values a -backend-config
 * file sets and the strings of backend/cloud blocks in dir's *.tf files.
 *
 * Names as given. Directories, var files, -state and the data directory
 * count by the name as given (links not resolved; $PWD when it is the
 * working directory) and by the resolved path: a link prod-link to a
 * neutral directory is production (target field dir_as_given). A saved
 * plan applies to the backend and workspace recorded in it, so those, its
 * variables' string values and its file name count too; a plan whose
 * backend cannot be read counts as unknown_remote.
 *
 * Fail closed. A command or option interlock does not know, or something
 * terraform itself would refuse (interlock may be wrong about that), sets
 * unknown=yes and says what in unknown_what; the shipped rules confirm it in
 * production. A plan that cannot be read is "unreadable" with deletes
 * "unknown", never an empty plan.
 *
 * Plans. `terraform apply PLANFILE` applies without any prompt of its own.
 * interlock opens the file itself and reads it with the real
 * `terraform show -json /dev/fd/N` (read-only, so also in dry mode). JSON is
 * parsed with jansson: packaged in Debian, small, strict about UTF-8 and
 * reports error positions. Counted: resource changes whose actions contain
 * "delete" (deletes and replaces), their addresses and types, creates,
 * updates, forgets. In run mode the same descriptor replaces the file name
 * in the argv that runs, so a plan file rewritten while the human reads the
 * banner is not what gets applied.
 *
 * The plan gate. In run mode, for `apply` without a plan file and for
 * `destroy`, in a workspace ranked at least as high as [production], without
 * -auto-approve or -json, not in agent mode and not without a terminal
 * (where the confirmation could only become a block), interlock runs the
 * real terraform as a child:
 *     terraform [-chdir=DIR] plan -out=PRIVATE [-destroy] [the -var, -var-file,
 *       -target, -replace, -refresh, -refresh-only, -lock, -lock-timeout,
 *       -parallelism, -state, -compact-warnings, -allow-deferral flags, in
 *       their order] -input=false
 * with its output on stderr, so the human sees terraform's own plan, and
 * with SIGINT and SIGQUIT ignored by interlock meanwhile, so Ctrl-C reaches
 * terraform (which releases its lock) and interlock then refuses. PRIVATE
 * lies in a fresh mkdtemp directory (0700, $TMPDIR or /tmp). interlock opens
 * the plan, removes the file and the directory at once, reads the plan with
 * `terraform show -json /dev/fd/N` and sets exec_argv to
 *     terraform [-chdir=DIR] apply [-lock, -lock-timeout, -parallelism, -state,
 *       -state-out, -backup, -compact-warnings] /dev/fd/N
 * The descriptor is inherited through exec (no close-on-exec), so interlock
 * still execs the tool without forking (signals, terminal and exit status
 * stay terraform's), nothing is left on disk whatever happens next, and what
 * is applied is exactly the plan that was shown: a saved plan carries its
 * own configuration snapshot, and terraform refuses it if the state moved
 * since. The flags of TF_CLI_ARGS and TF_CLI_ARGS_apply are already in the
 * plan, and terraform would refuse a -var next to a saved plan, so both
 * variables are removed from the environment of that apply; every child
 * interlock runs gets an environment without any TF_CLI_ARGS*.
 *
 * In dry mode (interlock check, rule examples) nothing that changes anything
 * runs: `terraform plan` takes the state lock and refreshes, so no plan is
 * made and such a command has plan=unknown, deletes=unknown. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analyse.h"
#include "classify.h"
#include "engine.h"
#include "tfplan.h"

#define MAX_SHOW_OUTPUT  (512L << 20) /* plan JSON larger than this: unreadable */
#define MAX_ENV_FILE     (1L << 20)   /* the data directory's "environment" file */
#define MAX_LISTED_NOTES 2000         /* addresses listed in the banner */

/* ---- commands and their flags (terraform 1.11.4) ------------------------ */

typedef enum {
	C_READ,    /* changes neither infrastructure nor state */
	C_APPLY,   /* apply */
	C_DESTROY, /* destroy */
	C_STATE,   /* writes state directly, without a plan */
	C_INIT,    /* init: writes state with -migrate-state, -reconfigure, -force-copy */
	C_WRITE,   /* writes something else: workspace new, test (real resources) */
	C_PARENT,  /* a command group without a subcommand: prints its help */
} cmd_class;

typedef struct {
	const char *name;  /* as terraform registers it */
	const char *canon; /* as the facts name it ("env delete" is "workspace delete") */
	cmd_class cls;
	const char *flags; /* "name" is a boolean, "name=" takes a value; NULL: any */
} cmddef;

#define OPERATION_FLAGS                                                                            \
	"allow-deferral backup= compact-warnings destroy input json lock lock-timeout= "           \
	"parallelism= refresh refresh-only replace= state= state-out= target= var= var-file="
#define TAINT_FLAGS                                                                                \
	"allow-missing backup= ignore-remote-version lock lock-timeout= state= state-out="

static const cmddef commands[] = {
    {"apply", "apply", C_APPLY, "auto-approve " OPERATION_FLAGS},
    {"console", "console", C_READ, "compact-warnings input plan state= target= var= var-file="},
    {"destroy", "destroy", C_DESTROY, "auto-approve " OPERATION_FLAGS},
    {"env", "workspace", C_PARENT, ""},
    {"env delete", "workspace delete", C_STATE, "force lock lock-timeout="},
    {"env list", "workspace list", C_READ, ""},
    {"env new", "workspace new", C_WRITE, "lock lock-timeout= state="},
    {"env select", "workspace select", C_READ, "or-create"},
    {"fmt", "fmt", C_READ, "check diff list recursive write"},
    {"force-unlock", "force-unlock", C_STATE, "force"},
    {"get", "get", C_READ, "test-directory= update"},
    {"graph", "graph", C_READ, "draw-cycles module-depth= plan= type= verbose"},
    {"import", "import", C_STATE,
     "backup= compact-warnings config= ignore-remote-version input lock lock-timeout= "
     "parallelism= state= state-out= target= var= var-file="},
    {"init", "init", C_INIT,
     "backend backend-config= compact-warnings force-copy from-module= get "
     "ignore-remote-version input json lock lock-timeout= lockfile= migrate-state "
     "plugin-dir= reconfigure target= test-directory= upgrade var= var-file="},
    {"login", "login", C_READ, "compact-warnings input"},
    {"logout", "logout", C_READ, ""},
    {"metadata", "metadata", C_PARENT, ""},
    {"metadata functions", "metadata functions", C_READ, "json"},
    {"modules", "modules", C_READ, "compact-warnings json"},
    {"output", "output", C_READ, "compact-warnings json raw state="},
    {"plan", "plan", C_READ, "detailed-exitcode generate-config-out= out= " OPERATION_FLAGS},
    {"providers", "providers", C_READ, "test-directory="},
    {"providers lock", "providers lock", C_READ,
     "enable-plugin-cache fs-mirror= net-mirror= platform="},
    {"providers mirror", "providers mirror", C_READ, "lock-file platform="},
    {"providers schema", "providers schema", C_READ, "json"},
    {"push", "push", C_READ, NULL}, /* only says that it no longer exists */
    {"refresh", "refresh", C_STATE, OPERATION_FLAGS},
    {"show", "show", C_READ, "compact-warnings json"},
    {"state", "state", C_PARENT, ""},
    {"state list", "state list", C_READ, "id= state="},
    {"state mv", "state mv", C_STATE,
     "backup= backup-out= dry-run ignore-remote-version lock lock-timeout= state= state-out="},
    {"state pull", "state pull", C_READ, ""},
    {"state push", "state push", C_STATE, "force ignore-remote-version lock lock-timeout="},
    {"state replace-provider", "state replace-provider", C_STATE,
     "auto-approve backup= ignore-remote-version lock lock-timeout= state="},
    {"state rm", "state rm", C_STATE,
     "backup= dry-run ignore-remote-version lock lock-timeout= state="},
    {"state show", "state show", C_READ, "state="},
    {"taint", "taint", C_STATE, TAINT_FLAGS},
    {"test", "test", C_WRITE,
     "cloud-run= compact-warnings filter= json test-directory= var= var-file= verbose"},
    {"untaint", "untaint", C_STATE, TAINT_FLAGS},
    {"validate", "validate", C_READ, "compact-warnings json no-tests test-directory="},
    {"version", "version", C_READ, "json"},
    {"workspace", "workspace", C_PARENT, ""},
    {"workspace delete", "workspace delete", C_STATE, "force lock lock-timeout="},
    {"workspace list", "workspace list", C_READ, ""},
    {"workspace new", "workspace new", C_WRITE, "lock lock-timeout= state="},
    {"workspace select", "workspace select", C_READ, "or-create"},
    {"workspace show", "workspace show", C_READ, "compact-warnings input target= var= var-file="},
};

#define N_COMMANDS (sizeof commands / sizeof *commands)

static const cmddef *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* 0: not a flag of the set, 1: a boolean, 2: takes a value. */
static int flag_kind(const char *set, const char *name, size_t len)
{
	for (const char *p = set; *p;) {
		size_t n = strcspn(p, " =");
		bool value = p[n] == '=';
		if (n == len && strncmp(p, name, len) == 0)
			return value ? 2 : 1;
		p += n + value;
		while (*p == ' ')
			p++;
	}
	return 0;
}

/* ---- arguments, with where each came from ------------------------------- */

enum { FROM_ARGV, FROM_ENV, FROM_ENV_CMD };

typedef struct {
	char *s;    /* owned */
	int from;   /* FROM_* */
	int argv_i; /* index in the invocation's argv, -1 when injected */
	int env_i;  /* index among its variable's words, -1 from argv */
} targ;

typedef struct {
	targ *v; /* owned */
	size_t n, cap;
} targs;

static void ta_insert(targs *a, size_t at, const char *s, int from, int argv_i, int env_i)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 16;
		a->v = xrealloc(a->v, a->cap * sizeof(*a->v));
	}
	memmove(&a->v[at + 1], &a->v[at], (a->n - at) * sizeof(*a->v));
	a->v[at] = (targ){.s = xstrdup(s), .from = from, .argv_i = argv_i, .env_i = env_i};
	a->n++;
}

static void ta_remove(targs *a, size_t at)
{
	free(a->v[at].s);
	memmove(&a->v[at], &a->v[at + 1], (a->n - at - 1) * sizeof(*a->v));
	a->n--;
}

static void ta_free(targs *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i].s);
	free(a->v);
	*a = (targs){0};
}

/* ---- everything found out about the command line ------------------------ */

typedef struct {
	targs args;         /* after -chdir is taken out and the environment merged */
	char *chdir;        /* owned: -chdir's value, NULL when not given */
	char *env_cmd_name; /* owned: TF_CLI_ARGS_<command> as looked up */
	bool help, version, autocomplete;
	const cmddef *cmd; /* NULL: no command, or one interlock does not know */
	char *word;        /* owned: the command words as terraform found them */
	size_t cmd_args;   /* index of the command's first argument */
	bool auto_approve;
	int auto_approve_from;
	bool destroy, refresh_only, lock, json, dry_run, force, no_color;
	bool migrate_state, reconfigure, force_copy;
	bool no_input;      /* -input=false */
	char *state_path;   /* owned: -state */
	char *lock_timeout; /* owned */
	strvec var_files, targets, replaces, backend_files;
	strvec backend_kv;  /* -backend-config=KEY=VALUE, as given */
	strvec state_outs;  /* -state-out, -backup, -backup-out: state files written */
	strvec plan_flags;  /* forwarded to a plan interlock makes, in order */
	strvec apply_flags; /* forwarded to the apply of that plan */
	strvec pos;         /* positional arguments */
	int pos0_argv_i;    /* argv index of the first positional, -1 if injected */
	int pos0_from;      /* where it came from (FROM_*) */
	int pos0_env_i;     /* injected: its index among its variable's words */
	strvec unknown;     /* what interlock does not know or terraform refuses */
	strvec injected;    /* "TF_CLI_ARGS: ARG..." */
} tf_opts;

static void tf_opts_free(tf_opts *o)
{
	ta_free(&o->args);
	free(o->chdir);
	free(o->env_cmd_name);
	free(o->word);
	free(o->state_path);
	free(o->lock_timeout);
	sv_clear(&o->var_files);
	sv_clear(&o->targets);
	sv_clear(&o->replaces);
	sv_clear(&o->backend_files);
	sv_clear(&o->backend_kv);
	sv_clear(&o->state_outs);
	sv_clear(&o->plan_flags);
	sv_clear(&o->apply_flags);
	sv_clear(&o->pos);
	sv_clear(&o->unknown);
	sv_clear(&o->injected);
}

static const char *from_name(const tf_opts *o, int from)
{
	return from == FROM_ENV ? "TF_CLI_ARGS" : from == FROM_ENV_CMD ? o->env_cmd_name : "argv";
}

PRINTF(2, 3) static void note_unknown(tf_opts *o, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		diex(78, "out of memory");
	va_end(ap);
	if (!sv_contains(&o->unknown, s))
		sv_push(&o->unknown, s);
	free(s);
}

/* ---- TF_CLI_ARGS: go-shellwords 1.0.12 (ParseEnv and ParseBacktick off) -- */

static bool shell_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool all_digits(const strbuf *b)
{
	for (size_t i = 0; i < b->len; i++)
		if (b->s[i] < '0' || b->s[i] > '9')
			return false;
	return true;
}

/* Splits line as terraform does; false when terraform would refuse it. A
 * backslash takes the next character literally (no \n), quotes group,
 * `...` and $(...) keep spaces and quotes, and an unquoted ; & | < or >
 * ends the list there ("2>" drops the 2). */
static bool shell_words(const char *line, strvec *out)
{
	strbuf buf = {0};
	bool escaped = false, dq = false, sq = false, bq = false, dolq = false;
	enum { ARG_NO, ARG_SINGLE, ARG_QUOTED } got = ARG_NO;
	bool ok = true;

	for (const char *p = line; *p; p++) {
		char r = *p;
		if (escaped) {
			sb_putc(&buf, r);
			escaped = false;
			got = ARG_SINGLE;
			continue;
		}
		if (r == '\\') {
			if (sq)
				sb_putc(&buf, r);
			else
				escaped = true;
			continue;
		}
		if (shell_space(r)) {
			if (sq || dq || bq || dolq) {
				sb_putc(&buf, r);
			} else if (got != ARG_NO) {
				sv_push_steal(out, sb_steal(&buf));
				got = ARG_NO;
			}
			continue;
		}
		switch (r) {
		case '`':
			if (!sq && !dq && !dolq)
				bq = !bq;
			break;
		case ')':
			if (!sq && !dq && !bq)
				dolq = !dolq;
			break;
		case '(':
			if (!sq && !dq && !bq) {
				if (!dolq && buf.len && buf.s[buf.len - 1] == '$') {
					dolq = true;
					sb_putc(&buf, r);
					continue;
				}
				ok = false;
				goto done;
			}
			break;
		case '"':
			if (!sq && !dolq) {
				if (dq)
					got = ARG_QUOTED;
				dq = !dq;
				continue;
			}
			break;
		case '\'':
			if (!dq && !dolq) {
				if (sq)
					got = ARG_QUOTED;
				sq = !sq;
				continue;
			}
			break;
		case ';':
		case '&':
		case '|':
		case '<':
		case '>':
			if (!(sq || dq || bq || dolq)) {
				if (r == '>' && buf.len && all_digits(&buf))
					got = ARG_NO;
				goto done;
			}
			break;
		default:
			break;
		}
		got = ARG_SINGLE;
		sb_putc(&buf, r);
	}
done:
	if (ok && got != ARG_NO)
		sv_push_steal(out, sb_steal(&buf));
	sb_free(&buf);
	return ok && !(escaped || sq || dq || bq || dolq);
}

/* ---- terraform's main.go and mitchellh/cli ----------------------------- */

static bool is_help(const char *a)
{
	return !strcmp(a, "-h") || !strcmp(a, "-help") || !strcmp(a, "--help");
}

static bool is_version(const char *a)
{
	return !strcmp(a, "-v") || !strcmp(a, "-version") || !strcmp(a, "--version");
}

static bool is_autocomplete(const char *a)
{
	return !strcmp(a, "-install-autocomplete") || !strcmp(a, "--install-autocomplete") ||
	       !strcmp(a, "-uninstall-autocomplete") || !strcmp(a, "--uninstall-autocomplete");
}

/* go-radix LongestPrefix over the registered names, then cli's check that
 * the name is followed by a space or the end somewhere in key (the regexp
 * is not anchored). */
static const cmddef *nested_command(const char *key)
{
	const cmddef *best = NULL;

	for (size_t i = 0; i < N_COMMANDS; i++) {
		size_t n = strlen(commands[i].name);
		if (strncmp(key, commands[i].name, n) == 0 && (!best || n > strlen(best->name)))
			best = &commands[i];
	}
	if (!best)
		return NULL;
	size_t n = strlen(best->name);
	for (const char *p = strstr(key, best->name); p; p = strstr(p + 1, best->name))
		if (p[n] == ' ' || p[n] == '\0')
			return best;
	return NULL;
}

typedef struct {
	bool help, version, autocomplete;
	size_t top_flags;
	char *sub;       /* owned: "" when there is none */
	size_t sub_args; /* index of the subcommand's first argument */
} cli_view;

/* mitchellh/cli's processArgs (with terraform's nested commands). */
static void process_args(const targs *a, bool autocomplete, cli_view *v)
{
	*v = (cli_view){.sub = NULL, .sub_args = a->n};
	for (size_t i = 0; i < a->n; i++) {
		const char *arg = a->v[i].s;
		if (!strcmp(arg, "--"))
			break;
		if (is_help(arg)) {
			v->help = true;
			continue;
		}
		if (autocomplete && is_autocomplete(arg)) {
			v->autocomplete = true;
			continue;
		}
		if (!v->sub) {
			if (is_version(arg)) {
				v->version = true;
				continue;
			}
			if (arg[0] == '-')
				v->top_flags++;
		}
		if (v->sub || !arg[0] || arg[0] == '-')
			continue;
		if (strchr(arg, ' ')) {
			v->sub = xstrdup("");
			return;
		}
		strbuf key = {0};
		for (size_t k = i; k < a->n && !strchr(a->v[k].s, ' '); k++) {
			if (k > i)
				sb_putc(&key, ' ');
			sb_puts(&key, a->v[k].s);
		}
		const cmddef *c = nested_command(key.s);
		sb_free(&key);
		size_t words = 0;
		if (c) {
			v->sub = xstrdup(c->name);
			for (const char *p = c->name; *p; p++)
				words += *p == ' ';
		} else {
			v->sub = xstrdup(arg);
		}
		v->sub_args = i + words + 1 < a->n ? i + words + 1 : a->n;
	}
	if (!v->sub)
		v->sub = xstrdup("");
}

/* extractChdirOption: the last -chdir=DIR among the leading options. */
static void extract_chdir(tf_opts *o)
{
	size_t pos = 0;
	const char *val = NULL;

	for (size_t i = 0; i < o->args.n; i++) {
		const char *a = o->args.v[i].s;
		if (a[0] != '-')
			break;
		if (!strcmp(a, "-chdir") || !strcmp(a, "-chdir=")) {
			note_unknown(o, "%s without a directory (terraform refuses it)", a);
			return;
		}
		if (str_starts(a, "-chdir=")) {
			pos = i;
			val = a + 7;
		}
	}
	if (!val)
		return;
	o->chdir = xstrdup(val);
	ta_remove(&o->args, pos);
}

/* mergeEnvArgs: NAME's words go right after the first argument equal to the
 * command's last word (the front when there is none). */
static void merge_env(const invocation *inv, tf_opts *o, const char *name, int from,
                      const char *sub)
{
	const char *v = inv_getenv(inv, name);
	strvec words = {0};

	if (!v || !*v)
		return;
	if (!shell_words(v, &words)) {
		note_unknown(o, "%s (terraform cannot split it and refuses to run)", name);
		sv_clear(&words);
		return;
	}
	const char *last = strrchr(sub, ' ');
	const char *search = last ? last + 1 : sub;
	size_t at = 0;
	for (size_t i = 0; i < o->args.n; i++) {
		if (!strcmp(o->args.v[i].s, search)) {
			at = i + 1;
			break;
		}
	}
	strbuf shown = {0};
	for (size_t i = 0; i < words.n; i++) {
		ta_insert(&o->args, at + i, words.v[i], from, -1, (int)i);
		sb_putc(&shown, ' ');
		sb_puts(&shown, words.v[i]);
	}
	if (words.n)
		sv_push_steal(&o->injected, xasprintf("%s:%s", name, shown.s));
	sb_free(&shown);
	sv_clear(&words);
}

/* ---- Go's flag package, for one command -------------------------------- */

static int parse_bool(const char *s)
{
	static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
	static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};

	for (size_t i = 0; i < 6; i++) {
		if (!strcmp(s, yes[i]))
			return 1;
		if (!strcmp(s, no[i]))
			return 0;
	}
	return -1;
}

static void forward(strvec *to, const char *name, const char *value)
{
	sv_push_steal(to, xasprintf("-%s=%s", name, value));
}

/* One flag of the command, already checked: value is the text given (for
 * a boolean "true" or "false"), b its boolean value. */
static void take_flag(tf_opts *o, const char *name, const char *value, bool b, int from)
{
	static const char *const to_plan[] = {
	    "allow-deferral", "compact-warnings", "destroy", "lock",  "lock-timeout", "parallelism",
	    "refresh",        "refresh-only",     "replace", "state", "target",       "var",
	    "var-file"};
	static const char *const to_apply[] = {"backup",       "compact-warnings", "lock",
	                                       "lock-timeout", "parallelism",      "state",
	                                       "state-out"};

	for (size_t i = 0; i < sizeof to_plan / sizeof *to_plan; i++)
		if (!strcmp(name, to_plan[i]))
			forward(&o->plan_flags, name, value);
	for (size_t i = 0; i < sizeof to_apply / sizeof *to_apply; i++)
		if (!strcmp(name, to_apply[i]))
			forward(&o->apply_flags, name, value);
	if (!strcmp(name, "auto-approve")) {
		o->auto_approve = b;
		o->auto_approve_from = from;
	} else if (!strcmp(name, "destroy")) {
		o->destroy = b;
	} else if (!strcmp(name, "refresh-only")) {
		o->refresh_only = b;
	} else if (!strcmp(name, "lock")) {
		o->lock = b;
	} else if (!strcmp(name, "lock-timeout")) {
		free(o->lock_timeout);
		o->lock_timeout = xstrdup(value);
	} else if (!strcmp(name, "json")) {
		o->json = b;
	} else if (!strcmp(name, "input")) {
		o->no_input = !b;
	} else if (!strcmp(name, "dry-run")) {
		o->dry_run = b;
	} else if (!strcmp(name, "force")) {
		o->force = b;
	} else if (!strcmp(name, "migrate-state")) {
		o->migrate_state = b;
	} else if (!strcmp(name, "reconfigure")) {
		o->reconfigure = b;
	} else if (!strcmp(name, "force-copy")) {
		o->force_copy = b;
	} else if (!strcmp(name, "state")) {
		free(o->state_path);
		o->state_path = xstrdup(value);
	} else if (!strcmp(name, "var-file")) {
		sv_push(&o->var_files, value);
	} else if (!strcmp(name, "target")) {
		sv_push(&o->targets, value);
	} else if (!strcmp(name, "replace")) {
		sv_push(&o->replaces, value);
	} else if (!strcmp(name, "backend-config")) {
		/* a file, or KEY=VALUE (split at the first '=', as terraform does) */
		sv_push(strchr(value, '=') ? &o->backend_kv : &o->backend_files, value);
	} else if (!strcmp(name, "state-out") || !strcmp(name, "backup-out") ||
	           (!strcmp(name, "backup") && strcmp(value, "-") != 0)) {
		sv_push(&o->state_outs, value); /* "-backup=-" writes no backup */
	}
}

static void parse_flags(tf_opts *o)
{
	const char *set = o->cmd->flags;
	size_t i = o->cmd_args;

	/* Meta.process: an exact -no-color is taken out wherever it is */
	for (size_t k = o->cmd_args; k < o->args.n;) {
		if (!strcmp(o->args.v[k].s, "-no-color")) {
			o->no_color = true;
			ta_remove(&o->args, k);
		} else {
			k++;
		}
	}
	if (!set) { /* push: every argument is ignored */
		i = o->args.n;
	}
	for (; i < o->args.n; i++) {
		const targ *t = &o->args.v[i];
		const char *s = t->s;
		if (s[0] != '-' || !s[1])
			break;
		if (!strcmp(s, "--")) {
			i++;
			break;
		}
		const char *name = s + 1 + (s[1] == '-');
		if (!*name || *name == '-' || *name == '=') {
			note_unknown(o, "option %s (terraform refuses: bad flag syntax)", s);
			break;
		}
		const char *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		autofree char *fname = xstrndup(name, len);
		int kind = flag_kind(set, name, len);
		if (kind == 0) {
			/* unknown to interlock (and to terraform 1.11.4, which refuses
			 * it); assumed boolean so that what follows is still read */
			note_unknown(o, "option -%s of terraform %s", fname, o->cmd->canon);
			continue;
		}
		if (kind == 1) {
			int b = eq ? parse_bool(eq + 1) : 1;
			if (b < 0) {
				note_unknown(o, "option %s (terraform refuses: not a boolean)", s);
				continue;
			}
			take_flag(o, fname, b ? "true" : "false", b, t->from);
			continue;
		}
		if (eq) {
			take_flag(o, fname, eq + 1, true, t->from);
		} else if (i + 1 < o->args.n) {
			i++;
			take_flag(o, fname, o->args.v[i].s, true, t->from);
		} else {
			note_unknown(o, "option %s without its value (terraform refuses)", s);
		}
	}
	o->pos0_argv_i = i < o->args.n ? o->args.v[i].argv_i : -1;
	o->pos0_from = i < o->args.n ? o->args.v[i].from : FROM_ARGV;
	o->pos0_env_i = i < o->args.n ? o->args.v[i].env_i : -1;
	for (; i < o->args.n; i++)
		sv_push(&o->pos, o->args.v[i].s);
}

/* What terraform refuses although every flag is known. */
static void check_command(tf_opts *o)
{
	switch (o->cmd->cls) {
	case C_APPLY:
		if (o->pos.n > 1)
			note_unknown(
			    o, "%zu positional arguments (terraform apply takes one plan file)",
			    o->pos.n);
		if (!o->pos.n && o->json && !o->auto_approve)
			note_unknown(
			    o, "-json without -auto-approve or a plan file (terraform refuses)");
		break;
	case C_DESTROY:
		if (o->pos.n)
			note_unknown(
			    o, "argument '%s' (terraform destroy takes no plan file and refuses)",
			    o->pos.v[0]);
		break;
	case C_PARENT:
		if (o->pos.n)
			note_unknown(o, "command 'terraform %s %s'", o->cmd->canon, o->pos.v[0]);
		break;
	default:
		break;
	}
	if ((o->cmd->cls == C_APPLY || o->cmd->cls == C_DESTROY || !strcmp(o->cmd->name, "plan") ||
	     !strcmp(o->cmd->name, "refresh")) &&
	    o->refresh_only && (o->destroy || o->cmd->cls == C_DESTROY))
		note_unknown(o, "-refresh-only with -destroy (terraform refuses)");
}

static void parse_invocation(const invocation *inv, tf_opts *o)
{
	cli_view v;

	for (int i = 1; i < inv->argc; i++)
		ta_insert(&o->args, o->args.n, inv->argv[i], FROM_ARGV, i, -1);
	extract_chdir(o);

	/* the command as the first cli.CLI sees it decides where (and which
	 * TF_CLI_ARGS_<command>) the environment's arguments go */
	process_args(&o->args, false, &v);
	autofree char *sub1 = steal_pointer(&v.sub);
	o->env_cmd_name = xasprintf("TF_CLI_ARGS_%s", sub1);
	for (char *p = o->env_cmd_name + 12; *p; p++)
		if (*p == ' ' || *p == '-')
			*p = '_';
	merge_env(inv, o, "TF_CLI_ARGS", FROM_ENV, sub1);
	merge_env(inv, o, o->env_cmd_name, FROM_ENV_CMD, sub1);

	for (size_t i = 0; i < o->args.n; i++)
		if (is_version(o->args.v[i].s))
			o->version = true;
	process_args(&o->args, true, &v);
	o->help = v.help;
	o->autocomplete = v.autocomplete;
	o->word = v.sub;
	o->cmd_args = v.sub_args;
	if (o->version || o->help || o->autocomplete || !*o->word)
		return; /* terraform prints something and runs nothing */
	o->cmd = find_command(o->word);
	if (!o->cmd) {
		note_unknown(o, "command 'terraform %s'", o->word);
		return;
	}
	if (v.top_flags)
		note_unknown(o, "options before the command '%s' (terraform refuses them)",
		             o->word);
	parse_flags(o);
	check_command(o);
}

/* ---- where terraform runs, which workspace, which names ----------------- */

/* Folds "//", "." and ".." without touching the file system. */
static char *normalise(const char *abs)
{
	char *out = xmalloc(strlen(abs) + 2);
	size_t n = 0;

	out[n++] = '/';
	for (const char *p = abs; *p;) {
		while (*p == '/')
			p++;
		size_t len = strcspn(p, "/");
		if (!len)
			break;
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (n > 1 && out[n - 1] != '/')
				n--;
			if (n > 1)
				n--;
		} else if (!(len == 1 && p[0] == '.')) {
			if (n > 1)
				out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
	}
	out[n] = '\0';
	return out;
}

static char *absolute(const char *dir, const char *p)
{
	autofree char *joined = p[0] == '/' ? xstrdup(p) : xasprintf("%s/%s", dir, p);
	char *real = realpath(joined, NULL);
	return real ? real : normalise(joined);
}

/* The path as given, without resolving symbolic links: dir joined and
 * "." and ".." folded lexically. A directory reached through a link named
 * for production is production even when the link's target is not. */
static char *logical(const char *dir, const char *p)
{
	autofree char *joined = p[0] == '/' ? xstrdup(p) : xasprintf("%s/%s", dir, p);
	return normalise(joined);
}

/* The working directory as the shell names it: $PWD when that is an
 * absolute path to the same directory as getcwd's (as sh's pwd -L checks),
 * else the resolved one. */
static char *logical_cwd(const invocation *inv)
{
	const char *pwd = inv_getenv(inv, "PWD");
	struct stat a, b;

	if (pwd && pwd[0] == '/' && stat(pwd, &a) == 0 && stat(inv->cwd, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return normalise(pwd);
	return xstrdup(inv->cwd);
}

/* Go's unicode.IsSpace for the rune that starts at s (n bytes left), as
 * UTF-8: its length, or 0 when it is not white space. */
static size_t go_space_at(const unsigned char *s, size_t n)
{
	if (n >= 1 && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')))
		return 1;
	if (n >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
		return 2; /* U+0085, U+00A0 */
	if (n < 3)
		return 0;
	if (s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80)
		return 3; /* U+1680 */
	if (s[0] == 0xe2 && s[1] == 0x80 &&
	    ((s[2] >= 0x80 && s[2] <= 0x8a) || s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf))
		return 3; /* U+2000..U+200A, U+2028, U+2029, U+202F */
	if (s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f)
		return 3; /* U+205F */
	if (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80)
		return 3; /* U+3000 */
	return 0;
}

/* Go's strings.TrimSpace on s[0..*len): returns the start, sets *len. A
 * white-space rune is a complete valid sequence, so matching bytes at the
 * end is what utf8.DecodeLastRune would find there. */
static const char *go_trim_space(const char *s, size_t *len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = *len, k;

	while (n && (k = go_space_at(u, n))) {
		u += k;
		n -= k;
	}
	while (n) {
		for (k = 1; k <= 3 && k <= n; k++)
			if (go_space_at(u + n - k, k) == k)
				break;
		if (k > 3 || k > n)
			break;
		n -= k;
	}
	*len = n;
	return (const char *)u;
}

/* The workspace named by the data directory's "environment" file, read as
 * terraform reads it (the whole file, bytes.TrimSpace); NULL when terraform
 * would use "default" (no file, a directory, empty). *unknown is set when
 * interlock cannot know what terraform would read: a file larger than
 * MAX_ENV_FILE, not a regular file (a FIFO would block), an unreadable
 * one, or a NUL byte in the name. Never blocks. */
static char *read_env_file(const char *data_dir, bool *unknown)
{
	autofree char *path = xasprintf("%s/environment", data_dir);
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	strbuf b = {0};

	*unknown = false;
	if (fd < 0) {
		*unknown = errno != ENOENT && errno != ENOTDIR;
		return NULL;
	}
	if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > MAX_ENV_FILE) {
		close(fd);
		*unknown = true;
		return NULL;
	}
	char chunk[4096];
	ssize_t r;
	while ((r = read(fd, chunk, sizeof chunk)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || b.len + (size_t)r > MAX_ENV_FILE) {
			*unknown = true;
			break;
		}
		sb_putn(&b, chunk, (size_t)r);
	}
	close(fd);
	size_t len = b.len;
	const char *s = go_trim_space(b.s ? b.s : "", &len);
	char *ws = NULL;
	if (*unknown || memchr(s, '\0', len))
		*unknown = true;
	else if (len)
		ws = xstrndup(s, len);
	sb_free(&b);
	return ws;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* terraform.tfvars(.json) and *.auto.tfvars(.json): loaded from dir without
 * being named, in lexical order. */
static void auto_var_files(const char *dir, strvec *out)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		const char *n = de->d_name;
		if (!strcmp(n, "terraform.tfvars") || !strcmp(n, "terraform.tfvars.json") ||
		    (str_ends(n, ".auto.tfvars") && strlen(n) > 12) ||
		    (str_ends(n, ".auto.tfvars.json") && strlen(n) > 17))
			sv_push(out, n);
	}
	closedir(d);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
}

static void join_lines(strbuf *b, const strvec *sv)
{
	for (size_t i = 0; i < sv->n; i++) {
		if (b->len)
			sb_putc(b, '\n');
		sb_puts(b, sv->v[i]);
	}
}

static void set_lines(fieldset *fs, const char *name, const strvec *sv)
{
	strbuf b = {0};

	join_lines(&b, sv);
	fs_set(fs, name, b.s ? b.s : "");
	sb_free(&b);
}

/* A file or directory terraform is given, relative to dir: its environment
 * is the highest of the name as given (ldir, links not resolved) and of the
 * file it resolves to (rdir, realpath). */
static void consider_path(facts *fx, const config *cfg, name_kind kind, const char *ldir,
                          const char *rdir, const char *name)
{
	autofree char *l = logical(ldir, name);
	autofree char *r = absolute(rdir, name);

	facts_consider(fx, cfg, kind, l);
	facts_consider(fx, cfg, kind, r);
}

static void consider_file(facts *fx, const config *cfg, const char *ldir, const char *rdir,
                          const char *name)
{
	facts_consider(fx, cfg, NAME_VAR_FILE, base_name(name));
	consider_path(fx, cfg, NAME_VAR_FILE, ldir, rdir, name);
}

/* The host of a URL ("scheme://user@host:port/..."), or NULL. */
static char *url_host(const char *v)
{
	const char *p = strstr(v, "://");

	if (!p)
		return NULL;
	p += 3;
	size_t n = strcspn(p, "/?#");
	const char *at = memrchr(p, '@', n);
	if (at) {
		n -= (size_t)(at + 1 - p);
		p = at + 1;
	}
	if (n && p[0] == '[') { /* [v6]:port */
		const char *close = memchr(p, ']', n);
		return close ? xstrndup(p + 1, (size_t)(close - p - 1)) : xstrndup(p, n);
	}
	const char *colon = memchr(p, ':', n);
	return xstrndup(p, colon ? (size_t)(colon - p) : n);
}

/* One string of the plan's backend configuration: a name like any other,
 * a path for the local backend (relative ones are relative to where
 * terraform runs), a host for hostnames and URLs (an unknown remote host
 * counts as unknown_remote). */
static void consider_backend_value(facts *fx, const config *cfg, const char *type, const char *key,
                                   const char *v, const char *ldir, const char *dir)
{
	const char *last = strrchr(key, '.');
	const char *leaf = last ? last + 1 : key;

	if (!*v)
		return;
	if (!strcmp(type, "local") && (!strcmp(key, "path") || !strcmp(key, "workspace_dir")))
		consider_path(fx, cfg, NAME_PATH, ldir, dir, v);
	else
		facts_consider(fx, cfg, NAME_PATH, v);
	autofree char *host = url_host(v);
	if (host)
		facts_consider(fx, cfg, NAME_HOST, host);
	else if (!strcmp(leaf, "hostname") || !strcmp(leaf, "host"))
		facts_consider(fx, cfg, NAME_HOST, v);
}

/* -backend-config=KEY=VALUE: one value of the backend configuration init
 * records. The backend's type is not known here, so "path" and
 * "workspace_dir" count as paths whatever the type. */
static void consider_backend_kv(facts *fx, const config *cfg, const char *kv, const char *ldir,
                                const char *dir)
{
	const char *eq = strchr(kv, '=');
	autofree char *key = xstrndup(kv, (size_t)(eq - kv));

	consider_backend_value(fx, cfg, "local", key, eq + 1, ldir, dir);
}

/* A small file read whole: 1 read, 0 absent (terraform sees none either),
 * -1 when interlock cannot read what terraform would (not a regular file,
 * larger than max, an error). Never blocks on a FIFO. */
static int read_small_file(const char *path, long max, strbuf *b)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	char chunk[4096];
	ssize_t r;

	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > max) {
		close(fd);
		return -1;
	}
	while ((r = read(fd, chunk, sizeof chunk)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || b->len + (size_t)r > (size_t)max) {
			close(fd);
			return -1;
		}
		sb_putn(b, chunk, (size_t)r);
	}
	close(fd);
	return 1;
}

/* Every string of a recorded backend configuration, with its key path;
 * false when nested deeper than any backend's schema. */
static bool record_values(facts *fx, const config *cfg, const char *type, json_t *v, strbuf *key,
                          int depth, const char *ldir, const char *dir, strbuf *shown)
{
	const char *k;
	json_t *e;
	size_t i, at = key->len;
	bool ok = true;

	if (depth > 32)
		return false;
	if (json_is_string(v)) {
		const char *kk = key->s ? key->s : "";
		consider_backend_value(fx, cfg, type, kk, json_string_value(v), ldir, dir);
		sb_printf(shown, "%s%s=%s", shown->len ? "\n" : "", kk, json_string_value(v));
		return true;
	}
	json_object_foreach(v, k, e)
	{
		sb_printf(key, "%s%s", at ? "." : "", k);
		ok = ok && record_values(fx, cfg, type, e, key, depth + 1, ldir, dir, shown);
		key->len = at;
		key->s[at] = '\0';
	}
	json_array_foreach(v, i, e)
	{
		sb_printf(key, "%s%zu", at ? "." : "", i);
		ok = ok && record_values(fx, cfg, type, e, key, depth + 1, ldir, dir, shown);
		key->len = at;
		key->s[at] = '\0';
	}
	return ok;
}

/* The backend `terraform init` recorded in <data_dir>/terraform.tfstate
 * ({"backend": {"type", "config", "hash"}}): every command after init uses
 * it, whatever the *.tf files say now, so its strings count like a saved
 * plan's backend (a local path=... can be any workspace's state file). No
 * file: no backend recorded. One interlock cannot read: unknown_remote. */
static void consider_backend_record(facts *fx, const config *cfg, const char *data_dir,
                                    const char *ldir, const char *dir)
{
	autofree char *path = xasprintf("%s/terraform.tfstate", data_dir);
	strbuf b = {0}, key = {0}, shown = {0};
	int got = read_small_file(path, MAX_ENV_FILE, &b);
	json_t *root = NULL, *be = NULL, *type = NULL, *conf = NULL;
	bool ok = got >= 0;

	if (got > 0) {
		root = json_loadb(b.s ? b.s : "", b.len, JSON_REJECT_DUPLICATES, NULL);
		be = json_object_get(root, "backend");
		type = json_object_get(be, "type");
		conf = json_object_get(be, "config");
		ok = json_is_object(root) && (!be || json_is_null(be) || json_is_string(type));
		if (ok && json_is_string(type)) {
			ok = (!conf || json_is_null(conf) || json_is_object(conf)) &&
			     record_values(fx, cfg, json_string_value(type), conf, &key, 0, ldir,
			                   dir, &shown);
			fs_set(&fx->target, "backend", json_string_value(type));
			fs_set(&fx->target, "backend_config", shown.s ? shown.s : "");
		}
	}
	if (!ok) {
		fs_set(&fx->target, "backend", "unknown");
		sv_push_steal(&fx->notes, xasprintf("the backend recorded in %s cannot be read: "
		                                    "counted as %s",
		                                    path, cfg->unknown_remote));
		facts_adopt_env(fx, cfg, cfg->unknown_remote);
	}
	json_decref(root);
	sb_free(&b);
	sb_free(&key);
	sb_free(&shown);
}

/* ---- backend blocks in *.tf files: a small HCL scanner ----------------- */

typedef struct {
	const char *p, *end;
} hcl;

static void hcl_skip_string(hcl *h);

/* Skips a template interpolation "${ ... }" (h->p after the "{"), whose
 * expression may hold strings of its own. */
static void hcl_skip_interp(hcl *h)
{
	int depth = 1;

	while (h->p < h->end && depth) {
		char c = *h->p++;
		if (c == '"')
			hcl_skip_string(h);
		else if (c == '{')
			depth++;
		else if (c == '}')
			depth--;
	}
}

/* A quoted string's end (h->p after the opening quote). */
static void hcl_skip_string(hcl *h)
{
	while (h->p < h->end && *h->p != '"' && *h->p != '\n') {
		if (*h->p == '\\' && h->p + 1 < h->end) {
			h->p += 2;
		} else if ((*h->p == '$' || *h->p == '%') && h->p + 1 < h->end && h->p[1] == '{') {
			h->p += 2;
			hcl_skip_interp(h);
		} else {
			h->p++;
		}
	}
	if (h->p < h->end)
		h->p++;
}

/* Skips a heredoc (h->p after "<<"): up to the line that is its marker. */
static void hcl_skip_heredoc(hcl *h)
{
	if (h->p < h->end && *h->p == '-')
		h->p++;
	const char *m = h->p;
	while (h->p < h->end && (isalnum((unsigned char)*h->p) || *h->p == '_'))
		h->p++;
	size_t mlen = (size_t)(h->p - m);
	while (mlen && h->p < h->end) {
		const char *nl = memchr(h->p, '\n', (size_t)(h->end - h->p));
		if (!nl)
			break;
		const char *line = nl + 1;
		while (line < h->end && (*line == ' ' || *line == '\t'))
			line++;
		h->p = line;
		if ((size_t)(h->end - line) >= mlen && !memcmp(line, m, mlen) &&
		    (line + mlen == h->end || !isalnum((unsigned char)line[mlen])))
			return;
	}
	h->p = h->end;
}

typedef enum { HT_END, HT_IDENT, HT_STRING, HT_OTHER } hcl_tok;

/* The next token; for identifiers and strings *s and *n give its text (a
 * string without its quotes, escapes as written). */
static hcl_tok hcl_next(hcl *h, const char **s, size_t *n, char *c)
{
	for (;;) {
		while (h->p < h->end && isspace((unsigned char)*h->p))
			h->p++;
		if (h->p >= h->end)
			return HT_END;
		if (*h->p == '#' || (*h->p == '/' && h->p + 1 < h->end && h->p[1] == '/')) {
			const char *nl = memchr(h->p, '\n', (size_t)(h->end - h->p));
			h->p = nl ? nl : h->end;
		} else if (*h->p == '/' && h->p + 1 < h->end && h->p[1] == '*') {
			const char *e = memmem(h->p + 2, (size_t)(h->end - h->p - 2), "*/", 2);
			h->p = e ? e + 2 : h->end;
		} else {
			break;
		}
	}
	*s = h->p;
	*c = *h->p;
	if (*h->p == '"') {
		h->p++;
		*s = h->p;
		hcl_skip_string(h);
		*n = (size_t)(h->p - *s) - (h->p[-1] == '"');
		return HT_STRING;
	}
	if (isalpha((unsigned char)*h->p) || *h->p == '_') {
		while (h->p < h->end &&
		       (isalnum((unsigned char)*h->p) || *h->p == '_' || *h->p == '-'))
			h->p++;
		*n = (size_t)(h->p - *s);
		return HT_IDENT;
	}
	if (*h->p == '<' && h->p + 1 < h->end && h->p[1] == '<') {
		h->p += 2;
		hcl_skip_heredoc(h);
		return HT_OTHER;
	}
	h->p++;
	return HT_OTHER;
}

typedef struct {
	hcl_tok t;
	const char *s;
	size_t n;
} hcl_seen;

/* The backend type when the two tokens before a "{" open `backend "TYPE"`
 * or `cloud` (owned), else NULL. */
static char *block_type(const hcl_seen prev[2])
{
	if (prev[0].t == HT_IDENT && prev[0].n == 5 && !memcmp(prev[0].s, "cloud", 5))
		return xstrdup("cloud");
	if (prev[0].t == HT_STRING && prev[1].t == HT_IDENT && prev[1].n == 7 &&
	    !memcmp(prev[1].s, "backend", 7))
		return xstrndup(prev[0].s, prev[0].n);
	return NULL;
}

/* The strings inside `backend "TYPE" { ... }` and `cloud { ... }` blocks of
 * one file (a KEY = "VALUE" has its key): what `terraform init` will
 * record. Every other block is passed over. With body_type, the whole
 * file is a backend body (a -backend-config file) of that type. */
static void scan_backend_blocks(facts *fx, const config *cfg, const char *text, size_t len,
                                const char *body_type, const char *ldir, const char *dir)
{
	hcl h = {text, text + len};
	hcl_seen prev[2] = {{HT_OTHER, "", 0}, {HT_OTHER, "", 0}}; /* the two tokens before */
	const char *s = NULL;
	size_t n = 0;
	char c = 0;
	int depth = 0, inside = body_type ? 0 : -1; /* the depth of the backend's body */
	hcl_tok t;
	autofree char *key = NULL;
	autofree char *type = body_type ? xstrdup(body_type) : NULL;
	bool eq = false;

	while ((t = hcl_next(&h, &s, &n, &c)) != HT_END) {
		if (t == HT_OTHER && c == '{') {
			depth++;
			if (inside < 0 && (type = block_type(prev)))
				inside = depth;
		} else if (t == HT_OTHER && c == '}' && depth > 0) {
			if (depth-- == inside) {
				inside = -1;
				free(steal_pointer(&type));
			}
		} else if (inside >= 0 && t == HT_STRING) {
			autofree char *v = xstrndup(s, n);
			consider_backend_value(fx, cfg, type, eq && key ? key : "", v, ldir, dir);
		} else if (inside >= 0 && t == HT_IDENT) {
			free(key);
			key = xstrndup(s, n);
		}
		eq = inside >= 0 && t == HT_OTHER && c == '=';
		prev[1] = prev[0];
		prev[0].t = t;
		prev[0].s = s;
		prev[0].n = n;
	}
}

/* A -backend-config file: its name, and the values it sets (an HCL body of
 * KEY = "VALUE", relative to dir), which init records as the backend's. */
static void consider_backend_file(facts *fx, const config *cfg, const char *ldir, const char *dir,
                                  const char *name)
{
	autofree char *path = absolute(dir, name);
	strbuf b = {0};

	consider_file(fx, cfg, ldir, dir, name);
	if (read_small_file(path, MAX_ENV_FILE, &b) > 0 && b.s)
		scan_backend_blocks(fx, cfg, b.s, b.len, "local", ldir, dir);
	sb_free(&b);
}

/* Backend and cloud blocks in dir's *.tf files count towards the
 * environment before init has recorded them: `terraform init` with a
 * local state and a new backend copies that state where the block says. */
static void consider_backend_blocks(facts *fx, const config *cfg, const char *ldir, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!str_ends(de->d_name, ".tf"))
			continue;
		autofree char *path = xasprintf("%s/%s", dir, de->d_name);
		strbuf b = {0};
		if (read_small_file(path, MAX_ENV_FILE, &b) > 0 && b.s)
			scan_backend_blocks(fx, cfg, b.s, b.len, NULL, ldir, dir);
		sb_free(&b);
	}
	closedir(d);
}

/* The workspace and where it comes from (owned); *unknown when the
 * environment file cannot be read as terraform reads it. */
static char *current_workspace(const invocation *inv, const char *data_dir, const char **source,
                               bool *unknown)
{
	const char *tw = inv_getenv(inv, "TF_WORKSPACE");
	char *ws;

	*unknown = false;
	if (tw && *tw) {
		*source = "TF_WORKSPACE";
		return xstrdup(tw);
	}
	if ((ws = read_env_file(data_dir, unknown))) {
		*source = "environment file";
		return ws;
	}
	if (*unknown) {
		*source = "environment file (unreadable)";
		return xstrdup("unknown");
	}
	*source = "default";
	return xstrdup("default");
}

/* Sets the target's fields and considers every name; returns the workspace
 * (owned). */
static char *set_target(const invocation *inv, facts *fx, const tf_opts *o, char **dir_out,
                        char **ldir_out)
{
	const config *cfg = inv->cfg;
	autofree char *lcwd = logical_cwd(inv);
	const char *cd = o->chdir ? o->chdir : ".";
	char *dir = absolute(inv->cwd, cd);
	char *ldir = logical(lcwd, cd);
	const char *dd = inv_getenv(inv, "TF_DATA_DIR");
	const char *dd_name = dd && *dd ? dd : ".terraform";
	autofree char *data_dir = absolute(dir, dd_name);
	const char *source;
	bool ws_unknown;
	char *ws = current_workspace(inv, data_dir, &source, &ws_unknown);

	const char *canon = o->cmd ? o->cmd->canon : "";
	if ((!strcmp(canon, "workspace delete") || !strcmp(canon, "workspace new") ||
	     !strcmp(canon, "workspace select")) &&
	    o->pos.n) {
		fs_set(&fx->target, "current_workspace", ws);
		free(ws);
		ws = xstrdup(o->pos.v[0]);
		source = "argument";
	}
	fs_set(&fx->target, "workspace", ws);
	fs_set(&fx->target, "workspace_source", source);
	fs_set(&fx->target, "dir", dir);
	if (strcmp(ldir, dir) != 0)
		fs_set(&fx->target, "dir_as_given", ldir);
	fs_set(&fx->target, "data_dir", data_dir);
	if (o->chdir)
		fs_set(&fx->target, "chdir", o->chdir);
	set_lines(&fx->target, "var_files", &o->var_files);
	strvec autos = {0};
	auto_var_files(dir, &autos);
	set_lines(&fx->target, "auto_var_files", &autos);

	facts_consider(fx, cfg, NAME_WORKSPACE, ws);
	if (ws_unknown) {
		/* terraform may read any workspace there: unknown means dangerous */
		sv_push_steal(&fx->notes,
		              xasprintf("the workspace in %s/environment cannot be read as "
		                        "terraform reads it: counted as %s",
		                        data_dir, cfg->unknown_remote));
		facts_adopt_env(fx, cfg, cfg->unknown_remote);
	}
	for (size_t i = 0; i < o->var_files.n; i++)
		consider_file(fx, cfg, ldir, dir, o->var_files.v[i]);
	for (size_t i = 0; i < autos.n; i++)
		consider_file(fx, cfg, ldir, dir, autos.v[i]);
	for (size_t i = 0; i < o->backend_files.n; i++)
		consider_backend_file(fx, cfg, ldir, dir, o->backend_files.v[i]);
	facts_consider(fx, cfg, NAME_PATH, ldir);
	facts_consider(fx, cfg, NAME_PATH, dir);
	consider_path(fx, cfg, NAME_PATH, ldir, dir, dd_name);
	if (o->state_path)
		consider_path(fx, cfg, NAME_PATH, ldir, dir, o->state_path);
	for (size_t i = 0; i < o->state_outs.n; i++)
		consider_path(fx, cfg, NAME_PATH, ldir, dir, o->state_outs.v[i]);
	for (size_t i = 0; i < o->backend_kv.n; i++)
		consider_backend_kv(fx, cfg, o->backend_kv.v[i], ldir, dir);
	consider_backend_record(fx, cfg, data_dir, ldir, dir);
	consider_backend_blocks(fx, cfg, ldir, dir);
	sv_clear(&autos);
	*dir_out = dir;
	*ldir_out = ldir;
	return ws;
}

/* ---- running the real terraform ----------------------------------------- */

/* The invocation's environment without TF_CLI_ARGS*: interlock passes every
 * argument its children need explicitly. */
static void child_env(const invocation *inv, strvec *out)
{
	for (char *const *e = inv->envp; e && *e; e++)
		if (!str_starts(*e, "TF_CLI_ARGS=") && !str_starts(*e, "TF_CLI_ARGS_"))
			sv_push(out, *e);
	if (!out->v) { /* execve needs a list, even an empty one */
		out->cap = 2;
		out->v = xcalloc(out->cap, sizeof(*out->v));
	}
}

typedef struct {
	struct sigaction intr, quit;
} saved_signals;

/* Like system(3): while terraform runs in the foreground, Ctrl-C is for
 * terraform (which releases its lock); interlock only waits. */
static void ignore_interrupts(saved_signals *s)
{
	struct sigaction ign = {.sa_handler = SIG_IGN};

	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &s->intr);
	sigaction(SIGQUIT, &ign, &s->quit);
}

static void restore_interrupts(const saved_signals *s)
{
	sigaction(SIGINT, &s->intr, NULL);
	sigaction(SIGQUIT, &s->quit, NULL);
}

/* Starts path with stdin from /dev/null, stdout on out_fd, stderr on
 * err_fd; the child gets the signal dispositions interlock started with. */
static pid_t start_child(const char *path, char *const argv[], char *const envp[], int out_fd,
                         int err_fd, const saved_signals *sig)
{
	int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	pid_t pid;

	if (null_fd < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		restore_interrupts(sig);
		if (dup2(null_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
			_exit(127);
		execve(path, argv, envp);
		_exit(127);
	}
	close(null_fd);
	return pid;
}

static int wait_child(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return st;
}

static char *describe_status(const char *what, int st)
{
	if (st < 0)
		return xasprintf("%s could not be started or waited for", what);
	if (WIFSIGNALED(st))
		return xasprintf("%s was killed by signal %d", what, WTERMSIG(st));
	return xasprintf("%s exited %d", what, WEXITSTATUS(st));
}

/* The leading arguments every child gets: the tool's name and -chdir. */
static void child_argv_start(const invocation *inv, const tf_opts *o, strvec *argv)
{
	sv_push(argv, inv->argv[0]);
	if (o->chdir)
		sv_push_steal(argv, xasprintf("-chdir=%s", o->chdir));
}

/* ---- reading a plan ------------------------------------------------------ */

typedef struct {
	const char *state; /* given, generated, none, unknown, unreadable, failed */
	char *error;       /* owned: why it is not known */
	char *file;        /* owned: the plan file (as the facts show it) */
	bool counted;
	long deletes, replaces, creates, updates, forgets;
	strvec del_addrs, del_types, repl_addrs;
	strvec forget_addrs; /* removed from state only: the resources keep running */
	strvec var_values;   /* the string values of the plan's variables */
	int fd;              /* the open plan, -1 when none */
	bool backend_ok;     /* a given plan: backend read from the file */
	tfplan_backend backend;
	char backend_error[256];
} plan_info;

static void plan_info_free(plan_info *p)
{
	free(p->error);
	free(p->file);
	sv_clear(&p->del_addrs);
	sv_clear(&p->del_types);
	sv_clear(&p->repl_addrs);
	sv_clear(&p->forget_addrs);
	sv_clear(&p->var_values);
	tfplan_backend_free(&p->backend);
}

PRINTF(2, 3) static bool plan_fail(plan_info *p, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		diex(78, "out of memory");
	va_end(ap);
	free(p->error);
	p->error = s;
	return false;
}

/* Every string in v (the plan's "variables": {"name": {"value": ...}}). */
static void collect_strings(json_t *v, int depth, strvec *out)
{
	const char *k;
	json_t *e;
	size_t i;

	if (depth > 64)
		return;
	if (json_is_string(v))
		sv_push(out, json_string_value(v));
	else if (json_is_object(v))
		json_object_foreach(v, k, e) collect_strings(e, depth + 1, out);
	else if (json_is_array(v))
		json_array_foreach(v, i, e) collect_strings(e, depth + 1, out);
}

/* Counts the resource changes of `terraform show -json` output. Anything
 * not shaped like a plan is a failure, never an empty plan. */
static bool count_changes(json_t *root, plan_info *p)
{
	size_t i, k;
	json_t *rc, *a;

	if (!json_is_object(root) || !json_is_string(json_object_get(root, "format_version")))
		return plan_fail(p, "not terraform's JSON output (no format_version)");
	if (!json_is_object(json_object_get(root, "planned_values")))
		return plan_fail(p, "a state, not a plan (no planned_values)");
	if (json_is_true(json_object_get(root, "errored")))
		return plan_fail(p, "terraform recorded errors in this plan and will not apply it");
	collect_strings(json_object_get(root, "variables"), 0, &p->var_values);
	json_t *rcs = json_object_get(root, "resource_changes");
	if (rcs && !json_is_array(rcs))
		return plan_fail(p, "resource_changes is not a list");
	json_array_foreach(rcs, i, rc)
	{
		json_t *addr = json_object_get(rc, "address");
		json_t *type = json_object_get(rc, "type");
		json_t *deposed = json_object_get(rc, "deposed");
		json_t *change = json_object_get(rc, "change");
		json_t *actions =
		    json_is_object(change) ? json_object_get(change, "actions") : NULL;
		bool del = false, create = false, update = false, forget = false;

		if (!json_is_string(addr) || !json_is_array(actions))
			return plan_fail(p, "resource change %zu has no address or actions", i);
		json_array_foreach(actions, k, a)
		{
			const char *s = json_string_value(a);
			if (!s)
				return plan_fail(p, "an action of %s is not a string",
				                 json_string_value(addr));
			if (!strcmp(s, "delete"))
				del = true;
			else if (!strcmp(s, "create"))
				create = true;
			else if (!strcmp(s, "update"))
				update = true;
			else if (!strcmp(s, "forget"))
				forget = true;
			else if (strcmp(s, "no-op") != 0 && strcmp(s, "read") != 0)
				return plan_fail(p, "unknown action '%s' on %s", s,
				                 json_string_value(addr));
		}
		if (del) {
			p->deletes++;
			char *shown =
			    json_is_string(deposed)
			        ? xasprintf("%s (deposed object %s)", json_string_value(addr),
			                    json_string_value(deposed))
			        : xstrdup(json_string_value(addr));
			if (create) {
				p->replaces++;
				sv_push(&p->repl_addrs, shown);
			}
			sv_push_steal(&p->del_addrs, shown);
			sv_push(&p->del_types,
			        json_is_string(type) ? json_string_value(type) : "?");
		} else if (create) {
			p->creates++;
		} else if (update) {
			p->updates++;
		}
		if (forget) {
			p->forgets++;
			sv_push(&p->forget_addrs, json_string_value(addr));
		}
	}
	p->counted = true;
	return true;
}

/* `terraform show -json /dev/fd/N`: read-only. stderr is dropped, the exit
 * status and the JSON's shape decide. */
static bool show_plan(const invocation *inv, const tf_opts *o, plan_info *p)
{
	strvec argv = {0}, env = {0};
	strbuf out = {0};
	saved_signals sig;
	int pipefd[2];
	bool ok = false;

	if (!inv->real_tool)
		return plan_fail(p, "no real terraform was found to read it with");
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (devnull < 0 || pipe2(pipefd, O_CLOEXEC) != 0) {
		if (devnull >= 0)
			close(devnull);
		return plan_fail(p, "cannot run terraform show: %s", strerror(errno));
	}
	child_argv_start(inv, o, &argv);
	sv_push(&argv, "show");
	sv_push(&argv, "-json");
	sv_push(&argv, "-no-color");
	sv_push_steal(&argv, xasprintf("/dev/fd/%d", p->fd));
	child_env(inv, &env);
	ignore_interrupts(&sig);
	pid_t pid = start_child(inv->real_tool, argv.v, env.v, pipefd[1], devnull, &sig);
	close(pipefd[1]);
	close(devnull);
	bool too_big = false;
	if (pid > 0) {
		char chunk[65536];
		ssize_t r;
		while ((r = read(pipefd[0], chunk, sizeof chunk)) != 0) {
			if (r < 0) {
				if (errno == EINTR)
					continue;
				break;
			}
			if (out.len + (size_t)r > (size_t)MAX_SHOW_OUTPUT) {
				too_big = true;
				kill(pid, SIGTERM);
				break;
			}
			sb_putn(&out, chunk, (size_t)r);
		}
	}
	close(pipefd[0]);
	int st = pid > 0 ? wait_child(pid) : -1;
	restore_interrupts(&sig);
	if (too_big) {
		plan_fail(p, "terraform show -json wrote more than %ld MiB", MAX_SHOW_OUTPUT >> 20);
	} else if (st < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		autofree char *why = describe_status("terraform show -json", st);
		plan_fail(p, "%s", why);
	} else {
		json_error_t je;
		json_t *root = json_loadb(out.s ? out.s : "", out.len, JSON_REJECT_DUPLICATES, &je);
		if (!root) {
			plan_fail(
			    p, "terraform show -json wrote no valid JSON (line %d, column %d: %s)",
			    je.line, je.column, je.text);
		} else {
			ok = count_changes(root, p);
			json_decref(root);
		}
	}
	sb_free(&out);
	sv_clear(&argv);
	sv_clear(&env);
	return ok;
}

/* An open descriptor of 3 or more without close-on-exec: it must survive
 * the exec, and must not become the tool's stdin, stdout or stderr. */
static int keep_fd(int fd)
{
	if (fd >= 0 && fd < 3) {
		int high = fcntl(fd, F_DUPFD, 3);
		close(fd);
		fd = high;
	}
	return fd;
}

/* Opens the plan file given to apply (relative to dir) and reads it. */
static void read_given_plan(const invocation *inv, const tf_opts *o, const char *dir, plan_info *p)
{
	autofree char *path = absolute(dir, o->pos.v[0]);
	struct stat st;

	p->state = "given";
	p->file = xstrdup(path);
	int fd = open(path, O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		p->state = "unreadable";
		plan_fail(p, "%s", strerror(errno));
		return;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		p->state = "unreadable";
		plan_fail(p, "not a regular file");
		return;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	p->fd = keep_fd(fd);
	p->backend_ok =
	    tfplan_read_backend(p->fd, &p->backend, p->backend_error, sizeof p->backend_error);
	if (!show_plan(inv, o, p))
		p->state = "unreadable";
}

/* Removes what terraform may have left in the private directory. */
static void remove_private_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d) {
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
	}
	rmdir(dir);
}

/* The plan gate: terraform plan -out=PRIVATE, the plan opened and removed
 * from disk, then read. */
static void make_plan(const invocation *inv, const tf_opts *o, const char *env_name, const char *ws,
                      plan_info *p)
{
	const char *tmp = getenv("TMPDIR");
	autofree char *dir = xasprintf("%s/interlock-plan.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	strvec argv = {0}, env = {0};
	saved_signals sig;

	p->state = "failed";
	p->file = xstrdup("(made by interlock)");
	if (!mkdtemp(dir)) {
		plan_fail(p, "cannot create a private directory for the plan: %s", strerror(errno));
		return;
	}
	autofree char *plan = xasprintf("%s/plan", dir);
	child_argv_start(inv, o, &argv);
	sv_push(&argv, "plan");
	sv_push_steal(&argv, xasprintf("-out=%s", plan));
	for (size_t i = 0; i < o->plan_flags.n; i++)
		sv_push(&argv, o->plan_flags.v[i]);
	if (o->cmd->cls == C_DESTROY)
		sv_push(&argv, "-destroy"); /* destroy is a destroy, whatever -destroy says */
	if (o->no_color)
		sv_push(&argv, "-no-color");
	sv_push(&argv, "-input=false");
	child_env(inv, &env);
	autofree char *shown = quote_cmdline((int)argv.n, argv.v);
	fprintf(stderr,
	        "interlock: %s workspace %s: making the plan to show before anything is applied "
	        "(nothing is changed by this step):\n  %s\n",
	        env_name, ws, shown);
	fflush(stderr);
	ignore_interrupts(&sig);
	pid_t pid = start_child(inv->real_tool, argv.v, env.v, STDERR_FILENO, STDERR_FILENO, &sig);
	int st = pid > 0 ? wait_child(pid) : -1;
	restore_interrupts(&sig);
	sv_clear(&argv);
	sv_clear(&env);
	if (st < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		char *why = describe_status("terraform plan", st);
		plan_fail(p, "%s", why);
		free(why);
		remove_private_dir(dir);
		return;
	}
	int fd = open(plan, O_RDONLY);
	int open_errno = errno;
	remove_private_dir(dir);
	if (fd < 0) {
		plan_fail(p, "terraform plan wrote no plan file: %s", strerror(open_errno));
		return;
	}
	p->fd = keep_fd(fd);
	if (show_plan(inv, o, p))
		p->state = "generated";
	else
		p->state = "failed";
}

/* ---- facts ------------------------------------------------------------- */

static const char *yn(bool b)
{
	return b ? "yes" : "no";
}

/* The gate asks on /dev/tty; without one there is nobody to show a plan. */
static bool have_terminal(void)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static bool production_ranked(const facts *fx, const config *cfg)
{
	const environment *prod = config_env(cfg, "production");

	if (!prod)
		prod = config_env(cfg, cfg->unknown_remote);
	return prod && fx->env_rank >= prod->rank;
}

static void put_plan_notes(facts *fx, const plan_info *p, const char *dir, const char *ws)
{
	sv_push_steal(&fx->notes,
	              xasprintf("plan %s, workspace %s in %s: %ld to delete (%ld of them "
	                        "replaced), %ld to create, %ld to update%s",
	                        !strcmp(p->state, "generated") ? "made by interlock" : p->file, ws,
	                        dir, p->deletes, p->replaces, p->creates, p->updates,
	                        p->forgets ? ", some forgotten (removed from state only)" : ""));
	for (size_t i = 0; i < p->del_addrs.n && i < MAX_LISTED_NOTES; i++)
		sv_push_steal(&fx->notes,
		              xasprintf("  %s %s (%s)",
		                        sv_contains(&p->repl_addrs, p->del_addrs.v[i]) ? "replace"
		                                                                       : "delete ",
		                        p->del_addrs.v[i], p->del_types.v[i]));
	if (p->del_addrs.n > MAX_LISTED_NOTES)
		sv_push_steal(&fx->notes,
		              xasprintf("  ... and %zu more", p->del_addrs.n - MAX_LISTED_NOTES));
	for (size_t i = 0; i < p->forget_addrs.n && i < MAX_LISTED_NOTES; i++)
		sv_push_steal(&fx->notes,
		              xasprintf("  forget %s (removed from state, left running)",
		                        p->forget_addrs.v[i]));
	if (p->forget_addrs.n > MAX_LISTED_NOTES)
		sv_push_steal(&fx->notes, xasprintf("  ... and %zu more forgotten",
		                                    p->forget_addrs.n - MAX_LISTED_NOTES));
}

static void put_plan_fields(operation *op, const plan_info *p)
{
	fs_set(&op->f, "plan", p->state);
	if (p->file)
		fs_set(&op->f, "plan_file", p->file);
	fs_set(&op->f, "plan_error", p->error ? p->error : "");
	if (!p->counted) {
		static const char *const counts[] = {"deletes", "replaces", "creates", "updates",
		                                     "forgets"};
		for (size_t i = 0; i < sizeof counts / sizeof *counts; i++)
			fs_set(&op->f, counts[i], "unknown");
		fs_set(&op->f, "summary", "what it changes is not known");
		return;
	}
	fs_setf(&op->f, "deletes", "%ld", p->deletes);
	fs_setf(&op->f, "replaces", "%ld", p->replaces);
	fs_setf(&op->f, "creates", "%ld", p->creates);
	fs_setf(&op->f, "updates", "%ld", p->updates);
	fs_setf(&op->f, "forgets", "%ld", p->forgets);
	set_lines(&op->f, "delete_addresses", &p->del_addrs);
	set_lines(&op->f, "delete_types", &p->del_types);
	set_lines(&op->f, "replace_addresses", &p->repl_addrs);
	set_lines(&op->f, "forget_addresses", &p->forget_addrs);
	fs_setf(&op->f, "summary",
	        "%ld to delete (%ld replaced), %ld to create, %ld to update, %ld to forget",
	        p->deletes, p->replaces, p->creates, p->updates, p->forgets);
}

/* The sentence terraform.plan-forgets shows ({forget_text}): forgetting
 * rewrites the state, the resources keep running unmanaged. */
static char *forget_text(const facts *fx, const plan_info *p, const char *ws)
{
	const char *env = fx->environment ? fx->environment : "unknown";

	if (!p->counted)
		return xasprintf("what the plan file %s removes from the state of %s workspace %s "
		                 "is not known (%s)",
		                 p->file ? p->file : "", env, ws,
		                 p->error ? p->error : "unreadable");
	return xasprintf("the plan file %s removes %ld resource(s) from the state of %s workspace "
	                 "%s without destroying them (removed blocks with destroy = false): they "
	                 "keep running, no longer managed by terraform; listed below",
	                 p->file, p->forgets, env, ws);
}

/* The sentence the rules show about the plan ({plan_text}). */
static char *plan_text(const facts *fx, const tf_opts *o, const plan_info *p, const char *ws)
{
	const char *env = fx->environment ? fx->environment : "unknown";

	if (!strcmp(p->state, "generated")) {
		autofree char *forgets =
		    p->forgets
		        ? xasprintf(", %ld to forget: removed from state, left running", p->forgets)
		        : xstrdup("");
		return xasprintf(
		    "interlock made the plan listed below for %s workspace %s (%ld to "
		    "delete, %ld of them replaced, %ld to create, %ld to update%s); typing "
		    "the workspace name applies exactly this plan and nothing else",
		    env, ws, p->deletes, p->replaces, p->creates, p->updates, forgets);
	}
	if (!strcmp(p->state, "unknown"))
		return xasprintf(
		    "in %s every terraform %s goes through interlock's plan gate: "
		    "interlock makes the plan, lists what it deletes and applies exactly "
		    "that plan once the workspace name is typed (not here: %s)",
		    env, o->cmd->canon, p->error);
	if (!strcmp(p->state, "unreadable"))
		return xasprintf("the plan file %s cannot be read (%s): interlock cannot tell what "
		                 "applying it deletes, and unknown means dangerous",
		                 p->file, p->error);
	if (p->counted && p->deletes)
		return xasprintf("the plan file %s deletes %ld resource(s) of %s workspace %s (%ld "
		                 "of them replaced): listed below",
		                 p->file, p->deletes, env, ws, p->replaces);
	if (p->counted)
		return xasprintf("the plan file %s deletes nothing", p->file);
	return xstrdup(p->error ? p->error : "");
}

/* go-shellwords reads 'word' literally; a ' inside is ended, escaped and
 * reopened. */
static void sh_quote(strbuf *b, const char *word)
{
	sb_putc(b, '\'');
	for (const char *p = word; *p; p++) {
		if (*p == '\'')
			sb_puts(b, "'\\''");
		else
			sb_putc(b, *p);
	}
	sb_putc(b, '\'');
}

/* A plan file named in TF_CLI_ARGS or TF_CLI_ARGS_apply: the variable that
 * terraform will read is rewritten, every word quoted, the plan's word
 * replaced by the descriptor that was read, so the plan shown is the plan
 * applied (as for a plan file in argv). */
static void pin_injected_plan(const invocation *inv, const tf_opts *o, int fd)
{
	const char *name = from_name(o, o->pos0_from);
	const char *v = inv_getenv(inv, name);
	strvec words = {0};
	strbuf b = {0};

	if (!v || !shell_words(v, &words) || (size_t)o->pos0_env_i >= words.n)
		diex(78, "%s changed during the analysis", name); /* cannot happen */
	for (size_t i = 0; i < words.n; i++) {
		autofree char *fdpath = xasprintf("/dev/fd/%d", fd);
		if (i)
			sb_putc(&b, ' ');
		sh_quote(&b, i == (size_t)o->pos0_env_i ? fdpath : words.v[i]);
	}
	if (setenv(name, b.s, 1) != 0)
		diex(78, "cannot set %s", name);
	sb_free(&b);
	sv_clear(&words);
}

/* `terraform apply PLANFILE` uses the backend (type, configuration,
 * workspace) and the variable values recorded in the plan, not those of
 * the directory it runs in: they, and the plan file's own name, count
 * towards the environment. A plan whose backend cannot be read targets an
 * unknown place: unknown_remote, never the harmless default. */
static void consider_saved_plan(const invocation *inv, facts *fx, operation *op, const tf_opts *o,
                                const char *ldir, const char *dir, const plan_info *p)
{
	const config *cfg = inv->cfg;
	const tfplan_backend *b = &p->backend;

	consider_path(fx, cfg, NAME_PATH, ldir, dir, o->pos.v[0]);
	for (size_t i = 0; i < p->var_values.n; i++)
		facts_consider(fx, cfg, NAME_PATH, p->var_values.v[i]);
	if (!p->backend_ok) {
		const char *why = p->backend_error[0] ? p->backend_error
		                  : p->error          ? p->error
		                                      : "the plan file cannot be read";
		fs_set(&op->f, "plan_backend", "unknown");
		fs_set(&op->f, "plan_backend_error", why);
		sv_push_steal(&fx->notes,
		              xasprintf("the backend the plan applies to cannot be read (%s): "
		                        "counted as %s",
		                        why, cfg->unknown_remote));
		facts_adopt_env(fx, cfg, cfg->unknown_remote);
		return;
	}
	strbuf conf = {0};
	for (size_t i = 0; i < b->keys.n; i++) {
		sb_printf(&conf, "%s%s=%s", i ? "\n" : "", b->keys.v[i], b->values.v[i]);
		consider_backend_value(fx, cfg, b->type, b->keys.v[i], b->values.v[i], ldir, dir);
	}
	fs_set(&op->f, "plan_backend", b->type);
	fs_set(&op->f, "plan_backend_config", conf.s ? conf.s : "");
	fs_set(&op->f, "plan_workspace", b->workspace);
	sb_free(&conf);
	if (*b->workspace)
		facts_consider(fx, cfg, NAME_WORKSPACE, b->workspace);
}

/* apply and destroy: the plan that will be applied, as far as it can be
 * known here, and in run mode what runs instead of the argv typed. false
 * (the reason in err) when interlock's own plan could not be made or read:
 * the caller blocks, nothing is applied. */
static bool handle_plan(const invocation *inv, facts *fx, operation *op, const tf_opts *o,
                        const char *ldir, const char *dir, const char *ws, char *err, size_t errlen)
{
	plan_info p = {.fd = -1};
	bool gate = production_ranked(fx, inv->cfg);

	if (o->cmd->cls == C_APPLY && o->pos.n == 1) {
		read_given_plan(inv, o, dir, &p);
		consider_saved_plan(inv, fx, op, o, ldir, dir, &p);
		if (!inv->dry && p.fd >= 0 && o->pos0_argv_i > 0) {
			/* the plan that was read is the plan that runs */
			for (int i = 0; i < inv->argc; i++)
				sv_push_steal(&fx->exec_argv, i == o->pos0_argv_i
				                                  ? xasprintf("/dev/fd/%d", p.fd)
				                                  : xstrdup(inv->argv[i]));
		} else if (!inv->dry && p.fd >= 0 && o->pos0_env_i >= 0) {
			pin_injected_plan(inv, o, p.fd);
		}
	} else if (o->auto_approve) {
		p.state = "none";
		plan_fail(&p, "-auto-approve: terraform applies without showing a plan");
	} else if (!gate) {
		p.state = "none";
		plan_fail(&p, "terraform shows its own plan and asks before applying");
	} else if (o->json || o->unknown.n) {
		p.state = "none";
		plan_fail(&p, "interlock makes no plan for a command it does not fully understand");
	} else if (inv->dry) {
		p.state = "unknown";
		plan_fail(&p, "interlock check makes no plan, as terraform plan takes the state "
		              "lock and refreshes");
	} else if (!inv->real_tool) {
		p.state = "unknown";
		plan_fail(&p, "no real terraform was found to make the plan with");
	} else if (agent_mode(inv->cfg, inv->envp)) {
		p.state = "unknown";
		plan_fail(&p, "no plan is made in agent mode, where it could not be confirmed");
	} else if (!have_terminal()) {
		p.state = "unknown";
		plan_fail(&p, "no plan is made without a terminal to confirm it on");
	} else {
		make_plan(inv, o, fx->environment ? fx->environment : "unknown", ws, &p);
		if (!strcmp(p.state, "generated")) {
			child_argv_start(inv, o, &fx->exec_argv);
			sv_push(&fx->exec_argv, "apply");
			for (size_t i = 0; i < o->apply_flags.n; i++)
				sv_push(&fx->exec_argv, o->apply_flags.v[i]);
			if (o->no_color)
				sv_push(&fx->exec_argv, "-no-color");
			sv_push_steal(&fx->exec_argv, xasprintf("/dev/fd/%d", p.fd));
			/* already in the plan; beside a saved plan a -var is refused */
			unsetenv("TF_CLI_ARGS");
			unsetenv("TF_CLI_ARGS_apply");
		}
	}
	put_plan_fields(op, &p);
	/* interlock's plan gate applies a saved plan: terraform asks nothing */
	if (!strcmp(p.state, "generated") || !strcmp(p.state, "unknown"))
		fs_set(&op->f, "prompt_from", "none");
	autofree char *text = plan_text(fx, o, &p, ws);
	fs_set(&op->f, "plan_text", text);
	if (p.file && strcmp(p.state, "generated") != 0) {
		autofree char *ftext = forget_text(fx, &p, ws);
		fs_set(&op->f, "forget_text", ftext);
	}
	if (p.counted)
		put_plan_notes(fx, &p, dir, ws);
	else if (!strcmp(p.state, "unreadable"))
		sv_push_steal(&fx->notes, xasprintf("plan %s: %s", p.state, p.error));
	bool ok = strcmp(p.state, "failed") != 0;
	if (!ok)
		snprintf(err, errlen,
		         "it could not make the plan to show (%s), so nothing was applied; run "
		         "terraform plan to see why",
		         p.error);
	/* in dry mode nothing will be exec'd: the descriptor is not needed */
	if (inv->dry && p.fd >= 0)
		close(p.fd);
	plan_info_free(&p);
	return ok;
}

/* Whether terraform itself will ask "Enter a value:" on stdin before
 * changing anything: apply and destroy without -auto-approve (even with
 * -input=false), state replace-provider without -auto-approve,
 * force-unlock without -force, and init when it may copy state into a new
 * backend (-migrate-state, a backend configuration given, or a first init
 * beside a local state, -reconfigure included) unless -force-copy answers
 * for it or input is off (then init refuses to migrate). */
static bool terraform_asks(const invocation *inv, const tf_opts *o, const facts *fx,
                           const char *dir)
{
	const char *canon = o->cmd->canon;
	const char *tf_input = inv_getenv(inv, "TF_INPUT");

	switch (o->cmd->cls) {
	case C_APPLY:
		return !o->pos.n && !o->auto_approve;
	case C_DESTROY:
		return !o->auto_approve;
	case C_INIT: {
		/* init alone honours -input=false and TF_INPUT: it refuses to migrate */
		if (o->force_copy || o->no_input || (tf_input && parse_bool(tf_input) == 0))
			return false;
		if (o->migrate_state || o->backend_kv.n || o->backend_files.n)
			return true;
		autofree char *st = xasprintf("%s/terraform.tfstate", dir);
		autofree char *std = xasprintf("%s/terraform.tfstate.d", dir);
		return !fs_get(&fx->target, "backend") && (!access(st, F_OK) || !access(std, F_OK));
	}
	default:
		if (!strcmp(canon, "state replace-provider"))
			return !o->auto_approve;
		return !strcmp(canon, "force-unlock") && !o->force;
	}
}

/* Who answers terraform's own prompt ({prompt_from}): a terminal, or a
 * pipe or file on stdin, which any program can fill with "yes". */
static const char *prompt_from(const invocation *inv, const tf_opts *o, const facts *fx,
                               const char *dir)
{
	if (!o->cmd || o->version || o->help || o->autocomplete || !terraform_asks(inv, o, fx, dir))
		return "none";
	return inv->stdin_fd >= 0 && isatty(inv->stdin_fd) ? "terminal" : "pipe";
}

static const char *command_name(const tf_opts *o)
{
	if (o->version)
		return "version";
	if (o->help)
		return "help";
	if (o->autocomplete)
		return "autocomplete";
	if (!*o->word)
		return "help";
	return o->cmd ? o->cmd->canon : o->word;
}

static void put_command(operation *op, const tf_opts *o)
{
	const char *command = command_name(o);
	bool quiet = o->version || o->help || o->autocomplete || !*o->word;
	cmd_class cls = quiet ? C_READ : o->cmd ? o->cmd->cls : C_WRITE;
	bool rewrites = cls == C_STATE;

	if (o->cmd && (!strcmp(o->cmd->canon, "state rm") || !strcmp(o->cmd->canon, "state mv")))
		rewrites = !o->dry_run;
	if (cls == C_INIT)
		rewrites = o->migrate_state || o->reconfigure || o->force_copy;
	/* -state-out and -backup write a whole state into any file named, which
	 * may be another workspace's state: a rewrite, even for an apply */
	if (o->state_outs.n && !o->dry_run &&
	    (cls == C_APPLY || cls == C_DESTROY || cls == C_STATE))
		rewrites = true;
	bool read_only =
	    !rewrites && (cls == C_READ || cls == C_PARENT || cls == C_INIT || cls == C_STATE);
	bool destroy = !quiet && (cls == C_DESTROY || o->destroy);

	fs_set(&op->f, "command", command);
	if (quiet && *o->word)
		fs_set(&op->f, "subcommand", o->cmd ? o->cmd->canon : o->word);
	fs_set(&op->f, "read_only", yn(read_only));
	fs_set(&op->f, "rewrites_state", yn(rewrites));
	fs_set(&op->f, "destroy", yn(destroy));
	fs_set(&op->f, "auto_approve", yn(!quiet && o->auto_approve));
	fs_set(&op->f, "auto_approve_from",
	       o->auto_approve ? from_name(o, o->auto_approve_from) : "");
	fs_set(&op->f, "lock", yn(o->lock));
	if (o->lock_timeout)
		fs_set(&op->f, "lock_timeout", o->lock_timeout);
	fs_set(&op->f, "refresh_only", yn(o->refresh_only));
	set_lines(&op->f, "targets", &o->targets);
	set_lines(&op->f, "force_replace", &o->replaces);
	set_lines(&op->f, "args", &o->pos);
	set_lines(&op->f, "state_out", &o->state_outs);
	if (cls == C_INIT) {
		fs_set(&op->f, "migrate_state", yn(o->migrate_state || o->force_copy));
		fs_set(&op->f, "reconfigure", yn(o->reconfigure));
		fs_set(&op->f, "force_copy", yn(o->force_copy));
	}
	fs_set(&op->f, "force", yn(o->force));
	fs_set(&op->f, "dry_run", yn(o->dry_run));
	if (destroy) {
		strbuf scope = {0};
		if (o->targets.n) {
			sb_puts(&scope, "the targeted resources (");
			for (size_t i = 0; i < o->targets.n; i++)
				sb_printf(&scope, "%s%s", i ? ", " : "", o->targets.v[i]);
			sb_puts(&scope, ") and what depends on them");
		} else {
			sb_puts(&scope, "every resource");
		}
		fs_set(&op->f, "scope", scope.s);
		sb_free(&scope);
	}
	fs_set(&op->f, "unknown", yn(o->unknown.n > 0));
	fs_set(&op->f, "unknown_what", o->unknown.n ? o->unknown.v[0] : "");
	set_lines(&op->f, "unknown_all", &o->unknown);
	set_lines(&op->f, "injected", &o->injected);
}

bool analyse_terraform(const invocation *inv, facts *fx, char *err, size_t errlen)
{
	tf_opts o = {.lock = true, .pos0_argv_i = -1, .pos0_env_i = -1};
	autofree char *dir = NULL;
	autofree char *ldir = NULL;
	bool ok = true;

	parse_invocation(inv, &o);
	if (o.chdir) {
		autofree char *d = absolute(inv->cwd, o.chdir);
		struct stat st;
		if (stat(d, &st) != 0 || !S_ISDIR(st.st_mode))
			note_unknown(&o, "-chdir=%s (not a directory: terraform refuses)", o.chdir);
	}
	operation *op = facts_add_op(fx, "command");
	autofree char *ws = set_target(inv, fx, &o, &dir, &ldir);
	facts_settle_environment(fx, inv->cfg);
	put_command(op, &o);
	fs_set(&op->f, "prompt_from", prompt_from(inv, &o, fx, dir));
	bool quiet = o.version || o.help || o.autocomplete || !o.cmd;
	if (!quiet && (o.cmd->cls == C_APPLY || o.cmd->cls == C_DESTROY))
		ok = handle_plan(inv, fx, op, &o, ldir, dir, ws, err, errlen);
	fs_set(&op->f, "token", ws);
	tf_opts_free(&o);
	return ok;
}
