// Shared helpers of the server tests: a real server on 127.0.0.1 (port 0, temp data directory),
// clients registered with real keys, assertions signed with the core signer, real HTTP requests.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../packages/keyward/src/config/resolve-config.ts';
import type { KeywardConfigInput } from '../../packages/keyward/src/config/schema.ts';
import { importPublicKeys } from '../../packages/core/src/keys/import-public-key.ts';
import type { JwsAlgorithm } from '../../packages/core/src/keys/types.ts';
import { signClientAssertion } from '../../packages/core/src/assertion/sign-client-assertion.ts';
import { startServer, type RunningServer } from '../../packages/keyward/src/server/main.ts';
import { createClient, createRegistryContext } from '../../packages/keyward/src/server/services/registry/index.ts';
import type { AudiencePolicy } from '../../packages/keyward/src/store/contract.ts';
import type { SignInPort } from '../../packages/keyward/src/server/services/sign-in/sign-in-port.ts';

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** A fresh temporary data directory (removed by the returned function). */
export function makeDataDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts a quiet server on port 0 with a temporary SQLite data directory. */
export async function startTestServer(options: { dataDir?: string; overrides?: KeywardConfigInput; clock?: () => number; signIn?: SignInPort } = {}): Promise<RunningServer & { dataDir: string; stop: () => Promise<void> }> {
  const owned = options.dataDir === undefined ? makeDataDir() : undefined;
  const dataDir = options.dataDir ?? owned!.dir;
  const o = options.overrides ?? {};
  const config = resolveConfig({
    overrides: {
      ...o,
      server: { port: 0, ...o.server },
      storage: { dataDir, ...o.storage },
      log: { level: 'silent', ...o.log },
      clients: { cacheTtl: 0, ...o.clients },
    },
  });
  const server = await startServer(config, { ...(options.clock ? { clock: options.clock } : {}), ...(options.signIn ? { signIn: options.signIn } : {}) });
  return Object.assign(server, {
    dataDir,
    stop: async () => {
      await server.close();
      owned?.remove();
    },
  });
}

const keyCache = new Map<string, { privateKey: KeyObject; publicKey: KeyObject }>();

/** A key pair for `alg` (cached per process: RSA generation is slow). */
export function keyPairFor(alg: JwsAlgorithm, slot = 0): { privateKey: KeyObject; publicKey: KeyObject } {
  const family = alg.startsWith('RS') || alg.startsWith('PS') ? 'rsa' : alg === 'EdDSA' || alg === 'Ed25519' ? 'ed25519' : alg;
  const cacheKey = `${family}:${slot}`;
  let pair = keyCache.get(cacheKey);
  if (pair === undefined) {
    if (family === 'rsa') pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    else if (family === 'ed25519') pair = generateKeyPairSync('ed25519');
    else pair = generateKeyPairSync('ec', { namedCurve: alg === 'ES256' ? 'P-256' : alg === 'ES384' ? 'P-384' : 'P-521' });
    keyCache.set(cacheKey, pair);
  }
  return pair;
}

/** A registered test client. */
export interface TestClient {
  readonly clientId: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly kid: string;
  readonly thumbprint: string;
  readonly alg: JwsAlgorithm;
}

let counter = 0;

/** Registers a client with a key for `alg` directly in the server's store. */
export async function addTestClient(server: RunningServer, options: { alg?: JwsAlgorithm; scopes?: string[]; audiencePolicy?: AudiencePolicy; clientId?: string; slot?: number; kid?: string; grantTypes?: string[] } = {}): Promise<TestClient> {
  const alg = options.alg ?? 'ES256';
  const { privateKey, publicKey } = keyPairFor(alg, options.slot ?? 0);
  const info = importPublicKeys(options.kid ? { ...(publicKey.export({ format: 'jwk' }) as Record<string, unknown>), kid: options.kid, alg } : publicKey);
  counter += 1;
  const { client, keys } = await createClient(createRegistryContext(server.context.store), { actor: 'test',
    name: `test-${counter}`,
    keys: info,
    scopes: options.scopes ?? ['read', 'write'],
    clientId: options.clientId ?? `client-${process.pid}-${counter}`,
    audiencePolicy: options.audiencePolicy ?? 'strict',
    accessTokenTtl: 300,
    // Both grants unless told otherwise, so the grant tests need no set-up (the registry's own default is client_credentials).
    grantTypes: options.grantTypes ?? ['client_credentials', JWT_BEARER_GRANT],
  });
  return { clientId: client.clientId, privateKey, publicKey, kid: keys[0]!.kid, thumbprint: keys[0]!.thumbprint, alg };
}

/** A fresh client assertion for `client` (aud = the issuer unless given). */
export function assertionFor(server: RunningServer, client: TestClient, options: { audience?: string; jti?: string; kid?: boolean; lifetime?: number; claims?: Record<string, unknown>; now?: number } = {}): Promise<string> {
  return signClientAssertion({
    clientId: client.clientId,
    audience: options.audience ?? server.issuer,
    privateKey: client.privateKey,
    alg: client.alg,
    ...(options.kid === false ? {} : { kid: client.kid }),
    ...(options.jti ? { jti: options.jti } : {}),
    ...(options.lifetime ? { lifetime: options.lifetime } : {}),
    ...(options.claims ? { claims: options.claims } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}

/** The answer of a request, body parsed when JSON. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: Record<string, unknown>;
}

/** POSTs a form (object → urlencoded, string → sent as is). */
export async function postForm(url: string, form: Record<string, string> | string | URLSearchParams, headers: Record<string, string> = {}): Promise<Answer> {
  const body = typeof form === 'string' ? form : new URLSearchParams(form).toString();
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
  return readAnswer(response);
}

/** Reads a fetch Response into an Answer. */
export async function readAnswer(response: Response): Promise<Answer> {
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = {};
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Asks the server for a client_credentials token. */
export async function requestToken(server: RunningServer, client: TestClient, extra: Record<string, string> = {}, assertion?: string): Promise<Answer> {
  return postForm(`${server.url}/token`, {
    grant_type: 'client_credentials',
    client_assertion_type: CLIENT_ASSERTION_TYPE,
    client_assertion: assertion ?? (await assertionFor(server, client)),
    ...extra,
  });
}

/** Waits until queued audit events are written. */
export async function flushAudit(server: RunningServer): Promise<void> {
  await server.context.audit.flush();
}
