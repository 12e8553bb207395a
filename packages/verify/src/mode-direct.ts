/**
 * Mode B: direct client-signed tokens (source document 000): `{ clientcode, iat, exp? }` signed with
 * the client's own private key and sent straight to the API, checked against its registered key.
 * The rules are the token endpoint's: parseDirectToken + verifyDirectToken from src/core/assertion.
 */
import { IDENTITY_HIDING_REASONS, OAuthError } from '@keyward/core';
import { verifyDirectToken, type VerifiedDirectToken } from '@keyward/core';
import { resolveDirectTokenPolicy, type DirectTokenPolicy } from '@keyward/core';
import type { ParsedDirectToken } from '@keyward/core';
import type { ClientKeys, ClientKeySource, Principal, ReplayStore } from './types.ts';

/** Options of mode B. */
export interface DirectModeOptions {
  /** Where the clients' public keys come from: registry, directory or store source (src/verify/key-sources). */
  readonly keys: ClientKeySource;
  /** Claim naming the client: 'clientcode' (default, as the source document), 'iss', 'sub' or another. */
  readonly clientIdClaim?: string;
  /** A token is accepted at most this long after its iat, in seconds (default 300). */
  readonly maxIatAge?: number;
  /** exp is optional; when present exp - iat may not exceed this (default 3600). */
  readonly maxLifetime?: number;
  /** Clock skew allowed (default 15 s). */
  readonly clockTolerance?: number;
  readonly allowedAlgs?: DirectTokenPolicy['allowedAlgs'];
  readonly algPin?: DirectTokenPolicy['algPin'];
  /** Refuse tokens without jti (default false: the source document sends none). */
  readonly requireJti?: boolean;
  /** Replay cache: when set, each jti is accepted once (until the token is stale anyway). */
  readonly replay?: ReplayStore;
  readonly maxLength?: number;
  /**
   * The authorization server's issuer identifier. A direct token whose `aud` names it (a client
   * assertion) or whose `iss` is it (an access token) is refused ('not_a_direct_token'). Default:
   * `accessToken.issuer` when mode A is configured, else the registry key source's issuer.
   */
  readonly issuer?: string;
  /** The authorization server's token endpoint, refused as `aud` like the issuer (optional). */
  readonly tokenEndpoint?: string;
}

/** The compiled mode B verifier. */
export interface DirectMode {
  readonly clientIdClaim: string;
  readonly maxLength: number;
  verify(parsed: ParsedDirectToken, nowSeconds: number): Principal | Promise<Principal>;
}

/** The public description of every refusal of IDENTITY_HIDING_REASONS (core/errors.ts); the precise reason stays on the error. */
const UNIFORM_DESCRIPTION = 'the token does not verify with a key registered for this client';

function maskIdentity(error: unknown): unknown {
  if (!(error instanceof OAuthError) || !IDENTITY_HIDING_REASONS.has(error.reason) || error.description === UNIFORM_DESCRIPTION) return error;
  return new OAuthError(error.reason, { description: UNIFORM_DESCRIPTION, ...(error.detail === undefined ? {} : { detail: error.detail }), cause: error.cause });
}

const NO_SCOPES: readonly string[] = Object.freeze([]);

/** Refusals after which fresher keys could change the answer (rotation at the server). */
const REFRESHABLE = new Set(['kid_unknown', 'signature_invalid', 'no_keys', 'alg_key_mismatch']);

/**
 * Compiles mode B. Per token:
 * 1. the client-id claim must be present → 'client_id_claim_missing';
 * 2. the client's keys from the key source; unknown client → 'client_unknown', disabled →
 *    'client_disabled'. These, kid_unknown and signature_invalid all carry the same public
 *    description, so the API does not reveal which clients exist (the reason stays for logs);
 * 3. verifyDirectToken (typ, alg allow-list, kid, signature, key lifecycle, not a client assertion
 *    nor an access token of the configured server, iat age, exp cap, nbf:
 *    the token endpoint's rules, RFC 7515 §5.2, RFC 7519 §4.1); on kid_unknown or signature_invalid
 *    the source is asked once to refetch (rotation), within its cooldown, and the token checked again;
 * 4. with a replay cache and a jti: reserve (clientId, jti) until the token goes stale; taken →
 *    'jti_replayed' (RFC 7519 §4.1.7). Only after every other check passed, so a refused token never burns its jti.
 * Does NOT check scopes (the verifier does) nor an audience other than the authorization server's
 * (direct tokens have none: keep maxIatAge short).
 */
export function createDirectMode(options: DirectModeOptions): DirectMode {
  if (options.keys === undefined || typeof options.keys.getClientKeys !== 'function') throw new TypeError('direct.keys must be a key source (getClientKeys)');
  for (const name of ['issuer', 'tokenEndpoint'] as const) {
    const value = options[name];
    if (value !== undefined && (typeof value !== 'string' || value.length === 0)) throw new TypeError(`direct.${name} must be the authorization server's URL`);
  }
  const policy = resolveDirectTokenPolicy({
    ...(options.clientIdClaim === undefined ? {} : { clientIdClaim: options.clientIdClaim }),
    ...(options.maxIatAge === undefined ? {} : { maxIatAge: options.maxIatAge }),
    ...(options.maxLifetime === undefined ? {} : { maxLifetime: options.maxLifetime }),
    ...(options.clockTolerance === undefined ? {} : { clockTolerance: options.clockTolerance }),
    ...(options.allowedAlgs === undefined ? {} : { allowedAlgs: options.allowedAlgs }),
    ...(options.algPin === undefined ? {} : { algPin: options.algPin }),
    ...(options.requireJti === undefined ? {} : { requireJti: options.requireJti }),
    ...(options.maxLength === undefined ? {} : { maxLength: options.maxLength }),
    // RFC 8725 §3.12: every identifier of the authorization server the verifier knows.
    serverIdentifiers: [options.issuer, options.tokenEndpoint, options.keys.issuer].filter((id): id is string => id !== undefined),
  });
  const source = options.keys;
  const replay = options.replay;

  function check(parsed: ParsedDirectToken, entry: ClientKeys | undefined, now: number): VerifiedDirectToken {
    if (entry === undefined) throw new OAuthError('client_unknown', { detail: 'no client is registered with this client ID' });
    if (entry.state === 'disabled') throw new OAuthError('client_disabled', { detail: 'the client is disabled' });
    return verifyDirectToken(parsed, { keys: entry.keys, now, policy });
  }

  function toPrincipal(verified: VerifiedDirectToken, entry: ClientKeys | undefined, now: number): Principal | Promise<Principal> {
    const principal: Principal = { clientId: verified.clientId, scopes: entry?.scopes ?? NO_SCOPES, claims: verified.claims, mode: 'direct' };
    if (replay === undefined || verified.jti === undefined) return principal;
    // RFC 7519 §4.1.7: one use per jti, reserved atomically until the token is refused anyway.
    return replay.reserve(verified.clientId, verified.jti, Math.max(Math.ceil(verified.reserveUntil), Math.ceil(now) + 1)).then((fresh) => {
      if (!fresh) throw new OAuthError('jti_replayed', { detail: 'this jti was already used: make a fresh token (new jti) per request' });
      return principal;
    });
  }

  async function retryWithFreshKeys(parsed: ParsedDirectToken, clientId: string, error: unknown, now: number): Promise<Principal> {
    const refreshed = error instanceof OAuthError && REFRESHABLE.has(error.reason) ? source.refreshClientKeys?.(clientId) : undefined;
    if (refreshed === undefined) throw maskIdentity(error);
    const entry = await refreshed;
    let verified: VerifiedDirectToken;
    try {
      verified = check(parsed, entry, now);
    } catch (second) {
      throw maskIdentity(second);
    }
    return toPrincipal(verified, entry, now);
  }

  function verifyWith(parsed: ParsedDirectToken, clientId: string, entry: ClientKeys | undefined, now: number): Principal | Promise<Principal> {
    let verified: VerifiedDirectToken;
    try {
      verified = check(parsed, entry, now);
    } catch (error) {
      if (!(error instanceof OAuthError) || !REFRESHABLE.has(error.reason) || source.refreshClientKeys === undefined) throw maskIdentity(error);
      return retryWithFreshKeys(parsed, clientId, error, now);
    }
    return toPrincipal(verified, entry, now);
  }

  return {
    clientIdClaim: policy.clientIdClaim,
    maxLength: policy.maxLength,
    verify(parsed, now) {
      const clientId = parsed.clientId;
      if (clientId === undefined) {
        throw new OAuthError('client_id_claim_missing', { detail: `the "${policy.clientIdClaim}" claim must hold your client ID` });
      }
      const entry = source.getClientKeys(clientId);
      if (entry instanceof Promise) return entry.then((loaded) => verifyWith(parsed, clientId, loaded, now));
      return verifyWith(parsed, clientId, entry, now);
    },
  };
}
