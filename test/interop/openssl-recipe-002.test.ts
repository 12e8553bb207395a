// Interop: the hand-made openssl + shell assertion of source document 002, run in bash exactly as
// written. It pipes through `openssl base64 -e`, which wraps every 64 characters, so its assertion
// carries line breaks inside the payload and signature parts: Keyward refuses it with
// 'assertion_line_breaks' naming the fix. The corrected recipe (`openssl base64 -A`, or
// `| tr -d '\n'`) verifies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseClientAssertion, verifyClientAssertion } from '../../packages/core/src/assertion/index.ts';
import { OAuthError } from '../../packages/core/src/errors.ts';
import { importPublicKey, toRegisteredKey } from '../../packages/core/src/keys/index.ts';
import { FIXED_WITH_A, FIXED_WITH_TR, STEP_2, STEPS_4_5, makeTempDir, nowSeconds, runSeed002 } from './helpers.ts';

const CLIENT_ID = 'wso2-client-7f3a';
const TOKEN_ENDPOINT = 'https://localhost:9443/oauth2/token';
const ISSUER = 'https://localhost:9443/oauth2';

function runRecipe(script: string): { token: string; certificate: string } {
  const { dir, cleanup } = makeTempDir('openssl-002');
  try {
    runSeed002(dir, STEP_2 + script, { clientId: CLIENT_ID, audience: TOKEN_ENDPOINT });
    return { token: readFileSync(join(dir, 'jwt_assertion.txt'), 'utf8'), certificate: readFileSync(join(dir, 'certificate.pem'), 'utf8') };
  } finally {
    cleanup();
  }
}

function verify(token: string, certificate: string) {
  // Step 3: the certificate is what gets registered.
  const key = toRegisteredKey(importPublicKey(certificate));
  return verifyClientAssertion(parseClientAssertion(token), {
    keys: [key], issuer: ISSUER, tokenEndpoint: TOKEN_ENDPOINT, now: nowSeconds(),
    policy: { audience: 'legacy' }, // the recipe uses the token endpoint URL as aud
  });
}

test('source 002 openssl recipe as written: refused as assertion_line_breaks, naming the line breaks and the fix', () => {
  const { token } = runRecipe(STEPS_4_5);
  assert.match(token, /\n/, 'the recipe really produces line breaks (openssl base64 -e wraps at 64)');
  assert.throws(() => parseClientAssertion(token), (error: unknown) => {
    assert.ok(error instanceof OAuthError);
    assert.equal(error.reason, 'assertion_line_breaks');
    assert.equal(error.error, 'invalid_client');
    assert.match(error.detail ?? '', /line breaks/);
    assert.match(error.detail ?? '', /openssl base64 -A/);
    assert.match(error.detail ?? '', /tr -d '\\n'/);
    assert.match(error.description, /line breaks/);
    return true;
  });
});

test('source 002 openssl recipe corrected with `openssl base64 -A`: verifies (legacy audience = token endpoint)', () => {
  const { token, certificate } = runRecipe(FIXED_WITH_A);
  assert.doesNotMatch(token, /\s/);
  const verified = verify(token, certificate);
  assert.equal(verified.clientId, CLIENT_ID);
  assert.equal(verified.alg, 'RS256');
  assert.equal(verified.legacyAudience, true);
  assert.match(verified.jti, /^[0-9a-f-]{36}$/);
  // The certificate's validity dates came along with the key.
  assert.ok(verified.key.notAfter instanceof Date);
});

test("source 002 openssl recipe corrected with `tr -d '\\n'`: verifies", () => {
  const { token, certificate } = runRecipe(FIXED_WITH_TR);
  assert.doesNotMatch(token, /\s/);
  assert.equal(verify(token, certificate).clientId, CLIENT_ID);
});
