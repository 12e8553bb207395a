/**
 * Token endpoint rate limits (429 `rate_limited` with Retry-After, RFC 6585 §4) in memory and on
 * Redis counters shared by two nodes, and GET /metrics (prom-client): counters by outcome and
 * reason, legacy audience acceptances, bounded labels (no client_id unless configured).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addTestClient, assertionFor, requestToken, startTestServer } from '../server/helpers.ts';
import { checkRedis, createTestPrefix, REDIS_URL, resolveSkip } from '../store/services.ts';
import { sumMetric } from './nodes.ts';

const redisSkip = await resolveSkip(await checkRedis());

test('per-client limit (memory): the request over the budget gets 429 rate_limited with Retry-After and spends no jti', async () => {
  const server = await startTestServer({ overrides: { rateLimit: { perClient: 2, window: 60 } } });
  try {
    const client = await addTestClient(server);
    for (let i = 0; i < 2; i += 1) assert.equal((await requestToken(server, client, {}, await assertionFor(server, client))).status, 200);
    const over = await assertionFor(server, client);
    const refused = await requestToken(server, client, {}, over);
    assert.equal(refused.status, 429, refused.text);
    assert.equal(refused.json.error, 'temporarily_unavailable');
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    // RFC 7523 §3 (7): the refused assertion's jti was not reserved (the limit is checked before).
    const { jti } = JSON.parse(Buffer.from(over.split('.')[1]!, 'base64url').toString()) as { jti: string };
    assert.equal(await server.context.store.replay.reserve(client.clientId, jti, Math.floor(Date.now() / 1000) + 300), true);
    // Another client is not affected: the budget is per client.
    const other = await addTestClient(server, { slot: 1 });
    assert.equal((await requestToken(server, other, {}, await assertionFor(server, other))).status, 200);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.equal(sumMetric(metrics, 'keyward_rate_limited_total', 'limit="client"'), 1);
    assert.equal(sumMetric(metrics, 'keyward_token_requests_total', 'reason="rate_limited"'), 1);
  } finally {
    await server.stop();
  }
});

test('per-source-address limit (memory): checked before the request is read, 429 with Retry-After', async () => {
  const server = await startTestServer({ overrides: { rateLimit: { perSourceAddress: 3, window: 60 } } });
  try {
    const client = await addTestClient(server);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await requestToken(server, client, {}, await assertionFor(server, client))).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    // Not even a malformed request is read once the address is over its budget.
    const junk = await fetch(`${server.url}/token`, { method: 'POST', body: 'x' });
    assert.equal(junk.status, 429);
    assert.ok(Number(junk.headers.get('retry-after')) >= 1);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.equal(sumMetric(metrics, 'keyward_rate_limited_total', 'limit="source_address"'), 2);
  } finally {
    await server.stop();
  }
});

test('rateLimit.enabled false: no limit at all', async () => {
  const server = await startTestServer({ overrides: { rateLimit: { enabled: false, perSourceAddress: 1, perClient: 1 } } });
  try {
    const client = await addTestClient(server);
    for (let i = 0; i < 3; i += 1) assert.equal((await requestToken(server, client, {}, await assertionFor(server, client))).status, 200);
  } finally {
    await server.stop();
  }
});

test('per-client limit on Redis counters is shared by two nodes', { skip: redisSkip, timeout: 30_000 }, async () => {
  const prefix = createTestPrefix();
  const dataDir = (await import('../server/helpers.ts')).makeDataDir();
  // Two nodes on one SQLite file (enough for this check) and one Redis prefix: one budget.
  const overrides = { server: { issuer: 'https://keyward.shared.test' }, storage: { redisUrl: REDIS_URL, keyPrefix: prefix.prefix }, rateLimit: { perClient: 3, window: 60 } };
  const first = await startTestServer({ dataDir: dataDir.dir, overrides });
  const second = await startTestServer({ dataDir: dataDir.dir, overrides });
  try {
    const client = await addTestClient(first);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const node = i % 2 === 0 ? first : second;
      statuses.push((await requestToken(node, client, {}, await assertionFor(first, client))).status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429]);
  } finally {
    await first.stop();
    await second.stop();
    dataDir.remove();
    await prefix.removeKeys();
  }
});

test('/metrics: token counts by outcome and reason, legacy audience acceptances, request durations; no client_id label by default', async () => {
  const server = await startTestServer();
  try {
    const client = await addTestClient(server, { audiencePolicy: 'legacy' });
    assert.equal((await requestToken(server, client, {}, await assertionFor(server, client, { audience: `${server.issuer}/token` }))).status, 200);
    const assertion = await assertionFor(server, client);
    assert.equal((await requestToken(server, client, {}, assertion)).status, 200);
    assert.equal((await requestToken(server, client, {}, assertion)).status, 401);
    const response = await fetch(`${server.url}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
    const text = await response.text();
    assert.equal(sumMetric(text, 'keyward_token_requests_total', 'outcome="granted"'), 2);
    assert.equal(sumMetric(text, 'keyward_token_requests_total', 'reason="jti_replayed"'), 1);
    assert.equal(sumMetric(text, 'keyward_replay_refusals_total'), 1);
    assert.equal(sumMetric(text, 'keyward_legacy_audience_acceptances_total'), 1);
    assert.equal(sumMetric(text, 'keyward_http_request_duration_seconds_count', 'route="/token"'), 3);
    assert.match(text, /keyward_store_errors_total/);
    assert.match(text, /keyward_jwks_uri_fetch_failures_total/);
    assert.doesNotMatch(text, /client_id=/);
    // Scanners' random paths share one label.
    await fetch(`${server.url}/no/such/${Date.now()}`);
    const after = await (await fetch(`${server.url}/metrics`)).text();
    assert.equal(sumMetric(after, 'keyward_http_request_duration_seconds_count', 'route="other"'), 1);
    // The console's files share one label too, whatever is asked under /console/.
    await fetch(`${server.url}/console/`);
    await fetch(`${server.url}/console/nothing-${Date.now()}.js`);
    const later = await (await fetch(`${server.url}/metrics`)).text();
    assert.equal(sumMetric(later, 'keyward_http_request_duration_seconds_count', 'route="/console"'), 2);
    assert.equal(sumMetric(later, 'keyward_http_request_duration_seconds_count', 'route="other"'), 1);
  } finally {
    await server.stop();
  }
});

test('/metrics with metrics.clientIdLabel: authenticated clients only get a client_id label', async () => {
  const server = await startTestServer({ overrides: { metrics: { clientIdLabel: true } } });
  try {
    const client = await addTestClient(server);
    assert.equal((await requestToken(server, client, {}, await assertionFor(server, client))).status, 200);
    // An unknown, unauthenticated client_id never becomes a label.
    const stranger = { ...client, clientId: 'attacker-chosen-id' };
    assert.equal((await requestToken(server, stranger, {}, await assertionFor(server, stranger))).status, 401);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    assert.equal(sumMetric(text, 'keyward_token_requests_total', `client_id="${client.clientId}"`), 1);
    assert.doesNotMatch(text, /attacker-chosen-id/);
  } finally {
    await server.stop();
  }
});

test('metrics.enabled false: /metrics is 404', async () => {
  const server = await startTestServer({ overrides: { metrics: { enabled: false } } });
  try {
    assert.equal((await fetch(`${server.url}/metrics`)).status, 404);
  } finally {
    await server.stop();
  }
});
