# fish completion for interlock(1). Installed as
# $(datadir)/fish/vendor_completions.d/interlock.fish.

# The words typed so far, without the command itself.
function __interlock_args
    set -l words (commandline -opc)
    set -e words[1]
    set -q words[1]; and printf '%s\n' $words
end

function __interlock_needs_command
    test (count (__interlock_args)) -eq 0
end

# True when the subcommand is $argv[1] and, optionally, the second word is
# one of $argv[2..].
function __interlock_is
    set -l words (__interlock_args)
    test (count $words) -ge 1; and test "$words[1]" = $argv[1]; or return 1
    test (count $argv) -eq 1; and return 0
    test (count $words) -ge 2; and contains -- $words[2] $argv[2..-1]
end

function __interlock_words_after_sub
    set -l words (__interlock_args)
    count $words[2..-1]
end

# run/check: where the cursor stands. Prints "options", "tool" or "args".
function __interlock_run_position
    set -l words (__interlock_args)
    set -e words[1]
    set -l i 1
    for w in $words
        if test "$w" = --
            if test $i -eq (count $words)
                echo tool
            else
                echo args
            end
            return
        else if not string match -q -- '-*' $w
            echo args
            return
        end
        set i (math $i + 1)
    end
    echo options
end

function __interlock_run_at
    contains -- (__interlock_args)[1] run check; or return 1
    set -l token (commandline -ct)
    set -l pos (__interlock_run_position)
    switch $argv[1]
        case options
            test $pos = options; and string match -q -- '-*' $token
        case tool
            test $pos = tool; or begin
                test $pos = options; and not string match -q -- '-*' $token
            end
        case args
            test $pos = args
    end
end

# The rule ids: the first column of `interlock rules list`.
function __interlock_rule_ids
    set -l il (commandline -opc)[1]
    command $il rules list 2>/dev/null | string replace -r '\s.*' ''
end

complete -c interlock -f

complete -c interlock -n __interlock_needs_command -a run -d 'Guard and run a tool'
complete -c interlock -n __interlock_needs_command -a check -d 'Decide only: 0 allow, 3 confirm, 4 block'
complete -c interlock -n __interlock_needs_command -a shims -d 'Create the tool symlinks in a directory'
complete -c interlock -n __interlock_needs_command -a rules -d 'List, explain or test the loaded rules'
complete -c interlock -n __interlock_needs_command -a config -d 'Validate or print the configuration'
complete -c interlock -n __interlock_needs_command -a help -d 'Show the usage of a command'
complete -c interlock -n __interlock_needs_command -s h -l help -d 'Show the usage'
complete -c interlock -n __interlock_needs_command -s V -l version -d 'Show the version'

complete -c interlock -n '__interlock_run_at options; and __interlock_is run' -l write -d 'Ask to unlock writes in a production psql session'
complete -c interlock -n '__interlock_run_at options; and __interlock_is check' -l write -d 'Decide as run --write would'
complete -c interlock -n '__interlock_run_at options; and __interlock_is check' -l json -d 'Print the verdict as JSON'
complete -c interlock -n '__interlock_run_at options' -s h -l help -d 'Show the usage'
complete -c interlock -n '__interlock_run_at tool' -a 'psql pg_restore terraform rm' -d 'Guarded tool'
complete -c interlock -n '__interlock_run_at args' -F

complete -c interlock -n '__interlock_is shims; and test (__interlock_words_after_sub) -eq 0' -a '(__fish_complete_directories (commandline -ct))'

complete -c interlock -n '__interlock_is rules; and test (__interlock_words_after_sub) -eq 0' -a list -d 'Every loaded rule'
complete -c interlock -n '__interlock_is rules; and test (__interlock_words_after_sub) -eq 0' -a explain -d 'One rule in full'
complete -c interlock -n '__interlock_is rules; and test (__interlock_words_after_sub) -eq 0' -a test -d "Run the rules' examples"
complete -c interlock -n '__interlock_is rules explain; and test (__interlock_words_after_sub) -eq 1' -a '(__interlock_rule_ids)' -d 'Rule'
complete -c interlock -n '__interlock_is rules test' -a '(__interlock_rule_ids)' -d 'Rule'

complete -c interlock -n '__interlock_is config; and test (__interlock_words_after_sub) -eq 0' -a check -d 'Load and check the configuration and rules'
complete -c interlock -n '__interlock_is config; and test (__interlock_words_after_sub) -eq 0' -a default -d 'Print the default configuration'

complete -c interlock -n '__interlock_is help; and test (__interlock_words_after_sub) -eq 0' -a 'run check shims rules config'
