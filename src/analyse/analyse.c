/* analyse.c - picks the analyser for the tool. A tool without an analyser
 * is an analysis failure (blocked by the engine), never an empty (harmless)
 * set of operations. */
#include <stdio.h>
#include <string.h>

#include "analyse.h"
#include "classify.h"
#include "pg_wrapper.h"

const char *inv_getenv(const invocation *inv, const char *name)
{
	size_t n = strlen(name);

	for (char *const *e = inv->envp; e && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

static bool analyse_unknown(const invocation *inv, char *err, size_t errlen)
{
	/* Unreachable while guarded_tool() admits only the four analysed
	 * tools; a tool added there without an analyser must not pass. */
	snprintf(err, errlen, "this version has no analyser for %s", inv->tool);
	return false;
}

/* The analyser rewrote the command line it was given (a spool in place
 * of a file, a prompt added), and pg_wrapper took --cluster out of that:
 * the real pg_wrapper must get it back. Right after argv[0] is as good as
 * where it stood: pg_wrapper looks for it before anything else counts. */
static void give_back_cluster(const invocation *inv, const invocation *view, strvec *exec_argv)
{
	int removed = inv->argc - view->argc, k = 1;
	strvec out = {0};

	/* the first place where the words before match and so do the words
	 * after the removed ones */
	for (; k < view->argc; k++) {
		if (strcmp(inv->argv[k], view->argv[k]) != 0)
			break;
		bool rest = true;
		for (int i = k; i < view->argc && rest; i++)
			rest = !strcmp(inv->argv[i + removed], view->argv[i]);
		if (rest)
			break;
	}
	sv_push(&out, exec_argv->v[0]);
	for (int i = k; i < k + removed; i++)
		sv_push(&out, inv->argv[i]);
	for (size_t i = 1; i < exec_argv->n; i++)
		sv_push(&out, exec_argv->v[i]);
	sv_clear(exec_argv);
	*exec_argv = out;
}

/* psql and pg_restore, seen as the program Debian's pg_wrapper (when that
 * is what runs) hands the command to. */
static bool analyse_postgres_client(const invocation *inv, facts *fx, char *err, size_t errlen)
{
	invocation view;
	strvec argv = {0}, env = {0};
	autofree char *note = NULL;
	bool ok = false;

	if (!inv->hermetic && is_pg_wrapper(inv->real_tool)) {
		if (!pg_wrapper_view(inv, &view, &argv, &env, &note, err, errlen))
			goto out;
	} else {
		view = *inv;
	}
	ok = strcmp(inv->tool, "psql") == 0 ? analyse_psql(&view, fx, err, errlen)
	                                    : analyse_pg_restore(&view, fx, err, errlen);
	if (view.argc < inv->argc && fx->exec_argv.n > 0)
		give_back_cluster(inv, &view, &fx->exec_argv);
	if (note)
		sv_push(&fx->notes, note);
out:
	sv_clear(&argv);
	sv_clear(&env);
	return ok;
}

bool analyse(const invocation *inv, facts *fx, char *err, size_t errlen)
{
	fx->tool = inv->tool;
	fx->env_rank = -1;
	fs_set(&fx->target, "cwd", inv->cwd);
	if (strcmp(inv->tool, "rm") == 0)
		return analyse_rm(inv, fx, err, errlen);
	if (strcmp(inv->tool, "pg_restore") == 0 || strcmp(inv->tool, "psql") == 0)
		return analyse_postgres_client(inv, fx, err, errlen);
	if (strcmp(inv->tool, "terraform") == 0)
		return analyse_terraform(inv, fx, err, errlen);
	return analyse_unknown(inv, err, errlen);
}
