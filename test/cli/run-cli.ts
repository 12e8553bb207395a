/**
 * Test helpers: run `node bin/keyward.mjs ...` as a user would (a child process, real files), run
 * openssl, and start `keyward serve` as a child process on a free port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BIN = fileURLToPath(new URL('../../bin/keyward.mjs', import.meta.url));

/** What a finished process left. */
export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion (async: the test's own servers keep serving meanwhile). */
export function runCommand(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd, env: { ...process.env, NODE_NO_WARNINGS: '1', ...options.env }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${command} ${args.join(' ')} timed out`)); }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    child.stdin.end(options.input ?? '');
  });
}

/** Runs `keyward <args>`. */
export function runKeyward(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<RunResult> {
  return runCommand(process.execPath, [BIN, ...args], options);
}

/** Runs a shell script with bash (for the source documents' recipes, exactly as written). */
export function runShell(script: string, options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return runCommand('bash', ['-euo', 'pipefail', '-c', script], options);
}

/** A temporary directory, removed by the returned function. */
export function makeTempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `keyward-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `keyward serve --port 0` as a child process; resolves with its URL once it listens. */
export async function startServeProcess(dataDir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--log-level', 'warn'], {
    env: { ...process.env, NODE_NO_WARNINGS: '1', KEYWARD_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`keyward serve did not start: ${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (match?.[1]) { clearTimeout(timer); resolve(match[1]); }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`keyward serve exited with ${code}: ${output}`)); });
  });
  return {
    url,
    stop: () => new Promise<void>((resolve) => {
      child.removeAllListeners('exit');
      if (child.exitCode !== null) { resolve(); return; }
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }),
  };
}
