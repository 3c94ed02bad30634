#!/usr/bin/env bash
# A short tour on the embedded default configuration: an allowed rm, a
# blocked one, a confirmation that cannot be given without a terminal, an
# agent, and check's verdicts. Everything happens in a temporary directory.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
IL=$top/build/interlock
D=$(mktemp -d /tmp/interlock-demo.XXXXXX)
trap '/bin/rm -rf "$D"' EXIT
export HOME=$D/home XDG_STATE_HOME=$D/state XDG_CONFIG_HOME=$D/config
: >"$D/empty.ini" && export INTERLOCK_CONFIG=$D/empty.ini # embedded default only
unset INTERLOCK_AGENT CLAUDECODE GEMINI_CLI CODEX_SANDBOX CURSOR_AGENT
mkdir -p "$HOME" "$D/project/build/obj" "$D/project/pgdata/base/1"
echo 'obj' >"$D/project/build/obj/main.o"
echo 15 >"$D/project/pgdata/PG_VERSION"
echo 'rows' >"$D/project/pgdata/base/1/16384"
echo 'my notes' >"$HOME/notes.txt"
cd "$D/project" || exit 1

show() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
status() { printf '  -> exit %s%s\n' "$1" "${2:+ ($2)}"; }

echo "interlock demo: embedded default configuration, sandbox in $D"
show interlock shims "$D/bin"
"$IL" shims "$D/bin"
export PATH=$D/bin:$PATH

show rm -rf build/
rm -rf build/
status $? "allowed: the real rm ran"
[ -e build ] && echo "  !! build/ still exists" || echo "  build/ is gone"

show rm -rf "$HOME"
rm -rf "$HOME"
status $? "blocked"
[ -f "$HOME/notes.txt" ] && echo "  $HOME/notes.txt is still there"

show rm -rf pgdata "   # (no terminal here)"
setsid -w rm -rf pgdata </dev/null
status $? "a PostgreSQL data directory: needs a typed confirmation, and there is no terminal"

show CLAUDECODE=1 rm -rf pgdata
CLAUDECODE=1 rm -rf pgdata
status $? "agent mode: a confirmation becomes a block"
[ -f pgdata/PG_VERSION ] && echo "  pgdata/ is intact"

show interlock check -- rm -rf /usr
"$IL" check -- rm -rf /usr
status $? "4 = block; check never runs anything"

show interlock check --json -- rm -rf pgdata
"$IL" check --json -- rm -rf pgdata | head -n 12
echo "  ..."

show tail -n 1 "$XDG_STATE_HOME/interlock/audit.jsonl"
tail -n 1 "$XDG_STATE_HOME/interlock/audit.jsonl"
printf '\nOn a terminal, make a directory holding a file PG_VERSION and try\n  %s run -- rm -rf DIR\nto see the red banner and the typed confirmation.\n' "$IL"
