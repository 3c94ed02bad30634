#!/usr/bin/env bats
# pg_restore sends each archive entry to the server as a query of its own;
# its `-f -` script only concatenates them. A crafted -Fc archive whose
# entries leave quotes open must be analysed entry by entry, as the server
# gets them - against a real PostgreSQL 15 (tests/pg/server.sh) and the real
# pg_dump and pg_restore 15. shop_stg is staging, shop_production
# production.
load helpers

PGBIN=/usr/lib/postgresql/15/bin

setup_file() {
	pg_start shop_stg shop_production
}

teardown_file() {
	pg_stop
}

# In both databases: the schema keepme (with a table) and three tables whose
# comments are of one length; GOOD is the pg_dump -Fc of shop_stg, EVIL the
# same with the three COMMENT entries' SQL turned into `SELECT $q$`,
# `DROP SCHEMA keepme CASCADE;` and `$q$;` (padded to the same length). As
# one script they are one string literal; pg_restore runs each on its own.
setup() {
	pg_setup
	for db in shop_stg shop_production; do
		/usr/bin/psql -X -q -d "$db" -c "DROP SCHEMA IF EXISTS keepme CASCADE;
			DROP TABLE IF EXISTS a, b, c;
			CREATE SCHEMA keepme; CREATE TABLE keepme.t(id int);
			CREATE TABLE a(x int); CREATE TABLE b(x int); CREATE TABLE c(x int);
			INSERT INTO a VALUES (1);
			COMMENT ON TABLE a IS '$(printf 'A%.0s' {1..40})';
			COMMENT ON TABLE b IS '$(printf 'B%.0s' {1..40})';
			COMMENT ON TABLE c IS '$(printf 'C%.0s' {1..40})';"
	done
	GOOD="$T/good.dump" EVIL="$T/evil.dump"
	"$PGBIN/pg_dump" -Fc -Z0 -d shop_stg -f "$GOOD"
	python3 - "$GOOD" "$EVIL" <<'EOF'
import sys
d = open(sys.argv[1], 'rb').read()
for t, new in ((b'a', b'SELECT $q$'), (b'b', b'DROP SCHEMA keepme CASCADE;'), (b'c', b'$q$;')):
    old = b"COMMENT ON TABLE public.%s IS '%s';" % (t, t.upper() * 40)
    assert d.count(old) == 1
    d = d.replace(old, new.ljust(len(old)))
open(sys.argv[2], 'wb').write(d)
EOF
}

has_keepme() {
	/usr/bin/psql -X -qAt -d "$1" -c "SELECT to_regnamespace('keepme') IS NOT NULL"
}

@test "pg_restore2: the crafted archive really drops the schema - entry by entry" {
	# what the real pg_restore does with it, without interlock
	"$PGBIN/pg_restore" -d shop_stg "$EVIL" 2>/dev/null || true
	[ "$(has_keepme shop_stg)" = f ]
}

@test "pg_restore2: check on staging sees the DROP SCHEMA between two open entries" {
	run "$IL" check -- pg_restore -d shop_stg "$EVIL"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"DROP SCHEMA keepme"* ]]
	run "$IL" check --json -- pg_restore -d shop_stg "$EVIL"
	[ "$(jq -r '.operations[] | select(.kind == "drop") | .statement' <<<"$output")" = "DROP SCHEMA" ]
	[ "$(jq '[.operations[] | select(.kind == "opaque")] | length' <<<"$output")" -eq 2 ]
	[[ "$(jq -r '.operations[] | select(.kind == "opaque") | .reason' <<<"$output")" == *"ends inside unterminated dollar-quoted string"* ]]
	# the untouched archive: nothing to confirm
	run "$IL" check -- pg_restore -d shop_stg "$GOOD"
	[ "$status" -eq 0 ]
	run "$IL" check --json -- pg_restore -d shop_stg "$GOOD"
	[ "$(jq '[.operations[] | select(.kind == "opaque" or .kind == "drop")] | length' <<<"$output")" -eq 0 ]
}

@test "pg_restore2: run on staging asks first; a wrong answer keeps the schema" {
	run "$PTY" wrong "$IL" run -- pg_restore -d shop_stg "$EVIL"
	echo "$output"
	[ "$status" -eq 77 ]
	[[ "$output" == *"DROP SCHEMA keepme"* ]]
	[ "$(has_keepme shop_stg)" = t ]
}

@test "pg_restore2: on production the banner lists the DROP SCHEMA" {
	run "$PTY" wrong "$IL" run -- pg_restore -d shop_production "$EVIL"
	echo "$output"
	[ "$status" -eq 77 ]
	[[ "$output" == *"DROP SCHEMA keepme"* ]]
	[[ "$output" == *"ends inside"* ]]
	[ "$(has_keepme shop_production)" = t ]
}

@test "pg_restore2: --clean DROPs come before any entry header: each line on its own" {
	# --clean drops c, b, a first, each DROP a query of its own with no
	# header between them: c's and a's DROP turned into the two halves of a
	# string literal must not hide b's
	python3 - "$GOOD" clean.dump <<'EOF'
import sys
d = open(sys.argv[1], 'rb').read()
for t, new in ((b'c', b'SELECT $q$'), (b'a', b'$q$;')):
    drop = b"DROP TABLE public.%s;\n" % t
    assert d.count(drop) == 1
    d = d.replace(drop, new.ljust(len(drop) - 1) + b'\n')
open(sys.argv[2], 'wb').write(d)
EOF
	"$PGBIN/pg_restore" -f - --clean clean.dump | grep -q '^SELECT \$q\$'
	run "$IL" check --json -- pg_restore --clean -d shop_stg clean.dump
	echo "$output"
	[[ "$(jq -r '[.operations[] | select(.kind == "drop") | .names] | join(" ")' <<<"$output")" == *public.b* ]]
	[ "$(jq '[.operations[] | select(.kind == "opaque")] | length' <<<"$output")" -eq 2 ]
}
