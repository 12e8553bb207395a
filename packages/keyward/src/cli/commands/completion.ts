/**
 * `keyward completion bash|zsh|fish`: prints a shell completion script written from the program
 * itself (lib/completion-scripts.ts), so it knows every command and option of this version.
 */
import type { Command } from 'commander';
import { CliError, EXIT } from '../output.ts';
import { bashCompletion, completionTree, fishCompletion, zshCompletion } from '../lib/completion-scripts.ts';

const SHELLS = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion } as const;

/** Registers `keyward completion`. */
export function registerCompletionCommand(program: Command): void {
  program.command('completion')
    .description('print the shell completion script for bash, zsh or fish')
    .argument('<shell>', 'bash, zsh or fish')
    .addHelpText('after', `
Load it:
  bash:  eval "$(keyward completion bash)"     (or save it in /etc/bash_completion.d/keyward)
  zsh:   eval "$(keyward completion zsh)"
  fish:  keyward completion fish | source      (or save it in ~/.config/fish/completions/keyward.fish)`)
    .action(async (shell: string) => {
      if (!Object.hasOwn(SHELLS, shell)) throw new CliError(`no completion for ${JSON.stringify(shell)}: use bash, zsh or fish`, EXIT.usage);
      // The whole program, every command registered (the binary itself loads only this one).
      const { buildProgram } = await import('../build-program.ts');
      process.stdout.write(SHELLS[shell as keyof typeof SHELLS](completionTree(buildProgram())));
    });
}
