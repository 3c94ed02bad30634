#!/usr/bin/env bats
# psql through interlock against a real PostgreSQL 15 server that this file
# starts (tests/pg/server.sh) and stops. Databases: app_production (a
# production name on a local socket: the name wins) and app_dev.
load helpers

setup_file() {
	pg_start app_production app_dev
}

teardown_file() {
	pg_stop
}

# Fresh table items(id) with 10 rows in both databases.
setup() {
	pg_setup
	fresh_items app_production app_dev
}

@test "psql: DELETE without WHERE on production, no terminal: blocked, every row still there" {
	run no_tty "$IL" run -- psql -X -d app_production -c "DELETE FROM items"
	[ "$status" -eq 77 ]
	[[ "$output" == *"psql.dml-all-rows"* ]]
	[[ "$output" == *"'app_production'"* ]]
	[ "$(rows app_production)" -eq 10 ]
}

@test "psql: DELETE with a WHERE on production runs" {
	run no_tty "$IL" run -- psql -X -d app_production -c "DELETE FROM items WHERE id > 7"
	[ "$status" -eq 0 ]
	[ "$(rows app_production)" -eq 7 ]
}

@test "psql: development is free" {
	run no_tty "$IL" run -- psql -X -d app_dev -c "DELETE FROM items"
	[ "$status" -eq 0 ]
	[ "$(rows app_dev)" -eq 0 ]
}

@test "pty: typing the database name runs the DELETE; a wrong name sends nothing" {
	run "$PTY" app_prod "$IL" run -- psql -X -d app_production -c "DELETE FROM items"
	[ "$status" -eq 77 ]
	[ "$(rows app_production)" -eq 10 ]
	run "$PTY" app_production "$IL" run -- psql -X -d app_production -c "DELETE FROM items"
	[ "$status" -eq 0 ]
	[ "$(rows app_production)" -eq 0 ]
}

@test "psql: SQL piped on stdin is decided before anything runs" {
	run no_tty sh -c "printf 'SELECT 1;\nTRUNCATE items;\n' | '$IL' run -- psql -X -d app_production"
	[ "$status" -eq 77 ]
	[[ "$output" == *"psql.truncate"* ]]
	[ "$(rows app_production)" -eq 10 ]
}

@test "psql: \\i includes are followed; a missing include is not ignored" {
	echo 'DROP TABLE items;' >drop.sql
	printf '\\i drop.sql\n' >main.sql
	run no_tty "$IL" run -- psql -X -d app_production -f main.sql
	[ "$status" -eq 77 ]
	[[ "$output" == *"psql.drop"* ]]
	[ "$(rows app_production)" -eq 10 ]
	printf '\\i nowhere.sql\n' >main.sql
	run no_tty "$IL" run -- psql -X -d app_production -f main.sql
	[ "$status" -eq 77 ]
	[[ "$output" == *"cannot be read"* ]]
}

@test "psql: agent mode blocks what would need confirmation" {
	run env CLAUDECODE=1 "$PTY" - "$IL" run -- psql -X -d app_production -c "DELETE FROM items"
	[ "$status" -eq 77 ]
	[ "$(rows app_production)" -eq 10 ]
}

@test "psql: a production session is read-only; the server refuses a write" {
	run expect -c "
		set timeout 20
		spawn $IL run -- psql -X -d app_production
		expect READ-ONLY
		send \"INSERT INTO items VALUES (99);\r\"
		expect {
			\"read-only transaction\" { send \"\\\\q\r\"; expect eof; exit 0 }
			timeout { exit 1 }
		}"
	[ "$status" -eq 0 ]
	[ "$(rows app_production)" -eq 10 ]
}

@test "psql: --write unlocks a production session after the typed confirmation" {
	run expect -c "
		set timeout 20
		spawn $IL run --write -- psql -X -d app_production
		expect \"Type 'app_production' to run it\"
		send \"app_production\r\"
		expect \"app_production=#\"
		send \"INSERT INTO items VALUES (99);\r\"
		expect \"INSERT 0 1\"
		send \"\\\\q\r\"
		expect eof"
	[ "$status" -eq 0 ]
	[ "$(rows app_production)" -eq 11 ]
	# an agent cannot unlock
	run env CLAUDECODE=1 "$PTY" - "$IL" run --write -- psql -X -d app_production
	[ "$status" -eq 77 ]
}

@test "psql: 100 MB with NUL and invalid UTF-8 reaches the server byte for byte" {
	/usr/bin/psql -X -q -d app_dev -c "DROP TABLE IF EXISTS blobs; CREATE TABLE blobs(id int, data bytea)"
	python3 - "$T/in.copy" "$T/want.sha" <<-'PY'
	import hashlib, os, struct, sys
	# COPY ... FROM STDIN (FORMAT binary): header, rows of (int4, bytea), trailer
	h = hashlib.sha256()
	with open(sys.argv[1], "wb") as f:
	    f.write(b"COPY blobs FROM STDIN (FORMAT binary);\n")
	    f.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0))
	    chunk = bytes(range(256)) * 4096  # 1 MiB: every byte value, NUL and 0xff too
	    for i in range(100):
	        data = chunk[i:] + os.urandom(i)
	        h.update(data)
	        f.write(struct.pack("!hii", 2, 4, i) + struct.pack("!i", len(data)) + data)
	    f.write(struct.pack("!h", -1))
	open(sys.argv[2], "w").write(h.hexdigest())
	PY
	[ "$(stat -c %s "$T/in.copy")" -gt 100000000 ]
	run no_tty sh -c "'$IL' run -- psql -X -q -v ON_ERROR_STOP=1 -d app_dev <'$T/in.copy'"
	[ "$status" -eq 0 ]
	got=$(/usr/bin/psql -X -qAt -d app_dev -c "SELECT encode(sha256(string_agg(data, ''::bytea ORDER BY id)), 'hex') FROM blobs")
	[ "$got" = "$(cat "$T/want.sha")" ]
}

@test "psql: check --json shows the target as libpq resolves it" {
	run "$IL" check --json -- psql "postgresql://alice@db.prod.example:6543/orders?sslmode=require" -h ignored -c "SELECT 1"
	[ "$(jq -r .target.host <<<"$output")" = db.prod.example ]
	[ "$(jq -r .target.port <<<"$output")" = 6543 ]
	[ "$(jq -r .target.database <<<"$output")" = orders ]
	[ "$(jq -r .target.user <<<"$output")" = alice ]
	[ "$(jq -r .target.environment <<<"$output")" = production ]
	printf '[reports]\nhost=stg-db.internal\ndbname=reports\n' >"$T/svc.conf"
	PGSERVICEFILE="$T/svc.conf" run "$IL" check --json -- psql service=reports -c "SELECT 1"
	[ "$(jq -r .target.host <<<"$output")" = stg-db.internal ]
	[ "$(jq -r .target.environment <<<"$output")" = staging ]
}

# Debian's /usr/bin/psql is postgresql-common's pg_wrapper: it chooses a
# "cluster" from --cluster, PGCLUSTER or ~/.postgresqlrc and sets PGHOST,
# PGPORT (and PGDATABASE) for the real psql. These tests run the real
# pg_wrapper; the test server is registered as cluster 15/itest in a
# private PG_CLUSTER_CONF_ROOT.
need_pg_wrapper() {
	[ "$(readlink -f /usr/bin/psql)" = /usr/share/postgresql-common/pg_wrapper ] ||
		skip "/usr/bin/psql is not Debian's pg_wrapper"
	mkdir -p "$T/pgconf/15/itest"
	printf "port = %s\nunix_socket_directories = '%s'\n" "$PGPORT" "$PGHOST" \
		>"$T/pgconf/15/itest/postgresql.conf"
	# a second cluster, so that pg_wrapper's fallback to the only local
	# cluster cannot find the test server by itself
	mkdir -p "$T/pgconf/15/decoy" "$T/nosock"
	printf "port = 5432\nunix_socket_directories = '%s'\n" "$T/nosock" \
		>"$T/pgconf/15/decoy/postgresql.conf"
	export PG_CLUSTER_CONF_ROOT="$T/pgconf"
	SOCK=$PGHOST PORT=$PGPORT
}

@test "pg_wrapper: PGCLUSTER and --cluster naming a remote server make it the target" {
	need_pg_wrapper
	unset PGHOST PGPORT
	PGCLUSTER=15/db.prod.internal:5432 run "$IL" check --json -- psql -X -d shop -c "DROP TABLE t"
	[ "$status" -eq 3 ]
	[ "$(jq -r .target.host <<<"$output")" = db.prod.internal ]
	[ "$(jq -r .target.environment <<<"$output")" = production ]
	[[ "$(jq -r '.notes[]' <<<"$output")" == *"pg_wrapper (Debian's psql and pg_restore) sends it on with PGHOST=db.prod.internal PGPORT=5432"* ]]
	run "$IL" check --json -- psql -X --cluster 15/db.prod.internal: -d shop -c "DROP TABLE t"
	[ "$status" -eq 3 ]
	[ "$(jq -r .target.host <<<"$output")" = db.prod.internal ]
	[ "$(jq -r .target.port <<<"$output")" = 5432 ]
	run "$IL" check --json -- psql -X --cluster=15/db.prod.internal:6000 -d shop -c "DROP TABLE t"
	[ "$(jq -r .target.port <<<"$output")" = 6000 ]
	# -h before it, or PGHOST, takes PGCLUSTER out, as pg_wrapper does
	PGCLUSTER=15/db.prod.internal:5432 run "$IL" check --json -- psql -X -h "$SOCK" -d app_dev -c "DROP TABLE t"
	[ "$status" -eq 0 ]
	[ "$(jq -r .target.host <<<"$output")" = "$SOCK" ]
	PGHOST=$SOCK PGCLUSTER=15/db.prod.internal:5432 run "$IL" check -- psql -X -d app_dev -c "DROP TABLE t"
	[ "$status" -eq 0 ]
	# a version or cluster pg_wrapper refuses: nothing can be known, blocked
	PGCLUSTER=99/main run "$IL" check -- psql -X -c "SELECT 1"
	[ "$status" -eq 4 ]
	[[ "$output" == *"pg_wrapper would not run it: Error: Invalid version 99 specified in PGCLUSTER"* ]]
	run "$IL" check -- psql -X --cluster 15/nosuch -c "SELECT 1"
	[ "$status" -eq 4 ]
	[[ "$output" == *"pg_wrapper would not run it: Error: Cluster 15 nosuch does not exist"* ]]
	# Perl from the environment could answer the question differently
	# from the real run: not trusted
	PERL5OPT=-w run "$IL" check -- psql -X -c "SELECT 1"
	[ "$status" -eq 4 ]
	[[ "$output" == *"PERL5OPT is set"* ]]
}

@test "pg_wrapper: what its own model got wrong is now pg_wrapper's answer" {
	# cases where re-implementing pg_wrapper sent interlock elsewhere than
	# psql: a cluster directory named host:port found by the fallback to
	# the only cluster, a socket "directory" that is a host name, -p ''
	need_pg_wrapper
	unset PGHOST PGPORT PGCLUSTER
	mkdir -p "$T/r1/15/main"
	echo "unix_socket_directories = 'db.prod.example.com'" >"$T/r1/15/main/postgresql.conf"
	PG_CLUSTER_CONF_ROOT="$T/r1" run "$IL" check --json -- psql -X -c "DROP TABLE t"
	[ "$(jq -r .target.host <<<"$output")" = db.prod.example.com ]
	[ "$(jq -r .target.environment <<<"$output")" = production ]
	mkdir -p "$T/r2/15/db.prod.example.com:5432"
	touch "$T/r2/15/db.prod.example.com:5432/postgresql.conf"
	PG_CLUSTER_CONF_ROOT="$T/r2" run "$IL" check --json -- psql -X -c "DROP TABLE t"
	[ "$(jq -r .target.host <<<"$output")" = db.prod.example.com ]
	echo "15 db.prod.example.com:5432 proddb" >"$HOME/.postgresqlrc"
	run "$IL" check --json -- psql -X -p '' -c "DROP TABLE t"
	[ "$(jq -r .target.host <<<"$output")" = db.prod.example.com ]
	[ "$(jq -r .target.database <<<"$output")" = proddb ]
	[ "$status" -eq 3 ]
}

@test "pg_wrapper: a local cluster is reached as pg_wrapper reaches it; production stays guarded" {
	need_pg_wrapper
	unset PGHOST PGPORT
	export PGCLUSTER=15/itest
	run "$IL" check --json -- psql -X -d app_dev -c "SELECT 1"
	[ "$(jq -r .target.host <<<"$output")" = "$SOCK" ]
	[ "$(jq -r .target.port <<<"$output")" = "$PORT" ]
	run no_tty "$IL" run -- psql -X -d app_production -c "DELETE FROM items"
	[ "$status" -eq 77 ]
	run no_tty "$IL" run -- psql -X -d app_dev -c "DELETE FROM items WHERE id > 7"
	[ "$status" -eq 0 ]
	[ "$(PGHOST=$SOCK PGPORT=$PORT rows app_dev)" -eq 7 ]
	[ "$(PGHOST=$SOCK PGPORT=$PORT rows app_production)" -eq 10 ]
	# --cluster survives when interlock rewrites the command line (-f from
	# a pipe becomes /dev/fd/N): pg_wrapper still gets it
	unset PGCLUSTER
	run no_tty bash -c "'$IL' run -- psql -X --cluster 15/itest -d app_dev -f <(echo 'DELETE FROM items WHERE id > 3;')"
	[ "$status" -eq 0 ]
	[ "$(PGHOST=$SOCK PGPORT=$PORT rows app_dev)" -eq 3 ]
}

@test "pg_wrapper: ~/.postgresqlrc chooses the cluster and the database" {
	need_pg_wrapper
	unset PGHOST PGPORT PGDATABASE
	printf '# version cluster database\n15 itest app_production\n' >"$HOME/.postgresqlrc"
	run no_tty "$IL" run -- psql -X -c "DELETE FROM items"
	[ "$status" -eq 77 ]
	[[ "$output" == *"'app_production'"* ]]
	[ "$(PGHOST=$SOCK PGPORT=$PORT rows app_production)" -eq 10 ]
	# with a port given, pg_wrapper does not read the map
	run "$IL" check --json -- psql -X -p 5999 -c "SELECT 1"
	[ "$(jq -r .target.database <<<"$output")" != app_production ]
	[ "$(jq -r '.notes | length' <<<"$output")" = 0 ]
	# a database given on the command line wins over the map's
	run no_tty "$IL" run -- psql -X -d app_dev -c "DELETE FROM items"
	[ "$status" -eq 0 ]
	[ "$(PGHOST=$SOCK PGPORT=$PORT rows app_dev)" -eq 0 ]
}

@test "pg_wrapper: with [binaries] naming the real psql, PGCLUSTER is not pg_wrapper's to apply" {
	need_pg_wrapper
	printf '[interlock]\nsyslog = no\n[binaries]\npsql = /usr/lib/postgresql/15/bin/psql\n' >"$INTERLOCK_CONFIG"
	PGCLUSTER=15/db.prod.internal:5432 run "$IL" check --json -- psql -X -d app_dev -c "DROP TABLE t"
	[ "$status" -eq 0 ]
	[ "$(jq -r .target.host <<<"$output")" = "$SOCK" ]
	[ "$(jq -r '.notes | length' <<<"$output")" = 0 ]
	run no_tty env PGCLUSTER=15/db.prod.internal:5432 "$IL" run -- psql -X -d app_dev -c "DELETE FROM items WHERE id > 8"
	[ "$status" -eq 0 ]
	[ "$(rows app_dev)" -eq 8 ]
}

@test "psql: -f from a pipe is read once by interlock and psql gets the same bytes" {
	# <(...) and /dev/stdin can be read only once: before, psql found them empty
	run no_tty bash -c "'$IL' run -- psql -X -q -d app_dev -f <(echo 'DELETE FROM items WHERE id > 5;')"
	[ "$status" -eq 0 ]
	[ "$(rows app_dev)" -eq 5 ]
	run no_tty bash -c "echo 'DELETE FROM items WHERE id > 2;' | '$IL' run -- psql -X -q -d app_dev -f /dev/stdin"
	[ "$status" -eq 0 ]
	[ "$(rows app_dev)" -eq 2 ]
	# and what it reads there is decided on: production stays guarded
	run no_tty bash -c "'$IL' run -- psql -X -q -d app_production -f <(echo 'DELETE FROM items;')"
	[ "$status" -eq 77 ]
	[[ "$output" == *"psql.dml-all-rows"* ]]
	[ "$(rows app_production)" -eq 10 ]
	# --file= and -fFILE spellings too
	run no_tty bash -c "'$IL' run -- psql -X -q -d app_dev --file=<(echo 'DELETE FROM items;')"
	[ "$status" -eq 0 ]
	[ "$(rows app_dev)" -eq 0 ]
}

@test "psql: a psqlrc or \\i that is a pipe is opaque, not drained" {
	run no_tty bash -c "echo 'DROP TABLE items;' | PSQLRC=/dev/stdin '$IL' run -- psql -d app_production -c 'SELECT 1'"
	[ "$status" -eq 77 ]
	[[ "$output" == *"/dev/stdin is not a regular file"* ]]
	[ "$(rows app_production)" -eq 10 ]
	run no_tty bash -c "printf '\\\\i /dev/stdin\\n' >'$T/inc.sql'; echo 'DROP TABLE items;' | '$IL' run -- psql -X -d app_production -f '$T/inc.sql'"
	[ "$status" -eq 77 ]
	[[ "$output" == *"is not a regular file"* ]]
	[ "$(rows app_production)" -eq 10 ]
}

@test "psql: agent mode with a relaxing INTERLOCK_CONFIG still judges piped SQL by the standard configuration" {
	# the redirected file calls the production database development; the
	# standard configuration (analysed second) must see the same stdin
	printf '[interlock]\nsyslog = no\n[development]\ndatabases = app_production\nrank = 99\n' >"$INTERLOCK_CONFIG"
	export INTERLOCK_AGENT=1
	run no_tty bash -c "echo 'DELETE FROM items;' | '$IL' run -- psql -X -d app_production"
	[ "$status" -eq 77 ]
	[[ "$output" == *"psql.dml-all-rows"* ]]
	[ "$(rows app_production)" -eq 10 ]
	run no_tty bash -c "'$IL' run -- psql -X -d app_production <<<'DELETE FROM items;'"
	[ "$status" -eq 77 ]
	[ "$(rows app_production)" -eq 10 ]
	# what is allowed still reaches psql whole
	run no_tty bash -c "printf 'DELETE FROM items\\n WHERE id > 4;\\n' | '$IL' run -- psql -X -q -d app_dev"
	[ "$status" -eq 0 ]
	[ "$(rows app_dev)" -eq 4 ]
}
