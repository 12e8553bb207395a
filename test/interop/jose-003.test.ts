// Interop: the jose SignJWT call of source document 003 (PS256, kid header, Curity). As written it
// passes Date.now() (MILLISECONDS) to setIssuedAt/setExpirationTime: Keyward refuses it with
// 'iat_in_milliseconds', naming milliseconds. The corrected call (seconds) verifies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, randomUUID } from 'node:crypto';
import { exportJWK, exportPKCS8, generateKeyPair, SignJWT } from 'jose';
import { parseClientAssertion, verifyClientAssertion } from '../../packages/core/src/assertion/index.ts';
import { OAuthError } from '../../packages/core/src/errors.ts';
import { importPrivateKey, importPublicKey, toRegisteredKey } from '../../packages/core/src/keys/index.ts';
import type { RegisteredKey } from '../../packages/core/src/keys/types.ts';
import { nowSeconds } from './helpers.ts';

const TOKEN_ENDPOINT = 'http://localhost:8443/oauth/v2/oauth-token';
const ISSUER = 'http://localhost:8443/oauth/v2/oauth-anonymous';
// The document uses guid-typescript's Guid; the same shape, backed by crypto.randomUUID.
const Guid = { create: () => ({ toString: () => randomUUID() }) };

// "Distribute JSON Web Keys": generate a PS256 pair, keep the private key password-protected
// (PKCS#8, AES-256-CBC, 'top secret', like the document's KEYUTIL call), publish the JWK with alg and kid.
const algorithm = 'PS256';
const keyPair = await generateKeyPair(algorithm, { extractable: true });
const pkcs8 = await exportPKCS8(keyPair.privateKey);
const keystore = createPrivateKey(pkcs8).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'top secret' }).toString();
const publicJwk: Record<string, unknown> = { ...(await exportJWK(keyPair.publicKey)) };
publicJwk.alg = algorithm;
publicJwk.kid = '1';

// The server registers the published JWK; the client reads its password-protected keystore.
const registered: RegisteredKey = toRegisteredKey(importPublicKey(JSON.stringify(publicJwk)));
const clientID = 'partner-api-client';
const keyId = '1';
const privateJwk = importPrivateKey(keystore, { passphrase: 'top secret' });

function verify(assertion: string) {
  return verifyClientAssertion(parseClientAssertion(assertion), {
    keys: [registered], issuer: ISSUER, tokenEndpoint: TOKEN_ENDPOINT, now: nowSeconds(),
    policy: { audience: 'legacy' }, // the document's client uses the token endpoint as aud
  });
}

test('source 003 jose SignJWT call as written (Date.now() in milliseconds): refused as iat_in_milliseconds', async () => {
  // Verbatim from the document.
  const assertion = await new SignJWT({sub: clientID,iss: clientID,aud: 'http://localhost:8443/oauth/v2/oauth-token',jti: Guid.create().toString(),scope: 'read',}).setProtectedHeader( {kid: keyId, alg: algorithm} ).setIssuedAt(Date.now() - 30000).setExpirationTime(Date.now() + 30000).sign(privateJwk);
  assert.throws(() => verify(assertion), (error: unknown) => {
    assert.ok(error instanceof OAuthError);
    assert.equal(error.reason, 'iat_in_milliseconds');
    assert.match(error.message, /milliseconds/);
    assert.match(error.detail ?? '', /Date\.now\(\) \/ 1000/);
    return true;
  });
});

test('source 003 jose SignJWT call corrected to seconds: PS256 with kid verifies, the registered alg pin holds', async () => {
  const now = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({sub: clientID,iss: clientID,aud: 'http://localhost:8443/oauth/v2/oauth-token',jti: Guid.create().toString(),scope: 'read',}).setProtectedHeader( {kid: keyId, alg: algorithm} ).setIssuedAt(now - 30).setExpirationTime(now + 30).sign(privateJwk);
  const verified = verify(assertion);
  assert.equal(verified.clientId, clientID);
  assert.equal(verified.alg, 'PS256');
  assert.equal(verified.key.kid, '1');
  assert.equal(verified.claims.scope, 'read');
  assert.equal(verified.legacyAudience, true);
  // The same key signing RS256 is refused: the registered JWK pins PS256.
  const rs = await new SignJWT({ sub: clientID, iss: clientID, aud: TOKEN_ENDPOINT, jti: randomUUID() }).setProtectedHeader({ kid: keyId, alg: 'RS256' }).setIssuedAt(now).setExpirationTime(now + 30).sign(privateJwk);
  assert.throws(() => verify(rs), { reason: 'alg_key_mismatch' });
});
