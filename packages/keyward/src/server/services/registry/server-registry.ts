/**
 * The registry context of one server node: created once per ServerContext, on the node's clock,
 * with the node's client cache subscribed so that every change made through this node (admin API,
 * dynamic registration) takes effect at once. Changes made by another process (the local CLI) arrive
 * as announcements (services/cluster: Redis, or the data directory's socket).
 */
import type { ServerContext } from '../../context.ts';
import { createRegistryContext, type RegistryContext } from './registry-context.ts';

const registries = new WeakMap<ServerContext, RegistryContext>();

/** The registry of `ctx` (one per server node). */
export function getServerRegistry(ctx: ServerContext): RegistryContext {
  let registry = registries.get(ctx);
  if (registry === undefined) {
    registry = createRegistryContext(ctx.store, { now: () => new Date(ctx.now() * 1000) });
    registry.onChange((clientId) => ctx.clients.invalidate(clientId));
    registries.set(ctx, registry);
  }
  return registry;
}
