/**
 * The UserInfo endpoint, GET and POST /userinfo (OIDC Core §5.3): an access token of this server
 * issued on behalf of an end user, with the `openid` scope, sent as a Bearer token (RFC 6750 §2.1)
 * or, on POST, as the form body parameter `access_token` (RFC 6750 §2.2), one way only
 * (read-userinfo-token.ts).
 * Answers `sub` and the claims its scopes allow (§5.4: `profile` → name, preferred_username;
 * `email` → email), read through the SignInPort. Refusals are RFC 6750 §3 answers.
 */
import type { Context, Hono } from 'hono';
import { OAuthError } from '@keyward/core';
import type { ServerContext } from '../../context.ts';
import { errorResponse, jsonNoStore } from '../../middleware/errors.ts';
import { incomingOf } from '../../middleware/read-body.ts';
import { readForm } from '../../middleware/read-form.ts';
import { isFormBody, readUserInfoToken } from '../../services/read-userinfo-token.ts';
import { checkAccessToken } from '../../services/check-access-token.ts';
import { claimsForScopes } from '../../services/issue-end-user-tokens.ts';

/** Registers GET and POST /userinfo. */
export function registerUserInfoRoute(app: Hono, ctx: ServerContext): void {
  const handle = async (c: Context): Promise<Response> => {
    const request = c.req.raw;
    try {
      // OIDC Core §5.3.1: RFC 6750 §2.1 header, or §2.2 form body on POST (the one Bearer reader either way).
      const incoming = incomingOf(c);
      const form = isFormBody(request) ? await readForm(request, { maxBytes: ctx.config.server.maxBodyBytes, ...(incoming ? { incoming } : {}) }) : undefined;
      const token = readUserInfoToken(request, form);
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
  app.get('/userinfo', (c) => handle(c));
  app.post('/userinfo', (c) => handle(c));
}
