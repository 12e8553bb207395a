/**
 * /admin/v1/initial-access-tokens (RFC 7591 §3 gate: create, shown once; list without the secret)
 * and /admin/v1/audit (query the audit log).
 */
import type { Hono } from 'hono';
import type { ServerContext } from '../../context.ts';
import { jsonNoStore } from '../../middleware/errors.ts';
import { createInitialAccessToken } from '../../services/registry/index.ts';
import { toAuditEventView, toInitialAccessTokenView } from '../../services/registry/views.ts';
import { readAuditQuery } from '../../services/audit-query.ts';
import { resolveAuditLimit } from '../../../store/shared/patches.ts';
import { initialAccessTokenInputFromWire } from '../../services/registry/from-wire.ts';
import { createInitialAccessTokenBody } from '../../services/registry/wire-schemas.ts';
import { readJsonBody } from './admin-schemas.ts';
import type { AdminEnv } from './admin-env.ts';
import { registryFor } from '../registry-for.ts';

/** Registers the initial-access-token and audit routes on the admin sub-app. */
export function registerAdminTokenAndAuditRoutes(app: Hono<AdminEnv>, ctx: ServerContext): void {

  app.get('/initial-access-tokens', async () => {
    const tokens = await ctx.store.initialAccessTokens.listInitialAccessTokens();
    return jsonNoStore({ initial_access_tokens: tokens.map(toInitialAccessTokenView) });
  });

  app.post('/initial-access-tokens', async (c) => {
    const body = await readJsonBody(c, createInitialAccessTokenBody, ctx.config.server.maxBodyBytes);
    const { token, record } = await createInitialAccessToken(registryFor(c, ctx), initialAccessTokenInputFromWire(body, { actor: c.get('actor') }));
    // Shown once: only the hash is stored.
    return jsonNoStore({ ...toInitialAccessTokenView(record), initial_access_token: token }, 201);
  });

  // Newest first; `next_before` is the cursor of the next page when this one is full.
  app.get('/audit', async (c) => {
    const query = readAuditQuery({
      client_id: c.req.query('client_id'), type: c.req.query('type'), reason: c.req.query('reason'),
      since: c.req.query('since'), until: c.req.query('until'), before: c.req.query('before'), limit: c.req.query('limit'),
    }, ctx.clock());
    const events = await ctx.store.audit.queryAudit(query);
    const last = events.at(-1);
    const full = events.length === resolveAuditLimit(query.limit);
    return jsonNoStore({
      events: events.map(toAuditEventView),
      ...(full && last?.id !== undefined ? { next_before: last.id } : {}),
    });
  });
}
