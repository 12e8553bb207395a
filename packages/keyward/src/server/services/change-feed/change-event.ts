/**
 * The events of the change feed: what changed, by identifier only (never key material, tokens or
 * secrets). The list is closed: a message that is not one of these shapes is not an event.
 */

/** What changed. */
export type ChangeEvent =
  /** A client, its keys or its settings: drop the cached client (one cache entry holds both). */
  | { readonly type: 'client'; readonly clientId: string }
  /** The server's signing keys (rotated or re-wrapped): re-read them. */
  | { readonly type: 'signing-keys' };

/**
 * The event `value` carries, with identifiers only (other members dropped); undefined when it is
 * not a well-formed event. Does NOT check that the client exists: an event only drops cache entries.
 */
export function toChangeEvent(value: unknown): ChangeEvent | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (v.type === 'client' && typeof v.clientId === 'string') {
    return { type: 'client', clientId: v.clientId };
  }
  if (v.type === 'signing-keys') return { type: 'signing-keys' };
  return undefined;
}

/**
 * The value a text message holds: its JSON, or the text itself when it is not JSON (which no event
 * is, so the feed drops it with a warning).
 */
export function decodeChangeMessage(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
