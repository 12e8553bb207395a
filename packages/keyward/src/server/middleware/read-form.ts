/**
 * Reads an `application/x-www-form-urlencoded` body (RFC 6749 §3.2, Appendix B) with a size cap,
 * and refuses repeated parameters (RFC 6749 §3.2: "Request and response parameters MUST NOT be
 * included more than once").
 */
import type { IncomingMessage } from 'node:http';
import { OAuthError } from '@keyward/core';

/** Options of {@link readForm}. */
export interface ReadFormOptions {
  /** Largest accepted body, bytes. */
  readonly maxBytes: number;
  /** Parameters that may repeat (RFC 8707 §2: `resource`). */
  readonly repeatable?: ReadonlySet<string>;
  /**
   * The Node request behind `request`, when served by node:http: its body is read directly, which
   * spares building a web ReadableStream per request (hot path).
   */
  readonly incoming?: IncomingMessage;
}

/** A parsed form: single values, plus the repeatable parameters as lists. */
export interface FormParameters {
  /** The value of a parameter; empty values count as absent (RFC 6749 §3.1). */
  get(name: string): string | undefined;
  /** Every value of a repeatable parameter. */
  getAll(name: string): string[];
  has(name: string): boolean;
}

/**
 * Reads and parses the body of `request`. Throws OAuthError 'content_type_unsupported' (not a form),
 * 'body_too_large' (over maxBytes, by Content-Length or while streaming), 'parameter_repeated',
 * 'request_malformed' (not UTF-8).
 *
 * Does NOT check which parameters are present: the endpoint does.
 */
export async function readForm(request: Request, options: ReadFormOptions): Promise<FormParameters> {
  // RFC 6749 §3.2: the token endpoint takes application/x-www-form-urlencoded.
  const type = (request.headers.get('content-type') ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new OAuthError('content_type_unsupported', { detail: `Content-Type is ${type === '' ? 'missing' : JSON.stringify(type)}: send the parameters as application/x-www-form-urlencoded` });
  }
  const text = options.incoming !== undefined && !options.incoming.readableEnded && options.incoming.readable
    ? await readIncomingText(options.incoming, options.maxBytes)
    : await readBodyText(request, options.maxBytes);
  const values = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(text)) {
    const list = values.get(name);
    if (list === undefined) values.set(name, [value]);
    else if (options.repeatable?.has(name)) list.push(value);
    else throw new OAuthError('parameter_repeated', { detail: `the parameter "${name.slice(0, 64)}" was sent more than once: send each parameter once (RFC 6749 §3.2)` });
  }
  return {
    get(name) {
      const value = values.get(name)?.[0];
      return value === undefined || value === '' ? undefined : value;
    },
    getAll(name) {
      return (values.get(name) ?? []).filter((value) => value !== '');
    },
    has(name) {
      return (values.get(name) ?? []).some((value) => value !== '');
    },
  };
}

/** The body of a node:http request as UTF-8 text, at most `maxBytes` bytes. */
export function readIncomingText(incoming: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = incoming.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) {
    return Promise.reject(new OAuthError('body_too_large', { detail: `the body is ${declared} bytes; the limit is ${maxBytes}` }));
  }
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        incoming.resume(); // drain the rest; the answer goes out now
        reject(new OAuthError('body_too_large', { detail: `the body is larger than the limit of ${maxBytes} bytes` }));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      try {
        resolve(new TextDecoder('utf-8', { fatal: true }).decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
      } catch {
        reject(new OAuthError('request_malformed', { detail: 'the body is not valid UTF-8' }));
      }
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new OAuthError('request_malformed', { detail: 'the body could not be read', cause: error }));
    };
    const cleanup = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('aborted', onError);
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('aborted', onError);
  });
}

/** The body as UTF-8 text, at most `maxBytes` bytes. */
export async function readBodyText(request: Request, maxBytes: number): Promise<string> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) {
    throw new OAuthError('body_too_large', { detail: `the body is ${declared} bytes; the limit is ${maxBytes}` });
  }
  if (request.body === null) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new OAuthError('body_too_large', { detail: `the body is larger than the limit of ${maxBytes} bytes` });
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new OAuthError('request_malformed', { detail: 'the body is not valid UTF-8' });
  }
}
