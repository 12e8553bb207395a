/**
 * Initial access tokens for RFC 7591 §3 dynamic registration: 256 random bits, shown once, stored as
 * a SHA-256 hash, with an expiry and a number of uses, optionally limited to a set of scopes.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { InitialAccessTokenRecord } from '../../../store/contract.ts';
import { recordChange } from './record-change.ts';
import type { RegistryContext } from './registry-context.ts';
import { RegistryError } from './registry-error.ts';
import { checkScopes } from './validate-client-fields.ts';

/** SHA-256 of a bearer secret, base64url (how initial access and registration tokens are stored). */
export function hashSecret(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** A new random bearer secret: 256 bits, base64url. */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Creates an initial access token. Returns the token (show it once: only its hash is stored) and
 * the record. `expiresInSeconds` default 86400; `uses` default 1 (0 or undefined-with-unlimited:
 * pass `uses: null` for unlimited).
 */
export async function createInitialAccessToken(ctx: RegistryContext, input: { actor: string; expiresInSeconds?: number; uses?: number | null; scopes?: readonly string[] }): Promise<{ token: string; record: InitialAccessTokenRecord }> {
  const ttl = input.expiresInSeconds ?? 86400;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 365 * 86400) throw new RegistryError('invalid', 'expires_in is a whole number of seconds between 1 and 31536000');
  const uses = input.uses === undefined ? 1 : input.uses;
  if (uses !== null && (!Number.isInteger(uses) || uses < 1)) throw new RegistryError('invalid', 'uses is a whole number of at least 1 (or unlimited)');
  const token = generateSecret();
  const now = new Date(ctx.clock());
  const record: InitialAccessTokenRecord = {
    id: randomBytes(8).toString('hex'),
    tokenHash: hashSecret(token),
    createdAt: now,
    expiresAt: new Date(now.getTime() + ttl * 1000),
    ...(uses !== null ? { usesLeft: uses } : {}),
    ...(input.scopes && input.scopes.length > 0 ? { scopes: checkScopes(input.scopes) } : {}),
  };
  await ctx.store.initialAccessTokens.addInitialAccessToken(record);
  await recordChange(ctx, { type: 'initial_access_token.created', actor: input.actor, after: { id: record.id, expires_at: record.expiresAt?.toISOString(), uses_left: record.usesLeft ?? null, scope: record.scopes?.join(' ') ?? null } });
  return { token, record };
}

/**
 * Consumes one use of the initial access token `token`. Returns the record, or undefined when the
 * token is unknown, expired or used up (the store does the lookup by hash and the decrement
 * atomically; hashing first means the comparison never runs over the secret itself).
 */
export async function consumeInitialAccessToken(ctx: RegistryContext, token: string): Promise<InitialAccessTokenRecord | undefined> {
  if (token.length === 0 || token.length > 512) return undefined;
  return ctx.store.initialAccessTokens.consumeInitialAccessToken(hashSecret(token), new Date(ctx.clock()));
}

/**
 * The initial access token `token` if it could be consumed now (known, not expired, a use left),
 * WITHOUT consuming a use: POST /register checks the token with this before reading the body, and
 * consumes it with {@link consumeInitialAccessToken} only once the metadata is valid.
 */
export async function findInitialAccessToken(ctx: RegistryContext, token: string): Promise<InitialAccessTokenRecord | undefined> {
  if (token.length === 0 || token.length > 512) return undefined;
  return ctx.store.initialAccessTokens.findInitialAccessToken(hashSecret(token), new Date(ctx.clock()));
}
