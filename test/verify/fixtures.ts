/**
 * Fixtures of the verifier tests: real keys (generated once per file), real signatures (jose and
 * Node crypto), real HTTP servers on 127.0.0.1 port 0.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import assert from 'node:assert/strict';
import { exportJWK, SignJWT } from 'jose';
import { importPublicKey, toRegisteredKey } from '../../packages/core/src/keys/index.ts';
import type { RegisteredKey } from '../../packages/core/src/keys/types.ts';
import { OAuthError } from '../../packages/core/src/errors.ts';
import { createCachedKeySource } from '../../packages/verify/src/key-sources/cached-key-source.ts';
import type { ClientKeys, ClientKeySource } from '../../packages/verify/src/types.ts';

export interface Pair { readonly privateKey: KeyObject; readonly publicKey: KeyObject }
const pairs = new Map<string, Pair>();

/** One key pair per name, generated once per test process (RSA 2048: keep tests fast). */
export function pair(name: string, kind: 'rsa' | 'p256' | 'ed25519' = 'rsa'): Pair {
  let p = pairs.get(name);
  if (p === undefined) {
    p = kind === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : kind === 'p256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
    pairs.set(name, p);
  }
  return p;
}

export function registered(publicKey: KeyObject, extra: Partial<RegisteredKey> = {}): RegisteredKey {
  return toRegisteredKey(importPublicKey(publicKey), extra);
}

/** Epoch seconds now. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** A direct-mode token signed by jose (header/claims as given). */
export async function signToken(privateKey: KeyObject, claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'RS256', typ: 'JWT' }): Promise<string> {
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(privateKey);
}

/** A compact JWS built by hand with crypto.sign (any header, for attack tokens). */
export function signRaw(privateKey: KeyObject, header: Record<string, unknown>, claims: Record<string, unknown>, hash = 'sha256'): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${sign(hash, Buffer.from(input), privateKey).toString('base64url')}`;
}

/** A key source over a mutable map (the real cached source, loading from memory). */
export function mapKeySource(clients: Map<string, ClientKeys>, options: { ttlSeconds?: number; cooldownSeconds?: number; now?: () => number } = {}): ClientKeySource & { loads: number } {
  const counter = { loads: 0 };
  const source = createCachedKeySource({
    cooldownSeconds: options.cooldownSeconds ?? 0,
    maxEntries: 100,
    now: options.now ?? Date.now,
    load: async (clientId) => {
      counter.loads++;
      return { entry: clients.get(clientId), ttlSeconds: options.ttlSeconds ?? 60 };
    },
  });
  return Object.defineProperty(source, 'loads', { get: () => counter.loads }) as ClientKeySource & { loads: number };
}

export interface TestServer { readonly url: string; readonly server: Server; close(): Promise<void> }

/** Starts a node:http server on 127.0.0.1, port 0. */
export async function startServer(handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>): Promise<TestServer> {
  const server = createServer((req, res) => {
    Promise.resolve(handler(req, res)).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Reads a request body as text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The public JWK of a key with kid and alg. */
export async function publicJwk(publicKey: KeyObject, kid: string, alg: string): Promise<Record<string, unknown>> {
  return { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
}

/** An Authorization header carrying `token` as a Bearer credential. */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** Awaits `promise`, which must reject with an OAuthError, and returns that error. */
export async function refused(promise: Promise<unknown>): Promise<OAuthError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof OAuthError, `expected OAuthError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a refusal');
}
