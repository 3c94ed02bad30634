#!/usr/bin/env bash
# run.sh DUMP [--update]: runs the psql lexer's golden cases.
#
# Each cases/NAME.sql is lexed by DUMP (build/lexer-dump, from dump.c) and
# the output must equal cases/NAME.out; cases/NAME.args, if present, holds
# extra dump arguments (e.g. -m 16). The same input fed in 1-, 3- and
# 7-byte chunks must give the same output (chunk independence). Prints
# "N passed, N failed" and exits 1 on a failure. --update rewrites the .out
# files from the current output (review the diff before committing).
set -u
dump=${1:?usage: run.sh DUMP [--update]}
update=${2:-}
dir=$(cd "$(dirname "$0")" && pwd)/cases
pass=0 fail=0

check() { # check NAME OK-CONDITION-RESULT MESSAGE
	if [ "$2" = 0 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "not ok $1: $3"
	fi
}

for sql in "$dir"/*.sql; do
	name=$(basename "$sql" .sql)
	args=()
	[ -f "$dir/$name.args" ] && read -r -a args <"$dir/$name.args"
	got=$("$dump" "${args[@]}" "$sql" 2>&1)
	if [ "$update" = --update ]; then
		printf '%s\n' "$got" >"$dir/$name.out"
	fi
	if [ ! -f "$dir/$name.out" ]; then
		check "$name" 1 "no $name.out"
		continue
	fi
	want=$(cat "$dir/$name.out")
	[ "$got" = "$want" ]
	check "$name" $? "output differs:
$(diff <(printf '%s\n' "$want") <(printf '%s\n' "$got"))"
	for c in 1 3 7; do
		chunked=$("$dump" "${args[@]}" -c "$c" "$sql" 2>&1)
		[ "$chunked" = "$got" ]
		check "$name (chunks of $c)" $? "differs from the single-chunk run:
$(diff <(printf '%s\n' "$got") <(printf '%s\n' "$chunked"))"
	done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
