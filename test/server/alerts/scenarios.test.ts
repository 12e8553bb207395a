// Each alert kind raised by a scripted scenario against a started server, and not raised by the
// matching normal traffic. The server's clock is moved instead of waiting (minutes, days).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { signClientAssertion } from '../../../packages/core/src/assertion/sign-client-assertion.ts';
import type { AlertKind, AlertRecord } from '../../../packages/keyward/src/store/contract.ts';
import type { KeywardConfigInput } from '../../../packages/keyward/src/config/schema.ts';
import { rotateKey, setKeyValidity, updateClient } from '../../../packages/keyward/src/server/services/registry/index.ts';
import { exportPublicPem } from '../../../packages/core/src/keys/export-key.ts';
import { addTestClient, assertionFor, CLIENT_ASSERTION_TYPE, flushAudit, postForm, requestToken, startTestServer, type TestClient } from '../helpers.ts';

const DAY = 86_400_000;

/** A server whose clock the test moves; `now` starts a few seconds into a clock minute. */
async function startMovableServer(overrides: KeywardConfigInput = {}) {
  const time = { now: Math.floor(Date.now() / 60_000) * 60_000 + 2_000 };
  const server = await startTestServer({ clock: () => time.now, overrides });
  return { server, time };
}

type Server = Awaited<ReturnType<typeof startMovableServer>>['server'];

async function alertsOf(server: Server, kind?: AlertKind): Promise<AlertRecord[]> {
  await flushAudit(server);
  await server.context.alerts.settle();
  return server.context.store.alerts.listAlerts(kind === undefined ? {} : { kind });
}

/** One token request signed at the server's time, from `address` (X-Forwarded-For, trustProxy on). */
async function grant(server: Server, time: { now: number }, client: TestClient, address?: string) {
  const assertion = await assertionFor(server, client, { now: Math.floor(time.now / 1000) });
  const answer = await postForm(`${server.url}/token`, { grant_type: 'client_credentials', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: assertion }, address ? { 'x-forwarded-for': address } : {});
  assert.equal(answer.status, 200, answer.text);
}

test('issuance_spike: a client jumping from 5 to 110 grants a minute; a steady client raises nothing', async () => {
  const { server, time } = await startMovableServer();
  try {
    const spiky = await addTestClient(server);
    const steady = await addTestClient(server, { slot: 1 });
    const start = time.now;
    for (let minute = 0; minute < 4; minute += 1) {
      for (let i = 0; i < 5; i += 1) {
        time.now = start + minute * 60_000 + i * 1000;
        await grant(server, time, spiky);
        await grant(server, time, steady);
      }
    }
    assert.deepEqual(await alertsOf(server, 'issuance_spike'), []);
    for (let i = 0; i < 110; i += 1) {
      time.now = start + 4 * 60_000 + i * 100;
      await grant(server, time, spiky);
      if (i % 20 === 0) await grant(server, time, steady);
    }
    const spikes = await alertsOf(server, 'issuance_spike');
    assert.equal(spikes.length, 1);
    assert.equal(spikes[0]!.clientId, spiky.clientId);
    assert.equal(spikes[0]!.observed, 100);
    assert.equal(spikes[0]!.expected, 5);
    assert.equal(spikes[0]!.keyThumbprint, spiky.thumbprint);
    assert.equal(spikes[0]!.state, 'open');
    const metrics = await server.context.metrics.render();
    assert.match(metrics, /keyward_alerts_total\{kind="issuance_spike"\} 1\b/);
    assert.match(metrics, /keyward_alerts_total\{kind="key_age"\} 0\b/, 'every kind starts at zero');
  } finally {
    await server.stop();
  }
});

test('replay_burst: five replays of one assertion within a minute; four raise nothing', async () => {
  const { server, time } = await startMovableServer();
  try {
    const quiet = await addTestClient(server);
    const loud = await addTestClient(server, { slot: 1 });
    for (const [client, replays] of [[quiet, 4], [loud, 5]] as const) {
      const assertion = await assertionFor(server, client, { now: Math.floor(time.now / 1000) });
      assert.equal((await requestToken(server, client, {}, assertion)).status, 200);
      for (let i = 0; i < replays; i += 1) assert.equal((await requestToken(server, client, {}, assertion)).json.error, 'invalid_client');
    }
    const alerts = await alertsOf(server, 'replay_burst');
    // One for the client; one for the source address (127.0.0.1 replayed 9 in all, 5 within the first burst).
    assert.deepEqual(alerts.filter((a) => a.clientId !== undefined).map((a) => a.clientId), [loud.clientId]);
    assert.ok(alerts.every((a) => !JSON.stringify(a).includes('eyJ')), 'no token or assertion in an alert');
  } finally {
    await server.stop();
  }
});

test('signature_failures: 20 assertions under a client\'s kid signed by another key in 5 minutes; 19 raise nothing', async () => {
  const { server, time } = await startMovableServer();
  try {
    const victims = [await addTestClient(server), await addTestClient(server, { slot: 1 })];
    const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    for (const [victim, count] of [[victims[0]!, 19], [victims[1]!, 20]] as const) {
      for (let i = 0; i < count; i += 1) {
        time.now += 1000;
        const forged = await signClientAssertion({ clientId: victim.clientId, audience: server.issuer, privateKey: attacker, alg: 'ES256', kid: victim.kid, now: Math.floor(time.now / 1000) });
        assert.equal((await requestToken(server, victim, {}, forged)).status, 401);
      }
    }
    const alerts = await alertsOf(server, 'signature_failures');
    assert.deepEqual(alerts.map((a) => [a.clientId, a.observed]), [[victims[1]!.clientId, 20]]);
  } finally {
    await server.stop();
  }
});

test('new_key_first_use: once per key, on its first authentication only', async () => {
  const { server, time } = await startMovableServer();
  try {
    const client = await addTestClient(server);
    await grant(server, time, client);
    time.now += 2 * 3_600_000; // past the hour after which the detector asks the store again
    await grant(server, time, client);
    const alerts = await alertsOf(server, 'new_key_first_use');
    assert.deepEqual(alerts.map((a) => [a.clientId, a.keyThumbprint]), [[client.clientId, client.thumbprint]]);
    assert.deepEqual(await alertsOf(server, 'dormant_client_active'), []);
  } finally {
    await server.stop();
  }
});

test('new_source_network: a new /24 after the 7-day learning period; known networks and learning-time networks raise nothing', async () => {
  const { server, time } = await startMovableServer({ server: { trustProxy: true } });
  try {
    const client = await addTestClient(server);
    await grant(server, time, client, '198.51.100.10');
    time.now += 2 * DAY;
    await grant(server, time, client, '203.0.113.5'); // learnt: within the learning period
    time.now += 6 * DAY;
    await grant(server, time, client, '198.51.100.99'); // same /24 as before
    await grant(server, time, client, '203.0.113.200'); // learnt earlier
    assert.deepEqual(await alertsOf(server, 'new_source_network'), []);
    await grant(server, time, client, '192.0.2.1');
    const alerts = await alertsOf(server, 'new_source_network');
    assert.deepEqual(alerts.map((a) => [a.clientId, a.source]), [[client.clientId, '192.0.2.0/24']]);
  } finally {
    await server.stop();
  }
});

test('dormant_client_active: a client unused for 31 days; one unused for 29 days raises nothing', async () => {
  const { server, time } = await startMovableServer();
  try {
    const sleeper = await addTestClient(server);
    const regular = await addTestClient(server, { slot: 1 });
    await grant(server, time, sleeper);
    await grant(server, time, regular);
    time.now += 29 * DAY;
    await grant(server, time, regular);
    time.now += 2 * DAY;
    await grant(server, time, sleeper);
    const alerts = await alertsOf(server, 'dormant_client_active');
    assert.deepEqual(alerts.map((a) => [a.clientId, a.observed, a.expected]), [[sleeper.clientId, 31, 30]]);
  } finally {
    await server.stop();
  }
});

test('key_expiring: a key ending in 10 days with no successor; a rotation announced in advance raises nothing', async () => {
  const { server, time } = await startMovableServer();
  try {
    const lone = await addTestClient(server);
    const rotating = await addTestClient(server, { slot: 1 });
    const registry = server.context.registry;
    await setKeyValidity(registry, { clientId: lone.clientId, key: lone.kid, validity: { notAfter: new Date(time.now + 10 * DAY) }, actor: 'test' });
    const next = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    await rotateKey(registry, { clientId: rotating.clientId, keys: exportPublicPem(next), overlapSeconds: 5 * 86_400, actor: 'test' });
    await server.context.alerts.scanKeys();
    await server.context.alerts.scanKeys(); // a second scan raises nothing new
    const alerts = await alertsOf(server, 'key_expiring');
    assert.deepEqual(alerts.map((a) => [a.clientId, a.keyThumbprint, a.observed]), [[lone.clientId, lone.thumbprint, 10]]);
  } finally {
    await server.stop();
  }
});

test('key_age: a key older than keys.maxAge; off by default', async () => {
  for (const maxAge of [0, 90]) {
    const { server, time } = await startMovableServer({ keys: { maxAge } });
    try {
      const client = await addTestClient(server);
      time.now += 100 * DAY;
      await server.context.alerts.scanKeys();
      const alerts = await alertsOf(server, 'key_age');
      if (maxAge === 0) assert.deepEqual(alerts, []);
      else assert.deepEqual(alerts.map((a) => [a.clientId, a.keyThumbprint, a.expected]), [[client.clientId, client.thumbprint, 90]]);
    } finally {
      await server.stop();
    }
  }
});

test('key_age: a client\'s own key_max_age_days wins over keys.maxAge, both ways', async () => {
  const { server, time } = await startMovableServer({ keys: { maxAge: 365 } });
  try {
    const strict = await addTestClient(server);
    const relaxed = await addTestClient(server, { slot: 1 });
    const ordinary = await addTestClient(server, { slot: 2 });
    await updateClient(server.context.registry, strict.clientId, { keyMaxAgeDays: 30 }, 'test');
    await updateClient(server.context.registry, relaxed.clientId, { keyMaxAgeDays: 1000 }, 'test');
    time.now += 400 * DAY;
    await server.context.alerts.scanKeys();
    const alerts = await alertsOf(server, 'key_age');
    assert.deepEqual(alerts.map((a) => [a.clientId, a.expected]).sort(), [[ordinary.clientId, 365], [strict.clientId, 30]].sort());
  } finally {
    await server.stop();
  }
});

test('legacy_audience: once per client per day while it sends the token endpoint as aud; strict clients raise nothing', async () => {
  const { server, time } = await startMovableServer();
  try {
    const legacy = await addTestClient(server, { audiencePolicy: 'legacy' });
    const strict = await addTestClient(server, { slot: 1 });
    for (let i = 0; i < 3; i += 1) {
      time.now += 1000;
      const assertion = await assertionFor(server, legacy, { audience: server.context.tokenEndpoint, now: Math.floor(time.now / 1000) });
      assert.equal((await requestToken(server, legacy, {}, assertion)).status, 200);
      await grant(server, time, strict);
    }
    assert.deepEqual((await alertsOf(server, 'legacy_audience')).map((a) => a.clientId), [legacy.clientId]);
  } finally {
    await server.stop();
  }
});

test('alerts.enabled false: nothing is judged', async () => {
  const { server, time } = await startMovableServer({ alerts: { enabled: false } });
  try {
    const client = await addTestClient(server);
    await grant(server, time, client);
    assert.deepEqual(await alertsOf(server), []);
  } finally {
    await server.stop();
  }
});
