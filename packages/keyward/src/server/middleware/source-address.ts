/**
 * The source address of a request, for the audit log: the socket's remote address, or the first
 * X-Forwarded-For entry when `server.trustProxy` is set.
 */
import type { Context } from 'hono';

/** The client's address (or undefined when unknown). Does NOT validate X-Forwarded-For contents. */
export function getSourceAddress(c: Context, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for');
    if (forwarded) return forwarded.split(',', 1)[0]!.trim().slice(0, 64);
  }
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}
