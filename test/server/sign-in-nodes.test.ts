/**
 * Sign-in across nodes: two server nodes on one PostgreSQL database and one Redis. A session
 * started on one node is live on the other, a sign-out on one ends it on both, and failed
 * sign-ins on one node count against the same username on the other (Redis counters).
 * Skipped with a message when PostgreSQL or Redis is down, except with
 * KEYWARD_TEST_REQUIRE_SERVICES=1, where that fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRegistryContext, createUser } from '../../packages/keyward/src/server/services/registry/index.ts';
import { checkPostgres, checkRedis, createTestDatabase, createTestPrefix, REDIS_URL, resolveSkip } from '../store/services.ts';
import { startTestServer } from './helpers.ts';
import { browse, CookieJar, csrfOf, signIn } from './sign-in-helpers.ts';

const skip = await resolveSkip(await checkPostgres(), await checkRedis());

test('two nodes share sessions (PostgreSQL) and failure counts (Redis)', { skip }, async () => {
  const database = await createTestDatabase();
  const redis = createTestPrefix();
  const storage = { databaseUrl: database.url, redisUrl: REDIS_URL, keyPrefix: redis.prefix };
  const overrides = { storage, signIn: { maxFailuresPerUsername: 2 } };
  const a = await startTestServer({ overrides });
  const b = await startTestServer({ overrides });
  try {
    await createUser(createRegistryContext(a.context.store), { actor: 'test', username: 'nora', password: 'the right password' });
    const jar = new CookieJar();
    assert.equal((await signIn(a.url, jar, 'nora', 'the right password')).response.status, 303);
    const onB = await browse(jar, `${b.url}/sign-in/done`);
    assert.equal(onB.response.status, 200, 'the session started on node A is live on node B');
    assert.match(onB.text, /signed in as <strong>nora<\/strong>/);
    const confirm = await browse(jar, `${b.url}/sign-out`);
    await browse(jar, `${b.url}/sign-out`, { form: { csrf_token: csrfOf(confirm.text) } });
    const session = new CookieJar();
    assert.equal((await signIn(a.url, session, 'nora', 'the right password')).response.status, 303);
    await b.context.signIn.end((await b.context.signIn.current(new Request(b.url, { headers: { cookie: session.header() } })))!.sessionId);
    assert.equal((await browse(session, `${a.url}/sign-in/done`)).response.status, 303, 'ended on B, gone on A');

    assert.equal((await signIn(a.url, new CookieJar(), 'nora', 'wrong password')).response.status, 401);
    assert.equal((await signIn(b.url, new CookieJar(), 'nora', 'wrong password')).response.status, 401);
    assert.equal((await signIn(a.url, new CookieJar(), 'nora', 'the right password')).response.status, 429, 'two failures, one on each node, reach the limit of 2');
  } finally {
    await a.stop();
    await b.stop();
    await redis.removeKeys();
    await database.drop();
  }
});
