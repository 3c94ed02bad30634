#!/usr/bin/env bats
# The documentation: man pages render without a warning and cover what the
# program has (commands, exit codes, keys, operations, fields); their
# examples are valid; the shell completions load and complete.

IL="${INTERLOCK_BIN:-$BATS_TEST_DIRNAME/../../build/interlock}"
TOP="$BATS_TEST_DIRNAME/../.."
MAN1="$TOP/man/interlock.1"
MAN5="$TOP/man/interlock.5"

setup() {
	T="$(mktemp -d /tmp/interlock-docs.XXXXXX)"
	export HOME="$T/home" XDG_CONFIG_HOME="$T/config" XDG_STATE_HOME="$T/state"
	mkdir -p "$HOME" "$XDG_CONFIG_HOME"
	unset INTERLOCK_CONFIG INTERLOCK_AGENT CLAUDECODE GEMINI_CLI CODEX_SANDBOX \
		CURSOR_AGENT INTERLOCK_DEPTH
	export LC_ALL=C.UTF-8 MANPAGER=cat PAGER=cat MANWIDTH=80
	umask 022 # files others can write are refused
}

teardown() {
	rm -rf "$T"
}

# text PAGE: the page as plain text, without hyphenation, on long lines.
text() {
	groff -man -Tascii -P-cbou -rLL=250n -rHY=0 "$1" 2>/dev/null
}

# words PAGE: the page as one line of words (a phrase split over two
# lines is found too).
words() {
	text "$1" | tr -s ' \t\n' '   '
}

# section PAGE NAME: the text of one top-level section.
section() {
	text "$1" | awk -v s="$2" '/^[A-Z]/ { on = ($0 == s); next } on'
}

# tags PAGE: the first word of every .TP/.TQ tag in the source.
tags() {
	awk 'tag { sub(/^\.[A-Z]+ +/, ""); gsub(/\\-/, "-"); gsub(/"/, "");
		   split($0, w, /[ ,]/); print w[1]; tag = 0 }
	     /^\.(TP|TQ)/ { tag = 1 }' "$1"
}

# quoted_list FILE START: the C strings from the line matching START up to
# the next "NULL".
quoted_list() {
	awk -v s="$2" 'index($0, s) { on = 1 } on { print } on && /NULL|};/ { exit }' "$1" |
		grep -o '"[^"]*"' | tr -d '"'
}

render_clean() {
	local page=$1 err
	[ -f "$page" ]
	err="$(groff -man -Tutf8 -ww -z "$page" 2>&1 >/dev/null)"
	if [ -n "$err" ]; then
		echo "groff -ww on $page:"
		echo "$err"
		return 1
	fi
	err="$(man --warnings=w -l "$page" 2>&1 >/dev/null)"
	if [ -n "$err" ]; then
		echo "man -l on $page:"
		echo "$err"
		return 1
	fi
	man -l "$page" 2>/dev/null | grep -q "^INTERLOCK($2)"
}

@test "interlock.1 renders with groff -ww and man -l without a warning" {
	command -v groff >/dev/null || skip "groff is not installed"
	command -v man >/dev/null || skip "man is not installed"
	render_clean "$MAN1" 1
}

@test "interlock.5 renders with groff -ww and man -l without a warning" {
	command -v groff >/dev/null || skip "groff is not installed"
	command -v man >/dev/null || skip "man is not installed"
	render_clean "$MAN5" 5
}

@test "interlock.1 shows every command, subcommand and option that --help lists" {
	command -v groff >/dev/null || skip "groff is not installed"
	run "$IL" --help
	[ "$status" -eq 0 ]
	local page n=0 line cmd rest alt w missing=""
	page=" $(words "$MAN1") "
	# "  rules list|explain ID|test      the loaded rules": the usage is what
	# comes before the first run of two spaces.
	while IFS= read -r line; do
		line=${line#  }
		read -r cmd rest <<<"${line%%  *}"
		if [[ $cmd == --* ]]; then # "--version, --help"
			for w in ${line//,/ }; do
				[[ $page == *" $w "* ]] || missing+=" $w"
			done
			continue
		fi
		n=$((n + 1))
		[[ $page == *" interlock $cmd "* ]] || missing+=" '$cmd'"
		for w in $rest; do
			if [[ $w == *"|"* ]]; then # list|explain, ID|test
				for alt in ${w//|/ }; do
					[[ $alt == [a-z]* ]] || continue
					[[ $page == *" interlock $cmd $alt"* ]] || missing+=" '$cmd $alt'"
				done
			elif [[ $w == "[--"*"]" ]]; then # [--write]
				[[ $page == *" interlock $cmd $w"* ]] || missing+=" '$cmd $w'"
			fi
		done
	done < <(sed -n '/^commands:/,/^$/{/^  /p}' <<<"$output")
	if [ -n "$missing" ]; then
		echo "interlock(1) lacks:$missing"
		return 1
	fi
	[ "$n" -ge 5 ] # the parse found the commands
}

@test "interlock.1 EXIT STATUS has every exit code of help.c and interlock.h" {
	command -v groff >/dev/null || skip "groff is not installed"
	local codes c exits missing=""
	codes="$({
		grep -o '"[^"]*"' "$TOP/src/help.c" | sed 's/([0-9])//g' | grep -oE '\b[0-9]+\b'
		sed -n '/^enum {/,/^};/p' "$TOP/include/interlock.h" | grep -oE 'EXIT_[A-Z]+ = [0-9]+' |
			grep -oE '[0-9]+$'
	} | sort -un)"
	[ "$(wc -w <<<"$codes")" -ge 8 ]
	exits=" $(section "$MAN1" "EXIT STATUS" | tr -s ' \t\n;,.()' '        ') "
	for c in $codes; do
		[[ $exits == *" $c "* ]] || missing+=" $c"
	done
	if [ -n "$missing" ]; then
		echo "EXIT STATUS lacks:$missing"
		return 1
	fi
}

@test "interlock.1 ENVIRONMENT and AUDIT name every variable and record field" {
	command -v groff >/dev/null || skip "groff is not installed"
	local env audit v missing=""
	env=" $(section "$MAN1" ENVIRONMENT | tr -s ' \t\n,' '    ') "
	for v in INTERLOCK_CONFIG XDG_CONFIG_HOME XDG_STATE_HOME NO_COLOR POSIXLY_CORRECT \
		HOME PATH INTERLOCK_DEPTH INTERLOCK_AGENT CLAUDECODE GEMINI_CLI CODEX_SANDBOX \
		CURSOR_AGENT; do
		[[ $env == *" $v "* ]] || missing+=" $v"
	done
	# every key build_record() sets
	audit=" $(section "$MAN1" AUDIT | tr -s ' \t\n,' '    ') "
	for v in $(grep -oE 'json_object_set_new\(rec, "[a-z_]+"' "$TOP/src/audit.c" |
		grep -oE '"[a-z_]+"' | tr -d '"'); do
		[[ $audit == *" $v "* ]] || missing+=" audit:$v"
	done
	if [ -n "$missing" ]; then
		echo "interlock(1) lacks:$missing"
		return 1
	fi
}

@test "interlock.5 describes every rule key, example key and interlock.ini key" {
	command -v groff >/dev/null || skip "groff is not installed"
	local t k page missing=""
	t=" $(tags "$MAN5" | tr '\n' ' ') "
	for k in $(quoted_list "$TOP/src/rules.c" 'rule_keys[] = {') \
		$(quoted_list "$TOP/src/rules.c" 'example_keys[] = {'); do
		[[ $t == *" $k "* ]] || missing+=" $k"
	done
	[ -n "$(quoted_list "$TOP/src/rules.c" 'rule_keys[] = {')" ]
	page=" $(words "$MAN5" | tr -s ',;:().' '     ') "
	for k in $(grep -oE '!strcmp\(key, "[a-z_]+"\)' "$TOP/src/config.c" | grep -oE '"[a-z_]+"' |
		tr -d '"') $(quoted_list "$TOP/src/config.c" 'name_keys[NAME_KINDS] = {'); do
		[[ $page == *" $k "* ]] || missing+=" ini:$k"
	done
	if [ -n "$missing" ]; then
		echo "interlock(5) lacks:$missing"
		return 1
	fi
}

@test "interlock.5 names every operation kind and field the analysers set" {
	command -v groff >/dev/null || skip "groff is not installed"
	local page k missing=""
	page=" $(words "$MAN5" | tr -s ',;:()' '    ') "
	for k in $(cat "$TOP"/src/*.c "$TOP"/src/analyse/*.c |
		grep -oE 'facts_add_op\([a-z&>-]+, "[^"]+"\)|fs_setf?\(&(op->f|fx->target), "[^"%]+"' |
		grep -oE '"[^"]+"' | tr -d '"' | sort -u); do
		[[ $page == *" $k "* ]] || missing+=" $k"
	done
	if [ -n "$missing" ]; then
		echo "interlock(5) OPERATIONS lacks:$missing"
		return 1
	fi
}

@test "interlock.5 shows the embedded default configuration as config default prints it" {
	command -v groff >/dev/null || skip "groff is not installed"
	run "$IL" config default
	[ "$status" -eq 0 ]
	local page line missing=""
	page="$(section "$MAN5" INTERLOCK.INI | sed 's/^ *//')"
	while IFS= read -r line; do
		[ -z "$line" ] && continue
		line="${line#"${line%%[! ]*}"}"
		grep -qxF -- "$line" <<<"$page" || missing+=$'\n'"  $line"
	done <<<"$output"
	if [ -n "$missing" ]; then
		echo "interlock(5) default configuration lacks:$missing"
		return 1
	fi
}

# example_blocks PAGE PATTERN: the .EX blocks of the source that contain
# PATTERN, with the roff escapes undone.
example_blocks() {
	awk -v p="$2" '/^\.EX/ { b = ""; on = 1; next }
		/^\.EE/ { if (index(b, p)) printf "%s", b; on = 0; next }
		on { b = b $0 "\n" }' "$1" |
		sed 's/\\-/-/g; s/\\(ti/~/g; s/\\(aq/'"'"'/g; s/\\(dq/"/g; s/\\e/\\/g'
}

@test "the rule and configuration examples of interlock.5 are valid and pass rules test" {
	mkdir -p "$XDG_CONFIG_HOME/interlock/rules.d"
	example_blocks "$MAN5" '[[rule]]' >"$XDG_CONFIG_HOME/interlock/rules.d/site.toml"
	local -a ids
	mapfile -t ids < <(grep -oE '^id = "[^"]+"' "$XDG_CONFIG_HOME/interlock/rules.d/site.toml" |
		cut -d'"' -f2)
	[ "${#ids[@]}" -ge 2 ]
	run "$IL" rules test "${ids[@]}"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *" 0 failed" ]]
	example_blocks "$MAN5" '; /etc/interlock/interlock.ini' >"$T/interlock.ini"
	grep -q '^\[production\]' "$T/interlock.ini"
	INTERLOCK_CONFIG="$T/interlock.ini" run "$IL" config check
	echo "$output"
	[ "$status" -eq 0 ]
}

# complete_bash WORD...: what the bash completion offers for the words, the
# last being the one completed; sorted, on one line.
complete_bash() {
	bash -c '
		source "$1" || exit 1
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*" COMP_POINT=${#COMP_LINE}
		fn=$(complete -p interlock | sed -n "s/.* -F \([^ ]*\) .*/\1/p")
		[ -n "$fn" ] || exit 1
		"$fn" interlock "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "
	' complete_bash "$TOP/completions/interlock.bash" "$@"
}

@test "bash completion loads and completes commands, options, tools, files and rule ids" {
	run bash -c 'source "$1" && complete -p interlock' x "$TOP/completions/interlock.bash"
	[ "$status" -eq 0 ]
	[[ "$output" == "complete -F _interlock interlock" ]]
	run complete_bash "$IL" ru
	[ "$output" = "rules run " ]
	run complete_bash "$IL" run -- ""
	[ "$output" = "pg_restore psql rm terraform " ]
	run complete_bash "$IL" check -
	[ "$output" = "-- --help --json --write " ]
	run complete_bash "$IL" config ""
	[ "$output" = "check default " ]
	mkdir -p "$T/dir/sub" && touch "$T/dir/file"
	run complete_bash "$IL" run -- rm -rf "$T/dir/"
	[ "$output" = "$T/dir/file $T/dir/sub " ]
	# rule ids come from `interlock rules list` of the interlock completed
	run complete_bash "$IL" rules explain rm.s
	[ "$output" = "rm.scan-incomplete rm.secrets rm.system-path " ]
	run complete_bash "$IL" rules test rm.secrets pg_restore.c
	[ "$output" = "pg_restore.clean-production pg_restore.create-production " ]
}

@test "zsh completion parses" {
	command -v zsh >/dev/null || skip "zsh is not installed"
	[ "$(head -n 1 "$TOP/completions/_interlock")" = "#compdef interlock" ]
	run zsh -n "$TOP/completions/_interlock"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "fish completion parses and completes commands, tools and rule ids" {
	command -v fish >/dev/null || skip "fish is not installed"
	run fish -n "$TOP/completions/interlock.fish"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	local il
	il="$(cd "$(dirname "$IL")" && pwd)/$(basename "$IL")"
	# shellcheck disable=SC2016 # fish expands $argv
	run fish -c 'source $argv[1]; complete -C"$argv[2] ru" | cut -f1 | sort | string join " "' \
		"$TOP/completions/interlock.fish" "$il"
	[ "$output" = "rules run" ]
	# shellcheck disable=SC2016
	run fish -c 'source $argv[1]; complete -C"$argv[2] check -- " | cut -f1 | sort | string join " "' \
		"$TOP/completions/interlock.fish" "$il"
	[ "$output" = "pg_restore psql rm terraform" ]
	# shellcheck disable=SC2016
	run fish -c 'source $argv[1]; complete -C"$argv[2] rules explain rm.s" | cut -f1 | sort | string join " "' \
		"$TOP/completions/interlock.fish" "$il"
	[ "$output" = "rm.scan-incomplete rm.secrets rm.system-path" ]
}
