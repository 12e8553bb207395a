// Property-based fuzzing of the strict base64url decoder (src/core/jws/base64url.ts), with Node's
// Buffer base64url codec as the oracle: a string is accepted exactly when it is the canonical
// unpadded encoding Buffer itself produces for some bytes (RFC 7515 §2, RFC 4648 §3.5), and then it
// decodes to the same bytes; everything else is refused with 'assertion_malformed', never a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeBase64UrlPart, encodeBase64Url } from '../../packages/core/src/jws/base64url.ts';
import { expectRefusal, fuzzParameters, stringOver, withinBudget } from './fuzz-settings.ts';

const ALPHABET = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'];
/** The alphabet, weighted with what near-misses are made of: base64 characters, padding, whitespace, dots, non-ASCII. */
const NEAR_ALPHABET = [...ALPHABET, ...ALPHABET, '+', '/', '=', '=', ' ', '\n', '\r', '\t', '.', '%', '\0', 'é', '\u{1F600}', '\uD800', '－'];

/** Buffer's own answer: the canonical encoding of what Buffer decodes `value` to equals `value`. */
function isCanonical(value: string): boolean {
  return /^[A-Za-z0-9_-]*$/.test(value) && Buffer.from(value, 'base64url').toString('base64url') === value;
}

test('base64url: every byte string round-trips, and encodeBase64Url is Buffer\'s encoding', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
    const encoded = encodeBase64Url(bytes);
    assert.equal(encoded, Buffer.from(bytes).toString('base64url'));
    assert.deepEqual(new Uint8Array(decodeBase64UrlPart(encoded, 'payload')), bytes);
  }), fuzzParameters(10_000));
});

test('base64url: a string is accepted exactly when it is canonical, and then decodes as Buffer does', () => {
  const candidates = fc.oneof(
    stringOver(ALPHABET, 80),
    stringOver(NEAR_ALPHABET, 80),
    // A canonical encoding with its last character changed (non-zero unused bits) or padding added.
    fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.constantFrom(...ALPHABET), fc.constantFrom('', '=', '==')).map(([bytes, last, padding]) => `${Buffer.from(bytes).toString('base64url').slice(0, -1)}${last}${padding}`),
    fc.string({ maxLength: 80 }),
  );
  fc.assert(fc.property(candidates, fc.boolean(), (value, alphabetChecked) => {
    // The caller may skip the alphabet check only for text it already matched against the alphabet.
    const skip = alphabetChecked && /^[A-Za-z0-9_-]*$/.test(value);
    let decoded: Buffer | undefined;
    try {
      decoded = withinBudget('decodeBase64UrlPart', () => decodeBase64UrlPart(value, 'signature', skip));
    } catch (error) {
      expectRefusal(error, ['assertion_malformed']);
    }
    assert.equal(decoded !== undefined, isCanonical(value), `accepted=${decoded !== undefined} for ${JSON.stringify(value)}`);
    if (decoded !== undefined) assert.deepEqual(decoded, Buffer.from(value, 'base64url'));
  }), fuzzParameters(10_000));
});
