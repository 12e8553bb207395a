/**
 * GET /resource/v1/clients/{client_id}/keys: the registered public keys of one client, for resource
 * servers that verify direct-mode tokens themselves ("mode B" key lookup). Protected by a Bearer
 * access token of this server (RFC 6750 §2.1) for this server alone (aud = the issuer) carrying the
 * scope `keyward:keys.read`.
 *
 * Answer: `{ client_id, state, keys: [public JWK + kid, alg, keyward_state, keyward_retire_at, nbf, exp] }`
 * with `Cache-Control: max-age=<clientKeysEndpoint.maxAge>`; 404 `{ "error": "not_found" }` for an
 * unknown client (the caller is authenticated, so this reveals nothing to anonymous parties).
 */
import type { Hono } from 'hono';
import type { ClientKeyRecord } from '../../../store/contract.ts';
import type { ServerContext } from '../../context.ts';
import { errorResponse } from '../../middleware/errors.ts';
import { authenticateServerRequest } from '../../services/authenticate-server-request.ts';

/** The scope a caller needs. */
export const KEYS_READ_SCOPE = 'keyward:keys.read';

/** The JWK of one stored key with the Keyward lifecycle members. */
export function describeClientKey(record: ClientKeyRecord): Record<string, unknown> {
  const epoch = (date: Date | undefined) => (date === undefined ? undefined : Math.floor(date.getTime() / 1000));
  const jwk: Record<string, unknown> = { ...record.jwk, kid: record.kid };
  const alg = record.alg ?? record.jwk.alg;
  if (alg !== undefined) jwk.alg = alg;
  jwk.keyward_state = record.state;
  if (record.retireAt !== undefined) jwk.keyward_retire_at = epoch(record.retireAt);
  if (record.notBefore !== undefined) jwk.nbf = epoch(record.notBefore);
  if (record.notAfter !== undefined) jwk.exp = epoch(record.notAfter);
  return jwk;
}

/** Registers the endpoint. */
export function registerClientKeysRoute(app: Hono, ctx: ServerContext): void {
  app.get('/resource/v1/clients/:clientId/keys', async (c) => {
    try {
      await authenticateServerRequest(ctx, c.req.raw, KEYS_READ_SCOPE);
      const clientId = c.req.param('clientId');
      const cached = await ctx.clients.get(clientId);
      if (cached === undefined) {
        return Response.json({ error: 'not_found', error_description: 'no client is registered with this client_id' }, { status: 404, headers: { 'cache-control': 'no-store' } });
      }
      const body = { client_id: cached.client.clientId, state: cached.client.state, keys: cached.keyRecords.map(describeClientKey) };
      return Response.json(body, { headers: { 'cache-control': `max-age=${ctx.config.clientKeysEndpoint.maxAge}` } });
    } catch (error) {
      return errorResponse(error, ctx.logger, { bearer: true });
    }
  });
}
