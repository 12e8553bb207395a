/**
 * Wire views (snake_case, RFC 7591 names where one exists) of clients, keys and initial access
 * tokens, as the admin API, the CLI's `--json` and the audit log show them. No secret ever appears:
 * the registration token hash and token hashes are left out.
 */
import type { AuditEvent, ClientKeyRecord, ClientRecord, InitialAccessTokenRecord } from '../../../store/contract.ts';

/** A client as the admin API shows it. */
export interface ClientView {
  client_id: string;
  client_name: string;
  contact?: string;
  description?: string;
  grant_types: string[];
  scope: string;
  token_endpoint_auth_method: 'private_key_jwt';
  access_token_ttl: number;
  audience_policy: string;
  alg_pin?: string;
  state: string;
  jwks_uri?: string;
  registered_dynamically: boolean;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  response_types: string[];
  id_token_signed_response_alg?: string;
  require_pushed_authorization_requests: boolean;
  consent: string;
  /** Days after which the client's keys are due for rotation; absent: the server's keys.maxAge. */
  key_max_age_days?: number;
  created_at: string;
  updated_at: string;
}

/** A key as the admin API shows it (the facts of the issue: thumbprint, kid, alg, size, dates, state). */
export interface KeyView {
  kid: string;
  thumbprint: string;
  kty: string;
  alg?: string;
  bits?: number;
  crv?: string;
  state: string;
  created_at: string;
  not_before?: string;
  not_after?: string;
  retire_at?: string;
  revoked_at?: string;
  certificate_subject?: string;
  jwk: Record<string, unknown>;
}

/** The view of a client record. */
export function toClientView(client: ClientRecord): ClientView {
  return {
    client_id: client.clientId,
    client_name: client.name,
    ...(client.contact ? { contact: client.contact } : {}),
    ...(client.description ? { description: client.description } : {}),
    grant_types: [...client.grantTypes],
    scope: client.scopes.join(' '),
    token_endpoint_auth_method: 'private_key_jwt',
    access_token_ttl: client.accessTokenTtl,
    audience_policy: client.audiencePolicy,
    ...(client.algPin ? { alg_pin: client.algPin } : {}),
    state: client.state,
    ...(client.jwksUri ? { jwks_uri: client.jwksUri } : {}),
    registered_dynamically: client.registrationTokenHash !== undefined,
    redirect_uris: [...(client.redirectUris ?? [])],
    post_logout_redirect_uris: [...(client.postLogoutRedirectUris ?? [])],
    response_types: [...(client.responseTypes ?? [])],
    ...(client.idTokenSignedResponseAlg ? { id_token_signed_response_alg: client.idTokenSignedResponseAlg } : {}),
    require_pushed_authorization_requests: client.requirePushedAuthorizationRequests === true,
    consent: client.consent ?? 'required',
    ...(client.keyMaxAgeDays !== undefined ? { key_max_age_days: client.keyMaxAgeDays } : {}),
    created_at: client.createdAt.toISOString(),
    updated_at: client.updatedAt.toISOString(),
  };
}

function rsaBits(n: unknown): number | undefined {
  if (typeof n !== 'string') return undefined;
  const bytes = Buffer.from(n, 'base64url');
  let bits = bytes.length * 8;
  for (let i = 0; i < bytes.length && bytes[i] === 0; i += 1) bits -= 8;
  const first = bytes.find((b) => b !== 0) ?? 0;
  return bits - (Math.clz32(first) - 24);
}

/** The view of a key record; the size comes from the JWK (RSA modulus length) and the curve from `crv`. */
export function toKeyView(key: ClientKeyRecord): KeyView {
  const jwk = key.jwk as unknown as Record<string, unknown>;
  const bits = jwk.kty === 'RSA' ? rsaBits(jwk.n) : undefined;
  return {
    kid: key.kid,
    thumbprint: key.thumbprint,
    kty: String(jwk.kty),
    ...(key.alg ? { alg: key.alg } : {}),
    ...(bits ? { bits } : {}),
    ...(typeof jwk.crv === 'string' ? { crv: jwk.crv } : {}),
    state: key.state,
    created_at: key.createdAt.toISOString(),
    ...(key.notBefore ? { not_before: key.notBefore.toISOString() } : {}),
    ...(key.notAfter ? { not_after: key.notAfter.toISOString() } : {}),
    ...(key.retireAt ? { retire_at: key.retireAt.toISOString() } : {}),
    ...(key.revokedAt ? { revoked_at: key.revokedAt.toISOString() } : {}),
    ...(key.certificateSubject ? { certificate_subject: key.certificateSubject } : {}),
    jwk: { ...jwk },
  };
}

/** An initial access token as listed (never the token itself). */
export function toInitialAccessTokenView(token: InitialAccessTokenRecord): Record<string, unknown> {
  return {
    id: token.id,
    created_at: token.createdAt.toISOString(),
    ...(token.expiresAt ? { expires_at: token.expiresAt.toISOString() } : {}),
    ...(token.usesLeft !== undefined ? { uses_left: token.usesLeft } : {}),
    ...(token.scopes ? { scope: token.scopes.join(' ') } : {}),
  };
}

/** An audit event as the admin API and `keyward audit --json` show it (never a token or a secret). */
export function toAuditEventView(event: AuditEvent): Record<string, unknown> {
  return {
    ...(event.id === undefined ? {} : { id: event.id }),
    time: event.time.toISOString(),
    type: event.type,
    ...(event.clientId === undefined ? {} : { client_id: event.clientId }),
    ...(event.keyThumbprint === undefined ? {} : { key_thumbprint: event.keyThumbprint }),
    ...(event.reason === undefined ? {} : { reason: event.reason }),
    ...(event.sourceAddress === undefined ? {} : { source_address: event.sourceAddress }),
    ...(event.actor === undefined ? {} : { actor: event.actor }),
    ...(event.requestId === undefined ? {} : { request_id: event.requestId }),
    ...(event.details === undefined ? {} : { details: event.details }),
  };
}
