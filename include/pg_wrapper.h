/* pg_wrapper.h - Debian's /usr/bin/psql and /usr/bin/pg_restore are not the
 * PostgreSQL programs but postgresql-common's pg_wrapper, a Perl script
 * that picks a "cluster" and then execs the real program with PGHOST,
 * PGPORT and PGDATABASE set from it. Its inputs - the --cluster option,
 * PGCLUSTER, ~/.postgresqlrc and /etc/postgresql-common/user_clusters - can
 * send psql to another server (PGCLUSTER=15/db.prod:5432), so the analysis
 * must see the command as the real program will.
 *
 * What is modelled (postgresql-common 248, pg_wrapper and PgCommon.pm):
 *   - the first --cluster V/C or --cluster=V/C before "--" (taken out of
 *     argv, as pg_wrapper does); -h/--host before it drops the cluster;
 *   - PGCLUSTER, unless PGHOST is set;
 *   - with no cluster, host or port given: the first valid line of
 *     ~/.postgresqlrc ("version cluster database"), else of
 *     $PGSYSCONFDIR/user_clusters ("user group version cluster database");
 *   - a cluster "host:port" is a remote server: PGHOST=host (over any
 *     PGHOST), PGPORT=port unless PGPORT is set; a local cluster is its
 *     socket directory and port from $PG_CLUSTER_CONF_ROOT (default
 *     /etc/postgresql)/V/C/postgresql.conf; the map's database becomes
 *     PGDATABASE unless that is set.
 * Not modelled, because the result is a local connection either way: the
 * fallback to the only (or the port-5432) local cluster.
 * A version or cluster that does not exist makes pg_wrapper exit with an
 * error before anything runs; interlock reports it as an analysis failure. */
#ifndef INTERLOCK_PG_WRAPPER_H
#define INTERLOCK_PG_WRAPPER_H

#include <stdbool.h>
#include <stddef.h>

#include "analyse.h"
#include "util.h"

/* Is path (after symlinks) postgresql-common's pg_wrapper? */
bool is_pg_wrapper(const char *path);

/* The command as the program pg_wrapper execs will see it. When pg_wrapper
 * changes nothing, *out = *inv and nothing is allocated. Otherwise out
 * borrows inv's fields but argv and envp, which point into *argv and *env
 * (owned by the caller: sv_clear them after use), and out->wrapped_env is
 * set; *note says what pg_wrapper chose (owned by the caller). false, with
 * err, when pg_wrapper would refuse to run. */
bool pg_wrapper_view(const invocation *inv, invocation *out, strvec *argv, strvec *env, char **note,
                     char *err, size_t errlen);

#endif
