// Conformance: the compact serialization and the JOSE header rules of parseCompactJws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCompactJwsShape, parseCompactJws, verifyJwsSignature } from '../../packages/core/src/jws/index.ts';
import { b64u, expectReason, handSign, keyPair } from './fixtures.ts';

const { privateKey, publicKey } = keyPair('rsa');
const claims = { iss: 'c1', sub: 'c1', aud: 'https://as.example', jti: 'j1', exp: 2000000000 };
const good = handSign({ alg: 'RS256', typ: 'JWT' }, claims, privateKey);
const [h, p, s] = good.split('.') as [string, string, string];

test('RFC 7515 §7.1: a well-formed compact JWS parses into header, payload, signing input and signature', () => {
  const parsed = parseCompactJws(good);
  assert.deepEqual(parsed.header, { alg: 'RS256', typ: 'JWT' });
  assert.deepEqual(parsed.payload, claims);
  assert.equal(parsed.signingInput.toString(), `${h}.${p}`);
  assert.equal(parsed.signature.length, 256);
  assert.deepEqual(parsed.raw, { header: h, payload: p, signature: s });
  assert.equal(verifyJwsSignature(parsed, publicKey, 'RS256'), true);
});

test('RFC 7515 §10 (resource limits): a token over the size cap is refused first, as assertion_too_large', () => {
  const big = handSign({ alg: 'RS256' }, { ...claims, pad: 'x'.repeat(17000) }, privateKey);
  expectReason(() => parseCompactJws(big), 'assertion_too_large');
  // The size cap comes before every other check: even garbage with line breaks is "too large".
  expectReason(() => parseCompactJws('\n'.repeat(20000)), 'assertion_too_large');
  expectReason(() => parseCompactJws(good, { maxLength: 100 }), 'assertion_too_large');
  assert.ok(parseCompactJws(big, { maxLength: 40000 }));
});

test('RFC 7515 §2: line breaks inside a JWS are refused as assertion_line_breaks naming the fix', () => {
  const wrapped = `${h}.${p.slice(0, 20)}\n${p.slice(20)}.${s}`;
  const error = expectReason(() => parseCompactJws(wrapped), 'assertion_line_breaks');
  assert.match(error.detail ?? '', /line breaks/);
  assert.match(error.detail ?? '', /openssl base64 -A/);
  assert.match(error.detail ?? '', /tr -d/);
  assert.match(error.detail ?? '', /payload part/);
  assert.ok(!(error.detail ?? '').includes(p.slice(0, 20)), 'the detail never echoes the token');
  expectReason(() => parseCompactJws(`${h}.${p}.${s}\r\n`), 'assertion_line_breaks');
  expectReason(() => parseCompactJws(`${h}.${p}.${s.slice(0, 64)}\r${s.slice(64)}`), 'assertion_line_breaks');
});

test('RFC 7515 §2: spaces and tabs are refused too (as whitespace)', () => {
  const error = expectReason(() => parseCompactJws(`${h}. ${p}.${s}`), 'assertion_line_breaks');
  assert.match(error.detail ?? '', /whitespace/);
  expectReason(() => parseCompactJws(` ${good}`), 'assertion_line_breaks');
  expectReason(() => parseCompactJws(`${h}.${p}\t.${s}`), 'assertion_line_breaks');
});

test('RFC 7515 §7.1: exactly three parts (2 and 4 parts, empty string, non-string refused)', () => {
  expectReason(() => parseCompactJws(''), 'assertion_malformed');
  expectReason(() => parseCompactJws(`${h}.${p}`), 'assertion_malformed');
  expectReason(() => parseCompactJws(`${h}.${p}.${s}.${s}`), 'assertion_malformed');
  expectReason(() => parseCompactJws(`${h}.${p}.${s}.x.y`), 'assertion_malformed');
  expectReason(() => parseCompactJws('..'), 'assertion_malformed');
  expectReason(() => parseCompactJws(undefined as unknown as string), 'assertion_malformed');
  expectReason(() => parseCompactJws(42 as unknown as string), 'assertion_malformed');
});

test('RFC 7515 §2: base64url only (no "=", "+", "/"), canonical, with the part named', () => {
  const padded = expectReason(() => parseCompactJws(`${h}=.${p}.${s}`), 'assertion_malformed');
  assert.match(padded.detail ?? '', /header part/);
  assert.match(padded.detail ?? '', /base64url/);
  const std = Buffer.from(JSON.stringify(claims)).toString('base64');
  expectReason(() => parseCompactJws(`${h}.${p}.${s.replace(/-/g, '+').replace(/_/g, '/')}+`), 'assertion_malformed');
  if (/[+/=]/.test(std)) expectReason(() => parseCompactJws(`${h}.${std}.${s}`), 'assertion_malformed');
  expectReason(() => parseCompactJws(`${h}.${p}.${s}%`), 'assertion_malformed');
  expectReason(() => parseCompactJws(`${h}.${p}.${s}é`), 'assertion_malformed');
  // Length 4n+1 cannot be produced by any encoder.
  expectReason(() => parseCompactJws(`${h}.${p}.AAAAA`), 'assertion_malformed');
  // Non-canonical: "eyJ..." header with its last character's unused bits set decodes to the same bytes.
  const header2 = b64u('{"alg":"RS256"}'); // 15 bytes -> 20 chars, no unused bits; use a 16-byte header
  assert.ok(header2);
  const h16 = b64u('{"alg":"RS256"} '); // 16 bytes -> 22 chars, last char carries 4 unused bits
  const last = h16.at(-1)!;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const sloppy = h16.slice(0, -1) + alphabet[alphabet.indexOf(last) + 1];
  assert.deepEqual(Buffer.from(sloppy, 'base64url'), Buffer.from(h16, 'base64url'), 'the test string decodes identically');
  const nc = expectReason(() => parseCompactJws(`${sloppy}.${p}.${s}`), 'assertion_malformed');
  assert.match(nc.detail ?? '', /canonical/);
  assert.ok(parseCompactJws(`${h16}.${p}.${s}`));
});

test('RFC 7515 §5.2 step 3-4: header must be UTF-8 JSON object (not JSON, array, null, invalid UTF-8 refused)', () => {
  for (const header of ['not json', '[1,2]', 'null', '"RS256"', '{"alg":"RS256"']) {
    const e = expectReason(() => parseCompactJws(`${b64u(header)}.${p}.${s}`), 'assertion_malformed');
    assert.match(e.detail ?? '', /header part/);
  }
  expectReason(() => parseCompactJws(`${b64u(Buffer.from([0x7b, 0xff, 0x7d]))}.${p}.${s}`), 'assertion_malformed');
});

test('RFC 7519 §7.2 step 10: payload must be a JSON object (array, string, non-JSON refused)', () => {
  for (const payload of ['[{"iss":"c1"}]', '"c1"', '12', 'hello', '']) {
    const e = expectReason(() => parseCompactJws(`${h}.${b64u(payload)}.${s}`), 'assertion_malformed');
    assert.match(e.detail ?? '', /payload part/);
  }
});

test('RFC 7515 §5.2 step 4, RFC 7519 §4: duplicate member names are refused (header and payload)', () => {
  const dupHeader = b64u('{"alg":"RS256","alg":"none"}');
  const e = expectReason(() => parseCompactJws(`${dupHeader}.${p}.${s}`), 'assertion_malformed');
  assert.match(e.detail ?? '', /"alg" more than once/);
  expectReason(() => parseCompactJws(`${b64u('{"alg":"RS256","\\u0061lg":"none"}')}.${p}.${s}`), 'assertion_malformed');
  expectReason(() => parseCompactJws(`${h}.${b64u('{"sub":"a","sub":"b"}')}.${s}`), 'assertion_malformed');
  // Nested objects may repeat names that appear at the top level.
  assert.ok(parseCompactJws(`${h}.${b64u('{"sub":"a","x":{"sub":"b"},"y":["sub","sub"]}')}.${s}`));
  // Commas, quotes and brackets inside strings are not members.
  assert.ok(parseCompactJws(`${h}.${b64u('{"sub":"a,\\"b\\",{c}","x,y":"[1,2]","z":"\\\\"}')}.${s}`));
  expectReason(() => parseCompactJws(`${h}.${b64u('{"sub":"a,b","x":"\\",\\"sub\\":","sub":"c"}')}.${s}`), 'assertion_malformed');
  assert.deepEqual(Object.keys(parseCompactJws(`${h}.${b64u('{}')}.${s}`).payload), []);
  // A string ending in escaped backslashes closes there; an escaped quote does not close it.
  expectReason(() => parseCompactJws(`${h}.${b64u('{"a":"x\\\\","a":1}')}.${s}`), 'assertion_malformed');
  expectReason(() => parseCompactJws(`${h}.${b64u('{"a":"x\\\\\\"","a":1}')}.${s}`), 'assertion_malformed');
  assert.ok(parseCompactJws(`${h}.${b64u('{"a":"x\\",\\"a\\":1","b":1}')}.${s}`));
  expectReason(() => parseCompactJws(`${h}.${b64u('{"":1,"":2}')}.${s}`), 'assertion_malformed');
});

test('RFC 7515 §4.1.1: alg is required and must be a string', () => {
  expectReason(() => parseCompactJws(`${b64u('{"typ":"JWT"}')}.${p}.${s}`), 'assertion_malformed');
  expectReason(() => parseCompactJws(`${b64u('{"alg":256}')}.${p}.${s}`), 'assertion_malformed');
  expectReason(() => parseCompactJws(`${b64u('{"alg":null}')}.${p}.${s}`), 'assertion_malformed');
});

test('RFC 7515 §4.1.4, §4.1.9: kid and typ must be strings when present', () => {
  expectReason(() => parseCompactJws(`${b64u('{"alg":"RS256","kid":1}')}.${p}.${s}`), 'assertion_malformed');
  expectReason(() => parseCompactJws(`${b64u('{"alg":"RS256","typ":["JWT"]}')}.${p}.${s}`), 'assertion_malformed');
});

test('RFC 7515 §4.1.11: any crit is refused as crit_unsupported', () => {
  for (const crit of [['exp'], [], ['b64'], 'b64', null]) {
    expectReason(() => parseCompactJws(handSign({ alg: 'RS256', crit, exp: 1 }, claims, privateKey)), 'crit_unsupported');
  }
});

test('RFC 7797 §3: b64 (unencoded payload) is refused as crit_unsupported, with or without crit', () => {
  expectReason(() => parseCompactJws(handSign({ alg: 'RS256', b64: false }, claims, privateKey)), 'crit_unsupported');
  expectReason(() => parseCompactJws(handSign({ alg: 'RS256', b64: true }, claims, privateKey)), 'crit_unsupported');
});

test('RFC 7515 §4.1.2-§4.1.6 + RFC 8725 §3.10: jwk, jku, x5u, x5c headers are refused as header_key_not_allowed', () => {
  for (const [name, value] of [['jwk', { kty: 'RSA', n: 'AQAB', e: 'AQAB' }], ['jku', 'https://evil.example/jwks'], ['x5u', 'https://evil.example/cert'], ['x5c', ['MIIB']]] as const) {
    const e = expectReason(() => parseCompactJws(handSign({ alg: 'RS256', [name]: value }, claims, privateKey)), 'header_key_not_allowed');
    assert.match(e.detail ?? '', new RegExp(`"${name}"`));
  }
  // x5t is only a hint (a thumbprint), not a key: it is allowed.
  assert.ok(parseCompactJws(handSign({ alg: 'RS256', 'x5t#S256': 'abc' }, claims, privateKey)));
});

test('RFC 7515 §7.1: an unsecured JWS (empty signature part) still parses so that alg none is refused by name later', () => {
  const parsed = parseCompactJws(`${b64u('{"alg":"none"}')}.${p}.`);
  assert.equal(parsed.signature.length, 0);
  assert.equal(verifyJwsSignature(parsed, publicKey, 'RS256'), false);
});

test('RFC 7515 §7.1, §2: isCompactJwsShape (three base64url parts) and its one-string memo never excuse another text', () => {
  assert.equal(isCompactJwsShape(good), true);
  assert.equal(isCompactJwsShape(good), true, 'the remembered string');
  assert.equal(isCompactJwsShape(`${good}`.slice(0)), true, 'the same text in another string object');
  // Same length, one character changed, right after a well-shaped string was remembered: judged afresh.
  for (const bad of [`${h}.${p}.${s.slice(0, -1)}=`, `${h}.${p}.${s.slice(0, -1)}+`, `${h}.${p.slice(0, -1)}/.${s}`, `${h}.${p}.${s.slice(0, -1)}.`, `${h}.${p}.${s.slice(0, -1)}\n`]) {
    assert.equal(bad.length, good.length);
    assert.equal(isCompactJwsShape(good), true);
    assert.equal(isCompactJwsShape(bad), false);
    expectReason(() => parseCompactJws(bad), bad.endsWith('\n') ? 'assertion_line_breaks' : 'assertion_malformed');
  }
  assert.equal(isCompactJwsShape(`${h}.${p}.`), true, 'an empty signature part has the shape (alg none is refused later, by name)');
  assert.equal(isCompactJwsShape(`${h}.${p}`), false);
  assert.equal(isCompactJwsShape(`.${p}.${s}`), false);
});
