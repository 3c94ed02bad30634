#!/usr/bin/env bash
# A private PostgreSQL 15 server for the test suite: initdb in a temporary
# directory, a private socket directory and port, run as an unprivileged
# user when the suite runs as root. Never touches a system cluster.
#   server.sh start        prints "PGDIR=... PGHOST=... PGPORT=..." (eval it)
#   server.sh stop PGDIR
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
cmd=${1:?start|stop}

as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u nobody -- "$@"
	else
		"$@"
	fi
}

case $cmd in
start)
	[ -x "$bin/initdb" ] || { echo "server.sh: PostgreSQL 15 not installed ($bin)" >&2; exit 2; }
	# its own directory under /tmp: the server's user must be able to reach it
	dir=$(mktemp -d /tmp/interlock-pg.XXXXXX)
	chmod 0755 "$dir"
	[ "$(id -u)" -eq 0 ] && chown nobody:nogroup "$dir"
	as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
		>"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
	port=$((20000 + RANDOM % 20000))
	as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
		-o "-k $dir -p $port -c listen_addresses='' -c fsync=off" start >/dev/null ||
		{ cat "$dir/server.log" >&2; exit 1; }
	echo "PGDIR=$dir PGHOST=$dir PGPORT=$port"
	;;
stop)
	dir=${2:?PGDIR}
	case $dir in /tmp/interlock-pg.*) ;; *) echo "server.sh: refusing to remove $dir" >&2; exit 64 ;; esac
	[ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
	/bin/rm -rf "$dir"
	;;
*)
	echo "usage: server.sh start | stop PGDIR" >&2
	exit 64
	;;
esac
