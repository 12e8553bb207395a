// Property-based fuzzing of the Bearer reader: @keyward/core's parseBearerAuthorization, the one
// reader behind the verifier's readBearerToken (packages/verify/src/read-bearer-token.ts) and the
// server's readRequestBearer (the admin API, the key-distribution endpoint and the registration
// endpoints). Whatever the Authorization header holds, the verifier returns the token or refuses
// with a documented reason, whichever shape the headers come in (plain object, any name case, Web
// Headers, a one-element list); it accepts exactly what the RFC 6750 §2.1 grammar accepts; and the
// server's reader, given the same header in a Request, gives the same answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ReasonCode } from '../../packages/core/src/errors.ts';
import { readRequestBearer } from '../../packages/keyward/src/server/services/authenticate-server-request.ts';
import { readBearerToken, type VerifyInput } from '../../packages/verify/src/read-bearer-token.ts';
import { expectRefusal, fuzzParameters, stringOver, withinBudget } from './fuzz-settings.ts';

const DOCUMENTED: readonly ReasonCode[] = ['token_missing', 'request_malformed', 'assertion_line_breaks'];
const TOKEN_CHARS = [...'AZaz09-._~+/', 'eyJ', '.', '=', ' ', ',', '\t', '\n', '\r', '"', 'é', '\u00a0', '\u3000', '\0'];
const authorization = fc.oneof(
  fc.tuple(
    fc.constantFrom('', ' ', '\t'),
    fc.constantFrom('Bearer', 'bearer', 'BEARER', 'BeArEr', 'Basic', 'DPoP', 'Bearerx', 'Bear', ''),
    fc.constantFrom(' ', '  ', '', '\t', '\u00a0', ' \n'),
    stringOver(TOKEN_CHARS, 24),
    fc.constantFrom('', ' ', '\n', '\r\n', ', Bearer x', '=', '=='),
  ).map((parts) => parts.join('')),
  fc.string({ maxLength: 40 }),
);

/** The verifier's answer: the token, or `refused:<reason>`. */
function read(input: VerifyInput): string {
  try {
    return withinBudget('readBearerToken', () => readBearerToken(input));
  } catch (error) {
    return `refused:${expectRefusal(error, DOCUMENTED).reason}`;
  }
}

// The reference: RFC 6750 §2.1 credentials = "Bearer" 1*SP b64token, the scheme case-insensitive
// (RFC 7235 §2.1), around the field value optional whitespace (RFC 9110 §5.5).
const RFC_6750_CREDENTIALS = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/** The token the RFC 6750 §2.1 grammar finds in `value`, or undefined. */
function byTheGrammar(value: string): string | undefined {
  return RFC_6750_CREDENTIALS.exec(value.trim())?.[1];
}

/** The server's answer for a request carrying `value`: the token, or `refused:<reason>`. */
function readOnServer(value: string): string {
  try {
    return readRequestBearer(new Request('http://127.0.0.1/admin/v1/clients', { headers: { authorization: value } }), 'send a token');
  } catch (error) {
    return `refused:${expectRefusal(error, DOCUMENTED).reason}`;
  }
}

/** True when `value` can travel as an HTTP field value (Web Headers refuses the others). */
function isFieldValue(value: string): boolean {
  return !/[\0\r\n]/.test(value) && [...value].every((c) => c.charCodeAt(0) <= 0xff);
}

test('readBearerToken answers the same for every header shape, accepts exactly what RFC 6750 §2.1 accepts, and the server reader agrees', () => {
  fc.assert(fc.property(authorization, (value) => {
    const fast = read({ authorization: value });
    const slow = read({ Authorization: value, 'x-other': 'y' });
    const listed = read({ authorization: [value] });
    assert.equal(slow, fast, 'plain object, other name case');
    assert.equal(listed, fast, 'a one-element list');
    if (isFieldValue(value)) {
      // Web Headers strip leading and trailing HTTP whitespace (Fetch §2.2): compare on that value.
      assert.equal(read(new Headers({ authorization: value })), read({ authorization: value.replace(/^[\t ]+|[\t ]+$/g, '') }), 'Web Headers');
      assert.equal(readOnServer(value), read(new Headers({ authorization: value })), 'the server reads a request as the verifier does');
    }
    assert.equal(fast.startsWith('refused:') ? undefined : fast, byTheGrammar(value), 'the reader and the RFC 6750 §2.1 grammar disagree');
  }), fuzzParameters(10_000));
});

test('readBearerToken refuses two Authorization headers, whatever they hold', () => {
  fc.assert(fc.property(authorization, authorization, (a, b) => {
    assert.equal(read({ authorization: [a, b] }), 'refused:request_malformed');
  }), fuzzParameters(2_000));
});
