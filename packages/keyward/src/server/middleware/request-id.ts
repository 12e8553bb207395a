/**
 * Request ids and the access log. Every request gets an id: the caller's `X-Request-Id` when it is
 * a plain token (1 to 128 characters of letters, digits and `._:@/+=-`, so it can never break a log
 * line or an audit export), else a fresh random one. The id is echoed in the answer's `X-Request-Id`
 * and kept on the request's context (`c.get('requestId')`), from where the routes put it on their
 * audit events ({@link requestFacts}) and log lines. With `log.access: true`, one `info` line per
 * request: method, path (never the query string, which may carry codes or tokens), status, duration.
 *
 * Passed explicitly rather than through AsyncLocalStorage: on Node 20 its promise hooks cost the
 * token endpoint about 45 % of its throughput (bench/README.md).
 */
import { randomBytes } from 'node:crypto';
import type { Context, Hono } from 'hono';
import type { Logger } from 'pino';
import { getSourceAddress } from './source-address.ts';

declare module 'hono' {
  interface ContextVariableMap {
    /** The request's id (X-Request-Id), set first by registerRequestId. */
    requestId: string;
  }
}

const ACCEPTED_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The caller's id when it is acceptable, else undefined (a new one is made). */
export function readRequestId(header: string | undefined): string | undefined {
  return header !== undefined && ACCEPTED_ID.test(header) ? header : undefined;
}

/** What an audit event records of the request it happened in: source address and request id. */
export function requestFacts(c: Context, trustProxy: boolean): { sourceAddress?: string; requestId?: string } {
  const address = getSourceAddress(c, trustProxy);
  const requestId = c.get('requestId') as string | undefined;
  return { ...(address === undefined ? {} : { sourceAddress: address }), ...(requestId === undefined ? {} : { requestId }) };
}

/** Registers the request-id middleware (first, so that every route sees the id). */
export function registerRequestId(app: Hono, options: { logger: Logger; accessLog: boolean }): void {
  app.use(async (c, next) => {
    const requestId = readRequestId(c.req.header('x-request-id')) ?? randomBytes(12).toString('base64url');
    c.set('requestId', requestId);
    const started = options.accessLog ? performance.now() : 0;
    await next();
    c.header('x-request-id', requestId);
    if (options.accessLog) {
      options.logger.info({ request_id: requestId, method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round((performance.now() - started) * 10) / 10 }, 'request');
    }
  });
}
