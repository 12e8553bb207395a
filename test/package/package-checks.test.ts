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
