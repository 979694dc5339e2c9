import type { Command } from 'commander';
import { CliError, EXIT } from './exit-codes';

/**
 * A completion script made from the commands themselves, so it cannot miss one. zsh runs the bash function
 * through bashcompinit: one script to keep right.
 */
export function completionScript(program: Command, shell: string): string {
  if (shell !== 'bash' && shell !== 'zsh')
    throw new CliError(`completion: shell must be bash or zsh, not ${shell}`, EXIT.usage);
  const flags = (c: Command) => c.options.flatMap((o) => [o.short, o.long].filter((f): f is string => Boolean(f)));
  const valued = new Set(
    [program, ...program.commands]
      .flatMap((c) => c.options.filter((o) => o.required || o.optional))
      .flatMap((o) => [o.short, o.long]),
  );
  valued.delete(undefined);
  const cases = program.commands.map((c) => {
    const words = [...c.commands.map((s) => s.name()), ...flags(c), ...flags(program), '--help'];
    return `    ${c.name()}) words="${words.join(' ')}" ;;`;
  });
  const top = [...program.commands.map((c) => c.name()), ...flags(program), '--help'].join(' ');
  const bash = `# redis-dts-sync ${shell} completion: source <(redis-dts-sync completion ${shell})
_redis_dts_sync() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd="" i skip=0 words
  for ((i = 1; i < COMP_CWORD; i++)); do
    if ((skip)); then skip=0; continue; fi
    case "\${COMP_WORDS[i]}" in
      ${[...valued].join('|')}) skip=1 ;;
      -*) ;;
      *) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  case "$prev" in
    -f|--file|--config) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    -o|--output) COMPREPLY=($(compgen -W "table json yaml" -- "$cur")); return ;;
  esac
  case "$cmd" in
${cases.join('\n')}
    *) words="${top}" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
`;
  const zsh = shell === 'zsh' ? 'autoload -U +X bashcompinit && bashcompinit\n' : '';
  return `${zsh}${bash}complete -o default -F _redis_dts_sync redis-dts-sync\n`;
}
