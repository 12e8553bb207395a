/**
 * The consents end users gave to clients at the authorization endpoint (remembered per end user and
 * client until revoked): list and revoke. Revoking a consent also revokes what it allowed: the
 * end user's refresh tokens at that client and the access tokens of those grants, so the client
 * has to ask again (RFC 6749 §10.4, RFC 7009 §2); the codes issued under it are refused at the
 * token endpoint from then on (`consent_revoked`: each code and refresh-token family is bound to the
 * consent it was issued under, grants/consent-check.ts, which also catches the tokens of a request
 * the token endpoint was answering while this ran). The consent is deleted BEFORE the tokens are
 * searched: consent-check.ts relies on that order. Written to the audit log with the actor.
 */
import type { ConsentGrantRecord } from '../../../store/contract.ts';
import { recordChange } from './record-change.ts';
import type { RegistryContext } from './registry-context.ts';
import { RegistryError } from './registry-error.ts';

/** A consent as the admin API and the CLI show it. */
export function toConsentView(consent: ConsentGrantRecord): Record<string, unknown> {
  return { sub: consent.sub, client_id: consent.clientId, scope: consent.scopes.join(' '), created_at: consent.createdAt.toISOString(), updated_at: consent.updatedAt.toISOString() };
}

function checkSub(sub: string): string {
  if (sub === '' || sub.length > 255 || /[\x00-\x1f\x7f]/.test(sub)) throw new RegistryError('invalid', 'sub is the end user\'s subject identifier: 1-255 printable characters');
  return sub;
}

/** The consents of one end user, by client_id. */
export async function listConsents(ctx: RegistryContext, sub: string): Promise<ConsentGrantRecord[]> {
  return ctx.store.authorizations.listConsents(checkSub(sub));
}

/**
 * Revokes the consent of `sub` to `clientId`, with the refresh tokens and access tokens issued
 * under it. Throws RegistryError('not_found') when there is no such consent.
 */
export async function revokeConsent(ctx: RegistryContext, input: { sub: string; clientId: string; actor: string }): Promise<{ refreshTokenGrants: number; accessTokens: number }> {
  const before = await ctx.store.authorizations.getConsent(checkSub(input.sub), input.clientId);
  if (before === undefined) throw new RegistryError('not_found', `the end user ${JSON.stringify(input.sub)} has no consent for client ${JSON.stringify(input.clientId)}`);
  await ctx.store.authorizations.deleteConsent(input.sub, input.clientId);
  const grants = await ctx.store.authorizations.revokeRefreshTokensOf(input.sub, input.clientId);
  // Access tokens of every grant under the consent: those refreshed, and those straight from a code
  // (a client without refresh tokens), whose codes are kept a day, longer than any access token lives.
  const tokenGrants = new Set([...grants, ...(await ctx.store.authorizations.listCodeGrantsOf(input.sub, input.clientId))]);
  let accessTokens = 0;
  for (const grantId of tokenGrants) accessTokens += await ctx.store.tokens.revokeTokensByGrant(grantId);
  await recordChange(ctx, {
    type: 'consent.revoked', actor: input.actor, clientId: input.clientId,
    details: { sub: input.sub, scope: before.scopes.join(' '), grants_revoked: grants.length, tokens_revoked: accessTokens },
  });
  return { refreshTokenGrants: grants.length, accessTokens };
}
