/* target_facts.c - a resolved PostgreSQL target as facts (target_facts.h). */
#include <pwd.h>
#include <unistd.h>

#include "classify.h"
#include "target_facts.h"

pg_conn_args target_conn_args(const invocation *inv)
{
	struct passwd *pw = getpwuid(getuid());

	return (pg_conn_args){
	    .envp = inv->envp, .home = inv->cfg->home, .os_user = pw ? pw->pw_name : "postgres"};
}

char *target_join(const strvec *sv)
{
	strbuf b = {0};

	for (size_t i = 0; i < sv->n; i++) {
		if (i)
			sb_putc(&b, ',');
		sb_puts(&b, sv->v[i]);
	}
	return sb_steal(&b);
}

void target_facts_set(facts *fx, const pg_target *t)
{
	autofree char *hosts = target_join(&t->hosts);
	autofree char *addrs = target_join(&t->hostaddrs);
	autofree char *ports = target_join(&t->ports);

	fs_set(&fx->target, "host", *hosts ? hosts : "(local socket)");
	if (*addrs)
		fs_set(&fx->target, "hostaddr", addrs);
	fs_set(&fx->target, "port", ports);
	fs_set(&fx->target, "database", t->dbname ? t->dbname : "");
	fs_set(&fx->target, "user", t->user ? t->user : "");
	if (t->service)
		fs_set(&fx->target, "service", t->service);
	fs_set(&fx->target, "conninfo", t->conninfo ? t->conninfo : "");
	fs_set(&fx->target, "token", t->dbname ? t->dbname : "");
}

void target_facts_consider(facts *fx, const config *cfg, const pg_target *t)
{
	if (t->hosts.n == 0)
		facts_consider(fx, cfg, NAME_HOST, "");
	for (size_t i = 0; i < t->hosts.n; i++)
		facts_consider(fx, cfg, NAME_HOST, t->hosts.v[i]);
	for (size_t i = 0; i < t->hostaddrs.n; i++)
		facts_consider(fx, cfg, NAME_HOST, t->hostaddrs.v[i]);
	if (t->dbname)
		facts_consider(fx, cfg, NAME_DATABASE, t->dbname);
	if (t->service)
		facts_consider(fx, cfg, NAME_SERVICE, t->service);
}

operation *target_facts_unknown(facts *fx, const config *cfg, const char *dbname, const char *err)
{
	fs_set(&fx->target, "error", err);
	fs_set(&fx->target, "token", dbname && *dbname ? dbname : "?");
	operation *op = facts_add_op(fx, "opaque");
	fs_setf(&op->f, "reason", "the connection target cannot be known: %s", err);
	facts_adopt_env(fx, cfg, cfg->unknown_remote);
	return op;
}
