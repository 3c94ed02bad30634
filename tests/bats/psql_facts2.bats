#!/usr/bin/env bats
# More of what psql statements are reported and how production rules decide
# them (src/psql/sqlfacts.c, rules.d/psql.toml), and what `check` refuses to
# plan (src/psql/explain.c), against a real PostgreSQL 15 server that this
# file starts (tests/pg/server.sh) and stops. app_production has items(id
# primary key, v) with 100 analysed rows. op_production has the same table
# and public.=(text,integer), an operator named like a built-in one whose
# VOLATILE plpgsql function leaves a LOG line in the server's log whenever
# it runs, with RESTRICT = eqsel: eqsel calls the operator's function on
# the column's statistics while the planner plans, whatever its volatility.
load helpers

setup_file() {
	pg_start
	for db in app_production op_production; do
		/usr/bin/psql -X -q -d postgres -c "CREATE DATABASE $db"
		/usr/bin/psql -X -q -d $db -c "CREATE TABLE items(id int PRIMARY KEY, v text);
			INSERT INTO items SELECT g, (g % 10)::text FROM generate_series(1, 100) g"
	done
	/usr/bin/psql -X -q -d op_production -c "
		CREATE FUNCTION public.text_eq_int(text, int) RETURNS boolean VOLATILE LANGUAGE plpgsql
			AS \$\$BEGIN RAISE LOG 'interlock-side-effect eqsel'; RETURN \$1 = \$2::text; END\$\$;
		CREATE OPERATOR public.= (FUNCTION = text_eq_int, LEFTARG = text, RIGHTARG = int,
			RESTRICT = eqsel)"
	for db in app_production op_production; do
		/usr/bin/psql -X -q -d $db -c "ANALYZE"
	done
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

# pwned: rows of app_production's items that an upsert changed.
pwned() {
	/usr/bin/psql -X -qAt -d app_production -c "SELECT count(*) FROM items WHERE v = 'pwned'"
}

@test "psql_facts2: INSERT ... ON CONFLICT DO UPDATE from a query is confirmed on production, estimated, and nothing runs" {
	run "$IL" check --json -- psql -X -d app_production -c \
		"INSERT INTO items SELECT * FROM items ON CONFLICT (id) DO UPDATE SET v = 'pwned'"
	[ "$status" -eq 3 ]
	[ "$(jq -r '.matches[].id' <<<"$output")" = psql.upsert-all-rows ]
	[ "$(dml statement)" = INSERT ] && [ "$(dml where)" = none ] && [ "$(dml rows_from)" = query ]
	local est
	est="$(dml rows_estimate)"
	[ "$est" -ge 90 ] && [ "$est" -le 110 ]
	run no_tty "$IL" run -- psql -X -d app_production -c \
		"INSERT INTO items SELECT * FROM items ON CONFLICT (id) DO UPDATE SET v = 'pwned'"
	[ "$status" -eq 77 ]
	[ "$(pwned)" -eq 0 ]
	# a DO UPDATE ... WHERE limits it, a VALUES list bounds it: allowed
	[ "$(rule "INSERT INTO items SELECT * FROM items ON CONFLICT (id) DO UPDATE SET v = 'x' WHERE items.id = 3")" = "" ]
	[ "$(rule "INSERT INTO items VALUES (1, 'a') ON CONFLICT (id) DO UPDATE SET v = excluded.v")" = "" ]
	[ "$(rule "INSERT INTO items SELECT * FROM items ON CONFLICT (id) DO UPDATE SET v = 'x' WHERE true")" = psql.upsert-all-rows ]
}

@test "psql_facts2: a repeated option counts by its last occurrence, as in PostgreSQL" {
	[ "$(rule 'EXPLAIN (ANALYZE false, ANALYZE true) DELETE FROM t')" = psql.dml-all-rows ]
	[ "$(rule 'EXPLAIN (ANALYZE true, ANALYZE off) DELETE FROM t')" = "" ]
	[ "$(rule 'VACUUM (FULL false, FULL true) t')" = psql.vacuum-full ]
	[ "$(rule 'REINDEX (CONCURRENTLY true, CONCURRENTLY false) TABLE t')" = psql.index-lock ]
	[ "$(rule 'BEGIN READ ONLY, READ WRITE')" = psql.read-write ]
	[ "$(rule 'BEGIN READ WRITE, READ ONLY')" = "" ]
	# and the server agrees: the last one wins
	[ "$(/usr/bin/psql -X -qAt -d app_production -c 'BEGIN READ ONLY, READ WRITE' \
		-c 'SHOW transaction_read_only' -c 'COMMIT')" = off ]
}

@test "psql_facts2: ownership, database lock-outs and sequence restarts are confirmed on production" {
	[ "$(rule 'ALTER TABLE orders OWNER TO intern')" = psql.privilege ]
	[ "$(rule 'ALTER FUNCTION purge(int) OWNER TO intern')" = psql.privilege ]
	[ "$(rule 'ALTER SCHEMA app OWNER TO intern')" = psql.privilege ]
	[ "$(rule 'ALTER FUNCTION purge(int) SECURITY DEFINER')" = psql.privilege ]
	[ "$(rule 'ALTER DATABASE app_production WITH ALLOW_CONNECTIONS false')" = psql.database-connections ]
	[ "$(rule 'ALTER DATABASE app_production CONNECTION LIMIT 0')" = psql.database-connections ]
	[ "$(rule 'ALTER DATABASE app_production CONNECTION LIMIT -1')" = "" ]
	[ "$(rule 'ALTER DATABASE app_production IS_TEMPLATE true')" = psql.database-template ]
	[ "$(rule 'ALTER DATABASE app_production SET TABLESPACE slow')" = psql.database-tablespace ]
	[ "$(rule 'ALTER SEQUENCE orders_id_seq RESTART')" = psql.sequence-restart ]
	[ "$(rule 'ALTER TABLE orders ALTER COLUMN id RESTART WITH 1')" = psql.sequence-restart ]
	run "$IL" check -- psql -X -h prod-db -c 'ALTER SEQUENCE orders_id_seq RESTART WITH -5'
	[[ "$output" == *"restarts the sequence orders_id_seq at -5"* ]]
}

@test "psql_facts2: check does not plan where an operator named like a built-in one runs user code" {
	local before
	before=$(side_effects eqsel)
	run "$IL" check --json -- psql -X -d op_production -c 'DELETE FROM items WHERE v = 1'
	[ "$(dml rows_estimate)" = null ]
	[[ "$(dml explain_error)" == *"user code: operator public.=(text,integer) is named like a built-in one"* ]]
	[ "$(side_effects eqsel)" -eq "$before" ]
	# the same statement where no such operator exists is estimated
	run "$IL" check --json -- psql -X -d app_production -c "DELETE FROM items WHERE v = '1'"
	[ "$(dml explain_error)" = null ]
	[ "$(dml rows_estimate)" -ge 1 ]
}
