// Restart survival (clients, keys, signing keys, used jtis) and signing-key rotation with an overlap,
// with `keyward keys rotate` run as a separate process on the same data directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createRemoteJWKSet, jwtVerify, decodeProtectedHeader } from 'jose';
import { addTestClient, assertionFor, makeDataDir, requestToken, startTestServer } from './helpers.ts';

const execFileAsync = promisify(execFile);

test('restart: clients, keys and signing keys survive; a jti used before the restart is still refused', async () => {
  const data = makeDataDir();
  try {
    // A fixed issuer: port 0 gives another port after the restart, and the aud must not change.
    const overrides = { server: { issuer: 'https://as.keyward.test' } };
    const first = await startTestServer({ dataDir: data.dir, overrides });
    const client = await addTestClient(first, { alg: 'RS256', scopes: ['read'] });
    const assertion = await assertionFor(first, client);
    const token = await requestToken(first, client, {}, assertion);
    assert.equal(token.status, 200);
    const kid = first.context.signingKeys.active().kid;
    await first.close();

    const second = await startTestServer({ dataDir: data.dir, overrides });
    try {
      assert.equal(second.context.signingKeys.active().kid, kid, 'same signing key');
      const jwks = (await (await fetch(`${second.url}/jwks`)).json()) as { keys: { kid: string }[] };
      assert.deepEqual(jwks.keys.map((key) => key.kid), [kid]);
      const replay = await requestToken(second, client, {}, assertion);
      assert.equal(replay.status, 401);
      assert.match(String(replay.json.error_description), /already been used/);
      const fresh = await requestToken(second, client);
      assert.equal(fresh.status, 200, 'the client and its key survived');
      // A token issued before the restart still verifies against the restarted server's /jwks.
      await jwtVerify(token.json.access_token as string, createRemoteJWKSet(new URL(`${second.url}/jwks`)), { issuer: 'https://as.keyward.test' });
    } finally {
      await second.close();
    }
  } finally {
    data.remove();
  }
});

test('keys rotate: old and new key both in /jwks during the overlap, tokens from both verify, then the old one is gone', async () => {
  const server = await startTestServer({ overrides: { tokens: { signingKeyRefresh: 1 } } });
  try {
    const client = await addTestClient(server);
    const before = await requestToken(server, client);
    const oldKid = server.context.signingKeys.active().kid;

    const { stdout } = await execFileAsync(process.execPath, ['bin/keyward.mjs', 'keys', 'rotate', '--now', '--data-dir', server.dataDir, '--overlap', '3', '--alg', 'PS256', '--json'], { env: { ...process.env, NODE_NO_WARNINGS: '1' } });
    const rotated = JSON.parse(stdout) as { kid: string; alg: string; previous: { kid: string }[] };
    assert.equal(rotated.alg, 'PS256');
    assert.deepEqual(rotated.previous.map((key) => key.kid), [oldKid]);
    await server.context.signingKeys.refresh();

    const jwks = (await (await fetch(`${server.url}/jwks`)).json()) as { keys: { kid: string }[] };
    assert.deepEqual(new Set(jwks.keys.map((key) => key.kid)), new Set([oldKid, rotated.kid]));
    const after = await requestToken(server, client);
    assert.equal(decodeProtectedHeader(after.json.access_token as string).kid, rotated.kid, 'new tokens use the new key');
    const remote = createRemoteJWKSet(new URL(`${server.url}/jwks`));
    await jwtVerify(before.json.access_token as string, remote, { issuer: server.issuer });
    await jwtVerify(after.json.access_token as string, remote, { issuer: server.issuer });

    await new Promise((resolve) => setTimeout(resolve, 3200));
    await server.context.signingKeys.refresh();
    const later = (await (await fetch(`${server.url}/jwks`)).json()) as { keys: { kid: string }[] };
    assert.deepEqual(later.keys.map((key) => key.kid), [rotated.kid], 'the old key left /jwks after the overlap');
    await assert.rejects(jwtVerify(before.json.access_token as string, createRemoteJWKSet(new URL(`${server.url}/jwks`)), { issuer: server.issuer }));
    const listed = await execFileAsync(process.execPath, ['bin/keyward.mjs', 'keys', 'list', '--data-dir', server.dataDir, '--json'], { env: { ...process.env, NODE_NO_WARNINGS: '1' } });
    const states = Object.fromEntries((JSON.parse(listed.stdout) as { kid: string; state: string }[]).map((key) => [key.kid, key.state]));
    assert.equal(states[oldKid], 'retired');
    assert.equal(states[rotated.kid], 'active');
  } finally {
    await server.stop();
  }
});
