/* classify.h - which environment a name (host, database, workspace, path...)
 * belongs to, by the configuration's tokens and globs. */
#ifndef INTERLOCK_CLASSIFY_H
#define INTERLOCK_CLASSIFY_H

#include <stdbool.h>

#include "config.h"
#include "facts.h"

/* True when name holds token (optionally followed by digits) delimited by
 * start/end or one of "-_.:/@". Case-insensitive. */
bool name_has_token(const char *name, const char *token);

/* True for a local connection: empty host, a socket directory, localhost,
 * 127.0.0.0/8, ::1. */
bool host_is_local(const char *host);

/* The environment a name of this kind matches (highest rank), or NULL. */
const environment *classify_name(const config *cfg, name_kind kind, const char *name);

/* Lets one name of the target count towards the target's environment: the
 * highest-ranked environment among all considered names wins. A host that
 * matches nothing and is not local counts as cfg->unknown_remote. */
void facts_consider(facts *fx, const config *cfg, name_kind kind, const char *name);

/* Lets the named environment count towards the target's (as above). */
void facts_adopt_env(facts *fx, const config *cfg, const char *env_name);

/* Called by the analyser when it has considered every name: a target that
 * matched nothing gets cfg->default_env. */
void facts_settle_environment(facts *fx, const config *cfg);

#endif
