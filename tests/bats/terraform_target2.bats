#!/usr/bin/env bats
# What a terraform command targets, part 2, with the real terraform (1.11.4
# here): the backend a directory's init recorded or is about to record
# (-backend-config=KEY=VALUE, backend blocks), state files written by
# -state-out and -backup, a plan zip that Go reads through a zip64 record,
# a saved plan that only forgets resources, and terraform's own prompt
# answered by a pipe. Each case is one that interlock used to let through;
# every refused command is followed by `terraform state list`, run
# directly, which must still show every resource of the production state.
load helpers

eval "$(declare -f setup | sed '1s/setup/interlock_setup/')"
setup() {
	interlock_setup
	terraform_env
}

# app: a stack with workspaces production (a b) and dev (x); ops: a
# neutral directory with its own development state (x) and a backend
# "local" block without a path. P: production's state file.
two_stacks() {
	make_stack app production a b
	(cd app && "$TF" workspace new dev >/dev/null && "$TF" workspace select production >/dev/null)
	P="$T/work/app/terraform.tfstate.d/production/terraform.tfstate"
	make_stack ops default x
}

prod_intact() {
	[ "$(tf_state "$T/work/app" production)" = "terraform_data.a terraform_data.b" ]
}

@test "init -backend-config=path=PRODUCTION: the value counts; init's prompt answered by a pipe is refused" {
	need_terraform
	two_stacks
	cd ops
	printf 'terraform {\n  backend "local" {}\n}\n' >backend.tf
	run "$IL" check --json -- terraform init -backend-config=path="$P"
	[ "$(jq -r .target.environment <<<"$output")" = production ]
	[ "$(jq -r '.operations[0].prompt_from' <<<"$output")" = pipe ]
	# terraform would ask whether to overwrite production's state with ops'
	run no_tty bash -c 'echo yes | "$0" run -- terraform init -backend-config=path="$1"' "$IL" "$P"
	[ "$status" -eq 77 ]
	[[ "$output" == *"terraform.prompt-from-pipe"* ]]
	run no_tty "$IL" run -- terraform init -migrate-state -force-copy -backend-config=path="$P"
	[ "$status" -eq 77 ]
	[[ "$output" == *"terraform.state-rewrite"* ]]
	# the same value in a -backend-config file with a neutral name
	printf 'path = "%s"\n' "$P" >settings.hcl
	run no_tty "$IL" run -- terraform init -force-copy -backend-config=settings.hcl
	[ "$status" -eq 77 ]
	prod_intact
	[ ! -e .terraform/terraform.tfstate ]
}

@test "the backend init recorded counts for every command after it" {
	need_terraform
	two_stacks
	cd ops
	printf 'terraform {\n  backend "local" {}\n}\n' >backend.tf
	# no local state to copy: ops now simply uses production's state file
	rm terraform.tfstate
	"$TF" init -input=false -backend-config=path="$P" >/dev/null
	run "$IL" check --json -- terraform destroy -auto-approve
	[ "$status" -eq 4 ]
	[ "$(jq -r .target.environment <<<"$output")" = production ]
	[ "$(jq -r .target.backend <<<"$output")" = local ]
	[ "$(jq -r .target.backend_config <<<"$output")" = "path=$P" ]
	run env CLAUDECODE=1 "$IL" run -- terraform destroy -auto-approve
	[ "$status" -eq 77 ]
	prod_intact
	# a record interlock cannot read is not development
	cp .terraform/terraform.tfstate saved
	echo '{"backend": {"type": "local", "config": ' >.terraform/terraform.tfstate
	run "$IL" check --json -- terraform state list
	[ "$(jq -r .target.environment <<<"$output")" = production ]
	[ "$(jq -r .target.backend <<<"$output")" = unknown ]
}

@test "a backend block's path counts before init records it" {
	need_terraform
	two_stacks
	cd ops
	printf 'terraform {\n  backend "local" {\n    path = "%s"\n  }\n}\n' "$P" >backend.tf
	run no_tty bash -c 'echo yes | "$0" run -- terraform init' "$IL"
	[ "$status" -eq 77 ]
	[[ "$output" == *"(production environment)"* ]]
	prod_intact
	[ "$(jq -r '.resources[].name' terraform.tfstate)" = x ]
}

@test "-state-out and -backup: the state files written count, and writing them is a state rewrite" {
	need_terraform
	two_stacks
	cd ops
	echo 'resource "terraform_data" "y" {}' >>main.tf
	run no_tty "$IL" run -- terraform apply -auto-approve -state-out="$P"
	[ "$status" -eq 77 ]
	prod_intact
	run no_tty "$IL" run -- terraform apply -auto-approve -backup="$P"
	[ "$status" -eq 77 ]
	prod_intact
	run no_tty "$IL" run -- terraform state mv -state-out="$P" terraform_data.x terraform_data.z
	[ "$status" -eq 77 ]
	[[ "$output" == *"terraform.state-rewrite"* ]]
	prod_intact
	[ "$(tf_state .)" = terraform_data.x ]
	run "$IL" check --json -- terraform state rm -backup=- terraform_data.x
	[ "$(jq -r .target.environment <<<"$output")" = development ]
}

@test "a plan zip that Go reads through a zip64 record is not read as another plan" {
	need_terraform
	two_stacks
	(cd app && "$TF" plan -destroy -input=false -out=../P.tfplan >/dev/null)
	(cd ops && "$TF" plan -input=false -out=../D.tfplan >/dev/null)
	python3 - P.tfplan D.tfplan ops/cleanup.plan <<-'PY'
		import struct, sys
		def eocd(b):
		    i = b.rfind(b'PK\x05\x06'); return struct.unpack('<4sHHHHIIH', b[i:i+22])
		def entries(b):
		    e = eocd(b); off, size = e[6], e[5]; p = off; out = []
		    while p < off + size:
		        nl, xl, cl = struct.unpack('<HHH', b[p+28:p+34])
		        out.append((b[p+46:p+46+nl], p, struct.unpack('<I', b[p+42:p+46])[0]))
		        p += 46 + nl + xl + cl
		    return off, size, e[4], out
		P = open(sys.argv[1], 'rb').read(); D = open(sys.argv[2], 'rb').read()
		p_off, p_size, p_n, _ = entries(P)
		_, _, _, d_ent = entries(D)
		cp, lo = [(c, l) for n, c, l in d_ent if n == b'tfplan'][0]
		nxt = min([l for _, _, l in d_ent if l > lo] + [entries(D)[0]])
		out = bytearray(P[:p_off]); A = len(out); out += D[lo:nxt]
		G = len(out); out += P[p_off:p_off + p_size]
		Z = len(out); out += struct.pack('<4sQHHIIQQQQ', b'PK\x06\x06', 44, 45, 45, 0, 0, p_n, p_n, p_size, G)
		I = len(out); ent = bytearray(D[cp:cp + 52])
		struct.pack_into('<HHH', ent, 28, 6, 0, 0xffff - 52); struct.pack_into('<I', ent, 42, A)
		comment = bytearray(0xffff - 52); comment[-20:] = struct.pack('<4sIQI', b'PK\x06\x07', 0, Z, 1)
		out += ent + comment
		out += struct.pack('<4sHHHHIIH', b'PK\x05\x06', 0, 0, 1, 1, 0xffff, I, 0)
		open(sys.argv[3], 'wb').write(out)
	PY
	cd ops
	# terraform itself reads production's destroy plan from it
	"$TF" show -no-color cleanup.plan | grep -q 'Plan: 0 to add, 0 to change, 2 to destroy'
	run "$IL" check --json -- terraform apply cleanup.plan
	[ "$status" -eq 3 ]
	[ "$(jq -r .target.environment <<<"$output")" = production ]
	[ "$(jq -r '.operations[0].plan_backend' <<<"$output")" = unknown ]
	[[ "$(jq -r '.operations[0].plan_backend_error' <<<"$output")" == *zip64* ]]
	run env CLAUDECODE=1 "$IL" run -- terraform apply cleanup.plan
	[ "$status" -eq 77 ]
	prod_intact
}

@test "a saved plan that only forgets production resources is confirmed" {
	need_terraform
	two_stacks
	cd app
	printf 'resource "terraform_data" "a" {\n  input = "a"\n}\n' >main.tf
	printf 'removed {\n  from = terraform_data.b\n  lifecycle {\n    destroy = false\n  }\n}\n' >>main.tf
	"$TF" plan -input=false -out=forget.plan >/dev/null
	run "$IL" check --json -- terraform apply forget.plan
	[ "$status" -eq 3 ]
	[ "$(jq -r '.operations[0].deletes' <<<"$output")" = 0 ]
	[ "$(jq -r '.operations[0].forgets' <<<"$output")" = 1 ]
	[ "$(jq -r '.operations[0].forget_addresses' <<<"$output")" = terraform_data.b ]
	[ "$(jq -r '.matches[0].id' <<<"$output")" = terraform.plan-forgets ]
	run env CLAUDECODE=1 "$IL" run -- terraform apply forget.plan
	[ "$status" -eq 77 ]
	[[ "$output" == *"without destroying them"* ]]
	prod_intact
}

@test "staging: terraform's own prompt answered by a pipe is refused; development stays free" {
	need_terraform
	make_stack stg staging a b
	cd stg
	printf 'resource "terraform_data" "a" {\n  input = "a"\n}\n' >main.tf # b goes
	run bash -c 'echo yes | CLAUDECODE=1 "$0" run -- terraform apply' "$IL"
	[ "$status" -eq 77 ]
	[[ "$output" == *"terraform.prompt-from-pipe"* ]]
	run no_tty bash -c 'echo yes | "$0" run -- terraform apply -replace=terraform_data.a' "$IL"
	[ "$status" -eq 77 ]
	run no_tty bash -c 'echo yes | "$0" run -- terraform destroy' "$IL"
	[ "$status" -eq 77 ]
	[ "$(tf_state .)" = "terraform_data.a terraform_data.b" ]
	run "$IL" check --json -- terraform apply -auto-approve -replace=terraform_data.a </dev/null
	[ "$(jq -r '.operations[0].prompt_from' <<<"$output")" = none ]
	cd .. && make_stack dev-stack dev a b
	cd dev-stack
	printf 'resource "terraform_data" "a" {\n  input = "a"\n}\n' >main.tf
	run no_tty bash -c 'echo yes | "$0" run -- terraform apply -no-color' "$IL"
	[ "$status" -eq 0 ]
	[ "$(tf_state .)" = terraform_data.a ]
}
