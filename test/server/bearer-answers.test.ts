/**
 * One Bearer rule for the server and the verifier (RFC 6750 §2.1 reading, §3.1 answers): every
 * protected endpoint of the server (the admin API, the key-distribution endpoint, dynamic
 * registration and its management endpoint) answers a missing or malformed Bearer credential with
 * the status and error code the verifier's adapters give for the same header: no credential or
 * another scheme → 401 without an error code; `Bearer` without one b64token, or a token in the
 * query → 400 invalid_request.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { OAuthError } from '../../packages/core/src/errors.ts';
import { toBearerChallenge } from '../../packages/verify/src/errors.ts';
import { readBearerToken } from '../../packages/verify/src/read-bearer-token.ts';
import { readAnswer, startTestServer } from './helpers.ts';

let server: Awaited<ReturnType<typeof startTestServer>>;
before(async () => { server = await startTestServer(); });
after(async () => { await server.stop(); });

const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';

/** Header (or none) and query of each case, and the answer RFC 6750 §3.1 gives it. */
const CASES: ReadonlyArray<{ name: string; authorization?: string; query?: string; status: number; error?: string }> = [
  { name: 'no Authorization header', status: 401 },
  { name: 'another scheme', authorization: 'Basic YTpi', status: 401 },
  { name: 'Bearer with no token', authorization: 'Bearer', status: 400, error: 'invalid_request' },
  { name: 'a token with a space inside', authorization: 'Bearer abc def', status: 400, error: 'invalid_request' },
  { name: 'a character outside b64token', authorization: 'Bearer abc"def', status: 400, error: 'invalid_request' },
  { name: 'two credentials in one header', authorization: `Bearer ${TOKEN}, Bearer ${TOKEN}`, status: 400, error: 'invalid_request' },
  { name: 'a token in the query beside the header', authorization: `Bearer ${TOKEN}`, query: `access_token=${TOKEN}`, status: 400, error: 'invalid_request' },
];

const ENDPOINTS: ReadonlyArray<{ method: string; path: string }> = [
  { method: 'GET', path: '/admin/v1/clients' },
  { method: 'GET', path: '/resource/v1/clients/some-client/keys' },
  { method: 'POST', path: '/register' },
  { method: 'GET', path: '/register/some-client' },
];

test('RFC 6750 §3.1: the verifier answers each malformed or missing credential as the table says', () => {
  for (const c of CASES) {
    const url = `http://api.example/orders${c.query ? `?${c.query}` : ''}`;
    let refusal: unknown;
    try {
      readBearerToken(new Request(url, { headers: c.authorization === undefined ? {} : { authorization: c.authorization } }));
    } catch (error) {
      refusal = error;
    }
    assert.ok(refusal instanceof OAuthError, c.name);
    const challenge = toBearerChallenge(refusal);
    assert.equal(challenge.status, c.status, c.name);
    if (c.error !== undefined) assert.equal(challenge.body.error, c.error, c.name);
  }
});

test('RFC 6750 §3.1: every protected endpoint of the server answers the same', async () => {
  for (const endpoint of ENDPOINTS) {
    for (const c of CASES) {
      const response = await fetch(`${server.url}${endpoint.path}${c.query ? `?${c.query}` : ''}`, {
        method: endpoint.method,
        headers: { ...(c.authorization === undefined ? {} : { authorization: c.authorization }), ...(endpoint.method === 'POST' ? { 'content-type': 'application/json' } : {}) },
        ...(endpoint.method === 'POST' ? { body: '{}' } : {}),
      });
      const answer = await readAnswer(response);
      const label = `${endpoint.method} ${endpoint.path}: ${c.name}`;
      assert.equal(answer.status, c.status, `${label}: ${answer.text}`);
      if (c.error !== undefined) assert.equal(answer.json.error, c.error, label);
      if (c.status === 401) {
        // RFC 6750 §3.1: no credential offered → a challenge without an error code.
        assert.equal(answer.headers.get('www-authenticate'), 'Bearer realm="keyward"', label);
      }
    }
  }
});
