#!/usr/bin/env bats
# terraform through interlock, with the real terraform (1.11.4 here) on
# configurations of terraform_data resources (built in: init, plan, apply
# and destroy work offline) in temporary directories with real workspaces.
# Every refused command is followed by `terraform state list`, run directly,
# which must still show every resource. Without terraform these tests are
# skipped and say "terraform not installed".
load helpers

eval "$(declare -f setup | sed '1s/setup/interlock_setup/')"
setup() {
	interlock_setup
	terraform_env
}

ACT="$BATS_TEST_DIRNAME/../fixtures/terraform/pty-act.exp"
ALL="terraform_data.a terraform_data.b terraform_data.c"

@test "terraform: read-only commands run in production, plan -destroy included" {
	need_terraform
	make_stack prod prod a b c
	cd prod
	for cmd in "plan -destroy" "show" "output" "validate" "state list" "state show terraform_data.a" \
		"state pull" "version" "providers" "graph" "fmt -check" "workspace show" "-help"; do
		run no_tty "$IL" run -- terraform $cmd
		[ "$status" -eq 0 ] || { echo "terraform $cmd: $status $output"; false; }
	done
	run no_tty "$IL" run -- terraform plan -destroy -no-color
	[[ "$output" == *"Plan: 0 to add, 0 to change, 3 to destroy."* ]]
	[ "$(tf_state .)" = "$ALL" ]
	[ "$(last_audit .verdict)" = allow ]
}

@test "terraform: production destroy without a terminal is refused, no plan made, state intact" {
	need_terraform
	make_stack prod prod a b c
	cd prod
	run no_tty "$IL" run -- terraform destroy
	[ "$status" -eq 77 ]
	[[ "$output" == *"[terraform.destroy]"* || "$output" == *"Rules: terraform.destroy"* ]]
	[[ "$output" == *"typed confirmation ('prod') on a terminal, and there is no terminal"* ]]
	[[ "$output" != *"making the plan"* ]]
	[ "$(tf_state .)" = "$ALL" ]
	[ -z "$(ls -A "$TMPDIR")" ]
	[ "$(last_audit .target.workspace)" = prod ]
	[ "$(last_audit .ran)" = false ]
}

@test "terraform: production -auto-approve is blocked in every spelling and injection; state intact" {
	need_terraform
	make_stack prod prod a b c
	cd prod
	for argv in "apply -auto-approve" "destroy -auto-approve" "destroy --auto-approve=true" \
		"apply -destroy -auto-approve=T" "-chdir=. destroy -auto-approve" \
		"destroy -target=terraform_data.a -auto-approve"; do
		run no_tty "$IL" run -- terraform $argv
		[ "$status" -eq 77 ] || { echo "$argv: $status $output"; false; }
		[[ "$output" == *"Rules: terraform.auto-approve"* ]]
		[[ "$output" == *"This is blocked by policy"* ]]
		[ "$(tf_state .)" = "$ALL" ]
	done
	run no_tty env TF_CLI_ARGS=-auto-approve "$IL" run -- terraform destroy
	[ "$status" -eq 77 ]
	[[ "$output" == *"-auto-approve (from TF_CLI_ARGS)"* ]]
	run no_tty env TF_CLI_ARGS_destroy="-target=terraform_data.b -auto-approve" \
		"$IL" run -- terraform destroy
	[ "$status" -eq 77 ]
	[[ "$output" == *"from TF_CLI_ARGS_destroy"* ]]
	# a bare `terraform` that TF_CLI_ARGS turns into a destroy
	run no_tty env TF_CLI_ARGS="destroy -auto-approve" "$IL" run -- terraform
	[ "$status" -eq 77 ]
	[[ "$output" == *"terraform destroy changes in production workspace prod"* ]]
	[ "$(tf_state .)" = "$ALL" ]
	# on a terminal too: blocked, nothing asked, no plan made
	run "$PTY" - "$IL" run -- terraform apply -auto-approve
	[ "$status" -eq 77 ]
	[[ "$output" != *"Type '"* ]]
	[[ "$output" != *"making the plan"* ]]
	[ "$(tf_state .)" = "$ALL" ]
}

@test "terraform: agent mode blocks a production apply -destroy without asking or planning" {
	need_terraform
	make_stack prod prod a b c
	cd prod
	run "$PTY" - env CLAUDECODE=1 "$IL" run -- terraform apply -destroy
	[ "$status" -eq 77 ]
	[[ "$output" == *"Ask the human to run the command themselves"* ]]
	[[ "$output" != *"Type '"* ]]
	[[ "$output" != *"making the plan"* ]]
	[ "$(tf_state .)" = "$ALL" ]
	[ "$(last_audit .agent)" = true ]
}

@test "terraform: state-rewriting commands in production are refused without a terminal; state intact" {
	need_terraform
	make_stack prod prod a b c
	cd prod
	for argv in "state rm terraform_data.a" "state mv terraform_data.a terraform_data.z" \
		"taint terraform_data.b" "untaint terraform_data.b" "refresh" \
		"force-unlock -force 123" "state rm -lock=false terraform_data.c" \
		"init -migrate-state -force-copy"; do
		run no_tty "$IL" run -- terraform $argv
		[ "$status" -eq 77 ] || { echo "$argv: $status $output"; false; }
		[[ "$output" == *"(production environment)"* ]]
		[ "$(tf_state .)" = "$ALL" ]
	done
	run no_tty env TF_CLI_ARGS_state_rm=terraform_data.c "$IL" run -- terraform state rm
	[ "$status" -eq 77 ]
	[ "$(tf_state .)" = "$ALL" ]
	# the prod workspace, deleted from another one
	"$TF" workspace select default >/dev/null
	run no_tty "$IL" run -- terraform workspace delete -force prod
	[ "$status" -eq 77 ]
	[[ "$output" == *"Rules: terraform.workspace-delete"* ]]
	[ "$(tf_state . prod)" = "$ALL" ]
	run no_tty "$IL" run -- terraform env delete -force prod
	[ "$status" -eq 77 ]
	[ "$(tf_state . prod)" = "$ALL" ]
}

@test "terraform: in development the same commands really run (exit status passes through)" {
	need_terraform
	make_stack dev dev a b c
	cd dev
	run no_tty "$IL" run -- terraform state rm terraform_data.a
	[ "$status" -eq 0 ]
	[ "$(tf_state .)" = "terraform_data.b terraform_data.c" ]
	"$IL" shims "$T/bin" >/dev/null
	run no_tty env PATH="$T/bin:$PATH" terraform destroy -auto-approve
	[ "$status" -eq 0 ]
	[ -z "$(tf_state .)" ]
	run no_tty "$IL" run -- terraform state rm terraform_data.nope
	[ "$status" -eq 1 ]
}

@test "pty: production destroy shows what goes; a wrong token keeps it, the right one destroys" {
	need_terraform
	make_stack prod prod a b c
	cd prod
	run "$PTY" pro "$IL" run -- terraform destroy
	[ "$status" -eq 77 ]
	[[ "$output" == *"making the plan"* ]]
	[[ "$output" == *"3 to delete (0 of them replaced)"* ]]
	[[ "$output" == *"delete  terraform_data.b (terraform_data)"* ]]
	[[ "$output" == *"Type 'prod' to run it"* ]]
	[ "$(tf_state .)" = "$ALL" ]
	[ -z "$(ls -A "$TMPDIR")" ]
	run "$PTY" prod "$IL" run -- terraform destroy
	[ "$status" -eq 0 ]
	[[ "$output" == *"Destroy complete! Resources: 3 destroyed."* || "$output" == *"Resources: 0 added, 0 changed, 3 destroyed."* ]]
	[ -z "$(tf_state .)" ]
	[ -z "$(ls -A "$TMPDIR")" ]
	[ "$(last_audit .confirmation)" = confirmed ]
}

@test "pty: the plan-gated apply applies the plan that was shown, not a configuration changed meanwhile" {
	need_terraform
	make_stack prod prod a b c
	cd prod
	# the configuration now drops b and adds n
	printf 'resource "terraform_data" "%s" {\n  input = "%s"\n}\n' a a c c n n >main.tf
	# while the question is open, it changes again: c goes, z comes
	change="printf 'resource \"terraform_data\" \"a\" { input = \"a\" }\nresource \"terraform_data\" \"z\" { input = \"z\" }\n' >main.tf"
	run "$ACT" prod "$change" "$IL" run -- terraform apply
	[ "$status" -eq 0 ]
	[[ "$output" == *"[terraform.plan-gate] interlock made the plan listed below for production workspace prod (1 to delete, 0 of them replaced, 1 to create, 0 to update)"* ]]
	[[ "$output" == *"delete  terraform_data.b (terraform_data)"* ]]
	[[ "$output" == *"Apply complete! Resources: 1 added, 0 changed, 1 destroyed."* ]]
	# applied = shown: b deleted and n created as shown; c kept, no z
	[ "$(tf_state .)" = "terraform_data.a terraform_data.c terraform_data.n" ]
	[ -z "$(ls -A "$TMPDIR")" ]
	[ "$(last_audit '.argv | join(" ")')" = "terraform apply" ]
	[ "$(last_audit .ran)" = true ]
}

@test "pty: a wrong token at the plan gate applies nothing and leaves no plan file" {
	need_terraform
	make_stack prod prod a b c
	cd prod
	printf 'resource "terraform_data" "%s" {\n  input = "%s"\n}\n' a a n n >main.tf
	run "$PTY" nope "$IL" run -- terraform apply
	[ "$status" -eq 77 ]
	[[ "$output" == *"2 to delete (0 of them replaced), 1 to create"* ]]
	[[ "$output" == *"Not confirmed: nothing was run."* ]]
	[ "$(tf_state .)" = "$ALL" ]
	[ -z "$(ls -A "$TMPDIR")" ]
	[ "$(last_audit .confirmation)" = refused ]
}

@test "pty: TF_CLI_ARGS_apply flags go into the plan once, not again beside the saved plan" {
	need_terraform
	make_stack prod prod a
	cd prod
	printf 'variable "x" {\n  default = "1"\n}\nresource "terraform_data" "a" {\n  input = var.x\n}\n' >main.tf
	"$TF" apply -auto-approve -input=false >/dev/null
	run "$PTY" prod env TF_CLI_ARGS_apply="-var x=2" TF_CLI_ARGS="-lock-timeout=5s" \
		"$IL" run -- terraform apply
	[ "$status" -eq 0 ]
	[[ "$output" == *"plan -out="*"-var=x=2 -lock-timeout=5s -input=false"* ]]
	[[ "$output" == *"0 to delete (0 of them replaced), 0 to create, 1 to update"* ]]
	[[ "$output" == *"Apply complete! Resources: 0 added, 1 changed, 0 destroyed."* ]]
	run "$TF" state show -no-color terraform_data.a
	[[ "$output" == *'input  = "2"'* ]]
}

@test "pty: a saved plan's deletes are shown, and the plan read is the plan applied even if the file is replaced" {
	need_terraform
	make_stack prod prod a b c
	cd prod
	printf 'resource "terraform_data" "%s" {\n  input = "%s"\n}\n' a a c c >main.tf
	"$TF" plan -out=drop-b.plan -input=false >/dev/null
	printf 'resource "terraform_data" "a" {\n  input = "a"\n}\n' >main.tf
	"$TF" plan -out=drop-bc.plan -input=false >/dev/null
	run "$ACT" prod "mv drop-bc.plan drop-b.plan" "$IL" run -- terraform apply drop-b.plan
	[ "$status" -eq 0 ]
	[[ "$output" == *"[terraform.plan-deletes] the plan file $PWD/drop-b.plan deletes 1 resource(s) of production workspace prod"* ]]
	[[ "$output" == *"delete  terraform_data.b (terraform_data)"* ]]
	[ "$(tf_state .)" = "terraform_data.a terraform_data.c" ]
}

@test "check: saved plans are read with terraform show -json; unreadable means confirm" {
	need_terraform
	make_stack prod prod a b c
	cd prod
	"$TF" plan -out=same.plan -input=false >/dev/null
	printf 'resource "terraform_data" "%s" {\n  input = "%s"\n}\n' a a b b2 >main.tf
	printf 'resource "terraform_data" "c" {\n  input = "c"\n  triggers_replace = ["x"]\n}\n' >>main.tf
	"$TF" plan -out=changes.plan -input=false >/dev/null
	run "$IL" check -- terraform apply same.plan
	[ "$status" -eq 0 ]
	run "$IL" check --json -- terraform apply changes.plan
	[ "$status" -eq 3 ]
	[ "$(jq -r '.operations[0].deletes' <<<"$output")" = 1 ]
	[ "$(jq -r '.operations[0].replaces' <<<"$output")" = 1 ]
	[ "$(jq -r '.operations[0].updates' <<<"$output")" = 1 ]
	[ "$(jq -r '.operations[0].delete_addresses' <<<"$output")" = terraform_data.c ]
	[ "$(jq -r '.matches[0].id' <<<"$output")" = terraform.plan-deletes ]
	echo 'not a plan' >bogus.plan
	run "$IL" check -- terraform apply bogus.plan
	[ "$status" -eq 3 ]
	[[ "$output" == *"cannot be read (terraform show -json exited 1)"* ]]
	# check made no plan and changed nothing
	run "$IL" check -- terraform apply
	[ "$status" -eq 3 ]
	[[ "$output" == *"(not here: interlock check makes no plan"* ]]
	[ "$(tf_state .)" = "$ALL" ]
	[ -z "$(ls -A "$TMPDIR")" ]
}

@test "terraform: a plan interlock cannot make blocks the apply; nothing is applied" {
	need_terraform
	make_stack prod prod a b c
	cd prod
	echo 'resource "terraform_data" "broken" {' >>main.tf
	run "$PTY" - "$IL" run -- terraform apply
	[ "$status" -eq 77 ]
	[[ "$output" == *"could not make the plan to show (terraform plan exited 1), so nothing was applied"* ]]
	sed -i '$d' main.tf # state list reads the configuration too
	[ "$(tf_state .)" = "$ALL" ]
	[ -z "$(ls -A "$TMPDIR")" ]
}

@test "terraform: the workspace comes from TF_WORKSPACE, else the data dir's environment file" {
	need_terraform
	make_stack stack prod a
	(cd stack && "$TF" workspace new dev >/dev/null)
	run "$IL" check --json -- terraform -chdir=stack destroy
	[ "$(jq -r .target.workspace <<<"$output")" = dev ]
	[ "$(jq -r .verdict <<<"$output")" = allow ]
	run env TF_WORKSPACE=prod "$IL" check --json -- terraform -chdir=stack destroy
	[ "$(jq -r .target.workspace_source <<<"$output")" = TF_WORKSPACE ]
	[ "$(jq -r .verdict <<<"$output")" = confirm ]
	mv stack/.terraform stack/data
	(cd stack && TF_DATA_DIR=data "$TF" workspace select prod >/dev/null)
	run env TF_DATA_DIR=data "$IL" check --json -- terraform -chdir=stack destroy
	[ "$(jq -r .target.workspace <<<"$output")" = prod ]
	[ "$(jq -r .target.data_dir <<<"$output")" = "$PWD/stack/data" ]
}
