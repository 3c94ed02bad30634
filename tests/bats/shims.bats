#!/usr/bin/env bats
# Shims: interlock under the name of the tool, finding the real one without
# ever finding itself.
load helpers
bats_require_minimum_version 1.5.0

@test "shims DIR creates the four symlinks and is idempotent" {
	run "$IL" shims "$T/bin"
	[ "$status" -eq 0 ]
	for t in psql pg_restore terraform rm; do
		[ -L "$T/bin/$t" ]
		[ "$(readlink "$T/bin/$t")" = "$(readlink -f "$IL")" ]
	done
	run "$IL" shims "$T/bin"
	[ "$status" -eq 0 ]
	[[ "$output" == *"(up to date)"* ]]
}

@test "shims refuses to replace something that is not a symlink" {
	mkdir -p "$T/bin" && echo '#!/bin/sh' >"$T/bin/rm"
	run "$IL" shims "$T/bin"
	[ "$status" -eq 1 ]
	[[ "$output" == *"exists and is not a symlink"* ]]
	[ "$(cat "$T/bin/rm")" = '#!/bin/sh' ]
}

@test "the rm shim runs the real rm for an allowed command" {
	"$IL" shims "$T/bin" >/dev/null
	echo x >f
	PATH="$T/bin:$PATH" run rm f
	[ "$status" -eq 0 ]
	[ ! -e f ]
	[ "$(last_audit '.argv[0]')" = rm ]
}

@test "the rm shim blocks rm -rf of \$HOME and nothing is removed" {
	"$IL" shims "$T/bin" >/dev/null
	echo keep >"$HOME/precious"
	PATH="$T/bin:$PATH" run rm -rf "$HOME"
	[ "$status" -eq 77 ]
	[ -f "$HOME/precious" ]
}

@test "a shim with no real tool after it says so and exits 127" {
	"$IL" shims "$T/bin" >/dev/null
	PATH="$T/bin" run -127 "$T/bin/rm" -f x
	[ "$status" -eq 127 ]
	[[ "$output" == *"no real 'rm' found on PATH"* ]]
}

@test "symlinks and hard links to interlock later on PATH are skipped too" {
	"$IL" shims "$T/bin" >/dev/null
	mkdir -p "$T/bin2" "$T/bin3"
	ln -s "$IL" "$T/bin2/rm"
	ln "$IL" "$T/bin3/rm" 2>/dev/null || cp "$IL" "$T/bin3/rm-copy"
	[ -e "$T/bin3/rm" ] || skip "hard link across file systems not possible here"
	echo x >f
	PATH="$T/bin:$T/bin2:$T/bin3:/usr/bin:/bin" run rm f
	[ "$status" -eq 0 ]
	[ ! -e f ]
	PATH="$T/bin:$T/bin2:$T/bin3" run -127 rm f
	[ "$status" -eq 127 ]
}

@test "a wrapper that calls the tool through PATH again is stopped, not looped" {
	"$IL" shims "$T/bin" >/dev/null
	mkdir -p "$T/wrap"
	# a site wrapper named rm that calls "rm" through PATH: finds the shim again
	printf '#!/bin/sh\nexec rm "$@"\n' >"$T/wrap/rm"
	chmod +x "$T/wrap/rm"
	echo x >f
	PATH="$T/bin:$T/wrap:/usr/bin:/bin" run -127 timeout 10 rm f
	[ "$status" -eq 127 ]
	[[ "$output" == *"leads back to interlock"* ]]
	[ -f f ]
}

@test "[binaries] names the real tool; naming interlock itself is refused" {
	printf '[interlock]\nsyslog = no\n[binaries]\nrm = /bin/rm\n' >"$INTERLOCK_CONFIG"
	echo x >f
	run "$IL" run -- rm f
	[ "$status" -eq 0 ]
	[ ! -e f ]
	printf '[interlock]\nsyslog = no\n[binaries]\nrm = %s\n' "$IL" >"$INTERLOCK_CONFIG"
	echo x >f
	run -127 "$IL" run -- rm f
	[ "$status" -eq 127 ]
	[[ "$output" == *"is interlock itself"* ]]
	[ -f f ]
}

@test "run with an explicit path to interlock as the tool is refused" {
	"$IL" shims "$T/bin" >/dev/null
	run -127 "$IL" run -- "$T/bin/rm" -f x
	[ "$status" -eq 127 ]
}
