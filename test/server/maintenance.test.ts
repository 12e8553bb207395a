// Maintenance and logging: expired replay reservations and token records are purged (RFC 7523 §3 (7)
// only needs a jti until the assertion expires), and the logger redacts tokens and assertions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { runMaintenance } from '../../packages/keyward/src/server/main.ts';
import { REDACTED_PATHS } from '../../packages/keyward/src/server/logger.ts';
import { addTestClient, assertionFor, requestToken, startTestServer } from './helpers.ts';

test('runMaintenance purges replay reservations and token records once expired, not before', async () => {
  const server = await startTestServer();
  try {
    const client = await addTestClient(server);
    const assertion = await assertionFor(server, client, { lifetime: 60 });
    assert.equal((await requestToken(server, client, {}, assertion)).status, 200);
    const early = await runMaintenance(server.context);
    assert.deepEqual(early, { replay: 0, tokens: 0, sessions: 0, audit: 0 }, 'nothing is purged while still valid');
    const realClock = server.context.clock;
    (server.context as { clock: () => number }).clock = () => realClock() + 400_000;
    try {
      const later = await runMaintenance(server.context);
      assert.ok(later.replay >= 1, 'the expired reservation is purged');
      assert.ok(later.tokens >= 1, 'the expired token record is purged');
    } finally {
      (server.context as { clock: () => number }).clock = realClock;
    }
  } finally {
    await server.stop();
  }
});

test('audit.retention: the maintenance pass deletes audit events older than the retention, and keeps them all when 0', async () => {
  for (const retention of [0, 30]) {
    const server = await startTestServer({ overrides: { audit: { retention } } });
    try {
      const now = server.context.clock();
      const days = (n: number) => new Date(now - n * 86_400_000);
      for (const age of [40, 31, 29, 1]) await server.context.store.audit.appendAudit({ time: days(age), type: 'test.event', details: { age } });
      const result = await runMaintenance(server.context);
      const left = (await server.context.store.audit.queryAudit({ type: 'test.event' })).map((e) => e.details?.age);
      if (retention === 0) {
        assert.equal(result.audit, 0);
        assert.deepEqual(left, [1, 29, 31, 40], 'retention 0 keeps everything');
      } else {
        assert.equal(result.audit, 2);
        assert.deepEqual(left, [1, 29], 'events older than 30 days are gone, younger ones stay');
      }
    } finally {
      await server.stop();
    }
  }
});

test('the logger redacts assertions, tokens and Authorization headers', () => {
  let out = '';
  const sink = new Writable({ write(chunk, _encoding, done) { out += chunk.toString(); done(); } });
  const logger = pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
  logger.info({ client_assertion: 'eyJ.secret.sig', req: { headers: { authorization: 'Bearer abc' } }, body: { access_token: 'tok' }, token: 't' }, 'x');
  assert.ok(!out.includes('eyJ.secret.sig'));
  assert.ok(!out.includes('Bearer abc'));
  assert.ok(!out.includes('"tok"'));
  assert.match(out, /\[redacted\]/);
});
