#!/usr/bin/env bats
# pg_restore through interlock against a real PostgreSQL 15 server that this
# file starts (tests/pg/server.sh) and stops, with a real `pg_dump -Fc`
# archive of app_production (a production name on a local socket: the name
# wins). app_dev is development.
load helpers

PGBIN=/usr/lib/postgresql/15/bin

setup_file() {
	pg_start app_production
}

teardown_file() {
	pg_stop
}

# app_production: items(id serial primary key, name text, data bytea) with
# 10 rows (every byte value in data), an index and a GRANT; ARCHIVE is its
# pg_dump -Fc. app_dev: a fresh empty database.
setup() {
	pg_setup
	/usr/bin/psql -X -q -d app_production -c "DROP TABLE IF EXISTS items CASCADE;
		CREATE TABLE items(id serial PRIMARY KEY, name text, data bytea);
		CREATE INDEX items_name ON items(name);
		GRANT SELECT ON items TO PUBLIC;
		INSERT INTO items(name, data) SELECT 'n' || g,
			(SELECT string_agg(set_byte('\\x00'::bytea, 0, (b + g) % 256), ''::bytea)
			 FROM generate_series(0, 255) b)
		FROM generate_series(1, 10) g"
	/usr/bin/psql -X -q -d postgres -c "DROP DATABASE IF EXISTS app_dev" -c "CREATE DATABASE app_dev"
	ARCHIVE="$T/app.dump"
	"$PGBIN/pg_dump" -Fc -d app_production -f "$ARCHIVE"
}

# A checksum of every row of items (fails when the table does not exist).
digest() {
	/usr/bin/psql -X -qAt -d "$1" -c \
		"SELECT md5(string_agg(id || name || encode(data, 'hex'), ',' ORDER BY id)) FROM items"
}

# t when the table items exists, else f.
has_items() {
	/usr/bin/psql -X -qAt -d "$1" -c "SELECT to_regclass('public.items') IS NOT NULL"
}

@test "pg_restore --clean into production, no terminal: blocked, every row and table still there" {
	want=$(digest app_production)
	run no_tty "$IL" run -- pg_restore --clean -d app_production "$ARCHIVE"
	echo "$output"
	[ "$status" -eq 77 ]
	[[ "$output" == *"pg_restore.clean-production"* ]]
	[[ "$output" == *"nothing was run"* ]]
	[ "$(rows app_production)" -eq 10 ]
	[ "$(digest app_production)" = "$want" ]
	[ "$(last_audit .verdict)" = block ]
	# the same with --if-exists, a conninfo -d and an abbreviated --clean
	run no_tty "$IL" run -- pg_restore --cle --if-exists -d "dbname=app_production" "$ARCHIVE"
	[ "$status" -eq 77 ]
	[ "$(digest app_production)" = "$want" ]
}

@test "pg_restore --create: the database named in the archive is the target; blocked" {
	# -d postgres is only where pg_restore issues CREATE DATABASE: the data
	# goes to app_production, the database named inside the archive
	run no_tty "$IL" run -- pg_restore --create -d postgres "$ARCHIVE"
	echo "$output"
	[ "$status" -eq 77 ]
	[[ "$output" == *"pg_restore.create-production"* ]]
	[[ "$output" == *"'app_production'"* ]]
	[ "$(rows app_production)" -eq 10 ]
	run "$IL" check --json -- pg_restore --clean --create -d postgres "$ARCHIVE"
	[ "$status" -eq 4 ]
	restore=$(jq -c '.operations[] | select(.kind == "restore")' <<<"$output")
	[ "$(jq -r .archive_database <<<"$restore")" = app_production ]
	[ "$(jq -r .create <<<"$restore")" = yes ]
	[ "$(jq -r .clean <<<"$restore")" = yes ]
	[ "$(jq -r .target.database <<<"$output")" = postgres ]
	[ "$(jq -r .target.environment <<<"$output")" = production ]
	[ "$(jq -r .target.token <<<"$output")" = app_production ]
	[ "$(jq -r '.operations[] | select(.kind == "drop-database") | .name' <<<"$output")" = app_production ]
	[[ "$(jq -r '[.matches[].id] | join(" ")' <<<"$output")" == *psql.drop-database* ]]
}

@test "pg_restore into development runs, and the data arrives" {
	run no_tty "$IL" run -- pg_restore -d app_dev "$ARCHIVE"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(rows app_dev)" -eq 10 ]
	[ "$(digest app_dev)" = "$(digest app_production)" ]
	[ "$(last_audit .verdict)" = allow ]
	run "$IL" check -- pg_restore --clean -d app_dev "$ARCHIVE"
	[ "$status" -eq 0 ]
	# but --create into "app_dev" restores into app_production, the database
	# named in the archive
	run "$IL" check -- pg_restore --create -d app_dev "$ARCHIVE"
	[ "$status" -eq 4 ]
}

@test "pg_restore --list and -f FILE without -d touch no database: allowed" {
	run no_tty "$IL" run -- pg_restore -l "$ARCHIVE"
	[ "$status" -eq 0 ]
	[[ "$output" == *"TABLE DATA public items"* ]]
	run no_tty "$IL" run -- pg_restore --list --clean -d app_production "$ARCHIVE"
	[ "$status" -eq 0 ]
	run no_tty "$IL" run -- pg_restore --clean --create -f out.sql "$ARCHIVE"
	[ "$status" -eq 0 ]
	grep -q '^DROP DATABASE app_production;' out.sql
	grep -q '^COPY public.items' out.sql
	[ "$(has_items app_dev)" = f ]
	[ "$(rows app_production)" -eq 10 ]
	run "$IL" check --json -- pg_restore -f - "$ARCHIVE"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.operations[0].output' <<<"$output")" = - ]
	[ "$(jq -r '.operations | length' <<<"$output")" = 1 ]
}

@test "pg_restore: an archive on stdin is spooled and reaches pg_restore byte for byte" {
	run no_tty sh -c "'$IL' run -- pg_restore -d app_dev <'$ARCHIVE'"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(digest app_dev)" = "$(digest app_production)" ]
	# through a pipe too (not seekable), and decided before anything runs
	/usr/bin/psql -X -q -d postgres -c "DROP DATABASE app_dev" -c "CREATE DATABASE app_dev"
	run no_tty sh -c "cat '$ARCHIVE' | '$IL' run -- pg_restore -d app_dev"
	[ "$status" -eq 0 ]
	[ "$(digest app_dev)" = "$(digest app_production)" ]
	run no_tty sh -c "cat '$ARCHIVE' | '$IL' run -- pg_restore --clean -d app_production"
	[ "$status" -eq 77 ]
	[[ "$output" == *"archive stdin"* ]]
	[ "$(rows app_production)" -eq 10 ]
}

@test "pg_restore: an archive operand that is a pipe is read once, by both" {
	run no_tty bash -c "'$IL' run -- pg_restore -d app_dev <(cat '$ARCHIVE')"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(digest app_dev)" = "$(digest app_production)" ]
	run no_tty bash -c "'$IL' run -- pg_restore -c -d app_production <(cat '$ARCHIVE')"
	[ "$status" -eq 77 ]
	[ "$(rows app_production)" -eq 10 ]
}

@test "pg_restore: check --json shows the restore and the statements of the archive" {
	run "$IL" check --json -- pg_restore -1 -d app_production "$ARCHIVE"
	echo "$output"
	[ "$status" -eq 3 ]
	[ "$(jq -r .target.database <<<"$output")" = app_production ]
	[ "$(jq -r .target.environment <<<"$output")" = production ]
	restore=$(jq -c '.operations[0]' <<<"$output")
	[ "$(jq -r .kind <<<"$restore")" = restore ]
	[ "$(jq -r .archive <<<"$restore")" = "$ARCHIVE" ]
	[ "$(jq -r .output <<<"$restore")" = database ]
	[ "$(jq -r .single_transaction <<<"$restore")" = yes ]
	[ "$(jq -r .clean <<<"$restore")" = no ]
	ops=$(jq -r '[.operations[] | .kind + ":" + (.statement // "")] | join(" ")' <<<"$output")
	[[ "$ops" == *"copy-in:COPY"* ]]
	[[ "$ops" == *"index:CREATE INDEX"* ]]
	[[ "$ops" == *"privilege:GRANT"* ]]
	ids=$(jq -r '[.matches[].id] | unique | join(" ")' <<<"$output")
	[[ "$ids" == *pg_restore.production* ]]
	# with --clean, the DROPs it runs first
	run "$IL" check --json -- pg_restore --clean -d app_production "$ARCHIVE"
	[ "$status" -eq 4 ]
	[[ "$(jq -r '[.operations[] | select(.kind == "drop") | .names] | join(" ")' <<<"$output")" == *public.items* ]]
	# an archive that cannot be read: unknown means dangerous
	echo garbage >bad.dump
	run "$IL" check --json -- pg_restore -d app_dev bad.dump
	[[ "$(jq -r '.operations[] | select(.kind == "opaque") | .reason' <<<"$output")" == *"valid archive"* ]]
}

@test "pg_restore: typing the database name runs a restore into production; a wrong name runs nothing" {
	/usr/bin/psql -X -q -d app_production -c "DROP TABLE items CASCADE"
	run "$PTY" app_prod "$IL" run -- pg_restore -d app_production "$ARCHIVE"
	[ "$status" -eq 77 ]
	[ "$(has_items app_production)" = f ]
	run "$PTY" app_production "$IL" run -- pg_restore -d app_production "$ARCHIVE"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(rows app_production)" -eq 10 ]
}

@test "pg_restore: agent mode blocks what would need confirmation" {
	/usr/bin/psql -X -q -d app_production -c "DROP TABLE items CASCADE"
	run env CLAUDECODE=1 "$PTY" - "$IL" run -- pg_restore -d app_production "$ARCHIVE"
	echo "$output"
	[ "$status" -eq 77 ]
	[[ "$output" == *"Ask the human"* ]]
	[ "$(has_items app_production)" = f ]
	# development stays free for an agent
	run env CLAUDECODE=1 "$PTY" - "$IL" run -- pg_restore -d app_dev "$ARCHIVE"
	[ "$status" -eq 0 ]
	[ "$(rows app_dev)" -eq 10 ]
}
