/**
 * The registry as a route uses it: the node's registry, for the request at hand, so that every
 * audit event a change writes carries the request's id (X-Request-Id) and source address.
 */
import type { Context } from 'hono';
import type { ServerContext } from '../context.ts';
import { requestFacts } from '../middleware/request-id.ts';
import { withRequest, type RegistryContext } from '../services/registry/index.ts';

/** `ctx.registry` for the request `c`. */
export function registryFor(c: Context, ctx: ServerContext): RegistryContext {
  return withRequest(ctx.registry, requestFacts(c, ctx.config.server.trustProxy));
}
