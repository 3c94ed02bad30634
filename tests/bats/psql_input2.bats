#!/usr/bin/env bats
# More psql input that psql runs differently from how it reads at first
# sight: text that spans \if branches, single-line mode from boolean
# variables, COPY in -c strings and COPY data that runs as SQL, files psql
# reads after \cd or after writing them, \i -, pipes under `check`, and user
# operators. Against a real PostgreSQL 15 server (tests/pg/server.sh), as in
# psql_input.bats: app_production is production by its name.
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

# ---- 1. \if ----------------------------------------------------------------

@test "input2: a false \\if branch inside a statement: blocked, rows kept" {
	run no_tty sh -c "printf 'DELETE FROM items\n\\\\if false\nWHERE id = 1\n\\\\endif\n;\n' |
		'$IL' run -- psql -X -d app_production"
	[ "$status" -eq 77 ]
	[[ "$output" == *"conditional"* ]]
	[ "$(rows app_production)" -eq 10 ]
}

@test "input2: \\g after an \\if block repeats a query interlock cannot know" {
	printf 'SELECT 1;\n\\if false\nSELECT 2;\n\\endif\n\\g\n' >in.sql
	run "$IL" check -- psql -X -d app_production -f in.sql
	[ "$status" -eq 3 ]
	[[ "$output" == *"conditional"* ]]
}

@test "input2: \\cd inside \\if makes the directory of a later \\i unknown" {
	mkdir -p evil benign
	printf 'DELETE FROM items;\n' >evil/x.sql
	printf 'SELECT 1;\n' >benign/x.sql
	printf '\\if false\n\\cd %s/benign\n\\endif\n\\i x.sql\n' "$PWD" >evil/main.sql
	cd evil
	run no_tty "$IL" run -- psql -X -d app_production -f main.sql
	[ "$status" -eq 77 ]
	[[ "$output" == *"working directory is not known"* ]]
	[ "$(rows app_production)" -eq 10 ]
}

@test "input2: \\c inside \\if: a later \\c that reuses the connection counts as unknown" {
	run "$IL" check -- psql -X -d app_dev -c '\if false' -c '\endif' -c 'SELECT 1'
	[ "$status" -eq 0 ]
	printf '\\if false\n\\c app_dev\n\\endif\n\\c -reuse-previous=on app_dev\nSELECT 1;\n' >in.sql
	run "$IL" check -- psql -X -h /nonexistent-host-dir -d app_dev -f in.sql
	[[ "$output" == *"cannot be known"* ]]
}

# ---- 2. single-line mode -----------------------------------------------------

@test "input2: \\set SINGLELINE with no value turns single-line mode on" {
	run no_tty sh -c "printf '\\\\set SINGLELINE\nDELETE FROM items\nWHERE id = 1;\n' |
		'$IL' run -- psql -X -d app_production"
	[ "$status" -eq 77 ]
	[[ "$output" == *"psql.dml-all-rows"* ]]
	[ "$(rows app_production)" -eq 10 ]
}

@test "input2: -v SINGLELINE= (empty) turns single-line mode on" {
	printf 'DELETE FROM items\nWHERE id = 1;\n' >in.sql
	run no_tty "$IL" run -- psql -X -v SINGLELINE= -d app_production -f in.sql
	[ "$status" -eq 77 ]
	[[ "$output" == *"psql.dml-all-rows"* ]]
	[ "$(rows app_production)" -eq 10 ]
}

@test "input2: -S with \\set SINGLELINE off in a false branch: opaque, rows kept" {
	printf '\\if false\n\\set SINGLELINE off\n\\endif\nDELETE FROM items\nWHERE id = 1;\n' >in.sql
	run no_tty "$IL" run -- psql -X -S -d app_production -f in.sql
	[ "$status" -eq 77 ]
	[[ "$output" == *"inside \\if"* ]]
	[ "$(rows app_production)" -eq 10 ]
}

# ---- 3. COPY -------------------------------------------------------------------

@test "input2: -c with COPY FROM STDIN: the rest of the string is SQL, not data" {
	cmd=$'COPY items FROM STDIN;\n(SELECT 1); DELETE FROM items;'
	run no_tty sh -c 'echo 5 | "$0" run -- psql -X -d app_production -c "$1"' "$IL" "$cmd"
	[ "$status" -eq 77 ]
	[[ "$output" == *"psql.dml-all-rows"* ]]
	[ "$(rows app_production)" -eq 10 ]
}

@test "input2: a COPY data line with a ';' runs as SQL if the COPY fails: opaque, rows kept" {
	printf 'COPY no_such_table FROM STDIN;\n(SELECT 1); DELETE FROM items;\n\\.\n' >in.sql
	run no_tty "$IL" run -- psql -X -d app_production -f in.sql
	[ "$status" -eq 77 ]
	[[ "$output" == *"COPY fails"* ]]
	[ "$(rows app_production)" -eq 10 ]
	# data with balanced quotes, pg_dump escapes and no ';' stays allowed
	/usr/bin/psql -X -q -d app_production -c 'CREATE TABLE notes(id int, t text)'
	printf '%s\n' 'COPY notes FROM STDIN;' $'1\tO\'Brien' $'2\tit\'s\\tfine\\n\\\\x' $'3\t\\N' \
		'\.' 'COPY items (id) FROM STDIN;' 11 '\N' '\.' >in2.sql
	run no_tty "$IL" run -- psql -X -q -v ON_ERROR_STOP=1 -d app_production -f in2.sql
	[ "$status" -eq 0 ]
	[ "$(rows app_production)" -eq 12 ]
}

# ---- 4. files psql reads -------------------------------------------------------

@test "input2: -f of a file the input wrote before: opaque, rows kept" {
	run no_tty "$IL" run -- psql -X -At -d app_production -c "\\o $PWD/x.sql" \
		-c "SELECT 'DELETE FROM items;'" -c '\o' -f "$PWD/x.sql"
	[ "$status" -eq 77 ]
	[[ "$output" == *"writes files before it"* ]]
	[ "$(rows app_production)" -eq 10 ]
}

@test "input2: -f after \\cd is read from the new directory" {
	mkdir -p evil benign
	printf 'DELETE FROM items;\n' >evil/x.sql
	printf 'SELECT 1;\n' >benign/x.sql
	cd benign
	run no_tty "$IL" run -- psql -X -d app_production -c "\\cd $T/work/evil" -f x.sql
	[ "$status" -eq 77 ]
	[[ "$output" == *"psql.dml-all-rows"* ]]
	[ "$(rows app_production)" -eq 10 ]
}

@test "input2: \\i - reads standard input: analysed, rows kept" {
	printf 'DELETE FROM items;\n' >del.sql
	: >- # a file named "-" that psql does not read
	run no_tty sh -c "'$IL' run -- psql -X -d app_production -c '\\i -' <del.sql"
	[ "$status" -eq 77 ]
	[[ "$output" == *"psql.dml-all-rows"* ]]
	[ "$(rows app_production)" -eq 10 ]
}

@test "input2: \\i - gets the same bytes psql would have read" {
	printf 'SELECT count(*) FROM items;\n' >sel.sql
	run no_tty sh -c "'$IL' run -- psql -X -At -d app_production -c '\\i -' <sel.sql"
	[ "$status" -eq 0 ]
	[ "$output" = 10 ]
}

# ---- 5. check reads no pipes ----------------------------------------------------

@test "input2: check does not read a FIFO given to -f or \\i" {
	mkfifo fifo
	run timeout 10 "$IL" check -- psql -X -d app_production -f fifo
	[ "$status" -eq 3 ]
	[[ "$output" == *"not a regular file"* ]]
	run timeout 10 "$IL" check -- psql -X -d app_production -c "\\i $PWD/fifo"
	[ "$status" -eq 3 ]
	[[ "$output" == *"not a regular file"* ]]
}

# ---- 6. user operators -----------------------------------------------------------

@test "input2: a user-defined operator is opaque code: blocked, rows kept" {
	/usr/bin/psql -X -q -d app_production -c "
		CREATE FUNCTION zap(int, int) RETURNS bool LANGUAGE sql AS 'DELETE FROM items; SELECT true';
		CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = zap)"
	run no_tty "$IL" run -- psql -X -d app_production -c 'SELECT 1 === 2'
	[ "$status" -eq 77 ]
	[[ "$output" == *"==="* ]]
	[ "$(rows app_production)" -eq 10 ]
	# common built-in operators alone stay allowed
	run "$IL" check -- psql -X -d app_production -c "SELECT 1 + 2 * 3 <= 7, 'a' || 'b', 'x' LIKE 'y'"
	[ "$status" -eq 0 ]
}
