#!/usr/bin/env bash
# Runs every test suite and ends with one line "N passed, N failed".
# Suites: C unit tests (ASan/UBSan), the TOML conformance corpus, the shipped
# rules' own examples, golden command-line cases, and the bats suites, the
# last two once with the normal binary and once with the ASan/UBSan binary.
set -u
cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
shared=${INTERLOCK_SHARED:-$top/../shared}
pass=0 fail=0
log=$(mktemp /tmp/interlock-tests.XXXXXX)

# tally NAME: counts the cases in the suite's output (in $log).
tally() {
	local name=$1 p f line
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -n "$line" ]; then
		p=$(cut -d' ' -f1 <<<"$line")
		f=$(cut -d' ' -f3 <<<"$line")
	else # TAP (bats)
		p=$(grep -cE '^ok ' "$log")
		f=$(grep -cE '^not ok ' "$log")
	fi
	echo "== $name: $p passed, $f failed"
	pass=$((pass + p))
	fail=$((fail + f))
}

# suite NAME CMD...: runs a suite, shows its output, adds its counts. One
# that exits non-zero without a failing case counts as one failure.
suite() {
	local name=$1 rc
	shift
	echo "== $name"
	"$@" >"$log" 2>&1
	rc=$?
	cat "$log"
	tally "$name"
	if [ $rc -ne 0 ] && ! grep -qE '^not ok |^FAIL|^[0-9]+ passed, [1-9]' "$log"; then
		echo "== $name exited $rc without a failing case: counted as one failure"
		fail=$((fail + 1))
	fi
}

for t in build/tests/test_*; do
	suite "unit $(basename "$t")" "$t"
done

if [ -x "$shared/conformance/run-toml-test" ]; then
	suite "toml-test corpus" "$shared/conformance/run-toml-test" build/toml-decoder
else
	echo "== toml-test corpus: $shared/conformance not found (set INTERLOCK_SHARED)"
	fail=$((fail + 1))
fi

clean_env() {
	env -i PATH="$PATH" HOME="$(mktemp -d)" XDG_STATE_HOME="$(mktemp -d)" "$@"
}
suite "rules test (shipped examples)" clean_env build/interlock rules test
suite "psql lexer golden cases" tests/lexer/run.sh build/lexer-dump

# A short libFuzzer run of the psql lexer (make fuzz runs longer).
fuzz_lexer() {
	mkdir -p build/fuzz-corpus
	if build/fuzz_psql_lexer -max_total_time="${FUZZ_TIME:-20}" -dict=tests/fuzz/psql.dict \
		-max_len=4096 build/fuzz-corpus tests/fuzz/corpus_psql >build/fuzz.log 2>&1; then
		tail -n 2 build/fuzz.log
		echo "1 passed, 0 failed"
	else
		tail -n 40 build/fuzz.log
		echo "0 passed, 1 failed"
	fi
}
suite "fuzz psql lexer" fuzz_lexer

# The checked-in .clang-format is the style: a file it would change fails.
format_check() {
	command -v clang-format >/dev/null || { echo "clang-format not installed: not checked"; return 0; }
	local f bad=0
	for f in src/*.c src/*/*.c include/*.h tests/unit/*.c tests/unit/*.h tests/toml/*.c tests/fuzz/*.c tests/lexer/*.c; do
		if ! clang-format "$f" | cmp -s - "$f"; then
			echo "not ok clang-format would change $f"
			bad=$((bad + 1))
		fi
	done
	echo "$((bad == 0)) passed, $bad failed"
}
suite "clang-format" format_check

export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0
for bin in build/interlock build/asan/interlock; do
	suite "golden ($bin)" tests/golden/run.sh "$bin" tests/golden/*.golden
	suite "bats ($bin)" env INTERLOCK_BIN="$top/$bin" bats --tap tests/bats
done

rm -f "$log"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
