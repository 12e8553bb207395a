/**
 * The shape of a grant module (modelled on oidc-provider's grants): its `grant_type`, whether client
 * authentication is required, and a handler that checks the request and says what to issue. The
 * token endpoint reserves the jti of every returned assertion, then issues the token.
 */
import { OAuthError, type VerifiedAssertion } from '@keyward/core';
import type { ClientRecord } from '../../../store/contract.ts';
import type { ServerContext } from '../../context.ts';
import type { FormParameters } from '../../middleware/read-form.ts';
import type { AuthenticatedClient, AuthTrace } from '../client-authentication.ts';

/** Inputs of a grant handler. */
export interface GrantRequest {
  readonly ctx: ServerContext;
  readonly form: FormParameters;
  /** The authenticated client, when the request authenticated one. */
  readonly auth: AuthenticatedClient | undefined;
  readonly trace: AuthTrace;
}

/** What to issue. */
export interface GrantResult {
  readonly client: ClientRecord;
  /** Thumbprint of the client key that proved the request (remembered with the token). */
  readonly keyThumbprint: string;
  readonly scopes: readonly string[];
  readonly audience: readonly string[];
  /**
   * Assertions whose jti the endpoint must reserve before issuing (RFC 7523 §3 (7)): the client
   * assertion (a replay is invalid_client) and the grant JWT (a replay is invalid_grant).
   */
  readonly assertions: readonly { readonly verified: VerifiedAssertion; readonly role: 'client' | 'grant' }[];
  /** Grants on behalf of an end user (authorization_code, refresh_token): who, and what else to issue. */
  readonly endUser?: EndUserGrant;
  /**
   * A last check, run once every token of the response is stored: one that throws has revoked
   * what was issued, and its refusal is the answer (the consent check of the grants on behalf of
   * an end user, grants/consent-check.ts).
   */
  readonly afterIssue?: () => Promise<void>;
}

/** The end user of an authorization grant, and the ID token and refresh token to issue with the access token. */
export interface EndUserGrant {
  readonly sub: string;
  /** Epoch seconds of the end user's authentication. */
  readonly authTime: number;
  readonly amr?: readonly string[];
  readonly sessionId?: string;
  /** The authorization grant (code) every token of this family is recorded under. */
  readonly grantId: string;
  /** OIDC Core §3.1.3.6: passed through from the authorization request (code grant only). */
  readonly nonce?: string;
  /** OIDC Core §3.1.3.3: an ID token when `openid` was granted. */
  readonly idToken: boolean;
  /** A (rotated) refresh token: its scopes and, for a rotation, the family's expiry. */
  readonly refresh?: { readonly scopes: readonly string[]; readonly expiresAt?: number };
  /** The `createdAt` (epoch ms) of the consent the grant was issued under, kept with its refresh tokens. */
  readonly consentCreatedAt?: number;
}

/** A grant module. */
export interface Grant {
  readonly grantType: string;
  readonly clientAuthentication: 'required' | 'optional';
  handle(request: GrantRequest): Promise<GrantResult>;
}

/**
 * RFC 6749 §5.2 unauthorized_client: refuses a client not registered for `grantType` (RFC 7591 §2
 * grant_types), naming the grant types it may use. `label` is how the grant is named in messages.
 */
export function requireClientGrant(client: ClientRecord, grantType: string, label = grantType): void {
  if (client.grantTypes.includes(grantType)) return;
  const allowed = `this client may use: ${client.grantTypes.join(', ')}`;
  throw new OAuthError('grant_not_allowed', { detail: `this client is not registered for ${label}; ${allowed}`, description: `the client may not use ${label}; ${allowed}` });
}

