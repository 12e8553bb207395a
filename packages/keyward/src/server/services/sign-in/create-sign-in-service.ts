/**
 * The sign-in service of one server node: the SignInPort the protocol endpoints use, plus what the
 * sign-in pages need (cookies, throttle, starting a session). Sessions live in the store
 * (SignInSessionStore), keyed by the SHA-256 of their secret, so any node serves them and a restart
 * keeps them. Built once in main.ts and held by the ServerContext as `signIn`.
 *
 * Lifetimes (OWASP Session Management Cheat Sheet): a session ends after `signIn.sessionIdleSeconds`
 * without a request and `signIn.sessionMaxSeconds` after the sign-in, whichever comes first; every
 * use moves the idle end, never the absolute one.
 */
import type { KeywardConfig } from '../../../config/defaults.ts';
import type { Store } from '../../../store/contract.ts';
import { epochSeconds, type Clock } from '../../clock.ts';
import { isAllowedReturnTo } from './return-to.ts';
import { createSignInCookies, hashSessionId, newCookieSecret, readCookie, type SignInCookies } from './session-cookies.ts';
import type { SignedInUser, SignInPort } from './sign-in-port.ts';
import type { SignInThrottle } from './sign-in-throttle.ts';

/** The SignInPort plus what the sign-in pages use. */
export interface SignInService extends SignInPort {
  readonly cookies: SignInCookies;
  readonly throttle: SignInThrottle;
  /** The issuer's path (empty, or `/prefix`): the pages' links start with it. */
  readonly basePath: string;
  /**
   * Starts a session for `sub` with a fresh secret (never one the browser sent: no fixation, OWASP
   * Session Fixation) and ends `replacing` (the session the request carried, if any). Returns the
   * session and the Set-Cookie value.
   */
  start(sub: string, amr: readonly string[], replacing?: string): Promise<{ session: SignedInUser; setCookie: string }>;
  /** The session id (hash) the request's cookie names, whether or not it is live. */
  sessionIdOf(request: Request): string | undefined;
  /** The Set-Cookie value that deletes the session cookie. */
  readonly clearCookie: string;
}

/** Creates the service on the node's clock (epoch milliseconds). */
export function createSignInService(options: { store: Store; config: KeywardConfig; issuer: string; clock: Clock; throttle: SignInThrottle }): SignInService {
  const { store, config, issuer, clock, throttle } = options;
  const settings = config.signIn;
  const cookies = createSignInCookies(issuer);
  const basePath = new URL(issuer).pathname.replace(/\/+$/, '');
  const sessionIdOf = (request: Request): string | undefined => {
    const secret = readCookie(request.headers.get('cookie'), cookies.session);
    return secret === undefined ? undefined : hashSessionId(secret);
  };

  return {
    cookies,
    throttle,
    basePath,
    clearCookie: cookies.serialize(cookies.session, '', 0),
    sessionIdOf,
    async current(request) {
      const idHash = sessionIdOf(request);
      if (idHash === undefined) return null;
      const at = clock();
      const session = await store.signInSessions.touchSession(idHash, new Date(at), new Date(at + settings.sessionIdleSeconds * 1000));
      if (session === undefined) return null;
      // Disabling a user ends its sessions; this also covers a session touched while that happened.
      const user = await store.users.getUser(session.sub);
      if (user === undefined || user.status !== 'active') return null;
      return { sessionId: session.idHash, sub: session.sub, authTime: session.authTime, amr: [...session.amr] };
    },
    signInUrl(returnTo) {
      if (!isAllowedReturnTo(returnTo)) throw new TypeError('signInUrl takes a path starting with /authorize (return-to.ts)');
      return `${issuer}/sign-in?return_to=${encodeURIComponent(returnTo)}`;
    },
    async end(sessionId) {
      await store.signInSessions.deleteSession(sessionId);
    },
    async claims(sub) {
      const user = await store.users.getUser(sub);
      if (user === undefined || user.status !== 'active') return null;
      // OIDC Core §5.1: standard claims; preferred_username is not unique or stable, sub is.
      return {
        sub: user.sub,
        preferred_username: user.username,
        ...(user.name !== undefined ? { name: user.name } : {}),
        ...(user.email !== undefined ? { email: user.email } : {}),
      };
    },
    async start(sub, amr, replacing) {
      if (replacing !== undefined) await store.signInSessions.deleteSession(replacing);
      const secret = newCookieSecret();
      const at = epochSeconds(clock);
      const session = {
        idHash: hashSessionId(secret), sub, authTime: at, amr: [...amr],
        createdAt: new Date(at * 1000), lastSeenAt: new Date(at * 1000),
        idleExpiresAt: new Date((at + settings.sessionIdleSeconds) * 1000),
        absoluteExpiresAt: new Date((at + settings.sessionMaxSeconds) * 1000),
      };
      await store.signInSessions.createSession(session);
      return {
        session: { sessionId: session.idHash, sub, authTime: at, amr: session.amr },
        setCookie: cookies.serialize(cookies.session, secret, settings.sessionMaxSeconds),
      };
    },
  };
}
