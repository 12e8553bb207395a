// Shutdown as an orchestrator drives it, and start-up on a busy port: SIGTERM drains (/ready 503,
// answers close their connections, requests still served) for server.shutdownDrain, requests under
// way get server.shutdownGrace, a body cut at the end of the grace is not recorded as malformed, and
// a busy port stops `keyward serve` before it opens or creates anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { exportPublicPem } from '../../packages/core/src/keys/export-key.ts';
import { signClientAssertion } from '../../packages/core/src/assertion/sign-client-assertion.ts';
import { openStore } from '../../packages/keyward/src/store/open-store.ts';
import { addTestClient, assertionFor, CLIENT_ASSERTION_TYPE, keyPairFor, makeDataDir, readAnswer, requestToken, startTestServer } from './helpers.ts';

const BIN = new URL('../../bin/keyward.mjs', import.meta.url).pathname;

test('a busy port: keyward serve exits with one clear line before it opens the store (no data directory is created)', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as AddressInfo).port;
  const data = makeDataDir();
  const dataDir = join(data.dir, 'fresh');
  try {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.notEqual(code, 0);
    assert.match(stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
    assert.equal(existsSync(dataDir), false, 'nothing was opened or created: the port is checked first');
  } finally {
    blocker.close();
    data.remove();
  }
});

test('close(): during server.shutdownDrain /ready answers 503 draining, tokens are still served with Connection: close; then nothing is accepted', async () => {
  const server = await startTestServer({ overrides: { server: { shutdownDrain: 2, shutdownGrace: 5 } } });
  const client = await addTestClient(server);
  assert.equal((await fetch(`${server.url}/ready`)).status, 200);
  const closing = server.close();
  const ready = await fetch(`${server.url}/ready`);
  assert.equal(ready.status, 503);
  assert.deepEqual(await ready.json(), { status: 'draining' });
  const token = await requestToken(server, client);
  assert.equal(token.status, 200, 'still serving while draining');
  assert.equal(token.headers.get('connection'), 'close', 'clients are told to reconnect elsewhere');
  await closing;
  await assert.rejects(fetch(`${server.url}/health`), 'no longer accepting after the drain');
  await server.stop();
});

test('a token request still arriving when the grace ends is cut, and not recorded as request_malformed', async () => {
  const server = await startTestServer({ overrides: { server: { shutdownGrace: 1 } } });
  const client = await addTestClient(server);
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: await assertionFor(server, client) }).toString();
  const url = new URL(`${server.url}/token`);
  // Half a body, then silence: the request is under way when the node stops accepting.
  const slow = request({ host: url.hostname, port: url.port, path: '/token', method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length) } });
  const ended = new Promise<string>((resolve) => {
    slow.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    slow.on('response', (response) => resolve(`status ${response.statusCode}`));
  });
  slow.write(body.slice(0, 20));
  await new Promise((resolve) => setTimeout(resolve, 200));
  const started = Date.now();
  await server.close({ drain: false });
  assert.ok(Date.now() - started >= 900, 'close waited for the grace');
  assert.equal(await ended, 'ECONNRESET', 'the unfinished request was cut when the grace ended');
  const store = await openStore({ dataDir: server.dataDir });
  try {
    const refused = await store.audit.queryAudit({ type: 'token.refused' });
    assert.deepEqual(refused.map((event) => event.reason), [], 'the cut request is not a refusal of the client');
  } finally {
    await store.close();
    await server.stop();
  }
});

/** `keyward serve` on a port of its own, with a client registered by the CLI; resolves once it listens. */
async function startServeProcess(env: Record<string, string>): Promise<{ url: string; child: ReturnType<typeof spawn>; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--host', '127.0.0.1'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match) resolve(match[1]!);
    });
    void exited.then(() => reject(new Error(`serve exited: ${stderr}`)));
  });
  return { url, child, exited };
}

test('SIGTERM during 16 connections of token requests: /ready goes 503 at once, requests keep being served through the drain, none fails; exit 0', async () => {
  const data = makeDataDir();
  const { privateKey, publicKey } = keyPairFor('ES256', 7);
  writeFileSync(join(data.dir, 'public.pem'), exportPublicPem(publicKey));
  const env = { KEYWARD_DATA_DIR: data.dir, KEYWARD_LOG_LEVEL: 'silent', KEYWARD_SERVER_SHUTDOWN_DRAIN: '3', KEYWARD_SERVER_SHUTDOWN_GRACE: '5' };
  const add = spawn(process.execPath, [BIN, 'clients', 'add', '--name', 'drain', '--client-id', 'drain-client', '--public-key', join(data.dir, 'public.pem')], { env: { ...process.env, ...env }, stdio: 'ignore' });
  assert.equal(await new Promise((resolve) => add.on('exit', resolve)), 0);
  const serve = await startServeProcess(env);
  const outcomes = { ok: 0, closedAfterAnswer: 0, failed: [] as string[] };
  // Like a load balancer: traffic goes on until the drain has been seen for a while, then stops.
  let sending = true;
  const loop = async () => {
    while (sending) {
      try {
        const assertion = await signClientAssertion({ clientId: 'drain-client', audience: serve.url, privateKey, alg: 'ES256' });
        const response = await fetch(`${serve.url}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: assertion }) });
        const answer = await readAnswer(response);
        if (answer.status === 200) outcomes.ok += 1;
        else outcomes.failed.push(`status ${answer.status} ${answer.text}`);
        if (response.headers.get('connection') === 'close') outcomes.closedAfterAnswer += 1;
      } catch (error) {
        outcomes.failed.push((error as { cause?: { code?: string } }).cause?.code ?? String(error));
      }
    }
  };
  try {
    const loops = Array.from({ length: 16 }, loop);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    serve.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal((await fetch(`${serve.url}/ready`)).status, 503, '/ready says draining at once');
    const atDrain = outcomes.ok;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const duringDrain = outcomes.ok - atDrain;
    sending = false;
    await Promise.all(loops);
    assert.equal(await serve.exited, 0, 'a clean exit after drain and grace');
    assert.deepEqual(outcomes.failed, [], 'no request failed: none was reset, none refused');
    assert.ok(duringDrain > 0, 'requests were served during the drain');
    assert.ok(outcomes.closedAfterAnswer > 0, 'answers during the drain closed their connections');
  } finally {
    sending = false;
    serve.child.kill('SIGKILL');
    data.remove();
  }
});
