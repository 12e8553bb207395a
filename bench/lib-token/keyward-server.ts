// Child process of the token benchmark: a fresh Keyward server (SQLite in a temporary directory,
// ES256 access tokens, issuer = the shared benchmark issuer id) with one RS256 client, configured
// like the peer. Prints one JSON line `{ "url": ... }` when ready; stops on SIGTERM.
// Env: BENCH_DATA_DIR, BENCH_PUBLIC_JWK (JSON), BENCH_CLIENT_ID, BENCH_ISSUER.
import { resolveConfig } from '../../src/core/config/resolve-config.ts';
import { importPublicKeys } from '../../src/core/keys/import-public-key.ts';
import { startServer } from '../../src/server/main.ts';
import { registerClient } from '../../src/server/register-client.ts';

const config = resolveConfig({
  overrides: {
    server: { port: 0, issuer: process.env.BENCH_ISSUER! },
    storage: { dataDir: process.env.BENCH_DATA_DIR! },
    tokens: { signingAlg: 'ES256', accessTokenTtl: 300 },
    // The assertions are signed up front for the whole run (the peer has no lifetime cap either).
    assertions: { maxLifetime: 3600 },
    log: { level: 'warn' },
  },
});
const server = await startServer(config);
await registerClient(server.context.store, {
  name: 'bench',
  clientId: process.env.BENCH_CLIENT_ID!,
  keys: importPublicKeys(JSON.parse(process.env.BENCH_PUBLIC_JWK!) as Record<string, unknown>),
  scopes: ['api'],
  accessTokenTtl: 300,
});
process.stdout.write(`${JSON.stringify({ url: server.url, pid: process.pid })}\n`);
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
