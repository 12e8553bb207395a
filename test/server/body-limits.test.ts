// Request bodies over real HTTP (raw sockets, so the test sees when the server answers): a
// credential is checked before the body is read, a declared length above server.maxBodyBytes is
// refused 413 unread, a chunked body is cut off at the cap, and an upload cut off by the client
// leaves no 500 and no unhandled rejection. For POST /register, /token and an admin route.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { exportPublicJwk } from '../../packages/core/src/keys/export-key.ts';
import { addTestClient, keyPairFor, readAnswer, requestToken, startTestServer, type TestClient } from './helpers.ts';

const MAX = 32768;
const MiB = 1024 * 1024;

let server: Awaited<ReturnType<typeof startTestServer>>;
let admin: TestClient;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => { unhandled.push(reason); };

before(async () => {
  process.on('unhandledRejection', onUnhandled);
  server = await startTestServer({ overrides: { server: { maxBodyBytes: MAX, requestTimeout: 5 } } });
  admin = await addTestClient(server, { scopes: ['keyward:admin'], clientId: 'admin-client' });
});
after(async () => {
  process.off('unhandledRejection', onUnhandled);
  await server.stop();
});

async function adminToken(): Promise<string> {
  const answer = await requestToken(server, admin, { scope: 'keyward:admin' });
  assert.equal(answer.status, 200, answer.text);
  return answer.json.access_token as string;
}

async function initialAccessToken(uses = 1): Promise<string> {
  const response = await fetch(`${server.url}/admin/v1/initial-access-tokens`, {
    method: 'POST', headers: { authorization: `Bearer ${await adminToken()}`, 'content-type': 'application/json' }, body: JSON.stringify({ uses }),
  });
  const answer = await readAnswer(response);
  assert.equal(answer.status, 201, answer.text);
  return answer.json.initial_access_token as string;
}

/** What a raw upload saw. */
interface Upload {
  /** The status of the answer, if one came. */
  readonly status?: number;
  /** The answer as received (status line, headers, body). */
  readonly text: string;
  /** Body bytes handed to the socket when the answer arrived. */
  readonly sentAtAnswer?: number;
  /** Body bytes handed to the socket in all. */
  readonly sent: number;
}

/**
 * POSTs up to `total` body bytes of `fill` to `path` over a raw socket, declared with
 * Content-Length `declared` or chunked when undefined, and stops writing when the answer arrives,
 * the connection closes, or (`abortAfter`) after that many bytes by destroying the socket.
 * Writes wait for the socket to drain, so the client never queues more than one chunk itself.
 */
function upload(path: string, options: { headers?: Record<string, string>; declared?: number; total: number; chunk?: number; abortAfter?: number }): Promise<Upload> {
  const { port } = new URL(server.url);
  const chunkSize = options.chunk ?? 64 * 1024;
  const piece = Buffer.alloc(chunkSize, 'a');
  return new Promise<Upload>((resolve) => {
    let text = '';
    let status: number | undefined;
    let sentAtAnswer: number | undefined;
    let sent = 0;
    let done = false;
    const socket = connect(Number(port), '127.0.0.1');
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      socket.destroy();
      resolve({ ...(status !== undefined ? { status } : {}), text, ...(sentAtAnswer !== undefined ? { sentAtAnswer } : {}), sent });
    };
    const deadline = setTimeout(finish, 15_000);
    socket.on('error', () => undefined);
    socket.on('data', (data) => {
      text += data.toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (match && status === undefined) {
        status = Number(match[1]);
        sentAtAnswer = sent;
      }
      // The whole answer (headers + declared body) is here: done.
      const head = text.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, head));
      if (head >= 0 && length && Buffer.byteLength(text, 'latin1') >= head + 4 + Number(length[1])) setTimeout(finish, 20);
    });
    socket.on('close', () => setTimeout(finish, 20));
    socket.on('connect', async () => {
      const headers = { host: 'x', ...options.headers, ...(options.declared !== undefined ? { 'content-length': String(options.declared) } : { 'transfer-encoding': 'chunked' }) };
      socket.write(`POST ${path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
      while (!done && status === undefined && !socket.destroyed && sent < options.total) {
        if (options.abortAfter !== undefined && sent >= options.abortAfter) {
          socket.destroy();
          return;
        }
        const size = Math.min(chunkSize, options.total - sent);
        const data = size === chunkSize ? piece : piece.subarray(0, size);
        const flushed = options.declared !== undefined ? socket.write(data) : socket.write(Buffer.concat([Buffer.from(`${size.toString(16)}\r\n`), data, Buffer.from('\r\n')]));
        sent += size;
        if (!flushed) await new Promise<void>((go) => { socket.once('drain', go); socket.once('close', go); });
      }
      if (options.declared === undefined && !socket.destroyed && status === undefined) socket.write('0\r\n\r\n');
    });
  });
}

function jsonOf(answer: Upload): Record<string, unknown> {
  return JSON.parse(answer.text.slice(answer.text.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
}

const JSON_TYPE = { 'content-type': 'application/json' };

test('POST /register: a 300 MB upload without a usable initial access token is answered 401 before it is sent, and never buffered', async () => {
  // Declared 300 MB, no token at all: 401 at once.
  const missing = await upload('/register', { headers: JSON_TYPE, declared: 300 * MiB, total: 32 * MiB });
  assert.equal(missing.status, 401, missing.text);
  assert.ok(missing.sentAtAnswer! < 16 * MiB, `answered after ${missing.sentAtAnswer} bytes`);
  // Chunked, with a made-up token (the store is asked, nothing is consumed): 401 long before the end.
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const madeUp = await upload('/register', { headers: { ...JSON_TYPE, authorization: 'Bearer made-up-token' }, total: 96 * MiB });
  const growth = process.memoryUsage().rss - rssBefore;
  assert.equal(madeUp.status, 401, madeUp.text);
  assert.match(madeUp.text, /www-authenticate: Bearer/i);
  assert.ok(madeUp.sentAtAnswer! < 16 * MiB, `answered after ${madeUp.sentAtAnswer} bytes`);
  assert.ok(madeUp.sent < 96 * MiB, 'the client was stopped before it sent everything');
  assert.ok(growth < 48 * MiB, `RSS grew by ${Math.round(growth / MiB)} MiB`);
});

test('POST /register with a valid token: a declared length above the cap is 413 unread, a chunked body is cut off at the cap with 413, and the token is not used up', async () => {
  const iat = await initialAccessToken(1);
  const auth = { ...JSON_TYPE, authorization: `Bearer ${iat}` };
  const declared = await upload('/register', { headers: auth, declared: 300 * MiB, total: 32 * MiB });
  assert.equal(declared.status, 413, declared.text);
  assert.equal(jsonOf(declared).error, 'invalid_request');
  assert.ok(declared.sentAtAnswer! < 16 * MiB, `answered after ${declared.sentAtAnswer} bytes`);
  const chunked = await upload('/register', { headers: auth, total: 32 * MiB });
  assert.equal(chunked.status, 413, chunked.text);
  assert.ok(chunked.sentAtAnswer! < 16 * MiB, `answered after ${chunked.sentAtAnswer} bytes`);
  // Neither refusal consumed the single use.
  const jwks = { keys: [exportPublicJwk(keyPairFor('ES256', 41).publicKey)] };
  const registered = await readAnswer(await fetch(`${server.url}/register`, { method: 'POST', headers: auth, body: JSON.stringify({ jwks, client_name: 'after refusals' }) }));
  assert.equal(registered.status, 201, registered.text);
});

test('POST /token: a declared length above the cap is 413 unread; a chunked body is cut off at the cap with 413', async () => {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const declared = await upload('/token', { headers: form, declared: 300 * MiB, total: 32 * MiB });
  assert.equal(declared.status, 413, declared.text);
  assert.ok(declared.sentAtAnswer! < 16 * MiB);
  const chunked = await upload('/token', { headers: form, total: 32 * MiB });
  assert.equal(chunked.status, 413, chunked.text);
  assert.equal(jsonOf(chunked).error, 'invalid_request');
  assert.ok(chunked.sentAtAnswer! < 16 * MiB, `answered after ${chunked.sentAtAnswer} bytes`);
});

test('admin API: an upload without an admin token is 401 before it is read; with one, 413 by declared length and when chunked', async () => {
  const anonymous = await upload('/admin/v1/clients', { headers: JSON_TYPE, total: 32 * MiB });
  assert.equal(anonymous.status, 401, anonymous.text);
  assert.ok(anonymous.sentAtAnswer! < 16 * MiB, `answered after ${anonymous.sentAtAnswer} bytes`);
  const auth = { ...JSON_TYPE, authorization: `Bearer ${await adminToken()}` };
  const declared = await upload('/admin/v1/clients', { headers: auth, declared: 300 * MiB, total: 32 * MiB });
  assert.equal(declared.status, 413, declared.text);
  const chunked = await upload('/admin/v1/clients', { headers: auth, total: 32 * MiB });
  assert.equal(chunked.status, 413, chunked.text);
  assert.ok(chunked.sentAtAnswer! < 16 * MiB, `answered after ${chunked.sentAtAnswer} bytes`);
});

test('uploads cut off by the client (declared and chunked) leave no 500 and no unhandled rejection; the server answers normally', async () => {
  const iat = await initialAccessToken(1);
  const token = await adminToken();
  const cases: Array<[string, Record<string, string>]> = [
    ['/register', { ...JSON_TYPE, authorization: `Bearer ${iat}` }],
    ['/token', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['/admin/v1/clients', { ...JSON_TYPE, authorization: `Bearer ${token}` }],
  ];
  for (const [path, headers] of cases) {
    await upload(path, { headers, declared: MAX - 1, total: MAX - 1, chunk: 1000, abortAfter: 5000 });
    await upload(path, { headers, total: MAX - 1, chunk: 1000, abortAfter: 5000 });
  }
  await new Promise((go) => setTimeout(go, 300));
  assert.deepEqual(unhandled, []);
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.doesNotMatch(metrics, /status="5\d\d"/, 'no request was answered 5xx');
  // Still serving: the single-use token was not consumed by the cut-off upload.
  const jwks = { keys: [exportPublicJwk(keyPairFor('ES256', 42).publicKey)] };
  const registered = await readAnswer(await fetch(`${server.url}/register`, { method: 'POST', headers: { ...JSON_TYPE, authorization: `Bearer ${iat}` }, body: JSON.stringify({ jwks }) }));
  assert.equal(registered.status, 201, registered.text);
  const granted = await requestToken(server, admin, { scope: 'keyward:admin' });
  assert.equal(granted.status, 200, granted.text);
});
