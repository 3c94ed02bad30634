#!/usr/bin/env bats
# Fail closed: configuration or rules that cannot be read or parsed stop
# every guarded tool with file:line:col, exit 78, the tool not run.
load helpers

site_rules() {
	mkdir -p "$XDG_CONFIG_HOME/interlock/rules.d"
	cat >"$XDG_CONFIG_HOME/interlock/rules.d/site.toml"
}

@test "a broken rule file stops rm: 78, file:line:col, nothing removed" {
	printf '[[rule]]\nid = "x"\ntools = ["rm"\n' | site_rules
	echo x >f
	run "$IL" run -- rm f
	[ "$status" -eq 78 ]
	[ "$output" = "interlock: $XDG_CONFIG_HOME/interlock/rules.d/site.toml:4:1: expected ',' or ']' in an array, found end of file" ]
	[ -f f ]
	run "$IL" check -- rm f
	[ "$status" -eq 78 ]
	run "$IL" config check
	[ "$status" -eq 78 ]
}

@test "a broken rule file for another tool still stops rm" {
	printf '[[rule]]\nid = "t"\ntools = ["terraform"]\naction = "nope"\nmessage = "m"\n' | site_rules
	echo x >f
	run "$IL" run -- rm f
	[ "$status" -eq 78 ]
	[ "$output" = "interlock: $XDG_CONFIG_HOME/interlock/rules.d/site.toml:4:10: expected action \"allow\", \"confirm\" or \"block\", got \"nope\"" ]
	[ -f f ]
}

@test "an unknown key in a rule is an error, not ignored" {
	printf '[[rule]]\nid = "t"\ntools = ["rm"]\naction = "block"\nmessage = "m"\nwhne = { path = "." }\n' | site_rules
	run "$IL" check -- rm f
	[ "$status" -eq 78 ]
	[[ "$output" == *"site.toml:6:8: unknown key 'whne' in a rule"* ]]
}

@test "a bad pattern is reported with its place" {
	printf '[[rule]]\nid = "t"\ntools = ["rm"]\naction = "block"\nmessage = "m"\nwhen = { path = "(" }\n' | site_rules
	run "$IL" check -- rm f
	[ "$status" -eq 78 ]
	[[ "$output" == *"site.toml:6:17: rule 't': bad pattern for 'path' at offset 1: missing closing parenthesis"* ]]
}

@test "duplicate rule ids across files are an error" {
	printf '[[rule]]\nid = "rm.pgdata"\ntools = ["rm"]\naction = "allow"\nmessage = "m"\n' | site_rules
	run "$IL" check -- rm f
	[ "$status" -eq 78 ]
	[[ "$output" == *"duplicate rule id 'rm.pgdata' (first defined at <shipped>/rm.toml:"* ]]
}

@test "a broken interlock.ini stops rm with file:line:col" {
	printf '[interlock]\nsyslog = no\n[production]\ncolour = purple\n' >"$INTERLOCK_CONFIG"
	echo x >f
	run "$IL" run -- rm f
	[ "$status" -eq 78 ]
	[ "$output" = "interlock: $INTERLOCK_CONFIG:4:1: expected a colour (red, yellow, green, blue, magenta, cyan, none), got 'purple'" ]
	[ -f f ]
	printf '[interlock]\nsylog = no\n' >"$INTERLOCK_CONFIG"
	run "$IL" run -- rm f
	[ "$status" -eq 78 ]
	[[ "$output" == *"$INTERLOCK_CONFIG:2:1: unknown key 'sylog' in [interlock]"* ]]
	printf 'no section here\n' >"$INTERLOCK_CONFIG"
	run "$IL" run -- rm f
	[ "$status" -eq 78 ]
	[[ "$output" == *"$INTERLOCK_CONFIG:1:1: expected"* ]]
}

@test "a misspelt environment section is an error; a new one must set its rank" {
	printf '[interlock]\nsyslog = no\n[prodution]\nhosts = db-main\n' >"$INTERLOCK_CONFIG"
	run "$IL" check -- psql -h db-main -c 'DROP TABLE t' shop
	[ "$status" -eq 78 ]
	[[ "$output" == "interlock: $INTERLOCK_CONFIG:4:1: [prodution] is not a known section or environment; a new environment must set rank"* ]]
	# the same section with a rank is a real new environment
	printf '[interlock]\nsyslog = no\n[qa]\nhosts = db-main\nrank = 15\n' >"$INTERLOCK_CONFIG"
	run "$IL" config check
	[ "$status" -eq 0 ]
	[[ "$output" == *"qa(none)"* ]]
	# and a known environment needs no rank to be extended
	printf '[interlock]\nsyslog = no\n[production]\nhosts = db-main\n' >"$INTERLOCK_CONFIG"
	run "$IL" check -- psql -h db-main -c 'DROP TABLE t' shop
	[ "$status" -eq 3 ]
}

@test "INTERLOCK_CONFIG naming a missing file is an error, not the defaults" {
	export INTERLOCK_CONFIG="$T/missing.ini"
	run "$IL" check -- rm f
	[ "$status" -eq 78 ]
	[[ "$output" == *"missing.ini: cannot read"* ]]
}

@test "files others can write are refused (doas-style)" {
	chmod 0666 "$INTERLOCK_CONFIG"
	run "$IL" check -- rm f
	[ "$status" -eq 78 ]
	[[ "$output" == *"refused: writable by group or others"* ]]
	chmod 0644 "$INTERLOCK_CONFIG"
	printf '[[rule]]\nid = "t"\ntools = ["rm"]\naction = "block"\nmessage = "m"\n' | site_rules
	chmod 0664 "$XDG_CONFIG_HOME/interlock/rules.d/site.toml"
	run "$IL" check -- rm f
	[ "$status" -eq 78 ]
}

@test "a site allow rule with higher priority is an exception; equal priority is not" {
	make_repo
	printf '[[rule]]\nid = "site.scratch-repos"\ntools = ["rm"]\noperation = "remove"\naction = "allow"\npriority = 10\nmessage = "scratch clones"\nwhen = { path = "/work/repo$" }\n' | site_rules
	run "$IL" check -- rm -rf repo
	[ "$status" -eq 0 ]
	[[ "$output" == *"allow    [site.scratch-repos] scratch clones"* ]]
	sed -i 's/priority = 10/priority = 0/' "$XDG_CONFIG_HOME/interlock/rules.d/site.toml"
	run "$IL" check -- rm -rf repo
	[ "$status" -eq 3 ]
}

@test "a user rule file of the same name replaces the shipped one" {
	mkdir -p "$XDG_CONFIG_HOME/interlock/rules.d"
	printf '[[rule]]\nid = "site.only"\ntools = ["rm"]\naction = "block"\nmessage = "everything"\n' \
		>"$XDG_CONFIG_HOME/interlock/rules.d/rm.toml"
	run "$IL" rules list
	[[ "$output" != *"rm.pgdata"* ]]
	[[ "$output" == *"site.only"* ]]
	run "$IL" check -- rm -f x
	[ "$status" -eq 4 ]
}

@test "rules_dir in interlock.ini adds a layer on top" {
	mkdir -p "$T/extra"
	printf '[[rule]]\nid = "extra.one"\ntools = ["rm"]\naction = "confirm"\nmessage = "m"\nwhen = { path = "/x$" }\n' >"$T/extra/extra.toml"
	printf '[interlock]\nsyslog = no\nrules_dir = %s/extra\n' "$T" >"$INTERLOCK_CONFIG"
	run "$IL" check -- rm -f /tmp/x
	[ "$status" -eq 3 ]
}

@test "configured environments classify rm targets by path globs" {
	mkdir -p data
	printf '[interlock]\nsyslog = no\n[production]\npaths = %s/work/data*\n' "$T" >"$INTERLOCK_CONFIG"
	run "$IL" check --json -- rm -rf data
	[ "$(jq -r .target.environment <<<"$output")" = production ]
}

@test "configured protected paths take effect; lists continue on indented lines" {
	mkdir -p keep/sub
	printf '[interlock]\nsyslog = no\n[rm]\nprotected = /nonexistent/a,\n    %s/work/keep\n' "$T" >"$INTERLOCK_CONFIG"
	run "$IL" check -- rm -rf keep/sub
	[ "$status" -eq 3 ]
	[[ "$output" == *"[rm.configured-path]"* ]]
}

@test "agent mode: a config named by the environment can add rules but not relax them" {
	make_pgdata
	mkdir -p "$T/loose/rules.d"
	printf '[[rule]]\nid = "loose.all"\ntools = ["rm"]\noperation = "remove"\naction = "allow"\npriority = 99\nmessage = "anything goes"\n' \
		>"$T/loose/rules.d/rm.toml"
	printf '[interlock]\nsyslog = no\nagent_markers =\nrules_dir = %s/loose/rules.d\n' "$T" >"$T/loose.ini"
	# a human may point interlock at any configuration
	INTERLOCK_CONFIG="$T/loose.ini" run "$IL" check -- rm -rf pgdata
	[ "$status" -eq 0 ]
	# an agent doing the same gets the standard configuration's verdict
	INTERLOCK_CONFIG="$T/loose.ini" CLAUDECODE=1 run "$IL" check -- rm -rf pgdata
	[ "$status" -eq 4 ]
	XDG_CONFIG_HOME="$T/loose" CLAUDECODE=1 run "$IL" run -- rm -rf pgdata
	[ "$status" -eq 77 ]
	[ -f pgdata/PG_VERSION ]
	# and the configuration cannot switch the built-in agent markers off
	INTERLOCK_CONFIG="$T/loose.ini" CLAUDECODE=1 run "$IL" check --json -- rm -rf pgdata
	[ "$(jq -r .agent <<<"$output")" = true ]
}

@test "agent mode: a stricter redirected configuration still applies" {
	printf '[[rule]]\nid = "strict.all"\ntools = ["rm"]\noperation = "remove"\naction = "block"\nmessage = "no rm here"\n' \
		>"$T/strict.toml"
	mkdir -p "$T/strict" && mv "$T/strict.toml" "$T/strict/"
	printf '[interlock]\nsyslog = no\nrules_dir = %s/strict\n' "$T" >"$T/strict.ini"
	echo x >f
	INTERLOCK_CONFIG="$T/strict.ini" CLAUDECODE=1 run "$IL" run -- rm f
	[ "$status" -eq 77 ]
	[ -f f ]
}
