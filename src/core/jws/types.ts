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

/** Options of {@link parseCompactJws}. */
export interface ParseJwsOptions {
  /** Largest accepted token, in characters (default 16384). Checked before anything else. */
  readonly maxLength?: number;
}

/** Default size cap of a compact JWS (16 KiB). */
export const DEFAULT_MAX_JWS_LENGTH = 16384;
