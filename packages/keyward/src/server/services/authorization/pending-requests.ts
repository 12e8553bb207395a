/**
 * Authorization requests kept server-side: pushed requests (RFC 9126 §2.2, single use, 60 s) and
 * requests waiting for the end user to sign in or consent (resumable for
 * `authorization.pendingRequestTtl`). Only the random id (128 bits) leaves the server: as a
 * `request_uri` (urn:ietf:params:oauth:request_uri:...) or in the `/authorize/resume?id=` link that
 * the sign-in page returns to.
 *
 * The consent form's anti-forgery token is bound to the end user's session: HMAC-SHA256 of the
 * session id under a secret that only the stored request holds, so a token seen in one session is
 * worthless in another (RFC 6749 §10.12).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AuthorizationRequestRecord } from '../../../store/contract.ts';
import type { ServerContext } from '../../context.ts';
import { epochSeconds } from '../../clock.ts';

/** RFC 9126 §2.2: the request_uri prefix. */
export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';
/** RFC 9126 §2.2 expires_in of a pushed request (FAPI 2.0: under 600 s); fixed. */
export const PUSHED_REQUEST_TTL = 60;

/**
 * What a stored request holds: a pushed or pending authorization request, or a logout request
 * waiting for the end user's confirmation (routes/oauth/end-session.ts).
 */
export interface StoredRequest {
  readonly kind: 'pushed' | 'pending' | 'logout';
  readonly parameters: Record<string, string>;
  /** Pending and logout requests: the secret of the form's token (consent or logout confirmation). */
  readonly csrfSecret?: string;
}

const ID = /^[A-Za-z0-9_-]{22}$/;

/** Stores a request and returns its record. */
export async function storeRequest(ctx: ServerContext, clientId: string, stored: StoredRequest, ttl: number): Promise<AuthorizationRequestRecord> {
  const now = epochSeconds(ctx.clock);
  const record: AuthorizationRequestRecord = {
    id: randomBytes(16).toString('base64url'), clientId, request: { ...stored }, createdAt: now, expiresAt: now + ttl,
  };
  await ctx.store.authorizations.putRequest(record);
  return record;
}

/** A new pending request for `parameters` (with a fresh consent secret). */
export function storePendingRequest(ctx: ServerContext, clientId: string, parameters: Record<string, string>): Promise<AuthorizationRequestRecord> {
  return storeRequest(ctx, clientId, { kind: 'pending', parameters, csrfSecret: randomBytes(32).toString('base64url') }, ctx.config.authorization.pendingRequestTtl);
}

/**
 * A logout request waiting for the end user's confirmation (OpenID Connect RP-Initiated Logout 1.0
 * §2), with its already checked `parameters` and a fresh form secret; kept as long as a pending
 * authorization request. `clientId` is empty when the request named no client.
 */
export function storeLogoutRequest(ctx: ServerContext, clientId: string | undefined, parameters: Record<string, string>): Promise<AuthorizationRequestRecord> {
  return storeRequest(ctx, clientId ?? '', { kind: 'logout', parameters, csrfSecret: randomBytes(32).toString('base64url') }, ctx.config.authorization.pendingRequestTtl);
}

/** The stored request of a record, if it is of `kind`. */
export function readStoredRequest(record: AuthorizationRequestRecord | undefined, kind: StoredRequest['kind']): StoredRequest | undefined {
  const request = record?.request as Partial<StoredRequest> | undefined;
  if (request?.kind !== kind || typeof request.parameters !== 'object' || request.parameters === null) return undefined;
  return request as StoredRequest;
}

/** The id of a well-formed id, else undefined (nothing else reaches the store). */
export function parseRequestId(id: string | undefined): string | undefined {
  return id !== undefined && ID.test(id) ? id : undefined;
}

/** The consent form token of a pending request for one session. */
export function consentToken(csrfSecret: string, sessionId: string): string {
  return createHmac('sha256', csrfSecret).update(sessionId, 'utf8').digest('base64url');
}

/** Constant-time check of a posted consent token. */
export function checkConsentToken(csrfSecret: string, sessionId: string, posted: string | undefined): boolean {
  if (posted === undefined) return false;
  const expected = Buffer.from(consentToken(csrfSecret, sessionId));
  const given = Buffer.from(posted);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
