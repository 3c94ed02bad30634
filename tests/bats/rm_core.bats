#!/usr/bin/env bats
# rm: the ways round the analyser that a review found (no passwd entry,
# long paths, symlinked homes, bind mounts, contents of protected
# directories, control characters, a moved audit log).
load helpers
bats_require_minimum_version 1.5.0

# need_nobody: uid 4242 has no passwd entry (as in a container started with
# --user 4242) and this suite can switch to it, or the test is skipped.
need_nobody() {
	! getent passwd 4242 >/dev/null || skip "uid 4242 has a passwd entry here: skipped"
	setpriv --reuid 4242 --regid 4242 --clear-groups true 2>/dev/null ||
		skip "cannot change uid (needs root): this test was skipped"
}

# as_nobody CMD...: runs CMD as uid 4242.
as_nobody() {
	setpriv --reuid 4242 --regid 4242 --clear-groups "$@"
}

@test "no passwd entry: a HOME set by an agent cannot replace the shipped rm rules" {
	need_nobody
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

# deep_cwd LEN: cd into a new directory whose path is exactly LEN bytes.
deep_cwd() {
	local want=$1 left n
	cd "$T/work" || return 1
	while left=$((want - ${#PWD} - 1)) && [ "$left" -gt 0 ]; do
		n=$((left > 200 ? 200 : left))
		name=$(printf "%${n}s" "" | tr ' ' d)
		mkdir "$name" && cd "$name" || return 1
	done
	[ "${#PWD}" -eq "$want" ]
}

@test "a cwd near PATH_MAX does not hide a data directory behind a symlink" {
	mkdir -p "$T/pg/base" && echo 15 >"$T/pg/PG_VERSION"
	deep_cwd 4094
	ln -s "$T/pg" L
	INTERLOCK_AGENT=1 run "$IL" run -- rm -rf L/
	[ "$status" -eq 77 ]
	[ -f "$T/pg/PG_VERSION" ]
	[[ "$output" == *"rm.unknown-type"* ]]
	[ "$(last_audit '.rules | join(",")')" = rm.unknown-type ]
}

@test "a home reached through a symlink keeps its protection, and so does ~/.ssh" {
	mkdir -p "$HOME/.ssh" && ln -s "$HOME" "$T/homelink"
	export HOME="$T/homelink" INTERLOCK_AGENT=1
	run "$IL" run -- rm -rf "$HOME/.ssh"
	[ "$status" -eq 77 ]
	[[ "$output" == *"rm.secrets"* ]]
	[ -d "$T/home/.ssh" ]
	run "$IL" run -- rm -rf "$HOME/"
	[ "$status" -eq 77 ]
	[[ "$output" == *"rm.home"* ]]
	[ -d "$T/home/.ssh" ]
}

@test "a configured protected path behind a symlink is protected resolved" {
	mkdir -p "$T/real/backups/2026" && ln -s "$T/real" "$T/link"
	printf '[interlock]\nsyslog = no\n[rm]\nprotected = %s/link/backups\n' "$T" >"$INTERLOCK_CONFIG"
	run "$IL" check -- rm -rf "$T/real/backups/2026"
	[ "$status" -eq 3 ]
	[[ "$output" == *"rm.configured-path"* ]]
}

# need_mount_ns: bind mounts in a private mount namespace work, or the test
# is skipped and says so.
need_mount_ns() {
	unshare -m --propagation private mount --bind "$T/work" "$T/work" 2>/dev/null ||
		skip "cannot bind-mount in a private mount namespace (needs root): skipped"
}

@test "a bind mount of a home inside the tree is found by identity" {
	mkdir -p "$HOME/.ssh" "$T/mnt/chroot/home/alice" "$T/mnt/chroot/tmp"
	need_mount_ns
	export IL T
	run unshare -m --propagation private bash -c '
		mount --bind "$HOME" "$T/mnt/chroot/home/alice" || exit 99
		"$IL" check -- rm -rf "$T/mnt/chroot"
		INTERLOCK_AGENT=1 "$IL" run -- rm -rf "$T/mnt/chroot"; echo "status=$?"'
	[[ "$output" == *"status=77"* ]]
	[[ "$output" == *"rm.home"* ]]
	[[ "$output" == *"mnt/chroot/home/alice is the protected directory $HOME under another path"* ]]
	[ -d "$HOME/.ssh" ]
}

@test "contents of system directories are confirmed, agent mode blocks them" {
	for p in /etc/ssh /boot/vmlinuz /var/lib/dpkg /usr/bin/ls /etc/passwd; do
		run "$IL" check -- rm -rf "$p"
		[ "$status" -eq 3 ]
		[[ "$output" == *"rm.inside-system-path"* ]]
		INTERLOCK_AGENT=1 run "$IL" check -- rm -rf "$p"
		[ "$status" -eq 4 ]
	done
	# ordinary places stay free
	mkdir -p build node_modules/x
	run "$IL" check -- rm -rf build node_modules /tmp/interlock-nothing "$HOME/project" \
		/var/tmp/interlock-nothing
	[ "$status" -eq 0 ]
}

@test "the contents of a repository's .git are confirmed, a stale lock is not" {
	make_repo
	mkdir -p repo/.git/objects/ab repo/.git/refs && echo x >repo/.git/objects/ab/cd
	echo lock >repo/.git/index.lock
	INTERLOCK_AGENT=1 run "$IL" run -- rm -rf repo/.git/HEAD repo/.git/objects repo/.git/refs
	[ "$status" -eq 77 ]
	[[ "$output" == *"rm.git-internals"* ]]
	[ -f repo/.git/objects/ab/cd ]
	INTERLOCK_AGENT=1 run "$IL" run -- rm -f repo/.git/index.lock
	[ "$status" -eq 0 ]
	[ ! -e repo/.git/index.lock ]
}

@test "C1 controls and stray bytes in names are escaped in every message" {
	make_pgdata
	local c1=$'x\xc2\x9b31m' raw=$'y\x9b31m'
	run "$IL" check -- rm -rf pgdata "$c1" "$raw" --$'\xc2\x9b'
	[ "$status" -eq 3 ]
	[[ "$output" != *$'\xc2\x9b'* && "$output" != *$'\x9b'* ]]
	[[ "$output" == *'--\xc2\x9b'* ]]
	INTERLOCK_AGENT=1 run "$IL" run -- rm -rf pgdata "$c1" "$raw"
	[ "$status" -eq 77 ]
	[[ "$output" != *$'\xc2\x9b'* && "$output" != *$'\x9b'* ]]
	[[ "$output" == *"'x\\xc2\\x9b31m' 'y\\x9b31m'"* ]]
	run -127 "$IL" run -- $'/nowhere/\xc2\x9b/rm' x
	[[ "$output" != *$'\xc2\x9b'* ]]
	# well-formed UTF-8 is shown as it is
	run "$IL" check -- rm --$'\xc3\xa9'
	[[ "$output" == *$'--\xc3\xa9'* ]]
}

@test "agent mode: an audit log moved by XDG_STATE_HOME also lands in the standard place" {
	need_nobody
	chmod 755 "$T" && chown 4242 "$T/work" "$HOME" && chmod 644 "$INTERLOCK_CONFIG"
	mkdir build && chown 4242 build
	# no passwd entry: the standard place is under $HOME, not under /root
	run as_nobody env XDG_STATE_HOME=/dev/null INTERLOCK_AGENT=1 "$IL" run -- rm -rf build
	[ "$status" -eq 0 ]
	[ ! -e build ]
	[[ "$output" == *"audit log /dev/null/interlock/audit.jsonl"* ]]
	AUDIT="$HOME/.local/state/interlock/audit.jsonl"
	[ "$(last_audit '.argv | join(" ")')" = "rm -rf build" ]
	[ "$(last_audit .agent)" = true ]
}
