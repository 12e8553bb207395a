/**
 * One fetch of a client's `jwks_uri` (RFC 7591 §2), with every guard applied while it happens:
 * https only (plain http only for allow-listed hosts), every resolved address checked against
 * {@link describeRefusedAddress} unless the host is allow-listed, the connection made to the checked
 * address, no redirects, a deadline for the whole exchange, a body size cap enforced while reading,
 * and the key set read by {@link readJwksDocument}.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { OAuthError, privateKeyRefusal, readCacheControl, readJwkSet } from '@keyward/core';
import type { LoadedKeySet, PublicKeyInfo } from '@keyward/core';
import { describeRefusedAddress } from './check-address.ts';

/** Resolves a host name to every address (injectable for tests). */
export type ResolveHost = (hostname: string) => Promise<ReadonlyArray<{ address: string; family: number }>>;

/** Guards of one fetch. */
export interface FetchJwksOptions {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** Host names or IP literals that may be fetched over http and may resolve to private addresses. */
  readonly allowHosts: readonly string[];
  readonly resolve?: ResolveHost;
}

/** The keys read from a `jwks_uri` and the cache lifetime its answer asked for. */
export type FetchedJwks = LoadedKeySet<PublicKeyInfo>;

function refuse(detail: string, cause?: unknown): OAuthError {
  return new OAuthError('jwks_fetch_failed', { detail, ...(cause === undefined ? {} : { cause }) });
}

const defaultResolve: ResolveHost = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** Normalises a host for allow-list comparison (lower case, IPv6 without brackets). */
export function normaliseHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
}

/**
 * Checks the URL itself (scheme, no credentials, no fragment) and returns it parsed. Throws
 * OAuthError 'jwks_fetch_failed' with a detail saying what to fix. Does NOT resolve the host.
 */
export function checkJwksUri(uri: string, allowHosts: readonly string[]): URL {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw refuse('jwks_uri is not an absolute URL: give https://host/path');
  }
  const allowed = allowHosts.map(normaliseHost).includes(normaliseHost(url.hostname));
  // RFC 7591 §2 (jwks_uri) and RFC 8414 §2: the key set is fetched over TLS.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowed)) {
    throw refuse(`jwks_uri must use https (got ${url.protocol.replace(':', '')}); plain http is only accepted for hosts allow-listed in clients.jwksUriAllowHosts`);
  }
  if (url.username !== '' || url.password !== '') throw refuse('jwks_uri must not carry credentials (user:password@): remove them');
  if (url.hash !== '') throw refuse('jwks_uri must not have a fragment (#...): remove it');
  return url;
}

/**
 * Reads the JWKS JSON text of a client's jwks_uri with core's readJwkSet. Entries that are not
 * usable signature keys are skipped (RFC 7517 §5); private material anywhere refuses the whole set
 * (the client has published its secret); a set left with no usable key is refused with the reasons.
 */
export function readJwksDocument(text: string): PublicKeyInfo[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw refuse('the jwks_uri answer is not JSON: serve {"keys":[...]} with content type application/json');
  }
  const reading = readJwkSet(document);
  if (reading === undefined) throw refuse('the jwks_uri answer is not a JWK Set: serve {"keys":[...]} (RFC 7517 §5)');
  if (reading.hasPrivate) throw refuse(`the key set at jwks_uri holds private key material; the whole set is refused: ${privateKeyRefusal().message}`);
  if (reading.keys.length === 0) {
    const reasons = reading.skipped.map((entry) => `key ${entry.index}: ${entry.reason}`).join('; ');
    throw refuse(`the key set at jwks_uri holds no usable signature key${reasons === '' ? '' : ` (${reasons})`}`);
  }
  return reading.keys;
}

/**
 * Fetches and reads the key set at `uri`. Throws OAuthError 'jwks_fetch_failed' with a detail for
 * every refusal (address, scheme, redirect, status, timeout, size, content). Does NOT cache.
 */
export async function fetchJwks(uri: string, options: FetchJwksOptions): Promise<FetchedJwks> {
  const url = checkJwksUri(uri, options.allowHosts);
  const host = normaliseHost(url.hostname);
  const allowed = options.allowHosts.map(normaliseHost).includes(host);
  const deadline = Date.now() + options.timeoutMs;

  let address: { address: string; family: number };
  if (isIP(host) !== 0) {
    address = { address: host, family: isIP(host) };
  } else {
    let resolved: ReadonlyArray<{ address: string; family: number }>;
    try {
      resolved = await withDeadline((options.resolve ?? defaultResolve)(host), deadline, 'resolving the jwks_uri host');
    } catch (cause) {
      if (cause instanceof OAuthError) throw cause;
      throw refuse(`the jwks_uri host ${host} could not be resolved`, cause);
    }
    if (resolved.length === 0) throw refuse(`the jwks_uri host ${host} has no address`);
    address = resolved[0]!;
    if (!allowed) {
      // Every address is checked: a name that resolves to one public and one private address is refused.
      for (const candidate of resolved) {
        const why = describeRefusedAddress(candidate.address);
        if (why !== undefined) throw refuse(`the jwks_uri host ${host} resolves to a ${why} address (${candidate.address}); such addresses are refused unless the host is allow-listed in clients.jwksUriAllowHosts`);
      }
    }
  }
  if (!allowed) {
    const why = describeRefusedAddress(address.address);
    if (why !== undefined) throw refuse(`the jwks_uri points to a ${why} address (${address.address}); such addresses are refused unless allow-listed in clients.jwksUriAllowHosts`);
  }

  // Connect to the checked address only: the lookup below never asks DNS again (rebinding).
  const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all) (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [address]);
    else callback(null, address.address, address.family);
  };
  const response = await new Promise<{ status: number; headers: IncomingMessage['headers']; body: string }>((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'GET', lookup: pinned, headers: { accept: 'application/jwk-set+json, application/json', 'user-agent': 'keyward-jwks-fetcher' }, agent: false });
    const timer = setTimeout(() => req.destroy(refuse(`the jwks_uri did not answer within ${options.timeoutMs} ms`)), Math.max(0, deadline - Date.now()));
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error instanceof OAuthError ? error : refuse(`the jwks_uri could not be fetched (${(error as NodeJS.ErrnoException).code ?? error.message})`, error));
    });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (status !== 200) {
        res.resume();
        clearTimeout(timer);
        req.destroy();
        // Redirects are not followed: the target would escape the address check.
        reject(refuse(status >= 300 && status < 400
          ? `the jwks_uri answered with a redirect (${status}); redirects are not followed: register the final URL`
          : `the jwks_uri answered with HTTP ${status}; it must answer 200 with the key set`));
        return;
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > options.maxBytes) {
        clearTimeout(timer);
        req.destroy();
        reject(refuse(`the key set at jwks_uri is larger than ${options.maxBytes} bytes`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) {
          clearTimeout(timer);
          req.destroy();
          reject(refuse(`the key set at jwks_uri is larger than ${options.maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (error) => {
        clearTimeout(timer);
        reject(error instanceof OAuthError ? error : refuse('the jwks_uri answer was cut off', error));
      });
    });
    req.end();
  });
  const keys = readJwksDocument(response.body);
  const cache = readCacheControl(typeof response.headers['cache-control'] === 'string' ? response.headers['cache-control'] : undefined);
  return { keys, maxAgeSeconds: cache.maxAgeSeconds, noStore: cache.noStore };
}

async function withDeadline<T>(promise: Promise<T>, deadline: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(refuse(`${what} took longer than the jwks_uri timeout`)), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
