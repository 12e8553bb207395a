/**
 * The registry's end-user operations over the memory store: random subs, the field rules, unique
 * usernames without regard to case, argon2id password hashes with their parameters, sessions
 * ended on disable / delete / new password, and one audit event per change that never carries a
 * password or its hash.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore } from '../../packages/keyward/src/store/index.ts';
import {
  RegistryError, createRegistryContext, createUser, deleteUser, getUserOrFail, setUserPassword, setUserStatus, updateUser, verifyPassword,
} from '../../packages/keyward/src/server/services/registry/index.ts';

function setup() {
  const store = createMemoryStore();
  const now = new Date('2026-01-01T00:00:00Z');
  const ctx = createRegistryContext(store, { clock: () => now.getTime() });
  return { store, ctx, now };
}

const invalid = (e: unknown) => e instanceof RegistryError && e.code === 'invalid';

async function addSession(store: ReturnType<typeof createMemoryStore>, idHash: string, sub: string): Promise<void> {
  const t = Date.now();
  await store.signInSessions.createSession({ idHash, sub, authTime: Math.floor(t / 1000), amr: ['pwd'], createdAt: new Date(t), lastSeenAt: new Date(t), idleExpiresAt: new Date(t + 60_000), absoluteExpiresAt: new Date(t + 120_000) });
}

test('users: a random 128-bit sub, never the username; fields checked and trimmed', async () => {
  const { ctx } = setup();
  const alice = await createUser(ctx, { actor: 'test', username: 'alice', name: '  Alice Smith ', email: 'alice@example.com' });
  assert.match(alice.sub, /^[A-Za-z0-9_-]{22}$/);
  assert.notEqual(alice.sub, 'alice');
  assert.equal(alice.name, 'Alice Smith');
  assert.equal(alice.status, 'active');
  assert.equal(alice.requirePasskey, false);
  assert.equal(alice.passwordHash, undefined);
  const again = await createUser(ctx, { actor: 'test', username: 'bob' });
  assert.notEqual(again.sub, alice.sub);
  for (const username of ['', '-x', '.x', 'has space', 'é', 'a'.repeat(65), 'a<b>', 'a/b']) {
    await assert.rejects(createUser(ctx, { actor: 'test', username }), invalid, username);
  }
  for (const email of ['no-at', 'a@b', 'a b@c.d', `${'a'.repeat(250)}@b.cd`]) {
    await assert.rejects(createUser(ctx, { actor: 'test', username: 'carol', email }), invalid, email);
  }
  for (const name of ['   ', 'a\nb', 'x'.repeat(201)]) {
    await assert.rejects(createUser(ctx, { actor: 'test', username: 'carol', name }), invalid, name);
  }
  for (const password of ['short', 'x'.repeat(1025)]) {
    await assert.rejects(createUser(ctx, { actor: 'test', username: 'carol', password }), invalid);
  }
});

test('users: usernames are unique without regard to case (create and rename)', async () => {
  const { ctx } = setup();
  await createUser(ctx, { actor: 'test', username: 'Alice' });
  const bob = await createUser(ctx, { actor: 'test', username: 'bob' });
  await assert.rejects(createUser(ctx, { actor: 'test', username: 'ALICE' }), (e: unknown) => e instanceof RegistryError && e.code === 'conflict');
  await assert.rejects(updateUser(ctx, bob.sub, { username: 'alice' }, 'test'), (e: unknown) => e instanceof RegistryError && e.code === 'conflict');
  assert.equal((await getUserOrFail(ctx, 'aLiCe')).username, 'Alice');
  await assert.rejects(getUserOrFail(ctx, 'nobody'), (e: unknown) => e instanceof RegistryError && e.code === 'not_found');
});

test('passwords: argon2id with m=19456, t=2, p=1 in a PHC string; verified; a wrong one and an absent hash answer false', async () => {
  const { ctx } = setup();
  const user = await createUser(ctx, { actor: 'test', username: 'alice', password: 'correct horse battery' });
  assert.match(user.passwordHash ?? '', /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
  assert.equal(await verifyPassword(user.passwordHash, 'correct horse battery'), true);
  assert.equal(await verifyPassword(user.passwordHash, 'correct horse batterY'), false);
  assert.equal(await verifyPassword(undefined, 'correct horse battery'), false);
  assert.equal(await verifyPassword('not a hash', 'x'), false);
  // Verification reads the parameters from the stored string: a hash made with others still verifies.
  const { hash } = await import('@node-rs/argon2');
  assert.equal(await verifyPassword(await hash('older parameters', { memoryCost: 8192, timeCost: 3, parallelism: 1, algorithm: 2 }), 'older parameters'), true);
  const second = await createUser(ctx, { actor: 'test', username: 'bob', password: 'correct horse battery' });
  assert.notEqual(second.passwordHash, user.passwordHash, 'a fresh salt per hash');
});

test('passwords: hashing does not block the event loop', async () => {
  const { ctx } = setup();
  let ticks = 0;
  const timer = setInterval(() => { ticks += 1; }, 1);
  await Promise.all(Array.from({ length: 4 }, (_, i) => createUser(ctx, { actor: 'test', username: `u${i}`, password: 'a long enough password' })));
  clearInterval(timer);
  assert.ok(ticks >= 3, `the event loop ran ${ticks} timer ticks while hashing`);
});

test('users: set password, disable and delete end the user\'s sessions; enable does not resurrect them', async () => {
  const { ctx, store } = setup();
  const user = await createUser(ctx, { actor: 'test', username: 'alice', password: 'first password' });
  await addSession(store, 'h1', user.sub);
  const changed = await setUserPassword(ctx, 'alice', 'second password', 'test');
  assert.equal(changed.sessionsEnded, 1);
  assert.equal(await verifyPassword(changed.user.passwordHash, 'second password'), true);
  assert.equal(await verifyPassword(changed.user.passwordHash, 'first password'), false);
  await addSession(store, 'h2', user.sub);
  const disabled = await setUserStatus(ctx, user.sub, 'disabled', 'test');
  assert.equal(disabled.user.status, 'disabled');
  assert.equal(disabled.sessionsEnded, 1);
  assert.equal((await setUserStatus(ctx, user.sub, 'active', 'test')).user.status, 'active');
  await addSession(store, 'h3', user.sub);
  await deleteUser(ctx, 'ALICE', 'test');
  assert.equal(await store.users.getUser(user.sub), undefined);
  assert.equal(await store.signInSessions.touchSession('h3', new Date(), new Date(Date.now() + 1000)), undefined);
  await assert.rejects(setUserPassword(ctx, user.sub, 'third password', 'test'), (e: unknown) => e instanceof RegistryError && e.code === 'not_found');
});

test('users: update sets and clears fields; the passkey requirement is a flag', async () => {
  const { ctx } = setup();
  const user = await createUser(ctx, { actor: 'test', username: 'alice', name: 'Alice', email: 'a@example.com' });
  const updated = await updateUser(ctx, user.sub, { username: 'alicia', name: null, email: 'b@example.com', requirePasskey: true }, 'test');
  assert.equal(updated.username, 'alicia');
  assert.equal(updated.name, undefined);
  assert.equal(updated.email, 'b@example.com');
  assert.equal(updated.requirePasskey, true);
  assert.equal(updated.sub, user.sub, 'the sub never changes');
  await assert.rejects(updateUser(ctx, user.sub, { email: 'bad' }, 'test'), invalid);
});

test('audit: one event per change, with the actor and the sub, never a password or its hash', async () => {
  const { ctx, store } = setup();
  const user = await createUser(ctx, { actor: 'admin-1', username: 'alice', password: 'secret password 1' });
  await updateUser(ctx, user.sub, { name: 'Alice' }, 'admin-1');
  await setUserPassword(ctx, user.sub, 'secret password 2', 'cli');
  await setUserStatus(ctx, user.sub, 'disabled', 'cli');
  await setUserStatus(ctx, user.sub, 'active', 'cli');
  await deleteUser(ctx, user.sub, 'cli');
  const events = (await store.audit.queryAudit({})).reverse();
  assert.deepEqual(events.map((e) => e.type), ['user.created', 'user.updated', 'user.password_set', 'user.disabled', 'user.enabled', 'user.deleted']);
  for (const event of events) assert.equal(event.details?.sub, user.sub, event.type);
  assert.deepEqual(events.map((e) => e.actor), ['admin-1', 'admin-1', 'cli', 'cli', 'cli', 'cli']);
  assert.deepEqual((events[1]?.details as { fields: string[] }).fields, ['name']);
  assert.equal((events[0]?.details as { after: { has_password: boolean } }).after.has_password, true);
  const text = JSON.stringify(events);
  assert.ok(!text.includes('argon2'), 'no hash in the audit log');
  assert.ok(!text.includes('secret password'), 'no password in the audit log');
});
