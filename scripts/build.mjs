#!/usr/bin/env node
// `npm run build` (and `npm ci`, through prepare): compiles every workspace with `tsc -b` (project
// references, incremental) into packages/*/dist, then bundles the `keyward` command into
// packages/keyward/dist/bin/. First removes outputs whose source is gone (a renamed or deleted
// module), which tsc -b leaves behind and `npm pack` would otherwise publish.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const OUTPUT = /^(.*?)(\.d)?\.(js|mjs|ts|mts)(\.map)?$/;

function removeStale(dist, src, keep = []) {
  if (!existsSync(dist)) return;
  for (const name of readdirSync(dist)) {
    if (keep.includes(name)) continue;
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
  removeStale(join(root, 'packages', dir, 'dist'), join(root, 'packages', dir, 'src'), dir === 'keyward' ? ['bin'] : []);
}
const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

// `keyward --help`, written once from the built program, so that the published command prints it
// without loading every command module (packages/keyward/src/cli/main.ts, prebuiltHelp).
// Written from the built program itself (build-program.js, not the bin, which would print the old
// file), in a process of its own, and replaced atomically only when it changed: builds that run at
// the same time (the package tests) never see the file missing.
const binDir = join(root, 'packages/keyward/dist/bin');
const helpFile = join(binDir, 'help.txt');
const env = { ...process.env };
delete env.NODE_OPTIONS;
const program = pathToFileURL(join(root, 'packages/keyward/dist/cli/build-program.js')).href;
const help = spawnSync(process.execPath, ['--input-type=module', '-e', `const { buildProgram } = await import(${JSON.stringify(program)}); process.stdout.write(buildProgram().helpInformation());`], { encoding: 'utf8', env });
if (help.status !== 0 || !help.stdout.startsWith('Usage: keyward')) {
  console.error(`the keyward program could not print its help after the build:\n${help.stderr}`);
  process.exit(1);
}

// The `keyward` command as a few bundled chunks (esbuild, code splitting) rather than the ~75
// modules tsc writes for one command: Node 20 spends about a millisecond resolving and compiling
// each ESM module, which was most of a short command's start-up (bench/README.md, the `cli` bench).
// Each command stays a chunk of its own, loaded only when it runs; the server's dependencies stay
// packages of their own (external), and so do modules the server starts by path (worker process,
// checkpoint thread: packages/keyward/src/package-files.ts), which run from dist/ as compiled.
// commander is bundled: it is most of the modules a key holder's command loads.
// Minified: less to parse at every start (errors reach the user as one line, not a stack trace).
const manifest = JSON.parse(readFileSync(join(root, 'packages/keyward/package.json'), 'utf8'));
const external = Object.keys(manifest.dependencies).filter((name) => !name.startsWith('@keyward/') && name !== 'commander');
// commander requires node:child_process at load, for executable subcommands (`git-style`
// programs in separate files), which keyward does not have. Loading it (and the net and stream
// modules it pulls in) is about 7 ms of every command's start; in the bundle, commander gets a
// stand-in that says so if anything ever calls it.
const noSubcommandProcesses = {
  name: 'no-subcommand-processes',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^(node:)?child_process$/ }, (args) => (args.importer.includes(`${join('node_modules', 'commander')}`) ? { path: 'child_process', namespace: 'keyward-no-child-process' } : undefined));
    esbuild.onLoad({ filter: /.*/, namespace: 'keyward-no-child-process' }, () => ({
      contents: "module.exports = new Proxy({}, { get(_target, name) { throw new Error('keyward runs no executable subcommands (child_process.' + String(name) + ')'); } });",
      loader: 'js',
    }));
  },
};
/** What both bundles share: ESM for Node 20.19, minified, server dependencies external, written below. */
const bundleOptions = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  outdir: binDir,
  external,
  // commander is CommonJS: its require() of Node's built-in modules needs a require in ESM chunks.
  banner: { js: "import { createRequire as __keywardCreateRequire } from 'node:module'; const require = __keywardCreateRequire(import.meta.url);" },
  legalComments: 'inline',
  minify: true,
  write: false,
  logLevel: 'warning',
};
const bundle = await build({
  ...bundleOptions,
  entryPoints: { main: join(root, 'packages/keyward/dist/cli/main.js') },
  splitting: true,
  plugins: [noSubcommandProcesses],
});

// A key holder's command (packages/keyward/src/cli/commands/standalone.ts) as one file of its own,
// commander and the code it runs included: main.js hands it the command line. One file instead of
// a dozen chunks is about 15 ms of `keyward assertion`'s start (bench/README.md, the `cli` bench).
// A standalone command may import Node's built-in modules and the workspace's packages at load, and
// nothing else (checked below). Each entry is written here: run-program.js with the command's
// register<Name>Command (esbuild refuses an import that does not exist).
const cliDist = join(root, 'packages/keyward/dist/cli');
const { STANDALONE_COMMANDS } = await import(pathToFileURL(join(cliDist, 'commands/standalone.js')).href);
const pascal = (name) => name.split('-').map((word) => word[0].toUpperCase() + word.slice(1)).join('');
const standaloneEntries = {
  name: 'standalone-entries',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^keyward-standalone:/ }, (args) => ({ path: args.path.slice('keyward-standalone:'.length), namespace: 'keyward-standalone' }));
    esbuild.onLoad({ filter: /.*/, namespace: 'keyward-standalone' }, (args) => ({
      contents: [
        "import { runProgram } from './run-program.js';",
        `import { register${pascal(args.path)}Command as register } from './commands/${args.path}.js';`,
        'export function main(argv) { return runProgram(argv, [register]); }',
      ].join('\n'),
      resolveDir: cliDist,
      loader: 'js',
    }));
  },
};
const standalone = await build({
  ...bundleOptions,
  entryPoints: Object.fromEntries(STANDALONE_COMMANDS.map((name) => [`standalone/${name}`, `keyward-standalone:${name}`])),
  plugins: [noSubcommandProcesses, standaloneEntries],
  metafile: true,
});
for (const [output, { imports }] of Object.entries(standalone.metafile.outputs)) {
  // A dynamic import() of a package is loaded only by the code that needs it (keygen's X.509 module,
  // a passphrase prompt) and stays allowed; a static one would be read at every start.
  const outside = imports.filter((entry) => entry.external && entry.kind !== 'dynamic-import' && !entry.path.startsWith('node:')).map((entry) => entry.path);
  if (outside.length > 0) {
    console.error(`${output} imports ${[...new Set(outside)].join(', ')} at load: a standalone command may import Node's built-in modules and the workspace only; take it out of STANDALONE_COMMANDS (cli/commands/standalone.ts) or load the package with import() where it is used`);
    process.exit(1);
  }
}
mkdirSync(join(binDir, 'standalone'), { recursive: true });
/** Writes `path` only when it changed, by rename: builds running at the same time never see it missing or half written. */
function writeIfChanged(path, contents) {
  if (existsSync(path) && readFileSync(path).equals(Buffer.from(contents))) return;
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}
const written = new Set([helpFile]);
for (const file of [...bundle.outputFiles, ...standalone.outputFiles]) {
  writeIfChanged(file.path, file.contents);
  written.add(file.path);
}
writeIfChanged(helpFile, help.stdout);
for (const dir of [binDir, join(binDir, 'standalone')]) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (!written.has(path) && !name.endsWith('.tmp') && statSync(path).isFile()) rmSync(path);
  }
}
