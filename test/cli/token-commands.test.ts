/**
 * The token commands against a running server. `keyward verify`: a valid access token prints its
 * claims; a tampered one, one for another audience and one without a required scope are refused
 * with their reason code and exit code 1; an unreachable issuer is exit code 4. `keyward
 * introspect` and `keyward revoke`: the client asks about and revokes its own token, signed in with
 * its key.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addTestClient, requestToken, startTestServer, type TestClient } from '../server/helpers.ts';
import { runKeyward } from './run-cli.ts';

let server: Awaited<ReturnType<typeof startTestServer>>;
let token: string;
let client: TestClient;
const dir = mkdtempSync(join(tmpdir(), 'keyward-token-commands-'));
const keyFile = join(dir, 'client.pem');

before(async () => {
  server = await startTestServer();
  client = await addTestClient(server, { scopes: ['read'] });
  writeFileSync(keyFile, client.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const answer = await requestToken(server, client, { scope: 'read' });
  assert.equal(answer.status, 200, answer.text);
  token = answer.json.access_token as string;
});
after(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a valid access token: its claims, as text and as JSON', async () => {
  const human = await runKeyward(['verify', token, '--issuer', server.issuer]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /^valid access token of /);
  assert.match(human.stdout, /^scope: +read$/m);
  const json = await runKeyward(['verify', '-', '--issuer', server.issuer, '--scope', 'read', '--json'], { input: `${token}\n` });
  assert.equal(json.code, 0, json.stderr);
  const body = JSON.parse(json.stdout) as { active: boolean; client_id: string; scope: string; claims: Record<string, unknown> };
  assert.equal(body.active, true);
  assert.equal(body.scope, 'read');
  assert.equal(body.claims.iss, server.issuer);
});

test('refusals name their reason code: a tampered token, another audience, a missing scope', async () => {
  const [header, payload, signature] = token.split('.');
  const tampered = `${header}.${payload}.${signature!.slice(0, -4)}AAAA`;
  const bad = await runKeyward(['verify', tampered, '--issuer', server.issuer, '--json']);
  assert.equal(bad.code, 1);
  assert.equal((JSON.parse(bad.stderr) as { error: string }).error, 'signature_invalid');
  const elsewhere = await runKeyward(['verify', token, '--issuer', server.issuer, '--audience', 'https://orders-api.example']);
  assert.equal(elsewhere.code, 1);
  assert.match(elsewhere.stderr, /^keyward: aud_mismatch: /);
  const scope = await runKeyward(['verify', token, '--issuer', server.issuer, '--scope', 'write']);
  assert.equal(scope.code, 1);
  assert.match(scope.stderr, /^keyward: insufficient_scope: /);
  assert.doesNotMatch(`${bad.stderr}${elsewhere.stderr}${scope.stderr}`, /eyJ/, 'the token is never echoed');
});

test('an issuer that does not answer is exit code 4, and --issuer is required', async () => {
  const down = await runKeyward(['verify', token, '--issuer', 'http://127.0.0.1:1']);
  assert.equal(down.code, 4, down.stderr);
  assert.match(down.stderr, /^keyward: cannot check the token against http:\/\/127\.0\.0\.1:1/);
  const none = await runKeyward(['verify', token], { env: { KEYWARD_ISSUER: '' } });
  assert.equal(none.code, 2);
});

test('introspect and revoke: the client asks about its own token, revokes it, and then it is inactive', async () => {
  const fresh = (await requestToken(server, client, { scope: 'read' })).json.access_token as string;
  const signIn = ['--issuer', server.issuer, '--client-id', client.clientId, '--key', keyFile];
  const active = await runKeyward(['introspect', fresh, ...signIn, '--json']);
  assert.equal(active.code, 0, active.stderr);
  const body = JSON.parse(active.stdout) as { active: boolean; client_id: string; scope: string };
  assert.deepEqual([body.active, body.client_id, body.scope], [true, client.clientId, 'read']);
  const revoked = await runKeyward(['revoke', fresh, ...signIn]);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.match(revoked.stdout, /^revoked/);
  const inactive = await runKeyward(['introspect', fresh, ...signIn]);
  assert.equal(inactive.code, 1, inactive.stderr);
  assert.match(inactive.stdout, /^active: no/);
  const unsigned = await runKeyward(['introspect', fresh, '--issuer', server.issuer, '--key', keyFile], { env: { KEYWARD_CLIENT_ID: '' } });
  assert.equal(unsigned.code, 2);
  assert.match(unsigned.stderr, /--client-id is required/);
});
