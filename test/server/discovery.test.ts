// RFC 8414 metadata at both well-known paths, /jwks, /health and /ready; the issuer comes from
// configuration, never from the Host header.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startTestServer } from './helpers.ts';

let server: Awaited<ReturnType<typeof startTestServer>>;
before(async () => { server = await startTestServer(); });
after(async () => { await server.stop(); });

test('RFC 8414 §3: metadata at /.well-known/oauth-authorization-server and /.well-known/openid-configuration', async () => {
  for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
    const response = await fetch(`${server.url}${path}`);
    assert.equal(response.status, 200);
    const meta = (await response.json()) as Record<string, unknown>;
    assert.equal(meta.issuer, server.issuer);
    assert.equal(meta.token_endpoint, `${server.issuer}/token`);
    assert.equal(meta.jwks_uri, `${server.issuer}/jwks`);
    assert.deepEqual(meta.token_endpoint_auth_methods_supported, ['private_key_jwt']);
    assert.ok((meta.token_endpoint_auth_signing_alg_values_supported as string[]).includes('PS256'));
    assert.ok(!(meta.token_endpoint_auth_signing_alg_values_supported as string[]).some((alg) => alg === 'none' || alg.startsWith('HS')));
    assert.deepEqual(meta.grant_types_supported, ['client_credentials', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'authorization_code', 'refresh_token']);
    assert.equal(meta.introspection_endpoint, `${server.issuer}/introspect`);
    assert.deepEqual(meta.introspection_endpoint_auth_methods_supported, ['private_key_jwt']);
    assert.equal(meta.revocation_endpoint, `${server.issuer}/revoke`);
    assert.deepEqual(meta.revocation_endpoint_auth_methods_supported, ['private_key_jwt']);
  }
});

test('the issuer never comes from the Host header', async () => {
  const { port } = new URL(server.url);
  const body = await new Promise<string>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/.well-known/oauth-authorization-server', headers: { host: 'evil.example.com', 'x-forwarded-host': 'evil.example.com' } }, (res) => {
      let text = '';
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => resolve(text));
    }).on('error', reject).end();
  });
  assert.ok(!body.includes('evil'), body);
});

test('a configured issuer is used as is', async () => {
  const other = await startTestServer({ overrides: { server: { issuer: 'https://as.example.com' } } });
  try {
    const meta = (await (await fetch(`${other.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    assert.equal(meta.issuer, 'https://as.example.com');
    assert.equal(meta.token_endpoint, 'https://as.example.com/token');
  } finally {
    await other.stop();
  }
});

test('/jwks publishes the public ES256 signing key only', async () => {
  const response = await fetch(`${server.url}/jwks`);
  assert.equal(response.status, 200);
  const jwks = (await response.json()) as { keys: Record<string, unknown>[] };
  assert.equal(jwks.keys.length, 1);
  const [key] = jwks.keys;
  assert.equal(key!.kty, 'EC');
  assert.equal(key!.alg, 'ES256');
  assert.equal(key!.use, 'sig');
  assert.equal(key!.kid, server.context.signingKeys.active().kid);
  assert.equal(key!.d, undefined, 'no private member');
});

test('/health and /ready', async () => {
  assert.deepEqual(await (await fetch(`${server.url}/health`)).json(), { status: 'ok' });
  const ready = await fetch(`${server.url}/ready`);
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), { status: 'ready' });
});

test('the signing algorithm is selectable: RS256, PS256, EdDSA', async () => {
  for (const alg of ['RS256', 'PS256', 'EdDSA'] as const) {
    const other = await startTestServer({ overrides: { tokens: { signingAlg: alg } } });
    try {
      const jwks = (await (await fetch(`${other.url}/jwks`)).json()) as { keys: { alg: string; kty: string }[] };
      assert.equal(jwks.keys[0]!.alg, alg);
      assert.equal(jwks.keys[0]!.kty, alg === 'EdDSA' ? 'OKP' : 'RSA');
    } finally {
      await other.stop();
    }
  }
});

test('a port already in use is refused with a message naming the port and the fix', async () => {
  const { port } = new URL(server.url);
  await assert.rejects(startTestServer({ overrides: { server: { port: Number(port) } } }), /already in use.*--port/);
});
