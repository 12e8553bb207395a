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
