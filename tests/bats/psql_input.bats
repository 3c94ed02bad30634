#!/usr/bin/env bats
# psql input that changes what psql runs in ways the SQL text alone does not
# show: \connect, COPY data psql reads as SQL, lexing settings from outside
# the SQL, single-line mode, shell and editor escapes, included files,
# versioned psqlrc names, sessions that cannot be kept read-only, large
# objects. Against a real PostgreSQL 15 server (tests/pg/server.sh), as in
# psql.bats: app_production (production by its name, on a local socket) and
# app_dev; postgres is development.
load helpers

setup_file() {
	pg_start app_production app_dev
}

teardown_file() {
	pg_stop
}

# Fresh table items(id) with 10 rows in every database.
setup() {
	pg_setup
	fresh_items app_production app_dev postgres
}

# ---- 1. \connect ----------------------------------------------------------

@test "input: \\c to production from a development target, on stdin: blocked, rows kept" {
	run no_tty sh -c "printf '\\\\c app_production\nDELETE FROM items;\n' | '$IL' run -- psql -X postgres"
	[ "$status" -eq 77 ]
	[[ "$output" == *"production environment"* ]]
	[ "$(rows app_production)" -eq 10 ]
}

@test "input: -c '\\c app_production' -c 'DELETE ...': blocked, rows kept" {
	run no_tty "$IL" run -- psql -X postgres -c '\c app_production' -c 'DELETE FROM items'
	[ "$status" -eq 77 ]
	[[ "$output" == *"psql.dml-all-rows"* ]]
	[ "$(rows app_production)" -eq 10 ]
}

@test "input: \\c with a connection string, '-' and -reuse-previous count too" {
	run "$IL" check -- psql -X postgres -c '\c "dbname=app_production"' -c 'SELECT 1'
	[ "$status" -eq 3 ]
	[[ "$output" == *"production environment"* ]]
	run "$IL" check -- psql -X postgres -c '\c -reuse-previous=on - - prod-db' -c 'SELECT 1'
	[ "$status" -eq 3 ]
	run "$IL" check -- psql -X postgres -c '\c app_dev'
	[ "$status" -eq 0 ]
	[[ "$output" == *"development environment"* ]]
}

@test "input: \\c to a target from a variable or backticks counts as unknown_remote" {
	run "$IL" check -- psql -X postgres -v db=app_dev -c '\c :db' -c 'SELECT 1'
	[ "$status" -eq 3 ]
	[[ "$output" == *"production environment"* ]]
}

# ---- 2. COPY data psql reads as SQL ----------------------------------------

@test "input: COPY FROM STDIN in a false \\if branch: blocked, rows kept" {
	printf '\\if false\nCOPY items FROM STDIN;\n\\endif\nDELETE FROM items;\n\\.\n' >in.sql
	run no_tty "$IL" run -- psql -X -d app_production -f in.sql
	[ "$status" -eq 77 ]
	[[ "$output" == *"inside \\if"* ]]
	[ "$(rows app_production)" -eq 10 ]
}

@test "input: a COPY that fails at the server turns its data into SQL: blocked, rows kept" {
	printf 'COPY nosuchtable FROM STDIN;\nDELETE FROM items;\n\\.\n' >in.sql
	run no_tty "$IL" run -- psql -X -d app_production -f in.sql
	[ "$status" -eq 77 ]
	[[ "$output" == *"COPY data line starts with delete"* ]]
	[ "$(rows app_production)" -eq 10 ]
	# ordinary data still runs
	printf 'COPY items FROM STDIN;\n11\n\\N\n12\n\\.\n' >in2.sql
	run no_tty "$IL" run -- psql -X -q -d app_production -f in2.sql
	[ "$status" -eq 0 ]
	[ "$(rows app_production)" -eq 13 ]
}

# ---- 3. lexing changed from outside the SQL --------------------------------

@test "input: PGOPTIONS standard_conforming_strings=off: blocked, rows kept" {
	run no_tty env PGOPTIONS='-c standard_conforming_strings=off' \
		"$IL" run -- psql -X -d app_production -c "SELECT 'a\\''; DELETE FROM items; --'"
	[ "$status" -eq 77 ]
	[[ "$output" == *"standard_conforming_strings"* ]]
	[ "$(rows app_production)" -eq 10 ]
}

@test "input: options=standard_conforming_strings=off in the connection string: blocked" {
	run no_tty "$IL" run -- psql -X \
		-d "dbname=app_production options='-c standard_conforming_strings=off'" \
		-c "SELECT 'a\\''; DELETE FROM items; --'"
	[ "$status" -eq 77 ]
	[ "$(rows app_production)" -eq 10 ]
}

@test "input: client encodings that hide quotes (PGCLIENTENCODING, \\encoding) are opaque" {
	run env PGCLIENTENCODING=SJIS "$IL" check -- psql -X -d app_production -c 'SELECT 1'
	[ "$status" -eq 3 ]
	[[ "$output" == *"client encoding SJIS"* ]]
	printf '\\encoding BIG5\nSELECT 1;\n' >in.sql
	run "$IL" check -- psql -X -d app_production -f in.sql
	[ "$status" -eq 3 ]
	[[ "$output" == *"\\encoding BIG5"* ]]
	run env PGCLIENTENCODING=LATIN1 "$IL" check -- psql -X -d app_production -c 'SELECT 1'
	[ "$status" -eq 0 ]
}

# ---- 4. single-line mode ---------------------------------------------------

@test "input: single-line mode (-S, -v, --set, \\set) splits at the newline: blocked, rows kept" {
	printf "SELECT 'x'\nDELETE FROM items;\n" >in.sql
	for opt in -S "-v SINGLELINE=on" "--set=SINGLELINE=1"; do
		# shellcheck disable=SC2086
		run no_tty "$IL" run -- psql -X $opt -d app_production -f in.sql
		[ "$status" -eq 77 ]
		[[ "$output" == *"psql.dml-all-rows"* ]]
	done
	printf "\\\\set SINGLELINE on\nSELECT 'x'\nDELETE FROM items;\n" >in2.sql
	run no_tty "$IL" run -- psql -X -d app_production -f in2.sql
	[ "$status" -eq 77 ]
	[ "$(rows app_production)" -eq 10 ]
}

@test "input: SINGLELINE from a variable is opaque" {
	printf "\\\\set SINGLELINE :mode\nSELECT 'x'\nDELETE FROM items;\n" >in.sql
	run no_tty "$IL" run -- psql -X -v mode=on -d app_production -f in.sql
	[ "$status" -eq 77 ]
	[[ "$output" == *"single-line mode"* ]]
	[ "$(rows app_production)" -eq 10 ]
}

# ---- 5. shell and editor escapes -------------------------------------------

@test "input: \\g (options) |sh runs a shell command: blocked, nothing run" {
	run no_tty "$IL" run -- psql -X -d app_production \
		-c "SELECT 'touch $T/pwned' \\g (format=unaligned tuples_only=on) |sh"
	[ "$status" -eq 77 ]
	[[ "$output" == *"psql.shell"* ]]
	[ ! -e "$T/pwned" ]
}

@test "input: \\o '|sh' (quoted), -o '|sh' and --output='|sh' are shell commands" {
	printf "\\\\o '|sh'\nSELECT 'touch $T/pwned';\n" >in.sql
	run no_tty "$IL" run -- psql -X -At -d app_production -f in.sql
	[ "$status" -eq 77 ]
	[[ "$output" == *"psql.shell"* ]]
	run no_tty "$IL" run -- psql -X -At -o '|sh' -d app_production -c "SELECT 'touch $T/pwned'"
	[ "$status" -eq 77 ]
	run no_tty "$IL" run -- psql -X -At --output='|sh' -d app_production -c "SELECT 'touch $T/pwned'"
	[ "$status" -eq 77 ]
	[ ! -e "$T/pwned" ]
}

@test "input: backticks in a meta-command argument run a shell command" {
	printf '\\set x `touch %s/pwned`\n' "$T" >in.sql
	run no_tty "$IL" run -- psql -X -d app_production -f in.sql
	[ "$status" -eq 77 ]
	[[ "$output" == *"touch $T/pwned"* ]]
	[ ! -e "$T/pwned" ]
	printf "\\\\echo '\`quoted\`'\n" >in2.sql
	run "$IL" check -- psql -X -d app_production -f in2.sql
	[ "$status" -eq 0 ]
}

@test "input: \\setenv PSQL_EDITOR then \\e, or EDITOR with \\ef: the editor and its SQL" {
	printf '#!/bin/sh\necho "DELETE FROM items;" >"$1"\n' >"$T/ed.sh"
	chmod +x "$T/ed.sh"
	printf '\\setenv PSQL_EDITOR %s/ed.sh\n\\e\n' "$T" >in.sql
	run no_tty "$IL" run -- psql -X -d app_production -f in.sql
	[ "$status" -eq 77 ]
	[[ "$output" == *"$T/ed.sh (the editor \\e runs)"* ]]
	[ "$(rows app_production)" -eq 10 ]
	run env EDITOR="$T/ed.sh" "$IL" check -- psql -X -d app_production -c '\ef f'
	[ "$status" -eq 3 ]
	[[ "$output" == *"the editor writes"* ]]
}

# ---- 6. included files -----------------------------------------------------

@test "input: \\i 'file' is dequoted as psql does: the included DELETE is seen" {
	echo 'DELETE FROM items;' >evil.sql
	printf "\\\\i 'evil.sql'\n" >main.sql
	run no_tty "$IL" run -- psql -X -d app_production -f main.sql
	[ "$status" -eq 77 ]
	[[ "$output" == *"psql.dml-all-rows"* ]]
	[ "$(rows app_production)" -eq 10 ]
}

@test "input: a file the input writes and then includes is opaque: blocked, rows kept" {
	echo 'SELECT 1;' >gen.sql
	printf "\\\\o gen.sql\nSELECT 'DELETE FROM items;' \\\\g (format=unaligned tuples_only=on)\n\\\\o\n\\\\i gen.sql\n" >main.sql
	run no_tty "$IL" run -- psql -X -d app_production -f main.sql
	[ "$status" -eq 77 ]
	[[ "$output" == *"the input writes files before it"* ]]
	[ "$(rows app_production)" -eq 10 ]
}

# ---- 7. psqlrc names -------------------------------------------------------

@test "input: ~/.psqlrc-<full version> is analysed" {
	echo 'DELETE FROM items;' >"$HOME/.psqlrc-15.18 (Debian 15.18-0+deb12u1)"
	run "$IL" check -- psql -d app_production -c 'SELECT 1'
	[ "$status" -eq 3 ]
	[[ "$output" == *"psql.dml-all-rows"* ]]
}

# ---- 8. sessions that cannot be kept read-only -----------------------------

@test "input: options= in the connection string: the session is not read-only, it is confirmed" {
	run "$PTY" - "$IL" check -- psql -X -d "dbname=app_production options='-c work_mem=4MB'"
	[ "$status" -eq 3 ]
	[[ "$output" == *"psql.session-not-read-only"* ]]
}

@test "input: agent mode gets no production session at all (it could turn read-only off)" {
	run env CLAUDECODE=1 "$PTY" - "$IL" run -- psql -X -d app_production
	[ "$status" -eq 77 ]
	[[ "$output" == *"psql.session-not-read-only"* ]]
	[ "$(rows app_production)" -eq 10 ]
}

# ---- 9. large objects ------------------------------------------------------

@test "input: \\lo_unlink on production: blocked, the large object survives" {
	oid=$(/usr/bin/psql -X -qAt -d app_production -c "SELECT lo_from_bytea(0, 'x')")
	run no_tty "$IL" run -- psql -X -d app_production -c "\\lo_unlink $oid"
	[ "$status" -eq 77 ]
	[[ "$output" == *"deletes the large object $oid"* ]]
	[ "$(/usr/bin/psql -X -qAt -d app_production -c "SELECT count(*) FROM pg_largeobject_metadata WHERE oid = $oid")" -eq 1 ]
	run "$IL" check -- psql -X -d app_production -c '\lo_import /etc/hostname'
	[ "$status" -eq 3 ]
}
