/**
 * Test helpers: the workspaces built and packed with `npm pack` as they would be published, and
 * fresh projects outside the repository that install those tarballs (`npm install --prefer-offline`:
 * npm's cache, no other network). Every child process runs with a clean environment: no loader of
 * the repository's test runner (NODE_OPTIONS) and no npm_* variables of an enclosing `npm test`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PACKAGES = ['@keyward/core', '@keyward/verify', '@keyward/client', 'keyward'] as const;
export type PackageName = (typeof PACKAGES)[number];

/** The environment of a process that a user would start: nothing of the repository's test set-up. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'NODE_OPTIONS' || key.toLowerCase().startsWith('npm_') || key.startsWith('KEYWARD_')) continue;
    env[key] = value;
  }
  return { ...env, NODE_NO_WARNINGS: '1', ...extra };
}

/** Runs a command to completion within `timeoutMs`; rejects with its output on failure. */
export function exec(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, [...args], { cwd: options.cwd, env: options.env ?? cleanEnv(), timeout: options.timeoutMs, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed (${error.killed ? `killed after ${options.timeoutMs} ms` : `exit ${String(error.code)}`}):\n${stdout}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

/** A temporary directory outside the repository, removed by `cleanup`. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `keyward-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Builds every workspace (npm run build: tsc -b, incremental, stale outputs removed) and packs each one; tarball paths by package name. */
export async function packWorkspaces(destination: string): Promise<Record<PackageName, string>> {
  await exec(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, timeoutMs: 240_000 });
  const { stdout } = await exec('npm', ['pack', '--workspaces', '--json', '--pack-destination', destination], { cwd: ROOT, timeoutMs: 60_000 });
  const packed = JSON.parse(stdout) as Array<{ name: string; filename: string }>;
  const out = {} as Record<PackageName, string>;
  for (const name of PACKAGES) {
    const entry = packed.find((p) => p.name === name);
    if (entry === undefined) throw new Error(`npm pack made no tarball for ${name}`);
    out[name] = join(destination, entry.filename);
  }
  if (readdirSync(destination).length !== PACKAGES.length) throw new Error('unexpected files beside the tarballs');
  return out;
}

/**
 * A fresh project in `dir` with `specs` installed (tarball paths or registry names, which npm takes
 * from its cache). `ignoreScripts` skips install scripts (see the keyward install in consumer.test.ts).
 */
export async function installProject(dir: string, specs: readonly string[], options: { type?: 'module' | 'commonjs'; ignoreScripts?: boolean } = {}): Promise<void> {
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: options.type ?? 'module' }, null, 2)}\n`);
  await exec('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-update-notifier', ...(options.ignoreScripts ? ['--ignore-scripts'] : []), ...specs], { cwd: dir, timeoutMs: 180_000 });
}
