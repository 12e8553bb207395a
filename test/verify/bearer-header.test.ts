// RFC 6750 §2.1 (one Bearer credential in the Authorization header) and §3 (WWW-Authenticate).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OAuthError } from '../../packages/core/src/errors.ts';
import { readBearerToken } from '../../packages/verify/src/read-bearer-token.ts';
import { buildWwwAuthenticate, toBearerChallenge } from '../../packages/verify/src/errors.ts';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJhIjoxfQ.c2ln';

function refusal(fn: () => unknown): OAuthError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof OAuthError, `expected OAuthError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a refusal');
}

test('RFC 6750 §2.1: reads one Bearer token from a header object, Headers and a Request', () => {
  assert.equal(readBearerToken({ authorization: `Bearer ${JWT}` }), JWT);
  assert.equal(readBearerToken({ Authorization: `Bearer ${JWT}` }), JWT);
  assert.equal(readBearerToken(new Headers({ authorization: `Bearer ${JWT}` })), JWT);
  assert.equal(readBearerToken(new Request('http://x/api', { headers: { authorization: `Bearer ${JWT}` } })), JWT);
});

test('RFC 7235 §2.1: the scheme is case-insensitive', () => {
  assert.equal(readBearerToken({ authorization: `bearer ${JWT}` }), JWT);
  assert.equal(readBearerToken({ authorization: `BEARER ${JWT}` }), JWT);
});

test('RFC 6750 §3.1: no Authorization header is token_missing (401, no error code in the challenge)', () => {
  const error = refusal(() => readBearerToken({}));
  assert.equal(error.reason, 'token_missing');
  const challenge = toBearerChallenge(error, { realm: 'api' });
  assert.equal(challenge.status, 401);
  assert.equal(challenge.wwwAuthenticate, 'Bearer realm="api"');
});

test('the one-scan path (a compact JWS after Bearer) gives what the token68 rules give', () => {
  // Any case of the scheme, one or more spaces, the three parts returned as sent.
  for (const scheme of ['Bearer', 'bearer', 'BeArEr']) {
    for (const spaces of [' ', '   ']) assert.equal(readBearerToken({ authorization: `${scheme}${spaces}${JWT}` }), JWT);
  }
  // Not a compact JWS but token68 (padding, "+", "/", "~", two parts): still returned (the parser judges it).
  for (const token of [`${JWT}=`, 'a+b/c~d', 'abc.def', `${JWT}.x`]) assert.equal(readBearerToken({ authorization: `Bearer ${token}` }), token);
  // Other schemes, tabs, empty tokens and characters outside token68 keep their reasons.
  assert.equal(refusal(() => readBearerToken({ authorization: `Bearerx ${JWT}` })).reason, 'token_missing');
  assert.equal(refusal(() => readBearerToken({ authorization: `Bearer\t${JWT}` })).reason, 'request_malformed');
  assert.equal(readBearerToken({ authorization: `Bearer ${JWT} ` }), JWT, 'the header value is trimmed (slow path)');
  assert.equal(refusal(() => readBearerToken({ authorization: 'Bearer    ' })).reason, 'request_malformed');
  assert.equal(refusal(() => readBearerToken({ authorization: `Bearer ${JWT},x` })).reason, 'request_malformed');
  assert.equal(refusal(() => readBearerToken({ authorization: `Bearer ${JWT.replace('.', '"')}` })).reason, 'request_malformed');
  assert.equal(refusal(() => readBearerToken({ authorization: `Bearer ${JWT}`, Authorization: `Bearer ${JWT}` })).reason, 'request_malformed');
});

test('another scheme (Basic) is no Bearer credential: token_missing', () => {
  assert.equal(refusal(() => readBearerToken({ authorization: 'Basic YTpi' })).reason, 'token_missing');
});

test('RFC 6750 §2: two Authorization headers are refused as invalid_request (400)', () => {
  const error = refusal(() => readBearerToken({ authorization: [`Bearer ${JWT}`, `Bearer ${JWT}`] }));
  assert.equal(error.reason, 'request_malformed');
  assert.equal(toBearerChallenge(error).status, 400);
  // Web Headers join repeated fields with ", ".
  const headers = new Headers();
  headers.append('authorization', `Bearer ${JWT}`);
  headers.append('authorization', `Bearer ${JWT}`);
  const joined = refusal(() => readBearerToken(headers));
  assert.equal(joined.reason, 'request_malformed');
  assert.match(joined.message, /more than one/);
});

test('RFC 6750 §2.1: Bearer without a token, or with spaces or non-token68 characters, is invalid_request', () => {
  assert.equal(refusal(() => readBearerToken({ authorization: 'Bearer' })).reason, 'request_malformed');
  assert.equal(refusal(() => readBearerToken({ authorization: 'Bearer a b' })).reason, 'request_malformed');
  assert.equal(refusal(() => readBearerToken({ authorization: 'Bearer a"b' })).reason, 'request_malformed');
  assert.equal(refusal(() => readBearerToken({ authorization: 'Bearer ' + 'é' })).reason, 'request_malformed');
});

test('RFC 6750 §2.3 / RFC 9700 §2.5: a token in the query string is refused (400), even with a valid header', () => {
  const error = refusal(() => readBearerToken({ authorization: `Bearer ${JWT}` }, `/api?access_token=${JWT}`));
  assert.equal(error.reason, 'request_malformed');
  assert.ok(!error.message.includes(JWT), 'the message never echoes the token');
  const fromRequest = refusal(() => readBearerToken(new Request(`http://x/api?access_token=${JWT}`)));
  assert.equal(fromRequest.reason, 'request_malformed');
  assert.equal(toBearerChallenge(fromRequest).status, 400);
});

test('RFC 6750 §3: WWW-Authenticate carries realm, error, error_description and scope', () => {
  assert.equal(
    buildWwwAuthenticate({ realm: 'api', error: 'insufficient_scope', description: 'needs read', scope: 'read write' }),
    'Bearer realm="api", error="insufficient_scope", error_description="needs read", scope="read write"',
  );
});

test('RFC 6750 §3: quotes, backslashes and control characters never reach the header', () => {
  const header = buildWwwAuthenticate({ error: 'invalid_token', description: 'a "b" \\c\nd' });
  assert.doesNotMatch(header.slice('Bearer error="invalid_token", error_description="'.length, -1), /["\\\n]/);
  // The line-break reason's own description contains a backslash: it must be sanitised too.
  const challenge = toBearerChallenge(new OAuthError('assertion_line_breaks'));
  assert.doesNotMatch(challenge.wwwAuthenticate ?? '', /\\/);
});

test('RFC 6750 §3.1: core reasons map to invalid_token 401 with the public description only', () => {
  const error = new OAuthError('signature_invalid', { detail: 'operator-only detail' });
  const challenge = toBearerChallenge(error, { realm: 'api' });
  assert.equal(challenge.status, 401);
  assert.equal(challenge.body.error, 'invalid_token');
  assert.ok(!JSON.stringify(challenge.body).includes('operator-only'));
  assert.ok(!(challenge.wwwAuthenticate ?? '').includes('operator-only'));
  assert.equal(challenge.refusal.reason, 'signature_invalid');
});

test('RFC 6750 §3.1: insufficient_scope is 403 with the required scope', () => {
  const challenge = toBearerChallenge(new OAuthError('insufficient_scope'), { realm: 'api', scopes: ['read'] });
  assert.equal(challenge.status, 403);
  assert.match(challenge.wwwAuthenticate ?? '', /error="insufficient_scope"/);
  assert.match(challenge.wwwAuthenticate ?? '', /scope="read"/);
});

test('keys that cannot be fetched are 503 (retry), and an unexpected exception never becomes a 500', () => {
  assert.equal(toBearerChallenge(new OAuthError('store_unavailable')).status, 503);
  const crash = toBearerChallenge(new Error('secret internal message'));
  assert.equal(crash.status, 503);
  assert.ok(!JSON.stringify(crash.body).includes('secret internal message'));
});

test('RFC 7515 §2: a token with line breaks (the `openssl base64 -e` recipe) is refused, naming the line breaks and the fix', () => {
  const error = refusal(() => readBearerToken({ authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.eyJjbGllbnRjb2RlIjoiYyJ9\nAAAA.c2ln' }));
  assert.equal(error.reason, 'assertion_line_breaks');
  assert.match(error.message, /line breaks/);
  assert.match(error.message, /openssl base64 -A/);
  const challenge = toBearerChallenge(error);
  assert.equal(challenge.status, 401);
  assert.match(challenge.body.error_description, /line breaks.*openssl base64 -A/, 'the public description names the fix too');
});
