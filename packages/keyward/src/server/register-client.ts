/**
 * Registers a client with its public keys (the "send your public key, receive a client ID" step):
 * used by `keyward clients add` and the tests. Minimal here; the registry issue adds the full
 * lifecycle.
 */
import { randomBytes } from 'node:crypto';
import type { JwsAlgorithm, PublicKeyInfo } from '@keyward/core';
import type { AudiencePolicy, ClientKeyRecord, ClientRecord, Store } from '../store/contract.ts';

/** The grant types a new client gets unless told otherwise. */
export const DEFAULT_GRANT_TYPES = ['client_credentials', 'urn:ietf:params:oauth:grant-type:jwt-bearer'] as const;

/** Inputs of {@link registerClient}. */
export interface RegisterClientInput {
  readonly name: string;
  /** Imported public keys (core/keys importPublicKeys). */
  readonly keys: readonly PublicKeyInfo[];
  readonly scopes?: readonly string[];
  /** Chosen client id; default a random one. */
  readonly clientId?: string;
  readonly audiencePolicy?: AudiencePolicy;
  readonly grantTypes?: readonly string[];
  /** Access token lifetime in seconds. */
  readonly accessTokenTtl: number;
  readonly algPin?: JwsAlgorithm;
  /** Who registers it (audit actor). */
  readonly actor?: string;
}

const CLIENT_ID = /^[A-Za-z0-9._~:@-]{1,128}$/;

/**
 * Stores the client and its keys, writes a `client.created` audit event, and returns the record.
 * Throws Error for an invalid or taken client id, an empty name, or no key. Does NOT import or
 * check keys (the caller passes keys that went through the key policy).
 */
export async function registerClient(store: Store, input: RegisterClientInput): Promise<{ client: ClientRecord; keys: ClientKeyRecord[] }> {
  const name = input.name.trim();
  if (name === '') throw new Error('the client needs a name: --name my-app');
  if (input.keys.length === 0) throw new Error('the client needs at least one public key');
  const clientId = input.clientId ?? `kw_${randomBytes(12).toString('base64url')}`;
  if (!CLIENT_ID.test(clientId)) throw new Error('a client id is 1-128 characters of letters, digits and . _ ~ : @ -');
  if ((await store.clients.getClient(clientId)) !== undefined) throw new Error(`the client id ${clientId} is already registered: choose another`);
  const scopes = [...new Set(input.scopes ?? [])];
  for (const scope of scopes) {
    // RFC 6749 §3.3 scope-token.
    if (!/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(scope)) throw new Error(`the scope ${JSON.stringify(scope)} has a character RFC 6749 §3.3 does not allow`);
  }
  const now = new Date();
  const client: ClientRecord = {
    clientId,
    name,
    grantTypes: [...(input.grantTypes ?? DEFAULT_GRANT_TYPES)],
    scopes,
    accessTokenTtl: input.accessTokenTtl,
    audiencePolicy: input.audiencePolicy ?? 'strict',
    ...(input.algPin ? { algPin: input.algPin } : {}),
    state: 'enabled',
    createdAt: now,
    updatedAt: now,
  };
  const keys: ClientKeyRecord[] = input.keys.map((info) => ({
    clientId,
    kid: info.kid,
    thumbprint: info.thumbprint,
    jwk: info.jwk,
    ...(info.alg ? { alg: info.alg } : {}),
    state: 'active',
    ...(info.certificate ? { notBefore: info.certificate.notBefore, notAfter: info.certificate.notAfter, certificateSubject: info.certificate.subject } : {}),
    createdAt: now,
  }));
  await store.clients.createClient(client);
  for (const key of keys) await store.clients.addKey(key);
  await store.audit.appendAudit({
    time: now,
    type: 'client.created',
    clientId,
    actor: input.actor ?? 'cli',
    details: { name, scopes, kids: keys.map((key) => key.kid), audience_policy: client.audiencePolicy },
  });
  return { client, keys };
}
