/** Reads a client or refuses with RegistryError not_found. */
import type { ClientRecord } from '../../../store/contract.ts';
import type { RegistryContext } from './registry-context.ts';
import { RegistryError } from './registry-error.ts';

/** The client `clientId`; throws RegistryError('not_found') when it does not exist. */
export async function getClientOrFail(ctx: RegistryContext, clientId: string): Promise<ClientRecord> {
  const client = await ctx.store.clients.getClient(clientId);
  if (client === undefined) throw new RegistryError('not_found', `no client ${JSON.stringify(clientId)}: list clients with \`keyward clients list\``);
  return client;
}
