/**
 * The contenders of the verification benchmark, each a function verifying one token of a pool:
 * raw crypto.verify on pre-split buffers, Keyward mode A and mode B, jose jwtVerify, fast-jwt.
 */
import { constants, generateKeyPairSync, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, jwtVerify, SignJWT } from 'jose';
import { createVerifier as createFastJwtVerifier } from 'fast-jwt';
import { importPublicKey, toRegisteredKey } from '../../packages/core/src/keys/index.ts';
import { createVerifier, type Verifier } from '../../packages/verify/src/create-verifier.ts';
import { createCachedKeySource } from '../../packages/verify/src/key-sources/cached-key-source.ts';

export type Alg = 'RS256' | 'ES256';

/** Keys and token pools for one algorithm. */
export interface Fixture {
  readonly alg: Alg;
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
  /** Access tokens (typ at+jwt) and direct tokens, distinct, signed once. */
  readonly accessTokens: string[];
  readonly directTokens: string[];
  readonly issuer: string;
  readonly close: () => Promise<void>;
}

export const RESOURCE = 'https://api.bench.example';

/** Generates the key, serves its JWKS + metadata on 127.0.0.1, signs `poolSize` tokens of each kind. */
export async function makeFixture(alg: Alg, poolSize: number): Promise<Fixture> {
  const { publicKey, privateKey } = alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg, use: 'sig' };
  let base = '';
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/oauth-authorization-server') res.end(JSON.stringify({ issuer: base, jwks_uri: `${base}/jwks` }));
    else if (req.url === '/jwks') res.end(JSON.stringify({ keys: [jwk] }));
    else { res.statusCode = 404; res.end('{}'); }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const now = Math.floor(Date.now() / 1000);
  const accessTokens: string[] = [];
  const directTokens: string[] = [];
  for (let i = 0; i < poolSize; i++) {
    accessTokens.push(await new SignJWT({ iss: base, aud: RESOURCE, sub: 'c1', client_id: 'c1', scope: 'read', iat: now, exp: now + 3600, jti: `a${i}` })
      .setProtectedHeader({ alg, typ: 'at+jwt', kid: 'k1' }).sign(privateKey));
    directTokens.push(await new SignJWT({ clientcode: 'client_12345', iat: now, n: i }).setProtectedHeader({ alg, typ: 'JWT' }).sign(privateKey));
  }
  return {
    alg, publicKey, privateKey, accessTokens, directTokens, issuer: base,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A Keyward verifier with both modes on the fixture's key (direct keys from an in-memory source). */
export function makeKeywardVerifier(fixture: Fixture, fixedNowMs?: number, parseCacheSize?: number): Verifier {
  const registered = toRegisteredKey(importPublicKey(fixture.publicKey));
  const keys = createCachedKeySource({
    cooldownSeconds: 10, maxEntries: 1000, now: Date.now,
    load: async (clientId) => ({ entry: clientId === 'client_12345' ? { state: 'enabled', keys: [registered] } : undefined, ttlSeconds: 3600 }),
  });
  return createVerifier({
    accessToken: { issuer: fixture.issuer, audience: RESOURCE },
    direct: { keys },
    ...(fixedNowMs === undefined ? {} : { now: () => fixedNowMs }),
    ...(parseCacheSize === undefined ? {} : { parseCacheSize }),
  });
}

/** One contender: `run(i)` verifies token i of its pool (sync or async). */
export interface Contender {
  readonly name: string;
  /** Tokens verified per call (16 for the jose 16-in-flight contender). */
  readonly batch: number;
  run(i: number): unknown;
}

/** Every contender for one fixture. */
export async function makeContenders(fixture: Fixture): Promise<Contender[]> {
  const { alg, publicKey } = fixture;
  // "fresh": every token is new to the verifier (parse cache off), the worst case;
  // "reused": tokens presented again (access tokens are reused until exp), parse cache hits.
  // (One reusing verifier per mode, so each pool fits its parse cache.)
  const verifier = makeKeywardVerifier(fixture, undefined, 0);
  const reusingA = makeKeywardVerifier(fixture);
  const reusingB = makeKeywardVerifier(fixture);
  // Warm the JWKS and key caches once (a cache miss is not what is measured).
  for (const v of [verifier, reusingA, reusingB]) {
    await v.verify({ authorization: `Bearer ${fixture.accessTokens[0]}` });
    await v.verify({ authorization: `Bearer ${fixture.directTokens[0]}` });
  }
  const n = fixture.accessTokens.length;
  // Raw crypto.verify over buffers split beforehand: the floor no JWT library can beat.
  const split = fixture.directTokens.map((t) => {
    const dot = t.lastIndexOf('.');
    return { input: Buffer.from(t.slice(0, dot)), sig: Buffer.from(t.slice(dot + 1), 'base64url') };
  });
  const rawKey = alg === 'RS256' ? { key: publicKey, padding: constants.RSA_PKCS1_PADDING } : { key: publicKey, dsaEncoding: 'ieee-p1363' as const };
  const accessHeaders = fixture.accessTokens.map((t) => ({ authorization: `Bearer ${t}` }));
  const directHeaders = fixture.directTokens.map((t) => ({ authorization: `Bearer ${t}` }));
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const fast = createFastJwtVerifier({ key: pem, algorithms: [alg] });
  const joseOptions = { algorithms: [alg], issuer: fixture.issuer, audience: RESOURCE, typ: 'at+jwt' };
  return [
    { name: 'crypto.verify (raw)', batch: 1, run: (i) => { const s = split[i % n]!; if (!cryptoVerify('sha256', s.input, rawKey, s.sig)) throw new Error('raw verify failed'); } },
    { name: 'keyward A fresh', batch: 1, run: (i) => verifier.verify(accessHeaders[i % n]!) },
    { name: 'keyward B fresh', batch: 1, run: (i) => verifier.verify(directHeaders[i % n]!) },
    { name: 'keyward A reused', batch: 1, run: (i) => reusingA.verify(accessHeaders[i % n]!) },
    { name: 'keyward B reused', batch: 1, run: (i) => reusingB.verify(directHeaders[i % n]!) },
    { name: 'jose jwtVerify x1', batch: 1, run: (i) => jwtVerify(fixture.accessTokens[i % n]!, publicKey, joseOptions) },
    {
      name: 'jose jwtVerify x16', batch: 16,
      run: (i) => Promise.all(Array.from({ length: 16 }, (_, j) => jwtVerify(fixture.accessTokens[(i * 16 + j) % n]!, publicKey, joseOptions))),
    },
    { name: 'fast-jwt verifier', batch: 1, run: (i) => fast(fixture.directTokens[i % n]!) },
  ];
}
