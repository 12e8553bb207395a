/**
 * The local announcement socket (server/services/change-feed/socket-transport.ts) with a real server
 * on SQLite and real CLI processes on its data directory: a client the CLI disables is refused at
 * once and a signing key the CLI rotates signs at once, although clients are cached for 300 s and
 * signing keys re-read every 30 s; junk, oversized or half-sent input on the socket changes nothing
 * and leaves it working; a socket file left by a stopped server is replaced; a second server on the
 * same data directory leaves the first one's socket alone; with no server running the CLI says
 * nothing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../../packages/keyward/src/config/resolve-config.ts';
import { localAnnouncementPath, sendLocalAnnouncements } from '../../packages/keyward/src/server/services/change-feed/socket-transport.ts';
import { runKeyward } from '../cli/run-cli.ts';
import { addTestClient, assertionFor, makeDataDir, requestToken, startTestServer } from './helpers.ts';

let server: Awaited<ReturnType<typeof startTestServer>>;
let socketPath: string;

before(async () => {
  server = await startTestServer({ overrides: { clients: { cacheTtl: 300 } } });
  socketPath = localAnnouncementPath(server.context.config)!;
});
after(async () => { await server?.stop(); });

const cli = (args: string[]) => runKeyward(args, { env: { KEYWARD_DATA_DIR: server.dataDir } });

function accessTokenKid(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
}

/** Writes `data` on the socket and waits until the server has closed the connection. */
function writeRaw(data: string | Buffer, endAfter = true): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
    socket.once('connect', () => { if (endAfter) socket.end(data); else socket.write(data); });
  });
}

test('the server listens on keyward.sock in its data directory, mode 0600', () => {
  assert.equal(socketPath, join(server.dataDir, 'keyward.sock'));
  assert.ok(statSync(socketPath).isSocket());
  assert.equal(statSync(socketPath).mode & 0o777, 0o600);
});

test('a client the local CLI disables is refused at once, and a signing key it rotates with --now signs at once (cache 300 s, key refresh 30 s)', { timeout: 60_000 }, async () => {
  const client = await addTestClient(server, { scopes: ['read'] });
  const first = await requestToken(server, client, {}, await assertionFor(server, client));
  assert.equal(first.status, 200, first.text); // the client is cached now
  const disabled = await cli(['clients', 'disable', client.clientId]);
  assert.equal(disabled.code, 0, disabled.stderr);
  assert.doesNotMatch(disabled.stderr, /warning/);
  const refused = await requestToken(server, client, {}, await assertionFor(server, client));
  assert.equal(refused.status, 401, refused.text);

  const other = await addTestClient(server, { scopes: ['read'] });
  const before = await requestToken(server, other, {}, await assertionFor(server, other));
  const rotated = await cli(['keys', 'rotate', '--now', '--json']);
  assert.equal(rotated.code, 0, rotated.stderr);
  const { kid } = JSON.parse(rotated.stdout) as { kid: string };
  assert.notEqual(accessTokenKid(before.json.access_token as string), kid);
  const afterRotation = await requestToken(server, other, {}, await assertionFor(server, other));
  // The refresh after the event is asynchronous (a store read): allow it a moment.
  let signedWith = accessTokenKid(afterRotation.json.access_token as string);
  for (let i = 0; i < 20 && signedWith !== kid; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    signedWith = accessTokenKid((await requestToken(server, other, {}, await assertionFor(server, other))).json.access_token as string);
  }
  assert.equal(signedWith, kid);
});

test('junk, oversized and half-sent input on the socket changes nothing, and it keeps working', { timeout: 30_000 }, async () => {
  const client = await addTestClient(server, { scopes: ['read'] });
  assert.equal((await requestToken(server, client, {}, await assertionFor(server, client))).status, 200);
  await writeRaw('not json\n{"type":"nope"}\n{"type":"client"}\n\u0000\u0001\n[1,2]\n');
  await writeRaw(Buffer.alloc(200 * 1024, 'x')); // cut after 64 KiB
  await writeRaw('{"type":"client","clientId":', false); // never finished: the server cuts it after 5 s
  assert.ok(existsSync(socketPath));
  // Still served, and a real announcement still works.
  assert.equal((await requestToken(server, client, {}, await assertionFor(server, client))).status, 200);
  assert.equal((await cli(['clients', 'disable', client.clientId])).code, 0);
  assert.equal((await requestToken(server, client, {}, await assertionFor(server, client))).status, 401);
});

test('a second server on the same data directory leaves the first one\'s socket alone', { timeout: 30_000 }, async () => {
  const second = await startTestServer({ dataDir: server.dataDir });
  try {
    const client = await addTestClient(server, { scopes: ['read'] });
    assert.equal((await requestToken(server, client, {}, await assertionFor(server, client))).status, 200);
    assert.equal((await cli(['clients', 'disable', client.clientId])).code, 0);
    assert.equal((await requestToken(server, client, {}, await assertionFor(server, client))).status, 401, 'the first server still hears the CLI');
  } finally {
    await second.close();
  }
  assert.ok(statSync(socketPath).isSocket(), 'the second server did not remove the first one\'s socket');
});

test('a socket file left by a stopped server is replaced at start; with no server running the CLI says nothing', { timeout: 30_000 }, async () => {
  const files = makeDataDir();
  try {
    const config = resolveConfig({ overrides: { storage: { dataDir: files.dir } } });
    const path = localAnnouncementPath(config)!;
    writeFileSync(path, 'left over');
    assert.equal(await sendLocalAnnouncements(config, [{ type: 'signing-keys' }]), false, 'nothing listens: nothing to tell');
    const rotated = await runKeyward(['keys', 'rotate'], { env: { KEYWARD_DATA_DIR: files.dir } });
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.doesNotMatch(rotated.stderr, /warning/);
    const started = await startTestServer({ dataDir: files.dir });
    try {
      assert.ok(statSync(path).isSocket());
      assert.equal(await sendLocalAnnouncements(config, [{ type: 'signing-keys' }]), true);
    } finally {
      await started.close();
    }
    assert.equal(existsSync(path), false, 'removed on close');
  } finally {
    files.remove();
  }
});
