/**
 * The README's quick start, as written: the commands of its "from clone to a token" block run one
 * after the other (`npx keyward` is `bin/keyward.mjs`, which npx runs in the repository) against a
 * started `keyward serve`, in a working directory whose `./.keyward` is the server's data (the CLI's
 * default, as the README says). The README's default address is swapped for the test server's port;
 * nothing else is changed. Then the next step `clients add` prints is run as printed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG } from '../../packages/keyward/src/config/defaults.ts';
import { makeTempDir, runKeyward, startServeProcess } from './run-cli.ts';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const DEFAULT_ADDRESS = `http://127.0.0.1:${DEFAULT_CONFIG.server.port}`;
const temp = makeTempDir('quick-start');
// No KEYWARD_DATA_DIR: the CLI finds the data in ./.keyward of its working directory.
const env = { KEYWARD_DATA_DIR: undefined, KEYWARD_CONFIG: undefined };
let server: { url: string; stop: () => Promise<void> };

before(async () => {
  server = await startServeProcess(join(temp.dir, '.keyward'));
});

after(async () => {
  await server?.stop();
  temp.remove();
});

/** The `npx keyward ...` lines of the README's "From clone to a token" block, comments removed. */
function quickStartCommands(): string[][] {
  const readme = readFileSync(README, 'utf8');
  const section = readme.slice(readme.indexOf('From clone to a token'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block !== undefined, 'the README has a "From clone to a token" sh block');
  return block.split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line.startsWith('npx keyward '))
    .map((line) => line.slice('npx keyward '.length).split(/\s+/));
}

test('README quick start: keygen → clients add → token, as the README writes them, give an access token', async () => {
  assert.match(readFileSync(README, 'utf8'), new RegExp(`npm start .*${DEFAULT_ADDRESS.replace(/[.]/g, '\\.')}.*data in \\./\\.keyward`), 'the README names the default address and data directory');
  const commands = quickStartCommands();
  assert.deepEqual(commands.map((args) => args[0]), ['keygen', 'clients', 'token'], 'the three steps of the quick start');
  let clientId: string | undefined;
  let token = '';
  for (const args of commands) {
    const run = args.map((arg) => arg === DEFAULT_ADDRESS ? server.url : arg === '<client_id>' ? (clientId ?? arg) : arg);
    const result = await runKeyward(run, { cwd: temp.dir, env });
    assert.equal(result.code, 0, `keyward ${run.join(' ')}\n${result.stderr}`);
    clientId ??= /^client_id: *(\S+)$/m.exec(result.stdout)?.[1];
    token = result.stdout;
  }
  assert.ok(clientId, 'clients add printed the client ID');
  const [, payload] = token.trim().split('.');
  const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
  assert.equal(claims.client_id, clientId);
  assert.equal(claims.iss, server.url);
  assert.equal(claims.scope, 'read');
});

test('clients add prints the keyward token command that gets the new client its first token, and it works as printed', async () => {
  const made = await runKeyward(['keygen', '--type', 'ec', '--out', 'keys/next-app'], { cwd: temp.dir, env });
  assert.equal(made.code, 0, made.stderr);
  const added = await runKeyward(['clients', 'add', '--name', 'next-app', '--public-key', 'keys/next-app-public.jwk.json', '--scope', 'read write'], { cwd: temp.dir, env });
  assert.equal(added.code, 0, added.stderr);
  const clientId = /^client_id: *(\S+)$/m.exec(added.stdout)?.[1];
  const printed = /^ {2}keyward (token .*)$/m.exec(added.stdout)?.[1];
  assert.ok(clientId && printed, added.stdout);
  // The private key beside the public key, the configured issuer (the default address here), the scopes.
  assert.equal(printed, `token --issuer ${DEFAULT_ADDRESS} --client-id ${clientId} --key keys/next-app-private.pem --scope 'read write'`);
  const args = ['token', '--issuer', server.url, '--client-id', clientId, '--key', 'keys/next-app-private.pem', '--scope', 'read write'];
  const token = await runKeyward(args, { cwd: temp.dir, env });
  assert.equal(token.code, 0, token.stderr);
  assert.match(token.stdout, /^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);

  // A public key with no private key beside it: a placeholder, never a guessed path; the configured issuer.
  copyFileSync(join(temp.dir, 'keys/next-app-public.pem'), join(temp.dir, 'keys/partner.pem'));
  const lone = await runKeyward(['clients', 'add', '--name', 'lone', '--public-key', 'keys/partner.pem', '--client-id', 'lone-app'], { cwd: temp.dir, env: { ...env, KEYWARD_ISSUER: 'https://as.example.com' } });
  assert.equal(lone.code, 0, lone.stderr);
  assert.match(lone.stdout, /^ {2}keyward token --issuer https:\/\/as\.example\.com --client-id lone-app --key <private key file>$/m);
});
