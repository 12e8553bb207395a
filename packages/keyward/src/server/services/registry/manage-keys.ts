/**
 * A client's key lifecycle: add, list (with facts), rotate (add the new key, schedule the old one's
 * retirement), revoke (immediate, and the access tokens issued through the key are revoked so they
 * stop passing introspection). The verifier (core/assertion) enforces the states: revoked →
 * key_revoked, retiring past retireAt → key_retired, past notAfter → key_expired.
 */
import { KeyError } from '@keyward/core';
import type { ClientKeyRecord } from '../../../store/contract.ts';
import { isStoreError } from '../../../store/errors.ts';
import { getClientOrFail } from './get-client.ts';
import { findKey, importKeyMaterial, toKeyRecords, type KeyMaterial, type KeyValidity } from './key-records.ts';
import { recordChange } from './record-change.ts';
import type { RegistryContext } from './registry-context.ts';
import { RegistryError } from './registry-error.ts';

/**
 * Imports and adds keys to a client. Refuses (RegistryError) a client that takes its keys from a
 * jwks_uri and a key already registered for it (same RFC 7638 thumbprint, 'conflict'); KeyError for
 * what the key policy refuses. Nothing is stored unless every key is accepted.
 */
export async function addKeys(ctx: RegistryContext, input: { clientId: string; keys: KeyMaterial; validity?: KeyValidity; actor: string }): Promise<ClientKeyRecord[]> {
  const client = await getClientOrFail(ctx, input.clientId);
  if (client.jwksUri) throw new RegistryError('invalid', `client ${client.clientId} takes its keys from its jwks_uri: publish the key there, or clear the jwks_uri first`);
  const records = toKeyRecords(client.clientId, importKeyMaterial(input.keys), new Date(ctx.clock()), input.validity);
  const existing = await ctx.store.clients.listKeys(client.clientId);
  for (const record of records) {
    if (existing.some((k) => k.thumbprint === record.thumbprint)) {
      throw new RegistryError('conflict', `this key (thumbprint ${record.thumbprint}) is already registered for client ${client.clientId}`);
    }
    if (existing.some((k) => k.kid === record.kid && k.state !== 'revoked')) {
      throw new RegistryError('conflict', `client ${client.clientId} already has a key with kid ${JSON.stringify(record.kid)}: give the new key another kid`);
    }
  }
  for (const record of records) {
    try {
      await ctx.store.clients.addKey(record);
    } catch (error) {
      if (isStoreError(error, 'conflict')) throw new RegistryError('conflict', `this key (thumbprint ${record.thumbprint}) is already registered for client ${client.clientId}`);
      throw error;
    }
    await recordChange(ctx, { type: 'key.added', actor: input.actor, clientId: client.clientId, keyThumbprint: record.thumbprint, after: record });
  }
  return records;
}

/** Every key of a client (any state). Throws RegistryError('not_found') for an unknown client. */
export async function listKeys(ctx: RegistryContext, clientId: string): Promise<ClientKeyRecord[]> {
  await getClientOrFail(ctx, clientId);
  const keys = await ctx.store.clients.listKeys(clientId);
  return keys.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

/**
 * Rotation: adds the new key(s), then sets the old key (`oldKey` = thumbprint or kid; default every
 * other active key) to `retiring` with retireAt = now + overlapSeconds. Both authenticate until then;
 * afterwards the old key is refused as key_retired. An overlap of 0 retires at once.
 */
export async function rotateKey(ctx: RegistryContext, input: { clientId: string; keys: KeyMaterial; oldKey?: string; overlapSeconds: number; validity?: KeyValidity; actor: string }): Promise<{ added: ClientKeyRecord[]; retiring: ClientKeyRecord[] }> {
  if (!Number.isInteger(input.overlapSeconds) || input.overlapSeconds < 0 || input.overlapSeconds > 90 * 86400) {
    throw new RegistryError('invalid', 'the overlap is a whole number of seconds between 0 and 7776000 (90 days)');
  }
  await getClientOrFail(ctx, input.clientId);
  const old = input.oldKey === undefined
    ? (await ctx.store.clients.listKeys(input.clientId)).filter((k) => k.state === 'active')
    : [await findKey(ctx.store.clients, input.clientId, input.oldKey)];
  for (const key of old) {
    if (key.state === 'revoked') throw new RegistryError('invalid', `the key ${key.kid} is already revoked; there is nothing to rotate away from`);
  }
  const added = await addKeys(ctx, { clientId: input.clientId, keys: input.keys, actor: input.actor, ...(input.validity ? { validity: input.validity } : {}) });
  const retireAt = new Date(ctx.clock() + input.overlapSeconds * 1000);
  const retiring: ClientKeyRecord[] = [];
  for (const key of old) {
    const after = await ctx.store.clients.updateKey(input.clientId, key.thumbprint, { state: 'retiring', retireAt });
    if (after === undefined) continue;
    retiring.push(after);
    await recordChange(ctx, { type: 'key.retiring', actor: input.actor, clientId: input.clientId, keyThumbprint: key.thumbprint, before: key, after, details: { replaced_by: added.map((k) => k.thumbprint) } });
  }
  return { added, retiring };
}

/**
 * Revokes a key at once and revokes every access token issued through it (RFC 7009 §2 spirit:
 * introspection then answers `active: false`). Throws RegistryError('not_found').
 */
export async function revokeKey(ctx: RegistryContext, input: { clientId: string; key: string; actor: string }): Promise<{ key: ClientKeyRecord; tokensRevoked: number }> {
  await getClientOrFail(ctx, input.clientId);
  const before = await findKey(ctx.store.clients, input.clientId, input.key);
  const after = await ctx.store.clients.updateKey(input.clientId, before.thumbprint, { state: 'revoked', revokedAt: new Date(ctx.clock()) });
  if (after === undefined) throw new RegistryError('not_found', `the key ${input.key} disappeared while being revoked`);
  const tokensRevoked = await ctx.store.tokens.revokeTokensByKey(input.clientId, before.thumbprint);
  await recordChange(ctx, { type: 'key.revoked', actor: input.actor, clientId: input.clientId, keyThumbprint: before.thumbprint, before, after, details: { tokens_revoked: tokensRevoked } });
  return { key: after, tokensRevoked };
}

/** Sets or clears the operator's validity window of a key. */
export async function setKeyValidity(ctx: RegistryContext, input: { clientId: string; key: string; validity: { notBefore?: Date | null; notAfter?: Date | null }; actor: string }): Promise<ClientKeyRecord> {
  const before = await findKey(ctx.store.clients, input.clientId, input.key);
  const patch: Record<string, unknown> = {};
  if (input.validity.notBefore !== undefined) patch.notBefore = input.validity.notBefore ?? undefined;
  if (input.validity.notAfter !== undefined) patch.notAfter = input.validity.notAfter ?? undefined;
  const nb = (Object.hasOwn(patch, 'notBefore') ? patch.notBefore : before.notBefore) as Date | undefined;
  const na = (Object.hasOwn(patch, 'notAfter') ? patch.notAfter : before.notAfter) as Date | undefined;
  if (nb && na && nb >= na) throw new KeyError('certificate_invalid', 'not_before must be earlier than not_after');
  const after = await ctx.store.clients.updateKey(input.clientId, before.thumbprint, patch);
  if (after === undefined) throw new RegistryError('not_found', `the key ${input.key} disappeared`);
  await recordChange(ctx, { type: 'key.updated', actor: input.actor, clientId: input.clientId, keyThumbprint: before.thumbprint, before, after });
  return after;
}
