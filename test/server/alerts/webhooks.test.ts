// Alert webhooks: a JWS signed with the server's key, verified by the receiver with jose against
// /jwks; retries with backoff until delivered or the attempt cap; the jwks_uri address rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { AlertRecord } from '../../../packages/keyward/src/store/contract.ts';
import { addTestClient, assertionFor, flushAudit, makeDataDir, requestToken, startTestServer } from '../helpers.ts';

interface Receiver {
  url: string;
  bodies: { body: string; contentType: string | undefined }[];
  close: () => Promise<void>;
}

/** A webhook receiver on 127.0.0.1 answering `statuses` in turn (then 200). */
async function startReceiver(statuses: number[] = []): Promise<Receiver> {
  const bodies: Receiver['bodies'] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    req.on('end', () => {
      bodies.push({ body, contentType: req.headers['content-type'] });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/keyward`, bodies, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function waitFor<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

/** A new client's first token, and the new_key_first_use alert it raises. */
async function raiseFirstUseAlert(server: TestServer): Promise<{ client: Awaited<ReturnType<typeof addTestClient>>; alert: AlertRecord }> {
  const client = await addTestClient(server);
  assert.equal((await requestToken(server, client, {}, await assertionFor(server, client))).status, 200);
  await flushAudit(server);
  await server.context.alerts.settle();
  const [alert] = await server.context.store.alerts.listAlerts({ kind: 'new_key_first_use' });
  assert.ok(alert);
  return { client, alert };
}

/** The alert once none of its deliveries is pending. */
function settledDeliveries(server: TestServer, id: string): Promise<AlertRecord> {
  return waitFor('the deliveries to settle', async () => {
    const current = await server.context.store.alerts.getAlert(id);
    return current?.deliveries.every((d) => d.state !== 'pending') ? current : undefined;
  });
}

test('a new alert reaches the webhook as a JWS that jose verifies against /jwks (typ, iss, aud, jti)', async () => {
  const receiver = await startReceiver();
  const other = await startReceiver();
  const server = await startTestServer({ overrides: { clients: { jwksUriAllowHosts: ['127.0.0.1'] }, alerts: { webhooks: [{ url: receiver.url }, { url: other.url, kinds: ['replay_burst'] }] } } });
  try {
    const { client, alert } = await raiseFirstUseAlert(server);
    const delivered = await waitFor('the delivery', async () => {
      const current = await server.context.store.alerts.getAlert(alert.id);
      return current?.deliveries[0]?.state === 'delivered' ? current : undefined;
    });
    assert.equal(delivered.deliveries.length, 1, 'the second webhook only takes replay_burst');
    assert.equal(delivered.deliveries[0]!.attempts, 1);
    assert.equal(other.bodies.length, 0);
    assert.equal(receiver.bodies.length, 1);
    assert.equal(receiver.bodies[0]!.contentType, 'application/jwt');

    const jwks = createRemoteJWKSet(new URL(`${server.issuer}/jwks`));
    const { payload, protectedHeader } = await jwtVerify(receiver.bodies[0]!.body, jwks, { issuer: server.issuer, audience: receiver.url, typ: 'keyward-alert+jwt' });
    assert.equal(protectedHeader.typ, 'keyward-alert+jwt');
    assert.equal(payload.jti, alert.id);
    const body = payload.alert as Record<string, unknown>;
    assert.equal(body.id, alert.id);
    assert.equal(body.kind, 'new_key_first_use');
    assert.equal(body.client_id, client.clientId);
    assert.equal(body.key_thumbprint, client.thumbprint);
    // Another receiver's URL as audience does not verify: a copy cannot be replayed elsewhere.
    await assert.rejects(jwtVerify(receiver.bodies[0]!.body, jwks, { issuer: server.issuer, audience: other.url }));
  } finally {
    await server.stop();
    await receiver.close();
    await other.close();
  }
});

test('a failing webhook is retried with backoff until it answers 2xx, and marked failed after the attempt cap', async () => {
  const flaky = await startReceiver([500, 503]);
  const broken = await startReceiver([500, 500, 500, 500]);
  const server = await startTestServer({ overrides: { clients: { jwksUriAllowHosts: ['127.0.0.1'] }, alerts: { webhookRetryDelay: 1, webhookMaxAttempts: 3, webhooks: [{ url: flaky.url }, { url: broken.url }] } } });
  try {
    const { alert } = await raiseFirstUseAlert(server);
    const settled = await settledDeliveries(server, alert.id);
    const [first, second] = settled.deliveries;
    assert.deepEqual([first!.url, first!.state, first!.attempts], [flaky.url, 'delivered', 3]);
    assert.deepEqual([second!.url, second!.state, second!.attempts], [broken.url, 'failed', 3]);
    assert.match(second!.lastError ?? '', /HTTP 500/);
    assert.equal(flaky.bodies.length, 3);
    assert.equal(broken.bodies.length, 3, 'no attempt after the cap');
  } finally {
    await server.stop();
    await flaky.close();
    await broken.close();
  }
});

test('a delivery pending when the server stops is resumed by the next start, with its attempts so far; one to a webhook no longer configured is marked failed', async () => {
  const receiver = await startReceiver([500]);
  const gone = await startReceiver([500, 500]);
  const data = makeDataDir();
  const settings = (webhooks: { url: string }[]) => ({ clients: { jwksUriAllowHosts: ['127.0.0.1'] }, alerts: { webhookRetryDelay: 2, webhooks } });
  let server = await startTestServer({ dataDir: data.dir, overrides: settings([{ url: receiver.url }, { url: gone.url }]) });
  try {
    const { alert } = await raiseFirstUseAlert(server);
    await waitFor('a first failed attempt at each webhook', async () => {
      const current = await server.context.store.alerts.getAlert(alert.id);
      return current?.deliveries.every((d) => d.attempts === 1) ? current : undefined;
    });
    // Stopped before the retry is due: the deliveries stay pending, and the stop lets them go.
    await server.stop();
    server = await startTestServer({ dataDir: data.dir, overrides: settings([{ url: receiver.url }]) });
    const settled = await settledDeliveries(server, alert.id);
    const [resumed, removed] = settled.deliveries;
    assert.deepEqual([resumed!.url, resumed!.state, resumed!.attempts], [receiver.url, 'delivered', 2], 'the second attempt, after the restart');
    assert.equal(receiver.bodies.length, 2);
    assert.deepEqual([removed!.url, removed!.state, removed!.attempts], [gone.url, 'failed', 1]);
    assert.match(removed!.lastError ?? '', /no longer configured/);
    assert.equal(gone.bodies.length, 1, 'never called again');
  } finally {
    await server.stop();
    data.remove();
    await receiver.close();
    await gone.close();
  }
});

test('webhook URLs follow the jwks_uri address rules: a loopback receiver not allow-listed is refused, never called', async () => {
  const receiver = await startReceiver();
  const server = await startTestServer({ overrides: { alerts: { webhookMaxAttempts: 1, webhooks: [{ url: receiver.url }] } } });
  try {
    const { alert } = await raiseFirstUseAlert(server);
    const failed = await waitFor('the refusal', async () => {
      const current = await server.context.store.alerts.getAlert(alert.id);
      return current?.deliveries[0]?.state === 'failed' ? current : undefined;
    });
    assert.match(failed.deliveries[0]!.lastError ?? '', /must use https|loopback/);
    assert.equal(receiver.bodies.length, 0);
  } finally {
    await server.stop();
    await receiver.close();
  }
});

test('alerts.webhooks: a bad URL or an unknown kind is refused at start-up with the setting named', async () => {
  await assert.rejects(startTestServer({ overrides: { alerts: { webhooks: [{ url: 'ftp://x.example/' }] } } }), /alerts\.webhooks\.0\.url/);
  await assert.rejects(startTestServer({ overrides: { alerts: { webhooks: [{ url: 'https://x.example/', kinds: ['made_up' as 'key_age'] }] } } }), /alerts\.webhooks\.0\.kinds/);
});
