/**
 * Decodes a JWT's header and payload as far as possible, for diagnosis only: whitespace removed,
 * padding tolerated. The strict parser (parseCompactJws) decides what the verifier accepts; this
 * one only lets the doctor go on to the other rules after a format problem.
 */

/** The decoded parts, each undefined when it could not be read. Nothing here is verified. */
export interface LenientJwt {
  readonly header?: Record<string, unknown>;
  readonly payload?: Record<string, unknown>;
  /** The token with all whitespace removed. */
  readonly compact: string;
}

function decodePart(part: string | undefined): Record<string, unknown> | undefined {
  if (part === undefined || part === '') return undefined;
  try {
    const json: unknown = JSON.parse(Buffer.from(part.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'), 'base64url').toString('utf8'));
    return typeof json === 'object' && json !== null && !Array.isArray(json) ? json as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}

/** Removes whitespace and decodes the first two parts. Does NOT check the signature or anything else. */
export function decodeLeniently(token: string): LenientJwt {
  const compact = token.replace(/\s+/g, '');
  const [header, payload] = compact.split('.');
  const result: { header?: Record<string, unknown>; payload?: Record<string, unknown>; compact: string } = { compact };
  const h = decodePart(header);
  const p = decodePart(payload);
  if (h) result.header = h;
  if (p) result.payload = p;
  return result;
}
