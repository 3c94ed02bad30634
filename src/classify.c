/* classify.c - names to environments. A name is production when it carries a
 * production token, matches a production glob, or (for hosts) is remote and
 * matches nothing at all: unknown means dangerous. */
#include <arpa/inet.h>
#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classify.h"

static bool is_delim(char c)
{
	return c == '\0' || strchr("-_.:/@", c) != NULL;
}

bool name_has_token(const char *name, const char *token)
{
	size_t tl = strlen(token);

	if (!tl)
		return false;
	for (const char *p = name; *p; p++) {
		if (p != name && !is_delim(p[-1]))
			continue;
		if (strncasecmp(p, token, tl) != 0)
			continue;
		const char *end = p + tl;
		while (isdigit((unsigned char)*end))
			end++;
		if (is_delim(*end))
			return true;
	}
	return false;
}

bool host_is_local(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (!host || !*host || host[0] == '/' || host[0] == '@')
		return true;
	if (strcasecmp(host, "localhost") == 0 || str_ends(host, ".localhost"))
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

/* A path matches a glob when it or one of its ancestors does: a
 * production tree is production all the way down. */
static bool path_matches(const char *glob, const char *path)
{
	autofree char *p = xstrdup(path);
	char *slash;

	for (;;) {
		if (fnmatch(glob, p, FNM_PATHNAME) == 0)
			return true;
		slash = strrchr(p, '/');
		if (!slash || slash == p)
			return false;
		*slash = '\0';
	}
}

static bool env_matches(const environment *e, name_kind kind, const char *name)
{
	for (size_t i = 0; i < e->globs[kind].n; i++) {
		const char *g = e->globs[kind].v[i];
		if (kind == NAME_PATH ? path_matches(g, name) : fnmatch(g, name, 0) == 0)
			return true;
	}
	for (size_t i = 0; i < e->tokens.n; i++)
		if (name_has_token(name, e->tokens.v[i]))
			return true;
	return kind == NAME_HOST && e->local && host_is_local(name);
}

const environment *classify_name(const config *cfg, name_kind kind, const char *name)
{
	const environment *best = NULL;

	for (size_t i = 0; i < cfg->n_envs; i++) {
		const environment *e = &cfg->envs[i];
		if ((!best || e->rank > best->rank) && env_matches(e, kind, name))
			best = e;
	}
	return best;
}

static void adopt(facts *fx, const environment *e)
{
	if (!e || e->rank <= fx->env_rank)
		return;
	free(fx->environment);
	free(fx->colour);
	fx->environment = xstrdup(e->name);
	fx->colour = xstrdup(e->colour);
	fx->env_rank = e->rank;
}

void facts_consider(facts *fx, const config *cfg, name_kind kind, const char *name)
{
	const environment *e = classify_name(cfg, kind, name);

	if (!fx->environment)
		fx->env_rank = -1;
	if (!e && kind == NAME_HOST && !host_is_local(name))
		e = config_env(cfg, cfg->unknown_remote);
	adopt(fx, e);
}

void facts_adopt_env(facts *fx, const config *cfg, const char *env_name)
{
	if (!fx->environment)
		fx->env_rank = -1;
	adopt(fx, config_env(cfg, env_name));
}

void facts_settle_environment(facts *fx, const config *cfg)
{
	if (!fx->environment) {
		fx->env_rank = -1;
		adopt(fx, config_env(cfg, cfg->default_env));
	}
}
