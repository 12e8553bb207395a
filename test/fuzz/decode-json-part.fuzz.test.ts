// Property-based fuzzing of the duplicate-member scanner of the JWS parts
// (src/core/jws/decode-json-part.ts), with JSON.parse as the oracle: a JSON text whose top-level
// object names each member once is read as JSON.parse reads it; one that repeats a top-level member
// name (compared after unescaping: "\u0061" is "a") is refused with 'assertion_malformed'
// (RFC 7515 §5.2 step 4, RFC 7519 §4). Nested objects are not the scanner's business: there
// JSON.parse's reading (the last member wins) is kept, as documented.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeJsonPart } from '../../packages/core/src/jws/decode-json-part.ts';
import { expectRefusal, fuzzParameters, withinBudget } from './fuzz-settings.ts';
import { jsonText } from './json-text.ts';

function decode(bytes: Buffer): Record<string, unknown> | undefined {
  try {
    return withinBudget('decodeJsonPart', () => decodeJsonPart(bytes, 'header'));
  } catch (error) {
    expectRefusal(error, ['assertion_malformed']);
    return undefined;
  }
}

test('decodeJsonPart agrees with JSON.parse, and refuses exactly the top-level duplicates', () => {
  fc.assert(fc.property(jsonText, (generated) => {
    const result = decode(Buffer.from(generated.text, 'utf8'));
    const expected: unknown = JSON.parse(generated.text);
    const accept = generated.topLevelObject && !generated.topLevelDuplicate;
    assert.equal(result !== undefined, accept, `accepted=${result !== undefined} for ${generated.text}`);
    if (result !== undefined) assert.deepEqual(result, expected);
  }), fuzzParameters(10_000, [
    [{ text: '{"a":1,"\\u0061":2}', topLevelObject: true, topLevelDuplicate: true, nestedDuplicate: false }],
    [{ text: '{"a\\\\":1,"a\\\\":2}', topLevelObject: true, topLevelDuplicate: true, nestedDuplicate: false }],
    [{ text: '{"x":{"a":1,"a":2},"a":3}', topLevelObject: true, topLevelDuplicate: false, nestedDuplicate: true }],
    [{ text: '{"__proto__":1,"__proto__":2}', topLevelObject: true, topLevelDuplicate: true, nestedDuplicate: false }],
  ]));
});

test('decodeJsonPart: any bytes, or a JSON text with one character changed, are read or refused, never a crash', () => {
  const mutated = fc.tuple(jsonText, fc.nat(), fc.constantFrom('', '"', '\\', ',', '{', '}', '[', ']', ':', ' ', 'a', '\u0000', '\uD800', 'é'), fc.boolean())
    .map(([generated, at, insert, replace]) => {
      const i = generated.text.length === 0 ? 0 : at % generated.text.length;
      return Buffer.from(generated.text.slice(0, i) + insert + generated.text.slice(replace ? i + 1 : i), 'utf8');
    });
  fc.assert(fc.property(fc.oneof(mutated, fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b))), (bytes) => {
    const result = decode(bytes);
    if (result === undefined) return;
    // Accepted: what JSON.parse reads, an object (not an array or null).
    const expected: unknown = JSON.parse(bytes.toString('utf8'));
    assert.ok(typeof expected === 'object' && expected !== null && !Array.isArray(expected));
    assert.deepEqual(result, expected);
  }), fuzzParameters(10_000));
});
