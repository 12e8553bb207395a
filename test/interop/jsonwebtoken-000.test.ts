// Interop: the Node.js snippet of source document 000 (jsonwebtoken, RS256, { clientcode, iat, exp })
// run as a real program against keys made by the openssl commands of the same document; its tokens
// verify in Keyward's direct mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseDirectToken, verifyDirectToken } from '../../packages/core/src/assertion/index.ts';
import { extractGeneratedJwt, generateOpensslKey, KEY_VARIANTS, makeTempDir, nowSeconds, PASSPHRASE, registerPublicKeyFile } from './helpers.ts';

// Source document 000, "Node.js Implementation", verbatim except the client ID.
const SNIPPET = `const jwt = require('jsonwebtoken');
const fs = require('fs');

// For unencrypted private key
const privateKey = fs.readFileSync('private_key.pem');

// For encrypted private key
const privateKeyEncrypted = {
  key: fs.readFileSync('private_key.pem'),
  passphrase: process.env.PRIVATE_KEY_PASSWORD
};

function generateJWT(clientId) {
  const payload = {
    clientcode: clientId,
    iat: Math.floor(Date.now() / 1000),
    exp: Math.floor(Date.now() / 1000) + 3600 // Optional: 1 hour expiration
  };

  return jwt.sign(payload, privateKey, { algorithm: 'RS256' });
}

// Usage
const token = generateJWT('client_12345');
console.log('Generated JWT:', token);
`;

// The snippet defines privateKeyEncrypted but signs with privateKey, so with an encrypted key it
// cannot work as written; the one-word fix the document implies is to sign with privateKeyEncrypted.
const SNIPPET_ENCRYPTED = SNIPPET.replace("jwt.sign(payload, privateKey, { algorithm: 'RS256' })", "jwt.sign(payload, privateKeyEncrypted, { algorithm: 'RS256' })");

const NODE_PATH = resolve('node_modules');

function runSnippet(dir: string, source: string) {
  writeFileSync(join(dir, 'generate-jwt.cjs'), source);
  return spawnSync(process.execPath, ['generate-jwt.cjs'], {
    cwd: dir, encoding: 'utf8', timeout: 30_000,
    env: { ...process.env, NODE_PATH, PRIVATE_KEY_PASSWORD: PASSPHRASE },
  });
}

for (const variant of KEY_VARIANTS) {
  test(`source 000 Node snippet (jsonwebtoken) with an openssl genrsa ${variant} key: the token verifies in direct mode`, () => {
    const { dir, cleanup } = makeTempDir('jsonwebtoken');
    try {
      generateOpensslKey(dir, variant);
      const key = registerPublicKeyFile(join(dir, 'public_key.pem'));
      const result = runSnippet(dir, variant === 'plain' ? SNIPPET : SNIPPET_ENCRYPTED);
      assert.equal(result.status, 0, result.stderr);
      const token = extractGeneratedJwt(result.stdout);
      const parsed = parseDirectToken(token);
      assert.deepEqual(parsed.header, { alg: 'RS256', typ: 'JWT' });
      const verified = verifyDirectToken(parsed, { keys: [key], now: nowSeconds() });
      assert.equal(verified.clientId, 'client_12345');
      assert.equal(verified.alg, 'RS256');
      assert.equal((verified.claims.exp as number) - (verified.claims.iat as number), 3600);
      // Tampering with the clientcode breaks it.
      const forged = token.split('.');
      forged[1] = Buffer.from(JSON.stringify({ ...verified.claims, clientcode: 'client_99999' })).toString('base64url');
      assert.throws(() => verifyDirectToken(parseDirectToken(forged.join('.')), { keys: [key], now: nowSeconds() }), { reason: 'signature_invalid' });
    } finally {
      cleanup();
    }
  });
}

test('source 000 Node snippet as written with an encrypted key fails on the client side (it signs with privateKey)', () => {
  const { dir, cleanup } = makeTempDir('jsonwebtoken');
  try {
    generateOpensslKey(dir, 'des3');
    const result = runSnippet(dir, SNIPPET);
    assert.notEqual(result.status, 0, 'jsonwebtoken cannot use an encrypted PEM without its passphrase');
  } finally {
    cleanup();
  }
});
