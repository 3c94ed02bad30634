#!/usr/bin/env bats
# The command line: help, version, usage errors, check's exit codes and JSON.
load helpers

@test "--version prints the version" {
	run "$IL" --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^interlock\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "--help on every subcommand exits 0 and shows its usage" {
	for c in run check shims rules config; do
		run "$IL" "$c" --help
		[ "$status" -eq 0 ]
		[[ "$output" == "usage: interlock $c"* ]]
	done
	run "$IL" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"exit codes"* ]]
}

@test "usage errors exit 64 with a message" {
	run "$IL" frobnicate
	[ "$status" -eq 64 ]
	[ "$output" = "interlock: unknown command 'frobnicate' (see interlock --help)" ]
	run "$IL" run
	[ "$status" -eq 64 ]
	run "$IL" check -- ls -l
	[ "$status" -eq 64 ]
	[[ "$output" == *"does not guard 'ls'"* ]]
	run "$IL" check --bogus -- rm x
	[ "$status" -eq 64 ]
}

@test "check: allow is 0 and the file is untouched" {
	echo data >victim
	run "$IL" check -- rm -f victim
	[ "$status" -eq 0 ]
	[[ "$output" == "allow: rm"* ]]
	[ -f victim ]
	[ ! -e "$AUDIT" ]
}

@test "check: block is 4 and names the rule" {
	run "$IL" check -- rm -rf /usr
	[ "$status" -eq 4 ]
	[[ "$output" == *"[rm.system-path]"* ]]
}

@test "check: confirm is 3 and shows the token it would ask for" {
	make_pgdata
	run "$IL" check -- rm -rf pgdata
	[ "$status" -eq 3 ]
	[[ "$output" == *"[rm.pgdata]"* ]]
	[[ "$output" == *"would ask to type: pgdata"* ]]
	[ -f pgdata/PG_VERSION ]
}

@test "check: agent mode turns confirm into block (4), for every marker" {
	make_pgdata
	for m in INTERLOCK_AGENT CLAUDECODE GEMINI_CLI CODEX_SANDBOX CURSOR_AGENT; do
		run env "$m=1" "$IL" check -- rm -rf pgdata
		[ "$status" -eq 4 ]
	done
	# a marker cannot be cancelled by another variable
	run env CLAUDECODE=1 INTERLOCK_AGENT=0 "$IL" check -- rm -rf pgdata
	[ "$status" -eq 4 ]
	# "0" and empty do not count as an agent
	run env INTERLOCK_AGENT=0 CLAUDECODE= "$IL" check -- rm -rf pgdata
	[ "$status" -eq 3 ]
}

@test "check --json: verdict, target, operations and matched rules" {
	make_pgdata
	run "$IL" check --json -- rm -rf pgdata
	[ "$status" -eq 3 ]
	[ "$(jq -r .verdict <<<"$output")" = confirm ]
	[ "$(jq -r .target.environment <<<"$output")" = production ]
	[ "$(jq -r .target.colour <<<"$output")" = red ]
	[ "$(jq -r '.operations[0].kind' <<<"$output")" = remove ]
	[ "$(jq -r '.operations[0].relation_pgdata' <<<"$output")" = self ]
	[ "$(jq -r '.operations[0].entries' <<<"$output")" = 5 ]
	[ "$(jq -r '.matches[0].id' <<<"$output")" = rm.pgdata ]
	[ "$(jq -r '.matches[0].token' <<<"$output")" = pgdata ]
	[ "$(jq -r '.matches[0].file' <<<"$output")" = "<shipped>/rm.toml" ]
}

@test "check reads no terminal and runs nothing, even for confirm" {
	make_pgdata
	run no_tty "$IL" check -- rm -rf pgdata
	[ "$status" -eq 3 ]
	[ -f pgdata/PG_VERSION ]
}

@test "rules list shows every shipped rule with its file" {
	run "$IL" rules list
	[ "$status" -eq 0 ]
	[[ "$output" == *"rm.no-preserve-root"*"block"*"<shipped>/rm.toml"* ]]
	[[ "$output" == *"rm.pgdata"*"confirm"* ]]
}

@test "rules explain prints one rule; an unknown id is a usage error" {
	run "$IL" rules explain rm.pgdata
	[ "$status" -eq 0 ]
	[[ "$output" == *"action        confirm"* ]]
	[[ "$output" == *"protected_pgdata ~ /./"* ]]
	run "$IL" rules explain no.such
	[ "$status" -eq 64 ]
}

@test "rules test runs every shipped example and passes" {
	run "$IL" rules test
	[ "$status" -eq 0 ]
	[[ "${lines[-1]}" =~ ^[1-9][0-9]*\ passed,\ 0\ failed$ ]]
}

@test "rules test fails a rule whose example does not hold, and one with no positive example" {
	mkdir -p "$XDG_CONFIG_HOME/interlock/rules.d"
	cat >"$XDG_CONFIG_HOME/interlock/rules.d/site.toml" <<-'T'
	[[rule]]
	id = "site.wrong"
	tools = ["rm"]
	action = "block"
	message = "x"
	when = { path = "^/never$" }
	example = [ { argv = ["rm", "/tmp/x"], matches = true } ]

	[[rule]]
	id = "site.untested"
	tools = ["rm"]
	action = "block"
	message = "y"
	when = { path = "^/never$" }
	T
	run "$IL" rules test site.wrong site.untested
	[ "$status" -eq 1 ]
	[[ "$output" == *"FAIL site.wrong"*"expected it to match rm /tmp/x"* ]]
	[[ "$output" == *"FAIL site.untested"*"no example that must match"* ]]
	[ "${lines[-1]}" = "0 passed, 2 failed" ]
}

@test "config check reports the files read; config default prints the embedded INI" {
	run "$IL" config check
	[ "$status" -eq 0 ]
	[[ "$output" == *"$INTERLOCK_CONFIG"* ]]
	[[ "${lines[-1]}" == ok ]]
	run "$IL" config default
	[ "$status" -eq 0 ]
	[[ "$output" == *"[production]"*"tokens = prod, production"* ]]
}
