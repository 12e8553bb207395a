/**
 * The verifier as a Fastify (4 or 5) plugin and hook. Written against minimal structural types:
 * Fastify is not a dependency of Keyward.
 */
import type { Verifier, VerifyOptions } from '../create-verifier.ts';
import type { Principal } from '../types.ts';
import { readNodeAuthorization, type NodeRequestLike } from './send-challenge.ts';

/** The part of a Fastify request the hook uses. */
export interface FastifyRequestLike {
  readonly raw: NodeRequestLike;
  readonly url: string;
  keyward?: Principal | null;
  readonly routeOptions?: { readonly config?: { readonly keyward?: Omit<VerifyOptions, 'url'> } };
}

/** The part of a Fastify reply the hook uses. */
export interface FastifyReplyLike {
  code(status: number): FastifyReplyLike;
  header(name: string, value: string): FastifyReplyLike;
  send(payload?: unknown): FastifyReplyLike;
}

/** The part of a Fastify instance the plugin uses. */
export interface FastifyInstanceLike {
  decorateRequest(name: string, value: unknown): unknown;
  addHook(name: 'onRequest', hook: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>): unknown;
}

/** A Fastify hook (usable as a route's `onRequest` or `preHandler`). */
export type FastifyHook = (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>;

async function runHook(verifier: Verifier, options: Omit<VerifyOptions, 'url'>, request: FastifyRequestLike, reply: FastifyReplyLike): Promise<unknown> {
  const result = await verifier.authenticate(readNodeAuthorization(request.raw), { ...options, url: request.url });
  if (result.ok) {
    request.keyward = result.principal;
    return undefined;
  }
  const { challenge } = result;
  reply.code(challenge.status).header('cache-control', 'no-store');
  if (challenge.wwwAuthenticate !== undefined) reply.header('www-authenticate', challenge.wwwAuthenticate);
  // Returning the reply from an async hook ends the request (Fastify "reply.send in async hooks").
  return reply.send(challenge.body);
}

/**
 * A hook for one route: `fastify.get('/api', { onRequest: createFastifyHook(verifier, { scopes: ['read'] }) }, handler)`.
 * On success sets `request.keyward`; on refusal answers 400/401/403/503 with WWW-Authenticate.
 */
export function createFastifyHook(verifier: Verifier, options: Omit<VerifyOptions, 'url'> = {}): FastifyHook {
  return (request, reply) => runHook(verifier, options, request, reply);
}

/**
 * A plugin protecting every route whose config has `keyward` (per-route scopes):
 *
 *   await app.register(createFastifyPlugin(verifier));
 *   app.get('/api', { config: { keyward: { scopes: ['read'] } } }, (req) => req.keyward);
 *
 * Routes without `config.keyward` are not checked. The plugin is not encapsulated
 * (skip-override), so the hook applies to routes registered beside it.
 */
export function createFastifyPlugin(verifier: Verifier): (instance: FastifyInstanceLike, opts: unknown) => Promise<void> {
  const plugin = async (instance: FastifyInstanceLike): Promise<void> => {
    instance.decorateRequest('keyward', null);
    instance.addHook('onRequest', async (request, reply) => {
      const options = request.routeOptions?.config?.keyward;
      if (options === undefined) return undefined;
      return runHook(verifier, options, request, reply);
    });
  };
  // fastify-plugin's convention: do not encapsulate, so the hook and decorator reach sibling routes.
  Object.assign(plugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'keyward' });
  return plugin;
}
