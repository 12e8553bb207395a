/**
 * Entry point of the `keyward` binary. It loads as little as the command needs:
 *
 * - `keyward --help` prints the help the build wrote (dist/bin/help.txt) and loads no command;
 * - a key holder's command (commands/standalone.ts: `assertion`, `inspect`, ...) runs from the one
 *   file the build bundled for it (dist/bin/standalone/<name>.js), commander included;
 * - any other command loads its own module and what it imports (commands/loaders.ts), and a name
 *   that is not a command loads them all (top-level help, `help`, commander's suggestions).
 *
 * run-program.ts runs the program and turns errors into exit codes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { COMMAND_LOADERS } from './commands/loaders.ts';

/**
 * True when this module runs from the TypeScript sources (the repository's bin/keyward.mjs, the
 * tests). The same test as package-files.ts's RUNNING_SOURCES, written here because importing that
 * module puts a shared chunk on the start of every command (one more file to read).
 */
const RUNNING_SOURCES = import.meta.url.endsWith('.ts');

/** The command named on `argv` (as in process.argv): its first argument that is not an option. */
function commandName(argv: readonly string[]): string | undefined {
  return argv.slice(2).find((arg) => !arg.startsWith('-'));
}

/**
 * `keyward --help` as the build wrote it from this same program (dist/bin/help.txt, by
 * scripts/build.mjs; test/package/package-checks.test.ts checks it is current), so that the top-level
 * help loads no command module. Undefined from the sources, where the program prints it itself.
 */
function prebuiltHelp(argv: readonly string[]): string | undefined {
  if (argv.length !== 3 || (argv[2] !== '--help' && argv[2] !== '-h') || RUNNING_SOURCES) return undefined;
  try {
    return readFileSync(new URL('./help.txt', import.meta.url), 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The bundle the build wrote for command `name` when it is a standalone one (next to the bundled
 * main.js only: not from the sources, nor from the modules tsc writes to dist/cli/).
 */
function standaloneBundle(name: string | undefined): URL | undefined {
  if (name === undefined || RUNNING_SOURCES || !/^[a-z][a-z-]*$/.test(name)) return undefined;
  const bundle = new URL(`./standalone/${name}.js`, import.meta.url);
  return existsSync(bundle) ? bundle : undefined;
}

/**
 * `keyward audit export | head`: the reader closed the pipe, so there is nobody left to tell; stop
 * quietly as other Unix tools do, instead of a stack trace for EPIPE.
 */
function stopOnClosedPipe(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}

/** Runs the CLI with `argv` (as in process.argv) and sets the exit code. */
export async function main(argv: readonly string[]): Promise<void> {
  stopOnClosedPipe();
  const help = prebuiltHelp(argv);
  if (help !== undefined) {
    process.stdout.write(help);
    return;
  }
  const name = commandName(argv);
  const bundle = standaloneBundle(name);
  if (bundle !== undefined) {
    const standalone = (await import(bundle.href)) as { main(argv: readonly string[]): Promise<void> };
    await standalone.main(argv);
    return;
  }
  // commander is loaded only past the prebuilt help: `keyward --help` reads one text file.
  const [{ runProgram }, commands] = await Promise.all([
    import('./run-program.ts'),
    name !== undefined && Object.hasOwn(COMMAND_LOADERS, name) ? COMMAND_LOADERS[name]!() : import('./commands/index.ts').then((all) => all.COMMANDS),
  ]);
  await runProgram(argv, commands);
}
