/**
 * The admin API: a Hono sub-app mounted at /admin/v1. Every route but /openapi.json requires an
 * admin token (admin-auth.ts); errors answer JSON with no-store (admin-errors.ts).
 */
import { Hono } from 'hono';
import type { ServerContext } from '../../context.ts';
import { authenticateAdmin } from './admin-auth.ts';
import { registerAdminAlertRoutes } from './alert-routes.ts';
import type { AdminEnv } from './admin-env.ts';
import { adminErrorResponse } from './admin-errors.ts';
import { registerAdminClientRoutes } from './client-routes.ts';
import { registerAdminConsentRoutes } from './consent-routes.ts';
import { registerAdminKeyRoutes } from './key-routes.ts';
import { buildAdminOpenApi } from './openapi-document.ts';
import { registerAdminTokenAndAuditRoutes } from './token-and-audit-routes.ts';
import { registerAdminUserRoutes } from './user-routes.ts';

/** Where the admin API lives. */
export const ADMIN_BASE_PATH = '/admin/v1';

/** Builds the admin sub-app (routes relative to /admin/v1). */
export function buildAdminApp(ctx: ServerContext, options: { jwksUriAllowHosts?: readonly string[] } = {}): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  app.get('/openapi.json', () => Response.json(buildAdminOpenApi(ctx.issuer), { headers: { 'cache-control': 'public, max-age=300' } }));
  app.use('*', async (c, next) => {
    c.set('actor', await authenticateAdmin(ctx, c.req.raw));
    await next();
  });
  registerAdminClientRoutes(app, ctx, { jwksUriAllowHosts: options.jwksUriAllowHosts ?? [] });
  registerAdminKeyRoutes(app, ctx);
  registerAdminTokenAndAuditRoutes(app, ctx);
  registerAdminUserRoutes(app, ctx);
  registerAdminConsentRoutes(app, ctx);
  registerAdminAlertRoutes(app, ctx);
  app.notFound(() => Response.json({ error: 'not_found', error_description: 'no such admin endpoint: see /admin/v1/openapi.json' }, { status: 404 }));
  app.onError((error) => adminErrorResponse(error, ctx.logger));
  return app;
}

/** Mounts the admin API on the server app. */
export function registerAdminRoutes(app: Hono, ctx: ServerContext, options: { jwksUriAllowHosts?: readonly string[] } = {}): void {
  app.route(ADMIN_BASE_PATH, buildAdminApp(ctx, options) as unknown as Hono);
}
