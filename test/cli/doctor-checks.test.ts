/**
 * `keyward doctor`'s diagnoses, one test each: every check is run on a token (or key file) that
 * breaks exactly the rule it names, and on a good one where it must pass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { runDoctor, isHealthy } from '../../packages/keyward/src/cli/lib/doctor/run-doctor.ts';
import { checkKeyKind, checkPemFormat, checkPrivateKeyOpens } from '../../packages/keyward/src/cli/lib/doctor/check-key-file.ts';
import { checkServer } from '../../packages/keyward/src/cli/lib/doctor/check-server.ts';
import type { Check, DoctorInput } from '../../packages/keyward/src/cli/lib/doctor/types.ts';
import { importPublicKey } from '../../packages/core/src/keys/index.ts';

const ISSUER = 'https://as.example';
const TOKEN_ENDPOINT = 'https://as.example/token';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const registered = [importPublicKey(publicKey)];
const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const now = Math.floor(Date.now() / 1000);

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Signs any header and payload (RS256), so tests can break one rule at a time. */
function makeJwt(payload: Record<string, unknown>, header: Record<string, unknown> = { alg: 'RS256', typ: 'JWT' }, key: KeyObject = privateKey): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

function goodClaims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { iss: 'c1', sub: 'c1', aud: ISSUER, jti: randomUUID(), iat: now, exp: now + 60, ...extra };
}

function doctor(token: string, extra: Partial<DoctorInput> = {}): Check[] {
  return runDoctor({ token, now, registeredKeys: registered, server: { issuer: ISSUER, tokenEndpoint: TOKEN_ENDPOINT, clockOffset: 0 }, clientId: 'c1', ...extra });
}

function find(checks: readonly Check[], id: string): Check {
  const check = checks.find((c) => c.id === id);
  assert.ok(check, `check ${id} is reported (got ${checks.map((c) => c.id).join(', ')})`);
  return check;
}

test('a good assertion passes every check, including the real verifier', () => {
  const checks = doctor(makeJwt(goodClaims()));
  assert.ok(isHealthy(checks), JSON.stringify(checks.filter((c) => c.status !== 'pass'), null, 2));
  assert.equal(find(checks, 'verifier').status, 'pass');
});

test('diagnosis: line breaks from `openssl base64 -e` are named with the -A / tr -d fix', () => {
  const token = makeJwt(goodClaims({ padding: 'x'.repeat(80) }));
  const [h, p, s] = token.split('.') as [string, string, string];
  const wrap = (part: string) => part.replace(/(.{64})/g, '$1\n');
  const checks = doctor(`${wrap(h)}.${wrap(p)}.${wrap(s)}`);
  const check = find(checks, 'format.line_breaks');
  assert.equal(check.status, 'fail');
  assert.equal(check.reason, 'assertion_line_breaks');
  assert.match(check.fix ?? '', /openssl base64 -A/);
  assert.match(check.fix ?? '', /tr -d/);
  // The other rules are still checked on the token without line breaks, and the verifier refuses it.
  assert.equal(find(checks, 'signature.verify').status, 'pass');
  assert.equal(find(checks, 'verifier').reason, 'assertion_line_breaks');
});

test('diagnosis: not a compact JWS (two parts)', () => {
  const check = find(doctor('abc.def'), 'format.structure');
  assert.equal(check.status, 'fail');
  assert.equal(check.reason, 'assertion_malformed');
});

test('diagnosis: iat in milliseconds', () => {
  const check = find(doctor(makeJwt(goodClaims({ iat: Date.now(), exp: undefined }))), 'claims.time_units');
  assert.equal(check.status, 'fail');
  assert.equal(check.reason, 'iat_in_milliseconds');
  assert.match(check.fix ?? '', /Math\.floor\(Date\.now\(\) \/ 1000\)/);
});

test('diagnosis: aud is the token endpoint but the server requires its issuer', () => {
  const checks = doctor(makeJwt(goodClaims({ aud: TOKEN_ENDPOINT })));
  const check = find(checks, 'claims.aud');
  assert.equal(check.status, 'fail');
  assert.match(check.title, /token endpoint URL, but the server requires its issuer/);
  assert.equal(find(checks, 'verifier').reason, 'aud_mismatch');
  // With the legacy audience policy the same token is only a warning.
  assert.equal(find(doctor(makeJwt(goodClaims({ aud: TOKEN_ENDPOINT })), { audiencePolicy: 'legacy' }), 'claims.aud').status, 'warn');
});

test('diagnosis: clock offset read from the server Date header', async () => {
  const server = createServer((req, res) => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    res.writeHead(200, { 'content-type': 'application/json', date: new Date(Date.now() - 120_000).toUTCString() });
    res.end(JSON.stringify({ issuer: url, token_endpoint: `${url}/token` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { checks, facts } = await checkServer(issuer);
    const check = find(checks, 'clock.offset');
    assert.equal(check.status, 'fail');
    assert.match(check.title, /ahead of the server's/);
    assert.ok(facts?.clockOffset !== undefined && Math.abs(facts.clockOffset + 120) <= 2);
    // With that offset, a token signed on our clock is "in the future" for the server.
    const token = makeJwt({ ...goodClaims(), aud: issuer });
    const iat = find(runDoctor({ token, now, registeredKeys: registered, server: facts!, clientId: 'c1' }), 'claims.iat');
    assert.equal(iat.reason, 'iat_in_future');
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('diagnosis: the key that would verify the signature is not the registered one', () => {
  const token = makeJwt(goodClaims(), undefined, other.privateKey);
  const checks = doctor(token, { privateKey: other.privateKey });
  const check = find(checks, 'signature.verify');
  assert.equal(check.status, 'fail');
  assert.equal(check.reason, 'signature_invalid');
  assert.match(check.detail ?? '', /WAS signed by the given private key/);
  assert.equal(find(checks, 'key.matches').status, 'fail');
});

test('diagnosis: kid that names no registered key', () => {
  const check = find(doctor(makeJwt(goodClaims(), { alg: 'RS256', kid: 'old-key' })), 'signature.kid');
  assert.equal(check.status, 'fail');
  assert.equal(check.reason, 'kid_unknown');
});

test('diagnosis: key file is a private key where a public key was expected', () => {
  const check = checkKeyKind({ path: 'key.pem', content: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), expected: 'public' });
  assert.equal(check.status, 'fail');
  assert.equal(check.reason, 'key_is_private');
  assert.match(check.fix ?? '', /keyward pubkey/);
  assert.equal(checkKeyKind({ path: 'key.pem', content: publicPem, expected: 'public' }).status, 'pass');
});

test('diagnosis: wrong passphrase, and no passphrase for an encrypted key', () => {
  const encrypted = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'correct horse' }).toString();
  const file = { path: 'private_key.pem', content: encrypted, expected: 'private' as const };
  assert.equal(checkPrivateKeyOpens(file, 'wrong').check.reason, 'passphrase_wrong');
  assert.equal(checkPrivateKeyOpens(file, undefined).check.reason, 'passphrase_required');
  const opened = checkPrivateKeyOpens(file, 'correct horse');
  assert.equal(opened.check.status, 'pass');
  assert.ok(opened.key);
});

test('diagnosis: PEM with extra whitespace (indentation, CRLF, trailing spaces) is a warning with the fix', () => {
  const messy = publicPem.split('\n').map((line) => `  ${line}  `).join('\r\n');
  const check = checkPemFormat({ path: 'public_key.pem', content: messy, expected: 'public' });
  assert.equal(check.status, 'warn');
  assert.match(check.title, /CRLF/);
  assert.match(check.title, /indented/);
  assert.match(check.title, /trailing spaces/);
  assert.equal(checkPemFormat({ path: 'public_key.pem', content: publicPem, expected: 'public' }).status, 'pass');
});

test('diagnosis: PEM with a missing END (or BEGIN) marker', () => {
  const truncated = publicPem.replace(/-----END PUBLIC KEY-----\n?$/, '');
  const check = checkPemFormat({ path: 'public_key.pem', content: truncated, expected: 'public' });
  assert.equal(check.status, 'fail');
  assert.match(check.title, /markers/);
  const headless = publicPem.replace('-----BEGIN PUBLIC KEY-----\n', '');
  assert.equal(checkPemFormat({ path: 'public_key.pem', content: headless, expected: 'public' }).status, 'fail');
});

test('diagnosis: alg none and HS256 are not allowed', () => {
  const none = `${b64({ alg: 'none' })}.${b64(goodClaims())}.`;
  assert.equal(find(doctor(none), 'header.alg').reason, 'alg_not_allowed');
  const hs = `${b64({ alg: 'HS256' })}.${b64(goodClaims())}.c2ln`;
  const check = find(doctor(hs), 'header.alg');
  assert.equal(check.reason, 'alg_not_allowed');
  assert.match(check.detail ?? '', /HMAC/);
});

test('diagnosis: exp missing, expired, lifetime too long', () => {
  assert.equal(find(doctor(makeJwt(goodClaims({ exp: undefined }))), 'claims.exp').reason, 'exp_missing');
  assert.equal(find(doctor(makeJwt(goodClaims({ iat: now - 600, exp: now - 300 }))), 'claims.exp').reason, 'assertion_expired');
  assert.equal(find(doctor(makeJwt(goodClaims({ exp: now + 3600 }))), 'claims.exp').reason, 'lifetime_too_long');
});

test('diagnosis: iat in the future beyond the tolerance', () => {
  assert.equal(find(doctor(makeJwt(goodClaims({ iat: now + 120, exp: now + 180 }))), 'claims.iat').reason, 'iat_in_future');
});

test('diagnosis: jti missing', () => {
  assert.equal(find(doctor(makeJwt(goodClaims({ jti: undefined }))), 'claims.jti').reason, 'jti_missing');
});

test('diagnosis: iss and sub differ, or are not the client ID', () => {
  assert.equal(find(doctor(makeJwt(goodClaims({ sub: 'someone-else' }))), 'claims.iss_sub').reason, 'sub_mismatch');
  assert.equal(find(doctor(makeJwt(goodClaims({ iss: 'c2', sub: 'c2' }))), 'claims.iss_sub').reason, 'iss_mismatch');
});

test('diagnosis: typ of another JWT kind (at+jwt) is not a client assertion', () => {
  assert.equal(find(doctor(makeJwt(goodClaims(), { alg: 'RS256', typ: 'at+jwt' })), 'header.typ').reason, 'typ_not_allowed');
});

test('diagnosis: a key in the header (jwk) is refused', () => {
  const check = find(doctor(makeJwt(goodClaims(), { alg: 'RS256', jwk: { kty: 'RSA' } })), 'header.key_headers');
  assert.equal(check.status, 'fail');
  assert.equal(check.reason, 'header_key_not_allowed');
});

test('direct mode: clientcode missing, iat missing, iat too old; a good direct token passes', () => {
  const direct = (claims: Record<string, unknown>) => runDoctor({ token: makeJwt(claims), now, registeredKeys: registered, direct: true, clientId: 'client_12345' });
  assert.ok(isHealthy(direct({ clientcode: 'client_12345', iat: now, exp: now + 3600 })));
  assert.equal(find(direct({ iat: now }), 'claims.client_id').reason, 'client_id_claim_missing');
  assert.equal(find(direct({ clientcode: 'client_12345' }), 'claims.iat').reason, 'iat_missing');
  assert.equal(find(direct({ clientcode: 'client_12345', iat: now - 1000 }), 'claims.iat').reason, 'iat_too_old');
});

test('without keys, the signature check is skipped (and says which option to give)', () => {
  const check = find(runDoctor({ token: makeJwt(goodClaims()), now }), 'signature.verify');
  assert.equal(check.status, 'skip');
  assert.match(check.title, /--key/);
});

test('diagnosis: the server announces another issuer than --issuer (RFC 8414 §3.3); an unreachable server is a failed check, not a crash', async () => {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', date: new Date().toUTCString() });
    res.end(JSON.stringify({ issuer: 'https://elsewhere.example', token_endpoint: 'https://elsewhere.example/token' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const { checks } = await checkServer(issuer);
    const check = find(checks, 'server.discovery');
    assert.equal(check.status, 'fail');
    assert.match(check.fix ?? '', /elsewhere\.example/);
    assert.equal(find(checks, 'clock.offset').status, 'pass');
  } finally {
    server.closeAllConnections();
    server.close();
  }
  const unreachable = await checkServer(issuer);
  assert.equal(find(unreachable.checks, 'server.discovery').status, 'fail');
  assert.match(find(unreachable.checks, 'server.discovery').title, /cannot reach/);
});
