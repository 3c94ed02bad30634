/* config.h - site configuration (interlock.ini, parsed with inih): where
 * production is and how interlock behaves. The embedded default is itself
 * an INI text (config_default_ini), so a new user with no file gets exactly
 * what `interlock config default` prints. */
#ifndef INTERLOCK_CONFIG_H
#define INTERLOCK_CONFIG_H

#include <stdbool.h>

#include "util.h"

typedef enum {
	NAME_HOST,
	NAME_DATABASE,
	NAME_SERVICE,
	NAME_WORKSPACE,
	NAME_VAR_FILE,
	NAME_PATH,
	NAME_KINDS
} name_kind;

typedef struct {
	char *name;               /* owned: section name, e.g. "production" */
	char *colour;             /* owned: red, yellow, green, blue, magenta, cyan, none */
	int rank;                 /* higher wins when several environments match */
	bool local;               /* local connections (socket, localhost) belong here */
	strvec tokens;            /* name tokens, e.g. prod, production */
	strvec globs[NAME_KINDS]; /* fnmatch patterns per kind of name */
	bool rank_set;            /* rank given: a new section must give one */
	int first_line;           /* where the section was first seen */
} environment;

enum { TOOL_PSQL, TOOL_PG_RESTORE, TOOL_TERRAFORM, TOOL_RM, TOOL_COUNT };

typedef struct {
	environment *envs; /* owned */
	size_t n_envs;
	char *unknown_remote; /* owned: environment of an unmatched remote host */
	char *default_env;    /* owned: environment when nothing matched */
	char *audit_log;      /* owned: path, ~ expanded */
	bool syslog;
	strvec agent_markers;          /* environment variables that mean "an agent" */
	strvec rule_dirs;              /* extra rule layers named by the config files */
	strvec protected_system;       /* rm: globs, kind "system" */
	strvec protected_home;         /* rm: kind "home" */
	strvec protected_secrets;      /* rm: kind "secrets" */
	strvec protected_extra;        /* rm: kind "configured" */
	long scan_limit;               /* rm: entries counted at most */
	strvec read_only_environments; /* psql: interactive sessions start read-only */
	char *binaries[TOOL_COUNT];    /* owned: configured real binaries or NULL */
	strvec sources;                /* files that were read, in order */
	char *home;                    /* owned: the user's home (passwd, else $HOME) */
	bool home_from_passwd;         /* false: no passwd entry, home is $HOME */
	bool standard_only;            /* INTERLOCK_CONFIG and XDG_CONFIG_HOME ignored */
	bool locked; /* no user layer: /etc says lock_user_config, or a standard load
	                without a passwd home */
} config;

extern const char config_default_ini[];

/* Loads the embedded default, then the system and user files (or exactly
 * $INTERLOCK_CONFIG). With standard_only, the environment cannot move the
 * configuration: INTERLOCK_CONFIG and XDG_CONFIG_HOME are ignored and the
 * user's files are found from the passwd home. On error returns false with
 * "file:line:col: message" in err. */
bool config_load(config *cfg, bool standard_only, char *err, size_t errlen);
/* config_load with another system file (tests). */
bool config_load_from(config *cfg, const char *system_file, bool standard_only, char *err,
                      size_t errlen);
/* True when the environment redirects where configuration is read from:
 * INTERLOCK_CONFIG, XDG_CONFIG_HOME, or a uid with no passwd entry (whose
 * user layer is found from $HOME). */
bool config_redirected(void);
/* Loads only the embedded default (rule examples run against it). */
bool config_load_default(config *cfg, char *err, size_t errlen);
/* The embedded default with extra INI text (a rule example's) on top. */
bool config_load_default_plus(config *cfg, const char *extra, char *err, size_t errlen);
void config_free(config *cfg);

const environment *config_env(const config *cfg, const char *name);
int tool_index(const char *tool); /* TOOL_* or -1 */
extern const char *const tool_names[TOOL_COUNT];

/* "~" and "~/x" expanded against home; anything else copied. */
char *expand_home(const char *path, const char *home);

/* Refuses files that others could have written (doas-style): owned by
 * neither root nor the real uid, or group/world writable. errno-free
 * message in err on refusal. */
bool file_is_safe(const char *path, char *err, size_t errlen);

#endif
