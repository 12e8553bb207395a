// Conformance: the direct mode of source document 000 ({ clientcode, iat, exp? } sent to an API).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDirectToken, signDirectToken, verifyDirectToken, type DirectTokenContext } from '../../packages/core/src/assertion/index.ts';
import type { RegisteredKey } from '../../packages/core/src/keys/types.ts';
import { expectReason, joseSign, keyPair, registeredKey } from './fixtures.ts';

const NOW = 1_800_000_000;
const CLIENT = 'client_12345';
const { privateKey, publicKey } = keyPair('rsa');
const key = await registeredKey(publicKey);

function token(claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  return joseSign({ alg: 'RS256', typ: 'JWT', ...header }, claims, privateKey);
}

function verify(jwt: string, context: Partial<DirectTokenContext> = {}, keys: readonly RegisteredKey[] = [key], clientIdClaim?: string) {
  return verifyDirectToken(parseDirectToken(jwt, clientIdClaim === undefined ? {} : { clientIdClaim }), { keys, now: NOW, ...context });
}

test('direct mode: { clientcode, iat } RS256 verifies; reserveUntil = iat + maxIatAge + tolerance', async () => {
  const result = verify(await token({ clientcode: CLIENT, iat: NOW - 10 }));
  assert.equal(result.clientId, CLIENT);
  assert.equal(result.alg, 'RS256');
  assert.equal(result.jti, undefined);
  assert.equal(result.reserveUntil, NOW - 10 + 300 + 15);
});

test('direct mode: parseDirectToken reads the UNVERIFIED client id from clientcode (or the configured claim)', async () => {
  assert.equal(parseDirectToken(await token({ clientcode: CLIENT, iat: NOW })).clientId, CLIENT);
  assert.equal(parseDirectToken(await token({ iss: CLIENT, iat: NOW }), { clientIdClaim: 'iss' }).clientId, CLIENT);
  assert.equal(parseDirectToken(await token({ iss: CLIENT, iat: NOW })).clientId, undefined);
  const viaSub = await token({ sub: CLIENT, iat: NOW });
  assert.equal(verify(viaSub, {}, [key], 'sub').clientId, CLIENT);
});

test('direct mode: the client id claim is required (client_id_claim_missing)', async () => {
  const missing = await token({ iat: NOW });
  expectReason(() => verify(missing), 'client_id_claim_missing');
  const numeric = await token({ clientcode: 12345, iat: NOW });
  expectReason(() => verify(numeric), 'client_id_claim_missing');
});

test('RFC 7519 §4.1.6 (direct mode): iat is required (iat_missing) and a number (claim_invalid)', async () => {
  const missing = await token({ clientcode: CLIENT });
  expectReason(() => verify(missing), 'iat_missing');
  const stringIat = await token({ clientcode: CLIENT, iat: String(NOW) });
  expectReason(() => verify(stringIat), 'claim_invalid');
});

test('direct mode: iat older than maxIatAge (300 s + tolerance) is iat_too_old, even when exp is later', async () => {
  assert.ok(verify(await token({ clientcode: CLIENT, iat: NOW - 310 })));
  const old = await token({ clientcode: CLIENT, iat: NOW - 400, exp: NOW + 3000 });
  expectReason(() => verify(old), 'iat_too_old');
  assert.ok(verify(old, { policy: { maxIatAge: 600 } }));
});

test('RFC 7519 §4.1.6: iat ahead of the clock beyond the tolerance is iat_in_future', async () => {
  assert.ok(verify(await token({ clientcode: CLIENT, iat: NOW + 10 })));
  const future = await token({ clientcode: CLIENT, iat: NOW + 60 });
  expectReason(() => verify(future), 'iat_in_future');
});

test('RFC 7519 §2: iat/exp in milliseconds are named (the source document warns about this)', async () => {
  const ms = await token({ clientcode: CLIENT, iat: NOW * 1000 });
  const e = expectReason(() => verify(ms), 'iat_in_milliseconds');
  assert.match(e.message, /milliseconds/);
  const msExp = await token({ clientcode: CLIENT, iat: NOW, exp: (NOW + 3600) * 1000 });
  expectReason(() => verify(msExp), 'exp_in_milliseconds');
});

test('RFC 7519 §4.1.4 (direct mode): exp is optional; when present it must not have passed and exp - iat ≤ 3600', async () => {
  const withExp = verify(await token({ clientcode: CLIENT, iat: NOW, exp: NOW + 3600 }));
  assert.equal(withExp.reserveUntil, NOW + 300 + 15);
  const shortExp = verify(await token({ clientcode: CLIENT, iat: NOW - 5, exp: NOW + 55 }));
  assert.equal(shortExp.reserveUntil, NOW + 55 + 15);
  const expired = await token({ clientcode: CLIENT, iat: NOW - 100, exp: NOW - 20 });
  expectReason(() => verify(expired), 'assertion_expired');
  const tooLong = await token({ clientcode: CLIENT, iat: NOW, exp: NOW + 3601 });
  expectReason(() => verify(tooLong), 'lifetime_too_long');
  const nbf = await token({ clientcode: CLIENT, iat: NOW, nbf: NOW + 100 });
  expectReason(() => verify(nbf), 'nbf_in_future');
});

test('RFC 7519 §4.1.7 (direct mode): jti optional, returned when present, required only by policy', async () => {
  assert.equal(verify(await token({ clientcode: CLIENT, iat: NOW, jti: 'abc' })).jti, 'abc');
  const noJti = await token({ clientcode: CLIENT, iat: NOW });
  expectReason(() => verify(noJti, { policy: { requireJti: true } }), 'jti_missing');
  const badJti = await token({ clientcode: CLIENT, iat: NOW, jti: 7 });
  expectReason(() => verify(badJti), 'claim_invalid');
});

test('RFC 8725 §3.11 (direct mode): typ must be absent or JWT; a client assertion typ is refused', async () => {
  assert.ok(verify(await token({ clientcode: CLIENT, iat: NOW }, { typ: undefined })));
  for (const typ of ['client-authentication+jwt', 'at+jwt', 'dpop+jwt']) {
    const jwt = await token({ clientcode: CLIENT, iat: NOW }, { typ });
    expectReason(() => verify(jwt), 'typ_not_allowed');
  }
});

test('direct mode shares the alg/key/signature path: forged, HS256, wrong key type, revoked key', async () => {
  const forged = await joseSign({ alg: 'RS256' }, { clientcode: CLIENT, iat: NOW }, keyPair('rsa2').privateKey);
  expectReason(() => verify(forged), 'signature_invalid');
  const ec = await joseSign({ alg: 'ES256' }, { clientcode: CLIENT, iat: NOW }, keyPair('p256').privateKey);
  expectReason(() => verify(ec), 'alg_key_mismatch');
  const good = await token({ clientcode: CLIENT, iat: NOW });
  expectReason(() => verify(good, { policy: { algPin: 'PS256' } }), 'alg_not_allowed');
  expectReason(() => verify(good, {}, [{ ...key, state: 'revoked' }]), 'key_revoked');
});

test('signDirectToken produces what the source document describes, and it verifies', async () => {
  const jwt = await signDirectToken({ clientId: CLIENT, privateKey, now: NOW });
  const parsed = parseDirectToken(jwt);
  assert.deepEqual(parsed.header, { alg: 'RS256', typ: 'JWT' });
  assert.deepEqual(parsed.payload, { clientcode: CLIENT, iat: NOW });
  assert.equal(verify(jwt).clientId, CLIENT);
  const withAll = parseDirectToken(await signDirectToken({ clientId: CLIENT, privateKey, now: NOW, lifetime: 3600, jti: true }));
  assert.equal(withAll.payload.exp, NOW + 3600);
  assert.match(String(withAll.payload.jti), /^[0-9a-f-]{36}$/);
  await assert.rejects(signDirectToken({ clientId: CLIENT, privateKey, now: Date.now() }), TypeError);
});

test('RFC 8725 §3.12 (direct mode): client assertions and access tokens are not direct tokens (not_a_direct_token)', async () => {
  const policy = { serverIdentifiers: ['https://as.example.com/', 'https://as.example.com/token'] };
  const assertion = await token({ iss: CLIENT, sub: CLIENT, aud: 'https://as.example.com', jti: 'j1', iat: NOW, exp: NOW + 60 });
  expectReason(() => verify(assertion, { policy }, [key], 'iss'), 'not_a_direct_token');
  expectReason(() => verify(assertion, {}, [key], 'iss'), 'not_a_direct_token');
  const toEndpoint = await token({ iss: CLIENT, aud: ['https://as.example.com/token'], iat: NOW });
  expectReason(() => verify(toEndpoint, { policy }, [key], 'iss'), 'not_a_direct_token');
  const issued = await token({ clientcode: CLIENT, iss: 'https://as.example.com', iat: NOW });
  expectReason(() => verify(issued, { policy }), 'not_a_direct_token');
  const accessShaped = await token({ clientcode: CLIENT, client_id: CLIENT, scope: 'read', iat: NOW });
  expectReason(() => verify(accessShaped), 'not_a_direct_token');
  const typed = await token({ clientcode: CLIENT, iat: NOW }, { typ: 'client-authentication+jwt' });
  expectReason(() => verify(typed), 'typ_not_allowed');
  assert.equal(verify(await token({ clientcode: CLIENT, aud: 'https://api.example.com', iat: NOW }), { policy }).clientId, CLIENT);
  assert.throws(() => verify(assertion, { policy: { serverIdentifiers: [''] } }, [key], 'iss'), TypeError);
});
