// Conformance: verifyJwsSignature (the single crypto.verify path) and verifyWithRegisteredKeys (the key choice production uses).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, createPublicKey, sign } from 'node:crypto';
import { isWellFormedSignature, parseCompactJws, verifyJwsSignature, verifyWithRegisteredKeys } from '../../packages/core/src/jws/index.ts';
import { ASYMMETRIC_ALGS, type JwsAlgorithm } from '../../packages/core/src/keys/types.ts';
import { b64u, expectReason, handSign, joseSign, keyPair, kindFor, registeredKey } from './fixtures.ts';

const claims = { iss: 'c1', sub: 'c1', aud: 'https://as.example', jti: 'j', exp: 2000000000 };
const ALL = { allowedAlgs: ASYMMETRIC_ALGS };

test('RFC 7518 §3.1 + RFC 8037 §3.1: every asymmetric algorithm (RFC 9864 §2.2 Ed25519 too) verifies a jose-signed JWT, and fails tampered', async () => {
  for (const alg of ASYMMETRIC_ALGS) {
    const { privateKey, publicKey } = keyPair(kindFor(alg));
    const token = await joseSign({ alg }, claims, privateKey);
    const parsed = parseCompactJws(token);
    assert.equal(verifyJwsSignature(parsed, publicKey, alg), true, alg);
    const sig = Buffer.from(parsed.signature);
    sig[sig.length - 1] = sig[sig.length - 1]! ^ 0x01;
    assert.equal(verifyJwsSignature({ ...parsed, signature: sig }, publicKey, alg), false, `${alg} tampered`);
  }
});

test('RFC 7518 §3.5: PS* uses salt length = hash length (a max-salt PSS signature is refused)', () => {
  const { privateKey, publicKey } = keyPair('rsa');
  const input = `${b64u('{"alg":"PS256"}')}.${b64u(JSON.stringify(claims))}`;
  const maxSalt = sign('sha256', Buffer.from(input), { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_MAX_SIGN });
  const parsed = parseCompactJws(`${input}.${b64u(maxSalt)}`);
  assert.equal(verifyJwsSignature(parsed, publicKey, 'PS256'), false);
  const rightSalt = sign('sha256', Buffer.from(input), { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
  assert.equal(verifyJwsSignature(parseCompactJws(`${input}.${b64u(rightSalt)}`), publicKey, 'PS256'), true);
});

test('RFC 7518 §3.3 vs §3.5: a PS256 signature is not an RS256 signature and vice versa', () => {
  const { privateKey, publicKey } = keyPair('rsa');
  const ps = parseCompactJws(handSign({ alg: 'PS256' }, claims, privateKey, 'PS256'));
  assert.equal(verifyJwsSignature(ps, publicKey, 'RS256'), false);
  const rs = parseCompactJws(handSign({ alg: 'RS256' }, claims, privateKey, 'RS256'));
  assert.equal(verifyJwsSignature(rs, publicKey, 'PS256'), false);
});

test('RFC 7518 §3.4: ECDSA signatures are R || S of exact length; DER, short, long, r = 0 or s = 0 are false', () => {
  const { privateKey, publicKey } = keyPair('p256');
  const token = handSign({ alg: 'ES256' }, claims, privateKey, 'ES256');
  const parsed = parseCompactJws(token);
  assert.equal(verifyJwsSignature(parsed, publicKey, 'ES256'), true);
  const der = sign('sha256', parsed.signingInput, { key: privateKey, dsaEncoding: 'der' });
  assert.equal(verifyJwsSignature({ ...parsed, signature: der }, publicKey, 'ES256'), false);
  assert.equal(verifyJwsSignature({ ...parsed, signature: parsed.signature.subarray(0, 63) }, publicKey, 'ES256'), false);
  assert.equal(verifyJwsSignature({ ...parsed, signature: Buffer.concat([parsed.signature, Buffer.alloc(1)]) }, publicKey, 'ES256'), false);
  assert.equal(verifyJwsSignature({ ...parsed, signature: Buffer.alloc(64) }, publicKey, 'ES256'), false);
  const zeroR = Buffer.concat([Buffer.alloc(32), parsed.signature.subarray(32)]);
  const zeroS = Buffer.concat([parsed.signature.subarray(0, 32), Buffer.alloc(32)]);
  assert.equal(verifyJwsSignature({ ...parsed, signature: zeroR }, publicKey, 'ES256'), false);
  assert.equal(verifyJwsSignature({ ...parsed, signature: zeroS }, publicKey, 'ES256'), false);
  assert.equal(verifyJwsSignature({ ...parsed, signature: Buffer.alloc(0) }, publicKey, 'ES256'), false);
});

test('programmer misuse throws TypeError: private key, wrong key type, unknown alg', () => {
  const rsa = keyPair('rsa');
  const ec = keyPair('p256');
  const parsed = parseCompactJws(handSign({ alg: 'RS256' }, claims, rsa.privateKey));
  assert.throws(() => verifyJwsSignature(parsed, rsa.privateKey, 'RS256'), TypeError);
  assert.throws(() => verifyJwsSignature(parsed, ec.publicKey, 'RS256'), TypeError);
  assert.throws(() => verifyJwsSignature(parsed, rsa.publicKey, 'ES256'), TypeError);
  assert.throws(() => verifyJwsSignature(parsed, keyPair('p384').publicKey, 'ES256'), TypeError);
  assert.throws(() => verifyJwsSignature(parsed, rsa.publicKey, 'HS256' as JwsAlgorithm), TypeError);
  assert.throws(() => verifyJwsSignature(parsed, rsa.publicKey, 'none' as JwsAlgorithm), TypeError);
});

test('RFC 8725 §3.1: alg none, HS256, unknown algs and algs outside the allow-list are alg_not_allowed', async () => {
  const { privateKey, publicKey } = keyPair('rsa');
  const keys = [await registeredKey(publicKey)];
  for (const alg of ['none', 'HS256', 'HS512', 'RS1', 'ES256K', 'rs256']) {
    expectReason(() => verifyWithRegisteredKeys(parseCompactJws(handSign({ alg }, claims, privateKey)), keys, ALL), 'alg_not_allowed');
  }
  const ps = parseCompactJws(handSign({ alg: 'PS256' }, claims, privateKey, 'PS256'));
  assert.equal(verifyWithRegisteredKeys(ps, keys, ALL).alg, 'PS256');
  expectReason(() => verifyWithRegisteredKeys(ps, keys, { allowedAlgs: ['RS256'] }), 'alg_not_allowed');
});

test('per-client alg pin: only the pinned algorithm is accepted', async () => {
  const { privateKey, publicKey } = keyPair('rsa');
  const keys = [await registeredKey(publicKey)];
  const rs = parseCompactJws(handSign({ alg: 'RS256' }, claims, privateKey));
  const e = expectReason(() => verifyWithRegisteredKeys(rs, keys, { ...ALL, algPin: 'PS256' }), 'alg_not_allowed');
  assert.match(e.detail ?? '', /pinned to PS256/);
  const ps = parseCompactJws(handSign({ alg: 'PS256' }, claims, privateKey, 'PS256'));
  assert.equal(verifyWithRegisteredKeys(ps, keys, { ...ALL, algPin: 'PS256' }).alg, 'PS256');
});

test('RFC 7515 §4.1.4: kid picks among registered keys only (by kid or thumbprint); unknown kid is kid_unknown', async () => {
  const a = keyPair('rsa');
  const b = keyPair('rsa2');
  const keys = [await registeredKey(a.publicKey, { kid: 'key-a' }), await registeredKey(b.publicKey, { kid: 'key-b' })];
  const byKid = parseCompactJws(handSign({ alg: 'RS256', kid: 'key-b' }, claims, b.privateKey));
  assert.equal(verifyWithRegisteredKeys(byKid, keys, ALL).key.kid, 'key-b');
  const byThumbprint = parseCompactJws(handSign({ alg: 'RS256', kid: keys[0]!.thumbprint }, claims, a.privateKey));
  assert.equal(verifyWithRegisteredKeys(byThumbprint, keys, ALL).key.kid, 'key-a');
  expectReason(() => verifyWithRegisteredKeys(parseCompactJws(handSign({ alg: 'RS256', kid: 'key-c' }, claims, a.privateKey)), keys, ALL), 'kid_unknown');
  // A kid naming key-a with a signature by key-b is a bad signature, not a fallback to key-b.
  const wrong = parseCompactJws(handSign({ alg: 'RS256', kid: 'key-a' }, claims, b.privateKey));
  expectReason(() => verifyWithRegisteredKeys(wrong, keys, ALL), 'signature_invalid');
});

test('no kid: one fitting key is used; several fitting keys are each tried (key rotation)', async () => {
  const a = keyPair('rsa');
  const b = keyPair('rsa2');
  const ec = keyPair('p256');
  const keys = [await registeredKey(a.publicKey, { kid: 'key-a' }), await registeredKey(ec.publicKey, { kid: 'key-ec' })];
  assert.equal(verifyWithRegisteredKeys(parseCompactJws(handSign({ alg: 'ES256' }, claims, ec.privateKey, 'ES256')), keys, ALL).key.kid, 'key-ec');
  const both = [...keys, await registeredKey(b.publicKey, { kid: 'key-b' })];
  const signedByB = parseCompactJws(handSign({ alg: 'RS256' }, claims, b.privateKey));
  assert.equal(verifyWithRegisteredKeys(signedByB, both, ALL).key.kid, 'key-b');
  assert.equal(verifyWithRegisteredKeys(signedByB, both, ALL).key.kid, 'key-b');
  const forged = parseCompactJws(handSign({ alg: 'RS256' }, claims, keyPair('p384').privateKey, 'ES384').replace(/\.[^.]*$/, `.${b64u(Buffer.alloc(256, 1))}`));
  expectReason(() => verifyWithRegisteredKeys(forged, both, ALL), 'signature_invalid');
});

test('RFC 7518 §3.1 + RFC 8725 §3.1: the alg must fit the key type and the key\'s own alg → else alg_key_mismatch; no keys → no_keys', async () => {
  const rsa = keyPair('rsa');
  const ec = keyPair('p256');
  const rsaKeys = [await registeredKey(rsa.publicKey, { kid: 'r' })];
  expectReason(() => verifyWithRegisteredKeys(parseCompactJws(handSign({ alg: 'ES256', kid: 'r' }, claims, ec.privateKey, 'ES256')), rsaKeys, ALL), 'alg_key_mismatch');
  expectReason(() => verifyWithRegisteredKeys(parseCompactJws(handSign({ alg: 'ES256' }, claims, ec.privateKey, 'ES256')), rsaKeys, ALL), 'alg_key_mismatch');
  const pinned = [await registeredKey(rsa.publicKey, { kid: 'r', alg: 'PS256' })];
  const e = expectReason(() => verifyWithRegisteredKeys(parseCompactJws(handSign({ alg: 'RS256' }, claims, rsa.privateKey)), pinned, ALL), 'alg_key_mismatch');
  assert.match(e.detail ?? '', /pinned to PS256/);
  const p384 = [await registeredKey(keyPair('p384').publicKey)];
  expectReason(() => verifyWithRegisteredKeys(parseCompactJws(handSign({ alg: 'ES256' }, claims, ec.privateKey, 'ES256')), p384, ALL), 'alg_key_mismatch');
  expectReason(() => verifyWithRegisteredKeys(parseCompactJws(handSign({ alg: 'RS256' }, claims, rsa.privateKey)), [], ALL), 'no_keys');
  assert.ok(createPublicKey(rsa.privateKey));
  // RFC 9864 §2.2: "Ed25519" names EdDSA over Ed25519 only; on an EC key it does not fit.
  const ed = keyPair('ed25519');
  const edToken = parseCompactJws(await joseSign({ alg: 'Ed25519' }, claims, ed.privateKey));
  assert.equal(verifyWithRegisteredKeys(edToken, [await registeredKey(ed.publicKey)], ALL).alg, 'Ed25519');
  const ecKeys = [await registeredKey(ec.publicKey)];
  expectReason(() => verifyWithRegisteredKeys(edToken, ecKeys, ALL), 'alg_key_mismatch');
});

test('RFC 7518 §3.4 + CVE-2022-21449: the shape check itself refuses r = 0, s = 0, wrong lengths and DER before any crypto', () => {
  const { privateKey } = keyPair('p256');
  const good = sign('sha256', Buffer.from('x'), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  assert.equal(isWellFormedSignature(good, 'ES256'), true);
  assert.equal(isWellFormedSignature(Buffer.alloc(64), 'ES256'), false);
  assert.equal(isWellFormedSignature(Buffer.concat([Buffer.alloc(32), good.subarray(32)]), 'ES256'), false);
  assert.equal(isWellFormedSignature(Buffer.concat([good.subarray(0, 32), Buffer.alloc(32)]), 'ES256'), false);
  assert.equal(isWellFormedSignature(good, 'ES384'), false);
  assert.equal(isWellFormedSignature(sign('sha256', Buffer.from('x'), { key: privateKey, dsaEncoding: 'der' }), 'ES256'), false);
  assert.equal(isWellFormedSignature(Buffer.alloc(132, 1), 'ES512'), true);
  assert.equal(isWellFormedSignature(Buffer.alloc(63, 1), 'EdDSA'), false);
  assert.equal(isWellFormedSignature(Buffer.alloc(0), 'RS256'), false);
  assert.equal(isWellFormedSignature(Buffer.alloc(256, 1), 'RS256'), true);
});

test('one registered key (the fast path of verifyWithRegisteredKeys) keeps every rule of the general path', async () => {
  const rsa = keyPair('rsa');
  const other = keyPair('rsa2');
  const ec = keyPair('p256');
  const key = await registeredKey(rsa.publicKey, { kid: 'only' });
  // Accepted: kid, thumbprint as kid, or no kid; the key and algorithm come back.
  for (const header of [{ alg: 'RS256', kid: 'only' }, { alg: 'RS256', kid: key.thumbprint }, { alg: 'RS256' }]) {
    const selected = verifyWithRegisteredKeys(parseCompactJws(handSign(header, claims, rsa.privateKey)), [key], ALL);
    assert.equal(selected.key, key);
    assert.equal(selected.alg, 'RS256');
  }
  // The same key object with PS256 after RS256: parameters are per (key, alg), never mixed up.
  assert.equal(verifyWithRegisteredKeys(parseCompactJws(handSign({ alg: 'PS256' }, claims, rsa.privateKey, 'PS256')), [key], ALL).alg, 'PS256');
  const psAsRs = handSign({ alg: 'PS256' }, claims, rsa.privateKey, 'PS256').replace(/^[^.]*/, b64u('{"alg":"RS256"}'));
  expectReason(() => verifyWithRegisteredKeys(parseCompactJws(psAsRs), [key], ALL), 'signature_invalid');
  // Refused exactly as with several keys.
  expectReason(() => verifyWithRegisteredKeys(parseCompactJws(handSign({ alg: 'RS256', kid: 'other' }, claims, rsa.privateKey)), [key], ALL), 'kid_unknown');
  expectReason(() => verifyWithRegisteredKeys(parseCompactJws(handSign({ alg: 'RS256' }, claims, other.privateKey)), [key], ALL), 'signature_invalid');
  expectReason(() => verifyWithRegisteredKeys(parseCompactJws(handSign({ alg: 'ES256' }, claims, ec.privateKey, 'ES256')), [key], ALL), 'alg_key_mismatch');
  expectReason(() => verifyWithRegisteredKeys(parseCompactJws(handSign({ alg: 'RS256' }, claims, rsa.privateKey)), [key], { allowedAlgs: ['PS256'] }), 'alg_not_allowed');
  expectReason(() => verifyWithRegisteredKeys(parseCompactJws(handSign({ alg: 'RS256' }, claims, rsa.privateKey)), [key], { allowedAlgs: ASYMMETRIC_ALGS, algPin: 'PS256' }), 'alg_not_allowed');
  expectReason(() => verifyWithRegisteredKeys(parseCompactJws(`${b64u('{"alg":"none"}')}.${b64u(JSON.stringify(claims))}.`), [key], ALL), 'alg_not_allowed');
  expectReason(() => verifyWithRegisteredKeys(parseCompactJws(handSign({ alg: 'HS256' }, claims, rsa.privateKey)), [key], { allowedAlgs: ['HS256' as JwsAlgorithm] }), 'alg_not_allowed');
  const pinnedKey = await registeredKey(rsa.publicKey, { kid: 'only', alg: 'PS256' });
  expectReason(() => verifyWithRegisteredKeys(parseCompactJws(handSign({ alg: 'RS256' }, claims, rsa.privateKey)), [pinnedKey], ALL), 'alg_key_mismatch');
  // A revoked key still verifies here (the lifecycle is the caller's rule, after the signature).
  assert.ok(verifyWithRegisteredKeys(parseCompactJws(handSign({ alg: 'RS256' }, claims, rsa.privateKey)), [{ ...key, state: 'revoked' }], ALL));
});
