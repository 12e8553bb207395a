// Mode B: direct client-signed tokens (source document 000), every rule positive and negative,
// through the framework-free verifier.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHmac } from 'node:crypto';
import jsonwebtoken from 'jsonwebtoken';
import type { OAuthError } from '../../packages/core/src/errors.ts';
import { createVerifier } from '../../packages/verify/src/create-verifier.ts';
import { createMemoryReplayStore } from '../../packages/verify/src/memory-replay-store.ts';
import { signClientAssertion } from '../../packages/core/src/assertion/sign-client-assertion.ts';
import type { ClientKeys } from '../../packages/verify/src/types.ts';
import { pair, bearer, mapKeySource, nowSeconds, refused, registered, signRaw, signToken } from './fixtures.ts';
import { PYJWT_000_FUNCTIONS } from '../interop/helpers.ts';


const alice = pair('alice');
const mallory = pair('mallory');
const clients = new Map<string, ClientKeys>([
  ['client_12345', { state: 'enabled', keys: [registered(alice.publicKey, { kid: 'alice-1' })], scopes: ['read'] }],
  ['disabled_client', { state: 'disabled', keys: [registered(alice.publicKey)] }],
  ['revoked_client', { state: 'enabled', keys: [registered(alice.publicKey, { state: 'revoked' })] }],
]);

function makeVerifier(extra: Record<string, unknown> = {}) {
  const refusals: OAuthError[] = [];
  const verifier = createVerifier({
    realm: 'api',
    direct: { keys: mapKeySource(clients), ...extra },
    onRefusal: (refusal) => refusals.push(refusal),
  });
  return { verifier, refusals };
}

test('source 000: a { clientcode, iat } RS256 token is accepted and yields the principal', async () => {
  const { verifier } = makeVerifier();
  const token = await signToken(alice.privateKey, { clientcode: 'client_12345', iat: nowSeconds() });
  const principal = await verifier.verify(bearer(token));
  assert.equal(principal.clientId, 'client_12345');
  assert.equal(principal.mode, 'direct');
  assert.deepEqual(principal.scopes, ['read']);
  assert.equal(principal.claims.clientcode, 'client_12345');
});

test('source 000 Node snippet: jsonwebtoken.sign(payload, privateKey, { algorithm: "RS256" }) with exp +3600 is accepted', async () => {
  const { verifier } = makeVerifier();
  const pem = alice.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const payload = { clientcode: 'client_12345', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 3600 };
  const token = jsonwebtoken.sign(payload, pem, { algorithm: 'RS256' });
  assert.equal((await verifier.verify(bearer(token))).clientId, 'client_12345');
});

test('source 000 Python snippet: PyJWT (Debian python3-jwt) jwt.encode(payload, key, algorithm="RS256") is accepted, plain and encrypted key', async () => {
  const { verifier } = makeVerifier();
  const dir = mkdtempSync(join(tmpdir(), 'keyward-pyjwt-'));
  try {
    writeFileSync(join(dir, 'private_key.pem'), alice.privateKey.export({ type: 'pkcs1', format: 'pem' }));
    writeFileSync(join(dir, 'private_key_enc.pem'), alice.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 's3cret' }));
    // The snippet of the source document, verbatim apart from the file names and client id.
    const script = `
${PYJWT_000_FUNCTIONS}
import sys
private_key = load_private_key(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
token = generate_jwt('client_12345', private_key)
print(token)
`;
    writeFileSync(join(dir, 'gen.py'), script);
    for (const args of [['private_key.pem'], ['private_key_enc.pem', 's3cret']]) {
      const token = execFileSync('/usr/bin/python3', [join(dir, 'gen.py'), ...args.map((a, i) => (i === 0 ? join(dir, a) : a))], { encoding: 'utf8' }).trim();
      assert.equal((await verifier.verify(bearer(token))).clientId, 'client_12345');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the client-id claim is configurable (iss, sub)', async () => {
  for (const claim of ['iss', 'sub']) {
    const { verifier } = makeVerifier({ clientIdClaim: claim });
    const token = await signToken(alice.privateKey, { [claim]: 'client_12345', iat: nowSeconds() });
    assert.equal((await verifier.verify(bearer(token))).clientId, 'client_12345');
    const withClientcode = await signToken(alice.privateKey, { clientcode: 'client_12345', iat: nowSeconds() });
    assert.equal((await refused(verifier.verify(bearer(withClientcode)))).reason, 'client_id_claim_missing');
  }
});

test('missing clientcode is client_id_claim_missing (401 invalid_token)', async () => {
  const { verifier } = makeVerifier();
  const token = await signToken(alice.privateKey, { iat: nowSeconds() });
  const result = await verifier.authenticate(bearer(token));
  assert.equal(result.ok, false);
  if (!result.ok) {
    assert.equal(result.challenge.status, 401);
    assert.equal(result.challenge.body.error, 'invalid_token');
    assert.equal(result.challenge.refusal.reason, 'client_id_claim_missing');
  }
});

test('an unknown client and a bad signature answer the same public description (no client enumeration)', async () => {
  const { verifier } = makeVerifier();
  const unknown = await verifier.authenticate(bearer(await signToken(alice.privateKey, { clientcode: 'nobody', iat: nowSeconds() })));
  const forged = await verifier.authenticate(bearer(await signToken(mallory.privateKey, { clientcode: 'client_12345', iat: nowSeconds() })));
  assert.ok(!unknown.ok && !forged.ok);
  if (!unknown.ok && !forged.ok) {
    assert.equal(unknown.challenge.refusal.reason, 'client_unknown');
    assert.equal(forged.challenge.refusal.reason, 'signature_invalid');
    assert.deepEqual(unknown.challenge.body, forged.challenge.body);
    assert.equal(unknown.challenge.wwwAuthenticate, forged.challenge.wwwAuthenticate);
  }
});

test('a disabled client is refused (client_disabled)', async () => {
  const { verifier } = makeVerifier();
  const token = await signToken(alice.privateKey, { clientcode: 'disabled_client', iat: nowSeconds() });
  assert.equal((await refused(verifier.verify(bearer(token)))).reason, 'client_disabled');
});

test('a revoked key is refused (key_revoked), after the signature', async () => {
  const { verifier } = makeVerifier();
  const token = await signToken(alice.privateKey, { clientcode: 'revoked_client', iat: nowSeconds() });
  assert.equal((await refused(verifier.verify(bearer(token)))).reason, 'key_revoked');
});

test('iat rules: required, not in milliseconds, not in the future, at most maxIatAge (300 s) old', async () => {
  const { verifier } = makeVerifier();
  const now = nowSeconds();
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ clientcode: 'client_12345' }, 'iat_missing'],
    [{ clientcode: 'client_12345', iat: Date.now() }, 'iat_in_milliseconds'],
    [{ clientcode: 'client_12345', iat: now + 60 }, 'iat_in_future'],
    [{ clientcode: 'client_12345', iat: now - 316 }, 'iat_too_old'],
  ];
  for (const [claims, reason] of cases) {
    const token = await signToken(alice.privateKey, claims);
    assert.equal((await refused(verifier.verify(bearer(token)))).reason, reason, JSON.stringify(claims));
  }
  // Within the tolerance and the age limit: accepted.
  assert.ok(await verifier.verify(bearer(await signToken(alice.privateKey, { clientcode: 'client_12345', iat: now - 290 }))));
  assert.ok(await verifier.verify(bearer(await signToken(alice.privateKey, { clientcode: 'client_12345', iat: now + 10 }))));
});

test('maxIatAge is configurable', async () => {
  const { verifier } = makeVerifier({ maxIatAge: 30, clockTolerance: 0 });
  const token = await signToken(alice.privateKey, { clientcode: 'client_12345', iat: nowSeconds() - 40 });
  assert.equal((await refused(verifier.verify(bearer(token)))).reason, 'iat_too_old');
});

test('exp is optional but, when present, must not have passed and is capped (maxLifetime)', async () => {
  const { verifier } = makeVerifier({ maxLifetime: 600 });
  const now = nowSeconds();
  const expired = await signToken(alice.privateKey, { clientcode: 'client_12345', iat: now - 100, exp: now - 30 });
  assert.equal((await refused(verifier.verify(bearer(expired)))).reason, 'assertion_expired');
  const tooLong = await signToken(alice.privateKey, { clientcode: 'client_12345', iat: now, exp: now + 601 });
  assert.equal((await refused(verifier.verify(bearer(tooLong)))).reason, 'lifetime_too_long');
  const ok = await signToken(alice.privateKey, { clientcode: 'client_12345', iat: now, exp: now + 600 });
  assert.ok(await verifier.verify(bearer(ok)));
});

test('algorithm rules: none and HS256 (public key as HMAC secret) are refused; the allow-list applies', async () => {
  const { verifier } = makeVerifier({ allowedAlgs: ['PS256'] });
  const claims = { clientcode: 'client_12345', iat: nowSeconds() };
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  const secret = alice.publicKey.export({ type: 'spki', format: 'pem' });
  const hs = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
  assert.equal((await refused(verifier.verify(bearer(hs)))).reason, 'alg_not_allowed');
  const rs = await signToken(alice.privateKey, claims);
  assert.equal((await refused(verifier.verify(bearer(rs)))).reason, 'alg_not_allowed', 'RS256 is outside this allow-list');
  const ps = await signToken(alice.privateKey, claims, { alg: 'PS256', typ: 'JWT' });
  assert.ok(await verifier.verify(bearer(ps)));
});

test('alg "none" with an empty signature never passes', async () => {
  const { verifier } = makeVerifier();
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const none = `${b64({ alg: 'none' })}.${b64({ clientcode: 'client_12345', iat: nowSeconds() })}.`;
  const error = await refused(verifier.verify(bearer(none)));
  assert.ok(['alg_not_allowed', 'assertion_malformed'].includes(error.reason), error.reason);
});

test('a signature by another key is signature_invalid; an unknown kid is kid_unknown', async () => {
  const { verifier } = makeVerifier();
  const forged = await signToken(mallory.privateKey, { clientcode: 'client_12345', iat: nowSeconds() });
  assert.equal((await refused(verifier.verify(bearer(forged)))).reason, 'signature_invalid');
  const unknownKid = await signToken(alice.privateKey, { clientcode: 'client_12345', iat: nowSeconds() }, { alg: 'RS256', kid: 'nope' });
  assert.equal((await refused(verifier.verify(bearer(unknownKid)))).reason, 'kid_unknown');
  const knownKid = await signToken(alice.privateKey, { clientcode: 'client_12345', iat: nowSeconds() }, { alg: 'RS256', kid: 'alice-1' });
  assert.ok(await verifier.verify(bearer(knownKid)));
});

test('keys offered in the header (jwk) are never used: header_key_not_allowed', async () => {
  const { verifier } = makeVerifier();
  const jwk = mallory.publicKey.export({ format: 'jwk' });
  const token = signRaw(mallory.privateKey, { alg: 'RS256', jwk }, { clientcode: 'client_12345', iat: nowSeconds() });
  assert.equal((await refused(verifier.verify(bearer(token)))).reason, 'header_key_not_allowed');
});

test('an access token (typ at+jwt) is not accepted as a direct token when mode A is off', async () => {
  const { verifier } = makeVerifier();
  const token = await signToken(alice.privateKey, { clientcode: 'client_12345', iat: nowSeconds() }, { alg: 'RS256', typ: 'at+jwt' });
  assert.equal((await refused(verifier.verify(bearer(token)))).reason, 'typ_not_allowed');
});

const AS_ISSUER = 'https://as.example.com';
const AS_TOKEN_ENDPOINT = 'https://as.example.com/oauth/token';

test('RFC 8725 §3.12: a real client assertion for the token endpoint is never a direct token (clientIdClaim iss or default, issuer known or not)', async () => {
  const assertion = await signClientAssertion({ clientId: 'client_12345', audience: AS_ISSUER, privateKey: alice.privateKey });
  const legacy = await signClientAssertion({ clientId: 'client_12345', audience: AS_TOKEN_ENDPOINT, privateKey: alice.privateKey });
  const typed = await signClientAssertion({ clientId: 'client_12345', audience: AS_ISSUER, privateKey: alice.privateKey, typ: 'client-authentication+jwt' });
  for (const extra of [{ clientIdClaim: 'iss', issuer: AS_ISSUER, tokenEndpoint: AS_TOKEN_ENDPOINT }, { clientIdClaim: 'iss' }, { clientIdClaim: 'sub' }]) {
    const { verifier } = makeVerifier(extra);
    assert.equal((await refused(verifier.verify(bearer(assertion)))).reason, 'not_a_direct_token', JSON.stringify(extra));
    assert.equal((await refused(verifier.verify(bearer(legacy)))).reason, 'not_a_direct_token', JSON.stringify(extra));
    assert.equal((await refused(verifier.verify(bearer(typed)))).reason, 'typ_not_allowed', JSON.stringify(extra));
  }
  // The default claim (clientcode): an assertion has none, and one that adds it is still refused.
  const { verifier } = makeVerifier({ issuer: AS_ISSUER });
  assert.equal((await refused(verifier.verify(bearer(assertion)))).reason, 'client_id_claim_missing');
  const withClientcode = await signClientAssertion({ clientId: 'client_12345', audience: AS_ISSUER, privateKey: alice.privateKey, claims: { clientcode: 'client_12345' } });
  assert.equal((await refused(verifier.verify(bearer(withClientcode)))).reason, 'not_a_direct_token');
  assert.equal((await refused(makeVerifier().verifier.verify(bearer(withClientcode)))).reason, 'not_a_direct_token');
});

test('RFC 8725 §3.12: aud naming the server (issuer, token endpoint, in an array, trailing slash) is refused; the issuer comes from direct.issuer, mode A or the key source', async () => {
  const now = nowSeconds();
  // No sub: only the aud rule can catch these.
  const tokens = [
    await signToken(alice.privateKey, { iss: 'client_12345', aud: AS_ISSUER, iat: now }),
    await signToken(alice.privateKey, { iss: 'client_12345', aud: ['https://api.example.com', `${AS_ISSUER}/`], iat: now }),
  ];
  const endpoint = await signToken(alice.privateKey, { iss: 'client_12345', aud: AS_TOKEN_ENDPOINT, iat: now });
  const withIssuer = makeVerifier({ clientIdClaim: 'iss', issuer: AS_ISSUER, tokenEndpoint: AS_TOKEN_ENDPOINT }).verifier;
  const viaModeA = createVerifier({ direct: { keys: mapKeySource(clients), clientIdClaim: 'iss' }, accessToken: { issuer: AS_ISSUER, audience: 'https://api.example.com', jwksUri: 'https://as.example.com/jwks' } });
  const viaSource = createVerifier({ direct: { keys: Object.assign(mapKeySource(clients), { issuer: AS_ISSUER }), clientIdClaim: 'iss' } });
  for (const verifier of [withIssuer, viaModeA, viaSource]) {
    for (const token of tokens) assert.equal((await refused(verifier.verify(bearer(token)))).reason, 'not_a_direct_token');
  }
  assert.equal((await refused(withIssuer.verify(bearer(endpoint)))).reason, 'not_a_direct_token');
  // Without the issuer these are plain direct tokens; an aud naming the API itself always passes.
  const unaware = makeVerifier({ clientIdClaim: 'iss' }).verifier;
  for (const token of [...tokens, endpoint]) assert.equal((await unaware.verify(bearer(token))).clientId, 'client_12345');
  const forApi = await signToken(alice.privateKey, { iss: 'client_12345', aud: 'https://api.example.com', iat: now });
  assert.equal((await withIssuer.verify(bearer(forApi))).clientId, 'client_12345');
  assert.throws(() => makeVerifier({ issuer: '' }), /direct\.issuer/);
});

test('RFC 8725 §3.12: a token with the shape of an access token is refused (client_id + scope, iss = the server, typ at+jwt)', async () => {
  const now = nowSeconds();
  const { verifier } = makeVerifier({ issuer: AS_ISSUER });
  const shaped = await signToken(alice.privateKey, { clientcode: 'client_12345', client_id: 'client_12345', scope: 'read', iat: now });
  assert.equal((await refused(verifier.verify(bearer(shaped)))).reason, 'not_a_direct_token');
  assert.equal((await refused(makeVerifier().verifier.verify(bearer(shaped)))).reason, 'not_a_direct_token');
  const issued = await signToken(alice.privateKey, { clientcode: 'client_12345', iss: AS_ISSUER, iat: now });
  assert.equal((await refused(verifier.verify(bearer(issued)))).reason, 'not_a_direct_token');
  for (const typ of ['at+jwt', 'application/at+jwt', 'dpop+jwt', 'client-authentication+jwt', 'secevent+jwt']) {
    const typed = await signToken(alice.privateKey, { clientcode: 'client_12345', iat: now }, { alg: 'RS256', typ });
    assert.equal((await refused(verifier.verify(bearer(typed)))).reason, 'typ_not_allowed', typ);
  }
  // The seed-000 token (jsonwebtoken, RS256, { clientcode, iat, exp }) still passes with every rule on.
  const pem = alice.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const seed = jsonwebtoken.sign({ clientcode: 'client_12345', iat: now, exp: now + 3600 }, pem, { algorithm: 'RS256' });
  assert.equal((await verifier.verify(bearer(seed))).clientId, 'client_12345');
});

test('a token over the size limit is refused before parsing', async () => {
  const { verifier } = makeVerifier();
  const big = await signToken(alice.privateKey, { clientcode: 'client_12345', iat: nowSeconds(), pad: 'x'.repeat(20_000) });
  assert.equal((await refused(verifier.verify(bearer(big)))).reason, 'assertion_too_large');
});

test('RFC 7519 §4.1.7 replay cache: a jti is accepted once; a refused token does not burn its jti; no jti passes unless required', async () => {
  const replay = createMemoryReplayStore();
  const { verifier } = makeVerifier({ replay });
  const now = nowSeconds();
  const token = await signToken(alice.privateKey, { clientcode: 'client_12345', iat: now, jti: 'j-1' });
  assert.ok(await verifier.verify(bearer(token)));
  assert.equal((await refused(verifier.verify(bearer(token)))).reason, 'jti_replayed');
  // Refused (bad signature) first: the same jti is still usable by the real client afterwards.
  const forged = await signToken(mallory.privateKey, { clientcode: 'client_12345', iat: now, jti: 'j-2' });
  assert.equal((await refused(verifier.verify(bearer(forged)))).reason, 'signature_invalid');
  assert.ok(await verifier.verify(bearer(await signToken(alice.privateKey, { clientcode: 'client_12345', iat: now, jti: 'j-2' }))));
  // No jti: accepted (the source document sends none) unless requireJti.
  const plain = await signToken(alice.privateKey, { clientcode: 'client_12345', iat: now });
  assert.ok(await verifier.verify(bearer(plain)));
  const strict = makeVerifier({ replay, requireJti: true }).verifier;
  assert.equal((await refused(strict.verify(bearer(plain)))).reason, 'jti_missing');
});

test('per-route scopes: missing scope is 403 insufficient_scope', async () => {
  const { verifier } = makeVerifier();
  const token = await signToken(alice.privateKey, { clientcode: 'client_12345', iat: nowSeconds() });
  assert.ok(await verifier.verify(bearer(token), { scopes: ['read'] }));
  const result = await verifier.authenticate(bearer(token), { scopes: ['write'] });
  assert.ok(!result.ok);
  if (!result.ok) {
    assert.equal(result.challenge.status, 403);
    assert.match(result.challenge.wwwAuthenticate ?? '', /error="insufficient_scope".*scope="write"/);
  }
});

test('per-route modes: a route for access tokens only refuses direct tokens', async () => {
  const { verifier } = makeVerifier();
  const token = await signToken(alice.privateKey, { clientcode: 'client_12345', iat: nowSeconds() });
  assert.equal((await refused(verifier.verify(bearer(token), { modes: ['access_token'] }))).reason, 'token_invalid');
});

test('rotation: a key added at the source is picked up on the unknown kid / failed signature, without restart', async () => {
  const rotating = new Map<string, ClientKeys>([['rot', { state: 'enabled', keys: [registered(alice.publicKey, { kid: 'k1' })] }]]);
  const source = mapKeySource(rotating, { ttlSeconds: 3600, cooldownSeconds: 0 });
  const verifier = createVerifier({ direct: { keys: source } });
  assert.ok(await verifier.verify(bearer(await signToken(alice.privateKey, { clientcode: 'rot', iat: nowSeconds() }))));
  const next = pair('alice-next');
  rotating.set('rot', { state: 'enabled', keys: [registered(alice.publicKey, { kid: 'k1' }), registered(next.publicKey, { kid: 'k2' })] });
  // With kid: unknown kid → refetch.
  assert.ok(await verifier.verify(bearer(await signToken(next.privateKey, { clientcode: 'rot', iat: nowSeconds() }, { alg: 'RS256', kid: 'k2' }))));
  // Without kid (the seed sends none): failed signature → refetch.
  const third = pair('alice-third');
  rotating.set('rot', { state: 'enabled', keys: [registered(third.publicKey, { kid: 'k3' })] });
  assert.ok(await verifier.verify(bearer(await signToken(third.privateKey, { clientcode: 'rot', iat: nowSeconds() }))));
});

test('the refetch on a bad signature is rate-limited by the source cooldown', async () => {
  const source = mapKeySource(clients, { ttlSeconds: 3600, cooldownSeconds: 60 });
  const verifier = createVerifier({ direct: { keys: source } });
  const forged = await signToken(mallory.privateKey, { clientcode: 'client_12345', iat: nowSeconds() });
  for (let i = 0; i < 5; i++) await refused(verifier.verify(bearer(forged)));
  assert.equal(source.loads, 1, 'one load; forced refetches wait for the cooldown');
});

test('onRefusal receives the precise reason but never the token', async () => {
  const { verifier, refusals } = makeVerifier();
  const token = await signToken(mallory.privateKey, { clientcode: 'client_12345', iat: nowSeconds() });
  await verifier.authenticate(bearer(token));
  assert.equal(refusals.length, 1);
  assert.equal(refusals[0]?.reason, 'signature_invalid');
  assert.ok(!refusals[0]?.message.includes(token));
  assert.ok(!(refusals[0]?.detail ?? '').includes(token.split('.')[2] as string));
});

test('the clock is injectable', async () => {
  const iat = nowSeconds();
  const token = await signToken(alice.privateKey, { clientcode: 'client_12345', iat });
  const later = createVerifier({ direct: { keys: mapKeySource(clients) }, now: () => (iat + 1000) * 1000 });
  assert.equal((await refused(later.verify(bearer(token)))).reason, 'iat_too_old');
});

test('garbage never crashes: malformed tokens are 401 invalid_token', async () => {
  const { verifier } = makeVerifier();
  for (const token of ['a.b.c', 'x', 'e30.e30.', `${'A'.repeat(10)}.${'B'.repeat(10)}`, 'eyJhbGciOiJSUzI1NiJ9.bnVsbA.AA']) {
    const result = await verifier.authenticate(bearer(token));
    assert.ok(!result.ok);
    if (!result.ok) assert.equal(result.challenge.status, 401, token);
  }
});

test('parse cache: a token presented again is still checked (signature already, time rules anew), and its claims are read-only', async () => {
  let clock = Date.now();
  const verifier = createVerifier({ direct: { keys: mapKeySource(clients) }, now: () => clock });
  const token = await signToken(alice.privateKey, { clientcode: 'client_12345', iat: nowSeconds(), nested: { a: 1 } });
  const first = await verifier.verify(bearer(token));
  assert.throws(() => { (first.claims as Record<string, unknown>).clientcode = 'someone-else'; }, TypeError);
  assert.throws(() => { ((first.claims.nested as Record<string, unknown>).a = 2); }, TypeError);
  assert.equal((await verifier.verify(bearer(token))).clientId, 'client_12345');
  clock += 400_000;
  assert.equal((await refused(verifier.verify(bearer(token)))).reason, 'iat_too_old', 'the cached parse is re-checked against the clock');
  // A forged token whose header and payload equal a cached one still fails on its signature.
  clock = Date.now();
  const [h, p] = token.split('.');
  const forgedSig = (await signToken(mallory.privateKey, { clientcode: 'client_12345', iat: nowSeconds() })).split('.')[2];
  assert.equal((await refused(verifier.verify(bearer(`${h}.${p}.${forgedSig}`)))).reason, 'signature_invalid');
});

test('parse cache: a refused token is never cached (forged tokens cannot fill or poison it)', async () => {
  const verifier = createVerifier({ direct: { keys: mapKeySource(clients) }, parseCacheSize: 1 });
  const good = await signToken(alice.privateKey, { clientcode: 'client_12345', iat: nowSeconds() });
  const first = await verifier.verify(bearer(good));
  const forged = await signToken(mallory.privateKey, { clientcode: 'client_12345', iat: nowSeconds() });
  await refused(verifier.verify(bearer(forged)));
  // The good token's cached parse survived (same frozen claims object comes back).
  assert.equal((await verifier.verify(bearer(good))).claims, first.claims);
});

test('a route that requires scopes tells a direct token without scopes why it is refused (403 insufficient_scope)', async () => {
  const noScopes = new Map<string, ClientKeys>([['client_plain', { state: 'enabled', keys: [registered(alice.publicKey)] }]]);
  const verifier = createVerifier({ realm: 'api', direct: { keys: mapKeySource(noScopes) } });
  const token = await signToken(alice.privateKey, { clientcode: 'client_plain', iat: nowSeconds() });
  const result = await verifier.authenticate(bearer(token), { scopes: ['read'] });
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(result.challenge.status, 403);
  assert.equal(result.challenge.body.error, 'insufficient_scope');
  assert.equal(result.challenge.body.error_description, 'direct tokens carry no scopes: this resource needs an access token with the required scope');
  assert.equal((await verifier.authenticate(bearer(token))).ok, true, 'the same token passes a route without scopes');
  // A client whose key source knows scopes gets the usual answer.
  const { verifier: withScopes } = makeVerifier();
  const other = await withScopes.authenticate(bearer(await signToken(alice.privateKey, { clientcode: 'client_12345', iat: nowSeconds() })), { scopes: ['admin'] });
  assert.equal(other.ok, false);
  if (!other.ok) assert.equal(other.challenge.body.error_description, 'the access token lacks the required scope');
});
