/**
 * `private_key_jwt` client authentication (RFC 7523 §2.2, §3; RFC 7521 §4.2; OIDC Core §9) for the
 * token, introspection and revocation endpoints: exactly one method per request, the client looked
 * up by the UNVERIFIED iss/sub only to find its keys, the assertion verified by
 * core/assertion/verifyClientAssertion, and the jti reserved by {@link reserveAssertionJti} after
 * every other check of the request passed.
 */
import { OAuthError } from '@keyward/core';
import { parseClientAssertion } from '@keyward/core';
import { verifyClientAssertion, type VerifiedAssertion } from '@keyward/core';
import { resolveAssertionPolicy, type AssertionPolicy } from '@keyward/core';
import type { ClientRecord } from '../../store/contract.ts';
import type { ServerContext } from '../context.ts';
import type { FormParameters } from '../middleware/read-form.ts';
import type { CachedClient } from './client-cache.ts';
import { epochSeconds } from '../clock.ts';

/** RFC 7523 §2.2: the only client_assertion_type Keyward takes. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** What the audit log learns about the requester while the request is processed. */
export interface AuthTrace {
  /** The claimed client id (unverified until `authenticated`). */
  clientId?: string;
  keyThumbprint?: string;
  authenticated: boolean;
  legacyAudience?: boolean;
}

/** A client that proved possession of one of its registered keys. */
export interface AuthenticatedClient {
  readonly cached: CachedClient;
  readonly verified: VerifiedAssertion;
}

/**
 * Authenticates the client of a request. Returns undefined only when `required` is false and no
 * authentication was attempted. Throws OAuthError:
 * 'multiple_auth_methods' (RFC 6749 §2.3: an assertion plus an Authorization header or a
 * client_secret), 'auth_method_unsupported' (Basic, client_secret), 'assertion_type_unsupported',
 * 'assertion_missing', 'auth_missing', and every reason of {@link verifyAssertionOfClient}.
 *
 * Does NOT reserve the jti (call reserveAssertionJti once the whole request has been checked).
 */
export async function authenticateClient(ctx: ServerContext, form: FormParameters, authorization: string | undefined, trace: AuthTrace, options: { required: boolean }): Promise<AuthenticatedClient | undefined> {
  const assertion = form.get('client_assertion');
  const assertionType = form.get('client_assertion_type');
  const hasHeader = authorization !== undefined && authorization.trim() !== '';
  const hasSecret = form.has('client_secret');
  const attempted = assertion !== undefined || assertionType !== undefined;
  // RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each request."
  if (attempted && (hasHeader || hasSecret)) {
    throw new OAuthError('multiple_auth_methods', { detail: `the request carries a client assertion and ${hasHeader ? 'an Authorization header' : 'a client_secret'}: use private_key_jwt only` });
  }
  if (hasHeader || hasSecret) {
    throw new OAuthError('auth_method_unsupported', { detail: 'this server authenticates clients with private_key_jwt only: send client_assertion_type and client_assertion (no Authorization header, no client_secret)' });
  }
  if (!attempted) {
    if (!options.required) return undefined;
    throw new OAuthError('auth_missing', { detail: 'send client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer and client_assertion=<your signed JWT>' });
  }
  // RFC 7521 §4.2: both parameters, and the type is the JWT bearer one (RFC 7523 §2.2).
  if (assertionType === undefined) throw new OAuthError('assertion_type_unsupported', { detail: `client_assertion_type is missing: send ${JWT_BEARER_ASSERTION_TYPE}` });
  if (assertionType !== JWT_BEARER_ASSERTION_TYPE) throw new OAuthError('assertion_type_unsupported', { detail: `client_assertion_type must be ${JWT_BEARER_ASSERTION_TYPE}` });
  if (assertion === undefined) throw new OAuthError('assertion_missing', { detail: 'client_assertion is missing: send your signed JWT' });
  return verifyAssertionOfClient(ctx, assertion, form.get('client_id'), trace);
}

/**
 * Parses `assertion`, looks up the client it names, and verifies it against that client's keys and
 * policy (audience policy, algorithm pin, lifetime, clock tolerance, size). Throws OAuthError with
 * the precise reason ('client_unknown', 'client_disabled', 'no_keys' and everything
 * verifyClientAssertion refuses); the HTTP layer hides the reasons that would reveal which clients
 * exist. Counts and traces legacy-audience acceptances.
 */
export async function verifyAssertionOfClient(ctx: ServerContext, assertion: string, clientIdParam: string | undefined, trace: AuthTrace): Promise<AuthenticatedClient> {
  const parsed = parseClientAssertion(assertion, { maxLength: ctx.config.assertions.maxLength });
  // UNVERIFIED: used only to find the keys (RFC 7523 §3 (1)).
  const claimed = parsed.clientId;
  if (claimed === undefined) throw new OAuthError('client_unknown', { detail: 'the assertion has no iss or sub: set both to your client_id' });
  trace.clientId = claimed.slice(0, 256);
  let cached: CachedClient | undefined;
  try {
    cached = await ctx.clients.get(claimed);
  } catch (cause) {
    throw new OAuthError('store_unavailable', { cause });
  }
  if (cached === undefined) throw new OAuthError('client_unknown', { detail: 'no client is registered with this client_id' });
  if (cached.client.state !== 'enabled') throw new OAuthError('client_disabled', { detail: 'the client is disabled' });
  // RFC 7591 §2 jwks_uri: keys fetched from the client's URL (unknown kid → one refetch per cooldown).
  const keys = cached.client.jwksUri === undefined ? cached.keys : await ctx.jwksUriKeys.load(cached.client, parsed.header.kid);
  if (keys.length === 0) throw new OAuthError('no_keys', { detail: 'the client has no registered key: register one with `keyward clients add` or the admin API' });
  const client = cached.client;
  const policy = policyOf(ctx, client);
  const verified = verifyClientAssertion(parsed, {
    keys,
    issuer: ctx.issuer,
    tokenEndpoint: ctx.tokenEndpoint,
    now: epochSeconds(ctx.clock),
    ...(clientIdParam === undefined ? {} : { clientIdParam }),
    policy,
  });
  trace.clientId = verified.clientId;
  trace.keyThumbprint = verified.key.thumbprint;
  trace.authenticated = true;
  if (verified.legacyAudience) {
    // draft-ietf-oauth-rfc7523bis §5: legacy audiences are accepted per client, counted and logged.
    ctx.counters.legacyAudience += 1;
    trace.legacyAudience = true;
    ctx.logger.warn({ clientId: verified.clientId }, 'legacy client assertion audience accepted (token endpoint URL or array): the client should use the issuer identifier as aud');
  }
  return { cached, verified };
}

// The resolved (frozen) policy of each client record, resolved once per cached record.
const policies = new WeakMap<ClientRecord, { config: ServerContext['config']; policy: AssertionPolicy }>();

/** The assertion policy of a client: its audience policy and algorithm pin over the server settings. */
function policyOf(ctx: ServerContext, client: ClientRecord): AssertionPolicy {
  const hit = policies.get(client);
  if (hit !== undefined && hit.config === ctx.config) return hit.policy;
  const policy = resolveAssertionPolicy({
    audience: client.audiencePolicy,
    ...(client.algPin ? { algPin: client.algPin } : {}),
    maxLifetime: ctx.config.assertions.maxLifetime,
    clockTolerance: ctx.config.assertions.clockTolerance,
    maxLength: ctx.config.assertions.maxLength,
  });
  policies.set(client, { config: ctx.config, policy });
  return policy;
}

/**
 * RFC 7523 §3 (7): reserves (client_id, jti) atomically until the assertion's exp + tolerance.
 * Throws 'jti_replayed' when it was already used, 'store_unavailable' when the store fails.
 */
export async function reserveAssertionJti(ctx: ServerContext, verified: VerifiedAssertion): Promise<void> {
  let reserved: boolean;
  try {
    reserved = await ctx.store.replay.reserve(verified.clientId, verified.jti, verified.reserveUntil);
  } catch (cause) {
    throw new OAuthError('store_unavailable', { cause });
  }
  if (!reserved) throw new OAuthError('jti_replayed', { detail: 'this assertion (its jti) has already been used: sign a fresh assertion with a new jti for every request' });
}
