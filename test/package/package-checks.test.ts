/**
 * The published form of each workspace, checked on the tarballs `npm pack` makes:
 * publint and arethetypeswrong pass, a tarball holds only dist/, README, LICENSE, package.json and
 * what the server serves at run time, and @keyward/verify installs with no native module and no
 * database driver.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildProgram } from '../../packages/keyward/src/cli/build-program.ts';
import { STANDALONE_COMMANDS } from '../../packages/keyward/src/cli/commands/standalone.ts';
import { cleanEnv, exec, installProject, packWorkspaces, PACKAGES, ROOT, tempDir, type PackageName } from './packed.ts';

const work = tempDir('pack-checks');
let tarballs: Record<PackageName, string>;
before(async () => { tarballs = await packWorkspaces(work.dir); });
after(() => work.cleanup());

for (const name of PACKAGES) {
  test(`${name}: publint --strict passes on the packed tarball`, async () => {
    const { stdout } = await exec(join(ROOT, 'node_modules/.bin/publint'), ['run', tarballs[name], '--strict'], { cwd: work.dir, timeoutMs: 60_000 });
    assert.match(stdout, /All good!/);
  });

  // cjs-resolves-to-esm is attw's warning that require() of an ESM-only package needs
  // --experimental-require-module on Node 16-20.18; Node >= 20.19 (this project's engines) loads it
  // with no flag, which consumer.test.ts proves with a CommonJS consumer.
  test(`${name}: arethetypeswrong finds no problem on the packed tarball (node16 profile)`, async () => {
    await exec(join(ROOT, 'node_modules/.bin/attw'), [tarballs[name], '--profile', 'node16', '--ignore-rules', 'cjs-resolves-to-esm', '--format', 'ascii'], { cwd: work.dir, env: cleanEnv({ NO_COLOR: '1' }), timeoutMs: 60_000 });
  });

  test(`${name}: the tarball holds dist/, README.md, LICENSE, package.json and run-time assets only`, async () => {
    const { stdout } = await exec('tar', ['-tzf', tarballs[name]], { cwd: work.dir, timeoutMs: 30_000 });
    const files = stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
    for (const required of ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']) assert.ok(files.includes(required), `${required} is missing`);
    const allowed = /^(package\.json|README\.md|LICENSE|dist\/.+\.(js|mjs|d\.ts|d\.mts|d\.ts\.map|d\.mts\.map)|dist\/bin\/help\.txt|bin\/keyward\.js|console\/(index\.html|console\.js|console\.css|favicon\.svg))$/;
    assert.deepEqual(files.filter((f) => !allowed.test(f)), []);
    if (name !== 'keyward') assert.deepEqual(files.filter((f) => f.startsWith('bin/') || f.startsWith('console/')), []);
  });
}

test('@keyward/verify installs with no native module and no database driver (its footprint is printed)', async () => {
  const project = tempDir('verify-footprint');
  try {
    await installProject(project.dir, [tarballs['@keyward/core'], tarballs['@keyward/verify']]);
    const modules = join(project.dir, 'node_modules');
    const installed = readdirSync(modules).flatMap((entry) => entry.startsWith('@') ? readdirSync(join(modules, entry)).map((sub) => `${entry}/${sub}`) : [entry]).filter((entry) => !entry.startsWith('.'));
    assert.deepEqual(installed.sort(), ['@keyward/core', '@keyward/verify'], 'nothing but the two packages: @keyward/core has no dependency');
    let bytes = 0;
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        const stat = statSync(path);
        if (stat.isDirectory()) walk(path);
        else {
          bytes += stat.size;
          assert.ok(!entry.endsWith('.node') && entry !== 'binding.gyp', `native module file ${path}`);
        }
      }
    };
    walk(modules);
    console.log(`@keyward/verify footprint: ${installed.length} packages, ${(bytes / 1e6).toFixed(2)} MB in node_modules`);
  } finally {
    project.cleanup();
  }
});

test('keyward: the prebuilt top-level help (dist/bin/help.txt) is the program\'s own help, and the bin prints it', async () => {
  const built = readFileSync(join(ROOT, 'packages/keyward/dist/bin/help.txt'), 'utf8');
  assert.equal(built, buildProgram().helpInformation());
  const { stdout } = await exec(process.execPath, [join(ROOT, 'packages/keyward/bin/keyward.js'), '--help'], { cwd: work.dir, timeoutMs: 30_000 });
  assert.equal(stdout, built);
});

test('keyward: each key holder\'s command runs from its own bundle, which loads no package at start and prints the program\'s own help', async () => {
  const bin = join(ROOT, 'packages/keyward/bin/keyward.js');
  const whole = buildProgram();
  for (const name of STANDALONE_COMMANDS) {
    const bundle = readFileSync(join(ROOT, `packages/keyward/dist/bin/standalone/${name}.js`), 'utf8');
    // Static imports only: a package loaded with import() where it is used (keygen's X.509) is allowed.
    const loaded = [...bundle.matchAll(/(?:^|[;}\s])import\s*(?:[\w${}\s,*]+?\s*from\s*)?["']([^"']+)["']/g)].map((match) => match[1]!);
    assert.deepEqual(loaded.filter((specifier) => !specifier.startsWith('node:')), [], `${name}: imports at load`);
    const { stdout } = await exec(process.execPath, [bin, name, '--help'], { cwd: work.dir, env: cleanEnv(), timeoutMs: 30_000 });
    const command = whole.commands.find((candidate) => candidate.name() === name)!;
    let help = '';
    command.configureOutput({ writeOut: (text) => { help += text; } });
    command.outputHelp();
    assert.equal(stdout, help, name);
  }
});

test('keyward inspect, from the published bin, reads the bin, main.js, esbuild\'s runtime chunk and its own bundle, and no other file of the package', async () => {
  const dir = tempDir('standalone-modules');
  try {
    const log = join(dir.dir, 'modules.txt');
    const recorder = join(ROOT, 'test/cli/fixtures/record-modules.mjs');
    const token = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJjbGllbnQifQ.c2lnbmF0dXJl';
    await exec(process.execPath, ['--import', recorder, join(ROOT, 'packages/keyward/bin/keyward.js'), 'inspect', token], { cwd: work.dir, env: cleanEnv({ KEYWARD_TEST_MODULE_LOG: log }), timeoutMs: 30_000 });
    const files = readFileSync(log, 'utf8').split('\n').filter((url) => url.startsWith('file:') && !url.endsWith('/record-modules.mjs'))
      .map((url) => url.slice(url.indexOf('/packages/keyward/') + '/packages/keyward/'.length));
    assert.deepEqual(files.filter((file) => !/^dist\/bin\/chunk-\w+\.js$/.test(file)), ['bin/keyward.js', 'dist/bin/main.js', 'dist/bin/standalone/inspect.js']);
    assert.ok(files.length <= 4, `at most one runtime chunk: ${files.join(', ')}`);
  } finally {
    dir.cleanup();
  }
});
