#!/usr/bin/env bats
# What a terraform command targets, with the real terraform (1.11.4 here):
# a saved plan's own backend, workspace and variables; the workspace file
# read as terraform reads it; directories and the data directory by the
# name given (symbolic links); a plan file injected by TF_CLI_ARGS_apply;
# and state-rewriting commands refused in production. Every refused command
# is followed by `terraform state list`, run directly, which must still show
# every resource. Without terraform these tests are skipped.
load helpers

eval "$(declare -f setup | sed '1s/setup/interlock_setup/')"
setup() {
	interlock_setup
	terraform_env
}

ALL="terraform_data.a terraform_data.b terraform_data.c"

# resources DIR: terraform_data a, b and c appended to DIR/main.tf.
resources() {
	local r
	for r in a b c; do
		printf 'resource "terraform_data" "%s" {\n  input = "%s"\n}\n' "$r" "$r"
	done >>"$1/main.tf"
}

@test "saved plan: judged by the backend it targets, not the directory it is applied in" {
	need_terraform
	mkdir -p infra-prod elsewhere
	printf 'terraform {\n  backend "local" {\n    path = "%s"\n  }\n}\n' \
		"$PWD/infra-prod/terraform.tfstate" >infra-prod/main.tf
	resources infra-prod
	(cd infra-prod && "$TF" init -input=false >/dev/null && "$TF" apply -auto-approve -input=false >/dev/null)
	# plan -destroy changes nothing by itself
	(cd infra-prod && "$TF" plan -destroy -input=false -out="$PWD/../elsewhere/cleanup.plan" >/dev/null)
	cd elsewhere
	run "$IL" check --json -- terraform apply cleanup.plan
	[ "$status" -eq 3 ]
	[ "$(jq -r .verdict <<<"$output")" = confirm ]
	[ "$(jq -r .target.environment <<<"$output")" = production ]
	[ "$(jq -r '.operations[0].plan_backend' <<<"$output")" = local ]
	[ "$(jq -r '.operations[0].plan_backend_config' <<<"$output")" = "path=$T/work/infra-prod/terraform.tfstate" ]
	[ "$(jq -r '.operations[0].plan_workspace' <<<"$output")" = default ]
	run env CLAUDECODE=1 "$IL" run -- terraform apply cleanup.plan
	[ "$status" -eq 77 ]
	[[ "$output" == *"production environment"* ]]
	run no_tty "$IL" run -- terraform apply cleanup.plan
	[ "$status" -eq 77 ]
	[ "$(tf_state ../infra-prod)" = "$ALL" ]
}

@test "saved plan: its variables and its own name count; an unreadable backend is unknown_remote" {
	need_terraform
	mkdir stack
	printf 'variable "env" {\n  type = string\n}\n' >stack/main.tf
	resources stack
	echo 'env = "production"' >stack/prod.tfvars
	(cd stack && "$TF" init -input=false >/dev/null &&
		"$TF" apply -auto-approve -input=false -var-file=prod.tfvars >/dev/null &&
		"$TF" plan -destroy -input=false -var-file=prod.tfvars -out=prod.tfplan >/dev/null)
	cd stack
	run "$IL" check -- terraform apply prod.tfplan
	[ "$status" -eq 3 ]
	[[ "$output" == "confirm: terraform (production environment)"* ]]
	# the same plan under a neutral name: its variable value is production
	cp prod.tfplan cleanup.plan
	run "$IL" check -- terraform apply cleanup.plan
	[ "$status" -eq 3 ]
	[[ "$output" == "confirm: terraform (production environment)"* ]]
	run env CLAUDECODE=1 "$IL" run -- terraform apply cleanup.plan
	[ "$status" -eq 77 ]
	[ "$(tf_state .)" = "$ALL" ]
	# a damaged plan: its backend cannot be read, so it is not development
	head -c 100 cleanup.plan >damaged.plan
	run "$IL" check --json -- terraform apply damaged.plan
	[ "$status" -eq 3 ]
	[ "$(jq -r .target.environment <<<"$output")" = production ]
	[ "$(jq -r '.operations[0].plan_backend' <<<"$output")" = unknown ]
	[ "$(tf_state .)" = "$ALL" ]
}

@test "workspace file: trimmed as Go trims it, read whole; too large is unknown" {
	need_terraform
	make_stack stack production a b c
	cd stack
	for variant in nbsp spaces huge; do
		case $variant in
		nbsp) printf 'production\xc2\xa0' >.terraform/environment ;;
		spaces) { printf '%5000s' ''; echo production; } >.terraform/environment ;;
		huge) { head -c 2000000 /dev/zero | tr '\0' ' '; echo production; } >.terraform/environment ;;
		esac
		[ "$("$TF" workspace show)" = production ]
		run no_tty "$IL" run -- terraform destroy -auto-approve
		[ "$status" -eq 77 ] || { echo "$variant: $status $output"; false; }
		[[ "$output" == *"production"* ]]
		[ "$(tf_state . production)" = "$ALL" ]
	done
}

@test "a plan file named in TF_CLI_ARGS_apply is the plan that was shown" {
	need_terraform
	make_stack prod prod a b c
	cd prod
	"$TF" plan -input=false -out=keep.plan >/dev/null
	"$TF" plan -destroy -input=false -out=destroy.plan >/dev/null
	cp keep.plan x.plan
	mkdir -p "$T/bin"
	# terraform, except that the plan file is swapped right after interlock's show
	cat >"$T/bin/terraform" <<EOF
#!/bin/sh
"$TF" "\$@"; rc=\$?
[ "\$1" = show ] && mv -f destroy.plan x.plan
exit \$rc
EOF
	chmod +x "$T/bin/terraform"
	run no_tty env PATH="$T/bin:$PATH" TF_CLI_ARGS_apply="-lock=true x.plan" \
		"$IL" run -- terraform apply
	[ "$status" -eq 0 ]
	[ ! -e destroy.plan ] # the swap happened before the apply
	[ "$(tf_state .)" = "$ALL" ]
}

@test "directories by the name given: -chdir and cd through a production-named link" {
	need_terraform
	make_stack neutral2 default a b c
	ln -s neutral2 prod-link
	run no_tty "$IL" run -- terraform -chdir=prod-link destroy -auto-approve
	[ "$status" -eq 77 ]
	[[ "$output" == *"production"* ]]
	cd prod-link
	run no_tty "$IL" run -- terraform destroy -auto-approve
	[ "$status" -eq 77 ]
	run "$IL" check --json -- terraform destroy
	[ "$(jq -r .target.dir_as_given <<<"$output")" = "$T/work/prod-link" ]
	[ "$(tf_state .)" = "$ALL" ]
}

@test "TF_DATA_DIR named for production is production" {
	need_terraform
	export TF_DATA_DIR=.terraform-prod
	make_stack stack default a b c
	cd stack
	run no_tty "$IL" run -- terraform destroy -auto-approve
	[ "$status" -eq 77 ]
	[[ "$output" == *"production"* ]]
	[ "$(tf_state .)" = "$ALL" ]
}

@test "import, state push, state replace-provider, init -reconfigure: refused in production without a terminal" {
	need_terraform
	make_stack prod prod a b c
	make_stack other default x
	cd prod
	printf 'resource "terraform_data" "d" {\n  input = "d"\n}\n' >>main.tf
	for argv in "import terraform_data.d some-id" "state push -force ../other/terraform.tfstate" \
		"state replace-provider -auto-approve terraform.io/builtin/terraform example.com/x/terraform" \
		"init -reconfigure -input=false"; do
		run no_tty "$IL" run -- terraform $argv
		[ "$status" -eq 77 ] || { echo "$argv: $status $output"; false; }
		[[ "$output" == *"Rules: terraform.state-rewrite"* ]] || { echo "$argv: $output"; false; }
		[ "$(tf_state .)" = "$ALL" ]
	done
}
