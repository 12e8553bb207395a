/**
 * Types of the JWS layer: a parsed (not yet verified) compact JWS.
 */

/**
 * A compact JWS split and decoded by {@link parseCompactJws}. NOTHING in it is trusted: the signature
 * has not been checked, and the header only passed the structural rules (alg is a string, no crit,
 * no b64, no jwk/jku/x5u/x5c).
 */
export interface ParsedJws {
  /** The decoded JOSE header (a JSON object). */
  readonly header: Record<string, unknown>;
  /** The decoded claims set (a JSON object). */
  readonly payload: Record<string, unknown>;
  /** ASCII(BASE64URL(header) || '.' || BASE64URL(payload)), the bytes the signature covers (RFC 7515 §5.2 step 8). */
  readonly signingInput: Buffer;
  /** The decoded signature bytes (empty for an unsecured JWS). */
  readonly signature: Buffer;
  /** The three base64url parts exactly as received. */
  readonly raw: { readonly header: string; readonly payload: string; readonly signature: string };
}

/**
 * A cache of decoded JOSE headers, owned and bounded by the caller (the API verifier keeps one per
 * verifier). Keys are the header part exactly as received (its base64url text); values are headers
 * that passed every rule of parseCompactJws, deep-frozen.
 */
export interface JoseHeaderCache {
  get(segment: string): Readonly<Record<string, unknown>> | undefined;
  set(segment: string, header: Readonly<Record<string, unknown>>): void;
}

/** Options of {@link parseCompactJws}. */
export interface ParseJwsOptions {
  /** Largest accepted token, in characters (default 16384). Checked before anything else. */
  readonly maxLength?: number;
  /**
   * Decoded headers by their exact base64url text (see {@link JoseHeaderCache}). Tokens of one
   * issuer and key share one header part, so a hit skips decoding and checking it again. Only
   * headers that passed every header rule are stored, and a lookup matches only the identical text,
   * so the result is the same as without the cache. Header parts longer than
   * {@link MAX_CACHED_HEADER_LENGTH} are never stored.
   */
  readonly headerCache?: JoseHeaderCache;
}

/** Longest header part (in characters) stored in a {@link JoseHeaderCache}. */
export const MAX_CACHED_HEADER_LENGTH = 512;

/** Default size cap of a compact JWS (16 KiB). */
export const DEFAULT_MAX_JWS_LENGTH = 16384;
