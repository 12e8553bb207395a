// Property-based fuzzing over real HTTP (a started server on 127.0.0.1, SQLite in a temporary
// directory): POST /token, /par, /introspect and /register with fuzzed bodies, content types and
// Authorization headers. Every answer comes within the deadline, below 500, and a refusal is the
// RFC 6749 §5.2 / RFC 7591 §3.2.2 JSON error (`error` a wire code of the reason catalogue, an
// `error_description`) with Cache-Control: no-store.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { exportPublicJwk } from '../../packages/core/src/keys/export-key.ts';
import { addTestClient, assertionFor, CLIENT_ASSERTION_TYPE, keyPairFor, readAnswer, requestToken, startTestServer, type Answer, type TestClient } from '../server/helpers.ts';
import { CASE_BUDGET_MS, fuzzParameters, stringOver, WIRE_ERROR_CODES } from './fuzz-settings.ts';
import { jsonText } from './json-text.ts';

let server: Awaited<ReturnType<typeof startTestServer>>;
let client: TestClient;
/** Fresh valid assertions of the test client, and a real access token (for /introspect). */
const assertions: string[] = [];
let accessToken = '';
let initialAccessToken = '';

before(async () => {
  server = await startTestServer({ overrides: { server: { maxBodyBytes: 4096 }, rateLimit: { enabled: false } } });
  client = await addTestClient(server, { scopes: ['read', 'write'] });
  const admin = await addTestClient(server, { scopes: ['keyward:admin'], clientId: 'fuzz-admin' });
  for (let i = 0; i < 20; i += 1) assertions.push(await assertionFor(server, client));
  accessToken = (await requestToken(server, client)).json.access_token as string;
  const adminToken = (await requestToken(server, admin, { scope: 'keyward:admin' })).json.access_token as string;
  const created = await readAnswer(await fetch(`${server.url}/admin/v1/initial-access-tokens`, {
    method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ uses: null }),
  }));
  assert.equal(created.status, 201, created.text);
  initialAccessToken = created.json.initial_access_token as string;
});
after(async () => { await server.stop(); });

/** Strings that can travel as an HTTP field value (what a client library lets through). */
const fieldValue = (maxLength: number) => fc.string({ maxLength, unit: fc.integer({ min: 0x20, max: 0xfe }).map((c) => String.fromCharCode(c === 0x7f ? 0x09 : c)) });
const authorizationHeader = fc.option(fc.oneof(
  fc.constantFrom('Bearer ', 'Basic YTpi', 'bearer x.y.z', 'DPoP abc', 'Bearer a, Bearer b', 'Bearer ====', `Bearer ${'A'.repeat(5000)}`),
  fc.tuple(fc.constantFrom('Bearer ', 'Basic ', ''), fieldValue(40)).map(([scheme, value]) => scheme + value),
), { nil: undefined });
const formContentType = fc.oneof(
  { weight: 5, arbitrary: fc.constant('application/x-www-form-urlencoded') },
  { weight: 1, arbitrary: fc.constantFrom('application/json', 'text/plain', 'APPLICATION/X-WWW-FORM-URLENCODED; charset=utf-8', 'multipart/form-data; boundary=x') },
  { weight: 1, arbitrary: fieldValue(30) },
);

/** A valid assertion, damaged or not. */
const assertion = fc.tuple(fc.nat(19), fc.nat(), fc.constantFrom('keep', 'flip', 'cut', 'newline', 'pad', 'swap-parts'))
  .map(([index, at, how]) => {
    const token = assertions[index]!;
    const i = at % token.length;
    if (how === 'flip') return token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
    if (how === 'cut') return token.slice(0, i);
    if (how === 'newline') return token.replace(/(.{64})/g, '$1\n');
    if (how === 'pad') return `${token}==`;
    if (how === 'swap-parts') return token.split('.').reverse().join('.');
    return token;
  });
const parameterValue = fc.oneof(assertion, fc.constantFrom('client_credentials', CLIENT_ASSERTION_TYPE, 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'authorization_code', 'refresh_token', 'code', 'S256', 'plain', 'read', 'read write', 'keyward:admin', 'https://api.example', 'https://rp.example/cb', 'A'.repeat(43), '', 'x'.repeat(5000)), fc.string({ maxLength: 20 }));
const parameterName = fc.constantFrom('grant_type', 'client_assertion_type', 'client_assertion', 'client_id', 'client_secret', 'scope', 'resource', 'assertion', 'token', 'token_type_hint', 'extra',
  'code', 'code_verifier', 'redirect_uri', 'refresh_token', 'response_type', 'code_challenge', 'code_challenge_method', 'request_uri', 'prompt', 'max_age');
/** A form body: parameters (some repeated), or raw bytes that are no form at all. */
const formBody = fc.oneof(
  { weight: 5, arbitrary: fc.array(fc.tuple(parameterName, parameterValue), { maxLength: 7 }).map((pairs) => new URLSearchParams(pairs).toString()) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...assertions.length ? assertions : ['x']), fc.array(fc.tuple(parameterName, parameterValue), { maxLength: 3 }))
    .map(([, extra]) => `grant_type=client_credentials&client_assertion_type=${encodeURIComponent(CLIENT_ASSERTION_TYPE)}&client_assertion=${encodeURIComponent(assertions[0] ?? '')}&${new URLSearchParams(extra).toString()}`) },
  { weight: 1, arbitrary: stringOver(['a', '=', '&', '%', '%zz', '%C3', '+', 'grant_type=', 'é', '\0'], 40) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 60 }) },
);

/**
 * POSTs with node:http rather than fetch: fetch refuses some header values a raw client can still
 * send (leading or trailing spaces, Latin-1 characters), and the server must face those too.
 */
function send(path: string, body: string | Uint8Array, contentType: string | undefined, authorization: string | undefined): Promise<Answer> {
  const headers: Record<string, string | number> = { 'content-length': Buffer.byteLength(body) };
  if (contentType !== undefined && contentType !== '') headers['content-type'] = contentType;
  if (authorization !== undefined) headers.authorization = authorization;
  return new Promise<Answer>((resolve, reject) => {
    const request = httpRequest(`${server.url}${path}`, { method: 'POST', headers, agent: false, timeout: CASE_BUDGET_MS * 5 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          json = {};
        }
        const answerHeaders = new Headers();
        for (const [name, value] of Object.entries(response.headers)) if (typeof value === 'string') answerHeaders.set(name, value);
        resolve({ status: response.statusCode ?? 0, headers: answerHeaders, text, json });
      });
    });
    request.on('timeout', () => request.destroy(new Error(`POST ${path} got no answer within ${CASE_BUDGET_MS * 5} ms`)));
    request.on('error', (error) => reject(new Error(`POST ${path} got no answer: ${error.message}`)));
    request.end(body);
  });
}

/** Below 500; a refusal is the JSON error of the catalogue with no-store. */
function checkAnswer(answer: Answer, success: number): void {
  assert.ok(answer.status < 500, `status ${answer.status}: ${answer.text}`);
  assert.equal(answer.headers.get('cache-control'), 'no-store');
  if (answer.status === success) return;
  assert.ok(answer.status >= 400, `status ${answer.status}`);
  assert.ok(WIRE_ERROR_CODES.has(String(answer.json.error)), `error ${JSON.stringify(answer.json.error)} is not a catalogue code: ${answer.text}`);
  assert.equal(typeof answer.json.error_description, 'string');
}

test('POST /token: fuzzed forms, content types and Authorization headers never answer 5xx', async () => {
  await fc.assert(fc.asyncProperty(formBody, formContentType, authorizationHeader, async (body, type, authorization) => {
    checkAnswer(await send('/token', body, type, authorization), 200);
  }), fuzzParameters(400));
});

test('POST /par: fuzzed forms, content types and Authorization headers never answer 5xx', async () => {
  await fc.assert(fc.asyncProperty(formBody, formContentType, authorizationHeader, async (body, type, authorization) => {
    checkAnswer(await send('/par', body, type, authorization), 201);
  }), fuzzParameters(300));
});

test('POST /introspect: fuzzed forms and headers never answer 5xx', async () => {
  const withToken = formBody.map((body) => (typeof body === 'string' ? `${body}&token=${encodeURIComponent(accessToken)}` : body));
  await fc.assert(fc.asyncProperty(fc.oneof(formBody, withToken), formContentType, authorizationHeader, async (body, type, authorization) => {
    checkAnswer(await send('/introspect', body, type, authorization), 200);
  }), fuzzParameters(300));
});

test('POST /register: fuzzed metadata, content types and Authorization headers never answer 5xx', async () => {
  const jwk = exportPublicJwk(keyPairFor('ES256', 7).publicKey);
  const metadata = fc.record({
    jwks: fc.oneof(fc.constant({ keys: [jwk] }), fc.jsonValue({ maxDepth: 2 }), fc.constantFrom({ keys: [null] }, { keys: [{ kty: 'RSA' }] }, { keys: [{ ...jwk, d: 'AAAA' }] })),
    jwks_uri: fc.oneof(fc.constantFrom('https://client.example/jwks', 'http://127.0.0.1:1/jwks', 'http://[::1]/', 'file:///etc/passwd', 'nonsense'), fc.jsonValue({ maxDepth: 1 })),
    scope: fc.oneof(fc.constantFrom('read', 'keyward:admin', 'a"b'), fc.jsonValue({ maxDepth: 1 })),
    grant_types: fc.oneof(fc.constantFrom(['client_credentials'], ['password'], []), fc.jsonValue({ maxDepth: 1 })),
    client_name: fc.oneof(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 1 })),
    token_endpoint_auth_method: fc.constantFrom('private_key_jwt', 'none', 'client_secret_basic'),
    contacts: fc.jsonValue({ maxDepth: 1 }),
  }, { requiredKeys: [] });
  // Valid metadata with one field fuzzed: reaches the registry, not only the first refusal.
  const nearlyValid = fc.tuple(metadata, fc.constantFrom('scope', 'grant_types', 'client_name', 'contacts'))
    .map(([m, field]) => ({ jwks: { keys: [jwk] }, ...(field in m ? { [field]: (m as Record<string, unknown>)[field] } : {}) }));
  const body = fc.oneof(
    { weight: 2, arbitrary: metadata.map((m) => JSON.stringify(m)) },
    { weight: 2, arbitrary: nearlyValid.map((m) => JSON.stringify(m)) },
    { weight: 1, arbitrary: jsonText.map((j) => j.text) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 60 }) },
    { weight: 1, arbitrary: fc.constant(`{"client_name":"${'x'.repeat(6000)}"}`) },
  );
  const type = fc.oneof({ weight: 5, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: formContentType });
  const authorization = fc.oneof({ weight: 3, arbitrary: fc.constant(`Bearer ${initialAccessToken}`) }, { weight: 1, arbitrary: authorizationHeader });
  let registered = 0;
  await fc.assert(fc.asyncProperty(body, type, authorization, async (text, contentType, auth) => {
    const answer = await send('/register', text, contentType, auth);
    checkAnswer(answer, 201);
    if (answer.status === 201) registered += 1;
  }), fuzzParameters(300));
  // The fuzzing must also reach the registry (a client created), not only the early refusals.
  assert.ok(registered > 0, 'no fuzzed registration succeeded');
});
