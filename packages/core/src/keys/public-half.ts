import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/** The public half of a key: the key itself when it is already public. */
export function publicHalf(key: KeyObject): KeyObject {
  return key.type === 'public' ? key : createPublicKey(key);
}
