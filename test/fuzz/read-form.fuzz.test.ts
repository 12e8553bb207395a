// Property-based fuzzing of the form reader (src/server/middleware/read-form.ts), with
// URLSearchParams (the WHATWG application/x-www-form-urlencoded parser) as the reference: a UTF-8
// body of a form content type is read as URLSearchParams reads it, a repeated parameter is refused
// with 'parameter_repeated' (RFC 6749 §3.2) unless it may repeat, bytes that are not UTF-8 with
// 'request_malformed', a body over the cap with 'body_too_large', any other content type with
// 'content_type_unsupported'. Never another error, never a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ReasonCode } from '../../packages/core/src/errors.ts';
import { readForm, type FormParameters } from '../../packages/keyward/src/server/middleware/read-form.ts';
import { expectRefusal, fuzzParameters, stringOver } from './fuzz-settings.ts';

const DOCUMENTED: readonly ReasonCode[] = ['content_type_unsupported', 'body_too_large', 'parameter_repeated', 'request_malformed'];
const NAMES = ['grant_type', 'scope', 'resource', 'client_assertion', 'a', 'A', 'grant%5Ftype', 'grant_type%00', 'sc+ope', ''];
/** Form text made of the characters the format gives meaning to, and broken percent escapes. */
const formText = fc.oneof(
  fc.array(fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom('=', '', '=='), stringOver(['a', '+', '%20', '%2', '%zz', '%C3%A9', '%C3', '%FF', '%00', '&', ';', '=', 'é', '\u{1F600}', ' ', '\n'], 6)), { maxLength: 8 })
    .map((pairs) => pairs.map(([name, eq, value]) => `${name}${eq}${value}`).join('&')),
  fc.string({ maxLength: 60 }),
).map((text) => Buffer.from(text, 'utf8'));
const bodyBytes = fc.oneof({ weight: 4, arbitrary: formText }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)) });
const contentType = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('application/x-www-form-urlencoded', 'Application/X-WWW-Form-Urlencoded', ' application/x-www-form-urlencoded ; charset=utf-8', 'application/x-www-form-urlencoded;charset=latin1') },
  { weight: 1, arbitrary: fc.constantFrom('', 'application/json', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencodedx', 'application/x-www-form-urlencoded,text/plain') },
  { weight: 1, arbitrary: fc.string({ maxLength: 20, unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz/;=-,+ ".') }) },
);
const REPEATABLE = new Set(['resource']);

/** The reference reading of a form body, or the reason it must be refused. */
function reference(type: string, bytes: Buffer, maxBytes: number): Map<string, string[]> | ReasonCode {
  if (type.split(';', 1)[0]!.trim().toLowerCase() !== 'application/x-www-form-urlencoded') return 'content_type_unsupported';
  if (bytes.length > maxBytes) return 'body_too_large';
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return 'request_malformed';
  }
  const values = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(text)) {
    if (values.has(name) && !REPEATABLE.has(name)) return 'parameter_repeated';
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  return values;
}

test('readForm reads what URLSearchParams reads, and refuses with the documented reasons', async () => {
  await fc.assert(fc.asyncProperty(contentType, bodyBytes, fc.integer({ min: 0, max: 80 }), async (type, bytes, maxBytes) => {
    const request = new Request('http://127.0.0.1/token', { method: 'POST', headers: type === '' ? {} : { 'content-type': type }, body: bytes });
    let form: FormParameters | ReasonCode;
    try {
      form = await readForm(request, { maxBytes, repeatable: REPEATABLE });
    } catch (error) {
      form = expectRefusal(error, DOCUMENTED).reason;
    }
    const expected = reference(type, bytes, maxBytes);
    if (typeof expected === 'string' || typeof form === 'string') return assert.equal(form, expected);
    for (const [name, values] of expected) {
      const present = values.filter((v) => v !== '');
      // RFC 6749 §3.1: an empty value counts as absent.
      assert.equal(form.get(name), values[0] === '' ? undefined : values[0], name);
      assert.equal(form.has(name), present.length > 0, name);
      assert.deepEqual(form.getAll(name), present, name);
    }
  }), fuzzParameters(5_000));
});
