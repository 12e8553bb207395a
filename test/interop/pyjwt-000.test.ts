// Interop: the Python snippet of source document 000 (PyJWT + cryptography, RS256) run by
// /usr/bin/python3 against openssl keys; its tokens verify in Keyward's direct mode.
// Needs Debian's python3-jwt and python3-cryptography. Without them the test is skipped, or FAILS
// when KEYWARD_TEST_REQUIRE_SERVICES=1 (CI).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseDirectToken, verifyDirectToken } from '../../packages/core/src/assertion/index.ts';
import { extractGeneratedJwt, generateOpensslKey, hasPyJwt, KEY_VARIANTS, makeTempDir, nowSeconds, PASSPHRASE, PYJWT_000_FUNCTIONS, registerPublicKeyFile } from './helpers.ts';

// Source document 000, "Python Implementation", verbatim except the client ID.
const SNIPPET = `${PYJWT_000_FUNCTIONS}
# Usage
private_key = load_private_key('private_key.pem')
token = generate_jwt('client_12345', private_key)
print(f'Generated JWT: {token}')
`;

// For encrypted keys the usage line passes the password, from the same environment variable as the
// Node snippet (load_private_key already takes it).
const SNIPPET_ENCRYPTED = `import os\n${SNIPPET.replace("load_private_key('private_key.pem')", "load_private_key('private_key.pem', os.environ['PRIVATE_KEY_PASSWORD'])")}`;

const available = hasPyJwt();
const required = process.env.KEYWARD_TEST_REQUIRE_SERVICES === '1';
const skip = !available && !required ? 'PyJWT is not importable by /usr/bin/python3 (apt-get install python3-jwt python3-cryptography)' : false;

for (const variant of KEY_VARIANTS) {
  test(`source 000 Python snippet (PyJWT) with an openssl genrsa ${variant} key: the token verifies in direct mode`, { skip }, () => {
    assert.ok(available, 'KEYWARD_TEST_REQUIRE_SERVICES=1 but /usr/bin/python3 cannot `import jwt`: install python3-jwt and python3-cryptography');
    const { dir, cleanup } = makeTempDir('pyjwt');
    try {
      generateOpensslKey(dir, variant);
      const key = registerPublicKeyFile(join(dir, 'public_key.pem'));
      writeFileSync(join(dir, 'generate_jwt.py'), variant === 'plain' ? SNIPPET : SNIPPET_ENCRYPTED);
      const result = spawnSync('/usr/bin/python3', ['generate_jwt.py'], {
        cwd: dir, encoding: 'utf8', timeout: 30_000, env: { ...process.env, PRIVATE_KEY_PASSWORD: PASSPHRASE },
      });
      assert.equal(result.status, 0, result.stderr);
      const token = extractGeneratedJwt(result.stdout);
      const parsed = parseDirectToken(token);
      assert.equal(parsed.header.alg, 'RS256');
      const verified = verifyDirectToken(parsed, { keys: [key], now: nowSeconds() });
      assert.equal(verified.clientId, 'client_12345');
      assert.equal(verified.key.thumbprint, key.thumbprint);
    } finally {
      cleanup();
    }
  });
}
