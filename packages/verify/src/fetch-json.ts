/**
 * One bounded HTTP GET/POST returning JSON: a timeout, a size cap, and errors that never carry a
 * token. Used by discovery, the remote JWKS, the registry key source and introspection.
 */
import { readCacheControl } from '@keyward/core';
import type { FetchLike } from './types.ts';

/** Options of {@link fetchJson}. */
export interface FetchJsonOptions {
  readonly method?: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Abort after this many milliseconds (default 5000). */
  readonly timeoutMs?: number;
  /** Refuse a body larger than this many bytes (default 262144). */
  readonly maxBytes?: number;
}

/** A JSON answer. `json` is undefined when the body is empty or not JSON. */
export interface JsonResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly json: unknown;
}

/** Thrown when the request fails, times out, or the answer is too large. The message names the URL only. */
export class FetchJsonError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'FetchJsonError';
  }
}

/**
 * Fetches `url` and parses the body as JSON, within `timeoutMs` and `maxBytes`. Any status is
 * returned (the caller judges it). Does NOT follow redirects (`redirect: 'error'`): a key server that
 * moves must be reconfigured, not silently followed.
 */
export async function fetchJson(fetchImpl: FetchLike, url: string, options: FetchJsonOptions = {}): Promise<JsonResponse> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxBytes = options.maxBytes ?? 262_144;
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: options.method ?? 'GET',
      headers: { accept: 'application/json', ...options.headers },
      ...(options.body === undefined ? {} : { body: options.body }),
      redirect: 'error',
      signal,
    });
  } catch (cause) {
    throw new FetchJsonError(`${options.method ?? 'GET'} ${url} failed${signal.aborted ? ` (no answer within ${timeoutMs} ms)` : ''}`, { cause });
  }
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new FetchJsonError(`${url} answered ${declared} bytes; the limit is ${maxBytes}`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    if (response.body !== null) {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > maxBytes) {
          await reader.cancel().catch(() => undefined);
          throw new FetchJsonError(`${url} answered more than ${maxBytes} bytes`);
        }
        chunks.push(value);
      }
    }
  } catch (cause) {
    if (cause instanceof FetchJsonError) throw cause;
    throw new FetchJsonError(`reading the answer of ${url} failed`, { cause });
  }
  let json: unknown;
  if (total > 0) {
    try {
      json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      json = undefined;
    }
  }
  return { status: response.status, headers: response.headers, json };
}

/**
 * The lifetime in seconds a Cache-Control header asks for (core's readCacheControl), clamped to
 * [min, max]; `fallback` when absent; `min` for `no-store`/`no-cache`.
 */
export function readMaxAge(headers: Headers, bounds: { min: number; max: number; fallback: number }): number {
  const { maxAgeSeconds, noStore } = readCacheControl(headers.get('cache-control'));
  const seconds = noStore ? bounds.min : maxAgeSeconds ?? bounds.fallback;
  return Math.min(bounds.max, Math.max(bounds.min, seconds));
}
