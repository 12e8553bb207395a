/**
 * Passkeys (WebAuthn Level 3) for end users, with @simplewebauthn/server 14: registration by a
 * signed-in user, and sign-in without a username (discoverable credentials). The relying party is
 * the issuer: RP ID = its host name, origin = its origin (WebAuthn §5.1.3 step 9, §7.2 step 14).
 * User verification is required (§7.2 step 17), attestation is not asked for (`none`).
 *
 * Challenges (§13.4.3): 256 random bits, handed to the browser in the options and in a short-lived
 * HttpOnly cookie; a response is accepted only with the challenge of the cookie this browser holds,
 * and each challenge only once, across nodes: it is reserved in the store's replay cache under the
 * pseudo client id `webauthn:` (a client id never contains `:`). The signature counter is checked
 * and recorded (§6.1.1). Does NOT check attestation statements or authenticator metadata.
 */
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
  type AuthenticationResponseJSON, type PublicKeyCredentialCreationOptionsJSON, type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { PasskeyRecord, Store, UserRecord } from '../../../store/contract.ts';
import { isStoreError } from '../../../store/errors.ts';

/** Seconds a ceremony's challenge is valid. */
export const CHALLENGE_SECONDS = 300;

/** The replay-cache namespace of used challenges. */
const CHALLENGE_NAMESPACE = 'webauthn:';

/** The relying party of an issuer. */
export interface RelyingParty {
  readonly id: string;
  readonly origin: string;
  readonly name: string;
}

/** The relying party of `issuer` (RP ID: its host name, without port). */
export function relyingPartyOf(issuer: string): RelyingParty {
  const url = new URL(issuer);
  return { id: url.hostname, origin: url.origin, name: 'Keyward' };
}

/** Options to create a passkey for `user` (excluding the passkeys it already has). */
export async function createRegistrationOptions(store: Store, rp: RelyingParty, user: UserRecord): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const existing = await store.users.listPasskeys(user.sub);
  return generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.username,
    // The user handle is the random sub: no personal data in the authenticator (§14.6.1).
    userID: new TextEncoder().encode(user.sub),
    userDisplayName: user.name ?? user.username,
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: [...p.transports] })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    timeout: CHALLENGE_SECONDS * 1000,
  });
}

/** Options to sign in with any passkey of this relying party (no username asked). */
export async function createAuthenticationOptions(rp: RelyingParty): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({ rpID: rp.id, userVerification: 'required', timeout: CHALLENGE_SECONDS * 1000 });
}

/** Why a passkey ceremony failed (for the audit log; the page says less). */
export type PasskeyFailure = 'challenge_invalid' | 'passkey_unknown' | 'verification_failed' | 'already_registered';

async function useChallenge(store: Store, challenge: string | undefined, nowSeconds: number): Promise<string | undefined> {
  if (challenge === undefined) return undefined;
  return (await store.replay.reserve(CHALLENGE_NAMESPACE, challenge, nowSeconds + CHALLENGE_SECONDS)) ? challenge : undefined;
}

/**
 * Verifies a registration response of `user` against the cookie's `challenge` and stores the
 * passkey. Returns the passkey, or the failure.
 */
export async function registerPasskey(store: Store, rp: RelyingParty, user: UserRecord, response: RegistrationResponseJSON, challenge: string | undefined, now: Date): Promise<PasskeyRecord | PasskeyFailure> {
  const expected = await useChallenge(store, challenge, Math.floor(now.getTime() / 1000));
  if (expected === undefined) return 'challenge_invalid';
  let result;
  try {
    result = await verifyRegistrationResponse({ response, expectedChallenge: expected, expectedOrigin: rp.origin, expectedRPID: rp.id, requireUserVerification: true });
  } catch {
    return 'verification_failed';
  }
  if (!result.verified) return 'verification_failed';
  const { credential } = result.registrationInfo;
  const passkey: PasskeyRecord = {
    credentialId: credential.id,
    sub: user.sub,
    publicKey: Buffer.from(credential.publicKey).toString('base64url'),
    counter: credential.counter,
    transports: [...(credential.transports ?? [])],
    createdAt: now,
  };
  try {
    await store.users.addPasskey(passkey);
  } catch (error) {
    if (isStoreError(error, 'conflict')) return 'already_registered';
    throw error;
  }
  return passkey;
}

/**
 * Verifies a sign-in response against the cookie's `challenge` and the stored passkey it names;
 * records the new counter. Returns the passkey's user (any status: the caller checks it), or the
 * failure.
 */
export async function verifyPasskeySignIn(store: Store, rp: RelyingParty, response: AuthenticationResponseJSON, challenge: string | undefined, now: Date): Promise<{ user: UserRecord; passkey: PasskeyRecord } | PasskeyFailure> {
  const expected = await useChallenge(store, challenge, Math.floor(now.getTime() / 1000));
  if (expected === undefined) return 'challenge_invalid';
  const passkey = typeof response.id === 'string' ? await store.users.findPasskey(response.id) : undefined;
  const user = passkey === undefined ? undefined : await store.users.getUser(passkey.sub);
  if (passkey === undefined || user === undefined) return 'passkey_unknown';
  let result;
  try {
    result = await verifyAuthenticationResponse({
      response, expectedChallenge: expected, expectedOrigin: rp.origin, expectedRPID: rp.id, requireUserVerification: true,
      credential: { id: passkey.credentialId, publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')), counter: passkey.counter, transports: [...passkey.transports] },
    });
  } catch {
    return 'verification_failed';
  }
  if (!result.verified) return 'verification_failed';
  // §6.1.1: a counter that does not grow (when the authenticator keeps one) is refused above.
  await store.users.recordPasskeyUse(passkey.credentialId, result.authenticationInfo.newCounter, now);
  return { user, passkey };
}
