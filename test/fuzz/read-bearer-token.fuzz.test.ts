// Property-based fuzzing of the Bearer readers: the verifier's readBearerToken
// (src/verify/read-bearer-token.ts) and the server's readBearerCredential
// (src/server/services/authenticate-server-request.ts: the RFC 6750 §2.1 rule of the admin API,
// the key-distribution endpoint and the registration endpoints). Whatever the
// Authorization header holds, the verifier returns the token or refuses with a documented reason,
// whichever shape the headers come in (plain object, any name case, Web Headers, a one-element
// list); and it accepts exactly the tokens the server's reader accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ReasonCode } from '../../packages/core/src/errors.ts';
import { readBearerCredential } from '../../packages/keyward/src/server/services/authenticate-server-request.ts';
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

/** True when `value` can travel as an HTTP field value (Web Headers refuses the others). */
function isFieldValue(value: string): boolean {
  return !/[\0\r\n]/.test(value) && [...value].every((c) => c.charCodeAt(0) <= 0xff);
}

test('readBearerToken answers the same for every header shape, and accepts exactly what the server reader accepts', () => {
  fc.assert(fc.property(authorization, (value) => {
    const fast = read({ authorization: value });
    const slow = read({ Authorization: value, 'x-other': 'y' });
    const listed = read({ authorization: [value] });
    assert.equal(slow, fast, 'plain object, other name case');
    assert.equal(listed, fast, 'a one-element list');
    if (isFieldValue(value)) {
      // Web Headers strip leading and trailing HTTP whitespace (Fetch §2.2): compare on that value.
      assert.equal(read(new Headers({ authorization: value })), read({ authorization: value.replace(/^[\t ]+|[\t ]+$/g, '') }), 'Web Headers');
    }
    const server = readBearerCredential(value);
    assert.equal(fast.startsWith('refused:') ? undefined : fast, server, 'the verifier and the server readers disagree');
  }), fuzzParameters(10_000));
});

test('readBearerToken refuses two Authorization headers, whatever they hold', () => {
  fc.assert(fc.property(authorization, authorization, (a, b) => {
    assert.equal(read({ authorization: [a, b] }), 'refused:request_malformed');
  }), fuzzParameters(2_000));
});
