/**
 * The consent behind a grant on behalf of an end user (RFC 6749 §10.4): a code, and every refresh
 * token of the family it starts, is worth what the end user's consent allowed, and a consent revoked
 * since (registry/consents.ts) takes them with it. A consent given again is another one: its
 * `createdAt` differs from the one the code and the family carry.
 *
 * Checked twice by the token endpoint: before anything is issued, and once every token of the
 * response is stored (GrantResult.afterIssue). A revocation deletes the consent, then revokes the
 * tokens it finds; tokens stored after its search would survive it, but then the second check
 * finds the consent gone and revokes them itself. One of the two always sees the other, without a
 * transaction across the store calls of both.
 */
import { OAuthError } from '@keyward/core';
import type { ServerContext } from '../../context.ts';
import { revokeGrant } from './revoke-grant.ts';

/** The grant as the consent check needs it (a code or a refresh token record): whose, for which client, under which consent (epoch ms; none when the client needs no consent). */
export interface ConsentBoundGrant {
  readonly sub: string;
  readonly clientId: string;
  readonly grantId: string;
  readonly consentCreatedAt?: number;
}

/**
 * Throws `consent_revoked` (after revoking the whole grant) when the consent `grant` was issued
 * under is no longer the end user's consent to the client. Nothing to check for a grant made
 * without consent.
 */
export async function requireConsent(ctx: ServerContext, grant: ConsentBoundGrant, issued: 'code' | 'refresh token'): Promise<void> {
  if (grant.consentCreatedAt === undefined) return;
  const consent = await ctx.store.authorizations.getConsent(grant.sub, grant.clientId);
  if (consent?.createdAt.getTime() === grant.consentCreatedAt) return;
  await revokeGrant(ctx, grant.grantId);
  throw new OAuthError('consent_revoked', { detail: `the end user's consent to this client was revoked after the ${issued} was issued` });
}
