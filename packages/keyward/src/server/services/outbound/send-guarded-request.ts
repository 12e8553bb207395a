/**
 * One outbound HTTP request to a URL that came from outside the server's own code (a client's
 * `jwks_uri`, an alert webhook), with the SSRF guards applied while it happens:
 *
 * 1. the URL: https only (plain http only for allow-listed hosts), no credentials, no fragment;
 * 2. every address the host resolves to is checked with {@link describeRefusedAddress} (private,
 *    loopback, link-local, ...) unless the host is allow-listed;
 * 3. the connection goes to the checked address (no second lookup: DNS rebinding cannot swap it);
 * 4. no redirects (the target would escape the check), one deadline for the whole exchange, and a
 *    cap on the answer's size enforced while reading.
 *
 * Every refusal goes through the caller's `refuse`, with a detail that names `what` and says what
 * to fix. Does NOT retry, cache or read the answer's content.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { describeRefusedAddress } from './check-address.ts';

/** Resolves a host name to every address (injectable for tests). */
export type ResolveHost = (hostname: string) => Promise<ReadonlyArray<{ address: string; family: number }>>;

/** Builds the error thrown for a refusal or a failure (the caller's error type). */
export type Refuse = (detail: string, cause?: unknown) => Error;

/** What is checked and how a refusal reads. */
export interface OutboundTarget {
  /** Names the URL in messages: `jwks_uri`, `webhook URL`. */
  readonly what: string;
  /** Host names or IP literals that may use http and resolve to private or loopback addresses. */
  readonly allowHosts: readonly string[];
  /** The setting that holds `allowHosts` (named in messages). */
  readonly allowSetting: string;
  readonly refuse: Refuse;
}

/** One request. */
export interface GuardedRequest {
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly timeoutMs: number;
  /** Largest answer body read, bytes. */
  readonly maxBytes: number;
  readonly resolve?: ResolveHost;
}

/** The answer (any status: the caller judges it). */
export interface GuardedResponse {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

const defaultResolve: ResolveHost = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** Normalises a host for allow-list comparison (lower case, IPv6 without brackets). */
export function normaliseHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
}

function isAllowed(url: URL, target: OutboundTarget): boolean {
  return target.allowHosts.map(normaliseHost).includes(normaliseHost(url.hostname));
}

/**
 * Checks the URL itself (scheme, no credentials, no fragment) and returns it parsed. Throws through
 * `target.refuse`. Does NOT resolve the host.
 */
export function checkOutboundUrl(uri: string, target: OutboundTarget): URL {
  const { what, refuse } = target;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw refuse(`${what} is not an absolute URL: give https://host/path`);
  }
  // RFC 7591 §2 (jwks_uri), RFC 8414 §2: over TLS; plain http only where the operator allows it.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isAllowed(url, target))) {
    throw refuse(`${what} must use https (got ${url.protocol.replace(':', '')}); plain http is only accepted for hosts allow-listed in ${target.allowSetting}`);
  }
  if (url.username !== '' || url.password !== '') throw refuse(`${what} must not carry credentials (user:password@): remove them`);
  if (url.hash !== '') throw refuse(`${what} must not have a fragment (#...): remove it`);
  return url;
}

/** Sends `request` to `uri` under the guards above; answers whatever status came back. */
export async function sendGuardedRequest(uri: string, target: OutboundTarget, request: GuardedRequest): Promise<GuardedResponse> {
  const { what, refuse } = target;
  const url = checkOutboundUrl(uri, target);
  const host = normaliseHost(url.hostname);
  const allowed = isAllowed(url, target);
  const deadline = Date.now() + request.timeoutMs;

  let address: { address: string; family: number };
  if (isIP(host) !== 0) {
    address = { address: host, family: isIP(host) };
  } else {
    let resolved: ReadonlyArray<{ address: string; family: number }>;
    const tooSlow = refuse(`resolving the ${what} host took longer than the ${what} timeout`);
    try {
      resolved = await withDeadline((request.resolve ?? defaultResolve)(host), deadline, tooSlow);
    } catch (cause) {
      if (cause === tooSlow) throw cause;
      throw refuse(`the ${what} host ${host} could not be resolved`, cause);
    }
    if (resolved.length === 0) throw refuse(`the ${what} host ${host} has no address`);
    address = resolved[0]!;
    if (!allowed) {
      // Every address is checked: a name that resolves to one public and one private address is refused.
      for (const candidate of resolved) {
        const why = describeRefusedAddress(candidate.address);
        if (why !== undefined) throw refuse(`the ${what} host ${host} resolves to a ${why} address (${candidate.address}); such addresses are refused unless the host is allow-listed in ${target.allowSetting}`);
      }
    }
  }
  if (!allowed) {
    const why = describeRefusedAddress(address.address);
    if (why !== undefined) throw refuse(`the ${what} points to a ${why} address (${address.address}); such addresses are refused unless allow-listed in ${target.allowSetting}`);
  }

  // Connect to the checked address only: the lookup below never asks DNS again (rebinding).
  const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all) (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [address]);
    else callback(null, address.address, address.family);
  };
  return new Promise<GuardedResponse>((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers = request.body === undefined ? request.headers : { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) };
    const req = send(url, { method: request.method, lookup: pinned, headers, agent: false });
    const tooSlow = refuse(`the ${what} did not answer within ${request.timeoutMs} ms`);
    const timer = setTimeout(() => req.destroy(tooSlow), Math.max(0, deadline - Date.now()));
    const fail = (error: Error) => {
      clearTimeout(timer);
      req.destroy();
      reject(error);
    };
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error === tooSlow ? error : refuse(`the ${what} could not be reached (${(error as NodeJS.ErrnoException).code ?? error.message})`, error));
    });
    req.on('response', (res) => {
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > request.maxBytes) {
        fail(refuse(`the answer of the ${what} is larger than ${request.maxBytes} bytes`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > request.maxBytes) {
          fail(refuse(`the answer of the ${what} is larger than ${request.maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (error) => fail(refuse(`the answer of the ${what} was cut off`, error)));
    });
    req.end(request.body);
  });
}

async function withDeadline<T>(promise: Promise<T>, deadline: number, onTimeout: Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(onTimeout), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
