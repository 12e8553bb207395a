/**
 * The framework-free verifier: takes a Web `Request`, `Headers` or a plain header object, returns the
 * authenticated principal, or a refusal mapped to RFC 6750. The adapters (Express, Fastify, Hono,
 * node:http) are thin wrappers around {@link Verifier.authenticate}.
 */
import { deepFreeze, OAuthError, parseCompactJws, parseDirectToken, readTyp, type ParsedDirectToken, type ParsedJws } from '@keyward/core';
import { BoundedCache } from './bounded-cache.ts';
import { toBearerChallenge, type BearerChallenge } from './errors.ts';
import { createAccessTokenMode, type AccessTokenModeOptions } from './mode-access-token.ts';
import { createDirectMode, type DirectModeOptions } from './mode-direct.ts';
import { readBearerToken, type VerifyInput } from './read-bearer-token.ts';
import type { Principal, VerifyMode } from './types.ts';

/** Options of {@link createVerifier}. At least one of `accessToken` and `direct` is required. */
export interface VerifierOptions {
  /** Mode A: access tokens issued by a Keyward server. */
  readonly accessToken?: AccessTokenModeOptions;
  /** Mode B: direct client-signed tokens. */
  readonly direct?: DirectModeOptions;
  /** `realm` of the WWW-Authenticate challenge (default "keyward"). */
  readonly realm?: string;
  /** Largest accepted token in characters (default 16384), checked before any parsing. */
  readonly maxTokenLength?: number;
  /** Clock in milliseconds (default Date.now). */
  readonly now?: () => number;
  /**
   * Parsed tokens kept (LRU, default 1000; 0 turns it off). Only tokens that passed every check, up
   * to 4096 characters, are kept. A token presented again (access tokens are reused until they
   * expire) skips parsing; its signature and every claim are still checked on each request. Claims
   * are deep-frozen: `principal.claims` is read-only.
   */
  readonly parseCacheSize?: number;
  /**
   * Called with every refusal (its precise `reason` and operator `detail`), for logs and metrics.
   * Never receives the token. Exceptions it throws are ignored.
   */
  readonly onRefusal?: (refusal: OAuthError, context: { readonly mode: VerifyMode | undefined }) => void;
}

/** Per-route options. */
export interface VerifyOptions {
  /** Scopes the route requires; all must be granted, else 403 insufficient_scope (RFC 6750 §3.1). */
  readonly scopes?: readonly string[];
  /** Modes the route accepts (default: every configured mode). */
  readonly modes?: readonly VerifyMode[];
  /** The request URL (path and query), to refuse tokens in the query; taken from a Request automatically. */
  readonly url?: string;
}

/** Outcome of {@link Verifier.authenticate}. */
export type AuthenticateResult =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly challenge: BearerChallenge };

/** A compiled verifier. */
export interface Verifier {
  readonly realm: string;
  /** Resolves to the principal, or rejects with an OAuthError (its reason says why). */
  verify(input: VerifyInput, options?: VerifyOptions): Promise<Principal>;
  /** Never rejects for a refusal: resolves to the principal or to the RFC 6750 answer to send. */
  authenticate(input: VerifyInput, options?: VerifyOptions): Promise<AuthenticateResult>;
}

function checkScopes(principal: Principal, required: readonly string[] | undefined): Principal {
  if (required === undefined || required.length === 0) return principal;
  for (const scope of required) {
    // RFC 6750 §3.1 insufficient_scope: the token is valid but lacks a scope this resource needs.
    if (!principal.scopes.includes(scope)) {
      // A direct token is signed by the client itself: it grants only what its key source knows of
      // the client (the store source), and a directory of keys knows no scopes at all.
      const direct = principal.mode === 'direct' && principal.scopes.length === 0;
      throw new OAuthError('insufficient_scope', {
        detail: `this resource needs the scope(s) ${required.join(' ')}; the token grants ${principal.scopes.join(' ') || 'none'}${direct ? ' (a direct token carries no scopes; this key source knows none for the client)' : ''}`,
        ...(direct ? { description: 'direct tokens carry no scopes: this resource needs an access token with the required scope' } : {}),
      });
    }
  }
  return principal;
}

/**
 * Compiles a verifier. Which mode checks a token: a token whose header `typ` is `at+jwt` goes to
 * mode A, any other to mode B (each mode refuses the other's tokens by `typ`). Per route,
 * `modes` narrows what is accepted and `scopes` what is required.
 *
 * Throws TypeError for bad options (no mode, missing issuer/audience/key source...).
 * Does NOT read request bodies and never logs or returns the token.
 */
export function createVerifier(options: VerifierOptions): Verifier {
  if (options.accessToken === undefined && options.direct === undefined) {
    throw new TypeError('createVerifier: configure accessToken (mode A), direct (mode B), or both');
  }
  const realm = options.realm ?? 'keyward';
  const now = options.now ?? Date.now;
  const accessMode = options.accessToken === undefined ? undefined : createAccessTokenMode(options.accessToken);
  // RFC 8725 §3.12: mode B refuses mode A's issuer as a direct token's aud or iss.
  const directIssuer = options.direct?.issuer ?? options.accessToken?.issuer;
  const directMode = options.direct === undefined ? undefined : createDirectMode(directIssuer === undefined ? options.direct : { ...options.direct, issuer: directIssuer });
  const maxLength = options.maxTokenLength ?? directMode?.maxLength ?? 16384;
  // Decoded headers by their exact text: tokens of one issuer key, or of one client key, share it.
  const headerCache = new BoundedCache<string, Readonly<Record<string, unknown>>>(HEADER_CACHE_SIZE);
  const parseOptions = { maxLength, headerCache, ...(directMode === undefined ? {} : { clientIdClaim: directMode.clientIdClaim }) };
  const cacheSize = options.parseCacheSize ?? 1000;
  // Keyed by the last 43 characters (the end of the signature: cheap to hash, unique in practice);
  // a hit counts only when the whole token is identical.
  const parseCache = cacheSize > 0 ? new BoundedCache<string, { token: string; parsed: ParsedJws }>(cacheSize) : undefined;
  const cached = (token: string): ParsedJws | undefined => {
    const entry = parseCache?.get(token.slice(-CACHE_KEY_LENGTH));
    return entry !== undefined && entry.token === token ? entry.parsed : undefined;
  };

  // A token verified before skips readBearerToken's character scan (its parse is looked up again
  // below: one map lookup, against a second scan of the whole token).
  const isKnown = parseCache === undefined ? undefined : (token: string): boolean => cached(token) !== undefined;

  function parse(token: string): ParsedJws {
    return directMode === undefined ? parseCompactJws(token, parseOptions) : parseDirectToken(token, parseOptions);
  }

  /**
   * Remembers the parse of a token that passed every check (never of a refused one, so forged tokens
   * cannot fill or poison the cache). Shared between requests from now on, so deep-frozen first.
   */
  function remember(token: string, parsed: ParsedJws): void {
    if (parseCache === undefined || token.length > MAX_CACHED_TOKEN_LENGTH || cached(token) !== undefined) return;
    deepFreeze(parsed.header);
    deepFreeze(parsed.payload);
    parseCache.set(token.slice(-CACHE_KEY_LENGTH), { token, parsed });
  }

  /** A request's token, its parse (from the cache when `known`) and the mode that judges it. */
  interface Prepared {
    readonly token: string;
    readonly parsed: ParsedJws;
    readonly known: boolean;
    readonly mode: VerifyMode;
  }

  /** Reads and parses the token and picks its mode; refusals here belong to no mode yet. */
  function prepare(input: VerifyInput, verifyOptions: VerifyOptions | undefined): Prepared {
    const token = readBearerToken(input, verifyOptions?.url, isKnown);
    const known = cached(token);
    const parsed = known ?? parse(token);
    const mode: VerifyMode = readTyp(parsed.header) === 'at+jwt' || directMode === undefined ? 'access_token' : 'direct';
    return { token, parsed, known: known !== undefined, mode };
  }

  /** Judges a prepared token in its mode, then the route's scopes. */
  function check({ token, parsed, known, mode }: Prepared, verifyOptions: VerifyOptions | undefined): Principal | Promise<Principal> {
    if (verifyOptions?.modes !== undefined && !verifyOptions.modes.includes(mode)) {
      throw new OAuthError('token_invalid', { detail: `this route does not accept ${mode === 'direct' ? 'direct client-signed tokens' : 'access tokens'}` });
    }
    const seconds = now() / 1000;
    const result = mode === 'access_token'
      ? (accessMode ?? missingMode()).verify(parsed, token, seconds)
      : (directMode as NonNullable<typeof directMode>).verify(parsed as ParsedDirectToken, seconds);
    if (result instanceof Promise) {
      return result.then((p) => {
        if (!known) remember(token, parsed);
        return checkScopes(p, verifyOptions?.scopes);
      });
    }
    if (!known) remember(token, parsed);
    return checkScopes(result, verifyOptions?.scopes);
  }

  function report(error: unknown, mode: VerifyMode | undefined): void {
    if (options.onRefusal === undefined) return;
    const refusal = error instanceof OAuthError ? error : new OAuthError('store_unavailable', { detail: 'the verifier failed unexpectedly (see cause)', cause: error });
    try {
      options.onRefusal(refusal, { mode });
    } catch {
      // A logging hook must never change the answer.
    }
  }

  function verify(input: VerifyInput, verifyOptions?: VerifyOptions): Promise<Principal> {
    let prepared: Prepared;
    let result: Principal | Promise<Principal>;
    try {
      prepared = prepare(input, verifyOptions);
    } catch (error) {
      report(error, undefined);
      return Promise.reject(error);
    }
    try {
      result = check(prepared, verifyOptions);
    } catch (error) {
      report(error, prepared.mode);
      return Promise.reject(error);
    }
    if (!(result instanceof Promise)) return Promise.resolve(result);
    return result.catch((error: unknown) => {
      report(error, prepared.mode);
      throw error;
    });
  }

  return {
    realm,
    verify,
    authenticate(input, verifyOptions) {
      // One promise step, not an async wrapper around an await: the adapters call this per request.
      return verify(input, verifyOptions).then(
        (principal): AuthenticateResult => ({ ok: true, principal }),
        (error: unknown): AuthenticateResult => ({ ok: false, challenge: toBearerChallenge(error, { realm, ...(verifyOptions?.scopes === undefined ? {} : { scopes: verifyOptions.scopes }) }) }),
      );
    },
  };
}

/** Longer tokens are verified but not kept in the parse cache (bounds its memory to about 4 MiB). */
const MAX_CACHED_TOKEN_LENGTH = 4096;
const CACHE_KEY_LENGTH = 43;
/** Distinct JOSE header parts kept (each at most 512 characters, so at most about 128 KiB). */
const HEADER_CACHE_SIZE = 256;

function missingMode(): never {
  throw new OAuthError('typ_not_allowed', { description: 'this API does not accept access tokens', detail: 'the token is an access token (typ at+jwt) but this verifier has no accessToken mode' });
}
