/**
 * Request ids and the access log. Every request gets an id: the caller's `X-Request-Id` when it is
 * a plain token (1 to 128 characters of letters, digits and `._:@/+=-`, so it can never break a log
 * line or an audit export), else a fresh random one. The id is echoed in the answer's `X-Request-Id`
 * and carried by every log line and audit event of the request (request-context.ts). With
 * `log.access: true`, one `info` line per request: method, path (never the query string, which may
 * carry codes or tokens), status, duration.
 */
import { randomBytes } from 'node:crypto';
import type { Hono } from 'hono';
import type { Logger } from 'pino';
import { runInRequest } from '../request-context.ts';

const ACCEPTED_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The caller's id when it is acceptable, else undefined (a new one is made). */
export function readRequestId(header: string | undefined): string | undefined {
  return header !== undefined && ACCEPTED_ID.test(header) ? header : undefined;
}

/** Registers the request-id middleware (first, so that everything after it runs in the request). */
export function registerRequestId(app: Hono, options: { logger: Logger; accessLog: boolean }): void {
  app.use(async (c, next) => {
    const requestId = readRequestId(c.req.header('x-request-id')) ?? randomBytes(12).toString('base64url');
    const started = options.accessLog ? performance.now() : 0;
    await runInRequest({ requestId }, next);
    c.header('x-request-id', requestId);
    if (options.accessLog) {
      // Logged outside the request scope above, so the id is given here.
      options.logger.info({ request_id: requestId, method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round((performance.now() - started) * 10) / 10 }, 'request');
    }
  });
}
