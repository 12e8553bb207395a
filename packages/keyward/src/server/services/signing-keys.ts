/**
 * The server's own signing keys: created on first start, loaded from the store, rotated with an
 * overlap (`keyward keys rotate`), and published at /jwks.
 *
 * States (src/store/contract.ts): `active` signs new tokens and is published; `published` is an old
 * key kept in /jwks until `retireAt` so tokens it signed still verify; `retired` is gone.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { generateKeyPair } from '@keyward/core';
import { exportPrivateJwk, exportPublicJwk } from '@keyward/core';
import { calculateThumbprint } from '@keyward/core';
import type { JwsAlgorithm, PublicJwk } from '@keyward/core';
import type { AccessTokenSigningKey } from '@keyward/core';
import type { ServerPublicKey } from '@keyward/core';
import type { SigningKeyRecord, SigningKeyStore } from '../../store/contract.ts';

/** The loaded signing keys of one node. */
export interface SigningKeyService {
  /** The key that signs new tokens (sync, cached). */
  active(): AccessTokenSigningKey;
  /** Every key a token may currently be verified with (active + published within the overlap). */
  publicKeys(): readonly ServerPublicKey[];
  /** The JWKS document of /jwks (RFC 7517 §5). */
  jwks(): { keys: PublicJwk[] };
  /** Re-reads the keys from the store when older than the refresh interval. */
  refreshIfStale(): Promise<void>;
  /** Re-reads the keys now. */
  refresh(): Promise<void>;
}

/** The key generation parameters for a JWS algorithm. */
export async function generateSigningKey(alg: JwsAlgorithm): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  if (alg.startsWith('RS') || alg.startsWith('PS')) return generateKeyPair({ type: 'rsa', bits: 2048 });
  if (alg === 'ES256') return generateKeyPair({ type: 'ec', curve: 'P-256' });
  if (alg === 'ES384') return generateKeyPair({ type: 'ec', curve: 'P-384' });
  if (alg === 'ES512') return generateKeyPair({ type: 'ec', curve: 'P-521' });
  return generateKeyPair({ type: 'ed25519' });
}

/** Creates a new signing key record (kid = RFC 7638 thumbprint), not yet stored. */
export async function createSigningKeyRecord(alg: JwsAlgorithm, now: Date): Promise<SigningKeyRecord> {
  const { privateKey, publicKey } = await generateSigningKey(alg);
  const kid = calculateThumbprint(publicKey);
  return {
    kid,
    alg,
    privateJwk: exportPrivateJwk(privateKey),
    publicJwk: exportPublicJwk(publicKey, { kid, alg, use: 'sig' }),
    state: 'active',
    createdAt: now,
  };
}

/**
 * Rotates: stores a new active key, and turns every current active key into `published` until
 * now + overlap. Returns the new key and the kids moved to the overlap.
 */
export async function rotateSigningKey(store: SigningKeyStore, options: { alg: JwsAlgorithm; overlapSeconds: number; now?: Date }): Promise<{ kid: string; alg: JwsAlgorithm; previous: { kid: string; retireAt: Date }[] }> {
  const now = options.now ?? new Date();
  const fresh = await createSigningKeyRecord(options.alg, now);
  const existing = await store.listSigningKeys();
  await store.addSigningKey(fresh);
  const retireAt = new Date(now.getTime() + options.overlapSeconds * 1000);
  const previous: { kid: string; retireAt: Date }[] = [];
  for (const key of existing) {
    if (key.state !== 'active') continue;
    await store.updateSigningKey(key.kid, options.overlapSeconds > 0 ? { state: 'published', retireAt } : { state: 'retired' });
    previous.push({ kid: key.kid, retireAt });
  }
  return { kid: fresh.kid, alg: fresh.alg, previous };
}

/** True when the record is still in /jwks at `now`. */
export function isPublished(record: SigningKeyRecord, now: Date): boolean {
  if (record.state === 'active') return true;
  return record.state === 'published' && (record.retireAt === undefined || record.retireAt.getTime() > now.getTime());
}

interface Loaded {
  readonly active: AccessTokenSigningKey;
  readonly publicKeys: readonly ServerPublicKey[];
  readonly jwks: { keys: PublicJwk[] };
}

/**
 * Loads the signing keys (creating an `alg` key when there is no active one) and returns the
 * service. Retires published keys whose overlap has ended.
 */
export async function loadSigningKeys(store: SigningKeyStore, options: { alg: JwsAlgorithm; refreshSeconds: number; nowMs?: () => number }): Promise<SigningKeyService> {
  const nowMs = options.nowMs ?? Date.now;
  const privateCache = new Map<string, KeyObject>();
  const publicCache = new Map<string, KeyObject>();

  async function read(): Promise<Loaded> {
    const now = new Date(nowMs());
    let records = await store.listSigningKeys();
    if (!records.some((record) => record.state === 'active')) {
      await store.addSigningKey(await createSigningKeyRecord(options.alg, now));
      records = await store.listSigningKeys();
    }
    for (const record of records) {
      if (record.state === 'published' && !isPublished(record, now)) await store.updateSigningKey(record.kid, { state: 'retired' });
    }
    const published = records.filter((record) => isPublished(record, now));
    // Two processes starting at once may both create a key: sign with the newest, publish both.
    const activeRecord = published.filter((record) => record.state === 'active').sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0]!;
    let privateKey = privateCache.get(activeRecord.kid);
    if (privateKey === undefined) {
      privateKey = createPrivateKey({ key: activeRecord.privateJwk as never, format: 'jwk' });
      privateCache.set(activeRecord.kid, privateKey);
    }
    const publicKeys = published.map((record) => {
      let publicKey = publicCache.get(record.kid);
      if (publicKey === undefined) {
        publicKey = createPublicKey({ key: record.publicJwk as never, format: 'jwk' });
        publicCache.set(record.kid, publicKey);
      }
      return { kid: record.kid, alg: record.alg, publicKey };
    });
    return {
      active: { kid: activeRecord.kid, alg: activeRecord.alg, privateKey },
      publicKeys,
      jwks: { keys: published.map((record) => ({ ...record.publicJwk, kid: record.kid, alg: record.alg, use: 'sig' as const })) },
    };
  }

  let loaded = await read();
  let loadedAt = nowMs();
  let pending: Promise<void> | undefined;

  async function refresh(): Promise<void> {
    pending ??= read().then((value) => { loaded = value; loadedAt = nowMs(); }).finally(() => { pending = undefined; });
    return pending;
  }

  return {
    active: () => loaded.active,
    publicKeys: () => loaded.publicKeys,
    jwks: () => loaded.jwks,
    refresh,
    async refreshIfStale() {
      if (nowMs() - loadedAt >= options.refreshSeconds * 1000) await refresh();
    },
  };
}
