/**
 * Types of `keyward doctor`: one {@link Check} per verifier rule or file/server diagnosis.
 */
import type { KeyObject } from 'node:crypto';
import type { PublicKeyInfo } from '@keyward/core';

/** pass: the rule holds; fail: the verifier refuses (or would); warn: accepted here but risky; skip: not enough input. */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

/** One diagnosis. `id` is stable (tests and scripts use it); `fix` says what to change. Never holds a token or key. */
export interface Check {
  readonly id: string;
  readonly status: CheckStatus;
  readonly title: string;
  readonly detail?: string;
  readonly fix?: string;
  /** The verifier reason code this check corresponds to, when it fails. */
  readonly reason?: string;
}

/** What the server side told us (discovery and the Date header). */
export interface ServerFacts {
  readonly issuer: string;
  readonly tokenEndpoint?: string;
  /** Server clock − local clock, seconds (from the Date header). */
  readonly clockOffset?: number;
}

/** A key file to diagnose: its raw content and what was read from it. */
export interface KeyFileFacts {
  readonly path: string;
  readonly content: string | Uint8Array;
  /** What the file was passed as. */
  readonly expected: 'public' | 'private';
}

/** Everything the doctor works from; each field optional except the token. */
export interface DoctorInput {
  readonly token: string;
  /** Direct mode (source document 000: clientcode + iat) instead of a client assertion. */
  readonly direct?: boolean;
  /** Claim holding the client id in direct mode (default clientcode). */
  readonly clientIdClaim?: string;
  readonly clientId?: string;
  /** The registered public keys (from --key or --jwks). */
  readonly registeredKeys?: readonly PublicKeyInfo[];
  /** The private key, when --private-key was read successfully. */
  readonly privateKey?: KeyObject;
  readonly server?: ServerFacts;
  /** The aud the server expects when no server was queried (--aud). */
  readonly expectedAudience?: string;
  readonly audiencePolicy?: 'strict' | 'legacy';
  /** Local clock, epoch seconds. */
  readonly now: number;
  /** Clock tolerance of the verifier (default 15 s). */
  readonly clockTolerance?: number;
}
