/**
 * Key pair generation: RSA 2048/3072/4096, EC P-256/P-384/P-521, Ed25519 (node:crypto).
 */
import { generateKeyPair as generate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { KeyError } from '../errors.ts';

const generateAsync = promisify(generate);

export type KeyPairType = 'rsa' | 'ec' | 'ed25519';

export interface GenerateKeyPairOptions {
  readonly type: KeyPairType;
  /** RSA only: 2048 (default), 3072 or 4096. */
  readonly bits?: number;
  /** EC only: P-256 (default), P-384 or P-521. */
  readonly curve?: string;
}

/** Generates a key pair that passes the key policy. */
export async function generateKeyPair(options: GenerateKeyPairOptions): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  switch (options.type) {
    case 'rsa': {
      const bits = options.bits ?? 2048;
      if (![2048, 3072, 4096].includes(bits)) {
        throw new KeyError('key_too_small', `RSA keys are generated with 2048, 3072 or 4096 bits, not ${bits}: pick one of those (2048 is the usual choice)`);
      }
      return generateAsync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
    }
    case 'ec': {
      const curve = options.curve ?? 'P-256';
      if (!['P-256', 'P-384', 'P-521'].includes(curve)) {
        throw new KeyError('key_curve_unsupported', `the curve ${curve} is not supported: use P-256, P-384 or P-521`);
      }
      return generateAsync('ec', { namedCurve: curve });
    }
    case 'ed25519':
      return generateAsync('ed25519');
    default:
      throw new KeyError('key_type_unsupported', `unknown key type ${JSON.stringify((options as { type?: unknown }).type)}: use rsa, ec or ed25519`);
  }
}
