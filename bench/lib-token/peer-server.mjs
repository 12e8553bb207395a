// Child process of the token benchmark: oidc-provider (the dev dependency, 9.13.3) configured like
// Keyward: one client with private_key_jwt (RS256 key in `jwks`), client_credentials, ES256 JWT
// access tokens of 300 s, its default in-memory storage. Same idea as the reference set-up in
// shared/bench/peer-oidc-provider (written anew here). Prints `{ "url": ... }` when ready.
// Env: BENCH_PUBLIC_JWK, BENCH_SERVER_JWK (private ES256 JWK), BENCH_CLIENT_ID, BENCH_ISSUER.
import Provider from 'oidc-provider';

const RESOURCE = 'https://api.bench.test';
const provider = new Provider(process.env.BENCH_ISSUER, {
  clients: [{
    client_id: process.env.BENCH_CLIENT_ID,
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'RS256',
    id_token_signed_response_alg: 'ES256',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    jwks: { keys: [JSON.parse(process.env.BENCH_PUBLIC_JWK)] },
  }],
  jwks: { keys: [JSON.parse(process.env.BENCH_SERVER_JWK)] },
  cookies: { keys: ['bench-cookie-key-not-secret'] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      getResourceServerInfo: () => ({ scope: 'api', audience: RESOURCE, accessTokenTTL: 300, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } }),
    },
  },
});
provider.on('server_error', (_ctx, error) => console.error('server_error', error));
const server = provider.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}`, pid: process.pid })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
