/**
 * The jwks_uri key source of one server node: one fetcher per ServerContext (its cache lives as long
 * as the node), on the node's clock, with the configured allow-list (`clients.jwksUriAllowHosts`).
 */
import { OAuthError } from '@keyward/core';
import { toRegisteredKey } from '@keyward/core';
import type { RegisteredKey } from '@keyward/core';
import type { ClientRecord } from '../../../store/contract.ts';
import type { ServerContext } from '../../context.ts';
import { createJwksUriFetcher, type JwksUriFetcher } from './create-jwks-uri-fetcher.ts';

const fetchers = new WeakMap<ServerContext, JwksUriFetcher>();
/** The last fetch error reported per client, so a stale set is audited once per new error, not per request. */
const reported = new WeakMap<ServerContext, Map<string, string>>();

/** The fetcher of `ctx` (created on first use). */
export function getServerJwksUriFetcher(ctx: ServerContext): JwksUriFetcher {
  let fetcher = fetchers.get(ctx);
  if (fetcher === undefined) {
    fetcher = createJwksUriFetcher({ allowHosts: ctx.config.clients.jwksUriAllowHosts ?? [], now: () => ctx.now() * 1000 + (Date.now() % 1000) });
    fetchers.set(ctx, fetcher);
  }
  return fetcher;
}

/**
 * The keys of a client that takes them from its jwks_uri, as RegisteredKeys (state active;
 * certificate dates from x5c respected). An unknown `kid` refetches at once (at most one fetch per
 * second per URI, none within 30 s of a failure).
 * A failing URI with a last good set answers that set (logged); with none, OAuthError
 * 'jwks_fetch_failed'. Does NOT verify anything (the caller runs verifyClientAssertion).
 */
export async function loadJwksUriKeys(ctx: ServerContext, client: ClientRecord, kid: unknown): Promise<RegisteredKey[]> {
  if (client.jwksUri === undefined) throw new TypeError('loadJwksUriKeys needs a client with a jwks_uri');
  const result = await getServerJwksUriFetcher(ctx).getKeys(client.clientId, client.jwksUri, typeof kid === 'string' ? { kid } : {});
  if (result.stale) {
    let seen = reported.get(ctx);
    if (seen === undefined) reported.set(ctx, (seen = new Map()));
    const key = `${result.fetchedAt.getTime()}\0${result.error ?? ''}`;
    if (seen.get(client.clientId) !== key) {
      if (seen.size >= 10_000) seen.clear();
      seen.set(client.clientId, key);
      ctx.logger.warn({ clientId: client.clientId, error: result.error }, 'jwks_uri fetch failed; using the last good key set');
      ctx.audit.write({
        time: new Date(ctx.now() * 1000), type: 'jwks_uri.fetch_failed', clientId: client.clientId, reason: 'jwks_fetch_failed',
        details: { stale: true, last_good_fetch: result.fetchedAt.toISOString(), ...(result.error ? { detail: result.error } : {}) },
      });
    }
  }
  if (result.keys.length === 0) throw new OAuthError('jwks_fetch_failed', { detail: 'the key set at jwks_uri holds no signing key' });
  return result.keys.map((info) => toRegisteredKey(info));
}
