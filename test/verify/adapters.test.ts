// The adapters over real HTTP on 127.0.0.1: node:http, Hono (@hono/node-server), Express 5, Fastify 5.
// Each: 200 with the principal, 401 without a token (challenge without error), 401 invalid_token,
// 403 insufficient_scope for a route needing another scope, 400 for two Authorization headers and for
// a token in the query string.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { createAdaptorServer } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { createVerifier } from '../../packages/verify/src/create-verifier.ts';
import { createNodeMiddleware } from '../../packages/verify/src/adapters/node.ts';
import { createHonoMiddleware, type KeywardHonoEnv } from '../../packages/verify/src/adapters/hono.ts';
import { createExpressMiddleware } from '../../packages/verify/src/adapters/express.ts';
import { createFastifyHook, createFastifyPlugin } from '../../packages/verify/src/adapters/fastify.ts';
import type { ClientKeys } from '../../packages/verify/src/types.ts';
import { mapKeySource, nowSeconds, pair, registered, signToken } from './fixtures.ts';

const alice = pair('alice');
const mallory = pair('mallory');
const clients = new Map<string, ClientKeys>([['client_12345', { state: 'enabled', keys: [registered(alice.publicKey)], scopes: ['read'] }]]);
const verifier = createVerifier({ realm: 'test-api', direct: { keys: mapKeySource(clients) } });

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }

/** Header list in raw form, so two Authorization lines can be sent. */
function rawAuthorization(authorization: string | string[] | undefined): string[] {
  if (authorization === undefined) return [];
  return (Array.isArray(authorization) ? authorization : [authorization]).flatMap((value) => ['authorization', value]);
}

function call(base: string, path: string, authorization?: string | string[]): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, base);
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'GET', headers: ['host', url.host, ...rawAuthorization(authorization)] }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const close of closers) await close();
});

function listen(server: ReturnType<typeof createServer>): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
    closers.push(() => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }));
  });
}

async function checkAdapter(base: string): Promise<void> {
  const good = `Bearer ${await signToken(alice.privateKey, { clientcode: 'client_12345', iat: nowSeconds() })}`;
  const ok = await call(base, '/read', good);
  assert.equal(ok.status, 200, ok.body);
  assert.equal(JSON.parse(ok.body).clientId, 'client_12345');

  const missing = await call(base, '/read');
  assert.equal(missing.status, 401);
  assert.equal(missing.headers['www-authenticate'], 'Bearer realm="test-api", scope="read"', 'RFC 6750 §3.1: no error code when no credentials were sent');

  const forged = await call(base, '/read', `Bearer ${await signToken(mallory.privateKey, { clientcode: 'client_12345', iat: nowSeconds() })}`);
  assert.equal(forged.status, 401);
  assert.match(String(forged.headers['www-authenticate']), /^Bearer realm="test-api", error="invalid_token", error_description="[^"]+"$/);
  assert.equal(JSON.parse(forged.body).error, 'invalid_token');
  assert.equal(forged.headers['cache-control'], 'no-store');

  const scope = await call(base, '/write', good);
  assert.equal(scope.status, 403);
  assert.match(String(scope.headers['www-authenticate']), /error="insufficient_scope".*scope="write"/);

  const twice = await call(base, '/read', [good, good]);
  assert.equal(twice.status, 400);
  assert.match(String(twice.headers['www-authenticate']), /error="invalid_request"/);

  const query = await call(base, `/read?access_token=${good.slice(7)}`, good);
  assert.equal(query.status, 400);
}

test('node:http adapter', async () => {
  const read = createNodeMiddleware(verifier, { scopes: ['read'] });
  const write = createNodeMiddleware(verifier, { scopes: ['write'] });
  const server = createServer(async (req, res) => {
    const principal = await (req.url?.startsWith('/write') ? write : read)(req, res);
    if (principal === undefined) return;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(principal));
  });
  await checkAdapter(await listen(server));
});

test('Hono adapter', async () => {
  const app = new Hono<KeywardHonoEnv>();
  app.get('/read', createHonoMiddleware(verifier, { scopes: ['read'] }), (c) => c.json(c.get('keyward')));
  app.get('/write', createHonoMiddleware(verifier, { scopes: ['write'] }), (c) => c.json(c.get('keyward')));
  const server = createAdaptorServer({ fetch: app.fetch }) as ReturnType<typeof createServer>;
  await checkAdapter(await listen(server));
});

test('Express 5 adapter', async () => {
  const app = express();
  app.get('/read', createExpressMiddleware(verifier, { scopes: ['read'] }), (req, res) => {
    res.json((req as unknown as { keyward: unknown }).keyward);
  });
  app.get('/write', createExpressMiddleware(verifier, { scopes: ['write'] }), (req, res) => {
    res.json((req as unknown as { keyward: unknown }).keyward);
  });
  await checkAdapter(await listen(createServer(app)));
});

test('Fastify 5 plugin (per-route config) and per-route hook', async () => {
  const app = Fastify();
  await app.register(createFastifyPlugin(verifier));
  app.get('/read', { config: { keyward: { scopes: ['read'] } } }, async (req) => (req as unknown as { keyward: unknown }).keyward);
  app.get('/write', { onRequest: createFastifyHook(verifier, { scopes: ['write'] }) }, async (req) => (req as unknown as { keyward: unknown }).keyward);
  app.get('/open', async () => ({ open: true }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  closers.push(() => app.close());
  const address = app.server.address() as AddressInfo;
  const base = `http://127.0.0.1:${address.port}`;
  await checkAdapter(base);
  assert.equal((await call(base, '/open')).status, 200, 'routes without config.keyward are not checked');
});

test('bad input never crashes or answers 500: 300 random Authorization values over HTTP', async () => {
  const auth = createNodeMiddleware(verifier);
  const server = createServer(async (req, res) => {
    if ((await auth(req, res)) === undefined) return;
    res.end('ok');
  });
  const base = await listen(server);
  const pieces = ['Bearer ', 'bearer  ', 'Basic ', 'eyJ', 'hbGciOiJub25lIn0', '.', '..', 'e30', '=', '-', '_', '~', '+/', 'A'.repeat(50), '%00', 'é', '{"alg":"RS256"}', ',', 'Bearer x, Bearer y'];
  let seed = 42;
  const random = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
  for (let i = 0; i < 300; i++) {
    let value = '';
    const n = 1 + Math.floor(random() * 6);
    for (let k = 0; k < n; k++) value += pieces[Math.floor(random() * pieces.length)];
    // Only header-legal characters go on the wire (node refuses the others before sending).
    value = value.replace(/[^\x20-\x7e]/g, 'x');
    const reply = await call(base, '/x', value);
    assert.ok([400, 401].includes(reply.status), `${reply.status} for ${JSON.stringify(value)}`);
  }
});
