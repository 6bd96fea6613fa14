# bash completion for popsim (installed as share/bash-completion/completions/popsim).
# Commands come from `popsim --help`, options from `popsim COMMAND --help`, so the
# completion always matches the program it completes; files complete as usual.
_popsim()
{
    local cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]:-}
    if ((COMP_CWORD == 1)); then
        local cmds
        cmds=$("${COMP_WORDS[0]}" --help 2>/dev/null | awk '/^commands:/ {on = 1; next}
               on && /^  [a-z]/ {print $1} on && /^$/ && n++ {exit}')
        COMPREPLY=($(compgen -W "$cmds --help --version -V" -- "$cur"))
        return
    fi
    case $cmd in
        init)
            if ((COMP_CWORD == 2)); then
                COMPREPLY=($(compgen -W "city province micro" -- "$cur"))
                return
            fi ;;
        help)
            local cmds
            cmds=$("${COMP_WORDS[0]}" --help 2>/dev/null | awk '/^commands:/ {on = 1; next}
                   on && /^  [a-z]/ {print $1} on && /^$/ && n++ {exit}')
            COMPREPLY=($(compgen -W "$cmds" -- "$cur"))
            return ;;
    esac
    if [[ $cur == -* ]]; then
        local opts
        opts=$("${COMP_WORDS[0]}" "$cmd" --help 2>/dev/null | grep -oE -- '--[a-z][a-z-]*' | sort -u)
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _popsim popsim
