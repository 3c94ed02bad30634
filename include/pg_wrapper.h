/* pg_wrapper.h - Debian's /usr/bin/psql and /usr/bin/pg_restore are not the
 * PostgreSQL programs but postgresql-common's pg_wrapper, a Perl script
 * that picks a "cluster" and then execs the real program with PGHOST,
 * PGPORT, PGDATABASE (and more) set from it. Its inputs - the --cluster
 * option, PGCLUSTER, PG_CLUSTER_CONF_ROOT, ~/.postgresqlrc, user_clusters,
 * the clusters' postgresql.conf files - can send psql to another server
 * (PGCLUSTER=15/db.prod:5432), so the analysis must see the command as the
 * real program will.
 *
 * Rather than re-implement pg_wrapper (a model diverges from the Perl in
 * ways that send psql elsewhere than interlock thinks), interlock asks it:
 * it runs pg_wrapper in the Perl interpreter of its #! line, under the name
 * it would be run by, with Perl's exec overridden so that instead of
 * running the program it writes back the command line and environment it
 * would run it with. pg_wrapper connects nowhere; it costs about 20 ms. */
#ifndef INTERLOCK_PG_WRAPPER_H
#define INTERLOCK_PG_WRAPPER_H

#include <stdbool.h>
#include <stddef.h>

#include "analyse.h"
#include "util.h"

/* Is path (after symlinks) postgresql-common's pg_wrapper? */
bool is_pg_wrapper(const char *path);

/* The command as the program pg_wrapper execs will see it. out borrows
 * inv's fields but argv and envp, which point into *argv and *env (owned
 * by the caller: sv_clear them after use); out->wrapped_env is set. *note
 * (owned by the caller, NULL when nothing changed) says where pg_wrapper
 * sends the command. false, with err, when pg_wrapper refuses to run or
 * cannot be asked. */
bool pg_wrapper_view(const invocation *inv, invocation *out, strvec *argv, strvec *env, char **note,
                     char *err, size_t errlen);

#endif
