/**
 * /admin/v1/users over real HTTP: authentication like every admin route, create / read / list /
 * update / disable / delete / set password, the field rules answered as 400 with the fix, a taken
 * username as 409, and no password or hash in any answer or audit event.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { addTestClient, assertionFor, readAnswer, requestToken, startTestServer, type Answer, type TestClient } from '../server/helpers.ts';
import { verifyPassword } from '../../packages/keyward/src/server/services/registry/index.ts';

let server: Awaited<ReturnType<typeof startTestServer>>;
let admin: TestClient;
let reader: TestClient;

before(async () => {
  server = await startTestServer();
  admin = await addTestClient(server, { scopes: ['keyward:admin'], clientId: 'admin-client', slot: 0 });
  reader = await addTestClient(server, { scopes: ['read'], clientId: 'reader-client', slot: 0, alg: 'ES384' });
});
after(async () => { await server.stop(); });

async function tokenOf(client: TestClient, scope?: string): Promise<string> {
  const answer = await requestToken(server, client, scope ? { scope } : {}, await assertionFor(server, client));
  assert.equal(answer.status, 200, answer.text);
  return answer.json.access_token as string;
}

async function call(method: string, path: string, body?: unknown, token?: string): Promise<Answer> {
  const response = await fetch(`${server.url}/admin/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token ?? (await tokenOf(admin, 'keyward:admin'))}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return readAnswer(response);
}

test('admin users: no token → 401, a token without keyward:admin → 403', async () => {
  assert.equal((await readAnswer(await fetch(`${server.url}/admin/v1/users`))).status, 401);
  const forbidden = await call('GET', '/users', undefined, await tokenOf(reader));
  assert.equal(forbidden.status, 403);
  assert.equal(forbidden.json.error, 'insufficient_scope');
  const refused = await readAnswer(await fetch(`${server.url}/admin/v1/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'x' }) }));
  assert.equal(refused.status, 401);
  assert.equal(await server.context.store.users.findUserByUsername('x'), undefined);
});

test('admin users: create, read by sub and username, list, update, disable, set password, delete; audited without secrets', async () => {
  const created = await call('POST', '/users', { username: 'Alice', name: 'Alice Smith', email: 'alice@example.com', password: 'a good long password' });
  assert.equal(created.status, 201, created.text);
  const sub = created.json.sub as string;
  assert.match(sub, /^[A-Za-z0-9_-]{22}$/);
  assert.deepEqual({ ...created.json, created_at: undefined, updated_at: undefined }, {
    sub, username: 'Alice', name: 'Alice Smith', email: 'alice@example.com', status: 'active', require_passkey: false, has_password: true, created_at: undefined, updated_at: undefined,
  });
  assert.equal((await call('GET', `/users/${sub}`)).json.username, 'Alice');
  assert.equal((await call('GET', '/users/alice')).json.sub, sub);
  assert.equal((await call('GET', '/users/nobody')).status, 404);
  assert.equal((await call('POST', '/users', { username: 'ALICE' })).status, 409);
  await call('POST', '/users', { username: 'bob' });
  const list = await call('GET', '/users?limit=1');
  assert.deepEqual((list.json.users as Array<{ username: string }>).map((u) => u.username), ['Alice']);
  assert.equal(list.json.next_after, 'Alice');
  assert.deepEqual(((await call('GET', '/users?after=Alice')).json.users as Array<{ username: string }>).map((u) => u.username), ['bob']);

  const patched = await call('PATCH', '/users/alice', { name: null, require_passkey: true, status: 'disabled' });
  assert.equal(patched.status, 200, patched.text);
  assert.equal(patched.json.name, undefined);
  assert.equal(patched.json.require_passkey, true);
  assert.equal(patched.json.status, 'disabled');
  assert.equal(patched.json.sessions_ended, 0);
  assert.equal((await call('PATCH', '/users/alice', { status: 'active' })).json.status, 'active');

  const password = await call('POST', `/users/${sub}/password`, { password: 'another long password' });
  assert.equal(password.status, 200, password.text);
  assert.equal(await verifyPassword((await server.context.store.users.getUser(sub))?.passwordHash, 'another long password'), true);

  const deleted = await call('DELETE', '/users/alice');
  assert.deepEqual(deleted.json, { deleted: true, sub });
  assert.equal((await call('GET', `/users/${sub}`)).status, 404);

  const events = await server.context.store.audit.queryAudit({});
  const types = events.filter((e) => e.details?.sub === sub).map((e) => e.type).reverse();
  assert.deepEqual(types, ['user.created', 'user.updated', 'user.disabled', 'user.enabled', 'user.password_set', 'user.deleted']);
  assert.ok(events.filter((e) => e.type.startsWith('user.')).every((e) => e.actor === 'admin-client'));
  const text = JSON.stringify(events) + created.text + password.text;
  assert.ok(!text.includes('long password') && !text.includes('$argon2'), 'no password or hash in answers or the audit log');
});

test('admin users: bad input answers 400 with the fix, never 500', async () => {
  const cases: Array<[string, string, unknown]> = [
    ['POST', '/users', { username: '-bad' }],
    ['POST', '/users', { username: 'ok', email: 'not-an-address' }],
    ['POST', '/users', { username: 'ok', password: 'short' }],
    ['POST', '/users', { username: 'ok', unknown: 1 }],
    ['POST', '/users', { name: 'no username' }],
    ['PATCH', '/users/nobody-here', { name: 'x' }],
  ];
  for (const [method, path, body] of cases) {
    const answer = await call(method, path, body);
    assert.ok(answer.status === 400 || answer.status === 404, `${method} ${path} ${JSON.stringify(body)}: ${answer.status} ${answer.text}`);
    assert.equal(typeof answer.json.error_description, 'string');
  }
  await call('POST', '/users', { username: 'carol' });
  const badPassword = await call('POST', '/users/carol/password', { password: 'short' });
  assert.equal(badPassword.status, 400);
  assert.match(String(badPassword.json.error_description), /8-1024 characters/);
});
