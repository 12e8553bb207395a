// Property-based fuzzing of the compact JWS parser (src/core/jws/parse-compact-jws.ts): tokens built
// from arbitrary headers, payloads and signatures, then damaged (a character inserted, removed or
// changed, line breaks, padding, extra parts, truncation). Every input is parsed or refused with one
// of the reasons the parser documents, within the time budget; an accepted token decodes as Buffer
// and JSON.parse decode it; an undamaged token is refused exactly when a header rule says so; the
// header cache never changes the answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ReasonCode } from '../../packages/core/src/errors.ts';
import { isCompactJwsShape, parseCompactJws } from '../../packages/core/src/jws/parse-compact-jws.ts';
import type { ParsedJws } from '../../packages/core/src/jws/types.ts';
import { expectRefusal, fuzzParameters, withinBudget } from './fuzz-settings.ts';
import { jsonText } from './json-text.ts';

const DOCUMENTED: readonly ReasonCode[] = ['assertion_too_large', 'assertion_malformed', 'assertion_line_breaks', 'crit_unsupported', 'header_key_not_allowed'];
const b64 = (text: string | Uint8Array) => Buffer.from(text).toString('base64url');

/** Header members, each present or not, with values of the right type or not. */
const header = fc.record({
  alg: fc.oneof(fc.constantFrom('RS256', 'ES256', 'none', 'HS256', ''), fc.integer(), fc.constant(null)),
  kid: fc.oneof(fc.string({ maxLength: 10 }), fc.integer()),
  typ: fc.oneof(fc.constantFrom('JWT', 'client-authentication+jwt'), fc.boolean()),
  crit: fc.constant(['exp']),
  b64: fc.constant(false),
  jwk: fc.constant({ kty: 'OKP' }),
  jku: fc.constant('https://attacker.example/jwks'),
  x5u: fc.constant('https://attacker.example/cert'),
  x5c: fc.constant(['MIIB']),
  extra: fc.jsonValue({ maxDepth: 2 }),
}, { requiredKeys: [] });

/** What the header rules of checkJoseHeader say about a header, written out independently. */
function headerAcceptable(h: Record<string, unknown>): boolean {
  if (typeof h.alg !== 'string') return false;
  if ('kid' in h && typeof h.kid !== 'string') return false;
  if ('typ' in h && typeof h.typ !== 'string') return false;
  return !['crit', 'b64', 'jwk', 'jku', 'x5u', 'x5c'].some((name) => name in h);
}

/** A token from JSON-serialized parts (no duplicates), with what the parser should make of it. */
const cleanToken = fc.tuple(header, fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }), fc.uint8Array({ maxLength: 96 }))
  .map(([h, payload, signature]) => ({ token: `${b64(JSON.stringify(h))}.${b64(JSON.stringify(payload))}.${b64(signature)}`, header: h, payload, signature: Buffer.from(signature) }));

/** A token from generated JSON texts (escapes, whitespace, duplicates, non-objects). */
const textToken = fc.tuple(jsonText, jsonText, fc.uint8Array({ maxLength: 16 }))
  .map(([h, p, signature]) => `${b64(h.text)}.${b64(p.text)}.${b64(signature)}`);

/** Damages a token the ways tokens get damaged on their way to a server. */
const damaged = fc.tuple(fc.oneof(cleanToken.map((t) => t.token), textToken), fc.nat(), fc.constantFrom(
  'insert', 'delete', 'replace', 'wrap64', 'pad', 'extra-part', 'jwe', 'truncate', 'space-end', 'base64',
), fc.constantFrom('.', '=', '+', '/', ' ', '\n', '\r', '\t', 'A', '_', '-', '\0', 'é', '\u2028', '\uD800'))
  .map(([token, at, how, char]) => {
    const i = token.length === 0 ? 0 : at % token.length;
    switch (how) {
      case 'insert': return token.slice(0, i) + char + token.slice(i);
      case 'delete': return token.slice(0, i) + token.slice(i + 1);
      case 'replace': return token.slice(0, i) + char + token.slice(i + 1);
      case 'wrap64': return token.replace(/(.{64})/g, '$1\n');
      case 'pad': return token.split('.').map((part) => `${part}==`).join('.');
      case 'extra-part': return `${token}.${token.slice(0, i)}`;
      case 'jwe': return `${token}.AA.BB`;
      case 'truncate': return token.slice(0, i);
      case 'space-end': return `${token}${char}`;
      default: return token.replace(/-/g, '+').replace(/_/g, '/');
    }
  });

function parse(token: string, options: Parameters<typeof parseCompactJws>[1] = {}): ParsedJws | ReasonCode {
  try {
    return withinBudget('parseCompactJws', () => parseCompactJws(token, options));
  } catch (error) {
    return expectRefusal(error, DOCUMENTED).reason;
  }
}

/** What an accepted token must be: the parts as received, each the canonical encoding of what it decoded to. */
function checkAccepted(token: string, parsed: ParsedJws): void {
  const { header: h, payload, signature } = parsed.raw;
  assert.equal(`${h}.${payload}.${signature}`, token);
  assert.equal(parsed.signingInput.toString('latin1'), `${h}.${payload}`);
  assert.deepEqual(parsed.signature, Buffer.from(signature, 'base64url'));
  for (const [part, decoded] of [[h, parsed.header], [payload, parsed.payload]] as const) {
    const bytes = Buffer.from(part, 'base64url');
    assert.equal(bytes.toString('base64url'), part, 'a non-canonical part was accepted');
    assert.deepEqual(decoded, JSON.parse(bytes.toString('utf8')));
  }
  assert.equal(signature, b64(parsed.signature), 'a non-canonical signature was accepted');
}

test('parseCompactJws: an undamaged token is refused exactly when a header rule says so, and decodes to its parts', () => {
  fc.assert(fc.property(cleanToken, ({ token, header: h, payload, signature }) => {
    const result = parse(token);
    const tooLarge = token.length > 16384;
    if (tooLarge) return assert.equal(result, 'assertion_too_large');
    assert.equal(typeof result !== 'string', headerAcceptable(h), `result ${typeof result === 'string' ? result : 'accepted'} for header ${JSON.stringify(h)}`);
    if (typeof result === 'string') return;
    checkAccepted(token, result);
    // Compared as JSON values: fast-check may build the expected objects with a null prototype
    // (seed 1335783185), which deepEqual would count as a difference the parser cannot make.
    assert.deepEqual(result.header, JSON.parse(JSON.stringify(h)));
    assert.deepEqual(result.payload, JSON.parse(JSON.stringify(payload)));
    assert.deepEqual(result.signature, signature);
  }), fuzzParameters(10_000));
});

test('parseCompactJws: any damaged token or string is parsed or refused with a documented reason, never a crash', () => {
  const inputs = fc.oneof({ weight: 4, arbitrary: damaged }, { weight: 1, arbitrary: textToken }, { weight: 1, arbitrary: fc.string({ maxLength: 120 }) });
  fc.assert(fc.property(inputs, fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }), (token, maxLength) => {
    const result = parse(token, maxLength === undefined ? {} : { maxLength });
    if (typeof result !== 'string') checkAccepted(token, result);
    if (maxLength !== undefined && token.length > maxLength) assert.equal(result, 'assertion_too_large');
    if (/[\r\n]/.test(token) && token.length <= (maxLength ?? 16384)) assert.equal(result, 'assertion_line_breaks');
  }), fuzzParameters<[string, number | undefined]>(10_000, [['a.b.c\n', undefined]]));
});

test('parseCompactJws: the header cache never changes the answer, hit or miss', () => {
  fc.assert(fc.property(fc.array(fc.oneof(cleanToken.map((t) => t.token), textToken, damaged), { minLength: 1, maxLength: 6 }), (tokens) => {
    const cache = new Map<string, Readonly<Record<string, unknown>>>();
    // Each token twice through one cache (miss, then hit), against the answer without a cache.
    for (const token of [...tokens, ...tokens]) {
      const plain = parse(token);
      const cached = parse(token, { headerCache: cache });
      if (typeof plain === 'string' || typeof cached === 'string') assert.equal(cached, plain);
      else assert.deepEqual({ ...cached, header: { ...cached.header } }, { ...plain, header: { ...plain.header } });
    }
  }), fuzzParameters(2_000));
});

test('isCompactJwsShape agrees with the three-part definition, whatever it saw before', () => {
  const alphabet = /^[A-Za-z0-9_-]*$/;
  const reference = (s: string) => {
    const parts = s.split('.');
    return parts.length === 3 && parts.every((p) => alphabet.test(p)) && parts[0] !== '' && parts[1] !== '';
  };
  fc.assert(fc.property(fc.array(fc.oneof(damaged, cleanToken.map((t) => t.token), fc.string({ maxLength: 20 })), { minLength: 1, maxLength: 4 }), (tokens) => {
    for (const token of tokens) assert.equal(isCompactJwsShape(token), reference(token), JSON.stringify(token));
  }), fuzzParameters(5_000));
});
