#!/usr/bin/env bats
# interlock run and the shims: the tool really runs, or really does not.
load helpers

@test "run: an allowed rm really removes, and the audit record says so" {
	mkdir -p build/obj && echo x >build/obj/a.o
	run "$IL" run -- rm -rf build/
	[ "$status" -eq 0 ]
	[ ! -e build ]
	[ "$(last_audit .verdict)" = allow ]
	[ "$(last_audit .ran)" = true ]
	[ "$(last_audit '.argv | join(" ")')" = "rm -rf build/" ]
	[ "$(last_audit .tool)" = rm ]
	[ "$(last_audit .cwd)" = "$T/work" ]
	[ "$(last_audit .agent)" = false ]
	[ "$(last_audit .uid)" = "$(id -u)" ]
}

@test "run: blocked rm of \$HOME exits 77, removes nothing, says why" {
	echo keep >"$HOME/precious"
	run "$IL" run -- rm -rf "$HOME/"
	[ "$status" -eq 77 ]
	[ -f "$HOME/precious" ]
	[[ "$output" == "interlock: blocked rm -rf $HOME/ (development environment): "* ]]
	[[ "$output" == *"Rules: rm.home."* ]]
	[[ "$output" == *"nothing was run"* ]]
	[ "$(last_audit .verdict)" = block ]
	[ "$(last_audit .ran)" = false ]
	[ "$(last_audit '.rules[0]')" = rm.home ]
}

@test "run: the audit record names each rule once and counts the matches" {
	run "$IL" run -- rm -d /usr /etc /var /opt /srv /boot /sys
	[ "$status" -eq 77 ]
	[ "$(last_audit '.rules | join(",")')" = rm.system-path ]
	[ "$(last_audit .matches)" = 7 ]
	[[ "$output" == *"And 2 more like these. Rules: rm.system-path. "* ]]
}

@test "run: --no-preserve-root is blocked even on a harmless file" {
	echo x >f
	run "$IL" run -- rm --no-preserve-root f
	[ "$status" -eq 77 ]
	[ -f f ]
	[[ "$output" == *"rm.no-preserve-root"* ]]
}

@test "run: confirm with no terminal is blocked and says what it would have asked" {
	make_pgdata
	run no_tty "$IL" run -- rm -rf pgdata
	[ "$status" -eq 77 ]
	[ -f pgdata/PG_VERSION ]
	[[ "$output" == *"typed confirmation ('pgdata') on a terminal, and there is no terminal"* ]]
	[ "$(last_audit .confirmation)" = no-tty ]
}

@test "run: the answer on stdin does not confirm" {
	make_pgdata
	run no_tty sh -c "printf 'pgdata\npgdata\n' | '$IL' run -- rm -rf pgdata"
	[ "$status" -eq 77 ]
	[ -f pgdata/PG_VERSION ]
}

@test "pty: typing the right token runs rm" {
	make_pgdata
	run "$PTY" pgdata "$IL" run -- rm -rf pgdata
	[ "$status" -eq 0 ]
	[ ! -e pgdata ]
	[[ "$output" == *"PRODUCTION rm"* ]]
	[[ "$output" == *"[rm.pgdata]"* ]]
	[[ "$output" == *"entries"* ]]
	[ "$(last_audit .confirmation)" = confirmed ]
	[ "$(last_audit .ran)" = true ]
}

@test "pty: a wrong token leaves every file in place" {
	make_pgdata
	run "$PTY" pgdat "$IL" run -- rm -rf pgdata
	[ "$status" -eq 77 ]
	[ -f pgdata/PG_VERSION ] && [ -f pgdata/base/1/1259 ]
	[[ "$output" == *"Not confirmed: nothing was run."* ]]
	[ "$(last_audit .confirmation)" = refused ]
}

@test "pty: the token piped on stdin is ignored; only the terminal answers" {
	make_pgdata
	run "$PTY" nope sh -c "printf 'pgdata\n' | '$IL' run -- rm -rf pgdata"
	[ "$status" -eq 77 ]
	[ -f pgdata/PG_VERSION ]
}

@test "pty: two protected operands ask two questions; both answers are needed" {
	make_pgdata
	make_repo
	run "$PTY" "pgdata|rep" "$IL" run -- rm -rf pgdata repo
	[ "$status" -eq 77 ]
	[ -d repo/.git ] && [ -f pgdata/PG_VERSION ]
	[[ "$output" == *"Type 'repo' to run it"* ]]
	run "$PTY" "pgdata|repo" "$IL" run -- rm -rf pgdata repo
	[ "$status" -eq 0 ]
	[ ! -e repo ] && [ ! -e pgdata ]
}

@test "pty: agent mode blocks without asking, even on a terminal" {
	make_pgdata
	run "$PTY" - env CLAUDECODE=1 "$IL" run -- rm -rf pgdata
	[ "$status" -eq 77 ]
	[ -f pgdata/PG_VERSION ]
	[[ "$output" == *"Ask the human to run the command themselves"* ]]
	[[ "$output" != *"Type '"* ]]
	[ "$(last_audit .agent)" = true ]
}

@test "pty: banner is red for production, plain with NO_COLOR" {
	make_pgdata
	run "$PTY" wrong "$IL" run -- rm -rf pgdata
	[[ "$output" == *$'\033[1;37;41m'* ]]
	run "$PTY" wrong env NO_COLOR=1 "$IL" run -- rm -rf pgdata
	[[ "$output" != *$'\033['* ]]
	[[ "$output" == *"PRODUCTION rm"* ]]
}

@test "pty: Ctrl-C reaches the real tool as if interlock were not there" {
	echo x >victim
	PTY_PROMPT="remove regular file" run "$PTY" ^C "$IL" run -- rm -i victim
	[ "$status" -eq 130 ]
	[ -f victim ]
}

@test "exit status of the real tool passes through" {
	run "$IL" run -- rm /nonexistent/file
	[ "$status" -eq 1 ]
	[[ "$output" == "rm: cannot remove '/nonexistent/file'"* ]]
}

@test "a signal that kills the real tool is the exit status seen by the caller" {
	echo x >victim
	mkfifo in
	sleep 30 >in &
	writer=$!
	"$IL" run -- rm -i victim <in &
	pid=$!
	# interlock has become rm: same pid, no extra process in between
	for _ in $(seq 50); do [ "$(cat /proc/$pid/comm 2>/dev/null)" = rm ] && break; sleep 0.1; done
	[ "$(cat /proc/$pid/comm)" = rm ]
	kill -TERM "$pid"
	wait "$pid" && rc=0 || rc=$?
	kill "$writer" 2>/dev/null || true
	[ "$rc" -eq 143 ]
	[ -f victim ]
}

@test "audit: an unwritable log is reported but changes no decision" {
	printf '[interlock]\nsyslog = no\naudit_log = /proc/interlock/nope.jsonl\n' >"$INTERLOCK_CONFIG"
	echo x >f
	run "$IL" run -- rm f
	[ "$status" -eq 0 ]
	[ ! -e f ]
	[[ "$output" == "interlock: audit log /proc/interlock/nope.jsonl"* ]]
	run "$IL" run -- rm -rf /usr
	[ "$status" -eq 77 ]
}

@test "audit: records are appended, one valid JSON line each, never interleaved" {
	for i in $(seq 20); do echo x >"f$i"; done
	for i in $(seq 20); do "$IL" run -- rm "f$i" & done
	wait
	[ "$(wc -l <"$AUDIT")" -eq 20 ]
	jq -e . "$AUDIT" >/dev/null
	[ "$(stat -c %a "$AUDIT")" = 600 ]
}

@test "control characters in file names cannot paint the banner or the refusal" {
	make_pgdata
	mv pgdata $'pg\033[32mdata'
	run no_tty "$IL" run -- rm -rf $'pg\033[32mdata'
	[ "$status" -eq 77 ]
	[[ "$output" != *$'\033'* ]]
	[[ "$output" == *'pg\x1b[32mdata'* ]]
	run "$PTY" wrong "$IL" run -- rm -rf $'pg\033[32mdata'
	[ "$status" -eq 77 ]
	[[ "$output" != *$'\033[32m'* ]]
}
