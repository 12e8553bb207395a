// Interop: the hand-made openssl + shell assertion of source document 002, run in bash exactly as
// written. It pipes through `openssl base64 -e`, which wraps every 64 characters, so its assertion
// carries line breaks inside the payload and signature parts: Keyward refuses it with
// 'assertion_line_breaks' naming the fix. The corrected recipe (`openssl base64 -A`, or
// `| tr -d '\n'`) verifies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseClientAssertion, verifyClientAssertion } from '../../packages/core/src/assertion/index.ts';
import { OAuthError } from '../../packages/core/src/errors.ts';
import { importPublicKey, toRegisteredKey } from '../../packages/core/src/keys/index.ts';
import { makeTempDir, nowSeconds, run } from './helpers.ts';

const CLIENT_ID = 'wso2-client-7f3a';
const TOKEN_ENDPOINT = 'https://localhost:9443/oauth2/token';
const ISSUER = 'https://localhost:9443/oauth2';

// Step 2, as written (plus -subj so `openssl req` does not prompt).
const STEP_2 = `openssl genpkey -algorithm RSA -out private_key.pem -pkeyopt rsa_keygen_bits:2048
openssl req -new -x509 -key private_key.pem -out certificate.pem -days 365 -subj "/CN=${CLIENT_ID}"
`;

// Steps 4 and 5, verbatim except YOUR_CLIENT_ID and the token endpoint URL.
const STEPS_4_5 = `cat <<EOF > payload.json
{
"iss": "${CLIENT_ID}",
"sub": "${CLIENT_ID}",
"aud": "${TOKEN_ENDPOINT}",
"exp": $(($(date +%s) + 300)),
"iat": $(date +%s),
"jti": "$(uuidgen)"
}
EOF
echo -n '{"alg":"RS256","typ":"JWT"}' | openssl base64 -e | tr -d '=' | tr '/+' '_-' > header_base64.txt
openssl base64 -in payload.json -e | tr -d '=' | tr '/+' '_-' > payload_base64.txt
# Combine header and payload
echo -n "$(cat header_base64.txt).$(cat payload_base64.txt)" > signing_input.txt

# Create the signature
openssl dgst -sha256 -sign private_key.pem -out signature.bin signing_input.txt

# Base64 encode the signature and make it URL safe
openssl base64 -in signature.bin -e | tr -d '=' | tr '/+' '_-' > signature_base64.txt

# Combine header, payload, and signature to create the JWT
echo -n "$(cat header_base64.txt).$(cat payload_base64.txt).$(cat signature_base64.txt)" > jwt_assertion.txt
`;

// The documented corrections: -A (one line) on every `openssl base64`, or strip newlines with tr.
const FIXED_WITH_A = STEPS_4_5.replaceAll('openssl base64 -e', 'openssl base64 -A -e').replaceAll('openssl base64 -in', 'openssl base64 -A -in');
const FIXED_WITH_TR = STEPS_4_5.replaceAll("| tr -d '=' |", "| tr -d '=\\n' |");

function runRecipe(script: string): { token: string; certificate: string } {
  const { dir, cleanup } = makeTempDir('openssl-002');
  try {
    // uuidgen (util-linux) is not on every machine; provide the same output from the kernel.
    writeFileSync(join(dir, 'uuidgen'), '#!/bin/sh\ncat /proc/sys/kernel/random/uuid\n');
    chmodSync(join(dir, 'uuidgen'), 0o755);
    run('bash', ['-e', '-c', STEP_2 + script], { cwd: dir, env: { PATH: `${dir}:${process.env.PATH ?? ''}` } });
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
