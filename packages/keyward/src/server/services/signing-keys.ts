/**
 * The server's own signing keys: created on first start, loaded from the store, rotated with an
 * overlap (`keyward keys rotate`), and published at /jwks.
 *
 * States (src/store/contract.ts): `active` signs new tokens and is published; `published` is an old
 * key kept in /jwks until `retireAt` so tokens it signed still verify; `retired` is gone.
 *
 * Pre-publication: a rotation stores the new key with `activateAt` = now + `keys.prepublishSeconds`;
 * it is in /jwks at once and signs from that stored time on. The key that signs at a time `t` is
 * chosen from the records alone ({@link selectSigningRecord}): among the published keys, the one
 * with the latest activation time (`activateAt`, else `createdAt`) not after `t`. So every node
 * switches at the same moment, whenever it read the record, and an API that cached /jwks before
 * the rotation already holds the new key when the first token signed with it arrives.
 *
 * Encryption at rest (key-encryption/): with a key-encryption key configured, new keys are stored
 * wrapped, plaintext keys are wrapped at start-up, and a key that does not unwrap stops the start.
 * Without one, the keys are stored as plaintext JWKs and a warning says so at start-up.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { generateKeyPair } from '@keyward/core';
import { exportPrivateJwk, exportPublicJwk } from '@keyward/core';
import { calculateThumbprint } from '@keyward/core';
import type { JwsAlgorithm, PublicJwk } from '@keyward/core';
import type { AccessTokenSigningKey } from '@keyward/core';
import type { ServerPublicKey } from '@keyward/core';
import type { SigningKeyRecord, SigningKeyStore } from '../../store/contract.ts';
import { systemClock, type Clock } from '../clock.ts';
import { isWrappedPrivateJwk, rewrapPrivateJwk, SigningKeyUnwrapError, unwrapPrivateJwk, wrapPrivateJwk, type KeyEncryption } from './key-encryption/index.ts';

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

/**
 * Creates a new signing key record (kid = RFC 7638 thumbprint), not yet stored; the private JWK
 * wrapped when `encryption` has a current KEK; signing from `activateAt` when given.
 */
export async function createSigningKeyRecord(alg: JwsAlgorithm, now: Date, options: { encryption?: KeyEncryption; activateAt?: Date } = {}): Promise<SigningKeyRecord> {
  const { privateKey, publicKey } = await generateSigningKey(alg);
  const kid = calculateThumbprint(publicKey);
  const privateJwk = exportPrivateJwk(privateKey);
  const current = options.encryption?.current;
  return {
    kid,
    alg,
    privateJwk: current === undefined ? privateJwk : wrapPrivateJwk(privateJwk, kid, current),
    publicJwk: exportPublicJwk(publicKey, { kid, alg, use: 'sig' }),
    state: 'active',
    createdAt: now,
    ...(options.activateAt !== undefined ? { activateAt: options.activateAt } : {}),
  };
}

/** The time a record signs from: `activateAt`, else `createdAt`. */
export function signsFrom(record: SigningKeyRecord): number {
  return (record.activateAt ?? record.createdAt).getTime();
}

/**
 * The record that signs at `now`: among the published `active` and `published` records, the one
 * with the latest activation time not after `now` (ties: the newest, then the greatest kid, so two
 * nodes always agree); when every one activates later, the earliest. Undefined for none.
 */
export function selectSigningRecord(records: readonly SigningKeyRecord[], now: Date): SigningKeyRecord | undefined {
  const candidates = records
    .filter((record) => record.state !== 'retired' && isPublished(record, now))
    .sort((a, b) => signsFrom(b) - signsFrom(a) || b.createdAt.getTime() - a.createdAt.getTime() || (a.kid < b.kid ? 1 : -1));
  return candidates.find((record) => signsFrom(record) <= now.getTime()) ?? candidates.at(-1);
}

/**
 * Rotates: stores a new key that is published at once and signs from now + `prepublishSeconds`
 * (0: at once, for a compromised key), and turns every current active key into `published` until
 * the activation + overlap (it keeps signing until the activation, see selectSigningRecord). A key
 * still waiting for its own activation never signed anything: it retires at once. Returns the new
 * key, its activation time and the kids moved to the overlap.
 */
export async function rotateSigningKey(store: SigningKeyStore, options: { alg: JwsAlgorithm; overlapSeconds: number; prepublishSeconds?: number; now?: Date; encryption?: KeyEncryption }): Promise<{ kid: string; alg: JwsAlgorithm; activateAt: Date; previous: { kid: string; retireAt: Date }[] }> {
  const now = options.now ?? new Date();
  const prepublish = options.prepublishSeconds ?? 0;
  const activateAt = new Date(now.getTime() + prepublish * 1000);
  const fresh = await createSigningKeyRecord(options.alg, now, { ...(options.encryption ? { encryption: options.encryption } : {}), ...(prepublish > 0 ? { activateAt } : {}) });
  const existing = await store.listSigningKeys();
  await store.addSigningKey(fresh);
  const retireAt = new Date(activateAt.getTime() + options.overlapSeconds * 1000);
  const previous: { kid: string; retireAt: Date }[] = [];
  for (const key of existing) {
    if (key.state !== 'active') continue;
    if (signsFrom(key) > now.getTime() || retireAt.getTime() <= now.getTime()) {
      await store.updateSigningKey(key.kid, { state: 'retired' });
      continue;
    }
    await store.updateSigningKey(key.kid, { state: 'published', retireAt });
    previous.push({ kid: key.kid, retireAt });
  }
  return { kid: fresh.kid, alg: fresh.alg, activateAt, previous };
}

/**
 * Re-wraps every stored signing key with the current KEK (`keyward keys rewrap`): plaintext keys
 * and keys wrapped with the previous KEK. Running servers keep signing (they hold their keys in
 * memory and unwrap with either KEK on a re-read). Throws SigningKeyUnwrapError, before writing
 * anything, when a key does not unwrap with the configured KEKs.
 */
export async function rewrapSigningKeys(store: SigningKeyStore, encryption: KeyEncryption): Promise<{ rewrapped: string[]; unchanged: string[] }> {
  if (encryption.current === undefined) throw new TypeError('rewrapSigningKeys needs a current key-encryption key');
  const records = await store.listSigningKeys();
  const changes = records.map((record) => ({ kid: record.kid, next: rewrapPrivateJwk(record.privateJwk, record.kid, encryption) }));
  const rewrapped: string[] = [];
  const unchanged: string[] = [];
  for (const { kid, next } of changes) {
    if (next === undefined) { unchanged.push(kid); continue; }
    await store.updateSigningKey(kid, { privateJwk: next });
    rewrapped.push(kid);
  }
  return { rewrapped, unchanged };
}

/** True when the record is still in /jwks at `now` (a pre-published key is, before its activation). */
export function isPublished(record: SigningKeyRecord, now: Date): boolean {
  if (record.state === 'active') return true;
  return record.state === 'published' && (record.retireAt === undefined || record.retireAt.getTime() > now.getTime());
}

interface Loaded {
  /** Every key that may sign, latest activation first (see selectSigningRecord). */
  readonly signers: readonly { readonly from: number; readonly key: AccessTokenSigningKey }[];
  readonly publicKeys: readonly ServerPublicKey[];
  readonly jwks: { keys: PublicJwk[] };
}

/** Options of {@link loadSigningKeys}. */
export interface LoadSigningKeysOptions {
  /** Algorithm of the key created when there is none. */
  readonly alg: JwsAlgorithm;
  /** Seconds between re-reads by refreshIfStale(). */
  readonly refreshSeconds: number;
  /** The node's clock (default the system clock). */
  readonly clock?: Clock;
  /** The KEKs (resolveKeyEncryption); none: keys stored unencrypted, with a warning. */
  readonly encryption?: KeyEncryption;
  /** Receives the start-up warning about unencrypted keys, and keys a re-read cannot unwrap. */
  readonly onWarning?: (message: string) => void;
}

/**
 * Loads the signing keys (creating an `alg` key when there is no active one) and returns the
 * service. Retires published keys whose overlap has ended. At start, wraps plaintext keys when a
 * KEK is configured and throws SigningKeyUnwrapError when a stored key does not unwrap with the
 * configured KEKs (the server must not start and fail later); a later re-read keeps the keys it
 * already holds and skips (with a warning) a new key it cannot unwrap.
 */
export async function loadSigningKeys(store: SigningKeyStore, options: LoadSigningKeysOptions): Promise<SigningKeyService> {
  const clock = options.clock ?? systemClock;
  const encryption = options.encryption ?? {};
  const warn = options.onWarning ?? (() => undefined);
  const privateCache = new Map<string, KeyObject>();
  const publicCache = new Map<string, KeyObject>();

  function privateKeyOf(record: SigningKeyRecord): KeyObject {
    let privateKey = privateCache.get(record.kid);
    if (privateKey === undefined) {
      privateKey = createPrivateKey({ key: unwrapPrivateJwk(record.privateJwk, record.kid, encryption) as never, format: 'jwk' });
      privateCache.set(record.kid, privateKey);
    }
    return privateKey;
  }

  async function read(atStart: boolean): Promise<Loaded> {
    const now = new Date(clock());
    let records = await store.listSigningKeys();
    if (!records.some((record) => record.state === 'active')) {
      await store.addSigningKey(await createSigningKeyRecord(options.alg, now, { encryption }));
      records = await store.listSigningKeys();
    }
    if (atStart) {
      const live = records.filter((record) => record.state !== 'retired');
      for (const record of live) unwrapPrivateJwk(record.privateJwk, record.kid, encryption); // throws before anything is served
      if (encryption.current === undefined) {
        warn('the signing keys are stored unencrypted: set keys.encryptionKeyFile (KEYWARD_KEY_ENCRYPTION_KEY_FILE) to encrypt them at rest (docs/operations.md)');
      } else {
        for (const record of live) {
          if (isWrappedPrivateJwk(record.privateJwk)) continue;
          await store.updateSigningKey(record.kid, { privateJwk: wrapPrivateJwk(record.privateJwk, record.kid, encryption.current) });
        }
      }
    }
    for (const record of records) {
      if (record.state === 'published' && !isPublished(record, now)) await store.updateSigningKey(record.kid, { state: 'retired' });
    }
    const published = records.filter((record) => isPublished(record, now));
    // Every published key that may still sign, latest activation first; active() picks by time.
    // Two processes starting at once may both create a key: sign with the newest, publish both.
    const current = selectSigningRecord(published, now)!;
    const signers: { from: number; key: AccessTokenSigningKey }[] = [];
    for (const record of published) {
      if (record.kid !== current.kid && signsFrom(record) <= signsFrom(current)) continue;
      let privateKey: KeyObject;
      try {
        privateKey = privateKeyOf(record);
      } catch (error) {
        if (atStart || !(error instanceof SigningKeyUnwrapError)) throw error;
        warn(`${error.message}; this node keeps signing with the keys it holds`);
        continue;
      }
      signers.push({ from: signsFrom(record), key: { kid: record.kid, alg: record.alg, privateKey } });
    }
    signers.sort((a, b) => b.from - a.from);
    if (signers.length === 0) throw new SigningKeyUnwrapError('no signing key can be unwrapped with the configured key-encryption keys');
    const publicKeys = published.map((record) => {
      let publicKey = publicCache.get(record.kid);
      if (publicKey === undefined) {
        publicKey = createPublicKey({ key: record.publicJwk as never, format: 'jwk' });
        publicCache.set(record.kid, publicKey);
      }
      return { kid: record.kid, alg: record.alg, publicKey };
    });
    return {
      signers,
      publicKeys,
      jwks: { keys: published.map((record) => ({ ...record.publicJwk, kid: record.kid, alg: record.alg, use: 'sig' as const })) },
    };
  }

  let loaded = await read(true);
  let loadedAt = clock();
  let pending: Promise<void> | undefined;

  async function refresh(): Promise<void> {
    pending ??= read(false).then((value) => { loaded = value; loadedAt = clock(); }).finally(() => { pending = undefined; });
    return pending;
  }

  return {
    // Decided by the activation time stored with each key, not by when this node read it.
    active: () => {
      const at = clock();
      return (loaded.signers.find((signer) => signer.from <= at) ?? loaded.signers.at(-1)!).key;
    },
    publicKeys: () => loaded.publicKeys,
    jwks: () => loaded.jwks,
    refresh,
    async refreshIfStale() {
      if (clock() - loadedAt >= options.refreshSeconds * 1000) await refresh();
    },
  };
}
