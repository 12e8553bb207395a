/**
 * The packages as their users install them: every workspace packed with `npm pack`, the
 * tarballs installed into fresh projects outside the repository, and each use run as its own process
 * with no loader and no flag:
 * - an ESM Express app with @keyward/verify accepts a direct token made by PyJWT (source document
 *   000) and an access token from a running `keyward serve`, and refuses a tampered one with 401;
 * - the same app loaded with require() from CommonJS;
 * - a TypeScript consumer (nodenext, lib ES2022, strict, skipLibCheck false) of @keyward/client and
 *   @keyward/verify type-checks;
 * - `npx keyward --help` and `npx keyward serve` from an install of the keyward tarball.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { freePort } from '../shared/free-port.ts';
import { join } from 'node:path';
import { cleanEnv, exec, installProject, packWorkspaces, ROOT, tempDir, type PackageName } from './packed.ts';
import { extractGeneratedJwt, generateOpensslKey, hasPyJwt, PYJWT_000_FUNCTIONS } from '../interop/helpers.ts';

const required = process.env.KEYWARD_TEST_REQUIRE_SERVICES === '1';
const skipPy = !hasPyJwt() && !required ? 'PyJWT is not importable by /usr/bin/python3 (apt-get install python3-jwt python3-cryptography)' : false;

const work = tempDir('consumer');
const children: ChildProcess[] = [];
let tarballs: Record<PackageName, string>;
let cliDir: string;
let apiDir: string;
let tsDir: string;

before(async () => {
  const packs = join(work.dir, 'tarballs');
  mkdirSync(packs);
  tarballs = await packWorkspaces(packs);
  cliDir = join(work.dir, 'cli');
  apiDir = join(work.dir, 'api');
  tsDir = join(work.dir, 'ts');
  for (const dir of [cliDir, apiDir, tsDir]) mkdirSync(dir);
  const devVersion = (name: string) => (JSON.parse(spawnSync(process.execPath, ['-p', `JSON.stringify(require('${name}/package.json').version)`], { cwd: ROOT, encoding: 'utf8' }).stdout) as string);
  await Promise.all([
    // keyward's better-sqlite3 builds from source (about 90 s on this machine kind): the install
    // skips scripts and takes the repository's build of the same version for the same Node instead.
    installProject(cliDir, Object.values(tarballs), { ignoreScripts: true }).then(() => {
      cpSync(join(ROOT, 'node_modules/better-sqlite3/build'), join(cliDir, 'node_modules/better-sqlite3/build'), { recursive: true });
    }),
    installProject(apiDir, [tarballs['@keyward/core'], tarballs['@keyward/verify'], `express@${devVersion('express')}`]),
    installProject(tsDir, [tarballs['@keyward/core'], tarballs['@keyward/verify'], tarballs['@keyward/client'], `typescript@${devVersion('typescript')}`, `@types/node@${devVersion('@types/node')}`]),
  ]);
});

/** Kills a process started by startProcess and everything it started. */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
}

after(() => {
  for (const child of children) killGroup(child);
  work.cleanup();
});

/** `npx keyward ...` in the keyward install, as its README writes it (the bin is installed: npx fetches nothing). */
function npxKeyward(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  return exec('npx', ['keyward', ...args], { cwd: cliDir, env: cleanEnv(env), timeoutMs: 60_000 });
}

/** Starts a long-running process and resolves once its output matches `ready` (within `timeoutMs`). */
function startProcess(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; ready: RegExp; timeoutMs: number }): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  return new Promise((resolve, reject) => {
    // Its own process group: npx starts keyward as a child of its own, and the group is killed whole.
    const child = spawn(command, [...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    children.push(child);
    let output = '';
    const timer = setTimeout(() => { killGroup(child); reject(new Error(`${command} ${args.join(' ')} not ready within ${options.timeoutMs} ms:\n${output}`)); }, options.timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = options.ready.exec(output);
      if (match) { clearTimeout(timer); resolve({ child, match }); }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${command} exited with ${String(code)}:\n${output}`)); });
  });
}

test('npx keyward --help, from an install of the keyward tarball', async () => {
  const { stdout, stderr } = await npxKeyward(['--help']);
  assert.match(stdout, /Usage: keyward/, stderr);
  assert.match(stdout, /serve/);
});

/** The same API as ESM (import) and CommonJS (require): direct tokens from ./client-keys, access tokens from the issuer. */
function apiSource(load: string): string {
  return `${load}
const [issuer, keysDir] = process.argv.slice(2);
const verifier = createVerifier({
  accessToken: { issuer, audience: issuer },
  direct: { keys: createDirectoryKeySource({ dir: keysDir }) },
});
const app = express();
app.get('/orders', createExpressMiddleware(verifier), (req, res) => res.json({ clientId: req.keyward.clientId, mode: req.keyward.mode }));
const server = app.listen(0, '127.0.0.1', () => console.log('listening on ' + server.address().port));
`;
}

test('an Express app with @keyward/verify, as ESM and through require(): a PyJWT direct token and an access token from keyward serve are accepted, a tampered one is refused with 401', { skip: skipPy }, async () => {
  assert.ok(hasPyJwt(), 'KEYWARD_TEST_REQUIRE_SERVICES=1 but /usr/bin/python3 cannot `import jwt`');
  // Mode B: the source document's Python snippet signs a direct token for client_12345.
  const keysDir = join(apiDir, 'client-keys');
  mkdirSync(keysDir);
  generateOpensslKey(apiDir, 'plain');
  cpSync(join(apiDir, 'public_key.pem'), join(keysDir, 'client_12345.pem'));
  writeFileSync(join(apiDir, 'generate_jwt.py'), `${PYJWT_000_FUNCTIONS}\nprivate_key = load_private_key('private_key.pem')\nprint(f'Generated JWT: {generate_jwt("client_12345", private_key)}')\n`);
  const python = spawnSync('/usr/bin/python3', ['generate_jwt.py'], { cwd: apiDir, encoding: 'utf8', timeout: 30_000 });
  assert.equal(python.status, 0, python.stderr);
  const directToken = extractGeneratedJwt(python.stdout);

  // Mode A: `npx keyward serve` on a data directory, a client registered with the CLI, its token.
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const dataDir = join(cliDir, 'data');
  const env = { KEYWARD_DATA_DIR: dataDir, KEYWARD_LOG_LEVEL: 'warn' };
  await npxKeyward(['keygen', '--out', 'app'], env);
  const added = await npxKeyward(['clients', 'add', '--name', 'app', '--public-key', 'app-public.pem', '--scope', 'read'], env);
  const clientId = /^client_id: *(\S+)$/m.exec(added.stdout)?.[1];
  assert.ok(clientId, added.stdout);
  await startProcess('npx', ['keyward', 'serve', '--port', String(port), '--host', '127.0.0.1'], { cwd: cliDir, env: cleanEnv(env), ready: /listening|4440|127\.0\.0\.1/i, timeoutMs: 60_000 });
  let discovery: Response | undefined;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    discovery = await fetch(`${issuer}/.well-known/oauth-authorization-server`).catch(() => undefined);
    if (discovery?.ok) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.equal(discovery?.status, 200, 'keyward serve answers discovery');
  assert.equal(((await discovery!.json()) as { issuer: string }).issuer, issuer);
  const accessToken = (await npxKeyward(['token', '--issuer', issuer, '--client-id', clientId, '--key', 'app-private.pem', '--scope', 'read'], env)).stdout.trim();
  const [head, body, signature = ''] = accessToken.split('.');
  const tampered = `${head}.${body}.${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;

  writeFileSync(join(apiDir, 'api.mjs'), apiSource(`import express from 'express';\nimport { createVerifier, createDirectoryKeySource, createExpressMiddleware } from '@keyward/verify';`));
  writeFileSync(join(apiDir, 'api.cjs'), apiSource(`const express = require('express');\nconst { createVerifier, createDirectoryKeySource, createExpressMiddleware } = require('@keyward/verify');`));
  for (const file of ['api.mjs', 'api.cjs']) {
    const { child, match } = await startProcess(process.execPath, [file, issuer, keysDir], { cwd: apiDir, env: cleanEnv(), ready: /listening on (\d+)/, timeoutMs: 30_000 });
    const call = (token: string) => fetch(`http://127.0.0.1:${match[1]}/orders`, { headers: { authorization: `Bearer ${token}` } });
    const direct = await call(directToken);
    assert.equal(direct.status, 200, `${file}: the PyJWT direct token`);
    assert.deepEqual(await direct.json(), { clientId: 'client_12345', mode: 'direct' });
    const access = await call(accessToken);
    assert.equal(access.status, 200, `${file}: the access token`);
    assert.deepEqual(await access.json(), { clientId, mode: 'access_token' });
    const refused = await call(tampered);
    assert.equal(refused.status, 401, `${file}: the tampered token`);
    assert.match(refused.headers.get('www-authenticate') ?? '', /invalid_token/);
    killGroup(child);
  }
});

test('a TypeScript consumer (nodenext, lib ES2022, strict, skipLibCheck false) of @keyward/client and @keyward/verify type-checks', async () => {
  writeFileSync(join(tsDir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'ES2022', lib: ['ES2022'], types: ['node'], strict: true, skipLibCheck: false, noEmit: true },
    include: ['index.ts'],
  }, null, 2));
  writeFileSync(join(tsDir, 'index.ts'), `import { createTokenClient, createFetchWithToken, signDirectToken, type TokenClientOptions } from '@keyward/client';
import { createVerifier, createDirectoryKeySource, createNodeMiddleware, type Principal, type VerifierOptions } from '@keyward/verify';
import { createServer } from 'node:http';

const clientOptions: TokenClientOptions = { issuer: 'https://auth.example.com', clientId: 'my-client', privateKey: process.env.PRIVATE_KEY ?? '' };
const client = createTokenClient(clientOptions);
const api = createFetchWithToken({ getToken: () => client.getToken() });
export const direct: Promise<string> = signDirectToken({ clientId: 'my-client', privateKey: process.env.PRIVATE_KEY ?? '' });

const options: VerifierOptions = {
  accessToken: { issuer: 'https://auth.example.com', audience: 'https://api.example.com' },
  direct: { keys: createDirectoryKeySource({ dir: './client-keys' }) },
};
const auth = createNodeMiddleware(createVerifier(options), { scopes: ['read'] });
createServer(async (req, res) => {
  const caller: Principal | undefined = await auth(req, res);
  if (caller) res.end(caller.clientId);
});
export { api };
`);
  await exec(process.execPath, [join(tsDir, 'node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: tsDir, timeoutMs: 120_000 });
});
