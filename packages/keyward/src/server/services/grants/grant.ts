/**
 * The shape of a grant module (modelled on oidc-provider's grants): its `grant_type`, whether client
 * authentication is required, and a handler that checks the request and says what to issue. The
 * token endpoint reserves the jti of every returned assertion, then issues the token.
 */
import type { VerifiedAssertion } from '@keyward/core';
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
}

/** A grant module. */
export interface Grant {
  readonly grantType: string;
  readonly clientAuthentication: 'required' | 'optional';
  handle(request: GrantRequest): Promise<GrantResult>;
}
