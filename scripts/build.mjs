#!/usr/bin/env node
// `npm run build` (and `npm ci`, through prepare): compiles every workspace with `tsc -b` (project
// references, incremental) into packages/*/dist. First removes outputs whose source is gone (a
// renamed or deleted module), which tsc -b leaves behind and `npm pack` would otherwise publish.
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const OUTPUT = /^(.*?)(\.d)?\.(js|mjs|ts|mts)(\.map)?$/;

function removeStale(dist, src) {
  if (!existsSync(dist)) return;
  for (const name of readdirSync(dist)) {
    const path = join(dist, name);
    if (statSync(path).isDirectory()) {
      removeStale(path, join(src, name));
      if (readdirSync(path).length === 0) rmSync(path, { recursive: true });
      continue;
    }
    const match = OUTPUT.exec(name);
    if (match === null) continue;
    const base = match[1];
    const sources = match[3] === 'mjs' || match[3] === 'mts' ? [`${base}.mjs`, `${base}.mts`] : [`${base}.ts`, `${base}.tsx`, `${base}.js`];
    if (!sources.some((source) => existsSync(join(src, source)))) rmSync(path);
  }
}

for (const dir of readdirSync(join(root, 'packages'))) {
  removeStale(join(root, 'packages', dir, 'dist'), join(root, 'packages', dir, 'src'));
}
const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

// `keyward --help`, written once from the built program, so that the published command prints it
// without loading every command module (packages/keyward/src/cli/main.ts, prebuiltHelp).
// Written from the built program itself (build-program.js, not the bin, which would print the old
// file), in a process of its own, and replaced atomically only when it changed: builds that run at
// the same time (the package tests) never see the file missing.
const helpFile = join(root, 'packages/keyward/dist/cli/help.txt');
const env = { ...process.env };
delete env.NODE_OPTIONS;
const program = pathToFileURL(join(root, 'packages/keyward/dist/cli/build-program.js')).href;
const help = spawnSync(process.execPath, ['--input-type=module', '-e', `const { buildProgram } = await import(${JSON.stringify(program)}); process.stdout.write(buildProgram().helpInformation());`], { encoding: 'utf8', env });
if (help.status !== 0 || !help.stdout.startsWith('Usage: keyward')) {
  console.error(`the keyward program could not print its help after the build:\n${help.stderr}`);
  process.exit(1);
}
if (!existsSync(helpFile) || readFileSync(helpFile, 'utf8') !== help.stdout) {
  const temporary = `${helpFile}.${process.pid}.tmp`;
  writeFileSync(temporary, help.stdout);
  renameSync(temporary, helpFile);
}
