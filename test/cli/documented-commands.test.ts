/**
 * Every `keyward ...` command shown to a user, in the docs, the README or a message in the source,
 * names a real command and only options that command has. Checked against the real program
 * (buildProgram), without running anything: the command path is walked by name, and each `--option`
 * must be one of that command's long options (or --help / --version).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../../packages/keyward/src/cli/build-program.ts';

function filesUnder(dir: string, suffixes: readonly string[], out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) filesUnder(path, suffixes, out);
    else if (suffixes.some((s) => name.endsWith(s)) && !name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** The `keyward ...` command lines of a text: inline code, and lines of shell blocks or strings. */
export function extractCommands(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/(?:^|[\s`'"(])(?:npx )?keyward ((?:serve|clients|keys|audit|keygen|pubkey|assertion|token|call|inspect|doctor|admin|initial-access-token|users|consents|alerts)\b[^`'"\n]*)/gm)) {
    found.push(match[1]!);
  }
  return found;
}

/** The tokens of a command line up to the first shell operator, comment or substitution. */
function tokensOf(line: string): string[] {
  const tokens: string[] = [];
  for (const raw of line.match(/"[^"]*"|'[^']*'|\S+/g) ?? []) {
    if (/^(\||\|\||&&|;|>|>>|2>|<|#|\\)$/.test(raw) || raw.startsWith('$(') || raw.startsWith('#')) break;
    tokens.push(raw.replace(/[),.;:\\]+$/, ''));
  }
  return tokens;
}

function check(program: Command, line: string): string | undefined {
  const tokens = tokensOf(line);
  let command = program;
  let i = 0;
  while (i < tokens.length) {
    const sub = command.commands.find((c) => c.name() === tokens[i] || c.aliases().includes(tokens[i]!));
    if (sub === undefined) break;
    command = sub;
    i += 1;
  }
  if (command === program) return `"${tokens[0]}" is not a keyward command`;
  const known = new Set(['--help', '--version', ...command.options.map((o) => o.long).filter((l): l is string => l !== undefined)]);
  for (const token of tokens.slice(i)) {
    if (!token.startsWith('--') || token === '--') continue;
    const option = token.split('=')[0]!;
    if (/[<>[\]…]/.test(option)) continue; // a placeholder such as --<option>
    if (!known.has(option)) return `keyward ${command.name()} has no option ${option}`;
  }
  return undefined;
}

test('every keyward command shown in the docs, the README and the source parses with the real CLI', () => {
  const program = buildProgram();
  const files = ['README.md', ...filesUnder('docs', ['.md']), ...filesUnder('packages', ['.ts', '.md']), ...filesUnder('examples', ['.md', '.ts', '.js', '.mjs'])];
  const problems: string[] = [];
  let checked = 0;
  for (const file of files) {
    for (const line of extractCommands(readFileSync(file, 'utf8'))) {
      checked += 1;
      const problem = check(program, line);
      if (problem !== undefined) problems.push(`${file}: \`keyward ${line.trim()}\`: ${problem}`);
    }
  }
  assert.ok(checked > 50, `only ${checked} commands found: the extraction is broken`);
  assert.deepEqual(problems, []);
});

test('the checker itself refuses an unknown option and an unknown command', () => {
  const program = buildProgram();
  assert.match(check(program, 'pubkey --key private_key.pem') ?? '', /has no option --key/);
  assert.match(check(program, 'frobnicate --now') ?? '', /not a keyward command/);
  assert.equal(check(program, 'pubkey private_key.pem --format jwk | jq .'), undefined);
  assert.equal(check(program, 'clients keys rotate my-app --public-key new.pem'), undefined);
});
