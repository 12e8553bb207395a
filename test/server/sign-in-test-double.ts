/**
 * A TEST DOUBLE of the SignInPort (end users and their sessions), for the authorization endpoint's
 * tests: the test creates users and sessions itself, and a request's session is the `test_session`
 * cookie. It has no sign-in page: `signInUrl` names a path the test reads the return link from.
 */
import { randomBytes } from 'node:crypto';
import type { SignedInUser, SignInPort } from '../../packages/keyward/src/server/services/sign-in/sign-in-port.ts';

export interface TestUser { sub: string; preferred_username: string; name?: string; email?: string; disabled?: boolean }

/** The test double and the handles a test uses to drive it. */
export interface SignInTestDouble extends SignInPort {
  /** Adds (or replaces) a user. */
  addUser(user: TestUser): void;
  /** Signs `sub` in now (or at `authTime`) and returns the Cookie header value of the new session. */
  signIn(sub: string, options?: { authTime?: number; amr?: string[] }): string;
  /** Sessions ended through `end`. */
  readonly ended: string[];
}

const COOKIE = /(?:^|;\s*)test_session=([A-Za-z0-9_-]+)/;

/** Creates the test double; `now` is the clock (epoch seconds). */
export function createSignInTestDouble(now: () => number = () => Math.floor(Date.now() / 1000)): SignInTestDouble {
  const users = new Map<string, TestUser>();
  const sessions = new Map<string, SignedInUser>();
  const ended: string[] = [];
  return {
    ended,
    addUser(user) { users.set(user.sub, user); },
    signIn(sub, options = {}) {
      const sessionId = randomBytes(16).toString('base64url');
      sessions.set(sessionId, { sessionId, sub, authTime: options.authTime ?? now(), amr: options.amr ?? ['pwd'] });
      return `test_session=${sessionId}`;
    },
    async current(request) {
      const id = COOKIE.exec(request.headers.get('cookie') ?? '')?.[1];
      return (id && sessions.get(id)) || null;
    },
    signInUrl(returnTo) {
      return `/test-sign-in?return_to=${encodeURIComponent(returnTo)}`;
    },
    async end(sessionId) {
      sessions.delete(sessionId);
      ended.push(sessionId);
    },
    async claims(sub) {
      const user = users.get(sub);
      if (user === undefined || user.disabled) return null;
      return { sub: user.sub, preferred_username: user.preferred_username, ...(user.name ? { name: user.name } : {}), ...(user.email ? { email: user.email } : {}) };
    },
  };
}
