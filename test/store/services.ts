/**
 * Test helpers for the PostgreSQL (127.0.0.1:5432, user postgres, trust) and Redis (127.0.0.1:6379)
 * services: a throw-away database / key prefix per test, and the skip-or-fail rule: if a service
 * does not answer, its tests are skipped with a clear message, unless KEYWARD_TEST_REQUIRE_SERVICES=1
 * (set by .ci/run), in which case they fail.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';

export const POSTGRES_ADMIN_URL = process.env.KEYWARD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.KEYWARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const SERVICES_REQUIRED = process.env.KEYWARD_TEST_REQUIRE_SERVICES === '1';

/** undefined when PostgreSQL answers, else why not. */
export async function checkPostgres(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return `PostgreSQL at ${POSTGRES_ADMIN_URL} does not answer (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => {});
  }
}

/** undefined when Redis answers, else why not. */
export async function checkRedis(): Promise<string | undefined> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    return `Redis at ${REDIS_URL} does not answer (${(error as Error).message})`;
  } finally {
    client.disconnect();
  }
}

/**
 * The `skip` option for a suite: false when the services answer; a message when they do not;
 * throws when they do not and KEYWARD_TEST_REQUIRE_SERVICES=1.
 */
export async function resolveSkip(...problems: (string | undefined)[]): Promise<string | false> {
  const found = problems.filter((p): p is string => p !== undefined);
  if (found.length === 0) return false;
  const message = `${found.join('; ')}: start it (see /work/shared/stack.md, Services) to run these tests`;
  if (SERVICES_REQUIRED) throw new Error(`${message} (KEYWARD_TEST_REQUIRE_SERVICES=1, so this is a failure)`);
  return message;
}

/** Creates an empty database `keyward_test_<random>`; returns its URL and a drop function. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `keyward_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    // Test data need not survive a crash: commits without waiting for the disk flush (the machine's
    // fsync is slow). Production settings are untouched.
    await admin.query(`ALTER DATABASE ${name} SET synchronous_commit = off`);
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A fresh key prefix and a function deleting every key under it. */
export function createTestPrefix(): { prefix: string; removeKeys: () => Promise<void> } {
  const prefix = `keyward_test_${randomBytes(6).toString('hex')}:`;
  return {
    prefix,
    removeKeys: async () => {
      const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
      client.on('error', () => {});
      try {
        let cursor = '0';
        do {
          const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
          if (keys.length > 0) await client.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      } finally {
        client.disconnect();
      }
    },
  };
}

/**
 * One throw-away database for a whole test file (created on first use, dropped by `drop`), and a
 * fresh schema in it per test: CREATE/DROP DATABASE costs about a second here, a schema a few ms.
 */
export function shareTestDatabase(): { url: () => Promise<string>; newSchema: () => { schema: string; dropSchema: () => Promise<void> }; drop: () => Promise<void> } {
  let database: Promise<{ url: string; drop: () => Promise<void> }> | undefined;
  const url = async () => (await (database ??= createTestDatabase())).url;
  return {
    url,
    newSchema: () => {
      const schema = `t_${randomBytes(6).toString('hex')}`;
      return {
        schema,
        dropSchema: async () => {
          const client = new pg.Client({ connectionString: await url() });
          await client.connect();
          try {
            await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
          } finally {
            await client.end();
          }
        },
      };
    },
    drop: async () => {
      if (database) await (await database).drop();
    },
  };
}
