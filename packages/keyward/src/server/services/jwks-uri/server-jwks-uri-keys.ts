/**
 * The jwks_uri key source of one server node: one fetcher (its cache lives as long as the node), on
 * the node's clock, with the configured allow-list (`clients.jwksUriAllowHosts`). Built once by
 * startServer and held in ServerContext.jwksUriKeys.
 */
import { OAuthError } from '@keyward/core';
import type { KeywardConfig } from '../../../config/defaults.ts';
import { toRegisteredKey } from '@keyward/core';
import type { RegisteredKey } from '@keyward/core';
import type { ClientRecord } from '../../../store/contract.ts';
import type { Logger } from 'pino';
import type { AuditWriter } from '../audit-writer.ts';
import type { Clock } from '../../clock.ts';
import { createJwksUriFetcher, type JwksUriFetcher } from './create-jwks-uri-fetcher.ts';

/** The jwks_uri keys of a node's clients. */
export interface ServerJwksUriKeys {
  /**
   * The keys of a client that takes them from its jwks_uri, as RegisteredKeys (state active;
   * certificate dates from x5c respected). An unknown `kid` refetches at once (at most one fetch per
   * second per URI, none within 30 s of a failure). A failing URI with a last good set answers that
   * set (logged and audited once per new error); with none, OAuthError 'jwks_fetch_failed'. Does NOT
   * verify anything (the caller runs verifyClientAssertion).
   */
  load(client: ClientRecord, kid: unknown): Promise<RegisteredKey[]>;
  readonly fetcher: JwksUriFetcher;
}

/** Creates the jwks_uri key source of one node. */
export function createServerJwksUriKeys(deps: { config: KeywardConfig; clock: Clock; logger: Logger; audit: AuditWriter }): ServerJwksUriKeys {
  const { config, clock, logger, audit } = deps;
  const fetcher = createJwksUriFetcher({ allowHosts: config.clients.jwksUriAllowHosts ?? [], clock });
  /** The last fetch error reported per client, so a stale set is audited once per new error, not per request. */
  const reported = new Map<string, string>();
  return {
    fetcher,
    async load(client, kid) {
      if (client.jwksUri === undefined) throw new TypeError('load needs a client with a jwks_uri');
      const result = await fetcher.getKeys(client.clientId, client.jwksUri, typeof kid === 'string' ? { kid } : {});
      if (result.stale) {
        const key = `${result.fetchedAt.getTime()}\0${result.error ?? ''}`;
        if (reported.get(client.clientId) !== key) {
          if (reported.size >= 10_000) reported.clear();
          reported.set(client.clientId, key);
          logger.warn({ clientId: client.clientId, error: result.error }, 'jwks_uri fetch failed; using the last good key set');
          audit.write({
            time: new Date(clock()), type: 'jwks_uri.fetch_failed', clientId: client.clientId, reason: 'jwks_fetch_failed',
            details: { stale: true, last_good_fetch: result.fetchedAt.toISOString(), ...(result.error ? { detail: result.error } : {}) },
          });
        }
      }
      if (result.keys.length === 0) throw new OAuthError('jwks_fetch_failed', { detail: 'the key set at jwks_uri holds no signing key' });
      return result.keys.map((info) => toRegisteredKey(info));
    },
  };
}
