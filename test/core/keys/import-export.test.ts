import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, createSecretKey, generateKeyPairSync } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint } from 'jose';
import {
  importPublicKey, importPublicKeys, importPrivateKey, isEncryptedPrivateKeyPem, isPrivateKeyInput,
  calculateThumbprint, algorithmsForKey, defaultAlgorithmForKey, generateKeyPair, exportPublicPem, exportPublicJwk,
  exportJwks, exportPrivatePem, exportPrivateJwk, readCertificate, toRegisteredKey,
} from '../../../packages/core/src/keys/index.ts';
import { createSelfSignedCertificate } from '../../../packages/keyward/src/cli/lib/create-self-signed-certificate.ts';
import { KeyError } from '../../../packages/core/src/errors.ts';
import { makeOpensslKeys, PASSPHRASE, type OpensslKeys } from './fixtures.ts';

let keys: OpensslKeys;
before(() => { keys = makeOpensslKeys(); });
after(() => keys.cleanup());

function refusal(code: string, pattern: RegExp): (error: unknown) => boolean {
  return (error) => error instanceof KeyError && error.code === code && pattern.test(error.message);
}

describe('public key import', () => {
  test('PEM SPKI (openssl rsa -pubout), with a thumbprint kid and the key facts', () => {
    const info = importPublicKey(keys.read('rsa.pub.pem'));
    assert.equal(info.kty, 'RSA');
    assert.equal(info.bits, 2048);
    assert.equal(info.kid, info.thumbprint);
    assert.equal(info.jwk.kid, info.thumbprint);
    assert.equal(info.jwk.use, 'sig');
    assert.equal(info.jwk.alg, undefined, 'no algorithm is pinned unless declared');
  });

  test('PEM PKCS#1 (BEGIN RSA PUBLIC KEY) is the same key as its SPKI form', () => {
    assert.equal(importPublicKey(keys.read('rsa.pkcs1.pub.pem')).thumbprint, importPublicKey(keys.read('rsa.pub.pem')).thumbprint);
  });

  test('X.509 certificate, PEM and DER: subject, validity dates and certificate thumbprint exposed', () => {
    const pem = importPublicKey(keys.read('cert.pem'));
    const der = importPublicKey(keys.readBytes('cert.der'));
    assert.equal(pem.thumbprint, importPublicKey(keys.read('rsa.pub.pem')).thumbprint);
    assert.equal(der.thumbprint, pem.thumbprint);
    assert.match(pem.certificate?.subject ?? '', /CN=order-service/);
    assert.ok(pem.certificate!.notAfter.getTime() > Date.now() + 360 * 86_400_000);
    assert.ok(pem.certificate!.notBefore.getTime() <= Date.now());
    assert.equal(pem.certificate?.thumbprintSha256, der.certificate?.thumbprintSha256);
    const registered = toRegisteredKey(pem);
    assert.equal(registered.notAfter?.getTime(), pem.certificate?.notAfter.getTime());
    assert.equal(registered.state, 'active');
  });

  test('EC P-256 and Ed25519 PEM', () => {
    const ec = importPublicKey(keys.read('ec.pub.pem'));
    assert.equal(ec.curve, 'P-256');
    assert.deepEqual(algorithmsForKey(ec.key), ['ES256']);
    const ed = importPublicKey(keys.read('ed.pub.pem'));
    assert.equal(ed.kty, 'OKP');
    assert.deepEqual(algorithmsForKey(ed.key), ['EdDSA', 'Ed25519'], 'EdDSA and its RFC 9864 name');
  });

  test('JWK (object and JSON text) keeps its own kid and checked alg; JWKS gives every key', () => {
    const jwk = { ...exportPublicJwk(createPublicKey(keys.read('rsa.pub.pem')), { kid: 'partner-1', alg: 'PS256' }) };
    const fromObject = importPublicKey(jwk);
    assert.equal(fromObject.kid, 'partner-1');
    assert.equal(fromObject.alg, 'PS256');
    assert.equal(importPublicKey(JSON.stringify(jwk)).thumbprint, fromObject.thumbprint);
    const set = importPublicKeys({ keys: [jwk, exportPublicJwk(createPublicKey(keys.read('ec.pub.pem')))] });
    assert.equal(set.length, 2);
    assert.throws(() => importPublicKey({ keys: set.map((k) => k.jwk) }), /holds 2 keys/);
    assert.throws(() => importPublicKeys({ keys: [] }), refusal('jwks_empty', /no public key/));
  });

  test('PEM damage people make: CRLF and indentation are forgiven; missing markers and bad base64 are named', () => {
    const pem = keys.read('rsa.pub.pem');
    const messy = `\n\n   ${pem.replace(/\n/g, '\r\n   ')}\n\n`;
    assert.equal(importPublicKey(messy).thumbprint, importPublicKey(pem).thumbprint);
    const noEnd = pem.replace(/-----END PUBLIC KEY-----\s*$/, '');
    assert.throws(() => importPublicKey(noEnd), refusal('key_pem_malformed', /no "-----END PUBLIC KEY-----" marker/));
    const noBegin = pem.replace(/-----BEGIN PUBLIC KEY-----/, '');
    assert.throws(() => importPublicKey(noBegin), refusal('key_pem_malformed', /without its BEGIN marker/));
    const lines = pem.split('\n');
    lines[2] = `${lines[2]!.slice(0, 10)}#!${lines[2]!.slice(12)}`;
    assert.throws(() => importPublicKey(lines.join('\n')), refusal('key_pem_malformed', /not base64/));
    assert.throws(() => importPublicKey('hello'), refusal('key_pem_malformed', /BEGIN/));
    assert.throws(() => importPublicKey(''), refusal('key_format_unknown', /empty/));
    assert.throws(() => importPublicKey('{"kty":'), refusal('key_format_unknown', /does not parse/));
  });
});

describe('key policy', () => {
  test('RSA under 2048 bits is refused with the size and the fix', () => {
    assert.throws(() => importPublicKey(keys.read('rsa1024.pub.pem')), refusal('key_too_small', /at least 2048 bits; this one has 1024.*keygen/));
    assert.throws(() => importPrivateKey(keys.read('rsa1024.pem')), refusal('key_too_small', /1024/));
  });

  test('unknown curves (secp256k1) are refused', () => {
    assert.throws(() => importPublicKey(keys.read('k1.pub.pem')), refusal('key_curve_unsupported', /secp256k1.*P-256/));
    assert.throws(() => importPublicKey({ kty: 'EC', crv: 'secp256k1', x: 'AAAA', y: 'AAAA' }), refusal('key_curve_unsupported', /secp256k1/));
  });

  test('symmetric keys are refused (oct JWK, secret KeyObject)', () => {
    assert.throws(() => importPublicKey({ kty: 'oct', k: 'c2VjcmV0' }), refusal('key_is_symmetric', /symmetric/));
    assert.throws(() => importPublicKey(createSecretKey(Buffer.alloc(32))), refusal('key_is_symmetric', /asymmetric keys only/));
  });

  test('private material where a public key is expected: "this is a private key: register the public key only"', () => {
    for (const name of ['rsa.pem', 'rsa.pkcs1.pem', 'rsa.enc.pem', 'ec.sec1.pem', 'ed.pem']) {
      assert.throws(() => importPublicKey(keys.read(name)), refusal('key_is_private', /^this is a private key: register the public key only/), name);
    }
    const privateJwk = exportPrivateJwk(importPrivateKey(keys.read('rsa.pem')));
    assert.throws(() => importPublicKey(privateJwk), refusal('key_is_private', /register the public key only/));
    assert.throws(() => importPublicKeys({ keys: [privateJwk] }), refusal('key_is_private', /register the public key only/));
  });

  test('a JWK whose alg does not fit the key type is refused', () => {
    const ecJwk = exportPublicJwk(createPublicKey(keys.read('ec.pub.pem')));
    assert.throws(() => importPublicKey({ ...ecJwk, alg: 'RS256' }), refusal('key_alg_mismatch', /RS256 does not fit a P-256 key/));
    assert.throws(() => importPublicKey({ ...ecJwk, alg: 'ES384' }), refusal('key_alg_mismatch', /ES384/));
    const rsaJwk = exportPublicJwk(createPublicKey(keys.read('rsa.pub.pem')));
    assert.throws(() => importPublicKey({ ...rsaJwk, alg: 'HS256' }), refusal('key_alg_mismatch', /symmetric and unsigned algorithms are never accepted/));
    assert.throws(() => importPublicKey({ ...rsaJwk, alg: 'none' }), refusal('key_alg_mismatch', /never accepted/));
    assert.throws(() => importPublicKey({ ...rsaJwk, use: 'enc' }), refusal('key_alg_mismatch', /use/));
  });

  test('other key types (Ed448, X25519, DSA) are refused', () => {
    const x25519 = generateKeyPairSync('x25519').publicKey;
    assert.throws(() => importPublicKey(x25519), refusal('key_type_unsupported', /x25519/));
    const ed448 = generateKeyPairSync('ed448').publicKey;
    assert.throws(() => importPublicKey(ed448), refusal('key_type_unsupported', /ed448/));
  });
});

describe('private key import', () => {
  test('PKCS#8, PKCS#1 and SEC1 PEM, DER and private JWK', () => {
    const pub = importPublicKey(keys.read('rsa.pub.pem')).thumbprint;
    assert.equal(calculateThumbprint(importPrivateKey(keys.read('rsa.pem'))), pub);
    assert.equal(calculateThumbprint(importPrivateKey(keys.read('rsa.pkcs1.pem'))), pub);
    const ec = importPrivateKey(keys.read('ec.sec1.pem'));
    assert.equal(calculateThumbprint(ec), importPublicKey(keys.read('ec.pub.pem')).thumbprint);
    const der = importPrivateKey(keys.read('rsa.pem')).export({ type: 'pkcs8', format: 'der' });
    assert.equal(calculateThumbprint(importPrivateKey(der)), pub);
    assert.equal(calculateThumbprint(importPrivateKey(exportPrivateJwk(ec))), calculateThumbprint(ec));
  });

  test('encrypted PKCS#8 and legacy Proc-Type DES3 PEM open with the passphrase', () => {
    const pub = importPublicKey(keys.read('rsa.pub.pem')).thumbprint;
    assert.ok(isEncryptedPrivateKeyPem(keys.read('rsa.enc.pem')));
    assert.ok(isEncryptedPrivateKeyPem(keys.read('rsa.legacy-des3.pem')));
    assert.match(keys.read('rsa.legacy-des3.pem'), /Proc-Type: 4,ENCRYPTED/);
    assert.ok(!isEncryptedPrivateKeyPem(keys.read('rsa.pem')));
    assert.equal(calculateThumbprint(importPrivateKey(keys.read('rsa.enc.pem'), { passphrase: PASSPHRASE })), pub);
    assert.equal(calculateThumbprint(importPrivateKey(keys.read('rsa.legacy-des3.pem'), { passphrase: PASSPHRASE })), pub);
  });

  test('openssl genrsa -des3 as written in the guide (encrypted PKCS#8 on OpenSSL 3)', () => {
    execFileSync('openssl', ['genrsa', '-des3', '-passout', `pass:${PASSPHRASE}`, '-out', 'guide.pem', '2048'], { cwd: keys.dir, stdio: 'ignore' });
    const key = importPrivateKey(keys.read('guide.pem'), { passphrase: PASSPHRASE });
    assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048);
  });

  test('a missing or wrong passphrase is a clear error, not a crash', () => {
    for (const name of ['rsa.enc.pem', 'rsa.legacy-des3.pem']) {
      assert.throws(() => importPrivateKey(keys.read(name)), refusal('passphrase_required', /encrypted: give its passphrase/), name);
      assert.throws(() => importPrivateKey(keys.read(name), { passphrase: 'wrong' }), refusal('passphrase_wrong', /passphrase/), name);
      assert.throws(() => importPrivateKey(keys.read(name), { passphrase: '' }), (e) => e instanceof KeyError && /passphrase/.test(e.message), name);
    }
  });

  test('a public key where a private key is needed is named as such', () => {
    assert.throws(() => importPrivateKey(keys.read('rsa.pub.pem')), refusal('key_not_private', /public key/));
    assert.throws(() => importPrivateKey(exportPublicJwk(createPublicKey(keys.read('rsa.pub.pem'))) as unknown as Record<string, unknown>), refusal('key_not_private', /public key/));
    assert.ok(isPrivateKeyInput(keys.read('rsa.pem')));
    assert.ok(isPrivateKeyInput(keys.read('rsa.enc.pem')));
    assert.ok(!isPrivateKeyInput(keys.read('rsa.pub.pem')));
  });
});

describe('generation and export', () => {
  test('generate every supported type; refuse small RSA and unknown curves', async () => {
    const cases = [
      { options: { type: 'rsa' as const }, alg: 'RS256' },
      { options: { type: 'ec' as const, curve: 'P-256' }, alg: 'ES256' },
      { options: { type: 'ec' as const, curve: 'P-384' }, alg: 'ES384' },
      { options: { type: 'ec' as const, curve: 'P-521' }, alg: 'ES512' },
      { options: { type: 'ed25519' as const }, alg: 'EdDSA' },
    ];
    for (const { options, alg } of cases) {
      const pair = await generateKeyPair(options);
      assert.equal(defaultAlgorithmForKey(pair.privateKey), alg);
      const jwk = exportPublicJwk(pair.privateKey);
      assert.equal(jwk.alg, alg);
      assert.equal(jwk.kid, await calculateJwkThumbprint(jwk as never), 'kid is the RFC 7638 thumbprint (cross-checked with jose)');
      assert.equal(importPublicKey(exportPublicPem(pair.privateKey)).thumbprint, jwk.kid);
    }
    await assert.rejects(generateKeyPair({ type: 'rsa', bits: 1024 }), refusal('key_too_small', /2048/));
    await assert.rejects(generateKeyPair({ type: 'ec', curve: 'secp256k1' }), refusal('key_curve_unsupported', /secp256k1/));
  });

  test('RSA 3072 generation', async () => {
    const pair = await generateKeyPair({ type: 'rsa', bits: 3072 });
    assert.equal(importPublicKey(pair.publicKey).bits, 3072);
  });

  test('encrypted PKCS#8 export (AES-256) opens with our importer and with openssl', async () => {
    const pair = await generateKeyPair({ type: 'ec' });
    const pem = exportPrivatePem(pair.privateKey, { passphrase: PASSPHRASE });
    assert.match(pem, /BEGIN ENCRYPTED PRIVATE KEY/);
    assert.equal(calculateThumbprint(importPrivateKey(pem, { passphrase: PASSPHRASE })), calculateThumbprint(pair.publicKey));
    writeFileSync(join(keys.dir, 'ours.enc.pem'), pem);
    const text = execFileSync('openssl', ['pkey', '-in', 'ours.enc.pem', '-passin', `pass:${PASSPHRASE}`, '-noout', '-text'], { cwd: keys.dir }).toString();
    assert.match(text, /Private-Key: \(256 bit/);
    assert.match(execFileSync('openssl', ['asn1parse', '-in', 'ours.enc.pem'], { cwd: keys.dir }).toString(), /aes-256-cbc/);
  });

  test('JWKS export', async () => {
    const pair = await generateKeyPair({ type: 'ed25519' });
    const set = exportJwks([pair.publicKey]);
    assert.equal(set.keys.length, 1);
    assert.equal(set.keys[0]!.kty, 'OKP');
    assert.equal((set.keys[0] as unknown as Record<string, unknown>).d, undefined, 'no private member is exported');
  });
});

describe('thumbprints (RFC 7638)', () => {
  test('RFC 7638 §3.1 example', () => {
    const jwk = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    };
    assert.equal(calculateThumbprint(jwk), 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  test('equals jose for every key type, public or private half', async () => {
    for (const name of ['rsa.pem', 'ec.sec1.pem', 'ed.pem']) {
      const key = importPrivateKey(keys.read(name));
      const jwk = createPublicKey(key).export({ format: 'jwk' });
      assert.equal(calculateThumbprint(key), await calculateJwkThumbprint(jwk as never), name);
    }
  });
});

describe('X.509 certificates', () => {
  test('self-signed certificate for RSA, EC and Ed25519, read back by openssl and readCertificate', async () => {
    for (const options of [{ type: 'rsa' as const }, { type: 'ec' as const }, { type: 'ed25519' as const }]) {
      const pair = await generateKeyPair(options);
      const cert = await createSelfSignedCertificate({ privateKey: pair.privateKey, subject: 'CN=order-service,O=Example', days: 30 });
      assert.match(cert.pem, /^-----BEGIN CERTIFICATE-----\n/);
      const read = readCertificate(cert.pem);
      assert.equal(calculateThumbprint(read.publicKey), calculateThumbprint(pair.publicKey));
      assert.match(read.info.subject, /CN=order-service/);
      assert.equal(Math.round((read.info.notAfter.getTime() - read.info.notBefore.getTime()) / 86_400_000), 30);
      writeFileSync(join(keys.dir, `self-${options.type}.pem`), cert.pem);
      const text = execFileSync('openssl', ['x509', '-in', `self-${options.type}.pem`, '-noout', '-subject', '-dates'], { cwd: keys.dir }).toString();
      assert.match(text, /CN\s*=\s*order-service/);
      execFileSync('openssl', ['verify', '-CAfile', `self-${options.type}.pem`, '-partial_chain', `self-${options.type}.pem`], { cwd: keys.dir, stdio: 'ignore' });
      assert.equal(importPublicKey(cert.der).certificate?.thumbprintSha256, read.info.thumbprintSha256);
    }
  });

  test('OpenSSL-style subjects and bad subjects', async () => {
    const pair = await generateKeyPair({ type: 'ec' });
    const cert = await createSelfSignedCertificate({ privateKey: pair.privateKey, subject: '/CN=svc/O=Example', days: 1 });
    assert.match(readCertificate(cert.pem).info.subject, /CN=svc/);
    await assert.rejects(createSelfSignedCertificate({ privateKey: pair.publicKey, subject: 'CN=x', days: 1 }), refusal('key_not_private', /private key/));
  });

  test('a damaged certificate is a clear error', () => {
    assert.throws(() => readCertificate(Buffer.from('not a certificate at all')), refusal('certificate_invalid', /could not be parsed/));
  });
});
