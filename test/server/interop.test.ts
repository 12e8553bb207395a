// Interop with real client libraries: openid-client 6 (PrivateKeyJwt client authentication,
// client_credentials, discovery) gets a token, and jose's createRemoteJWKSet verifies it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, importPKCS8, jwtVerify } from 'jose';
import { addTestClient, startTestServer } from './helpers.ts';

let server: Awaited<ReturnType<typeof startTestServer>>;
before(async () => { server = await startTestServer(); });
after(async () => { await server.stop(); });

// Ed25519: oauth4webapi (under openid-client) signs Ed25519 keys with the RFC 9864 alg name
// "Ed25519" rather than "EdDSA"; both are accepted for an Ed25519 key.
for (const alg of ['ES256', 'PS256', 'RS256', 'Ed25519'] as const) {
  test(`openid-client PrivateKeyJwt (${alg}) + client_credentials, verified by jose createRemoteJWKSet`, async () => {
    const client = await addTestClient(server, { alg, scopes: ['read', 'write'] });
    const pem = client.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const key = await importPKCS8(pem, alg);
    const config = await oidc.discovery(new URL(server.issuer), client.clientId, { token_endpoint_auth_signing_alg: alg }, oidc.PrivateKeyJwt({ key, kid: client.kid }), { execute: [oidc.allowInsecureRequests] });
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'read' });
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.equal(tokens.scope, 'read');
    const jwks = createRemoteJWKSet(new URL(`${server.issuer}/jwks`));
    const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: server.issuer, audience: server.issuer, typ: 'at+jwt' });
    assert.equal(payload.client_id, client.clientId);

    // openid-client's introspection and revocation with the same client authentication.
    const introspected = await oidc.tokenIntrospection(config, tokens.access_token);
    assert.equal(introspected.active, true);
    await oidc.tokenRevocation(config, tokens.access_token);
    assert.equal((await oidc.tokenIntrospection(config, tokens.access_token)).active, false);
  });
}
