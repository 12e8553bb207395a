/**
 * Updates a client's metadata, enables or disables it, sets or clears its jwks_uri, and deletes it.
 * Each change writes an audit event with the record before and after, and notifies the change
 * listeners (a server node drops its cached copy: disabling takes effect at once). A client that
 * loses scopes loses its outstanding tokens that carry them (revoked at once, as key revocation does
 * for key-bound tokens).
 */
import type { JwsAlgorithm } from '@keyward/core';
import type { AudiencePolicy, ClientRecord } from '../../../store/contract.ts';
import { applyClientPatch } from '../../../store/shared/patches.ts';
import { checkAuthorizationFields, settleAuthorizationFields, type AuthorizationFieldPolicy, type AuthorizationFieldsInput } from './authorization-fields.ts';
import { getClientOrFail } from './get-client.ts';
import { recordChange } from './record-change.ts';
import { checkWithinRegistrationLimits, effectiveRegistrationLimits, moveRegistrationLimits } from './registration-limits.ts';
import type { RegistryContext } from './registry-context.ts';
import { RegistryError } from './registry-error.ts';
import {
  checkAlgPin, checkKeyMaxAge, checkAudiencePolicy, checkGrantTypes, checkJwksUriSyntax, checkName, checkScopes, checkText, checkTtl,
} from './validate-client-fields.ts';

/** Fields of {@link updateClient}; `null` clears an optional field, absent keeps it. */
export interface ClientUpdate {
  readonly name?: string;
  readonly contact?: string | null;
  readonly description?: string | null;
  readonly grantTypes?: readonly string[];
  readonly scopes?: readonly string[];
  readonly accessTokenTtl?: number;
  readonly audiencePolicy?: AudiencePolicy | string;
  readonly algPin?: JwsAlgorithm | string | null;
  /** Days after which its keys are due for rotation; `null`: the server's keys.maxAge. */
  readonly keyMaxAgeDays?: number | null;
  /** Switch the client to a jwks_uri (`null` clears it). */
  readonly jwksUri?: string | null;
  readonly jwksUriAllowHosts?: readonly string[];
  /** Replaces the RFC 7592 registration token hash (dynamic registration only). */
  readonly registrationTokenHash?: string;
  /** Fields of the authorization-code flow; `null` clears the ID token algorithm. */
  readonly authorization?: AuthorizationFieldsInput;
  readonly authorizationPolicy?: AuthorizationFieldPolicy;
}

/** Who changes the client. */
export interface UpdateOptions {
  /**
   * The client itself, through its RFC 7592 configuration endpoint: scopes and grant types must stay
   * within its registration limits (registration-limits.ts). Otherwise (the admin API and the CLI),
   * what is set becomes the new ceiling of a dynamically registered client.
   */
  readonly selfService?: boolean;
}

/**
 * Applies `update` to the client. Throws RegistryError ('not_found', or 'invalid' with what to fix:
 * setting a jwks_uri while registered keys are active is refused, revoke or retire them first; a
 * self-service change beyond the registration limits is refused). Revokes the client's outstanding
 * tokens that carry a scope it no longer holds.
 */
export async function updateClient(ctx: RegistryContext, clientId: string, update: ClientUpdate, actor: string, options: UpdateOptions = {}): Promise<ClientRecord> {
  const before = await getClientOrFail(ctx, clientId);
  const patch: Record<string, unknown> = {};
  if (update.name !== undefined) patch.name = checkName(update.name);
  if (update.contact !== undefined) patch.contact = update.contact === null || update.contact === '' ? undefined : checkText('contact', update.contact, 320);
  if (update.description !== undefined) patch.description = update.description === null || update.description === '' ? undefined : checkText('description', update.description, 2000);
  if (update.grantTypes !== undefined) patch.grantTypes = checkGrantTypes(update.grantTypes);
  if (update.scopes !== undefined) patch.scopes = checkScopes(update.scopes);
  if (update.accessTokenTtl !== undefined) patch.accessTokenTtl = checkTtl(update.accessTokenTtl);
  if (update.audiencePolicy !== undefined) patch.audiencePolicy = checkAudiencePolicy(update.audiencePolicy);
  if (update.algPin !== undefined) patch.algPin = update.algPin === null || update.algPin === '' ? undefined : checkAlgPin(update.algPin);
  if (update.keyMaxAgeDays !== undefined) patch.keyMaxAgeDays = update.keyMaxAgeDays === null ? undefined : checkKeyMaxAge(update.keyMaxAgeDays);
  if (update.registrationTokenHash !== undefined) patch.registrationTokenHash = update.registrationTokenHash;
  if (update.jwksUri !== undefined) {
    if (update.jwksUri === null || update.jwksUri === '') {
      patch.jwksUri = undefined;
    } else {
      const usable = (await ctx.store.clients.listKeys(clientId)).filter((k) => k.state !== 'revoked');
      if (usable.length > 0) {
        throw new RegistryError('invalid', `client ${clientId} has ${usable.length} registered key(s) that are not revoked: a client takes its keys either from registered keys or from a jwks_uri; revoke them first`);
      }
      patch.jwksUri = checkJwksUriSyntax(update.jwksUri, update.jwksUriAllowHosts);
    }
  }
  if (update.authorization !== undefined) Object.assign(patch, checkAuthorizationFields(update.authorization, update.authorizationPolicy));
  if (update.authorization !== undefined || update.grantTypes !== undefined) {
    // RFC 7591 §2.1: the client as it will be stored must stay consistent (response types follow the grants).
    const settled = settleAuthorizationFields(applyClientPatch(before, patch as Partial<ClientRecord>), update.authorization?.responseTypes !== undefined);
    patch.responseTypes = settled.responseTypes?.length ? settled.responseTypes : undefined;
  }
  const privileges = { scopes: patch.scopes as string[] | undefined, grantTypes: patch.grantTypes as string[] | undefined };
  if (options.selfService) {
    // RFC 7592 §2.2: the client may replace its metadata, never widen what its registration allowed.
    checkWithinRegistrationLimits(effectiveRegistrationLimits(before), privileges);
  } else {
    const limits = moveRegistrationLimits(before, privileges);
    if (limits !== undefined) patch.registrationLimits = limits;
  }
  patch.updatedAt = new Date(ctx.clock());
  const after = await ctx.store.clients.updateClient(clientId, patch as Partial<ClientRecord>);
  if (after === undefined) throw new RegistryError('not_found', `no client ${JSON.stringify(clientId)}`);
  // Tokens carrying a scope the client lost stop working now, not when they expire.
  const lost = privileges.scopes === undefined ? [] : before.scopes.filter((s) => !privileges.scopes!.includes(s));
  const tokensRevoked = lost.length > 0 ? await ctx.store.tokens.revokeTokensBeyondScopes(clientId, after.scopes) : 0;
  const fields = Object.keys(patch).filter((f) => f !== 'updatedAt' && f !== 'registrationTokenHash');
  await recordChange(ctx, { type: 'client.updated', actor, clientId, before, after, details: { fields, ...(lost.length > 0 ? { scopes_removed: lost, tokens_revoked: tokensRevoked } : {}) } });
  return after;
}

/**
 * Disables or enables a client. Disabling takes effect at once: the change listeners drop cached
 * copies, and the client's outstanding access tokens are revoked so introspection answers inactive.
 */
export async function setClientState(ctx: RegistryContext, clientId: string, state: 'enabled' | 'disabled', actor: string): Promise<{ client: ClientRecord; tokensRevoked: number }> {
  const before = await getClientOrFail(ctx, clientId);
  const after = await ctx.store.clients.updateClient(clientId, { state, updatedAt: new Date(ctx.clock()) });
  if (after === undefined) throw new RegistryError('not_found', `no client ${JSON.stringify(clientId)}`);
  const tokensRevoked = state === 'disabled' ? await ctx.store.tokens.revokeTokensByClient(clientId) : 0;
  await recordChange(ctx, { type: state === 'disabled' ? 'client.disabled' : 'client.enabled', actor, clientId, before, after, details: { tokens_revoked: tokensRevoked } });
  return { client: after, tokensRevoked };
}

/** Deletes a client and its keys and revokes its access tokens. Throws RegistryError('not_found'). */
export async function deleteClient(ctx: RegistryContext, clientId: string, actor: string): Promise<{ tokensRevoked: number }> {
  const before = await getClientOrFail(ctx, clientId);
  const tokensRevoked = await ctx.store.tokens.revokeTokensByClient(clientId);
  await ctx.store.clients.deleteClient(clientId);
  await recordChange(ctx, { type: 'client.deleted', actor, clientId, before, details: { tokens_revoked: tokensRevoked } });
  return { tokensRevoked };
}
