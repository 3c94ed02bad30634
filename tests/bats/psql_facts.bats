#!/usr/bin/env bats
# What psql statements are reported and how production rules decide them
# (src/psql/sqlfacts.c, rules.d/psql.toml), and that `check` plans nothing
# that could run user code (src/psql/explain.c), against a real PostgreSQL
# 15 server that this file starts (tests/pg/server.sh) and stops.
# app_production has items(id) with 100 rows, and user code that leaves a
# LOG line in the server's log whenever it runs: an IMMUTABLE plpgsql
# function behind the operator #%#, an IMMUTABLE public.lower(int)
# standing in for lower(1), and one in the view items_v's definition.
# A read-only transaction allows a LOG line, and it is what the reviewer
# could observe: a function run by the planner while it planned EXPLAIN.
load helpers

setup_file() {
	pg_start
	for db in app_production shadow_production view_production; do
		/usr/bin/psql -X -q -d postgres -c "CREATE DATABASE $db"
		/usr/bin/psql -X -q -d $db -c "CREATE TABLE items(id int);
			INSERT INTO items SELECT generate_series(1, 100); ANALYZE"
	done
	/usr/bin/psql -X -q -d app_production -c "
		CREATE FUNCTION side(int, int) RETURNS int IMMUTABLE LANGUAGE plpgsql
			AS \$\$BEGIN RAISE LOG 'interlock-side-effect operator'; RETURN \$1 + \$2; END\$\$;
		CREATE OPERATOR #%# (FUNCTION = side, LEFTARG = int, RIGHTARG = int)"
	/usr/bin/psql -X -q -d shadow_production -c "
		CREATE FUNCTION public.lower(int) RETURNS int IMMUTABLE LANGUAGE plpgsql
			AS \$\$BEGIN RAISE LOG 'interlock-side-effect lower'; RETURN \$1; END\$\$"
	/usr/bin/psql -X -q -d view_production -c "
		CREATE FUNCTION lim() RETURNS int IMMUTABLE LANGUAGE plpgsql
			AS \$\$BEGIN RAISE LOG 'interlock-side-effect view'; RETURN 0; END\$\$;
		CREATE VIEW items_v AS SELECT * FROM items WHERE id > lim()"
}

teardown_file() {
	pg_stop
}

setup() {
	pg_setup
}

# dml FIELD: FIELD of every dml operation of the JSON in $output.
dml() {
	jq -r ".operations[] | select(.kind == \"dml\") | .$1" <<<"$output"
}

# side_effects WHAT: how many times the user code WHAT has logged so far.
side_effects() {
	grep -c "interlock-side-effect $1" "$PGDIR/server.log" || true
}

# rule SQL: the ids of the rules that match SQL on production, one a line.
rule() {
	"$IL" check --json -- psql -X -h prod-db -c "$1" | jq -r '.matches[].id'
}

@test "psql_facts: check does not run a user-defined operator while planning" {
	local before
	before=$(side_effects operator)
	run "$IL" check --json -- psql -X -d app_production -c 'DELETE FROM items WHERE id = (1 #%# 2)'
	[ "$status" -eq 3 ]
	[ "$(dml rows_estimate)" = null ]
	[[ "$(dml explain_error)" == "not explained: uses operator #%#"* ]]
	[ "$(jq -r '.operations[] | select(.kind == "opaque") | .operator' <<<"$output")" = "#%#" ]
	[ "$(side_effects operator)" -eq "$before" ]
	# the same operator used by nobody: other statements there are estimated
	run "$IL" check --json -- psql -X -d app_production -c 'DELETE FROM items WHERE id < 10'
	[ "$(dml explain_error)" = null ]
	[ "$(dml rows_estimate)" -ge 1 ]
}

@test "psql_facts: check does not plan on a database where user code stands in for a built-in" {
	local before
	before=$(side_effects lower)
	run "$IL" check --json -- psql -X -d shadow_production -c 'DELETE FROM items WHERE id = lower(1)'
	[ "$(dml rows_estimate)" = null ]
	[[ "$(dml explain_error)" == *"user code: function lower(integer) is named like a built-in"* ]]
	[ "$(side_effects lower)" -eq "$before" ]
}

@test "psql_facts: check does not plan through a view that calls user code" {
	local before
	before=$(side_effects view)
	run "$IL" check --json -- psql -X -d view_production -c 'DELETE FROM items_v WHERE id < 5'
	[ "$(dml rows_estimate)" = null ]
	[[ "$(dml explain_error)" == *"function lim() is used by a view"* ]]
	[ "$(side_effects view)" -eq "$before" ]
}

@test "psql_facts: the EXPLAIN session searches pg_catalog first, then the session's path" {
	local before
	before=$(stat -c %s "$PGDIR/server.log")
	/usr/bin/psql -X -q -d postgres -c "ALTER SYSTEM SET log_statement = 'all'" \
		-c "ALTER SYSTEM SET log_line_prefix = '%a: '" -c "SELECT pg_reload_conf()" >/dev/null
	run "$IL" check --json -- psql -X -d app_production -c 'DELETE FROM items WHERE id < 10'
	[ "$(dml rows_estimate)" -ge 1 ]
	tail -c +$((before + 1)) "$PGDIR/server.log" | grep -q "^interlock-explain: .*set_config('search_path', pg_catalog.concat_ws(', ', 'pg_catalog'"
}

@test "psql_facts: statements production confirms that it used to allow" {
	[ "$(rule 'ALTER TABLE orders ADD COLUMN tenant int NOT NULL')" = psql.add-column-not-null ]
	[ "$(rule 'ALTER TABLE orders ADD COLUMN k bigint PRIMARY KEY')" = psql.add-column-not-null ]
	[ "$(rule 'ALTER TABLE orders ADD COLUMN tenant int NOT NULL DEFAULT 0')" = "" ]
	for obj in TABLE VIEW SEQUENCE 'MATERIALIZED VIEW'; do
		[ "$(rule "ALTER $obj x SET SCHEMA archive")" = psql.set-schema ]
	done
	[ "$(rule 'ALTER TABLE ALL IN TABLESPACE a SET TABLESPACE b')" = psql.alter-table-lock ]
	[ "$(rule 'ALTER TABLE orders SET ACCESS METHOD heap2')" = psql.alter-table-lock ]
	[ "$(rule 'ALTER TABLE orders SET TABLESPACE b')" = psql.alter-table-lock ]
	for s in 'SET session_replication_role = replica' \
		'SET LOCAL session_replication_role = replica' \
		'SET SESSION session_replication_role = replica' \
		'ALTER ROLE r SET session_replication_role = replica' \
		'ALTER DATABASE d SET session_replication_role = replica'; do
		[ "$(rule "$s")" = psql.replication-role ]
	done
	[ "$(rule 'SET session_replication_role = origin')" = "" ]
	[ "$(rule 'BEGIN; LOCK TABLE orders; COMMIT')" = psql.lock ]
	[ "$(rule 'BEGIN; LOCK orders IN ACCESS SHARE MODE; COMMIT')" = "" ]
	[ "$(rule 'REFRESH MATERIALIZED VIEW totals')" = psql.refresh-lock ]
	[ "$(rule 'REFRESH MATERIALIZED VIEW CONCURRENTLY totals')" = "" ]
	[ "$(rule "SECURITY LABEL ON TABLE orders IS 'secret'")" = psql.privilege ]
}

@test "psql_facts: ALTER DOMAIN ... RENAME CONSTRAINT names the domain; role options by their SQL names" {
	run "$IL" check -- psql -X -h prod-db -c 'ALTER DOMAIN email RENAME CONSTRAINT c TO e'
	[ "$status" -eq 3 ]
	[[ "$output" == *"ALTER DOMAIN email RENAME CONSTRAINT c TO e: "* ]]
	run "$IL" check -- psql -X -h prod-db -c 'ALTER ROLE app NOLOGIN REPLICATION NOSUPERUSER'
	[[ "$output" == *"(nologin, replication, nosuperuser on role app)"* ]]
}

@test "psql_facts: a user-defined operator is opaque wherever the statement is parsed" {
	run "$IL" check --json -- psql -X -h prod-db -c 'SELECT * FROM t WHERE x #%# 1 FOR UPDATE'
	[ "$status" -eq 3 ]
	[ "$(jq -r '.matches[].id' <<<"$output")" = psql.opaque ]
	run "$IL" check --json -- psql -X -h prod-db -c 'CREATE FUNCTION public.lower(int) RETURNS int LANGUAGE sql RETURN 1'
	[ "$status" -eq 3 ]
	[[ "$(jq -r '.operations[0].reason' <<<"$output")" == *"named like a built-in one"* ]]
}
