/* Unit tests: the pg_restore analyser - its command line, what it hands the
 * helper pg_restore, and how it reads the script the helper prints. The
 * helper here is a fake pg_restore (a shell script) that records its
 * arguments and prints a given script, or its stdin; the real one against a
 * real archive is tested in tests/bats/pg_restore.bats. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyse.h"
#include "unit.h"

static config cfg;
static char root[] = "/tmp/interlock-unit-pgr.XXXXXX";
static char *fake, *env_dir;

static void put(const char *name, const char *text)
{
	char *p = xasprintf("%s/%s", root, name);
	int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0755);
	if (fd >= 0) {
		if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
			printf("short write to %s\n", p);
		close(fd);
	}
	free(p);
}

static void drop(const char *name)
{
	char *p = xasprintf("%s/%s", root, name);
	unlink(p);
	free(p);
}

static char *slurp(const char *name)
{
	char *p = xasprintf("%s/%s", root, name);
	size_t len;
	char *s = read_file(p, &len);
	free(p);
	return s;
}

/* The fake's script (out), or its stdin when there is none; stderr and
 * exit status from files. */
static void fake_prints(const char *script)
{
	drop("args");
	drop("stderr");
	drop("status");
	if (script)
		put("out", script);
	else
		drop("out");
}

typedef struct {
	bool dry, no_tool;
	int stdin_fd;
	char **envp;
} run_opts;

static void run_with(facts *fx, char **argv, const run_opts *ro)
{
	char *default_env[] = {env_dir, NULL};
	char err[256];
	int argc = 0;

	while (argv[argc])
		argc++;
	*fx = (facts){0};
	invocation inv = {.tool = "pg_restore",
	                  .argc = argc,
	                  .argv = argv,
	                  .envp = ro->envp ? ro->envp : default_env,
	                  .cwd = root,
	                  .cfg = &cfg,
	                  .real_tool = ro->no_tool ? NULL : fake,
	                  .dry = ro->dry,
	                  .stdin_fd = ro->stdin_fd};
	CHECK(analyse(&inv, fx, err, sizeof err), "analyse: %s", err);
}

static void run(facts *fx, char **argv)
{
	run_opts ro = {.dry = true, .stdin_fd = -1};
	run_with(fx, argv, &ro);
}

static size_t find(const facts *fx, const char *kind, size_t from)
{
	for (size_t i = from; i < fx->n_ops; i++)
		if (!strcmp(fx->ops[i].kind, kind))
			return i;
	return SIZE_MAX;
}

static const char *opf(const facts *fx, const char *kind, const char *name)
{
	size_t i = find(fx, kind, 0);
	return i == SIZE_MAX ? NULL : fs_get(&fx->ops[i].f, name);
}

static bool reason_has(const facts *fx, const char *needle)
{
	for (size_t i = 0; i < fx->n_ops; i++) {
		const char *r = fs_get(&fx->ops[i].f, "reason");
		if (!strcmp(fx->ops[i].kind, "opaque") && r && strstr(r, needle))
			return true;
	}
	return false;
}

static void test_helper_arguments(void)
{
	facts fx;

	fake_prints("SELECT 1;\n");
	run(&fx, (char *[]){"pg_restore", "-c", "-C", "-d", "postgres", "--if-ex", "-n", "s1",
	                    "-ts1.t1", "-j4", "-v", "-Fc", "-h", "localhost", "--role=app",
	                    "--no-acl", "-1e", "dump.pgc", NULL});
	char *args = slurp("args");
	CHECK_STR(args,
	          "--file=-\n--clean\n--create\n--if-exists\n--schema=s1\n--table=s1.t1\n"
	          "--format=c\n--host=localhost\n--role=app\n--no-acl\n--single-transaction\n--\n"
	          "dump.pgc\n");
	free(args);
	CHECK_STR(opf(&fx, "restore", "archive"), "dump.pgc");
	CHECK_STR(opf(&fx, "restore", "output"), "database");
	CHECK_STR(opf(&fx, "restore", "clean"), "yes");
	CHECK_STR(opf(&fx, "restore", "create"), "yes");
	CHECK_STR(opf(&fx, "restore", "single_transaction"), "yes");
	CHECK_STR(opf(&fx, "restore", "data_only"), "no");
	CHECK_STR(opf(&fx, "restore", "list"), "no");
	CHECK_STR(fs_get(&fx.target, "database"), "postgres");
	CHECK(find(&fx, "opaque", 0) == SIZE_MAX, "no opaque operation");
	facts_free(&fx);

	/* getopt_long permutes; an operand that looks like an option after -- */
	fake_prints("");
	run(&fx, (char *[]){"pg_restore", "dump", "--data-only", "-d", "x", "--", "-odd", NULL});
	args = slurp("args");
	CHECK_STR(args, "--file=-\n--data-only\n--\ndump\n-odd\n");
	free(args);
	CHECK_STR(opf(&fx, "restore", "data_only"), "yes");
	facts_free(&fx);

	/* ... except with POSIXLY_CORRECT: after the first operand, all are */
	fake_prints("");
	run_with(&fx, (char *[]){"pg_restore", "-d", "x", "dump", "--clean", NULL},
	         &(run_opts){.dry = true,
	                     .stdin_fd = -1,
	                     .envp = (char *[]){env_dir, "POSIXLY_CORRECT=1", NULL}});
	CHECK_STR(opf(&fx, "restore", "clean"), "no");
	args = slurp("args");
	CHECK_STR(args, "--file=-\n--\ndump\n--clean\n");
	free(args);
	facts_free(&fx);
}

static void test_no_database(void)
{
	facts fx;

	/* --list, and -f without -d: no helper, no target, development */
	fake_prints("DROP TABLE t;\n");
	run(&fx, (char *[]){"pg_restore", "-l", "-d", "postgresql://prod-db/shop", "x", NULL});
	char *args = slurp("args");
	CHECK(args == NULL, "the helper must not run for --list");
	free(args);
	CHECK(fx.n_ops == 1, "only the restore operation, got %zu", fx.n_ops);
	CHECK_STR(opf(&fx, "restore", "list"), "yes");
	CHECK_STR(opf(&fx, "restore", "output"), "-");
	CHECK_STR(fx.environment, "development");
	facts_free(&fx);

	run(&fx, (char *[]){"pg_restore", "--clean", "--file=out.sql", "x", NULL});
	CHECK(fx.n_ops == 1, "only the restore operation, got %zu", fx.n_ops);
	CHECK_STR(opf(&fx, "restore", "output"), "out.sql");
	CHECK_STR(fx.environment, "development");
	facts_free(&fx);

	run(&fx, (char *[]){"pg_restore", "x", NULL}); /* pg_restore refuses */
	CHECK_STR(opf(&fx, "restore", "output"), "none");
	facts_free(&fx);

	/* --help counts only first; elsewhere pg_restore refuses it */
	run(&fx, (char *[]){"pg_restore", "--help", "-d", "prod", NULL});
	CHECK(fx.n_ops == 0, "--help: nothing, got %zu operations", fx.n_ops);
	facts_free(&fx);
	fake_prints("");
	run(&fx, (char *[]){"pg_restore", "-d", "x", "--help", "--no-p", "-Z", NULL});
	CHECK(reason_has(&fx, "--help is not"), "--help after the first argument is unknown");
	CHECK(reason_has(&fx, "--no-p is not"), "an ambiguous abbreviation is unknown");
	CHECK(reason_has(&fx, "-Z is not"), "an unknown short option");
	facts_free(&fx);
}

static void test_script(void)
{
	facts fx;

	/* --create: the archive's database, whatever -d says, from CREATE
	 * DATABASE and \connect; the token asks for it */
	fake_prints(
	    "SET client_min_messages = warning;\n"
	    "\\restrict abc\n"
	    "DROP DATABASE app_production;\n"
	    "--\n-- Name: app_production; Type: DATABASE; Schema: -; Owner: postgres\n--\n\n"
	    "CREATE DATABASE app_production WITH TEMPLATE = template0;\n"
	    "\\unrestrict abc\n"
	    "\\connect app_production\n"
	    "\\restrict abc\n"
	    "--\n-- Name: t; Type: TABLE; Schema: public; Owner: postgres\n--\n\n"
	    "CREATE TABLE t (id int);\n"
	    "--\n-- Data for Name: t; Type: TABLE DATA; Schema: public; Owner: postgres\n--\n\n"
	    "COPY t (id) FROM stdin;\n"
	    "1\n"
	    "DROP TABLE x; -- data, not SQL\n"
	    "\\.\n"
	    "--\n-- Name: TABLE t; Type: ACL; Schema: public; Owner: postgres\n--\n\n"
	    "GRANT SELECT ON t TO PUBLIC;\n"
	    "\\unrestrict abc\n");
	run(&fx, (char *[]){"pg_restore", "-c", "-C", "-d", "postgres", "a.dump", NULL});
	CHECK_STR(opf(&fx, "restore", "archive_database"), "app_production");
	CHECK_STR(fs_get(&fx.target, "token"), "app_production");
	CHECK_STR(fs_get(&fx.target, "database"), "postgres");
	CHECK_STR(fx.environment, "production");
	CHECK_STR(opf(&fx, "drop-database", "name"), "app_production");
	CHECK_STR(opf(&fx, "copy-in", "table"), "t");
	CHECK_STR(opf(&fx, "privilege", "statement"), "GRANT");
	CHECK_STR(opf(&fx, "privilege", "source"), "a.dump");
	CHECK(find(&fx, "drop", 0) == SIZE_MAX, "COPY data is not SQL");
	CHECK(find(&fx, "opaque", 0) == SIZE_MAX, "nothing opaque");
	CHECK(fx.notes.n == 1 && strstr(fx.notes.v[0], "--create"), "a --create note");
	facts_free(&fx);

	/* names with capitals and odd characters, as appendPsqlMetaConnect
	 * writes them */
	fake_prints("CREATE DATABASE \"Shop\"\"s DB\";\n"
	            "\\connect -reuse-previous=on \"dbname='Shop\"\"s DB'\"\n");
	run(&fx, (char *[]){"pg_restore", "-C", "-d", "postgres", "a.dump", NULL});
	CHECK_STR(opf(&fx, "restore", "archive_database"), "Shop\"s DB");
	CHECK(find(&fx, "opaque", 0) == SIZE_MAX, "the \\connect is understood");
	facts_free(&fx);

	fake_prints("CREATE DATABASE \"a\\b\";\n"
	            "\\encoding SQL_ASCII\n"
	            "\\connect -reuse-previous=on \"dbname='a\\\\b'\"\n");
	run(&fx, (char *[]){"pg_restore", "-C", "-d", "postgres", "a.dump", NULL});
	CHECK_STR(opf(&fx, "restore", "archive_database"), "a\\b");
	CHECK(find(&fx, "opaque", 0) == SIZE_MAX, "a backslash in the \\connect");
	facts_free(&fx);

	fake_prints("CREATE DATABASE \"Stage_DB\";\n\\connect \"Stage_DB\"\n");
	run(&fx, (char *[]){"pg_restore", "-C", "-d", "postgres", "a.dump", NULL});
	CHECK_STR(opf(&fx, "restore", "archive_database"), "Stage_DB");
	CHECK_STR(fx.environment, "staging");
	facts_free(&fx);

	fake_prints("\\connect -reuse-previous=on \"dbname='it\\\\'s' host=elsewhere\"\n");
	run(&fx, (char *[]){"pg_restore", "-d", "postgres", "a.dump", NULL});
	CHECK(reason_has(&fx, "cannot be read"), "a \\connect elsewhere is opaque");
	CHECK_STR(fx.environment, "production"); /* unknown means dangerous */
	facts_free(&fx);

	/* psql meta-commands pg_restore never writes */
	fake_prints("SELECT 1;\n\\! rm -rf /\nSELECT 1 \\gexec\n");
	run(&fx, (char *[]){"pg_restore", "-d", "postgres", "a.dump", NULL});
	CHECK(reason_has(&fx, "\\! rm -rf /"), "\\! is opaque");
	CHECK(reason_has(&fx, "\\gexec"), "\\gexec is opaque");
	facts_free(&fx);

	/* a script that ends inside a quote */
	fake_prints("SELECT 'open;\n");
	run(&fx, (char *[]){"pg_restore", "-d", "postgres", "a.dump", NULL});
	CHECK(reason_has(&fx, "ends inside"), "an unfinished script is opaque");
	facts_free(&fx);
}

static size_t count(const facts *fx, const char *kind)
{
	size_t n = 0;

	for (size_t i = 0; i < fx->n_ops; i++)
		n += !strcmp(fx->ops[i].kind, kind);
	return n;
}

#define ENTRY(name) "--\n-- Name: " name "; Type: COMMENT; Schema: public; Owner: o\n--\n\n"

/* pg_restore sends each archive entry as a query of its own: a quote one
 * entry leaves open does not hide the next one from the server, so it must
 * not hide it here either. */
static void test_entries(void)
{
	facts fx;

	fake_prints("SET client_min_messages = warning;\n" ENTRY("a") "SELECT $q$\n\n\n" ENTRY(
	    "b") "DROP SCHEMA keepme CASCADE;\n\n\n" ENTRY("c") "$q$;\n\n\n");
	run(&fx, (char *[]){"pg_restore", "-d", "postgres", "a.dump", NULL});
	size_t d = find(&fx, "drop", 0);
	CHECK(d != SIZE_MAX, "the DROP SCHEMA between two open quotes is seen");
	if (d != SIZE_MAX)
		CHECK_STR(fs_get(&fx.ops[d].f, "line"), "13"); /* a script line */
	CHECK(count(&fx, "opaque") == 2, "the two open entries are opaque, got %zu",
	      count(&fx, "opaque"));
	CHECK(reason_has(&fx, "ends inside unterminated dollar-quoted"), "why: the open quote");
	facts_free(&fx);

	/* with --clean, every DROP comes before the first entry, without a
	 * header: a line each */
	fake_prints("SELECT $q$\nDROP SCHEMA keepme CASCADE;\n$q$;\n" ENTRY("a") "SELECT 1;\n");
	run(&fx, (char *[]){"pg_restore", "-c", "-d", "postgres", "a.dump", NULL});
	CHECK(find(&fx, "drop", 0) != SIZE_MAX, "before the first entry, each line on its own");
	CHECK(count(&fx, "opaque") == 2, "two open lines, got %zu", count(&fx, "opaque"));
	facts_free(&fx);

	/* COPY data without its \. does not run on into the next entry */
	fake_prints(ENTRY("t") "COPY t (id) FROM stdin;\n1\n" ENTRY("x") "DROP TABLE x;\n");
	run(&fx, (char *[]){"pg_restore", "-d", "postgres", "a.dump", NULL});
	CHECK_STR(opf(&fx, "copy-in", "table"), "t");
	CHECK_STR(opf(&fx, "drop", "names"), "x");
	facts_free(&fx);

	/* text that only looks like a header cuts an entry in two: what is cut
	 * is opaque, never quieter (SELECT f ... () calls f) */
	fake_prints(ENTRY("a") "SELECT f\n" ENTRY("b") "();\n");
	run(&fx, (char *[]){"pg_restore", "-d", "postgres", "a.dump", NULL});
	CHECK(reason_has(&fx, "without ;"), "an entry cut in a statement is opaque");
	facts_free(&fx);

	/* other header forms: -v, and data */
	fake_prints("--\n-- TOC entry 5 (class 0 OID 0)\n--\nSELECT $q$\n"
	            "--\n-- Data for Name: t; Type: TABLE DATA; Schema: public; Owner: o\n"
	            "TRUNCATE t;\n");
	run(&fx, (char *[]){"pg_restore", "-d", "postgres", "a.dump", NULL});
	CHECK_STR(opf(&fx, "truncate", "statement"), "TRUNCATE");
	facts_free(&fx);

	/* however the script arrives in pieces: many entries, a header at every
	 * read boundary sooner or later */
	strbuf b = {0};
	for (int i = 0; i < 3000; i++)
		sb_puts(&b, i % 3 == 0   ? ENTRY("a") "SELECT $q$\n\n\n"
		            : i % 3 == 1 ? ENTRY("b") "DROP TABLE t;\n\n\n"
		                         : ENTRY("c") "$q$;\n\n\n");
	fake_prints(b.s);
	sb_free(&b);
	run(&fx, (char *[]){"pg_restore", "-d", "postgres", "a.dump", NULL});
	CHECK(count(&fx, "drop") == 1000, "every DROP, got %zu", count(&fx, "drop"));
	CHECK(count(&fx, "opaque") == 2000, "every open entry, got %zu", count(&fx, "opaque"));
	facts_free(&fx);
}

static void test_failures(void)
{
	facts fx;

	fake_prints("");
	put("stderr", "pg_restore: error: input file does not appear to be a valid archive\n");
	put("status", "1");
	run(&fx, (char *[]){"pg_restore", "-d", "postgres", "bad.dump", NULL});
	CHECK(reason_has(&fx, "exited 1: pg_restore: error: input file does not appear"),
	      "the helper's failure is opaque, with its message");
	CHECK_STR(opf(&fx, "restore", "archive_database"), "");
	CHECK_STR(fx.environment, "development");
	facts_free(&fx);

	/* --create with an unreadable archive: where the data goes is unknown */
	run(&fx, (char *[]){"pg_restore", "-C", "-d", "postgres", "bad.dump", NULL});
	CHECK_STR(fx.environment, "production");
	facts_free(&fx);

	run_with(&fx, (char *[]){"pg_restore", "-d", "postgres", "a.dump", NULL},
	         &(run_opts){.dry = true, .no_tool = true, .stdin_fd = -1});
	CHECK(reason_has(&fx, "not found"), "no real pg_restore: opaque");
	facts_free(&fx);

	/* a -L list that is not a regular file is not taken from pg_restore */
	fake_prints("SELECT 1;\n");
	run(&fx, (char *[]){"pg_restore", "-L", "/dev/null", "-d", "postgres", "a.dump", NULL});
	CHECK(reason_has(&fx, "-L list"), "-L /dev/null is opaque");
	char *args = slurp("args");
	CHECK(args == NULL, "the helper did not run");
	free(args);
	facts_free(&fx);
}

static void test_stdin_spool(void)
{
	facts fx;
	const char *archive = "TRUNCATE t;\n\xff\x01 bytes\n";
	int in = memfd_create("stdin", MFD_CLOEXEC);

	if (write(in, archive, strlen(archive)) != (ssize_t)strlen(archive) ||
	    lseek(in, 0, SEEK_SET) != 0)
		printf("memfd setup failed\n");
	fake_prints(NULL); /* the fake prints its stdin */
	run_with(&fx, (char *[]){"pg_restore", "-d", "postgres", NULL},
	         &(run_opts){.dry = false, .stdin_fd = in});
	CHECK_STR(opf(&fx, "restore", "archive"), "stdin");
	CHECK_STR(opf(&fx, "truncate", "statement"), "TRUNCATE");
	CHECK(fx.exec_stdin > 2, "the spool becomes the tool's stdin");
	char buf[64] = "";
	ssize_t r = fx.exec_stdin > 2 ? read(fx.exec_stdin, buf, sizeof buf - 1) : -1;
	CHECK(r == (ssize_t)strlen(archive) && !memcmp(buf, archive, strlen(archive)),
	      "the spool holds exactly the bytes read (%zd)", r);
	char *args = slurp("args");
	CHECK_STR(args, "--file=-\n");
	free(args);
	if (fx.exec_stdin > 2)
		close(fx.exec_stdin);
	facts_free(&fx);
	close(in);

	/* a terminal is not read */
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0) {
		int tty = open(ptsname(master), O_RDWR | O_NOCTTY);
		fake_prints(NULL);
		run_with(&fx, (char *[]){"pg_restore", "-d", "postgres", NULL},
		         &(run_opts){.dry = false, .stdin_fd = tty});
		CHECK(reason_has(&fx, "terminal"), "an archive from the terminal is opaque");
		CHECK(fx.exec_stdin <= 0, "no spool for a terminal");
		facts_free(&fx);
		close(tty);
	}
	if (master >= 0)
		close(master);
}

static int remove_all(void)
{
	const char *names[] = {"args", "out", "stderr", "status", "fake"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		drop(names[i]);
	return rmdir(root);
}

int main(void)
{
	char err[256];

	if (!mkdtemp(root) || !config_load_default(&cfg, err, sizeof err)) {
		printf("setup failed\n");
		return 1;
	}
	fake = xasprintf("%s/fake", root);
	env_dir = xasprintf("FAKE_DIR=%s", root);
	put("fake",
	    "#!/bin/sh\n"
	    "for a in \"$@\"; do printf '%s\\n' \"$a\"; done >\"$FAKE_DIR/args\"\n"
	    "[ -f \"$FAKE_DIR/stderr\" ] && /bin/cat \"$FAKE_DIR/stderr\" >&2\n"
	    "if [ -f \"$FAKE_DIR/out\" ]; then /bin/cat \"$FAKE_DIR/out\"; else /bin/cat; fi\n"
	    "[ -f \"$FAKE_DIR/status\" ] && exit \"$(/bin/cat \"$FAKE_DIR/status\")\"\n"
	    "exit 0\n");
	test_helper_arguments();
	test_no_database();
	test_script();
	test_entries();
	test_failures();
	test_stdin_spool();
	remove_all();
	free(fake);
	free(env_dir);
	config_free(&cfg);
	return unit_done();
}
