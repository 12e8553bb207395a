import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { openPostgresStore } from '../../packages/keyward/src/store/postgres/index.ts';
import { isStoreError, openStore } from '../../packages/keyward/src/store/index.ts';
import { makeClient, runStoreContract } from './contract-suite.ts';
import { checkPostgres, createTestDatabase, resolveSkip, shareTestDatabase } from './services.ts';

const skip = await resolveSkip(await checkPostgres());
// One database keyward_test_<random> for this file (dropped WITH (FORCE) at the end), one schema per test.
const shared = shareTestDatabase();
after(() => shared.drop());

runStoreContract('postgres', async () => {
  const url = await shared.url();
  const { schema, dropSchema } = shared.newSchema();
  const store = await openPostgresStore(url, { schema });
  return {
    store,
    // Another pool on the same database: the race runs over separate connections.
    openPeer: () => openPostgresStore(url, { schema, maxConnections: 4 }),
    cleanup: async () => {
      await store.close();
      await dropSchema();
    },
  };
}, { skip });

describe('postgres adapter', { skip }, () => {
  test('openStore picks PostgreSQL for a postgresql:// URL; data survives reopen; schema uses jsonb', async () => {
    const database = await createTestDatabase();
    try {
      const url = database.url.replace(/^postgres:/, 'postgresql:');
      const first = await openStore({ databaseUrl: url, dataDir: '/nonexistent/never-created' });
      await first.clients.createClient(makeClient('pg-1'));
      await first.close();
      const second = await openStore({ databaseUrl: url });
      assert.deepEqual(await second.clients.getClient('pg-1'), makeClient('pg-1'));
      await second.close();
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      const { rows } = await client.query("SELECT data_type FROM information_schema.columns WHERE table_name = 'client_keys' AND column_name = 'jwk'");
      await client.end();
      assert.equal(rows[0]?.data_type, 'jsonb');
    } finally {
      await database.drop();
    }
  });

  test('several nodes opening a new schema at once migrate it once (advisory lock)', async () => {
    const url = await shared.url();
    const { schema, dropSchema } = shared.newSchema();
    try {
      const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresStore(url, { schema, maxConnections: 2 })));
      await stores[0]?.clients.createClient(makeClient('shared'));
      for (const store of stores) assert.ok(await store.clients.getClient('shared'));
      await Promise.all(stores.map((s) => s.close()));
    } finally {
      await dropSchema();
    }
  });

  test('schemas keep two instances in one database apart; ping turns false after close', async () => {
    const url = await shared.url();
    const a = shared.newSchema();
    const b = shared.newSchema();
    try {
      const storeA = await openPostgresStore(url, { schema: a.schema });
      const storeB = await openPostgresStore(url, { schema: b.schema });
      await storeA.clients.createClient(makeClient('only-in-a'));
      assert.equal(await storeB.clients.getClient('only-in-a'), undefined);
      assert.equal(await storeA.ping(), true);
      await storeA.close();
      await storeB.close();
      assert.equal(await storeA.ping(), false);
    } finally {
      await a.dropSchema();
      await b.dropSchema();
    }
  });

  test('connections terminated by the server in the middle of transactions fail those calls, never the process', async () => {
    const database = await createTestDatabase();
    const store = await openPostgresStore(database.url);
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      for (let i = 0; i < 20; i += 1) await store.clients.createClient(makeClient(`t-${i}`));
      // Transactions (SELECT ... FOR UPDATE, then UPDATE) keep clients checked out between statements:
      // that is when a terminated connection emits 'error' on the client rather than on a query.
      let running = true;
      const load = Promise.all(Array.from({ length: 20 }, async (_, i) => {
        let failures = 0;
        while (running) {
          await store.clients.updateClient(`t-${i}`, { description: String(Date.now()) }).catch(() => { failures += 1; });
        }
        return failures;
      }));
      for (let round = 0; round < 10; round += 1) {
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
      running = false;
      const failures = (await load).reduce((sum, n) => sum + n, 0);
      assert.ok(failures > 0, 'some calls were cut');
      assert.equal((await store.clients.updateClient('t-0', { description: 'after' }))?.description, 'after', 'the store serves again');
    } finally {
      await admin.end();
      await store.close();
      await database.drop();
    }
  });

  test('a schema name that is not a plain identifier is a TypeError', async () => {
    await assert.rejects(openPostgresStore(await shared.url(), { schema: 'x; DROP TABLE clients' }), TypeError);
  });
});

test('postgres: a server that does not answer gives StoreError unavailable quickly, without the password', async () => {
  const started = Date.now();
  await assert.rejects(openPostgresStore('postgres://keyward:s3cret-pass@127.0.0.1:1/keyward', { connectionTimeoutMs: 1000 }), (error) => {
    assert.ok(isStoreError(error, 'unavailable'), String(error));
    assert.match(error.message, /KEYWARD_DATABASE_URL/);
    assert.doesNotMatch(error.message, /s3cret-pass/);
    return true;
  });
  assert.ok(Date.now() - started < 5000);
});
