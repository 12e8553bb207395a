import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

// The package's public entry points resolve by name (self-reference through "exports"), as a user's
// `import ... from 'keyward/verify'` would.
test('package exports: keyward, keyward/core, keyward/client and keyward/verify resolve and export their main functions', async () => {
  const root = await import('keyward');
  const core = await import('keyward/core');
  const client = await import('keyward/client');
  const verify = await import('keyward/verify');
  for (const mod of [root, core]) {
    for (const name of ['importPublicKey', 'importPrivateKey', 'verifyClientAssertion', 'signClientAssertion', 'verifyDirectToken', 'OAuthError']) {
      assert.equal(typeof (mod as Record<string, unknown>)[name], 'function', name);
    }
  }
  assert.equal(typeof client.createTokenClient, 'function');
  assert.equal(typeof client.signClientAssertion, 'function');
  assert.equal(typeof verify.createVerifier, 'function');
});

test('the keyward bin answers --help', () => {
  const out = execFileSync(process.execPath, ['bin/keyward.mjs', '--help'], { encoding: 'utf8' });
  assert.match(out, /Usage: keyward/);
});
