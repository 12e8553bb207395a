/**
 * THE request body reader of the server: the form reader (token, introspection, revocation), the
 * JSON readers of registration (RFC 7591/7592) and of the admin API all read through it, with a
 * size cap (`server.maxBodyBytes`).
 *
 * Refusal order, each before a byte more is held:
 * 1. a declared `Content-Length` above the cap: 413 at once, nothing read (RFC 9110 §15.5.14);
 * 2. a body without a declared length (chunked) or longer than declared is read as a stream and
 *    counted; at the first byte past the cap reading stops (the stream is paused or cancelled,
 *    the rest is never buffered) and the answer is 413;
 * 3. a client that goes away before the body is complete gets `request_malformed` (400, which
 *    nobody reads), never a 500 or an unhandled rejection.
 *
 * What happens to the unread rest of a refused body: @hono/node-server drains it after the
 * answer is written (discarding, at most 64 MiB or 500 ms) and then closes the connection, so the
 * client can read the answer before the socket goes.
 *
 * Does NOT check the content type, parse the body, or authenticate the caller: the endpoint does
 * (and checks its credential BEFORE calling this, so an unauthenticated upload is never read).
 */
import type { IncomingMessage } from 'node:http';
import { OAuthError } from '@keyward/core';

/** Options of {@link readBodyText}. */
export interface ReadBodyOptions {
  /** Largest accepted body, bytes. */
  readonly maxBytes: number;
  /**
   * The Node request behind `request`, when served by node:http: its body is read directly, which
   * spares building a web ReadableStream per request (hot path).
   */
  readonly incoming?: IncomingMessage;
}

/** What the JSON readers take from a Hono context: the web request and its environment. */
export interface RequestContext {
  readonly req: { readonly raw: Request };
  readonly env: unknown;
}

/** The node:http request behind a Hono context (@hono/node-server puts it in the environment), if any. */
export function incomingOf(c: Pick<RequestContext, 'env'>): IncomingMessage | undefined {
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
}

/** {@link readBodyText} of the request of a Hono context, through its node:http request when there is one. */
export function readContextBody(c: RequestContext, maxBytes: number): Promise<string> {
  const incoming = incomingOf(c);
  return readBodyText(c.req.raw, { maxBytes, ...(incoming ? { incoming } : {}) });
}

function tooLarge(maxBytes: number, declared?: string): OAuthError {
  return new OAuthError('body_too_large', { detail: declared === undefined ? `the body is larger than the limit of ${maxBytes} bytes` : `the body is ${declared} bytes; the limit is ${maxBytes}` });
}

/** The refusals made because the connection closed mid-body (see isCutOff). */
const cutOffs = new WeakSet<OAuthError>();

function cutOff(cause?: unknown): OAuthError {
  const error = new OAuthError('request_malformed', { detail: 'the connection closed before the body was complete', ...(cause !== undefined ? { cause } : {}) });
  cutOffs.add(error);
  return error;
}

/**
 * True for the refusal of a body whose connection closed before it was complete: the client went
 * away, or the server closed the connection at the end of server.shutdownGrace (then it is not the
 * client's fault, and not recorded as a malformed request).
 */
export function isCutOff(error: unknown): boolean {
  return error instanceof OAuthError && cutOffs.has(error);
}

/** Refuses a declared Content-Length above the cap (step 1). */
function checkDeclaredLength(declared: string | null | undefined, maxBytes: number): void {
  if (declared !== null && declared !== undefined && Number(declared) > maxBytes) throw tooLarge(maxBytes, declared);
}

/**
 * The body of `request` as UTF-8 text, at most `maxBytes` bytes. Throws OAuthError 'body_too_large'
 * (413), 'request_malformed' (not UTF-8, or the client went away mid-body).
 */
export async function readBodyText(request: Request, options: ReadBodyOptions): Promise<string> {
  const { incoming, maxBytes } = options;
  const bytes = incoming !== undefined && !incoming.readableEnded && !incoming.readableDidRead
    ? await readIncoming(incoming, maxBytes)
    : await readWebBody(request, maxBytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new OAuthError('request_malformed', { detail: 'the body is not valid UTF-8' });
  }
}

/** Reads a node:http request body (the fast path). */
function readIncoming(incoming: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  checkDeclaredLength(incoming.headers['content-length'], maxBytes);
  if (incoming.destroyed) return Promise.reject(cutOff(incoming.errored ?? undefined));
  return new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        // Stop pulling from the socket: the rest is never read into memory here.
        incoming.pause();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    };
    const onError = (error?: unknown) => {
      cleanup();
      reject(cutOff(error instanceof Error ? error : undefined));
    };
    // 'close' before 'end': the client went away mid-body (node emits 'aborted' too, not always 'error').
    const onClose = () => onError();
    const cleanup = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('aborted', onClose);
      incoming.off('close', onClose);
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('aborted', onClose);
    incoming.on('close', onClose);
  });
}

/** Reads a web Request body as a stream (app.fetch without node:http, or a body already wrapped). */
async function readWebBody(request: Request, maxBytes: number): Promise<Uint8Array> {
  checkDeclaredLength(request.headers.get('content-length'), maxBytes);
  if (request.body === null) return new Uint8Array(0);
  if (request.bodyUsed) throw new OAuthError('request_malformed', { detail: 'the body was already read' });
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let step: ReadableStreamReadResult<Uint8Array>;
    try {
      step = await reader.read();
    } catch (error) {
      throw cutOff(error);
    }
    if (step.done) break;
    size += step.value.byteLength;
    if (size > maxBytes) {
      // Cancel the stream: the rest is neither read nor buffered.
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(step.value);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}
