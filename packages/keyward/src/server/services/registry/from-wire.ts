/**
 * Wire bodies (snake_case, wire-schemas.ts) → the registry's inputs (camelCase): the one mapping,
 * used by the admin API routes and by the CLI's registry commands on the local data directory (the
 * CLI's `--server` mode sends the same bodies to the admin API, which maps them here). The reverse
 * direction is views.ts.
 *
 * A field left out (undefined) stays out, so the registry's default or the current value applies;
 * `null` (update only) clears. Does NOT check field values: the registry's field rules do
 * (validate-client-fields.ts), whoever calls it.
 */
import type { AuthorizationFieldPolicy, AuthorizationFieldsInput } from './authorization-fields.ts';
import type { CreateClientInput } from './create-client.ts';
import type { KeyMaterial, KeyValidity } from './key-records.ts';
import type { ClientUpdate } from './update-client.ts';
import type { AddKeysWire, CreateClientWire, CreateInitialAccessTokenWire, RotateKeyWire, UpdateClientWire } from './wire-schemas.ts';

/** What the caller knows that the body does not: who acts, and the configured defaults. */
export interface WireContext {
  /** The audit actor (the admin client id, or `cli`). */
  readonly actor: string;
  /** Hosts allowed to use http for jwks_uri (`clients.jwksUriAllowHosts`). */
  readonly jwksUriAllowHosts: readonly string[];
  /** `tokens.accessTokenTtl`: the lifetime of a new client's tokens when the body names none. */
  readonly accessTokenTtl: number;
  /** `tokens.rotationOverlap`: how long a rotated-out key keeps working when the body names none. */
  readonly rotationOverlap: number;
  /** What authorization-code fields this server accepts (loopback redirect URIs, ID token algorithms). */
  readonly authorizationPolicy: AuthorizationFieldPolicy;
}

/** RFC 6749 §3.3: `scope` is a space-delimited list; empty strings between spaces are dropped. */
export function scopesFromWire(scope: string | undefined): string[] | undefined {
  return scope === undefined ? undefined : scope.split(' ').filter((s) => s !== '');
}

/** `not_before` / `not_after` (RFC 3339 date-times) → key validity; absent dates stay absent. */
export function keyValidityFromWire(body: { not_before?: string | undefined; not_after?: string | undefined }): KeyValidity {
  return {
    ...(body.not_before !== undefined ? { notBefore: new Date(body.not_before) } : {}),
    ...(body.not_after !== undefined ? { notAfter: new Date(body.not_after) } : {}),
  };
}

/** The optional client fields of both bodies; `N` is `null` where the body may clear a field. */
interface ClientFieldsWire<N> {
  contact?: string | N | undefined;
  description?: string | N | undefined;
  grant_types?: string[] | undefined;
  scope?: string | undefined;
  access_token_ttl?: number | undefined;
  audience_policy?: 'strict' | 'legacy' | undefined;
  alg_pin?: string | N | undefined;
  jwks_uri?: string | N | undefined;
  redirect_uris?: string[] | undefined;
  post_logout_redirect_uris?: string[] | undefined;
  response_types?: string[] | undefined;
  id_token_signed_response_alg?: string | N | undefined;
  require_pushed_authorization_requests?: boolean | undefined;
  consent?: string | undefined;
  key_max_age_days?: number | N | undefined;
}

/** The authorization-code flow fields of a body, or undefined when it names none. */
function authorizationFromWire<N>(body: ClientFieldsWire<N>): AuthorizationFieldsInput | undefined {
  const input: AuthorizationFieldsInput = {
    ...(body.redirect_uris !== undefined ? { redirectUris: body.redirect_uris } : {}),
    ...(body.post_logout_redirect_uris !== undefined ? { postLogoutRedirectUris: body.post_logout_redirect_uris } : {}),
    ...(body.response_types !== undefined ? { responseTypes: body.response_types } : {}),
    ...(body.id_token_signed_response_alg !== undefined ? { idTokenSignedResponseAlg: body.id_token_signed_response_alg as string | null } : {}),
    ...(body.require_pushed_authorization_requests !== undefined ? { requirePushedAuthorizationRequests: body.require_pushed_authorization_requests } : {}),
    ...(body.consent !== undefined ? { consent: body.consent } : {}),
  };
  return Object.keys(input).length > 0 ? input : undefined;
}

/** The fields POST /clients and PATCH /clients/{client_id} share, mapped the same way for both. */
function clientFieldsFromWire<N>(body: ClientFieldsWire<N>, context: Pick<WireContext, 'jwksUriAllowHosts' | 'authorizationPolicy'>) {
  const scopes = scopesFromWire(body.scope);
  const authorization = authorizationFromWire(body);
  return {
    ...(authorization === undefined ? {} : { authorization, authorizationPolicy: context.authorizationPolicy }),
    ...(body.contact !== undefined ? { contact: body.contact } : {}),
    ...(body.description !== undefined ? { description: body.description } : {}),
    ...(body.grant_types !== undefined ? { grantTypes: body.grant_types } : {}),
    ...(scopes !== undefined ? { scopes } : {}),
    ...(body.access_token_ttl !== undefined ? { accessTokenTtl: body.access_token_ttl } : {}),
    ...(body.audience_policy !== undefined ? { audiencePolicy: body.audience_policy } : {}),
    ...(body.alg_pin !== undefined ? { algPin: body.alg_pin } : {}),
    ...(body.key_max_age_days !== undefined ? { keyMaxAgeDays: body.key_max_age_days } : {}),
    ...(body.jwks_uri !== undefined ? { jwksUri: body.jwks_uri, jwksUriAllowHosts: context.jwksUriAllowHosts } : {}),
  };
}

/** The body of POST /clients → {@link CreateClientInput}. */
export function createClientInputFromWire(body: CreateClientWire, context: WireContext): CreateClientInput {
  return {
    actor: context.actor,
    name: body.client_name,
    ...(body.client_id !== undefined ? { clientId: body.client_id } : {}),
    ...clientFieldsFromWire<never>(body, context),
    accessTokenTtl: body.access_token_ttl ?? context.accessTokenTtl,
    ...(body.keys !== undefined ? { keys: body.keys } : {}),
    keyValidity: keyValidityFromWire(body),
  };
}

/** The body of PATCH /clients/{client_id} → {@link ClientUpdate} (`null` clears). */
export function clientUpdateFromWire(body: UpdateClientWire, context: Pick<WireContext, 'jwksUriAllowHosts' | 'authorizationPolicy'>): ClientUpdate {
  return {
    ...(body.client_name !== undefined ? { name: body.client_name } : {}),
    ...clientFieldsFromWire<null>(body, context),
  };
}

/** The body of POST /clients/{client_id}/keys → the input of addKeys. */
export function addKeysInputFromWire(clientId: string, body: AddKeysWire, context: Pick<WireContext, 'actor'>): { clientId: string; keys: KeyMaterial; validity: KeyValidity; actor: string } {
  return { clientId, keys: body.keys, validity: keyValidityFromWire(body), actor: context.actor };
}

/** The body of POST /clients/{client_id}/keys/rotate → the input of rotateKey. */
export function rotateKeyInputFromWire(
  clientId: string, body: RotateKeyWire, context: Pick<WireContext, 'actor' | 'rotationOverlap'>,
): { clientId: string; keys: KeyMaterial; oldKey?: string; overlapSeconds: number; validity: KeyValidity; actor: string } {
  return {
    clientId,
    keys: body.keys,
    overlapSeconds: body.overlap_seconds ?? context.rotationOverlap,
    validity: keyValidityFromWire(body),
    actor: context.actor,
    ...(body.old_key !== undefined ? { oldKey: body.old_key } : {}),
  };
}

/** The body of POST /initial-access-tokens → the input of createInitialAccessToken (`uses: null` is unlimited). */
export function initialAccessTokenInputFromWire(body: CreateInitialAccessTokenWire, context: Pick<WireContext, 'actor'>): { actor: string; expiresInSeconds?: number; uses?: number | null; scopes?: readonly string[] } {
  const scopes = scopesFromWire(body.scope);
  return {
    actor: context.actor,
    ...(body.expires_in !== undefined ? { expiresInSeconds: body.expires_in } : {}),
    ...(body.uses !== undefined ? { uses: body.uses } : {}),
    ...(scopes !== undefined ? { scopes } : {}),
  };
}
