/**
 * Builds the Hono application of one server node (no listen: main.ts does that, tests may call
 * `app.fetch` directly). Unknown paths answer 404 JSON, known paths with the wrong method 405, and
 * nothing answers with a stack trace.
 */
import { Hono } from 'hono';
import type { ServerContext } from './context.ts';
import { errorResponse, jsonNoStore } from './middleware/errors.ts';
import { registerRequestId } from './middleware/request-id.ts';
import { registerClientKeysRoute } from './routes/oauth/client-keys.ts';
import { registerDiscoveryRoutes } from './routes/oauth/discovery.ts';
import { registerHealthRoutes } from './routes/oauth/health.ts';
import { registerIntrospectRoute } from './routes/oauth/introspect.ts';
import { registerJwksRoute } from './routes/oauth/jwks.ts';
import { registerRevokeRoute } from './routes/oauth/revoke.ts';
import { registerTokenRoute } from './routes/oauth/token.ts';
import { registerAuthorizeRoutes } from './routes/oauth/authorize.ts';
import { registerEndSessionRoute } from './routes/oauth/end-session.ts';
import { registerParRoute } from './routes/oauth/par.ts';
import { registerUserInfoRoute } from './routes/oauth/userinfo.ts';
import { registerRegistrationRoute } from './routes/oauth/register.ts';
import { registerRegistrationManagementRoutes } from './routes/oauth/register-management.ts';
import { registerAdminRoutes } from './routes/admin/admin-app.ts';
import { registerMetricsRoute } from './routes/metrics.ts';
import { registerConsoleRoutes } from './routes/console.ts';
import { registerPasskeyRoutes } from './routes/sign-in/passkey-routes.ts';
import { registerSignInRoutes } from './routes/sign-in/sign-in-routes.ts';
import { registerTokenRateLimit } from './services/rate-limit/register-token-rate-limit.ts';

/** The application with every route of this issue. */
export function buildApp(ctx: ServerContext): Hono {
  const app = new Hono();
  // First: everything after it runs as part of the request (its id on every log line and audit event).
  registerRequestId(app, { logger: ctx.logger, accessLog: ctx.config.log.access });
  // While draining for shutdown, every answer closes its connection: clients reconnect elsewhere.
  app.use(async (c, next) => {
    await next();
    if (ctx.lifecycle.draining) c.header('connection', 'close');
  });
  // Request timing and GET /metrics first (they wrap every route), then the token rate limit.
  registerMetricsRoute(app, ctx);
  registerTokenRateLimit(app, ctx);
  registerDiscoveryRoutes(app, ctx);
  registerJwksRoute(app, ctx);
  registerHealthRoutes(app, ctx);
  registerTokenRoute(app, ctx);
  registerIntrospectRoute(app, ctx);
  registerRevokeRoute(app, ctx);
  registerClientKeysRoute(app, ctx);
  // The authorization code flow: RFC 6749 §4.1, RFC 9126, OIDC Core §5.3, RP-Initiated Logout.
  registerAuthorizeRoutes(app, ctx);
  registerParRoute(app, ctx);
  registerUserInfoRoute(app, ctx);
  registerEndSessionRoute(app, ctx);
  // Registry: RFC 7591/7592 registration and the admin API.
  const registry = { jwksUriAllowHosts: ctx.config.clients.jwksUriAllowHosts ?? [] };
  registerRegistrationRoute(app, ctx, registry);
  registerRegistrationManagementRoutes(app, ctx, registry);
  registerAdminRoutes(app, ctx, registry);
  // The admin web console: static pages over the admin API.
  registerConsoleRoutes(app, ctx);
  // End-user sign-in pages (sessions for the authorization endpoint).
  registerPasskeyRoutes(app, ctx);
  registerSignInRoutes(app, ctx);
  // RFC 6749 §3.2: the token endpoint takes POST only (likewise introspection and revocation).
  for (const path of ['/token', '/introspect', '/revoke', '/par']) {
    app.all(path, () => jsonNoStore({ error: 'invalid_request', error_description: 'use POST with an application/x-www-form-urlencoded body' }, 405, { allow: 'POST' }));
  }
  app.notFound(() => Response.json({ error: 'not_found', error_description: 'no such endpoint: see /.well-known/oauth-authorization-server' }, { status: 404 }));
  app.onError((error) => errorResponse(error, ctx.logger));
  return app;
}
