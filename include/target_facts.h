/* target_facts.h - a resolved PostgreSQL target (pg_target.h) as facts:
 * the target fields a rule can match and the names that count towards the
 * environment. Shared by the psql and pg_restore analysers. */
#ifndef INTERLOCK_TARGET_FACTS_H
#define INTERLOCK_TARGET_FACTS_H

#include "analyse.h"
#include "facts.h"
#include "pg_target.h"

/* What libpq needs besides the command line: the tool's environment, the
 * passwd home, the operating-system user. */
pg_conn_args target_conn_args(const invocation *inv);

/* "a,b,c" (owned by the caller). */
char *target_join(const strvec *sv);

/* Sets host, hostaddr, port, database, user, service, conninfo and token
 * (the database name: what a confirmation asks for). */
void target_facts_set(facts *fx, const pg_target *t);

/* Each host, host address, the database and the service count towards the
 * environment (no host: a local socket). */
void target_facts_consider(facts *fx, const config *cfg, const pg_target *t);

/* A target that cannot be known: target fields error and token, one opaque
 * operation (returned, for more fields), and the environment
 * cfg->unknown_remote: unknown means dangerous. */
operation *target_facts_unknown(facts *fx, const config *cfg, const char *dbname, const char *err);

#endif
