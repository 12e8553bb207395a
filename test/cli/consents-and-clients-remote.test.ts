/**
 * `keyward consents list|revoke` and `keyward clients update` with the authorization-code fields
 * against a running server through its admin API (`--admin-config` from `keyward admin init`): the
 * same commands as on the local data, the changes made by the admin client.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runKeyward } from './run-cli.ts';
import { addTestClient, flushAudit, makeDataDir, startTestServer } from '../server/helpers.ts';

const data = makeDataDir();
let server: Awaited<ReturnType<typeof startTestServer>>;
let remote: (...args: string[]) => ReturnType<typeof runKeyward>;

before(async () => {
  server = await startTestServer({ dataDir: data.dir });
  const init = await runKeyward(['admin', 'init', '--out', join(data.dir, 'admin'), '--issuer', server.url, '--json'], { env: { KEYWARD_DATA_DIR: data.dir } });
  assert.equal(init.code, 0, init.stderr);
  const config = (JSON.parse(init.stdout) as { config: string }).config;
  // An empty data directory for the local side: a remote command must not read it.
  const elsewhere = makeDataDir();
  after(() => elsewhere.remove());
  remote = (...args: string[]) => runKeyward([...args, '--admin-config', config], { env: { KEYWARD_DATA_DIR: elsewhere.dir } });
});
after(async () => {
  await server.stop();
  data.remove();
});

test('consents list and revoke --admin-config act on the server, by the admin client', async () => {
  const client = await addTestClient(server, { scopes: ['openid', 'profile'] });
  const now = new Date();
  await server.context.store.authorizations.putConsent({ sub: 'remote-sub', clientId: client.clientId, scopes: ['openid', 'profile'], createdAt: now, updatedAt: now });
  const listed = await remote('consents', 'list', 'remote-sub', '--json');
  assert.equal(listed.code, 0, listed.stderr);
  assert.deepEqual((JSON.parse(listed.stdout) as { client_id: string; scope: string }[]).map((c) => [c.client_id, c.scope]), [[client.clientId, 'openid profile']]);
  const revoked = await remote('consents', 'revoke', 'remote-sub', client.clientId, '--json');
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.equal(JSON.parse(revoked.stdout).revoked, true);
  assert.equal(await server.context.store.authorizations.getConsent('remote-sub', client.clientId), undefined);
  await flushAudit(server);
  const events = await server.context.store.audit.queryAudit({ type: 'consent.revoked' });
  assert.equal(events[0]?.actor, 'keyward-admin', 'revoked through the admin API, by the admin client');
  const again = await remote('consents', 'revoke', 'remote-sub', client.clientId);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /has no consent/);
  const none = await remote('consents', 'list', 'remote-sub');
  assert.equal(none.code, 0, none.stderr);
  assert.match(none.stdout, /no consents for remote-sub/);
});

test('clients update --redirect-uri/--post-logout-redirect-uri/--grant-type/--consent/--require-par --admin-config change the client on the server', async () => {
  const client = await addTestClient(server, { scopes: ['openid'] });
  const updated = await remote('clients', 'update', client.clientId,
    '--grant-type', 'authorization_code', '--grant-type', 'refresh_token',
    '--redirect-uri', 'https://rp.example/cb', '--redirect-uri', 'https://rp.example/cb2',
    '--post-logout-redirect-uri', 'https://rp.example/bye', '--consent', 'implicit', '--require-par', '--json');
  assert.equal(updated.code, 0, updated.stderr);
  assert.deepEqual(JSON.parse(updated.stdout).redirect_uris, ['https://rp.example/cb', 'https://rp.example/cb2']);
  const stored = await server.context.store.clients.getClient(client.clientId);
  assert.deepEqual(stored?.grantTypes, ['authorization_code', 'refresh_token']);
  assert.deepEqual(stored?.redirectUris, ['https://rp.example/cb', 'https://rp.example/cb2']);
  assert.deepEqual(stored?.postLogoutRedirectUris, ['https://rp.example/bye']);
  assert.equal(stored?.consent, 'implicit');
  assert.equal(stored?.requirePushedAuthorizationRequests, true);
  const cleared = await remote('clients', 'update', client.clientId, '--post-logout-redirect-uri', '', '--no-require-par');
  assert.equal(cleared.code, 0, cleared.stderr);
  assert.match(cleared.stdout, /redirect: {2}https:\/\/rp\.example\/cb https:\/\/rp\.example\/cb2/);
  const after2 = await server.context.store.clients.getClient(client.clientId);
  assert.ok((after2?.postLogoutRedirectUris ?? []).length === 0);
  assert.notEqual(after2?.requirePushedAuthorizationRequests, true);
  // A refused field comes back as one clear line from the server, exit code 2.
  const refused = await remote('clients', 'update', client.clientId, '--redirect-uri', 'http://rp.example/cb');
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /https/);
});
