/**
 * The jwks_uri fetcher against real local HTTP servers: SSRF refusals (no request reaches the
 * server), redirects, size cap, timeout, private material, cache headers, refetch on an unknown kid
 * with a cooldown, last good set kept on failure, single flight.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair } from '../../packages/core/src/keys/generate-key-pair.ts';
import { exportPrivateJwk, exportPublicJwk } from '../../packages/core/src/keys/export-key.ts';
import { OAuthError } from '../../packages/core/src/errors.ts';
import { createJwksUriFetcher, describeRefusedAddress } from '../../packages/keyward/src/server/services/jwks-uri/index.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = createServer((req, res) => { hits += 1; handler(req, res); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => hits,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

async function newJwk(kid: string): Promise<Record<string, unknown>> {
  const { publicKey } = await generateKeyPair({ type: 'ec' });
  return { ...exportPublicJwk(publicKey, { kid }) };
}

async function refusal(promise: Promise<unknown>): Promise<OAuthError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof OAuthError, `expected an OAuthError, got ${String(error)}`);
    assert.equal(error.reason, 'jwks_fetch_failed');
    return error;
  }
  assert.fail('expected a refusal');
}

test('describeRefusedAddress: loopback, private, link-local, CGNAT, multicast, mapped IPv6; public passes', () => {
  for (const address of ['127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254',
    '0.0.0.0', '100.64.0.1', '224.0.0.1', '::1', '::', 'fc00::1', 'fd12::1', 'fe80::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe', '[::1]']) {
    assert.notEqual(describeRefusedAddress(address), undefined, address);
  }
  for (const address of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
    assert.equal(describeRefusedAddress(address), undefined, address);
  }
});

test('describeRefusedAddress: IPv6 forms that carry an IPv4 address are judged by that address; Teredo is refused', () => {
  const refused: Array<[string, RegExp]> = [
    // RFC 4291 §2.5.5.1 IPv4-compatible ::/96, dotted and hex.
    ['::127.0.0.1', /IPv4-compatible.*loopback 127\.0\.0\.1/], ['::7f00:1', /IPv4-compatible.*loopback/], ['[::a9fe:a9fe]', /IPv4-compatible.*link-local/],
    ['::10.0.0.1', /IPv4-compatible.*private/],
    // RFC 3056 6to4 2002:V4ADDR::/48.
    ['2002:7f00:1::', /6to4.*loopback 127\.0\.0\.1/], ['2002:a9fe:a9fe::1', /6to4.*link-local.*169\.254\.169\.254/], ['2002:c0a8:101:5::1', /6to4.*private.*192\.168\.1\.1/],
    // RFC 4291 §2.5.5.2 IPv4-mapped and RFC 6052 NAT64, through the same IPv4 rule.
    ['::ffff:127.0.0.1', /IPv4-mapped.*loopback/], ['::ffff:a00:1', /IPv4-mapped.*private/], ['64:ff9b::127.0.0.1', /NAT64.*loopback/], ['64:ff9b::a9fe:a9fe', /NAT64.*link-local/],
    // RFC 4380 Teredo and RFC 8215 local-use NAT64: refused whole.
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', /Teredo/], ['2001::1', /Teredo/], ['64:ff9b:1::808:808', /local-use NAT64/],
  ];
  for (const [address, why] of refused) assert.match(describeRefusedAddress(address) ?? 'passed', why, address);
  // The same forms around a public IPv4 address pass: the embedded address decides.
  for (const address of ['::8.8.8.8', '2002:808:808::1', '64:ff9b::8.8.8.8', '::ffff:1.1.1.1', '2001:4860:4860::8888']) {
    assert.equal(describeRefusedAddress(address), undefined, address);
  }
});

test('SSRF: IPv4-compatible, 6to4, NAT64 and Teredo addresses are refused as URL literals and as DNS answers; allow-listing still works', async () => {
  const jwk = await newJwk('k1');
  const server = await serve((_req, res) => res.end(JSON.stringify({ keys: [jwk] })));
  try {
    const port = new URL(server.url).port;
    const fetcher = createJwksUriFetcher({});
    const forms = ['::127.0.0.1', '2002:7f00:1::1', '64:ff9b::7f00:1', '::ffff:7f00:1', '2001:0:4136:e378:8000:63bf:3fff:fdd2'];
    for (const address of forms) {
      const error = await refusal(fetcher.getKeys('c1', `https://[${address}]:${port}/jwks`));
      assert.match(error.detail ?? '', /(loopback 127\.0\.0\.1|Teredo).*address/, address);
    }
    for (const address of forms) {
      const resolving = createJwksUriFetcher({ lookup: async () => [{ address: '93.184.216.34', family: 4 }, { address, family: 6 }] });
      const error = await refusal(resolving.getKeys('c1', `https://keys.example:${port}/jwks`));
      assert.match(error.detail ?? '', /resolves to .*(loopback 127\.0\.0\.1|Teredo)/, address);
    }
    assert.equal(server.hits(), 0, 'no request may reach the local server');
    // An allow-listed host may still resolve to such an address (the connection goes to 127.0.0.1).
    const allowed = createJwksUriFetcher({ allowHosts: ['keys.test'], lookup: async () => [{ address: '127.0.0.1', family: 4 }] });
    assert.equal((await allowed.getKeys('c1', `http://keys.test:${port}/jwks`)).keys[0]?.kid, 'k1');
  } finally {
    await server.close();
  }
});

test('SSRF: loopback, private and metadata URLs are refused without allow-listing, and no request reaches the server', async () => {
  const server = await serve((_req, res) => res.end(JSON.stringify({ keys: [] })));
  try {
    const port = new URL(server.url).port;
    const fetcher = createJwksUriFetcher({});
    // Plain http is refused before anything else unless allow-listed.
    const http = await refusal(fetcher.getKeys('c1', `${server.url}/jwks`));
    assert.match(http.detail ?? '', /https/);
    // https to loopback, IPv6 loopback, private, metadata and mapped addresses: refused by address.
    for (const uri of [`https://127.0.0.1:${port}/jwks`, `https://[::1]:${port}/jwks`, 'https://10.0.0.5/jwks', 'https://169.254.169.254/latest/meta-data', `https://[::ffff:127.0.0.1]:${port}/jwks`]) {
      const error = await refusal(fetcher.getKeys('c1', uri));
      assert.match(error.detail ?? '', /address/, uri);
    }
    // A name that resolves to a loopback address (or to one public and one private) is refused too.
    const resolving = createJwksUriFetcher({ lookup: async (host) => (host === 'mixed.example' ? [{ address: '93.184.216.34', family: 4 }, { address: '127.0.0.1', family: 4 }] : [{ address: '127.0.0.1', family: 4 }]) });
    assert.match((await refusal(resolving.getKeys('c1', `https://evil.example:${port}/jwks`))).detail ?? '', /loopback/);
    assert.match((await refusal(resolving.getKeys('c1', `https://mixed.example:${port}/jwks`))).detail ?? '', /loopback/);
    assert.equal(server.hits(), 0, 'no request may reach the local server');
  } finally {
    await server.close();
  }
});

test('the connection goes to the checked address: an allow-listed name is resolved once and never again', async () => {
  const jwk = await newJwk('k1');
  const server = await serve((_req, res) => res.end(JSON.stringify({ keys: [jwk] })));
  try {
    const port = new URL(server.url).port;
    let lookups = 0;
    const fetcher = createJwksUriFetcher({ allowHosts: ['keys.test'], lookup: async () => { lookups += 1; return [{ address: '127.0.0.1', family: 4 }]; } });
    const result = await fetcher.getKeys('c1', `http://keys.test:${port}/jwks`);
    assert.equal(result.keys[0]?.kid, 'k1');
    assert.equal(lookups, 1);
  } finally {
    await server.close();
  }
});

test('redirects are not followed; non-200, non-JSON, oversized, slow and private-key answers are refused', async () => {
  const big = 'x'.repeat(70_000);
  const { privateKey } = await generateKeyPair({ type: 'ec' });
  const privateJwk = exportPrivateJwk(privateKey);
  const publicJwk = await newJwk('pub');
  const timers: NodeJS.Timeout[] = [];
  const server = await serve((req, res) => {
    switch (req.url) {
      case '/redirect': res.writeHead(302, { location: 'http://169.254.169.254/' }).end(); break;
      case '/500': res.writeHead(500).end(); break;
      case '/html': res.end('<html>'); break;
      case '/big': res.end(JSON.stringify({ keys: [], pad: big })); break;
      case '/big-chunked': res.write('{"keys":[],"pad":"'); res.write(big); res.end('"}'); break;
      case '/slow': timers.push(setTimeout(() => res.end('{"keys":[]}'), 2000)); break;
      case '/private': res.end(JSON.stringify({ keys: [publicJwk, privateJwk] })); break;
      case '/symmetric': res.end(JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] })); break;
      default: res.writeHead(404).end();
    }
  });
  try {
    const fetcher = createJwksUriFetcher({ allowHosts: ['127.0.0.1'], timeoutMs: 300 });
    assert.match((await refusal(fetcher.getKeys('c', `${server.url}/redirect`))).detail ?? '', /redirect/);
    assert.match((await refusal(fetcher.getKeys('c', `${server.url}/500`))).detail ?? '', /HTTP 500/);
    assert.match((await refusal(fetcher.getKeys('c', `${server.url}/html`))).detail ?? '', /not JSON/);
    assert.match((await refusal(fetcher.getKeys('c', `${server.url}/big`))).detail ?? '', /larger than 65536/);
    assert.match((await refusal(fetcher.getKeys('c', `${server.url}/big-chunked`))).detail ?? '', /larger than 65536/);
    const started = Date.now();
    assert.match((await refusal(fetcher.getKeys('c', `${server.url}/slow`))).detail ?? '', /within 300 ms/);
    assert.ok(Date.now() - started < 1500, 'the timeout must cut the request short');
    assert.match((await refusal(fetcher.getKeys('c', `${server.url}/private`))).detail ?? '', /private key/);
    assert.match((await refusal(fetcher.getKeys('c', `${server.url}/symmetric`))).detail ?? '', /symmetric/);
  } finally {
    for (const timer of timers) clearTimeout(timer);
    await server.close();
  }
});

test('rotation at the URI is picked up on an unknown kid, at most once per cooldown; cache headers are honoured within bounds', async () => {
  let served = [await newJwk('old')];
  let cacheControl = 'max-age=5';
  const server = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json', 'cache-control': cacheControl }).end(JSON.stringify({ keys: served })));
  try {
    let clock = 1_000_000;
    const fetcher = createJwksUriFetcher({ allowHosts: ['127.0.0.1'], clock: () => clock });
    const uri = `${server.url}/jwks`;
    assert.deepEqual((await fetcher.getKeys('c', uri)).keys.map((k) => k.kid), ['old']);
    assert.equal(server.hits(), 1);
    // Cached: max-age=5 is raised to the 60 s minimum.
    clock += 30_000;
    await fetcher.getKeys('c', uri);
    assert.equal(server.hits(), 1);
    // The client rotates: the new kid is unknown → one refetch.
    served = [await newJwk('new')];
    assert.deepEqual((await fetcher.getKeys('c', uri, { kid: 'new' })).keys.map((k) => k.kid), ['new']);
    assert.equal(server.hits(), 2);
    // Random unknown kids within the cooldown do not refetch.
    for (let i = 0; i < 5; i += 1) await fetcher.getKeys('c', uri, { kid: `random-${i}` });
    assert.equal(server.hits(), 2, 'unknown kids inside the cooldown must not refetch');
    // After the cooldown, an unknown kid refetches once again.
    clock += 31_000;
    await fetcher.getKeys('c', uri, { kid: 'random-x' });
    assert.equal(server.hits(), 3);
    // A huge max-age is capped at maxCacheSeconds (86400).
    cacheControl = 'max-age=9999999';
    clock += 61_000;
    await fetcher.getKeys('c', uri);
    assert.equal(server.hits(), 4);
    clock += 86_000_000;
    await fetcher.getKeys('c', uri);
    assert.equal(server.hits(), 4);
    clock += 1_000_000;
    await fetcher.getKeys('c', uri);
    assert.equal(server.hits(), 5);
    // No header: the default 300 s.
    cacheControl = '';
    clock += 86_401_000;
    await fetcher.getKeys('c', uri);
    assert.equal(server.hits(), 6);
    clock += 299_000;
    await fetcher.getKeys('c', uri);
    assert.equal(server.hits(), 6);
    clock += 2_000;
    await fetcher.getKeys('c', uri);
    assert.equal(server.hits(), 7);
  } finally {
    await server.close();
  }
});

test('a failed fetch keeps the last good set (stale, with the error) and is not retried before the cooldown; one fetch in flight per URI', async () => {
  const jwk = await newJwk('good');
  let failing = false;
  const server = await serve((_req, res) => {
    if (failing) { res.writeHead(503).end(); return; }
    setTimeout(() => res.end(JSON.stringify({ keys: [jwk] })), 50);
  });
  try {
    let clock = 5_000_000;
    const fetcher = createJwksUriFetcher({ allowHosts: ['127.0.0.1'], clock: () => clock });
    const uri = `${server.url}/jwks`;
    const all = await Promise.all(Array.from({ length: 5 }, () => fetcher.getKeys('c', uri)));
    assert.equal(server.hits(), 1, 'concurrent callers share one fetch');
    assert.ok(all.every((r) => r.keys[0]?.kid === 'good' && !r.stale));
    failing = true;
    clock += 301_000;
    const stale = await fetcher.getKeys('c', uri);
    assert.equal(server.hits(), 2);
    assert.equal(stale.stale, true);
    assert.equal(stale.keys[0]?.kid, 'good');
    assert.match(stale.error ?? '', /HTTP 503/);
    await fetcher.getKeys('c', uri, { kid: 'other' });
    assert.equal(server.hits(), 2, 'no retry inside the cooldown');
    failing = false;
    clock += 31_000;
    const fresh = await fetcher.getKeys('c', uri);
    assert.equal(server.hits(), 3);
    assert.equal(fresh.stale, false);
    // A URI that never answered well: refused, and not retried inside the cooldown either.
    const bad = `${server.url}/never`;
    failing = true;
    await refusal(fetcher.getKeys('c', bad));
    await refusal(fetcher.getKeys('c', bad));
    assert.equal(server.hits(), 4);
  } finally {
    await server.close();
  }
});

test('client rotation at the URI: an unknown kid refetches within the 1 s rate (per URI); 50 concurrent requests with the new kid share one fetch and all see it', async () => {
  let served = [await newJwk('old')];
  const server = await serve((_req, res) => { setTimeout(() => res.end(JSON.stringify({ keys: served })), 100); });
  try {
    let clock = 2_000_000;
    const fetcher = createJwksUriFetcher({ allowHosts: ['127.0.0.1'], clock: () => clock });
    const uri = `${server.url}/jwks`;
    await fetcher.getKeys('c', uri);
    served = [...served, await newJwk('new')];
    // Within the rate of the last fetch: not refetched (and refused by the caller as kid_unknown).
    clock += 500;
    assert.deepEqual((await fetcher.getKeys('c', uri, { kid: 'new' })).keys.map((k) => k.kid), ['old']);
    assert.equal(server.hits(), 1);
    // 1 s after the last fetch (not 30 s): 50 concurrent requests, one fetch, every one sees the key.
    clock += 600;
    const answers = await Promise.all(Array.from({ length: 50 }, (_v, i) => fetcher.getKeys(`c${i % 3}`, uri, { kid: 'new' })));
    assert.equal(server.hits(), 2);
    assert.ok(answers.every((a) => a.keys.some((k) => k.kid === 'new')), 'requests arriving during the fetch wait for it');
  } finally {
    await server.close();
  }
});

test('a flood of random unknown kids at one URI for 2 s causes at most one fetch per second', async (t) => {
  const jwk = await newJwk('only');
  const server = await serve((_req, res) => res.end(JSON.stringify({ keys: [jwk] })));
  try {
    const fetcher = createJwksUriFetcher({ allowHosts: ['127.0.0.1'] });
    const uri = `${server.url}/jwks`;
    await fetcher.getKeys('c', uri);
    const started = Date.now();
    let requests = 0;
    while (Date.now() - started < 2000) {
      await Promise.all(Array.from({ length: 20 }, (_v, i) => fetcher.getKeys(`client-${i}`, uri, { kid: `random-${requests + i}` })));
      requests += 20;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const fetches = server.hits() - 1;
    const seconds = (Date.now() - started) / 1000;
    t.diagnostic(`${fetches} fetches for ${requests} random kids in ${seconds.toFixed(2)} s`);
    assert.ok(requests > 1000);
    assert.ok(fetches >= 1 && fetches <= Math.floor(seconds) + 1, `${fetches} fetches in ${seconds.toFixed(2)} s`);
  } finally {
    await server.close();
  }
});
