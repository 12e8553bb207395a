/**
 * The JWT bearer authorization grant (RFC 7523 §2.1): `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`
 * with `assertion=<JWT>`, signed by one of the client's registered keys (iss = sub = client_id, aud =
 * the issuer, exp, jti: the same rules as a client assertion). Client authentication is optional
 * (RFC 7523 §3.1); when the request also authenticates a client, it must be the same client.
 */
import { IDENTITY_HIDING_REASONS, OAuthError } from '@keyward/core';
import { verifyAssertionOfClient, type AuthenticatedClient } from '../client-authentication.ts';
import { requireClientGrant, type Grant } from './grant.ts';
import { resolveAudience, resolveScopes } from './grant-parameters.ts';

/** RFC 7523 §2.1 grant type URN. */
export const JWT_BEARER_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export const jwtBearerGrant: Grant = {
  grantType: JWT_BEARER_GRANT_TYPE,
  clientAuthentication: 'optional',
  async handle({ ctx, form, auth, trace }) {
    const assertion = form.get('assertion');
    // RFC 7523 §2.1: the assertion parameter carries exactly one JWT.
    if (assertion === undefined) throw new OAuthError('parameter_missing', { detail: 'the jwt-bearer grant needs the "assertion" parameter (a JWT signed with your registered key)' });
    let grant: AuthenticatedClient;
    try {
      grant = await verifyAssertionOfClient(ctx, assertion, auth?.verified.clientId, trace);
    } catch (error) {
      if (!(error instanceof OAuthError) || error.reason === 'store_unavailable') throw error;
      // RFC 7523 §3.1: an invalid grant JWT is invalid_grant; the inner reason goes to the audit log.
      const hidden = IDENTITY_HIDING_REASONS.has(error.reason);
      throw new OAuthError('grant_assertion_invalid', {
        detail: `${error.reason}: ${error.detail ?? error.description}`,
        ...(hidden ? {} : { description: `the authorization grant JWT is invalid: ${error.description}` }),
        cause: error,
      });
    }
    const client = grant.cached.client;
    requireClientGrant(client, JWT_BEARER_GRANT_TYPE, 'the jwt-bearer grant');
    const scopes = resolveScopes(form.get('scope'), client.scopes);
    const audience = resolveAudience(form.getAll('resource'), ctx.issuer);
    const assertions = [
      ...(auth === undefined ? [] : [{ verified: auth.verified, role: 'client' as const }]),
      { verified: grant.verified, role: 'grant' as const },
    ];
    return { client, keyThumbprint: grant.verified.key.thumbprint, scopes, audience, assertions };
  },
};
