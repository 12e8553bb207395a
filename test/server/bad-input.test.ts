// Bad input at the token endpoint: each case gets the right 4xx with RFC 6749 §5.2 JSON and
// Cache-Control: no-store; never a 500, never a hang (every request has a deadline).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { addTestClient, assertionFor, CLIENT_ASSERTION_TYPE, readAnswer, startTestServer, type Answer, type TestClient } from './helpers.ts';

let server: Awaited<ReturnType<typeof startTestServer>>;
let client: TestClient;
before(async () => {
  server = await startTestServer({ overrides: { server: { maxBodyBytes: 32768, requestTimeout: 2 } } });
  client = await addTestClient(server);
});
after(async () => { await server.stop(); });

async function send(body: string | Uint8Array, headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' }, method = 'POST'): Promise<Answer> {
  const response = await fetch(`${server.url}/token`, { method, headers, ...(method === 'GET' ? {} : { body: body as BodyInit }), signal: AbortSignal.timeout(5000) });
  return readAnswer(response);
}

function expectError(answer: Answer, status: number, error: string, description?: RegExp): void {
  assert.equal(answer.status, status, answer.text);
  assert.equal(answer.json.error, error);
  assert.equal(typeof answer.json.error_description, 'string');
  if (description) assert.match(String(answer.json.error_description), description);
  assert.equal(answer.headers.get('cache-control'), 'no-store');
  assert.match(answer.headers.get('content-type') ?? '', /application\/json/);
}

async function validForm(extra: Record<string, string> = {}): Promise<URLSearchParams> {
  return new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: await assertionFor(server, client), ...extra });
}

test('RFC 6749 §3.2: a JSON body (wrong content type) is invalid_request 400', async () => {
  expectError(await send(JSON.stringify({ grant_type: 'client_credentials' }), { 'content-type': 'application/json' }), 400, 'invalid_request', /form-urlencoded/);
  expectError(await send('grant_type=client_credentials', {}), 400, 'invalid_request');
});

test('an oversized body is 413 invalid_request, by Content-Length and when chunked', async () => {
  expectError(await send(`grant_type=client_credentials&x=${'a'.repeat(40000)}`), 413, 'invalid_request', /too large/);
  const stream = new ReadableStream({ start(controller) { for (let i = 0; i < 10; i += 1) controller.enqueue(new TextEncoder().encode('a'.repeat(5000))); controller.close(); } });
  const response = await fetch(`${server.url}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: stream, duplex: 'half', signal: AbortSignal.timeout(5000) } as RequestInit);
  expectError(await readAnswer(response), 413, 'invalid_request');
});

test('RFC 6749 §3.2: a repeated parameter is invalid_request naming it', async () => {
  const form = await validForm();
  form.append('grant_type', 'client_credentials');
  expectError(await send(form.toString()), 400, 'invalid_request', /more than once/);
  const twice = await validForm();
  twice.append('client_assertion', await assertionFor(server, client));
  expectError(await send(twice.toString()), 400, 'invalid_request', /more than once/);
});

test('RFC 6749 §2.3: client_assertion plus HTTP Basic is invalid_request (two methods)', async () => {
  const basic = `Basic ${Buffer.from(`${client.clientId}:secret`).toString('base64')}`;
  expectError(await send((await validForm()).toString(), { 'content-type': 'application/x-www-form-urlencoded', authorization: basic }), 400, 'invalid_request', /more than one/);
  expectError(await send((await validForm({ client_secret: 'x' })).toString()), 400, 'invalid_request', /more than one/);
});

test('Basic or client_secret alone is invalid_client 401 (private_key_jwt only), with WWW-Authenticate for the header', async () => {
  const answer = await send('grant_type=client_credentials', { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic YTpi' });
  expectError(answer, 401, 'invalid_client', /private_key_jwt/);
  assert.match(answer.headers.get('www-authenticate') ?? '', /^Basic/);
  expectError(await send(`grant_type=client_credentials&client_id=${client.clientId}&client_secret=s`), 401, 'invalid_client');
});

test('an Authorization scheme that is not an RFC 9110 token is not echoed into WWW-Authenticate', async () => {
  for (const authorization of ['Basic"realm=x YTpi', `${'B'.repeat(100)} YTpi`, 'B@sic YTpi']) {
    const answer = await send('grant_type=client_credentials', { 'content-type': 'application/x-www-form-urlencoded', authorization });
    expectError(answer, 401, 'invalid_client');
    assert.equal(answer.headers.get('www-authenticate'), null, authorization);
  }
});

test('unknown or missing grant_type', async () => {
  expectError(await send((await validForm({ grant_type: 'password' })).toString()), 400, 'unsupported_grant_type', /supported grant types: client_credentials, urn:ietf:params:oauth:grant-type:jwt-bearer/);
  expectError(await send(`client_assertion_type=${encodeURIComponent(CLIENT_ASSERTION_TYPE)}`), 400, 'invalid_request', /required parameter/);
});

test('missing client authentication, missing assertion, wrong assertion type', async () => {
  expectError(await send('grant_type=client_credentials'), 401, 'invalid_client', /private_key_jwt/);
  expectError(await send(`grant_type=client_credentials&client_assertion_type=${encodeURIComponent(CLIENT_ASSERTION_TYPE)}`), 400, 'invalid_request');
  expectError(await send('grant_type=client_credentials&client_assertion=abc'), 400, 'invalid_request', /client_assertion_type/);
  expectError(await send(`grant_type=client_credentials&client_assertion=abc&client_assertion_type=urn%3Ax`), 400, 'invalid_request', /client_assertion_type/);
});

test('garbage: non-JWT assertions, binary bodies, broken percent-encoding, huge parameter names', async () => {
  const type = encodeURIComponent(CLIENT_ASSERTION_TYPE);
  for (const assertion of ['not-a-jwt', 'a.b.c', 'eyJhbGciOiJub25lIn0.e30.', '...', '%00', `${'A'.repeat(20000)}.${'B'.repeat(20)}.c`]) {
    const answer = await send(`grant_type=client_credentials&client_assertion_type=${type}&client_assertion=${encodeURIComponent(assertion)}`);
    assert.ok(answer.status === 400 || answer.status === 401, `${assertion.slice(0, 20)}: ${answer.status}`);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
  }
  const binary = await send(new Uint8Array([0xff, 0xfe, 0x00, 0x80, 0x3d, 0x26]));
  assert.equal(binary.status, 400);
  expectError(await send('grant_type=%E0%A4%A&%%%=1'), 400, 'unsupported_grant_type');
  expectError(await send(`${'x'.repeat(1000)}=1&grant_type=client_credentials`), 401, 'invalid_client');
});

test('the openssl `base64 -e` recipe as written (line breaks in the JWT) is refused naming the line breaks', async () => {
  const assertion = await assertionFor(server, client);
  const [h, p, s] = assertion.split('.') as [string, string, string];
  const wrapped = `${h}.${p.replace(/(.{64})/g, '$1\n')}.${s.replace(/(.{64})/g, '$1\n')}`;
  const answer = await send(`grant_type=client_credentials&client_assertion_type=${encodeURIComponent(CLIENT_ASSERTION_TYPE)}&client_assertion=${encodeURIComponent(wrapped)}`);
  expectError(answer, 401, 'invalid_client', /line breaks.*openssl base64 -A/);
});

test('wrong methods and unknown paths are 405/404 JSON, never 500', async () => {
  const get = await send('', {}, 'GET');
  assert.equal(get.status, 405);
  assert.equal(get.json.error, 'invalid_request');
  const missing = await fetch(`${server.url}/nope`);
  assert.equal(missing.status, 404);
  assert.equal(((await missing.json()) as { error: string }).error, 'not_found');
});

test('a body that never completes is cut off by the request timeout (no hang)', async () => {
  const { port } = new URL(server.url);
  const started = Date.now();
  const closed = await new Promise<string>((resolve) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write('POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant_type=');
    });
    let data = '';
    socket.on('data', (chunk) => { data += chunk.toString(); });
    socket.on('close', () => resolve(data));
    socket.setTimeout(8000, () => { socket.destroy(); resolve('client timeout'); });
  });
  assert.notEqual(closed, 'client timeout', 'the server closed the connection');
  assert.ok(Date.now() - started < 8000);
});

test('a valid request still works after all that', async () => {
  const answer = await send((await validForm()).toString());
  assert.equal(answer.status, 200, answer.text);
});
