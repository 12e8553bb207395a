#!/usr/bin/env node
// Runs every *.test.ts under packages/*/src, test/ and examples/ with Node's own test runner (Node 20
// does not expand globs, so the files are listed here), on the TypeScript sources: the loader of
// scripts/register-sources.mjs goes into NODE_OPTIONS, so every node process a test starts runs the
// sources too (a test that runs a packed tarball clears NODE_OPTIONS for its processes). Optional arguments filter the file list by substring:
//   npm run test:unit -- core/keys   runs only the files whose path contains "core/keys".
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';

function collect(dir, out) {
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = [...collect('packages', []), ...collect('test', []), ...collect('examples', [])]
  .filter((f) => filters.length === 0 || filters.some((needle) => f.includes(needle)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(', ') || '(all)'}`);
  process.exit(1);
}
const loader = new URL('./register-sources.mjs', import.meta.url).href;
const nodeOptions = `${process.env.NODE_OPTIONS ?? ''} --import=${loader}`.trim();
const child = spawn(process.execPath, [
  '--test', '--test-concurrency=2', '--test-timeout=120000', ...files,
], { stdio: 'inherit', cwd: fileURLToPath(new URL('..', import.meta.url)), env: { ...process.env, NODE_OPTIONS: nodeOptions, NODE_NO_WARNINGS: '1' } });
child.on('exit', (code, signal) => process.exit(signal ? 1 : code ?? 1));
