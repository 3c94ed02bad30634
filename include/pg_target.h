/* pg_target.h - which PostgreSQL server and database a psql or pg_restore
 * invocation will reach, resolved exactly as libpq would: connection
 * string or URI (parsed by libpq's own PQconninfoParse, loaded with dlopen
 * only on this path), then the service file, then PG* environment
 * variables, then libpq's defaults. */
#ifndef INTERLOCK_PG_TARGET_H
#define INTERLOCK_PG_TARGET_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* What the command line said. NULL or "" = not given (libpq ignores empty
 * values). psql and pg_restore hand libpq host, port, user, then dbname
 * with expand_dbname, so when dbname is a connection string (contains
 * '=') or a URI (postgres:// or postgresql://) every value inside it
 * overrides host/port/user; an empty one too. */
typedef struct {
	const char *dbname;  /* the last -d / --dbname, else psql's first operand;
	                        psql -l without one passes "postgres" */
	const char *host;    /* -h */
	const char *port;    /* -p */
	const char *user;    /* -U, or psql's second operand */
	char *const *envp;   /* the environment the tool will get (NULL = none):
	                        PG* variables, and HOME for ~/.pg_service.conf */
	const char *home;    /* passwd home: ~ for ~/.pg_service.conf when envp
	                        has no HOME or an empty one (libpq prefers $HOME) */
	const char *os_user; /* libpq's default user name (the effective uid's) */
} pg_conn_args;

/* Where psql would connect. libpq tries the hosts in order, each a slot
 * i with hosts.v[i], ports.v[i] and, when hostaddrs.n, hostaddrs.v[i];
 * the three lists have the same length, at least 1. */
typedef struct {
	strvec hosts;          /* per slot, as PQhost() reports it: the host name, or
	                          a socket directory (starts with '/', or '@' for
	                          Linux's abstract namespace: local too; libpq's
	                          default one filled in where none was given), or the
	                          hostaddr when the slot has only that */
	strvec hostaddrs;      /* empty when no hostaddr was given; else per slot, ""
	                          where that slot has none. A non-empty hostaddr is
	                          where the connection goes (TCP), whatever the
	                          slot's host says: the name then only serves TLS
	                          and .pgpass. Classify by both. */
	strvec ports;          /* per slot, decimal, default filled in */
	char *dbname;          /* owned; never NULL */
	char *user;            /* owned; never NULL */
	char *service;         /* owned: the service used (service= or PGSERVICE),
	                          NULL when none */
	char *conninfo;        /* owned: "key='value' ..." reaching the same server,
	                          database and user, for interlock's own read-only
	                          EXPLAIN connection. Every target key is spelt out
	                          (hostaddr='' too), so the connecting process's own
	                          PG* variables and service files cannot move it.
	                          Never holds a password (it may be logged) */
	char *source;          /* owned: where each value came from, e.g. "host from
	                          -d URI, port default, dbname from service 'prod'
	                          (~/.pg_service.conf), user from PGUSER" */
	char *options;         /* owned: the options libpq sends (-c settings for the
	                          server), NULL when none */
	bool options_env;      /* options came from PGOPTIONS (not replaced by a
	                          connection string or a service) */
	char *client_encoding; /* owned: client_encoding as given (connection
	                          string, service, PGCLIENTENCODING), or NULL */
} pg_target;

/* false (with err) when the target cannot be known: libpq cannot be
 * loaded, the connection string is malformed (libpq's message), a named
 * service does not exist, a service file cannot be read or is refused by
 * libpq, a service is looked up in LDAP, host/hostaddr/port lists do not
 * match, a port is invalid. The caller treats that as an unknown, hence
 * dangerous, target. On false *t is empty; else free it with
 * pg_target_free. The first call loads libpq (a few milliseconds). */
bool pg_target_resolve(const pg_conn_args *a, pg_target *t, char *err, size_t errlen);
void pg_target_free(pg_target *t);

#endif
