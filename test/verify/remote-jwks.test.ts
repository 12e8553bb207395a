// Reading the issuer's JWKS (RFC 7517 §5): unusable entries are skipped, never fatal, never trusted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { OAuthError } from '../../packages/core/src/errors.ts';
import { readJwksKeys } from '../../packages/verify/src/key-sources/remote-jwks.ts';
import { pair, publicJwk } from './fixtures.ts';

test('RFC 7517 §5: keys for encryption, symmetric, private or too small keys are skipped; the good ones stay', async () => {
  const good = await publicJwk(pair('jwks-good', 'p256').publicKey, 'good', 'ES256');
  const small = { ...(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' })), kid: 'small' };
  const privateJwk = { ...(pair('jwks-priv', 'p256').privateKey.export({ format: 'jwk' })), kid: 'private' };
  const keys = readJwksKeys({
    keys: [
      { ...good, kid: 'enc', use: 'enc' },
      { kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' },
      privateJwk,
      small,
      'not an object',
      good,
    ],
  });
  assert.deepEqual(keys.map((k) => k.kid), ['good']);
});

test('a document that is not a JWKS is refused as store_unavailable (503, retry), not as a bad token', () => {
  for (const document of [null, {}, { keys: 'x' }, []]) {
    assert.throws(() => readJwksKeys(document), (error: unknown) => error instanceof OAuthError && error.reason === 'store_unavailable');
  }
});
