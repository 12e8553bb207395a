/**
 * The UserInfo endpoint, GET and POST /userinfo (OIDC Core §5.3): an access token of this server
 * issued on behalf of an end user, with the `openid` scope, sent as a Bearer token (RFC 6750 §2.1).
 * Answers `sub` and the claims its scopes allow (§5.4: `profile` → name, preferred_username;
 * `email` → email), read through the SignInPort. Refusals are RFC 6750 §3 answers.
 */
import type { Hono } from 'hono';
import { OAuthError } from '@keyward/core';
import type { ServerContext } from '../../context.ts';
import { errorResponse, jsonNoStore } from '../../middleware/errors.ts';
import { readRequestBearer } from '../../services/authenticate-server-request.ts';
import { checkAccessToken } from '../../services/check-access-token.ts';
import { claimsForScopes } from '../../services/issue-end-user-tokens.ts';

/** Registers GET and POST /userinfo. */
export function registerUserInfoRoute(app: Hono, ctx: ServerContext): void {
  const handle = async (request: Request): Promise<Response> => {
    try {
      // OIDC Core §5.3.1 / RFC 6750 §2.1: the access token in the Authorization header (the one Bearer reader).
      const token = readRequestBearer(request, 'send Authorization: Bearer <access token>');
      const { verified, record } = await checkAccessToken(ctx, token);
      // Only tokens issued to an end user (authorization code flow) describe one.
      if (record.grantId === undefined || typeof verified.claims.sub !== 'string') throw new OAuthError('token_invalid', { detail: 'the access token was not issued on behalf of an end user' });
      const scopes = record.scope.split(' ');
      // OIDC Core §5.3: the openid scope is required.
      if (!scopes.includes('openid')) throw new OAuthError('insufficient_scope', { detail: 'the UserInfo endpoint needs an access token with the openid scope' });
      const claims = await ctx.signIn.claims(verified.claims.sub);
      if (claims === null) throw new OAuthError('token_invalid', { detail: 'the end user of this token is unknown or disabled' });
      return jsonNoStore({ sub: verified.claims.sub, ...claimsForScopes(claims, scopes) });
    } catch (error) {
      return errorResponse(error, ctx.logger, { bearer: true });
    }
  };
  app.get('/userinfo', (c) => handle(c.req.raw));
  app.post('/userinfo', (c) => handle(c.req.raw));
}
