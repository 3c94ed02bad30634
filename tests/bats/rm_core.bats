#!/usr/bin/env bats
# rm: the ways round the analyser that a review found (no passwd entry,
# long paths, symlinked homes, bind mounts, contents of protected
# directories, control characters, a moved audit log).
load helpers

# as_nobody CMD...: runs CMD as a uid that has no passwd entry (a container
# started with --user 4242), or skips the test.
as_nobody() {
	getent passwd 4242 >/dev/null && skip "uid 4242 has a passwd entry here"
	setpriv --reuid 4242 --regid 4242 --clear-groups true 2>/dev/null ||
		skip "cannot change uid (not root?): this test was skipped"
	setpriv --reuid 4242 --regid 4242 --clear-groups "$@"
}

@test "no passwd entry: a HOME set by an agent cannot replace the shipped rm rules" {
	chmod 755 "$T"
	mkdir -p "$T/evil/.config/interlock/rules.d"
	echo '# nothing' >"$T/evil/.config/interlock/rules.d/rm.toml"
	unset XDG_CONFIG_HOME INTERLOCK_CONFIG
	run as_nobody env HOME="$T/evil" XDG_STATE_HOME="$T/evil/state" INTERLOCK_AGENT=1 \
		"$IL" check -- rm -rf /usr /etc /
	[ "$status" -eq 4 ]
	[[ "$output" == *"rm.system-path"* ]]
	# a human's own HOME layer still counts (the layer is theirs to set)
	run as_nobody env HOME="$T/evil" "$IL" check -- rm -rf /usr
	[ "$status" -eq 0 ]
}
