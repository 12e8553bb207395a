// RFC 9068 access tokens: claims, the at+jwt header, and, for every algorithm the server can be
// configured with (tokens.signingAlg: every asymmetric JWS algorithm, keys made by the server's own
// generateSigningKey), Keyward's signer checked by jose and jose's signer checked by Keyward.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyObject } from 'node:crypto';
import { jwtVerify, decodeProtectedHeader, SignJWT } from 'jose';
import { buildAccessTokenClaims, signAccessToken, verifyAccessToken } from '../../packages/core/src/tokens/index.ts';
import { ASYMMETRIC_ALGS, type JwsAlgorithm } from '../../packages/core/src/keys/types.ts';
import { generateSigningKey } from '../../packages/keyward/src/server/services/signing-keys.ts';

const now = Math.floor(Date.now() / 1000);
const pairs: Record<string, { privateKey: KeyObject; publicKey: KeyObject }> = Object.fromEntries(
  await Promise.all(ASYMMETRIC_ALGS.map(async (alg) => [alg, await generateSigningKey(alg)] as const)),
);

test('RFC 9068 §2.2: iss, sub, client_id, aud, scope, iat, exp, jti', () => {
  const claims = buildAccessTokenClaims({ issuer: 'http://as', clientId: 'c1', audience: ['https://api'], scopes: ['read', 'write'], now, ttl: 300, jti: 'j1' });
  assert.deepEqual(claims, { iss: 'http://as', sub: 'c1', client_id: 'c1', aud: 'https://api', scope: 'read write', iat: now, exp: now + 300, jti: 'j1' });
  assert.deepEqual(buildAccessTokenClaims({ issuer: 'i', clientId: 'c', audience: ['a', 'b'], scopes: [], now, ttl: 1, jti: 'j' }).aud, ['a', 'b']);
  assert.throws(() => buildAccessTokenClaims({ issuer: 'i', clientId: 'c', audience: [], scopes: [], now, ttl: 1, jti: 'j' }), /audience/);
});

for (const alg of Object.keys(pairs) as JwsAlgorithm[]) {
  test(`RFC 9068 §2.1: ${alg} token with typ at+jwt verifies with jose and with verifyAccessToken`, async () => {
    const pair = pairs[alg]!;
    const claims = buildAccessTokenClaims({ issuer: 'http://as', clientId: 'c1', audience: ['http://as'], scopes: ['read'], now, ttl: 300, jti: `j-${alg}` });
    const token = signAccessToken(claims, { kid: 'k1', alg, privateKey: pair.privateKey });
    assert.deepEqual(decodeProtectedHeader(token), { typ: 'at+jwt', alg, kid: 'k1' });
    const { payload } = await jwtVerify(token, pair.publicKey, { issuer: 'http://as', audience: 'http://as', typ: 'at+jwt', algorithms: [alg] });
    assert.equal(payload.client_id, 'c1');
    const verified = verifyAccessToken(token, { keys: [{ kid: 'k1', alg, publicKey: pair.publicKey }], issuer: 'http://as', now });
    assert.equal(verified.jti, `j-${alg}`);
    // And the other way: a token signed by jose passes Keyward's verifier.
    const byJose = await new SignJWT({ ...claims, aud: 'http://as', jti: `jose-${alg}` }).setProtectedHeader({ alg, typ: 'at+jwt', kid: 'k1' }).sign(pair.privateKey);
    assert.equal(verifyAccessToken(byJose, { keys: [{ kid: 'k1', alg, publicKey: pair.publicKey }], issuer: 'http://as', now }).jti, `jose-${alg}`);
  });
}

test('every algorithm tokens.signingAlg accepts is covered above', () => {
  assert.deepEqual(Object.keys(pairs).sort(), [...ASYMMETRIC_ALGS].sort());
});

test('verifyAccessToken refuses a foreign issuer, an unknown kid, a tampered payload and an expired token', () => {
  const pair = pairs.ES256!;
  const keys = [{ kid: 'k1', alg: 'ES256' as const, publicKey: pair.publicKey }];
  const claims = buildAccessTokenClaims({ issuer: 'http://as', clientId: 'c1', audience: ['http://as'], scopes: [], now, ttl: 60, jti: 'j' });
  const token = signAccessToken(claims, { kid: 'k1', alg: 'ES256', privateKey: pair.privateKey });
  assert.throws(() => verifyAccessToken(token, { keys, issuer: 'http://other', now }), { reason: 'token_invalid' });
  assert.throws(() => verifyAccessToken(token, { keys: [{ ...keys[0]!, kid: 'k2' }], issuer: 'http://as', now }), { reason: 'token_invalid' });
  const [h, , s] = token.split('.');
  const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, scope: 'admin' })).toString('base64url')}.${s}`;
  assert.throws(() => verifyAccessToken(forged, { keys, issuer: 'http://as', now }), { reason: 'token_invalid' });
  assert.throws(() => verifyAccessToken(token, { keys, issuer: 'http://as', now: now + 61 }), { reason: 'token_expired' });
});
