#!/usr/bin/env bats
# The planner's row estimate before a DELETE/UPDATE/MERGE is confirmed
# (src/psql/explain.c), against a real PostgreSQL 15 server that this file
# starts (tests/pg/server.sh) and stops. app_production has items(id, v)
# with 5000 analysed rows, and a schema app with its own items of 50 rows;
# app_dev is a development database.
load helpers

setup_file() {
	pg_start
	for db in app_production app_dev; do
		/usr/bin/psql -X -q -d postgres -c "CREATE DATABASE $db"
		/usr/bin/psql -X -q -d $db -c "CREATE TABLE items(id int, v text);
			INSERT INTO items SELECT g, 'x' FROM generate_series(1, 5000) g;
			CREATE TABLE log(n int);
			CREATE FUNCTION bump() RETURNS int IMMUTABLE LANGUAGE plpgsql
				AS \$\$BEGIN INSERT INTO log VALUES (1); RETURN 1; END\$\$;
			CREATE SCHEMA app; CREATE TABLE app.items(id int, v text);
			INSERT INTO app.items SELECT g, 'y' FROM generate_series(1, 50) g;
			ANALYZE"
	done
	# what interlock's connection sends, in the server's log
	/usr/bin/psql -X -q -d postgres -c "ALTER SYSTEM SET log_connections = on" \
		-c "ALTER SYSTEM SET log_statement = 'all'" \
		-c "ALTER SYSTEM SET log_line_prefix = '%a: '" -c "SELECT pg_reload_conf()" >/dev/null
}

teardown_file() {
	pg_stop
}

setup() {
	pg_setup
}

# count DB TABLE: rows in TABLE, asked of the server directly.
count() {
	/usr/bin/psql -X -qAt -d "$1" -c "SELECT count(*) FROM $2"
}

# dml FIELD: FIELD of every dml operation of the JSON in $output, one a line
# ("null" where unset).
dml() {
	jq -r ".operations[] | select(.kind == \"dml\") | .$1" <<<"$output"
}

@test "explain: check --json has the planner's estimate of a production DELETE; nothing is deleted" {
	run "$IL" check --json -- psql -X -d app_production -c "DELETE FROM items"
	[ "$status" -eq 3 ]
	local est
	est="$(dml rows_estimate)"
	[ "$(dml explain_error)" = null ]
	[ "$est" -ge 4500 ] && [ "$est" -le 5500 ]
	[ "$(count app_production items)" -eq 5000 ]
}

@test "explain: the banner shows the estimate; a wrong answer runs nothing" {
	run "$PTY" app_prod "$IL" run -- psql -X -d app_production -c "DELETE FROM items"
	[ "$status" -eq 77 ]
	[[ "$output" == *"DELETE FROM items: the planner estimates "*" rows (EXPLAIN, not run)"* ]]
	[ "$(count app_production items)" -eq 5000 ]
}

@test "explain: a DELETE with a WHERE is estimated too, and still allowed" {
	run "$IL" check --json -- psql -X -d app_production -c "DELETE FROM items WHERE id <= 100"
	[ "$status" -eq 0 ]
	local est
	est="$(dml rows_estimate)"
	[ "$est" -ge 50 ] && [ "$est" -le 200 ]
	[ "$(count app_production items)" -eq 5000 ]
}

@test "explain: UPDATE, MERGE and a DELETE in a WITH query each get their own estimate" {
	run "$IL" check --json -- psql -X -d app_production -c \
		"WITH d AS (DELETE FROM items WHERE id <= 100 RETURNING id) UPDATE items SET v = 'z' WHERE id IN (SELECT id + 1000 FROM d)" \
		-c "MERGE INTO items USING (SELECT 1 AS id) s ON items.id = s.id WHEN MATCHED THEN DELETE"
	[ "$status" -eq 0 ] # every one has a WHERE (or ON): allowed, estimated anyway
	[ "$(dml statement | tr '\n' ' ')" = "UPDATE DELETE MERGE " ]
	[ "$(dml explain_error | sort -u)" = null ]
	local cte
	cte="$(jq -r '.operations[] | select(.kind == "dml" and .in_cte == "yes") | .rows_estimate' <<<"$output")"
	[ "$cte" -ge 50 ] && [ "$cte" -le 200 ]
	[ "$(count app_production items)" -eq 5000 ]
	[ "$(/usr/bin/psql -X -qAt -d app_production -c "SELECT count(*) FROM items WHERE v = 'z'")" -eq 0 ]
}

@test "explain: the session's own options (PGOPTIONS search_path) decide which table is estimated" {
	PGOPTIONS="-c search_path=app" run "$IL" check --json -- psql -X -d app_production -c "DELETE FROM items"
	[ "$status" -eq 3 ]
	local est
	est="$(dml rows_estimate)"
	[ "$est" -ge 40 ] && [ "$est" -le 60 ]
	[ "$(count app_production app.items)" -eq 50 ]
}

@test "explain: one connection per command, and it sends only the session check, BEGIN READ ONLY, EXPLAIN, ROLLBACK" {
	local before
	before=$(stat -c %s "$PGDIR/server.log")
	run "$IL" check -- psql -X -d app_production -c "DELETE FROM items" \
		-c "UPDATE items SET v = 'q' WHERE id < 3"
	[ "$status" -eq 3 ]
	tail -c +$((before + 1)) "$PGDIR/server.log" >"$T/log"
	[ "$(grep -c 'connection authorized: .*application_name=interlock-explain' "$T/log")" -eq 1 ]
	grep '^interlock-explain: ' "$T/log" | sed 's/^interlock-explain: LOG:  execute <unnamed>: //' >"$T/sent"
	# once per connection: pg_catalog first in search_path, and the
	# catalog query for user code the planner could run (cut short here)
	printf '%s\n' "SELECT pg_catalog.set_config('search_path'," 'WITH f AS (SELECT p.oid, p.proname' \
		'BEGIN READ ONLY' 'EXPLAIN (FORMAT JSON) DELETE FROM items' ROLLBACK \
		'BEGIN READ ONLY' "EXPLAIN (FORMAT JSON) UPDATE items SET v = 'q' WHERE id < 3" ROLLBACK |
		diff - <(sed -e "s/^\(SELECT pg_catalog.set_config('search_path',\).*/\1/" \
			-e 's/^\(WITH f AS (SELECT p.oid, p.proname\).*/\1/' "$T/sent")
}

@test "explain: wrong port: explain_error says why, and it is still a confirmation" {
	run "$IL" check --json -- psql -X -p 1 -d app_production -c "DELETE FROM items"
	[ "$status" -eq 3 ]
	[ "$(dml rows_estimate)" = null ]
	[[ "$(dml explain_error)" == *"failed"* ]]
	[ "$(jq -r .verdict <<<"$output")" = confirm ]
	run "$IL" check -- psql -X -p 1 -d app_production -c "DELETE FROM items" -c "UPDATE items SET v = 'w'"
	[ "$status" -eq 3 ]
	[[ "$output" == *"DELETE FROM items: could not estimate the rows ("*"); the same for 1 more statement"* ]]
}

@test "explain: a server that never answers costs at most the 3 s deadline" {
	mkdir -p "$T/sock"
	python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1] + "/.s.PGSQL.5999")
s.listen(8)
print("ready", flush=True)
held = []
s.settimeout(0.2)
end = time.time() + 20
while time.time() < end:
    try:
        held.append(s.accept()[0])  # accepted, never answered
    except socket.timeout:
        pass
' "$T/sock" >"$T/listener.out" &
	local listener=$! start end
	for _ in $(seq 50); do grep -q ready "$T/listener.out" 2>/dev/null && break; sleep 0.1; done
	start=$(date +%s)
	run "$IL" check --json -- psql -X -h "$T/sock" -p 5999 -d app_production -c "DELETE FROM items"
	end=$(date +%s)
	kill "$listener"
	[ "$status" -eq 3 ]
	[ "$(dml explain_error)" = "no connection within 3 s" ]
	[ $((end - start)) -le 6 ]
}

@test "explain: development targets are never connected to" {
	# -p 1: nothing listens there, so any attempt would show as explain_error
	run "$IL" check --json -- psql -X -p 1 -d app_dev -c "DELETE FROM items"
	[ "$status" -eq 0 ]
	[ "$(jq -r .target.environment <<<"$output")" = development ]
	[ "$(dml rows_estimate)" = null ]
	[ "$(dml explain_error)" = null ]
	run "$IL" check -- psql -X -d app_dev -c "DELETE FROM items"
	[ "$status" -eq 0 ]
	[[ "$output" != *"estimate"* ]]
}

@test "explain: a statement that calls a function is not explained (the planner could run it)" {
	run "$IL" check --json -- psql -X -d app_production -c "DELETE FROM items WHERE id = bump()"
	[ "$status" -eq 3 ]
	[ "$(dml rows_estimate)" = null ]
	[[ "$(dml explain_error)" == "not explained: calls function bump"* ]]
	[ "$(count app_production log)" -eq 0 ]
	[ "$(count app_production items)" -eq 5000 ]
}

@test "explain: nothing rides along behind the EXPLAIN (\\; joins statements into one query)" {
	run "$IL" check --json -- psql -X -d app_production -c 'DELETE FROM items WHERE id = 1 \; DROP TABLE items'
	[ "$status" -eq 3 ]
	[ "$(dml rows_estimate)" = null ]
	[[ "$(dml explain_error)" == *"multiple commands"* ]]
	[ "$(count app_production items)" -eq 5000 ]
}

@test "explain: statements after \\connect are not explained against the first target" {
	run "$IL" check --json -- psql -X -d app_production -c "DELETE FROM items WHERE id = 1" \
		-c '\connect app_dev' -c "DELETE FROM items WHERE id = 2"
	local est err
	est="$(dml rows_estimate | head -n 1)"
	err="$(dml explain_error | tail -n 1)"
	[ "$est" -ge 1 ] && [ "$est" -le 10 ]
	[[ "$err" == *"after \\connect"* ]]
}

@test "explain: one connection, at most 20 statements explained per command" {
	local i args=()
	for i in $(seq 25); do args+=(-c "DELETE FROM items WHERE id = $i"); done
	run "$IL" check --json -- psql -X -d app_production "${args[@]}"
	[ "$(dml rows_estimate | grep -c '^[0-9]')" -eq 20 ]
	[ "$(dml explain_error | grep -c 'only the first 20')" -eq 5 ]
	run "$IL" check -- psql -X -d app_production "${args[@]}" -c "DELETE FROM items"
	[ "$status" -eq 3 ]
	[[ "$output" == *"6 more DELETE/UPDATE/MERGE statements were not estimated"* ]]
	[ "$(count app_production items)" -eq 5000 ]
}

@test "explain: SQL piped on stdin is estimated before anything runs" {
	run no_tty sh -c "printf 'SELECT 1;\nUPDATE items SET v = NULL;\n' | '$IL' run -- psql -X -d app_production"
	[ "$status" -eq 77 ]
	[ "$(/usr/bin/psql -X -qAt -d app_production -c "SELECT count(*) FROM items WHERE v IS NULL")" -eq 0 ]
	run sh -c "printf 'UPDATE items SET v = NULL;\n' | '$IL' check -- psql -X -d app_production"
	[ "$status" -eq 3 ]
	[[ "$output" == *"UPDATE items: the planner estimates "*" rows (EXPLAIN, not run)"* ]]
}
