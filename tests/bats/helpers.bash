# Shared set-up for the bats suites: a private HOME, config, state and work
# directory per test, no agent markers inherited from whoever runs the suite.
IL="${INTERLOCK_BIN:-$BATS_TEST_DIRNAME/../../build/interlock}"
IL="$(cd "$(dirname "$IL")" && pwd)/$(basename "$IL")"
PTY="$BATS_TEST_DIRNAME/../pty.exp"

setup() {
	base_setup
}

base_setup() {
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

# ---- PostgreSQL (psql*, pg_restore*, explain.bats) -------------------------
# pg_start [DB...]: a private PostgreSQL 15 server for the file
# (tests/pg/server.sh; PGDIR PGHOST PGPORT PGUSER exported), with the
# databases DB... created. Call it from setup_file, pg_stop from
# teardown_file.
pg_start() {
	eval "$("$BATS_TEST_DIRNAME/../pg/server.sh" start)"
	export PGDIR PGHOST PGPORT PGUSER=postgres
	local db
	for db in "$@"; do
		/usr/bin/psql -X -q -d postgres -c "CREATE DATABASE $db"
	done
}

pg_stop() {
	"$BATS_TEST_DIRNAME/../pg/server.sh" stop "$PGDIR"
}

# pg_setup: base_setup, and nothing psql reads inherited from whoever runs
# the suite.
pg_setup() {
	base_setup
	unset PGOPTIONS PGDATABASE PGCLIENTENCODING PSQLRC PSQL_EDITOR EDITOR VISUAL
}

# fresh_items DB...: a table items(id) with 10 rows in each database.
fresh_items() {
	local db
	for db in "$@"; do
		/usr/bin/psql -X -q -d "$db" -c "DROP TABLE IF EXISTS items; CREATE TABLE items(id int);
			INSERT INTO items SELECT generate_series(1,10)"
	done
}

# rows DB: how many rows DB's items has.
rows() {
	/usr/bin/psql -X -qAt -d "$1" -c "SELECT count(*) FROM items"
}

# ---- terraform (tests/bats/terraform.bats) --------------------------------
# terraform_env: nothing terraform-related inherited from whoever runs the
# suite; a private CLI configuration; TMPDIR private (interlock's plan gate
# puts its plan there, so a test can see that nothing is left behind).
terraform_env() {
	unset TF_WORKSPACE TF_DATA_DIR TF_LOG TF_INPUT TF_IN_AUTOMATION \
		$(compgen -e | grep '^TF_CLI_ARGS' || true)
	: >"$T/terraformrc"
	export TF_CLI_CONFIG_FILE="$T/terraformrc" CHECKPOINT_DISABLE=1 TMPDIR="$T/tmp"
	mkdir -p "$TMPDIR"
}

# need_terraform: TF = the real terraform (/usr/local/bin/terraform, else the
# one on PATH unless that is interlock itself), or the test is skipped and
# says so.
need_terraform() {
	TF=/usr/local/bin/terraform
	if [ ! -x "$TF" ]; then
		TF=$(command -v terraform || true)
		if [ -n "$TF" ] && [ "$(readlink -f "$TF")" = "$(readlink -f "$IL")" ]; then
			TF=""
		fi
	fi
	if [ -z "$TF" ] || [ ! -x "$TF" ]; then
		skip "terraform not installed: this test needs the real terraform and was skipped"
	fi
}

# make_stack DIR WORKSPACE NAME...: a configuration of terraform_data
# resources (built in: no provider download, works offline), initialised,
# in WORKSPACE, applied with the real terraform.
make_stack() {
	local dir=$1 ws=$2 r
	shift 2
	mkdir -p "$dir"
	for r in "$@"; do
		printf 'resource "terraform_data" "%s" {\n  input = "%s"\n}\n' "$r" "$r"
	done >"$dir/main.tf"
	(
		cd "$dir" || exit 1
		"$TF" init -input=false >/dev/null || exit 1
		if [ "$ws" != default ]; then "$TF" workspace new "$ws" >/dev/null || exit 1; fi
		"$TF" apply -auto-approve -input=false >/dev/null
	)
}

# tf_state DIR [WORKSPACE]: the resources terraform itself (not interlock)
# lists in DIR's current workspace (or WORKSPACE), sorted, one line.
tf_state() {
	(cd "$1" && TF_WORKSPACE=${2:-} "$TF" state list) | sort | tr '\n' ' ' | sed 's/ $//'
}
