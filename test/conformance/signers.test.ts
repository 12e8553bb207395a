// The signers (jose SignJWT) produce assertions Keyward's verifier accepts, with safe defaults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { exportJWK } from 'jose';
import { parseClientAssertion, signClientAssertion, verifyClientAssertion } from '../../packages/core/src/assertion/index.ts';
import { ASYMMETRIC_ALGS } from '../../packages/core/src/keys/types.ts';
import { keyPair, kindFor, registeredKey } from './fixtures.ts';

const ISSUER = 'https://as.example';
const NOW = 1_800_000_000;
const CLIENT = 'client-123';

test('RFC 7523 §3: signClientAssertion sets iss = sub = clientId, aud, random jti, iat and exp in seconds (60 s default)', async () => {
  const { privateKey, publicKey } = keyPair('rsa');
  const token = await signClientAssertion({ clientId: CLIENT, audience: ISSUER, privateKey, now: NOW, kid: 'k1' });
  const parsed = parseClientAssertion(token);
  assert.deepEqual(parsed.header, { alg: 'RS256', typ: 'JWT', kid: 'k1' });
  assert.equal(parsed.payload.iss, CLIENT);
  assert.equal(parsed.payload.sub, CLIENT);
  assert.equal(parsed.payload.aud, ISSUER);
  assert.equal(parsed.payload.iat, NOW);
  assert.equal(parsed.payload.exp, NOW + 60);
  assert.match(String(parsed.payload.jti), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const again = parseClientAssertion(await signClientAssertion({ clientId: CLIENT, audience: ISSUER, privateKey, now: NOW }));
  assert.notEqual(again.payload.jti, parsed.payload.jti, 'a fresh jti every time');
  const key = await registeredKey(publicKey, { kid: 'k1' });
  assert.equal(verifyClientAssertion(parsed, { keys: [key], issuer: ISSUER, tokenEndpoint: `${ISSUER}/token`, now: NOW }).clientId, CLIENT);
});

test('signClientAssertion: every key type signs with its default alg, and the result verifies', async () => {
  for (const alg of ['RS256', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const) {
    const { privateKey, publicKey } = keyPair(kindFor(alg));
    const token = await signClientAssertion({ clientId: CLIENT, audience: ISSUER, privateKey, now: NOW });
    const parsed = parseClientAssertion(token);
    assert.equal(parsed.header.alg, alg);
    assert.equal(verifyClientAssertion(parsed, { keys: [await registeredKey(publicKey)], issuer: ISSUER, tokenEndpoint: ISSUER, now: NOW }).alg, alg);
  }
  const { privateKey } = keyPair('rsa');
  for (const alg of ASYMMETRIC_ALGS.filter((a) => a.startsWith('PS') || a.startsWith('RS'))) {
    assert.equal(parseClientAssertion(await signClientAssertion({ clientId: CLIENT, audience: ISSUER, privateKey, alg, now: NOW })).header.alg, alg);
  }
});

test('signClientAssertion: a lifetime over 300 s is refused unless allowLongLifetime; ms "now" is refused', async () => {
  const { privateKey } = keyPair('rsa');
  await assert.rejects(signClientAssertion({ clientId: CLIENT, audience: ISSUER, privateKey, lifetime: 301 }), /300/);
  const long = await signClientAssertion({ clientId: CLIENT, audience: ISSUER, privateKey, lifetime: 3600, allowLongLifetime: true, now: NOW });
  assert.equal(parseClientAssertion(long).payload.exp, NOW + 3600);
  await assert.rejects(signClientAssertion({ clientId: CLIENT, audience: ISSUER, privateKey, now: Date.now() }), TypeError);
  await assert.rejects(signClientAssertion({ clientId: CLIENT, audience: ISSUER, privateKey, lifetime: 0 }), TypeError);
});

test('signClientAssertion: alg must fit the key; extra claims may not override the protocol claims', async () => {
  const { privateKey } = keyPair('rsa');
  await assert.rejects(signClientAssertion({ clientId: CLIENT, audience: ISSUER, privateKey, alg: 'ES256' }), TypeError);
  await assert.rejects(signClientAssertion({ clientId: CLIENT, audience: ISSUER, privateKey, claims: { aud: 'x' } }), TypeError);
  const withScope = await signClientAssertion({ clientId: CLIENT, audience: ISSUER, privateKey, claims: { scope: 'read' }, typ: 'client-authentication+jwt', now: NOW });
  const parsed = parseClientAssertion(withScope);
  assert.equal(parsed.payload.scope, 'read');
  assert.equal(parsed.header.typ, 'client-authentication+jwt');
  await assert.rejects(signClientAssertion({ clientId: CLIENT, audience: ISSUER, privateKey: keyPair('rsa').publicKey }));
});

test('signClientAssertion accepts PEM (encrypted, with passphrase), private JWK (its alg used) and WebCrypto CryptoKey', async () => {
  const { privateKey, publicKey } = keyPair('rsa');
  const key = await registeredKey(publicKey);
  const context = { keys: [key], issuer: ISSUER, tokenEndpoint: ISSUER, now: NOW };
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'top secret' }).toString();
  const fromPem = await signClientAssertion({ clientId: CLIENT, audience: ISSUER, privateKey: pem, passphrase: 'top secret', now: NOW });
  assert.ok(verifyClientAssertion(parseClientAssertion(fromPem), context));
  await assert.rejects(signClientAssertion({ clientId: CLIENT, audience: ISSUER, privateKey: pem, passphrase: 'wrong', now: NOW }), (e: Error) => !e.message.includes('top secret'));
  const jwk = { ...(await exportJWK(privateKey)), alg: 'PS256' };
  const fromJwk = parseClientAssertion(await signClientAssertion({ clientId: CLIENT, audience: ISSUER, privateKey: jwk, now: NOW }));
  assert.equal(fromJwk.header.alg, 'PS256');
  assert.ok(verifyClientAssertion(fromJwk, context));
  const pair = await webcrypto.subtle.generateKey({ name: 'RSA-PSS', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-384' }, true, ['sign', 'verify']);
  const fromCryptoKey = parseClientAssertion(await signClientAssertion({ clientId: CLIENT, audience: ISSUER, privateKey: pair.privateKey, now: NOW }));
  assert.equal(fromCryptoKey.header.alg, 'PS384');
});

test('policies: resolved once, frozen, reused as they are; bad values are TypeErrors', async () => {
  const { resolveAssertionPolicy, resolveDirectTokenPolicy, DEFAULT_ASSERTION_POLICY } = await import('../../packages/core/src/assertion/index.ts');
  assert.equal(resolveAssertionPolicy(), DEFAULT_ASSERTION_POLICY);
  const legacy = resolveAssertionPolicy({ audience: 'legacy', allowedAlgs: ['PS256'] });
  assert.ok(Object.isFrozen(legacy) && Object.isFrozen(legacy.allowedAlgs));
  assert.equal(resolveAssertionPolicy(legacy), legacy);
  assert.equal(legacy.maxLifetime, 300);
  const direct = resolveDirectTokenPolicy({ maxIatAge: 60 });
  assert.equal(resolveDirectTokenPolicy(direct), direct);
  assert.equal(direct.clientIdClaim, 'clientcode');
  assert.throws(() => resolveDirectTokenPolicy({ maxIatAge: -1 }), TypeError);
  assert.throws(() => resolveAssertionPolicy({ allowedAlgs: [] }), TypeError);
});
