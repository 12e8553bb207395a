/**
 * The privilege ceiling of a dynamically registered client. RFC 7592 §2.2 lets a client replace its
 * own metadata with its registration access token; that must never raise what its registration was
 * allowed: the initial access token's scopes (RFC 7591 §3: the token "may be used to ... limit" the
 * registration), or, when the token names none, any scope outside the reserved `keyward:` namespace;
 * and the grant types this server offered at registration. Only the admin API moves the ceiling
 * (updateClient without `selfService`): what an admin sets becomes the new ceiling.
 *
 * Not covered here, because RFC 7592 metadata cannot carry them: the audience policy, the access
 * token lifetime and the client's state (the configuration endpoint ignores such members).
 */
import type { ClientRecord, RegistrationLimits } from '../../../store/contract.ts';
import { RegistryError } from './registry-error.ts';
import { KNOWN_GRANT_TYPES } from './validate-client-fields.ts';

/** The reserved scope namespace of this server (admin API, key distribution). */
export const RESERVED_SCOPE_PREFIX = 'keyward:';

/** The ceiling a registration through an initial access token with `scopes` (or none) allows. */
export function registrationLimitsFor(scopes: readonly string[] | undefined): RegistrationLimits {
  return { ...(scopes !== undefined ? { scopes: [...scopes] } : {}), grantTypes: [...KNOWN_GRANT_TYPES] };
}

/**
 * The ceiling of `client`: its recorded limits, or what it holds now for a client registered
 * before limits were recorded (so it can narrow, never widen).
 */
export function effectiveRegistrationLimits(client: ClientRecord): RegistrationLimits {
  return client.registrationLimits ?? { scopes: [...client.scopes], grantTypes: [...client.grantTypes] };
}

/**
 * Throws RegistryError('invalid') naming the first scope or grant type beyond `limits`, and what
 * the client may ask for instead. Does NOT check syntax (checkScopes, checkGrantTypes do).
 */
export function checkWithinRegistrationLimits(limits: RegistrationLimits, fields: { scopes?: readonly string[] | undefined; grantTypes?: readonly string[] | undefined }): void {
  for (const scope of fields.scopes ?? []) {
    const allowed = limits.scopes !== undefined ? limits.scopes.includes(scope) : !scope.startsWith(RESERVED_SCOPE_PREFIX);
    if (!allowed) {
      const choice = limits.scopes !== undefined ? `a subset of "${limits.scopes.join(' ')}"` : `scopes outside the reserved ${RESERVED_SCOPE_PREFIX} namespace`;
      throw new RegistryError('invalid', `the scope ${JSON.stringify(scope)} is beyond what this client's registration allows: ask for ${choice}, or ask the server's operator to widen it (only the admin API can)`);
    }
  }
  for (const grant of fields.grantTypes ?? []) {
    if (!limits.grantTypes.includes(grant)) {
      throw new RegistryError('invalid', `the grant type ${JSON.stringify(grant)} is beyond what this client's registration allows: use ${limits.grantTypes.join(' or ')}, or ask the server's operator (only the admin API can widen it)`);
    }
  }
}

/**
 * The ceiling after an admin sets `scopes` and/or `grantTypes` of a client with recorded limits:
 * what the admin set becomes the ceiling. Undefined for a client without recorded limits.
 */
export function moveRegistrationLimits(client: ClientRecord, set: { scopes?: readonly string[] | undefined; grantTypes?: readonly string[] | undefined }): RegistrationLimits | undefined {
  const current = client.registrationLimits;
  if (current === undefined || (set.scopes === undefined && set.grantTypes === undefined)) return undefined;
  const scopes = set.scopes ?? current.scopes;
  return { ...(scopes !== undefined ? { scopes: [...scopes] } : {}), grantTypes: [...(set.grantTypes ?? current.grantTypes)] };
}
