#!/usr/bin/env bash
# bench-rm.sh - start-up benchmark of interlock (run by `make bench`).
#
# Compares `interlock run -- rm -f FILE` with `env rm -f FILE` (both exec rm
# once) in one hyperfine run, with the full shipped rule set loaded, syslog
# off and the audit log in a temporary XDG_STATE_HOME. Also reports the
# callgrind instruction count of `interlock check -- rm -f FILE` (a
# repeatable number) and the peak RSS of one `interlock run`.
#
# Builds nothing: expects build/interlock (`make` first). Always exits 0 once
# the benchmark ran: missing the target is reported, not failed.
#   RUNS=300 WARMUP=30 scripts/bench-rm.sh
set -euo pipefail

TARGET=1.15
RUNS=${RUNS:-300}
WARMUP=${WARMUP:-30}
((RUNS >= 300)) || { echo "bench-rm: RUNS must be >= 300" >&2; exit 64; }

cd "$(dirname "$0")/.."
BIN=$PWD/build/interlock
if [[ ! -x $BIN ]]; then
	echo "bench-rm: $BIN not found; run 'make' first" >&2
	exit 2
fi
command -v hyperfine >/dev/null || { echo "bench-rm: hyperfine not installed" >&2; exit 2; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/interlock-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
FILE=$TMP/victim
JSON=$TMP/hyperfine.json

# Syslog off; the audit record goes to $XDG_STATE_HOME/interlock/audit.jsonl.
# An empty XDG_CONFIG_HOME keeps the user's own rules out: only the shipped
# rule set (compiled into the binary) is loaded.
printf '[interlock]\nsyslog = no\n' >"$TMP/interlock.ini"
mkdir -p "$TMP/state" "$TMP/config"
export INTERLOCK_CONFIG=$TMP/interlock.ini
export XDG_STATE_HOME=$TMP/state
export XDG_CONFIG_HOME=$TMP/config
unset INTERLOCK_DEPTH

# Rule file parse errors or a decision other than allow would make the
# timings meaningless: check once first.
touch "$FILE"
if ! "$BIN" run -- rm -f "$FILE" </dev/null; then
	echo "bench-rm: 'interlock run -- rm -f $FILE' did not succeed" >&2
	exit 1
fi
if [[ -e $FILE ]]; then
	echo "bench-rm: interlock ran but $FILE was not removed" >&2
	exit 1
fi
rules=$("$BIN" rules list)
echo "rules loaded: $(grep -c . <<<"$rules") ($(grep -c '<shipped>/' <<<"$rules") from the shipped rule files)"
echo "audit log:    $XDG_STATE_HOME/interlock/audit.jsonl"
echo

hyperfine -N --warmup "$WARMUP" --runs "$RUNS" \
	--prepare "touch $FILE" \
	--export-json "$JSON" \
	-n 'interlock run -- rm -f FILE' "$BIN run -- rm -f $FILE" \
	-n 'env rm -f FILE' "env rm -f $FILE" </dev/null

echo
if command -v valgrind >/dev/null; then
	touch "$FILE"
	ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		"$BIN" check -- rm -f "$FILE" 2>&1 >/dev/null |
		sed -n 's/.*Collected : *\([0-9]*\).*/\1/p')
	echo "callgrind:    ${ir:-?} instructions (interlock check -- rm -f FILE)"
else
	echo "callgrind:    skipped (valgrind not installed)"
fi

# Peak RSS of one run. interlock execs rm in the same process, so this is
# the larger of the two; rm's own is printed beside it for reference.
# Without GNU time: python3 and getrusage. A process started straight from
# python would report python's own peak (exec keeps the high-water mark),
# so a small sh starts the command in the background and python, made a
# child subreaper, collects that process itself with wait4().
time_bin=${TIME_BIN:-/usr/bin/time}
peak_rss_kb() {
	touch "$FILE"
	if [[ -x $time_bin ]] && "$time_bin" -v true >/dev/null 2>&1; then
		"$time_bin" -v "$@" 2>&1 >/dev/null </dev/null |
			sed -n 's/.*Maximum resident set size (kbytes): *//p'
	else
		python3 - "$@" <<'PY'
import ctypes, os, subprocess, sys
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
sh = subprocess.Popen(["/bin/sh", "-c", '"$@" </dev/null >/dev/null & echo $!', "sh"]
                      + sys.argv[1:], stdout=subprocess.PIPE)
pid = int(sh.stdout.read())
sh.wait()
_, status, ru = os.wait4(pid, 0)
print(ru.ru_maxrss if os.waitstatus_to_exitcode(status) == 0 else "?")
PY
	fi
}
echo "peak RSS:     $(peak_rss_kb "$BIN" run -- rm -f "$FILE") kB (interlock run -- rm -f FILE)," \
	"$(peak_rss_kb env rm -f "$FILE") kB (env rm -f FILE)"

# From the JSON export (results[0] interlock, results[1] env): means, which
# the ratio uses, medians and standard deviations.
if command -v jq >/dev/null; then
	read -r a b ma mb sa sb < <(jq -r '[.results[0].mean, .results[1].mean,
		.results[0].median, .results[1].median,
		.results[0].stddev, .results[1].stddev] | map(tostring) | join(" ")' "$JSON")
else
	read -r a b ma mb sa sb < <(python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["results"]
print(*(r[i][k] for k in ("mean", "median", "stddev") for i in (0, 1)))' "$JSON" |
		awk '{ print $1, $2, $3, $4, $5, $6 }')
fi
ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }')
met=$(awk -v r="$ratio" -v t="$TARGET" 'BEGIN { print (r <= t) ? "yes" : "no" }')
awk -v a="$a" -v b="$b" -v ma="$ma" -v mb="$mb" 'BEGIN {
	printf "mean:         %.3f ms interlock, %.3f ms env rm\n", a * 1000, b * 1000
	printf "median:       %.3f ms interlock, %.3f ms env rm (ratio %.2fx)\n",
		ma * 1000, mb * 1000, ma / mb }'
if awk -v a="$a" -v b="$b" -v sa="$sa" -v sb="$sb" 'BEGIN { exit !(sa > 0.25 * a || sb > 0.25 * b) }'; then
	echo "note:         noisy machine (stddev above 25% of the mean): the ratio is" \
		"unreliable; the callgrind count is not affected"
fi
if [[ $met == yes ]]; then
	echo "target:       MET (interlock costs at most ${TARGET}x of env rm)"
else
	echo "target:       MISSED (interlock costs more than ${TARGET}x of env rm)"
fi
echo "ratio: ${ratio}x (target <= ${TARGET}x)"
exit 0
