# bash completion for interlock(1)                       -*- shell-script -*-
# Installed as $(datadir)/bash-completion/completions/interlock; or source it.

# The rule ids: the first column of `interlock rules list`, asked of the
# interlock being completed.
_interlock_rule_ids()
{
	local il=${COMP_WORDS[0]}
	[[ $il == \~* ]] && il=$HOME${il#\~}
	command "$il" rules list 2>/dev/null | while read -r id _; do
		printf '%s\n' "$id"
	done
}

_interlock()
{
	local cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]}
	local tools='psql pg_restore terraform rm'
	local i w opts tool_at=0

	COMPREPLY=()
	if ((COMP_CWORD == 1)); then
		mapfile -t COMPREPLY < <(compgen -W 'run check shims rules config help
			--help --version' -- "$cur")
		return
	fi

	case $cmd in
	run | check)
		[[ $cmd == run ]] && opts='--write --help --' || opts='--json --write --help --'
		# The tool is the word after "--", or the first word that is not
		# an option.
		for ((i = 2; i < COMP_CWORD; i++)); do
			w=${COMP_WORDS[i]}
			if [[ $w == -- ]]; then
				tool_at=$((i + 1))
				break
			elif [[ $w != -* ]]; then
				tool_at=$i
				break
			fi
		done
		if ((tool_at == 0)) || ((tool_at == COMP_CWORD)); then
			if ((tool_at == 0)) && [[ $cur == -* ]]; then
				mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
			else
				mapfile -t COMPREPLY < <(compgen -W "$tools" -- "$cur")
			fi
		else
			compopt -o filenames 2>/dev/null || :
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		fi
		;;
	shims)
		if ((COMP_CWORD == 2)); then
			compopt -o filenames 2>/dev/null || :
			mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		fi
		;;
	rules)
		if ((COMP_CWORD == 2)); then
			mapfile -t COMPREPLY < <(compgen -W 'list explain test' -- "$cur")
		elif [[ ${COMP_WORDS[2]} == test ]] ||
			{ [[ ${COMP_WORDS[2]} == explain ]] && ((COMP_CWORD == 3)); }; then
			mapfile -t COMPREPLY < <(compgen -W "$(_interlock_rule_ids)" -- "$cur")
		fi
		;;
	config)
		if ((COMP_CWORD == 2)); then
			mapfile -t COMPREPLY < <(compgen -W 'check default' -- "$cur")
		fi
		;;
	help | --help | -h)
		if ((COMP_CWORD == 2)); then
			mapfile -t COMPREPLY < <(compgen -W 'run check shims rules config' -- "$cur")
		fi
		;;
	esac
}

complete -F _interlock interlock
