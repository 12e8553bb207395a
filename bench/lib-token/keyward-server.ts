// Child process of the token benchmark: a fresh Keyward server (SQLite in a temporary directory,
// ES256 access tokens, issuer = the shared benchmark issuer id) with one RS256 client, configured
// like the peer. Prints one JSON line `{ "url": ... }` when ready; stops on SIGTERM.
// Env: BENCH_DATA_DIR, BENCH_PUBLIC_JWK (JSON), BENCH_CLIENT_ID, BENCH_ISSUER, BENCH_WORKERS
// (default 1: one process; N > 1: `serve --workers N`, N worker processes on the same SQLite file).
import { resolveConfig } from '../../packages/keyward/src/config/resolve-config.ts';
import { importPublicKeys } from '../../packages/core/src/keys/import-public-key.ts';
import { createLogger } from '../../packages/keyward/src/server/logger.ts';
import { startServer } from '../../packages/keyward/src/server/main.ts';
import { openConfiguredStore } from '../../packages/keyward/src/server/open-configured-store.ts';
import { createClient, createRegistryContext } from '../../packages/keyward/src/server/services/registry/index.ts';
import { startWorkerPool } from '../../packages/keyward/src/server/workers/start-worker-pool.ts';

const workers = Number(process.env.BENCH_WORKERS ?? '1');
const config = resolveConfig({
  overrides: {
    server: { port: 0, issuer: process.env.BENCH_ISSUER!, workers },
    storage: { dataDir: process.env.BENCH_DATA_DIR! },
    tokens: { signingAlg: 'ES256', accessTokenTtl: 300 },
    // The assertions are signed up front for the whole run (the peer has no lifetime cap either).
    assertions: { maxLifetime: 3600 },
    log: { level: 'warn' },
  },
});
const client = {
  actor: 'bench',
  name: 'bench',
  clientId: process.env.BENCH_CLIENT_ID!,
  keys: importPublicKeys(JSON.parse(process.env.BENCH_PUBLIC_JWK!) as Record<string, unknown>),
  scopes: ['api'],
  accessTokenTtl: 300,
};

let close: () => Promise<void>;
let url: string;
if (workers > 1) {
  const pool = await startWorkerPool(config, { count: workers, logger: createLogger(config) });
  // The client goes straight into the shared SQLite file; each worker reads it on first use.
  const store = await openConfiguredStore(config);
  await createClient(createRegistryContext(store), client);
  await store.close();
  url = pool.url;
  close = () => pool.close();
} else {
  const server = await startServer(config);
  await createClient(createRegistryContext(server.context.store), client);
  url = server.url;
  close = () => server.close();
}
process.stdout.write(`${JSON.stringify({ url, pid: process.pid })}\n`);
process.once('SIGTERM', () => {
  void close().then(() => process.exit(0));
});
