/* Unit tests: the terraform analyser's model of terraform's command line
 * (Go flags, -chdir, TF_CLI_ARGS and go-shellwords, help and version),
 * workspace resolution and plan reading, without a real terraform.
 *
 * real_tool is NULL (then no plan can be read: "unreadable") or the
 * stand-in tests/fixtures/terraform/stand-in, a shell script that prints a
 * test's canned JSON for `show -json` and copies it for `plan -out=`, and
 * logs its arguments; it changes nothing. Most cases run in dry mode
 * (interlock check); the plan gate's run mode is driven with the stand-in.
 * The real terraform 1.11.4 is exercised by tests/bats/terraform.bats. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analyse.h"
#include "tfplan.h"
#include "unit.h"

static config cfg;
static char root[] = "/tmp/interlock-unit-tf.XXXXXX";
static char *standin; /* absolute path of the stand-in */
static char *logfile; /* its log */
static char *tmpdir;  /* TMPDIR for the plan gate */

static void put(const char *rel, const char *text)
{
	char *p = xasprintf("%s/%s", root, rel);
	for (char *s = p + strlen(root) + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0755);
			*s = '/';
		}
	FILE *f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	free(p);
}

typedef struct {
	const char *cwd;  /* relative to root; NULL: root */
	const char *tool; /* real_tool */
	bool run;         /* run mode instead of dry */
	char **env;
} how;

static char err[512];
static bool last_ok;

/* Analyses argv (NULL-terminated). */
static void tf(facts *fx, char **argv, how h)
{
	static char *no_env[] = {NULL};
	int argc = 0;

	while (argv[argc])
		argc++;
	*fx = (facts){0};
	char *cwd = h.cwd ? xasprintf("%s/%s", root, h.cwd) : xstrdup(root);
	invocation inv = {.tool = "terraform",
	                  .argc = argc,
	                  .argv = argv,
	                  .envp = h.env ? h.env : no_env,
	                  .cwd = cwd,
	                  .cfg = &cfg,
	                  .real_tool = h.tool,
	                  .dry = !h.run};
	err[0] = '\0';
	last_ok = analyse(&inv, fx, err, sizeof err);
	free(cwd);
}

static const char *f(const facts *fx, const char *name)
{
	return fx->n_ops ? fs_get(&fx->ops[0].f, name) : NULL;
}

static const char *t(const facts *fx, const char *name)
{
	return fs_get(&fx->target, name);
}

#define ARGV(...) ((char *[]){"terraform", __VA_ARGS__, NULL})
#define ENV(...)  ((char *[]){__VA_ARGS__, NULL})

/* One analysis, one field. */
static void expect(char **argv, char **env, const char *name, const char *want)
{
	facts fx;

	tf(&fx, argv, (how){.env = env});
	const char *got = f(&fx, name);
	CHECK(got && !strcmp(got, want), "%s %s: %s = '%s', want '%s'", argv[1] ? argv[1] : "",
	      argv[1] && argv[2] ? argv[2] : "", name, got ? got : "(null)", want);
	facts_free(&fx);
}

static void test_spellings(void)
{
	expect(ARGV("apply", "-auto-approve"), NULL, "auto_approve", "yes");
	expect(ARGV("apply", "--auto-approve"), NULL, "auto_approve", "yes");
	expect(ARGV("apply", "-auto-approve=true"), NULL, "auto_approve", "yes");
	expect(ARGV("apply", "--auto-approve=T"), NULL, "auto_approve", "yes");
	expect(ARGV("apply", "-auto-approve=0"), NULL, "auto_approve", "no");
	expect(ARGV("apply", "-auto-approve", "-auto-approve=False"), NULL, "auto_approve", "no");
	expect(ARGV("apply", "-auto-approve=maybe"), NULL, "auto_approve", "no");
	expect(ARGV("apply", "-auto-approve=maybe"), NULL, "unknown", "yes");
	expect(ARGV("apply", "-auto-approve"), NULL, "auto_approve_from", "argv");
	/* destroy destroys whatever -destroy says; apply takes the last value */
	expect(ARGV("destroy", "-destroy=false"), NULL, "destroy", "yes");
	expect(ARGV("apply", "-destroy"), NULL, "destroy", "yes");
	expect(ARGV("apply", "-destroy", "-destroy=false"), NULL, "destroy", "no");
	expect(ARGV("apply", "-destroy"), NULL, "scope", "every resource");
	expect(ARGV("apply", "-target", "aws_db.x", "-target=module.y", "-replace=a.b"), NULL,
	       "targets", "aws_db.x\nmodule.y");
	expect(ARGV("apply", "-replace=a.b"), NULL, "force_replace", "a.b");
	expect(ARGV("apply", "-lock=false"), NULL, "lock", "no");
	expect(ARGV("apply", "-lock-timeout", "30s"), NULL, "lock_timeout", "30s");
	/* Go stops at the first positional: a flag after it is not one */
	expect(ARGV("apply", "plan.out", "-auto-approve"), NULL, "auto_approve", "no");
	expect(ARGV("apply", "plan.out", "-auto-approve"), NULL, "unknown", "yes");
	expect(ARGV("apply", "--", "-auto-approve"), NULL, "auto_approve", "no");
	expect(ARGV("apply", "--", "-auto-approve"), NULL, "args", "-auto-approve");
	/* a value flag takes the next argument whatever it looks like */
	expect(ARGV("apply", "-var", "-auto-approve"), NULL, "auto_approve", "no");
	expect(ARGV("apply", "-var"), NULL, "unknown", "yes");
	expect(ARGV("apply", "-frobnicate"), NULL, "unknown", "yes");
	expect(ARGV("apply", "-frobnicate"), NULL, "unknown_what",
	       "option -frobnicate of terraform apply");
	expect(ARGV("apply", "---auto-approve"), NULL, "unknown", "yes");
	expect(ARGV("apply", "-no-color", "-auto-approve"), NULL, "auto_approve", "yes");
	expect(ARGV("apply", "-no-color", "-auto-approve"), NULL, "unknown", "no");
	expect(ARGV("apply", "-no-color=true"), NULL, "unknown", "yes");
	expect(ARGV("apply", "-json"), NULL, "unknown", "yes"); /* needs -auto-approve */
	expect(ARGV("apply", "-refresh-only", "-destroy"), NULL, "unknown", "yes");
	expect(ARGV("destroy", "plan.out"), NULL, "unknown", "yes");
	expect(ARGV("plan", "-out=x.plan", "-detailed-exitcode"), NULL, "unknown", "no");
	expect(ARGV("state", "replace-provider", "-auto-approve", "a", "b"), NULL, "auto_approve",
	       "yes");
}

static void test_commands(void)
{
	expect(ARGV("state", "rm", "a.b"), NULL, "command", "state rm");
	expect(ARGV("state", "rm", "a.b"), NULL, "rewrites_state", "yes");
	expect(ARGV("state", "rm", "-dry-run", "a.b"), NULL, "rewrites_state", "no");
	expect(ARGV("state", "rm", "-dry-run", "a.b"), NULL, "read_only", "yes");
	expect(ARGV("state", "mv", "a", "b"), NULL, "rewrites_state", "yes");
	expect(ARGV("state", "push", "x.tfstate"), NULL, "rewrites_state", "yes");
	expect(ARGV("state", "list"), NULL, "read_only", "yes");
	expect(ARGV("state", "pull"), NULL, "read_only", "yes");
	expect(ARGV("taint", "a.b"), NULL, "rewrites_state", "yes");
	expect(ARGV("untaint", "a.b"), NULL, "rewrites_state", "yes");
	expect(ARGV("import", "a.b", "id"), NULL, "rewrites_state", "yes");
	expect(ARGV("force-unlock", "-force", "123"), NULL, "rewrites_state", "yes");
	expect(ARGV("refresh"), NULL, "rewrites_state", "yes");
	expect(ARGV("init", "-migrate-state"), NULL, "rewrites_state", "yes");
	expect(ARGV("init", "-reconfigure"), NULL, "rewrites_state", "yes");
	expect(ARGV("init", "-force-copy"), NULL, "migrate_state", "yes");
	expect(ARGV("init", "-upgrade"), NULL, "read_only", "yes");
	expect(ARGV("workspace", "delete", "prod"), NULL, "rewrites_state", "yes");
	expect(ARGV("env", "delete", "prod"), NULL, "command", "workspace delete");
	expect(ARGV("workspace", "new", "x"), NULL, "read_only", "no");
	expect(ARGV("workspace", "select", "x"), NULL, "read_only", "yes");
	expect(ARGV("plan", "-destroy"), NULL, "read_only", "yes");
	expect(ARGV("test"), NULL, "read_only", "no");
	expect(ARGV("fmt", "-recursive"), NULL, "read_only", "yes");
	expect(ARGV("providers", "lock", "-platform=linux_amd64"), NULL, "command",
	       "providers lock");
	expect(ARGV("metadata", "functions", "-json"), NULL, "read_only", "yes");
	expect(ARGV("state", "identities"), NULL, "unknown", "yes"); /* a group + a word */
	expect(ARGV("state", "-dry-run", "rm", "a"), NULL, "command", "state");
	expect(ARGV("stacks", "apply"), NULL, "unknown", "yes");
	expect(ARGV("stacks", "apply"), NULL, "unknown_what", "command 'terraform stacks'");
	expect(ARGV("push", "-whatever"), NULL, "unknown", "no");
	/* the radix tree's check is not anchored: "destroyer destroy" finds destroy */
	expect(ARGV("destroyer", "destroy"), NULL, "command", "destroy");
	expect(ARGV("", "destroy"), NULL, "command", "destroy");
}

static void test_global(void)
{
	/* help anywhere before "--", version anywhere at all */
	expect(ARGV("destroy", "-auto-approve", "-help"), NULL, "command", "help");
	expect(ARGV("destroy", "-auto-approve", "-help"), NULL, "subcommand", "destroy");
	expect(ARGV("destroy", "-auto-approve", "-help"), NULL, "auto_approve", "no");
	expect(ARGV("destroy", "-h"), NULL, "command", "help");
	expect(ARGV("destroy", "--", "-help"), NULL, "command", "destroy");
	expect(ARGV("destroy", "-auto-approve", "--", "-v"), NULL, "command", "version");
	expect(ARGV("apply", "-version"), NULL, "command", "version");
	expect(ARGV("-version"), NULL, "read_only", "yes");
	expect(ARGV("-install-autocomplete"), NULL, "command", "autocomplete");
	expect(ARGV("--", "destroy"), NULL, "command", "help");
	/* options before the command: terraform refuses */
	expect(ARGV("-auto-approve", "destroy"), NULL, "unknown", "yes");
	expect(ARGV("-chdir"), NULL, "unknown", "yes");
	expect(ARGV("-chdir=", "apply"), NULL, "unknown", "yes");
	expect(ARGV("-chdir=nowhere", "apply"), NULL, "unknown", "yes");
	/* two -chdir: the last is taken out, the first stays and is refused */
	expect(ARGV("-chdir=dev", "-chdir=infra", "apply"), NULL, "unknown", "yes");
	facts fx;
	tf(&fx, ARGV("-chdir=dev", "-chdir=infra", "apply"), (how){0});
	const char *dir = t(&fx, "dir");
	CHECK(dir && str_ends(dir, "/infra"), "last -chdir wins: %s", dir ? dir : "(null)");
	facts_free(&fx);
	tf(&fx, ((char *[]){"terraform", NULL}), (how){0});
	CHECK_STR(f(&fx, "command"), "help");
	CHECK_STR(f(&fx, "read_only"), "yes");
	facts_free(&fx);
}

static void test_env_args(void)
{
	expect(ARGV("apply"), ENV("TF_CLI_ARGS=-auto-approve"), "auto_approve", "yes");
	expect(ARGV("apply"), ENV("TF_CLI_ARGS=-auto-approve"), "auto_approve_from", "TF_CLI_ARGS");
	expect(ARGV("apply"), ENV("TF_CLI_ARGS_apply=-auto-approve"), "auto_approve_from",
	       "TF_CLI_ARGS_apply");
	expect(ARGV("apply"), ENV("TF_CLI_ARGS_destroy=-auto-approve"), "auto_approve", "no");
	expect(ARGV("apply"), ENV("TF_CLI_ARGS="), "auto_approve", "no");
	/* typed arguments come last and win */
	expect(ARGV("apply", "-auto-approve=false"), ENV("TF_CLI_ARGS=-auto-approve"),
	       "auto_approve", "no");
	/* TF_CLI_ARGS lands after TF_CLI_ARGS_apply: it wins over it */
	expect(ARGV("apply"), ENV("TF_CLI_ARGS=-auto-approve", "TF_CLI_ARGS_apply=-auto-approve=0"),
	       "auto_approve", "yes");
	/* no command: the injected words become the command */
	expect(ARGV("-no-color"), ENV("TF_CLI_ARGS=destroy -auto-approve"), "command", "destroy");
	facts fx;
	tf(&fx, ((char *[]){"terraform", NULL}),
	   (how){.env = ENV("TF_CLI_ARGS=destroy -auto-approve")});
	CHECK_STR(f(&fx, "command"), "destroy");
	CHECK_STR(f(&fx, "auto_approve"), "yes");
	CHECK_STR(f(&fx, "injected"), "TF_CLI_ARGS: destroy -auto-approve");
	facts_free(&fx);
	tf(&fx, ((char *[]){"terraform", NULL}), (how){.env = ENV("TF_CLI_ARGS_=destroy")});
	CHECK_STR(f(&fx, "command"), "destroy");
	facts_free(&fx);
	expect(ARGV("state", "rm"), ENV("TF_CLI_ARGS_state_rm=aws_db.main"), "args", "aws_db.main");
	expect(ARGV("force-unlock", "1"), ENV("TF_CLI_ARGS_force_unlock=-force"), "force", "yes");
	/* go-shellwords 1.0.12: quotes, backslashes, ; ends the list */
	expect(ARGV("apply"), ENV("TF_CLI_ARGS=-target='a b' -target=\"c\\\"d\" -target=e\\ f"),
	       "targets", "a b\nc\"d\ne f");
	expect(ARGV("apply"), ENV("TF_CLI_ARGS=-target=x; -auto-approve"), "auto_approve", "no");
	expect(ARGV("apply"), ENV("TF_CLI_ARGS=-target=x\\;y -auto-approve"), "targets", "x;y");
	expect(ARGV("apply"), ENV("TF_CLI_ARGS=-target=a\\nb"), "targets", "anb");
	expect(ARGV("apply"), ENV("TF_CLI_ARGS=2>x -auto-approve"), "auto_approve", "no");
	expect(ARGV("apply"), ENV("TF_CLI_ARGS=$(a b) -auto-approve"), "args",
	       "$(a b)\n-auto-approve");
	expect(ARGV("apply"), ENV("TF_CLI_ARGS=-target=`a b`"), "targets", "`a b`");
	expect(ARGV("apply"), ENV("TF_CLI_ARGS=-target='' -auto-approve"), "auto_approve", "yes");
	expect(ARGV("apply"), ENV("TF_CLI_ARGS=-var 'x=1"), "unknown", "yes");
	expect(ARGV("apply"), ENV("TF_CLI_ARGS=a(b"), "unknown", "yes");
	expect(ARGV("apply"), ENV("TF_CLI_ARGS=a)b"), "unknown", "yes");
	expect(ARGV("apply"), ENV("TF_CLI_ARGS=-auto-approve\\"), "unknown", "yes");
	/* injected -help and -v count too */
	expect(ARGV("destroy", "-auto-approve"), ENV("TF_CLI_ARGS=-help"), "command", "help");
	expect(ARGV("destroy", "-auto-approve"), ENV("TF_CLI_ARGS=-v"), "command", "version");
}

static void test_workspace(void)
{
	facts fx;

	put("infra/.terraform/environment", "  prod\n\n");
	put("infra/main.tf", "");
	put("infra/custom/environment", "staging");
	put("dev/main.tf", "");
	put("auto/prod.auto.tfvars", "x = 1\n");
	put("auto/terraform.tfvars", "");
	put("auto/a.auto.tfvars.json", "{}");
	put("auto/.auto.tfvars", ""); /* no name before the suffix: not loaded */
	put("prod-eu/main.tf", "");

	tf(&fx, ARGV("-chdir=infra", "apply"), (how){0});
	CHECK_STR(t(&fx, "workspace"), "prod");
	CHECK_STR(t(&fx, "workspace_source"), "environment file");
	CHECK_STR(f(&fx, "token"), "prod");
	CHECK_STR(fx.environment, "production");
	CHECK(str_ends(t(&fx, "data_dir"), "/infra/.terraform"), "data_dir %s", t(&fx, "data_dir"));
	CHECK_STR(t(&fx, "chdir"), "infra");
	facts_free(&fx);

	tf(&fx, ARGV("apply"), (how){.cwd = "infra"});
	CHECK_STR(t(&fx, "workspace"), "prod");
	facts_free(&fx);

	/* TF_WORKSPACE wins; an empty one does not count */
	tf(&fx, ARGV("-chdir=infra", "apply"), (how){.env = ENV("TF_WORKSPACE=stg-eu")});
	CHECK_STR(t(&fx, "workspace"), "stg-eu");
	CHECK_STR(t(&fx, "workspace_source"), "TF_WORKSPACE");
	CHECK_STR(fx.environment, "staging"); /* the file's "prod" no longer counts */
	facts_free(&fx);
	tf(&fx, ARGV("-chdir=infra", "apply"), (how){.env = ENV("TF_WORKSPACE=")});
	CHECK_STR(t(&fx, "workspace"), "prod");
	facts_free(&fx);

	/* TF_DATA_DIR is relative to the -chdir directory */
	tf(&fx, ARGV("-chdir=infra", "plan"), (how){.env = ENV("TF_DATA_DIR=custom")});
	CHECK_STR(t(&fx, "workspace"), "staging");
	CHECK_STR(fx.environment, "staging");
	facts_free(&fx);

	tf(&fx, ARGV("-chdir=dev", "destroy"), (how){0});
	CHECK_STR(t(&fx, "workspace"), "default");
	CHECK_STR(t(&fx, "workspace_source"), "default");
	CHECK_STR(fx.environment, "development");
	facts_free(&fx);

	/* var files by base name and path; auto-loaded ones count */
	tf(&fx, ARGV("-chdir=dev", "apply", "-var-file=../envs/production.tfvars"), (how){0});
	CHECK_STR(fx.environment, "production");
	CHECK_STR(t(&fx, "var_files"), "../envs/production.tfvars");
	facts_free(&fx);
	tf(&fx, ARGV("apply"), (how){.cwd = "auto"});
	CHECK_STR(t(&fx, "auto_var_files"),
	          "a.auto.tfvars.json\nprod.auto.tfvars\nterraform.tfvars");
	CHECK_STR(fx.environment, "production");
	facts_free(&fx);
	tf(&fx, ARGV("-chdir=prod-eu", "plan"), (how){0});
	CHECK_STR(fx.environment, "production");
	facts_free(&fx);
	put("dev/neutral.hcl", "# a comment\npath = \"../prod-eu/terraform.tfstate\"\n");
	tf(&fx, ARGV("init", "-backend-config=neutral.hcl"), (how){.cwd = "dev"});
	CHECK_STR(fx.environment, "production"); /* what the file sets */
	facts_free(&fx);
	tf(&fx, ARGV("init", "-backend-config=backends/prod.hcl"), (how){.cwd = "dev"});
	CHECK_STR(fx.environment, "production");
	facts_free(&fx);
	tf(&fx, ARGV("init", "-backend-config=bucket=prod-state"), (how){.cwd = "dev"});
	CHECK_STR(fx.environment, "production"); /* the value, as a saved plan's backend */
	facts_free(&fx);
	tf(&fx, ARGV("init", "-backend-config=path=../prod-eu/x.tfstate"), (how){.cwd = "dev"});
	CHECK_STR(fx.environment, "production");
	facts_free(&fx);
	/* -state-out and -backup name state files written: paths, and rewrites */
	tf(&fx, ARGV("apply", "-state-out=../prod-eu/x.tfstate"), (how){.cwd = "dev"});
	CHECK_STR(fx.environment, "production");
	CHECK_STR(f(&fx, "rewrites_state"), "yes");
	CHECK_STR(f(&fx, "state_out"), "../prod-eu/x.tfstate");
	facts_free(&fx);
	tf(&fx, ARGV("state", "rm", "-backup=-", "a.b"), (how){.cwd = "dev"});
	CHECK_STR(f(&fx, "state_out"), ""); /* "-" writes no backup */
	CHECK_STR(fx.environment, "development");
	facts_free(&fx);
	tf(&fx, ARGV("state", "mv", "-dry-run", "-backup-out=prod.tfstate", "a", "b"),
	   (how){.cwd = "dev"});
	CHECK_STR(f(&fx, "rewrites_state"), "no");
	CHECK_STR(fx.environment, "production");
	facts_free(&fx);
	/* the backend init recorded, and backend blocks, count for every command */
	put("rec/.terraform/terraform.tfstate",
	    "{\"version\":3,\"backend\":{\"type\":\"s3\",\"config\":{\"bucket\":"
	    "\"acme-prod-state\",\"assume_role\":{\"role_arn\":\"x\"},\"key\":null},"
	    "\"hash\":1}}");
	tf(&fx, ARGV("destroy"), (how){.cwd = "rec"});
	CHECK_STR(fx.environment, "production");
	CHECK_STR(t(&fx, "backend"), "s3");
	CHECK_STR(t(&fx, "backend_config"), "bucket=acme-prod-state\nassume_role.role_arn=x");
	facts_free(&fx);
	put("rec/.terraform/terraform.tfstate", "{\"backend\":{\"type\":\"s3\",");
	tf(&fx, ARGV("plan"), (how){.cwd = "rec"});
	CHECK_STR(t(&fx, "backend"), "unknown");
	CHECK_STR(fx.environment, "production"); /* unknown_remote */
	facts_free(&fx);
	put("blk/main.tf", "terraform {\n  /* } */ backend \"local\" {\n    path = "
	                   "\"../prod-eu/terraform.tfstate\"\n  }\n}\n");
	put("blk2/main.tf", "locals {\n  a = \"${upper(\"}\")}\"\n  b = <<EOT\n}\nEOT\n}\n"
	                    "resource \"x\" \"production\" {}\nterraform {\n  cloud {\n"
	                    "    workspaces { name = \"prod\" }\n  }\n}\n");
	tf(&fx, ARGV("init"), (how){.cwd = "blk"});
	CHECK_STR(fx.environment, "production");
	facts_free(&fx);
	tf(&fx, ARGV("init"), (how){.cwd = "blk2"});
	CHECK_STR(fx.environment, "production");
	facts_free(&fx);
	put("blk3/main.tf", "resource \"terraform_data\" \"production\" {\n  input = "
	                    "\"prod\"\n}\n"); /* not a backend: does not count */
	tf(&fx, ARGV("init"), (how){.cwd = "blk3"});
	CHECK_STR(fx.environment, "development");
	facts_free(&fx);

	/* the workspace a workspace command names is the target */
	tf(&fx, ARGV("workspace", "delete", "-force", "production"), (how){.cwd = "infra"});
	CHECK_STR(t(&fx, "workspace"), "production");
	CHECK_STR(t(&fx, "current_workspace"), "prod");
	CHECK_STR(f(&fx, "token"), "production");
	facts_free(&fx);
	tf(&fx, ARGV("workspace", "delete", "feature-1"), (how){.cwd = "dev"});
	CHECK_STR(fx.environment, "development");
	facts_free(&fx);
}

static char *slurp(const char *path)
{
	size_t len;
	char *s = read_file(path, &len);
	return s ? s : xstrdup("");
}

static void reset_log(void)
{
	unlink(logfile);
}

static bool dir_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool empty = true;

	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = false;
	if (d)
		closedir(d);
	return empty;
}

#define PLAN_JSON                                                                                  \
	"{\"format_version\":\"1.2\",\"planned_values\":{},\"resource_changes\":["                 \
	"{\"address\":\"aws_db_instance.main\",\"type\":\"aws_db_instance\","                      \
	"\"change\":{\"actions\":[\"delete\"]}},"                                                  \
	"{\"address\":\"aws_instance.web\",\"type\":\"aws_instance\","                             \
	"\"change\":{\"actions\":[\"create\",\"delete\"]}},"                                       \
	"{\"address\":\"aws_instance.old\",\"type\":\"aws_instance\",\"deposed\":\"abc\","         \
	"\"change\":{\"actions\":[\"delete\"]}},"                                                  \
	"{\"address\":\"a.new\",\"type\":\"a\",\"change\":{\"actions\":[\"create\"]}},"            \
	"{\"address\":\"a.upd\",\"type\":\"a\",\"change\":{\"actions\":[\"update\"]}},"            \
	"{\"address\":\"a.same\",\"type\":\"a\",\"change\":{\"actions\":[\"no-op\"]}},"            \
	"{\"address\":\"data.a.x\",\"type\":\"a\",\"change\":{\"actions\":[\"read\"]}}]}"

static void test_plan_files(void)
{
	facts fx;
	char *log = xasprintf("STANDIN_LOG=%s", logfile);
	char **env = ENV(log, "TF_WORKSPACE=prod", "TF_CLI_ARGS_show=-json");

	put("p/deletes.plan", PLAN_JSON);
	put("p/empty.plan", "{\"format_version\":\"1.2\",\"planned_values\":{}}");
	put("p/state.json", "{\"format_version\":\"1.0\",\"values\":{}}");
	put("p/broken.plan", "{\"format_version\":");
	put("p/errored.plan",
	    "{\"format_version\":\"1.2\",\"planned_values\":{},\"errored\":true}");
	put("p/odd.plan", "{\"format_version\":\"1.2\",\"planned_values\":{},\"resource_changes\":["
	                  "{\"address\":\"a.b\",\"change\":{\"actions\":[\"obliterate\"]}}]}");
	put("p/dupe.plan", "{\"format_version\":\"1.2\",\"format_version\":\"1.2\","
	                   "\"planned_values\":{}}");

	/* no terraform to read it with: unreadable, never empty */
	tf(&fx, ARGV("apply", "deletes.plan"), (how){.cwd = "p", .env = env});
	CHECK_STR(f(&fx, "plan"), "unreadable");
	CHECK_STR(f(&fx, "deletes"), "unknown");
	facts_free(&fx);

	reset_log();
	tf(&fx, ARGV("-chdir=p", "apply", "deletes.plan"), (how){.tool = standin, .env = env});
	CHECK_STR(f(&fx, "plan"), "given");
	CHECK_STR(f(&fx, "deletes"), "3");
	CHECK_STR(f(&fx, "replaces"), "1");
	CHECK_STR(f(&fx, "creates"), "1");
	CHECK_STR(f(&fx, "updates"), "1");
	CHECK_STR(f(&fx, "delete_addresses"),
	          "aws_db_instance.main\naws_instance.web\naws_instance.old (deposed object abc)");
	CHECK_STR(f(&fx, "delete_types"), "aws_db_instance\naws_instance\naws_instance");
	CHECK_STR(f(&fx, "replace_addresses"), "aws_instance.web");
	/* the stand-in's plan is JSON, not a zip: its backend is unknown */
	CHECK_STR(f(&fx, "plan_backend"), "unknown");
	CHECK(fx.notes.n == 5, "backend, a summary and three addresses in the notes, got %zu",
	      fx.notes.n);
	CHECK(fx.notes.n == 5 && strstr(fx.notes.v[0], "cannot be read") &&
	          strstr(fx.notes.v[3], "replace aws_instance.web (aws_instance)"),
	      "notes: %s / %s", fx.notes.n > 3 ? fx.notes.v[0] : "",
	      fx.notes.n > 3 ? fx.notes.v[3] : "");
	CHECK(fx.exec_argv.n == 0, "dry mode never replaces the argv");
	char *got = slurp(logfile);
	CHECK(strstr(got, "arg -chdir=p\narg show\narg -json\narg -no-color\narg /dev/fd/") != NULL,
	      "show's argv: %s", got);
	CHECK(strstr(got, "env TF_CLI_ARGS") == NULL, "no TF_CLI_ARGS* reach show: %s", got);
	free(got);
	facts_free(&fx);

	static const struct {
		const char *file, *state, *deletes, *why;
	} cases[] = {
	    {"empty.plan", "given", "0", ""},
	    {"state.json", "unreadable", "unknown", "a state, not a plan"},
	    {"broken.plan", "unreadable", "unknown", "no valid JSON (line 1"},
	    {"errored.plan", "unreadable", "unknown", "recorded errors"},
	    {"odd.plan", "unreadable", "unknown", "unknown action 'obliterate' on a.b"},
	    {"dupe.plan", "unreadable", "unknown", "duplicate"},
	    {"missing.plan", "unreadable", "unknown", "No such file"},
	    {".", "unreadable", "unknown", "not a regular file"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		tf(&fx, ARGV("apply", (char *)cases[i].file),
		   (how){.cwd = "p", .tool = standin, .env = env});
		CHECK_STR(f(&fx, "plan"), cases[i].state);
		CHECK_STR(f(&fx, "deletes"), cases[i].deletes);
		const char *why = f(&fx, "plan_error");
		CHECK(why && strstr(why, cases[i].why), "%s: plan_error '%s', want '%s'",
		      cases[i].file, why ? why : "(null)", cases[i].why);
		facts_free(&fx);
	}
	char *fail_env[] = {log, "STANDIN_SHOW_EXIT=3", NULL};
	tf(&fx, ARGV("apply", "deletes.plan"), (how){.cwd = "p", .tool = standin, .env = fail_env});
	CHECK_STR(f(&fx, "plan"), "unreadable");
	CHECK_STR(f(&fx, "plan_error"), "terraform show -json exited 3");
	facts_free(&fx);

	/* run mode: the descriptor that was read replaces the file name */
	tf(&fx, ARGV("-chdir=p", "apply", "-lock=false", "deletes.plan"),
	   (how){.tool = standin, .env = env, .run = true});
	CHECK(fx.exec_argv.n == 5, "exec_argv has 5 words, got %zu", fx.exec_argv.n);
	if (fx.exec_argv.n == 5) {
		CHECK_STR(fx.exec_argv.v[0], "terraform");
		CHECK_STR(fx.exec_argv.v[3], "-lock=false");
		CHECK(str_starts(fx.exec_argv.v[4], "/dev/fd/"), "plan by descriptor: %s",
		      fx.exec_argv.v[4]);
		int fd = atoi(fx.exec_argv.v[4] + 8);
		CHECK(fd > 2 && !(fcntl(fd, F_GETFD) & FD_CLOEXEC), "fd %d survives exec", fd);
		close(fd);
	}
	facts_free(&fx);
	free(log);
}

/* Runs fn in a child in a new session, with a pseudo-terminal as its
 * controlling terminal (the gate asks on /dev/tty) or with none; the
 * child's results count as ours. */
static void in_session(void (*fn)(void), bool tty)
{
	int p[2];
	int counts[2] = {0, 0};

	fflush(stdout);
	if (pipe(p) != 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		setsid();
		if (tty) {
			int m = posix_openpt(O_RDWR | O_NOCTTY);
			if (m < 0 || grantpt(m) || unlockpt(m) || open(ptsname(m), O_RDWR) < 0)
				printf("not ok: no pseudo-terminal\n");
		}
		unit_pass = unit_fail = 0;
		fn();
		fflush(stdout);
		counts[0] = unit_pass;
		counts[1] = unit_fail;
		if (write(p[1], counts, sizeof counts) != sizeof counts)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], counts, sizeof counts) != sizeof counts)
		counts[1] = 1;
	close(p[0]);
	waitpid(pid, NULL, 0);
	unit_pass += counts[0];
	unit_fail += counts[1];
	CHECK(counts[0] > 0, "the session's checks ran");
}

/* Without a terminal nobody could confirm a plan: none is made. */
static void gate_without_terminal(void)
{
	facts fx;
	char *log = xasprintf("STANDIN_LOG=%s", logfile);
	char *plan = xasprintf("STANDIN_PLAN=%s/p/deletes.plan", root);

	reset_log();
	tf(&fx, ARGV("apply"),
	   (how){.cwd = "p",
	         .tool = standin,
	         .run = true,
	         .env = ENV(log, plan, "TF_WORKSPACE=prod")});
	CHECK_STR(f(&fx, "plan"), "unknown");
	CHECK_STR(f(&fx, "plan_error"), "no plan is made without a terminal to confirm it on");
	CHECK(access(logfile, F_OK) != 0, "no plan was made");
	facts_free(&fx);
	free(log);
	free(plan);
}

static void gate_on_terminal(void)
{
	facts fx;
	char *log = xasprintf("STANDIN_LOG=%s", logfile);
	char *plan = xasprintf("STANDIN_PLAN=%s/p/deletes.plan", root);
	char *tmp = xasprintf("TMPDIR=%s", tmpdir);
	char **env =
	    ENV(log, plan, "TF_WORKSPACE=prod", "TF_CLI_ARGS=-var x=1",
	        "TF_CLI_ARGS_apply=-var-file=a.tfvars -parallelism=3", "TF_CLI_ARGS_plan=-zzz");

	setenv("TMPDIR", tmpdir, 1);
	/* dry mode: no plan is made (terraform plan takes the lock) */
	reset_log();
	tf(&fx, ARGV("apply"), (how){.cwd = "p", .tool = standin, .env = env});
	CHECK_STR(f(&fx, "plan"), "unknown");
	CHECK_STR(f(&fx, "deletes"), "unknown");
	CHECK(access(logfile, F_OK) != 0, "nothing was run in dry mode");
	facts_free(&fx);

	/* run mode, production: the plan gate */
	reset_log();
	tf(&fx, ARGV("-chdir=p", "apply", "-target=a.b", "-lock-timeout=5s"),
	   (how){.tool = standin, .env = env, .run = true});
	CHECK(last_ok, "analyse: %s", err);
	CHECK_STR(f(&fx, "plan"), "generated");
	CHECK_STR(f(&fx, "deletes"), "3");
	char *got = slurp(logfile);
	/* injected arguments are passed explicitly, in terraform's order, and
	 * no TF_CLI_ARGS* reaches the children */
	CHECK(strstr(got, "arg -chdir=p\narg plan\narg -out=") != NULL, "plan argv: %s", got);
	CHECK(strstr(got, "arg -var-file=a.tfvars\narg -parallelism=3\narg -var=x=1\n"
	                  "arg -target=a.b\narg -lock-timeout=5s\narg -input=false\n") != NULL,
	      "plan flags: %s", got);
	CHECK(strstr(got, "env TF_CLI_ARGS") == NULL, "no TF_CLI_ARGS* in children: %s", got);
	CHECK(strstr(got, "-zzz") == NULL, "TF_CLI_ARGS_plan is not the user's: %s", got);
	free(got);
	strbuf argv = {0};
	for (size_t i = 0; i < fx.exec_argv.n; i++)
		sb_printf(&argv, "%s%s", i ? " " : "", fx.exec_argv.v[i]);
	CHECK(argv.s && str_starts(argv.s, "terraform -chdir=p apply -parallelism=3 "
	                                   "-lock-timeout=5s /dev/fd/"),
	      "exec argv: %s", argv.s ? argv.s : "");
	sb_free(&argv);
	CHECK(getenv("TF_CLI_ARGS") == NULL && getenv("TF_CLI_ARGS_apply") == NULL,
	      "TF_CLI_ARGS and TF_CLI_ARGS_apply are not applied twice");
	CHECK(dir_empty(tmpdir), "the private plan is gone from disk");
	facts_free(&fx);

	/* destroy is planned with -destroy, last, whatever -destroy=false says */
	reset_log();
	tf(&fx, ARGV("destroy", "-destroy=false"),
	   (how){.cwd = "p", .tool = standin, .env = env, .run = true});
	got = slurp(logfile);
	CHECK(strstr(got, "arg -destroy=false\narg -destroy\narg -input=false\n") != NULL,
	      "destroy plan: %s", got);
	free(got);
	facts_free(&fx);

	/* a failing plan: analysis fails (the engine blocks), nothing left */
	char *fail_env[] = {log, "TF_WORKSPACE=prod", "STANDIN_PLAN_EXIT=1", NULL};
	tf(&fx, ARGV("apply"), (how){.cwd = "p", .tool = standin, .env = fail_env, .run = true});
	CHECK(!last_ok, "a failed plan fails the analysis");
	CHECK(strstr(err, "terraform plan exited 1") != NULL, "err: %s", err);
	CHECK(fx.exec_argv.n == 0, "nothing to exec");
	CHECK(dir_empty(tmpdir), "nothing left on disk");
	facts_free(&fx);

	/* no gate: development, -auto-approve, agent mode */
	reset_log();
	tf(&fx, ARGV("apply"),
	   (how){.cwd = "p",
	         .tool = standin,
	         .run = true,
	         .env = ENV(log, plan, "TF_WORKSPACE=dev")});
	CHECK_STR(f(&fx, "plan"), "none");
	CHECK(fx.exec_argv.n == 0, "development: the argv typed runs");
	facts_free(&fx);
	tf(&fx, ARGV("apply", "-auto-approve"),
	   (how){.cwd = "p",
	         .tool = standin,
	         .run = true,
	         .env = ENV(log, plan, "TF_WORKSPACE=prod")});
	CHECK_STR(f(&fx, "plan"), "none");
	facts_free(&fx);
	tf(&fx, ARGV("apply"),
	   (how){.cwd = "p",
	         .tool = standin,
	         .run = true,
	         .env = ENV(log, plan, "TF_WORKSPACE=prod", "CLAUDECODE=1")});
	CHECK_STR(f(&fx, "plan"), "unknown");
	facts_free(&fx);
	CHECK(access(logfile, F_OK) != 0, "no plan was made for any of them");
	free(log);
	free(plan);
	free(tmp);
}

/* The environment file as terraform reads it (whole, Go's TrimSpace), and
 * names as given: a link named for production, the data directory. */
static void test_target_names(void)
{
	facts fx;
	static const struct {
		const char *text, *ws, *env;
	} files[] = {
	    {"production\xc2\xa0", "production", "production"},
	    {"\xe3\x80\x80prod\xe2\x80\xa8\xc2\x85 \n", "prod", "production"},
	    {"\xe2\x80\x8bprod", "\xe2\x80\x8bprod", "development"}, /* U+200B is not space */
	    {"prod\xc2", "prod\xc2", "development"}, /* invalid UTF-8: kept, another name */
	    {"\xc2\xa0 \t", "default", "development"},
	};
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		put("ws/.terraform/environment", files[i].text);
		tf(&fx, ARGV("apply"), (how){.cwd = "ws"});
		CHECK_STR(t(&fx, "workspace"), files[i].ws);
		CHECK_STR(fx.environment, files[i].env);
		facts_free(&fx);
	}
	/* longer than any read of 4096 bytes */
	strbuf big = {0};
	for (int i = 0; i < 5000; i++)
		sb_putc(&big, ' ');
	sb_puts(&big, "production\n");
	put("ws/.terraform/environment", big.s);
	tf(&fx, ARGV("apply"), (how){.cwd = "ws"});
	CHECK_STR(t(&fx, "workspace"), "production");
	facts_free(&fx);
	/* over the cap: unknown, which is unknown_remote */
	for (int i = 0; i < 1100000; i++)
		sb_putc(&big, ' ');
	put("ws/.terraform/environment", big.s);
	sb_free(&big);
	tf(&fx, ARGV("apply"), (how){.cwd = "ws"});
	CHECK_STR(t(&fx, "workspace_source"), "environment file (unreadable)");
	CHECK_STR(fx.environment, "production");
	facts_free(&fx);
	put("ws/.terraform/environment", "a\0b");
	char *envf = xasprintf("%s/ws/.terraform/environment", root);
	FILE *fp = fopen(envf, "w");
	if (fp) {
		fwrite("dev\0prod", 1, 8, fp);
		fclose(fp);
	}
	tf(&fx, ARGV("apply"), (how){.cwd = "ws"});
	CHECK_STR(fx.environment, "production"); /* a NUL: not what terraform reads */
	facts_free(&fx);
	unlink(envf);
	free(envf);

	/* a link named for production to a neutral directory */
	put("neutral/main.tf", "");
	char *link = xasprintf("%s/prod-link", root);
	CHECK(symlink("neutral", link) == 0, "symlink %s", link);
	tf(&fx, ARGV("-chdir=prod-link", "destroy"), (how){0});
	CHECK_STR(fx.environment, "production");
	CHECK(str_ends(t(&fx, "dir"), "/neutral"), "dir %s", t(&fx, "dir"));
	CHECK(str_ends(t(&fx, "dir_as_given"), "/prod-link"), "dir_as_given %s",
	      t(&fx, "dir_as_given"));
	facts_free(&fx);
	char *pwd = xasprintf("PWD=%s", link);
	tf(&fx, ARGV("destroy"), (how){.cwd = "neutral", .env = ENV(pwd)});
	CHECK_STR(fx.environment, "production");
	facts_free(&fx);
	tf(&fx, ARGV("destroy"), (how){.cwd = "neutral", .env = ENV("PWD=/tmp/prod")});
	CHECK_STR(fx.environment, "development"); /* $PWD is another directory: ignored */
	facts_free(&fx);
	free(pwd);
	free(link);
	tf(&fx, ARGV("destroy"),
	   (how){.cwd = "neutral", .env = ENV("TF_DATA_DIR=.terraform-prod")});
	CHECK_STR(fx.environment, "production");
	facts_free(&fx);
}

/* Bytes of a file, and writing them back. */
static char *get_bytes(const char *path, size_t *n)
{
	FILE *fp = fopen(path, "rb");
	strbuf b = {0};
	char buf[4096];
	size_t r;

	if (!fp)
		return NULL;
	while ((r = fread(buf, 1, sizeof buf, fp)) > 0)
		sb_putn(&b, buf, r);
	fclose(fp);
	*n = b.len;
	return b.s;
}

static void put_bytes(const char *path, const char *s, size_t n)
{
	FILE *fp = fopen(path, "wb");
	if (fp) {
		fwrite(s, 1, n, fp);
		fclose(fp);
	}
}

static bool backend_of(const char *path, tfplan_backend *b, char *why, size_t len)
{
	int fd = open(path, O_RDONLY);
	bool ok = fd >= 0 && tfplan_read_backend(fd, b, why, len);
	if (fd >= 0)
		close(fd);
	return ok;
}

static uint32_t rd16(const char *p)
{
	return (uint32_t)(uint8_t)p[0] | (uint32_t)(uint8_t)p[1] << 8;
}

static uint32_t rd32(const char *p)
{
	return rd16(p) | rd16(p + 2) << 16;
}

static void wr(char *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (char)(v >> (8 * i));
}

static void put_le(strbuf *b, uint64_t v, int bytes)
{
	char tmp[8];
	wr(tmp, v, bytes);
	sb_putn(b, tmp, (size_t)bytes);
}

static const char *eocd_of(const char *z, size_t n)
{
	for (size_t i = n - 22 + 1; i-- > 0;)
		if (!memcmp(z + i, "PK\5\6", 4))
			return z + i;
	return NULL;
}

/* The reviewer's craft.py: an archive whose zip64 end record (which Go's
 * archive/zip trusts, as the 32-bit record's directory size is 0xffff)
 * lists prod's entries, while the 32-bit record lists one "tfplan" entry:
 * dev's. terraform applies prod's plan; a reader that skips the zip64
 * check reads dev's backend. */
static void craft_zip64(const char *prod, size_t pn, const char *dev, size_t dn, strbuf *out)
{
	const char *pe = eocd_of(prod, pn), *de = eocd_of(dev, dn);
	uint32_t p_n = rd16(pe + 10), p_size = rd32(pe + 12), p_off = rd32(pe + 16);
	uint32_t d_size = rd32(de + 12), d_off = rd32(de + 16);
	const char *ent = NULL;
	uint32_t lo = 0, next = d_off;

	for (uint32_t q = d_off; q < d_off + d_size;) {
		const char *h = dev + q;
		if (rd16(h + 28) == 6 && !memcmp(h + 46, "tfplan", 6))
			ent = h, lo = rd32(h + 42);
		q += 46 + rd16(h + 28) + rd16(h + 30) + rd16(h + 32);
	}
	for (uint32_t q = d_off; q < d_off + d_size;) { /* where tfplan's data ends */
		const char *h = dev + q;
		if (rd32(h + 42) > lo && rd32(h + 42) < next)
			next = rd32(h + 42);
		q += 46 + rd16(h + 28) + rd16(h + 30) + rd16(h + 32);
	}
	sb_putn(out, prod, p_off); /* Go's entries */
	size_t a = out->len;
	sb_putn(out, dev + lo, next - lo); /* the reader's tfplan */
	size_t g = out->len;
	sb_putn(out, prod + p_off, p_size); /* Go's central directory */
	size_t z = out->len;
	sb_puts(out, "PK\6\6");
	put_le(out, 44, 8);
	put_le(out, 45, 2);
	put_le(out, 45, 2);
	put_le(out, 0, 4);
	put_le(out, 0, 4);
	put_le(out, p_n, 8);
	put_le(out, p_n, 8);
	put_le(out, p_size, 8);
	put_le(out, g, 8);
	size_t cd = out->len;
	char h[52];
	memcpy(h, ent, 52);
	wr(h + 28, 6, 2);
	wr(h + 30, 0, 2);
	wr(h + 32, 0xffff - 52, 2); /* a comment that fills the directory */
	wr(h + 42, a, 4);
	sb_putn(out, h, 52);
	for (size_t i = 0; i < 0xffff - 52 - 20; i++)
		sb_putc(out, '\0');
	sb_puts(out, "PK\6\7"); /* the zip64 locator, where Go looks for it */
	put_le(out, 0, 4);
	put_le(out, z, 8);
	put_le(out, 1, 4);
	sb_puts(out, "PK\5\6");
	put_le(out, 0, 4);
	put_le(out, 1, 2);
	put_le(out, 1, 2);
	put_le(out, 0xffff, 4);
	put_le(out, cd, 4);
	put_le(out, 0, 2);
}

/* Go looks for zip64 when the directory is 0xffff bytes, even without a
 * locator; and it trusts a locator right before the end record: both are
 * refused. Made from a real plan by padding its last directory entry. */
static void check_zip64_lookalikes(const char *bytes, size_t n, const char *bad)
{
	const char *e = eocd_of(bytes, n);
	uint32_t size = rd32(e + 12), off = rd32(e + 16), last = off;
	char why[256];
	tfplan_backend b;

	for (uint32_t q = off; q < off + size;
	     q += 46 + rd16(bytes + q + 28) + rd16(bytes + q + 30) + rd16(bytes + q + 32))
		last = q;
	for (int locator = 0; locator < 2; locator++) {
		uint32_t pad = locator ? 20 : 0xffff - size;
		strbuf d = {0};
		sb_putn(&d, bytes, off + size);
		for (uint32_t i = 0; i < pad; i++)
			sb_putc(&d, '\0');
		if (locator)
			memcpy(d.s + d.len - 20, "PK\6\7", 4);
		wr(d.s + last + 32, rd16(bytes + last + 32) + pad, 2);
		sb_putn(&d, e, 22);
		wr(d.s + d.len - 22 + 12, size + pad, 4);
		put_bytes(bad, d.s, d.len);
		sb_free(&d);
		bool ok = backend_of(bad, &b, why, sizeof why);
		CHECK(!ok && strstr(why, "zip64"), "zip64 lookalike (%s): %s, '%s'",
		      locator ? "locator" : "size 0xffff", ok ? "read" : "failed", why);
		tfplan_backend_free(&b);
	}
}

/* The plan file reader on a real plan made by terraform (when installed):
 * zip, inflate, protobuf field 13, msgpack configuration; then damaged
 * copies, which must fail rather than be guessed. */
static void test_plan_backend(void)
{
	const char *tfbin = "/usr/local/bin/terraform";
	char why[256];
	tfplan_backend b;

	if (access(tfbin, X_OK) != 0) {
		printf("# terraform not installed: the plan file reader was not tested\n");
		return;
	}
	char *dir = xasprintf("%s/realplan", root);
	char *main_tf = xasprintf(
	    "terraform {\n  backend \"local\" {\n    path = \"%s/prod/terraform.tfstate\"\n  }\n}\n"
	    "resource \"terraform_data\" \"a\" {\n  input = \"a\"\n}\n",
	    root);
	put("realplan/main.tf", main_tf);
	free(main_tf);
	char *cmd =
	    xasprintf("cd '%s' && export TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 && "
	              "%s init -input=false >/dev/null && %s workspace new stg-eu >/dev/null && "
	              "%s plan -input=false -out=x.plan >/dev/null",
	              dir, tfbin, tfbin, tfbin);
	CHECK(system(cmd) == 0, "terraform made a plan: %s", cmd);
	free(cmd);
	char *plan = xasprintf("%s/x.plan", dir);
	CHECK(backend_of(plan, &b, why, sizeof why), "read: %s", why);
	CHECK_STR(b.type, "local");
	CHECK_STR(b.workspace, "stg-eu");
	bool path_seen = false;
	for (size_t i = 0; i < b.keys.n; i++)
		if (!strcmp(b.keys.v[i], "path") &&
		    str_ends(b.values.v[i], "/prod/terraform.tfstate"))
			path_seen = true;
	CHECK(path_seen, "the backend's path is among %zu configuration strings", b.keys.n);
	tfplan_backend_free(&b);

	size_t n = 0;
	char *bytes = get_bytes(plan, &n);
	char *bad = xasprintf("%s/bad.plan", dir);
	static const struct {
		const char *what, *why;
	} damage[] = {
	    {"truncated", "zip"},
	    {"prefixed", "between the central directory"},
	    {"flipped", "tfplan entry"},
	    {"not zip", "not a zip"},
	};
	for (size_t i = 0; bytes && i < sizeof damage / sizeof *damage; i++) {
		strbuf d = {0};
		if (i == 0) {
			sb_putn(&d, bytes, n - 10);
		} else if (i == 1) {
			sb_puts(&d, "junk");
			sb_putn(&d, bytes, n);
		} else if (i == 2) {
			sb_putn(&d, bytes, n);
			d.s[30 + 6 + 10] ^= 0x55; /* inside the first entry's data: tfplan */
		} else {
			sb_puts(&d, "{\"format_version\":\"1.2\"}");
		}
		put_bytes(bad, d.s, d.len);
		sb_free(&d);
		bool ok = backend_of(bad, &b, why, sizeof why);
		CHECK(!ok && strstr(why, damage[i].why), "%s: %s, '%s'", damage[i].what,
		      ok ? "read" : "failed", why);
		tfplan_backend_free(&b);
	}
	check_zip64_lookalikes(bytes, n, bad);
	/* a plan of a development directory, hidden in the production plan */
	put("devplan/main.tf", "resource \"terraform_data\" \"a\" {\n  input = \"a\"\n}\n");
	cmd = xasprintf("cd '%s/devplan' && export TF_CLI_CONFIG_FILE=/dev/null "
	                "CHECKPOINT_DISABLE=1 && %s init -input=false >/dev/null && "
	                "%s plan -input=false -out=d.plan >/dev/null",
	                root, tfbin, tfbin);
	CHECK(system(cmd) == 0, "terraform made a plan: %s", cmd);
	free(cmd);
	char *dplan = xasprintf("%s/devplan/d.plan", root);
	size_t dn = 0;
	char *dbytes = get_bytes(dplan, &dn);
	if (bytes && dbytes) {
		strbuf z = {0};
		craft_zip64(bytes, n, dbytes, dn, &z);
		put_bytes(bad, z.s, z.len);
		sb_free(&z);
		bool ok = backend_of(bad, &b, why, sizeof why);
		CHECK(!ok && strstr(why, "zip64"), "crafted zip64: %s (workspace %s), '%s'",
		      ok ? "read" : "failed", ok ? b.workspace : "", why);
		tfplan_backend_free(&b);
	}
	free(dbytes);
	free(dplan);
	/* in the analysis: the plan's backend and workspace count */
	facts fx;
	tf(&fx, ARGV("apply", "x.plan"), (how){.cwd = "realplan"});
	CHECK_STR(f(&fx, "plan_backend"), "local");
	CHECK_STR(f(&fx, "plan_workspace"), "stg-eu");
	CHECK_STR(fx.environment, "production"); /* the backend's path */
	facts_free(&fx);
	tf(&fx, ARGV("apply", "bad.plan"), (how){.cwd = "realplan"});
	CHECK_STR(f(&fx, "plan_backend"), "unknown");
	CHECK_STR(fx.environment, "production"); /* unknown_remote */
	facts_free(&fx);
	free(bytes);
	free(bad);
	free(plan);
	free(dir);
}

int main(void)
{
	char e[256];

	if (!mkdtemp(root) || !config_load_default(&cfg, e, sizeof e)) {
		printf("not ok setup: %s\n", e);
		return 1;
	}
	standin = realpath("tests/fixtures/terraform/stand-in", NULL);
	CHECK(standin != NULL, "run from the repository: tests/fixtures/terraform/stand-in");
	logfile = xasprintf("%s/standin.log", root);
	tmpdir = xasprintf("%s/tmp", root);
	mkdir(tmpdir, 0700);
	test_spellings();
	test_commands();
	test_global();
	test_env_args();
	test_workspace();
	test_target_names();
	test_plan_backend();
	if (standin) {
		test_plan_files();
		in_session(gate_on_terminal, true);
		in_session(gate_without_terminal, false);
	}
	char *cmd = xasprintf("rm -rf '%s'", root);
	if (system(cmd) != 0)
		printf("could not remove %s\n", root);
	free(cmd);
	free(standin);
	free(logfile);
	free(tmpdir);
	config_free(&cfg);
	return unit_done();
}
