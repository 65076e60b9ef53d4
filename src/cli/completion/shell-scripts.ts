/**
 * The scripts `kubectl broker completion SHELL` prints, for `kubectl-broker` run by its own
 * name. Each asks `kubectl-broker __complete WORD…` (complete.ts) at every TAB, as cobra's
 * scripts do, and applies the directive. `kubectl broker …` needs none of them: kubectl 1.26+
 * completes a plugin's words itself, through the plugin's `kubectl_complete-<plugin>`.
 * (Template literals: `\${` and `\\` below are the scripts' `${` and `\`.)
 */
export const SHELLS = ["bash", "zsh", "fish"] as const;

export type Shell = (typeof SHELLS)[number];

export function isShell(value: string | undefined): value is Shell {
  return SHELLS.some((shell) => shell === value);
}

export function completionScript(shell: Shell): string {
  return SCRIPTS[shell];
}

/** Bash 3.2 (macOS) too: no mapfile, no negative indexes, compopt (bash 4) only if there. */
const BASH = `# bash completion for kubectl-broker:  source <(kubectl-broker completion bash)
# ("kubectl broker …" is completed by kubectl's own completion, through kubectl_complete-broker.)
_kubectl_broker() {
    local -a words=() lines=()
    local i word cur out line prefix directive=0
    # bash splits words at = and : (COMP_WORDBREAKS); __complete wants them whole.
    for ((i = 1; i <= COMP_CWORD; i++)); do
        word=\${COMP_WORDS[i]}
        if ((\${#words[@]} > 0)) && [[ $word == [=:] || \${COMP_WORDS[i-1]} == [=:] ]]; then
            words[\${#words[@]}-1]+=$word
        else
            words+=("$word")
        fi
    done
    ((\${#words[@]} > 0)) || words=("")
    cur=\${words[\${#words[@]}-1]}
    out=$("\${COMP_WORDS[0]}" __complete "\${words[@]}" 2>/dev/null) || return 0
    while IFS= read -r line; do
        lines+=("$line")
    done <<<"$out"
    i=\${#lines[@]}
    if ((i > 0)) && [[ \${lines[i-1]} =~ ^:[0-9]+$ ]]; then
        directive=\${lines[i-1]#:}
        unset 'lines[i-1]'
    fi
    ((directive & 1)) && return 0
    # bash replaces only what follows the current word's last = or :.
    prefix=
    [[ $cur == *[=:]* ]] && prefix=\${cur%"\${cur##*[=:]}"}
    COMPREPLY=()
    for line in "\${lines[@]}"; do
        [[ -n $line ]] || continue
        line=\${line%%$'\\t'*}
        COMPREPLY+=("\${line#"$prefix"}")
    done
    if type compopt >/dev/null 2>&1; then
        ((directive & 2)) && compopt -o nospace 2>/dev/null
        ((directive & 4)) && compopt +o default 2>/dev/null
    fi
    return 0
}
complete -o default -F _kubectl_broker kubectl-broker
`;

const ZSH = `#compdef kubectl-broker
# zsh completion for kubectl-broker:  source <(kubectl-broker completion zsh)
# or save it as _kubectl-broker in a directory on $fpath.
# ("kubectl broker …" is completed by kubectl's own completion, through kubectl_complete-broker.)
_kubectl_broker() {
    local -a args lines candidates nospace
    local out line value description directive=0
    args=("\${(@Q)words[2,CURRENT]}")
    out=$("\${words[1]}" __complete "\${args[@]}" 2>/dev/null) || return 1
    lines=("\${(@f)out}")
    if [[ \${lines[-1]} == :<-> ]]; then
        directive=\${lines[-1]#:}
        lines=("\${(@)lines[1,-2]}")
    fi
    (( directive & 1 )) && return 1
    for line in "\${lines[@]}"; do
        [[ -n $line ]] || continue
        value=\${line%%$'\\t'*}
        description=
        [[ $line == *$'\\t'* ]] && description=\${line#*$'\\t'}
        candidates+=("\${value//:/\\\\:}\${description:+:$description}")
    done
    if (( \${#candidates} )); then
        (( directive & 2 )) && nospace=(-S '')
        _describe -t candidates kubectl-broker candidates "\${nospace[@]}"
    elif (( ! (directive & 4) )); then
        _files
    fi
}
if [[ \${funcstack[1]} == _kubectl-broker ]]; then
    _kubectl_broker "$@"
else
    compdef _kubectl_broker kubectl-broker
fi
`;

const FISH = `# fish completion for kubectl-broker:  kubectl-broker completion fish | source
# or save it as ~/.config/fish/completions/kubectl-broker.fish
# ("kubectl broker …" is completed by kubectl's own completion, through kubectl_complete-broker.)
function __kubectl_broker_complete
    set -l args (commandline -opc)
    set -l command $args[1]
    set -e args[1]
    set -l current (commandline -ct)
    set -l out ($command __complete $args "$current" 2>/dev/null)
    or return
    set -l directive 0
    if test (count $out) -gt 0; and string match -qr '^:[0-9]+$' -- $out[-1]
        set directive (string sub -s 2 -- $out[-1])
        set -e out[-1]
    end
    if test (math "bitand($directive, 1)") -ne 0
        return
    end
    if test (count $out) -eq 0
        if test (math "bitand($directive, 4)") -eq 0
            __fish_complete_path "$current"
        end
        return
    end
    for line in $out
        echo $line
    end
end
complete -c kubectl-broker -f -a '(__kubectl_broker_complete)'
`;

const SCRIPTS: Record<Shell, string> = { bash: BASH, zsh: ZSH, fish: FISH };
