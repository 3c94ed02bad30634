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

/* What the command line said. NULL = not given. When dbname is a
 * connection string (contains '=') or a URI (postgres:// or
 * postgresql://), its values override host/port/user. */
typedef struct {
	const char *dbname;  /* -d / --dbname / the first operand */
	const char *host;    /* -h */
	const char *port;    /* -p */
	const char *user;    /* -U, or psql's second operand */
	char *const *envp;   /* the environment the tool will get */
	const char *home;    /* home for ~/.pg_service.conf (passwd home) */
	const char *os_user; /* libpq's default user name */
} pg_conn_args;

typedef struct {
	strvec hosts;     /* host list in order; a value starting with '/' is a
			     socket directory; empty list = libpq's default socket */
	strvec hostaddrs; /* hostaddr list, if any */
	strvec ports;
	char *dbname;     /* owned */
	char *user;       /* owned */
	char *service;    /* owned, NULL when none */
	char *conninfo;   /* owned: "key='value' ..." reaching the same server,
			     for interlock's own read-only EXPLAIN connection */
	char *source;     /* owned: human note of where each value came from */
} pg_target;

/* false (with err) when the target cannot be known: libpq cannot be
 * loaded, the connection string is malformed, a named service does not
 * exist, a service file cannot be read. The caller treats that as an
 * unknown, hence dangerous, target. */
bool pg_target_resolve(const pg_conn_args *a, pg_target *t, char *err, size_t errlen);
void pg_target_free(pg_target *t);

#endif
