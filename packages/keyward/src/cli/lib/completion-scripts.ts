/**
 * Shell completion scripts for `keyward`, written from the program itself (every command, its
 * subcommands and its long options), so they never drift from the real CLI. Pure: the caller gives
 * the command tree and prints the text.
 */
import type { Command } from 'commander';

/** One command of the tree: its path from the root (`clients add`), options and subcommands. */
export interface CompletionNode {
  readonly path: readonly string[];
  readonly description: string;
  readonly options: readonly { readonly long: string; readonly description: string }[];
  readonly children: readonly CompletionNode[];
}

/** The completion tree of a commander program. */
export function completionTree(command: Command, path: readonly string[] = []): CompletionNode {
  const options = command.options
    .filter((option) => option.long !== undefined)
    .map((option) => ({ long: option.long!, description: option.description }));
  return {
    path,
    description: command.description(),
    options: [...options, { long: '--help', description: 'show help' }],
    children: command.commands.filter((sub) => sub.name() !== 'help').map((sub) => completionTree(sub, [...path, sub.name()])),
  };
}

function walk(node: CompletionNode, visit: (node: CompletionNode) => void): void {
  visit(node);
  for (const child of node.children) walk(child, visit);
}

/** Single-quoted for any POSIX shell and fish. */
function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The bash script: `eval "$(keyward completion bash)"` (zsh sources it through bashcompinit). */
export function bashCompletion(root: CompletionNode): string {
  const paths: string[] = [];
  const cases: string[] = [];
  walk(root, (node) => {
    const key = node.path.map((part) => `/${part}`).join('');
    if (node.path.length > 0) paths.push(quote(key));
    const words = [...node.children.map((child) => child.path.at(-1)!), ...node.options.map((option) => option.long)];
    cases.push(`    ${quote(key)}) words=${quote(words.join(' '))} ;;`);
  });
  return `# keyward completion for bash. Load it with: eval "$(keyward completion bash)"
_keyward() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" i word words=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    [[ "$word" == -* ]] && continue
    case "$path/$word" in
      ${paths.join('|')}) path="$path/$word" ;;
    esac
  done
  case "$path" in
${cases.join('\n')}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _keyward keyward
`;
}

/** The zsh script: the bash one through zsh's bashcompinit. */
export function zshCompletion(root: CompletionNode): string {
  return `# keyward completion for zsh. Load it with: eval "$(keyward completion zsh)"
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(root).split('\n').slice(1).join('\n')}`;
}

/** The fish script: `keyward completion fish | source`. */
export function fishCompletion(root: CompletionNode): string {
  const lines = ['# keyward completion for fish. Load it with: keyward completion fish | source', 'complete -c keyward -f'];
  walk(root, (node) => {
    const seen = node.path.map((part) => `__fish_seen_subcommand_from ${part}`);
    const here = node.path.length === 0 ? '__fish_use_subcommand' : seen.join('; and ');
    const childNames = node.children.map((child) => child.path.at(-1)!);
    const noChildYet = childNames.length > 0 && node.path.length > 0 ? `; and not __fish_seen_subcommand_from ${childNames.join(' ')}` : '';
    for (const child of node.children) {
      lines.push(`complete -c keyward -n ${quote(here + noChildYet)} -a ${quote(child.path.at(-1)!)} -d ${quote(child.description)}`);
    }
    for (const option of node.options) {
      lines.push(`complete -c keyward -n ${quote(here)} -l ${quote(option.long.slice(2))} -d ${quote(option.description)}`);
    }
  });
  return `${lines.join('\n')}\n`;
}
