/**
 * The `client_credentials` grant (RFC 6749 §4.4) with private_key_jwt client authentication.
 */
import { OAuthError } from '@keyward/core';
import { requireClientGrant, type Grant } from './grant.ts';
import { resolveAudience, resolveScopes } from './grant-parameters.ts';

/** RFC 6749 §4.4.2: grant_type=client_credentials, optional scope; RFC 8707 resource. */
export const clientCredentialsGrant: Grant = {
  grantType: 'client_credentials',
  // RFC 6749 §4.4.2: "The client MUST authenticate with the authorization server".
  clientAuthentication: 'required',
  async handle({ ctx, form, auth }) {
    if (auth === undefined) throw new OAuthError('auth_missing');
    const client = auth.cached.client;
    requireClientGrant(client, 'client_credentials');
    const scopes = resolveScopes(form.get('scope'), client.scopes);
    const audience = resolveAudience(form.getAll('resource'), ctx.issuer);
    return { client, keyThumbprint: auth.verified.key.thumbprint, scopes, audience, assertions: [{ verified: auth.verified, role: 'client' }] };
  },
};
