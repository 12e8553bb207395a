// The attack matrix, run against the one verification path (parseClientAssertion +
// verifyClientAssertion → verifyWithRegisteredKeys → verifyJwsSignature → crypto.verify).
// Every attack must be refused with its reason, and never reach the replay reservation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, createPublicKey, sign } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK } from 'jose';
import { parseClientAssertion, verifyClientAssertion, parseDirectToken, verifyDirectToken } from '../../packages/core/src/assertion/index.ts';
import { OAuthError } from '../../packages/core/src/errors.ts';
import { b64u, handSign, joseSign, keyPair, registeredKey } from './fixtures.ts';

const ISSUER = 'https://as.example';
const TOKEN_ENDPOINT = 'https://as.example/oauth/token';
const NOW = 1_800_000_000;
const CLIENT = 'client-123';
const rsa = keyPair('rsa');
const ec = keyPair('p256');
const attacker = keyPair('rsa2');
const rsaKey = await registeredKey(rsa.publicKey, { kid: 'rsa-1' });
const ecKey = await registeredKey(ec.publicKey, { kid: 'ec-1' });
const KEYS = [rsaKey, ecKey];
const CLAIMS = { iss: CLIENT, sub: CLIENT, aud: ISSUER, jti: 'jti-attack', iat: NOW - 5, exp: NOW + 55, x: 'a' };
const publicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const publicJwk = await exportJWK(rsa.publicKey);

/** The token endpoint's order of work, minus HTTP: verify, THEN reserve the jti. */
const reserved = new Set<string>();
function authenticate(token: string): void {
  const parsed = parseClientAssertion(token);
  const verified = verifyClientAssertion(parsed, { keys: KEYS, issuer: ISSUER, tokenEndpoint: TOKEN_ENDPOINT, now: NOW });
  reserved.add(`${verified.clientId}:${verified.jti}`);
}

function refused(token: string, reason: string, message?: RegExp): void {
  const before = reserved.size;
  assert.throws(() => authenticate(token), (error: unknown) => {
    assert.ok(error instanceof OAuthError, `expected OAuthError, got ${String(error)}`);
    assert.equal(error.reason, reason);
    if (message) assert.match(error.message, message);
    if (token.length >= 20) assert.ok(!error.message.includes(token.slice(0, 20)), 'a refusal never echoes the token');
    return true;
  });
  assert.equal(reserved.size, before, 'a refused assertion never reaches the jti reservation');
}

function hs256(header: Record<string, unknown>, claims: Record<string, unknown>, secret: string | Buffer): string {
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}`;
  return `${input}.${b64u(createHmac('sha256', secret).update(input).digest())}`;
}

/** Re-encodes a part after flipping one bit of the last character of `find` in its decoded JSON. */
function flipInJson(token: string, part: 0 | 1, find: string): string {
  const parts = token.split('.');
  const text = Buffer.from(parts[part]!, 'base64url');
  const at = text.indexOf(find);
  assert.ok(at >= 0);
  const last = at + find.length - 1;
  text[last] = text[last]! ^ 0x02;
  parts[part] = b64u(text);
  return parts.join('.');
}

test('baseline: the honest assertion is accepted and reserved once', async () => {
  authenticate(await joseSign({ alg: 'RS256', kid: 'rsa-1' }, CLAIMS, rsa.privateKey));
  assert.equal(reserved.size, 1);
  reserved.clear();
});

test('attack: alg none, without and with a signature → alg_not_allowed', () => {
  const unsigned = `${b64u('{"alg":"none"}')}.${b64u(JSON.stringify(CLAIMS))}.`;
  refused(unsigned, 'alg_not_allowed', /none/);
  refused(`${unsigned}${b64u(Buffer.alloc(256, 7))}`, 'alg_not_allowed');
  refused(`${b64u('{"alg":"None"}')}.${b64u(JSON.stringify(CLAIMS))}.`, 'alg_not_allowed');
  refused(`${b64u('{"alg":"NONE","kid":"rsa-1"}')}.${b64u(JSON.stringify(CLAIMS))}.`, 'alg_not_allowed');
});

test('attack: HS256 signed with the public key (PEM and JWK) as the HMAC secret → alg_not_allowed', () => {
  refused(hs256({ alg: 'HS256', kid: 'rsa-1' }, CLAIMS, publicPem), 'alg_not_allowed', /HMAC/);
  refused(hs256({ alg: 'HS256' }, CLAIMS, JSON.stringify(publicJwk)), 'alg_not_allowed');
  refused(hs256({ alg: 'HS384' }, CLAIMS, Buffer.from(publicPem)), 'alg_not_allowed');
});

test('attack: embedded jwk header carrying the attacker\'s key → header_key_not_allowed', async () => {
  const jwk = await exportJWK(attacker.publicKey);
  refused(handSign({ alg: 'RS256', jwk }, CLAIMS, attacker.privateKey), 'header_key_not_allowed', /"jwk"/);
  refused(handSign({ alg: 'RS256', kid: 'rsa-1', jwk }, CLAIMS, attacker.privateKey), 'header_key_not_allowed');
});

test('attack: jku / x5u / x5c headers → header_key_not_allowed, and the URLs are never fetched', async () => {
  let requests = 0;
  const server = createServer((_req, res) => { requests++; res.end('{"keys":[]}'); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const base = `http://127.0.0.1:${port}`;
    refused(handSign({ alg: 'RS256', jku: `${base}/jwks.json` }, CLAIMS, attacker.privateKey), 'header_key_not_allowed', /"jku"/);
    refused(handSign({ alg: 'RS256', kid: 'rsa-1', x5u: `${base}/cert.pem` }, CLAIMS, attacker.privateKey), 'header_key_not_allowed', /"x5u"/);
    refused(handSign({ alg: 'RS256', x5c: ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'] }, CLAIMS, attacker.privateKey), 'header_key_not_allowed');
    // The direct mode shares the path.
    assert.throws(() => parseDirectToken(handSign({ alg: 'RS256', jku: `${base}/jwks.json` }, { clientcode: CLIENT, iat: NOW }, attacker.privateKey)), { reason: 'header_key_not_allowed' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Sanity: the server does answer when someone actually asks it.
    assert.equal(requests, 0, 'no request ever reached the jku/x5u server');
    await fetch(`${base}/probe`);
    assert.equal(requests, 1);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test('attack: kid with path traversal or SQL → kid_unknown (kid is only compared, never used as a path or query)', () => {
  for (const kid of ['../../etc/passwd', '/dev/null', "' OR 1=1 --", "rsa-1' --", 'rsa-1\u0000', '', 'RSA-1']) {
    refused(handSign({ alg: 'RS256', kid }, CLAIMS, attacker.privateKey), 'kid_unknown');
  }
});

test('attack: unknown crit, b64:false → crit_unsupported', () => {
  refused(handSign({ alg: 'RS256', kid: 'rsa-1', crit: ['http://evil.example/ext'], 'http://evil.example/ext': true }, CLAIMS, rsa.privateKey), 'crit_unsupported');
  refused(handSign({ alg: 'RS256', kid: 'rsa-1', b64: false, crit: ['b64'] }, CLAIMS, rsa.privateKey), 'crit_unsupported');
  refused(handSign({ alg: 'RS256', kid: 'rsa-1', b64: false }, CLAIMS, rsa.privateKey), 'crit_unsupported');
});

test('attack: one bit flipped in the header, the payload, or the signature → signature_invalid', async () => {
  const token = handSign({ alg: 'RS256', kid: 'rsa-1', x: 'a' }, CLAIMS, rsa.privateKey);
  authenticate(token);
  reserved.clear();
  refused(flipInJson(token, 0, '"x":"a'), 'signature_invalid');
  refused(flipInJson(token, 1, 'attack'), 'signature_invalid');
  const parts = token.split('.');
  const sig = Buffer.from(parts[2]!, 'base64url');
  sig[100] = sig[100]! ^ 0x01;
  refused(`${parts[0]}.${parts[1]}.${b64u(sig)}`, 'signature_invalid');
});

test('attack: ECDSA psychic signature (r = s = 0, CVE-2022-21449), wrong length, DER encoding → signature_invalid', () => {
  const token = handSign({ alg: 'ES256', kid: 'ec-1' }, CLAIMS, ec.privateKey, 'ES256');
  authenticate(token);
  reserved.clear();
  const input = token.slice(0, token.lastIndexOf('.'));
  refused(`${input}.${b64u(Buffer.alloc(64))}`, 'signature_invalid');
  refused(`${input}.${b64u(Buffer.alloc(1))}`, 'signature_invalid');
  const sig = Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url');
  refused(`${input}.${b64u(sig.subarray(0, 48))}`, 'signature_invalid');
  refused(`${input}.${b64u(Buffer.concat([sig, Buffer.alloc(32)]))}`, 'signature_invalid');
  const der = sign('sha256', Buffer.from(input), { key: ec.privateKey, dsaEncoding: 'der' });
  refused(`${input}.${b64u(der)}`, 'signature_invalid');
});

test('attack: algorithm confusion between key types → alg_key_mismatch; PS256 presented as RS256 → signature_invalid', () => {
  refused(handSign({ alg: 'RS256', kid: 'ec-1' }, CLAIMS, rsa.privateKey), 'alg_key_mismatch');
  refused(handSign({ alg: 'ES256', kid: 'rsa-1' }, CLAIMS, ec.privateKey, 'ES256'), 'alg_key_mismatch');
  refused(handSign({ alg: 'EdDSA' }, CLAIMS, keyPair('ed25519').privateKey, 'EdDSA'), 'alg_key_mismatch');
  const ps = handSign({ alg: 'PS256', kid: 'rsa-1' }, CLAIMS, rsa.privateKey, 'PS256');
  authenticate(ps);
  reserved.clear();
  const asRs = `${b64u('{"alg":"RS256","kid":"rsa-1"}')}.${ps.split('.')[1]}.${ps.split('.')[2]}`;
  refused(asRs, 'signature_invalid');
});

test('attack: a token over 16 KiB → assertion_too_large', () => {
  refused(handSign({ alg: 'RS256', kid: 'rsa-1' }, { ...CLAIMS, pad: 'A'.repeat(16 * 1024) }, rsa.privateKey), 'assertion_too_large');
  refused('A'.repeat(1024 * 1024), 'assertion_too_large');
});

test('attack: malformed serializations → assertion_malformed (never a crash)', () => {
  const good = handSign({ alg: 'RS256', kid: 'rsa-1' }, CLAIMS, rsa.privateKey);
  const [h, p, s] = good.split('.') as [string, string, string];
  const cases = [
    '', '.', '..', '...', h, `${h}.${p}`, `${h}.${p}.${s}.${s}`, `${h}.${p}.${s}.`,
    `${h}.${p}.${s}===`, `${h}.${p}.${s.replace(/_/g, '/')}/`, `${h}.${p}!.${s}`,
    `${b64u('not json')}.${p}.${s}`, `${h}.${b64u('not json')}.${s}`,
    `${h}.${b64u('[1,2,3]')}.${s}`, `${b64u('["alg","RS256"]')}.${p}.${s}`, `${h}.${b64u('null')}.${s}`,
    `${h}.${b64u('{"iss":"a","iss":"b"}')}.${s}`, `${b64u('{"alg":"RS256","alg":"none"}')}.${p}.${s}`,
    'eyJhbGciOiJSUzI1NiJ9', 'eyJ.eyJ.eyJ', '\u00e9.\u00e9.\u00e9',
  ];
  for (const token of cases) refused(token, 'assertion_malformed');
});

test('attack: line breaks smuggled into a valid token → assertion_line_breaks', () => {
  const good = handSign({ alg: 'RS256', kid: 'rsa-1' }, CLAIMS, rsa.privateKey);
  refused(`${good.slice(0, 100)}\n${good.slice(100)}`, 'assertion_line_breaks', /line breaks/);
  refused(`${good.slice(0, 100)}\r\n${good.slice(100)}`, 'assertion_line_breaks');
});

test('attack: iat / exp in milliseconds → reason names milliseconds', async () => {
  refused(await joseSign({ alg: 'RS256', kid: 'rsa-1' }, { ...CLAIMS, iat: NOW * 1000 }, rsa.privateKey), 'iat_in_milliseconds', /milliseconds/);
  refused(await joseSign({ alg: 'RS256', kid: 'rsa-1' }, { ...CLAIMS, exp: (NOW + 60) * 1000 }, rsa.privateKey), 'exp_in_milliseconds', /milliseconds/);
});

test('attack: a token signed for the direct mode is not a client assertion, and vice versa', async () => {
  const direct = await joseSign({ alg: 'RS256', typ: 'JWT' }, { clientcode: CLIENT, iat: NOW }, rsa.privateKey);
  refused(direct, 'iss_mismatch');
  const assertion = await joseSign({ alg: 'RS256', kid: 'rsa-1', typ: 'client-authentication+jwt' }, { ...CLAIMS, clientcode: CLIENT }, rsa.privateKey);
  assert.throws(() => verifyDirectToken(parseDirectToken(assertion), { keys: KEYS, now: NOW }), { reason: 'typ_not_allowed' });
});

test('after all attacks nothing was reserved, and the public key was never used as a secret', () => {
  assert.equal(reserved.size, 0);
  assert.ok(createPublicKey(publicPem));
});
