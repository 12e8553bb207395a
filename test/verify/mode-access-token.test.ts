// Mode A: RFC 9068 access tokens, verified with the issuer's JWKS found by RFC 8414 discovery, against
// a local issuer (discovery + JWKS + introspection) on 127.0.0.1.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { createVerifier } from '../../packages/verify/src/create-verifier.ts';
import { pair, bearer, nowSeconds, readBody, refused, startServer, type TestServer, publicJwk } from './fixtures.ts';

const signing = pair('issuer-ec', 'p256');
const signingRsa = pair('issuer-rsa');
const attacker = pair('attacker-ec', 'p256');
const rsClient = pair('rs-client');
const RESOURCE = 'https://api.example.com';

interface IssuerState {
  keys: Record<string, unknown>[];
  jwksHits: number;
  jwksDown: boolean;
  maxAge: number;
  revoked: Set<string>;
  introspections: number;
  lastIntrospectionBody?: URLSearchParams;
}
const state: IssuerState = { keys: [], jwksHits: 0, jwksDown: false, maxAge: 300, revoked: new Set(), introspections: 0 };

async function startIssuer(): Promise<TestServer> {
  const server = await startServer(async (req, res) => {
    const base = `http://127.0.0.1:${(req.socket.localPort as number)}`;
    if (req.url === '/.well-known/oauth-authorization-server') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ issuer: base, jwks_uri: `${base}/jwks`, token_endpoint: `${base}/token`, introspection_endpoint: `${base}/introspect` }));
    } else if (req.url === '/jwks') {
      state.jwksHits++;
      if (state.jwksDown) {
        res.statusCode = 503;
        res.end();
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.setHeader('cache-control', `max-age=${state.maxAge}`);
      res.end(JSON.stringify({ keys: state.keys }));
    } else if (req.url === '/introspect' && req.method === 'POST') {
      state.introspections++;
      const body = new URLSearchParams(await readBody(req));
      state.lastIntrospectionBody = body;
      const token = body.get('token') ?? '';
      const jti = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).jti as string;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ active: !state.revoked.has(jti) }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  return server;
}

const issuer: TestServer = await startIssuer();
state.keys = [await publicJwk(signing.publicKey, 'ec-1', 'ES256'), await publicJwk(signingRsa.publicKey, 'rsa-1', 'RS256')];
after(() => issuer.close());

let jtiCounter = 0;
async function accessToken(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}, key = signing.privateKey): Promise<string> {
  const now = nowSeconds();
  const base = { iss: issuer.url, aud: RESOURCE, sub: 'client-a', client_id: 'client-a', scope: 'read write', iat: now, exp: now + 300, jti: `at-${++jtiCounter}` };
  return new SignJWT({ ...base, ...claims }).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'ec-1', ...header } as { alg: string }).sign(key);
}

function makeVerifier(extra: Record<string, unknown> = {}) {
  return createVerifier({ accessToken: { issuer: issuer.url, audience: RESOURCE, ...extra } });
}

test('RFC 9068: an access token from the issuer is accepted; discovery (RFC 8414) finds the JWKS; principal has client_id and scopes', async () => {
  const verifier = makeVerifier();
  const principal = await verifier.verify(bearer(await accessToken()));
  assert.equal(principal.clientId, 'client-a');
  assert.equal(principal.mode, 'access_token');
  assert.deepEqual(principal.scopes, ['read', 'write']);
  // An RS256 key of the same JWKS also works.
  assert.ok(await verifier.verify(bearer(await accessToken({}, { alg: 'RS256', kid: 'rsa-1' }, signingRsa.privateKey))));
});

test('RFC 9068 §4: typ must be at+jwt (a plain JWT signed by the issuer key is refused)', async () => {
  const verifier = makeVerifier();
  assert.equal((await refused(verifier.verify(bearer(await accessToken({}, { typ: 'JWT' }))))).reason, 'typ_not_allowed');
  assert.ok(await verifier.verify(bearer(await accessToken({}, { typ: 'application/at+jwt' }))));
});

test('RFC 9068 §4: iss must equal the configured issuer', async () => {
  const verifier = makeVerifier();
  assert.equal((await refused(verifier.verify(bearer(await accessToken({ iss: 'https://evil.example' }))))).reason, 'iss_mismatch');
});

test('RFC 9068 §4: aud must contain the configured resource (string or array)', async () => {
  const verifier = makeVerifier();
  assert.equal((await refused(verifier.verify(bearer(await accessToken({ aud: 'https://other.example' }))))).reason, 'aud_mismatch');
  assert.ok(await verifier.verify(bearer(await accessToken({ aud: ['https://other.example', RESOURCE] }))));
  assert.equal((await refused(verifier.verify(bearer(await accessToken({ aud: undefined }))))).reason, 'aud_mismatch');
});

test('RFC 9068 §2.2 / RFC 7519 §4.1.4: exp required, expiry with tolerance; nbf and iat not in the future', async () => {
  const verifier = makeVerifier();
  const now = nowSeconds();
  assert.equal((await refused(verifier.verify(bearer(await accessToken({ exp: undefined }))))).reason, 'exp_missing');
  const expired = await verifier.authenticate(bearer(await accessToken({ iat: now - 400, exp: now - 20 })));
  assert.ok(!expired.ok);
  if (!expired.ok) {
    assert.equal(expired.challenge.refusal.reason, 'token_expired');
    assert.equal(expired.challenge.status, 401);
    assert.match(expired.challenge.wwwAuthenticate ?? '', /error="invalid_token"/);
  }
  assert.ok(await verifier.verify(bearer(await accessToken({ exp: now - 5 }))), 'within the 15 s tolerance');
  assert.equal((await refused(verifier.verify(bearer(await accessToken({ nbf: now + 60 }))))).reason, 'nbf_in_future');
  assert.equal((await refused(verifier.verify(bearer(await accessToken({ iat: now + 60 }))))).reason, 'iat_in_future');
  const strict = makeVerifier({ clockTolerance: 0 });
  assert.equal((await refused(strict.verify(bearer(await accessToken({ exp: now - 5 }))))).reason, 'token_expired');
});

test('RFC 9068 §2.2: client_id is required; scope must be a string', async () => {
  const verifier = makeVerifier();
  assert.equal((await refused(verifier.verify(bearer(await accessToken({ client_id: undefined }))))).reason, 'claim_invalid');
  assert.equal((await refused(verifier.verify(bearer(await accessToken({ scope: ['read'] }))))).reason, 'claim_invalid');
});

test('RFC 8725 §3.1: algorithm allow-list; the key decides the family', async () => {
  const verifier = makeVerifier({ allowedAlgs: ['RS256'] });
  assert.equal((await refused(verifier.verify(bearer(await accessToken())))).reason, 'alg_not_allowed');
  // ES256 header over the RSA key id: alg does not fit the key.
  const all = makeVerifier();
  assert.equal((await refused(all.verify(bearer(await accessToken({}, { kid: 'rsa-1' }))))).reason, 'alg_key_mismatch');
});

test('RFC 7515 §5.2: a token signed by another key with a known kid is signature_invalid', async () => {
  const verifier = makeVerifier();
  assert.equal((await refused(verifier.verify(bearer(await accessToken({}, {}, attacker.privateKey))))).reason, 'signature_invalid');
});

test('per-route scopes: 403 insufficient_scope with scope in the challenge', async () => {
  const verifier = makeVerifier();
  const token = await accessToken({ scope: 'read' });
  assert.ok(await verifier.verify(bearer(token), { scopes: ['read'] }));
  const result = await verifier.authenticate(bearer(token), { scopes: ['admin'] });
  assert.ok(!result.ok);
  if (!result.ok) {
    assert.equal(result.challenge.status, 403);
    assert.equal(result.challenge.wwwAuthenticate, `Bearer realm="keyward", error="insufficient_scope", error_description="the access token lacks the required scope", scope="admin"`);
  }
});

test('JWKS cache: one fetch serves many tokens; after keyward keys rotate the new kid works within the 1 s refetch interval, not the 30 s cooldown', async () => {
  const verifier = makeVerifier();
  await verifier.verify(bearer(await accessToken()));
  const before = state.jwksHits;
  for (let i = 0; i < 5; i++) await verifier.verify(bearer(await accessToken()));
  assert.equal(state.jwksHits, before, 'cached');
  // Rotation at the issuer: a new kid appears.
  const next = pair('issuer-ec-2', 'p256');
  state.keys = [...state.keys, await publicJwk(next.publicKey, 'ec-2', 'ES256')];
  try {
    await new Promise((resolve) => setTimeout(resolve, 1050));
    const started = Date.now();
    assert.ok(await verifier.verify(bearer(await accessToken({}, { kid: 'ec-2' }, next.privateKey))), 'the first token with the new kid');
    assert.equal(state.jwksHits, before + 1, 'one refetch picked up the new key');
    assert.ok(Date.now() - started < 1000);
    // Random kids right after: within the interval, no further fetch.
    for (let i = 0; i < 20; i++) await refused(verifier.verify(bearer(await accessToken({}, { kid: `random-${i}` }))));
    assert.equal(state.jwksHits, before + 1, 'no refetch within the interval, whatever kids an attacker sends');
  } finally {
    state.keys = state.keys.slice(0, 2);
  }
});

test('JWKS down: the last good key set is kept; with no set at all the answer is 503, not 401', async () => {
  const verifier = makeVerifier({ jwksCache: { minSeconds: 0, maxSeconds: 0, cooldownSeconds: 0 } });
  await verifier.verify(bearer(await accessToken()));
  state.jwksDown = true;
  try {
    assert.ok(await verifier.verify(bearer(await accessToken())), 'last good set');
    const fresh = makeVerifier();
    const result = await fresh.authenticate(bearer(await accessToken()));
    assert.ok(!result.ok);
    if (!result.ok) {
      assert.equal(result.challenge.status, 503);
      assert.equal(result.challenge.refusal.reason, 'store_unavailable');
    }
  } finally {
    state.jwksDown = false;
  }
});

test('RFC 8414 §3.3: discovery refuses metadata naming another issuer', async () => {
  const verifier = createVerifier({ accessToken: { issuer: `${issuer.url}/`, audience: RESOURCE } });
  const result = await verifier.authenticate(bearer(await accessToken()));
  assert.ok(!result.ok);
  if (!result.ok) assert.equal(result.challenge.status, 503);
});

test('RFC 7662 introspection (optional): a revoked token is refused; answers are cached for a bounded time', async () => {
  const verifier = makeVerifier({ introspection: { clientId: 'api-1', privateKey: rsClient.privateKey, cacheSeconds: 60 } });
  const token = await accessToken();
  const before = state.introspections;
  assert.ok(await verifier.verify(bearer(token)));
  assert.ok(await verifier.verify(bearer(token)));
  assert.equal(state.introspections, before + 1, 'cached');
  const body = state.lastIntrospectionBody as URLSearchParams;
  assert.equal(body.get('token_type_hint'), 'access_token');
  assert.equal(body.get('client_assertion_type'), 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
  const revokedToken = await accessToken();
  const jti = JSON.parse(Buffer.from(revokedToken.split('.')[1] as string, 'base64url').toString()).jti as string;
  state.revoked.add(jti);
  assert.equal((await refused(verifier.verify(bearer(revokedToken)))).reason, 'token_revoked');
  // With cacheSeconds 0, a revocation after a first success is seen on the next request.
  const eager = makeVerifier({ introspection: { clientId: 'api-1', privateKey: rsClient.privateKey, cacheSeconds: 0 } });
  const later = await accessToken();
  assert.ok(await eager.verify(bearer(later)));
  state.revoked.add(JSON.parse(Buffer.from(later.split('.')[1] as string, 'base64url').toString()).jti as string);
  assert.equal((await refused(eager.verify(bearer(later)))).reason, 'token_revoked');
});

test('a direct token is not an access token: with both modes on, it goes to mode B and a mode-A-only route refuses it', async () => {
  const verifier = makeVerifier();
  const plain = await new SignJWT({ clientcode: 'client-a', iat: nowSeconds() }).setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: 'ec-1' }).sign(signing.privateKey);
  assert.equal((await refused(verifier.verify(bearer(plain)))).reason, 'typ_not_allowed');
});
