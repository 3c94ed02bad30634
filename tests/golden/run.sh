#!/usr/bin/env bash
# Golden tests: each case is a command line, the exact output it must print
# (stdout and stderr together) and its exact exit code.
#
#   $ interlock check -- rm -rf /usr      command ("interlock" = the binary;
#   block: rm (development environment)   VAR=value words before it are env)
#   [exit 4]
#
# Cases run in a fixed directory (/tmp/interlock-golden/work) holding a
# PostgreSQL-data-directory-shaped tree and a git repository, with
# HOME=/tmp/interlock-golden/home, so paths in the output are stable.
# usage: run.sh INTERLOCK_BINARY GOLDEN_FILE...
set -u
il=$(readlink -f "$1")
shift
G=/tmp/interlock-golden
here=$(cd "$(dirname "$0")" && pwd)
pass=0 fail=0

fresh_world() {
	/bin/rm -rf "$G"
	mkdir -p "$G/home/.ssh" "$G/work/pgdata/base/1" "$G/work/repo/.git" "$G/work/repo/src" \
		"$G/work/build/obj" "$G/state"
	echo 15 >"$G/work/pgdata/PG_VERSION"
	printf 'xxxxxxxxxx' >"$G/work/pgdata/base/1/1259"
	echo ref >"$G/work/repo/.git/HEAD"
	echo 'int x;' >"$G/work/repo/src/a.c"
	printf 'obj' >"$G/work/build/obj/a.o"
	printf '[interlock]\nsyslog = no\n' >"$G/interlock.ini"
	cp -r "$here/fixtures" "$G/fixtures"
	chmod -R go-w "$G/fixtures"
}

run_case() {
	local cmd=$1 want=$2 want_code=$3 got code
	# setsid: no controlling terminal, so no case can stop at a question.
	got=$(cd "$G/work" && env -i PATH="$PATH" HOME="$G/home" XDG_STATE_HOME="$G/state" \
		XDG_CONFIG_HOME="$G/config" INTERLOCK_CONFIG="$G/interlock.ini" \
		setsid -w bash -c "interlock() { \"$il\" \"\$@\"; }; $cmd" 2>&1 </dev/null)
	code=$?
	if [ -n "${GOLDEN_GENERATE:-}" ]; then
		printf '$ %s\n%s\n[exit %s]\n\n' "$cmd" "$got" "$code"
		return
	fi
	if [ "$got" == "$want" ] && [ "$code" == "$want_code" ]; then
		pass=$((pass + 1))
		echo "ok   $cmd"
	else
		fail=$((fail + 1))
		echo "FAIL $cmd"
		diff <(printf '%s\n[exit %s]\n' "$want" "$want_code") \
			<(printf '%s\n[exit %s]\n' "$got" "$code") | sed 's/^/     /'
	fi
}

for file in "$@"; do
	cmd="" want="" in_case=0
	while IFS= read -r line || [ -n "$line" ]; do
		if [ $in_case -eq 0 ]; then
			case "$line" in
			'$ '*) cmd=${line#\$ } want="" in_case=1 first=1 ;;
			esac
			if [ $in_case -eq 1 ] && [ -n "${GOLDEN_GENERATE:-}" ]; then
				fresh_world
				run_case "$cmd" "" 0
				in_case=0
			fi
			continue
		fi
		if [[ "$line" =~ ^\[exit\ ([0-9]+)\]$ ]]; then
			fresh_world
			run_case "$cmd" "$want" "${BASH_REMATCH[1]}"
			in_case=0
		elif [ $first -eq 1 ]; then
			want=$line first=0
		else
			want+=$'\n'$line
		fi
	done <"$file"
done
/bin/rm -rf "$G"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
