/**
 * RFC 8414 authorization server metadata at /.well-known/oauth-authorization-server, and the same
 * document at /.well-known/openid-configuration for clients that only look there.
 */
import type { Hono } from 'hono';
import { ASYMMETRIC_ALGS } from '@keyward/core';
import type { ServerContext } from '../../context.ts';
import { GRANTS } from './token.ts';

/** The metadata document (RFC 8414 §2). Every URL derives from the configured issuer. */
export function buildMetadata(ctx: ServerContext): Record<string, unknown> {
  const issuer = ctx.issuer;
  const algs = [...ASYMMETRIC_ALGS];
  return {
    issuer,
    token_endpoint: ctx.tokenEndpoint,
    jwks_uri: `${issuer}/jwks`,
    // RFC 8414 §2: REQUIRED; no authorization endpoint, so no response type.
    response_types_supported: [],
    // The end-user grants only where end users can sign in.
    grant_types_supported: [...GRANTS.keys()].filter((grant) => ctx.signIn !== undefined || (grant !== 'authorization_code' && grant !== 'refresh_token')),
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: algs,
    introspection_endpoint: `${issuer}/introspect`,
    introspection_endpoint_auth_methods_supported: ['private_key_jwt'],
    introspection_endpoint_auth_signing_alg_values_supported: algs,
    revocation_endpoint: `${issuer}/revoke`,
    revocation_endpoint_auth_methods_supported: ['private_key_jwt'],
    revocation_endpoint_auth_signing_alg_values_supported: algs,
    // RFC 8414 §2 / RFC 7591 §3: dynamic registration (initial access token required).
    registration_endpoint: `${issuer}/register`,
    // RFC 9068 §2.1 and draft-ietf-oauth-rfc7523bis: what we sign and what we accept as aud.
    access_token_signing_alg_values_supported: [ctx.signingKeys.active().alg],
    ...authorizationMetadata(ctx),
  };
}

/**
 * The authorization code flow's metadata (RFC 8414 §2, RFC 9126 §5, RFC 9207 §3, OIDC Discovery
 * §3, RP-Initiated Logout §2.1), advertised when the server has end-user sign-in.
 */
function authorizationMetadata(ctx: ServerContext): Record<string, unknown> {
  const issuer = ctx.issuer;
  return {
    authorization_endpoint: `${issuer}/authorize`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    pushed_authorization_request_endpoint: `${issuer}/par`,
    require_pushed_authorization_requests: ctx.config.authorization.requirePushedAuthorizationRequests,
    userinfo_endpoint: `${issuer}/userinfo`,
    end_session_endpoint: `${issuer}/end-session`,
    id_token_signing_alg_values_supported: [ctx.signingKeys.active().alg],
    subject_types_supported: ['public'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'at_hash', 'azp', 'amr', 'name', 'preferred_username', 'email'],
    prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
  };
}

/** Registers both well-known paths. */
export function registerDiscoveryRoutes(app: Hono, ctx: ServerContext): void {
  const handler = () => new Response(JSON.stringify(buildMetadata(ctx)), {
    headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' },
  });
  app.get('/.well-known/oauth-authorization-server', handler);
  app.get('/.well-known/openid-configuration', handler);
}
