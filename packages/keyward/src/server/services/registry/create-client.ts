/**
 * Creates a client: an issued id (128 random bits, base64url) or a chosen one, its metadata, and its
 * keys (registered keys or a jwks_uri, never both). Writes a `client.created` audit event.
 */
import { issueIdentifier } from './issue-identifier.ts';
import type { JwsAlgorithm } from '@keyward/core';
import { isStoreError } from '../../../store/errors.ts';
import type { AudiencePolicy, ClientKeyRecord, ClientRecord, RegistrationLimits } from '../../../store/contract.ts';
import { checkAuthorizationFields, settleAuthorizationFields, type AuthorizationFieldPolicy, type AuthorizationFieldsInput } from './authorization-fields.ts';
import { importKeyMaterial, toKeyRecords, type KeyMaterial, type KeyValidity } from './key-records.ts';
import { recordChange } from './record-change.ts';
import { checkWithinRegistrationLimits } from './registration-limits.ts';
import type { RegistryContext } from './registry-context.ts';
import { RegistryError } from './registry-error.ts';
import {
  DEFAULT_CLIENT_GRANT_TYPES, checkAlgPin, checkKeyMaxAge, checkAudiencePolicy, checkClientId, checkGrantTypes, checkJwksUriSyntax,
  checkName, checkScopes, checkText, checkTtl,
} from './validate-client-fields.ts';

/** Inputs of {@link createClient}. */
export interface CreateClientInput {
  readonly actor: string;
  readonly name: string;
  /** Chosen id; default an issued random one. */
  readonly clientId?: string;
  readonly contact?: string;
  readonly description?: string;
  readonly grantTypes?: readonly string[];
  readonly scopes?: readonly string[];
  readonly accessTokenTtl: number;
  readonly audiencePolicy?: AudiencePolicy | string;
  readonly algPin?: JwsAlgorithm | string;
  /** Days after which its keys are due for rotation (the key_age alert); absent: the server's keys.maxAge. */
  readonly keyMaxAgeDays?: number;
  /** Keys to register now (optional: keys can be added later). */
  readonly keys?: KeyMaterial;
  readonly keyValidity?: KeyValidity;
  /** Keys come from this URL instead (exclusive with `keys`). */
  readonly jwksUri?: string;
  /** Hosts allowed to use http for jwks_uri (the fetcher's allow-list). */
  readonly jwksUriAllowHosts?: readonly string[];
  /** SHA-256 of the RFC 7592 registration access token (dynamic registration only). */
  readonly registrationTokenHash?: string;
  /**
   * The privilege ceiling of a dynamic registration (registrationLimitsFor): scopes and grant types
   * must lie within it, and the client's configuration endpoint can never go beyond it.
   */
  readonly registrationLimits?: RegistrationLimits;
  /** Fields of the authorization-code flow (redirect URIs, response types, consent...). */
  readonly authorization?: AuthorizationFieldsInput;
  /** What the server allows for them (loopback redirect URIs, ID token algorithms). */
  readonly authorizationPolicy?: AuthorizationFieldPolicy;
}

/** A new issued client id (issue-identifier.ts: 128 random bits that never read as a command-line option). */
export function issueClientId(): string {
  return issueIdentifier();
}

/**
 * Validates, stores and audits a new client. Throws RegistryError ('invalid' with what to fix,
 * 'conflict' for a taken id) or KeyError for a key the key policy refuses. Does NOT check that the
 * jwks_uri answers (the fetcher does at first use).
 */
export async function createClient(ctx: RegistryContext, input: CreateClientInput): Promise<{ client: ClientRecord; keys: ClientKeyRecord[] }> {
  const name = checkName(input.name);
  const clientId = input.clientId === undefined ? issueClientId() : checkClientId(input.clientId);
  if (input.keys !== undefined && input.jwksUri !== undefined) {
    // RFC 7591 §2: jwks and jwks_uri MUST NOT both be present.
    throw new RegistryError('invalid', 'give either keys or a jwks_uri, not both');
  }
  const jwksUri = input.jwksUri === undefined ? undefined : checkJwksUriSyntax(input.jwksUri, input.jwksUriAllowHosts);
  const now = new Date(ctx.clock());
  const authorization = checkAuthorizationFields(input.authorization ?? {}, input.authorizationPolicy) as Partial<ClientRecord>;
  const drafted: ClientRecord = {
    clientId,
    name,
    ...(input.contact ? { contact: checkText('contact', input.contact, 320) } : {}),
    ...(input.description ? { description: checkText('description', input.description, 2000) } : {}),
    grantTypes: checkGrantTypes(input.grantTypes ?? DEFAULT_CLIENT_GRANT_TYPES),
    scopes: checkScopes(input.scopes ?? []),
    accessTokenTtl: checkTtl(input.accessTokenTtl),
    audiencePolicy: checkAudiencePolicy(input.audiencePolicy ?? 'strict'),
    ...(input.algPin ? { algPin: checkAlgPin(input.algPin) } : {}),
    ...(input.keyMaxAgeDays !== undefined ? { keyMaxAgeDays: checkKeyMaxAge(input.keyMaxAgeDays) } : {}),
    state: 'enabled',
    ...(jwksUri ? { jwksUri } : {}),
    ...(input.registrationTokenHash ? { registrationTokenHash: input.registrationTokenHash } : {}),
    ...(input.registrationLimits ? { registrationLimits: input.registrationLimits } : {}),
    ...Object.fromEntries(Object.entries(authorization).filter(([, value]) => value !== undefined)),
    createdAt: now,
    updatedAt: now,
  };
  const settled = settleAuthorizationFields(drafted, input.authorization?.responseTypes !== undefined);
  // Clients outside the authorization-code flow keep no empty response_types.
  const client: ClientRecord = settled.responseTypes?.length ? settled : (({ responseTypes: _none, ...rest }) => rest)(settled);
  if (input.registrationLimits) checkWithinRegistrationLimits(input.registrationLimits, client);
  // Import before storing anything, so a refused key leaves no half-created client.
  const keys = input.keys === undefined ? [] : toKeyRecords(clientId, importKeyMaterial(input.keys), now, input.keyValidity);
  if ((await ctx.store.clients.getClient(clientId)) !== undefined) {
    throw new RegistryError('conflict', `the client_id ${clientId} is already registered: choose another`);
  }
  try {
    await ctx.store.clients.createClient(client);
  } catch (error) {
    if (isStoreError(error, 'conflict')) throw new RegistryError('conflict', `the client_id ${clientId} is already registered: choose another`);
    throw error;
  }
  for (const key of keys) await ctx.store.clients.addKey(key);
  await recordChange(ctx, {
    type: 'client.created',
    actor: input.actor,
    clientId,
    after: client,
    details: { kids: keys.map((k) => k.kid), thumbprints: keys.map((k) => k.thumbprint) },
  });
  return { client, keys };
}
