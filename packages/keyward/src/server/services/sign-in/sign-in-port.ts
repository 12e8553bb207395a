/**
 * The port through which the authorization endpoint, the token endpoint (ID tokens), UserInfo and
 * logout see the signed-in end user. Implemented over the store by create-sign-in-service.ts and
 * held by the ServerContext as `signIn`.
 *
 * `sessionId` is the public identifier of a session: the SHA-256 (base64url) of the secret the
 * session cookie carries, never the cookie value itself, so it may appear in tokens (`sid`, OIDC
 * Front-Channel Logout §2) and logs.
 */

/** The signed-in end user of a request, as the authorization endpoint sees it. */
export interface SignedInUser { sessionId: string; sub: string; authTime: number /* seconds since epoch */; amr: readonly string[] }
export interface SignInPort {
  /** The live session of this request (cookie), or null; touches the idle timer. */
  current(request: Request): Promise<SignedInUser | null>;
  /** Where to send the browser to sign in, then come back to `returnTo` (a path starting with /authorize). */
  signInUrl(returnTo: string): string;
  /** Ends a session (logout). */
  end(sessionId: string): Promise<void>;
  /** User claims for ID tokens and UserInfo: { sub, name?, preferred_username, email? } or null if unknown/disabled. */
  claims(sub: string): Promise<{ sub: string; preferred_username: string; name?: string; email?: string } | null>;
}
