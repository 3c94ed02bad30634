/* Unit tests: configuration layering, the administrator's lock, list
 * syntax, path globs. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "classify.h"
#include "config.h"
#include "unit.h"

static char dir[] = "/tmp/interlock-cfg.XXXXXX";

static char *write_file(const char *name, const char *text)
{
	char *p = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	chmod(p, 0644);
	return p;
}

int main(void)
{
	config cfg;
	char err[512];

	if (!mkdtemp(dir))
		return 1;
	char *sys = write_file("sys.ini", "[interlock]\nlock_user_config = yes\n"
	                                  "[rm]\nprotected = /data\n");
	char *user = write_file("user.ini", "[rm]\nprotected = /nothing\n");
	char *bad = write_file("bad.ini", "[interlock]\nlock_user_config = no\n");
	char *none = xasprintf("%s/missing.ini", dir);

	/* without a system file, INTERLOCK_CONFIG is the file */
	setenv("INTERLOCK_CONFIG", user, 1);
	CHECK(config_load_from(&cfg, none, false, err, sizeof err), "%s", err);
	CHECK(cfg.protected_extra.n == 1 && !strcmp(cfg.protected_extra.v[0], "/nothing"),
	      "INTERLOCK_CONFIG applies");
	config_free(&cfg);

	/* a locked system file: INTERLOCK_CONFIG and the user's files are ignored */
	CHECK(config_load_from(&cfg, sys, false, err, sizeof err), "%s", err);
	CHECK(cfg.locked && cfg.standard_only, "locked");
	CHECK(cfg.protected_extra.n == 1 && !strcmp(cfg.protected_extra.v[0], "/data"),
	      "the system file's protected paths stand");
	config_free(&cfg);

	/* lock_user_config anywhere but the system file is an error */
	setenv("INTERLOCK_CONFIG", bad, 1);
	CHECK(!config_load_from(&cfg, none, false, err, sizeof err), "must fail");
	CHECK(strstr(err, "bad.ini:2:1: lock_user_config is honoured only in the system file") !=
	          NULL,
	      "message: %s", err);
	config_free(&cfg);
	unsetenv("INTERLOCK_CONFIG");

	/* quoted list items keep commas and spaces; paths cover descendants */
	CHECK(config_load_default_plus(&cfg,
	                               "[rm]\nprotected = \"/srv/my data, old\", /x\n"
	                               "[production]\npaths = /data/live\n",
	                               err, sizeof err),
	      "%s", err);
	CHECK(cfg.protected_extra.n == 2, "two items, got %zu", cfg.protected_extra.n);
	CHECK_STR(cfg.protected_extra.v[0], "/srv/my data, old");
	CHECK_STR(cfg.protected_extra.v[1], "/x");
	const environment *e = classify_name(&cfg, NAME_PATH, "/data/live/a/b");
	CHECK(e && !strcmp(e->name, "production"), "a path below a production glob");
	e = classify_name(&cfg, NAME_PATH, "/data/liveness");
	CHECK(!e, "a sibling with a longer name is not below it");
	config_free(&cfg);

	/* an unknown section key names the section and the line */
	CHECK(!config_load_default_plus(&cfg, "[staging]\n\ncolor = teal\n", err, sizeof err),
	      "bad colour");
	CHECK(strstr(err, "<example config>:3:1: expected a colour") != NULL, "got: %s", err);
	config_free(&cfg);

	unlink(sys);
	unlink(user);
	unlink(bad);
	rmdir(dir);
	free(sys);
	free(user);
	free(bad);
	free(none);
	return unit_done();
}
