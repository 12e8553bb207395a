/**
 * The SDK against a real node:http token server on 127.0.0.1 that verifies every assertion with the
 * real Keyward verifier: caching, single flight, renewal before expiry, fresh jti, clock-skew retry,
 * the fetch wrapper, discovery checks, and every private key form.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, webcrypto, type KeyObject } from 'node:crypto';
import { createTokenClient, createFetchWithToken, createDirectTokenFetch, discoverAuthorizationServer, buildMetadataUrl, DiscoveryError, TokenRequestError, processTokenResponse, buildTokenRequest } from '../../packages/client/src/index.ts';
import { parseClientAssertion, verifyClientAssertion, parseDirectToken, verifyDirectToken } from '../../packages/core/src/assertion/index.ts';
import { importPublicKey, toRegisteredKey } from '../../packages/core/src/keys/index.ts';
import { OAuthError } from '../../packages/core/src/errors.ts';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const registered = [toRegisteredKey(importPublicKey(publicKey))];

interface TokenServer {
  url: string;
  /** Requests to /token. */
  tokenRequests: number;
  jtis: string[];
  bodies: URLSearchParams[];
  apiAuthorizations: string[];
  close(): Promise<void>;
}

interface ServerOptions {
  /** Server clock offset in seconds (the server's clock = real clock + offset). */
  skew?: number;
  expiresIn?: number;
  /** Delay before answering /token, ms. */
  delay?: number;
  /** Announced issuer in metadata (default: the real URL). */
  announcedIssuer?: string;
  /** API answers 401 to the first N calls. */
  api401?: number;
  /** The server's clock, epoch ms (default Date.now); `skew` is added to it. */
  clock?: () => number;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}

async function startTokenServer(options: ServerOptions = {}): Promise<TokenServer> {
  const state = { tokenRequests: 0, jtis: [] as string[], bodies: [] as URLSearchParams[], apiAuthorizations: [] as string[], issued: 0, api401: options.api401 ?? 0 };
  let url = '';
  const serverNow = () => (options.clock ?? Date.now)() + (options.skew ?? 0) * 1000;
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', date: new Date(serverNow()).toUTCString() });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req, res) => {
    void (async () => {
      if (req.url === '/.well-known/oauth-authorization-server') {
        send(res, 200, { issuer: options.announcedIssuer ?? url, token_endpoint: `${url}/token` });
        return;
      }
      if (req.url === '/token' && req.method === 'POST') {
        state.tokenRequests += 1;
        const form = new URLSearchParams(await readBody(req));
        state.bodies.push(form);
        if (options.delay) await new Promise((resolve) => setTimeout(resolve, options.delay));
        try {
          const parsed = parseClientAssertion(form.get('client_assertion') ?? '');
          state.jtis.push(String(parsed.payload.jti));
          verifyClientAssertion(parsed, { keys: registered, issuer: url, tokenEndpoint: `${url}/token`, now: Math.floor(serverNow() / 1000) });
        } catch (error) {
          send(res, 401, { error: 'invalid_client', error_description: error instanceof OAuthError ? error.description : 'bad' });
          return;
        }
        state.issued += 1;
        send(res, 200, { access_token: `token-${state.issued}`, token_type: 'Bearer', expires_in: options.expiresIn ?? 300, scope: form.get('scope') ?? undefined });
        return;
      }
      if (req.url === '/api') {
        state.apiAuthorizations.push(req.headers.authorization ?? '');
        if (state.api401 > 0) {
          state.api401 -= 1;
          send(res, 401, { error: 'invalid_token' });
          return;
        }
        send(res, 200, { ok: true, body: await readBody(req) });
        return;
      }
      send(res, 404, {});
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    get tokenRequests() { return state.tokenRequests; },
    jtis: state.jtis,
    bodies: state.bodies,
    apiAuthorizations: state.apiAuthorizations,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

test('getToken: discovery, aud = issuer, token cached until shortly before expiry', async () => {
  const server = await startTokenServer();
  try {
    const client = createTokenClient({ issuer: server.url, clientId: 'c1', privateKey });
    assert.equal(await client.getToken({ scope: 'read' }), 'token-1');
    assert.equal(await client.getToken({ scope: 'read' }), 'token-1');
    assert.equal(server.tokenRequests, 1, 'the second call is served from the cache');
    assert.equal(await client.getToken({ scope: 'write' }), 'token-2', 'another scope is another cache entry');
    assert.equal(server.bodies[0]?.get('grant_type'), 'client_credentials');
    assert.equal(server.bodies[0]?.get('client_assertion_type'), 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    assert.equal(server.bodies[0]?.get('scope'), 'read');
  } finally {
    await server.close();
  }
});

test('single flight: 100 concurrent callers for one scope make exactly one request', async () => {
  const server = await startTokenServer({ delay: 100 });
  try {
    const client = createTokenClient({ issuer: server.url, clientId: 'c1', privateKey });
    const tokens = await Promise.all(Array.from({ length: 100 }, () => client.getToken({ scope: 'read' })));
    assert.equal(server.tokenRequests, 1);
    assert.ok(tokens.every((token) => token === 'token-1'));
  } finally {
    await server.close();
  }
});

test('renewal before expiry: the cached token is used until expires_in minus the margin, then renewed with a fresh jti', async () => {
  // One injected clock for the client and the server, so time can jump.
  let now = Date.now();
  const server = await startTokenServer({ expiresIn: 60, clock: () => now });
  try {
    const client = createTokenClient({ tokenEndpoint: `${server.url}/token`, audience: server.url, clientId: 'c1', privateKey, now: () => now });
    assert.equal(await client.getToken(), 'token-1');
    now += 29_000; // margin = min(30, 60/2) = 30 → renew at 30 s
    assert.equal(await client.getToken(), 'token-1');
    now += 2_000;
    assert.equal(await client.getToken(), 'token-2');
    assert.equal(server.tokenRequests, 2);
    assert.notEqual(server.jtis[0], server.jtis[1], 'every attempt signs a fresh jti');
  } finally {
    await server.close();
  }
});

test('clock skew: invalid_client with a Date header 10 minutes ahead → one retry on the server time, then success', async () => {
  const server = await startTokenServer({ skew: 600 });
  try {
    const client = createTokenClient({ issuer: server.url, clientId: 'c1', privateKey });
    assert.equal(await client.getToken(), 'token-1');
    assert.equal(server.tokenRequests, 2, 'one refused attempt, one retry');
    assert.notEqual(server.jtis[0], server.jtis[1], 'the retry carries a fresh jti');
    assert.ok(Math.abs(client.clockOffset - 600_000) < 3000, `learned offset ${client.clockOffset}`);
    client.clearCache();
    assert.equal(await client.getToken(), 'token-2');
    assert.equal(server.tokenRequests, 3, 'the learned offset is kept: no refused attempt any more');
  } finally {
    await server.close();
  }
});

test('clock skew: no retry when the Date header shows no difference (the refusal has another cause)', async () => {
  const server = await startTokenServer();
  const { privateKey: otherKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  try {
    const client = createTokenClient({ issuer: server.url, clientId: 'c1', privateKey: otherKey });
    await assert.rejects(client.getToken(), (error: unknown) => error instanceof TokenRequestError && error.error === 'invalid_client' && error.status === 401);
    assert.equal(server.tokenRequests, 1);
  } finally {
    await server.close();
  }
});

test('client.fetch adds Authorization: Bearer and renews the token once after a 401', async () => {
  const server = await startTokenServer({ api401: 1 });
  try {
    const client = createTokenClient({ issuer: server.url, clientId: 'c1', privateKey, scope: 'read' });
    const response = await client.fetch(`${server.url}/api`, { method: 'POST', body: 'x=1', headers: { authorization: 'Basic nope' } });
    assert.equal(response.status, 200);
    assert.deepEqual(server.apiAuthorizations, ['Bearer token-1', 'Bearer token-2']);
    assert.equal(server.tokenRequests, 2);
  } finally {
    await server.close();
  }
});

test('createFetchWithToken does not retry a request whose body is a stream', async () => {
  const server = await startTokenServer({ api401: 1 });
  try {
    let calls = 0;
    const wrapped = createFetchWithToken({ getToken: async () => { calls += 1; return 't'; } });
    const stream = new ReadableStream({ start(controller) { controller.enqueue(new TextEncoder().encode('a')); controller.close(); } });
    const response = await wrapped(`${server.url}/api`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    assert.equal(response.status, 401);
    assert.equal(calls, 1);
  } finally {
    await server.close();
  }
});

test('createDirectTokenFetch signs a fresh { clientcode, iat } token per request that verifyDirectToken accepts', async () => {
  const server = await startTokenServer();
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  try {
    const directFetch = createDirectTokenFetch({ clientId: 'client_12345', privateKey: rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString() });
    await directFetch(`${server.url}/api`);
    const token = server.apiAuthorizations[0]?.replace('Bearer ', '') ?? '';
    const parsed = parseDirectToken(token);
    assert.equal(parsed.header.alg, 'RS256');
    const verified = verifyDirectToken(parsed, { keys: [toRegisteredKey(importPublicKey(rsa.publicKey))], now: Math.floor(Date.now() / 1000) });
    assert.equal(verified.clientId, 'client_12345');
  } finally {
    await server.close();
  }
});

test('discovery: the issuer in the metadata must equal the requested issuer (RFC 8414 §3.3)', async () => {
  const server = await startTokenServer({ announcedIssuer: 'https://evil.example' });
  try {
    await assert.rejects(discoverAuthorizationServer(server.url), (error: unknown) => error instanceof DiscoveryError && /RFC 8414 §3\.3/.test(error.message));
    const client = createTokenClient({ issuer: server.url, clientId: 'c1', privateKey });
    await assert.rejects(client.getToken(), DiscoveryError);
    assert.equal(server.tokenRequests, 0);
  } finally {
    await server.close();
  }
});

test('discovery: metadata URL for an issuer with a path (RFC 8414 §3.1)', () => {
  assert.equal(buildMetadataUrl('https://as.example/tenant1'), 'https://as.example/.well-known/oauth-authorization-server/tenant1');
  assert.equal(buildMetadataUrl('https://as.example'), 'https://as.example/.well-known/oauth-authorization-server');
  assert.throws(() => buildMetadataUrl('https://as.example/?a=1'), TypeError);
});

test('discovery: an unreachable server is a DiscoveryError naming the URL', async () => {
  const server = await startTokenServer();
  const url = server.url;
  await server.close();
  await assert.rejects(discoverAuthorizationServer(url), (error: unknown) => error instanceof DiscoveryError && error.message.startsWith('cannot reach'));
});

test('private key forms: KeyObject, CryptoKey, JWK, PEM and encrypted PEM all sign accepted assertions', async () => {
  const server = await startTokenServer();
  try {
    const cryptoKey = await webcrypto.subtle.importKey('pkcs8', privateKey.export({ type: 'pkcs8', format: 'der' }), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    const forms: Array<{ privateKey: KeyObject | CryptoKey | Record<string, unknown> | string; passphrase?: string }> = [
      { privateKey },
      { privateKey: cryptoKey as unknown as CryptoKey },
      { privateKey: privateKey.export({ format: 'jwk' }) as Record<string, unknown> },
      { privateKey: privateKey.export({ type: 'sec1', format: 'pem' }).toString() },
      { privateKey: privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pass1234' }).toString(), passphrase: 'pass1234' },
    ];
    for (const form of forms) {
      const client = createTokenClient({ issuer: server.url, clientId: 'c1', ...form });
      assert.match(await client.getToken(), /^token-/);
    }
    assert.equal(server.tokenRequests, forms.length);
  } finally {
    await server.close();
  }
});

test('a wrong passphrase fails at createTokenClient, before any request', () => {
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'right-one' }).toString();
  assert.throws(() => createTokenClient({ issuer: 'http://127.0.0.1:9', clientId: 'c1', privateKey: pem, passphrase: 'wrong-one' }), { code: 'passphrase_wrong' });
});

test('processTokenResponse: RFC 6749 §5.2 error body → TokenRequestError with error, error_description and server Date', async () => {
  const date = new Date('2030-01-01T00:00:00Z');
  const response = new Response(JSON.stringify({ error: 'invalid_scope', error_description: 'nope' }), { status: 400, headers: { date: date.toUTCString() } });
  await assert.rejects(processTokenResponse(response), (error: unknown) =>
    error instanceof TokenRequestError && error.error === 'invalid_scope' && error.error_description === 'nope' && error.status === 400 && error.serverDate === date.getTime());
  await assert.rejects(processTokenResponse(new Response('<html>', { status: 200 })), { error: 'invalid_response' });
  await assert.rejects(processTokenResponse(new Response('{"token_type":"Bearer"}', { status: 200 })), { error: 'invalid_response' });
});

test('buildTokenRequest: form body with repeated resource values, refuses a parameter twice', async () => {
  const request = buildTokenRequest({ tokenEndpoint: 'http://127.0.0.1/token', clientAssertion: 'a.b.c', scope: 'read', resource: ['https://r1', 'https://r2'] });
  assert.equal(request.method, 'POST');
  assert.equal(request.headers.get('content-type'), 'application/x-www-form-urlencoded');
  const form = new URLSearchParams(await request.text());
  assert.deepEqual(form.getAll('resource'), ['https://r1', 'https://r2']);
  assert.throws(() => buildTokenRequest({ tokenEndpoint: 'http://x/token', clientAssertion: 'a.b.c', parameters: { grant_type: 'x' } }), TypeError);
});
