# Shared set-up for the bats suites: a private HOME, config, state and work
# directory per test, no agent markers inherited from whoever runs the suite.
IL="${INTERLOCK_BIN:-$BATS_TEST_DIRNAME/../../build/interlock}"
IL="$(cd "$(dirname "$IL")" && pwd)/$(basename "$IL")"
PTY="$BATS_TEST_DIRNAME/../pty.exp"

setup() {
	T="$(mktemp -d /tmp/interlock-bats.XXXXXX)"
	export HOME="$T/home"
	mkdir -p "$HOME" "$T/work"
	export XDG_CONFIG_HOME="$T/config" XDG_STATE_HOME="$T/state"
	export INTERLOCK_CONFIG="$T/interlock.ini"
	printf '[interlock]\nsyslog = no\n' >"$INTERLOCK_CONFIG"
	unset INTERLOCK_AGENT CLAUDECODE GEMINI_CLI CODEX_SANDBOX CURSOR_AGENT NO_COLOR \
		POSIXLY_CORRECT INTERLOCK_DEPTH
	AUDIT="$XDG_STATE_HOME/interlock/audit.jsonl"
	cd "$T/work" || return 1
}

teardown() {
	cd / && chmod -R u+w "$T" 2>/dev/null
	/bin/rm -rf "$T"
}

# A PostgreSQL-data-directory-shaped tree and a git repository in the cwd.
make_pgdata() {
	mkdir -p pgdata/base/1 && echo 15 >pgdata/PG_VERSION && echo x >pgdata/base/1/1259
}

make_repo() {
	mkdir -p repo/.git repo/src && echo ref >repo/.git/HEAD && echo 'int x;' >repo/src/a.c
}

# Runs a command with no controlling terminal (a new session).
no_tty() {
	setsid -w "$@" </dev/null
}

# The last audit record's field, via jq.
last_audit() {
	tail -n 1 "$AUDIT" | jq -r "$1"
}
