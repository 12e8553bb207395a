// The JOSE header cache of parseCompactJws (options.headerCache): a hit needs the identical header
// text, only headers that passed every rule are kept, and the verifier's cache is bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCompactJws, MAX_CACHED_HEADER_LENGTH, type JoseHeaderCache } from '../../packages/core/src/jws/index.ts';
import { parseDirectToken } from '../../packages/core/src/assertion/parse-direct-token.ts';
import { BoundedCache } from '../../packages/verify/src/bounded-cache.ts';
import { createVerifier } from '../../packages/verify/src/create-verifier.ts';
import type { OAuthError } from '../../packages/core/src/errors.ts';
import { b64u, expectReason, handSign, keyPair } from '../conformance/fixtures.ts';
import { bearer, mapKeySource, nowSeconds, refused, registered, signRaw } from '../verify/fixtures.ts';

const { privateKey, publicKey } = keyPair('rsa');
const claims = { iss: 'c1', sub: 'c1', aud: 'https://as.example', jti: 'j1', exp: 2000000000 };

/** A cache that counts what it is asked, over a Map. */
function countingCache(): JoseHeaderCache & { map: Map<string, Readonly<Record<string, unknown>>>; hits: number; sets: number } {
  const map = new Map<string, Readonly<Record<string, unknown>>>();
  const cache = {
    map, hits: 0, sets: 0,
    get(segment: string) {
      const header = map.get(segment);
      if (header !== undefined) cache.hits++;
      return header;
    },
    set(segment: string, header: Readonly<Record<string, unknown>>) {
      cache.sets++;
      map.set(segment, header);
    },
  };
  return cache;
}

test('header cache: the identical header text is decoded once; the result equals an uncached parse', () => {
  const headerCache = countingCache();
  const a = handSign({ alg: 'RS256', typ: 'JWT', kid: 'k1' }, claims, privateKey);
  const b = handSign({ alg: 'RS256', typ: 'JWT', kid: 'k1' }, { ...claims, jti: 'j2' }, privateKey);
  const first = parseCompactJws(a, { headerCache });
  const second = parseCompactJws(b, { headerCache });
  assert.equal(headerCache.sets, 1);
  assert.equal(headerCache.hits, 1);
  assert.equal(second.header, first.header, 'one shared header object');
  assert.deepEqual(second.header, parseCompactJws(b).header);
  assert.deepEqual(second.payload, parseCompactJws(b).payload);
  assert.deepEqual(second.signingInput, parseCompactJws(b).signingInput);
  assert.deepEqual(second.signature, parseCompactJws(b).signature);
  // The stored key is the header text itself.
  assert.deepEqual([...headerCache.map.keys()], [a.split('.')[0]]);
});

test('header cache: a changed header part (another kid, alg, member order) is parsed again, never matched loosely', () => {
  const headerCache = countingCache();
  parseCompactJws(handSign({ alg: 'RS256', kid: 'k1' }, claims, privateKey), { headerCache });
  const other = parseCompactJws(handSign({ alg: 'RS256', kid: 'k2' }, claims, privateKey), { headerCache });
  assert.equal(other.header.kid, 'k2');
  const reordered = parseCompactJws(handSign({ kid: 'k1', alg: 'RS256' }, claims, privateKey), { headerCache });
  assert.equal(reordered.header.kid, 'k1');
  const ps = parseCompactJws(handSign({ alg: 'PS256', kid: 'k1' }, claims, privateKey, 'PS256'), { headerCache });
  assert.equal(ps.header.alg, 'PS256');
  assert.equal(headerCache.hits, 0);
  assert.equal(headerCache.sets, 4);
});

test('header cache: refused headers are never stored and stay refused (duplicates, crit, b64, jwk, bad alg, not JSON)', () => {
  const headerCache = countingCache();
  const p = b64u(JSON.stringify(claims));
  const s = b64u(Buffer.alloc(256, 1));
  const refusedHeaders: Array<[string, string]> = [
    [b64u('{"alg":"RS256","alg":"none"}'), 'assertion_malformed'],
    [b64u('{"alg":"RS256","\\u0061lg":"none"}'), 'assertion_malformed'],
    [b64u('{"alg":"RS256","crit":["exp"]}'), 'crit_unsupported'],
    [b64u('{"alg":"RS256","b64":false}'), 'crit_unsupported'],
    [b64u('{"alg":"RS256","jwk":{"kty":"RSA"}}'), 'header_key_not_allowed'],
    [b64u('{"alg":1}'), 'assertion_malformed'],
    [b64u('["RS256"]'), 'assertion_malformed'],
    [b64u(Buffer.from([0x7b, 0xff, 0x7d])), 'assertion_malformed'],
  ];
  for (let round = 0; round < 2; round++) {
    for (const [header, reason] of refusedHeaders) expectReason(() => parseCompactJws(`${header}.${p}.${s}`, { headerCache }), reason);
  }
  assert.equal(headerCache.sets, 0);
  assert.equal(headerCache.map.size, 0);
  // A good header is cached; the same header with a duplicate member added is its own text: refused.
  const good = b64u('{"alg":"RS256","typ":"JWT"}');
  parseCompactJws(`${good}.${p}.${s}`, { headerCache });
  expectReason(() => parseCompactJws(`${b64u('{"alg":"RS256","typ":"JWT","typ":"at+jwt"}')}.${p}.${s}`, { headerCache }), 'assertion_malformed');
  // A cached header does not excuse the rest of the token: payload and signature rules still hold.
  expectReason(() => parseCompactJws(`${good}.${b64u('{"sub":"a","sub":"b"}')}.${s}`, { headerCache }), 'assertion_malformed');
  expectReason(() => parseCompactJws(`${good}.${p}.${s}=`, { headerCache }), 'assertion_malformed');
  expectReason(() => parseCompactJws(`${good}.${p}+.${s}`, { headerCache }), 'assertion_malformed');
  expectReason(() => parseCompactJws(`${good}.${p}.${s}\n`, { headerCache }), 'assertion_line_breaks');
  assert.equal(headerCache.sets, 1);
});

test('header cache: cached headers are deep-frozen; header parts over the length cap are not stored', () => {
  const headerCache = countingCache();
  const parsed = parseCompactJws(handSign({ alg: 'RS256', 'x5t#S256': 'abc', ext: { a: [1] } }, claims, privateKey), { headerCache });
  assert.ok(Object.isFrozen(parsed.header));
  assert.ok(Object.isFrozen(parsed.header.ext));
  assert.ok(Object.isFrozen((parsed.header.ext as { a: unknown[] }).a));
  assert.throws(() => { (parsed.header as Record<string, unknown>).alg = 'none'; }, TypeError);
  // Without a cache nothing is frozen (callers may own the result).
  assert.ok(!Object.isFrozen(parseCompactJws(handSign({ alg: 'RS256' }, claims, privateKey)).header));
  const long = handSign({ alg: 'RS256', pad: 'x'.repeat(MAX_CACHED_HEADER_LENGTH) }, claims, privateKey);
  assert.ok(long.split('.')[0]!.length > MAX_CACHED_HEADER_LENGTH);
  const before = headerCache.sets;
  assert.equal(parseCompactJws(long, { headerCache }).header.alg, 'RS256');
  assert.equal(headerCache.sets, before);
});

test('header cache: bounded when the caller bounds it (BoundedCache), and parseDirectToken passes it on', () => {
  const headerCache = new BoundedCache<string, Readonly<Record<string, unknown>>>(8);
  for (let i = 0; i < 100; i++) {
    const parsed = parseDirectToken(handSign({ alg: 'RS256', kid: `k${i}` }, { clientcode: 'c', iat: 1 }, privateKey), { headerCache });
    assert.equal(parsed.header.kid, `k${i}`);
    assert.equal(parsed.clientId, 'c');
    assert.ok(headerCache.size <= 8);
  }
  assert.ok(headerCache.peek(b64u('{"alg":"RS256","kid":"k99"}')));
  assert.equal(headerCache.peek(b64u('{"alg":"RS256","kid":"k0"}')), undefined);
});

test('verifier: many distinct headers (more than its header cache holds) all verify; evicted ones are parsed again', async () => {
  const keys = mapKeySource(new Map([['c1', { state: 'enabled' as const, keys: [registered(publicKey, { kid: 'k' })] }]]));
  const refusals: OAuthError[] = [];
  const verifier = createVerifier({ direct: { keys }, parseCacheSize: 0, onRefusal: (r) => refusals.push(r) });
  const iat = nowSeconds();
  const tokens = Array.from({ length: 600 }, (_, i) => signRaw(privateKey, { alg: 'RS256', typ: 'JWT', kid: 'k', n: i }, { clientcode: 'c1', iat }));
  for (const token of tokens) assert.equal((await verifier.verify(bearer(token))).clientId, 'c1');
  assert.equal((await verifier.verify(bearer(tokens[0]!))).clientId, 'c1');
  // Same header text as an accepted token, other signer: still refused (the signature is always checked).
  const forged = signRaw(keyPair('rsa2').privateKey, { alg: 'RS256', typ: 'JWT', kid: 'k', n: 0 }, { clientcode: 'c1', iat });
  assert.equal(forged.split('.')[0], tokens[0]!.split('.')[0]);
  assert.equal((await refused(verifier.verify(bearer(forged)))).reason, 'signature_invalid');
  // A header with a duplicate member is refused each time, cached neighbours or not.
  const dup = `${b64u('{"alg":"RS256","typ":"JWT","kid":"k","kid":"x"}')}.${b64u(JSON.stringify({ clientcode: 'c1', iat }))}.${b64u(Buffer.alloc(256, 1))}`;
  for (let i = 0; i < 2; i++) assert.equal((await refused(verifier.verify(bearer(dup)))).reason, 'assertion_malformed');
  assert.equal(refusals.length, 3);
});
