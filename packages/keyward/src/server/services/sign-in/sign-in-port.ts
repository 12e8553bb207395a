// packages/keyward/src/server/services/sign-in/sign-in-port.ts
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
