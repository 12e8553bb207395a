/**
 * /admin/v1/users/{sub}/consents: the consents an end user gave to clients at the authorization
 * endpoint; DELETE /admin/v1/users/{sub}/consents/{client_id} revokes one, with the refresh and
 * access tokens issued under it (registry service, audited with the admin client id as actor).
 */
import type { Hono } from 'hono';
import type { ServerContext } from '../../context.ts';
import { jsonNoStore } from '../../middleware/errors.ts';
import { listConsents, revokeConsent, toConsentView } from '../../services/registry/consents.ts';
import type { AdminEnv } from './admin-env.ts';
import { registryFor } from '../registry-for.ts';

/** Registers the consent routes on the admin sub-app. */
export function registerAdminConsentRoutes(app: Hono<AdminEnv>, ctx: ServerContext): void {
  app.get('/users/:sub/consents', async (c) => {
    const consents = await listConsents(registryFor(c, ctx), c.req.param('sub'));
    return jsonNoStore({ consents: consents.map(toConsentView) });
  });
  app.delete('/users/:sub/consents/:clientId', async (c) => {
    const result = await revokeConsent(registryFor(c, ctx), { sub: c.req.param('sub'), clientId: c.req.param('clientId'), actor: c.get('actor') });
    return jsonNoStore({ revoked: true, refresh_token_grants_revoked: result.refreshTokenGrants, tokens_revoked: result.accessTokens });
  });
}
