/**
 * Password hashing: argon2id with the OWASP Password Storage Cheat Sheet parameters (m = 19456 KiB,
 * t = 2, p = 1), stored as a PHC string that carries the algorithm, version, parameters and salt,
 * so a hash made with other parameters still verifies; such a hash is replaced on the next
 * successful sign-in when its parameters are weaker (upgrade-password-hash.ts). Hashing and verifying run on libuv's thread
 * pool (@node-rs/argon2's async functions): they never block the event loop.
 */
import { hash, verify } from '@node-rs/argon2';

/** argon2id parameters (OWASP: m=19456 KiB, t=2, p=1). */
export const PASSWORD_HASH_PARAMETERS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** `Algorithm.Argon2id` of @node-rs/argon2 (a const enum, which isolated modules cannot import). */
const ARGON2ID = 2;

/**
 * The hash of a random password nobody knows, with the same parameters: verified in place of a
 * user's hash when the username is unknown (or has no password), so that an unknown user and a
 * wrong password take the same time and get the same answer.
 */
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$IfXQ6iuP7l39dP/P/m/RwA$FoOHfKCtUzoZzeFPAAeBit6M3ZWhbLH9ZoCSqF8vo2g';

// PHC string format: $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>
const PHC_ARGON2 = /^\$(argon2(?:id|i|d))\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$/;

/**
 * True when `storedHash` was made with weaker settings than {@link PASSWORD_HASH_PARAMETERS}: not
 * argon2id (RFC 9106 §4 recommends argon2id), an older argon2 version than 0x13 (19), or a memory
 * cost, time cost or parallelism below the current ones (OWASP Password Storage Cheat Sheet:
 * upgrade the hash when the user next signs in). A hash this function cannot read needs one too.
 * Does NOT verify anything: call it only after the password matched.
 */
export function passwordHashNeedsUpgrade(storedHash: string): boolean {
  const match = PHC_ARGON2.exec(storedHash);
  if (match === null) return true;
  const [, algorithm, version, memoryCost, timeCost, parallelism] = match;
  return algorithm !== 'argon2id' || Number(version) < 19
    || Number(memoryCost) < PASSWORD_HASH_PARAMETERS.memoryCost
    || Number(timeCost) < PASSWORD_HASH_PARAMETERS.timeCost
    || Number(parallelism) < PASSWORD_HASH_PARAMETERS.parallelism;
}

/** The PHC string of `password` (argon2id, fresh random salt). Does NOT check the password's rules. */
export async function hashPassword(password: string): Promise<string> {
  return hash(password, { ...PASSWORD_HASH_PARAMETERS, algorithm: ARGON2ID });
}

/**
 * True when `password` matches `storedHash` (verified with the parameters the hash carries). With no
 * stored hash, verifies against a dummy hash and answers false, taking the same time. A malformed
 * stored hash answers false (never throws).
 */
export async function verifyPassword(storedHash: string | undefined, password: string): Promise<boolean> {
  try {
    const matches = await verify(storedHash ?? DUMMY_HASH, password);
    return storedHash !== undefined && matches;
  } catch {
    return false;
  }
}
