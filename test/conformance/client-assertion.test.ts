// Conformance: RFC 7523 §3 (and friends) as enforced by verifyClientAssertion. One test per rule,
// each with the positive and the negative case, on jose-signed assertions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClientAssertion, verifyClientAssertion, type AssertionContext } from '../../packages/core/src/assertion/index.ts';
import type { RegisteredKey } from '../../packages/core/src/keys/types.ts';
import { expectReason, joseSign, keyPair, registeredKey } from './fixtures.ts';

const ISSUER = 'https://as.example';
const TOKEN_ENDPOINT = 'https://as.example/oauth/token';
const NOW = 1_800_000_000;
const CLIENT = 'client-123';
const { privateKey, publicKey } = keyPair('rsa');
const key = await registeredKey(publicKey, { kid: 'k1' });

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = { iss: CLIENT, sub: CLIENT, aud: ISSUER, jti: 'jti-1', iat: NOW - 5, exp: NOW + 55 };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete base[name];
    else base[name] = value;
  }
  return base;
}

async function assertion(overrides: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
  return joseSign({ alg: 'RS256', kid: 'k1', ...header }, claims(overrides), privateKey);
}

// Tokens used by the iss/sub tests, made before any test starts (node:test may start a test
// while later top-level awaits are still pending).
const tokenNoIss = await assertion({ iss: undefined });
const tokenIssNumber = await assertion({ iss: 42 });
// iss says "other" and sub says CLIENT: the keys looked up for "other" are ours here (a client
// whose key is shared), yet iss != sub is refused.
const tokenIssOther = await assertion({ iss: 'other' });
const subOther = await assertion({ sub: 'someone-else' });
const subMissing = await assertion({ sub: undefined });

function verify(token: string, context: Partial<AssertionContext> = {}, keys: readonly RegisteredKey[] = [key]) {
  return verifyClientAssertion(parseClientAssertion(token), { keys, issuer: ISSUER, tokenEndpoint: TOKEN_ENDPOINT, now: NOW, ...context });
}

test('RFC 7523 §3: a correct assertion verifies and returns client, jti, key, alg, reserveUntil = exp + tolerance', async () => {
  const result = verify(await assertion());
  assert.equal(result.clientId, CLIENT);
  assert.equal(result.jti, 'jti-1');
  assert.equal(result.alg, 'RS256');
  assert.equal(result.key.kid, 'k1');
  assert.equal(result.reserveUntil, NOW + 55 + 15);
  assert.equal(result.legacyAudience, false);
  assert.equal(result.claims.aud, ISSUER);
});

test('parseClientAssertion: clientId is the UNVERIFIED iss, falling back to sub', async () => {
  assert.equal(parseClientAssertion(await assertion()).clientId, CLIENT);
  assert.equal(parseClientAssertion(await assertion({ iss: undefined })).clientId, CLIENT);
  assert.equal(parseClientAssertion(await assertion({ iss: undefined, sub: undefined })).clientId, undefined);
  assert.equal(parseClientAssertion(await assertion({ iss: 'other' })).clientId, 'other');
});

test('RFC 7523 §3 (1): iss missing is iss_mismatch; a non-string iss is claim_invalid', async () => {
  expectReason(() => verify(tokenNoIss), 'iss_mismatch');
  // iss is where the client id comes from, so an iss that differs from sub is reported on sub.
  expectReason(() => verify(tokenIssOther), 'sub_mismatch');
  expectReason(() => verify(tokenIssNumber), 'claim_invalid');
  assert.equal(verify(await assertion()).clientId, CLIENT);
});

test('RFC 7523 §3 (2): sub must equal iss (the client_id)', async () => {
  expectReason(() => verify(subOther), 'sub_mismatch');
  expectReason(() => verify(subMissing), 'sub_mismatch');
  assert.equal(verify(await assertion()).clientId, CLIENT);
});

test('RFC 7521 §4.2: a client_id parameter, if sent, must match the assertion', async () => {
  const token = await assertion();
  assert.equal(verify(token, { clientIdParam: CLIENT }).clientId, CLIENT);
  expectReason(() => verify(token, { clientIdParam: 'client-999' }), 'client_id_mismatch');
});

test('draft-ietf-oauth-rfc7523bis §5 (strict audience): aud must be exactly the issuer string', async () => {
  assert.equal(verify(await assertion({ aud: ISSUER })).legacyAudience, false);
  for (const aud of [TOKEN_ENDPOINT, [ISSUER], [ISSUER, TOKEN_ENDPOINT], 'https://as.example/', 'https://evil.example', undefined]) {
    const token = await assertion({ aud });
    const e = expectReason(() => verify(token), 'aud_mismatch');
    assert.match(e.detail ?? '', /"https:\/\/as\.example"/, 'the detail names the expected value');
  }
});

test('RFC 7523 §3 (3) (legacy audience policy): the token endpoint and arrays are accepted and flagged', async () => {
  const legacy = { policy: { audience: 'legacy' as const } };
  assert.equal(verify(await assertion({ aud: ISSUER }), legacy).legacyAudience, false);
  assert.equal(verify(await assertion({ aud: TOKEN_ENDPOINT }), legacy).legacyAudience, true);
  assert.equal(verify(await assertion({ aud: ['https://other.example', TOKEN_ENDPOINT] }), legacy).legacyAudience, true);
  assert.equal(verify(await assertion({ aud: [ISSUER] }), legacy).legacyAudience, true);
  const wrong = await assertion({ aud: ['https://evil.example'] });
  expectReason(() => verify(wrong, legacy), 'aud_mismatch');
});

test('draft-ietf-oauth-rfc7523bis §4: typ client-authentication+jwt forces the strict audience even for legacy clients', async () => {
  const legacy = { policy: { audience: 'legacy' as const } };
  const typed = await assertion({ aud: TOKEN_ENDPOINT }, { typ: 'client-authentication+jwt' });
  expectReason(() => verify(typed, legacy), 'aud_mismatch');
  assert.equal(verify(await assertion({}, { typ: 'client-authentication+jwt' }), legacy).legacyAudience, false);
  assert.ok(verify(await assertion({}, { typ: 'application/client-authentication+jwt' })));
});

test('RFC 8725 §3.11: typ absent or JWT is accepted; at+jwt, dpop+jwt and others are typ_not_allowed', async () => {
  assert.ok(verify(await assertion({}, { typ: 'JWT' })));
  assert.ok(verify(await assertion({}, { typ: 'jwt' })));
  assert.ok(verify(await assertion()));
  for (const typ of ['at+jwt', 'dpop+jwt', 'secevent+jwt', 'JOSE', 'application/at+jwt']) {
    const token = await assertion({}, { typ });
    expectReason(() => verify(token), 'typ_not_allowed');
  }
});

test('RFC 7523 §3 (4): exp is required (exp_missing), a number (claim_invalid), and not passed (assertion_expired)', async () => {
  const noExp = await assertion({ exp: undefined });
  expectReason(() => verify(noExp), 'exp_missing');
  const stringExp = await assertion({ exp: String(NOW + 60) });
  expectReason(() => verify(stringExp), 'claim_invalid');
  const expired = await assertion({ iat: NOW - 100, exp: NOW - 16 });
  expectReason(() => verify(expired), 'assertion_expired');
  // Within the 15 s tolerance it still verifies.
  assert.ok(verify(await assertion({ iat: NOW - 100, exp: NOW - 10 })));
});

test('RFC 7523 §3 (4) (Keyward policy): lifetime over 300 s is lifetime_too_long (exp - iat, or exp - now without iat)', async () => {
  assert.ok(verify(await assertion({ iat: NOW, exp: NOW + 300 })));
  const long = await assertion({ iat: NOW, exp: NOW + 301 });
  expectReason(() => verify(long), 'lifetime_too_long');
  const longNoIat = await assertion({ iat: undefined, exp: NOW + 400 });
  expectReason(() => verify(longNoIat), 'lifetime_too_long');
  assert.ok(verify(await assertion({ iat: undefined, exp: NOW + 310 })));
  const custom = await assertion({ iat: NOW, exp: NOW + 120 });
  expectReason(() => verify(custom, { policy: { maxLifetime: 60 } }), 'lifetime_too_long');
});

test('RFC 7523 §3 (6): iat more than the tolerance in the future is iat_in_future', async () => {
  assert.ok(verify(await assertion({ iat: NOW + 10, exp: NOW + 70 })));
  const future = await assertion({ iat: NOW + 30, exp: NOW + 90 });
  expectReason(() => verify(future), 'iat_in_future');
  assert.ok(verify(future, { policy: { clockTolerance: 60 } }));
});

test('RFC 7523 §3 (5): nbf more than the tolerance in the future is nbf_in_future', async () => {
  assert.ok(verify(await assertion({ nbf: NOW + 10 })));
  const future = await assertion({ nbf: NOW + 40 });
  expectReason(() => verify(future), 'nbf_in_future');
});

test('RFC 7519 §2: iat and exp in milliseconds are named as such, before any expiry check', async () => {
  const msIat = await assertion({ iat: NOW * 1000, exp: NOW + 60 });
  const e = expectReason(() => verify(msIat), 'iat_in_milliseconds');
  assert.match(e.message, /milliseconds/);
  const msExp = await assertion({ iat: NOW, exp: (NOW + 60) * 1000 });
  const e2 = expectReason(() => verify(msExp), 'exp_in_milliseconds');
  assert.match(e2.message, /milliseconds/);
  // Both in ms (the 003 snippet): iat is named first.
  const both = await assertion({ iat: NOW * 1000 - 30000, exp: NOW * 1000 + 30000 });
  expectReason(() => verify(both), 'iat_in_milliseconds');
});

test('RFC 7523 §3 (7): jti is required (jti_missing), a non-empty string of at most 256 characters', async () => {
  const none = await assertion({ jti: undefined });
  expectReason(() => verify(none), 'jti_missing');
  const empty = await assertion({ jti: '' });
  expectReason(() => verify(empty), 'jti_missing');
  const number = await assertion({ jti: 12345 });
  expectReason(() => verify(number), 'claim_invalid');
  const long = await assertion({ jti: 'x'.repeat(257) });
  expectReason(() => verify(long), 'claim_invalid');
  assert.equal(verify(await assertion({ jti: 'x'.repeat(256) })).jti.length, 256);
});

test('RFC 7523 §3 (9): the signature must verify with a registered key (signature_invalid)', async () => {
  const other = keyPair('rsa2');
  const forged = await joseSign({ alg: 'RS256', kid: 'k1' }, claims(), other.privateKey);
  expectReason(() => verify(forged), 'signature_invalid');
});

test('claims are judged only after the signature: a forged token with bad claims is signature_invalid', async () => {
  const other = keyPair('rsa2');
  const forged = await joseSign({ alg: 'RS256', kid: 'k1' }, claims({ aud: 'https://evil.example', jti: undefined, exp: undefined, iss: 'x' }), other.privateKey);
  expectReason(() => verify(forged), 'signature_invalid');
});

test('key lifecycle (after the signature): revoked, retired, expired and not-yet-valid keys are refused', async () => {
  const token = await assertion();
  expectReason(() => verify(token, {}, [{ ...key, state: 'revoked' }]), 'key_revoked');
  expectReason(() => verify(token, {}, [{ ...key, state: 'retiring', retireAt: new Date((NOW - 1) * 1000) }]), 'key_retired');
  assert.ok(verify(token, {}, [{ ...key, state: 'retiring', retireAt: new Date((NOW + 3600) * 1000) }]));
  expectReason(() => verify(token, {}, [{ ...key, notAfter: new Date((NOW - 1) * 1000) }]), 'key_expired');
  expectReason(() => verify(token, {}, [{ ...key, notBefore: new Date((NOW + 60) * 1000) }]), 'key_not_yet_valid');
  // A forger never learns that the key is revoked: the signature check comes first.
  const forged = await joseSign({ alg: 'RS256', kid: 'k1' }, claims(), keyPair('rsa2').privateKey);
  expectReason(() => verify(forged, {}, [{ ...key, state: 'revoked' }]), 'signature_invalid');
});

test('policy: maxLength also applies at verify time; bad policy values and context are TypeErrors', async () => {
  const token = await assertion();
  expectReason(() => verify(token, { policy: { maxLength: 100 } }), 'assertion_too_large');
  assert.throws(() => verify(token, { now: Date.now() }), TypeError);
  assert.throws(() => verify(token, { issuer: '' }), TypeError);
  assert.throws(() => verify(token, { policy: { audience: 'loose' as 'strict' } }), TypeError);
  assert.throws(() => verify(token, { policy: { allowedAlgs: ['HS256' as 'RS256'] } }), TypeError);
});
